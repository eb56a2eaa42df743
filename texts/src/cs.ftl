# Czech, the default language. Each message here has an English twin in en.ftl with the same
# variables (a test in texts/src/lib.rs holds them together).

## The portal

portal = Certifikát COVID-19
skip = Přeskočit na obsah
language = Jazyk
footer = Digitální certifikát EU COVID. Údaje jsou chráněny; nikomu nesdělujte kód z SMS.
login_title = Přihlášení
login_intro = Zadejte rodné číslo a číslo občanského průkazu. Pokud údaje odpovídají záznamu s mobilním číslem, pošleme Vám SMS s jednorázovým kódem.
birth_number = Rodné číslo
birth_number_hint = Např. 905215/1234 nebo 9052151234
id_card = Číslo občanského průkazu
id_card_hint = Číslo z přední strany průkazu
bn_invalid = Rodné číslo nemá platný tvar nebo kontrolní číslici. Zadejte ho jako RRMMDD/XXXX.
id_card_invalid = Číslo průkazu smí mít 1 až 12 písmen a číslic.
phone_invalid = Telefonní číslo zadejte mezinárodně: + a 8 až 15 číslic.
email_invalid = E-mailová adresa není platná.
send_code = Poslat kód
nia_or = Nebo se přihlaste bez SMS
nia_text = Přes Národní identitní autoritu: elektronickým občanským průkazem, účtem NIA nebo bankovní identitou.
nia_login = Přihlásit se přes NIA (eObčanka, bankovní identita)
nia_unavailable_title = NIA je nedostupná
nia_unavailable = Přihlášení přes NIA teď není možné. Zkuste to později, nebo se přihlaste rodným číslem a kódem z SMS.
nia_failed_title = Přihlášení přes NIA se nezdařilo
nia_failed = Přihlášení se nepodařilo dokončit, nebo pro Vás nemáme žádný záznam. Začněte prosím znovu.
nia_done_title = Jste přihlášeni
nia_done = Totožnost jsme ověřili přes NIA.
nia_continue = Pokračovat na Moje záznamy
old_certificate_title = Máte starší certifikát?
old_certificate_text = Starší certifikát vyměníte za nový certifikát EU bez přihlášení: načtěte jeho QR kód telefonem, nebo ho nahrajte zde.
old_certificate_link = Vyměnit starší certifikát
code_title = Zadejte kód z SMS
code_sent_if_match = Pokud údaje odpovídají záznamu s mobilním číslem, poslali jsme na něj kód. Platí 5 minut.
code = Jednorázový kód
code_hint = 6 číslic
confirm = Potvrdit
resend = Poslat nový kód
resent = Poslali jsme nový kód; předchozí už neplatí.
start_again = Začít znovu
code_wrong = Kód není správný nebo vypršel. Zkontrolujte ho, nebo si nechte poslat nový.
flow_expired = Přihlášení vypršelo. Začněte prosím znovu.
me_title = Moje záznamy
logout = Odhlásit se
dob = Datum narození
not_identified = Zatím Vás nemáme ověřené v základním registru obyvatel. Certifikát vydáme, jakmile ověření proběhne.
no_records = Zatím u Vás není zapsané žádné očkování, test ani prodělané onemocnění.
download_pdf = Stáhnout certifikát (PDF)
vaccination = Očkování
test = Test
recovery = Prodělané onemocnění
provider = Poskytovatel
product = Vakcína
manufacturer = Výrobce
dose = Dávka
test_type = Typ testu
test_result = Výsledek
test_centre = Místo testu
valid_from = Platí od
valid_until = Platí do
first_positive = První pozitivní test
country = Stát
why_incomplete = Certifikát vydáme po zápisu poslední dávky očkovacího schématu.
why_not_identified = Certifikát vydáme, až Vás ověříme v základním registru obyvatel.
why_legacy = Tento záznam má starší certifikát; nový získáte jeho výměnou.
why_superseded = Tento certifikát byl nahrazen novějším.
why_revoked = Tento certifikát byl zneplatněn.
why_other = K tomuto záznamu zatím certifikát nevydáváme.
contact_link = Změnit telefon nebo e-mail
contact_title = Kontaktní údaje
phone = Mobilní telefon
email = E-mail
none = neuvedeno
new_phone = Nové mobilní číslo
phone_hint = Mezinárodně, např. +420 601 123 456
new_email = Nový e-mail
send_code_new = Poslat kód na nový kontakt
step_up_text = Změnu kontaktu musíte nejdřív potvrdit kódem, který pošleme na Váš současný telefon.
step_up_send = Poslat kód na současný telefon
step_up_text_email = Změnu kontaktu musíte nejdřív potvrdit kódem, který pošleme na Váš současný e-mail.
step_up_send_email = Poslat kód na současný e-mail
step_up_done = Hotovo, nyní můžete kontakt změnit (5 minut).
contact_code_title = Potvrďte nový kontakt
proposals_title = Kontakty zaznamenané poskytovateli
proposals_text = Tyto kontakty u Vás zaznamenali poskytovatelé zdravotních služeb. Vaše kontakty nenahradily; převzít je můžete zde (kód pošleme na nový kontakt).
proposal_adopt = Převzít
contact_changed = Kontakt byl změněn. Na původní kontakt jsme poslali oznámení.
sessions_link = Přihlášená zařízení
sessions_title = Přihlášená zařízení
sessions_intro = Kde jste právě přihlášeni. Přihlášení, které nepoznáváte, ukončete.
session_started = Přihlášeno
session_last = Naposledy aktivní
session_this = Toto zařízení
session_end = Ukončit
session_ended = Přihlášení bylo ukončeno.
back_records = Zpět na moje záznamy
session_expired_title = Přihlášení vypršelo
session_expired = Z bezpečnostních důvodů jsme Vás odhlásili. Přihlaste se prosím znovu.
to_login = Přihlásit se
to_home = Na úvodní stránku
too_many_title = Příliš mnoho pokusů
too_many = Zkuste to prosím znovu za chvíli.
busy = Služba je právě přetížená. Zkuste to prosím později.
forbidden_title = Požadavek odmítnut
forbidden = Formulář vypršel nebo nepochází z tohoto webu. Načtěte stránku znovu a zkuste to ještě jednou.
not_found_title = Nenalezeno
not_found = Tato stránka neexistuje nebo už neplatí.
error_title = Něco se pokazilo
error = Omlouváme se, požadavek se nepodařilo zpracovat.
request_id = Číslo požadavku
invalid_title = Neplatné údaje
scan_title = Výměna staršího certifikátu
scan_intro = Načtěte QR kód staršího certifikátu fotoaparátem telefonu a otevřete odkaz. Nebo sem vložte text kódu či nahrajte jeho fotografii.
scan_text = Text kódu
scan_text_hint = Odkaz, který ukáže telefon po načtení QR kódu (začíná https://)
scan_photo = Fotografie kódu
scan_photo_hint = PNG nebo JPEG do 2 MB; stačí menší rozlišení, QR kód musí být celý a ostrý
scan_submit = Pokračovat
scan_nothing = Vložte text kódu, nebo nahrajte jeho fotografii.
scan_not_exchange = Tento kód neobsahuje odkaz na výměnu certifikátu.
scan_no_qr = Na obrázku jsme nenašli QR kód. Zkuste ostřejší fotografii celého kódu.
scan_unreadable = Kód na tomto obrázku se nepodařilo přečíst. Zkuste fotografii, na které je jen ostrý QR kód, nebo vložte text kódu.
scan_busy = Právě zpracováváme mnoho obrázků. Zkuste to prosím za několik sekund znovu, nebo vložte text kódu.
scan_bad_image = Soubor není obrázek PNG ani JPEG.
scan_too_large = Obrázek je příliš velký (nejvýše 2 MB a 4000 × 4000 bodů).

## The validators' scanner page (GET /verify)

verify_title = Ověření certifikátu
verify_intro = Naskenujte QR kód certifikátu EU COVID fotoaparátem, nahrajte jeho fotografii, nebo vložte jeho text. Uvidíte, zda je platný, jméno a datum narození držitele a typ certifikátu.
verify_country = Země příjezdu
verify_at = Datum a čas ověření
verify_at_hint = Pražský čas. Nevyplníte-li, ověří se k tomuto okamžiku.
verify_camera = Skenovat fotoaparátem
verify_camera_hint = Namiřte fotoaparát na QR kód; výsledek se ukáže sám.
verify_camera_start = Zapnout fotoaparát
verify_camera_stop = Vypnout fotoaparát
verify_camera_denied = Fotoaparát není dostupný. Nahrajte fotografii kódu nebo vložte jeho text.
verify_scanning = Hledáme QR kód…
verify_other = Nebo fotografie či text kódu
verify_photo = Fotografie kódu
verify_text = Text kódu
verify_text_hint = Začíná „HC1:“
verify_submit = Ověřit
verify_privacy = Obrázky ani výsledky ověření neukládáme.
verify_valid = Platný
verify_invalid = Neplatný
verify_no_rules = Bez pravidel země
verify_no_rules_text = Certifikát je pravý, platný a nezneplatněný, ale pro zemi { $country } zde nejsou zveřejněna žádná pravidla, takže nelze říct, zda jej přijme.
verify_checked = Ověřeno pro zemi { $country } k { $at } (pražský čas).
verify_name = Jméno
verify_dob = Datum narození
verify_type = Typ certifikátu
verify_why = Proč není platný
verify_fail_not_certificate = Kód neobsahuje digitální certifikát EU COVID.
verify_fail_signature = Podpis nelze ověřit: vydavatel není mezi důvěryhodnými, nebo byl certifikát pozměněn.
verify_fail_not_yet_valid = Certifikát v tuto dobu ještě neplatí.
verify_fail_expired = Platnost certifikátu skončila.
verify_fail_key_usage = Klíč, kterým byl certifikát podepsán, nesmí podepisovat tento typ certifikátu.
verify_fail_schema = Obsah certifikátu neodpovídá schématu EU.
verify_fail_rules = Nesplňuje pravidla země { $country } ke dni { $date }:
verify_fail_revoked = Vydavatel certifikát zneplatnil.
verify_bad_country = Zvolte zemi ze seznamu.
verify_bad_time = Zadejte datum a čas ověření celé (den, měsíc, rok, hodiny a minuty).
verify_empty = Naskenujte kód, nahrajte jeho fotografii, nebo vložte jeho text.
verify_text_long = Text je delší, než může QR kód certifikátu obsahovat.
verify_cross_site = Tento požadavek nepřišel ze stránky ověření certifikátu.

exchange_title = Váš nový certifikát EU
exchange_intro = Starší certifikát jsme vyměnili za digitální certifikát EU COVID.
exchange_keep = Certifikát si stáhněte a uložte. Odkaz platí do { $until } a certifikát z něj lze stáhnout ještě { $left }×.
uvci_label = {"Identifikátor certifikátu (UVCI): "}
code_help = SMS nepřišla do minuty? Zkontrolujte zadané údaje a začněte znovu, nebo si po 60 sekundách nechte poslat nový kód. Kód posíláme jen na telefon zapsaný u Vašeho očkování nebo testu.
exchange_pending = Certifikát zatím vydat nemůžeme: držitel ještě není ověřen v základním registru obyvatel.
holder = Držitel
certificate_type = Druh certifikátu
reg_login_title = Přihlášení do registru
reg_login_intro = Přihlášení účtem a jednorázovým heslem: uživatelské jméno, osobní heslo (PIN) a číslice z obrázku. Kód pak pošleme zvoleným způsobem.
username = Uživatelské jméno
username_hint = Jméno z e-mailu, který jste dostali při registraci (8 znaků).
pin = Osobní heslo (PIN)
captcha = Opište prosím číslice v obrázku
captcha_hint = Číslice lze také vložit ze schránky. Obrázek platí 5 minut.
captcha_alt = Obrázek s 5 nebo 6 číslicemi
captcha_new = Načíst nový obrázek
captcha_wrong = Číslice z obrázku nesouhlasí nebo obrázek vypršel. Opište prosím nový obrázek.
reg_new_title = Nový uživatel
reg_new_text = Zdravotníci se registrují mobilním telefonem a rodným číslem. Po registraci požádejte o oprávnění pro svou organizaci.
reg_register = Registrovat se pomocí SMS
reg_title = Registrace nového uživatele
reg_intro = Zadejte číslo mobilního telefonu a své rodné číslo. Na telefon pošleme ověřovací kód.
reg_phone = Mobilní telefon
reg_phone_hint = S předvolbou, např. +420 601 123 456
reg_phone_invalid = Telefon zadejte s předvolbou: + a 8 až 15 číslic.
reg_send_sms = Odeslat SMS
reg_back_login = Zpět na přihlášení
reg_details_title = Kontaktní údaje a PIN
reg_details_intro = Telefon je ověřen. Vyplňte úplné kontaktní údaje a zvolte si osobní heslo (PIN).
reg_name = Jméno a příjmení
reg_email_hint = Sem pošleme Vaše uživatelské jméno.
reg_pin = Nový PIN
reg_pin_hint = Délka hesla je min. 6 znaků. Heslo může obsahovat čísla, malé znaky, velké znaky a speciální znaky. Snadno uhodnutelná hesla odmítneme.
reg_pin2 = Nový PIN znovu
reg_pin_mismatch = Zadané PINy se neshodují.
reg_channel = Způsob doručování jednorázového kódu
reg_channel_sms = SMS (doporučeno)
reg_channel_email = E-mail
reg_channel_email_risk = E-mail je méně bezpečný než SMS: kdo získá přístup k Vaší schránce, získá i kódy.
reg_name_invalid = Jméno zadejte (nejvýše 50 znaků).
reg_email_invalid = E-mail zadejte jako jednu adresu se znakem @.
reg_channel_invalid = Zvolte způsob doručování kódu.
renew_title = Obnova osobního hesla (PIN)
renew_link = Obnova osobního hesla / PIN
renew_intro = Vyplňte své uživatelské jméno, které Vám bylo zasláno při registraci, a opište číslice z obrázku.
renew_username_hint = Zde nejprve vyplňte přidělené uživatelské jméno (8 znaků).
renew_no_picture = Obrázek nemohu přečíst: poslat kód na registrovaný e-mail
renew_submit = Obnovit osobní heslo
renew_email_intro = Místo obrázku Vám pošleme jednorázový kód na e-mail zadaný při registraci. Kód pak zadáte na další stránce.
renew_email_send = Poslat kód e-mailem
renew_back_picture = Zpět k obrázku
renew_have_phone = Mám k dispozici mobilní telefon
renew_digits = Poslední 3 číslice telefonního čísla
renew_digits_hint = Vyplňte poslední trojčíslí mobilního telefonního čísla uvedeného při registraci.
renew_no_phone = Nemám mobilní telefon
renew_helpdesk = Automatická obnova osobního hesla bez mobilního telefonu není možná. Kontaktujte prosím správce účtů ve své organizaci (statutární zástupce nebo pověřená osoba) nebo helpdesk.
renew_sent = Pokud údaje souhlasí, posíláme Vám SMS s kódem a e-mail s odkazem na obnovu hesla.
renew_sent_next = Klikněte na odkaz v e-mailu (platí 3 dny) a na otevřené stránce zadejte kód z SMS a nové osobní heslo. Nepřišlo nic? Zkontrolujte uživatelské jméno a zkuste to znovu; po třech pokusech za den už nic neposíláme.
renew_set_intro = Zadejte kód z SMS, zvolte si nové osobní heslo a způsob doručování jednorázového kódu.
renew_code = Kód pro obnovu osobního hesla
renew_code_hint = Kód Vám byl zaslán v SMS (6 číslic, platí 5 minut).
renew_set = Nastavit
renew_code_wrong = Kód z SMS není správný nebo vypršel. Nechte si poslat nový.
renew_code_resent = Poslali jsme nový kód.
renew_link_invalid_title = Odkaz neplatí
renew_link_invalid = Odkaz na obnovu osobního hesla neplatí: byl už použit, vypršel, nebo byl nahrazen novější žádostí. Požádejte o obnovu znovu.
renew_again = Požádat o obnovu znovu
renew_done = Osobní heslo bylo obnoveno. Přihlaste se svým uživatelským jménem a novým heslem.
username_missing = Vyplňte uživatelské jméno.
cert_title = Registrace certifikátem
cert_intro = Máte osobní certifikát od důvěryhodné certifikační autority? Podepište jím níže uvedený text; ověříme podpis i certifikát. Poté pošleme ověřovací kód na Váš mobilní telefon a vyplníte kontaktní údaje a PIN.
cert_register = Registrovat se certifikátem
cert_challenge = Text k podpisu
cert_challenge_hint = Podepište přesně tento text (bez konce řádku). Platí 15 minut a jen v tomto okně prohlížeče.
cert_howto = Jak podepsat pomocí OpenSSL
cert_signature = Podpis
cert_signature_hint = Podpis CMS/PKCS#7 (PEM nebo base64), nebo prostý podpis textu v base64.
cert_certificates = Certifikát (PEM)
cert_certificates_hint = U prostého podpisu vložte svůj certifikát a případné mezilehlé certifikáty. U podpisu CMS je certifikát uvnitř.
cert_phone_hint = Sem pošleme ověřovací kód; s předvolbou, např. +420 601 123 456.
cert_submit = Ověřit podpis a poslat SMS
cert_back_sms = Registrovat se raději pomocí SMS a rodného čísla
cert_not_offered = Registrace certifikátem není v této instalaci zapnutá. Registrujte se pomocí SMS.
cert_challenge_expired = Text k podpisu vypršel nebo patří jinému oknu. Podepište prosím nový text níže.
cert_refused = {"Podpis nebo certifikát jsme nepřijali: "}
reg_nia_text = Účet v registru je propojen s identitou NIA podle rodného čísla, se kterým jste se registrovali, nebo s identitou, kterou jste propojili na stránce svého účtu.
nia_link_title = Přihlašování přes NIA
nia_link_text = Přihlašujte se do registru také přes NIA (eObčanka, bankovní identita). Propojte svůj účet se svou identitou NIA; pokud jste se registrovali rodným číslem, přihlášení přes NIA už funguje.
nia_link = Propojit s identitou NIA
nia_linked_text = Váš účet je propojen s identitou NIA: můžete se přihlašovat přes NIA.
nia_unlink = Zrušit propojení s identitou NIA
nia_linked_title = Identita NIA je propojena
nia_linked_done = Váš účet v registru je nyní propojen s Vaší identitou NIA. Příště se můžete přihlásit přes NIA. Poslali jsme Vám o tom SMS a e-mail.
nia_unlinked_title = Propojení s NIA je zrušeno
nia_unlinked_done = Propojení Vašeho účtu s identitou NIA bylo zrušeno. Poslali jsme Vám o tom SMS a e-mail.
nia_link_refused_title = Propojení s identitou NIA se nezdařilo
nia_link_registered = Identitu NIA nelze propojit: s tímto rodným číslem je v registru zaregistrován jiný účet. Každý člověk smí mít v registru jediný účet; přihlaste se tím účtem, nebo kontaktujte helpdesk.
nia_link_taken = Identitu NIA nelze propojit: tato identita je už propojena s jiným účtem v registru. Každý člověk smí mít v registru jediný účet; zrušte propojení v tom účtu, nebo kontaktujte helpdesk.
nia_link_confirm_title = Potvrďte propojení s identitou NIA
nia_link_confirm_text = Totožnost jsme ověřili přes NIA. Propojení s Vaším účtem v registru dokončíte tlačítkem níže do 5 minut.
nia_link_confirm = Dokončit propojení
pinc_title = Změnit osobní heslo (PIN)
pinc_intro = Zadejte současný PIN a dvakrát nový. Ostatní přihlášení skončí a o změně Vám pošleme SMS i e-mail.
pinc_current = Současný PIN
pinc_submit = Změnit PIN
pinc_wrong = Současný PIN nesouhlasí.
pinc_stale = Změna PINu vyžaduje jednorázový kód zadaný nejvýše před 5 minutami. Odhlaste se a přihlaste znovu, potom PIN změňte.
pinc_done = PIN byl změněn. Ostatní přihlášení skončila.
reg_finish = Dokončit registraci
reg_done_title = Registrace dokončena
reg_done = Pokud je vše v pořádku, poslali jsme Vám e-mailem uživatelské jméno. Poté požádejte o oprávnění pro svou organizaci.
reg_account_title = Můj účet v registru
reg_permissions_none = Služby registru jsou dostupné jen s oprávněním pro organizaci, o které požádáte a které schválí její správce účtu.
## Permissions (issue #10): "My permissions", the organisation page and powers of attorney.
perm_title = Moje oprávnění
perm_intro = Služby registru (zápis očkování, testů a prodělaných nemocí) jsou dostupné jen s oprávněním pro organizaci. O oprávnění rozhoduje správce účtu dané organizace.
perm_mine_title = Oprávnění pro organizace
perm_none = Zatím nemáte žádné oprávnění ani žádost. Požádejte o oprávnění formulářem níže.
perm_ico = IČO
perm_ico_hint = 8 číslic identifikačního čísla organizace, např. 25596641.
perm_role = Role
perm_role_member = uživatel
perm_role_manager = správce účtu
perm_state = Stav
perm_state_requested = čeká na schválení
perm_state_approved = schváleno
perm_state_refused = zamítnuto
perm_state_revoked = odebráno
perm_manage = Spravovat organizaci
perm_held_title = Zastupování na základě plné moci
perm_held_intro = Vaše organizace zpracovává data za tyto organizace; v hlavičce X-Organisation uveďte IČO zastoupené organizace.
perm_via = prostřednictvím
perm_att_until = platí do
perm_request_title = Požádat o oprávnění
perm_request_send = Odeslat žádost
perm_requested = Žádost byla odeslána. Správce účtu organizace ji posoudí.
perm_ico_invalid = IČO zadejte jako 8 číslic se správnou kontrolní číslicí.
perm_org_unknown = Organizace s tímto IČO v registru není.
perm_pending_already = O oprávnění pro tuto organizaci jste již požádali; žádost čeká na rozhodnutí.
perm_approved_already = Oprávnění pro tuto organizaci již máte.
perm_back_account = Zpět na můj účet
perm_org_intro = Jako správce účtu rozhodujete o žádostech o oprávnění a o plných mocích Vaší organizace.
perm_pending_title = Žádosti čekající na rozhodnutí
perm_pending_none = Žádné žádosti nečekají.
perm_requested_at = požádal(a)
perm_approve = Schválit
perm_refuse = Zamítnout
perm_members_title = Uživatelé s oprávněním
perm_own = Vaše vlastní oprávnění: může je odebrat jiný správce účtu.
perm_revoke = Odebrat oprávnění
perm_past_title = Zamítnuté a odebrané
perm_att_title = Plné moci
perm_att_intro = Plnou mocí umožníte zpracovatelské organizaci, aby za Vaši organizaci zapisovala data. Plná moc platí nejdéle 366 dní a můžete ji kdykoli odvolat.
perm_att_given = Udělené plné moci
perm_att_none = Vaše organizace žádnou plnou moc neudělila.
perm_att_held = Plné moci udělené Vaší organizaci
perm_att_in_force = platná
perm_att_future = zatím neplatí
perm_att_expired = vypršela
perm_att_revoked = odvolaná
perm_att_revoke = Odvolat plnou moc
perm_att_grant_title = Udělit plnou moc
perm_att_agent = IČO zpracovatelské organizace
perm_att_valid_until = Platí do (včetně)
perm_att_valid_until_hint = Datum ve tvaru D. M. RRRR (např. 31. 12. 2026), nejvýše 366 dní ode dneška.
perm_att_note = Poznámka (nepovinné)
perm_att_note_hint = Např. číslo jednací podepsané plné moci; nejvýše 200 znaků.
perm_att_grant = Udělit plnou moc
perm_att_same = Plnou moc nelze udělit vlastní organizaci.
perm_att_period = Zadejte datum konce platnosti od dneška do 366 dní.
perm_att_note_invalid = Poznámka může mít nejvýše 200 znaků bez řídicích znaků.
perm_back = Zpět na moje oprávnění
## Security questions (SECURITY.md 19): the account's form, the renewal branch and the
## fixed list of questions (service::questions::QUESTIONS).
q_set_title = Bezpečnostní otázky
q_set_intro = Vyberte tři různé otázky a odpovězte na ně. Pokud nebudete mít po ruce mobilní telefon, můžete si osobní heslo (PIN) obnovit odpověďmi na tyto otázky a odkazem z e-mailu. Na velikosti písmen nezáleží.
q_set_already = Otázky už máte nastavené; uložením je nahradíte novými.
q_slot = Otázka
q_question = Otázka
q_choose = Vyberte otázku
q_answer = Odpověď
q_answer_hint = Nejvýše 100 znaků. Odpověď si zapamatujte; nikde ji nezobrazujeme.
q_save = Uložit otázky
q_saved = Bezpečnostní otázky byly uloženy. Poslali jsme Vám o tom e-mail.
q_questions_invalid = Vyberte tři různé otázky ze seznamu.
q_answer_invalid = Každá odpověď musí mít 1 až 100 znaků.
q_stale = Změna bezpečnostních otázek vyžaduje kód zadaný před nejvýše 5 minutami. Odhlaste se a přihlaste se znovu, pak otázky nastavte.
q_sign_in_again = Odhlásit se a přihlásit znovu
q_no_phone = Pokud jste si v účtu nastavili bezpečnostní otázky, můžete místo posledního trojčíslí odpovědět na ně. Odkaz na obnovu osobního hesla i kód pak přijdou e-mailem a o obnově dostanou zprávu správci účtů Vaší organizace.
q_no_phone_link = Odpovědět na bezpečnostní otázky
q_renew_intro = Odpovězte na bezpečnostní otázky, které jste si nastavili v účtu. Na velikosti písmen nezáleží; správně musí být alespoň dvě odpovědi ze tří.
q_renew_legend = Bezpečnostní otázky
q_renew_sent = Pokud odpovědi souhlasí, posíláme Vám e-mail s odkazem na obnovu hesla a další e-mail s kódem.
q_renew_sent_next = Klikněte na odkaz v e-mailu (platí 3 dny) a na otevřené stránce zadejte kód z druhého e-mailu a nové osobní heslo. Nepřišlo nic? Zkontrolujte uživatelské jméno a odpovědi a zkuste to znovu; po třech pokusech za den už nic neposíláme.
q_back_phone = Zpět k trojčíslí telefonu
q_set_intro_email = Zadejte kód z e-mailu, zvolte si nové osobní heslo a způsob doručování jednorázového kódu.
q_code_hint_email = Kód Vám byl zaslán e-mailem (6 číslic, platí 5 minut).
q_code_wrong_email = Kód z e-mailu není správný nebo vypršel. Nechte si poslat nový.
q_q_school = Jak se jmenovala Vaše první škola?
q_q_street = V jaké ulici jste bydleli v dětství?
q_q_pet = Jak se jmenovalo Vaše první zvíře?
q_q_friend = Jak se jmenoval Váš nejlepší kamarád nebo kamarádka z dětství?
q_q_teacher = Jak se jmenoval Váš oblíbený učitel nebo učitelka?
q_q_parents_town = V jakém městě se seznámili Vaši rodiče?
q_q_employer = Jak se jmenoval Váš první zaměstnavatel?
q_q_book = Jakou knihu jste si jako první sami přečetli?


## Issue #21 part 5: code pages per channel, missing fields, the registry's own header
registry_portal = Registr zdravotníků
bn_missing = Vyplňte rodné číslo.
id_card_missing = Vyplňte číslo občanského průkazu.
login_required_title = Přihlaste se
login_required = Tato stránka je dostupná po přihlášení.
code_title_contact_phone = Zadejte kód z SMS
code_sent_contact_phone = Poslali jsme kód v SMS na nové telefonní číslo. Platí 10 minut; do jeho zadání platí dosavadní číslo.
code_help_contact_phone = SMS nepřišla do minuty? Zkontrolujte zadané číslo a zadejte ho znovu.
code_title_contact_email = Zadejte kód z e-mailu
code_sent_contact_email = Poslali jsme kód e-mailem na novou adresu. Platí 10 minut; do jeho zadání platí dosavadní adresa.
code_help_contact_email = E-mail nepřišel do několika minut? Podívejte se i do složky nevyžádané pošty, zkontrolujte zadanou adresu a zadejte ji znovu.
code_title_step_up = Zadejte kód z SMS
code_sent_step_up = Poslali jsme kód v SMS na Váš současný telefon. Platí 5 minut.
code_help_step_up = SMS nepřišla do minuty? Vraťte se a nechte si poslat nový kód.
code_title_step_up_email = Zadejte kód z e-mailu
code_sent_step_up_email = Poslali jsme kód e-mailem na Vaši současnou adresu. Platí 5 minut.
code_help_step_up_email = E-mail nepřišel do několika minut? Podívejte se i do složky nevyžádané pošty, nebo se vraťte a nechte si poslat nový kód.
code_title_registry = Zadejte jednorázový kód
code_sent_registry = Pokud údaje souhlasí, poslali jsme kód způsobem, který jste si zvolili při registraci (SMS nebo e-mail). Platí 5 minut.
code_help_registry = Kód nepřišel? Zkontrolujte uživatelské jméno a PIN a přihlaste se znovu.
code_title_registration = Zadejte kód z SMS
code_sent_registration = Poslali jsme kód v SMS na zadané telefonní číslo. Platí 5 minut.
code_help_registration = SMS nepřišla do minuty? Zkontrolujte zadané číslo a začněte registraci znovu.
code_title_registry_login_email = Zadejte kód z e-mailu a PIN
code_sent_registry_login_email = Pokud uživatelské jméno existuje, poslali jsme kód na e-mail zadaný při registraci. Platí 5 minut. Po jeho zadání s PINem Vám pošleme ještě přihlašovací kód.
code_help_registry_login_email = E-mail nepřišel do několika minut? Podívejte se i do složky nevyžádané pošty a zkontrolujte uživatelské jméno.
reg_login_email_title = Přihlášení bez obrázku
code_title_renewal_email = Zadejte kód z e-mailu
code_sent_renewal_email = Pokud uživatelské jméno existuje, poslali jsme kód na e-mail zadaný při registraci. Platí 5 minut.
code_help_renewal_email = E-mail nepřišel do několika minut? Podívejte se i do složky nevyžádané pošty a zkontrolujte uživatelské jméno.
pin_missing = Vyplňte osobní heslo (PIN).
perm_att_date_invalid = Datum zadejte ve tvaru D. M. RRRR, např. 31. 12. 2026.
## Issue #21 part 4: the operator, the helpdesk, the privacy notice and the accessibility statement
footer_operator = Službu provozuje { $operator }.
footer_helpdesk = Podpora: { $phone }, { $email }
privacy_title = Ochrana osobních údajů
accessibility_title = Prohlášení o přístupnosti
privacy_text =
    Správcem osobních údajů je { $operator }. Dotazy a žádosti k osobním údajům vyřizuje podpora: { $email }, tel. { $phone }.

    Účel: vydávání a ověřování digitálních certifikátů EU COVID o očkování, testu a prodělaném onemocnění podle nařízení (EU) 2021/953, přihlášení do portálu a zasílání jednorázových kódů a oznámení. Zpracováváme jméno, datum narození, rodné číslo (uložené jen v podobě, ze které je nelze přečíst), číslo občanského průkazu, telefon, e-mail a údaje o očkování, testech a prodělaném onemocnění, které zapsali poskytovatelé zdravotních služeb.

    Právní základ: plnění právní povinnosti a úkolu ve veřejném zájmu (čl. 6 odst. 1 písm. c) a e) a čl. 9 odst. 2 písm. g) a i) GDPR).

    Doba uložení: záznamy a certifikáty po dobu platnosti právních předpisů o certifikátech COVID-19; zprávy SMS a e-mailem nejvýše 30 dní po odeslání; záznamy o přihlášeních a změnách (auditní záznamy) nejvýše 1 rok. Fotografie kódů a výsledky ověření neukládáme.

    Vaše práva: přístup k údajům, oprava nepřesných údajů, výmaz a omezení zpracování tam, kde to zákon připouští, námitka a stížnost u Úřadu pro ochranu osobních údajů (www.uoou.cz). Údaje předáváme jen poskytovatelům zdravotních služeb, kteří je zapsali, a v rámci brány EU jen veřejné klíče, nikoli osobní údaje.
accessibility_text =
    { $operator } se zavazuje zpřístupnit tuto službu v souladu se zákonem č. 99/2019 Sb., o přístupnosti internetových stránek a mobilních aplikací.

    Stav souladu: služba je v souladu s normou EN 301 549 a s WCAG 2.1 na úrovni AA, s výjimkou uvedenou níže. Stránky fungují bez JavaScriptu (kromě skenování fotoaparátem), lze je ovládat klávesnicí, zvětšit na 200 % a číst odečítačem obrazovky.

    Nepřístupný obsah: obrázek s číslicemi při přihlášení zdravotníků (captcha); místo něj lze zvolit zaslání kódu na registrovaný e-mail. QR kód certifikátu je obrázek určený ke strojovému čtení; jeho obsah je na stránce vypsán i textem.

    Zpětná vazba a kontakt: nedostatky v přístupnosti nám prosím oznamte na { $email } nebo tel. { $phone }. Pokud odpověď nebude uspokojivá, můžete se obrátit na Ministerstvo vnitra, které dohlíží na dodržování zákona o přístupnosti.
## Issue #21 part 2: the certificate on screen and on paper
qr_label = QR kód certifikátu
disease = Onemocnění
vaccination_date = Datum očkování
cert_issuer = Vydavatel certifikátu
sample_time = Odběr vzorku
card_vaccination = Digitální certifikát EU COVID – očkování
card_test = Digitální certifikát EU COVID – test
card_recovery = Digitální certifikát EU COVID – prodělané onemocnění
card_other = Digitální certifikát EU COVID
card_name = Jméno a příjmení
card_expires = Technická platnost certifikátu do
print_hint = Certifikát vytisknete příkazem Tisk v prohlížeči (Ctrl+P): na stránku A4 se vytiskne jen certifikát s QR kódem.

## Zprávy SMS a e-mailem (service::notice). Odcházejí v obou jazycích, česky první.

notice-code =
    { $service }: kód pro { $purpose ->
        [login] přihlášení
        [contact_phone] změnu telefonu
        [contact_email] změnu e-mailu
        [step_up] potvrzení změny
        [registration] registraci
        [registry_login] přihlášení do registru
        [renewal] obnovu PINu
        [renewal_email] obnovu PINu bez obrázku
        [registry_login_email] přihlášení do registru bez obrázku
       *[other] ověření
    } je { $code }, platí { $minutes } min.
notice-code-subject = { $service }: jednorázový kód
notice-renewal-subject = { $service }: obnova PINu
notice-renewal =
    Uživatelské jméno: { $username }

    Nový PIN nastavíte na adrese na konci této zprávy; budete potřebovat i kód { $code_channel ->
        [email] z dalšího e-mailu
       *[sms] z SMS
    }. Odkaz platí 3 dny. Pokud jste o obnovu PINu nežádali, kontaktujte ihned helpdesk.
notice-registration-attempt-subject = { $service }: pokus o registraci
notice-registration-attempt = Někdo se pokusil zaregistrovat s Vaším rodným číslem. Váš účet zůstává beze změny; pokud jste to nebyli Vy, kontaktujte helpdesk.
notice-registration-complete-subject = { $service }: registrace dokončena
notice-registration-complete =
    Vaše uživatelské jméno do registru: { $username }

    Přihlaste se uživatelským jménem, PINem a jednorázovým kódem.
notice-pin-changed-subject = { $service }: PIN byl změněn
notice-pin-changed = { $service }: PIN k Vašemu účtu v registru byl právě změněn. Pokud jste to nebyli Vy, kontaktujte ihned helpdesk.
notice-contact-changed-subject = { $service }: změna kontaktu
notice-contact-changed = { $service }: { $field ->
        [email] Vaše e-mailová adresa v portálu byla změněna
       *[phone] Vaše telefonní číslo v portálu bylo změněno
    }. Pokud jste to nebyli Vy, kontaktujte podporu.
notice-contact-recorded-subject = { $service }: jiné kontaktní údaje
notice-contact-recorded = { $service }: { $org } u Vás zaznamenal(a) jiné údaje: { $fields }. Vaše údaje se nezměnily. Pokud jste to nebyli Vy, kontaktujte podporu; novou hodnotu můžete převzít v portálu (Kontakty).
notice-contact-field = { $field ->
        [id_card] číslo občanského průkazu
        [phone] telefonní číslo
       *[email] e-mailovou adresu
    }
notice-questions-set-subject = { $service }: bezpečnostní otázky
notice-questions-set = { $service }: Bezpečnostní otázky Vašeho účtu v registru byly právě nastaveny. Pokud jste to nebyli Vy, kontaktujte ihned helpdesk.
notice-nia-linked-subject = { $service }: propojení s identitou NIA
notice-nia-linked = { $service }: K Vašemu účtu v registru byla právě propojena identita NIA; lze se jí nyní přihlásit. Pokud jste to nebyli Vy, kontaktujte ihned helpdesk.
notice-nia-unlinked-subject = { $service }: zrušení propojení s identitou NIA
notice-nia-unlinked = { $service }: Propojení Vašeho účtu v registru s identitou NIA bylo právě zrušeno. Pokud jste to nebyli Vy, kontaktujte ihned helpdesk.
notice-questions-renewal-subject = { $service }: obnova PINu bezpečnostními otázkami
notice-questions-renewal = Uživatel { $name } (uživatelské jméno { $username }) z Vaší organizace si obnovuje osobní heslo (PIN) bez mobilního telefonu, odpověďmi na bezpečnostní otázky. Zprávu dostáváte jako správce účtů organizace. Pokud to uživatel nečekal, kontaktujte jej nebo helpdesk.
notice-permission-requested-subject = { $service }: žádost o oprávnění
notice-permission-requested = Uživatel registru požádal dne { $when } o oprávnění jednat za organizaci { $org }. Zprávu dostáváte jako správce účtů organizace. Žádost schválíte nebo zamítnete na stránce organizace v registru, na adrese na konci této zprávy.
notice-permission-decided-subject = { $service }: rozhodnutí o oprávnění
notice-permission-decided = Vaše žádost o oprávnění jednat za organizaci { $org } byla dne { $when } { $decision ->
        [approved] schválena
       *[refused] zamítnuta
    }. Svá oprávnění najdete v registru, na adrese na konci této zprávy.
notice-certificate-subject = Váš certifikát COVID-19
notice-certificate =
    Dobrý den,

    v příloze Vám zasíláme digitální certifikát EU COVID { $kind ->
        [test] o testu
        [recovery] o prodělaném onemocnění
       *[vaccination] o očkování
    }. QR kód certifikátu si můžete vytisknout nebo uložit do telefonu.
    Tato zpráva byla odeslána automaticky, neodpovídejte na ni.

## Pravidla PINu (service::pin::PinRejected)

pin-too-short = PIN musí mít alespoň { $min } znaků.
pin-too-long = PIN může mít nejvýše { $max } znaků.
pin-common = Tento PIN je příliš snadné uhodnout (běžné heslo nebo předvídatelný vzor). Zvolte prosím jiný; delší fráze se lépe pamatuje a hůře hádá.
pin-sequence = PIN nesmí obsahovat { $run } a více opakujících se nebo po sobě jdoucích znaků (např. aaaaaa, 123456, abcdef nebo qwerty).
pin-context = PIN nesmí obsahovat { $field ->
        [username] Vaše uživatelské jméno
        [service] název služby „dcc“
        [organisation] název Vaší organizace
        [birth_number] Vaše rodné číslo
        [birth_date] Vaše datum narození
       *[phone] číslice Vašeho telefonního čísla
    }.

## Proč operace neproběhla (service::error::Problem). Parametry jmenují pole a pravidla, nikdy hodnotu, kterou člověk zadal.

error-field = Údaje nebyly přijaty: { $detail }
error-exists = { $what ->
        [Organisation] Organizace
        [Token] Přístupový token
        [Record] Záznam
        [IdempotencyKey] Klíč Idempotency-Key
        [LegacyCertificate] Starý certifikát
        [Certificate] Certifikát
        [Account] Uživatelské jméno nebo rodné číslo
        [PermissionRequest] Žádost o oprávnění
        [PowerOfAttorney] Plná moc
       *[other] Záznam
    } už existuje.
error-body-not-object = Tělo požadavku musí být objekt JSON.
error-idempotency-in-use = Klíč Idempotency-Key se právě používá.
error-legacy-imported = Tento starý certifikát už byl importován.
error-event-recorded = Tato událost už byla této osobě zaznamenána (stejný certifikát).
error-decided = O této žádosti už bylo rozhodnuto.
error-permission-not-in-force = Toto oprávnění neplatí.
error-managers-only-page = Tuto stránku vidí jen správci účtů organizace.
error-managers-only-attorney = Plnou moc udělují jen správci účtů organizace.
error-grantor-managers-only = Plnou moc odvolávají jen správci účtů organizace, která ji udělila.
error-attorney-revoked = Tato plná moc už byla odvolána.
error-own-permission = O vlastním oprávnění nikdo nerozhoduje; rozhodne jiný správce účtů.
error-not-manager = O oprávněních organizace rozhodují jen její správci účtů.
error-no-organisation = Organizace s IČO { $ico } neexistuje.
error-no-user = Uživatel registru s tímto uživatelským jménem neexistuje.
error-step-up = Je potřeba jednorázový kód zadaný v posledních pěti minutách.
error-not-identified = Držitel zatím není ztotožněn v registru obyvatel.
## Stránky zdravotníka (issue #21): výběr organizace, vyhledání osoby, zápis očkování, testu a prodělané nemoci, zneplatnění certifikátu.
worker_link = Zapisovat za organizaci
worker_orgs_title = Práce za organizaci
worker_orgs_intro = Vyberte organizaci, za kterou zapisujete. Nabízíme jen ty, pro které máte schválené oprávnění nebo plnou moc.
worker_via = prostřednictvím organizace
worker_orgs_none = Nemáte schválené oprávnění pro žádnou organizaci. Požádejte o ně na stránce Moje oprávnění.
worker_orgs_back = Zpět na výběr organizace
worker_forbidden_title = Bez oprávnění
worker_forbidden = Pro tuto organizaci nemáte schválené oprávnění ani platnou plnou moc.
worker_search_title = Vyhledat osobu
worker_search_intro = Osobu zobrazíme, jen když souhlasí rodné číslo i číslo občanského průkazu.
worker_birth_number = Rodné číslo
worker_birth_number_hint = Například 736028/0004, lomítko můžete vynechat.
worker_id_card = Číslo občanského průkazu
worker_id_card_hint = Číslo dokladu totožnosti, mezery nevadí.
worker_search = Vyhledat
worker_search_audited = Každé vyhledání se zaznamenává do auditního záznamu.
worker_not_found = Osobu s tímto rodným číslem a číslem průkazu jsme nenašli. Zkontrolujte obě čísla.
worker_err_birth_number = Zadejte platné rodné číslo.
worker_err_id_card = Zadejte číslo průkazu: 1 až 12 písmen a číslic.
worker_err_product = Vyberte očkovací látku.
worker_err_manufacturer = Vyberte výrobce; u této látky ho neumíme doplnit sami.
worker_err_dose = Zadejte pořadí dávky a počet dávek schématu jako celá čísla od 1 do 9.
worker_err_date = Zadejte datum ve tvaru RRRR-MM-DD.
worker_err_country = Vyberte stát.
worker_err_test_type = Vyberte typ testu.
worker_err_test_name = Zadejte název testu (PCR), nebo u rychlého testu vyberte výrobce testu.
worker_err_test_result = Vyberte výsledek testu.
worker_err_test_centre = Zadejte odběrové místo (nejvýše 80 znaků).
worker_err_sample_time = Zadejte datum a čas odběru.
worker_err_validity = Zadejte platnost od a do tak, aby začínala nejdříve dnem prvního pozitivního testu a končila nejdříve v den začátku.
worker_err_email = Zadejte platnou e-mailovou adresu, nebo pole nechte prázdné.
worker_err_phone = Zadejte mobilní číslo s předvolbou, např. +420601123456, nebo pole nechte prázdné.
worker_err_reason = Zadejte důvod zneplatnění (1 až 200 znaků).
worker_dob = Datum narození
worker_identified = Registr obyvatel
worker_identified_yes = ověřen(a)
worker_identified_no = neověřen(a): certifikát zatím nevydáme
worker_email_on_file = E-mail v evidenci
worker_phone_on_file = Telefon v evidenci
worker_none = není
worker_record_title = Zapsat
worker_record_vaccination = Zapsat očkování
worker_record_test = Zapsat test
worker_record_recovery = Zapsat prodělanou nemoc
worker_records_title = Záznamy této organizace
worker_records_none = Tato organizace zatím u této osoby nic nezapsala.
worker_certificate = Certifikát
worker_cert_valid = vydán a platný
worker_cert_expired = vydán, platnost již skončila
worker_cert_revoked = zneplatněn
worker_cert_superseded = nahrazen novějším
worker_why_incomplete = Nevydán: schéma očkování ještě není úplné, certifikát vydáme po poslední dávce.
worker_why_not_identified = Nevydán: osoba není ověřena v registru obyvatel.
worker_why_refused = Nevydán: podepisování odmítlo vydání.
worker_revoke_reason = Důvod zneplatnění
worker_revoke_reason_hint = Například „zapsáno omylem“; nejvýše 200 znaků.
worker_revoke = Zneplatnit certifikát
worker_revoked = Certifikát je zneplatněn. Ověřovací aplikace ho odteď odmítnou.
worker_search_other = Vyhledat jinou osobu
worker_result_title = Záznam uložen
worker_issued = Certifikát byl vydán.
worker_mailed_to = Odeslali jsme ho e-mailem na adresu
worker_not_mailed = Osoba nemá e-mail, certifikát si stáhne na portálu.
worker_not_issued = Certifikát nebyl vydán.
worker_back_person = Zpět na osobu
worker_person = Osoba
worker_errors = Opravte prosím:
worker_product = Očkovací látka
worker_choose = – vyberte –
worker_manufacturer_hint = U běžných látek výrobce doplníme podle látky.
worker_by_product = podle očkovací látky
worker_dose_hint = Například dávka 2 ze 2 pro dokončené dvoudávkové schéma.
worker_dose_n = Dávka
worker_dose_legend = Dávka očkovacího schématu
worker_dose_of = z
worker_vaccination_date = Datum očkování
worker_test_name = Název testu (PCR)
worker_test_name_hint = U testu PCR (NAAT) jeho název.
worker_test_device = Rychlý antigenní test
worker_test_device_hint = U rychlého testu jeho výrobce a název.
worker_sample_time = Odběr vzorku
worker_sample_time_hint = Datum a čas odběru, pražský čas.
worker_validity_hint = Poslední den platnosti certifikátu o prodělané nemoci.
worker_contacts = Kontakty osoby (nepovinné)
worker_contacts_hint = Doplní se jen tam, kde osoba žádný kontakt v evidenci nemá; certifikát pošleme na zde zadaný e-mail.
worker_email = E-mail
worker_phone = Mobilní telefon
worker_phone_hint = S předvolbou, např. +420601123456.
worker_save = Uložit záznam

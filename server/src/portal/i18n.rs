//! The portal's words in Czech (the default) and English.

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// Czech.
    Cs,
    /// English.
    En,
}

impl Lang {
    /// From the language cookie's value; Czech unless it says English.
    pub fn from_code(code: Option<&str>) -> Lang {
        match code {
            Some("en") => Lang::En,
            _ => Lang::Cs,
        }
    }

    /// `cs` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Cs => "cs",
            Lang::En => "en",
        }
    }

    /// The text of `key` in this language (the key itself when missing, which a test forbids).
    pub fn t(self, key: &str) -> &'static str {
        STRINGS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map_or("", |(_, cs, en)| match self {
                Lang::Cs => cs,
                Lang::En => en,
            })
    }

    /// Every string of this language, for the templates (`t.key`).
    pub fn table(self) -> std::collections::BTreeMap<&'static str, &'static str> {
        STRINGS
            .iter()
            .map(|(k, cs, en)| {
                (
                    *k,
                    match self {
                        Lang::Cs => *cs,
                        Lang::En => *en,
                    },
                )
            })
            .collect()
    }
}

/// Key, Czech, English.
pub const STRINGS: &[(&str, &str, &str)] = &[
    ("portal", "Certifikát COVID-19", "COVID-19 certificate"),
    ("skip", "Přeskočit na obsah", "Skip to content"),
    ("language", "Jazyk", "Language"),
    ("footer", "Digitální certifikát EU COVID. Údaje jsou chráněny; nikomu nesdělujte kód z SMS.", "EU Digital COVID Certificate. Your data are protected; never share the code from the SMS."),
    ("login_title", "Přihlášení", "Log in"),
    ("login_intro", "Zadejte rodné číslo a číslo občanského průkazu. Pokud údaje odpovídají záznamu s mobilním číslem, pošleme Vám SMS s jednorázovým kódem.", "Enter your birth number and ID-card number. If they match a record with a mobile number, we will text you a one-time code."),
    ("birth_number", "Rodné číslo", "Birth number"),
    ("birth_number_hint", "Např. 905215/1234 nebo 9052151234", "For example 905215/1234 or 9052151234"),
    ("id_card", "Číslo občanského průkazu", "ID-card number"),
    ("id_card_hint", "Číslo z přední strany průkazu", "The number on the front of the card"),
    ("bn_invalid", "Rodné číslo nemá platný tvar nebo kontrolní číslici. Zadejte ho jako RRMMDD/XXXX.", "The birth number is not valid (its form or check digit). Enter it as YYMMDD/XXXX."),
    ("id_card_invalid", "Číslo průkazu smí mít 1 až 12 písmen a číslic.", "The ID-card number must be 1 to 12 letters and digits."),
    ("phone_invalid", "Telefonní číslo zadejte mezinárodně: + a 8 až 15 číslic.", "Enter the phone number in international form: + and 8 to 15 digits."),
    ("email_invalid", "E-mailová adresa není platná.", "The e-mail address is not valid."),
    ("send_code", "Poslat kód", "Send code"),
    ("nia_or", "Nebo se přihlaste bez SMS", "Or log in without an SMS"),
    ("nia_text", "Přes Národní identitní autoritu: elektronickým občanským průkazem, účtem NIA nebo bankovní identitou.", "Through the National Identity Authority: with an electronic ID card, a NIA account or your bank identity."),
    ("nia_login", "Přihlásit se přes NIA (eObčanka, bankovní identita)", "Log in with NIA (national eID)"),
    ("nia_unavailable_title", "NIA je nedostupná", "NIA is unavailable"),
    ("nia_unavailable", "Přihlášení přes NIA teď není možné. Zkuste to později, nebo se přihlaste rodným číslem a kódem z SMS.", "Logging in with NIA is not possible right now. Try again later, or log in with your birth number and an SMS code."),
    ("nia_failed_title", "Přihlášení přes NIA se nezdařilo", "Logging in with NIA failed"),
    ("nia_failed", "Přihlášení se nepodařilo dokončit, nebo pro Vás nemáme žádný záznam. Začněte prosím znovu.", "The login could not be completed, or we have no record for you. Please start again."),
    ("nia_done_title", "Jste přihlášeni", "You are logged in"),
    ("nia_done", "Totožnost jsme ověřili přes NIA.", "We have verified your identity through NIA."),
    ("nia_continue", "Pokračovat na Moje záznamy", "Continue to My records"),
    ("old_certificate_title", "Máte starší certifikát?", "Have an older certificate?"),
    ("old_certificate_text", "Starší certifikát vyměníte za nový certifikát EU bez přihlášení: načtěte jeho QR kód telefonem, nebo ho nahrajte zde.", "Exchange an older certificate for a new EU certificate without logging in: scan its QR code with your phone, or upload it here."),
    ("old_certificate_link", "Vyměnit starší certifikát", "Exchange an older certificate"),
    ("code_title", "Zadejte kód z SMS", "Enter the code from the SMS"),
    ("code_sent_if_match", "Pokud údaje odpovídají záznamu s mobilním číslem, poslali jsme na něj kód. Platí 5 minut.", "If the details match a record with a mobile number, we have sent a code to it. It is valid for 5 minutes."),
    ("code", "Jednorázový kód", "One-time code"),
    ("code_hint", "6 číslic", "6 digits"),
    ("confirm", "Potvrdit", "Confirm"),
    ("resend", "Poslat nový kód", "Send a new code"),
    ("resent", "Poslali jsme nový kód; předchozí už neplatí.", "We have sent a new code; the previous one no longer works."),
    ("start_again", "Začít znovu", "Start again"),
    ("code_wrong", "Kód není správný nebo vypršel. Zkontrolujte ho, nebo si nechte poslat nový.", "The code is wrong or has expired. Check it, or ask for a new one."),
    ("flow_expired", "Přihlášení vypršelo. Začněte prosím znovu.", "The login has expired. Please start again."),
    ("me_title", "Moje záznamy", "My records"),
    ("logout", "Odhlásit se", "Log out"),
    ("dob", "Datum narození", "Date of birth"),
    ("not_identified", "Zatím Vás nemáme ověřené v základním registru obyvatel. Certifikát vydáme, jakmile ověření proběhne.", "You are not yet confirmed in the population register. We will issue certificates once you are."),
    ("no_records", "Zatím u Vás není zapsané žádné očkování, test ani prodělané onemocnění.", "No vaccination, test or recovery has been recorded for you yet."),
    ("download_pdf", "Stáhnout certifikát (PDF)", "Download the certificate (PDF)"),
    ("vaccination", "Očkování", "Vaccination"),
    ("test", "Test", "Test"),
    ("recovery", "Prodělané onemocnění", "Recovery"),
    ("provider", "Poskytovatel", "Provider"),
    ("product", "Vakcína", "Vaccine"),
    ("manufacturer", "Výrobce", "Manufacturer"),
    ("dose", "Dávka", "Dose"),
    ("test_type", "Typ testu", "Type of test"),
    ("test_result", "Výsledek", "Result"),
    ("test_centre", "Místo testu", "Test centre"),
    ("valid_from", "Platí od", "Valid from"),
    ("valid_until", "Platí do", "Valid until"),
    ("first_positive", "První pozitivní test", "First positive test"),
    ("country", "Stát", "Country"),
    ("why_incomplete", "Certifikát vydáme po zápisu poslední dávky očkovacího schématu.", "A certificate is issued once the final dose of the series is recorded."),
    ("why_not_identified", "Certifikát vydáme, až Vás ověříme v základním registru obyvatel.", "A certificate is issued once you are confirmed in the population register."),
    ("why_legacy", "Tento záznam má starší certifikát; nový získáte jeho výměnou.", "This record has an older certificate; exchange it for the new one."),
    ("why_superseded", "Tento certifikát nahradil novější.", "A newer certificate has replaced this one."),
    ("why_revoked", "Tento certifikát byl zneplatněn.", "This certificate has been revoked."),
    ("why_other", "K tomuto záznamu zatím certifikát nevydáváme.", "No certificate is issued for this record yet."),
    ("contact_link", "Změnit telefon nebo e-mail", "Change phone or e-mail"),
    ("contact_title", "Kontaktní údaje", "Contact details"),
    ("phone", "Mobilní telefon", "Mobile phone"),
    ("email", "E-mail", "E-mail"),
    ("none", "neuvedeno", "not given"),
    ("new_phone", "Nové mobilní číslo", "New mobile number"),
    ("phone_hint", "Mezinárodně, např. +420 601 123 456", "International format, e.g. +420 601 123 456"),
    ("new_email", "Nový e-mail", "New e-mail"),
    ("send_code_new", "Poslat kód na nový kontakt", "Send a code to the new contact"),
    ("step_up_text", "Změnu kontaktu musíte nejdřív potvrdit kódem, který pošleme na Váš současný telefon.", "Before changing a contact, confirm it is you with a code we send to your current phone."),
    ("step_up_send", "Poslat kód na současný telefon", "Send a code to my current phone"),
    ("step_up_done", "Hotovo, nyní můžete kontakt změnit (5 minut).", "Done: you can now change a contact (for 5 minutes)."),
    ("contact_code_title", "Potvrďte nový kontakt", "Confirm the new contact"),
    ("contact_changed", "Kontakt byl změněn. Na původní kontakt jsme poslali oznámení.", "The contact has been changed. We have notified the previous one."),
    ("sessions_link", "Přihlášená zařízení", "Devices logged in"),
    ("sessions_title", "Přihlášená zařízení", "Devices logged in"),
    ("sessions_intro", "Kde jste právě přihlášeni. Přihlášení, které nepoznáváte, ukončete.", "Where you are logged in now. End any you do not recognise."),
    ("session_started", "Přihlášeno", "Logged in"),
    ("session_last", "Naposledy aktivní", "Last active"),
    ("session_this", "Toto zařízení", "This device"),
    ("session_end", "Ukončit", "End"),
    ("session_ended", "Přihlášení bylo ukončeno.", "The session has been ended."),
    ("back_records", "Zpět na moje záznamy", "Back to my records"),
    ("session_expired_title", "Přihlášení vypršelo", "Your session has ended"),
    ("session_expired", "Z bezpečnostních důvodů jsme Vás odhlásili. Přihlaste se prosím znovu.", "For your security you have been logged out. Please log in again."),
    ("to_login", "Přihlásit se", "Log in"),
    ("to_home", "Na úvodní stránku", "To the start page"),
    ("too_many_title", "Příliš mnoho pokusů", "Too many attempts"),
    ("too_many", "Zkuste to prosím znovu za chvíli.", "Please try again in a little while."),
    ("busy", "Služba je právě přetížená. Zkuste to prosím později.", "The service is busy right now. Please try again later."),
    ("forbidden_title", "Požadavek odmítnut", "Request refused"),
    ("forbidden", "Formulář vypršel nebo nepochází z tohoto webu. Načtěte stránku znovu a zkuste to ještě jednou.", "The form has expired or did not come from this site. Reload the page and try again."),
    ("not_found_title", "Nenalezeno", "Not found"),
    ("not_found", "Tato stránka neexistuje nebo už neplatí.", "This page does not exist or is no longer valid."),
    ("error_title", "Něco se pokazilo", "Something went wrong"),
    ("error", "Omlouváme se, požadavek se nepodařilo zpracovat.", "Sorry, the request could not be processed."),
    ("request_id", "Číslo požadavku", "Request id"),
    ("invalid_title", "Neplatné údaje", "Invalid details"),
    ("scan_title", "Výměna staršího certifikátu", "Exchange an older certificate"),
    ("scan_intro", "Načtěte QR kód staršího certifikátu fotoaparátem telefonu a otevřete odkaz. Nebo sem vložte text kódu či nahrajte jeho fotografii.", "Scan the QR code of the older certificate with your phone's camera and open the link. Or paste the code's text or upload a photo of it here."),
    ("scan_text", "Text kódu", "The code's text"),
    ("scan_text_hint", "Odkaz, který ukáže telefon po načtení QR kódu (začíná https://)", "The link your phone shows after scanning the QR code (starts with https://)"),
    ("scan_photo", "Fotografie kódu", "Photo of the code"),
    ("scan_photo_hint", "PNG nebo JPEG do 2 MB; stačí menší rozlišení, QR kód musí být celý a ostrý", "PNG or JPEG up to 2 MB; a lower resolution is fine if the whole code is sharp"),
    ("scan_submit", "Pokračovat", "Continue"),
    ("scan_nothing", "Vložte text kódu, nebo nahrajte jeho fotografii.", "Paste the code's text or upload a photo of it."),
    ("scan_not_exchange", "Tento kód neobsahuje odkaz na výměnu certifikátu.", "This code does not hold a certificate-exchange link."),
    ("scan_no_qr", "Na obrázku jsme nenašli QR kód. Zkuste ostřejší fotografii celého kódu.", "We found no QR code in the image. Try a sharper photo of the whole code."),
    ("scan_bad_image", "Soubor není obrázek PNG ani JPEG.", "The file is not a PNG or JPEG image."),
    ("scan_too_large", "Obrázek je příliš velký (nejvýše 2 MB a 4000 × 4000 bodů).", "The image is too large (at most 2 MB and 4,000 × 4,000 pixels)."),
    ("exchange_title", "Váš nový certifikát EU", "Your new EU certificate"),
    ("exchange_intro", "Starší certifikát jsme vyměnili za digitální certifikát EU COVID.", "Your older certificate has been exchanged for an EU Digital COVID Certificate."),
    ("exchange_keep", "Certifikát si stáhněte a uložte. Odkaz platí do {until} a certifikát z něj lze stáhnout ještě {left}×.", "Download and keep the certificate. The link works until {until} and allows {left} more downloads."),
    ("uvci_label", "Identifikátor certifikátu (UVCI): ", "Certificate identifier (UVCI): "),
    ("code_help", "SMS nepřišla do minuty? Zkontrolujte zadané údaje a začněte znovu, nebo si po 60 sekundách nechte poslat nový kód. Kód posíláme jen na telefon zapsaný u Vašeho očkování nebo testu.", "No SMS within a minute? Check the details you entered and start again, or ask for a new code after 60 seconds. We send the code only to the phone recorded with your vaccination or test."),
    ("exchange_pending", "Certifikát zatím vydat nemůžeme: držitel ještě není ověřen v základním registru obyvatel.", "The certificate cannot be issued yet: the holder is not yet confirmed in the population register."),
    ("holder", "Držitel", "Holder"),
    ("certificate_type", "Druh certifikátu", "Type of certificate"),
    ("reg_login_title", "Přihlášení do registru", "Registry sign-in"),
    ("reg_login_intro", "Přihlášení účtem a jednorázovým heslem: uživatelské jméno, osobní heslo (PIN) a číslice z obrázku. Kód pak pošleme zvoleným způsobem.", "Sign in using account and one-time password: username, PIN and the digits in the picture. We then send a code by your chosen channel."),
    ("username", "Uživatelské jméno", "Username"),
    ("username_hint", "Jméno z e-mailu, který jste dostali při registraci (8 znaků).", "The name from the e-mail you received at registration (8 characters)."),
    ("pin", "Osobní heslo (PIN)", "PIN"),
    ("captcha", "Opište prosím číslice v obrázku", "Please rewrite the digits in the picture"),
    ("captcha_hint", "Číslice lze také vložit ze schránky. Obrázek platí 5 minut.", "You may paste the digits. The picture is valid for 5 minutes."),
    ("captcha_alt", "Obrázek s 5 nebo 6 číslicemi", "A picture of 5 or 6 digits"),
    ("captcha_new", "Načíst nový obrázek", "Get a new picture"),
    ("captcha_wrong", "Číslice z obrázku nesouhlasí nebo obrázek vypršel. Opište prosím nový obrázek.", "The digits do not match the picture or it expired. Please rewrite the new picture."),
    ("reg_new_title", "Nový uživatel", "New user"),
    ("reg_new_text", "Zdravotníci se registrují mobilním telefonem a rodným číslem. Po registraci požádejte o oprávnění pro svou organizaci.", "Health-care staff register with a mobile phone and birth number. After registering, ask for permission for your organisation."),
    ("reg_register", "Registrovat se pomocí SMS", "Register by SMS"),
    ("reg_title", "Registrace nového uživatele", "New user registration"),
    ("reg_intro", "Zadejte číslo mobilního telefonu a své rodné číslo. Na telefon pošleme ověřovací kód.", "Enter your mobile number and birth number. We will send a verification code to the phone."),
    ("reg_phone", "Mobilní telefon", "Mobile phone"),
    ("reg_phone_hint", "S předvolbou, např. +420 601 123 456", "With the country code, e.g. +420 601 123 456"),
    ("reg_phone_invalid", "Telefon zadejte s předvolbou: + a 8 až 15 číslic.", "Enter the phone with its country code: + and 8 to 15 digits."),
    ("reg_send_sms", "Odeslat SMS", "Send SMS"),
    ("reg_back_login", "Zpět na přihlášení", "Back to sign-in"),
    ("reg_details_title", "Kontaktní údaje a PIN", "Contact details and PIN"),
    ("reg_details_intro", "Telefon je ověřen. Vyplňte úplné kontaktní údaje a zvolte si osobní heslo (PIN).", "Your phone is verified. Fill in your full contact details and choose a PIN."),
    ("reg_name", "Jméno a příjmení", "Full name"),
    ("reg_email_hint", "Sem pošleme vaše uživatelské jméno.", "We will send your username here."),
    ("reg_pin", "Nový PIN", "New PIN"),
    ("reg_pin_hint", "Délka hesla je min. 6 znaků. Heslo může obsahovat čísla, malé znaky, velké znaky a speciální znaky. Snadno uhodnutelná hesla odmítneme.", "The minimum length is 6 characters. It may contain digits, lower- and upper-case letters and special characters. Easily guessed PINs are refused."),
    ("reg_pin2", "Nový PIN znovu", "Please re-enter your PIN"),
    ("reg_pin_mismatch", "Zadané PINy se neshodují.", "The two PINs differ."),
    ("reg_channel", "Způsob doručování jednorázového kódu", "The channel for one-time password delivery"),
    ("reg_channel_sms", "SMS (doporučeno)", "SMS (recommended)"),
    ("reg_channel_email", "E-mail", "E-mail"),
    ("reg_channel_email_risk", "E-mail je méně bezpečný než SMS: kdo získá přístup k vaší schránce, získá i kódy.", "E-mail is less safe than SMS: whoever gets into your mailbox gets the codes too."),
    ("reg_name_invalid", "Jméno zadejte (nejvýše 50 znaků).", "Enter your name (at most 50 characters)."),
    ("reg_email_invalid", "E-mail zadejte jako jednu adresu se znakem @.", "Enter one e-mail address with an @."),
    ("reg_channel_invalid", "Zvolte způsob doručování kódu.", "Choose how codes are delivered."),
    ("reg_finish", "Dokončit registraci", "Finish registration"),
    ("reg_done_title", "Registrace dokončena", "Registration complete"),
    ("reg_done", "Pokud je vše v pořádku, poslali jsme vám e-mailem uživatelské jméno. Poté požádejte o oprávnění pro svou organizaci.", "If everything is in order, we have e-mailed you your username. Then ask for permission for your organisation."),
    ("reg_account_title", "Můj účet v registru", "My registry account"),
    ("reg_permissions_none", "Bez přiděleného oprávnění pro organizaci zatím nemáte přístup k žádné službě.", "Without a permission for an organisation you have no access to any service yet."),
];

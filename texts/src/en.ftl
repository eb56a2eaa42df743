# English. Each message here has a Czech twin in cs.ftl with the same variables.

## The portal

portal = COVID-19 certificate
skip = Skip to content
language = Language
footer = EU Digital COVID Certificate. Your data are protected; never share the code from the SMS.
login_title = Log in
login_intro = Enter your birth number and ID-card number. If they match a record with a mobile number, we will text you a one-time code.
birth_number = Birth number
birth_number_hint = For example 905215/1234 or 9052151234
id_card = ID-card number
id_card_hint = The number on the front of the card
bn_invalid = The birth number is not valid (its form or check digit). Enter it as YYMMDD/XXXX.
id_card_invalid = The ID-card number must be 1 to 12 letters and digits.
phone_invalid = Enter the phone number in international form: + and 8 to 15 digits.
email_invalid = The e-mail address is not valid.
send_code = Send code
nia_or = Or log in without an SMS
nia_text = Through the National Identity Authority: with an electronic ID card, a NIA account or your bank identity.
nia_login = Log in with NIA (national eID)
nia_unavailable_title = NIA is unavailable
nia_unavailable = Logging in with NIA is not possible right now. Try again later, or log in with your birth number and an SMS code.
nia_failed_title = Logging in with NIA failed
nia_failed = The login could not be completed, or we have no record for you. Please start again.
nia_done_title = You are logged in
nia_done = We have verified your identity through NIA.
nia_continue = Continue to My records
old_certificate_title = Have an older certificate?
old_certificate_text = Exchange an older certificate for a new EU certificate without logging in: scan its QR code with your phone, or upload it here.
old_certificate_link = Exchange an older certificate
code_title = Enter the code from the SMS
code_sent_if_match = If the details match a record with a mobile number, we have sent a code to it. It is valid for 5 minutes.
code = One-time code
code_hint = 6 digits
confirm = Confirm
resend = Send a new code
resent = We have sent a new code; the previous one no longer works.
start_again = Start again
code_wrong = The code is wrong or has expired. Check it, or ask for a new one.
flow_expired = The login has expired. Please start again.
me_title = My records
logout = Log out
dob = Date of birth
not_identified = You are not yet confirmed in the population register. We will issue certificates once you are.
no_records = No vaccination, test or recovery has been recorded for you yet.
download_pdf = Download the certificate (PDF)
vaccination = Vaccination
test = Test
recovery = Recovery
provider = Provider
product = Vaccine
manufacturer = Manufacturer
dose = Dose
test_type = Type of test
test_result = Result
test_centre = Test centre
valid_from = Valid from
valid_until = Valid until
first_positive = First positive test
country = Country
why_incomplete = A certificate is issued once the final dose of the series is recorded.
why_not_identified = A certificate is issued once you are confirmed in the population register.
why_legacy = This record has an older certificate; exchange it for the new one.
why_superseded = This certificate has been replaced by a newer one.
why_revoked = This certificate has been revoked.
why_other = No certificate is issued for this record yet.
contact_link = Change phone or e-mail
contact_title = Contact details
phone = Mobile phone
email = E-mail
none = not given
new_phone = New mobile number
phone_hint = International format, e.g. +420 601 123 456
new_email = New e-mail
send_code_new = Send a code to the new contact
step_up_text = Before changing a contact, confirm it is you with a code we send to your current phone.
step_up_send = Send a code to my current phone
step_up_text_email = Before changing a contact, confirm it is you with a code we send to your current e-mail address.
step_up_send_email = Send a code to my current e-mail address
step_up_done = Done: you can now change a contact (for 5 minutes).
contact_code_title = Confirm the new contact
proposals_title = Contacts recorded by providers
proposals_text = Health-care providers recorded these contacts for you. They did not replace yours; you can adopt them here (we send a code to the new contact).
proposal_adopt = Adopt
contact_changed = The contact has been changed. We have notified the previous one.
sessions_link = Devices logged in
sessions_title = Devices logged in
sessions_intro = Where you are logged in now. End any you do not recognise.
session_started = Logged in
session_last = Last active
session_this = This device
session_end = End
session_ended = The session has been ended.
back_records = Back to my records
session_expired_title = Your session has ended
session_expired = For your security you have been logged out. Please log in again.
to_login = Log in
to_home = To the start page
too_many_title = Too many attempts
too_many = Please try again in a little while.
busy = The service is busy right now. Please try again later.
forbidden_title = Request refused
forbidden = The form has expired or did not come from this site. Reload the page and try again.
not_found_title = Not found
not_found = This page does not exist or is no longer valid.
error_title = Something went wrong
error = Sorry, the request could not be processed.
request_id = Request id
invalid_title = Invalid details
scan_title = Exchange an older certificate
scan_intro = Scan the QR code of the older certificate with your phone's camera and open the link. Or paste the code's text or upload a photo of it here.
scan_text = The code's text
scan_text_hint = The link your phone shows after scanning the QR code (starts with https://)
scan_photo = Photo of the code
scan_photo_hint = PNG or JPEG up to 2 MB; a lower resolution is fine if the whole code is sharp
scan_submit = Continue
scan_nothing = Paste the code's text or upload a photo of it.
scan_not_exchange = This code does not hold a certificate-exchange link.
scan_no_qr = We found no QR code in the image. Try a sharper photo of the whole code.
scan_unreadable = We could not read the code in this picture. Try a sharp photo showing only the QR code, or paste the code's text.
scan_busy = We are processing many pictures right now. Please try again in a few seconds, or paste the code's text.
scan_bad_image = The file is not a PNG or JPEG image.
scan_too_large = The image is too large (at most 2 MB and 4,000 × 4,000 pixels).

## The validators' scanner page (GET /verify)

verify_title = Check a certificate
verify_intro = Scan the QR code of an EU Digital COVID Certificate with the camera, upload a photo of it, or paste its text. You will see whether it is valid, the holder's name and date of birth, and the type of certificate.
verify_country = Country of arrival
verify_at = Date and time of the check
verify_at_hint = Prague time. Leave it empty to check for this moment.
verify_camera = Scan with the camera
verify_camera_hint = Point the camera at the QR code; the result appears by itself.
verify_camera_start = Turn the camera on
verify_camera_stop = Turn the camera off
verify_camera_denied = The camera is not available. Upload a photo of the code or paste its text.
verify_scanning = Looking for a QR code…
verify_other = Or a photo or the text of the code
verify_photo = Photo of the code
verify_text = The code's text
verify_text_hint = Starts with "HC1:"
verify_submit = Check
verify_privacy = We keep neither the images nor the results.
verify_valid = Valid
verify_invalid = Not valid
verify_no_rules = No rules for this country
verify_no_rules_text = The certificate is genuine, in force and not revoked, but no rules are published here for { $country }, so we cannot say whether it admits the holder.
verify_checked = Checked for { $country } at { $at } (Prague time).
verify_name = Name
verify_dob = Date of birth
verify_type = Type of certificate
verify_why = Why it is not valid
verify_fail_not_certificate = The code holds no EU Digital COVID Certificate.
verify_fail_signature = The signature cannot be verified: the issuer is not among the trusted ones, or the certificate was altered.
verify_fail_not_yet_valid = The certificate is not valid yet at this time.
verify_fail_expired = The certificate has expired.
verify_fail_key_usage = The key that signed the certificate may not sign this type of certificate.
verify_fail_schema = The certificate's content does not follow the EU schema.
verify_fail_rules = It does not meet the rules of { $country } on { $date }:
verify_fail_revoked = The issuer revoked the certificate.
verify_bad_country = Choose a country from the list.
verify_bad_time = Enter the whole date and time of the check (day, month, year, hours and minutes).
verify_empty = Scan the code, upload a photo of it, or paste its text.
verify_text_long = The text is longer than a certificate's QR code can hold.
verify_cross_site = This request did not come from the certificate check page.

exchange_title = Your new EU certificate
exchange_intro = Your older certificate has been exchanged for an EU Digital COVID Certificate.
exchange_keep = Download and keep the certificate. The link works until { $until } and allows { $left } more downloads.
uvci_label = {"Certificate identifier (UVCI): "}
code_help = No SMS within a minute? Check the details you entered and start again, or ask for a new code after 60 seconds. We send the code only to the phone recorded with your vaccination or test.
exchange_pending = The certificate cannot be issued yet: the holder is not yet confirmed in the population register.
holder = Holder
certificate_type = Type of certificate
reg_login_title = Registry sign-in
reg_login_intro = Sign in using account and one-time password: username, PIN and the digits in the picture. We then send a code by your chosen channel.
username = Username
username_hint = The name from the e-mail you received at registration (8 characters).
pin = PIN
captcha = Please rewrite the digits in the picture
captcha_hint = You may paste the digits. The picture is valid for 5 minutes.
captcha_alt = A picture of 5 or 6 digits
captcha_new = Get a new picture
captcha_wrong = The digits do not match the picture or it expired. Please rewrite the new picture.
reg_new_title = New user
reg_new_text = Health-care staff register with a mobile phone and birth number. After registering, ask for permission for your organisation.
reg_register = Register by SMS
reg_title = New user registration
reg_intro = Enter your mobile number and birth number. We will send a verification code to the phone.
reg_phone = Mobile phone
reg_phone_hint = With the country code, e.g. +420 601 123 456
reg_phone_invalid = Enter the phone with its country code: + and 8 to 15 digits.
reg_send_sms = Send SMS
reg_back_login = Back to sign-in
reg_details_title = Contact details and PIN
reg_details_intro = Your phone is verified. Fill in your full contact details and choose a PIN.
reg_name = Full name
reg_email_hint = We will send your username here.
reg_pin = New PIN
reg_pin_hint = The minimum length is 6 characters. It may contain digits, lower- and upper-case letters and special characters. Easily guessed PINs are refused.
reg_pin2 = Please re-enter your PIN
reg_pin_mismatch = The two PINs differ.
reg_channel = The channel for one-time password delivery
reg_channel_sms = SMS (recommended)
reg_channel_email = E-mail
reg_channel_email_risk = E-mail is less safe than SMS: whoever gets into your mailbox gets the codes too.
reg_name_invalid = Enter your name (at most 50 characters).
reg_email_invalid = Enter one e-mail address with an @.
reg_channel_invalid = Choose how codes are delivered.
renew_title = PIN renewal
renew_link = Forgotten PIN? Renew it
renew_intro = Enter the username you were sent at registration and rewrite the digits in the picture.
renew_username_hint = First enter the username you were given (8 characters).
renew_no_picture = I cannot read the picture: send a code to my registered e-mail
renew_submit = Renew the PIN
renew_email_intro = Instead of the picture, we send a one-time code to the e-mail you registered. You then enter it on the next page.
renew_email_send = Send the code by e-mail
renew_back_picture = Back to the picture
renew_have_phone = I have a mobile phone
renew_digits = Last 3 digits of the phone number
renew_digits_hint = Enter the last three digits of the mobile number you registered.
renew_no_phone = I do not have a mobile phone
renew_helpdesk = Automatic PIN renewal without a mobile phone is not possible. Please contact the account manager of your organisation (statutory representative or authorised person) or the helpdesk.
renew_sent = If the details match, an SMS code and an e-mail are on their way.
renew_sent_next = Click the link in the e-mail (valid for 3 days) and on that page enter the SMS code and your new PIN. Nothing arrived? Check the username and try again; after three tries a day we send nothing more.
renew_set_intro = Enter the code from the SMS, choose your new PIN and how one-time codes reach you.
renew_code = Code for the PIN renewal
renew_code_hint = The code was sent to you by SMS (6 digits, valid for 5 minutes).
renew_set = Set
renew_code_wrong = The SMS code is wrong or has expired. Ask for a new one.
renew_code_resent = A new code is on its way.
renew_link_invalid_title = The link is not valid
renew_link_invalid = The PIN renewal link is not valid: it was used, has expired or was replaced by a newer request. Please ask again.
renew_again = Ask again
renew_done = Your PIN was renewed. Sign in with your username and the new PIN.
username_missing = Enter your username.
cert_title = Registration with a certificate
cert_intro = Do you have a personal certificate from a trusted certification authority? Sign the text below with it; we check the signature and the certificate. We then send a verification code to your mobile phone and you fill in your contact details and PIN.
cert_register = Register with a certificate
cert_challenge = Text to sign
cert_challenge_hint = Sign exactly this text (without a line break). It is valid for 15 minutes and only in this browser window.
cert_howto = How to sign with OpenSSL
cert_signature = Signature
cert_signature_hint = A CMS/PKCS#7 signature (PEM or base64), or a plain signature of the text in base64.
cert_certificates = Certificate (PEM)
cert_certificates_hint = With a plain signature paste your certificate and any intermediate certificates. A CMS signature carries the certificate inside.
cert_phone_hint = We send the verification code here; with the country code, e.g. +420 601 123 456.
cert_submit = Check the signature and send the SMS
cert_back_sms = Register by SMS and birth number instead
cert_not_offered = Registration with a certificate is not enabled here. Please register by SMS.
cert_challenge_expired = The text to sign has expired or belongs to another window. Please sign the new text below.
cert_refused = {"The signature or certificate was not accepted: "}
reg_nia_text = Your registry account is linked to your NIA identity by the birth number you registered with, or by the identity you linked on your account page.
nia_link_title = Signing in with NIA
nia_link_text = Sign in to the registry with NIA as well (national eID, bank identity). Link your account to your NIA identity; if you registered with your birth number, signing in with NIA works already.
nia_link = Link my NIA identity
nia_linked_text = Your account is linked to your NIA identity: you can sign in with NIA.
nia_unlink = Unlink my NIA identity
nia_linked_title = NIA identity linked
nia_linked_done = Your registry account is now linked to your NIA identity. Next time you can sign in with NIA. We have sent you an SMS and an e-mail about it.
nia_unlinked_title = NIA identity unlinked
nia_unlinked_done = Your account is no longer linked to a NIA identity. We have sent you an SMS and an e-mail about it.
nia_link_refused_title = Linking your NIA identity failed
nia_link_registered = The NIA identity cannot be linked: another registry account was registered with this birth number. Each person may have one registry account only; sign in with that account, or contact the helpdesk.
nia_link_taken = The NIA identity cannot be linked: it is already linked to another registry account. Each person may have one registry account only; unlink it in that account, or contact the helpdesk.
nia_link_confirm_title = Confirm linking your NIA identity
nia_link_confirm_text = We have verified your identity through NIA. Finish linking it to your registry account with the button below within 5 minutes.
nia_link_confirm = Finish linking
pinc_title = Change the PIN
pinc_intro = Enter your current PIN and the new one twice. Your other sign-ins end, and we notify you of the change by SMS and e-mail.
pinc_current = Current PIN
pinc_submit = Change the PIN
pinc_wrong = The current PIN is wrong.
pinc_stale = Changing the PIN needs a one-time code entered at most 5 minutes ago. Sign out and in again, then change the PIN.
pinc_done = Your PIN was changed. Your other sign-ins have ended.
reg_finish = Finish registration
reg_done_title = Registration complete
reg_done = If everything is in order, we have e-mailed you your username. Then ask for permission for your organisation.
reg_account_title = My registry account
reg_permissions_none = Registry services are available only with a permission for an organisation, which you request and its account manager approves.
## Permissions (issue #10): "My permissions", the organisation page and powers of attorney.
perm_title = My permissions
perm_intro = Registry services (recording vaccinations, tests and recoveries) are available only with a permission for an organisation. That organisation's account manager decides.
perm_mine_title = Permissions for organisations
perm_none = You have no permission or request yet. Ask for one with the form below.
perm_ico = Company ID (IČO)
perm_ico_hint = The organisation's 8-digit identification number, e.g. 25596641.
perm_role = Role
perm_role_member = member
perm_role_manager = account manager
perm_state = State
perm_state_requested = awaiting a decision
perm_state_approved = approved
perm_state_refused = refused
perm_state_revoked = revoked
perm_manage = Manage the organisation
perm_held_title = Acting under a power of attorney
perm_held_intro = Your organisation processes data for these organisations; name the represented organisation's IČO in the X-Organisation header.
perm_via = through
perm_att_until = valid until
perm_request_title = Ask for a permission
perm_request_send = Send the request
perm_requested = Your request was sent. The organisation's account manager will decide on it.
perm_ico_invalid = Enter the IČO as 8 digits with a valid check digit.
perm_org_unknown = No organisation with this IČO is registered.
perm_pending_already = You already asked for this organisation; the request awaits a decision.
perm_approved_already = You already hold a permission for this organisation.
perm_back_account = Back to my account
perm_org_intro = As an account manager you decide on your organisation's permission requests and powers of attorney.
perm_pending_title = Requests awaiting a decision
perm_pending_none = No requests are waiting.
perm_requested_at = asked on
perm_approve = Approve
perm_refuse = Refuse
perm_members_title = Users with a permission
perm_own = Your own permission: another account manager can revoke it.
perm_revoke = Revoke the permission
perm_past_title = Refused and revoked
perm_att_title = Powers of attorney
perm_att_intro = A power of attorney lets a processing organisation record data for yours. It lasts at most 366 days and you can revoke it at any time.
perm_att_given = Powers of attorney given
perm_att_none = Your organisation has given no power of attorney.
perm_att_held = Powers of attorney your organisation holds
perm_att_in_force = in force
perm_att_future = not yet in force
perm_att_expired = expired
perm_att_revoked = revoked
perm_att_revoke = Revoke the power of attorney
perm_att_grant_title = Give a power of attorney
perm_att_agent = The processing organisation's IČO
perm_att_valid_until = Valid until (inclusive)
perm_att_valid_until_hint = A date as YYYY-MM-DD (e.g. 2026-12-31), at most 366 days from today.
perm_att_note = Note (optional)
perm_att_note_hint = E.g. the reference of the signed power of attorney; at most 200 characters.
perm_att_grant = Give the power of attorney
perm_att_same = An organisation cannot give itself a power of attorney.
perm_att_period = Enter an end date from today to 366 days ahead.
perm_att_note_invalid = The note may have at most 200 characters and no control characters.
perm_back = Back to my permissions
## Security questions (SECURITY.md 19): the account's form, the renewal branch and the
## fixed list of questions (service::questions::QUESTIONS).
q_set_title = Security questions
q_set_intro = Choose three different questions and answer them. If you do not have your mobile phone at hand, you can renew your PIN by answering them and following the link in an e-mail. Upper and lower case do not matter.
q_set_already = Your questions are already set; saving replaces them.
q_slot = Question
q_question = Question
q_choose = Choose a question
q_answer = Answer
q_answer_hint = At most 100 characters. Remember the answer; it is never shown.
q_save = Save the questions
q_saved = Your security questions were saved. We sent you an e-mail about it.
q_questions_invalid = Choose three different questions from the list.
q_answer_invalid = Each answer must have 1 to 100 characters.
q_stale = Changing the security questions needs a code entered at most 5 minutes ago. Sign out and sign in again, then set the questions.
q_sign_in_again = Sign out and sign in again
q_no_phone = If you set security questions in your account, you can answer them instead of giving the last three digits. The renewal link and the code then come by e-mail, and your organisation's account managers are told about the renewal.
q_no_phone_link = Answer the security questions
q_renew_intro = Answer the security questions you set in your account. Upper and lower case do not matter; at least two of the three answers must be right.
q_renew_legend = Security questions
q_renew_sent = If the answers match, an e-mail with the renewal link and another with a code are on their way.
q_renew_sent_next = Click the link in the e-mail (valid for 3 days) and on that page enter the code from the other e-mail and your new PIN. Nothing arrived? Check the username and the answers and try again; after three tries a day we send nothing more.
q_back_phone = Back to the phone digits
q_set_intro_email = Enter the code from the e-mail, choose your new PIN and how one-time codes reach you.
q_code_hint_email = The code was sent to you by e-mail (6 digits, valid for 5 minutes).
q_code_wrong_email = The code from the e-mail is wrong or has expired. Ask for a new one.
q_q_school = What was the name of your first school?
q_q_street = On which street did you live as a child?
q_q_pet = What was the name of your first pet?
q_q_friend = What was the name of your best childhood friend?
q_q_teacher = What was the name of your favourite teacher?
q_q_parents_town = In which town did your parents meet?
q_q_employer = What was the name of your first employer?
q_q_book = What was the first book you read on your own?


## Issue #21 part 5: code pages per channel, missing fields, the registry's own header
registry_portal = Health workers' registry
bn_missing = Enter your birth number.
id_card_missing = Enter your ID-card number.
login_required_title = Please log in
login_required = This page is available after you log in.
code_title_contact_phone = Enter the code from the SMS
code_sent_contact_phone = We have sent a code by SMS to the new phone number. It is valid for 10 minutes; until you enter it, your current number stays in use.
code_help_contact_phone = No SMS within a minute? Check the number you entered and enter it again.
code_title_contact_email = Enter the code from the e-mail
code_sent_contact_email = We have sent a code by e-mail to the new address. It is valid for 10 minutes; until you enter it, your current address stays in use.
code_help_contact_email = No e-mail within a few minutes? Look in your spam folder too, check the address you entered and enter it again.
code_title_step_up = Enter the code from the SMS
code_sent_step_up = We have sent a code by SMS to your current phone. It is valid for 5 minutes.
code_help_step_up = No SMS within a minute? Go back and ask for a new code.
code_title_step_up_email = Enter the code from the e-mail
code_sent_step_up_email = We have sent a code by e-mail to your current address. It is valid for 5 minutes.
code_help_step_up_email = No e-mail within a few minutes? Look in your spam folder too, or go back and ask for a new code.
code_title_registry = Enter the one-time code
code_sent_registry = If the details match, we have sent a code the way you chose at registration (SMS or e-mail). It is valid for 5 minutes.
code_help_registry = No code? Check your username and PIN and log in again.
code_title_registration = Enter the code from the SMS
code_sent_registration = We have sent a code by SMS to the phone number you entered. It is valid for 5 minutes.
code_help_registration = No SMS within a minute? Check the number you entered and start the registration again.
code_title_registry_login_email = Enter the code from the e-mail and your PIN
code_sent_registry_login_email = If the username exists, we have sent a code to the e-mail address given at registration. It is valid for 5 minutes. Once you enter it with your PIN, we send the login code.
code_help_registry_login_email = No e-mail within a few minutes? Look in your spam folder too and check the username.
reg_login_email_title = Sign in without the picture
code_title_renewal_email = Enter the code from the e-mail
code_sent_renewal_email = If the username exists, we have sent a code to the e-mail address given at registration. It is valid for 5 minutes.
code_help_renewal_email = No e-mail within a few minutes? Look in your spam folder too and check the username.
pin_missing = Enter your personal password (PIN).
perm_att_date_invalid = Enter the date as YYYY-MM-DD, e.g. 2026-12-31.
## Issue #21 part 4: the operator, the helpdesk, the privacy notice and the accessibility statement
footer_operator = This service is run by the { $operator }.
footer_helpdesk = Helpdesk: { $phone }, { $email }
privacy_title = Privacy notice
accessibility_title = Accessibility statement
privacy_text =
    The controller of your personal data is the { $operator }. The helpdesk answers questions and requests about personal data: { $email }, phone { $phone }.

    Purpose: issuing and verifying EU Digital COVID Certificates of vaccination, test and recovery under Regulation (EU) 2021/953, logging in to the portal, and sending one-time codes and notices. We process your name, date of birth, birth number (stored only in a form it cannot be read from), ID-card number, phone, e-mail and the vaccinations, tests and recoveries recorded by health-care providers.

    Legal basis: a legal obligation and a task in the public interest (GDPR Art. 6(1)(c) and (e), Art. 9(2)(g) and (i)).

    Retention: records and certificates for as long as the law on COVID-19 certificates is in force; SMS and e-mail messages at most 30 days after sending; records of logins and changes (audit) at most 1 year. Photos of codes and verification results are not stored.

    Your rights: access to your data, correction of inaccurate data, erasure and restriction where the law allows, objection, and a complaint to the Office for Personal Data Protection (www.uoou.cz). Data go only to the health-care providers who recorded them; through the EU gateway only public keys are exchanged, never personal data.
accessibility_text =
    The { $operator } is committed to making this service accessible under Act No. 99/2019 Coll. on the accessibility of websites and mobile applications.

    Compliance status: the service complies with EN 301 549 and WCAG 2.1 level AA, except as listed below. The pages work without JavaScript (except scanning with the camera), can be used with a keyboard, zoomed to 200 % and read with a screen reader.

    Non-accessible content: the picture of digits at the health workers' login (captcha); instead, a code can be sent to the registered e-mail. The certificate's QR code is an image for machines; its content is also written out on the page.

    Feedback and contact: please report accessibility problems to { $email } or phone { $phone }. If the answer is not satisfactory, you may turn to the Ministry of the Interior, which supervises the accessibility act.
## Issue #21 part 2: the certificate on screen and on paper
qr_label = QR code of the certificate
disease = Disease
vaccination_date = Date of vaccination
cert_issuer = Certificate issuer
sample_time = Sample taken
card_vaccination = EU Digital COVID Certificate – vaccination
card_test = EU Digital COVID Certificate – test
card_recovery = EU Digital COVID Certificate – recovery
card_other = EU Digital COVID Certificate
card_name = Name
card_expires = Certificate technically valid until
print_hint = To print the certificate use your browser's Print command (Ctrl+P): one A4 page with the certificate and its QR code.

## Messages by SMS and e-mail (service::notice). They go out in both languages, Czech first.

notice-code =
    { $service }: { $purpose ->
        [login] login
        [contact_phone] phone change
        [contact_email] e-mail change
        [step_up] confirming a change
        [registration] registration
        [registry_login] registry login
        [renewal] PIN renewal
        [renewal_email] PIN renewal without the picture
        [registry_login_email] registry login without the picture
       *[other] verification
    } code { $code }, valid { $minutes } min.
notice-code-subject = { $service }: one-time code
notice-renewal-subject = { $service }: PIN renewal
notice-renewal =
    Username: { $username }

    Set your new PIN at the address at the end of this message; you will also need the code { $code_channel ->
        [email] from the other e-mail
       *[sms] from the SMS
    }. The link is valid for 3 days. If you did not ask for a new PIN, contact the helpdesk at once.
notice-registration-attempt-subject = { $service }: registration attempt
notice-registration-attempt = Someone tried to register with your birth number. Your account is unchanged; if this was not you, contact the helpdesk.
notice-registration-complete-subject = { $service }: registration complete
notice-registration-complete =
    Your registry username: { $username }

    Sign in with your username, PIN and a one-time code.
notice-pin-changed-subject = { $service }: your PIN was changed
notice-pin-changed = { $service }: the PIN of your registry account was just changed. If this was not you, contact the helpdesk at once.
notice-contact-changed-subject = { $service }: contact changed
notice-contact-changed = { $service }: your { $field ->
        [email] e-mail address
       *[phone] phone number
    } in the portal was changed. If this was not you, contact support.
notice-contact-recorded-subject = { $service }: different contact details
notice-contact-recorded = { $service }: { $org } recorded a different { $fields } for you. Your details have not changed. If that was not you, contact support; you can adopt the new value in the portal (Contacts).
notice-contact-field = { $field ->
        [id_card] ID-card number
        [phone] phone number
       *[email] e-mail address
    }
notice-questions-set-subject = { $service }: security questions
notice-questions-set = { $service }: the security questions of your registry account were just set. If this was not you, contact the helpdesk at once.
notice-nia-linked-subject = { $service }: NIA identity linked
notice-nia-linked = { $service }: a NIA identity was just linked to your registry account and can now sign in to it. If this was not you, contact the helpdesk at once.
notice-nia-unlinked-subject = { $service }: NIA identity unlinked
notice-nia-unlinked = { $service }: the NIA identity linked to your registry account was just unlinked. If this was not you, contact the helpdesk at once.
notice-questions-renewal-subject = { $service }: PIN renewal by security questions
notice-questions-renewal = The user { $name } (username { $username }) of your organisation is renewing the PIN without a mobile phone, by answering the security questions. You receive this as an account manager of the organisation. If the user did not expect it, contact them or the helpdesk.
notice-permission-requested-subject = { $service }: permission request
notice-permission-requested = A registry user asked on { $when } (Prague time) to act for { $org }. You receive this as an account manager of the organisation. Approve or refuse the request on the organisation's page in the registry, at the address at the end of this message.
notice-permission-decided-subject = { $service }: decision on your permission request
notice-permission-decided = Your request to act for { $org } was { $decision ->
        [approved] approved
       *[refused] refused
    } on { $when } (Prague time). Your permissions are listed in the registry, at the address at the end of this message.
notice-certificate-subject = Your EU Digital COVID Certificate
notice-certificate =
    Hello,

    attached is your EU Digital COVID Certificate ({ $kind ->
        [test] test
        [recovery] recovery
       *[vaccination] vaccination
    }). You can print its QR code or keep it on your phone.
    This message was sent automatically; please do not reply.

## PIN rules (service::pin::PinRejected)

pin-too-short = The PIN must have at least { $min } characters.
pin-too-long = The PIN may have at most { $max } characters.
pin-common = This PIN is too easy to guess (a common password or a predictable pattern). Please choose another one; a longer phrase is easier to remember and harder to guess.
pin-sequence = The PIN must not contain { $run } or more repeated or consecutive characters (such as aaaaaa, 123456, abcdef or qwerty).
pin-context = The PIN must not contain { $field ->
        [username] your username
        [service] the service name "dcc"
        [organisation] your organisation's name
        [birth_number] your birth number
        [birth_date] your birth date
       *[phone] digits of your phone number
    }.

## Why an operation did not happen (service::error::Problem). Parameters name fields and rules, never a value a person typed.

error-field = { $detail }
error-exists = { $what ->
        [Organisation] organisation
        [Token] token
        [Record] record
        [IdempotencyKey] idempotency key
        [LegacyCertificate] legacy certificate
        [Certificate] certificate
        [Account] username or birth number
        [PermissionRequest] permission request
        [PowerOfAttorney] power of attorney
       *[other] record
    } already exists
error-body-not-object = the body must be a JSON object
error-idempotency-in-use = idempotency key in use
error-legacy-imported = this old certificate was imported already
error-event-recorded = this event was already recorded for this person (same certificate)
error-decided = this request was decided already
error-permission-not-in-force = this permission is not in force
error-managers-only-page = only the organisation's account managers see this page
error-managers-only-attorney = only the organisation's account managers give powers of attorney
error-grantor-managers-only = only the grantor's account managers revoke its powers of attorney
error-attorney-revoked = this power of attorney was revoked already
error-own-permission = nobody decides on their own permission; another account manager does
error-not-manager = only the organisation's account managers decide on its permissions
error-no-organisation = no organisation with IČO { $ico }
error-no-user = no registry user with this username
error-step-up = a one-time code entered in the last five minutes is needed
error-not-identified = the holder is not identified in the population registry yet
## Health-worker pages (issue #21): choose an organisation, find a person, record a vaccination, test or recovery, revoke a certificate.
worker_link = Record for an organisation
worker_orgs_title = Work for an organisation
worker_orgs_intro = Choose the organisation you record for. Only those you hold an approved permission or a power of attorney for are offered.
worker_via = through
worker_orgs_none = You hold no approved permission for any organisation. Ask for one on the My permissions page.
worker_orgs_back = Back to choosing an organisation
worker_forbidden_title = No permission
worker_forbidden = You hold no approved permission or power of attorney in force for this organisation.
worker_search_title = Find a person
worker_search_intro = A person is shown only when both the birth number and the ID-card number match.
worker_birth_number = Birth number
worker_birth_number_hint = For example 736028/0004; the slash is optional.
worker_id_card = ID-card number
worker_id_card_hint = The identity document's number; spaces do not matter.
worker_search = Search
worker_search_audited = Every search is written to the audit log.
worker_not_found = No person with this birth number and ID-card number was found. Check both numbers.
worker_err_birth_number = Enter a valid birth number.
worker_err_id_card = Enter the ID-card number: 1 to 12 letters and digits.
worker_err_product = Choose the vaccine product.
worker_err_manufacturer = Choose the manufacturer; it cannot be filled in from this product.
worker_err_dose = Enter the dose number and the doses in the series as whole numbers from 1 to 9.
worker_err_date = Enter the date as YYYY-MM-DD.
worker_err_country = Choose the country.
worker_err_test_type = Choose the type of test.
worker_err_test_name = Enter the test's name (PCR), or for a rapid test choose the test device.
worker_err_test_result = Choose the test result.
worker_err_test_centre = Enter the testing centre (at most 80 characters).
worker_err_sample_time = Enter the date and time of sample collection.
worker_err_validity = Enter a validity that starts no earlier than the first positive test and ends no earlier than it starts.
worker_err_email = Enter a valid e-mail address, or leave the field empty.
worker_err_phone = Enter a mobile number with its country code, e.g. +420601123456, or leave the field empty.
worker_err_reason = Enter the reason for revoking (1 to 200 characters).
worker_dob = Date of birth
worker_identified = Population register
worker_identified_yes = identified
worker_identified_no = not identified: no certificate yet
worker_email_on_file = E-mail on file
worker_phone_on_file = Phone on file
worker_none = none
worker_record_title = Record
worker_record_vaccination = Record a vaccination
worker_record_test = Record a test
worker_record_recovery = Record a recovery
worker_records_title = This organisation's records
worker_records_none = This organisation has recorded nothing for this person yet.
worker_certificate = Certificate
worker_cert_valid = issued and valid
worker_cert_expired = issued, no longer valid
worker_cert_revoked = revoked
worker_cert_superseded = replaced by a newer one
worker_why_incomplete = Not issued: the vaccination series is not complete; the certificate is issued with the final dose.
worker_why_not_identified = Not issued: the person is not identified in the population register.
worker_why_refused = Not issued: the signer refused.
worker_revoke_reason = Reason for revoking
worker_revoke_reason_hint = For example "recorded in error"; at most 200 characters.
worker_revoke = Revoke the certificate
worker_revoked = The certificate is revoked. Verifier apps reject it from now on.
worker_search_other = Find another person
worker_result_title = Record saved
worker_issued = The certificate was issued.
worker_mailed_to = It was sent by e-mail to
worker_not_mailed = The person has no e-mail address; they download the certificate in the portal.
worker_not_issued = No certificate was issued.
worker_back_person = Back to the person
worker_person = Person
worker_errors = Please correct:
worker_product = Vaccine product
worker_choose = – choose –
worker_manufacturer_hint = For the common products the manufacturer is filled in from the product.
worker_by_product = from the vaccine product
worker_dose_hint = For example dose 2 of 2 for a completed two-dose series.
worker_dose_n = Dose
worker_dose_legend = Dose in the series
worker_dose_of = of
worker_vaccination_date = Date of vaccination
worker_test_name = Test name (PCR)
worker_test_name_hint = For a PCR (NAAT) test, its name.
worker_test_device = Rapid antigen test
worker_test_device_hint = For a rapid test, its manufacturer and name.
worker_sample_time = Sample collected
worker_sample_time_hint = Date and time of collection, Prague time.
worker_validity_hint = The last day the recovery certificate is valid.
worker_contacts = The person's contacts (optional)
worker_contacts_hint = They fill only what the person has no contact on file for; the certificate goes to the e-mail given here.
worker_email = E-mail
worker_phone = Mobile phone
worker_phone_hint = With the country code, e.g. +420601123456.
worker_save = Save the record

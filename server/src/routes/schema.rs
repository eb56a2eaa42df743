//! The JSON API's wire formats as OpenAPI schemas, for the document of `GET /openapi.json`.
//! Where the service parses a raw body itself or a library serialises by hand, these types
//! mirror that format; `tests/integration/openapi.rs` holds them to the real requests and answers.
// Nothing builds these types or reads their fields: only their schemas are used.
#![allow(dead_code)]

use utoipa::openapi::schema::{
    AdditionalProperties, ArrayBuilder, ObjectBuilder, OneOfBuilder, Schema, Type,
};
use utoipa::openapi::{Ref, RefOr};
use utoipa::{IntoParams, PartialSchema, ToSchema};

use crate::error::AppError;

// The response descriptions several operations share.

/// 400 of the provider API.
pub const BAD_REQUEST: &str = "a registry session without a valid X-Organisation, or a path, \
    query or body holding a NUL, a control character or text that is not UTF-8";
/// 401 of the provider API.
pub const UNAUTHORIZED: &str = "no valid bearer token (nor a registry session)";
/// 403 of the provider API.
pub const FORBIDDEN: &str = "the token acts for another organisation than X-Organisation names, \
    no permission for the organisation named, or the CSRF check of a registry session failed";
/// 500 of every JSON operation.
pub const INTERNAL: &str = "something broke inside: `error` is `internal` and `request_id` \
    names the log line; nothing else is told";
/// 304 of the public resources.
pub const NOT_MODIFIED: &str = "not modified: If-None-Match holds the current ETag";

// Header parameters.

/// Who a provider request acts for.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Acting {
    /// IČO of the organisation the request acts for (8 digits with the check digit; spaces are
    /// ignored): required with a registry session (else 400); with a bearer token it must be
    /// the token's organisation if sent (else 403).
    #[param(rename = "X-Organisation", required = false, pattern = r"^[0-9]{8}$")]
    #[param(example = "25596641")]
    x_organisation: String,
}

/// The CSRF token of a registry session's non-GET request.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Csrf {
    /// With a registry session, required on non-GET requests (else 403): the session's token
    /// from the registry pages, sent with `Sec-Fetch-Site: same-origin` (or the configured
    /// `Origin`). Not used with a bearer token.
    #[param(rename = "X-CSRF-Token", required = false)]
    x_csrf_token: String,
}

/// The key that makes a record request safe to retry.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Idempotency {
    /// 1 to 255 visible ASCII characters. Same key and body: the same record back; same key,
    /// other body: 422.
    #[param(
        rename = "Idempotency-Key",
        required = false,
        pattern = "^[!-~]{1,255}$"
    )]
    idempotency_key: String,
}

/// Where the DGCA download of signer certificates resumes.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct ResumeToken {
    /// The `X-RESUME-TOKEN` of the last answer: the next certificate follows it. Without it,
    /// the first.
    #[param(rename = "X-RESUME-TOKEN", required = false)]
    x_resume_token: i64,
}

/// A conditional GET of a public resource.
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
pub struct Conditional {
    /// ETags the client holds (a list, weak `W/` tags and `*` are understood): 304 when one of
    /// them is current.
    #[param(rename = "If-None-Match", required = false)]
    if_none_match: String,
}

// Errors.

/// The body of every error: client errors name what was wrong (the field, the header), never
/// the value sent; internal errors say nothing but the request id.
#[derive(ToSchema)]
#[schema(as = Error)]
#[serde(deny_unknown_fields)]
pub struct ErrorBody {
    /// What kind of error.
    error: ErrorCode,
    /// What was wrong, naming the field or header.
    #[schema(examples("person.birth_number: invalid type: integer, expected a string"))]
    message: String,
    /// Only on a 500: the id of the request, which the server's log line carries.
    #[schema(required = false)]
    request_id: String,
}

/// `AppError::code` of each error the server answers.
pub struct ErrorCode;

impl PartialSchema for ErrorCode {
    fn schema() -> RefOr<Schema> {
        let every = [
            AppError::Unauthorized,
            AppError::BadRequest(String::new().into()),
            AppError::NotFound,
            AppError::Invalid(String::new().into()),
            AppError::UnsupportedMediaType,
            AppError::TooLarge,
            AppError::Conflict(String::new().into()),
            AppError::TooManyRequests(0),
            AppError::Forbidden(String::new().into()),
            AppError::Unavailable(0),
            AppError::Internal(String::new()),
        ];
        // A new variant stops this match compiling until it is listed above too.
        for e in &every {
            match e {
                AppError::Unauthorized
                | AppError::BadRequest(_)
                | AppError::NotFound
                | AppError::Invalid(_)
                | AppError::UnsupportedMediaType
                | AppError::TooLarge
                | AppError::Conflict(_)
                | AppError::TooManyRequests(_)
                | AppError::Forbidden(_)
                | AppError::Unavailable(_)
                | AppError::Internal(_) => {}
            }
        }
        text_enum(
            "What kind of error; the status code says the same.",
            every.iter().map(AppError::code),
        )
    }
}

impl ToSchema for ErrorCode {}

/// A string schema of the given values.
fn text_enum<'a>(description: &str, values: impl IntoIterator<Item = &'a str>) -> RefOr<Schema> {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .description(Some(description))
        .enum_values(Some(values))
        .into()
}

// Operations.

/// The answer of `/health` and `/ready`.
#[derive(ToSchema)]
pub struct Status {
    /// `ok`, `ready`, or `database unavailable`.
    #[schema(examples("ok"))]
    status: String,
}

// The provider API: what `service::provider` parses and answers.

/// `POST /api/v1/records`: the person and exactly one of `v`, `t`, `r`, one DCC entry object
/// without `ci` and `is` (the server sets them). A certificate is issued and e-mailed when due.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(examples(json!({
    "person": {"birth_number": "736028/0004", "id_card": "AB123456", "family_name": "Dvořáková",
               "given_name": "Anežka", "dob": "1973-10-28", "email": "anezka@example.cz",
               "phone": "+420601123456"},
    "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528", "ma": "ORG-100030215",
          "dn": 2, "sd": 2, "dt": "2026-02-10"}
})))]
pub struct RecordInput {
    person: PersonInput,
    /// A vaccination.
    #[serde(default)]
    v: Option<VaccinationEntry>,
    /// A test.
    #[serde(default)]
    t: Option<TestEntry>,
    /// A recovery.
    #[serde(default)]
    r: Option<RecoveryEntry>,
}

/// The person a record is about. Where the population registry has the names and date of
/// birth, they are the ones certified and a record that disagrees is refused (422 naming the
/// field); the ID-card number, phone and e-mail fill only fields that are empty on file.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonInput {
    /// Rodné číslo: `YYMMDD/XXXX`, `YYMMDDXXXX` or, for births before 1954, `YYMMDD/XXX`.
    #[schema(examples("736028/0004"))]
    birth_number: String,
    /// ID-card number: 1 to 12 letters or digits (spaces are removed, letters upper-cased).
    #[serde(default)]
    #[schema(examples("AB123456"))]
    id_card: Option<String>,
    /// Family name (`fn` of the DCC); its ICAO transliteration becomes `fnt`.
    #[schema(min_length = 1, max_length = 50, examples("Dvořáková"))]
    family_name: String,
    /// Given name (`gn` of the DCC).
    #[schema(min_length = 1, max_length = 50, examples("Anežka"))]
    given_name: String,
    /// Date of birth as in the DCC, agreeing with the date the birth number encodes.
    #[schema(
        pattern = r"^[0-9]{4}(-[0-9]{2}){0,2}$",
        examples("1973-10-28", "1973-10", "1973")
    )]
    dob: String,
    /// Where this record's certificate is mailed (without it: the address on file).
    #[serde(default)]
    #[schema(max_length = 254, examples("anezka@example.cz"))]
    email: Option<String>,
    /// Mobile phone in E.164 (spaces are ignored).
    #[serde(default)]
    #[schema(pattern = r"^\+[0-9]{8,15}$", examples("+420601123456"))]
    phone: Option<String>,
}

/// A vaccination entry of DCC schema 1.3.0, without `ci` and `is` (sending either is a 422).
/// Codes must come from the installation's value sets.
#[derive(ToSchema)]
pub struct VaccinationEntry {
    /// Disease or agent targeted (`disease-agent-targeted`).
    #[schema(examples("840539006"))]
    tg: String,
    /// Vaccine or prophylaxis (`sct-vaccines-covid-19`).
    #[schema(examples("1119349007"))]
    vp: String,
    /// Medicinal product (`vaccines-covid-19-names`).
    #[schema(examples("EU/1/20/1528"))]
    mp: String,
    /// Marketing authorisation holder or manufacturer (`vaccines-covid-19-auth-holders`).
    #[schema(examples("ORG-100030215"))]
    ma: String,
    /// Dose number: 1 to the installation's `max_dose` (9 by default).
    #[schema(minimum = 1)]
    dn: u64,
    /// Doses in the series, 1 to `max_dose`; the certificate is issued with dose `sd` of `sd`.
    #[schema(minimum = 1)]
    sd: u64,
    /// Date of vaccination, from 2020-01-01 to tomorrow.
    #[schema(format = Date)]
    dt: String,
    /// Country of vaccination (`country-2-codes`); the installation's country when left out.
    #[serde(default)]
    #[schema(examples("CZ"))]
    co: String,
}

/// A test entry of DCC schema 1.3.0, without `ci` and `is` (sending either is a 422). Codes
/// must come from the installation's value sets.
#[derive(ToSchema)]
pub struct TestEntry {
    /// Disease or agent targeted (`disease-agent-targeted`).
    #[schema(examples("840539006"))]
    tg: String,
    /// Type of test (`covid-19-lab-test-type`).
    #[schema(examples("LP6464-4"))]
    tt: String,
    /// Name of a NAA test.
    #[serde(default)]
    #[schema(max_length = 80)]
    nm: String,
    /// Rapid antigen test device (`covid-19-lab-test-manufacturer-and-name`).
    #[serde(default)]
    ma: String,
    /// When the sample was taken, from 2020-01-01 to tomorrow.
    #[schema(format = DateTime, examples("2026-03-02T08:00:00Z"))]
    sc: String,
    /// Result (`covid-19-lab-result`).
    #[schema(examples("260415000"))]
    tr: String,
    /// Testing centre or facility.
    #[serde(default)]
    #[schema(max_length = 80)]
    tc: String,
    /// Country of the test (`country-2-codes`); the installation's country when left out.
    #[serde(default)]
    #[schema(examples("CZ"))]
    co: String,
}

/// A recovery entry of DCC schema 1.3.0, without `ci` and `is` (sending either is a 422).
#[derive(ToSchema)]
pub struct RecoveryEntry {
    /// Disease or agent targeted (`disease-agent-targeted`).
    #[schema(examples("840539006"))]
    tg: String,
    /// Date of the first positive test, from 2020-01-01 to tomorrow.
    #[schema(format = Date)]
    fr: String,
    /// Certificate valid from, from 2020-01-01 to tomorrow.
    #[schema(format = Date)]
    df: String,
    /// Certificate valid until, not before `df`.
    #[schema(format = Date)]
    du: String,
    /// Country of the test (`country-2-codes`); the installation's country when left out.
    #[serde(default)]
    #[schema(examples("CZ"))]
    co: String,
}

/// A record as the API shows it.
#[derive(ToSchema)]
#[schema(as = Record)]
pub struct RecordView {
    /// Record id.
    #[schema(format = "uuid")]
    id: String,
    /// The person's id: the same for all records of one birth number.
    #[schema(format = "uuid")]
    person_id: String,
    /// The entry's kind.
    #[serde(rename = "type")]
    kind: CertKind,
    /// The DCC entry as stored: as sent, with `is` (and `co`, when left out) set by the server.
    #[schema(value_type = Object)]
    entry: serde_json::Value,
    /// Recorded at, Unix seconds.
    created_at: i64,
    /// The registry user who recorded it; absent when an API token did.
    #[schema(required = false, format = "uuid")]
    recorded_by: String,
    /// The certificate issued on it; null when none was (`note` says why).
    #[schema(required = true)]
    certificate: Option<CertificateView>,
    /// Why no certificate was issued: the series is incomplete, the person is not identified
    /// in the population registry, the signer refused, or an old-format certificate awaits its
    /// exchange.
    #[schema(required = false)]
    note: String,
}

/// The kind of a record or certificate: the DCC member holding its entry.
pub struct CertKind;

impl PartialSchema for CertKind {
    fn schema() -> RefOr<Schema> {
        use hcert::CertType;
        text_enum(
            "`v` vaccination, `t` test, `r` recovery.",
            [CertType::Vaccination, CertType::Test, CertType::Recovery].map(CertType::key),
        )
    }
}

impl ToSchema for CertKind {}

/// A certificate as the API shows it.
#[derive(ToSchema)]
#[schema(as = Certificate)]
pub struct CertificateView {
    /// Certificate id.
    #[schema(format = "uuid")]
    id: String,
    /// Its UVCI.
    #[schema(examples("URN:UVCI:01:CZ:KQ3DVHR2NJ4T5XKMW7PLBEQG#L"))]
    uvci: String,
    /// The `HC1:` text its QR code holds.
    #[schema(pattern = "^HC1:")]
    hc1: String,
    /// Issued at (CWT `iat`), Unix seconds.
    issued_at: i64,
    /// Expires at (CWT `exp`), Unix seconds.
    expires_at: i64,
    /// Whether a newer certificate of the person's replaced it.
    superseded: bool,
    /// Whether it was revoked.
    revoked: bool,
}

/// `GET /api/v1/persons/{person_id}/records`.
#[derive(ToSchema)]
pub struct RecordList {
    /// The caller's records for the person, oldest first.
    records: Vec<RecordView>,
}

/// What `POST /api/v1/certificates/{uvci}/revoke` did.
#[derive(ToSchema)]
pub struct Revoked {
    /// The certificate revoked.
    uvci: String,
    /// Always true.
    revoked: bool,
    /// It was revoked before; nothing changed.
    already: bool,
}

// The verifier back end.

/// An entry of `GET /rules`.
#[derive(ToSchema)]
pub struct RuleSummary {
    /// Rule identifier.
    #[schema(examples("VR-CZ-0001"))]
    identifier: String,
    /// Rule version.
    #[schema(examples("1.0.0"))]
    version: String,
    /// Country of the rule.
    #[schema(examples("CZ"))]
    country: String,
    /// SHA-256 of the rule's JSON, hex: `GET /rules/{hash}` answers it.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    hash: String,
}

/// `GET /rules/{country_or_hash}`: a rule, or the index of a country's rules.
pub struct RuleOrIndex;

impl PartialSchema for RuleOrIndex {
    fn schema() -> RefOr<Schema> {
        OneOfBuilder::new()
            .item(
                ObjectBuilder::new()
                    .schema_type(Type::Object)
                    .description(Some("by hash: the rule's JSON (a CertLogic rule)")),
            )
            .item(
                ArrayBuilder::new()
                    .items(Ref::from_schema_name("RuleSummary"))
                    .description(Some("by country: its rules, as in `GET /rules`")),
            )
            .into()
    }
}

impl ToSchema for RuleOrIndex {}

/// An entry of `GET /valuesets`.
#[derive(ToSchema)]
pub struct ValueSetSummary {
    /// The value set's `valueSetId` (else its file name).
    #[schema(examples("disease-agent-targeted"))]
    id: String,
    /// SHA-256 of the value set's JSON, hex: `GET /valuesets/{hash}` answers it.
    #[schema(pattern = "^[0-9a-f]{64}$")]
    hash: String,
}

/// The report of `dcc verify --json` (DESIGN.md, "Contracts"). Every failure of the
/// certificate is a report with verdict `invalid`, not an HTTP error.
#[derive(ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// Valid when no check failed and the checks up to the schema passed.
    verdict: Verdict,
    checks: Checks,
    /// The failed checks in contract order, each with a message for a person.
    errors: Vec<CheckError>,
    /// The kid that selected the signer, base64.
    #[schema(required = false, content_encoding = "base64")]
    kid: String,
    /// CWT issuer: a country code.
    #[schema(required = false, examples("CZ"))]
    issuer: String,
    /// CWT `iat`, seconds since the epoch (an integer unless the certificate has a fraction).
    #[schema(required = false)]
    issued_at: f64,
    /// CWT `exp`, seconds since the epoch (an integer unless the certificate has a fraction).
    #[schema(required = false)]
    expires_at: f64,
    /// The certificate as decoded (claim -260/1 as JSON), when the payload got that far.
    #[schema(required = false, value_type = Object)]
    dcc: serde_json::Value,
    /// The business rules' results (empty when the configured rules directory holds none).
    rules: Vec<RuleOutcome>,
    /// The trust list's issue time and age at the validation clock.
    #[schema(required = false)]
    trust_list: TrustListAge,
}

/// `valid` or `invalid`.
#[derive(ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Valid,
    Invalid,
}

/// Every check of the contract with its outcome.
pub struct Checks;

impl PartialSchema for Checks {
    fn schema() -> RefOr<Schema> {
        let mut object = ObjectBuilder::new()
            .schema_type(Type::Object)
            .description(Some(
                "Every check of the contract, in its order, with its outcome: `pass`, `fail`, or \
                 `skip` (not reached, or not asked for).",
            ))
            .additional_properties(Some(AdditionalProperties::FreeForm(false)));
        for check in verifier::Check::ALL {
            object = object
                .property(check.name(), CheckOutcome::schema())
                .required(check.name());
        }
        object.into()
    }
}

impl ToSchema for Checks {}

/// The outcome of one check.
pub struct CheckOutcome;

impl PartialSchema for CheckOutcome {
    fn schema() -> RefOr<Schema> {
        use verifier::Outcome;
        text_enum(
            "`pass`, `fail`, or `skip` (not reached, or not asked for).",
            [Outcome::Pass, Outcome::Fail(String::new()), Outcome::Skip]
                .iter()
                .map(Outcome::as_str),
        )
    }
}

/// A failed check.
#[derive(ToSchema)]
pub struct CheckError {
    /// The check.
    #[schema(schema_with = check_name)]
    check: String,
    /// What failed, for a person.
    message: String,
}

fn check_name() -> RefOr<Schema> {
    text_enum("The check.", verifier::Check::ALL.iter().map(|c| c.name()))
}

/// The result of one business rule.
#[derive(ToSchema)]
pub struct RuleOutcome {
    /// Rule identifier.
    #[schema(examples("VR-CZ-0001"))]
    identifier: String,
    /// Rule version as written.
    #[schema(examples("1.0.0"))]
    version: String,
    /// `passed`, `fail`, or `open` (not decided).
    #[schema(schema_with = rule_result)]
    result: String,
    /// English description.
    description: String,
}

fn rule_result() -> RefOr<Schema> {
    use verifier::rules::RuleResult;
    text_enum(
        "`passed`, `fail`, or `open` (not decided).",
        [RuleResult::Passed, RuleResult::Fail, RuleResult::Open].map(RuleResult::as_str),
    )
}

/// The freshness of the trust list a report was made with.
#[derive(ToSchema)]
pub struct TrustListAge {
    /// When the list was issued, seconds since the epoch.
    issued_at: i64,
    /// Seconds from `issued_at` to the validation clock.
    age_seconds: i64,
}

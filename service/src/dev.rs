//! `dcc admin dev seed` (DESIGN.md "Modes"): demo data for a development installation, made with
//! the same operations as the admin commands and the provider API — an organisation and its API
//! token, the population registry, a registry user with an approved permission, and a citizen
//! with two vaccination doses (so a certificate is issued). Idempotent: a second run finds what
//! the first made. Refused in production. Every value is synthetic.

use std::path::PathBuf;
use std::sync::Arc;

use serde_json::json;

use crate::admin::{self, AdminError};
use crate::clock::Clock;
use crate::config::{Config, Mode};
use crate::ctx::{Ctx, Overrides};
use crate::provider::{self, RecordView};
use crate::registry::{self, Details};
use crate::secrets;
use crate::store::registry::RegFlow;
use crate::store::Org;

/// The demo organisation's IČO: eight digits with a valid check digit, plainly not a real one.
pub const ORG_ICO: &str = "99999994";
/// The demo organisation's name.
pub const ORG_NAME: &str = "Ukázkové očkovací centrum (demo)";

/// A demo person: valid-format data, all of it made up (the birth numbers end in 000x, the
/// ID cards read DEMO, the phones are +420 999 … and the addresses at example.org).
#[derive(Debug, Clone, Copy)]
pub struct DemoPerson {
    /// Rodné číslo.
    pub birth_number: &'static str,
    /// ID-card number.
    pub id_card: &'static str,
    /// Family name.
    pub family_name: &'static str,
    /// Given name.
    pub given_name: &'static str,
    /// Date of birth, as the birth number encodes it.
    pub dob: &'static str,
    /// Mobile phone, E.164.
    pub phone: &'static str,
    /// E-mail address.
    pub email: &'static str,
}

/// The citizen: a woman born 1 January 1985, vaccinated twice.
pub const CITIZEN: DemoPerson = DemoPerson {
    birth_number: "855101/0006",
    id_card: "DEMO00001",
    family_name: "Ukázková",
    given_name: "Jana",
    dob: "1985-01-01",
    phone: "+420999000001",
    email: "jana.ukazkova@example.org",
};

/// The registry user (a health worker of the demo organisation, its account manager).
pub const HEALTH_WORKER: DemoPerson = DemoPerson {
    birth_number: "700707/0004",
    id_card: "DEMO00002",
    family_name: "Ukázkový",
    given_name: "Petr",
    dob: "1970-07-07",
    phone: "+420999000002",
    email: "petr.ukazkovy@example.org",
};

/// The health worker's PIN: it passes the PIN policy (SECURITY.md 5-6); demo data only.
pub const HEALTH_WORKER_PIN: &str = "Ukazka-Lekar-7291";

/// The idempotency keys of the citizen's two doses: a second seed finds them.
const DOSE_KEYS: [&str; 2] = ["dev-seed-citizen-dose-1", "dev-seed-citizen-dose-2"];

/// What the seed made or found, for `dcc admin dev seed` to print.
pub struct Seeded {
    /// The demo organisation.
    pub org: Org,
    /// Whether this run created it.
    pub org_created: bool,
    /// The API token, when this run created one (it is shown only now).
    pub token: Option<admin::CreatedToken>,
    /// The registry user's username.
    pub username: String,
    /// Whether this run registered the user.
    pub user_created: bool,
    /// The citizen's records (two doses), the second with its certificate.
    pub records: Vec<RecordView>,
    /// How many of them this run recorded.
    pub records_created: usize,
    /// The portal's address.
    pub base_url: String,
    /// Where SMS go (the one-time codes), when no SMS gateway is configured.
    pub sms_dir: Option<PathBuf>,
    /// Where e-mails go, when no SMTP host is configured.
    pub mail_dir: Option<PathBuf>,
}

impl std::fmt::Debug for Seeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Seeded")
            .field("org_created", &self.org_created)
            .field("user_created", &self.user_created)
            .field("records_created", &self.records_created)
            .finish_non_exhaustive()
    }
}

/// The population registry's CSV (the format `dcc admin registry import` reads) of the two
/// demo persons.
pub fn registry_csv() -> String {
    let mut csv = String::from("birth_number,id_card,family_name,given_name,dob\n");
    for p in [CITIZEN, HEALTH_WORKER] {
        csv.push_str(&format!(
            "{},{},{},{},{}\n",
            p.birth_number, p.id_card, p.family_name, p.given_name, p.dob
        ));
    }
    csv
}

fn app_error(e: crate::Error) -> AdminError {
    match e {
        crate::Error::Internal(detail) => AdminError::App(detail),
        other => AdminError::App(other.to_string()),
    }
}

/// Creates (or finds) the demo data in the installation `config` describes.
pub async fn seed(config: Config, clock: Arc<dyn Clock>) -> Result<Seeded, AdminError> {
    if config.mode == Mode::Production {
        return Err(AdminError::Invalid(
            "dcc admin dev seed creates demo data and works only in mode = development; this \
             installation is in production mode (mode, DCC_MODE)"
                .into(),
        ));
    }
    let now = clock.now();
    let unix = now.unix_timestamp();
    let cfg = config.clone();
    let (app, started) = Ctx::open(config, clock, Overrides::default()).await?;

    let (org, org_created) = match app.store.org_by_ico(ORG_ICO).await? {
        Some(org) => (org, false),
        None => (
            admin::create_org(&cfg, ORG_ICO, ORG_NAME, unix).await?,
            true,
        ),
    };
    let has_token = admin::list_tokens(&cfg, ORG_ICO)
        .await?
        .iter()
        .any(|t| t.revoked_at.is_none() && t.expires_at > unix);
    let token = if has_token {
        None
    } else {
        Some(admin::create_token(&cfg, ORG_ICO, unix).await?)
    };
    admin::import_registry_text(&cfg, &registry_csv(), unix).await?;

    let (username, user_created) = health_worker(&app, unix).await?;
    let user = app
        .store
        .user_by_username(&username)
        .await?
        .ok_or_else(|| AdminError::App("the demo registry user is missing".into()))?;
    if app.store.authority(&user.id, org.id, unix).await?.is_none() {
        admin::registry_grant(&cfg, &username, ORG_ICO, true, unix).await?;
    }

    let (records, records_created) = vaccinate(&app, &org, now).await?;
    Ok(Seeded {
        org,
        org_created,
        token,
        username,
        user_created,
        records,
        records_created,
        base_url: app.config.base_url(),
        sms_dir: started.sms_dir,
        mail_dir: started.mail_dir,
    })
}

/// The health worker's account: found by birth number, or registered as the registration pages
/// would after the SMS code (the operator stands in for that step); the username goes out by
/// e-mail as for every registration.
async fn health_worker(app: &Ctx, now: i64) -> Result<(String, bool), AdminError> {
    let bn = crate::validate::birth_number(HEALTH_WORKER.birth_number)
        .map_err(|e| AdminError::App(e.to_string()))?;
    let bn_index = app.secrets.birth_number_index(&bn);
    if let Some(user) = app.store.user_by_bn_index(&bn_index).await? {
        return Ok((user.username, false));
    }
    let flow = secrets::sha256(secrets::new_id().as_bytes());
    app.store
        .reg_flow_put(
            &flow,
            &RegFlow {
                bn_index: bn_index.clone(),
                phone: HEALTH_WORKER.phone.into(),
                birth_date: Some(HEALTH_WORKER.dob.into()),
                verified_at: None,
                expires_at: now + registry::FLOW_SECS,
            },
            now,
        )
        .await?;
    app.store.reg_flow_verified(&flow, now).await?;
    let details = Details {
        name: format!("{} {}", HEALTH_WORKER.given_name, HEALTH_WORKER.family_name),
        email: HEALTH_WORKER.email.into(),
        pin: HEALTH_WORKER_PIN.into(),
        pin2: HEALTH_WORKER_PIN.into(),
        channel: "sms".into(),
    };
    match registry::finish_registration(app, &flow, details, now)
        .await
        .map_err(app_error)?
    {
        Ok(true) => {}
        Ok(false) => {
            return Err(AdminError::App(
                "the demo registration did not finish".into(),
            ))
        }
        Err(rejected) => {
            return Err(AdminError::App(format!(
                "the demo registration was refused: {rejected:?}"
            )))
        }
    }
    let user = app
        .store
        .user_by_bn_index(&bn_index)
        .await?
        .ok_or_else(|| AdminError::App("the demo registry user is missing".into()))?;
    Ok((user.username, true))
}

/// The citizen's two doses through the provider API's operation, each under its idempotency
/// key: the second dose completes the series, so a certificate is issued (and e-mailed).
async fn vaccinate(
    app: &Ctx,
    org: &Org,
    now: time::OffsetDateTime,
) -> Result<(Vec<RecordView>, usize), AdminError> {
    let mut records = Vec::new();
    let mut created = 0;
    for (dose, key) in (1u64..).zip(DOSE_KEYS) {
        if let Some((_, record_id)) = app.store.idempotency(org.id, key).await? {
            records.push(
                provider::record(app, org, &record_id)
                    .await
                    .map_err(app_error)?,
            );
            continue;
        }
        // Ten and six weeks ago: the series is complete and the last dose older than 14 days.
        let weeks_ago = if dose == 1 { 10 } else { 6 };
        let date = (now - time::Duration::weeks(weeks_ago)).date().to_string();
        let body = json!({
            "person": {
                "birth_number": CITIZEN.birth_number,
                "id_card": CITIZEN.id_card,
                "family_name": CITIZEN.family_name,
                "given_name": CITIZEN.given_name,
                "dob": CITIZEN.dob,
                "phone": CITIZEN.phone,
                "email": CITIZEN.email,
            },
            "v": {"tg": "840539006", "vp": "1119349007", "mp": "EU/1/20/1528",
                  "ma": "ORG-100030215", "dn": dose, "sd": 2, "dt": date},
        });
        let view =
            provider::create_record(app, org, None, body.to_string().as_bytes(), Some(key), now)
                .await
                .map_err(app_error)?;
        records.push(view);
        created += 1;
    }
    Ok((records, created))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_values_pass_the_checks_they_meet() {
        assert!(crate::validate::check_ico(ORG_ICO).is_ok());
        for p in [CITIZEN, HEALTH_WORKER] {
            let (_, born) = crate::validate::birth_number_and_date(p.birth_number).unwrap();
            assert_eq!(born.to_string(), p.dob, "{}", p.birth_number);
            assert!(crate::validate::id_card(p.id_card).is_ok());
            assert!(crate::validate::phone(p.phone).is_ok());
            assert!(crate::validate::email(p.email).is_ok());
        }
        let ctx = crate::pin::PinContext {
            birth_date: time::Date::from_calendar_date(1970, time::Month::July, 7).ok(),
            phone: Some(HEALTH_WORKER.phone),
            ..Default::default()
        };
        assert!(crate::pin::check(HEALTH_WORKER_PIN, &ctx).is_ok());
        let secrets = crate::secrets::Secrets::new([7; 32]);
        assert_eq!(
            crate::population::parse_csv(&registry_csv(), &secrets)
                .unwrap()
                .len(),
            2
        );
    }
}

//! Citizen login through the national identity provider (NIA), seed 002's alternative to birth
//! number + ID card + SMS: dcc is an OpenID Connect relying party (SECURITY.md threat model).
//!
//! * Start: discovery from the configured issuer; a new `state`, `nonce` and PKCE (S256)
//!   verifier, stored server-side under the SHA-256 of a fresh random cookie; the browser goes
//!   to the provider's authorization endpoint with exactly the configured redirect URI.
//! * Callback: the pending request is taken (read and deleted: one use) by the cookie's digest;
//!   it must be younger than 10 minutes and its `state` equal (constant time) to the returned
//!   one; the code is exchanged with the PKCE verifier; the ID token's signature is checked
//!   against the provider's JWKS, and its issuer, audience, nonce, expiry, issue time and (when
//!   present) `at_hash`; the birth-number claim then names the person, who gets a session.
//! * Link (issue #21): a signed-in registry user starts a request bound to the account; the
//!   identity is linked (`nia_link`, unless another account holds it) only with a registry
//!   session of that same unsuspended user. A callback with another registry session is
//!   refused; one without any (browsers withhold the Strict session cookie on the provider's
//!   redirect) keeps the verified identity for 5 minutes under the NIA cookie, and a same-site
//!   confirmation ([`confirm_link`]), which brings the session, links it.
//!
//! Every refusal is one generic answer; the reason reaches the log and the audit trail as a
//! fixed word. No birth number, code, token, state or nonce is ever logged or put in an error.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClientAuthMethod,
    CoreErrorResponseType, CoreGenderClaim, CoreJsonWebKey, CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm, CoreProviderMetadata, CoreRevocableToken, CoreRevocationErrorResponse,
    CoreTokenIntrospectionResponse, CoreTokenType,
};
use openidconnect::{
    AccessTokenHash, AdditionalClaims, AsyncHttpClient, AuthType, AuthorizationCode,
    ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, EmptyExtraTokenFields,
    EndpointMaybeSet, EndpointNotSet, EndpointSet, HttpRequest, HttpResponse, IdTokenFields,
    IssuerUrl, Nonce, OAuth2TokenResponse as _, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl,
    RequestTokenError, StandardErrorResponse, StandardTokenResponse, TokenResponse as _,
};
use secrecy::ExposeSecret as _;
use serde_json::json;

use crate::clock::Clock;
use crate::error::{Error, ServiceResult};
use crate::secrets;
use crate::session::NewSession;
use crate::store::portal::OidcFlow;
use crate::store::registry::NiaLink;
use crate::store::AuditEvent;
use crate::validate;
use crate::Ctx;

/// How long a started login may take at the provider.
pub const FLOW_SECS: i64 = 600;
/// How long a verified identity waits for the confirmation of a link.
pub const CONFIRM_SECS: i64 = 300;
/// The cookie that binds the callback to the browser that started the login. `SameSite=Lax`,
/// unlike the portal's other cookies: the callback is a top-level navigation from the
/// provider's site, on which browsers do not send `Strict` cookies.
pub const NIA_COOKIE: &str = "__Host-dcc-nia";
/// Largest answer read from the provider (discovery, keys, token).
const BODY_LIMIT: usize = 256 * 1024;
/// Longest value of `code` or `state` accepted in the callback.
const PARAM_LIMIT: usize = 2048;
/// How far in the future an ID token's `iat` may be (clock skew), in seconds.
const IAT_SKEW_SECS: i64 = 60;

/// The ID token's claims beyond the standard ones; the birth-number claim is read from here
/// by its configured name. Never printed: `Debug` shows nothing.
#[derive(Clone, Default, serde::Serialize, serde::Deserialize)]
pub struct NiaClaims {
    /// Every claim the standard set does not name.
    #[serde(flatten)]
    pub other: serde_json::Map<String, serde_json::Value>,
}

impl std::fmt::Debug for NiaClaims {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NiaClaims").finish_non_exhaustive()
    }
}

impl AdditionalClaims for NiaClaims {}

/// The ID token fields of NIA's token response.
pub type NiaIdTokenFields = IdTokenFields<
    NiaClaims,
    EmptyExtraTokenFields,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;
/// NIA's token response.
pub type NiaTokenResponse = StandardTokenResponse<NiaIdTokenFields, CoreTokenType>;
/// NIA's ID token.
pub type NiaIdToken = openidconnect::IdToken<
    NiaClaims,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJwsSigningAlgorithm,
>;

/// `openidconnect::core::CoreClient` with [`NiaClaims`], as discovery builds it.
type NiaClient = openidconnect::Client<
    NiaClaims,
    CoreAuthDisplay,
    CoreGenderClaim,
    CoreJweContentEncryptionAlgorithm,
    CoreJsonWebKey,
    CoreAuthPrompt,
    StandardErrorResponse<CoreErrorResponseType>,
    NiaTokenResponse,
    CoreTokenIntrospectionResponse,
    CoreRevocableToken,
    CoreRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// Why a login through NIA was refused. The page is the same for all; the reason is a fixed
/// word for the log and the audit trail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    /// No or an unknown, used or expired pending request for this browser.
    Flow,
    /// The returned `state` is not the one sent.
    State,
    /// The provider answered with an error (the user cancelled, …) or without a code.
    Provider,
    /// Discovery or the provider's keys could not be read.
    Discovery,
    /// The code exchange failed.
    Exchange,
    /// No ID token, or it failed verification; the check it failed, as a word.
    IdToken(&'static str),
    /// The birth-number claim is missing or malformed.
    Claim,
    /// No person with that birth number.
    NoPerson,
    /// A link's callback (or its confirmation) came with a registry session other than a live
    /// one of the user who asked, or that account is suspended.
    Session,
    /// Another registry account was registered with the birth number (link).
    RegisteredElsewhere,
    /// Another registry account has the identity linked (link).
    LinkedElsewhere,
    /// The account has a NIA identity linked already (link).
    AccountLinked,
}

impl Refused {
    /// The reason as a word.
    pub fn as_str(self) -> &'static str {
        match self {
            Refused::Flow => "flow",
            Refused::State => "state",
            Refused::Provider => "provider",
            Refused::Discovery => "discovery",
            Refused::Exchange => "exchange",
            Refused::IdToken(_) => "id_token",
            Refused::Claim => "claim",
            Refused::NoPerson => "no_person",
            Refused::Session => "session",
            Refused::RegisteredElsewhere => "registered_elsewhere",
            Refused::LinkedElsewhere => "linked_elsewhere",
            Refused::AccountLinked => "account_linked",
        }
    }

    /// The audit detail: method, reason and, for an ID token, the failed check.
    fn detail(self) -> serde_json::Value {
        match self {
            Refused::IdToken(check) => {
                json!({"method": "nia", "reason": self.as_str(), "check": check})
            }
            _ => json!({"method": "nia", "reason": self.as_str()}),
        }
    }
}

/// The HTTP client openidconnect drives: the workspace reqwest (one TLS stack), no redirects
/// (SSRF), time-outs and a bounded body.
pub struct Http {
    client: reqwest::Client,
}

impl std::fmt::Debug for Http {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Http").finish_non_exhaustive()
    }
}

/// A failed request to the provider; the message names no secret (the provider's URLs are
/// public; codes and tokens travel in bodies, which are never quoted).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct HttpError(String);

impl Http {
    /// A client for one login.
    pub fn new() -> Result<Self, HttpError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| HttpError(format!("HTTP client: {e}")))?;
        Ok(Http { client })
    }

    async fn execute(&self, request: HttpRequest) -> Result<HttpResponse, HttpError> {
        let request = reqwest::Request::try_from(request)
            .map_err(|e| HttpError(format!("request: {}", e.without_url())))?;
        let mut resp = self
            .client
            .execute(request)
            .await
            .map_err(|e| HttpError(format!("provider: {e}")))?;
        let status = resp.status();
        let headers = resp.headers().clone();
        let mut body = Vec::new();
        while let Some(chunk) = resp
            .chunk()
            .await
            .map_err(|e| HttpError(format!("provider: {e}")))?
        {
            if body.len() + chunk.len() > BODY_LIMIT {
                return Err(HttpError("provider: answer too large".into()));
            }
            body.extend_from_slice(&chunk);
        }
        let mut out = HttpResponse::new(body);
        *out.status_mut() = status;
        *out.headers_mut() = headers;
        Ok(out)
    }
}

impl<'c> AsyncHttpClient<'c> for Http {
    type Error = HttpError;
    type Future = Pin<Box<dyn Future<Output = Result<HttpResponse, HttpError>> + Send + 'c>>;

    fn call(&'c self, request: HttpRequest) -> Self::Future {
        Box::pin(self.execute(request))
    }
}

/// Reads the provider's metadata and keys (discovery checks that the metadata names the
/// configured issuer) and builds the client with exactly the configured redirect URI.
async fn client(app: &Ctx, http: &Http) -> Result<NiaClient, Refused> {
    let cfg = &app.config.oidc;
    let Some(issuer) = &cfg.issuer_url else {
        return Err(Refused::Discovery);
    };
    let issuer = IssuerUrl::new(issuer.clone()).map_err(|_| Refused::Discovery)?;
    let metadata = CoreProviderMetadata::discover_async(issuer, http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "NIA discovery failed");
            Refused::Discovery
        })?;
    // client_secret_basic unless the provider offers only client_secret_post.
    let auth_type = match metadata.token_endpoint_auth_methods_supported() {
        Some(m)
            if !m.contains(&CoreClientAuthMethod::ClientSecretBasic)
                && m.contains(&CoreClientAuthMethod::ClientSecretPost) =>
        {
            AuthType::RequestBody
        }
        _ => AuthType::BasicAuth,
    };
    let redirect =
        RedirectUrl::new(app.config.oidc_redirect_uri()).map_err(|_| Refused::Discovery)?;
    Ok(NiaClient::from_provider_metadata(
        metadata,
        ClientId::new(cfg.client_id.clone()),
        cfg.client_secret
            .as_ref()
            .map(|s| ClientSecret::new(s.expose_secret().to_string())),
    )
    .set_auth_type(auth_type)
    .set_redirect_uri(redirect))
}

/// A started login: the cookie to set and where to send the browser.
pub struct Started {
    /// The value of [`NIA_COOKIE`].
    pub cookie: String,
    /// The provider's authorization URL with client id, redirect URI, state, nonce and the
    /// PKCE challenge.
    pub redirect: String,
}

impl std::fmt::Debug for Started {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Started").finish_non_exhaustive()
    }
}

/// Whose login a NIA request is: a citizen's (seed 002) or a registry user's (seed 000), whose
/// NIA identity is the account's by the birth number it was registered with or by an explicit
/// link; or a signed-in registry user's linking of a NIA identity (issue #21).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// The citizen portal.
    Citizen,
    /// The registry.
    Registry,
    /// Linking the identity to the registry account that asked.
    Link,
}

impl Purpose {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Citizen => "citizen",
            Purpose::Registry => "registry",
            Purpose::Link => "link",
        }
    }

    /// The purpose of a stored name; an unknown one is a citizen's (the column's default).
    fn of(name: &str) -> Self {
        match name {
            "registry" => Purpose::Registry,
            "link" => Purpose::Link,
            _ => Purpose::Citizen,
        }
    }
}

/// The session a NIA login opened.
#[derive(Debug)]
pub enum Opened {
    /// A citizen session.
    Citizen(NewSession),
    /// A registry session.
    Registry(NewSession),
    /// The identity was linked to the registry account of the request's session.
    Linked,
    /// The identity was verified for a link whose callback brought no registry session: it
    /// waits for the user's confirmation ([`confirm_link`]); the NIA cookie stays.
    ConfirmLink,
}

/// Starts a login through NIA. `Ok(None)` when the provider cannot be reached (the page says
/// NIA is unavailable); an error only when storage fails.
pub async fn start(app: &Ctx, purpose: Purpose, now: i64) -> ServiceResult<Option<Started>> {
    if purpose == Purpose::Link {
        return Err(Error::Internal("a link starts with start_link".into()));
    }
    start_request(app, purpose, None, now).await
}

/// Starts linking a NIA identity to the account of a signed-in registry user (the caller
/// checked the session); answers as [`start`].
pub async fn start_link(app: &Ctx, user_id: &str, now: i64) -> ServiceResult<Option<Started>> {
    start_request(app, Purpose::Link, Some(user_id), now).await
}

async fn start_request(
    app: &Ctx,
    purpose: Purpose,
    user_id: Option<&str>,
    now: i64,
) -> ServiceResult<Option<Started>> {
    let http = Http::new().map_err(|e| Error::Internal(e.to_string()))?;
    let Ok(client) = client(app, &http).await else {
        return Ok(None);
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, state, nonce) = client
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .set_pkce_challenge(challenge)
        .url();
    let cookie = secrets::new_url_token().map_err(|e| Error::Internal(e.to_string()))?;
    app.store
        .oidc_flow_put(
            &secrets::token_digest(&cookie),
            &OidcFlow {
                state: state.secret().clone(),
                nonce: nonce.secret().clone(),
                pkce_verifier: verifier.secret().clone(),
                purpose: purpose.as_str().into(),
                user_id: user_id.map(str::to_string),
                created_at: now,
                expires_at: now + FLOW_SECS,
            },
        )
        .await?;
    Ok(Some(Started {
        cookie,
        redirect: url.to_string(),
    }))
}

/// What the provider sent back to the redirect URI.
#[derive(Default, serde::Deserialize)]
pub struct Callback {
    /// The authorization code.
    pub code: Option<String>,
    /// The state sent with the request.
    pub state: Option<String>,
    /// An error code (`access_denied`, …).
    pub error: Option<String>,
}

impl std::fmt::Debug for Callback {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Callback").finish_non_exhaustive()
    }
}

/// Finishes a login through NIA: checks everything the module header lists and opens a
/// session of the request's purpose: a citizen's for the person with the ID token's birth
/// number, a registry user's for the (unsuspended) account registered with it or linked to it.
/// A link needs `registry_session`, the request's registry session cookie, to be a live session
/// of the user who asked; without one it waits for [`confirm_link`] (`Opened::ConfirmLink`).
/// `Ok(Err(_))` is a refusal (audited as `login.failed`); `Err` is a storage failure.
pub async fn finish(
    app: &Ctx,
    cookie: Option<&str>,
    registry_session: Option<&str>,
    callback: &Callback,
    now: i64,
) -> ServiceResult<Result<Opened, Refused>> {
    let verified = match verify(app, cookie, callback, now).await? {
        Ok(v) => match v.purpose {
            Purpose::Citizen => match app.store.person_by_bn(&v.bn_index).await? {
                Some(p) => Ok(Opened::Citizen(
                    crate::citizen::open_session(app, &p.id, "nia", now).await?,
                )),
                None => Err(Refused::NoPerson),
            },
            Purpose::Registry => match registry_account(app, &v.bn_index).await? {
                Some(u) if u.suspended_at.is_none() => Ok(Opened::Registry(
                    crate::registry::open_session(app, &u.id, "nia", now).await?,
                )),
                _ => Err(Refused::NoPerson),
            },
            Purpose::Link => match (v.user_id.as_deref(), registry_session, cookie) {
                (Some(user_id), None, Some(cookie)) => {
                    let digest = secrets::token_digest(cookie);
                    let until = now + CONFIRM_SECS;
                    app.store
                        .nia_link_park(&digest, user_id, &v.bn_index, until)
                        .await?;
                    Ok(Opened::ConfirmLink)
                }
                (user_id, session, _) => link(app, user_id, session, &v.bn_index, now).await?,
            },
        },
        Err(r) => Err(r),
    };
    audited(app, verified, now).await
}

/// Confirms a link whose callback brought no registry session: the identity kept under the
/// NIA cookie (once, within [`CONFIRM_SECS`]) is linked if `registry_session` is a live session
/// of the unsuspended user who asked. Answers as [`finish`] (`Opened::Linked` on success).
pub async fn confirm_link(
    app: &Ctx,
    cookie: Option<&str>,
    registry_session: Option<&str>,
    now: i64,
) -> ServiceResult<Result<Opened, Refused>> {
    let kept = match cookie {
        Some(c) => {
            app.store
                .nia_link_take(&secrets::token_digest(c), now)
                .await?
        }
        None => None,
    };
    let outcome = match kept {
        Some((user_id, index)) => link(app, Some(&user_id), registry_session, &index, now).await?,
        None => Err(Refused::Flow),
    };
    audited(app, outcome, now).await
}

/// A refusal reaches the log and the audit trail (`login.failed`) as a word.
async fn audited(
    app: &Ctx,
    outcome: Result<Opened, Refused>,
    now: i64,
) -> ServiceResult<Result<Opened, Refused>> {
    match outcome {
        Ok(opened) => Ok(Ok(opened)),
        Err(r) => {
            match r {
                Refused::IdToken(check) => {
                    tracing::warn!(reason = r.as_str(), check, "NIA login refused");
                }
                _ => tracing::info!(reason = r.as_str(), "NIA login refused"),
            }
            app.store
                .audit(
                    &AuditEvent {
                        event: "login.failed".into(),
                        org_id: None,
                        subject: None,
                        detail: r.detail(),
                    },
                    now,
                )
                .await?;
            Ok(Err(r))
        }
    }
}

/// The registry account of a NIA identity: the one registered with its birth number, else the
/// one that linked it.
async fn registry_account(
    app: &Ctx,
    bn_index: &[u8],
) -> ServiceResult<Option<crate::store::registry::UserRow>> {
    Ok(app.store.user_by_nia_identity(bn_index).await?)
}

/// The link of a verified callback: the request's registry session must be a live one of the
/// unsuspended user who asked; then the store links, or says who holds the identity.
async fn link(
    app: &Ctx,
    user_id: Option<&str>,
    registry_session: Option<&str>,
    bn_index: &[u8],
    now: i64,
) -> ServiceResult<Result<Opened, Refused>> {
    let (Some(user_id), Some(cookie)) = (user_id, registry_session) else {
        return Ok(Err(Refused::Session));
    };
    match crate::registry::session(app, cookie, now).await? {
        Some((_, owner)) if owner == user_id => {}
        _ => return Ok(Err(Refused::Session)),
    }
    match app.store.user(user_id).await? {
        Some(u) if u.suspended_at.is_none() => {}
        _ => return Ok(Err(Refused::Session)),
    }
    Ok(
        match crate::nia_link::link(app, user_id, bn_index, now).await? {
            NiaLink::Linked => Ok(Opened::Linked),
            NiaLink::AccountLinked => Err(Refused::AccountLinked),
            NiaLink::RegisteredElsewhere => Err(Refused::RegisteredElsewhere),
            NiaLink::LinkedElsewhere => Err(Refused::LinkedElsewhere),
        },
    )
}

/// What a callback that passed every check names: the request's purpose and user (a link's)
/// and the birth-number index of the ID token's birth number.
struct Verified {
    purpose: Purpose,
    user_id: Option<String>,
    bn_index: Vec<u8>,
}

/// The checks of the callback.
async fn verify(
    app: &Ctx,
    cookie: Option<&str>,
    callback: &Callback,
    now: i64,
) -> ServiceResult<Result<Verified, Refused>> {
    // The pending request is used once, whatever follows.
    let Some(cookie) = cookie else {
        return Ok(Err(Refused::Flow));
    };
    let Some(flow) = app
        .store
        .oidc_flow_take(&secrets::token_digest(cookie))
        .await?
    else {
        return Ok(Err(Refused::Flow));
    };
    if now > flow.expires_at || now < flow.created_at {
        return Ok(Err(Refused::Flow));
    }
    let purpose = Purpose::of(&flow.purpose);
    if (purpose == Purpose::Link) != flow.user_id.is_some() {
        return Ok(Err(Refused::Flow));
    }
    if callback.error.is_some() {
        return Ok(Err(Refused::Provider));
    }
    match &callback.state {
        Some(s)
            if s.len() <= PARAM_LIMIT && secrets::ct_eq(s.as_bytes(), flow.state.as_bytes()) => {}
        _ => return Ok(Err(Refused::State)),
    }
    let code = match &callback.code {
        Some(c) if !c.is_empty() && c.len() <= PARAM_LIMIT => c.clone(),
        _ => return Ok(Err(Refused::Provider)),
    };
    let http = Http::new().map_err(|e| Error::Internal(e.to_string()))?;
    let client = match client(app, &http).await {
        Ok(c) => c,
        Err(r) => return Ok(Err(r)),
    };
    let Ok(request) = client.exchange_code(AuthorizationCode::new(code)) else {
        return Ok(Err(Refused::Discovery));
    };
    let response = match request
        .set_pkce_verifier(PkceCodeVerifier::new(flow.pkce_verifier))
        .request_async(&http)
        .await
    {
        Ok(r) => r,
        Err(e) => {
            let kind = match e {
                RequestTokenError::ServerResponse(_) => "error response",
                RequestTokenError::Request(_) => "request failed",
                RequestTokenError::Parse(..) => "unreadable response",
                RequestTokenError::Other(_) => "other",
            };
            tracing::warn!(kind, "NIA code exchange failed");
            return Ok(Err(Refused::Exchange));
        }
    };
    let Some(id_token) = response.id_token() else {
        return Ok(Err(Refused::IdToken("missing")));
    };
    let clock: Arc<dyn Clock> = app.clock.clone();
    let verifier = client
        .id_token_verifier()
        .set_allowed_algs([
            CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
            CoreJwsSigningAlgorithm::RsaSsaPssSha256,
            CoreJwsSigningAlgorithm::EcdsaP256Sha256,
        ])
        .set_time_fn(move || chrono_of(clock.now().unix_timestamp()))
        .set_issue_time_verifier_fn(move |iat| {
            let iat = iat.timestamp();
            if iat > now + IAT_SKEW_SECS || iat < now - FLOW_SECS {
                Err("issued outside the login's time".into())
            } else {
                Ok(())
            }
        });
    let nonce = Nonce::new(flow.nonce);
    let claims = match id_token.claims(&verifier, &nonce) {
        Ok(c) => c,
        Err(e) => return Ok(Err(Refused::IdToken(check_of(&e)))),
    };
    if let Some(expected) = claims.access_token_hash() {
        let actual = id_token
            .signing_alg()
            .ok()
            .zip(id_token.signing_key(&verifier).ok())
            .and_then(|(alg, key)| {
                AccessTokenHash::from_token(response.access_token(), alg, key).ok()
            });
        if actual.as_ref() != Some(expected) {
            return Ok(Err(Refused::IdToken("at_hash")));
        }
    }
    let claim = &app.config.oidc.birth_number_claim;
    let Some(serde_json::Value::String(bn)) = claims.additional_claims().other.get(claim) else {
        return Ok(Err(Refused::Claim));
    };
    let Ok(bn) = validate::birth_number(bn) else {
        return Ok(Err(Refused::Claim));
    };
    Ok(Ok(Verified {
        purpose,
        user_id: flow.user_id,
        bn_index: app.secrets.birth_number_index(&bn),
    }))
}

/// A Unix time as openidconnect's time type; out of its range, the far future (every token
/// has expired).
fn chrono_of(secs: i64) -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(secs, 0).unwrap_or(chrono::DateTime::<chrono::Utc>::MAX_UTC)
}

/// Which check an ID token failed, as a fixed word (the error's text may quote claims).
fn check_of(e: &ClaimsVerificationError) -> &'static str {
    match e {
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::InvalidAuthContext(_) => "acr",
        ClaimsVerificationError::InvalidAuthTime(_) => "auth_time",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::InvalidSubject(_) => "subject",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        ClaimsVerificationError::Unsupported(_) => "unsupported",
        _ => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn claims_are_read_by_name_and_never_printed() {
        let c: NiaClaims =
            serde_json::from_value(json!({"birth_number": "7360280004", "x": 1})).unwrap();
        assert_eq!(c.other["birth_number"], "7360280004");
        assert!(!format!("{c:?}").contains("7360280004"));
        let cb = Callback {
            code: Some("secret-code".into()),
            state: Some("secret-state".into()),
            error: None,
        };
        assert!(!format!("{cb:?}").contains("secret"));
    }

    #[test]
    fn reasons_are_words() {
        for r in [
            Refused::Flow,
            Refused::State,
            Refused::Provider,
            Refused::Discovery,
            Refused::Exchange,
            Refused::IdToken("nonce"),
            Refused::Claim,
            Refused::NoPerson,
            Refused::Session,
            Refused::RegisteredElsewhere,
            Refused::LinkedElsewhere,
            Refused::AccountLinked,
        ] {
            assert!(r
                .as_str()
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b == b'_'));
        }
        assert_eq!(chrono_of(0).timestamp(), 0);
        assert_eq!(
            chrono_of(i64::MAX),
            chrono::DateTime::<chrono::Utc>::MAX_UTC
        );
        assert_eq!(Refused::IdToken("nonce").detail()["check"], "nonce");
    }
}

//! The OpenAPI 3.1 document of `GET /openapi.json`, generated from the handlers'
//! `#[utoipa::path]` and the schemas of `schema.rs`, built once on the first request.

use std::sync::LazyLock;

use utoipa::openapi::header::HeaderBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::RefOr;
use utoipa::{Modify, OpenApi};

use super::{dgca, ops, provider, schema, verify};

/// What the info object says; the version is the crate's.
const DESCRIPTION: &str = "EU Digital COVID Certificate issuer and verifier back end: provider \
    API with automatic issuance and e-mail, signed trust list, rules, value sets, revocation \
    list, verification; the EU DGCA verifier and business-rule endpoints over the same data.\n\n\
    Every response carries `Cache-Control: no-store` unless an operation says otherwise (the \
    trust list, rules, value sets, revocation list, country list and signer status: `public, \
    max-age=300` with a strong `ETag`). Client errors answer the `Error` object naming the field \
    or header, never the value sent.";

#[derive(OpenApi)]
#[openapi(
    info(title = "dcc server", description = DESCRIPTION),
    paths(
        ops::health,
        ops::ready,
        ops::metrics,
        ops::openapi,
        verify::trust_list,
        verify::rules_index,
        dgca::rules_by_country_or_hash,
        verify::valuesets_index,
        verify::valueset,
        verify::revocation_list,
        verify::verify,
        dgca::country_rule,
        dgca::country_list,
        dgca::signer_certificate_update,
        dgca::signer_certificate_status,
        provider::create_record,
        provider::record,
        provider::person_records,
        provider::revoke_certificate,
    ),
    components(schemas(schema::ErrorBody)),
    modifiers(&SecuritySchemes, &CachingHeaders),
    tags(
        (name = "ops", description = "Liveness, readiness, metrics and this document."),
        (name = "verifier", description = "The public verifier back end: what validation apps \
            download, and verification of a posted `HC1:` text. Browsers of the configured \
            origins may call it (CORS, no credentials)."),
        (name = "dgca", description = "The EU DGCA verifier-service and business-rule-service \
            endpoints over the same signers, rules and value sets, so existing DGCA apps can point \
            at this back end; `/rules`, `/rules/{country}` (as `/rules/{country_or_hash}`), \
            `/valuesets` and `/valuesets/{hash}` are shared with the verifier tag. Answers carry \
            no `X-SIGNATURE`."),
        (name = "provider", description = "The provider API: an organisation's bearer token, \
            or a registry user's session acting for the organisation X-Organisation names."),
    ),
)]
struct ApiDoc;

/// The two ways to call the provider API (SECURITY.md 24, 32, 33).
struct SecuritySchemes;

impl Modify for SecuritySchemes {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "providerToken",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "Per-organisation API token from `dcc admin token create`, in the \
                         Authorization header only.",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "registrySession",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::portal::REGISTRY_COOKIE,
                "A registry user's session (sign-in at /registry). Every request names the \
                 organisation in X-Organisation and is served only with an approved, unrevoked \
                 permission for it (or a power of attorney in force); non-GET requests also \
                 need Sec-Fetch-Site: same-origin (or the configured Origin) and X-CSRF-Token, \
                 the session's token from the registry pages.",
            ))),
        );
    }
}

/// The headers `verify::conditional` sets on the 200 and 304 of every public resource, said
/// once: on each GET that takes `If-None-Match`.
struct CachingHeaders;

impl Modify for CachingHeaders {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        let header = |description: &str| {
            HeaderBuilder::new()
                .schema(ObjectBuilder::new().schema_type(Type::String))
                .description(Some(description))
                .build()
        };
        for item in doc.paths.paths.values_mut() {
            let Some(get) = item.get.as_mut() else {
                continue;
            };
            let params = get.parameters.iter().flatten();
            if !params.into_iter().any(|p| p.name == "If-None-Match") {
                continue;
            }
            for status in ["200", "304"] {
                if let Some(RefOr::T(response)) = get.responses.responses.get_mut(status) {
                    response.headers.insert(
                        "ETag".into(),
                        header(
                            "strong ETag, a SHA-256 in hex, quoted: the same while the content is \
                             (for the revocation list: while its batches are)",
                        ),
                    );
                    response
                        .headers
                        .insert("Cache-Control".into(), header("public, max-age=300"));
                }
            }
        }
    }
}

/// The document as JSON; an error only if serialisation failed, which the handler answers as
/// an internal error.
pub static DOCUMENT: LazyLock<Result<String, String>> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .map_err(|e| e.to_string())
});

//! The pages every government service carries (issue #21 part 4): the privacy notice, the
//! accessibility statement, and the 404 of a page route as HTML (the JSON problem stays for the
//! API).

use super::*;

/// Paths answered in JSON when nothing matches: the provider API and the machine endpoints.
fn is_api(path: &str) -> bool {
    path.starts_with("/api/")
}

/// The fallback: an HTML page for browsers on page routes, the JSON problem for the API and
/// for clients that do not ask for HTML.
pub(crate) async fn not_found(
    State(app): State<AppState>,
    web: Web,
    headers: axum::http::HeaderMap,
) -> Response {
    let wants_html = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("text/html"));
    if is_api(&web.path) || !wants_html {
        return AppError::NotFound.into_response();
    }
    let t = |k| web.lang.t(k);
    let mut r = message(
        &app,
        &web,
        StatusCode::NOT_FOUND,
        t("not_found_title"),
        t("not_found"),
        ("/", t("to_home")),
    );
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// `GET /privacy`.
pub(super) async fn privacy(State(app): State<AppState>, web: Web) -> Response {
    info_page(&app, &web, "privacy")
}

/// `GET /accessibility`.
pub(super) async fn accessibility(State(app): State<AppState>, web: Web) -> Response {
    info_page(&app, &web, "accessibility")
}

fn info_page(app: &AppState, web: &Web, which: &str) -> Response {
    let heading = web.lang.t(if which == "privacy" {
        "privacy_title"
    } else {
        "accessibility_title"
    });
    let paragraphs = app.pages.info_text(which, web.lang);
    page(
        app,
        web,
        StatusCode::OK,
        "info.html",
        context! { heading, paragraphs },
    )
}

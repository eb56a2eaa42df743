//! The exchange of old certificates: the scan form (text or photo of the old code) and the
//! 1:1 exchange URL with its PDF.

use super::*;

pub(super) fn scan_form(
    app: &AppState,
    web: &Web,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    flow_page(app, web, status, "exchange_scan.html", context! { error })
}

pub(super) async fn scan_page(State(app): State<AppState>, web: Web) -> Response {
    scan_form(&app, &web, StatusCode::OK, None)
}

pub(super) async fn scan_submit(
    State(app): State<AppState>,
    web: Web,
    mut form: Multipart,
) -> Response {
    let mut csrf = String::new();
    let mut text = String::new();
    let mut photo: Option<Vec<u8>> = None;
    loop {
        match form.next_field().await {
            Ok(Some(field)) => {
                let name = field.name().unwrap_or_default().to_string();
                match field.bytes().await {
                    Ok(b) => match name.as_str() {
                        "csrf" => csrf = String::from_utf8_lossy(&b).into_owned(),
                        "text" => text = String::from_utf8_lossy(&b).into_owned(),
                        "photo" if !b.is_empty() => photo = Some(b.to_vec()),
                        _ => {}
                    },
                    Err(_) => {
                        return scan_form(
                            &app,
                            &web,
                            StatusCode::PAYLOAD_TOO_LARGE,
                            Some(web.lang.t("scan_too_large")),
                        )
                    }
                }
            }
            Ok(None) => break,
            Err(e) => {
                let status = e.status();
                let msg = if status == StatusCode::PAYLOAD_TOO_LARGE {
                    web.lang.t("scan_too_large")
                } else {
                    web.lang.t("scan_nothing")
                };
                return scan_form(&app, &web, status, Some(msg));
            }
        }
    }
    if web.csrf_checked(&app, web.flow.as_deref(), &csrf).is_none() {
        return error_page(&app, &web, AppError::Forbidden("csrf".into()));
    }
    let scanned = if !text.trim().is_empty() {
        Ok(text)
    } else if let Some(bytes) = photo {
        let budget = std::time::Duration::from_millis(app.config.decode.budget_ms);
        web::read_qr(&app.decode_pool, budget, bytes).await
    } else {
        Err((StatusCode::UNPROCESSABLE_ENTITY, "scan_nothing"))
    };
    match scanned.and_then(|t| {
        web::exchange_token(&t).ok_or((StatusCode::UNPROCESSABLE_ENTITY, "scan_not_exchange"))
    }) {
        Ok(token) => see_other(&format!("/exchange/{token}")),
        Err((status, key)) => {
            let mut resp = scan_form(&app, &web, status, Some(web.lang.t(key)));
            if status == StatusCode::SERVICE_UNAVAILABLE {
                // Every decoder busy and the queue full (issue 18): a few seconds frees them.
                resp.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("5"));
            }
            resp
        }
    }
}

pub(super) fn exchange_headers(mut r: Response) -> Response {
    let h = r.headers_mut();
    h.insert("x-robots-tag", HeaderValue::from_static("noindex"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    r
}

#[derive(Deserialize)]
pub(super) struct LangQuery {
    #[serde(default)]
    lang: Option<String>,
}

/// A token-shaped path segment: what a redirect back to the exchange page may carry.
fn token_shaped(token: &str) -> bool {
    (1..=64).contains(&token.len())
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

pub(super) async fn exchange_page(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
    Query(q): Query<LangQuery>,
) -> Response {
    // The language switch stays on this page (its address is the secret, so it is never
    // written into a link): `?lang=` sets the cookie and comes back without the query.
    if let Some(lang) = q.lang.as_deref().filter(|_| token_shaped(&token)) {
        let lang = Lang::from_code(Some(lang));
        return exchange_headers(with_cookie(
            see_other(&format!("/exchange/{token}")),
            cookie_header(LANG_COOKIE, lang.code(), None),
        ));
    }
    tracing::info!(path = %exchange::log_path(&token), "exchange visit");
    let (cert, legacy) = match exchange::certificate(&app, &token, web.ip, now(&app)).await {
        Ok(c) => c,
        Err(ExchangeError::NotIdentified) => {
            return exchange_headers(message(
                &app,
                &web,
                StatusCode::CONFLICT,
                web.lang.t("exchange_title"),
                web.lang.t("exchange_pending"),
                ("/", web.lang.t("to_home")),
            ))
        }
        Err(e) => return exchange_headers(error_page(&app, &web, e)),
    };
    let issued = match issuer::Issued::from_hc1(&cert.hc1) {
        Ok(i) => i,
        Err(e) => {
            return error_page(
                &app,
                &web,
                AppError::Internal(format!("stored certificate: {e}")),
            )
        }
    };
    let download = format!("/exchange/{token}/pdf");
    let card = match card::card(&app.public.names, web.lang, &issued, download) {
        Ok(c) => c,
        Err(e) => return error_page(&app, &web, AppError::Internal(format!("QR: {e}"))),
    };
    exchange_headers(page(
        &app,
        &web,
        StatusCode::OK,
        "exchange.html",
        context! {
            lang_in_place => true,
            card,
            limits => web.lang.format("exchange_keep", &[
                ("until", (&exchange_until(web.lang, legacy.expires_at)).into()),
                ("left", Arg::Num((app.config.portal.exchange_downloads - legacy.downloads)
                    .max(0))),
            ]),
        },
    ))
}

pub(super) fn exchange_until(lang: Lang, unix: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(unix)
        .map(|t| web::date(lang, &t.date().to_string()))
        .unwrap_or_default()
}

pub(super) async fn exchange_pdf(
    State(app): State<AppState>,
    web: Web,
    Path(token): Path<String>,
) -> Response {
    tracing::info!(path = %exchange::log_path(&token), "exchange download");
    let cert = match exchange::download(&app, &token, web.ip, now(&app)).await {
        Ok(c) => c,
        Err(e) => return exchange_headers(error_page(&app, &web, e)),
    };
    match citizen::render_pdf(&app, &cert).await {
        Ok(pdf) => exchange_headers(pdf_response(pdf, &card::file_name_of(&cert.hc1))),
        Err(e) => error_page(&app, &web, e),
    }
}

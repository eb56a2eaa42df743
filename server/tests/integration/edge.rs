//! Anonymous work is bounded (issue 18, DESIGN.md): the listener's header-read and idle
//! time-outs, its connection limit and graceful shutdown over real sockets; the scan form's
//! decode pool, its queue limit, its cancellation and its time budget.

use crate::common;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::web::Browser;
use common::{Backend, Harness};
use server::decode_pool::{DecodePool, PoolError};
use server::Limits;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::time::timeout;

/// Far more than any step below needs on a loaded machine; only a hang reaches it.
const PATIENCE: Duration = Duration::from_secs(15);

fn limits(header_secs: f64, idle_secs: f64, max_connections: usize) -> Limits {
    Limits {
        header_read_timeout: Duration::from_secs_f64(header_secs),
        idle_timeout: Duration::from_secs_f64(idle_secs),
        max_connections,
        shutdown_grace: Duration::from_secs(2),
    }
}

/// A server on a loopback port, stopped by sending on (or dropping) the returned sender.
struct Running {
    addr: SocketAddr,
    stop: oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

async fn start(app: axum::Router, limits: Limits) -> Running {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(server::serve_on(listener, app, limits, async move {
        let _ = stopped.await;
    }));
    Running { addr, stop, task }
}

/// A connection that sent the start of a request head and nothing more.
async fn slow_header(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET / HTTP/1.1\r\n").await.unwrap();
    s
}

/// Whether the server closed the connection (EOF or reset) within `wait`; bytes it sends
/// first (a 408, say) are read past.
async fn closed_within(s: &mut TcpStream, wait: Duration) -> bool {
    let mut buf = [0u8; 1024];
    timeout(wait, async {
        loop {
            match s.read(&mut buf).await {
                Ok(0) | Err(_) => return,
                Ok(_) => {}
            }
        }
    })
    .await
    .is_ok()
}

/// Reads one response with a `Content-Length` body; returns the status line and the body.
async fn read_response(s: &mut TcpStream) -> (String, String) {
    let mut got = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let n = s.read(&mut buf).await.unwrap();
        assert!(n > 0, "closed before a whole response");
        got.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&got).to_string();
        if let Some((head, body)) = text.split_once("\r\n\r\n") {
            let len: usize = head
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse().unwrap())
                })
                .expect("a Content-Length");
            if body.len() >= len {
                return (head.lines().next().unwrap().to_string(), body.to_string());
            }
        }
    }
}

async fn health(addr: SocketAddr) -> (String, String) {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut s).await
}

/// Defect 4: a client that never finishes its request head is disconnected after the
/// header-read time-out (`axum::serve` kept it open for ever).
#[tokio::test]
async fn slow_header_is_closed_after_the_header_timeout() {
    let h = Harness::new(Backend::Sqlite).await;
    let srv = start(server::app(h.app.clone()), limits(1.0, 60.0, 16)).await;
    let mut s = slow_header(srv.addr).await;
    assert!(
        closed_within(&mut s, PATIENCE).await,
        "a half-sent request head must not hold its connection"
    );
    // The server still answers.
    let (status, _) = timeout(PATIENCE, health(srv.addr)).await.unwrap();
    assert!(status.contains("200"), "{status}");
    drop(srv.stop);
    srv.task.await.unwrap();
    h.finish().await;
}

/// `max_connections` stays below the open-file limit, so the server can always accept the
/// connection that makes it close an old one.
#[test]
fn the_connection_limit_stays_below_the_open_file_limit() {
    let default = Limits::from(&server::config::ServerConfig::default());
    assert_eq!(default.within_fd_limit(Some(1024)).max_connections, 960);
    assert_eq!(default.within_fd_limit(Some(20_000)).max_connections, 1024);
    assert_eq!(default.within_fd_limit(None).max_connections, 1024);
    assert_eq!(default.within_fd_limit(Some(10)).max_connections, 1);
    let own = server::listener::open_files_limit().expect("Linux has /proc/self/limits");
    assert!(own >= 64, "{own}");
}

/// A keep-alive connection idle after one request.
async fn idle_after_a_request(addr: SocketAddr) -> TcpStream {
    let mut s = TcpStream::connect(addr).await.unwrap();
    s.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut s).await;
    s
}

/// Opens `flood` connections against a limit of `max`, slow-header ones or keep-alive ones idle
/// after a request, then asks `/health`, which must answer at once; the server holds no more
/// than `max` connections: those that have waited longest for a request head are closed to make
/// room.
async fn flood(flood: usize, max: usize, idle: bool) {
    let h = Harness::new(Backend::Sqlite).await;
    // The header time-out is longer than the test: the limit, not the time-out, makes room.
    let srv = start(server::app(h.app.clone()), limits(60.0, 120.0, max)).await;
    let mut slow = Vec::with_capacity(flood);
    for _ in 0..flood {
        slow.push(if idle {
            idle_after_a_request(srv.addr).await
        } else {
            slow_header(srv.addr).await
        });
    }
    let (status, body) = timeout(PATIENCE, health(srv.addr))
        .await
        .expect("/health answers during the flood");
    assert!(status.contains("200"), "{status}");
    assert!(body.contains("ok"), "{body}");
    let mut checks = tokio::task::JoinSet::new();
    for mut s in slow {
        checks.spawn(async move { closed_within(&mut s, Duration::from_millis(1500)).await });
    }
    let mut closed = 0;
    while let Some(c) = checks.join_next().await {
        closed += usize::from(c.unwrap());
    }
    // Each connection beyond the limit, and /health, closed one of the oldest.
    assert_eq!(closed, flood - max + 1, "closed of {flood} against {max}");
    drop(srv.stop);
    srv.task.await.unwrap();
    h.finish().await;
}

/// Defect 4, scaled down: 2 × the limit of slow-header connections, `/health` still answers.
#[tokio::test]
async fn health_answers_through_a_slow_header_flood() {
    flood(32, 16, false).await;
}

/// The same with connections that sent one request and stay idle (keep-alive).
#[tokio::test]
async fn health_answers_through_a_flood_of_idle_connections() {
    flood(32, 16, true).await;
}

/// Defect 4 as the issue states it: 2,048 slow-header connections against the default limit
/// of 1,024.
#[tokio::test]
async fn health_answers_through_2048_slow_header_connections() {
    let default = Limits::from(&server::config::ServerConfig::default());
    assert_eq!(default.max_connections, 1024);
    assert_eq!(default.header_read_timeout, Duration::from_secs(10));
    flood(2048, default.max_connections, false).await;
}

/// A keep-alive connection idle after its response is closed: by the header-read time-out,
/// which hyper restarts when a connection goes idle, and by the idle time-out when that is the
/// shorter.
#[tokio::test]
async fn idle_keep_alive_connections_are_closed() {
    let h = Harness::new(Backend::Sqlite).await;
    for (header, idle) in [(1.0, 60.0), (60.0, 1.0)] {
        let srv = start(server::app(h.app.clone()), limits(header, idle, 16)).await;
        let mut s = TcpStream::connect(srv.addr).await.unwrap();
        s.write_all(b"GET /health HTTP/1.1\r\nHost: test\r\n\r\n")
            .await
            .unwrap();
        let (status, _) = read_response(&mut s).await;
        assert!(status.contains("200"), "{status}");
        assert!(
            closed_within(&mut s, PATIENCE).await,
            "header {header} s, idle {idle} s: the idle connection stays open"
        );
        drop(srv.stop);
        srv.task.await.unwrap();
    }
    h.finish().await;
}

/// Shutdown stops accepting, lets an in-flight request finish, closes an idle keep-alive
/// connection at once and a half-sent one at the grace deadline, and then returns.
#[tokio::test]
async fn graceful_shutdown_finishes_in_flight_requests_within_the_deadline() {
    let (entered_tx, entered) = oneshot::channel::<()>();
    let entered_tx = Arc::new(std::sync::Mutex::new(Some(entered_tx)));
    let app = axum::Router::new()
        .route(
            "/slow",
            axum::routing::get(move || {
                let entered_tx = entered_tx.clone();
                async move {
                    if let Some(tx) = entered_tx.lock().unwrap().take() {
                        let _ = tx.send(());
                    }
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    "done"
                }
            }),
        )
        .route("/fast", axum::routing::get(|| async { "fast" }));
    // Header time-out far beyond the 2 s grace: the half-sent connection is cut by the grace.
    let srv = start(app, limits(60.0, 120.0, 16)).await;
    let mut idle = TcpStream::connect(srv.addr).await.unwrap();
    idle.write_all(b"GET /fast HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    read_response(&mut idle).await;
    let mut half = slow_header(srv.addr).await;
    let mut busy = TcpStream::connect(srv.addr).await.unwrap();
    busy.write_all(b"GET /slow HTTP/1.1\r\nHost: t\r\n\r\n")
        .await
        .unwrap();
    entered.await.unwrap();
    let _ = srv.stop.send(());
    let (status, body) = timeout(PATIENCE, read_response(&mut busy)).await.unwrap();
    assert!(status.contains("200"), "{status}");
    assert_eq!(body, "done");
    assert!(closed_within(&mut idle, PATIENCE).await, "idle connection");
    assert!(
        closed_within(&mut busy, PATIENCE).await,
        "served connection"
    );
    timeout(PATIENCE, srv.task)
        .await
        .expect("serve_on returns after the grace")
        .unwrap();
    assert!(closed_within(&mut half, Duration::from_secs(1)).await);
    assert!(
        TcpStream::connect(srv.addr).await.is_err(),
        "no longer listening"
    );
}

/// The decode pool runs at most `workers` jobs at once and queues at most `queue`; beyond
/// both a job is refused at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_pool_bounds_running_and_waiting_jobs() {
    for (workers, queue) in [(1, 1), (2, 3)] {
        let pool = Arc::new(DecodePool::new(workers, queue));
        let running = Arc::new(AtomicUsize::new(0));
        let high = Arc::new(AtomicUsize::new(0));
        let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
        let release_rx = Arc::new(std::sync::Mutex::new(release_rx));
        let mut jobs = Vec::new();
        for _ in 0..workers + queue {
            let (pool, running, high, release_rx) = (
                pool.clone(),
                running.clone(),
                high.clone(),
                release_rx.clone(),
            );
            jobs.push(tokio::spawn(async move {
                pool.run(move |_| {
                    let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                    high.fetch_max(now, Ordering::SeqCst);
                    release_rx.lock().unwrap().recv().unwrap();
                    running.fetch_sub(1, Ordering::SeqCst);
                })
                .await
            }));
        }
        // Wait until the workers are all busy; the others wait in the queue.
        timeout(PATIENCE, async {
            while running.load(Ordering::SeqCst) < workers {
                tokio::time::sleep(Duration::from_millis(10)).await;
            }
        })
        .await
        .unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert_eq!(running.load(Ordering::SeqCst), workers, "{workers}/{queue}");
        let refused = pool.run(|_| ()).await;
        assert_eq!(refused, Err(PoolError::Busy), "{workers}/{queue}");
        for _ in 0..workers + queue {
            release_tx.send(()).unwrap();
        }
        for j in jobs {
            assert_eq!(j.await.unwrap(), Ok(()));
        }
        assert_eq!(high.load(Ordering::SeqCst), workers, "{workers}/{queue}");
        assert_eq!(pool.run(|_| 7).await, Ok(7), "room again");
    }
}

/// A job whose client left while it waited never runs; one whose client leaves while it runs
/// sees its cancel flag.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decode_pool_drops_the_jobs_of_clients_that_left() {
    let pool = Arc::new(DecodePool::new(1, 1));
    let (started_tx, started_rx) = std::sync::mpsc::channel::<()>();
    let (cancelled_tx, cancelled_rx) = std::sync::mpsc::channel::<bool>();
    let first = {
        let pool = pool.clone();
        tokio::spawn(async move {
            pool.run(move |cancel| {
                started_tx.send(()).unwrap();
                let mut waited = 0;
                while !cancel.is_cancelled() && waited < 1500 {
                    std::thread::sleep(Duration::from_millis(10));
                    waited += 1;
                }
                cancelled_tx.send(cancel.is_cancelled()).unwrap();
            })
            .await
        })
    };
    tokio::task::spawn_blocking(move || started_rx.recv().unwrap())
        .await
        .unwrap();
    let ran = Arc::new(AtomicBool::new(false));
    let queued = {
        let (pool, ran) = (pool.clone(), ran.clone());
        tokio::spawn(async move { pool.run(move |_| ran.store(true, Ordering::SeqCst)).await })
    };
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(
        pool.run(|_| ()).await,
        Err(PoolError::Busy),
        "one job runs, one waits"
    );
    // Both clients leave: the queued job's future and the running one's are dropped.
    queued.abort();
    first.abort();
    let cancelled = tokio::task::spawn_blocking(move || cancelled_rx.recv().unwrap())
        .await
        .unwrap();
    assert!(cancelled, "the running job saw its client leave");
    assert_eq!(pool.run(|_| ()).await, Ok(()), "the pool is free again");
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(!ran.load(Ordering::SeqCst), "the abandoned queued job ran");
}

/// A multipart body with the scan form's CSRF field and a photo.
fn scan_request(b: &Browser, csrf: &str, png: &[u8]) -> Request<Body> {
    let boundary = "dccboundary";
    let mut body = Vec::new();
    body.extend_from_slice(
        format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{csrf}\r\n\
             --{boundary}\r\nContent-Disposition: form-data; name=\"photo\"; \
             filename=\"code.png\"\r\nContent-Type: image/png\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(png);
    body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
    Request::post("/exchange")
        .header("cookie", b.cookie_header())
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .header("sec-fetch-site", "same-origin")
        .body(Body::from(body))
        .unwrap()
}

const EXCHANGE_URL: &str = "https://dcc.example/exchange/AAAAAAAAAAAAAAAAAAAAAA";

/// Defect 3: with the decoders busy and the queue full, the scan form answers 503 with
/// `Retry-After` and its own message at once; a photo of a QR code rendered at 4,000 px is
/// still read once a decoder is free.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_form_answers_503_when_the_decoders_are_busy() {
    let h = Harness::with(
        Backend::Sqlite,
        &[("DCC_DECODE_WORKERS", "1"), ("DCC_DECODE_QUEUE", "0")],
        true,
    )
    .await;
    let matrix = issuer::qr::encode_bytes(EXCHANGE_URL).unwrap();
    let scale = 4000 / u32::try_from(matrix.side_with_quiet_zone()).unwrap();
    let png = matrix.to_png(scale).unwrap();
    let side = image::load_from_memory(&png).unwrap().width();
    assert!((3900..=4000).contains(&side), "{side} px");
    let mut b = Browser::default();
    let csrf = b.get(&h, "/exchange").await.csrf();
    // Hold the only decoder.
    let (release_tx, release_rx) = std::sync::mpsc::channel::<()>();
    let (started_tx, started_rx) = oneshot::channel::<()>();
    let pool = h.app.decode_pool.clone();
    let holder = tokio::spawn(async move {
        pool.run(move |_| {
            let _ = started_tx.send(());
            let _ = release_rx.recv();
        })
        .await
    });
    started_rx.await.unwrap();
    let p = b.send(&h, scan_request(&b, &csrf, &png)).await;
    assert_eq!(p.status, StatusCode::SERVICE_UNAVAILABLE, "{}", p.body);
    assert_eq!(p.headers["retry-after"], "5");
    assert!(
        p.body.contains("Právě zpracováváme mnoho obrázků"),
        "{}",
        p.body
    );
    release_tx.send(()).unwrap();
    holder.await.unwrap().unwrap();
    let p = b.send(&h, scan_request(&b, &csrf, &png)).await;
    assert_eq!(p.status, StatusCode::SEE_OTHER, "{}", p.body);
    assert_eq!(p.location(), "/exchange/AAAAAAAAAAAAAAAAAAAAAA");
    h.finish().await;
}

/// Defect 3: a budget already spent stops the decoder after its first pass with "could not
/// read the code in this picture" (never 408 or 500); the code of the same picture, too small
/// to read in the first pass, is read when there is time.
#[tokio::test]
async fn decoding_stops_when_its_budget_is_spent() {
    let png = small_code_in_a_large_photo();
    let cancel = server::decode_pool::Cancel::default();
    let stopped = server::decode_pool::read_qr_within(&png, Duration::ZERO, &cancel);
    assert_eq!(stopped, Err(verifier::qr::QrError::Stopped));
    let read = server::decode_pool::read_qr_within(&png, Duration::from_secs(600), &cancel);
    assert_eq!(read.as_deref(), Ok(EXCHANGE_URL));
}

/// A 4,000 px photo whose code has 3 px modules: unreadable at 1,000 px, readable at full size.
fn small_code_in_a_large_photo() -> Vec<u8> {
    let code = issuer::qr::encode_bytes(EXCHANGE_URL)
        .unwrap()
        .to_png(3)
        .unwrap();
    let code = image::load_from_memory(&code).unwrap().to_luma8();
    let mut photo = image::GrayImage::from_pixel(4000, 4000, image::Luma([255]));
    image::imageops::overlay(&mut photo, &code, 1800, 1800);
    let mut out = std::io::Cursor::new(Vec::new());
    photo.write_to(&mut out, image::ImageFormat::Png).unwrap();
    out.into_inner()
}

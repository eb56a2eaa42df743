//! The HTTP listener, on hyper's HTTP/1 connections rather than `axum::serve`, which has no
//! header-read or idle time-out and no connection limit (issue 18: a few hundred half-sent
//! requests used to exhaust the file descriptors and `/health` stopped answering).

use std::collections::BTreeMap;
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;
use http_body_util::BodyExt as _;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Notify, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tower::{Service as _, ServiceExt as _};

use crate::config::ServerConfig;

/// What one client may hold, and how long shutdown waits.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Time to send a whole request head, from when the connection is ready for one.
    pub header_read_timeout: Duration,
    /// Time without a byte moving either way before the connection is closed.
    pub idle_timeout: Duration,
    /// Connections open at once.
    pub max_connections: usize,
    /// Time open connections get to finish after the shutdown signal.
    pub shutdown_grace: Duration,
}

impl From<&ServerConfig> for Limits {
    fn from(c: &ServerConfig) -> Self {
        Limits {
            header_read_timeout: Duration::from_secs(c.header_read_timeout_secs),
            idle_timeout: Duration::from_secs(c.idle_timeout_secs),
            max_connections: c.max_connections,
            shutdown_grace: Duration::from_secs(c.shutdown_grace_secs),
        }
    }
}

/// File descriptors kept for everything but client connections: the database pool, SMTP, the
/// listener, files being read.
const FD_RESERVE: usize = 64;

impl Limits {
    /// Lowers `max_connections` below the process's open-file limit (`soft_limit`, see
    /// [`open_files_limit`]) less [`FD_RESERVE`]: at the limit the server must still accept a
    /// connection in order to close an old one, so `EMFILE` must never come first.
    pub fn within_fd_limit(mut self, soft_limit: Option<u64>) -> Self {
        if let Some(soft) = soft_limit {
            let usable = usize::try_from(soft)
                .unwrap_or(usize::MAX)
                .saturating_sub(FD_RESERVE)
                .max(1);
            if usable < self.max_connections {
                tracing::warn!(
                    configured = self.max_connections,
                    open_files = soft,
                    "server.max_connections lowered to {usable} to stay below the open-file \
                     limit; raise the limit (LimitNOFILE=, ulimit -n) to allow more"
                );
                self.max_connections = usable;
            }
        }
        self
    }
}

/// The soft limit on open files, from `/proc/self/limits` (Linux; `None` elsewhere or when
/// unlimited), read without `getrlimit`, which would need unsafe code or another crate.
pub fn open_files_limit() -> Option<u64> {
    let limits = std::fs::read_to_string("/proc/self/limits").ok()?;
    let line = limits.lines().find(|l| l.starts_with("Max open files"))?;
    line.trim_start_matches("Max open files")
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

/// How long the accept loop pauses after an error (`EMFILE` leaves the connection in the
/// queue, so retrying at once would spin), and how often such an error is logged at most.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
const ACCEPT_LOG_EVERY: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets open
/// connections finish their requests for `limits.shutdown_grace` and closes the rest.
///
/// At `limits.max_connections` a new connection closes the one that has waited longest for a
/// request head: a client that has not finished sending one (a slow-header client, by the
/// time there are that many) or a keep-alive connection idle since its response. So a flood of
/// half-sent requests cannot keep `/health` out. When every connection is busy with a request,
/// the new one waits in the kernel's accept queue instead.
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let make = app.into_make_service_with_connect_info::<SocketAddr>();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let waiting = Arc::new(Waiting::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut last_logged: Option<Instant> = None;
    tokio::pin!(shutdown);
    loop {
        while tasks.try_join_next().is_some() {}
        let accepted = tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => r,
        };
        let (tcp, peer) = match accepted {
            Ok(c) => c,
            Err(e) => {
                if last_logged.is_none_or(|t| t.elapsed() >= ACCEPT_LOG_EVERY) {
                    tracing::warn!("accept failed (logged at most every 5 s): {e}");
                    last_logged = Some(Instant::now());
                }
                tokio::select! {
                    () = &mut shutdown => break,
                    () = tokio::time::sleep(ACCEPT_PAUSE) => continue,
                }
            }
        };
        let permit = match Arc::clone(&slots).try_acquire_owned() {
            Ok(p) => p,
            Err(_) => {
                waiting.close_oldest();
                tokio::select! {
                    () = &mut shutdown => break,
                    p = Arc::clone(&slots).acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                }
            }
        };
        let slot = Slot::new();
        waiting.enter(&slot);
        let conn = Conn {
            slot,
            waiting: Arc::clone(&waiting),
            stop: stop_rx.clone(),
            limits,
            _permit: permit,
        };
        tasks.spawn(conn.run(tcp, peer, make.clone()));
    }
    drop(listener);
    let _ = stop_tx.send(true);
    let drained = tokio::time::timeout(limits.shutdown_grace, async {
        while tasks.join_next().await.is_some() {}
    })
    .await;
    if drained.is_err() {
        tracing::info!(
            open = tasks.len(),
            "closing the connections still open after the shutdown grace"
        );
    }
    tasks.shutdown().await;
}

/// The connections waiting for a request head (accepted, or idle after a response), in the
/// order they began to wait, so the one that has waited longest can be closed.
#[derive(Default)]
struct Waiting {
    order: Mutex<BTreeMap<u64, Arc<Slot>>>,
    next: AtomicU64,
}

/// One connection's place in [`Waiting`] and the signal that closes it.
struct Slot {
    /// Its key in [`Waiting::order`], or [`NOT_WAITING`].
    key: AtomicU64,
    close: Notify,
    ended: AtomicBool,
}

impl Slot {
    fn new() -> Arc<Slot> {
        Arc::new(Slot {
            key: AtomicU64::new(NOT_WAITING),
            close: Notify::new(),
            ended: AtomicBool::new(false),
        })
    }
}

const NOT_WAITING: u64 = u64::MAX;

impl Waiting {
    fn order(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Slot>>> {
        self.order.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The connection begins to wait for a request head.
    fn enter(&self, slot: &Arc<Slot>) {
        let mut order = self.order();
        if slot.ended.load(Ordering::Relaxed) {
            return;
        }
        let key = self.next.fetch_add(1, Ordering::Relaxed);
        let old = slot.key.swap(key, Ordering::Relaxed);
        if old != NOT_WAITING {
            order.remove(&old);
        }
        order.insert(key, Arc::clone(slot));
    }

    /// The connection has a request (or has ended, when `ended`).
    fn leave(&self, slot: &Slot, ended: bool) {
        let mut order = self.order();
        if ended {
            slot.ended.store(true, Ordering::Relaxed);
        }
        let key = slot.key.swap(NOT_WAITING, Ordering::Relaxed);
        if key != NOT_WAITING {
            order.remove(&key);
        }
    }

    /// Signals the connection that has waited longest to close; false when none waits.
    fn close_oldest(&self) -> bool {
        let oldest = self.order().pop_first();
        oldest
            .map(|(_, slot)| {
                slot.key.store(NOT_WAITING, Ordering::Relaxed);
                slot.close.notify_one();
            })
            .is_some()
    }
}

/// Puts its connection back among the waiting when dropped: hyper drops a response's body once
/// it is written, and the connection then waits for the next request.
struct WaitAgain {
    waiting: Arc<Waiting>,
    slot: Arc<Slot>,
}

impl Drop for WaitAgain {
    fn drop(&mut self) {
        self.waiting.enter(&self.slot);
    }
}

/// One accepted connection and what it holds: its slot, its place among the waiting, the
/// server's stop signal.
struct Conn {
    slot: Arc<Slot>,
    waiting: Arc<Waiting>,
    stop: watch::Receiver<bool>,
    limits: Limits,
    _permit: OwnedSemaphorePermit,
}

impl Conn {
    async fn run(
        mut self,
        tcp: TcpStream,
        peer: SocketAddr,
        mut make: IntoMakeServiceWithConnectInfo<Router, SocketAddr>,
    ) {
        // Responses go out at once rather than waiting on Nagle's algorithm for the peer's ACK.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("TCP_NODELAY not set on a connection: {e}");
        }
        let Ok(router) = make.call(peer).await;
        let service = {
            let (waiting, slot) = (Arc::clone(&self.waiting), Arc::clone(&self.slot));
            hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                waiting.leave(&slot, false);
                let again = WaitAgain {
                    waiting: Arc::clone(&waiting),
                    slot: Arc::clone(&slot),
                };
                let router = router.clone();
                async move {
                    let Ok(resp) = router.oneshot(req).await;
                    Ok::<_, Infallible>(resp.map(|body| {
                        Body::new(body.map_frame(move |frame| {
                            let _waits_again_once_dropped = &again;
                            frame
                        }))
                    }))
                }
            })
        };
        let activity = Activity::new();
        let io = TokioIo::new(Watched {
            inner: tcp,
            activity: Arc::clone(&activity),
        });
        let conn = hyper::server::conn::http1::Builder::new()
            .timer(TokioTimer::new())
            .header_read_timeout(self.limits.header_read_timeout)
            .keep_alive(true)
            .serve_connection(io, service);
        tokio::pin!(conn);
        let mut stopping = false;
        let idle = activity.expiry(self.limits.idle_timeout);
        tokio::pin!(idle);
        loop {
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r {
                        tracing::debug!("connection closed: {e}");
                    }
                    break;
                }
                () = self.slot.close.notified() => break,
                () = &mut idle => break,
                _ = self.stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
        self.waiting.leave(&self.slot, true);
    }
}

/// When a connection last moved a byte, in milliseconds since it was accepted.
struct Activity {
    start: Instant,
    last_ms: AtomicU64,
}

impl Activity {
    fn new() -> Arc<Activity> {
        Arc::new(Activity {
            start: Instant::now(),
            last_ms: AtomicU64::new(0),
        })
    }

    fn touch(&self) {
        let ms = u64::try_from(self.start.elapsed().as_millis()).unwrap_or(u64::MAX);
        self.last_ms.store(ms, Ordering::Relaxed);
    }

    /// Completes once `timeout` has passed without a byte moving.
    async fn expiry(self: Arc<Self>, timeout: Duration) {
        loop {
            let last = Duration::from_millis(self.last_ms.load(Ordering::Relaxed));
            let due = self.start + last + timeout;
            if Instant::now() >= due {
                return;
            }
            tokio::time::sleep_until(due.into()).await;
        }
    }
}

/// A socket that records when a byte last moved.
struct Watched {
    inner: TcpStream,
    activity: Arc<Activity>,
}

impl AsyncRead for Watched {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let r = Pin::new(&mut self.inner).poll_read(cx, buf);
        if matches!(r, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.touch();
        }
        r
    }
}

impl AsyncWrite for Watched {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write(cx, buf);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        let r = Pin::new(&mut self.inner).poll_write_vectored(cx, bufs);
        if matches!(r, Poll::Ready(Ok(n)) if n > 0) {
            self.activity.touch();
        }
        r
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

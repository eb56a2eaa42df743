//! The HTTP listener, on hyper's HTTP/1 connections rather than `axum::serve`, which has no
//! header-read or idle time-out and no connection limit (issue 18: a few hundred half-sent
//! requests used to exhaust the file descriptors and `/health` stopped answering).

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::connect_info::IntoMakeServiceWithConnectInfo;
use axum::Router;
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

/// How long the accept loop pauses after an error (`EMFILE` leaves the connection in the
/// queue, so retrying at once would spin), and how often such an error is logged at most.
const ACCEPT_PAUSE: Duration = Duration::from_millis(50);
const ACCEPT_LOG_EVERY: Duration = Duration::from_secs(5);

/// Serves `app` on `listener` until `shutdown` completes, then stops accepting, lets open
/// connections finish their requests for `limits.shutdown_grace` and closes the rest.
///
/// At `limits.max_connections` a new connection closes the oldest connection that has not yet
/// sent a whole request head (a slow-header client, by the time there are that many), so a
/// flood of half-sent requests cannot keep `/health` out; when every connection has been
/// served at least once, the new one waits in the kernel's accept queue instead.
pub async fn serve_on(
    listener: TcpListener,
    app: Router,
    limits: Limits,
    shutdown: impl Future<Output = ()>,
) {
    let make = app.into_make_service_with_connect_info::<SocketAddr>();
    let slots = Arc::new(Semaphore::new(limits.max_connections));
    let unserved = Arc::new(Unserved::default());
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = JoinSet::new();
    let mut next_id: u64 = 0;
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
                unserved.close_oldest();
                tokio::select! {
                    () = &mut shutdown => break,
                    p = Arc::clone(&slots).acquire_owned() => match p {
                        Ok(p) => p,
                        Err(_) => break,
                    },
                }
            }
        };
        let id = next_id;
        next_id = next_id.wrapping_add(1);
        let conn = Conn {
            id,
            close: unserved.insert(id),
            unserved: Arc::clone(&unserved),
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

/// The connections that have not yet sent a whole request head, oldest (lowest id) first, each
/// with the signal that closes it.
#[derive(Default)]
struct Unserved(Mutex<std::collections::BTreeMap<u64, Arc<Notify>>>);

impl Unserved {
    fn insert(&self, id: u64) -> Arc<Notify> {
        let close = Arc::new(Notify::new());
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(id, Arc::clone(&close));
        close
    }

    fn remove(&self, id: u64) {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// Signals the oldest to close; false when there is none.
    fn close_oldest(&self) -> bool {
        let oldest = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_first();
        oldest.map(|(_, close)| close.notify_one()).is_some()
    }
}

/// One accepted connection and what it holds: its slot, its place among the unserved, the
/// server's stop signal.
struct Conn {
    id: u64,
    close: Arc<Notify>,
    unserved: Arc<Unserved>,
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
        let served = Arc::new(AtomicBool::new(false));
        let service = {
            let (unserved, id, served) = (Arc::clone(&self.unserved), self.id, served);
            hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                if !served.swap(true, Ordering::Relaxed) {
                    unserved.remove(id);
                }
                router.clone().oneshot(req)
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
                () = self.close.notified() => break,
                () = &mut idle => break,
                _ = self.stop.changed(), if !stopping => {
                    stopping = true;
                    conn.as_mut().graceful_shutdown();
                }
            }
        }
        self.unserved.remove(self.id);
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
    fn expiry(self: Arc<Self>, timeout: Duration) -> impl Future<Output = ()> {
        async move {
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

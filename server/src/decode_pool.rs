//! One fixed pool for CPU-heavy work an anonymous client can ask for (issue 18: a QR photo on
//! the scan form), with a bounded queue and cancellation when the client leaves, and the QR
//! decoder's time budget.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;
use verifier::qr::QrError;

/// Why a job did not run to its end.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PoolError {
    /// Every worker is busy and the queue is full: the client may retry later.
    #[error("the decode pool and its queue are full")]
    Busy,
    /// The job panicked or the runtime is shutting down.
    #[error("the decode job failed")]
    Failed,
}

/// Set when the request that submitted a job is gone; a job checks it between steps.
#[derive(Debug, Clone, Default)]
pub struct Cancel(Arc<AtomicBool>);

impl Cancel {
    /// Whether the client has left.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}

/// Sets the flag when the future awaiting the job is dropped (the client closed the
/// connection, or the request timed out); setting it after the job returned changes nothing.
struct CancelOnDrop(Cancel);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        (self.0).0.store(true, Ordering::Relaxed);
    }
}

/// At most `workers` jobs run at once, on tokio's blocking threads; at most `queue` more wait
/// for one. A job holds its slots until its closure returns, not until its client leaves, so
/// the bounds hold for abandoned work too.
pub struct DecodePool {
    /// `workers + queue` permits: a job takes one to get in, or the request gets
    /// [`PoolError::Busy`].
    admitted: Arc<Semaphore>,
    /// `workers` permits: a job takes one to run (first come, first served).
    running: Arc<Semaphore>,
    workers: usize,
    queue: usize,
}

impl std::fmt::Debug for DecodePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecodePool")
            .field("workers", &self.workers)
            .field("queue", &self.queue)
            .finish_non_exhaustive()
    }
}

impl DecodePool {
    /// A pool of `workers` (at least one) with `queue` waiting places.
    pub fn new(workers: usize, queue: usize) -> Self {
        let workers = workers.max(1);
        DecodePool {
            admitted: Arc::new(Semaphore::new(workers.saturating_add(queue))),
            running: Arc::new(Semaphore::new(workers)),
            workers,
            queue,
        }
    }

    /// Jobs that may run at once.
    pub fn workers(&self) -> usize {
        self.workers
    }

    /// Runs `job` on a worker once one is free, or answers [`PoolError::Busy`] at once when the
    /// workers and the queue are full. Dropping the returned future while the job waits removes
    /// it from the queue (it never runs); while it runs, sets the [`Cancel`] it was given.
    pub async fn run<T, F>(&self, job: F) -> Result<T, PoolError>
    where
        F: FnOnce(&Cancel) -> T + Send + 'static,
        T: Send + 'static,
    {
        let admitted = Arc::clone(&self.admitted)
            .try_acquire_owned()
            .map_err(|_| PoolError::Busy)?;
        let running = Arc::clone(&self.running)
            .acquire_owned()
            .await
            .map_err(|_| PoolError::Failed)?;
        let cancel = Cancel::default();
        let _cancel_on_drop = CancelOnDrop(cancel.clone());
        let handle = tokio::task::spawn_blocking(move || {
            let _slots = (admitted, running);
            job(&cancel)
        });
        handle.await.map_err(|_| PoolError::Failed)
    }
}

/// Runs the QR decoder's passes while the client is there and the next pass, predicted from
/// the last one's time per pixel, still ends within `budget` of the start.
pub fn read_qr_within(bytes: &[u8], budget: Duration, cancel: &Cancel) -> Result<String, QrError> {
    let start = Instant::now();
    // The first pass is timed from the start, so reading the file counts too.
    let mut pass_began = start;
    verifier::qr::decode_in_passes(bytes, &mut |done, next| {
        let now = Instant::now();
        let spent = now.duration_since(start);
        let took = now.duration_since(pass_began).as_secs_f64();
        pass_began = now;
        let predicted = took * next.pixels() as f64 / done.pixels().max(1) as f64;
        !cancel.is_cancelled() && spent.as_secs_f64() + predicted <= budget.as_secs_f64()
    })
}

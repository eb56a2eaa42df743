//! What the domain counts for the metrics: certificates issued and messages sent. Plain atomics,
//! so counting never waits; the web layer reads them when `/metrics` is scraped.

use std::sync::atomic::{AtomicU64, Ordering};

/// The process's domain counters.
#[derive(Debug, Default)]
pub struct Counters {
    issued: AtomicU64,
    sent: AtomicU64,
    send_failures: AtomicU64,
}

impl Counters {
    /// Counts an issued certificate.
    pub fn certificate_issued(&self) {
        self.issued.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts an outbox send.
    pub fn message_sent(&self, ok: bool) {
        if ok {
            self.sent.fetch_add(1, Ordering::Relaxed);
        } else {
            self.send_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Certificates issued by this process.
    pub fn issued(&self) -> u64 {
        self.issued.load(Ordering::Relaxed)
    }

    /// Messages sent by this process.
    pub fn sent(&self) -> u64 {
        self.sent.load(Ordering::Relaxed)
    }

    /// Sends that failed in this process.
    pub fn send_failures(&self) -> u64 {
        self.send_failures.load(Ordering::Relaxed)
    }
}

//! The public verify endpoint's limit (SECURITY.md 49): a per-instance, in-memory token bucket
//! per client IP, so verification never writes to the database. Authentication counters, which
//! instances must share, live in the database instead.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};

use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

/// Checks between two prunings of idle buckets.
const PRUNE_EVERY: u64 = 4096;

/// A token bucket per IP address: `per_minute` requests a minute, in bursts of up to as many.
pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
    clock: DefaultClock,
    checks: AtomicU64,
}

impl std::fmt::Debug for IpLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpLimiter")
            .field("clients", &self.limiter.len())
            .finish()
    }
}

impl IpLimiter {
    /// A limiter of `per_minute` requests per IP; `None` when the limit is off (0).
    pub fn per_minute(per_minute: u32) -> Option<Self> {
        let n = NonZeroU32::new(per_minute)?;
        Some(IpLimiter {
            limiter: RateLimiter::dashmap(Quota::per_minute(n)),
            clock: DefaultClock::default(),
            checks: AtomicU64::new(0),
        })
    }

    /// `Ok` when `ip` may make a request now; otherwise the seconds until it may (at least 1).
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        if self.checks.fetch_add(1, Ordering::Relaxed) % PRUNE_EVERY == PRUNE_EVERY - 1 {
            // Buckets that have refilled completely carry no information: drop them, so the
            // map stays as large as the set of recently active clients.
            self.limiter.retain_recent();
        }
        self.limiter.check_key(&ip).map_err(|not_until| {
            let wait = not_until.wait_time_from(self.clock.now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_each_ip_separately() {
        let Some(l) = IpLimiter::per_minute(3) else {
            panic!("a limit of 3 is on")
        };
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        for _ in 0..3 {
            assert_eq!(l.check(a), Ok(()));
        }
        let wait = l
            .check(a)
            .expect_err("the fourth request within a minute is refused");
        assert!((1..=20).contains(&wait), "retry after {wait} s");
        assert_eq!(l.check(b), Ok(()), "another client is not affected");
    }

    #[test]
    fn zero_switches_it_off() {
        assert!(IpLimiter::per_minute(0).is_none());
    }
}

//! In-memory limits of anonymous requests (SECURITY.md 49): a per-instance token bucket per
//! client IP (the web layer's limit of the public verify endpoint, and the captcha pictures), so
//! neither writes to the database, and a gate that keeps a tripped cap's alert from flooding the
//! log. Authentication counters, which instances must share, live in the database instead.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;

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

/// The client as the anonymous limits count it: an IPv4 address as it is, an IPv6 address by
/// its /64 network (one subscriber's usual assignment), so rotating addresses inside one's own
/// prefix does not multiply a budget. IPv4-mapped IPv6 addresses count as their IPv4 address.
pub fn client_of(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V4(_) => ip,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6((u128::from(v6) & !u128::from(u64::MAX)).into()),
        },
    }
}

/// Lets an alert through at most once per interval per instance.
#[derive(Debug, Default)]
pub struct AlertGate {
    last: AtomicI64,
}

impl AlertGate {
    /// Whether an alert at `now` (Unix seconds) is due: true at most once per `every_secs`.
    pub fn due(&self, now: i64, every_secs: i64) -> bool {
        let last = self.last.load(Ordering::Relaxed);
        (last == 0 || now - last >= every_secs)
            && self
                .last
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
    }
}

/// What an instance holds in memory for the anonymous pages.
#[derive(Debug)]
pub struct Anonymous {
    /// Captcha pictures per client and minute; `None` when switched off.
    pub captcha_pictures: Option<IpLimiter>,
    /// Captcha pictures drawn at once, on blocking threads: half the cores (at least one), so a
    /// flood from many clients cannot take the whole CPU.
    pub picture_slots: Arc<tokio::sync::Semaphore>,
    /// The alert when the captcha answers' cap is reached.
    pub captcha_full: AlertGate,
    /// The alert when the authentication counters' cap on client addresses is reached.
    pub auth_clients_full: AlertGate,
}

impl Anonymous {
    /// With `captcha_per_minute` pictures per client and minute (0: no limit) and
    /// `picture_slots` pictures drawn at once.
    pub fn new(captcha_per_minute: u32, picture_slots: usize) -> Self {
        Anonymous {
            captcha_pictures: IpLimiter::per_minute(captcha_per_minute),
            picture_slots: Arc::new(tokio::sync::Semaphore::new(picture_slots.max(1))),
            captcha_full: AlertGate::default(),
            auth_clients_full: AlertGate::default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_its_64_network() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(client_of(a), client_of(b));
        assert_ne!(client_of(a), client_of(c));
        let v4: IpAddr = "203.0.113.7".parse().unwrap();
        assert_eq!(client_of(v4), v4);
        let mapped: IpAddr = "::ffff:203.0.113.7".parse().unwrap();
        assert_eq!(client_of(mapped), v4);
    }

    #[test]
    fn alerts_pass_once_per_interval() {
        let g = AlertGate::default();
        assert!(g.due(1000, 60));
        assert!(!g.due(1001, 60));
        assert!(!g.due(1059, 60));
        assert!(g.due(1060, 60));
    }

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

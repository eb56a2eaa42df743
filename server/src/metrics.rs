//! Prometheus metrics on `prometheus-client`: request counts by method, route template and
//! status, latency histograms by method and route; certificates issued and messages sent (the
//! domain's atomics, read at scrape time); outbox depth (read from the store at scrape time, so
//! every instance reports the shared queue).
//!
//! Counting a request takes no lock shared between routes: the series handles of each
//! (method, route, status) seen so far sit in an immutable map behind an [`ArcSwap`], so a request
//! loads it (lock-free), bumps its counter (an atomic) and records its latency in the histogram
//! of its (method, route) (`prometheus-client` guards each histogram with its own mutex). Only the first request of a new
//! combination takes the writer's mutex, creates the series in the registry's families and
//! publishes a copy of the map with it added — a bounded number of times, since route templates
//! (never raw paths), methods and statuses are few.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use arc_swap::ArcSwap;
use prometheus_client::collector::Collector;
use prometheus_client::encoding::{DescriptorEncoder, EncodeLabelSet, EncodeMetric as _};
use prometheus_client::metrics::counter::{ConstCounter, Counter};
use prometheus_client::metrics::family::{Family, MetricConstructor};
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::{Registry, Unit};
use service::counters::Counters;

use crate::store::OutboxCounts;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// The content type of the OpenMetrics text exposition `prometheus-client` writes.
pub const CONTENT_TYPE: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    route: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabels {
    method: String,
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StatusLabels {
    status: &'static str,
}

#[derive(Clone)]
struct Buckets;

impl MetricConstructor<Histogram> for Buckets {
    fn new_metric(&self) -> Histogram {
        Histogram::new(BUCKETS)
    }
}

/// The series one (method, status) of a route counts into.
#[derive(Clone)]
struct Handles {
    method: Box<str>,
    status: u16,
    requests: Counter,
    duration: Histogram,
}

/// Route template → the handles seen so far on it (a handful, so a scan).
type Seen = HashMap<Box<str>, Vec<Handles>>;

fn find<'a>(seen: &'a Seen, method: &str, route: &str, status: u16) -> Option<&'a Handles> {
    seen.get(route)?
        .iter()
        .find(|h| h.status == status && &*h.method == method)
}

/// The process's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    durations: Family<RouteLabels, Histogram, Buckets>,
    outbox: Family<StatusLabels, Gauge>,
    /// Read on every request without a lock; replaced on a new combination.
    seen: ArcSwap<Seen>,
    /// Serialises the (rare) additions to `seen`.
    adding: Mutex<()>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

/// The domain's counters, encoded at scrape time.
#[derive(Debug)]
struct DomainCounters(Arc<Counters>);

impl Collector for DomainCounters {
    fn encode(&self, mut encoder: DescriptorEncoder) -> Result<(), std::fmt::Error> {
        for (name, help, value) in [
            (
                "dcc_certificates_issued",
                "Certificates issued by this process.",
                self.0.issued(),
            ),
            (
                "dcc_outbox_sent",
                "Messages this process sent.",
                self.0.sent(),
            ),
            (
                "dcc_outbox_send_failures",
                "Failed send attempts of this process.",
                self.0.send_failures(),
            ),
        ] {
            let counter = ConstCounter::new(value);
            let metric = encoder.encode_descriptor(name, help, None, counter.metric_type())?;
            counter.encode(metric)?;
        }
        Ok(())
    }
}

impl Metrics {
    /// Request metrics beside the domain's `counters`.
    pub fn new(counters: Arc<Counters>) -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "dcc_http_requests",
            "HTTP requests by route template",
            requests.clone(),
        );
        let durations = Family::new_with_constructor(Buckets);
        registry.register_with_unit(
            "dcc_http_request_duration",
            "Request latency",
            Unit::Seconds,
            durations.clone(),
        );
        let outbox = Family::<StatusLabels, Gauge>::default();
        registry.register(
            "dcc_outbox_messages",
            "Outbox messages by status (shared database)",
            outbox.clone(),
        );
        registry.register_collector(Box::new(DomainCounters(counters)));
        Metrics {
            registry,
            requests,
            durations,
            outbox,
            seen: ArcSwap::default(),
            adding: Mutex::new(()),
        }
    }

    /// Counts a request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let count = |h: &Handles| {
            h.requests.inc();
            h.duration.observe(seconds);
        };
        // The common case: the combination was seen; no allocation, no lock but the series'.
        if let Some(h) = find(&self.seen.load(), method, route, status) {
            return count(h);
        }
        count(&self.add(method, route, status));
    }

    /// Creates the series of a new combination and publishes a map with it.
    fn add(&self, method: &str, route: &str, status: u16) -> Handles {
        // A new combination: under the writer's lock, check again (another request may have
        // added it meanwhile), then publish a copy with it.
        let _adding = self.adding.lock().unwrap_or_else(|e| e.into_inner());
        let current = self.seen.load_full();
        if let Some(found) = find(&current, method, route, status) {
            return found.clone();
        }
        let route_labels = RouteLabels {
            method: method.to_string(),
            route: route.to_string(),
        };
        let handles = Handles {
            method: method.into(),
            status,
            requests: self.requests.get_or_create_owned(&RequestLabels {
                method: method.to_string(),
                route: route.to_string(),
                status,
            }),
            duration: self.durations.get_or_create_owned(&route_labels),
        };
        let mut next = Seen::clone(&current);
        next.entry(route.into()).or_default().push(handles.clone());
        self.seen.store(Arc::new(next));
        handles
    }

    /// The OpenMetrics text exposition, with the outbox depth read at scrape time.
    pub fn render(&self, outbox: OutboxCounts) -> String {
        for (status, n) in [
            ("pending", outbox.pending),
            ("sent", outbox.sent),
            ("failed", outbox.failed),
        ] {
            self.outbox.get_or_create(&StatusLabels { status }).set(n);
        }
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts() -> OutboxCounts {
        OutboxCounts {
            pending: 2,
            sent: 5,
            failed: 1,
        }
    }

    #[test]
    fn requests_are_counted_by_route_method_and_status() {
        let counters = Arc::new(Counters::default());
        let m = Metrics::new(counters.clone());
        m.request("GET", "/trust-list", 200, 0.002);
        m.request("GET", "/trust-list", 200, 0.5);
        m.request("GET", "/trust-list", 304, 0.0001);
        m.request("POST", "/verify", 200, 0.003);
        counters.certificate_issued();
        let text = m.render(counts());
        for line in [
            "dcc_http_requests_total{method=\"GET\",route=\"/trust-list\",status=\"200\"} 2",
            "dcc_http_requests_total{method=\"GET\",route=\"/trust-list\",status=\"304\"} 1",
            "dcc_http_requests_total{method=\"POST\",route=\"/verify\",status=\"200\"} 1",
            "dcc_http_request_duration_seconds_count{method=\"GET\",route=\"/trust-list\"} 3",
            "dcc_http_request_duration_seconds_bucket{le=\"0.001\",method=\"GET\",route=\"/trust-list\"} 1",
            "dcc_http_request_duration_seconds_bucket{le=\"0.25\",method=\"GET\",route=\"/trust-list\"} 2",
            "dcc_outbox_messages{status=\"pending\"} 2",
            "dcc_outbox_messages{status=\"failed\"} 1",
            "dcc_certificates_issued_total 1",
            "dcc_outbox_sent_total 0",
            "# EOF",
        ] {
            assert!(text.contains(line), "{line} missing from\n{text}");
        }
    }

    #[test]
    fn label_values_are_escaped() {
        let m = Metrics::new(Arc::default());
        m.request("GET", "/a\"b\\c\nd", 200, 0.0);
        let text = m.render(counts());
        assert!(text.contains(r#"route="/a\"b\\c\nd""#), "{text}");
    }

    #[test]
    fn concurrent_first_requests_share_one_series() {
        let m = Arc::new(Metrics::new(Arc::default()));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let m = m.clone();
                std::thread::spawn(move || {
                    for _ in 0..1000 {
                        m.request("GET", "/health", 200, 0.0);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let text = m.render(counts());
        assert!(
            text.contains(
                "dcc_http_requests_total{method=\"GET\",route=\"/health\",status=\"200\"} 8000"
            ),
            "{text}"
        );
    }
}

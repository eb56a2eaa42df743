//! Prometheus metrics without a metrics crate: request counts and latency buckets by method,
//! route template and status; certificates issued; outbox depth (read from the store at scrape
//! time, so every instance reports the shared queue).

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};

use service::counters::Counters;

use crate::store::OutboxCounts;

/// Latency bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default, Clone)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

/// The series of one route template: by method and status, a handful per route, so a scan.
type RouteSeries = Vec<(String, u16, Series)>;

/// The process's counters.
#[derive(Default)]
pub struct Metrics {
    /// By route template; counting a request allocates only the first time a route, method
    /// and status are seen.
    requests: Mutex<HashMap<String, RouteSeries>>,
    /// The domain's counters (certificates issued, messages sent), shared with its context.
    counters: Arc<Counters>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metrics").finish_non_exhaustive()
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

impl Metrics {
    /// Counts a request.
    pub fn request(&self, method: &str, route: &str, status: u16, seconds: f64) {
        if let Ok(mut m) = self.requests.lock() {
            let series = match m.get_mut(route) {
                Some(series) => series,
                None => m.entry(route.to_string()).or_default(),
            };
            let found = series
                .iter()
                .position(|(m, st, _)| *st == status && m == method);
            let entry = match found {
                Some(i) => series.get_mut(i),
                None => {
                    series.push((method.to_string(), status, Series::default()));
                    series.last_mut()
                }
            };
            let Some((_, _, s)) = entry else {
                return;
            };
            s.count += 1;
            s.sum += seconds;
            for (b, bound) in s.buckets.iter_mut().zip(BUCKETS) {
                if seconds <= bound {
                    *b += 1;
                }
            }
        }
    }

    /// Request metrics beside the domain's `counters`.
    pub fn new(counters: Arc<Counters>) -> Self {
        Metrics {
            requests: Mutex::default(),
            counters,
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self, outbox: OutboxCounts) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP dcc_http_requests_total HTTP requests by route template."
        );
        let _ = writeln!(out, "# TYPE dcc_http_requests_total counter");
        let snapshot: BTreeMap<(String, String, u16), Series> = self
            .requests
            .lock()
            .map(|m| {
                m.iter()
                    .flat_map(|(route, series)| {
                        series.iter().map(|(method, status, s)| {
                            ((method.clone(), route.clone(), *status), s.clone())
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        for ((method, route, status), s) in &snapshot {
            let _ = writeln!(
                out,
                "dcc_http_requests_total{{method=\"{}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(method),
                escape(route),
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP dcc_http_request_duration_seconds Request latency."
        );
        let _ = writeln!(out, "# TYPE dcc_http_request_duration_seconds histogram");
        let mut by_route: BTreeMap<(String, String), Series> = BTreeMap::new();
        for ((method, route, _), s) in &snapshot {
            let e = by_route.entry((method.clone(), route.clone())).or_default();
            e.count += s.count;
            e.sum += s.sum;
            for (a, b) in e.buckets.iter_mut().zip(s.buckets) {
                *a += b;
            }
        }
        for ((method, route), s) in &by_route {
            let labels = format!("method=\"{}\",route=\"{}\"", escape(method), escape(route));
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "dcc_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "dcc_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "dcc_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "dcc_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP dcc_certificates_issued_total Certificates issued by this process."
        );
        let _ = writeln!(out, "# TYPE dcc_certificates_issued_total counter");
        let _ = writeln!(
            out,
            "dcc_certificates_issued_total {}",
            self.counters.issued()
        );
        let _ = writeln!(
            out,
            "# HELP dcc_outbox_sent_total Messages this process sent."
        );
        let _ = writeln!(out, "# TYPE dcc_outbox_sent_total counter");
        let _ = writeln!(out, "dcc_outbox_sent_total {}", self.counters.sent());
        let _ = writeln!(
            out,
            "# HELP dcc_outbox_send_failures_total Failed send attempts of this process."
        );
        let _ = writeln!(out, "# TYPE dcc_outbox_send_failures_total counter");
        let _ = writeln!(
            out,
            "dcc_outbox_send_failures_total {}",
            self.counters.send_failures()
        );
        let _ = writeln!(
            out,
            "# HELP dcc_outbox_messages Outbox messages by status (shared database)."
        );
        let _ = writeln!(out, "# TYPE dcc_outbox_messages gauge");
        let _ = writeln!(
            out,
            "dcc_outbox_messages{{status=\"pending\"}} {}",
            outbox.pending
        );
        let _ = writeln!(
            out,
            "dcc_outbox_messages{{status=\"sent\"}} {}",
            outbox.sent
        );
        let _ = writeln!(
            out,
            "dcc_outbox_messages{{status=\"failed\"}} {}",
            outbox.failed
        );
        out
    }
}

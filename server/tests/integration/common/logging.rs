//! The test binary's one log subscriber: sinks for leak checks, and a probe that lists the SQL
//! statements run inside one future. sqlx logs every statement at DEBUG (target `sqlx::query`)
//! in the span of the caller, also from SQLite's worker thread, so a statement belongs to the
//! probe whose span it ran in, whatever other tests do at the same time.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};

use tracing::field::{Field, Visit};
use tracing::Instrument as _;
use tracing_subscriber::layer::{Context, SubscriberExt as _};
use tracing_subscriber::registry::LookupSpan;
use tracing_subscriber::util::SubscriberInitExt as _;
use tracing_subscriber::Layer;

use super::Sink;

static STATEMENTS: Mutex<Option<HashMap<u64, Vec<String>>>> = Mutex::new(None);
static NEXT: AtomicU64 = AtomicU64::new(1);

struct ProbeId(u64);
struct Probe;

struct IdField(Option<u64>);
impl Visit for IdField {
    fn record_u64(&mut self, f: &Field, v: u64) {
        if f.name() == "probe_id" {
            self.0 = Some(v);
        }
    }
    fn record_debug(&mut self, _: &Field, _: &dyn std::fmt::Debug) {}
}

struct Sql(String);
impl Visit for Sql {
    fn record_str(&mut self, f: &Field, v: &str) {
        if matches!(f.name(), "summary" | "db.statement") {
            self.0.push_str(v);
            self.0.push(' ');
        }
    }
    fn record_debug(&mut self, f: &Field, v: &dyn std::fmt::Debug) {
        if matches!(f.name(), "summary" | "db.statement") {
            self.0.push_str(&format!("{v:?} "));
        }
    }
}

impl<S> Layer<S> for Probe
where
    S: tracing::Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: Context<'_, S>,
    ) {
        if attrs.metadata().name() != "probe" {
            return;
        }
        let mut v = IdField(None);
        attrs.record(&mut v);
        if let (Some(n), Some(span)) = (v.0, ctx.span(id)) {
            span.extensions_mut().insert(ProbeId(n));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        if !event.metadata().target().starts_with("sqlx::query") {
            return;
        }
        let Some(scope) = ctx.event_scope(event) else {
            return;
        };
        for span in scope {
            if let Some(ProbeId(n)) = span.extensions().get::<ProbeId>() {
                let mut sql = Sql(String::new());
                event.record(&mut sql);
                // Data statements only: a new pool connection's PRAGMAs run in the span
                // of whichever request opened it.
                let verb = sql.0.split_whitespace().next().unwrap_or("");
                if !["SELECT", "INSERT", "UPDATE", "DELETE", "WITH"]
                    .iter()
                    .any(|v| verb.eq_ignore_ascii_case(v))
                {
                    return;
                }
                STATEMENTS
                    .lock()
                    .unwrap()
                    .get_or_insert_with(HashMap::new)
                    .entry(*n)
                    .or_default()
                    .push(sql.0);
                return;
            }
        }
    }
}

/// Every sink registered so far; the subscriber's writer appends each line to all of them.
static SINKS: Mutex<Vec<Sink>> = Mutex::new(Vec::new());

#[derive(Clone, Copy)]
struct Fanout;

impl std::io::Write for Fanout {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        for sink in SINKS.lock().unwrap().iter() {
            sink.0.lock().unwrap().extend_from_slice(buf);
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Installs the binary's one subscriber (first call only): every line at every level, sqlx's
/// statements included, goes to the registered sinks; sqlx's statements also to the probe.
fn install() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        let fmt = tracing_subscriber::fmt::layer()
            .with_ansi(false)
            .with_writer(|| Fanout)
            .with_filter(tracing_subscriber::filter::LevelFilter::TRACE);
        tracing_subscriber::registry()
            .with(fmt)
            .with(Probe)
            .try_init()
            .expect("the only subscriber of this test binary");
    });
}

/// From now on, `sink` receives every line logged in this process (under `cargo nextest`, a
/// test's own; under `cargo test`, also those of tests running beside it).
pub fn register(sink: &Sink) {
    install();
    SINKS.lock().unwrap().push(sink.clone());
}

/// A sink registered once for the whole process.
pub fn sink() -> &'static Sink {
    static SINK: OnceLock<Sink> = OnceLock::new();
    SINK.get_or_init(|| {
        let sink = Sink::default();
        register(&sink);
        sink
    })
}

/// Runs `f` and returns its output with the data statements (SELECT, INSERT, UPDATE,
/// DELETE) it ran.
pub async fn statements<F: Future>(f: F) -> (F::Output, Vec<String>) {
    install();
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let out = f
        .instrument(tracing::info_span!("probe", probe_id = n))
        .await;
    let list = STATEMENTS
        .lock()
        .unwrap()
        .get_or_insert_with(HashMap::new)
        .remove(&n)
        .unwrap_or_default();
    (out, list)
}

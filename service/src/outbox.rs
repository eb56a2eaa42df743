//! The outbox worker: claims due messages with a lease, sends them (SMTP or SMS) and marks them
//! sent; failures retry with exponential backoff. Immediately before each send the worker renews
//! its lease on that one message and skips it if another worker re-claimed it meanwhile, and no
//! send may outlast three quarters of the lease, so a message is never sent by a worker that no
//! longer holds it (given instances whose clocks agree to well within the lease). A crash
//! between claim and send leaves the lease to expire, after which the message is claimed again:
//! nothing is lost. Delivery stays at least once: a crash (or a send cut at its deadline) after
//! the SMTP server or SMS gateway accepted the message and before the row is marked sends it
//! again once the lease runs out. Message texts are sealed at rest and wiped when a message
//! ends; ended messages and old audit events are purged after their retention (SECURITY.md 48).

use std::time::Duration;

use secrecy::SecretString;

use crate::secrets;
use crate::store::StoreError;
use crate::Ctx;

/// Delay before attempt `attempts + 1`: 30 s doubling, at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (30_i64 << exp).min(3600)
}

/// Claims one batch and processes it; returns how many messages were claimed.
pub async fn run_once(app: &Ctx) -> Result<usize, StoreError> {
    let cfg = &app.config.outbox;
    let deadline = app.config.send_deadline();
    let now = app.clock.now().unix_timestamp();
    let lease_token = secrets::new_id();
    let claimed = app
        .store
        .claim_messages(now, now + cfg.lease_secs, &lease_token, cfg.batch)
        .await?;
    for m in &claimed {
        // The batch may have outlived the claim's lease: renew it for this message alone, or
        // leave the message to the worker that re-claimed it.
        let now = app.clock.now().unix_timestamp();
        if !app
            .store
            .extend_lease(m.id, &lease_token, now + cfg.lease_secs)
            .await?
        {
            tracing::warn!(
                outbox_id = m.id,
                "lease lost before sending; left to its new holder"
            );
            continue;
        }
        let send = async {
            match m.channel.as_str() {
                "sms" => app
                    .sms
                    .send(&m.recipient, &SecretString::from(m.body.clone()))
                    .await
                    .map_err(|e| e.to_string()),
                _ => app.mailer.send(m).await.map_err(|e| e.to_string()),
            }
        };
        let result = match tokio::time::timeout(deadline, send).await {
            Ok(r) => r,
            Err(_) => Err(format!("not sent within {} ms", deadline.as_millis())),
        };
        let now = app.clock.now().unix_timestamp();
        match result {
            Ok(()) => {
                app.counters.message_sent(true);
                if !app.store.mark_sent(m.id, &lease_token, now).await? {
                    tracing::warn!(outbox_id = m.id, "sent after the lease ran out");
                } else {
                    tracing::info!(outbox_id = m.id, channel = %m.channel, "message sent");
                }
            }
            Err(e) => {
                app.counters.message_sent(false);
                let give_up = m.attempts >= cfg.max_attempts;
                tracing::warn!(outbox_id = m.id, attempts = m.attempts, give_up, error = %e, "send failed");
                let next = if give_up {
                    now
                } else {
                    now + backoff_secs(m.attempts)
                };
                app.store
                    .mark_failed(m.id, &lease_token, next, &e, give_up)
                    .await?;
            }
        }
    }
    Ok(claimed.len())
}

/// How often the worker purges ended codes, sessions, counters, messages and audit events.
const PURGE_EVERY_SECS: i64 = 600;

/// Deletes what ended long enough ago (SECURITY.md 48): one-time-code challenges, counters and
/// flows 24 hours after they end, sessions once they expire, sent and given-up messages after
/// `retention.outbox_days`, audit events after `retention.audit_days`.
pub async fn purge(app: &Ctx, now: i64) -> Result<u64, StoreError> {
    const DAY: i64 = 24 * 3600;
    let r = &app.config.retention;
    let mut n = app.store.purge(now - DAY, now).await?;
    n += app.store.purge_outbox(now - r.outbox_days * DAY).await?;
    n += app.store.purge_audit(now - r.audit_days * DAY).await?;
    Ok(n)
}

/// Runs the worker until shutdown (also purging ended rows every 10 minutes).
pub async fn run(app: Ctx, shutdown: tokio::sync::watch::Receiver<bool>) {
    let poll = Duration::from_millis(app.config.outbox.poll_ms.max(10));
    let mut shutdown = shutdown;
    let mut last_purge: Option<i64> = None;
    loop {
        let now = app.clock.now().unix_timestamp();
        if last_purge.is_none_or(|at| now - at >= PURGE_EVERY_SECS) {
            last_purge = Some(now);
            match purge(&app, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "purged ended rows"),
                Err(e) => tracing::error!(error = %e, "purge"),
            }
        }
        let busy = match run_once(&app).await {
            Ok(n) => n > 0,
            Err(e) => {
                tracing::error!(error = %e, "outbox worker");
                false
            }
        };
        if *shutdown.borrow() {
            break;
        }
        if !busy {
            tokio::select! {
                _ = tokio::time::sleep(poll) => {}
                _ = shutdown.changed() => break,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn backoff_doubles_to_an_hour() {
        let got: Vec<i64> = (1..=9).map(super::backoff_secs).collect();
        assert_eq!(got, vec![30, 60, 120, 240, 480, 960, 1920, 3600, 3600]);
    }
}

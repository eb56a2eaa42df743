//! The outbox worker: claims due messages with a lease, sends them (SMTP or SMS) and marks them
//! sent; failures retry with exponential backoff. A crash between claim and send leaves the
//! lease to expire, after which the message is claimed again: nothing is lost, and a message
//! is sent twice at most when the crash falls between sending and marking.

use std::time::Duration;

use secrecy::SecretString;

use crate::secrets;
use crate::state::AppState;
use crate::store::StoreError;

/// Delay before attempt `attempts + 1`: 30 s doubling, at most an hour.
pub fn backoff_secs(attempts: i64) -> i64 {
    let exp = attempts.clamp(1, 8) - 1;
    (30_i64 << exp).min(3600)
}

/// Claims one batch and processes it; returns how many messages were claimed.
pub async fn run_once(app: &AppState) -> Result<usize, StoreError> {
    let cfg = &app.config.outbox;
    let now = app.clock.now().unix_timestamp();
    let lease_token = secrets::new_id();
    let claimed = app
        .store
        .claim_messages(now, now + cfg.lease_secs, &lease_token, cfg.batch)
        .await?;
    for m in &claimed {
        let result = match m.channel.as_str() {
            "sms" => app
                .sms
                .send(&m.recipient, &SecretString::from(m.body.clone()))
                .await
                .map_err(|e| e.to_string()),
            _ => app.mailer.send(m).await.map_err(|e| e.to_string()),
        };
        let now = app.clock.now().unix_timestamp();
        match result {
            Ok(()) => {
                app.metrics.message_sent(true);
                if !app.store.mark_sent(m.id, &lease_token, now).await? {
                    tracing::warn!(outbox_id = m.id, "sent after the lease ran out");
                } else {
                    tracing::info!(outbox_id = m.id, channel = %m.channel, "message sent");
                }
            }
            Err(e) => {
                app.metrics.message_sent(false);
                let give_up = m.attempts >= cfg.max_attempts;
                tracing::warn!(outbox_id = m.id, attempts = m.attempts, give_up, error = %e, "send failed");
                app.store
                    .mark_failed(
                        m.id,
                        &lease_token,
                        now + backoff_secs(m.attempts),
                        &e,
                        give_up,
                    )
                    .await?;
            }
        }
    }
    Ok(claimed.len())
}

/// Runs the worker until `shutdown` resolves.
/// How often the worker purges ended codes, sessions and counters.
const PURGE_EVERY_SECS: i64 = 600;

/// Deletes one-time-code challenges, counters and sessions that ended more than 24 hours ago
/// (sessions: once they expire) (SECURITY.md 48).
pub async fn purge(app: &AppState, now: i64) -> Result<u64, StoreError> {
    app.store.purge(now - 24 * 3600, now).await
}

/// Runs the worker until shutdown (also purging the portal's ended rows every 10 minutes).
pub async fn run(app: AppState, shutdown: tokio::sync::watch::Receiver<bool>) {
    let poll = Duration::from_millis(app.config.outbox.poll_ms.max(10));
    let mut shutdown = shutdown;
    let mut last_purge: Option<i64> = None;
    loop {
        let now = app.clock.now().unix_timestamp();
        if last_purge.is_none_or(|at| now - at >= PURGE_EVERY_SECS) {
            last_purge = Some(now);
            match purge(&app, now).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(rows = n, "purged ended codes, sessions and counters"),
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

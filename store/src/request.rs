//! The request an audit event belongs to (SECURITY.md 47): its id and the client's address,
//! set once per request by the router and written by the store with every audit row, so no
//! service function has to carry them. Events outside a request (CLI, outbox worker) have none.

use std::future::Future;
use std::net::IpAddr;

/// The request being served.
#[derive(Debug, Clone)]
pub struct RequestContext {
    /// Random per request (16 hex characters); the generic error page shows the same id.
    pub request_id: String,
    /// The connection's peer address, when known.
    pub client_ip: Option<IpAddr>,
}

tokio::task_local! {
    static CURRENT: RequestContext;
}

impl RequestContext {
    /// A context with a fresh random request id.
    pub fn new(client_ip: Option<IpAddr>) -> Self {
        let mut id = [0u8; 8];
        let request_id = getrandom::getrandom(&mut id)
            .map(|()| hex::encode(id))
            .unwrap_or_default();
        RequestContext {
            request_id,
            client_ip,
        }
    }

    /// Runs `f` with this context as the current request's.
    pub async fn scope<F: Future>(self, f: F) -> F::Output {
        CURRENT.scope(self, f).await
    }

    /// The context of the request this task serves, if any.
    pub fn current() -> Option<RequestContext> {
        CURRENT.try_with(Clone::clone).ok()
    }
}

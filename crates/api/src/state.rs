//! Shared state of the HTTP layer.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use xuncha_store::Db;

use xuncha_service::crypto::Crypto;

/// Settings of the HTTP layer, from the server configuration.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// Mark cookies `Secure` (behind HTTPS). Off for plain-HTTP intranet installs and tests.
    pub secure_cookies: bool,
    /// Trust the first `X-Forwarded-For` address (only behind your own reverse proxy).
    pub trust_forwarded_for: bool,
    /// Issuer shown in authenticator apps.
    pub totp_issuer: String,
    /// The database URL, for `pg_dump` backups from the API (PostgreSQL only).
    pub database_url: Option<String>,
    /// SMTP relay for e-mailed notifications (`smtp://host:25`, `smtp://user:pass@host:587`);
    /// None keeps notifications in-app only.
    pub smtp_url: Option<String>,
    /// The sender of e-mailed notifications.
    pub smtp_from: String,
    /// Bearer token that `GET /metrics` requires; None turns `/metrics` off (404).
    pub metrics_token: Option<String>,
    /// Key of the SM3-HMAC over signed audit checkpoints (kept outside the database); None
    /// refuses to sign.
    pub audit_key: Option<Vec<u8>>,
}

impl ApiConfig {
    /// Where the scheduler e-mails notifications from.
    pub fn mail(&self) -> xuncha_service::scheduler::Mail {
        xuncha_service::scheduler::Mail {
            smtp_url: self.smtp_url.clone(),
            smtp_from: self.smtp_from.clone(),
        }
    }
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            totp_issuer: xuncha_domain::i18n::Msg::new("app.name").render(),
            database_url: None,
            smtp_url: None,
            smtp_from: "xuncha@localhost".to_string(),
            metrics_token: None,
            audit_key: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ApiConfig>,
    pub crypto: Arc<Crypto>,
    pub metrics: Option<PrometheusHandle>,
    /// Failed logins per client (salted digests of addresses, in memory).
    pub throttle: Arc<crate::throttle::LoginThrottle>,
    /// Requests of the public channel per client (digests under a daily key, in memory).
    pub public_throttle: Arc<crate::throttle::PublicThrottle>,
    /// This node's full-text index (kept in step by its worker, see `xuncha_search`).
    pub search: xuncha_search::Search,
}

impl AppState {
    /// The server's clock (carried by the database handle, so the store and the API read the
    /// same time).
    pub fn clock(&self) -> &Clock {
        self.db.clock()
    }
}

pub use xuncha_store::Clock;

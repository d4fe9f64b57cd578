//! Shared state of the HTTP layer.

use std::sync::Arc;

use metrics_exporter_prometheus::PrometheusHandle;
use xuncha_store::Db;

use crate::crypto::Crypto;

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
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            totp_issuer: "巡察工作平台".to_string(),
            database_url: None,
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ApiConfig>,
    pub crypto: Arc<Crypto>,
    pub metrics: Option<PrometheusHandle>,
}

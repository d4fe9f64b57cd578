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
    /// SMTP relay for e-mailed notifications (`smtp://host:25`, `smtp://user:pass@host:587`);
    /// None keeps notifications in-app only.
    pub smtp_url: Option<String>,
    /// The sender of e-mailed notifications.
    pub smtp_from: String,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            secure_cookies: false,
            trust_forwarded_for: false,
            totp_issuer: "巡察工作平台".to_string(),
            database_url: None,
            smtp_url: None,
            smtp_from: "xuncha@localhost".to_string(),
        }
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub config: Arc<ApiConfig>,
    pub crypto: Arc<Crypto>,
    pub metrics: Option<PrometheusHandle>,
    /// Today's date for deadlines, warnings and the scheduler.
    pub clock: Arc<Clock>,
}

/// The server's clock for dates (China local time, UTC+8). Tests and drills may move it forward
/// when it is built [`Clock::controllable`]; production clocks refuse to move.
#[derive(Debug, Default)]
pub struct Clock {
    offset_days: std::sync::atomic::AtomicI64,
    controllable: bool,
}

impl Clock {
    pub fn system() -> Self {
        Clock::default()
    }

    /// A clock that `POST /api/v1/testing/clock` may move (configuration `clock_control`).
    pub fn controllable() -> Self {
        Clock {
            offset_days: std::sync::atomic::AtomicI64::new(0),
            controllable: true,
        }
    }

    pub fn is_controllable(&self) -> bool {
        self.controllable
    }

    pub fn today(&self) -> time::Date {
        let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
        let days = self.offset_days.load(std::sync::atomic::Ordering::Relaxed);
        xuncha_store::now().to_offset(offset).date() + time::Duration::days(days)
    }

    /// Moves the clock forward by `days`; false when the clock is not controllable.
    pub fn advance(&self, days: i64) -> bool {
        if self.controllable {
            self.offset_days
                .fetch_add(days, std::sync::atomic::Ordering::Relaxed);
        }
        self.controllable
    }
}

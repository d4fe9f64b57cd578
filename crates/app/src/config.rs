//! Configuration: defaults, then a TOML file, then `XUNCHA_*` environment variables, then flags.
//! Unknown keys are rejected, so a typo fails loudly instead of being ignored.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where the SQLite database, keys and files live.
    pub data_dir: PathBuf,
    /// The address `serve` listens on.
    pub listen: SocketAddr,
    /// A `postgres://` URL selects PostgreSQL; empty means the embedded SQLite database.
    pub database_url: String,
    /// Mark cookies `Secure`; turn on when users reach Xuncha over HTTPS.
    pub secure_cookies: bool,
    /// Trust `X-Forwarded-For` (only behind your own reverse proxy).
    pub trust_forwarded_for: bool,
    /// `text` or `json`.
    pub log_format: String,
    /// A tracing filter such as `info` or `xuncha=debug,info`.
    pub log_level: String,
    /// Field-encryption keys (SM4, 32 hex digits each); the last is current. When empty, a key
    /// is generated once into `<data_dir>/keys/field.key`.
    pub encryption_keys: Vec<KeyEntry>,
    /// Let `POST /api/v1/testing/clock` move the server's date forward (browser tests and
    /// training drills only; never in production).
    pub clock_control: bool,
    /// With `clock_control`: the date (`YYYY-MM-DD`, China time) the server's clock starts on,
    /// so a drill or a browser test runs on a fixed day; empty starts on the system's date.
    pub clock_start: String,
    /// Seconds between two runs of the rectification scheduler (warnings, e-mail).
    pub scheduler_interval_secs: u64,
    /// SMTP relay for e-mailed notifications, e.g. `smtp://mail.example.gov.cn:25` or
    /// `smtp://user:password@host:587`; empty keeps notifications in-app only.
    pub smtp_url: String,
    /// The sender address of e-mailed notifications.
    pub smtp_from: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KeyEntry {
    pub id: u8,
    pub key: String,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            data_dir: PathBuf::from("data"),
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database_url: String::new(),
            secure_cookies: false,
            trust_forwarded_for: false,
            log_format: "text".into(),
            log_level: "info".into(),
            encryption_keys: Vec::new(),
            clock_control: false,
            clock_start: String::new(),
            scheduler_interval_secs: 300,
            smtp_url: String::new(),
            smtp_from: "xuncha@localhost".into(),
        }
    }
}

impl Config {
    /// Loads the layers. `file` is `--config`; without it `./xuncha.toml` is read if present.
    pub fn load(file: Option<&Path>) -> Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Config::default()));
        match file {
            Some(f) => {
                anyhow::ensure!(f.exists(), "配置文件不存在：{}", f.display());
                fig = fig.merge(Toml::file(f));
            }
            None if Path::new("xuncha.toml").exists() => fig = fig.merge(Toml::file("xuncha.toml")),
            None => {}
        }
        // XUNCHA_CONFIG names the file itself; XUNCHA_TEST_* belong to the test suite.
        let env =
            Env::prefixed("XUNCHA_").filter(|k| k != "config" && !k.as_str().starts_with("test_"));
        fig = fig.merge(env);
        if let Ok(url) = std::env::var("DATABASE_URL")
            && !url.is_empty()
        {
            fig = fig.merge(Serialized::default("database_url", url));
        }
        fig.extract()
            .context("配置有误（未知的配置项或取值类型错误）")
    }

    /// The database URL: PostgreSQL when configured, otherwise the SQLite file in the data dir.
    pub fn database(&self) -> String {
        if self.database_url.is_empty() {
            self.data_dir
                .join("xuncha.db")
                .to_string_lossy()
                .into_owned()
        } else {
            self.database_url.clone()
        }
    }

    /// The server's clock: the system's, or a controllable one (`clock_control`), pinned to
    /// `clock_start` when it is set.
    pub fn clock(&self) -> Result<xuncha_store::Clock> {
        let start = self.clock_start.trim();
        if start.is_empty() {
            return Ok(if self.clock_control {
                xuncha_store::Clock::controllable()
            } else {
                xuncha_store::Clock::system()
            });
        }
        anyhow::ensure!(
            self.clock_control,
            "clock_start 只能与 clock_control 一同使用"
        );
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let day = time::Date::parse(start, &fmt)
            .with_context(|| format!("clock_start 应为 YYYY-MM-DD 格式的日期：{start}"))?;
        Ok(xuncha_store::Clock::pinned_on(day))
    }

    pub fn is_postgres(&self) -> bool {
        self.database_url.starts_with("postgres")
    }

    /// The configured keys, or the data dir's generated key (created on first use, mode 0600).
    pub fn keys(&self) -> Result<Vec<(u8, String)>> {
        if !self.encryption_keys.is_empty() {
            return Ok(self
                .encryption_keys
                .iter()
                .map(|k| (k.id, k.key.clone()))
                .collect());
        }
        let dir = self.data_dir.join("keys");
        let file = dir.join("field.key");
        if !file.exists() {
            std::fs::create_dir_all(&dir).with_context(|| format!("创建目录 {}", dir.display()))?;
            let key = xuncha_api::crypto::new_token("").map_err(|e| anyhow::anyhow!("{e}"))?;
            std::fs::write(&file, &key[..32])
                .with_context(|| format!("写入 {}", file.display()))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o600))?;
            }
        }
        let key =
            std::fs::read_to_string(&file).with_context(|| format!("读取 {}", file.display()))?;
        Ok(vec![(1, key.trim().to_string())])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_unknown_keys_fail() {
        let dir = tempfile::tempdir().unwrap();
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../xuncha.example.toml");
        let c = Config::load(Some(&example)).unwrap();
        assert_eq!(c.listen.port(), 8080);
        let bad = dir.path().join("bad.toml");
        std::fs::write(&bad, "listn = \"127.0.0.1:1\"\n").unwrap();
        let err = format!("{:#}", Config::load(Some(&bad)).unwrap_err());
        assert!(err.contains("listn"), "{err}");
    }
}

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
    /// The rectification scheduler's period in seconds (at least 10): it runs once per period
    /// (warnings, e-mail), on one node when several share a PostgreSQL database.
    pub scheduler_interval_secs: u64,
    /// SMTP relay for e-mailed notifications, e.g. `smtp://mail.example.gov.cn:25` or
    /// `smtp://user:password@host:587`; empty keeps notifications in-app only.
    pub smtp_url: String,
    /// The sender address of e-mailed notifications.
    pub smtp_from: String,
    /// Bearer token for `GET /metrics`; empty (the default) turns `/metrics` off.
    pub metrics_token: String,
    /// Key of the SM3-HMAC that signs audit checkpoints (64 hex digits). When empty, a key is
    /// generated once into `<data_dir>/keys/audit.key`.
    pub audit_key: String,
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
            metrics_token: String::new(),
            audit_key: String::new(),
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
        let env = Env::prefixed("XUNCHA_")
            .filter(|k| k != "config" && !k.as_str().to_ascii_lowercase().starts_with("test_"));
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

    /// `<data_dir>/keys/field.key`, the generated field-encryption key.
    pub fn field_key_file(&self) -> PathBuf {
        self.data_dir.join("keys").join("field.key")
    }

    /// `<data_dir>/search`, this node's full-text index (rebuildable from the database).
    pub fn search_dir(&self) -> PathBuf {
        self.data_dir.join("search")
    }

    /// `<data_dir>/keys/audit.key`, the generated audit checkpoint key.
    pub fn audit_key_file(&self) -> PathBuf {
        self.data_dir.join("keys").join("audit.key")
    }

    /// Whether field-encryption keys are available without generating one.
    pub fn has_field_key(&self) -> bool {
        !self.encryption_keys.is_empty() || self.field_key_file().exists()
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
        let file = self.field_key_file();
        if !file.exists() {
            let key = xuncha_service::crypto::new_token("").map_err(|e| anyhow::anyhow!("{e}"))?;
            write_private(&file, &key.as_bytes()[..32])?;
        }
        let key =
            std::fs::read_to_string(&file).with_context(|| format!("读取 {}", file.display()))?;
        Ok(vec![(1, key.trim().to_string())])
    }

    /// The audit checkpoint key: configured, or `<data_dir>/keys/audit.key`, generated on first
    /// use (mode 0600) only when `generate` is set.
    pub fn audit_key(&self, generate: bool) -> Result<Vec<u8>> {
        let configured = self.audit_key.trim();
        let text = if configured.is_empty() {
            let file = self.audit_key_file();
            if !file.exists() {
                anyhow::ensure!(
                    generate,
                    "缺少审计密钥文件 {}（也未配置 audit_key），无法校验检查点签名",
                    file.display()
                );
                let key =
                    xuncha_service::crypto::new_token("").map_err(|e| anyhow::anyhow!("{e}"))?;
                write_private(&file, key.as_bytes())?;
            }
            std::fs::read_to_string(&file).with_context(|| format!("读取 {}", file.display()))?
        } else {
            configured.to_string()
        };
        let key = xuncha_service::crypto::unhex(&text)
            .filter(|k| k.len() >= 16)
            .context("audit_key 应为至少 32 位十六进制数字")?;
        Ok(key)
    }
}

/// Creates `dir` (and its parents) if needed and makes it private to the owner (0700).
pub fn private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir).with_context(|| format!("创建目录 {}", dir.display()))?;
    set_mode(dir, 0o700)
}

/// Writes a new file readable only by the owner (0600), creating its directory (0700).
pub fn write_private(file: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = file.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.exists()
    {
        private_dir(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options
        .open(file)
        .with_context(|| format!("写入 {}（文件已存在或无法创建）", file.display()))?;
    std::io::Write::write_all(&mut f, bytes).with_context(|| format!("写入 {}", file.display()))?;
    Ok(())
}

/// Sets a file's or directory's permission bits (Unix only; elsewhere nothing).
pub fn set_mode(path: &Path, mode: u32) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
            .with_context(|| format!("设置 {} 的权限", path.display()))?;
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
    Ok(())
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

//! Several Xuncha nodes for the load driver (`--load --nodes N --postgres`): N separate
//! `xuncha serve` processes on the profile's PostgreSQL schema, each with its own data directory,
//! its own connection pool and the same keys, on loopback ports, as behind a load balancer.
//!
//! The binary is `--xuncha PATH`, by default the `xuncha` next to this program (build both with
//! `cargo build --release -p xuncha -p xuncha-bench`). Each node's CPU time and peak resident
//! memory are read from `/proc/<pid>` (Linux).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// The field-encryption key the bench's servers use (the in-process one too).
pub const FIELD_KEY: &str = "00112233445566778899aabbccddeeff";

/// Started nodes; killed when dropped.
pub struct Nodes {
    children: Vec<Child>,
    pub bases: Vec<String>,
    _dirs: Vec<tempfile::TempDir>,
}

/// The `xuncha` binary: `--xuncha PATH`, else next to this program.
pub fn binary(args: &[String]) -> Result<PathBuf> {
    let path = match crate::profile::arg(args, "--xuncha") {
        Some(p) => PathBuf::from(p),
        None => std::env::current_exe()?.with_file_name("xuncha"),
    };
    if !path.exists() {
        bail!(
            "no xuncha binary at {} (cargo build --release -p xuncha, or --xuncha PATH)",
            path.display()
        );
    }
    Ok(path)
}

/// `url` with `search_path` set to `schema` (a connection option in the URL's query).
pub fn with_schema(url: &str, schema: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}options[search_path]={schema}")
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

impl Nodes {
    /// Starts `n` nodes of `binary` on `database_url` and waits until every one answers
    /// `/healthz`.
    pub async fn start(binary: &Path, n: usize, database_url: &str) -> Result<Nodes> {
        let mut nodes = Nodes {
            children: Vec::with_capacity(n),
            bases: Vec::with_capacity(n),
            _dirs: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let dir = tempfile::tempdir()?;
            let config = dir.path().join("xuncha.toml");
            std::fs::write(
                &config,
                format!(
                    "database_url = \"{database_url}\"\nlog_level = \"warn\"\naudit_key = \"{}\"\n\n\
                     [[encryption_keys]]\nid = 1\nkey = \"{FIELD_KEY}\"\n",
                    "b2".repeat(32)
                ),
            )?;
            let port = free_port()?;
            let mut c = Command::new(binary);
            for (k, _) in std::env::vars() {
                if k.starts_with("XUNCHA_") || k == "DATABASE_URL" {
                    c.env_remove(k);
                }
            }
            let child = c
                .arg("--config")
                .arg(&config)
                .arg("--data-dir")
                .arg(dir.path())
                .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
                .env("RUST_LOG", "warn")
                .stdout(Stdio::null())
                .stderr(Stdio::inherit())
                .spawn()
                .with_context(|| format!("starting {}", binary.display()))?;
            nodes.children.push(child);
            nodes.bases.push(format!("http://127.0.0.1:{port}"));
            nodes._dirs.push(dir);
        }
        let deadline = Instant::now() + Duration::from_secs(120);
        for base in &nodes.bases {
            loop {
                if reqwest::get(format!("{base}/healthz"))
                    .await
                    .is_ok_and(|r| r.status().is_success())
                {
                    break;
                }
                if Instant::now() > deadline {
                    bail!("node {base} did not become healthy");
                }
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
        Ok(nodes)
    }

    /// CPU seconds (user + system) node `i` has used so far.
    pub fn cpu_s(&self, i: usize) -> f64 {
        let stat = std::fs::read_to_string(format!("/proc/{}/stat", self.children[i].id()))
            .unwrap_or_default();
        let ticks = stat.rsplit_once(')').map_or(0, |(_, rest)| {
            let f: Vec<&str> = rest.split_whitespace().collect();
            f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
        });
        ticks as f64 / 100.0
    }

    /// Node `i`'s peak resident memory so far, MB (`VmHWM`).
    pub fn peak_rss_mb(&self, i: usize) -> f64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.children[i].id()))
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<f64>().ok())
            })
            .map_or(0.0, |kb| kb / 1024.0)
    }
}

impl Drop for Nodes {
    fn drop(&mut self) {
        for c in &mut self.children {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

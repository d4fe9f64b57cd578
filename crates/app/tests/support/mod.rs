//! What the tests that run the real binary share: starting it on a port (over a data directory,
//! optionally with a configuration file) and waiting until it answers, logging in.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The `xuncha` binary over `data`, with none of the test environment's `XUNCHA_*` variables
/// (they are not configuration).
pub fn command(data: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xuncha"));
    for (k, _) in std::env::vars() {
        if k.starts_with("XUNCHA_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c.arg("--data-dir").arg(data);
    c
}

/// Starts `xuncha serve` on `port` over `data` (with the demo province when `demo`), with none of
/// the test environment's `XUNCHA_*` variables.
pub fn spawn(data: &Path, port: u16, demo: bool) -> Child {
    spawn_with(data, port, None, demo)
}

/// [`spawn`], reading `config` as the configuration file when given.
pub fn spawn_with(data: &Path, port: u16, config: Option<&Path>, demo: bool) -> Child {
    let mut c = command(data);
    if let Some(f) = config {
        c.arg("--config").arg(f);
    }
    c.args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
    if demo {
        c.arg("--demo");
    }
    c.env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn xuncha")
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits (up to two minutes: a loaded CI machine) until the server answers `/healthz`.
pub async fn wait_healthy(base: &str) {
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if reqwest::get(format!("{base}/healthz"))
            .await
            .is_ok_and(|r| r.status().is_success())
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("server did not become healthy");
}

/// A started server over `data` on a free port, answering at `base`. Killed when dropped, so a
/// failing test leaves no server behind.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts the server (with the demo province when `demo`) and waits until it is healthy.
    pub async fn start(data: &Path, demo: bool) -> Self {
        Server::start_with(data, None, demo).await
    }

    /// [`Server::start`] with `config` as the configuration file when given.
    pub async fn start_with(data: &Path, config: Option<&Path>, demo: bool) -> Self {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = spawn_with(data, port, config, demo);
        let server = Server { child, base };
        wait_healthy(&server.base).await;
        server
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// `host:port`, for raw TCP.
    pub fn addr(&self) -> &str {
        self.base.trim_start_matches("http://")
    }

    /// Kills the server (SIGKILL) and reaps it.
    pub fn kill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Already gone after `kill`; otherwise a test that failed half-way.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The JSON answer of a GET to `url`.
pub async fn get_json(http: &reqwest::Client, url: &str) -> serde_json::Value {
    let res = http.get(url).send().await.unwrap();
    res.json().await.unwrap()
}

/// A logged-in client of the province's office director, plus the session cookie and CSRF token
/// for hand-written requests.
pub async fn login(base: &str) -> (reqwest::Client, String, String) {
    login_as(base, "prov.director").await
}

/// [`login`] as `username` (a demo account, with the demo password).
pub async fn login_as(base: &str, username: &str) -> (reqwest::Client, String, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": username, "password": "Xuncha@2026" }))
        .send()
        .await
        .unwrap();
    assert!(
        res.status().is_success(),
        "login {username}: {}",
        res.status()
    );
    let cookie = |name: &str| {
        res.cookies()
            .find(|c| c.name() == name)
            .unwrap_or_else(|| panic!("no {name} cookie"))
            .value()
            .to_string()
    };
    let (session, csrf) = (cookie("xuncha_session"), cookie("xuncha_csrf"));
    (http, session, csrf)
}

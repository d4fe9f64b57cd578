//! What the tests that run the real binary share: starting it on a port and waiting until it
//! answers.
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
    let mut c = command(data);
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

/// A started server over `data` on a free port, answering at `base`.
pub struct Server {
    pub child: Child,
    pub base: String,
}

impl Server {
    /// Starts the server (with the demo province when `demo`) and waits until it is healthy.
    pub async fn start(data: &Path, demo: bool) -> Self {
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let child = spawn(data, port, demo);
        wait_healthy(&base).await;
        Server { child, base }
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

/// The JSON answer of a GET to `url`.
pub async fn get_json(http: &reqwest::Client, url: &str) -> serde_json::Value {
    let res = http.get(url).send().await.unwrap();
    res.json().await.unwrap()
}

/// A logged-in client, plus the session cookie and CSRF token for hand-written requests.
pub async fn login(base: &str) -> (reqwest::Client, String, String) {
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap();
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": "prov.director", "password": "Xuncha@2026" }))
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
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

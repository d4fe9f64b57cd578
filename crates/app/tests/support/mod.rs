//! What the tests that run the real binary share: starting it on a port and waiting until it
//! answers.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `xuncha serve` on `port` over `data` (with the demo province when `demo`), with none of
/// the test environment's `XUNCHA_*` variables.
pub fn spawn(data: &Path, port: u16, demo: bool) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_xuncha"));
    for (k, _) in std::env::vars() {
        if k.starts_with("XUNCHA_") || k == "DATABASE_URL" {
            c.env_remove(k);
        }
    }
    c.arg("--data-dir")
        .arg(data)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")]);
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
        res.headers()
            .get_all("set-cookie")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .find_map(|c| c.strip_prefix(&format!("{name}=")))
            .and_then(|c| c.split(';').next())
            .unwrap()
            .to_string()
    };
    let (session, csrf) = (cookie("xuncha_session"), cookie("xuncha_csrf"));
    (http, session, csrf)
}

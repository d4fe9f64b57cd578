//! The benchmark client: a logged-in HTTP session and timed request series.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::{Value, json};
use xuncha_domain::demo::DEMO_PASSWORD;

pub struct Client {
    pub http: reqwest::Client,
    pub base: String,
    pub csrf: String,
}

pub async fn login(base: &str, username: &str) -> Result<Client> {
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    let res = http
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": DEMO_PASSWORD }))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("login {username}: {}", res.status());
    }
    let csrf = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("xuncha_csrf="))
        .and_then(|c| c.split(';').next())
        .unwrap_or_default()
        .to_string();
    Ok(Client {
        http,
        base: base.to_string(),
        csrf,
    })
}

impl Client {
    pub async fn get(&self, path: &str) -> Result<(u16, Vec<u8>)> {
        let r = self.http.get(format!("{}{path}", self.base)).send().await?;
        Ok((r.status().as_u16(), r.bytes().await?.to_vec()))
    }

    pub async fn json(&self, path: &str) -> Result<Value> {
        let (_, b) = self.get(path).await?;
        Ok(serde_json::from_slice(&b)?)
    }
}

pub struct Stat {
    pub name: String,
    pub n: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

/// One read to measure: its name, how many requests, who asks, the paths asked in turn and the
/// status every answer must have.
pub struct Read<'a> {
    pub name: &'static str,
    pub iterations: usize,
    pub client: &'a Client,
    pub paths: Vec<String>,
    pub expect: u16,
}

impl<'a> Read<'a> {
    pub fn new(
        name: &'static str,
        iterations: usize,
        client: &'a Client,
        paths: Vec<String>,
    ) -> Self {
        Self {
            name,
            iterations,
            client,
            paths,
            expect: 200,
        }
    }

    /// Every answer must have this status instead of 200.
    pub fn expect(self, expect: u16) -> Self {
        Self { expect, ..self }
    }
}

/// Measures the reads one after the other.
pub async fn measure_all(reads: &[Read<'_>]) -> Result<Vec<Stat>> {
    let mut out = Vec::with_capacity(reads.len());
    for r in reads {
        out.push(measure(r.name, r.iterations, r.expect, r.client, &r.paths).await?);
    }
    Ok(out)
}

pub async fn measure(
    name: &str,
    iterations: usize,
    expect: u16,
    client: &Client,
    paths: &[String],
) -> Result<Stat> {
    // Warm up caches and connections first.
    for p in paths.iter().take(10) {
        client.get(p).await?;
    }
    let mut times = Vec::with_capacity(iterations);
    for i in 0..iterations {
        let path = &paths[i % paths.len()];
        let t = Instant::now();
        let (status, _) = client.get(path).await?;
        times.push(t.elapsed());
        if status != expect {
            bail!("{name}: {path} answered {status}, expected {expect}");
        }
    }
    times.sort();
    let q = |f: f64| {
        times[((times.len() as f64 * f).ceil() as usize)
            .saturating_sub(1)
            .min(times.len() - 1)]
    };
    Ok(Stat {
        name: name.to_string(),
        n: iterations,
        p50: q(0.50),
        p95: q(0.95),
        p99: q(0.99),
    })
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Starts the real API on `db` at a loopback port, in this process; its base URL.
pub async fn serve(db: &xuncha_store::Db) -> Result<String> {
    let state = xuncha_api::AppState {
        db: db.clone(),
        config: std::sync::Arc::new(xuncha_api::ApiConfig::default()),
        crypto: std::sync::Arc::new(
            xuncha_service::crypto::Crypto::new(&[(1, "00112233445566778899aabbccddeeff".into())])
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        metrics: None,
        throttle: Default::default(),
    };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(xuncha_api::serve(listener, state, std::future::pending()));
    Ok(base)
}

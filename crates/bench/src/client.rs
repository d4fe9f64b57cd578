//! The benchmark client: a logged-in HTTP session and timed request series.

use std::time::{Duration, Instant};

use anyhow::{Result, bail};
use serde_json::{Value, json};
use xuncha_domain::demo::DEMO_PASSWORD;

#[derive(Clone)]
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

    /// Posts a multipart form with the session's CSRF token; the status and the body.
    pub async fn post_form(
        &self,
        path: &str,
        form: reqwest::multipart::Form,
    ) -> Result<(u16, Vec<u8>)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .multipart(form)
            .send()
            .await?;
        Ok((r.status().as_u16(), r.bytes().await?.to_vec()))
    }

    /// Posts a JSON body with the session's CSRF token; the status and the body.
    pub async fn post_json(&self, path: &str, body: &Value) -> Result<(u16, Vec<u8>)> {
        let r = self
            .http
            .post(format!("{}{path}", self.base))
            .header("x-csrf-token", &self.csrf)
            .json(body)
            .send()
            .await?;
        Ok((r.status().as_u16(), r.bytes().await?.to_vec()))
    }
}

/// A progress report (整改进展) as the unit's form posts it: a line of text, the date and one
/// small evidence file.
pub fn progress_form(i: usize, date: &str) -> reqwest::multipart::Form {
    reqwest::multipart::Form::new()
        .text(
            "content",
            format!("已召开专题会研究整改，相关制度正在修订（进展{i}）"),
        )
        .text("effective_date", date.to_string())
        .part(
            "file",
            reqwest::multipart::Part::bytes(
                format!("%PDF-1.4\n% progress {i}\n%%EOF\n").into_bytes(),
            )
            .file_name("进展佐证.pdf"),
        )
}

pub struct Stat {
    pub name: String,
    pub n: usize,
    pub p50: Duration,
    pub p95: Duration,
    pub p99: Duration,
}

impl Stat {
    /// The nearest-rank percentiles of `times` (at least one).
    pub fn of(name: &str, mut times: Vec<Duration>) -> Stat {
        times.sort();
        Stat {
            name: name.to_string(),
            n: times.len(),
            p50: quantile(&times, 0.50),
            p95: quantile(&times, 0.95),
            p99: quantile(&times, 0.99),
        }
    }
}

/// The nearest-rank quantile `f` of sorted `times` (zero when empty).
pub fn quantile<T: Copy + Default>(sorted: &[T], f: f64) -> T {
    if sorted.is_empty() {
        return T::default();
    }
    sorted[((sorted.len() as f64 * f).ceil() as usize)
        .saturating_sub(1)
        .min(sorted.len() - 1)]
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
    Ok(Stat::of(name, times))
}

pub fn ms(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64() * 1000.0)
}

/// Starts the real API on `db` at a loopback port, in this process; its base URL.
pub async fn serve(db: &xuncha_store::Db) -> Result<String> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    tokio::spawn(xuncha_api::serve(
        listener,
        app_state(db)?,
        std::future::pending(),
    ));
    Ok(base)
}

/// The prefix of the names of the threads [`serve_apart`] runs the server on.
pub const SERVER_THREADS: &str = "xuncha-server";

/// Starts the real API on `db` at a loopback port, in this process but on a runtime of its own
/// (threads named [`SERVER_THREADS`], as many workers as a server would have), so the clients
/// of a load run do not share the server's worker threads and the server's CPU time can be told
/// from theirs; its base URL. The runtime lives until the process ends.
pub async fn serve_apart(db: &xuncha_store::Db) -> Result<String> {
    let state = app_state(db)?;
    let (tx, rx) = tokio::sync::oneshot::channel::<Result<String>>();
    std::thread::Builder::new()
        .name(SERVER_THREADS.into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .thread_name(SERVER_THREADS)
                // Blocking-pool threads (uploads, imports) stay, so their CPU time stays counted.
                .thread_keep_alive(Duration::from_secs(3600))
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(e.into()));
                    return;
                }
            };
            rt.block_on(async move {
                let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                    Ok(l) => l,
                    Err(e) => {
                        let _ = tx.send(Err(e.into()));
                        return;
                    }
                };
                let base = listener
                    .local_addr()
                    .map(|a| format!("http://{a}"))
                    .map_err(anyhow::Error::from);
                let _ = tx.send(base);
                let _ = xuncha_api::serve(listener, state, std::future::pending()).await;
            });
        })?;
    rx.await?
}

fn app_state(db: &xuncha_store::Db) -> Result<xuncha_api::AppState> {
    Ok(xuncha_api::AppState {
        db: db.clone(),
        config: std::sync::Arc::new(xuncha_api::ApiConfig::default()),
        crypto: std::sync::Arc::new(
            xuncha_service::crypto::Crypto::new(&[(1, crate::nodes::FIELD_KEY.into())])
                .map_err(|e| anyhow::anyhow!("{e}"))?,
        ),
        metrics: None,
        throttle: Default::default(),
        public_throttle: Default::default(),
        search: xuncha_search::Search::in_memory().map_err(|e| anyhow::anyhow!("{e}"))?,
    })
}

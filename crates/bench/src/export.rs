//! The ledger export at scale (issue 10, point 5: "a 1,000,000-row ledger export streams with
//! RSS growth ≤ 50 MB").
//!
//! `xuncha-bench --export [--runs 2] [--profile city] [--findings N] [--postgres] [--reuse DIR]
//! [--seed N] [--json]`
//!
//! Opens (or builds) the profile as `--profile` does ([`crate::profile::open`]; for a million
//! ledger rows: `--profile city --findings 1300000`), starts the real server in this process and
//! asks for the province director's whole ledger (`/rect/ledger/export`, no filter) `--runs`
//! times, one after the other. For each run: the time until the answer's headers arrive (the
//! server walks the rows and writes the workbook before it answers) and until the last byte, the
//! size, and this process's resident memory — VmRSS before, the peak during the run (VmHWM,
//! reset through /proc/self/clear_refs before the run, and VmRSS sampled every 100 ms) and after.
//! The body is streamed to a file next to the profile (never held in memory); after the last run
//! the rows of its 整改台账 sheets are counted (calamine, cell by cell) against the ledger's total.
//! The first run starts with the connections' page caches as the profile left them (and opens
//! connections: `pool_connections_before` / `_after`; on SQLite each fills its own page cache, up
//! to `cache_size`); later runs find them full, so their growth is what the export itself holds.

use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::json;

use crate::client::{login, serve};
use crate::profile::{arg, open, rss_mb, status_mb};

/// Resets this process's peak resident memory (VmHWM) to its current value.
fn reset_peak() -> bool {
    std::fs::write("/proc/self/clear_refs", "5").is_ok()
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The data rows of the 整改台账 sheets (the first and its continuations) of the workbook at
/// `path`, and every sheet's name.
fn ledger_rows_in(path: &std::path::Path) -> Result<(u64, Vec<String>)> {
    use calamine::{Reader, Xlsx};
    let mut wb: Xlsx<_> = Xlsx::new(std::io::BufReader::new(std::fs::File::open(path)?))?;
    let names = wb.sheet_names();
    let mut rows = 0u64;
    for name in names.iter().filter(|n| n.starts_with("整改台账")) {
        let mut cells = wb.worksheet_cells_reader(name)?;
        let mut last = None;
        while let Some(c) = cells.next_cell()? {
            let r = c.get_position().0;
            if r > 0 && last != Some(r) {
                rows += 1;
                last = Some(r);
            }
        }
    }
    Ok((rows, names))
}

/// The connections the database pool holds (each SQLite connection keeps its own page cache).
fn pool_size(db: &xuncha_store::Db) -> u32 {
    match &db.pool {
        xuncha_store::Pool::Sqlite(p) => p.size(),
        xuncha_store::Pool::Postgres(p) => p.size(),
    }
}

pub async fn run(args: &[String]) -> Result<()> {
    let as_json = args.iter().any(|a| a == "--json");
    let runs: usize = arg(args, "--runs").map_or(Ok(2), |s| s.parse())?;
    let o = open(args).await?;
    let base = serve(&o.db).await?;
    let prov = login(&base, "prov.director").await?;
    let total = prov.json("/api/v1/rect/ledger?page_size=1").await?["total"]
        .as_u64()
        .context("the ledger's total")?;
    let out_dir = match &o.file {
        Some(f) => tempfile::Builder::new()
            .prefix("export-")
            .tempdir_in(f.parent().context("the profile's directory")?)?,
        None => tempfile::tempdir()?,
    };
    let out = out_dir.path().join("ledger.xlsx");
    eprintln!("export: {total} ledger rows, {runs} runs");
    let mut results = Vec::new();
    for run in 1..=runs {
        let load_before = loadavg();
        let reset = reset_peak();
        let before = rss_mb().unwrap_or(0.0);
        let pool_before = pool_size(&o.db);
        // The peak also by sampling, in case VmHWM could not be reset.
        let stop = Arc::new(AtomicBool::new(false));
        let peak_kb = Arc::new(AtomicU64::new(0));
        let sampler = {
            let (stop, peak_kb) = (stop.clone(), peak_kb.clone());
            tokio::spawn(async move {
                while !stop.load(Ordering::Relaxed) {
                    if let Some(mb) = rss_mb() {
                        peak_kb.fetch_max((mb * 1024.0) as u64, Ordering::Relaxed);
                    }
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            })
        };
        let t = Instant::now();
        let mut res = prov
            .http
            .get(format!("{base}/api/v1/rect/ledger/export"))
            .timeout(Duration::from_secs(3600))
            .send()
            .await?;
        let headers_s = t.elapsed().as_secs_f64();
        if !res.status().is_success() {
            let status = res.status();
            let body = res.text().await.unwrap_or_default();
            bail!("export: {status} {}", &body[..body.len().min(300)]);
        }
        let length = res.content_length();
        let mut file = std::io::BufWriter::new(std::fs::File::create(&out)?);
        let mut bytes = 0u64;
        while let Some(chunk) = res.chunk().await? {
            bytes += chunk.len() as u64;
            file.write_all(&chunk)?;
        }
        file.flush()?;
        drop(file);
        let total_s = t.elapsed().as_secs_f64();
        stop.store(true, Ordering::Relaxed);
        sampler.await?;
        let after = rss_mb().unwrap_or(0.0);
        let sampled = peak_kb.load(Ordering::Relaxed) as f64 / 1024.0;
        let hwm = if reset {
            status_mb("VmHWM:").unwrap_or(0.0)
        } else {
            0.0
        };
        let peak = hwm.max(sampled);
        if length != Some(bytes) {
            bail!("export: Content-Length {length:?}, {bytes} bytes received");
        }
        let r = json!({
            "run": run, "headers_s": round1(headers_s), "total_s": round1(total_s),
            "mb": round1(bytes as f64 / 1_048_576.0),
            "rows_per_s": (total as f64 / total_s).round(),
            "rss_before_mb": before.round(), "rss_peak_mb": peak.round(), "rss_after_mb": after.round(),
            "rss_growth_peak_mb": (peak - before).round(), "rss_growth_after_mb": (after - before).round(),
            "peak_from": if reset { "VmHWM (reset) and 100 ms samples" } else { "100 ms samples" },
            "rss_anon_after_mb": status_mb("RssAnon:").map(f64::round),
            "pool_connections_before": pool_before, "pool_connections_after": pool_size(&o.db),
            "loadavg_before": load_before, "loadavg_after": loadavg(),
        });
        eprintln!("export run {run}: {r}");
        results.push(r);
    }
    let (rows, sheets) = ledger_rows_in(&out)?;
    if rows != total {
        bail!("export: the 整改台账 sheets hold {rows} rows, the ledger {total}");
    }
    let result = json!({
        "profile": o.profile.name, "backend": o.backend(), "build": o.info,
        "ledger_rows": total, "rows_in_file": rows, "sheets": sheets, "runs": results,
        "cores": std::thread::available_parallelism().map(usize::from).unwrap_or(0),
    });
    if as_json {
        println!("{result}");
    } else {
        println!("{}", serde_json::to_string_pretty(&result)?);
    }
    drop(out_dir);
    o.close().await
}

//! `xuncha-bench imports`: 100,000-row imports of organisations and of a rectification ledger,
//! as .csv and .xlsx. For each file it reports the CPU time of reading + validating the file
//! (the work the import route runs off the async threads; thread CPU time from
//! `/proc/thread-self/schedstat`) and the wall time and process CPU time of the whole import
//! through the real HTTP route (upload, parse, validate, one transaction) on SQLite.

use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::Value;
use xuncha_api::routes::{Cancel, read_upload_table};
use xuncha_domain::demo::DemoSize;
use xuncha_service::bootstrap::seed_demo;
use xuncha_store::{Db, testing};

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
        .map_or(Duration::ZERO, Duration::from_nanos)
}

/// CPU time (user + system) of the whole process.
fn process_cpu() -> Duration {
    let ticks = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            let rest = s.rsplit_once(')')?.1.to_string();
            let f: Vec<&str> = rest.split_whitespace().collect();
            // Fields 14 and 15 (utime, stime) are at 11 and 12 after the command name.
            Some(f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?)
        })
        .unwrap_or(0);
    // Linux reports these in clock ticks of 1/100 s.
    Duration::from_millis(ticks * 10)
}

fn secs(d: Duration) -> String {
    format!("{:.2}", d.as_secs_f64())
}

/// 100,000 organisations as a tree under `root` (10 children per node), children listed before
/// their parents, so the import has to order them.
fn org_rows(root: &str, n: usize) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = (0..n)
        .map(|i| {
            let parent = if i < 10 {
                root.to_string()
            } else {
                format!("BI{:06}", i / 10 - 1)
            };
            let kind = ["township", "village", "department", "school"][i % 4];
            vec![
                format!("BI{i:06}"),
                format!("压测导入单位{i}号"),
                parent,
                kind.to_string(),
                "党支部".to_string(),
            ]
        })
        .collect();
    rows.reverse();
    rows
}

const ORG_HEADERS: [&str; 5] = ["编码", "名称", "上级编码", "类型", "党组织类别"];
pub(crate) const LEDGER_HEADERS: [&str; 8] = [
    "问题",
    "问题类别",
    "整改措施",
    "责任领导",
    "牵头部门",
    "配合部门",
    "整改时限",
    "整改状态",
];

pub(crate) fn ledger_rows(category: &str, n: usize) -> Vec<Vec<String>> {
    (0..n)
        .map(|i| {
            vec![
                format!("第{i}项：公务接待未严格执行标准，存在超标准、超范围接待问题"),
                if i % 3 == 0 {
                    category.to_string()
                } else {
                    String::new()
                },
                format!("规范公务接待管理，修订接待制度，开展专项检查（第{i}项）"),
                "刘副厅长".to_string(),
                "办公室".to_string(),
                "财务处、审计处".to_string(),
                ["2027-06-30", "2027/3/31", "2027年9月30日"][i % 3].to_string(),
                ["正在整改", "已完成", "持续整改"][i % 3].to_string(),
            ]
        })
        .collect()
}

fn csv_of(headers: &[&str], rows: &[Vec<String>]) -> Vec<u8> {
    let mut s = headers.join(",");
    s.push('\n');
    for r in rows {
        s.push_str(&r.join(","));
        s.push('\n');
    }
    s.into_bytes()
}

pub(crate) fn xlsx_of(headers: &[&str], rows: &[Vec<String>]) -> Result<Vec<u8>> {
    Ok(xuncha_office::write_xlsx(
        "导入",
        headers,
        &[],
        rows.iter().cloned(),
    )?)
}

struct Line {
    what: String,
    bytes: usize,
    parse_cpu: Duration,
    wall: Duration,
    cpu: Duration,
}

async fn post_import(
    http: &reqwest::Client,
    url: &str,
    csrf: &str,
    name: &str,
    bytes: Vec<u8>,
) -> Result<Value> {
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
    );
    let res = http
        .post(url)
        .header("x-csrf-token", csrf)
        .multipart(form)
        .send()
        .await?;
    let status = res.status();
    let body: Value = res.json().await.unwrap_or(Value::Null);
    if !status.is_success() {
        bail!("{url} {name}: {status} {body}");
    }
    Ok(body)
}

pub async fn run(args: &[String]) -> Result<()> {
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let n = flag("--rows").unwrap_or(100_000);
    let dir = tempfile::tempdir()?;
    let db: Db = testing::sqlite_at(&dir.path().join("bench.db")).await?;
    let size = DemoSize {
        cities: 2,
        counties_per_city: 2,
        townships_per_county: 2,
        villages_per_township: 2,
    };
    seed_demo(&db, 2026, size).await.context("seed")?;
    let base = crate::client::serve(&db).await?;
    let client = crate::login(&base, "prov.director").await?;
    let roots = client.json("/api/v1/orgs/roots").await?;
    let root = roots[0]["code"].as_str().context("root")?.to_string();
    let units = client.json("/api/v1/rect/units?q=江岭省财政厅").await?;
    let unit = units["items"]
        .as_array()
        .context("units")?
        .iter()
        .find(|u| u["org_name"] == "江岭省财政厅")
        .and_then(|u| u["id"].as_i64())
        .context("finance unit")?;
    let categories = xuncha_store::rectification::category_ids(&db).await?;
    let category = categories.first().map(|c| c.1.clone()).unwrap_or_default();
    let office = xuncha_store::rectification::unit_office(&db, unit.into()).await?;
    let cal = xuncha_store::rectification::calendar(&db, office).await?;
    let start = db.today();

    let mut lines = Vec::new();
    for (kind, ext) in [
        ("orgs", "csv"),
        ("orgs", "xlsx"),
        ("ledger", "csv"),
        ("ledger", "xlsx"),
    ] {
        // Fresh codes for each organisation file.
        let rows = if kind == "orgs" {
            let mut r = org_rows(&root, n);
            if ext == "xlsx" {
                for row in &mut r {
                    row[0] = row[0].replacen("BI", "BX", 1);
                    if row[2].starts_with("BI") {
                        row[2] = row[2].replacen("BI", "BX", 1);
                    }
                }
            }
            r
        } else {
            ledger_rows(&category, n)
        };
        let headers: &[&str] = if kind == "orgs" {
            &ORG_HEADERS
        } else {
            &LEDGER_HEADERS
        };
        let bytes = if ext == "csv" {
            csv_of(headers, &rows)
        } else {
            xlsx_of(headers, &rows)?
        };
        let name = format!("{kind}.{ext}");
        drop(rows);

        // Reading + validating, on this thread, as the route runs it off the async threads.
        let parse_cpu = {
            let (bytes, name, categories, cal) =
                (bytes.clone(), name.clone(), categories.clone(), cal.clone());
            let kind = kind.to_string();
            tokio::task::spawn_blocking(move || -> Result<Duration> {
                let t = thread_cpu();
                let table = read_upload_table(&name, &bytes, &Cancel::default())
                    .map_err(|e| anyhow::anyhow!("{}", e.detail))?;
                let ok = if kind == "orgs" {
                    xuncha_api::routes::orgs::parse_import(&table)
                        .map(|r| r.len())
                        .map_err(|e| e.len())
                } else {
                    xuncha_api::routes::rectification::parse_ledger_import(
                        &table,
                        &categories,
                        &cal,
                        start,
                    )
                    .map(|r| r.len())
                    .map_err(|e| e.len())
                };
                let cpu = thread_cpu() - t;
                match ok {
                    Ok(rows) if rows == n => Ok(cpu),
                    Ok(rows) => bail!("{name}: {rows} rows parsed"),
                    Err(errors) => bail!("{name}: {errors} errors"),
                }
            })
            .await??
        };

        // The whole import through the route: upload, parse, validate, one transaction.
        let url = if kind == "orgs" {
            format!("{base}/api/v1/orgs/import")
        } else {
            format!("{base}/api/v1/rect/units/{unit}/ledger/import")
        };
        let size = bytes.len();
        let (cpu0, t) = (process_cpu(), Instant::now());
        let body = post_import(&client.http, &url, &client.csrf, &name, bytes).await?;
        let (wall, cpu) = (t.elapsed(), process_cpu() - cpu0);
        if body["imported"].as_u64() != Some(n as u64) {
            bail!("{name}: {body}");
        }
        eprintln!("{name}: parse+validate {parse_cpu:?} CPU, import {wall:?} wall, {cpu:?} CPU");
        lines.push(Line {
            what: format!(
                "{} ({ext}, {:.1} MB)",
                if kind == "orgs" {
                    "organisations"
                } else {
                    "ledger"
                },
                size as f64 / 1_048_576.0
            ),
            bytes: size,
            parse_cpu,
            wall,
            cpu,
        });
    }
    println!(
        "| Import of {n} rows | file bytes | parse + validate, CPU s | whole import, wall s | whole import, process CPU s |"
    );
    println!("|---|---:|---:|---:|---:|");
    for l in &lines {
        println!(
            "| {} | {} | {} | {} | {} |",
            l.what,
            l.bytes,
            secs(l.parse_cpu),
            secs(l.wall),
            secs(l.cpu)
        );
    }
    Ok(())
}

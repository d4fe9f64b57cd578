//! The concurrent load driver (issue 10, "measure it like a user's load").
//!
//! `xuncha-bench --load [--clients 32] [--seconds 30] [--write-pct 20] [--profile city|province]
//! [--postgres [--nodes N [--xuncha PATH]]] [--reuse DIR] [--seed N] [--json]`
//!
//! Opens (or builds) the profile as `--profile` does ([`crate::profile::open`]), starts the real
//! server in this process on a runtime of its own ([`crate::client::serve_apart`]) — or, with
//! `--nodes N` on PostgreSQL, N separate `xuncha serve` processes on the profile's schema
//! ([`crate::nodes`]; client i uses node i mod N, all its sessions made there) — and runs N
//! clients as tokio tasks for the given seconds. Each client is a person at a desk with their own
//! logged-in sessions: an office account that reads (the province's, a city's or a county's
//! director, staff or leader, in turn), the liaisons of four inspected units of its own (each
//! with at least four workable items; see [`liaisons`]) who report progress, and the directors
//! of the counties that inspected them, who verify write-offs. Each loops without pause
//! (a closed loop: the next request leaves when the answer is in) over this mix:
//!
//! - 80% reads: 50% ledger pages (one of the reader's filters — everything, in progress, red,
//!   yellow, needs attention, a category, a child organisation — at page 1 most of the time,
//!   pages 2–5 often and a random deeper page of what that filter holds otherwise:
//!   `ledger_page` up to page 5, `ledger_page_deep` beyond; both also in `ledger_by_filter`,
//!   by filter), 20% one item with its trail
//!   (`item`, an item the client saw on a ledger page), 10% the dashboard (`dashboard`,
//!   `/rect/stats?group=category`);
//! - 20% durable audited writes through HTTP: 15% a progress report with a small evidence file
//!   (`progress_write`), 5% a write-off step — the liaison requests the write-off with evidence
//!   (`write_off_request`), the next step the county director returns it with a reason
//!   (`write_off_return`), so the item is workable again. Each client writes on its own units'
//!   items, so the load has no conflicts of its own making.
//!
//! `--write-pct N` changes the share of writes (the proportions within reads and within writes
//! stay): `--write-pct 100` measures the durable write path alone, as the write target
//! is stated.
//!
//! Every answer that is not 2xx, and every transport error or 60 s timeout, is an error: counted
//! per kind and overall, the first few shown in `error_samples`; latency percentiles are over the
//! successful requests. The figures: throughput of reads and writes over the run's wall time,
//! p50/p95/p99 overall and per kind, the process's peak RSS during the run (server and clients;
//! sampled twice a second from /proc/self/status; at the end also split into anonymous memory —
//! the heap, SQLite's page caches among it — and mapped files) and CPU seconds (the whole process from
//! /proc/self/stat, and the server's own threads — its runtime and SQLite's connection threads —
//! from /proc/self/task; with PostgreSQL the database's CPU is in its own processes, reported as
//! `postgres_cpu_s` summed over every `postgres` process on the machine).
//!
//! With `--nodes`, the figures are also given per node (its clients' requests, its process's CPU
//! seconds and peak RSS); the bench holds the scheduler lease during the run, so no node runs
//! the scheduler's scan in the middle of the measurement (the in-process server has none either).
//!
//! The writes are durable writes to the profile database; a kept SQLite profile (`--reuse`) is
//! loaded in a scratch copy next to it (see [`crate::profile::Opened::writable`]), so every run
//! starts from the same data and the kept file stays as built. The liaison accounts the load
//! needs are created in that copy; a write-off still requested when the time is up is returned
//! afterwards, untimed.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};

use xuncha_domain::demo::DEMO_PASSWORD;
use xuncha_domain::ids::OrgId;
use xuncha_store::Db;
use xuncha_store::accounts;
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;

use crate::client::{Client, SERVER_THREADS, login, progress_form, quantile};
use crate::profile::{Rng, arg, day, liaison_items, open, rss_mb, status_mb};

/// What one request was.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    LedgerPage,
    LedgerPageDeep,
    Item,
    Dashboard,
    ProgressWrite,
    WriteOffRequest,
    WriteOffReturn,
}

const KINDS: [Kind; 7] = [
    Kind::LedgerPage,
    Kind::LedgerPageDeep,
    Kind::Item,
    Kind::Dashboard,
    Kind::ProgressWrite,
    Kind::WriteOffRequest,
    Kind::WriteOffReturn,
];

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::LedgerPage => "ledger_page",
            Kind::LedgerPageDeep => "ledger_page_deep",
            Kind::Item => "item",
            Kind::Dashboard => "dashboard",
            Kind::ProgressWrite => "progress_write",
            Kind::WriteOffRequest => "write_off_request",
            Kind::WriteOffReturn => "write_off_return",
        }
    }

    fn is_write(self) -> bool {
        matches!(
            self,
            Kind::ProgressWrite | Kind::WriteOffRequest | Kind::WriteOffReturn
        )
    }

    fn index(self) -> usize {
        KINDS.iter().position(|k| *k == self).unwrap_or(0)
    }
}

/// A request's answer should it fail: a transport error or timeout, or a status that is not 2xx.
const TIMEOUT: Duration = Duration::from_secs(60);

/// How many units' liaisons each client writes as, so the writes spread over items as a
/// province's do (a few reports per item, not hundreds).
const UNITS_PER_CLIENT: usize = 4;

/// One unit a client writes for: its liaison's session, the session of the director who verifies
/// its write-offs, and its workable items (which only this client writes on).
struct Unit {
    liaison: Client,
    reviewer: Client,
    items: Vec<i64>,
}

/// One client: a person's sessions and the items it writes on.
struct Desk {
    reader: Client,
    /// Ledger filters the reader uses: a label and the query fragment.
    filters: Vec<(&'static str, String)>,
    units: Vec<Unit>,
}

/// What one client measured.
#[derive(Default)]
struct Tally {
    /// Successful requests: kind and latency.
    ok: Vec<(Kind, Duration)>,
    /// Successful ledger pages (either depth) by filter label.
    ledger: Vec<(&'static str, Duration)>,
    errors: [u64; KINDS.len()],
    samples: Vec<String>,
}

impl Tally {
    fn error(&mut self, kind: Kind, what: String) {
        self.errors[kind.index()] += 1;
        if self.samples.len() < 3 {
            self.samples.push(format!("{}: {what}", kind.name()));
        }
    }
}

/// Runs one timed request; the body when the status is 2xx, else counted as an error.
async fn timed(
    tally: &mut Tally,
    kind: Kind,
    what: &str,
    req: impl std::future::Future<Output = Result<(u16, Vec<u8>)>>,
) -> Option<Vec<u8>> {
    let t = Instant::now();
    let r = tokio::time::timeout(TIMEOUT, req).await;
    let took = t.elapsed();
    match r {
        Ok(Ok((status, body))) if (200..300).contains(&status) => {
            tally.ok.push((kind, took));
            Some(body)
        }
        Ok(Ok((status, body))) => {
            let text = String::from_utf8_lossy(&body[..body.len().min(200)]).into_owned();
            tally.error(kind, format!("{what} → {status} {text}"));
            None
        }
        Ok(Err(e)) => {
            tally.error(kind, format!("{what} → {e:#}"));
            None
        }
        Err(_) => {
            tally.error(
                kind,
                format!("{what} → no answer in {}s", TIMEOUT.as_secs()),
            );
            None
        }
    }
}

fn pick<T: Copy>(rng: &mut Rng, v: &[T]) -> T {
    v[usize::try_from(rng.below(v.len() as u64)).unwrap_or(0)]
}

/// The request mix, as cumulative thresholds per mille: ledger pages below `ledger`, items below
/// `item`, the dashboard below `dashboard`, progress reports below `progress`, write-off steps
/// the rest.
#[derive(Clone, Copy)]
struct Mix {
    ledger: u64,
    item: u64,
    dashboard: u64,
    progress: u64,
}

impl Mix {
    /// `write_pct`% writes (three quarters progress, a quarter write-off steps), the rest reads
    /// (five eighths ledger pages, a quarter items, an eighth the dashboard).
    fn with_writes(write_pct: u64) -> Mix {
        let reads = (100 - write_pct.min(100)) * 10;
        let writes = 1000 - reads;
        Mix {
            ledger: reads * 5 / 8,
            item: reads * 7 / 8,
            dashboard: reads,
            progress: reads + writes * 3 / 4,
        }
    }
}

/// One client's loop until `until`: what it measured, and a write-off it left requested.
async fn desk_loop(
    d: Desk,
    mix: Mix,
    seed: u64,
    until: Instant,
    date: String,
) -> (Tally, Desk, Option<(i64, i64, usize)>) {
    let mut rng = Rng(seed);
    let mut tally = Tally::default();
    // Totals the reader has seen per filter (a user sees the page count, then jumps).
    let mut totals: HashMap<usize, i64> = HashMap::new();
    // Items the reader saw on its ledger pages (the ones it may open).
    let mut seen: Vec<i64> = Vec::new();
    // A write-off requested and not yet decided: (write-off id, finding id, unit).
    let mut pending: Option<(i64, i64, usize)> = None;
    let mut n = 0usize;
    while Instant::now() < until {
        n += 1;
        let roll = rng.below(1000);
        if roll < mix.ledger || (roll < mix.item && seen.is_empty()) {
            let f = usize::try_from(rng.below(d.filters.len() as u64)).unwrap_or(0);
            let page = match totals.get(&f) {
                None => 1,
                Some(total) => {
                    let pages = u64::try_from((*total + 49) / 50).unwrap_or(1).max(1);
                    let r = rng.below(100);
                    if r < 60 || pages == 1 {
                        1
                    } else if r < 85 || pages <= 5 {
                        2 + rng.below(pages.min(5) - 1)
                    } else {
                        6 + rng.below(pages - 5)
                    }
                }
            };
            let kind = if page > 5 {
                Kind::LedgerPageDeep
            } else {
                Kind::LedgerPage
            };
            let (label, query) = &d.filters[f];
            let path = format!("/api/v1/rect/ledger?page_size=50&page={page}{query}");
            let body = timed(&mut tally, kind, &path, d.reader.get(&path)).await;
            if body.is_some()
                && let Some((_, took)) = tally.ok.last()
            {
                tally.ledger.push((label, *took));
            }
            if let Some(body) = body
                && let Ok(v) = serde_json::from_slice::<Value>(&body)
            {
                if let Some(t) = v["total"].as_i64() {
                    totals.insert(f, t);
                }
                for id in v["items"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|i| i["id"].as_i64())
                {
                    if seen.len() < 1000 {
                        seen.push(id);
                    } else {
                        let at = usize::try_from(rng.below(1000)).unwrap_or(0);
                        seen[at] = id;
                    }
                }
            }
        } else if roll < mix.item {
            let id = pick(&mut rng, &seen);
            let path = format!("/api/v1/rect/findings/{id}");
            timed(&mut tally, Kind::Item, &path, d.reader.get(&path)).await;
        } else if roll < mix.dashboard {
            let path = "/api/v1/rect/stats?group=category";
            timed(&mut tally, Kind::Dashboard, path, d.reader.get(path)).await;
        } else if roll < mix.progress {
            let u = &d.units[usize::try_from(rng.below(d.units.len() as u64)).unwrap_or(0)];
            let mut fid = pick(&mut rng, &u.items);
            if pending.is_some_and(|(_, p, _)| p == fid) {
                fid = u.items.iter().copied().find(|i| *i != fid).unwrap_or(fid);
            }
            let path = format!("/api/v1/rect/findings/{fid}/progress");
            timed(
                &mut tally,
                Kind::ProgressWrite,
                &path,
                u.liaison.post_form(&path, progress_form(n, &date)),
            )
            .await;
        } else if let Some((wid, _, ui)) = pending {
            let path = format!("/api/v1/rect/write-offs/{wid}/decide");
            let body = json!({ "decision": "return", "reason": "佐证材料不足，请补充后重新申请（压测）", "version": 1 });
            if timed(
                &mut tally,
                Kind::WriteOffReturn,
                &path,
                d.units[ui].reviewer.post_json(&path, &body),
            )
            .await
            .is_some()
            {
                pending = None;
            }
        } else {
            let ui = usize::try_from(rng.below(d.units.len() as u64)).unwrap_or(0);
            let fid = pick(&mut rng, &d.units[ui].items);
            let path = format!("/api/v1/rect/findings/{fid}/write-off");
            let form = reqwest::multipart::Form::new()
                .text("outcome", "completed")
                .text("explanation", format!("整改措施已全部落实（压测{n}）"))
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(
                        format!("%PDF-1.4\n% write-off {n}\n%%EOF\n").into_bytes(),
                    )
                    .file_name("销号佐证.pdf"),
                );
            if let Some(body) = timed(
                &mut tally,
                Kind::WriteOffRequest,
                &path,
                d.units[ui].liaison.post_form(&path, form),
            )
            .await
            {
                let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
                pending = v["id"].as_i64().map(|w| (w, fid, ui));
            }
        }
    }
    (tally, d, pending)
}

/// CPU seconds (user + system) of this process, and of its threads whose names start with one of
/// `prefixes`. Linux reports both in clock ticks of 1/100 s.
fn cpu(prefixes: &[&str]) -> (f64, f64) {
    let ticks = |stat: &str| -> Option<(String, u64)> {
        let (head, rest) = stat.rsplit_once(')')?;
        let comm = head.split_once('(')?.1.to_string();
        let f: Vec<&str> = rest.split_whitespace().collect();
        Some((
            comm,
            f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?,
        ))
    };
    let process = std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| ticks(&s))
        .map_or(0, |t| t.1);
    let mut threads = 0;
    if let Ok(dir) = std::fs::read_dir("/proc/self/task") {
        for e in dir.flatten() {
            if let Some((comm, t)) = std::fs::read_to_string(e.path().join("stat"))
                .ok()
                .and_then(|s| ticks(&s))
                && prefixes.iter().any(|p| comm.starts_with(p))
            {
                threads += t;
            }
        }
    }
    (process as f64 / 100.0, threads as f64 / 100.0)
}

/// CPU seconds of every `postgres` process on the machine (the database's work, and anyone
/// else's on the same server).
fn postgres_cpu() -> f64 {
    let mut ticks = 0u64;
    if let Ok(dir) = std::fs::read_dir("/proc") {
        for e in dir.flatten() {
            let Ok(stat) = std::fs::read_to_string(e.path().join("stat")) else {
                continue;
            };
            let Some((head, rest)) = stat.rsplit_once(')') else {
                continue;
            };
            if !head.ends_with("(postgres") {
                continue;
            }
            let f: Vec<&str> = rest.split_whitespace().collect();
            ticks += f.get(11).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0)
                + f.get(12).and_then(|v| v.parse::<u64>().ok()).unwrap_or(0);
        }
    }
    ticks as f64 / 100.0
}

/// Writes and commits of the server's group-commit writer during the run.
fn group_commit((w0, b0): (u64, u64), (w1, b1): (u64, u64)) -> Value {
    let (writes, commits) = (w1 - w0, b1 - b0);
    json!({ "writes": writes, "commits": commits,
            "writes_per_commit": round1(writes as f64 / commits.max(1) as f64) })
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn ms(d: Duration) -> f64 {
    (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

/// The reader's ledger filters: everything, in progress, red, yellow, needs attention, two
/// categories and up to three organisations below the reader's own.
async fn filters(
    reader: &Client,
    categories: &[i64],
    rng: &mut Rng,
) -> Result<Vec<(&'static str, String)>> {
    let mut f: Vec<(&'static str, String)> = [
        ("all", ""),
        ("in_progress", "&state=IN_PROGRESS"),
        ("red", "&warning=red"),
        ("yellow", "&warning=yellow"),
        ("attention", "&view=attention"),
    ]
    .iter()
    .map(|(l, q)| (*l, (*q).to_string()))
    .collect();
    for _ in 0..2 {
        if !categories.is_empty() {
            f.push((
                "category",
                format!("&category_id={}", pick(rng, categories)),
            ));
        }
    }
    let roots = reader.json("/api/v1/orgs/roots").await?;
    if let Some(root) = roots[0]["id"].as_i64() {
        let children = reader
            .json(&format!("/api/v1/orgs/{root}/children"))
            .await?;
        let below: Vec<i64> = children
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| matches!(o["kind"].as_str(), Some("city" | "county" | "township")))
            .filter_map(|o| o["id"].as_i64())
            .collect();
        for _ in 0..3.min(below.len()) {
            f.push(("org", format!("&org_id={}", pick(rng, &below))));
        }
    }
    Ok(f)
}

/// Items a unit can work on (report progress, ask for the write-off).
const WORKABLE: &str = "('IN_PROGRESS', 'LONG_TERM', 'REOPENED')";

/// `n` unit liaisons, each of a different organisation below a county with at least four
/// workable items, spread over the profile, with the director of the county that inspected it
/// (who verifies its write-offs): `(liaison, director)` usernames. The demo has a liaison for
/// one township per county only; the others are created here (once: a kept profile keeps them),
/// with the demo password.
async fn liaisons(db: &Db, n: usize) -> Result<Vec<(String, String)>> {
    let sql = format!(
        "SELECT o.id, o.code, o.name, o.path FROM findings f JOIN organisations o ON o.id = f.org_id \
         WHERE f.state IN {WORKABLE} AND o.depth >= 3 GROUP BY o.id, o.code, o.name, o.path HAVING COUNT(*) >= 4 ORDER BY o.id"
    );
    let units: Vec<(i64, String, String, String)> =
        xuncha_store::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(p).await?);
    if units.len() < n {
        bail!(
            "only {} units have four workable items: too few for {n} clients",
            units.len()
        );
    }
    let actor = Actor::system("bench");
    let all = Scope::unrestricted();
    let role = accounts::get_role_by_code(db, xuncha_domain::perm::UNIT_LIAISON).await?;
    let mut hash = None;
    let mut out = Vec::with_capacity(n);
    for j in 0..n {
        let (id, code, name, path) = &units[j * units.len() / n];
        let county: i64 = xuncha_domain::org::OrgPath::parse(path)
            .and_then(|p| p.ids().get(2).map(|id| id.get()))
            .context("county in path")?;
        let director: Option<String> = xuncha_store::on_db!(db, p => sqlx::query_scalar("SELECT username FROM users WHERE org_id = $1 AND username LIKE '%.director' ORDER BY id LIMIT 1").bind(county).fetch_optional(p).await?);
        let director = director.with_context(|| format!("the director of county {county}"))?;
        let username = format!("u{}.liaison", code.to_ascii_lowercase());
        if accounts::find_by_username(db, &username).await?.is_none() {
            if hash.is_none() {
                hash = Some(
                    xuncha_service::crypto::hash_password(DEMO_PASSWORD.to_string())
                        .await
                        .map_err(|e| anyhow::anyhow!("{e}"))?,
                );
            }
            let user = accounts::create_user(
                db,
                &actor,
                &all,
                &accounts::NewUser {
                    username: username.clone(),
                    display_name: format!("{name}联络员"),
                    org_id: OrgId::new(*id),
                    password_hash: hash.clone().unwrap_or_default(),
                    must_change_password: false,
                },
            )
            .await?;
            accounts::set_roles(db, &actor, &all, user.id, &[role.id], user.version).await?;
        }
        out.push((username, director));
    }
    Ok(out)
}

pub async fn run(args: &[String]) -> Result<()> {
    let clients: usize = arg(args, "--clients").map_or(Ok(32), |s| s.parse())?;
    let seconds: u64 = arg(args, "--seconds").map_or(Ok(30), |s| s.parse())?;
    let write_pct: u64 = arg(args, "--write-pct").map_or(Ok(20), |s| s.parse())?;
    if write_pct > 100 {
        bail!("--write-pct is a percentage");
    }
    let mix = Mix::with_writes(write_pct);
    let as_json = args.iter().any(|a| a == "--json");
    if clients == 0 || seconds == 0 {
        bail!("--clients and --seconds must be at least 1");
    }
    let nodes_wanted: Option<usize> = arg(args, "--nodes").map(|s| s.parse()).transpose()?;
    if nodes_wanted == Some(0) {
        bail!("--nodes must be at least 1");
    }
    if nodes_wanted.is_some() && !args.iter().any(|a| a == "--postgres") {
        bail!(
            "--nodes runs several xuncha serve processes on one PostgreSQL database: add --postgres"
        );
    }
    let binary = nodes_wanted
        .map(|_| crate::nodes::binary(args))
        .transpose()?;
    let o = open(args).await?;
    let size = o.profile.size;
    // A kept profile is loaded in a scratch copy, so every run starts from the same data.
    let (db, _scratch) = o.writable().await?;
    // The servers: one in this process, or N `xuncha serve` processes holding no scheduler lease.
    let (nodes, bases) = match (nodes_wanted, &binary) {
        (Some(n), Some(binary)) => {
            let until = db.now() + time::Duration::days(1);
            if !xuncha_store::scheduler::take_lease(
                &db,
                xuncha_service::scheduler::LEASE,
                BENCH_HOLDER,
                until,
            )
            .await?
            {
                bail!("another process holds the scheduler lease of the profile");
            }
            let schema = o.schema().context("the profile's schema")?;
            let url = crate::nodes::with_schema(&xuncha_store::testing::pg_url(), schema);
            let t = Instant::now();
            let nodes = crate::nodes::Nodes::start(binary, n, &url).await?;
            eprintln!(
                "load: {n} xuncha serve nodes up ({:.1} s)",
                t.elapsed().as_secs_f64()
            );
            let bases = nodes.bases.clone();
            (Some(nodes), bases)
        }
        _ => (None, vec![crate::client::serve_apart(&db).await?]),
    };
    let date = day(db.today());
    let categories: Vec<i64> = xuncha_store::rectification::category_ids(&db)
        .await?
        .into_iter()
        .map(|c| c.0)
        .collect();

    // Office accounts of the demo province by level; client i reads as a province, city or
    // county account in turn (one in four, one in four, half).
    let roles = ["director", "staff", "leader"];
    let province: Vec<String> = roles.iter().map(|r| format!("prov.{r}")).collect();
    let mut city = Vec::new();
    let mut county = Vec::new();
    for ci in 1..=size.cities {
        for r in roles {
            city.push(format!("city{ci:02}.{r}"));
        }
        for ki in 1..=size.counties_per_city {
            for r in roles {
                county.push(format!("county{ci:02}{ki:02}.{r}"));
            }
        }
    }
    let readers: Vec<String> = (0..clients)
        .map(|i| match i % 4 {
            0 => province[(i / 4) % province.len()].clone(),
            1 => city[(i / 4) % city.len()].clone(),
            _ => county[(i / 4 * 2 + i % 4 - 2) % county.len()].clone(),
        })
        .collect();
    // Each client writes as the liaisons of units of its own.
    let writers = liaisons(&db, clients * UNITS_PER_CLIENT).await?;
    let plan: Vec<(String, Vec<(String, String)>)> = readers
        .into_iter()
        .zip(writers.chunks(UNITS_PER_CLIENT))
        .map(|(r, w)| (r, w.to_vec()))
        .collect();

    // Log every client in (each its own sessions) and learn its reader's filters.
    let t = Instant::now();
    let mut setup = tokio::task::JoinSet::new();
    for (i, (reader_name, writers)) in plan.into_iter().enumerate() {
        let base = bases[i % bases.len()].clone();
        let categories = categories.clone();
        setup.spawn(async move {
            let mut rng = Rng(0x5EED ^ i as u64);
            let reader = login(&base, &reader_name).await?;
            let filters = filters(&reader, &categories, &mut rng).await?;
            let mut units = Vec::with_capacity(writers.len());
            let mut directors: HashMap<String, Client> = HashMap::new();
            for (liaison_name, reviewer_name) in writers {
                let liaison = login(&base, &liaison_name).await?;
                let items = liaison_items(&liaison).await?;
                if items.len() < 2 {
                    bail!("{liaison_name} has {} workable items", items.len());
                }
                let reviewer = match directors.get(&reviewer_name) {
                    Some(c) => c.clone(),
                    None => {
                        let c = login(&base, &reviewer_name).await?;
                        directors.insert(reviewer_name, c.clone());
                        c
                    }
                };
                units.push(Unit {
                    liaison,
                    reviewer,
                    items,
                });
            }
            let (status, _) = reader.get("/api/v1/rect/ledger?page_size=50").await?;
            if status != 200 {
                bail!("{reader_name} cannot read the ledger: {status}");
            }
            Ok::<_, anyhow::Error>((
                i,
                Desk {
                    reader,
                    filters,
                    units,
                },
            ))
        });
    }
    let mut desks: Vec<Option<Desk>> = (0..clients).map(|_| None).collect();
    while let Some(r) = setup.join_next().await {
        let (i, d) = r??;
        desks[i] = Some(d);
    }
    eprintln!(
        "load: {clients} clients logged in ({:.1} s); running {seconds} s",
        t.elapsed().as_secs_f64()
    );

    // The run.
    let load_before = loadavg();
    let prefixes = [SERVER_THREADS, "sqlx-sqlite-wor"];
    let (cpu0, server0) = cpu(&prefixes);
    let nodes_cpu0: Vec<f64> = nodes
        .as_ref()
        .map(|n| (0..n.bases.len()).map(|i| n.cpu_s(i)).collect())
        .unwrap_or_default();
    let pg0 = o.postgres.then(postgres_cpu);
    let rss_start = rss_mb().unwrap_or(0.0);
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let sampler = {
        let stop = stop.clone();
        tokio::spawn(async move {
            let mut peak = rss_mb().unwrap_or(0.0);
            let mut tick = tokio::time::interval(Duration::from_millis(500));
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                tick.tick().await;
                peak = peak.max(rss_mb().unwrap_or(0.0));
            }
            peak
        })
    };
    let commits0 = db.group_commit_stats();
    let start = Instant::now();
    let until = start + Duration::from_secs(seconds);
    let mut run = tokio::task::JoinSet::new();
    for (i, d) in desks.into_iter().enumerate() {
        let d = d.context("a client's setup")?;
        let date = date.clone();
        run.spawn(desk_loop(
            d,
            mix,
            o.seed ^ ((i as u64 + 1) * 7919),
            until,
            date,
        ));
    }
    let mut ended = Vec::with_capacity(clients);
    while let Some(r) = run.join_next().await {
        ended.push(r?);
    }
    let elapsed = start.elapsed().as_secs_f64();
    let (cpu1, server1) = cpu(&prefixes);
    let nodes_cpu: Vec<f64> = nodes
        .as_ref()
        .map(|n| {
            (0..n.bases.len())
                .map(|i| n.cpu_s(i) - nodes_cpu0[i])
                .collect()
        })
        .unwrap_or_default();
    let pg1 = o.postgres.then(postgres_cpu);
    let commits1 = db.group_commit_stats();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let rss_peak = sampler.await?;
    // Write-offs left requested when the time was up are returned (untimed), so every item is
    // workable for the next run.
    let mut tallies = Vec::with_capacity(clients);
    for (tally, d, pending) in ended {
        let node = bases.iter().position(|b| *b == d.reader.base).unwrap_or(0);
        if let Some((wid, fid, ui)) = pending {
            let body = json!({ "decision": "return", "reason": "压测结束，退回", "version": 1 });
            let r = d.units[ui]
                .reviewer
                .post_json(&format!("/api/v1/rect/write-offs/{wid}/decide"), &body)
                .await;
            if !matches!(r, Ok((200, _))) {
                eprintln!(
                    "load: could not return the write-off of item {fid} after the run: {:?}",
                    r.map(|(s, _)| s)
                );
            }
        }
        tallies.push((node, tally));
    }
    let rss_end = rss_mb().unwrap_or(0.0);
    // What the resident memory is: the heap (SQLite's page caches among it) or mapped files.
    let (anon_end, file_end) = (
        status_mb("RssAnon:").unwrap_or(0.0),
        status_mb("RssFile:").unwrap_or(0.0),
    );
    let load_after = loadavg();

    // The figures.
    let mut all: Vec<Duration> = Vec::new();
    let mut per: Vec<Vec<Duration>> = vec![Vec::new(); KINDS.len()];
    let mut errors = [0u64; KINDS.len()];
    let mut samples = Vec::new();
    let mut by_filter: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    // Per node: every successful request's latency, the writes among them, the errors.
    let mut per_node: Vec<(Vec<Duration>, usize, u64)> = vec![(Vec::new(), 0, 0); bases.len()];
    for (node, t) in tallies {
        let mine = &mut per_node[node];
        for (k, d) in &t.ok {
            mine.0.push(*d);
            mine.1 += usize::from(k.is_write());
        }
        mine.2 += t.errors.iter().sum::<u64>();
        for (label, d) in t.ledger {
            by_filter.entry(label).or_default().push(d);
        }
        for (k, d) in t.ok {
            all.push(d);
            per[k.index()].push(d);
        }
        for (e, n) in errors.iter_mut().zip(t.errors) {
            *e += n;
        }
        samples.extend(t.samples);
    }
    samples.truncate(10);
    all.sort();
    let writes: usize = KINDS
        .iter()
        .filter(|k| k.is_write())
        .map(|k| per[k.index()].len())
        .sum();
    let reads = all.len() - writes;
    let mut by_kind = serde_json::Map::new();
    for k in KINDS {
        let v = &mut per[k.index()];
        v.sort();
        by_kind.insert(
            k.name().into(),
            json!({
                "n": v.len(), "errors": errors[k.index()],
                "p50_ms": ms(quantile(v, 0.50)), "p95_ms": ms(quantile(v, 0.95)), "p99_ms": ms(quantile(v, 0.99)),
            }),
        );
    }
    let ledger_by_filter: serde_json::Map<String, Value> = by_filter
        .into_iter()
        .map(|(label, mut v)| {
            v.sort();
            (
                label.to_string(),
                json!({ "n": v.len(), "p50_ms": ms(quantile(&v, 0.50)), "p95_ms": ms(quantile(&v, 0.95)) }),
            )
        })
        .collect();
    let total_errors: u64 = errors.iter().sum();
    let nodes_json: Vec<Value> = per_node
        .iter_mut()
        .enumerate()
        .map(|(i, (lat, writes, errs))| {
            lat.sort();
            let reads = lat.len() - *writes;
            json!({
                "node": i + 1, "clients": (0..clients).filter(|c| c % bases.len() == i).count(),
                "writes_per_s": round1(*writes as f64 / elapsed), "reads_per_s": round1(reads as f64 / elapsed),
                "p50_ms": ms(quantile(lat, 0.50)), "p95_ms": ms(quantile(lat, 0.95)), "p99_ms": ms(quantile(lat, 0.99)),
                "errors": errs,
                "cpu_s": nodes_cpu.get(i).copied().map(round1),
                "rss_peak_mb": nodes.as_ref().map(|n| n.peak_rss_mb(i).round()),
            })
        })
        .collect();
    let server = if nodes.is_some() {
        "processes"
    } else {
        "in-process"
    };
    let out = json!({
        "nodes": bases.len(), "server": server, "per_node": nodes_json,
        "clients": clients, "seconds": seconds, "write_pct": write_pct, "profile": o.profile.name, "backend": o.backend(),
        "findings": o.info["findings"], "elapsed_s": round1(elapsed),
        "writes_per_s": round1(writes as f64 / elapsed), "reads_per_s": round1(reads as f64 / elapsed),
        "p50_ms": ms(quantile(&all, 0.50)), "p95_ms": ms(quantile(&all, 0.95)), "p99_ms": ms(quantile(&all, 0.99)),
        "errors": total_errors, "error_samples": samples,
        "rss_mb": rss_peak.round(), "rss_start_mb": rss_start.round(), "rss_end_mb": rss_end.round(),
        "rss_end_anon_mb": anon_end.round(), "rss_end_file_mb": file_end.round(),
        "cpu_s": round1(cpu1 - cpu0),
        "server_cpu_s": round1(if nodes.is_some() { nodes_cpu.iter().sum() } else { server1 - server0 }),
        "postgres_cpu_s": pg0.zip(pg1).map(|(a, b)| round1(b - a)),
        "group_commit": group_commit(commits0, commits1),
        "machine": { "cores": std::thread::available_parallelism().map(|n| n.get()).unwrap_or(0),
                     "loadavg_before": load_before, "loadavg_after": load_after },
        "by_kind": by_kind, "ledger_by_filter": ledger_by_filter,
    });
    if as_json {
        println!("{out}");
    } else {
        println!(
            "{clients} clients, {elapsed:.1} s, {} ({}, {} server{} {server}): {:.0} writes/s, {:.0} reads/s, p50 {} ms, p95 {} ms, p99 {} ms, {total_errors} errors, peak RSS {:.0} MB, CPU {:.1} s (server {:.1} s)",
            o.profile.name,
            o.backend(),
            bases.len(),
            if bases.len() == 1 { "" } else { "s" },
            writes as f64 / elapsed,
            reads as f64 / elapsed,
            out["p50_ms"],
            out["p95_ms"],
            out["p99_ms"],
            rss_peak,
            cpu1 - cpu0,
            out["server_cpu_s"].as_f64().unwrap_or(0.0)
        );
        println!(
            "| kind | n | errors | p50 ms | p95 ms | p99 ms |\n|---|---:|---:|---:|---:|---:|"
        );
        for k in KINDS {
            let v = &by_kind[k.name()];
            println!(
                "| {} | {} | {} | {} | {} | {} |",
                k.name(),
                v["n"],
                v["errors"],
                v["p50_ms"],
                v["p95_ms"],
                v["p99_ms"]
            );
        }
        if bases.len() > 1 || nodes.is_some() {
            println!(
                "\n| node | clients | writes/s | reads/s | p50 ms | p95 ms | p99 ms | errors | CPU s | peak RSS MB |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
            );
            for v in &nodes_json {
                println!(
                    "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                    v["node"],
                    v["clients"],
                    v["writes_per_s"],
                    v["reads_per_s"],
                    v["p50_ms"],
                    v["p95_ms"],
                    v["p99_ms"],
                    v["errors"],
                    v["cpu_s"],
                    v["rss_peak_mb"]
                );
            }
        }
        for s in &samples {
            println!("error: {s}");
        }
    }
    if nodes.is_some() {
        drop(nodes);
        xuncha_store::scheduler::release_lease(&db, xuncha_service::scheduler::LEASE, BENCH_HOLDER)
            .await?;
    }
    o.close().await
}

/// The scheduler lease's holder while the bench's nodes run.
const BENCH_HOLDER: &str = "xuncha-bench";

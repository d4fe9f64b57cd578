//! The design.md §6 profiles, built in bulk and measured through the real server.
//!
//! `xuncha-bench --profile city|province [--findings N] [--postgres] [--reuse DIR] [--seed N]
//! [--iterations N] [--json]`
//!
//! Organisations, users and the demo round come from `seed_demo` (the validating import). The
//! volume — rounds over a five-year term, round units, findings, measures and progress entries —
//! is written with multi-row INSERTs straight into the tables (no audit record per row: this is a
//! fixture, not a workload), reproducible from the seed:
//!
//! - every county office runs one round a year for five years; each organisation below a county
//!   is inspected once in the term, 80% of the round units fed back;
//! - findings per unit vary around the profile's mean; of the fed-back ones 93% are written off,
//!   1% carry an extension, deadlines spread over ±400 days around the feedback, so a few
//!   thousand per city are overdue on the server's day;
//! - ~2.4 measures and ~6 progress entries per fed-back finding.
//!
//! `--findings N` writes N findings over the profile's organisations instead of its own number
//! (kept as `profile-<name>-<N>-<seed>.db`): the 1,000,000-row export ([`crate::export`]) uses
//! the city's organisations with 1,300,000 findings.
//!
//! With `--reuse DIR` the database is built only once and kept: SQLite in a file in `DIR`,
//! PostgreSQL in the schema `bench_profile_<name>_<seed>` (a marker file in `DIR` holds the
//! build's figures and says the build finished). Without it, PostgreSQL builds into a fresh
//! schema, dropped at the end.
//! Then the server is started on a loopback port and the province director's daily reads are
//! measured, then a unit liaison's durable progress reports (`progress_write`) and one
//! 100,000-row ledger import through the import route (`import_100k`; `--import-rows N`, 0 to
//! skip); a kept SQLite profile takes these writes in a scratch copy ([`Opened::writable`]), so
//! the file stays as built and every run measures the same data; a kept PostgreSQL schema takes
//! the progress reports itself and imports only in the run that builds it. The result
//! is one JSON object on stdout (`--json`) or a Markdown table. [`open`] is shared with the
//! concurrent load driver (`--load`, see [`crate::load`]).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use time::{Date, Duration, OffsetDateTime};
use xuncha_domain::demo::DemoSize;
use xuncha_service::bootstrap::seed_demo;
use xuncha_store::{Db, testing};

use crate::client::{Client, Read, Stat, login, measure_all, ms};

/// One profile's size.
pub(crate) struct Profile {
    pub name: &'static str,
    pub size: DemoSize,
    pub findings: usize,
}

fn profile(name: &str) -> Result<Profile> {
    let size = |cities, counties_per_city| DemoSize {
        cities,
        counties_per_city,
        townships_per_county: 15,
        villages_per_township: 45,
    };
    match name {
        // design.md §6: 100,000 organisations, 5,000,000 findings.
        "province" => Ok(Profile {
            name: "province",
            size: size(14, 10),
            findings: 5_000_000,
        }),
        // A tenth of it, for a city's office or a quick run (the demo needs two cities).
        "city" => Ok(Profile {
            name: "city",
            size: size(2, 5),
            findings: 500_000,
        }),
        other => bail!("unknown profile {other:?} (city | province)"),
    }
}

/// A small, reproducible generator (splitmix64): no dependency for a fixture.
pub(crate) struct Rng(pub u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    /// True with probability `per_mille` / 1000.
    pub(crate) fn chance(&mut self, per_mille: u64) -> bool {
        self.below(1000) < per_mille
    }

    fn days(&mut self, lo: i64, hi: i64) -> Duration {
        let span = u64::try_from(hi - lo + 1).unwrap_or(1);
        Duration::days(lo + i64::try_from(self.below(span)).unwrap_or(0))
    }
}

const TITLES: &[&str] = &[
    "“三重一大”决策制度执行不严格",
    "选人用人工作不规范",
    "违规发放津补贴",
    "公务接待超标准",
    "公车管理使用不规范",
    "意识形态工作责任制落实不到位",
    "基层党组织“三会一课”制度落实不到位",
    "工程项目招投标不规范",
    "惠民惠农资金监管不严",
    "上轮巡察反馈问题整改不到位",
];

struct UnitRow {
    id: i64,
    round_id: i64,
    owner: i64,
    org: i64,
    path: String,
    fed_back: Option<Date>,
}

struct FindingRow {
    id: i64,
    unit: usize,
    category: Option<i64>,
    title: &'static str,
    state: &'static str,
    deadline: Option<Date>,
    original: Option<Date>,
    closed_on: Option<Date>,
    extensions: i32,
}

struct MeasureRow {
    id: i64,
    finding: i64,
    deadline: Date,
    original: Date,
    done: bool,
}

struct ProgressRow {
    id: i64,
    finding: i64,
    date: Date,
}

/// Rows per multi-row INSERT (about 25 values a row: under both backends' bound-parameter limits).
const BATCH: usize = 800;

async fn next_id(db: &Db, table: &str) -> Result<i64> {
    let sql = format!("SELECT COALESCE(MAX(id), 0) + 1 FROM {table}");
    let id: i64 = xuncha_store::on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await?);
    Ok(id)
}

async fn insert_units(db: &Db, rows: &[UnitRow], now: OffsetDateTime) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        xuncha_store::on_db!(db, p => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO round_units (id, province_id, round_id, owner_org_id, org_id, state, stationed_on, feedback_date, rectification_due, version, created_at, updated_at) ");
            qb.push_values(chunk, |mut b, u| {
                b.push_bind(u.id).push_bind(1_i64).push_bind(u.round_id).push_bind(u.owner).push_bind(u.org)
                    .push_bind(if u.fed_back.is_some() { "FEEDBACK_DONE" } else { "STATIONED" })
                    .push_bind(u.fed_back.map(|d| d - Duration::days(50)))
                    .push_bind(u.fed_back)
                    .push_bind(u.fed_back.map(|d| d + Duration::days(60)))
                    .push_bind(1_i64).push_bind(now).push_bind(now);
            });
            qb.build().execute(p).await?;
        });
    }
    Ok(())
}

async fn insert_findings(
    db: &Db,
    rows: &[FindingRow],
    units: &[UnitRow],
    now: OffsetDateTime,
) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        xuncha_store::on_db!(db, p => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO findings (id, province_id, round_unit_id, org_id, category_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, version, created_at, updated_at, org_path, deadline, original_deadline, closed_on, outcome, extensions, due_date) ");
            qb.push_values(chunk, |mut b, f| {
                let u = &units[f.unit];
                b.push_bind(f.id).push_bind(1_i64).push_bind(u.id).push_bind(u.org).push_bind(f.category)
                    .push_bind(f.title).push_bind("经调阅会议记录和财务凭证发现（压测数据）。").push_bind("《中国共产党纪律处分条例》")
                    .push_bind("党委（党组）主要负责人").push_bind("会议记录、财务凭证").push_bind("压测巡察组").push_bind("属实，列入反馈意见")
                    .push_bind(f.state).push_bind(1_i64).push_bind(now).push_bind(now).push_bind(u.path.as_str())
                    .push_bind(f.deadline).push_bind(f.original).push_bind(f.closed_on)
                    .push_bind(f.closed_on.map(|_| "completed")).push_bind(f.extensions).push_bind(f.deadline);
            });
            qb.build().execute(p).await?;
        });
    }
    Ok(())
}

async fn insert_measures(db: &Db, rows: &[MeasureRow], now: OffsetDateTime) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        xuncha_store::on_db!(db, p => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO measures (id, province_id, finding_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, version, created_at, updated_at, done_on) ");
            qb.push_values(chunk, |mut b, m| {
                b.push_bind(m.id).push_bind(1_i64).push_bind(m.finding).push_bind("deadline")
                    .push_bind("修订制度并逐项整改（压测数据）").push_bind("问题整改到位").push_bind("分管副职").push_bind("办公室")
                    .push_bind("[]").push_bind(m.deadline).push_bind(m.original)
                    .push_bind(if m.done { "DONE" } else { "OPEN" }).push_bind(1_i64).push_bind(now).push_bind(now)
                    .push_bind(m.done.then_some(m.deadline));
            });
            qb.build().execute(p).await?;
        });
    }
    Ok(())
}

async fn insert_progress(db: &Db, rows: &[ProgressRow], now: OffsetDateTime) -> Result<()> {
    for chunk in rows.chunks(BATCH) {
        xuncha_store::on_db!(db, p => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO progress (id, province_id, finding_id, effective_date, content, outcome, reported_by_name, reported_at) ");
            qb.push_values(chunk, |mut b, r| {
                b.push_bind(r.id).push_bind(1_i64).push_bind(r.finding).push_bind(r.date)
                    .push_bind("已召开专题会研究整改，相关制度正在修订（压测数据）。").push_bind("in_progress")
                    .push_bind("单位联络员").push_bind(now);
            });
            qb.build().execute(p).await?;
        });
    }
    Ok(())
}

/// Counts of what the build wrote.
#[derive(Default)]
struct Built {
    organisations: i64,
    rounds: usize,
    units: usize,
    findings: usize,
    measures: usize,
    progress: usize,
    /// Seconds `xuncha rebuild-counters` took over the bulk-written findings.
    counters_s: f64,
}

/// Writes the profile's volume on top of the seeded province.
async fn build(db: &Db, p: &Profile, seed: u64) -> Result<Built> {
    let mut rng = Rng(seed);
    let today = db.today();
    let now = db.now();
    let mut built = Built::default();
    let orgs: Vec<(i64, String, i64)> = xuncha_store::on_db!(db, pool => sqlx::query_as("SELECT id, path, CAST(depth AS BIGINT) FROM organisations ORDER BY id").fetch_all(pool).await?);
    built.organisations = i64::try_from(orgs.len())?;
    let categories: Vec<i64> = xuncha_store::on_db!(db, pool => sqlx::query_scalar("SELECT id FROM categories ORDER BY id").fetch_all(pool).await?);
    let term: i64 = xuncha_store::on_db!(db, pool => sqlx::query_scalar("SELECT MIN(id) FROM terms").fetch_one(pool).await?);

    // Rounds: one a year per county office over the five years before today.
    let mut rounds: std::collections::HashMap<i64, Vec<(i64, Date)>> = Default::default();
    let mut round_id = next_id(db, "rounds").await?;
    let counties: Vec<&(i64, String, i64)> = orgs.iter().filter(|o| o.2 == 2).collect();
    for (c, _, _) in &counties {
        for year in 0..5_i64 {
            let start = today - Duration::days(5 * 365 - year * 365) + rng.days(0, 120);
            let end = start + Duration::days(60);
            xuncha_store::on_db!(db, pool => {
                sqlx::query("INSERT INTO rounds (id, term_id, owner_org_id, name, kinds, start_date, end_date, focus, work_plan, version, created_at, updated_at) VALUES ($1, $2, $3, $4, '[\"regular\"]', $5, $6, '', '', 1, $7, $7)")
                    .bind(round_id).bind(term).bind(*c).bind(format!("压测第{}轮", year + 1)).bind(start).bind(end).bind(now)
                    .execute(pool).await?;
            });
            rounds.entry(*c).or_default().push((round_id, end));
            round_id += 1;
        }
    }
    built.rounds = counties.len() * 5;

    // Round units: every organisation below a county, once in the term.
    let mut unit_id = next_id(db, "round_units").await?;
    let mut units = Vec::new();
    for (id, path, depth) in &orgs {
        if *depth < 3 {
            continue;
        }
        let county: i64 = xuncha_domain::org::OrgPath::parse(path)
            .and_then(|p| p.ids().get(2).map(|id| id.get()))
            .context("county in path")?;
        let Some(choices) = rounds.get(&county) else {
            continue;
        };
        let (round, end) = choices[usize::try_from(rng.below(5))?];
        let fed_back =
            (rng.chance(800) && end + Duration::days(10) < today).then(|| end + Duration::days(10));
        units.push(UnitRow {
            id: unit_id,
            round_id: round,
            owner: county,
            org: *id,
            path: path.clone(),
            fed_back,
        });
        unit_id += 1;
    }
    insert_units(db, &units, now).await?;
    built.units = units.len();
    eprintln!(
        "profile: {} rounds, {} round units",
        built.rounds, built.units
    );

    // Findings, with their measures and progress, written a slice at a time.
    let mean = (p.findings / units.len().max(1)).max(1);
    let mut fid = next_id(db, "findings").await?;
    let mut mid = next_id(db, "measures").await?;
    let mut pid = next_id(db, "progress").await?;
    let (mut fs, mut ms, mut ps) = (Vec::new(), Vec::new(), Vec::new());
    for (ui, u) in units.iter().enumerate() {
        let n = mean / 2 + usize::try_from(rng.below(u64::try_from(mean)? + 1))?;
        for _ in 0..n {
            let title = TITLES[usize::try_from(rng.below(TITLES.len() as u64))?];
            let category = (!categories.is_empty()).then(|| {
                categories[usize::try_from(rng.below(categories.len() as u64)).unwrap_or(0)]
            });
            let Some(fb) = u.fed_back else {
                fs.push(FindingRow {
                    id: fid,
                    unit: ui,
                    category,
                    title,
                    state: "CONFIRMED",
                    deadline: None,
                    original: None,
                    closed_on: None,
                    extensions: 0,
                });
                fid += 1;
                continue;
            };
            let deadline = fb + rng.days(-400, 400).max(Duration::days(30));
            let extended = rng.chance(10);
            let original = if extended {
                deadline - rng.days(30, 90)
            } else {
                deadline
            };
            let closed = rng.chance(930) && fb + Duration::days(30) < today;
            let state = if closed {
                "CLOSED"
            } else {
                [
                    "IN_PROGRESS",
                    "IN_PROGRESS",
                    "IN_PROGRESS",
                    "PLANNED",
                    "FED_BACK",
                    "CLOSE_REQUESTED",
                    "LONG_TERM",
                    "REOPENED",
                ][usize::try_from(rng.below(8))?]
            };
            let closed_on = closed.then(|| (fb + rng.days(20, 300)).min(today));
            fs.push(FindingRow {
                id: fid,
                unit: ui,
                category,
                title,
                state,
                deadline: Some(deadline),
                original: Some(original),
                closed_on,
                extensions: i32::from(extended),
            });
            for _ in 0..(1 + rng.below(3) + u64::from(rng.chance(400))) {
                let d = deadline - rng.days(0, 60);
                ms.push(MeasureRow {
                    id: mid,
                    finding: fid,
                    deadline: d,
                    original: d,
                    done: closed || rng.chance(300),
                });
                mid += 1;
            }
            let last = closed_on.unwrap_or(today).max(fb);
            let span = (last - fb).whole_days().max(1);
            for _ in 0..(3 + rng.below(7)) {
                ps.push(ProgressRow {
                    id: pid,
                    finding: fid,
                    date: fb + rng.days(0, span),
                });
                pid += 1;
            }
            fid += 1;
        }
        if fs.len() >= 50_000 || ui + 1 == units.len() {
            insert_findings(db, &fs, &units, now).await?;
            insert_measures(db, &ms, now).await?;
            insert_progress(db, &ps, now).await?;
            built.findings += fs.len();
            built.measures += ms.len();
            built.progress += ps.len();
            eprintln!(
                "profile: {} findings, {} measures, {} progress entries",
                built.findings, built.measures, built.progress
            );
            fs.clear();
            ms.clear();
            ps.clear();
        }
    }
    // PostgreSQL's identity columns continue after the explicit ids; both backends refresh
    // their statistics as autoanalyze soon would.
    if matches!(db.pool, xuncha_store::Pool::Postgres(_)) {
        for t in ["rounds", "round_units", "findings", "measures", "progress"] {
            let sql = format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT MAX(id) FROM {t}))"
            );
            xuncha_store::on_db!(db, pool => { sqlx::query(sqlx::AssertSqlSafe(sql.clone())).execute(pool).await?; });
        }
    }
    // The bulk paths write findings directly; the counters are computed once over them, as
    // `xuncha rebuild-counters` would.
    let t = Instant::now();
    xuncha_store::counters::rebuild(db).await?;
    built.counters_s = (t.elapsed().as_secs_f64() * 10.0).round() / 10.0;
    db.analyze().await?;
    Ok(built)
}

/// The resident memory of this process (the in-process server and the clients), in MB.
pub(crate) fn rss_mb() -> Option<f64> {
    status_mb("VmRSS:")
}

/// A memory figure of /proc/self/status (`VmRSS:`, `RssAnon:`, `RssFile:` …), in MB.
pub(crate) fn status_mb(field: &str) -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let kb: f64 = status
        .lines()
        .find(|l| l.starts_with(field))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

fn figure(s: &Stat) -> Value {
    let f = |d: std::time::Duration| (d.as_secs_f64() * 1000.0 * 100.0).round() / 100.0;
    json!({ "n": s.n, "p50_ms": f(s.p50), "p95_ms": f(s.p95), "p99_ms": f(s.p99) })
}

/// The value after `name` on the command line.
pub(crate) fn arg(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

/// A profile database, opened from `--reuse DIR` or built now, on the backend asked for.
pub(crate) struct Opened {
    pub profile: Profile,
    pub postgres: bool,
    pub seed: u64,
    pub db: Db,
    /// What the build wrote (from the marker file when reused).
    pub info: Value,
    /// The SQLite file, when the backend is SQLite.
    pub file: Option<PathBuf>,
    /// The SQLite file or PostgreSQL schema is kept after this run (`--reuse`): later runs
    /// measure it as built.
    pub kept: bool,
    /// Opened as an earlier run built it (not built now).
    pub reused: bool,
    /// The PostgreSQL schema, dropped by [`Opened::close`] unless kept.
    schema: Option<String>,
    /// Where the SQLite file is without `--reuse`; removed on drop.
    _tmp: tempfile::TempDir,
}

impl Opened {
    pub fn backend(&self) -> &'static str {
        if self.postgres { "postgres" } else { "sqlite" }
    }

    /// The PostgreSQL schema the profile is in.
    pub fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The database a run that writes uses: a scratch copy of a kept SQLite profile, made next to
    /// it (the same storage) and removed when the returned guard drops, so the kept file stays as
    /// built and every run starts from the same data; else the profile's own database.
    pub async fn writable(&self) -> Result<(Db, Option<tempfile::TempDir>)> {
        let Some(file) = self.file.as_ref().filter(|_| self.kept) else {
            return Ok((self.db.clone(), None));
        };
        // Everything committed into the main file, the log emptied, so the file alone is whole.
        let (busy, _, _): (i64, i64, i64) = xuncha_store::on_db!(&self.db, pool => sqlx::query_as("PRAGMA wal_checkpoint(TRUNCATE)").fetch_one(pool).await?);
        if busy != 0 {
            bail!("the kept profile is busy: cannot checkpoint it for a copy");
        }
        let dir = tempfile::Builder::new()
            .prefix("scratch-")
            .tempdir_in(file.parent().context("the profile's directory")?)?;
        let copy = dir.path().join("profile.db");
        let t = Instant::now();
        std::fs::copy(file, &copy)?;
        eprintln!(
            "profile: writes go to a scratch copy of the kept file ({:.1} s to copy)",
            t.elapsed().as_secs_f64()
        );
        Ok((testing::sqlite_at(&copy).await?, Some(dir)))
    }

    /// Drops a PostgreSQL profile's schema unless `--reuse` keeps it; an SQLite file stays where
    /// `--reuse` put it.
    pub async fn close(self) -> Result<()> {
        if let Some(schema) = self.schema.as_ref().filter(|_| !self.kept) {
            let sql = format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
            xuncha_store::on_db!(&self.db, pool => { sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await?; });
        }
        Ok(())
    }
}

/// Opens the profile named by `--profile` (default city): the SQLite file kept in `--reuse DIR`
/// when an earlier run built it, else built now (into `DIR`, a temporary directory, or with
/// `--postgres` a fresh PostgreSQL schema).
pub(crate) async fn open(args: &[String]) -> Result<Opened> {
    let mut p = profile(arg(args, "--profile").as_deref().unwrap_or("city"))?;
    // `--findings N` builds the profile's organisations with N findings instead (its own file).
    let findings: Option<usize> = arg(args, "--findings").map(|s| s.parse()).transpose()?;
    let stem = match findings {
        Some(n) if n != p.findings => {
            p.findings = n;
            format!("profile-{}-{n}", p.name)
        }
        _ => format!("profile-{}", p.name),
    };
    let postgres = args.iter().any(|a| a == "--postgres");
    let seed: u64 = arg(args, "--seed").map_or(Ok(2026), |s| s.parse())?;
    let reuse = arg(args, "--reuse").map(PathBuf::from);

    let tmp = tempfile::tempdir()?;
    let dir = reuse.clone().unwrap_or_else(|| tmp.path().to_path_buf());
    std::fs::create_dir_all(&dir)?;
    let file = dir.join(format!("{stem}-{seed}.db"));
    let marker = dir.join(format!(
        "{stem}-{seed}{}.json",
        if postgres { "-postgres" } else { "" }
    ));
    let mut schema = None;
    let (db, build_info): (Db, Value) = if postgres && reuse.is_some() {
        // Kept in a schema named after the profile; the marker in DIR says it was built whole.
        let name = format!("bench_{stem}_{seed}").replace('-', "_");
        let db = testing::postgres_named(&name)
            .await
            .context("PostgreSQL (XUNCHA_TEST_PG_URL)")?;
        let kept = if marker.exists() {
            (
                db,
                serde_json::from_str(&std::fs::read_to_string(&marker)?)?,
            )
        } else {
            // A build cut short leaves rows behind: start again from an empty schema.
            xuncha_store::on_db!(&db, pool => {
                sqlx::query(sqlx::AssertSqlSafe(format!("DROP SCHEMA \"{name}\" CASCADE"))).execute(pool).await?;
            });
            db.close().await;
            (testing::postgres_named(&name).await?, Value::Null)
        };
        schema = Some(name);
        kept
    } else if postgres {
        let (db, s) = testing::postgres_fresh()
            .await
            .context("PostgreSQL (XUNCHA_TEST_PG_URL)")?;
        schema = Some(s);
        (db, Value::Null)
    } else if marker.exists() {
        let db = testing::sqlite_at(&file).await.with_context(|| {
            format!(
                "the kept profile {} (built by another version of the migrations? delete it and its .json to rebuild)",
                file.display()
            )
        })?;
        (
            db,
            serde_json::from_str(&std::fs::read_to_string(&marker)?)?,
        )
    } else {
        let _ = std::fs::remove_file(&file);
        (testing::sqlite_at(&file).await?, Value::Null)
    };
    let reused = !build_info.is_null();
    let info = if build_info.is_null() {
        let t = Instant::now();
        seed_demo(&db, seed, p.size).await.context("seed")?;
        let b = build(&db, &p, seed).await?;
        let secs = t.elapsed().as_secs_f64();
        let db_mb = if postgres {
            let bytes: i64 = xuncha_store::on_db!(&db, pool => sqlx::query_scalar("SELECT CAST(COALESCE(SUM(pg_total_relation_size(c.oid)), 0) AS BIGINT) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'").fetch_one(pool).await?);
            bytes as f64 / 1_048_576.0
        } else {
            std::fs::metadata(&file)
                .map(|m| m.len() as f64 / 1_048_576.0)
                .unwrap_or(0.0)
        };
        let info = json!({
            "organisations": b.organisations, "rounds": b.rounds, "round_units": b.units,
            "findings": b.findings, "measures": b.measures, "progress": b.progress, "counters_s": b.counters_s,
            "build_s": (secs * 10.0).round() / 10.0, "db_mb": db_mb.round(),
        });
        if !postgres || reuse.is_some() {
            std::fs::write(&marker, info.to_string())?;
        }
        info
    } else {
        build_info
    };
    eprintln!(
        "profile {} ({}): {info}",
        p.name,
        if reused { "reused" } else { "built" }
    );
    Ok(Opened {
        profile: p,
        postgres,
        seed,
        db,
        info,
        file: (!postgres).then_some(file),
        kept: reuse.is_some(),
        reused,
        schema,
        _tmp: tmp,
    })
}

/// The date as the API takes it.
pub(crate) fn day(d: Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap_or_default()
}

/// The items a unit liaison can work on (in progress, long-term or reopened: progress reports
/// and write-off requests), every page of them.
pub(crate) async fn liaison_items(liaison: &Client) -> Result<Vec<i64>> {
    let mut ids = Vec::new();
    for state in ["IN_PROGRESS", "LONG_TERM", "REOPENED"] {
        for page in 1.. {
            let r = liaison
                .json(&format!(
                    "/api/v1/rect/ledger?state={state}&page_size=200&page={page}"
                ))
                .await?;
            let items = r["items"].as_array().context("ledger items")?;
            ids.extend(items.iter().filter_map(|i| i["id"].as_i64()));
            if items.len() < 200 {
                break;
            }
        }
    }
    Ok(ids)
}

/// Sequential durable progress reports with a small file, by a township's unit liaison.
async fn progress_write(base: &str, today: Date, n: usize) -> Result<Stat> {
    let liaison = login(base, "town010101.liaison").await?;
    let items = liaison_items(&liaison).await?;
    let fid = *items.first().context("an open item of the township")?;
    let date = day(today);
    let mut times = Vec::with_capacity(n);
    for i in 0..n {
        let t = Instant::now();
        let (status, body) = liaison
            .post_form(
                &format!("/api/v1/rect/findings/{fid}/progress"),
                crate::client::progress_form(i, &date),
            )
            .await?;
        times.push(t.elapsed());
        if status != 201 {
            bail!(
                "progress: {status} {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            );
        }
    }
    Ok(Stat::of("progress_write", times))
}

/// One 100,000-row ledger import (.xlsx) through the import route, timed once: upload, read,
/// validate and the one transaction.
async fn import_100k(db: &Db, base: &str, rows: usize) -> Result<Stat> {
    let prov = login(base, "prov.director").await?;
    // 江岭省财政厅 (99-D05): the demo's fed-back unit of the province office, with no plan.
    let units = prov.json("/api/v1/rect/units?q=99-D05").await?;
    let unit = units["items"][0]["id"]
        .as_i64()
        .with_context(|| format!("the unit of 99-D05: {units}"))?;
    let categories = xuncha_store::rectification::category_ids(db).await?;
    let category = categories.first().map(|c| c.1.clone()).unwrap_or_default();
    let bytes = crate::imports::xlsx_of(
        &crate::imports::LEDGER_HEADERS,
        &crate::imports::ledger_rows(&category, rows),
    )?;
    let t = Instant::now();
    let (status, body) = prov
        .post_form(
            &format!("/api/v1/rect/units/{unit}/ledger/import"),
            reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(bytes).file_name("ledger.xlsx"),
            ),
        )
        .await?;
    let took = t.elapsed();
    let body: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    if status != 200 || body["imported"].as_u64() != Some(rows as u64) {
        bail!("import_100k: {status} {body}");
    }
    eprintln!("import_100k: {rows} rows in {:.2} s", took.as_secs_f64());
    Ok(Stat::of("import_100k", vec![took]))
}

pub async fn run(args: &[String]) -> Result<()> {
    let as_json = args.iter().any(|a| a == "--json");
    let iterations: usize = arg(args, "--iterations").map_or(Ok(200), |s| s.parse())?;
    let import_rows: usize = arg(args, "--import-rows").map_or(Ok(100_000), |s| s.parse())?;
    let o = open(args).await?;
    let db = &o.db;

    let base = crate::client::serve(db).await?;
    let prov = login(&base, "prov.director").await?;
    let first = prov
        .json("/api/v1/rect/ledger?state=IN_PROGRESS&page_size=1")
        .await?;
    let item = first["items"][0]["id"]
        .as_i64()
        .context("an item in progress")?;
    let deep = (first["total"].as_i64().unwrap_or(0) / 50 / 2).max(1);
    // A category of median size, as clicked on the dashboard.
    let by_category = prov.json("/api/v1/rect/stats?group=category").await?;
    let keyed: Vec<i64> = by_category["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["key"].as_str()?.parse().ok())
        .collect();
    let category = *keyed
        .get(keyed.len() / 2)
        .context("a category with items")?;
    // The largest child the province drills into (a city).
    let children = prov.json("/api/v1/rect/stats?group=child").await?;
    let city = children["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|r| r["drill"] == true)
        .and_then(|r| r["org_id"].as_i64())
        .context("a city to drill into")?;
    let reads = [
        Read::new(
            "dashboard_province",
            iterations.min(50),
            &prov,
            vec!["/api/v1/rect/stats?group=category".into()],
        ),
        Read::new(
            "ledger_page",
            iterations,
            &prov,
            vec!["/api/v1/rect/ledger?page_size=50".into()],
        ),
        Read::new(
            "ledger_page_deep",
            iterations.min(50),
            &prov,
            vec![format!(
                "/api/v1/rect/ledger?state=IN_PROGRESS&page_size=50&page={deep}"
            )],
        ),
        // The leader's filtered views: totals from the counters, pages from an index in order.
        Read::new(
            "ledger_attention",
            iterations,
            &prov,
            vec!["/api/v1/rect/ledger?view=attention&page_size=50".into()],
        ),
        Read::new(
            "ledger_yellow",
            iterations,
            &prov,
            vec!["/api/v1/rect/ledger?warning=yellow&page_size=50".into()],
        ),
        Read::new(
            "ledger_category",
            iterations,
            &prov,
            vec![format!(
                "/api/v1/rect/ledger?category_id={category}&page_size=50"
            )],
        ),
        // The drill-down: the province's cities, then a city's counties.
        Read::new(
            "stats_by_child",
            iterations.min(50),
            &prov,
            vec!["/api/v1/rect/stats?group=child".into()],
        ),
        Read::new(
            "stats_by_child_city",
            iterations.min(50),
            &prov,
            vec![format!("/api/v1/rect/stats?group=child&org_id={city}")],
        ),
        Read::new(
            "workbench",
            iterations.min(50),
            &prov,
            vec!["/api/v1/workbench".into()],
        ),
        // 领导驾驶舱: the province's dashboard (its cities, categories, peers, coverage, fieldwork).
        Read::new(
            "dashboard",
            iterations.min(50),
            &prov,
            vec!["/api/v1/dashboard".into()],
        ),
        Read::new(
            "item",
            iterations,
            &prov,
            vec![format!("/api/v1/rect/findings/{item}")],
        ),
        // Two reads that return every row they concern rather than stop at a cap (issue 10,
        // point 6): every unit's statistics, and a suggestion for every overdue unit.
        Read::new(
            "stats_by_unit",
            iterations.min(20),
            &prov,
            vec!["/api/v1/rect/stats?group=unit".into()],
        ),
        Read::new(
            "stats_by_unit_page",
            iterations.min(20),
            &prov,
            vec!["/api/v1/rect/stats?group=unit&page_size=50".into()],
        ),
        Read::new(
            "letter_suggestions",
            iterations.min(20),
            &prov,
            vec!["/api/v1/rect/letters/suggestions".into()],
        ),
    ];
    let mut stats = measure_all(&reads).await?;
    let rss = rss_mb();
    // The writes after the reads (and the import last), so they do not change what is read; a
    // kept profile takes them in a scratch copy, so it stays as built.
    let (wdb, scratch) = o.writable().await?;
    let wbase = if scratch.is_some() {
        crate::client::serve(&wdb).await?
    } else {
        base.clone()
    };
    stats.push(progress_write(&wbase, wdb.today(), iterations).await?);
    // A kept PostgreSQL schema takes the writes itself (no scratch copy of gigabytes): its
    // import unit holds the first run's rows, so only the run that built it imports.
    if import_rows > 0 && !(o.postgres && o.reused) {
        stats.push(import_100k(&wdb, &wbase, import_rows).await?);
    }
    drop(scratch);
    if as_json {
        let figures: serde_json::Map<String, Value> =
            stats.iter().map(|s| (s.name.clone(), figure(s))).collect();
        println!(
            "{}",
            json!({
                "profile": o.profile.name, "backend": o.backend(),
                "findings": o.info["findings"], "build": o.info,
                "figures": figures, "rss_mb": rss.map(f64::round),
            })
        );
    } else {
        println!("| path | n | p50 | p95 | p99 |\n|---|---|---|---|---|");
        for s in &stats {
            println!(
                "| {} | {} | {} | {} | {} |",
                s.name,
                s.n,
                ms(s.p50),
                ms(s.p95),
                ms(s.p99)
            );
        }
    }
    o.close().await
}

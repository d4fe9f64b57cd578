//! Beyond one machine (issue 10, point 7): three `xuncha serve` processes on one PostgreSQL
//! database, used the way a load balancer without sticky sessions would use them.
//!
//! - A session made on one node works on every node, with its CSRF token; a logout on one node
//!   ends it on all of them.
//! - Writers spread over the three nodes (organisations created, progress reported, write-offs
//!   requested, verified and reopened in a loop) lose nothing they were told was stored, and the
//!   audit trail holds exactly one record per acknowledged write.
//! - The audit chain stays one chain: sequence numbers 1..=head without a gap or a repeat, each
//!   record's previous hash the hash of the record before, `verify` clean.
//! - The rectification counters kept by the writes equal the counters rebuilt from the findings.
//! - The scheduler runs once per period across the nodes: only the lease holder runs, each run is
//!   recorded once per period, and the runs each node counted (its metrics) are the runs recorded
//!   as its own; when the holder is killed, another node takes the lease over and goes on.
//!
//! Fails (does not skip) when PostgreSQL is not reachable, like every PostgreSQL test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use xuncha_domain::demo::{DEMO_PASSWORD, DemoSize};
use xuncha_store::audit::{Actor, AuditFilter};
use xuncha_store::scope::Scope;
use xuncha_store::{Db, PageReq, accounts, audit, counters, orgs, testing};

mod support;
use support::Server;

const NODES: usize = 3;
/// How long the writers run.
const WRITE_FOR: Duration = Duration::from_secs(6);
/// The scheduler's period on the nodes (the shortest `serve` accepts); they poll every second.
const PERIOD_SECS: u64 = 10;
const METRICS_TOKEN: &str = "multinode-metrics";
/// The day the nodes' clocks start on (the demo's own day).
const DAY: time::Date = xuncha_service::bootstrap::DEMO_DAY;
const SIZE: DemoSize = DemoSize {
    cities: 2,
    counties_per_city: 2,
    townships_per_county: 2,
    villages_per_township: 2,
};

/// A session by its cookie and CSRF token, sent explicitly with every request, so one session is
/// used on whichever node a request goes to.
#[derive(Clone)]
struct Session {
    http: reqwest::Client,
    cookie: String,
    csrf: String,
}

impl Session {
    async fn login(base: &str, username: &str) -> Session {
        let (_, session, csrf) = support::login_as(base, username).await;
        Session {
            http: reqwest::Client::new(),
            cookie: format!("xuncha_session={session}; xuncha_csrf={csrf}"),
            csrf,
        }
    }

    fn request(&self, method: reqwest::Method, url: String) -> reqwest::RequestBuilder {
        self.http
            .request(method, url)
            .header(reqwest::header::COOKIE, &self.cookie)
            .header("x-csrf-token", &self.csrf)
            .timeout(Duration::from_secs(30))
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> (u16, Value) {
        match req.send().await {
            Ok(res) => {
                let status = res.status().as_u16();
                let body = res.bytes().await.unwrap_or_default();
                (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
            }
            Err(e) => (0, json!(e.to_string())),
        }
    }

    async fn get(&self, base: &str, path: &str) -> (u16, Value) {
        self.send(self.request(reqwest::Method::GET, format!("{base}{path}")))
            .await
    }

    async fn post(&self, base: &str, path: &str, body: Value) -> (u16, Value) {
        self.send(
            self.request(reqwest::Method::POST, format!("{base}{path}"))
                .json(&body),
        )
        .await
    }

    async fn post_form(&self, base: &str, path: &str, fields: &[(&str, String)]) -> (u16, Value) {
        let mut form = reqwest::multipart::Form::new();
        for (k, v) in fields {
            form = form.text(k.to_string(), v.clone());
        }
        let file =
            reqwest::multipart::Part::bytes(format!("%PDF-1.4\n% {path}\n%%EOF\n").into_bytes())
                .file_name("佐证.pdf");
        self.send(
            self.request(reqwest::Method::POST, format!("{base}{path}"))
                .multipart(form.part("file", file)),
        )
        .await
    }
}

/// What the writers were told, and what surprised them.
#[derive(Default)]
struct Acked {
    orgs: Vec<String>,
    /// (finding, progress id)
    progress: Vec<(i64, i64)>,
    requests: usize,
    verified: usize,
    reopened: usize,
    /// Answers that are neither success nor an expected refusal.
    errors: Vec<String>,
}

fn day(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap()
}

/// The node configuration: one database, the same keys everywhere (a node that generated its
/// own field key could not read what another encrypted), a controllable clock pinned on [`DAY`].
fn write_config(dir: &Path, database_url: &str) -> PathBuf {
    let file = dir.join("xuncha.toml");
    std::fs::write(
        &file,
        format!(
            "database_url = \"{database_url}\"\nlog_level = \"warn\"\nclock_control = true\nclock_start = \"{}\"\n\
             scheduler_interval_secs = {PERIOD_SECS}\nmetrics_token = \"{METRICS_TOKEN}\"\n\
             audit_key = \"{}\"\n\n[[encryption_keys]]\nid = 1\nkey = \"00112233445566778899aabbccddeeff\"\n",
            day(DAY),
            "a1".repeat(32),
        ),
    )
    .unwrap();
    file
}

/// The test server's URL with `search_path` set to `schema` (a connection option in the URL).
fn schema_url(schema: &str) -> String {
    let pg = testing::pg_url();
    let sep = if pg.contains('?') { '&' } else { '?' };
    format!("{pg}{sep}options[search_path]={schema}")
}

/// Unit liaisons (the demo has none) for the units with items in progress, so progress and
/// write-off requests have someone to come from: `(username, unit code)`.
async fn liaisons(db: &Db, codes: &[&str]) -> Vec<(String, String)> {
    let all = Scope::unrestricted();
    let actor = Actor::system("test");
    let role = accounts::get_role_by_code(db, xuncha_domain::perm::UNIT_LIAISON)
        .await
        .unwrap();
    let hash = xuncha_service::crypto::hash_password(DEMO_PASSWORD.to_string())
        .await
        .unwrap();
    let mut out = Vec::new();
    for code in codes {
        let org = orgs::get_by_code(db, &all, code).await.unwrap();
        let username = format!("mn{}.liaison", code.to_ascii_lowercase().replace('-', ""));
        let user = accounts::create_user(
            db,
            &actor,
            &all,
            &accounts::NewUser {
                username: username.clone(),
                display_name: format!("{}联络员", org.name),
                org_id: org.id,
                password_hash: hash.clone(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        accounts::set_roles(db, &actor, &all, user.id, &[role.id], user.version)
            .await
            .unwrap();
        out.push((username, code.to_string()));
    }
    out
}

/// How many audit records carry `action`.
async fn audited(db: &Db, action: &str) -> i64 {
    let f = AuditFilter {
        action: Some(action.to_string()),
        ..AuditFilter::default()
    };
    audit::list(db, &f, PageReq::new(None, Some(1)))
        .await
        .unwrap()
        .total
}

/// The scheduler runs the node at `base` counted (its `xuncha_scheduler_runs_total`, 0 when it
/// has run none), and whether it holds the lease (`xuncha_scheduler_lease_held`).
async fn counted(base: &str) -> (usize, bool) {
    let text = reqwest::Client::new()
        .get(format!("{base}/metrics"))
        .bearer_auth(METRICS_TOKEN)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let value = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .filter_map(|l| {
                l.rsplit_once(' ')
                    .and_then(|(_, v)| v.trim().parse::<f64>().ok())
            })
            .sum()
    };
    (
        value("xuncha_scheduler_runs_total") as usize,
        value("xuncha_scheduler_lease_held") > 0.0,
    )
}

/// Waits (up to `secs`) until `check` holds.
async fn eventually<F, Fut>(secs: u64, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let deadline = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < deadline {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what}: not within {secs} s");
}

/// The China date of an instant.
fn china_day(t: time::OffsetDateTime) -> time::Date {
    t.to_offset(xuncha_store::clock::china_offset()).date()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn three_nodes_on_one_postgresql() {
    let started = Instant::now();
    // One fresh schema with the demo province, seeded on the nodes' day.
    let (db, schema) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    let db = db.with_clock(Arc::new(xuncha_store::Clock::pinned_on(DAY)));
    xuncha_service::bootstrap::seed_demo(&db, 7, SIZE)
        .await
        .unwrap();
    let liaisons = liaisons(&db, &["9901", "99-E01"]).await;
    let url = schema_url(&schema);

    // Three nodes, each with a data directory of its own, started at once.
    let dirs: Vec<tempfile::TempDir> = (0..NODES).map(|_| tempfile::tempdir().unwrap()).collect();
    let configs: Vec<PathBuf> = dirs.iter().map(|d| write_config(d.path(), &url)).collect();
    let (a, b, c) = tokio::join!(
        Server::start_with(dirs[0].path(), Some(&configs[0]), false),
        Server::start_with(dirs[1].path(), Some(&configs[1]), false),
        Server::start_with(dirs[2].path(), Some(&configs[2]), false),
    );
    let mut nodes = vec![Some(a), Some(b), Some(c)];
    let bases: Vec<String> = nodes
        .iter()
        .map(|n| n.as_ref().unwrap().base.clone())
        .collect();
    let setup = started.elapsed();

    // Sessions: made on node 1, valid on every node with their CSRF token.
    let director = Session::login(&bases[0], "prov.director").await;
    for base in &bases {
        let (st, me) = director.get(base, "/api/v1/auth/me").await;
        assert_eq!(
            (st, me["username"].as_str()),
            (200, Some("prov.director")),
            "{base}"
        );
    }
    let root = orgs::get_by_code(&db, &Scope::unrestricted(), "99")
        .await
        .unwrap()
        .id
        .get();
    let org = |code: &str| json!({ "parent_id": root, "code": code, "name": format!("多节点{code}"), "kind": "department" });
    let (st, body) = director.post(&bases[2], "/api/v1/orgs", org("MN-S")).await;
    assert_eq!(
        st, 201,
        "a write with the token made on node 1, on node 3: {body}"
    );
    let no_token = reqwest::Client::new()
        .post(format!("{}/api/v1/orgs", bases[1]))
        .header(reqwest::header::COOKIE, &director.cookie)
        .json(&org("MN-X"))
        .send()
        .await
        .unwrap();
    assert_eq!(no_token.status().as_u16(), 403, "a write without the token");
    // A logout on node 2 ends the session on every node.
    let staff = Session::login(&bases[0], "prov.staff").await;
    assert_eq!(staff.get(&bases[2], "/api/v1/auth/me").await.0, 200);
    assert_eq!(
        staff
            .post(&bases[1], "/api/v1/auth/logout", json!({}))
            .await
            .0,
        204
    );
    for base in &bases {
        assert_eq!(staff.get(base, "/api/v1/auth/me").await.0, 401, "{base}");
    }

    // The items the writers work on: every open or closed ledger item of the two units.
    let mut items: Vec<(Session, i64)> = Vec::new();
    for (username, code) in &liaisons {
        let liaison = Session::login(&bases[1], username).await;
        let (st, page) = liaison
            .get(&bases[2], "/api/v1/rect/ledger?page_size=50")
            .await;
        assert_eq!(st, 200, "{page}");
        for it in page["items"].as_array().unwrap() {
            if matches!(
                it["state"].as_str(),
                Some("IN_PROGRESS" | "REOPENED" | "CLOSED")
            ) {
                items.push((liaison.clone(), it["id"].as_i64().unwrap()));
            }
        }
        assert!(!items.is_empty(), "no workable item of {code}");
    }
    assert!(items.len() >= 3, "{} items", items.len());
    let before = (
        audited(&db, "org.create").await,
        audited(&db, "rect.progress").await,
        audited(&db, "rect.write_off.request").await,
        audited(&db, "rect.write_off.decide").await,
        audited(&db, "rect.reopen").await,
    );

    // The writers: every request goes to the next node in turn.
    let acked: Arc<Mutex<Acked>> = Arc::default();
    let until = Instant::now() + WRITE_FOR;
    let mut writers = tokio::task::JoinSet::new();
    // Organisations, as fast as they are answered (all under the province: one hot parent).
    for w in 0..6 {
        let (s, bases, acked) = (director.clone(), bases.clone(), acked.clone());
        writers.spawn(async move {
            let mut i = 0;
            while Instant::now() < until {
                let code = format!("MN-{w}-{i}");
                let body = json!({ "parent_id": root, "code": code, "name": format!("多节点单位{w}-{i}"), "kind": "department" });
                let (st, res) = s.post(&bases[(w + i) % NODES], "/api/v1/orgs", body).await;
                let mut a = acked.lock().unwrap();
                match st {
                    201 => a.orgs.push(code),
                    _ => a.errors.push(format!("org {code}: {st} {res}")),
                }
                i += 1;
            }
        });
    }
    // Progress reports on every item (refused, 409, while its write-off is pending or closed).
    for (k, (liaison, fid)) in items.iter().enumerate() {
        for w in 0..2 {
            let (s, bases, acked, fid) = (liaison.clone(), bases.clone(), acked.clone(), *fid);
            writers.spawn(async move {
                let mut i = k + w;
                while Instant::now() < until {
                    let fields = [
                        ("content", format!("多节点进展报告（{fid}-{w}-{i}）")),
                        ("effective_date", day(DAY)),
                    ];
                    let path = format!("/api/v1/rect/findings/{fid}/progress");
                    let (st, res) = s.post_form(&bases[i % NODES], &path, &fields).await;
                    let mut a = acked.lock().unwrap();
                    match st {
                        201 => a.progress.push((fid, res["id"].as_i64().unwrap())),
                        409 => {}
                        _ => a.errors.push(format!("progress {fid}: {st} {res}")),
                    }
                    i += 1;
                }
            });
        }
    }
    // One write-off cycle per item: requested by the unit, verified (closed) and reopened by the
    // province's office, each step on the next node; the counters move at every verification
    // and reopening, on shared ancestor rows from every node.
    for (k, (liaison, fid)) in items.iter().enumerate() {
        let (liaison, director, bases, acked, fid) = (
            liaison.clone(),
            director.clone(),
            bases.clone(),
            acked.clone(),
            *fid,
        );
        writers.spawn(async move {
            let mut i = k;
            let mut node = || {
                i += 1;
                bases[i % NODES].clone()
            };
            let (st, item) = director
                .get(&node(), &format!("/api/v1/rect/findings/{fid}"))
                .await;
            assert_eq!(st, 200, "{item}");
            let mut state = item["row"]["state"].as_str().unwrap().to_string();
            let mut version = item["row"]["version"].as_i64().unwrap();
            while Instant::now() < until {
                let fail = |what: &str, st: u16, res: &Value| {
                    acked
                        .lock()
                        .unwrap()
                        .errors
                        .push(format!("{what} {fid}: {st} {res}"));
                };
                if state == "CLOSED" {
                    let body =
                        json!({ "reason": "回头看发现问题反弹（多节点）", "version": version });
                    let (st, res) = director
                        .post(
                            &node(),
                            &format!("/api/v1/rect/findings/{fid}/reopen"),
                            body,
                        )
                        .await;
                    if st != 200 {
                        return fail("reopen", st, &res);
                    }
                    acked.lock().unwrap().reopened += 1;
                    state = res["row"]["state"].as_str().unwrap().to_string();
                    version = res["row"]["version"].as_i64().unwrap();
                    continue;
                }
                let fields = [
                    ("outcome", "completed".to_string()),
                    ("explanation", format!("整改措施已全部落实（多节点{fid}）")),
                ];
                let (st, res) = liaison
                    .post_form(
                        &node(),
                        &format!("/api/v1/rect/findings/{fid}/write-off"),
                        &fields,
                    )
                    .await;
                if st != 201 {
                    return fail("write-off", st, &res);
                }
                acked.lock().unwrap().requests += 1;
                let wid = res["id"].as_i64().unwrap();
                let body = json!({ "decision": "verify", "version": 1 });
                let (st, res) = director
                    .post(
                        &node(),
                        &format!("/api/v1/rect/write-offs/{wid}/decide"),
                        body,
                    )
                    .await;
                if st != 200 {
                    return fail("verify", st, &res);
                }
                acked.lock().unwrap().verified += 1;
                state = res["row"]["state"].as_str().unwrap().to_string();
                version = res["row"]["version"].as_i64().unwrap();
            }
        });
    }
    while let Some(r) = writers.join_next().await {
        r.unwrap();
    }
    let acked = std::mem::take(&mut *acked.lock().unwrap());
    assert!(
        acked.errors.is_empty(),
        "unexpected answers: {:?}",
        acked.errors
    );
    assert!(
        acked.orgs.len() >= 30 && acked.progress.len() >= 10 && acked.verified >= 3,
        "too few writes to prove anything: {} organisations, {} progress reports, {} verified",
        acked.orgs.len(),
        acked.progress.len(),
        acked.verified
    );

    // Every acknowledged write is stored, and audited exactly once.
    for code in &acked.orgs {
        orgs::get_by_code(&db, &Scope::unrestricted(), code)
            .await
            .unwrap_or_else(|e| panic!("acknowledged organisation {code}: {e}"));
    }
    let mut by_item: HashMap<i64, Vec<i64>> = HashMap::new();
    for (fid, pid) in &acked.progress {
        by_item.entry(*fid).or_default().push(*pid);
    }
    for (fid, pids) in &by_item {
        let stored: Vec<i64> = xuncha_store::rectification::progress(&db, (*fid).into())
            .await
            .unwrap()
            .iter()
            .map(|p| p.id)
            .collect();
        for pid in pids {
            assert!(
                stored.contains(pid),
                "acknowledged progress {pid} of item {fid} is missing"
            );
        }
    }
    let after = (
        audited(&db, "org.create").await,
        audited(&db, "rect.progress").await,
        audited(&db, "rect.write_off.request").await,
        audited(&db, "rect.write_off.decide").await,
        audited(&db, "rect.reopen").await,
    );
    let n = |x: usize| i64::try_from(x).unwrap();
    assert_eq!(
        (
            after.0 - before.0,
            after.1 - before.1,
            after.2 - before.2,
            after.3 - before.3,
            after.4 - before.4
        ),
        (
            n(acked.orgs.len()),
            n(acked.progress.len()),
            n(acked.requests),
            n(acked.verified),
            n(acked.reopened)
        ),
        "audit records per action against acknowledged writes"
    );

    // One chain: 1..=head, each record linked to the one before, and the head at the last.
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(report.problem, None, "{report:?}");
    let (head_seq, head_hash) = audit::head(&db).await.unwrap();
    let mut rows = Vec::new();
    let all = AuditFilter::default();
    for page in 1.. {
        let p = audit::list(&db, &all, PageReq::new(Some(page), Some(200)))
            .await
            .unwrap();
        if p.items.is_empty() {
            break;
        }
        rows.extend(p.items);
    }
    rows.sort_by_key(|r| r.seq);
    assert_eq!(
        rows.len(),
        usize::try_from(head_seq).unwrap(),
        "records against the head"
    );
    for (i, pair) in rows.windows(2).enumerate() {
        assert_eq!(pair[0].seq, i64::try_from(i).unwrap() + 1);
        assert_eq!(
            pair[1].seq,
            pair[0].seq + 1,
            "a gap or a repeat after {}",
            pair[0].seq
        );
        assert_eq!(
            pair[1].prev_hash, pair[0].hash,
            "record {} does not follow {}",
            pair[1].seq, pair[0].seq
        );
    }
    assert_eq!(rows.last().unwrap().hash, head_hash);

    // The counters the writes kept equal the counters rebuilt from the findings.
    let kept = counters::snapshot(&db).await.unwrap();
    counters::rebuild(&db).await.unwrap();
    let rebuilt = counters::snapshot(&db).await.unwrap();
    assert!(!rebuilt.counts.is_empty());
    assert_eq!(
        kept, rebuilt,
        "counters kept by the writes against a rebuild"
    );

    // The scheduler: one node holds the lease and has run the current period.
    let pids: Vec<u32> = nodes.iter().map(|n| n.as_ref().unwrap().pid()).collect();
    let node_of = |holder: &str| -> usize {
        let pid: u32 = holder.rsplit(':').nth(1).unwrap().parse().unwrap();
        pids.iter()
            .position(|p| *p == pid)
            .unwrap_or_else(|| panic!("{holder} is none of the nodes"))
    };
    let runs = || async {
        xuncha_store::scheduler::runs(
            &db,
            xuncha_service::scheduler::JOB,
            time::OffsetDateTime::UNIX_EPOCH,
        )
        .await
        .unwrap()
    };
    eventually(10, "a first scheduler run", || async {
        !runs().await.is_empty()
    })
    .await;
    let lease = xuncha_store::scheduler::lease(&db, xuncha_service::scheduler::LEASE)
        .await
        .unwrap()
        .unwrap();
    let first = lease.holder.clone();
    let holder = node_of(&first);
    // A new day on every node, the holder's first; the others move only once the holder has
    // renewed its lease on its new day (it renews at every poll, once a second), so the lease
    // still looks current to them: the holder runs the new period.
    let mut order: Vec<usize> = vec![holder];
    order.extend((0..NODES).filter(|i| *i != holder));
    for &i in &order {
        let (st, clock) = director
            .post(
                &bases[i],
                "/api/v1/testing/clock",
                json!({ "advance_days": 1 }),
            )
            .await;
        assert_eq!(
            (st, clock["today"].as_str()),
            (200, Some(day(DAY.next_day().unwrap()).as_str()))
        );
        if i == holder {
            eventually(
                10,
                "the holder renewing its lease on its new day",
                || async {
                    xuncha_store::scheduler::lease(&db, xuncha_service::scheduler::LEASE)
                        .await
                        .unwrap()
                        .is_some_and(|l| l.holder == first && china_day(l.expires_at) > DAY)
                },
            )
            .await;
        }
    }
    eventually(10, "a run on the next day", || async {
        runs()
            .await
            .iter()
            .any(|r| china_day(r.period_start) > DAY && r.finished_at.is_some())
    })
    .await;
    // Only the holder has run, and what each node counted is what is recorded as its own.
    assert!(runs().await.iter().all(|r| r.holder == first));
    let live: Vec<usize> = (0..NODES).collect();
    eventually(5, "each node's count of runs against the record", || {
        let (bases, live, first) = (&bases, &live, &first);
        async move {
            let recorded = runs().await.iter().filter(|r| &r.holder == first).count();
            let mut ok = true;
            for &i in live {
                let expected = if i == holder {
                    (recorded, true)
                } else {
                    (0, false)
                };
                ok &= counted(&bases[i]).await == expected;
            }
            ok
        }
    })
    .await;

    // The holder dies. Once its lease has run out (a day later on the others' clocks), another
    // node takes it over and runs the period.
    nodes[holder].take().unwrap().kill();
    let survivors: Vec<usize> = (0..NODES).filter(|i| *i != holder).collect();
    for &i in &survivors {
        let (st, _) = director
            .post(
                &bases[i],
                "/api/v1/testing/clock",
                json!({ "advance_days": 1 }),
            )
            .await;
        assert_eq!(st, 200);
    }
    let two_days = DAY.next_day().unwrap().next_day().unwrap();
    eventually(
        10,
        "a run by another node after the holder died",
        || async {
            runs()
                .await
                .iter()
                .any(|r| china_day(r.period_start) >= two_days && r.finished_at.is_some())
        },
    )
    .await;
    let lease = xuncha_store::scheduler::lease(&db, xuncha_service::scheduler::LEASE)
        .await
        .unwrap()
        .unwrap();
    let second = lease.holder.clone();
    assert_ne!(second, first);
    let taker = node_of(&second);
    assert!(survivors.contains(&taker));
    let all_runs = runs().await;
    let mut periods: BTreeMap<time::OffsetDateTime, &str> = BTreeMap::new();
    for r in &all_runs {
        assert!(
            periods.insert(r.period_start, &r.holder).is_none(),
            "period {} ran twice",
            r.period_start
        );
        // Before the kill only the first holder ran; after, only the node that took over.
        let expected = if china_day(r.period_start) >= two_days {
            &second
        } else {
            &first
        };
        assert_eq!(&r.holder, expected, "{r:?}");
    }
    let by_second = all_runs.iter().filter(|r| r.holder == second).count();
    eventually(
        5,
        "the survivors' counts of runs against the record",
        || {
            let (bases, survivors, second) = (&bases, &survivors, &second);
            async move {
                let recorded = runs().await.iter().filter(|r| &r.holder == second).count();
                let mut ok = true;
                for &i in survivors {
                    let expected = if i == taker {
                        (recorded, true)
                    } else {
                        (0, false)
                    };
                    ok &= counted(&bases[i]).await == expected;
                }
                ok
            }
        },
    )
    .await;

    eprintln!(
        "{NODES} nodes on one PostgreSQL: started in {:.1} s; in {:.0} s of writes {} organisations, {} progress reports, \
         {} write-offs requested, {} verified, {} reopened, all stored and audited once; audit chain of {head_seq} records; \
         counters exact; {} scheduler runs ({} by the first holder, {} after it was killed); {:.1} s in all",
        setup.as_secs_f64(),
        WRITE_FOR.as_secs_f64(),
        acked.orgs.len(),
        acked.progress.len(),
        acked.requests,
        acked.verified,
        acked.reopened,
        all_runs.len(),
        all_runs.len() - by_second,
        by_second,
        started.elapsed().as_secs_f64(),
    );
    drop(nodes);
    db.close().await;
}

/// Two nodes (two pools on one schema) write the same item at once: one approves a deadline
/// extension while the other files the write-off request. Each write reads the item's counter
/// facts before its change and applies the difference after. With a transaction per request on
/// PostgreSQL (READ COMMITTED) the second read them before the first committed, then waited on the
/// row and applied a difference that included the first's change again: the counters drifted in
/// about a third of the rounds (a single node with a pool had the same race). Group commit removed
/// it: a batch takes the audit head's lock before anything else, so batches of different nodes
/// run one after another and every write reads facts no other uncommitted write has changed.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn counters_stay_exact_when_two_nodes_write_one_item() {
    use xuncha_domain::rectification::{Outcome, ReviewDecision};
    use xuncha_store::rectification::{self as rect, Upload};
    let (one, schema) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    let clock = Arc::new(xuncha_store::Clock::pinned_on(DAY));
    let one = one.with_clock(clock.clone());
    xuncha_service::bootstrap::seed_demo(&one, 7, SIZE)
        .await
        .unwrap();
    let url = schema_url(&schema);
    let two = xuncha_store::connect(&url).await.unwrap().with_clock(clock);
    let (all, actor) = (Scope::unrestricted(), Actor::system("test"));
    let org = orgs::get_by_code(&one, &all, "99-E01").await.unwrap();
    let t = rect::Today {
        today: DAY,
        yellow_until: DAY,
        by_office: vec![],
    };
    let f = rect::LedgerFilter {
        org_id: Some(org.id),
        state: Some("IN_PROGRESS".into()),
        ..Default::default()
    };
    let fid = rect::ledger(&one, &all, &f, &t, PageReq::new(None, Some(50)))
        .await
        .unwrap()
        .items[0]
        .id;
    let file = Upload {
        name: "佐证.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
    };
    let mut drifted = Vec::new();
    for round in 0..60 {
        let m = rect::measures(&one, &[fid.get()]).await.unwrap()[0].clone();
        let later = m.deadline + time::Duration::days(7);
        let x = rect::request_extension(&one, &actor, &all, fid, m.id, later, "需要更多时间")
            .await
            .unwrap();
        let (approved, requested) = tokio::join!(
            async {
                for _ in 0..(round % 4) {
                    tokio::task::yield_now().await;
                }
                rect::decide_extension(&one, &actor, &all, x, true, "同意").await
            },
            rect::request_write_off(
                &two,
                &actor,
                &all,
                fid,
                Outcome::Completed,
                "整改措施已全部落实",
                std::slice::from_ref(&file),
                DAY,
            )
        );
        approved.unwrap();
        let w = requested.unwrap();
        let kept = counters::snapshot(&one).await.unwrap();
        counters::rebuild(&one).await.unwrap();
        if kept != counters::snapshot(&one).await.unwrap() {
            drifted.push(round);
        }
        // Workable again for the next round: verified (closed), then reopened.
        rect::decide_write_off(&one, &actor, &all, w, ReviewDecision::Approve, "", 1, DAY)
            .await
            .unwrap();
        let row = rect::ledger_row(&one, &all, fid).await.unwrap();
        rect::reopen(&one, &actor, &all, fid, "回头看", row.version)
            .await
            .unwrap();
    }
    two.close().await;
    one.close().await;
    assert!(
        drifted.is_empty(),
        "the counters drifted in rounds {drifted:?}"
    );
}

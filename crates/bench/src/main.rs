//! Benchmark harness: seeds a large province through the real import path, starts the real
//! server on a loopback port, and measures request latency of the organisation routes.
//!
//! `cargo run --release -p xuncha-bench -- [--orgs-scale N] [--postgres] [--iterations N]`
//! prints a Markdown table for docs/benchmarks.md. `xuncha-bench imports [--rows N]` measures
//! 100,000-row imports instead (see [`imports`]); `xuncha-bench --profile city|province`
//! builds a design.md §6 profile and measures the daily reads on it (see [`profile`]);
//! `xuncha-bench --load --clients N --seconds S [--profile …]` runs N concurrent clients over a
//! realistic mix of reads and durable writes on it (see [`load`]); `xuncha-bench --export
//! [--profile …] [--findings N]` times the whole ledger's export and the memory it takes (see
//! [`export`]).

mod client;
mod export;
mod imports;
mod load;
mod nodes;
mod profile;

use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde_json::{Value, json};
use xuncha_domain::demo::DemoSize;
use xuncha_service::bootstrap::seed_demo;
use xuncha_store::{Db, testing};

use crate::client::{Read, Stat, login, measure, measure_all, ms};

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("imports") {
        return imports::run(&args).await;
    }
    if args.iter().any(|a| a == "--load") {
        return load::run(&args).await;
    }
    if args.iter().any(|a| a == "--export") {
        return export::run(&args).await;
    }
    if args.get(1).map(String::as_str) == Some("profile") || args.iter().any(|a| a == "--profile") {
        return profile::run(&args).await;
    }
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse::<usize>().ok())
    };
    let postgres = args.iter().any(|a| a == "--postgres");
    let iterations = flag("--iterations").unwrap_or(500);
    let villages = flag("--villages-per-township").unwrap_or(45);
    let size = DemoSize {
        cities: 14,
        counties_per_city: 10,
        townships_per_county: 15,
        villages_per_township: villages,
    };

    let dir = tempfile::tempdir()?;
    let db: Db = if postgres {
        testing::postgres_fresh()
            .await
            .context("PostgreSQL (XUNCHA_TEST_PG_URL)")?
            .0
    } else {
        testing::sqlite_at(&dir.path().join("bench.db")).await?
    };
    let t = Instant::now();
    seed_demo(&db, 2026, size).await.context("seed")?;
    let seeded = t.elapsed();
    let n_orgs = xuncha_store::orgs::export(&db, &xuncha_store::scope::Scope::unrestricted(), None)
        .await?
        .len();
    eprintln!("seeded {n_orgs} organisations in {seeded:?}");

    let base = crate::client::serve(&db).await?;

    let prov = login(&base, "prov.director").await?;
    let county = login(&base, "county0101.director").await?;
    let roots = prov.json("/api/v1/orgs/roots").await?;
    let root = roots[0]["id"].as_i64().context("root")?;
    let cities: Vec<i64> = prov
        .json(&format!("/api/v1/orgs/{root}/children"))
        .await?
        .as_array()
        .context("cities")?
        .iter()
        .filter(|o| o["kind"] == "city")
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let own_county = county.json("/api/v1/orgs/roots").await?[0]["id"]
        .as_i64()
        .context("county")?;
    let townships: Vec<i64> = county
        .json(&format!("/api/v1/orgs/{own_county}/children"))
        .await?
        .as_array()
        .context("towns")?
        .iter()
        .filter(|o| o["kind"] == "township")
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let villages: Vec<i64> = county
        .json(&format!("/api/v1/orgs/{}/children", townships[0]))
        .await?
        .as_array()
        .context("villages")?
        .iter()
        .filter_map(|o| o["id"].as_i64())
        .collect();
    let other_county_villages: Vec<i64> = {
        let c2 = prov
            .json(&format!("/api/v1/orgs/{}/children", cities[1]))
            .await?;
        let k = c2
            .as_array()
            .context("c2")?
            .iter()
            .find(|o| o["kind"] == "county")
            .and_then(|o| o["id"].as_i64())
            .context("k")?;
        let t = prov.json(&format!("/api/v1/orgs/{k}/children")).await?;
        let t0 = t
            .as_array()
            .context("t")?
            .iter()
            .find(|o| o["kind"] == "township")
            .and_then(|o| o["id"].as_i64())
            .context("t0")?;
        prov.json(&format!("/api/v1/orgs/{t0}/children"))
            .await?
            .as_array()
            .context("v")?
            .iter()
            .filter_map(|o| o["id"].as_i64())
            .collect()
    };

    let orgs = |ids: &[i64], path: &str| -> Vec<String> {
        ids.iter()
            .map(|i| format!("/api/v1/orgs/{i}{path}"))
            .collect()
    };
    let search = |words: &[&str]| -> Vec<String> {
        words
            .iter()
            .map(|q| format!("/api/v1/orgs?q={q}&page_size=50"))
            .collect()
    };
    let subtree_pages = |query: &str| -> Vec<String> {
        cities
            .iter()
            .map(|c| format!("/api/v1/orgs?parent_id={c}&page_size=50{query}"))
            .collect()
    };
    let mut stats = measure_all(&[
        Read::new(
            "tree: children of a city (province user)",
            iterations,
            &prov,
            orgs(&cities, "/children"),
        ),
        Read::new(
            "tree: children of a township (county user)",
            iterations,
            &county,
            orgs(&townships, "/children"),
        ),
        Read::new(
            "subtree page, 50 rows by path (province user, a city)",
            iterations,
            &prov,
            subtree_pages(""),
        ),
        Read::new(
            "subtree page, 50 rows, page 20 (province user)",
            iterations,
            &prov,
            subtree_pages("&page=20"),
        ),
        Read::new(
            "name search, whole province (province user)",
            iterations,
            &prov,
            search(&["东", "安平", "村", "9901", "社区", "林"]),
        ),
        Read::new(
            "name search inside own county (county user)",
            iterations,
            &county,
            search(&["东", "村", "林"]),
        ),
        Read::new(
            "detail in scope (county user)",
            iterations,
            &county,
            orgs(&villages, ""),
        ),
        Read::new(
            "detail out of scope → 404 (county user)",
            iterations,
            &county,
            orgs(&other_county_villages, ""),
        )
        .expect(404),
        Read::new(
            "ancestors of a village (county user)",
            iterations,
            &county,
            orgs(&villages, "/ancestors"),
        ),
        Read::new(
            "export a county subtree as .xlsx (county user)",
            iterations.min(100),
            &county,
            vec![format!("/api/v1/orgs/export?root_id={own_county}")],
        ),
    ])
    .await?;

    // A write: move a township (with its villages) between two counties and back.
    let t0 = townships[0];
    let mut move_times = Vec::new();
    let other_county = county.json(&format!("/api/v1/orgs/{own_county}")).await?;
    let _ = other_county;
    let siblings: Vec<i64> = prov
        .json(&format!("/api/v1/orgs/{}/children", cities[0]))
        .await?
        .as_array()
        .context("sib")?
        .iter()
        .filter(|o| o["kind"] == "county")
        .filter_map(|o| o["id"].as_i64())
        .collect();
    for i in 0..20 {
        let target = if i % 2 == 0 { siblings[1] } else { siblings[0] };
        let cur = prov.json(&format!("/api/v1/orgs/{t0}")).await?;
        let t = Instant::now();
        let r = prov
            .http
            .post(format!("{}/api/v1/orgs/{t0}/move", prov.base))
            .header("x-csrf-token", &prov.csrf)
            .json(&json!({ "new_parent_id": target, "version": cur["version"] }))
            .send()
            .await?;
        move_times.push(t.elapsed());
        if !r.status().is_success() {
            bail!("move: {}", r.status());
        }
    }
    move_times.sort();

    // Inspection work at volume: a round over many townships, N findings fed back.
    let n_findings = flag("--findings").unwrap_or(0);
    let mut seeded_findings = None;
    if n_findings > 0 {
        use xuncha_domain::inspection::{FindingState, InspectionKind, RoundUnitState as S};
        use xuncha_store::{fieldwork, inspection, scope::Scope};
        let all = Scope::unrestricted();
        let actor = xuncha_store::audit::Actor::system("bench");
        let t = Instant::now();
        let term = inspection::list_terms(&db, &all)
            .await?
            .into_iter()
            .next()
            .context("term")?;
        let round = inspection::create_round(
            &db,
            &actor,
            &all,
            term.id,
            &inspection::RoundDraft {
                name: "压测轮次".into(),
                kinds: vec![InspectionKind::Regular],
                village_mode: None,
                start_date: time::macros::date!(2026 - 01 - 01),
                end_date: time::macros::date!(2026 - 12 - 31),
                focus: String::new(),
                work_plan: String::new(),
            },
        )
        .await?;
        let towns: Vec<_> = xuncha_store::orgs::export(&db, &all, None)
            .await?
            .into_iter()
            .filter(|o| o.kind == "township")
            .take(200)
            .collect();
        let per_unit = n_findings.div_ceil(towns.len().max(1));
        let cat = fieldwork::frames(&db).await?.1.first().map(|c| c.id);
        let today = db.today();
        for town in &towns {
            let mut u = inspection::add_unit(&db, &actor, &all, round.id, town.id).await?;
            for st in [
                S::Preparing,
                S::Notified,
                S::Stationed,
                S::FieldworkDone,
                S::Reporting,
                S::ReportApproved,
            ] {
                u = inspection::transition_unit(&db, &actor, &all, u.id, st, "", u.version, today)
                    .await?;
            }
            for i in 0..per_unit {
                let f = fieldwork::create_finding(
                    &db,
                    &actor,
                    &all,
                    u.id,
                    &fieldwork::FindingDraft {
                        title: format!("{}问题{i}", town.name),
                        category_id: cat,
                        facts: "压测数据".into(),
                        basis: String::new(),
                        responsibility: String::new(),
                        evidence: String::new(),
                        finder: "bench".into(),
                        team_opinion: String::new(),
                        activity_ids: Vec::new(),
                    },
                )
                .await?;
                fieldwork::transition_finding(
                    &db,
                    &actor,
                    &all,
                    f.id,
                    FindingState::Confirmed,
                    "",
                    f.version,
                )
                .await?;
            }
            inspection::transition_unit(
                &db,
                &actor,
                &all,
                u.id,
                S::FeedbackDone,
                "",
                u.version,
                today,
            )
            .await?;
        }
        seeded_findings = Some((per_unit * towns.len(), towns.len(), t.elapsed()));
        // A bulk load outpaces autovacuum's autoanalyze; refresh statistics as it soon would.
        db.analyze().await?;
        let unit_id = inspection::round_units(&db, &all, round.id)
            .await?
            .first()
            .map(|u| u.id)
            .context("unit")?;
        let liaison = login(&base, "town010101.liaison").await?;
        stats.extend(
            measure_all(&[
                Read::new(
                    "findings: office list, 50 rows",
                    iterations,
                    &prov,
                    vec!["/api/v1/findings?page_size=50".into()],
                ),
                Read::new(
                    "findings: office list by state, page 10",
                    iterations,
                    &prov,
                    vec!["/api/v1/findings?state=FED_BACK&page_size=50&page=10".into()],
                ),
                Read::new(
                    "round unit detail with timeline",
                    iterations,
                    &prov,
                    vec![format!("/api/v1/round-units/{unit_id}")],
                ),
                Read::new(
                    "problem list of one unit (unit liaison)",
                    iterations,
                    &liaison,
                    vec!["/api/v1/problems".into()],
                ),
                Read::new(
                    "inspection statistics (province scope)",
                    iterations.min(100),
                    &prov,
                    vec!["/api/v1/stats/inspection".into()],
                ),
                Read::new(
                    "term coverage with suggestions",
                    iterations.min(100),
                    &prov,
                    vec![format!("/api/v1/terms/{}/coverage", term.id)],
                ),
            ])
            .await?,
        );
    }

    // Rectification at volume: every seeded finding goes through a plan reviewed per unit; a third
    // are written off (request + verify, with evidence); deadlines spread from 100 days ago to 200
    // days ahead, so the ledger has red, yellow and green items.
    let mut seeded_rect = None;
    let mut write_rate = None;
    if n_findings > 0 && flag("--no-rect").is_none() {
        use xuncha_domain::rectification::{Outcome, ReviewDecision};
        use xuncha_store::rectification::{self as rect, ItemSnap, MeasureSnap, PlanDraft, Upload};
        use xuncha_store::scope::Scope;
        let all = Scope::unrestricted();
        let actor = xuncha_store::audit::Actor::system("bench");
        let today = db.today();
        let t = Instant::now();
        let fmt = time::macros::format_description!("[year]-[month]-[day]");
        let evidence = Upload {
            name: "佐证.pdf".into(),
            media_type: "application/pdf".into(),
            bytes: b"%PDF-1.4\n%%EOF\n".to_vec(),
        };
        let parse = |m: &MeasureSnap| {
            m.resolved_deadline
                .as_deref()
                .and_then(|s| time::Date::parse(s, &fmt).ok())
        };
        let mut n_items = 0usize;
        let mut units = Vec::new();
        for page in 1.. {
            let r = rect::units(
                &db,
                &all,
                None,
                xuncha_store::PageReq::new(Some(page), Some(200)),
            )
            .await?;
            let last = r.items.len() < 200;
            units.extend(r.items.into_iter().filter(|u| u.round_name == "压测轮次"));
            if last {
                break;
            }
        }
        for u in &units {
            let (cfg, _) = rect::settings(&db, u.owner_org_id).await?;
            let problems = rect::unit_problems(&db, u.id.into()).await?;
            let items: Vec<ItemSnap> = problems
                .iter()
                .enumerate()
                .map(|(i, (fid, _, _))| {
                    let d = today + time::Duration::days((i as i64 * 37) % 300 - 100);
                    let ds = d.format(&fmt).unwrap_or_default();
                    ItemSnap {
                        finding_id: *fid,
                        measures: vec![MeasureSnap {
                            kind: "deadline".into(),
                            content: "压测整改措施".into(),
                            target: String::new(),
                            responsible_leader: "负责人".into(),
                            lead_dept: "办公室".into(),
                            co_depts: Vec::new(),
                            deadline: Some(ds.clone()),
                            deadline_working_days: None,
                            resolved_deadline: Some(ds),
                        }],
                    }
                })
                .collect();
            n_items += items.len();
            let plan = rect::save_plan(
                &db,
                &actor,
                &all,
                u.id.into(),
                &PlanDraft {
                    principal_leader: "书记".into(),
                    signed_on: Some(today),
                    summary: String::new(),
                    items,
                },
                0,
            )
            .await?;
            let plan = rect::submit_plan(&db, &actor, &all, plan.id, plan.version).await?;
            rect::review_plan(
                &db,
                &actor,
                &all,
                plan.id,
                &cfg.review_bodies,
                ReviewDecision::Approve,
                "",
                &[],
                plan.version,
                &parse,
            )
            .await?;
            for (fid, _, _) in problems.iter().step_by(3) {
                let w = rect::request_write_off(
                    &db,
                    &actor,
                    &all,
                    *fid,
                    Outcome::Completed,
                    "完成",
                    std::slice::from_ref(&evidence),
                    today,
                )
                .await?;
                rect::decide_write_off(&db, &actor, &all, w, ReviewDecision::Approve, "", 1, today)
                    .await?;
            }
        }
        seeded_rect = Some((n_items, t.elapsed()));
        db.analyze().await?;
        let item = rect::ledger(
            &db,
            &all,
            &rect::LedgerFilter::default(),
            &rect::Today {
                today,
                yellow_until: today,
                by_office: Vec::new(),
            },
            xuncha_store::PageReq::new(Some(1), Some(1)),
        )
        .await?
        .items
        .first()
        .map(|r| r.id)
        .context("ledger item")?;
        let town_liaison = login(&base, "town010101.liaison").await?;
        for (name, client, path) in [
            (
                "ledger: province, deadline order, 50 rows",
                &prov,
                "/api/v1/rect/ledger?page_size=50".to_string(),
            ),
            (
                "ledger: province, red (overdue), page 5",
                &prov,
                "/api/v1/rect/ledger?warning=red&page_size=50&page=5".to_string(),
            ),
            (
                "ledger: leader's needs-attention view",
                &prov,
                "/api/v1/rect/ledger?view=attention&page_size=50".to_string(),
            ),
            (
                "ledger: one township's own (unit liaison)",
                &town_liaison,
                "/api/v1/rect/ledger".to_string(),
            ),
            (
                "ledger item with trail, measures, progress",
                &prov,
                format!("/api/v1/rect/findings/{item}"),
            ),
            (
                "rectification stats by unit (province)",
                &prov,
                "/api/v1/rect/stats?group=unit".to_string(),
            ),
            (
                "rectification stats by category (province)",
                &prov,
                "/api/v1/rect/stats?group=category".to_string(),
            ),
            (
                "letter suggestions (province)",
                &prov,
                "/api/v1/rect/letters/suggestions".to_string(),
            ),
        ] {
            stats.push(measure(name, iterations.min(200), 200, client, &[path]).await?);
        }
        // Durable progress reports with a file, sequential, through HTTP.
        let own: Value = town_liaison
            .json("/api/v1/rect/ledger?state=IN_PROGRESS&page_size=1")
            .await?;
        let fid = own["items"][0]["id"]
            .as_i64()
            .context("an open item of the township")?;
        let n = iterations.min(300);
        let mut times = Vec::with_capacity(n);
        let t = Instant::now();
        for i in 0..n {
            let form = reqwest::multipart::Form::new()
                .text("content", format!("进展{i}"))
                .text("effective_date", today.format(&fmt).unwrap_or_default())
                .part(
                    "file",
                    reqwest::multipart::Part::bytes(format!("%PDF-1.4\n{i}\n").into_bytes())
                        .file_name("p.pdf"),
                );
            let s = Instant::now();
            let r = town_liaison
                .http
                .post(format!(
                    "{}/api/v1/rect/findings/{fid}/progress",
                    town_liaison.base
                ))
                .header("x-csrf-token", &town_liaison.csrf)
                .multipart(form)
                .send()
                .await?;
            if r.status().as_u16() != 201 {
                bail!("progress: {}", r.status());
            }
            times.push(s.elapsed());
        }
        write_rate = Some((n, t.elapsed()));
        times.sort();
        stats.push(Stat {
            name: "progress report with one file (write, audited)".into(),
            n,
            p50: times[n / 2],
            p95: times[n * 95 / 100],
            p99: times[(n * 99 / 100).min(n - 1)],
        });
    }

    let backend = if postgres {
        "PostgreSQL 15"
    } else {
        "SQLite (WAL, synchronous=FULL)"
    };
    println!(
        "Backend: {backend}. Organisations: {n_orgs} (seeded through the import path, with the demo accounts, in {:.1} s).",
        seeded.as_secs_f64()
    );
    if let Some((n, units, took)) = seeded_findings {
        println!(
            "Inspection work: {n} findings fed back across {units} round units (seeded through the store, each audited, in {:.1} s).",
            took.as_secs_f64()
        );
    }
    if let Some((n, took)) = seeded_rect {
        println!(
            "Rectification: {n} ledger items through reviewed plans, a third written off with evidence (through the store, audited, in {:.1} s).",
            took.as_secs_f64()
        );
    }
    if let Some((n, took)) = write_rate {
        println!(
            "Sequential progress reports with a file: {n} in {:.1} s = {:.0}/s.",
            took.as_secs_f64(),
            n as f64 / took.as_secs_f64()
        );
    }
    println!("Sequential requests over loopback HTTP, session cookie, full middleware stack.\n");
    println!("| Request | n | p50 ms | p95 ms | p99 ms |");
    println!("|---|---:|---:|---:|---:|");
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
    println!(
        "| move a township with {} villages (write, audited) | {} | {} | {} | {} |",
        villages.len(),
        move_times.len(),
        ms(move_times[move_times.len() / 2]),
        ms(move_times[move_times.len() * 95 / 100]),
        ms(move_times[move_times.len() - 1])
    );
    Ok(())
}

//! Counters maintained on write (issue 10, point 2): random operations on the demo province, and
//! after each one the counters kept incrementally must equal the counters rebuilt from the
//! findings; the statistics read from the counters must equal the statistics scanned from the
//! ledger, for every grouping, several scopes and several days. On SQLite and PostgreSQL.

use time::{Date, Duration};
use xuncha_domain::ids::FindingId;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::org::OrgId;
use xuncha_domain::rectification::{Outcome, OutcomeKind, ReviewDecision};
use xuncha_store::audit::Actor;
use xuncha_store::counters;
use xuncha_store::fieldwork;
use xuncha_store::rectification::{self as rect, ImportRow, MeasureSnap, StatGroup, Upload};
use xuncha_store::scope::Scope;
use xuncha_store::{Db, on_db};

use super::{App, pg_app, sqlite_app};

crate::dual!(counters_follow_every_write);

/// A small deterministic generator (xorshift64*), so a failure replays from its seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % (n.max(1) as u64)).unwrap_or(0)
    }

    fn pick<T: Clone>(&mut self, xs: &[T]) -> Option<T> {
        if xs.is_empty() {
            None
        } else {
            Some(xs[self.below(xs.len())].clone())
        }
    }

    fn days(&mut self, span: i64) -> Duration {
        let n = i64::try_from(self.next() % (2 * span as u64 + 1)).unwrap_or(0) - span;
        Duration::days(n)
    }
}

async fn rows_of<T>(db: &Db, sql: &str) -> Vec<T>
where
    T: Send
        + Unpin
        + for<'r> sqlx::FromRow<'r, sqlx::sqlite::SqliteRow>
        + for<'r> sqlx::FromRow<'r, sqlx::postgres::PgRow>,
{
    on_db!(db, p => sqlx::query_as::<_, T>(sqlx::AssertSqlSafe(sql.to_string())).fetch_all(p).await.expect(sql))
}

/// Incremental counters equal rebuilt ones.
async fn assert_counters_exact(db: &Db, after: &str) {
    let incremental = counters::snapshot(db).await.expect("snapshot");
    counters::rebuild(db).await.expect("rebuild");
    let rebuilt = counters::snapshot(db).await.expect("snapshot");
    assert!(
        !rebuilt.counts.is_empty(),
        "the demo has ledger items, so there are counters"
    );
    /// The rows of `a` that `b` lacks (at most ten).
    fn only<T: PartialEq + std::fmt::Debug>(a: &[T], b: &[T]) -> Vec<String> {
        a.iter()
            .filter(|r| !b.contains(r))
            .take(10)
            .map(|r| format!("{r:?}"))
            .collect()
    }
    if incremental != rebuilt {
        panic!(
            "after {after}: counters drifted\nincremental only: {:?}\nrebuilt only: {:?}\n\
             days incremental only: {:?}\ndays rebuilt only: {:?}\n\
             outcomes incremental only: {:?}\noutcomes rebuilt only: {:?}\n\
             findings incremental only: {:?}\nfindings rebuilt only: {:?}",
            only(&incremental.counts, &rebuilt.counts),
            only(&rebuilt.counts, &incremental.counts),
            only(&incremental.days, &rebuilt.days),
            only(&rebuilt.days, &incremental.days),
            only(&incremental.outcomes, &rebuilt.outcomes),
            only(&rebuilt.outcomes, &incremental.outcomes),
            only(&incremental.findings, &rebuilt.findings),
            only(&rebuilt.findings, &incremental.findings),
        );
    }
}

fn pdf() -> Upload {
    Upload {
        name: "证明.pdf".into(),
        media_type: "application/pdf".into(),
        bytes: super::rect::PDF.to_vec(),
    }
}

/// One random operation; answers what it did (for the failure message), or `None` when it found
/// nothing to act on or a rule refused it (then nothing was stored, which the check also proves).
/// A finding draft with only a title, a category and facts.
fn finding_draft(
    title: String,
    category_id: Option<i64>,
    facts: String,
) -> fieldwork::FindingDraft {
    fieldwork::FindingDraft {
        title,
        category_id,
        facts,
        basis: String::new(),
        responsibility: String::new(),
        evidence: String::new(),
        finder: String::new(),
        team_opinion: String::new(),
        activity_ids: Vec::new(),
    }
}

async fn random_op(db: &Db, rng: &mut Rng, today: Date) -> Option<String> {
    let actor = Actor::system("counters-test");
    let all = Scope::unrestricted();
    let workable: Vec<(i64, i64)> = rows_of(
        db,
        "SELECT id, version FROM findings WHERE state IN ('IN_PROGRESS', 'LONG_TERM', 'REOPENED') ORDER BY id",
    )
    .await;
    let day = today + rng.days(200);
    match rng.below(12) {
        8 => {
            // A new draft finding on a unit still in fieldwork.
            let units: Vec<(i64,)> = rows_of(
                db,
                "SELECT id FROM round_units WHERE state IN ('PLANNED', 'PREPARING', 'NOTIFIED', 'STATIONED', 'FIELDWORK_DONE', 'REPORTING', 'REPORT_APPROVED') ORDER BY id",
            )
            .await;
            let (unit,) = rng.pick(&units)?;
            let categories: Vec<(i64,)> =
                rows_of(db, "SELECT id FROM categories ORDER BY id").await;
            let category = if rng.below(4) == 0 {
                None
            } else {
                rng.pick(&categories).map(|c| c.0)
            };
            let draft = finding_draft(
                format!("计数测试问题{}", rng.below(1000)),
                category,
                "事实".into(),
            );
            let f = fieldwork::create_finding(db, &actor, &all, unit.into(), &draft)
                .await
                .ok()?;
            Some(format!("create finding {} on unit {unit}", f.id.get()))
        }
        9 => {
            // A manual transition among DRAFT, CONFIRMED and IN_REPORT.
            let open: Vec<(i64, i64, String)> = rows_of(
                db,
                "SELECT f.id, f.version, f.state FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
                 WHERE f.state IN ('DRAFT', 'CONFIRMED', 'IN_REPORT') AND ru.state NOT IN ('FEEDBACK_DONE', 'TRANSFERRED', 'RECTIFYING', \
                 'RECTIFICATION_REPORTED', 'DISCLOSED', 'ASSESSED', 'CONTINUOUS') ORDER BY f.id",
            )
            .await;
            let (id, version, state) = rng.pick(&open)?;
            let to = rng.pick(&FindingState::from_code(&state)?.manual_next())?;
            fieldwork::transition_finding(db, &actor, &all, FindingId::new(id), to, "", version)
                .await
                .ok()?;
            Some(format!("finding {id}: {state} → {}", to.code()))
        }
        10 => {
            // 立行立改: issue, receipt, done, in order.
            let open: Vec<(i64, Option<String>, Option<String>)> = rows_of(
                db,
                "SELECT f.id, f.immediate_requirement, CAST(f.immediate_received_at AS TEXT) FROM findings f \
                 JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.immediate_done_at IS NULL ORDER BY f.id",
            )
            .await;
            let (id, issued, received) = rng.pick(&open)?;
            let step = match (issued, received) {
                (None, _) => fieldwork::ImmediateStep::Issue,
                (Some(_), None) => fieldwork::ImmediateStep::Receipt,
                (Some(_), Some(_)) => fieldwork::ImmediateStep::Done,
            };
            fieldwork::immediate_fix(
                db,
                &actor,
                &all,
                FindingId::new(id),
                step,
                "立行立改要求",
                None,
            )
            .await
            .ok()?;
            Some(format!("finding {id}: 立行立改 {step:?}"))
        }
        11 => {
            // A draft changes category.
            let drafts: Vec<(i64, i64)> = rows_of(
                db,
                "SELECT id, version FROM findings WHERE state = 'DRAFT' ORDER BY id",
            )
            .await;
            let (id, version) = rng.pick(&drafts)?;
            let f = fieldwork::get_finding(db, &all, FindingId::new(id))
                .await
                .ok()?;
            let categories: Vec<(i64,)> =
                rows_of(db, "SELECT id FROM categories ORDER BY id").await;
            let draft = finding_draft(
                f.title.clone(),
                rng.pick(&categories).map(|c| c.0),
                f.facts.clone(),
            );
            fieldwork::update_finding(db, &actor, &all, FindingId::new(id), &draft, version)
                .await
                .ok()?;
            Some(format!("finding {id}: category {:?}", draft.category_id))
        }
        7 => {
            let items: Vec<(i64,)> = rows_of(
                db,
                &format!(
                    "SELECT id FROM findings WHERE state IN {} ORDER BY id",
                    rect::LEDGER_STATES
                ),
            )
            .await;
            let (id,) = rng.pick(&items)?;
            let kind = rng.pick(&[
                OutcomeKind::Rule,
                OutcomeKind::MoneyReturned,
                OutcomeKind::Accountability,
            ])?;
            let d = rect::OutcomeDraft {
                kind,
                detail: "整改成果".into(),
                count: 1 + i64::try_from(rng.below(5)).unwrap_or(0),
                amount_fen: i64::try_from(rng.below(1_000_000)).unwrap_or(0),
                person: None,
                treatment: None,
            };
            rect::add_outcome(db, &actor, &all, FindingId::new(id), &d)
                .await
                .ok()?;
            Some(format!("outcome {kind:?} on {id}"))
        }
        0 => {
            let units: Vec<(i64,)> = rows_of(
                db,
                "SELECT id FROM round_units WHERE feedback_date IS NOT NULL ORDER BY id",
            )
            .await;
            let (unit,) = rng.pick(&units)?;
            let categories: Vec<(i64,)> =
                rows_of(db, "SELECT id FROM categories ORDER BY id").await;
            let n = 1 + rng.below(4);
            let rows: Vec<ImportRow> = (0..n)
                .map(|i| {
                    let closed = rng.below(3) == 0;
                    ImportRow {
                        title: format!("导入问题{i}"),
                        category_id: if rng.below(4) == 0 {
                            None
                        } else {
                            rng.pick(&categories).map(|c| c.0)
                        },
                        measure: MeasureSnap {
                            kind: "deadline".into(),
                            content: "整改措施".into(),
                            target: "整改到位".into(),
                            responsible_leader: "负责人".into(),
                            lead_dept: "办公室".into(),
                            co_depts: Vec::new(),
                            deadline: None,
                            deadline_working_days: None,
                            resolved_deadline: None,
                        },
                        deadline: today + rng.days(300),
                        state: if closed {
                            FindingState::Closed
                        } else {
                            FindingState::InProgress
                        },
                        outcome: if closed {
                            Outcome::Completed
                        } else {
                            Outcome::InProgress
                        },
                    }
                })
                .collect();
            rect::import_ledger(db, &actor, &all, unit.into(), &rows, day)
                .await
                .ok()?;
            Some(format!("import {n} rows into unit {unit}"))
        }
        1 => {
            let (id, _) = rng.pick(&workable)?;
            let outcome = if rng.below(2) == 0 {
                Outcome::Completed
            } else {
                Outcome::BasicallyCompleted
            };
            rect::request_write_off(
                db,
                &actor,
                &all,
                FindingId::new(id),
                outcome,
                "已整改",
                &[pdf()],
                day,
            )
            .await
            .ok()?;
            Some(format!("request write-off of {id} ({outcome:?})"))
        }
        2 => {
            let pending: Vec<(i64, i64)> = rows_of(
                db,
                "SELECT id, version FROM write_offs WHERE state = 'REQUESTED' ORDER BY id",
            )
            .await;
            let (w, version) = rng.pick(&pending)?;
            let decision = if rng.below(3) == 0 {
                ReviewDecision::Return
            } else {
                ReviewDecision::Approve
            };
            rect::decide_write_off(db, &actor, &all, w, decision, "核查", version, day)
                .await
                .ok()?;
            Some(format!("decide write-off {w} ({decision:?}) on {day}"))
        }
        3 => {
            let closed: Vec<(i64, i64)> = rows_of(
                db,
                "SELECT id, version FROM findings WHERE state IN ('CLOSED', 'LONG_TERM') ORDER BY id",
            )
            .await;
            let (id, version) = rng.pick(&closed)?;
            rect::reopen(
                db,
                &actor,
                &all,
                FindingId::new(id),
                "回头看发现反弹",
                version,
            )
            .await
            .ok()?;
            Some(format!("reopen {id}"))
        }
        4 => {
            let (id, _) = rng.pick(&workable)?;
            let open: Vec<(i64, Date)> = rows_of(
                db,
                &format!("SELECT id, deadline FROM measures WHERE finding_id = {id} AND state = 'OPEN' ORDER BY id"),
            )
            .await;
            let (m, deadline) = rng.pick(&open)?;
            let new_deadline =
                deadline + Duration::days(1 + i64::try_from(rng.below(90)).unwrap_or(0));
            let x = rect::request_extension(
                db,
                &actor,
                &all,
                FindingId::new(id),
                m,
                new_deadline,
                "客观原因",
            )
            .await
            .ok()?;
            // One request in three stays pending (needs attention counts it).
            if rng.below(3) == 0 {
                return Some(format!(
                    "request extension of measure {m} of {id} to {new_deadline}"
                ));
            }
            let approve = rng.below(4) != 0;
            rect::decide_extension(db, &actor, &all, x, approve, "同意")
                .await
                .ok()?;
            Some(format!(
                "extend measure {m} of {id} to {new_deadline} ({approve})"
            ))
        }
        5 => {
            let open: Vec<(i64, i64)> = rows_of(
                db,
                "SELECT m.id, m.version FROM measures m JOIN findings f ON f.id = m.finding_id \
                 WHERE m.state = 'OPEN' AND f.state IN ('IN_PROGRESS', 'REOPENED') ORDER BY m.id",
            )
            .await;
            let (m, version) = rng.pick(&open)?;
            rect::complete_measure(db, &actor, &all, m, version)
                .await
                .ok()?;
            Some(format!("complete measure {m}"))
        }
        _ => {
            let orgs: Vec<(i64, i64, String)> = rows_of(
                db,
                "SELECT id, version, path FROM organisations WHERE parent_id IS NOT NULL AND active = TRUE ORDER BY id",
            )
            .await;
            // Half the moves carry ledger items with them.
            let carrying: Vec<(i64, i64, String)> = rows_of(
                db,
                "SELECT o.id, o.version, o.path FROM organisations o WHERE o.parent_id IS NOT NULL AND o.active = TRUE \
                 AND EXISTS (SELECT 1 FROM findings f WHERE f.org_path LIKE o.path || '%' AND f.state <> 'DRAFT') ORDER BY o.id",
            )
            .await;
            let pool = if rng.below(2) == 0 { &carrying } else { &orgs };
            let (id, version, path) = rng.pick(pool)?;
            let parents: Vec<(i64, i64, String)> = orgs
                .iter()
                .filter(|(_, _, p)| !p.starts_with(&path))
                .cloned()
                .collect();
            let (parent, _, _) = rng.pick(&parents)?;
            xuncha_store::orgs::move_to(
                db,
                &actor,
                &all,
                OrgId::new(id),
                OrgId::new(parent),
                version,
            )
            .await
            .ok()?;
            Some(format!("move org {id} under {parent}"))
        }
    }
}

/// Inspection statistics read from `finding_counters` equal the scan, for every grouping, the
/// scopes of the offices running rounds (and of one person's own records) and every round.
async fn assert_inspection_stats_agree(db: &Db) {
    let offices: Vec<(i64, String)> = rows_of(
        db,
        "SELECT id, path FROM organisations WHERE id IN (SELECT owner_org_id FROM round_units) OR parent_id IS NULL ORDER BY id",
    )
    .await;
    let mut scopes = vec![Scope::unrestricted()];
    for (id, path) in &offices {
        scopes.push(Scope {
            user_id: 1,
            all: false,
            ranges: vec![(path.clone(), xuncha_domain::org::subtree_end(path))],
            orgs: vec![OrgId::new(*id)],
            own: false,
            team_user: None,
        });
    }
    scopes.push(Scope {
        user_id: 1,
        all: false,
        ranges: Vec::new(),
        orgs: Vec::new(),
        own: true,
        team_user: None,
    });
    let rounds: Vec<(i64,)> = rows_of(db, "SELECT id FROM rounds ORDER BY id").await;
    let mut nonzero = 0;
    for scope in &scopes {
        for round in std::iter::once(None).chain(rounds.iter().map(|r| Some(r.0))) {
            for group in ["category", "state", "round"] {
                let fast = fieldwork::finding_counts(db, scope, group, None, round)
                    .await
                    .expect("counts");
                let scanned = fieldwork::finding_counts_scanned(db, scope, group, None, round)
                    .await
                    .expect("counts scanned");
                assert_eq!(
                    fast, scanned,
                    "findings by {group}, round {round:?}, scope {scope:?}"
                );
                nonzero += fast.len();
            }
            let fast = fieldwork::immediate_counts(db, scope, round)
                .await
                .expect("immediate");
            let scanned = fieldwork::immediate_counts_scanned(db, scope, round)
                .await
                .expect("immediate scanned");
            assert_eq!(fast, scanned, "立行立改, round {round:?}, scope {scope:?}");
        }
    }
    assert!(nonzero > 0, "the comparison compared nothing");
}

/// Statistics read from the counters equal statistics scanned from the ledger.
async fn assert_stats_agree(db: &Db, today: Date) {
    let subtrees: Vec<(i64, String)> = rows_of(
        db,
        "SELECT id, path FROM organisations WHERE id IN (SELECT DISTINCT org_id FROM findings) OR parent_id IS NULL ORDER BY id",
    )
    .await;
    let mut scopes = vec![Scope::unrestricted()];
    for (id, path) in subtrees.iter().take(6) {
        scopes.push(Scope {
            user_id: 1,
            all: false,
            ranges: vec![(path.clone(), xuncha_domain::org::subtree_end(path))],
            orgs: vec![OrgId::new(*id)],
            own: false,
            team_user: None,
        });
    }
    let rounds: Vec<(i64,)> = rows_of(
        db,
        "SELECT DISTINCT round_id FROM round_units ORDER BY round_id",
    )
    .await;
    let filters: Vec<Option<OrgId>> = std::iter::once(None)
        .chain(subtrees.iter().take(3).map(|(id, _)| Some(OrgId::new(*id))))
        .collect();
    for scope in &scopes {
        for group in [
            StatGroup::None,
            StatGroup::Category,
            StatGroup::Unit,
            StatGroup::Level,
            StatGroup::Round,
        ] {
            for day in [
                today - Duration::days(200),
                today,
                today + Duration::days(150),
            ] {
                for org in &filters {
                    for round in std::iter::once(None).chain(rounds.iter().map(|r| Some(r.0))) {
                        if group == StatGroup::None {
                            // 下级单位: the node rows (or the round's organisations) against the
                            // scan, and the groups partition the items.
                            let fast = rect::stats_by_child(db, scope, round, *org, day)
                                .await
                                .expect("by child");
                            let scanned = rect::stats_by_child_scanned(db, scope, round, *org, day)
                                .await
                                .expect("by child scanned");
                            assert_eq!(
                                fast, scanned,
                                "by child on {day}, round {round:?}, org {org:?}, scope {scope:?}"
                            );
                            let counts: Vec<rect::StatCounts> =
                                fast.iter().map(|g| g.counts.clone()).collect();
                            let whole =
                                rect::stats_scanned(db, scope, StatGroup::None, round, *org, day)
                                    .await
                                    .expect("total");
                            assert_eq!(
                                rect::StatCounts::sum(&counts),
                                whole[0],
                                "by child sums to the total, round {round:?}, org {org:?}, scope {scope:?}"
                            );
                        }
                        if group == StatGroup::None && day == today {
                            let fast = rect::outcome_totals(db, scope, None, round, *org)
                                .await
                                .expect("outcomes");
                            let scanned =
                                rect::outcome_totals_scanned(db, scope, None, round, *org)
                                    .await
                                    .expect("outcomes scanned");
                            assert_eq!(
                                fast, scanned,
                                "outcomes, round {round:?}, org {org:?}, scope {scope:?}"
                            );
                        }
                        let fast = rect::stats(db, scope, group, round, *org, day)
                            .await
                            .expect("stats");
                        let scanned = rect::stats_scanned(db, scope, group, round, *org, day)
                            .await
                            .expect("stats scanned");
                        assert_eq!(
                            fast, scanned,
                            "{group:?} on {day}, round {round:?}, org {org:?}, scope {scope:?}"
                        );
                        // The API's totals are the groups' sum: every grouping partitions the items.
                        let whole =
                            rect::stats_scanned(db, scope, StatGroup::None, round, *org, day)
                                .await
                                .expect("total");
                        assert_eq!(
                            vec![rect::StatCounts::sum(&fast)],
                            whole,
                            "{group:?} sums to the total"
                        );
                    }
                }
            }
        }
    }
}

/// Ledger totals read from the counters equal the rows counted.
async fn assert_totals_agree(db: &Db, today: Date) {
    let orgs: Vec<(i64, String)> = rows_of(
        db,
        "SELECT id, path FROM organisations WHERE id IN (SELECT DISTINCT org_id FROM findings) OR parent_id IS NULL ORDER BY id",
    )
    .await;
    let rounds: Vec<(i64,)> = rows_of(
        db,
        "SELECT DISTINCT round_id FROM round_units ORDER BY round_id",
    )
    .await;
    let categories: Vec<(i64,)> = rows_of(db, "SELECT id FROM categories ORDER BY id").await;
    let all = Scope::unrestricted();
    // Today with a short and a long yellow window.
    let days: Vec<rect::Today> = [3, 30]
        .into_iter()
        .map(|n| rect::Today {
            today,
            yellow_until: today + Duration::days(n),
            by_office: Vec::new(),
        })
        .collect();
    let mut checked = 0;
    let mut nonzero = 0;
    for org in std::iter::once(None).chain(orgs.iter().take(4).map(|o| Some(o.clone()))) {
        for round in std::iter::once(None).chain(rounds.iter().map(|r| Some(r.0))) {
            for category in
                std::iter::once(None).chain(categories.iter().take(3).map(|c| Some(c.0)))
            {
                for (state, warning, attention) in [
                    (None, None, false),
                    (Some("CLOSED"), None, false),
                    (Some("LONG_TERM"), None, false),
                    (Some("CLOSE_REQUESTED"), None, false),
                    (None, Some(rect::WarningBand::Red), false),
                    (None, Some(rect::WarningBand::Yellow), false),
                    (None, Some(rect::WarningBand::Green), false),
                    (None, None, true),
                ] {
                    let f = rect::LedgerFilter {
                        org_id: org.as_ref().map(|(id, _)| OrgId::new(*id)),
                        round_id: round,
                        category_id: category,
                        state: state.map(str::to_string),
                        warning,
                        attention,
                        ..rect::LedgerFilter::default()
                    };
                    for t in &days {
                        let counted = rect::counted_total(db, &all, &f, t)
                            .await
                            .expect("counted total")
                            .expect("a filter the counters answer");
                        let rows = rect::counted_by_rows(db, &all, &f, t).await.expect("rows");
                        assert_eq!(counted, rows, "{f:?} {t:?}");
                        nonzero += usize::from(rows > 0 && (attention || warning.is_some()));
                        checked += 1;
                    }
                }
            }
        }
    }
    assert!(checked > 50);
    assert!(nonzero > 10, "warnings and attention seen: {nonzero}");
    // Filters the counters do not answer are counted by the caller: free text, and a colour or
    // needs attention when offices' yellow thresholds differ.
    let text = rect::LedgerFilter {
        q: Some("问题".into()),
        ..rect::LedgerFilter::default()
    };
    assert_eq!(
        rect::counted_total(db, &all, &text, &days[0])
            .await
            .expect("total"),
        None
    );
    let attention = rect::LedgerFilter {
        attention: true,
        ..rect::LedgerFilter::default()
    };
    let differing = rect::Today {
        by_office: vec![(OrgId::new(1), today)],
        ..days[0].clone()
    };
    assert_eq!(
        rect::counted_total(db, &all, &attention, &differing)
            .await
            .expect("total"),
        None
    );
}

async fn counters_follow_every_write(app: App) {
    let db = &app.db;
    let today = db.today();
    // The demo was seeded through the store: feedback, plan approval, progress, write-offs.
    assert_counters_exact(db, "seeding the demo").await;
    let mut rng = Rng(0x5EED_2026_1205);
    let mut done = Vec::new();
    for _ in 0..90 {
        if let Some(what) = random_op(db, &mut rng, today).await {
            assert_counters_exact(db, &what).await;
            done.push(what);
        }
    }
    assert!(
        done.len() >= 20,
        "too few operations took effect to prove anything: {done:?}"
    );
    assert_stats_agree(db, today).await;
    // Extensions left pending on the items due last and first: needs attention counts the first
    // for its request alone, the second once.
    for order in ["DESC", "ASC"] {
        let open: Vec<(i64, i64, Date)> = rows_of(
            db,
            &format!(
                "SELECT f.id, m.id, m.deadline FROM findings f JOIN measures m ON m.finding_id = f.id \
                 WHERE m.state = 'OPEN' AND f.state IN ('IN_PROGRESS', 'REOPENED') AND f.due_date IS NOT NULL \
                 AND NOT EXISTS (SELECT 1 FROM deadline_extensions x WHERE x.finding_id = f.id AND x.state = 'PENDING') \
                 ORDER BY f.due_date {order}, m.id"
            ),
        )
        .await;
        let (id, m, deadline) = open.first().copied().expect("an item in progress");
        rect::request_extension(
            db,
            &Actor::system("counters-test"),
            &Scope::unrestricted(),
            FindingId::new(id),
            m,
            deadline + Duration::days(30),
            "客观原因",
        )
        .await
        .expect("extension requested");
    }
    let pending: Vec<(i64, Date)> = rows_of(
        db,
        "SELECT f.id, f.due_date FROM findings f WHERE f.id IN (SELECT finding_id FROM deadline_extensions WHERE state = 'PENDING')",
    )
    .await;
    assert!(
        pending
            .iter()
            .any(|(_, due)| *due > today + Duration::days(30)),
        "an item with a pending extension not yet due: {pending:?} (today {today})"
    );
    assert_totals_agree(db, today).await;
    assert_inspection_stats_agree(db).await;
    // Every kind of operation took effect at least once.
    for kind in ["create finding", "→", "立行立改", "category"] {
        assert!(
            done.iter().any(|d| d.contains(kind)),
            "no {kind} among {done:?}"
        );
    }
}

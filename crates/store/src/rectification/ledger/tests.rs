//! Every way of reading the ledger (each [`Drive`], by page number, forwards and backwards by
//! key, any page size) yields the same rows in the same order on both backends, and on SQLite
//! the keyset queries read an index in ledger order.
use super::*;
use time::macros::{date, datetime};

const TODAY: Date = date!(2026 - 11 - 23);

/// Runs the test body `$body(db)` on SQLite (a temporary file) as `$sqlite` and on PostgreSQL (a
/// fresh schema) as `$postgres`.
macro_rules! both_backends {
    ($body:ident, $sqlite:ident, $postgres:ident) => {
        #[tokio::test]
        async fn $sqlite() {
            let dir = tempfile::tempdir().unwrap();
            $body(
                crate::testing::sqlite_at(&dir.path().join("t.db"))
                    .await
                    .unwrap(),
            )
            .await;
        }

        #[tokio::test]
        async fn $postgres() {
            let (db, _) = crate::testing::postgres_fresh()
                .await
                .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
            $body(db).await;
        }
    };
}

/// Organisations (id, parent, path): a province, two cities, a county and a village under the
/// first city; one round unit each; 150 findings spread over them with every state, shared
/// deadlines (ties broken by id) and a share without a deadline.
async fn seeded(db: &Db) {
    let at = datetime!(2026-01-01 0:00 UTC);
    let orgs: [(i64, Option<i64>, &str); 5] = [
        (1, None, "/1/"),
        (2, Some(1), "/1/2/"),
        (3, Some(1), "/1/3/"),
        (4, Some(2), "/1/2/4/"),
        (5, Some(4), "/1/2/4/5/"),
    ];
    let states = [
        "FED_BACK",
        "PLANNED",
        "IN_PROGRESS",
        "CLOSE_REQUESTED",
        "CLOSED",
        "LONG_TERM",
        "REOPENED",
        "DRAFT",
        "CLOSED",
        "IN_PROGRESS",
        "CLOSED",
    ];
    crate::on_db!(db, p => {
        for (id, parent, path) in orgs {
            sqlx::query("INSERT INTO organisations (id, province_id, parent_id, code, name, kind, path, depth, created_at, updated_at) VALUES ($1, 1, $2, $3, $4, 'city', $5, $6, $7, $7)")
                .bind(id).bind(parent).bind(format!("O{id}")).bind(format!("单位{id}")).bind(path)
                .bind(i64::try_from(path.matches('/').count()).unwrap() - 1).bind(at)
                .execute(p).await.unwrap();
        }
        sqlx::query("INSERT INTO terms (id, owner_org_id, name, start_date, end_date, created_at, updated_at) VALUES (1, 1, '届', $1, $2, $3, $3)")
            .bind(date!(2025 - 01 - 01)).bind(date!(2030 - 01 - 01)).bind(at).execute(p).await.unwrap();
        sqlx::query("INSERT INTO rounds (id, term_id, owner_org_id, name, kinds, start_date, end_date, focus, work_plan, created_at, updated_at) VALUES (1, 1, 1, '轮', '[]', $1, $2, '', '', $3, $3)")
            .bind(date!(2026 - 01 - 01)).bind(date!(2026 - 03 - 01)).bind(at).execute(p).await.unwrap();
        for (id, _, _) in orgs {
            sqlx::query("INSERT INTO round_units (id, province_id, round_id, owner_org_id, org_id, state, created_at, updated_at) VALUES ($1, 1, 1, 1, $1, 'FEEDBACK_DONE', $2, $2)")
                .bind(id).bind(at).execute(p).await.unwrap();
        }
        sqlx::query("INSERT INTO frames (id, code, name, version_no, created_at) VALUES (1, 'F', '框架', 1, $1)")
            .bind(at).execute(p).await.unwrap();
        for c in 1..=2_i64 {
            sqlx::query("INSERT INTO categories (id, frame_id, code, name, sort) VALUES ($1, 1, $2, $3, $1)")
                .bind(c).bind(format!("C{c}")).bind(format!("类别{c}")).execute(p).await.unwrap();
        }
        for i in 1..=150_i64 {
            let (org, _, path) = orgs[usize::try_from(i % 5).unwrap()];
            let state = states[usize::try_from(i % 11).unwrap()];
            // Deadlines on 12 days around today (many ties), none for every seventh item.
            let deadline = (i % 7 != 0).then(|| TODAY + time::Duration::days((i * 5) % 12 - 6));
            let due = deadline.map(|d| d - time::Duration::days(i % 3));
            // Two of every three items in category 1 or 2.
            let category = (i % 3 != 0).then_some(i % 3);
            sqlx::query("INSERT INTO findings (id, province_id, round_unit_id, org_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_at, updated_at, org_path, deadline, due_date, category_id) \
                         VALUES ($1, 1, $2, $2, $3, '', '', '', '', '', '', $4, $5, $5, $6, $7, $8, $9)")
                .bind(i).bind(org).bind(format!("问题{i}")).bind(state).bind(at).bind(path).bind(deadline).bind(due).bind(category)
                .execute(p).await.unwrap();
        }
    });
    // Written directly, so the counters (which answer some totals) are computed once here.
    crate::counters::rebuild(db).await.unwrap();
}

fn today() -> Today {
    Today {
        today: TODAY,
        yellow_until: TODAY + time::Duration::days(3),
        by_office: vec![(OrgId::new(1), TODAY + time::Duration::days(2))],
    }
}

fn subtree(path: &str) -> (String, String) {
    (path.to_string(), xuncha_domain::org::subtree_end(path))
}

/// The matching ids in ledger order, from a plain query sorted here.
async fn expected(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    range: Option<&(String, String)>,
) -> Vec<i64> {
    let t = today();
    let mut rows: Vec<(i64, Option<Date>)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT f.id, f.deadline FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {LEDGER_STATES}"));
        push_ledger_filter(&mut qb, f, range, &t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as().fetch_all(p).await.unwrap()
    });
    rows.sort_by_key(|(id, d)| (d.is_none(), *d, *id));
    rows.into_iter().map(|(id, _)| id).collect()
}

fn ids(rows: &[LedgerRow]) -> Vec<i64> {
    rows.iter().map(|r| r.id.get()).collect()
}

#[allow(clippy::too_many_lines)]
async fn every_reading_agrees(db: Db) {
    seeded(&db).await;
    let t = today();
    let county = Scope {
        user_id: 9,
        all: false,
        ranges: vec![subtree("/1/2/")],
        orgs: Vec::new(),
        own: false,
        team_user: None,
    };
    let single = Scope {
        ranges: Vec::new(),
        orgs: vec![OrgId::new(3)],
        ..county.clone()
    };
    let filters: Vec<(&str, LedgerFilter)> = vec![
        ("all", LedgerFilter::default()),
        (
            "state",
            LedgerFilter {
                state: Some("IN_PROGRESS".into()),
                ..Default::default()
            },
        ),
        (
            "undated state",
            LedgerFilter {
                state: Some("FED_BACK".into()),
                ..Default::default()
            },
        ),
        (
            "subtree",
            LedgerFilter {
                org_id: Some(OrgId::new(2)),
                ..Default::default()
            },
        ),
        (
            "red",
            LedgerFilter {
                warning: Some(WarningBand::Red),
                ..Default::default()
            },
        ),
        (
            "yellow",
            LedgerFilter {
                warning: Some(WarningBand::Yellow),
                ..Default::default()
            },
        ),
        (
            "attention",
            LedgerFilter {
                attention: true,
                ..Default::default()
            },
        ),
        (
            "category",
            LedgerFilter {
                category_id: Some(2),
                ..Default::default()
            },
        ),
        (
            "subtree category state",
            LedgerFilter {
                org_id: Some(OrgId::new(2)),
                category_id: Some(1),
                state: Some("IN_PROGRESS".into()),
                ..Default::default()
            },
        ),
        (
            "subtree state red",
            LedgerFilter {
                org_id: Some(OrgId::new(2)),
                state: Some("IN_PROGRESS".into()),
                warning: Some(WarningBand::Red),
                ..Default::default()
            },
        ),
        (
            "unit",
            LedgerFilter {
                round_unit_id: Some(4),
                ..Default::default()
            },
        ),
        (
            "round",
            LedgerFilter {
                round_id: Some(1),
                owner_org_id: Some(OrgId::new(1)),
                ..Default::default()
            },
        ),
    ];
    let mut walked = 0;
    for scope in [Scope::unrestricted(), county, single] {
        for (name, f) in &filters {
            let range = match f.org_id {
                Some(o) => Some(crate::orgs::subtree_range(&db, o).await.unwrap()),
                None => None,
            };
            let want = expected(&db, &scope, f, range.as_ref()).await;
            let mut drives = vec![Drive::Planner, Drive::Order, Drive::Scope];
            if range.is_some() {
                drives.push(Drive::Subtree);
            }
            if f.round_unit_id.is_some() {
                drives.push(Drive::Unit);
            }
            if f.category_id.is_some() {
                drives.push(Drive::Category);
            }
            let chosen = choose_drive(&db, &scope, f, range.as_ref()).await.unwrap();
            if !drives.contains(&chosen) {
                drives.push(chosen);
            }
            if *name == "all" && scope.all {
                // Items without a deadline come last, by id.
                assert_eq!(want.len(), 150 - 150 / 11 - 1, "{want:?}");
                assert_eq!(want[want.len() - 3..], [133, 140, 147], "{want:?}");
            }
            assert!(!scope.all || !want.is_empty(), "{name}");
            for drive in drives {
                for n in [2_i64, 7, 200] {
                    let at = format!("{name}, scope {:?}, {drive:?}, page size {n}", scope.ranges);
                    let seek =
                        |s| ledger_seek_by(&db, &scope, f, &t, range.as_ref(), s, false, drive);
                    // By page number.
                    let mut paged = Vec::new();
                    for page in 1.. {
                        let s = ledger_seek_by(
                            &db,
                            &scope,
                            f,
                            &t,
                            range.as_ref(),
                            LedgerSeek::Page(PageReq { page, page_size: n }),
                            true,
                            drive,
                        )
                        .await
                        .unwrap();
                        assert_eq!(s.total, Some(i64::try_from(want.len()).unwrap()), "{at}");
                        assert_eq!(s.more_before, page > 1, "{at}");
                        paged.extend(ids(&s.items));
                        if !s.more_after {
                            break;
                        }
                    }
                    assert_eq!(paged, want, "{at}: by page number");
                    // Forwards by key.
                    let first = seek(LedgerSeek::Page(PageReq {
                        page: 1,
                        page_size: n,
                    }))
                    .await
                    .unwrap();
                    let mut forward = ids(&first.items);
                    let mut last = first.items.last().map(LedgerRow::key);
                    let mut more = first.more_after;
                    while more {
                        let s = seek(LedgerSeek::After(last.unwrap(), n)).await.unwrap();
                        assert!(s.more_before, "{at}");
                        assert!(!s.items.is_empty(), "{at}");
                        forward.extend(ids(&s.items));
                        last = s.items.last().map(LedgerRow::key);
                        more = s.more_after;
                    }
                    assert_eq!(forward, want, "{at}: forwards by key");
                    // Backwards by key, from the last row.
                    let Some(end) = last else { continue };
                    let mut backward = vec![end.id.get()];
                    let mut key = end;
                    loop {
                        let s = seek(LedgerSeek::Before(key, n)).await.unwrap();
                        if !s.more_before {
                            // Page 1, full: what is left of it, in order.
                            let first_page = ids(&s.items);
                            let rest: Vec<i64> = first_page
                                .into_iter()
                                .filter(|id| !backward.contains(id))
                                .collect();
                            backward.splice(0..0, rest);
                            break;
                        }
                        assert!(s.more_after, "{at}");
                        backward.splice(0..0, ids(&s.items));
                        key = s.items[0].key();
                    }
                    assert_eq!(backward, want, "{at}: backwards by key");
                    walked += 1;
                }
            }
        }
    }
    assert!(walked > 100);
}

both_backends!(
    every_reading_agrees,
    every_reading_agrees_sqlite,
    every_reading_agrees_postgres
);

/// SQLite's plan of one part's id query.
async fn plan(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    drive: Drive,
    part: Part,
    back: bool,
) -> String {
    let t = today();
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await.unwrap()),
        None => None,
    };
    let key = LedgerKey {
        deadline: (part == Part::Dated).then_some(TODAY),
        id: FindingId::new(5),
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("EXPLAIN QUERY PLAN ");
        push_ids(&mut qb, scope, f, &t, range.as_ref(), drive, part, back, Some(key), 51, 0);
        let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(p).await.unwrap();
        rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")
    })
}

/// On SQLite a keyset page reads an index in ledger order (no sort), the one its filter names;
/// a small subtree reads its path range; the inspection list by state stays off the ledger's
/// state index.
#[tokio::test]
async fn sqlite_reads_an_index_in_ledger_order() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::testing::sqlite_at(&dir.path().join("t.db"))
        .await
        .unwrap();
    let province = Scope {
        user_id: 9,
        all: false,
        ranges: vec![subtree("/1/")],
        orgs: Vec::new(),
        own: false,
        team_user: None,
    };
    let state = LedgerFilter {
        state: Some("IN_PROGRESS".into()),
        ..Default::default()
    };
    let red = LedgerFilter {
        warning: Some(WarningBand::Red),
        ..Default::default()
    };
    let attention = LedgerFilter {
        attention: true,
        ..Default::default()
    };
    let both = LedgerFilter {
        state: Some("IN_PROGRESS".into()),
        warning: Some(WarningBand::Red),
        ..Default::default()
    };
    for (f, part, back, index) in [
        (
            &LedgerFilter::default(),
            Part::Dated,
            false,
            "findings_ledger_order_idx",
        ),
        (
            &LedgerFilter::default(),
            Part::Dated,
            true,
            "findings_ledger_order_idx",
        ),
        (
            &LedgerFilter::default(),
            Part::Undated,
            false,
            "findings_ledger_order_idx",
        ),
        (&state, Part::Dated, false, "findings_ledger_state_idx"),
        (&state, Part::Dated, true, "findings_ledger_state_idx"),
        (&state, Part::Undated, false, "findings_ledger_order_idx"),
        (&red, Part::Dated, false, "findings_ledger_open_idx"),
        (&red, Part::Dated, true, "findings_ledger_open_idx"),
        (&both, Part::Dated, false, "findings_ledger_state_idx"),
        (&attention, Part::Dated, false, "findings_ledger_order_idx"),
    ] {
        let got = plan(&db, &province, f, Drive::Order, part, back).await;
        assert!(
            got.contains(index) && !got.contains("TEMP B-TREE"),
            "{f:?} {part:?} back {back}: {got}"
        );
    }
    // A category: its range of the category index, in ledger order, with or without a state.
    let category = LedgerFilter {
        category_id: Some(3),
        ..Default::default()
    };
    let category_state = LedgerFilter {
        category_id: Some(3),
        state: Some("IN_PROGRESS".into()),
        ..Default::default()
    };
    for (f, part, back) in [
        (&category, Part::Dated, false),
        (&category, Part::Dated, true),
        (&category, Part::Undated, false),
        (&category_state, Part::Dated, false),
    ] {
        let got = plan(&db, &province, f, Drive::Category, part, back).await;
        let index = "findings_category_idx (category_id=?";
        assert!(
            got.contains(index) && !got.contains("TEMP B-TREE"),
            "{f:?} {part:?} back {back}: {got}"
        );
    }
    let small = LedgerFilter {
        org_id: Some(OrgId::new(1)),
        ..Default::default()
    };
    crate::on_db!(&db, p => {
        sqlx::query("INSERT INTO organisations (id, code, name, kind, path, depth, created_at, updated_at) VALUES (1, 'P', '省', 'province', '/1/', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')").execute(p).await.unwrap();
    });
    let got = plan(&db, &province, &small, Drive::Subtree, Part::Dated, false).await;
    assert!(
        got.contains("findings_ledger_idx (org_path>? AND org_path<?)"),
        "{got}"
    );
    let got = plan(&db, &province, &state, Drive::Scope, Part::Dated, false).await;
    assert!(
        got.contains("findings_ledger_idx (org_path>? AND org_path<?)"),
        "{got}"
    );
    let unit = LedgerFilter {
        round_unit_id: Some(1),
        ..Default::default()
    };
    let got = plan(&db, &province, &unit, Drive::Unit, Part::Dated, false).await;
    assert!(got.contains("findings_unit_state_idx"), "{got}");
    // The inspection list by state (fieldwork::list_findings) does not opt in.
    let got: Vec<(i64, i64, i64, String)> = crate::on_db!(&db, p => sqlx::query_as(
        "EXPLAIN QUERY PLAN SELECT f.id FROM findings f WHERE 1 = 1 AND f.state = 'CLOSED' ORDER BY f.id DESC LIMIT $1").bind(20_i64).fetch_all(p).await.unwrap());
    assert!(
        !got.iter()
            .any(|r| r.3.contains("findings_ledger_state_idx")),
        "{got:?}"
    );
}

/// An export's walk yields every matching row once, in export order (path, round unit, id),
/// whatever the chunk size, for every filter and scope, on both backends.
async fn the_walk_reads_every_row_in_export_order(db: Db) {
    seeded(&db).await;
    // A second round unit of the first city, so paths hold several units.
    crate::on_db!(&db, p => {
        let at = datetime!(2026-01-01 0:00 UTC);
        sqlx::query("INSERT INTO rounds (id, term_id, owner_org_id, name, kinds, start_date, end_date, focus, work_plan, created_at, updated_at) VALUES (2, 1, 1, '轮二', '[]', $1, $2, '', '', $3, $3)")
            .bind(date!(2026 - 04 - 01)).bind(date!(2026 - 06 - 01)).bind(at).execute(p).await.unwrap();
        sqlx::query("INSERT INTO round_units (id, province_id, round_id, owner_org_id, org_id, state, created_at, updated_at) VALUES (6, 1, 2, 1, 2, 'FEEDBACK_DONE', $1, $1)")
            .bind(at).execute(p).await.unwrap();
        for i in 151..=170_i64 {
            sqlx::query("INSERT INTO findings (id, province_id, round_unit_id, org_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_at, updated_at, org_path, deadline, due_date) \
                         VALUES ($1, 1, 6, 2, $2, '', '', '', '', '', '', 'IN_PROGRESS', $3, $3, '/1/2/', $4, $4)")
                .bind(i).bind(format!("问题{i}")).bind(at).bind(TODAY + time::Duration::days(i % 9 - 4))
                .execute(p).await.unwrap();
        }
    });
    let t = today();
    let county = Scope {
        user_id: 9,
        all: false,
        ranges: vec![subtree("/1/2/")],
        orgs: Vec::new(),
        own: false,
        team_user: None,
    };
    let two = Scope {
        ranges: vec![subtree("/1/3/"), subtree("/1/2/4/")],
        ..county.clone()
    };
    let single = Scope {
        ranges: Vec::new(),
        orgs: vec![OrgId::new(3)],
        ..county.clone()
    };
    let filters = [
        LedgerFilter::default(),
        LedgerFilter {
            state: Some("IN_PROGRESS".into()),
            ..Default::default()
        },
        LedgerFilter {
            org_id: Some(OrgId::new(2)),
            ..Default::default()
        },
        LedgerFilter {
            warning: Some(WarningBand::Red),
            ..Default::default()
        },
        LedgerFilter {
            round_unit_id: Some(6),
            ..Default::default()
        },
        LedgerFilter {
            round_id: Some(1),
            attention: true,
            ..Default::default()
        },
    ];
    let mut walked = 0;
    for scope in [Scope::unrestricted(), county, two, single] {
        for f in &filters {
            let want = ids(&ledger_all(&db, &scope, f, &t, i64::MAX).await.unwrap());
            if scope.all
                && f.org_id.is_none()
                && f.state.is_none()
                && f.warning.is_none()
                && f.round_unit_id.is_none()
                && !f.attention
            {
                assert_eq!(want.len(), 150 - 150 / 11 - 1 + 20);
                // The first city's rows: its own unit's, then the second unit's.
                let city: Vec<i64> = want
                    .iter()
                    .copied()
                    .filter(|i| *i % 5 == 1 || *i > 150)
                    .collect();
                assert_eq!(city[city.len() - 20..], (151..=170).collect::<Vec<_>>()[..]);
            }
            for n in [1_i64, 7, 1000] {
                let mut walk = LedgerWalk::new(&db, &scope, f).await.unwrap();
                let mut got = Vec::new();
                loop {
                    let rows = walk.next(&db, &scope, f, &t, n).await.unwrap();
                    if rows.is_empty() {
                        break;
                    }
                    assert!(i64::try_from(rows.len()).unwrap() <= n);
                    got.extend(ids(&rows));
                }
                assert_eq!(got, want, "{f:?} in {:?} by {n}", scope.ranges);
                walked += 1;
            }
        }
    }
    assert_eq!(walked, 4 * 6 * 3);
}

both_backends!(
    the_walk_reads_every_row_in_export_order,
    the_walk_reads_every_row_in_export_order_sqlite,
    the_walk_reads_every_row_in_export_order_postgres
);

/// On SQLite each chunk of the walk reads the path index from the key on (sorting only the
/// round units within a path), or one round unit's rows: never every row.
#[tokio::test]
async fn sqlite_walks_the_path_index() {
    let dir = tempfile::tempdir().unwrap();
    let db = crate::testing::sqlite_at(&dir.path().join("t.db"))
        .await
        .unwrap();
    let t = today();
    let county = Scope {
        user_id: 9,
        all: false,
        ranges: vec![subtree("/1/2/")],
        orgs: Vec::new(),
        own: false,
        team_user: None,
    };
    let key = WalkKey {
        id: 5,
        org_path: "/1/2/".into(),
        round_unit_id: 2,
    };
    for (scope, f, index) in [
        (
            Scope::unrestricted(),
            LedgerFilter::default(),
            "findings_ledger_idx (org_path>?)",
        ),
        (
            county.clone(),
            LedgerFilter {
                state: Some("CLOSED".into()),
                category_id: Some(1),
                ..Default::default()
            },
            "findings_ledger_idx (org_path>? AND org_path<?)",
        ),
        (
            Scope::unrestricted(),
            LedgerFilter {
                warning: Some(WarningBand::Red),
                round_id: Some(1),
                ..Default::default()
            },
            "findings_ledger_idx (org_path>?)",
        ),
        (
            county,
            LedgerFilter {
                round_unit_id: Some(1),
                ..Default::default()
            },
            "findings_unit_state_idx (round_unit_id=?)",
        ),
    ] {
        let mut walk = LedgerWalk::new(&db, &scope, &f).await.unwrap();
        walk.after = Some(key.clone());
        let got: Vec<(i64, i64, i64, String)> = crate::on_db!(&db, p => {
            let mut qb = QueryBuilder::new("EXPLAIN QUERY PLAN ");
            walk.push_ids(&mut qb, &scope, &f, &t, 1000);
            qb.build_query_as().fetch_all(p).await.unwrap()
        });
        let got = got.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ");
        assert!(got.contains(index), "{f:?}: {got}");
        if walk.drive == Drive::Path {
            // Only the round units and ids within a path are sorted.
            assert!(!got.contains("TEMP B-TREE FOR ORDER BY"), "{f:?}: {got}");
        }
    }
}

/// The partial indexes' state lists are the ledger's and the open states, sorted, and the
/// migrations spell them exactly so.
#[test]
fn index_state_lists_match_the_migration() {
    let sorted = |list: &str| {
        let mut v: Vec<&str> = list.trim_matches(['(', ')']).split(", ").collect();
        v.sort_unstable();
        format!("({})", v.join(", "))
    };
    assert_eq!(sorted(LEDGER_STATES), LEDGER_INDEX_STATES);
    assert_eq!(sorted(OPEN_STATES), OPEN_INDEX_STATES);
    assert_ne!(LEDGER_STATES, LEDGER_INDEX_STATES);
    assert_ne!(OPEN_STATES, OPEN_INDEX_STATES);
    for backend in ["sqlite", "postgres"] {
        let sql = std::fs::read_to_string(format!(
            "{}/migrations/{backend}/0014_ledger_keyset.sql",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert!(
            sql.contains(&format!(
                "WHERE deadline IS NOT NULL AND state IN {LEDGER_INDEX_STATES}"
            )),
            "{backend}"
        );
        assert!(
            sql.contains(&format!(
                "WHERE deadline IS NOT NULL AND state IN {OPEN_INDEX_STATES}"
            )),
            "{backend}"
        );
    }
}

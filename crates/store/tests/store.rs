//! Storage tests. Every test runs twice: on a real SQLite file and on a real PostgreSQL server.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeMap;

use xuncha_domain::DomainError;
use xuncha_domain::audit::ChainProblem;
use xuncha_domain::org::{OrgDraft, OrgId, OrgKind, PartyOrgKind};
use xuncha_domain::perm::{Access, AdminClass, DataScope, RoleDraft};
use xuncha_store::accounts::{self, NewUser};
use xuncha_store::audit::{self, Actor};
use xuncha_store::orgs::{self, ImportRow, OrgFilter};
use xuncha_store::scope::Scope;
use xuncha_store::{Db, PageReq, StoreError, on_db, testing};

/// A database for one test; the temp dir lives as long as it.
struct TestDb {
    db: Db,
    _dir: Option<tempfile::TempDir>,
}

async fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = testing::sqlite_at(&dir.path().join("t.db"))
        .await
        .expect("sqlite");
    TestDb {
        db,
        _dir: Some(dir),
    }
}

async fn pg_db() -> TestDb {
    let (db, _) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    TestDb { db, _dir: None }
}

macro_rules! dual {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test]
                async fn sqlite() {
                    let t = super::sqlite_db().await;
                    super::$name(t.db.clone()).await;
                }
                #[tokio::test]
                async fn postgres() {
                    let t = super::pg_db().await;
                    super::$name(t.db.clone()).await;
                }
            }
        )*
    };
}

dual!(
    org_tree_create_move_deactivate,
    stale_version_and_duplicates_are_refused,
    scope_hides_other_subtrees_everywhere,
    import_is_all_or_nothing,
    audit_chain_detects_tampering,
    roles_sessions_tokens_policy,
    group_commit_batches_concurrent_writes,
    scheduler_lease_has_one_holder,
    scheduler_runs_once_per_period,
    statistics_keep_no_value_samples,
    linkage_rows_stay_with_their_office,
    search_outbox_follows_committed_writes,
);

fn actor() -> Actor {
    Actor::system("test")
}

fn draft(code: &str, name: &str, kind: OrgKind) -> OrgDraft {
    OrgDraft {
        code: code.into(),
        name: name.into(),
        kind,
        party_org_kind: Some(PartyOrgKind::Committee),
    }
}

async fn mk(db: &Db, parent: Option<OrgId>, code: &str, kind: OrgKind) -> orgs::Org {
    orgs::create(
        db,
        &actor(),
        &Scope::unrestricted(),
        parent,
        &draft(code, &format!("{code}名"), kind),
    )
    .await
    .expect("create org")
}

/// A province with two cities, each with two counties, each with a township.
async fn small_tree(db: &Db) -> BTreeMap<&'static str, orgs::Org> {
    let mut m = BTreeMap::new();
    let p = mk(db, None, "P", OrgKind::Province).await;
    m.insert("P", p.clone());
    for (c, c1, c2) in [("C1", "K11", "K12"), ("C2", "K21", "K22")] {
        let city = mk(db, Some(p.id), c, OrgKind::City).await;
        m.insert(c, city.clone());
        for k in [c1, c2] {
            let county = mk(db, Some(city.id), k, OrgKind::County).await;
            let t = mk(db, Some(county.id), &format!("{k}T"), OrgKind::Township).await;
            m.insert(k, county);
            m.insert(
                if k == "K11" {
                    "K11T"
                } else if k == "K12" {
                    "K12T"
                } else if k == "K21" {
                    "K21T"
                } else {
                    "K22T"
                },
                t,
            );
        }
    }
    m
}

async fn org_tree_create_move_deactivate(db: Db) {
    let t = small_tree(&db).await;
    let all = Scope::unrestricted();
    let p = &t["P"];
    assert_eq!(p.path, format!("/{}/", p.id));
    assert_eq!(p.province_id, Some(p.id));
    let k11 = &t["K11"];
    assert_eq!(k11.depth, 2);
    assert_eq!(k11.path, format!("/{}/{}/{}/", p.id, t["C1"].id, k11.id));
    assert_eq!(
        orgs::get(&db, &all, t["C1"].id).await.unwrap().child_count,
        2
    );

    // Subtree search: C1 has itself, two counties and two townships.
    let sub = orgs::search(
        &db,
        &all,
        &OrgFilter {
            within: Some(t["C1"].id),
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(sub.total, 5);
    let by_name = orgs::search(
        &db,
        &all,
        &OrgFilter {
            q: Some("K2".into()),
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(by_name.total, 4);
    // LIKE wildcards typed by a user are literal.
    let pct = orgs::search(
        &db,
        &all,
        &OrgFilter {
            q: Some("%".into()),
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(pct.total, 0);

    // Move K11 (with its township) under C2: paths and depths of the whole subtree follow.
    let moved = orgs::move_to(&db, &actor(), &all, k11.id, t["C2"].id, k11.version)
        .await
        .unwrap();
    assert_eq!(moved.parent_id, Some(t["C2"].id));
    assert_eq!(moved.path, format!("/{}/{}/{}/", p.id, t["C2"].id, k11.id));
    let town = orgs::get(&db, &all, t["K11T"].id).await.unwrap();
    assert_eq!(town.path, format!("{}{}/", moved.path, town.id));
    assert_eq!(town.depth, 3);
    let c2 = orgs::search(
        &db,
        &all,
        &OrgFilter {
            within: Some(t["C2"].id),
            ..Default::default()
        },
        PageReq::new(None, None),
    )
    .await
    .unwrap();
    assert_eq!(c2.total, 7);
    let anc = orgs::ancestors(&db, &all, town.id).await.unwrap();
    assert_eq!(
        anc.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
        ["P", "C2", "K11"]
    );

    // Moving a node under its own descendant is refused.
    let c2o = orgs::get(&db, &all, t["C2"].id).await.unwrap();
    let err = orgs::move_to(&db, &actor(), &all, c2o.id, town.id, c2o.version)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Rule(ref m)) if m.key == "org.move_into_own_subtree"),
        "{err:?}"
    );

    // Deactivating a node with active children is refused; leaf first, then it works.
    let err = orgs::set_active(&db, &actor(), &all, moved.id, false, moved.version)
        .await
        .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Rule(ref m)) if m.key == "org.has_active_children")
    );
    let town = orgs::set_active(&db, &actor(), &all, town.id, false, town.version)
        .await
        .unwrap();
    assert!(!town.active);
    let kids = orgs::children(&db, &all, moved.id, false).await.unwrap();
    assert!(kids.is_empty());
    assert_eq!(
        orgs::children(&db, &all, moved.id, true)
            .await
            .unwrap()
            .len(),
        1
    );
    // A deactivated parent takes no new children.
    let err = orgs::create(
        &db,
        &actor(),
        &all,
        Some(town.id),
        &draft("V1", "村", OrgKind::Village),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(err, StoreError::Domain(DomainError::Rule(ref m)) if m.key == "org.parent_inactive")
    );
    // Every write was audited in its transaction.
    let report = audit::verify(&db).await.unwrap();
    assert_eq!(report.problem, None);
    assert!(report.checked >= 13, "{}", report.checked);
}

async fn stale_version_and_duplicates_are_refused(db: Db) {
    let all = Scope::unrestricted();
    let p = mk(&db, None, "P", OrgKind::Province).await;
    let c = mk(&db, Some(p.id), "C", OrgKind::City).await;
    let updated = orgs::update(
        &db,
        &actor(),
        &all,
        c.id,
        &draft("C", "新名称", OrgKind::City),
        c.version,
    )
    .await
    .unwrap();
    assert_eq!(updated.version, c.version + 1);
    assert_eq!(updated.name, "新名称");
    let stale = orgs::update(
        &db,
        &actor(),
        &all,
        c.id,
        &draft("C", "又一个", OrgKind::City),
        c.version,
    )
    .await
    .unwrap_err();
    assert!(matches!(stale, StoreError::StaleVersion));
    assert_eq!(orgs::get(&db, &all, c.id).await.unwrap().name, "新名称");
    let dup = orgs::create(
        &db,
        &actor(),
        &all,
        Some(p.id),
        &draft("C", "重复", OrgKind::City),
    )
    .await
    .unwrap_err();
    assert!(matches!(dup, StoreError::Domain(DomainError::Invalid(ref f)) if f[0].field == "code"));
    let dup2 = orgs::update(
        &db,
        &actor(),
        &all,
        c.id,
        &draft("P", "x", OrgKind::City),
        updated.version,
    )
    .await
    .unwrap_err();
    assert!(matches!(dup2, StoreError::Domain(DomainError::Invalid(_))));
}

async fn scope_hides_other_subtrees_everywhere(db: Db) {
    let t = small_tree(&db).await;
    let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA";
    let mut users = BTreeMap::new();
    for k in ["K11", "K12"] {
        let u = accounts::create_user(
            &db,
            &actor(),
            &Scope::unrestricted(),
            &NewUser {
                username: format!("u{}", k.to_lowercase()),
                display_name: k.into(),
                org_id: t[k].id,
                password_hash: hash.into(),
                must_change_password: false,
            },
        )
        .await
        .unwrap();
        users.insert(k, u);
    }
    // A county office director: 本部门及以下 at K11.
    let role = accounts::save_role(
        &db,
        &actor(),
        None,
        accounts::RoleHeader {
            code: "dir",
            name: "主任",
            admin_class: None,
            builtin: false,
        },
        &RoleDraft::parse(None, &["org:read".into()], "org_and_below", &[], &[]).unwrap(),
    )
    .await
    .unwrap();
    let u = &users["K11"];
    let access = Access::combine(u.org_id, &[role.grant()]);
    let scope = Scope::resolve(&db, u.id, &access).await.unwrap();

    let roots = orgs::roots(&db, &scope).await.unwrap();
    assert_eq!(
        roots.iter().map(|o| o.code.as_str()).collect::<Vec<_>>(),
        ["K11"]
    );
    // Detail of another county, of the city above, of a township of the other county: not found.
    for other in ["K12", "C1", "P", "K12T", "K21"] {
        assert!(
            matches!(
                orgs::get(&db, &scope, t[other].id).await,
                Err(StoreError::NotFound)
            ),
            "{other} leaked"
        );
        assert!(
            orgs::children(&db, &scope, t[other].id, true)
                .await
                .unwrap()
                .iter()
                .all(|o| o.path.starts_with(&t["K11"].path))
        );
    }
    assert!(orgs::get(&db, &scope, t["K11T"].id).await.is_ok());
    // Search and export see only the own subtree.
    let all = orgs::search(
        &db,
        &scope,
        &OrgFilter::default(),
        PageReq::new(None, Some(200)),
    )
    .await
    .unwrap();
    assert_eq!(
        all.items
            .iter()
            .map(|o| o.code.as_str())
            .collect::<Vec<_>>(),
        ["K11", "K11T"]
    );
    let exp = orgs::export(&db, &scope, None).await.unwrap();
    assert_eq!(exp.len(), 2);
    assert!(matches!(
        orgs::export(&db, &scope, Some(t["K12"].id)).await,
        Err(StoreError::NotFound)
    ));
    assert!(matches!(
        orgs::search(
            &db,
            &scope,
            &OrgFilter {
                within: Some(t["C1"].id),
                ..Default::default()
            },
            PageReq::new(None, None)
        )
        .await,
        Err(StoreError::NotFound)
    ));
    // Ancestors above the scope are not shown.
    assert!(
        orgs::ancestors(&db, &scope, t["K11T"].id)
            .await
            .unwrap()
            .iter()
            .all(|o| o.code == "K11")
    );
    // Users of the other county are invisible.
    let listed = accounts::list_users(&db, &scope, &Default::default(), PageReq::new(None, None))
        .await
        .unwrap();
    assert_eq!(
        listed
            .items
            .iter()
            .map(|u| u.username.as_str())
            .collect::<Vec<_>>(),
        ["uk11"]
    );
    assert!(matches!(
        accounts::get_user(&db, &scope, users["K12"].id).await,
        Err(StoreError::NotFound)
    ));
    // Writes outside the scope fail as not found; creating under another county too.
    let k12 = &t["K12"];
    assert!(matches!(
        orgs::update(
            &db,
            &actor(),
            &scope,
            k12.id,
            &draft("K12", "x", OrgKind::County),
            k12.version
        )
        .await,
        Err(StoreError::NotFound)
    ));
    assert!(
        orgs::create(
            &db,
            &actor(),
            &scope,
            Some(k12.id),
            &draft("X", "x", OrgKind::Township)
        )
        .await
        .is_err()
    );
    assert!(
        orgs::create(
            &db,
            &actor(),
            &scope,
            None,
            &draft("ROOT2", "x", OrgKind::Province)
        )
        .await
        .is_err()
    );
    // 本部门: only the org itself; 仅本人: records the user created.
    let own_org = Access::combine(
        u.org_id,
        &[xuncha_domain::perm::RoleGrant {
            data_scope: DataScope::Org,
            ..role.grant()
        }],
    );
    let s2 = Scope::resolve(&db, u.id, &own_org).await.unwrap();
    assert!(orgs::get(&db, &s2, t["K11"].id).await.is_ok());
    assert!(orgs::get(&db, &s2, t["K11T"].id).await.is_err());
    let own = Access::combine(
        u.org_id,
        &[xuncha_domain::perm::RoleGrant {
            data_scope: DataScope::OwnOnly,
            ..role.grant()
        }],
    );
    let s3 = Scope::resolve(&db, u.id, &own).await.unwrap();
    assert!(
        orgs::search(&db, &s3, &OrgFilter::default(), PageReq::new(None, None))
            .await
            .unwrap()
            .items
            .is_empty()
    );
}

fn row(n: usize, code: &str, parent: Option<&str>) -> ImportRow {
    ImportRow {
        row: n,
        parent_code: parent.map(str::to_string),
        draft: draft(code, &format!("{code}名"), OrgKind::Township),
    }
}

async fn import_is_all_or_nothing(db: Db) {
    let all = Scope::unrestricted();
    let p = mk(&db, None, "P", OrgKind::Province).await;
    let before = audit::verify(&db).await.unwrap().checked;
    // Children before parents in the file are fine.
    let ok = vec![
        row(2, "B", Some("A")),
        row(3, "A", Some("P")),
        row(4, "C", Some("B")),
    ];
    assert_eq!(orgs::import(&db, &actor(), &all, &ok).await.unwrap(), Ok(3));
    let c = orgs::get_by_code(&db, &all, "C").await.unwrap();
    assert_eq!(c.depth, 3);
    // One bad row of several: nothing stored, every error reported with its row.
    let bad = vec![
        row(2, "D", Some("P")),
        row(3, "E", Some("NOPE")),
        row(4, "A", Some("P")),
        row(5, "D", Some("P")),
        row(6, "X", Some("Y")),
        row(7, "Y", Some("X")),
    ];
    let errors = orgs::import(&db, &actor(), &all, &bad)
        .await
        .unwrap()
        .unwrap_err();
    let got: Vec<(usize, &str)> = errors.iter().map(|e| (e.row, e.msg.key)).collect();
    assert!(got.contains(&(3, "import.parent_unknown")), "{got:?}");
    assert!(got.contains(&(4, "import.code_exists")), "{got:?}");
    assert!(got.contains(&(5, "import.duplicate_in_file")), "{got:?}");
    assert!(
        got.contains(&(6, "import.cycle")) && got.contains(&(7, "import.cycle")),
        "{got:?}"
    );
    assert!(matches!(
        orgs::get_by_code(&db, &all, "D").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(
        orgs::search(&db, &all, &OrgFilter::default(), PageReq::new(None, None))
            .await
            .unwrap()
            .total,
        4
    );
    // The failed import wrote nothing to the audit trail either; the good one wrote one record.
    assert_eq!(audit::verify(&db).await.unwrap().checked, before + 1);
    // A scoped importer cannot attach rows outside its scope or create roots.
    let k = mk(&db, Some(p.id), "K", OrgKind::County).await;
    let role = RoleDraft::parse(None, &["org:import".into()], "custom", &[k.id], &[]).unwrap();
    let access = Access::combine(
        k.id,
        &[xuncha_domain::perm::RoleGrant {
            admin_class: None,
            permissions: role.permissions,
            data_scope: DataScope::Custom,
            custom_org_ids: vec![k.id],
            compartments: vec![],
        }],
    );
    let scope = Scope::resolve(&db, 1, &access).await.unwrap();
    let errs = orgs::import(
        &db,
        &actor(),
        &scope,
        &[
            row(2, "Z1", Some("A")),
            row(3, "Z2", None),
            row(4, "Z3", Some("K")),
        ],
    )
    .await
    .unwrap()
    .unwrap_err();
    let got: Vec<(usize, &str)> = errs.iter().map(|e| (e.row, e.msg.key)).collect();
    assert_eq!(
        got,
        vec![(2, "import.parent_out_of_scope"), (3, "org.root_forbidden")]
    );
}

async fn audit_chain_detects_tampering(db: Db) {
    let p = mk(&db, None, "P", OrgKind::Province).await;
    for i in 0..5 {
        mk(&db, Some(p.id), &format!("C{i}"), OrgKind::City).await;
    }
    assert_eq!(audit::verify(&db).await.unwrap().problem, None);
    // The table refuses updates and deletes.
    let upd = on_db!(&db, pool => sqlx::query("UPDATE audit_log SET summary = 'x' WHERE seq = 2").execute(pool).await.map(|_| ()));
    assert!(upd.is_err(), "audit_log accepted an UPDATE");
    let del = on_db!(&db, pool => sqlx::query("DELETE FROM audit_log WHERE seq = 2").execute(pool).await.map(|_| ()));
    assert!(del.is_err(), "audit_log accepted a DELETE");

    // Someone with database access drops the guards and edits a record.
    on_db!(&db, pool => {
        sqlx::query("DROP TRIGGER audit_log_no_update").execute(pool).await.ok();
        sqlx::query("DROP TRIGGER audit_log_no_delete").execute(pool).await.ok();
        sqlx::query("DROP TRIGGER audit_log_no_update ON audit_log").execute(pool).await.ok();
        sqlx::query("DROP TRIGGER audit_log_no_delete ON audit_log").execute(pool).await.ok();
    });
    on_db!(&db, pool => { sqlx::query("UPDATE audit_log SET summary = '篡改' WHERE seq = 3").execute(pool).await.unwrap(); });
    assert_eq!(
        audit::verify(&db).await.unwrap().problem,
        Some((3, ChainProblem::Edited))
    );
    on_db!(&db, pool => {
        sqlx::query("DELETE FROM audit_log WHERE seq = 3").execute(pool).await.unwrap();
    });
    assert_eq!(
        audit::verify(&db).await.unwrap().problem,
        Some((4, ChainProblem::Deleted))
    );
    // Re-insert a forged record 3 that links to GENESIS instead of record 2.
    on_db!(&db, pool => {
        sqlx::query("INSERT INTO audit_log (seq, at, category, actor_id, actor_name, action, target_type, target_id, summary, ip, success, prev_hash, hash) \
                     SELECT 3, at, category, actor_id, actor_name, action, target_type, target_id, summary, ip, success, prev_hash, hash FROM audit_log WHERE seq = 1")
            .execute(pool).await.unwrap();
    });
    assert_eq!(
        audit::verify(&db).await.unwrap().problem,
        Some((3, ChainProblem::Inserted))
    );
    // Cutting off the tail is caught by the head.
    on_db!(&db, pool => {
        sqlx::query("DELETE FROM audit_log WHERE seq >= 3").execute(pool).await.unwrap();
    });
    assert_eq!(
        audit::verify(&db).await.unwrap().problem,
        Some((3, ChainProblem::HeadMismatch))
    );
}

/// Concurrent writes share commits; a write that fails, or whose request is dropped, leaves the
/// others of its batch stored; the chain holds every kept write once.
async fn group_commit_batches_concurrent_writes(db: Db) {
    let p = mk(&db, None, "P", OrgKind::Province).await;
    let (writes0, batches0) = db.group_commit_stats();
    let mut tasks = Vec::new();
    for i in 0..64 {
        let db = db.clone();
        // Every eighth write repeats the code of the one before it: refused, alone.
        let code = if i % 8 == 7 {
            format!("C{}", i - 1)
        } else {
            format!("C{i}")
        };
        tasks.push(tokio::spawn(async move {
            orgs::create(
                &db,
                &actor(),
                &Scope::unrestricted(),
                Some(p.id),
                &draft(&code, &format!("{code}名"), OrgKind::City),
            )
            .await
        }));
    }
    // Requests dropped while they wait or write (a client that went away).
    let mut dropped = Vec::new();
    for i in 0..8 {
        let db = db.clone();
        dropped.push(tokio::spawn(async move {
            let event = audit::Event::op("test.dropped", "test", i, "dropped");
            audit::record_event(&db, &actor(), &event).await
        }));
    }
    for d in &dropped {
        d.abort();
    }
    let mut stored = 0;
    for (i, t) in tasks.into_iter().enumerate() {
        let r = tokio::time::timeout(std::time::Duration::from_secs(30), t)
            .await
            .expect("a write hung")
            .unwrap();
        match r {
            Ok(_) => stored += 1,
            // One of each pair is refused: by the check, or by the unique index when both
            // passed the check before either wrote.
            Err(e) => assert!(
                e.is_unique_violation()
                    || matches!(&e, StoreError::Domain(DomainError::Invalid(_))),
                "write {i}: {e:?}"
            ),
        }
    }
    assert_eq!(
        stored, 56,
        "one write of each pair is refused, every other write stored"
    );
    let kids = orgs::children(&db, &Scope::unrestricted(), p.id, true)
        .await
        .unwrap();
    assert_eq!(kids.len(), stored);
    // A write after the dropped ones goes through (nothing was left holding the writer).
    let late = tokio::time::timeout(
        std::time::Duration::from_secs(30),
        mk(&db, Some(p.id), "LATE", OrgKind::City),
    )
    .await
    .expect("the writer was left stuck");
    assert_eq!(late.code, "LATE");
    let (writes1, batches1) = db.group_commit_stats();
    let writes = writes1 - writes0;
    assert!(writes > stored as u64, "{writes} writes committed");
    assert!(
        batches1 - batches0 < writes,
        "no two writes shared a commit ({writes} writes, {} batches)",
        batches1 - batches0
    );
    let chain = audit::verify(&db).await.unwrap();
    assert_eq!(chain.problem, None);
    let created: i64 = on_db!(&db, pool => sqlx::query_scalar("SELECT COUNT(*) FROM audit_log WHERE action = 'org.create'").fetch_one(pool).await.unwrap());
    assert_eq!(
        created,
        stored as i64 + 2,
        "one audit record per stored organisation"
    );
}

async fn roles_sessions_tokens_policy(db: Db) {
    let all = Scope::unrestricted();
    let p = mk(&db, None, "P", OrgKind::Province).await;
    let sys = accounts::save_role(
        &db,
        &actor(),
        None,
        accounts::RoleHeader {
            code: "s",
            name: "系统",
            admin_class: Some(AdminClass::System),
            builtin: true,
        },
        &RoleDraft::parse(
            Some(AdminClass::System),
            &["user:write".into()],
            "all",
            &[],
            &[],
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let aud = accounts::save_role(
        &db,
        &actor(),
        None,
        accounts::RoleHeader {
            code: "a",
            name: "审计",
            admin_class: Some(AdminClass::Audit),
            builtin: true,
        },
        &RoleDraft::parse(
            Some(AdminClass::Audit),
            &["audit:read".into()],
            "all",
            &[],
            &[],
        )
        .unwrap(),
    )
    .await
    .unwrap();
    let custom = accounts::save_role(
        &db,
        &actor(),
        None,
        accounts::RoleHeader {
            code: "c",
            name: "自定义",
            admin_class: None,
            builtin: false,
        },
        &RoleDraft::parse(
            None,
            &["org:read".into()],
            "custom",
            &[p.id],
            &["clue".into()],
        )
        .unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(custom.custom_org_ids, vec![p.id]);
    assert_eq!(accounts::get_role(&db, custom.id).await.unwrap(), custom);
    assert_eq!(accounts::list_roles(&db).await.unwrap().len(), 3);

    let u = accounts::create_user(
        &db,
        &actor(),
        &all,
        &NewUser {
            username: "zhang".into(),
            display_name: "张三".into(),
            org_id: p.id,
            password_hash: "h".into(),
            must_change_password: true,
        },
    )
    .await
    .unwrap();
    let dup = accounts::create_user(
        &db,
        &actor(),
        &all,
        &NewUser {
            username: "zhang".into(),
            display_name: "x".into(),
            org_id: p.id,
            password_hash: "h".into(),
            must_change_password: true,
        },
    )
    .await
    .unwrap_err();
    assert!(
        matches!(dup, StoreError::Domain(DomainError::Invalid(ref f)) if f[0].field == "username")
    );
    // 三员分立 in storage: two administrator classes on one user are refused, nothing changes.
    let err = accounts::set_roles(&db, &actor(), &all, u.id, &[sys.id, aud.id], u.version)
        .await
        .unwrap_err();
    assert!(matches!(err, StoreError::Domain(DomainError::Invalid(_))));
    assert!(accounts::user_roles(&db, u.id).await.unwrap().is_empty());
    let u = accounts::set_roles(&db, &actor(), &all, u.id, &[custom.id], u.version)
        .await
        .unwrap();
    assert_eq!(accounts::user_roles(&db, u.id).await.unwrap()[0].code, "c");
    assert!(matches!(
        accounts::set_roles(&db, &actor(), &all, u.id, &[], u.version - 1).await,
        Err(StoreError::StaleVersion)
    ));

    // Sessions slide and expire.
    let now = db.now();
    accounts::create_session(
        &db,
        "h1",
        u.id,
        "csrf",
        now + time::Duration::minutes(5),
        "127.0.0.1",
    )
    .await
    .unwrap();
    let s = accounts::touch_session(&db, "h1", now, now + time::Duration::minutes(30))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(s.csrf_token, "csrf");
    assert!(
        accounts::touch_session(&db, "h1", now + time::Duration::minutes(29), now)
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        accounts::touch_session(&db, "h1", now + time::Duration::minutes(31), now)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        accounts::touch_session(&db, "nope", now, now)
            .await
            .unwrap()
            .is_none()
    );

    // Tokens: live, used, revoked.
    let id = accounts::create_token(
        &db,
        &actor(),
        u.id,
        "集成",
        "th",
        &["org:read".into()],
        now + time::Duration::days(1),
    )
    .await
    .unwrap();
    let t = accounts::use_token(&db, "th", now).await.unwrap().unwrap();
    assert_eq!(t.permission_list().unwrap(), vec!["org:read".to_string()]);
    assert!(
        accounts::use_token(&db, "th", now + time::Duration::days(2))
            .await
            .unwrap()
            .is_none()
    );
    accounts::revoke_token(&db, &actor(), u.id, id)
        .await
        .unwrap();
    assert!(accounts::use_token(&db, "th", now).await.unwrap().is_none());
    assert!(matches!(
        accounts::revoke_token(&db, &actor(), u.id, id).await,
        Err(StoreError::NotFound)
    ));

    // Policy with optimistic locking.
    let mut pol = accounts::policy(&db).await.unwrap();
    assert_eq!(pol.password.min_length, 8);
    pol.password.min_length = 10;
    let saved = accounts::save_policy(&db, &actor(), &pol).await.unwrap();
    assert_eq!(saved.password.min_length, 10);
    assert!(matches!(
        accounts::save_policy(&db, &actor(), &pol).await,
        Err(StoreError::StaleVersion)
    ));

    // Lock and unlock; TOTP step replay protection.
    accounts::set_locked(&db, &actor(), &all, u.id, true)
        .await
        .unwrap();
    assert!(
        accounts::get_user(&db, &all, u.id)
            .await
            .unwrap()
            .locked_by_admin
    );
    accounts::set_locked(&db, &actor(), &all, u.id, false)
        .await
        .unwrap();
    assert!(accounts::use_totp_step(&db, u.id, 100).await.unwrap());
    assert!(!accounts::use_totp_step(&db, u.id, 100).await.unwrap());
    assert!(accounts::use_totp_step(&db, u.id, 101).await.unwrap());
    assert_eq!(audit::verify(&db).await.unwrap().problem, None);
}

/// A database handle on the same pool whose clock reads `ahead` later (another node's clock, or
/// the same node later on).
fn later(db: &Db, ahead: time::Duration) -> Db {
    db.clone()
        .with_clock(std::sync::Arc::new(xuncha_store::Clock::pinned(
            db.now() + ahead,
        )))
}

/// The scheduler's lease: one holder at a time, however many nodes try at once; the holder
/// renews it; another takes it once it has expired or was given up.
async fn scheduler_lease_has_one_holder(db: Db) {
    use xuncha_store::scheduler::{lease, release_lease, take_lease};
    let minute = time::Duration::minutes(1);
    assert_eq!(lease(&db, "scheduler").await.unwrap(), None);
    assert!(
        take_lease(&db, "scheduler", "a", db.now() + minute)
            .await
            .unwrap()
    );
    let taken = lease(&db, "scheduler").await.unwrap().unwrap();
    assert_eq!(taken.holder, "a");
    assert!(
        !take_lease(&db, "scheduler", "b", db.now() + minute)
            .await
            .unwrap()
    );
    // Renewing moves the expiry and keeps when it was taken.
    let until = db.now() + 2 * minute;
    assert!(take_lease(&db, "scheduler", "a", until).await.unwrap());
    let renewed = lease(&db, "scheduler").await.unwrap().unwrap();
    assert_eq!(
        (
            renewed.holder.as_str(),
            renewed.taken_at,
            renewed.expires_at
        ),
        ("a", taken.taken_at, until)
    );
    // Other leases are other rows.
    assert!(
        take_lease(&db, "other", "b", db.now() + minute)
            .await
            .unwrap()
    );

    // Once it has expired (seen by a node three minutes on), another holder takes it, and the
    // old holder's renewal fails.
    let on = later(&db, 3 * minute);
    assert!(
        take_lease(&on, "scheduler", "b", on.now() + minute)
            .await
            .unwrap()
    );
    let b = lease(&db, "scheduler").await.unwrap().unwrap();
    assert_eq!(b.holder, "b");
    assert!(b.taken_at > renewed.taken_at + 2 * minute);
    assert!(
        !take_lease(&db, "scheduler", "a", db.now() + minute)
            .await
            .unwrap()
    );
    // Given up, it is free at once; giving up someone else's lease does nothing.
    release_lease(&on, "scheduler", "a").await.unwrap();
    assert!(
        !take_lease(&on, "scheduler", "c", on.now() + minute)
            .await
            .unwrap()
    );
    release_lease(&on, "scheduler", "b").await.unwrap();
    assert!(
        take_lease(&on, "scheduler", "c", on.now() + minute)
            .await
            .unwrap()
    );

    // Many nodes at once, on a fresh lease and on an expired one: exactly one wins each time.
    for round in 0..5 {
        let name = format!("race{round}");
        for attempt in 0..2 {
            // The second attempt comes five minutes on, when the first winner's lease is over.
            let at = later(&db, time::Duration::minutes(5 * attempt));
            let mut tasks = tokio::task::JoinSet::new();
            for n in 0..12 {
                let (at, name) = (at.clone(), name.clone());
                tasks.spawn(async move {
                    let until = at.now() + minute;
                    take_lease(&at, &name, &format!("node{n}-{attempt}"), until)
                        .await
                        .unwrap()
                });
            }
            let mut won = 0;
            while let Some(r) = tasks.join_next().await {
                won += usize::from(r.unwrap());
            }
            assert_eq!(won, 1, "{name}, attempt {attempt}: {won} holders");
            let l = lease(&db, &name).await.unwrap().unwrap();
            assert!(l.holder.ends_with(&format!("-{attempt}")), "{l:?}");
        }
    }
}

/// A period's run is recorded once however many nodes claim it; the record lists and forgets
/// runs by period.
async fn scheduler_runs_once_per_period(db: Db) {
    use xuncha_store::scheduler::{claim_run, finish_run, prune_runs, runs};
    let t0 =
        time::OffsetDateTime::from_unix_timestamp(db.now().unix_timestamp() / 60 * 60).unwrap();
    let minute = time::Duration::minutes(1);
    for k in 0..4_i32 {
        let start = t0 + k * minute;
        let mut tasks = tokio::task::JoinSet::new();
        for n in 0..8 {
            let db = db.clone();
            tasks.spawn(async move {
                claim_run(&db, "job", start, &format!("node{n}"))
                    .await
                    .unwrap()
            });
        }
        let mut claimed = 0;
        while let Some(r) = tasks.join_next().await {
            claimed += usize::from(r.unwrap());
        }
        assert_eq!(claimed, 1, "period {k} claimed {claimed} times");
        if k < 3 {
            finish_run(&db, "job", start, i64::from(k) * 10)
                .await
                .unwrap();
        }
    }
    // The same periods of another job are that job's.
    assert!(claim_run(&db, "other", t0, "node0").await.unwrap());
    let all = runs(&db, "job", t0).await.unwrap();
    assert_eq!(all.len(), 4);
    assert_eq!(
        all.iter().map(|r| r.period_start).collect::<Vec<_>>(),
        (0..4_i32).map(|k| t0 + k * minute).collect::<Vec<_>>()
    );
    assert_eq!(all[1].items, Some(10));
    assert!(all[1].finished_at.is_some_and(|f| f >= all[1].started_at));
    assert_eq!((all[3].items, all[3].finished_at), (None, None));
    assert_eq!(runs(&db, "job", t0 + 2 * minute).await.unwrap().len(), 2);
    assert_eq!(prune_runs(&db, "job", t0 + 2 * minute).await.unwrap(), 2);
    assert_eq!(runs(&db, "job", t0).await.unwrap().len(), 2);
    assert_eq!(runs(&db, "other", t0).await.unwrap().len(), 1);
}

/// Migration 0010 keeps every setting and holiday: they become the root organisation's (the
/// province's), the scheduler's lease organisation 0's (until 0016 moves the lease to a table of
/// its own); and they then resolve for every office.
async fn office_settings_migration_keeps_the_data(db: Db) {
    match &db.pool {
        xuncha_store::Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite")
            .run_to(9, p)
            .await
            .unwrap(),
        xuncha_store::Pool::Postgres(p) => sqlx::migrate!("migrations/postgres")
            .run_to(9, p)
            .await
            .unwrap(),
    }
    let at = db.now();
    on_db!(&db, p => {
        for (id, parent, path, depth) in [(1_i64, None, "/1/", 0_i32), (2, Some(1_i64), "/1/2/", 1), (3, Some(2), "/1/2/3/", 2)] {
            sqlx::query("INSERT INTO organisations (id, province_id, parent_id, code, name, kind, path, depth, created_at, updated_at) VALUES ($1, 1, $2, $3, $4, 'province', $5, $6, $7, $7)")
                .bind(id).bind(parent).bind(format!("c{id}")).bind(format!("组织{id}")).bind(path).bind(depth).bind(at).execute(p).await.unwrap();
        }
        sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ('clue_result_months', '5', 3, $1), ('scheduler.lease', '000000000099:node', 1, $1)")
            .bind(at).execute(p).await.unwrap();
        sqlx::query("INSERT INTO holidays (day, kind, name) VALUES ($1, 'holiday', '春节')")
            .bind(time::macros::date!(2027 - 02 - 05)).execute(p).await.unwrap();
    });
    match &db.pool {
        xuncha_store::Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite")
            .run_to(15, p)
            .await
            .unwrap(),
        xuncha_store::Pool::Postgres(p) => sqlx::migrate!("migrations/postgres")
            .run_to(15, p)
            .await
            .unwrap(),
    }
    let settings_rows = || async {
        let rows: Vec<(i64, String, String, i64)> = on_db!(&db, p => sqlx::query_as("SELECT org_id, key, value, version FROM settings ORDER BY key")
            .fetch_all(p).await.unwrap());
        rows
    };
    assert_eq!(
        settings_rows().await,
        vec![
            (1, "clue_result_months".into(), "5".into(), 3),
            (0, "scheduler.lease".into(), "000000000099:node".into(), 1)
        ]
    );
    // Migration 0016 gives the lease a table of its own and drops the old row.
    db.migrate().await.unwrap();
    assert_eq!(
        settings_rows().await,
        vec![(1, "clue_result_months".into(), "5".into(), 3)]
    );
    let days: Vec<(i64, String)> = on_db!(&db, p => sqlx::query_as("SELECT org_id, name FROM holidays")
        .fetch_all(p).await.unwrap());
    assert_eq!(days, vec![(1, "春节".to_string())]);
    // The county (3) inherits the province's value and calendar; then overrides its own.
    use xuncha_store::settings;
    let g = settings::group(&db, OrgId::new(3), &[settings::CLUE_RESULT_MONTHS])
        .await
        .unwrap();
    assert_eq!(g.int(settings::CLUE_RESULT_MONTHS, 3), 5);
    assert_eq!(g.from, Some((OrgId::new(1), "组织1".to_string())));
    assert_eq!(g.version, 0);
    settings::set(
        &db,
        &actor(),
        OrgId::new(3),
        settings::CLUE_RESULT_MONTHS,
        "7",
    )
    .await
    .unwrap();
    assert_eq!(
        settings::get_int(&db, OrgId::new(3), settings::CLUE_RESULT_MONTHS, 3)
            .await
            .unwrap(),
        7
    );
    assert_eq!(
        settings::get_int(&db, OrgId::new(2), settings::CLUE_RESULT_MONTHS, 3)
            .await
            .unwrap(),
        5
    );
    assert_eq!(
        settings::get_int(&db, OrgId::new(1), settings::CLUE_RESULT_MONTHS, 3)
            .await
            .unwrap(),
        5
    );
    let many = settings::groups(
        &db,
        &[OrgId::new(1), OrgId::new(2), OrgId::new(3)],
        &[settings::CLUE_RESULT_MONTHS],
    )
    .await
    .unwrap();
    let v = |o: i64| many[&OrgId::from(o)].int(settings::CLUE_RESULT_MONTHS, 3);
    assert_eq!((v(1), v(2), v(3)), (5, 5, 7));
    let cal = xuncha_store::rectification::holidays(&db, OrgId::new(3), Some(2027))
        .await
        .unwrap();
    assert_eq!(cal.len(), 1);
    assert_eq!(cal[0].org_id, 1);
    // The lease works, apart from the settings.
    let until = db.now() + time::Duration::minutes(1);
    assert!(
        xuncha_store::scheduler::take_lease(&db, "scheduler", "node", until)
            .await
            .unwrap()
    );
}

#[tokio::test]
async fn office_settings_migration_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = xuncha_store::connect_sqlite_file(&dir.path().join("t.db"))
        .await
        .unwrap();
    office_settings_migration_keeps_the_data(db).await;
}

#[tokio::test]
async fn office_settings_migration_postgres() {
    let (db, _) = testing::postgres_empty()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    office_settings_migration_keeps_the_data(db).await;
}

/// The two migration trees must describe the same schema: same tables, same columns, same indexes.
#[tokio::test]
async fn migrations_are_in_parity() {
    let s = sqlite_db().await;
    let p = pg_db().await;
    let sqlite_cols: Vec<(String, String)> = on_db!(&s.db, pool => sqlx::query_as(
        "SELECT m.name, c.name FROM sqlite_master m, pragma_table_info(m.name) c \
         WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' ORDER BY 1, 2")
        .fetch_all(pool).await.unwrap());
    let pg_cols: Vec<(String, String)> = on_db!(&p.db, pool => sqlx::query_as(
        "SELECT table_name::text, column_name::text FROM information_schema.columns \
         WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' ORDER BY 1, 2")
        .fetch_all(pool).await.unwrap());
    assert!(!sqlite_cols.is_empty());
    assert_eq!(
        sqlite_cols, pg_cols,
        "tables and columns differ between migrations/sqlite and migrations/postgres"
    );
    let sqlite_idx: Vec<(String,)> = on_db!(&s.db, pool => sqlx::query_as(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY 1").fetch_all(pool).await.unwrap());
    let pg_idx: Vec<(String,)> = on_db!(&p.db, pool => sqlx::query_as(
        "SELECT indexname::text FROM pg_indexes WHERE schemaname = current_schema() AND indexname NOT LIKE '%_pkey' \
         AND tablename <> '_sqlx_migrations' ORDER BY 1").fetch_all(pool).await.unwrap());
    assert_eq!(
        sqlite_idx, pg_idx,
        "indexes differ between the two migration trees"
    );
    let names = |dir: &str| -> Vec<String> {
        let mut v: Vec<String> =
            std::fs::read_dir(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(dir))
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect();
        v.sort();
        v
    };
    assert_eq!(
        names("migrations/sqlite"),
        names("migrations/postgres"),
        "migration file names differ"
    );
}

/// An online SQLite backup is consistent and restores to an identical, verifiable database.
#[tokio::test]
async fn sqlite_backup_and_restore() {
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("live.db");
    let db = testing::sqlite_at(&live).await.unwrap();
    let p = mk(&db, None, "P", OrgKind::Province).await;
    mk(&db, Some(p.id), "C", OrgKind::City).await;
    let backup_file = dir.path().join("backup.db");
    xuncha_store::backup::backup(&db, None, &backup_file)
        .await
        .unwrap();
    assert!(
        xuncha_store::backup::backup(&db, None, &backup_file)
            .await
            .is_err(),
        "overwrote an existing backup"
    );
    // Changes after the backup are gone after the restore.
    mk(&db, Some(p.id), "AFTER", OrgKind::City).await;
    db.close().await;
    xuncha_store::backup::restore_sqlite(&backup_file, &live)
        .await
        .unwrap();
    let db = testing::sqlite_at(&live).await.unwrap();
    let all = Scope::unrestricted();
    assert!(orgs::get_by_code(&db, &all, "C").await.is_ok());
    assert!(matches!(
        orgs::get_by_code(&db, &all, "AFTER").await,
        Err(StoreError::NotFound)
    ));
    assert_eq!(audit::verify(&db).await.unwrap().problem, None);
    // A file that is not a Xuncha database is refused and the live one is untouched.
    let junk = dir.path().join("junk.db");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(
        xuncha_store::backup::restore_sqlite(&junk, &live)
            .await
            .is_err()
    );
    assert!(orgs::get_by_code(&db, &all, "C").await.is_ok());
}

/// A PostgreSQL backup produces a pg_dump archive. It runs against a database of its own: pg_dump
/// takes a lock per table, and the shared test database holds many test schemas at once.
#[tokio::test]
async fn postgres_backup_writes_archive() {
    let admin_url = testing::pg_url();
    let name = format!("xt_backup_{}", std::process::id());
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    let drop_db = format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)");
    sqlx::query(sqlx::AssertSqlSafe(drop_db.clone()))
        .execute(&admin)
        .await
        .unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
        .execute(&admin)
        .await
        .unwrap();
    let (base, _) = admin_url.rsplit_once('/').unwrap();
    let url = format!("{base}/{name}");
    let db = xuncha_store::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    mk(&db, None, "P", OrgKind::Province).await;
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("pg.dump");
    let result = xuncha_store::backup::backup(&db, Some(&url), &f).await;
    db.close().await;
    sqlx::query(sqlx::AssertSqlSafe(drop_db))
        .execute(&admin)
        .await
        .unwrap();
    result.unwrap();
    let bytes = std::fs::read(&f).unwrap();
    assert!(bytes.starts_with(b"PGDMP"), "not a pg_dump custom archive");
}

/// `Db::analyze` and the start of a node leave SQLite's statistics without value samples
/// (`sqlite_stat4`: with them every statement is prepared again on each new parameter value),
/// and keep the per-index averages; on PostgreSQL `analyze` simply runs.
async fn statistics_keep_no_value_samples(db: Db) {
    small_tree(&db).await;
    db.analyze().await.unwrap();
    if db.backend() != xuncha_store::Backend::Sqlite {
        return;
    }
    let counts = |db: Db| async move {
        on_db!(&db, p => {
            let stat1: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat1").fetch_one(p).await.unwrap();
            let stat4: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat4").fetch_one(p).await.unwrap();
            (stat1, stat4)
        })
    };
    let (stat1, stat4) = counts(db.clone()).await;
    assert!(stat1 > 0, "the averages stay");
    assert_eq!(stat4, 0, "no value samples after analyze");
    // A database analysed by hand (or by an earlier version) loses its samples at the next start.
    on_db!(&db, p => {
        sqlx::query("ANALYZE").execute(p).await.unwrap();
        let stat4: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_stat4").fetch_one(p).await.unwrap();
        assert!(stat4 > 0, "a plain ANALYZE collects samples");
    });
    db.migrate().await.unwrap();
    assert_eq!(
        counts(db.clone()).await.1,
        0,
        "no value samples after the start"
    );
}

/// A scope of one subtree (an office's OrgAndBelow).
fn subtree_scope(org: &orgs::Org) -> Scope {
    Scope {
        user_id: 1,
        all: false,
        ranges: vec![(org.path.clone(), xuncha_domain::org::subtree_end(&org.path))],
        orgs: Vec::new(),
        own: false,
        team_user: None,
    }
}

/// 上下联动: a task of the province reaches each county as its own row; a county reads and acts on
/// its row only, never issues to a sibling or upwards; the transitions and versions hold.
async fn linkage_rows_stay_with_their_office(db: Db) {
    use xuncha_domain::linkage::{NewTask, RecipientAction, RecipientState};
    use xuncha_store::linkage::{self as lk, ActionInput, InboxFilter};
    let t = small_tree(&db).await;
    let (p, k11, k12) = (&t["P"], &t["K11"], &t["K12"]);
    let (ps, ks) = (subtree_scope(p), subtree_scope(k11));
    let today = db.today();
    let task = |orgs: Vec<OrgId>| NewTask {
        title: "同步开展内部巡察".into(),
        content: "按期反馈".into(),
        focus: None,
        term_id: None,
        deadline: today + time::Duration::days(5),
        org_ids: orgs,
    };
    let id = lk::create_task(&db, &actor(), &ps, p.id, &task(vec![k11.id, k12.id]))
        .await
        .unwrap();
    // Upwards, sideways: not found; the issuer itself: a field error.
    for to in [p.id, k12.id, t["C1"].id] {
        assert!(matches!(
            lk::create_task(&db, &actor(), &ks, k11.id, &task(vec![to])).await,
            Err(StoreError::NotFound)
        ));
    }
    assert!(matches!(
        lk::create_task(&db, &actor(), &ps, p.id, &task(vec![p.id])).await,
        Err(StoreError::Domain(DomainError::Invalid(_)))
    ));
    let page = PageReq::new(None, None);
    let issued = lk::list_tasks(&db, &ps, today, page).await.unwrap();
    assert_eq!((issued.total, issued.items[0].recipients), (1, 2));
    assert_eq!(
        lk::list_tasks(&db, &ks, today, page).await.unwrap().total,
        0
    );
    assert!(matches!(
        lk::get_task(&db, &ks, id, today).await,
        Err(StoreError::NotFound)
    ));
    let f = InboxFilter::default();
    let mine = lk::inbox(&db, &ks, k11.id, &f, page).await.unwrap();
    assert_eq!(mine.total, 1);
    assert_eq!(mine.items[0].org_id, k11.id);
    // Naming the sibling's office does not reach its row from this scope.
    assert_eq!(
        lk::inbox(&db, &ks, k12.id, &f, page).await.unwrap().total,
        0
    );
    let rows = lk::task_recipients(&db, id).await.unwrap();
    let other = rows.iter().find(|r| r.org_id == k12.id).unwrap();
    assert!(matches!(
        lk::inbox_row(&db, &ks, k11.id, other.id).await,
        Err(StoreError::NotFound)
    ));
    // Transitions: report before accept is refused; a stale version is refused.
    let row = &mine.items[0];
    let v = |version| ActionInput {
        version,
        report: Some("已完成".into()),
        ..ActionInput::default()
    };
    assert!(matches!(
        lk::act(
            &db,
            &actor(),
            &ks,
            row,
            RecipientAction::Report,
            &v(row.version)
        )
        .await,
        Err(StoreError::Domain(DomainError::Rule(_)))
    ));
    assert!(matches!(
        lk::act(
            &db,
            &actor(),
            &ks,
            row,
            RecipientAction::Accept,
            &v(row.version + 1)
        )
        .await,
        Err(StoreError::StaleVersion)
    ));
    lk::act(
        &db,
        &actor(),
        &ks,
        row,
        RecipientAction::Accept,
        &v(row.version),
    )
    .await
    .unwrap();
    let row = lk::inbox_row(&db, &ks, k11.id, row.id).await.unwrap();
    assert_eq!(row.state().unwrap(), RecipientState::Accepted);
    let todo = InboxFilter {
        todo: true,
        state: None,
    };
    assert_eq!(
        lk::inbox(&db, &ks, k11.id, &todo, page)
            .await
            .unwrap()
            .total,
        1
    );
    lk::act(
        &db,
        &actor(),
        &ks,
        &row,
        RecipientAction::Report,
        &v(row.version),
    )
    .await
    .unwrap();
    assert_eq!(
        lk::inbox(&db, &ks, k11.id, &todo, page)
            .await
            .unwrap()
            .total,
        0
    );
    // The issuing side reaches the row; the county does not.
    assert!(matches!(
        lk::recipient_as_issuer(&db, &ks, row.id).await,
        Err(StoreError::NotFound)
    ));
    let r = lk::recipient_as_issuer(&db, &ps, row.id).await.unwrap();
    assert_eq!(r.state().unwrap(), RecipientState::Reported);
    assert_eq!(r.report.as_deref(), Some("已完成"));
}

/// Every committed change of an indexed record leaves an outbox row in the same transaction (a
/// refused write leaves none); the documents read back follow the record; pruning keeps what a
/// live node has not applied.
async fn search_outbox_follows_committed_writes(db: Db) {
    use xuncha_store::search;
    let head = search::outbox_head(&db).await.unwrap();
    let t = small_tree(&db).await;
    let rows = search::outbox_after(&db, head, 1000).await.unwrap();
    // Creating an organisation inserts it, then sets its path: rows name each of them.
    let named: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.record_id).collect();
    let created: std::collections::BTreeSet<i64> = t.values().map(|o| o.id.get()).collect();
    assert_eq!(named, created);
    assert!(rows.iter().all(|r| r.kind == search::KIND_ORG));
    assert!(rows.windows(2).all(|w| w[0].id < w[1].id));
    let k11 = &t["K11"];
    assert!(rows.iter().any(|r| r.record_id == k11.id.get()));

    // A rename is one more row; a refused write (duplicate code) none.
    let mark = search::outbox_head(&db).await.unwrap();
    let mut d = draft("K11", "K11新名", OrgKind::County);
    d.code = k11.code.clone();
    let renamed = orgs::update(
        &db,
        &actor(),
        &Scope::unrestricted(),
        k11.id,
        &d,
        k11.version,
    )
    .await
    .unwrap();
    let mut clash = draft("K12", "重复", OrgKind::County);
    clash.code = t["K12"].code.clone();
    assert!(
        orgs::update(
            &db,
            &actor(),
            &Scope::unrestricted(),
            k11.id,
            &clash,
            renamed.version
        )
        .await
        .is_err()
    );
    let rows = search::outbox_after(&db, mark, 1000).await.unwrap();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0].record_id, k11.id.get());

    // The document is the record as it is now, visible from each ancestor's subtree.
    let docs = search::docs(&db, search::KIND_ORG, &[k11.id.get(), -5])
        .await
        .unwrap();
    assert_eq!(docs.len(), 1);
    assert_eq!(docs[0].title, "K11新名");
    for anc in [&t["P"], &t["C1"], k11] {
        assert!(
            docs[0]
                .acl
                .contains(&search::acl::subtree(search::acl::ORG, &anc.path))
        );
    }
    assert!(
        !docs[0]
            .acl
            .contains(&search::acl::subtree(search::acl::ORG, &t["C2"].path))
    );

    // Moving a subtree changes the paths of all its organisations: one row each.
    let mark = search::outbox_head(&db).await.unwrap();
    orgs::move_to(
        &db,
        &actor(),
        &Scope::unrestricted(),
        k11.id,
        t["C2"].id,
        renamed.version,
    )
    .await
    .unwrap();
    let moved: Vec<i64> = search::outbox_after(&db, mark, 1000)
        .await
        .unwrap()
        .iter()
        .map(|r| r.record_id)
        .collect();
    assert!(
        moved.contains(&k11.id.get()) && moved.contains(&t["K11T"].id.get()),
        "{moved:?}"
    );

    // Pruning keeps the rows after the lowest live cursor; a node below the pruned id knows it.
    let last = search::outbox_head(&db).await.unwrap();
    search::report_node(&db, "a", last).await.unwrap();
    search::report_node(&db, "b", mark).await.unwrap();
    let n = search::prune(&db, db.now() - time::Duration::days(1))
        .await
        .unwrap();
    assert!(n > 0);
    assert_eq!(search::pruned_through(&db).await.unwrap(), mark);
    assert_eq!(
        search::outbox_after(&db, 0, 1000).await.unwrap().len() as i64,
        last - mark
    );
    assert_eq!(search::outbox_head(&db).await.unwrap(), last);
    // After pruning everything, ids still grow (never reused).
    search::report_node(&db, "b", last).await.unwrap();
    search::prune(&db, db.now() - time::Duration::days(1))
        .await
        .unwrap();
    assert_eq!(search::outbox_head(&db).await.unwrap(), last);
    let c9 = mk(&db, Some(t["P"].id), "C9", OrgKind::City).await;
    let rows = search::outbox_after(&db, last, 1000).await.unwrap();
    assert!(!rows.is_empty() && rows.iter().all(|r| r.record_id == c9.id.get()));
    assert!(rows[0].id > last);
}

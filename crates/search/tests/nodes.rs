//! Two nodes' indexes over one database stay in step through the shared outbox: neither consumes
//! the other's rows, each applies every change after its own cursor; a node behind the pruned id
//! rebuilds. On SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use xuncha_domain::org::{OrgDraft, OrgKind, PartyOrgKind};
use xuncha_search::{Kind, Search, SearchReq, Viewer};
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;
use xuncha_store::{Db, orgs, search as outbox, testing};

fn viewer() -> Viewer {
    Viewer {
        scope: Scope::unrestricted(),
        orgs: true,
        rounds: true,
        ledger: true,
        teams: Vec::new(),
    }
}

async fn org_hits(s: &Search, q: &str) -> u64 {
    let req = SearchReq {
        q: q.into(),
        kind: Some(Kind::Org),
        round_id: None,
        unit_id: None,
        offset: 0,
        limit: 10,
    };
    s.search(&viewer(), &req).await.unwrap().total
}

async fn create(db: &Db, code: &str, name: &str) {
    let draft = OrgDraft {
        code: code.into(),
        name: name.into(),
        kind: OrgKind::Province,
        party_org_kind: Some(PartyOrgKind::Committee),
    };
    orgs::create(
        db,
        &Actor::system("test"),
        &Scope::unrestricted(),
        None,
        &draft,
    )
    .await
    .unwrap();
}

async fn two_nodes(db: Db) {
    let a = Search::in_memory().unwrap();
    let b = Search::in_memory().unwrap();
    create(&db, "X1", "江岭省財政廳").await;
    // A new index builds itself on its first catch-up.
    a.catch_up(&db).await.unwrap();
    b.catch_up(&db).await.unwrap();
    assert_eq!(org_hits(&a, "财政厅").await, 1);
    assert_eq!(org_hits(&b, "财政厅").await, 1);

    // A change reaches both, whichever applies first.
    create(&db, "X2", "江岭省审计厅").await;
    assert!(a.catch_up(&db).await.unwrap() > 0);
    assert!(b.catch_up(&db).await.unwrap() > 0);
    assert_eq!(org_hits(&b, "审计厅").await, 1);
    assert_eq!(a.cursor(), b.cursor());

    // b falls behind; a prunes what it alone has applied (b is not a live node): b rebuilds.
    create(&db, "X3", "江岭省教育厅").await;
    a.catch_up(&db).await.unwrap();
    outbox::report_node(&db, "a", a.cursor().unwrap())
        .await
        .unwrap();
    outbox::prune(&db, db.now() - time::Duration::days(1))
        .await
        .unwrap();
    assert!(b.cursor().unwrap() < outbox::pruned_through(&db).await.unwrap());
    b.catch_up(&db).await.unwrap();
    assert_eq!(org_hits(&b, "教育厅").await, 1);
    assert_eq!(b.cursor(), a.cursor());
}

#[tokio::test]
async fn two_nodes_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = testing::sqlite_at(&dir.path().join("t.db")).await.unwrap();
    two_nodes(db).await;
}

#[tokio::test]
async fn two_nodes_postgres() {
    let (db, _) = testing::postgres_fresh()
        .await
        .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
    two_nodes(db).await;
}

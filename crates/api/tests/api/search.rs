//! Search (issue 13): traditional script with scraped pinyin finds simplified text; a write is
//! searchable on the next request (outbox); a county never gets, nor counts, another county's
//! hits; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::Value;

use super::assessment::fed_back_unit;
use super::{App, Session, login, pg_app, sqlite_app};

crate::dual!(
    search_folds_scripts_and_keeps_to_the_scope,
    search_refuses_bad_parameters
);

fn hits(v: &Value) -> Vec<(String, i64)> {
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["kind"].as_str().unwrap().to_string(),
                h["id"].as_i64().unwrap(),
            )
        })
        .collect()
}

fn count(v: &Value, kind: &str) -> u64 {
    v["counts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["kind"] == kind)
        .and_then(|c| c["count"].as_u64())
        .unwrap()
}

async fn search(s: &Session, query: &str) -> Value {
    let (st, v) = s
        .get(&format!(
            "/api/v1/search?q={}&page_size=200",
            urlencode(query)
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{query}: {v}");
    v
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.' {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn search_folds_scripts_and_keeps_to_the_scope(app: App) {
    // The index is built first: what follows reaches it through the outbox alone.
    app.search.rebuild(&app.db).await.unwrap();
    let (_, own) = fed_back_unit(&app, "990101", "990101-D01", &["推进全面从严治党不力"]).await;
    let (_, other) = fed_back_unit(&app, "990102", "990102-D01", &["推进全面从严治党不到位"]).await;
    let me = login(&app, "county0101.director").await;
    let province = login(&app, "prov.director").await;

    // Traditional characters with scraped pinyin find the simplified text, highlighted.
    let v = search(&me, "推進(jìn) 從嚴").await;
    assert_eq!(hits(&v), vec![("finding".to_string(), own[0])], "{v}");
    assert_eq!(v["total"], 1);
    assert_eq!(
        count(&v, "finding"),
        1,
        "the other county's hit is not counted: {v}"
    );
    let hit = &v["items"][0];
    assert!(
        hit["snippet"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["hit"] == true && s["text"].as_str().unwrap().contains("推进")),
        "{hit}"
    );
    assert_eq!(hit["title"], "推进全面从严治党不力");
    assert!(
        hit["link"].as_str().unwrap().ends_with(&own[0].to_string()),
        "{hit}"
    );

    // The province sees both; an exact phrase tells them apart.
    let v = search(&province, "推进 从严").await;
    let mut ids: Vec<i64> = hits(&v).into_iter().map(|(_, id)| id).collect();
    ids.sort_unstable();
    let mut both = vec![own[0], other[0]];
    both.sort_unstable();
    assert_eq!(ids, both, "{v}");
    let v = search(&province, "“治党不到位”").await;
    assert_eq!(hits(&v), vec![("finding".to_string(), other[0])], "{v}");
    // A prefix.
    let v = search(&province, "从严治*").await;
    assert_eq!(v["total"], 2, "{v}");

    // Organisations: the county's own by code, never the neighbour's.
    let v = search(&me, "990102").await;
    assert_eq!(v["total"], 0, "{v}");
    let v = search(&province, "990102").await;
    assert!(count(&v, "org") >= 1, "{v}");
    let v = search(&me, "990101").await;
    assert!(count(&v, "org") >= 1, "{v}");

    // A rebuild from the database gives the same answers (xuncha search reindex).
    app.search.rebuild(&app.db).await.unwrap();
    let v = search(&me, "推進(jìn)").await;
    assert_eq!(hits(&v), vec![("finding".to_string(), own[0])], "{v}");
    let (st, v) = me.get("/api/v1/search?q=%E6%8E%A8%E8%BF%9B&kind=org").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(v["total"], 0, "kind filters the page and the total: {v}");
    assert_eq!(count(&v, "finding"), 1, "counts stay per kind: {v}");
}

async fn search_refuses_bad_parameters(app: App) {
    let me = login(&app, "county0101.director").await;
    let (st, v) = me.get("/api/v1/search?q=x&kind=letter").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    let long = "很".repeat(201);
    let (st, v) = me
        .get(&format!("/api/v1/search?q={}", urlencode(&long)))
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{v}");
    // An empty query is an empty page, not an error.
    let (st, v) = me.get("/api/v1/search?q=").await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["total"], 0);
}

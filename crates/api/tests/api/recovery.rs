//! Recovery and resources: undecryptable rows, `/metrics`, signed audit checkpoints; on SQLite
//! and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, login, pg_app, sqlite_app, unit_id};
use xuncha_api::ApiConfig;

crate::dual!(
    one_undecryptable_row_never_fails_a_list,
    metrics_are_off_and_checkpoints_need_a_key_by_default,
);

const MARKER: &str = "【无法解密】";

async fn new_clue(s: &Session, unit: i64, summary: &str, name: &str) -> i64 {
    let (st, c) = s
        .post(
            &format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": summary, "subject_name": name, "subject_post": "处长", "informant": "李举报", "facts": "收受红包" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["id"].as_i64().unwrap()
}

async fn one_undecryptable_row_never_fails_a_list(app: App) {
    let inspector = login(&app, "prov.inspector").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let bad = new_clue(&inspector, unit, "线索坏", "王某某").await;
    let good = new_clue(&inspector, unit, "线索好", "赵某某").await;
    // Garbage where the ciphertext was (a lost or wrong key looks the same).
    let garbage: Vec<u8> = b"\x01not a ciphertext at all".to_vec();
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE clues SET subject_name_enc = $1, facts_enc = $1 WHERE id = $2")
            .bind(&garbage)
            .bind(bad)
            .execute(p)
            .await
            .unwrap();
    });
    let director = login(&app, "prov.director").await;
    let (st, list) = director.get("/api/v1/clues?page_size=200").await;
    let list = list["items"].clone();
    assert_eq!(st, StatusCode::OK, "{list}");
    let find = |id: i64| -> Value {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("clue {id} missing: {list}"))
    };
    assert_eq!(find(bad)["subject_name"], MARKER);
    assert_eq!(find(bad)["summary"], "线索坏");
    assert_eq!(find(good)["subject_name"], "赵某某");
    // The detail shows the row with the marker too.
    let (st, detail) = director.get(&format!("/api/v1/clues/{bad}")).await;
    assert_eq!(st, StatusCode::OK, "{detail}");
    assert_eq!(detail["subject_name"], MARKER);
    assert_eq!(detail["facts"], MARKER);
    assert_eq!(detail["subject_post"], "处长");

    // A talk record whose encrypted summary is unreadable: the activity list still answers.
    let (st, a) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "talk", "date": crate::shift("2026-10-20"), "persons": 1, "count": 1, "summary": "个别谈话记录" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let activity = a["id"].as_i64().unwrap();
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE activities SET summary_enc = $1 WHERE id = $2")
            .bind(&garbage)
            .bind(activity)
            .execute(p)
            .await
            .unwrap();
    });
    let (st, acts) = director
        .get(&format!("/api/v1/round-units/{unit}/activities"))
        .await;
    assert_eq!(st, StatusCode::OK, "{acts}");
    let row = acts
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == activity)
        .cloned()
        .unwrap();
    assert!(
        row["summary"].is_null() || row["summary"] == MARKER,
        "{row}"
    );
}

async fn metrics_are_off_and_checkpoints_need_a_key_by_default(app: App) {
    let res = reqwest::get(format!("{}/metrics", app.base)).await.unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: Value = res.json().await.unwrap();
    assert!(body["detail"].as_str().is_some(), "{body}");
    let auditor = login(&app, "auditor").await;
    let (st, p) = auditor.get("/api/v1/audit/checkpoint").await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    assert_eq!(p["code"], "audit.no_key");
}

const TOKEN: &str = "metrics-secret-0123456789";
const AUDIT_KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fn configured() -> ApiConfig {
    ApiConfig {
        metrics_token: Some(TOKEN.into()),
        audit_key: Some(AUDIT_KEY.to_vec()),
        ..ApiConfig::default()
    }
}

async fn metrics_need_the_token_and_checkpoints_are_signed(app: App) {
    let http = reqwest::Client::new();
    let url = format!("{}/metrics", app.base);
    let res = http.get(&url).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http.get(&url).bearer_auth("wrong").send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
    let res = http.get(&url).bearer_auth(TOKEN).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.unwrap();
    assert!(body.contains("http_requests_total"), "{body}");

    // Only the audit administrator signs checkpoints.
    let director = login(&app, "prov.director").await;
    assert_eq!(
        director.get("/api/v1/audit/checkpoint").await.0,
        StatusCode::FORBIDDEN
    );
    let auditor = login(&app, "auditor").await;
    let (st, cp) = auditor.get("/api/v1/audit/checkpoint").await;
    assert_eq!(st, StatusCode::OK, "{cp}");
    let checkpoint = xuncha_domain::audit::Checkpoint {
        seq: cp["seq"].as_i64().unwrap(),
        hash: cp["hash"].as_str().unwrap().into(),
        at: cp["at"].as_str().unwrap().into(),
        mac: cp["mac"].as_str().unwrap().into(),
    };
    assert!(checkpoint.mac_ok(AUDIT_KEY));
    assert!(!checkpoint.mac_ok(b"another key, another installation"));
    let (head, _) = xuncha_store::audit::head(&app.db).await.unwrap();
    let hash_now = xuncha_store::audit::hash_at(&app.db, checkpoint.seq)
        .await
        .unwrap();
    assert!(
        head > checkpoint.seq,
        "signing is audited after the checkpoint"
    );
    assert_eq!(checkpoint.check(AUDIT_KEY, head, hash_now.as_deref()), None);
}

mod configured {
    use super::super::{pg_app_with, sqlite_app_with};

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::metrics_need_the_token_and_checkpoints_are_signed(
            sqlite_app_with(super::configured()).await,
        )
        .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::metrics_need_the_token_and_checkpoints_are_signed(
            pg_app_with(super::configured()).await,
        )
        .await;
    }
}

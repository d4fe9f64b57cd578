//! Rules at every door (issue 8): compartments, team boundaries and dates, on SQLite and
//! PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, client, login, pg_app, sqlite_app};

crate::dual!(
    informant_talks_and_clue_counts_stay_in_their_compartments,
    tokens_hold_only_the_compartments_they_name,
    team_bound_inspectors_work_only_on_their_teams_units,
    dates_are_checked_against_today_the_round_and_the_term,
);

const INFORMANT: &str = "举报人王某某XJ7Q";
const TALK: &str = "谈话内容标记ZK3P";

async fn audit_rows(app: &App) -> i64 {
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM audit_log").fetch_one(p).await.unwrap()
    })
}

/// The demo's unit on site (江岭省财政厅, 第一巡察组).
async fn finance_unit(s: &Session) -> i64 {
    let (_, units) = s
        .get("/api/v1/round-units?state=STATIONED&page_size=200")
        .await;
    let units = units["items"].clone();
    units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == "江岭省财政厅")
        .unwrap_or_else(|| panic!("no unit on site: {units}"))["id"]
        .as_i64()
        .unwrap()
}

/// Any category of the default frame (a finding needs one).
async fn any_category(s: &Session) -> i64 {
    let (_, frames) = s.get("/api/v1/frames").await;
    frames[0]["categories"][0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("{frames}"))
}

async fn new_clue(s: &Session, unit: i64) -> i64 {
    let (st, c) = s
        .post(
            &format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": "反映违规发放津贴", "subject_name": "李某",
                    "subject_post": "处长", "informant": INFORMANT, "facts": "2025年违规发放津贴" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c["id"].as_i64().unwrap()
}

async fn informant_talks_and_clue_counts_stay_in_their_compartments(app: App) {
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&director).await;
    let clue = new_clue(&director, unit).await;
    // The director holds the reporter compartment.
    let (_, c) = director.get(&format!("/api/v1/clues/{clue}")).await;
    assert_eq!(c["informant"], INFORMANT, "{c}");
    assert_eq!(c["informant_visible"], true);
    // The team's inspector reads the clue, but never the informant.
    let inspector = login(&app, "prov.inspector").await;
    let (st, c) = inspector.get(&format!("/api/v1/clues/{clue}")).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert!(c["informant"].is_null(), "{c}");
    assert_eq!(c["informant_visible"], false);
    assert!(!c.to_string().contains(INFORMANT));
    let (_, list) = inspector.get("/api/v1/clues?page_size=200").await;
    let list = list["items"].clone();
    assert!(!list.to_string().contains(INFORMANT));

    // Talk records: only holders of the talk compartment record them; stored encrypted.
    let staff = login(&app, "prov.staff").await;
    let before = audit_rows(&app).await;
    let (st, e) = staff
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "talk", "date": crate::shift("2026-10-20"), "persons": 1, "count": 1, "summary": TALK }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert_eq!(
        audit_rows(&app).await,
        before,
        "nothing stored behind an error"
    );
    let (st, a) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "talk", "date": crate::shift("2026-10-20"), "persons": 1, "count": 1, "summary": TALK }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["summary"], TALK);
    let stored: Vec<(String, Option<Vec<u8>>)> = xuncha_store::on_db!(&app.db, p => {
        sqlx::query_as("SELECT summary, summary_enc FROM activities WHERE method = 'talk'").fetch_all(p).await.unwrap()
    });
    assert!(!stored.is_empty());
    for (plain, enc) in &stored {
        assert!(!plain.contains(TALK), "talk summary stored in clear");
        let enc = enc.as_ref().expect("encrypted summary");
        assert!(!String::from_utf8_lossy(enc).contains(TALK));
    }
    let (_, log) = staff
        .get(&format!("/api/v1/round-units/{unit}/activities"))
        .await;
    assert!(!log.to_string().contains(TALK), "{log}");
    let (_, log) = inspector
        .get(&format!("/api/v1/round-units/{unit}/activities"))
        .await;
    assert!(log.to_string().contains(TALK), "{log}");

    // The number of clues is compartmented too.
    let (_, units) = staff.get("/api/v1/round-units?page_size=200").await;
    let units = units["items"].clone();
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["clue_count"].is_null()),
        "{units}"
    );
    let (_, units) = director.get("/api/v1/round-units?page_size=200").await;
    let units = units["items"].clone();
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["clue_count"].as_i64().unwrap_or(0) > 0),
        "{units}"
    );
}

async fn tokens_hold_only_the_compartments_they_name(app: App) {
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&director).await;
    let clue = new_clue(&director, unit).await;
    let http = client();
    let get = |token: String, path: String| {
        let http = http.clone();
        let base = app.base.clone();
        async move {
            let res = http
                .get(format!("{base}{path}"))
                .bearer_auth(token)
                .send()
                .await
                .unwrap();
            let st = res.status();
            (st, res.json::<Value>().await.unwrap_or(Value::Null))
        }
    };
    // A token naming only org:read reads no clue.
    let (st, t) = director
        .post(
            "/api/v1/tokens",
            json!({ "name": "组织同步", "permissions": ["org:read", "inspection:read"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    assert_eq!(t["compartments"], json!([]));
    let plain = t["token"].as_str().unwrap().to_string();
    let (st, body) = get(plain.clone(), format!("/api/v1/clues/{clue}")).await;
    assert!(
        st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
        "{st} {body}"
    );
    assert!(!body.to_string().contains(INFORMANT));
    // One naming the clue compartment reads the clue, still without the informant.
    let (st, t) = director
        .post(
            "/api/v1/tokens",
            json!({ "name": "线索", "permissions": ["inspection:read", "clue:lead"], "compartments": ["clue"], "expires_in_days": 30 }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    assert_eq!(t["compartments"], json!(["clue"]));
    let clue_token = t["token"].as_str().unwrap().to_string();
    let (st, body) = get(clue_token.clone(), format!("/api/v1/clues/{clue}")).await;
    assert_eq!(st, StatusCode::OK, "{body}");
    assert!(body["informant"].is_null());
    let (_, tokens) = director.get("/api/v1/tokens").await;
    assert!(
        tokens
            .as_array()
            .unwrap()
            .iter()
            .any(|t| t["compartments"] == json!(["clue"])),
        "{tokens}"
    );
    // A compartment the creator does not hold is refused, naming the field.
    let staff = login(&app, "prov.staff").await;
    let (st, e) = staff
        .post(
            "/api/v1/tokens",
            json!({ "name": "x", "permissions": ["org:read"], "compartments": ["reporter"], "expires_in_days": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "compartments");
    // A password change revokes the tokens.
    let (st, e) = director
        .post(
            "/api/v1/auth/password",
            json!({ "old_password": xuncha_domain::demo::DEMO_PASSWORD, "new_password": "Xuncha@2027!ok" }),
        )
        .await;
    assert!(st.is_success(), "{st} {e}");
    let (st, _) = get(clue_token, "/api/v1/orgs/roots".to_string()).await;
    assert_eq!(st, StatusCode::UNAUTHORIZED);
}

async fn team_bound_inspectors_work_only_on_their_teams_units(app: App) {
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&director).await;
    // prov.inspector2 is an inspector, but not on 第一巡察组.
    let other = login(&app, "prov.inspector2").await;
    let (st, _) = other.get(&format!("/api/v1/round-units/{unit}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, units) = other.get("/api/v1/round-units?page_size=200").await;
    let units = units["items"].clone();
    assert!(
        !units.as_array().unwrap().iter().any(|u| u["id"] == unit),
        "{units}"
    );
    let (st, _) = other
        .get(&format!("/api/v1/round-units/{unit}/activities"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let before = audit_rows(&app).await;
    let clues_before: i64 = xuncha_store::on_db!(&app.db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM clues").fetch_one(p).await.unwrap()
    });
    for (path, body) in [
        (
            format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": "x", "subject_name": "x", "facts": "x" }),
        ),
        (
            format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "petition", "date": crate::shift("2026-10-20"), "persons": 1, "count": 1, "summary": "x" }),
        ),
        (
            format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "x", "facts": "x", "category_id": any_category(&director).await }),
        ),
    ] {
        let (st, e) = other.post(&path, body).await;
        assert!(
            st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
            "{path}: {st} {e}"
        );
    }
    let (_, u) = director.get(&format!("/api/v1/round-units/{unit}")).await;
    let (st, _) = other
        .post(
            &format!("/api/v1/round-units/{unit}/transition"),
            json!({ "to": "FIELDWORK_DONE", "comment": "", "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(
        audit_rows(&app).await,
        before,
        "nothing stored behind an error"
    );
    let clues_after: i64 = xuncha_store::on_db!(&app.db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM clues").fetch_one(p).await.unwrap()
    });
    assert_eq!(clues_after, clues_before);
    // The team's own inspector works there.
    let inspector = login(&app, "prov.inspector").await;
    let (st, e) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "petition", "date": crate::shift("2026-10-20"), "persons": 1, "count": 1, "summary": "受理来信" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{e}");
}

async fn dates_are_checked_against_today_the_round_and_the_term(app: App) {
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&director).await;
    let activity = |date: String| json!({ "method": "petition", "date": date, "persons": 1, "count": 1, "summary": "x" });
    // Fieldwork: not in the future, not before the round.
    for date in [crate::shift("2026-11-24"), crate::shift("2026-10-11")] {
        let (st, e) = director
            .post(
                &format!("/api/v1/round-units/{unit}/activities"),
                activity(date.clone()),
            )
            .await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{date}: {e}");
        assert_eq!(e["fields"][0]["field"], "date");
    }
    let (st, e) = director
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            activity(crate::shift("2026-11-23")),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "today is allowed: {e}");

    // 立行立改: no deadline in the past; "done" only after the unit signed for it.
    let (st, f) = director
        .post(
            &format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "会议费超标准", "facts": "2025年会议费超标准", "category_id": any_category(&director).await }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let fid = f["id"].as_i64().unwrap();
    let (st, e) = director
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix"),
            json!({ "requirement": "立即整改", "deadline": crate::shift("2026-11-20") }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "deadline");
    let (st, e) = director
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix"),
            json!({ "requirement": "立即整改", "deadline": crate::shift("2026-12-20") }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");
    let (st, e) = director
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix/done"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    let (st, _) = director
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix/receipt"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = director
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix/done"),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{e}");

    // Rounds lie inside their term; a unit is not inspected twice at the same time.
    let (_, terms) = director.get("/api/v1/terms").await;
    let term = &terms.as_array().unwrap()[0];
    let (st, e) = director
        .post(
            "/api/v1/rounds",
            json!({ "term_id": term["id"], "name": "越界轮次", "kinds": ["regular"],
                    "start_date": term["start_date"], "end_date": "2099-01-01" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "end_date");
    let (st, r) = director
        .post(
            "/api/v1/rounds",
            json!({ "term_id": term["id"], "name": "同期专项巡察", "kinds": ["regular"],
                    "start_date": crate::shift("2026-11-01"), "end_date": crate::shift("2026-12-15") }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let (_, u) = director.get(&format!("/api/v1/round-units/{unit}")).await;
    let (st, e) = director
        .post(
            &format!("/api/v1/rounds/{}/units", r["id"]),
            json!({ "org_id": u["org_id"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "org_id");
}

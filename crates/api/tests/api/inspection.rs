//! Inspection work through the API, on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, chinese, current_round, login, org_id, pg_app, sqlite_app, unit_id};

crate::dual!(
    chain_from_fieldwork_to_feedback_and_what_the_unit_sees,
    clues_are_compartmented_encrypted_audited_and_transferred,
    lower_offices_do_not_see_higher_rounds_about_them,
    recusal_refuses_and_overrides_are_audited,
    coverage_and_suggestions,
    frames_import_reports_bad_rows,
    every_document_reopens_with_an_independent_reader,
);

async fn category(s: &Session, frame: &str, code: &str) -> i64 {
    let (_, frames) = s.get("/api/v1/frames").await;
    let f = frames
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == frame)
        .unwrap();
    f["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == code)
        .unwrap()["id"]
        .as_i64()
        .unwrap()
}

async fn advance(s: &Session, unit: i64, to: &str) -> Value {
    let (_, u) = s.get(&format!("/api/v1/round-units/{unit}")).await;
    let (st, u) = s
        .post(
            &format!("/api/v1/round-units/{unit}/transition"),
            json!({ "to": to, "comment": "", "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{to}: {u}");
    u
}

async fn new_clue(s: &Session, unit: i64, summary: &str) -> Value {
    let (st, c) = s
        .post(
            &format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": summary, "subject_name": "张某某", "subject_post": "预算处处长", "informant": "李举报", "facts": "春节期间收受红包两万元" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    c
}

async fn chain_from_fieldwork_to_feedback_and_what_the_unit_sees(app: App) {
    let inspector = login(&app, "prov.inspector").await;
    let director = login(&app, "prov.director").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let (st, a) = inspector.post(&format!("/api/v1/round-units/{unit}/activities"), json!({ "method": "talk", "date": crate::shift("2026-10-15"), "persons": 1, "count": 1, "summary": "与预算处处长个别谈话" })).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    // The log names the inspector as people know them, not by the login name.
    let (_, me) = inspector.get("/api/v1/auth/me").await;
    assert_eq!(a["created_by_name"], me["display_name"], "{a}");
    let (st, bad) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "telepathy", "date": "2026-13-01" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&bad).contains("日期"), "{bad}");
    let cat = category(&inspector, "四个落实", "FI-2").await;
    let (st, f) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "专项资金拨付不及时", "category_id": cat, "facts": "2025年省级专项资金滞留3个月", "activity_ids": [a["id"]] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    assert_eq!(f["state"], "DRAFT");
    assert_eq!(f["activity_ids"], json!([a["id"]]));
    let (_, draft_only) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "尚未确认的问题", "category_id": cat, "facts": "x" }),
        )
        .await;
    let fid = f["id"].as_i64().unwrap();
    // FED_BACK cannot be chosen by hand.
    let (st, b) = inspector
        .post(
            &format!("/api/v1/findings/{fid}/transition"),
            json!({ "to": "FED_BACK", "version": f["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert!(chinese(&b).contains("不能从“底稿”直接变为“已反馈”"));
    let (_, f) = inspector
        .post(
            &format!("/api/v1/findings/{fid}/transition"),
            json!({ "to": "CONFIRMED", "comment": "组务会确认", "version": f["version"] }),
        )
        .await;
    let (st, f) = director
        .post(
            &format!("/api/v1/findings/{fid}/transition"),
            json!({ "to": "IN_REPORT", "version": f["version"] }),
        )
        .await;
    assert_eq!(
        (st, f["state"].as_str()),
        (StatusCode::OK, Some("IN_REPORT")),
        "{f}"
    );
    assert_eq!(f["events"].as_array().unwrap().len(), 3);
    // 立行立改 notice, receipt and completion.
    let (st, late) = inspector
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix"),
            json!({ "requirement": "立即拨付滞留资金", "deadline": crate::shift("2027-02-01") }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&late).contains("巡察期间"), "{late}");
    let (st, f) = inspector
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix"),
            json!({ "requirement": "立即拨付滞留资金", "deadline": crate::shift("2026-12-10") }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{f}");
    inspector
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix/receipt"),
            json!({}),
        )
        .await;
    let (_, f) = inspector
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix/done"),
            json!({}),
        )
        .await;
    assert!(f["immediate"]["done_at"].is_string(), "{f}");
    let clue = new_clue(&inspector, unit, "反映预算处处长收受红包").await;

    // The inspector may end fieldwork but not approve the report; skipping states is refused.
    let (_, u) = inspector.get(&format!("/api/v1/round-units/{unit}")).await;
    let (st, b) = director
        .post(
            &format!("/api/v1/round-units/{unit}/transition"),
            json!({ "to": "FEEDBACK_DONE", "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(b["code"], "inspection.illegal_transition");
    advance(&inspector, unit, "FIELDWORK_DONE").await;
    advance(&inspector, unit, "REPORTING").await;
    let (_, u) = inspector.get(&format!("/api/v1/round-units/{unit}")).await;
    assert!(
        u["transitions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t["to"] != "REPORT_APPROVED"),
        "{u}"
    );
    let (st, _) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/transition"),
            json!({ "to": "REPORT_APPROVED", "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    advance(&director, unit, "REPORT_APPROVED").await;
    let u = advance(&director, unit, "FEEDBACK_DONE").await;
    assert!(
        u["feedback_date"].is_string() && u["rectification_due"].is_string(),
        "{u}"
    );
    assert_eq!(
        u["events"].as_array().unwrap().last().unwrap()["to_name"],
        "已反馈"
    );
    let (_, f) = director.get(&format!("/api/v1/findings/{fid}")).await;
    assert_eq!(f["state"], "FED_BACK");
    // After feedback the team cannot add to the unit's record.
    let (st, _) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/activities"),
            json!({ "method": "petition", "date": crate::shift("2026-10-20") }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The inspected unit sees its problem list: the fed-back finding, not the draft, not the clue.
    let liaison = login(&app, "dept.liaison").await;
    let (st, problems) = liaison.get("/api/v1/problems?page_size=200").await;
    let problems = problems["items"].clone();
    assert_eq!(st, StatusCode::OK);
    let titles: Vec<&str> = problems
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["title"].as_str().unwrap())
        .collect();
    // The demo's earlier round fed back two problems to the same unit; this round adds one.
    assert_eq!(
        titles,
        [
            "“三重一大”决策制度执行不严格",
            "选人用人工作不规范",
            "专项资金拨付不及时"
        ],
        "{problems}"
    );
    assert!(
        !problems
            .to_string()
            .contains(draft_only["title"].as_str().unwrap())
    );
    assert!(
        !problems
            .to_string()
            .contains(clue["summary"].as_str().unwrap())
    );
    for path in [
        "/api/v1/clues".to_string(),
        format!("/api/v1/clues/{}", clue["id"]),
        "/api/v1/findings".into(),
        format!("/api/v1/round-units/{unit}"),
    ] {
        let (st, _) = liaison.get(&path).await;
        assert!(
            st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND,
            "{path}: {st}"
        );
    }
    // Another unit's liaison sees nothing of it.
    let other = login(&app, "town010101.liaison").await;
    assert_eq!(other.get("/api/v1/problems").await.1["items"], json!([]));
    // Statistics count it.
    let (_, stats) = director.get("/api/v1/stats/inspection").await;
    assert!(
        stats["fieldwork"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["method"] == "talk" && m["entries"] == 1),
        "{stats}"
    );
    assert!(stats["immediate"]["issued"].as_i64().unwrap() >= 1);
    assert!(
        stats["findings_by_state"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["code"] == "FED_BACK")
    );
}

async fn clues_are_compartmented_encrypted_audited_and_transferred(app: App) {
    let inspector = login(&app, "prov.inspector").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let clue = new_clue(&inspector, unit, "线索甲").await;
    let id = clue["id"].as_i64().unwrap();
    assert_eq!(clue["subject_name"], "张某某");
    // Encrypted at rest: the raw columns do not contain the names or facts.
    let raw: Vec<u8> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT subject_name_enc FROM clues WHERE id = $1").bind(id).fetch_one(p).await.unwrap());
    assert!(!String::from_utf8_lossy(&raw).contains("张某某"));
    let facts: Vec<u8> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT facts_enc FROM clues WHERE id = $1").bind(id).fetch_one(p).await.unwrap());
    assert!(
        !"春节期间收受红包两万元"
            .as_bytes()
            .windows(6)
            .any(|w| facts.windows(6).any(|x| x == w))
    );
    // Office staff without the compartment: refused. An inspector not on the team: not found.
    let staff = login(&app, "prov.staff").await;
    assert_eq!(
        staff.get("/api/v1/clues?page_size=200").await.0,
        StatusCode::FORBIDDEN
    );
    let outsider = login(&app, "prov.inspector2").await;
    assert_eq!(
        outsider.get(&format!("/api/v1/clues/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert!(
        !outsider
            .get("/api/v1/clues?page_size=200")
            .await
            .1
            .to_string()
            .contains("线索甲")
    );
    // The office lead sees it; every read is audited.
    let director = login(&app, "prov.director").await;
    let (st, full) = director.get(&format!("/api/v1/clues/{id}")).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(full["informant"], "李举报");
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?actor=prov.director&action=clue.read")
        .await;
    assert_eq!(ops["total"], 1, "{ops}");
    assert_eq!(ops["items"][0]["category"], "read");
    assert!(
        !ops.to_string().contains("张某某"),
        "the audit trail must not carry the clue's content"
    );
    // Triage, report, approval, transfer to the provincial 纪委监委, receipt, disposition.
    let (st, c) = inspector
        .post(
            &format!("/api/v1/clues/{id}/triage"),
            json!({ "decision": "clue", "comment": "具体、可查" }),
        )
        .await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("CLUE")),
        "{c}"
    );
    let (_, c) = inspector
        .post(
            &format!("/api/v1/clues/{id}/transition"),
            json!({ "to": "REPORTED", "version": c["version"] }),
        )
        .await;
    let (st, _) = inspector
        .post(
            &format!("/api/v1/clues/{id}/transition"),
            json!({ "to": "TRANSFER_APPROVED", "version": c["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    director
        .post(
            &format!("/api/v1/clues/{id}/transition"),
            json!({ "to": "TRANSFER_APPROVED", "version": c["version"] }),
        )
        .await;
    let jw = org_id(&app, "99-D01").await;
    let (st, c) = director.post(&format!("/api/v1/clues/{id}/transfer"), json!({ "target_body": "discipline", "receiving_org_id": jw, "letter_no": "江巡移〔2026〕1号" })).await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("TRANSFERRED")),
        "{c}"
    );
    assert_eq!(c["overdue"], false);
    // The city's discipline office is not the receiving body.
    let city_jw = login(&app, "city01.discipline").await;
    assert_eq!(
        city_jw.get(&format!("/api/v1/clues/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let jw_user = login(&app, "prov.discipline").await;
    let (_, inbox) = jw_user
        .get("/api/v1/clues?received=true&page_size=200")
        .await;
    let inbox = inbox["items"].clone();
    assert_eq!(inbox.as_array().unwrap().len(), 1, "{inbox}");
    let (st, c) = jw_user
        .post(&format!("/api/v1/clues/{id}/receipt"), json!({}))
        .await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("DISPOSING"))
    );
    let (st, b) = jw_user
        .post(
            &format!("/api/v1/clues/{id}/disposition"),
            json!({ "disposition": "telepathy", "result": "" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["fields"].as_array().unwrap().len(), 2);
    let (st, c) = jw_user
        .post(
            &format!("/api/v1/clues/{id}/disposition"),
            json!({ "disposition": "preliminary", "result": "经初核，反映问题属实，已立案" }),
        )
        .await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("RESULT_FED_BACK"))
    );
    assert_eq!(c["disposition_name"], "初步核实");
    assert_eq!(
        jw_user.get(&format!("/api/v1/clues/{id}")).await.1["transitions"],
        json!([])
    );
    let (_, c) = director.get(&format!("/api/v1/clues/{id}")).await;
    assert_eq!(c["transitions"][0]["to"], "CLOSED");
    let (st, c) = director
        .post(&format!("/api/v1/clues/{id}/close"), json!({}))
        .await;
    assert_eq!(
        (st, c["state"].as_str()),
        (StatusCode::OK, Some("CLOSED")),
        "{c}"
    );
    let (st, _) = director
        .post(&format!("/api/v1/clues/{id}/close"), json!({}))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // A clue transferred over three months ago without a result is overdue.
    let c2 = new_clue(&inspector, unit, "线索乙").await;
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE clues SET state = 'TRANSFERRED', receiving_org_id = $1, transferred_on = $2 WHERE id = $3")
            .bind(jw).bind(crate::shift_date(time::macros::date!(2020 - 01 - 01))).bind(c2["id"].as_i64().unwrap()).execute(p).await.unwrap();
    });
    let (_, c2) = director.get(&format!("/api/v1/clues/{}", c2["id"])).await;
    assert_eq!(c2["overdue"], true);
    // The period is configurable (1 to 24 months).
    let (st, b) = director
        .send(
            reqwest::Method::PUT,
            "/api/v1/settings/inspection",
            json!({ "clue_result_months": 0, "rectification_report_months": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    chinese(&b);
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE clues SET transferred_on = $1 WHERE id = $2")
            .bind(crate::today_minus_months(5)).bind(c2["id"].as_i64().unwrap()).execute(p).await.unwrap();
    });
    let (_, c5) = director.get(&format!("/api/v1/clues/{}", c2["id"])).await;
    assert_eq!(
        c5["overdue"], true,
        "five months ago is past the default three"
    );
    let (st, _) = director
        .send(
            reqwest::Method::PUT,
            "/api/v1/settings/inspection",
            json!({ "clue_result_months": 6, "rectification_report_months": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, c6) = director.get(&format!("/api/v1/clues/{}", c2["id"])).await;
    assert_eq!(
        c6["overdue"], false,
        "five months ago is within a configured six"
    );
    let (_, cfg) = director.get("/api/v1/settings/inspection").await;
    assert_eq!(cfg["rectification_report_months"], 3);
    director
        .send(
            reqwest::Method::PUT,
            "/api/v1/settings/inspection",
            json!({ "clue_result_months": 3, "rectification_report_months": 2 }),
        )
        .await;
    let (_, stats) = director.get("/api/v1/stats/inspection").await;
    assert_eq!(stats["clues"]["overdue"], 1, "{stats}");
    assert!(
        (stats["clues"]["settled_rate"].as_f64().unwrap() - 50.0).abs() < 1e-9,
        "{stats}"
    );
}

async fn lower_offices_do_not_see_higher_rounds_about_them(app: App) {
    let director = login(&app, "prov.director").await;
    let round = current_round(&director).await;
    let county = org_id(&app, "990101").await;
    let (st, u) = director
        .post(
            &format!("/api/v1/rounds/{round}/units"),
            json!({ "org_id": county }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let (st, dup) = director
        .post(
            &format!("/api/v1/rounds/{round}/units"),
            json!({ "org_id": county }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    chinese(&dup);
    let uid = u["id"].as_i64().unwrap();
    for (step, _) in [("PREPARING", 0), ("NOTIFIED", 0), ("STATIONED", 0)] {
        advance(&director, uid, step).await;
    }
    let cat = category(&director, "四个落实", "FI-1").await;
    let (_, f) = director
        .post(
            &format!("/api/v1/round-units/{uid}/findings"),
            json!({ "title": "县委落实决策部署不力", "category_id": cat, "facts": "事实" }),
        )
        .await;
    let county_director = login(&app, "county0101.director").await;
    assert_eq!(
        county_director
            .get(&format!("/api/v1/round-units/{uid}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        county_director
            .get(&format!("/api/v1/findings/{}", f["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(county_director.get("/api/v1/findings").await.1["total"], 0);
    assert_eq!(
        county_director
            .get("/api/v1/round-units?page_size=200")
            .await
            .1["items"],
        json!([])
    );
    assert_eq!(
        county_director
            .get(&format!("/api/v1/round-units/{uid}/activities"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        county_director
            .get(&format!("/api/v1/rounds/{round}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    // Nor can the county office add units to the provincial round.
    let (st, _) = county_director
        .post(
            &format!("/api/v1/rounds/{round}/units"),
            json!({ "org_id": org_id(&app, "990101001").await }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    // Two counties: one county office's round is invisible to the other county's office.
    let k1 = login(&app, "county0101.director").await;
    let k2 = login(&app, "county0102.director").await;
    let (_, t1) = k1.post("/api/v1/terms", json!({ "owner_org_id": org_id(&app, "990101").await, "name": "县委第五届", "start_date": crate::shift("2023-01-01"), "end_date": crate::shift("2027-12-31") })).await;
    let (st, r1) = k1.post("/api/v1/rounds", json!({ "term_id": t1["id"], "name": "县委2026年第一轮巡察", "kinds": ["regular"], "start_date": crate::shift("2026-04-01"), "end_date": crate::shift("2026-05-15") })).await;
    assert_eq!(st, StatusCode::CREATED, "{r1}");
    let (st, u1) = k1
        .post(
            &format!("/api/v1/rounds/{}/units", r1["id"]),
            json!({ "org_id": org_id(&app, "990101001").await }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u1}");
    assert_eq!(
        k2.get(&format!("/api/v1/round-units/{}", u1["id"])).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k2.get(&format!("/api/v1/rounds/{}", r1["id"])).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k2.get(&format!("/api/v1/terms/{}/coverage", t1["id"]))
            .await
            .0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k2.get("/api/v1/round-units?page_size=200").await.1["items"],
        json!([])
    );
    assert_eq!(
        k2.get(&format!(
            "/api/v1/round-units/{}/documents/notice",
            u1["id"]
        ))
        .await
        .0,
        StatusCode::NOT_FOUND
    );
    // A county office cannot put another county's organisation in its round.
    let (st, _) = k1
        .post(
            &format!("/api/v1/rounds/{}/units", r1["id"]),
            json!({ "org_id": org_id(&app, "990102001").await }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    // The province sees the city's terms (上下联动); the city does not see the province's.
    let city = login(&app, "city01.director").await;
    let (_, city_terms) = city.get("/api/v1/terms").await;
    let names: Vec<&str> = city_terms
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["县委第五届"],
        "the city sees its counties' terms, never the province's"
    );
    let (st, t) = city.post("/api/v1/terms", json!({ "owner_org_id": org_id(&app, "9901").await, "name": "市委第九届", "start_date": crate::shift("2023-01-01"), "end_date": crate::shift("2027-12-31") })).await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let (_, terms) = director.get("/api/v1/terms").await;
    assert!(
        terms
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["name"] == "市委第九届")
    );
}

async fn recusal_refuses_and_overrides_are_audited(app: App) {
    let director = login(&app, "prov.director").await;
    let round = current_round(&director).await;
    let (_, detail) = director.get(&format!("/api/v1/rounds/{round}")).await;
    let team = detail["teams"][0]["id"].as_i64().unwrap();
    let (_, people) = director.get("/api/v1/people?page_size=200").await;
    let people = people["items"].clone();
    let person = |name: &str| {
        people
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    // Spouse in 财政厅: refused for any role, with the rule named.
    let (st, b) = director
        .post(
            &format!("/api/v1/teams/{team}/members"),
            json!({ "person_id": person("陈志远"), "role": "member" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["code"], "recusal.conflict");
    assert_eq!(b["errors"][0]["column"], "亲属回避");
    assert!(chinese(&b).contains("刘梅"), "{b}");
    // Past post in 教育厅 ended in 2024: refused as leader, allowed as member.
    let (st, b) = director
        .post(
            &format!("/api/v1/teams/{team}/members"),
            json!({ "person_id": person("周国强"), "role": "deputy" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(b["errors"][0]["column"], "任职回避");
    let (st, _) = director
        .post(
            &format!("/api/v1/teams/{team}/members"),
            json!({ "person_id": person("周国强"), "role": "member" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    // An exception is requested with a reason and approved by another user holding
    // recusal:approve, in their own session (crates/api/tests/api/recusal.rs has the details).
    let (st, req) = director
        .post(&format!("/api/v1/teams/{team}/members"), json!({ "person_id": person("陈志远"), "role": "member", "override_reason": "熟悉财政业务，仅负责教育厅" }))
        .await;
    assert_eq!(st, StatusCode::ACCEPTED, "{req}");
    let leader = login(&app, "prov.leader").await;
    let (st, r) = leader
        .post_version(
            &format!("/api/v1/recusal-requests/{}/approve", req["id"]),
            &req,
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r}");
    let (_, detail) = director.get(&format!("/api/v1/rounds/{round}")).await;
    let t = &detail["teams"][0];
    assert!(
        t["members"]
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "陈志远" && m["override_reason"].is_string())
    );
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?action=team.member_add")
        .await;
    assert!(
        crate::any_has(&ops["items"], "summary", "回避例外"),
        "{ops}"
    );
    // One action is matched exactly; a module (ending in ".") by the prefix of its codes.
    let (_, none) = auditor
        .get("/api/v1/audit/operations?action=team.member")
        .await;
    assert_eq!(none["total"], 0, "{none}");
    let (_, module) = auditor.get("/api/v1/audit/operations?action=team.").await;
    assert!(
        module["total"].as_i64().unwrap() >= ops["total"].as_i64().unwrap(),
        "{module}"
    );
    assert!(
        crate::any_has(&module["items"], "action", "team.member_add"),
        "{module}"
    );
    // Suggestions never propose a conflicted person.
    let (_, sug) = director
        .get(&format!("/api/v1/teams/{team}/suggestions?specialty=审计"))
        .await;
    assert!(
        sug.as_array()
            .unwrap()
            .iter()
            .all(|s| s["person"]["name"] != "陈志远")
    );
    // A person with a training record shows it.
    assert!(
        people
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["trainings"].as_array().is_some_and(|t| !t.is_empty()))
    );
}

async fn coverage_and_suggestions(app: App) {
    let director = login(&app, "prov.director").await;
    let (_, terms) = director.get("/api/v1/terms").await;
    let term = terms[0]["id"].as_i64().unwrap();
    let (st, c) = director
        .get(&format!("/api/v1/terms/{term}/coverage"))
        .await;
    assert_eq!(st, StatusCode::OK);
    // The demo term: the earlier round inspected a city and an SOE; the current round has one unit on site.
    assert_eq!(c["inspected"], 3, "{c}");
    assert!(c["total"].as_i64().unwrap() > 10);
    assert_eq!(c["rounds_done"], 2);
    assert!(c["rounds_needed"].as_i64().unwrap() > 0);
    let unit_group = c["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["group"] == "unit")
        .unwrap();
    assert_eq!(unit_group["inspected"], 3);
    let s = &c["suggestions"][0];
    assert!(!s["reasons"].as_array().unwrap().is_empty(), "{c}");
    assert!(
        c["not_inspected"]
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["name"] != "江岭省财政厅")
    );
}

async fn frames_import_reports_bad_rows(app: App) {
    let director = login(&app, "prov.director").await;
    let headers = [
        "框架编码",
        "框架名称",
        "版本",
        "类别编码",
        "类别名称",
        "上级类别编码",
    ];
    let upload = |rows: Vec<Vec<&str>>| {
        let bytes = xuncha_office::write_xlsx(
            "类别",
            &headers,
            &[],
            rows.into_iter()
                .map(|r| r.into_iter().map(str::to_string).collect()),
        )
        .unwrap();
        reqwest::multipart::Form::new().part(
            "file",
            reqwest::multipart::Part::bytes(bytes).file_name("对村巡察清单.xlsx"),
        )
    };
    // A row of the village frame: version, category code, name, parent code.
    let row =
        |version, code, name, parent| vec!["village", "对村巡察清单", version, code, name, parent];
    let bad = upload(vec![
        row("1", "V01", "村级集体“三资”管理", ""),
        row("x", "V01-1", "集体资金收支", "V01"),
        row("1", "V02-1", "惠民资金发放", "V02"),
    ]);
    let res = director.post_form("/api/v1/frames/import", bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let b: Value = res.json().await.unwrap();
    let cols: Vec<(i64, &str)> = b["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["row"].as_i64().unwrap(), e["column"].as_str().unwrap()))
        .collect();
    assert!(cols.contains(&(3, "版本")), "{b}");
    let good = upload(vec![
        row("1", "V01", "村级集体“三资”管理", ""),
        row("1", "V01-1", "集体资金收支", "V01"),
    ]);
    let res = director.post_form("/api/v1/frames/import", good).await;
    assert_eq!(res.status(), StatusCode::OK);
    let (_, frames) = director.get("/api/v1/frames").await;
    let v = frames
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "village")
        .unwrap();
    let child = v["categories"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["code"] == "V01-1")
        .unwrap();
    assert!(child["parent_id"].is_i64());
}

async fn docx_text(s: &Session, path: &str) -> Vec<String> {
    let res = s.raw_get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    assert_eq!(
        res.headers()["content-type"],
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    );
    assert!(
        res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''")
    );
    let bytes = res.bytes().await.unwrap();
    xuncha_office::docx::extract_text(&bytes).unwrap()
}

fn has(text: &[String], needle: &str) -> bool {
    text.iter().any(|p| p.contains(needle))
}

async fn every_document_reopens_with_an_independent_reader(app: App) {
    let inspector = login(&app, "prov.inspector").await;
    let director = login(&app, "prov.director").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let cat = category(&inspector, "四个落实", "FI-2").await;
    let (_, f) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "公务接待超标准", "category_id": cat, "facts": "2025年接待费超预算42万元", "basis": "中央八项规定精神", "responsibility": "党组主要负责人" }),
        )
        .await;
    let fid = f["id"].as_i64().unwrap();
    inspector
        .post(
            &format!("/api/v1/findings/{fid}/transition"),
            json!({ "to": "CONFIRMED", "version": f["version"] }),
        )
        .await;
    inspector
        .post(
            &format!("/api/v1/findings/{fid}/immediate-fix"),
            json!({ "requirement": "立即清退超标准接待费用", "deadline": crate::shift("2026-12-31") }),
        )
        .await;
    let clue = new_clue(&inspector, unit, "线索丙").await;
    let cid = clue["id"].as_i64().unwrap();
    let (_, c) = inspector
        .post(
            &format!("/api/v1/clues/{cid}/triage"),
            json!({ "decision": "clue" }),
        )
        .await;
    let (_, c) = inspector
        .post(
            &format!("/api/v1/clues/{cid}/transition"),
            json!({ "to": "REPORTED", "version": c["version"] }),
        )
        .await;
    director
        .post(
            &format!("/api/v1/clues/{cid}/transition"),
            json!({ "to": "TRANSFER_APPROVED", "version": c["version"] }),
        )
        .await;
    let jw = org_id(&app, "99-D01").await;
    director.post(&format!("/api/v1/clues/{cid}/transfer"), json!({ "target_body": "discipline", "receiving_org_id": jw, "letter_no": "江巡移〔2026〕7号" })).await;

    let base = format!("/api/v1/round-units/{unit}/documents");
    let notice = docx_text(&director, &format!("{base}/notice")).await;
    assert!(
        has(&notice, "中共江岭省委巡察工作领导小组办公室")
            && has(&notice, "关于对江岭省财政厅开展巡察的通知")
            && has(&notice, "第一巡察组"),
        "{notice:?}"
    );
    let ann = docx_text(&director, &format!("{base}/announcement")).await;
    assert!(has(&ann, "巡察公告") && has(&ann, "码上巡察"), "{ann:?}");
    let report = docx_text(&director, &format!("{base}/report")).await;
    assert!(
        has(&report, "二、发现的主要问题")
            && has(&report, "四个落实：落实全面从严治党")
            && has(&report, "公务接待超标准"),
        "{report:?}"
    );
    assert!(has(&report, "内部资料 注意保密"));
    assert!(
        !has(&report, "线索丙"),
        "clues never go into the main report"
    );
    let mid = docx_text(&director, &format!("{base}/mid-term")).await;
    assert!(
        has(&mid, "中期汇报") && has(&mid, "了解方式") && has(&mid, "公务接待超标准"),
        "{mid:?}"
    );
    let fb = docx_text(&director, &format!("{base}/feedback")).await;
    assert!(
        has(&fb, "事实：2025年接待费超预算42万元")
            && has(&fb, "定性：违反中央八项规定精神")
            && has(&fb, "责任：党组主要负责人负有责任"),
        "{fb:?}"
    );
    assert!(has(&fb, "整改情况报告") && has(&fb, "抄送"), "{fb:?}");
    let list = docx_text(&director, &format!("{base}/problem-list")).await;
    assert!(
        has(&list, "序号") && has(&list, "公务接待超标准"),
        "{list:?}"
    );
    let wp = docx_text(
        &inspector,
        &format!("/api/v1/findings/{fid}/documents/workpaper"),
    )
    .await;
    assert!(
        has(&wp, "问题底稿") && has(&wp, "定性依据") && has(&wp, "中央八项规定精神"),
        "{wp:?}"
    );
    let imm = docx_text(
        &inspector,
        &format!("/api/v1/findings/{fid}/documents/immediate-fix"),
    )
    .await;
    assert!(
        has(&imm, "立行立改通知书")
            && has(&imm, "立即清退超标准接待费用")
            && has(&imm, &{
                let d = crate::shift_date(time::macros::date!(2026 - 12 - 31));
                format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
            }),
        "{imm:?}"
    );
    let cr = docx_text(&director, &format!("{base}/clue-report")).await;
    assert!(has(&cr, "张某某") && has(&cr, "机密"), "{cr:?}");
    let letter = docx_text(
        &director,
        &format!("/api/v1/clues/{cid}/documents/transfer-letter"),
    )
    .await;
    assert!(
        has(&letter, "关于移交问题线索的函")
            && has(&letter, "江巡移〔2026〕7号")
            && has(&letter, "江岭省纪委监委"),
        "{letter:?}"
    );
    // The team member cannot produce the clue report or the transfer letter; the unit gets none.
    assert_eq!(
        inspector.get(&format!("{base}/clue-report")).await.0,
        StatusCode::FORBIDDEN
    );
    let liaison = login(&app, "dept.liaison").await;
    assert_eq!(
        liaison.get(&format!("{base}/feedback")).await.0,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        liaison
            .get(&format!("/api/v1/clues/{cid}/documents/transfer-letter"))
            .await
            .0,
        StatusCode::FORBIDDEN
    );
}

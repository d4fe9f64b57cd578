//! The 工作台: every to-do's count is the total of the list its link opens, within the caller's
//! scope; a county never counts another county's records; the 三员 have no business to-dos; on
//! SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::assessment::fed_back_unit;
use super::rect::{finance_plan_items, submit_plan};
use super::{App, Session, chinese, login, pg_app, sqlite_app};

crate::dual!(workbench_counts_are_the_linked_lists_totals);

/// The API list behind a to-do's link, with the same filter.
fn list_path(kind: &str, link: &str) -> String {
    let query = link.split_once('?').map_or("", |(_, q)| q);
    match kind {
        "plan_to_draft" | "plan_review" => format!("/api/v1/rect/units?{query}"),
        "extension_pending" => {
            assert_eq!(link, "/rect/supervision");
            "/api/v1/rect/extensions?state=PENDING".to_string()
        }
        "write_off_pending" | "warning_red" | "warning_yellow" => {
            assert!(link.starts_with("/rect/ledger?"), "{link}");
            format!("/api/v1/rect/ledger?{query}")
        }
        "clue_to_receive" | "clue_disposing" => {
            assert!(link.starts_with("/clues?"), "{link}");
            format!("/api/v1/clues?received=true&{query}")
        }
        "assessment_open" => {
            assert!(link.starts_with("/assessment?"), "{link}");
            format!("/api/v1/assessments?{query}")
        }
        "public_report_new" | "transfer_to_review" => {
            assert!(link.starts_with("/public-reports?"), "{link}");
            format!("/api/v1/public-reports?{query}")
        }
        "transfer_to_reply" => {
            assert!(link.starts_with("/report-transfers?"), "{link}");
            format!("/api/v1/report-transfers?{query}")
        }
        "linkage_todo" => {
            assert!(link.starts_with("/linkage?"), "{link}");
            format!("/api/v1/linkage/inbox?{query}")
        }
        "guidance_to_rectify" | "guidance_to_verify" => {
            assert!(link.starts_with("/guidance/problems?"), "{link}");
            format!("/api/v1/guidance/problems?{query}")
        }
        other => panic!("unknown to-do kind {other}"),
    }
}

/// The caller's workbench, every count checked against the total of the list its link opens:
/// `kind → count`.
async fn checked(s: &Session, who: &str) -> (Value, Vec<(String, i64)>) {
    let (st, wb) = s.get("/api/v1/workbench").await;
    assert_eq!(st, StatusCode::OK, "{who}: {wb}");
    let mut counts = Vec::new();
    for t in wb["todos"].as_array().unwrap() {
        let kind = t["kind"].as_str().unwrap();
        let label = t["label"].as_str().unwrap();
        assert!(
            label
                .chars()
                .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
            "{who}: {t}"
        );
        let path = list_path(kind, t["link"].as_str().unwrap());
        let (st, list) = s.get(&path).await;
        assert_eq!(st, StatusCode::OK, "{who} {path}: {list}");
        assert_eq!(
            t["count"], list["total"],
            "{who}: the count of {kind} is the total of {path}"
        );
        counts.push((kind.to_string(), t["count"].as_i64().unwrap()));
    }
    let notes = wb["notifications"].as_array().unwrap();
    assert!(notes.len() <= 5, "{who}: {wb}");
    assert!(
        notes.iter().all(|n| n["read_at"].is_null()),
        "{who}: only unread notifications"
    );
    assert!(wb["unread"].as_i64().unwrap() >= i64::try_from(notes.len()).unwrap());
    (wb, counts)
}

fn count(counts: &[(String, i64)], kind: &str) -> Option<i64> {
    counts.iter().find(|(k, _)| k == kind).map(|(_, n)| *n)
}

fn kinds(counts: &[(String, i64)]) -> Vec<&str> {
    counts.iter().map(|(k, _)| k.as_str()).collect()
}

fn measure(content: &str) -> Value {
    json!({ "kind": "deadline", "content": content, "target": "整改到位", "responsible_leader": "李副书记",
            "lead_dept": "党政办", "co_depts": [], "deadline": crate::shift("2027-03-31"), "deadline_working_days": null })
}

/// The liaison's unit `uid` with every problem given one measure, saved and submitted.
async fn submit_all(liaison: &Session, uid: i64) {
    let (st, view) = liaison.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
    assert_eq!(st, StatusCode::OK, "{view}");
    let items: Vec<Value> = view["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| json!({ "finding_id": i["finding_id"], "measures": [measure("逐项整改")] }))
        .collect();
    submit_plan(liaison, uid, Value::Array(items)).await;
}

async fn workbench_counts_are_the_linked_lists_totals(app: App) {
    // Two counties, each with a fed-back township: only 990102's plan gets submitted and assessed.
    let (own_unit, _) = fed_back_unit(&app, "990101", "990101001", &["本区问题"]).await;
    let (other_unit, _) =
        fed_back_unit(&app, "990102", "990102001", &["他县问题一", "他县问题二"]).await;
    let county = login(&app, "county0101.director").await;
    let other_county = login(&app, "county0102.director").await;
    let (_, before) = checked(&county, "county0101.director").await;
    let (_, other_before) = checked(&other_county, "county0102.director").await;
    assert_eq!(count(&before, "plan_review"), Some(0));
    assert_eq!(count(&other_before, "plan_review"), Some(0));

    let town = login(&app, "town010201.liaison").await;
    let (_, mine) = checked(&town, "town010201.liaison").await;
    assert_eq!(
        kinds(&mine),
        [
            "plan_to_draft",
            "warning_red",
            "warning_yellow",
            "transfer_to_reply"
        ],
        "a unit liaison drafts plans, watches warnings and answers 转办"
    );
    assert_eq!(count(&mine, "plan_to_draft"), Some(1));
    submit_all(&town, other_unit).await;
    let (st, a) = other_county
        .post(
            "/api/v1/assessments",
            json!({ "round_unit_id": other_unit }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");

    let (_, mine) = checked(&town, "town010201.liaison").await;
    assert_eq!(count(&mine, "plan_to_draft"), Some(0), "submitted");
    let (_, other_after) = checked(&other_county, "county0102.director").await;
    assert_eq!(count(&other_after, "plan_review"), Some(1));
    assert_eq!(
        count(&other_after, "assessment_open"),
        count(&other_before, "assessment_open").map(|n| n + 1)
    );
    // The other county's plan and assessment never reach county 0101's counts.
    let (wb, after) = checked(&county, "county0101.director").await;
    assert_eq!(after, before, "county 0101 counts nothing of county 0102");
    assert!(wb["headline"]["rect"]["total"].is_i64(), "{wb}");
    let (_, units) = county.get("/api/v1/rect/units?plan=to_draft").await;
    assert!(
        units["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != other_unit),
        "{units}"
    );
    let (_, own) = login(&app, "town010101.liaison")
        .await
        .get("/api/v1/rect/units?plan=to_draft")
        .await;
    assert_eq!(own["total"], 1, "{own}");
    assert_eq!(own["items"][0]["id"], own_unit);

    // The province: the demo's overdue item is red; the 财政厅 plan awaits 会审 once submitted.
    let director = login(&app, "prov.director").await;
    let liaison = login(&app, "dept.liaison").await;
    let (_, dept) = checked(&liaison, "dept.liaison").await;
    assert_eq!(
        count(&dept, "plan_to_draft"),
        Some(1),
        "财政厅 has no plan yet"
    );
    let (_, prov_before) = checked(&director, "prov.director").await;
    let (uid, ids) = finance_plan_items(&liaison).await;
    let items = json!([ { "finding_id": ids[0], "measures": [measure("修订决策规则")] },
                        { "finding_id": ids[1], "measures": [measure("规范选人用人")] } ]);
    submit_plan(&liaison, uid, items).await;
    let (wb, prov) = checked(&director, "prov.director").await;
    for kind in [
        "plan_review",
        "extension_pending",
        "write_off_pending",
        "warning_red",
        "warning_yellow",
        "assessment_open",
    ] {
        assert!(count(&prov, kind).is_some(), "{kind}: {wb}");
    }
    assert_eq!(
        count(&prov, "plan_review"),
        count(&prov_before, "plan_review").map(|n| n + 1)
    );
    assert!(
        count(&prov, "warning_red").unwrap() >= 1,
        "the demo's overdue item"
    );
    assert!(
        count(&prov, "plan_to_draft").is_none(),
        "the office does not draft plans"
    );
    let headline = &wb["headline"];
    assert!(headline["rect"]["total"].as_i64().unwrap() >= 4, "{wb}");
    assert!(headline["rect"]["completed"].as_i64().unwrap() >= 1, "{wb}");
    assert!(headline["rect"]["on_time_rate"].is_number(), "{wb}");
    assert!(headline["findings"].as_i64().unwrap() >= 4, "{wb}");
    // A county's figures are its own.
    let (_, cwb) = county.get("/api/v1/workbench").await;
    assert!(
        cwb["headline"]["rect"]["total"].as_i64().unwrap()
            < headline["rect"]["total"].as_i64().unwrap()
    );
    let (_, dwb) = liaison.get("/api/v1/workbench").await;
    assert!(
        dwb["headline"].is_null(),
        "a liaison has no headline: {dwb}"
    );

    // The receiving body, the leader: their own to-dos, each equal to its list.
    let (_, disc) = checked(&login(&app, "prov.discipline").await, "prov.discipline").await;
    assert_eq!(kinds(&disc), ["clue_to_receive", "clue_disposing"]);
    let (wb, lead) = checked(&login(&app, "prov.leader").await, "prov.leader").await;
    assert!(lead.is_empty(), "{wb}");
    assert!(
        wb["headline"]["rect"]["total"].as_i64().unwrap() >= 4,
        "{wb}"
    );

    // The 三员: no business to-dos, no headline.
    for admin in ["admin", "security", "auditor"] {
        let (wb, todos) = checked(&login(&app, admin).await, admin).await;
        assert!(todos.is_empty(), "{admin}: {wb}");
        assert!(wb["headline"].is_null(), "{admin}: {wb}");
    }

    // An unknown plan queue is a 400 naming the parameter.
    let (st, p) = director.get("/api/v1/rect/units?plan=later").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{p}");
    chinese(&p);
    assert_eq!(p["fields"][0]["field"], "plan", "{p}");
}

//! 上下联动: a task issued by the province office to two county offices, each recipient through
//! 待接收 → 已接收 → 已反馈 → 退回 → 已反馈 → 已办结 (409 on a wrong step, 422 on bad fields, 404
//! out of scope: a county never reads or acts on another county's row, never issues upwards or
//! sideways); a focus point pushed down, adopted by a county round and followed up by its
//! finding, rolled up for the province; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, chinese, login, org_id, pg_app, sqlite_app, test_today, unit_id};

crate::dual!(linkage_task_state_machine_and_scope, focus_points_roll_up);

fn day(d: time::Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap()
}

fn field_messages(v: &Value) -> Vec<(String, String)> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| {
                    (
                        f["field"].as_str().unwrap_or("").to_string(),
                        f["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn message_of(v: &Value, field: &str) -> String {
    field_messages(v)
        .into_iter()
        .find(|(f, _)| f == field)
        .map(|(_, m)| m)
        .unwrap_or_else(|| panic!("no field {field} in {v}"))
}

async fn advance(s: &Session, unit: i64, to: &str) {
    let (_, u) = s.get(&format!("/api/v1/round-units/{unit}")).await;
    let (st, u) = s
        .post(
            &format!("/api/v1/round-units/{unit}/transition"),
            json!({ "to": to, "comment": "", "version": u["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{to}: {u}");
}

async fn any_category(s: &Session) -> i64 {
    let (_, frames) = s.get("/api/v1/frames").await;
    frames
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["categories"].as_array().cloned().unwrap_or_default())
        .find_map(|c| c["id"].as_i64())
        .expect("a category")
}

/// A county office's own round with one stationed unit: (round id, unit id).
async fn county_round(app: &App, s: &Session, county: &str, village: &str) -> (i64, i64) {
    let owner = org_id(app, county).await;
    let (_, terms) = s.get("/api/v1/terms").await;
    let existing = terms
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["owner_org_id"] == owner)
        .cloned();
    let t = match existing {
        Some(t) => t,
        None => {
            let (st, t) = s.post("/api/v1/terms", json!({ "owner_org_id": owner, "name": "县委第五届", "start_date": crate::shift("2023-01-01"), "end_date": crate::shift("2027-12-31") })).await;
            assert_eq!(st, StatusCode::CREATED, "{t}");
            t
        }
    };
    let (st, r) = s.post("/api/v1/rounds", json!({ "term_id": t["id"], "name": "县委联动轮次", "kinds": ["regular"], "start_date": crate::shift("2026-04-01"), "end_date": crate::shift("2026-05-15") })).await;
    assert_eq!(st, StatusCode::CREATED, "{r}");
    let (st, u) = s
        .post(
            &format!("/api/v1/rounds/{}/units", r["id"]),
            json!({ "org_id": org_id(app, village).await }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{u}");
    let uid = u["id"].as_i64().unwrap();
    for step in ["PREPARING", "NOTIFIED", "STATIONED"] {
        advance(s, uid, step).await;
    }
    (r["id"].as_i64().unwrap(), uid)
}

async fn linkage_task_state_machine_and_scope(app: App) {
    let prov = login(&app, "prov.director").await;
    let k1 = login(&app, "county0101.director").await;
    let k2 = login(&app, "county0102.director").await;
    let city = login(&app, "city01.director").await;
    let (c1, c2, c01, root) = (
        org_id(&app, "990101").await,
        org_id(&app, "990102").await,
        org_id(&app, "9901").await,
        org_id(&app, "99").await,
    );
    let deadline = day(test_today() + time::Duration::days(10));

    // 422: every bad field named in Chinese.
    let (st, bad) = prov
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": " ", "content": "", "deadline": day(test_today() - time::Duration::days(1)), "org_ids": [] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    chinese(&bad);
    assert!(message_of(&bad, "title").contains("标题"), "{bad}");
    assert!(message_of(&bad, "content").contains("内容"), "{bad}");
    assert!(message_of(&bad, "deadline").contains("期限"), "{bad}");
    assert!(
        message_of(&bad, "org_ids").contains("下级巡察机构"),
        "{bad}"
    );
    let (st, bad) = prov
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": "任务", "content": "内容", "deadline": "2026-13-45", "org_ids": [c1] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(message_of(&bad, "deadline").contains("期限"), "{bad}");
    // The issuing office itself is not a lower office.
    let (st, bad) = prov
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": "任务", "content": "内容", "deadline": deadline, "org_ids": [root] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(message_of(&bad, "org_ids").contains("下级"), "{bad}");
    // A county cannot issue to a sibling county or upwards: outside its scope, not found.
    for target in [c2, c01, root] {
        let (st, b) = k1
            .post(
                "/api/v1/linkage/tasks",
                json!({ "title": "任务", "content": "内容", "deadline": deadline, "org_ids": [target] }),
            )
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{target}: {b}");
    }
    // A term outside the caller's scope is not found either.
    let (st, _) = k1.post("/api/v1/terms", json!({ "owner_org_id": c1, "name": "县委第五届", "start_date": crate::shift("2023-01-01"), "end_date": crate::shift("2027-12-31") })).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, k1_terms) = k1.get("/api/v1/terms").await;
    let k1_term = k1_terms[0]["id"].as_i64().unwrap();

    // The province issues to both counties.
    let (st, t) = prov
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": "同步开展内部巡察", "content": "各县巡察办同步开展内部巡察，按期反馈。",
                "focus": "选人用人", "deadline": deadline, "org_ids": [c2, c1, c1] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{t}");
    let task = t["task"]["id"].as_i64().unwrap();
    assert_eq!(t["task"]["recipients"], 2, "{t}");
    let rows = t["recipients"].as_array().unwrap().clone();
    assert!(
        rows.iter()
            .all(|r| r["state"] == "ISSUED" && r["state_name"] == "待接收")
    );
    let row_of = |org: i64| {
        rows.iter().find(|r| r["org_id"] == org).unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (r1, r2) = (row_of(c1), row_of(c2));
    let (st, _) = prov
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": "任务", "content": "内容", "deadline": deadline, "org_ids": [c1], "term_id": k1_term }),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::CREATED,
        "the province sees the county's term"
    );
    let (st, _) = k1
        .post(
            "/api/v1/linkage/tasks",
            json!({ "title": "任务", "content": "内容", "deadline": deadline, "org_ids": [org_id(&app, "990101001").await], "term_id": 999_999 }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Each county sees its own row only; never the task's other recipients.
    let (st, inbox) = k1.get("/api/v1/linkage/inbox").await;
    assert_eq!(st, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["total"], 2, "{inbox}");
    assert!(
        inbox["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["org_id"] == c1)
    );
    assert_eq!(
        k1.get(&format!("/api/v1/linkage/tasks/{task}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k1.get(&format!("/api/v1/linkage/inbox/{r2}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        k2.get(&format!("/api/v1/linkage/inbox/{r1}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (st, _) = k1
        .post(
            &format!("/api/v1/linkage/inbox/{r2}/accept"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::NOT_FOUND,
        "a county cannot act on another county's row"
    );
    // The city is neither issuer nor recipient.
    assert_eq!(city.get("/api/v1/linkage/inbox").await.1["total"], 0);
    assert_eq!(
        city.get(&format!("/api/v1/linkage/tasks/{task}")).await.0,
        StatusCode::NOT_FOUND
    );
    assert_eq!(city.get("/api/v1/linkage/tasks").await.1["total"], 0);
    // Nor can a recipient confirm or return on the issuer's behalf.
    let (st, _) = k1
        .post(
            &format!("/api/v1/linkage/recipients/{r1}/confirm"),
            json!({ "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The 工作台 counts what waits for the county.
    let todo = |wb: &Value| {
        wb["todos"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["kind"] == "linkage_todo")
            .cloned()
            .unwrap_or(Value::Null)
    };
    let (_, wb) = k1.get("/api/v1/workbench").await;
    assert_eq!(todo(&wb)["count"], 2, "{wb}");
    assert_eq!(todo(&wb)["label"], "联动任务待办理");
    assert_eq!(todo(&wb)["link"], "/linkage?todo=true");

    // 409 on a wrong step: reporting before accepting.
    let (_, row) = k1.get(&format!("/api/v1/linkage/inbox/{r1}")).await;
    let (st, b) = k1
        .post(
            &format!("/api/v1/linkage/inbox/{r1}/report"),
            json!({ "version": row["version"], "report": "已完成" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(chinese(&b).contains("待接收"), "{b}");
    let (st, row) = k1
        .post_version(&format!("/api/v1/linkage/inbox/{r1}/accept"), &row)
        .await;
    assert_eq!(st, StatusCode::OK, "{row}");
    assert_eq!(row["state"], "ACCEPTED");
    let (st, b) = k1
        .post_version(&format!("/api/v1/linkage/inbox/{r1}/accept"), &row)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    // 422: an empty report back.
    let (st, b) = k1
        .post(
            &format!("/api/v1/linkage/inbox/{r1}/report"),
            json!({ "version": row["version"], "report": "  " }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(message_of(&b, "report").contains("反馈内容"), "{b}");
    // Linked rounds must be the county's own: another county's round is not found.
    let (k1_round, _) = county_round(&app, &k1, "990101", "990101001").await;
    let (k2_round, _) = county_round(&app, &k2, "990102", "990102001").await;
    let (st, b) = k1
        .post(
            &format!("/api/v1/linkage/inbox/{r1}/report"),
            json!({ "version": row["version"], "report": "已部署", "round_ids": [k2_round] }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    let (st, row) = k1
        .post(&format!("/api/v1/linkage/inbox/{r1}/report"), json!({ "version": row["version"], "report": "已部署，纳入本轮巡察", "round_ids": [k1_round] }))
        .await;
    assert_eq!(st, StatusCode::OK, "{row}");
    assert_eq!(row["state"], "REPORTED");
    assert_eq!(row["rounds"][0]["id"], k1_round, "{row}");
    // The other county still cannot read it; the province sees both rows.
    let (_, k2_inbox) = k2.get("/api/v1/linkage/inbox").await;
    assert!(!k2_inbox.to_string().contains("纳入本轮巡察"));
    let (st, detail) = prov.get(&format!("/api/v1/linkage/tasks/{task}")).await;
    assert_eq!(st, StatusCode::OK, "{detail}");
    assert_eq!(detail["task"]["reported"], 1);
    assert_eq!(detail["recipients"].as_array().unwrap().len(), 2);

    // The issuer returns with a reason (422 without one), then confirms the second report.
    let (st, b) = prov
        .post(
            &format!("/api/v1/linkage/recipients/{r1}/return"),
            json!({ "version": row["version"], "reason": "" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(message_of(&b, "reason").contains("理由"), "{b}");
    let (st, back) = prov
        .post(
            &format!("/api/v1/linkage/recipients/{r1}/return"),
            json!({ "version": row["version"], "reason": "请补充进度" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{back}");
    assert_eq!(back["state"], "ACCEPTED");
    assert_eq!(back["return_reason"], "请补充进度");
    let (st, b) = prov
        .post_version(&format!("/api/v1/linkage/recipients/{r1}/confirm"), &back)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (st, again) = k1
        .post(
            &format!("/api/v1/linkage/inbox/{r1}/report"),
            json!({ "version": back["version"], "report": "已补充" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{again}");
    // A stale version is refused.
    let (st, _) = prov
        .post_version(&format!("/api/v1/linkage/recipients/{r1}/confirm"), &back)
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, done) = prov
        .post_version(&format!("/api/v1/linkage/recipients/{r1}/confirm"), &again)
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "DONE");
    let (st, _) = prov
        .post(
            &format!("/api/v1/linkage/recipients/{r1}/return"),
            json!({ "version": done["version"], "reason": "" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "no reason");
    let (st, b) = prov
        .post(
            &format!("/api/v1/linkage/recipients/{r1}/return"),
            json!({ "version": done["version"], "reason": "再补充" }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");

    // Overdue by the server's date: the county that never accepted.
    xuncha_store::on_db!(&app.db, p => sqlx::query("UPDATE linkage_tasks SET deadline = $1 WHERE id = $2")
        .bind(test_today() - time::Duration::days(1)).bind(task).execute(p).await.map(|_| ()).expect("deadline"));
    let (_, detail) = prov.get(&format!("/api/v1/linkage/tasks/{task}")).await;
    assert_eq!(detail["task"]["overdue"], 1, "{detail}");
    let overdue: Vec<bool> = detail["recipients"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["overdue"].as_bool().unwrap())
        .collect();
    assert_eq!(overdue.iter().filter(|o| **o).count(), 1);
    let (_, k2_row) = k2.get(&format!("/api/v1/linkage/inbox/{r2}")).await;
    assert_eq!(k2_row["overdue"], true, "{k2_row}");
    let (_, wb) = k1.get("/api/v1/workbench").await;
    assert_eq!(todo(&wb)["count"], 1, "the done task no longer waits: {wb}");
    let (_, listed) = k1.get("/api/v1/linkage/inbox?todo=true").await;
    assert_eq!(listed["total"], 1);
    let (st, _) = k1.get("/api/v1/linkage/inbox?state=NOPE").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

async fn focus_points_roll_up(app: App) {
    let prov = login(&app, "prov.director").await;
    let k1 = login(&app, "county0101.director").await;
    let k2 = login(&app, "county0102.director").await;
    let (c1, root) = (org_id(&app, "990101").await, org_id(&app, "99").await);
    // One of the province's own findings, pushed down as a focus point.
    let unit = unit_id(&prov, "江岭省财政厅").await;
    let cat = any_category(&prov).await;
    let (st, f) = prov
        .post(
            &format!("/api/v1/round-units/{unit}/findings"),
            json!({ "title": "惠民资金发放不及时", "category_id": cat, "facts": "部分惠民资金滞留" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{f}");
    let (st, bad) = prov
        .post("/api/v1/linkage/focus-points", json!({ "org_ids": [c1] }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    assert!(message_of(&bad, "title").contains("标题"), "{bad}");
    let (st, _) = k1
        .post(
            "/api/v1/linkage/focus-points",
            json!({ "title": "x", "content": "y", "org_ids": [root] }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "a county cannot push upwards");
    // A county cannot copy the province's finding.
    let (st, _) = k1
        .post(
            "/api/v1/linkage/focus-points",
            json!({ "source_finding_id": f["id"], "org_ids": [org_id(&app, "990101001").await] }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, fp) = prov
        .post(
            "/api/v1/linkage/focus-points",
            json!({ "source_finding_id": f["id"], "org_ids": [c1] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{fp}");
    let fp_id = fp["focus_point"]["id"].as_i64().unwrap();
    assert_eq!(fp["focus_point"]["title"], "惠民资金发放不及时");
    assert_eq!(fp["focus_point"]["category_id"], cat);
    assert_eq!(fp["targets"][0]["org_id"], c1);

    // The county it was pushed to sees it; the other county does not.
    assert_eq!(k1.get("/api/v1/linkage/focus-points").await.1["total"], 1);
    assert_eq!(k2.get("/api/v1/linkage/focus-points").await.1["total"], 0);
    assert_eq!(
        k2.get(&format!("/api/v1/linkage/focus-points/{fp_id}"))
            .await
            .0,
        StatusCode::NOT_FOUND
    );

    // The county's round adopts it; another county's round cannot.
    let (k1_round, k1_unit) = county_round(&app, &k1, "990101", "990101001").await;
    let (k2_round, _) = county_round(&app, &k2, "990102", "990102001").await;
    let (st, b) = k2
        .post(
            &format!("/api/v1/rounds/{k2_round}/focus-points"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    let (st, b) = k2
        .post(
            &format!("/api/v1/rounds/{k1_round}/focus-points"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    // A finding of a round that has not adopted the focus point cannot follow it.
    let (_, kf) = k1
        .post(
            &format!("/api/v1/round-units/{k1_unit}/findings"),
            json!({ "title": "村级惠民资金滞留", "category_id": cat, "facts": "事实" }),
        )
        .await;
    let kf = kf["id"].as_i64().unwrap();
    let (st, b) = k1
        .put(
            &format!("/api/v1/findings/{kf}/focus-point"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    chinese(&b);
    let (st, adopted) = k1
        .post(
            &format!("/api/v1/rounds/{k1_round}/focus-points"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{adopted}");
    assert_eq!(adopted[0]["focus_point_id"], fp_id);
    let (st, _) = k2
        .put(
            &format!("/api/v1/findings/{kf}/focus-point"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "another county's finding");
    let (st, linked) = k1
        .put(
            &format!("/api/v1/findings/{kf}/focus-point"),
            json!({ "focus_point_id": fp_id }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{linked}");
    assert_eq!(linked["focus_point_id"], fp_id);

    // The province sees the roll-up: one round, one finding.
    let (_, d) = prov
        .get(&format!("/api/v1/linkage/focus-points/{fp_id}"))
        .await;
    assert_eq!(d["focus_point"]["rounds"], 1, "{d}");
    assert_eq!(d["focus_point"]["findings"], 1, "{d}");
    assert_eq!(d["adoptions"][0]["round_id"], k1_round);
    assert_eq!(d["adoptions"][0]["findings"], 1);
    let (_, list) = prov.get("/api/v1/linkage/focus-points").await;
    assert_eq!(list["items"][0]["findings"], 1, "{list}");
    // Unlinking takes it out of the roll-up.
    let (st, _) = k1
        .put(
            &format!("/api/v1/findings/{kf}/focus-point"),
            json!({ "focus_point_id": null }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, d) = prov
        .get(&format!("/api/v1/linkage/focus-points/{fp_id}"))
        .await;
    assert_eq!(d["focus_point"]["findings"], 0, "{d}");
}

//! Rectification through the API, on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, chinese, item_of, login, org_id, pg_app, sqlite_app};

crate::dual!(
    plan_review_progress_and_two_step_write_off,
    deadlines_warnings_extensions_and_letters,
    county_users_cannot_reach_another_countys_ledger,
    ledger_import_and_holidays_report_bad_rows_and_store_nothing,
    reports_meetings_and_filing_upward,
    long_term_items_report_periodically_and_views,
    review_bodies_decide_through_their_own_members,
);

pub(crate) const PDF: &[u8] = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n";

pub(crate) async fn multipart(
    s: &Session,
    path: &str,
    fields: &[(&str, &str)],
    files: &[(&str, &[u8])],
) -> (StatusCode, Value) {
    let mut form = reqwest::multipart::Form::new();
    for (k, v) in fields {
        form = form.text((*k).to_string(), (*v).to_string());
    }
    for (name, bytes) in files {
        form = form.part(
            "file",
            reqwest::multipart::Part::bytes(bytes.to_vec()).file_name((*name).to_string()),
        );
    }
    let res = s.post_form(path, form).await;
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Item `id` written off as 基本完成 by `liaison` and verified by `director`: now LONG_TERM.
pub(crate) async fn long_term_item(liaison: &Session, director: &Session, id: i64) -> Value {
    let (st, w) = multipart(
        liaison,
        &format!("/api/v1/rect/findings/{id}/write-off"),
        &[
            ("outcome", "basically_completed"),
            ("explanation", "制度已建立，执行效果须持续巩固"),
        ],
        &[("规程.pdf", PDF)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{w}");
    let (st, item) = director
        .post(
            &format!("/api/v1/rect/write-offs/{}/decide", w["id"]),
            json!({ "decision": "verify", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{item}");
    assert_eq!(item["row"]["state"], "LONG_TERM");
    item
}

async fn bytes(s: &Session, path: &str) -> (StatusCode, String, Vec<u8>) {
    let res = s.raw_get(path).await;
    let status = res.status();
    let ct = crate::content_type(&res);
    (status, ct, res.bytes().await.unwrap().to_vec())
}

/// The fed-back 2025 round unit of 江岭省财政厅 (no plan in the demo).
pub(crate) async fn finance_unit(s: &Session) -> Value {
    let (st, units) = s.get("/api/v1/rect/units?page_size=200").await;
    let units = units["items"].clone();
    assert_eq!(st, StatusCode::OK, "{units}");
    units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == "江岭省财政厅")
        .cloned()
        .unwrap_or_else(|| panic!("no 财政厅 unit: {units}"))
}

fn measure(content: &str, deadline: Option<&str>, days: Option<i64>) -> Value {
    json!({ "kind": "deadline", "content": content, "target": "整改到位", "responsible_leader": "李副厅长",
            "lead_dept": "办公室", "co_depts": ["人事处"], "deadline": deadline, "deadline_working_days": days })
}

pub(crate) async fn approved_plan(liaison: &Session, director: &Session) -> (i64, Vec<i64>) {
    let (uid, ids, pid, version) = submitted_plan(liaison).await;
    approve_plan(director, pid, &version).await;
    (uid, ids)
}

/// Plan `pid` (at `version`) approved by both review bodies.
pub(crate) async fn approve_plan(director: &Session, pid: i64, version: &Value) {
    let (st, ok) = crate::approve_by_both_bodies(director, pid, version).await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["plan"]["state"], "APPROVED");
}

/// The 财政厅 unit and the findings its fresh plan lists: (unit, finding ids).
pub(crate) async fn finance_plan_items(liaison: &Session) -> (i64, Vec<i64>) {
    let unit = finance_unit(liaison).await;
    let uid = unit["id"].as_i64().unwrap();
    let (_, view) = liaison.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
    let ids: Vec<i64> = view["plan"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["finding_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{view}");
    (uid, ids)
}

/// Unit `uid`'s plan saved with `items` (signed by 张厅长) and submitted: (plan id, plan version).
pub(crate) async fn submit_plan(liaison: &Session, uid: i64, items: Value) -> (i64, Value) {
    let (st, saved) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-20"), "summary": "党组专题研究",
                    "items": items, "version": 0 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    let pid = saved["plan"]["id"].as_i64().unwrap();
    let (st, sub) = liaison
        .post_version(&format!("/api/v1/rect/plans/{pid}/submit"), &saved["plan"])
        .await;
    assert_eq!(st, StatusCode::OK, "{sub}");
    (pid, sub["plan"]["version"].clone())
}

/// The 财政厅 unit's plan, drafted and submitted: (unit, finding ids, plan id, plan version).
async fn submitted_plan(liaison: &Session) -> (i64, Vec<i64>, i64, Value) {
    let (uid, ids) = finance_plan_items(liaison).await;
    let items = json!([ { "finding_id": ids[0], "measures": [measure("修订决策规则", Some(crate::shift("2027-03-31").as_str()), None)] },
                        { "finding_id": ids[1], "measures": [measure("规范选人用人", None, Some(20))] } ]);
    let (pid, version) = submit_plan(liaison, uid, items).await;
    (uid, ids, pid, version)
}

async fn plan_review_progress_and_two_step_write_off(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&liaison).await;
    let uid = unit["id"].as_i64().unwrap();
    assert!(unit["plan_state"].is_null());

    // A fresh draft lists every fed-back problem without measures.
    let (_, view) = liaison.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
    assert_eq!(view["can_edit"], true);
    assert_eq!(view["plan"]["bodies"], json!(["巡察组", "巡察办"]));
    let items = view["plan"]["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    let ids: Vec<i64> = items
        .iter()
        .map(|i| i["finding_id"].as_i64().unwrap())
        .collect();

    // Bad measures name their fields.
    let (st, bad) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "items": [ { "finding_id": ids[0], "measures": [ { "kind": "限期整改", "content": "", "responsible_leader": "",
                    "lead_dept": "办公室", "deadline": "2027/13/01" } ] } ], "version": 0 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let fields: Vec<&str> = bad["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"items[0].measures[0].content"), "{bad}");
    assert!(fields.contains(&"items[0].measures[0].deadline"), "{bad}");
    chinese(&bad);

    // Save with one item missing a measure: submitting is refused and names the item; so is an
    // unsigned plan.
    let (st, saved) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "items": [ { "finding_id": ids[0], "measures": [measure("修订决策规则", Some(crate::shift("2027-03-31").as_str()), None)] } ], "version": 0 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    let pid = saved["plan"]["id"].as_i64().unwrap();
    let (st, e) = liaison
        .post_version(&format!("/api/v1/rect/plans/{pid}/submit"), &saved["plan"])
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert!(chinese(&e).contains("主要负责人"), "{e}");
    let (st, saved) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-20"),
                    "items": [ { "finding_id": ids[0], "measures": [measure("修订决策规则", Some(crate::shift("2027-03-31").as_str()), None)] } ],
                    "version": saved["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, e) = liaison
        .post_version(&format!("/api/v1/rect/plans/{pid}/submit"), &saved["plan"])
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "items[1].measures", "{e}");
    let (st, saved) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-20"),
                    "items": [ { "finding_id": ids[0], "measures": [measure("修订决策规则", Some(crate::shift("2027-03-31").as_str()), None)] },
                               { "finding_id": ids[1], "measures": [measure("规范选人用人", None, Some(20))] } ],
                    "version": saved["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    // N working days resolve from the feedback date.
    assert!(
        saved["plan"]["items"][1]["measures"][0]["resolved_deadline"].is_string(),
        "{saved}"
    );
    let (st, sub) = liaison
        .post_version(&format!("/api/v1/rect/plans/{pid}/submit"), &saved["plan"])
        .await;
    assert_eq!(st, StatusCode::OK, "{sub}");
    assert_eq!(sub["plan"]["state"], "SUBMITTED");
    assert_eq!(sub["can_edit"], false);
    // The unit cannot review; the reviewer cannot edit.
    let (st, _) = liaison
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["巡察办"], "decision": "approve", "version": sub["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Each body decides through its own members: the director is not on the team, so cannot
    // decide for 巡察组 (nothing stored); the team's inspector can, and only for 巡察组.
    let (st, e) = director
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["巡察组"], "decision": "approve", "opinion": "基本同意", "version": sub["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    assert!(chinese(&e).contains("巡察组"), "{e}");
    let inspector = login(&app, "prov.inspector").await;
    let (_, seen) = inspector
        .get(&format!("/api/v1/rect/units/{uid}/plan"))
        .await;
    assert_eq!(seen["review_bodies"], json!(["巡察组"]), "{seen}");
    assert_eq!(seen["plan"]["version"], sub["plan"]["version"]);
    let (st, e) = inspector
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["巡察办"], "decision": "approve", "version": sub["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    // 巡察组 approves, 巡察办 returns with a per-item comment: the plan is returned.
    let (st, r1) = inspector
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["巡察组"], "decision": "approve", "opinion": "基本同意", "version": sub["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r1}");
    assert_eq!(r1["plan"]["state"], "SUBMITTED");
    let (st, e) = director
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["宣传部"], "decision": "approve", "version": r1["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&e).contains("宣传部"));
    let (st, r2) = director
        .post(
            &format!("/api/v1/rect/plans/{pid}/review"),
            json!({ "bodies": ["巡察办"], "decision": "return", "opinion": "措施不够具体",
                    "comments": [ { "finding_id": ids[1], "text": "请明确选人用人整改的具体制度" } ], "version": r1["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{r2}");
    assert_eq!(r2["plan"]["state"], "RETURNED");

    // The unit sees the comment and a notification, and revises: revision 2, diff shows the change.
    let (_, view) = liaison.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
    assert_eq!(view["can_edit"], true);
    assert_eq!(
        view["plan"]["items"][1]["comments"][0]["text"],
        "请明确选人用人整改的具体制度"
    );
    let (_, notes) = liaison.get("/api/v1/notifications").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "整改方案被退回修改"),
        "{notes}"
    );
    let (st, rev2) = liaison
        .put(
            &format!("/api/v1/rect/units/{uid}/plan"),
            json!({ "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-21"),
                    "items": [ { "finding_id": ids[0], "measures": [measure("修订决策规则", Some(crate::shift("2027-03-31").as_str()), None)] },
                               { "finding_id": ids[1], "measures": [measure("制定《干部选拔任用工作规程》", Some(crate::shift("2027-02-28").as_str()), None)] } ],
                    "version": view["plan"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{rev2}");
    assert_eq!(rev2["plan"]["revision"], 2);
    assert_eq!(rev2["revisions"].as_array().unwrap().len(), 2);
    let pid2 = rev2["plan"]["id"].as_i64().unwrap();
    let (_, diff) = liaison
        .get(&format!("/api/v1/rect/plans/{pid2}/diff"))
        .await;
    assert_eq!(diff["previous_revision"], 1);
    let changes = diff["changes"].as_array().unwrap();
    assert_eq!(changes.len(), 1, "{diff}");
    assert_eq!(changes[0]["finding_id"], ids[1]);
    assert_eq!(changes[0]["change"], "changed");
    assert_eq!(
        changes[0]["after"][0]["content"],
        "制定《干部选拔任用工作规程》"
    );
    let (_, sub2) = liaison
        .post_version(&format!("/api/v1/rect/plans/{pid2}/submit"), &rev2["plan"])
        .await;
    let (st, ok) = crate::approve_by_both_bodies(&director, pid2, &sub2["plan"]["version"]).await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["plan"]["state"], "APPROVED");
    // 抄告 reaches the supervising leader at the office.
    let leader = login(&app, "prov.leader").await;
    let (_, notes) = leader.get("/api/v1/notifications?unread=true").await;
    assert!(
        notes["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["title"] == "抄告：江岭省财政厅整改方案已审定"),
        "{notes}"
    );
    assert!(notes["unread"].as_i64().unwrap() >= 1);

    // The items are in progress with their deadlines; the trail shows 报账 → 交账 → 转账.
    let item = item_of(&liaison, ids[0]).await;
    assert_eq!(item["row"]["state"], "IN_PROGRESS", "{item}");
    assert_eq!(item["row"]["deadline"], crate::shift("2027-03-31"));
    assert_eq!(item["measures"][0]["lead_dept"], "办公室");
    let trail: Vec<bool> = item["trail"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["done"].as_bool().unwrap())
        .collect();
    assert_eq!(trail, [true, true, true, false, false]);
    assert!(
        item["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("progress"))
    );

    // Progress: a wrong type, a file whose bytes lie and a future effective date are refused,
    // each naming what is wrong; nothing is stored.
    let path = format!("/api/v1/rect/findings/{}/progress", ids[0]);
    let (st, e) = multipart(
        &liaison,
        &path,
        &[
            ("content", "进展"),
            ("effective_date", crate::shift("2026-11-01").as_str()),
        ],
        &[("a.exe", b"MZ\x90\x00")],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&e).contains("a.exe"), "{e}");
    let (st, e) = multipart(
        &liaison,
        &path,
        &[
            ("content", "进展"),
            ("effective_date", crate::shift("2026-11-01").as_str()),
        ],
        &[("照片.jpg", PDF)],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&e).contains("照片.jpg"), "{e}");
    let (st, e) = multipart(
        &liaison,
        &path,
        &[("content", "进展"), ("effective_date", "2099-01-01")],
        &[],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "effective_date");
    // Two reports with the same file name: immutable versions, one stored copy per content.
    let (st, p1) = multipart(
        &liaison,
        &path,
        &[
            ("content", "已召开党组会研究整改"),
            ("effective_date", crate::shift("2026-11-01").as_str()),
        ],
        &[("会议纪要.pdf", PDF)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{p1}");
    let v2 = [PDF, b"% v2\n".as_slice()].concat();
    let (st, _) = multipart(
        &liaison,
        &path,
        &[
            ("content", "印发新规则"),
            ("effective_date", crate::shift("2026-11-10").as_str()),
            ("outcome", "in_progress"),
        ],
        &[("会议纪要.pdf", &v2)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let item = item_of(&liaison, ids[0]).await;
    let files: Vec<&Value> = item["progress"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|p| p["files"].as_array().unwrap())
        .collect();
    assert_eq!(files.len(), 2);
    assert_eq!(files[0]["version_no"], 1);
    assert_eq!(files[1]["version_no"], 2);
    assert_eq!(files[0]["effective_date"], crate::shift("2026-11-01"));
    assert_eq!(
        files[0]["hash"],
        xuncha_domain::audit::sm3_hex(PDF),
        "the SM3 of the bytes"
    );
    let (st, ct, got) = bytes(&liaison, files[0]["url"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ct, "application/pdf");
    assert_eq!(got, PDF);

    // Write-off: requested, returned with a reason (a return without one is refused), requested
    // again, verified → CLOSED.
    let wpath = format!("/api/v1/rect/findings/{}/write-off", ids[0]);
    let (st, e) = multipart(
        &liaison,
        &wpath,
        &[("outcome", "not_completed"), ("explanation", "x")],
        &[],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let (st, w1) = multipart(
        &liaison,
        &wpath,
        &[
            ("outcome", "completed"),
            ("explanation", "新规则已印发执行"),
        ],
        &[("印发通知.pdf", PDF)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{w1}");
    let w1 = w1["id"].as_i64().unwrap();
    let (st, e) = director
        .post(
            &format!("/api/v1/rect/write-offs/{w1}/decide"),
            json!({ "decision": "return", "reason": " ", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    chinese(&e);
    let (st, back) = director
        .post(
            &format!("/api/v1/rect/write-offs/{w1}/decide"),
            json!({ "decision": "return", "reason": "缺少执行情况佐证", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{back}");
    assert_eq!(back["row"]["state"], "IN_PROGRESS");
    assert_eq!(back["write_offs"][0]["state"], "RETURNED");
    let (st, w2) = multipart(
        &liaison,
        &wpath,
        &[("outcome", "completed"), ("explanation", "补充执行情况")],
        &[("执行情况.pdf", PDF)],
    )
    .await;
    assert_eq!(st, StatusCode::CREATED);
    let w2 = w2["id"].as_i64().unwrap();
    let (st, done) = director
        .post(
            &format!("/api/v1/rect/write-offs/{w2}/decide"),
            json!({ "decision": "verify", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["row"]["state"], "CLOSED");
    assert_eq!(done["row"]["outcome"], "completed");
    assert!(done["row"]["closed_on"].is_string());
    assert_eq!(done["write_offs"][0]["state"], "RETURNED", "history kept");
    assert_eq!(done["trail"][4]["done"], true);
    assert!(
        done["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("reopen"))
    );

    // Statistics: of this unit's 2 items, 1 completed → 50%.
    let (_, stats) = director
        .get(&format!(
            "/api/v1/rect/stats?group=unit&round_id={}",
            unit["round_id"]
        ))
        .await;
    let row = stats["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["label"] == "江岭省财政厅")
        .unwrap();
    assert_eq!(row["stats"]["total"], 2);
    assert_eq!(row["stats"]["completed"], 1);
    assert_eq!(row["stats"]["completion_rate"], 50.0);

    // 回头看 reopens the closed item; history stays.
    let (st, re) = director
        .post(
            &format!("/api/v1/rect/findings/{}/reopen", ids[0]),
            json!({ "reason": "回头看发现问题反弹", "version": done["row"]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{re}");
    assert_eq!(re["row"]["state"], "REOPENED");
    assert!(re["row"]["closed_on"].is_null());
    assert_eq!(re["write_offs"].as_array().unwrap().len(), 2);
    let tos: Vec<&str> = re["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["to"].as_str().unwrap())
        .collect();
    assert!(
        tos.ends_with(&[
            "CLOSE_REQUESTED",
            "IN_PROGRESS",
            "CLOSE_REQUESTED",
            "CLOSED",
            "REOPENED"
        ]),
        "{tos:?}"
    );

    // Outcomes roll up: money in integer fen.
    let (st, _) = liaison
        .post(
            &format!("/api/v1/rect/findings/{}/outcomes", ids[1]),
            json!({ "kind": "money_returned", "detail": "清退违规津贴", "amount_fen": 1234567 }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, e) = liaison
        .post(
            &format!("/api/v1/rect/findings/{}/outcomes", ids[1]),
            json!({ "kind": "money_returned", "detail": "x", "amount_fen": -1 }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "amount_fen");
    let (_, stats) = director
        .get(&format!("/api/v1/rect/stats?org_id={}", unit["org_id"]))
        .await;
    let money = stats["outcomes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["kind"] == "money_returned")
        .unwrap_or_else(|| panic!("{stats}"));
    assert_eq!(money["amount_fen"], 1234567);
    assert_eq!(money["kind_name"], "退缴金额");

    // The evidence archive of the unit holds every file and a manifest with hashes.
    let (st, ct, zip) = bytes(
        &director,
        &format!("/api/v1/rect/archive?org_id={}", unit["org_id"]),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(ct, "application/zip");
    let mut ar = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let names: Vec<String> = (0..ar.len())
        .map(|i| ar.by_index(i).unwrap().name().unwrap().to_string())
        .collect();
    assert_eq!(names.len(), 5, "{names:?}");
    assert!(
        names.iter().any(|n| n.ends_with("2-会议纪要.pdf")),
        "{names:?}"
    );
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut ar.by_name("清单.csv").unwrap(), &mut manifest).unwrap();
    assert!(manifest.contains(&xuncha_domain::audit::sm3_hex(PDF)));
}

async fn deadlines_warnings_extensions_and_letters(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (uid, ids) = approved_plan(&liaison, &director).await;
    let (_, clock) = director.get("/api/v1/testing/clock").await;
    let today = clock["today"].as_str().unwrap().to_string();
    let item = item_of(&liaison, ids[1]).await;
    let deadline = item["row"]["deadline"].as_str().unwrap().to_string();
    assert!(deadline > today, "20 working days from feedback");
    assert_eq!(item["row"]["warning"], "green");

    // An extension moves the deadline; the original stays and the extension counts.
    let mid = item["measures"][0]["id"].as_i64().unwrap();
    let (st, e) = liaison
        .post(
            &format!("/api/v1/rect/findings/{}/extensions", ids[1]),
            json!({ "measure_id": mid, "new_deadline": "2020-01-01", "reason": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "new_deadline");
    let (st, x) = liaison
        .post(
            &format!("/api/v1/rect/findings/{}/extensions", ids[1]),
            json!({ "measure_id": mid, "new_deadline": crate::shift("2027-06-30"), "reason": "制度须经省委审定" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{x}");
    let (_, pending) = director
        .get("/api/v1/rect/extensions?state=PENDING&page_size=200")
        .await;
    let pending = pending["items"].clone();
    assert_eq!(pending.as_array().unwrap().len(), 1);
    let (_, attention) = director.get("/api/v1/rect/ledger?view=attention").await;
    assert!(
        attention["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == ids[1]),
        "a pending extension needs attention: {attention}"
    );
    let (st, dx) = director
        .post(
            &format!("/api/v1/rect/extensions/{}/decide", x["id"]),
            json!({ "approve": true, "opinion": "同意延期" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{dx}");
    let item = item_of(&liaison, ids[1]).await;
    assert_eq!(item["row"]["deadline"], crate::shift("2027-06-30"));
    assert_eq!(item["row"]["original_deadline"], deadline);
    assert_eq!(item["row"]["extensions"], 1);
    assert_eq!(item["measures"][0]["original_deadline"], deadline);

    // Nothing is overdue yet: no letter to suggest.
    let (_, sug) = director.get("/api/v1/rect/letters/suggestions").await;
    assert!(
        !sug.as_array()
            .unwrap()
            .iter()
            .any(|s| s["round_unit_id"] == uid)
    );

    // Move the clock 150 days, past 2027-03-31 but not 2027-06-30: the first item goes red; the
    // scheduler warns the unit.
    let (st, moved) = director
        .post("/api/v1/testing/clock", json!({ "advance_days": 150 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    let (_, red) = director
        .get(&format!(
            "/api/v1/rect/ledger?warning=red&round_unit_id={uid}"
        ))
        .await;
    assert!(red["items"].is_array(), "{red}");
    let red_ids: Vec<i64> = red["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(red_ids.contains(&ids[0]), "{red}");
    assert!(red["items"][0]["overdue_days"].as_i64().unwrap() > 0);
    let (_, notes) = liaison.get("/api/v1/notifications").await;
    let warnings = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "warning" && n["title"].as_str().unwrap().contains("红色预警"))
        .count();
    assert!(warnings >= 1, "{notes}");
    // Running the scheduler again sends nothing twice.
    director
        .post("/api/v1/testing/clock", json!({ "advance_days": 0 }))
        .await;
    let (_, notes2) = liaison.get("/api/v1/notifications").await;
    assert_eq!(
        notes2["items"].as_array().unwrap().len(),
        notes["items"].as_array().unwrap().len()
    );

    // The ladder suggests a 提醒函; issuing it generates the .docx and records it.
    let (_, sug) = director.get("/api/v1/rect/letters/suggestions").await;
    let s = crate::find(&sug, "round_unit_id", &uid).clone();
    assert_eq!(
        s["letter_type"], "reminder",
        "the ladder starts at its first rung: {s}"
    );
    assert_eq!(s["finding_ids"], json!([ids[0]]));
    let (st, e) = liaison
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": uid, "letter_type": "reminder", "finding_ids": [], "requirement": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    // One rung at a time, for open overdue items, with a new deadline after today.
    let (st, e) = director
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": uid, "letter_type": "supervision", "finding_ids": s["finding_ids"], "requirement": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "letter_type");
    let (st, e) = director
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": uid, "letter_type": "reminder", "finding_ids": [ids[1]], "requirement": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "not overdue: {e}");
    assert_eq!(e["fields"][0]["field"], "finding_ids");
    let (st, e) = director
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": uid, "letter_type": "reminder", "finding_ids": s["finding_ids"], "requirement": "x", "new_deadline": crate::shift("2026-12-01") }),
        )
        .await;
    assert_eq!(
        st,
        StatusCode::UNPROCESSABLE_ENTITY,
        "a past new deadline: {e}"
    );
    assert_eq!(e["fields"][0]["field"], "new_deadline");
    let (st, letter) = director
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": uid, "letter_type": s["letter_type"], "finding_ids": s["finding_ids"],
                    "requirement": "请于10个工作日内完成整改并书面报告", "new_deadline": crate::shift("2028-01-31") }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{letter}");
    assert!(
        letter["doc_no"].as_str().unwrap().contains("巡办督"),
        "{letter}"
    );
    let (st, ct, docx) = bytes(&director, letter["url"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    assert!(ct.contains("wordprocessingml"));
    let text = xuncha_office::docx::extract_text(&docx).unwrap().join("\n");
    assert!(text.contains("提醒函"), "{text}");
    assert!(text.contains(letter["doc_no"].as_str().unwrap()));
    assert!(text.contains("“三重一大”决策制度执行不严格"), "{text}");
    // The unit sees the letter on the item and in its notifications; the next rung follows.
    let item = item_of(&liaison, ids[0]).await;
    assert_eq!(item["letters"].as_array().unwrap().len(), 1);
    let (_, sug) = director.get("/api/v1/rect/letters/suggestions").await;
    let next = crate::find(&sug, "round_unit_id", &uid);
    assert_eq!(next["letter_type"], "supervision");

    // Statistics on the moved date: 1 overdue, 1 extended.
    let (_, stats) = director
        .get(&format!(
            "/api/v1/rect/stats?org_id={}",
            org_id(&app, "99-D05").await
        ))
        .await;
    assert_eq!(stats["totals"]["total"], 2);
    assert_eq!(stats["totals"]["overdue"], 1, "{stats}");
    assert_eq!(stats["totals"]["extended"], 1);
    assert_eq!(stats["totals"]["extensions"], 1);
    assert_eq!(stats["totals"]["ageing"]["d180_plus"], 0);
    assert_eq!(stats["totals"]["ageing"]["d0_30"], 1);

    // The ledger export carries the 台账 columns and both items.
    let (st, _, xlsx) = bytes(
        &director,
        &format!("/api/v1/rect/ledger/export?round_unit_id={uid}"),
    )
    .await;
    assert_eq!(st, StatusCode::OK);
    let table = xuncha_office::read_table(&xlsx, "l.xlsx").unwrap();
    assert_eq!(table.headers[2], "问题");
    assert_eq!(table.headers[8], "整改时限");
    assert_eq!(table.rows.len(), 2);
    assert!(
        table.rows.iter().any(|(_, r)| r[10] == "1"),
        "extension count column"
    );
}

/// A fed-back round unit of a county office about one of its townships, with one finding.
async fn county_unit(app: &App, county: &str, town: &str) -> (i64, i64) {
    use super::assessment::{StoreRound, fed_back_round, finding_draft, round_draft};
    use time::macros::date;
    let round = StoreRound {
        term: format!("{county}届"),
        depth: 3,
        round: round_draft(
            format!("{county}第一轮"),
            date!(2026 - 03 - 01),
            date!(2026 - 05 - 31),
            "x",
        ),
        reporting_on: crate::shift_date(date!(2026 - 04 - 01)),
        fed_back_on: crate::shift_date(date!(2026 - 06 - 01)),
    };
    let finding = finding_draft(format!("{town}村级财务管理混乱"), "x", "x");
    let (unit, ids) = fed_back_round(
        app,
        org_id(app, county).await,
        org_id(app, town).await,
        round,
        &[finding],
    )
    .await;
    (unit, ids[0])
}

async fn county_users_cannot_reach_another_countys_ledger(app: App) {
    let (_own_unit, own_item) = county_unit(&app, "990101", "990101001").await;
    let (other_unit, other_item) = county_unit(&app, "990102", "990102001").await;
    // The other county's office sees its own item.
    let other = login(&app, "county0102.director").await;
    let view = item_of(&other, other_item).await;
    assert_eq!(view["row"]["state"], "FED_BACK", "{view}");
    // The other county's item gets an approved plan and evidence (through the store: that
    // county's unit has no liaison account in the demo).
    let link_id = {
        use xuncha_domain::rectification::ReviewDecision;
        use xuncha_store::rectification::{self as rect, ItemSnap, MeasureSnap, PlanDraft, Upload};
        let (db, all) = (&app.db, xuncha_store::scope::Scope::unrestricted());
        let actor = xuncha_store::audit::Actor::system("test");
        let snap = MeasureSnap {
            kind: "deadline".into(),
            content: "整改".into(),
            target: String::new(),
            responsible_leader: "某".into(),
            lead_dept: "办公室".into(),
            co_depts: vec![],
            deadline: Some(crate::shift("2027-01-01")),
            deadline_working_days: None,
            resolved_deadline: Some(crate::shift("2027-01-01")),
        };
        let draft = PlanDraft {
            principal_leader: "某书记".into(),
            signed_on: Some(crate::shift_date(time::macros::date!(2026 - 06 - 02))),
            summary: String::new(),
            items: vec![ItemSnap {
                finding_id: other_item.into(),
                measures: vec![snap],
            }],
        };
        let p = rect::save_plan(db, &actor, &all, other_unit.into(), &draft, 0)
            .await
            .unwrap();
        let p = rect::submit_plan(db, &actor, &all, p.id, p.version)
            .await
            .unwrap();
        let (cfg, _) = rect::settings(db, rect::unit_office(db, other_unit.into()).await.unwrap())
            .await
            .unwrap();
        let parse = |_: &MeasureSnap| Some(crate::shift_date(time::macros::date!(2027 - 01 - 01)));
        rect::review_plan(
            db,
            &actor,
            &all,
            p.id,
            &cfg.review_bodies,
            ReviewDecision::Approve,
            "",
            &[],
            p.version,
            &parse,
        )
        .await
        .unwrap();
        rect::add_progress(
            db,
            &actor,
            &all,
            other_item.into(),
            "进展",
            crate::shift_date(time::macros::date!(2026 - 06 - 02)),
            None,
            &[Upload {
                name: "其他县.pdf".into(),
                media_type: "application/pdf".into(),
                bytes: PDF.to_vec(),
            }],
        )
        .await
        .unwrap();
        rect::item_files(db, other_item.into()).await.unwrap()[0].id
    };
    let me = login(&app, "county0101.director").await;
    // List, detail, search, export, archive, statistics, units, plan, letters, files.
    let (_, own_view) = me.get(&format!("/api/v1/rect/findings/{own_item}")).await;
    assert_eq!(own_view["row"]["id"], own_item);
    let (_, ledger) = me.get("/api/v1/rect/ledger?page_size=200").await;
    let ids: Vec<i64> = ledger["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_i64().unwrap())
        .collect();
    assert!(ids.contains(&own_item));
    assert!(!ids.contains(&other_item), "{ledger}");
    let (_, search) = me.get("/api/v1/rect/ledger?q=990102001").await;
    assert_eq!(search["total"], 0);
    let (st, _) = me.get(&format!("/api/v1/rect/findings/{other_item}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = me
        .get(&format!(
            "/api/v1/rect/ledger?org_id={}",
            org_id(&app, "990102").await
        ))
        .await;
    assert_eq!(st, StatusCode::OK);
    let (_, by_other_org) = me
        .get(&format!(
            "/api/v1/rect/ledger?org_id={}",
            org_id(&app, "990102").await
        ))
        .await;
    assert_eq!(by_other_org["total"], 0);
    let (_, _, xlsx) = bytes(&me, "/api/v1/rect/ledger/export").await;
    let table = xuncha_office::read_table(&xlsx, "l.xlsx").unwrap();
    assert!(
        table.rows.iter().all(|(_, r)| !r[2].contains("990102001")),
        "export"
    );
    assert_eq!(table.rows.len(), 1);
    let (_, stats) = me.get("/api/v1/rect/stats").await;
    assert_eq!(stats["totals"]["total"], 1);
    let (_, units) = me.get("/api/v1/rect/units?page_size=200").await;
    let units = units["items"].clone();
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != other_unit)
    );
    for path in [
        format!("/api/v1/rect/units/{other_unit}/plan"),
        format!("/api/v1/rect/units/{other_unit}/reports"),
    ] {
        let (st, _) = me.get(&path).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
    }
    let (st, _) = me
        .post(
            "/api/v1/rect/letters",
            json!({ "round_unit_id": other_unit, "letter_type": "reminder", "finding_ids": [], "requirement": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, _) = me
        .post(
            &format!("/api/v1/rect/findings/{other_item}/reopen"),
            json!({ "reason": "x", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (_, ct, zip) = bytes(&me, "/api/v1/rect/archive").await;
    assert_eq!(ct, "application/zip");
    let mut ar = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut manifest = String::new();
    std::io::Read::read_to_string(&mut ar.by_name("清单.csv").unwrap(), &mut manifest).unwrap();
    assert!(!manifest.contains("990102001"));
    for path in [
        format!("/api/v1/rect/files/{link_id}"),
        "/api/v1/rect/extensions?state=PENDING".to_string(),
    ] {
        let (st, _, body) = bytes(&me, &path).await;
        if path.contains("files") {
            assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
        } else {
            let page: serde_json::Value = serde_json::from_slice(&body).unwrap();
            assert_eq!(
                (page["items"].clone(), page["total"].clone()),
                (json!([]), json!(0)),
                "{path}"
            );
        }
    }
    // The province sees both.
    let prov = login(&app, "prov.director").await;
    let (st, _) = prov
        .get(&format!("/api/v1/rect/findings/{other_item}"))
        .await;
    assert_eq!(st, StatusCode::OK);
}

async fn ledger_import_and_holidays_report_bad_rows_and_store_nothing(app: App) {
    let director = login(&app, "prov.director").await;
    let unit = finance_unit(&director).await;
    let uid = unit["id"].as_i64().unwrap();
    let before = unit["total"].as_i64().unwrap();
    let path = format!("/api/v1/rect/units/{uid}/ledger/import");
    let bad = "问题,问题类别,整改措施,责任领导,牵头部门,配合部门,整改时限,整改状态\n\
               公务接待超标准,,规范接待,刘处长,办公室,财务处,2027-01-31,正在整改\n\
               ,,规范,刘处长,办公室,,2027-02-30,已完成\n\
               会议费管理不规范,不存在的类别,规范会议费,,财务处,,2027-03-31,差不多\n";
    let (st, e) = multipart(&director, &path, &[], &[("台账.csv", bad.as_bytes())]).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    let errs: Vec<(i64, String)> = e["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| {
            (
                x["row"].as_i64().unwrap(),
                x["column"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        (3, "问题"),
        (3, "整改时限"),
        (4, "问题类别"),
        (4, "责任领导"),
        (4, "整改状态"),
    ] {
        assert!(
            errs.contains(&(want.0, want.1.to_string())),
            "{want:?} in {errs:?}"
        );
    }
    assert!(
        !errs.iter().any(|(r, _)| *r == 2),
        "row 2 is fine: {errs:?}"
    );
    let (_, after) = director
        .get(&format!("/api/v1/rect/ledger?round_unit_id={uid}"))
        .await;
    assert_eq!(after["total"].as_i64().unwrap(), before, "nothing stored");
    let good = "问题,整改措施,责任领导,牵头部门,配合部门,整改时限,整改状态\n\
                公务接待超标准,规范接待,刘处长,办公室,财务处、审计处,2027/1/31,正在整改\n\
                会议费管理不规范,规范会议费,刘处长,财务处,,2026年6月30日,已完成\n";
    let (st, ok) = multipart(&director, &path, &[], &[("台账.csv", good.as_bytes())]).await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["imported"], 2);
    let (_, after) = director
        .get(&format!(
            "/api/v1/rect/ledger?round_unit_id={uid}&q=公务接待"
        ))
        .await;
    assert_eq!(after["items"][0]["deadline"], "2027-01-31");
    assert_eq!(after["items"][0]["state"], "IN_PROGRESS");
    let (_, item) = director
        .get(&format!(
            "/api/v1/rect/findings/{}",
            after["items"][0]["id"]
        ))
        .await;
    assert_eq!(item["measures"][0]["co_depts"], json!(["财务处", "审计处"]));
    // The unit's liaison cannot import.
    let liaison = login(&app, "dept.liaison").await;
    let (st, _) = multipart(&liaison, &path, &[], &[("台账.csv", good.as_bytes())]).await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // Holidays: bad rows reported, nothing stored; then 2027 Spring Festival with 调休.
    let bad = "日期,类型,名称\n2027-02-06,放假,春节\n2027-02-30,放假,春节\n2027-02-07,上课,春节\n";
    let (st, e) = multipart(
        &director,
        "/api/v1/rect/holidays/import",
        &[],
        &[("h.csv", bad.as_bytes())],
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["errors"].as_array().unwrap().len(), 2);
    let (_, none) = director.get("/api/v1/rect/holidays?year=2027").await;
    assert_eq!(none, json!([]));
    let good = "日期,类型,名称\n2027-02-05,放假,春节\n2027-02-08,放假,春节\n2027-02-09,放假,春节\n2027-02-07,调休上班,春节\n";
    let (st, ok) = multipart(
        &director,
        "/api/v1/rect/holidays/import",
        &[],
        &[("h.csv", good.as_bytes())],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    let (_, days) = director.get("/api/v1/rect/holidays?year=2027").await;
    assert_eq!(days.as_array().unwrap().len(), 4);
    assert_eq!(days[1]["date"], "2027-02-07");
    assert_eq!(days[1]["kind"], "workday");

    // Settings are validated and versioned.
    let (_, s) = director.get("/api/v1/rect/settings").await;
    let mut bad = s.clone();
    bad["review_bodies"] = json!([]);
    bad["yellow_within"] = json!(99);
    let (st, e) = director.put("/api/v1/rect/settings", bad).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = e["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["review_bodies", "yellow_within"]);
    let mut five = s.clone();
    five["review_bodies"] = json!(["纪委监委", "组织部", "宣传部", "巡察办", "巡察组"]);
    let (st, saved) = director.put("/api/v1/rect/settings", five.clone()).await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    assert_eq!(saved["version"], 1);
    let (st, _) = director.put("/api/v1/rect/settings", five).await;
    assert_eq!(st, StatusCode::CONFLICT, "stale version");
}

async fn reports_meetings_and_filing_upward(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (uid, _) = approved_plan(&liaison, &director).await;
    let path = format!("/api/v1/rect/units/{uid}/reports");
    let (st, e) = liaison
        .post(
            &path,
            json!({ "kind": "life_meeting", "title": "专题民主生活会情况报告", "content": "对照反馈问题逐一检视",
                    "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-21") }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "meeting_date");
    let (st, meeting) = liaison
        .post(
            &path,
            json!({ "kind": "life_meeting", "title": "专题民主生活会情况报告", "content": "对照反馈问题逐一检视",
                    "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-21"), "meeting_date": crate::shift("2026-11-18"),
                    "participants": "党组成员" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{meeting}");
    let (st, report) = liaison
        .post(
            &path,
            json!({ "kind": "rect_report", "title": "关于巡察整改情况的报告", "content": "党组高度重视巡察反馈意见。",
                    "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-21") }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let (st, filed) = liaison
        .post(
            &format!("/api/v1/rect/reports/{}/file", report["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{filed}");
    assert_eq!(filed["filed_to_name"], "江岭省");
    let (st, again) = liaison
        .post(
            &format!("/api/v1/rect/reports/{}/file", report["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{again}");
    let (_, notes) = director.get("/api/v1/notifications").await;
    assert!(crate::any_has(&notes["items"], "title", "报备"), "{notes}");
    let (st, _, docx) = bytes(&director, report["url"].as_str().unwrap()).await;
    assert_eq!(st, StatusCode::OK);
    let text = xuncha_office::docx::extract_text(&docx).unwrap().join("\n");
    assert!(text.contains("关于巡察整改情况的报告"));
    assert!(text.contains("整改完成率"), "{text}");
    assert!(text.contains("张厅长"));
    let (_, list) = director.get(&path).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

/// A minimal SMTP relay that accepts every message and hands its DATA to `tx`.
async fn fake_relay() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((sock, _)) = listener.accept().await else {
                return;
            };
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 fake ESMTP\r\n").await.unwrap();
                let mut data: Option<String> = None;
                while let Ok(Some(line)) = lines.next_line().await {
                    if let Some(d) = data.as_mut() {
                        if line == "." {
                            tx.send(std::mem::take(d)).unwrap();
                            data = None;
                            w.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            d.push_str(&line);
                            d.push('\n');
                        }
                        continue;
                    }
                    let verb = line.split(' ').next().unwrap_or("").to_ascii_uppercase();
                    let answer: &[u8] = match verb.as_str() {
                        "EHLO" | "HELO" => b"250 fake\r\n",
                        "DATA" => {
                            data = Some(String::new());
                            b"354 go\r\n"
                        }
                        "QUIT" => {
                            w.write_all(b"221 bye\r\n").await.unwrap();
                            return;
                        }
                        _ => b"250 ok\r\n",
                    };
                    w.write_all(answer).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

async fn notifications_are_emailed_through_the_relay(
    mut rx: tokio::sync::mpsc::UnboundedReceiver<String>,
    app: App,
) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (st, e) = liaison
        .put(
            "/api/v1/notifications/settings",
            json!({ "email": "不是邮箱" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(e["fields"][0]["field"], "email");
    let (st, saved) = liaison
        .put(
            "/api/v1/notifications/settings",
            json!({ "email": "liaison@czt.example.gov.cn" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{saved}");
    assert_eq!(saved["mail_enabled"], true);
    // Plan approval notifies the unit; the scheduler run after moving the clock mails it.
    approved_plan(&liaison, &director).await;
    director
        .post("/api/v1/testing/clock", json!({ "advance_days": 0 }))
        .await;
    let mail = tokio::time::timeout(std::time::Duration::from_secs(10), rx.recv())
        .await
        .expect("a mail within 10 s")
        .unwrap();
    assert!(mail.contains("liaison@czt.example.gov.cn"), "{mail}");
    assert!(mail.to_ascii_lowercase().contains("subject:"), "{mail}");
    // Mailed once: a second run sends nothing new.
    director
        .post("/api/v1/testing/clock", json!({ "advance_days": 0 }))
        .await;
    assert!(
        tokio::time::timeout(std::time::Duration::from_millis(500), rx.recv())
            .await
            .is_err()
    );
}

mod mail {
    use super::super::{pg_app_with, sqlite_app_with};
    use xuncha_api::ApiConfig;

    fn config(port: u16) -> ApiConfig {
        ApiConfig {
            smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
            smtp_from: "xuncha@jl.example.gov.cn".into(),
            ..ApiConfig::default()
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        let (port, rx) = super::fake_relay().await;
        super::notifications_are_emailed_through_the_relay(rx, sqlite_app_with(config(port)).await)
            .await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        let (port, rx) = super::fake_relay().await;
        super::notifications_are_emailed_through_the_relay(rx, pg_app_with(config(port)).await)
            .await;
    }
}

async fn long_term_items_report_periodically_and_views(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (uid, ids) = approved_plan(&liaison, &director).await;
    let item = long_term_item(&liaison, &director, ids[1]).await;
    assert_eq!(item["row"]["outcome"], "basically_completed");
    // A long-term item still reports and may ask for the final write-off later.
    let item = item_of(&liaison, ids[1]).await;
    assert!(
        item["actions"]
            .as_array()
            .unwrap()
            .contains(&json!("write_off"))
    );
    let (_, stats) = director
        .get(&format!(
            "/api/v1/rect/stats?org_id={}",
            org_id(&app, "99-D05").await
        ))
        .await;
    assert_eq!(stats["totals"]["long_term"], 1);
    assert_eq!(stats["totals"]["completed"], 0);

    // A quarter without progress: the unit is reminded once for the period.
    let count = |v: &Value| {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["kind"] == "long_term")
            .count()
    };
    let (_, before) = liaison.get("/api/v1/notifications").await;
    assert_eq!(count(&before), 0);
    director
        .post("/api/v1/testing/clock", json!({ "advance_days": 95 }))
        .await;
    let (_, after) = liaison.get("/api/v1/notifications").await;
    assert_eq!(count(&after), 1, "{after}");
    director
        .post("/api/v1/testing/clock", json!({ "advance_days": 0 }))
        .await;
    let (_, again) = liaison.get("/api/v1/notifications").await;
    assert_eq!(count(&again), 1);

    // Views: the office sees the rounds it runs; a county office runs none of these.
    let (_, office) = director
        .get(&format!(
            "/api/v1/rect/ledger?view=office&round_unit_id={uid}"
        ))
        .await;
    assert_eq!(office["total"], 2);
    let county = login(&app, "county0101.director").await;
    let (_, none) = county.get("/api/v1/rect/ledger?view=office").await;
    assert_eq!(none["total"], 0);
    let (st, e) = director.get("/api/v1/rect/ledger?warning=purple").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    chinese(&e);
}

/// 会审 through each body's own members (issue 8): with 纪委监委 among the bodies, the
/// province's discipline commission sees the plan and the ledger of its level and decides for
/// 纪委监委 only; the office, the team and the commission each decide for themselves, and the
/// plan is approved when all three have; another level's commission does not see the plan.
async fn review_bodies_decide_through_their_own_members(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (_, s) = director.get("/api/v1/rect/settings").await;
    let mut three = s.clone();
    three["review_bodies"] = json!(["巡察组", "巡察办", "纪委监委"]);
    let (st, saved) = director.put("/api/v1/rect/settings", three).await;
    assert_eq!(st, StatusCode::OK, "{saved}");

    let (uid, _, pid, version) = submitted_plan(&liaison).await;
    let sub = json!({ "plan": { "version": version } });

    // The commission of the province sees the plan and the ledger of its level.
    let discipline = login(&app, "prov.discipline").await;
    let (st, seen) = discipline
        .get(&format!("/api/v1/rect/units/{uid}/plan"))
        .await;
    assert_eq!(st, StatusCode::OK, "{seen}");
    assert_eq!(seen["review_bodies"], json!(["纪委监委"]));
    assert_eq!(seen["can_review"], true);
    let (st, ledger) = discipline.get("/api/v1/rect/ledger").await;
    assert_eq!(st, StatusCode::OK, "{ledger}");
    assert!(ledger["total"].as_i64().unwrap() > 0, "{ledger}");
    let (_, mine) = director
        .get(&format!("/api/v1/rect/units/{uid}/plan"))
        .await;
    assert_eq!(mine["review_bodies"], json!(["巡察办"]));
    // Another level's commission does not.
    for other in ["county0101.discipline", "city01.discipline"] {
        let s = login(&app, other).await;
        let (st, _) = s.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{other}");
    }

    let review = |body: &str, version: &Value| json!({ "bodies": [body], "decision": "approve", "opinion": "同意", "version": version });
    let path = format!("/api/v1/rect/plans/{pid}/review");
    // Nobody decides by proxy: the office not for the commission, the commission not for the
    // office; the refusal stores nothing (the version is unchanged).
    let (st, e) = director
        .post(&path, review("纪委监委", &sub["plan"]["version"]))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    let (st, e) = discipline
        .post(&path, review("巡察办", &sub["plan"]["version"]))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN, "{e}");
    let (st, r1) = director
        .post(&path, review("巡察办", &sub["plan"]["version"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{r1}");
    assert_eq!(r1["plan"]["state"], "SUBMITTED");
    let (st, r2) = discipline
        .post(&path, review("纪委监委", &r1["plan"]["version"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{r2}");
    assert_eq!(r2["plan"]["state"], "SUBMITTED");
    let inspector = login(&app, "prov.inspector").await;
    let (st, r3) = inspector
        .post(&path, review("巡察组", &r2["plan"]["version"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{r3}");
    assert_eq!(r3["plan"]["state"], "APPROVED");
    let status = r3["plan"]["body_status"].as_array().unwrap();
    let by = |b: &str| {
        status
            .iter()
            .find(|x| x["body"] == b)
            .map(|x| x["reviewer_name"].clone())
            .unwrap()
    };
    assert_ne!(by("纪委监委"), by("巡察办"));
}

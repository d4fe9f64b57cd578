//! 三清单一台账, notification titles, acting on the 回头看 list and statistics that never read 0
//! for what the viewer may not see; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::rect::{approve_plan, finance_plan_items, long_term_item, submit_plan};
use super::{App, Session, chinese, item_of, login, pg_app, sqlite_app};

crate::dual!(
    three_lists_beside_the_ledger,
    long_term_write_off_notification_says_long_term,
    revisit_entries_are_scheduled_and_done,
    statistics_say_not_visible_rather_than_zero,
    every_measure_deadline_is_watched,
    long_lists_page_with_a_total,
    ledger_walks_by_cursor,
    statistics_drill_down_by_child_and_page,
);

fn measure(content: &str, leader: &str, dept: &str, deadline: &str) -> Value {
    json!({ "kind": "deadline", "content": content, "target": "整改到位", "responsible_leader": leader,
            "lead_dept": dept, "co_depts": ["财务处"], "deadline": crate::shift(deadline), "deadline_working_days": null })
}

/// The 财政厅 unit's plan approved with four measures: three on the first item (two for
/// 李副厅长/办公室, one for 王副厅长/人事处), one on the second (王副厅长/人事处).
async fn approved_plan(liaison: &Session, director: &Session) -> (i64, Vec<i64>) {
    let (uid, ids) = finance_plan_items(liaison).await;
    let items = json!([ { "finding_id": ids[0], "measures": [
                            measure("修订决策规则", "李副厅长", "办公室", "2027-03-31"),
                            measure("建立决策台账", "李副厅长", "办公室", "2027-02-28"),
                            measure("开展制度培训", "王副厅长", "人事处", "2027-01-31") ] },
                        { "finding_id": ids[1], "measures": [
                            measure("规范选人用人", "王副厅长", "人事处", "2027-04-30") ] } ]);
    let (pid, version) = submit_plan(liaison, uid, items).await;
    approve_plan(director, pid, &version).await;
    (uid, ids)
}

async fn three_lists_beside_the_ledger(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (uid, ids) = approved_plan(&liaison, &director).await;

    // The export: the 台账, then the three lists.
    let (st, xlsx) = director
        .bytes(&format!("/api/v1/rect/ledger/export?round_unit_id={uid}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(
        xuncha_office::sheet_names(&xlsx).unwrap(),
        ["整改台账", "问题清单", "任务清单", "责任清单"]
    );
    let ledger = xuncha_office::read_sheet(&xlsx, "整改台账").unwrap();
    assert_eq!(ledger.rows.len(), 2, "one 台账 line per problem");
    let problems = xuncha_office::read_sheet(&xlsx, "问题清单").unwrap();
    assert_eq!(problems.rows.len(), 2, "one line per problem");
    assert_eq!(problems.headers[3], "问题");
    let tasks = xuncha_office::read_sheet(&xlsx, "任务清单").unwrap();
    assert_eq!(tasks.rows.len(), 4, "one line per measure");
    let col = |t: &xuncha_office::Table, h: &str| t.column(h).unwrap();
    let contents: Vec<&str> = tasks
        .rows
        .iter()
        .map(|(_, r)| r[col(&tasks, "整改措施")].as_str())
        .collect();
    assert!(contents.contains(&"建立决策台账"), "{contents:?}");
    assert!(
        tasks
            .rows
            .iter()
            .all(|(_, r)| r[col(&tasks, "措施状态")] == "整改中"),
        "{:?}",
        tasks.rows
    );
    let owners = xuncha_office::read_sheet(&xlsx, "责任清单").unwrap();
    assert_eq!(owners.rows.len(), 2, "{:?}", owners.rows);
    let li = owners
        .rows
        .iter()
        .find(|(_, r)| r[col(&owners, "责任领导")] == "李副厅长")
        .unwrap();
    assert_eq!(li.1[col(&owners, "牵头部门")], "办公室");
    assert_eq!(li.1[col(&owners, "措施数")], "2");
    assert_eq!(li.1[col(&owners, "未完成数")], "2");
    assert_eq!(li.1[col(&owners, "最近时限")], crate::shift("2027-02-28"));
    assert!(li.1[col(&owners, "负责的整改措施")].contains("修订决策规则"));

    // The same lists as paged views.
    let (st, page) = director
        .get(&format!(
            "/api/v1/rect/lists/tasks?round_unit_id={uid}&page_size=3"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(page["total"], 4);
    assert_eq!(page["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        page["items"][0]["content"], "开展制度培训",
        "deadline order"
    );
    assert_eq!(page["items"][0]["state_name"], "整改中");
    let (_, page2) = director
        .get(&format!(
            "/api/v1/rect/lists/tasks?round_unit_id={uid}&page_size=3&page=2"
        ))
        .await;
    assert_eq!(page2["items"].as_array().unwrap().len(), 1);
    let (st, own) = director
        .get(&format!(
            "/api/v1/rect/lists/owners?round_unit_id={uid}&page_size=1"
        ))
        .await;
    assert_eq!(st, StatusCode::OK, "{own}");
    assert_eq!(own["total"], 2);
    assert_eq!(own["items"].as_array().unwrap().len(), 1);
    assert_eq!(own["items"][0]["responsible_leader"], "李副厅长");
    assert_eq!(own["items"][0]["measure_count"], 2);
    assert_eq!(own["items"][0]["measures"].as_array().unwrap().len(), 2);
    let (_, own2) = director
        .get(&format!(
            "/api/v1/rect/lists/owners?round_unit_id={uid}&page_size=1&page=2"
        ))
        .await;
    assert_eq!(own2["items"][0]["responsible_leader"], "王副厅长");
    assert_eq!(
        own2["items"][0]["next_deadline"],
        crate::shift("2027-01-31")
    );
    // The unit sees its own lists; another county's office none of them.
    let (_, mine) = liaison.get("/api/v1/rect/lists/tasks").await;
    assert_eq!(mine["total"], 4, "{mine}");
    let county = login(&app, "county0101.director").await;
    let (_, none) = county
        .get(&format!("/api/v1/rect/lists/tasks?round_unit_id={uid}"))
        .await;
    assert_eq!(none["total"], 0, "{none}");
    let (_, none) = county
        .get(&format!("/api/v1/rect/lists/owners?round_unit_id={uid}"))
        .await;
    assert_eq!(none["total"], 0, "{none}");

    // The 明白账 trail gives the clue count only to holders of the clue compartment; the unit
    // reads no count at all, rather than 0.
    let item = item_of(&liaison, ids[0]).await;
    let detail = item["trail"][2]["detail"].as_str().unwrap();
    assert!(!detail.contains("线索"), "{detail}");
    let item = item_of(&director, ids[0]).await;
    let detail = item["trail"][2]["detail"].as_str().unwrap();
    assert!(detail.contains("移交问题线索0条"), "{detail}");
}

async fn long_term_write_off_notification_says_long_term(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (_, ids) = approved_plan(&liaison, &director).await;
    long_term_item(&liaison, &director, ids[1]).await;
    let (_, notes) = liaison.get("/api/v1/notifications").await;
    let titles: Vec<&str> = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["kind"] == "write_off")
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["销号申请核验通过，转入持续整改"], "{notes}");
    let timeline = item_of(&liaison, ids[1]).await;
    assert!(
        timeline.to_string().contains("转入持续整改"),
        "the event says what happened"
    );
}

async fn revisit_entries_are_scheduled_and_done(app: App) {
    let s = login(&app, "prov.director").await;
    // A 基本合格 grade puts the unit on the 回头看 list.
    let (_, units) = s.get("/api/v1/assessment/units?page_size=200").await;
    let units = units["items"].clone();
    let unit = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == "江岭省交通投资集团有限公司")
        .unwrap_or_else(|| panic!("{units}"))["id"]
        .as_i64()
        .unwrap();
    let (st, a) = s
        .post("/api/v1/assessments", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let path = format!("/api/v1/assessments/{}", a["id"]);
    let (st, a) = s
        .put(
            &path,
            json!({ "assessed_on": crate::shift("2026-06-01"), "conclusion": "个别问题整改不彻底。", "version": a["version"], "deductions": [
                { "indicator": "research", "points": 10, "reason": "未及时召开专题民主生活会" },
                { "indicator": "tasks", "points": 15, "reason": "3个问题整改不到位" },
                { "indicator": "overall", "points": 2.5, "reason": "整改报告不规范" },
            ] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{a}");
    let (st, f) = s.post_version(&format!("{path}/finalise"), &a).await;
    assert_eq!(st, StatusCode::OK, "{f}");
    let (_, list) = s.get("/api/v1/assessment/revisits?page_size=200").await;
    let list = list["items"].clone();
    let entry = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["round_unit_id"] == unit)
        .cloned()
        .unwrap_or_else(|| panic!("not listed: {list}"));
    assert_eq!(entry["state"], "PENDING");
    assert_eq!(entry["state_name"], "待安排");
    assert!(entry["revisit_round_id"].is_null());
    let id = entry["id"].as_i64().unwrap();
    // The earlier items: the unit's ledger items in the round that found them.
    let (_, ledger) = s
        .get(&format!("/api/v1/rect/ledger?round_unit_id={unit}"))
        .await;
    assert!(entry["finding_count"].as_i64().unwrap() > 0, "{entry}");
    assert_eq!(ledger["total"], entry["finding_count"]);

    // Done before scheduled, or into the round that found the problems: refused, nothing stored.
    let (st, e) = s
        .post_version(&format!("/api/v1/assessment/revisits/{id}/done"), &entry)
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "assessment.revisit_not_scheduled");
    chinese(&e);
    let (st, e) = s
        .post(
            &format!("/api/v1/assessment/revisits/{id}/schedule"),
            json!({ "round_id": entry["round_id"], "version": entry["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    assert_eq!(e["fields"][0]["field"], "round_id", "{e}");
    // The unit itself cannot schedule its own 回头看; another county's office cannot see it.
    let liaison = login(&app, "county0101.director").await;
    let (st, _) = liaison
        .post(
            &format!("/api/v1/assessment/revisits/{id}/schedule"),
            json!({ "round_id": entry["round_id"], "version": entry["version"] }),
        )
        .await;
    assert!(
        st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
        "{st}"
    );

    // A 回头看 round of the province.
    let (_, terms) = s.get("/api/v1/terms").await;
    let term = terms
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["name"] == "第十四届")
        .unwrap_or_else(|| panic!("{terms}"))["id"]
        .clone();
    let (st, round) = s
        .post(
            "/api/v1/rounds",
            json!({ "term_id": term, "name": "省委2027年回头看", "kinds": ["revisit"],
                    "start_date": crate::shift("2027-03-01"), "end_date": crate::shift("2027-04-30") }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{round}");
    let (st, sched) = s
        .post(
            &format!("/api/v1/assessment/revisits/{id}/schedule"),
            json!({ "round_id": round["id"], "version": entry["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{sched}");
    assert_eq!(sched["state"], "SCHEDULED");
    assert_eq!(sched["revisit_round_id"], round["id"]);
    assert_eq!(sched["revisit_round_name"], "省委2027年回头看");
    assert_eq!(
        sched["round_id"], entry["round_id"],
        "the earlier round stays"
    );
    assert!(sched["scheduled_at"].is_string());
    // A stale version is a conflict.
    let (st, _) = s
        .post(
            &format!("/api/v1/assessment/revisits/{id}/schedule"),
            json!({ "round_id": round["id"], "version": entry["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, done) = s
        .post(
            &format!("/api/v1/assessment/revisits/{id}/done"),
            json!({ "note": "整改成果巩固，未发现反弹", "version": sched["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{done}");
    assert_eq!(done["state"], "DONE");
    assert_eq!(done["state_name"], "已完成");
    assert_eq!(done["note"], "整改成果巩固，未发现反弹");
    let (st, e) = s
        .post(
            &format!("/api/v1/assessment/revisits/{id}/schedule"),
            json!({ "round_id": round["id"], "version": done["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "assessment.revisit_done");
    let (_, list) = s.get("/api/v1/assessment/revisits?page_size=200").await;
    let list = list["items"].clone();
    let listed = list
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == id)
        .unwrap();
    assert_eq!(listed["revisit_round_id"], round["id"]);
    assert_eq!(listed["state"], "DONE");
    // Audited.
    let auditor = login(&app, "auditor").await;
    let (_, log) = auditor
        .get("/api/v1/audit/operations?action=assessment.revisit.schedule")
        .await;
    assert!(log.to_string().contains("省委2027年回头看"), "{log}");
}

async fn statistics_say_not_visible_rather_than_zero(app: App) {
    // The director holds the clue compartment: the true count (the test province has no clues).
    let director = login(&app, "prov.director").await;
    let (st, stats) = director.get("/api/v1/stats/inspection").await;
    assert_eq!(st, StatusCode::OK, "{stats}");
    assert_eq!(stats["clues_visible"], true);
    assert_eq!(stats["clues"]["received"], 0, "{stats}");
    // A leader without it reads "not visible", never 0.
    let leader = login(&app, "prov.leader").await;
    let (st, stats) = leader.get("/api/v1/stats/inspection").await;
    assert_eq!(st, StatusCode::OK, "{stats}");
    assert_eq!(stats["clues_visible"], false, "{stats}");
    assert!(stats["clues"].is_null(), "{stats}");
}

/// Every measure's deadline is watched, not only the item's latest (issue 8): an item whose
/// earliest measure is past due is red although its last deadline is months away; the unit
/// reports that measure done and the colour follows the next one. Plan measure deadlines fall
/// after feedback, a 立行立改 measure within the 集中整改 period.
async fn every_measure_deadline_is_watched(app: App) {
    let liaison = login(&app, "dept.liaison").await;
    let director = login(&app, "prov.director").await;
    let (_, units) = liaison.get("/api/v1/rect/units?page_size=200").await;
    let units = units["items"].clone();
    let unit = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == "江岭省财政厅")
        .cloned()
        .unwrap();
    let uid = unit["id"].as_i64().unwrap();
    let (_, view) = liaison.get(&format!("/api/v1/rect/units/{uid}/plan")).await;
    let first = view["plan"]["items"][0]["finding_id"].as_i64().unwrap();
    let bad = |kind: &str, deadline: &str| {
        json!({ "principal_leader": "张厅长", "signed_on": crate::shift("2026-11-20"),
                "items": [ { "finding_id": first, "measures": [
                    { "kind": kind, "content": "立即整改", "target": "", "responsible_leader": "李副厅长",
                      "lead_dept": "办公室", "co_depts": [], "deadline": deadline } ] } ],
                "version": 0 })
    };
    for (kind, deadline, says) in [
        ("deadline", "2020-01-01".to_string(), "晚于反馈日期"),
        ("immediate", crate::shift("2027-12-31"), "集中整改期限"),
        ("long_term", crate::shift("2036-01-01"), "五年"),
    ] {
        let (st, e) = liaison
            .put(
                &format!("/api/v1/rect/units/{uid}/plan"),
                bad(kind, &deadline),
            )
            .await;
        assert_eq!(
            st,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{kind} {deadline}: {e}"
        );
        assert_eq!(
            e["fields"][0]["field"], "items[0].measures[0].deadline",
            "{e}"
        );
        assert!(e.to_string().contains(says), "{e}");
    }

    let (_, ids) = approved_plan(&liaison, &director).await;
    let it = item_of(&liaison, ids[0]).await;
    assert_eq!(it["row"]["deadline"], crate::shift("2027-03-31"));
    assert_eq!(it["row"]["due_date"], crate::shift("2027-01-31"), "{it}");
    // Past the earliest measure's deadline, well before the item's last one: red.
    let (st, _) = director
        .post("/api/v1/testing/clock", json!({ "advance_days": 75 }))
        .await;
    assert_eq!(st, StatusCode::OK);
    let it = item_of(&liaison, ids[0]).await;
    assert_eq!(it["row"]["warning"], "red", "{it}");
    assert!(it["row"]["overdue_days"].as_i64().unwrap() >= 1);
    let training = it["measures"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["content"] == "开展制度培训")
        .cloned()
        .unwrap();
    assert_eq!(training["overdue"], true);
    assert!(
        it["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "measure_done")
    );
    let (_, red) = director.get("/api/v1/rect/ledger?warning=red").await;
    assert!(
        red["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == ids[0]),
        "{red}"
    );
    // Only the unit reports a measure done, and only its own.
    let done = format!("/api/v1/rect/measures/{}/done", training["id"]);
    let body = json!({ "version": training["version"] });
    let (st, _) = director.post(&done, body.clone()).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let other = login(&app, "town010101.liaison").await;
    let (st, _) = other.post(&done, body.clone()).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, after) = liaison.post(&done, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{after}");
    assert_eq!(
        after["row"]["due_date"],
        crate::shift("2027-02-28"),
        "{after}"
    );
    assert_ne!(after["row"]["warning"], "red", "{after}");
    let (st, e) = liaison
        .post(
            &done,
            json!({ "version": training["version"].as_i64().unwrap() + 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "rect.measure_done_already");
    let (st, _) = director
        .post("/api/v1/testing/clock", json!({ "advance_days": 0 }))
        .await;
    assert_eq!(st, StatusCode::OK);
}

fn ids(v: &Value) -> Vec<i64> {
    v["items"]
        .as_array()
        .unwrap_or_else(|| panic!("no items: {v}"))
        .iter()
        .map(|x| x["id"].as_i64().unwrap())
        .collect()
}

/// The lists that used to stop at 500–1,000 rows page with a total: two pages hold different
/// rows, the total counts them all, a search narrows it, and page sizes are clamped.
async fn long_lists_page_with_a_total(app: App) {
    let director = login(&app, "prov.director").await;
    for path in [
        "/api/v1/people",
        "/api/v1/round-units",
        "/api/v1/rect/units",
        "/api/v1/assessment/units",
        "/api/v1/clues",
        "/api/v1/recusal-requests",
        "/api/v1/assessment/revisits",
        "/api/v1/rect/letters",
        "/api/v1/rect/extensions",
    ] {
        let (st, all) = director.get(&format!("{path}?page_size=200")).await;
        assert_eq!(st, StatusCode::OK, "{path}: {all}");
        let total = all["total"].as_i64().unwrap();
        assert_eq!(
            usize::try_from(total).unwrap(),
            ids(&all).len(),
            "{path}: {all}"
        );
        assert_eq!(all["page"], 1);
        assert_eq!(all["page_size"], 200);
        if total < 2 {
            // Not enough rows in the demo to turn a page (requests, 回头看, letters, extensions
            // are made by their own tests); the shape and the total are checked above.
            continue;
        }
        let (_, p1) = director.get(&format!("{path}?page_size=1")).await;
        let (_, p2) = director.get(&format!("{path}?page=2&page_size=1")).await;
        assert_eq!(p1["total"], total, "{path}");
        assert_eq!(p2["total"], total, "{path}");
        assert_eq!(ids(&p1).len(), 1);
        assert_eq!(ids(&p2).len(), 1);
        assert_ne!(ids(&p1), ids(&p2), "{path}: page 2 repeats page 1");
        assert_eq!(
            ids(&all)[..2],
            [ids(&p1)[0], ids(&p2)[0]],
            "{path}: pages follow the order"
        );
        let (_, past) = director
            .get(&format!("{path}?page=999&page_size=200"))
            .await;
        assert_eq!(ids(&past), Vec::<i64>::new(), "{path}");
        assert_eq!(past["total"], total, "{path}");
    }
    // Sizes are clamped to 1..=200.
    let (_, big) = director.get("/api/v1/people?page_size=100000").await;
    assert_eq!(big["page_size"], 200);
    let (_, small) = director.get("/api/v1/people?page_size=0&page=0").await;
    assert_eq!(
        (small["page"].as_i64(), small["page_size"].as_i64()),
        (Some(1), Some(1))
    );
    // Searches narrow the list and its total.
    let (_, finance) = director
        .get("/api/v1/rect/units?q=财政厅&page_size=200")
        .await;
    let (_, all) = director.get("/api/v1/rect/units?page_size=200").await;
    assert!(finance["total"].as_i64().unwrap() >= 1, "{finance}");
    assert!(
        finance["total"].as_i64() < all["total"].as_i64(),
        "{finance} / {all}"
    );
    for u in finance["items"].as_array().unwrap() {
        assert!(u["org_name"].as_str().unwrap().contains("财政厅"), "{u}");
    }
    let (_, people) = director.get("/api/v1/people?q=王&page_size=200").await;
    assert!(people["total"].as_i64().unwrap() >= 1);
    for p in people["items"].as_array().unwrap() {
        assert!(p["name"].as_str().unwrap().contains('王'), "{p}");
    }
    // Choosing what to disclose: only units without a disclosure, whatever the page.
    let (_, open) = director
        .get("/api/v1/assessment/units?undisclosed=true&page_size=200")
        .await;
    for u in open["items"].as_array().unwrap() {
        assert!(u["disclosure_id"].is_null(), "{u}");
    }
    // The round filter of the ledger and the statistics lists the rounds in rectification
    // without loading the units: the province's include the unit liaison's, which are only those
    // its unit was fed back in.
    let (st, all_rounds) = director.get("/api/v1/rect/rounds").await;
    assert_eq!(st, StatusCode::OK);
    let liaison = login(&app, "dept.liaison").await;
    let (_, own_rounds) = liaison.get("/api/v1/rect/rounds").await;
    let (_, own_units) = liaison.get("/api/v1/rect/units?page_size=200").await;
    let mut expected: Vec<i64> = own_units["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["round_id"].as_i64().unwrap())
        .collect();
    expected.sort_unstable();
    expected.dedup();
    let mut got: Vec<i64> = ids(&json!({ "items": own_rounds }));
    got.sort_unstable();
    assert!(!got.is_empty());
    assert_eq!(got, expected, "{own_rounds}");
    for id in &got {
        assert!(
            ids(&json!({ "items": all_rounds })).contains(id),
            "{all_rounds}"
        );
    }
    // A bad page number names the field.
    let (st, b) = director.get("/api/v1/people?page=x").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{b}");
    assert_eq!(b["fields"][0]["field"], "page", "{b}");
    assert!(chinese(&b).contains("页码"), "{b}");
}

/// Every page of `query` with `n` rows: by page number, forwards by the `next` cursors and
/// backwards by the `prev` cursors from the last page; each walk's ids, in order.
async fn ledger_walks(s: &Session, query: &str, n: i64) -> [Vec<i64>; 3] {
    let get = |extra: String| async move {
        let (st, page) = s
            .get(&format!("/api/v1/rect/ledger?{query}&page_size={n}{extra}"))
            .await;
        assert_eq!(st, StatusCode::OK, "{query} {extra}: {page}");
        page
    };
    let first = get(String::new()).await;
    let total = first["total"].as_i64().unwrap();
    let pages = (total + n - 1) / n;
    let mut by_number = Vec::new();
    for p in 1..=pages.max(1) {
        let page = get(format!("&page={p}")).await;
        assert_eq!(page["page"], p);
        assert_eq!(page["total"], total);
        assert_eq!(page["prev"].is_null(), p == 1, "{page}");
        assert_eq!(page["next"].is_null(), p == pages.max(1), "{page}");
        by_number.extend(ids(&page));
    }
    let mut forward = ids(&first);
    let mut page = first;
    let mut last = page.clone();
    while let Some(next) = page["next"].as_str() {
        let at = page["page"].as_i64().unwrap();
        page = get(format!("&after={next}")).await;
        assert_eq!(page["page"], at + 1, "{page}");
        assert_eq!(page["total"], total, "{page}");
        assert!(page["prev"].is_string(), "{page}");
        forward.extend(ids(&page));
        last = page.clone();
    }
    let mut backward = ids(&last);
    let mut page = last;
    while let Some(prev) = page["prev"].as_str() {
        let at = page["page"].as_i64().unwrap();
        page = get(format!("&before={prev}")).await;
        assert_eq!(page["page"], at - 1, "{page}");
        assert!(page["next"].is_string(), "{page}");
        backward.splice(0..0, ids(&page));
    }
    assert_eq!(page["page"], 1, "the walk back ends on page 1");
    [by_number, forward, backward]
}

/// The ledger read by key — `after` the `next` cursor of a page, `before` its `prev` cursor —
/// holds exactly the rows of the pages read by number, in the same order (deadline, then id,
/// items without a deadline last), with a state filter and a subtree filter too; a malformed
/// cursor is refused, naming the field.
async fn ledger_walks_by_cursor(app: App) {
    let director = login(&app, "prov.director").await;
    let liaison = login(&app, "dept.liaison").await;
    let (_, planned) = approved_plan(&liaison, &director).await;
    // Items fed back whose plan is not approved yet have no deadline: three of the demo's.
    let (_, demo) = director.get("/api/v1/rect/ledger?page_size=200").await;
    let unplanned: Vec<i64> = ids(&demo)
        .into_iter()
        .filter(|id| !planned.contains(id))
        .step_by(3)
        .take(3)
        .collect();
    for id in &unplanned {
        xuncha_store::on_db!(&app.db, p => {
            sqlx::query("UPDATE findings SET state = 'FED_BACK', deadline = NULL, due_date = NULL WHERE id = $1")
                .bind(id).execute(p).await.unwrap();
        });
    }
    // Written around the store: the counters (which answer the totals) are recomputed.
    xuncha_store::counters::rebuild(&app.db).await.unwrap();
    let (_, all) = director.get("/api/v1/rect/ledger?page_size=200").await;
    let items = all["items"].as_array().unwrap();
    let dated = items.iter().filter(|i| i["deadline"].is_string()).count();
    assert!(
        dated >= 2 && dated < items.len(),
        "with and without a deadline: {all}"
    );
    // Ledger order: deadlines ascending (ties by id), items without one last.
    let keys: Vec<(bool, String, i64)> = items
        .iter()
        .map(|i| {
            let d = i["deadline"].as_str();
            (
                d.is_none(),
                d.unwrap_or_default().to_string(),
                i["id"].as_i64().unwrap(),
            )
        })
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    let org = items[0]["org_id"].as_i64().unwrap();
    let undated = items.last().unwrap();
    let undated_org = undated["org_id"].as_i64().unwrap();
    let undated_state = undated["state"].as_str().unwrap().to_string();
    for query in [
        String::new(),
        format!("state={undated_state}"),
        "state=IN_PROGRESS".to_string(),
        "warning=red".to_string(),
        format!("org_id={org}"),
        format!("org_id={undated_org}"),
        format!("org_id={org}&state=IN_PROGRESS&warning=red"),
        "view=attention".to_string(),
    ] {
        let (_, whole) = director
            .get(&format!("/api/v1/rect/ledger?{query}&page_size=200"))
            .await;
        let want = ids(&whole);
        for n in [1, 2, 3] {
            let [by_number, forward, backward] = ledger_walks(&director, &query, n).await;
            assert_eq!(by_number, want, "{query}, {n} a page: by page number");
            assert_eq!(forward, want, "{query}, {n} a page: forwards by cursor");
            assert_eq!(backward, want, "{query}, {n} a page: backwards by cursor");
        }
    }
    // The unit's liaison walks its own ledger the same way.
    let [by_number, forward, _] = ledger_walks(&liaison, "", 1).await;
    assert_eq!(forward, by_number);
    // A malformed cursor: 400 naming the field.
    let (_, p1) = director.get("/api/v1/rect/ledger?page_size=1").await;
    let next = p1["next"].as_str().unwrap().to_string();
    for (query, field) in [
        ("after=abc".to_string(), "after"),
        ("after=0.5.-.3".to_string(), "after"),
        ("after=1.5.20261399.3".to_string(), "after"),
        ("after=1.5.-.3.9".to_string(), "after"),
        ("before=1.5.2026-11-23.3".to_string(), "before"),
        (format!("after={next}&before={next}"), "before"),
    ] {
        let (st, b) = director.get(&format!("/api/v1/rect/ledger?{query}")).await;
        assert_eq!(st, StatusCode::BAD_REQUEST, "{query}: {b}");
        assert_eq!(b["fields"][0]["field"], field, "{query}: {b}");
        assert!(chinese(&b).contains("翻页位置"), "{query}: {b}");
    }
    // A cursor goes on from where it was, without counting again.
    let (st, p2) = director
        .get(&format!("/api/v1/rect/ledger?page_size=1&after={next}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{p2}");
    assert_eq!(
        (p2["page"].as_i64(), p2["total"].clone()),
        (Some(2), p1["total"].clone())
    );
    assert_eq!(ids(&p2), ids(&all)[1..2]);
}

/// 下级单位: the province's own items and each city's subtree, drilled into city by city; the
/// groups partition the items; groups page with their count; a county sees only its own subtree.
async fn statistics_drill_down_by_child_and_page(app: App) {
    async fn get(s: &Session, q: String) -> Value {
        let (st, v) = s.get(&format!("/api/v1/rect/stats?{q}")).await;
        assert_eq!(st, StatusCode::OK, "{q}: {v}");
        v
    }
    let director = login(&app, "prov.director").await;
    let top = get(&director, "group=child".into()).await;
    let rows = top["rows"].as_array().unwrap();
    assert!(!rows.is_empty(), "{top}");
    assert_eq!(top["row_total"].as_i64().unwrap(), rows.len() as i64);
    let sum: i64 = rows
        .iter()
        .map(|r| r["stats"]["total"].as_i64().unwrap())
        .sum();
    assert_eq!(sum, top["totals"]["total"].as_i64().unwrap(), "{top}");
    let (_, ledger) = director.get("/api/v1/rect/ledger?page_size=1").await;
    assert_eq!(
        ledger["total"], top["totals"]["total"],
        "the ledger's total"
    );
    let mut drilled = 0;
    for r in rows {
        assert!(r["org_id"].is_i64(), "{r}");
        if r["drill"] == true {
            drilled += 1;
            let below = get(&director, format!("group=child&org_id={}", r["org_id"])).await;
            assert_eq!(
                below["totals"]["total"], r["stats"]["total"],
                "{r}: {below}"
            );
            let own = below["rows"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|b| b["drill"] == false)
                .count();
            assert!(own <= 1, "one 本级 group at most: {below}");
        } else {
            assert!(r["label"].as_str().unwrap().ends_with("（本级）"), "{r}");
        }
    }
    assert!(drilled > 0, "{top}");

    // By unit, one page at a time: the same groups as unpaged, the totals of all of them.
    let whole = get(&director, "group=unit".into()).await;
    let n = whole["rows"].as_array().unwrap().len();
    assert!(n >= 2, "{whole}");
    let mut paged = Vec::new();
    for page in 1..=n {
        let one = get(&director, format!("group=unit&page={page}&page_size=1")).await;
        assert_eq!(one["row_total"].as_i64().unwrap(), n as i64);
        assert_eq!(one["totals"], whole["totals"]);
        paged.extend(one["rows"].as_array().unwrap().iter().cloned());
    }
    assert_eq!(&paged, whole["rows"].as_array().unwrap());

    // A county director's 下级单位 lie in the county; its totals are its ledger's.
    let county = login(&app, "county0101.director").await;
    let mine = get(&county, "group=child".into()).await;
    let (_, ledger) = county.get("/api/v1/rect/ledger?page_size=1").await;
    assert_eq!(ledger["total"], mine["totals"]["total"], "{mine}");
    for r in mine["rows"].as_array().unwrap() {
        let below = get(&county, format!("group=child&org_id={}", r["org_id"])).await;
        assert_eq!(below["totals"]["total"], r["stats"]["total"], "{r}");
    }
    // Another county's subtree reads as nothing visible, like the other groupings.
    let other = crate::org_id(&app, "990102").await;
    let theirs = get(&county, format!("group=child&org_id={other}")).await;
    let (_, plain) = county
        .get(&format!("/api/v1/rect/stats?org_id={other}"))
        .await;
    assert_eq!(theirs["totals"], plain["totals"], "{theirs}");
    assert_eq!(theirs["totals"]["total"], 0, "{theirs}");
    let (st, e) = county.get("/api/v1/rect/stats?group=everything").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    chinese(&e);
}

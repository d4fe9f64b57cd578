//! 指导督导: a city office's guidance visit to a county office, its problems fed back and
//! rectified to write-off; the state machines (409), field errors (422 naming the field in
//! Chinese) and scope (404 for a sibling county, nothing before feedback), on SQLite and
//! PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, chinese, login, org_id, pg_app, sqlite_app};

crate::dual!(guidance_visit_to_write_off);

fn day(offset: i64) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    (super::test_today() + time::Duration::days(offset))
        .format(&fmt)
        .unwrap()
}

async fn user_id(app: &App, username: &str) -> i64 {
    xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT id FROM users WHERE username = $1")
        .bind(username).fetch_one(p).await.expect("user"))
}

/// The caller's to-do count of `kind`.
async fn todo(s: &Session, kind: &str) -> Option<i64> {
    let (st, wb) = s.get("/api/v1/workbench").await;
    assert_eq!(st, StatusCode::OK, "{wb}");
    wb["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == kind)
        .map(|t| t["count"].as_i64().unwrap())
}

fn field_of(v: &Value) -> Vec<String> {
    v["fields"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|f| f["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

async fn guidance_visit_to_write_off(app: App) {
    let city = login(&app, "city01.director").await;
    let staff = login(&app, "city01.staff").await;
    let county = login(&app, "county0101.director").await;
    let sibling = login(&app, "county0102.director").await;
    let liaison = login(&app, "town010101.liaison").await;
    let own_county = org_id(&app, "990101").await;
    let other_county = org_id(&app, "990102").await;
    let other_city = org_id(&app, "9902").await;
    let city_org = org_id(&app, "9901").await;
    let staff_id = user_id(&app, "city01.staff").await;

    // What planning offers: the office's users and the offices below it.
    let (st, opts) = city.get("/api/v1/guidance/options").await;
    assert_eq!(st, StatusCode::OK, "{opts}");
    assert!(
        opts["users"]
            .as_array()
            .unwrap()
            .iter()
            .any(|u| u["id"] == staff_id),
        "{opts}"
    );
    let lower: Vec<i64> = opts["lower_offices"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["id"].as_i64().unwrap())
        .collect();
    assert!(
        lower.contains(&own_county) && lower.contains(&other_county),
        "{opts}"
    );
    assert_eq!(opts["forms"].as_array().unwrap().len(), 5);
    // A unit liaison holds neither side of guidance.
    let (st, _) = liaison.get("/api/v1/guidance/problems").await;
    assert_eq!(st, StatusCode::FORBIDDEN);

    // 422: every bad field named, in Chinese.
    let (st, bad) = city
        .post(
            "/api/v1/guidance/visits",
            json!({ "title": " ", "form": "picnic", "period_from": day(10), "period_to": day(1), "org_ids": [] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let fields = field_of(&bad);
    for f in ["title", "form", "period_to", "org_ids"] {
        assert!(fields.iter().any(|x| x == f), "{f} in {bad}");
    }
    assert!(chinese(&bad).contains("标题"), "{bad}");
    let visit = |orgs: Value, members: Value| {
        json!({ "title": "对东阳区巡察工作的督导", "form": "area_contact", "period_from": day(0),
                "period_to": day(30), "member_ids": members, "org_ids": orgs })
    };
    // Scope: another city's office is not found; the office itself is not below it.
    let (st, b) = city
        .post(
            "/api/v1/guidance/visits",
            visit(json!([other_city]), json!([])),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    let (st, b) = city
        .post(
            "/api/v1/guidance/visits",
            visit(json!([city_org]), json!([])),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(field_of(&b), ["org_ids[0]"]);
    assert!(chinese(&b).contains("下级"), "{b}");
    // Members: a user out of scope is not found; one of another office is refused.
    let prov = user_id(&app, "prov.director").await;
    let (st, b) = city
        .post(
            "/api/v1/guidance/visits",
            visit(json!([own_county]), json!([prov])),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{b}");
    let county_user = user_id(&app, "county0101.director").await;
    let (st, b) = city
        .post(
            "/api/v1/guidance/visits",
            visit(json!([own_county]), json!([county_user])),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert!(chinese(&b).contains("督导组成员"), "{b}");
    // A county cannot plan a visit to its sibling.
    let (st, _) = county
        .post(
            "/api/v1/guidance/visits",
            visit(json!([other_county]), json!([])),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, v) = city
        .post(
            "/api/v1/guidance/visits",
            visit(json!([own_county]), json!([staff_id])),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{v}");
    assert_eq!(v["state"], "PLANNED");
    assert_eq!(v["form_name"], "分片挂钩联系");
    let vid = v["id"].as_i64().unwrap();
    let vpath = format!("/api/v1/guidance/visits/{vid}");
    // The member sees the visit; the lower office and its sibling do not.
    let (st, _) = staff.get(&vpath).await;
    assert_eq!(st, StatusCode::OK);
    for s in [&county, &sibling] {
        let (st, _) = s.get(&vpath).await;
        assert_eq!(st, StatusCode::NOT_FOUND);
    }
    let (_, list) = county.get("/api/v1/guidance/visits").await;
    assert_eq!(list["total"], 0, "{list}");

    // 409: problems only while in progress; one step at a time.
    let problem =
        |org: i64, text: &str| json!({ "org_id": org, "category": "reporting", "text": text });
    let (st, b) = city
        .post(
            &format!("{vpath}/problems"),
            problem(own_county, "报告问题"),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (st, b) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "FED_BACK", "version": v["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    chinese(&b);
    let (st, v) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "IN_PROGRESS", "version": v["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    // Stale version.
    let (st, _) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "FED_BACK", "version": 1 }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Problems: the office must be one visited (422) and in scope (404); the category known.
    let (st, b) = city
        .post(&format!("{vpath}/problems"), problem(other_county, "他县"))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    let (st, _) = city
        .post(&format!("{vpath}/problems"), problem(other_city, "他市"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, b) = city
        .post(
            &format!("{vpath}/problems"),
            json!({ "org_id": own_county, "category": "x", "text": "" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(field_of(&b), ["category", "text"]);
    assert!(chinese(&b).contains("问题类别"), "{b}");
    let mut ids = Vec::new();
    for text in [
        "巡察报告初稿问题定性不准",
        "反馈意见针对性不强",
        "底稿不规范",
    ] {
        let (st, p) = city
            .post(&format!("{vpath}/problems"), problem(own_county, text))
            .await;
        assert_eq!(st, StatusCode::CREATED, "{p}");
        assert_eq!(p["state"], "DRAFT");
        ids.push(p["id"].as_i64().unwrap());
    }
    // Before feedback the lower office sees nothing.
    let (_, l) = county.get("/api/v1/guidance/problems?side=lower").await;
    assert_eq!(l["total"], 0, "{l}");
    let ppath = |i: usize| format!("/api/v1/guidance/problems/{}", ids[i]);
    let (st, _) = county.get(&ppath(0)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (_, v) = city.get(&vpath).await;
    let (st, v) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "FED_BACK", "version": v["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    assert_eq!(v["stats"]["listed"], 3, "{v}");
    assert_eq!(v["stats"]["rectified"], 0);
    assert!(
        v["problems"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["state"] == "FED_BACK")
    );

    // The lower office sees its fed-back problems, the sibling nothing.
    let (_, l) = county
        .get("/api/v1/guidance/problems?side=lower&state=open")
        .await;
    assert_eq!(l["total"], 3, "{l}");
    assert_eq!(l["items"][0]["actions"], json!(["rectify"]), "{l}");
    assert_eq!(todo(&county, "guidance_to_rectify").await, Some(3));
    assert_eq!(todo(&sibling, "guidance_to_rectify").await, Some(0));
    let (_, l) = sibling.get("/api/v1/guidance/problems").await;
    assert_eq!(l["total"], 0, "{l}");
    let (st, p0) = county.get(&ppath(0)).await;
    assert_eq!(st, StatusCode::OK, "{p0}");
    for (path, body) in [
        (
            format!("{}/rectify", ppath(0)),
            json!({ "measure": "m", "deadline": day(30), "version": p0["version"] }),
        ),
        (
            format!("{}/write-off", ppath(0)),
            json!({ "version": p0["version"] }),
        ),
    ] {
        let (st, _) = sibling.post(&path, body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path}");
    }
    let (st, _) = sibling.get(&ppath(0)).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // 409 on wrong steps and sides.
    let (st, b) = county
        .post(
            &format!("{}/write-off", ppath(0)),
            json!({ "version": p0["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (st, b) = city
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": true, "version": p0["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (st, b) = city
        .post(
            &format!("{}/rectify", ppath(0)),
            json!({ "measure": "m", "deadline": day(30), "version": p0["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    assert!(chinese(&b).contains("被督导"), "{b}");
    // 422: the deadline after today (server clock), the measure required.
    let (st, b) = county
        .post(
            &format!("{}/rectify", ppath(0)),
            json!({ "measure": " ", "deadline": day(0), "version": p0["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(field_of(&b), ["measure", "deadline"]);
    assert!(chinese(&b).contains("整改措施"), "{b}");

    // Rectify → ask for write-off → returned → again → written off.
    let (st, p) = county
        .post(&format!("{}/rectify", ppath(0)), json!({ "measure": "重新修改报告初稿", "progress": "已完成初稿修改", "deadline": day(20), "version": p0["version"] }))
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "IN_PROGRESS");
    assert_eq!(p["deadline"], day(20));
    assert_eq!(p["overdue"], false);
    let (st, p) = county
        .post(
            &format!("{}/write-off", ppath(0)),
            json!({ "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "CLOSE_REQUESTED");
    assert_eq!(todo(&city, "guidance_to_verify").await, Some(1));
    assert_eq!(todo(&county, "guidance_to_rectify").await, Some(2));
    // The lower office cannot write off its own problem.
    let (st, b) = county
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": true, "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");
    let (_, vl) = city
        .get("/api/v1/guidance/problems?side=visiting&state=CLOSE_REQUESTED")
        .await;
    assert_eq!(vl["total"], 1, "{vl}");
    assert_eq!(
        vl["items"][0]["actions"],
        json!(["write_off", "return"]),
        "{vl}"
    );
    let (st, b) = city
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": false, "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{b}");
    assert_eq!(field_of(&b), ["opinion"]);
    let (st, p) = city
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": false, "opinion": "整改不到位", "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "RETURNED");
    assert_eq!(p["opinion"], "整改不到位");
    let (_, p) = county
        .post(
            &format!("{}/rectify", ppath(0)),
            json!({ "measure": "再次修改", "deadline": day(25), "version": p["version"] }),
        )
        .await;
    let (_, p) = county
        .post(
            &format!("{}/write-off", ppath(0)),
            json!({ "version": p["version"] }),
        )
        .await;
    let (st, p) = city
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": true, "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["state"], "CLOSED");
    assert_eq!(p["actions"], json!([]));
    let (st, b) = city
        .post(
            &format!("{}/verify", ppath(0)),
            json!({ "approve": true, "version": p["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{b}");

    // Listed 3 → rectified 1; the visit closes, and not twice.
    let (_, v) = city.get(&vpath).await;
    assert_eq!(v["stats"]["listed"], 3, "{v}");
    assert_eq!(v["stats"]["rectified"], 1, "{v}");
    let (_, vs) = city.get("/api/v1/guidance/visits").await;
    assert_eq!(vs["items"][0]["stats"]["rectified"], 1, "{vs}");
    let (st, v) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "CLOSED", "version": v["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{v}");
    let (st, _) = city
        .post(
            &format!("{vpath}/state"),
            json!({ "state": "CLOSED", "version": v["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = city.get("/api/v1/guidance/visits?state=nonsense").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
    let (st, _) = county.get("/api/v1/guidance/problems?side=upper").await;
    assert_eq!(st, StatusCode::BAD_REQUEST);
}

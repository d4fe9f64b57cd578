//! Settings and calendars belong to an office and inherit downward (issue 8): a county edits its
//! own, never the province's or another county's; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::assessment::fed_back_unit;
use super::rect::multipart;
use super::{App, chinese, item_of, login, org_id, pg_app, sqlite_app};

crate::dual!(
    rect_settings_inherit_downward_and_a_county_edits_its_own,
    holidays_are_the_union_along_the_chain,
    assessment_and_inspection_settings_stay_with_their_office,
    warning_colours_use_the_settings_of_each_rows_office,
);

async fn audit_summaries(app: &App, action: &str) -> Vec<String> {
    xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT summary FROM audit_log WHERE action = $1 ORDER BY seq")
        .bind(action).fetch_all(p).await.unwrap())
}

async fn org_name(app: &App, code: &str) -> String {
    xuncha_store::orgs::get_by_code(&app.db, &xuncha_store::scope::Scope::unrestricted(), code)
        .await
        .unwrap()
        .name
}

fn with_yellow(s: &Value, days: i64) -> Value {
    let mut s = s.clone();
    s["yellow_within"] = json!(days);
    s
}

async fn rect_settings_inherit_downward_and_a_county_edits_its_own(app: App) {
    let prov = login(&app, "prov.director").await;
    let county = login(&app, "county0101.director").await;
    let other = login(&app, "county0102.director").await;
    let prov_id = org_id(&app, "99").await;
    let county_id = org_id(&app, "990101").await;
    let prov_name = org_name(&app, "99").await;
    let county_name = org_name(&app, "990101").await;

    // Nothing set anywhere: the defaults.
    let (st, s) = county.get("/api/v1/rect/settings").await;
    assert_eq!(st, StatusCode::OK, "{s}");
    assert_eq!(s["source"]["kind"], "default");
    assert_eq!(s["source"]["label"], "默认设置");

    // The province sets its own; the counties inherit it.
    let (_, p) = prov.get("/api/v1/rect/settings").await;
    let (st, p) = prov.put("/api/v1/rect/settings", with_yellow(&p, 7)).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["source"]["kind"], "own");
    assert_eq!(p["source"]["label"], "本级设置");
    assert_eq!(p["source"]["office_id"], prov_id);
    for s in [&county, &other] {
        let (_, c) = s.get("/api/v1/rect/settings").await;
        assert_eq!(c["yellow_within"], 7);
        assert_eq!(c["version"], 0, "nothing of its own yet");
        assert_eq!(c["source"]["kind"], "inherited");
        assert_eq!(c["source"]["from_org_id"], prov_id);
        assert_eq!(c["source"]["label"], format!("继承自{prov_name}"));
    }

    // The county overrides: its own value wins for it, the province and the other county keep
    // theirs.
    let (_, c) = county.get("/api/v1/rect/settings").await;
    let (st, c) = county
        .put("/api/v1/rect/settings", with_yellow(&c, 2))
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["yellow_within"], 2);
    assert_eq!(c["version"], 1);
    assert_eq!(c["source"]["kind"], "own");
    assert_eq!(c["source"]["office_id"], county_id);
    let (_, p) = prov.get("/api/v1/rect/settings").await;
    assert_eq!(p["yellow_within"], 7, "the province's value is untouched");
    let (_, o) = other.get("/api/v1/rect/settings").await;
    assert_eq!(o["yellow_within"], 7, "the other county still inherits");

    // A province change reaches the counties without their own, not the one with.
    let (st, p) = prov.put("/api/v1/rect/settings", with_yellow(&p, 8)).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(
        other.get("/api/v1/rect/settings").await.1["yellow_within"],
        8
    );
    assert_eq!(
        county.get("/api/v1/rect/settings").await.1["yellow_within"],
        2
    );

    // No id in the body reaches another office: a named office is refused as an unknown field,
    // and the read-only source is ignored (the save is the caller's own office's).
    let (_, c) = county.get("/api/v1/rect/settings").await;
    let mut aimed = with_yellow(&c, 1);
    aimed["office_id"] = json!(prov_id);
    let (st, e) = county.put("/api/v1/rect/settings", aimed).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
    chinese(&e);
    let mut aimed = with_yellow(&c, 1);
    aimed["source"]["office_id"] = json!(prov_id);
    aimed["source"]["from_org_id"] = json!(prov_id);
    let (st, c) = county.put("/api/v1/rect/settings", aimed).await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["yellow_within"], 1);
    assert_eq!(c["source"]["office_id"], county_id);
    assert_eq!(
        prov.get("/api/v1/rect/settings").await.1["yellow_within"],
        8
    );
    assert_eq!(
        other.get("/api/v1/rect/settings").await.1["yellow_within"],
        8
    );

    // Dropping the override restores inheritance.
    let (st, c) = county.delete("/api/v1/rect/settings").await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["yellow_within"], 8);
    assert_eq!(c["version"], 0);
    assert_eq!(c["source"]["kind"], "inherited");
    assert_eq!(
        prov.get("/api/v1/rect/settings").await.1["yellow_within"],
        8
    );

    // Every change is audited naming its office.
    let audit = audit_summaries(&app, "rect.settings").await;
    assert!(
        audit
            .iter()
            .filter(|s| s.starts_with(&format!("{prov_name}：")))
            .count()
            == 2,
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .filter(|s| s.starts_with(&format!("{county_name}：")))
            .count()
            == 3,
        "{audit:?}"
    );
    assert!(audit.iter().any(|s| s.contains("恢复继承")), "{audit:?}");

    // A unit's liaison cannot write settings at all.
    let liaison = login(&app, "dept.liaison").await;
    let (st, _) = liaison
        .put("/api/v1/rect/settings", with_yellow(&c, 3))
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (st, _) = liaison.delete("/api/v1/rect/settings").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

async fn holidays_are_the_union_along_the_chain(app: App) {
    let prov = login(&app, "prov.director").await;
    let county = login(&app, "county0101.director").await;
    let other = login(&app, "county0102.director").await;
    let prov_name = org_name(&app, "99").await;
    let county_name = org_name(&app, "990101").await;

    let national = "日期,类型,名称\n2027-02-05,放假,春节\n2027-02-08,放假,春节\n";
    let (st, ok) = multipart(
        &prov,
        "/api/v1/rect/holidays/import",
        &[],
        &[("h.csv", national.as_bytes())],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    // The county adds a local holiday and turns one of the province's into a working day.
    let local = "日期,类型,名称\n2027-02-08,调休上班,县内调休\n2027-03-01,放假,县庆\n";
    let (st, ok) = multipart(
        &county,
        "/api/v1/rect/holidays/import",
        &[],
        &[("h.csv", local.as_bytes())],
    )
    .await;
    assert_eq!(st, StatusCode::OK, "{ok}");

    let (_, days) = county.get("/api/v1/rect/holidays?year=2027").await;
    let seen: Vec<(String, String, bool, String)> = days
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["date"].as_str().unwrap().to_string(),
                d["kind"].as_str().unwrap().to_string(),
                d["own"].as_bool().unwrap(),
                d["org_name"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        vec![
            (
                "2027-02-05".into(),
                "holiday".into(),
                false,
                prov_name.clone()
            ),
            (
                "2027-02-08".into(),
                "workday".into(),
                true,
                county_name.clone()
            ),
            (
                "2027-03-01".into(),
                "holiday".into(),
                true,
                county_name.clone()
            ),
        ]
    );
    // The province and the other county keep the national calendar only.
    for s in [&prov, &other] {
        let (_, days) = s.get("/api/v1/rect/holidays?year=2027").await;
        let days = days.as_array().unwrap();
        assert_eq!(days.len(), 2, "{days:?}");
        assert!(days.iter().all(|d| d["kind"] == "holiday"));
        assert!(days.iter().all(|d| d["org_name"] == prov_name.as_str()));
    }
    // The county drops its own days: it follows the province again; the province's stay.
    let (st, r) = county.delete("/api/v1/rect/holidays?year=2027").await;
    assert_eq!(st, StatusCode::OK, "{r}");
    assert_eq!(r["removed"], 2);
    let (_, days) = county.get("/api/v1/rect/holidays?year=2027").await;
    assert_eq!(days.as_array().unwrap().len(), 2);
    assert_eq!(days[1]["kind"], "holiday");
    let (_, days) = prov.get("/api/v1/rect/holidays?year=2027").await;
    assert_eq!(days.as_array().unwrap().len(), 2);
    let audit = audit_summaries(&app, "rect.holidays").await;
    assert!(
        audit
            .iter()
            .any(|s| s.starts_with(&format!("{county_name}：导入"))),
        "{audit:?}"
    );
    assert!(
        audit
            .iter()
            .any(|s| s.starts_with(&format!("{county_name}：删除"))),
        "{audit:?}"
    );
}

async fn assessment_and_inspection_settings_stay_with_their_office(app: App) {
    let prov = login(&app, "prov.director").await;
    let county = login(&app, "county0101.director").await;
    let other = login(&app, "county0102.director").await;
    let county_name = org_name(&app, "990101").await;

    // The assessment rubric.
    let (_, cfg) = county.get("/api/v1/assessment/settings").await;
    assert_eq!(cfg["source"]["kind"], "default");
    let mut ind = cfg["indicators"].clone();
    let first = ind[0]["max_points"].as_f64().unwrap();
    let second = ind[1]["max_points"].as_f64().unwrap();
    ind[0]["max_points"] = json!(first - 5.0);
    ind[1]["max_points"] = json!(second + 5.0);
    let (st, ok) = county
        .put(
            "/api/v1/assessment/settings",
            json!({ "indicators": ind, "grades": cfg["grades"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["indicators"][0]["max_points"], first - 5.0);
    assert_eq!(ok["source"]["kind"], "own");
    // No office id in the body: refused, nothing written elsewhere.
    let (st, _) = county
        .put(
            "/api/v1/assessment/settings",
            json!({ "indicators": ind, "grades": cfg["grades"], "office_id": org_id(&app, "99").await }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    for s in [&prov, &other] {
        let (_, c) = s.get("/api/v1/assessment/settings").await;
        assert_eq!(c["indicators"][0]["max_points"], first, "{c}");
        assert_eq!(c["source"]["kind"], "default");
    }
    let (st, back) = county.delete("/api/v1/assessment/settings").await;
    assert_eq!(st, StatusCode::OK, "{back}");
    assert_eq!(back["indicators"][0]["max_points"], first);
    assert_eq!(back["source"]["kind"], "default");
    let audit = audit_summaries(&app, "assessment.settings").await;
    assert!(
        audit
            .iter()
            .any(|s| s.starts_with(&format!("{county_name}："))),
        "{audit:?}"
    );

    // The inspection time limits.
    let (st, _) = prov.get("/api/v1/settings/inspection").await;
    assert_eq!(st, StatusCode::OK);
    let (st, p) = prov
        .put(
            "/api/v1/settings/inspection",
            json!({ "clue_result_months": 4, "rectification_report_months": 2 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    let (_, c) = county.get("/api/v1/settings/inspection").await;
    assert_eq!(c["clue_result_months"], 4);
    assert_eq!(c["source"]["kind"], "inherited");
    let (st, c) = county
        .put(
            "/api/v1/settings/inspection",
            json!({ "clue_result_months": 6, "rectification_report_months": 3 }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["clue_result_months"], 6);
    assert_eq!(c["source"]["kind"], "own");
    assert_eq!(
        prov.get("/api/v1/settings/inspection").await.1["clue_result_months"],
        4
    );
    assert_eq!(
        other.get("/api/v1/settings/inspection").await.1["clue_result_months"],
        4
    );
    let (st, c) = county.delete("/api/v1/settings/inspection").await;
    assert_eq!(st, StatusCode::OK, "{c}");
    assert_eq!(c["clue_result_months"], 4);
    assert_eq!(c["source"]["kind"], "inherited");
}

/// Puts the findings in progress with `deadline`.
async fn due(app: &App, findings: &[i64], deadline: time::Date) {
    for f in findings {
        xuncha_store::on_db!(&app.db, p => {
            sqlx::query("UPDATE findings SET state = 'IN_PROGRESS', deadline = $1, original_deadline = $1, due_date = $1 WHERE id = $2")
                .bind(deadline).bind(*f).execute(p).await.unwrap();
        });
    }
}

async fn warning_colours_use_the_settings_of_each_rows_office(app: App) {
    let prov = login(&app, "prov.director").await;
    let county = login(&app, "county0101.director").await;
    // A round of the county's office and one of the province's, each with an item due in ten
    // days.
    let (county_unit, county_items) =
        fed_back_unit(&app, "990101", "990101-D01", &["县里的问题"]).await;
    let (prov_unit, prov_items) = fed_back_unit(&app, "99", "99-D05", &["省里的问题"]).await;
    let deadline = crate::test_today() + time::Duration::days(10);
    due(&app, &county_items, deadline).await;
    due(&app, &prov_items, deadline).await;

    // The province warns on the day only; the county 30 working days ahead.
    let (_, p) = prov.get("/api/v1/rect/settings").await;
    let (st, _) = prov.put("/api/v1/rect/settings", with_yellow(&p, 0)).await;
    assert_eq!(st, StatusCode::OK);
    let (_, c) = county.get("/api/v1/rect/settings").await;
    let (st, _) = county
        .put("/api/v1/rect/settings", with_yellow(&c, 30))
        .await;
    assert_eq!(st, StatusCode::OK);

    let colour = |page: &Value, unit: i64| -> Option<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["round_unit_id"] == unit)
            .map(|r| r["warning"].as_str().unwrap_or("").to_string())
    };
    // The county's own ledger: its threshold.
    let (_, mine) = county
        .get(&format!("/api/v1/rect/ledger?round_unit_id={county_unit}"))
        .await;
    assert_eq!(
        colour(&mine, county_unit).as_deref(),
        Some("yellow"),
        "{mine}"
    );
    // The province's ledger: each row by its own office's threshold, not the viewer's.
    let (_, all) = prov.get("/api/v1/rect/ledger?page_size=200").await;
    assert_eq!(
        colour(&all, county_unit).as_deref(),
        Some("yellow"),
        "{all}"
    );
    assert_eq!(colour(&all, prov_unit).as_deref(), Some("green"), "{all}");
    // The warning filter agrees with the colours.
    let (_, yellow) = prov
        .get("/api/v1/rect/ledger?warning=yellow&page_size=200")
        .await;
    assert!(colour(&yellow, county_unit).is_some(), "{yellow}");
    assert!(colour(&yellow, prov_unit).is_none(), "{yellow}");
    let (_, green) = prov
        .get("/api/v1/rect/ledger?warning=green&page_size=200")
        .await;
    assert!(colour(&green, county_unit).is_none(), "{green}");
    assert!(colour(&green, prov_unit).is_some(), "{green}");
    // The item view too.
    let item = item_of(&prov, county_items[0]).await;
    assert_eq!(item["row"]["warning"], "yellow", "{item}");

    // Dropping the county's override: its rows follow the province again.
    let (st, _) = county.delete("/api/v1/rect/settings").await;
    assert_eq!(st, StatusCode::OK);
    let (_, all) = prov.get("/api/v1/rect/ledger?page_size=200").await;
    assert_eq!(colour(&all, county_unit).as_deref(), Some("green"), "{all}");
}

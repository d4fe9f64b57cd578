//! 领导驾驶舱: every figure equals the total of the list its link opens, for the same filter and
//! scope; drilling down narrows to a child; a county cannot ask for another county (404); the
//! ranking among peers carries counts and rates only; clue figures are null without the clue
//! compartment; on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::assessment::fed_back_unit;
use super::{App, Session, chinese, login, org_id, pg_app, sqlite_app};

crate::dual!(dashboard_figures_are_the_linked_lists);

/// The API list behind a web link (`/rect/ledger?…`, `/clues?…`), with the same query.
fn api_of(link: &str) -> String {
    let (path, query) = link.split_once('?').unwrap_or((link, ""));
    match path {
        "/rect/ledger" => format!("/api/v1/rect/ledger?{query}"),
        "/clues/register" => format!("/api/v1/clues?{query}"),
        other => panic!("unexpected link {other}"),
    }
}

/// Asserts that `count` is the total of the list `link` opens.
async fn same(s: &Session, who: &str, link: &Value, count: &Value) {
    let link = link.as_str().unwrap_or_else(|| panic!("{who}: no link"));
    let path = api_of(link);
    let (st, list) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK, "{who} {path}: {list}");
    assert_eq!(&list["total"], count, "{who}: {link} counts {count}");
}

/// The caller's dashboard (of `org` if given), every linked figure checked against its list.
async fn checked(s: &Session, who: &str, org: Option<i64>) -> Value {
    let path = org.map_or_else(
        || "/api/v1/dashboard".to_string(),
        |o| format!("/api/v1/dashboard?org_id={o}"),
    );
    let (st, d) = s.get(&path).await;
    assert_eq!(st, StatusCode::OK, "{who}: {d}");
    let rect = &d["rect"];
    let stats = &rect["stats"];
    same(s, who, &rect["links"]["ledger"], &stats["total"]).await;
    same(s, who, &rect["links"]["completed"], &stats["completed"]).await;
    same(s, who, &rect["links"]["overdue"], &stats["overdue"]).await;
    same(s, who, &rect["links"]["long_term"], &stats["long_term"]).await;
    let mut sum = 0;
    for c in d["children"].as_array().unwrap() {
        if c["drill"] == true {
            same(s, who, &c["link"], &c["total"]).await;
            same(s, who, &c["overdue_link"], &c["overdue"]).await;
        }
        sum += c["total"].as_i64().unwrap();
    }
    assert_eq!(
        Some(sum),
        stats["total"].as_i64(),
        "{who}: children partition the items: {d}"
    );
    for c in d["categories"].as_array().unwrap() {
        if !c["link"].is_null() {
            same(s, who, &c["link"], &c["total"]).await;
        }
    }
    if let Some(clues) = d["clues"].as_object() {
        for st in clues["by_state"].as_array().unwrap() {
            same(s, who, &st["link"], &st["count"]).await;
        }
        same(s, who, &clues["link"], &clues["total"]).await;
    }
    d
}

fn peer_of(d: &Value, org: i64) -> Value {
    d["peers"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["org_id"] == org)
        .cloned()
        .unwrap_or_else(|| panic!("no peer {org}: {d}"))
}

async fn dashboard_figures_are_the_linked_lists(app: App) {
    fed_back_unit(&app, "990101", "990101001", &["本区问题"]).await;
    fed_back_unit(&app, "990102", "990102001", &["他县问题一", "他县问题二"]).await;
    let (province, city, county, other) = (
        org_id(&app, "99").await,
        org_id(&app, "9901").await,
        org_id(&app, "990101").await,
        org_id(&app, "990102").await,
    );

    // A clue on the province's 财政厅 unit (the round of 第一巡察组).
    let director = login(&app, "prov.director").await;
    let (_, units) = director
        .get("/api/v1/round-units?state=STATIONED&page_size=200")
        .await;
    let unit = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == "江岭省财政厅")
        .unwrap_or_else(|| panic!("no unit on site: {units}"))["id"]
        .as_i64()
        .unwrap();
    let (st, clue) = director
        .post(
            &format!("/api/v1/round-units/{unit}/clues"),
            json!({ "source": "petition", "summary": "反映违规发放津贴", "subject_name": "李某",
                    "subject_post": "处长", "informant": "王某", "facts": "2025年违规发放津贴" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{clue}");

    // The province: opens on the scope's root, every figure equals its list.
    let d = checked(&director, "prov.director", None).await;
    assert_eq!(d["org"]["org_id"], province, "{d}");
    assert_eq!(d["crumbs"].as_array().unwrap().len(), 1, "{d}");
    assert!(d["rect"]["stats"]["total"].as_i64().unwrap() >= 7, "{d}");
    assert!(
        d["clues"].is_object(),
        "the director holds the clue compartment: {d}"
    );
    assert_eq!(
        d["peers"],
        serde_json::json!([]),
        "a root has no peers: {d}"
    );
    // The province's coverage is its term's, as the coverage page counts it, split over its children.
    let cov = &d["coverage"];
    let (_, page) = director
        .get(&format!("/api/v1/terms/{}/coverage", cov["term_id"]))
        .await;
    assert_eq!(
        (&cov["total"], &cov["covered"]),
        (&page["total"], &page["inspected"]),
        "{d}"
    );
    let (mut total, mut covered) = (0, 0);
    for c in d["children"].as_array().unwrap() {
        total += c["coverage"]["total"].as_i64().unwrap_or(0);
        covered += c["coverage"]["covered"].as_i64().unwrap_or(0);
    }
    assert_eq!(
        (Some(total), Some(covered)),
        (cov["total"].as_i64(), cov["covered"].as_i64()),
        "{d}"
    );
    // Fieldwork over the whole scope is what the inspection statistics count.
    let (_, insp) = director.get("/api/v1/stats/inspection").await;
    let entries = |v: &Value| -> Vec<(String, i64)> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["method"].as_str().unwrap().to_string(),
                    m["entries"].as_i64().unwrap(),
                )
            })
            .collect()
    };
    assert_eq!(entries(&d["fieldwork"]), entries(&insp["fieldwork"]), "{d}");
    let city_row = d["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["org_id"] == city)
        .cloned()
        .expect("the city is a child");
    assert_eq!(city_row["drill"], true);
    assert!(city_row["total"].as_i64().unwrap() >= 3, "{city_row}");

    // Drill down: the city, then its county.
    let c = checked(&director, "prov.director", Some(city)).await;
    assert_eq!(c["rect"]["stats"]["total"], city_row["total"], "{c}");
    assert_eq!(c["crumbs"].as_array().unwrap().len(), 2, "{c}");
    let other_row = c["children"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["org_id"] == other)
        .cloned()
        .expect("county 0102");
    let k = checked(&director, "prov.director", Some(county)).await;
    assert_eq!(k["crumbs"][2]["org_id"], county, "{k}");

    // A county: its own subtree by default; another county's id is not found.
    let county_director = login(&app, "county0101.director").await;
    let mine = checked(&county_director, "county0101.director", None).await;
    assert_eq!(mine["org"]["org_id"], county, "{mine}");
    assert_eq!(
        mine["crumbs"].as_array().unwrap().len(),
        1,
        "no way up out of scope"
    );
    assert_eq!(mine["rect"]["stats"]["total"], k["rect"]["stats"]["total"]);
    for o in [other, city, province, 999_999] {
        let (st, p) = county_director
            .get(&format!("/api/v1/dashboard?org_id={o}"))
            .await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{o}: {p}");
        chinese(&p);
    }
    // Its peers: the counties of the city, counts and rates only, the same as the city sees.
    let peer = peer_of(&mine, other);
    let mut keys: Vec<&str> = peer
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "completed",
            "completion_rate",
            "is_self",
            "name",
            "on_time_rate",
            "org_id",
            "overdue",
            "rank",
            "total"
        ]
    );
    assert_eq!(peer["total"], other_row["total"], "{mine}");
    assert_eq!(peer["is_self"], false);
    assert_eq!(peer_of(&mine, county)["is_self"], true);
    // Its coverage is its term's, as the coverage page counts it.
    let cov = &mine["coverage"];
    assert!(cov.is_object(), "the county's term: {mine}");
    let (st, page) = county_director
        .get(&format!("/api/v1/terms/{}/coverage", cov["term_id"]))
        .await;
    assert_eq!(st, StatusCode::OK, "{page}");
    assert_eq!(cov["total"], page["total"], "{mine} {page}");
    assert_eq!(cov["covered"], page["inspected"], "{mine} {page}");
    assert!(cov["covered"].as_i64().unwrap() >= 1, "{mine}");

    // The leader: no clue compartment → clue figures null; the ranking is shown.
    let leader = login(&app, "prov.leader").await;
    let l = checked(&leader, "prov.leader", Some(county)).await;
    assert!(l["clues"].is_null(), "{l}");
    assert!(l["peers"].is_array(), "{l}");
    // A unit liaison: the unit's own figures, no ranking, no inspection figures.
    let liaison = login(&app, "town010101.liaison").await;
    let u = checked(&liaison, "town010101.liaison", None).await;
    assert_eq!(u["rect"]["stats"]["total"], 1, "{u}");
    assert!(u["peers"].is_null() && u["clues"].is_null(), "{u}");
    assert!(u["coverage"].is_null() && u["fieldwork"].is_null(), "{u}");

    // The period: a bad day or an inverted period is a 400 naming the parameter.
    let (st, p) = director.get("/api/v1/dashboard?from=2026-13-01").await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{p}");
    assert_eq!(p["fields"][0]["field"], "from", "{p}");
    let (st, p) = director
        .get("/api/v1/dashboard?from=2026-05-01&to=2026-04-01")
        .await;
    assert_eq!(st, StatusCode::BAD_REQUEST, "{p}");
    chinese(&p);
    // A period before any fieldwork counts none.
    let (st, p) = director
        .get("/api/v1/dashboard?from=1990-01-01&to=1990-12-31")
        .await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["fieldwork"], serde_json::json!([]), "{p}");
}

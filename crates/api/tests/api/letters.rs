//! Escalation letters: each rung its own template and addressee (主送), withdrawal with a reason,
//! on SQLite and PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};

use super::{App, Session, item_of, login, org_id, pg_app, sqlite_app};

crate::dual!(
    each_rung_its_own_template_and_addressee,
    withdrawal_keeps_the_number_and_frees_the_rung,
);

async fn docx_text(s: &Session, path: &str) -> String {
    let res = s.raw_get(path).await;
    assert_eq!(res.status(), StatusCode::OK, "{path}");
    let bytes = res.bytes().await.unwrap();
    xuncha_office::docx::extract_text(&bytes)
        .unwrap()
        .join("\n")
}

fn seq(doc_no: &Value) -> i64 {
    let s = doc_no.as_str().unwrap();
    let tail = s.rsplit_once('〕').unwrap().1;
    tail.trim_end_matches('号').parse().unwrap()
}

const RUNGS: [&str; 5] = [
    "reminder",
    "supervision",
    "admonition",
    "circular",
    "accountability",
];

/// The 财政厅 unit with an approved plan, its items long overdue (the clock moved 330 days on).
async fn overdue_unit(app: &App) -> (Session, Session, i64, Vec<i64>) {
    let liaison = login(app, "dept.liaison").await;
    let director = login(app, "prov.director").await;
    let (uid, ids) = super::rect::approved_plan(&liaison, &director).await;
    let (st, moved) = director
        .post("/api/v1/testing/clock", json!({ "advance_days": 330 }))
        .await;
    assert_eq!(st, StatusCode::OK, "{moved}");
    (liaison, director, uid, ids)
}

async fn issue(director: &Session, uid: i64, code: &str) -> Value {
    let mut body = json!({ "round_unit_id": uid, "letter_type": code, "finding_ids": [],
        "requirement": "请于10个工作日内完成整改并书面报告", "new_deadline": crate::shift("2028-06-30") });
    if code == "admonition" {
        body["talk_time"] = json!("下周一上午9时");
        body["talk_place"] = json!("巡察办第一会议室");
    }
    let (st, l) = director.post("/api/v1/rect/letters", body).await;
    assert_eq!(st, StatusCode::CREATED, "{code}: {l}");
    l
}

async fn titles(s: &Session) -> Vec<String> {
    let (_, notes) = s.get("/api/v1/notifications").await;
    notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap().to_string())
        .collect()
}

async fn each_rung_its_own_template_and_addressee(app: App) {
    let (liaison, director, uid, _) = overdue_unit(&app).await;
    let discipline = login(&app, "prov.discipline").await;
    let unit_org = org_id(&app, "99-D05").await;
    let jw = org_id(&app, "99-D01").await;

    let mut texts = Vec::new();
    for code in RUNGS {
        let l = issue(&director, uid, code).await;
        assert_eq!(l["state"], "issued");
        assert_eq!(l["state_name"], "已发出");
        let text = docx_text(&director, l["url"].as_str().unwrap()).await;
        assert!(text.contains(l["doc_no"].as_str().unwrap()), "{text}");
        assert!(text.contains(l["letter_name"].as_str().unwrap()), "{text}");
        if code == "accountability" {
            // The body that holds accountability, not the unit; the unit is only named.
            assert_eq!(l["addressee_org_id"], jw, "{l}");
            assert_eq!(l["addressee_name"], "江岭省纪委监委");
            assert!(text.contains("江岭省纪委监委："), "{text}");
            assert!(text.contains("问责建议"), "{text}");
            assert!(text.contains("江岭省财政厅"), "{text}");
            assert!(!text.contains("江岭省财政厅党组："), "{text}");
            assert!(text.contains("江岭省组织部"), "copied: {text}");
        } else {
            assert_eq!(l["addressee_org_id"], unit_org, "{code}: {l}");
            assert!(
                l["addressee_name"]
                    .as_str()
                    .unwrap()
                    .starts_with("江岭省财政厅"),
                "{l}"
            );
        }
        texts.push(text);
    }
    assert!(texts[0].contains("关于提醒江岭省财政厅"), "{}", texts[0]);
    assert!(texts[1].contains("督办要求"), "{}", texts[1]);
    assert!(texts[2].contains("约谈时间：下周一上午9时"), "{}", texts[2]);
    assert!(texts[2].contains("巡察办第一会议室"), "{}", texts[2]);
    assert!(texts[2].contains("主要负责人"), "{}", texts[2]);
    assert!(texts[3].contains("所辖各级党组织"), "抄送: {}", texts[3]);
    for (i, a) in texts.iter().enumerate() {
        let title_a = a.lines().find(|l| l.starts_with("关于")).unwrap();
        for b in &texts[i + 1..] {
            assert!(!b.contains(title_a), "{title_a} repeated");
        }
    }

    // The accountability letter notifies the discipline body's users, not the unit's liaison;
    // the unit's rungs notify the unit.
    let jw_notes = titles(&discipline).await;
    assert!(
        jw_notes.iter().any(|t| t == "收到问责建议函"),
        "{jw_notes:?}"
    );
    assert!(!jw_notes.iter().any(|t| t == "收到提醒函"), "{jw_notes:?}");
    // The discipline body reads the letter addressed to it (its document).
    let (_, notes) = discipline.get("/api/v1/notifications").await;
    let link = notes["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["title"] == "收到问责建议函")
        .unwrap()["link"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(link.ends_with("/docx"), "{link}");
    let text = docx_text(&discipline, &link).await;
    assert!(text.contains("问责建议"), "{text}");
    // 纪委监委's data scope is its level (it supervises the rectification of every unit there),
    // so it lists the unit's letters, the one addressed to it among them.
    let (_, seen) = discipline.get("/api/v1/rect/letters?page_size=200").await;
    let seen = seen["items"].clone();
    assert!(
        seen.as_array().unwrap().iter().any(
            |l| l["letter_type"] == "accountability" && l["addressee_name"] == "江岭省纪委监委"
        ),
        "{seen}"
    );
    // It cannot withdraw it (no rect:supervise).
    let (st, _) = discipline
        .post(
            &format!("/api/v1/rect/letters/{}/withdraw", seen[0]["id"]),
            json!({ "reason": "x" }),
        )
        .await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let unit_notes = titles(&liaison).await;
    assert!(
        unit_notes.iter().any(|t| t == "收到提醒函"),
        "{unit_notes:?}"
    );
    assert!(unit_notes.iter().any(|t| t == "收到约谈通知"));
    assert!(
        !unit_notes.iter().any(|t| t == "收到问责建议函"),
        "{unit_notes:?}"
    );

    // The list shows 主送 for every letter.
    let (_, list) = director
        .get(&format!("/api/v1/rect/letters?round_unit_id={uid}"))
        .await;
    let list = list["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 5);
    assert!(
        list.as_array()
            .unwrap()
            .iter()
            .any(|l| l["addressee_name"] == "江岭省纪委监委")
    );
}

async fn withdrawal_keeps_the_number_and_frees_the_rung(app: App) {
    let (liaison, director, uid, ids) = overdue_unit(&app).await;
    let first = issue(&director, uid, "reminder").await;
    let second = issue(&director, uid, "supervision").await;
    assert_eq!(seq(&second["doc_no"]), seq(&first["doc_no"]) + 1);
    let path = format!("/api/v1/rect/letters/{}/withdraw", second["id"]);

    // The reason is required, named in Chinese.
    for body in [json!({}), json!({ "reason": "  " })] {
        let (st, e) = director.post(&path, body).await;
        assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{e}");
        assert_eq!(e["fields"][0]["field"], "reason");
        super::chinese(&e);
    }
    // Another county's director cannot reach it; the unit cannot withdraw; nothing is stored.
    let county = login(&app, "county0101.director").await;
    let (st, e) = county.post(&path, json!({ "reason": "误发" })).await;
    assert_eq!(st, StatusCode::NOT_FOUND, "{e}");
    let (st, _) = liaison.post(&path, json!({ "reason": "误发" })).await;
    assert_eq!(st, StatusCode::FORBIDDEN);
    let (_, list) = director
        .get(&format!("/api/v1/rect/letters?round_unit_id={uid}"))
        .await;
    let list = list["items"].clone();
    let l = list
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == second["id"])
        .unwrap();
    assert_eq!(l["state"], "issued");
    assert!(l["withdraw_reason"].is_null());
    // A stale version is refused.
    let (st, _) = director
        .post(&path, json!({ "reason": "误发", "version": 99 }))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Withdrawn with a reason: the number is kept, the .docx still downloadable.
    let (st, w) = director
        .post(
            &path,
            json!({ "reason": "逾期问题已于发函前完成整改，误发", "version": second["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{w}");
    assert_eq!(w["state"], "withdrawn");
    assert_eq!(w["state_name"], "已撤回");
    assert_eq!(w["doc_no"], second["doc_no"]);
    assert_eq!(w["withdraw_reason"], "逾期问题已于发函前完成整改，误发");
    assert!(w["withdrawn_at"].is_string());
    assert!(w["withdrawn_by_name"].is_string());
    let text = docx_text(&director, w["url"].as_str().unwrap()).await;
    assert!(text.contains(second["doc_no"].as_str().unwrap()));
    // Not twice.
    let (st, e) = director.post(&path, json!({ "reason": "再撤一次" })).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert_eq!(e["code"], "letter.already_withdrawn");

    // An event on each named item; the addressee is told.
    let item = item_of(&liaison, ids[0]).await;
    assert!(
        crate::any_has(&item["events"], "comment", "撤回督办函"),
        "{}",
        item["events"]
    );
    assert!(titles(&liaison).await.iter().any(|t| t == "督办函已撤回"));
    let auditor = login(&app, "auditor").await;
    let (_, ops) = auditor
        .get("/api/v1/audit/operations?action=rect.letter_withdraw")
        .await;
    let ops = ops["items"].as_array().unwrap();
    assert_eq!(ops.len(), 1, "one audit record: {ops:?}");
    assert!(
        ops[0]["summary"]
            .as_str()
            .unwrap()
            .contains(second["doc_no"].as_str().unwrap()),
        "{ops:?}"
    );

    // The rung is free again; the next letter takes the next number, never the withdrawn one.
    let (_, sug) = director.get("/api/v1/rect/letters/suggestions").await;
    let s = crate::find(&sug, "round_unit_id", &uid);
    assert_eq!(s["letter_type"], "supervision", "{s}");
    let again = issue(&director, uid, "supervision").await;
    assert_eq!(seq(&again["doc_no"]), seq(&second["doc_no"]) + 1);
    let (_, list) = director
        .get(&format!("/api/v1/rect/letters?round_unit_id={uid}"))
        .await;
    let list = list["items"].clone();
    assert_eq!(list.as_array().unwrap().len(), 3);
}

//! 码上巡察: the public channel end to end on both backends — a report from the public, the
//! receipt, the follow-up, the team's questions and the conversion into a clue; who sees
//! nothing; no address stored; photo metadata removed; the public throttle.

use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};
use serde_json::{Value, json};

use super::{App, Session, client, login, pg_app, sqlite_app, unit_id};

crate::dual!(
    public_report_receipt_follow_up_and_clue,
    public_report_is_seen_only_by_the_team,
    public_report_photo_metadata_is_removed,
    public_report_submissions_are_throttled,
    public_report_fields_are_named,
    public_report_transfer_duplicate_and_standing,
);

/// A JPEG carrying an EXIF block (camera serial and GPS marker) and a comment.
pub(crate) fn jpeg_with_exif() -> Vec<u8> {
    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        v.extend_from_slice(payload);
        v
    }
    let mut j = vec![0xFF, 0xD8];
    j.extend(segment(0xE0, b"JFIF\0\x01\x01\0\0\x01\0\x01\0\0"));
    j.extend(segment(
        0xE1,
        b"Exif\0\0MM\0*GPSLatitude=21.66N SerialNumber=EXIFMARK42",
    ));
    j.extend(segment(0xFE, b"COMMENTMARK42"));
    j.extend(segment(0xDB, &[0u8; 65]));
    j.extend(segment(0xC0, &[8, 0, 1, 0, 1, 1, 1, 0x11, 0]));
    j.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
    j.extend_from_slice(&[0x7F, 0xFF, 0x00, 0x3C, 0x11]);
    j.extend_from_slice(&[0xFF, 0xD9]);
    j
}

fn report_form(photo: Option<Vec<u8>>) -> Form {
    let mut f = Form::new()
        .text("category", "corruption")
        .text("subject", "某局王某某")
        .text("happened", "2025年春节前后")
        .text(
            "facts",
            "王某某收受服务对象购物卡，REPORTMARK42。\n第二行。",
        )
        .text("named", "false");
    if let Some(p) = photo {
        f = f.part("files", Part::bytes(p).file_name("IMG_20250101_GPS.jpg"));
    }
    f
}

/// Opens the channel of 江岭省财政厅 as the team's inspector; answers (inspector, unit, token).
async fn channel(app: &App) -> (Session, i64, String) {
    let inspector = login(app, "prov.inspector").await;
    let unit = unit_id(&inspector, "江岭省财政厅").await;
    let (st, ch) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/public-channel"),
            json!({ "origin": "http://xuncha.example" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ch}");
    assert!(
        ch["qr_svg"].as_str().unwrap().starts_with("<?xml")
            || ch["qr_svg"].as_str().unwrap().contains("<svg")
    );
    assert_eq!(
        ch["url"],
        format!("http://xuncha.example/r/{}", ch["token"].as_str().unwrap())
    );
    // Opening again answers the same channel.
    let (_, again) = inspector
        .post(
            &format!("/api/v1/round-units/{unit}/public-channel"),
            json!({ "origin": "http://xuncha.example" }),
        )
        .await;
    assert_eq!(again["token"], ch["token"]);
    (inspector, unit, ch["token"].as_str().unwrap().to_string())
}

async fn submit(app: &App, token: &str, form: Form) -> (StatusCode, Value) {
    let res = client()
        .post(format!(
            "{}/api/v1/public/channels/{token}/reports",
            app.base
        ))
        .header("user-agent", "Mozilla/5.0 MicroMessenger/8.0.50 UAMARK42")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn follow_up(app: &App, code: &str, secret: &str) -> (StatusCode, Value) {
    let res = client()
        .post(format!("{}/api/v1/public/reports/follow-up", app.base))
        .json(&json!({ "receipt_code": code, "secret": secret }))
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn public_report_receipt_follow_up_and_clue(app: App) {
    let (inspector, unit, token) = channel(&app).await;
    // The page and the channel, without login.
    let page = client()
        .get(format!("{}/r/{token}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    let js = client()
        .get(format!("{}/r/page.js", app.base))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.len() + js.len() < 150 * 1024,
        "first load {} bytes",
        html.len() + js.len()
    );
    assert!(html.contains("码上巡察"));
    let info: Value = client()
        .get(format!("{}/api/v1/public/channels/{token}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["org_name"], "江岭省财政厅");
    assert_eq!(info["open"], true);
    assert!(info["elsewhere"].as_str().unwrap().contains("涉法涉诉"));
    assert_eq!(
        client()
            .get(format!(
                "{}/api/v1/public/channels/{}",
                app.base,
                "0".repeat(32)
            ))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // A report with a photo: a receipt code and a secret.
    let (st, receipt) = submit(
        &app,
        &token,
        report_form(Some(super::public_reports::jpeg_with_exif())),
    )
    .await;
    assert_eq!(st, StatusCode::CREATED, "{receipt}");
    let code = receipt["receipt_code"].as_str().unwrap().to_string();
    let secret = receipt["secret"].as_str().unwrap().to_string();
    assert_eq!(code.len(), 19);

    // Stored encrypted, with digests only, and nothing about the client.
    let (facts, rhash, shash): (Vec<u8>, String, String) = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT facts_enc, receipt_hash, secret_hash FROM public_reports ORDER BY id DESC LIMIT 1").fetch_one(p).await.unwrap());
    assert!(!String::from_utf8_lossy(&facts).contains("REPORTMARK42"));
    assert!(!rhash.contains(&code) && !shash.contains(&secret));
    let audit: Vec<(String, String, String)> = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT ip, actor_name, summary FROM audit_log WHERE action = 'public_report.submit'").fetch_all(p).await.unwrap());
    assert_eq!(audit.len(), 1);
    assert_eq!(audit[0].0, "-");
    let everything: Vec<(String, String)> = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT ip, summary FROM audit_log").fetch_all(p).await.unwrap());
    assert!(
        !everything
            .iter()
            .any(|(_, s)| s.contains("UAMARK42") || s.contains("REPORTMARK42"))
    );
    let logins: i64 = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar(
        "SELECT COUNT(*) FROM audit_log WHERE category = 'login' AND action LIKE 'public%'").fetch_one(p).await.unwrap());
    assert_eq!(logins, 0);

    // The follow-up: a wrong secret is "not found", like a wrong code.
    let (st, status) = follow_up(&app, &code, &secret).await;
    assert_eq!(st, StatusCode::OK, "{status}");
    assert_eq!(status["state_name"], "已收到，待受理");
    assert_eq!(status["file_count"], 1);
    assert!(
        !status.to_string().contains("REPORTMARK42"),
        "the follow-up does not echo the report"
    );
    let wrong = if secret.starts_with('A') { "B" } else { "A" };
    let (st, p) = follow_up(&app, &code, &format!("{wrong}{}", &secret[1..])).await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    assert_eq!(p["detail"], "回执编码或查询密码不正确");
    let (st, _) = follow_up(&app, "1111-1111-1111-1111", &secret).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // The team's queue: the report, decrypted, with its attachment.
    let (st, list) = inspector
        .get(&format!("/api/v1/public-reports?round_unit_id={unit}"))
        .await;
    assert_eq!(st, StatusCode::OK, "{list}");
    assert_eq!(list["total"], 1);
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, detail) = inspector.get(&format!("/api/v1/public-reports/{id}")).await;
    assert!(detail["facts"].as_str().unwrap().contains("REPORTMARK42"));
    assert_eq!(detail["subject"], "某局王某某");
    assert_eq!(detail["files"][0]["name"], "附件1.jpg");

    // Accept, ask; the reporter reads the question and answers.
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/decide"),
            json!({ "decision": "accept", "version": detail["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/questions"),
            json!({ "question": "请说明购物卡的面额。" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let (_, status) = follow_up(&app, &code, &secret).await;
    assert_eq!(status["state_name"], "受理");
    assert_eq!(status["messages"][0]["body"], "请说明购物卡的面额。");
    let res = client()
        .post(format!("{}/api/v1/public/reports/answer", app.base))
        .multipart(
            Form::new()
                .text("receipt_code", code.clone())
                .text("secret", secret.clone())
                .text("message", "每张一千元，ANSWERMARK42"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NO_CONTENT);
    let (_, status) = follow_up(&app, &code, &secret).await;
    assert_eq!(status["messages"][1]["author"], "reporter");

    // Convert into a clue: linked, source 码上巡察, the answers in the facts, no reporter.
    let (_, detail) = inspector.get(&format!("/api/v1/public-reports/{id}")).await;
    let (st, conv) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/clue"),
            json!({ "version": detail["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{conv}");
    let clue_id = conv["clue_id"].as_i64().unwrap();
    let (_, clue) = inspector.get(&format!("/api/v1/clues/{clue_id}")).await;
    assert_eq!(clue["source"], "qr");
    assert_eq!(clue["subject_name"], "某局王某某");
    assert!(clue["facts"].as_str().unwrap().contains("ANSWERMARK42"));
    let (_, detail) = inspector.get(&format!("/api/v1/public-reports/{id}")).await;
    assert_eq!(detail["clue_id"], clue_id);
    assert_eq!(detail["state"], "CLOSED");
    let (_, status) = follow_up(&app, &code, &secret).await;
    assert_eq!(status["state_name"], "办结");
    assert_eq!(status["open"], false);
    // Closed: no more answers, no second conversion.
    let res = client()
        .post(format!("{}/api/v1/public/reports/answer", app.base))
        .multipart(
            Form::new()
                .text("receipt_code", code.clone())
                .text("secret", secret.clone())
                .text("message", "再补充"),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let (st, _) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/clue"),
            json!({ "version": detail["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
}

async fn public_report_is_seen_only_by_the_team(app: App) {
    let (inspector, _unit, token) = channel(&app).await;
    let form = Form::new()
        .text("category", "work_style")
        .text("subject", "某科室")
        .text("facts", "上班时间打牌。")
        .text("named", "true")
        .text("reporter_name", "李NAMEMARK42")
        .text("reporter_phone", "13800000042");
    let (st, _) = submit(&app, &token, form).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, list) = inspector.get("/api/v1/public-reports").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    // The inspector on the team, without the reporter compartment, reads the report but not
    // the reporter; the director (on the team, with the compartment) sees the name.
    let (_, d) = inspector.get(&format!("/api/v1/public-reports/{id}")).await;
    assert_eq!(d["subject"], "某科室");
    assert_eq!(d["reporter_visible"], false);
    assert!(!d.to_string().contains("NAMEMARK42"));
    let director = login(&app, "prov.director").await;
    let (_, dd) = director.get(&format!("/api/v1/public-reports/{id}")).await;
    assert_eq!(dd["reporter_name"], "李NAMEMARK42");
    assert_eq!(dd["reporter_phone"], "13800000042");
    for who in [
        "prov.inspector2",
        "dept.liaison",
        "prov.staff",
        "county0101.director",
    ] {
        let s = login(&app, who).await;
        let (st, body) = s.get(&format!("/api/v1/public-reports/{id}")).await;
        assert!(
            st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
            "{who}: {st} {body}"
        );
        let (st, body) = s.get("/api/v1/public-reports").await;
        assert!(!body.to_string().contains("某科室"), "{who}: {st} {body}");
        let (st, _) = s.get(&format!("/api/v1/public-reports/{id}/files/1")).await;
        assert!(st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN);
        let (st, _) = s
            .post(
                &format!("/api/v1/public-reports/{id}/questions"),
                json!({ "question": "?" }),
            )
            .await;
        assert!(
            st == StatusCode::NOT_FOUND || st == StatusCode::FORBIDDEN,
            "{who}: {st}"
        );
    }
    // The name and phone are ciphertext in the row.
    let raw: Vec<u8> = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar(
        "SELECT reporter_name_enc FROM public_reports WHERE id = $1").bind(id).fetch_one(p).await.unwrap());
    assert!(!String::from_utf8_lossy(&raw).contains("NAMEMARK42"));
    // Declining needs a reason, which the reporter reads.
    let (st, p) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/decide"),
            json!({ "decision": "decline", "version": d["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(p["fields"][0]["field"], "reason");
    let (st, _) = inspector
        .post(&format!("/api/v1/public-reports/{id}/decide"), json!({ "decision": "decline", "reason": "不属于巡察受理范围", "version": d["version"] }))
        .await;
    assert_eq!(st, StatusCode::OK);
}

async fn public_report_photo_metadata_is_removed(app: App) {
    let (inspector, _unit, token) = channel(&app).await;
    let photo = jpeg_with_exif();
    let (st, _) = submit(&app, &token, report_form(Some(photo.clone()))).await;
    assert_eq!(st, StatusCode::CREATED);
    let (_, list) = inspector.get("/api/v1/public-reports").await;
    let id = list["items"][0]["id"].as_i64().unwrap();
    let (_, d) = inspector.get(&format!("/api/v1/public-reports/{id}")).await;
    let file = d["files"][0]["id"].as_i64().unwrap();
    let (st, bytes) = inspector
        .bytes(&format!("/api/v1/public-reports/{id}/files/{file}"))
        .await;
    assert_eq!(st, StatusCode::OK);
    let has = |b: &[u8], m: &[u8]| b.windows(m.len()).any(|w| w == m);
    assert!(has(&photo, b"EXIFMARK42") && has(&photo, b"Exif"));
    assert!(!has(&bytes, b"EXIFMARK42") && !has(&bytes, b"Exif") && !has(&bytes, b"COMMENTMARK42"));
    // The image data itself is untouched.
    assert!(has(&bytes, &[0x7F, 0xFF, 0x00, 0x3C, 0x11]));
    assert!(bytes.starts_with(&[0xFF, 0xD8]) && bytes.ends_with(&[0xFF, 0xD9]));
    // A file that is no photo or PDF is refused, naming it; nothing is stored.
    let (st, p) = submit(
        &app,
        &token,
        report_form(None).part(
            "files",
            Part::bytes(b"MZ\x90\0not a photo".to_vec()).file_name("a.jpg"),
        ),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert_eq!(p["fields"][0]["field"], "files[0]");
    let n: i64 = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM public_reports").fetch_one(p).await.unwrap());
    assert_eq!(n, 1);
}

async fn public_report_submissions_are_throttled(app: App) {
    let (_inspector, _unit, token) = channel(&app).await;
    let allowance = xuncha_api::throttle::PublicAction::Submit.allowance();
    for _ in 0..allowance {
        let (st, _) = submit(&app, &token, report_form(None)).await;
        assert_eq!(st, StatusCode::CREATED);
    }
    let res = client()
        .post(format!(
            "{}/api/v1/public/channels/{token}/reports",
            app.base
        ))
        .multipart(report_form(None))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let p: Value = res.json().await.unwrap();
    assert!(p["detail"].as_str().unwrap().contains("频繁"));
    // The follow-up has its own allowance.
    let (st, _) = follow_up(&app, "1111-1111-1111-1111", "ABCDEFGHJK").await;
    assert_eq!(st, StatusCode::NOT_FOUND);
}

async fn public_report_fields_are_named(app: App) {
    let (_inspector, _unit, token) = channel(&app).await;
    let (st, p) = submit(
        &app,
        &token,
        Form::new()
            .text("named", "true")
            .text("reporter_phone", "12ab"),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let fields: Vec<&str> = p["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    for f in [
        "category",
        "subject",
        "facts",
        "reporter_name",
        "reporter_phone",
    ] {
        assert!(fields.contains(&f), "{f} in {p}");
    }
    assert!(p["detail"].as_str().unwrap().contains("反映类别"));
    assert!(p["detail"].as_str().unwrap().contains("联系电话"));
    let (st, p) = follow_up(&app, "", "").await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(p["detail"].as_str().unwrap().contains("回执编码"));
    let n: i64 = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM public_reports").fetch_one(p).await.unwrap());
    assert_eq!(n, 0);
}

/// The report the inspector lists first (the newest).
async fn newest(s: &Session) -> Value {
    let (st, list) = s.get("/api/v1/public-reports").await;
    assert_eq!(st, StatusCode::OK, "{list}");
    let id = list["items"][0]["id"].as_i64().unwrap();
    s.get(&format!("/api/v1/public-reports/{id}")).await.1
}

fn day(d: time::Date) -> String {
    d.format(time::macros::format_description!("[year]-[month]-[day]"))
        .unwrap()
}

async fn public_report_transfer_duplicate_and_standing(app: App) {
    let (inspector, unit, token) = channel(&app).await;
    let (st, a) = submit(&app, &token, report_form(None)).await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let first = newest(&inspector).await;
    let (st, b) = submit(&app, &token, report_form(None)).await;
    assert_eq!(st, StatusCode::CREATED, "{b}");
    let second = newest(&inspector).await;
    assert_ne!(first["id"], second["id"]);

    // 重复反映: the second merges into the first; the reporter reads the note.
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{}/duplicate", second["id"]),
            json!({ "duplicate_of": first["id"], "version": second["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(d["duplicate_of"], first["id"]);
    let (_, status) = follow_up(
        &app,
        b["receipt_code"].as_str().unwrap(),
        b["secret"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status["state_name"], "办结");
    assert_eq!(status["reason"], "与已收到的反映重复，合并办理");
    // The first cannot merge into the one merged into it, nor into a report out of reach.
    let (st, p) = inspector
        .post(
            &format!("/api/v1/public-reports/{}/duplicate", first["id"]),
            json!({ "duplicate_of": second["id"], "version": first["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{p}");
    let (st, p) = inspector
        .post(
            &format!("/api/v1/public-reports/{}/duplicate", first["id"]),
            json!({ "duplicate_of": 999_999, "version": first["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("重复的反映"), "{p}");

    // 转办: every bad field named, nothing stored.
    let id = first["id"].as_i64().unwrap();
    let (_, units) = inspector.get("/api/v1/round-units?page_size=200").await;
    let org = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["id"].as_i64() == Some(unit))
        .unwrap()["org_id"]
        .as_i64()
        .unwrap();
    let today = super::test_today();
    let (st, p) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/transfer"),
            json!({ "org_id": 999_999, "deadline": day(today - time::Duration::days(1)),
                "instruction": " ", "version": first["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    let detail = p["detail"].as_str().unwrap();
    for f in ["转办要求", "期限不能早于今天", "责任单位不存在"] {
        assert!(detail.contains(f), "{f} in {p}");
    }
    let deadline = today + time::Duration::days(10);
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/transfer"),
            json!({ "org_id": org, "deadline": day(deadline),
                "instruction": "请核查购物卡问题并于期限内回复。", "version": first["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["state"], "TRANSFERRED");
    assert_eq!(d["transfers"][0]["state"], "PENDING");
    assert_eq!(d["transfers"][0]["overdue"], false);
    let (_, status) = follow_up(
        &app,
        a["receipt_code"].as_str().unwrap(),
        a["secret"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status["state_name"], "转办");
    assert_eq!(status["open"], true);
    // Waiting on the unit: not the team's to convert or transfer again.
    let (st, _) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/clue"),
            json!({ "version": d["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The unit's inbox: the instruction only, never the report or the reporter.
    let liaison = login(&app, "dept.liaison").await;
    let (_, wb) = liaison.get("/api/v1/workbench").await;
    let todo = wb["todos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["kind"] == "transfer_to_reply")
        .cloned()
        .unwrap_or_else(|| panic!("{wb}"));
    assert_eq!(todo["count"], 1);
    let (st, inbox) = liaison.get("/api/v1/report-transfers?state=PENDING").await;
    assert_eq!(st, StatusCode::OK, "{inbox}");
    assert_eq!(inbox["total"], 1);
    let t = inbox["items"][0].clone();
    assert_eq!(t["instruction"], "请核查购物卡问题并于期限内回复。");
    assert!(!inbox.to_string().contains("REPORTMARK42"));
    assert!(!inbox.to_string().contains("某局王某某"));
    let (st, _) = liaison.get(&format!("/api/v1/public-reports/{id}")).await;
    assert!(st == StatusCode::FORBIDDEN || st == StatusCode::NOT_FOUND);
    // Another unit's liaison sees nothing of it.
    let other = login(&app, "town010201.liaison").await;
    let (_, none) = other.get("/api/v1/report-transfers").await;
    assert_eq!(none["total"], 0);
    let tid = t["id"].as_i64().unwrap();
    let (st, _) = other
        .post(
            &format!("/api/v1/report-transfers/{tid}/reply"),
            json!({ "reply": "越权回复", "version": t["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, p) = liaison
        .post(
            &format!("/api/v1/report-transfers/{tid}/reply"),
            json!({ "reply": "", "version": t["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{p}");
    assert!(p["detail"].as_str().unwrap().contains("办理情况"));
    let (st, t) = liaison
        .post(
            &format!("/api/v1/report-transfers/{tid}/reply"),
            json!({ "reply": "已核查，购物卡已退还。", "version": t["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{t}");
    assert_eq!(t["state"], "REPLIED");
    let (st, _) = liaison
        .post(
            &format!("/api/v1/report-transfers/{tid}/reply"),
            json!({ "reply": "再次回复", "version": t["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);

    // The team reviews: returned once, then accepted; the reporter reads the answer.
    let (_, waiting) = inspector.get("/api/v1/public-reports?review=true").await;
    assert_eq!(waiting["total"], 1);
    let review = |accept: bool, opinion: &str, version: &Value| json!({ "transfer_id": tid, "accept": accept, "opinion": opinion, "version": version });
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/transfer/review"),
            review(false, "请补充退还凭证。", &t["version"]),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["transfers"][0]["state"], "PENDING");
    assert_eq!(d["transfers"][0]["review_comment"], "请补充退还凭证。");
    assert_eq!(d["state"], "TRANSFERRED");
    let (_, t) = liaison
        .post(
            &format!("/api/v1/report-transfers/{tid}/reply"),
            json!({ "reply": "已核查，购物卡已退还，凭证附后。", "version": d["transfers"][0]["version"] }),
        )
        .await;
    assert_eq!(t["state"], "REPLIED", "{t}");
    let (st, d) = inspector
        .post(
            &format!("/api/v1/public-reports/{id}/transfer/review"),
            review(
                true,
                "经核查，反映的购物卡已退还，相关人员已作检讨。",
                &t["version"],
            ),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["state"], "CLOSED");
    assert_eq!(d["transfers"][0]["state"], "DONE");
    let (_, status) = follow_up(
        &app,
        a["receipt_code"].as_str().unwrap(),
        a["secret"].as_str().unwrap(),
    )
    .await;
    assert_eq!(status["state_name"], "办结");
    assert!(status["reason"].as_str().unwrap().contains("购物卡已退还"));
    assert_eq!(status["open"], false);

    // After the round: the page still takes reports, into the office's standing queue, which
    // the team no longer sees and the office's clue lead does.
    let info: Value = client()
        .get(format!("{}/api/v1/public/channels/{token}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["standing"], false);
    let until = time::Date::parse(
        info["until"].as_str().unwrap(),
        time::macros::format_description!("[year]-[month]-[day]"),
    )
    .unwrap();
    assert!(app.db.clock().advance((until - today).whole_days() + 1));
    let info: Value = client()
        .get(format!("{}/api/v1/public/channels/{token}", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["standing"], true);
    let (st, c) = submit(&app, &token, report_form(None)).await;
    assert_eq!(st, StatusCode::CREATED, "{c}");
    // (Sessions lapse while the clock moves on.)
    let inspector = login(&app, "prov.inspector").await;
    let (_, team) = inspector.get("/api/v1/public-reports").await;
    assert_eq!(team["total"], 2, "the team keeps its own two: {team}");
    let director = login(&app, "prov.director").await;
    let (_, standing) = director.get("/api/v1/public-reports?standing=true").await;
    assert_eq!(standing["total"], 1, "{standing}");
    assert_eq!(standing["items"][0]["standing"], true);
    let sid = standing["items"][0]["id"].as_i64().unwrap();
    let (st, _) = inspector
        .get(&format!("/api/v1/public-reports/{sid}"))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // A 转办 past its deadline is flagged overdue.
    let new_today = app.db.today();
    let (st, d) = director
        .post(
            &format!("/api/v1/public-reports/{sid}/transfer"),
            json!({ "org_id": org, "deadline": day(new_today),
                "instruction": "请核查。", "version": standing["items"][0]["version"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["transfers"][0]["overdue"], false);
    assert!(app.db.clock().advance(1));
    let liaison = login(&app, "dept.liaison").await;
    let (_, inbox) = liaison.get("/api/v1/report-transfers?state=PENDING").await;
    assert_eq!(inbox["items"][0]["overdue"], true, "{inbox}");

    // The statistics, scoped like the queue: the office lead counts all three, the team two.
    let director = login(&app, "prov.director").await;
    let (st, stats) = director.get("/api/v1/public-reports/stats").await;
    assert_eq!(st, StatusCode::OK, "{stats}");
    assert_eq!(stats["total"], 3, "{stats}");
    assert_eq!(stats["standing"], 1);
    assert_eq!(stats["duplicates"], 1);
    assert_eq!(stats["to_clue"], 0);
    assert_eq!(stats["transfers"], 2);
    assert_eq!(stats["transfers_overdue"], 1);
    assert_eq!(stats["decision"]["count"], 3);
    assert_eq!(stats["reply"]["count"], 1);
    assert_eq!(stats["by_unit"][0]["name"], "江岭省财政厅");
    assert_eq!(stats["by_unit"][0]["count"], 3);
    assert_eq!(stats["by_category"][0]["name"], "违纪违法、腐败问题");
    let states: Vec<(String, i64)> = stats["by_state"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            (
                g["name"].as_str().unwrap().to_string(),
                g["count"].as_i64().unwrap(),
            )
        })
        .collect();
    assert!(states.contains(&("办结".to_string(), 2)), "{states:?}");
    assert!(states.contains(&("转办".to_string(), 1)), "{states:?}");
    let inspector = login(&app, "prov.inspector").await;
    let (_, team) = inspector.get("/api/v1/public-reports/stats").await;
    assert_eq!(team["total"], 2, "{team}");
    assert_eq!(team["standing"], 0);
    let (st, _) = liaison.get("/api/v1/public-reports/stats").await;
    assert_eq!(st, StatusCode::FORBIDDEN);
}

/// Fuzzing of the public forms: random and boundary values in every field, random bytes as
/// files, broken multipart bodies, each from its own address (behind a trusted proxy, so the
/// throttle does not hide the handlers): never a 5xx, every error problem+json.
mod public_form_fuzz {
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::fuzz(super::super::sqlite_app_with(proxied()).await).await;
    }
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::fuzz(super::super::pg_app_with(proxied()).await).await;
    }
    fn proxied() -> xuncha_api::ApiConfig {
        xuncha_api::ApiConfig {
            trust_forwarded_for: true,
            ..Default::default()
        }
    }
}

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        usize::try_from(self.next() % u64::try_from(n).unwrap()).unwrap()
    }
    fn text(&mut self) -> String {
        const PICKS: &[&str] = &[
            "",
            " ",
            "corruption",
            "其他",
            "true",
            "false",
            "\u{0}",
            "\u{7}控制",
            "😀",
            "<script>",
            "13800000000",
            "1234-5678-9012-3456",
            "ABCDEFGHJK",
            "'; DROP TABLE public_reports; --",
            "\n\n",
            "某",
            "-1",
            "9999999999999999999999",
        ];
        match self.below(4) {
            0 => PICKS[self.below(PICKS.len())].to_string(),
            1 => "长".repeat(self.below(6000)),
            2 => (0..self.below(40))
                .map(|_| char::from_u32(u32::try_from(self.below(0x3000)).unwrap()).unwrap_or('x'))
                .collect(),
            _ => format!(
                "{}{}",
                PICKS[self.below(PICKS.len())],
                "x".repeat(self.below(200))
            ),
        }
    }
    fn bytes(&mut self) -> Vec<u8> {
        let mut head: Vec<u8> = match self.below(5) {
            0 => vec![0xFF, 0xD8, 0xFF],
            1 => b"\x89PNG\r\n\x1a\n".to_vec(),
            2 => b"%PDF-1.4".to_vec(),
            3 => jpeg_with_exif(),
            _ => Vec::new(),
        };
        let cut = self.below(head.len() + 1);
        head.truncate(cut.max(head.len().min(3)));
        for _ in 0..self.below(300) {
            head.push(u8::try_from(self.next() & 0xFF).unwrap());
        }
        head
    }
}

async fn fuzz(app: App) {
    let (_inspector, _unit, token) = channel(&app).await;
    let fields = [
        "category",
        "subject",
        "happened",
        "facts",
        "named",
        "reporter_name",
        "reporter_phone",
        "receipt_code",
        "secret",
        "message",
        "files",
        "x",
    ];
    let mut rng = Rng(0x5EED_1234_ABCD_0042);
    let http = client();
    let mut failures = Vec::new();
    for i in 0..240u32 {
        let mut form = Form::new();
        for _ in 0..rng.below(10) {
            let name = fields[rng.below(fields.len())];
            if rng.below(3) == 0 {
                form = form.part(name, Part::bytes(rng.bytes()).file_name(rng.text()));
            } else {
                form = form.text(name, rng.text());
            }
        }
        let path = match i % 4 {
            0 | 1 => format!("/api/v1/public/channels/{token}/reports"),
            2 => "/api/v1/public/reports/answer".to_string(),
            _ => format!(
                "/api/v1/public/channels/{}/reports",
                rng.text().replace('/', "")
            ),
        };
        let req = http
            .post(format!("{}{path}", app.base))
            .header("x-forwarded-for", format!("10.9.{}.{}", i / 250, i % 250));
        let res = if i % 10 == 9 {
            req.header("content-type", "multipart/form-data; boundary=zz")
                .body(format!("--zz\r\nContent-Disposition: form-data; name=\"files\"; filename=\"a\"\r\n\r\n{}", rng.text()))
                .send()
                .await
        } else {
            req.multipart(form).send().await
        };
        let Ok(res) = res else { continue };
        let status = res.status();
        let ct = super::content_type(&res);
        if status.is_server_error() || (!status.is_success() && !ct.contains("problem+json")) {
            failures.push(format!(
                "{path}: {status} {ct} {}",
                res.text().await.unwrap_or_default()
            ));
        }
    }
    // The follow-up with random receipts.
    for i in 0..60u32 {
        let res = http
            .post(format!("{}/api/v1/public/reports/follow-up", app.base))
            .header("x-forwarded-for", format!("10.8.0.{i}"))
            .json(&json!({ "receipt_code": rng.text(), "secret": rng.text() }))
            .send()
            .await
            .unwrap();
        if res.status().is_server_error() {
            failures.push(format!("follow-up: {}", res.status()));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

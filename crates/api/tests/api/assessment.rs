//! Rectification assessment, satisfaction surveys and disclosure through the API, on SQLite and
//! PostgreSQL.

use reqwest::StatusCode;
use serde_json::{Value, json};
use xuncha_domain::inspection::{FindingState, RoundUnitState as S};
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;
use xuncha_store::{fieldwork, inspection};

use super::{App, Session, chinese, client, get_url, login, org_id, pg_app, sqlite_app};

crate::dual!(
    assessment_scores_grades_and_applies_consequences,
    survey_is_answered_anonymously_then_closed,
    disclosure_counts_approval_and_public_release,
    county_user_cannot_reach_other_county_assessment_or_disclosure,
    only_the_round_office_decides_a_disclosure,
    preview_counts_overdue_items_and_waits_for_the_survey,
);

/// A round of the office `owner` at `target`, fed back, with one finding per title.
pub(crate) async fn fed_back_unit(
    app: &App,
    owner: &str,
    target: &str,
    titles: &[&str],
) -> (i64, Vec<i64>) {
    let today = app.db.today();
    let round = StoreRound {
        term: "第十四届".into(),
        depth: 1,
        round: round_draft(
            "2025年第一轮巡察".into(),
            time::macros::date!(2025 - 03 - 01),
            time::macros::date!(2025 - 05 - 31),
            "",
        ),
        reporting_on: today,
        fed_back_on: today,
    };
    let drafts: Vec<_> = titles
        .iter()
        .map(|t| finding_draft((*t).to_string(), "事实", ""))
        .collect();
    fed_back_round(
        app,
        org_id(app, owner).await,
        org_id(app, target).await,
        round,
        &drafts,
    )
    .await
}

/// A round made in the store: its term (name and depth), the round, and the days its unit is
/// walked to REPORTING and then on to FEEDBACK_DONE.
pub(crate) struct StoreRound {
    pub(crate) term: String,
    pub(crate) depth: i32,
    pub(crate) round: inspection::RoundDraft,
    pub(crate) reporting_on: time::Date,
    pub(crate) fed_back_on: time::Date,
}

/// A regular round named `name`, from `start` to `end` (literal dates, shifted to the test's
/// today), with `brief` as its focus and work plan.
pub(crate) fn round_draft(
    name: String,
    start: time::Date,
    end: time::Date,
    brief: &str,
) -> inspection::RoundDraft {
    inspection::RoundDraft {
        name,
        kinds: vec![xuncha_domain::inspection::InspectionKind::Regular],
        village_mode: None,
        start_date: crate::shift_date(start),
        end_date: crate::shift_date(end),
        focus: brief.into(),
        work_plan: brief.into(),
    }
}

/// A finding titled `title` with `facts`, every other text `rest`.
pub(crate) fn finding_draft(title: String, facts: &str, rest: &str) -> fieldwork::FindingDraft {
    fieldwork::FindingDraft {
        title,
        category_id: None,
        facts: facts.into(),
        basis: rest.into(),
        responsibility: rest.into(),
        evidence: rest.into(),
        finder: rest.into(),
        team_opinion: rest.into(),
        activity_ids: Vec::new(),
    }
}

/// `spec`'s term and round of the office `owner` (org id) with a unit at `target` (org id),
/// walked to REPORTING, one confirmed finding per draft, then fed back: (unit, finding ids).
pub(crate) async fn fed_back_round(
    app: &App,
    owner: i64,
    target: i64,
    spec: StoreRound,
    drafts: &[fieldwork::FindingDraft],
) -> (i64, Vec<i64>) {
    let db = &app.db;
    let actor = Actor::system("test");
    let all = Scope::unrestricted();
    let term = inspection::create_term(
        db,
        &actor,
        &all,
        owner.into(),
        &spec.term,
        crate::shift_date(time::macros::date!(2023 - 01 - 01)),
        crate::shift_date(time::macros::date!(2027 - 12 - 31)),
        spec.depth,
    )
    .await
    .unwrap();
    let round = inspection::create_round(db, &actor, &all, term.id, &spec.round)
        .await
        .unwrap();
    let unit = inspection::add_unit(db, &actor, &all, round.id, target.into())
        .await
        .unwrap();
    walk(
        db,
        unit.id.get(),
        &[
            S::Preparing,
            S::Notified,
            S::Stationed,
            S::FieldworkDone,
            S::Reporting,
        ],
        spec.reporting_on,
    )
    .await;
    let mut ids = Vec::new();
    for draft in drafts {
        let f = fieldwork::create_finding(db, &actor, &all, unit.id, draft)
            .await
            .unwrap();
        fieldwork::transition_finding(
            db,
            &actor,
            &all,
            f.id,
            FindingState::Confirmed,
            "",
            f.version,
        )
        .await
        .unwrap();
        ids.push(f.id.get());
    }
    walk(
        db,
        unit.id.get(),
        &[S::ReportApproved, S::FeedbackDone],
        spec.fed_back_on,
    )
    .await;
    (unit.id.get(), ids)
}

async fn walk(db: &xuncha_store::Db, unit: i64, to: &[S], on: time::Date) {
    let all = Scope::unrestricted();
    for s in to {
        let u = inspection::get_unit(db, &all, unit.into()).await.unwrap();
        inspection::transition_unit(
            db,
            &Actor::system("test"),
            &all,
            u.id,
            *s,
            "",
            u.version,
            on,
        )
        .await
        .unwrap();
    }
}

async fn set_state(app: &App, finding: i64, state: &str) {
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE findings SET state = $1 WHERE id = $2").bind(state).bind(finding).execute(p).await.unwrap();
    });
}

async fn outcome(
    app: &App,
    finding: i64,
    kind: &str,
    count: i64,
    fen: i64,
    treatment: Option<&str>,
) {
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("INSERT INTO rect_outcomes (finding_id, kind, detail, count, amount_fen, person, treatment, recorded_by, recorded_at) \
                     VALUES ($1, $2, '测试', $3, $4, NULL, $5, NULL, $6)")
            .bind(finding).bind(kind).bind(count).bind(fen).bind(treatment).bind(app.db.now()).execute(p).await.unwrap();
    });
}

async fn unit_by_name(s: &Session, name: &str) -> i64 {
    let (st, units) = s.get("/api/v1/assessment/units?page_size=200").await;
    let units = units["items"].clone();
    assert_eq!(st, StatusCode::OK, "{units}");
    units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_name"] == name)
        .unwrap_or_else(|| panic!("no unit {name}: {units}"))["id"]
        .as_i64()
        .unwrap()
}

/// `s` submits the disclosure at `path` at `d`'s version.
async fn submit(s: &Session, path: &str, d: &Value) -> (StatusCode, Value) {
    s.post_version(&format!("{path}/submit"), d).await
}

/// `s` decides the disclosure at `path` with `body`, at `d`'s version.
async fn decide(s: &Session, path: &str, mut body: Value, d: &Value) -> (StatusCode, Value) {
    body["version"] = d["version"].clone();
    s.post(&format!("{path}/decide"), body).await
}

/// The answer was OK and the disclosure `d` is now in `state`.
#[track_caller]
fn assert_state(st: StatusCode, d: &Value, state: &str) {
    assert_eq!(
        (st, d["state"].as_str()),
        (StatusCode::OK, Some(state)),
        "{d}"
    );
}

fn docx_has(bytes: &[u8], needle: &str) -> bool {
    xuncha_office::docx::extract_text(bytes)
        .unwrap()
        .iter()
        .any(|p| p.contains(needle))
}

fn xlsx_text(bytes: &[u8]) -> String {
    let t = xuncha_office::read_table(bytes, "x.xlsx").unwrap();
    format!("{:?} {:?}", t.headers, t.rows)
}

async fn assessment_scores_grades_and_applies_consequences(app: App) {
    let s = login(&app, "prov.director").await;
    let unit = unit_by_name(&s, "江岭省交通投资集团有限公司").await;
    let (st, a) = s
        .post("/api/v1/assessments", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    assert_eq!(a["state"], "DRAFT");
    assert_eq!(a["score"], 100.0);
    // No survey answer yet: the preview shows no band (待测评), not 优秀.
    assert_eq!(a["grade_name"], "待测评");
    assert_eq!(a["grade_code"], Value::Null);
    assert_eq!(a["indicators"].as_array().unwrap().len(), 5);
    let id = a["id"].as_i64().unwrap();
    let (st, dup) = s
        .post("/api/v1/assessments", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CONFLICT, "{dup}");
    chinese(&dup);

    // A deduction beyond its indicator's maximum, a missing reason, an unknown indicator.
    let path = format!("/api/v1/assessments/{id}");
    let (st, bad) = s
        .put(
            &path,
            json!({ "assessed_on": crate::shift("2026-06-01"), "version": a["version"], "deductions": [
                { "indicator": "research", "points": 25, "reason": "未及时召开专题会议" },
                { "indicator": "tasks", "points": 1, "reason": "  " },
                { "indicator": "nope", "points": 1, "reason": "x" },
                { "indicator": "overall", "points": 1.25, "reason": "x" },
            ] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY, "{bad}");
    let detail = chinese(&bad);
    assert!(
        detail.contains("“研究部署”的扣分合计不能超过该指标分值20分"),
        "{bad}"
    );
    assert!(detail.contains("请填写“任务落实”的扣分理由"), "{bad}");
    let fields: Vec<&str> = bad["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        [
            "deductions[0].points",
            "deductions[1].reason",
            "deductions[2].indicator",
            "deductions[3].points"
        ]
    );
    let body = json!({ "assessed_on": crate::shift("2026-06-01"), "conclusion": "整改总体到位，但个别问题整改不彻底。", "version": a["version"], "deductions": [
        { "indicator": "research", "points": 10, "reason": "未及时召开专题民主生活会" },
        { "indicator": "tasks", "points": 15, "reason": "3个问题整改不到位" },
        { "indicator": "overall", "points": 2.5, "reason": "整改报告不规范" },
    ] });
    let (st, a) = s.put(&path, body.clone()).await;
    assert_eq!(st, StatusCode::OK, "{a}");
    assert_eq!(a["score"], 72.5);
    assert_eq!(a["grade_name"], "待测评");
    assert_eq!(a["consequences"], json!([]));
    let (st, stale) = s.put(&path, body).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(stale["code"], "api.stale_version");

    // Nothing on the 回头看 list until the grade is final.
    let (_, v) = s.get("/api/v1/assessment/revisits?page_size=200").await;
    let v = v["items"].clone();
    assert!(
        v.as_array()
            .unwrap()
            .iter()
            .all(|r| r["round_unit_id"] != unit)
    );
    let (st, f) = s.post_version(&format!("{path}/finalise"), &a).await;
    assert_eq!(st, StatusCode::OK, "{f}");
    assert_eq!(f["state"], "FINALISED");
    assert_eq!(f["score"], 72.5);
    assert_eq!(f["grade_name"], "基本合格");
    let cons: Vec<&str> = f["consequences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["code"].as_str().unwrap())
        .collect();
    assert_eq!(cons, ["revisit", "supervisor_talk"]);
    let (_, v) = s.get("/api/v1/assessment/revisits?page_size=200").await;
    let v = v["items"].clone();
    let r = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["round_unit_id"] == unit)
        .unwrap_or_else(|| panic!("not on the revisit list: {v}"));
    assert!(r["reason"].as_str().unwrap().contains("基本合格"), "{r}");
    // Final is final.
    let (st, _) = s
        .put(
            &path,
            json!({ "assessed_on": crate::shift("2026-06-01"), "version": f["version"], "deductions": [] }),
        )
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    let (st, _) = s.post_version(&format!("{path}/finalise"), &f).await;
    assert_eq!(st, StatusCode::CONFLICT);

    // Lists, the report and the annual-assessment export.
    let (_, list) = s.get("/api/v1/assessments?state=FINALISED").await;
    assert_eq!(list["items"][0]["score"], 72.5, "{list}");
    let (st, doc) = s.bytes(&format!("{path}/docx")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(docx_has(&doc, "综合得分72.5分，评定等次为“基本合格”"));
    assert!(docx_has(&doc, "列入回头看名单"));
    let (st, x) = s.bytes("/api/v1/assessments/export").await;
    assert_eq!(st, StatusCode::OK);
    let text = xlsx_text(&x);
    assert!(
        text.contains("江岭省交通投资集团有限公司")
            && text.contains("72.5")
            && text.contains("与分管领导谈话"),
        "{text}"
    );

    // The rubric is configurable; a rubric that does not add up to 100 is refused.
    let (_, cfg) = s.get("/api/v1/assessment/settings").await;
    assert_eq!(cfg["indicators"][0]["name"], "研究部署");
    let mut ind = cfg["indicators"].clone();
    ind[0]["max_points"] = json!(15);
    let (st, bad) = s
        .put(
            "/api/v1/assessment/settings",
            json!({ "indicators": ind, "grades": cfg["grades"] }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&bad).contains("各指标分值合计须为100分（现为95分）"));
    ind[1]["max_points"] = json!(35);
    let (st, ok) = s
        .put(
            "/api/v1/assessment/settings",
            json!({ "indicators": ind, "grades": cfg["grades"] }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{ok}");
    assert_eq!(ok["indicators"][1]["max_points"], 35.0);
}

fn token_of(url: &str) -> String {
    url.rsplit('/').next().unwrap().to_string()
}

async fn public_get(app: &App, path: &str) -> (StatusCode, Value) {
    let res = get_url(&client(), &format!("{}{path}", app.base)).await;
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn public_post(app: &App, path: &str, body: Value) -> (StatusCode, Value) {
    let res = client()
        .post(format!("{}{path}", app.base))
        .json(&body)
        .send()
        .await
        .unwrap();
    let st = res.status();
    (st, res.json().await.unwrap_or(Value::Null))
}

async fn survey_is_answered_anonymously_then_closed(app: App) {
    let s = login(&app, "prov.director").await;
    let unit = unit_by_name(&s, "江岭省交通投资集团有限公司").await;
    let (_, a) = s
        .post("/api/v1/assessments", json!({ "round_unit_id": unit }))
        .await;
    let id = a["id"].as_i64().unwrap();
    let (st, bad) = s
        .post(
            &format!("/api/v1/assessments/{id}/survey"),
            json!({ "origin": "javascript:alert(1)" }),
        )
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["fields"][0]["field"], "origin");
    let (st, created) = s
        .post(
            &format!("/api/v1/assessments/{id}/survey"),
            json!({ "origin": "https://xuncha.example.cn/" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let links = created["links"].as_array().unwrap();
    let names: Vec<&str> = links
        .iter()
        .map(|l| l["group_name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "单位干部职工",
            "派驻纪检监察组/乡镇纪委",
            "组织部",
            "巡察机构"
        ]
    );
    let url = links[0]["url"].as_str().unwrap();
    assert!(url.starts_with("https://xuncha.example.cn/s/"), "{url}");
    assert_eq!(token_of(url).len(), 32);
    assert!(links[0]["qr_svg"].as_str().unwrap().contains("<svg"));
    // The token itself is not stored, only its digest.
    let stored: i64 = xuncha_store::on_db!(&app.db, p => sqlx::query_scalar("SELECT COUNT(*) FROM survey_groups WHERE token_hash = $1")
        .bind(token_of(url)).fetch_one(p).await.unwrap());
    assert_eq!(stored, 0);

    // Raters answer without logging in.
    let staff = format!("/api/v1/public/surveys/{}", token_of(url));
    let org_dept = format!(
        "/api/v1/public/surveys/{}",
        token_of(links[2]["url"].as_str().unwrap())
    );
    let (st, q) = public_get(&app, &staff).await;
    assert_eq!(st, StatusCode::OK, "{q}");
    assert_eq!(q["group_name"], "单位干部职工");
    assert_eq!(q["open"], true);
    assert_eq!(q["questions"].as_array().unwrap().len(), 4);
    assert_eq!(q["answers"][3]["name"], "不了解");
    let (st, _) = public_post(
        &app,
        &staff,
        json!({ "answers": ["satisfied", "satisfied", "basic", "unknown"], "comment": "整改效果明显" }),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, _) = public_post(
        &app,
        &org_dept,
        json!({ "answers": ["unsatisfied", "unsatisfied", "basic", "satisfied"] }),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (st, bad) = public_post(&app, &staff, json!({ "answers": ["satisfied"] })).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&bad).contains("请回答全部4个问题"));
    let (st, bad) = public_post(
        &app,
        &staff,
        json!({ "answers": ["satisfied", "satisfied", "satisfied", "satisfied"], "comment": "长".repeat(501) }),
    )
    .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(chinese(&bad).contains("意见建议不能超过500个字符"), "{bad}");
    // A cross-site form cannot post: JSON only.
    let res = client()
        .post(format!("{}{staff}", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body("answers=satisfied")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let (st, _) = public_get(
        &app,
        "/api/v1/public/surveys/00000000000000000000000000000000",
    )
    .await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // 7 valid answers (不了解 does not count), 5 of them 满意 or 基本满意: 71.43%.
    let (_, a) = s.get(&format!("/api/v1/assessments/{id}")).await;
    let sat = &a["satisfaction"];
    assert_eq!(sat["responses"], 2, "{a}");
    assert_eq!(sat["valid"], 7);
    assert_eq!(sat["rate"], "71.43%");
    assert_eq!(sat["groups"][0]["rate"], "100.00%");
    assert_eq!(sat["comments"][0]["comment"], "整改效果明显");
    // 20 × 2/7 = 5.7 points off 满意度.
    assert_eq!(a["indicators"][3]["auto_deducted"], 5.7);
    assert_eq!(a["score"], 94.3);
    // Nothing identifies the respondent: the audit record has no user and no address.
    let (actor, ip): (String, String) = xuncha_store::on_db!(&app.db, p => sqlx::query_as(
        "SELECT actor_name, ip FROM audit_log WHERE action = 'survey.respond' ORDER BY seq DESC LIMIT 1").fetch_one(p).await.unwrap());
    assert_eq!((actor.as_str(), ip.as_str()), ("匿名测评", "-"));

    // A new link replaces the old one.
    let gid = links[2]["group_id"].as_i64().unwrap();
    let (st, fresh) = s
        .post(
            &format!("/api/v1/assessments/{id}/survey/groups/{gid}/link"),
            json!({ "origin": "http://10.0.0.5:8080" }),
        )
        .await;
    assert_eq!(st, StatusCode::OK, "{fresh}");
    assert!(
        fresh["url"]
            .as_str()
            .unwrap()
            .starts_with("http://10.0.0.5:8080/s/")
    );
    let (st, _) = public_get(&app, &org_dept).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    // Finalising closes the survey.
    let (st, f) = s
        .post_version(&format!("/api/v1/assessments/{id}/finalise"), &a)
        .await;
    assert_eq!(st, StatusCode::OK, "{f}");
    assert_eq!(f["score"], 94.3);
    assert_eq!(f["grade_name"], "优秀");
    assert_eq!(f["satisfaction"]["state"], "CLOSED");
    let (st, q) = public_get(&app, &staff).await;
    assert_eq!((st, &q["open"]), (StatusCode::OK, &json!(false)));
    let (st, closed) = public_post(
        &app,
        &staff,
        json!({ "answers": ["satisfied", "satisfied", "satisfied", "satisfied"] }),
    )
    .await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(closed["code"], "survey.closed");
    let (_, list) = s.get("/api/v1/assessments").await;
    assert_eq!(list["items"][0]["satisfaction_rate"], "71.43%", "{list}");
}

async fn disclosure_counts_approval_and_public_release(app: App) {
    let (unit, f) = fed_back_unit(
        &app,
        "990101",
        "990101-D01",
        &[
            "专项资金拨付不及时",
            "违规发放津补贴",
            "公务用车管理不规范",
            "制度建设滞后",
            "涉案问题不予公开",
        ],
    )
    .await;
    set_state(&app, f[0], "CLOSED").await;
    set_state(&app, f[1], "CLOSED").await;
    set_state(&app, f[2], "IN_PROGRESS").await;
    set_state(&app, f[3], "LONG_TERM").await;
    outcome(&app, f[0], "accountability", 1, 0, Some("党纪处分")).await;
    outcome(&app, f[1], "accountability", 2, 0, Some("诫勉")).await;
    outcome(&app, f[4], "accountability", 1, 0, Some("党纪处分")).await;
    outcome(&app, f[0], "rule", 1, 0, None).await;
    outcome(&app, f[2], "rule", 1, 0, None).await;
    outcome(&app, f[1], "money_returned", 0, 1_234_567, None).await;
    outcome(&app, f[2], "loss_recovered", 0, 50, None).await;
    outcome(&app, f[4], "money_returned", 0, 100_000, None).await;

    let drafter = login(&app, "county0101.director").await;
    let approver = login(&app, "city01.director").await;
    let (st, d) = drafter
        .post("/api/v1/disclosures", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    let c = &d["counts"];
    assert_eq!(
        (
            c["total"].as_i64(),
            c["completed"].as_i64(),
            c["in_progress"].as_i64(),
            c["long_term"].as_i64()
        ),
        (Some(5), Some(2), Some(2), Some(1)),
        "{c}"
    );
    assert_eq!(c["completion_rate"], "40.00%");
    assert_eq!(c["accountability_people"], 4);
    assert_eq!(
        c["by_treatment"],
        json!([{ "treatment": "党纪处分", "people": 2 }, { "treatment": "诫勉", "people": 2 }])
    );
    assert_eq!(c["rules"], 2);
    assert_eq!(c["money_returned_fen"], 1_334_567);
    assert_eq!(c["money_returned_yuan"], "13345.67");
    assert_eq!(c["loss_recovered_yuan"], "0.50");
    assert!(
        d["internal_text"]
            .as_str()
            .unwrap()
            .contains("巡察反馈问题5个，已完成整改2个"),
        "{d}"
    );
    let id = d["id"].as_i64().unwrap();
    let path = format!("/api/v1/disclosures/{id}");

    let (st, bad) = drafter
        .put(&path, json!({ "title": "关于整改情况的通报", "internal_text": d["internal_text"], "public_text": "x", "version": d["version"],
            "exemptions": [{ "finding_id": f[4], "reason": "rumour" }, { "finding_id": f[3], "reason": "other" }] }))
        .await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad["fields"][0]["field"], "exemptions[0].reason");
    assert_eq!(bad["fields"][1]["field"], "exemptions[1].note");
    chinese(&bad);
    // Exempting an item regenerates the public text from the records without it: the exempted
    // case's 党纪处分 no longer counts (3 people, not 4).
    let exemptions =
        json!([{ "finding_id": f[4], "reason": "unpublished_case", "note": "案件尚在审查调查中" }]);
    let before = d["public_text"].as_str().unwrap().to_string();
    let (st, d) = drafter
        .put(&path, json!({ "title": "关于某局巡察整改情况的通报", "internal_text": d["internal_text"], "public_text": before, "version": d["version"],
            "exemptions": exemptions }))
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let regenerated = d["public_text"].as_str().unwrap().to_string();
    assert_ne!(regenerated, before, "the text follows the exemptions");
    // A record that changes the public figures after drafting makes the text stale: submitting
    // is refused until it is regenerated (saved empty).
    outcome(&app, f[2], "rule", 1, 0, None).await;
    let (st, stale) = submit(&drafter, &path, &d).await;
    assert_eq!(st, StatusCode::CONFLICT, "{stale}");
    assert_eq!(stale["code"], "disclosure.stale_text");
    let (st, d) = drafter
        .put(&path, json!({ "title": "关于某局巡察整改情况的通报", "internal_text": d["internal_text"], "public_text": "", "version": d["version"],
            "exemptions": exemptions }))
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert!(!d["public_text"].as_str().unwrap().is_empty());
    // With the exemptions unchanged, an edited text is kept.
    let public_text = "经审定，现将某区某局巡察整改情况公布如下。";
    let (st, d) = drafter
        .put(&path, json!({ "title": "关于某局巡察整改情况的通报", "internal_text": d["internal_text"], "public_text": public_text, "version": d["version"],
            "exemptions": exemptions }))
        .await;
    assert_eq!(st, StatusCode::OK, "{d}");
    assert_eq!(d["public_text"], public_text);
    let pc = &d["public_counts"];
    assert_eq!(
        (pc["total"].as_i64(), pc["in_progress"].as_i64()),
        (Some(4), Some(1))
    );
    assert_eq!(pc["accountability_people"], 3);
    assert_eq!(pc["money_returned_yuan"], "12345.67");
    let item = d["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["finding_id"] == f[4])
        .unwrap();
    assert_eq!(item["exemption_name"], "涉及尚未公开的案件");

    // Not public before approval.
    let (_, list) = public_get(&app, "/api/v1/public/disclosures").await;
    assert!(
        list["items"]
            .as_array()
            .unwrap()
            .iter()
            .all(|x| x["id"] != id)
    );
    let (st, _) = public_get(&app, &format!("/api/v1/public/disclosures/{id}")).await;
    assert_eq!(st, StatusCode::NOT_FOUND);

    let (st, d) = submit(&drafter, &path, &d).await;
    assert_state(st, &d, "SUBMITTED");
    assert_eq!(d["can_approve"], false);
    let (st, _) = drafter
        .put(&path, json!({ "title": "t", "internal_text": "a", "public_text": "b", "version": d["version"] }))
        .await;
    assert_eq!(st, StatusCode::CONFLICT);
    // The drafter cannot approve their own draft.
    let (st, own) = decide(&drafter, &path, json!({ "approve": true }), &d).await;
    assert_eq!(st, StatusCode::CONFLICT);
    assert_eq!(chinese(&own), "公开稿须由起草人以外的人员审批");
    // A second supervisor returns it (with a reason), the drafter resubmits, it is approved.
    let (_, seen) = approver.get(&path).await;
    assert_eq!(seen["can_approve"], true, "{seen}");
    let (st, no_reason) = decide(&approver, &path, json!({ "approve": false }), &d).await;
    assert_eq!(st, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(no_reason["fields"][0]["field"], "opinion");
    let (st, d) = decide(
        &approver,
        &path,
        json!({ "approve": false, "opinion": "请补充联系方式" }),
        &d,
    )
    .await;
    assert_state(st, &d, "RETURNED");
    let (_, d) = submit(&drafter, &path, &d).await;
    let (st, d) = decide(
        &approver,
        &path,
        json!({ "approve": true, "opinion": "同意公开" }),
        &d,
    )
    .await;
    assert_state(st, &d, "APPROVED");

    // Public, without login: the approved text, the public figures, no exempted item.
    let (st, list) = public_get(&app, "/api/v1/public/disclosures?page=1&page_size=10").await;
    assert_eq!(st, StatusCode::OK);
    assert_eq!(list["items"][0]["id"], id, "{list}");
    let (st, p) = public_get(&app, &format!("/api/v1/public/disclosures/{id}")).await;
    assert_eq!(st, StatusCode::OK, "{p}");
    assert_eq!(p["text"], public_text);
    assert_eq!(p["counts"]["total"], 4);
    assert_eq!(p["counts"]["money_returned_yuan"], "12345.67");
    assert_eq!(p["items"].as_array().unwrap().len(), 4);
    let raw = p.to_string();
    assert!(
        !raw.contains("涉案问题不予公开") && !raw.contains("案件尚在审查调查中"),
        "{raw}"
    );
    assert!(
        !raw.contains("internal") && !raw.contains("巡察反馈问题5个"),
        "{raw}"
    );

    let (st, doc) = drafter.bytes(&format!("{path}/docx?channel=public")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(docx_has(&doc, public_text));
    assert!(!docx_has(&doc, "涉案问题不予公开"));
    let (st, doc) = drafter.bytes(&format!("{path}/docx")).await;
    assert_eq!(st, StatusCode::OK);
    assert!(docx_has(&doc, "巡察反馈问题5个"));
}

async fn county_user_cannot_reach_other_county_assessment_or_disclosure(app: App) {
    let (own_unit, _) = fed_back_unit(&app, "990101", "990101-D01", &["本区问题"]).await;
    let (other_unit, _) = fed_back_unit(&app, "990102", "990102-D01", &["他县问题"]).await;
    let me = login(&app, "county0101.director").await;
    let other = login(&app, "county0102.director").await;
    let (st, oa) = other
        .post(
            "/api/v1/assessments",
            json!({ "round_unit_id": other_unit }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{oa}");
    let oid = oa["id"].as_i64().unwrap();
    let (st, _) = other
        .post_version(&format!("/api/v1/assessments/{oid}/finalise"), &oa)
        .await;
    assert_eq!(st, StatusCode::OK);
    let (st, od) = other
        .post(
            "/api/v1/disclosures",
            json!({ "round_unit_id": other_unit }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED);
    let did = od["id"].as_i64().unwrap();
    let other_org = od["org_name"].as_str().unwrap().to_string();

    // My own unit works.
    let (st, mine) = me
        .post("/api/v1/assessments", json!({ "round_unit_id": own_unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{mine}");
    let (st, _) = me
        .post_version(
            &format!("/api/v1/assessments/{}/finalise", mine["id"]),
            &mine,
        )
        .await;
    assert_eq!(st, StatusCode::OK);

    // The other county's unit, assessment and disclosure: not in lists, not found in detail.
    let (_, units) = me.get("/api/v1/assessment/units?page_size=200").await;
    let units = units["items"].clone();
    assert!(
        units
            .as_array()
            .unwrap()
            .iter()
            .all(|u| u["id"] != other_unit),
        "{units}"
    );
    let (_, list) = me.get("/api/v1/assessments").await;
    assert_eq!(list["total"], 1, "{list}");
    let (_, list) = me.get("/api/v1/disclosures").await;
    assert_eq!(list["total"], 0, "{list}");
    let (_, v) = me.get("/api/v1/assessment/revisits?page_size=200").await;
    let v = v["items"].clone();
    assert!(v.to_string().find(&other_org).is_none(), "{v}");
    for path in [
        format!("/api/v1/assessments/{oid}"),
        format!("/api/v1/assessments/{oid}/docx"),
        format!("/api/v1/disclosures/{did}"),
        format!("/api/v1/disclosures/{did}/docx"),
    ] {
        let (st, b) = me.get(&path).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path} leaked: {b}");
        chinese(&b);
    }
    for (path, body) in [
        (
            "/api/v1/assessments".to_string(),
            json!({ "round_unit_id": other_unit }),
        ),
        (
            "/api/v1/disclosures".to_string(),
            json!({ "round_unit_id": other_unit }),
        ),
        (
            format!("/api/v1/assessments/{oid}/survey"),
            json!({ "origin": "http://x.cn" }),
        ),
        (
            format!("/api/v1/disclosures/{did}/submit"),
            json!({ "version": od["version"] }),
        ),
    ] {
        let (st, b) = me.post(&path, body).await;
        assert_eq!(st, StatusCode::NOT_FOUND, "{path} leaked: {b}");
    }
    let (st, _) = me
        .put(&format!("/api/v1/disclosures/{did}"), json!({ "title": "t", "internal_text": "a", "public_text": "b", "version": od["version"] }))
        .await;
    assert_eq!(st, StatusCode::NOT_FOUND);
    let (st, x) = me.bytes("/api/v1/assessments/export").await;
    assert_eq!(st, StatusCode::OK);
    let text = xlsx_text(&x);
    assert!(!text.contains(&other_org), "{text}");
    // Their own export has it.
    let (_, x) = other.bytes("/api/v1/assessments/export").await;
    assert!(xlsx_text(&x).contains(&other_org));
}

/// The inspected city's own office sees the province's disclosure about it but cannot approve it.
async fn only_the_round_office_decides_a_disclosure(app: App) {
    let prov = login(&app, "prov.director").await;
    let city = login(&app, "city01.director").await;
    let yuntai = org_id(&app, "9901").await;
    let (_, units) = prov.get("/api/v1/rect/units?page_size=200").await;
    let units = units["items"].clone();
    let unit = units
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["org_id"] == yuntai)
        .map(|u| u["id"].as_i64().unwrap())
        .unwrap_or_else(|| panic!("{units}"));
    let (st, d) = prov
        .post("/api/v1/disclosures", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{d}");
    let path = format!("/api/v1/disclosures/{}", d["id"]);
    let (st, d) = submit(&prov, &path, &d).await;
    assert_eq!(st, StatusCode::OK, "{d}");
    let (st, seen) = city.get(&path).await;
    assert_eq!(
        st,
        StatusCode::OK,
        "the city office sees the disclosure about its city"
    );
    let (st, e) = decide(&city, &path, json!({ "approve": true }), &seen).await;
    assert_eq!(st, StatusCode::CONFLICT, "{e}");
    assert!(chinese(&e).contains("组织该轮巡察"), "{e}");
    let (_, after) = prov.get(&path).await;
    assert_eq!(after["state"], "SUBMITTED");
}

/// The preview of a draft never shows full marks and a band it has not earned: the 任务落实
/// indicator (mode `overdue` by default) loses its share for each overdue open item, and the
/// grade waits for the survey (待测评) until a valid answer is in. Finalising records what the
/// preview showed.
async fn preview_counts_overdue_items_and_waits_for_the_survey(app: App) {
    let s = login(&app, "prov.director").await;
    let (unit, items) = fed_back_unit(&app, "99", "99-D05", &["问题一", "问题二"]).await;
    // One of the two items is open past its deadline, the other is not yet due.
    let past = crate::test_today() - time::Duration::days(5);
    let later = crate::test_today() + time::Duration::days(30);
    for (f, d) in [(items[0], past), (items[1], later)] {
        xuncha_store::on_db!(&app.db, p => {
            sqlx::query("UPDATE findings SET state = 'IN_PROGRESS', deadline = $1, original_deadline = $1, due_date = $1 WHERE id = $2")
                .bind(d).bind(f).execute(p).await.unwrap();
        });
    }
    let (st, a) = s
        .post("/api/v1/assessments", json!({ "round_unit_id": unit }))
        .await;
    assert_eq!(st, StatusCode::CREATED, "{a}");
    let tasks = &a["indicators"][1];
    assert_eq!(
        (&tasks["code"], &tasks["mode"]),
        (&json!("tasks"), &json!("overdue"))
    );
    // 30 points × 1 overdue of 2 items = 15 points, by itself.
    assert_eq!(tasks["auto_deducted"], 15.0, "{a}");
    assert_eq!(tasks["deducted"], 15.0);
    assert_eq!(a["score"], 85.0);
    // No survey answer yet: no band, no consequences.
    assert_eq!(a["grade_code"], Value::Null, "{a}");
    assert_eq!(a["grade_name"], "待测评");
    assert_eq!(a["consequences"], json!([]));
    let id = a["id"].as_i64().unwrap();
    let (_, doc) = s.bytes(&format!("/api/v1/assessments/{id}/docx")).await;
    assert!(docx_has(&doc, "综合得分85分，评定等次为“待测评”"));

    // A survey with only 不了解 is still no valid answer; one 满意 sheet is.
    let (st, created) = s
        .post(
            &format!("/api/v1/assessments/{id}/survey"),
            json!({ "origin": "https://xuncha.example.cn" }),
        )
        .await;
    assert_eq!(st, StatusCode::CREATED, "{created}");
    let sheet = format!(
        "/api/v1/public/surveys/{}",
        token_of(created["links"][0]["url"].as_str().unwrap())
    );
    let (st, _) = public_post(
        &app,
        &sheet,
        json!({ "answers": ["unknown", "unknown", "unknown", "unknown"] }),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, a) = s.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(a["grade_name"], "待测评", "{a}");
    let (st, _) = public_post(
        &app,
        &sheet,
        json!({ "answers": ["satisfied", "satisfied", "satisfied", "satisfied"] }),
    )
    .await;
    assert_eq!(st, StatusCode::NO_CONTENT);
    let (_, a) = s.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(a["score"], 85.0, "{a}");
    assert_eq!(a["grade_code"], "qualified", "{a}");
    assert_eq!(a["grade_name"], "合格");

    // The item is done: the preview gives the points back; finalising records the preview.
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE findings SET state = 'CLOSED', closed_on = $1 WHERE id = $2")
            .bind(crate::test_today()).bind(items[0]).execute(p).await.unwrap();
    });
    let (_, a) = s.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(a["score"], 100.0, "{a}");
    assert_eq!(a["grade_name"], "优秀");
    // Overdue again before finalising: the recorded score keeps the deduction of that day, and
    // the breakdown still explains it after the item is closed.
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE findings SET state = 'IN_PROGRESS', closed_on = NULL WHERE id = $1")
            .bind(items[0]).execute(p).await.unwrap();
    });
    let (st, f) = s
        .post_version(&format!("/api/v1/assessments/{id}/finalise"), &a)
        .await;
    assert_eq!(st, StatusCode::OK, "{f}");
    assert_eq!(
        (&f["score"], &f["grade_name"]),
        (&json!(85.0), &json!("合格"))
    );
    xuncha_store::on_db!(&app.db, p => {
        sqlx::query("UPDATE findings SET state = 'CLOSED', closed_on = $1 WHERE id = $2")
            .bind(crate::test_today()).bind(items[0]).execute(p).await.unwrap();
    });
    let (_, f) = s.get(&format!("/api/v1/assessments/{id}")).await;
    assert_eq!(f["score"], 85.0, "{f}");
    assert_eq!(f["indicators"][1]["deducted"], 15.0, "{f}");
    assert_eq!(f["indicators"][1]["auto_deducted"], 15.0);
}

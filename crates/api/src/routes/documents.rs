//! Official documents (公文) generated as .docx from the records (domain.md §11).

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::inspection::{ClueSource, Disposition, FindingState, TargetBody};
use xuncha_domain::perm::Compartment;
use xuncha_office::docx::{Block, OfficialDoc, render};
use xuncha_store::audit::{Event, record_event};
use xuncha_store::fieldwork::{self, Finding, FindingFilter};
use xuncha_store::inspection::{self, RoundUnit};
use xuncha_store::{PageReq, clues};

use super::ApiPath;
use super::clues::{clue_access, decrypt};
use crate::auth::{Auth, ClueLead, FieldworkWrite, InspectionRead, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(notice))
        .routes(routes!(announcement))
        .routes(routes!(report))
        .routes(routes!(mid_term))
        .routes(routes!(feedback))
        .routes(routes!(problem_list))
        .routes(routes!(clue_report))
        .routes(routes!(workpaper))
        .routes(routes!(immediate_notice))
        .routes(routes!(transfer_letter))
}

pub(crate) fn china_date(d: time::Date) -> String {
    format!("{}年{}月{}日", d.year(), u8::from(d.month()), d.day())
}

/// The issuing office of a round's documents: the leading group's office of the owner.
pub(crate) async fn issuer(st: &AppState, owner_org_id: i64) -> ApiResult<(String, String)> {
    let owner = xuncha_store::orgs::get(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        owner_org_id,
    )
    .await?;
    let short: String = owner
        .name
        .chars()
        .next()
        .map(String::from)
        .unwrap_or_default();
    Ok((format!("中共{}委巡察工作领导小组办公室", owner.name), short))
}

fn doc_number(st: &AppState, short: &str, kind: &str, id: i64) -> String {
    format!("{short}巡{kind}〔{}〕{id}号", st.db.today().year())
}

pub(crate) fn docx(name: &str, doc: &OfficialDoc) -> ApiResult<impl IntoResponse + use<>> {
    let bytes = render(doc).map_err(|e| ApiError::internal(&e))?;
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                    .to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"document.docx\"; filename*=UTF-8''{encoded}.docx"),
            ),
        ],
        bytes,
    ))
}

async fn unit(st: &AppState, auth: &Auth, id: i64) -> ApiResult<RoundUnit> {
    inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))
}

async fn unit_findings(
    st: &AppState,
    auth: &Auth,
    unit_id: i64,
    fed_back_only: bool,
) -> ApiResult<Vec<Finding>> {
    let f = FindingFilter {
        round_unit_id: Some(unit_id),
        ..Default::default()
    };
    let all = fieldwork::list_findings(&st.db, &auth.scope, &f, PageReq::new(Some(1), Some(200)))
        .await?
        .items;
    let mut v: Vec<Finding> = all
        .into_iter()
        .filter(|x| {
            let s = FindingState::from_code(&x.state);
            if fed_back_only {
                s.is_some_and(FindingState::visible_to_unit)
            } else {
                s.is_some_and(|s| s != FindingState::Draft)
            }
        })
        .collect();
    v.sort_by_key(|x| (x.frame_name.clone(), x.category_id, x.id));
    Ok(v)
}

async fn team_line(st: &AppState, auth: &Auth, u: &RoundUnit) -> ApiResult<String> {
    let Some(team_id) = u.team_id else {
        return Ok("巡察组".to_string());
    };
    let team = xuncha_store::teams::get_team(&st.db, &auth.scope, team_id).await?;
    let leader = team
        .members
        .iter()
        .find(|m| m.role == "leader")
        .map(|m| m.name.clone())
        .unwrap_or_default();
    Ok(if leader.is_empty() {
        team.name
    } else {
        format!("{}（组长：{leader}）", team.name)
    })
}

async fn round_dates(st: &AppState, auth: &Auth, u: &RoundUnit) -> ApiResult<(String, String)> {
    let r = inspection::get_round(&st.db, &auth.scope, u.round_id).await?;
    Ok((china_date(r.start_date), china_date(r.end_date)))
}

/// 巡察通知: sent to the unit about ten days before the team arrives.
#[utoipa::path(get, operation_id = "documents_notice", path = "/api/v1/round-units/{id}/documents/notice", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn notice(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let (issuer, short) = issuer(&st, u.owner_org_id).await?;
    let team = team_line(&st, &auth, &u).await?;
    let (start, end) = round_dates(&st, &auth, &u).await?;
    let doc = OfficialDoc {
        issuer: Some(issuer.clone()),
        doc_number: Some(doc_number(&st, &short, "办", u.id)),
        marking: None,
        title: format!("关于对{}开展巡察的通知", u.org_name),
        recipient: Some(format!("{}党组织：", u.org_name)),
        blocks: vec![
            Block::Paragraph(format!("根据{}工作安排，经研究决定，{team}于{start}至{end}对你单位开展巡察（{}）。现将有关事项通知如下。", u.round_name, u.round_name)),
            Block::Heading1("一、巡察任务".into()),
            Block::Paragraph("以“四个落实”为监督重点，深入了解被巡察党组织贯彻落实党的路线方针政策和党中央重大决策部署、落实全面从严治党战略部署、落实新时代党的组织路线、落实巡视巡察和审计等监督发现问题整改情况。".into()),
            Block::Heading1("二、工作安排".into()),
            Block::Paragraph("请你单位于巡察组进驻前准备好工作汇报及有关资料，确定一名联络员，为巡察组提供必要的工作条件。巡察组进驻后召开动员会，并公布联系方式，受理反映你单位领导班子及其成员和下一级主要负责人问题的来信来电来访。".into()),
            Block::Heading1("三、工作要求".into()),
            Block::Paragraph("请你单位严格落实配合巡察工作的要求，如实提供情况，不得隐瞒、拒绝或者提供虚假材料，不得对反映问题的人员进行打击报复。".into()),
        ],
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: Some("巡察组".into()),
    };
    docx("巡察通知", &doc)
}

/// 巡察公告: the public notice posted at the unit, with the channels for reports.
#[utoipa::path(get, operation_id = "documents_announcement", path = "/api/v1/round-units/{id}/documents/announcement", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn announcement(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let (issuer, _) = issuer(&st, u.owner_org_id).await?;
    let team = team_line(&st, &auth, &u).await?;
    let (start, end) = round_dates(&st, &auth, &u).await?;
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: "巡察公告".into(),
        recipient: None,
        blocks: vec![
            Block::Paragraph(format!("根据{}统一部署，{team}于{start}至{end}对{}党组织开展巡察。", u.round_name, u.org_name)),
            Block::Paragraph("巡察期间，巡察组主要受理反映被巡察党组织领导班子及其成员、下一级党组织主要负责人和重要岗位领导干部问题的来信来电来访，重点是违反政治纪律、组织纪律、廉洁纪律、群众纪律、工作纪律、生活纪律等方面的问题。其他不属于巡察受理范围的信访问题，将按规定转交有关部门处理。".into()),
            Block::Field { label: "受理方式".into(), value: "来信、来电、来访，以及扫描“码上巡察”二维码反映".into() },
            Block::Field { label: "受理时间".into(), value: format!("{start}至{end}，每天8:00—18:00（来信以邮戳时间为准）") },
            Block::Paragraph("巡察组将严格遵守工作纪律，依规依纪依法保护反映问题人员的合法权益。".into()),
        ],
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("巡察公告", &doc)
}

/// Findings grouped by frame and category, as report sections.
fn grouped(findings: &[Finding], three_part: bool) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut current_frame: Option<String> = None;
    let numerals = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];
    let mut group = 0usize;
    let mut item = 0usize;
    let mut last_category: Option<Option<i64>> = None;
    for f in findings {
        let frame = f.frame_name.clone().unwrap_or_else(|| "其他".to_string());
        if current_frame.as_ref() != Some(&frame) {
            current_frame = Some(frame.clone());
            last_category = None;
        }
        if last_category != Some(f.category_id) {
            last_category = Some(f.category_id);
            group += 1;
            item = 0;
            let name = f
                .category_name
                .clone()
                .unwrap_or_else(|| "其他问题".to_string());
            blocks.push(Block::Heading2(format!(
                "（{}）{frame}：{name}",
                numerals.get(group - 1).copied().unwrap_or("十")
            )));
        }
        item += 1;
        blocks.push(Block::Heading3(format!("{item}．{}", f.title)));
        if three_part {
            blocks.push(Block::Paragraph(format!("事实：{}", f.facts)));
            if !f.basis.is_empty() {
                blocks.push(Block::Paragraph(format!(
                    "定性：违反{}的有关规定。",
                    f.basis
                )));
            }
            if !f.responsibility.is_empty() {
                blocks.push(Block::Paragraph(format!(
                    "责任：{}负有责任。",
                    f.responsibility
                )));
            }
        } else {
            blocks.push(Block::Paragraph(f.facts.clone()));
        }
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph("（暂无经组务会确认的问题）".into()));
    }
    blocks
}

/// 巡察报告: basic facts, the problems grouped by frame, and suggestions.
#[utoipa::path(get, operation_id = "documents_report", path = "/api/v1/round-units/{id}/documents/report", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn report(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let (issuer, _) = issuer(&st, u.owner_org_id).await?;
    let team = team_line(&st, &auth, &u).await?;
    let findings = unit_findings(&st, &auth, id, false).await?;
    let totals = fieldwork::fieldwork_totals(&st.db, &auth.scope, Some(id), None).await?;
    let work: Vec<String> = totals
        .iter()
        .map(|(_, name, entries, persons, count)| {
            format!("{name}{entries}次（{persons}人次，{count}件/份）")
        })
        .collect();
    let mut blocks = vec![
        Block::Heading1("一、巡察工作基本情况".into()),
        Block::Paragraph(format!(
            "按照{}统一部署，{team}对{}党组织开展了巡察。巡察期间，{}。",
            u.round_name,
            u.org_name,
            if work.is_empty() {
                "通过听取汇报、个别谈话、调阅资料等方式开展了解".to_string()
            } else {
                work.join("，")
            }
        )),
        Block::Heading1("二、发现的主要问题".into()),
    ];
    blocks.extend(grouped(&findings, false));
    blocks.push(Block::Heading1("三、意见建议".into()));
    blocks.push(Block::Paragraph("建议被巡察党组织切实履行整改主体责任，主要负责人履行第一责任人职责，逐项制定整改措施，明确责任人和整改时限，建立整改台账，确保问题整改到位。".into()));
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: format!("关于对{}巡察情况的报告", u.org_name),
        recipient: Some(format!("{issuer}：").replace("办公室：", "：")),
        blocks,
        signature: Some(team.split('（').next().unwrap_or_default().to_string()),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("巡察报告", &doc)
}

/// 中期汇报: the mid-term report to the leading group: work done so far by method and the
/// problems confirmed so far.
#[utoipa::path(get, operation_id = "documents_mid_term", path = "/api/v1/round-units/{id}/documents/mid-term", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn mid_term(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let (issuer, _) = issuer(&st, u.owner_org_id).await?;
    let team = team_line(&st, &auth, &u).await?;
    let findings = unit_findings(&st, &auth, id, false).await?;
    let totals = fieldwork::fieldwork_totals(&st.db, &auth.scope, Some(id), None).await?;
    let rows: Vec<Vec<String>> = totals
        .iter()
        .map(|(_, name, entries, persons, count)| {
            vec![
                name.clone(),
                entries.to_string(),
                persons.to_string(),
                count.to_string(),
            ]
        })
        .collect();
    let mut blocks = vec![
        Block::Heading1("一、前期工作开展情况".into()),
        Block::Paragraph(format!(
            "{team}进驻{}以来，按照巡察工作方案开展了解，情况如下：",
            u.org_name
        )),
        Block::Table {
            headers: ["了解方式", "次数", "人次", "件（份）数"]
                .map(String::from)
                .to_vec(),
            rows,
        },
        Block::Heading1("二、初步发现的问题".into()),
    ];
    blocks.extend(grouped(&findings, false));
    blocks.push(Block::Heading1("三、下一步工作安排".into()));
    blocks.push(Block::Paragraph(
        "围绕初步发现的问题深入核实，补充完善问题底稿，按时形成巡察报告。".into(),
    ));
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: format!("关于对{}巡察的中期汇报", u.org_name),
        recipient: Some(format!("{issuer}：").replace("办公室：", "：")),
        blocks,
        signature: u.team_name.clone(),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("中期汇报", &doc)
}

/// 反馈意见: each problem as facts → characterisation → responsibility, suggestions, and the
/// deadline of the rectification report.
#[utoipa::path(get, operation_id = "documents_feedback", path = "/api/v1/round-units/{id}/documents/feedback", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn feedback(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let (issuer, short) = issuer(&st, u.owner_org_id).await?;
    let findings = unit_findings(&st, &auth, id, false).await?;
    let due = u.rectification_due.map_or_else(
        || "反馈后2个月内".to_string(),
        |d| format!("{}前", china_date(d)),
    );
    let mut blocks = vec![
        Block::Paragraph(format!("根据{}统一部署，巡察组对你单位党组织开展了巡察。现将巡察发现的问题反馈如下。", u.round_name)),
        Block::Heading1("一、总体评价".into()),
        Block::Paragraph("巡察组认为，你单位党组织能够贯彻落实党中央决策部署和上级党组织工作要求，但在以下方面还存在问题。".into()),
        Block::Heading1("二、发现的主要问题".into()),
    ];
    blocks.extend(grouped(&findings, true));
    blocks.push(Block::Heading1("三、整改意见".into()));
    blocks.push(Block::Paragraph(
        "（一）提高政治站位，切实扛起整改主体责任，主要负责人履行第一责任人职责。".into(),
    ));
    blocks.push(Block::Paragraph("（二）对照问题清单建立整改台账，逐项明确整改措施、责任领导、责任部门和整改时限，做到件件有着落、事事有回音。".into()));
    blocks.push(Block::Paragraph(format!(
        "（三）请于{due}将整改情况报告（主要负责人签字）报送{issuer}。"
    )));
    let doc = OfficialDoc {
        issuer: Some(issuer.clone()),
        doc_number: Some(doc_number(&st, &short, "反", u.id)),
        marking: None,
        title: format!("关于对{}巡察的反馈意见", u.org_name),
        recipient: Some(format!("{}党组织：", u.org_name)),
        blocks,
        signature: Some(issuer),
        date: Some(china_date(u.feedback_date.unwrap_or_else(|| st.db.today()))),
        copy_to: Some("分管领导，纪委监委，组织部".into()),
    };
    docx("反馈意见", &doc)
}

/// 问题清单: the itemised problem list handed to the unit.
#[utoipa::path(get, operation_id = "documents_problem_list", path = "/api/v1/round-units/{id}/documents/problem-list", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn problem_list(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let findings = unit_findings(&st, &auth, id, false).await?;
    let rows = findings
        .iter()
        .enumerate()
        .map(|(i, f)| {
            vec![
                (i + 1).to_string(),
                f.category_name.clone().unwrap_or_default(),
                f.title.clone(),
                f.facts.clone(),
                f.responsibility.clone(),
            ]
        })
        .collect();
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: format!("{}巡察反馈问题清单", u.org_name),
        recipient: None,
        blocks: vec![Block::Table {
            headers: ["序号", "问题类别", "问题", "具体表现", "责任主体"]
                .map(String::from)
                .to_vec(),
            rows,
        }],
        signature: None,
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("问题清单", &doc)
}

/// 问题线索报告: the separate report on clues about key persons (clue:lead; the read is audited).
#[utoipa::path(get, operation_id = "documents_clue_report", path = "/api/v1/round-units/{id}/documents/clue-report", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn clue_report(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    if !auth.access.has_compartment(Compartment::Clue) {
        return Err(ApiError::forbidden());
    }
    let u = unit(&st, &auth, id).await?;
    let access = clue_access(&auth);
    let rows = clues::list_clues(
        &st.db,
        &access,
        &clues::ClueFilter {
            round_unit_id: Some(id),
            ..Default::default()
        },
    )
    .await?;
    let mut blocks = vec![Block::Paragraph(format!(
        "巡察组在对{}巡察期间，共受理、发现问题线索{}件，现报告如下。",
        u.org_name,
        rows.len()
    ))];
    for (i, c) in rows.iter().enumerate() {
        let subject = decrypt(&st, &c.subject_name_enc)?;
        let post = decrypt(&st, &c.subject_post_enc)?;
        let facts = decrypt(&st, &c.facts_enc)?;
        let source =
            ClueSource::from_code(&c.source).map_or(c.source.clone(), |s| s.label().to_string());
        blocks.push(Block::Heading3(format!(
            "{}．关于{subject}（{post}）的问题线索",
            i + 1
        )));
        blocks.push(Block::Field {
            label: "线索来源".into(),
            value: source,
        });
        blocks.push(Block::Paragraph(format!("{}：{facts}", c.summary)));
        blocks.push(Block::Field {
            label: "处置建议".into(),
            value: "建议移交纪委监委处置".into(),
        });
    }
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.report",
            "round_unit",
            id,
            format!("生成{}问题线索报告", u.org_name),
        ),
    )
    .await?;
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("机密 ★".into()),
        title: format!("关于对{}巡察发现问题线索的报告", u.org_name),
        recipient: None,
        blocks,
        signature: u.team_name.clone(),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("问题线索报告", &doc)
}

async fn finding(st: &AppState, auth: &Auth, id: i64) -> ApiResult<Finding> {
    fieldwork::get_finding(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))
}

/// 问题底稿: one issue per sheet, with facts, basis, evidence, finder and the team meeting's opinion.
#[utoipa::path(get, operation_id = "documents_workpaper", path = "/api/v1/findings/{id}/documents/workpaper", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn workpaper(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let f = finding(&st, &auth, id).await?;
    let field = |label: &str, value: &str| Block::Field {
        label: label.into(),
        value: if value.is_empty() {
            "—".into()
        } else {
            value.into()
        },
    };
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: "问题底稿".into(),
        recipient: None,
        blocks: vec![
            field("被巡察单位", &f.org_name),
            field("巡察轮次", &f.round_name),
            field(
                "问题类别",
                &format!(
                    "{} · {}",
                    f.frame_name.clone().unwrap_or_default(),
                    f.category_name.clone().unwrap_or_default()
                ),
            ),
            field("问题标题", &f.title),
            field("事实（时间、地点、人物、数据）", &f.facts),
            field("定性依据", &f.basis),
            field("证据材料", &f.evidence),
            field("责任主体", &f.responsibility),
            field("发现人", &f.finder),
            field("组务会意见", &f.team_opinion),
            field("组长签字", ""),
        ],
        signature: None,
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("问题底稿", &doc)
}

/// 立行立改通知书: the issue, the requirement, the deadline and a receipt line.
#[utoipa::path(get, operation_id = "documents_immediate_fix", path = "/api/v1/findings/{id}/documents/immediate-fix", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn immediate_notice(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let f = finding(&st, &auth, id).await?;
    let requirement = f.immediate_requirement.clone().ok_or_else(|| {
        ApiError::from(xuncha_domain::DomainError::Rule(
            xuncha_domain::i18n::Msg::new("inspection.immediate_missing"),
        ))
    })?;
    let u = inspection::get_unit(&st.db, &auth.scope, f.round_unit_id).await?;
    let (_, short) = issuer(&st, f.owner_org_id).await?;
    let doc = OfficialDoc {
        issuer: None,
        doc_number: Some(doc_number(&st, &short, "立", f.id)),
        marking: None,
        title: "立行立改通知书".into(),
        recipient: Some(format!("{}党组织：", f.org_name)),
        blocks: vec![
            Block::Paragraph("巡察组在巡察中发现以下问题，需要立行立改，现通知如下：".into()),
            Block::Field { label: "问题".into(), value: f.title.clone() },
            Block::Field { label: "具体情况".into(), value: f.facts.clone() },
            Block::Field { label: "整改要求".into(), value: requirement },
            Block::Field { label: "完成时限".into(), value: f.immediate_deadline.map(china_date).unwrap_or_default() },
            Block::Paragraph("请于完成时限内将整改情况书面报告巡察组。立行立改不代替集中整改，相关问题仍纳入反馈意见和整改台账。".into()),
            Block::Field { label: "签收人".into(), value: "（签字）        年    月    日".into() },
        ],
        signature: u.team_name,
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("立行立改通知书", &doc)
}

/// 移交函: the letter transferring a clue to the receiving body (clue:lead; the read is audited).
#[utoipa::path(get, operation_id = "documents_transfer_letter", path = "/api/v1/clues/{id}/documents/transfer-letter", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn transfer_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let access = clue_access(&auth);
    let c = clues::get_clue(&st.db, &access, id)
        .await
        .map_err(ApiError::not_found_as("inspection.clue_not_found"))?;
    let u = inspection::get_unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        c.round_unit_id,
    )
    .await?;
    let (issuer, short) = issuer(&st, u.owner_org_id).await?;
    let subject = decrypt(&st, &c.subject_name_enc)?;
    let post = decrypt(&st, &c.subject_post_enc)?;
    let facts = decrypt(&st, &c.facts_enc)?;
    let receiver = c
        .receiving_org_name
        .clone()
        .or_else(|| {
            c.target_body
                .as_deref()
                .and_then(TargetBody::from_code)
                .map(|t| t.label().to_string())
        })
        .unwrap_or_else(|| "有关单位".into());
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.letter",
            "clue",
            id,
            format!("生成问题线索 {id} 移交函"),
        ),
    )
    .await?;
    let doc = OfficialDoc {
        issuer: Some(issuer.clone()),
        doc_number: Some(
            c.letter_no
                .clone()
                .unwrap_or_else(|| doc_number(&st, &short, "移", id)),
        ),
        marking: Some("机密 ★".into()),
        title: "关于移交问题线索的函".into(),
        recipient: Some(format!("{receiver}：")),
        blocks: vec![
            Block::Paragraph(format!(
                "{}巡察期间，巡察组发现反映{}{subject}（{post}）的问题线索，经巡察工作领导小组批准，现移交你单位，请按有关规定处置，并于3个月内将处置结果反馈我办。",
                u.round_name, u.org_name
            )),
            Block::Field {
                label: "线索摘要".into(),
                value: c.summary.clone(),
            },
            Block::Field {
                label: "主要问题".into(),
                value: facts,
            },
            Block::Field {
                label: "可采取的处置方式".into(),
                value: Disposition::ALL
                    .iter()
                    .map(|d| d.label())
                    .collect::<Vec<_>>()
                    .join("、"),
            },
        ],
        signature: Some(issuer),
        date: Some(china_date(
            c.transferred_on.unwrap_or_else(|| st.db.today()),
        )),
        copy_to: None,
    };
    docx("移交函", &doc)
}

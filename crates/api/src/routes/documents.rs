//! Official documents (公文) generated as .docx from the records (domain.md §11). The handlers
//! gather the facts; the wording is in `xuncha_office::documents`.

use axum::extract::State;
use axum::response::IntoResponse;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::inspection::{ClueSource, Disposition, FindingState, TargetBody};
use xuncha_domain::perm::Compartment;
use xuncha_office::documents::clues::{
    ClueLine, Transfer, clue_report as clue_report_doc, transfer_letter as transfer_letter_doc,
};
use xuncha_office::documents::inspection::{
    self as docs, ImmediateFix, MethodCount, Unit, Workpaper,
};
use xuncha_office::documents::{Problem, team_line as team_line_text};
use xuncha_office::docx::{OfficialDoc, render};
use xuncha_store::audit::{Event, record_event};
use xuncha_store::fieldwork::{self, Finding, FindingFilter};
use xuncha_store::inspection::{self, RoundUnit};
use xuncha_store::{PageReq, clues};

use xuncha_domain::i18n::text;

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

/// The issuing office of a round's documents (the leading group's office of the owner) and its
/// short name.
pub(crate) async fn issuer(st: &AppState, owner_org_id: OrgId) -> ApiResult<(String, String)> {
    let owner = xuncha_store::orgs::get(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        owner_org_id,
    )
    .await?;
    Ok(xuncha_office::documents::issuer(&owner.name))
}

pub(crate) fn docx(name: &str, doc: &OfficialDoc) -> ApiResult<impl IntoResponse + use<>> {
    let bytes = render(doc).map_err(|e| ApiError::internal(&e))?;
    Ok(super::common::download(
        super::common::DOCX,
        "document.docx",
        &format!("{name}.docx"),
        bytes,
    ))
}

async fn unit(st: &AppState, auth: &Auth, id: RoundUnitId) -> ApiResult<RoundUnit> {
    inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))
}

fn problem(f: &Finding) -> Problem {
    Problem {
        frame: f.frame_name.clone(),
        category_id: f.category_id,
        category: f.category_name.clone(),
        title: f.title.clone(),
        facts: f.facts.clone(),
        basis: f.basis.clone(),
        responsibility: f.responsibility.clone(),
    }
}

/// The unit's confirmed problems in frame and category order, as documents state them.
async fn unit_problems(
    st: &AppState,
    auth: &Auth,
    unit_id: RoundUnitId,
) -> ApiResult<Vec<Problem>> {
    let f = FindingFilter {
        round_unit_id: Some(unit_id.get()),
        ..Default::default()
    };
    let all = fieldwork::list_findings(&st.db, &auth.scope, &f, PageReq::new(Some(1), Some(200)))
        .await?
        .items;
    let mut v: Vec<Finding> = all
        .into_iter()
        .filter(|x| FindingState::from_code(&x.state).is_some_and(|s| s != FindingState::Draft))
        .collect();
    v.sort_by_key(|x| (x.frame_name.clone(), x.category_id, x.id));
    Ok(v.iter().map(problem).collect())
}

async fn team_line(st: &AppState, auth: &Auth, u: &RoundUnit) -> ApiResult<String> {
    let Some(team_id) = u.team_id else {
        return Ok(team_line_text(None));
    };
    let team = xuncha_store::teams::get_team(&st.db, &auth.scope, team_id).await?;
    let leader = team
        .members
        .iter()
        .find(|m| m.role == "leader")
        .map(|m| m.name.clone())
        .unwrap_or_default();
    Ok(team_line_text(Some((&team.name, &leader))))
}

async fn round_dates(
    st: &AppState,
    auth: &Auth,
    u: &RoundUnit,
) -> ApiResult<(time::Date, time::Date)> {
    let r = inspection::get_round(&st.db, &auth.scope, u.round_id).await?;
    Ok((r.start_date, r.end_date))
}

async fn work(st: &AppState, auth: &Auth, unit_id: RoundUnitId) -> ApiResult<Vec<MethodCount>> {
    Ok(
        fieldwork::fieldwork_totals(&st.db, &auth.scope, Some(unit_id.get()), None)
            .await?
            .into_iter()
            .map(|(_, name, entries, persons, count)| MethodCount {
                name,
                entries,
                persons,
                count,
            })
            .collect(),
    )
}

fn unit_doc<'a>(st: &AppState, u: &'a RoundUnit, issuer: &'a str, short: &'a str) -> Unit<'a> {
    Unit {
        id: u.id.get(),
        round_name: &u.round_name,
        org_name: &u.org_name,
        issuer,
        short,
        today: st.db.today(),
    }
}

/// What each of a round unit's documents opens with: the unit, its issuing office (full and short
/// name) and the team line.
struct Heading {
    u: RoundUnit,
    issuer: String,
    short: String,
    team: String,
}

impl Heading {
    async fn load(st: &AppState, auth: &Auth, id: RoundUnitId) -> ApiResult<Self> {
        let u = unit(st, auth, id).await?;
        let (issuer, short) = issuer(st, u.owner_org_id).await?;
        let team = team_line(st, auth, &u).await?;
        Ok(Self {
            u,
            issuer,
            short,
            team,
        })
    }

    fn unit<'a>(&'a self, st: &AppState) -> Unit<'a> {
        unit_doc(st, &self.u, &self.issuer, &self.short)
    }
}

/// 巡察通知: sent to the unit about ten days before the team arrives.
#[utoipa::path(get, operation_id = "documents_notice", path = "/api/v1/round-units/{id}/documents/notice", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn notice(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let h = Heading::load(&st, &auth, id).await?;
    let (start, end) = round_dates(&st, &auth, &h.u).await?;
    docx(
        text("file.doc_notice"),
        &docs::notice(&h.unit(&st), &h.team, start, end),
    )
}

/// 巡察公告: the public notice posted at the unit, with the channels for reports.
#[utoipa::path(get, operation_id = "documents_announcement", path = "/api/v1/round-units/{id}/documents/announcement", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn announcement(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let h = Heading::load(&st, &auth, id).await?;
    let (start, end) = round_dates(&st, &auth, &h.u).await?;
    docx(
        text("file.doc_announcement"),
        &docs::announcement(&h.unit(&st), &h.team, start, end),
    )
}

/// 巡察报告: basic facts, the problems grouped by frame, and suggestions.
#[utoipa::path(get, operation_id = "documents_report", path = "/api/v1/round-units/{id}/documents/report", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn report(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let h = Heading::load(&st, &auth, id).await?;
    let problems = unit_problems(&st, &auth, id).await?;
    let work = work(&st, &auth, id).await?;
    docx(
        text("file.doc_report"),
        &docs::report(&h.unit(&st), &h.team, &work, &problems),
    )
}

/// 中期汇报: the mid-term report to the leading group: work done so far by method and the
/// problems confirmed so far.
#[utoipa::path(get, operation_id = "documents_mid_term", path = "/api/v1/round-units/{id}/documents/mid-term", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn mid_term(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let h = Heading::load(&st, &auth, id).await?;
    let problems = unit_problems(&st, &auth, id).await?;
    let work = work(&st, &auth, id).await?;
    let doc = docs::mid_term(
        &h.unit(&st),
        &h.team,
        h.u.team_name.clone(),
        &work,
        &problems,
    );
    docx(text("file.doc_mid_term"), &doc)
}

/// 反馈意见: each problem as facts → characterisation → responsibility, suggestions, and the
/// deadline of the rectification report.
#[utoipa::path(get, operation_id = "documents_feedback", path = "/api/v1/round-units/{id}/documents/feedback", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn feedback(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let h = Heading::load(&st, &auth, id).await?;
    let problems = unit_problems(&st, &auth, id).await?;
    let doc = docs::feedback(
        &h.unit(&st),
        &problems,
        h.u.rectification_due,
        h.u.feedback_date,
    );
    docx(text("file.doc_feedback"), &doc)
}

/// 问题清单: the itemised problem list handed to the unit.
#[utoipa::path(get, operation_id = "documents_problem_list", path = "/api/v1/round-units/{id}/documents/problem-list", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn problem_list(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let u = unit(&st, &auth, id).await?;
    let problems = unit_problems(&st, &auth, id).await?;
    docx(
        text("file.doc_problem_list"),
        &docs::problem_list(&u.org_name, &problems, st.db.today()),
    )
}

/// 问题线索报告: the separate report on clues about key persons (clue:lead; the read is audited).
#[utoipa::path(get, operation_id = "documents_clue_report", path = "/api/v1/round-units/{id}/documents/clue-report", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn clue_report(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    if !auth.access.has_compartment(Compartment::Clue) {
        return Err(ApiError::forbidden());
    }
    let u = unit(&st, &auth, id).await?;
    let access = clue_access(&auth);
    let rows = clues::unit_clues(&st.db, &access, id).await?;
    let mut lines = Vec::with_capacity(rows.len());
    for c in &rows {
        lines.push(ClueLine {
            subject: decrypt(&st, &c.subject_name_enc)?,
            post: decrypt(&st, &c.subject_post_enc)?,
            facts: decrypt(&st, &c.facts_enc)?,
            source: ClueSource::from_code(&c.source)
                .map_or(c.source.clone(), |s| s.label().to_string()),
            summary: c.summary.clone(),
        });
    }
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.report",
            "round_unit",
            id,
            xuncha_domain::i18n::Msg::new("audit.clue_report")
                .arg("org", &u.org_name)
                .render(),
        ),
    )
    .await?;
    let doc = clue_report_doc(&u.org_name, &lines, u.team_name.clone(), st.db.today());
    docx(text("file.doc_clue_report"), &doc)
}

async fn finding(st: &AppState, auth: &Auth, id: i64) -> ApiResult<Finding> {
    fieldwork::get_finding(&st.db, &auth.scope, id.into())
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))
}

/// 问题底稿: one issue per sheet, with facts, basis, evidence, finder and the team meeting's opinion.
#[utoipa::path(get, operation_id = "documents_workpaper", path = "/api/v1/findings/{id}/documents/workpaper", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn workpaper(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let f = finding(&st, &auth, id.get()).await?;
    let w = Workpaper {
        problem: problem(&f),
        org_name: f.org_name,
        round_name: f.round_name,
        evidence: f.evidence,
        finder: f.finder,
        team_opinion: f.team_opinion,
    };
    docx(
        text("file.doc_workpaper"),
        &docs::workpaper(&w, st.db.today()),
    )
}

/// 立行立改通知书: the issue, the requirement, the deadline and a receipt line.
#[utoipa::path(get, operation_id = "documents_immediate_fix", path = "/api/v1/findings/{id}/documents/immediate-fix", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn immediate_notice(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let f = finding(&st, &auth, id.get()).await?;
    let requirement = f.immediate_requirement.clone().ok_or_else(|| {
        ApiError::from(xuncha_domain::DomainError::Rule(
            xuncha_domain::i18n::Msg::new("inspection.immediate_missing"),
        ))
    })?;
    let u = inspection::get_unit(&st.db, &auth.scope, f.round_unit_id).await?;
    let (_, short) = issuer(&st, f.owner_org_id).await?;
    let doc = docs::immediate_notice(
        &ImmediateFix {
            finding_id: f.id.get(),
            org_name: &f.org_name,
            title: &f.title,
            facts: &f.facts,
            requirement: &requirement,
            deadline: f.immediate_deadline,
            short: &short,
            team_name: u.team_name,
        },
        st.db.today(),
    );
    docx(text("file.doc_immediate_fix"), &doc)
}

/// 移交函: the letter transferring a clue to the receiving body (clue:lead; the read is audited).
#[utoipa::path(get, operation_id = "documents_transfer_letter", path = "/api/v1/clues/{id}/documents/transfer-letter", tag = "documents", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn transfer_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<impl IntoResponse> {
    let access = clue_access(&auth);
    let c = clues::get_clue(&st.db, &access, id.get())
        .await
        .map_err(ApiError::not_found_as("inspection.clue_not_found"))?;
    let u = inspection::get_unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        c.round_unit_id,
    )
    .await?;
    let (issuer, short) = issuer(&st, u.owner_org_id).await?;
    let t = Transfer {
        clue_id: id.get(),
        round_name: &u.round_name,
        org_name: &u.org_name,
        issuer: &issuer,
        short: &short,
        letter_no: c.letter_no.clone(),
        receiver: c.receiving_org_name.clone().or_else(|| {
            c.target_body
                .as_deref()
                .and_then(TargetBody::from_code)
                .map(|t| t.label().to_string())
        }),
        subject: decrypt(&st, &c.subject_name_enc)?,
        post: decrypt(&st, &c.subject_post_enc)?,
        summary: c.summary.clone(),
        facts: decrypt(&st, &c.facts_enc)?,
        dispositions: Disposition::ALL.iter().map(|d| d.label()).collect(),
        transferred_on: c.transferred_on,
    };
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.letter",
            "clue",
            id,
            xuncha_domain::i18n::Msg::new("audit.clue_letter")
                .arg("id", id)
                .render(),
        ),
    )
    .await?;
    docx(
        text("file.doc_transfer_letter"),
        &transfer_letter_doc(&t, st.db.today()),
    )
}

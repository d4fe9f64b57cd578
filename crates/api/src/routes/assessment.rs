//! Rectification assessment (整改评估), satisfaction surveys (满意度测评) and disclosure (整改公开).
//! The contract is `docs/design/assessment-api.md`.
//!
//! The `public/*` routes take no [`Auth`]: a survey is reached with its link token, and only
//! approved disclosures are served. They read no cookie, so there is no session to forge
//! (CSRF), and they accept JSON only.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::assessment::{
    self as rules, Answer, AssessmentState, Consequence, DEFAULT_QUESTIONS, DEFAULT_RATER_GROUPS,
    Deduction, DisclosureCounts, DisclosureState, ExemptionReason, GradeBand, Indicator,
    IndicatorMode, Tally, show_points, show_rate, show_yuan,
};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::{DomainError, FieldError};
use xuncha_office::docx::{Block, OfficialDoc};
use xuncha_store::PageReq;
use xuncha_store::assessment::{
    self as store, AssessmentFilter, AssessmentRow, DisclosureDraft, DisclosureRow, GroupTally,
};

use super::documents::{china_date, docx, issuer};
use super::inspection::{Named, date_str, named, parse_date};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, Need, Perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use xuncha_service::crypto::{random_bytes, token_hash};

/// Reading assessments and disclosures (`rect:read`).
#[derive(Debug)]
pub struct AssessRead;
impl Perm for AssessRead {
    const CODE: &'static str = xuncha_domain::perm::RECT_READ;
}

/// Managing assessments, surveys and disclosures (`rect:supervise`).
#[derive(Debug)]
pub struct AssessManage;
impl Perm for AssessManage {
    const CODE: &'static str = xuncha_domain::perm::RECT_SUPERVISE;
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings, inherit_settings))
        .routes(routes!(units))
        .routes(routes!(revisits))
        .routes(routes!(schedule_revisit))
        .routes(routes!(finish_revisit))
        .routes(routes!(list_assessments, create_assessment))
        .routes(routes!(export_assessments))
        .routes(routes!(get_assessment, update_assessment))
        .routes(routes!(finalise_assessment))
        .routes(routes!(assessment_docx))
        .routes(routes!(create_survey))
        .routes(routes!(rotate_link))
        .routes(routes!(list_disclosures, create_disclosure))
        .routes(routes!(get_disclosure, update_disclosure))
        .routes(routes!(submit_disclosure))
        .routes(routes!(decide_disclosure))
        .routes(routes!(disclosure_docx))
        .merge(public_router())
}

/// The largest body a public (unauthenticated) route reads: an answer sheet is well under 4 KB.
pub const PUBLIC_BODY_BYTES: usize = 16 * 1024;

/// The routes without login, with a small body limit of their own (the API's limit is sized for
/// evidence uploads by signed-in users).
fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_survey, public_respond))
        .routes(routes!(public_disclosures))
        .routes(routes!(public_disclosure))
        .layer(axum::extract::DefaultBodyLimit::max(PUBLIC_BODY_BYTES))
}

const ASSESSMENT_NOT_FOUND: &str = "assessment.not_found";
const DISCLOSURE_NOT_FOUND: &str = "disclosure.not_found";

fn points(t: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let p = t as f64 / 10.0;
    p
}

fn field(name: &str, key: &'static str) -> FieldError {
    FieldError::new(name, Msg::new(key))
}

// ---------------------------------------------------------------------------------------------
// Settings

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDto {
    pub code: String,
    pub name: String,
    pub max_points: f64,
    /// `manual` or `satisfaction`.
    pub mode: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeDto {
    pub code: String,
    pub name: String,
    pub min_score: f64,
    /// Codes: `redo`, `admonition`, `revisit`, `supervisor_talk`.
    pub consequences: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSettings {
    pub indicators: Vec<IndicatorDto>,
    pub grades: Vec<GradeDto>,
    pub modes: Vec<Named>,
    pub consequences: Vec<Named>,
    /// Where the rubric comes from: the caller's office's own, inherited or the defaults.
    pub source: super::office_settings::SettingsSource,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsSave {
    pub indicators: Vec<IndicatorDto>,
    pub grades: Vec<GradeDto>,
}

fn indicator_dto(x: &Indicator) -> IndicatorDto {
    IndicatorDto {
        code: x.code.clone(),
        name: x.name.clone(),
        max_points: points(x.max),
        mode: x.mode.code().to_string(),
    }
}

fn grade_dto(g: &GradeBand) -> GradeDto {
    GradeDto {
        code: g.code.clone(),
        name: g.name.clone(),
        min_score: points(g.min),
        consequences: g
            .consequences
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
    }
}

fn settings_dto(
    indicators: &[Indicator],
    grades: &[GradeBand],
    g: &xuncha_store::settings::Group,
) -> AssessmentSettings {
    AssessmentSettings {
        source: super::office_settings::source_dto(g),
        indicators: indicators.iter().map(indicator_dto).collect(),
        grades: grades.iter().map(grade_dto).collect(),
        modes: named(
            IndicatorMode::ALL,
            IndicatorMode::code,
            IndicatorMode::label,
        ),
        consequences: named(Consequence::ALL, Consequence::code, Consequence::label),
    }
}

async fn settings_of(st: &AppState, office: i64) -> ApiResult<axum::Json<AssessmentSettings>> {
    let (i, g, src) = store::rubric_with_source(&st.db, office).await?;
    Ok(axum::Json(settings_dto(&i, &g, &src)))
}

/// The caller's office's assessment rubric (indicators and maxima) and grade bands with their
/// consequences: its own, else inherited from the nearest office above, else the defaults.
#[utoipa::path(get, operation_id = "assessment_settings", path = "/api/v1/assessment/settings", tag = "assessment",
    responses((status = 200, body = AssessmentSettings)))]
async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    settings_of(&st, super::office_settings::office(&auth)).await
}

/// Drops the caller's office's own rubric (恢复继承): it inherits again.
#[utoipa::path(delete, operation_id = "assessment_settings_inherit", path = "/api/v1/assessment/settings", tag = "assessment",
    responses((status = 200, body = AssessmentSettings)))]
async fn inherit_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    let office = super::office_settings::office(&auth);
    store::inherit_rubric(&st.db, &auth.actor, office).await?;
    settings_of(&st, office).await
}

/// Configures the caller's own office's rubric (maxima summing to 100) and grade bands; a
/// parent's or another office's are never changed.
#[utoipa::path(put, operation_id = "assessment_settings_save", path = "/api/v1/assessment/settings", tag = "assessment", request_body = SettingsSave,
    responses((status = 200, body = AssessmentSettings), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<SettingsSave>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    let mut e = Errors::default();
    let mut indicators = Vec::new();
    for (i, x) in b.indicators.iter().enumerate() {
        let max = rules::parse_points(
            &format!("indicators[{i}].max_points"),
            x.max_points,
            rules::FULL_SCORE,
        )
        .map_err(|x| e.push(x))
        .unwrap_or(0);
        let mode = IndicatorMode::parse_field(&format!("indicators[{i}].mode"), &x.mode)
            .map_err(|x| e.push(x))
            .unwrap_or(IndicatorMode::Manual);
        let name = required_text(&format!("indicators[{i}].name"), &x.name, 30)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        indicators.push(Indicator {
            code: x.code.trim().to_string(),
            name,
            max,
            mode,
        });
    }
    let mut grades = Vec::new();
    for (i, g) in b.grades.iter().enumerate() {
        let min = rules::parse_points(
            &format!("grades[{i}].min_score"),
            g.min_score,
            rules::FULL_SCORE,
        )
        .map_err(|x| e.push(x))
        .unwrap_or(0);
        let mut cons = Vec::new();
        for c in &g.consequences {
            match Consequence::parse_field(&format!("grades[{i}].consequences"), c) {
                Ok(c) if !cons.contains(&c) => cons.push(c),
                Ok(_) => {}
                Err(x) => e.push(x),
            }
        }
        let name = required_text(&format!("grades[{i}].name"), &g.name, 20)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        grades.push(GradeBand {
            code: g.code.trim().to_string(),
            name,
            min,
            consequences: cons,
        });
    }
    e.into_result()?;
    let office = super::office_settings::office(&auth);
    store::save_rubric(&st.db, &auth.actor, office, &indicators, &grades).await?;
    settings_of(&st, office).await
}

// ---------------------------------------------------------------------------------------------
// Round units and the 回头看 list

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub assessment_id: Option<i64>,
    pub disclosure_id: Option<i64>,
}

/// Fed-back round units in scope (by inspected organisation), with their assessment and disclosure.
#[utoipa::path(get, operation_id = "assessment_units", path = "/api/v1/assessment/units", tag = "assessment",
    responses((status = 200, body = Vec<AssessUnitDto>)))]
async fn units(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
) -> ApiResult<axum::Json<Vec<AssessUnitDto>>> {
    let v = store::units_in_rectification(&st.db, &auth.scope).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(|u| AssessUnitDto {
                id: u.id,
                round_id: u.round_id,
                round_name: u.round_name,
                org_id: u.org_id,
                org_name: u.org_name,
                feedback_date: u.feedback_date.map(date_str),
                rectification_due: u.rectification_due.map(date_str),
                assessment_id: u.assessment_id,
                disclosure_id: u.disclosure_id,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisitDto {
    pub id: i64,
    pub round_unit_id: i64,
    /// The round that found the problems; its ledger items are the earlier items.
    pub round_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub assessment_id: Option<i64>,
    pub reason: String,
    /// PENDING | SCHEDULED | DONE
    pub state: String,
    pub state_name: String,
    pub added_at: String,
    /// The earlier items: the unit's ledger items of that round.
    pub finding_count: i64,
    /// The revisit round, once scheduled.
    pub revisit_round_id: Option<i64>,
    pub revisit_round_name: Option<String>,
    pub scheduled_at: Option<String>,
    pub scheduled_by_name: Option<String>,
    pub done_at: Option<String>,
    pub done_by_name: Option<String>,
    pub note: String,
    pub version: i64,
}

fn revisit_dto(r: store::RevisitRow) -> RevisitDto {
    let state_name = match r.state.as_str() {
        "PENDING" => Msg::new("revisit_state.PENDING").render(),
        "SCHEDULED" => Msg::new("revisit_state.SCHEDULED").render(),
        "DONE" => Msg::new("revisit_state.DONE").render(),
        other => other.to_string(),
    };
    RevisitDto {
        id: r.id,
        round_unit_id: r.round_unit_id,
        round_id: r.round_id,
        round_name: r.round_name,
        org_id: r.org_id,
        org_name: r.org_name,
        assessment_id: r.assessment_id,
        reason: r.reason,
        state: r.state,
        state_name,
        added_at: rfc3339(r.added_at),
        finding_count: r.finding_count,
        revisit_round_id: r.revisit_round_id,
        revisit_round_name: r.revisit_round_name,
        scheduled_at: r.scheduled_at.map(rfc3339),
        scheduled_by_name: r.scheduled_by_name,
        done_at: r.done_at.map(rfc3339),
        done_by_name: r.done_by_name,
        note: r.note,
        version: r.version,
    }
}

/// The 回头看 list: units put there by a low assessment grade, with links to the earlier items
/// and, once scheduled, the revisit round.
#[utoipa::path(get, operation_id = "assessment_revisits", path = "/api/v1/assessment/revisits", tag = "assessment",
    responses((status = 200, body = Vec<RevisitDto>)))]
async fn revisits(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
) -> ApiResult<axum::Json<Vec<RevisitDto>>> {
    let v = store::revisit_list(&st.db, &auth.scope).await?;
    Ok(axum::Json(v.into_iter().map(revisit_dto).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ScheduleRevisitBody {
    /// The round that will carry out the 回头看.
    pub round_id: i64,
    pub version: i64,
}

/// Schedules a 回头看 entry into a round (or moves it to another): a round in the caller's
/// scope, after the one that found the problems, not yet ended.
#[utoipa::path(post, operation_id = "assessment_revisit_schedule", path = "/api/v1/assessment/revisits/{id}/schedule", tag = "assessment",
    params(("id" = i64, Path)), request_body = ScheduleRevisitBody,
    responses((status = 200, body = RevisitDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn schedule_revisit(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ScheduleRevisitBody>,
) -> ApiResult<axum::Json<RevisitDto>> {
    let r = store::schedule_revisit(&st.db, &auth.actor, &auth.scope, id, b.round_id, b.version)
        .await
        .map_err(ApiError::not_found_as("assessment.revisit_not_found"))?;
    Ok(axum::Json(revisit_dto(r)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FinishRevisitBody {
    /// What the 回头看 found (optional).
    #[serde(default)]
    pub note: String,
    pub version: i64,
}

/// Marks a scheduled 回头看 entry done.
#[utoipa::path(post, operation_id = "assessment_revisit_done", path = "/api/v1/assessment/revisits/{id}/done", tag = "assessment",
    params(("id" = i64, Path)), request_body = FinishRevisitBody,
    responses((status = 200, body = RevisitDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
async fn finish_revisit(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FinishRevisitBody>,
) -> ApiResult<axum::Json<RevisitDto>> {
    if b.note.trim().chars().count() > rules::MAX_TEXT_CHARS {
        return Err(xuncha_domain::DomainError::Invalid(vec![FieldError::new(
            "note",
            Msg::new("validation.too_long")
                .arg("field", "field.note")
                .arg("max", rules::MAX_TEXT_CHARS),
        )])
        .into());
    }
    let r = store::finish_revisit(&st.db, &auth.actor, &auth.scope, id, &b.note, b.version)
        .await
        .map_err(ApiError::not_found_as("assessment.revisit_not_found"))?;
    Ok(axum::Json(revisit_dto(r)))
}

// ---------------------------------------------------------------------------------------------
// Assessments

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub max_points: f64,
    pub mode: String,
    /// Points deducted in all (capped at the maximum).
    pub deducted: f64,
    /// The part derived from the satisfaction survey.
    pub auto_deducted: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeductionDto {
    pub indicator: String,
    #[serde(default)]
    pub indicator_name: String,
    pub points: f64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TallyGroup {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub responses: i64,
    pub rate: Option<String>,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyComment {
    pub group_name: String,
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Satisfaction {
    /// (满意 + 基本满意) ÷ valid responses, e.g. `"87.50%"`; null without valid responses.
    pub rate: Option<String>,
    pub valid: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
    /// Answer sheets received.
    pub responses: i64,
    /// `OPEN` or `CLOSED`.
    pub state: String,
    pub questions: Vec<String>,
    pub groups: Vec<TallyGroup>,
    pub comments: Vec<SurveyComment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub assessed_on: String,
    pub conclusion: String,
    pub indicators: Vec<IndicatorScore>,
    pub deductions: Vec<DeductionDto>,
    /// The live preview while DRAFT; the recorded score once FINALISED.
    pub score: f64,
    pub grade_code: Option<String>,
    pub grade_name: Option<String>,
    pub consequences: Vec<Named>,
    pub satisfaction: Option<Satisfaction>,
    pub finalised_at: Option<String>,
    pub finalised_by_name: Option<String>,
    pub version: i64,
}

fn tally_group(g: &GroupTally) -> TallyGroup {
    TallyGroup {
        id: g.id,
        code: g.code.clone(),
        name: g.name.clone(),
        responses: g.responses,
        rate: g.tally.rate_bp().map(show_rate),
        satisfied: g.tally.satisfied,
        basic: g.tally.basic,
        unsatisfied: g.tally.unsatisfied,
        unknown: g.tally.unknown,
    }
}

async fn satisfaction(
    st: &AppState,
    auth: &Auth,
    id: i64,
) -> ApiResult<(Tally, Option<Satisfaction>)> {
    let Some((s, groups)) = store::survey(&st.db, &auth.scope, id).await? else {
        return Ok((Tally::default(), None));
    };
    let t = groups
        .iter()
        .fold(Tally::default(), |acc, g| acc.plus(g.tally));
    let comments = store::survey_comments(&st.db, s.id)
        .await?
        .into_iter()
        .map(|(group_name, comment)| SurveyComment {
            group_name,
            comment,
        })
        .collect();
    Ok((
        t,
        Some(Satisfaction {
            rate: t.rate_bp().map(show_rate),
            valid: t.valid(),
            satisfied: t.satisfied,
            basic: t.basic,
            unsatisfied: t.unsatisfied,
            unknown: t.unknown,
            responses: groups.iter().map(|g| g.responses).sum(),
            state: s.state.clone(),
            questions: s.question_list()?,
            groups: groups.iter().map(tally_group).collect(),
            comments,
        }),
    ))
}

async fn assessment_dto(st: &AppState, auth: &Auth, a: AssessmentRow) -> ApiResult<AssessmentDto> {
    let indicators = a.indicator_list()?;
    let grades = a.grade_list()?;
    let deds = store::deductions(&st.db, a.id).await?;
    let (tally, sat) = satisfaction(st, auth, a.id).await?;
    let scored = rules::score(&indicators, &deds, tally);
    let state = a.state()?;
    let finalised = state == AssessmentState::Finalised;
    let (score, grade_code, grade_name, consequences) = if finalised {
        let c = store::consequences(&st.db, a.id).await?;
        (
            a.score.unwrap_or(scored.score),
            a.grade_code.clone(),
            a.grade_name.clone(),
            c,
        )
    } else {
        let g = rules::grade_for(scored.score, &grades);
        (
            scored.score,
            g.map(|g| g.code.clone()),
            g.map(|g| g.name.clone()),
            g.map(|g| g.consequences.clone()).unwrap_or_default(),
        )
    };
    let name_of = |code: &str| {
        indicators
            .iter()
            .find(|x| x.code == code)
            .map_or_else(|| code.to_string(), |x| x.name.clone())
    };
    Ok(AssessmentDto {
        indicators: indicators
            .iter()
            .zip(&scored.per_indicator)
            .map(|(x, (_, d, auto))| IndicatorScore {
                code: x.code.clone(),
                name: x.name.clone(),
                max_points: points(x.max),
                mode: x.mode.code().to_string(),
                deducted: points(*d),
                auto_deducted: points(*auto),
            })
            .collect(),
        deductions: deds
            .iter()
            .map(|d| DeductionDto {
                indicator_name: name_of(&d.indicator),
                indicator: d.indicator.clone(),
                points: points(d.points),
                reason: d.reason.clone(),
            })
            .collect(),
        score: points(score),
        grade_code,
        grade_name,
        consequences: consequences
            .iter()
            .map(|c| Named {
                code: c.code().to_string(),
                name: c.label().to_string(),
            })
            .collect(),
        satisfaction: sat,
        id: a.id,
        round_unit_id: a.round_unit_id,
        round_id: a.round_id,
        round_name: a.round_name,
        org_id: a.org_id,
        org_name: a.org_name,
        state_name: state.label().to_string(),
        state: a.state,
        assessed_on: date_str(a.assessed_on),
        conclusion: a.conclusion,
        finalised_at: a.finalised_at.map(rfc3339),
        finalised_by_name: a.finalised_by_name,
        version: a.version,
    })
}

async fn load(st: &AppState, auth: &Auth, id: i64) -> ApiResult<AssessmentRow> {
    store::get_assessment(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub assessed_on: String,
    pub score: Option<f64>,
    pub grade_name: Option<String>,
    pub satisfaction_rate: Option<String>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentPage {
    pub items: Vec<AssessmentSummary>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    pub round_id: Option<i64>,
    /// `DRAFT` or `FINALISED`.
    pub state: Option<String>,
    /// Part of the unit's name.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Assessments of units in scope.
#[utoipa::path(get, operation_id = "assessments_list", path = "/api/v1/assessments", tag = "assessment", params(AssessmentQuery),
    responses((status = 200, body = AssessmentPage)))]
async fn list_assessments(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> ApiResult<axum::Json<AssessmentPage>> {
    let f = AssessmentFilter {
        round_id: q.round_id,
        state: q.state,
        q: q.q,
    };
    let r =
        store::list_assessments(&st.db, &auth.scope, &f, PageReq::new(q.page, q.page_size)).await?;
    Ok(axum::Json(AssessmentPage {
        items: r
            .items
            .into_iter()
            .map(|a| AssessmentSummary {
                id: a.id,
                round_unit_id: a.round_unit_id,
                round_name: a.round_name.clone(),
                org_name: a.org_name.clone(),
                state_name: AssessmentState::from_code(&a.state)
                    .map_or(a.state.clone(), |s| s.label().to_string()),
                state: a.state.clone(),
                assessed_on: date_str(a.assessed_on),
                score: a.score.map(points),
                grade_name: a.grade_name.clone(),
                satisfaction_rate: a.satisfaction_bp.map(show_rate),
                version: a.version,
            })
            .collect(),
        total: r.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentCreate {
    pub round_unit_id: i64,
    /// Defaults to today.
    #[serde(default)]
    pub assessed_on: Option<String>,
}

/// Starts the assessment of a fed-back round unit (one per unit).
#[utoipa::path(post, operation_id = "assessments_create", path = "/api/v1/assessments", tag = "assessment", request_body = AssessmentCreate,
    responses((status = 201, body = AssessmentDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn create_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<AssessmentCreate>,
) -> ApiResult<(StatusCode, axum::Json<AssessmentDto>)> {
    let on = match b.assessed_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("assessed_on", s).map_err(|e| DomainError::Invalid(vec![e]))?,
        None => st.db.today(),
    };
    let a = store::create_assessment(&st.db, &auth.actor, &auth.scope, b.round_unit_id, on)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(assessment_dto(&st, &auth, a).await?),
    ))
}

/// One assessment with its indicators, deductions, live score and grade, and the survey tally.
#[utoipa::path(get, operation_id = "assessments_get", path = "/api/v1/assessments/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentDto), (status = 404, body = crate::error::Problem)))]
async fn get_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    let a = load(&st, &auth, id).await?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentSave {
    pub assessed_on: String,
    #[serde(default)]
    pub conclusion: String,
    pub deductions: Vec<DeductionDto>,
    pub version: i64,
}

/// Saves the deductions (each with its reason) and the conclusion of a draft assessment.
#[utoipa::path(put, operation_id = "assessments_update", path = "/api/v1/assessments/{id}", tag = "assessment", params(("id" = i64, Path)),
    request_body = AssessmentSave,
    responses((status = 200, body = AssessmentDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssessmentSave>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    let a = load(&st, &auth, id).await?;
    let indicators = a.indicator_list()?;
    let mut e = Errors::default();
    let on = parse_date("assessed_on", &b.assessed_on)
        .map_err(|x| e.push(x))
        .ok();
    if b.conclusion.chars().count() > 5000 {
        e.push(FieldError::new(
            "conclusion",
            Msg::new("validation.too_long")
                .arg("field", "field.conclusion")
                .arg("max", 5000),
        ));
    }
    let raw: Vec<(String, f64, String)> = b
        .deductions
        .iter()
        .map(|d| (d.indicator.clone(), d.points, d.reason.clone()))
        .collect();
    let deds: Vec<Deduction> = match rules::parse_deductions(&indicators, &raw) {
        Ok(d) => d,
        Err(DomainError::Invalid(v)) => {
            for x in v {
                e.push(x);
            }
            Vec::new()
        }
        Err(x) => return Err(x.into()),
    };
    e.into_result()?;
    let Some(on) = on else {
        return Err(ApiError::forbidden());
    };
    let a = store::update_assessment(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        on,
        b.conclusion.trim(),
        &deds,
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

/// Finalises: records score, grade and the band's consequences, puts the unit on the 回头看 list
/// where the band says so, and closes the survey.
#[utoipa::path(post, operation_id = "assessments_finalise", path = "/api/v1/assessments/{id}/finalise", tag = "assessment", params(("id" = i64, Path)),
    request_body = super::VersionBody,
    responses((status = 200, body = AssessmentDto), (status = 409, body = crate::error::Problem)))]
async fn finalise_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    store::finalise(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let a = load(&st, &auth, id).await?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

/// 整改评估报告 (.docx): indicators, deductions, score, grade, satisfaction and consequences.
#[utoipa::path(get, operation_id = "assessments_docx", path = "/api/v1/assessments/{id}/docx", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::error::Problem)))]
async fn assessment_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let a = load(&st, &auth, id).await?;
    let unit = store::unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        a.round_unit_id,
    )
    .await?;
    let (issuer, _) = issuer(&st, unit.owner_org_id).await?;
    let d = assessment_dto(&st, &auth, a).await?;
    let mut blocks = vec![
        Block::Paragraph(format!(
            "根据{}整改工作安排，于{}对{}党组织巡察整改情况进行了评估。评估采取个别谈话、查阅资料、实地核查、对账销号和满意度测评等方式进行，现将评估情况报告如下。",
            d.round_name, d.assessed_on, d.org_name
        )),
        Block::Heading1("一、评估得分".into()),
        Block::Table {
            headers: ["序号", "评估指标", "分值", "扣分", "得分"]
                .map(String::from)
                .to_vec(),
            rows: d
                .indicators
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    vec![
                        (i + 1).to_string(),
                        x.name.clone(),
                        fmt_points(x.max_points),
                        fmt_points(x.deducted),
                        fmt_points(x.max_points - x.deducted),
                    ]
                })
                .collect(),
        },
        Block::Paragraph(format!(
            "综合得分{}分，评定等次为“{}”{}。",
            fmt_points(d.score),
            d.grade_name.clone().unwrap_or_default(),
            if d.state == AssessmentState::Draft.code() {
                "（评估中，尚未定等）"
            } else {
                ""
            }
        )),
        Block::Heading1("二、扣分情况".into()),
    ];
    if d.deductions.is_empty() {
        blocks.push(Block::Paragraph("无扣分事项。".into()));
    }
    for (i, x) in d.deductions.iter().enumerate() {
        blocks.push(Block::Paragraph(format!(
            "{}．{}：扣{}分。{}",
            i + 1,
            x.indicator_name,
            fmt_points(x.points),
            x.reason
        )));
    }
    blocks.push(Block::Heading1("三、满意度测评".into()));
    match &d.satisfaction {
        None => blocks.push(Block::Paragraph("未开展满意度测评。".into())),
        Some(s) => {
            blocks.push(Block::Paragraph(format!(
                "共收回测评表{}份，有效评价{}个（满意{}、基本满意{}、不满意{}，不了解{}不计入），满意度{}。",
                s.responses,
                s.valid,
                s.satisfied,
                s.basic,
                s.unsatisfied,
                s.unknown,
                s.rate.clone().unwrap_or_else(|| "无有效评价".into())
            )));
            blocks.push(Block::Table {
                headers: [
                    "测评组",
                    "答卷数",
                    "满意",
                    "基本满意",
                    "不满意",
                    "不了解",
                    "满意度",
                ]
                .map(String::from)
                .to_vec(),
                rows: s
                    .groups
                    .iter()
                    .map(|g| {
                        vec![
                            g.name.clone(),
                            g.responses.to_string(),
                            g.satisfied.to_string(),
                            g.basic.to_string(),
                            g.unsatisfied.to_string(),
                            g.unknown.to_string(),
                            g.rate.clone().unwrap_or_else(|| "—".into()),
                        ]
                    })
                    .collect(),
            });
        }
    }
    blocks.push(Block::Heading1("四、评估结论和结果运用".into()));
    if !d.conclusion.is_empty() {
        blocks.push(Block::Paragraph(d.conclusion.clone()));
    }
    let cons: Vec<String> = d.consequences.iter().map(|c| c.name.clone()).collect();
    blocks.push(Block::Paragraph(if cons.is_empty() {
        "评估结果纳入年度考核。".to_string()
    } else {
        format!("根据评估等次，{}；评估结果纳入年度考核。", cons.join("、"))
    }));
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: None,
        title: format!("关于{}巡察整改情况的评估报告", d.org_name),
        recipient: None,
        blocks,
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx("整改评估报告", &doc)
}

fn fmt_points(p: f64) -> String {
    #[allow(clippy::cast_possible_truncation)]
    show_points((p * 10.0).round() as i64)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    pub round_id: Option<i64>,
}

/// All finalised assessments in scope as .xlsx, for the annual assessment (年度考核).
#[utoipa::path(get, operation_id = "assessments_export", path = "/api/v1/assessments/export", tag = "assessment", params(ExportQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export_assessments(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = store::finalised_with_consequences(&st.db, &auth.scope, q.round_id).await?;
    let out: Vec<Vec<String>> = rows
        .iter()
        .enumerate()
        .map(|(i, (a, cons))| {
            let cons: Vec<&str> = cons.iter().map(|c| c.label()).collect();
            vec![
                (i + 1).to_string(),
                a.org_name.clone(),
                a.round_name.clone(),
                date_str(a.assessed_on),
                a.score.map(show_points).unwrap_or_default(),
                a.grade_name.clone().unwrap_or_default(),
                a.satisfaction_bp.map_or_else(|| "—".to_string(), show_rate),
                cons.join("、"),
            ]
        })
        .collect();
    let count = out.len();
    let bytes = xuncha_office::write_xlsx(
        "整改评估结果",
        &[
            "序号",
            "被巡察单位",
            "轮次",
            "评估日期",
            "得分",
            "等次",
            "满意度",
            "后果",
        ],
        &[6.0, 30.0, 22.0, 12.0, 8.0, 10.0, 10.0, 40.0],
        out.into_iter(),
    )
    .map_err(|e| ApiError::internal(&e))?;
    xuncha_store::audit::record_event(
        &st.db,
        &auth.actor,
        &xuncha_store::audit::Event::read(
            "assessment.export",
            "assessment",
            "",
            format!("导出整改评估结果 {count} 条"),
        ),
    )
    .await?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string()),
            (header::CONTENT_DISPOSITION, "attachment; filename=\"assessments.xlsx\"; filename*=UTF-8''%E6%95%B4%E6%94%B9%E8%AF%84%E4%BC%B0%E7%BB%93%E6%9E%9C.xlsx".to_string()),
        ],
        bytes,
    ))
}

// ---------------------------------------------------------------------------------------------
// Satisfaction surveys

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyCreate {
    /// The address raters will open, as the browser shows it: `http(s)://host[:port]`.
    pub origin: String,
    /// Rater groups; default the 四测评 groups.
    #[serde(default)]
    pub groups: Option<Vec<GroupInput>>,
    /// Questions, each answered 满意 / 基本满意 / 不满意 / 不了解; default four questions.
    #[serde(default)]
    pub questions: Option<Vec<String>>,
    /// At most this many answer sheets per group (default 500).
    #[serde(default)]
    pub max_per_group: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyLink {
    pub group_id: i64,
    pub group_code: String,
    pub group_name: String,
    /// The anonymous link; shown only now (the server keeps its SM3 digest).
    pub url: String,
    /// The link as a QR code (SVG).
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyCreated {
    pub links: Vec<SurveyLink>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub origin: String,
}

/// Checks `http(s)://host[:port]` (no path, no user info).
fn parse_origin(s: &str) -> Result<String, FieldError> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty()
            && r.len() <= 253
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    });
    if ok {
        Ok(s.to_string())
    } else {
        Err(field("origin", "survey.bad_origin"))
    }
}

fn new_survey_token() -> ApiResult<String> {
    let bytes = random_bytes::<16>().map_err(|e| ApiError::internal(&e))?;
    Ok(xuncha_domain::audit::hex(&bytes))
}

fn link(
    origin: &str,
    token: &str,
    group_id: i64,
    code: String,
    name: String,
) -> ApiResult<SurveyLink> {
    let url = format!("{origin}/s/{token}");
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ApiError::internal(&e))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(SurveyLink {
        group_id,
        group_code: code,
        group_name: name,
        url,
        qr_svg,
    })
}

/// Starts the satisfaction survey of a draft assessment: one anonymous link (with QR code) per
/// rater group. The links are shown only in this answer.
#[utoipa::path(post, operation_id = "assessments_survey_create", path = "/api/v1/assessments/{id}/survey", tag = "assessment", params(("id" = i64, Path)),
    request_body = SurveyCreate,
    responses((status = 201, body = SurveyCreated), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_survey(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SurveyCreate>,
) -> ApiResult<(StatusCode, axum::Json<SurveyCreated>)> {
    let mut e = Errors::default();
    let origin = parse_origin(&b.origin).map_err(|x| e.push(x)).ok();
    let groups: Vec<(String, String)> = match &b.groups {
        Some(g) if !g.is_empty() => g
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let name = required_text(&format!("groups[{i}].name"), &g.name, 30)
                    .map_err(|x| e.push(x))
                    .unwrap_or_default();
                let code = if g.code.trim().is_empty() {
                    format!("g{}", i + 1)
                } else {
                    g.code.trim().to_string()
                };
                (code, name)
            })
            .collect(),
        _ => DEFAULT_RATER_GROUPS
            .iter()
            .map(|(c, n)| ((*c).to_string(), (*n).to_string()))
            .collect(),
    };
    for (i, g) in groups.iter().enumerate() {
        if groups[..i].iter().any(|h| h.0 == g.0) {
            e.push(FieldError::new(
                &format!("groups[{i}].code"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &g.0),
            ));
        }
    }
    let questions: Vec<String> = match &b.questions {
        Some(q) if !q.is_empty() => q
            .iter()
            .enumerate()
            .map(|(i, q)| {
                required_text(&format!("questions[{i}]"), q, 200)
                    .map_err(|x| e.push(x))
                    .unwrap_or_default()
            })
            .collect(),
        _ => DEFAULT_QUESTIONS.iter().map(|q| (*q).to_string()).collect(),
    };
    let max = b.max_per_group.unwrap_or(500);
    if !(1..=100_000).contains(&max) {
        e.push(FieldError::new(
            "max_per_group",
            Msg::new("validation.out_of_range")
                .arg("field", "field.max_per_group")
                .arg("min", 1)
                .arg("max", 100_000),
        ));
    }
    e.into_result()?;
    let Some(origin) = origin else {
        return Err(ApiError::forbidden());
    };
    let mut tokens = Vec::new();
    let mut rows = Vec::new();
    for (code, name) in &groups {
        let t = new_survey_token()?;
        rows.push((code.clone(), name.clone(), token_hash(&t)));
        tokens.push(t);
    }
    store::create_survey(&st.db, &auth.actor, &auth.scope, id, &questions, &rows, max)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let (_, tallies) = store::survey(&st.db, &auth.scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found(ASSESSMENT_NOT_FOUND))?;
    let mut links = Vec::new();
    for (g, t) in tallies.into_iter().zip(tokens) {
        links.push(link(&origin, &t, g.id, g.code, g.name)?);
    }
    Ok((StatusCode::CREATED, axum::Json(SurveyCreated { links })))
}

/// Issues a new link for one rater group; the previous link stops working.
#[utoipa::path(post, operation_id = "assessments_survey_link", path = "/api/v1/assessments/{id}/survey/groups/{group_id}/link", tag = "assessment",
    params(("id" = i64, Path), ("group_id" = i64, Path)), request_body = LinkRequest,
    responses((status = 200, body = SurveyLink), (status = 404, body = crate::error::Problem)))]
async fn rotate_link(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath((id, group_id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<LinkRequest>,
) -> ApiResult<axum::Json<SurveyLink>> {
    let origin = parse_origin(&b.origin).map_err(|e| DomainError::Invalid(vec![e]))?;
    let t = new_survey_token()?;
    let name = store::rotate_link(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        group_id,
        &token_hash(&t),
    )
    .await
    .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let code = store::survey(&st.db, &auth.scope, id)
        .await?
        .and_then(|(_, g)| g.into_iter().find(|g| g.id == group_id))
        .map(|g| g.code)
        .unwrap_or_default();
    Ok(axum::Json(link(&origin, &t, group_id, code, name)?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSurveyDto {
    pub org_name: String,
    pub round_name: String,
    pub group_name: String,
    pub questions: Vec<String>,
    /// The answer options (code, name).
    pub answers: Vec<Named>,
    /// False once the assessment is finalised.
    pub open: bool,
}

/// A token looks like 32 hex digits; anything else is "not found" without touching the database.
fn survey_token(token: &str) -> ApiResult<String> {
    if token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token_hash(&token.to_ascii_lowercase()))
    } else {
        Err(ApiError::not_found("survey.not_found"))
    }
}

/// The survey behind an anonymous link (no login).
#[utoipa::path(get, operation_id = "public_survey", path = "/api/v1/public/surveys/{token}", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = PublicSurveyDto), (status = 404, body = crate::error::Problem)))]
async fn public_survey(
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<axum::Json<PublicSurveyDto>> {
    let hash = survey_token(&token)?;
    let s = store::survey_by_token(&st.db, &hash)
        .await
        .map_err(ApiError::not_found_as("survey.not_found"))?;
    Ok(axum::Json(PublicSurveyDto {
        questions: serde_json::from_str(&s.questions).map_err(|e| ApiError::internal(&e))?,
        open: s.state == "OPEN",
        org_name: s.org_name,
        round_name: s.round_name,
        group_name: s.group_name,
        answers: named(Answer::ALL, Answer::code, Answer::label),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponse {
    /// One answer code per question: `satisfied`, `basic`, `unsatisfied`, `unknown`.
    pub answers: Vec<String>,
    /// Optional, at most 500 characters.
    #[serde(default)]
    pub comment: String,
}

/// Accepts one anonymous answer sheet (no login; nothing about the respondent is stored).
#[utoipa::path(post, operation_id = "public_survey_respond", path = "/api/v1/public/surveys/{token}", tag = "public", params(("token" = String, Path)),
    request_body = SurveyResponse,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn public_respond(
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<SurveyResponse>,
) -> ApiResult<StatusCode> {
    let hash = survey_token(&token)?;
    let s = store::survey_by_token(&st.db, &hash)
        .await
        .map_err(ApiError::not_found_as("survey.not_found"))?;
    if s.state != "OPEN" {
        return Err(ApiError::key(StatusCode::CONFLICT, "survey.closed"));
    }
    let count = serde_json::from_str::<Vec<String>>(&s.questions)
        .map(|q| q.len())
        .unwrap_or(0);
    let mut e = Errors::default();
    if b.answers.len() != count {
        e.push(FieldError::new(
            "answers",
            Msg::new("survey.answers_count").arg("count", count),
        ));
    }
    let answers: Vec<Answer> = b
        .answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            Answer::parse_field(&format!("answers[{i}]"), a)
                .map_err(|x| e.push(x))
                .ok()
        })
        .collect();
    let comment = b.comment.trim();
    if comment.chars().count() > rules::MAX_COMMENT_CHARS {
        e.push(FieldError::new(
            "comment",
            Msg::new("validation.too_long")
                .arg("field", "field.comment")
                .arg("max", rules::MAX_COMMENT_CHARS),
        ));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        e.push(FieldError::new(
            "comment",
            Msg::new("validation.bad_chars").arg("field", "field.comment"),
        ));
    }
    e.into_result()?;
    store::respond(&st.db, &hash, &answers, comment, st.db.today())
        .await
        .map_err(|e| match e {
            xuncha_store::StoreError::Domain(DomainError::Rule(m)) => {
                ApiError::new(StatusCode::CONFLICT, &m)
            }
            e => ApiError::not_found_as("survey.not_found")(e),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

// ---------------------------------------------------------------------------------------------
// Disclosure

#[derive(Debug, Serialize, ToSchema)]
pub struct TreatmentCount {
    pub treatment: String,
    pub people: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountsDto {
    pub total: i64,
    pub completed: i64,
    pub in_progress: i64,
    pub long_term: i64,
    /// 整改完成率, e.g. `"76.00%"`.
    pub completion_rate: String,
    pub accountability_people: i64,
    pub by_treatment: Vec<TreatmentCount>,
    pub rules: i64,
    pub money_returned_fen: i64,
    pub money_returned_yuan: String,
    pub loss_recovered_fen: i64,
    pub loss_recovered_yuan: String,
}

fn counts_dto(c: &DisclosureCounts) -> CountsDto {
    CountsDto {
        total: c.total,
        completed: c.completed,
        in_progress: c.in_progress,
        long_term: c.long_term,
        completion_rate: c.completion_rate(),
        accountability_people: c.accountability_people,
        by_treatment: c
            .by_treatment
            .iter()
            .map(|(t, n)| TreatmentCount {
                treatment: t.clone(),
                people: *n,
            })
            .collect(),
        rules: c.rules,
        money_returned_fen: c.money_returned_fen,
        money_returned_yuan: show_yuan(c.money_returned_fen),
        loss_recovered_fen: c.loss_recovered_fen,
        loss_recovered_yuan: show_yuan(c.loss_recovered_fen),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureItemDto {
    pub finding_id: i64,
    pub title: String,
    pub category_name: Option<String>,
    pub state: String,
    pub state_name: String,
    /// The exemption reason code, null when the item is public.
    pub exemption: Option<String>,
    pub exemption_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    /// Texts generated from the current records (to start over from).
    pub suggested_internal_text: String,
    pub suggested_public_text: String,
    /// All fed-back items (frozen at submission).
    pub counts: CountsDto,
    /// Without exempted items and their outcomes (frozen at submission).
    pub public_counts: CountsDto,
    pub items: Vec<DisclosureItemDto>,
    pub exemption_reasons: Vec<Named>,
    pub drafted_by_name: String,
    pub submitted_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub opinion: Option<String>,
    pub can_edit: bool,
    pub can_approve: bool,
    pub version: i64,
}

async fn disclosure_dto(st: &AppState, auth: &Auth, d: DisclosureRow) -> ApiResult<DisclosureDto> {
    let state = d.state()?;
    // Figures are live while the drafter edits, and frozen from submission on.
    let (all, public) = match (&d.counts, &d.public_counts) {
        (Some(a), Some(p)) if !state.editable() => {
            (store::parse_counts(a)?, store::parse_counts(p)?)
        }
        _ => (
            store::disclosure_counts(&st.db, d.round_unit_id, None).await?,
            store::disclosure_counts(&st.db, d.round_unit_id, Some(d.id)).await?,
        ),
    };
    let items = store::disclosure_items(&st.db, d.round_unit_id, Some(d.id)).await?;
    let manage = auth.access.has(xuncha_domain::perm::RECT_SUPERVISE);
    Ok(DisclosureDto {
        suggested_internal_text: rules::internal_text(&d.org_name, &d.round_name, &all),
        suggested_public_text: rules::public_text(&d.org_name, &d.round_name, &public),
        counts: counts_dto(&all),
        public_counts: counts_dto(&public),
        items: items
            .into_iter()
            .map(|x| {
                let ex = x.exemption.as_deref().and_then(ExemptionReason::from_code);
                DisclosureItemDto {
                    finding_id: x.finding_id,
                    title: x.title,
                    category_name: x.category_name,
                    state_name: FindingState::from_code(&x.state)
                        .map_or(x.state.clone(), |s| s.label().to_string()),
                    state: x.state,
                    exemption: ex.map(|r| r.code().to_string()),
                    exemption_name: ex.map(|r| r.label().to_string()),
                    note: x.note,
                }
            })
            .collect(),
        exemption_reasons: named(
            ExemptionReason::ALL,
            ExemptionReason::code,
            ExemptionReason::label,
        ),
        can_edit: manage && state.editable(),
        can_approve: manage
            && state == DisclosureState::Submitted
            && d.drafted_by != Some(auth.user.id)
            && store::round_office_in_scope(&st.db, &auth.scope, d.round_unit_id).await?,
        id: d.id,
        round_unit_id: d.round_unit_id,
        round_name: d.round_name,
        org_id: d.org_id,
        org_name: d.org_name,
        state_name: state.label().to_string(),
        state: d.state,
        title: d.title,
        internal_text: d.internal_text,
        public_text: d.public_text,
        drafted_by_name: d.drafted_by_name,
        submitted_at: d.submitted_at.map(rfc3339),
        decided_by_name: d.decided_by_name,
        decided_at: d.decided_at.map(rfc3339),
        opinion: d.opinion,
        version: d.version,
    })
}

async fn load_disclosure(st: &AppState, auth: &Auth, id: i64) -> ApiResult<DisclosureRow> {
    store::get_disclosure(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureSummary {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub drafted_by_name: String,
    pub decided_at: Option<String>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosurePage {
    pub items: Vec<DisclosureSummary>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureQuery {
    /// `DRAFT`, `SUBMITTED`, `RETURNED` or `APPROVED`.
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Disclosures of units in scope.
#[utoipa::path(get, operation_id = "disclosures_list", path = "/api/v1/disclosures", tag = "assessment", params(DisclosureQuery),
    responses((status = 200, body = DisclosurePage)))]
async fn list_disclosures(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<DisclosureQuery>,
) -> ApiResult<axum::Json<DisclosurePage>> {
    let r = store::list_disclosures(
        &st.db,
        &auth.scope,
        q.state.as_deref(),
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(axum::Json(DisclosurePage {
        items: r
            .items
            .into_iter()
            .map(|d| DisclosureSummary {
                id: d.id,
                round_unit_id: d.round_unit_id,
                round_name: d.round_name,
                org_name: d.org_name,
                state_name: DisclosureState::from_code(&d.state)
                    .map_or(d.state.clone(), |s| s.label().to_string()),
                state: d.state,
                title: d.title,
                drafted_by_name: d.drafted_by_name,
                decided_at: d.decided_at.map(rfc3339),
                version: d.version,
            })
            .collect(),
        total: r.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureCreate {
    pub round_unit_id: i64,
}

/// Drafts the disclosure of a fed-back round unit, with the figures and texts generated from the records.
#[utoipa::path(post, operation_id = "disclosures_create", path = "/api/v1/disclosures", tag = "assessment", request_body = DisclosureCreate,
    responses((status = 201, body = DisclosureDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn create_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<DisclosureCreate>,
) -> ApiResult<(StatusCode, axum::Json<DisclosureDto>)> {
    let d = store::create_disclosure(&st.db, &auth.actor, &auth.scope, b.round_unit_id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(disclosure_dto(&st, &auth, d).await?),
    ))
}

/// One disclosure with its figures (all and public), items and exemptions.
#[utoipa::path(get, operation_id = "disclosures_get", path = "/api/v1/disclosures/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = DisclosureDto), (status = 404, body = crate::error::Problem)))]
async fn get_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let d = load_disclosure(&st, &auth, id).await?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionInput {
    pub finding_id: i64,
    /// `secret`, `unpublished_case`, `negative_hype`, `mass_petition` or `other`.
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSave {
    pub title: String,
    pub internal_text: String,
    /// The public text; empty regenerates it from the records. A change of the exemptions
    /// always regenerates it, and a submission whose figures no longer match the text it was
    /// generated from is refused (`disclosure.stale_text`).
    pub public_text: String,
    #[serde(default)]
    pub exemptions: Vec<ExemptionInput>,
    pub version: i64,
}

/// Edits the texts and the exemptions of a draft (or returned) disclosure.
#[utoipa::path(put, operation_id = "disclosures_update", path = "/api/v1/disclosures/{id}", tag = "assessment", params(("id" = i64, Path)),
    request_body = DisclosureSave,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DisclosureSave>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, 100)
        .map_err(|x| e.push(x))
        .unwrap_or_default();
    let mut text = |name: &str, v: &str| {
        let t = v.trim();
        if t.is_empty() {
            e.push(FieldError::required(name));
        } else if t.chars().count() > rules::MAX_TEXT_CHARS {
            e.push(FieldError::new(
                name,
                Msg::new("validation.too_long")
                    .arg("field", format!("field.{name}"))
                    .arg("max", rules::MAX_TEXT_CHARS),
            ));
        }
        t.to_string()
    };
    let internal_text = text("internal_text", &b.internal_text);
    // An empty public text asks for it to be regenerated from the records.
    let public_text = if b.public_text.trim().is_empty() {
        String::new()
    } else {
        text("public_text", &b.public_text)
    };
    let mut exemptions = Vec::new();
    for (i, x) in b.exemptions.iter().enumerate() {
        let reason = ExemptionReason::parse_field(&format!("exemptions[{i}].reason"), &x.reason)
            .map_err(|f| e.push(f))
            .ok();
        let note = x.note.trim().to_string();
        if note.chars().count() > rules::MAX_REASON_CHARS {
            e.push(FieldError::new(
                &format!("exemptions[{i}].note"),
                Msg::new("validation.too_long")
                    .arg("field", "field.note")
                    .arg("max", rules::MAX_REASON_CHARS),
            ));
        }
        if reason == Some(ExemptionReason::Other) && note.is_empty() {
            e.push(FieldError::new(
                &format!("exemptions[{i}].note"),
                Msg::new("validation.required").arg("field", "field.note"),
            ));
        }
        if b.exemptions[..i]
            .iter()
            .any(|y| y.finding_id == x.finding_id)
        {
            e.push(FieldError::new(
                &format!("exemptions[{i}].finding_id"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.finding_id")
                    .arg("value", x.finding_id),
            ));
        }
        if let Some(r) = reason {
            exemptions.push((x.finding_id, r, note));
        }
    }
    e.into_result()?;
    let d = store::update_disclosure(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &DisclosureDraft {
            title,
            internal_text,
            public_text,
            exemptions,
        },
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

/// Submits the disclosure for approval; the figures and the public items are frozen.
#[utoipa::path(post, operation_id = "disclosures_submit", path = "/api/v1/disclosures/{id}/submit", tag = "assessment", params(("id" = i64, Path)),
    request_body = super::VersionBody,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem)))]
async fn submit_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let d = store::transition_disclosure(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        DisclosureState::Submitted,
        "",
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureDecision {
    pub approve: bool,
    #[serde(default)]
    pub opinion: String,
    pub version: i64,
}

/// Approves (publishes) or returns a submitted disclosure; approval by someone other than the drafter.
#[utoipa::path(post, operation_id = "disclosures_decide", path = "/api/v1/disclosures/{id}/decide", tag = "assessment", params(("id" = i64, Path)),
    request_body = DisclosureDecision,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn decide_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DisclosureDecision>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let opinion = b.opinion.trim();
    if !b.approve && opinion.is_empty() {
        return Err(ApiError::field(
            "opinion",
            &Msg::new("disclosure.return_reason"),
        ));
    }
    if opinion.chars().count() > rules::MAX_REASON_CHARS {
        return Err(ApiError::field(
            "opinion",
            &Msg::new("validation.too_long")
                .arg("field", "field.opinion")
                .arg("max", rules::MAX_REASON_CHARS),
        ));
    }
    let to = if b.approve {
        DisclosureState::Approved
    } else {
        DisclosureState::Returned
    };
    let d =
        store::transition_disclosure(&st.db, &auth.actor, &auth.scope, id, to, opinion, b.version)
            .await
            .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChannelQuery {
    /// `internal` (党内通报, default) or `public` (社会公开).
    pub channel: Option<String>,
}

/// 党内通报 or 社会公开 (.docx) of a disclosure.
#[utoipa::path(get, operation_id = "disclosures_docx", path = "/api/v1/disclosures/{id}/docx", tag = "assessment", params(("id" = i64, Path), ChannelQuery),
    responses((status = 200, description = ".docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        (status = 404, body = crate::error::Problem)))]
async fn disclosure_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ChannelQuery>,
) -> ApiResult<impl IntoResponse> {
    let d = load_disclosure(&st, &auth, id).await?;
    let public = q.channel.as_deref() == Some("public");
    let unit = store::unit(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        d.round_unit_id,
    )
    .await?;
    let (issuer, _) = issuer(&st, unit.owner_org_id).await?;
    let dto = disclosure_dto(&st, &auth, d).await?;
    let (text, counts, name) = if public {
        (&dto.public_text, &dto.public_counts, "社会公开稿")
    } else {
        (&dto.internal_text, &dto.counts, "党内通报")
    };
    let mut blocks: Vec<Block> = text
        .lines()
        .map(|l| Block::Paragraph(l.to_string()))
        .collect();
    blocks.push(Block::Heading1("附：整改情况统计".into()));
    blocks.push(Block::Table {
        headers: ["项目", "数量"].map(String::from).to_vec(),
        rows: vec![
            vec!["反馈问题（个）".into(), counts.total.to_string()],
            vec!["已完成整改（个）".into(), counts.completed.to_string()],
            vec!["正在整改（个）".into(), counts.in_progress.to_string()],
            vec!["持续整改（个）".into(), counts.long_term.to_string()],
            vec!["整改完成率".into(), counts.completion_rate.clone()],
            vec![
                "问责处理（人）".into(),
                counts.accountability_people.to_string(),
            ],
            vec!["建章立制（项）".into(), counts.rules.to_string()],
            vec!["退缴资金（元）".into(), counts.money_returned_yuan.clone()],
            vec!["挽回损失（元）".into(), counts.loss_recovered_yuan.clone()],
        ],
    });
    if public {
        let rows: Vec<Vec<String>> = dto
            .items
            .iter()
            .filter(|x| x.exemption.is_none())
            .enumerate()
            .map(|(i, x)| vec![(i + 1).to_string(), x.title.clone(), x.state_name.clone()])
            .collect();
        if !rows.is_empty() {
            blocks.push(Block::Table {
                headers: ["序号", "问题", "整改状态"].map(String::from).to_vec(),
                rows,
            });
        }
    }
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: (!public).then(|| "党内文件 注意保存".to_string()),
        title: dto.title.clone(),
        recipient: None,
        blocks,
        signature: Some(issuer),
        date: Some(china_date(st.db.today())),
        copy_to: None,
    };
    docx(name, &doc)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosureSummary {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosurePage {
    pub items: Vec<PublicDisclosureSummary>,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicItem {
    pub title: String,
    pub category_name: String,
    pub state_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosureDto {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub published_at: Option<String>,
    pub text: String,
    pub counts: CountsDto,
    pub items: Vec<PublicItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicPageQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Approved public releases, newest first (no login).
#[utoipa::path(get, operation_id = "public_disclosures", path = "/api/v1/public/disclosures", tag = "public", params(PublicPageQuery),
    responses((status = 200, body = PublicDisclosurePage)))]
async fn public_disclosures(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<PublicPageQuery>,
) -> ApiResult<axum::Json<PublicDisclosurePage>> {
    let page = PageReq::new(q.page, q.page_size.map(|s| s.min(50)));
    let r = store::public_disclosures(&st.db, page).await?;
    Ok(axum::Json(PublicDisclosurePage {
        items: r
            .items
            .into_iter()
            .map(|d| PublicDisclosureSummary {
                id: d.id,
                title: d.title,
                org_name: d.org_name,
                round_name: d.round_name,
                published_at: d.decided_at.map(rfc3339),
            })
            .collect(),
        total: r.total,
    }))
}

/// One approved public release: the approved text, the public figures and the non-exempted items (no login).
#[utoipa::path(get, operation_id = "public_disclosure", path = "/api/v1/public/disclosures/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = PublicDisclosureDto), (status = 404, body = crate::error::Problem)))]
async fn public_disclosure(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PublicDisclosureDto>> {
    let d = store::public_disclosure(&st.db, id)
        .await
        .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    let counts = match &d.public_counts {
        Some(t) => store::parse_counts(t)?,
        None => DisclosureCounts::default(),
    };
    let items = match &d.public_items {
        Some(t) => store::parse_items(t)?,
        None => Vec::new(),
    };
    Ok(axum::Json(PublicDisclosureDto {
        id: d.id,
        title: d.title,
        org_name: d.org_name,
        round_name: d.round_name,
        published_at: d.decided_at.map(rfc3339),
        text: d.public_text,
        counts: counts_dto(&counts),
        items: items
            .into_iter()
            .map(|(title, category_name, state_name)| PublicItem {
                title,
                category_name,
                state_name,
            })
            .collect(),
    }))
}

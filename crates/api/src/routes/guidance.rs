//! 指导督导 (`Guidance`): guidance visits of a higher office to the offices below it, the
//! problems found in those offices' own work, and their rectification to write-off
//! (docs/guidance.md).
//!
//! Visits need `guidance:lead`; the visiting office plans, records, feeds back and verifies.
//! Problems are read with `guidance:lead` or `guidance:rectify`; the lower office rectifies
//! with `guidance:rectify`. Every id is checked against the caller's scope (404 outside).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::guidance::{
    self as rules, MAX_LIST, MAX_TEXT_CHARS, MAX_TITLE_CHARS, ProblemCategory, ProblemState,
    ProblemStep, VisitForm, VisitState,
};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::perm::{GUIDANCE_LEAD, GUIDANCE_RECTIFY};
use xuncha_domain::{DomainError, FieldError};
use xuncha_store::PageReq;
use xuncha_store::guidance::{
    self as store, ProblemFilter, ProblemRow, Rectification, Side, VisitDraft, VisitRow,
};

use super::common::{Named, date_str, named, parse_date};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, GuidanceLead, GuidanceRectify, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_visits, create_visit))
        .routes(routes!(visit_options))
        .routes(routes!(get_visit))
        .routes(routes!(transition_visit))
        .routes(routes!(add_problem))
        .routes(routes!(list_problems))
        .routes(routes!(get_problem))
        .routes(routes!(rectify_problem))
        .routes(routes!(request_write_off))
        .routes(routes!(verify_problem))
}

const VISIT_NOT_FOUND: &str = "guidance.visit_not_found";
const PROBLEM_NOT_FOUND: &str = "guidance.problem_not_found";

/// Reading problems: either side of guidance.
fn require_read(auth: &Auth) -> ApiResult<()> {
    if auth.access.has(GUIDANCE_LEAD) || auth.access.has(GUIDANCE_RECTIFY) {
        Ok(())
    } else {
        Err(ApiError::forbidden())
    }
}

fn too_long(field: &str, label: &str, max: usize) -> FieldError {
    FieldError::new(
        field,
        Msg::new("validation.too_long")
            .arg("field", format!("field.{label}"))
            .arg("max", max),
    )
}

/// A required text up to `max` characters, its error naming `label`.
fn text_field(e: &mut Errors, field: &str, label: &str, v: &str, max: usize) -> String {
    let t = v.trim();
    if t.is_empty() {
        e.push(FieldError::new(
            field,
            Msg::new("validation.required").arg("field", format!("field.{label}")),
        ));
    } else if t.chars().count() > max {
        e.push(too_long(field, label, max));
    }
    t.to_string()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitStatsDto {
    /// Problems fed back to the lower offices.
    pub listed: i64,
    /// Problems written off (销号).
    pub rectified: i64,
    /// Problems recorded, drafts included.
    pub recorded: i64,
    /// Fed back, not written off, past their deadline.
    pub overdue: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitSummary {
    pub id: i64,
    /// The visiting office.
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    /// `regular`, `area_contact`, `attend_meeting`, `midterm_report` or `first_report_review`.
    pub form: String,
    pub form_name: String,
    pub period_from: String,
    pub period_to: String,
    /// `PLANNED`, `IN_PROGRESS`, `FED_BACK` or `CLOSED`.
    pub state: String,
    pub state_name: String,
    pub fed_back_on: Option<String>,
    pub stats: VisitStatsDto,
    pub version: i64,
}

fn visit_summary(v: VisitRow) -> VisitSummary {
    VisitSummary {
        form_name: VisitForm::from_code(&v.form).map_or(v.form.clone(), |f| f.label().to_string()),
        state_name: VisitState::from_code(&v.state)
            .map_or(v.state.clone(), |s| s.label().to_string()),
        id: v.id,
        org_id: v.org_id,
        org_name: v.org_name,
        title: v.title,
        form: v.form,
        period_from: date_str(v.period_from),
        period_to: date_str(v.period_to),
        state: v.state,
        fed_back_on: v.fed_back_on.map(date_str),
        stats: VisitStatsDto {
            listed: v.listed,
            rectified: v.rectified,
            recorded: v.recorded,
            overdue: v.overdue,
        },
        version: v.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitPage {
    pub items: Vec<VisitSummary>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VisitQuery {
    /// `PLANNED`, `IN_PROGRESS`, `FED_BACK` or `CLOSED`.
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// The guidance visits the caller sees (of offices in scope, or as a member), newest first,
/// each with its figures (listed → rectified).
#[utoipa::path(get, operation_id = "guidance_visits_list", path = "/api/v1/guidance/visits", tag = "guidance", params(VisitQuery),
    responses((status = 200, body = VisitPage), (status = 400, body = crate::error::Problem)))]
async fn list_visits(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiQuery(q): ApiQuery<VisitQuery>,
) -> ApiResult<axum::Json<VisitPage>> {
    let state = match q.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(VisitState::from_code(s).ok_or_else(|| {
            ApiError::bad_param(
                "state",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.state")
                    .arg("value", s)
                    .arg("allowed", "PLANNED、IN_PROGRESS、FED_BACK、CLOSED"),
            )
        })?),
    };
    let r = store::list_visits(
        &st.db,
        &auth.scope,
        state,
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(axum::Json(VisitPage {
        items: r.items.into_iter().map(visit_summary).collect(),
        total: r.total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct IdName {
    pub id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitOptions {
    /// The caller's office (the visiting office of a visit they plan).
    pub office_id: i64,
    /// Users of the caller's office (members to pick).
    pub users: Vec<IdName>,
    /// The offices directly below the caller's office (cities, counties).
    pub lower_offices: Vec<IdName>,
    pub forms: Vec<Named>,
    pub categories: Vec<Named>,
}

/// What planning a visit offers: the caller's office's users, the offices below it, the forms
/// and the problem categories.
#[utoipa::path(get, operation_id = "guidance_visit_options", path = "/api/v1/guidance/options", tag = "guidance",
    responses((status = 200, body = VisitOptions)))]
async fn visit_options(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
) -> ApiResult<axum::Json<VisitOptions>> {
    let office = auth.user.org_id;
    let users = store::office_users(&st.db, office).await?;
    let lower = store::lower_offices(&st.db, office).await?;
    Ok(axum::Json(VisitOptions {
        office_id: office.get(),
        users: users
            .into_iter()
            .map(|(id, name)| IdName { id, name })
            .collect(),
        lower_offices: lower
            .into_iter()
            .map(|(id, name)| IdName { id: id.get(), name })
            .collect(),
        forms: named(VisitForm::ALL, VisitForm::code, VisitForm::label),
        categories: named(
            ProblemCategory::ALL,
            ProblemCategory::code,
            ProblemCategory::label,
        ),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitCreate {
    pub title: String,
    /// `regular`, `area_contact`, `attend_meeting`, `midterm_report` or `first_report_review`.
    pub form: String,
    /// `YYYY-MM-DD`.
    pub period_from: String,
    /// `YYYY-MM-DD`, not before `period_from`.
    pub period_to: String,
    /// Users of the caller's office.
    #[serde(default)]
    pub member_ids: Vec<i64>,
    /// Offices below the caller's office (at least one).
    #[schema(value_type = Vec<i64>)]
    pub org_ids: Vec<OrgId>,
}

/// Plans a guidance visit (督导组) of the caller's office to offices below it.
#[utoipa::path(post, operation_id = "guidance_visits_create", path = "/api/v1/guidance/visits", tag = "guidance", request_body = VisitCreate,
    responses((status = 201, body = VisitDetail), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_visit(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiJson(b): ApiJson<VisitCreate>,
) -> ApiResult<(StatusCode, axum::Json<VisitDetail>)> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, MAX_TITLE_CHARS)
        .map_err(|x| e.push(x))
        .unwrap_or_default();
    let form = VisitForm::parse_field("form", &b.form)
        .map_err(|x| e.push(x))
        .ok();
    let from = parse_date("period_from", &b.period_from)
        .map_err(|x| e.push(x))
        .ok();
    let to = parse_date("period_to", &b.period_to)
        .map_err(|x| e.push(x))
        .ok();
    if let (Some(f), Some(t)) = (from, to)
        && let Err(x) = rules::check_period(f, t)
    {
        e.push(x);
    }
    if b.org_ids.is_empty() {
        e.push(FieldError::required("org_ids"));
    }
    for (name, n) in [
        ("org_ids", b.org_ids.len()),
        ("member_ids", b.member_ids.len()),
    ] {
        if n > MAX_LIST {
            e.push(FieldError::new(
                name,
                Msg::new("validation.out_of_range")
                    .arg("field", format!("field.{name}"))
                    .arg("min", 0)
                    .arg("max", MAX_LIST),
            ));
        }
    }
    let mut org_ids = b.org_ids.clone();
    org_ids.sort_unstable();
    org_ids.dedup();
    let mut member_ids = b.member_ids.clone();
    member_ids.sort_unstable();
    member_ids.dedup();
    e.into_result()?;
    let (Some(form), Some(period_from), Some(period_to)) = (form, from, to) else {
        return Err(DomainError::Invalid(Vec::new()).into());
    };
    let id = store::create_visit(
        &st.db,
        &auth.actor,
        &auth.scope,
        auth.user.org_id,
        &VisitDraft {
            title,
            form,
            period_from,
            period_to,
            member_ids,
            org_ids,
        },
    )
    .await?;
    let v = store::get_visit(&st.db, &auth.scope, id).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(visit_detail(&st, &auth, v).await?),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemDto {
    pub id: i64,
    pub visit_id: i64,
    pub visit_title: String,
    pub visiting_org_name: String,
    /// The lower office concerned.
    pub org_id: i64,
    pub org_name: String,
    pub category: String,
    pub category_name: String,
    pub text: String,
    /// `DRAFT`, `FED_BACK`, `IN_PROGRESS`, `CLOSE_REQUESTED`, `RETURNED` or `CLOSED`.
    pub state: String,
    pub state_name: String,
    pub measure: Option<String>,
    pub progress: Option<String>,
    pub deadline: Option<String>,
    /// Past its deadline and not written off (server clock).
    pub overdue: bool,
    /// The visiting office's opinion on return or write-off.
    pub opinion: Option<String>,
    pub closed_on: Option<String>,
    /// What the caller may do now: `rectify`, `request_write_off`, `write_off`, `return`.
    pub actions: Vec<String>,
    pub version: i64,
}

fn problem_dto(
    p: ProblemRow,
    today: time::Date,
    auth: &Auth,
    visiting: bool,
    lower: bool,
) -> ProblemDto {
    let state = ProblemState::from_code(&p.state);
    let mut actions = Vec::new();
    if let Some(s) = state {
        let can = |step| rules::problem_step(s, step).is_ok();
        if lower && auth.access.has(GUIDANCE_RECTIFY) {
            if can(ProblemStep::Rectify) {
                actions.push("rectify".to_string());
            }
            if can(ProblemStep::RequestWriteOff) {
                actions.push("request_write_off".to_string());
            }
        }
        if visiting && auth.access.has(GUIDANCE_LEAD) && can(ProblemStep::WriteOff) {
            actions.push("write_off".to_string());
            actions.push("return".to_string());
        }
    }
    ProblemDto {
        overdue: state.is_some_and(|s| rules::overdue(s, p.deadline, today)),
        state_name: state.map_or(p.state.clone(), |s| s.label().to_string()),
        category_name: ProblemCategory::from_code(&p.category)
            .map_or(p.category.clone(), |c| c.label().to_string()),
        id: p.id,
        visit_id: p.visit_id,
        visit_title: p.visit_title,
        visiting_org_name: p.visiting_org_name,
        org_id: p.org_id.get(),
        org_name: p.org_name,
        category: p.category,
        text: p.text,
        state: p.state,
        measure: p.measure,
        progress: p.progress,
        deadline: p.deadline.map(date_str),
        opinion: p.opinion,
        closed_on: p.closed_on.map(date_str),
        actions,
        version: p.version,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VisitDetail {
    #[serde(flatten)]
    pub visit: VisitSummary,
    pub members: Vec<IdName>,
    pub orgs: Vec<IdName>,
    /// Every problem of the visit, drafts included.
    pub problems: Vec<ProblemDto>,
    /// The states the visit may move to next.
    pub next_states: Vec<Named>,
    pub created_at: String,
}

async fn visit_detail(st: &AppState, auth: &Auth, v: VisitRow) -> ApiResult<VisitDetail> {
    let id = v.id;
    let created_at = rfc3339(v.created_at);
    let state = v.state()?;
    let members = store::visit_members(&st.db, id).await?;
    let orgs = store::visit_orgs(&st.db, id).await?;
    let problems = store::list_problems(
        &st.db,
        &auth.scope,
        &ProblemFilter {
            side: Side::Visiting,
            visit_id: Some(id),
            ..ProblemFilter::default()
        },
        PageReq::bounded_by_filter(),
    )
    .await?;
    let today = st.db.today();
    let next: Vec<VisitState> = VisitState::ALL
        .iter()
        .copied()
        .filter(|to| rules::check_visit_transition(state, *to).is_ok())
        .collect();
    Ok(VisitDetail {
        visit: visit_summary(v),
        members: members
            .into_iter()
            .map(|(id, name)| IdName { id, name })
            .collect(),
        orgs: orgs
            .into_iter()
            .map(|(id, name)| IdName { id: id.get(), name })
            .collect(),
        problems: problems
            .items
            .into_iter()
            .map(|p| problem_dto(p, today, auth, true, false))
            .collect(),
        next_states: named(next.as_slice(), VisitState::code, VisitState::label),
        created_at,
    })
}

/// One visit with its members, offices, problems and figures.
#[utoipa::path(get, operation_id = "guidance_visits_get", path = "/api/v1/guidance/visits/{id}", tag = "guidance", params(("id" = i64, Path)),
    responses((status = 200, body = VisitDetail), (status = 404, body = crate::error::Problem)))]
async fn get_visit(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<VisitDetail>> {
    let v = store::get_visit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(VISIT_NOT_FOUND))?;
    Ok(axum::Json(visit_detail(&st, &auth, v).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VisitTransition {
    /// `IN_PROGRESS` (start), `FED_BACK` (feed the problems back) or `CLOSED`.
    pub state: String,
    pub version: i64,
}

/// Moves a visit one step: start it, feed its problems back to the lower offices, close it.
#[utoipa::path(post, operation_id = "guidance_visits_transition", path = "/api/v1/guidance/visits/{id}/state", tag = "guidance", params(("id" = i64, Path)),
    request_body = VisitTransition,
    responses((status = 200, body = VisitDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn transition_visit(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VisitTransition>,
) -> ApiResult<axum::Json<VisitDetail>> {
    let to = VisitState::parse_field("state", &b.state)
        .map_err(|x| ApiError::from(DomainError::Invalid(vec![x])))?;
    store::transition_visit(&st.db, &auth.actor, &auth.scope, id, to, b.version)
        .await
        .map_err(ApiError::not_found_as(VISIT_NOT_FOUND))?;
    let v = store::get_visit(&st.db, &auth.scope, id).await?;
    Ok(axum::Json(visit_detail(&st, &auth, v).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemCreate {
    /// The lower office concerned (one of the visit's offices).
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    /// leadership, planning, fieldwork, clues, reporting, rectification, team, other
    pub category: String,
    pub text: String,
}

/// Records a problem in a visited office's work (while the visit is in progress).
#[utoipa::path(post, operation_id = "guidance_problems_create", path = "/api/v1/guidance/visits/{id}/problems", tag = "guidance", params(("id" = i64, Path)),
    request_body = ProblemCreate,
    responses((status = 201, body = ProblemDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn add_problem(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProblemCreate>,
) -> ApiResult<(StatusCode, axum::Json<ProblemDto>)> {
    let mut e = Errors::default();
    let category = ProblemCategory::from_code_or_label(&b.category);
    if category.is_none() {
        let allowed: Vec<&str> = ProblemCategory::ALL.iter().map(|c| c.label()).collect();
        e.push(FieldError::new(
            "category",
            Msg::new("validation.unknown_value")
                .arg("field", "field.problem_category")
                .arg("value", b.category.chars().take(30).collect::<String>())
                .arg("allowed", allowed.join("、")),
        ));
    }
    let text = text_field(&mut e, "text", "problem_text", &b.text, MAX_TEXT_CHARS);
    e.into_result()?;
    let Some(category) = category else {
        return Err(DomainError::Invalid(Vec::new()).into());
    };
    let pid = store::add_problem(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.org_id,
        category,
        &text,
    )
    .await
    .map_err(ApiError::not_found_as(VISIT_NOT_FOUND))?;
    let (p, visiting, lower) = store::get_problem(&st.db, &auth.scope, pid).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(problem_dto(p, st.db.today(), &auth, visiting, lower)),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProblemPage {
    pub items: Vec<ProblemDto>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    /// `lower`: fed back to offices in the caller's scope by a higher office (to rectify);
    /// `visiting`: of the visits the caller sees (to verify); absent: both.
    pub side: Option<String>,
    /// A state code, or `open` (fed back and not yet written off or asked to be).
    pub state: Option<String>,
    pub visit_id: Option<i64>,
    /// Only problems past their deadline.
    pub overdue: Option<bool>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Guidance problems the caller sees: those of their visits, and those fed back to their office.
#[utoipa::path(get, operation_id = "guidance_problems_list", path = "/api/v1/guidance/problems", tag = "guidance", params(ProblemQuery),
    responses((status = 200, body = ProblemPage), (status = 400, body = crate::error::Problem)))]
async fn list_problems(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> ApiResult<axum::Json<ProblemPage>> {
    require_read(&auth)?;
    let bad = |field: &'static str, v: &str, allowed: &str| {
        ApiError::bad_param(
            field,
            &Msg::new("validation.unknown_value")
                .arg("field", format!("field.{field}"))
                .arg("value", v.chars().take(30).collect::<String>())
                .arg("allowed", allowed.to_string()),
        )
    };
    let side = match q.side.as_deref().map(str::trim).unwrap_or("") {
        "" => Side::All,
        "lower" => Side::Lower,
        "visiting" => Side::Visiting,
        s => return Err(bad("side", s, "lower、visiting")),
    };
    let states = match q.state.as_deref().map(str::trim).unwrap_or("") {
        "" => Vec::new(),
        "open" => ProblemState::ALL
            .iter()
            .copied()
            .filter(|s| s.open())
            .collect(),
        s => vec![ProblemState::from_code(s).ok_or_else(|| {
            bad(
                "state",
                s,
                "open、DRAFT、FED_BACK、IN_PROGRESS、CLOSE_REQUESTED、RETURNED、CLOSED",
            )
        })?],
    };
    let f = ProblemFilter {
        side,
        visit_id: q.visit_id,
        states,
        overdue: q.overdue.unwrap_or(false),
    };
    let r =
        store::list_problems(&st.db, &auth.scope, &f, PageReq::new(q.page, q.page_size)).await?;
    let today = st.db.today();
    // The side each row is on decides its actions: a row of a visit the caller sees is on the
    // visiting side; else it reached the list as fed back to the caller's office.
    let mut items = Vec::with_capacity(r.items.len());
    for p in r.items {
        let (_, visiting, lower) = store::get_problem(&st.db, &auth.scope, p.id).await?;
        items.push(problem_dto(p, today, &auth, visiting, lower));
    }
    Ok(axum::Json(ProblemPage {
        items,
        total: r.total,
    }))
}

/// One guidance problem the caller sees.
#[utoipa::path(get, operation_id = "guidance_problems_get", path = "/api/v1/guidance/problems/{id}", tag = "guidance", params(("id" = i64, Path)),
    responses((status = 200, body = ProblemDto), (status = 404, body = crate::error::Problem)))]
async fn get_problem(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ProblemDto>> {
    require_read(&auth)?;
    let (p, visiting, lower) = store::get_problem(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(PROBLEM_NOT_FOUND))?;
    Ok(axum::Json(problem_dto(
        p,
        st.db.today(),
        &auth,
        visiting,
        lower,
    )))
}

async fn answer(st: &AppState, auth: &Auth, p: ProblemRow) -> ApiResult<axum::Json<ProblemDto>> {
    let (_, visiting, lower) = store::get_problem(&st.db, &auth.scope, p.id).await?;
    Ok(axum::Json(problem_dto(
        p,
        st.db.today(),
        auth,
        visiting,
        lower,
    )))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemRectify {
    /// The rectification measure(s).
    pub measure: String,
    /// The progress so far.
    #[serde(default)]
    pub progress: String,
    /// `YYYY-MM-DD`, after today.
    pub deadline: String,
    pub version: i64,
}

/// The lower office records its measure, progress and deadline (again after a return).
#[utoipa::path(post, operation_id = "guidance_problems_rectify", path = "/api/v1/guidance/problems/{id}/rectify", tag = "guidance", params(("id" = i64, Path)),
    request_body = ProblemRectify,
    responses((status = 200, body = ProblemDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn rectify_problem(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceRectify>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProblemRectify>,
) -> ApiResult<axum::Json<ProblemDto>> {
    let mut e = Errors::default();
    let measure = text_field(&mut e, "measure", "measure", &b.measure, MAX_TEXT_CHARS);
    let progress = b.progress.trim().to_string();
    if progress.chars().count() > MAX_TEXT_CHARS {
        e.push(too_long("progress", "progress", MAX_TEXT_CHARS));
    }
    let deadline = parse_date("deadline", &b.deadline)
        .map_err(|x| e.push(x))
        .ok();
    if let Some(d) = deadline
        && let Err(x) = rules::check_deadline(d, st.db.today())
    {
        e.push(x);
    }
    e.into_result()?;
    let Some(deadline) = deadline else {
        return Err(DomainError::Invalid(Vec::new()).into());
    };
    let p = store::step_problem(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ProblemStep::Rectify,
        Some(&Rectification {
            measure,
            progress,
            deadline,
        }),
        "",
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(PROBLEM_NOT_FOUND))?;
    answer(&st, &auth, p).await
}

/// The lower office asks the visiting office to write the problem off.
#[utoipa::path(post, operation_id = "guidance_problems_request_write_off", path = "/api/v1/guidance/problems/{id}/write-off", tag = "guidance", params(("id" = i64, Path)),
    request_body = super::VersionBody,
    responses((status = 200, body = ProblemDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn request_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceRectify>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<ProblemDto>> {
    let p = store::step_problem(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ProblemStep::RequestWriteOff,
        None,
        "",
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(PROBLEM_NOT_FOUND))?;
    answer(&st, &auth, p).await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProblemVerify {
    /// True writes the problem off (销号); false returns it for more work.
    pub approve: bool,
    /// Required when returning.
    #[serde(default)]
    pub opinion: String,
    pub version: i64,
}

/// The visiting office verifies a problem asked to be written off: writes it off or returns it.
#[utoipa::path(post, operation_id = "guidance_problems_verify", path = "/api/v1/guidance/problems/{id}/verify", tag = "guidance", params(("id" = i64, Path)),
    request_body = ProblemVerify,
    responses((status = 200, body = ProblemDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn verify_problem(
    State(st): State<AppState>,
    Need(auth, _): Need<GuidanceLead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ProblemVerify>,
) -> ApiResult<axum::Json<ProblemDto>> {
    let opinion = b.opinion.trim();
    if !b.approve && opinion.is_empty() {
        return Err(ApiError::field(
            "opinion",
            &Msg::new("guidance.return_reason"),
        ));
    }
    if opinion.chars().count() > MAX_TEXT_CHARS {
        return Err(
            DomainError::Invalid(vec![too_long("opinion", "opinion", MAX_TEXT_CHARS)]).into(),
        );
    }
    let step = if b.approve {
        ProblemStep::WriteOff
    } else {
        ProblemStep::Return
    };
    let p = store::step_problem(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        step,
        None,
        opinion,
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(PROBLEM_NOT_FOUND))?;
    answer(&st, &auth, p).await
}

//! 上下联动 (docs/network.md): tasks a higher office issues to its lower offices, each recipient
//! with its own state (the issuing side sees every recipient, a recipient only its own row), and
//! focus points pushed down, adopted by the lower offices' rounds and followed up by findings.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::{FindingId, OrgId};
use xuncha_domain::linkage::{
    self as dom, NewFocusPoint, NewTask, RecipientAction, RecipientState,
};
use xuncha_store::linkage::{self as store, ActionInput, InboxFilter};

use super::common::date_str;
use super::office_settings::office;
use super::{ApiJson, ApiPath, ApiQuery, VersionBody, rfc3339};
use crate::auth::{Auth, FieldworkWrite, InspectionOffice, InspectionPlan, InspectionRead, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_tasks, create_task))
        .routes(routes!(get_task))
        .routes(routes!(confirm))
        .routes(routes!(return_report))
        .routes(routes!(inbox))
        .routes(routes!(inbox_row))
        .routes(routes!(accept))
        .routes(routes!(report))
        .routes(routes!(list_focus, create_focus))
        .routes(routes!(get_focus))
        .routes(routes!(round_focus, adopt))
        .routes(routes!(link_finding))
}

// ---------------------------------------------------------------------------------------------
// DTOs

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkageTaskCreate {
    pub title: String,
    pub content: String,
    /// 重点 (optional).
    pub focus: Option<String>,
    /// The term the task belongs to (optional; one the caller sees).
    pub term_id: Option<i64>,
    /// YYYY-MM-DD, not before today.
    pub deadline: String,
    /// The lower offices receiving the task (in the caller's scope, below the caller's office).
    #[schema(value_type = Vec<i64>)]
    pub org_ids: Vec<OrgId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageTaskDto {
    pub id: i64,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub focus: Option<String>,
    pub term_id: Option<i64>,
    pub term_name: Option<String>,
    pub deadline: String,
    pub created_at: String,
    /// Recipient offices in all.
    pub recipients: i64,
    pub reported: i64,
    pub done: i64,
    /// Recipients still owing the task after its deadline (server date).
    pub overdue: i64,
}

fn task_dto(t: store::TaskRow) -> LinkageTaskDto {
    LinkageTaskDto {
        id: t.id,
        issuer_org_id: t.issuer_org_id.get(),
        issuer_name: t.issuer_name,
        title: t.title,
        content: t.content,
        focus: t.focus,
        term_id: t.term_id,
        term_name: t.term_name,
        deadline: date_str(t.deadline),
        created_at: rfc3339(t.created_at),
        recipients: t.recipients,
        reported: t.reported,
        done: t.done,
        overdue: t.overdue,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageTaskPage {
    pub items: Vec<LinkageTaskDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkedRoundDto {
    pub id: i64,
    pub name: String,
    pub owner_name: String,
}

/// One recipient office's row of a task, with the task's text.
#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageRecipientDto {
    pub id: i64,
    pub task_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub focus: Option<String>,
    pub deadline: String,
    #[schema(value_type = crate::codes::LinkageState)]
    pub state: String,
    pub state_name: String,
    /// Still owed (待接收 or 已接收) after the deadline, by the server's date.
    pub overdue: bool,
    pub report: Option<String>,
    /// The issuer's reason of the last return.
    pub return_reason: Option<String>,
    pub accepted_at: Option<String>,
    pub reported_at: Option<String>,
    pub done_at: Option<String>,
    /// The recipient's own rounds its report back links.
    pub rounds: Vec<LinkedRoundDto>,
    pub version: i64,
    pub created_at: String,
}

async fn recipient_dtos(
    st: &AppState,
    rows: Vec<store::RecipientRow>,
) -> ApiResult<Vec<LinkageRecipientDto>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let rounds = store::linked_rounds(&st.db, &ids).await?;
    let today = st.db.today();
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        let state = r.state()?;
        out.push(LinkageRecipientDto {
            id: r.id,
            task_id: r.task_id,
            org_id: r.org_id.get(),
            org_name: r.org_name,
            issuer_name: r.issuer_name,
            title: r.title,
            content: r.content,
            focus: r.focus,
            deadline: date_str(r.deadline),
            state: state.code().to_string(),
            state_name: state.label().to_string(),
            overdue: state.overdue(r.deadline, today),
            report: r.report,
            return_reason: r.return_reason,
            accepted_at: r.accepted_at.map(rfc3339),
            reported_at: r.reported_at.map(rfc3339),
            done_at: r.done_at.map(rfc3339),
            rounds: rounds
                .iter()
                .filter(|x| x.recipient_id == r.id)
                .map(|x| LinkedRoundDto {
                    id: x.round_id,
                    name: x.name.clone(),
                    owner_name: x.owner_name.clone(),
                })
                .collect(),
            version: r.version,
            created_at: rfc3339(r.created_at),
        });
    }
    Ok(out)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageTaskDetail {
    pub task: LinkageTaskDto,
    /// Every recipient's progress (the issuing side only).
    pub recipients: Vec<LinkageRecipientDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LinkageInboxPage {
    pub items: Vec<LinkageRecipientDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    /// Only the rows waiting for this office (待接收, 已接收).
    pub todo: Option<bool>,
    /// ISSUED, ACCEPTED, REPORTED, DONE
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkageReport {
    pub version: i64,
    /// The report back.
    pub report: String,
    /// The office's own rounds that carry the task out (optional).
    #[serde(default)]
    pub round_ids: Vec<i64>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkageReturn {
    pub version: i64,
    /// Why the report back is returned.
    pub reason: String,
}

// ---------------------------------------------------------------------------------------------
// Tasks: the issuing side

/// The tasks issued by the offices in the caller's scope, newest first, with each task's
/// recipients counted by progress.
#[utoipa::path(get, operation_id = "linkage_tasks_list", path = "/api/v1/linkage/tasks", tag = "linkage", params(PageQuery),
    responses((status = 200, body = LinkageTaskPage), (status = 403, body = crate::error::Problem)))]
async fn list_tasks(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<axum::Json<LinkageTaskPage>> {
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows = store::list_tasks(&st.db, &auth.scope, st.db.today(), page).await?;
    Ok(axum::Json(LinkageTaskPage {
        items: rows.items.into_iter().map(task_dto).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// Issues a task from the caller's office to lower offices of its scope (each starts 待接收).
/// An office outside the scope, or a term, is 404; an office not below the caller's is 422.
#[utoipa::path(post, operation_id = "linkage_tasks_create", path = "/api/v1/linkage/tasks", tag = "linkage", request_body = LinkageTaskCreate,
    responses((status = 201, body = LinkageTaskDetail), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_task(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<LinkageTaskCreate>,
) -> ApiResult<(StatusCode, axum::Json<LinkageTaskDetail>)> {
    let today = st.db.today();
    let t = NewTask::parse(
        &b.title,
        &b.content,
        b.focus.as_deref(),
        b.term_id,
        &b.deadline,
        &b.org_ids,
        today,
    )?;
    let id = store::create_task(&st.db, &auth.actor, &auth.scope, office(&auth), &t)
        .await
        .map_err(ApiError::not_found_as("api.not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(task_detail(&st, &auth, id).await?),
    ))
}

async fn task_detail(st: &AppState, auth: &Auth, id: i64) -> ApiResult<LinkageTaskDetail> {
    let task = store::get_task(&st.db, &auth.scope, id, st.db.today())
        .await
        .map_err(ApiError::not_found_as("linkage.task_not_found"))?;
    let rows = store::task_recipients(&st.db, id).await?;
    Ok(LinkageTaskDetail {
        task: task_dto(task),
        recipients: recipient_dtos(st, rows).await?,
    })
}

/// A task issued within the caller's scope, with every recipient's progress.
#[utoipa::path(get, operation_id = "linkage_tasks_get", path = "/api/v1/linkage/tasks/{id}", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = LinkageTaskDetail), (status = 404, body = crate::error::Problem)))]
async fn get_task(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<LinkageTaskDetail>> {
    Ok(axum::Json(task_detail(&st, &auth, id).await?))
}

async fn issuer_act(
    st: &AppState,
    auth: &Auth,
    id: i64,
    action: RecipientAction,
    input: ActionInput,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let row = store::recipient_as_issuer(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("linkage.recipient_not_found"))?;
    store::act(&st.db, &auth.actor, &auth.scope, &row, action, &input).await?;
    let row = store::recipient_as_issuer(&st.db, &auth.scope, id).await?;
    Ok(axum::Json(one(st, row).await?))
}

async fn one(st: &AppState, row: store::RecipientRow) -> ApiResult<LinkageRecipientDto> {
    recipient_dtos(st, vec![row])
        .await?
        .pop()
        .ok_or_else(|| ApiError::not_found("linkage.recipient_not_found"))
}

/// The issuing office confirms a recipient's report back: 已反馈 → 已办结 (409 from any other
/// state).
#[utoipa::path(post, operation_id = "linkage_recipient_confirm", path = "/api/v1/linkage/recipients/{id}/confirm", tag = "linkage", params(("id" = i64, Path)),
    request_body = VersionBody,
    responses((status = 200, body = LinkageRecipientDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn confirm(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let input = ActionInput {
        version: b.version,
        ..ActionInput::default()
    };
    issuer_act(&st, &auth, id, RecipientAction::Confirm, input).await
}

/// The issuing office returns a report back with a reason: 已反馈 → 已接收 (409 from any other
/// state).
#[utoipa::path(post, operation_id = "linkage_recipient_return", path = "/api/v1/linkage/recipients/{id}/return", tag = "linkage", params(("id" = i64, Path)),
    request_body = LinkageReturn,
    responses((status = 200, body = LinkageRecipientDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn return_report(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LinkageReturn>,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let reason = dom::parse_reason(&b.reason)?;
    let input = ActionInput {
        version: b.version,
        reason: Some(reason),
        ..ActionInput::default()
    };
    issuer_act(&st, &auth, id, RecipientAction::Return, input).await
}

// ---------------------------------------------------------------------------------------------
// Tasks: the recipient side

/// The tasks issued to the caller's office: its own rows only, newest first (`todo=true`: those
/// waiting for it to accept or report back, the 工作台's count).
#[utoipa::path(get, operation_id = "linkage_inbox", path = "/api/v1/linkage/inbox", tag = "linkage", params(InboxQuery),
    responses((status = 200, body = LinkageInboxPage), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
async fn inbox(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiQuery(q): ApiQuery<InboxQuery>,
) -> ApiResult<axum::Json<LinkageInboxPage>> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(RecipientState::from_code(s).ok_or_else(|| {
            ApiError::bad_param(
                "state",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.state")
                    .arg("value", s)
                    .arg(
                        "allowed",
                        RecipientState::ALL
                            .iter()
                            .map(|x| x.code())
                            .collect::<Vec<_>>()
                            .join("、"),
                    ),
            )
        })?),
        None => None,
    };
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let f = InboxFilter {
        todo: q.todo.unwrap_or(false),
        state,
    };
    let rows = store::inbox(&st.db, &auth.scope, office(&auth), &f, page).await?;
    Ok(axum::Json(LinkageInboxPage {
        items: recipient_dtos(&st, rows.items).await?,
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

async fn own_row(st: &AppState, auth: &Auth, id: i64) -> ApiResult<store::RecipientRow> {
    store::inbox_row(&st.db, &auth.scope, office(auth), id)
        .await
        .map_err(ApiError::not_found_as("linkage.recipient_not_found"))
}

/// One task issued to the caller's office (its own row).
#[utoipa::path(get, operation_id = "linkage_inbox_get", path = "/api/v1/linkage/inbox/{id}", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = LinkageRecipientDto), (status = 404, body = crate::error::Problem)))]
async fn inbox_row(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let row = own_row(&st, &auth, id).await?;
    Ok(axum::Json(one(&st, row).await?))
}

/// The recipient office accepts a task: 待接收 → 已接收 (409 from any other state).
#[utoipa::path(post, operation_id = "linkage_inbox_accept", path = "/api/v1/linkage/inbox/{id}/accept", tag = "linkage", params(("id" = i64, Path)),
    request_body = VersionBody,
    responses((status = 200, body = LinkageRecipientDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn accept(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let row = own_row(&st, &auth, id).await?;
    let input = ActionInput {
        version: b.version,
        ..ActionInput::default()
    };
    store::act(
        &st.db,
        &auth.actor,
        &auth.scope,
        &row,
        RecipientAction::Accept,
        &input,
    )
    .await?;
    let row = own_row(&st, &auth, id).await?;
    Ok(axum::Json(one(&st, row).await?))
}

/// The recipient office reports back: 已接收 → 已反馈, optionally linking its own rounds (a
/// round not its own or outside the caller's scope is 404).
#[utoipa::path(post, operation_id = "linkage_inbox_report", path = "/api/v1/linkage/inbox/{id}/report", tag = "linkage", params(("id" = i64, Path)),
    request_body = LinkageReport,
    responses((status = 200, body = LinkageRecipientDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn report(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LinkageReport>,
) -> ApiResult<axum::Json<LinkageRecipientDto>> {
    let row = own_row(&st, &auth, id).await?;
    let report = dom::parse_report(&b.report)?;
    let round_ids = dom::parse_round_ids(&b.round_ids)?;
    let input = ActionInput {
        version: b.version,
        report: Some(report),
        round_ids,
        ..ActionInput::default()
    };
    store::act(
        &st.db,
        &auth.actor,
        &auth.scope,
        &row,
        RecipientAction::Report,
        &input,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    let row = own_row(&st, &auth, id).await?;
    Ok(axum::Json(one(&st, row).await?))
}

// ---------------------------------------------------------------------------------------------
// Focus points

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FocusPointCreate {
    /// Required unless copied from a finding (then the finding's title fills it).
    #[serde(default)]
    pub title: String,
    /// Required unless copied from a finding (then the finding's facts fill it).
    #[serde(default)]
    pub content: String,
    /// The frame category (问题类别); a copied finding's category when empty.
    pub category_id: Option<i64>,
    /// One of the caller's own findings to copy from.
    #[schema(value_type = Option<i64>)]
    pub source_finding_id: Option<FindingId>,
    /// The lower offices it is pushed to.
    #[schema(value_type = Vec<i64>)]
    pub org_ids: Vec<OrgId>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusPointDto {
    pub id: i64,
    pub issuer_org_id: i64,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub source_finding_id: Option<i64>,
    pub created_at: String,
    /// Offices it was pushed to.
    pub targets: i64,
    /// Rounds that adopted it, in the caller's scope.
    pub rounds: i64,
    /// Findings of those rounds following it up, in the caller's scope.
    pub findings: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusTargetDto {
    pub org_id: i64,
    pub org_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusAdoptionDto {
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: i64,
    pub owner_name: String,
    pub adopted_at: String,
    /// The round's findings following the focus point up (in the caller's scope).
    pub findings: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusPointDetail {
    pub focus_point: FocusPointDto,
    /// The offices it was pushed to, in the caller's scope.
    pub targets: Vec<FocusTargetDto>,
    /// The rounds that adopted it, in the caller's scope.
    pub adoptions: Vec<FocusAdoptionDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FocusPointPage {
    pub items: Vec<FocusPointDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

fn focus_dto(f: store::FocusRow, adoptions: &[store::Adoption]) -> FocusPointDto {
    FocusPointDto {
        id: f.id,
        issuer_org_id: f.issuer_org_id.get(),
        issuer_name: f.issuer_name,
        title: f.title,
        content: f.content,
        category_id: f.category_id,
        category_name: f.category_name,
        source_finding_id: f.source_finding_id,
        created_at: rfc3339(f.created_at),
        targets: f.targets,
        rounds: i64::try_from(adoptions.len()).unwrap_or(i64::MAX),
        findings: adoptions.iter().map(|a| a.findings).sum(),
    }
}

async fn focus_detail(st: &AppState, auth: &Auth, id: i64) -> ApiResult<FocusPointDetail> {
    let f = store::get_focus(&st.db, &auth.scope, office(auth), id)
        .await
        .map_err(ApiError::not_found_as("linkage.focus_not_found"))?;
    let adoptions = store::adoptions(&st.db, &auth.scope, id).await?;
    let targets = store::focus_targets(&st.db, &auth.scope, id).await?;
    Ok(FocusPointDetail {
        focus_point: focus_dto(f, &adoptions),
        targets: targets
            .into_iter()
            .map(|t| FocusTargetDto {
                org_id: t.org_id.get(),
                org_name: t.org_name,
            })
            .collect(),
        adoptions: adoptions
            .into_iter()
            .map(|a| FocusAdoptionDto {
                round_id: a.round_id,
                round_name: a.round_name,
                owner_org_id: a.owner_org_id.get(),
                owner_name: a.owner_name,
                adopted_at: rfc3339(a.adopted_at),
                findings: a.findings,
            })
            .collect(),
    })
}

/// The focus points the caller sees: pushed down by offices in its scope, or pushed to its
/// office; each with its roll-up (rounds that adopted it, findings following it up) counted in
/// the caller's scope.
#[utoipa::path(get, operation_id = "focus_points_list", path = "/api/v1/linkage/focus-points", tag = "linkage", params(PageQuery),
    responses((status = 200, body = FocusPointPage), (status = 403, body = crate::error::Problem)))]
async fn list_focus(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<axum::Json<FocusPointPage>> {
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows = store::list_focus(&st.db, &auth.scope, office(&auth), page).await?;
    let mut items = Vec::with_capacity(rows.items.len());
    for f in rows.items {
        let a = store::adoptions(&st.db, &auth.scope, f.id).await?;
        items.push(focus_dto(f, &a));
    }
    Ok(axum::Json(FocusPointPage {
        items,
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// Pushes a problem down from the caller's office to lower offices of its scope as a focus point
/// (free text and frame category, or copied from one of its own findings).
#[utoipa::path(post, operation_id = "focus_points_create", path = "/api/v1/linkage/focus-points", tag = "linkage", request_body = FocusPointCreate,
    responses((status = 201, body = FocusPointDetail), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn create_focus(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<FocusPointCreate>,
) -> ApiResult<(StatusCode, axum::Json<FocusPointDetail>)> {
    let fp = NewFocusPoint::parse(
        &b.title,
        &b.content,
        &b.org_ids,
        b.source_finding_id.is_some(),
    )?;
    let id = store::create_focus(
        &st.db,
        &auth.actor,
        &auth.scope,
        office(&auth),
        fp,
        b.category_id,
        b.source_finding_id,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(focus_detail(&st, &auth, id).await?),
    ))
}

/// One focus point the caller sees, with the offices it was pushed to and the rounds that
/// adopted it (and their findings following it up), within the caller's scope.
#[utoipa::path(get, operation_id = "focus_points_get", path = "/api/v1/linkage/focus-points/{id}", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = FocusPointDetail), (status = 404, body = crate::error::Problem)))]
async fn get_focus(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionOffice>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<FocusPointDetail>> {
    Ok(axum::Json(focus_detail(&st, &auth, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundFocusDto {
    pub focus_point_id: i64,
    pub title: String,
    pub issuer_name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundFocusAdopt {
    /// A focus point pushed to the round's office.
    pub focus_point_id: i64,
}

async fn round_focus_list(st: &AppState, auth: &Auth, id: i64) -> ApiResult<Vec<RoundFocusDto>> {
    let rows = store::round_focus(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok(rows
        .into_iter()
        .map(|r| RoundFocusDto {
            focus_point_id: r.focus_point_id,
            title: r.title,
            issuer_name: r.issuer_name,
        })
        .collect())
}

/// The focus points a round adopted.
#[utoipa::path(get, operation_id = "round_focus_points", path = "/api/v1/rounds/{id}/focus-points", tag = "linkage", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoundFocusDto>), (status = 404, body = crate::error::Problem)))]
async fn round_focus(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<RoundFocusDto>>> {
    Ok(axum::Json(round_focus_list(&st, &auth, id).await?))
}

/// A round of the caller's scope adopts a focus point pushed to the round's office (else 404);
/// adopting twice changes nothing. Answers the round's adopted focus points.
#[utoipa::path(post, operation_id = "round_focus_points_adopt", path = "/api/v1/rounds/{id}/focus-points", tag = "linkage", params(("id" = i64, Path)),
    request_body = RoundFocusAdopt,
    responses((status = 200, body = Vec<RoundFocusDto>), (status = 404, body = crate::error::Problem)))]
async fn adopt(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoundFocusAdopt>,
) -> ApiResult<axum::Json<Vec<RoundFocusDto>>> {
    store::adopt(&st.db, &auth.actor, &auth.scope, id, b.focus_point_id)
        .await
        .map_err(ApiError::not_found_as("linkage.focus_not_found"))?;
    Ok(axum::Json(round_focus_list(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingFocusLink {
    /// A focus point the finding's round adopted; null unlinks.
    pub focus_point_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingFocusDto {
    pub finding_id: i64,
    pub focus_point_id: Option<i64>,
}

/// Links a finding to the focus point it follows up (one its round adopted, else 409), or
/// unlinks it. A finding outside the caller's scope is 404.
#[utoipa::path(put, operation_id = "finding_focus_point", path = "/api/v1/findings/{id}/focus-point", tag = "linkage", params(("id" = i64, Path)),
    request_body = FindingFocusLink,
    responses((status = 200, body = FindingFocusDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn link_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<FindingFocusLink>,
) -> ApiResult<axum::Json<FindingFocusDto>> {
    store::link_finding(&st.db, &auth.actor, &auth.scope, id, b.focus_point_id)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(FindingFocusDto {
        finding_id: id.get(),
        focus_point_id: store::finding_focus(&st.db, id).await?,
    }))
}

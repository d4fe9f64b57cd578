//! Assessment routes: the round units that can be assessed, and the 回头看 list.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub assessment_id: Option<i64>,
    pub disclosure_id: Option<i64>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessUnitQuery {
    /// Part of the inspected organisation's name or code.
    pub q: Option<String>,
    /// Only units without a disclosure yet (choosing what to disclose).
    #[serde(default)]
    pub undisclosed: bool,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessUnitPage {
    pub items: Vec<AssessUnitDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Fed-back round units in scope (by inspected organisation), with their assessment and disclosure.
#[utoipa::path(get, operation_id = "assessment_units", path = "/api/v1/assessment/units", tag = "assessment",
    params(AssessUnitQuery), responses((status = 200, body = AssessUnitPage)))]
pub(super) async fn units(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<AssessUnitQuery>,
) -> ApiResult<axum::Json<AssessUnitPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let v = store::units_in_rectification(&st.db, &auth.scope, q.q.as_deref(), q.undisclosed, page)
        .await?;
    Ok(axum::Json(AssessUnitPage {
        items: v
            .items
            .into_iter()
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
        total: v.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisitDto {
    pub id: i64,
    pub round_unit_id: i64,
    /// The round that found the problems; its ledger items are the earlier items.
    pub round_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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

pub(super) fn revisit_dto(r: store::RevisitRow) -> RevisitDto {
    let state_name = match r.state.as_str() {
        "PENDING" => Msg::new("revisit_state.PENDING").render(),
        "SCHEDULED" => Msg::new("revisit_state.SCHEDULED").render(),
        "DONE" => Msg::new("revisit_state.DONE").render(),
        other => other.to_string(),
    };
    RevisitDto {
        id: r.id,
        round_unit_id: r.round_unit_id.get(),
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
    params(PageQuery), responses((status = 200, body = RevisitPage)))]
pub(super) async fn revisits(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<PageQuery>,
) -> ApiResult<axum::Json<RevisitPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let v = store::revisit_list(&st.db, &auth.scope, page).await?;
    Ok(axum::Json(RevisitPage {
        items: v.items.into_iter().map(revisit_dto).collect(),
        total: v.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisitPage {
    pub items: Vec<RevisitDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
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
pub(super) async fn schedule_revisit(
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
pub(super) async fn finish_revisit(
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

//! Team routes: recusal (回避) exception requests and their decision by a second person.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_store::teams::recusal;

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitConflictDto {
    pub unit_id: i64,
    pub unit_name: String,
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecusalRequestDto {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub round_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub role: String,
    pub role_name: String,
    /// Approval adds the member; otherwise it waives an existing member's conflicts with `unit_ids`.
    pub join_team: bool,
    pub unit_ids: Vec<i64>,
    pub conflicts: Vec<UnitConflictDto>,
    pub reason: String,
    /// pending, approved, rejected
    pub state: String,
    pub state_name: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    pub version: i64,
}

impl From<recusal::Request> for RecusalRequestDto {
    fn from(r: recusal::Request) -> Self {
        RecusalRequestDto {
            role_name: TeamRole::from_code(&r.role)
                .map_or(r.role.clone(), |x| x.label().to_string()),
            state_name: RequestState::from_code(&r.state)
                .map_or(r.state.clone(), |x| x.label().to_string()),
            id: r.id,
            team_id: r.team_id,
            team_name: r.team_name,
            round_id: r.round_id,
            person_id: r.person_id,
            person_name: r.person_name,
            role: r.role,
            join_team: r.join_team,
            unit_ids: r.unit_ids,
            conflicts: r
                .conflicts
                .into_iter()
                .map(|c| UnitConflictDto {
                    unit_id: c.unit_id,
                    unit_name: c.unit_name,
                    rule: c.rule,
                    reason: c.reason,
                })
                .collect(),
            reason: r.reason,
            state: r.state,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            requested_at: crate::routes::rfc3339(r.requested_at),
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at.map(crate::routes::rfc3339),
            decision_comment: r.decision_comment,
            version: r.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecusalQuery {
    pub team_id: Option<i64>,
    /// pending, approved, rejected
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecusalRequestPage {
    pub items: Vec<RecusalRequestDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Recusal exception requests of the rounds in scope, newest first: for those who form teams
/// (`team:manage`) and those who decide exceptions (`recusal:approve`).
#[utoipa::path(get, operation_id = "recusal_requests_list", path = "/api/v1/recusal-requests", tag = "teams", params(RecusalQuery),
    responses((status = 200, body = RecusalRequestPage), (status = 403, body = crate::error::Problem)))]
pub(super) async fn list_recusal_requests(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RecusalQuery>,
) -> ApiResult<axum::Json<RecusalRequestPage>> {
    if !(auth.access.has(TEAM_MANAGE) || auth.access.has(RECUSAL_APPROVE)) {
        return Err(ApiError::forbidden());
    }
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            RequestState::parse_field("state", s)
                .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?
                .code()
                .to_string(),
        ),
    };
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows = recusal::list(
        &st.db,
        &auth.scope,
        &recusal::Filter {
            team_id: q.team_id,
            state,
        },
        page,
    )
    .await?;
    Ok(axum::Json(RecusalRequestPage {
        items: rows.items.into_iter().map(Into::into).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalDecision {
    pub version: i64,
    /// Required when rejecting.
    #[serde(default)]
    pub comment: Option<String>,
}

pub(super) async fn decide(
    st: &AppState,
    auth: &Auth,
    id: i64,
    b: &RecusalDecision,
    approve: bool,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    let comment = match (&b.comment, approve) {
        (Some(c), true) if c.trim().is_empty() => String::new(),
        (None, true) => String::new(),
        (c, _) => required_text("comment", c.as_deref().unwrap_or(""), 500)
            .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?,
    };
    let r = recusal::decide(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.version,
        approve,
        &comment,
    )
    .await
    .map_err(ApiError::not_found_as("recusal.request_not_found"))?;
    Ok(axum::Json(r.into()))
}

/// Approves a pending recusal exception request, in the approver's own session; nobody approves
/// their own request. A request to join the team adds the member with the waiver recorded.
#[utoipa::path(post, operation_id = "recusal_requests_approve", path = "/api/v1/recusal-requests/{id}/approve", tag = "teams", params(("id" = i64, Path)), request_body = RecusalDecision,
    responses((status = 200, body = RecusalRequestDto), (status = 409, body = crate::error::Problem)))]
pub(super) async fn approve_recusal_request(
    State(st): State<AppState>,
    Need(auth, _): Need<RecusalApprove>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RecusalDecision>,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    decide(&st, &auth, id, &b, true).await
}

/// Rejects a pending recusal exception request with a comment.
#[utoipa::path(post, operation_id = "recusal_requests_reject", path = "/api/v1/recusal-requests/{id}/reject", tag = "teams", params(("id" = i64, Path)), request_body = RecusalDecision,
    responses((status = 200, body = RecusalRequestDto), (status = 409, body = crate::error::Problem)))]
pub(super) async fn reject_recusal_request(
    State(st): State<AppState>,
    Need(auth, _): Need<RecusalApprove>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RecusalDecision>,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    decide(&st, &auth, id, &b, false).await
}

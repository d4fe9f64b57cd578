//! Fieldwork routes: findings (问题底稿), immediate fixes (立行立改) and the inspected unit's
//! problem list.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::{FindingId, RoundUnitId};

#[derive(Debug, Serialize, ToSchema)]
pub struct ImmediateDto {
    pub requirement: String,
    pub deadline: Option<String>,
    pub received_at: Option<String>,
    pub done_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub frame_name: Option<String>,
    pub title: String,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub evidence: String,
    pub finder: String,
    pub team_opinion: String,
    pub state: String,
    pub state_name: String,
    pub immediate: Option<ImmediateDto>,
    pub activity_ids: Vec<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub fn finding_dto(f: Finding, activity_ids: Vec<i64>) -> FindingDto {
    FindingDto {
        state_name: FindingState::from_code(&f.state)
            .map_or(f.state.clone(), |s| s.label().to_string()),
        immediate: f.immediate_requirement.map(|requirement| ImmediateDto {
            requirement,
            deadline: f.immediate_deadline.map(date_str),
            received_at: f.immediate_received_at.map(rfc3339),
            done_at: f.immediate_done_at.map(rfc3339),
        }),
        id: f.id.get(),
        round_unit_id: f.round_unit_id.get(),
        round_name: f.round_name,
        org_id: f.org_id,
        org_name: f.org_name,
        category_id: f.category_id,
        category_name: f.category_name,
        frame_name: f.frame_name,
        title: f.title,
        facts: f.facts,
        basis: f.basis,
        responsibility: f.responsibility,
        evidence: f.evidence,
        finder: f.finder,
        team_opinion: f.team_opinion,
        state: f.state,
        activity_ids,
        version: f.version,
        created_at: rfc3339(f.created_at),
        updated_at: rfc3339(f.updated_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub round_unit_id: Option<i64>,
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Findings of the rounds the caller's offices run.
#[utoipa::path(get, operation_id = "findings_list", path = "/api/v1/findings", tag = "fieldwork", params(FindingQuery), responses((status = 200, body = FindingPage)))]
pub(super) async fn list_findings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<FindingQuery>,
) -> ApiResult<axum::Json<FindingPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let f = FindingFilter {
        round_unit_id: q.round_unit_id,
        org_id: q.org_id,
        state: q.state,
        category_id: q.category_id,
        q: q.q,
    };
    let r = fieldwork::list_findings(&st.db, &auth.scope, &f, page).await?;
    Ok(axum::Json(FindingPage {
        items: r
            .items
            .into_iter()
            .map(|f| finding_dto(f, Vec::new()))
            .collect(),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingSave {
    pub title: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub responsibility: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub finder: String,
    #[serde(default)]
    pub team_opinion: String,
    #[serde(default)]
    pub activity_ids: Vec<i64>,
    /// Required when updating.
    #[serde(default)]
    pub version: Option<i64>,
}

pub(super) fn finding_draft(b: &FindingSave) -> Result<FindingDraft, ApiError> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, 200)
        .map_err(|x| e.push(x))
        .ok();
    let facts = required_text("facts", &b.facts, 20_000)
        .map_err(|x| e.push(x))
        .ok();
    if b.category_id.is_none() {
        e.push(xuncha_domain::FieldError::required("category_id"));
    }
    for (field, v) in [
        ("basis", &b.basis),
        ("responsibility", &b.responsibility),
        ("evidence", &b.evidence),
        ("team_opinion", &b.team_opinion),
        ("finder", &b.finder),
    ] {
        // A NUL or other control character (PostgreSQL refuses NUL in text) is a field error.
        if v.chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.bad_chars").arg("field", format!("field.{field}")),
            ));
        }
        if v.chars().count() > 20_000 {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.too_long")
                    .arg("field", field)
                    .arg("max", 20_000),
            ));
        }
    }
    e.into_result()?;
    let (Some(title), Some(facts)) = (title, facts) else {
        return Err(ApiError::forbidden());
    };
    Ok(FindingDraft {
        title,
        category_id: b.category_id,
        facts,
        basis: b.basis.trim().to_string(),
        responsibility: b.responsibility.trim().to_string(),
        evidence: b.evidence.trim().to_string(),
        finder: b.finder.trim().to_string(),
        team_opinion: b.team_opinion.trim().to_string(),
        activity_ids: b.activity_ids.clone(),
    })
}

/// Writes a workpaper (问题底稿) for a round unit; it starts as DRAFT.
#[utoipa::path(post, operation_id = "findings_create", path = "/api/v1/round-units/{id}/findings", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = FindingSave, responses((status = 201, body = FindingDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn create_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<FindingSave>,
) -> ApiResult<(StatusCode, axum::Json<FindingDto>)> {
    let d = finding_draft(&b)?;
    let f = fieldwork::create_finding(&st.db, &auth.actor, &auth.scope, id, &d)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let ids = fieldwork::finding_activities(&st.db, f.id).await?;
    Ok((StatusCode::CREATED, axum::Json(finding_dto(f, ids))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: FindingDto,
    pub transitions: Vec<TransitionOption>,
    pub events: Vec<EventDto>,
}

pub(super) async fn detail(st: &AppState, auth: &Auth, f: Finding) -> ApiResult<FindingDetail> {
    let state = f.state()?;
    let transitions = if auth.access.has(FIELDWORK_WRITE) {
        state
            .manual_next()
            .into_iter()
            .map(|to| TransitionOption {
                to: to.code().into(),
                name: to.label().into(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let events = event_dtos(
        inspection::events(&st.db, "finding", f.id.get()).await?,
        |s| FindingState::from_code(s).map_or(s.to_string(), |x| x.label().to_string()),
    );
    let ids = fieldwork::finding_activities(&st.db, f.id).await?;
    Ok(FindingDetail {
        finding: finding_dto(f, ids),
        transitions,
        events,
    })
}

/// One finding with its timeline.
#[utoipa::path(get, operation_id = "findings_get", path = "/api/v1/findings/{id}", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 404, body = crate::error::Problem)))]
pub(super) async fn get_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<FindingId>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let f = fieldwork::get_finding(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Edits a workpaper while it is a draft.
#[utoipa::path(put, operation_id = "findings_update", path = "/api/v1/findings/{id}", tag = "fieldwork", params(("id" = i64, Path)), request_body = FindingSave,
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn update_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<FindingSave>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let d = finding_draft(&b)?;
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let f = fieldwork::update_finding(&st.db, &auth.actor, &auth.scope, id, &d, version)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Moves a finding: DRAFT → CONFIRMED (组务会) → IN_REPORT, or back. FED_BACK comes only with
/// the unit's feedback.
#[utoipa::path(post, operation_id = "findings_transition", path = "/api/v1/findings/{id}/transition", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = crate::routes::common::TransitionBody, responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn transition_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<crate::routes::common::TransitionBody>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let to = FindingState::parse_field("to", &b.to).map_err(|e| DomainError::Invalid(vec![e]))?;
    let f = fieldwork::transition_finding(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        to,
        b.comment.trim(),
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImmediateIssue {
    pub requirement: String,
    pub deadline: String,
}

/// Issues a 立行立改 notice for a finding (to be finished during the round).
#[utoipa::path(post, operation_id = "findings_immediate_issue", path = "/api/v1/findings/{id}/immediate-fix", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = ImmediateIssue, responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn immediate_issue(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<ImmediateIssue>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let mut e = Errors::default();
    let req = required_text("requirement", &b.requirement, 2000)
        .map_err(|x| e.push(x))
        .ok();
    let deadline = parse_date("deadline", &b.deadline)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let f = fieldwork::immediate_fix(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ImmediateStep::Issue,
        &req.unwrap_or_default(),
        deadline,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// A step of the 立行立改 that carries no text: the unit's receipt, or the fix done.
async fn immediate_step(
    st: &AppState,
    auth: &Auth,
    id: FindingId,
    step: ImmediateStep,
) -> ApiResult<axum::Json<FindingDetail>> {
    let f = fieldwork::immediate_fix(&st.db, &auth.actor, &auth.scope, id, step, "", None)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(st, auth, f).await?))
}

/// Records the unit's receipt of the 立行立改 notice.
#[utoipa::path(post, operation_id = "findings_immediate_receipt", path = "/api/v1/findings/{id}/immediate-fix/receipt", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn immediate_receipt(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
) -> ApiResult<axum::Json<FindingDetail>> {
    immediate_step(&st, &auth, id, ImmediateStep::Receipt).await
}

/// Records that the immediate fix was done.
#[utoipa::path(post, operation_id = "findings_immediate_done", path = "/api/v1/findings/{id}/immediate-fix/done", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn immediate_done(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<FindingId>,
) -> ApiResult<axum::Json<FindingDetail>> {
    immediate_step(&st, &auth, id, ImmediateStep::Done).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// The inspected unit's problem list (问题清单): fed-back findings of its own organisations only;
/// never drafts, never clues.
#[utoipa::path(get, operation_id = "problems_list", path = "/api/v1/problems", tag = "fieldwork", params(ProblemQuery), responses((status = 200, body = FindingPage)))]
pub(super) async fn problems(
    State(st): State<AppState>,
    Need(auth, _): Need<ProblemRead>,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> ApiResult<axum::Json<FindingPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let v = fieldwork::problems(&st.db, &auth.scope, q.org_id, page).await?;
    Ok(axum::Json(FindingPage {
        items: v
            .items
            .into_iter()
            .map(|f| finding_dto(f, Vec::new()))
            .collect(),
        total: v.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

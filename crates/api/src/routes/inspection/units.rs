//! Round units and their lifecycle (timeline, transitions).

use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::RoundUnitId;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub state: String,
    pub state_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub finding_count: i64,
    /// Null for a caller without the clue compartment (the count itself is compartmented).
    pub clue_count: Option<i64>,
    pub version: i64,
}

/// A round unit as `auth` may see it.
pub fn unit_dto(u: RoundUnit, auth: &Auth) -> RoundUnitDto {
    let clue_count = auth
        .access
        .has_compartment(xuncha_domain::perm::Compartment::Clue)
        .then_some(u.clue_count);
    let state_name =
        RoundUnitState::from_code(&u.state).map_or(u.state.clone(), |s| s.label().to_string());
    RoundUnitDto {
        id: u.id.get(),
        round_id: u.round_id,
        round_name: u.round_name,
        org_id: u.org_id,
        org_name: u.org_name,
        team_id: u.team_id,
        team_name: u.team_name,
        state: u.state,
        state_name,
        feedback_date: u.feedback_date.map(date_str),
        rectification_due: u.rectification_due.map(date_str),
        finding_count: u.finding_count,
        clue_count,
        version: u.version,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitAdd {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
}

/// Adds an organisation to a round as an inspected unit.
#[utoipa::path(post, operation_id = "rounds_add_unit", path = "/api/v1/rounds/{id}/units", tag = "inspection", params(("id" = i64, Path)), request_body = UnitAdd,
    responses((status = 201, body = RoundUnitDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<UnitAdd>,
) -> ApiResult<(StatusCode, axum::Json<RoundUnitDto>)> {
    let u = inspection::add_unit(&st.db, &auth.actor, &auth.scope, id.get(), b.org_id)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok((StatusCode::CREATED, axum::Json(unit_dto(u, &auth))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    pub round_id: Option<i64>,
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitPage {
    pub items: Vec<RoundUnitDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Round units visible to the caller.
#[utoipa::path(get, operation_id = "round_units_list", path = "/api/v1/round-units", tag = "inspection", params(UnitQuery), responses((status = 200, body = RoundUnitPage)))]
pub(super) async fn list_units(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<axum::Json<RoundUnitPage>> {
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let v =
        inspection::list_units(&st.db, &auth.scope, q.round_id, q.state.as_deref(), page).await?;
    Ok(axum::Json(RoundUnitPage {
        items: v.items.into_iter().map(|u| unit_dto(u, &auth)).collect(),
        total: v.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitDetail {
    #[serde(flatten)]
    pub unit: RoundUnitDto,
    /// The transitions the caller may make now.
    pub transitions: Vec<TransitionOption>,
    pub events: Vec<EventDto>,
}

pub(super) fn may(auth: &Auth, actor: TransitionActor) -> bool {
    match actor {
        TransitionActor::Office => auth.access.has(INSPECTION_PLAN),
        TransitionActor::TeamOrOffice => {
            auth.access.has(INSPECTION_PLAN) || auth.access.has(FIELDWORK_WRITE)
        }
    }
}

pub(super) async fn unit_detail(
    st: &AppState,
    auth: &Auth,
    u: RoundUnit,
) -> ApiResult<RoundUnitDetail> {
    let state = u.state()?;
    let transitions = state
        .next_states()
        .into_iter()
        .filter(|to| may(auth, state.required_actor(*to)))
        .map(|to| TransitionOption {
            to: to.code().into(),
            name: to.label().into(),
        })
        .collect();
    let events = event_dtos(
        inspection::events(&st.db, "round_unit", u.id.get()).await?,
        |s| RoundUnitState::from_code(s).map_or(s.to_string(), |x| x.label().to_string()),
    );
    Ok(RoundUnitDetail {
        unit: unit_dto(u, auth),
        transitions,
        events,
    })
}

/// A round unit with its allowed transitions and timeline.
#[utoipa::path(get, operation_id = "round_units_get", path = "/api/v1/round-units/{id}", tag = "inspection", params(("id" = i64, Path)),
    responses((status = 200, body = RoundUnitDetail), (status = 404, body = crate::error::Problem)))]
pub(super) async fn get_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<axum::Json<RoundUnitDetail>> {
    let u = inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok(axum::Json(unit_detail(&st, &auth, u).await?))
}

/// Moves a round unit along its lifecycle. FEEDBACK_DONE hands the problem list to the unit and
/// starts the rectification clock.
#[utoipa::path(post, operation_id = "round_units_transition", path = "/api/v1/round-units/{id}/transition", tag = "inspection", params(("id" = i64, Path)),
    request_body = TransitionBody, responses((status = 200, body = RoundUnitDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn transition_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> ApiResult<axum::Json<RoundUnitDetail>> {
    crate::routes::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
    let to = RoundUnitState::parse_field("to", &b.to)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let u = inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    if !may(&auth, u.state()?.required_actor(to)) {
        return Err(ApiError::forbidden());
    }
    let comment = b.comment.trim();
    let u = inspection::transition_unit(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        to,
        comment,
        b.version,
        st.db.today(),
    )
    .await?;
    Ok(axum::Json(unit_detail(&st, &auth, u).await?))
}

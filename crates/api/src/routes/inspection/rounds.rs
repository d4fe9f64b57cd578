//! Rounds (轮): create, read and update.

use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDto {
    pub id: i64,
    pub term_id: i64,
    pub term_name: String,
    pub name: String,
    pub kinds: Vec<String>,
    pub village_mode: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub focus: String,
    pub work_plan: String,
    pub unit_count: i64,
    pub version: i64,
}

impl TryFrom<Round> for RoundDto {
    type Error = ApiError;
    fn try_from(r: Round) -> Result<Self, ApiError> {
        Ok(RoundDto {
            kinds: r.kind_list()?,
            id: r.id,
            term_id: r.term_id,
            term_name: r.term_name,
            name: r.name,
            village_mode: r.village_mode,
            start_date: date_str(r.start_date),
            end_date: date_str(r.end_date),
            focus: r.focus,
            work_plan: r.work_plan,
            unit_count: r.unit_count,
            version: r.version,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    pub term_id: Option<i64>,
}

/// Rounds (轮) visible to the caller, optionally of one term.
#[utoipa::path(get, operation_id = "rounds_list", path = "/api/v1/rounds", tag = "inspection", params(RoundQuery), responses((status = 200, body = Vec<RoundDto>)))]
pub(super) async fn list_rounds(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<RoundQuery>,
) -> ApiResult<axum::Json<Vec<RoundDto>>> {
    let v = inspection::list_rounds(&st.db, &auth.scope, q.term_id).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(RoundDto::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundSave {
    /// Required when creating.
    #[serde(default)]
    pub term_id: Option<i64>,
    pub name: String,
    pub kinds: Vec<String>,
    #[serde(default)]
    pub village_mode: Option<String>,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub focus: String,
    #[serde(default)]
    pub work_plan: String,
    /// Required when updating.
    #[serde(default)]
    pub version: Option<i64>,
}

pub(super) fn round_draft(b: &RoundSave) -> Result<RoundDraft, ApiError> {
    let mut e = Errors::default();
    let name = required_text("name", &b.name, 100)
        .map_err(|x| e.push(x))
        .ok();
    let kinds = dom::parse_kinds("kinds", &b.kinds)
        .map_err(|x| e.push(x))
        .ok();
    let village_mode = match b
        .village_mode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some(m) => VillageMode::parse_field("village_mode", m)
            .map(Some)
            .map_err(|x| e.push(x))
            .ok(),
    };
    let start = parse_date("start_date", &b.start_date)
        .map_err(|x| e.push(x))
        .ok();
    let end = parse_date("end_date", &b.end_date)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    match (name, kinds, village_mode, start, end) {
        (Some(name), Some(kinds), Some(village_mode), Some(start_date), Some(end_date)) => {
            Ok(RoundDraft {
                name,
                kinds,
                village_mode,
                start_date,
                end_date,
                focus: b.focus.trim().to_string(),
                work_plan: b.work_plan.trim().to_string(),
            })
        }
        _ => Err(ApiError::forbidden()),
    }
}

/// Creates a round in a term.
#[utoipa::path(post, operation_id = "rounds_create", path = "/api/v1/rounds", tag = "inspection", request_body = RoundSave,
    responses((status = 201, body = RoundDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn create_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<RoundSave>,
) -> ApiResult<(StatusCode, axum::Json<RoundDto>)> {
    crate::routes::max_lengths(&[
        ("focus", &b.focus, xuncha_domain::limits::TEXT_CHARS),
        ("work_plan", &b.work_plan, xuncha_domain::limits::TEXT_CHARS),
    ])?;
    let d = round_draft(&b)?;
    let term_id = b.term_id.ok_or_else(|| {
        ApiError::field(
            "term_id",
            &Msg::new("validation.required").arg("field", "field.term_id"),
        )
    })?;
    let r = inspection::create_round(&st.db, &auth.actor, &auth.scope, term_id, &d).await?;
    Ok((StatusCode::CREATED, axum::Json(r.try_into()?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetail {
    #[serde(flatten)]
    pub round: RoundDto,
    pub units: Vec<RoundUnitDto>,
    pub teams: Vec<crate::routes::teams::TeamDto>,
}

/// A round with its units and teams.
#[utoipa::path(get, operation_id = "rounds_get", path = "/api/v1/rounds/{id}", tag = "inspection", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetail), (status = 404, body = crate::error::Problem)))]
pub(super) async fn get_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<RoundDetail>> {
    let r = inspection::get_round(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    let units = inspection::round_units(&st.db, &auth.scope, id)
        .await?
        .into_iter()
        .map(|u| unit_dto(u, &auth))
        .collect();
    let teams = xuncha_store::teams::round_teams(&st.db, &auth.scope, id)
        .await?
        .into_iter()
        .map(crate::routes::teams::TeamDto::from)
        .collect();
    Ok(axum::Json(RoundDetail {
        round: r.try_into()?,
        units,
        teams,
    }))
}

/// Edits a round.
#[utoipa::path(put, operation_id = "rounds_update", path = "/api/v1/rounds/{id}", tag = "inspection", params(("id" = i64, Path)), request_body = RoundSave,
    responses((status = 200, body = RoundDto), (status = 409, body = crate::error::Problem)))]
pub(super) async fn update_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoundSave>,
) -> ApiResult<axum::Json<RoundDto>> {
    crate::routes::max_lengths(&[
        ("focus", &b.focus, xuncha_domain::limits::TEXT_CHARS),
        ("work_plan", &b.work_plan, xuncha_domain::limits::TEXT_CHARS),
    ])?;
    let d = round_draft(&b)?;
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let r = inspection::update_round(&st.db, &auth.actor, &auth.scope, id, &d, version)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok(axum::Json(r.try_into()?))
}

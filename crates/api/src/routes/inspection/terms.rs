//! Terms (届): the five-year span a round belongs to.

use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct TermDto {
    pub id: i64,
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    pub owner_org_name: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub coverage_depth: i32,
    pub version: i64,
}

impl From<Term> for TermDto {
    fn from(t: Term) -> Self {
        TermDto {
            id: t.id,
            owner_org_id: t.owner_org_id,
            owner_org_name: t.owner_org_name,
            name: t.name,
            start_date: date_str(t.start_date),
            end_date: date_str(t.end_date),
            coverage_depth: t.coverage_depth,
            version: t.version,
        }
    }
}

/// Terms (届) of the offices in the caller's scope.
#[utoipa::path(get, operation_id = "terms_list", path = "/api/v1/terms", tag = "inspection", responses((status = 200, body = Vec<TermDto>)))]
pub(super) async fn list_terms(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<Vec<TermDto>>> {
    Ok(axum::Json(
        inspection::list_terms(&st.db, &auth.scope)
            .await?
            .into_iter()
            .map(TermDto::from)
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermCreate {
    /// The organisation whose inspection office runs the term (e.g. the province).
    #[schema(value_type = i64)]
    pub owner_org_id: OrgId,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    /// Levels below the owner that full coverage counts (default 1).
    #[serde(default)]
    pub coverage_depth: Option<i32>,
}

/// Creates a term.
#[utoipa::path(post, operation_id = "terms_create", path = "/api/v1/terms", tag = "inspection", request_body = TermCreate,
    responses((status = 201, body = TermDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn create_term(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<TermCreate>,
) -> ApiResult<(StatusCode, axum::Json<TermDto>)> {
    let mut e = Errors::default();
    let name = required_text("name", &b.name, 50)
        .map_err(|x| e.push(x))
        .ok();
    let start = parse_date("start_date", &b.start_date)
        .map_err(|x| e.push(x))
        .ok();
    let end = parse_date("end_date", &b.end_date)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(name), Some(start), Some(end)) = (name, start, end) else {
        return Err(ApiError::forbidden());
    };
    let t = inspection::create_term(
        &st.db,
        &auth.actor,
        &auth.scope,
        b.owner_org_id,
        &name,
        start,
        end,
        b.coverage_depth.unwrap_or(1),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(t.into())))
}

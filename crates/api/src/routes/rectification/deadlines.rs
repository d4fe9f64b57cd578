//! 延期: deadline extension requests and their decisions.

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    pub measure_id: i64,
    pub new_deadline: String,
    pub reason: String,
}

/// Asks for a later deadline on one measure.
#[utoipa::path(post, operation_id = "rect_extension_request", path = "/api/v1/rect/findings/{id}/extensions", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn request_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<ExtensionBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let d = parse_date("new_deadline", &b.new_deadline).map_err(|e| invalid(vec![e]))?;
    let xid = store::request_extension(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.measure_id,
        d,
        &b.reason,
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: xid })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// PENDING | APPROVED | REJECTED
    #[param(value_type = Option<crate::codes::ExtensionState>)]
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionPage {
    pub items: Vec<ExtensionDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Extension requests in scope.
#[utoipa::path(get, operation_id = "rect_extensions", path = "/api/v1/rect/extensions", tag = "rect", params(ExtensionQuery),
    responses((status = 200, body = ExtensionPage)))]
pub(super) async fn list_extensions(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ExtensionQuery>,
) -> ApiResult<axum::Json<ExtensionPage>> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ExtensionState::parse_field("state", s).map_err(|e| invalid(vec![e]))?),
    };
    let page = PageReq::new(q.page, q.page_size);
    let rows = store::extensions(&st.db, &auth.scope, None, state, page).await?;
    Ok(axum::Json(ExtensionPage {
        items: rows.items.into_iter().map(extension_dto).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    #[serde(default)]
    pub opinion: String,
}

/// Approves or rejects an extension; approval moves the deadline, the original date stays.
#[utoipa::path(post, operation_id = "rect_extension_decide", path = "/api/v1/rect/extensions/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionDecision, responses((status = 200, body = ExtensionDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn decide_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtensionDecision>,
) -> ApiResult<axum::Json<ExtensionDto>> {
    crate::routes::max_lengths(&[("opinion", &b.opinion, xuncha_domain::limits::OPINION_CHARS)])?;
    let x = store::decide_extension(&st.db, &auth.actor, &auth.scope, id, b.approve, &b.opinion)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(extension_dto(x)))
}

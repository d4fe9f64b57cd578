//! 整改销号: write-off requests and their verification, measures reported done, 回头看 reopening and explanations.

use super::*;

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct WriteOffForm {
    /// completed | basically_completed
    pub outcome: String,
    pub explanation: String,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<String>,
}

/// 申请销号 with evidence.
#[utoipa::path(post, operation_id = "rect_write_off", path = "/api/v1/rect/findings/{id}/write-off", tag = "rect", params(("id" = i64, Path)),
    request_body(content = WriteOffForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn request_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<FindingId>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    let form = item_form(&st, &auth, id, form).await?;
    let mut errs = Vec::new();
    let outcome = Outcome::parse_field("outcome", form.get("outcome").unwrap_or_default())
        .map_err(|e| errs.push(e))
        .ok();
    let explanation = required(&form, "explanation", 4000)
        .map_err(|e| errs.push(e))
        .ok();
    let (Some(outcome), Some(explanation), true) = (outcome, explanation, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let wid = store::request_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &explanation,
        &form.files,
        st.db.today(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: wid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    /// verify | return
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// 核验: verify the write-off (closed, or long-term) or return it with a reason.
#[utoipa::path(post, operation_id = "rect_write_off_decide", path = "/api/v1/rect/write-offs/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = DecideBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn decide_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<axum::Json<RectItem>> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let decision = match b.decision.as_str() {
        "verify" | "approve" => ReviewDecision::Approve,
        "return" => ReviewDecision::Return,
        v => {
            return Err(ApiError::field(
                "decision",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.decision")
                    .arg("value", v)
                    .arg("allowed", "verify, return"),
            ));
        }
    };
    let fid = store::decide_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        decision,
        &b.reason,
        b.version,
        st.db.today(),
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, fid.into()).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
    pub version: i64,
}

/// The unit reports one measure done; the item's warning then follows its next open measure.
#[utoipa::path(post, operation_id = "rect_measure_done", path = "/api/v1/rect/measures/{id}/done", tag = "rect", params(("id" = i64, Path)),
    request_body = crate::routes::VersionBody, responses((status = 200, body = RectItem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn measure_done(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<crate::routes::VersionBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let finding_id = store::complete_measure(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, finding_id.into()).await?))
}

/// 回头看: reopen a closed item when the problem has come back.
#[utoipa::path(post, operation_id = "rect_reopen", path = "/api/v1/rect/findings/{id}/reopen", tag = "rect", params(("id" = i64, Path)),
    request_body = ReasonBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn reopen(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<axum::Json<RectItem>> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    store::reopen(&st.db, &auth.actor, &auth.scope, id, &b.reason, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    /// not_completed | in_progress
    pub outcome: String,
    pub explanation: String,
    pub version: i64,
}

/// The unit explains an item it cannot finish (stays open).
#[utoipa::path(post, operation_id = "rect_explain", path = "/api/v1/rect/findings/{id}/explain", tag = "rect", params(("id" = i64, Path)),
    request_body = ExplainBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn explain(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<ExplainBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let outcome = Outcome::parse_field("outcome", &b.outcome).map_err(|e| invalid(vec![e]))?;
    let text = xuncha_domain::error::required_text("explanation", &b.explanation, 4000)
        .map_err(|e| invalid(vec![e]))?;
    store::explain(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &text,
        b.version,
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

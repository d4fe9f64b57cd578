//! 成果: what rectification produced (rules, money, accountability).

use super::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// rule | money_returned | loss_recovered | accountability
    pub kind: String,
    pub detail: String,
    #[serde(default)]
    pub count: i64,
    /// Integer fen (1 元 = 100 fen).
    #[serde(default)]
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
}

/// Records an outcome (rules made, money returned or recovered, accountability).
#[utoipa::path(post, operation_id = "rect_outcome", path = "/api/v1/rect/findings/{id}/outcomes", tag = "rect", params(("id" = i64, Path)),
    request_body = OutcomeBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_outcome(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<FindingId>,
    ApiJson(b): ApiJson<OutcomeBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    crate::routes::max_lengths(&[
        (
            "person",
            b.person.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NAME_CHARS,
        ),
        (
            "treatment",
            b.treatment.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NOTE_CHARS,
        ),
    ])?;
    if !(auth.access.has(RECT_WRITE) || auth.access.has(RECT_REVIEW)) {
        return Err(ApiError::forbidden());
    }
    let mut errs = Vec::new();
    let kind = OutcomeKind::parse_field("kind", &b.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let detail = xuncha_domain::error::required_text("detail", &b.detail, 1000)
        .map_err(|e| errs.push(e))
        .ok();
    for (f, v, max) in [
        ("count", b.count, 1_000_000),
        ("amount_fen", b.amount_fen, 1_000_000_000_000_000),
    ] {
        if !(0..=max).contains(&v) {
            errs.push(FieldError::new(
                f,
                Msg::new("validation.out_of_range")
                    .arg("field", format!("field.{f}"))
                    .arg("min", 0)
                    .arg("max", max),
            ));
        }
    }
    let (Some(kind), Some(detail), true) = (kind, detail, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let trim = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let oid = store::add_outcome(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::OutcomeDraft {
            kind,
            detail,
            count: b.count,
            amount_fen: b.amount_fen,
            person: trim(b.person),
            treatment: trim(b.treatment),
        },
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: oid })))
}

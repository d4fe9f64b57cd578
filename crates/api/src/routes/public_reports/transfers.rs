//! The responsible unit's side of a 转办: its inbox of transfers (organisations in its data
//! scope), one transfer, its reply. The unit reads the team's instruction only — never the
//! report, its attachments or anything about the reporter.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::DomainError;
use xuncha_domain::public_report::TransferState;

use super::staff::{ReportTransferDto, transfer_dto};
use crate::auth::{Need, RectWrite};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportTransferQuery {
    /// PENDING, REPLIED, DONE
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTransferPage {
    pub items: Vec<ReportTransferDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// The transfers to the units in the caller's scope (rect:write), earliest deadline first.
#[utoipa::path(get, operation_id = "report_transfers_list", path = "/api/v1/report-transfers", tag = "rectification", params(ReportTransferQuery),
    responses((status = 200, body = ReportTransferPage), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub(super) async fn transfers_list(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiQuery(q): ApiQuery<ReportTransferQuery>,
) -> ApiResult<axum::Json<ReportTransferPage>> {
    let state = state_param(q.state.as_deref(), TransferState::ALL, TransferState::code)?;
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows =
        store::list_transfers(&st.db, &auth.scope, &store::TransferFilter { state }, page).await?;
    Ok(axum::Json(ReportTransferPage {
        items: rows.items.iter().map(|t| transfer_dto(&st, t)).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

async fn load_transfer(
    st: &AppState,
    auth: &crate::auth::Auth,
    id: i64,
) -> ApiResult<store::TransferRow> {
    store::get_transfer(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("public_report.transfer_not_found"))
}

/// One transfer to a unit in the caller's scope.
#[utoipa::path(get, operation_id = "report_transfers_get", path = "/api/v1/report-transfers/{id}", tag = "rectification", params(("id" = i64, Path)),
    responses((status = 200, body = ReportTransferDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn transfer_get(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ReportTransferDto>> {
    let t = load_transfer(&st, &auth, id).await?;
    Ok(axum::Json(transfer_dto(&st, &t)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTransferReply {
    /// What the unit found and did.
    pub reply: String,
    pub version: i64,
}

/// The unit's reply to a pending transfer (again after the team returned it); the team reviews
/// it before the report is closed.
#[utoipa::path(post, operation_id = "report_transfers_reply", path = "/api/v1/report-transfers/{id}/reply", tag = "rectification", params(("id" = i64, Path)),
    request_body = ReportTransferReply,
    responses((status = 200, body = ReportTransferDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn transfer_reply(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReportTransferReply>,
) -> ApiResult<axum::Json<ReportTransferDto>> {
    let reply = dom::text("reply", &b.reply, dom::MAX_TRANSFER_CHARS, true)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let t = load_transfer(&st, &auth, id).await?;
    if t.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    store::reply(&st.db, &auth.actor, &t, &enc(&st, &reply)?).await?;
    let t = load_transfer(&st, &auth, id).await?;
    Ok(axum::Json(transfer_dto(&st, &t)))
}

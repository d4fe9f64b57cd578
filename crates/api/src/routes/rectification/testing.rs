//! Rectification routes: testing clock.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockDto {
    pub today: String,
    pub controllable: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockMove {
    pub advance_days: i64,
}

#[utoipa::path(get, operation_id = "testing_clock", path = "/api/v1/testing/clock", tag = "testing",
    responses((status = 200, body = ClockDto)))]
pub(super) async fn get_clock(State(st): State<AppState>, _auth: Auth) -> axum::Json<ClockDto> {
    axum::Json(ClockDto {
        today: date_str(st.db.today()),
        controllable: st.clock().is_controllable(),
    })
}

/// Moves the server's date forward (only when started with `clock_control = true`), then runs
/// the scheduler once so warnings reflect the new date.
#[utoipa::path(post, operation_id = "testing_clock_move", path = "/api/v1/testing/clock", tag = "testing",
    request_body = ClockMove, responses((status = 200, body = ClockDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn move_clock(
    State(st): State<AppState>,
    _auth: Auth,
    ApiJson(b): ApiJson<ClockMove>,
) -> ApiResult<axum::Json<ClockDto>> {
    if !(0..=3650).contains(&b.advance_days) || !st.clock().advance(b.advance_days) {
        return Err(ApiError::not_found("api.not_found"));
    }
    xuncha_store::accounts::shift_sessions(&st.db, time::Duration::days(b.advance_days)).await?;
    xuncha_service::scheduler::tick(&st.db, &st.config.mail()).await?;
    Ok(axum::Json(ClockDto {
        today: date_str(st.db.today()),
        controllable: true,
    }))
}

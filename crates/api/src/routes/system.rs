//! Health and metrics.

use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;

use crate::error::ApiError;
use crate::state::AppState;

/// 200 when the database answers, 503 otherwise.
pub async fn healthz(State(st): State<AppState>) -> impl IntoResponse {
    match st.db.ping().await {
        Ok(()) => (
            StatusCode::OK,
            axum::Json(serde_json::json!({ "status": "ok" })),
        ),
        Err(e) => {
            tracing::error!(error = %e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                axum::Json(serde_json::json!({ "status": "database unavailable" })),
            )
        }
    }
}

/// Prometheus metrics in the text exposition format: off (404) unless `metrics_token` is
/// configured, and then only for `Authorization: Bearer <metrics_token>`.
pub async fn metrics(
    State(st): State<AppState>,
    headers: axum::http::HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    let Some(token) = st.config.metrics_token.as_deref().filter(|t| !t.is_empty()) else {
        return Err(ApiError::not_found("api.not_found"));
    };
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    // Compare digests, so the comparison takes the same time wherever the strings differ.
    if xuncha_service::crypto::token_hash(given.trim()) != xuncha_service::crypto::token_hash(token)
    {
        return Err(ApiError::unauthenticated());
    }
    let body = st
        .metrics
        .as_ref()
        .map(metrics_exporter_prometheus::PrometheusHandle::render)
        .unwrap_or_default();
    Ok(([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body))
}

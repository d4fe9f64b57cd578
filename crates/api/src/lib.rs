//! Xuncha HTTP layer: the only crate that knows HTTP, JSON and axum.
//!
//! [`app`] builds the whole router: `/api/v1` (documented by OpenAPI at `/api/v1/openapi.json`,
//! with an offline Swagger UI at `/api/docs/`), `/healthz`, `/metrics`, and the embedded SPA.

pub mod auth;
pub mod codes;
pub mod error;
pub mod routes;
pub mod state;
pub mod throttle;
mod web;

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::get;
use metrics_exporter_prometheus::{PrometheusBuilder, PrometheusHandle};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_swagger_ui::{Config, SwaggerUi};

pub use state::{ApiConfig, AppState};

/// The largest request body accepted: a few evidence files of up to 20 MB each.
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

#[derive(OpenApi)]
#[openapi(
    info(title = "巡察工作平台 Xuncha API", description = "Xuncha（巡察）HTTP API。错误响应为 application/problem+json，含稳定的 code 与中文 detail。"),
    components(schemas(
        error::Problem,
        error::FieldProblem,
        error::RowProblem,
        // Codes used only by query parameters (the bodies register theirs).
        codes::LedgerView,
        codes::StatsGroup,
        codes::ExtensionState,
        codes::FindingState,
        codes::Warning,
        codes::PlanQueue,
    )),
    tags(
        (name = "auth", description = "登录与账号安全"),
        (name = "orgs", description = "组织机构"),
        (name = "users", description = "用户管理"),
        (name = "roles", description = "角色、权限与安全策略"),
        (name = "audit", description = "审计日志"),
        (name = "tokens", description = "接口令牌"),
        (name = "inspection", description = "届次、轮次、巡察对象、覆盖与统计"),
        (name = "teams", description = "人才库、巡察组与回避"),
        (name = "fieldwork", description = "了解情况、问题底稿与问题清单"),
        (name = "clues", description = "问题线索"),
        (name = "documents", description = "公文（.docx）"),
        (name = "assessment", description = "整改评估、满意度测评与整改公开"),
        (name = "workbench", description = "工作台：待办、通知与要览"),
        (name = "linkage", description = "上下联动：任务部署联动与联动重点"),
        (name = "guidance", description = "指导督导：督导组、督导问题与整改销号"),
        (name = "search", description = "全文搜索：组织、问题与整改措施"),
        (name = "public", description = "无需登录的公开接口：满意度测评答卷、整改公开、码上巡察"),
    )
)]
struct ApiDoc;

/// The OpenAPI document of the whole API.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let (_, api) = utoipa_axum::router::OpenApiRouter::<AppState>::with_openapi(ApiDoc::openapi())
        .merge(routes::router())
        .split_for_parts();
    api
}

/// The process-wide Prometheus recorder (installed once; later calls share it).
pub fn metrics_handle() -> Option<PrometheusHandle> {
    static HANDLE: OnceLock<Option<PrometheusHandle>> = OnceLock::new();
    HANDLE
        .get_or_init(|| PrometheusBuilder::new().install_recorder().ok())
        .clone()
}

const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; \
                   connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

async fn track_metrics(req: Request, next: Next) -> Response {
    let start = Instant::now();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let method = req.method().to_string();
    let res = next.run(req).await;
    let status = res.status().as_u16().to_string();
    metrics::counter!("http_requests_total", "method" => method.clone(), "route" => route.clone(), "status" => status).increment(1);
    metrics::histogram!("http_request_duration_seconds", "method" => method, "route" => route)
        .record(start.elapsed().as_secs_f64());
    res
}

/// Builds the complete application.
pub fn app(state: AppState) -> axum::Router {
    let (api_router, api) = utoipa_axum::router::OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::router())
        .split_for_parts();
    let swagger = SwaggerUi::new("/api/docs")
        .url("/api/v1/openapi.json", api)
        .config(Config::default().validator_url("none"));
    let header = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    axum::Router::new()
        .merge(api_router)
        .merge(swagger)
        .route("/healthz", get(routes::system::healthz))
        .route("/metrics", get(routes::system::metrics))
        // 码上巡察: the public page of a channel (not the SPA: small, self-contained).
        .route("/r/page.js", get(routes::public_reports::page::script))
        .route("/r/{token}", get(routes::public_reports::page::page))
        .fallback(web::static_handler)
        .with_state(state)
        .layer(middleware::from_fn(track_metrics))
        // axum's own 2 MB default would cut uploads short; the layer below is the one cap.
        .layer(axum::extract::DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(MAX_REQUEST_BYTES))
        .layer(middleware::from_fn(error::problem_for_bare_errors))
        .layer(header(header::CONTENT_SECURITY_POLICY, CSP))
        .layer(header(header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        .layer(header(header::X_FRAME_OPTIONS, "DENY"))
        .layer(header(header::REFERRER_POLICY, "no-referrer"))
        .layer(header(
            HeaderName::from_static("permissions-policy"),
            "camera=(), microphone=(), geolocation=()",
        ))
        .layer(header(
            HeaderName::from_static("cross-origin-opener-policy"),
            "same-origin",
        ))
        .layer(CatchPanicLayer::custom(|_| {
            axum::response::IntoResponse::into_response(error::ApiError::internal(
                &"handler panicked",
            ))
        }))
        .layer(TraceLayer::new_for_http())
}

/// Serves `app` on `listener` until `shutdown` resolves, then lets requests in flight finish
/// for at most `grace`: after that the server stops anyway, dropping what is left (an import's
/// transaction rolls back; its off-runtime work sees its cancellation flag). A slow client or a
/// long import therefore cannot hold a stopping server.
pub async fn serve_with_grace(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    grace: std::time::Duration,
) -> std::io::Result<()> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    let signalled = async move {
        shutdown.await;
        let _ = tx.send(true);
    };
    let mut rx2 = rx.clone();
    let server = serve(listener, state, async move {
        let mut rx = rx;
        let _ = rx.wait_for(|v| *v).await;
    });
    let deadline = async move {
        let _ = rx2.wait_for(|v| *v).await;
        tokio::time::sleep(grace).await;
    };
    tokio::pin!(server);
    tokio::select! {
        r = &mut server => r,
        () = async { tokio::join!(signalled, deadline); } => {
            tracing::warn!(grace_secs = grace.as_secs(), "requests still running after the shutdown grace period; stopping anyway");
            Ok(())
        }
    }
}

/// Serves `app` on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = app(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

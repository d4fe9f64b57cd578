//! HTTP routes under `/api/v1`, one module per area.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod clues;
pub mod common;
pub mod dashboard;
pub mod disclosure;
pub mod documents;
pub mod fieldwork;
pub mod guidance;
pub mod inspection;
pub mod linkage;
pub mod office_settings;
pub mod orgs;
pub mod public_reports;
pub mod rectification;
pub mod roles;
pub mod search;
pub mod streamed;
pub mod system;
pub mod teams;
pub mod tokens;
pub mod uploads;
pub mod users;
pub mod workbench;

pub use common::{RoleRef, VersionBody, day_start, max_lengths, rfc3339};
pub use uploads::{
    Cancel, MAX_IMPORT_BYTES, MAX_IMPORT_ROWS, Upload, cancelled_imports, counted_import,
    import_columns, import_too_large, off_runtime, read_upload, read_upload_table,
};

use axum::extract::FromRequestParts;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// JSON body extractor whose rejections are problem+json in Chinese. Besides the types, it
/// refuses any string longer than [`xuncha_domain::limits::TEXT_CHARS`] anywhere in the body,
/// naming the field, so no field stores a megabyte whatever its handler checks.
pub struct ApiJson<T>(pub T);

impl<T, S> axum::extract::FromRequest<S> for ApiJson<T>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        use axum::http::{StatusCode, header};
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|m| {
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError::key(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "api.unsupported_media_type",
            ));
        }
        let bytes = axum::body::Bytes::from_request(req, state)
            .await
            .map_err(|r| {
                if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    ApiError::payload_too_large()
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        &xuncha_domain::i18n::Msg::new("api.bad_request").arg(
                            "reason",
                            xuncha_domain::i18n::Msg::new("json.incomplete").render(),
                        ),
                    )
                }
            })?;
        // A body shorter than the limit cannot hold a string longer than it.
        if bytes.len() > xuncha_domain::limits::TEXT_CHARS
            && let Ok(v) = serde_json::from_slice::<serde_json::Value>(&bytes)
        {
            let mut errors = Vec::new();
            too_long_strings(&v, String::new(), &mut errors);
            if !errors.is_empty() {
                return Err(xuncha_domain::DomainError::Invalid(errors).into());
            }
        }
        let axum::Json(value) = axum::Json::<T>::from_bytes(&bytes)?;
        Ok(ApiJson(value))
    }
}

/// Collects every string in `v` longer than the text limit, by field path.
fn too_long_strings(
    v: &serde_json::Value,
    path: String,
    errors: &mut Vec<xuncha_domain::FieldError>,
) {
    use serde_json::Value;
    let max = xuncha_domain::limits::TEXT_CHARS;
    match v {
        Value::String(s) if s.chars().count() > max => {
            let field = if path.is_empty() {
                "body".to_string()
            } else {
                path
            };
            errors.push(xuncha_domain::FieldError::new(
                &field,
                xuncha_domain::i18n::Msg::new("validation.too_long")
                    .arg("field", format!("field.{field}"))
                    .arg("max", max),
            ));
        }
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                too_long_strings(x, format!("{path}[{i}]"), errors);
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                too_long_strings(x, p, errors);
            }
        }
        _ => {}
    }
}

/// Query-string extractor whose rejections are problem+json in Chinese.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Query), rejection(ApiError))]
pub struct ApiQuery<T>(pub T);

/// Path extractor: a malformed id answers 404 like a missing one.
#[derive(FromRequestParts)]
#[from_request(via(axum::extract::Path), rejection(ApiError))]
pub struct ApiPath<T>(pub T);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(auth::router())
        .merge(orgs::router())
        .merge(users::router())
        .merge(roles::router())
        .merge(audit::router())
        .merge(tokens::router())
        .merge(inspection::router())
        .merge(teams::router())
        .merge(fieldwork::router())
        .merge(clues::router())
        .merge(documents::router())
        .merge(assessment::router())
        .merge(disclosure::router())
        .merge(rectification::router())
        .merge(workbench::router())
        .merge(linkage::router())
        .merge(guidance::router())
        .merge(dashboard::router())
        .merge(search::router())
        .merge(public_reports::public_router())
        .merge(public_reports::staff_router())
}

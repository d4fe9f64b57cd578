//! API errors as `application/problem+json` (RFC 9457) with a stable `code` and a Chinese `detail`.
//!
//! The user sees the catalogue message; the log gets the cause. Unexpected errors answer an
//! opaque 500. "Not found" and "not yours" are the same answer.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use xuncha_domain::DomainError;
use xuncha_domain::i18n::{Msg, field_label};
use xuncha_store::StoreError;
use xuncha_store::orgs::RowError;

/// One invalid field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldProblem {
    pub field: String,
    pub message: String,
}

/// One bad cell of an imported file.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RowProblem {
    pub row: usize,
    pub column: String,
    pub message: String,
}

/// The error body of every failed request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    /// Stable machine-readable code, e.g. `auth.invalid_credentials`.
    pub code: String,
    /// Chinese message for the user.
    pub detail: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<FieldProblem>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<RowProblem>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub detail: String,
    pub fields: Vec<FieldProblem>,
    pub errors: Vec<RowProblem>,
    /// Seconds for a `Retry-After` header (429/503 answers).
    pub retry_after: Option<u64>,
}

pub type ApiResult<T> = Result<T, ApiError>;

impl ApiError {
    pub fn new(status: StatusCode, msg: &Msg) -> Self {
        ApiError {
            status,
            code: msg.key.to_string(),
            detail: msg.render(),
            fields: Vec::new(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// Asks the client to retry after `seconds` (sets `Retry-After`).
    #[must_use]
    pub fn retry_after(mut self, seconds: u64) -> Self {
        self.retry_after = Some(seconds.max(1));
        self
    }

    pub fn key(status: StatusCode, key: &'static str) -> Self {
        Self::new(status, &Msg::new(key))
    }

    pub fn unauthenticated() -> Self {
        Self::key(StatusCode::UNAUTHORIZED, "auth.unauthenticated")
    }

    pub fn forbidden() -> Self {
        Self::key(StatusCode::FORBIDDEN, "auth.forbidden")
    }

    pub fn not_found(key: &'static str) -> Self {
        Self::key(StatusCode::NOT_FOUND, key)
    }

    pub fn internal(cause: &dyn std::fmt::Display) -> Self {
        tracing::error!(error = %cause, "internal error");
        Self::key(StatusCode::INTERNAL_SERVER_ERROR, "api.internal")
    }

    pub fn field(field: &str, msg: &Msg) -> Self {
        DomainError::field(field, msg.clone()).into()
    }

    pub fn rows(errors: &[RowError]) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Msg::new("import.has_errors").arg("count", errors.len()),
        );
        e.errors = errors
            .iter()
            .map(|r| RowProblem {
                row: r.row,
                column: r.column.clone(),
                message: r.msg.render(),
            })
            .collect();
        e
    }

    /// Maps "not found" to a resource-specific message.
    pub fn not_found_as(key: &'static str) -> impl Fn(StoreError) -> ApiError {
        move |e| match e {
            StoreError::NotFound => ApiError::not_found(key),
            e => e.into(),
        }
    }
}

impl From<DomainError> for ApiError {
    fn from(e: DomainError) -> Self {
        match e {
            DomainError::Invalid(fields) => {
                let detail = fields
                    .iter()
                    .map(|f| f.msg.render())
                    .collect::<Vec<_>>()
                    .join("；");
                ApiError {
                    status: StatusCode::UNPROCESSABLE_ENTITY,
                    code: fields
                        .first()
                        .map_or("validation.failed", |f| f.msg.key)
                        .to_string(),
                    detail,
                    fields: fields
                        .iter()
                        .map(|f| FieldProblem {
                            field: f.field.clone(),
                            message: f.msg.render(),
                        })
                        .collect(),
                    errors: Vec::new(),
                    retry_after: None,
                }
            }
            DomainError::Rule(msg) => ApiError::new(StatusCode::CONFLICT, &msg),
            DomainError::Forbidden => ApiError::forbidden(),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound => ApiError::not_found("api.not_found"),
            StoreError::StaleVersion => ApiError::key(StatusCode::CONFLICT, "api.stale_version"),
            StoreError::Domain(d) => d.into(),
            e if e.is_unique_violation() => {
                tracing::warn!(error = %e, "unique violation");
                ApiError::key(StatusCode::CONFLICT, "api.stale_version")
            }
            e => ApiError::internal(&e),
        }
    }
}

impl From<JsonRejection> for ApiError {
    fn from(r: JsonRejection) -> Self {
        let status = if matches!(r, JsonRejection::MissingJsonContentType(_)) {
            StatusCode::UNSUPPORTED_MEDIA_TYPE
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        ApiError::new(
            status,
            &Msg::new("api.bad_json").arg("reason", translate_serde(&r.body_text())),
        )
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            &Msg::new("api.bad_json").arg("reason", translate_serde(&r.body_text())),
        )
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found("api.not_found")
    }
}

/// Names the field of a serde error in Chinese where it can ("missing field `name`").
fn translate_serde(text: &str) -> String {
    let field = text.split('`').nth(1).unwrap_or("");
    if text.contains("missing field") {
        format!("缺少字段“{}”", field_label(field))
    } else if text.contains("unknown field") {
        format!("不认识的字段“{field}”")
    } else if text.contains("invalid type") || text.contains("invalid value") {
        let at = text.split(": ").next().unwrap_or("");
        format!("字段取值类型错误（{at}）")
    } else {
        "无法解析请求内容".to_string()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = Problem {
            type_: "about:blank".to_string(),
            title: self
                .status
                .canonical_reason()
                .unwrap_or("Error")
                .to_string(),
            status: self.status.as_u16(),
            code: self.code,
            detail: self.detail,
            fields: self.fields,
            errors: self.errors,
        };
        let mut res = (self.status, axum::Json(body)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        if let Some(seconds) = self.retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        }
        res
    }
}

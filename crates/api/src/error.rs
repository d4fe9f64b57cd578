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

    /// `413` naming the server's request body limit.
    pub fn payload_too_large() -> Self {
        Self::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            &Msg::new("api.payload_too_large").arg("max", crate::MAX_REQUEST_BYTES / (1024 * 1024)),
        )
    }

    /// Work stopped because its request went away (or the server is shutting down).
    pub fn cancelled() -> Self {
        Self::key(StatusCode::SERVICE_UNAVAILABLE, "import.cancelled")
    }

    pub fn field(field: &str, msg: &Msg) -> Self {
        DomainError::field(field, msg.clone()).into()
    }

    /// `422` listing the bad cells of an import, the first [`MAX_ROW_PROBLEMS`] of them (the
    /// detail gives the total and says when the list is cut).
    pub fn rows(errors: &[RowError]) -> Self {
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            &Msg::new("import.has_errors").arg("count", errors.len()),
        );
        if errors.len() > MAX_ROW_PROBLEMS {
            e.detail = format!(
                "{}；{}",
                e.detail,
                Msg::new("import.too_many_errors").arg("count", MAX_ROW_PROBLEMS)
            );
        }
        e.errors = errors
            .iter()
            .take(MAX_ROW_PROBLEMS)
            .map(|r| RowProblem {
                row: r.row,
                column: r.column.clone(),
                message: r.msg.render(),
            })
            .collect();
        e
    }

    /// `400` for a query parameter that is not what it should be (a malformed cursor), naming it.
    pub fn bad_param(field: &str, msg: &Msg) -> Self {
        let mut e = Self::new(StatusCode::BAD_REQUEST, msg);
        e.fields.push(FieldProblem {
            field: field.to_string(),
            message: e.detail.clone(),
        });
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

/// The most bad cells one import answer lists.
pub const MAX_ROW_PROBLEMS: usize = 1000;

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
        let status = match &r {
            JsonRejection::MissingJsonContentType(_) => {
                return ApiError::key(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "api.unsupported_media_type",
                );
            }
            JsonRejection::JsonDataError(_) => StatusCode::UNPROCESSABLE_ENTITY,
            JsonRejection::JsonSyntaxError(_) => StatusCode::BAD_REQUEST,
            other if other.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return ApiError::payload_too_large();
            }
            _ => StatusCode::BAD_REQUEST,
        };
        serde_problem(status, &r.body_text())
    }
}

impl From<QueryRejection> for ApiError {
    fn from(r: QueryRejection) -> Self {
        serde_problem(StatusCode::BAD_REQUEST, &r.body_text())
    }
}

impl From<PathRejection> for ApiError {
    fn from(_: PathRejection) -> Self {
        ApiError::not_found("api.not_found")
    }
}

/// A problem for a body or query string serde could not read, naming the field in Chinese.
fn serde_problem(status: StatusCode, text: &str) -> ApiError {
    let (field, reason) = translate_serde(text);
    let mut e = ApiError::new(status, &Msg::new("api.bad_json").arg("reason", &reason));
    if let Some(field) = field {
        e.fields.push(FieldProblem {
            field,
            message: reason,
        });
    }
    e
}

/// The text between the first pair of backticks after `marker`.
fn quoted_after<'a>(text: &'a str, marker: &str) -> Option<&'a str> {
    text.split_once(marker)?.1.split('`').nth(1)
}

/// The Chinese name of what serde expected ("expected a string" → 文本).
fn expected_kind(text: &str) -> String {
    let expected = text.rsplit_once("expected").map_or("", |(_, e)| e);
    let has = |words: &[&str]| words.iter().any(|w| expected.contains(w));
    let key = if has(&["string", "char"]) {
        "json.kind.text"
    } else if has(&[
        "i8", "i16", "i32", "i64", "u8", "u16", "u32", "u64", "usize", "integer",
    ]) {
        "json.kind.integer"
    } else if has(&["f32", "f64", "float", "number"]) {
        "json.kind.number"
    } else if has(&["bool"]) {
        "json.kind.bool"
    } else if has(&["sequence", "tuple"]) {
        "json.kind.list"
    } else if has(&["map", "struct"]) {
        "json.kind.object"
    } else if has(&["variant", "one of"]) {
        "json.kind.variant"
    } else {
        "json.kind.format"
    };
    Msg::new(key).render()
}

/// The Chinese label of a field path, or the quoted wire name of a field without one.
fn readable_field(path: &str) -> String {
    let label = field_label(path);
    if label == Msg::new("label.this_field").render() {
        let last = path.rsplit('.').next().unwrap_or(path);
        let name = last.split('[').next().unwrap_or(last);
        Msg::new("json.named_field").arg("name", name).render()
    } else {
        label
    }
}

/// Translates a serde (JSON or query string) error into Chinese, with the field path it names
/// (`items[0].name`) when there is one. Field names become their labels, indices 第N项.
fn translate_serde(text: &str) -> (Option<String>, String) {
    let mut rest = text;
    for prefix in [
        "Failed to deserialize the JSON body into the target type: ",
        "Failed to deserialize query string: ",
        "Failed to parse the request body as JSON: ",
    ] {
        if let Some(r) = rest.strip_prefix(prefix) {
            rest = r;
        }
    }
    // serde_path_to_error puts the path first: `items[0].name: invalid type: …`.
    let (path, message) = match rest.split_once(": ") {
        Some((p, m)) if !p.is_empty() && !p.contains(char::is_whitespace) && p != "." => {
            (Some(p.to_string()), m)
        }
        _ => (None, rest),
    };
    let label = |p: &Option<String>| p.as_deref().map(readable_field);
    let join = |p: &Option<String>, child: &str| match p {
        Some(p) => format!("{p}.{child}"),
        None => child.to_string(),
    };
    if let Some(name) = quoted_after(message, "missing field") {
        let field = join(&path, name);
        let text = Msg::new("json.missing_field")
            .arg("field", readable_field(&field))
            .render();
        return (Some(field), text);
    }
    if let Some(name) = quoted_after(message, "unknown field") {
        let field = join(&path, name);
        let text = Msg::new("json.unknown_field").arg("name", name).render();
        return (Some(field), text);
    }
    if let Some(name) = quoted_after(message, "duplicate field") {
        let field = join(&path, name);
        let text = Msg::new("json.duplicate_field")
            .arg("field", readable_field(&field))
            .render();
        return (Some(field), text);
    }
    let what = label(&path).unwrap_or_else(|| Msg::new("json.request_body").render());
    let msg = if message.starts_with("invalid type") {
        Msg::new("json.wrong_type").arg("expected", expected_kind(message))
    } else if let Some(value) = quoted_after(message, "unknown variant") {
        let value: String = value.chars().take(50).collect();
        Msg::new("json.unknown_value").arg("value", value)
    } else if message.starts_with("invalid value") {
        Msg::new("json.invalid_value").arg("expected", expected_kind(message))
    } else if message.starts_with("invalid length") && path.is_none() {
        Msg::new("json.body_not_object")
    } else if message.starts_with("invalid length") {
        Msg::new("json.wrong_length")
    } else if message.contains("number too large")
        || message.contains("number too small")
        || message.contains("out of range")
    {
        Msg::new("json.out_of_range")
    } else if message.contains("invalid digit")
        || message.contains("cannot parse integer")
        || message.contains("invalid float")
    {
        Msg::new("json.not_a_number")
    } else if message.contains("provided string was not") || message.contains("invalid character") {
        Msg::new("json.wrong_type").arg("expected", expected_kind(message))
    } else if path.is_none() {
        Msg::new("json.not_json")
    } else {
        Msg::new("json.bad_format")
    };
    (path, msg.arg("what", what).render())
}

/// Turns every error answer under `/api/` that is not already problem+json (axum's 404 and
/// 405, the body limit's 413, a multipart or media-type rejection) into one, in Chinese.
pub async fn problem_for_bare_errors(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    let is_api = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    let status = res.status();
    if !is_api || !(status.is_client_error() || status.is_server_error()) {
        return res;
    }
    let is_problem = res
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if is_problem {
        return res;
    }
    let e = match status {
        StatusCode::NOT_FOUND => ApiError::not_found("api.not_found"),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::key(status, "api.method_not_allowed"),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::payload_too_large(),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::key(status, "api.unsupported_media_type"),
        StatusCode::BAD_REQUEST | StatusCode::UNPROCESSABLE_ENTITY => ApiError::new(
            status,
            &Msg::new("api.bad_request").arg("reason", Msg::new("json.malformed").render()),
        ),
        StatusCode::INTERNAL_SERVER_ERROR => ApiError::key(status, "api.internal"),
        _ => ApiError::key(status, "api.request_failed"),
    };
    let (parts, _) = res.into_parts();
    let mut out = e.into_response();
    for name in [header::ALLOW, header::RETRY_AFTER] {
        if let Some(v) = parts.headers.get(&name) {
            out.headers_mut().insert(name, v.clone());
        }
    }
    out
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

impl From<xuncha_service::crypto::CryptoError> for ApiError {
    fn from(e: xuncha_service::crypto::CryptoError) -> Self {
        match e {
            xuncha_service::crypto::CryptoError::Busy => ApiError::new(
                axum::http::StatusCode::SERVICE_UNAVAILABLE,
                &xuncha_domain::i18n::Msg::new("auth.busy")
                    .arg("seconds", xuncha_service::crypto::BUSY_RETRY_SECONDS),
            )
            .retry_after(xuncha_service::crypto::BUSY_RETRY_SECONDS),
            e => ApiError::internal(&e),
        }
    }
}

//! HTTP routes under `/api/v1`, one module per area.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod clues;
pub mod documents;
pub mod findings;
pub mod inspection;
pub mod office_settings;
pub mod orgs;
pub mod rect;
pub mod rect_lists;
pub mod roles;
pub mod system;
pub mod teams;
pub mod tokens;
pub mod users;

use axum::extract::FromRequestParts;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
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
                    ApiError::key(StatusCode::PAYLOAD_TOO_LARGE, "api.payload_too_large")
                } else {
                    ApiError::new(
                        StatusCode::BAD_REQUEST,
                        &xuncha_domain::i18n::Msg::new("api.bad_request")
                            .arg("reason", "请求内容未能完整接收"),
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

/// The body of state changes that only need the caller's version.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    pub version: i64,
}

/// A reference to a role.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoleRef {
    pub id: i64,
    pub code: String,
    pub name: String,
}

/// Reads the `file` part of a multipart upload: `(file name, bytes)`.
pub async fn read_upload(
    mut form: axum::extract::Multipart,
) -> Result<(String, Vec<u8>), ApiError> {
    use xuncha_domain::i18n::Msg;
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
            return ApiError::key(e.status(), "api.payload_too_large");
        }
        let mut err = ApiError::field(
            "file",
            &Msg::new("import.unreadable")
                .arg("reason", "上传内容不是有效的 multipart/form-data 格式"),
        );
        err.status = axum::http::StatusCode::BAD_REQUEST;
        err
    };
    let mut file = None;
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        if field.name() == Some("file") {
            let name = field.file_name().unwrap_or("upload.xlsx").to_string();
            let bytes = field.bytes().await.map_err(unreadable)?;
            file = Some((name, bytes.to_vec()));
        }
    }
    file.ok_or_else(|| {
        ApiError::field(
            "file",
            &Msg::new("validation.required").arg("field", "field.file"),
        )
    })
}

/// Reads an uploaded spreadsheet (.xlsx or .csv) into a table.
pub fn read_upload_table(name: &str, bytes: &[u8]) -> Result<xuncha_office::Table, ApiError> {
    use xuncha_domain::i18n::Msg;
    xuncha_office::read_table(bytes, name).map_err(|e| match e {
        xuncha_office::OfficeError::UnsupportedType => {
            ApiError::field("file", &Msg::new("import.unsupported_type"))
        }
        e => ApiError::field("file", &Msg::new("import.unreadable").arg("reason", e)),
    })
}

/// Finds the columns of an import by their headers. Every missing required column is reported at
/// row 1, and a table without data rows is refused, before any row is read.
pub fn import_columns<const N: usize>(
    table: &xuncha_office::Table,
    columns: [(&'static str, bool); N],
) -> Result<[Option<usize>; N], Vec<xuncha_store::orgs::RowError>> {
    use xuncha_domain::i18n::Msg;
    use xuncha_store::orgs::RowError;
    let found = columns.map(|(name, _)| table.column(name));
    let missing: Vec<RowError> = columns
        .iter()
        .zip(&found)
        .filter(|((_, required), at)| *required && at.is_none())
        .map(|((name, _), _)| RowError {
            row: 1,
            column: (*name).to_string(),
            msg: Msg::new("import.missing_column").arg("column", name),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    if table.rows.is_empty() {
        return Err(vec![RowError {
            row: 2,
            column: String::new(),
            msg: Msg::new("import.empty"),
        }]);
    }
    Ok(found)
}

/// Checks free-text fields against their maximum lengths (`(field, value, max)`), reporting
/// every field that is too long at once.
pub fn max_lengths(fields: &[(&str, &str, usize)]) -> Result<(), ApiError> {
    let errors: Vec<xuncha_domain::FieldError> = fields
        .iter()
        .filter_map(|(field, value, max)| {
            xuncha_domain::limits::optional_text(field, value, *max).err()
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(xuncha_domain::DomainError::Invalid(errors).into())
    }
}

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&Rfc3339).unwrap_or_default()
}

/// Parses a `YYYY-MM-DD` query date as the start of that day in China (UTC+8).
pub fn day_start(
    field: &str,
    s: Option<&str>,
    plus_days: i64,
) -> Result<Option<OffsetDateTime>, ApiError> {
    let Some(s) = s.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(s, &fmt)
        .ok()
        .filter(|d| xuncha_domain::limits::year_ok(d.year()))
        .ok_or_else(|| {
            ApiError::field(
                field,
                &xuncha_domain::i18n::Msg::new("validation.unknown_value")
                    .arg("field", field)
                    .arg("value", s)
                    .arg("allowed", "YYYY-MM-DD"),
            )
        })?;
    let offset = time::UtcOffset::from_hms(8, 0, 0).unwrap_or(time::UtcOffset::UTC);
    Ok(Some(
        d.midnight()
            .assume_offset(offset)
            .to_offset(time::UtcOffset::UTC)
            + time::Duration::days(plus_days),
    ))
}

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
        .merge(findings::router())
        .merge(clues::router())
        .merge(documents::router())
        .merge(assessment::router())
        .merge(rect::router())
        .merge(rect_lists::router())
}

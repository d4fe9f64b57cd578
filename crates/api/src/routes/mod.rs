//! HTTP routes under `/api/v1`, one module per area.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod clues;
pub mod documents;
pub mod findings;
pub mod inspection;
pub mod orgs;
pub mod rect;
pub mod rect_lists;
pub mod roles;
pub mod system;
pub mod teams;
pub mod tokens;
pub mod users;

use axum::extract::{FromRequest, FromRequestParts};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;

use crate::error::ApiError;
use crate::state::AppState;

/// JSON body extractor whose rejections are problem+json in Chinese.
#[derive(FromRequest)]
#[from_request(via(axum::Json), rejection(ApiError))]
pub struct ApiJson<T>(pub T);

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
        ApiError::field(
            "file",
            &Msg::new("import.unreadable").arg("reason", e.body_text()),
        )
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
    let d = time::Date::parse(s, &fmt).map_err(|_| {
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

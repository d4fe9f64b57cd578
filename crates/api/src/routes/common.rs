//! What every area's routes share: date formats, names of codes, timelines and state changes,
//! the small bodies and references several areas use, and download headers.

use axum::http::header;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::format_description::well_known::Rfc3339;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;
use xuncha_store::inspection;

use crate::error::ApiError;

// ---------------------------------------------------------------------------------------------
// Dates and times

pub fn date_str(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap_or_default()
}

/// Parses a `YYYY-MM-DD` field.
pub fn parse_date(field: &str, s: &str) -> Result<Date, xuncha_domain::FieldError> {
    xuncha_domain::error::parse_date(field, s)
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

// ---------------------------------------------------------------------------------------------
// Codes, timelines and state changes

/// A code with its Chinese name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: String,
}

pub fn named<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Named> {
    all.iter()
        .map(|v| Named {
            code: code(*v).to_string(),
            name: label(*v).to_string(),
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub actor_name: String,
    pub from: Option<String>,
    pub to: String,
    pub from_name: Option<String>,
    pub to_name: String,
    pub comment: String,
}

/// Converts timeline rows, naming states with `label`.
pub fn event_dtos(
    rows: Vec<inspection::EventRow>,
    label: impl Fn(&str) -> String,
) -> Vec<EventDto> {
    rows.into_iter()
        .map(|e| EventDto {
            at: rfc3339(e.at),
            actor_name: e.actor_name,
            from_name: e.from_state.as_deref().map(&label),
            to_name: label(&e.to_state),
            from: e.from_state,
            to: e.to_state,
            comment: e.comment,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOption {
    pub to: String,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    pub to: String,
    #[serde(default)]
    pub comment: String,
    pub version: i64,
}

// ---------------------------------------------------------------------------------------------
// Small bodies and references

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

// ---------------------------------------------------------------------------------------------
// Downloads

/// The media type of an .xlsx workbook.
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// The media type of a .docx document.
pub const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/// A file download: `bytes` of type `media`, saved as `name` (UTF-8, e.g. 整改台账.xlsx), with
/// `fallback` as the ASCII name for clients that do not read `filename*`.
pub fn download(
    media: &str,
    fallback: &str,
    name: &str,
    bytes: Vec<u8>,
) -> impl IntoResponse + use<> {
    (
        [
            (header::CONTENT_TYPE, media.to_string()),
            (header::CONTENT_DISPOSITION, disposition(fallback, name)),
        ],
        bytes,
    )
}

/// The `Content-Disposition` of a download saved as `name`, `fallback` for clients that do not
/// read `filename*`.
pub fn disposition(fallback: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("attachment; filename=\"{fallback}\"; filename*=UTF-8''{encoded}")
}

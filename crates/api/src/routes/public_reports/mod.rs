//! 码上巡察: the public channel of a round unit. Two routers that share nothing but this file's
//! helpers: [`public`] (no login: the channel, a report, the follow-up by receipt code and
//! secret) and [`staff`] (the team's queue, scoped like clues). The public page itself (`/r/…`)
//! is in [`page`], embedded in the binary.
//!
//! The public side never reads a cookie or a session, never stores or logs the client's address
//! or user agent: the address only feeds the in-memory throttle ([`crate::throttle::PublicThrottle`]).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::Errors;
use xuncha_domain::i18n::Msg;
use xuncha_domain::public_report::{self as dom, ReportCategory, ReportState};
use xuncha_store::public_reports as store;

use super::common::{Named, named};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub mod page;
mod public;
mod staff;
mod transfers;

pub use self::public::*;
pub use self::staff::*;
pub use self::transfers::*;

/// The routes without login (`/api/v1/public/…`).
pub fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(channel))
        .routes(routes!(submit))
        .routes(routes!(follow_up))
        .routes(routes!(answer))
}

/// The team's routes (session or token, clue compartment).
pub fn staff_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_channel))
        .routes(routes!(list))
        .routes(routes!(stats))
        .routes(routes!(detail))
        .routes(routes!(decide))
        .routes(routes!(ask))
        .routes(routes!(convert))
        .routes(routes!(file))
        .routes(routes!(merge))
        .routes(routes!(transfer))
        .routes(routes!(review))
        .routes(routes!(transfers_list))
        .routes(routes!(transfer_get))
        .routes(routes!(transfer_reply))
}

/// Encrypts a text for storage.
fn enc(st: &AppState, s: &str) -> ApiResult<Vec<u8>> {
    st.crypto
        .encrypt(s.as_bytes())
        .map_err(|e| ApiError::internal(&e))
}

/// Decrypts a stored text for display (an unreadable field shows a marker).
fn dec(st: &AppState, data: &[u8]) -> String {
    super::clues::decrypt_shown(st, data)
}

/// A list's `?state=` filter among `all`: None when absent or empty; an unknown code is a 400
/// naming the allowed codes.
fn state_param<T: Copy>(
    value: Option<&str>,
    all: &[T],
    code: fn(T) -> &'static str,
) -> ApiResult<Option<T>> {
    let Some(s) = value.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    all.iter()
        .copied()
        .find(|x| code(*x) == s)
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_param(
                "state",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.state")
                    .arg("value", s)
                    .arg(
                        "allowed",
                        all.iter().map(|x| code(*x)).collect::<Vec<_>>().join("、"),
                    ),
            )
        })
}

/// The state's label and code.
fn state_named(state: &str) -> (String, String) {
    (
        state.to_string(),
        ReportState::from_code(state).map_or(state.to_string(), |s| s.label().to_string()),
    )
}

/// A message of the conversation.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportMessage {
    /// `team` or `reporter`.
    pub author: String,
    pub author_name: String,
    pub body: String,
    pub at: String,
}

fn message_dtos(st: &AppState, rows: Vec<store::MessageRow>) -> Vec<PublicReportMessage> {
    rows.into_iter()
        .map(|m| PublicReportMessage {
            author_name: if m.author == "team" {
                Msg::new("public_report.team").render()
            } else {
                Msg::new("public_report.reporter").render()
            },
            body: dec(st, &m.body_enc),
            at: rfc3339(m.created_at),
            author: m.author,
        })
        .collect()
}

/// An attachment (without its bytes).
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportFile {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
}

fn file_dtos(rows: Vec<store::FileMeta>) -> Vec<PublicReportFile> {
    rows.into_iter()
        .map(|f| PublicReportFile {
            id: f.id,
            name: f.name,
            media_type: f.media_type,
            size: f.size,
        })
        .collect()
}

//! The clue register: compartmented, person fields encrypted, every read audited.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::{
    self as dom, ClueSource, ClueState, Disposition, TargetBody, TriageDecision,
};
use xuncha_domain::perm::{CLUE_DISPOSE, CLUE_LEAD, Compartment, FIELDWORK_WRITE};
use xuncha_store::audit::{Event, record_event};
use xuncha_store::clues::{self, ClueAccess, ClueChange, ClueFilter, ClueRow, NewClue};
use xuncha_store::scope::Scope;

use super::common::{EventDto, date_str, event_dtos};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, ClueDispose, ClueLead, FieldworkWrite, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

mod access;
mod register;
mod transfer;

pub use self::access::*;
pub use self::register::*;
pub use self::transfer::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(detail))
        .routes(routes!(triage))
        .routes(routes!(transition))
        .routes(routes!(transfer))
        .routes(routes!(receipt))
        .routes(routes!(disposition))
        .routes(routes!(close))
}

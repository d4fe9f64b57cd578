//! Fieldwork (12+N), supervision frames, findings (问题底稿) and the inspected unit's problem list.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::perm::Compartment;
use xuncha_domain::perm::FIELDWORK_WRITE;
use xuncha_office::Table;
use xuncha_store::PageReq;
use xuncha_store::fieldwork::{
    self, CategoryImport, Finding, FindingDraft, FindingFilter, ImmediateStep,
};
use xuncha_store::inspection;
use xuncha_store::orgs::RowError;

use super::common::{EventDto, TransitionOption, date_str, event_dtos, parse_date};
use super::inspection::MethodTotal;
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, FieldworkWrite, InspectionPlan, InspectionRead, Need, ProblemRead};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

mod activities;
mod findings;
mod frames;
mod methods;

pub use self::activities::*;
pub use self::findings::*;
pub use self::frames::*;
pub use self::methods::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(methods, save_method))
        .routes(routes!(list_activities, add_activity))
        .routes(routes!(unit_totals))
        .routes(routes!(list_frames))
        .routes(routes!(import_frames))
        .routes(routes!(list_findings))
        .routes(routes!(create_finding))
        .routes(routes!(get_finding, update_finding))
        .routes(routes!(transition_finding))
        .routes(routes!(immediate_issue))
        .routes(routes!(immediate_receipt))
        .routes(routes!(immediate_done))
        .routes(routes!(problems))
}

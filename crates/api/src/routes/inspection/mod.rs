//! Terms, rounds, round units (with their lifecycle), coverage, reference data and statistics.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::{
    self as dom, Actor as TransitionActor, Candidate, ClueState, CoverageGroup, FindingState,
    InspectionKind, RoundUnitState, VillageMode,
};
use xuncha_domain::org::OrgKind;
use xuncha_domain::perm::{FIELDWORK_WRITE, INSPECTION_PLAN};
use xuncha_store::inspection::{self, Round, RoundDraft, RoundUnit, Term};

// Re-exported for the modules that still import them from here (until they move to `common`).
use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, InspectionPlan, InspectionRead, Need};
use crate::error::{ApiError, ApiResult};
pub use crate::routes::common::{
    EventDto, Named, TransitionBody, TransitionOption, date_str, event_dtos, named, parse_date,
};
use crate::state::AppState;

mod coverage;
mod rounds;
mod settings;
mod stats;
mod terms;
mod units;

pub use self::coverage::*;
pub use self::rounds::*;
pub use self::settings::*;
pub use self::stats::*;
pub use self::terms::*;
pub use self::units::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kinds))
        .routes(routes!(village_modes))
        .routes(routes!(states))
        .routes(routes!(list_terms, create_term))
        .routes(routes!(coverage))
        .routes(routes!(list_rounds, create_round))
        .routes(routes!(get_round, update_round))
        .routes(routes!(add_unit))
        .routes(routes!(list_units))
        .routes(routes!(get_unit))
        .routes(routes!(transition_unit))
        .routes(routes!(stats))
        .routes(routes!(get_settings, put_settings, inherit_settings))
}

/// Inspection kinds (a round carries a set).
#[utoipa::path(get, operation_id = "inspection_kinds", path = "/api/v1/inspection/kinds", tag = "inspection", responses((status = 200, body = Vec<Named>)))]
async fn kinds(Need(_auth, _): Need<InspectionRead>) -> axum::Json<Vec<Named>> {
    axum::Json(named(
        InspectionKind::ALL,
        InspectionKind::code,
        InspectionKind::label,
    ))
}

/// Ways of inspecting villages.
#[utoipa::path(get, operation_id = "inspection_village_modes", path = "/api/v1/inspection/village-modes", tag = "inspection", responses((status = 200, body = Vec<Named>)))]
async fn village_modes(Need(_auth, _): Need<InspectionRead>) -> axum::Json<Vec<Named>> {
    axum::Json(named(
        VillageMode::ALL,
        VillageMode::code,
        VillageMode::label,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateCatalogue {
    pub round_unit: Vec<Named>,
    pub finding: Vec<Named>,
    pub clue: Vec<Named>,
}

/// The state names of round units, findings and clues.
#[utoipa::path(get, operation_id = "inspection_states", path = "/api/v1/inspection/states", tag = "inspection", responses((status = 200, body = StateCatalogue)))]
async fn states(Need(_auth, _): Need<InspectionRead>) -> axum::Json<StateCatalogue> {
    axum::Json(StateCatalogue {
        round_unit: named(
            RoundUnitState::ALL,
            RoundUnitState::code,
            RoundUnitState::label,
        ),
        finding: named(FindingState::ALL, FindingState::code, FindingState::label),
        clue: named(ClueState::ALL, ClueState::code, ClueState::label),
    })
}

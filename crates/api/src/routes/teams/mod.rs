//! Teams (巡察组): the talent pools (people) they are formed from, the teams of a round and
//! their members, and recusal (回避) exception requests.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::perm::{RECUSAL_APPROVE, TEAM_MANAGE};
use xuncha_domain::recusal::{RelationKind, RequestState, TeamRole};
use xuncha_store::inspection::AssignOutcome;
use xuncha_store::scope::Scope;
use xuncha_store::teams::{self as store, MemberOutcome, Person, PersonDraft, PersonFilter, Team};

use super::common::{date_str, parse_date};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, InspectionRead, Need, RecusalApprove, TeamManage};
use crate::error::{ApiError, ApiResult, RowProblem};
use crate::state::AppState;

mod members;
mod pools;
mod recusal;

pub use self::members::*;
pub use self::pools::*;
pub use self::recusal::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_people, create_person))
        .routes(routes!(update_person))
        .routes(routes!(add_post))
        .routes(routes!(add_relation))
        .routes(routes!(add_training))
        .routes(routes!(create_team))
        .routes(routes!(assign_unit))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(suggestions))
        .routes(routes!(list_recusal_requests))
        .routes(routes!(approve_recusal_request))
        .routes(routes!(reject_recusal_request))
}

//! Rectification assessment (整改评估), satisfaction surveys (满意度测评) and the 回头看 list.
//! Disclosure (整改公开) is its own module, [`super::disclosure`]. The contract is
//! `docs/design/assessment-api.md`.
//!
//! The `public/*` routes take no [`Auth`]: a survey is reached with its link token (and only
//! approved disclosures are served, see [`super::disclosure`]). They read no cookie, so there is
//! no session to forge (CSRF), and they accept JSON only.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::assessment::{
    self as rules, Answer, AssessmentState, Consequence, DEFAULT_QUESTIONS, DEFAULT_RATER_GROUPS,
    Deduction, GradeBand, Indicator, IndicatorMode, Tally, show_points, show_rate,
};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::{DomainError, FieldError};
use xuncha_store::PageReq;
use xuncha_store::assessment::{self as store, AssessmentFilter, AssessmentRow, GroupTally};

use super::common::{Named, date_str, named, parse_date};
use super::documents::{docx, issuer};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, Need, Perm};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use xuncha_service::crypto::{random_bytes, token_hash};

mod assessments;
mod documents;
mod public;
mod revisits;
mod settings;
mod surveys;

pub use self::assessments::*;
pub use self::documents::*;
pub use self::public::*;
pub use self::revisits::*;
pub use self::settings::*;
pub use self::surveys::*;

/// Reading assessments and disclosures (`rect:read`).
#[derive(Debug)]
pub struct AssessRead;
impl Perm for AssessRead {
    const CODE: &'static str = xuncha_domain::perm::RECT_READ;
}

/// Managing assessments, surveys and disclosures (`rect:supervise`).
#[derive(Debug)]
pub struct AssessManage;
impl Perm for AssessManage {
    const CODE: &'static str = xuncha_domain::perm::RECT_SUPERVISE;
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings, inherit_settings))
        .routes(routes!(units))
        .routes(routes!(revisits))
        .routes(routes!(schedule_revisit))
        .routes(routes!(finish_revisit))
        .routes(routes!(list_assessments, create_assessment))
        .routes(routes!(export_assessments))
        .routes(routes!(get_assessment, update_assessment))
        .routes(routes!(finalise_assessment))
        .routes(routes!(assessment_docx))
        .routes(routes!(create_survey))
        .routes(routes!(rotate_link))
        .merge(public_router())
}

/// The largest body a public (unauthenticated) route reads: an answer sheet is well under 4 KB.
pub const PUBLIC_BODY_BYTES: usize = 16 * 1024;

/// The routes without login, with a small body limit of their own (the API's limit is sized for
/// evidence uploads by signed-in users).
fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_survey, public_respond))
        .layer(axum::extract::DefaultBodyLimit::max(PUBLIC_BODY_BYTES))
}

const ASSESSMENT_NOT_FOUND: &str = "assessment.not_found";

fn points(t: i64) -> f64 {
    #[allow(clippy::cast_precision_loss)]
    let p = t as f64 / 10.0;
    p
}

fn field(name: &str, key: &'static str) -> FieldError {
    FieldError::new(name, Msg::new(key))
}

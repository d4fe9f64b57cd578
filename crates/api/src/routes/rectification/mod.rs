//! Rectification (整改): the ledger, plans and their review, progress and evidence, write-off,
//! extensions, outcomes, letters, reports, settings, holidays, statistics and notifications.
//! The contract is docs/design/rectification-api.md.

use axum::extract::{Multipart, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::FieldError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::{FindingId, RoundUnitId};
use xuncha_domain::inspection::FindingState;
use xuncha_domain::letters::{self as letter_dom, LetterState};
use xuncha_domain::perm::{INSPECTION_OFFICE, RECT_REVIEW, RECT_SUPERVISE, RECT_WRITE};
use xuncha_domain::rectification::{
    self as dom, ExtensionState, LetterRung, MeasureKind, Outcome, OutcomeKind, PlanState,
    RectSettings, RectStats, ReportKind, ReviewDecision, Warning,
};
use xuncha_store::PageReq;
use xuncha_store::rectification::{
    self as store, LedgerFilter, LedgerRow, MeasureSnap, StatGroup, Today, Upload, WarningBand,
};
use xuncha_store::scope::Scope;

use super::common::{DOCX, EventDto, XLSX, date_str, download, event_dtos, parse_date};
use super::office_settings::{SettingsSource, office, source_dto};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, Need, RectRead, RectReview, RectSupervise, RectWrite};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

mod deadlines;
mod export;
mod item;
mod ledger;
mod letters;
mod lists;
mod notifications;
mod outcomes;
mod plans;
mod progress;
mod reports;
mod settings;
mod stats;
mod testing;
mod write_off;

pub use self::deadlines::*;
pub use self::item::*;
pub use self::ledger::*;
pub use self::letters::*;
pub use self::notifications::*;
pub use self::outcomes::*;
pub use self::plans::*;
pub use self::progress::*;
pub use self::reports::*;
pub use self::settings::*;
pub use self::stats::*;
pub use self::testing::*;
pub use self::write_off::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ledger))
        .routes(routes!(ledger_export))
        .routes(routes!(ledger_import))
        .routes(routes!(item))
        .routes(routes!(add_progress))
        .routes(routes!(file_download))
        .routes(routes!(archive))
        .routes(routes!(request_write_off))
        .routes(routes!(decide_write_off))
        .routes(routes!(reopen))
        .routes(routes!(measure_done))
        .routes(routes!(explain))
        .routes(routes!(request_extension))
        .routes(routes!(list_extensions))
        .routes(routes!(decide_extension))
        .routes(routes!(add_outcome))
        .routes(routes!(units))
        .routes(routes!(rounds))
        .routes(routes!(plan_view, save_plan))
        .routes(routes!(submit_plan))
        .routes(routes!(review_plan))
        .routes(routes!(plan_diff))
        .routes(routes!(list_reports, add_report))
        .routes(routes!(file_report))
        .routes(routes!(report_docx))
        .routes(routes!(get_settings, put_settings, inherit_settings))
        .routes(routes!(list_holidays, drop_holidays))
        .routes(routes!(import_holidays))
        .routes(routes!(list_letters, issue_letter))
        .routes(routes!(letter_suggestions))
        .routes(routes!(letter_docx))
        .routes(routes!(withdraw_letter))
        .routes(routes!(notifications))
        .routes(routes!(notification_read))
        .routes(routes!(notifications_read_all))
        .routes(routes!(
            get_notification_settings,
            put_notification_settings
        ))
        .routes(routes!(stats))
        .routes(routes!(get_clock, move_clock))
        .merge(lists::router())
}

fn not_found() -> impl Fn(xuncha_store::StoreError) -> ApiError {
    ApiError::not_found_as("rect.not_found")
}

fn invalid(errs: Vec<FieldError>) -> ApiError {
    DomainError::Invalid(errs).into()
}

fn label<T: Copy>(code: &str, parse: fn(&str) -> Option<T>, name: fn(T) -> &'static str) -> String {
    parse(code).map_or_else(|| code.to_string(), |v| name(v).to_string())
}

fn state_name(code: &str) -> String {
    label(code, FindingState::from_code, FindingState::label)
}

/// Today and the last date still counted yellow for the office `office` (a unit's: the office
/// that runs its round), with that office's settings and calendar.
pub(super) async fn today(
    st: &AppState,
    office: OrgId,
) -> ApiResult<(Today, RectSettings, dom::Calendar)> {
    let (t, o) = store::office_today(&st.db, office, st.db.today()).await?;
    Ok((t, o.settings, o.calendar))
}

/// The settings of every office a list can show, once per request: each row takes those of the
/// office that runs its round, never the viewer's.
pub(super) async fn book(st: &AppState, auth: &Auth) -> ApiResult<store::RectBook> {
    Ok(store::book(&st.db, office(auth), st.db.today()).await?)
}

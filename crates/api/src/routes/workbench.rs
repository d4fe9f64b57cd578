//! 工作台: the signed-in person's work — to-dos with counts and links, the latest unread
//! notifications, and for leaders and the office the headline figures of their scope
//! (docs/workbench.md).

use axum::extract::State;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::perm::{INSPECTION_READ, RECT_READ};
use xuncha_domain::workbench::{TodoKind, sees_headline};
use xuncha_store::workbench::{self as store, TodoContext};

use super::clues::clue_access;
use super::office_settings::office;
use super::rectification::{NotificationDto, RectStatsDto, stats_dto};
use crate::auth::Auth;
use crate::error::ApiResult;
use crate::state::AppState;

/// How many unread notifications the page shows.
const NOTIFICATIONS: i64 = 5;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(workbench))
}

/// The screen a to-do opens: the list whose total is the to-do's count, with its filter.
fn link(kind: TodoKind) -> &'static str {
    match kind {
        TodoKind::PlanToDraft => "/rect/units?plan=to_draft",
        TodoKind::PlanReview => "/rect/units?plan=to_review",
        TodoKind::ExtensionPending => "/rect/supervision",
        TodoKind::WriteOffPending => "/rect/ledger?state=CLOSE_REQUESTED",
        TodoKind::WarningRed => "/rect/ledger?warning=red",
        TodoKind::WarningYellow => "/rect/ledger?warning=yellow",
        TodoKind::ClueToReceive => "/clues?state=TRANSFERRED",
        TodoKind::ClueDisposing => "/clues?state=DISPOSING",
        TodoKind::PublicReportNew => "/public-reports?state=NEW",
        TodoKind::TransferToReview => "/public-reports?review=true",
        TodoKind::TransferToReply => "/report-transfers?state=PENDING",
        TodoKind::AssessmentOpen => "/assessment?state=DRAFT",
        TodoKind::LinkageTodo => "/linkage?todo=true",
        TodoKind::GuidanceToRectify => "/guidance/problems?side=lower&state=open",
        TodoKind::GuidanceToVerify => "/guidance/problems?side=visiting&state=CLOSE_REQUESTED",
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TodoDto {
    #[schema(value_type = crate::codes::TodoKind)]
    pub kind: String,
    pub label: String,
    /// The total of the linked list.
    pub count: i64,
    /// The web screen listing these records, with its filter (`/rect/ledger?warning=red`).
    pub link: String,
}

/// Headline figures of the caller's scope, each present only where the caller reads it.
#[derive(Debug, Serialize, ToSchema)]
pub struct HeadlineDto {
    /// The rectification figures of every item in scope (rect:read).
    pub rect: Option<RectStatsDto>,
    /// The findings of the rounds in scope (inspection:read).
    pub findings: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Workbench {
    /// The to-dos the caller works, in page order (a count of 0 included).
    pub todos: Vec<TodoDto>,
    /// The latest unread notifications, newest first (at most 5).
    pub notifications: Vec<NotificationDto>,
    /// All unread notifications.
    pub unread: i64,
    /// For leaders and the office (rect:supervise or inspection:office); null otherwise.
    pub headline: Option<HeadlineDto>,
}

/// The caller's 工作台: each to-do counted within the caller's scope as the list it links to
/// counts it, the latest unread notifications, and the headline figures for leaders and the
/// office.
#[utoipa::path(get, operation_id = "workbench", path = "/api/v1/workbench", tag = "workbench",
    responses((status = 200, body = Workbench)))]
async fn workbench(State(st): State<AppState>, auth: Auth) -> ApiResult<axum::Json<Workbench>> {
    let kinds = TodoKind::worked_by(&auth.access);
    let mut todos = Vec::with_capacity(kinds.len());
    if !kinds.is_empty() {
        let today = st.db.today();
        let dates = xuncha_store::rectification::book(&st.db, office(&auth), today)
            .await?
            .dates();
        let clues = clue_access(&auth);
        let cx = TodoContext {
            scope: &auth.scope,
            clues: &clues,
            dates: &dates,
            office: office(&auth),
        };
        for kind in kinds {
            todos.push(TodoDto {
                kind: kind.code().to_string(),
                label: kind.label().to_string(),
                count: store::todo_count(&st.db, kind, &cx).await?,
                link: link(kind).to_string(),
            });
        }
    }
    let (items, unread) = store::unread_notifications(&st.db, auth.user.id, NOTIFICATIONS).await?;
    let headline = if sees_headline(&auth.access) {
        let h = store::headline(
            &st.db,
            &auth.scope,
            st.db.today(),
            auth.access.has(RECT_READ),
            auth.access.has(INSPECTION_READ),
        )
        .await?;
        Some(HeadlineDto {
            rect: h.rect.as_ref().map(stats_dto),
            findings: h.findings,
        })
    } else {
        None
    };
    Ok(axum::Json(Workbench {
        todos,
        notifications: items.into_iter().map(NotificationDto::from).collect(),
        unread,
        headline,
    }))
}

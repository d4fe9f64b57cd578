//! Rectification (整改): the ledger, plans and their review, progress with evidence, two-step
//! write-off, extensions, outcomes, escalation letters, reports, the holiday calendar and
//! notifications.
//!
//! Visibility: a ledger item (a fed-back finding) or a round unit in rectification is visible when
//! its **inspected organisation** lies in the caller's scope. The office that ran the round always
//! has the inspected organisation in its subtree, so it sees the item too; the unit sees its own.
//! Today's date is always a parameter: the caller owns the clock.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::{FindingId, RoundUnitId};
use xuncha_domain::inspection::FindingState;
use xuncha_domain::letters::LetterState;
use xuncha_domain::rectification::{
    Calendar, DayKind, ExtensionState, MeasureKind, MeasureState, Outcome, OutcomeKind, PlanState,
    RectSettings, ReportKind, ReviewDecision, WriteOffState, after_write_off, check_reopen,
    check_write_off, extension_notice, is_workable, write_off_notice,
};

use std::collections::HashMap;

use xuncha_domain::org::OrgId;
use xuncha_domain::settings::merge_days;

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::settings;
use crate::{Page, PageReq};

/// Ledger items: the inspected organisation's denormalised path.
const LEDGER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "f.org_path",
    org_id: "f.org_id",
    owner: "f.created_by",
};

/// Round units in rectification: the inspected organisation.
const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

/// Finding states that make up the ledger.
pub const LEDGER_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";
/// Ledger states whose deadline runs: open items, except long-term ones (basically completed,
/// reporting periodically instead) — these alone are warned about and counted overdue.
pub const OPEN_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'REOPENED')";

fn rule(msg: Msg) -> StoreError {
    StoreError::Domain(DomainError::Rule(msg))
}

fn field(name: &str, msg: Msg) -> StoreError {
    StoreError::Domain(DomainError::field(name, msg))
}

/// Inserts one notification per user; with a dedupe key, a repeat is ignored.
macro_rules! notify {
    ($db:expr, $tx:expr, $users:expr, $kind:expr, $title:expr, $body:expr, $link:expr, $dedupe:expr) => {{
        let title: String = $title;
        let body: String = $body;
        let link: Option<String> = $link;
        let dedupe: Option<String> = $dedupe;
        let now = $db.now();
        for u in $users {
            sqlx::query("INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (user_id, dedupe_key) DO NOTHING")
                .bind(*u)
                .bind($kind)
                .bind(&title)
                .bind(&body)
                .bind(&link)
                .bind(&dedupe)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// The users of an organisation (`$1`) who act for the unit in rectification (`rect:write`) and
/// are not locked by an administrator (`$2` = false): the recipients of everything sent "to the unit".
pub const UNIT_WRITERS: &str = "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
     WHERE u.org_id = $1 AND u.locked_by_admin = $2 AND ro.permissions LIKE '%\"rect:write\"%' ORDER BY u.id";

/// Notifies the users of the item's unit (its inspected organisation) holding `rect:write`.
macro_rules! notify_unit {
    ($db:expr, $tx:expr, $finding_id:expr, $kind:expr, $title:expr, $body:expr, $link:expr, $dedupe:expr) => {{
        let org: OrgId = sqlx::query_scalar("SELECT org_id FROM findings WHERE id = $1")
            .bind($finding_id)
            .fetch_one(&mut *$tx)
            .await?;
        let users: Vec<i64> = sqlx::query_scalar($crate::rectification::UNIT_WRITERS)
            .bind(org)
            .bind(false)
            .fetch_all(&mut *$tx)
            .await?;
        notify!($db, $tx, &users, $kind, $title, $body, Some($link), $dedupe);
    }};
}

mod import;
mod item;
mod ledger;
mod letters;
mod lists;
mod notifications;
mod office_settings;
mod plans;
mod reports;
mod scan;
mod stats;
mod units;

pub use self::import::*;
pub use self::item::*;
pub use self::ledger::*;
pub use self::letters::*;
pub use self::lists::*;
pub use self::notifications::*;
pub use self::office_settings::*;
pub use self::plans::*;
pub use self::reports::*;
pub use self::scan::*;
pub use self::stats::*;
pub use self::units::*;

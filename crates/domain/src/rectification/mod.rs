//! Rectification (整改): measures, outcomes, the working-day calendar, early warnings and the
//! statistics of domain.md §10.

use std::collections::BTreeSet;

use time::{Date, Duration, Weekday};

use crate::code::code_enum;
use crate::i18n::Msg;
use crate::inspection::rate;
use crate::{DomainError, FieldError};

mod calendar;
mod counters;
mod deadlines;
mod evidence;
mod ladder;
mod plans;
mod progress;
mod review;
mod settings;
mod stats;
#[cfg(test)]
mod tests;
mod trail;
mod write_off;

pub use self::calendar::*;
pub use self::counters::*;
pub use self::deadlines::*;
pub use self::evidence::*;
pub use self::ladder::*;
pub use self::plans::*;
pub use self::progress::*;
pub use self::review::*;
pub use self::settings::*;
pub use self::stats::*;
pub use self::trail::*;
pub use self::write_off::*;

code_enum!(
    /// The kind of a rectification measure.
    MeasureKind, "measure_kind.", {
        Immediate => "immediate",
        Deadline => "deadline",
        LongTerm => "long_term",
    }
);

code_enum!(
    /// How a unit reports an item's outcome (domain.md §6.2: four values).
    Outcome, "outcome.", {
        Completed => "completed",
        BasicallyCompleted => "basically_completed",
        InProgress => "in_progress",
        NotCompleted => "not_completed",
    }
);

code_enum!(
    /// The state of one measure of an approved plan: open until the unit reports it done.
    MeasureState, "measure_state.", {
        Open => "OPEN",
        Done => "DONE",
    }
);

code_enum!(
    /// What a caller may do with a ledger item now.
    ItemAction, "item_action.", {
        Progress => "progress",
        WriteOff => "write_off",
        Verify => "verify",
        Reopen => "reopen",
        Extend => "extend",
        Outcome => "outcome",
        Letter => "letter",
        Explain => "explain",
        MeasureDone => "measure_done",
    }
);

code_enum!(
    /// The state of one revision of a unit's 整改方案.
    PlanState, "plan_state.", {
        Draft => "DRAFT",
        Submitted => "SUBMITTED",
        Returned => "RETURNED",
        Approved => "APPROVED",
    }
);

code_enum!(
    /// A reviewing body's decision on a plan revision, or a reviewer's on a write-off.
    ReviewDecision, "review_decision.", {
        Approve => "approve",
        Return => "return",
    }
);

code_enum!(
    /// 申请销号 → 核验.
    WriteOffState, "write_off_state.", {
        Requested => "REQUESTED",
        Verified => "VERIFIED",
        Returned => "RETURNED",
    }
);

code_enum!(
    /// A deadline extension request.
    ExtensionState, "extension_state.", {
        Pending => "PENDING",
        Approved => "APPROVED",
        Rejected => "REJECTED",
    }
);

code_enum!(
    /// 成果: what rectification produced.
    OutcomeKind, "outcome_kind.", {
        Rule => "rule",
        MoneyReturned => "money_returned",
        LossRecovered => "loss_recovered",
        Accountability => "accountability",
    }
);

code_enum!(
    /// The unit's reports on rectification.
    ReportKind, "report_kind.", {
        RectReport => "rect_report",
        LifeMeeting => "life_meeting",
        Periodic => "periodic",
    }
);

use crate::inspection::FindingState;

/// Whether a finding in `state` is an open ledger item (not closed, not yet in the ledger).
pub fn is_open(state: FindingState) -> bool {
    matches!(
        state,
        FindingState::FedBack
            | FindingState::Planned
            | FindingState::InProgress
            | FindingState::CloseRequested
            | FindingState::LongTerm
            | FindingState::Reopened
    )
}

/// States from which the unit may report progress, ask for an extension or request write-off.
pub fn is_workable(state: FindingState) -> bool {
    matches!(
        state,
        FindingState::InProgress | FindingState::LongTerm | FindingState::Reopened
    )
}

fn rule(key: &'static str) -> DomainError {
    DomainError::Rule(Msg::new(key))
}

/// The 明白账 steps (报告报账 → 反馈交账 → 移交转账 → 督办查账 → 整改销账).
pub const TRAIL_STEPS: [(&str, &str); 5] = [
    ("report", "报告报账"),
    ("handover", "反馈交账"),
    ("transfer", "移交转账"),
    ("check", "督办查账"),
    ("write_off", "整改销账"),
];

/// Amounts are integer fen; 元 with two decimals for people.
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

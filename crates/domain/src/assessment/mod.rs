//! Rectification assessment (整改评估): rubric by deduction, grade bands, satisfaction surveys
//! and consequences (domain.md §6.5, §10). Disclosure (整改公开) is its own module,
//! [`crate::disclosure`].
//!
//! Points are kept as integer tenths of a point (`Tenths`): 87.5 points is `875`.

use crate::DomainError;
use crate::error::{Errors, FieldError};
use crate::i18n::Msg;
use crate::org::code_enum;

/// Tenths of a point: the unit of every score and deduction.
pub type Tenths = i64;

/// The full score of an assessment (100 points).
pub const FULL_SCORE: Tenths = 1000;

/// Longest reason of a deduction, comment of a survey response, and similar short texts.
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest long text: a disclosure text (党内通报 / 社会公开), the note of a 回头看.
pub const MAX_TEXT_CHARS: usize = 20_000;

code_enum!(
    /// How an indicator is scored: deductions entered by the assessors, or derived from the
    /// satisfaction survey or from the unit's overdue items (plus any deductions entered by
    /// hand).
    IndicatorMode, "indicator_mode.", {
        Manual => "manual",
        Satisfaction => "satisfaction",
        Overdue => "overdue",
    }
);

code_enum!(
    /// What a grade band sets in motion when an assessment is finalised (domain.md §6.5).
    Consequence, "consequence.", {
        Redo => "redo",
        Admonition => "admonition",
        Revisit => "revisit",
        SupervisorTalk => "supervisor_talk",
    }
);

code_enum!(
    /// The lifecycle of an assessment.
    AssessmentState, "assessment_state.", {
        Draft => "DRAFT",
        Finalised => "FINALISED",
    }
);

code_enum!(
    /// One answer of a satisfaction survey. 不了解 is not a valid response for the rate.
    Answer, "answer.", {
        Satisfied => "satisfied",
        Basic => "basic",
        Unsatisfied => "unsatisfied",
        Unknown => "unknown",
    }
);

mod rubric;
mod scoring;
#[cfg(test)]
mod tests;

pub use self::rubric::*;
pub use self::scoring::*;

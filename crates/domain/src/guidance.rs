//! 指导督导 (`Guidance`): a higher inspection office's guidance visits (督导组) to the offices
//! below it, the problems found in those offices' own inspection work, and their rectification
//! to write-off (销号) with the ledger's mechanics — kept apart from the rectification ledger.
//!
//! A visit: PLANNED → IN_PROGRESS → FED_BACK → CLOSED. Problems are recorded while the visit
//! is in progress (DRAFT) and reach the lower office when the visit feeds back (FED_BACK); the
//! lower office records its measure, progress and deadline (IN_PROGRESS) and asks for write-off
//! (CLOSE_REQUESTED); the visiting office writes it off (CLOSED) or returns it (RETURNED).

use time::Date;

use crate::DomainError;
use crate::code::code_enum;
use crate::error::FieldError;
use crate::i18n::Msg;

/// The longest title of a visit.
pub const MAX_TITLE_CHARS: usize = 100;
/// The longest problem text, measure, progress or opinion.
pub const MAX_TEXT_CHARS: usize = 2000;
/// The most members or visited offices of one visit.
pub const MAX_LIST: usize = 200;

code_enum!(
    /// The form of a guidance visit (the regular forms of 指导督导).
    VisitForm, "guidance_form.", {
        Regular => "regular",
        AreaContact => "area_contact",
        AttendMeeting => "attend_meeting",
        MidtermReport => "midterm_report",
        FirstReportReview => "first_report_review",
    }
);

code_enum!(
    /// The state of a guidance visit.
    VisitState, "guidance_state.", {
        Planned => "PLANNED",
        InProgress => "IN_PROGRESS",
        FedBack => "FED_BACK",
        Closed => "CLOSED",
    }
);

code_enum!(
    /// What part of the lower office's inspection work a problem is about.
    ProblemCategory, "guidance_category.", {
        Leadership => "leadership",
        Planning => "planning",
        Fieldwork => "fieldwork",
        Clues => "clues",
        Reporting => "reporting",
        Rectification => "rectification",
        Team => "team",
        Other => "other",
    }
);

code_enum!(
    /// The state of a guidance problem.
    ProblemState, "guidance_problem_state.", {
        Draft => "DRAFT",
        FedBack => "FED_BACK",
        InProgress => "IN_PROGRESS",
        CloseRequested => "CLOSE_REQUESTED",
        Returned => "RETURNED",
        Closed => "CLOSED",
    }
);

impl ProblemState {
    /// Fed back and not yet written off: the lower office's to-do.
    pub fn open(self) -> bool {
        matches!(
            self,
            ProblemState::FedBack | ProblemState::InProgress | ProblemState::Returned
        )
    }
}

fn illegal(kind: &'static str, from: &str, to: &str) -> DomainError {
    DomainError::Rule(Msg::new(kind).arg("from", from).arg("to", to))
}

/// Checks a visit state change: one step forward at a time.
pub fn check_visit_transition(from: VisitState, to: VisitState) -> Result<(), DomainError> {
    use VisitState as S;
    if matches!(
        (from, to),
        (S::Planned, S::InProgress) | (S::InProgress, S::FedBack) | (S::FedBack, S::Closed)
    ) {
        Ok(())
    } else {
        Err(illegal(
            "guidance.illegal_visit_transition",
            from.label(),
            to.label(),
        ))
    }
}

/// Problems are recorded (and edited) only while the visit is in progress.
pub fn check_problem_recordable(visit: VisitState) -> Result<(), DomainError> {
    if visit == VisitState::InProgress {
        Ok(())
    } else {
        Err(DomainError::Rule(
            Msg::new("guidance.not_recording").arg("state", visit.label()),
        ))
    }
}

/// What acts on a problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProblemStep {
    /// The lower office records its measure, progress and deadline.
    Rectify,
    /// The lower office asks for write-off.
    RequestWriteOff,
    /// The visiting office writes it off.
    WriteOff,
    /// The visiting office returns it for more work.
    Return,
}

/// The state a step leads to from `from`, or 409.
pub fn problem_step(from: ProblemState, step: ProblemStep) -> Result<ProblemState, DomainError> {
    use ProblemState as S;
    let to = match (from, step) {
        (S::FedBack | S::InProgress | S::Returned, ProblemStep::Rectify) => S::InProgress,
        (S::InProgress, ProblemStep::RequestWriteOff) => S::CloseRequested,
        (S::CloseRequested, ProblemStep::WriteOff) => S::Closed,
        (S::CloseRequested, ProblemStep::Return) => S::Returned,
        _ => {
            let to = match step {
                ProblemStep::Rectify => S::InProgress,
                ProblemStep::RequestWriteOff => S::CloseRequested,
                ProblemStep::WriteOff => S::Closed,
                ProblemStep::Return => S::Returned,
            };
            return Err(illegal(
                "guidance.illegal_problem_transition",
                from.label(),
                to.label(),
            ));
        }
    };
    Ok(to)
}

/// A problem is overdue while not written off and its deadline has passed (server clock).
pub fn overdue(state: ProblemState, deadline: Option<Date>, today: Date) -> bool {
    state != ProblemState::Closed
        && state != ProblemState::Draft
        && deadline.is_some_and(|d| d < today)
}

/// A visit's period runs forwards.
pub fn check_period(from: Date, to: Date) -> Result<(), FieldError> {
    if to < from {
        return Err(FieldError::new(
            "period_to",
            Msg::new("guidance.period_backwards"),
        ));
    }
    Ok(())
}

/// The deadline a lower office sets lies after today.
pub fn check_deadline(deadline: Date, today: Date) -> Result<(), FieldError> {
    if deadline <= today {
        return Err(FieldError::new(
            "deadline",
            Msg::new("guidance.deadline_past").arg("date", today.to_string()),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn visits_move_one_step_forward() {
        use VisitState as S;
        assert!(check_visit_transition(S::Planned, S::InProgress).is_ok());
        assert!(check_visit_transition(S::InProgress, S::FedBack).is_ok());
        assert!(check_visit_transition(S::FedBack, S::Closed).is_ok());
        let Err(DomainError::Rule(m)) = check_visit_transition(S::Planned, S::FedBack) else {
            panic!()
        };
        assert_eq!(m.render(), "督导不能从“计划中”变为“已反馈”");
        assert!(check_visit_transition(S::Closed, S::InProgress).is_err());
    }

    #[test]
    fn problems_follow_the_write_off_path() {
        use ProblemState as S;
        assert_eq!(
            problem_step(S::FedBack, ProblemStep::Rectify).ok(),
            Some(S::InProgress)
        );
        assert_eq!(
            problem_step(S::InProgress, ProblemStep::RequestWriteOff).ok(),
            Some(S::CloseRequested)
        );
        assert_eq!(
            problem_step(S::CloseRequested, ProblemStep::WriteOff).ok(),
            Some(S::Closed)
        );
        assert_eq!(
            problem_step(S::CloseRequested, ProblemStep::Return).ok(),
            Some(S::Returned)
        );
        assert_eq!(
            problem_step(S::Returned, ProblemStep::Rectify).ok(),
            Some(S::InProgress)
        );
        assert!(problem_step(S::Draft, ProblemStep::Rectify).is_err());
        assert!(problem_step(S::FedBack, ProblemStep::WriteOff).is_err());
        assert!(problem_step(S::Closed, ProblemStep::Rectify).is_err());
        assert!(problem_step(S::Returned, ProblemStep::RequestWriteOff).is_err());
    }

    #[test]
    fn overdue_needs_a_passed_deadline_and_an_open_problem() {
        let d = |n: u8| Date::from_calendar_date(2026, time::Month::March, n).unwrap();
        assert!(overdue(ProblemState::InProgress, Some(d(1)), d(2)));
        assert!(!overdue(ProblemState::InProgress, Some(d(2)), d(2)));
        assert!(!overdue(ProblemState::Closed, Some(d(1)), d(2)));
        assert!(!overdue(ProblemState::FedBack, None, d(2)));
        assert!(check_deadline(d(2), d(2)).is_err());
        assert!(check_period(d(2), d(1)).is_err());
    }

    #[test]
    fn every_code_has_a_chinese_label() {
        for f in VisitForm::ALL {
            assert_ne!(f.label(), f.code());
        }
        for c in ProblemCategory::ALL {
            assert_ne!(c.label(), c.code());
        }
        for s in ProblemState::ALL {
            assert_ne!(s.label(), s.code());
        }
        for s in VisitState::ALL {
            assert_ne!(s.label(), s.code());
        }
    }
}

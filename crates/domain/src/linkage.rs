//! 上下联动: what a higher inspection office does with its lower offices.
//!
//! - 任务部署联动: a task issued to one or more lower offices, each recipient with its own state:
//!   待接收 → 已接收 → 已反馈 → 已办结, or 退回 (with a reason) from 已反馈 back to 已接收.
//! - 成果运用联动: focus points (重点) pushed down to lower offices, adopted by their rounds and
//!   followed up by their findings.
//!
//! Pure rules only: today is a parameter.

use time::Date;

use crate::code::code_enum;
use crate::error::{Errors, FieldError};
use crate::i18n::Msg;
use crate::ids::OrgId;
use crate::public_report::text;
use crate::{DomainError, error::parse_date};

code_enum!(
    /// Where one recipient office stands on a task.
    RecipientState, "linkage_state.", {
        Issued => "ISSUED",
        Accepted => "ACCEPTED",
        Reported => "REPORTED",
        Done => "DONE",
    }
);

code_enum!(
    /// What a recipient or the issuing office does to a recipient's row.
    RecipientAction, "linkage_action.", {
        Accept => "accept",
        Report => "report",
        Confirm => "confirm",
        Return => "return",
    }
);

impl RecipientState {
    /// The state `action` leads to from `self`, or a rule violation (409).
    pub fn apply(self, action: RecipientAction) -> Result<RecipientState, DomainError> {
        use RecipientAction as A;
        use RecipientState as S;
        match (self, action) {
            (S::Issued, A::Accept) => Ok(S::Accepted),
            (S::Accepted, A::Report) => Ok(S::Reported),
            (S::Reported, A::Confirm) => Ok(S::Done),
            (S::Reported, A::Return) => Ok(S::Accepted),
            _ => Err(DomainError::Rule(
                Msg::new("linkage.illegal_action")
                    .arg("state", self.label())
                    .arg("action", action.label()),
            )),
        }
    }

    /// Still waiting for the recipient (to accept, or to report back).
    pub fn open(self) -> bool {
        matches!(self, RecipientState::Issued | RecipientState::Accepted)
    }

    /// Overdue: the recipient still owes the task after its deadline (server date `today`).
    pub fn overdue(self, deadline: Date, today: Date) -> bool {
        self.open() && today > deadline
    }
}

pub const TITLE_MAX: usize = 100;
pub const CONTENT_MAX: usize = 5000;
pub const FOCUS_MAX: usize = 2000;
pub const REPORT_MAX: usize = 5000;
pub const REASON_MAX: usize = 500;
/// Recipient offices of one task or focus point.
pub const RECIPIENTS_MAX: usize = 200;
/// Rounds one report back links.
pub const ROUNDS_MAX: usize = 50;

/// A validated new task (the recipients' scope is checked by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTask {
    pub title: String,
    pub content: String,
    pub focus: Option<String>,
    pub term_id: Option<i64>,
    pub deadline: Date,
    pub org_ids: Vec<OrgId>,
}

fn ids_field(field: &str, ids: &[OrgId]) -> Result<Vec<OrgId>, FieldError> {
    if ids.is_empty() {
        return Err(FieldError::required(field));
    }
    if ids.len() > RECIPIENTS_MAX {
        return Err(FieldError::new(
            field,
            Msg::new("linkage.too_many")
                .arg("field", format!("field.{field}"))
                .arg("max", RECIPIENTS_MAX),
        ));
    }
    let mut out = ids.to_vec();
    out.sort_by_key(|i| i.get());
    out.dedup();
    Ok(out)
}

impl NewTask {
    /// Checks every field at once; the deadline may not lie before `today`.
    pub fn parse(
        title: &str,
        content: &str,
        focus: Option<&str>,
        term_id: Option<i64>,
        deadline: &str,
        org_ids: &[OrgId],
        today: Date,
    ) -> Result<NewTask, DomainError> {
        let mut e = Errors::default();
        let title = text("title", title, TITLE_MAX, true)
            .and_then(|t| {
                if t.contains('\n') {
                    Err(FieldError::new(
                        "title",
                        Msg::new("validation.bad_chars").arg("field", "field.title"),
                    ))
                } else {
                    Ok(t)
                }
            })
            .map_err(|x| e.push(x))
            .ok();
        let content = text("content", content, CONTENT_MAX, true)
            .map_err(|x| e.push(x))
            .ok();
        let focus = match focus.map(|f| text("focus", f, FOCUS_MAX, false)) {
            Some(Ok(f)) if !f.is_empty() => Some(f),
            Some(Err(x)) => {
                e.push(x);
                None
            }
            _ => None,
        };
        let deadline = parse_date("deadline", deadline)
            .and_then(|d| {
                if d < today {
                    Err(FieldError::new(
                        "deadline",
                        Msg::new("linkage.deadline_past").arg("field", "field.deadline"),
                    ))
                } else {
                    Ok(d)
                }
            })
            .map_err(|x| e.push(x))
            .ok();
        let org_ids = ids_field("org_ids", org_ids).map_err(|x| e.push(x)).ok();
        e.into_result()?;
        match (title, content, deadline, org_ids) {
            (Some(title), Some(content), Some(deadline), Some(org_ids)) => Ok(NewTask {
                title,
                content,
                focus,
                term_id,
                deadline,
                org_ids,
            }),
            _ => Err(DomainError::Invalid(Vec::new())),
        }
    }
}

/// The report back of a recipient: required text.
pub fn parse_report(report: &str) -> Result<String, DomainError> {
    text("report", report, REPORT_MAX, true).map_err(|e| DomainError::Invalid(vec![e]))
}

/// The reason of a return: required text.
pub fn parse_reason(reason: &str) -> Result<String, DomainError> {
    text("reason", reason, REASON_MAX, true).map_err(|e| DomainError::Invalid(vec![e]))
}

/// The rounds a report back links, deduplicated (at most [`ROUNDS_MAX`]).
pub fn parse_round_ids(ids: &[i64]) -> Result<Vec<i64>, DomainError> {
    if ids.len() > ROUNDS_MAX {
        return Err(DomainError::field(
            "round_ids",
            Msg::new("linkage.too_many")
                .arg("field", "field.round_ids")
                .arg("max", ROUNDS_MAX),
        ));
    }
    let mut out = ids.to_vec();
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

/// A validated focus point pushed down (the category, source finding and offices are checked
/// against the caller's scope by the store).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewFocusPoint {
    pub title: String,
    pub content: String,
    pub org_ids: Vec<OrgId>,
}

impl NewFocusPoint {
    /// Title and content are required unless copied from a finding (`from_finding`): then the
    /// empty ones are filled from it by the caller.
    pub fn parse(
        title: &str,
        content: &str,
        org_ids: &[OrgId],
        from_finding: bool,
    ) -> Result<NewFocusPoint, DomainError> {
        let mut e = Errors::default();
        let title = text("title", title, TITLE_MAX, !from_finding)
            .map_err(|x| e.push(x))
            .ok();
        let content = text("content", content, CONTENT_MAX, !from_finding)
            .map_err(|x| e.push(x))
            .ok();
        let org_ids = ids_field("org_ids", org_ids).map_err(|x| e.push(x)).ok();
        e.into_result()?;
        match (title, content, org_ids) {
            (Some(title), Some(content), Some(org_ids)) => Ok(NewFocusPoint {
                title,
                content,
                org_ids,
            }),
            _ => Err(DomainError::Invalid(Vec::new())),
        }
    }
}

/// A focus point copied from a finding: the finding's title and facts fill what was left empty
/// (cut to the limits).
pub fn fill_from_finding(p: &mut NewFocusPoint, title: &str, facts: &str) {
    if p.title.is_empty() {
        p.title = title.chars().take(TITLE_MAX).collect();
    }
    if p.content.is_empty() {
        p.content = facts.chars().take(CONTENT_MAX).collect();
    }
}

/// Whether `org_path` is strictly below `issuer_path` (a lower office of the issuer).
pub fn is_below(issuer_path: &str, org_path: &str) -> bool {
    org_path.len() > issuer_path.len() && org_path.starts_with(issuer_path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 23);

    #[test]
    fn state_machine() {
        use RecipientAction as A;
        use RecipientState as S;
        assert_eq!(S::Issued.apply(A::Accept).unwrap(), S::Accepted);
        assert_eq!(S::Accepted.apply(A::Report).unwrap(), S::Reported);
        assert_eq!(S::Reported.apply(A::Confirm).unwrap(), S::Done);
        assert_eq!(S::Reported.apply(A::Return).unwrap(), S::Accepted);
        for (s, a) in [
            (S::Issued, A::Report),
            (S::Issued, A::Confirm),
            (S::Accepted, A::Accept),
            (S::Accepted, A::Confirm),
            (S::Reported, A::Report),
            (S::Done, A::Return),
            (S::Done, A::Accept),
        ] {
            let err = s.apply(a).unwrap_err();
            let DomainError::Rule(m) = err else {
                panic!("{s} {a}")
            };
            assert!(m.render().contains(s.label()), "{}", m.render());
        }
    }

    #[test]
    fn overdue_only_while_owed() {
        let d = date!(2026 - 11 - 20);
        assert!(RecipientState::Issued.overdue(d, TODAY));
        assert!(RecipientState::Accepted.overdue(d, TODAY));
        assert!(!RecipientState::Reported.overdue(d, TODAY));
        assert!(!RecipientState::Done.overdue(d, TODAY));
        assert!(!RecipientState::Issued.overdue(TODAY, TODAY));
    }

    #[test]
    fn task_fields_are_checked_in_chinese() {
        let err = NewTask::parse("", " ", None, None, "2026-11-01", &[], TODAY).unwrap_err();
        let DomainError::Invalid(fields) = err else {
            panic!()
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["title", "content", "deadline", "org_ids"]);
        assert!(fields[0].msg.render().contains("标题"));
        assert!(fields[2].msg.render().contains("期限"));
        assert!(fields[3].msg.render().contains("下级巡察机构"));
        let ok = NewTask::parse(
            "同步开展内部巡察",
            "各市县巡察办同步开展。",
            Some(" "),
            None,
            "2026-12-31",
            &[OrgId::new(3), OrgId::new(2), OrgId::new(3)],
            TODAY,
        )
        .unwrap();
        assert_eq!(ok.org_ids, [OrgId::new(2), OrgId::new(3)]);
        assert_eq!(ok.focus, None);
    }

    #[test]
    fn below_means_strictly_below() {
        assert!(is_below("/1/", "/1/5/"));
        assert!(!is_below("/1/", "/1/"));
        assert!(!is_below("/1/5/", "/1/6/"));
        assert!(!is_below("/1/5/", "/1/"));
    }

    #[test]
    fn every_label_is_chinese() {
        for s in RecipientState::ALL {
            assert_ne!(s.label(), s.code());
        }
        for a in RecipientAction::ALL {
            assert_ne!(a.label(), a.code());
        }
    }
}

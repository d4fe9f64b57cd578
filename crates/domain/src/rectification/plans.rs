//! 整改方案: measures as drafted, completeness, the principal leader's signature, and the
//! difference between two revisions.

use super::*;

/// One measure as the unit drafts it in its plan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeasureDraft {
    pub kind: MeasureKind,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: DeadlineSpec,
}

/// Validates one measure's raw fields; `field` prefixes the error names (e.g. `items[0].measures[1]`).
#[allow(clippy::too_many_arguments)]
pub fn parse_measure(
    field: &str,
    kind: &str,
    content: &str,
    target: &str,
    responsible_leader: &str,
    lead_dept: &str,
    co_depts: &[String],
    deadline: Option<&str>,
    deadline_working_days: Option<i64>,
) -> Result<MeasureDraft, Vec<FieldError>> {
    use crate::error::required_text;
    let mut errs = Vec::new();
    let f = |name: &str| format!("{field}.{name}");
    let relabel = |mut e: FieldError, name: &str| {
        e.field = f(name);
        e
    };
    let kind = MeasureKind::parse_field("kind", kind).map_err(|e| relabel(e, "kind"));
    let content = required_text("content", content, 2000).map_err(|e| relabel(e, "content"));
    let responsible = required_text("responsible_leader", responsible_leader, 50)
        .map_err(|e| relabel(e, "responsible_leader"));
    let lead = required_text("lead_dept", lead_dept, 100).map_err(|e| relabel(e, "lead_dept"));
    let deadline = parse_deadline("deadline", deadline, deadline_working_days)
        .map_err(|e| relabel(e, "deadline"));
    let target = target.trim().chars().take(1000).collect::<String>();
    let co: Vec<String> = co_depts
        .iter()
        .map(|d| d.trim().to_string())
        .filter(|d| !d.is_empty())
        .collect();
    match (kind, content, responsible, lead, deadline) {
        (Ok(kind), Ok(content), Ok(responsible_leader), Ok(lead_dept), Ok(deadline)) => {
            Ok(MeasureDraft {
                kind,
                content,
                target,
                responsible_leader,
                lead_dept,
                co_depts: co,
                deadline,
            })
        }
        (k, c, r, l, d) => {
            for e in [k.err(), c.err(), r.err(), l.err(), d.err()]
                .into_iter()
                .flatten()
            {
                errs.push(e);
            }
            Err(errs)
        }
    }
}

/// Every fed-back problem needs at least one measure before the plan is submitted.
pub fn check_plan_complete(finding_ids: &[i64], items: &[(i64, usize)]) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    for (i, id) in finding_ids.iter().enumerate() {
        let n = items.iter().find(|(f, _)| f == id).map_or(0, |(_, n)| *n);
        if n == 0 {
            errs.push(FieldError::new(
                &format!("items[{i}].measures"),
                Msg::new("rect.item_without_measure"),
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errs))
    }
}

/// The principal leader signs (签字背书) before the plan goes to review.
pub fn check_signed(principal_leader: &str, signed_on: Option<Date>) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    if principal_leader.trim().is_empty() {
        errs.push(FieldError::required("principal_leader"));
    }
    if signed_on.is_none() {
        errs.push(FieldError::required("signed_on"));
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errs))
    }
}

/// How one item changed between two plan revisions.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ItemChange {
    Added,
    Removed,
    Changed,
}

impl ItemChange {
    pub fn code(self) -> &'static str {
        match self {
            ItemChange::Added => "added",
            ItemChange::Removed => "removed",
            ItemChange::Changed => "changed",
        }
    }
}

/// Compares two revisions' items, each `(finding id, comparable measures)`; unchanged items are
/// left out.
pub fn diff_items<T: PartialEq + Clone>(
    before: &[(i64, Vec<T>)],
    after: &[(i64, Vec<T>)],
) -> Vec<(i64, ItemChange)> {
    let mut out = Vec::new();
    for (id, a) in after {
        match before.iter().find(|(b, _)| b == id) {
            None if !a.is_empty() => out.push((*id, ItemChange::Added)),
            None => {}
            Some((_, b)) if b.is_empty() && !a.is_empty() => out.push((*id, ItemChange::Added)),
            Some((_, b)) if !b.is_empty() && a.is_empty() => out.push((*id, ItemChange::Removed)),
            Some((_, b)) if b != a => out.push((*id, ItemChange::Changed)),
            Some(_) => {}
        }
    }
    for (id, b) in before {
        if !b.is_empty() && !after.iter().any(|(a, _)| a == id) {
            out.push((*id, ItemChange::Removed));
        }
    }
    out
}

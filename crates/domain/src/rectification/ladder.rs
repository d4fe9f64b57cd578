//! The escalation ladder of supervision letters (提醒函 → 督办函 → 约谈 → 通报 → 问责).

use super::*;

/// One rung of the escalation ladder (提醒函 → 督办函 → 约谈 → 通报 → 问责).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LetterRung {
    pub code: String,
    pub name: String,
    /// Issued once the oldest overdue item is this many working days past its deadline.
    pub after_overdue_days: i64,
}

pub fn default_ladder() -> Vec<LetterRung> {
    [
        ("reminder", "提醒函", 0),
        ("supervision", "督办函", 5),
        ("admonition", "约谈通知", 15),
        ("circular", "通报", 30),
        ("accountability", "问责建议函", 60),
    ]
    .into_iter()
    .map(|(c, n, d)| LetterRung {
        code: c.to_string(),
        name: n.to_string(),
        after_overdue_days: d,
    })
    .collect()
}

/// The next letter for a unit whose most overdue item is `overdue_days` working days late and
/// which has already received `issued` (codes): the highest rung reached that was not issued yet
/// and is above every rung already issued.
pub fn next_letter<'a>(
    ladder: &'a [LetterRung],
    overdue_days: i64,
    issued: &[String],
) -> Option<&'a LetterRung> {
    if overdue_days <= 0 {
        return None;
    }
    let top_issued = ladder.iter().rposition(|r| issued.contains(&r.code));
    let reached = ladder
        .iter()
        .rposition(|r| overdue_days >= r.after_overdue_days.max(1))?;
    match top_issued {
        Some(t) if t >= reached => None,
        Some(t) => ladder.get(t + 1),
        None => ladder.first(),
    }
}

/// Validates the configured ladder: codes unique, days non-decreasing.
pub fn check_ladder(ladder: &[LetterRung]) -> Result<(), DomainError> {
    let mut errs = Vec::new();
    if ladder.is_empty() {
        errs.push(FieldError::required("letter_ladder"));
    }
    for (i, r) in ladder.iter().enumerate() {
        if r.code.trim().is_empty() || r.name.trim().is_empty() {
            errs.push(FieldError::required(&format!("letter_ladder[{i}].name")));
        }
        if ladder[..i].iter().any(|o| o.code == r.code) {
            errs.push(FieldError::new(
                &format!("letter_ladder[{i}].code"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &r.code),
            ));
        }
        if i > 0 && r.after_overdue_days < ladder[i - 1].after_overdue_days {
            errs.push(FieldError::new(
                &format!("letter_ladder[{i}].after_overdue_days"),
                Msg::new("rect.ladder_order"),
            ));
        }
    }
    if errs.is_empty() {
        Ok(())
    } else {
        Err(DomainError::Invalid(errs))
    }
}

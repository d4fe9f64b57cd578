//! Deadlines and the three-colour early warning: parsing a deadline, the bounds of a measure's
//! deadline, when a measure is overdue, and new deadlines set by letters.

use super::*;

code_enum!(
    /// 三色预警: green well before the deadline, yellow close to it, red past it.
    Warning, "warning.", {
        Green => "green",
        Yellow => "yellow",
        Red => "red",
    }
);

/// Thresholds of the early warning in working days before the deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarningPolicy {
    /// Yellow when this many working days or fewer remain.
    pub yellow_within: i64,
}

impl Default for WarningPolicy {
    fn default() -> Self {
        WarningPolicy { yellow_within: 5 }
    }
}

impl WarningPolicy {
    /// The colour of an open item with `deadline` on `today`; closed items have none.
    pub fn colour(
        &self,
        deadline: Date,
        today: Date,
        calendar: &Calendar,
        closed: bool,
    ) -> Option<Warning> {
        if closed {
            return None;
        }
        let left = calendar.working_days_between(today, deadline);
        Some(if today > deadline {
            Warning::Red
        } else if left <= self.yellow_within {
            Warning::Yellow
        } else {
            Warning::Green
        })
    }
}

/// Parses a deadline given either as a date or as a number of working days.
pub fn parse_deadline(
    field: &str,
    date: Option<&str>,
    working_days: Option<i64>,
) -> Result<DeadlineSpec, FieldError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    match (date.map(str::trim).filter(|s| !s.is_empty()), working_days) {
        (Some(d), _) => Date::parse(d, &fmt)
            .ok()
            .filter(|d| crate::limits::year_ok(d.year()))
            .map(DeadlineSpec::Date)
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    Msg::new("validation.unknown_value")
                        .arg("field", format!("field.{field}"))
                        .arg("value", d)
                        .arg("allowed", "YYYY-MM-DD"),
                )
            }),
        (None, Some(n)) if (1..=3650).contains(&n) => {
            Ok(DeadlineSpec::WorkingDays(u32::try_from(n).unwrap_or(1)))
        }
        (None, Some(_)) => Err(FieldError::new(
            field,
            Msg::new("validation.out_of_range")
                .arg("field", format!("field.{field}"))
                .arg("min", 1)
                .arg("max", 3650),
        )),
        (None, None) => Err(FieldError::required(field)),
    }
}

/// A measure counts as overdue while it is not done, its item's deadline runs (not closed or
/// long-term) and its own deadline has passed.
pub fn measure_overdue(
    state: MeasureState,
    deadline: Date,
    item: FindingState,
    today: Date,
) -> bool {
    state == MeasureState::Open
        && !matches!(item, FindingState::Closed | FindingState::LongTerm)
        && deadline < today
}

/// The longest span a plan may set for a measure: five years from feedback (one 届).
pub const MEASURE_MAX_YEARS: i32 = 5;

/// A plan measure's deadline falls after the feedback date and within the allowed span: a
/// 立行立改 measure within the 集中整改 period (`rectification_due`, when set), any other within
/// [`MEASURE_MAX_YEARS`] of feedback.
pub fn check_measure_deadline(
    field: &str,
    kind: MeasureKind,
    deadline: Date,
    feedback: Date,
    rectification_due: Option<Date>,
) -> Result<(), FieldError> {
    if deadline <= feedback {
        return Err(FieldError::new(
            field,
            Msg::new("rect.deadline_before_feedback").arg("date", feedback.to_string()),
        ));
    }
    if kind == MeasureKind::Immediate
        && let Some(due) = rectification_due
        && deadline > due
    {
        return Err(FieldError::new(
            field,
            Msg::new("rect.immediate_after_period").arg("date", due.to_string()),
        ));
    }
    let max = feedback
        .replace_year(feedback.year() + MEASURE_MAX_YEARS)
        .unwrap_or(feedback + time::Duration::days(365 * i64::from(MEASURE_MAX_YEARS)));
    if deadline > max {
        return Err(FieldError::new(
            field,
            Msg::new("rect.deadline_too_far").arg("date", max.to_string()),
        ));
    }
    Ok(())
}

/// A new deadline set by a letter lies after today.
pub fn check_after_today(field: &str, date: Date, today: Date) -> Result<(), FieldError> {
    if date <= today {
        return Err(FieldError::new(
            field,
            Msg::new("rect.date_not_after_today").arg("field", format!("field.{field}")),
        ));
    }
    Ok(())
}

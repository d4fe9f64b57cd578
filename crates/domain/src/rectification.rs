//! Rectification (整改): measures, outcomes, the working-day calendar, early warnings and the
//! statistics of domain.md §10.

use std::collections::BTreeSet;

use time::{Date, Duration, Weekday};

use crate::i18n::Msg;
use crate::inspection::rate;
use crate::org::code_enum;
use crate::{DomainError, FieldError};

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

/// A working-day calendar: weekends are off, except 调休 make-up working days; listed holidays
/// are off.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Calendar {
    holidays: BTreeSet<Date>,
    workdays: BTreeSet<Date>,
}

/// One line of an imported holiday list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DayKind {
    /// A public holiday (放假).
    Holiday,
    /// A weekend day that is a working day (调休上班).
    Workday,
}

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (Date, DayKind)>) -> Self {
        let mut c = Calendar::default();
        for (d, k) in days {
            match k {
                DayKind::Holiday => {
                    c.workdays.remove(&d);
                    c.holidays.insert(d);
                }
                DayKind::Workday => {
                    c.holidays.remove(&d);
                    c.workdays.insert(d);
                }
            }
        }
        c
    }

    pub fn is_working_day(&self, d: Date) -> bool {
        if self.workdays.contains(&d) {
            return true;
        }
        if self.holidays.contains(&d) {
            return false;
        }
        !matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday)
    }

    /// The date `n` working days after `start` (the start day itself does not count).
    pub fn add_working_days(&self, start: Date, n: u32) -> Date {
        let mut d = start;
        let mut left = n;
        while left > 0 {
            d += Duration::days(1);
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        d
    }

    /// Working days from `from` (exclusive) to `to` (inclusive); negative when `to` is earlier.
    pub fn working_days_between(&self, from: Date, to: Date) -> i64 {
        let (a, b, sign) = if to >= from {
            (from, to, 1)
        } else {
            (to, from, -1)
        };
        let mut n = 0;
        let mut d = a;
        while d < b {
            d += Duration::days(1);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        sign * n
    }
}

/// A deadline as people set it: a date, or N working days / calendar days from a start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeadlineSpec {
    Date(Date),
    WorkingDays(u32),
    CalendarDays(u32),
}

impl DeadlineSpec {
    pub fn resolve(self, start: Date, calendar: &Calendar) -> Date {
        match self {
            DeadlineSpec::Date(d) => d,
            DeadlineSpec::WorkingDays(n) => calendar.add_working_days(start, n),
            DeadlineSpec::CalendarDays(n) => start + Duration::days(i64::from(n)),
        }
    }
}

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

/// What the statistics need to know about one fed-back problem.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ItemFacts {
    pub closed: bool,
    /// Closed with a long-term remainder (阶段性成效, 持续整改).
    pub long_term: bool,
    /// The (current) deadline.
    pub deadline: Option<Date>,
    /// When it was closed (销号).
    pub closed_on: Option<Date>,
    /// How many times its deadline was extended.
    pub extensions: i64,
}

/// The rectification figures of domain.md §10 for a set of fed-back problems on `today`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RectStats {
    pub total: i64,
    pub completed: i64,
    /// 整改完成率: completed ÷ total fed back, percent.
    pub completion_rate: f64,
    /// Problems whose deadline has passed.
    pub due: i64,
    pub completed_on_time: i64,
    /// 按期整改率: completed on or before the deadline ÷ problems whose deadline has passed.
    pub on_time_rate: f64,
    pub open: i64,
    /// 逾期数: open problems past their deadline.
    pub overdue: i64,
    /// 逾期率: overdue ÷ open.
    pub overdue_rate: f64,
    /// 阶段性 / 持续整改数.
    pub long_term: i64,
    /// Problems whose deadline was extended, and the extensions granted.
    pub extended: i64,
    pub extensions: i64,
}

pub fn rect_stats(items: &[ItemFacts], today: Date) -> RectStats {
    let total = i64::try_from(items.len()).unwrap_or(0);
    let count = |f: &dyn Fn(&ItemFacts) -> bool| {
        i64::try_from(items.iter().filter(|i| f(i)).count()).unwrap_or(0)
    };
    let completed = count(&|i| i.closed);
    let due = count(&|i| i.deadline.is_some_and(|d| d < today));
    let completed_on_time = count(&|i| {
        i.closed
            && i.deadline.is_some_and(|d| d < today)
            && i.closed_on.zip(i.deadline).is_some_and(|(c, d)| c <= d)
    });
    let open = total - completed;
    let overdue = count(&|i| !i.closed && i.deadline.is_some_and(|d| d < today));
    RectStats {
        total,
        completed,
        completion_rate: rate(completed, total),
        due,
        completed_on_time,
        on_time_rate: rate(completed_on_time, due),
        open,
        overdue,
        overdue_rate: rate(overdue, open),
        long_term: count(&|i| i.long_term),
        extended: count(&|i| i.extensions > 0),
        extensions: items.iter().map(|i| i.extensions).sum(),
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
        (Some(d), _) => Date::parse(d, &fmt).map(DeadlineSpec::Date).map_err(|_| {
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

/// A write-off needs evidence.
pub fn check_write_off_request(evidence_count: usize) -> Result<(), DomainError> {
    if evidence_count == 0 {
        return Err(DomainError::field(
            "evidence",
            Msg::new("rect.write_off_needs_evidence"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn item(closed: bool, deadline: Option<Date>, closed_on: Option<Date>) -> ItemFacts {
        ItemFacts {
            closed,
            long_term: false,
            deadline,
            closed_on,
            extensions: 0,
        }
    }

    #[test]
    fn published_completion_rates_are_reproduced() {
        let today = date!(2023 - 01 - 29);
        // 昆明: 697 problems fed back, 688 completed → 98.71%.
        let mut v: Vec<ItemFacts> = (0..688).map(|_| item(true, None, None)).collect();
        v.extend((0..9).map(|_| item(false, None, None)));
        let s = rect_stats(&v, today);
        assert_eq!((s.total, s.completed), (697, 688));
        assert!(
            (s.completion_rate - 98.71).abs() < 1e-9,
            "{}",
            s.completion_rate
        );
        // 吴川: 25 problems, 19 completed → 76%.
        let mut w: Vec<ItemFacts> = (0..19).map(|_| item(true, None, None)).collect();
        w.extend((0..6).map(|_| item(false, None, None)));
        assert!((rect_stats(&w, today).completion_rate - 76.0).abs() < 1e-9);
    }

    #[test]
    fn on_time_overdue_long_term_and_extensions() {
        let today = date!(2026 - 06 - 01);
        let v = vec![
            item(
                true,
                Some(date!(2026 - 05 - 01)),
                Some(date!(2026 - 04 - 20)),
            ), // due, on time
            item(
                true,
                Some(date!(2026 - 05 - 01)),
                Some(date!(2026 - 05 - 10)),
            ), // due, late
            item(false, Some(date!(2026 - 05 - 15)), None), // overdue
            item(false, Some(date!(2026 - 07 - 01)), None), // open, not due
            ItemFacts {
                closed: true,
                long_term: true,
                deadline: Some(date!(2026 - 12 - 31)),
                closed_on: Some(date!(2026 - 05 - 30)),
                extensions: 2,
            },
        ];
        let s = rect_stats(&v, today);
        assert_eq!((s.due, s.completed_on_time), (3, 1));
        assert!((s.on_time_rate - 33.33).abs() < 1e-9);
        assert_eq!((s.open, s.overdue), (2, 1));
        assert!((s.overdue_rate - 50.0).abs() < 1e-9);
        assert_eq!((s.long_term, s.extended, s.extensions), (1, 1, 2));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        // 2026 National Day: 10-01..10-07 off; Sunday 09-27 and Saturday 10-10 are make-up working days.
        let mut days: Vec<(Date, DayKind)> = (1..=7)
            .map(|d| {
                (
                    Date::from_calendar_date(2026, time::Month::October, d).unwrap(),
                    DayKind::Holiday,
                )
            })
            .collect();
        days.push((date!(2026 - 09 - 27), DayKind::Workday));
        days.push((date!(2026 - 10 - 10), DayKind::Workday));
        let c = Calendar::new(days);
        assert!(c.is_working_day(date!(2026 - 09 - 27)));
        assert!(!c.is_working_day(date!(2026 - 10 - 05)));
        assert!(!c.is_working_day(date!(2026 - 10 - 11)));
        // From Wednesday 09-30, 3 working days: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, 调休).
        assert_eq!(
            c.add_working_days(date!(2026 - 09 - 30), 3),
            date!(2026 - 10 - 10)
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 09 - 30), date!(2026 - 10 - 10)),
            3
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 10 - 10), date!(2026 - 09 - 30)),
            -3
        );
        // 15 working days after feedback on Monday 2026-11-02: Monday 2026-11-23.
        assert_eq!(
            DeadlineSpec::WorkingDays(15).resolve(date!(2026 - 11 - 02), &Calendar::default()),
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn three_colour_warning() {
        let c = Calendar::default();
        let p = WarningPolicy::default();
        let today = date!(2026 - 11 - 02); // Monday
        assert_eq!(
            p.colour(date!(2026 - 11 - 30), today, &c, false),
            Some(Warning::Green)
        );
        assert_eq!(
            p.colour(date!(2026 - 11 - 06), today, &c, false),
            Some(Warning::Yellow)
        );
        assert_eq!(
            p.colour(date!(2026 - 11 - 01), today, &c, false),
            Some(Warning::Red)
        );
        assert_eq!(p.colour(date!(2026 - 11 - 01), today, &c, true), None);
    }

    #[test]
    fn deadlines_parse_from_date_or_working_days() {
        assert_eq!(
            parse_deadline("deadline", Some("2026-12-31"), None),
            Ok(DeadlineSpec::Date(date!(2026 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline("deadline", None, Some(15)),
            Ok(DeadlineSpec::WorkingDays(15))
        );
        assert!(parse_deadline("deadline", None, Some(0)).is_err());
        assert!(
            parse_deadline("deadline", Some("31/12/2026"), None)
                .unwrap_err()
                .msg
                .render()
                .contains("31/12/2026")
        );
        assert!(parse_deadline("deadline", None, None).is_err());
        assert!(check_write_off_request(0).is_err());
    }
}

//! The working-day calendar (weekends, holidays, 调休 make-up days) and deadlines as people set them.

use super::*;

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

/// Parses a holiday-list cell: 放假 / 调休上班 (or the codes).
pub fn parse_day_kind(text: &str) -> Option<DayKind> {
    match text.trim() {
        "放假" | "节假日" | "休息" | "holiday" => Some(DayKind::Holiday),
        "调休上班" | "上班" | "补班" | "调休" | "workday" => Some(DayKind::Workday),
        _ => None,
    }
}

impl DayKind {
    pub const ALL: &'static [DayKind] = &[DayKind::Holiday, DayKind::Workday];

    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

//! The rectification figures of domain.md §10.

use super::*;

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

/// The §10 figures from counts aggregated elsewhere (the store's GROUP BY).
#[allow(clippy::too_many_arguments)]
pub fn stats_from_counts(
    total: i64,
    completed: i64,
    due: i64,
    completed_on_time: i64,
    overdue: i64,
    long_term: i64,
    extended: i64,
    extensions: i64,
) -> RectStats {
    let open = total - completed;
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
        long_term,
        extended,
        extensions,
    }
}

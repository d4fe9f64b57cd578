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

/// A measure counts as overdue while it is not done, its item's deadline runs (not closed or
/// long-term) and its own deadline has passed.
pub fn measure_overdue(done: bool, deadline: Date, item: FindingState, today: Date) -> bool {
    !done && !matches!(item, FindingState::Closed | FindingState::LongTerm) && deadline < today
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

/// 申请销号 is possible from a workable state, with an outcome that closes the item.
pub fn check_write_off(state: FindingState, outcome: Outcome) -> Result<(), DomainError> {
    if !is_workable(state) {
        return Err(DomainError::Rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    if !matches!(outcome, Outcome::Completed | Outcome::BasicallyCompleted) {
        return Err(DomainError::field(
            "outcome",
            Msg::new("rect.write_off_outcome"),
        ));
    }
    Ok(())
}

/// The state a verified or returned write-off leaves its finding in.
pub fn after_write_off(
    decision: ReviewDecision,
    outcome: Outcome,
    from: FindingState,
) -> FindingState {
    match (decision, outcome) {
        (ReviewDecision::Approve, Outcome::Completed) => FindingState::Closed,
        (ReviewDecision::Approve, _) => FindingState::LongTerm,
        (ReviewDecision::Return, _) => from,
    }
}

/// The catalogue key of the notification title that tells the unit how its write-off request
/// ended: verified and closed, verified into 持续整改 (long term), or returned.
pub fn write_off_notice(decision: ReviewDecision, to: FindingState) -> &'static str {
    match (decision, to) {
        (ReviewDecision::Return, _) => "notice.write_off.returned",
        (ReviewDecision::Approve, FindingState::LongTerm) => "notice.write_off.long_term",
        (ReviewDecision::Approve, _) => "notice.write_off.closed",
    }
}

/// The catalogue key of the notification title for a decided extension request.
pub fn extension_notice(approved: bool) -> &'static str {
    if approved {
        "notice.extension.approved"
    } else {
        "notice.extension.rejected"
    }
}

/// 回头看 reopens a closed (or long-term) item; history is kept, the state moves on.
pub fn check_reopen(state: FindingState) -> Result<(), DomainError> {
    if matches!(state, FindingState::Closed | FindingState::LongTerm) {
        Ok(())
    } else {
        Err(rule("rect.reopen_not_closed"))
    }
}

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

/// 会审: the plan is returned when any body returns it, approved when every configured body's
/// latest decision approves it, and stays under review otherwise.
pub fn review_result(bodies: &[String], latest: &[(String, ReviewDecision)]) -> PlanState {
    if latest.iter().any(|(_, d)| *d == ReviewDecision::Return) {
        return PlanState::Returned;
    }
    let approved = |b: &String| {
        latest
            .iter()
            .any(|(body, d)| body == b && *d == ReviewDecision::Approve)
    };
    if !bodies.is_empty() && bodies.iter().all(approved) {
        PlanState::Approved
    } else {
        PlanState::Submitted
    }
}

/// Who a reviewing body is, read from its configured name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewBodyKind {
    /// 巡察组: the team that inspected the unit.
    Team,
    /// 巡察办: the office that runs the round.
    Office,
    /// Any other body (纪委监委, 组织部, 宣传部 …): a department of the party committee whose
    /// office runs the round, found by its name.
    Department,
}

pub fn review_body_kind(name: &str) -> ReviewBodyKind {
    let n = name.trim();
    if n.contains("巡察组") || n.contains("巡视组") {
        ReviewBodyKind::Team
    } else if n.contains("巡察办") || n.contains("巡视办") || n.contains("巡察机构") {
        ReviewBodyKind::Office
    } else {
        ReviewBodyKind::Department
    }
}

/// What makes a user a member of a reviewing body for one plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewerStanding {
    /// On the team assigned to the unit, holding the review permission.
    pub on_team: bool,
    /// The office running the round: the office permission and the review permission.
    pub office: bool,
    /// The name of the user's organisation when it is a department directly under the
    /// organisation that runs the round (and not the inspected unit itself).
    pub department: Option<String>,
}

/// 会审 decides through each body's own members: the team through its members, the office
/// through its staff, 纪委监委 or 组织部 through the users of that department (never one body
/// by proxy for another).
pub fn may_decide_for(body: &str, s: &ReviewerStanding) -> bool {
    match review_body_kind(body) {
        ReviewBodyKind::Team => s.on_team,
        ReviewBodyKind::Office => s.office,
        ReviewBodyKind::Department => s
            .department
            .as_deref()
            .is_some_and(|org| !body.trim().is_empty() && org.contains(body.trim())),
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

/// Evidence files: allowed types, checked against the bytes, and a size limit.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// Checks an uploaded evidence file and returns its media type.
pub fn check_evidence(name: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let zip = starts(b"PK\x03\x04");
    let ole = starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let (ok, media) = match ext.as_str() {
        "pdf" => (starts(b"%PDF-"), "application/pdf"),
        "jpg" | "jpeg" => (starts(&[0xFF, 0xD8, 0xFF]), "image/jpeg"),
        "png" => (starts(b"\x89PNG\r\n\x1a\n"), "image/png"),
        "docx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "zip" => (zip, "application/zip"),
        "ofd" => (zip, "application/ofd"),
        "doc" => (ole, "application/msword"),
        "xls" => (ole, "application/vnd.ms-excel"),
        _ => {
            return Err(FieldError::new(
                "file",
                Msg::new("rect.file_type").arg("name", name),
            ));
        }
    };
    if bytes.is_empty() {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_empty").arg("name", name),
        ));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_too_large")
                .arg("name", name)
                .arg("max", MAX_EVIDENCE_BYTES / 1024 / 1024),
        ));
    }
    if !ok {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_mismatch").arg("name", name),
        ));
    }
    Ok(media)
}

/// A file name safe to store and to put in an archive: no directories, no control characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_string()
    } else {
        cleaned
    }
}

/// Settings of rectification supervision (stored as configuration, domain.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectSettings {
    pub review_bodies: Vec<String>,
    pub yellow_within: i64,
    pub plan_due_working_days: i64,
    pub long_term_report_months: i64,
    pub letter_ladder: Vec<LetterRung>,
}

impl Default for RectSettings {
    fn default() -> Self {
        RectSettings {
            review_bodies: vec!["巡察组".to_string(), "巡察办".to_string()],
            yellow_within: WarningPolicy::default().yellow_within,
            plan_due_working_days: 15,
            long_term_report_months: 3,
            letter_ladder: default_ladder(),
        }
    }
}

impl RectSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errs = Vec::new();
        let bodies: Vec<&String> = self
            .review_bodies
            .iter()
            .filter(|b| !b.trim().is_empty())
            .collect();
        if bodies.is_empty() {
            errs.push(FieldError::required("review_bodies"));
        }
        for (field, v, min, max) in [
            ("yellow_within", self.yellow_within, 0, 60),
            ("plan_due_working_days", self.plan_due_working_days, 1, 120),
            (
                "long_term_report_months",
                self.long_term_report_months,
                1,
                12,
            ),
        ] {
            if !(min..=max).contains(&v) {
                errs.push(FieldError::new(
                    field,
                    Msg::new("validation.out_of_range")
                        .arg("field", format!("field.{field}"))
                        .arg("min", min)
                        .arg("max", max),
                ));
            }
        }
        if let Err(DomainError::Invalid(e)) = check_ladder(&self.letter_ladder) {
            errs.extend(e);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errs))
        }
    }

    pub fn warning_policy(&self) -> WarningPolicy {
        WarningPolicy {
            yellow_within: self.yellow_within,
        }
    }
}

/// The 明白账 steps (报告报账 → 反馈交账 → 移交转账 → 督办查账 → 整改销账).
pub const TRAIL_STEPS: [(&str, &str); 5] = [
    ("report", "报告报账"),
    ("handover", "反馈交账"),
    ("transfer", "移交转账"),
    ("check", "督办查账"),
    ("write_off", "整改销账"),
];

/// Parses a holiday-list cell: 放假 / 调休上班 (or the codes).
pub fn parse_day_kind(text: &str) -> Option<DayKind> {
    match text.trim() {
        "放假" | "节假日" | "休息" | "holiday" => Some(DayKind::Holiday),
        "调休上班" | "上班" | "补班" | "调休" | "workday" => Some(DayKind::Workday),
        _ => None,
    }
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
}

/// Amounts are integer fen; 元 with two decimals for people.
pub fn fen_to_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// The zh-CN messages of rectification.
pub static ZH_CN_RECT: &[(&str, &str)] = &[
    ("rect.not_found", "整改事项不存在或无权访问"),
    ("rect.write_off_needs_evidence", "申请销号须附佐证材料"),
    ("measure_kind.immediate", "立行立改"),
    ("measure_kind.deadline", "限期整改"),
    ("measure_kind.long_term", "长期坚持"),
    ("outcome.completed", "已完成"),
    (
        "outcome.basically_completed",
        "基本完成（阶段性成效，持续整改）",
    ),
    ("outcome.in_progress", "正在整改"),
    ("outcome.not_completed", "未完成"),
    ("warning.green", "绿色（正常）"),
    ("warning.yellow", "黄色（临期）"),
    ("warning.red", "红色（逾期）"),
    ("plan_state.DRAFT", "草稿"),
    ("plan_state.SUBMITTED", "会审中"),
    ("plan_state.RETURNED", "退回修改"),
    ("plan_state.APPROVED", "已审定"),
    ("review_decision.approve", "同意"),
    ("review_decision.return", "退回修改"),
    ("notice.write_off.closed", "销号申请核验通过，问题已销号"),
    (
        "notice.write_off.long_term",
        "销号申请核验通过，转入持续整改",
    ),
    ("notice.write_off.returned", "销号申请被退回"),
    ("notice.extension.approved", "延期申请已批准"),
    ("notice.extension.rejected", "延期申请未获批准"),
    ("measure_state.OPEN", "整改中"),
    ("measure_state.DONE", "已完成"),
    ("measure_state.overdue", "已逾期"),
    ("write_off_state.REQUESTED", "待核验"),
    ("write_off_state.VERIFIED", "已销号"),
    ("write_off_state.RETURNED", "已退回"),
    ("extension_state.PENDING", "待审批"),
    ("extension_state.APPROVED", "已批准"),
    ("extension_state.REJECTED", "未批准"),
    ("outcome_kind.rule", "建章立制"),
    ("outcome_kind.money_returned", "退缴金额"),
    ("outcome_kind.loss_recovered", "挽回损失"),
    ("outcome_kind.accountability", "问责处理"),
    ("report_kind.rect_report", "整改情况报告"),
    ("report_kind.life_meeting", "专题民主生活会"),
    ("report_kind.periodic", "长期整改定期报告"),
    (
        "rect.not_workable",
        "问题当前状态为“{state}”，不能进行此操作",
    ),
    (
        "rect.write_off_outcome",
        "申请销号时整改成效须为“已完成”或“基本完成”",
    ),
    (
        "rect.reopen_not_closed",
        "只有已销号或持续整改的问题才能在回头看中重新打开",
    ),
    ("rect.item_without_measure", "每个问题至少要有一项整改措施"),
    ("rect.ladder_order", "督办层级的逾期天数须逐级递增"),
    (
        "rect.file_type",
        "文件“{name}”的类型不允许，只能上传 PDF、图片、Word、Excel、OFD 或 ZIP",
    ),
    ("rect.file_empty", "文件“{name}”是空文件"),
    ("rect.file_too_large", "文件“{name}”超过{max}MB"),
    ("rect.file_mismatch", "文件“{name}”的内容与扩展名不符"),
    (
        "rect.plan_not_editable",
        "整改方案当前状态为“{state}”，不能修改",
    ),
    ("rect.plan_not_submitted", "整改方案不在会审中"),
    ("rect.unit_not_fed_back", "该单位尚未反馈，不能制定整改方案"),
    ("rect.unknown_body", "“{body}”不是已配置的会审单位"),
    (
        "rect.deadline_before_feedback",
        "整改时限须晚于反馈日期（{date}）",
    ),
    (
        "rect.immediate_after_period",
        "立行立改措施的时限不得晚于集中整改期限（{date}）",
    ),
    (
        "rect.deadline_too_far",
        "整改时限不得晚于反馈后五年（{date}）",
    ),
    (
        "rect.measure_item_not_open",
        "该问题不在整改中，不能报告措施完成",
    ),
    ("rect.measure_done_already", "该措施已完成"),
    (
        "rect.not_body_member",
        "您不是“{body}”的成员，不能代其作出会审决定",
    ),
    (
        "rect.unknown_finding",
        "问题（编号{id}）不属于本单位的问题清单",
    ),
    ("rect.write_off_pending", "该问题已有待核验的销号申请"),
    ("rect.write_off_decided", "该销号申请已处理"),
    ("rect.reason_required", "退回时须说明理由"),
    ("rect.extension_decided", "该延期申请已处理"),
    (
        "rect.extension_not_later",
        "新的整改时限须晚于当前时限{current}",
    ),
    ("rect.extension_pending", "该措施已有待审批的延期申请"),
    ("rect.future_date", "{field}不能晚于今天"),
    ("rect.no_overdue", "该单位没有逾期问题，无需发函"),
    (
        "rect.not_overdue",
        "“{title}”未逾期或已销号，不能列入督办函件",
    ),
    (
        "rect.letter_not_allowed",
        "督办须逐级进行：按督办层级，现在只能发出{allowed}",
    ),
    (
        "rect.letter_not_due",
        "督办层级已用尽或尚未到期，现在不能发出督办函件",
    ),
    ("rect.date_not_after_today", "{field}须晚于今天"),
    ("rect.unknown_letter", "督办层级“{code}”未配置"),
    ("rect.report_filed", "该报告已报备"),
    ("rect.import_no_unit", "导入须指定已反馈的巡察对象"),
    ("field.principal_leader", "主要负责人"),
    ("field.signed_on", "签字日期"),
    ("field.content", "内容"),
    ("field.target", "整改目标"),
    ("field.responsible_leader", "责任领导"),
    ("field.lead_dept", "牵头部门"),
    ("field.effective_date", "生效日期"),
    ("field.outcome", "整改成效"),
    ("field.explanation", "说明"),
    ("field.reason", "理由"),
    ("field.new_deadline", "新的整改时限"),
    ("field.review_bodies", "会审单位"),
    ("field.yellow_within", "黄色预警天数"),
    ("field.plan_due_working_days", "整改方案报送时限"),
    ("field.long_term_report_months", "长期整改报告周期"),
    ("field.letter_ladder", "督办层级"),
    ("field.amount_fen", "金额"),
    ("field.detail", "内容"),
    ("field.opinion", "意见"),
    ("field.bodies", "会审单位"),
    ("field.measure_id", "整改措施"),
    ("field.email", "电子邮箱"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_measure_deadlines_fall_after_feedback_within_the_span() {
        let fb = date!(2026 - 11 - 20);
        let due = Some(date!(2027 - 02 - 20));
        let ok = |k, d| check_measure_deadline("d", k, d, fb, due).is_ok();
        assert!(!ok(MeasureKind::Deadline, fb));
        assert!(ok(MeasureKind::Deadline, date!(2026 - 11 - 21)));
        assert!(ok(MeasureKind::Immediate, date!(2027 - 02 - 20)));
        assert!(!ok(MeasureKind::Immediate, date!(2027 - 02 - 21)));
        assert!(ok(MeasureKind::LongTerm, date!(2031 - 11 - 20)));
        assert!(!ok(MeasureKind::LongTerm, date!(2031 - 11 - 21)));
    }

    #[test]
    fn each_body_decides_through_its_own_members() {
        let office = ReviewerStanding {
            office: true,
            ..ReviewerStanding::default()
        };
        let team = ReviewerStanding {
            on_team: true,
            ..ReviewerStanding::default()
        };
        let discipline = ReviewerStanding {
            department: Some("江岭省纪委监委".into()),
            ..ReviewerStanding::default()
        };
        assert!(may_decide_for("巡察办", &office));
        assert!(!may_decide_for("巡察组", &office));
        assert!(!may_decide_for("纪委监委", &office));
        assert!(may_decide_for("巡察组", &team));
        assert!(!may_decide_for("巡察办", &team));
        assert!(may_decide_for("纪委监委", &discipline));
        assert!(!may_decide_for("组织部", &discipline));
        assert!(!may_decide_for("巡察组", &discipline));
        assert_eq!(review_body_kind("省委巡视组"), ReviewBodyKind::Team);
        assert_eq!(review_body_kind("组织部"), ReviewBodyKind::Department);
    }
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

#[cfg(test)]
mod rule_tests {
    use super::*;
    use crate::inspection::FindingState as F;

    #[test]
    fn review_needs_every_body_and_any_return_returns() {
        let bodies = vec!["巡察组".to_string(), "巡察办".to_string()];
        let a = |b: &str, d| (b.to_string(), d);
        assert_eq!(
            review_result(&bodies, &[a("巡察组", ReviewDecision::Approve)]),
            PlanState::Submitted
        );
        assert_eq!(
            review_result(
                &bodies,
                &[
                    a("巡察组", ReviewDecision::Approve),
                    a("巡察办", ReviewDecision::Return)
                ]
            ),
            PlanState::Returned
        );
        assert_eq!(
            review_result(
                &bodies,
                &[
                    a("巡察组", ReviewDecision::Approve),
                    a("巡察办", ReviewDecision::Approve)
                ]
            ),
            PlanState::Approved
        );
    }

    #[test]
    fn write_off_paths() {
        assert!(check_write_off(F::InProgress, Outcome::Completed).is_ok());
        assert!(check_write_off(F::FedBack, Outcome::Completed).is_err());
        assert!(check_write_off(F::InProgress, Outcome::NotCompleted).is_err());
        assert_eq!(
            after_write_off(ReviewDecision::Approve, Outcome::Completed, F::InProgress),
            F::Closed
        );
        assert_eq!(
            after_write_off(
                ReviewDecision::Approve,
                Outcome::BasicallyCompleted,
                F::InProgress
            ),
            F::LongTerm
        );
        assert_eq!(
            after_write_off(ReviewDecision::Return, Outcome::Completed, F::Reopened),
            F::Reopened
        );
        assert!(check_reopen(F::Closed).is_ok());
        assert!(check_reopen(F::InProgress).is_err());
    }

    #[test]
    fn measures_are_validated_field_by_field() {
        let errs = parse_measure("items[0].measures[0]", "x", "", "", "", "", &[], None, None)
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[0].measures[0].kind",
                "items[0].measures[0].content",
                "items[0].measures[0].responsible_leader",
                "items[0].measures[0].lead_dept",
                "items[0].measures[0].deadline"
            ]
        );
        assert!(errs[1].msg.render().contains("内容"));
        let ok = parse_measure(
            "m",
            "限期整改",
            "修订制度",
            "",
            "张三",
            "办公室",
            &[" 财务处 ".to_string(), String::new()],
            None,
            Some(15),
        )
        .unwrap();
        assert_eq!(ok.kind, MeasureKind::Deadline);
        assert_eq!(ok.co_depts, ["财务处"]);
        assert!(check_plan_complete(&[1, 2], &[(1, 1)]).is_err());
        assert!(check_plan_complete(&[1, 2], &[(1, 1), (2, 3)]).is_ok());
        assert!(check_signed("", None).is_err());
    }

    #[test]
    fn diff_marks_added_removed_and_changed_items() {
        let before = vec![(1, vec!["a"]), (2, vec!["b"]), (3, vec!["c"])];
        let after = vec![(1, vec!["a"]), (2, vec!["b2"]), (4, vec!["d"])];
        let d = diff_items(&before, &after);
        assert_eq!(
            d,
            [
                (2, ItemChange::Changed),
                (4, ItemChange::Added),
                (3, ItemChange::Removed)
            ]
        );
    }

    #[test]
    fn the_ladder_climbs_one_rung_at_a_time() {
        let l = default_ladder();
        assert_eq!(next_letter(&l, 0, &[]), None);
        assert_eq!(next_letter(&l, 1, &[]).unwrap().code, "reminder");
        assert_eq!(next_letter(&l, 1, &["reminder".into()]), None);
        assert_eq!(
            next_letter(&l, 20, &["reminder".into()]).unwrap().code,
            "supervision"
        );
        assert_eq!(next_letter(&l, 100, &[]).unwrap().code, "reminder");
        let mut bad = l.clone();
        bad[1].after_overdue_days = -1;
        assert!(check_ladder(&bad).is_err());
        assert!(RectSettings::default().validate().is_ok());
    }

    #[test]
    fn evidence_is_checked_by_its_bytes() {
        assert_eq!(
            check_evidence("报告.PDF", b"%PDF-1.4 x"),
            Ok("application/pdf")
        );
        let e = check_evidence("报告.pdf", b"MZ\x90\x00").unwrap_err();
        assert!(e.msg.render().contains("报告.pdf"), "{}", e.msg.render());
        assert!(check_evidence("a.exe", b"MZ").is_err());
        assert!(check_evidence("a.png", b"").is_err());
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\x\\a:b.pdf"), "ab.pdf");
        assert_eq!(fen_to_yuan(123_456), "1234.56");
        assert_eq!(fen_to_yuan(-5), "-0.05");
    }
}

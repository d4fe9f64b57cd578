//! Rectification (整改): the ledger, plans and their review, progress with evidence, two-step
//! write-off, extensions, outcomes, escalation letters, reports, the holiday calendar and
//! notifications.
//!
//! Visibility: a ledger item (a fed-back finding) or a round unit in rectification is visible when
//! its **inspected organisation** lies in the caller's scope. The office that ran the round always
//! has the inspected organisation in its subtree, so it sees the item too; the unit sees its own.
//! Today's date is always a parameter: the caller owns the clock.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::rectification::{
    Calendar, DayKind, ExtensionState, Outcome, OutcomeKind, PlanState, RectSettings, ReportKind,
    ReviewDecision, WriteOffState, after_write_off, check_reopen, check_write_off,
    extension_notice, is_workable, write_off_notice,
};

use std::collections::HashMap;

use xuncha_domain::org::OrgId;
use xuncha_domain::settings::merge_days;

use crate::audit::{Actor, Event};
use crate::db::{BeginWrite, Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::settings;
use crate::{Page, PageReq};

/// Ledger items: the inspected organisation's denormalised path.
const LEDGER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "f.org_path",
    org_id: "f.org_id",
    owner: "f.created_by",
};

/// Round units in rectification: the inspected organisation.
const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

/// Finding states that make up the ledger.
pub const LEDGER_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";
/// Ledger states whose deadline runs: open items, except long-term ones (basically completed,
/// reporting periodically instead) — these alone are warned about and counted overdue.
pub const OPEN_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'REOPENED')";

fn rule(msg: Msg) -> StoreError {
    StoreError::Domain(DomainError::Rule(msg))
}

fn field(name: &str, msg: Msg) -> StoreError {
    StoreError::Domain(DomainError::field(name, msg))
}

/// Inserts one notification per user; with a dedupe key, a repeat is ignored.
macro_rules! notify {
    ($db:expr, $tx:expr, $users:expr, $kind:expr, $title:expr, $body:expr, $link:expr, $dedupe:expr) => {{
        let title: String = $title;
        let body: String = $body;
        let link: Option<String> = $link;
        let dedupe: Option<String> = $dedupe;
        let now = $db.now();
        for u in $users {
            sqlx::query("INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
                         ON CONFLICT (user_id, dedupe_key) DO NOTHING")
                .bind(*u)
                .bind($kind)
                .bind(&title)
                .bind(&body)
                .bind(&link)
                .bind(&dedupe)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// The users of an organisation (`$1`) who act for the unit in rectification (`rect:write`) and
/// are not locked by an administrator (`$2` = false): the recipients of everything sent "to the unit".
pub const UNIT_WRITERS: &str = "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
     WHERE u.org_id = $1 AND u.locked_by_admin = $2 AND ro.permissions LIKE '%\"rect:write\"%' ORDER BY u.id";

/// Notifies the users of the item's unit (its inspected organisation) holding `rect:write`.
macro_rules! notify_unit {
    ($db:expr, $tx:expr, $finding_id:expr, $kind:expr, $title:expr, $body:expr, $link:expr, $dedupe:expr) => {{
        let org: i64 = sqlx::query_scalar("SELECT org_id FROM findings WHERE id = $1")
            .bind($finding_id)
            .fetch_one(&mut *$tx)
            .await?;
        let users: Vec<i64> = sqlx::query_scalar($crate::rectification::UNIT_WRITERS)
            .bind(org)
            .bind(false)
            .fetch_all(&mut *$tx)
            .await?;
        notify!($db, $tx, &users, $kind, $title, $body, Some($link), $dedupe);
    }};
}

// ---------------------------------------------------------------------------------------------
// Settings and the calendar

const SETTINGS_KEY: &str = "rect.settings";

#[derive(Debug, Serialize, Deserialize)]
struct SettingsJson {
    review_bodies: Vec<String>,
    yellow_within: i64,
    plan_due_working_days: i64,
    long_term_report_months: i64,
    letter_ladder: Vec<RungJson>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RungJson {
    code: String,
    name: String,
    after_overdue_days: i64,
}

fn parse_settings(text: &str) -> Result<RectSettings> {
    let j: SettingsJson = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{SETTINGS_KEY}: {e}")))?;
    Ok(RectSettings {
        review_bodies: j.review_bodies,
        yellow_within: j.yellow_within,
        plan_due_working_days: j.plan_due_working_days,
        long_term_report_months: j.long_term_report_months,
        letter_ladder: j
            .letter_ladder
            .into_iter()
            .map(|r| xuncha_domain::rectification::LetterRung {
                code: r.code,
                name: r.name,
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    })
}

fn settings_of(g: &settings::Group) -> Result<RectSettings> {
    match g.get(SETTINGS_KEY) {
        Some(text) => parse_settings(text),
        None => Ok(RectSettings::default()),
    }
}

/// The rectification settings of `office` (its own, else its nearest ancestor's, else the
/// defaults) and the version of the office's own row (0 while it inherits).
pub async fn settings(db: &Db, office: OrgId) -> Result<(RectSettings, i64)> {
    let (s, g) = settings_with_source(db, office).await?;
    Ok((s, g.version))
}

/// [`settings`] with where they come from.
pub async fn settings_with_source(
    db: &Db,
    office: OrgId,
) -> Result<(RectSettings, settings::Group)> {
    let g = settings::group(db, office, &[SETTINGS_KEY]).await?;
    Ok((settings_of(&g)?, g))
}

/// Saves `office`'s own rectification settings (`version` 0 when it inherits until now).
pub async fn save_settings(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    s: &RectSettings,
    version: i64,
) -> Result<(RectSettings, i64)> {
    s.validate()?;
    let j = SettingsJson {
        review_bodies: s
            .review_bodies
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        yellow_within: s.yellow_within,
        plan_due_working_days: s.plan_due_working_days,
        long_term_report_months: s.long_term_report_months,
        letter_ladder: s
            .letter_ladder
            .iter()
            .map(|r| RungJson {
                code: r.code.trim().to_string(),
                name: r.name.trim().to_string(),
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    };
    let text = serde_json::to_string(&j).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    settings::save_group(
        db,
        actor,
        office,
        &[(SETTINGS_KEY, text)],
        Some(version),
        "rect.settings",
        &format!("修改整改督办设置（黄色预警{}个工作日）", s.yellow_within),
    )
    .await?;
    settings(db, office).await
}

/// Drops `office`'s own rectification settings: it inherits again. False when it had none.
pub async fn inherit_settings(db: &Db, actor: &Actor, office: OrgId) -> Result<bool> {
    settings::drop_group(
        db,
        actor,
        office,
        &[SETTINGS_KEY],
        "rect.settings",
        "删除本级整改督办设置，恢复继承上级设置",
    )
    .await
}

/// One office's rectification settings, calendar and last yellow day.
#[derive(Debug, Clone)]
pub struct RectOffice {
    pub settings: RectSettings,
    pub calendar: Calendar,
    pub yellow_until: Date,
}

impl RectOffice {
    fn new(settings: RectSettings, calendar: Calendar, today: Date) -> Self {
        let yellow_until =
            calendar.add_working_days(today, u32::try_from(settings.yellow_within).unwrap_or(5));
        RectOffice {
            settings,
            calendar,
            yellow_until,
        }
    }
}

/// The rectification settings of every office a list can show, loaded once per request: each
/// ledger row takes its own office's (the office that ran the round), never the viewer's.
#[derive(Debug, Clone)]
pub struct RectBook {
    pub today: Date,
    /// The viewer's office (used for a row of an office not loaded, which does not happen).
    pub own: RectOffice,
    offices: HashMap<OrgId, RectOffice>,
}

impl RectBook {
    /// The settings of `office`.
    pub fn office(&self, office: OrgId) -> &RectOffice {
        self.offices.get(&office).unwrap_or(&self.own)
    }

    /// The latest last-yellow day of all offices (what the scheduler must look at).
    pub fn latest_yellow_until(&self) -> Date {
        self.offices
            .values()
            .map(|o| o.yellow_until)
            .fold(self.own.yellow_until, Date::max)
    }

    /// Every office loaded, with its settings.
    pub fn offices(&self) -> impl Iterator<Item = (&OrgId, &RectOffice)> {
        self.offices.iter()
    }

    /// The dates the ledger's warning filters need, per office.
    pub fn dates(&self) -> Today {
        Today {
            today: self.today,
            yellow_until: self.own.yellow_until,
            by_office: self
                .offices
                .iter()
                .filter(|(_, o)| o.yellow_until != self.own.yellow_until)
                .map(|(id, o)| (*id, o.yellow_until))
                .collect(),
        }
    }
}

/// The [`RectBook`] of every office that runs a round, with `own` (the viewer's office): four
/// queries however many offices.
pub async fn book(db: &Db, own: OrgId, today: Date) -> Result<RectBook> {
    let chains = settings::running_offices(db, own).await?;
    let rows = settings::rows_on(db, &chains, &[SETTINGS_KEY]).await?;
    let days = holidays_on(db, &chains).await?;
    let mut offices = HashMap::new();
    for (id, chain) in &chains {
        let g = settings::resolve(*id, chain, &rows, &[SETTINGS_KEY]);
        let cal = Calendar::new(
            merge_days(chain, days.iter().map(|(o, d, k)| (*o, *d, *k)))
                .into_iter()
                .map(|(d, k, _)| (d, k)),
        );
        offices.insert(*id, RectOffice::new(settings_of(&g)?, cal, today));
    }
    let own = match offices.get(&own) {
        Some(o) => o.clone(),
        None => RectOffice::new(RectSettings::default(), Calendar::default(), today),
    };
    Ok(RectBook {
        today,
        own,
        offices,
    })
}

/// The settings, calendar and dates of one office (a unit's: the office that runs its round).
pub async fn office_today(db: &Db, office: OrgId, today: Date) -> Result<(Today, RectOffice)> {
    let (s, _) = settings(db, office).await?;
    let cal = calendar(db, office).await?;
    let o = RectOffice::new(s, cal, today);
    Ok((
        Today {
            today,
            yellow_until: o.yellow_until,
            by_office: Vec::new(),
        },
        o,
    ))
}

/// The office that runs a round unit's round.
pub async fn unit_office(db: &Db, round_unit_id: i64) -> Result<OrgId> {
    let o: Option<OrgId> = crate::on_db!(db, p => sqlx::query_scalar("SELECT owner_org_id FROM round_units WHERE id = $1").bind(round_unit_id).fetch_optional(p).await?);
    o.ok_or(StoreError::NotFound)
}

/// One day of an office's effective calendar and the office that listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub day: Date,
    pub kind: String,
    pub name: String,
    pub org_id: OrgId,
    pub org_name: String,
}

fn day_kind(kind: &str) -> DayKind {
    if kind == "workday" {
        DayKind::Workday
    } else {
        DayKind::Holiday
    }
}

/// The effective calendar of `office` (optionally one year): the days every office on its chain
/// listed, the nearest office's entry winning a day. One query.
pub async fn holidays(db: &Db, office: OrgId, year: Option<i32>) -> Result<Vec<Holiday>> {
    #[derive(FromRow)]
    struct HolidayRow {
        path: String,
        org_id: OrgId,
        org_name: String,
        day: Date,
        kind: String,
        name: String,
    }
    let rows: Vec<HolidayRow> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT o.path, h.org_id, so.name AS org_name, h.day, h.kind, h.name FROM holidays h JOIN organisations so ON so.id = h.org_id \
             JOIN organisations o ON o.path LIKE so.path || '%' WHERE o.id = ");
        qb.push_bind(office);
        if let Some(y) = year {
            let from = Date::from_calendar_date(y, time::Month::January, 1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let to = Date::from_calendar_date(y + 1, time::Month::January, 1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            qb.push(" AND h.day >= ").push_bind(from).push(" AND h.day < ").push_bind(to);
        }
        qb.build_query_as::<HolidayRow>().fetch_all(p).await?
    });
    let chain = rows
        .first()
        .and_then(|r| xuncha_domain::org::OrgPath::parse(&r.path))
        .map(|p| p.ids())
        .unwrap_or_default();
    let merged = merge_days(
        &chain,
        rows.iter().map(|r| {
            (
                r.org_id,
                r.day,
                (r.kind.as_str(), r.name.as_str(), r.org_name.as_str()),
            )
        }),
    );
    Ok(merged
        .into_iter()
        .map(|(day, (kind, name, org_name), org_id)| Holiday {
            day,
            kind: kind.to_string(),
            name: name.to_string(),
            org_id,
            org_name: org_name.to_string(),
        })
        .collect())
}

/// The days listed by the organisations on `chains`, in one query.
async fn holidays_on(
    db: &Db,
    chains: &HashMap<OrgId, Vec<OrgId>>,
) -> Result<Vec<(OrgId, Date, DayKind)>> {
    let mut ids: Vec<OrgId> = chains.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(OrgId, Date, String)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT org_id, day, kind FROM holidays WHERE org_id IN (");
        let mut sep = qb.separated(", ");
        for o in &ids {
            sep.push_bind(*o);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|(o, d, k)| (o, d, day_kind(&k)))
        .collect())
}

/// Replaces the listed days of `office`'s own calendar (an import is all or nothing; the caller
/// validated every row). The calendars of other offices, the parent's too, are untouched.
pub async fn import_holidays(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    days: &[(Date, DayKind, String)],
) -> Result<usize> {
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let office_name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let office_name = office_name.ok_or(StoreError::NotFound)?;
        for (d, k, name) in days {
            sqlx::query("INSERT INTO holidays (org_id, day, kind, name) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name")
                .bind(office).bind(*d).bind(k.code()).bind(name).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.holidays", "holidays", office, format!("{office_name}：导入本级节假日安排 {} 天", days.len())));
        tx.commit().await?;
    });
    Ok(days.len())
}

/// Drops `office`'s own calendar days (of one year, or all): it follows its parents' again.
pub async fn drop_holidays(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    year: Option<i32>,
) -> Result<u64> {
    let range = match year {
        Some(y) => Some((
            Date::from_calendar_date(y, time::Month::January, 1)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            Date::from_calendar_date(y + 1, time::Month::January, 1)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )),
        None => None,
    };
    let n = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let office_name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let office_name = office_name.ok_or(StoreError::NotFound)?;
        let n = match range {
            Some((from, to)) => sqlx::query("DELETE FROM holidays WHERE org_id = $1 AND day >= $2 AND day < $3")
                .bind(office).bind(from).bind(to).execute(&mut *tx).await?.rows_affected(),
            None => sqlx::query("DELETE FROM holidays WHERE org_id = $1").bind(office).execute(&mut *tx).await?.rows_affected(),
        };
        if n > 0 {
            let what = year.map_or_else(String::new, |y| format!("{y}年"));
            crate::audit_append!(db, tx, actor, &Event::op("rect.holidays", "holidays", office, format!("{office_name}：删除本级{what}节假日安排 {n} 天，恢复继承上级日历")));
        }
        tx.commit().await?;
        n
    });
    Ok(n)
}

/// The working-day calendar of `office`.
pub async fn calendar(db: &Db, office: OrgId) -> Result<Calendar> {
    let rows = holidays(db, office, None).await?;
    Ok(Calendar::new(
        rows.into_iter().map(|h| (h.day, day_kind(&h.kind))),
    ))
}

// ---------------------------------------------------------------------------------------------
// Round units in rectification

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RectUnit {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub feedback_date: Option<Date>,
    pub rectification_due: Option<Date>,
    pub plan_state: Option<String>,
    pub total: i64,
    pub closed: i64,
}

const SELECT_RECT_UNIT: &str = "SELECT ru.id, ru.round_id, r.name AS round_name, ru.owner_org_id, ow.name AS owner_org_name, ru.org_id, o.name AS org_name, \
     ru.feedback_date, ru.rectification_due, \
     (SELECT rp.state FROM rect_plans rp WHERE rp.round_unit_id = ru.id ORDER BY rp.revision DESC LIMIT 1) AS plan_state, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = ru.id AND f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')) AS total, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = ru.id AND f.state = 'CLOSED') AS closed \
     FROM round_units ru JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id \
     JOIN organisations ow ON ow.id = ru.owner_org_id WHERE ru.feedback_date IS NOT NULL";

pub async fn units(db: &Db, scope: &Scope) -> Result<Vec<RectUnit>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY ru.feedback_date DESC, ru.id DESC LIMIT 1000");
        Ok(qb.build_query_as::<RectUnit>().fetch_all(p).await?)
    })
}

pub async fn unit(db: &Db, scope: &Scope, id: i64) -> Result<RectUnit> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<RectUnit>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

// ---------------------------------------------------------------------------------------------
// The ledger

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LedgerRow {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub round_unit_id: i64,
    /// The office that runs the round: its settings apply to the row.
    pub owner_org_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub title: String,
    pub state: String,
    pub outcome: Option<String>,
    pub explanation: Option<String>,
    pub deadline: Option<Date>,
    /// The next due date: the earliest open measure's deadline (warnings follow it).
    pub due_date: Option<Date>,
    pub original_deadline: Option<Date>,
    pub extensions: i64,
    pub closed_on: Option<Date>,
    pub measure_count: i64,
    pub progress_count: i64,
    pub last_progress_on: Option<Date>,
    pub letter_count: i64,
    pub version: i64,
}

impl LedgerRow {
    pub fn state(&self) -> Result<FindingState> {
        FindingState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("finding state {}", self.state)))
    }
}

/// Sets an item's next due date: the earliest deadline of its open measures, or its own
/// deadline when none is open (every measure's deadline is watched, not only the latest).
const REFRESH_DUE: &str = "UPDATE findings SET due_date = COALESCE((SELECT MIN(m.deadline) FROM measures m WHERE m.finding_id = $1 AND m.state = 'OPEN'), deadline) WHERE id = $1";

const SELECT_LEDGER: &str = "SELECT f.id, ru.round_id, r.name AS round_name, f.round_unit_id, ru.owner_org_id, f.org_id, o.name AS org_name, f.category_id, c.name AS category_name, \
     f.title, f.state, f.outcome, f.explanation, f.deadline, f.due_date, f.original_deadline, CAST(f.extensions AS BIGINT) AS extensions, f.closed_on, \
     (SELECT COUNT(*) FROM measures m WHERE m.finding_id = f.id) AS measure_count, \
     (SELECT COUNT(*) FROM progress pr WHERE pr.finding_id = f.id) AS progress_count, \
     (SELECT MAX(pr.effective_date) FROM progress pr WHERE pr.finding_id = f.id) AS last_progress_on, \
     (SELECT COUNT(*) FROM letters l WHERE l.round_unit_id = f.round_unit_id AND l.state <> 'withdrawn') AS letter_count, f.version \
     FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = f.org_id LEFT JOIN categories c ON c.id = f.category_id \
     WHERE f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";

/// Which colour band of open items a filter asks for, as deadline bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WarningBand {
    /// deadline < today
    Red,
    /// today ≤ deadline ≤ the yellow limit
    Yellow,
    /// deadline > the yellow limit
    Green,
}

#[derive(Debug, Clone, Default)]
pub struct LedgerFilter {
    /// The subtree of this organisation.
    pub org_id: Option<i64>,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    pub warning: Option<WarningBand>,
    /// The leader's "needs attention" view.
    pub attention: bool,
    /// The office's view: only rounds run by this organisation.
    pub owner_org_id: Option<i64>,
}

/// Dates the warning filters need: today and the last date that is still yellow, which depends
/// on the office that runs the round (its threshold and its calendar).
#[derive(Debug, Clone)]
pub struct Today {
    pub today: Date,
    /// The last yellow day of any office not listed in `by_office`.
    pub yellow_until: Date,
    /// Offices whose last yellow day differs, by `round_units.owner_org_id`.
    pub by_office: Vec<(OrgId, Date)>,
}

/// The last yellow day of a ledger row's office, as SQL over `ru.owner_org_id`.
fn push_yellow_until<DB>(qb: &mut QueryBuilder<DB>, t: &Today)
where
    DB: sqlx::Database,
    for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    if t.by_office.is_empty() {
        qb.push_bind(t.yellow_until);
        return;
    }
    let mut dates: Vec<Date> = t.by_office.iter().map(|(_, d)| *d).collect();
    dates.sort_unstable();
    dates.dedup();
    qb.push("(CASE");
    for d in dates {
        qb.push(" WHEN ru.owner_org_id IN (");
        let mut sep = qb.separated(", ");
        for (o, _) in t.by_office.iter().filter(|(_, x)| *x == d) {
            sep.push_bind(*o);
        }
        qb.push(") THEN ").push_bind(d);
    }
    qb.push(" ELSE ").push_bind(t.yellow_until).push(" END)");
}

async fn org_range(db: &Db, org_id: i64) -> Result<(String, String)> {
    let path: Option<String> = crate::on_db!(db, p => sqlx::query_scalar("SELECT path FROM organisations WHERE id = $1").bind(org_id).fetch_optional(p).await?);
    let path = path.ok_or(StoreError::NotFound)?;
    let end = xuncha_domain::org::subtree_end(&path);
    Ok((path, end))
}

fn push_ledger_filter<DB>(
    qb: &mut QueryBuilder<DB>,
    f: &LedgerFilter,
    range: Option<&(String, String)>,
    t: &Today,
) where
    DB: sqlx::Database,
    for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    if let Some((start, end)) = range {
        qb.push(" AND f.org_path >= ")
            .push_bind(start.clone())
            .push(" AND f.org_path < ")
            .push_bind(end.clone());
    }
    if let Some(r) = f.round_id {
        qb.push(" AND ru.round_id = ").push_bind(r);
    }
    if let Some(o) = f.owner_org_id {
        qb.push(" AND ru.owner_org_id = ").push_bind(o);
    }
    if let Some(u) = f.round_unit_id {
        qb.push(" AND f.round_unit_id = ").push_bind(u);
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        qb.push(" AND f.state = ").push_bind(s.clone());
    }
    if let Some(c) = f.category_id {
        qb.push(" AND f.category_id = ").push_bind(c);
    }
    if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        qb.push(" AND f.title LIKE ")
            .push_bind(format!("%{}%", q.replace(['%', '_'], "")));
    }
    if let Some(w) = f.warning {
        qb.push(format_args!(" AND f.state IN {OPEN_STATES}"));
        match w {
            WarningBand::Red => {
                qb.push(" AND f.due_date < ").push_bind(t.today);
            }
            WarningBand::Yellow => {
                qb.push(" AND f.due_date >= ")
                    .push_bind(t.today)
                    .push(" AND f.due_date <= ");
                push_yellow_until(qb, t);
            }
            WarningBand::Green => {
                qb.push(" AND f.due_date > ");
                push_yellow_until(qb, t);
            }
        }
    }
    if f.attention {
        qb.push(format_args!(
            " AND ((f.state IN {OPEN_STATES} AND f.due_date <= "
        ));
        push_yellow_until(qb, t);
        qb.push(") OR f.state = 'CLOSE_REQUESTED' OR EXISTS (SELECT 1 FROM deadline_extensions x WHERE x.finding_id = f.id AND x.state = 'PENDING'))");
    }
}

pub async fn ledger(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<LedgerRow>> {
    let range = match f.org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(format!(
            "SELECT COUNT(*) FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {LEDGER_STATES}"));
        push_ledger_filter(&mut count, f, range.as_ref(), t);
        scope.push_filter(&mut count, LEDGER_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY f.deadline IS NULL, f.deadline, f.id LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<LedgerRow>().fetch_all(p).await?, total })
    })
}

/// Every ledger row matching `f`, in ledger order, for an export (bounded by `limit`).
pub async fn ledger_all(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    limit: i64,
) -> Result<Vec<LedgerRow>> {
    let range = match f.org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY o.path, f.round_unit_id, f.id LIMIT ").push_bind(limit);
        Ok(qb.build_query_as::<LedgerRow>().fetch_all(p).await?)
    })
}

pub async fn ledger_row(db: &Db, scope: &Scope, id: i64) -> Result<LedgerRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        qb.push(" AND f.id = ").push_bind(id);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as::<LedgerRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

// ---------------------------------------------------------------------------------------------
// 三清单: the task list (one line per measure) and the responsibility list (by responsible
// leader and lead department), over the same filters and scope as the ledger.

/// One line of the 任务清单: a measure with its item.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TaskLine {
    pub id: i64,
    pub finding_id: i64,
    pub org_name: String,
    pub round_name: String,
    pub title: String,
    pub finding_state: String,
    pub kind: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: String,
    pub deadline: Date,
    pub original_deadline: Date,
    pub state: String,
}

const TASK_FROM: &str = "FROM measures m JOIN findings f ON f.id = m.finding_id JOIN round_units ru ON ru.id = f.round_unit_id \
     JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = f.org_id \
     WHERE f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";

const SELECT_TASK: &str = "SELECT m.id, m.finding_id, o.name AS org_name, r.name AS round_name, f.title, f.state AS finding_state, \
     m.kind, m.content, m.target, m.responsible_leader, m.lead_dept, m.co_depts, m.deadline, m.original_deadline, m.state ";

/// The 任务清单, one line per measure, in deadline order.
pub async fn task_list(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<TaskLine>> {
    let range = match f.org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) {TASK_FROM}"));
        push_ledger_filter(&mut count, f, range.as_ref(), t);
        scope.push_filter(&mut count, LEDGER_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(format!("{SELECT_TASK}{TASK_FROM}"));
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY m.deadline, m.finding_id, m.id LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<TaskLine>().fetch_all(p).await?, total })
    })
}

/// One group of the 责任清单: a responsible leader and lead department with their measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerGroup {
    pub responsible_leader: String,
    pub lead_dept: String,
    pub measures: Vec<TaskLine>,
}

/// The 责任清单: measures grouped by responsible leader and lead department (groups in name
/// order, measures in deadline order).
pub async fn owner_list(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<OwnerGroup>> {
    let range = match f.org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM (SELECT m.responsible_leader, m.lead_dept {TASK_FROM}"));
        push_ledger_filter(&mut count, f, range.as_ref(), t);
        scope.push_filter(&mut count, LEDGER_COLS);
        count.push(" GROUP BY m.responsible_leader, m.lead_dept) g");
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(format!("SELECT m.responsible_leader, m.lead_dept {TASK_FROM}"));
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" GROUP BY m.responsible_leader, m.lead_dept ORDER BY m.responsible_leader, m.lead_dept LIMIT ")
            .push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        let keys: Vec<(String, String)> = qb.build_query_as().fetch_all(p).await?;
        let mut items: Vec<OwnerGroup> = keys.into_iter().map(|(l, d)| OwnerGroup { responsible_leader: l, lead_dept: d, measures: Vec::new() }).collect();
        if !items.is_empty() {
            let mut qb = QueryBuilder::new(format!("{SELECT_TASK}{TASK_FROM}"));
            push_ledger_filter(&mut qb, f, range.as_ref(), t);
            scope.push_filter(&mut qb, LEDGER_COLS);
            qb.push(" AND (");
            for (i, g) in items.iter().enumerate() {
                if i > 0 { qb.push(" OR "); }
                qb.push("(m.responsible_leader = ").push_bind(g.responsible_leader.clone())
                    .push(" AND m.lead_dept = ").push_bind(g.lead_dept.clone()).push(")");
            }
            qb.push(") ORDER BY m.deadline, m.finding_id, m.id");
            for m in qb.build_query_as::<TaskLine>().fetch_all(p).await? {
                if let Some(g) = items.iter_mut().find(|g| g.responsible_leader == m.responsible_leader && g.lead_dept == m.lead_dept) {
                    g.measures.push(m);
                }
            }
        }
        Ok(Page { items, total })
    })
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ItemText {
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
}

pub async fn item_text(db: &Db, id: i64) -> Result<ItemText> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, ItemText>("SELECT facts, basis, responsibility FROM findings WHERE id = $1").bind(id).fetch_one(p).await?))
}

// ---------------------------------------------------------------------------------------------
// Measures, progress, files, write-offs, extensions, outcomes of one item

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Measure {
    pub id: i64,
    pub finding_id: i64,
    pub kind: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: String,
    pub deadline: Date,
    pub original_deadline: Date,
    pub state: String,
    pub done_on: Option<Date>,
    pub version: i64,
}

pub async fn measures(db: &Db, finding_ids: &[i64]) -> Result<Vec<Measure>> {
    if finding_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, finding_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, done_on, version FROM measures WHERE finding_id IN (");
        let mut sep = qb.separated(", ");
        for id in finding_ids { sep.push_bind(*id); }
        qb.push(") ORDER BY finding_id, id");
        Ok(qb.build_query_as::<Measure>().fetch_all(p).await?)
    })
}

/// The unit reports one measure done: its deadline is no longer watched, and the item's next due
/// date moves to its next open measure (the item itself closes only through write-off).
pub async fn complete_measure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    measure_id: i64,
    version: i64,
) -> Result<i64> {
    let found: Option<(i64, String, String)> = crate::on_db!(db, p => sqlx::query_as("SELECT finding_id, state, content FROM measures WHERE id = $1")
        .bind(measure_id).fetch_optional(p).await?);
    let (finding_id, state, content) = found.ok_or(StoreError::NotFound)?;
    let row = ledger_row(db, scope, finding_id).await?;
    if !matches!(
        row.state()?,
        FindingState::InProgress | FindingState::Reopened
    ) {
        return Err(rule(Msg::new("rect.measure_item_not_open")));
    }
    if state != "OPEN" {
        return Err(rule(Msg::new("rect.measure_done_already")));
    }
    let (now, today) = (db.now(), db.today());
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE measures SET state = 'DONE', done_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND state = 'OPEN'")
            .bind(today).bind(now).bind(measure_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query(REFRESH_DUE).bind(finding_id).execute(&mut *tx).await?;
        sqlx::query("UPDATE findings SET version = version + 1, updated_at = $1 WHERE id = $2").bind(now).bind(finding_id).execute(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(row.state.as_str()), row.state.as_str(), format!("措施已完成：{content}"));
        crate::audit_append!(db, tx, actor, &Event::op("rect.measure.done", "finding", finding_id, format!("{}：“{}”一项措施已完成", row.org_name, row.title)));
        tx.commit().await?;
    });
    Ok(finding_id)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FileLink {
    pub id: i64,
    pub finding_id: Option<i64>,
    pub owner_type: String,
    pub owner_id: i64,
    pub name: String,
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub version_no: i64,
    pub effective_date: Date,
    pub uploaded_by_name: String,
    pub uploaded_at: OffsetDateTime,
}

const SELECT_LINK: &str = "SELECT l.id, l.finding_id, l.owner_type, l.owner_id, l.name, l.hash, fi.size, fi.media_type, CAST(l.version_no AS BIGINT) AS version_no, \
     l.effective_date, l.uploaded_by_name, l.uploaded_at FROM file_links l JOIN files fi ON fi.hash = l.hash";

pub async fn item_files(db: &Db, finding_id: i64) -> Result<Vec<FileLink>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, FileLink>(sqlx::AssertSqlSafe(format!("{SELECT_LINK} WHERE l.finding_id = $1 ORDER BY l.id"))).bind(finding_id).fetch_all(p).await?))
}

/// The file links of many items at once (for an archive), by item then upload order.
pub async fn items_files(db: &Db, finding_ids: &[i64]) -> Result<Vec<FileLink>> {
    let mut out = Vec::new();
    for chunk in finding_ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_LINK);
            qb.push(" WHERE l.finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") ORDER BY l.finding_id, l.id");
            out.extend(qb.build_query_as::<FileLink>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

/// A file link in scope (through its finding), with the file's bytes.
pub async fn file(db: &Db, scope: &Scope, link_id: i64) -> Result<(FileLink, Vec<u8>)> {
    let link: FileLink = crate::on_db!(db, p => sqlx::query_as::<_, FileLink>(sqlx::AssertSqlSafe(format!("{SELECT_LINK} WHERE l.id = $1"))).bind(link_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    let Some(fid) = link.finding_id else {
        return Err(StoreError::NotFound);
    };
    ledger_row(db, scope, fid).await?;
    let bytes = file_bytes(db, &link.hash).await?;
    Ok((link, bytes))
}

pub async fn file_bytes(db: &Db, hash: &str) -> Result<Vec<u8>> {
    crate::on_db!(db, p => sqlx::query_scalar::<_, Vec<u8>>("SELECT bytes FROM files WHERE hash = $1").bind(hash).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)
}

/// An uploaded file, already checked (type, size) by the caller.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn hash(&self) -> String {
        xuncha_domain::audit::sm3_hex(&self.bytes)
    }
}

/// Stores the files (content-addressed) and links each to its owner; a name already used on the
/// same item becomes the next version.
macro_rules! store_files {
    ($db:expr, $tx:expr, $actor:expr, $finding_id:expr, $owner_type:expr, $owner_id:expr, $files:expr, $effective:expr) => {{
        let now = $db.now();
        for f in $files {
            let hash = f.hash();
            sqlx::query("INSERT INTO files (hash, size, media_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
                .bind(&hash)
                .bind(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX))
                .bind(&f.media_type)
                .bind(&f.bytes)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
            let v: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(version_no) AS BIGINT) FROM file_links WHERE finding_id = $1 AND name = $2")
                .bind($finding_id)
                .bind(&f.name)
                .fetch_one(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO file_links (province_id, finding_id, owner_type, owner_id, name, hash, version_no, effective_date, uploaded_by, uploaded_by_name, uploaded_at) \
                         VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind($finding_id)
                .bind($owner_type)
                .bind($owner_id)
                .bind(&f.name)
                .bind(&hash)
                .bind(i32::try_from(v.unwrap_or(0) + 1).unwrap_or(i32::MAX))
                .bind($effective)
                .bind($actor.user_id)
                .bind(&$actor.display_name)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Evidence files per item: `(finding id, count)`.
pub async fn evidence_counts(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT finding_id, COUNT(*) FROM file_links WHERE finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") GROUP BY finding_id");
            out.extend(qb.build_query_as::<(i64, i64)>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

/// The latest progress text per item: `(finding id, content)`.
pub async fn latest_progress(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT pr.finding_id, pr.content FROM progress pr WHERE pr.id IN (SELECT MAX(id) FROM progress WHERE finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") GROUP BY finding_id)");
            out.extend(qb.build_query_as::<(i64, String)>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Progress {
    pub id: i64,
    pub finding_id: i64,
    pub effective_date: Date,
    pub content: String,
    pub outcome: Option<String>,
    pub reported_by_name: String,
    pub reported_at: OffsetDateTime,
}

pub async fn progress(db: &Db, finding_id: i64) -> Result<Vec<Progress>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Progress>("SELECT id, finding_id, effective_date, content, outcome, reported_by_name, reported_at FROM progress WHERE finding_id = $1 ORDER BY id").bind(finding_id).fetch_all(p).await?))
}

/// Reports progress on an item, with evidence files.
pub async fn add_progress(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    content: &str,
    effective_date: Date,
    outcome: Option<Outcome>,
    files: &[Upload],
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state()?;
    if !is_workable(state) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO progress (province_id, finding_id, effective_date, content, outcome, reported_by, reported_by_name, reported_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(finding_id).bind(effective_date).bind(content).bind(outcome.map(|o| o.code())).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        store_files!(db, tx, actor, finding_id, "progress", id, files, effective_date);
        if let Some(o) = outcome {
            sqlx::query("UPDATE findings SET outcome = $1, updated_at = $2 WHERE id = $3").bind(o.code()).bind(now).bind(finding_id).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.progress", "finding", finding_id,
            format!("{}：报告整改进展“{}”（佐证 {} 份）", row.org_name, row.title, files.len())));
        tx.commit().await?;
        id
    });
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct WriteOff {
    pub id: i64,
    pub finding_id: i64,
    pub state: String,
    pub outcome: String,
    pub explanation: String,
    pub from_state: String,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub version: i64,
}

const SELECT_WRITE_OFF: &str = "SELECT id, finding_id, state, outcome, explanation, from_state, requested_by_name, requested_at, decided_by_name, decided_at, reason, version FROM write_offs";

pub async fn write_offs(db: &Db, finding_id: i64) -> Result<Vec<WriteOff>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, WriteOff>(sqlx::AssertSqlSafe(format!("{SELECT_WRITE_OFF} WHERE finding_id = $1 ORDER BY id"))).bind(finding_id).fetch_all(p).await?))
}

/// 申请销号 with evidence; the item goes to CLOSE_REQUESTED.
pub async fn request_write_off(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    outcome: Outcome,
    explanation: &str,
    files: &[Upload],
    today: Date,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state()?;
    check_write_off(state, outcome)?;
    let existing = item_files(db, finding_id).await?.len();
    xuncha_domain::rectification::check_write_off_request(existing + files.len())?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE findings SET state = 'CLOSE_REQUESTED', version = version + 1, updated_at = $1 WHERE id = $2 AND state = $3")
            .bind(now).bind(finding_id).bind(state.code()).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO write_offs (province_id, finding_id, state, outcome, explanation, from_state, requested_by, requested_by_name, requested_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, 'REQUESTED', $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(finding_id).bind(outcome.code()).bind(explanation).bind(state.code()).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        store_files!(db, tx, actor, finding_id, "write_off", id, files, today);
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(state.code()), "CLOSE_REQUESTED", format!("申请销号（{}）：{explanation}", outcome.label()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.write_off.request", "finding", finding_id,
            format!("{}：“{}”申请销号", row.org_name, row.title)));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// 核验: verify (close, or long-term) or return with a reason.
pub async fn decide_write_off(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    write_off_id: i64,
    decision: ReviewDecision,
    reason: &str,
    version: i64,
    today: Date,
) -> Result<i64> {
    let w: WriteOff = crate::on_db!(db, p => sqlx::query_as::<_, WriteOff>(sqlx::AssertSqlSafe(format!("{SELECT_WRITE_OFF} WHERE id = $1"))).bind(write_off_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    let row = ledger_row(db, scope, w.finding_id).await?;
    if w.state != WriteOffState::Requested.code() {
        return Err(rule(Msg::new("rect.write_off_decided")));
    }
    if decision == ReviewDecision::Return && reason.trim().is_empty() {
        return Err(field("reason", Msg::new("rect.reason_required")));
    }
    let outcome = Outcome::from_code(&w.outcome)
        .ok_or_else(|| StoreError::Corrupt(format!("outcome {}", w.outcome)))?;
    let from = FindingState::from_code(&w.from_state)
        .ok_or_else(|| StoreError::Corrupt(format!("state {}", w.from_state)))?;
    let to = after_write_off(decision, outcome, from);
    let (wstate, label) = match decision {
        ReviewDecision::Approve if to == FindingState::LongTerm => {
            (WriteOffState::Verified, "核验通过，转入持续整改")
        }
        ReviewDecision::Approve => (WriteOffState::Verified, "核验通过"),
        ReviewDecision::Return => (WriteOffState::Returned, "退回销号申请"),
    };
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE write_offs SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, reason = $5, version = version + 1 \
                             WHERE id = $6 AND version = $7 AND state = 'REQUESTED'")
            .bind(wstate.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(reason.trim()).bind(write_off_id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        // A long-term item records when it was basically completed: its periodic reports count from there.
        let closed_on = matches!(to, FindingState::Closed | FindingState::LongTerm).then_some(today);
        let outcome_col = (decision == ReviewDecision::Approve).then(|| outcome.code());
        sqlx::query("UPDATE findings SET state = $1, closed_on = COALESCE($2, closed_on), outcome = COALESCE($3, outcome), version = version + 1, updated_at = $4 WHERE id = $5")
            .bind(to.code()).bind(closed_on).bind(outcome_col).bind(now).bind(w.finding_id).execute(&mut *tx).await?;
        if to == FindingState::Closed {
            sqlx::query("UPDATE measures SET state = 'DONE', done_on = COALESCE(done_on, $3), version = version + 1, updated_at = $1 WHERE finding_id = $2").bind(now).bind(w.finding_id).bind(today).execute(&mut *tx).await?;
            sqlx::query(REFRESH_DUE).bind(w.finding_id).execute(&mut *tx).await?;
        }
        crate::event_append!(db, tx, "finding", w.finding_id, actor, Some("CLOSE_REQUESTED"), to.code(), format!("{label}{}{}", if reason.trim().is_empty() { "" } else { "：" }, reason.trim()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.write_off.decide", "finding", w.finding_id,
            format!("{}：“{}”{label}", row.org_name, row.title)));
        notify_unit!(db, tx, w.finding_id, "write_off", Msg::new(write_off_notice(decision, to)).render(),
            format!("“{}”：{label}{}", row.title, if reason.trim().is_empty() { String::new() } else { format!("（{}）", reason.trim()) }),
            format!("/rect/items/{}", w.finding_id), None::<String>);
        tx.commit().await?;
    });
    Ok(w.finding_id)
}

/// 回头看: reopens a closed or long-term item; history stays as it was.
pub async fn reopen(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    reason: &str,
    version: i64,
) -> Result<()> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state()?;
    check_reopen(state)?;
    if reason.trim().is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("reason"),
        ])));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE findings SET state = 'REOPENED', closed_on = NULL, outcome = 'in_progress', version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
            .bind(now).bind(finding_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("UPDATE measures SET state = 'OPEN', done_on = NULL, version = version + 1, updated_at = $1 WHERE finding_id = $2").bind(now).bind(finding_id).execute(&mut *tx).await?;
        sqlx::query(REFRESH_DUE).bind(finding_id).execute(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(state.code()), "REOPENED", format!("回头看重新打开：{}", reason.trim()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.reopen", "finding", finding_id, format!("{}：“{}”回头看重新打开", row.org_name, row.title)));
        notify_unit!(db, tx, finding_id, "reopen", "回头看重新整改".to_string(), format!("“{}”：{}", row.title, reason.trim()), format!("/rect/items/{finding_id}"), None::<String>);
        tx.commit().await?;
    });
    Ok(())
}

/// The unit explains an item it cannot finish (未完成 / 正在整改) — the item stays open.
pub async fn explain(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    outcome: Outcome,
    explanation: &str,
    version: i64,
) -> Result<()> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state()?;
    if !is_workable(state) || !matches!(outcome, Outcome::NotCompleted | Outcome::InProgress) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE findings SET outcome = $1, explanation = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(outcome.code()).bind(explanation).bind(now).bind(finding_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(state.code()), state.code(), format!("{}：{explanation}", outcome.label()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.explain", "finding", finding_id, format!("{}：“{}”说明{}", row.org_name, row.title, outcome.label())));
        tx.commit().await?;
    });
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Extension {
    pub id: i64,
    pub finding_id: i64,
    pub measure_id: Option<i64>,
    pub old_deadline: Date,
    pub new_deadline: Date,
    pub reason: String,
    pub state: String,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub opinion: Option<String>,
    pub version: i64,
    pub title: String,
    pub org_name: String,
}

const SELECT_EXTENSION: &str = "SELECT x.id, x.finding_id, x.measure_id, x.old_deadline, x.new_deadline, x.reason, x.state, x.requested_by_name, x.requested_at, \
     x.decided_by_name, x.decided_at, x.opinion, x.version, f.title, o.name AS org_name \
     FROM deadline_extensions x JOIN findings f ON f.id = x.finding_id JOIN organisations o ON o.id = f.org_id WHERE 1 = 1";

pub async fn extensions(
    db: &Db,
    scope: &Scope,
    finding_id: Option<i64>,
    state: Option<ExtensionState>,
) -> Result<Vec<Extension>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_EXTENSION);
        if let Some(f) = finding_id { qb.push(" AND x.finding_id = ").push_bind(f); }
        if let Some(s) = state { qb.push(" AND x.state = ").push_bind(s.code().to_string()); }
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY x.id LIMIT 500");
        Ok(qb.build_query_as::<Extension>().fetch_all(p).await?)
    })
}

/// Asks for a later deadline on one measure.
pub async fn request_extension(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    measure_id: i64,
    new_deadline: Date,
    reason: &str,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state()?;
    if !is_workable(state) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let m = measures(db, &[finding_id])
        .await?
        .into_iter()
        .find(|m| m.id == measure_id)
        .ok_or_else(|| field("measure_id", Msg::new("api.not_found")))?;
    if new_deadline <= m.deadline {
        return Err(field(
            "new_deadline",
            Msg::new("rect.extension_not_later").arg("current", m.deadline),
        ));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("reason"),
        ])));
    }
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deadline_extensions WHERE measure_id = $1 AND state = 'PENDING'").bind(measure_id).fetch_one(&mut *tx).await?;
        if pending > 0 {
            return Err(rule(Msg::new("rect.extension_pending")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deadline_extensions (province_id, finding_id, measure_id, old_deadline, new_deadline, reason, state, requested_by, requested_by_name, requested_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, 'PENDING', $6, $7, $8) RETURNING id")
            .bind(finding_id).bind(measure_id).bind(m.deadline).bind(new_deadline).bind(reason.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(state.code()), state.code(), format!("申请延期至 {new_deadline}：{}", reason.trim()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.extension.request", "finding", finding_id, format!("{}：“{}”申请延期至 {new_deadline}", row.org_name, row.title)));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Approves (moves the measure's deadline; the original stays) or rejects an extension.
pub async fn decide_extension(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    approve: bool,
    opinion: &str,
) -> Result<Extension> {
    let x = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_EXTENSION);
        qb.push(" AND x.id = ").push_bind(id);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as::<Extension>().fetch_optional(p).await?
    })
    .ok_or(StoreError::NotFound)?;
    if x.state != ExtensionState::Pending.code() {
        return Err(rule(Msg::new("rect.extension_decided")));
    }
    let state = if approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Rejected
    };
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE deadline_extensions SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, opinion = $5, version = version + 1 WHERE id = $6 AND state = 'PENDING'")
            .bind(state.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(opinion.trim()).bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if approve {
            sqlx::query("UPDATE measures SET deadline = $1, version = version + 1, updated_at = $2 WHERE id = $3").bind(x.new_deadline).bind(now).bind(x.measure_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE findings SET deadline = (SELECT MAX(m.deadline) FROM measures m WHERE m.finding_id = $1), extensions = extensions + 1, version = version + 1, updated_at = $2 WHERE id = $1")
                .bind(x.finding_id).bind(now).execute(&mut *tx).await?;
            sqlx::query(REFRESH_DUE).bind(x.finding_id).execute(&mut *tx).await?;
        }
        let label = if approve { "批准延期" } else { "不批准延期" };
        let fstate: String = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(x.finding_id).fetch_one(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", x.finding_id, actor, Some(fstate.as_str()), fstate.as_str(), format!("{label}（{} → {}）{}", x.old_deadline, x.new_deadline, opinion.trim()));
        crate::audit_append!(db, tx, actor, &Event::op("rect.extension.decide", "finding", x.finding_id, format!("{}：“{}”{label}", x.org_name, x.title)));
        notify_unit!(db, tx, x.finding_id, "extension", Msg::new(extension_notice(approve)).render(), format!("“{}”：{} → {}", x.title, x.old_deadline, x.new_deadline), format!("/rect/items/{}", x.finding_id), None::<String>);
        tx.commit().await?;
    });
    let mut x = x;
    x.state = state.code().to_string();
    x.decided_by_name = Some(actor.display_name.clone());
    x.decided_at = Some(now);
    x.opinion = Some(opinion.trim().to_string());
    Ok(x)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutcomeRecord {
    pub id: i64,
    pub finding_id: i64,
    pub kind: String,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
    pub recorded_at: OffsetDateTime,
}

pub async fn outcomes(db: &Db, finding_id: i64) -> Result<Vec<OutcomeRecord>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, OutcomeRecord>("SELECT id, finding_id, kind, detail, count, amount_fen, person, treatment, recorded_at FROM rect_outcomes WHERE finding_id = $1 ORDER BY id").bind(finding_id).fetch_all(p).await?))
}

#[derive(Debug, Clone)]
pub struct OutcomeDraft {
    pub kind: OutcomeKind,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
}

pub async fn add_outcome(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: i64,
    d: &OutcomeDraft,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rect_outcomes (province_id, finding_id, kind, detail, count, amount_fen, person, treatment, recorded_by, recorded_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(finding_id).bind(d.kind.code()).bind(&d.detail).bind(d.count).bind(d.amount_fen).bind(&d.person).bind(&d.treatment).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("rect.outcome", "finding", finding_id, format!("{}：“{}”登记成果（{}）", row.org_name, row.title, d.kind.label())));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Rolled-up outcomes: `(kind, records, Σ count, Σ amount_fen)` for items in scope.
pub async fn outcome_totals(
    db: &Db,
    scope: &Scope,
    round_unit_id: Option<i64>,
    round_id: Option<i64>,
    org_id: Option<i64>,
) -> Result<Vec<(String, i64, i64, i64)>> {
    let range = match org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT x.kind, COUNT(*), CAST(COALESCE(SUM(x.count), 0) AS BIGINT), CAST(COALESCE(SUM(x.amount_fen), 0) AS BIGINT) \
            FROM rect_outcomes x JOIN findings f ON f.id = x.finding_id JOIN round_units ru ON ru.id = f.round_unit_id WHERE 1 = 1");
        if let Some(u) = round_unit_id { qb.push(" AND f.round_unit_id = ").push_bind(u); }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        if let Some((a, b)) = &range {
            qb.push(" AND f.org_path >= ").push_bind(a.clone()).push(" AND f.org_path < ").push_bind(b.clone());
        }
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" GROUP BY x.kind ORDER BY x.kind");
        Ok(qb.build_query_as::<(String, i64, i64, i64)>().fetch_all(p).await?)
    })
}

/// Clues transferred from this finding (a count only: clue contents are compartmented).
pub async fn transferred_clues(db: &Db, finding_id: i64) -> Result<i64> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM clues WHERE finding_id = $1 AND transferred_on IS NOT NULL").bind(finding_id).fetch_one(p).await?))
}

// ---------------------------------------------------------------------------------------------
// Notifications

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

pub async fn notifications(
    db: &Db,
    user_id: i64,
    unread_only: bool,
) -> Result<(Vec<Notification>, i64)> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, kind, title, body, link, created_at, read_at FROM notifications WHERE user_id = ");
        qb.push_bind(user_id);
        if unread_only { qb.push(" AND read_at IS NULL"); }
        qb.push(" ORDER BY id DESC LIMIT 50");
        let items = qb.build_query_as::<Notification>().fetch_all(p).await?;
        let unread: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL").bind(user_id).fetch_one(p).await?;
        Ok((items, unread))
    })
}

/// Marks one (or, with `None`, every) notification of the user read.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("UPDATE notifications SET read_at = ");
        qb.push_bind(now).push(" WHERE read_at IS NULL AND user_id = ").push_bind(user_id);
        if let Some(i) = id { qb.push(" AND id = ").push_bind(i); }
        qb.build().execute(p).await?;
    });
    Ok(())
}

/// The address a user wants notifications e-mailed to.
pub async fn notification_email(db: &Db, user_id: i64) -> Result<Option<String>> {
    let v: Option<Option<String>> = crate::on_db!(db, p => sqlx::query_scalar("SELECT email FROM notification_prefs WHERE user_id = $1").bind(user_id).fetch_optional(p).await?);
    Ok(v.flatten())
}

pub async fn set_notification_email(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    email: Option<&str>,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO notification_prefs (user_id, email, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at")
            .bind(user_id).bind(email).bind(now).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("notification.email", "user", user_id, "设置通知邮箱"));
        tx.commit().await?;
    });
    Ok(())
}

/// A notification waiting to be e-mailed to a user who gave an address.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Unmailed {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub title: String,
    pub body: String,
}

/// Notifications not yet mailed, created after `since`, for users with an address.
pub async fn unmailed(db: &Db, since: OffsetDateTime, limit: i64) -> Result<Vec<Unmailed>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Unmailed>(
        "SELECT n.id, np.email, u.display_name, n.title, n.body FROM notifications n JOIN users u ON u.id = n.user_id \
         JOIN notification_prefs np ON np.user_id = n.user_id WHERE n.mailed_at IS NULL AND np.email IS NOT NULL AND n.created_at > $1 ORDER BY n.id LIMIT $2")
        .bind(since).bind(limit).fetch_all(p).await?))
}

pub async fn mark_mailed(db: &Db, ids: &[i64]) -> Result<()> {
    let now = db.now();
    for id in ids {
        crate::on_db!(db, p => { sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2").bind(now).bind(*id).execute(p).await?; });
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Plans and their review

/// One measure as stored in a plan revision's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSnap {
    pub kind: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: Option<String>,
    pub deadline_working_days: Option<i64>,
    pub resolved_deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSnap {
    pub finding_id: i64,
    pub measures: Vec<MeasureSnap>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub round_unit_id: i64,
    pub revision: i64,
    pub state: String,
    pub principal_leader: String,
    pub signed_on: Option<Date>,
    pub summary: String,
    pub items: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
    pub version: i64,
}

impl PlanRow {
    pub fn items(&self) -> Result<Vec<ItemSnap>> {
        serde_json::from_str(&self.items)
            .map_err(|e| StoreError::Corrupt(format!("plan items: {e}")))
    }

    pub fn state(&self) -> Result<PlanState> {
        PlanState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("plan state {}", self.state)))
    }
}

const SELECT_PLAN: &str = "SELECT id, round_unit_id, CAST(revision AS BIGINT) AS revision, state, principal_leader, signed_on, summary, items, submitted_at, decided_at, version FROM rect_plans";

pub async fn plans(db: &Db, unit_id: i64) -> Result<Vec<PlanRow>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, PlanRow>(sqlx::AssertSqlSafe(format!("{SELECT_PLAN} WHERE round_unit_id = $1 ORDER BY revision"))).bind(unit_id).fetch_all(p).await?))
}

/// A plan revision whose unit is in scope.
pub async fn plan(db: &Db, scope: &Scope, plan_id: i64) -> Result<PlanRow> {
    let row: PlanRow = crate::on_db!(db, p => sqlx::query_as::<_, PlanRow>(sqlx::AssertSqlSafe(format!("{SELECT_PLAN} WHERE id = $1"))).bind(plan_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    unit(db, scope, row.round_unit_id).await?;
    Ok(row)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub plan_id: i64,
    pub body: String,
    pub decision: String,
    pub opinion: String,
    pub reviewer_name: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub plan_id: i64,
    pub finding_id: i64,
    pub body: String,
    pub text: String,
    pub reviewer_name: String,
    pub at: OffsetDateTime,
}

/// Reviews and comments of every revision of a unit's plan.
pub async fn reviews(db: &Db, unit_id: i64) -> Result<(Vec<ReviewRow>, Vec<CommentRow>)> {
    crate::on_db!(db, p => {
        let r = sqlx::query_as::<_, ReviewRow>("SELECT v.id, v.plan_id, v.body, v.decision, v.opinion, v.reviewer_name, v.at FROM plan_reviews v JOIN rect_plans rp ON rp.id = v.plan_id WHERE rp.round_unit_id = $1 ORDER BY v.id")
            .bind(unit_id).fetch_all(p).await?;
        let c = sqlx::query_as::<_, CommentRow>("SELECT v.id, v.plan_id, v.finding_id, v.body, v.text, v.reviewer_name, v.at FROM plan_comments v JOIN rect_plans rp ON rp.id = v.plan_id WHERE rp.round_unit_id = $1 ORDER BY v.id")
            .bind(unit_id).fetch_all(p).await?;
        Ok((r, c))
    })
}

/// The fed-back problems of a unit: `(finding id, title, category name)`.
pub async fn unit_problems(db: &Db, unit_id: i64) -> Result<Vec<(i64, String, Option<String>)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, (i64, String, Option<String>)>(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.title, c.name FROM findings f LEFT JOIN categories c ON c.id = f.category_id WHERE f.round_unit_id = $1 AND f.state IN {LEDGER_STATES} ORDER BY f.id")))
        .bind(unit_id).fetch_all(p).await?))
}

#[derive(Debug, Clone)]
pub struct PlanDraft {
    pub principal_leader: String,
    pub signed_on: Option<Date>,
    pub summary: String,
    pub items: Vec<ItemSnap>,
}

/// Saves the draft: creates revision 1, updates a DRAFT, or starts the next revision from a
/// RETURNED plan. Submitted and approved revisions are never edited.
pub async fn save_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
    d: &PlanDraft,
    version: i64,
) -> Result<PlanRow> {
    let u = unit(db, scope, unit_id).await?;
    let problems = unit_problems(db, unit_id).await?;
    for it in &d.items {
        if !problems.iter().any(|(id, _, _)| *id == it.finding_id) {
            return Err(field(
                "items",
                Msg::new("rect.unknown_finding").arg("id", it.finding_id),
            ));
        }
    }
    let latest = plans(db, unit_id).await?.pop();
    let items = serde_json::to_string(&d.items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = match latest.as_ref() {
            Some(pl) if pl.state == PlanState::Draft.code() => {
                let n = sqlx::query("UPDATE rect_plans SET principal_leader = $1, signed_on = $2, summary = $3, items = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND state = 'DRAFT'")
                    .bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(now).bind(pl.id).bind(version)
                    .execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(StoreError::StaleVersion);
                }
                pl.id
            }
            Some(pl) if pl.state == PlanState::Returned.code() || pl.state == PlanState::Draft.code() => {
                if pl.version != version {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query_scalar("INSERT INTO rect_plans (province_id, round_unit_id, revision, state, principal_leader, signed_on, summary, items, created_by, created_at, updated_at) \
                                    VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, 'DRAFT', $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                    .bind(unit_id).bind(i32::try_from(pl.revision + 1).unwrap_or(i32::MAX)).bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(actor.user_id).bind(now)
                    .fetch_one(&mut *tx).await?
            }
            Some(pl) => {
                let st = PlanState::from_code(&pl.state).map_or_else(|| pl.state.clone(), |x| x.label().to_string());
                return Err(rule(Msg::new("rect.plan_not_editable").arg("state", st)));
            }
            None => {
                if version != 0 {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query_scalar("INSERT INTO rect_plans (province_id, round_unit_id, revision, state, principal_leader, signed_on, summary, items, created_by, created_at, updated_at) \
                                    VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, 1, 'DRAFT', $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                    .bind(unit_id).bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(actor.user_id).bind(now)
                    .fetch_one(&mut *tx).await?
            }
        };
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.save", "rect_plan", id, format!("{}：保存整改方案", u.org_name)));
        tx.commit().await?;
        id
    });
    plan(db, &Scope::unrestricted(), id).await
}

pub async fn submit_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    plan_id: i64,
    version: i64,
) -> Result<PlanRow> {
    let pl = plan(db, scope, plan_id).await?;
    let st = pl.state()?;
    if st != PlanState::Draft {
        return Err(rule(
            Msg::new("rect.plan_not_editable").arg("state", st.label()),
        ));
    }
    xuncha_domain::rectification::check_signed(&pl.principal_leader, pl.signed_on)?;
    let problems = unit_problems(db, pl.round_unit_id).await?;
    let items = pl.items()?;
    let ids: Vec<i64> = problems.iter().map(|(id, _, _)| *id).collect();
    let counts: Vec<(i64, usize)> = items
        .iter()
        .map(|i| (i.finding_id, i.measures.len()))
        .collect();
    xuncha_domain::rectification::check_plan_complete(&ids, &counts)?;
    let u = unit(db, scope, pl.round_unit_id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE rect_plans SET state = 'SUBMITTED', submitted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND state = 'DRAFT'")
            .bind(now).bind(plan_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "round_unit", pl.round_unit_id, actor, Some("DRAFT"), "PLAN_SUBMITTED", format!("报送整改方案（第{}稿），主要负责人{}签字", pl.revision, pl.principal_leader));
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.submit", "rect_plan", plan_id, format!("{}：报送整改方案第{}稿", u.org_name, pl.revision)));
        tx.commit().await?;
    });
    plan(db, &Scope::unrestricted(), plan_id).await
}

/// The facts that make `user_id` a member of a reviewing body for the plan of `round_unit_id`:
/// whether the user is on the unit's team, and the name of the user's organisation when it is a
/// department directly under the organisation that runs the round (never the inspected unit).
pub async fn reviewer_facts(
    db: &Db,
    user_id: i64,
    round_unit_id: i64,
) -> Result<(bool, Option<String>)> {
    crate::on_db!(db, p => {
        let on_team: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM round_units ru JOIN team_members m ON m.team_id = ru.team_id \
             JOIN people pe ON pe.id = m.person_id WHERE ru.id = $1 AND pe.user_id = $2")
            .bind(round_unit_id).bind(user_id).fetch_one(p).await?;
        let dept: Option<(String, String, String)> = sqlx::query_as("SELECT o.name, o.path, io.path FROM users u JOIN organisations o ON o.id = u.org_id \
             JOIN round_units ru ON ru.id = $1 JOIN organisations io ON io.id = ru.org_id \
             WHERE u.id = $2 AND o.parent_id = ru.owner_org_id")
            .bind(round_unit_id).bind(user_id).fetch_optional(p).await?;
        let department = dept
            .filter(|(_, own, unit)| !own.starts_with(unit.as_str()))
            .map(|(name, _, _)| name);
        Ok((on_team > 0, department))
    })
}

/// One review decision, for one or more bodies, with per-item comments. Returns the plan after
/// the decision; approval creates the measures and starts rectification of every item.
#[allow(clippy::too_many_arguments)]
pub async fn review_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    plan_id: i64,
    bodies: &[String],
    decision: ReviewDecision,
    opinion: &str,
    comments: &[(i64, String)],
    version: i64,
    resolved: &(dyn Fn(&MeasureSnap) -> Option<Date> + Sync),
) -> Result<PlanRow> {
    let pl = plan(db, scope, plan_id).await?;
    if pl.state()? != PlanState::Submitted {
        return Err(rule(Msg::new("rect.plan_not_submitted")));
    }
    let (cfg, _) = settings(db, unit_office(db, pl.round_unit_id).await?).await?;
    if bodies.is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("bodies"),
        ])));
    }
    for b in bodies {
        if !cfg.review_bodies.contains(b) {
            return Err(field(
                "bodies",
                Msg::new("rect.unknown_body").arg("body", b),
            ));
        }
    }
    if decision == ReviewDecision::Return && opinion.trim().is_empty() && comments.is_empty() {
        return Err(field("opinion", Msg::new("rect.reason_required")));
    }
    let problems = unit_problems(db, pl.round_unit_id).await?;
    for (fid, _) in comments {
        if !problems.iter().any(|(id, _, _)| id == fid) {
            return Err(field(
                "comments",
                Msg::new("rect.unknown_finding").arg("id", fid),
            ));
        }
    }
    let (existing, _) = reviews(db, pl.round_unit_id).await?;
    let mut latest: Vec<(String, ReviewDecision)> = Vec::new();
    for r in existing.iter().filter(|r| r.plan_id == plan_id) {
        if let Some(d) = ReviewDecision::from_code(&r.decision) {
            latest.retain(|(b, _)| *b != r.body);
            latest.push((r.body.clone(), d));
        }
    }
    for b in bodies {
        latest.retain(|(x, _)| x != b);
        latest.push((b.clone(), decision));
    }
    let result = xuncha_domain::rectification::review_result(&cfg.review_bodies, &latest);
    let u = unit(db, scope, pl.round_unit_id).await?;
    let items = pl.items()?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE rect_plans SET state = $1, decided_at = CASE WHEN $1 = 'SUBMITTED' THEN decided_at ELSE $2 END, version = version + 1, updated_at = $2 \
                             WHERE id = $3 AND version = $4 AND state = 'SUBMITTED'")
            .bind(result.code()).bind(now).bind(plan_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        for b in bodies {
            sqlx::query("INSERT INTO plan_reviews (plan_id, body, decision, opinion, reviewer_id, reviewer_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(plan_id).bind(b).bind(decision.code()).bind(opinion.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now).execute(&mut *tx).await?;
        }
        let body_names = bodies.join("、");
        for (fid, text) in comments {
            sqlx::query("INSERT INTO plan_comments (plan_id, finding_id, body, text, reviewer_id, reviewer_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(plan_id).bind(*fid).bind(&body_names).bind(text.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now).execute(&mut *tx).await?;
        }
        if result == PlanState::Approved {
            for it in &items {
                let mut latest_deadline: Option<Date> = None;
                for m in &it.measures {
                    let d = resolved(m).ok_or_else(|| StoreError::Corrupt("plan measure without a deadline".into()))?;
                    latest_deadline = Some(latest_deadline.map_or(d, |x| x.max(d)));
                    sqlx::query("INSERT INTO measures (province_id, finding_id, plan_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, created_at, updated_at) \
                                 VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 'OPEN', $10, $10)")
                        .bind(it.finding_id).bind(plan_id).bind(&m.kind).bind(&m.content).bind(&m.target).bind(&m.responsible_leader).bind(&m.lead_dept)
                        .bind(crate::db::to_json_list(&m.co_depts)).bind(d).bind(now).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE findings SET state = 'IN_PROGRESS', deadline = $1, original_deadline = $1, outcome = 'in_progress', version = version + 1, updated_at = $2 WHERE id = $3 AND state = 'FED_BACK'")
                    .bind(latest_deadline).bind(now).bind(it.finding_id).execute(&mut *tx).await?;
                sqlx::query(REFRESH_DUE).bind(it.finding_id).execute(&mut *tx).await?;
                crate::event_append!(db, tx, "finding", it.finding_id, actor, Some("FED_BACK"), "PLANNED", format!("整改方案第{}稿经会审审定", pl.revision));
                crate::event_append!(db, tx, "finding", it.finding_id, actor, Some("PLANNED"), "IN_PROGRESS", "按方案开始整改");
            }
            // 抄告: the supervising leaders at the office that ran the round, and the unit.
            let leaders: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
                 WHERE ro.code = 'leader' AND u.org_id = (SELECT owner_org_id FROM round_units WHERE id = $1)")
                .bind(pl.round_unit_id).fetch_all(&mut *tx).await?;
            notify!(db, tx, &leaders, "copy", format!("抄告：{}整改方案已审定", u.org_name),
                format!("{}（{}）整改方案第{}稿经会审审定，共{}个问题。", u.org_name, u.round_name, pl.revision, items.len()),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:copy")));
            let unit_users: Vec<i64> = sqlx::query_scalar(UNIT_WRITERS).bind(u.org_id).bind(false).fetch_all(&mut *tx).await?;
            notify!(db, tx, &unit_users, "plan", "整改方案已审定".to_string(), format!("{}整改方案第{}稿已审定，请按期推进整改。", u.round_name, pl.revision),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:approved")));
        } else if result == PlanState::Returned {
            let unit_users: Vec<i64> = sqlx::query_scalar(UNIT_WRITERS).bind(u.org_id).bind(false).fetch_all(&mut *tx).await?;
            notify!(db, tx, &unit_users, "plan", "整改方案被退回修改".to_string(), format!("{}：{}", body_names, opinion.trim()),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:returned")));
        }
        crate::event_append!(db, tx, "round_unit", pl.round_unit_id, actor, Some("SUBMITTED"), result.code(), format!("{body_names}：{}{}", decision.label(), if opinion.trim().is_empty() { String::new() } else { format!("，{}", opinion.trim()) }));
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.review", "rect_plan", plan_id, format!("{}：整改方案第{}稿 {body_names}{}", u.org_name, pl.revision, decision.label())));
        tx.commit().await?;
    });
    plan(db, &Scope::unrestricted(), plan_id).await
}

// ---------------------------------------------------------------------------------------------
// Letters

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Letter {
    pub id: i64,
    pub round_unit_id: i64,
    pub org_name: String,
    pub letter_type: String,
    pub letter_name: String,
    pub doc_no: String,
    pub finding_ids: String,
    pub requirement: String,
    pub new_deadline: Option<Date>,
    pub file_hash: String,
    pub issued_by_name: String,
    pub issued_at: OffsetDateTime,
    /// 主送: the addressee organisation (the unit, or the 纪委监委 for a 问责建议函) and its name
    /// as written on the letter.
    pub addressee_org_id: Option<i64>,
    pub addressee_name: String,
    /// `issued` or `withdrawn` (`letters::LetterState`).
    pub state: String,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_by_name: Option<String>,
    pub withdraw_reason: Option<String>,
    pub version: i64,
}

impl Letter {
    pub fn finding_ids(&self) -> Vec<i64> {
        serde_json::from_str(&self.finding_ids).unwrap_or_default()
    }
}

const SELECT_LETTER: &str = "SELECT l.id, l.round_unit_id, o.name AS org_name, l.letter_type, l.letter_name, l.doc_no, l.finding_ids, l.requirement, l.new_deadline, \
     l.file_hash, l.issued_by_name, l.issued_at, l.addressee_org_id, CASE WHEN l.addressee_name = '' THEN o.name ELSE l.addressee_name END AS addressee_name, \
     l.state, l.withdrawn_at, l.withdrawn_by_name, l.withdraw_reason, l.version FROM letters l JOIN round_units ru ON ru.id = l.round_unit_id JOIN organisations o ON o.id = ru.org_id \
     LEFT JOIN organisations ao ON ao.id = l.addressee_org_id WHERE 1 = 1";

/// The addressee body of a letter (`ao`, e.g. the 纪委监委 of a 问责建议函).
const ADDRESSEE_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "ao.path",
    org_id: "ao.id",
    owner: "ao.created_by",
};

/// A letter is readable where its unit is in scope, or its addressee (the 纪委监委 reads the
/// 问责建议函 addressed to it).
fn push_letter_scope<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" AND ((1 = 1");
    scope.push_filter(qb, UNIT_COLS);
    qb.push(") OR (1 = 1");
    scope.push_filter(qb, ADDRESSEE_COLS);
    qb.push("))");
}

pub async fn letters(db: &Db, scope: &Scope, round_unit_id: Option<i64>) -> Result<Vec<Letter>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LETTER);
        if let Some(u) = round_unit_id { qb.push(" AND l.round_unit_id = ").push_bind(u); }
        push_letter_scope(&mut qb, scope);
        qb.push(" ORDER BY l.id DESC LIMIT 500");
        Ok(qb.build_query_as::<Letter>().fetch_all(p).await?)
    })
}

pub async fn letter(db: &Db, scope: &Scope, id: i64) -> Result<Letter> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LETTER);
        qb.push(" AND l.id = ").push_bind(id);
        push_letter_scope(&mut qb, scope);
        qb.build_query_as::<Letter>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Overdue open items per unit in scope: `(round_unit_id, finding_id, deadline)`, oldest first.
pub async fn overdue_items(db: &Db, scope: &Scope, today: Date) -> Result<Vec<(i64, i64, Date)>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT f.round_unit_id, f.id, f.due_date FROM findings f WHERE f.state IN {OPEN_STATES} AND f.due_date < "));
        qb.push_bind(today);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY f.round_unit_id, f.due_date LIMIT 10000");
        Ok(qb.build_query_as::<(i64, i64, Date)>().fetch_all(p).await?)
    })
}

/// The next document number of the year (文号 sequence) and the issuing office's name.
pub async fn letter_context(db: &Db, unit_id: i64, year: i32) -> Result<(i64, String)> {
    crate::on_db!(db, p => {
        let seq: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(doc_seq) AS BIGINT) FROM letters WHERE doc_year = $1").bind(year).fetch_one(p).await?;
        let owner: String = sqlx::query_scalar("SELECT o.name FROM round_units ru JOIN organisations o ON o.id = ru.owner_org_id WHERE ru.id = $1").bind(unit_id).fetch_one(p).await?;
        Ok((seq.unwrap_or(0) + 1, owner))
    })
}

#[derive(Debug, Clone)]
pub struct LetterDraft {
    pub round_unit_id: i64,
    pub letter_type: String,
    pub letter_name: String,
    pub year: i32,
    pub seq: i64,
    pub doc_no: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<Date>,
    pub docx: Upload,
    /// 主送 (see `Letter`); `addressee_is_unit` picks who is notified: the unit's users acting
    /// in rectification, or the users of the addressee body who read rectification.
    pub addressee_org_id: i64,
    pub addressee_name: String,
    pub addressee_is_unit: bool,
}

/// The users of a body other than the unit (`$1`) an escalation letter is addressed to: those
/// reading rectification (`rect:read`, e.g. the 纪委监委's discipline users), not locked (`$2`).
const ADDRESSEE_READERS: &str = "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
     WHERE u.org_id = $1 AND u.locked_by_admin = $2 AND ro.permissions LIKE '%\"rect:read\"%' ORDER BY u.id";

/// Where a letter's notification leads: the unit to its first item's page (letters listed there),
/// another addressee body to the letter's document.
fn letter_link(letter_id: i64, to_unit: bool, finding_ids: &[i64]) -> String {
    match finding_ids.first() {
        Some(f) if to_unit => format!("/rect/items/{f}"),
        _ => format!("/api/v1/rect/letters/{letter_id}/docx"),
    }
}

/// Records an issued letter with its generated document, and notifies its addressee.
pub async fn issue_letter(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    d: &LetterDraft,
) -> Result<Letter> {
    let u = unit(db, scope, d.round_unit_id).await?;
    let now = db.now();
    let hash = d.docx.hash();
    let ids =
        serde_json::to_string(&d.finding_ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO files (hash, size, media_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
            .bind(&hash).bind(i64::try_from(d.docx.bytes.len()).unwrap_or(i64::MAX)).bind(&d.docx.media_type).bind(&d.docx.bytes).bind(now)
            .execute(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letters (province_id, round_unit_id, letter_type, letter_name, doc_year, doc_seq, doc_no, finding_ids, requirement, new_deadline, file_hash, issued_by, issued_by_name, issued_at, addressee_org_id, addressee_name) \
             VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
            .bind(d.round_unit_id).bind(&d.letter_type).bind(&d.letter_name).bind(d.year).bind(i32::try_from(d.seq).unwrap_or(i32::MAX)).bind(&d.doc_no).bind(&ids)
            .bind(&d.requirement).bind(d.new_deadline).bind(&hash).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .bind(d.addressee_org_id).bind(&d.addressee_name)
            .fetch_one(&mut *tx).await?;
        for fid in &d.finding_ids {
            let st: String = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(*fid).fetch_one(&mut *tx).await?;
            crate::event_append!(db, tx, "finding", *fid, actor, Some(st.as_str()), st.as_str(), format!("发出{}（{}）", d.letter_name, d.doc_no));
        }
        let recipients: Vec<i64> = sqlx::query_scalar(if d.addressee_is_unit { UNIT_WRITERS } else { ADDRESSEE_READERS })
            .bind(d.addressee_org_id).bind(false).fetch_all(&mut *tx).await?;
        notify!(db, tx, &recipients, "letter", format!("收到{}", d.letter_name), format!("{}（{}）：{}", d.doc_no, u.org_name, d.requirement),
            Some(letter_link(id, d.addressee_is_unit, &d.finding_ids)), Some(format!("letter:{}", d.doc_no)));
        crate::audit_append!(db, tx, actor, &Event::op("rect.letter", "round_unit", d.round_unit_id, format!("就{}向{}发出{}（{}）", u.org_name, d.addressee_name, d.letter_name, d.doc_no)));
        tx.commit().await?;
        id
    });
    letter(db, &Scope::unrestricted(), id).await
}

/// Withdraws an issued letter in scope with a reason: its number and document are kept, it no
/// longer counts as issued for the ladder; an event on each named item, an audit record, and the
/// addressee is notified. `version`, when given, must be the letter's current one.
pub async fn withdraw_letter(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    reason: &str,
    version: Option<i64>,
) -> Result<Letter> {
    let l = letter(db, scope, id).await?;
    // Only the office whose scope holds the unit withdraws (the addressee body reads it only).
    unit(db, scope, l.round_unit_id).await?;
    let state = xuncha_domain::letters::LetterState::from_code(&l.state)
        .ok_or_else(|| StoreError::Corrupt(format!("letter state {}", l.state)))?;
    state.check_withdraw()?;
    if version.is_some_and(|v| v != l.version) {
        return Err(StoreError::StaleVersion);
    }
    let now = db.now();
    let unit_org: i64 = crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT org_id FROM round_units WHERE id = $1").bind(l.round_unit_id).fetch_one(p).await?
    });
    let addressee = l.addressee_org_id.unwrap_or(unit_org);
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE letters SET state = 'withdrawn', withdrawn_at = $1, withdrawn_by = $2, withdrawn_by_name = $3, withdraw_reason = $4, \
                             version = version + 1 WHERE id = $5 AND state = 'issued' AND version = $6")
            .bind(now).bind(actor.user_id).bind(&actor.display_name).bind(reason).bind(id).bind(l.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        for fid in l.finding_ids() {
            let st: Option<String> = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(fid).fetch_optional(&mut *tx).await?;
            if let Some(st) = st {
                crate::event_append!(db, tx, "finding", fid, actor, Some(st.as_str()), st.as_str(), format!("撤回{}（{}）：{}", l.letter_name, l.doc_no, reason));
            }
        }
        let recipients: Vec<i64> = sqlx::query_scalar(if addressee == unit_org { UNIT_WRITERS } else { ADDRESSEE_READERS })
            .bind(addressee).bind(false).fetch_all(&mut *tx).await?;
        notify!(db, tx, &recipients, "letter", format!("{}已撤回", l.letter_name), format!("{}（{}）已撤回：{}", l.doc_no, l.org_name, reason),
            Some(letter_link(id, addressee == unit_org, &l.finding_ids())), Some(format!("letter-withdrawn:{}", l.doc_no)));
        crate::audit_append!(db, tx, actor, &Event::op("rect.letter_withdraw", "letter", id, format!("撤回{}（{}，主送{}）：{}", l.letter_name, l.doc_no, l.addressee_name, reason)));
        tx.commit().await?;
    });
    letter(db, &Scope::unrestricted(), id).await
}

// ---------------------------------------------------------------------------------------------
// Reports

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Report {
    pub id: i64,
    pub round_unit_id: i64,
    pub kind: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: Date,
    pub meeting_date: Option<Date>,
    pub participants: Option<String>,
    pub filed_at: Option<OffsetDateTime>,
    pub filed_to_name: Option<String>,
    pub created_at: OffsetDateTime,
}

const SELECT_REPORT: &str = "SELECT r.id, r.round_unit_id, r.kind, r.title, r.content, r.principal_leader, r.signed_on, r.meeting_date, r.participants, r.filed_at, \
     fo.name AS filed_to_name, r.created_at FROM rect_reports r LEFT JOIN organisations fo ON fo.id = r.filed_to_org_id";

pub async fn reports(db: &Db, scope: &Scope, unit_id: i64) -> Result<Vec<Report>> {
    unit(db, scope, unit_id).await?;
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE r.round_unit_id = $1 ORDER BY r.id"))).bind(unit_id).fetch_all(p).await?))
}

pub async fn report(db: &Db, scope: &Scope, id: i64) -> Result<Report> {
    let r: Report = crate::on_db!(db, p => sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE r.id = $1"))).bind(id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    unit(db, scope, r.round_unit_id).await?;
    Ok(r)
}

#[derive(Debug, Clone)]
pub struct ReportDraft {
    pub kind: ReportKind,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: Date,
    pub meeting_date: Option<Date>,
    pub participants: Option<String>,
}

pub async fn add_report(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
    d: &ReportDraft,
) -> Result<Report> {
    let u = unit(db, scope, unit_id).await?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rect_reports (province_id, round_unit_id, kind, title, content, principal_leader, signed_on, meeting_date, participants, created_by, created_by_name, created_at) \
             VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(unit_id).bind(d.kind.code()).bind(&d.title).bind(&d.content).bind(&d.principal_leader).bind(d.signed_on).bind(d.meeting_date)
            .bind(&d.participants).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("rect.report", "round_unit", unit_id, format!("{}：{}“{}”", u.org_name, d.kind.label(), d.title)));
        tx.commit().await?;
        id
    });
    report(db, &Scope::unrestricted(), id).await
}

/// 报告报备: files the report with the office that ran the round and notifies its supervisors.
pub async fn file_report(db: &Db, actor: &Actor, scope: &Scope, id: i64) -> Result<Report> {
    let r = report(db, scope, id).await?;
    if r.filed_at.is_some() {
        return Err(rule(Msg::new("rect.report_filed")));
    }
    let u = unit(db, scope, r.round_unit_id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE rect_reports SET filed_at = $1, filed_to_org_id = $2 WHERE id = $3 AND filed_at IS NULL").bind(now).bind(u.owner_org_id).bind(id).execute(&mut *tx).await?;
        let office: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
             WHERE u.org_id = $1 AND (ro.code = 'leader' OR ro.permissions LIKE '%\"rect:supervise\"%')")
            .bind(u.owner_org_id).fetch_all(&mut *tx).await?;
        let kind = ReportKind::from_code(&r.kind).map_or_else(|| r.kind.clone(), |x| x.label().to_string());
        notify!(db, tx, &office, "report", format!("{}报备：{}", u.org_name, kind), r.title.clone(), Some(format!("/rect/units/{}/plan", u.id)), Some(format!("report:{id}")));
        crate::audit_append!(db, tx, actor, &Event::op("rect.report.file", "round_unit", u.id, format!("{}：{}“{}”报备至{}", u.org_name, kind, r.title, u.owner_org_name)));
        tx.commit().await?;
    });
    report(db, &Scope::unrestricted(), id).await
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// Counts of the §10 figures for one group; rates are computed by the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct StatCounts {
    pub key: String,
    pub label: String,
    pub total: i64,
    pub completed: i64,
    pub due: i64,
    pub completed_on_time: i64,
    pub overdue: i64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub age_30: i64,
    pub age_90: i64,
    pub age_180: i64,
    pub age_more: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatGroup {
    Unit,
    Level,
    Round,
    Category,
    None,
}

/// Aggregates the ledger in scope by `group` on `today`.
pub async fn stats(
    db: &Db,
    scope: &Scope,
    group: StatGroup,
    round_id: Option<i64>,
    org_id: Option<i64>,
    today: Date,
) -> Result<Vec<StatCounts>> {
    let (key, label) = match group {
        StatGroup::Unit => ("CAST(f.org_id AS TEXT)", "o.name"),
        StatGroup::Level => ("o.kind", "o.kind"),
        StatGroup::Round => ("CAST(ru.round_id AS TEXT)", "r.name"),
        StatGroup::Category => (
            "COALESCE(CAST(f.category_id AS TEXT), '')",
            "COALESCE(c.name, '未分类')",
        ),
        StatGroup::None => ("'all'", "'合计'"),
    };
    // Join only what the group's label needs: the totals read the ledger rows alone.
    let joins = match group {
        StatGroup::Unit | StatGroup::Level => " JOIN organisations o ON o.id = f.org_id",
        StatGroup::Round => " JOIN rounds r ON r.id = ru.round_id",
        StatGroup::Category => " LEFT JOIN categories c ON c.id = f.category_id",
        StatGroup::None => "",
    };
    let range = match org_id {
        Some(o) => Some(org_range(db, o).await?),
        None => None,
    };
    let d30 = today - time::Duration::days(30);
    let d90 = today - time::Duration::days(90);
    let d180 = today - time::Duration::days(180);
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {key} AS key, {label} AS label, COUNT(*) AS total, \
             CAST(COALESCE(SUM(CASE WHEN f.state = 'CLOSED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed, \
             CAST(COALESCE(SUM(CASE WHEN f.deadline < "));
        qb.push_bind(today).push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS due, CAST(COALESCE(SUM(CASE WHEN f.state = 'CLOSED' AND f.deadline < ").push_bind(today)
          .push(" AND f.closed_on <= f.deadline THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed_on_time, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(today)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, CAST(COALESCE(SUM(CASE WHEN f.state = 'LONG_TERM' THEN 1 ELSE 0 END), 0) AS BIGINT) AS long_term, \
                 CAST(COALESCE(SUM(CASE WHEN f.extensions > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS extended, CAST(COALESCE(SUM(f.extensions), 0) AS BIGINT) AS extensions, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(today).push(" AND f.due_date >= ").push_bind(d30)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_30, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d30).push(" AND f.due_date >= ").push_bind(d90)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_90, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d90).push(" AND f.due_date >= ").push_bind(d180)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_180, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d180)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_more ")
          .push(format_args!("FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id{joins} WHERE f.state IN {LEDGER_STATES}"));
        if let Some((s, e)) = &range {
            qb.push(" AND f.org_path >= ").push_bind(s.clone()).push(" AND f.org_path < ").push_bind(e.clone());
        }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, LEDGER_COLS);
        if group != StatGroup::None {
            qb.push(format_args!(" GROUP BY {key}, {label} ORDER BY COUNT(*) DESC, {key} LIMIT 500"));
        }
        Ok(qb.build_query_as::<StatCounts>().fetch_all(p).await?)
    })
}

// ---------------------------------------------------------------------------------------------
// The scheduler's scan

/// Open items whose deadline is on or before `yellow_until`, with the users to warn:
/// `(finding id, title, org name, deadline, recipients)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningTarget {
    pub finding_id: i64,
    pub title: String,
    pub org_name: String,
    /// The deadline; for a long-term item, the date of its latest report.
    pub deadline: Date,
    /// The office that runs the round: its settings and calendar apply.
    pub owner_org_id: i64,
    pub recipients: Vec<i64>,
}

pub async fn warning_targets(
    db: &Db,
    yellow_until: Date,
    limit: i64,
) -> Result<Vec<WarningTarget>> {
    // (finding, title, unit name, deadline, unit org, owner office, team)
    type Row = (i64, String, String, Date, i64, i64, Option<i64>);
    let rows: Vec<Row> = crate::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT f.id, f.title, o.name, f.due_date, f.org_id, ru.owner_org_id, ru.team_id FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
         JOIN organisations o ON o.id = f.org_id WHERE f.state IN {OPEN_STATES} AND f.due_date <= $1 ORDER BY f.due_date, f.id LIMIT $2")))
        .bind(yellow_until).bind(limit).fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, org_name, deadline, org_id, owner, team) in rows {
        // The unit's head and liaison (rect:write at the unit), the supervising leaders at the
        // office, and the officer in charge (the team leader of the round unit).
        let recipients: Vec<i64> = crate::on_db!(db, p => sqlx::query_scalar(
            "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
             WHERE (u.org_id = $1 AND ro.permissions LIKE '%\"rect:write\"%') OR (u.org_id = $2 AND ro.code = 'leader') \
             OR u.id IN (SELECT pe.user_id FROM team_members tm JOIN people pe ON pe.id = tm.person_id WHERE tm.team_id = $3 AND tm.role = 'leader' AND pe.user_id IS NOT NULL) \
             ORDER BY u.id")
            .bind(org_id).bind(owner).bind(team.unwrap_or(-1)).fetch_all(p).await?);
        out.push(WarningTarget {
            finding_id: id,
            title,
            org_name,
            deadline,
            owner_org_id: owner,
            recipients,
        });
    }
    Ok(out)
}

/// Long-term items whose latest progress (or, without any, whose entry into LONG_TERM) is on or
/// before `before`, with that date as the target's `deadline`.
pub async fn long_term_due(db: &Db, before: Date, limit: i64) -> Result<Vec<WarningTarget>> {
    let rows: Vec<(i64, String, String, i64, i64, Date)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT f.id, f.title, o.name, f.org_id, ru.owner_org_id, COALESCE((SELECT MAX(pr.effective_date) FROM progress pr WHERE pr.finding_id = f.id AND pr.effective_date >= f.closed_on), f.closed_on) AS last \
         FROM findings f JOIN organisations o ON o.id = f.org_id JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state = 'LONG_TERM' \
         AND COALESCE((SELECT MAX(pr.effective_date) FROM progress pr WHERE pr.finding_id = f.id AND pr.effective_date >= f.closed_on), f.closed_on) <= $1 ORDER BY f.id LIMIT $2")
        .bind(before).bind(limit).fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, org_name, org_id, owner, last) in rows {
        let recipients: Vec<i64> = crate::on_db!(db, p => sqlx::query_scalar(UNIT_WRITERS).bind(org_id).bind(false).fetch_all(p).await?);
        out.push(WarningTarget {
            finding_id: id,
            title,
            org_name,
            deadline: last,
            owner_org_id: owner,
            recipients,
        });
    }
    Ok(out)
}

/// Reminds the unit to report on a long-term item (once per item and period).
pub async fn send_long_term_reminder(db: &Db, t: &WarningTarget, period: &str) -> Result<()> {
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        notify!(db, tx, &t.recipients, "long_term", format!("持续整改定期报告：{}", t.org_name),
            format!("“{}”为持续整改事项，请报告本期整改进展。", t.title),
            Some(format!("/rect/items/{}", t.finding_id)), Some(format!("longterm:{}:{period}", t.finding_id)));
        tx.commit().await?;
    });
    Ok(())
}

/// Sends one warning notification (idempotent per item, colour and deadline).
pub async fn send_warning(
    db: &Db,
    t: &WarningTarget,
    colour: &str,
    title: String,
    body: String,
) -> Result<()> {
    let key = format!("warn:{}:{colour}:{}", t.finding_id, t.deadline);
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        notify!(db, tx, &t.recipients, "warning", title, body, Some(format!("/rect/items/{}", t.finding_id)), Some(key));
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Ledger import

/// One validated row of an imported Excel ledger.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub title: String,
    pub category_id: Option<i64>,
    pub measure: MeasureSnap,
    pub deadline: Date,
    pub state: FindingState,
    pub outcome: Outcome,
}

/// Rows per multi-row INSERT of a ledger import (at most 13 values a row, well under both
/// backends' limit on bound parameters).
const LEDGER_IMPORT_CHUNK: usize = 1000;

/// Category ids by name, for the import.
pub async fn category_ids(db: &Db) -> Result<Vec<(i64, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, (i64, String)>("SELECT c.id, c.name FROM categories c JOIN frames fr ON fr.id = c.frame_id WHERE fr.active = $1 ORDER BY c.id").bind(true).fetch_all(p).await?))
}

/// Stores an imported ledger for a fed-back round unit in one transaction: every row becomes a
/// fed-back finding with one measure, in the state the sheet gives.
pub async fn import_ledger(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
    rows: &[ImportRow],
    today: Date,
) -> Result<usize> {
    let u = unit(db, scope, unit_id).await?;
    if u.feedback_date.is_none() {
        return Err(rule(Msg::new("rect.import_no_unit")));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Every row in a few multi-row statements, in one transaction.
        let province_id: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1")
            .bind(unit_id).fetch_one(&mut *tx).await?;
        let org_path: String = sqlx::query_scalar("SELECT path FROM organisations WHERE id = $1")
            .bind(u.org_id).fetch_one(&mut *tx).await?;
        for chunk in rows.chunks(LEDGER_IMPORT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO findings (province_id, round_unit_id, org_id, category_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, \
                  created_by, created_at, updated_at, org_path, deadline, original_deadline, due_date, closed_on, outcome) ",
            );
            qb.push_values(chunk, |mut b, r| {
                let closed_on = (r.state == FindingState::Closed).then_some(today);
                b.push_bind(province_id).push_bind(unit_id).push_bind(u.org_id).push_bind(r.category_id).push_bind(r.title.as_str())
                    .push("''").push("''").push("''").push("''").push("''").push("''")
                    .push_bind(r.state.code()).push_bind(actor.user_id).push_bind(now).push_bind(now).push_bind(org_path.as_str())
                    .push_bind(r.deadline).push_bind(r.deadline).push_bind(r.deadline).push_bind(closed_on).push_bind(r.outcome.code());
            });
            qb.push(" RETURNING id");
            // Ids are assigned in VALUES order on both backends (rowid max + 1; an identity's
            // nextval row by row), so ascending ids pair with the chunk's rows.
            let mut ids: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
            ids.sort_unstable();
            if ids.len() != chunk.len() {
                return Err(StoreError::Corrupt(format!("ledger import stored {} of {} findings", ids.len(), chunk.len())));
            }
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO measures (province_id, finding_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, created_at, updated_at) ",
            );
            qb.push_values(chunk.iter().zip(&ids), |mut b, (r, fid)| {
                b.push_bind(province_id).push_bind(*fid).push_bind(r.measure.kind.as_str()).push_bind(r.measure.content.as_str())
                    .push_bind(r.measure.target.as_str()).push_bind(r.measure.responsible_leader.as_str()).push_bind(r.measure.lead_dept.as_str())
                    .push_bind(crate::db::to_json_list(&r.measure.co_depts)).push_bind(r.deadline).push_bind(r.deadline)
                    .push_bind(if r.state == FindingState::Closed { "DONE" } else { "OPEN" }).push_bind(now).push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO events (entity_type, entity_id, at, actor_id, actor_name, from_state, to_state, comment) ",
            );
            qb.push_values(chunk.iter().zip(&ids), |mut b, (r, fid)| {
                b.push_bind("finding").push_bind(*fid).push_bind(now).push_bind(actor.user_id).push_bind(actor.name.as_str())
                    .push_bind(None::<String>).push_bind(r.state.code()).push_bind("由Excel整改台账导入");
            });
            qb.build().execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.ledger.import", "round_unit", unit_id, format!("{}：导入整改台账 {} 条", u.org_name, rows.len())));
        tx.commit().await?;
    });
    if rows.len() >= 1000 {
        crate::on_db!(db, p => { sqlx::query("ANALYZE findings").execute(p).await?; });
    }
    Ok(rows.len())
}

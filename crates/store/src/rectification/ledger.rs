//! Rectification storage: the ledger

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct LedgerRow {
    pub id: FindingId,
    pub round_id: i64,
    pub round_name: String,
    pub round_unit_id: RoundUnitId,
    /// The office that runs the round: its settings apply to the row.
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub state: FindingState,
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

/// Sets an item's next due date: the earliest deadline of its open measures, or its own
/// deadline when none is open (every measure's deadline is watched, not only the latest).
pub(super) const REFRESH_DUE: &str = "UPDATE findings SET due_date = COALESCE((SELECT MIN(m.deadline) FROM measures m WHERE m.finding_id = $1 AND m.state = 'OPEN'), deadline) WHERE id = $1";

pub(super) const SELECT_LEDGER: &str = "SELECT f.id, ru.round_id, r.name AS round_name, f.round_unit_id, ru.owner_org_id, f.org_id, o.name AS org_name, f.category_id, c.name AS category_name, \
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
    pub org_id: Option<OrgId>,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    pub warning: Option<WarningBand>,
    /// The leader's "needs attention" view.
    pub attention: bool,
    /// The office's view: only rounds run by this organisation.
    pub owner_org_id: Option<OrgId>,
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
pub(super) fn push_yellow_until<DB>(qb: &mut QueryBuilder<DB>, t: &Today)
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

pub(super) fn push_ledger_filter<DB>(
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
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
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
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
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

pub async fn ledger_row(db: &Db, scope: &Scope, id: FindingId) -> Result<LedgerRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        qb.push(" AND f.id = ").push_bind(id.get());
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as::<LedgerRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

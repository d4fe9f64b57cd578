//! Rectification storage: the ledger — its rows, filters and pages (`walk`: the export's walk;
//! `tests`: every reading agrees, and the plans SQLite takes).

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

/// The ledger states spelled in sorted order: the predicate of the partial index
/// `findings_ledger_state_idx` (migration 0014). SQLite uses a partial index only for a query whose
/// WHERE repeats the index's terms exactly, so this spelling (not [`LEDGER_STATES`]) is the ledger
/// page's opt-in, and no other query is drawn into that index.
pub(crate) const LEDGER_INDEX_STATES: &str =
    "('CLOSED', 'CLOSE_REQUESTED', 'FED_BACK', 'IN_PROGRESS', 'LONG_TERM', 'PLANNED', 'REOPENED')";
/// The open states spelled in sorted order: the predicate of `findings_ledger_open_idx`.
pub(crate) const OPEN_INDEX_STATES: &str =
    "('CLOSE_REQUESTED', 'FED_BACK', 'IN_PROGRESS', 'PLANNED', 'REOPENED')";

/// Below this many ledger rows in the subtree (or scope) a page is read from the path index and
/// sorted (SQLite); from it on, the page reads an index in ledger order and checks the subtree on
/// the way. Reading in order visits about `page size × rows in scope ÷ rows in the subtree` index
/// entries, sorting costs the subtree's rows: the two meet around here at the province profile.
pub(crate) const SORT_BELOW_ROWS: i64 = 10_000;

/// How the page query reaches its rows. PostgreSQL plans from its statistics ([`Drive::Planner`]);
/// SQLite has no statistics about ranges and takes the first indexable term it finds, so on SQLite
/// the store chooses, and makes every other filter unindexable (`COALESCE(c, c)`: the same value,
/// but not a column an index can serve).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Drive {
    /// No hints (PostgreSQL; the counts).
    Planner,
    /// One round unit: its index, then a sort of its few rows.
    Unit,
    /// A small subtree named by the organisation filter: its path range, then a sort.
    Subtree,
    /// A small scope (a small subtree, or single organisations): its terms, then a sort.
    Scope,
    /// An index in ledger order — by state when the filter names one, the open items when it asks
    /// for a warning colour — with the subtree and the other filters checked on the way.
    Order,
    /// One category's range of `findings_category_idx` (category, deadline, id, state, path), in
    /// ledger order, with the subtree and the other filters checked on the way.
    Category,
    /// The path index (`findings_ledger_idx`) in path order, for an export's walk
    /// ([`LedgerWalk`]): the subtree is its range, every other filter is checked on the way.
    Path,
}

/// The column expressions the ledger filters test, plain or made unindexable for a [`Drive`].
struct LedgerCols {
    /// The ledger's own states: `… IN (…)`.
    ledger: String,
    /// The open states: `… IN (…)`.
    open: String,
    /// The state filter's column.
    state: String,
    /// Every other test of the state.
    state_any: String,
    subtree: String,
    scope_path: String,
    scope_org: String,
    due: String,
    category: String,
    unit: String,
    round: String,
    owner: String,
}

impl LedgerCols {
    fn new(drive: Drive, f: &LedgerFilter) -> Self {
        let hinted = drive != Drive::Planner;
        let col = |c: &str, plain: bool| {
            if plain || !hinted {
                c.to_string()
            } else {
                format!("COALESCE({c}, {c})")
            }
        };
        let by_state = drive == Drive::Order && has_state(f);
        let by_open = drive == Drive::Order && !by_state && f.warning.is_some();
        LedgerCols {
            ledger: if by_state {
                format!("f.state IN {LEDGER_INDEX_STATES}")
            } else {
                format!("{} IN {LEDGER_STATES}", col("f.state", false))
            },
            open: if by_open {
                format!("f.state IN {OPEN_INDEX_STATES}")
            } else {
                format!("{} IN {OPEN_STATES}", col("f.state", false))
            },
            state: col("f.state", by_state),
            state_any: col("f.state", false),
            subtree: col("f.org_path", matches!(drive, Drive::Subtree | Drive::Path)),
            scope_path: col("f.org_path", drive == Drive::Scope),
            scope_org: col("f.org_id", drive == Drive::Scope),
            due: col("f.due_date", false),
            category: col("f.category_id", drive == Drive::Category),
            unit: col("f.round_unit_id", drive == Drive::Unit),
            round: col("ru.round_id", false),
            owner: col("ru.owner_org_id", false),
        }
    }

    fn scope(&self) -> ScopeColumns<'_> {
        ScopeColumns {
            path: &self.scope_path,
            org_id: &self.scope_org,
            owner: LEDGER_COLS.owner,
        }
    }
}

fn has_state(f: &LedgerFilter) -> bool {
    f.state.as_ref().is_some_and(|s| !s.is_empty())
}

/// Whether the filter tests the round unit (`ru`), which the page's id query and the count then
/// join (a filter on `ru` in [`push_ledger_filter`] must be named here).
fn needs_unit_join(f: &LedgerFilter, t: &Today) -> bool {
    f.round_id.is_some()
        || f.owner_org_id.is_some()
        || (!t.by_office.is_empty()
            && (f.attention || matches!(f.warning, Some(WarningBand::Yellow | WarningBand::Green))))
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
    push_ledger_filter_on(qb, f, range, t, &LedgerCols::new(Drive::Planner, f));
}

fn push_ledger_filter_on<DB>(
    qb: &mut QueryBuilder<DB>,
    f: &LedgerFilter,
    range: Option<&(String, String)>,
    t: &Today,
    c: &LedgerCols,
) where
    DB: sqlx::Database,
    for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    if let Some((start, end)) = range {
        qb.push(format_args!(" AND {} >= ", c.subtree))
            .push_bind(start.clone())
            .push(format_args!(" AND {} < ", c.subtree))
            .push_bind(end.clone());
    }
    if let Some(r) = f.round_id {
        qb.push(format_args!(" AND {} = ", c.round)).push_bind(r);
    }
    if let Some(o) = f.owner_org_id {
        qb.push(format_args!(" AND {} = ", c.owner)).push_bind(o);
    }
    if let Some(u) = f.round_unit_id {
        qb.push(format_args!(" AND {} = ", c.unit)).push_bind(u);
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        qb.push(format_args!(" AND {} = ", c.state))
            .push_bind(s.clone());
    }
    if let Some(cat) = f.category_id {
        qb.push(format_args!(" AND {} = ", c.category))
            .push_bind(cat);
    }
    if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        qb.push(" AND f.title LIKE ")
            .push_bind(format!("%{}%", q.replace(['%', '_'], "")));
    }
    if let Some(w) = f.warning {
        qb.push(format_args!(" AND {}", c.open));
        match w {
            WarningBand::Red => {
                qb.push(format_args!(" AND {} < ", c.due))
                    .push_bind(t.today);
            }
            WarningBand::Yellow => {
                qb.push(format_args!(" AND {} >= ", c.due))
                    .push_bind(t.today)
                    .push(format_args!(" AND {} <= ", c.due));
                push_yellow_until(qb, t);
            }
            WarningBand::Green => {
                qb.push(format_args!(" AND {} > ", c.due));
                push_yellow_until(qb, t);
            }
        }
    }
    if f.attention {
        qb.push(format_args!(" AND (({} AND {} <= ", c.open, c.due));
        push_yellow_until(qb, t);
        qb.push(format_args!(") OR {} = 'CLOSE_REQUESTED' OR EXISTS (SELECT 1 FROM deadline_extensions x WHERE x.finding_id = f.id AND x.state = 'PENDING'))", c.state_any));
    }
}

/// A ledger item's place in ledger order: items with a deadline by (deadline, id), then items
/// without one by id. A page cursor is the key of a page's first or last row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LedgerKey {
    pub deadline: Option<Date>,
    pub id: FindingId,
}

impl LedgerRow {
    pub fn key(&self) -> LedgerKey {
        LedgerKey {
            deadline: self.deadline,
            id: self.id,
        }
    }
}

/// Where a ledger page starts.
#[derive(Debug, Clone, Copy)]
pub enum LedgerSeek {
    /// Page N (OFFSET): a jump to a page number.
    Page(PageReq),
    /// The `page_size` rows after a key (keyset: the next page).
    After(LedgerKey, i64),
    /// The `page_size` rows before a key (keyset: the previous page). At the start of the ledger
    /// this is page 1, full.
    Before(LedgerKey, i64),
}

/// One page of the ledger read by [`ledger_seek`].
#[derive(Debug, Clone)]
pub struct LedgerSlice {
    pub items: Vec<LedgerRow>,
    /// The rows matching the filter, when counted.
    pub total: Option<i64>,
    /// Whether rows come before the first item (false: this is page 1).
    pub more_before: bool,
    /// Whether rows follow the last item.
    pub more_after: bool,
}

/// The two parts of ledger order, read separately so that each is one index range on both
/// backends (SQLite sorts NULL first, PostgreSQL last; within a part there is no NULL to place).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// Items with a deadline, by (deadline, id).
    Dated,
    /// Items without one, by id (written `deadline, id` too, so the same index serves it).
    Undated,
}

/// One page of the 整改台账 by page number, with the total.
pub async fn ledger(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<LedgerRow>> {
    let slice = ledger_seek(db, scope, f, t, LedgerSeek::Page(page), true).await?;
    Ok(Page {
        items: slice.items,
        total: slice.total.unwrap_or_default(),
    })
}

/// One page of the 整改台账 in ledger order (deadline, then id; items without a deadline last),
/// by page number or after / before a row (keyset), counting the matching rows when `count`.
///
/// A keyset page reads one index range in ledger order whatever its depth: `findings_ledger_order_idx`
/// (deadline, id, state, org_path), `findings_ledger_state_idx` for a state filter,
/// `findings_ledger_open_idx` for a warning colour. The subtree (and the caller's scope) is then a
/// filter checked in the index: a page of a subtree holding a share `s` of the rows in its index
/// range visits about `page size ÷ s` index entries. For a small subtree that is many, so below
/// [`SORT_BELOW_ROWS`] rows the subtree's path range is read and sorted instead (SQLite chooses by
/// a bounded count; PostgreSQL by its statistics). What would make every subtree flat is an index
/// per ancestor (ledger rows keyed by each ancestor's id, maintained on write); not built.
pub async fn ledger_seek(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    seek: LedgerSeek,
    count: bool,
) -> Result<LedgerSlice> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    let drive = choose_drive(db, scope, f, range.as_ref()).await?;
    ledger_seek_by(db, scope, f, t, range.as_ref(), seek, count, drive).await
}

/// The [`Drive`] of a page query: the statistics on PostgreSQL; on SQLite the round unit, a small
/// subtree or scope (a bounded count of its rows), else an index in ledger order.
async fn choose_drive(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    range: Option<&(String, String)>,
) -> Result<Drive> {
    if db.backend() == crate::Backend::Postgres {
        return Ok(Drive::Planner);
    }
    if f.round_unit_id.is_some() {
        return Ok(Drive::Unit);
    }
    let bounded = !scope.all && !scope.own;
    if bounded && scope.ranges.is_empty() {
        // Single organisations (本部门) only: their index.
        return Ok(Drive::Scope);
    }
    let (ranges, small) = match range {
        Some(r) => (std::slice::from_ref(r), Drive::Subtree),
        None if bounded => (scope.ranges.as_slice(), Drive::Scope),
        None => return Ok(order_drive(f)),
    };
    let rows: i64 = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT COUNT(*) FROM (SELECT 1 FROM findings f WHERE f.state IN {LEDGER_STATES} AND ("));
        for (i, (start, end)) in ranges.iter().enumerate() {
            if i > 0 {
                qb.push(" OR ");
            }
            qb.push("(f.org_path >= ").push_bind(start.clone()).push(" AND f.org_path < ").push_bind(end.clone()).push(")");
        }
        qb.push(") LIMIT ").push_bind(SORT_BELOW_ROWS).push(") x");
        qb.build_query_scalar().fetch_one(p).await?
    });
    Ok(if rows < SORT_BELOW_ROWS {
        small
    } else {
        order_drive(f)
    })
}

/// The index a large subtree's page reads in ledger order: one category's range when the filter
/// names a category (a few percent of the ledger: the order index would visit many rows per page
/// to find them), else the order, state or open-items index ([`Drive::Order`]).
fn order_drive(f: &LedgerFilter) -> Drive {
    if f.category_id.is_some() {
        Drive::Category
    } else {
        Drive::Order
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn ledger_seek_by(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
    seek: LedgerSeek,
    count: bool,
    drive: Drive,
) -> Result<LedgerSlice> {
    // The counters answer the common filters' totals without reading the rows.
    let total = if !count {
        None
    } else if let Some(n) = counted_total(db, scope, f, t).await? {
        Some(n)
    } else {
        Some(count_ledger(db, scope, f, t, range, None).await?)
    };
    let read = |part: Part, back: bool, from: Option<LedgerKey>, limit: i64, offset: i64| {
        read_part(
            db, scope, f, t, range, drive, part, back, from, limit, offset,
        )
    };
    let (items, more_before, more_after) = match seek {
        LedgerSeek::Page(page) => read_page(db, scope, f, t, range, drive, page).await?,
        LedgerSeek::After(key, n) => {
            let want = n.saturating_add(1);
            let mut rows = Vec::new();
            if key.deadline.is_some() {
                rows = read(Part::Dated, false, Some(key), want, 0).await?;
            }
            if len(&rows) < want {
                let from = key.deadline.is_none().then_some(key);
                rows.extend(read(Part::Undated, false, from, want - len(&rows), 0).await?);
            }
            let more_after = len(&rows) > n;
            rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
            (rows, true, more_after)
        }
        LedgerSeek::Before(key, n) => {
            let want = n.saturating_add(1);
            // Read backwards: the rows nearest the key first.
            let mut rows = Vec::new();
            if key.deadline.is_none() {
                rows = read(Part::Undated, true, Some(key), want, 0).await?;
            }
            if len(&rows) < want {
                let from = key.deadline.is_some().then_some(key);
                rows.extend(read(Part::Dated, true, from, want - len(&rows), 0).await?);
            }
            if len(&rows) > n {
                rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
                rows.reverse();
                (rows, true, true)
            } else if len(&rows) == n {
                rows.reverse();
                (rows, false, true)
            } else {
                // Back at the start with a short page (rows came or went): page 1, full.
                let first = PageReq {
                    page: 1,
                    page_size: n,
                };
                read_page(db, scope, f, t, range, drive, first).await?
            }
        }
    };
    Ok(LedgerSlice {
        items,
        total,
        more_before,
        more_after,
    })
}

/// Page N by OFFSET: the dated part, then what the offset leaves of the undated part.
async fn read_page(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
    drive: Drive,
    page: PageReq,
) -> Result<(Vec<LedgerRow>, bool, bool)> {
    let (n, offset) = (page.page_size, page.offset());
    let want = n.saturating_add(1);
    let mut rows = read_part(
        db,
        scope,
        f,
        t,
        range,
        drive,
        Part::Dated,
        false,
        None,
        want,
        offset,
    )
    .await?;
    if len(&rows) < want {
        // The page reaches the items without a deadline: skip what the offset leaves of them
        // (counting the dated items only when this page holds none of them).
        let skip = if rows.is_empty() && offset > 0 {
            let dated = count_ledger(db, scope, f, t, range, Some(Part::Dated)).await?;
            (offset - dated).max(0)
        } else {
            0
        };
        let more = read_part(
            db,
            scope,
            f,
            t,
            range,
            drive,
            Part::Undated,
            false,
            None,
            want - len(&rows),
            skip,
        )
        .await?;
        rows.extend(more);
    }
    let more_after = len(&rows) > n;
    rows.truncate(usize::try_from(n).unwrap_or(usize::MAX));
    Ok((rows, offset > 0, more_after))
}

/// Every row matching the filter, counted (no counters).
pub(super) async fn count_rows(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
) -> Result<i64> {
    count_ledger(db, scope, f, t, range, None).await
}

fn len<T>(v: &[T]) -> i64 {
    i64::try_from(v.len()).unwrap_or(i64::MAX)
}

/// The rows matching the filter (of one part of the order, when `part` is given).
async fn count_ledger(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
    part: Option<Part>,
) -> Result<i64> {
    crate::on_db!(db, p => {
        // The round unit only when a filter tests it: the count then reads the ledger index alone.
        let join = if needs_unit_join(f, t) { " JOIN round_units ru ON ru.id = f.round_unit_id" } else { "" };
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM findings f{join} WHERE f.state IN {LEDGER_STATES}"));
        push_ledger_filter(&mut count, f, range, t);
        scope.push_filter(&mut count, LEDGER_COLS);
        match part {
            Some(Part::Dated) => { count.push(" AND f.deadline IS NOT NULL"); }
            Some(Part::Undated) => { count.push(" AND f.deadline IS NULL"); }
            None => {}
        }
        Ok(count.build_query_scalar().fetch_one(p).await?)
    })
}

/// Pushes the id query of one part of ledger order: the ids of up to `limit` matching rows after
/// `offset`, from `from` (exclusive) forwards, or backwards when `back`. Only `findings` (and the
/// round unit when a filter needs it), so the index that drives it often answers it alone; the
/// page's columns are read for these ids only.
#[allow(clippy::too_many_arguments)]
fn push_ids<DB>(
    qb: &mut QueryBuilder<DB>,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
    drive: Drive,
    part: Part,
    back: bool,
    from: Option<LedgerKey>,
    limit: i64,
    offset: i64,
) where
    DB: sqlx::Database,
    for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    let c = LedgerCols::new(drive, f);
    qb.push("SELECT f.id FROM findings f");
    if needs_unit_join(f, t) {
        qb.push(" JOIN round_units ru ON ru.id = f.round_unit_id");
    }
    qb.push(format_args!(" WHERE {}", c.ledger));
    push_ledger_filter_on(qb, f, range, t, &c);
    scope.push_filter(qb, c.scope());
    let (cmp, dir) = if back { ("<", " DESC") } else { (">", "") };
    match (part, from) {
        (Part::Dated, None) => {
            qb.push(" AND f.deadline IS NOT NULL");
        }
        (Part::Dated, Some(k)) => {
            // A dated key; from an undated key (reading backwards) the whole dated part precedes.
            qb.push(" AND f.deadline IS NOT NULL");
            if let Some(d) = k.deadline {
                qb.push(format_args!(" AND (f.deadline, f.id) {cmp} ("))
                    .push_bind(d)
                    .push(", ")
                    .push_bind(k.id.get())
                    .push(")");
            }
        }
        (Part::Undated, None) => {
            qb.push(" AND f.deadline IS NULL");
        }
        (Part::Undated, Some(k)) => {
            qb.push(" AND f.deadline IS NULL");
            if k.deadline.is_none() {
                qb.push(format_args!(" AND f.id {cmp} "))
                    .push_bind(k.id.get());
            }
        }
    }
    qb.push(format_args!(" ORDER BY f.deadline{dir}, f.id{dir} LIMIT "))
        .push_bind(limit);
    if offset > 0 {
        qb.push(" OFFSET ").push_bind(offset);
    }
}

#[allow(clippy::too_many_arguments)]
async fn read_part(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    range: Option<&(String, String)>,
    drive: Drive,
    part: Part,
    back: bool,
    from: Option<LedgerKey>,
    limit: i64,
    offset: i64,
) -> Result<Vec<LedgerRow>> {
    if limit <= 0 {
        return Ok(Vec::new());
    }
    let dir = if back { " DESC" } else { "" };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        qb.push(" AND f.id IN (");
        push_ids(&mut qb, scope, f, t, range, drive, part, back, from, limit, offset);
        qb.push(format_args!(") ORDER BY f.deadline{dir}, f.id{dir}"));
        Ok(qb.build_query_as::<LedgerRow>().fetch_all(p).await?)
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

mod walk;
pub use self::walk::*;

#[cfg(test)]
mod tests;

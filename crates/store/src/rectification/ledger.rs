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

/// Where a [`LedgerWalk`] has reached: the last row's place in export order.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct WalkKey {
    id: i64,
    org_path: String,
    round_unit_id: i64,
}

/// Every ledger row matching a filter, in export order — the item's organisation in tree order
/// (its path), then the round unit, then the item — read a chunk at a time, each chunk after the
/// last row of the one before (keyset). Memory is one chunk whatever the number of rows, and
/// each chunk costs about the same: on SQLite the walk reads the path index
/// (`findings_ledger_idx`: its range for a subtree, or for a caller whose scope is subtrees), or
/// a single round unit's rows, naming the index (`INDEXED BY`); PostgreSQL plans from its
/// statistics.
///
/// The chunks are read one after another, not in one snapshot: an item written during a long
/// export shows as it was when its chunk was read (as the page views do).
#[derive(Debug)]
pub struct LedgerWalk {
    range: Option<(String, String)>,
    /// `[start, end)` of the paths the caller's scope can hold, when it is subtrees only.
    bounds: Option<(String, String)>,
    drive: Drive,
    after: Option<WalkKey>,
    done: bool,
}

impl LedgerWalk {
    /// A walk from the first row matching `f` in `scope`.
    pub async fn new(db: &Db, scope: &Scope, f: &LedgerFilter) -> Result<Self> {
        let range = match f.org_id {
            Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
            None => None,
        };
        let drive = if db.backend() == crate::Backend::Postgres {
            Drive::Planner
        } else if f.round_unit_id.is_some() {
            Drive::Unit
        } else {
            Drive::Path
        };
        let bounds = (!scope.all && !scope.own && scope.orgs.is_empty())
            .then(|| {
                let start = scope.ranges.iter().map(|r| r.0.clone()).min()?;
                let end = scope.ranges.iter().map(|r| r.1.clone()).max()?;
                Some((start, end))
            })
            .flatten();
        Ok(LedgerWalk {
            range,
            bounds,
            drive,
            after: None,
            done: false,
        })
    }

    /// The next up to `n` rows (empty when the walk is over).
    pub async fn next(
        &mut self,
        db: &Db,
        scope: &Scope,
        f: &LedgerFilter,
        t: &Today,
        n: i64,
    ) -> Result<Vec<LedgerRow>> {
        if self.done || n <= 0 {
            return Ok(Vec::new());
        }
        let keys: Vec<WalkKey> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("");
            self.push_ids(&mut qb, scope, f, t, n);
            qb.build_query_as::<WalkKey>().fetch_all(p).await?
        });
        if len(&keys) < n {
            self.done = true;
        }
        let Some(last) = keys.last().cloned() else {
            return Ok(Vec::new());
        };
        self.after = Some(last);
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_LEDGER);
            qb.push(" AND f.id IN (");
            let mut sep = qb.separated(", ");
            for k in &keys {
                sep.push_bind(k.id);
            }
            qb.push(") ORDER BY f.org_path, f.round_unit_id, f.id");
            Ok(qb.build_query_as::<LedgerRow>().fetch_all(p).await?)
        })
    }

    /// The id query of the next chunk: only `findings` (and the round unit when a filter needs
    /// it), in export order from the key on.
    fn push_ids<DB>(
        &self,
        qb: &mut QueryBuilder<DB>,
        scope: &Scope,
        f: &LedgerFilter,
        t: &Today,
        n: i64,
    ) where
        DB: sqlx::Database,
        for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
        for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
        for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    {
        let c = LedgerCols::new(self.drive, f);
        // The path drives the walk unless one round unit's rows are read and sorted.
        let path = if self.drive == Drive::Unit {
            "COALESCE(f.org_path, f.org_path)"
        } else {
            "f.org_path"
        };
        qb.push("SELECT f.id, f.org_path, f.round_unit_id FROM findings f");
        // SQLite's statistics (stat4, with the bound key) judge a range holding most rows cheaper
        // to scan whole and sort, not knowing the LIMIT ends the path index's walk early: early
        // in an export every chunk would then read every row. The index is named instead.
        match self.drive {
            Drive::Path => {
                qb.push(" INDEXED BY findings_ledger_idx");
            }
            Drive::Unit => {
                qb.push(" INDEXED BY findings_unit_state_idx");
            }
            _ => {}
        }
        if needs_unit_join(f, t) {
            qb.push(" JOIN round_units ru ON ru.id = f.round_unit_id");
        }
        qb.push(format_args!(" WHERE {}", c.ledger));
        push_ledger_filter_on(qb, f, self.range.as_ref(), t, &c);
        scope.push_filter(qb, c.scope());
        if let Some((start, end)) = &self.bounds {
            qb.push(format_args!(" AND {path} >= "))
                .push_bind(start.clone())
                .push(format_args!(" AND {path} < "))
                .push_bind(end.clone());
        }
        if let Some(k) = &self.after {
            qb.push(format_args!(" AND {path} >= "))
                .push_bind(k.org_path.clone())
                .push(" AND (f.org_path, f.round_unit_id, f.id) > (")
                .push_bind(k.org_path.clone())
                .push(", ")
                .push_bind(k.round_unit_id)
                .push(", ")
                .push_bind(k.id)
                .push(")");
        }
        qb.push(" ORDER BY f.org_path, f.round_unit_id, f.id LIMIT ")
            .push_bind(n);
    }
}

pub async fn ledger_row(db: &Db, scope: &Scope, id: FindingId) -> Result<LedgerRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LEDGER);
        qb.push(" AND f.id = ").push_bind(id.get());
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as::<LedgerRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

#[cfg(test)]
mod tests {
    //! Every way of reading the ledger (each [`Drive`], by page number, forwards and backwards by
    //! key, any page size) yields the same rows in the same order on both backends, and on SQLite
    //! the keyset queries read an index in ledger order.
    use super::*;
    use time::macros::{date, datetime};

    const TODAY: Date = date!(2026 - 11 - 23);

    /// Organisations (id, parent, path): a province, two cities, a county and a village under the
    /// first city; one round unit each; 150 findings spread over them with every state, shared
    /// deadlines (ties broken by id) and a share without a deadline.
    async fn seeded(db: &Db) {
        let at = datetime!(2026-01-01 0:00 UTC);
        let orgs: [(i64, Option<i64>, &str); 5] = [
            (1, None, "/1/"),
            (2, Some(1), "/1/2/"),
            (3, Some(1), "/1/3/"),
            (4, Some(2), "/1/2/4/"),
            (5, Some(4), "/1/2/4/5/"),
        ];
        let states = [
            "FED_BACK",
            "PLANNED",
            "IN_PROGRESS",
            "CLOSE_REQUESTED",
            "CLOSED",
            "LONG_TERM",
            "REOPENED",
            "DRAFT",
            "CLOSED",
            "IN_PROGRESS",
            "CLOSED",
        ];
        crate::on_db!(db, p => {
            for (id, parent, path) in orgs {
                sqlx::query("INSERT INTO organisations (id, province_id, parent_id, code, name, kind, path, depth, created_at, updated_at) VALUES ($1, 1, $2, $3, $4, 'city', $5, $6, $7, $7)")
                    .bind(id).bind(parent).bind(format!("O{id}")).bind(format!("单位{id}")).bind(path)
                    .bind(i64::try_from(path.matches('/').count()).unwrap() - 1).bind(at)
                    .execute(p).await.unwrap();
            }
            sqlx::query("INSERT INTO terms (id, owner_org_id, name, start_date, end_date, created_at, updated_at) VALUES (1, 1, '届', $1, $2, $3, $3)")
                .bind(date!(2025 - 01 - 01)).bind(date!(2030 - 01 - 01)).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO rounds (id, term_id, owner_org_id, name, kinds, start_date, end_date, focus, work_plan, created_at, updated_at) VALUES (1, 1, 1, '轮', '[]', $1, $2, '', '', $3, $3)")
                .bind(date!(2026 - 01 - 01)).bind(date!(2026 - 03 - 01)).bind(at).execute(p).await.unwrap();
            for (id, _, _) in orgs {
                sqlx::query("INSERT INTO round_units (id, province_id, round_id, owner_org_id, org_id, state, created_at, updated_at) VALUES ($1, 1, 1, 1, $1, 'FEEDBACK_DONE', $2, $2)")
                    .bind(id).bind(at).execute(p).await.unwrap();
            }
            sqlx::query("INSERT INTO frames (id, code, name, version_no, created_at) VALUES (1, 'F', '框架', 1, $1)")
                .bind(at).execute(p).await.unwrap();
            for c in 1..=2_i64 {
                sqlx::query("INSERT INTO categories (id, frame_id, code, name, sort) VALUES ($1, 1, $2, $3, $1)")
                    .bind(c).bind(format!("C{c}")).bind(format!("类别{c}")).execute(p).await.unwrap();
            }
            for i in 1..=150_i64 {
                let (org, _, path) = orgs[usize::try_from(i % 5).unwrap()];
                let state = states[usize::try_from(i % 11).unwrap()];
                // Deadlines on 12 days around today (many ties), none for every seventh item.
                let deadline = (i % 7 != 0).then(|| TODAY + time::Duration::days((i * 5) % 12 - 6));
                let due = deadline.map(|d| d - time::Duration::days(i % 3));
                // Two of every three items in category 1 or 2.
                let category = (i % 3 != 0).then_some(i % 3);
                sqlx::query("INSERT INTO findings (id, province_id, round_unit_id, org_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_at, updated_at, org_path, deadline, due_date, category_id) \
                             VALUES ($1, 1, $2, $2, $3, '', '', '', '', '', '', $4, $5, $5, $6, $7, $8, $9)")
                    .bind(i).bind(org).bind(format!("问题{i}")).bind(state).bind(at).bind(path).bind(deadline).bind(due).bind(category)
                    .execute(p).await.unwrap();
            }
        });
        // Written directly, so the counters (which answer some totals) are computed once here.
        crate::counters::rebuild(db).await.unwrap();
    }

    fn today() -> Today {
        Today {
            today: TODAY,
            yellow_until: TODAY + time::Duration::days(3),
            by_office: vec![(OrgId::new(1), TODAY + time::Duration::days(2))],
        }
    }

    fn subtree(path: &str) -> (String, String) {
        (path.to_string(), xuncha_domain::org::subtree_end(path))
    }

    /// The matching ids in ledger order, from a plain query sorted here.
    async fn expected(
        db: &Db,
        scope: &Scope,
        f: &LedgerFilter,
        range: Option<&(String, String)>,
    ) -> Vec<i64> {
        let t = today();
        let mut rows: Vec<(i64, Option<Date>)> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(format!("SELECT f.id, f.deadline FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {LEDGER_STATES}"));
            push_ledger_filter(&mut qb, f, range, &t);
            scope.push_filter(&mut qb, LEDGER_COLS);
            qb.build_query_as().fetch_all(p).await.unwrap()
        });
        rows.sort_by_key(|(id, d)| (d.is_none(), *d, *id));
        rows.into_iter().map(|(id, _)| id).collect()
    }

    fn ids(rows: &[LedgerRow]) -> Vec<i64> {
        rows.iter().map(|r| r.id.get()).collect()
    }

    #[allow(clippy::too_many_lines)]
    async fn every_reading_agrees(db: Db) {
        seeded(&db).await;
        let t = today();
        let county = Scope {
            user_id: 9,
            all: false,
            ranges: vec![subtree("/1/2/")],
            orgs: Vec::new(),
            own: false,
            team_user: None,
        };
        let single = Scope {
            ranges: Vec::new(),
            orgs: vec![OrgId::new(3)],
            ..county.clone()
        };
        let filters: Vec<(&str, LedgerFilter)> = vec![
            ("all", LedgerFilter::default()),
            (
                "state",
                LedgerFilter {
                    state: Some("IN_PROGRESS".into()),
                    ..Default::default()
                },
            ),
            (
                "undated state",
                LedgerFilter {
                    state: Some("FED_BACK".into()),
                    ..Default::default()
                },
            ),
            (
                "subtree",
                LedgerFilter {
                    org_id: Some(OrgId::new(2)),
                    ..Default::default()
                },
            ),
            (
                "red",
                LedgerFilter {
                    warning: Some(WarningBand::Red),
                    ..Default::default()
                },
            ),
            (
                "yellow",
                LedgerFilter {
                    warning: Some(WarningBand::Yellow),
                    ..Default::default()
                },
            ),
            (
                "attention",
                LedgerFilter {
                    attention: true,
                    ..Default::default()
                },
            ),
            (
                "category",
                LedgerFilter {
                    category_id: Some(2),
                    ..Default::default()
                },
            ),
            (
                "subtree category state",
                LedgerFilter {
                    org_id: Some(OrgId::new(2)),
                    category_id: Some(1),
                    state: Some("IN_PROGRESS".into()),
                    ..Default::default()
                },
            ),
            (
                "subtree state red",
                LedgerFilter {
                    org_id: Some(OrgId::new(2)),
                    state: Some("IN_PROGRESS".into()),
                    warning: Some(WarningBand::Red),
                    ..Default::default()
                },
            ),
            (
                "unit",
                LedgerFilter {
                    round_unit_id: Some(4),
                    ..Default::default()
                },
            ),
            (
                "round",
                LedgerFilter {
                    round_id: Some(1),
                    owner_org_id: Some(OrgId::new(1)),
                    ..Default::default()
                },
            ),
        ];
        let mut walked = 0;
        for scope in [Scope::unrestricted(), county, single] {
            for (name, f) in &filters {
                let range = match f.org_id {
                    Some(o) => Some(crate::orgs::subtree_range(&db, o).await.unwrap()),
                    None => None,
                };
                let want = expected(&db, &scope, f, range.as_ref()).await;
                let mut drives = vec![Drive::Planner, Drive::Order, Drive::Scope];
                if range.is_some() {
                    drives.push(Drive::Subtree);
                }
                if f.round_unit_id.is_some() {
                    drives.push(Drive::Unit);
                }
                if f.category_id.is_some() {
                    drives.push(Drive::Category);
                }
                let chosen = choose_drive(&db, &scope, f, range.as_ref()).await.unwrap();
                if !drives.contains(&chosen) {
                    drives.push(chosen);
                }
                if *name == "all" && scope.all {
                    // Items without a deadline come last, by id.
                    assert_eq!(want.len(), 150 - 150 / 11 - 1, "{want:?}");
                    assert_eq!(want[want.len() - 3..], [133, 140, 147], "{want:?}");
                }
                assert!(!scope.all || !want.is_empty(), "{name}");
                for drive in drives {
                    for n in [2_i64, 7, 200] {
                        let at =
                            format!("{name}, scope {:?}, {drive:?}, page size {n}", scope.ranges);
                        let seek =
                            |s| ledger_seek_by(&db, &scope, f, &t, range.as_ref(), s, false, drive);
                        // By page number.
                        let mut paged = Vec::new();
                        for page in 1.. {
                            let s = ledger_seek_by(
                                &db,
                                &scope,
                                f,
                                &t,
                                range.as_ref(),
                                LedgerSeek::Page(PageReq { page, page_size: n }),
                                true,
                                drive,
                            )
                            .await
                            .unwrap();
                            assert_eq!(s.total, Some(i64::try_from(want.len()).unwrap()), "{at}");
                            assert_eq!(s.more_before, page > 1, "{at}");
                            paged.extend(ids(&s.items));
                            if !s.more_after {
                                break;
                            }
                        }
                        assert_eq!(paged, want, "{at}: by page number");
                        // Forwards by key.
                        let first = seek(LedgerSeek::Page(PageReq {
                            page: 1,
                            page_size: n,
                        }))
                        .await
                        .unwrap();
                        let mut forward = ids(&first.items);
                        let mut last = first.items.last().map(LedgerRow::key);
                        let mut more = first.more_after;
                        while more {
                            let s = seek(LedgerSeek::After(last.unwrap(), n)).await.unwrap();
                            assert!(s.more_before, "{at}");
                            assert!(!s.items.is_empty(), "{at}");
                            forward.extend(ids(&s.items));
                            last = s.items.last().map(LedgerRow::key);
                            more = s.more_after;
                        }
                        assert_eq!(forward, want, "{at}: forwards by key");
                        // Backwards by key, from the last row.
                        let Some(end) = last else { continue };
                        let mut backward = vec![end.id.get()];
                        let mut key = end;
                        loop {
                            let s = seek(LedgerSeek::Before(key, n)).await.unwrap();
                            if !s.more_before {
                                // Page 1, full: what is left of it, in order.
                                let first_page = ids(&s.items);
                                let rest: Vec<i64> = first_page
                                    .into_iter()
                                    .filter(|id| !backward.contains(id))
                                    .collect();
                                backward.splice(0..0, rest);
                                break;
                            }
                            assert!(s.more_after, "{at}");
                            backward.splice(0..0, ids(&s.items));
                            key = s.items[0].key();
                        }
                        assert_eq!(backward, want, "{at}: backwards by key");
                        walked += 1;
                    }
                }
            }
        }
        assert!(walked > 100);
    }

    #[tokio::test]
    async fn every_reading_agrees_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        every_reading_agrees(
            crate::testing::sqlite_at(&dir.path().join("t.db"))
                .await
                .unwrap(),
        )
        .await;
    }

    #[tokio::test]
    async fn every_reading_agrees_postgres() {
        let (db, _) = crate::testing::postgres_fresh()
            .await
            .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
        every_reading_agrees(db).await;
    }

    /// SQLite's plan of one part's id query.
    async fn plan(
        db: &Db,
        scope: &Scope,
        f: &LedgerFilter,
        drive: Drive,
        part: Part,
        back: bool,
    ) -> String {
        let t = today();
        let range = match f.org_id {
            Some(o) => Some(crate::orgs::subtree_range(db, o).await.unwrap()),
            None => None,
        };
        let key = LedgerKey {
            deadline: (part == Part::Dated).then_some(TODAY),
            id: FindingId::new(5),
        };
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("EXPLAIN QUERY PLAN ");
            push_ids(&mut qb, scope, f, &t, range.as_ref(), drive, part, back, Some(key), 51, 0);
            let rows: Vec<(i64, i64, i64, String)> = qb.build_query_as().fetch_all(p).await.unwrap();
            rows.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ")
        })
    }

    /// On SQLite a keyset page reads an index in ledger order (no sort), the one its filter names;
    /// a small subtree reads its path range; the inspection list by state stays off the ledger's
    /// state index.
    #[tokio::test]
    async fn sqlite_reads_an_index_in_ledger_order() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::testing::sqlite_at(&dir.path().join("t.db"))
            .await
            .unwrap();
        let province = Scope {
            user_id: 9,
            all: false,
            ranges: vec![subtree("/1/")],
            orgs: Vec::new(),
            own: false,
            team_user: None,
        };
        let state = LedgerFilter {
            state: Some("IN_PROGRESS".into()),
            ..Default::default()
        };
        let red = LedgerFilter {
            warning: Some(WarningBand::Red),
            ..Default::default()
        };
        let attention = LedgerFilter {
            attention: true,
            ..Default::default()
        };
        let both = LedgerFilter {
            state: Some("IN_PROGRESS".into()),
            warning: Some(WarningBand::Red),
            ..Default::default()
        };
        for (f, part, back, index) in [
            (
                &LedgerFilter::default(),
                Part::Dated,
                false,
                "findings_ledger_order_idx",
            ),
            (
                &LedgerFilter::default(),
                Part::Dated,
                true,
                "findings_ledger_order_idx",
            ),
            (
                &LedgerFilter::default(),
                Part::Undated,
                false,
                "findings_ledger_order_idx",
            ),
            (&state, Part::Dated, false, "findings_ledger_state_idx"),
            (&state, Part::Dated, true, "findings_ledger_state_idx"),
            (&state, Part::Undated, false, "findings_ledger_order_idx"),
            (&red, Part::Dated, false, "findings_ledger_open_idx"),
            (&red, Part::Dated, true, "findings_ledger_open_idx"),
            (&both, Part::Dated, false, "findings_ledger_state_idx"),
            (&attention, Part::Dated, false, "findings_ledger_order_idx"),
        ] {
            let got = plan(&db, &province, f, Drive::Order, part, back).await;
            assert!(
                got.contains(index) && !got.contains("TEMP B-TREE"),
                "{f:?} {part:?} back {back}: {got}"
            );
        }
        // A category: its range of the category index, in ledger order, with or without a state.
        let category = LedgerFilter {
            category_id: Some(3),
            ..Default::default()
        };
        let category_state = LedgerFilter {
            category_id: Some(3),
            state: Some("IN_PROGRESS".into()),
            ..Default::default()
        };
        for (f, part, back) in [
            (&category, Part::Dated, false),
            (&category, Part::Dated, true),
            (&category, Part::Undated, false),
            (&category_state, Part::Dated, false),
        ] {
            let got = plan(&db, &province, f, Drive::Category, part, back).await;
            let index = "findings_category_idx (category_id=?";
            assert!(
                got.contains(index) && !got.contains("TEMP B-TREE"),
                "{f:?} {part:?} back {back}: {got}"
            );
        }
        let small = LedgerFilter {
            org_id: Some(OrgId::new(1)),
            ..Default::default()
        };
        crate::on_db!(&db, p => {
            sqlx::query("INSERT INTO organisations (id, code, name, kind, path, depth, created_at, updated_at) VALUES (1, 'P', '省', 'province', '/1/', 1, '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z')").execute(p).await.unwrap();
        });
        let got = plan(&db, &province, &small, Drive::Subtree, Part::Dated, false).await;
        assert!(
            got.contains("findings_ledger_idx (org_path>? AND org_path<?)"),
            "{got}"
        );
        let got = plan(&db, &province, &state, Drive::Scope, Part::Dated, false).await;
        assert!(
            got.contains("findings_ledger_idx (org_path>? AND org_path<?)"),
            "{got}"
        );
        let unit = LedgerFilter {
            round_unit_id: Some(1),
            ..Default::default()
        };
        let got = plan(&db, &province, &unit, Drive::Unit, Part::Dated, false).await;
        assert!(got.contains("findings_unit_state_idx"), "{got}");
        // The inspection list by state (fieldwork::list_findings) does not opt in.
        let got: Vec<(i64, i64, i64, String)> = crate::on_db!(&db, p => sqlx::query_as(
            "EXPLAIN QUERY PLAN SELECT f.id FROM findings f WHERE 1 = 1 AND f.state = 'CLOSED' ORDER BY f.id DESC LIMIT $1").bind(20_i64).fetch_all(p).await.unwrap());
        assert!(
            !got.iter()
                .any(|r| r.3.contains("findings_ledger_state_idx")),
            "{got:?}"
        );
    }

    /// An export's walk yields every matching row once, in export order (path, round unit, id),
    /// whatever the chunk size, for every filter and scope, on both backends.
    async fn the_walk_reads_every_row_in_export_order(db: Db) {
        seeded(&db).await;
        // A second round unit of the first city, so paths hold several units.
        crate::on_db!(&db, p => {
            let at = datetime!(2026-01-01 0:00 UTC);
            sqlx::query("INSERT INTO rounds (id, term_id, owner_org_id, name, kinds, start_date, end_date, focus, work_plan, created_at, updated_at) VALUES (2, 1, 1, '轮二', '[]', $1, $2, '', '', $3, $3)")
                .bind(date!(2026 - 04 - 01)).bind(date!(2026 - 06 - 01)).bind(at).execute(p).await.unwrap();
            sqlx::query("INSERT INTO round_units (id, province_id, round_id, owner_org_id, org_id, state, created_at, updated_at) VALUES (6, 1, 2, 1, 2, 'FEEDBACK_DONE', $1, $1)")
                .bind(at).execute(p).await.unwrap();
            for i in 151..=170_i64 {
                sqlx::query("INSERT INTO findings (id, province_id, round_unit_id, org_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_at, updated_at, org_path, deadline, due_date) \
                             VALUES ($1, 1, 6, 2, $2, '', '', '', '', '', '', 'IN_PROGRESS', $3, $3, '/1/2/', $4, $4)")
                    .bind(i).bind(format!("问题{i}")).bind(at).bind(TODAY + time::Duration::days(i % 9 - 4))
                    .execute(p).await.unwrap();
            }
        });
        let t = today();
        let county = Scope {
            user_id: 9,
            all: false,
            ranges: vec![subtree("/1/2/")],
            orgs: Vec::new(),
            own: false,
            team_user: None,
        };
        let two = Scope {
            ranges: vec![subtree("/1/3/"), subtree("/1/2/4/")],
            ..county.clone()
        };
        let single = Scope {
            ranges: Vec::new(),
            orgs: vec![OrgId::new(3)],
            ..county.clone()
        };
        let filters = [
            LedgerFilter::default(),
            LedgerFilter {
                state: Some("IN_PROGRESS".into()),
                ..Default::default()
            },
            LedgerFilter {
                org_id: Some(OrgId::new(2)),
                ..Default::default()
            },
            LedgerFilter {
                warning: Some(WarningBand::Red),
                ..Default::default()
            },
            LedgerFilter {
                round_unit_id: Some(6),
                ..Default::default()
            },
            LedgerFilter {
                round_id: Some(1),
                attention: true,
                ..Default::default()
            },
        ];
        let mut walked = 0;
        for scope in [Scope::unrestricted(), county, two, single] {
            for f in &filters {
                let want = ids(&ledger_all(&db, &scope, f, &t, i64::MAX).await.unwrap());
                if scope.all
                    && f.org_id.is_none()
                    && f.state.is_none()
                    && f.warning.is_none()
                    && f.round_unit_id.is_none()
                    && !f.attention
                {
                    assert_eq!(want.len(), 150 - 150 / 11 - 1 + 20);
                    // The first city's rows: its own unit's, then the second unit's.
                    let city: Vec<i64> = want
                        .iter()
                        .copied()
                        .filter(|i| *i % 5 == 1 || *i > 150)
                        .collect();
                    assert_eq!(city[city.len() - 20..], (151..=170).collect::<Vec<_>>()[..]);
                }
                for n in [1_i64, 7, 1000] {
                    let mut walk = LedgerWalk::new(&db, &scope, f).await.unwrap();
                    let mut got = Vec::new();
                    loop {
                        let rows = walk.next(&db, &scope, f, &t, n).await.unwrap();
                        if rows.is_empty() {
                            break;
                        }
                        assert!(i64::try_from(rows.len()).unwrap() <= n);
                        got.extend(ids(&rows));
                    }
                    assert_eq!(got, want, "{f:?} in {:?} by {n}", scope.ranges);
                    walked += 1;
                }
            }
        }
        assert_eq!(walked, 4 * 6 * 3);
    }

    #[tokio::test]
    async fn the_walk_reads_every_row_in_export_order_sqlite() {
        let dir = tempfile::tempdir().unwrap();
        the_walk_reads_every_row_in_export_order(
            crate::testing::sqlite_at(&dir.path().join("t.db"))
                .await
                .unwrap(),
        )
        .await;
    }

    #[tokio::test]
    async fn the_walk_reads_every_row_in_export_order_postgres() {
        let (db, _) = crate::testing::postgres_fresh()
            .await
            .expect("PostgreSQL must be reachable (XUNCHA_TEST_PG_URL)");
        the_walk_reads_every_row_in_export_order(db).await;
    }

    /// On SQLite each chunk of the walk reads the path index from the key on (sorting only the
    /// round units within a path), or one round unit's rows: never every row.
    #[tokio::test]
    async fn sqlite_walks_the_path_index() {
        let dir = tempfile::tempdir().unwrap();
        let db = crate::testing::sqlite_at(&dir.path().join("t.db"))
            .await
            .unwrap();
        let t = today();
        let county = Scope {
            user_id: 9,
            all: false,
            ranges: vec![subtree("/1/2/")],
            orgs: Vec::new(),
            own: false,
            team_user: None,
        };
        let key = WalkKey {
            id: 5,
            org_path: "/1/2/".into(),
            round_unit_id: 2,
        };
        for (scope, f, index) in [
            (
                Scope::unrestricted(),
                LedgerFilter::default(),
                "findings_ledger_idx (org_path>?)",
            ),
            (
                county.clone(),
                LedgerFilter {
                    state: Some("CLOSED".into()),
                    category_id: Some(1),
                    ..Default::default()
                },
                "findings_ledger_idx (org_path>? AND org_path<?)",
            ),
            (
                Scope::unrestricted(),
                LedgerFilter {
                    warning: Some(WarningBand::Red),
                    round_id: Some(1),
                    ..Default::default()
                },
                "findings_ledger_idx (org_path>?)",
            ),
            (
                county,
                LedgerFilter {
                    round_unit_id: Some(1),
                    ..Default::default()
                },
                "findings_unit_state_idx (round_unit_id=?)",
            ),
        ] {
            let mut walk = LedgerWalk::new(&db, &scope, &f).await.unwrap();
            walk.after = Some(key.clone());
            let got: Vec<(i64, i64, i64, String)> = crate::on_db!(&db, p => {
                let mut qb = QueryBuilder::new("EXPLAIN QUERY PLAN ");
                walk.push_ids(&mut qb, &scope, &f, &t, 1000);
                qb.build_query_as().fetch_all(p).await.unwrap()
            });
            let got = got.into_iter().map(|r| r.3).collect::<Vec<_>>().join("; ");
            assert!(got.contains(index), "{f:?}: {got}");
            if walk.drive == Drive::Path {
                // Only the round units and ids within a path are sorted.
                assert!(!got.contains("TEMP B-TREE FOR ORDER BY"), "{f:?}: {got}");
            }
        }
    }

    /// The partial indexes' state lists are the ledger's and the open states, sorted, and the
    /// migrations spell them exactly so.
    #[test]
    fn index_state_lists_match_the_migration() {
        let sorted = |list: &str| {
            let mut v: Vec<&str> = list.trim_matches(['(', ')']).split(", ").collect();
            v.sort_unstable();
            format!("({})", v.join(", "))
        };
        assert_eq!(sorted(LEDGER_STATES), LEDGER_INDEX_STATES);
        assert_eq!(sorted(OPEN_STATES), OPEN_INDEX_STATES);
        assert_ne!(LEDGER_STATES, LEDGER_INDEX_STATES);
        assert_ne!(OPEN_STATES, OPEN_INDEX_STATES);
        for backend in ["sqlite", "postgres"] {
            let sql = std::fs::read_to_string(format!(
                "{}/migrations/{backend}/0014_ledger_keyset.sql",
                env!("CARGO_MANIFEST_DIR")
            ))
            .unwrap();
            assert!(
                sql.contains(&format!(
                    "WHERE deadline IS NOT NULL AND state IN {LEDGER_INDEX_STATES}"
                )),
                "{backend}"
            );
            assert!(
                sql.contains(&format!(
                    "WHERE deadline IS NOT NULL AND state IN {OPEN_INDEX_STATES}"
                )),
                "{backend}"
            );
        }
    }
}

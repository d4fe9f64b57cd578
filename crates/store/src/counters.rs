//! Counters maintained on write: rectification (`rect_counters`, `rect_day_counts`,
//! `rect_outcome_counters`) and findings per office, round, category and state
//! (`finding_counters`).
//!
//! Every statement that can change what a finding contributes (its state, deadline, next due
//! date, closing date, extensions, category, organisation path) is wrapped, inside its
//! transaction, by [`counter_facts!`](crate::counter_facts) before and
//! [`counters_follow!`](crate::counters_follow) after: the second reads the facts again and
//! applies the difference ([`xuncha_domain::rectification::delta`]) as upserts. A subtree move
//! shifts the moved node's totals from its old ancestors to its new ones
//! ([`counters_move!`](crate::counters_move)). [`rebuild`] recomputes everything from the
//! findings (`xuncha rebuild-counters`); a test compares the two after random operations.

use sqlx::FromRow;
use time::Date;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::org::OrgId;
use xuncha_domain::rectification::{CounterFacts, CounterKey, Delta};

use crate::db::{Db, Result};
use crate::rectification::{LEDGER_STATES, OPEN_STATES};

/// The facts of findings, for [`counter_facts!`](crate::counter_facts); ids are appended.
pub const SELECT_COUNTER_FACTS: &str = "SELECT f.org_id, COALESCE(f.org_path, '') AS org_path, ru.round_id, f.category_id, f.state, \
     f.deadline, f.due_date, f.closed_on, CAST(f.extensions AS BIGINT) AS extensions, ru.owner_org_id, \
     (f.immediate_requirement IS NOT NULL) AS immediate, (f.immediate_done_at IS NOT NULL) AS immediate_done \
     FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE 1 = 1";

#[derive(Debug, FromRow)]
pub struct CounterFactsRow {
    pub org_id: OrgId,
    pub org_path: String,
    pub round_id: i64,
    pub category_id: Option<i64>,
    #[sqlx(try_from = "String")]
    pub state: FindingState,
    pub deadline: Option<Date>,
    pub due_date: Option<Date>,
    pub closed_on: Option<Date>,
    pub extensions: i64,
    pub owner_org_id: OrgId,
    pub immediate: bool,
    pub immediate_done: bool,
}

impl From<CounterFactsRow> for CounterFacts {
    fn from(r: CounterFactsRow) -> Self {
        CounterFacts {
            org_id: r.org_id,
            org_path: r.org_path,
            round_id: r.round_id,
            category_id: r.category_id,
            state: r.state,
            deadline: r.deadline,
            due_date: r.due_date,
            closed_on: r.closed_on,
            extensions: r.extensions,
            owner_org_id: r.owner_org_id,
            immediate: r.immediate,
            immediate_done: r.immediate_done,
        }
    }
}

/// Rows per multi-row upsert (10 parameters each: far below both backends' limits).
pub const UPSERT_CHUNK: usize = 200;

/// The counter-relevant facts of the findings `$ids` (`&[i64]`), read inside transaction `$tx`.
/// Evaluates to `Vec<CounterFacts>`; `?` propagates errors.
#[macro_export]
macro_rules! counter_facts {
    ($tx:expr, $ids:expr) => {{
        let ids: &[i64] = $ids;
        let mut out: Vec<xuncha_domain::rectification::CounterFacts> =
            Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut qb = sqlx::QueryBuilder::new($crate::counters::SELECT_COUNTER_FACTS);
            $crate::push_in(&mut qb, "f.id", chunk);
            let rows: Vec<$crate::counters::CounterFactsRow> =
                qb.build_query_as().fetch_all(&mut *$tx).await?;
            out.extend(rows.into_iter().map(Into::into));
        }
        out
    }};
}

/// Applies a [`Delta`] to the counter tables inside transaction `$tx`.
#[macro_export]
macro_rules! counters_apply {
    ($tx:expr, $delta:expr) => {{
        let delta: &xuncha_domain::rectification::Delta = $delta;
        let counts: Vec<_> = delta.counts.iter().collect();
        for chunk in counts.chunks($crate::counters::UPSERT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO rect_counters (node_id, own, round_id, category_id, total, completed, long_term, extended, extensions, close_requested) ",
            );
            qb.push_values(chunk, |mut b, (k, c)| {
                b.push_bind(k.node_id)
                    .push_bind(i16::from(k.own))
                    .push_bind(k.round_id)
                    .push_bind(k.category_id)
                    .push_bind(c.total)
                    .push_bind(c.completed)
                    .push_bind(c.long_term)
                    .push_bind(c.extended)
                    .push_bind(c.extensions)
                    .push_bind(c.close_requested);
            });
            qb.push(" ON CONFLICT (node_id, own, round_id, category_id) DO UPDATE SET \
                      total = rect_counters.total + excluded.total, completed = rect_counters.completed + excluded.completed, \
                      long_term = rect_counters.long_term + excluded.long_term, extended = rect_counters.extended + excluded.extended, \
                      extensions = rect_counters.extensions + excluded.extensions, close_requested = rect_counters.close_requested + excluded.close_requested");
            qb.build().execute(&mut *$tx).await?;
        }
        let days: Vec<_> = delta.days.iter().collect();
        for chunk in days.chunks($crate::counters::UPSERT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO rect_day_counts (node_id, own, round_id, category_id, day, deadlines, on_time, open_due, close_requested_due) ",
            );
            qb.push_values(chunk, |mut b, ((k, d), c)| {
                b.push_bind(k.node_id)
                    .push_bind(i16::from(k.own))
                    .push_bind(k.round_id)
                    .push_bind(k.category_id)
                    .push_bind(*d)
                    .push_bind(c.deadlines)
                    .push_bind(c.on_time)
                    .push_bind(c.open_due)
                    .push_bind(c.close_requested_due);
            });
            qb.push(" ON CONFLICT (node_id, own, round_id, category_id, day) DO UPDATE SET \
                      deadlines = rect_day_counts.deadlines + excluded.deadlines, on_time = rect_day_counts.on_time + excluded.on_time, \
                      open_due = rect_day_counts.open_due + excluded.open_due, close_requested_due = rect_day_counts.close_requested_due + excluded.close_requested_due");
            qb.build().execute(&mut *$tx).await?;
        }
        let findings: Vec<_> = delta.findings.iter().collect();
        for chunk in findings.chunks($crate::counters::UPSERT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO finding_counters (owner_org_id, round_id, category_id, state, findings, immediate, immediate_done) ",
            );
            qb.push_values(chunk, |mut b, (k, c)| {
                b.push_bind(k.owner_org_id)
                    .push_bind(k.round_id)
                    .push_bind(k.category_id)
                    .push_bind(k.state.code())
                    .push_bind(c.findings)
                    .push_bind(c.immediate)
                    .push_bind(c.immediate_done);
            });
            qb.push(" ON CONFLICT (owner_org_id, round_id, category_id, state) DO UPDATE SET \
                      findings = finding_counters.findings + excluded.findings, immediate = finding_counters.immediate + excluded.immediate, \
                      immediate_done = finding_counters.immediate_done + excluded.immediate_done");
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

/// After a change to findings `$ids` inside `$tx`, applies the difference between `$before`
/// (from [`counter_facts!`](crate::counter_facts) before the change) and their facts now.
#[macro_export]
macro_rules! counters_follow {
    ($tx:expr, $before:expr, $ids:expr) => {{
        let after = $crate::counter_facts!($tx, $ids);
        let delta = xuncha_domain::rectification::delta(&$before, &after);
        if !delta.is_empty() {
            $crate::counters_apply!($tx, &delta);
        }
    }};
}

/// A subtree rooted at `$node` (an `OrgId`) moved from `$old_path` to `$new_path`: its totals
/// leave the old strict ancestors' roll-up rows and join the new ones'. Rows of the node and its
/// descendants are keyed by organisation, so they stay.
#[macro_export]
macro_rules! counters_move {
    ($tx:expr, $node:expr, $old_path:expr, $new_path:expr) => {{
        let node: xuncha_domain::org::OrgId = $node;
        let counts: Vec<$crate::counters::NodeCounts> = sqlx::query_as(
            "SELECT category_id, CAST(SUM(total) AS BIGINT) AS total, CAST(SUM(completed) AS BIGINT) AS completed, \
             CAST(SUM(long_term) AS BIGINT) AS long_term, CAST(SUM(extended) AS BIGINT) AS extended, \
             CAST(SUM(extensions) AS BIGINT) AS extensions, CAST(SUM(close_requested) AS BIGINT) AS close_requested \
             FROM rect_counters WHERE node_id = $1 GROUP BY category_id",
        )
        .bind(node)
        .fetch_all(&mut *$tx)
        .await?;
        let days: Vec<$crate::counters::NodeDayCounts> = sqlx::query_as(
            "SELECT category_id, day, CAST(SUM(deadlines) AS BIGINT) AS deadlines, CAST(SUM(on_time) AS BIGINT) AS on_time, \
             CAST(SUM(open_due) AS BIGINT) AS open_due, CAST(SUM(close_requested_due) AS BIGINT) AS close_requested_due \
             FROM rect_day_counts WHERE node_id = $1 GROUP BY category_id, day",
        )
        .bind(node)
        .fetch_all(&mut *$tx)
        .await?;
        let delta = $crate::counters::move_delta(node, $old_path, $new_path, &counts, &days);
        if !delta.is_empty() {
            $crate::counters_apply!($tx, &delta);
        }
        for (ancestor, sign) in $crate::counters::move_shifts(node, $old_path, $new_path) {
            sqlx::query(
                "INSERT INTO rect_outcome_counters (node_id, own, round_id, kind, records, count, amount_fen) \
                 SELECT $1, 0, 0, kind, $2 * SUM(records), $2 * SUM(count), $2 * SUM(amount_fen) FROM rect_outcome_counters \
                 WHERE node_id = $3 GROUP BY kind \
                 ON CONFLICT (node_id, own, round_id, kind) DO UPDATE SET records = rect_outcome_counters.records + excluded.records, \
                 count = rect_outcome_counters.count + excluded.count, amount_fen = rect_outcome_counters.amount_fen + excluded.amount_fen",
            )
            .bind(ancestor)
            .bind(sign)
            .bind(node)
            .execute(&mut *$tx)
            .await?;
        }
    }};
}

/// An outcome (`$kind` code, `$count`, `$amount_fen`) recorded on finding `$finding` (i64)
/// inside `$tx`: one more record in its organisation's own row and every ancestor's roll-up row.
#[macro_export]
macro_rules! counters_outcome {
    ($tx:expr, $finding:expr, $kind:expr, $count:expr, $amount_fen:expr) => {{
        let facts = $crate::counter_facts!($tx, &[$finding]);
        let (kind, count, amount): (&str, i64, i64) = ($kind, $count, $amount_fen);
        for f in &facts {
            let keys = xuncha_domain::rectification::counter_keys(f.org_id, &f.org_path, f.round_id, 0);
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO rect_outcome_counters (node_id, own, round_id, kind, records, count, amount_fen) ",
            );
            qb.push_values(&keys, |mut b, k| {
                b.push_bind(k.node_id)
                    .push_bind(i16::from(k.own))
                    .push_bind(k.round_id)
                    .push_bind(kind)
                    .push_bind(1_i64)
                    .push_bind(count)
                    .push_bind(amount);
            });
            qb.push(" ON CONFLICT (node_id, own, round_id, kind) DO UPDATE SET records = rect_outcome_counters.records + excluded.records, \
                      count = rect_outcome_counters.count + excluded.count, amount_fen = rect_outcome_counters.amount_fen + excluded.amount_fen");
            qb.build().execute(&mut *$tx).await?;
        }
    }};
}

/// A node's totals by category (all its rows: its subtree).
#[derive(Debug, FromRow)]
pub struct NodeCounts {
    pub category_id: i64,
    pub total: i64,
    pub completed: i64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub close_requested: i64,
}

/// A node's histogram by category and day.
#[derive(Debug, FromRow)]
pub struct NodeDayCounts {
    pub category_id: i64,
    pub day: Date,
    pub deadlines: i64,
    pub on_time: i64,
    pub open_due: i64,
    pub close_requested_due: i64,
}

/// The change of the roll-up rows when the subtree at `node` moves from `old_path` to
/// `new_path`: minus its totals at every ancestor it leaves, plus at every one it joins.
pub fn move_delta(
    node: OrgId,
    old_path: &str,
    new_path: &str,
    counts: &[NodeCounts],
    days: &[NodeDayCounts],
) -> Delta {
    let mut delta = Delta::default();
    for (a, sign) in move_shifts(node, old_path, new_path) {
        let key = |category_id| CounterKey {
            node_id: a,
            own: false,
            round_id: 0,
            category_id,
        };
        for c in counts {
            let e = delta.counts.entry(key(c.category_id)).or_default();
            e.total += sign * c.total;
            e.completed += sign * c.completed;
            e.long_term += sign * c.long_term;
            e.extended += sign * c.extended;
            e.extensions += sign * c.extensions;
            e.close_requested += sign * c.close_requested;
        }
        for d in days {
            let e = delta.days.entry((key(d.category_id), d.day)).or_default();
            e.deadlines += sign * d.deadlines;
            e.on_time += sign * d.on_time;
            e.open_due += sign * d.open_due;
            e.close_requested_due += sign * d.close_requested_due;
        }
    }
    delta.net()
}

/// The ancestors whose roll-up rows change when the subtree at `node` moves from `old_path` to
/// `new_path`, with the sign of the change: -1 for those it leaves, +1 for those it joins
/// (common ancestors are left out).
pub fn move_shifts(node: OrgId, old_path: &str, new_path: &str) -> Vec<(OrgId, i64)> {
    let ancestors = |path: &str| -> Vec<OrgId> {
        xuncha_domain::org::OrgPath::parse(path)
            .map(|p| p.ids())
            .unwrap_or_default()
            .into_iter()
            .filter(|a| *a != node)
            .collect()
    };
    let (old, new) = (ancestors(old_path), ancestors(new_path));
    let mut out: Vec<(OrgId, i64)> = old
        .iter()
        .filter(|a| !new.contains(a))
        .map(|a| (*a, -1))
        .collect();
    out.extend(new.iter().filter(|a| !old.contains(a)).map(|a| (*a, 1)));
    out
}

/// The roll-ups' join: each own row with every strict ancestor of its organisation, from a
/// temporary table of (ancestor, organisation) pairs that [`rebuild`] fills from the paths (a
/// join on path ranges would leave the planner free to compare every pair of organisations).
const ANCESTOR_JOIN: &str = "FROM rect_ancestor_pairs a";

/// Recomputes both counter tables from the findings, in one transaction. Returns the number of
/// ledger items counted.
pub async fn rebuild(db: &Db) -> Result<i64> {
    let own_counts = format!(
        "INSERT INTO rect_counters (node_id, own, round_id, category_id, total, completed, long_term, extended, extensions, close_requested) \
         SELECT f.org_id, 1, ru.round_id, COALESCE(f.category_id, 0), COUNT(*), \
         SUM(CASE WHEN f.state = 'CLOSED' THEN 1 ELSE 0 END), SUM(CASE WHEN f.state = 'LONG_TERM' THEN 1 ELSE 0 END), \
         SUM(CASE WHEN f.extensions > 0 THEN 1 ELSE 0 END), SUM(f.extensions), SUM(CASE WHEN f.state = 'CLOSE_REQUESTED' THEN 1 ELSE 0 END) \
         FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {LEDGER_STATES} \
         GROUP BY f.org_id, ru.round_id, COALESCE(f.category_id, 0)"
    );
    let rollup_counts = format!(
        "INSERT INTO rect_counters (node_id, own, round_id, category_id, total, completed, long_term, extended, extensions, close_requested) \
         SELECT a.id, 0, 0, c.category_id, SUM(c.total), SUM(c.completed), SUM(c.long_term), SUM(c.extended), SUM(c.extensions), SUM(c.close_requested) \
         {ANCESTOR_JOIN} JOIN rect_counters c ON c.node_id = a.o_id AND c.own = 1 GROUP BY a.id, c.category_id"
    );
    let own_days = format!(
        "INSERT INTO rect_day_counts (node_id, own, round_id, category_id, day, deadlines, on_time, open_due, close_requested_due) \
         SELECT node_id, 1, round_id, category_id, day, SUM(deadlines), SUM(on_time), SUM(open_due), SUM(close_requested_due) FROM ( \
           SELECT f.org_id AS node_id, ru.round_id AS round_id, COALESCE(f.category_id, 0) AS category_id, f.deadline AS day, \
                  1 AS deadlines, CASE WHEN f.state = 'CLOSED' AND f.closed_on <= f.deadline THEN 1 ELSE 0 END AS on_time, 0 AS open_due, \
                  0 AS close_requested_due \
           FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {LEDGER_STATES} AND f.deadline IS NOT NULL \
           UNION ALL \
           SELECT f.org_id, ru.round_id, COALESCE(f.category_id, 0), f.due_date, 0, 0, 1, \
                  CASE WHEN f.state = 'CLOSE_REQUESTED' THEN 1 ELSE 0 END \
           FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state IN {OPEN_STATES} AND f.due_date IS NOT NULL \
         ) x GROUP BY node_id, round_id, category_id, day"
    );
    let rollup_days = format!(
        "INSERT INTO rect_day_counts (node_id, own, round_id, category_id, day, deadlines, on_time, open_due, close_requested_due) \
         SELECT a.id, 0, 0, h.category_id, h.day, SUM(h.deadlines), SUM(h.on_time), SUM(h.open_due), SUM(h.close_requested_due) \
         {ANCESTOR_JOIN} JOIN rect_day_counts h ON h.node_id = a.o_id AND h.own = 1 GROUP BY a.id, h.category_id, h.day"
    );
    let own_outcomes = "INSERT INTO rect_outcome_counters (node_id, own, round_id, kind, records, count, amount_fen) \
         SELECT f.org_id, 1, ru.round_id, x.kind, COUNT(*), SUM(x.count), SUM(x.amount_fen) \
         FROM rect_outcomes x JOIN findings f ON f.id = x.finding_id JOIN round_units ru ON ru.id = f.round_unit_id \
         GROUP BY f.org_id, ru.round_id, x.kind"
        .to_string();
    let rollup_outcomes = format!(
        "INSERT INTO rect_outcome_counters (node_id, own, round_id, kind, records, count, amount_fen) \
         SELECT a.id, 0, 0, c.kind, SUM(c.records), SUM(c.count), SUM(c.amount_fen) \
         {ANCESTOR_JOIN} JOIN rect_outcome_counters c ON c.node_id = a.o_id AND c.own = 1 GROUP BY a.id, c.kind"
    );
    let findings = "INSERT INTO finding_counters (owner_org_id, round_id, category_id, state, findings, immediate, immediate_done) \
         SELECT ru.owner_org_id, ru.round_id, COALESCE(f.category_id, 0), f.state, COUNT(*), \
         SUM(CASE WHEN f.immediate_requirement IS NOT NULL THEN 1 ELSE 0 END), SUM(CASE WHEN f.immediate_done_at IS NOT NULL THEN 1 ELSE 0 END) \
         FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id GROUP BY ru.owner_org_id, ru.round_id, COALESCE(f.category_id, 0), f.state"
        .to_string();
    let counted = format!("SELECT COUNT(*) FROM findings WHERE state IN {LEDGER_STATES}");
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("DELETE FROM rect_counters").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM rect_day_counts").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM rect_outcome_counters").execute(&mut *tx).await?;
        sqlx::query("DELETE FROM finding_counters").execute(&mut *tx).await?;
        // Every (strict ancestor, organisation) pair, from the materialised paths.
        sqlx::query("CREATE TEMPORARY TABLE rect_ancestor_pairs (id BIGINT NOT NULL, o_id BIGINT NOT NULL)").execute(&mut *tx).await?;
        let orgs: Vec<(OrgId, String)> = sqlx::query_as("SELECT id, path FROM organisations").fetch_all(&mut *tx).await?;
        let pairs: Vec<(OrgId, OrgId)> = orgs
            .iter()
            .flat_map(|(o, path)| {
                xuncha_domain::org::OrgPath::parse(path)
                    .map(|p| p.ids())
                    .unwrap_or_default()
                    .into_iter()
                    .filter(move |a| a != o)
                    .map(move |a| (a, *o))
            })
            .collect();
        for chunk in pairs.chunks(1000) {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO rect_ancestor_pairs (id, o_id) ");
            qb.push_values(chunk, |mut b, (a, o)| {
                b.push_bind(*a).push_bind(*o);
            });
            qb.build().execute(&mut *tx).await?;
        }
        sqlx::query("CREATE INDEX rect_ancestor_pairs_o ON rect_ancestor_pairs (o_id)").execute(&mut *tx).await?;
        for sql in [&own_counts, &rollup_counts, &own_days, &rollup_days, &own_outcomes, &rollup_outcomes, &findings] {
            sqlx::query(sqlx::AssertSqlSafe(sql.as_str())).execute(&mut *tx).await?;
        }
        sqlx::query("DROP TABLE rect_ancestor_pairs").execute(&mut *tx).await?;
        let n: i64 = sqlx::query_scalar(sqlx::AssertSqlSafe(counted.as_str())).fetch_one(&mut *tx).await?;
        tx.commit().await?;
        Ok(n)
    })
}

/// Builds the counters of a database migrated from a version without them (ledger items but no
/// counter rows). Returns whether it rebuilt.
pub async fn ensure_built(db: &Db) -> Result<bool> {
    let probe = format!(
        "SELECT (NOT EXISTS (SELECT 1 FROM rect_counters) AND EXISTS (SELECT 1 FROM findings WHERE state IN {LEDGER_STATES})) \
         OR (NOT EXISTS (SELECT 1 FROM rect_outcome_counters) AND EXISTS (SELECT 1 FROM rect_outcomes)) \
         OR (NOT EXISTS (SELECT 1 FROM finding_counters) AND EXISTS (SELECT 1 FROM findings))"
    );
    let missing: bool = crate::on_db!(db, p => sqlx::query_scalar(sqlx::AssertSqlSafe(probe.as_str())).fetch_one(p).await?);
    if missing {
        rebuild(db).await?;
    }
    Ok(missing)
}

/// Every counter row of every table, in key order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub counts: Vec<CounterRow>,
    pub days: Vec<DayRow>,
    pub outcomes: Vec<OutcomeRow>,
    pub findings: Vec<FindingRow>,
}

/// Every counter row, in key order: for comparing incremental with rebuilt counters. Rows
/// whose counts are all zero are left out (a decrement can leave them behind).
pub async fn snapshot(db: &Db) -> Result<Snapshot> {
    crate::on_db!(db, p => {
        let counts: Vec<CounterRow> = sqlx::query_as(
            "SELECT node_id, own, round_id, category_id, total, completed, long_term, extended, extensions, close_requested FROM rect_counters \
             WHERE total <> 0 OR completed <> 0 OR long_term <> 0 OR extended <> 0 OR extensions <> 0 OR close_requested <> 0 \
             ORDER BY node_id, own, round_id, category_id").fetch_all(p).await?;
        let days: Vec<DayRow> = sqlx::query_as(
            "SELECT node_id, own, round_id, category_id, day, deadlines, on_time, open_due, close_requested_due FROM rect_day_counts \
             WHERE deadlines <> 0 OR on_time <> 0 OR open_due <> 0 OR close_requested_due <> 0 ORDER BY node_id, own, round_id, category_id, day").fetch_all(p).await?;
        let outcomes: Vec<OutcomeRow> = sqlx::query_as(
            "SELECT node_id, own, round_id, kind, records, count, amount_fen FROM rect_outcome_counters \
             WHERE records <> 0 OR count <> 0 OR amount_fen <> 0 ORDER BY node_id, own, round_id, kind").fetch_all(p).await?;
        let findings: Vec<FindingRow> = sqlx::query_as(
            "SELECT owner_org_id, round_id, category_id, state, findings, immediate, immediate_done FROM finding_counters \
             WHERE findings <> 0 OR immediate <> 0 OR immediate_done <> 0 ORDER BY owner_org_id, round_id, category_id, state").fetch_all(p).await?;
        Ok(Snapshot { counts, days, outcomes, findings })
    })
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FindingRow {
    pub owner_org_id: i64,
    pub round_id: i64,
    pub category_id: i64,
    pub state: String,
    pub findings: i64,
    pub immediate: i64,
    pub immediate_done: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CounterRow {
    pub node_id: i64,
    pub own: i16,
    pub round_id: i64,
    pub category_id: i64,
    pub total: i64,
    pub completed: i64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub close_requested: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DayRow {
    pub node_id: i64,
    pub own: i16,
    pub round_id: i64,
    pub category_id: i64,
    pub day: Date,
    pub deadlines: i64,
    pub on_time: i64,
    pub open_due: i64,
    pub close_requested_due: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutcomeRow {
    pub node_id: i64,
    pub own: i16,
    pub round_id: i64,
    pub kind: String,
    pub records: i64,
    pub count: i64,
    pub amount_fen: i64,
}

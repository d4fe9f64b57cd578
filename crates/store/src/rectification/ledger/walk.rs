//! Rectification storage: the ledger's walk in export order, a chunk at a time.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Where a [`LedgerWalk`] has reached: the last row's place in export order.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub(super) struct WalkKey {
    pub(super) id: i64,
    pub(super) org_path: String,
    pub(super) round_unit_id: i64,
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
    pub(super) drive: Drive,
    pub(super) after: Option<WalkKey>,
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
    pub(super) fn push_ids<DB>(
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

//! The scheduler's lease and its record of runs (migration 0016): what lets several nodes on one
//! database run each periodic job once per period.
//!
//! A node runs the periodic jobs while it holds a named lease ([`take_lease`]). Taking and
//! renewing are one upsert that succeeds only for the current holder or once the lease has
//! expired, so two nodes never hold it at once; when the holder stops renewing (it died, it lost
//! the database) the lease runs out and another node takes it. A node that stops cleanly gives it
//! up ([`release_lease`]) so another takes over at once. Each period's run is then claimed by
//! inserting its row ([`claim_run`], keyed by job and period), so a period runs once even if a
//! holder paused past its lease and another node took over meanwhile. Instants come from the
//! server's clock of the node that writes them.

use sqlx::FromRow;
use time::OffsetDateTime;

use crate::db::{Db, Result};

/// A lease as stored.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Lease {
    pub name: String,
    pub holder: String,
    /// When this holder took it (renewals keep it).
    pub taken_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

/// One recorded run of a periodic job.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Run {
    pub job: String,
    pub period_start: OffsetDateTime,
    pub holder: String,
    pub started_at: OffsetDateTime,
    /// None while it runs, or when it did not finish.
    pub finished_at: Option<OffsetDateTime>,
    /// What the run reports it handled (the items considered).
    pub items: Option<i64>,
}

/// Takes the lease `name` for `holder` until `until`, or renews it when `holder` holds it
/// already: one upsert, which writes only when the row is `holder`'s or has expired (on this
/// node's clock), so concurrent callers on any number of nodes cannot both succeed. True when
/// `holder` holds the lease afterwards.
pub async fn take_lease(db: &Db, name: &str, holder: &str, until: OffsetDateTime) -> Result<bool> {
    let now = db.now();
    let n = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query(
            "INSERT INTO leases (name, holder, taken_at, expires_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, \
               taken_at = CASE WHEN leases.holder = excluded.holder THEN leases.taken_at ELSE excluded.taken_at END \
             WHERE leases.holder = excluded.holder OR leases.expires_at <= excluded.taken_at")
            .bind(name).bind(holder).bind(now).bind(until)
            .execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        n
    });
    Ok(n > 0)
}

/// Gives up `holder`'s lease `name` (a node stopping cleanly): it expires now, so another node
/// takes it at its next attempt. Nothing happens when `holder` does not hold it.
pub async fn release_lease(db: &Db, name: &str, holder: &str) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE leases SET expires_at = $1 WHERE name = $2 AND holder = $3 AND expires_at > $1")
            .bind(now).bind(name).bind(holder).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// The lease `name` as stored (held or expired), if it was ever taken.
pub async fn lease(db: &Db, name: &str) -> Result<Option<Lease>> {
    Ok(crate::on_db!(db, p => sqlx::query_as::<_, Lease>(
        "SELECT name, holder, taken_at, expires_at FROM leases WHERE name = $1")
        .bind(name).fetch_optional(p).await?))
}

/// Records that `holder` runs `job` for the period starting at `period_start`; false (and
/// nothing written) when that period's run is recorded already, by any node.
pub async fn claim_run(
    db: &Db,
    job: &str,
    period_start: OffsetDateTime,
    holder: &str,
) -> Result<bool> {
    let now = db.now();
    let n = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query(
            "INSERT INTO scheduler_runs (job, period_start, holder, started_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (job, period_start) DO NOTHING")
            .bind(job).bind(period_start).bind(holder).bind(now)
            .execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        n
    });
    Ok(n > 0)
}

/// Marks the run of `job` for `period_start` finished, with what it handled.
pub async fn finish_run(
    db: &Db,
    job: &str,
    period_start: OffsetDateTime,
    items: i64,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE scheduler_runs SET finished_at = $1, items = $2 WHERE job = $3 AND period_start = $4")
            .bind(now).bind(items).bind(job).bind(period_start).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// The recorded runs of `job` for periods starting at or after `since`, oldest first (the
/// record keeps a bounded window: see [`prune_runs`]).
pub async fn runs(db: &Db, job: &str, since: OffsetDateTime) -> Result<Vec<Run>> {
    Ok(crate::on_db!(db, p => sqlx::query_as::<_, Run>(
        "SELECT job, period_start, holder, started_at, finished_at, items FROM scheduler_runs \
         WHERE job = $1 AND period_start >= $2 ORDER BY period_start")
        .bind(job).bind(since).fetch_all(p).await?))
}

/// Forgets the runs of `job` for periods that started before `before`; how many.
pub async fn prune_runs(db: &Db, job: &str, before: OffsetDateTime) -> Result<u64> {
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("DELETE FROM scheduler_runs WHERE job = $1 AND period_start < $2")
            .bind(job).bind(before).execute(&mut *tx).await?.rows_affected();
        tx.commit().await?;
        n
    }))
}

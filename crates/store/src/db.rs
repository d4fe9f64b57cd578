//! Connecting, migrating and the error type.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use xuncha_domain::DomainError;

use crate::clock::Clock;
use crate::writer::{WriteDb, WriteTx, Writers};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends.
#[derive(Debug, Clone)]
pub enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool on one of the two backends and the server's [`Clock`], which every
/// stored instant and every "today" comes from.
#[derive(Debug, Clone)]
pub struct Db {
    pub pool: Pool,
    clock: Arc<Clock>,
    /// This node's group-commit writer (see [`crate::writer`]).
    pub(crate) writer: Writers,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The record does not exist or is outside the caller's data scope (the same answer for both).
    #[error("not found")]
    NotFound,
    /// The caller's version is stale: someone changed the record meanwhile.
    #[error("stale version")]
    StaleVersion,
    #[error(transparent)]
    Domain(#[from] DomainError),
    #[error("database error: {0}")]
    Db(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("bad stored data: {0}")]
    Corrupt(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Db(sqlx::Error::Database(e)) if e.is_unique_violation())
    }
}

/// SQLite keeps the planner's value samples (`sqlite_stat4`, collected by `ANALYZE` in the
/// bundled build) only as a table's averages (`sqlite_stat1`). With samples, every statement
/// whose constraint on an indexed column takes a parameter is prepared again each time it runs
/// with a new value: at the city profile that was 13% of the database threads' time and a third
/// of a durable write's CPU, and the samples also chose worse plans for the ledger's warning
/// views (docs/benchmarks.md, "Statistics without samples"). Deleting them and reloading the
/// statistics keeps the averages; the queries that must pick by a subtree's size count it first
/// (the ledger's drive).
const FORGET_STAT4: &str = "DELETE FROM sqlite_stat4; ANALYZE sqlite_schema";

/// Opens `url`: `postgres://…` for PostgreSQL, `sqlite://path` or a bare file path for SQLite.
pub async fn connect(url: &str) -> Result<Db> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let opts = PgConnectOptions::from_str(url)?;
        connect_postgres(opts).await
    } else {
        let path = url
            .strip_prefix("sqlite://")
            .or_else(|| url.strip_prefix("sqlite:"))
            .unwrap_or(url);
        connect_sqlite_file(Path::new(path)).await
    }
}

pub(crate) async fn connect_postgres(opts: PgConnectOptions) -> Result<Db> {
    // Queries filter on data-dependent path ranges: a province-wide range and a village's range
    // want different plans. Generic plans of prepared statements cannot tell them apart, so
    // plan each execution with its actual parameters (planning these queries costs ~0.1 ms).
    let opts = opts.options([("plan_cache_mode", "force_custom_plan")]);
    let pool = PgPoolOptions::new()
        .max_connections(16)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await?;
    Ok(Db::new(Pool::Postgres(pool)))
}

/// Opens (creating if needed) an SQLite file in WAL mode with full synchronous commits and
/// foreign keys on.
pub async fn connect_sqlite_file(path: &Path) -> Result<Db> {
    let opts = SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(10))
        // 8 MB of page cache per connection, at most 64 MB over the pool; the OS caches the file
        // too. 64 MB each held 700+ MB under load (docs/benchmarks.md, "Memory and streaming").
        .pragma("cache_size", "-8192")
        .pragma("temp_store", "memory");
    let pool = SqlitePoolOptions::new()
        .max_connections(8)
        .acquire_timeout(Duration::from_secs(10))
        .connect_with(opts)
        .await?;
    Ok(Db::new(Pool::Sqlite(pool)))
}

impl Db {
    /// A database on the system clock.
    pub fn new(pool: Pool) -> Self {
        let writer = Writers::new(&pool);
        Db {
            pool,
            clock: Arc::new(Clock::system()),
            writer,
        }
    }

    /// The same pool read through `clock` (a pinned or controllable clock for tests and drills).
    pub fn with_clock(self, clock: Arc<Clock>) -> Self {
        Db { clock, ..self }
    }

    pub fn clock(&self) -> &Arc<Clock> {
        &self.clock
    }

    /// The current instant from the server's clock.
    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }

    /// Today's date in China from the server's clock.
    pub fn today(&self) -> time::Date {
        self.clock.today()
    }

    pub fn backend(&self) -> Backend {
        match self.pool {
            Pool::Sqlite(_) => Backend::Sqlite,
            Pool::Postgres(_) => Backend::Postgres,
        }
    }

    /// Applies the embedded migrations of this backend.
    pub async fn migrate(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("migrations/postgres").run(p).await?,
        }
        // A database from a version without counters gets them built once.
        crate::counters::ensure_built(self).await?;
        if let Pool::Sqlite(p) = &self.pool {
            let stat4: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'sqlite_stat4')",
            )
            .fetch_one(p)
            .await?;
            if stat4 {
                sqlx::raw_sql(FORGET_STAT4).execute(p).await?;
            }
        }
        Ok(())
    }

    /// Refreshes the planner's statistics of every table (after a bulk load).
    pub async fn analyze(&self) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let sql = format!("ANALYZE; {FORGET_STAT4}");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await?;
            }
            Pool::Postgres(p) => {
                sqlx::raw_sql("ANALYZE").execute(p).await?;
            }
        }
        Ok(())
    }

    /// Answers whether the database responds.
    pub async fn ping(&self) -> Result<()> {
        crate::on_db!(self, p => { sqlx::query("SELECT 1").execute(p).await?; });
        Ok(())
    }

    pub async fn close(&self) {
        self.writer.close().await;
        crate::on_db!(self, p => p.close().await);
    }

    /// Refreshes the planner's statistics of `table` after a bulk load. SQLite samples (at most
    /// 1,000 rows per index, `analysis_limit`): a full `ANALYZE` of the findings reads every
    /// index of five million rows, which took most of a 33-second import at the province.
    pub(crate) async fn refresh_statistics(&self, table: &'static str) -> Result<()> {
        match &self.pool {
            Pool::Sqlite(p) => {
                let sql = format!("PRAGMA analysis_limit = 1000; ANALYZE {table}; {FORGET_STAT4}");
                sqlx::raw_sql(sqlx::AssertSqlSafe(sql)).execute(p).await?;
            }
            Pool::Postgres(p) => {
                sqlx::raw_sql(sqlx::AssertSqlSafe(format!("ANALYZE {table}")))
                    .execute(p)
                    .await?;
            }
        }
        Ok(())
    }

    /// True when the database holds no organisation yet (a fresh install).
    pub async fn is_empty(&self) -> Result<bool> {
        let n: i64 = crate::on_db!(self, p => sqlx::query_scalar("SELECT COUNT(*) FROM organisations").fetch_one(p).await?);
        Ok(n == 0)
    }
}

impl Db {
    /// Begins a write in this node's current batch (see [`crate::writer`]); `pool` only names
    /// the backend (the concrete pool inside `on_db!`).
    pub(crate) async fn write<DB: WriteDb>(
        &self,
        _pool: &sqlx::Pool<DB>,
    ) -> sqlx::Result<WriteTx<DB>> {
        match DB::writer(self) {
            Some(w) => w.start().await,
            None => Err(sqlx::Error::PoolClosed),
        }
    }

    /// Writes and batches the writer has committed since start.
    pub fn group_commit_stats(&self) -> (u64, u64) {
        self.writer.stats()
    }
}

/// Decodes a JSON array of strings stored in a TEXT column.
pub(crate) fn json_list(field: &str, text: &str) -> Result<Vec<String>> {
    serde_json::from_str(text).map_err(|e| StoreError::Corrupt(format!("{field}: {e}")))
}

pub(crate) fn to_json_list(items: &[String]) -> String {
    serde_json::to_string(items).unwrap_or_else(|_| "[]".to_string())
}

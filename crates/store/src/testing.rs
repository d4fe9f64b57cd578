//! Support for tests that need a real database: a fresh SQLite file or a fresh PostgreSQL schema.
//!
//! PostgreSQL tests are never skipped: if the server is not reachable they fail, so a CI run
//! cannot pass without having run them. The server is `XUNCHA_TEST_PG_URL`, by default
//! `postgres://postgres@127.0.0.1:5432/test`.

use std::path::Path;
use std::str::FromStr;

use sqlx::postgres::PgConnectOptions;

use crate::db::{Db, Result, connect_postgres, connect_sqlite_file};

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

pub fn pg_url() -> String {
    std::env::var("XUNCHA_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_string())
}

/// A migrated database in a new SQLite file at `path`.
pub async fn sqlite_at(path: &Path) -> Result<Db> {
    let db = connect_sqlite_file(path).await?;
    db.migrate().await?;
    Ok(db)
}

/// A migrated database in a new, uniquely named PostgreSQL schema (`xt_…`), so tests run in
/// parallel without seeing each other. `xtask test` drops leftover schemas before a run.
pub async fn postgres_fresh() -> Result<(Db, String)> {
    let (db, schema) = postgres_empty().await?;
    db.migrate().await?;
    Ok((db, schema))
}

/// A migrated database in the PostgreSQL schema `schema`, created if missing and kept as it is
/// otherwise (a benchmark profile kept between runs, `xuncha-bench --postgres --reuse`).
/// `xtask test` drops leftover `xt_…` test schemas, not this one.
pub async fn postgres_named(schema: &str) -> Result<Db> {
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    let base = PgConnectOptions::from_str(&pg_url())?;
    let admin = connect_postgres(base.clone()).await?;
    crate::on_db!(&admin, p => {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA IF NOT EXISTS {quoted}"))).execute(p).await?;
    });
    admin.close().await;
    let db = connect_postgres(base.options([("search_path", quoted.as_str())])).await?;
    db.migrate().await?;
    Ok(db)
}

/// [`postgres_fresh`] without the migrations (for a test of one migration).
#[allow(clippy::disallowed_methods)] // a unique schema name, not a date
pub async fn postgres_empty() -> Result<(Db, String)> {
    let base = PgConnectOptions::from_str(&pg_url())?;
    let schema = format!(
        "xt_{}_{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default()
    );
    let admin = connect_postgres(base.clone()).await?;
    crate::on_db!(&admin, p => {
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE SCHEMA {schema}"))).execute(p).await?;
    });
    admin.close().await;
    let db = connect_postgres(base.options([("search_path", schema.as_str())])).await?;
    Ok((db, schema))
}

//! Online, consistent backups and restores.
//!
//! SQLite: `VACUUM INTO` writes a consistent snapshot of the live database into a new file while
//! the server keeps running; restoring copies a checked snapshot over the (stopped) database.
//! PostgreSQL: `pg_dump --format=custom` (a consistent snapshot by MVCC) and `pg_restore --clean`.

use std::path::Path;
use std::process::Command;

use crate::db::{Db, Pool, Result, StoreError};

/// Writes a consistent snapshot of `db` to `dest` (which must not exist yet).
pub async fn backup(db: &Db, url: Option<&str>, dest: &Path) -> Result<()> {
    if dest.exists() {
        return Err(StoreError::Corrupt(format!(
            "backup target {} already exists",
            dest.display()
        )));
    }
    match &db.pool {
        Pool::Sqlite(p) => {
            let target = dest
                .to_str()
                .ok_or_else(|| StoreError::Corrupt("backup path is not UTF-8".into()))?;
            sqlx::query("VACUUM INTO $1")
                .bind(target)
                .execute(p)
                .await?;
            Ok(())
        }
        Pool::Postgres(_) => {
            let url = url.ok_or_else(|| {
                StoreError::Corrupt("PostgreSQL backup needs DATABASE_URL".into())
            })?;
            run(
                "pg_dump",
                &[
                    "--format=custom",
                    "--no-owner",
                    "--file",
                    &dest.to_string_lossy(),
                    url,
                ],
            )
        }
    }
}

/// Restores a backup made by [`backup`]. For SQLite, `db_file` is replaced (the server must be
/// stopped); the snapshot is checked to be a Xuncha database before anything is touched.
pub async fn restore_sqlite(src: &Path, db_file: &Path) -> Result<()> {
    let check = crate::db::connect_sqlite_file(src).await?;
    let ok: i64 = crate::on_db!(&check, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM sqlite_master WHERE name IN ('organisations', 'audit_log', '_sqlx_migrations')").fetch_one(p).await?
    });
    let integrity: String = crate::on_db!(&check, p => { sqlx::query_scalar("PRAGMA integrity_check").fetch_one(p).await? });
    check.close().await;
    if ok != 3 || integrity != "ok" {
        return Err(StoreError::Corrupt(format!(
            "{} is not an intact Xuncha backup ({integrity})",
            src.display()
        )));
    }
    let tmp = db_file.with_extension("restoring");
    std::fs::copy(src, &tmp).map_err(|e| StoreError::Corrupt(format!("copy backup: {e}")))?;
    for ext in ["db-wal", "db-shm"] {
        let side = db_file.with_extension(ext);
        if side.exists() {
            std::fs::remove_file(&side)
                .map_err(|e| StoreError::Corrupt(format!("remove {}: {e}", side.display())))?;
        }
    }
    std::fs::rename(&tmp, db_file)
        .map_err(|e| StoreError::Corrupt(format!("replace database: {e}")))?;
    Ok(())
}

/// Restores a `pg_dump` archive into the database at `url`.
pub fn restore_postgres(src: &Path, url: &str) -> Result<()> {
    run(
        "pg_restore",
        &[
            "--clean",
            "--if-exists",
            "--no-owner",
            "--single-transaction",
            "--dbname",
            url,
            &src.to_string_lossy(),
        ],
    )
}

fn run(program: &str, args: &[&str]) -> Result<()> {
    let out = Command::new(program).args(args).output().map_err(|e| {
        StoreError::Corrupt(format!(
            "cannot run {program}: {e} (install the PostgreSQL client tools)"
        ))
    })?;
    if out.status.success() {
        Ok(())
    } else {
        Err(StoreError::Corrupt(format!(
            "{program} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        )))
    }
}

/// Whether the database holds field-encrypted data (clues, TOTP secrets, talk summaries, 码上巡察
/// reports), which only the key it was written with can read.
pub async fn has_encrypted_data(db: &Db) -> Result<bool> {
    Ok(crate::on_db!(db, p => {
        let n: i64 = sqlx::query_scalar(
            "SELECT (SELECT COUNT(*) FROM (SELECT 1 FROM clues LIMIT 1) c) \
                  + (SELECT COUNT(*) FROM (SELECT 1 FROM users WHERE totp_secret_enc IS NOT NULL LIMIT 1) u) \
                  + (SELECT COUNT(*) FROM (SELECT 1 FROM activities WHERE summary_enc IS NOT NULL LIMIT 1) a) \
                  + (SELECT COUNT(*) FROM (SELECT 1 FROM public_reports LIMIT 1) r)")
            .fetch_one(p)
            .await?;
        n > 0
    }))
}

//! Configurable settings (time limits), stored as key/value text with defaults in code.

use crate::audit::{Actor, Event};
use crate::db::{BeginWrite, Db, Result};

/// Months a receiving body has to report a clue's result (default 3, [N] 2015 条例).
pub const CLUE_RESULT_MONTHS: &str = "clue_result_months";
/// Months after feedback within which the rectification report is due (default 2).
pub const RECTIFICATION_REPORT_MONTHS: &str = "rectification_report_months";

/// The integer setting `key`, or `default` when unset or unreadable.
pub async fn get_int(db: &Db, key: &str, default: i64) -> Result<i64> {
    let v: Option<String> = crate::on_db!(db, p => sqlx::query_scalar("SELECT value FROM settings WHERE key = $1").bind(key).fetch_optional(p).await?);
    Ok(v.and_then(|s| s.parse().ok()).unwrap_or(default))
}

pub async fn set(db: &Db, actor: &Actor, key: &str, value: &str) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, version = settings.version + 1, updated_at = excluded.updated_at")
            .bind(key).bind(value).bind(now).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("settings.update", "settings", key, format!("设置 {key} = {value}")));
        tx.commit().await?;
    });
    Ok(())
}

/// Takes or renews the lease `name` for `holder` until `now + ttl_secs` (the scheduler's leader
/// election: with several nodes on one database only the holder runs the jobs). True when held.
pub async fn take_lease(
    db: &Db,
    name: &str,
    holder: &str,
    now: i64,
    ttl_secs: i64,
) -> Result<bool> {
    // "<expiry, 12 digits>:<holder>", so the expiry compares as text.
    let value = format!("{:012}:{holder}", now + ttl_secs);
    let now_text = format!("{now:012}");
    let at = db.now();
    let n = crate::on_db!(db, p => {
        sqlx::query("INSERT INTO settings (key, value, version, updated_at) VALUES ($1, $2, 1, $3) \
                     ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at \
                     WHERE substr(settings.value, 1, 12) < $4 OR substr(settings.value, 14) = $5")
            .bind(name).bind(&value).bind(at).bind(&now_text).bind(holder)
            .execute(p).await?.rows_affected()
    });
    Ok(n > 0)
}

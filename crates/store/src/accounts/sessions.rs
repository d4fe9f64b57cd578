//! Sessions.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct Session {
    pub user_id: i64,
    pub csrf_token: String,
    pub expires_at: OffsetDateTime,
}

pub async fn create_session(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    csrf: &str,
    expires_at: OffsetDateTime,
    ip: &str,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash).bind(user_id).bind(csrf).bind(now).bind(expires_at).bind(ip)
            .execute(&mut *tx).await?;
        // Housekeeping: drop this user's expired sessions.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2").bind(user_id).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// How far a session's expiry must move before sliding it is written: a reader's request then
/// costs no durable write (at most one per session per minute), and the expiry is never more
/// than this short of the policy's.
const SLIDE_STEP: time::Duration = time::Duration::minutes(1);

/// The live session for `token_hash`, sliding its expiry to `new_expiry` (written when it moves
/// by at least [`SLIDE_STEP`]).
pub async fn touch_session(
    db: &Db,
    token_hash: &str,
    now: OffsetDateTime,
    new_expiry: OffsetDateTime,
) -> Result<Option<Session>> {
    crate::on_db!(db, p => {
        let s: Option<Session> = sqlx::query_as::<_, Session>(
            "SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1 AND expires_at > $2")
            .bind(token_hash).bind(now).fetch_optional(p).await?;
        if s.as_ref().is_some_and(|s| new_expiry - s.expires_at >= SLIDE_STEP) {
            let mut tx = db.write(p).await?;
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2").bind(new_expiry).bind(token_hash).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(s)
    })
}

/// Moves every live session's expiry by `by`: when a drill moves the server's clock forward,
/// the people logged in stay logged in.
pub async fn shift_sessions(db: &Db, by: time::Duration) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let rows: Vec<(String, OffsetDateTime)> = sqlx::query_as("SELECT token_hash, expires_at FROM sessions")
            .fetch_all(&mut *tx).await?;
        for (hash, expires) in rows {
            if expires + by > now {
                sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
                    .bind(expires + by).bind(&hash).execute(&mut *tx).await?;
            }
        }
        tx.commit().await?;
    });
    Ok(())
}

pub async fn delete_session(db: &Db, token_hash: &str) -> Result<()> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

//! Password resets awaiting the security administrator's approval, and TOTP.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A reset of an administrator account, waiting for (or decided by) the security administrator.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ResetRequest {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub state: String,
}

macro_rules! select_reset {
    () => {
        "SELECT r.id, r.user_id, u.username, u.display_name, r.requested_by, q.display_name AS requested_by_name, \
     r.requested_at, r.state FROM password_resets r JOIN users u ON u.id = r.user_id JOIN users q ON q.id = r.requested_by"
    };
}

/// Files a reset request for `user_id` (or returns the pending one).
pub async fn request_reset(db: &Db, actor: &Actor, user_id: i64) -> Result<ResetRequest> {
    let now = db.now();
    let requester = actor.user_id.ok_or(StoreError::NotFound)?;
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let pending: Option<i64> = sqlx::query_scalar("SELECT id FROM password_resets WHERE user_id = $1 AND state = 'pending'")
            .bind(user_id).fetch_optional(&mut *tx).await?;
        if let Some(id) = pending {
            id
        } else {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO password_resets (user_id, requested_by, requested_at, state) VALUES ($1, $2, $3, 'pending') RETURNING id")
                .bind(user_id).bind(requester).bind(now).fetch_one(&mut *tx).await?;
            let event = Event::op("user.reset_request", "user", user_id, Msg::new("audit.user_reset_request").arg("id", id).render());
            crate::audit_append!(db, tx, actor, &event);
            tx.commit().await?;
            id
        }
    });
    get_reset(db, id).await
}

pub async fn get_reset(db: &Db, id: i64) -> Result<ResetRequest> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, ResetRequest>(concat!(select_reset!(), " WHERE r.id = $1"))
            .bind(id).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The pending reset requests, oldest first.
pub async fn pending_resets(db: &Db) -> Result<Vec<ResetRequest>> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, ResetRequest>(concat!(select_reset!(), " WHERE r.state = 'pending' ORDER BY r.id"))
            .fetch_all(p).await?)
    })
}

/// Decides a pending request: approving it issues the one-time password (`otp` = its hash and
/// expiry) in the same transaction. Nobody decides a request they filed, nor one for their own
/// account (`DomainError::Rule`); a request already decided is not found.
pub async fn decide_reset(
    db: &Db,
    actor: &Actor,
    id: i64,
    otp: Option<(&str, OffsetDateTime)>,
) -> Result<ResetRequest> {
    let now = db.now();
    let me = actor.user_id.ok_or(StoreError::NotFound)?;
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let row: Option<(i64, i64)> = sqlx::query_as("SELECT user_id, requested_by FROM password_resets WHERE id = $1 AND state = 'pending'")
            .bind(id).fetch_optional(&mut *tx).await?;
        let Some((user_id, requested_by)) = row else {
            return Err(StoreError::NotFound);
        };
        if requested_by == me || user_id == me {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new("user.reset_own_request"))));
        }
        let state = if otp.is_some() { "approved" } else { "rejected" };
        let n = sqlx::query("UPDATE password_resets SET state = $1, decided_by = $2, decided_at = $3 WHERE id = $4 AND state = 'pending'")
            .bind(state).bind(me).bind(now).bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let summary = if let Some((hash, expires)) = otp {
            issue_otp_sql!(tx, user_id, hash, expires, now);
            Msg::new("audit.user_reset_approve").arg("id", id).arg("user", requested_by).render()
        } else {
            Msg::new("audit.user_reset_reject").arg("id", id).arg("user", requested_by).render()
        };
        let action = if otp.is_some() { "user.reset_approve" } else { "user.reset_reject" };
        let event = Event::op(action, "user", user_id, summary);
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get_reset(db, id).await
}

/// Stores a new (not yet enabled) TOTP secret, or enables/disables TOTP.
pub async fn set_totp(
    db: &Db,
    actor: &Actor,
    id: i64,
    secret_enc: Option<&[u8]>,
    enabled: bool,
) -> Result<()> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE users SET totp_secret_enc = $1, totp_enabled = $2, totp_last_step = NULL, version = version + 1 WHERE id = $3")
            .bind(secret_enc).bind(enabled).bind(id).execute(&mut *tx).await?;
        let (action, summary) = match (secret_enc.is_some(), enabled) {
            (true, true) => ("user.totp_enable", "audit.user_totp_enable"),
            (true, false) => ("user.totp_setup", "audit.user_totp_setup"),
            _ => ("user.totp_disable", "audit.user_totp_disable"),
        };
        let event = Event::op(action, "user", id, Msg::new(summary).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

/// Remembers the last TOTP step used, so a code cannot be replayed. Returns false if `step`
/// is not newer than the last one.
pub async fn use_totp_step(db: &Db, id: i64, step: i64) -> Result<bool> {
    let n = crate::on_db!(db, p => {
        sqlx::query("UPDATE users SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)")
            .bind(step).bind(id).execute(p).await?.rows_affected()
    });
    Ok(n == 1)
}

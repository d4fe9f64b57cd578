//! API tokens.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub permissions: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
}

impl ApiTokenRow {
    pub fn permission_list(&self) -> Result<Vec<String>> {
        json_list("permissions", &self.permissions)
    }
}

pub async fn create_token(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    name: &str,
    hash: &str,
    permissions: &[String],
    expires_at: OffsetDateTime,
) -> Result<i64> {
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO api_tokens (user_id, name, token_hash, permissions, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id")
            .bind(user_id).bind(name).bind(hash).bind(to_json_list(permissions)).bind(now).bind(expires_at)
            .fetch_one(&mut *tx).await?;
        let event = Event::op("token.create", "api_token", id, Msg::new("audit.token_create").arg("name", name).arg("permissions", permissions.join(",")).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
        id
    }))
}

pub async fn list_tokens(db: &Db, user_id: i64) -> Result<Vec<ApiTokenRow>> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, ApiTokenRow>(
            "SELECT id, user_id, name, permissions, created_at, expires_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id")
            .bind(user_id).fetch_all(p).await?)
    })
}

pub async fn revoke_token(db: &Db, actor: &Actor, user_id: i64, id: i64) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL")
            .bind(now).bind(id).bind(user_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        let event = Event::op("token.revoke", "api_token", id, Msg::new("audit.token_revoke").render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

/// The live token with `hash`, recording its use.
pub async fn use_token(db: &Db, hash: &str, now: OffsetDateTime) -> Result<Option<ApiTokenRow>> {
    crate::on_db!(db, p => {
        let t: Option<ApiTokenRow> = sqlx::query_as::<_, ApiTokenRow>(
            "SELECT id, user_id, name, permissions, created_at, expires_at, last_used_at FROM api_tokens \
             WHERE token_hash = $1 AND revoked_at IS NULL AND expires_at > $2")
            .bind(hash).bind(now).fetch_optional(p).await?;
        // Recorded to the minute: a client calling every second costs no durable write each time.
        if let Some(t) = t.as_ref().filter(|t| t.last_used_at.is_none_or(|at| now - at >= time::Duration::minutes(1))) {
            let mut tx = db.write(p).await?;
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(t.id).execute(&mut *tx).await?;
            tx.commit().await?;
        }
        Ok(t)
    })
}

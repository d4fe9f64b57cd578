//! Rectification storage: notifications

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Notification {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: OffsetDateTime,
    pub read_at: Option<OffsetDateTime>,
}

/// One page of the user's notifications, newest first, with their total and the unread count.
pub async fn notifications(
    db: &Db,
    user_id: i64,
    unread_only: bool,
    page: PageReq,
) -> Result<(Page<Notification>, i64)> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            qb.push(" AND user_id = ").push_bind(user_id);
            if unread_only { qb.push(" AND read_at IS NULL"); }
        };
        let items = crate::page_of!(p, "SELECT id, kind, title, body, link, created_at, read_at FROM notifications WHERE 1 = 1", filter, " ORDER BY id DESC", page, Notification);
        let unread: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL").bind(user_id).fetch_one(p).await?;
        Ok((items, unread))
    })
}

/// Marks one (or, with `None`, every) notification of the user read.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("UPDATE notifications SET read_at = ");
        qb.push_bind(now).push(" WHERE read_at IS NULL AND user_id = ").push_bind(user_id);
        if let Some(i) = id { qb.push(" AND id = ").push_bind(i); }
        qb.build().execute(p).await?;
    });
    Ok(())
}

/// The address a user wants notifications e-mailed to.
pub async fn notification_email(db: &Db, user_id: i64) -> Result<Option<String>> {
    let v: Option<Option<String>> = crate::on_db!(db, p => sqlx::query_scalar("SELECT email FROM notification_prefs WHERE user_id = $1").bind(user_id).fetch_optional(p).await?);
    Ok(v.flatten())
}

pub async fn set_notification_email(
    db: &Db,
    actor: &Actor,
    user_id: i64,
    email: Option<&str>,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO notification_prefs (user_id, email, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, updated_at = excluded.updated_at")
            .bind(user_id).bind(email).bind(now).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("notification.email", "user", user_id, Msg::new("audit.notification_email").render()));
        tx.commit().await?;
    });
    Ok(())
}

/// A notification waiting to be e-mailed to a user who gave an address.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Unmailed {
    pub id: i64,
    pub email: String,
    pub display_name: String,
    pub title: String,
    pub body: String,
}

/// Notifications not yet mailed, created after `since`, for users with an address.
pub async fn unmailed(db: &Db, since: OffsetDateTime, limit: i64) -> Result<Vec<Unmailed>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Unmailed>(
        "SELECT n.id, np.email, u.display_name, n.title, n.body FROM notifications n JOIN users u ON u.id = n.user_id \
         JOIN notification_prefs np ON np.user_id = n.user_id WHERE n.mailed_at IS NULL AND np.email IS NOT NULL AND n.created_at > $1 ORDER BY n.id LIMIT $2")
        .bind(since).bind(limit).fetch_all(p).await?))
}

pub async fn mark_mailed(db: &Db, ids: &[i64]) -> Result<()> {
    let now = db.now();
    for id in ids {
        crate::on_db!(db, p => { sqlx::query("UPDATE notifications SET mailed_at = $1 WHERE id = $2").bind(now).bind(*id).execute(p).await?; });
    }
    Ok(())
}

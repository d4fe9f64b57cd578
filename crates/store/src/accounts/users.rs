//! Users: accounts, credentials, roles assigned, passwords, locks and login attempts.

#[allow(clippy::wildcard_imports)]
use super::*;

/// A stored user, without secrets.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub must_change_password: bool,
    pub failed_attempts: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub locked_by_admin: bool,
    pub totp_enabled: bool,
    pub last_login_at: Option<OffsetDateTime>,
    pub version: i64,
    pub created_by: Option<i64>,
    /// Set while the password is a one-time password from a reset: when it stops working.
    pub password_expires_at: Option<OffsetDateTime>,
}

/// A user's login secrets, for the login check only.
#[derive(Debug, Clone, FromRow)]
pub struct Credentials {
    pub id: i64,
    pub password_hash: String,
    pub failed_attempts: i32,
    pub locked_until: Option<OffsetDateTime>,
    pub locked_by_admin: bool,
    pub totp_secret_enc: Option<Vec<u8>>,
    pub totp_enabled: bool,
    pub totp_last_step: Option<i64>,
    pub must_change_password: bool,
    pub password_expires_at: Option<OffsetDateTime>,
}

const SELECT_USER: &str = "SELECT u.id, u.username, u.display_name, u.org_id, o.name AS org_name, o.path AS org_path, \
     u.must_change_password, u.failed_attempts, u.locked_until, u.locked_by_admin, u.totp_enabled, u.last_login_at, u.version, u.created_by, u.password_expires_at \
     FROM users u JOIN organisations o ON o.id = u.org_id WHERE 1 = 1";

/// A user's visibility follows the user's organisation; "own" means the user itself.
const USER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "u.org_id",
    owner: "u.id",
};

pub async fn get_user(db: &Db, scope: &Scope, id: i64) -> Result<User> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_USER);
        qb.push(" AND u.id = ").push_bind(id);
        scope.push_filter(&mut qb, USER_COLS);
        qb.build_query_as::<User>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

pub async fn find_by_username(db: &Db, username: &str) -> Result<Option<(User, Credentials)>> {
    let user: Option<User> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_USER);
        qb.push(" AND u.username = ").push_bind(username.to_ascii_lowercase());
        qb.build_query_as::<User>().fetch_optional(p).await?
    });
    let Some(user) = user else { return Ok(None) };
    let creds = credentials(db, user.id).await?;
    Ok(Some((user, creds)))
}

pub async fn credentials(db: &Db, user_id: i64) -> Result<Credentials> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, Credentials>(
            "SELECT id, password_hash, failed_attempts, locked_until, locked_by_admin, totp_secret_enc, totp_enabled, totp_last_step, \
             must_change_password, password_expires_at FROM users WHERE id = $1")
            .bind(user_id).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    pub q: Option<String>,
    pub org_id: Option<OrgId>,
}

pub async fn list_users(
    db: &Db,
    scope: &Scope,
    f: &UserFilter,
    page: PageReq,
) -> Result<Page<User>> {
    // The users of the chosen organisation and of every unit below it.
    let subtree = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let build = |select: &str| {
            let mut qb = QueryBuilder::new(select);
            if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                let pat = format!("%{}%", q.replace(['%', '_'], ""));
                qb.push(" AND (u.username LIKE ").push_bind(pat.clone()).push(" OR u.display_name LIKE ").push_bind(pat).push(")");
            }
            if let Some((from, to)) = &subtree {
                qb.push(" AND o.path >= ").push_bind(from.clone()).push(" AND o.path < ").push_bind(to.clone());
            }
            scope.push_filter(&mut qb, USER_COLS);
            qb
        };
        let total: i64 = build("SELECT COUNT(*) FROM users u JOIN organisations o ON o.id = u.org_id WHERE 1 = 1").build_query_scalar().fetch_one(p).await?;
        let mut qb = build(SELECT_USER);
        qb.push(" ORDER BY o.path, u.username LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        let items = qb.build_query_as::<User>().fetch_all(p).await?;
        Ok(Page { items, total })
    })
}

/// A new account.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub username: String,
    pub display_name: String,
    pub org_id: OrgId,
    pub password_hash: String,
    pub must_change_password: bool,
}

fn duplicate_username(name: &str) -> StoreError {
    StoreError::Domain(DomainError::field(
        "username",
        Msg::new("validation.duplicate")
            .arg("field", "field.username")
            .arg("value", name),
    ))
}

/// Creates a user in an organisation inside `scope`.
pub async fn create_user(db: &Db, actor: &Actor, scope: &Scope, new: &NewUser) -> Result<User> {
    crate::orgs::get_for(db, scope, new.org_id, "org_id").await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM users WHERE username = $1").bind(&new.username).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(duplicate_username(&new.username));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO users (username, display_name, org_id, password_hash, must_change_password, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
            .bind(&new.username).bind(&new.display_name).bind(new.org_id).bind(&new.password_hash)
            .bind(new.must_change_password).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        let event = Event::op("user.create", "user", id, Msg::new("audit.user_create").arg("username", &new.username).arg("name", &new.display_name).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
        id
    });
    get_user(db, &Scope::unrestricted(), id).await
}

pub async fn update_user(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    display_name: &str,
    org_id: OrgId,
    version: i64,
) -> Result<User> {
    let user = get_user(db, scope, id).await?;
    crate::orgs::get_for(db, scope, org_id, "org_id").await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE users SET display_name = $1, org_id = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(display_name).bind(org_id).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let event = Event::op("user.update", "user", id, Msg::new("audit.user_update").arg("username", &user.username).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get_user(db, &Scope::unrestricted(), id).await
}

/// Replaces a user's roles, enforcing the separation of the three administrators.
pub async fn set_roles(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    role_ids: &[i64],
    version: i64,
) -> Result<User> {
    let user = get_user(db, scope, id).await?;
    let mut grants = Vec::new();
    let mut names = Vec::new();
    for rid in role_ids {
        let role = get_role(db, *rid).await.map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::Domain(DomainError::field("role_ids", Msg::new("role.not_found")))
            }
            e => e,
        })?;
        names.push(role.name.clone());
        grants.push(role.grant());
    }
    check_role_combination(&grants)?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE users SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
            .bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("DELETE FROM user_roles WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        for rid in role_ids {
            sqlx::query("INSERT INTO user_roles (user_id, role_id) VALUES ($1, $2) ON CONFLICT DO NOTHING").bind(id).bind(*rid).execute(&mut *tx).await?;
        }
        let event = Event::op("user.roles", "user", id, Msg::new("audit.user_roles").arg("username", &user.username).arg("roles", names.join(&Msg::new("list.separator").render())).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get_user(db, &Scope::unrestricted(), id).await
}

/// Sets a new password hash. `by_admin` forces a change at next login and unlocks.
pub async fn set_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    hash: &str,
    by_admin: bool,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, failed_attempts = 0, locked_until = NULL, lockouts = 0, \
             password_expires_at = NULL, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(hash).bind(by_admin).bind(now).bind(id).execute(&mut *tx).await?;
        // A password change ends every session of the account and revokes its API tokens.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?;
        let action = if by_admin { "user.reset_password" } else { "user.change_password" };
        let event = Event::op(action, "user", id, Msg::new(if by_admin { "audit.user_reset_password" } else { "audit.user_change_password" }).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

/// Locks (by an administrator, until unlocked) or unlocks an account.
pub async fn set_locked(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    locked: bool,
) -> Result<()> {
    let user = get_user(db, scope, id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE users SET locked_by_admin = $1, failed_attempts = 0, locked_until = NULL, lockouts = 0, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(locked).bind(now).bind(id).execute(&mut *tx).await?;
        if locked {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?;
        }
        let (action, key) = if locked { ("user.lock", "audit.user_lock") } else { ("user.unlock", "audit.user_unlock") };
        let event = Event::op(action, "user", id, Msg::new(key).arg("username", &user.username).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

/// Records a login attempt's outcome on the account and in the audit trail, in one transaction.
pub async fn record_login(
    db: &Db,
    actor: &Actor,
    user_id: Option<i64>,
    outcome: LoginOutcome,
    reason: &str,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        match (user_id, outcome) {
            (Some(id), LoginOutcome::Success) => {
                sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL, lockouts = 0, last_login_at = $1 WHERE id = $2")
                    .bind(now).bind(id).execute(&mut *tx).await?;
            }
            // The attempt was counted when it was reserved; a failure that used the last slot
            // starts the delay.
            (Some(id), LoginOutcome::Failure { lock_until: Some(until) }) => {
                sqlx::query("UPDATE users SET locked_until = $1, lockouts = lockouts + 1 WHERE id = $2 AND locked_until IS NULL")
                    .bind(until).bind(id).execute(&mut *tx).await?;
            }
            (Some(_), LoginOutcome::Failure { lock_until: None }) => {}
            (_, LoginOutcome::Refused) | (None, _) => {}
        }
        let success = matches!(outcome, LoginOutcome::Success);
        let event = Event {
            category: crate::audit::Category::Login,
            action: if success { "login.success" } else { "login.failure" },
            target_type: "user",
            target_id: user_id.map(|i| i.to_string()).unwrap_or_default(),
            summary: reason.to_string(),
            success,
        };
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

#[derive(Debug, Clone, Copy)]
pub enum LoginOutcome {
    Success,
    /// A failed password (or code) check, already counted by [`reserve_login_attempt`];
    /// `lock_until` when it used the last attempt of the window.
    Failure {
        lock_until: Option<OffsetDateTime>,
    },
    /// Refused without a check (account in its delay, unknown user, throttled client).
    Refused,
}

/// A counted login attempt: the account's failures including this one, and its lockouts in a
/// row so far.
#[derive(Debug, Clone, Copy, PartialEq, Eq, FromRow)]
pub struct AttemptSlot {
    pub failed_attempts: i32,
    pub lockouts: i32,
}

/// Counts a login attempt before its password is checked, atomically (one
/// `UPDATE … RETURNING`, which locks the row): `None` when the account is in its delay or its
/// `max_failures` attempts are all taken, so that however many requests run in parallel, at
/// most `max_failures` passwords are checked per window. A success resets the count
/// ([`record_login`]); an attempt that was not checked is given back with
/// [`release_login_attempt`]. An expired delay starts a new window.
pub async fn reserve_login_attempt(
    db: &Db,
    user_id: i64,
    now: OffsetDateTime,
    max_failures: i32,
) -> Result<Option<AttemptSlot>> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, AttemptSlot>(
            "UPDATE users SET \
               failed_attempts = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 ELSE failed_attempts + 1 END, \
               locked_until = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN NULL ELSE locked_until END \
             WHERE id = $1 AND (locked_until IS NULL OR locked_until <= $2) \
               AND (failed_attempts < $3 OR locked_until IS NOT NULL) \
             RETURNING failed_attempts, lockouts")
            .bind(user_id).bind(now).bind(max_failures.max(1)).fetch_optional(p).await?)
    })
}

/// Gives back an attempt reserved but not checked (the hashing queue was full).
pub async fn release_login_attempt(db: &Db, user_id: i64) -> Result<()> {
    crate::on_db!(db, p => {
        sqlx::query("UPDATE users SET failed_attempts = failed_attempts - 1 WHERE id = $1 AND failed_attempts > 0 AND locked_until IS NULL")
            .bind(user_id).execute(p).await?;
    });
    Ok(())
}

/// Replaces the password with a one-time password (its argon2 hash) valid until `expires_at`:
/// the account must set a new password before anything else, every session ends and every
/// API token is revoked. `summary` names who issued it (and who approved it).
pub async fn issue_one_time_password(
    db: &Db,
    actor: &Actor,
    id: i64,
    hash: &str,
    expires_at: OffsetDateTime,
    summary: &str,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        issue_otp_sql!(tx, id, hash, expires_at, now);
        let event = Event::op("user.reset_password", "user", id, summary.to_string());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

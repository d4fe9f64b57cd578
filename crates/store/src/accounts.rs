//! Accounts: users, roles, sessions, API tokens and the security policy.

use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use xuncha_domain::DomainError;
use xuncha_domain::auth::{LockoutPolicy, PasswordPolicy};
use xuncha_domain::i18n::Msg;
use xuncha_domain::org::OrgId;
use xuncha_domain::perm::{
    AdminClass, Compartment, DataScope, RoleDraft, RoleGrant, check_role_combination,
};

use crate::audit::{Actor, Event};
use crate::db::{BeginWrite, Db, Result, StoreError, json_list, to_json_list};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

// ---------------------------------------------------------------------------------------------
// Users

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
    crate::on_db!(db, p => {
        let build = |select: &str| {
            let mut qb = QueryBuilder::new(select);
            if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                let pat = format!("%{}%", q.replace(['%', '_'], ""));
                qb.push(" AND (u.username LIKE ").push_bind(pat.clone()).push(" OR u.display_name LIKE ").push_bind(pat).push(")");
            }
            if let Some(org) = f.org_id {
                qb.push(" AND u.org_id = ").push_bind(org);
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
    crate::orgs::get(db, scope, new.org_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::Domain(DomainError::field("org_id", Msg::new("org.not_found")))
            }
            e => e,
        })?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
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
    crate::orgs::get(db, scope, org_id)
        .await
        .map_err(|e| match e {
            StoreError::NotFound => {
                StoreError::Domain(DomainError::field("org_id", Msg::new("org.not_found")))
            }
            e => e,
        })?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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

macro_rules! issue_otp_sql {
    ($tx:expr, $id:expr, $hash:expr, $expires:expr, $now:expr) => {{
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = TRUE, password_expires_at = $2, failed_attempts = 0, \
                     locked_until = NULL, lockouts = 0, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind($hash).bind($expires).bind($now).bind($id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind($id).execute(&mut *$tx).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind($now).bind($id).execute(&mut *$tx).await?;
    }};
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
        let mut tx = p.begin_write().await?;
        issue_otp_sql!(tx, id, hash, expires_at, now);
        let event = Event::op("user.reset_password", "user", id, summary.to_string());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Password resets awaiting approval

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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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

// ---------------------------------------------------------------------------------------------
// Roles

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Role {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub data_scope: DataScope,
    pub custom_org_ids: Vec<OrgId>,
    pub compartments: Vec<Compartment>,
    pub builtin: bool,
    pub admin_class: Option<AdminClass>,
    pub version: i64,
}

impl Role {
    pub fn grant(&self) -> RoleGrant {
        RoleGrant {
            admin_class: self.admin_class,
            permissions: self.permissions.clone(),
            data_scope: self.data_scope,
            custom_org_ids: self.custom_org_ids.clone(),
            compartments: self.compartments.clone(),
        }
    }
}

#[derive(Debug, Clone, FromRow)]
struct RoleRow {
    id: i64,
    code: String,
    name: String,
    permissions: String,
    data_scope: String,
    compartments: String,
    builtin: bool,
    admin_class: Option<String>,
    version: i64,
}

impl RoleRow {
    fn into_role(self, custom_org_ids: Vec<OrgId>) -> Result<Role> {
        let compartments = json_list("compartments", &self.compartments)?
            .iter()
            .map(|c| {
                Compartment::from_code(c)
                    .ok_or_else(|| StoreError::Corrupt(format!("compartment {c}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Role {
            id: self.id,
            permissions: json_list("permissions", &self.permissions)?,
            data_scope: DataScope::from_code(&self.data_scope)
                .ok_or_else(|| StoreError::Corrupt(format!("data scope {}", self.data_scope)))?,
            custom_org_ids,
            compartments,
            builtin: self.builtin,
            admin_class: match self.admin_class.as_deref() {
                Some(c) => Some(
                    AdminClass::from_code(c)
                        .ok_or_else(|| StoreError::Corrupt(format!("admin class {c}")))?,
                ),
                None => None,
            },
            version: self.version,
            code: self.code,
            name: self.name,
        })
    }
}

macro_rules! select_role {
    () => {
        "SELECT id, code, name, permissions, data_scope, compartments, builtin, admin_class, version FROM roles"
    };
}

async fn hydrate_roles(db: &Db, rows: Vec<RoleRow>) -> Result<Vec<Role>> {
    let links: Vec<(i64, i64)> = crate::on_db!(db, p => {
        sqlx::query_as("SELECT role_id, org_id FROM role_custom_orgs ORDER BY org_id").fetch_all(p).await?
    });
    rows.into_iter()
        .map(|r| {
            let ids = links
                .iter()
                .filter(|(rid, _)| *rid == r.id)
                .map(|(_, o)| *o)
                .collect();
            r.into_role(ids)
        })
        .collect()
}

pub async fn list_roles(db: &Db) -> Result<Vec<Role>> {
    let rows: Vec<RoleRow> = crate::on_db!(db, p => {
        sqlx::query_as::<_, RoleRow>(concat!(select_role!(), " ORDER BY builtin DESC, id")).fetch_all(p).await?
    });
    hydrate_roles(db, rows).await
}

pub async fn get_role(db: &Db, id: i64) -> Result<Role> {
    let rows: Vec<RoleRow> = crate::on_db!(db, p => {
        sqlx::query_as::<_, RoleRow>(concat!(select_role!(), " WHERE id = $1")).bind(id).fetch_all(p).await?
    });
    hydrate_roles(db, rows)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

pub async fn get_role_by_code(db: &Db, code: &str) -> Result<Role> {
    let rows: Vec<RoleRow> = crate::on_db!(db, p => {
        sqlx::query_as::<_, RoleRow>(concat!(select_role!(), " WHERE code = $1")).bind(code).fetch_all(p).await?
    });
    hydrate_roles(db, rows)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// The roles a user holds.
pub async fn user_roles(db: &Db, user_id: i64) -> Result<Vec<Role>> {
    let rows: Vec<RoleRow> = crate::on_db!(db, p => {
        sqlx::query_as::<_, RoleRow>(
            "SELECT r.id, r.code, r.name, r.permissions, r.data_scope, r.compartments, r.builtin, r.admin_class, r.version \
             FROM roles r JOIN user_roles ur ON ur.role_id = r.id WHERE ur.user_id = $1 ORDER BY r.id")
            .bind(user_id).fetch_all(p).await?
    });
    hydrate_roles(db, rows).await
}

/// The identity of a role being saved.
#[derive(Debug, Clone, Copy)]
pub struct RoleHeader<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub admin_class: Option<AdminClass>,
    pub builtin: bool,
}

/// Creates a role or updates it (when `id` is given as `(id, version)`, checking the version).
pub async fn save_role(
    db: &Db,
    actor: &Actor,
    id: Option<(i64, i64)>,
    header: RoleHeader<'_>,
    draft: &RoleDraft,
) -> Result<Role> {
    let RoleHeader {
        code,
        name,
        admin_class,
        builtin,
    } = header;
    let now = db.now();
    let perms = to_json_list(&draft.permissions);
    let comps = to_json_list(
        &draft
            .compartments
            .iter()
            .map(|c| c.code().to_string())
            .collect::<Vec<_>>(),
    );
    let role_id: i64 = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let clash: Option<i64> = sqlx::query_scalar("SELECT id FROM roles WHERE code = $1 AND id <> $2")
            .bind(code).bind(id.map_or(0, |(i, _)| i)).fetch_optional(&mut *tx).await?;
        if clash.is_some() {
            return Err(StoreError::Domain(DomainError::field("code", Msg::new("validation.duplicate").arg("field", "field.code").arg("value", code))));
        }
        let role_id = match id {
            None => sqlx::query_scalar(
                "INSERT INTO roles (code, name, permissions, data_scope, compartments, builtin, admin_class, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                .bind(code).bind(name).bind(&perms).bind(draft.data_scope.code()).bind(&comps).bind(builtin)
                .bind(admin_class.map(|c| c.code())).bind(now)
                .fetch_one(&mut *tx).await?,
            Some((rid, version)) => {
                let n = sqlx::query(
                    "UPDATE roles SET code = $1, name = $2, permissions = $3, data_scope = $4, compartments = $5, version = version + 1, updated_at = $6 \
                     WHERE id = $7 AND version = $8")
                    .bind(code).bind(name).bind(&perms).bind(draft.data_scope.code()).bind(&comps).bind(now).bind(rid).bind(version)
                    .execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query("DELETE FROM role_custom_orgs WHERE role_id = $1").bind(rid).execute(&mut *tx).await?;
                rid
            }
        };
        for org in &draft.custom_org_ids {
            sqlx::query("INSERT INTO role_custom_orgs (role_id, org_id) VALUES ($1, $2)").bind(role_id).bind(*org).execute(&mut *tx).await?;
        }
        let action = if id.is_some() { "role.update" } else { "role.create" };
        let event = Event::op(action, "role", role_id, Msg::new("audit.role_save").arg("name", name).arg("code", code).arg("permissions", draft.permissions.join(",")).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
        role_id
    });
    get_role(db, role_id).await
}

// ---------------------------------------------------------------------------------------------
// Sessions

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
        sqlx::query("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at, ip) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(token_hash).bind(user_id).bind(csrf).bind(now).bind(expires_at).bind(ip)
            .execute(p).await?;
        // Housekeeping: drop this user's expired sessions.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2").bind(user_id).bind(now).execute(p).await?;
    });
    Ok(())
}

/// The live session for `token_hash`, sliding its expiry to `new_expiry`.
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
        if s.is_some() {
            sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2").bind(new_expiry).bind(token_hash).execute(p).await?;
        }
        Ok(s)
    })
}

/// Moves every live session's expiry by `by`: when a drill moves the server's clock forward,
/// the people logged in stay logged in.
pub async fn shift_sessions(db: &Db, by: time::Duration) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
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
    crate::on_db!(db, p => { sqlx::query("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash).execute(p).await?; });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// API tokens

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
        let mut tx = p.begin_write().await?;
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
        let mut tx = p.begin_write().await?;
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
        if let Some(t) = &t {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2").bind(now).bind(t.id).execute(p).await?;
        }
        Ok(t)
    })
}

// ---------------------------------------------------------------------------------------------
// Security policy

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub password: PasswordPolicy,
    pub lockout: LockoutPolicy,
    pub session_minutes: i64,
    pub version: i64,
}

pub async fn policy(db: &Db) -> Result<SecurityPolicy> {
    let (len, classes, failures, lock, session, version): (i32, i32, i32, i32, i32, i64) = crate::on_db!(db, p => {
        sqlx::query_as("SELECT min_password_length, min_password_classes, max_login_failures, lock_minutes, session_minutes, version FROM security_policy WHERE id = 1")
            .fetch_one(p).await?
    });
    Ok(SecurityPolicy {
        password: PasswordPolicy {
            min_length: usize::try_from(len).unwrap_or(8),
            min_classes: usize::try_from(classes).unwrap_or(3),
        },
        lockout: LockoutPolicy {
            max_failures: failures,
            lock_minutes: i64::from(lock),
        },
        session_minutes: i64::from(session),
        version,
    })
}

pub async fn save_policy(db: &Db, actor: &Actor, p: &SecurityPolicy) -> Result<SecurityPolicy> {
    crate::on_db!(db, pool => {
        let mut tx = pool.begin_write().await?;
        let n = sqlx::query(
            "UPDATE security_policy SET min_password_length = $1, min_password_classes = $2, max_login_failures = $3, lock_minutes = $4, \
             session_minutes = $5, version = version + 1 WHERE id = 1 AND version = $6")
            .bind(i32::try_from(p.password.min_length).unwrap_or(8))
            .bind(i32::try_from(p.password.min_classes).unwrap_or(3))
            .bind(p.lockout.max_failures)
            .bind(i32::try_from(p.lockout.lock_minutes).unwrap_or(15))
            .bind(i32::try_from(p.session_minutes).unwrap_or(480))
            .bind(p.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let event = Event::op("policy.update", "policy", 1, Msg::new("audit.policy_update")
            .arg("min_length", p.password.min_length).arg("min_classes", p.password.min_classes)
            .arg("max_failures", p.lockout.max_failures).arg("lock_minutes", p.lockout.lock_minutes)
            .arg("session_minutes", p.session_minutes).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    policy(db).await
}

//! Accounts: users, roles, sessions, API tokens and the security policy.

use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use xuncha_domain::DomainError;
use xuncha_domain::auth::{LockoutPolicy, LoginState, PasswordPolicy};
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
}

const SELECT_USER: &str = "SELECT u.id, u.username, u.display_name, u.org_id, o.name AS org_name, o.path AS org_path, \
     u.must_change_password, u.failed_attempts, u.locked_until, u.locked_by_admin, u.totp_enabled, u.last_login_at, u.version, u.created_by \
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
            "SELECT id, password_hash, failed_attempts, locked_until, locked_by_admin, totp_secret_enc, totp_enabled, totp_last_step FROM users WHERE id = $1")
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
        let event = Event::op("user.create", "user", id, format!("新建用户 {}（{}）", new.username, new.display_name));
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
        let event = Event::op("user.update", "user", id, format!("修改用户 {}", user.username));
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
        let event = Event::op("user.roles", "user", id, format!("为用户 {} 分配角色：{}", user.username, names.join("、")));
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
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = $2, failed_attempts = 0, locked_until = NULL, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(hash).bind(by_admin).bind(now).bind(id).execute(&mut *tx).await?;
        // A password change ends every session of the account and revokes its API tokens.
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?;
        let action = if by_admin { "user.reset_password" } else { "user.change_password" };
        let event = Event::op(action, "user", id, if by_admin { "重置用户密码" } else { "修改本人密码" });
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
        sqlx::query("UPDATE users SET locked_by_admin = $1, failed_attempts = 0, locked_until = NULL, version = version + 1, updated_at = $2 WHERE id = $3")
            .bind(locked).bind(now).bind(id).execute(&mut *tx).await?;
        if locked {
            sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind(id).execute(&mut *tx).await?;
            sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind(now).bind(id).execute(&mut *tx).await?;
        }
        let (action, verb) = if locked { ("user.lock", "锁定") } else { ("user.unlock", "解锁") };
        let event = Event::op(action, "user", id, format!("{verb}用户 {}", user.username));
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
                sqlx::query("UPDATE users SET failed_attempts = 0, locked_until = NULL, last_login_at = $1 WHERE id = $2")
                    .bind(now).bind(id).execute(&mut *tx).await?;
            }
            (Some(id), LoginOutcome::Failure(state)) => {
                sqlx::query("UPDATE users SET failed_attempts = $1, locked_until = $2 WHERE id = $3")
                    .bind(state.failed_attempts).bind(state.locked_until).bind(id).execute(&mut *tx).await?;
            }
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
    /// A failed attempt that counts towards lockout, with the new state.
    Failure(LoginState),
    /// Refused without counting (account locked, unknown user).
    Refused,
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
            (true, true) => ("user.totp_enable", "启用动态验证码"),
            (true, false) => ("user.totp_setup", "生成动态验证码密钥"),
            _ => ("user.totp_disable", "停用动态验证码"),
        };
        let event = Event::op(action, "user", id, summary);
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
        let event = Event::op(action, "role", role_id, format!("保存角色 {name}（{code}）：{}", draft.permissions.join(",")));
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
        let event = Event::op("token.create", "api_token", id, format!("创建接口令牌 {name}：{}", permissions.join(",")));
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
        let event = Event::op("token.revoke", "api_token", id, "吊销接口令牌");
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
        let event = Event::op("policy.update", "policy", 1, format!(
            "修改安全策略：密码最少{}位、{}类字符，失败{}次锁定{}分钟，会话{}分钟",
            p.password.min_length, p.password.min_classes, p.lockout.max_failures, p.lockout.lock_minutes, p.session_minutes));
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    policy(db).await
}

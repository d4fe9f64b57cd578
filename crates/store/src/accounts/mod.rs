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
use crate::db::{Db, Result, StoreError, json_list, to_json_list};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// Sets a one-time password, ends the sessions and revokes the tokens of a user, inside the
/// caller's transaction (a one-time password from an approved reset or an administrator).
macro_rules! issue_otp_sql {
    ($tx:expr, $id:expr, $hash:expr, $expires:expr, $now:expr) => {{
        sqlx::query("UPDATE users SET password_hash = $1, must_change_password = TRUE, password_expires_at = $2, failed_attempts = 0, \
                     locked_until = NULL, lockouts = 0, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind($hash).bind($expires).bind($now).bind($id).execute(&mut *$tx).await?;
        sqlx::query("DELETE FROM sessions WHERE user_id = $1").bind($id).execute(&mut *$tx).await?;
        sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL").bind($now).bind($id).execute(&mut *$tx).await?;
    }};
}

mod policy;
mod resets;
mod roles;
mod sessions;
mod tokens;
mod users;

pub use self::policy::*;
pub use self::resets::*;
pub use self::roles::*;
pub use self::sessions::*;
pub use self::tokens::*;
pub use self::users::*;

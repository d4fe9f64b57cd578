//! User accounts (the system administrator) and role assignment (the security administrator).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::auth::parse_username;
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_store::PageReq;
use xuncha_store::accounts::{self, NewUser, User, UserFilter};

use super::{ApiJson, ApiPath, ApiQuery, RoleRef, rfc3339};
use crate::auth::{Need, RoleWrite, UserRead, UserWrite};
use crate::crypto::hash_password;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(detail, update))
        .routes(routes!(set_roles))
        .routes(routes!(reset_password))
        .routes(routes!(lock))
        .routes(routes!(unlock))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub roles: Vec<RoleRef>,
    pub locked: bool,
    pub locked_until: Option<String>,
    pub totp_enabled: bool,
    pub last_login_at: Option<String>,
    pub version: i64,
}

async fn dto(st: &AppState, u: User) -> ApiResult<UserDto> {
    let roles = accounts::user_roles(&st.db, u.id).await?;
    let now = st.db.now();
    let temp_locked = u.locked_until.filter(|t| *t > now);
    Ok(UserDto {
        id: u.id,
        username: u.username,
        display_name: u.display_name,
        org_id: u.org_id,
        org_name: u.org_name,
        roles: roles
            .into_iter()
            .map(|r| RoleRef {
                id: r.id,
                code: r.code,
                name: r.name,
            })
            .collect(),
        locked: u.locked_by_admin || temp_locked.is_some(),
        locked_until: temp_locked.map(rfc3339),
        totp_enabled: u.totp_enabled,
        last_login_at: u.last_login_at.map(rfc3339),
        version: u.version,
    })
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserPage {
    pub items: Vec<UserDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    pub q: Option<String>,
    pub org_id: Option<i64>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

const NOT_FOUND: &str = "user.not_found";

/// Lists users in the caller's data scope.
#[utoipa::path(get, operation_id = "users_list", path = "/api/v1/users", tag = "users", params(ListQuery), responses((status = 200, body = UserPage)))]
async fn list(
    State(st): State<AppState>,
    Need(auth, _): Need<UserRead>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::Json<UserPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let r = accounts::list_users(
        &st.db,
        &auth.scope,
        &UserFilter {
            q: q.q,
            org_id: q.org_id,
        },
        page,
    )
    .await?;
    let mut items = Vec::with_capacity(r.items.len());
    for u in r.items {
        items.push(dto(&st, u).await?);
    }
    Ok(axum::Json(UserPage {
        items,
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// One user.
#[utoipa::path(get, operation_id = "users_detail", path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = UserDto), (status = 404, body = crate::error::Problem)))]
async fn detail(
    State(st): State<AppState>,
    Need(auth, _): Need<UserRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<UserDto>> {
    let u = accounts::get_user(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(dto(&st, u).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserCreate {
    pub username: String,
    pub display_name: String,
    pub org_id: i64,
    /// The initial password; the user must change it at first login.
    pub password: String,
}

/// Creates an account (without roles: the security administrator assigns them).
#[utoipa::path(post, operation_id = "users_create", path = "/api/v1/users", tag = "users", request_body = UserCreate,
    responses((status = 201, body = UserDto), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiJson(b): ApiJson<UserCreate>,
) -> ApiResult<(StatusCode, axum::Json<UserDto>)> {
    let policy = accounts::policy(&st.db).await?;
    let mut errors = Errors::default();
    let username = parse_username("username", &b.username)
        .map_err(|e| errors.push(e))
        .ok();
    let display = required_text("display_name", &b.display_name, 50)
        .map_err(|e| errors.push(e))
        .ok();
    errors.check(
        policy
            .password
            .check("password", &b.password, username.as_deref().unwrap_or("")),
    );
    errors.into_result()?;
    let (Some(username), Some(display_name)) = (username, display) else {
        return Err(ApiError::forbidden());
    };
    let password_hash = hash_password(b.password)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    let new = NewUser {
        username,
        display_name,
        org_id: b.org_id,
        password_hash,
        must_change_password: true,
    };
    let u = accounts::create_user(&st.db, &auth.actor, &auth.scope, &new).await?;
    Ok((StatusCode::CREATED, axum::Json(dto(&st, u).await?)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserUpdate {
    pub display_name: String,
    pub org_id: i64,
    pub version: i64,
}

/// Edits a user's name and organisation.
#[utoipa::path(put, operation_id = "users_update", path = "/api/v1/users/{id}", tag = "users", params(("id" = i64, Path)), request_body = UserUpdate,
    responses((status = 200, body = UserDto), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UserUpdate>,
) -> ApiResult<axum::Json<UserDto>> {
    let display = required_text("display_name", &b.display_name, 50)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let u = accounts::update_user(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &display,
        b.org_id,
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(dto(&st, u).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UserRoles {
    pub role_ids: Vec<i64>,
    pub version: i64,
}

/// Assigns roles (三员分立 is enforced: no user holds two administrator classes, nor an
/// administrator role with a business role).
#[utoipa::path(put, operation_id = "users_set_roles", path = "/api/v1/users/{id}/roles", tag = "users", params(("id" = i64, Path)), request_body = UserRoles,
    responses((status = 200, body = UserDto), (status = 422, body = crate::error::Problem)))]
async fn set_roles(
    State(st): State<AppState>,
    Need(auth, _): Need<RoleWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UserRoles>,
) -> ApiResult<axum::Json<UserDto>> {
    let u = accounts::set_roles(&st.db, &auth.actor, &auth.scope, id, &b.role_ids, b.version)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(dto(&st, u).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordReset {
    pub new_password: String,
}

/// Resets a user's password; the user must change it at next login.
#[utoipa::path(post, operation_id = "users_reset_password", path = "/api/v1/users/{id}/reset-password", tag = "users", params(("id" = i64, Path)), request_body = PasswordReset,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn reset_password(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PasswordReset>,
) -> ApiResult<StatusCode> {
    let u = accounts::get_user(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    let policy = accounts::policy(&st.db).await?;
    policy
        .password
        .check("new_password", &b.new_password, &u.username)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let hash = hash_password(b.new_password)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    accounts::set_password(&st.db, &auth.actor, u.id, &hash, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Locks an account until unlocked; ends its sessions.
#[utoipa::path(post, operation_id = "users_lock", path = "/api/v1/users/{id}/lock", tag = "users", params(("id" = i64, Path)), responses((status = 204)))]
async fn lock(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    if id == auth.user.id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            &Msg::new("user.cannot_lock_self"),
        ));
    }
    accounts::set_locked(&st.db, &auth.actor, &auth.scope, id, true)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(StatusCode::NO_CONTENT)
}

/// Unlocks an account (also clears a lockout after failed logins).
#[utoipa::path(post, operation_id = "users_unlock", path = "/api/v1/users/{id}/unlock", tag = "users", params(("id" = i64, Path)), responses((status = 204)))]
async fn unlock(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    accounts::set_locked(&st.db, &auth.actor, &auth.scope, id, false)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(StatusCode::NO_CONTENT)
}

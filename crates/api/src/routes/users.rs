//! User accounts (the system administrator) and role assignment (the security administrator).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::auth::{ONE_TIME_PASSWORD_MINUTES, one_time_password, parse_username};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_store::PageReq;
use xuncha_store::accounts::{self, NewUser, User, UserFilter};

use super::{ApiJson, ApiPath, ApiQuery, RoleRef, rfc3339};
use crate::auth::{Need, PolicyWrite, RoleWrite, UserRead, UserWrite};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use xuncha_service::crypto::hash_password;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(detail, update))
        .routes(routes!(set_roles))
        .routes(routes!(reset_password))
        .routes(routes!(pending_resets))
        .routes(routes!(approve_reset))
        .routes(routes!(reject_reset))
        .routes(routes!(lock))
        .routes(routes!(unlock))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserDto {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
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
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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
    let password_hash = hash_password(b.password).await?;
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
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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

/// The outcome of a password reset.
#[derive(Debug, Serialize, ToSchema)]
pub struct PasswordResetResult {
    /// `issued`: the one-time password is below; `pending`: the account is an administrator's
    /// (三员) and the reset waits for the security administrator's approval.
    pub state: String,
    /// The one-time password, shown only in this answer. It stops working at `expires_at`
    /// and only lets its user set a new password.
    pub one_time_password: Option<String>,
    pub expires_at: Option<String>,
    /// The pending request, when `state` is `pending`.
    pub request_id: Option<i64>,
}

/// Makes a one-time password: its text (shown once), its argon2 hash and its expiry.
async fn new_one_time_password(st: &AppState) -> ApiResult<(String, String, time::OffsetDateTime)> {
    let random =
        xuncha_service::crypto::random_bytes::<16>().map_err(|e| ApiError::internal(&e))?;
    let otp = one_time_password(&random);
    let hash = hash_password(otp.clone()).await?;
    let expires = st.db.now() + time::Duration::minutes(ONE_TIME_PASSWORD_MINUTES);
    Ok((otp, hash, expires))
}

fn issued(otp: String, expires: time::OffsetDateTime) -> PasswordResetResult {
    PasswordResetResult {
        state: "issued".into(),
        one_time_password: Some(otp),
        expires_at: Some(rfc3339(expires)),
        request_id: None,
    }
}

/// Resets a user's password to a one-time password, shown once in the answer: it expires
/// after a short time and only lets the user set a new password. The account of an
/// administrator (system, security or audit class) is not reset at once: a request waits for
/// the security administrator's approval (202), and the one-time password goes to the approver.
#[utoipa::path(post, operation_id = "users_reset_password", path = "/api/v1/users/{id}/reset-password", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = PasswordResetResult), (status = 202, body = PasswordResetResult), (status = 404, body = crate::error::Problem)))]
async fn reset_password(
    State(st): State<AppState>,
    Need(auth, _): Need<UserWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<(StatusCode, axum::Json<PasswordResetResult>)> {
    let u = accounts::get_user(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    let roles = accounts::user_roles(&st.db, u.id).await?;
    if roles.iter().any(|r| r.admin_class.is_some()) {
        let r = accounts::request_reset(&st.db, &auth.actor, u.id).await?;
        return Ok((
            StatusCode::ACCEPTED,
            axum::Json(PasswordResetResult {
                state: "pending".into(),
                one_time_password: None,
                expires_at: None,
                request_id: Some(r.id),
            }),
        ));
    }
    let (otp, hash, expires) = new_one_time_password(&st).await?;
    accounts::issue_one_time_password(
        &st.db,
        &auth.actor,
        u.id,
        &hash,
        expires,
        &Msg::new("audit.user_one_time_password")
            .arg("username", &u.username)
            .arg("minutes", ONE_TIME_PASSWORD_MINUTES)
            .render(),
    )
    .await?;
    Ok((StatusCode::OK, axum::Json(issued(otp, expires))))
}

/// A reset of an administrator account waiting for approval.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetRequestDto {
    pub id: i64,
    pub user_id: i64,
    pub username: String,
    pub display_name: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: String,
    /// pending, approved, rejected
    pub state: String,
}

fn reset_dto(r: accounts::ResetRequest) -> ResetRequestDto {
    ResetRequestDto {
        id: r.id,
        user_id: r.user_id,
        username: r.username,
        display_name: r.display_name,
        requested_by: r.requested_by,
        requested_by_name: r.requested_by_name,
        requested_at: rfc3339(r.requested_at),
        state: r.state,
    }
}

/// The administrator-account resets waiting for the security administrator's approval.
#[utoipa::path(get, operation_id = "password_resets_pending", path = "/api/v1/password-resets", tag = "users",
    responses((status = 200, body = Vec<ResetRequestDto>)))]
async fn pending_resets(
    State(st): State<AppState>,
    Need(_auth, _): Need<PolicyWrite>,
) -> ApiResult<axum::Json<Vec<ResetRequestDto>>> {
    let list = accounts::pending_resets(&st.db).await?;
    Ok(axum::Json(list.into_iter().map(reset_dto).collect()))
}

/// Approves a pending reset (the security administrator, in their own session; never the
/// requester, never for their own account): answers the one-time password, shown once.
#[utoipa::path(post, operation_id = "password_resets_approve", path = "/api/v1/password-resets/{id}/approve", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = PasswordResetResult), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn approve_reset(
    State(st): State<AppState>,
    Need(auth, _): Need<PolicyWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PasswordResetResult>> {
    let r = accounts::get_reset(&st.db, id)
        .await
        .map_err(ApiError::not_found_as(RESET_NOT_FOUND))?;
    if r.state != "pending" {
        return Err(ApiError::not_found(RESET_NOT_FOUND));
    }
    if Some(r.requested_by) == auth.actor.user_id || Some(r.user_id) == auth.actor.user_id {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            &Msg::new("user.reset_own_request"),
        ));
    }
    let (otp, hash, expires) = new_one_time_password(&st).await?;
    accounts::decide_reset(&st.db, &auth.actor, id, Some((&hash, expires)))
        .await
        .map_err(ApiError::not_found_as(RESET_NOT_FOUND))?;
    Ok(axum::Json(issued(otp, expires)))
}

/// Rejects a pending reset.
#[utoipa::path(post, operation_id = "password_resets_reject", path = "/api/v1/password-resets/{id}/reject", tag = "users", params(("id" = i64, Path)),
    responses((status = 200, body = ResetRequestDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn reject_reset(
    State(st): State<AppState>,
    Need(auth, _): Need<PolicyWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ResetRequestDto>> {
    let r = accounts::decide_reset(&st.db, &auth.actor, id, None)
        .await
        .map_err(ApiError::not_found_as(RESET_NOT_FOUND))?;
    Ok(axum::Json(reset_dto(r)))
}

const RESET_NOT_FOUND: &str = "user.reset_not_found";

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

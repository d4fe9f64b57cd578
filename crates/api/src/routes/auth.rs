//! Login, logout, the current user, password change and the TOTP second factor.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use serde::{Deserialize, Serialize};
use time::Duration;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::perm::Access;
use xuncha_domain::totp;
use xuncha_store::accounts::{self, LoginOutcome};
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;

use super::{ApiJson, RoleRef};
use crate::auth::{Auth, CSRF_COOKIE, ClientIp, SESSION_COOKIE};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use xuncha_service::crypto::{hash_password, new_token, random_bytes, token_hash, verify_password};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(totp_setup))
        .routes(routes!(totp_enable))
        .routes(routes!(totp_disable))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    pub username: String,
    pub password: String,
    /// The 6-digit code, when the account has TOTP enabled.
    #[serde(default)]
    pub totp_code: Option<String>,
}

/// The logged-in user.
#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub roles: Vec<RoleRef>,
    pub permissions: Vec<String>,
    /// Compartments held: clue, talk, reporter.
    pub compartments: Vec<String>,
    pub totp_enabled: bool,
    pub must_change_password: bool,
    /// The server's date (China time): forms default their dates to it, not to the browser's.
    pub today: Option<String>,
}

fn me_of(a: &Auth, today: time::Date) -> Me {
    Me {
        today: Some(super::common::date_str(today)),
        id: a.user.id,
        username: a.user.username.clone(),
        display_name: a.user.display_name.clone(),
        org_id: a.user.org_id,
        org_name: a.user.org_name.clone(),
        roles: a
            .roles
            .iter()
            .map(|r| RoleRef {
                id: r.id,
                code: r.code.clone(),
                name: r.name.clone(),
            })
            .collect(),
        permissions: a.access.permissions.clone(),
        compartments: a
            .access
            .compartments
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
        totp_enabled: a.user.totp_enabled,
        must_change_password: a.user.must_change_password,
    }
}

/// Logs in with username and password (and TOTP code when enabled); sets the session cookies.
///
/// An unknown username, a wrong password and an account in its delay after repeated failures
/// all answer the same 401. A client that keeps failing is answered 429 with `Retry-After`;
/// when the password-hashing queue is full the answer is 503 with `Retry-After`.
#[utoipa::path(post, operation_id = "auth_login", path = "/api/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = crate::error::Problem), (status = 423, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem), (status = 503, body = crate::error::Problem)))]
async fn login(
    State(st): State<AppState>,
    jar: CookieJar,
    ClientIp(ip): ClientIp,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<impl IntoResponse> {
    let db = &st.db;
    let username = req.username.trim().to_ascii_lowercase();
    let actor = |id: Option<i64>| Actor {
        user_id: id,
        name: username.clone(),
        display_name: username.clone(),
        ip: ip.clone(),
    };
    if let Err(seconds) = st.throttle.check(&ip) {
        accounts::record_login(
            db,
            &actor(None),
            None,
            LoginOutcome::Refused,
            &Msg::new("login.ip_throttled").render(),
        )
        .await?;
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            &Msg::new("auth.throttled").arg("seconds", seconds),
        )
        .retry_after(seconds));
    }
    let policy = accounts::policy(db).await?;
    let now = st.db.now();
    let invalid = || ApiError::key(StatusCode::UNAUTHORIZED, "auth.invalid_credentials");
    let Some((user, creds)) = accounts::find_by_username(db, &username).await? else {
        // The same work and the same answer as a wrong password.
        verify_password(req.password, None).await?;
        st.throttle.failure(&ip);
        accounts::record_login(
            db,
            &actor(None),
            None,
            LoginOutcome::Refused,
            &Msg::new("login.unknown_user").render(),
        )
        .await?;
        return Err(invalid());
    };
    let uid = user.id;
    // Count the attempt before checking anything: at most `max_failures` checks per window,
    // however many requests arrive at once.
    let Some(slot) =
        accounts::reserve_login_attempt(db, uid, now, policy.lockout.max_failures).await?
    else {
        // In its delay: no check of the real password, but the same work and the same answer
        // as an unknown user, so the answer does not tell that the account exists.
        verify_password(req.password, None).await?;
        st.throttle.failure(&ip);
        accounts::record_login(
            db,
            &actor(Some(uid)),
            Some(uid),
            LoginOutcome::Refused,
            &Msg::new("login.in_delay").render(),
        )
        .await?;
        return Err(invalid());
    };
    let checked = match verify_password(req.password, Some(creds.password_hash.clone())).await {
        Ok(ok) => ok,
        Err(e) => {
            accounts::release_login_attempt(db, uid).await?;
            return Err(e.into());
        }
    };
    if !checked {
        return Err(failed_attempt(
            &st,
            &actor(Some(uid)),
            &policy,
            slot,
            &Msg::new("login.wrong_password").render(),
        )
        .await);
    }
    // The password is right: what follows may tell the caller about the account.
    if creds.locked_by_admin {
        accounts::release_login_attempt(db, uid).await?;
        accounts::record_login(
            db,
            &actor(Some(uid)),
            Some(uid),
            LoginOutcome::Refused,
            &Msg::new("login.locked_by_admin").render(),
        )
        .await?;
        return Err(ApiError::key(StatusCode::LOCKED, "auth.locked_by_admin"));
    }
    if creds.must_change_password && creds.password_expires_at.is_some_and(|t| t <= now) {
        accounts::release_login_attempt(db, uid).await?;
        accounts::record_login(
            db,
            &actor(Some(uid)),
            Some(uid),
            LoginOutcome::Refused,
            &Msg::new("login.one_time_password_expired").render(),
        )
        .await?;
        return Err(ApiError::key(
            StatusCode::UNAUTHORIZED,
            "auth.one_time_password_expired",
        ));
    }
    if creds.totp_enabled {
        let Some(code) = req
            .totp_code
            .as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
        else {
            accounts::release_login_attempt(db, uid).await?;
            return Err(ApiError::key(
                StatusCode::UNAUTHORIZED,
                "auth.totp_required",
            ));
        };
        let secret = creds
            .totp_secret_enc
            .as_deref()
            .map(|c| st.crypto.decrypt(c))
            .transpose()
            .map_err(|e| ApiError::internal(&e))?;
        let step = secret.and_then(|s| totp::verify(&s, code, now.unix_timestamp()));
        let fresh = match step {
            Some(step) => accounts::use_totp_step(db, uid, step).await?,
            None => false,
        };
        if !fresh {
            let mut e = failed_attempt(
                &st,
                &actor(Some(uid)),
                &policy,
                slot,
                &Msg::new("login.wrong_totp").render(),
            )
            .await;
            if e.code == "auth.invalid_credentials" {
                e = ApiError::key(StatusCode::UNAUTHORIZED, "auth.totp_invalid");
            }
            return Err(e);
        }
    }
    let token = new_token("").map_err(|e| ApiError::internal(&e))?;
    let csrf = new_token("").map_err(|e| ApiError::internal(&e))?;
    // A session opened with a one-time password lasts no longer than the password itself.
    let mut expires = now + Duration::minutes(policy.session_minutes);
    if creds.must_change_password
        && let Some(t) = creds.password_expires_at
    {
        expires = expires.min(t);
    }
    accounts::create_session(db, &token_hash(&token), uid, &csrf, expires, &ip).await?;
    let reason = Msg::new(if creds.password_expires_at.is_some() {
        "login.one_time_password"
    } else {
        "login.success"
    })
    .render();
    accounts::record_login(
        db,
        &actor(Some(uid)),
        Some(uid),
        LoginOutcome::Success,
        &reason,
    )
    .await?;
    let secure = st.config.secure_cookies;
    let jar = jar
        .add(
            Cookie::build((SESSION_COOKIE, token))
                .path("/")
                .http_only(true)
                .same_site(SameSite::Strict)
                .secure(secure),
        )
        .add(
            Cookie::build((CSRF_COOKIE, csrf))
                .path("/")
                .http_only(false)
                .same_site(SameSite::Strict)
                .secure(secure),
        );
    let user = accounts::get_user(db, &Scope::unrestricted(), uid).await?;
    let roles = accounts::user_roles(db, uid).await?;
    let grants: Vec<_> = roles.iter().map(accounts::Role::grant).collect();
    let access = Access::combine(user.org_id, &grants);
    let auth = Auth {
        scope: Scope::unrestricted(),
        actor: actor(Some(uid)),
        access,
        roles,
        user,
        session: None,
    };
    Ok((jar, axum::Json(me_of(&auth, st.db.today()))))
}

/// Records a failed check (already counted when its attempt was reserved); the attempt that
/// used the last one of the window starts the account's delay, which doubles with each
/// lockout in a row. The answer is the plain 401 either way.
async fn failed_attempt(
    st: &AppState,
    actor: &Actor,
    policy: &accounts::SecurityPolicy,
    slot: accounts::AttemptSlot,
    reason: &str,
) -> ApiError {
    let now = st.db.now();
    st.throttle.failure(&actor.ip);
    let lock_until = (slot.failed_attempts >= policy.lockout.max_failures)
        .then(|| now + policy.lockout.delay(slot.lockouts + 1));
    if let Err(e) = accounts::record_login(
        &st.db,
        actor,
        actor.user_id,
        LoginOutcome::Failure { lock_until },
        reason,
    )
    .await
    {
        return e.into();
    }
    ApiError::key(StatusCode::UNAUTHORIZED, "auth.invalid_credentials")
}

/// Ends the session.
#[utoipa::path(post, operation_id = "auth_logout", path = "/api/v1/auth/logout", tag = "auth", responses((status = 204)))]
async fn logout(
    State(st): State<AppState>,
    auth: Auth,
    jar: CookieJar,
) -> ApiResult<impl IntoResponse> {
    if let Some(h) = &auth.session {
        accounts::delete_session(&st.db, h).await?;
    }
    let jar = jar
        .remove(Cookie::build(SESSION_COOKIE).path("/"))
        .remove(Cookie::build(CSRF_COOKIE).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}

/// The current user, with roles and effective permissions.
#[utoipa::path(get, operation_id = "auth_me", path = "/api/v1/auth/me", tag = "auth", responses((status = 200, body = Me), (status = 401, body = crate::error::Problem)))]
async fn me(State(st): State<AppState>, auth: Auth) -> axum::Json<Me> {
    axum::Json(me_of(&auth, st.db.today()))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Changes the caller's own password (ends the caller's other sessions).
#[utoipa::path(post, operation_id = "auth_change_password", path = "/api/v1/auth/password", tag = "auth", request_body = PasswordChange,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn change_password(
    State(st): State<AppState>,
    auth: Auth,
    jar: CookieJar,
    ApiJson(req): ApiJson<PasswordChange>,
) -> ApiResult<impl IntoResponse> {
    let creds = accounts::credentials(&st.db, auth.user.id).await?;
    if !verify_password(req.old_password.clone(), Some(creds.password_hash)).await? {
        return Err(ApiError::field(
            "old_password",
            &Msg::new("auth.old_password_wrong"),
        ));
    }
    if req.old_password == req.new_password {
        return Err(ApiError::field(
            "new_password",
            &Msg::new("auth.password_reused"),
        ));
    }
    let policy = accounts::policy(&st.db).await?;
    policy
        .password
        .check("new_password", &req.new_password, &auth.user.username)
        .map_err(|e| ApiError::from(xuncha_domain::DomainError::Invalid(vec![e])))?;
    let hash = hash_password(req.new_password).await?;
    accounts::set_password(&st.db, &auth.actor, auth.user.id, &hash, false).await?;
    let jar = jar
        .remove(Cookie::build(SESSION_COOKIE).path("/"))
        .remove(Cookie::build(CSRF_COOKIE).path("/"));
    Ok((StatusCode::NO_CONTENT, jar))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TotpSetup {
    /// Base32 secret, for manual entry.
    pub secret: String,
    pub otpauth_uri: String,
}

/// An API token never manages the account's second factor: only a signed-in session does.
fn signed_in(auth: &Auth) -> ApiResult<()> {
    if auth.session.is_none() {
        return Err(ApiError::forbidden());
    }
    Ok(())
}

/// The caller's credentials, to change the second factor from a signed-in session.
async fn second_factor_credentials(st: &AppState, auth: &Auth) -> ApiResult<accounts::Credentials> {
    signed_in(auth)?;
    Ok(accounts::credentials(&st.db, auth.user.id).await?)
}

/// Generates a new TOTP secret (not active until confirmed with a code).
#[utoipa::path(post, operation_id = "auth_totp_setup", path = "/api/v1/auth/totp/setup", tag = "auth", responses((status = 200, body = TotpSetup)))]
async fn totp_setup(State(st): State<AppState>, auth: Auth) -> ApiResult<axum::Json<TotpSetup>> {
    signed_in(&auth)?;
    let secret = random_bytes::<20>().map_err(|e| ApiError::internal(&e))?;
    let enc = st
        .crypto
        .encrypt(&secret)
        .map_err(|e| ApiError::internal(&e))?;
    accounts::set_totp(&st.db, &auth.actor, auth.user.id, Some(&enc), false).await?;
    Ok(axum::Json(TotpSetup {
        secret: totp::base32(&secret),
        otpauth_uri: totp::otpauth_uri(&st.config.totp_issuer, &auth.user.username, &secret),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TotpCode {
    pub code: String,
}

/// Enables TOTP after checking a code from the authenticator app.
#[utoipa::path(post, operation_id = "auth_totp_enable", path = "/api/v1/auth/totp/enable", tag = "auth", request_body = TotpCode,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn totp_enable(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<TotpCode>,
) -> ApiResult<StatusCode> {
    let creds = second_factor_credentials(&st, &auth).await?;
    let Some(enc) = creds.totp_secret_enc else {
        return Err(ApiError::field("code", &Msg::new("auth.totp_not_setup")));
    };
    let secret = st
        .crypto
        .decrypt(&enc)
        .map_err(|e| ApiError::internal(&e))?;
    if totp::verify(&secret, &req.code, st.db.now().unix_timestamp()).is_none() {
        return Err(ApiError::field("code", &Msg::new("auth.totp_invalid")));
    }
    accounts::set_totp(&st.db, &auth.actor, auth.user.id, Some(&enc), true).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PasswordConfirm {
    pub password: String,
}

/// Disables TOTP, confirmed by the password.
#[utoipa::path(post, operation_id = "auth_totp_disable", path = "/api/v1/auth/totp/disable", tag = "auth", request_body = PasswordConfirm,
    responses((status = 204), (status = 422, body = crate::error::Problem)))]
async fn totp_disable(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(req): ApiJson<PasswordConfirm>,
) -> ApiResult<StatusCode> {
    let creds = second_factor_credentials(&st, &auth).await?;
    if !verify_password(req.password, Some(creds.password_hash)).await? {
        return Err(ApiError::field(
            "password",
            &Msg::new("auth.old_password_wrong"),
        ));
    }
    accounts::set_totp(&st.db, &auth.actor, auth.user.id, None, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

//! Who is calling: the session cookie (with CSRF check) or a bearer API token.
//!
//! Handlers state their precondition by taking [`Auth`] as a parameter. [`Auth`] carries the
//! user, the effective [`Access`] (roles combined) and the resolved data [`Scope`].

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum_extra::extract::cookie::CookieJar;
use time::Duration;
use xuncha_domain::perm::Access;
use xuncha_store::accounts::{self, User};
use xuncha_store::audit::Actor;
use xuncha_store::scope::Scope;

use crate::error::ApiError;
use crate::state::AppState;
use xuncha_service::crypto::token_hash;

pub const SESSION_COOKIE: &str = "xuncha_session";
pub const CSRF_COOKIE: &str = "xuncha_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";
pub const TOKEN_PREFIX: &str = "xct_";

/// An authenticated caller.
#[derive(Debug, Clone)]
pub struct Auth {
    pub user: User,
    pub access: Access,
    pub scope: Scope,
    pub actor: Actor,
    pub roles: Vec<accounts::Role>,
    /// The session's token hash (absent for API-token calls).
    pub session: Option<String>,
}

impl Auth {
    pub fn require(&self, permission: &str) -> Result<(), ApiError> {
        if self.access.has(permission) {
            Ok(())
        } else {
            Err(ApiError::forbidden())
        }
    }
}

/// The client address: the peer, or the first `X-Forwarded-For` hop when configured.
pub fn client_ip(parts: &Parts, state: &AppState) -> String {
    if state.config.trust_forwarded_for
        && let Some(xff) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        && let Some(first) = xff.split(',').next()
    {
        return first.trim().to_string();
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or_else(|| "unknown".to_string(), |c| c.0.ip().to_string())
}

/// Paths a user who must change the initial password may still call.
const PASSWORD_CHANGE_ALLOWED: &[&str] = &[
    "/api/v1/auth/me",
    "/api/v1/auth/password",
    "/api/v1/auth/logout",
];

impl FromRequestParts<AppState> for Auth {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let ip = client_ip(parts, state);
        let now = state.db.now();
        let bearer = parts
            .headers
            .get(axum::http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let (user_id, token_perms, session) = if let Some(token) = bearer {
            if !token.starts_with(TOKEN_PREFIX) {
                return Err(ApiError::key(
                    StatusCode::UNAUTHORIZED,
                    "auth.token_invalid",
                ));
            }
            let row = accounts::use_token(&state.db, &token_hash(token), now)
                .await?
                .ok_or_else(|| ApiError::key(StatusCode::UNAUTHORIZED, "auth.token_invalid"))?;
            let perms = row.permission_list()?;
            (row.user_id, Some(perms), None)
        } else {
            let jar = CookieJar::from_headers(&parts.headers);
            let token = jar
                .get(SESSION_COOKIE)
                .map(|c| c.value().to_string())
                .ok_or_else(ApiError::unauthenticated)?;
            let hash = token_hash(&token);
            let policy = accounts::policy(&state.db).await?;
            let session = accounts::touch_session(
                &state.db,
                &hash,
                now,
                now + Duration::minutes(policy.session_minutes),
            )
            .await?
            .ok_or_else(|| ApiError::key(StatusCode::UNAUTHORIZED, "auth.session_expired"))?;
            if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if sent.is_empty()
                    || !constant_time_eq(sent.as_bytes(), session.csrf_token.as_bytes())
                {
                    return Err(ApiError::key(StatusCode::FORBIDDEN, "auth.csrf"));
                }
            }
            (session.user_id, None, Some(hash))
        };
        let user = accounts::get_user(&state.db, &Scope::unrestricted(), user_id)
            .await
            .map_err(|_| ApiError::unauthenticated())?;
        if user.locked_by_admin {
            return Err(ApiError::key(
                StatusCode::UNAUTHORIZED,
                "auth.locked_by_admin",
            ));
        }
        // A one-time password that has expired ends the sessions opened with it.
        if user.must_change_password && user.password_expires_at.is_some_and(|t| t <= now) {
            return Err(ApiError::key(
                StatusCode::UNAUTHORIZED,
                "auth.one_time_password_expired",
            ));
        }
        // A session opened with an initial or one-time password (and any token of such an
        // account) can only set a new password, read who it is, and log out: every route
        // goes through this extractor, so the rule holds server-side for all of them.
        if user.must_change_password && !PASSWORD_CHANGE_ALLOWED.contains(&parts.uri.path()) {
            return Err(ApiError::key(
                StatusCode::FORBIDDEN,
                "auth.must_change_password",
            ));
        }
        let roles = accounts::user_roles(&state.db, user.id).await?;
        let grants: Vec<_> = roles.iter().map(accounts::Role::grant).collect();
        let mut access = Access::combine(user.org_id, &grants);
        if let Some(perms) = token_perms {
            access = access.restricted_to(&perms);
        }
        let mut scope = Scope::resolve(&state.db, user.id, &access).await?;
        if access.team_bound() {
            scope.team_user = Some(user.id);
        }
        let actor = Actor {
            user_id: Some(user.id),
            name: user.username.clone(),
            display_name: user.display_name.clone(),
            ip,
        };
        Ok(Auth {
            user,
            access,
            scope,
            actor,
            roles,
            session,
        })
    }
}

/// A function permission, as a type, so handlers can require it in their signature.
pub trait Perm {
    const CODE: &'static str;
}

macro_rules! perms {
    ($($name:ident = $code:path),* $(,)?) => {
        $(
            #[derive(Debug)]
            pub struct $name;
            impl Perm for $name {
                const CODE: &'static str = $code;
            }
        )*
    };
}

perms!(
    OrgRead = xuncha_domain::perm::ORG_READ,
    OrgWrite = xuncha_domain::perm::ORG_WRITE,
    OrgImport = xuncha_domain::perm::ORG_IMPORT,
    UserRead = xuncha_domain::perm::USER_READ,
    UserWrite = xuncha_domain::perm::USER_WRITE,
    RoleRead = xuncha_domain::perm::ROLE_READ,
    RoleWrite = xuncha_domain::perm::ROLE_WRITE,
    PolicyWrite = xuncha_domain::perm::POLICY_WRITE,
    AuditRead = xuncha_domain::perm::AUDIT_READ,
    InspectionRead = xuncha_domain::perm::INSPECTION_READ,
    InspectionPlan = xuncha_domain::perm::INSPECTION_PLAN,
    InspectionOffice = xuncha_domain::perm::INSPECTION_OFFICE,
    TeamManage = xuncha_domain::perm::TEAM_MANAGE,
    RecusalApprove = xuncha_domain::perm::RECUSAL_APPROVE,
    FieldworkWrite = xuncha_domain::perm::FIELDWORK_WRITE,
    ClueLead = xuncha_domain::perm::CLUE_LEAD,
    ClueDispose = xuncha_domain::perm::CLUE_DISPOSE,
    ProblemRead = xuncha_domain::perm::PROBLEM_READ,
    RectRead = xuncha_domain::perm::RECT_READ,
    RectWrite = xuncha_domain::perm::RECT_WRITE,
    RectReview = xuncha_domain::perm::RECT_REVIEW,
    RectSupervise = xuncha_domain::perm::RECT_SUPERVISE,
    GuidanceLead = xuncha_domain::perm::GUIDANCE_LEAD,
    GuidanceRectify = xuncha_domain::perm::GUIDANCE_RECTIFY,
);

/// An authenticated caller holding permission `P`. Header extractors run before the body is
/// read, so an unauthorised caller learns nothing from validation errors.
#[derive(Debug)]
pub struct Need<P: Perm>(pub Auth, pub std::marker::PhantomData<P>);

impl<P: Perm> FromRequestParts<AppState> for Need<P> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let auth = Auth::from_request_parts(parts, state).await?;
        auth.require(P::CODE)?;
        Ok(Need(auth, std::marker::PhantomData))
    }
}

/// The client address as an extractor.
#[derive(Debug, Clone)]
pub struct ClientIp(pub String);

impl FromRequestParts<AppState> for ClientIp {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(ClientIp(client_ip(parts, state)))
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

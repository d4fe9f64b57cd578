//! Scoped API tokens for integrations. A token carries a subset of its owner's permissions and
//! the owner's data scope; it is shown once and stored only as its SM3 digest.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::required_text;
use xuncha_domain::i18n::Msg;
use xuncha_domain::perm::check_token_permissions;
use xuncha_store::accounts;

use super::{ApiJson, ApiPath, rfc3339};
use crate::auth::{Auth, TOKEN_PREFIX};
use crate::crypto::{new_token, token_hash};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(revoke))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenDto {
    pub id: i64,
    pub name: String,
    pub permissions: Vec<String>,
    pub created_at: String,
    pub expires_at: String,
    pub last_used_at: Option<String>,
}

/// The caller's live tokens.
#[utoipa::path(get, operation_id = "tokens_list", path = "/api/v1/tokens", tag = "tokens", responses((status = 200, body = Vec<TokenDto>)))]
async fn list(State(st): State<AppState>, auth: Auth) -> ApiResult<axum::Json<Vec<TokenDto>>> {
    let rows = accounts::list_tokens(&st.db, auth.user.id).await?;
    let mut out = Vec::new();
    for t in rows {
        out.push(TokenDto {
            id: t.id,
            permissions: t.permission_list()?,
            name: t.name,
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            last_used_at: t.last_used_at.map(rfc3339),
        });
    }
    Ok(axum::Json(out))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    pub name: String,
    pub permissions: Vec<String>,
    pub expires_in_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    /// The token itself; shown only once.
    pub token: String,
}

/// Creates a token with a subset of the caller's permissions.
#[utoipa::path(post, operation_id = "tokens_create", path = "/api/v1/tokens", tag = "tokens", request_body = TokenCreate,
    responses((status = 201, body = TokenCreated), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<TokenCreate>,
) -> ApiResult<(StatusCode, axum::Json<TokenCreated>)> {
    if auth.session.is_none() {
        // A token cannot mint tokens.
        return Err(ApiError::forbidden());
    }
    let name = required_text("name", &b.name, 50).map_err(|e| DomainError::Invalid(vec![e]))?;
    let perms = check_token_permissions(&auth.access, &b.permissions)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    if !(1..=366).contains(&b.expires_in_days) {
        return Err(ApiError::field(
            "expires_in_days",
            &Msg::new("validation.out_of_range")
                .arg("field", "field.expires_in_days")
                .arg("min", 1)
                .arg("max", 366),
        ));
    }
    let token = new_token(TOKEN_PREFIX).map_err(|e| ApiError::internal(&e))?;
    let expires = xuncha_store::now() + time::Duration::days(b.expires_in_days);
    let id = accounts::create_token(
        &st.db,
        &auth.actor,
        auth.user.id,
        &name,
        &token_hash(&token),
        &perms,
        expires,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(TokenCreated { id, token })))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, operation_id = "tokens_revoke", path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn revoke(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    accounts::revoke_token(&st.db, &auth.actor, auth.user.id, id)
        .await
        .map_err(ApiError::not_found_as("token.not_found"))?;
    Ok(StatusCode::NO_CONTENT)
}

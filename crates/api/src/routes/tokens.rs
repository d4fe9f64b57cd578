//! Scoped API tokens for integrations. A token carries a subset of its owner's permissions, the
//! compartments it names (none by default) and the owner's data scope; it is shown once, stored
//! only as its SM3 digest, and revoked when the owner's password changes or is reset.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::required_text;
use xuncha_domain::i18n::Msg;
use xuncha_domain::perm::{TOKEN_COMPARTMENT_PREFIX, check_token_permissions};
use xuncha_store::accounts;

use super::{ApiJson, ApiPath, rfc3339};
use crate::auth::{Auth, TOKEN_PREFIX};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;
use xuncha_service::crypto::{new_token, token_hash};

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
    /// Compartments the token carries (clue, talk, reporter); empty unless named at creation.
    pub compartments: Vec<String>,
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
        let (compartments, permissions) = split_compartments(t.permission_list()?);
        out.push(TokenDto {
            id: t.id,
            permissions,
            compartments,
            name: t.name,
            created_at: rfc3339(t.created_at),
            expires_at: rfc3339(t.expires_at),
            last_used_at: t.last_used_at.map(rfc3339),
        });
    }
    Ok(axum::Json(out))
}

/// Splits a stored token list into (compartment codes, permissions).
fn split_compartments(list: Vec<String>) -> (Vec<String>, Vec<String>) {
    let (comps, perms): (Vec<String>, Vec<String>) = list
        .into_iter()
        .partition(|p| p.starts_with(TOKEN_COMPARTMENT_PREFIX));
    let comps = comps
        .into_iter()
        .map(|c| c[TOKEN_COMPARTMENT_PREFIX.len()..].to_string())
        .collect();
    (comps, perms)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TokenCreate {
    pub name: String,
    pub permissions: Vec<String>,
    /// Compartments to carry (`clue`, `talk`, `reporter`), each held by the creator; none by
    /// default, so a token reads no compartmented content unless it says so.
    #[serde(default)]
    pub compartments: Vec<String>,
    pub expires_in_days: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenCreated {
    pub id: i64,
    /// The token itself; shown only once.
    pub token: String,
    pub permissions: Vec<String>,
    /// The compartments it carries.
    pub compartments: Vec<String>,
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
    let requested: Vec<String> = b
        .permissions
        .iter()
        .filter(|p| !p.starts_with(TOKEN_COMPARTMENT_PREFIX))
        .cloned()
        .chain(
            b.compartments
                .iter()
                .map(|c| format!("{TOKEN_COMPARTMENT_PREFIX}{c}")),
        )
        .collect();
    let perms = check_token_permissions(&auth.access, &requested)
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
    let expires = st.db.now() + time::Duration::days(b.expires_in_days);
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
    let (compartments, permissions) = split_compartments(perms);
    Ok((
        StatusCode::CREATED,
        axum::Json(TokenCreated {
            id,
            token,
            permissions,
            compartments,
        }),
    ))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(delete, operation_id = "tokens_revoke", path = "/api/v1/tokens/{id}", tag = "tokens", params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = crate::error::Problem)))]
async fn revoke(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    if auth.session.is_none() {
        // A token manages no tokens: it holds only what it names.
        return Err(ApiError::forbidden());
    }
    accounts::revoke_token(&st.db, &auth.actor, auth.user.id, id)
        .await
        .map_err(ApiError::not_found_as("token.not_found"))?;
    Ok(StatusCode::NO_CONTENT)
}

//! Roles, the permission catalogue and the security policy (the security administrator).

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::auth::{LockoutPolicy, PasswordPolicy};
use xuncha_domain::error::required_text;
use xuncha_domain::ids::OrgId;
use xuncha_domain::org::parse_code;
use xuncha_domain::perm::{AdminClass, Compartment, DataScope, PERMISSIONS, RoleDraft};
use xuncha_domain::{DomainError, i18n::Msg};
use xuncha_store::accounts::{self, Role, SecurityPolicy};

use super::{ApiJson, ApiPath};
use crate::auth::{Need, PolicyWrite, RoleRead, RoleWrite};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, create))
        .routes(routes!(update))
        .routes(routes!(catalogue))
        .routes(routes!(get_policy, put_policy))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoleDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
    /// all, custom, org, org_and_below, self
    pub data_scope: String,
    #[schema(value_type = Vec<i64>)]
    pub custom_org_ids: Vec<OrgId>,
    /// clue, talk, reporter
    pub compartments: Vec<String>,
    pub builtin: bool,
    /// system, security or audit for the three administrators
    pub admin_class: Option<String>,
    pub version: i64,
}

impl From<Role> for RoleDto {
    fn from(r: Role) -> Self {
        RoleDto {
            id: r.id,
            code: r.code,
            name: r.name,
            permissions: r.permissions,
            data_scope: r.data_scope.code().to_string(),
            custom_org_ids: r.custom_org_ids,
            compartments: r
                .compartments
                .iter()
                .map(|c| c.code().to_string())
                .collect(),
            builtin: r.builtin,
            admin_class: r.admin_class.map(|c| c.code().to_string()),
            version: r.version,
        }
    }
}

/// All roles.
#[utoipa::path(get, operation_id = "roles_list", path = "/api/v1/roles", tag = "roles", responses((status = 200, body = Vec<RoleDto>)))]
async fn list(
    State(st): State<AppState>,
    Need(_auth, _): Need<RoleRead>,
) -> ApiResult<axum::Json<Vec<RoleDto>>> {
    Ok(axum::Json(
        accounts::list_roles(&st.db)
            .await?
            .into_iter()
            .map(RoleDto::from)
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoleSave {
    pub code: String,
    pub name: String,
    pub permissions: Vec<String>,
    pub data_scope: String,
    #[serde(default)]
    #[schema(value_type = Vec<i64>)]
    pub custom_org_ids: Vec<OrgId>,
    #[serde(default)]
    pub compartments: Vec<String>,
    /// Required when updating.
    pub version: Option<i64>,
}

fn parse_save(
    b: &RoleSave,
    admin_class: Option<AdminClass>,
) -> Result<(String, String, RoleDraft), ApiError> {
    let code = parse_code("code", &b.code).map_err(|e| DomainError::Invalid(vec![e]))?;
    let name = required_text("name", &b.name, 50).map_err(|e| DomainError::Invalid(vec![e]))?;
    let draft = RoleDraft::parse(
        admin_class,
        &b.permissions,
        &b.data_scope,
        &b.custom_org_ids,
        &b.compartments,
    )?;
    Ok((code, name, draft))
}

/// Creates a business role (administrator roles are built in).
#[utoipa::path(post, operation_id = "roles_create", path = "/api/v1/roles", tag = "roles", request_body = RoleSave,
    responses((status = 201, body = RoleDto), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    Need(auth, _): Need<RoleWrite>,
    ApiJson(b): ApiJson<RoleSave>,
) -> ApiResult<(StatusCode, axum::Json<RoleDto>)> {
    let (code, name, draft) = parse_save(&b, None)?;
    let role = accounts::save_role(
        &st.db,
        &auth.actor,
        None,
        accounts::RoleHeader {
            code: &code,
            name: &name,
            admin_class: None,
            builtin: false,
        },
        &draft,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(role.into())))
}

/// Edits a role. A built-in role keeps its code and administrator class.
#[utoipa::path(put, operation_id = "roles_update", path = "/api/v1/roles/{id}", tag = "roles", params(("id" = i64, Path)), request_body = RoleSave,
    responses((status = 200, body = RoleDto), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(st): State<AppState>,
    Need(auth, _): Need<RoleWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoleSave>,
) -> ApiResult<axum::Json<RoleDto>> {
    let current = accounts::get_role(&st.db, id)
        .await
        .map_err(ApiError::not_found_as("role.not_found"))?;
    let (code, name, draft) = parse_save(&b, current.admin_class)?;
    if current.builtin && code != current.code {
        return Err(ApiError::field("code", &Msg::new("role.builtin_readonly")));
    }
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let role = accounts::save_role(
        &st.db,
        &auth.actor,
        Some((id, version)),
        accounts::RoleHeader {
            code: &code,
            name: &name,
            admin_class: current.admin_class,
            builtin: current.builtin,
        },
        &draft,
    )
    .await?;
    Ok(axum::Json(role.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CodeName {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PermissionEntry {
    pub code: String,
    pub name: String,
    pub group: String,
    pub admin_class: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Catalogue {
    pub permissions: Vec<PermissionEntry>,
    pub data_scopes: Vec<CodeName>,
    pub compartments: Vec<CodeName>,
}

/// The catalogue of permissions, data scopes and compartments, with Chinese names.
#[utoipa::path(get, operation_id = "roles_catalogue", path = "/api/v1/permissions", tag = "roles", responses((status = 200, body = Catalogue)))]
async fn catalogue(Need(_auth, _): Need<RoleRead>) -> ApiResult<axum::Json<Catalogue>> {
    Ok(axum::Json(Catalogue {
        permissions: PERMISSIONS
            .iter()
            .map(|p| PermissionEntry {
                code: p.code.to_string(),
                name: p.name.to_string(),
                group: p.group.to_string(),
                admin_class: p.admin_class.map(|c| c.code().to_string()),
            })
            .collect(),
        data_scopes: DataScope::ALL
            .iter()
            .map(|d| CodeName {
                code: d.code().into(),
                name: d.label().into(),
            })
            .collect(),
        compartments: Compartment::ALL
            .iter()
            .map(|c| CodeName {
                code: c.code().into(),
                name: c.label().into(),
            })
            .collect(),
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PolicyDto {
    pub min_password_length: i64,
    pub min_password_classes: i64,
    pub max_login_failures: i64,
    pub lock_minutes: i64,
    pub session_minutes: i64,
    pub version: i64,
}

/// The security policy.
#[utoipa::path(get, operation_id = "roles_get_policy", path = "/api/v1/policy", tag = "roles", responses((status = 200, body = PolicyDto)))]
async fn get_policy(
    State(st): State<AppState>,
    Need(_auth, _): Need<RoleRead>,
) -> ApiResult<axum::Json<PolicyDto>> {
    let p = accounts::policy(&st.db).await?;
    Ok(axum::Json(PolicyDto {
        min_password_length: i64::try_from(p.password.min_length).unwrap_or(8),
        min_password_classes: i64::try_from(p.password.min_classes).unwrap_or(3),
        max_login_failures: i64::from(p.lockout.max_failures),
        lock_minutes: p.lockout.lock_minutes,
        session_minutes: p.session_minutes,
        version: p.version,
    }))
}

fn ranged(field: &str, v: i64, min: i64, max: i64) -> Result<i64, ApiError> {
    if (min..=max).contains(&v) {
        Ok(v)
    } else {
        Err(ApiError::field(
            field,
            &Msg::new("validation.out_of_range")
                .arg("field", field)
                .arg("min", min)
                .arg("max", max),
        ))
    }
}

/// Changes the security policy.
#[utoipa::path(put, operation_id = "roles_put_policy", path = "/api/v1/policy", tag = "roles", request_body = PolicyDto,
    responses((status = 200, body = PolicyDto), (status = 422, body = crate::error::Problem)))]
async fn put_policy(
    State(st): State<AppState>,
    Need(auth, _): Need<PolicyWrite>,
    ApiJson(b): ApiJson<PolicyDto>,
) -> ApiResult<axum::Json<PolicyDto>> {
    let p = SecurityPolicy {
        password: PasswordPolicy {
            min_length: usize::try_from(ranged(
                "min_password_length",
                b.min_password_length,
                8,
                64,
            )?)
            .unwrap_or(8),
            min_classes: usize::try_from(ranged(
                "min_password_classes",
                b.min_password_classes,
                1,
                4,
            )?)
            .unwrap_or(3),
        },
        lockout: LockoutPolicy {
            max_failures: i32::try_from(ranged("max_login_failures", b.max_login_failures, 3, 20)?)
                .unwrap_or(5),
            lock_minutes: ranged("lock_minutes", b.lock_minutes, 1, 1440)?,
        },
        session_minutes: ranged("session_minutes", b.session_minutes, 5, 1440)?,
        version: b.version,
    };
    let p = accounts::save_policy(&st.db, &auth.actor, &p).await?;
    Ok(axum::Json(PolicyDto {
        min_password_length: i64::try_from(p.password.min_length).unwrap_or(8),
        min_password_classes: i64::try_from(p.password.min_classes).unwrap_or(3),
        max_login_failures: i64::from(p.lockout.max_failures),
        lock_minutes: p.lockout.lock_minutes,
        session_minutes: p.session_minutes,
        version: p.version,
    }))
}

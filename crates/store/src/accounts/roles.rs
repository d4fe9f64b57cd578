//! Roles: permissions, data scope and compartments, with the 三员 separation.

#[allow(clippy::wildcard_imports)]
use super::*;

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
                .map(|(_, o)| OrgId::from(*o))
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
        let mut tx = db.write(p).await?;
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

//! Installing: built-in roles, a fresh installation's first accounts, and the demo province.

use xuncha_domain::demo::{DEMO_PASSWORD, DemoProvince, DemoSize, generate};
use xuncha_domain::org::OrgDraft;
use xuncha_domain::perm::{AUDIT_ADMIN, BUILTIN_ROLES, RoleDraft, SEC_ADMIN, SYS_ADMIN};
use xuncha_store::accounts::{self, NewUser};
use xuncha_store::audit::Actor;
use xuncha_store::orgs::{self, ImportRow};
use xuncha_store::scope::Scope;
use xuncha_store::{Db, StoreError};

use crate::crypto::{hash_password, new_token};

#[derive(Debug, thiserror::Error)]
pub enum BootstrapError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}")]
    Other(String),
}

/// Creates the built-in roles that are missing, and adds to existing built-in roles the
/// permissions a newer version gives them (never removing what an administrator added).
pub async fn ensure_builtin_roles(db: &Db) -> Result<(), BootstrapError> {
    let actor = Actor::system("system");
    for b in BUILTIN_ROLES {
        let perms: Vec<String> = b.permissions.iter().map(|s| (*s).to_string()).collect();
        let comps: Vec<String> = b
            .compartments
            .iter()
            .map(|c| c.code().to_string())
            .collect();
        match accounts::get_role_by_code(db, b.code).await {
            Ok(existing) => {
                let missing: Vec<String> = perms
                    .iter()
                    .filter(|p| !existing.permissions.contains(p))
                    .cloned()
                    .collect();
                if missing.is_empty() {
                    continue;
                }
                let mut all = existing.permissions.clone();
                all.extend(missing);
                let existing_comps: Vec<String> = existing
                    .compartments
                    .iter()
                    .map(|c| c.code().to_string())
                    .collect();
                let draft = RoleDraft::parse(
                    b.admin_class,
                    &all,
                    existing.data_scope.code(),
                    &existing.custom_org_ids,
                    &existing_comps,
                )
                .map_err(StoreError::from)?;
                accounts::save_role(
                    db,
                    &actor,
                    Some((existing.id, existing.version)),
                    accounts::RoleHeader {
                        code: &existing.code,
                        name: &existing.name,
                        admin_class: b.admin_class,
                        builtin: true,
                    },
                    &draft,
                )
                .await?;
            }
            Err(StoreError::NotFound) => {
                let draft =
                    RoleDraft::parse(b.admin_class, &perms, b.data_scope.code(), &[], &comps)
                        .map_err(StoreError::from)?;
                accounts::save_role(
                    db,
                    &actor,
                    None,
                    accounts::RoleHeader {
                        code: b.code,
                        name: b.name,
                        admin_class: b.admin_class,
                        builtin: true,
                    },
                    &draft,
                )
                .await?;
            }
            Err(e) => return Err(e.into()),
        }
    }
    Ok(())
}

/// An account made by `init` or `demo`, as printed to the operator.
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedAccount {
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub role_name: String,
    pub org_code: String,
    pub org_name: String,
    pub password: String,
}

async fn create_account(
    db: &Db,
    actor: &Actor,
    new: &NewUser,
    role_code: &str,
) -> Result<(String, String), BootstrapError> {
    let user = accounts::create_user(db, actor, &Scope::unrestricted(), new).await?;
    let role = accounts::get_role_by_code(db, role_code).await?;
    accounts::set_roles(
        db,
        actor,
        &Scope::unrestricted(),
        user.id,
        &[role.id],
        user.version,
    )
    .await?;
    Ok((role.name, user.org_name))
}

/// Sets up a fresh installation: the root organisation and the three administrators, each with
/// a random initial password that must be changed at first login.
pub async fn init(
    db: &Db,
    org_code: &str,
    org_name: &str,
    org_kind: &str,
) -> Result<Vec<CreatedAccount>, BootstrapError> {
    if !db.is_empty().await? {
        return Err(BootstrapError::Other(
            "数据库中已有组织机构，不能重复初始化".into(),
        ));
    }
    ensure_builtin_roles(db).await?;
    let actor = Actor::system("init");
    let draft = OrgDraft::parse(org_code, org_name, org_kind, Some("committee"))
        .map_err(StoreError::from)?;
    let root = orgs::create(db, &actor, &Scope::unrestricted(), None, &draft).await?;
    let mut out = Vec::new();
    for (username, display, role) in [
        ("admin", "系统管理员", SYS_ADMIN),
        ("security", "安全管理员", SEC_ADMIN),
        ("auditor", "审计管理员", AUDIT_ADMIN),
    ] {
        // 24 hex digits plus a fixed suffix satisfy any policy of up to four classes.
        let password = format!(
            "{}Aa#1",
            &new_token("").map_err(|e| BootstrapError::Other(e.to_string()))?[..24]
        );
        let hash = hash_password(password.clone())
            .await
            .map_err(|e| BootstrapError::Other(e.to_string()))?;
        let new = NewUser {
            username: username.into(),
            display_name: display.into(),
            org_id: root.id,
            password_hash: hash,
            must_change_password: true,
        };
        let (role_name, org_name) = create_account(db, &actor, &new, role).await?;
        out.push(CreatedAccount {
            username: username.into(),
            display_name: display.into(),
            role: role.into(),
            role_name,
            org_code: root.code.clone(),
            org_name,
            password,
        });
    }
    Ok(out)
}

/// Fills an empty database with the demo province for `seed`.
pub async fn seed_demo(
    db: &Db,
    seed: u64,
    size: DemoSize,
) -> Result<Vec<CreatedAccount>, BootstrapError> {
    if !db.is_empty().await? {
        return Err(BootstrapError::Other(
            "数据库中已有组织机构；演示数据只能装入空数据库".into(),
        ));
    }
    ensure_builtin_roles(db).await?;
    let DemoProvince {
        orgs: demo_orgs,
        accounts: demo_accounts,
    } = generate(seed, size);
    let actor = Actor::system("demo");
    let rows: Vec<ImportRow> = demo_orgs
        .iter()
        .enumerate()
        .map(|(i, o)| ImportRow {
            row: i + 2,
            parent_code: o.parent_code.clone(),
            draft: OrgDraft {
                code: o.code.clone(),
                name: o.name.clone(),
                kind: o.kind,
                party_org_kind: o.party_org_kind,
            },
        })
        .collect();
    if let Err(errors) = orgs::import(db, &actor, &Scope::unrestricted(), &rows).await? {
        return Err(BootstrapError::Other(format!(
            "demo organisations rejected: {errors:?}"
        )));
    }
    // Every demo account has the same published password; hash it once.
    let hash = hash_password(DEMO_PASSWORD.to_string())
        .await
        .map_err(|e| BootstrapError::Other(e.to_string()))?;
    let mut out = Vec::new();
    for a in demo_accounts {
        let org = orgs::get_by_code(db, &Scope::unrestricted(), &a.org_code).await?;
        let new = NewUser {
            username: a.username.clone(),
            display_name: a.display_name.clone(),
            org_id: org.id,
            password_hash: hash.clone(),
            must_change_password: false,
        };
        let (role_name, org_name) = create_account(db, &actor, &new, a.role).await?;
        out.push(CreatedAccount {
            username: a.username,
            display_name: a.display_name,
            role: a.role.to_string(),
            role_name,
            org_code: a.org_code,
            org_name,
            password: DEMO_PASSWORD.to_string(),
        });
    }
    Ok(out)
}

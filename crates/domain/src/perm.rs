//! Permissions: function permissions × data scope × compartments (design.md §5).
//!
//! A role carries a set of function permissions, one data scope and a set of compartments.
//! The three administrators (三员) are separated: a role of an administrator class holds only
//! that class's permissions, and no user may hold roles of two classes, or an administrator
//! role together with a business role.
//!
//! **Combination rule for a user with several roles** (documented in docs/accounts.md):
//! function permissions are the union of the roles' permissions; the data scope is the union
//! of the organisation sets each role's scope grants (so `全部` in any role means all);
//! compartments are the union. Every grant is additive; no role can take away what another gives.

use crate::code::code_enum;
use crate::error::{DomainError, FieldError};
use crate::i18n::Msg;
use crate::org::OrgId;

/// An entry in the function-permission catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Permission {
    pub code: &'static str,
    pub name: &'static str,
    pub group: &'static str,
    /// The administrator class this permission belongs to, if it is an administration permission.
    pub admin_class: Option<AdminClass>,
}

code_enum!(
    /// The three separated administrators (三员).
    AdminClass, "admin_class.", {
        System => "system",
        Security => "security",
        Audit => "audit",
    }
);

code_enum!(
    /// The data scope of a role, as users of RuoYi-style systems know it.
    DataScope, "scope.", {
        All => "all",
        Custom => "custom",
        Org => "org",
        OrgAndBelow => "org_and_below",
        // The level the user's body belongs to: the parent organisation and everything below it
        // (纪委监委 and 组织部 supervise their party committee's whole jurisdiction).
        Level => "level",
        OwnOnly => "self",
    }
);

code_enum!(
    /// Compartments: sensitive records visible only to those holding the compartment.
    Compartment, "compartment.", {
        Clue => "clue",
        Talk => "talk",
        Reporter => "reporter",
    }
);

const fn p(
    code: &'static str,
    name: &'static str,
    group: &'static str,
    admin_class: Option<AdminClass>,
) -> Permission {
    Permission {
        code,
        name,
        group,
        admin_class,
    }
}

pub const ORG_READ: &str = "org:read";
pub const ORG_WRITE: &str = "org:write";
pub const ORG_IMPORT: &str = "org:import";
pub const USER_READ: &str = "user:read";
pub const USER_WRITE: &str = "user:write";
pub const ROLE_READ: &str = "role:read";
pub const ROLE_WRITE: &str = "role:write";
pub const POLICY_WRITE: &str = "policy:write";
pub const AUDIT_READ: &str = "audit:read";
pub const INSPECTION_READ: &str = "inspection:read";
pub const INSPECTION_PLAN: &str = "inspection:plan";
pub const TEAM_MANAGE: &str = "team:manage";
pub const RECUSAL_APPROVE: &str = "recusal:approve";
pub const FIELDWORK_WRITE: &str = "fieldwork:write";
/// The office running the round: the work of every team (without it, a holder of
/// `fieldwork:write` is team-bound: only the units of teams they are on).
pub const INSPECTION_OFFICE: &str = "inspection:office";
pub const CLUE_LEAD: &str = "clue:lead";
pub const CLUE_DISPOSE: &str = "clue:dispose";
pub const PROBLEM_READ: &str = "problem:read";
pub const RECT_READ: &str = "rect:read";
pub const RECT_WRITE: &str = "rect:write";
pub const RECT_REVIEW: &str = "rect:review";
pub const RECT_SUPERVISE: &str = "rect:supervise";
/// 指导督导: plan guidance visits to lower offices, record and verify their problems.
pub const GUIDANCE_LEAD: &str = "guidance:lead";
/// 指导督导: the lower office rectifies the problems fed back to it.
pub const GUIDANCE_RECTIFY: &str = "guidance:rectify";

/// The catalogue of function permissions. Later capabilities add their own entries here.
pub static PERMISSIONS: &[Permission] = &[
    p(ORG_READ, "查看组织机构", "组织机构", None),
    p(ORG_WRITE, "维护组织机构", "组织机构", None),
    p(ORG_IMPORT, "导入导出组织机构", "组织机构", None),
    p(USER_READ, "查看用户", "系统管理", Some(AdminClass::System)),
    p(
        USER_WRITE,
        "维护用户账号",
        "系统管理",
        Some(AdminClass::System),
    ),
    p(
        ROLE_READ,
        "查看角色与权限",
        "安全管理",
        Some(AdminClass::Security),
    ),
    p(
        ROLE_WRITE,
        "维护角色并分配给用户",
        "安全管理",
        Some(AdminClass::Security),
    ),
    p(
        POLICY_WRITE,
        "维护安全策略",
        "安全管理",
        Some(AdminClass::Security),
    ),
    p(
        AUDIT_READ,
        "查看审计日志",
        "安全审计",
        Some(AdminClass::Audit),
    ),
    p(INSPECTION_READ, "查看巡察工作", "巡察工作", None),
    p(
        INSPECTION_PLAN,
        "制定巡察计划、审定报告、反馈",
        "巡察工作",
        None,
    ),
    p(TEAM_MANAGE, "组建巡察组与人才库", "巡察工作", None),
    p(
        INSPECTION_OFFICE,
        "统筹本级全部巡察组的工作（巡察办）",
        "巡察工作",
        None,
    ),
    p(RECUSAL_APPROVE, "批准回避例外", "巡察工作", None),
    p(
        FIELDWORK_WRITE,
        "记录了解工作、撰写底稿、登记线索",
        "巡察工作",
        None,
    ),
    p(CLUE_LEAD, "管理问题线索、审批移交", "问题线索", None),
    p(CLUE_DISPOSE, "接收移交线索并报告处置", "问题线索", None),
    p(PROBLEM_READ, "查看本单位问题清单", "整改", None),
    p(RECT_READ, "查看整改台账", "整改", None),
    p(
        RECT_WRITE,
        "编制整改方案、报告进展、申请销号与延期",
        "整改",
        None,
    ),
    p(
        RECT_REVIEW,
        "会审整改方案、核验销号、审批延期、回头看",
        "整改",
        None,
    ),
    p(
        RECT_SUPERVISE,
        "督办发函、整改评估、整改公开与整改设置",
        "整改",
        None,
    ),
    p(
        GUIDANCE_LEAD,
        "开展指导督导、记录督导问题、核验销号",
        "指导督导",
        None,
    ),
    p(GUIDANCE_RECTIFY, "落实上级督导问题整改", "指导督导", None),
];

/// Permissions an administrator of a class may hold besides its own: the system administrator
/// must pick organisations for accounts, so it reads the organisation tree (master data, not
/// business records).
fn admin_allowed_extra(class: AdminClass, code: &str) -> bool {
    matches!(
        (class, code),
        (AdminClass::System, ORG_READ)
            | (AdminClass::Security, ORG_READ)
            | (AdminClass::Security, USER_READ)
    )
}

pub fn permission(code: &str) -> Option<&'static Permission> {
    PERMISSIONS.iter().find(|p| p.code == code)
}

/// The validated content of a role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDraft {
    pub permissions: Vec<String>,
    pub data_scope: DataScope,
    pub custom_org_ids: Vec<OrgId>,
    pub compartments: Vec<Compartment>,
}

impl RoleDraft {
    /// Validates a role against the catalogue and the separation of the three administrators.
    pub fn parse(
        admin_class: Option<AdminClass>,
        permissions: &[String],
        data_scope: &str,
        custom_org_ids: &[OrgId],
        compartments: &[String],
    ) -> Result<Self, DomainError> {
        let mut perms: Vec<String> = Vec::new();
        for code in permissions {
            let Some(p) = permission(code) else {
                return Err(DomainError::field(
                    "permissions",
                    Msg::new("perm.unknown").arg("value", code),
                ));
            };
            match (admin_class, p.admin_class) {
                (Some(mine), Some(theirs)) if mine == theirs => {}
                (Some(mine), _) if admin_allowed_extra(mine, code) => {}
                (None, None) => {}
                _ => {
                    return Err(DomainError::field(
                        "permissions",
                        Msg::new("role.admin_mixed").arg("permission", p.name),
                    ));
                }
            }
            if !perms.contains(code) {
                perms.push(code.clone());
            }
        }
        perms.sort();
        let data_scope = DataScope::parse_field("data_scope", data_scope)
            .map_err(|e| DomainError::Invalid(vec![e]))?;
        let mut custom: Vec<OrgId> = custom_org_ids.to_vec();
        custom.sort_unstable();
        custom.dedup();
        if data_scope == DataScope::Custom && custom.is_empty() {
            return Err(DomainError::field(
                "custom_org_ids",
                Msg::new("role.custom_needs_orgs"),
            ));
        }
        if data_scope != DataScope::Custom {
            custom.clear();
        }
        let mut comps = Vec::new();
        for c in compartments {
            let c = Compartment::parse_field("compartments", c)
                .map_err(|e| DomainError::Invalid(vec![e]))?;
            if !comps.contains(&c) {
                comps.push(c);
            }
        }
        Ok(RoleDraft {
            permissions: perms,
            data_scope,
            custom_org_ids: custom,
            compartments: comps,
        })
    }
}

/// What a role grants, as the access check needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleGrant {
    pub admin_class: Option<AdminClass>,
    pub permissions: Vec<String>,
    pub data_scope: DataScope,
    pub custom_org_ids: Vec<OrgId>,
    pub compartments: Vec<Compartment>,
}

/// Checks that a set of roles may be held by one user (三员分立).
pub fn check_role_combination(roles: &[RoleGrant]) -> Result<(), DomainError> {
    let classes: Vec<AdminClass> = roles.iter().filter_map(|r| r.admin_class).collect();
    if let Some(first) = classes.first()
        && let Some(other) = classes.iter().find(|c| *c != first)
    {
        return Err(DomainError::field(
            "role_ids",
            Msg::new("role.sod_violation")
                .arg("a", first.label())
                .arg("b", other.label()),
        ));
    }
    if !classes.is_empty() && roles.iter().any(|r| r.admin_class.is_none()) {
        return Err(DomainError::field(
            "role_ids",
            Msg::new("role.admin_with_business"),
        ));
    }
    Ok(())
}

/// One part of a user's data scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScopeGrant {
    /// The organisation and everything below it.
    Subtree(OrgId),
    /// That organisation only.
    Org(OrgId),
    /// The parent of that organisation and everything below it (its level).
    Level(OrgId),
    /// Records the user created or owns.
    Own,
}

/// A user's data access: everything, or the union of some grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataAccess {
    All,
    Some(Vec<ScopeGrant>),
}

/// A user's effective access across all roles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub permissions: Vec<String>,
    pub data: DataAccess,
    pub compartments: Vec<Compartment>,
}

impl Access {
    /// Combines the user's roles by the documented rule: unions throughout.
    pub fn combine(user_org: OrgId, roles: &[RoleGrant]) -> Access {
        let mut permissions: Vec<String> = Vec::new();
        let mut compartments = Vec::new();
        let mut grants = Vec::new();
        let mut all = false;
        for r in roles {
            for p in &r.permissions {
                if !permissions.contains(p) {
                    permissions.push(p.clone());
                }
            }
            for c in &r.compartments {
                if !compartments.contains(c) {
                    compartments.push(*c);
                }
            }
            match r.data_scope {
                DataScope::All => all = true,
                DataScope::Custom => {
                    grants.extend(r.custom_org_ids.iter().map(|id| ScopeGrant::Subtree(*id)))
                }
                DataScope::Org => grants.push(ScopeGrant::Org(user_org)),
                DataScope::OrgAndBelow => grants.push(ScopeGrant::Subtree(user_org)),
                DataScope::Level => grants.push(ScopeGrant::Level(user_org)),
                DataScope::OwnOnly => grants.push(ScopeGrant::Own),
            }
        }
        permissions.sort();
        grants.sort();
        grants.dedup();
        // An Org grant is redundant when the same org's subtree is granted.
        let subtrees: Vec<OrgId> = grants
            .iter()
            .filter_map(|g| {
                if let ScopeGrant::Subtree(id) = g {
                    Some(*id)
                } else {
                    None
                }
            })
            .collect();
        grants.retain(|g| !matches!(g, ScopeGrant::Org(id) if subtrees.contains(id)));
        Access {
            permissions,
            data: if all {
                DataAccess::All
            } else {
                DataAccess::Some(grants)
            },
            compartments,
        }
    }

    pub fn has(&self, permission: &str) -> bool {
        self.permissions.iter().any(|p| p == permission)
    }

    pub fn require(&self, permission: &str) -> Result<(), DomainError> {
        if self.has(permission) {
            Ok(())
        } else {
            Err(DomainError::Forbidden)
        }
    }

    /// Team-bound: records fieldwork but is not the office running the round, so round units
    /// and the work on them are open only where the user is on the unit's team.
    pub fn team_bound(&self) -> bool {
        self.has(FIELDWORK_WRITE) && !self.has(INSPECTION_OFFICE)
    }

    pub fn has_compartment(&self, c: Compartment) -> bool {
        self.compartments.contains(&c)
    }

    /// Restricts this access to what an API token names: the permissions in `granted`, and the
    /// compartments named there as `compartment:<code>` (a token holds no compartment it does
    /// not name).
    #[must_use]
    pub fn restricted_to(&self, granted: &[String]) -> Access {
        Access {
            permissions: self
                .permissions
                .iter()
                .filter(|p| granted.contains(p))
                .cloned()
                .collect(),
            data: self.data.clone(),
            compartments: self
                .compartments
                .iter()
                .filter(|c| granted.contains(&token_compartment(**c)))
                .copied()
                .collect(),
        }
    }
}

/// How an API token's list names a compartment it carries.
pub fn token_compartment(c: Compartment) -> String {
    format!("{TOKEN_COMPARTMENT_PREFIX}{}", c.code())
}

pub const TOKEN_COMPARTMENT_PREFIX: &str = "compartment:";

/// Validates an API token's list: each permission must exist and be held by the creator; each
/// `compartment:<code>` must name a compartment the creator holds.
pub fn check_token_permissions(
    holder: &Access,
    requested: &[String],
) -> Result<Vec<String>, FieldError> {
    let mut out = Vec::new();
    for p in requested {
        if let Some(code) = p.strip_prefix(TOKEN_COMPARTMENT_PREFIX) {
            match Compartment::from_code(code) {
                None => {
                    return Err(FieldError::new(
                        "compartments",
                        Msg::new("perm.unknown").arg("value", p),
                    ));
                }
                Some(c) if !holder.has_compartment(c) => {
                    return Err(FieldError::new(
                        "compartments",
                        Msg::new("token.perm_not_held").arg("value", c.label()),
                    ));
                }
                Some(_) => {}
            }
            if !out.contains(p) {
                out.push(p.clone());
            }
            continue;
        }
        if permission(p).is_none() {
            return Err(FieldError::new(
                "permissions",
                Msg::new("perm.unknown").arg("value", p),
            ));
        }
        if !holder.has(p) {
            return Err(FieldError::new(
                "permissions",
                Msg::new("token.perm_not_held").arg("value", p),
            ));
        }
        if !out.contains(p) {
            out.push(p.clone());
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(
        scope: DataScope,
        perms: &[&str],
        custom: &[OrgId],
        class: Option<AdminClass>,
    ) -> RoleGrant {
        RoleGrant {
            admin_class: class,
            permissions: perms.iter().map(|s| (*s).to_string()).collect(),
            data_scope: scope,
            custom_org_ids: custom.to_vec(),
            compartments: Vec::new(),
        }
    }

    #[test]
    fn roles_combine_by_union() {
        let a = grant(DataScope::Org, &[ORG_READ], &[], None);
        let b = grant(
            DataScope::Custom,
            &[ORG_WRITE, ORG_READ],
            &[OrgId::new(7), OrgId::new(9)],
            None,
        );
        let access = Access::combine(OrgId::new(3), &[a, b]);
        assert_eq!(
            access.permissions,
            vec![ORG_READ.to_string(), ORG_WRITE.to_string()]
        );
        assert_eq!(
            access.data,
            DataAccess::Some(vec![
                ScopeGrant::Subtree(OrgId::new(7)),
                ScopeGrant::Subtree(OrgId::new(9)),
                ScopeGrant::Org(OrgId::new(3))
            ])
        );
    }

    #[test]
    fn all_in_any_role_means_all() {
        let a = grant(DataScope::OwnOnly, &[], &[], None);
        let b = grant(DataScope::All, &[], &[], None);
        assert_eq!(
            Access::combine(OrgId::new(1), &[a, b]).data,
            DataAccess::All
        );
    }

    #[test]
    fn org_grant_is_absorbed_by_subtree_of_same_org() {
        let a = grant(DataScope::Org, &[], &[], None);
        let b = grant(DataScope::OrgAndBelow, &[], &[], None);
        assert_eq!(
            Access::combine(OrgId::new(4), &[a, b]).data,
            DataAccess::Some(vec![ScopeGrant::Subtree(OrgId::new(4))])
        );
    }

    #[test]
    fn three_administrators_are_separated() {
        let sys = grant(DataScope::All, &[USER_WRITE], &[], Some(AdminClass::System));
        let audit = grant(DataScope::All, &[AUDIT_READ], &[], Some(AdminClass::Audit));
        let business = grant(DataScope::Org, &[ORG_READ], &[], None);
        assert!(check_role_combination(std::slice::from_ref(&sys)).is_ok());
        assert!(check_role_combination(&[sys.clone(), audit]).is_err());
        assert!(check_role_combination(&[sys, business.clone()]).is_err());
        assert!(check_role_combination(&[business.clone(), business]).is_ok());
    }

    #[test]
    fn admin_roles_cannot_mix_permissions() {
        let perms = |v: &[&str]| v.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
        assert!(
            RoleDraft::parse(
                Some(AdminClass::System),
                &perms(&[USER_WRITE, ORG_READ]),
                "all",
                &[],
                &[]
            )
            .is_ok()
        );
        assert!(
            RoleDraft::parse(
                Some(AdminClass::System),
                &perms(&[AUDIT_READ]),
                "all",
                &[],
                &[]
            )
            .is_err()
        );
        assert!(
            RoleDraft::parse(
                Some(AdminClass::Audit),
                &perms(&[ORG_WRITE]),
                "all",
                &[],
                &[]
            )
            .is_err()
        );
        assert!(RoleDraft::parse(None, &perms(&[USER_WRITE]), "all", &[], &[]).is_err());
        assert!(RoleDraft::parse(None, &perms(&["org:fly"]), "all", &[], &[]).is_err());
        let custom = RoleDraft::parse(None, &perms(&[ORG_READ]), "custom", &[], &[]).unwrap_err();
        assert!(matches!(custom, DomainError::Invalid(ref f) if f[0].field == "custom_org_ids"));
    }

    #[test]
    fn token_cannot_exceed_holder() {
        let holder = Access::combine(
            OrgId::new(1),
            &[grant(DataScope::Org, &[ORG_READ], &[], None)],
        );
        assert!(check_token_permissions(&holder, &[ORG_READ.to_string()]).is_ok());
        assert!(check_token_permissions(&holder, &[ORG_WRITE.to_string()]).is_err());
        let restricted = holder.restricted_to(&[]);
        assert!(!restricted.has(ORG_READ));
    }
}

/// A role every installation has.
#[derive(Debug, Clone, Copy)]
pub struct BuiltinRole {
    pub code: &'static str,
    pub name: &'static str,
    pub admin_class: Option<AdminClass>,
    pub permissions: &'static [&'static str],
    pub data_scope: DataScope,
    pub compartments: &'static [Compartment],
}

pub const SYS_ADMIN: &str = "sys_admin";
pub const SEC_ADMIN: &str = "sec_admin";
pub const AUDIT_ADMIN: &str = "audit_admin";
pub const OFFICE_DIRECTOR: &str = "office_director";
pub const OFFICE_STAFF: &str = "office_staff";
pub const LEADER: &str = "leader";
pub const DISCIPLINE: &str = "discipline";
pub const UNIT_LIAISON: &str = "unit_liaison";
pub const INSPECTOR: &str = "inspector";

/// The built-in roles. Later capabilities extend their permission lists.
pub static BUILTIN_ROLES: &[BuiltinRole] = &[
    BuiltinRole {
        code: SYS_ADMIN,
        name: "系统管理员",
        admin_class: Some(AdminClass::System),
        permissions: &[USER_READ, USER_WRITE, ORG_READ],
        data_scope: DataScope::All,
        compartments: &[],
    },
    BuiltinRole {
        code: SEC_ADMIN,
        name: "安全管理员",
        admin_class: Some(AdminClass::Security),
        permissions: &[ROLE_READ, ROLE_WRITE, POLICY_WRITE, USER_READ, ORG_READ],
        data_scope: DataScope::All,
        compartments: &[],
    },
    BuiltinRole {
        code: AUDIT_ADMIN,
        name: "审计管理员",
        admin_class: Some(AdminClass::Audit),
        permissions: &[AUDIT_READ],
        data_scope: DataScope::All,
        compartments: &[],
    },
    BuiltinRole {
        code: OFFICE_DIRECTOR,
        name: "巡察办主任",
        admin_class: None,
        permissions: &[
            ORG_READ,
            ORG_WRITE,
            ORG_IMPORT,
            INSPECTION_READ,
            INSPECTION_PLAN,
            INSPECTION_OFFICE,
            TEAM_MANAGE,
            RECUSAL_APPROVE,
            FIELDWORK_WRITE,
            CLUE_LEAD,
            RECT_READ,
            RECT_REVIEW,
            RECT_SUPERVISE,
            GUIDANCE_LEAD,
            GUIDANCE_RECTIFY,
        ],
        data_scope: DataScope::OrgAndBelow,
        compartments: &[Compartment::Clue, Compartment::Talk, Compartment::Reporter],
    },
    BuiltinRole {
        code: OFFICE_STAFF,
        name: "巡察办工作人员",
        admin_class: None,
        permissions: &[
            ORG_READ,
            INSPECTION_READ,
            INSPECTION_OFFICE,
            FIELDWORK_WRITE,
            RECT_READ,
            RECT_REVIEW,
            GUIDANCE_LEAD,
            GUIDANCE_RECTIFY,
        ],
        data_scope: DataScope::OrgAndBelow,
        compartments: &[],
    },
    BuiltinRole {
        code: INSPECTOR,
        name: "巡察组成员",
        admin_class: None,
        permissions: &[
            ORG_READ,
            INSPECTION_READ,
            FIELDWORK_WRITE,
            RECT_READ,
            RECT_REVIEW,
        ],
        data_scope: DataScope::OrgAndBelow,
        compartments: &[Compartment::Talk, Compartment::Clue],
    },
    BuiltinRole {
        code: LEADER,
        name: "领导",
        admin_class: None,
        // The leading group decides recusal exceptions the office asks for.
        permissions: &[
            ORG_READ,
            INSPECTION_READ,
            INSPECTION_OFFICE,
            RECT_READ,
            RECUSAL_APPROVE,
        ],
        data_scope: DataScope::OrgAndBelow,
        compartments: &[],
    },
    BuiltinRole {
        code: DISCIPLINE,
        name: "纪委监委",
        admin_class: None,
        permissions: &[ORG_READ, INSPECTION_READ, CLUE_DISPOSE, RECT_READ],
        data_scope: DataScope::Level,
        compartments: &[Compartment::Clue],
    },
    BuiltinRole {
        code: UNIT_LIAISON,
        name: "被巡察单位联络员",
        admin_class: None,
        permissions: &[ORG_READ, PROBLEM_READ, RECT_READ, RECT_WRITE],
        data_scope: DataScope::Org,
        compartments: &[],
    },
];

#[cfg(test)]
mod builtin_tests {
    use super::*;

    #[test]
    fn builtin_roles_pass_their_own_rules() {
        for r in BUILTIN_ROLES {
            let perms: Vec<String> = r.permissions.iter().map(|s| (*s).to_string()).collect();
            let comps: Vec<String> = r
                .compartments
                .iter()
                .map(|c| c.code().to_string())
                .collect();
            assert!(
                RoleDraft::parse(r.admin_class, &perms, r.data_scope.code(), &[], &comps).is_ok(),
                "{}",
                r.code
            );
        }
    }
}

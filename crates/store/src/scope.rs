//! Data scope in the queries.
//!
//! A user's [`Access`] is resolved once per request into a [`Scope`]: the path ranges of the
//! subtrees granted, the single organisations granted, and the user id for "own records".
//! Every list, detail and export query of a scoped record pushes [`Scope::push_filter`] into
//! its WHERE clause, so a record outside the scope is simply not found.

use sqlx::{Database, Encode, QueryBuilder, Type};
use xuncha_domain::org::OrgId;
use xuncha_domain::perm::{Access, DataAccess, ScopeGrant};

use crate::db::{Db, Result};

/// A resolved data scope, ready to be turned into SQL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub user_id: i64,
    pub all: bool,
    /// `[path, path_end)` ranges of granted subtrees.
    pub ranges: Vec<(String, String)>,
    /// Single organisations granted (本部门).
    pub orgs: Vec<OrgId>,
    /// Whether records the user created are granted (仅本人).
    pub own: bool,
    /// Team-bound (a 巡察组 member, not the office): round units, and the work recorded on them,
    /// only where this user is a member of the unit's team.
    pub team_user: Option<i64>,
}

/// The columns of a scoped record that the filter tests.
#[derive(Debug, Clone, Copy)]
pub struct ScopeColumns<'a> {
    /// The materialised path of the record's organisation.
    pub path: &'a str,
    /// The record's organisation id.
    pub org_id: &'a str,
    /// The user who created or owns the record.
    pub owner: &'a str,
}

impl Scope {
    /// A scope that sees everything (for system jobs and the command line).
    pub fn unrestricted() -> Self {
        Scope {
            user_id: 0,
            all: true,
            ranges: Vec::new(),
            orgs: Vec::new(),
            own: false,
            team_user: None,
        }
    }

    /// Resolves `access` for `user_id`, looking up the paths of granted subtrees.
    pub async fn resolve(db: &Db, user_id: i64, access: &Access) -> Result<Scope> {
        let grants = match &access.data {
            DataAccess::All => {
                return Ok(Scope {
                    user_id,
                    ..Scope::unrestricted()
                });
            }
            DataAccess::Some(g) => g,
        };
        let mut scope = Scope {
            user_id,
            all: false,
            ranges: Vec::new(),
            orgs: Vec::new(),
            own: false,
            team_user: None,
        };
        let mut subtree_ids: Vec<OrgId> = Vec::new();
        let mut level_ids: Vec<OrgId> = Vec::new();
        for g in grants {
            match g {
                ScopeGrant::Org(id) => scope.orgs.push(*id),
                ScopeGrant::Own => scope.own = true,
                ScopeGrant::Subtree(id) => subtree_ids.push(*id),
                ScopeGrant::Level(id) => level_ids.push(*id),
            }
        }
        if !subtree_ids.is_empty() || !level_ids.is_empty() {
            // One query: the granted subtrees' paths, and for a level the parent's path (the
            // organisation's own at the root). -1 names no organisation: it keeps an empty
            // list valid SQL.
            let paths: Vec<String> = crate::on_db!(db, p => {
                let mut qb = QueryBuilder::new("SELECT path FROM organisations WHERE id IN (");
                let mut sep = qb.separated(", ");
                for id in subtree_ids.iter().chain([&OrgId::new(-1)]) {
                    sep.push_bind(*id);
                }
                qb.push(") OR id IN (SELECT COALESCE(parent_id, id) FROM organisations WHERE id IN (");
                let mut sep = qb.separated(", ");
                for id in level_ids.iter().chain([&OrgId::new(-1)]) {
                    sep.push_bind(*id);
                }
                qb.push("))");
                qb.build_query_scalar().fetch_all(p).await?
            });
            for path in paths {
                let end = xuncha_domain::org::subtree_end(&path);
                scope.ranges.push((path, end));
            }
        }
        Ok(scope)
    }

    /// Appends ` AND (<scope condition>)` to `qb`. With nothing granted, the condition is false.
    pub fn push_filter<DB>(&self, qb: &mut QueryBuilder<DB>, cols: ScopeColumns<'_>)
    where
        DB: Database,
        for<'t> String: Encode<'t, DB> + Type<DB>,
        for<'t> i64: Encode<'t, DB> + Type<DB>,
    {
        if self.all {
            return;
        }
        let terms = self.ranges.len() + self.orgs.len() + usize::from(self.own);
        if terms == 0 {
            qb.push(" AND 1 = 0");
            return;
        }
        // Each term on its own is an index lookup; a plain OR of them lets both planners use
        // the indexes (a constant term in the OR would make SQLite scan the table).
        qb.push(" AND (");
        let mut first = true;
        let mut sep = |qb: &mut QueryBuilder<DB>| {
            if !std::mem::take(&mut first) {
                qb.push(" OR ");
            }
        };
        for (start, end) in &self.ranges {
            sep(qb);
            qb.push(format_args!("({} >= ", cols.path));
            qb.push_bind(start.clone());
            qb.push(format_args!(" AND {} < ", cols.path));
            qb.push_bind(end.clone());
            qb.push(")");
        }
        for id in &self.orgs {
            sep(qb);
            qb.push(format_args!("{} = ", cols.org_id));
            qb.push_bind(*id);
        }
        if self.own {
            sep(qb);
            qb.push(format_args!("{} = ", cols.owner));
            qb.push_bind(self.user_id);
        }
        qb.push(")");
    }

    /// [`Scope::push_filter`] on the office running the round (joined as `ow`), and for a
    /// team-bound caller the team of the round unit (joined as `ru`): the filter of round units
    /// and of everything recorded on them (activities, findings, clues).
    pub fn push_unit_filter<DB>(&self, qb: &mut QueryBuilder<DB>)
    where
        DB: Database,
        for<'t> String: Encode<'t, DB> + Type<DB>,
        for<'t> i64: Encode<'t, DB> + Type<DB>,
    {
        self.push_filter(qb, crate::inspection::OWNER_COLS);
        if let Some(user) = self.team_user {
            qb.push(" AND ru.team_id IN (SELECT m.team_id FROM team_members m JOIN people pe ON pe.id = m.person_id WHERE pe.user_id = ");
            qb.push_bind(user);
            qb.push(")");
        }
    }

    /// True when an organisation with `path` and `created_by` lies inside this scope.
    pub fn contains(&self, org_id: OrgId, path: &str, created_by: Option<i64>) -> bool {
        self.all
            || self
                .ranges
                .iter()
                .any(|(s, e)| path >= s.as_str() && path < e.as_str())
            || self.orgs.contains(&org_id)
            || (self.own && created_by == Some(self.user_id))
    }
}

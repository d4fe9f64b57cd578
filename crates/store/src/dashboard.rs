//! 领导驾驶舱 storage: the figures of one organisation's subtree, read in one call.
//!
//! Where a figure has counters it reads them: the rectification figures (totals, by 下级单位, by
//! category, overdue and ageing) through `rectification::stats` / `stats_by_child`
//! (`rect_counters`, `rect_day_counts`), the outcomes through `outcome_totals`
//! (`rect_outcome_counters`), and the ranking among peers through `stats_by_child` on the
//! parent. Coverage, clues and fieldwork have no counters yet: each is one indexed, scoped
//! aggregate (the term's organisations to cover in the subtree; the clues the caller may see about
//! the subtree; the activities on round units of the subtree in the period).

use std::collections::HashMap;

use sqlx::QueryBuilder;
use time::Date;
use xuncha_domain::dashboard::{PeerCounts, TermSpan, coverage_term};
use xuncha_domain::org::{OrgId, subtree_end};

use crate::clues::ClueAccess;
use crate::db::{Db, Result, StoreError};
use crate::orgs::{self, Org};
use crate::rectification::{self as rect, StatCounts, StatGroup};
use crate::scope::Scope;

/// What a dashboard is read for.
pub struct DashboardAsk<'a> {
    /// The caller's data scope.
    pub scope: &'a Scope,
    /// The organisation looked at (its whole subtree); outside `scope` it is "not found".
    pub org_id: OrgId,
    /// The server's today.
    pub today: Date,
    /// The period, both ends inclusive (fieldwork by its day; `to` also picks the term).
    pub from: Option<Date>,
    pub to: Option<Date>,
    /// Read the inspection figures (coverage, fieldwork): the caller holds `inspection:read`.
    pub inspection: bool,
    /// Read the clue figures with this access (the caller holds the clue compartment).
    pub clues: Option<&'a ClueAccess>,
    /// Read the ranking among peers (leaders and the office).
    pub peers: bool,
}

/// One 下级单位 of the organisation looked at (or its own items, 本级).
#[derive(Debug, Clone)]
pub struct ChildFigures {
    pub org_id: OrgId,
    pub name: String,
    /// A child's whole subtree (drillable); false: the organisation's own items (本级).
    pub subtree: bool,
    pub counts: StatCounts,
    /// `(covered, total)` of the term's organisations to cover in the subtree.
    pub coverage: Option<(i64, i64)>,
}

/// The coverage of the subtree in its term.
#[derive(Debug, Clone)]
pub struct CoverageFigures {
    pub term_id: i64,
    pub term_name: String,
    pub covered: i64,
    pub total: i64,
}

/// Fieldwork of one method: activities, persons talked to or present, items.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct MethodFigures {
    pub method: String,
    pub method_name: String,
    pub entries: i64,
    pub persons: i64,
    pub count: i64,
}

/// Everything the dashboard shows of one subtree.
#[derive(Debug, Clone)]
pub struct Dashboard {
    pub org: Org,
    /// The organisation's ancestors inside the caller's scope and itself, top first.
    pub crumbs: Vec<(OrgId, String)>,
    /// The rectification figures of the subtree.
    pub totals: StatCounts,
    /// 本级 (when it has items) and every child in scope.
    pub children: Vec<ChildFigures>,
    /// The ledger items by category (key: the category id, empty when uncategorised).
    pub categories: Vec<StatCounts>,
    /// `(kind, records, count, amount_fen)`.
    pub outcomes: Vec<(String, i64, i64, i64)>,
    pub coverage: Option<CoverageFigures>,
    /// `(state, count)` of the clues the caller may see about the subtree.
    pub clues: Option<Vec<(String, i64)>>,
    pub fieldwork: Option<Vec<MethodFigures>>,
    /// The organisation and its siblings (each a whole subtree), unranked.
    pub peers: Option<Vec<PeerCounts>>,
}

/// The organisation a dashboard opens on: the root of the caller's scope (the topmost granted
/// subtree, else the first granted organisation, else the caller's own organisation).
pub async fn scope_root(db: &Db, scope: &Scope, own_org: OrgId) -> Result<OrgId> {
    if scope.all {
        let root: Option<OrgId> = crate::on_db!(db, p => sqlx::query_scalar(
            "SELECT id FROM organisations WHERE parent_id IS NULL ORDER BY path LIMIT 1").fetch_optional(p).await?);
        return Ok(root.unwrap_or(own_org));
    }
    if let Some((path, _)) = scope
        .ranges
        .iter()
        .min_by(|a, b| a.0.len().cmp(&b.0.len()).then_with(|| a.0.cmp(&b.0)))
    {
        let id: Option<OrgId> = crate::on_db!(db, p => sqlx::query_scalar(
            "SELECT id FROM organisations WHERE path = $1").bind(path.clone()).fetch_optional(p).await?);
        if let Some(id) = id {
            return Ok(id);
        }
    }
    Ok(scope.orgs.iter().min().copied().unwrap_or(own_org))
}

/// The dashboard of `ask.org_id`'s subtree; `NotFound` when that organisation is outside the
/// caller's scope (or does not exist).
pub async fn read(db: &Db, ask: &DashboardAsk<'_>) -> Result<Dashboard> {
    let org = orgs::get(db, ask.scope, ask.org_id).await?;
    let crumbs = crumbs(db, ask.scope, &org).await?;
    let by_child = rect::stats_by_child(db, ask.scope, None, Some(org.id), ask.today).await?;
    let totals = StatCounts::sum(by_child.iter().map(|g| &g.counts));
    let categories = rect::stats(
        db,
        ask.scope,
        StatGroup::Category,
        None,
        Some(org.id),
        ask.today,
    )
    .await?;
    let outcomes = rect::outcome_totals(db, ask.scope, None, None, Some(org.id)).await?;
    let cover = if ask.inspection {
        coverage(db, ask.scope, &org, ask.to.unwrap_or(ask.today)).await?
    } else {
        None
    };
    let children = children(db, ask.scope, &org, by_child, cover.as_ref()).await?;
    let clues = match ask.clues {
        Some(a) => Some(clue_states(db, a, &org).await?),
        None => None,
    };
    let fieldwork = if ask.inspection {
        Some(fieldwork_by_method(db, ask.scope, &org, ask.from, ask.to).await?)
    } else {
        None
    };
    let peers = if ask.peers {
        Some(peers(db, &org, ask.today).await?)
    } else {
        None
    };
    Ok(Dashboard {
        coverage: cover.as_ref().map(|c| CoverageFigures {
            term_id: c.term_id,
            term_name: c.term_name.clone(),
            covered: c.within(&org.path).0,
            total: c.within(&org.path).1,
        }),
        org,
        crumbs,
        totals,
        children,
        categories,
        outcomes,
        clues,
        fieldwork,
        peers,
    })
}

/// The organisation's ancestors that lie in `scope`, and itself, top first.
async fn crumbs(db: &Db, scope: &Scope, org: &Org) -> Result<Vec<(OrgId, String)>> {
    let ids: Vec<i64> = org.path.split('/').filter_map(|s| s.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(vec![(org.id, org.name.clone())]);
    }
    let rows: Vec<(OrgId, String, String, Option<i64>)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, name, path, created_by FROM organisations WHERE 1 = 1");
        crate::push_in(&mut qb, "id", &ids);
        qb.push(" ORDER BY path");
        qb.build_query_as().fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .filter(|(id, _, path, by)| *id == org.id || scope.contains(*id, path, *by))
        .map(|(id, name, _, _)| (id, name))
        .collect())
}

/// 本级 (with its items) and every child of `org` in scope, with their figures; children with no
/// items get zeros (their coverage may still show).
async fn children(
    db: &Db,
    scope: &Scope,
    org: &Org,
    by_child: Vec<rect::ChildStats>,
    cover: Option<&TermCoverage>,
) -> Result<Vec<ChildFigures>> {
    let kids: Vec<(OrgId, String, String, Option<i64>)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT id, name, path, created_by FROM organisations WHERE parent_id = $1 ORDER BY path")
        .bind(org.id).fetch_all(p).await?);
    let mut counted: HashMap<(OrgId, bool), rect::ChildStats> = by_child
        .into_iter()
        .map(|g| ((g.org_id, g.subtree), g))
        .collect();
    let mut out = Vec::with_capacity(kids.len() + 1);
    if let Some(own) = counted.remove(&(org.id, false)) {
        out.push(ChildFigures {
            org_id: org.id,
            name: own.counts.label.clone(),
            subtree: false,
            counts: own.counts,
            coverage: None,
        });
    }
    for (id, name, path, by) in kids {
        if !scope.contains(id, &path, by) {
            continue;
        }
        let counts = counted
            .remove(&(id, true))
            .map(|g| g.counts)
            .unwrap_or_default();
        out.push(ChildFigures {
            org_id: id,
            name,
            subtree: true,
            counts,
            coverage: cover.map(|c| c.within(&path)),
        });
    }
    Ok(out)
}

/// The organisations a term covers in a subtree, each with whether a team has been on site.
#[derive(Debug, Clone)]
struct TermCoverage {
    term_id: i64,
    term_name: String,
    orgs: Vec<(String, bool)>,
}

impl TermCoverage {
    /// `(covered, total)` of the organisations under `path` (the path itself included).
    fn within(&self, path: &str) -> (i64, i64) {
        let (mut covered, mut total) = (0, 0);
        for (p, inspected) in &self.orgs {
            if p.starts_with(path) {
                total += 1;
                covered += i64::from(*inspected);
            }
        }
        (covered, total)
    }
}

/// The coverage of `org`'s subtree in the term of the nearest office at or above it (as the
/// term's coverage page counts it: active organisations with a party organisation, one to
/// `coverage_depth` levels below the owner; covered once a round of the term put a team on
/// site), the term picked on `day` among the terms the caller may read.
async fn coverage(db: &Db, scope: &Scope, org: &Org, day: Date) -> Result<Option<TermCoverage>> {
    let terms = crate::inspection::list_terms(db, scope).await?;
    let spans: Vec<TermSpan> = terms
        .iter()
        .map(|t| TermSpan {
            id: t.id,
            owner_path: t.owner_path.clone(),
            start_date: t.start_date,
            end_date: t.end_date,
        })
        .collect();
    let Some(id) = coverage_term(&spans, &org.path, day) else {
        return Ok(None);
    };
    let Some(term) = terms.into_iter().find(|t| t.id == id) else {
        return Ok(None);
    };
    let owner_depth: Option<i32> = crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT depth FROM organisations WHERE id = $1").bind(term.owner_org_id).fetch_optional(p).await?);
    let max_depth = owner_depth.ok_or(StoreError::NotFound)? + term.coverage_depth;
    // Level by level down from the organisation (by parent, an index range each), never the whole
    // subtree: a term covers only its few levels below the owner.
    let mut orgs: Vec<(String, bool)> = Vec::new();
    if org.id != term.owner_org_id
        && org.depth <= max_depth
        && org.active
        && org.party_org_kind.is_some()
    {
        let inspected: bool = crate::on_db!(db, p => sqlx::query_scalar(
            "SELECT EXISTS (SELECT 1 FROM round_units ru JOIN rounds r ON r.id = ru.round_id \
             WHERE ru.org_id = $1 AND r.term_id = $2 AND ru.stationed_on IS NOT NULL)")
            .bind(org.id).bind(term.id).fetch_one(p).await?);
        orgs.push((org.path.clone(), inspected));
    }
    let mut level = vec![org.id];
    let mut depth = org.depth;
    while depth < max_depth && !level.is_empty() {
        let mut next = Vec::new();
        for chunk in level.chunks(500) {
            let rows: Vec<(OrgId, String, bool, bool)> = crate::on_db!(db, p => {
                let mut qb = QueryBuilder::new("SELECT o.id, o.path, o.active = ");
                qb.push_bind(true).push(" AND o.party_org_kind IS NOT NULL, EXISTS (SELECT 1 FROM round_units ru JOIN rounds r ON r.id = ru.round_id \
                    WHERE ru.org_id = o.id AND r.term_id = ").push_bind(term.id)
                  .push(" AND ru.stationed_on IS NOT NULL) FROM organisations o WHERE 1 = 1");
                crate::push_in(&mut qb, "o.parent_id", chunk);
                qb.build_query_as().fetch_all(p).await?
            });
            for (id, path, counted, inspected) in rows {
                if counted {
                    orgs.push((path, inspected));
                }
                next.push(id);
            }
        }
        level = next;
        depth += 1;
    }
    Ok(Some(TermCoverage {
        term_id: term.id,
        term_name: term.name,
        orgs,
    }))
}

/// `(state, count)` of the clues `a` may see about `org`'s subtree (as `/clues?org_id=` lists them).
async fn clue_states(db: &Db, a: &ClueAccess, org: &Org) -> Result<Vec<(String, i64)>> {
    let end = subtree_end(&org.path);
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT c.state, COUNT(*) FROM clues c JOIN round_units ru ON ru.id = c.round_unit_id JOIN organisations o ON o.id = c.org_id \
             JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN organisations rcv ON rcv.id = c.receiving_org_id WHERE o.path >= ");
        qb.push_bind(org.path.clone()).push(" AND o.path < ").push_bind(end);
        crate::clues::push_access(&mut qb, a);
        qb.push(" GROUP BY c.state ORDER BY c.state");
        Ok(qb.build_query_as::<(String, i64)>().fetch_all(p).await?)
    })
}

/// Fieldwork by method on round units about `org`'s subtree that the caller sees, held in the
/// period.
async fn fieldwork_by_method(
    db: &Db,
    scope: &Scope,
    org: &Org,
    from: Option<Date>,
    to: Option<Date>,
) -> Result<Vec<MethodFigures>> {
    let end = subtree_end(&org.path);
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT m.code AS method, m.name AS method_name, COUNT(a.id) AS entries, CAST(COALESCE(SUM(a.persons), 0) AS BIGINT) AS persons, \
             CAST(COALESCE(SUM(a.item_count), 0) AS BIGINT) AS count \
             FROM activities a JOIN fieldwork_methods m ON m.code = a.method JOIN round_units ru ON ru.id = a.round_unit_id \
             JOIN organisations o ON o.id = ru.org_id JOIN organisations ow ON ow.id = ru.owner_org_id WHERE o.path >= ");
        qb.push_bind(org.path.clone()).push(" AND o.path < ").push_bind(end);
        if let Some(d) = from { qb.push(" AND a.held_on >= ").push_bind(d); }
        if let Some(d) = to { qb.push(" AND a.held_on <= ").push_bind(d); }
        scope.push_unit_filter(&mut qb);
        qb.push(" GROUP BY m.code, m.name, m.sort ORDER BY m.sort");
        Ok(qb.build_query_as::<MethodFigures>().fetch_all(p).await?)
    })
}

/// The organisation and its siblings, each a whole subtree, with the counts of their ledgers
/// (from the counters, whatever the caller's scope: counts only, never records). Empty for a
/// root.
async fn peers(db: &Db, org: &Org, today: Date) -> Result<Vec<PeerCounts>> {
    let Some(parent) = org.parent_id else {
        return Ok(Vec::new());
    };
    let siblings: Vec<(OrgId, String)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT id, name FROM organisations WHERE parent_id = $1 ORDER BY path")
        .bind(parent).fetch_all(p).await?);
    let groups =
        rect::stats_by_child(db, &Scope::unrestricted(), None, Some(parent), today).await?;
    let by_id: HashMap<OrgId, StatCounts> = groups
        .into_iter()
        .filter(|g| g.subtree)
        .map(|g| (g.org_id, g.counts))
        .collect();
    Ok(siblings
        .into_iter()
        .map(|(id, name)| {
            let c = by_id.get(&id).cloned().unwrap_or_default();
            PeerCounts {
                org_id: id.get(),
                name,
                total: c.total,
                completed: c.completed,
                due: c.due,
                completed_on_time: c.completed_on_time,
                overdue: c.overdue,
            }
        })
        .collect())
}

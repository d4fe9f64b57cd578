//! Rectification storage: statistics

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::rectification::{CounterTerm, covering_terms};

/// Counts of the §10 figures for one group; rates are computed by the domain.
#[derive(Debug, Clone, Default, PartialEq, Eq, FromRow)]
pub struct StatCounts {
    pub key: String,
    pub label: String,
    pub total: i64,
    pub completed: i64,
    pub due: i64,
    pub completed_on_time: i64,
    pub overdue: i64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub age_30: i64,
    pub age_90: i64,
    pub age_180: i64,
    pub age_more: i64,
}

impl StatCounts {
    /// The figures of all of `rows` together: every grouping partitions the items (each has one
    /// unit, level, round and category), so the total is the sum of the groups.
    pub fn sum<'a>(rows: impl IntoIterator<Item = &'a StatCounts>) -> StatCounts {
        let mut t = StatCounts {
            key: "all".into(),
            label: Msg::new("stats.total").render(),
            ..StatCounts::default()
        };
        for r in rows {
            t.add(r);
        }
        t
    }

    /// Adds `r`'s figures to these (the key and label stay).
    pub fn add(&mut self, r: &StatCounts) {
        self.total += r.total;
        self.completed += r.completed;
        self.due += r.due;
        self.completed_on_time += r.completed_on_time;
        self.overdue += r.overdue;
        self.long_term += r.long_term;
        self.extended += r.extended;
        self.extensions += r.extensions;
        self.age_30 += r.age_30;
        self.age_90 += r.age_90;
        self.age_180 += r.age_180;
        self.age_more += r.age_more;
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatGroup {
    Unit,
    Level,
    Round,
    Category,
    None,
}

/// The §10 figures of the ledger in scope by `group` on `today`, read from the counters
/// maintained on write (`crate::counters`): nothing scans findings. A scope that grants records
/// by their author (仅本人) is not a set of subtrees, so it falls back to [`stats_scanned`].
pub async fn stats(
    db: &Db,
    scope: &Scope,
    group: StatGroup,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
    today: Date,
) -> Result<Vec<StatCounts>> {
    if scope.own {
        return stats_scanned(db, scope, group, round_id, org_id, today).await;
    }
    let terms = counter_terms(db, scope, org_id).await?;
    if terms.is_empty() {
        // Nothing visible: no groups, and a total of zero.
        let mut rows = Vec::new();
        if group == StatGroup::None {
            rows.push(StatCounts {
                key: "all".into(),
                ..StatCounts::default()
            });
        }
        finish_stats(&mut rows, group);
        return Ok(rows);
    }
    // Groups by the inspected organisation or the round, and a round filter, read the own rows
    // (an organisation's own items, per round); the rest read each term's node rows.
    let by_own = round_id.is_some()
        || matches!(group, StatGroup::Unit | StatGroup::Level | StatGroup::Round);
    let (key, label) = match group {
        StatGroup::Unit => ("CAST(c.node_id AS TEXT)", "o.name"),
        StatGroup::Level => ("o.kind", "o.kind"),
        StatGroup::Round => ("CAST(c.round_id AS TEXT)", "r.name"),
        StatGroup::Category => (
            "COALESCE(CAST(cat.id AS TEXT), '')",
            "COALESCE(cat.name, '')",
        ),
        StatGroup::None => ("'all'", "''"),
    };
    let mut joins = String::new();
    if by_own {
        joins.push_str(" JOIN organisations o ON o.id = c.node_id");
    }
    match group {
        StatGroup::Round => joins.push_str(" JOIN rounds r ON r.id = c.round_id"),
        StatGroup::Category => {
            joins.push_str(" LEFT JOIN categories cat ON cat.id = c.category_id")
        }
        _ => {}
    }
    let group_by = if group == StatGroup::None {
        String::new()
    } else {
        format!(" GROUP BY {key}, {label}")
    };
    // The histogram has many rows per group (one per day): group it by the raw key column and
    // join nothing it does not filter on, so the labels' lookups stay with the few counter rows.
    let (day_key, day_joins) = match group {
        StatGroup::Category => ("CAST(c.category_id AS TEXT)", ""),
        StatGroup::Round => ("CAST(c.round_id AS TEXT)", ""),
        _ => (key, ""),
    };
    let day_joins = if by_own {
        " JOIN organisations o ON o.id = c.node_id"
    } else {
        day_joins
    };
    let day_group_by = if group == StatGroup::None {
        String::new()
    } else {
        format!(" GROUP BY {day_key}")
    };
    let mut rows: Vec<StatCounts> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("");
        push_counter_sums(&mut qb, key, label, &joins);
        push_counter_terms(&mut qb, &terms, by_own, round_id);
        // Every group has items; the total is one row even when there are none.
        if group != StatGroup::None {
            qb.push(&group_by).push(" HAVING SUM(c.total) > 0");
        }
        let mut rows = qb.build_query_as::<StatCounts>().fetch_all(p).await?;
        let mut qb = QueryBuilder::new("");
        push_day_sums(&mut qb, day_key, day_joins, today);
        push_counter_terms(&mut qb, &terms, by_own, round_id);
        qb.push(&day_group_by);
        let days: Vec<DayFigures> = qb.build_query_as::<DayFigures>().fetch_all(p).await?;
        // Uncategorised items count under category 0; their group's key is empty.
        let days = days
            .into_iter()
            .map(|d| (if group == StatGroup::Category && d.key == "0" { String::new() } else { d.key.clone() }, d))
            .collect();
        add_days(&mut rows, &days);
        rows
    });
    finish_stats(&mut rows, group);
    Ok(rows)
}

/// The date-dependent figures of one group, from the per-day histogram.
#[derive(Debug, FromRow)]
struct DayFigures {
    key: String,
    due: i64,
    completed_on_time: i64,
    overdue: i64,
    age_30: i64,
    age_90: i64,
    age_180: i64,
    age_more: i64,
}

/// `SELECT key, label, the counters' sums FROM rect_counters c{joins} WHERE 1 = 1`: the caller
/// adds the rows' terms and the grouping.
fn push_counter_sums<DB: sqlx::Database>(
    qb: &mut QueryBuilder<DB>,
    key: &str,
    label: &str,
    joins: &str,
) {
    qb.push(format_args!(
        "SELECT {key} AS key, {label} AS label, CAST(COALESCE(SUM(c.total), 0) AS BIGINT) AS total, CAST(COALESCE(SUM(c.completed), 0) AS BIGINT) AS completed, \
         CAST(0 AS BIGINT) AS due, CAST(0 AS BIGINT) AS completed_on_time, CAST(0 AS BIGINT) AS overdue, CAST(COALESCE(SUM(c.long_term), 0) AS BIGINT) AS long_term, \
         CAST(COALESCE(SUM(c.extended), 0) AS BIGINT) AS extended, CAST(COALESCE(SUM(c.extensions), 0) AS BIGINT) AS extensions, \
         CAST(0 AS BIGINT) AS age_30, CAST(0 AS BIGINT) AS age_90, CAST(0 AS BIGINT) AS age_180, CAST(0 AS BIGINT) AS age_more \
         FROM rect_counters c{joins} WHERE 1 = 1"
    ));
}

/// `SELECT key, the histogram's sums before today FROM rect_day_counts c{joins} WHERE …`: the
/// caller adds the rows' terms and the grouping.
fn push_day_sums<DB>(qb: &mut QueryBuilder<DB>, key: &str, joins: &str, today: Date)
where
    DB: sqlx::Database,
    for<'x> Date: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    let d30 = today - time::Duration::days(30);
    let d90 = today - time::Duration::days(90);
    let d180 = today - time::Duration::days(180);
    qb.push(format_args!(
        "SELECT {key} AS key, CAST(COALESCE(SUM(c.deadlines), 0) AS BIGINT) AS due, CAST(COALESCE(SUM(c.on_time), 0) AS BIGINT) AS completed_on_time, \
         CAST(COALESCE(SUM(c.open_due), 0) AS BIGINT) AS overdue, CAST(COALESCE(SUM(CASE WHEN c.day >= "
    ));
    qb.push_bind(d30).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_30, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d30)
      .push(" AND c.day >= ").push_bind(d90).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_90, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d90)
      .push(" AND c.day >= ").push_bind(d180).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_180, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d180)
      .push(format_args!(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_more FROM rect_day_counts c{joins} WHERE c.day < "))
      .push_bind(today);
}

/// Sets each group's date-dependent figures from the histogram's sums, by key.
fn add_days(rows: &mut [StatCounts], days: &HashMap<String, DayFigures>) {
    for r in rows {
        if let Some(d) = days.get(&r.key) {
            r.due = d.due;
            r.completed_on_time = d.completed_on_time;
            r.overdue = d.overdue;
            r.age_30 = d.age_30;
            r.age_90 = d.age_90;
            r.age_180 = d.age_180;
            r.age_more = d.age_more;
        }
    }
}

/// One group of the statistics by 下级单位.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildStats {
    pub org_id: OrgId,
    /// The organisation's whole subtree (a child of the organisation looked at, or a subtree of
    /// the scope); false: its own items only (本级).
    pub subtree: bool,
    pub counts: StatCounts,
}

/// A group of [`stats_by_child`]: an organisation's subtree or its own items.
#[derive(Debug, Clone)]
struct ChildGroup {
    org_id: OrgId,
    path: String,
    subtree: bool,
    label: String,
}

/// The groups of the statistics by 下级单位 for the counter terms of a scope narrowed to an
/// organisation: one subtree (the organisation looked at, or a scope of one subtree) gives its own
/// items (本级) and each child's subtree; several terms (a scope of several subtrees or single
/// organisations) give one group each.
async fn child_groups(db: &Db, terms: &[CounterTerm]) -> Result<Vec<ChildGroup>> {
    let named = |id: OrgId, path: String, name: String, subtree: bool| ChildGroup {
        org_id: id,
        path,
        subtree,
        label: if subtree {
            name
        } else {
            Msg::new("stats.own_level").arg("name", name).render()
        },
    };
    let ids: Vec<OrgId> = terms.iter().map(CounterTerm::node_id).collect();
    let names: HashMap<OrgId, String> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, name FROM organisations WHERE 1 = 1");
        crate::push_in(&mut qb, "id", &ids);
        qb.build_query_as::<(OrgId, String)>().fetch_all(p).await?.into_iter().collect()
    });
    let name = |id: OrgId| names.get(&id).cloned().unwrap_or_default();
    if let [CounterTerm::Subtree { node_id, path }] = terms {
        let children: Vec<(OrgId, String, String)> = crate::on_db!(db, p => {
            sqlx::query_as("SELECT id, path, name FROM organisations WHERE parent_id = $1 ORDER BY path")
                .bind(*node_id).fetch_all(p).await?
        });
        let mut groups = vec![named(*node_id, path.clone(), name(*node_id), false)];
        groups.extend(
            children
                .into_iter()
                .map(|(id, path, name)| named(id, path, name, true)),
        );
        return Ok(groups);
    }
    Ok(terms
        .iter()
        .map(|t| {
            let subtree = matches!(t, CounterTerm::Subtree { .. });
            named(
                t.node_id(),
                t.path().to_string(),
                name(t.node_id()),
                subtree,
            )
        })
        .collect())
}

/// Sums per-organisation figures (`by_org`, keyed by organisation id) into `groups`: a subtree
/// group takes every organisation on its path, an own group its organisation alone. Groups with
/// no items are left out; the rest come largest first.
fn fold_into_groups(
    groups: &[ChildGroup],
    by_org: &[StatCounts],
    paths: &HashMap<OrgId, String>,
) -> Vec<ChildStats> {
    let mut out: Vec<ChildStats> = groups
        .iter()
        .map(|g| ChildStats {
            org_id: g.org_id,
            subtree: g.subtree,
            counts: StatCounts {
                key: g.org_id.get().to_string(),
                label: g.label.clone(),
                ..StatCounts::default()
            },
        })
        .collect();
    for row in by_org {
        let Some(id) = row.key.parse::<i64>().ok().map(OrgId::new) else {
            continue;
        };
        let path = paths.get(&id).map_or("", String::as_str);
        let hit = groups.iter().position(|g| {
            if g.subtree {
                path.starts_with(g.path.as_str())
            } else {
                g.org_id == id
            }
        });
        if let Some(i) = hit {
            out[i].counts.add(row);
        }
    }
    finish_child_stats(out)
}

fn finish_child_stats(mut out: Vec<ChildStats>) -> Vec<ChildStats> {
    out.retain(|g| g.counts.total > 0);
    out.sort_by(|a, b| {
        b.counts
            .total
            .cmp(&a.counts.total)
            .then_with(|| a.counts.key.cmp(&b.counts.key))
    });
    out
}

/// The paths of organisations keyed by id (the keys of per-organisation figures).
async fn org_paths(db: &Db, rows: &[StatCounts]) -> Result<HashMap<OrgId, String>> {
    let ids: Vec<i64> = rows.iter().filter_map(|r| r.key.parse().ok()).collect();
    let mut out = HashMap::new();
    for chunk in ids.chunks(500) {
        let found: Vec<(OrgId, String)> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT id, path FROM organisations WHERE 1 = 1");
            crate::push_in(&mut qb, "id", chunk);
            qb.build_query_as().fetch_all(p).await?
        });
        out.extend(found);
    }
    Ok(out)
}

/// The §10 figures by 下级单位 (the drill-down: province → cities → counties → units), read from
/// the counters: for one subtree (the organisation `org_id`, or a scope of one subtree) its own
/// items (本级) and each child's subtree; for a scope of several subtrees or organisations, each
/// of them. Without a round each group is its node's counter rows (one indexed read per group,
/// whatever the subtree's size); a round's figures are kept per organisation only, so they are
/// summed from the round's organisations (a round inspects a bounded number of units).
pub async fn stats_by_child(
    db: &Db,
    scope: &Scope,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
    today: Date,
) -> Result<Vec<ChildStats>> {
    if scope.own || round_id.is_some() {
        let by_org = stats(db, scope, StatGroup::Unit, round_id, org_id, today).await?;
        return fold_by_child(db, scope, org_id, &by_org).await;
    }
    let terms = counter_terms(db, scope, org_id).await?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let groups = child_groups(db, &terms).await?;
    let subtrees: Vec<OrgId> = groups
        .iter()
        .filter(|g| g.subtree)
        .map(|g| g.org_id)
        .collect();
    let owns: Vec<OrgId> = groups
        .iter()
        .filter(|g| !g.subtree)
        .map(|g| g.org_id)
        .collect();
    let mut rows: Vec<StatCounts> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("");
        push_counter_sums(&mut qb, "CAST(c.node_id AS TEXT)", "''", "");
        push_node_groups(&mut qb, &subtrees, &owns);
        qb.push(" GROUP BY c.node_id");
        let mut rows = qb.build_query_as::<StatCounts>().fetch_all(p).await?;
        let mut qb = QueryBuilder::new("");
        push_day_sums(&mut qb, "CAST(c.node_id AS TEXT)", "", today);
        push_node_groups(&mut qb, &subtrees, &owns);
        qb.push(" GROUP BY c.node_id");
        let days: Vec<DayFigures> = qb.build_query_as::<DayFigures>().fetch_all(p).await?;
        let days = days.into_iter().map(|d| (d.key.clone(), d)).collect();
        add_days(&mut rows, &days);
        rows
    });
    let by_key: HashMap<String, StatCounts> = rows.drain(..).map(|r| (r.key.clone(), r)).collect();
    let out = groups
        .iter()
        .map(|g| {
            let key = g.org_id.get().to_string();
            let counts = by_key.get(&key).cloned().unwrap_or_default();
            ChildStats {
                org_id: g.org_id,
                subtree: g.subtree,
                counts: StatCounts {
                    key,
                    label: g.label.clone(),
                    ..counts
                },
            }
        })
        .collect();
    Ok(finish_child_stats(out))
}

/// ` AND (…)`: every counter row of the `subtrees` nodes, and the own rows of the `owns` nodes —
/// spelled as one `node_id IN (…)` (the key's first column, so each node is an index range) and a
/// filter on `own`: an `OR` of the two kinds of groups makes SQLite scan the whole table.
fn push_node_groups<DB>(qb: &mut QueryBuilder<DB>, subtrees: &[OrgId], owns: &[OrgId])
where
    DB: sqlx::Database,
    for<'x> OrgId: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    let every: Vec<OrgId> = subtrees.iter().chain(owns).copied().collect();
    crate::push_in(qb, "c.node_id", &every);
    if subtrees.is_empty() {
        qb.push(" AND c.own = 1");
    } else if !owns.is_empty() {
        qb.push(" AND (c.own = 1");
        qb.push(" OR (1 = 1");
        crate::push_in(qb, "c.node_id", subtrees);
        qb.push("))");
    }
}

/// [`stats_by_child`] summed from per-organisation figures (a round, a 仅本人 scope, or the scan).
async fn fold_by_child(
    db: &Db,
    scope: &Scope,
    org_id: Option<OrgId>,
    by_org: &[StatCounts],
) -> Result<Vec<ChildStats>> {
    // A 仅本人 scope is grouped by the organisation looked at, or the roots.
    let by = if scope.own {
        &Scope::unrestricted()
    } else {
        scope
    };
    let terms = counter_terms(db, by, org_id).await?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let groups = child_groups(db, &terms).await?;
    let paths = org_paths(db, by_org).await?;
    Ok(fold_into_groups(&groups, by_org, &paths))
}

/// The same figures as [`stats_by_child`], summed from the scan of the ledger rows in scope: the
/// reference the counter tests compare with.
pub async fn stats_by_child_scanned(
    db: &Db,
    scope: &Scope,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
    today: Date,
) -> Result<Vec<ChildStats>> {
    let by_org = stats_scanned(db, scope, StatGroup::Unit, round_id, org_id, today).await?;
    fold_by_child(db, scope, org_id, &by_org).await
}

/// The counter terms of `scope` narrowed to the subtree of `org_id`: each visible item once.
pub(super) async fn counter_terms(
    db: &Db,
    scope: &Scope,
    org_id: Option<OrgId>,
) -> Result<Vec<CounterTerm>> {
    let within = match org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?.0),
        None => None,
    };
    let subtrees: Vec<String> = if scope.all {
        crate::on_db!(db, p => sqlx::query_scalar("SELECT path FROM organisations WHERE parent_id IS NULL").fetch_all(p).await?)
    } else {
        scope
            .ranges
            .iter()
            .map(|(start, _)| start.clone())
            .collect()
    };
    let mut singles: Vec<(OrgId, String)> = Vec::new();
    if !scope.all && !scope.orgs.is_empty() {
        singles = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT id, path FROM organisations WHERE 1 = 1");
            crate::push_in(&mut qb, "id", &scope.orgs);
            qb.build_query_as().fetch_all(p).await?
        });
    }
    Ok(covering_terms(&subtrees, &singles, within.as_deref()))
}

/// ` AND (…)` selecting the counter rows of `terms` (alias `c`; `o` is the row's organisation
/// when `by_own`), optionally of one round.
pub(super) fn push_counter_terms<DB>(
    qb: &mut QueryBuilder<DB>,
    terms: &[CounterTerm],
    by_own: bool,
    round_id: Option<i64>,
) where
    DB: sqlx::Database,
    for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> i64: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
    for<'x> OrgId: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    qb.push(" AND (");
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            qb.push(" OR ");
        }
        match (t, by_own) {
            (CounterTerm::Subtree { path, .. }, true) => {
                qb.push("(o.path >= ")
                    .push_bind(path.clone())
                    .push(" AND o.path < ")
                    .push_bind(xuncha_domain::org::subtree_end(path))
                    .push(")");
            }
            (CounterTerm::Subtree { node_id, .. }, false) => {
                qb.push("c.node_id = ").push_bind(*node_id);
            }
            (CounterTerm::Own { node_id, .. }, _) => {
                qb.push("(c.node_id = ")
                    .push_bind(*node_id)
                    .push(" AND c.own = 1)");
            }
        }
    }
    qb.push(")");
    if by_own {
        qb.push(" AND c.own = 1");
    }
    if let Some(r) = round_id {
        qb.push(" AND c.round_id = ").push_bind(r);
    }
}

/// The same figures as [`stats`], aggregated by scanning the ledger rows in scope: the fallback
/// for scopes the counters cannot answer, and the reference the counter tests compare with.
pub async fn stats_scanned(
    db: &Db,
    scope: &Scope,
    group: StatGroup,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
    today: Date,
) -> Result<Vec<StatCounts>> {
    let (key, label) = match group {
        StatGroup::Unit => ("CAST(f.org_id AS TEXT)", "o.name"),
        StatGroup::Level => ("o.kind", "o.kind"),
        StatGroup::Round => ("CAST(ru.round_id AS TEXT)", "r.name"),
        StatGroup::Category => (
            "COALESCE(CAST(f.category_id AS TEXT), '')",
            "COALESCE(c.name, '')",
        ),
        StatGroup::None => ("'all'", "''"),
    };
    // Join only what the group's label needs: the totals read the ledger rows alone.
    let joins = match group {
        StatGroup::Unit | StatGroup::Level => " JOIN organisations o ON o.id = f.org_id",
        StatGroup::Round => " JOIN rounds r ON r.id = ru.round_id",
        StatGroup::Category => " LEFT JOIN categories c ON c.id = f.category_id",
        StatGroup::None => "",
    };
    let range = match org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    let d30 = today - time::Duration::days(30);
    let d90 = today - time::Duration::days(90);
    let d180 = today - time::Duration::days(180);
    let mut rows: Vec<StatCounts> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {key} AS key, {label} AS label, COUNT(*) AS total, \
             CAST(COALESCE(SUM(CASE WHEN f.state = 'CLOSED' THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed, \
             CAST(COALESCE(SUM(CASE WHEN f.deadline < "));
        qb.push_bind(today).push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS due, CAST(COALESCE(SUM(CASE WHEN f.state = 'CLOSED' AND f.deadline < ").push_bind(today)
          .push(" AND f.closed_on <= f.deadline THEN 1 ELSE 0 END), 0) AS BIGINT) AS completed_on_time, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(today)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS overdue, CAST(COALESCE(SUM(CASE WHEN f.state = 'LONG_TERM' THEN 1 ELSE 0 END), 0) AS BIGINT) AS long_term, \
                 CAST(COALESCE(SUM(CASE WHEN f.extensions > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) AS extended, CAST(COALESCE(SUM(f.extensions), 0) AS BIGINT) AS extensions, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(today).push(" AND f.due_date >= ").push_bind(d30)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_30, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d30).push(" AND f.due_date >= ").push_bind(d90)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_90, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d90).push(" AND f.due_date >= ").push_bind(d180)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_180, ")
          .push(format_args!("CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < ")).push_bind(d180)
          .push(" THEN 1 ELSE 0 END), 0) AS BIGINT) AS age_more ")
          .push(format_args!("FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id{joins} WHERE f.state IN {LEDGER_STATES}"));
        if let Some((s, e)) = &range {
            qb.push(" AND f.org_path >= ").push_bind(s.clone()).push(" AND f.org_path < ").push_bind(e.clone());
        }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, LEDGER_COLS);
        if group != StatGroup::None {
            qb.push(format_args!(" GROUP BY {key}, {label} ORDER BY COUNT(*) DESC, {key}"));
        }
        qb.build_query_as::<StatCounts>().fetch_all(p).await?
    });
    finish_stats(&mut rows, group);
    Ok(rows)
}

/// Orders groups by size, then key, and names the uncategorised group and the total.
fn finish_stats(rows: &mut [StatCounts], group: StatGroup) {
    rows.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.key.cmp(&b.key)));
    // The labels of the uncategorised group and of the total come from the catalogue.
    let fallback = match group {
        StatGroup::Category => Some("stats.uncategorised"),
        StatGroup::None => Some("stats.total"),
        _ => None,
    };
    if let Some(key) = fallback {
        for row in rows.iter_mut().filter(|r| r.label.is_empty()) {
            row.label = Msg::new(key).render();
        }
    }
}

/// The number of ledger rows matching `f`, from the counters, when the filter is one they
/// answer: a subtree, a round, a category, and at most one of 已完成 / 长期 / 销号待核查 / a warning
/// colour / needs attention. The warning colours and needs attention are answered when every office has
/// the same yellow threshold (`t.by_office` empty). Other filters (free text, another state, a
/// state with a colour, the office's or one unit's view, 仅本人 scopes) answer `None`: the caller
/// counts the rows.
///
/// Needs attention is (open and due by the last yellow day) or 销号待核查 or a pending extension:
/// the first from the open items by due day, the second as the items awaiting the check less
/// those already due (their own histogram), the third counted from the pending extensions (few)
/// less the items already taken.
pub async fn counted_total(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
) -> Result<Option<i64>> {
    let text = f.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let state = f.state.as_deref().filter(|s| !s.is_empty());
    let uniform = t.by_office.is_empty();
    let yellow_or_green = matches!(f.warning, Some(WarningBand::Yellow | WarningBand::Green));
    if scope.own
        || text
        || f.round_unit_id.is_some()
        || f.owner_org_id.is_some()
        || (state.is_some() && (f.warning.is_some() || f.attention))
        || (f.attention && f.warning.is_some())
        || ((f.attention || yellow_or_green) && !uniform)
    {
        return Ok(None);
    }
    let y = t.yellow_until;
    // (table, column, first day, last day) summed; days bound the histogram's rows.
    let red_days = (None, t.today.previous_day());
    let (table, column, days) = match (state, f.warning, f.attention) {
        (None, None, true) => ("rect_day_counts", "open_due", (None, Some(y))),
        (None, None, false) => ("rect_counters", "total", (None, None)),
        (None, Some(WarningBand::Red), _) => ("rect_day_counts", "open_due", red_days),
        (None, Some(WarningBand::Yellow), _) => {
            ("rect_day_counts", "open_due", (Some(t.today), Some(y)))
        }
        (None, Some(WarningBand::Green), _) => {
            ("rect_day_counts", "open_due", (y.next_day(), None))
        }
        (Some("CLOSED"), _, _) => ("rect_counters", "completed", (None, None)),
        (Some("LONG_TERM"), _, _) => ("rect_counters", "long_term", (None, None)),
        (Some("CLOSE_REQUESTED"), _, _) => ("rect_counters", "close_requested", (None, None)),
        (Some(_), _, _) => return Ok(None),
    };
    // Category ids start at 1 (the counters keep uncategorised items under 0).
    if f.category_id.is_some_and(|c| c <= 0) {
        return Ok(Some(0));
    }
    let terms = counter_terms(db, scope, f.org_id).await?;
    if terms.is_empty() {
        return Ok(Some(0));
    }
    let sum = |table: &'static str, column: &'static str, days: (Option<Date>, Option<Date>)| {
        sum_counter(db, &terms, f, table, column, days)
    };
    let mut total = sum(table, column, days).await?;
    if f.attention {
        let awaiting = sum("rect_counters", "close_requested", (None, None)).await?;
        let awaiting_due = sum("rect_day_counts", "close_requested_due", (None, Some(y))).await?;
        total += awaiting - awaiting_due + pending_extensions_not_due(db, scope, f, t).await?;
    }
    Ok(Some(total))
}

/// Σ `column` of `table`'s rows for `terms` (own rows per round when `f` names a round), of
/// `f`'s category, and for the histogram of the days between `days` (inclusive).
async fn sum_counter(
    db: &Db,
    terms: &[CounterTerm],
    f: &LedgerFilter,
    table: &str,
    column: &str,
    (first, last): (Option<Date>, Option<Date>),
) -> Result<i64> {
    let by_own = f.round_id.is_some();
    let join = if by_own {
        " JOIN organisations o ON o.id = c.node_id"
    } else {
        ""
    };
    Ok(crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT CAST(COALESCE(SUM(c.{column}), 0) AS BIGINT) FROM {table} c{join} WHERE 1 = 1"));
        push_counter_terms(&mut qb, terms, by_own, f.round_id);
        if let Some(c) = f.category_id {
            qb.push(" AND c.category_id = ").push_bind(c);
        }
        if let Some(d) = first {
            qb.push(" AND c.day >= ").push_bind(d);
        }
        if let Some(d) = last {
            qb.push(" AND c.day <= ").push_bind(d);
        }
        qb.build_query_scalar().fetch_one(p).await?
    }))
}

/// Items in scope matching `f` with a pending extension that are neither due by the last yellow
/// day nor awaiting the write-off check: the third part of the needs-attention count, read from
/// the pending extensions (a few per thousand items).
async fn pending_extensions_not_due(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
) -> Result<i64> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    let plain = LedgerFilter {
        attention: false,
        ..f.clone()
    };
    let join = if f.round_id.is_some() {
        " JOIN round_units ru ON ru.id = f.round_unit_id"
    } else {
        ""
    };
    Ok(crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT COUNT(*) FROM findings f{join} WHERE f.id IN (SELECT x.finding_id FROM deadline_extensions x WHERE x.state = 'PENDING') \
             AND f.state IN {LEDGER_STATES} AND f.state <> 'CLOSE_REQUESTED' \
             AND NOT (f.state IN {OPEN_STATES} AND f.due_date IS NOT NULL AND f.due_date <= "));
        qb.push_bind(t.yellow_until).push(")");
        push_ledger_filter(&mut qb, &plain, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_scalar().fetch_one(p).await?
    }))
}

/// The ledger rows matching `f` in `scope`, counted row by row: what [`counted_total`] answers
/// from the counters (the tests' reference).
pub async fn counted_by_rows(db: &Db, scope: &Scope, f: &LedgerFilter, t: &Today) -> Result<i64> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    super::ledger::count_rows(db, scope, f, t, range.as_ref()).await
}

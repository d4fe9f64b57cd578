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
    pub fn sum(rows: &[StatCounts]) -> StatCounts {
        let mut t = StatCounts {
            key: "all".into(),
            label: Msg::new("stats.total").render(),
            ..StatCounts::default()
        };
        for r in rows {
            t.total += r.total;
            t.completed += r.completed;
            t.due += r.due;
            t.completed_on_time += r.completed_on_time;
            t.overdue += r.overdue;
            t.long_term += r.long_term;
            t.extended += r.extended;
            t.extensions += r.extensions;
            t.age_30 += r.age_30;
            t.age_90 += r.age_90;
            t.age_180 += r.age_180;
            t.age_more += r.age_more;
        }
        t
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
    let d30 = today - time::Duration::days(30);
    let d90 = today - time::Duration::days(90);
    let d180 = today - time::Duration::days(180);
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
        let mut qb = QueryBuilder::new(format!(
            "SELECT {key} AS key, {label} AS label, CAST(COALESCE(SUM(c.total), 0) AS BIGINT) AS total, CAST(COALESCE(SUM(c.completed), 0) AS BIGINT) AS completed, \
             CAST(0 AS BIGINT) AS due, CAST(0 AS BIGINT) AS completed_on_time, CAST(0 AS BIGINT) AS overdue, CAST(COALESCE(SUM(c.long_term), 0) AS BIGINT) AS long_term, \
             CAST(COALESCE(SUM(c.extended), 0) AS BIGINT) AS extended, CAST(COALESCE(SUM(c.extensions), 0) AS BIGINT) AS extensions, \
             CAST(0 AS BIGINT) AS age_30, CAST(0 AS BIGINT) AS age_90, CAST(0 AS BIGINT) AS age_180, CAST(0 AS BIGINT) AS age_more \
             FROM rect_counters c{joins} WHERE 1 = 1"));
        push_counter_terms(&mut qb, &terms, by_own, round_id);
        // Every group has items; the total is one row even when there are none.
        if group != StatGroup::None {
            qb.push(&group_by).push(" HAVING SUM(c.total) > 0");
        }
        let mut rows = qb.build_query_as::<StatCounts>().fetch_all(p).await?;
        let mut qb = QueryBuilder::new(format!(
            "SELECT {day_key} AS key, CAST(COALESCE(SUM(c.deadlines), 0) AS BIGINT) AS due, CAST(COALESCE(SUM(c.on_time), 0) AS BIGINT) AS completed_on_time, \
             CAST(COALESCE(SUM(c.open_due), 0) AS BIGINT) AS overdue, CAST(COALESCE(SUM(CASE WHEN c.day >= "));
        qb.push_bind(d30).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_30, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d30)
          .push(" AND c.day >= ").push_bind(d90).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_90, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d90)
          .push(" AND c.day >= ").push_bind(d180).push(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_180, CAST(COALESCE(SUM(CASE WHEN c.day < ").push_bind(d180)
          .push(format_args!(" THEN c.open_due ELSE 0 END), 0) AS BIGINT) AS age_more FROM rect_day_counts c{day_joins} WHERE c.day < "))
          .push_bind(today);
        push_counter_terms(&mut qb, &terms, by_own, round_id);
        qb.push(&day_group_by);
        let days: Vec<DayFigures> = qb.build_query_as::<DayFigures>().fetch_all(p).await?;
        // Uncategorised items count under category 0; their group's key is empty.
        let days: HashMap<String, DayFigures> = days
            .into_iter()
            .map(|d| (if group == StatGroup::Category && d.key == "0" { String::new() } else { d.key.clone() }, d))
            .collect();
        for r in &mut rows {
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
/// answer: a subtree, a round, a category, and at most one of 已完成 / 长期 / 红色预警 (overdue).
/// Other filters (free text, another state, the yellow or green band, the office's or one unit's
/// view, 仅本人 scopes) answer `None`: the caller counts the rows.
pub async fn counted_total(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    today: Date,
) -> Result<Option<i64>> {
    let text = f.q.as_deref().is_some_and(|q| !q.trim().is_empty());
    let state = f.state.as_deref().filter(|s| !s.is_empty());
    if scope.own
        || text
        || f.attention
        || f.round_unit_id.is_some()
        || f.owner_org_id.is_some()
        || (state.is_some() && f.warning.is_some())
        || matches!(f.warning, Some(WarningBand::Yellow | WarningBand::Green))
    {
        return Ok(None);
    }
    // One sum over the rows that answer it: the counters, or the histogram for overdue items.
    let (table, column, before_today) = match (state, f.warning) {
        (None, None) => ("rect_counters", "total", false),
        (None, Some(_)) => ("rect_day_counts", "open_due", true),
        (Some("CLOSED"), _) => ("rect_counters", "completed", false),
        (Some("LONG_TERM"), _) => ("rect_counters", "long_term", false),
        (Some(_), _) => return Ok(None),
    };
    // Category ids start at 1 (the counters keep uncategorised items under 0).
    if f.category_id.is_some_and(|c| c <= 0) {
        return Ok(Some(0));
    }
    let terms = counter_terms(db, scope, f.org_id).await?;
    if terms.is_empty() {
        return Ok(Some(0));
    }
    let by_own = f.round_id.is_some();
    let join = if by_own {
        " JOIN organisations o ON o.id = c.node_id"
    } else {
        ""
    };
    let total: i64 = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT CAST(COALESCE(SUM(c.{column}), 0) AS BIGINT) FROM {table} c{join} WHERE 1 = 1"));
        push_counter_terms(&mut qb, &terms, by_own, f.round_id);
        if let Some(c) = f.category_id {
            qb.push(" AND c.category_id = ").push_bind(c);
        }
        if before_today {
            qb.push(" AND c.day < ").push_bind(today);
        }
        qb.build_query_scalar().fetch_one(p).await?
    });
    Ok(Some(total))
}

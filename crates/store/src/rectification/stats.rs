//! Rectification storage: statistics

#[allow(clippy::wildcard_imports)]
use super::*;

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

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatGroup {
    Unit,
    Level,
    Round,
    Category,
    None,
}

/// Aggregates the ledger in scope by `group` on `today`.
pub async fn stats(
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
    Ok(rows)
}

//! Rectification storage: 三清单 — the task list (one line per measure) and the responsibility
//! list (by responsible leader and lead department), over the same filters and scope as the
//! ledger.

#[allow(clippy::wildcard_imports)]
use super::*;

/// One line of the 任务清单: a measure with its item.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TaskLine {
    pub id: i64,
    pub finding_id: FindingId,
    pub org_name: String,
    pub round_name: String,
    pub title: String,
    #[sqlx(try_from = "String")]
    pub finding_state: FindingState,
    #[sqlx(try_from = "String")]
    pub kind: MeasureKind,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: String,
    pub deadline: Date,
    pub original_deadline: Date,
    #[sqlx(try_from = "String")]
    pub state: MeasureState,
}

pub(super) const TASK_FROM: &str = "FROM measures m JOIN findings f ON f.id = m.finding_id JOIN round_units ru ON ru.id = f.round_unit_id \
     JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = f.org_id \
     WHERE f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";

pub(super) const SELECT_TASK: &str = "SELECT m.id, m.finding_id, o.name AS org_name, r.name AS round_name, f.title, f.state AS finding_state, \
     m.kind, m.content, m.target, m.responsible_leader, m.lead_dept, m.co_depts, m.deadline, m.original_deadline, m.state ";

/// The 任务清单, one line per measure, in deadline order.
pub async fn task_list(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<TaskLine>> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) {TASK_FROM}"));
        push_ledger_filter(&mut count, f, range.as_ref(), t);
        scope.push_filter(&mut count, LEDGER_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(format!("{SELECT_TASK}{TASK_FROM}"));
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY m.deadline, m.finding_id, m.id LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<TaskLine>().fetch_all(p).await?, total })
    })
}

/// One group of the 责任清单: a responsible leader and lead department with their measures.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerGroup {
    pub responsible_leader: String,
    pub lead_dept: String,
    pub measures: Vec<TaskLine>,
}

/// The 责任清单: measures grouped by responsible leader and lead department (groups in name
/// order, measures in deadline order).
pub async fn owner_list(
    db: &Db,
    scope: &Scope,
    f: &LedgerFilter,
    t: &Today,
    page: PageReq,
) -> Result<Page<OwnerGroup>> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(format!("SELECT COUNT(*) FROM (SELECT m.responsible_leader, m.lead_dept {TASK_FROM}"));
        push_ledger_filter(&mut count, f, range.as_ref(), t);
        scope.push_filter(&mut count, LEDGER_COLS);
        count.push(" GROUP BY m.responsible_leader, m.lead_dept) g");
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(format!("SELECT m.responsible_leader, m.lead_dept {TASK_FROM}"));
        push_ledger_filter(&mut qb, f, range.as_ref(), t);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" GROUP BY m.responsible_leader, m.lead_dept ORDER BY m.responsible_leader, m.lead_dept LIMIT ")
            .push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        let keys: Vec<(String, String)> = qb.build_query_as().fetch_all(p).await?;
        let mut items: Vec<OwnerGroup> = keys.into_iter().map(|(l, d)| OwnerGroup { responsible_leader: l, lead_dept: d, measures: Vec::new() }).collect();
        if !items.is_empty() {
            let mut qb = QueryBuilder::new(format!("{SELECT_TASK}{TASK_FROM}"));
            push_ledger_filter(&mut qb, f, range.as_ref(), t);
            scope.push_filter(&mut qb, LEDGER_COLS);
            qb.push(" AND (");
            for (i, g) in items.iter().enumerate() {
                if i > 0 { qb.push(" OR "); }
                qb.push("(m.responsible_leader = ").push_bind(g.responsible_leader.clone())
                    .push(" AND m.lead_dept = ").push_bind(g.lead_dept.clone()).push(")");
            }
            qb.push(") ORDER BY m.deadline, m.finding_id, m.id");
            for m in qb.build_query_as::<TaskLine>().fetch_all(p).await? {
                if let Some(g) = items.iter_mut().find(|g| g.responsible_leader == m.responsible_leader && g.lead_dept == m.lead_dept) {
                    g.measures.push(m);
                }
            }
        }
        Ok(Page { items, total })
    })
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ItemText {
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
}

pub async fn item_text(db: &Db, id: FindingId) -> Result<ItemText> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, ItemText>("SELECT facts, basis, responsibility FROM findings WHERE id = $1").bind(id.get()).fetch_one(p).await?))
}

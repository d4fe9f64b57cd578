//! Rectification storage: round units in rectification

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RectUnit {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub owner_org_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub feedback_date: Option<Date>,
    pub rectification_due: Option<Date>,
    pub plan_state: Option<String>,
    pub total: i64,
    pub closed: i64,
}

pub(super) const SELECT_RECT_UNIT: &str = "SELECT ru.id, ru.round_id, r.name AS round_name, ru.owner_org_id, ow.name AS owner_org_name, ru.org_id, o.name AS org_name, \
     ru.feedback_date, ru.rectification_due, \
     (SELECT rp.state FROM rect_plans rp WHERE rp.round_unit_id = ru.id ORDER BY rp.revision DESC LIMIT 1) AS plan_state, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = ru.id AND f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')) AS total, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = ru.id AND f.state = 'CLOSED') AS closed \
     FROM round_units ru JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id \
     JOIN organisations ow ON ow.id = ru.owner_org_id WHERE ru.feedback_date IS NOT NULL";

/// Which units a plan filter keeps, by the state of their latest plan revision.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanQueue {
    /// The latest revision is submitted: awaiting 会审.
    ToReview,
    /// No plan yet, a draft, or a returned revision: the unit's to draft or resubmit.
    ToDraft,
}

/// The state of a unit's latest plan revision, as SQL over `ru.id`.
const LATEST_PLAN_STATE: &str = "(SELECT rp.state FROM rect_plans rp WHERE rp.round_unit_id = ru.id ORDER BY rp.revision DESC LIMIT 1)";

/// One page of the fed-back round units in scope, latest feedback first, with the total; `q`
/// matches the inspected organisation's name or code.
pub async fn units(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    page: PageReq,
) -> Result<Page<RectUnit>> {
    units_filtered(db, scope, q, None, page).await
}

/// [`units`], keeping only the units of a plan queue when `plan` is given.
pub async fn units_filtered(
    db: &Db,
    scope: &Scope,
    q: Option<&str>,
    plan: Option<PlanQueue>,
    page: PageReq,
) -> Result<Page<RectUnit>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(q) = q.map(str::trim).filter(|s| !s.is_empty()) {
                let like = format!("%{}%", q.replace(['%', '_'], ""));
                qb.push(" AND (o.name LIKE ").push_bind(like.clone()).push(" OR o.code LIKE ").push_bind(like).push(")");
            }
            match plan {
                Some(PlanQueue::ToReview) => {
                    qb.push(format_args!(" AND {LATEST_PLAN_STATE} = 'SUBMITTED'"));
                }
                Some(PlanQueue::ToDraft) => {
                    qb.push(format_args!(" AND COALESCE({LATEST_PLAN_STATE}, 'DRAFT') IN ('DRAFT', 'RETURNED')"));
                }
                None => {}
            }
            scope.push_filter(qb, UNIT_COLS);
        };
        Ok(crate::page_of!(p, SELECT_RECT_UNIT, filter, " ORDER BY ru.feedback_date DESC, ru.id DESC", page, RectUnit))
    })
}

/// The rounds with fed-back units in scope, newest first: `(id, name)` for the round filters of
/// the ledger and the statistics (a term has tens of rounds, not thousands).
pub async fn rounds_in_rectification(db: &Db, scope: &Scope) -> Result<Vec<(i64, String)>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT r.id, r.name FROM rounds r WHERE EXISTS (SELECT 1 FROM round_units ru \
             JOIN organisations o ON o.id = ru.org_id JOIN organisations ow ON ow.id = ru.owner_org_id \
             WHERE ru.round_id = r.id AND ru.feedback_date IS NOT NULL");
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(") ORDER BY r.start_date DESC, r.id DESC");
        Ok(qb.build_query_as::<(i64, String)>().fetch_all(p).await?)
    })
}

/// The fed-back round units among `ids` in scope (any number: looked up in chunks).
pub async fn units_by_ids(db: &Db, scope: &Scope, ids: &[i64]) -> Result<Vec<RectUnit>> {
    let mut out = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let rows: Vec<RectUnit> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
            crate::push_in(&mut qb, "ru.id", chunk);
            scope.push_filter(&mut qb, UNIT_COLS);
            qb.build_query_as::<RectUnit>().fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

pub async fn unit(db: &Db, scope: &Scope, id: RoundUnitId) -> Result<RectUnit> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id.get());
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<RectUnit>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

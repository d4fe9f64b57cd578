//! Rectification storage: round units in rectification

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RectUnit {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub org_id: i64,
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

pub async fn units(db: &Db, scope: &Scope) -> Result<Vec<RectUnit>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY ru.feedback_date DESC, ru.id DESC LIMIT 1000");
        Ok(qb.build_query_as::<RectUnit>().fetch_all(p).await?)
    })
}

pub async fn unit(db: &Db, scope: &Scope, id: RoundUnitId) -> Result<RectUnit> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id.get());
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<RectUnit>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

//! Fieldwork storage: the activities logged with each method, and their totals.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Activity {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub method: String,
    pub method_name: String,
    pub compartment: Option<String>,
    pub held_on: Date,
    pub persons: i32,
    pub item_count: i32,
    pub summary: String,
    /// The summary of a compartmented record (talks), encrypted by the api.
    pub summary_enc: Option<Vec<u8>>,
    pub created_by_name: String,
    pub created_at: OffsetDateTime,
}

pub async fn activities(db: &Db, scope: &Scope, unit_id: RoundUnitId) -> Result<Vec<Activity>> {
    get_unit(db, scope, unit_id).await?;
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, Activity>(
            "SELECT a.id, a.round_unit_id, a.method, m.name AS method_name, m.compartment, a.held_on, a.persons, a.item_count, a.summary, a.summary_enc, \
             COALESCE(cu.display_name, a.created_by_name) AS created_by_name, a.created_at \
             FROM activities a JOIN fieldwork_methods m ON m.code = a.method LEFT JOIN users cu ON cu.id = a.created_by WHERE a.round_unit_id = $1 ORDER BY a.held_on DESC, a.id DESC")
            .bind(unit_id.get()).fetch_all(p).await?)
    })
}

/// Refuses writes to a unit whose problem list has been handed over.
pub(super) fn check_open(unit: &RoundUnit) -> Result<()> {
    if unit.state()?.is_fed_back() {
        return Err(StoreError::Domain(DomainError::Rule(Msg::new(
            "inspection.round_closed",
        ))));
    }
    Ok(())
}

pub async fn add_activity(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    method: &str,
    held_on: Date,
    persons: i32,
    count: i32,
    summary: &str,
    summary_enc: Option<&[u8]>,
) -> Result<Activity> {
    let unit = get_unit(db, scope, unit_id).await?;
    check_open(&unit)?;
    xuncha_domain::inspection::check_fieldwork_date("date", held_on, unit.round_start, db.today())
        .map_err(|e| StoreError::Domain(DomainError::Invalid(vec![e])))?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let known: Option<bool> = sqlx::query_scalar("SELECT active FROM fieldwork_methods WHERE code = $1").bind(method).fetch_optional(&mut *tx).await?;
        if known != Some(true) {
            return Err(StoreError::Domain(DomainError::field("method", Msg::new("inspection.method_unknown").arg("value", method))));
        }
        let province: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1").bind(unit_id.get()).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (province_id, round_unit_id, method, held_on, persons, item_count, summary, summary_enc, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(province).bind(unit_id.get()).bind(method).bind(held_on).bind(persons).bind(count).bind(summary).bind(summary_enc)
            .bind(actor.user_id).bind(&actor.display_name).bind(now).fetch_one(&mut *tx).await?;
        // The content of talks is compartmented: the audit trail records only that one was logged.
        crate::audit_append!(db, tx, actor, &Event::op("activity.create", "activity", id, Msg::new("audit.activity_create").arg("org", &unit.org_name).arg("method", method).arg("persons", persons).render()));
        tx.commit().await?;
        id
    });
    activities(db, &Scope::unrestricted(), unit_id)
        .await?
        .into_iter()
        .find(|a| a.id == id)
        .ok_or(StoreError::NotFound)
}

/// Per-method totals: `(method, name, entries, persons, count)`.
pub async fn fieldwork_totals(
    db: &Db,
    scope: &Scope,
    unit_id: Option<i64>,
    round_id: Option<i64>,
) -> Result<Vec<(String, String, i64, i64, i64)>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT m.code, m.name, COUNT(a.id), COALESCE(SUM(a.persons), 0), COALESCE(SUM(a.item_count), 0) \
             FROM activities a JOIN fieldwork_methods m ON m.code = a.method JOIN round_units ru ON ru.id = a.round_unit_id \
             JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1");
        if let Some(u) = unit_id { qb.push(" AND ru.id = ").push_bind(u); }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_unit_filter(&mut qb);
        qb.push(" GROUP BY m.code, m.name, m.sort ORDER BY m.sort");
        Ok(qb.build_query_as::<(String, String, i64, i64, i64)>().fetch_all(p).await?)
    })
}

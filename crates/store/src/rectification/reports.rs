//! Rectification storage: reports

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Report {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub kind: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: Date,
    pub meeting_date: Option<Date>,
    pub participants: Option<String>,
    pub filed_at: Option<OffsetDateTime>,
    pub filed_to_name: Option<String>,
    pub created_at: OffsetDateTime,
}

pub(super) const SELECT_REPORT: &str = "SELECT r.id, r.round_unit_id, r.kind, r.title, r.content, r.principal_leader, r.signed_on, r.meeting_date, r.participants, r.filed_at, \
     fo.name AS filed_to_name, r.created_at FROM rect_reports r LEFT JOIN organisations fo ON fo.id = r.filed_to_org_id";

pub async fn reports(db: &Db, scope: &Scope, unit_id: RoundUnitId) -> Result<Vec<Report>> {
    unit(db, scope, unit_id).await?;
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE r.round_unit_id = $1 ORDER BY r.id"))).bind(unit_id.get()).fetch_all(p).await?))
}

pub async fn report(db: &Db, scope: &Scope, id: i64) -> Result<Report> {
    let r: Report = crate::on_db!(db, p => sqlx::query_as::<_, Report>(sqlx::AssertSqlSafe(format!("{SELECT_REPORT} WHERE r.id = $1"))).bind(id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    unit(db, scope, r.round_unit_id).await?;
    Ok(r)
}

#[derive(Debug, Clone)]
pub struct ReportDraft {
    pub kind: ReportKind,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: Date,
    pub meeting_date: Option<Date>,
    pub participants: Option<String>,
}

pub async fn add_report(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    d: &ReportDraft,
) -> Result<Report> {
    let u = unit(db, scope, unit_id).await?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rect_reports (province_id, round_unit_id, kind, title, content, principal_leader, signed_on, meeting_date, participants, created_by, created_by_name, created_at) \
             VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(unit_id.get()).bind(d.kind.code()).bind(&d.title).bind(&d.content).bind(&d.principal_leader).bind(d.signed_on).bind(d.meeting_date)
            .bind(&d.participants).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("rect.report", "round_unit", unit_id, Msg::new("audit.rect_report").arg("org", &u.org_name).arg("kind", d.kind.label()).arg("title", &d.title).render()));
        tx.commit().await?;
        id
    });
    report(db, &Scope::unrestricted(), id).await
}

/// 报告报备: files the report with the office that ran the round and notifies its supervisors.
pub async fn file_report(db: &Db, actor: &Actor, scope: &Scope, id: i64) -> Result<Report> {
    let r = report(db, scope, id).await?;
    if r.filed_at.is_some() {
        return Err(rule(Msg::new("rect.report_filed")));
    }
    let u = unit(db, scope, r.round_unit_id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE rect_reports SET filed_at = $1, filed_to_org_id = $2 WHERE id = $3 AND filed_at IS NULL").bind(now).bind(u.owner_org_id).bind(id).execute(&mut *tx).await?;
        let office: Vec<i64> = sqlx::query_scalar(
            "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
             WHERE u.org_id = $1 AND (ro.code = 'leader' OR ro.permissions LIKE '%\"rect:supervise\"%')")
            .bind(u.owner_org_id).fetch_all(&mut *tx).await?;
        let kind = ReportKind::from_code(&r.kind).map_or_else(|| r.kind.clone(), |x| x.label().to_string());
        notify!(db, tx, &office, "report", Msg::new("notice.report_filed_title").arg("org", &u.org_name).arg("kind", &kind).render(), r.title.clone(), Some(format!("/rect/units/{}/plan", u.id)), Some(format!("report:{id}")));
        crate::audit_append!(db, tx, actor, &Event::op("rect.report.file", "round_unit", u.id, Msg::new("audit.rect_report_file").arg("org", &u.org_name).arg("kind", &kind).arg("title", &r.title).arg("office", &u.owner_org_name).render()));
        tx.commit().await?;
    });
    report(db, &Scope::unrestricted(), id).await
}

//! Rectification storage: ledger import

#[allow(clippy::wildcard_imports)]
use super::*;

/// One validated row of an imported Excel ledger.
#[derive(Debug, Clone)]
pub struct ImportRow {
    pub title: String,
    pub category_id: Option<i64>,
    pub measure: MeasureSnap,
    pub deadline: Date,
    pub state: FindingState,
    pub outcome: Outcome,
}

/// Rows per multi-row INSERT of a ledger import (at most 13 values a row, well under both
/// backends' limit on bound parameters).
pub(super) const LEDGER_IMPORT_CHUNK: usize = 1000;

/// Category ids by name, for the import.
pub async fn category_ids(db: &Db) -> Result<Vec<(i64, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, (i64, String)>("SELECT c.id, c.name FROM categories c JOIN frames fr ON fr.id = c.frame_id WHERE fr.active = $1 ORDER BY c.id").bind(true).fetch_all(p).await?))
}

/// Stores an imported ledger for a fed-back round unit in one transaction: every row becomes a
/// fed-back finding with one measure, in the state the sheet gives.
pub async fn import_ledger(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    rows: &[ImportRow],
    today: Date,
) -> Result<usize> {
    let u = unit(db, scope, unit_id).await?;
    if u.feedback_date.is_none() {
        return Err(rule(Msg::new("rect.import_no_unit")));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        // Every row in a few multi-row statements, in one transaction.
        let province_id: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1")
            .bind(unit_id.get()).fetch_one(&mut *tx).await?;
        let org_path: String = sqlx::query_scalar("SELECT path FROM organisations WHERE id = $1")
            .bind(u.org_id).fetch_one(&mut *tx).await?;
        for chunk in rows.chunks(LEDGER_IMPORT_CHUNK) {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO findings (province_id, round_unit_id, org_id, category_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, \
                  created_by, created_at, updated_at, org_path, deadline, original_deadline, due_date, closed_on, outcome) ",
            );
            qb.push_values(chunk, |mut b, r| {
                let closed_on = (r.state == FindingState::Closed).then_some(today);
                b.push_bind(province_id).push_bind(unit_id.get()).push_bind(u.org_id).push_bind(r.category_id).push_bind(r.title.as_str())
                    .push("''").push("''").push("''").push("''").push("''").push("''")
                    .push_bind(r.state.code()).push_bind(actor.user_id).push_bind(now).push_bind(now).push_bind(org_path.as_str())
                    .push_bind(r.deadline).push_bind(r.deadline).push_bind(r.deadline).push_bind(closed_on).push_bind(r.outcome.code());
            });
            qb.push(" RETURNING id");
            // Ids are assigned in VALUES order on both backends (rowid max + 1; an identity's
            // nextval row by row), so ascending ids pair with the chunk's rows.
            let mut ids: Vec<i64> = qb.build_query_scalar().fetch_all(&mut *tx).await?;
            ids.sort_unstable();
            if ids.len() != chunk.len() {
                return Err(StoreError::Corrupt(format!("ledger import stored {} of {} findings", ids.len(), chunk.len())));
            }
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO measures (province_id, finding_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, created_at, updated_at) ",
            );
            qb.push_values(chunk.iter().zip(&ids), |mut b, (r, fid)| {
                b.push_bind(province_id).push_bind(*fid).push_bind(r.measure.kind.as_str()).push_bind(r.measure.content.as_str())
                    .push_bind(r.measure.target.as_str()).push_bind(r.measure.responsible_leader.as_str()).push_bind(r.measure.lead_dept.as_str())
                    .push_bind(crate::db::to_json_list(&r.measure.co_depts)).push_bind(r.deadline).push_bind(r.deadline)
                    .push_bind(if r.state == FindingState::Closed { "DONE" } else { "OPEN" }).push_bind(now).push_bind(now);
            });
            qb.build().execute(&mut *tx).await?;
            crate::counters_follow!(tx, Vec::<xuncha_domain::rectification::CounterFacts>::new(), &ids);
            let comment = Msg::new("event.ledger_imported").render();
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO events (entity_type, entity_id, at, actor_id, actor_name, from_state, to_state, comment) ",
            );
            qb.push_values(chunk.iter().zip(&ids), |mut b, (r, fid)| {
                b.push_bind("finding").push_bind(*fid).push_bind(now).push_bind(actor.user_id).push_bind(actor.name.as_str())
                    .push_bind(None::<String>).push_bind(r.state.code()).push_bind(comment.as_str());
            });
            qb.build().execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.ledger.import", "round_unit", unit_id, Msg::new("audit.rect_ledger_import").arg("org", &u.org_name).arg("count", rows.len()).render()));
        tx.commit().await?;
    });
    if rows.len() >= 1000 {
        db.refresh_statistics("findings").await?;
    }
    Ok(rows.len())
}

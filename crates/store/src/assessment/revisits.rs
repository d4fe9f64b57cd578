//! Assessment storage: the 回头看 list (units whose grade sends them back for a revisit).

#[allow(clippy::wildcard_imports)]
use super::*;

/// One unit on the 回头看 list, with the round that inspected it (the earlier items are its
/// ledger items) and, once scheduled, the revisit round.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RevisitRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub assessment_id: Option<i64>,
    pub reason: String,
    pub state: String,
    pub added_at: OffsetDateTime,
    /// The earlier items: the unit's fed-back findings in that round.
    pub finding_count: i64,
    pub revisit_round_id: Option<i64>,
    pub revisit_round_name: Option<String>,
    pub scheduled_at: Option<OffsetDateTime>,
    pub scheduled_by_name: Option<String>,
    pub done_at: Option<OffsetDateTime>,
    pub done_by_name: Option<String>,
    pub note: String,
    pub version: i64,
}

pub(super) const SELECT_REVISIT: &str = "SELECT v.id, v.round_unit_id, ru.round_id, r.name AS round_name, v.org_id, o.name AS org_name, v.assessment_id, v.reason, v.state, v.added_at, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = v.round_unit_id \
        AND f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')) AS finding_count, \
     v.revisit_round_id, rr.name AS revisit_round_name, v.scheduled_at, v.scheduled_by_name, v.done_at, v.done_by_name, v.note, v.version \
     FROM revisit_list v JOIN round_units ru ON ru.id = v.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id LEFT JOIN rounds rr ON rr.id = v.revisit_round_id WHERE 1 = 1";

/// One page of the 回头看 list in scope, newest first, with the total.
pub async fn revisit_list(db: &Db, scope: &Scope, page: PageReq) -> Result<Page<RevisitRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| scope.push_filter(qb, UNIT_COLS);
        Ok(crate::page_of!(p, SELECT_REVISIT, filter, " ORDER BY v.id DESC", page, RevisitRow))
    })
}

pub async fn revisit(db: &Db, scope: &Scope, id: i64) -> Result<RevisitRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_REVISIT);
        qb.push(" AND v.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<RevisitRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

pub(super) fn revisit_field(name: &str, key: &'static str) -> StoreError {
    StoreError::Domain(DomainError::field(name, Msg::new(key)))
}

/// Schedules a 回头看 entry into a round (or moves it to another one): the round must be in the
/// caller's scope, not the round that found the problems, and not yet ended.
pub async fn schedule_revisit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    round_id: i64,
    version: i64,
) -> Result<RevisitRow> {
    let v = revisit(db, scope, id).await?;
    if v.state == "DONE" {
        return Err(rule("assessment.revisit_done"));
    }
    let round = match crate::inspection::get_round(db, scope, round_id).await {
        Ok(r) => r,
        Err(StoreError::NotFound) => {
            return Err(revisit_field(
                "round_id",
                "assessment.revisit_round_not_found",
            ));
        }
        Err(e) => return Err(e),
    };
    if round.id == v.round_id {
        return Err(revisit_field("round_id", "assessment.revisit_same_round"));
    }
    if round.end_date < db.today() {
        return Err(revisit_field("round_id", "assessment.revisit_round_ended"));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE revisit_list SET state = 'SCHEDULED', revisit_round_id = $1, scheduled_at = $2, scheduled_by_name = $3, version = version + 1 \
                             WHERE id = $4 AND version = $5 AND state <> 'DONE'")
            .bind(round.id).bind(now).bind(&actor.display_name).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("assessment.revisit.schedule", "revisit", id,
            Msg::new("assessment.audit_revisit_schedule").arg("org", &v.org_name).arg("round", &round.name).render()));
        tx.commit().await?;
    });
    revisit(db, scope, id).await
}

/// Marks a scheduled 回头看 entry done, with an optional note of what it found.
pub async fn finish_revisit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    note: &str,
    version: i64,
) -> Result<RevisitRow> {
    let v = revisit(db, scope, id).await?;
    if v.state != "SCHEDULED" {
        return Err(rule("assessment.revisit_not_scheduled"));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE revisit_list SET state = 'DONE', done_at = $1, done_by_name = $2, note = $3, version = version + 1 \
                             WHERE id = $4 AND version = $5 AND state = 'SCHEDULED'")
            .bind(now).bind(&actor.display_name).bind(note.trim()).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("assessment.revisit.done", "revisit", id,
            Msg::new("assessment.audit_revisit_done").arg("org", &v.org_name).arg("round", v.revisit_round_name.clone().unwrap_or_default()).render()));
        tx.commit().await?;
    });
    revisit(db, scope, id).await
}

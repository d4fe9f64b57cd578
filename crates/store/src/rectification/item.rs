//! Rectification storage: measures, progress, files, write-offs, extensions, outcomes of one item

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Measure {
    pub id: i64,
    pub finding_id: FindingId,
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
    pub done_on: Option<Date>,
    pub version: i64,
}

pub async fn measures(db: &Db, finding_ids: &[i64]) -> Result<Vec<Measure>> {
    if finding_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, finding_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, done_on, version FROM measures WHERE finding_id IN (");
        let mut sep = qb.separated(", ");
        for id in finding_ids { sep.push_bind(*id); }
        qb.push(") ORDER BY finding_id, id");
        Ok(qb.build_query_as::<Measure>().fetch_all(p).await?)
    })
}

/// The unit reports one measure done: its deadline is no longer watched, and the item's next due
/// date moves to its next open measure (the item itself closes only through write-off).
pub async fn complete_measure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    measure_id: i64,
    version: i64,
) -> Result<i64> {
    let found: Option<(i64, String, String)> = crate::on_db!(db, p => sqlx::query_as("SELECT finding_id, state, content FROM measures WHERE id = $1")
        .bind(measure_id).fetch_optional(p).await?);
    let (finding_id, state, content) = found.ok_or(StoreError::NotFound)?;
    let row = ledger_row(db, scope, finding_id.into()).await?;
    if !matches!(row.state, FindingState::InProgress | FindingState::Reopened) {
        return Err(rule(Msg::new("rect.measure_item_not_open")));
    }
    if state != "OPEN" {
        return Err(rule(Msg::new("rect.measure_done_already")));
    }
    let (now, today) = (db.now(), db.today());
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE measures SET state = 'DONE', done_on = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4 AND state = 'OPEN'")
            .bind(today).bind(now).bind(measure_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let before = crate::counter_facts!(tx, &[finding_id]);
        sqlx::query(REFRESH_DUE).bind(finding_id).execute(&mut *tx).await?;
        crate::counters_follow!(tx, before, &[finding_id]);
        sqlx::query("UPDATE findings SET version = version + 1, updated_at = $1 WHERE id = $2").bind(now).bind(finding_id).execute(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", finding_id, actor, Some(row.state.code()), row.state.code(), Msg::new("event.measure_done").arg("content", content).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.measure.done", "finding", finding_id, Msg::new("audit.rect_measure_done").arg("org", &row.org_name).arg("title", &row.title).render()));
        tx.commit().await?;
    });
    Ok(finding_id)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FileLink {
    pub id: i64,
    pub finding_id: Option<i64>,
    pub owner_type: String,
    pub owner_id: i64,
    pub name: String,
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub version_no: i64,
    pub effective_date: Date,
    pub uploaded_by_name: String,
    pub uploaded_at: OffsetDateTime,
}

pub(super) const SELECT_LINK: &str = "SELECT l.id, l.finding_id, l.owner_type, l.owner_id, l.name, l.hash, fi.size, fi.media_type, CAST(l.version_no AS BIGINT) AS version_no, \
     l.effective_date, l.uploaded_by_name, l.uploaded_at FROM file_links l JOIN files fi ON fi.hash = l.hash";

pub async fn item_files(db: &Db, finding_id: FindingId) -> Result<Vec<FileLink>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, FileLink>(sqlx::AssertSqlSafe(format!("{SELECT_LINK} WHERE l.finding_id = $1 ORDER BY l.id"))).bind(finding_id.get()).fetch_all(p).await?))
}

/// The file links of many items at once (for an archive), by item then upload order.
pub async fn items_files(db: &Db, finding_ids: &[i64]) -> Result<Vec<FileLink>> {
    let mut out = Vec::new();
    for chunk in finding_ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_LINK);
            qb.push(" WHERE l.finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") ORDER BY l.finding_id, l.id");
            out.extend(qb.build_query_as::<FileLink>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

/// A file link in scope (through its finding), with the file's bytes.
pub async fn file(db: &Db, scope: &Scope, link_id: i64) -> Result<(FileLink, Vec<u8>)> {
    let link: FileLink = crate::on_db!(db, p => sqlx::query_as::<_, FileLink>(sqlx::AssertSqlSafe(format!("{SELECT_LINK} WHERE l.id = $1"))).bind(link_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    let Some(fid) = link.finding_id else {
        return Err(StoreError::NotFound);
    };
    ledger_row(db, scope, fid.into()).await?;
    let bytes = file_bytes(db, &link.hash).await?;
    Ok((link, bytes))
}

pub async fn file_bytes(db: &Db, hash: &str) -> Result<Vec<u8>> {
    crate::on_db!(db, p => sqlx::query_scalar::<_, Vec<u8>>("SELECT bytes FROM files WHERE hash = $1").bind(hash).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)
}

/// An uploaded file, already checked (type, size) by the caller.
#[derive(Debug, Clone)]
pub struct Upload {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
}

impl Upload {
    pub fn hash(&self) -> String {
        xuncha_domain::audit::sm3_hex(&self.bytes)
    }
}

/// Stores the files (content-addressed) and links each to its owner; a name already used on the
/// same item becomes the next version.
macro_rules! store_files {
    ($db:expr, $tx:expr, $actor:expr, $finding_id:expr, $owner_type:expr, $owner_id:expr, $files:expr, $effective:expr) => {{
        let now = $db.now();
        for f in $files {
            let hash = f.hash();
            sqlx::query("INSERT INTO files (hash, size, media_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
                .bind(&hash)
                .bind(i64::try_from(f.bytes.len()).unwrap_or(i64::MAX))
                .bind(&f.media_type)
                .bind(&f.bytes)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
            let v: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(version_no) AS BIGINT) FROM file_links WHERE finding_id = $1 AND name = $2")
                .bind($finding_id)
                .bind(&f.name)
                .fetch_one(&mut *$tx)
                .await?;
            sqlx::query("INSERT INTO file_links (province_id, finding_id, owner_type, owner_id, name, hash, version_no, effective_date, uploaded_by, uploaded_by_name, uploaded_at) \
                         VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
                .bind($finding_id)
                .bind($owner_type)
                .bind($owner_id)
                .bind(&f.name)
                .bind(&hash)
                .bind(i32::try_from(v.unwrap_or(0) + 1).unwrap_or(i32::MAX))
                .bind($effective)
                .bind($actor.user_id)
                .bind(&$actor.display_name)
                .bind(now)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

/// Evidence files per item: `(finding id, count)`.
pub async fn evidence_counts(db: &Db, ids: &[i64]) -> Result<Vec<(i64, i64)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT finding_id, COUNT(*) FROM file_links WHERE finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") GROUP BY finding_id");
            out.extend(qb.build_query_as::<(i64, i64)>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

/// The latest progress text per item: `(finding id, content)`.
pub async fn latest_progress(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new("SELECT pr.finding_id, pr.content FROM progress pr WHERE pr.id IN (SELECT MAX(id) FROM progress WHERE finding_id IN (");
            let mut sep = qb.separated(", ");
            for id in chunk { sep.push_bind(*id); }
            qb.push(") GROUP BY finding_id)");
            out.extend(qb.build_query_as::<(i64, String)>().fetch_all(p).await?);
        });
    }
    Ok(out)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Progress {
    pub id: i64,
    pub finding_id: FindingId,
    pub effective_date: Date,
    pub content: String,
    pub outcome: Option<String>,
    pub reported_by_name: String,
    pub reported_at: OffsetDateTime,
}

pub async fn progress(db: &Db, finding_id: FindingId) -> Result<Vec<Progress>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Progress>("SELECT id, finding_id, effective_date, content, outcome, reported_by_name, reported_at FROM progress WHERE finding_id = $1 ORDER BY id").bind(finding_id.get()).fetch_all(p).await?))
}

/// Reports progress on an item, with evidence files.
pub async fn add_progress(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    content: &str,
    effective_date: Date,
    outcome: Option<Outcome>,
    files: &[Upload],
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state;
    if !is_workable(state) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO progress (province_id, finding_id, effective_date, content, outcome, reported_by, reported_by_name, reported_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(finding_id.get()).bind(effective_date).bind(content).bind(outcome.map(|o| o.code())).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        store_files!(db, tx, actor, finding_id.get(), "progress", id, files, effective_date);
        if let Some(o) = outcome {
            sqlx::query("UPDATE findings SET outcome = $1, updated_at = $2 WHERE id = $3").bind(o.code()).bind(now).bind(finding_id.get()).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.progress", "finding", finding_id,
            Msg::new("audit.rect_progress").arg("org", &row.org_name).arg("title", &row.title).arg("files", files.len()).render()));
        tx.commit().await?;
        id
    });
    Ok(id)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct WriteOff {
    pub id: i64,
    pub finding_id: FindingId,
    #[sqlx(try_from = "String")]
    pub state: WriteOffState,
    pub outcome: String,
    pub explanation: String,
    pub from_state: String,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub reason: Option<String>,
    pub version: i64,
}

pub(super) const SELECT_WRITE_OFF: &str = "SELECT id, finding_id, state, outcome, explanation, from_state, requested_by_name, requested_at, decided_by_name, decided_at, reason, version FROM write_offs";

pub async fn write_offs(db: &Db, finding_id: FindingId) -> Result<Vec<WriteOff>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, WriteOff>(sqlx::AssertSqlSafe(format!("{SELECT_WRITE_OFF} WHERE finding_id = $1 ORDER BY id"))).bind(finding_id.get()).fetch_all(p).await?))
}

/// 申请销号 with evidence; the item goes to CLOSE_REQUESTED.
pub async fn request_write_off(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    outcome: Outcome,
    explanation: &str,
    files: &[Upload],
    today: Date,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state;
    check_write_off(state, outcome)?;
    let existing = item_files(db, finding_id).await?.len();
    xuncha_domain::rectification::check_write_off_request(existing + files.len())?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let before = crate::counter_facts!(tx, &[finding_id.get()]);
        let n = sqlx::query("UPDATE findings SET state = 'CLOSE_REQUESTED', version = version + 1, updated_at = $1 WHERE id = $2 AND state = $3")
            .bind(now).bind(finding_id.get()).bind(state.code()).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::counters_follow!(tx, before, &[finding_id.get()]);
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO write_offs (province_id, finding_id, state, outcome, explanation, from_state, requested_by, requested_by_name, requested_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, 'REQUESTED', $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(finding_id.get()).bind(outcome.code()).bind(explanation).bind(state.code()).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        store_files!(db, tx, actor, finding_id.get(), "write_off", id, files, today);
        crate::event_append!(db, tx, "finding", finding_id.get(), actor, Some(state.code()), "CLOSE_REQUESTED", Msg::new("event.write_off_requested").arg("outcome", outcome.label()).arg("explanation", explanation).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.write_off.request", "finding", finding_id,
            Msg::new("audit.rect_write_off_request").arg("org", &row.org_name).arg("title", &row.title).render()));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// 核验: verify (close, or long-term) or return with a reason.
pub async fn decide_write_off(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    write_off_id: i64,
    decision: ReviewDecision,
    reason: &str,
    version: i64,
    today: Date,
) -> Result<i64> {
    let w: WriteOff = crate::on_db!(db, p => sqlx::query_as::<_, WriteOff>(sqlx::AssertSqlSafe(format!("{SELECT_WRITE_OFF} WHERE id = $1"))).bind(write_off_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    let row = ledger_row(db, scope, w.finding_id).await?;
    if w.state != WriteOffState::Requested {
        return Err(rule(Msg::new("rect.write_off_decided")));
    }
    if decision == ReviewDecision::Return && reason.trim().is_empty() {
        return Err(field("reason", Msg::new("rect.reason_required")));
    }
    let outcome = Outcome::from_code(&w.outcome)
        .ok_or_else(|| StoreError::Corrupt(format!("outcome {}", w.outcome)))?;
    let from = FindingState::from_code(&w.from_state)
        .ok_or_else(|| StoreError::Corrupt(format!("state {}", w.from_state)))?;
    let to = after_write_off(decision, outcome, from);
    let (wstate, label) = match decision {
        ReviewDecision::Approve if to == FindingState::LongTerm => (
            WriteOffState::Verified,
            "event.write_off_verified_long_term",
        ),
        ReviewDecision::Approve => (WriteOffState::Verified, "event.write_off_verified"),
        ReviewDecision::Return => (WriteOffState::Returned, "event.write_off_returned"),
    };
    let label = Msg::new(label).render();
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE write_offs SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, reason = $5, version = version + 1 \
                             WHERE id = $6 AND version = $7 AND state = 'REQUESTED'")
            .bind(wstate.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(reason.trim()).bind(write_off_id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        // A long-term item records when it was basically completed: its periodic reports count from there.
        let closed_on = matches!(to, FindingState::Closed | FindingState::LongTerm).then_some(today);
        let outcome_col = (decision == ReviewDecision::Approve).then(|| outcome.code());
        let before = crate::counter_facts!(tx, &[w.finding_id.get()]);
        sqlx::query("UPDATE findings SET state = $1, closed_on = COALESCE($2, closed_on), outcome = COALESCE($3, outcome), version = version + 1, updated_at = $4 WHERE id = $5")
            .bind(to.code()).bind(closed_on).bind(outcome_col).bind(now).bind(w.finding_id.get()).execute(&mut *tx).await?;
        if to == FindingState::Closed {
            sqlx::query("UPDATE measures SET state = 'DONE', done_on = COALESCE(done_on, $3), version = version + 1, updated_at = $1 WHERE finding_id = $2").bind(now).bind(w.finding_id.get()).bind(today).execute(&mut *tx).await?;
            sqlx::query(REFRESH_DUE).bind(w.finding_id.get()).execute(&mut *tx).await?;
        }
        crate::counters_follow!(tx, before, &[w.finding_id.get()]);
        crate::event_append!(db, tx, "finding", w.finding_id.get(), actor, Some("CLOSE_REQUESTED"), to.code(), if reason.trim().is_empty() { label.clone() } else { Msg::new("event.decision_with_reason").arg("decision", &label).arg("reason", reason.trim()).render() });
        crate::audit_append!(db, tx, actor, &Event::op("rect.write_off.decide", "finding", w.finding_id,
            Msg::new("audit.rect_item_decision").arg("org", &row.org_name).arg("title", &row.title).arg("decision", &label).render()));
        notify_unit!(db, tx, w.finding_id.get(), "write_off", Msg::new(write_off_notice(decision, to)).render(),
            if reason.trim().is_empty() { Msg::new("notice.write_off_body").arg("title", &row.title).arg("decision", &label).render() } else { Msg::new("notice.write_off_body_with_reason").arg("title", &row.title).arg("decision", &label).arg("reason", reason.trim()).render() },
            format!("/rect/items/{}", w.finding_id), None::<String>);
        tx.commit().await?;
    });
    Ok(w.finding_id.get())
}

/// 回头看: reopens a closed or long-term item; history stays as it was.
pub async fn reopen(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    reason: &str,
    version: i64,
) -> Result<()> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state;
    check_reopen(state)?;
    if reason.trim().is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("reason"),
        ])));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let before = crate::counter_facts!(tx, &[finding_id.get()]);
        let n = sqlx::query("UPDATE findings SET state = 'REOPENED', closed_on = NULL, outcome = 'in_progress', version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3")
            .bind(now).bind(finding_id.get()).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("UPDATE measures SET state = 'OPEN', done_on = NULL, version = version + 1, updated_at = $1 WHERE finding_id = $2").bind(now).bind(finding_id.get()).execute(&mut *tx).await?;
        sqlx::query(REFRESH_DUE).bind(finding_id.get()).execute(&mut *tx).await?;
        crate::counters_follow!(tx, before, &[finding_id.get()]);
        crate::event_append!(db, tx, "finding", finding_id.get(), actor, Some(state.code()), "REOPENED", Msg::new("event.reopened").arg("reason", reason.trim()).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.reopen", "finding", finding_id, Msg::new("audit.rect_reopen").arg("org", &row.org_name).arg("title", &row.title).render()));
        notify_unit!(db, tx, finding_id.get(), "reopen", Msg::new("notice.reopen_title").render(), Msg::new("notice.reopen_body").arg("title", &row.title).arg("reason", reason.trim()).render(), format!("/rect/items/{finding_id}"), None::<String>);
        tx.commit().await?;
    });
    Ok(())
}

/// The unit explains an item it cannot finish (未完成 / 正在整改) — the item stays open.
pub async fn explain(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    outcome: Outcome,
    explanation: &str,
    version: i64,
) -> Result<()> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state;
    if !is_workable(state) || !matches!(outcome, Outcome::NotCompleted | Outcome::InProgress) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE findings SET outcome = $1, explanation = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5")
            .bind(outcome.code()).bind(explanation).bind(now).bind(finding_id.get()).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "finding", finding_id.get(), actor, Some(state.code()), state.code(), Msg::new("event.explained").arg("outcome", outcome.label()).arg("explanation", explanation).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.explain", "finding", finding_id, Msg::new("audit.rect_explain").arg("org", &row.org_name).arg("title", &row.title).arg("outcome", outcome.label()).render()));
        tx.commit().await?;
    });
    Ok(())
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Extension {
    pub id: i64,
    pub finding_id: FindingId,
    pub measure_id: Option<i64>,
    pub old_deadline: Date,
    pub new_deadline: Date,
    pub reason: String,
    #[sqlx(try_from = "String")]
    pub state: ExtensionState,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub opinion: Option<String>,
    pub version: i64,
    pub title: String,
    pub org_name: String,
}

pub(super) const SELECT_EXTENSION: &str = "SELECT x.id, x.finding_id, x.measure_id, x.old_deadline, x.new_deadline, x.reason, x.state, x.requested_by_name, x.requested_at, \
     x.decided_by_name, x.decided_at, x.opinion, x.version, f.title, o.name AS org_name \
     FROM deadline_extensions x JOIN findings f ON f.id = x.finding_id JOIN organisations o ON o.id = f.org_id WHERE 1 = 1";

/// One page of the extension requests in scope (of one finding, or all; in one state, or any),
/// oldest first (the order they wait in), with the total.
pub async fn extensions(
    db: &Db,
    scope: &Scope,
    finding_id: Option<i64>,
    state: Option<ExtensionState>,
    page: PageReq,
) -> Result<Page<Extension>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(f) = finding_id { qb.push(" AND x.finding_id = ").push_bind(f); }
            if let Some(s) = state { qb.push(" AND x.state = ").push_bind(s.code().to_string()); }
            scope.push_filter(qb, LEDGER_COLS);
        };
        Ok(crate::page_of!(p, SELECT_EXTENSION, filter, " ORDER BY x.id", page, Extension))
    })
}

/// Asks for a later deadline on one measure.
pub async fn request_extension(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    measure_id: i64,
    new_deadline: Date,
    reason: &str,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let state = row.state;
    if !is_workable(state) {
        return Err(rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    let m = measures(db, &[finding_id.get()])
        .await?
        .into_iter()
        .find(|m| m.id == measure_id)
        .ok_or_else(|| field("measure_id", Msg::new("api.not_found")))?;
    if new_deadline <= m.deadline {
        return Err(field(
            "new_deadline",
            Msg::new("rect.extension_not_later").arg("current", m.deadline),
        ));
    }
    if reason.trim().is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("reason"),
        ])));
    }
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let pending: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM deadline_extensions WHERE measure_id = $1 AND state = 'PENDING'").bind(measure_id).fetch_one(&mut *tx).await?;
        if pending > 0 {
            return Err(rule(Msg::new("rect.extension_pending")));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO deadline_extensions (province_id, finding_id, measure_id, old_deadline, new_deadline, reason, state, requested_by, requested_by_name, requested_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, 'PENDING', $6, $7, $8) RETURNING id")
            .bind(finding_id.get()).bind(measure_id).bind(m.deadline).bind(new_deadline).bind(reason.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", finding_id.get(), actor, Some(state.code()), state.code(), Msg::new("event.extension_requested").arg("deadline", new_deadline).arg("reason", reason.trim()).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.extension.request", "finding", finding_id, Msg::new("audit.rect_extension_request").arg("org", &row.org_name).arg("title", &row.title).arg("deadline", new_deadline).render()));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Approves (moves the measure's deadline; the original stays) or rejects an extension.
pub async fn decide_extension(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    approve: bool,
    opinion: &str,
) -> Result<Extension> {
    let x = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_EXTENSION);
        qb.push(" AND x.id = ").push_bind(id);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.build_query_as::<Extension>().fetch_optional(p).await?
    })
    .ok_or(StoreError::NotFound)?;
    if x.state != ExtensionState::Pending {
        return Err(rule(Msg::new("rect.extension_decided")));
    }
    let state = if approve {
        ExtensionState::Approved
    } else {
        ExtensionState::Rejected
    };
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE deadline_extensions SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, opinion = $5, version = version + 1 WHERE id = $6 AND state = 'PENDING'")
            .bind(state.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(opinion.trim()).bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if approve {
            let before = crate::counter_facts!(tx, &[x.finding_id.get()]);
            sqlx::query("UPDATE measures SET deadline = $1, version = version + 1, updated_at = $2 WHERE id = $3").bind(x.new_deadline).bind(now).bind(x.measure_id).execute(&mut *tx).await?;
            sqlx::query("UPDATE findings SET deadline = (SELECT MAX(m.deadline) FROM measures m WHERE m.finding_id = $1), extensions = extensions + 1, version = version + 1, updated_at = $2 WHERE id = $1")
                .bind(x.finding_id.get()).bind(now).execute(&mut *tx).await?;
            sqlx::query(REFRESH_DUE).bind(x.finding_id.get()).execute(&mut *tx).await?;
            crate::counters_follow!(tx, before, &[x.finding_id.get()]);
        }
        let label = Msg::new(if approve { "event.extension_approved" } else { "event.extension_rejected" }).render();
        let fstate: String = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(x.finding_id.get()).fetch_one(&mut *tx).await?;
        crate::event_append!(db, tx, "finding", x.finding_id.get(), actor, Some(fstate.as_str()), fstate.as_str(), Msg::new("event.extension_decided").arg("decision", &label).arg("old", x.old_deadline).arg("new", x.new_deadline).arg("opinion", opinion.trim()).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.extension.decide", "finding", x.finding_id, Msg::new("audit.rect_item_decision").arg("org", &x.org_name).arg("title", &x.title).arg("decision", &label).render()));
        notify_unit!(db, tx, x.finding_id.get(), "extension", Msg::new(extension_notice(approve)).render(), Msg::new("notice.extension_body").arg("title", &x.title).arg("old", x.old_deadline).arg("new", x.new_deadline).render(), format!("/rect/items/{}", x.finding_id), None::<String>);
        tx.commit().await?;
    });
    let mut x = x;
    x.state = state;
    x.decided_by_name = Some(actor.display_name.clone());
    x.decided_at = Some(now);
    x.opinion = Some(opinion.trim().to_string());
    Ok(x)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutcomeRecord {
    pub id: i64,
    pub finding_id: FindingId,
    pub kind: String,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
    pub recorded_at: OffsetDateTime,
}

pub async fn outcomes(db: &Db, finding_id: FindingId) -> Result<Vec<OutcomeRecord>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, OutcomeRecord>("SELECT id, finding_id, kind, detail, count, amount_fen, person, treatment, recorded_at FROM rect_outcomes WHERE finding_id = $1 ORDER BY id").bind(finding_id.get()).fetch_all(p).await?))
}

#[derive(Debug, Clone)]
pub struct OutcomeDraft {
    pub kind: OutcomeKind,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
}

pub async fn add_outcome(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    d: &OutcomeDraft,
) -> Result<i64> {
    let row = ledger_row(db, scope, finding_id).await?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rect_outcomes (province_id, finding_id, kind, detail, count, amount_fen, person, treatment, recorded_by, recorded_at) \
             VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id")
            .bind(finding_id.get()).bind(d.kind.code()).bind(&d.detail).bind(d.count).bind(d.amount_fen).bind(&d.person).bind(&d.treatment).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::counters_outcome!(tx, finding_id.get(), d.kind.code(), d.count, d.amount_fen);
        crate::audit_append!(db, tx, actor, &Event::op("rect.outcome", "finding", finding_id, Msg::new("audit.rect_outcome").arg("org", &row.org_name).arg("title", &row.title).arg("kind", d.kind.label()).render()));
        tx.commit().await?;
        id
    });
    Ok(id)
}

/// Rolled-up outcomes: `(kind, records, Σ count, Σ amount_fen)` for items in scope, from the
/// outcome counters (one unit's, or a 仅本人 scope's, are summed from the records).
pub async fn outcome_totals(
    db: &Db,
    scope: &Scope,
    round_unit_id: Option<i64>,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
) -> Result<Vec<(String, i64, i64, i64)>> {
    if round_unit_id.is_some() || scope.own {
        return outcome_totals_scanned(db, scope, round_unit_id, round_id, org_id).await;
    }
    let terms = counter_terms(db, scope, org_id).await?;
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let by_own = round_id.is_some();
    let join = if by_own {
        " JOIN organisations o ON o.id = c.node_id"
    } else {
        ""
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT c.kind, CAST(COALESCE(SUM(c.records), 0) AS BIGINT), CAST(COALESCE(SUM(c.count), 0) AS BIGINT), \
            CAST(COALESCE(SUM(c.amount_fen), 0) AS BIGINT) FROM rect_outcome_counters c{join} WHERE 1 = 1"));
        push_counter_terms(&mut qb, &terms, by_own, round_id);
        qb.push(" GROUP BY c.kind HAVING SUM(c.records) > 0 ORDER BY c.kind");
        Ok(qb.build_query_as::<(String, i64, i64, i64)>().fetch_all(p).await?)
    })
}

/// [`outcome_totals`] summed from the outcome records: the fallback, and the tests' reference.
pub async fn outcome_totals_scanned(
    db: &Db,
    scope: &Scope,
    round_unit_id: Option<i64>,
    round_id: Option<i64>,
    org_id: Option<OrgId>,
) -> Result<Vec<(String, i64, i64, i64)>> {
    let range = match org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT x.kind, COUNT(*), CAST(COALESCE(SUM(x.count), 0) AS BIGINT), CAST(COALESCE(SUM(x.amount_fen), 0) AS BIGINT) \
            FROM rect_outcomes x JOIN findings f ON f.id = x.finding_id JOIN round_units ru ON ru.id = f.round_unit_id WHERE 1 = 1");
        if let Some(u) = round_unit_id { qb.push(" AND f.round_unit_id = ").push_bind(u); }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        if let Some((a, b)) = &range {
            qb.push(" AND f.org_path >= ").push_bind(a.clone()).push(" AND f.org_path < ").push_bind(b.clone());
        }
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" GROUP BY x.kind ORDER BY x.kind");
        Ok(qb.build_query_as::<(String, i64, i64, i64)>().fetch_all(p).await?)
    })
}

/// Clues transferred from this finding (a count only: clue contents are compartmented).
pub async fn transferred_clues(db: &Db, finding_id: FindingId) -> Result<i64> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT COUNT(*) FROM clues WHERE finding_id = $1 AND transferred_on IS NOT NULL").bind(finding_id.get()).fetch_one(p).await?))
}

// ---------------------------------------------------------------------------------------------
// One item, whole

/// Everything the item page shows, read in one call: the ledger line (in `scope`, else
/// `NotFound`), its office's settings and calendar on `today`, text, measures, progress,
/// evidence, write-offs, extensions, outcomes, the letters naming it, its timeline, its unit,
/// the latest approved plan and, with the clue compartment, the count of transferred clues.
pub struct ItemRecord {
    pub row: LedgerRow,
    pub today: Today,
    pub office: RectOffice,
    pub text: ItemText,
    pub files: Vec<FileLink>,
    pub measures: Vec<Measure>,
    pub progress: Vec<Progress>,
    pub write_offs: Vec<WriteOff>,
    pub extensions: Vec<Extension>,
    pub outcomes: Vec<OutcomeRecord>,
    pub letters: Vec<Letter>,
    pub events: Vec<crate::inspection::EventRow>,
    pub unit: RectUnit,
    pub approved_plan: Option<PlanRow>,
    pub clues: Option<i64>,
}

pub async fn item_record(
    db: &Db,
    scope: &Scope,
    id: FindingId,
    today: Date,
    with_clues: bool,
) -> Result<ItemRecord> {
    let row = ledger_row(db, scope, id).await?;
    let (today, office) = office_today(db, row.owner_org_id, today).await?;
    let letters = unit_letters(db, &Scope::unrestricted(), &[row.round_unit_id.get()])
        .await?
        .into_iter()
        .filter(|l| l.finding_ids().contains(&id.get()))
        .collect();
    let approved_plan = plans(db, row.round_unit_id)
        .await?
        .into_iter()
        .rfind(|p| p.state == xuncha_domain::rectification::PlanState::Approved);
    Ok(ItemRecord {
        today,
        office,
        text: item_text(db, id).await?,
        files: item_files(db, id).await?,
        measures: measures(db, &[id.get()]).await?,
        progress: progress(db, id).await?,
        write_offs: write_offs(db, id).await?,
        extensions: extensions(
            db,
            scope,
            Some(id.get()),
            None,
            PageReq::bounded_by_filter(),
        )
        .await?
        .items,
        outcomes: outcomes(db, id).await?,
        letters,
        events: crate::inspection::events(db, "finding", id.get()).await?,
        unit: unit(db, &Scope::unrestricted(), row.round_unit_id).await?,
        approved_plan,
        clues: if with_clues {
            Some(transferred_clues(db, id).await?)
        } else {
            None
        },
        row,
    })
}

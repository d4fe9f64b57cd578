//! 码上巡察: the public channel of a round unit, reports from the public, their messages and
//! attachments. The caller encrypts every text and file (this module stores ciphertext) and
//! hashes the receipt code and secret. Nothing about a reporter's address or browser is taken.
//!
//! Who sees the queue: exactly who sees the unit's clues (the `clue` compartment, and either
//! `clue:lead` in an office whose subtree runs the round or membership of the unit's team).
//! The reporter reaches one report only, by its receipt code and secret.

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::inspection::{ClueSource, ClueState};
use xuncha_domain::public_report::{MAX_FILES_PER_REPORT, ReportState, Span, TransferState};

use crate::audit::{Actor, Event};
use crate::clues::{ClueAccess, NewClue};
use crate::db::{Db, Result, StoreError};
use crate::inspection::get_unit;
use crate::{Page, PageReq};

/// The anonymous actor of the public's writes: the audit trail records that something came in,
/// never who or from where.
fn public_actor() -> Actor {
    let name = Msg::new("public_report.anonymous").render();
    Actor {
        user_id: None,
        name: name.clone(),
        display_name: name,
        ip: "-".to_string(),
    }
}

fn rule(key: &'static str) -> StoreError {
    StoreError::Domain(DomainError::Rule(Msg::new(key)))
}

/// Appends the team-visibility condition for reports `r` of round units `ru` (owner `ow`).
fn push_access<DB>(qb: &mut QueryBuilder<DB>, a: &ClueAccess)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if !a.compartment {
        qb.push(" AND 1 = 0");
        return;
    }
    a.scope.push_unit_filter(qb);
    qb.push(" AND (");
    if a.lead {
        qb.push("1 = 1 OR ");
    }
    qb.push("EXISTS (SELECT 1 FROM team_members m JOIN people pe ON pe.id = m.person_id WHERE m.team_id = ru.team_id AND pe.user_id = ");
    qb.push_bind(a.user_id);
    qb.push("))");
}

/// [`push_access`] for reports `r`: a report that came in after the round ended sits in the
/// office's standing queue, which only the office's clue leads work (the team has left).
fn push_report_access<DB>(qb: &mut QueryBuilder<DB>, a: &ClueAccess)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    push_access(qb, a);
    if !a.lead {
        qb.push(" AND r.standing = FALSE");
    }
}

// ---------------------------------------------------------------------------------------------
// Channels

/// A round unit's channel as the public sees it.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PublicChannel {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub token: String,
    pub org_name: String,
    pub round_name: String,
    pub team_name: Option<String>,
    pub owner_name: String,
    pub start_date: Date,
    pub end_date: Date,
}

const SELECT_CHANNEL: &str = "SELECT ch.id, ch.round_unit_id, ch.token, o.name AS org_name, r.name AS round_name, tm.name AS team_name, \
     ow.name AS owner_name, r.start_date, r.end_date \
     FROM public_channels ch JOIN round_units ru ON ru.id = ch.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN teams tm ON tm.id = ru.team_id WHERE 1 = 1";

/// The channel behind a URL token (no login).
pub async fn channel_by_token(db: &Db, token: &str) -> Result<PublicChannel> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_CHANNEL);
        qb.push(" AND ch.token = ").push_bind(token.to_string());
        qb.build_query_as::<PublicChannel>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The channel of a round unit the caller may work on, if it has one.
pub async fn unit_channel(
    db: &Db,
    a: &ClueAccess,
    unit_id: RoundUnitId,
) -> Result<Option<PublicChannel>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_CHANNEL);
        qb.push(" AND ch.round_unit_id = ").push_bind(unit_id.get());
        push_access(&mut qb, a);
        Ok(qb.build_query_as::<PublicChannel>().fetch_optional(p).await?)
    })
}

/// Opens the channel of a round unit with `token` (or returns the one it has). Only who may work
/// the unit's queue may; anyone else is answered "not found".
pub async fn open_channel(
    db: &Db,
    actor: &Actor,
    a: &ClueAccess,
    unit_id: RoundUnitId,
    token: &str,
) -> Result<PublicChannel> {
    if let Some(ch) = unit_channel(db, a, unit_id).await? {
        return Ok(ch);
    }
    let unit = get_unit(db, &a.scope, unit_id).await?;
    if !member_or_lead(db, a, unit_id).await? {
        return Err(StoreError::NotFound);
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO public_channels (round_unit_id, token, created_by, created_at) VALUES ($1, $2, $3, $4) RETURNING id")
            .bind(unit_id.get()).bind(token).bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("public_channel.open", "round_unit", unit_id.get(),
            Msg::new("public_report.audit_channel").arg("org", &unit.org_name).render()));
        tx.commit().await?;
        let _ = id;
    });
    unit_channel(db, a, unit_id)
        .await?
        .ok_or(StoreError::NotFound)
}

async fn member_or_lead(db: &Db, a: &ClueAccess, unit_id: RoundUnitId) -> Result<bool> {
    if !a.compartment {
        return Ok(false);
    }
    if a.lead {
        return Ok(true);
    }
    crate::on_db!(db, p => {
        let member: Option<i64> = sqlx::query_scalar(
            "SELECT m.team_id FROM team_members m JOIN people pe ON pe.id = m.person_id JOIN round_units ru ON ru.team_id = m.team_id \
             WHERE ru.id = $1 AND pe.user_id = $2")
            .bind(unit_id.get()).bind(a.user_id).fetch_optional(p).await?;
        Ok(member.is_some())
    })
}

// ---------------------------------------------------------------------------------------------
// The public's writes and reads

/// The encrypted fields of a new report.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub category: String,
    pub subject_enc: Vec<u8>,
    pub facts_enc: Vec<u8>,
    pub happened_enc: Vec<u8>,
    pub named: bool,
    pub reporter_name_enc: Option<Vec<u8>>,
    pub reporter_phone_enc: Option<Vec<u8>>,
    pub receipt_hash: String,
    pub secret_hash: String,
}

/// An encrypted attachment.
#[derive(Debug, Clone)]
pub struct NewFile {
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub bytes_enc: Vec<u8>,
}

/// Stores a report from the public on `channel` with its attachments; `standing` when the round
/// has ended (the report goes to the office's standing queue). A duplicate receipt hash (a
/// collision of random codes) is a conflict the caller retries with a new code.
pub async fn submit(
    db: &Db,
    channel: &PublicChannel,
    r: &NewReport,
    files: &[NewFile],
    standing: bool,
) -> Result<i64> {
    let now = db.now();
    let actor = public_actor();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let province: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1")
            .bind(channel.round_unit_id.get()).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO public_reports (province_id, channel_id, round_unit_id, category, subject_enc, facts_enc, happened_enc, named, \
             reporter_name_enc, reporter_phone_enc, receipt_hash, secret_hash, state, standing, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $15, $14, $14) RETURNING id")
            .bind(province).bind(channel.id).bind(channel.round_unit_id.get()).bind(&r.category).bind(&r.subject_enc)
            .bind(&r.facts_enc).bind(&r.happened_enc).bind(r.named).bind(&r.reporter_name_enc).bind(&r.reporter_phone_enc)
            .bind(&r.receipt_hash).bind(&r.secret_hash).bind(ReportState::New.code()).bind(now).bind(standing)
            .fetch_one(&mut *tx).await?;
        for f in files {
            sqlx::query("INSERT INTO public_report_files (report_id, name, media_type, size, bytes_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(id).bind(&f.name).bind(&f.media_type).bind(f.size).bind(&f.bytes_enc).bind(now).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, &actor, &Event::op("public_report.submit", "public_report", id,
            Msg::new("public_report.audit_submit").arg("org", &channel.org_name).render()));
        tx.commit().await?;
        id
    }))
}

/// A report as its reporter reaches it: by the digest of its receipt code.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReceiptRow {
    pub id: i64,
    pub secret_hash: String,
    pub category: String,
    pub state: String,
    pub reason: Option<String>,
    pub org_name: String,
    pub created_at: OffsetDateTime,
}

pub async fn report_by_receipt(db: &Db, receipt_hash: &str) -> Result<ReceiptRow> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, ReceiptRow>(
        "SELECT r.id, r.secret_hash, r.category, r.state, r.reason, o.name AS org_name, r.created_at \
         FROM public_reports r JOIN round_units ru ON ru.id = r.round_unit_id JOIN organisations o ON o.id = ru.org_id \
         WHERE r.receipt_hash = $1")
        .bind(receipt_hash).fetch_optional(p).await?.ok_or(StoreError::NotFound)?))
}

/// One message of a report's conversation.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MessageRow {
    pub id: i64,
    pub author: String,
    pub body_enc: Vec<u8>,
    pub created_at: OffsetDateTime,
}

/// The conversation of a report, oldest first (bounded by the report).
pub async fn messages(db: &Db, report_id: i64) -> Result<Vec<MessageRow>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, MessageRow>(
        "SELECT id, author, body_enc, created_at FROM public_report_messages WHERE report_id = $1 ORDER BY id")
        .bind(report_id).fetch_all(p).await?))
}

/// An attachment without its bytes.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FileMeta {
    pub id: i64,
    pub name: String,
    pub media_type: String,
    pub size: i64,
    pub created_at: OffsetDateTime,
}

/// The attachments of a report, oldest first (bounded by the report).
pub async fn files(db: &Db, report_id: i64) -> Result<Vec<FileMeta>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, FileMeta>(
        "SELECT id, name, media_type, size, created_at FROM public_report_files WHERE report_id = $1 ORDER BY id")
        .bind(report_id).fetch_all(p).await?))
}

/// The reporter's answer or added material on an open report.
pub async fn reporter_add(
    db: &Db,
    report_id: i64,
    body_enc: Option<&[u8]>,
    new_files: &[NewFile],
) -> Result<()> {
    let now = db.now();
    let actor = public_actor();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let state: String = sqlx::query_scalar("SELECT state FROM public_reports WHERE id = $1")
            .bind(report_id).fetch_optional(&mut *tx).await?.ok_or(StoreError::NotFound)?;
        if !ReportState::from_code(&state).is_some_and(ReportState::open) {
            return Err(rule("public_report.closed"));
        }
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM public_report_files WHERE report_id = $1")
            .bind(report_id).fetch_one(&mut *tx).await?;
        if count + i64::try_from(new_files.len()).unwrap_or(i64::MAX) > MAX_FILES_PER_REPORT {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new("public_report.report_files_full").arg("max", MAX_FILES_PER_REPORT))));
        }
        if let Some(body) = body_enc {
            sqlx::query("INSERT INTO public_report_messages (report_id, author, body_enc, created_at) VALUES ($1, 'reporter', $2, $3)")
                .bind(report_id).bind(body).bind(now).execute(&mut *tx).await?;
        }
        for f in new_files {
            sqlx::query("INSERT INTO public_report_files (report_id, name, media_type, size, bytes_enc, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(report_id).bind(&f.name).bind(&f.media_type).bind(f.size).bind(&f.bytes_enc).bind(now).execute(&mut *tx).await?;
        }
        sqlx::query("UPDATE public_reports SET updated_at = $1 WHERE id = $2").bind(now).bind(report_id).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, &actor, &Event::op("public_report.answer", "public_report", report_id,
            Msg::new("public_report.audit_answer").arg("id", report_id).render()));
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// The team's queue

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReportRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub org_name: String,
    pub round_name: String,
    pub category: String,
    pub subject_enc: Vec<u8>,
    pub facts_enc: Vec<u8>,
    pub happened_enc: Vec<u8>,
    pub named: bool,
    pub reporter_name_enc: Option<Vec<u8>>,
    pub reporter_phone_enc: Option<Vec<u8>>,
    pub state: String,
    pub reason: Option<String>,
    pub clue_id: Option<i64>,
    /// The earlier report this one was merged into (重复反映).
    pub duplicate_of: Option<i64>,
    /// Came in after the round ended: the office's standing queue.
    pub standing: bool,
    pub decided_at: Option<OffsetDateTime>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ReportRow {
    pub fn state(&self) -> Result<ReportState> {
        ReportState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("public report state {}", self.state)))
    }
}

const SELECT_REPORT: &str = "SELECT r.id, r.round_unit_id, o.name AS org_name, rd.name AS round_name, r.category, r.subject_enc, r.facts_enc, \
     r.happened_enc, r.named, r.reporter_name_enc, r.reporter_phone_enc, r.state, r.reason, r.clue_id, r.duplicate_of, r.standing, r.decided_at, \
     r.version, r.created_at, r.updated_at \
     FROM public_reports r JOIN round_units ru ON ru.id = r.round_unit_id JOIN rounds rd ON rd.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct ReportFilter {
    pub round_unit_id: Option<RoundUnitId>,
    pub state: Option<ReportState>,
    /// Only the office's standing queue (reports after the round ended).
    pub standing: bool,
    /// Only reports with a unit's reply to a 转办 waiting for the team's review.
    pub awaiting_review: bool,
}

/// One page of the reports the caller may work on, newest first, with the total.
pub async fn list_reports(
    db: &Db,
    a: &ClueAccess,
    f: &ReportFilter,
    page: PageReq,
) -> Result<Page<ReportRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(u) = f.round_unit_id { qb.push(" AND r.round_unit_id = ").push_bind(u.get()); }
            if let Some(s) = f.state { qb.push(" AND r.state = ").push_bind(s.code().to_string()); }
            if f.standing { qb.push(" AND r.standing = TRUE"); }
            if f.awaiting_review {
                qb.push(" AND EXISTS (SELECT 1 FROM public_report_transfers t WHERE t.report_id = r.id AND t.state = ")
                    .push_bind(TransferState::Replied.code().to_string()).push(")");
            }
            push_report_access(qb, a);
        };
        Ok(crate::page_of!(p, SELECT_REPORT, filter, " ORDER BY r.id DESC", page, ReportRow))
    })
}

/// One report the caller may work on; anything else is "not found".
pub async fn get_report(db: &Db, a: &ClueAccess, id: i64) -> Result<ReportRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_REPORT);
        qb.push(" AND r.id = ").push_bind(id);
        push_report_access(&mut qb, a);
        qb.build_query_as::<ReportRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Accepts or declines a new report (the caller checked the rule); a decline's reason is shown
/// to the reporter.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    r: &ReportRow,
    to: ReportState,
    reason: Option<&str>,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE public_reports SET state = $1, reason = $2, version = version + 1, updated_at = $3, decided_at = COALESCE(decided_at, $3) WHERE id = $4 AND version = $5")
            .bind(to.code()).bind(reason).bind(now).bind(r.id).bind(r.version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("public_report.decide", "public_report", r.id,
            Msg::new("public_report.audit_decide").arg("id", r.id).arg("state", to.label()).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// The team's question to the reporter (shown on the follow-up page).
pub async fn ask(db: &Db, actor: &Actor, r: &ReportRow, body_enc: &[u8]) -> Result<()> {
    if !r.state()?.open() {
        return Err(rule("public_report.closed"));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO public_report_messages (report_id, author, body_enc, created_by, created_at) VALUES ($1, 'team', $2, $3, $4)")
            .bind(r.id).bind(body_enc).bind(actor.user_id).bind(now).execute(&mut *tx).await?;
        sqlx::query("UPDATE public_reports SET updated_at = $1 WHERE id = $2").bind(now).bind(r.id).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("public_report.ask", "public_report", r.id,
            Msg::new("public_report.audit_ask").arg("id", r.id).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// Converts an open report into a clue of the same round unit (source 码上巡察) and closes the
/// report, linked to the clue, in one transaction.
pub async fn convert_to_clue(
    db: &Db,
    actor: &Actor,
    r: &ReportRow,
    c: &NewClue,
    comment: &str,
) -> Result<i64> {
    r.state()?.convert().map_err(StoreError::Domain)?;
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        // A report becomes a clue of source 码上巡察 whatever the caller set.
        let c = &NewClue { source: ClueSource::Qr.code().to_string(), ..c.clone() };
        let clue = crate::insert_clue!(tx, r.round_unit_id, c, actor, now);
        let n = sqlx::query("UPDATE public_reports SET state = $1, clue_id = $2, version = version + 1, updated_at = $3, decided_at = COALESCE(decided_at, $3) WHERE id = $4 AND version = $5")
            .bind(ReportState::Closed.code()).bind(clue).bind(now).bind(r.id).bind(r.version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "clue", clue, actor, None::<String>, ClueState::Received.code(), comment);
        crate::audit_append!(db, tx, actor, &Event::op("public_report.convert", "public_report", r.id,
            Msg::new("public_report.audit_convert").arg("id", r.id).arg("clue", clue).render()));
        tx.commit().await?;
        clue
    }))
}

/// One attachment's encrypted bytes, of a report the caller may work on.
pub async fn file_bytes(
    db: &Db,
    a: &ClueAccess,
    report_id: i64,
    file_id: i64,
) -> Result<(FileMeta, Vec<u8>)> {
    get_report(db, a, report_id).await?;
    crate::on_db!(db, p => {
        let meta = sqlx::query_as::<_, FileMeta>("SELECT id, name, media_type, size, created_at FROM public_report_files WHERE id = $1 AND report_id = $2")
            .bind(file_id).bind(report_id).fetch_optional(p).await?.ok_or(StoreError::NotFound)?;
        let bytes: Vec<u8> = sqlx::query_scalar("SELECT bytes_enc FROM public_report_files WHERE id = $1")
            .bind(file_id).fetch_one(p).await?;
        Ok((meta, bytes))
    })
}

/// Merges an open report into an earlier one `of` (重复反映) and closes it; `reason` is shown to
/// the reporter. The caller loaded both with its access, so both are reports it works.
pub async fn merge_duplicate(
    db: &Db,
    actor: &Actor,
    r: &ReportRow,
    of: &ReportRow,
    reason: &str,
) -> Result<()> {
    r.state()?.merge().map_err(StoreError::Domain)?;
    if of.id == r.id || of.duplicate_of == Some(r.id) {
        return Err(rule("public_report.duplicate_self"));
    }
    let now = db.now();
    // Point at the report the earlier one was itself merged into, so chains stay one step.
    let target = of.duplicate_of.unwrap_or(of.id);
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE public_reports SET state = $1, duplicate_of = $2, reason = $3, version = version + 1, updated_at = $4, \
             decided_at = COALESCE(decided_at, $4) WHERE id = $5 AND version = $6")
            .bind(ReportState::Closed.code()).bind(target).bind(reason).bind(now).bind(r.id).bind(r.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("public_report.merge", "public_report", r.id,
            Msg::new("public_report.audit_merge").arg("id", r.id).arg("of", target).render()));
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 转办: to the responsible unit, its reply, the team's review

/// A 转办 of a report to a unit.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TransferRow {
    pub id: i64,
    pub report_id: i64,
    pub org_id: i64,
    pub org_name: String,
    /// The inspected unit whose round the report came through.
    pub unit_org_name: String,
    pub round_name: String,
    pub category: String,
    pub instruction_enc: Vec<u8>,
    pub deadline: Date,
    pub state: String,
    pub reply_enc: Option<Vec<u8>>,
    pub replied_at: Option<OffsetDateTime>,
    pub review_comment: Option<String>,
    pub reviewed_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub version: i64,
}

impl TransferRow {
    pub fn state(&self) -> Result<TransferState> {
        TransferState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("report transfer state {}", self.state)))
    }
}

const SELECT_TRANSFER: &str = "SELECT t.id, t.report_id, t.org_id, tg.name AS org_name, o.name AS unit_org_name, rd.name AS round_name, r.category, \
     t.instruction_enc, t.deadline, t.state, t.reply_enc, t.replied_at, t.review_comment, t.reviewed_at, t.created_at, t.version \
     FROM public_report_transfers t JOIN public_reports r ON r.id = t.report_id JOIN organisations tg ON tg.id = t.org_id \
     JOIN round_units ru ON ru.id = r.round_unit_id JOIN rounds rd ON rd.id = ru.round_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

/// The responsible unit's side: transfers to organisations in the caller's data scope.
const TARGET_COLS: crate::scope::ScopeColumns<'static> = crate::scope::ScopeColumns {
    path: "tg.path",
    org_id: "tg.id",
    owner: "tg.created_by",
};

/// The transfers of a report (the team's view), oldest first.
pub async fn transfers_of(db: &Db, report_id: i64) -> Result<Vec<TransferRow>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_TRANSFER);
        qb.push(" AND t.report_id = ").push_bind(report_id).push(" ORDER BY t.id");
        Ok(qb.build_query_as::<TransferRow>().fetch_all(p).await?)
    })
}

/// Transfers a report the caller works to `org_id` (the caller checked the organisation is in
/// its scope) with a deadline; the report waits for the unit's reply.
pub async fn transfer(
    db: &Db,
    actor: &Actor,
    r: &ReportRow,
    org_id: i64,
    deadline: Date,
    instruction_enc: &[u8],
) -> Result<i64> {
    r.state()?.transfer().map_err(StoreError::Domain)?;
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE public_reports SET state = $1, version = version + 1, updated_at = $2, decided_at = COALESCE(decided_at, $2) \
             WHERE id = $3 AND version = $4")
            .bind(ReportState::Transferred.code()).bind(now).bind(r.id).bind(r.version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let id: i64 = sqlx::query_scalar("INSERT INTO public_report_transfers (report_id, org_id, instruction_enc, deadline, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(r.id).bind(org_id).bind(instruction_enc).bind(deadline).bind(TransferState::Pending.code()).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("public_report.transfer", "public_report", r.id,
            Msg::new("public_report.audit_transfer").arg("id", r.id).arg("deadline", deadline.to_string()).render()));
        tx.commit().await?;
        id
    }))
}

#[derive(Debug, Clone, Default)]
pub struct TransferFilter {
    pub state: Option<TransferState>,
}

/// One page of the transfers to organisations in `scope` (the responsible unit's inbox),
/// pending first by deadline, with the total.
pub async fn list_transfers(
    db: &Db,
    scope: &crate::scope::Scope,
    f: &TransferFilter,
    page: PageReq,
) -> Result<Page<TransferRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(s) = f.state { qb.push(" AND t.state = ").push_bind(s.code().to_string()); }
            scope.push_filter(qb, TARGET_COLS);
        };
        Ok(crate::page_of!(p, SELECT_TRANSFER, filter, " ORDER BY t.deadline, t.id", page, TransferRow))
    })
}

/// One transfer to an organisation in `scope`; anything else is "not found".
pub async fn get_transfer(db: &Db, scope: &crate::scope::Scope, id: i64) -> Result<TransferRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_TRANSFER);
        qb.push(" AND t.id = ").push_bind(id);
        scope.push_filter(&mut qb, TARGET_COLS);
        qb.build_query_as::<TransferRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The unit's reply to a pending transfer.
pub async fn reply(db: &Db, actor: &Actor, t: &TransferRow, reply_enc: &[u8]) -> Result<()> {
    t.state()?.reply().map_err(StoreError::Domain)?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE public_report_transfers SET state = $1, reply_enc = $2, replied_by = $3, replied_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6")
            .bind(TransferState::Replied.code()).bind(reply_enc).bind(actor.user_id).bind(now).bind(t.id).bind(t.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("public_report.reply", "public_report", t.report_id,
            Msg::new("public_report.audit_reply").arg("id", t.report_id).arg("org", &t.org_name).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// The team's review of a replied transfer of report `r`: accepted, the transfer is done and the
/// report closed with `result` (shown to the reporter); returned, the unit must reply again
/// (`comment` says why).
pub async fn review(
    db: &Db,
    actor: &Actor,
    r: &ReportRow,
    t: &TransferRow,
    accept: bool,
    comment: &str,
) -> Result<()> {
    let to = t.state()?.review(accept).map_err(StoreError::Domain)?;
    if t.report_id != r.id {
        return Err(StoreError::NotFound);
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE public_report_transfers SET state = $1, review_comment = $2, reviewed_by = $3, reviewed_at = $4, version = version + 1 \
             WHERE id = $5 AND version = $6")
            .bind(to.code()).bind((!accept).then_some(comment)).bind(actor.user_id).bind(now).bind(t.id).bind(t.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if accept {
            let n = sqlx::query("UPDATE public_reports SET state = $1, reason = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND state = $5")
                .bind(ReportState::Closed.code()).bind(comment).bind(now).bind(r.id).bind(ReportState::Transferred.code())
                .execute(&mut *tx).await?.rows_affected();
            if n == 0 {
                return Err(StoreError::StaleVersion);
            }
        }
        crate::audit_append!(db, tx, actor, &Event::op("public_report.review", "public_report", r.id,
            Msg::new("public_report.audit_review").arg("id", r.id).arg("state", to.label()).render()));
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// What the statistics count: the reports the caller works, optionally of one round.
#[derive(Debug, Clone, Default)]
pub struct StatsFilter {
    pub round_id: Option<i64>,
}

/// One group of reports and how many.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct StatGroup {
    pub key: String,
    pub name: String,
    pub count: i64,
}

/// The counts and timings of the reports the caller works.
#[derive(Debug, Clone, PartialEq)]
pub struct ReportStats {
    pub total: i64,
    /// After the round ended (the office's standing queue).
    pub standing: i64,
    pub by_state: Vec<StatGroup>,
    pub by_category: Vec<StatGroup>,
    /// By inspected unit (key: the round unit's id), most reports first.
    pub by_unit: Vec<StatGroup>,
    pub to_clue: i64,
    pub duplicates: i64,
    /// From receipt to the team's first decision.
    pub decision: Span,
    pub transfers: i64,
    pub transfers_overdue: i64,
    /// From the 转办 to the unit's (last) reply.
    pub reply: Span,
}

/// Pushes the FROM/WHERE of the caller's reports (`r`, `ru`, `ow`, the inspected unit `o`) with
/// the filter.
fn push_stats_from<DB>(qb: &mut QueryBuilder<DB>, a: &ClueAccess, f: &StatsFilter)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" FROM public_reports r JOIN round_units ru ON ru.id = r.round_unit_id JOIN organisations ow ON ow.id = ru.owner_org_id \
              JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1");
    if let Some(round) = f.round_id {
        qb.push(" AND ru.round_id = ").push_bind(round);
    }
    push_report_access(qb, a);
}

/// The statistics of the reports the caller works (scoped like the queue). Counts come from
/// grouped queries; the timings read the two timestamps of each report (and of each transfer),
/// which a round holds in the hundreds or thousands.
pub async fn stats(db: &Db, a: &ClueAccess, f: &StatsFilter, today: Date) -> Result<ReportStats> {
    crate::on_db!(db, p => {
        let grouped = |col: &str| {
            let mut qb = QueryBuilder::new(format!("SELECT {col} AS key, '' AS name, COUNT(*) AS count"));
            push_stats_from(&mut qb, a, f);
            qb.push(format!(" GROUP BY {col} ORDER BY COUNT(*) DESC, {col}"));
            qb
        };
        let by_state = grouped("r.state").build_query_as::<StatGroup>().fetch_all(p).await?;
        let by_category = grouped("r.category").build_query_as::<StatGroup>().fetch_all(p).await?;
        let mut qb = QueryBuilder::new("SELECT CAST(r.round_unit_id AS TEXT) AS key, MAX(o.name) AS name, COUNT(*) AS count");
        push_stats_from(&mut qb, a, f);
        qb.push(" GROUP BY r.round_unit_id ORDER BY COUNT(*) DESC, r.round_unit_id");
        let by_unit = qb.build_query_as::<StatGroup>().fetch_all(p).await?;

        let mut qb = QueryBuilder::new("SELECT COUNT(*), \
             COALESCE(SUM(CASE WHEN r.standing THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN r.clue_id IS NOT NULL THEN 1 ELSE 0 END), 0), \
             COALESCE(SUM(CASE WHEN r.duplicate_of IS NOT NULL THEN 1 ELSE 0 END), 0)");
        push_stats_from(&mut qb, a, f);
        let (total, standing, to_clue, duplicates): (i64, i64, i64, i64) = qb.build_query_as().fetch_one(p).await?;

        let mut qb = QueryBuilder::new("SELECT r.created_at, r.decided_at");
        push_stats_from(&mut qb, a, f);
        let decided: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = qb.build_query_as().fetch_all(p).await?;

        let mut qb = QueryBuilder::new("SELECT t.created_at, t.replied_at, t.state, t.deadline FROM public_report_transfers t JOIN public_reports r ON r.id = t.report_id \
             JOIN round_units ru ON ru.id = r.round_unit_id JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1");
        if let Some(round) = f.round_id {
            qb.push(" AND ru.round_id = ").push_bind(round);
        }
        push_report_access(&mut qb, a);
        let transfers: Vec<(OffsetDateTime, Option<OffsetDateTime>, String, Date)> = qb.build_query_as().fetch_all(p).await?;
        let overdue = transfers.iter().filter(|(_, _, s, d)| TransferState::from_code(s).is_some_and(|s| s.overdue(*d, today))).count();
        let replied: Vec<(OffsetDateTime, Option<OffsetDateTime>)> = transfers.iter().map(|(c, r, _, _)| (*c, *r)).collect();
        Ok(ReportStats {
            total,
            standing,
            by_state,
            by_category,
            by_unit,
            to_clue,
            duplicates,
            decision: Span::of(&decided),
            transfers: i64::try_from(transfers.len()).unwrap_or(i64::MAX),
            transfers_overdue: i64::try_from(overdue).unwrap_or(i64::MAX),
            reply: Span::of(&replied),
        })
    })
}

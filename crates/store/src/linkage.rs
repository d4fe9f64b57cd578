//! 上下联动 storage: tasks issued to lower offices (one row per recipient) and focus points
//! pushed down, adopted by rounds and followed up by findings.
//!
//! Who sees what:
//! - the issuing side: a task or focus point whose issuing office is in the caller's scope, with
//!   every recipient's row (`push_filter` on the issuer's path);
//! - the recipient side: only the row of the caller's own office (its id equal to the caller's
//!   office, and in scope), never the other recipients';
//! - roll-ups of focus points count rounds and findings only where the caller's scope reaches
//!   them (the rounds' owner offices, the findings through the unit filter).

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::FieldError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::{FindingId, OrgId};
use xuncha_domain::linkage::{NewFocusPoint, NewTask, RecipientAction, RecipientState, is_below};

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// The issuing office of a task or focus point, joined as `io`.
const ISSUER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "io.path",
    org_id: "io.id",
    owner: "io.created_by",
};

/// The recipient office of a task row, joined as `ro`.
const RECIPIENT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "ro.path",
    org_id: "ro.id",
    owner: "ro.created_by",
};

/// An organisation named by a request: its name and path.
#[derive(Debug, Clone, FromRow)]
struct OrgRef {
    id: OrgId,
    name: String,
    path: String,
}

async fn org_ref(db: &Db, id: OrgId) -> Result<OrgRef> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, OrgRef>("SELECT id, name, path FROM organisations WHERE id = $1")
            .bind(id.get()).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The recipient offices of a task or focus point: each in the caller's scope (else "not found")
/// and strictly below the issuing office (else a field error naming it).
async fn lower_offices(
    db: &Db,
    scope: &Scope,
    issuer: &OrgRef,
    ids: &[OrgId],
) -> Result<Vec<OrgRef>> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        let o = org_ref(db, *id).await?;
        if !scope.contains(o.id, &o.path, None) {
            return Err(StoreError::NotFound);
        }
        if !is_below(&issuer.path, &o.path) {
            return Err(StoreError::Domain(DomainError::Invalid(vec![
                FieldError::new("org_ids", Msg::new("linkage.not_lower").arg("org", &o.name)),
            ])));
        }
        out.push(o);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Tasks

/// A task as its issuing side sees it, with its recipients' progress counted.
#[derive(Debug, Clone, FromRow)]
pub struct TaskRow {
    pub id: i64,
    pub issuer_org_id: OrgId,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub focus: Option<String>,
    pub term_id: Option<i64>,
    pub term_name: Option<String>,
    pub deadline: Date,
    pub created_at: OffsetDateTime,
    pub recipients: i64,
    pub reported: i64,
    pub done: i64,
    /// Recipients still owing the task after its deadline.
    pub overdue: i64,
}

/// The `$1` placeholder is today's date (for the overdue count).
const SELECT_TASK: &str = "SELECT t.id, t.issuer_org_id, io.name AS issuer_name, t.title, t.content, t.focus, t.term_id, tm.name AS term_name, \
     t.deadline, t.created_at, \
     (SELECT COUNT(*) FROM linkage_recipients r WHERE r.task_id = t.id) AS recipients, \
     (SELECT COUNT(*) FROM linkage_recipients r WHERE r.task_id = t.id AND r.state = 'REPORTED') AS reported, \
     (SELECT COUNT(*) FROM linkage_recipients r WHERE r.task_id = t.id AND r.state = 'DONE') AS done, \
     (SELECT COUNT(*) FROM linkage_recipients r WHERE r.task_id = t.id AND r.state IN ('ISSUED', 'ACCEPTED') AND t.deadline < ";

const FROM_TASK: &str = ") AS overdue \
     FROM linkage_tasks t JOIN organisations io ON io.id = t.issuer_org_id LEFT JOIN terms tm ON tm.id = t.term_id WHERE 1 = 1";

/// Issues a task from `issuer` (the caller's office) to lower offices in the caller's scope; the
/// term, when named, must be one the caller sees. Answers the task's id.
pub async fn create_task(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    issuer: OrgId,
    t: &NewTask,
) -> Result<i64> {
    let issuer = org_ref(db, issuer).await?;
    let recipients = lower_offices(db, scope, &issuer, &t.org_ids).await?;
    if let Some(term) = t.term_id {
        crate::inspection::get_term(db, scope, term).await?;
    }
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO linkage_tasks (issuer_org_id, title, content, focus, term_id, deadline, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id")
            .bind(issuer.id.get()).bind(&t.title).bind(&t.content).bind(&t.focus).bind(t.term_id).bind(t.deadline)
            .bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        for r in &recipients {
            sqlx::query("INSERT INTO linkage_recipients (task_id, org_id, state, updated_at) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(r.id.get()).bind(RecipientState::Issued.code()).bind(now).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("linkage.issue", "linkage_task", id,
            Msg::new("linkage.audit_issue").arg("title", &t.title).arg("n", recipients.len()).render()));
        tx.commit().await?;
        id
    }))
}

/// The tasks issued by offices in the caller's scope, newest first.
pub async fn list_tasks(
    db: &Db,
    scope: &Scope,
    today: Date,
    page: PageReq,
) -> Result<Page<TaskRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            scope.push_filter(qb, ISSUER_COLS);
        };
        // The count query is built from the select's FROM: give it the plain FROM.
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM linkage_tasks t JOIN organisations io ON io.id = t.issuer_org_id WHERE 1 = 1");
        filter(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(SELECT_TASK);
        qb.push_bind(today).push(FROM_TASK);
        filter(&mut qb);
        qb.push(" ORDER BY t.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<TaskRow>().fetch_all(p).await?, total })
    })
}

/// One task the caller's scope issued.
pub async fn get_task(db: &Db, scope: &Scope, id: i64, today: Date) -> Result<TaskRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_TASK);
        qb.push_bind(today).push(FROM_TASK);
        qb.push(" AND t.id = ").push_bind(id);
        scope.push_filter(&mut qb, ISSUER_COLS);
        qb.build_query_as::<TaskRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// One recipient's row of a task, with the task's text (what the recipient reads).
#[derive(Debug, Clone, FromRow)]
pub struct RecipientRow {
    pub id: i64,
    pub task_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub focus: Option<String>,
    pub deadline: Date,
    pub state: String,
    pub report: Option<String>,
    pub return_reason: Option<String>,
    pub accepted_at: Option<OffsetDateTime>,
    pub reported_at: Option<OffsetDateTime>,
    pub done_at: Option<OffsetDateTime>,
    pub version: i64,
    pub created_at: OffsetDateTime,
}

impl RecipientRow {
    pub fn state(&self) -> Result<RecipientState> {
        RecipientState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("linkage state {}", self.state)))
    }
}

const SELECT_RECIPIENT: &str = "SELECT r.id, r.task_id, r.org_id, ro.name AS org_name, io.name AS issuer_name, t.title, t.content, t.focus, t.deadline, \
     r.state, r.report, r.return_reason, r.accepted_at, r.reported_at, r.done_at, r.version, t.created_at \
     FROM linkage_recipients r JOIN linkage_tasks t ON t.id = r.task_id JOIN organisations ro ON ro.id = r.org_id \
     JOIN organisations io ON io.id = t.issuer_org_id WHERE 1 = 1";

/// Every recipient of a task (bounded by the task: at most its recipients), in office order. The
/// caller has checked the task is its scope's (see [`get_task`]).
pub async fn task_recipients(db: &Db, task_id: i64) -> Result<Vec<RecipientRow>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECIPIENT);
        qb.push(" AND r.task_id = ").push_bind(task_id).push(" ORDER BY ro.path, r.id");
        Ok(qb.build_query_as::<RecipientRow>().fetch_all(p).await?)
    })
}

/// A recipient's row as the issuing side sees it (the task's issuer in the caller's scope).
pub async fn recipient_as_issuer(db: &Db, scope: &Scope, id: i64) -> Result<RecipientRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECIPIENT);
        qb.push(" AND r.id = ").push_bind(id);
        scope.push_filter(&mut qb, ISSUER_COLS);
        qb.build_query_as::<RecipientRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The filter of a recipient's inbox.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    /// Only rows waiting for the recipient (待接收, 已接收).
    pub todo: bool,
    pub state: Option<RecipientState>,
}

fn push_inbox<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope, office: OrgId)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" AND r.org_id = ").push_bind(office.get());
    scope.push_filter(qb, RECIPIENT_COLS);
}

/// The tasks issued to the caller's office (its own rows only), newest first.
pub async fn inbox(
    db: &Db,
    scope: &Scope,
    office: OrgId,
    f: &InboxFilter,
    page: PageReq,
) -> Result<Page<RecipientRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            push_inbox(qb, scope, office);
            if f.todo {
                qb.push(" AND r.state IN ('ISSUED', 'ACCEPTED')");
            }
            if let Some(s) = f.state {
                qb.push(" AND r.state = ").push_bind(s.code().to_string());
            }
        };
        Ok(crate::page_of!(p, SELECT_RECIPIENT, filter, " ORDER BY r.id DESC", page, RecipientRow))
    })
}

/// One row of the caller's office's inbox.
pub async fn inbox_row(db: &Db, scope: &Scope, office: OrgId, id: i64) -> Result<RecipientRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_RECIPIENT);
        qb.push(" AND r.id = ").push_bind(id);
        push_inbox(&mut qb, scope, office);
        qb.build_query_as::<RecipientRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// A round linked by a report back.
#[derive(Debug, Clone, FromRow)]
pub struct LinkedRound {
    pub recipient_id: i64,
    pub round_id: i64,
    pub name: String,
    pub owner_name: String,
}

/// The rounds linked by the given recipients' reports (bounded by the rows named).
pub async fn linked_rounds(db: &Db, recipient_ids: &[i64]) -> Result<Vec<LinkedRound>> {
    if recipient_ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT lr.recipient_id, r.id AS round_id, r.name, ow.name AS owner_name \
             FROM linkage_recipient_rounds lr JOIN rounds r ON r.id = lr.round_id JOIN organisations ow ON ow.id = r.owner_org_id WHERE 1 = 1");
        crate::push_in(&mut qb, "lr.recipient_id", recipient_ids);
        qb.push(" ORDER BY lr.recipient_id, r.id");
        Ok(qb.build_query_as::<LinkedRound>().fetch_all(p).await?)
    })
}

/// What a state change carries.
#[derive(Debug, Clone, Default)]
pub struct ActionInput {
    pub version: i64,
    pub report: Option<String>,
    pub reason: Option<String>,
    /// For a report back: the recipient office's own rounds (checked here).
    pub round_ids: Vec<i64>,
}

/// Applies `action` to a recipient's row the caller reached (its inbox, or the issuing side):
/// the transition rule (409), the linked rounds (the recipient office's own, in the caller's
/// scope: else "not found"), the version (409 stale).
pub async fn act(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    row: &RecipientRow,
    action: RecipientAction,
    input: &ActionInput,
) -> Result<()> {
    let to = row.state()?.apply(action)?;
    let mut rounds = Vec::new();
    if action == RecipientAction::Report && !input.round_ids.is_empty() {
        let own = org_ref(db, row.org_id).await?;
        let end = xuncha_domain::org::subtree_end(&own.path);
        for id in &input.round_ids {
            let found: Option<i64> = crate::on_db!(db, p => {
                let mut qb = QueryBuilder::new("SELECT r.id FROM rounds r JOIN organisations ow ON ow.id = r.owner_org_id WHERE r.id = ");
                qb.push_bind(*id).push(" AND ow.path >= ").push_bind(own.path.clone()).push(" AND ow.path < ").push_bind(end.clone());
                scope.push_filter(&mut qb, crate::inspection::OWNER_COLS);
                qb.build_query_scalar().fetch_optional(p).await?
            });
            rounds.push(found.ok_or(StoreError::NotFound)?);
        }
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let mut qb = QueryBuilder::new("UPDATE linkage_recipients SET state = ");
        qb.push_bind(to.code()).push(", version = version + 1, updated_at = ").push_bind(now);
        match action {
            RecipientAction::Accept => { qb.push(", accepted_at = ").push_bind(now); }
            RecipientAction::Report => {
                qb.push(", reported_at = ").push_bind(now).push(", report = ").push_bind(input.report.clone());
            }
            RecipientAction::Confirm => { qb.push(", done_at = ").push_bind(now); }
            RecipientAction::Return => { qb.push(", return_reason = ").push_bind(input.reason.clone()); }
        }
        qb.push(" WHERE id = ").push_bind(row.id).push(" AND version = ").push_bind(input.version);
        let n = qb.build().execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if action == RecipientAction::Report {
            sqlx::query("DELETE FROM linkage_recipient_rounds WHERE recipient_id = $1").bind(row.id).execute(&mut *tx).await?;
            for r in &rounds {
                sqlx::query("INSERT INTO linkage_recipient_rounds (recipient_id, round_id) VALUES ($1, $2)")
                    .bind(row.id).bind(*r).execute(&mut *tx).await?;
            }
        }
        crate::audit_append!(db, tx, actor, &Event::op("linkage.act", "linkage_recipient", row.id,
            Msg::new("linkage.audit_action").arg("title", &row.title).arg("org", &row.org_name).arg("action", action.label()).render()));
        tx.commit().await?;
    });
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Focus points

/// A focus point with its roll-up within the caller's scope.
#[derive(Debug, Clone, FromRow)]
pub struct FocusRow {
    pub id: i64,
    pub issuer_org_id: OrgId,
    pub issuer_name: String,
    pub title: String,
    pub content: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub source_finding_id: Option<i64>,
    pub created_at: OffsetDateTime,
    /// The offices it was pushed to.
    pub targets: i64,
}

const SELECT_FOCUS: &str = "SELECT fp.id, fp.issuer_org_id, io.name AS issuer_name, fp.title, fp.content, fp.category_id, c.name AS category_name, \
     fp.source_finding_id, fp.created_at, (SELECT COUNT(*) FROM focus_point_targets ft WHERE ft.focus_point_id = fp.id) AS targets \
     FROM focus_points fp JOIN organisations io ON io.id = fp.issuer_org_id LEFT JOIN categories c ON c.id = fp.category_id WHERE 1 = 1";

/// The focus points the caller sees: issued within its scope, or pushed to its office.
fn push_focus_filter<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope, office: OrgId)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" AND (1 = 1");
    scope.push_filter(qb, ISSUER_COLS);
    qb.push(" OR EXISTS (SELECT 1 FROM focus_point_targets ft JOIN organisations ro ON ro.id = ft.org_id WHERE ft.focus_point_id = fp.id AND ft.org_id = ");
    qb.push_bind(office.get());
    scope.push_filter(qb, RECIPIENT_COLS);
    qb.push("))");
}

/// Pushes a focus point from `issuer` down to lower offices in the caller's scope. The category
/// must exist; a source finding must be one the caller's scope reaches (its title and facts fill
/// an empty title or content, its category an empty category).
pub async fn create_focus(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    issuer: OrgId,
    mut fp: NewFocusPoint,
    mut category_id: Option<i64>,
    source: Option<FindingId>,
) -> Result<i64> {
    let issuer = org_ref(db, issuer).await?;
    let targets = lower_offices(db, scope, &issuer, &fp.org_ids).await?;
    if let Some(fid) = source {
        let f = crate::fieldwork::get_finding(db, scope, fid).await?;
        xuncha_domain::linkage::fill_from_finding(&mut fp, &f.title, &f.facts);
        category_id = category_id.or(f.category_id);
    }
    if fp.title.is_empty() || fp.content.is_empty() {
        let field = if fp.title.is_empty() {
            "title"
        } else {
            "content"
        };
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            FieldError::required(field),
        ])));
    }
    if let Some(c) = category_id {
        let found: Option<i64> = crate::on_db!(db, p => sqlx::query_scalar("SELECT id FROM categories WHERE id = $1")
            .bind(c).fetch_optional(p).await?);
        if found.is_none() {
            return Err(StoreError::NotFound);
        }
    }
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO focus_points (issuer_org_id, title, content, category_id, source_finding_id, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id")
            .bind(issuer.id.get()).bind(&fp.title).bind(&fp.content).bind(category_id).bind(source.map(FindingId::get))
            .bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        for o in &targets {
            sqlx::query("INSERT INTO focus_point_targets (focus_point_id, org_id) VALUES ($1, $2)")
                .bind(id).bind(o.id.get()).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("linkage.focus", "focus_point", id,
            Msg::new("linkage.audit_focus").arg("title", &fp.title).arg("n", targets.len()).render()));
        tx.commit().await?;
        id
    }))
}

/// The focus points the caller sees (issued within its scope or pushed to its office), newest
/// first.
pub async fn list_focus(
    db: &Db,
    scope: &Scope,
    office: OrgId,
    page: PageReq,
) -> Result<Page<FocusRow>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| push_focus_filter(qb, scope, office);
        Ok(crate::page_of!(p, SELECT_FOCUS, filter, " ORDER BY fp.id DESC", page, FocusRow))
    })
}

/// One focus point the caller sees.
pub async fn get_focus(db: &Db, scope: &Scope, office: OrgId, id: i64) -> Result<FocusRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_FOCUS);
        qb.push(" AND fp.id = ").push_bind(id);
        push_focus_filter(&mut qb, scope, office);
        qb.build_query_as::<FocusRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// A focus point's target office, as its issuing side sees it.
#[derive(Debug, Clone, FromRow)]
pub struct FocusTarget {
    pub org_id: OrgId,
    pub org_name: String,
}

/// The offices a focus point was pushed to that the caller's scope reaches (bounded by the
/// focus point's targets).
pub async fn focus_targets(db: &Db, scope: &Scope, id: i64) -> Result<Vec<FocusTarget>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT ro.id AS org_id, ro.name AS org_name FROM focus_point_targets ft \
             JOIN organisations ro ON ro.id = ft.org_id WHERE ft.focus_point_id = ");
        qb.push_bind(id);
        scope.push_filter(&mut qb, RECIPIENT_COLS);
        qb.push(" ORDER BY ro.path");
        Ok(qb.build_query_as::<FocusTarget>().fetch_all(p).await?)
    })
}

/// A round that adopted a focus point, with the findings that follow it up.
#[derive(Debug, Clone, FromRow)]
pub struct Adoption {
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub owner_name: String,
    pub adopted_at: OffsetDateTime,
    /// Findings of the round linked to the focus point (those the caller's scope reaches).
    pub findings: i64,
}

/// The rounds that adopted focus point `id`, where the caller's scope reaches their office
/// (bounded by the focus point's adoptions), with their linked findings counted in scope.
pub async fn adoptions(db: &Db, scope: &Scope, id: i64) -> Result<Vec<Adoption>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT r.id AS round_id, r.name AS round_name, r.owner_org_id, ow.name AS owner_name, a.adopted_at, \
             (SELECT COUNT(*) FROM finding_focus_points ff JOIN findings f ON f.id = ff.finding_id JOIN round_units ru ON ru.id = f.round_unit_id \
              JOIN organisations ow ON ow.id = ru.owner_org_id WHERE ff.focus_point_id = a.focus_point_id AND ff.round_id = a.round_id");
        scope.push_unit_filter(&mut qb);
        qb.push(") AS findings FROM round_focus_points a JOIN rounds r ON r.id = a.round_id JOIN organisations ow ON ow.id = r.owner_org_id \
             WHERE a.focus_point_id = ");
        qb.push_bind(id);
        scope.push_filter(&mut qb, crate::inspection::OWNER_COLS);
        qb.push(" ORDER BY ow.path, r.id");
        Ok(qb.build_query_as::<Adoption>().fetch_all(p).await?)
    })
}

/// A lower office's round adopts a focus point pushed to the round's office. The round must be
/// in the caller's scope and the focus point pushed to its office; anything else is "not found".
/// Adopting twice is a no-op.
pub async fn adopt(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    round_id: i64,
    focus_point_id: i64,
) -> Result<()> {
    let round = crate::inspection::get_round(db, scope, round_id).await?;
    let title: Option<String> = crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT fp.title FROM focus_points fp JOIN focus_point_targets ft ON ft.focus_point_id = fp.id WHERE fp.id = $1 AND ft.org_id = $2")
        .bind(focus_point_id).bind(round.owner_org_id.get()).fetch_optional(p).await?);
    let title = title.ok_or(StoreError::NotFound)?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT round_id FROM round_focus_points WHERE round_id = $1 AND focus_point_id = $2")
            .bind(round_id).bind(focus_point_id).fetch_optional(&mut *tx).await?;
        if exists.is_none() {
            sqlx::query("INSERT INTO round_focus_points (round_id, focus_point_id, adopted_by, adopted_at) VALUES ($1, $2, $3, $4)")
                .bind(round_id).bind(focus_point_id).bind(actor.user_id).bind(now).execute(&mut *tx).await?;
            crate::audit_append!(db, tx, actor, &Event::op("linkage.adopt", "round", round_id,
                Msg::new("linkage.audit_adopt").arg("round", &round.name).arg("title", &title).render()));
        }
        tx.commit().await?;
    });
    Ok(())
}

/// A round's adopted focus points (bounded by the round's adoptions).
#[derive(Debug, Clone, FromRow)]
pub struct RoundFocus {
    pub focus_point_id: i64,
    pub title: String,
    pub issuer_name: String,
}

/// The focus points round `round_id` adopted; the round must be in the caller's scope.
pub async fn round_focus(db: &Db, scope: &Scope, round_id: i64) -> Result<Vec<RoundFocus>> {
    crate::inspection::get_round(db, scope, round_id).await?;
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, RoundFocus>("SELECT fp.id AS focus_point_id, fp.title, io.name AS issuer_name FROM round_focus_points a \
             JOIN focus_points fp ON fp.id = a.focus_point_id JOIN organisations io ON io.id = fp.issuer_org_id WHERE a.round_id = $1 ORDER BY fp.id")
            .bind(round_id).fetch_all(p).await?)
    })
}

/// Links a finding to a focus point its round adopted (or unlinks it with `None`). The finding
/// must be in the caller's scope (else "not found"); a focus point its round did not adopt is a
/// rule violation (409).
pub async fn link_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    finding_id: FindingId,
    focus_point_id: Option<i64>,
) -> Result<()> {
    crate::fieldwork::get_finding(db, scope, finding_id).await?;
    let round_id: i64 = crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT ru.round_id FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.id = $1")
        .bind(finding_id.get()).fetch_one(p).await?);
    let title = match focus_point_id {
        Some(fp) => {
            let t: Option<String> = crate::on_db!(db, p => sqlx::query_scalar(
                "SELECT fp.title FROM round_focus_points a JOIN focus_points fp ON fp.id = a.focus_point_id WHERE a.round_id = $1 AND a.focus_point_id = $2")
                .bind(round_id).bind(fp).fetch_optional(p).await?);
            Some(t.ok_or_else(|| {
                StoreError::Domain(DomainError::Rule(Msg::new("linkage.focus_not_adopted")))
            })?)
        }
        None => None,
    };
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("DELETE FROM finding_focus_points WHERE finding_id = $1").bind(finding_id.get()).execute(&mut *tx).await?;
        let summary = if let (Some(fp), Some(t)) = (focus_point_id, &title) {
            sqlx::query("INSERT INTO finding_focus_points (finding_id, focus_point_id, round_id) VALUES ($1, $2, $3)")
                .bind(finding_id.get()).bind(fp).bind(round_id).execute(&mut *tx).await?;
            Msg::new("linkage.audit_link").arg("id", finding_id.get()).arg("title", t).render()
        } else {
            Msg::new("linkage.audit_unlink").arg("id", finding_id.get()).render()
        };
        crate::audit_append!(db, tx, actor, &Event::op("linkage.link", "finding", finding_id.get(), summary));
        tx.commit().await?;
    });
    Ok(())
}

/// The focus point a finding follows up, if any (the caller has the finding in scope).
pub async fn finding_focus(db: &Db, finding_id: FindingId) -> Result<Option<i64>> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT focus_point_id FROM finding_focus_points WHERE finding_id = $1")
        .bind(finding_id.get()).fetch_optional(p).await?))
}

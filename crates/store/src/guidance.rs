//! 指导督导 storage: guidance visits, their members and visited offices, and the problems found
//! in the lower offices' own work with their rectification to write-off (docs/guidance.md).
//!
//! Visibility, in the queries:
//! - a **visit** (and every problem on it) is seen by callers whose data scope contains the
//!   visiting office, and by the visit's members;
//! - a **problem** is seen, besides, by the lower office it concerns once it has been fed back
//!   (its organisation in the caller's scope). The "lower" side of a caller is the problems fed
//!   back to offices in their scope by an office outside it: those they rectify.
//!
//! The tables are apart from the rectification ledger: nothing here touches `findings` or the
//! ledger's counters.

use sqlx::{Database, Encode, FromRow, QueryBuilder, Type};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::error::FieldError;
use xuncha_domain::guidance::{
    self as rules, ProblemCategory, ProblemState, ProblemStep, VisitForm, VisitState,
};
use xuncha_domain::i18n::Msg;
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// The visiting office of a visit (`vo` joined on `v.org_id`).
const VISIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "vo.path",
    org_id: "v.org_id",
    owner: "v.created_by",
};

/// The lower office of a problem.
const LOWER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "p.org_path",
    org_id: "p.org_id",
    owner: "p.created_by",
};

/// Appends ` AND (<visit visible>)`: the visiting office in scope, or the caller a member.
fn push_visit_visible<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    qb.push(" AND ((1 = 1");
    scope.push_filter(qb, VISIT_COLS);
    qb.push(") OR v.id IN (SELECT m.visit_id FROM guidance_visit_members m WHERE m.user_id = ");
    qb.push_bind(scope.user_id);
    qb.push("))");
}

/// Appends ` AND (<problem fed back to an office in scope by an office outside it>)`.
fn push_lower<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    qb.push(" AND p.state <> 'DRAFT'");
    scope.push_filter(qb, LOWER_COLS);
    qb.push(" AND NOT (1 = 1");
    scope.push_filter(qb, VISIT_COLS);
    qb.push(")");
}

/// Appends ` AND (<problem visible>)`: on a visible visit, or fed back to an office in scope.
fn push_problem_visible<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
{
    qb.push(" AND ((1 = 1");
    push_visit_visible(qb, scope);
    qb.push(") OR (p.state <> 'DRAFT'");
    scope.push_filter(qb, LOWER_COLS);
    qb.push("))");
}

fn rule(key: &'static str) -> StoreError {
    StoreError::Domain(DomainError::Rule(Msg::new(key)))
}

fn field(name: &str, msg: Msg) -> StoreError {
    StoreError::Domain(DomainError::Invalid(vec![FieldError::new(name, msg)]))
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct VisitRow {
    pub id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub title: String,
    pub form: String,
    pub period_from: Date,
    pub period_to: Date,
    pub state: String,
    pub fed_back_on: Option<Date>,
    pub created_by: Option<i64>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    /// Problems fed back (all but drafts).
    pub listed: i64,
    /// Problems written off.
    pub rectified: i64,
    /// Problems recorded in all (drafts included).
    pub recorded: i64,
    /// Fed back, not written off, past their deadline.
    pub overdue: i64,
}

impl VisitRow {
    pub fn state(&self) -> Result<VisitState> {
        VisitState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("guidance visit state {}", self.state)))
    }
}

fn select_visits<DB: Database>(today: Date) -> QueryBuilder<DB>
where
    for<'t> Date: Encode<'t, DB> + Type<DB>,
    <DB as Database>::Arguments: Default,
{
    let mut qb = QueryBuilder::new(
        "SELECT v.id, v.org_id, vo.name AS org_name, v.title, v.form, v.period_from, v.period_to, v.state, v.fed_back_on, \
         v.created_by, v.version, v.created_at, \
         (SELECT COUNT(*) FROM guidance_problems p WHERE p.visit_id = v.id AND p.state <> 'DRAFT') AS listed, \
         (SELECT COUNT(*) FROM guidance_problems p WHERE p.visit_id = v.id AND p.state = 'CLOSED') AS rectified, \
         (SELECT COUNT(*) FROM guidance_problems p WHERE p.visit_id = v.id) AS recorded, \
         (SELECT COUNT(*) FROM guidance_problems p WHERE p.visit_id = v.id AND p.state NOT IN ('DRAFT', 'CLOSED') AND p.deadline < ",
    );
    qb.push_bind(today);
    qb.push(
        ") AS overdue FROM guidance_visits v JOIN organisations vo ON vo.id = v.org_id WHERE 1 = 1",
    );
    qb
}

/// The visits the caller sees, newest first.
pub async fn list_visits(
    db: &Db,
    scope: &Scope,
    state: Option<VisitState>,
    page: PageReq,
) -> Result<Page<VisitRow>> {
    let today = db.today();
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM guidance_visits v JOIN organisations vo ON vo.id = v.org_id WHERE 1 = 1");
        let mut qb = select_visits(today);
        if let Some(s) = state {
            count.push(" AND v.state = ").push_bind(s.code());
            qb.push(" AND v.state = ").push_bind(s.code());
        }
        push_visit_visible(&mut count, scope);
        push_visit_visible(&mut qb, scope);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        qb.push(" ORDER BY v.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<VisitRow>().fetch_all(p).await?, total })
    })
}

/// One visit the caller sees (else not found).
pub async fn get_visit(db: &Db, scope: &Scope, id: i64) -> Result<VisitRow> {
    let today = db.today();
    crate::on_db!(db, p => {
        let mut qb = select_visits(today);
        qb.push(" AND v.id = ").push_bind(id);
        push_visit_visible(&mut qb, scope);
        qb.build_query_as::<VisitRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The members of a visit: `(user id, display name)`.
pub async fn visit_members(db: &Db, id: i64) -> Result<Vec<(i64, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT u.id, u.display_name FROM guidance_visit_members m JOIN users u ON u.id = m.user_id WHERE m.visit_id = $1 ORDER BY u.id")
        .bind(id).fetch_all(p).await?))
}

/// The offices a visit goes to: `(org id, name)`.
pub async fn visit_orgs(db: &Db, id: i64) -> Result<Vec<(OrgId, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT o.id, o.name FROM guidance_visit_orgs g JOIN organisations o ON o.id = g.org_id WHERE g.visit_id = $1 ORDER BY o.path")
        .bind(id).fetch_all(p).await?))
}

/// `(path, name)` of an organisation.
async fn org(db: &Db, id: OrgId) -> Result<Option<(String, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as("SELECT path, name FROM organisations WHERE id = $1")
        .bind(id).fetch_optional(p).await?))
}

/// The business users of an office (no administrator), for picking a visit's members:
/// `(user id, display name)`; one office's users, bounded by the office (tens).
pub async fn office_users(db: &Db, office: OrgId) -> Result<Vec<(i64, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT id, display_name FROM users WHERE org_id = $1 AND id NOT IN \
         (SELECT ur.user_id FROM user_roles ur JOIN roles r ON r.id = ur.role_id WHERE r.admin_class IS NOT NULL) ORDER BY id")
        .bind(office).fetch_all(p).await?))
}

/// The offices directly below an office (cities below the province, counties below a city),
/// for picking the offices a visit goes to: `(org id, name)`; one office's children (a dozen).
pub async fn lower_offices(db: &Db, office: OrgId) -> Result<Vec<(OrgId, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT id, name FROM organisations WHERE parent_id = $1 AND kind IN ('city', 'county') ORDER BY path")
        .bind(office).fetch_all(p).await?))
}

/// A planned visit.
#[derive(Debug, Clone)]
pub struct VisitDraft {
    pub title: String,
    pub form: VisitForm,
    pub period_from: Date,
    pub period_to: Date,
    pub member_ids: Vec<i64>,
    pub org_ids: Vec<OrgId>,
}

/// Plans a visit of `office` (the caller's office). Every visited office must exist in the
/// caller's scope (else not found) and lie below `office` (else 422); every member must be a
/// user of `office` (unknown: not found; another office's: 422).
pub async fn create_visit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    office: OrgId,
    d: &VisitDraft,
) -> Result<i64> {
    let (office_path, office_name) = org(db, office).await?.ok_or(StoreError::NotFound)?;
    for (i, id) in d.org_ids.iter().enumerate() {
        let (path, _) = org(db, *id).await?.ok_or(StoreError::NotFound)?;
        if !scope.contains(*id, &path, None) {
            return Err(StoreError::NotFound);
        }
        if !(path.starts_with(&office_path) && path != office_path) {
            return Err(field(
                &format!("org_ids[{i}]"),
                Msg::new("guidance.not_lower_office"),
            ));
        }
    }
    for (i, uid) in d.member_ids.iter().enumerate() {
        let user_org: Option<(OrgId, String)> = crate::on_db!(db, p => sqlx::query_as(
            "SELECT u.org_id, o.path FROM users u JOIN organisations o ON o.id = u.org_id WHERE u.id = $1")
            .bind(*uid).fetch_optional(p).await?);
        let (uorg, upath) = user_org.ok_or(StoreError::NotFound)?;
        if !scope.contains(uorg, &upath, None) {
            return Err(StoreError::NotFound);
        }
        if uorg != office {
            return Err(field(
                &format!("member_ids[{i}]"),
                Msg::new("guidance.member_not_of_office").arg("org", &office_name),
            ));
        }
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO guidance_visits (org_id, title, form, period_from, period_to, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id")
            .bind(office).bind(&d.title).bind(d.form.code()).bind(d.period_from).bind(d.period_to)
            .bind(VisitState::Planned.code()).bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        for uid in &d.member_ids {
            sqlx::query("INSERT INTO guidance_visit_members (visit_id, user_id) VALUES ($1, $2)")
                .bind(id).bind(*uid).execute(&mut *tx).await?;
        }
        for oid in &d.org_ids {
            sqlx::query("INSERT INTO guidance_visit_orgs (visit_id, org_id) VALUES ($1, $2)")
                .bind(id).bind(*oid).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("guidance.create", "guidance_visit", id,
            Msg::new("guidance.audit_create").arg("title", &d.title).render()));
        tx.commit().await?;
        Ok(id)
    })
}

/// Moves a visit one step; feeding back turns its draft problems into fed-back ones (the lower
/// offices see them from then on).
pub async fn transition_visit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    to: VisitState,
    version: i64,
) -> Result<()> {
    let v = get_visit(db, scope, id).await?;
    let from = v.state()?;
    rules::check_visit_transition(from, to)?;
    let now = db.now();
    let today = db.today();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query(
            "UPDATE guidance_visits SET state = $1, fed_back_on = CASE WHEN $1 = 'FED_BACK' THEN $2 ELSE fed_back_on END, \
             version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5 AND state = $6")
            .bind(to.code()).bind(today).bind(now).bind(id).bind(version).bind(from.code())
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if to == VisitState::FedBack {
            sqlx::query("UPDATE guidance_problems SET state = 'FED_BACK', version = version + 1, updated_at = $1 WHERE visit_id = $2 AND state = 'DRAFT'")
                .bind(now).bind(id).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("guidance.transition", "guidance_visit", id,
            Msg::new("guidance.audit_transition").arg("title", &v.title).arg("from", from.label()).arg("to", to.label()).render()));
        tx.commit().await?;
        Ok(())
    })
}

/// Records a problem in the work of one of the visited offices, while the visit is in
/// progress. The office must be in the caller's scope (else not found) and among the visit's
/// offices (else 422).
pub async fn add_problem(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    visit_id: i64,
    org_id: OrgId,
    category: ProblemCategory,
    text: &str,
) -> Result<i64> {
    let v = get_visit(db, scope, visit_id).await?;
    let (path, org_name) = org(db, org_id).await?.ok_or(StoreError::NotFound)?;
    if !scope.contains(org_id, &path, None) {
        return Err(StoreError::NotFound);
    }
    if !visit_orgs(db, visit_id)
        .await?
        .iter()
        .any(|(o, _)| *o == org_id)
    {
        return Err(field("org_id", Msg::new("guidance.not_lower_office")));
    }
    rules::check_problem_recordable(v.state()?)?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO guidance_problems (visit_id, org_id, org_path, category, text, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, 'DRAFT', $6, $7, $7) RETURNING id")
            .bind(visit_id).bind(org_id).bind(&path).bind(category.code()).bind(text).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("guidance.problem", "guidance_problem", id,
            Msg::new("guidance.audit_problem").arg("title", &v.title).arg("org", &org_name).render()));
        tx.commit().await?;
        Ok(id)
    })
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ProblemRow {
    pub id: i64,
    pub visit_id: i64,
    pub visit_title: String,
    pub visiting_org_id: OrgId,
    pub visiting_org_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub category: String,
    pub text: String,
    pub state: String,
    pub measure: Option<String>,
    pub progress: Option<String>,
    pub deadline: Option<Date>,
    pub opinion: Option<String>,
    pub closed_on: Option<Date>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl ProblemRow {
    pub fn state(&self) -> Result<ProblemState> {
        ProblemState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("guidance problem state {}", self.state)))
    }
}

const SELECT_PROBLEMS: &str = "SELECT p.id, p.visit_id, v.title AS visit_title, v.org_id AS visiting_org_id, vo.name AS visiting_org_name, \
     p.org_id, o.name AS org_name, p.category, p.text, p.state, p.measure, p.progress, p.deadline, p.opinion, p.closed_on, \
     p.version, p.created_at, p.updated_at \
     FROM guidance_problems p JOIN guidance_visits v ON v.id = p.visit_id JOIN organisations vo ON vo.id = v.org_id \
     JOIN organisations o ON o.id = p.org_id WHERE 1 = 1";

const COUNT_PROBLEMS: &str = "SELECT COUNT(*) FROM guidance_problems p JOIN guidance_visits v ON v.id = p.visit_id \
     JOIN organisations vo ON vo.id = v.org_id WHERE 1 = 1";

/// Whose problems a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Side {
    /// Every problem the caller sees.
    #[default]
    All,
    /// Problems fed back to offices in the caller's scope by an office outside it (to rectify).
    Lower,
    /// Problems of the visits the caller sees (to verify).
    Visiting,
}

#[derive(Debug, Clone, Default)]
pub struct ProblemFilter {
    pub side: Side,
    pub visit_id: Option<i64>,
    pub states: Vec<ProblemState>,
    pub overdue: bool,
}

fn push_problem_filter<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope, f: &ProblemFilter, today: Date)
where
    DB: Database,
    for<'t> String: Encode<'t, DB> + Type<DB>,
    for<'t> i64: Encode<'t, DB> + Type<DB>,
    for<'t> Date: Encode<'t, DB> + Type<DB>,
{
    if let Some(v) = f.visit_id {
        qb.push(" AND p.visit_id = ").push_bind(v);
    }
    if !f.states.is_empty() {
        qb.push(" AND p.state IN (");
        let mut sep = qb.separated(", ");
        for s in &f.states {
            sep.push_bind(s.code().to_string());
        }
        qb.push(")");
    }
    if f.overdue {
        qb.push(" AND p.state NOT IN ('DRAFT', 'CLOSED') AND p.deadline < ")
            .push_bind(today);
    }
    match f.side {
        Side::All => push_problem_visible(qb, scope),
        Side::Lower => push_lower(qb, scope),
        Side::Visiting => push_visit_visible(qb, scope),
    }
}

/// The problems the caller sees on `side`, oldest first within the newest visit.
pub async fn list_problems(
    db: &Db,
    scope: &Scope,
    f: &ProblemFilter,
    page: PageReq,
) -> Result<Page<ProblemRow>> {
    let today = db.today();
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(COUNT_PROBLEMS);
        let mut qb = QueryBuilder::new(SELECT_PROBLEMS);
        push_problem_filter(&mut count, scope, f, today);
        push_problem_filter(&mut qb, scope, f, today);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        qb.push(" ORDER BY p.visit_id DESC, p.id LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<ProblemRow>().fetch_all(p).await?, total })
    })
}

/// The number of problems `f` selects (a to-do's count).
pub async fn count_problems(db: &Db, scope: &Scope, f: &ProblemFilter) -> Result<i64> {
    let today = db.today();
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new(COUNT_PROBLEMS);
        push_problem_filter(&mut count, scope, f, today);
        Ok(count.build_query_scalar().fetch_one(p).await?)
    })
}

/// A problem the caller sees, and on which sides: `(row, visiting, lower)`.
pub async fn get_problem(db: &Db, scope: &Scope, id: i64) -> Result<(ProblemRow, bool, bool)> {
    let row = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_PROBLEMS);
        qb.push(" AND p.id = ").push_bind(id);
        push_problem_visible(&mut qb, scope);
        qb.build_query_as::<ProblemRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)?
    });
    let on = |side| {
        let f = ProblemFilter {
            side,
            ..ProblemFilter::default()
        };
        async move {
            crate::on_db!(db, p => {
                let mut qb = QueryBuilder::new(COUNT_PROBLEMS);
                qb.push(" AND p.id = ").push_bind(id);
                push_problem_filter(&mut qb, scope, &f, db.today());
                let n: i64 = qb.build_query_scalar().fetch_one(p).await?;
                Ok::<bool, StoreError>(n > 0)
            })
        }
    };
    let visiting = on(Side::Visiting).await?;
    let lower = on(Side::Lower).await?;
    Ok((row, visiting, lower))
}

/// What the lower office reports with [`ProblemStep::Rectify`].
#[derive(Debug, Clone)]
pub struct Rectification {
    pub measure: String,
    pub progress: String,
    pub deadline: Date,
}

/// One step of a problem: the lower office rectifies or asks for write-off; the visiting
/// office writes off or returns (with an opinion).
pub async fn step_problem(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: ProblemStep,
    rect: Option<&Rectification>,
    opinion: &str,
    version: i64,
) -> Result<ProblemRow> {
    let (row, visiting, lower) = get_problem(db, scope, id).await?;
    let lower_step = matches!(step, ProblemStep::Rectify | ProblemStep::RequestWriteOff);
    if lower_step && !lower {
        return Err(rule("guidance.not_lower_office_user"));
    }
    if !lower_step && !visiting {
        return Err(rule("guidance.not_visiting_office"));
    }
    let from = row.state()?;
    let to = rules::problem_step(from, step)?;
    let now = db.now();
    let today = db.today();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let q = match (step, rect) {
            (ProblemStep::Rectify, Some(r)) => sqlx::query(
                "UPDATE guidance_problems SET state = $1, measure = $2, progress = $3, deadline = $4, version = version + 1, updated_at = $5 \
                 WHERE id = $6 AND version = $7 AND state = $8")
                .bind(to.code()).bind(&r.measure).bind(&r.progress).bind(r.deadline),
            (ProblemStep::WriteOff, _) => sqlx::query(
                "UPDATE guidance_problems SET state = $1, opinion = $2, closed_on = $3, version = version + 1, updated_at = $4 \
                 WHERE id = $5 AND version = $6 AND state = $7")
                .bind(to.code()).bind(opinion).bind(today),
            _ => sqlx::query(
                "UPDATE guidance_problems SET state = $1, opinion = $2, version = version + 1, updated_at = $3 \
                 WHERE id = $4 AND version = $5 AND state = $6")
                .bind(to.code()).bind(if step == ProblemStep::Return { Some(opinion) } else { None::<&str> }),
        };
        let n = q.bind(now).bind(id).bind(version).bind(from.code()).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("guidance.problem_step", "guidance_problem", id,
            Msg::new("guidance.audit_problem_step").arg("id", id).arg("org", &row.org_name).arg("from", from.label()).arg("to", to.label()).render()));
        tx.commit().await?;
    });
    Ok(get_problem(db, &Scope::unrestricted(), id).await?.0)
}

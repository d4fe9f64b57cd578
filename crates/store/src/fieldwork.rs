//! Fieldwork (the 12+N methods), supervision frames and findings (问题底稿 → 问题清单).

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::{DEFAULT_FRAMES, FindingState};
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{BeginWrite, Db, Result, StoreError};
use crate::inspection::{RoundUnit, get_unit};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Method {
    pub code: String,
    pub name: String,
    pub compartment: Option<String>,
    pub active: bool,
}

pub async fn methods(db: &Db) -> Result<Vec<Method>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Method>("SELECT code, name, compartment, active FROM fieldwork_methods ORDER BY sort").fetch_all(p).await?))
}

/// Adds a method (the "N" of 12+N) or renames / (de)activates an existing one.
pub async fn save_method(
    db: &Db,
    actor: &Actor,
    code: &str,
    name: &str,
    active: bool,
) -> Result<Vec<Method>> {
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let exists: Option<String> = sqlx::query_scalar("SELECT code FROM fieldwork_methods WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            sqlx::query("UPDATE fieldwork_methods SET name = $1, active = $2 WHERE code = $3").bind(name).bind(active).bind(code).execute(&mut *tx).await?;
        } else {
            let sort: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(sort), 0) + 1 FROM fieldwork_methods").fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO fieldwork_methods (code, name, compartment, sort, active) VALUES ($1, $2, NULL, $3, $4)")
                .bind(code).bind(name).bind(sort).bind(active).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("fieldwork.method", "fieldwork_method", code, format!("了解方式 {code}：{name}（{}）", if active { "启用" } else { "停用" })));
        tx.commit().await?;
    });
    methods(db).await
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Activity {
    pub id: i64,
    pub round_unit_id: i64,
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

pub async fn activities(db: &Db, scope: &Scope, unit_id: i64) -> Result<Vec<Activity>> {
    get_unit(db, scope, unit_id).await?;
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, Activity>(
            "SELECT a.id, a.round_unit_id, a.method, m.name AS method_name, m.compartment, a.held_on, a.persons, a.item_count, a.summary, a.summary_enc, a.created_by_name, a.created_at \
             FROM activities a JOIN fieldwork_methods m ON m.code = a.method WHERE a.round_unit_id = $1 ORDER BY a.held_on DESC, a.id DESC")
            .bind(unit_id).fetch_all(p).await?)
    })
}

/// Refuses writes to a unit whose problem list has been handed over.
fn check_open(unit: &RoundUnit) -> Result<()> {
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
    unit_id: i64,
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
        let mut tx = p.begin_write().await?;
        let known: Option<bool> = sqlx::query_scalar("SELECT active FROM fieldwork_methods WHERE code = $1").bind(method).fetch_optional(&mut *tx).await?;
        if known != Some(true) {
            return Err(StoreError::Domain(DomainError::field("method", Msg::new("inspection.method_unknown").arg("value", method))));
        }
        let province: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO activities (province_id, round_unit_id, method, held_on, persons, item_count, summary, summary_enc, created_by, created_by_name, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id")
            .bind(province).bind(unit_id).bind(method).bind(held_on).bind(persons).bind(count).bind(summary).bind(summary_enc)
            .bind(actor.user_id).bind(&actor.name).bind(now).fetch_one(&mut *tx).await?;
        // The content of talks is compartmented: the audit trail records only that one was logged.
        crate::audit_append!(db, tx, actor, &Event::op("activity.create", "activity", id, format!("{}：登记了解情况（{method}，{persons}人次）", unit.org_name)));
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

// ---------------------------------------------------------------------------------------------
// Frames

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FrameRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version_no: i32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub frame_id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

pub async fn frames(db: &Db) -> Result<(Vec<FrameRow>, Vec<CategoryRow>)> {
    crate::on_db!(db, p => {
        Ok((sqlx::query_as::<_, FrameRow>("SELECT id, code, name, version_no, active FROM frames ORDER BY id").fetch_all(p).await?,
            sqlx::query_as::<_, CategoryRow>("SELECT id, frame_id, parent_id, code, name FROM categories ORDER BY frame_id, sort, id").fetch_all(p).await?))
    })
}

/// One category of an imported frame.
#[derive(Debug, Clone)]
pub struct CategoryImport {
    pub row: usize,
    pub frame_code: String,
    pub frame_name: String,
    pub version_no: i32,
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Imports frames and categories (a new version of a frame is a new frame row). All or nothing:
/// an unknown parent or a duplicate code in one frame refuses the whole file.
pub async fn import_frames(
    db: &Db,
    actor: &Actor,
    rows: &[CategoryImport],
) -> Result<std::result::Result<(usize, usize), Vec<crate::orgs::RowError>>> {
    use std::collections::{HashMap, HashSet};
    let mut errors = Vec::new();
    let mut seen: HashSet<(String, i32, String)> = HashSet::new();
    for r in rows {
        if !seen.insert((r.frame_code.clone(), r.version_no, r.code.clone())) {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: "类别编码".into(),
                msg: Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &r.code),
            });
        }
    }
    for r in rows {
        if let Some(pc) = &r.parent_code
            && !seen.contains(&(r.frame_code.clone(), r.version_no, pc.clone()))
        {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: "上级类别编码".into(),
                msg: Msg::new("import.parent_unknown").arg("value", pc),
            });
        }
    }
    let (existing, _) = frames(db).await?;
    let existing: HashSet<(&str, i32)> = existing
        .iter()
        .map(|f| (f.code.as_str(), f.version_no))
        .collect();
    for r in rows {
        if existing.contains(&(r.frame_code.as_str(), r.version_no)) {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: "版本".into(),
                msg: Msg::new("validation.duplicate")
                    .arg("field", "版本")
                    .arg("value", format!("{} v{}", r.frame_code, r.version_no)),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        errors.dedup_by(|a, b| a.row == b.row && a.column == b.column);
        return Ok(Err(errors));
    }
    let now = db.now();
    let (nf, nc) = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let mut frame_ids: HashMap<(String, i32), i64> = HashMap::new();
        let mut cat_ids: HashMap<(i64, String), i64> = HashMap::new();
        // Parents first, in linear time; a row never reached lies on a cycle.
        let index: HashMap<(&str, i32, &str), usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.frame_code.as_str(), r.version_no, r.code.as_str()), i))
            .collect();
        let parent_of: Vec<Option<usize>> = rows
            .iter()
            .map(|r| r.parent_code.as_deref().and_then(|pc| index.get(&(r.frame_code.as_str(), r.version_no, pc)).copied()))
            .collect();
        let order = xuncha_domain::org::parents_first(&parent_of);
        if order.len() < rows.len() {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new("import.cycle"))));
        }
        let mut sort = 0;
        for &i in &order {
            let r = &rows[i];
            let key = (r.frame_code.clone(), r.version_no);
            let fid = match frame_ids.get(&key) {
                Some(f) => *f,
                None => {
                    let f: i64 = sqlx::query_scalar("INSERT INTO frames (code, name, version_no, active, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                        .bind(&r.frame_code).bind(&r.frame_name).bind(r.version_no).bind(true).bind(now).fetch_one(&mut *tx).await?;
                    frame_ids.insert(key, f);
                    f
                }
            };
            let parent = match &r.parent_code {
                None => None,
                Some(pc) => Some(*cat_ids.get(&(fid, pc.clone())).ok_or_else(|| StoreError::Corrupt(format!("category {pc} not placed")))?),
            };
            sort += 1;
            let id: i64 = sqlx::query_scalar("INSERT INTO categories (frame_id, parent_id, code, name, sort) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(fid).bind(parent).bind(&r.code).bind(&r.name).bind(sort).fetch_one(&mut *tx).await?;
            cat_ids.insert((fid, r.code.clone()), id);
        }
        crate::audit_append!(db, tx, actor, &Event::op("frame.import", "frame", "", format!("导入问题类别 {} 个框架、{} 个类别", frame_ids.len(), cat_ids.len())));
        tx.commit().await?;
        (frame_ids.len(), cat_ids.len())
    });
    Ok(Ok((nf, nc)))
}

/// Creates the built-in frames when no frame exists yet.
pub async fn ensure_default_frames(db: &Db) -> Result<()> {
    let (existing, _) = frames(db).await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let rows: Vec<CategoryImport> = DEFAULT_FRAMES
        .iter()
        .flat_map(|f| {
            f.categories.iter().map(|(code, name)| CategoryImport {
                row: 0,
                frame_code: f.code.to_string(),
                frame_name: f.name.to_string(),
                version_no: 1,
                code: (*code).to_string(),
                name: (*name).to_string(),
                parent_code: None,
            })
        })
        .collect();
    match import_frames(db, &Actor::system("system"), &rows).await? {
        Ok(_) => Ok(()),
        Err(e) => Err(StoreError::Corrupt(format!("default frames: {e:?}"))),
    }
}

// ---------------------------------------------------------------------------------------------
// Findings

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Finding {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub frame_name: Option<String>,
    pub title: String,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub evidence: String,
    pub finder: String,
    pub team_opinion: String,
    pub state: String,
    pub immediate_requirement: Option<String>,
    pub immediate_deadline: Option<Date>,
    pub immediate_received_at: Option<OffsetDateTime>,
    pub immediate_done_at: Option<OffsetDateTime>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Finding {
    pub fn state(&self) -> Result<FindingState> {
        FindingState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("finding state {}", self.state)))
    }
}

const SELECT_FINDING: &str = "SELECT f.id, f.round_unit_id, r.name AS round_name, ru.owner_org_id, f.org_id, o.name AS org_name, f.category_id, \
     c.name AS category_name, fr.name AS frame_name, f.title, f.facts, f.basis, f.responsibility, f.evidence, f.finder, f.team_opinion, f.state, \
     f.immediate_requirement, f.immediate_deadline, f.immediate_received_at, f.immediate_done_at, f.version, f.created_at, f.updated_at \
     FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = f.org_id JOIN organisations ow ON ow.id = ru.owner_org_id \
     LEFT JOIN categories c ON c.id = f.category_id LEFT JOIN frames fr ON fr.id = c.frame_id WHERE 1 = 1";

/// The inspected unit's view: the inspected organisation in scope.
const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub round_unit_id: Option<i64>,
    pub org_id: Option<OrgId>,
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
}

fn push_finding_filter<DB>(qb: &mut QueryBuilder<DB>, f: &FindingFilter)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(u) = f.round_unit_id {
        qb.push(" AND f.round_unit_id = ").push_bind(u);
    }
    if let Some(o) = f.org_id {
        qb.push(" AND f.org_id = ").push_bind(o);
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        qb.push(" AND f.state = ").push_bind(s.clone());
    }
    if let Some(c) = f.category_id {
        qb.push(" AND f.category_id = ").push_bind(c);
    }
    if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        qb.push(" AND f.title LIKE ")
            .push_bind(format!("%{}%", q.replace(['%', '_'], "")));
    }
}

pub async fn list_findings(
    db: &Db,
    scope: &Scope,
    f: &FindingFilter,
    page: PageReq,
) -> Result<Page<Finding>> {
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1");
        push_finding_filter(&mut count, f);
        scope.push_unit_filter(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(SELECT_FINDING);
        push_finding_filter(&mut qb, f);
        scope.push_unit_filter(&mut qb);
        qb.push(" ORDER BY f.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<Finding>().fetch_all(p).await?, total })
    })
}

pub async fn get_finding(db: &Db, scope: &Scope, id: i64) -> Result<Finding> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_FINDING);
        qb.push(" AND f.id = ").push_bind(id);
        scope.push_unit_filter(&mut qb);
        qb.build_query_as::<Finding>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The inspected unit's problem list: fed-back findings of organisations in the caller's scope.
pub async fn problems(db: &Db, scope: &Scope, org_id: Option<OrgId>) -> Result<Vec<Finding>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_FINDING);
        qb.push(" AND f.state NOT IN ('DRAFT', 'CONFIRMED', 'IN_REPORT')");
        if let Some(o) = org_id { qb.push(" AND f.org_id = ").push_bind(o); }
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY f.round_unit_id, f.id LIMIT 2000");
        Ok(qb.build_query_as::<Finding>().fetch_all(p).await?)
    })
}

pub async fn finding_activities(db: &Db, id: i64) -> Result<Vec<i64>> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT activity_id FROM finding_activities WHERE finding_id = $1 ORDER BY activity_id").bind(id).fetch_all(p).await?))
}

/// The validated content of a workpaper.
#[derive(Debug, Clone)]
pub struct FindingDraft {
    pub title: String,
    pub category_id: Option<i64>,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub evidence: String,
    pub finder: String,
    pub team_opinion: String,
    pub activity_ids: Vec<i64>,
}

macro_rules! link_activities {
    ($tx:expr, $fid:expr, $unit_id:expr, $ids:expr) => {{
        sqlx::query("DELETE FROM finding_activities WHERE finding_id = $1")
            .bind($fid)
            .execute(&mut *$tx)
            .await?;
        for a in $ids {
            let owner: Option<i64> =
                sqlx::query_scalar("SELECT round_unit_id FROM activities WHERE id = $1")
                    .bind(*a)
                    .fetch_optional(&mut *$tx)
                    .await?;
            if owner != Some($unit_id) {
                return Err(StoreError::Domain(DomainError::field(
                    "activity_ids",
                    Msg::new("api.not_found"),
                )));
            }
            sqlx::query("INSERT INTO finding_activities (finding_id, activity_id) VALUES ($1, $2)")
                .bind($fid)
                .bind(*a)
                .execute(&mut *$tx)
                .await?;
        }
    }};
}

async fn check_category(db: &Db, id: Option<i64>) -> Result<()> {
    if let Some(c) = id {
        let ok: Option<i64> = crate::on_db!(db, p => sqlx::query_scalar("SELECT id FROM categories WHERE id = $1").bind(c).fetch_optional(p).await?);
        if ok.is_none() {
            return Err(StoreError::Domain(DomainError::field(
                "category_id",
                Msg::new("inspection.frame_not_found"),
            )));
        }
    }
    Ok(())
}

pub async fn create_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
    d: &FindingDraft,
) -> Result<Finding> {
    let unit = get_unit(db, scope, unit_id).await?;
    check_open(&unit)?;
    check_category(db, d.category_id).await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let province: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1").bind(unit_id).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO findings (province_id, round_unit_id, org_id, category_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_by, created_at, updated_at, org_path) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, (SELECT path FROM organisations WHERE id = $3)) RETURNING id")
            .bind(province).bind(unit_id).bind(unit.org_id).bind(d.category_id).bind(&d.title).bind(&d.facts).bind(&d.basis).bind(&d.responsibility)
            .bind(&d.evidence).bind(&d.finder).bind(&d.team_opinion).bind(FindingState::Draft.code()).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        link_activities!(tx, id, unit_id, &d.activity_ids);
        crate::event_append!(db, tx, "finding", id, actor, None::<String>, FindingState::Draft.code(), "撰写问题底稿");
        crate::audit_append!(db, tx, actor, &Event::op("finding.create", "finding", id, format!("{}：撰写问题底稿“{}”", unit.org_name, d.title)));
        tx.commit().await?;
        id
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

pub async fn update_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    d: &FindingDraft,
    version: i64,
) -> Result<Finding> {
    let f = get_finding(db, scope, id).await?;
    if f.state()? != FindingState::Draft {
        return Err(StoreError::Domain(DomainError::Rule(Msg::new(
            "inspection.finding_not_draft",
        ))));
    }
    check_category(db, d.category_id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query(
            "UPDATE findings SET category_id = $1, title = $2, facts = $3, basis = $4, responsibility = $5, evidence = $6, finder = $7, team_opinion = $8, \
             version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11 AND state = 'DRAFT'")
            .bind(d.category_id).bind(&d.title).bind(&d.facts).bind(&d.basis).bind(&d.responsibility).bind(&d.evidence).bind(&d.finder)
            .bind(&d.team_opinion).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        link_activities!(tx, id, f.round_unit_id, &d.activity_ids);
        crate::audit_append!(db, tx, actor, &Event::op("finding.update", "finding", id, format!("修改问题底稿“{}”", d.title)));
        tx.commit().await?;
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

pub async fn transition_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    to: FindingState,
    comment: &str,
    version: i64,
) -> Result<Finding> {
    let f = get_finding(db, scope, id).await?;
    let from = f.state()?;
    from.check_manual(to)?;
    let unit = get_unit(db, &Scope::unrestricted(), f.round_unit_id).await?;
    if unit.state()?.is_fed_back() {
        return Err(StoreError::Domain(DomainError::Rule(Msg::new(
            "inspection.round_closed",
        ))));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE findings SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(to.code()).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "finding", id, actor, Some(from.code()), to.code(), comment);
        crate::audit_append!(db, tx, actor, &Event::op("finding.transition", "finding", id, format!("“{}”：{} → {}", f.title, from.label(), to.label())));
        tx.commit().await?;
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

/// 立行立改: issue the notice, record the unit's receipt, record completion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImmediateStep {
    Issue,
    Receipt,
    Done,
}

pub async fn immediate_fix(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    step: ImmediateStep,
    requirement: &str,
    deadline: Option<Date>,
) -> Result<Finding> {
    let f = get_finding(db, scope, id).await?;
    let now = db.now();
    match step {
        ImmediateStep::Issue if f.immediate_requirement.is_some() => {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "inspection.immediate_exists",
            ))));
        }
        ImmediateStep::Issue => {
            // 立行立改 is finished during the round: the deadline cannot fall after its end.
            let round_end: Date = crate::on_db!(db, p => {
                sqlx::query_scalar("SELECT r.end_date FROM rounds r JOIN round_units ru ON ru.round_id = r.id WHERE ru.id = $1")
                    .bind(f.round_unit_id).fetch_one(p).await?
            });
            if let Some(d) = deadline {
                xuncha_domain::inspection::check_immediate_deadline(d, db.today(), round_end)
                    .map_err(|e| StoreError::Domain(DomainError::Invalid(vec![e])))?;
            }
        }
        ImmediateStep::Receipt | ImmediateStep::Done if f.immediate_requirement.is_none() => {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "inspection.immediate_missing",
            ))));
        }
        // "Done" is recorded only after the unit signed for the notice.
        ImmediateStep::Done if f.immediate_received_at.is_none() => {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "inspection.immediate_not_received",
            ))));
        }
        _ => {}
    }
    let label = match step {
        ImmediateStep::Issue => "下发立行立改通知",
        ImmediateStep::Receipt => "签收立行立改通知",
        ImmediateStep::Done => "立行立改完成",
    };
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        match step {
            ImmediateStep::Issue => {
                sqlx::query("UPDATE findings SET immediate_requirement = $1, immediate_deadline = $2, version = version + 1, updated_at = $3 WHERE id = $4")
                    .bind(requirement).bind(deadline).bind(now).bind(id).execute(&mut *tx).await?;
            }
            ImmediateStep::Receipt => {
                sqlx::query("UPDATE findings SET immediate_received_at = COALESCE(immediate_received_at, $1), version = version + 1, updated_at = $1 WHERE id = $2")
                    .bind(now).bind(id).execute(&mut *tx).await?;
            }
            ImmediateStep::Done => {
                sqlx::query("UPDATE findings SET immediate_done_at = COALESCE(immediate_done_at, $1), version = version + 1, updated_at = $1 WHERE id = $2")
                    .bind(now).bind(id).execute(&mut *tx).await?;
            }
        }
        crate::audit_append!(db, tx, actor, &Event::op("finding.immediate", "finding", id, format!("“{}”：{label}", f.title)));
        tx.commit().await?;
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

/// Counts for statistics: `(label, count)` grouped by `group` ∈ category | state | round.
pub async fn finding_counts(
    db: &Db,
    scope: &Scope,
    group: &str,
    org_id: Option<OrgId>,
    round_id: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    let expr = match group {
        "category" => "COALESCE(c.name, '未分类')",
        "state" => "f.state",
        _ => "r.name",
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {expr} AS label, COUNT(*) FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id JOIN rounds r ON r.id = ru.round_id \
             JOIN organisations o ON o.id = f.org_id JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN categories c ON c.id = f.category_id WHERE 1 = 1"));
        if let Some(org) = org_id {
            let path: Option<String> = sqlx::query_scalar("SELECT path FROM organisations WHERE id = $1").bind(org).fetch_optional(p).await?;
            let path = path.ok_or(StoreError::NotFound)?;
            let end = xuncha_domain::org::subtree_end(&path);
            qb.push(" AND o.path >= ").push_bind(path).push(" AND o.path < ").push_bind(end);
        }
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_unit_filter(&mut qb);
        qb.push(format!(" GROUP BY {expr} ORDER BY 2 DESC"));
        Ok(qb.build_query_as::<(String, i64)>().fetch_all(p).await?)
    })
}

/// `(issued, done)` immediate fixes.
pub async fn immediate_counts(db: &Db, scope: &Scope, round_id: Option<i64>) -> Result<(i64, i64)> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(f.immediate_requirement), COUNT(f.immediate_done_at) FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
             JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1");
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_unit_filter(&mut qb);
        Ok(qb.build_query_as::<(i64, i64)>().fetch_one(p).await?)
    })
}

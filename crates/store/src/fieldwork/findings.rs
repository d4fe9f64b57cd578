//! Fieldwork storage: findings (问题底稿 → 问题清单) and immediate fixes (立行立改).

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Finding {
    pub id: FindingId,
    pub round_unit_id: RoundUnitId,
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

pub(super) const SELECT_FINDING: &str = "SELECT f.id, f.round_unit_id, r.name AS round_name, ru.owner_org_id, f.org_id, o.name AS org_name, f.category_id, \
     c.name AS category_name, fr.name AS frame_name, f.title, f.facts, f.basis, f.responsibility, f.evidence, f.finder, f.team_opinion, f.state, \
     f.immediate_requirement, f.immediate_deadline, f.immediate_received_at, f.immediate_done_at, f.version, f.created_at, f.updated_at \
     FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = f.org_id JOIN organisations ow ON ow.id = ru.owner_org_id \
     LEFT JOIN categories c ON c.id = f.category_id LEFT JOIN frames fr ON fr.id = c.frame_id WHERE 1 = 1";

/// The inspected unit's view: the inspected organisation in scope.
pub(super) const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
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

pub(super) fn push_finding_filter<DB>(qb: &mut QueryBuilder<DB>, f: &FindingFilter)
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

pub async fn get_finding(db: &Db, scope: &Scope, id: FindingId) -> Result<Finding> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_FINDING);
        qb.push(" AND f.id = ").push_bind(id.get());
        scope.push_unit_filter(&mut qb);
        qb.build_query_as::<Finding>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// One page of the inspected unit's problem list: fed-back findings of organisations in the
/// caller's scope, by round unit, with the total.
pub async fn problems(
    db: &Db,
    scope: &Scope,
    org_id: Option<OrgId>,
    page: PageReq,
) -> Result<Page<Finding>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            qb.push(" AND f.state NOT IN ('DRAFT', 'CONFIRMED', 'IN_REPORT')");
            if let Some(o) = org_id { qb.push(" AND f.org_id = ").push_bind(o); }
            scope.push_filter(qb, UNIT_COLS);
        };
        Ok(crate::page_of!(p, SELECT_FINDING, filter, " ORDER BY f.round_unit_id, f.id", page, Finding))
    })
}

pub async fn finding_activities(db: &Db, id: FindingId) -> Result<Vec<i64>> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT activity_id FROM finding_activities WHERE finding_id = $1 ORDER BY activity_id").bind(id.get()).fetch_all(p).await?))
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
            if owner != Some($unit_id.get()) {
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

pub(super) async fn check_category(db: &Db, id: Option<i64>) -> Result<()> {
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
    unit_id: RoundUnitId,
    d: &FindingDraft,
) -> Result<Finding> {
    let unit = get_unit(db, scope, unit_id).await?;
    check_open(&unit)?;
    check_category(db, d.category_id).await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let province: Option<i64> = sqlx::query_scalar("SELECT province_id FROM round_units WHERE id = $1").bind(unit_id.get()).fetch_one(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO findings (province_id, round_unit_id, org_id, category_id, title, facts, basis, responsibility, evidence, finder, team_opinion, state, created_by, created_at, updated_at, org_path) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, (SELECT path FROM organisations WHERE id = $3)) RETURNING id")
            .bind(province).bind(unit_id.get()).bind(unit.org_id).bind(d.category_id).bind(&d.title).bind(&d.facts).bind(&d.basis).bind(&d.responsibility)
            .bind(&d.evidence).bind(&d.finder).bind(&d.team_opinion).bind(FindingState::Draft.code()).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        let none: Vec<xuncha_domain::rectification::CounterFacts> = Vec::new();
        crate::counters_follow!(tx, none, &[id]);
        link_activities!(tx, id, unit_id, &d.activity_ids);
        crate::event_append!(db, tx, "finding", id, actor, None::<String>, FindingState::Draft.code(), Msg::new("event.finding_drafted").render());
        crate::audit_append!(db, tx, actor, &Event::op("finding.create", "finding", id, Msg::new("audit.finding_create").arg("org", &unit.org_name).arg("title", &d.title).render()));
        tx.commit().await?;
        id
    });
    get_finding(db, &Scope::unrestricted(), id.into()).await
}

pub async fn update_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: FindingId,
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
        let mut tx = db.write(p).await?;
        let before = crate::counter_facts!(tx, &[id.get()]);
        let n = sqlx::query(
            "UPDATE findings SET category_id = $1, title = $2, facts = $3, basis = $4, responsibility = $5, evidence = $6, finder = $7, team_opinion = $8, \
             version = version + 1, updated_at = $9 WHERE id = $10 AND version = $11 AND state = 'DRAFT'")
            .bind(d.category_id).bind(&d.title).bind(&d.facts).bind(&d.basis).bind(&d.responsibility).bind(&d.evidence).bind(&d.finder)
            .bind(&d.team_opinion).bind(now).bind(id.get()).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::counters_follow!(tx, before, &[id.get()]);
        link_activities!(tx, id.get(), f.round_unit_id, &d.activity_ids);
        crate::audit_append!(db, tx, actor, &Event::op("finding.update", "finding", id, Msg::new("audit.finding_update").arg("title", &d.title).render()));
        tx.commit().await?;
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

pub async fn transition_finding(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: FindingId,
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
        let mut tx = db.write(p).await?;
        let before = crate::counter_facts!(tx, &[id.get()]);
        let n = sqlx::query("UPDATE findings SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(to.code()).bind(now).bind(id.get()).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::counters_follow!(tx, before, &[id.get()]);
        crate::event_append!(db, tx, "finding", id.get(), actor, Some(from.code()), to.code(), comment);
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
    id: FindingId,
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
                    .bind(f.round_unit_id.get()).fetch_one(p).await?
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
    let summary_key = match step {
        ImmediateStep::Issue => "audit.finding_immediate_issue",
        ImmediateStep::Receipt => "audit.finding_immediate_receipt",
        ImmediateStep::Done => "audit.finding_immediate_done",
    };
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let before = crate::counter_facts!(tx, &[id.get()]);
        match step {
            ImmediateStep::Issue => {
                sqlx::query("UPDATE findings SET immediate_requirement = $1, immediate_deadline = $2, version = version + 1, updated_at = $3 WHERE id = $4")
                    .bind(requirement).bind(deadline).bind(now).bind(id.get()).execute(&mut *tx).await?;
            }
            ImmediateStep::Receipt => {
                sqlx::query("UPDATE findings SET immediate_received_at = COALESCE(immediate_received_at, $1), version = version + 1, updated_at = $1 WHERE id = $2")
                    .bind(now).bind(id.get()).execute(&mut *tx).await?;
            }
            ImmediateStep::Done => {
                sqlx::query("UPDATE findings SET immediate_done_at = COALESCE(immediate_done_at, $1), version = version + 1, updated_at = $1 WHERE id = $2")
                    .bind(now).bind(id.get()).execute(&mut *tx).await?;
            }
        }
        crate::counters_follow!(tx, before, &[id.get()]);
        crate::audit_append!(db, tx, actor, &Event::op("finding.immediate", "finding", id, Msg::new(summary_key).arg("title", &f.title).render()));
        tx.commit().await?;
    });
    get_finding(db, &Scope::unrestricted(), id).await
}

/// Counts for statistics: `(label, count)` grouped by `group` ∈ category | state | round,
/// largest first. Read from `finding_counters` (one row per office, round, category and state);
/// a filter the counters cannot answer (an inspected organisation's subtree, a team member's
/// own units) scans the findings ([`finding_counts_scanned`]).
pub async fn finding_counts(
    db: &Db,
    scope: &Scope,
    group: &str,
    org_id: Option<OrgId>,
    round_id: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    if org_id.is_some() || scope.team_user.is_some() {
        return finding_counts_scanned(db, scope, group, org_id, round_id).await;
    }
    let expr = match group {
        "category" => "COALESCE(c.name, '')",
        "state" => "fc.state",
        _ => "r.name",
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT {expr} AS label, CAST(SUM(fc.findings) AS BIGINT) FROM finding_counters fc JOIN organisations ow ON ow.id = fc.owner_org_id \
             JOIN rounds r ON r.id = fc.round_id LEFT JOIN categories c ON c.id = fc.category_id WHERE fc.findings <> 0"));
        if let Some(r) = round_id { qb.push(" AND fc.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, crate::inspection::OWNER_COLS);
        qb.push(format!(" GROUP BY {expr} ORDER BY 2 DESC, 1"));
        let mut rows = qb.build_query_as::<(String, i64)>().fetch_all(p).await?;
        uncategorised(group, &mut rows);
        Ok(rows)
    })
}

fn uncategorised(group: &str, rows: &mut [(String, i64)]) {
    if group == "category" {
        for (label, _) in rows.iter_mut().filter(|(l, _)| l.is_empty()) {
            *label = Msg::new("stats.uncategorised").render();
        }
    }
}

/// [`finding_counts`] by scanning the findings: for the filters counters cannot answer, and
/// the tests' reference.
pub async fn finding_counts_scanned(
    db: &Db,
    scope: &Scope,
    group: &str,
    org_id: Option<OrgId>,
    round_id: Option<i64>,
) -> Result<Vec<(String, i64)>> {
    let expr = match group {
        // Uncategorised findings group under '', labelled from the catalogue below.
        "category" => "COALESCE(c.name, '')",
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
        qb.push(format!(" GROUP BY {expr} ORDER BY 2 DESC, 1"));
        let mut rows = qb.build_query_as::<(String, i64)>().fetch_all(p).await?;
        uncategorised(group, &mut rows);
        Ok(rows)
    })
}

/// `(issued, done)` immediate fixes, from `finding_counters` (scanned for a team member).
pub async fn immediate_counts(db: &Db, scope: &Scope, round_id: Option<i64>) -> Result<(i64, i64)> {
    if scope.team_user.is_some() {
        return immediate_counts_scanned(db, scope, round_id).await;
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT CAST(COALESCE(SUM(fc.immediate), 0) AS BIGINT), CAST(COALESCE(SUM(fc.immediate_done), 0) AS BIGINT) \
             FROM finding_counters fc JOIN organisations ow ON ow.id = fc.owner_org_id WHERE 1 = 1");
        if let Some(r) = round_id { qb.push(" AND fc.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, crate::inspection::OWNER_COLS);
        Ok(qb.build_query_as::<(i64, i64)>().fetch_one(p).await?)
    })
}

/// [`immediate_counts`] by scanning the findings.
pub async fn immediate_counts_scanned(
    db: &Db,
    scope: &Scope,
    round_id: Option<i64>,
) -> Result<(i64, i64)> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT COUNT(f.immediate_requirement), COUNT(f.immediate_done_at) FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
             JOIN organisations ow ON ow.id = ru.owner_org_id WHERE 1 = 1");
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_unit_filter(&mut qb);
        Ok(qb.build_query_as::<(i64, i64)>().fetch_one(p).await?)
    })
}

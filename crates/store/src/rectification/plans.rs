//! Rectification storage: plans and their review

#[allow(clippy::wildcard_imports)]
use super::*;

/// One measure as stored in a plan revision's snapshot.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeasureSnap {
    pub kind: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: Option<String>,
    pub deadline_working_days: Option<i64>,
    pub resolved_deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemSnap {
    pub finding_id: FindingId,
    pub measures: Vec<MeasureSnap>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PlanRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub revision: i64,
    #[sqlx(try_from = "String")]
    pub state: PlanState,
    pub principal_leader: String,
    pub signed_on: Option<Date>,
    pub summary: String,
    pub items: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_at: Option<OffsetDateTime>,
    pub version: i64,
}

impl PlanRow {
    pub fn items(&self) -> Result<Vec<ItemSnap>> {
        serde_json::from_str(&self.items)
            .map_err(|e| StoreError::Corrupt(format!("plan items: {e}")))
    }
}

pub(super) const SELECT_PLAN: &str = "SELECT id, round_unit_id, CAST(revision AS BIGINT) AS revision, state, principal_leader, signed_on, summary, items, submitted_at, decided_at, version FROM rect_plans";

pub async fn plans(db: &Db, unit_id: RoundUnitId) -> Result<Vec<PlanRow>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, PlanRow>(sqlx::AssertSqlSafe(format!("{SELECT_PLAN} WHERE round_unit_id = $1 ORDER BY revision"))).bind(unit_id.get()).fetch_all(p).await?))
}

/// A plan revision whose unit is in scope.
pub async fn plan(db: &Db, scope: &Scope, plan_id: i64) -> Result<PlanRow> {
    let row: PlanRow = crate::on_db!(db, p => sqlx::query_as::<_, PlanRow>(sqlx::AssertSqlSafe(format!("{SELECT_PLAN} WHERE id = $1"))).bind(plan_id).fetch_optional(p).await?)
        .ok_or(StoreError::NotFound)?;
    unit(db, scope, row.round_unit_id).await?;
    Ok(row)
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ReviewRow {
    pub id: i64,
    pub plan_id: i64,
    pub body: String,
    pub decision: String,
    pub opinion: String,
    pub reviewer_name: String,
    pub at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CommentRow {
    pub id: i64,
    pub plan_id: i64,
    pub finding_id: FindingId,
    pub body: String,
    pub text: String,
    pub reviewer_name: String,
    pub at: OffsetDateTime,
}

/// Reviews and comments of every revision of a unit's plan.
pub async fn reviews(db: &Db, unit_id: RoundUnitId) -> Result<(Vec<ReviewRow>, Vec<CommentRow>)> {
    crate::on_db!(db, p => {
        let r = sqlx::query_as::<_, ReviewRow>("SELECT v.id, v.plan_id, v.body, v.decision, v.opinion, v.reviewer_name, v.at FROM plan_reviews v JOIN rect_plans rp ON rp.id = v.plan_id WHERE rp.round_unit_id = $1 ORDER BY v.id")
            .bind(unit_id.get()).fetch_all(p).await?;
        let c = sqlx::query_as::<_, CommentRow>("SELECT v.id, v.plan_id, v.finding_id, v.body, v.text, v.reviewer_name, v.at FROM plan_comments v JOIN rect_plans rp ON rp.id = v.plan_id WHERE rp.round_unit_id = $1 ORDER BY v.id")
            .bind(unit_id.get()).fetch_all(p).await?;
        Ok((r, c))
    })
}

/// The fed-back problems of a unit: `(finding id, title, category name)`.
pub async fn unit_problems(
    db: &Db,
    unit_id: RoundUnitId,
) -> Result<Vec<(FindingId, String, Option<String>)>> {
    let rows: Vec<(i64, String, Option<String>)> = crate::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT f.id, f.title, c.name FROM findings f LEFT JOIN categories c ON c.id = f.category_id WHERE f.round_unit_id = $1 AND f.state IN {LEDGER_STATES} ORDER BY f.id")))
        .bind(unit_id.get()).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(id, title, category)| (id.into(), title, category))
        .collect())
}

#[derive(Debug, Clone)]
pub struct PlanDraft {
    pub principal_leader: String,
    pub signed_on: Option<Date>,
    pub summary: String,
    pub items: Vec<ItemSnap>,
}

/// Saves the draft: creates revision 1, updates a DRAFT, or starts the next revision from a
/// RETURNED plan. Submitted and approved revisions are never edited.
pub async fn save_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    d: &PlanDraft,
    version: i64,
) -> Result<PlanRow> {
    let u = unit(db, scope, unit_id).await?;
    let problems = unit_problems(db, unit_id).await?;
    for it in &d.items {
        if !problems.iter().any(|(id, _, _)| *id == it.finding_id) {
            return Err(field(
                "items",
                Msg::new("rect.unknown_finding").arg("id", it.finding_id),
            ));
        }
    }
    let latest = plans(db, unit_id).await?.pop();
    let items = serde_json::to_string(&d.items).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = match latest.as_ref() {
            Some(pl) if pl.state == PlanState::Draft => {
                let n = sqlx::query("UPDATE rect_plans SET principal_leader = $1, signed_on = $2, summary = $3, items = $4, version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND state = 'DRAFT'")
                    .bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(now).bind(pl.id).bind(version)
                    .execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(StoreError::StaleVersion);
                }
                pl.id
            }
            Some(pl) if pl.state == PlanState::Returned || pl.state == PlanState::Draft => {
                if pl.version != version {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query_scalar("INSERT INTO rect_plans (province_id, round_unit_id, revision, state, principal_leader, signed_on, summary, items, created_by, created_at, updated_at) \
                                    VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, 'DRAFT', $3, $4, $5, $6, $7, $8, $8) RETURNING id")
                    .bind(unit_id.get()).bind(i32::try_from(pl.revision + 1).unwrap_or(i32::MAX)).bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(actor.user_id).bind(now)
                    .fetch_one(&mut *tx).await?
            }
            Some(pl) => {
                return Err(rule(Msg::new("rect.plan_not_editable").arg("state", pl.state.label())));
            }
            None => {
                if version != 0 {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query_scalar("INSERT INTO rect_plans (province_id, round_unit_id, revision, state, principal_leader, signed_on, summary, items, created_by, created_at, updated_at) \
                                    VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, 1, 'DRAFT', $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                    .bind(unit_id.get()).bind(d.principal_leader.trim()).bind(d.signed_on).bind(d.summary.trim()).bind(&items).bind(actor.user_id).bind(now)
                    .fetch_one(&mut *tx).await?
            }
        };
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.save", "rect_plan", id, Msg::new("audit.rect_plan_save").arg("org", &u.org_name).render()));
        tx.commit().await?;
        id
    });
    plan(db, &Scope::unrestricted(), id).await
}

pub async fn submit_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    plan_id: i64,
    version: i64,
) -> Result<PlanRow> {
    let pl = plan(db, scope, plan_id).await?;
    let st = pl.state;
    if st != PlanState::Draft {
        return Err(rule(
            Msg::new("rect.plan_not_editable").arg("state", st.label()),
        ));
    }
    xuncha_domain::rectification::check_signed(&pl.principal_leader, pl.signed_on)?;
    let problems = unit_problems(db, pl.round_unit_id).await?;
    let items = pl.items()?;
    let ids: Vec<i64> = problems.iter().map(|(id, _, _)| id.get()).collect();
    let counts: Vec<(i64, usize)> = items
        .iter()
        .map(|i| (i.finding_id.get(), i.measures.len()))
        .collect();
    xuncha_domain::rectification::check_plan_complete(&ids, &counts)?;
    let u = unit(db, scope, pl.round_unit_id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE rect_plans SET state = 'SUBMITTED', submitted_at = $1, version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND state = 'DRAFT'")
            .bind(now).bind(plan_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "round_unit", pl.round_unit_id.get(), actor, Some("DRAFT"), "PLAN_SUBMITTED", Msg::new("event.plan_submitted").arg("revision", pl.revision).arg("leader", &pl.principal_leader).render());
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.submit", "rect_plan", plan_id, Msg::new("audit.rect_plan_submit").arg("org", &u.org_name).arg("revision", pl.revision).render()));
        tx.commit().await?;
    });
    plan(db, &Scope::unrestricted(), plan_id).await
}

/// The facts that make `user_id` a member of a reviewing body for the plan of `round_unit_id`:
/// whether the user is on the unit's team, and the name of the user's organisation when it is a
/// department directly under the organisation that runs the round (never the inspected unit).
pub async fn reviewer_facts(
    db: &Db,
    user_id: i64,
    round_unit_id: RoundUnitId,
) -> Result<(bool, Option<String>)> {
    crate::on_db!(db, p => {
        let on_team: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM round_units ru JOIN team_members m ON m.team_id = ru.team_id \
             JOIN people pe ON pe.id = m.person_id WHERE ru.id = $1 AND pe.user_id = $2")
            .bind(round_unit_id.get()).bind(user_id).fetch_one(p).await?;
        let dept: Option<(String, String, String)> = sqlx::query_as("SELECT o.name, o.path, io.path FROM users u JOIN organisations o ON o.id = u.org_id \
             JOIN round_units ru ON ru.id = $1 JOIN organisations io ON io.id = ru.org_id \
             WHERE u.id = $2 AND o.parent_id = ru.owner_org_id")
            .bind(round_unit_id.get()).bind(user_id).fetch_optional(p).await?;
        let department = dept
            .filter(|(_, own, unit)| !own.starts_with(unit.as_str()))
            .map(|(name, _, _)| name);
        Ok((on_team > 0, department))
    })
}

/// One review decision, for one or more bodies, with per-item comments. Returns the plan after
/// the decision; approval creates the measures and starts rectification of every item.
#[allow(clippy::too_many_arguments)]
pub async fn review_plan(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    plan_id: i64,
    bodies: &[String],
    decision: ReviewDecision,
    opinion: &str,
    comments: &[(FindingId, String)],
    version: i64,
    resolved: &(dyn Fn(&MeasureSnap) -> Option<Date> + Sync),
) -> Result<PlanRow> {
    let pl = plan(db, scope, plan_id).await?;
    if pl.state != PlanState::Submitted {
        return Err(rule(Msg::new("rect.plan_not_submitted")));
    }
    let (cfg, _) = settings(db, unit_office(db, pl.round_unit_id).await?).await?;
    if bodies.is_empty() {
        return Err(StoreError::Domain(DomainError::Invalid(vec![
            xuncha_domain::FieldError::required("bodies"),
        ])));
    }
    for b in bodies {
        if !cfg.review_bodies.contains(b) {
            return Err(field(
                "bodies",
                Msg::new("rect.unknown_body").arg("body", b),
            ));
        }
    }
    if decision == ReviewDecision::Return && opinion.trim().is_empty() && comments.is_empty() {
        return Err(field("opinion", Msg::new("rect.reason_required")));
    }
    let problems = unit_problems(db, pl.round_unit_id).await?;
    for (fid, _) in comments {
        if !problems.iter().any(|(id, _, _)| id == fid) {
            return Err(field(
                "comments",
                Msg::new("rect.unknown_finding").arg("id", fid),
            ));
        }
    }
    let (existing, _) = reviews(db, pl.round_unit_id).await?;
    let mut latest: Vec<(String, ReviewDecision)> = Vec::new();
    for r in existing.iter().filter(|r| r.plan_id == plan_id) {
        if let Some(d) = ReviewDecision::from_code(&r.decision) {
            latest.retain(|(b, _)| *b != r.body);
            latest.push((r.body.clone(), d));
        }
    }
    for b in bodies {
        latest.retain(|(x, _)| x != b);
        latest.push((b.clone(), decision));
    }
    let result = xuncha_domain::rectification::review_result(&cfg.review_bodies, &latest);
    let u = unit(db, scope, pl.round_unit_id).await?;
    let items = pl.items()?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE rect_plans SET state = $1, decided_at = CASE WHEN $1 = 'SUBMITTED' THEN decided_at ELSE $2 END, version = version + 1, updated_at = $2 \
                             WHERE id = $3 AND version = $4 AND state = 'SUBMITTED'")
            .bind(result.code()).bind(now).bind(plan_id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        for b in bodies {
            sqlx::query("INSERT INTO plan_reviews (plan_id, body, decision, opinion, reviewer_id, reviewer_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(plan_id).bind(b).bind(decision.code()).bind(opinion.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now).execute(&mut *tx).await?;
        }
        let body_names = bodies.join("、");
        for (fid, text) in comments {
            sqlx::query("INSERT INTO plan_comments (plan_id, finding_id, body, text, reviewer_id, reviewer_name, at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(plan_id).bind((*fid).get()).bind(&body_names).bind(text.trim()).bind(actor.user_id).bind(&actor.display_name).bind(now).execute(&mut *tx).await?;
        }
        if result == PlanState::Approved {
            let planned: Vec<i64> = items.iter().map(|it| it.finding_id.get()).collect();
            let before = crate::counter_facts!(tx, &planned);
            for it in &items {
                let mut latest_deadline: Option<Date> = None;
                for m in &it.measures {
                    let d = resolved(m).ok_or_else(|| StoreError::Corrupt("plan measure without a deadline".into()))?;
                    latest_deadline = Some(latest_deadline.map_or(d, |x| x.max(d)));
                    sqlx::query("INSERT INTO measures (province_id, finding_id, plan_id, kind, content, target, responsible_leader, lead_dept, co_depts, deadline, original_deadline, state, created_at, updated_at) \
                                 VALUES ((SELECT province_id FROM findings WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $9, 'OPEN', $10, $10)")
                        .bind(it.finding_id.get()).bind(plan_id).bind(&m.kind).bind(&m.content).bind(&m.target).bind(&m.responsible_leader).bind(&m.lead_dept)
                        .bind(crate::db::to_json_list(&m.co_depts)).bind(d).bind(now).execute(&mut *tx).await?;
                }
                sqlx::query("UPDATE findings SET state = 'IN_PROGRESS', deadline = $1, original_deadline = $1, outcome = 'in_progress', version = version + 1, updated_at = $2 WHERE id = $3 AND state = 'FED_BACK'")
                    .bind(latest_deadline).bind(now).bind(it.finding_id.get()).execute(&mut *tx).await?;
                sqlx::query(REFRESH_DUE).bind(it.finding_id.get()).execute(&mut *tx).await?;
                crate::event_append!(db, tx, "finding", it.finding_id.get(), actor, Some("FED_BACK"), "PLANNED", Msg::new("event.plan_approved").arg("revision", pl.revision).render());
                crate::event_append!(db, tx, "finding", it.finding_id.get(), actor, Some("PLANNED"), "IN_PROGRESS", Msg::new("event.rectification_started").render());
            }
            crate::counters_follow!(tx, before, &planned);
            // 抄告: the supervising leaders at the office that ran the round, and the unit.
            let leaders: Vec<i64> = sqlx::query_scalar(
                "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
                 WHERE ro.code = 'leader' AND u.org_id = (SELECT owner_org_id FROM round_units WHERE id = $1)")
                .bind(pl.round_unit_id.get()).fetch_all(&mut *tx).await?;
            notify!(db, tx, &leaders, "copy", Msg::new("notice.plan_copy_title").arg("org", &u.org_name).render(),
                Msg::new("notice.plan_copy_body").arg("org", &u.org_name).arg("round", &u.round_name).arg("revision", pl.revision).arg("count", items.len()).render(),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:copy")));
            let unit_users: Vec<i64> = sqlx::query_scalar(UNIT_WRITERS).bind(u.org_id).bind(false).fetch_all(&mut *tx).await?;
            notify!(db, tx, &unit_users, "plan", Msg::new("notice.plan_approved_title").render(), Msg::new("notice.plan_approved_body").arg("round", &u.round_name).arg("revision", pl.revision).render(),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:approved")));
        } else if result == PlanState::Returned {
            let unit_users: Vec<i64> = sqlx::query_scalar(UNIT_WRITERS).bind(u.org_id).bind(false).fetch_all(&mut *tx).await?;
            notify!(db, tx, &unit_users, "plan", Msg::new("notice.plan_returned_title").render(), Msg::new("notice.plan_returned_body").arg("bodies", &body_names).arg("opinion", opinion.trim()).render(),
                Some(format!("/rect/units/{}/plan", pl.round_unit_id)), Some(format!("plan:{plan_id}:returned")));
        }
        crate::event_append!(db, tx, "round_unit", pl.round_unit_id.get(), actor, Some("SUBMITTED"), result.code(), if opinion.trim().is_empty() { Msg::new("event.plan_reviewed").arg("bodies", &body_names).arg("decision", decision.label()).render() } else { Msg::new("event.plan_reviewed_with_opinion").arg("bodies", &body_names).arg("decision", decision.label()).arg("opinion", opinion.trim()).render() });
        crate::audit_append!(db, tx, actor, &Event::op("rect.plan.review", "rect_plan", plan_id, Msg::new("audit.rect_plan_review").arg("org", &u.org_name).arg("revision", pl.revision).arg("bodies", &body_names).arg("decision", decision.label()).render()));
        tx.commit().await?;
    });
    plan(db, &Scope::unrestricted(), plan_id).await
}

//! Assessment storage: assessments, their deductions, finalising and consequences.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub indicators: String,
    pub grades: String,
    pub assessed_on: Date,
    pub conclusion: String,
    pub score: Option<i64>,
    pub grade_code: Option<String>,
    pub grade_name: Option<String>,
    pub satisfaction_bp: Option<i64>,
    pub finalised_at: Option<OffsetDateTime>,
    pub finalised_by_name: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl AssessmentRow {
    pub fn state(&self) -> Result<AssessmentState> {
        AssessmentState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("assessment state {}", self.state)))
    }
    pub fn indicator_list(&self) -> Result<Vec<Indicator>> {
        parse_indicators(&self.indicators)
    }
    pub fn grade_list(&self) -> Result<Vec<GradeBand>> {
        parse_grades(&self.grades)
    }
}

pub(super) const SELECT_ASSESSMENT: &str = "SELECT a.id, a.round_unit_id, ru.round_id, r.name AS round_name, ru.org_id, o.name AS org_name, a.state, a.indicators, \
     a.grades, a.assessed_on, a.conclusion, a.score, a.grade_code, a.grade_name, a.satisfaction_bp, a.finalised_at, a.finalised_by_name, \
     a.version, a.created_at, a.updated_at \
     FROM assessments a JOIN round_units ru ON ru.id = a.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

#[derive(Debug, Clone, Default)]
pub struct AssessmentFilter {
    pub round_id: Option<i64>,
    pub state: Option<String>,
    pub q: Option<String>,
}

pub(super) fn push_assessment_filter<DB>(qb: &mut QueryBuilder<DB>, f: &AssessmentFilter)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if let Some(r) = f.round_id {
        qb.push(" AND ru.round_id = ").push_bind(r);
    }
    if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) {
        qb.push(" AND a.state = ").push_bind(s.clone());
    }
    if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
        qb.push(" AND o.name LIKE ")
            .push_bind(format!("%{}%", q.replace(['%', '_'], "")));
    }
}

pub async fn list_assessments(
    db: &Db,
    scope: &Scope,
    f: &AssessmentFilter,
    page: PageReq,
) -> Result<Page<AssessmentRow>> {
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM assessments a JOIN round_units ru ON ru.id = a.round_unit_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1");
        push_assessment_filter(&mut count, f);
        scope.push_filter(&mut count, UNIT_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        let mut qb = QueryBuilder::new(SELECT_ASSESSMENT);
        push_assessment_filter(&mut qb, f);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY a.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<AssessmentRow>().fetch_all(p).await?, total })
    })
}

pub async fn get_assessment(db: &Db, scope: &Scope, id: i64) -> Result<AssessmentRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ASSESSMENT);
        qb.push(" AND a.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<AssessmentRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

pub async fn deductions(db: &Db, assessment_id: i64) -> Result<Vec<Deduction>> {
    let rows: Vec<(String, i64, String)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT indicator, points, reason FROM assessment_deductions WHERE assessment_id = $1 ORDER BY sort, id")
        .bind(assessment_id).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(indicator, points, reason)| Deduction {
            indicator,
            points,
            reason,
        })
        .collect())
}

/// The consequences recorded when the assessment was finalised.
pub async fn consequences(db: &Db, assessment_id: i64) -> Result<Vec<Consequence>> {
    let rows: Vec<String> = crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT kind FROM assessment_consequences WHERE assessment_id = $1 ORDER BY id")
        .bind(assessment_id).fetch_all(p).await?);
    Ok(rows
        .iter()
        .filter_map(|c| Consequence::from_code(c))
        .collect())
}

/// Every finalised assessment in scope (optionally of one round) with its recorded consequences,
/// for the annual-assessment export: two queries, whatever the number of rows.
pub async fn finalised_with_consequences(
    db: &Db,
    scope: &Scope,
    round_id: Option<i64>,
) -> Result<Vec<(AssessmentRow, Vec<Consequence>)>> {
    let (rows, kinds): (Vec<AssessmentRow>, Vec<(i64, String)>) = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ASSESSMENT);
        qb.push(" AND a.state = 'FINALISED'");
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY o.path, a.id");
        let rows = qb.build_query_as::<AssessmentRow>().fetch_all(p).await?;
        let mut qb = QueryBuilder::new(
            "SELECT c.assessment_id, c.kind FROM assessment_consequences c JOIN assessments a ON a.id = c.assessment_id \
             JOIN round_units ru ON ru.id = a.round_unit_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1");
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY c.id");
        (rows, qb.build_query_as::<(i64, String)>().fetch_all(p).await?)
    });
    Ok(rows
        .into_iter()
        .map(|a| {
            let c = kinds
                .iter()
                .filter(|(id, _)| *id == a.id)
                .filter_map(|(_, k)| Consequence::from_code(k))
                .collect();
            (a, c)
        })
        .collect())
}

/// The unit's ledger on `today`, for an overdue indicator: its fed-back items, and the open ones
/// past their deadline (the rectification ledger's rule: long-term items are not overdue).
pub async fn ledger(db: &Db, round_unit_id: RoundUnitId, today: Date) -> Result<Ledger> {
    use crate::rectification::{LEDGER_STATES, OPEN_STATES};
    let (items, overdue): (i64, i64) = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!(
            "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(CASE WHEN f.state IN {OPEN_STATES} AND f.due_date < "));
        qb.push_bind(today)
            .push(format!(" THEN 1 ELSE 0 END), 0) AS BIGINT) FROM findings f WHERE f.state IN {LEDGER_STATES} AND f.round_unit_id = "))
            .push_bind(round_unit_id.get());
        qb.build_query_as::<(i64, i64)>().fetch_one(p).await?
    });
    Ok(Ledger { items, overdue })
}

/// Starts the assessment of a fed-back round unit, with a snapshot of the current rubric.
pub async fn create_assessment(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    assessed_on: Date,
) -> Result<AssessmentRow> {
    let u = unit(db, scope, unit_id).await?;
    check_fed_back(&u)?;
    let (indicators, grades) = rubric(db, u.owner_org_id).await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM assessments WHERE round_unit_id = $1").bind(unit_id.get()).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(rule("assessment.exists"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (province_id, round_unit_id, state, indicators, grades, assessed_on, conclusion, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $8) RETURNING id")
            .bind(u.province_id).bind(unit_id.get()).bind(AssessmentState::Draft.code()).bind(indicators_json(&indicators)).bind(grades_json(&grades))
            .bind(assessed_on).bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("assessment.create", "assessment", id, Msg::new("assessment.audit_create").arg("org", &u.org_name).arg("round", &u.round_name).render()));
        tx.commit().await?;
        id
    });
    get_assessment(db, &Scope::unrestricted(), id).await
}

/// Replaces the deductions and the conclusion of a draft assessment.
pub async fn update_assessment(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    assessed_on: Date,
    conclusion: &str,
    deductions: &[Deduction],
    version: i64,
) -> Result<AssessmentRow> {
    let a = get_assessment(db, scope, id).await?;
    if a.state()? != AssessmentState::Draft {
        return Err(rule("assessment.finalised"));
    }
    let total: Tenths = deductions.iter().map(|d| d.points).sum();
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE assessments SET assessed_on = $1, conclusion = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND version = $5 AND state = 'DRAFT'")
            .bind(assessed_on).bind(conclusion).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("DELETE FROM assessment_deductions WHERE assessment_id = $1").bind(id).execute(&mut *tx).await?;
        for (i, d) in deductions.iter().enumerate() {
            sqlx::query("INSERT INTO assessment_deductions (assessment_id, indicator, points, reason, sort) VALUES ($1, $2, $3, $4, $5)")
                .bind(id).bind(&d.indicator).bind(d.points).bind(&d.reason).bind(i32::try_from(i).unwrap_or(i32::MAX)).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("assessment.update", "assessment", id,
            Msg::new("assessment.audit_update").arg("org", &a.org_name).arg("count", deductions.len()).arg("points", rules::show_points(total)).render()));
        tx.commit().await?;
    });
    get_assessment(db, &Scope::unrestricted(), id).await
}

/// What finalising an assessment produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finalised {
    pub score: Tenths,
    pub grade: GradeBand,
    pub satisfaction_bp: Option<i64>,
}

/// Scores the assessment with its rubric snapshot, the deductions and the survey, maps the
/// score to a grade band, records the band's consequences, puts the unit on the 回头看 list
/// where the band says so, and closes the survey — all in one transaction.
pub async fn finalise(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
) -> Result<Finalised> {
    let a = get_assessment(db, scope, id).await?;
    if a.state()? != AssessmentState::Draft {
        return Err(rule("assessment.finalised"));
    }
    let indicators = a.indicator_list()?;
    let grades = a.grade_list()?;
    let deds = deductions(db, id).await?;
    let u = unit(db, &Scope::unrestricted(), a.round_unit_id).await?;
    let ledger = ledger(db, a.round_unit_id, db.today()).await?;
    let now = db.now();
    let result = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE assessments SET version = version + 1, updated_at = $1 WHERE id = $2 AND version = $3 AND state = 'DRAFT'")
            .bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        // Close the survey first: a response in flight holds the survey row, so the tally
        // below sees every response that was accepted.
        sqlx::query("UPDATE surveys SET state = 'CLOSED', closed_at = $1 WHERE assessment_id = $2 AND state = 'OPEN'")
            .bind(now).bind(id).execute(&mut *tx).await?;
        let answers: Vec<String> = sqlx::query_scalar("SELECT r.answers FROM survey_responses r JOIN surveys s ON s.id = r.survey_id WHERE s.assessment_id = $1")
            .bind(id).fetch_all(&mut *tx).await?;
        let tally = tally_of(&answers);
        let scored = rules::score(&indicators, &deds, tally, ledger);
        let grade = rules::grade_for(scored.score, &grades).cloned().ok_or_else(|| rule("assessment.no_grade"))?;
        let bp = tally.rate_bp();
        sqlx::query("UPDATE assessments SET state = $1, score = $2, grade_code = $3, grade_name = $4, satisfaction_bp = $5, finalised_at = $6, finalised_by_name = $7 WHERE id = $8")
            .bind(AssessmentState::Finalised.code()).bind(scored.score).bind(&grade.code).bind(&grade.name).bind(bp).bind(now).bind(&actor.display_name).bind(id)
            .execute(&mut *tx).await?;
        for c in &grade.consequences {
            sqlx::query("INSERT INTO assessment_consequences (assessment_id, round_unit_id, kind, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(a.round_unit_id.get()).bind(c.code()).bind(now).execute(&mut *tx).await?;
            if *c == Consequence::Revisit {
                sqlx::query("INSERT INTO revisit_list (province_id, round_unit_id, org_id, assessment_id, reason, state, added_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6) \
                             ON CONFLICT (round_unit_id) DO NOTHING")
                    .bind(u.province_id).bind(a.round_unit_id.get()).bind(u.org_id).bind(id)
                    .bind(Msg::new("assessment.revisit_reason").arg("score", rules::show_points(scored.score)).arg("grade", &grade.name).render()).bind(now)
                    .execute(&mut *tx).await?;
            }
        }
        let named: Vec<&str> = grade.consequences.iter().map(|c| c.label()).collect();
        crate::audit_append!(db, tx, actor, &Event::op("assessment.finalise", "assessment", id, Msg::new("assessment.audit_finalise")
            .arg("org", &a.org_name).arg("score", rules::show_points(scored.score)).arg("grade", &grade.name)
            .arg("consequences", if named.is_empty() { String::new() } else { Msg::new("assessment.audit_consequences").arg("list", named.join(xuncha_domain::i18n::text("list.separator"))).render() })
            .render()));
        tx.commit().await?;
        Finalised { score: scored.score, grade, satisfaction_bp: bp }
    });
    Ok(result)
}

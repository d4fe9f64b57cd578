//! Rectification assessment (整改评估), satisfaction surveys (满意度测评), the 回头看 list and
//! disclosure (整改公开).
//!
//! Visibility: an assessment or a disclosure belongs to a round unit and is visible when the
//! inspected organisation lies in the caller's scope (`o` = the inspected organisation). The
//! public survey and disclosure reads take no scope: a survey is reached only through its link
//! token (stored as an SM3 digest), and only approved disclosures are public.

use serde_json::{Value, json};
use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::assessment::{
    self as rules, Answer, AssessmentState, Consequence, Deduction, DisclosureCounts,
    DisclosureState, ExemptionReason, GradeBand, Indicator, IndicatorMode, Tally, Tenths,
};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{BeginWrite, Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// Settings key of the rubric (a JSON array of indicators).
pub const INDICATORS_KEY: &str = "assessment.indicators";
/// Settings key of the grade bands (a JSON array).
pub const GRADES_KEY: &str = "assessment.grades";

/// The inspected organisation of the round unit, joined as `o`.
const UNIT_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

fn rule(key: &'static str) -> StoreError {
    StoreError::Domain(DomainError::Rule(Msg::new(key)))
}

// ---------------------------------------------------------------------------------------------
// The rubric in settings

fn indicators_json(v: &[Indicator]) -> String {
    Value::Array(
        v.iter()
            .map(|x| json!({"code": x.code, "name": x.name, "max": x.max, "mode": x.mode.code()}))
            .collect(),
    )
    .to_string()
}

fn grades_json(v: &[GradeBand]) -> String {
    Value::Array(
        v.iter()
            .map(|g| {
                let c: Vec<&str> = g.consequences.iter().map(|c| c.code()).collect();
                json!({"code": g.code, "name": g.name, "min": g.min, "consequences": c})
            })
            .collect(),
    )
    .to_string()
}

fn corrupt(what: &str) -> StoreError {
    StoreError::Corrupt(format!("{what}: bad JSON"))
}

fn str_of(v: &Value, k: &str) -> Option<String> {
    v.get(k).and_then(Value::as_str).map(str::to_string)
}

pub fn parse_indicators(text: &str) -> Result<Vec<Indicator>> {
    let v: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt(INDICATORS_KEY))?;
    v.iter()
        .map(|x| {
            Some(Indicator {
                code: str_of(x, "code")?,
                name: str_of(x, "name")?,
                max: x.get("max")?.as_i64()?,
                mode: IndicatorMode::from_code(x.get("mode")?.as_str()?)?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| corrupt(INDICATORS_KEY))
}

pub fn parse_grades(text: &str) -> Result<Vec<GradeBand>> {
    let v: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt(GRADES_KEY))?;
    v.iter()
        .map(|x| {
            Some(GradeBand {
                code: str_of(x, "code")?,
                name: str_of(x, "name")?,
                min: x.get("min")?.as_i64()?,
                consequences: x
                    .get("consequences")?
                    .as_array()?
                    .iter()
                    .map(|c| c.as_str().and_then(Consequence::from_code))
                    .collect::<Option<Vec<_>>>()?,
            })
        })
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| corrupt(GRADES_KEY))
}

/// The rubric and grade bands of `office`: its own, else its nearest ancestor's, else the
/// defaults of domain.md §6.5.
pub async fn rubric(db: &Db, office: OrgId) -> Result<(Vec<Indicator>, Vec<GradeBand>)> {
    let (i, g, _) = rubric_with_source(db, office).await?;
    Ok((i, g))
}

/// [`rubric`] with where it comes from.
pub async fn rubric_with_source(
    db: &Db,
    office: OrgId,
) -> Result<(Vec<Indicator>, Vec<GradeBand>, crate::settings::Group)> {
    let g = crate::settings::group(db, office, &[INDICATORS_KEY, GRADES_KEY]).await?;
    let indicators = match g.get(INDICATORS_KEY) {
        Some(t) => parse_indicators(t)?,
        None => rules::default_indicators(),
    };
    let grades = match g.get(GRADES_KEY) {
        Some(t) => parse_grades(t)?,
        None => rules::default_grades(),
    };
    Ok((indicators, grades, g))
}

/// Saves `office`'s own rubric and grade bands (validated by the caller) in one audited
/// transaction; other offices' are untouched.
pub async fn save_rubric(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    indicators: &[Indicator],
    grades: &[GradeBand],
) -> Result<()> {
    rules::validate_indicators(indicators)?;
    rules::validate_grades(grades)?;
    let summary = format!(
        "整改评估设置：指标 {}；等次 {}",
        indicators
            .iter()
            .map(|x| format!("{}{}分", x.name, rules::show_points(x.max)))
            .collect::<Vec<_>>()
            .join("、"),
        grades
            .iter()
            .map(|g| format!("{}≥{}", g.name, rules::show_points(g.min)))
            .collect::<Vec<_>>()
            .join("、")
    );
    crate::settings::save_group(
        db,
        actor,
        office,
        &[
            (INDICATORS_KEY, indicators_json(indicators)),
            (GRADES_KEY, grades_json(grades)),
        ],
        None,
        "assessment.settings",
        &summary,
    )
    .await
}

/// Drops `office`'s own rubric: it inherits again. False when it had none.
pub async fn inherit_rubric(db: &Db, actor: &Actor, office: OrgId) -> Result<bool> {
    crate::settings::drop_group(
        db,
        actor,
        office,
        &[INDICATORS_KEY, GRADES_KEY],
        "assessment.settings",
        "删除本级整改评估设置，恢复继承上级设置",
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Round units as seen by assessment and disclosure

/// A round unit, scoped by its inspected organisation.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct UnitRef {
    pub id: i64,
    pub province_id: Option<i64>,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub feedback_date: Option<Date>,
    pub rectification_due: Option<Date>,
    pub assessment_id: Option<i64>,
    pub disclosure_id: Option<i64>,
}

const SELECT_UNIT: &str = "SELECT ru.id, ru.province_id, ru.round_id, r.name AS round_name, ru.owner_org_id, ru.org_id, o.name AS org_name, \
     ru.state, ru.feedback_date, ru.rectification_due, (SELECT a.id FROM assessments a WHERE a.round_unit_id = ru.id) AS assessment_id, \
     (SELECT d.id FROM disclosures d WHERE d.round_unit_id = ru.id) AS disclosure_id \
     FROM round_units ru JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

/// A round unit whose inspected organisation is in scope.
pub async fn unit(db: &Db, scope: &Scope, id: i64) -> Result<UnitRef> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<UnitRef>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Round units in rectification (fed back) in scope, for choosing what to assess or disclose.
pub async fn units_in_rectification(db: &Db, scope: &Scope) -> Result<Vec<UnitRef>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_UNIT);
        qb.push(" AND ru.feedback_date IS NOT NULL");
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY ru.feedback_date DESC, ru.id DESC LIMIT 1000");
        Ok(qb.build_query_as::<UnitRef>().fetch_all(p).await?)
    })
}

fn check_fed_back(u: &UnitRef) -> Result<()> {
    let fed_back = xuncha_domain::inspection::RoundUnitState::from_code(&u.state)
        .is_some_and(xuncha_domain::inspection::RoundUnitState::is_fed_back);
    if fed_back {
        Ok(())
    } else {
        Err(rule("assessment.unit_not_in_rectification"))
    }
}

// ---------------------------------------------------------------------------------------------
// Assessments

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct AssessmentRow {
    pub id: i64,
    pub round_unit_id: i64,
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

const SELECT_ASSESSMENT: &str = "SELECT a.id, a.round_unit_id, ru.round_id, r.name AS round_name, ru.org_id, o.name AS org_name, a.state, a.indicators, \
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

fn push_assessment_filter<DB>(qb: &mut QueryBuilder<DB>, f: &AssessmentFilter)
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
        qb.push(" ORDER BY o.path, a.id LIMIT 100000");
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

/// Starts the assessment of a fed-back round unit, with a snapshot of the current rubric.
pub async fn create_assessment(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
    assessed_on: Date,
) -> Result<AssessmentRow> {
    let u = unit(db, scope, unit_id).await?;
    check_fed_back(&u)?;
    let (indicators, grades) = rubric(db, u.owner_org_id).await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM assessments WHERE round_unit_id = $1").bind(unit_id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(rule("assessment.exists"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO assessments (province_id, round_unit_id, state, indicators, grades, assessed_on, conclusion, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, '', $7, $8, $8) RETURNING id")
            .bind(u.province_id).bind(unit_id).bind(AssessmentState::Draft.code()).bind(indicators_json(&indicators)).bind(grades_json(&grades))
            .bind(assessed_on).bind(actor.user_id).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("assessment.create", "assessment", id, format!("{}（{}）：开始整改评估", u.org_name, u.round_name)));
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
        let mut tx = p.begin_write().await?;
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
            format!("{}：整改评估扣分 {} 项，合计 {} 分", a.org_name, deductions.len(), rules::show_points(total))));
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
    let now = db.now();
    let result = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
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
        let scored = rules::score(&indicators, &deds, tally);
        let grade = rules::grade_for(scored.score, &grades).cloned().ok_or_else(|| rule("assessment.no_grade"))?;
        let bp = tally.rate_bp();
        sqlx::query("UPDATE assessments SET state = $1, score = $2, grade_code = $3, grade_name = $4, satisfaction_bp = $5, finalised_at = $6, finalised_by_name = $7 WHERE id = $8")
            .bind(AssessmentState::Finalised.code()).bind(scored.score).bind(&grade.code).bind(&grade.name).bind(bp).bind(now).bind(&actor.display_name).bind(id)
            .execute(&mut *tx).await?;
        for c in &grade.consequences {
            sqlx::query("INSERT INTO assessment_consequences (assessment_id, round_unit_id, kind, created_at) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(a.round_unit_id).bind(c.code()).bind(now).execute(&mut *tx).await?;
            if *c == Consequence::Revisit {
                sqlx::query("INSERT INTO revisit_list (province_id, round_unit_id, org_id, assessment_id, reason, state, added_at) VALUES ($1, $2, $3, $4, $5, 'PENDING', $6) \
                             ON CONFLICT (round_unit_id) DO NOTHING")
                    .bind(u.province_id).bind(a.round_unit_id).bind(u.org_id).bind(id)
                    .bind(format!("整改评估{}分，等次“{}”", rules::show_points(scored.score), grade.name)).bind(now)
                    .execute(&mut *tx).await?;
            }
        }
        let named: Vec<&str> = grade.consequences.iter().map(|c| c.label()).collect();
        crate::audit_append!(db, tx, actor, &Event::op("assessment.finalise", "assessment", id, format!(
            "{}：整改评估定等，得分 {}，等次“{}”{}", a.org_name, rules::show_points(scored.score), grade.name,
            if named.is_empty() { String::new() } else { format!("，后果：{}", named.join("、")) })));
        tx.commit().await?;
        Finalised { score: scored.score, grade, satisfaction_bp: bp }
    });
    Ok(result)
}

/// One unit on the 回头看 list, with the round that inspected it (the earlier items are its
/// ledger items) and, once scheduled, the revisit round.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RevisitRow {
    pub id: i64,
    pub round_unit_id: i64,
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

const SELECT_REVISIT: &str = "SELECT v.id, v.round_unit_id, ru.round_id, r.name AS round_name, v.org_id, o.name AS org_name, v.assessment_id, v.reason, v.state, v.added_at, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = v.round_unit_id \
        AND f.state IN ('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')) AS finding_count, \
     v.revisit_round_id, rr.name AS revisit_round_name, v.scheduled_at, v.scheduled_by_name, v.done_at, v.done_by_name, v.note, v.version \
     FROM revisit_list v JOIN round_units ru ON ru.id = v.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id LEFT JOIN rounds rr ON rr.id = v.revisit_round_id WHERE 1 = 1";

pub async fn revisit_list(db: &Db, scope: &Scope) -> Result<Vec<RevisitRow>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_REVISIT);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.push(" ORDER BY v.id DESC LIMIT 2000");
        Ok(qb.build_query_as::<RevisitRow>().fetch_all(p).await?)
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

fn revisit_field(name: &str, key: &'static str) -> StoreError {
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
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE revisit_list SET state = 'SCHEDULED', revisit_round_id = $1, scheduled_at = $2, scheduled_by_name = $3, version = version + 1 \
                             WHERE id = $4 AND version = $5 AND state <> 'DONE'")
            .bind(round.id).bind(now).bind(&actor.display_name).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("assessment.revisit.schedule", "revisit", id,
            format!("{}：回头看安排在“{}”", v.org_name, round.name)));
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
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE revisit_list SET state = 'DONE', done_at = $1, done_by_name = $2, note = $3, version = version + 1 \
                             WHERE id = $4 AND version = $5 AND state = 'SCHEDULED'")
            .bind(now).bind(&actor.display_name).bind(note.trim()).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("assessment.revisit.done", "revisit", id,
            format!("{}：回头看完成（{}）", v.org_name, v.revisit_round_name.clone().unwrap_or_default())));
        tx.commit().await?;
    });
    revisit(db, scope, id).await
}

// ---------------------------------------------------------------------------------------------
// Satisfaction surveys

fn tally_of(answers: &[String]) -> Tally {
    let mut t = Tally::default();
    for a in answers {
        if let Ok(codes) = serde_json::from_str::<Vec<String>>(a) {
            for c in codes {
                if let Some(x) = Answer::from_code(&c) {
                    t.add(x);
                }
            }
        }
    }
    t
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct SurveyRow {
    pub id: i64,
    pub assessment_id: i64,
    pub questions: String,
    pub state: String,
    pub max_per_group: i32,
    pub created_at: OffsetDateTime,
    pub closed_at: Option<OffsetDateTime>,
}

impl SurveyRow {
    pub fn question_list(&self) -> Result<Vec<String>> {
        crate::db::json_list("questions", &self.questions)
    }
    pub fn is_open(&self) -> bool {
        self.state == "OPEN"
    }
}

/// One rater group with its tally.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupTally {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub responses: i64,
    pub tally: Tally,
}

/// The survey of an assessment (in scope) with the tally per rater group.
pub async fn survey(
    db: &Db,
    scope: &Scope,
    assessment_id: i64,
) -> Result<Option<(SurveyRow, Vec<GroupTally>)>> {
    get_assessment(db, scope, assessment_id).await?;
    crate::on_db!(db, p => {
        let Some(s) = sqlx::query_as::<_, SurveyRow>("SELECT id, assessment_id, questions, state, max_per_group, created_at, closed_at FROM surveys WHERE assessment_id = $1")
            .bind(assessment_id).fetch_optional(p).await? else {
            return Ok(None);
        };
        let groups: Vec<(i64, String, String)> = sqlx::query_as("SELECT id, code, name FROM survey_groups WHERE survey_id = $1 ORDER BY sort, id")
            .bind(s.id).fetch_all(p).await?;
        let answers: Vec<(i64, String)> = sqlx::query_as("SELECT group_id, answers FROM survey_responses WHERE survey_id = $1")
            .bind(s.id).fetch_all(p).await?;
        let out = groups.into_iter().map(|(id, code, name)| {
            let mine: Vec<String> = answers.iter().filter(|(g, _)| *g == id).map(|(_, a)| a.clone()).collect();
            GroupTally { id, code, name, responses: i64::try_from(mine.len()).unwrap_or(i64::MAX), tally: tally_of(&mine) }
        }).collect();
        Ok(Some((s, out)))
    })
}

/// Starts the survey of a draft assessment: one group per `(code, name, token digest)`.
pub async fn create_survey(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    assessment_id: i64,
    questions: &[String],
    groups: &[(String, String, String)],
    max_per_group: i32,
) -> Result<()> {
    let a = get_assessment(db, scope, assessment_id).await?;
    if a.state()? != AssessmentState::Draft {
        return Err(rule("assessment.finalised"));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM surveys WHERE assessment_id = $1").bind(assessment_id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(rule("survey.exists"));
        }
        let sid: i64 = sqlx::query_scalar("INSERT INTO surveys (assessment_id, questions, state, max_per_group, created_at) VALUES ($1, $2, 'OPEN', $3, $4) RETURNING id")
            .bind(assessment_id).bind(crate::db::to_json_list(questions)).bind(max_per_group).bind(now).fetch_one(&mut *tx).await?;
        for (i, (code, name, hash)) in groups.iter().enumerate() {
            sqlx::query("INSERT INTO survey_groups (survey_id, code, name, token_hash, sort) VALUES ($1, $2, $3, $4, $5)")
                .bind(sid).bind(code).bind(name).bind(hash).bind(i32::try_from(i).unwrap_or(i32::MAX)).execute(&mut *tx).await?;
        }
        let names: Vec<&str> = groups.iter().map(|g| g.1.as_str()).collect();
        crate::audit_append!(db, tx, actor, &Event::op("survey.create", "assessment", assessment_id,
            format!("{}：发起满意度测评（{}）", a.org_name, names.join("、"))));
        tx.commit().await?;
    });
    Ok(())
}

/// Replaces the link of one rater group (the old link stops working).
pub async fn rotate_link(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    assessment_id: i64,
    group_id: i64,
    token_hash: &str,
) -> Result<String> {
    let a = get_assessment(db, scope, assessment_id).await?;
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let name: Option<String> = sqlx::query_scalar("UPDATE survey_groups SET token_hash = $1 WHERE id = $2 AND survey_id = (SELECT id FROM surveys WHERE assessment_id = $3) RETURNING name")
            .bind(token_hash).bind(group_id).bind(assessment_id).fetch_optional(&mut *tx).await?;
        let Some(name) = name else {
            return Err(StoreError::NotFound);
        };
        crate::audit_append!(db, tx, actor, &Event::op("survey.link", "assessment", assessment_id,
            format!("{}：重新生成“{}”测评链接", a.org_name, name)));
        tx.commit().await?;
        Ok(name)
    })
}

/// What an anonymous rater sees through a link.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PublicSurvey {
    pub survey_id: i64,
    pub group_id: i64,
    pub group_name: String,
    pub org_name: String,
    pub round_name: String,
    pub state: String,
    pub questions: String,
}

pub async fn survey_by_token(db: &Db, token_hash: &str) -> Result<PublicSurvey> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, PublicSurvey>(
            "SELECT s.id AS survey_id, g.id AS group_id, g.name AS group_name, o.name AS org_name, r.name AS round_name, s.state, s.questions \
             FROM survey_groups g JOIN surveys s ON s.id = g.survey_id JOIN assessments a ON a.id = s.assessment_id \
             JOIN round_units ru ON ru.id = a.round_unit_id JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id \
             WHERE g.token_hash = $1")
            .bind(token_hash).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Stores one anonymous response: no identity, no address, only the day. Refused once the
/// survey is closed or the group has its maximum of responses.
pub async fn respond(
    db: &Db,
    token_hash: &str,
    answers: &[Answer],
    comment: &str,
    today: Date,
) -> Result<()> {
    let s = survey_by_token(db, token_hash).await?;
    let codes: Vec<String> = answers.iter().map(|a| a.code().to_string()).collect();
    // The audit trail records that a response came in, never who or from where.
    let actor = Actor {
        user_id: None,
        name: "匿名测评".to_string(),
        display_name: "匿名测评".to_string(),
        ip: "-".to_string(),
    };
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        // Takes the survey row, so finalising (which closes it) waits for this response.
        let open = sqlx::query("UPDATE surveys SET state = state WHERE id = $1 AND state = 'OPEN'")
            .bind(s.survey_id).execute(&mut *tx).await?.rows_affected();
        if open == 0 {
            return Err(rule("survey.closed"));
        }
        let (n, max): (i64, i32) = sqlx::query_as("SELECT (SELECT COUNT(*) FROM survey_responses WHERE group_id = $1), (SELECT max_per_group FROM surveys WHERE id = $2)")
            .bind(s.group_id).bind(s.survey_id).fetch_one(&mut *tx).await?;
        if n >= i64::from(max) {
            return Err(rule("survey.full"));
        }
        sqlx::query("INSERT INTO survey_responses (survey_id, group_id, answers, comment, submitted_on) VALUES ($1, $2, $3, $4, $5)")
            .bind(s.survey_id).bind(s.group_id).bind(crate::db::to_json_list(&codes)).bind(comment).bind(today).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, &actor, &Event::op("survey.respond", "survey", s.survey_id,
            format!("{}：满意度测评收到一份答卷（{}）", s.org_name, s.group_name)));
        tx.commit().await?;
    });
    Ok(())
}

/// The comments of a survey (anonymous), newest first.
pub async fn survey_comments(db: &Db, survey_id: i64) -> Result<Vec<(String, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT g.name, r.comment FROM survey_responses r JOIN survey_groups g ON g.id = r.group_id WHERE r.survey_id = $1 AND r.comment <> '' ORDER BY r.id DESC LIMIT 500")
        .bind(survey_id).fetch_all(p).await?))
}

// ---------------------------------------------------------------------------------------------
// Disclosure

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DisclosureRow {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    pub counts: Option<String>,
    pub public_counts: Option<String>,
    pub public_items: Option<String>,
    /// The public counts the public text was generated from (see [`update_disclosure`]).
    pub public_basis: Option<String>,
    pub drafted_by: Option<i64>,
    pub drafted_by_name: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub opinion: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl DisclosureRow {
    pub fn state(&self) -> Result<DisclosureState> {
        DisclosureState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("disclosure state {}", self.state)))
    }
}

const SELECT_DISCLOSURE: &str = "SELECT d.id, d.round_unit_id, ru.round_id, r.name AS round_name, ru.org_id, o.name AS org_name, d.state, d.title, \
     d.internal_text, d.public_text, d.counts, d.public_counts, d.public_items, d.public_basis, d.drafted_by, d.drafted_by_name, d.submitted_at, \
     d.decided_by_name, d.decided_at, d.opinion, d.version, d.created_at, d.updated_at \
     FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

pub async fn list_disclosures(
    db: &Db,
    scope: &Scope,
    state: Option<&str>,
    page: PageReq,
) -> Result<Page<DisclosureRow>> {
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1");
        let mut qb = QueryBuilder::new(SELECT_DISCLOSURE);
        if let Some(s) = state.filter(|s| !s.is_empty()) {
            count.push(" AND d.state = ").push_bind(s.to_string());
            qb.push(" AND d.state = ").push_bind(s.to_string());
        }
        scope.push_filter(&mut count, UNIT_COLS);
        scope.push_filter(&mut qb, UNIT_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        qb.push(" ORDER BY d.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<DisclosureRow>().fetch_all(p).await?, total })
    })
}

pub async fn get_disclosure(db: &Db, scope: &Scope, id: i64) -> Result<DisclosureRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_DISCLOSURE);
        qb.push(" AND d.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<DisclosureRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// A fed-back finding of the unit, with its exemption from the public release if any.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DisclosureItem {
    pub finding_id: i64,
    pub title: String,
    pub category_name: Option<String>,
    pub state: String,
    pub exemption: Option<String>,
    pub note: Option<String>,
}

/// States of fed-back findings (the ledger).
const FED_BACK_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";

pub async fn disclosure_items(
    db: &Db,
    unit_id: i64,
    disclosure_id: Option<i64>,
) -> Result<Vec<DisclosureItem>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, DisclosureItem>(sqlx::AssertSqlSafe(format!(
        "SELECT f.id AS finding_id, f.title, c.name AS category_name, f.state, x.reason AS exemption, x.note \
         FROM findings f LEFT JOIN categories c ON c.id = f.category_id \
         LEFT JOIN disclosure_exemptions x ON x.finding_id = f.id AND x.disclosure_id = $2 \
         WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES} ORDER BY f.id")))
        .bind(unit_id).bind(disclosure_id.unwrap_or(0)).fetch_all(p).await?))
}

/// `(kind, treatment, rows, Σ count, Σ amount_fen)` of the outcomes of one kind and treatment.
type OutcomeSum = (String, Option<String>, i64, i64, i64);

/// The figures of a round unit's rectification: findings by state and the outcomes recorded on
/// them (domain.md §6.6). With `without_exempt_of`, the findings exempted in that disclosure and
/// their outcomes are left out (the public figures).
pub async fn disclosure_counts(
    db: &Db,
    unit_id: i64,
    without_exempt_of: Option<i64>,
) -> Result<DisclosureCounts> {
    // No disclosure has id 0, so without one nothing is left out.
    let exempt =
        " AND f.id NOT IN (SELECT finding_id FROM disclosure_exemptions WHERE disclosure_id = $2)";
    let xid = without_exempt_of.unwrap_or(0);
    let (states, outcomes): (Vec<(String, i64)>, Vec<OutcomeSum>) = crate::on_db!(db, p => {
        let states = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT f.state, COUNT(*) FROM findings f WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES}{exempt} GROUP BY f.state")))
            .bind(unit_id).bind(xid).fetch_all(p).await?;
        let outcomes = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT o.kind, o.treatment, COUNT(*), CAST(COALESCE(SUM(o.count), 0) AS BIGINT), CAST(COALESCE(SUM(o.amount_fen), 0) AS BIGINT) \
             FROM rect_outcomes o JOIN findings f ON f.id = o.finding_id \
             WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES}{exempt} GROUP BY o.kind, o.treatment ORDER BY o.kind, o.treatment")))
            .bind(unit_id).bind(xid).fetch_all(p).await?;
        (states, outcomes)
    });
    let mut c = DisclosureCounts::default();
    for (s, n) in states {
        c.total += n;
        match FindingState::from_code(&s) {
            Some(FindingState::Closed) => c.completed += n,
            Some(FindingState::LongTerm) => c.long_term += n,
            _ => c.in_progress += n,
        }
    }
    for (kind, treatment, rows, count, fen) in outcomes {
        match kind.as_str() {
            "accountability" => {
                c.accountability_people += count;
                let t = treatment
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| "其他处理".to_string());
                match c.by_treatment.iter_mut().find(|(x, _)| *x == t) {
                    Some(e) => e.1 += count,
                    None => c.by_treatment.push((t, count)),
                }
            }
            "rule" => c.rules += rows,
            "money_returned" => c.money_returned_fen += fen,
            "loss_recovered" => c.loss_recovered_fen += fen,
            _ => {}
        }
    }
    c.by_treatment.sort();
    Ok(c)
}

/// The counts as stored JSON.
pub fn counts_json(c: &DisclosureCounts) -> String {
    let t: Vec<Value> = c
        .by_treatment
        .iter()
        .map(|(t, n)| json!({"treatment": t, "people": n}))
        .collect();
    json!({
        "total": c.total, "completed": c.completed, "in_progress": c.in_progress, "long_term": c.long_term,
        "accountability_people": c.accountability_people, "by_treatment": t, "rules": c.rules,
        "money_returned_fen": c.money_returned_fen, "loss_recovered_fen": c.loss_recovered_fen,
    })
    .to_string()
}

pub fn parse_counts(text: &str) -> Result<DisclosureCounts> {
    let v: Value = serde_json::from_str(text).map_err(|_| corrupt("counts"))?;
    let n = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    Ok(DisclosureCounts {
        total: n("total"),
        completed: n("completed"),
        in_progress: n("in_progress"),
        long_term: n("long_term"),
        accountability_people: n("accountability_people"),
        by_treatment: v
            .get("by_treatment")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| Some((str_of(x, "treatment")?, x.get("people")?.as_i64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        rules: n("rules"),
        money_returned_fen: n("money_returned_fen"),
        loss_recovered_fen: n("loss_recovered_fen"),
    })
}

/// A public item: `(title, category, state)`.
pub fn parse_items(text: &str) -> Result<Vec<(String, String, String)>> {
    let v: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt("public_items"))?;
    Ok(v.iter()
        .filter_map(|x| {
            Some((
                str_of(x, "title")?,
                str_of(x, "category").unwrap_or_default(),
                str_of(x, "state")?,
            ))
        })
        .collect())
}

/// Drafts the disclosure of a fed-back round unit, with texts generated from the records.
pub async fn create_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: i64,
) -> Result<DisclosureRow> {
    let u = unit(db, scope, unit_id).await?;
    check_fed_back(&u)?;
    let c = disclosure_counts(db, unit_id, None).await?;
    let internal = rules::internal_text(&u.org_name, &u.round_name, &c);
    let public = rules::public_text(&u.org_name, &u.round_name, &c);
    let title = format!("关于{}巡察整改情况的通报", u.org_name);
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM disclosures WHERE round_unit_id = $1").bind(unit_id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(rule("disclosure.exists"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO disclosures (province_id, round_unit_id, state, title, internal_text, public_text, public_basis, drafted_by, drafted_by_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
            .bind(u.province_id).bind(unit_id).bind(DisclosureState::Draft.code()).bind(&title).bind(&internal).bind(&public)
            .bind(counts_json(&c)).bind(actor.user_id).bind(&actor.display_name).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.create", "disclosure", id, format!("{}：起草整改公开稿", u.org_name)));
        tx.commit().await?;
        id
    });
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// The editable content of a disclosure.
#[derive(Debug, Clone)]
pub struct DisclosureDraft {
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    /// `(finding id, reason, note)`.
    pub exemptions: Vec<(i64, ExemptionReason, String)>,
}

pub async fn update_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    d: &DisclosureDraft,
    version: i64,
) -> Result<DisclosureRow> {
    let row = get_disclosure(db, scope, id).await?;
    if !row.state()?.editable() {
        return Err(rule("disclosure.not_editable"));
    }
    let items = disclosure_items(db, row.round_unit_id, Some(id)).await?;
    let mut before: Vec<i64> = items
        .iter()
        .filter(|x| x.exemption.is_some())
        .map(|x| x.finding_id)
        .collect();
    before.sort_unstable();
    let mut after: Vec<i64> = d.exemptions.iter().map(|(fid, _, _)| *fid).collect();
    after.sort_unstable();
    after.dedup();
    // The public text follows the exemptions: a change of them (or an empty text) regenerates it.
    let regenerate = before != after || d.public_text.trim().is_empty();
    for (i, (fid, _, _)) in d.exemptions.iter().enumerate() {
        if !items.iter().any(|x| x.finding_id == *fid) {
            return Err(StoreError::Domain(DomainError::field(
                &format!("exemptions[{i}].finding_id"),
                Msg::new("disclosure.finding_not_in_unit"),
            )));
        }
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = sqlx::query("UPDATE disclosures SET title = $1, internal_text = $2, public_text = $3, version = version + 1, updated_at = $4 \
                             WHERE id = $5 AND version = $6 AND state IN ('DRAFT', 'RETURNED')")
            .bind(&d.title).bind(&d.internal_text).bind(&d.public_text).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("DELETE FROM disclosure_exemptions WHERE disclosure_id = $1").bind(id).execute(&mut *tx).await?;
        for (fid, reason, note) in &d.exemptions {
            sqlx::query("INSERT INTO disclosure_exemptions (disclosure_id, finding_id, reason, note) VALUES ($1, $2, $3, $4)")
                .bind(id).bind(*fid).bind(reason.code()).bind(note).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.update", "disclosure", id,
            format!("{}：修改整改公开稿（不予公开 {} 项）", row.org_name, d.exemptions.len())));
        tx.commit().await?;
    });
    if regenerate {
        regenerate_public_text(db, actor, &row).await?;
    }
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// Rewrites the public text from the current public counts (without the exempted items) and
/// records them as its basis.
async fn regenerate_public_text(db: &Db, actor: &Actor, row: &DisclosureRow) -> Result<()> {
    let c = disclosure_counts(db, row.round_unit_id, Some(row.id)).await?;
    let text = rules::public_text(&row.org_name, &row.round_name, &c);
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        sqlx::query("UPDATE disclosures SET public_text = $1, public_basis = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND state IN ('DRAFT', 'RETURNED')")
            .bind(&text).bind(counts_json(&c)).bind(now).bind(row.id).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.regenerate", "disclosure", row.id,
            format!("{}：按不予公开事项重新生成社会公开稿", row.org_name)));
        tx.commit().await?;
    });
    Ok(())
}

/// Submits (freezing the figures and the public items), approves or returns a disclosure.
/// Whether the office that ran the round of `round_unit_id` lies in `scope`.
pub async fn round_office_in_scope(db: &Db, scope: &Scope, round_unit_id: i64) -> Result<bool> {
    let (owner_id, owner_path): (i64, String) = crate::on_db!(db, p => sqlx::query_as(
        "SELECT o.id, o.path FROM round_units ru JOIN organisations o ON o.id = ru.owner_org_id WHERE ru.id = $1")
        .bind(round_unit_id).fetch_one(p).await?);
    Ok(scope.contains(owner_id, &owner_path, None))
}

pub async fn transition_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    to: DisclosureState,
    opinion: &str,
    version: i64,
) -> Result<DisclosureRow> {
    let row = get_disclosure(db, scope, id).await?;
    let from = row.state()?;
    rules::check_disclosure_transition(from, to)?;
    if to == DisclosureState::Approved {
        rules::check_second_approver(row.drafted_by.unwrap_or(0), actor.user_id.unwrap_or(0))?;
    }
    if matches!(to, DisclosureState::Approved | DisclosureState::Returned) {
        // Only the office that ran the round (or one above it) decides: the inspected unit's own
        // office sees the disclosure but must not approve what is published about it.
        if !round_office_in_scope(db, scope, row.round_unit_id).await? {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "disclosure.not_round_office",
            ))));
        }
    }
    let frozen = if to == DisclosureState::Submitted {
        let all = disclosure_counts(db, row.round_unit_id, None).await?;
        let public = disclosure_counts(db, row.round_unit_id, Some(id)).await?;
        // The text must be the one generated for these counts and exemptions (an exempted case
        // must not reach the public through a text drafted before it was exempted).
        if row.public_basis.as_deref() != Some(counts_json(&public).as_str()) {
            return Err(rule("disclosure.stale_text"));
        }
        let items: Vec<Value> = disclosure_items(db, row.round_unit_id, Some(id))
            .await?
            .into_iter()
            .filter(|x| x.exemption.is_none())
            .map(|x| {
                let state = FindingState::from_code(&x.state).map_or(x.state.clone(), |s| s.label().to_string());
                json!({"title": x.title, "category": x.category_name.unwrap_or_default(), "state": state})
            })
            .collect();
        Some((
            counts_json(&all),
            counts_json(&public),
            Value::Array(items).to_string(),
        ))
    } else {
        None
    };
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = p.begin_write().await?;
        let n = match &frozen {
            Some((all, public, items)) => sqlx::query(
                "UPDATE disclosures SET state = $1, counts = $2, public_counts = $3, public_items = $4, submitted_at = $5, opinion = NULL, \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND state = $8")
                .bind(to.code()).bind(all).bind(public).bind(items).bind(now).bind(id).bind(version).bind(from.code())
                .execute(&mut *tx).await?.rows_affected(),
            None => sqlx::query(
                "UPDATE disclosures SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, opinion = $5, \
                 version = version + 1, updated_at = $4 WHERE id = $6 AND version = $7 AND state = $8")
                .bind(to.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(opinion).bind(id).bind(version).bind(from.code())
                .execute(&mut *tx).await?.rows_affected(),
        };
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.transition", "disclosure", id,
            format!("{}：整改公开稿 {} → {}", row.org_name, from.label(), to.label())));
        tx.commit().await?;
    });
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// One approved public release.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PublicDisclosure {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub public_text: String,
    pub public_counts: Option<String>,
    pub public_items: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

const SELECT_PUBLIC: &str = "SELECT d.id, d.title, o.name AS org_name, r.name AS round_name, d.public_text, d.public_counts, d.public_items, d.decided_at \
     FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id WHERE d.state = 'APPROVED'";

/// Approved disclosures, newest first: the only disclosure data served without login.
pub async fn public_disclosures(db: &Db, page: PageReq) -> Result<Page<PublicDisclosure>> {
    crate::on_db!(db, p => {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM disclosures WHERE state = 'APPROVED'").fetch_one(p).await?;
        let items = sqlx::query_as::<_, PublicDisclosure>(sqlx::AssertSqlSafe(format!("{SELECT_PUBLIC} ORDER BY d.decided_at DESC, d.id DESC LIMIT $1 OFFSET $2")))
            .bind(page.page_size).bind(page.offset()).fetch_all(p).await?;
        Ok(Page { items, total })
    })
}

pub async fn public_disclosure(db: &Db, id: i64) -> Result<PublicDisclosure> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, PublicDisclosure>(sqlx::AssertSqlSafe(format!("{SELECT_PUBLIC} AND d.id = $1")))
            .bind(id).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

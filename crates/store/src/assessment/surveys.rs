//! Assessment storage: satisfaction surveys (满意度测评), their link tokens and answers.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn tally_of(answers: &[String]) -> Tally {
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
        let mut tx = db.write(p).await?;
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
            Msg::new("survey.audit_create").arg("org", &a.org_name).arg("groups", names.join(xuncha_domain::i18n::text("list.separator"))).render()));
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
        let mut tx = db.write(p).await?;
        let name: Option<String> = sqlx::query_scalar("UPDATE survey_groups SET token_hash = $1 WHERE id = $2 AND survey_id = (SELECT id FROM surveys WHERE assessment_id = $3) RETURNING name")
            .bind(token_hash).bind(group_id).bind(assessment_id).fetch_optional(&mut *tx).await?;
        let Some(name) = name else {
            return Err(StoreError::NotFound);
        };
        crate::audit_append!(db, tx, actor, &Event::op("survey.link", "assessment", assessment_id,
            Msg::new("survey.audit_link").arg("org", &a.org_name).arg("group", &name).render()));
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
        name: Msg::new("survey.anonymous").render(),
        display_name: Msg::new("survey.anonymous").render(),
        ip: "-".to_string(),
    };
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
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
            Msg::new("survey.audit_respond").arg("org", &s.org_name).arg("group", &s.group_name).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// Every comment of one survey (anonymous), newest first.
pub async fn survey_comments(db: &Db, survey_id: i64) -> Result<Vec<(String, String)>> {
    crate::on_db!(db, p => Ok(sqlx::query_as(
        "SELECT g.name, r.comment FROM survey_responses r JOIN survey_groups g ON g.id = r.group_id WHERE r.survey_id = $1 AND r.comment <> '' ORDER BY r.id DESC")
        .bind(survey_id).fetch_all(p).await?))
}

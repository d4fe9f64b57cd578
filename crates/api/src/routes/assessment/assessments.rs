//! Assessment routes: assessments, deductions, the live score and finalising.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::RoundUnitId;

#[derive(Debug, Serialize, ToSchema)]
pub struct IndicatorScore {
    pub code: String,
    pub name: String,
    pub max_points: f64,
    pub mode: String,
    /// Points deducted in all (capped at the maximum).
    pub deducted: f64,
    /// The part derived from the satisfaction survey.
    pub auto_deducted: f64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeductionDto {
    pub indicator: String,
    #[serde(default)]
    pub indicator_name: String,
    pub points: f64,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TallyGroup {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub responses: i64,
    pub rate: Option<String>,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyComment {
    pub group_name: String,
    pub comment: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Satisfaction {
    /// (满意 + 基本满意) ÷ valid responses, e.g. `"87.50%"`; null without valid responses.
    pub rate: Option<String>,
    pub valid: i64,
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
    /// Answer sheets received.
    pub responses: i64,
    /// `OPEN` or `CLOSED`.
    pub state: String,
    pub questions: Vec<String>,
    pub groups: Vec<TallyGroup>,
    pub comments: Vec<SurveyComment>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub assessed_on: String,
    pub conclusion: String,
    pub indicators: Vec<IndicatorScore>,
    pub deductions: Vec<DeductionDto>,
    /// The live preview while DRAFT; the recorded score once FINALISED.
    pub score: f64,
    pub grade_code: Option<String>,
    pub grade_name: Option<String>,
    pub consequences: Vec<Named>,
    pub satisfaction: Option<Satisfaction>,
    pub finalised_at: Option<String>,
    pub finalised_by_name: Option<String>,
    pub version: i64,
}

pub(super) fn tally_group(g: &GroupTally) -> TallyGroup {
    TallyGroup {
        id: g.id,
        code: g.code.clone(),
        name: g.name.clone(),
        responses: g.responses,
        rate: g.tally.rate_bp().map(show_rate),
        satisfied: g.tally.satisfied,
        basic: g.tally.basic,
        unsatisfied: g.tally.unsatisfied,
        unknown: g.tally.unknown,
    }
}

pub(super) async fn satisfaction(
    st: &AppState,
    auth: &Auth,
    id: i64,
) -> ApiResult<(Tally, Option<Satisfaction>)> {
    let Some((s, groups)) = store::survey(&st.db, &auth.scope, id).await? else {
        return Ok((Tally::default(), None));
    };
    let t = groups
        .iter()
        .fold(Tally::default(), |acc, g| acc.plus(g.tally));
    let comments = store::survey_comments(&st.db, s.id)
        .await?
        .into_iter()
        .map(|(group_name, comment)| SurveyComment {
            group_name,
            comment,
        })
        .collect();
    Ok((
        t,
        Some(Satisfaction {
            rate: t.rate_bp().map(show_rate),
            valid: t.valid(),
            satisfied: t.satisfied,
            basic: t.basic,
            unsatisfied: t.unsatisfied,
            unknown: t.unknown,
            responses: groups.iter().map(|g| g.responses).sum(),
            state: s.state.clone(),
            questions: s.question_list()?,
            groups: groups.iter().map(tally_group).collect(),
            comments,
        }),
    ))
}

pub(super) async fn assessment_dto(
    st: &AppState,
    auth: &Auth,
    a: AssessmentRow,
) -> ApiResult<AssessmentDto> {
    let indicators = a.indicator_list()?;
    let grades = a.grade_list()?;
    let deds = store::deductions(&st.db, a.id).await?;
    let (tally, sat) = satisfaction(st, auth, a.id).await?;
    let state = a.state()?;
    let finalised = state == AssessmentState::Finalised;
    let scored = match a.score {
        Some(recorded) if finalised => rules::score_recorded(&indicators, &deds, tally, recorded),
        _ => {
            let ledger = store::ledger(&st.db, a.round_unit_id, st.db.today()).await?;
            rules::score(&indicators, &deds, tally, ledger)
        }
    };
    let (score, grade_code, grade_name, consequences) = if finalised {
        let c = store::consequences(&st.db, a.id).await?;
        (
            a.score.unwrap_or(scored.score),
            a.grade_code.clone(),
            a.grade_name.clone(),
            c,
        )
    } else if rules::awaits_survey(&indicators, tally) {
        // No band before the survey has a valid answer: 待测评.
        (
            scored.score,
            None,
            Some(Msg::new("assessment.grade_pending").render()),
            Vec::new(),
        )
    } else {
        let g = rules::grade_for(scored.score, &grades);
        (
            scored.score,
            g.map(|g| g.code.clone()),
            g.map(|g| g.name.clone()),
            g.map(|g| g.consequences.clone()).unwrap_or_default(),
        )
    };
    let name_of = |code: &str| {
        indicators
            .iter()
            .find(|x| x.code == code)
            .map_or_else(|| code.to_string(), |x| x.name.clone())
    };
    Ok(AssessmentDto {
        indicators: indicators
            .iter()
            .zip(&scored.per_indicator)
            .map(|(x, (_, d, auto))| IndicatorScore {
                code: x.code.clone(),
                name: x.name.clone(),
                max_points: points(x.max),
                mode: x.mode.code().to_string(),
                deducted: points(*d),
                auto_deducted: points(*auto),
            })
            .collect(),
        deductions: deds
            .iter()
            .map(|d| DeductionDto {
                indicator_name: name_of(&d.indicator),
                indicator: d.indicator.clone(),
                points: points(d.points),
                reason: d.reason.clone(),
            })
            .collect(),
        score: points(score),
        grade_code,
        grade_name,
        consequences: consequences
            .iter()
            .map(|c| Named {
                code: c.code().to_string(),
                name: c.label().to_string(),
            })
            .collect(),
        satisfaction: sat,
        id: a.id,
        round_unit_id: a.round_unit_id.get(),
        round_id: a.round_id,
        round_name: a.round_name,
        org_id: a.org_id,
        org_name: a.org_name,
        state_name: state.label().to_string(),
        state: a.state,
        assessed_on: date_str(a.assessed_on),
        conclusion: a.conclusion,
        finalised_at: a.finalised_at.map(rfc3339),
        finalised_by_name: a.finalised_by_name,
        version: a.version,
    })
}

pub(super) async fn load(st: &AppState, auth: &Auth, id: i64) -> ApiResult<AssessmentRow> {
    store::get_assessment(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSummary {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub assessed_on: String,
    pub score: Option<f64>,
    pub grade_name: Option<String>,
    pub satisfaction_rate: Option<String>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentPage {
    pub items: Vec<AssessmentSummary>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AssessmentQuery {
    pub round_id: Option<i64>,
    /// `DRAFT` or `FINALISED`.
    pub state: Option<String>,
    /// Part of the unit's name.
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Assessments of units in scope.
#[utoipa::path(get, operation_id = "assessments_list", path = "/api/v1/assessments", tag = "assessment", params(AssessmentQuery),
    responses((status = 200, body = AssessmentPage)))]
pub(super) async fn list_assessments(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<AssessmentQuery>,
) -> ApiResult<axum::Json<AssessmentPage>> {
    let f = AssessmentFilter {
        round_id: q.round_id,
        state: q.state,
        q: q.q,
    };
    let r =
        store::list_assessments(&st.db, &auth.scope, &f, PageReq::new(q.page, q.page_size)).await?;
    Ok(axum::Json(AssessmentPage {
        items: r
            .items
            .into_iter()
            .map(|a| AssessmentSummary {
                id: a.id,
                round_unit_id: a.round_unit_id.get(),
                round_name: a.round_name.clone(),
                org_name: a.org_name.clone(),
                state_name: AssessmentState::from_code(&a.state)
                    .map_or(a.state.clone(), |s| s.label().to_string()),
                state: a.state.clone(),
                assessed_on: date_str(a.assessed_on),
                score: a.score.map(points),
                grade_name: a.grade_name.clone(),
                satisfaction_rate: a.satisfaction_bp.map(show_rate),
                version: a.version,
            })
            .collect(),
        total: r.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentCreate {
    #[schema(value_type = i64)]
    pub round_unit_id: RoundUnitId,
    /// Defaults to today.
    #[serde(default)]
    pub assessed_on: Option<String>,
}

/// Starts the assessment of a fed-back round unit (one per unit).
#[utoipa::path(post, operation_id = "assessments_create", path = "/api/v1/assessments", tag = "assessment", request_body = AssessmentCreate,
    responses((status = 201, body = AssessmentDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
pub(super) async fn create_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<AssessmentCreate>,
) -> ApiResult<(StatusCode, axum::Json<AssessmentDto>)> {
    let on = match b.assessed_on.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => parse_date("assessed_on", s).map_err(|e| DomainError::Invalid(vec![e]))?,
        None => st.db.today(),
    };
    let a = store::create_assessment(&st.db, &auth.actor, &auth.scope, b.round_unit_id, on)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(assessment_dto(&st, &auth, a).await?),
    ))
}

/// One assessment with its indicators, deductions, live score and grade, and the survey tally.
#[utoipa::path(get, operation_id = "assessments_get", path = "/api/v1/assessments/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn get_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    let a = load(&st, &auth, id).await?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssessmentSave {
    pub assessed_on: String,
    #[serde(default)]
    pub conclusion: String,
    pub deductions: Vec<DeductionDto>,
    pub version: i64,
}

/// Saves the deductions (each with its reason) and the conclusion of a draft assessment.
#[utoipa::path(put, operation_id = "assessments_update", path = "/api/v1/assessments/{id}", tag = "assessment", params(("id" = i64, Path)),
    request_body = AssessmentSave,
    responses((status = 200, body = AssessmentDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn update_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AssessmentSave>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    let a = load(&st, &auth, id).await?;
    let indicators = a.indicator_list()?;
    let mut e = Errors::default();
    let on = parse_date("assessed_on", &b.assessed_on)
        .map_err(|x| e.push(x))
        .ok();
    if b.conclusion.chars().count() > 5000 {
        e.push(FieldError::new(
            "conclusion",
            Msg::new("validation.too_long")
                .arg("field", "field.conclusion")
                .arg("max", 5000),
        ));
    }
    let raw: Vec<(String, f64, String)> = b
        .deductions
        .iter()
        .map(|d| (d.indicator.clone(), d.points, d.reason.clone()))
        .collect();
    let deds: Vec<Deduction> = match rules::parse_deductions(&indicators, &raw) {
        Ok(d) => d,
        Err(DomainError::Invalid(v)) => {
            for x in v {
                e.push(x);
            }
            Vec::new()
        }
        Err(x) => return Err(x.into()),
    };
    e.into_result()?;
    let Some(on) = on else {
        return Err(ApiError::forbidden());
    };
    let a = store::update_assessment(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        on,
        b.conclusion.trim(),
        &deds,
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

/// Finalises: records score, grade and the band's consequences, puts the unit on the 回头看 list
/// where the band says so, and closes the survey.
#[utoipa::path(post, operation_id = "assessments_finalise", path = "/api/v1/assessments/{id}/finalise", tag = "assessment", params(("id" = i64, Path)),
    request_body = crate::routes::VersionBody,
    responses((status = 200, body = AssessmentDto), (status = 409, body = crate::error::Problem)))]
pub(super) async fn finalise_assessment(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<crate::routes::VersionBody>,
) -> ApiResult<axum::Json<AssessmentDto>> {
    store::finalise(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let a = load(&st, &auth, id).await?;
    Ok(axum::Json(assessment_dto(&st, &auth, a).await?))
}

//! Assessment routes: the rubric (indicators and grade bands) in the office's settings.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct IndicatorDto {
    pub code: String,
    pub name: String,
    pub max_points: f64,
    /// `manual` or `satisfaction`.
    pub mode: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GradeDto {
    pub code: String,
    pub name: String,
    pub min_score: f64,
    /// Codes: `redo`, `admonition`, `revisit`, `supervisor_talk`.
    pub consequences: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssessmentSettings {
    pub indicators: Vec<IndicatorDto>,
    pub grades: Vec<GradeDto>,
    pub modes: Vec<Named>,
    pub consequences: Vec<Named>,
    /// Where the rubric comes from: the caller's office's own, inherited or the defaults.
    pub source: crate::routes::office_settings::SettingsSource,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SettingsSave {
    pub indicators: Vec<IndicatorDto>,
    pub grades: Vec<GradeDto>,
}

pub(super) fn indicator_dto(x: &Indicator) -> IndicatorDto {
    IndicatorDto {
        code: x.code.clone(),
        name: x.name.clone(),
        max_points: points(x.max),
        mode: x.mode.code().to_string(),
    }
}

pub(super) fn grade_dto(g: &GradeBand) -> GradeDto {
    GradeDto {
        code: g.code.clone(),
        name: g.name.clone(),
        min_score: points(g.min),
        consequences: g
            .consequences
            .iter()
            .map(|c| c.code().to_string())
            .collect(),
    }
}

pub(super) fn settings_dto(
    indicators: &[Indicator],
    grades: &[GradeBand],
    g: &xuncha_store::settings::Group,
) -> AssessmentSettings {
    AssessmentSettings {
        source: crate::routes::office_settings::source_dto(g),
        indicators: indicators.iter().map(indicator_dto).collect(),
        grades: grades.iter().map(grade_dto).collect(),
        modes: named(
            IndicatorMode::ALL,
            IndicatorMode::code,
            IndicatorMode::label,
        ),
        consequences: named(Consequence::ALL, Consequence::code, Consequence::label),
    }
}

pub(super) async fn settings_of(
    st: &AppState,
    office: OrgId,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    let (i, g, src) = store::rubric_with_source(&st.db, office).await?;
    Ok(axum::Json(settings_dto(&i, &g, &src)))
}

/// The caller's office's assessment rubric (indicators and maxima) and grade bands with their
/// consequences: its own, else inherited from the nearest office above, else the defaults.
#[utoipa::path(get, operation_id = "assessment_settings", path = "/api/v1/assessment/settings", tag = "assessment",
    responses((status = 200, body = AssessmentSettings)))]
pub(super) async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    settings_of(&st, crate::routes::office_settings::office(&auth)).await
}

/// Drops the caller's office's own rubric (恢复继承): it inherits again.
#[utoipa::path(delete, operation_id = "assessment_settings_inherit", path = "/api/v1/assessment/settings", tag = "assessment",
    responses((status = 200, body = AssessmentSettings)))]
pub(super) async fn inherit_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    let office = crate::routes::office_settings::office(&auth);
    store::inherit_rubric(&st.db, &auth.actor, office).await?;
    settings_of(&st, office).await
}

/// Configures the caller's own office's rubric (maxima summing to 100) and grade bands; a
/// parent's or another office's are never changed.
#[utoipa::path(put, operation_id = "assessment_settings_save", path = "/api/v1/assessment/settings", tag = "assessment", request_body = SettingsSave,
    responses((status = 200, body = AssessmentSettings), (status = 422, body = crate::error::Problem)))]
pub(super) async fn put_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<SettingsSave>,
) -> ApiResult<axum::Json<AssessmentSettings>> {
    let mut e = Errors::default();
    let mut indicators = Vec::new();
    for (i, x) in b.indicators.iter().enumerate() {
        let max = rules::parse_points(
            &format!("indicators[{i}].max_points"),
            x.max_points,
            rules::FULL_SCORE,
        )
        .map_err(|x| e.push(x))
        .unwrap_or(0);
        let mode = IndicatorMode::parse_field(&format!("indicators[{i}].mode"), &x.mode)
            .map_err(|x| e.push(x))
            .unwrap_or(IndicatorMode::Manual);
        let name = required_text(&format!("indicators[{i}].name"), &x.name, 30)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        indicators.push(Indicator {
            code: x.code.trim().to_string(),
            name,
            max,
            mode,
        });
    }
    let mut grades = Vec::new();
    for (i, g) in b.grades.iter().enumerate() {
        let min = rules::parse_points(
            &format!("grades[{i}].min_score"),
            g.min_score,
            rules::FULL_SCORE,
        )
        .map_err(|x| e.push(x))
        .unwrap_or(0);
        let mut cons = Vec::new();
        for c in &g.consequences {
            match Consequence::parse_field(&format!("grades[{i}].consequences"), c) {
                Ok(c) if !cons.contains(&c) => cons.push(c),
                Ok(_) => {}
                Err(x) => e.push(x),
            }
        }
        let name = required_text(&format!("grades[{i}].name"), &g.name, 20)
            .map_err(|x| e.push(x))
            .unwrap_or_default();
        grades.push(GradeBand {
            code: g.code.trim().to_string(),
            name,
            min,
            consequences: cons,
        });
    }
    e.into_result()?;
    let office = crate::routes::office_settings::office(&auth);
    store::save_rubric(&st.db, &auth.actor, office, &indicators, &grades).await?;
    settings_of(&st, office).await
}

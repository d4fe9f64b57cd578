//! Assessment storage: the rubric (indicators and grade bands) in the office's settings.

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) fn indicators_json(v: &[Indicator]) -> String {
    Value::Array(
        v.iter()
            .map(|x| json!({"code": x.code, "name": x.name, "max": x.max, "mode": x.mode.code()}))
            .collect(),
    )
    .to_string()
}

pub(super) fn grades_json(v: &[GradeBand]) -> String {
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
    let summary = Msg::new("assessment.audit_settings")
        .arg(
            "indicators",
            indicators
                .iter()
                .map(|x| {
                    Msg::new("assessment.indicator_points")
                        .arg("name", &x.name)
                        .arg("points", rules::show_points(x.max))
                        .render()
                })
                .collect::<Vec<_>>()
                .join(xuncha_domain::i18n::text("list.separator")),
        )
        .arg(
            "grades",
            grades
                .iter()
                .map(|g| format!("{}≥{}", g.name, rules::show_points(g.min)))
                .collect::<Vec<_>>()
                .join(xuncha_domain::i18n::text("list.separator")),
        )
        .render();
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
        &Msg::new("assessment.audit_settings_inherit").render(),
    )
    .await
}

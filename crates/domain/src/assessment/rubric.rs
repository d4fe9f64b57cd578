//! The rubric: indicators and grade bands, their defaults and checks, and points as typed.

#[allow(clippy::wildcard_imports)]
use super::*;

/// One indicator of the rubric.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub code: String,
    pub name: String,
    pub max: Tenths,
    pub mode: IndicatorMode,
}

/// One grade band: scores at or above `min` (and below the next band) get this grade.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GradeBand {
    pub code: String,
    pub name: String,
    pub min: Tenths,
    pub consequences: Vec<Consequence>,
}

fn ind(code: &str, name: &str, max: Tenths, mode: IndicatorMode) -> Indicator {
    Indicator {
        code: code.into(),
        name: name.into(),
        max,
        mode,
    }
}

/// The five indicators of domain.md §6.5 [P6], 100 points in all.
pub fn default_indicators() -> Vec<Indicator> {
    use IndicatorMode::{Manual, Overdue, Satisfaction};
    vec![
        ind("research", "研究部署", 200, Manual),
        ind("tasks", "任务落实", 300, Overdue),
        ind("organisation", "组织落实", 200, Manual),
        ind("satisfaction", "满意度", 200, Satisfaction),
        ind("overall", "综合评价", 100, Manual),
    ]
}

/// 优秀 ≥ 90, 合格 ≥ 80, 基本合格 ≥ 70, 不合格 below; 基本合格 and 不合格 carry consequences.
pub fn default_grades() -> Vec<GradeBand> {
    use Consequence::{Admonition, Redo, Revisit, SupervisorTalk};
    let band = |code: &str, name: &str, min: Tenths, c: Vec<Consequence>| GradeBand {
        code: code.into(),
        name: name.into(),
        min,
        consequences: c,
    };
    vec![
        band("excellent", "优秀", 900, vec![]),
        band("qualified", "合格", 800, vec![]),
        band("basic", "基本合格", 700, vec![Revisit, SupervisorTalk]),
        band(
            "unqualified",
            "不合格",
            0,
            vec![Redo, Admonition, Revisit, SupervisorTalk],
        ),
    ]
}

/// The four rater groups of "四测评" (domain.md §6.5 [P7]).
pub const DEFAULT_RATER_GROUPS: &[(&str, &str)] = &[
    ("staff", "单位干部职工"),
    ("discipline", "派驻纪检监察组/乡镇纪委"),
    ("org_dept", "组织部"),
    ("inspection", "巡察机构"),
];

/// The questions of a satisfaction survey, each answered 满意 / 基本满意 / 不满意 / 不了解.
pub const DEFAULT_QUESTIONS: &[&str] = &[
    "您对本单位党组织落实巡察整改主体责任的情况是否满意？",
    "您对巡察反馈问题的整改成效是否满意？",
    "您对本单位建章立制、堵塞漏洞的情况是否满意？",
    "您对本单位整改后政治生态和工作作风的变化是否满意？",
];

fn out_of_range(field: &str, min: impl ToString, max: impl ToString) -> FieldError {
    FieldError::new(
        field,
        Msg::new("validation.out_of_range")
            .arg("field", format!("field.{field}"))
            .arg("min", min)
            .arg("max", max),
    )
}

/// Converts a number of points as typed (e.g. `2.5`) into tenths: at most one decimal, within
/// `0..=max`.
pub fn parse_points(field: &str, points: f64, max: Tenths) -> Result<Tenths, FieldError> {
    if !points.is_finite() {
        return Err(out_of_range(field, 0, show_points(max)));
    }
    let scaled = points * 10.0;
    let rounded = scaled.round();
    if (scaled - rounded).abs() > 1e-6 {
        return Err(FieldError::new(
            field,
            Msg::new("assessment.points_precision").arg("field", format!("field.{field}")),
        ));
    }
    #[allow(clippy::cast_possible_truncation)]
    let t = rounded as i64;
    if !(0..=max).contains(&t) {
        return Err(out_of_range(field, 0, show_points(max)));
    }
    Ok(t)
}

/// Shows tenths as points: `875` → `87.5`, `900` → `90`.
pub fn show_points(t: Tenths) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let a = t.abs();
    if a % 10 == 0 {
        format!("{sign}{}", a / 10)
    } else {
        format!("{sign}{}.{}", a / 10, a % 10)
    }
}

/// Checks a rubric: codes unique and well-formed, names present, maxima positive, sum 100.
pub fn validate_indicators(v: &[Indicator]) -> Result<(), DomainError> {
    let mut e = Errors::default();
    if v.is_empty() {
        e.push(FieldError::required("indicators"));
    }
    for (i, x) in v.iter().enumerate() {
        if x.code.trim().is_empty()
            || !x
                .code
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            e.push(FieldError::new(
                &format!("indicators[{i}].code"),
                Msg::new("validation.code_format").arg("field", "field.code"),
            ));
        }
        if v[..i].iter().any(|y| y.code == x.code) {
            e.push(FieldError::new(
                &format!("indicators[{i}].code"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &x.code),
            ));
        }
        if x.name.trim().is_empty() {
            e.push(FieldError::new(
                &format!("indicators[{i}].name"),
                Msg::new("validation.required").arg("field", "field.indicator_name"),
            ));
        }
        if !(1..=FULL_SCORE).contains(&x.max) {
            e.push(FieldError::new(
                &format!("indicators[{i}].max_points"),
                Msg::new("validation.out_of_range")
                    .arg("field", "field.max_points")
                    .arg("min", "0.1")
                    .arg("max", 100),
            ));
        }
    }
    let sum: Tenths = v.iter().map(|x| x.max).sum();
    if !v.is_empty() && sum != FULL_SCORE {
        e.push(FieldError::new(
            "indicators",
            Msg::new("assessment.indicators_sum").arg("sum", show_points(sum)),
        ));
    }
    if v.iter()
        .filter(|x| x.mode == IndicatorMode::Satisfaction)
        .count()
        > 1
    {
        e.push(FieldError::new(
            "indicators",
            Msg::new("assessment.one_satisfaction"),
        ));
    }
    if v.iter()
        .filter(|x| x.mode == IndicatorMode::Overdue)
        .count()
        > 1
    {
        e.push(FieldError::new(
            "indicators",
            Msg::new("assessment.one_overdue"),
        ));
    }
    e.into_result()
}

/// Checks grade bands: names present, minima distinct within 0..=100, one band starting at 0.
pub fn validate_grades(v: &[GradeBand]) -> Result<(), DomainError> {
    let mut e = Errors::default();
    if v.is_empty() {
        e.push(FieldError::required("grades"));
    }
    for (i, g) in v.iter().enumerate() {
        if g.name.trim().is_empty() {
            e.push(FieldError::new(
                &format!("grades[{i}].name"),
                Msg::new("validation.required").arg("field", "field.grade_name"),
            ));
        }
        if g.code.trim().is_empty() || v[..i].iter().any(|h| h.code == g.code) {
            e.push(FieldError::new(
                &format!("grades[{i}].code"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &g.code),
            ));
        }
        if !(0..=FULL_SCORE).contains(&g.min) {
            e.push(out_of_range(&format!("grades[{i}].min_score"), 0, 100));
        }
        if v[..i].iter().any(|h| h.min == g.min) {
            e.push(FieldError::new(
                &format!("grades[{i}].min_score"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.min_score")
                    .arg("value", show_points(g.min)),
            ));
        }
    }
    if !v.is_empty() && !v.iter().any(|g| g.min == 0) {
        e.push(FieldError::new(
            "grades",
            Msg::new("assessment.grades_need_zero"),
        ));
    }
    e.into_result()
}

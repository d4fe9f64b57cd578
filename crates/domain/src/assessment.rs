//! Rectification assessment (整改评估) and disclosure (整改公开): rubric by deduction, grade
//! bands, satisfaction surveys, consequences, and the counts of a disclosure (domain.md §6.5,
//! §6.6, §10).
//!
//! Points are kept as integer tenths of a point (`Tenths`): 87.5 points is `875`. Money is kept
//! as integer fen and shown as 元 with two decimals by integer arithmetic.

use crate::DomainError;
use crate::error::{Errors, FieldError};
use crate::i18n::Msg;
use crate::org::code_enum;

/// Tenths of a point: the unit of every score and deduction.
pub type Tenths = i64;

/// The full score of an assessment (100 points).
pub const FULL_SCORE: Tenths = 1000;

/// Longest reason of a deduction, comment of a survey response, and similar short texts.
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest disclosure text (党内通报 / 社会公开).
pub const MAX_TEXT_CHARS: usize = 20_000;

code_enum!(
    /// How an indicator is scored: deductions entered by the assessors, or derived from the
    /// satisfaction survey (plus any deductions entered by hand).
    IndicatorMode, "indicator_mode.", {
        Manual => "manual",
        Satisfaction => "satisfaction",
    }
);

code_enum!(
    /// What a grade band sets in motion when an assessment is finalised (domain.md §6.5).
    Consequence, "consequence.", {
        Redo => "redo",
        Admonition => "admonition",
        Revisit => "revisit",
        SupervisorTalk => "supervisor_talk",
    }
);

code_enum!(
    /// The lifecycle of an assessment.
    AssessmentState, "assessment_state.", {
        Draft => "DRAFT",
        Finalised => "FINALISED",
    }
);

code_enum!(
    /// One answer of a satisfaction survey. 不了解 is not a valid response for the rate.
    Answer, "answer.", {
        Satisfied => "satisfied",
        Basic => "basic",
        Unsatisfied => "unsatisfied",
        Unknown => "unknown",
    }
);

code_enum!(
    /// Why a finding is kept out of the public release (domain.md §6.6; needs the leading
    /// group's approval).
    ExemptionReason, "exemption.", {
        Secret => "secret",
        UnpublishedCase => "unpublished_case",
        NegativeHype => "negative_hype",
        MassPetition => "mass_petition",
        Other => "other",
    }
);

code_enum!(
    /// The lifecycle of a disclosure: DRAFT → SUBMITTED → APPROVED, or RETURNED → SUBMITTED.
    DisclosureState, "disclosure_state.", {
        Draft => "DRAFT",
        Submitted => "SUBMITTED",
        Returned => "RETURNED",
        Approved => "APPROVED",
    }
);

impl DisclosureState {
    /// Whether the drafter may still change the texts and exemptions.
    pub fn editable(self) -> bool {
        matches!(self, DisclosureState::Draft | DisclosureState::Returned)
    }
}

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
    use IndicatorMode::{Manual, Satisfaction};
    vec![
        ind("research", "研究部署", 200, Manual),
        ind("tasks", "任务落实", 300, Manual),
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

/// Shows fen as 元 with two decimals: `123456` → `1234.56`.
pub fn show_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
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

/// One deduction as entered: the indicator it applies to, points and reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deduction {
    pub indicator: String,
    pub points: Tenths,
    pub reason: String,
}

/// Parses deductions against the rubric: a known indicator, points within the indicator's
/// maximum (and, summed per indicator, still within it), a reason. Fields are named
/// `deductions[i].…`.
pub fn parse_deductions(
    indicators: &[Indicator],
    raw: &[(String, f64, String)],
) -> Result<Vec<Deduction>, DomainError> {
    let mut e = Errors::default();
    let mut out = Vec::new();
    for (i, (code, points, reason)) in raw.iter().enumerate() {
        let Some(indicator) = indicators.iter().find(|x| &x.code == code) else {
            let allowed: Vec<&str> = indicators.iter().map(|x| x.name.as_str()).collect();
            e.push(FieldError::new(
                &format!("deductions[{i}].indicator"),
                Msg::new("validation.unknown_value")
                    .arg("field", "field.indicator")
                    .arg("value", code)
                    .arg("allowed", allowed.join("、")),
            ));
            continue;
        };
        let field = format!("deductions[{i}].points");
        let pts = match parse_points(&field, *points, indicator.max) {
            Ok(0) => {
                e.push(FieldError::new(
                    &field,
                    Msg::new("assessment.deduction_zero"),
                ));
                continue;
            }
            Ok(p) => p,
            Err(x) => {
                // Name the indicator and its maximum: the reason a deduction is refused.
                if x.msg.key == "validation.out_of_range" {
                    e.push(FieldError::new(
                        &field,
                        Msg::new("assessment.deduction_exceeds")
                            .arg("indicator", &indicator.name)
                            .arg("max", show_points(indicator.max)),
                    ));
                } else {
                    e.push(x);
                }
                continue;
            }
        };
        let reason_field = format!("deductions[{i}].reason");
        match crate::error::required_text(&reason_field, reason, MAX_REASON_CHARS) {
            Ok(r) => out.push(Deduction {
                indicator: code.clone(),
                points: pts,
                reason: r,
            }),
            Err(_) => e.push(FieldError::new(
                &reason_field,
                Msg::new("assessment.reason_required").arg("indicator", &indicator.name),
            )),
        }
    }
    for x in indicators {
        let sum: Tenths = out
            .iter()
            .filter(|d| d.indicator == x.code)
            .map(|d| d.points)
            .sum();
        if sum > x.max {
            let i = raw.iter().rposition(|r| r.0 == x.code).unwrap_or(0);
            e.push(FieldError::new(
                &format!("deductions[{i}].points"),
                Msg::new("assessment.deduction_exceeds")
                    .arg("indicator", &x.name)
                    .arg("max", show_points(x.max)),
            ));
        }
    }
    e.into_result()?;
    Ok(out)
}

/// Tallies of a satisfaction survey.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub satisfied: i64,
    pub basic: i64,
    pub unsatisfied: i64,
    pub unknown: i64,
}

impl Tally {
    pub fn add(&mut self, a: Answer) {
        match a {
            Answer::Satisfied => self.satisfied += 1,
            Answer::Basic => self.basic += 1,
            Answer::Unsatisfied => self.unsatisfied += 1,
            Answer::Unknown => self.unknown += 1,
        }
    }

    #[must_use]
    pub fn plus(self, o: Tally) -> Tally {
        Tally {
            satisfied: self.satisfied + o.satisfied,
            basic: self.basic + o.basic,
            unsatisfied: self.unsatisfied + o.unsatisfied,
            unknown: self.unknown + o.unknown,
        }
    }

    /// Valid responses: all but 不了解.
    pub fn valid(self) -> i64 {
        self.satisfied + self.basic + self.unsatisfied
    }

    /// 满意度 = (满意 + 基本满意) ÷ valid responses, in basis points (1/100 of a percent),
    /// rounded half up; `None` with no valid response.
    pub fn rate_bp(self) -> Option<i64> {
        let valid = self.valid();
        (valid > 0).then(|| ((self.satisfied + self.basic) * 20_000 + valid) / (2 * valid))
    }
}

/// Shows basis points as a percentage: `9871` → `98.71%`.
pub fn show_rate(bp: i64) -> String {
    format!("{}.{:02}%", bp / 100, bp % 100)
}

/// The deduction a satisfaction indicator takes from the survey: `max × (1 − rate)`, in tenths,
/// rounded half up; zero without valid responses.
pub fn satisfaction_deduction(max: Tenths, t: Tally) -> Tenths {
    let valid = t.valid();
    if valid == 0 {
        return 0;
    }
    let negative = t.unsatisfied;
    (max * negative * 2 + valid) / (2 * valid)
}

/// The result of scoring: per indicator the points deducted (capped at its maximum), and the score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// `(indicator code, deducted, auto part from the survey)` in rubric order.
    pub per_indicator: Vec<(String, Tenths, Tenths)>,
    pub score: Tenths,
}

/// 整改评估得分 = 100 − Σ deductions (domain.md §10); an indicator never loses more than its
/// maximum and the score never falls below 0.
pub fn score(indicators: &[Indicator], deductions: &[Deduction], survey: Tally) -> Scored {
    let mut per = Vec::new();
    let mut total = 0;
    for x in indicators {
        let manual: Tenths = deductions
            .iter()
            .filter(|d| d.indicator == x.code)
            .map(|d| d.points)
            .sum();
        let auto = if x.mode == IndicatorMode::Satisfaction {
            satisfaction_deduction(x.max, survey)
        } else {
            0
        };
        let d = (manual + auto).min(x.max);
        total += d;
        per.push((x.code.clone(), d, auto));
    }
    Scored {
        per_indicator: per,
        score: (FULL_SCORE - total).max(0),
    }
}

/// The band a score falls in: the band with the highest minimum at or below the score.
pub fn grade_for(score: Tenths, bands: &[GradeBand]) -> Option<&GradeBand> {
    bands
        .iter()
        .filter(|b| b.min <= score)
        .max_by_key(|b| b.min)
}

/// Refuses an approval by the drafter: a disclosure needs a second person (四眼原则).
pub fn check_second_approver(drafter: i64, approver: i64) -> Result<(), DomainError> {
    if drafter == approver {
        return Err(DomainError::Rule(Msg::new("disclosure.same_approver")));
    }
    Ok(())
}

/// Checks a disclosure state change.
pub fn check_disclosure_transition(
    from: DisclosureState,
    to: DisclosureState,
) -> Result<(), DomainError> {
    use DisclosureState as S;
    let ok = matches!(
        (from, to),
        (S::Draft | S::Returned, S::Submitted) | (S::Submitted, S::Approved | S::Returned)
    );
    if ok {
        Ok(())
    } else {
        Err(DomainError::Rule(
            Msg::new("disclosure.illegal_transition")
                .arg("from", from.label())
                .arg("to", to.label()),
        ))
    }
}

/// The figures of a disclosure (domain.md §6.6: counts, sanctions, rules, money).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DisclosureCounts {
    /// Fed-back problems.
    pub total: i64,
    /// CLOSED (销号).
    pub completed: i64,
    /// Open, not long-term.
    pub in_progress: i64,
    /// LONG_TERM (持续整改).
    pub long_term: i64,
    /// People held accountable (Σ count of accountability outcomes).
    pub accountability_people: i64,
    /// `(treatment, people)`, e.g. `("党纪处分", 2)`, sorted by treatment.
    pub by_treatment: Vec<(String, i64)>,
    /// Rules made (count of rule outcomes, Σ their count).
    pub rules: i64,
    /// Σ amount_fen of money returned.
    pub money_returned_fen: i64,
    /// Σ amount_fen of losses recovered.
    pub loss_recovered_fen: i64,
}

impl DisclosureCounts {
    /// 整改完成率 as text, e.g. `98.71%`.
    pub fn completion_rate(&self) -> String {
        if self.total == 0 {
            return "0.00%".into();
        }
        show_rate((self.completed * 20_000 + self.total) / (2 * self.total))
    }

    fn sentences(&self) -> String {
        let mut s = format!(
            "巡察反馈问题{}个，已完成整改{}个，整改完成率{}；正在整改{}个，需长期坚持、持续整改{}个。",
            self.total,
            self.completed,
            self.completion_rate(),
            self.in_progress,
            self.long_term
        );
        if self.accountability_people > 0 {
            let detail: Vec<String> = self
                .by_treatment
                .iter()
                .map(|(t, n)| format!("{t}{n}人"))
                .collect();
            s.push_str(&format!(
                "问责处理{}人（{}）。",
                self.accountability_people,
                detail.join("，")
            ));
        }
        if self.rules > 0 {
            s.push_str(&format!("建立完善制度{}项。", self.rules));
        }
        if self.money_returned_fen > 0 || self.loss_recovered_fen > 0 {
            s.push_str(&format!(
                "督促退缴资金{}元，挽回经济损失{}元。",
                show_yuan(self.money_returned_fen),
                show_yuan(self.loss_recovered_fen)
            ));
        }
        s
    }
}

/// The default text of the Party-internal circular (党内通报).
pub fn internal_text(org_name: &str, round_name: &str, c: &DisclosureCounts) -> String {
    format!(
        "根据{round_name}统一部署，巡察组对{org_name}党组织开展了巡察，并反馈了巡察意见。{org_name}党组织坚持把巡察整改作为重大政治任务，主要负责人切实履行第一责任人职责，逐项制定整改措施。\n截至目前，{}\n对尚未完成的整改任务，将持续跟踪督办，确保件件有着落、事事有回音。",
        c.sentences()
    )
}

/// The default text of the public release (社会公开); counts here exclude exempted items.
pub fn public_text(org_name: &str, round_name: &str, c: &DisclosureCounts) -> String {
    format!(
        "根据{round_name}统一部署，巡察组对{org_name}党组织开展了巡察。现将巡察整改情况予以公布：{}\n欢迎广大干部群众对巡察整改落实情况进行监督，如有意见建议，请通过来信、来电、来访等方式向巡察机构反映。",
        c.sentences()
    )
}

/// The zh-CN messages of assessment and disclosure.
pub static ZH_CN_ASSESSMENT: &[(&str, &str)] = &[
    ("revisit_state.PENDING", "待安排"),
    ("revisit_state.SCHEDULED", "已安排"),
    ("revisit_state.DONE", "已完成"),
    ("assessment.revisit_not_found", "回头看事项不存在"),
    ("assessment.revisit_done", "该回头看事项已完成，不能再安排"),
    (
        "assessment.revisit_not_scheduled",
        "该回头看事项尚未安排巡察轮次",
    ),
    (
        "assessment.revisit_round_not_found",
        "巡察轮次不存在或不在本单位范围内",
    ),
    (
        "assessment.revisit_same_round",
        "回头看须安排在发现问题的轮次之后的轮次",
    ),
    (
        "assessment.revisit_round_ended",
        "该轮次已结束，不能安排回头看",
    ),
    ("field.round_id", "巡察轮次"),
    ("field.indicators", "评估指标"),
    ("field.indicator", "评估指标"),
    ("field.indicator_name", "指标名称"),
    ("field.max_points", "指标分值"),
    ("field.grades", "评定等次"),
    ("field.grade_name", "等次名称"),
    ("field.min_score", "最低分"),
    ("field.points", "扣分"),
    ("field.comment", "意见建议"),
    ("field.answers", "测评答案"),
    ("field.origin", "访问地址"),
    ("field.internal_text", "党内通报稿"),
    ("field.public_text", "社会公开稿"),
    ("field.exemptions", "不予公开事项"),
    ("field.finding_id", "问题"),
    ("field.note", "说明"),
    ("field.max_per_group", "每组答卷上限"),
    ("field.assessed_on", "评估日期"),
    ("field.conclusion", "评估结论"),
    ("indicator_mode.manual", "人工扣分"),
    ("indicator_mode.satisfaction", "按满意度折算"),
    ("consequence.redo", "重新整改"),
    ("consequence.admonition", "约谈主要负责人"),
    ("consequence.revisit", "列入回头看名单"),
    ("consequence.supervisor_talk", "与分管领导谈话"),
    ("assessment_state.DRAFT", "评估中"),
    ("assessment_state.FINALISED", "已定等"),
    ("answer.satisfied", "满意"),
    ("answer.basic", "基本满意"),
    ("answer.unsatisfied", "不满意"),
    ("answer.unknown", "不了解"),
    ("exemption.secret", "涉及国家秘密或工作秘密"),
    ("exemption.unpublished_case", "涉及尚未公开的案件"),
    ("exemption.negative_hype", "可能被恶意炒作"),
    ("exemption.mass_petition", "可能引发群体性上访"),
    ("exemption.other", "其他敏感事项"),
    ("disclosure_state.DRAFT", "草稿"),
    ("disclosure_state.SUBMITTED", "待审批"),
    ("disclosure_state.RETURNED", "已退回"),
    ("disclosure_state.APPROVED", "已审批公开"),
    ("assessment.not_found", "整改评估不存在"),
    (
        "assessment.unit_not_in_rectification",
        "该巡察对象尚未反馈巡察意见，不能开展整改评估",
    ),
    ("assessment.exists", "该巡察对象已有整改评估"),
    ("assessment.finalised", "整改评估已定等，不能再修改"),
    ("assessment.points_precision", "{field}最多保留一位小数"),
    ("assessment.deduction_zero", "扣分须大于0"),
    (
        "assessment.deduction_exceeds",
        "“{indicator}”的扣分合计不能超过该指标分值{max}分",
    ),
    (
        "assessment.reason_required",
        "请填写“{indicator}”的扣分理由",
    ),
    (
        "assessment.indicators_sum",
        "各指标分值合计须为100分（现为{sum}分）",
    ),
    (
        "assessment.one_satisfaction",
        "只能有一个按满意度折算的指标",
    ),
    ("assessment.grades_need_zero", "须有一个最低分为0的等次"),
    (
        "assessment.no_grade",
        "得分不在任何等次范围内，请检查等次设置",
    ),
    ("survey.not_found", "测评链接无效或已失效"),
    ("survey.closed", "本次满意度测评已结束，感谢您的关注"),
    ("survey.exists", "该评估已发起满意度测评"),
    ("survey.full", "该测评组的答卷数量已达上限"),
    ("survey.answers_count", "请回答全部{count}个问题"),
    ("survey.bad_origin", "访问地址须为 http(s)://主机[:端口]"),
    ("disclosure.not_found", "整改公开稿不存在"),
    (
        "disclosure.not_round_office",
        "只有组织该轮巡察的巡察机构（或其上级）才能审批整改公开稿",
    ),
    ("disclosure.exists", "该巡察对象已有整改公开稿"),
    ("disclosure.not_editable", "公开稿已提交或已审批，不能修改"),
    (
        "disclosure.stale_text",
        "社会公开稿与当前整改情况或不予公开事项不一致：请清空公开稿内容后保存，重新生成",
    ),
    ("disclosure.same_approver", "公开稿须由起草人以外的人员审批"),
    (
        "disclosure.illegal_transition",
        "公开稿不能从“{from}”变为“{to}”",
    ),
    ("disclosure.finding_not_in_unit", "该问题不属于本巡察对象"),
    ("disclosure.return_reason", "退回时须填写审批意见"),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn d(code: &str, points: f64) -> (String, f64, String) {
        (code.into(), points, "会议记录不全".into())
    }

    #[test]
    fn default_rubric_is_valid_and_sums_to_100() {
        let v = default_indicators();
        assert!(validate_indicators(&v).is_ok());
        assert_eq!(v.iter().map(|x| x.max).sum::<Tenths>(), FULL_SCORE);
        assert!(validate_grades(&default_grades()).is_ok());
    }

    #[test]
    fn rubric_validation_names_the_field_in_chinese() {
        let mut v = default_indicators();
        v[0].max = 150;
        let Err(DomainError::Invalid(e)) = validate_indicators(&v) else {
            panic!("accepted a rubric of 95 points");
        };
        assert_eq!(e[0].field, "indicators");
        assert_eq!(e[0].msg.render(), "各指标分值合计须为100分（现为95分）");
        let mut g = default_grades();
        g[3].min = 600;
        assert!(validate_grades(&g).is_err());
    }

    #[test]
    fn points_take_one_decimal_within_range() {
        assert_eq!(parse_points("p", 2.5, 200), Ok(25));
        assert_eq!(parse_points("p", 20.0, 200), Ok(200));
        let e = parse_points("points", 2.25, 200).unwrap_err();
        assert_eq!(e.msg.render(), "扣分最多保留一位小数");
        assert!(parse_points("p", 20.1, 200).is_err());
        assert!(parse_points("p", -1.0, 200).is_err());
        assert!(parse_points("p", f64::NAN, 200).is_err());
        assert_eq!(show_points(875), "87.5");
        assert_eq!(show_points(900), "90");
    }

    #[test]
    fn deductions_are_checked_against_their_indicator() {
        let v = default_indicators();
        let ok = parse_deductions(&v, &[d("tasks", 5.0), d("tasks", 2.5)]).unwrap();
        assert_eq!(ok.len(), 2);
        // One deduction above the maximum, and two that add up beyond it.
        let Err(DomainError::Invalid(e)) = parse_deductions(&v, &[d("research", 25.0)]) else {
            panic!()
        };
        assert_eq!(e[0].field, "deductions[0].points");
        assert_eq!(
            e[0].msg.render(),
            "“研究部署”的扣分合计不能超过该指标分值20分"
        );
        let Err(DomainError::Invalid(e)) =
            parse_deductions(&v, &[d("research", 15.0), d("research", 10.0)])
        else {
            panic!()
        };
        assert_eq!(e[0].field, "deductions[1].points");
        let Err(DomainError::Invalid(e)) = parse_deductions(
            &v,
            &[
                ("nope".into(), 1.0, "x".into()),
                ("tasks".into(), 1.0, " ".into()),
            ],
        ) else {
            panic!()
        };
        assert_eq!(e[0].field, "deductions[0].indicator");
        assert!(e[0].msg.render().contains("评估指标"));
        assert_eq!(e[1].msg.render(), "请填写“任务落实”的扣分理由");
    }

    #[test]
    fn satisfaction_is_satisfied_plus_basic_over_valid() {
        let mut t = Tally::default();
        for a in [
            Answer::Satisfied,
            Answer::Satisfied,
            Answer::Basic,
            Answer::Unsatisfied,
            Answer::Unknown,
        ] {
            t.add(a);
        }
        assert_eq!(t.valid(), 4);
        assert_eq!(t.rate_bp(), Some(7500));
        assert_eq!(show_rate(7500), "75.00%");
        assert_eq!(Tally::default().rate_bp(), None);
        // 688/697 = 98.71% (domain.md §10).
        let t = Tally {
            satisfied: 688,
            unsatisfied: 9,
            ..Tally::default()
        };
        assert_eq!(show_rate(t.rate_bp().unwrap()), "98.71%");
        // 20 points × 25% dissatisfied = 5 points.
        let t = Tally {
            satisfied: 3,
            unsatisfied: 1,
            ..Tally::default()
        };
        assert_eq!(satisfaction_deduction(200, t), 50);
        assert_eq!(satisfaction_deduction(200, Tally::default()), 0);
    }

    #[test]
    fn score_caps_each_indicator_and_grades_by_band() {
        let v = default_indicators();
        let ded = parse_deductions(&v, &[d("tasks", 2.0), d("satisfaction", 18.0)]).unwrap();
        // Survey: half dissatisfied → 10 points more on satisfaction, capped at 20.
        let t = Tally {
            satisfied: 1,
            unsatisfied: 1,
            ..Tally::default()
        };
        let s = score(&v, &ded, t);
        assert_eq!(s.score, 1000 - 20 - 200);
        assert_eq!(s.per_indicator[3], ("satisfaction".into(), 200, 100));
        let g = default_grades();
        assert_eq!(grade_for(s.score, &g).unwrap().name, "基本合格");
        assert_eq!(grade_for(900, &g).unwrap().name, "优秀");
        assert_eq!(grade_for(899, &g).unwrap().name, "合格");
        assert_eq!(grade_for(0, &g).unwrap().name, "不合格");
        assert!(
            grade_for(0, &g)
                .unwrap()
                .consequences
                .contains(&Consequence::Redo)
        );
        assert_eq!(score(&v, &[], Tally::default()).score, FULL_SCORE);
    }

    #[test]
    fn disclosure_needs_a_second_person_and_legal_steps() {
        use DisclosureState as S;
        assert!(check_second_approver(7, 7).is_err());
        assert!(check_second_approver(7, 8).is_ok());
        assert!(check_disclosure_transition(S::Draft, S::Submitted).is_ok());
        assert!(check_disclosure_transition(S::Submitted, S::Approved).is_ok());
        assert!(check_disclosure_transition(S::Submitted, S::Returned).is_ok());
        assert!(check_disclosure_transition(S::Returned, S::Submitted).is_ok());
        let Err(DomainError::Rule(m)) = check_disclosure_transition(S::Draft, S::Approved) else {
            panic!()
        };
        assert_eq!(m.render(), "公开稿不能从“草稿”变为“已审批公开”");
        assert!(check_disclosure_transition(S::Approved, S::Returned).is_err());
    }

    #[test]
    fn money_is_shown_in_yuan_by_integer_arithmetic() {
        assert_eq!(show_yuan(123_456), "1234.56");
        assert_eq!(show_yuan(5), "0.05");
        assert_eq!(show_yuan(-150), "-1.50");
        let c = DisclosureCounts {
            total: 25,
            completed: 19,
            in_progress: 4,
            long_term: 2,
            accountability_people: 3,
            by_treatment: vec![("党纪处分".into(), 1), ("诫勉".into(), 2)],
            rules: 4,
            money_returned_fen: 1_234_500,
            loss_recovered_fen: 99,
        };
        assert_eq!(c.completion_rate(), "76.00%");
        let t = public_text("江岭省财政厅", "2026年第一轮巡察", &c);
        assert!(
            t.contains("巡察反馈问题25个，已完成整改19个，整改完成率76.00%"),
            "{t}"
        );
        assert!(t.contains("问责处理3人（党纪处分1人，诫勉2人）"), "{t}");
        assert!(
            t.contains("督促退缴资金12345.00元，挽回经济损失0.99元"),
            "{t}"
        );
    }
}

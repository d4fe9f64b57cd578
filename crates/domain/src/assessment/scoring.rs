//! Scoring: deductions, the satisfaction tally, the score and its grade band.

#[allow(clippy::wildcard_imports)]
use super::*;

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

/// The unit's ledger on the day of scoring: its fed-back items, and the open ones past their
/// deadline (long-term items are not overdue).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Ledger {
    pub items: i64,
    pub overdue: i64,
}

/// The deduction an overdue indicator takes from the ledger: `max × overdue ÷ items`, in tenths,
/// rounded half up; zero without items.
pub fn overdue_deduction(max: Tenths, l: Ledger) -> Tenths {
    if l.items <= 0 {
        return 0;
    }
    let overdue = l.overdue.clamp(0, l.items);
    (max * overdue * 2 + l.items) / (2 * l.items)
}

/// Whether a draft's grade must wait for the survey (待测评): the rubric derives an indicator from
/// the satisfaction survey, and no valid answer is in yet. Until then the score of that
/// indicator says nothing, so no band is shown.
pub fn awaits_survey(indicators: &[Indicator], survey: Tally) -> bool {
    survey.valid() == 0
        && indicators
            .iter()
            .any(|x| x.mode == IndicatorMode::Satisfaction)
}

/// The result of scoring: per indicator the points deducted (capped at its maximum), and the score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scored {
    /// `(indicator code, deducted, automatic part from the survey or the ledger)` in rubric order.
    pub per_indicator: Vec<(String, Tenths, Tenths)>,
    pub score: Tenths,
}

/// 整改评估得分 = 100 − Σ deductions (domain.md §10); an indicator never loses more than its
/// maximum and the score never falls below 0.
pub fn score(
    indicators: &[Indicator],
    deductions: &[Deduction],
    survey: Tally,
    ledger: Ledger,
) -> Scored {
    let mut per = Vec::new();
    let mut total = 0;
    for x in indicators {
        let manual: Tenths = deductions
            .iter()
            .filter(|d| d.indicator == x.code)
            .map(|d| d.points)
            .sum();
        let auto = match x.mode {
            IndicatorMode::Satisfaction => satisfaction_deduction(x.max, survey),
            IndicatorMode::Overdue => overdue_deduction(x.max, ledger),
            IndicatorMode::Manual => 0,
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

/// The breakdown of a finalised assessment, whose score is recorded: as [`score`] with the
/// closed survey, where the overdue indicator's automatic part is the one of the day of
/// finalising (the ledger moves on, the recorded score does not), recovered from `recorded`.
pub fn score_recorded(
    indicators: &[Indicator],
    deductions: &[Deduction],
    survey: Tally,
    recorded: Tenths,
) -> Scored {
    let mut s = score(indicators, deductions, survey, Ledger::default());
    if let Some(i) = indicators
        .iter()
        .position(|x| x.mode == IndicatorMode::Overdue)
    {
        let (_, d, auto) = &mut s.per_indicator[i];
        let add = (s.score - recorded).clamp(0, indicators[i].max - *d);
        *d += add;
        *auto += add;
        s.score -= add;
    }
    s
}

/// The band a score falls in: the band with the highest minimum at or below the score.
pub fn grade_for(score: Tenths, bands: &[GradeBand]) -> Option<&GradeBand> {
    bands
        .iter()
        .filter(|b| b.min <= score)
        .max_by_key(|b| b.min)
}

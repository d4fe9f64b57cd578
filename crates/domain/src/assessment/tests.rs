#[allow(clippy::wildcard_imports)]
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
    let s = score(&v, &ded, t, Ledger::default());
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
    assert_eq!(
        score(&v, &[], Tally::default(), Ledger::default()).score,
        FULL_SCORE
    );
}

#[test]
fn overdue_items_deduct_and_the_grade_waits_for_a_valid_survey_answer() {
    let v = default_indicators();
    assert_eq!(v[1].mode, IndicatorMode::Overdue);
    // 任务落实 (30 points) with 1 of 4 items overdue: 7.5 points, rounded half up in tenths.
    let l = Ledger {
        items: 4,
        overdue: 1,
    };
    assert_eq!(overdue_deduction(300, l), 75);
    assert_eq!(overdue_deduction(300, Ledger::default()), 0);
    assert_eq!(
        overdue_deduction(
            200,
            Ledger {
                items: 3,
                overdue: 1
            }
        ),
        67
    );
    let s = score(&v, &[], Tally::default(), l);
    assert_eq!(s.score, FULL_SCORE - 75);
    assert_eq!(s.per_indicator[1], ("tasks".into(), 75, 75));
    // Deductions by hand add to the automatic part, capped at the maximum.
    let ded = parse_deductions(&v, &[d("tasks", 25.0)]).unwrap();
    assert_eq!(score(&v, &ded, Tally::default(), l).per_indicator[1].1, 300);
    // A finalised score keeps the overdue part of its day, whatever the ledger says now.
    let r = score_recorded(&v, &[], Tally::default(), FULL_SCORE - 75);
    assert_eq!(r.per_indicator[1], ("tasks".into(), 75, 75));
    assert_eq!(r.score, FULL_SCORE - 75);
    // No valid survey answer (不了解 is not valid): the grade waits (待测评).
    assert!(awaits_survey(&v, Tally::default()));
    assert!(awaits_survey(
        &v,
        Tally {
            unknown: 3,
            ..Tally::default()
        }
    ));
    assert!(!awaits_survey(
        &v,
        Tally {
            satisfied: 1,
            ..Tally::default()
        }
    ));
    let by_hand: Vec<Indicator> = v
        .iter()
        .cloned()
        .map(|mut x| {
            x.mode = IndicatorMode::Manual;
            x
        })
        .collect();
    assert!(!awaits_survey(&by_hand, Tally::default()));
    assert_eq!(
        crate::i18n::Msg::new("assessment.grade_pending").render(),
        "待测评"
    );
    // At most one overdue indicator.
    let mut two = v.clone();
    two[0].mode = IndicatorMode::Overdue;
    let Err(DomainError::Invalid(e)) = validate_indicators(&two) else {
        panic!("accepted two overdue indicators")
    };
    assert_eq!(e[0].msg.render(), "只能有一个按逾期问题折算的指标");
}

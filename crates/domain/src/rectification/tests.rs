//! Unit tests of the rectification rules.

mod unit {
    use super::super::*;

    #[test]
    fn plan_measure_deadlines_fall_after_feedback_within_the_span() {
        let fb = date!(2026 - 11 - 20);
        let due = Some(date!(2027 - 02 - 20));
        let ok = |k, d| check_measure_deadline("d", k, d, fb, due).is_ok();
        assert!(!ok(MeasureKind::Deadline, fb));
        assert!(ok(MeasureKind::Deadline, date!(2026 - 11 - 21)));
        assert!(ok(MeasureKind::Immediate, date!(2027 - 02 - 20)));
        assert!(!ok(MeasureKind::Immediate, date!(2027 - 02 - 21)));
        assert!(ok(MeasureKind::LongTerm, date!(2031 - 11 - 20)));
        assert!(!ok(MeasureKind::LongTerm, date!(2031 - 11 - 21)));
    }

    #[test]
    fn each_body_decides_through_its_own_members() {
        let office = ReviewerStanding {
            office: true,
            ..ReviewerStanding::default()
        };
        let team = ReviewerStanding {
            on_team: true,
            ..ReviewerStanding::default()
        };
        let discipline = ReviewerStanding {
            department: Some("江岭省纪委监委".into()),
            ..ReviewerStanding::default()
        };
        assert!(may_decide_for("巡察办", &office));
        assert!(!may_decide_for("巡察组", &office));
        assert!(!may_decide_for("纪委监委", &office));
        assert!(may_decide_for("巡察组", &team));
        assert!(!may_decide_for("巡察办", &team));
        assert!(may_decide_for("纪委监委", &discipline));
        assert!(!may_decide_for("组织部", &discipline));
        assert!(!may_decide_for("巡察组", &discipline));
        assert_eq!(review_body_kind("省委巡视组"), ReviewBodyKind::Team);
        assert_eq!(review_body_kind("组织部"), ReviewBodyKind::Department);
    }
    use time::macros::date;

    fn item(closed: bool, deadline: Option<Date>, closed_on: Option<Date>) -> ItemFacts {
        ItemFacts {
            closed,
            long_term: false,
            deadline,
            closed_on,
            extensions: 0,
        }
    }

    #[test]
    fn published_completion_rates_are_reproduced() {
        let today = date!(2023 - 01 - 29);
        // 昆明: 697 problems fed back, 688 completed → 98.71%.
        let mut v: Vec<ItemFacts> = (0..688).map(|_| item(true, None, None)).collect();
        v.extend((0..9).map(|_| item(false, None, None)));
        let s = rect_stats(&v, today);
        assert_eq!((s.total, s.completed), (697, 688));
        assert!(
            (s.completion_rate - 98.71).abs() < 1e-9,
            "{}",
            s.completion_rate
        );
        // 吴川: 25 problems, 19 completed → 76%.
        let mut w: Vec<ItemFacts> = (0..19).map(|_| item(true, None, None)).collect();
        w.extend((0..6).map(|_| item(false, None, None)));
        assert!((rect_stats(&w, today).completion_rate - 76.0).abs() < 1e-9);
    }

    #[test]
    fn on_time_overdue_long_term_and_extensions() {
        let today = date!(2026 - 06 - 01);
        let v = vec![
            item(
                true,
                Some(date!(2026 - 05 - 01)),
                Some(date!(2026 - 04 - 20)),
            ), // due, on time
            item(
                true,
                Some(date!(2026 - 05 - 01)),
                Some(date!(2026 - 05 - 10)),
            ), // due, late
            item(false, Some(date!(2026 - 05 - 15)), None), // overdue
            item(false, Some(date!(2026 - 07 - 01)), None), // open, not due
            ItemFacts {
                closed: true,
                long_term: true,
                deadline: Some(date!(2026 - 12 - 31)),
                closed_on: Some(date!(2026 - 05 - 30)),
                extensions: 2,
            },
        ];
        let s = rect_stats(&v, today);
        assert_eq!((s.due, s.completed_on_time), (3, 1));
        assert!((s.on_time_rate - 33.33).abs() < 1e-9);
        assert_eq!((s.open, s.overdue), (2, 1));
        assert!((s.overdue_rate - 50.0).abs() < 1e-9);
        assert_eq!((s.long_term, s.extended, s.extensions), (1, 1, 2));
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        // 2026 National Day: 10-01..10-07 off; Sunday 09-27 and Saturday 10-10 are make-up working days.
        let mut days: Vec<(Date, DayKind)> = (1..=7)
            .map(|d| {
                (
                    Date::from_calendar_date(2026, time::Month::October, d).unwrap(),
                    DayKind::Holiday,
                )
            })
            .collect();
        days.push((date!(2026 - 09 - 27), DayKind::Workday));
        days.push((date!(2026 - 10 - 10), DayKind::Workday));
        let c = Calendar::new(days);
        assert!(c.is_working_day(date!(2026 - 09 - 27)));
        assert!(!c.is_working_day(date!(2026 - 10 - 05)));
        assert!(!c.is_working_day(date!(2026 - 10 - 11)));
        // From Wednesday 09-30, 3 working days: 10-08 (Thu), 10-09 (Fri), 10-10 (Sat, 调休).
        assert_eq!(
            c.add_working_days(date!(2026 - 09 - 30), 3),
            date!(2026 - 10 - 10)
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 09 - 30), date!(2026 - 10 - 10)),
            3
        );
        assert_eq!(
            c.working_days_between(date!(2026 - 10 - 10), date!(2026 - 09 - 30)),
            -3
        );
        // 15 working days after feedback on Monday 2026-11-02: Monday 2026-11-23.
        assert_eq!(
            DeadlineSpec::WorkingDays(15).resolve(date!(2026 - 11 - 02), &Calendar::default()),
            date!(2026 - 11 - 23)
        );
    }

    #[test]
    fn three_colour_warning() {
        let c = Calendar::default();
        let p = WarningPolicy::default();
        let today = date!(2026 - 11 - 02); // Monday
        assert_eq!(
            p.colour(date!(2026 - 11 - 30), today, &c, false),
            Some(Warning::Green)
        );
        assert_eq!(
            p.colour(date!(2026 - 11 - 06), today, &c, false),
            Some(Warning::Yellow)
        );
        assert_eq!(
            p.colour(date!(2026 - 11 - 01), today, &c, false),
            Some(Warning::Red)
        );
        assert_eq!(p.colour(date!(2026 - 11 - 01), today, &c, true), None);
    }

    #[test]
    fn deadlines_parse_from_date_or_working_days() {
        assert_eq!(
            parse_deadline("deadline", Some("2026-12-31"), None),
            Ok(DeadlineSpec::Date(date!(2026 - 12 - 31)))
        );
        assert_eq!(
            parse_deadline("deadline", None, Some(15)),
            Ok(DeadlineSpec::WorkingDays(15))
        );
        assert!(parse_deadline("deadline", None, Some(0)).is_err());
        assert!(
            parse_deadline("deadline", Some("31/12/2026"), None)
                .unwrap_err()
                .msg
                .render()
                .contains("31/12/2026")
        );
        assert!(parse_deadline("deadline", None, None).is_err());
        assert!(check_write_off_request(0).is_err());
    }
}

mod rules {
    use super::super::*;
    use crate::inspection::FindingState as F;

    #[test]
    fn review_needs_every_body_and_any_return_returns() {
        let bodies = vec!["巡察组".to_string(), "巡察办".to_string()];
        let a = |b: &str, d| (b.to_string(), d);
        assert_eq!(
            review_result(&bodies, &[a("巡察组", ReviewDecision::Approve)]),
            PlanState::Submitted
        );
        assert_eq!(
            review_result(
                &bodies,
                &[
                    a("巡察组", ReviewDecision::Approve),
                    a("巡察办", ReviewDecision::Return)
                ]
            ),
            PlanState::Returned
        );
        assert_eq!(
            review_result(
                &bodies,
                &[
                    a("巡察组", ReviewDecision::Approve),
                    a("巡察办", ReviewDecision::Approve)
                ]
            ),
            PlanState::Approved
        );
    }

    #[test]
    fn write_off_paths() {
        assert!(check_write_off(F::InProgress, Outcome::Completed).is_ok());
        assert!(check_write_off(F::FedBack, Outcome::Completed).is_err());
        assert!(check_write_off(F::InProgress, Outcome::NotCompleted).is_err());
        assert_eq!(
            after_write_off(ReviewDecision::Approve, Outcome::Completed, F::InProgress),
            F::Closed
        );
        assert_eq!(
            after_write_off(
                ReviewDecision::Approve,
                Outcome::BasicallyCompleted,
                F::InProgress
            ),
            F::LongTerm
        );
        assert_eq!(
            after_write_off(ReviewDecision::Return, Outcome::Completed, F::Reopened),
            F::Reopened
        );
        assert!(check_reopen(F::Closed).is_ok());
        assert!(check_reopen(F::InProgress).is_err());
    }

    #[test]
    fn measures_are_validated_field_by_field() {
        let errs = parse_measure("items[0].measures[0]", "x", "", "", "", "", &[], None, None)
            .unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "items[0].measures[0].kind",
                "items[0].measures[0].content",
                "items[0].measures[0].responsible_leader",
                "items[0].measures[0].lead_dept",
                "items[0].measures[0].deadline"
            ]
        );
        assert!(errs[1].msg.render().contains("内容"));
        let ok = parse_measure(
            "m",
            "限期整改",
            "修订制度",
            "",
            "张三",
            "办公室",
            &[" 财务处 ".to_string(), String::new()],
            None,
            Some(15),
        )
        .unwrap();
        assert_eq!(ok.kind, MeasureKind::Deadline);
        assert_eq!(ok.co_depts, ["财务处"]);
        assert!(check_plan_complete(&[1, 2], &[(1, 1)]).is_err());
        assert!(check_plan_complete(&[1, 2], &[(1, 1), (2, 3)]).is_ok());
        assert!(check_signed("", None).is_err());
    }

    #[test]
    fn diff_marks_added_removed_and_changed_items() {
        let before = vec![(1, vec!["a"]), (2, vec!["b"]), (3, vec!["c"])];
        let after = vec![(1, vec!["a"]), (2, vec!["b2"]), (4, vec!["d"])];
        let d = diff_items(&before, &after);
        assert_eq!(
            d,
            [
                (2, ItemChange::Changed),
                (4, ItemChange::Added),
                (3, ItemChange::Removed)
            ]
        );
    }

    #[test]
    fn the_ladder_climbs_one_rung_at_a_time() {
        let l = default_ladder();
        assert_eq!(next_letter(&l, 0, &[]), None);
        assert_eq!(next_letter(&l, 1, &[]).unwrap().code, "reminder");
        assert_eq!(next_letter(&l, 1, &["reminder".into()]), None);
        assert_eq!(
            next_letter(&l, 20, &["reminder".into()]).unwrap().code,
            "supervision"
        );
        assert_eq!(next_letter(&l, 100, &[]).unwrap().code, "reminder");
        let mut bad = l.clone();
        bad[1].after_overdue_days = -1;
        assert!(check_ladder(&bad).is_err());
        assert!(RectSettings::default().validate().is_ok());
    }

    #[test]
    fn evidence_is_checked_by_its_bytes() {
        assert_eq!(
            check_evidence("报告.PDF", b"%PDF-1.4 x"),
            Ok("application/pdf")
        );
        let e = check_evidence("报告.pdf", b"MZ\x90\x00").unwrap_err();
        assert!(e.msg.render().contains("报告.pdf"), "{}", e.msg.render());
        assert!(check_evidence("a.exe", b"MZ").is_err());
        assert!(check_evidence("a.png", b"").is_err());
        assert_eq!(clean_file_name("../../etc/passwd"), "passwd");
        assert_eq!(clean_file_name("C:\\x\\a:b.pdf"), "ab.pdf");
        assert_eq!(fen_to_yuan(123_456), "1234.56");
        assert_eq!(fen_to_yuan(-5), "-0.05");
    }
}

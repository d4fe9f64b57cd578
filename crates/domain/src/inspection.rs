//! Inspection work (巡视巡察): kinds, the round-unit, finding and clue state machines, fieldwork
//! methods, supervision frames, coverage and target suggestions (domain.md §3–§8, §10).

use crate::ids::OrgId;
use time::{Date, Month};

use crate::code::code_enum;
use crate::i18n::Msg;
use crate::{DomainError, FieldError};

code_enum!(
    /// Inspection kinds; a round carries a set of them (types combine).
    InspectionKind, "kind.", {
        Regular => "regular",
        Thematic => "thematic",
        Mobile => "mobile",
        Elevated => "elevated",
        Cross => "cross",
        Extended => "extended",
        Revisit => "revisit",
        Relay => "relay",
        Pinpoint => "pinpoint",
        Linked => "linked",
        AuditJoint => "audit_joint",
    }
);

code_enum!(
    /// How a round covers villages.
    VillageMode, "village_mode.", {
        TownshipWithVillages => "township_with_villages",
        Direct => "direct",
        Roving => "roving",
    }
);

/// Parses a set of kinds: at least one, no unknown codes, duplicates dropped, in catalogue order.
pub fn parse_kinds(field: &str, codes: &[String]) -> Result<Vec<InspectionKind>, FieldError> {
    if codes.is_empty() {
        return Err(FieldError::required(field));
    }
    let mut kinds = Vec::new();
    for c in codes {
        let k = InspectionKind::parse_field(field, c)?;
        if !kinds.contains(&k) {
            kinds.push(k);
        }
    }
    kinds.sort_by_key(|k| InspectionKind::ALL.iter().position(|x| x == k));
    Ok(kinds)
}

code_enum!(
    /// The per-unit lifecycle of a round (domain.md §4).
    RoundUnitState, "round_state.", {
        Planned => "PLANNED",
        Preparing => "PREPARING",
        Notified => "NOTIFIED",
        Stationed => "STATIONED",
        FieldworkDone => "FIELDWORK_DONE",
        Reporting => "REPORTING",
        ReportApproved => "REPORT_APPROVED",
        FeedbackDone => "FEEDBACK_DONE",
        Transferred => "TRANSFERRED",
        Rectifying => "RECTIFYING",
        RectificationReported => "RECTIFICATION_REPORTED",
        Disclosed => "DISCLOSED",
        Assessed => "ASSESSED",
        Continuous => "CONTINUOUS",
        Revisited => "REVISITED",
        Archived => "ARCHIVED",
    }
);

/// Who may make a transition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Actor {
    /// The inspection office (`inspection:plan`).
    Office,
    /// The team or the office (`fieldwork:write` or `inspection:plan`).
    TeamOrOffice,
}

impl RoundUnitState {
    fn index(self) -> usize {
        Self::ALL.iter().position(|s| *s == self).unwrap_or(0)
    }

    /// The states reachable from this one: the next state, plus the documented skips
    /// (no transfers → straight to rectification; no long-term items or revisit → archive) and
    /// returning a draft report to the team.
    pub fn next_states(self) -> Vec<RoundUnitState> {
        use RoundUnitState as S;
        let mut v = Vec::new();
        if let Some(next) = Self::ALL.get(self.index() + 1) {
            v.push(*next);
        }
        match self {
            S::FeedbackDone => v.push(S::Rectifying),
            S::Reporting => v.push(S::FieldworkDone),
            S::Assessed => v.extend([S::Revisited, S::Archived]),
            S::Continuous => v.push(S::Archived),
            _ => {}
        }
        v
    }

    pub fn required_actor(self, to: RoundUnitState) -> Actor {
        use RoundUnitState as S;
        match (self, to) {
            (S::Notified, S::Stationed)
            | (S::Stationed, S::FieldworkDone)
            | (S::FieldworkDone, S::Reporting) => Actor::TeamOrOffice,
            _ => Actor::Office,
        }
    }

    /// Checks a transition; the error names both states in Chinese.
    pub fn check_transition(self, to: RoundUnitState) -> Result<(), DomainError> {
        if self.next_states().contains(&to) {
            Ok(())
        } else {
            Err(DomainError::Rule(
                Msg::new("inspection.illegal_transition")
                    .arg("from", self.label())
                    .arg("to", to.label()),
            ))
        }
    }

    /// True once the team has been on site: the unit counts as inspected for coverage.
    pub fn counts_as_inspected(self) -> bool {
        self.index() >= RoundUnitState::Stationed.index()
    }

    /// True once the problem list has been handed over.
    pub fn is_fed_back(self) -> bool {
        self.index() >= RoundUnitState::FeedbackDone.index()
    }
}

code_enum!(
    /// The finding lifecycle (domain.md §6.2). Inspection work moves findings up to FED_BACK;
    /// rectification (PLANNED and later) continues from there.
    FindingState, "finding_state.", {
        Draft => "DRAFT",
        Confirmed => "CONFIRMED",
        InReport => "IN_REPORT",
        FedBack => "FED_BACK",
        Planned => "PLANNED",
        InProgress => "IN_PROGRESS",
        CloseRequested => "CLOSE_REQUESTED",
        Closed => "CLOSED",
        LongTerm => "LONG_TERM",
        Reopened => "REOPENED",
    }
);

impl FindingState {
    /// Transitions a team or office makes by hand during inspection work.
    pub fn manual_next(self) -> Vec<FindingState> {
        use FindingState as F;
        match self {
            F::Draft => vec![F::Confirmed],
            F::Confirmed => vec![F::InReport, F::Draft],
            F::InReport => vec![F::Confirmed],
            _ => Vec::new(),
        }
    }

    pub fn check_manual(self, to: FindingState) -> Result<(), DomainError> {
        if self.manual_next().contains(&to) {
            Ok(())
        } else {
            Err(DomainError::Rule(
                Msg::new("inspection.illegal_transition")
                    .arg("from", self.label())
                    .arg("to", to.label()),
            ))
        }
    }

    /// Findings that go into the problem list at feedback.
    pub fn goes_to_feedback(self) -> bool {
        matches!(self, FindingState::Confirmed | FindingState::InReport)
    }

    /// Whether the inspected unit may see the finding (its problem list).
    pub fn visible_to_unit(self) -> bool {
        !matches!(
            self,
            FindingState::Draft | FindingState::Confirmed | FindingState::InReport
        )
    }
}

code_enum!(
    /// The clue lifecycle (domain.md §7).
    ClueState, "clue_state.", {
        Received => "RECEIVED",
        Clue => "CLUE",
        ToFinding => "TO_FINDING",
        Forwarded => "FORWARDED",
        Dismissed => "DISMISSED",
        Reported => "REPORTED",
        TransferApproved => "TRANSFER_APPROVED",
        Transferred => "TRANSFERRED",
        Disposing => "DISPOSING",
        ResultFedBack => "RESULT_FED_BACK",
        Closed => "CLOSED",
    }
);

code_enum!(
    /// Triage of a received item (组务会).
    TriageDecision, "triage.", {
        Clue => "clue",
        Finding => "finding",
        Forward => "forward",
        Dismiss => "dismiss",
    }
);

impl TriageDecision {
    pub fn resulting_state(self) -> ClueState {
        match self {
            TriageDecision::Clue => ClueState::Clue,
            TriageDecision::Finding => ClueState::ToFinding,
            TriageDecision::Forward => ClueState::Forwarded,
            TriageDecision::Dismiss => ClueState::Dismissed,
        }
    }
}

impl ClueState {
    /// Transitions made through the generic transition call (others have their own calls).
    pub fn check_manual(self, to: ClueState) -> Result<(), DomainError> {
        use ClueState as C;
        let ok = matches!(
            (self, to),
            (C::Clue, C::Reported)
                | (C::Reported, C::TransferApproved)
                | (C::ResultFedBack, C::Closed)
        );
        if ok {
            Ok(())
        } else {
            Err(DomainError::Rule(
                Msg::new("inspection.illegal_transition")
                    .arg("from", self.label())
                    .arg("to", to.label()),
            ))
        }
    }

    pub fn require(self, expected: ClueState) -> Result<(), DomainError> {
        if self == expected {
            Ok(())
        } else {
            Err(DomainError::Rule(
                Msg::new("inspection.illegal_transition")
                    .arg("from", self.label())
                    .arg("to", expected.label()),
            ))
        }
    }
}

code_enum!(
    /// Where a clue came from.
    ClueSource, "clue_source.", {
        Petition => "petition",
        Talk => "talk",
        Qr => "qr",
        Document => "document",
        Other => "other",
    }
);

code_enum!(
    /// The body a clue is transferred to (domain.md §1: by type).
    TargetBody, "target_body.", {
        Discipline => "discipline",
        OrgDept => "org_dept",
        Other => "other",
    }
);

impl TargetBody {
    /// Whether an organisation can receive clues sent to this body (domain.md §7).
    ///
    /// The organisation tree has no kind of its own for 纪委监委 or 组织部: both are departments
    /// (`OrgKind::Department`) of a province, city or county and are recognised by their standard
    /// names — a department whose name contains 纪委, 监委, 纪律检查委员会 or 监察委员会 is a
    /// discipline commission, one whose name contains 组织部 an organisation department. Any
    /// organisation may receive an "other" transfer (the office director's approval is the
    /// transfer approval itself). None may be the inspected unit or a body inside it
    /// (`receiver_path` inside `unit_path`).
    pub fn check_receiver(
        self,
        kind: crate::org::OrgKind,
        name: &str,
        receiver_path: &str,
        unit_path: &str,
    ) -> Result<(), FieldError> {
        let field = "receiving_org_id";
        if receiver_path.starts_with(unit_path) {
            return Err(FieldError::new(
                field,
                Msg::new("target_body.inside_unit").arg("org", name),
            ));
        }
        let department = kind == crate::org::OrgKind::Department;
        let ok = match self {
            TargetBody::Discipline => {
                department
                    && ["纪委", "监委", "纪律检查委员会", "监察委员会"]
                        .iter()
                        .any(|k| name.contains(k))
            }
            TargetBody::OrgDept => department && name.contains("组织部"),
            TargetBody::Other => true,
        };
        if !ok {
            return Err(FieldError::new(
                field,
                Msg::new("target_body.wrong_receiver")
                    .arg("org", name)
                    .arg("body", self.label()),
            ));
        }
        Ok(())
    }
}

code_enum!(
    /// How the receiving body disposes of a clue.
    Disposition, "disposition.", {
        TalkInquiry => "talk_inquiry",
        Preliminary => "preliminary",
        Hold => "hold",
        Close => "close",
        Case => "case",
        OrgHandling => "org_handling",
    }
);

/// Months after transfer within which the receiving body reports a result (domain.md §9).
pub const CLUE_RESULT_MONTHS: u8 = 3;
/// Months after feedback within which the unit files its rectification report (2015 条例).
pub const RECTIFICATION_REPORT_MONTHS: u8 = 2;

/// `date` plus `months` calendar months, clamped to the month's last day (31 Jan + 1 = 28/29 Feb).
pub fn add_months(date: Date, months: u8) -> Date {
    let total = i32::from(u8::from(date.month()) - 1) + i32::from(months);
    let year = date.year() + total / 12;
    let month =
        Month::try_from(u8::try_from(total % 12 + 1).unwrap_or(1)).unwrap_or(Month::January);
    let last = time::util::days_in_month(month, year);
    Date::from_calendar_date(year, month, date.day().min(last)).unwrap_or(date)
}

/// A transferred clue without a result is overdue `months` after the transfer
/// (default [`CLUE_RESULT_MONTHS`], configurable).
pub fn clue_overdue(
    transferred_on: Option<Date>,
    has_result: bool,
    today: Date,
    months: u8,
) -> bool {
    !has_result && transferred_on.is_some_and(|d| today > add_months(d, months))
}

/// A date that records something done (a signature, a meeting, progress) is not in the future.
pub fn check_not_future(field: &str, date: Date, today: Date) -> Result<(), FieldError> {
    if date > today {
        return Err(FieldError::new(
            field,
            Msg::new("date.future").arg("field", format!("field.{field}")),
        ));
    }
    Ok(())
}

/// A fieldwork entry is dated on a day that has happened, and not before the round started.
pub fn check_fieldwork_date(
    field: &str,
    held_on: Date,
    round_start: Date,
    today: Date,
) -> Result<(), FieldError> {
    if held_on > today {
        return Err(FieldError::new(
            field,
            Msg::new("date.future").arg("field", format!("field.{field}")),
        ));
    }
    if held_on < round_start {
        return Err(FieldError::new(
            field,
            Msg::new("date.before_round")
                .arg("field", format!("field.{field}"))
                .arg("start", round_start.to_string()),
        ));
    }
    Ok(())
}

/// A round lies inside its term.
pub fn check_round_in_term(
    start: Date,
    end: Date,
    term_start: Date,
    term_end: Date,
) -> Result<(), FieldError> {
    if start < term_start {
        return Err(FieldError::new(
            "start_date",
            Msg::new("inspection.round_outside_term")
                .arg("start", term_start.to_string())
                .arg("end", term_end.to_string()),
        ));
    }
    if end > term_end {
        return Err(FieldError::new(
            "end_date",
            Msg::new("inspection.round_outside_term")
                .arg("start", term_start.to_string())
                .arg("end", term_end.to_string()),
        ));
    }
    Ok(())
}

/// A 立行立改 deadline lies between today and the end of the round (it is finished during the
/// round, and a notice is not issued for a day already past).
pub fn check_immediate_deadline(
    deadline: Date,
    today: Date,
    round_end: Date,
) -> Result<(), FieldError> {
    if deadline < today {
        return Err(FieldError::new(
            "deadline",
            Msg::new("date.past").arg("field", "field.deadline"),
        ));
    }
    if deadline > round_end {
        return Err(FieldError::new(
            "deadline",
            Msg::new("inspection.immediate_after_round").arg("end", round_end.to_string()),
        ));
    }
    Ok(())
}

/// A fieldwork method of the 12+N list (configurable; this is the default).
#[derive(Debug, Clone, Copy)]
pub struct MethodDefault {
    pub code: &'static str,
    pub name: &'static str,
    /// `talk`: records are compartmented.
    pub compartment: Option<&'static str>,
}

pub static DEFAULT_METHODS: &[MethodDefault] = &[
    MethodDefault {
        code: "briefing",
        name: "听取汇报",
        compartment: None,
    },
    MethodDefault {
        code: "talk",
        name: "个别谈话",
        compartment: Some("talk"),
    },
    MethodDefault {
        code: "petition",
        name: "受理来信来电来访",
        compartment: None,
    },
    MethodDefault {
        code: "personal_report_check",
        name: "抽查核实个人有关事项报告",
        compartment: None,
    },
    MethodDefault {
        code: "inquiry",
        name: "向知情人询问",
        compartment: None,
    },
    MethodDefault {
        code: "document_review",
        name: "调阅、复制资料",
        compartment: None,
    },
    MethodDefault {
        code: "symposium",
        name: "召开座谈会",
        compartment: None,
    },
    MethodDefault {
        code: "attend_meeting",
        name: "列席会议",
        compartment: None,
    },
    MethodDefault {
        code: "rating_survey",
        name: "民主测评、问卷调查",
        compartment: None,
    },
    MethodDefault {
        code: "field_visit",
        name: "下沉了解、走访",
        compartment: None,
    },
    MethodDefault {
        code: "special_check",
        name: "专项检查",
        compartment: None,
    },
    MethodDefault {
        code: "assistance",
        name: "提请有关单位协助",
        compartment: None,
    },
    MethodDefault {
        code: "other",
        name: "其他经批准的方式",
        compartment: None,
    },
];

/// A built-in supervision frame (versioned; more can be imported).
#[derive(Debug, Clone, Copy)]
pub struct FrameDefault {
    pub code: &'static str,
    pub name: &'static str,
    pub categories: &'static [(&'static str, &'static str)],
}

pub static DEFAULT_FRAMES: &[FrameDefault] = &[
    FrameDefault {
        code: "four_implementations",
        name: "四个落实",
        categories: &[
            ("FI-1", "贯彻落实党的路线方针政策和党中央重大决策部署"),
            (
                "FI-2",
                "落实全面从严治党战略部署（主体责任、监督责任、中央八项规定精神、反“四风”）",
            ),
            (
                "FI-3",
                "落实新时代党的组织路线（领导班子、选人用人、基层党建）",
            ),
            ("FI-4", "落实巡视巡察、审计等监督发现问题整改"),
        ],
    },
    FrameDefault {
        code: "three_focuses",
        name: "三个聚焦",
        categories: &[
            (
                "TF-1",
                "聚焦党的路线方针政策和党中央重大决策部署在基层的落实情况",
            ),
            ("TF-2", "聚焦群众身边腐败问题和不正之风"),
            ("TF-3", "聚焦基层党组织软弱涣散、组织力欠缺问题"),
        ],
    },
    FrameDefault {
        code: "three_problems",
        name: "三大问题",
        categories: &[
            ("TP-1", "党的领导弱化"),
            ("TP-2", "党的建设缺失"),
            ("TP-3", "全面从严治党不力"),
        ],
    },
    FrameDefault {
        code: "six_disciplines",
        name: "六项纪律",
        categories: &[
            ("SD-1", "政治纪律"),
            ("SD-2", "组织纪律"),
            ("SD-3", "廉洁纪律"),
            ("SD-4", "群众纪律"),
            ("SD-5", "工作纪律"),
            ("SD-6", "生活纪律"),
        ],
    },
];

/// Coverage groups of domain.md §10: 单位 / 乡镇 / 村.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CoverageGroup {
    Unit,
    Township,
    Village,
}

impl CoverageGroup {
    pub fn of(kind: crate::org::OrgKind) -> Self {
        match kind {
            crate::org::OrgKind::Township => CoverageGroup::Township,
            crate::org::OrgKind::Village => CoverageGroup::Village,
            _ => CoverageGroup::Unit,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            CoverageGroup::Unit => "unit",
            CoverageGroup::Township => "township",
            CoverageGroup::Village => "village",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CoverageGroup::Unit => "单位",
            CoverageGroup::Township => "乡镇",
            CoverageGroup::Village => "村(社区)",
        }
    }
}

/// A rate in percent with two decimals (688/697 → 98.71), 0 when there is nothing to count.
pub fn rate(part: i64, whole: i64) -> f64 {
    if whole <= 0 {
        return 0.0;
    }
    #[allow(clippy::cast_precision_loss)]
    let r = part as f64 * 100.0 / whole as f64;
    (r * 100.0).round() / 100.0
}

/// How many more rounds the remaining organisations take at the pace so far.
pub fn rounds_needed(remaining: i64, inspected: i64, rounds_done: i64) -> Option<i64> {
    if remaining <= 0 {
        return Some(0);
    }
    if rounds_done <= 0 || inspected <= 0 {
        return None;
    }
    // Ceiling of remaining / (inspected / rounds_done).
    Some((remaining * rounds_done + inspected - 1) / inspected)
}

/// What is known about an organisation not yet inspected in the term.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    pub org_id: OrgId,
    pub org_name: String,
    /// Last time it was inspected (team on site), in any term; None: never.
    pub last_inspected: Option<Date>,
    /// Problems fed back to it in earlier rounds.
    pub earlier_findings: i64,
    /// Petitions logged about it in fieldwork.
    pub petitions: i64,
    /// Findings a higher-level office fed back to organisations of the same kind, per organisation.
    pub sector_findings_per_org: f64,
    /// Findings from audits (审计) recorded against it.
    pub audit_findings: i64,
    /// The grade of its last rectification assessment, when it was weak (基本合格 / 不合格).
    pub weak_rating: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Suggestion {
    pub org_id: OrgId,
    pub org_name: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

/// Adds `weight` per counted record to the score, with its reason, when there are any.
fn counted(score: &mut f64, reasons: &mut Vec<String>, count: i64, weight: f64, key: &'static str) {
    if count > 0 {
        #[allow(clippy::cast_precision_loss)]
        let n = count as f64;
        *score += n * weight;
        reasons.push(Msg::new(key).arg("count", count).render());
    }
}

/// Ranks candidates for the next round; every score comes with its reasons in Chinese.
pub fn suggest_targets(candidates: &[Candidate], today: Date, limit: usize) -> Vec<Suggestion> {
    let mut out: Vec<Suggestion> = candidates
        .iter()
        .map(|c| {
            let mut score = 0.0;
            let mut reasons = Vec::new();
            match c.last_inspected {
                None => {
                    score += 40.0;
                    reasons.push(Msg::new("suggest.never").render());
                }
                Some(d) => {
                    let years =
                        f64::from(i32::try_from((today - d).whole_days()).unwrap_or(0)) / 365.0;
                    score += years * 8.0;
                    reasons.push(
                        Msg::new("suggest.years")
                            .arg("years", format!("{years:.1}"))
                            .render(),
                    );
                }
            }
            counted(
                &mut score,
                &mut reasons,
                c.earlier_findings,
                2.0,
                "suggest.earlier_findings",
            );
            counted(
                &mut score,
                &mut reasons,
                c.petitions,
                1.5,
                "suggest.petitions",
            );
            if c.sector_findings_per_org > 0.0 {
                score += c.sector_findings_per_org * 3.0;
                reasons.push(
                    Msg::new("suggest.sector")
                        .arg("avg", format!("{:.1}", c.sector_findings_per_org))
                        .render(),
                );
            }
            counted(
                &mut score,
                &mut reasons,
                c.audit_findings,
                2.0,
                "suggest.audit",
            );
            if let Some(g) = &c.weak_rating {
                score += 15.0;
                reasons.push(Msg::new("suggest.rating").arg("grade", g).render());
            }
            Suggestion {
                org_id: c.org_id,
                org_name: c.org_name.clone(),
                score: (score * 10.0).round() / 10.0,
                reasons,
            }
        })
        .collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.org_id.cmp(&b.org_id)));
    out.truncate(limit);
    out
}

#[cfg(test)]
mod tests {

    #[test]
    fn clues_go_only_to_a_body_that_can_receive_them() {
        use crate::org::OrgKind::{Department, Province};
        let unit = "/1/9/";
        let ok = |b: TargetBody, k, n: &str, p: &str| b.check_receiver(k, n, p, unit).is_ok();
        assert!(ok(
            TargetBody::Discipline,
            Department,
            "江岭省纪委监委",
            "/1/2/"
        ));
        assert!(!ok(
            TargetBody::Discipline,
            Department,
            "江岭省组织部",
            "/1/3/"
        ));
        assert!(ok(TargetBody::OrgDept, Department, "江岭省组织部", "/1/3/"));
        assert!(!ok(TargetBody::OrgDept, Province, "江岭省", "/1/"));
        assert!(!ok(
            TargetBody::OrgDept,
            Department,
            "江岭省财政厅",
            "/1/9/"
        ));
        assert!(ok(TargetBody::Other, Department, "江岭省审计厅", "/1/4/"));
        let inside =
            TargetBody::Other.check_receiver(Department, "财政厅机关纪委", "/1/9/12/", unit);
        assert_eq!(inside.unwrap_err().field, "receiving_org_id");
    }

    use super::*;
    use time::macros::date;

    #[test]
    fn rounds_lie_inside_their_term() {
        use time::macros::date;
        let (ts, te) = (date!(2023 - 01 - 01), date!(2027 - 12 - 31));
        assert!(check_round_in_term(date!(2026 - 03 - 01), date!(2026 - 05 - 31), ts, te).is_ok());
        assert!(check_round_in_term(date!(2022 - 12 - 01), date!(2023 - 02 - 01), ts, te).is_err());
        assert!(check_round_in_term(date!(2027 - 12 - 01), date!(2028 - 01 - 31), ts, te).is_err());
    }

    #[test]
    fn immediate_deadlines_lie_between_today_and_the_round_end() {
        use time::macros::date;
        let (today, end) = (date!(2026 - 04 - 01), date!(2026 - 05 - 31));
        assert!(check_immediate_deadline(date!(2026 - 04 - 01), today, end).is_ok());
        assert!(check_immediate_deadline(date!(2026 - 03 - 31), today, end).is_err());
        assert!(check_immediate_deadline(date!(2026 - 06 - 01), today, end).is_err());
    }

    #[test]
    fn fieldwork_dates_lie_between_the_round_start_and_today() {
        use time::macros::date;
        let (start, today) = (date!(2026 - 03 - 01), date!(2026 - 03 - 10));
        assert!(check_fieldwork_date("date", date!(2026 - 03 - 10), start, today).is_ok());
        assert!(check_fieldwork_date("date", date!(2026 - 03 - 01), start, today).is_ok());
        assert!(check_fieldwork_date("date", date!(2026 - 03 - 11), start, today).is_err());
        assert!(check_fieldwork_date("date", date!(2026 - 02 - 28), start, today).is_err());
    }

    #[test]
    fn round_unit_moves_one_step_at_a_time_with_documented_skips() {
        use RoundUnitState as S;
        assert!(S::Planned.check_transition(S::Preparing).is_ok());
        assert!(S::Planned.check_transition(S::Stationed).is_err());
        assert!(S::FeedbackDone.check_transition(S::Transferred).is_ok());
        assert!(S::FeedbackDone.check_transition(S::Rectifying).is_ok());
        assert!(S::Reporting.check_transition(S::FieldworkDone).is_ok());
        assert!(S::Archived.next_states().is_empty());
        let err = S::Planned.check_transition(S::FeedbackDone).unwrap_err();
        let DomainError::Rule(msg) = err else {
            panic!("expected a rule error")
        };
        assert_eq!(msg.render(), "不能从“计划”直接变为“已反馈”");
        assert_eq!(
            S::Stationed.required_actor(S::FieldworkDone),
            Actor::TeamOrOffice
        );
        assert_eq!(
            S::ReportApproved.required_actor(S::FeedbackDone),
            Actor::Office
        );
        assert!(S::Stationed.counts_as_inspected() && !S::Notified.counts_as_inspected());
    }

    #[test]
    fn findings_reach_the_problem_list_only_through_feedback() {
        use FindingState as F;
        assert!(F::Draft.check_manual(F::Confirmed).is_ok());
        assert!(F::Draft.check_manual(F::FedBack).is_err());
        assert!(F::InReport.check_manual(F::FedBack).is_err());
        assert!(
            F::Confirmed.goes_to_feedback()
                && F::InReport.goes_to_feedback()
                && !F::Draft.goes_to_feedback()
        );
        assert!(
            !F::InReport.visible_to_unit()
                && F::FedBack.visible_to_unit()
                && F::Closed.visible_to_unit()
        );
    }

    #[test]
    fn clue_transitions_and_overdue() {
        use ClueState as C;
        assert!(C::Clue.check_manual(C::Reported).is_ok());
        assert!(C::Received.check_manual(C::Transferred).is_err());
        assert_eq!(TriageDecision::Finding.resulting_state(), C::ToFinding);
        let t = Some(date!(2026 - 01 - 31));
        assert!(!clue_overdue(
            t,
            false,
            date!(2026 - 04 - 30),
            CLUE_RESULT_MONTHS
        ));
        assert!(clue_overdue(
            t,
            false,
            date!(2026 - 05 - 01),
            CLUE_RESULT_MONTHS
        ));
        assert!(!clue_overdue(
            t,
            true,
            date!(2026 - 12 - 01),
            CLUE_RESULT_MONTHS
        ));
        assert!(!clue_overdue(
            None,
            false,
            date!(2026 - 12 - 01),
            CLUE_RESULT_MONTHS
        ));
        assert!(!clue_overdue(t, false, date!(2026 - 05 - 01), 6));
    }

    #[test]
    fn months_clamp_to_month_end() {
        assert_eq!(add_months(date!(2026 - 01 - 31), 1), date!(2026 - 02 - 28));
        assert_eq!(add_months(date!(2024 - 01 - 31), 1), date!(2024 - 02 - 29));
        assert_eq!(add_months(date!(2026 - 11 - 22), 2), date!(2027 - 01 - 22));
        assert_eq!(add_months(date!(2026 - 12 - 15), 12), date!(2027 - 12 - 15));
    }

    #[test]
    fn rates_reproduce_published_figures() {
        assert!((rate(688, 697) - 98.71).abs() < 1e-9);
        assert!((rate(19, 25) - 76.0).abs() < 1e-9);
        assert!((rate(0, 0)).abs() < 1e-9);
        assert_eq!(rounds_needed(30, 20, 2), Some(3));
        assert_eq!(rounds_needed(31, 20, 2), Some(4));
        assert_eq!(rounds_needed(0, 0, 0), Some(0));
        assert_eq!(rounds_needed(5, 0, 0), None);
    }

    #[test]
    fn kinds_parse_as_a_set() {
        let k = parse_kinds("kinds", &["cross".into(), "regular".into(), "cross".into()]).unwrap();
        assert_eq!(k, vec![InspectionKind::Regular, InspectionKind::Cross]);
        assert!(parse_kinds("kinds", &[]).is_err());
        assert!(parse_kinds("kinds", &["moon".into()]).is_err());
        assert_eq!(
            InspectionKind::from_code_or_label("交叉"),
            Some(InspectionKind::Cross)
        );
    }

    #[test]
    fn suggestions_rank_with_reasons() {
        let base = Candidate {
            org_id: OrgId::new(1),
            org_name: "甲".into(),
            last_inspected: Some(date!(2024 - 11 - 22)),
            earlier_findings: 0,
            petitions: 0,
            sector_findings_per_org: 0.0,
            audit_findings: 0,
            weak_rating: None,
        };
        let never = Candidate {
            org_id: OrgId::new(2),
            org_name: "乙".into(),
            last_inspected: None,
            petitions: 4,
            ..base.clone()
        };
        let weak = Candidate {
            org_id: OrgId::new(3),
            org_name: "丙".into(),
            weak_rating: Some("不合格".into()),
            earlier_findings: 5,
            ..base.clone()
        };
        let s = suggest_targets(&[base, never, weak], date!(2026 - 11 - 22), 10);
        assert_eq!(
            s.iter().map(|x| x.org_id).collect::<Vec<_>>(),
            vec![2, 3, 1]
        );
        assert!(
            s[0].reasons.iter().any(|r| r.contains("从未")),
            "{:?}",
            s[0].reasons
        );
        assert!(
            s[0].reasons.iter().any(|r| r.contains("4")),
            "{:?}",
            s[0].reasons
        );
        assert!(s[1].reasons.iter().any(|r| r.contains("不合格")));
        assert!(s[2].reasons[0].contains("2.0"), "{:?}", s[2].reasons);
    }
}

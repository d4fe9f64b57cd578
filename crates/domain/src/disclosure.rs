//! Disclosure (整改公开, 双公开): the Party-internal circular and the public release of a unit's
//! rectification, with exemptions, a second approver, and the figures (domain.md §6.6, §10).
//!
//! Money is kept as integer fen and shown as 元 with two decimals by integer arithmetic.

use crate::DomainError;
use crate::assessment::show_rate;
use crate::i18n::Msg;
use crate::org::code_enum;

pub use crate::assessment::MAX_TEXT_CHARS;

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

/// Shows fen as 元 with two decimals: `123456` → `1234.56`.
pub fn show_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
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

#[cfg(test)]
mod tests {
    use super::*;

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

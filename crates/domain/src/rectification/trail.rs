//! 明白账 (`AccountTrail`): 报告报账 → 反馈交账 → 移交转账 → 督办查账 → 整改销账, and what a caller may
//! do with an item now.

use super::*;

/// The facts of one item the 明白账 is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailFacts<'a> {
    pub state: FindingState,
    /// The inspected unit the problem list was handed to.
    pub unit_name: &'a str,
    /// Whether the unit's plan has been approved.
    pub plan_approved: bool,
    /// Lead departments the measures are split over.
    pub lead_depts: usize,
    /// Clues transferred from the problem; None when the viewer lacks the clue compartment
    /// (the count is then left out, never shown as 0).
    pub clues: Option<i64>,
    pub progress: usize,
    pub letters: usize,
    pub extensions: i64,
}

/// One step of the 明白账: its code, name, whether it is done and what it says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailStepView {
    pub code: &'static str,
    pub name: &'static str,
    pub done: bool,
    pub detail: Msg,
}

/// The five steps of an item's 明白账, in order.
pub fn account_trail(f: &TrailFacts<'_>) -> [TrailStepView; 5] {
    let step = |i: usize, done: bool, detail: Msg| TrailStepView {
        code: TRAIL_STEPS[i].0,
        name: TRAIL_STEPS[i].1,
        done,
        detail,
    };
    let transfer = match f.clues {
        Some(n) => Msg::new("trail.transfer_with_clues")
            .arg("depts", f.lead_depts)
            .arg("clues", n),
        None => Msg::new("trail.transfer").arg("depts", f.lead_depts),
    };
    let write_off = match f.state {
        FindingState::Closed => "trail.closed",
        FindingState::CloseRequested => "trail.close_requested",
        FindingState::LongTerm => "trail.long_term",
        _ => "trail.open",
    };
    [
        step(0, true, Msg::new("trail.report")),
        step(1, true, Msg::new("trail.handover").arg("unit", f.unit_name)),
        step(2, f.plan_approved, transfer),
        step(
            3,
            f.progress > 0 || f.letters > 0,
            Msg::new("trail.check")
                .arg("progress", f.progress)
                .arg("letters", f.letters)
                .arg("extensions", f.extensions),
        ),
        step(4, f.state == FindingState::Closed, Msg::new(write_off)),
    ]
}

/// What a caller holds on the rectification side.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ItemRights {
    /// The unit's side (`rect:write`): progress, write-off requests, extensions.
    pub write: bool,
    /// The office's side (`rect:review`): verification and 回头看.
    pub review: bool,
    /// Supervision letters (`rect:supervise`).
    pub supervise: bool,
}

/// What a caller with `rights` may do with an item in `state` now.
pub fn item_actions(state: FindingState, rights: ItemRights) -> Vec<ItemAction> {
    let mut actions = Vec::new();
    if rights.write && is_workable(state) {
        actions.extend([
            ItemAction::Progress,
            ItemAction::WriteOff,
            ItemAction::Extend,
            ItemAction::Explain,
        ]);
    }
    if rights.write && matches!(state, FindingState::InProgress | FindingState::Reopened) {
        actions.push(ItemAction::MeasureDone);
    }
    if (rights.write || rights.review) && state != FindingState::FedBack {
        actions.push(ItemAction::Outcome);
    }
    if rights.review && state == FindingState::CloseRequested {
        actions.push(ItemAction::Verify);
    }
    if rights.review && check_reopen(state).is_ok() {
        actions.push(ItemAction::Reopen);
    }
    if rights.supervise {
        actions.push(ItemAction::Letter);
    }
    actions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_trail_reads_the_item() {
        let f = TrailFacts {
            state: FindingState::CloseRequested,
            unit_name: "某局",
            plan_approved: true,
            lead_depts: 2,
            clues: None,
            progress: 3,
            letters: 1,
            extensions: 0,
        };
        let t = account_trail(&f);
        assert_eq!(
            t.clone().map(|s| s.code),
            ["report", "handover", "transfer", "check", "write_off"]
        );
        assert_eq!(t[1].detail.render(), "随反馈意见交某局，列入问题清单");
        assert_eq!(t[2].detail.render(), "整改任务分解到2个牵头部门");
        assert_eq!(t[3].detail.render(), "报告进展3次，督办函1份，延期0次");
        assert_eq!(t[4].detail.render(), "已申请销号，待核验");
        assert!(!t[4].done);
        let with_clues = account_trail(&TrailFacts {
            clues: Some(0),
            ..f
        });
        assert_eq!(
            with_clues[2].detail.render(),
            "整改任务分解到2个牵头部门；移交问题线索0条"
        );
    }

    #[test]
    fn actions_follow_state_and_rights() {
        let unit = ItemRights {
            write: true,
            ..Default::default()
        };
        let office = ItemRights {
            review: true,
            supervise: true,
            ..Default::default()
        };
        assert_eq!(
            item_actions(FindingState::InProgress, unit),
            [
                ItemAction::Progress,
                ItemAction::WriteOff,
                ItemAction::Extend,
                ItemAction::Explain,
                ItemAction::MeasureDone,
                ItemAction::Outcome
            ]
        );
        assert_eq!(item_actions(FindingState::FedBack, unit), []);
        assert_eq!(
            item_actions(FindingState::CloseRequested, office),
            [ItemAction::Outcome, ItemAction::Verify, ItemAction::Letter]
        );
    }
}

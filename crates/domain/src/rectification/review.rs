//! 会审: the joint review of a plan by its bodies, and who decides for each.

use super::*;

/// 会审: the plan is returned when any body returns it, approved when every configured body's
/// latest decision approves it, and stays under review otherwise.
pub fn review_result(bodies: &[String], latest: &[(String, ReviewDecision)]) -> PlanState {
    if latest.iter().any(|(_, d)| *d == ReviewDecision::Return) {
        return PlanState::Returned;
    }
    let approved = |b: &String| {
        latest
            .iter()
            .any(|(body, d)| body == b && *d == ReviewDecision::Approve)
    };
    if !bodies.is_empty() && bodies.iter().all(approved) {
        PlanState::Approved
    } else {
        PlanState::Submitted
    }
}

/// Who a reviewing body is, read from its configured name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewBodyKind {
    /// 巡察组: the team that inspected the unit.
    Team,
    /// 巡察办: the office that runs the round.
    Office,
    /// Any other body (纪委监委, 组织部, 宣传部 …): a department of the party committee whose
    /// office runs the round, found by its name.
    Department,
}

pub fn review_body_kind(name: &str) -> ReviewBodyKind {
    let n = name.trim();
    if n.contains("巡察组") || n.contains("巡视组") {
        ReviewBodyKind::Team
    } else if n.contains("巡察办") || n.contains("巡视办") || n.contains("巡察机构") {
        ReviewBodyKind::Office
    } else {
        ReviewBodyKind::Department
    }
}

/// What makes a user a member of a reviewing body for one plan.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReviewerStanding {
    /// On the team assigned to the unit, holding the review permission.
    pub on_team: bool,
    /// The office running the round: the office permission and the review permission.
    pub office: bool,
    /// The name of the user's organisation when it is a department directly under the
    /// organisation that runs the round (and not the inspected unit itself).
    pub department: Option<String>,
}

/// 会审 decides through each body's own members: the team through its members, the office
/// through its staff, 纪委监委 or 组织部 through the users of that department (never one body
/// by proxy for another).
pub fn may_decide_for(body: &str, s: &ReviewerStanding) -> bool {
    match review_body_kind(body) {
        ReviewBodyKind::Team => s.on_team,
        ReviewBodyKind::Office => s.office,
        ReviewBodyKind::Department => s
            .department
            .as_deref()
            .is_some_and(|org| !body.trim().is_empty() && org.contains(body.trim())),
    }
}

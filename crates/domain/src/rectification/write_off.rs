//! 整改销号: requesting and verifying a write-off, extensions' notices and 回头看 reopening.

use super::*;

/// A write-off needs evidence.
pub fn check_write_off_request(evidence_count: usize) -> Result<(), DomainError> {
    if evidence_count == 0 {
        return Err(DomainError::field(
            "evidence",
            Msg::new("rect.write_off_needs_evidence"),
        ));
    }
    Ok(())
}

/// 申请销号 is possible from a workable state, with an outcome that closes the item.
pub fn check_write_off(state: FindingState, outcome: Outcome) -> Result<(), DomainError> {
    if !is_workable(state) {
        return Err(DomainError::Rule(
            Msg::new("rect.not_workable").arg("state", state.label()),
        ));
    }
    if !matches!(outcome, Outcome::Completed | Outcome::BasicallyCompleted) {
        return Err(DomainError::field(
            "outcome",
            Msg::new("rect.write_off_outcome"),
        ));
    }
    Ok(())
}

/// The state a verified or returned write-off leaves its finding in.
pub fn after_write_off(
    decision: ReviewDecision,
    outcome: Outcome,
    from: FindingState,
) -> FindingState {
    match (decision, outcome) {
        (ReviewDecision::Approve, Outcome::Completed) => FindingState::Closed,
        (ReviewDecision::Approve, _) => FindingState::LongTerm,
        (ReviewDecision::Return, _) => from,
    }
}

/// The catalogue key of the notification title that tells the unit how its write-off request
/// ended: verified and closed, verified into 持续整改 (long term), or returned.
pub fn write_off_notice(decision: ReviewDecision, to: FindingState) -> &'static str {
    match (decision, to) {
        (ReviewDecision::Return, _) => "notice.write_off.returned",
        (ReviewDecision::Approve, FindingState::LongTerm) => "notice.write_off.long_term",
        (ReviewDecision::Approve, _) => "notice.write_off.closed",
    }
}

/// The catalogue key of the notification title for a decided extension request.
pub fn extension_notice(approved: bool) -> &'static str {
    if approved {
        "notice.extension.approved"
    } else {
        "notice.extension.rejected"
    }
}

/// 回头看 reopens a closed (or long-term) item; history is kept, the state moves on.
pub fn check_reopen(state: FindingState) -> Result<(), DomainError> {
    if matches!(state, FindingState::Closed | FindingState::LongTerm) {
        Ok(())
    } else {
        Err(rule("rect.reopen_not_closed"))
    }
}

//! 工作台 storage: one user's to-do counts, their latest unread notifications and the headline
//! figures of their scope.
//!
//! A to-do's count is the total of the list it links to, read by that list's own store function
//! with the same filter and scope (one row fetched beside the count), so the two cannot drift
//! apart. The headline figures come from the counters (`rect_counters`, `finding_counters`),
//! never from a scan of the findings.

use time::Date;
use xuncha_domain::guidance::ProblemState;
use xuncha_domain::ids::OrgId;
use xuncha_domain::public_report::{ReportState, TransferState};
use xuncha_domain::rectification::ExtensionState;
use xuncha_domain::workbench::TodoKind;

use crate::assessment::{self, AssessmentFilter};
use crate::clues::{self, ClueAccess, ClueFilter};
use crate::db::Result;
use crate::guidance::{self, ProblemFilter, Side};
use crate::rectification::{
    self as rect, LedgerFilter, Notification, PlanQueue, StatCounts, StatGroup, Today, WarningBand,
};
use crate::scope::Scope;
use crate::{Db, PageReq, fieldwork, linkage, public_reports};

/// What a user's to-dos are counted within.
pub struct TodoContext<'a> {
    /// The user's data scope.
    pub scope: &'a Scope,
    /// How the user may see clues (compartment, team membership, receiving body).
    pub clues: &'a ClueAccess,
    /// Today and the yellow limits of the offices the ledger can show.
    pub dates: &'a Today,
    /// The user's office (the recipient of linkage tasks).
    pub office: OrgId,
}

/// The count of one to-do: the total of the list it links to.
pub async fn todo_count(db: &Db, kind: TodoKind, cx: &TodoContext<'_>) -> Result<i64> {
    let one = PageReq::new(Some(1), Some(1));
    let units = |plan| rect::units_filtered(db, cx.scope, None, Some(plan), one);
    // The ledger's total without its page: from the counters where they answer, else counted.
    let ledger = |f: LedgerFilter| async move {
        match rect::counted_total(db, cx.scope, &f, cx.dates).await? {
            Some(n) => Ok::<i64, crate::StoreError>(n),
            None => rect::counted_by_rows(db, cx.scope, &f, cx.dates).await,
        }
    };
    let received = |state: &str| ClueFilter {
        round_unit_id: None,
        state: Some(state.to_string()),
        received_only: true,
        org_id: None,
    };
    Ok(match kind {
        TodoKind::PlanToDraft => units(PlanQueue::ToDraft).await?.total,
        TodoKind::PlanReview => units(PlanQueue::ToReview).await?.total,
        TodoKind::ExtensionPending => {
            rect::extensions(db, cx.scope, None, Some(ExtensionState::Pending), one)
                .await?
                .total
        }
        TodoKind::WriteOffPending => {
            ledger(LedgerFilter {
                state: Some("CLOSE_REQUESTED".into()),
                ..LedgerFilter::default()
            })
            .await?
        }
        TodoKind::WarningRed => {
            ledger(LedgerFilter {
                warning: Some(WarningBand::Red),
                ..LedgerFilter::default()
            })
            .await?
        }
        TodoKind::WarningYellow => {
            ledger(LedgerFilter {
                warning: Some(WarningBand::Yellow),
                ..LedgerFilter::default()
            })
            .await?
        }
        TodoKind::ClueToReceive => {
            clues::list_clues(db, cx.clues, &received("TRANSFERRED"), one)
                .await?
                .total
        }
        TodoKind::ClueDisposing => {
            clues::list_clues(db, cx.clues, &received("DISPOSING"), one)
                .await?
                .total
        }
        TodoKind::PublicReportNew => {
            let f = public_reports::ReportFilter {
                state: Some(ReportState::New),
                ..Default::default()
            };
            public_reports::list_reports(db, cx.clues, &f, one)
                .await?
                .total
        }
        TodoKind::TransferToReview => {
            let f = public_reports::ReportFilter {
                awaiting_review: true,
                ..Default::default()
            };
            public_reports::list_reports(db, cx.clues, &f, one)
                .await?
                .total
        }
        TodoKind::TransferToReply => {
            let f = public_reports::TransferFilter {
                state: Some(TransferState::Pending),
            };
            public_reports::list_transfers(db, cx.scope, &f, one)
                .await?
                .total
        }
        TodoKind::GuidanceToRectify => {
            guidance::count_problems(
                db,
                cx.scope,
                &ProblemFilter {
                    side: Side::Lower,
                    states: ProblemState::ALL
                        .iter()
                        .copied()
                        .filter(|s| s.open())
                        .collect(),
                    ..ProblemFilter::default()
                },
            )
            .await?
        }
        TodoKind::GuidanceToVerify => {
            guidance::count_problems(
                db,
                cx.scope,
                &ProblemFilter {
                    side: Side::Visiting,
                    states: vec![ProblemState::CloseRequested],
                    ..ProblemFilter::default()
                },
            )
            .await?
        }
        TodoKind::AssessmentOpen => {
            let f = AssessmentFilter {
                state: Some("DRAFT".into()),
                ..AssessmentFilter::default()
            };
            assessment::list_assessments(db, cx.scope, &f, one)
                .await?
                .total
        }
        TodoKind::LinkageTodo => {
            let f = linkage::InboxFilter {
                todo: true,
                state: None,
            };
            linkage::inbox(db, cx.scope, cx.office, &f, one)
                .await?
                .total
        }
    })
}

/// The user's latest `n` unread notifications, newest first, and how many are unread in all.
pub async fn unread_notifications(
    db: &Db,
    user_id: i64,
    n: i64,
) -> Result<(Vec<Notification>, i64)> {
    let (page, unread) =
        rect::notifications(db, user_id, true, PageReq::new(Some(1), Some(n))).await?;
    Ok((page.items, unread))
}

/// The headline figures of a scope: the rectification totals (all items in scope, from
/// `rect_counters`) and the number of findings (from `finding_counters`), each when asked for.
#[derive(Debug, Clone, Default)]
pub struct Headline {
    pub rect: Option<StatCounts>,
    pub findings: Option<i64>,
}

pub async fn headline(
    db: &Db,
    scope: &Scope,
    today: Date,
    with_rect: bool,
    with_findings: bool,
) -> Result<Headline> {
    let rect = if with_rect {
        let rows = rect::stats(db, scope, StatGroup::None, None, None::<OrgId>, today).await?;
        Some(StatCounts::sum(&rows))
    } else {
        None
    };
    let findings = if with_findings {
        let rows = fieldwork::finding_counts(db, scope, "state", None, None).await?;
        Some(rows.iter().map(|(_, n)| n).sum())
    } else {
        None
    };
    Ok(Headline { rect, findings })
}

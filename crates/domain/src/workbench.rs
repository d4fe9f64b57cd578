//! 工作台: the signed-in person's work — the kinds of to-do, and who works each one.
//!
//! A to-do is counted only for a user holding the permission (and compartment) that works it;
//! the count itself is the total of the list the to-do links to, read within the user's scope.

use crate::code::code_enum;
use crate::perm::{
    Access, CLUE_DISPOSE, Compartment, FIELDWORK_WRITE, GUIDANCE_LEAD, GUIDANCE_RECTIFY,
    INSPECTION_OFFICE, RECT_READ, RECT_REVIEW, RECT_SUPERVISE, RECT_WRITE,
};

code_enum!(
    /// The kinds of to-do on the 工作台, in the order the page shows them.
    TodoKind, "todo.", {
        PlanToDraft => "plan_to_draft",
        PlanReview => "plan_review",
        ExtensionPending => "extension_pending",
        WriteOffPending => "write_off_pending",
        WarningRed => "warning_red",
        WarningYellow => "warning_yellow",
        ClueToReceive => "clue_to_receive",
        ClueDisposing => "clue_disposing",
        PublicReportNew => "public_report_new",
        TransferToReview => "transfer_to_review",
        TransferToReply => "transfer_to_reply",
        AssessmentOpen => "assessment_open",
        LinkageTodo => "linkage_todo",
        GuidanceToRectify => "guidance_to_rectify",
        GuidanceToVerify => "guidance_to_verify",
    }
);

impl TodoKind {
    /// Whether a user with `access` works this to-do and may open the list it links to (the
    /// rectification lists need `rect:read` besides the permission that works the record).
    pub fn works(self, access: &Access) -> bool {
        let has = |p: &str| access.has(p);
        match self {
            // The inspected unit drafts its plan and resubmits a returned one.
            TodoKind::PlanToDraft => has(RECT_READ) && has(RECT_WRITE),
            // 会审 and the write-off check are the reviewers' work.
            TodoKind::PlanReview | TodoKind::WriteOffPending => has(RECT_READ) && has(RECT_REVIEW),
            // Extensions are decided by reviewers on the supervision screen (rect:supervise).
            TodoKind::ExtensionPending => has(RECT_READ) && has(RECT_REVIEW) && has(RECT_SUPERVISE),
            // Warnings: the unit rectifies, the office reviews and chases.
            TodoKind::WarningRed | TodoKind::WarningYellow => {
                has(RECT_READ) && (has(RECT_WRITE) || has(RECT_REVIEW) || has(RECT_SUPERVISE))
            }
            // The receiving body's inbox: clues transferred to it.
            TodoKind::ClueToReceive | TodoKind::ClueDisposing => {
                has(CLUE_DISPOSE) && access.has_compartment(Compartment::Clue)
            }
            // 码上巡察: the team (or the office's clue leads) accept reports and review the
            // units' replies to a 转办.
            TodoKind::PublicReportNew | TodoKind::TransferToReview => {
                has(FIELDWORK_WRITE) && access.has_compartment(Compartment::Clue)
            }
            // The responsible unit replies to a 转办.
            TodoKind::TransferToReply => has(RECT_READ) && has(RECT_WRITE),
            // The office runs the assessment and its satisfaction survey.
            TodoKind::AssessmentOpen => has(RECT_READ) && has(RECT_SUPERVISE),
            // Tasks a higher office issued to this office, to accept or to report back: the
            // office's working staff (a leader reads them, the office does the work).
            TodoKind::LinkageTodo => has(INSPECTION_OFFICE) && has(FIELDWORK_WRITE),
            // 指导督导: the lower office rectifies what a higher office fed back to it; the
            // visiting office verifies what was asked to be written off.
            TodoKind::GuidanceToRectify => has(GUIDANCE_RECTIFY),
            TodoKind::GuidanceToVerify => has(GUIDANCE_LEAD),
        }
    }

    /// The to-dos `access` works, in page order.
    pub fn worked_by(access: &Access) -> Vec<TodoKind> {
        TodoKind::ALL
            .iter()
            .copied()
            .filter(|k| k.works(access))
            .collect()
    }
}

/// Whether the user sees the headline figures of their scope (leaders and the office).
pub fn sees_headline(access: &Access) -> bool {
    access.has(RECT_SUPERVISE) || access.has(INSPECTION_OFFICE)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::perm::{BUILTIN_ROLES, DataAccess};

    fn access_of(role: &str) -> Access {
        let r = BUILTIN_ROLES
            .iter()
            .find(|r| r.code == role)
            .expect("builtin role");
        Access {
            permissions: r.permissions.iter().map(|p| (*p).to_string()).collect(),
            data: DataAccess::All,
            compartments: r.compartments.to_vec(),
        }
    }

    #[test]
    fn every_kind_has_a_chinese_label() {
        for k in TodoKind::ALL {
            assert_ne!(k.label(), k.code(), "{k}");
        }
    }

    #[test]
    fn administrators_have_no_business_to_dos() {
        for role in [
            crate::perm::SYS_ADMIN,
            crate::perm::SEC_ADMIN,
            crate::perm::AUDIT_ADMIN,
        ] {
            let a = access_of(role);
            assert!(TodoKind::worked_by(&a).is_empty(), "{role}");
            assert!(!sees_headline(&a), "{role}");
        }
    }

    #[test]
    fn each_role_works_its_own_to_dos() {
        let liaison = access_of(crate::perm::UNIT_LIAISON);
        assert_eq!(
            TodoKind::worked_by(&liaison),
            vec![
                TodoKind::PlanToDraft,
                TodoKind::WarningRed,
                TodoKind::WarningYellow,
                TodoKind::TransferToReply
            ]
        );
        assert!(!sees_headline(&liaison));
        let director = access_of(crate::perm::OFFICE_DIRECTOR);
        let kinds = TodoKind::worked_by(&director);
        assert!(kinds.contains(&TodoKind::PlanReview));
        assert!(kinds.contains(&TodoKind::AssessmentOpen));
        assert!(!kinds.contains(&TodoKind::PlanToDraft));
        assert!(!kinds.contains(&TodoKind::ClueToReceive));
        assert!(sees_headline(&director));
        let discipline = access_of(crate::perm::DISCIPLINE);
        assert_eq!(
            TodoKind::worked_by(&discipline),
            vec![TodoKind::ClueToReceive, TodoKind::ClueDisposing]
        );
        assert!(sees_headline(&access_of(crate::perm::LEADER)));
        // Linkage tasks wait for the office's working staff, not for its leader.
        assert!(kinds.contains(&TodoKind::LinkageTodo));
        assert!(
            TodoKind::worked_by(&access_of(crate::perm::OFFICE_STAFF))
                .contains(&TodoKind::LinkageTodo)
        );
        assert!(
            !TodoKind::worked_by(&access_of(crate::perm::LEADER)).contains(&TodoKind::LinkageTodo)
        );
    }

    #[test]
    fn a_to_do_needs_the_list_it_opens() {
        let writer = Access {
            permissions: vec![RECT_WRITE.to_string(), RECT_REVIEW.to_string()],
            data: DataAccess::All,
            compartments: Vec::new(),
        };
        assert!(TodoKind::worked_by(&writer).is_empty());
        let disposer = Access {
            permissions: vec![CLUE_DISPOSE.to_string()],
            data: DataAccess::All,
            compartments: Vec::new(),
        };
        assert!(
            TodoKind::worked_by(&disposer).is_empty(),
            "no clue compartment"
        );
    }
}

//! The codes the API speaks, as named `enum` schemas of the OpenAPI document.
//!
//! The wire carries a code as a string (`"FED_BACK"`, `"red"` …); a DTO field says which set of
//! codes it carries with `#[schema(value_type = codes::FindingState)]`, so the generated client
//! types it as a union of those codes. Each schema lists the codes of the domain's enum, so the
//! two cannot drift apart.

use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use xuncha_domain::inspection;
use xuncha_domain::letters;
use xuncha_domain::rectification as rect;

/// The codes of a domain enum.
fn of<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| code(*v)).collect()
}

macro_rules! code_schemas {
    ($($(#[doc = $doc:literal])+ $name:ident = $codes:expr;)+) => {
        $(
            $(#[doc = $doc])+
            pub struct $name;

            impl utoipa::PartialSchema for $name {
                fn schema() -> RefOr<Schema> {
                    let doc: &[&str] = &[$($doc),+];
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .description(Some(doc.iter().map(|l| l.trim()).collect::<Vec<_>>().join(" ")))
                        .enum_values(Some($codes))
                        .into()
                }
            }

            impl utoipa::ToSchema for $name {}
        )+
    };
}

code_schemas! {
    /// The state of a finding; once fed back, of a ledger item.
    FindingState = of(inspection::FindingState::ALL, inspection::FindingState::code);
    /// The kind of a rectification measure.
    MeasureKind = of(rect::MeasureKind::ALL, rect::MeasureKind::code);
    /// The state of one measure.
    MeasureState = of(rect::MeasureState::ALL, rect::MeasureState::code);
    /// How a unit reports an item's outcome.
    Outcome = of(rect::Outcome::ALL, rect::Outcome::code);
    /// 三色预警: green well before the deadline, yellow close to it, red past it.
    Warning = of(rect::Warning::ALL, rect::Warning::code);
    /// The state of one revision of a unit's 整改方案.
    PlanState = of(rect::PlanState::ALL, rect::PlanState::code);
    /// A reviewing body's decision on a plan, or a reviewer's on a write-off.
    ReviewDecision = of(rect::ReviewDecision::ALL, rect::ReviewDecision::code);
    /// 申请销号 → 核验.
    WriteOffState = of(rect::WriteOffState::ALL, rect::WriteOffState::code);
    /// A deadline extension request.
    ExtensionState = of(rect::ExtensionState::ALL, rect::ExtensionState::code);
    /// 成果: what rectification produced.
    OutcomeKind = of(rect::OutcomeKind::ALL, rect::OutcomeKind::code);
    /// The unit's reports on rectification.
    ReportKind = of(rect::ReportKind::ALL, rect::ReportKind::code);
    /// A supervision letter: issued, or withdrawn (kept on record, no longer counted).
    LetterState = of(letters::LetterState::ALL, letters::LetterState::code);
    /// What the caller may do with a ledger item now.
    ItemAction = of(rect::ItemAction::ALL, rect::ItemAction::code);
    /// A step of the 明白账 (报告报账 → 反馈交账 → 移交转账 → 督办查账 → 整改销账).
    TrailStepCode = rect::TRAIL_STEPS.iter().map(|(code, _)| *code).collect::<Vec<_>>();
    /// A day of the holiday list: a holiday, or a 调休 make-up working day.
    HolidayKind = of(rect::DayKind::ALL, rect::DayKind::code);
    /// The ledger's view: the caller's units (default), the rounds its office runs, or the items
    /// that need attention.
    LedgerView = vec!["unit", "office", "attention"];
    /// How rectification statistics are grouped.
    StatsGroup = vec!["child", "unit", "level", "round", "category"];
    /// The kind of a to-do on the 工作台.
    TodoKind = of(xuncha_domain::workbench::TodoKind::ALL, xuncha_domain::workbench::TodoKind::code);
    /// The state of a clue.
    ClueState = of(inspection::ClueState::ALL, inspection::ClueState::code);
    /// Where a recipient office stands on a linkage task (待接收, 已接收, 已反馈, 已办结).
    LinkageState = of(xuncha_domain::linkage::RecipientState::ALL, xuncha_domain::linkage::RecipientState::code);
    /// Which units the rectification units list keeps by their latest plan revision.
    PlanQueue = vec!["to_review", "to_draft"];
}

//! Rectification assessment (整改评估): rubric by deduction, grade bands, satisfaction surveys
//! and consequences (domain.md §6.5, §10). Disclosure (整改公开) is its own module,
//! [`crate::disclosure`].
//!
//! Points are kept as integer tenths of a point (`Tenths`): 87.5 points is `875`.

use crate::DomainError;
use crate::error::{Errors, FieldError};
use crate::i18n::Msg;
use crate::org::code_enum;

/// Tenths of a point: the unit of every score and deduction.
pub type Tenths = i64;

/// The full score of an assessment (100 points).
pub const FULL_SCORE: Tenths = 1000;

/// Longest reason of a deduction, comment of a survey response, and similar short texts.
pub const MAX_REASON_CHARS: usize = 500;
pub const MAX_COMMENT_CHARS: usize = 500;
/// Longest long text: a disclosure text (党内通报 / 社会公开), the note of a 回头看.
pub const MAX_TEXT_CHARS: usize = 20_000;

code_enum!(
    /// How an indicator is scored: deductions entered by the assessors, or derived from the
    /// satisfaction survey or from the unit's overdue items (plus any deductions entered by
    /// hand).
    IndicatorMode, "indicator_mode.", {
        Manual => "manual",
        Satisfaction => "satisfaction",
        Overdue => "overdue",
    }
);

code_enum!(
    /// What a grade band sets in motion when an assessment is finalised (domain.md §6.5).
    Consequence, "consequence.", {
        Redo => "redo",
        Admonition => "admonition",
        Revisit => "revisit",
        SupervisorTalk => "supervisor_talk",
    }
);

code_enum!(
    /// The lifecycle of an assessment.
    AssessmentState, "assessment_state.", {
        Draft => "DRAFT",
        Finalised => "FINALISED",
    }
);

code_enum!(
    /// One answer of a satisfaction survey. 不了解 is not a valid response for the rate.
    Answer, "answer.", {
        Satisfied => "satisfied",
        Basic => "basic",
        Unsatisfied => "unsatisfied",
        Unknown => "unknown",
    }
);

mod rubric;
mod scoring;
#[cfg(test)]
mod tests;

pub use self::rubric::*;
pub use self::scoring::*;

/// The zh-CN messages of assessment, satisfaction surveys and the 回头看 list.
pub static ZH_CN_ASSESSMENT: &[(&str, &str)] = &[
    ("revisit_state.PENDING", "待安排"),
    ("revisit_state.SCHEDULED", "已安排"),
    ("revisit_state.DONE", "已完成"),
    ("assessment.revisit_not_found", "回头看事项不存在"),
    ("assessment.revisit_done", "该回头看事项已完成，不能再安排"),
    (
        "assessment.revisit_not_scheduled",
        "该回头看事项尚未安排巡察轮次",
    ),
    (
        "assessment.revisit_round_not_found",
        "巡察轮次不存在或不在本单位范围内",
    ),
    (
        "assessment.revisit_same_round",
        "回头看须安排在发现问题的轮次之后的轮次",
    ),
    (
        "assessment.revisit_round_ended",
        "该轮次已结束，不能安排回头看",
    ),
    ("field.round_id", "巡察轮次"),
    ("field.indicators", "评估指标"),
    ("field.indicator", "评估指标"),
    ("field.indicator_name", "指标名称"),
    ("field.max_points", "指标分值"),
    ("field.grades", "评定等次"),
    ("field.grade_name", "等次名称"),
    ("field.min_score", "最低分"),
    ("field.points", "扣分"),
    ("field.comment", "意见建议"),
    ("field.answers", "测评答案"),
    ("field.origin", "访问地址"),
    ("field.finding_id", "问题"),
    ("field.note", "说明"),
    ("field.max_per_group", "每组答卷上限"),
    ("field.assessed_on", "评估日期"),
    ("field.conclusion", "评估结论"),
    ("indicator_mode.manual", "人工扣分"),
    ("indicator_mode.satisfaction", "按满意度折算"),
    ("indicator_mode.overdue", "按逾期问题折算"),
    ("assessment.grade_pending", "待测评"),
    ("assessment.one_overdue", "只能有一个按逾期问题折算的指标"),
    ("consequence.redo", "重新整改"),
    ("consequence.admonition", "约谈主要负责人"),
    ("consequence.revisit", "列入回头看名单"),
    ("consequence.supervisor_talk", "与分管领导谈话"),
    ("assessment_state.DRAFT", "评估中"),
    ("assessment_state.FINALISED", "已定等"),
    ("answer.satisfied", "满意"),
    ("answer.basic", "基本满意"),
    ("answer.unsatisfied", "不满意"),
    ("answer.unknown", "不了解"),
    ("assessment.not_found", "整改评估不存在"),
    (
        "assessment.unit_not_in_rectification",
        "该巡察对象尚未反馈巡察意见，不能开展整改评估",
    ),
    ("assessment.exists", "该巡察对象已有整改评估"),
    ("assessment.finalised", "整改评估已定等，不能再修改"),
    ("assessment.points_precision", "{field}最多保留一位小数"),
    ("assessment.deduction_zero", "扣分须大于0"),
    (
        "assessment.deduction_exceeds",
        "“{indicator}”的扣分合计不能超过该指标分值{max}分",
    ),
    (
        "assessment.reason_required",
        "请填写“{indicator}”的扣分理由",
    ),
    (
        "assessment.indicators_sum",
        "各指标分值合计须为100分（现为{sum}分）",
    ),
    (
        "assessment.one_satisfaction",
        "只能有一个按满意度折算的指标",
    ),
    ("assessment.grades_need_zero", "须有一个最低分为0的等次"),
    (
        "assessment.no_grade",
        "得分不在任何等次范围内，请检查等次设置",
    ),
    ("assessment.audit_create", "{org}（{round}）：开始整改评估"),
    (
        "assessment.audit_update",
        "{org}：整改评估扣分 {count} 项，合计 {points} 分",
    ),
    (
        "assessment.revisit_reason",
        "整改评估{score}分，等次“{grade}”",
    ),
    (
        "assessment.audit_finalise",
        "{org}：整改评估定等，得分 {score}，等次“{grade}”{consequences}",
    ),
    ("assessment.audit_consequences", "，后果：{list}"),
    (
        "assessment.audit_revisit_schedule",
        "{org}：回头看安排在“{round}”",
    ),
    (
        "assessment.audit_revisit_done",
        "{org}：回头看完成（{round}）",
    ),
    (
        "assessment.audit_settings",
        "整改评估设置：指标 {indicators}；等次 {grades}",
    ),
    (
        "assessment.audit_settings_inherit",
        "删除本级整改评估设置，恢复继承上级设置",
    ),
    ("survey.audit_create", "{org}：发起满意度测评（{groups}）"),
    ("survey.audit_link", "{org}：重新生成“{group}”测评链接"),
    ("survey.anonymous", "匿名测评"),
    (
        "survey.audit_respond",
        "{org}：满意度测评收到一份答卷（{group}）",
    ),
    ("survey.not_found", "测评链接无效或已失效"),
    ("survey.closed", "本次满意度测评已结束，感谢您的关注"),
    ("survey.exists", "该评估已发起满意度测评"),
    ("survey.full", "该测评组的答卷数量已达上限"),
    ("survey.answers_count", "请回答全部{count}个问题"),
    ("survey.bad_origin", "访问地址须为 http(s)://主机[:端口]"),
];

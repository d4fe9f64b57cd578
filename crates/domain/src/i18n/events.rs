//! The timeline catalogue slice: the comments of state-change events (`events.comment`).

/// The zh-CN comments of timeline events.
pub static ZH_CN_EVENTS: &[(&str, &str)] = &[
    ("event.unit_listed", "列入{round}"),
    ("event.finding_fed_back", "随反馈意见列入问题清单"),
    (
        "event.plan_submitted",
        "报送整改方案（第{revision}稿），主要负责人{leader}签字",
    ),
    ("event.plan_approved", "整改方案第{revision}稿经会审审定"),
    ("event.rectification_started", "按方案开始整改"),
    ("event.plan_reviewed", "{bodies}：{decision}"),
    (
        "event.plan_reviewed_with_opinion",
        "{bodies}：{decision}，{opinion}",
    ),
    ("event.letter_issued", "发出{letter}（{doc_no}）"),
    (
        "event.letter_withdrawn",
        "撤回{letter}（{doc_no}）：{reason}",
    ),
    ("event.measure_done", "措施已完成：{content}"),
    (
        "event.write_off_requested",
        "申请销号（{outcome}）：{explanation}",
    ),
    (
        "event.write_off_verified_long_term",
        "核验通过，转入持续整改",
    ),
    ("event.write_off_verified", "核验通过"),
    ("event.write_off_returned", "退回销号申请"),
    ("event.reopened", "回头看重新打开：{reason}"),
    (
        "event.extension_requested",
        "申请延期至 {deadline}：{reason}",
    ),
    ("event.extension_approved", "批准延期"),
    ("event.extension_rejected", "不批准延期"),
    ("event.decision_with_reason", "{decision}：{reason}"),
    ("event.explained", "{outcome}：{explanation}"),
    (
        "event.extension_decided",
        "{decision}（{old} → {new}）{opinion}",
    ),
    ("event.ledger_imported", "由Excel整改台账导入"),
    ("event.finding_drafted", "撰写问题底稿"),
    ("event.clue_received", "受理"),
    ("event.clue_transferred", "移交"),
    ("event.clue_signed_for", "签收"),
    ("event.clue_result_reported", "报告处置结果"),
    ("event.clue_closed", "销号"),
];

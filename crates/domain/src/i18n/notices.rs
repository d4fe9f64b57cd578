//! The notification catalogue slice: titles and bodies of in-app notifications (and their mails).

/// The zh-CN notification texts.
pub static ZH_CN_NOTICES: &[(&str, &str)] = &[
    ("notice.report_filed_title", "{org}报备：{kind}"),
    ("notice.plan_copy_title", "抄告：{org}整改方案已审定"),
    (
        "notice.plan_copy_body",
        "{org}（{round}）整改方案第{revision}稿经会审审定，共{count}个问题。",
    ),
    ("notice.plan_approved_title", "整改方案已审定"),
    (
        "notice.plan_approved_body",
        "{round}整改方案第{revision}稿已审定，请按期推进整改。",
    ),
    ("notice.plan_returned_title", "整改方案被退回修改"),
    ("notice.plan_returned_body", "{bodies}：{opinion}"),
    ("notice.letter_title", "收到{letter}"),
    ("notice.letter_body", "{doc_no}（{org}）：{requirement}"),
    ("notice.letter_withdrawn_title", "{letter}已撤回"),
    (
        "notice.letter_withdrawn_body",
        "{doc_no}（{org}）已撤回：{reason}",
    ),
    ("notice.reopen_title", "回头看重新整改"),
    ("notice.reopen_body", "“{title}”：{reason}"),
    ("notice.write_off_body", "“{title}”：{decision}"),
    (
        "notice.write_off_body_with_reason",
        "“{title}”：{decision}（{reason}）",
    ),
    ("notice.extension_body", "“{title}”：{old} → {new}"),
    ("notice.long_term_title", "持续整改定期报告：{org}"),
    (
        "notice.long_term_body",
        "“{title}”为持续整改事项，请报告本期整改进展。",
    ),
];

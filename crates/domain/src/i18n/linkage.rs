//! The 上下联动 catalogue slice: tasks issued to lower offices, their recipients' states, focus
//! points pushed down.

/// The zh-CN messages of the linkage network.
pub static ZH_CN_LINKAGE: &[(&str, &str)] = &[
    ("field.report", "反馈内容"),
    ("field.round_ids", "关联轮次"),
    ("field.focus_point_id", "联动重点"),
    ("field.source_finding_id", "来源问题"),
    ("linkage_state.ISSUED", "待接收"),
    ("linkage_state.ACCEPTED", "已接收"),
    ("linkage_state.REPORTED", "已反馈"),
    ("linkage_state.DONE", "已办结"),
    ("linkage_action.accept", "接收"),
    ("linkage_action.report", "反馈"),
    ("linkage_action.confirm", "办结"),
    ("linkage_action.return", "退回"),
    (
        "linkage.illegal_action",
        "当前状态为“{state}”，不能{action}",
    ),
    ("linkage.too_many", "{field}不能超过{max}个"),
    ("linkage.deadline_past", "{field}不能早于今天"),
    (
        "linkage.not_lower",
        "{org}不是本级巡察机构的下级，不能作为接收单位",
    ),
    ("linkage.task_not_found", "联动任务不存在或无权访问"),
    (
        "linkage.recipient_not_found",
        "联动任务的接收记录不存在或无权访问",
    ),
    ("linkage.focus_not_found", "联动重点不存在或无权访问"),
    (
        "linkage.focus_not_adopted",
        "该问题所在轮次未采纳此联动重点",
    ),
    (
        "linkage.audit_issue",
        "下发联动任务“{title}”，接收单位{n}个",
    ),
    ("linkage.audit_action", "联动任务“{title}”：{org}{action}"),
    (
        "linkage.audit_focus",
        "推送联动重点“{title}”，接收单位{n}个",
    ),
    ("linkage.audit_adopt", "轮次“{round}”采纳联动重点“{title}”"),
    ("linkage.audit_link", "问题{id}关联联动重点“{title}”"),
    ("linkage.audit_unlink", "问题{id}取消关联联动重点"),
    ("todo.linkage_todo", "联动任务待办理"),
];

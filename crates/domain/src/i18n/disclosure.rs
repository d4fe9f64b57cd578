//! The disclosure catalogue slice (整改公开).

/// The zh-CN messages of disclosure.
pub static ZH_CN_DISCLOSURE: &[(&str, &str)] = &[
    ("field.internal_text", "党内通报稿"),
    ("field.public_text", "社会公开稿"),
    ("field.exemptions", "不予公开事项"),
    ("exemption.secret", "涉及国家秘密或工作秘密"),
    ("exemption.unpublished_case", "涉及尚未公开的案件"),
    ("exemption.negative_hype", "可能被恶意炒作"),
    ("exemption.mass_petition", "可能引发群体性上访"),
    ("exemption.other", "其他敏感事项"),
    ("disclosure_state.DRAFT", "草稿"),
    ("disclosure_state.SUBMITTED", "待审批"),
    ("disclosure_state.RETURNED", "已退回"),
    ("disclosure_state.APPROVED", "已审批公开"),
    ("disclosure.not_found", "整改公开稿不存在"),
    ("disclosure.other_treatment", "其他处理"),
    ("disclosure.audit_create", "{org}：起草整改公开稿"),
    (
        "disclosure.audit_update",
        "{org}：修改整改公开稿（不予公开 {count} 项）",
    ),
    (
        "disclosure.audit_regenerate",
        "{org}：按不予公开事项重新生成社会公开稿",
    ),
    (
        "disclosure.audit_transition",
        "{org}：整改公开稿 {from} → {to}",
    ),
    (
        "disclosure.not_round_office",
        "只有组织该轮巡察的巡察机构（或其上级）才能审批整改公开稿",
    ),
    ("disclosure.exists", "该巡察对象已有整改公开稿"),
    ("disclosure.not_editable", "公开稿已提交或已审批，不能修改"),
    (
        "disclosure.stale_text",
        "社会公开稿与当前整改情况或不予公开事项不一致：请清空公开稿内容后保存，重新生成",
    ),
    ("disclosure.same_approver", "公开稿须由起草人以外的人员审批"),
    (
        "disclosure.illegal_transition",
        "公开稿不能从“{from}”变为“{to}”",
    ),
    ("disclosure.finding_not_in_unit", "该问题不属于本巡察对象"),
    ("disclosure.return_reason", "退回时须填写审批意见"),
    ("disclosure.title", "关于{org}巡察整改情况的通报"),
];

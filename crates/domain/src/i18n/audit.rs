//! The audit-log catalogue slice: the summaries written to the audit log.

/// The zh-CN summaries of audit-log entries.
pub static ZH_CN_AUDIT: &[(&str, &str)] = &[
    ("list.separator", "、"),
    ("audit.year", "{year}年"),
    // Organisations
    ("audit.org_create", "新增组织 {name}（{code}）"),
    ("audit.org_update", "修改组织 {old} → {name}（{code}）"),
    ("audit.org_move", "移动组织 {name} 至 {parent} 之下"),
    ("audit.org_activate", "启用组织 {name}"),
    ("audit.org_deactivate", "停用组织 {name}"),
    ("audit.org_import", "导入组织 {count} 个"),
    ("audit.org_export", "导出组织机构 {count} 条"),
    // Accounts, roles, tokens and the security policy
    ("audit.user_create", "新建用户 {username}（{name}）"),
    ("audit.user_update", "修改用户 {username}"),
    ("audit.user_roles", "为用户 {username} 分配角色：{roles}"),
    ("audit.user_reset_password", "重置用户密码"),
    ("audit.user_change_password", "修改本人密码"),
    ("audit.user_lock", "锁定用户 {username}"),
    ("audit.user_unlock", "解锁用户 {username}"),
    (
        "audit.user_reset_request",
        "申请重置管理员账号密码（申请{id}，待安全保密管理员审批）",
    ),
    (
        "audit.user_reset_approve",
        "批准重置申请{id}，签发一次性临时密码（申请人用户{user}）",
    ),
    (
        "audit.user_reset_reject",
        "驳回重置申请{id}（申请人用户{user}）",
    ),
    ("audit.user_totp_enable", "启用动态验证码"),
    ("audit.user_totp_setup", "生成动态验证码密钥"),
    ("audit.user_totp_disable", "停用动态验证码"),
    (
        "audit.role_save",
        "保存角色 {name}（{code}）：{permissions}",
    ),
    ("audit.token_create", "创建接口令牌 {name}：{permissions}"),
    ("audit.token_revoke", "吊销接口令牌"),
    (
        "audit.policy_update",
        "修改安全策略：密码最少{min_length}位、{min_classes}类字符，失败{max_failures}次锁定{lock_minutes}分钟，会话{session_minutes}分钟",
    ),
    ("audit.setting_set", "设置 {key} = {value}"),
    ("audit.notification_email", "设置通知邮箱"),
    (
        "audit.user_one_time_password",
        "重置用户 {username} 的密码，签发一次性临时密码（{minutes}分钟内有效，仅可用于设置新密码）",
    ),
    ("audit.checkpoint_issue", "签发审计链检查点（第{seq}条）"),
    (
        "audit.inspection_settings_update",
        "巡察时限设置：线索办理结果{clue_months}个月，整改报告{report_months}个月",
    ),
    (
        "audit.inspection_settings_inherit",
        "删除本级巡察时限设置，恢复继承上级设置",
    ),
    ("audit.settings_change", "{office}：{summary}"),
    // Inspection
    ("audit.term_create", "新建届次 {name}（{owner}）"),
    ("audit.round_create", "新建巡察轮次 {name}（{term}）"),
    ("audit.round_update", "修改巡察轮次 {name}"),
    ("audit.round_unit_create", "{round}：列入巡察对象 {org}"),
    ("audit.round_unit_team", "{org}：指定巡察组（{team}）"),
    ("audit.round_unit_transition", "{org}：{from} → {to}"),
    // Rectification
    ("audit.rect_report", "{org}：{kind}“{title}”"),
    ("audit.rect_item_decision", "{org}：“{title}”{decision}"),
    (
        "audit.rect_report_file",
        "{org}：{kind}“{title}”报备至{office}",
    ),
    ("audit.rect_plan_save", "{org}：保存整改方案"),
    (
        "audit.rect_plan_submit",
        "{org}：报送整改方案第{revision}稿",
    ),
    (
        "audit.rect_plan_review",
        "{org}：整改方案第{revision}稿 {bodies}{decision}",
    ),
    (
        "audit.rect_letter",
        "就{org}向{addressee}发出{letter}（{doc_no}）",
    ),
    (
        "audit.rect_letter_withdraw",
        "撤回{letter}（{doc_no}，主送{addressee}）：{reason}",
    ),
    ("audit.rect_measure_done", "{org}：“{title}”一项措施已完成"),
    (
        "audit.rect_progress",
        "{org}：报告整改进展“{title}”（佐证 {files} 份）",
    ),
    ("audit.rect_write_off_request", "{org}：“{title}”申请销号"),
    ("audit.rect_reopen", "{org}：“{title}”回头看重新打开"),
    ("audit.rect_explain", "{org}：“{title}”说明{outcome}"),
    (
        "audit.rect_extension_request",
        "{org}：“{title}”申请延期至 {deadline}",
    ),
    ("audit.rect_outcome", "{org}：“{title}”登记成果（{kind}）"),
    ("audit.rect_archive", "下载整改佐证材料包（{count} 个问题）"),
    ("audit.rect_ledger_export", "导出整改台账（{count} 个问题）"),
    ("audit.rect_ledger_import", "{org}：导入整改台账 {count} 条"),
    (
        "audit.rect_settings_update",
        "修改整改督办设置（黄色预警{days}个工作日）",
    ),
    (
        "audit.rect_settings_inherit",
        "删除本级整改督办设置，恢复继承上级设置",
    ),
    (
        "audit.rect_holidays_import",
        "{office}：导入本级节假日安排 {count} 天",
    ),
    (
        "audit.rect_holidays_drop",
        "{office}：删除本级{year}节假日安排 {count} 天，恢复继承上级日历",
    ),
    // Teams, the talent pool and recusal
    ("list.clause_separator", "；"),
    ("audit.team_create", "{round}：组建{name}"),
    ("audit.team_member_add", "{team}：{person}任{role}"),
    (
        "audit.team_member_add_waived",
        "{team}：{person}任{role}；经{approver}批准回避例外（申请{id}），理由：{reason}；涉及：{rules}",
    ),
    ("audit.team_member_remove", "{team}：调出人员 {person}"),
    ("audit.person_save", "保存人才库人员 {name}"),
    ("audit.person_post", "{person}：登记任职经历 {title}"),
    ("audit.person_relation", "{person}：申报{kind}关系"),
    ("audit.person_training", "{person}：登记培训 {name}"),
    (
        "audit.recusal_request",
        "{team}：申请{person}任{role}回避例外，理由：{reason}；涉及：{rules}",
    ),
    (
        "audit.recusal_decide",
        "{team}：{state}{person}任{role}回避例外申请（{requester}提出，理由：{reason}）{opinion}",
    ),
    ("audit.recusal_opinion", "；意见：{comment}"),
    // Fieldwork
    (
        "audit.activity_create",
        "{org}：登记了解情况（{method}，{persons}人次）",
    ),
    (
        "audit.activity_read_talk",
        "查阅巡察对象 {id} 的谈话记录 {count} 条",
    ),
    ("audit.finding_create", "{org}：撰写问题底稿“{title}”"),
    ("audit.finding_update", "修改问题底稿“{title}”"),
    (
        "audit.finding_immediate_issue",
        "“{title}”：下发立行立改通知",
    ),
    (
        "audit.finding_immediate_receipt",
        "“{title}”：签收立行立改通知",
    ),
    ("audit.finding_immediate_done", "“{title}”：立行立改完成"),
    (
        "audit.frame_import",
        "导入问题类别 {frames} 个框架、{categories} 个类别",
    ),
    (
        "audit.fieldwork_method_active",
        "了解方式 {code}：{name}（启用）",
    ),
    (
        "audit.fieldwork_method_inactive",
        "了解方式 {code}：{name}（停用）",
    ),
    // Clues
    ("audit.clue_create", "{org}：登记问题线索"),
    ("audit.clue_transition", "问题线索 {id}：{from} → {to}"),
    ("audit.clue_list", "查阅问题线索列表（{ids}）"),
    ("audit.clue_read", "查阅问题线索 {id}"),
    ("audit.clue_report", "生成{org}问题线索报告"),
    ("audit.clue_letter", "生成问题线索 {id} 移交函"),
    ("audit.assessment_export", "导出整改评估结果 {count} 条"),
];

//! The message catalogue: every user-facing string the server produces lives here, in zh-CN.
//!
//! Code elsewhere refers to messages by a stable key and named arguments; [`render`] turns a
//! [`Msg`] into text. A missing key renders as the key itself, and a test checks that every
//! key used in the code base is present.

/// A message to show a user: a stable key plus named arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    pub key: &'static str,
    pub args: Vec<(&'static str, String)>,
}

impl Msg {
    pub fn new(key: &'static str) -> Self {
        Msg {
            key,
            args: Vec::new(),
        }
    }

    #[must_use]
    pub fn arg(mut self, name: &'static str, value: impl ToString) -> Self {
        self.args.push((name, value.to_string()));
        self
    }

    /// Renders the message in the default (and currently only) locale, zh-CN.
    pub fn render(&self) -> String {
        render(self)
    }
}

impl std::fmt::Display for Msg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.render())
    }
}

/// Looks up the zh-CN template for `key`.
pub fn template(key: &str) -> Option<&'static str> {
    CATALOGUES
        .iter()
        .flat_map(|c| c.iter())
        .find(|(k, _)| *k == key)
        .map(|(_, v)| *v)
}

/// The zh-CN catalogue, in parts: the core here, and one slice per capability module.
pub static CATALOGUES: &[&[(&str, &str)]] = &[
    ZH_CN,
    crate::rectification::ZH_CN_RECT,
    crate::letters::ZH_CN_LETTERS,
    crate::assessment::ZH_CN_ASSESSMENT,
    crate::disclosure::ZH_CN_DISCLOSURE,
    crate::settings::ZH_CN_SETTINGS,
];

pub fn render(msg: &Msg) -> String {
    let mut out = template(msg.key).unwrap_or(msg.key).to_string();
    for (name, value) in &msg.args {
        // Field names are themselves catalogue keys ("field.xxx"); translate them when they are.
        let value = if let Some(path) = value.strip_prefix("field.") {
            template(value).map_or_else(|| field_path_label(path), str::to_string)
        } else {
            value.clone()
        };
        out = out.replace(&format!("{{{name}}}"), &value);
    }
    out
}

/// Translates a field key such as `field.name` into its Chinese label.
pub fn field_label(field: &str) -> String {
    template(&format!("field.{field}")).map_or_else(|| field_path_label(field), str::to_string)
}

/// Renders a field path such as `items[0].measures[2].deadline` as Chinese labels with 1-based
/// item numbers ("整改措施第3项"). Segments without a label keep only their number; a path with
/// nothing translatable reads "该字段", so no wire name reaches the user.
pub fn field_path_label(path: &str) -> String {
    let mut out = String::new();
    for segment in path.split('.').filter(|s| !s.is_empty()) {
        let (name, rest) = segment.split_once('[').unwrap_or((segment, ""));
        if let Some(label) = template(&format!("field.{name}")) {
            out.push_str(label);
        }
        for index in rest.split('[') {
            if let Ok(i) = index.trim_end_matches(']').parse::<usize>() {
                out.push_str(&format!("第{}项", i.saturating_add(1)));
            }
        }
    }
    if out.is_empty() {
        "该字段".to_string()
    } else {
        out
    }
}

pub static ZH_CN: &[(&str, &str)] = &[
    // Field labels.
    ("field.name", "名称"),
    ("field.code", "编码"),
    ("field.kind", "类型"),
    ("field.party_org_kind", "党组织类别"),
    ("field.parent_id", "上级组织"),
    ("field.parent_code", "上级编码"),
    ("field.new_parent_id", "新上级组织"),
    ("field.username", "用户名"),
    ("field.display_name", "姓名"),
    ("field.password", "密码"),
    ("field.new_password", "新密码"),
    ("field.old_password", "原密码"),
    ("field.org_id", "所属组织"),
    ("field.role_ids", "角色"),
    ("field.permissions", "功能权限"),
    ("field.data_scope", "数据范围"),
    ("field.custom_org_ids", "自定义数据范围"),
    ("field.compartments", "隔离分区"),
    ("field.version", "版本号"),
    ("field.code_totp", "动态验证码"),
    ("field.expires_in_days", "有效天数"),
    ("field.file", "文件"),
    // Generic validation.
    ("validation.required", "{field}不能为空"),
    ("validation.too_long", "{field}不能超过{max}个字符"),
    ("validation.bad_chars", "{field}含有不允许的字符"),
    (
        "validation.unknown_value",
        "{field}的取值“{value}”无效，可选值：{allowed}",
    ),
    ("validation.duplicate", "{field}“{value}”已存在"),
    ("validation.out_of_range", "{field}须在{min}到{max}之间"),
    (
        "validation.code_format",
        "{field}只能由字母、数字、点、横线和下划线组成，长度1到32",
    ),
    (
        "validation.username_format",
        "{field}只能由字母、数字、点、横线和下划线组成，长度3到32",
    ),
    // Organisations.
    ("org.not_found", "组织不存在或无权访问"),
    ("org.parent_not_found", "上级组织不存在或无权访问"),
    (
        "org.move_into_own_subtree",
        "不能把组织移动到它自己或它的下级组织之下",
    ),
    (
        "org.parent_inactive",
        "上级组织已停用，不能在其下新增或移入组织",
    ),
    (
        "org.has_active_children",
        "该组织下还有{count}个启用的下级组织，请先停用下级组织",
    ),
    ("org.root_exists", "已存在顶级组织，新组织必须指定上级组织"),
    (
        "org.root_forbidden",
        "只有全部数据范围的用户才能新建顶级组织",
    ),
    ("org.kind.province", "省"),
    ("org.kind.city", "市"),
    ("org.kind.county", "县(市、区)"),
    ("org.kind.township", "乡镇(街道)"),
    ("org.kind.village", "村(社区)"),
    ("org.kind.department", "机关部门"),
    ("org.kind.soe", "国有企业"),
    ("org.kind.school", "学校"),
    ("org.kind.institution", "事业单位"),
    ("org.party.committee", "党委"),
    ("org.party.leadership_group", "党组"),
    ("org.party.working_committee", "党工委"),
    ("org.party.general_branch", "党总支"),
    ("org.party.branch", "党支部"),
    // Imports.
    ("import.empty", "文件中没有数据行"),
    ("import.unreadable", "无法读取文件：{reason}"),
    (
        "import.unsupported_type",
        "不支持的文件类型，请上传 .xlsx 或 .csv 文件",
    ),
    ("import.missing_column", "缺少必需的列“{column}”"),
    (
        "import.duplicate_in_file",
        "编码“{value}”在文件中重复（第{other}行）",
    ),
    (
        "import.parent_unknown",
        "上级编码“{value}”既不在文件中，也不是已有组织",
    ),
    ("import.cycle", "上级关系形成循环"),
    ("import.code_exists", "编码“{value}”已存在于系统中"),
    (
        "import.parent_out_of_scope",
        "上级组织“{value}”不在您的数据范围内",
    ),
    ("import.too_many_errors", "错误过多，仅显示前{count}条"),
    (
        "import.has_errors",
        "导入文件有{count}处错误，未导入任何数据",
    ),
    (
        "import.too_large",
        "文件过大（上限{max}MB），未导入任何数据",
    ),
    (
        "import.too_many_rows",
        "文件“{file}”的数据行超过上限（每次最多导入{max}行），未导入任何数据，请拆分后分批导入",
    ),
    ("import.cancelled", "导入已取消，未导入任何数据"),
    // Accounts and authentication.
    ("auth.invalid_credentials", "用户名或密码错误"),
    (
        "auth.locked",
        "账号已锁定，请于{until}后再试，或联系系统管理员解锁",
    ),
    (
        "auth.locked_by_admin",
        "账号已被管理员锁定，请联系系统管理员",
    ),
    ("auth.totp_required", "请输入动态验证码"),
    ("auth.totp_invalid", "动态验证码错误"),
    (
        "auth.totp_not_setup",
        "尚未生成动态验证码密钥，请先发起绑定",
    ),
    ("auth.unauthenticated", "请先登录"),
    ("auth.session_expired", "登录已过期，请重新登录"),
    ("auth.csrf", "请求校验失败，请刷新页面后重试"),
    ("auth.forbidden", "没有执行此操作的权限"),
    ("auth.must_change_password", "请先修改初始密码"),
    ("auth.old_password_wrong", "原密码错误"),
    ("auth.password_reused", "新密码不能与原密码相同"),
    ("auth.token_invalid", "接口令牌无效或已过期"),
    ("password.too_short", "密码长度不能少于{min}位"),
    ("password.too_long", "密码长度不能超过{max}位"),
    (
        "password.classes",
        "密码须至少包含大写字母、小写字母、数字、特殊字符中的{min}类",
    ),
    ("password.contains_username", "密码不能包含用户名"),
    (
        "password.common",
        "{field}过于常见或容易猜测（如 Password1、P@ssw0rd），请换一个",
    ),
    (
        "auth.one_time_password_expired",
        "临时密码已过期，请联系系统管理员重新重置",
    ),
    ("auth.busy", "登录请求过多，请{seconds}秒后再试"),
    ("auth.throttled", "登录失败次数过多，请{seconds}秒后再试"),
    (
        "user.reset_pending",
        "该账号的密码重置已提交，等待安全保密管理员审批",
    ),
    ("user.reset_not_found", "密码重置申请不存在或已处理"),
    (
        "user.reset_own_request",
        "不能审批本人提出的或重置本人账号的申请",
    ),
    ("user.not_found", "用户不存在或无权访问"),
    ("user.cannot_lock_self", "不能锁定自己的账号"),
    ("role.not_found", "角色不存在"),
    ("role.builtin_readonly", "内置角色的编码和三员类别不能修改"),
    (
        "role.admin_mixed",
        "三员角色只能拥有本类管理权限，不能与其他权限混合（{permission}）",
    ),
    (
        "role.sod_violation",
        "三员分立：同一用户不能同时担任{a}和{b}",
    ),
    (
        "role.admin_with_business",
        "三员分立：管理员账号不能同时拥有业务角色",
    ),
    (
        "role.custom_needs_orgs",
        "数据范围为“自定义”时须至少选择一个组织",
    ),
    ("perm.unknown", "未知的功能权限“{value}”"),
    ("token.not_found", "令牌不存在"),
    ("token.perm_not_held", "令牌权限不能超出本人权限（{value}）"),
    // Generic API.
    ("api.not_found", "请求的资源不存在"),
    ("api.stale_version", "该记录已被他人修改，请刷新后重试"),
    ("api.bad_json", "请求格式错误：{reason}"),
    (
        "api.internal",
        "服务器内部错误，请稍后重试；如持续出现请联系管理员",
    ),
    ("api.db_unavailable", "数据库暂不可用"),
    ("api.payload_too_large", "请求内容过大（上限{max}MB）"),
    // Field encryption and the audit key.
    ("crypto.undecryptable_marker", "【无法解密】"),
    (
        "crypto.undecryptable",
        "该记录无法解密：加密密钥与数据不符，请联系系统管理员检查密钥",
    ),
    ("audit.no_key", "未配置审计密钥，无法签发审计链检查点"),
    ("api.method_not_allowed", "不支持该请求方法"),
    (
        "api.unsupported_media_type",
        "不支持的请求内容类型，请以 JSON 提交",
    ),
    ("api.bad_request", "请求无法处理：{reason}"),
    ("api.request_failed", "请求未能完成"),
    ("field.group", "分组"),
    ("field.warning", "预警"),
    ("field.year", "年份"),
    ("field.page", "页码"),
    ("field.page_size", "每页条数"),
    ("field.subject_post", "被反映人职务"),
    ("field.informant", "反映人信息"),
    ("field.focus", "巡察重点"),
    ("field.work_plan", "工作方案"),
    ("field.person", "责任人"),
    ("field.treatment", "处理结果"),
    ("field.participants", "参会人员"),
    ("field.body", "请求内容"),
    // Audit.
    ("audit.ok", "审计链完整，共校验{count}条记录"),
    ("audit.edited", "第{seq}条审计记录的内容被修改"),
    (
        "audit.deleted",
        "第{seq}条审计记录之前有记录被删除（序号不连续）",
    ),
    (
        "audit.inserted",
        "第{seq}条审计记录与上一条不相连，可能被插入或替换",
    ),
    (
        "audit.head_mismatch",
        "审计链末尾与链头不符，最后的记录可能被删除",
    ),
    // Inspection work.
    (
        "inspection.illegal_transition",
        "不能从“{from}”直接变为“{to}”",
    ),
    ("inspection.term_not_found", "届次不存在或无权访问"),
    ("inspection.round_not_found", "巡察轮次不存在或无权访问"),
    ("inspection.unit_not_found", "巡察对象不存在或无权访问"),
    ("inspection.unit_exists", "该单位已在本轮巡察对象中"),
    (
        "inspection.round_outside_term",
        "巡察轮次须在届次期限内（{start}至{end}）",
    ),
    (
        "inspection.unit_concurrent",
        "该单位已列入同期的{round}，不能重复巡察",
    ),
    ("inspection.finding_not_found", "问题不存在或无权访问"),
    ("inspection.finding_not_draft", "只有底稿状态的问题可以修改"),
    ("inspection.clue_not_found", "线索不存在或无权访问"),
    ("inspection.team_not_found", "巡察组不存在或无权访问"),
    ("inspection.person_not_found", "人员不存在"),
    ("inspection.frame_not_found", "问题类别不存在"),
    (
        "inspection.method_unknown",
        "了解方式“{value}”不存在或已停用",
    ),
    ("inspection.dates_order", "结束日期不能早于开始日期"),
    ("inspection.round_closed", "该巡察对象已反馈，不能再登记"),
    ("inspection.not_team_member", "您不是该巡察组成员"),
    ("inspection.immediate_missing", "该问题尚未下发立行立改通知"),
    (
        "inspection.immediate_not_received",
        "被巡察单位尚未签收立行立改通知，不能登记完成",
    ),
    ("inspection.immediate_exists", "该问题已下发立行立改通知"),
    (
        "inspection.immediate_after_round",
        "立行立改须在巡察期间完成，期限不能晚于本轮结束日期{end}",
    ),
    ("inspection.receiving_org_required", "请选择接收单位"),
    ("inspection.not_receiving_body", "该线索未移交给您的单位"),
    (
        "inspection.approver_invalid",
        "审批人“{value}”不存在或没有批准回避例外的权限",
    ),
    ("inspection.override_reason", "申请例外须说明理由"),
    ("inspection.already_member", "该人员已在本组"),
    ("field.name_person", "姓名"),
    ("field.start_date", "开始日期"),
    ("field.end_date", "结束日期"),
    ("field.kinds", "巡察类型"),
    ("field.village_mode", "对村巡察方式"),
    ("field.title", "标题"),
    ("field.category_id", "问题类别"),
    ("field.facts", "事实"),
    ("field.method", "了解方式"),
    ("field.date", "日期"),
    ("field.role", "职务"),
    ("field.summary", "摘要"),
    ("field.source", "来源"),
    ("field.subject_name", "被反映人"),
    ("field.decision", "处理意见"),
    ("field.target_body", "移交对象"),
    ("field.receiving_org_id", "接收单位"),
    ("field.letter_no", "移交函编号"),
    ("field.disposition", "处置方式"),
    ("field.result", "处置结果"),
    ("field.requirement", "整改要求"),
    ("field.deadline", "期限"),
    ("field.to", "目标状态"),
    ("field.person_id", "人员"),
    ("field.related_name", "关系人"),
    ("field.specialties", "专业特长"),
    ("field.pools", "人才库"),
    ("field.override", "回避例外"),
    ("field.persons", "人次"),
    ("field.count", "数量"),
    ("field.hours", "学时"),
    (
        "recusal.conflict",
        "存在回避情形，不能编入巡察组：{reasons}",
    ),
    ("recusal.rule.post", "任职回避"),
    ("recusal.rule.kin", "亲属回避"),
    ("recusal.rule.official", "公务回避"),
    ("recusal.rule.region", "地域回避"),
    ("recusal.current_post", "{name}现任职于{org}"),
    ("recusal.past_post", "{name}曾于{start}至{end}在{org}任职"),
    ("recusal.relation", "{name}的{kind}{related}在{org}"),
    ("recusal.same_region", "交叉巡察：{name}与{org}属同一地区"),
    ("recusal.state.pending", "待审批"),
    ("recusal.state.approved", "已批准"),
    ("recusal.state.rejected", "已驳回"),
    ("recusal.own_request", "不能审批本人提出的回避例外申请"),
    ("recusal.request_decided", "该回避例外申请已处理"),
    ("recusal.request_pending", "该人员已有待审批的回避例外申请"),
    (
        "recusal.request_stale",
        "巡察组的巡察对象已变化，申请所列回避情形不再完整，请重新申请",
    ),
    ("recusal.request_not_found", "回避例外申请不存在"),
    (
        "recusal.request_created",
        "已提交回避例外申请，待有审批权限的领导批准",
    ),
    (
        "recusal.unit_conflict",
        "巡察组成员存在回避情形，不能指定该巡察对象：{reasons}",
    ),
    ("recusal.notify_title", "回避例外待审批"),
    (
        "recusal.notify_body",
        "{team}：{name}（{rules}），理由：{reason}",
    ),
    ("recusal.decided_title", "回避例外申请{state}"),
    ("field.override_reason", "例外理由"),
    (
        "target_body.wrong_receiver",
        "{org}不能接收移交{body}的线索",
    ),
    (
        "target_body.inside_unit",
        "不能移交给被巡察单位本身或其内设、下属单位：{org}",
    ),
    ("suggest.never", "本届及以往从未被巡察"),
    ("suggest.years", "距上次巡察已{years}年"),
    ("suggest.earlier_findings", "以往巡察反馈问题{count}个"),
    ("suggest.petitions", "信访反映{count}件次"),
    (
        "suggest.sector",
        "上级巡视反馈同类单位问题较多（平均每单位{avg}个）",
    ),
    ("suggest.audit", "审计发现问题{count}个"),
    ("suggest.rating", "上次整改评估等次为“{grade}”"),
    ("kind.regular", "常规巡察"),
    ("kind.thematic", "专项巡察"),
    ("kind.mobile", "机动巡察"),
    ("kind.elevated", "提级巡察"),
    ("kind.cross", "交叉巡察"),
    ("kind.extended", "延伸巡察"),
    ("kind.revisit", "巡察“回头看”"),
    ("kind.relay", "接力巡察"),
    ("kind.pinpoint", "点穴式巡察"),
    ("kind.linked", "联动巡察"),
    ("kind.audit_joint", "巡审联动"),
    ("village_mode.township_with_villages", "巡乡带村"),
    ("village_mode.direct", "直接巡村"),
    ("village_mode.roving", "流动巡村"),
    ("round_state.PLANNED", "计划"),
    ("round_state.PREPARING", "准备"),
    ("round_state.NOTIFIED", "已通知"),
    ("round_state.STATIONED", "进驻"),
    ("round_state.FIELDWORK_DONE", "了解结束"),
    ("round_state.REPORTING", "报告"),
    ("round_state.REPORT_APPROVED", "报告已审定"),
    ("round_state.FEEDBACK_DONE", "已反馈"),
    ("round_state.TRANSFERRED", "已移交"),
    ("round_state.RECTIFYING", "集中整改"),
    ("round_state.RECTIFICATION_REPORTED", "已报送整改报告"),
    ("round_state.DISCLOSED", "已公开"),
    ("round_state.ASSESSED", "已评估"),
    ("round_state.CONTINUOUS", "持续整改"),
    ("round_state.REVISITED", "已回头看"),
    ("round_state.ARCHIVED", "已归档"),
    ("finding_state.DRAFT", "底稿"),
    ("finding_state.CONFIRMED", "组务会确认"),
    ("finding_state.IN_REPORT", "写入报告"),
    ("finding_state.FED_BACK", "已反馈"),
    ("finding_state.PLANNED", "已制定整改措施"),
    ("finding_state.IN_PROGRESS", "整改中"),
    ("finding_state.CLOSE_REQUESTED", "申请销号"),
    ("finding_state.CLOSED", "已销号"),
    ("finding_state.LONG_TERM", "持续整改"),
    ("finding_state.REOPENED", "已重新打开"),
    ("clue_state.RECEIVED", "已受理"),
    ("clue_state.CLUE", "列为线索"),
    ("clue_state.TO_FINDING", "转为问题"),
    ("clue_state.FORWARDED", "转办"),
    ("clue_state.DISMISSED", "了结"),
    ("clue_state.REPORTED", "已形成线索报告"),
    ("clue_state.TRANSFER_APPROVED", "已批准移交"),
    ("clue_state.TRANSFERRED", "已移交"),
    ("clue_state.DISPOSING", "处置中"),
    ("clue_state.RESULT_FED_BACK", "已反馈结果"),
    ("clue_state.CLOSED", "已销号"),
    ("triage.clue", "列为问题线索"),
    ("triage.finding", "转为一般问题"),
    ("triage.forward", "转办"),
    ("triage.dismiss", "了结"),
    ("clue_source.petition", "信访"),
    ("clue_source.talk", "谈话"),
    ("clue_source.qr", "码上巡察"),
    ("clue_source.document", "调阅资料"),
    ("clue_source.other", "其他"),
    ("target_body.discipline", "纪委监委"),
    ("target_body.org_dept", "组织部"),
    ("target_body.other", "其他有关单位"),
    ("disposition.talk_inquiry", "谈话函询"),
    ("disposition.preliminary", "初步核实"),
    ("disposition.hold", "暂存待查"),
    ("disposition.close", "予以了结"),
    ("disposition.case", "立案审查调查"),
    ("disposition.org_handling", "组织处理"),
    ("team_role.leader", "组长"),
    ("team_role.deputy", "副组长"),
    ("team_role.member", "成员"),
    ("team_role.liaison", "联络员"),
    ("relation.spouse", "配偶"),
    ("relation.blood", "直系血亲"),
    ("relation.collateral", "三代以内旁系血亲"),
    ("relation.in_law", "近姻亲"),
    ("relation.superior", "上下级"),
    ("relation.colleague", "同事"),
    ("relation.academic", "师生"),
    ("relation.official", "公务关联"),
    // Names of the three administrator classes.
    ("admin_class.system", "系统管理员"),
    ("admin_class.security", "安全管理员"),
    ("admin_class.audit", "审计管理员"),
    // Data scopes.
    ("scope.all", "全部"),
    ("scope.custom", "自定义"),
    ("scope.org", "本部门"),
    ("scope.org_and_below", "本部门及以下"),
    ("scope.level", "本级及以下"),
    ("scope.self", "仅本人"),
    // Dates checked against today and the round.
    ("date.future", "{field}不能晚于今天"),
    ("date.past", "{field}不能早于今天"),
    ("date.before_round", "{field}不能早于巡察开始日期{start}"),
    ("compartment.missing", "没有“{compartment}”分区的权限"),
    // Compartments.
    ("compartment.clue", "问题线索"),
    ("compartment.talk", "谈话记录"),
    ("compartment.reporter", "举报人身份"),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_arguments_and_translates_field_keys() {
        let msg = Msg::new("validation.too_long")
            .arg("field", "field.name")
            .arg("max", 100);
        assert_eq!(msg.render(), "名称不能超过100个字符");
    }

    #[test]
    fn indexed_field_paths_read_as_labels_and_item_numbers() {
        let msg = Msg::new("validation.required").arg("field", "field.answers[3]");
        assert_eq!(msg.render(), "测评答案第4项不能为空");
        assert_eq!(field_path_label("nothing_known"), "该字段");
        assert_eq!(field_label("exemptions[0].note"), "不予公开事项第1项说明");
    }

    #[test]
    fn catalogue_keys_are_unique() {
        let mut keys: Vec<&str> = CATALOGUES
            .iter()
            .flat_map(|c| c.iter())
            .map(|(k, _)| *k)
            .collect();
        keys.sort_unstable();
        let before = keys.len();
        keys.dedup();
        assert_eq!(before, keys.len(), "duplicate key in the catalogues");
    }
}

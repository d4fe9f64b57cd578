//! The request catalogue slice: why a request body or query string could not be read, and what
//! the login and account routes record.

/// The zh-CN texts about malformed requests.
pub static ZH_CN_REQUESTS: &[(&str, &str)] = &[
    ("label.this_field", "该字段"),
    ("json.kind.text", "文本"),
    ("json.kind.integer", "整数"),
    ("json.kind.number", "数字"),
    ("json.kind.bool", "布尔值（true/false）"),
    ("json.kind.list", "列表"),
    ("json.kind.object", "对象"),
    ("json.kind.variant", "规定的可选值之一"),
    ("json.kind.format", "规定的格式"),
    ("json.named_field", "字段“{name}”"),
    ("json.missing_field", "缺少{field}"),
    ("json.unknown_field", "含有不认识的字段“{name}”"),
    ("json.duplicate_field", "{field}重复出现"),
    ("json.request_body", "请求内容"),
    ("json.wrong_type", "{what}应为{expected}"),
    ("json.unknown_value", "{what}的取值“{value}”无效"),
    ("json.invalid_value", "{what}的取值无效，应为{expected}"),
    ("json.body_not_object", "请求内容应为对象"),
    ("json.wrong_length", "{what}的项数不正确"),
    ("json.out_of_range", "{what}超出允许的数值范围"),
    ("json.not_a_number", "{what}应为有效的数字"),
    ("json.not_json", "请求内容不是有效的 JSON"),
    ("json.bad_format", "{what}的格式不正确"),
    ("json.malformed", "请求格式错误"),
    ("json.incomplete", "请求内容未能完整接收"),
    // Reasons recorded with login attempts (the login log).
    ("login.ip_throttled", "来源地址登录失败过多，暂停受理"),
    ("login.unknown_user", "用户不存在"),
    ("login.in_delay", "账号处于登录失败等待期，未核验密码"),
    ("login.wrong_password", "密码错误"),
    ("login.locked_by_admin", "账号被管理员锁定"),
    ("login.one_time_password_expired", "一次性临时密码已过期"),
    ("login.wrong_totp", "动态验证码错误"),
    (
        "login.one_time_password",
        "使用一次性临时密码登录（仅可设置新密码）",
    ),
    ("login.success", "登录成功"),
];

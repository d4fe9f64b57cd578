//! The bootstrap catalogue slice: what `init` and the demo loader create or refuse.

/// The zh-CN texts of the first start.
pub static ZH_CN_BOOTSTRAP: &[(&str, &str)] = &[
    (
        "bootstrap.already_initialised",
        "数据库中已有组织机构，不能重复初始化",
    ),
    (
        "bootstrap.demo_needs_empty_db",
        "数据库中已有组织机构；演示数据只能装入空数据库",
    ),
    ("bootstrap.sys_admin_name", "系统管理员"),
    ("bootstrap.sec_admin_name", "安全管理员"),
    ("bootstrap.audit_admin_name", "审计管理员"),
];

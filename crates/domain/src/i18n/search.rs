//! The search catalogue slice (issue 13).

/// The zh-CN messages of search.
pub static ZH_CN_SEARCH: &[(&str, &str)] = &[
    ("field.q", "搜索词"),
    ("field.search_kind", "结果类型"),
    ("search.unavailable", "搜索索引暂不可用，请稍后重试"),
];

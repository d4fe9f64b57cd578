//! The settings catalogue slice (configuration per office).

/// The messages of office settings.
pub static ZH_CN_SETTINGS: &[(&str, &str)] = &[
    ("settings.own", "本级设置"),
    ("settings.inherited", "继承自{org}"),
    ("settings.default", "默认设置"),
    (
        "settings.not_own",
        "只能修改本级巡察机构的设置，不能修改上级或其他机构的设置",
    ),
];

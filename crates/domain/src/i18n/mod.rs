//! The message catalogue: every user-facing string the server produces lives here, in zh-CN.
//!
//! Code elsewhere refers to messages by a stable key and named arguments; [`render`] turns a
//! [`Msg`] into text. A missing key renders as the key itself, and a test checks that every
//! key used in the code base is present.
//!
//! The catalogue is in slices, one file per capability or kind of text in this folder (`general`,
//! `rectification`, `assessment`, `disclosure`, `audit`, `events`, `notices`, `sheets`,
//! `letters`, `settings`, …); the capability modules use messages, they do not hold them, so
//! nothing here depends on the rules.

mod assessment;
mod audit;
mod bootstrap;
mod disclosure;
mod events;
mod general;
mod guidance;
mod letters;
mod linkage;
mod notices;
mod public_report;
mod rectification;
mod requests;
mod search;
mod settings;
mod sheets;

use std::collections::HashMap;
use std::sync::OnceLock;

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
    static INDEX: OnceLock<HashMap<&'static str, &'static str>> = OnceLock::new();
    INDEX
        .get_or_init(|| {
            let mut index = HashMap::new();
            // The first slice that names a key wins, as the lists are read in order.
            for (k, v) in CATALOGUES.iter().flat_map(|c| c.iter()) {
                index.entry(*k).or_insert(*v);
            }
            index
        })
        .get(key)
        .copied()
}

/// The zh-CN catalogue, in slices: the general one, and one per capability.
pub static CATALOGUES: &[&[(&str, &str)]] = &[
    general::ZH_CN,
    rectification::ZH_CN_RECT,
    letters::ZH_CN_LETTERS,
    assessment::ZH_CN_ASSESSMENT,
    disclosure::ZH_CN_DISCLOSURE,
    settings::ZH_CN_SETTINGS,
    audit::ZH_CN_AUDIT,
    events::ZH_CN_EVENTS,
    notices::ZH_CN_NOTICES,
    sheets::ZH_CN_SHEETS,
    requests::ZH_CN_REQUESTS,
    bootstrap::ZH_CN_BOOTSTRAP,
    public_report::ZH_CN_PUBLIC_REPORT,
    linkage::ZH_CN_LINKAGE,
    guidance::ZH_CN_GUIDANCE,
    search::ZH_CN_SEARCH,
];

/// The text of a message without arguments (a column header, a sheet name), borrowed for the
/// life of the program; the key itself when the catalogue lacks it.
pub fn text(key: &'static str) -> &'static str {
    template(key).unwrap_or(key)
}

/// Fills the placeholders of the message's template in one pass, so an argument's value (a
/// user's text, say) is never itself searched for placeholders.
pub fn render(msg: &Msg) -> String {
    let mut rest = template(msg.key).unwrap_or(msg.key);
    let mut out = String::with_capacity(rest.len());
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let arg = after.find('}').and_then(|end| {
            let name = &after[..end];
            msg.args
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, value)| (end, value))
        });
        if let Some((end, value)) = arg {
            // Field names are themselves catalogue keys ("field.xxx"); translate them when they are.
            if let Some(path) = value.strip_prefix("field.") {
                out.push_str(
                    &template(value).map_or_else(|| field_path_label(path), str::to_string),
                );
            } else {
                out.push_str(value);
            }
            rest = &after[end + 1..];
        } else {
            out.push('{');
            rest = after;
        }
    }
    out.push_str(rest);
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
        Msg::new("label.this_field").render()
    } else {
        out
    }
}

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
    fn argument_values_are_not_searched_for_placeholders() {
        let msg = Msg::new("audit.org_update")
            .arg("old", "{name}")
            .arg("name", "新")
            .arg("code", "{old}");
        assert_eq!(msg.render(), "修改组织 {name} → 新（{old}）");
        assert_eq!(Msg::new("no_such_key").arg("x", 1).render(), "no_such_key");
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

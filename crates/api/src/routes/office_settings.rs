//! Office settings in the API: every settings group reads as the caller's office's effective
//! values with where they come from (本级设置 or 继承自 …), a PUT writes the caller's own office's
//! values only, and a DELETE drops them so the office inherits again.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::org::OrgPath;
use xuncha_domain::settings::Source;
use xuncha_store::settings::Group;

use crate::auth::Auth;

/// Where an office's settings come from.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SettingsSource {
    /// The office whose settings these are: the caller's own.
    #[schema(value_type = i64)]
    pub office_id: OrgId,
    /// own (本级设置) | inherited (继承自上级) | default (默认设置)
    pub kind: String,
    /// The office the values come from (the caller's own or an ancestor); null for the defaults.
    #[schema(value_type = Option<i64>)]
    pub from_org_id: Option<OrgId>,
    pub from_org_name: Option<String>,
    /// 本级设置, 继承自<机构> or 默认设置.
    pub label: String,
}

/// The office whose settings a request with no unit reads and writes: the caller's own, the root
/// of the caller's data scope (the subtree granted that holds the caller's organisation, else the
/// widest one; the root organisation for an unrestricted scope; else the caller's organisation).
pub fn office(auth: &Auth) -> OrgId {
    let own = OrgPath::parse(&auth.user.org_path);
    if auth.scope.all {
        return ((own.and_then(|p| p.root_id()).unwrap_or(auth.user.org_id)).get()).into();
    }
    let holding = auth
        .scope
        .ranges
        .iter()
        .filter(|(start, _)| auth.user.org_path.starts_with(start.as_str()))
        .min_by_key(|(start, _)| start.len());
    let widest = auth
        .scope
        .ranges
        .iter()
        .min_by_key(|(start, _)| start.len());
    holding
        .or(widest)
        .and_then(|(start, _)| OrgPath::parse(start))
        .and_then(|p| p.ids().last().copied())
        .unwrap_or(auth.user.org_id)
}

pub fn source_dto(g: &Group) -> SettingsSource {
    let (kind, label) = match g.source() {
        Source::Own => ("own", Msg::new("settings.own").render()),
        Source::Inherited(_) => (
            "inherited",
            Msg::new("settings.inherited")
                .arg("org", g.from.as_ref().map_or("", |(_, n)| n.as_str()))
                .render(),
        ),
        Source::Default => ("default", Msg::new("settings.default").render()),
    };
    SettingsSource {
        office_id: g.office,
        kind: kind.to_string(),
        from_org_id: ((g.from.as_ref().map(|(o, _)| *o)).map(OrgId::get)).map(OrgId::from),
        from_org_name: g.from.as_ref().map(|(_, n)| n.clone()),
        label,
    }
}

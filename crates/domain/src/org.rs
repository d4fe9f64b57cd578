//! The organisation tree: regions and party organisations of any depth.
//!
//! Each node stores its materialised path, `/1/5/23/` (ids from the root down, each followed
//! by `/`). A subtree is the half-open key range `[path, path_end)` where `path_end` replaces the
//! trailing `/` by `0` (the next byte), so a subtree query is one B-tree range scan on both
//! backends, whatever the depth.

use crate::error::{DomainError, Errors, FieldError, required_text};
use crate::i18n::Msg;

pub use crate::ids::OrgId;

// `code_enum!` moved to its own module; re-exported here for the modules not yet moved to `crate::code`.
pub(crate) use crate::code::code_enum;

code_enum!(
    /// What kind of organisation a node is: a level of the regional hierarchy or a unit type.
    OrgKind, "org.kind.", {
        Province => "province",
        City => "city",
        County => "county",
        Township => "township",
        Village => "village",
        Department => "department",
        Soe => "soe",
        School => "school",
        Institution => "institution",
    }
);

code_enum!(
    /// The kind of party organisation leading the unit.
    PartyOrgKind, "org.party.", {
        Committee => "committee",
        LeadershipGroup => "leadership_group",
        WorkingCommittee => "working_committee",
        GeneralBranch => "general_branch",
        Branch => "branch",
    }
);

impl OrgKind {
    /// Coverage statistics split organisations into 单位 / 乡镇 / 村 (domain.md §10).
    pub fn is_region(self) -> bool {
        matches!(
            self,
            OrgKind::Province
                | OrgKind::City
                | OrgKind::County
                | OrgKind::Township
                | OrgKind::Village
        )
    }
}

pub const NAME_MAX: usize = 100;

/// A validated organisation name.
pub fn parse_name(field: &str, raw: &str) -> Result<String, FieldError> {
    required_text(field, raw, NAME_MAX)
}

/// A validated organisation code: 1–32 of `[A-Za-z0-9._-]`. Codes are the stable keys used by
/// imports and integrations (often the 统一社会信用代码 or an administrative division code).
pub fn parse_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    let ok = v.len() <= 32
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(v.to_string())
    } else {
        Err(FieldError::new(
            field,
            Msg::new("validation.code_format").arg("field", format!("field.{field}")),
        ))
    }
}

/// The validated content of a new or edited organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrgDraft {
    pub code: String,
    pub name: String,
    pub kind: OrgKind,
    pub party_org_kind: Option<PartyOrgKind>,
}

impl OrgDraft {
    /// Parses raw form input, reporting every bad field at once.
    pub fn parse(
        code: &str,
        name: &str,
        kind: &str,
        party_org_kind: Option<&str>,
    ) -> Result<Self, DomainError> {
        let mut errors = Errors::default();
        let code = parse_code("code", code).map_err(|e| errors.push(e)).ok();
        let name = parse_name("name", name).map_err(|e| errors.push(e)).ok();
        let kind = OrgKind::parse_field("kind", kind)
            .map_err(|e| errors.push(e))
            .ok();
        let party = match party_org_kind.map(str::trim).filter(|s| !s.is_empty()) {
            None => Some(None),
            Some(p) => PartyOrgKind::parse_field("party_org_kind", p)
                .map(Some)
                .map_err(|e| errors.push(e))
                .ok(),
        };
        errors.into_result()?;
        match (code, name, kind, party) {
            (Some(code), Some(name), Some(kind), Some(party_org_kind)) => Ok(OrgDraft {
                code,
                name,
                kind,
                party_org_kind,
            }),
            _ => Err(DomainError::Invalid(Vec::new())),
        }
    }
}

/// A materialised path such as `/1/5/23/`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OrgPath(String);

impl OrgPath {
    pub fn root(id: OrgId) -> Self {
        OrgPath(format!("/{id}/"))
    }

    /// Accepts a stored path; `None` if it is not of the form `/n/n/.../`.
    pub fn parse(s: &str) -> Option<Self> {
        let inner = s.strip_prefix('/')?.strip_suffix('/')?;
        if inner.is_empty()
            || !inner
                .split('/')
                .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
        {
            return None;
        }
        Some(OrgPath(s.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn child(&self, id: OrgId) -> Self {
        OrgPath(format!("{}{id}/", self.0))
    }

    /// Number of ancestors: a root has depth 0.
    pub fn depth(&self) -> i32 {
        i32::try_from(self.0.matches('/').count().saturating_sub(2)).unwrap_or(i32::MAX)
    }

    /// The exclusive upper bound of this node's subtree in byte order (`/` + 1 = `0`).
    pub fn subtree_end(&self) -> String {
        subtree_end(&self.0)
    }

    /// True when `other` is this node or one of its descendants.
    pub fn contains(&self, other: &OrgPath) -> bool {
        other.0.starts_with(&self.0)
    }

    /// Ids from the root down to this node.
    pub fn ids(&self) -> Vec<OrgId> {
        self.0
            .split('/')
            .filter(|p| !p.is_empty())
            .filter_map(|p| p.parse().ok())
            .collect()
    }

    /// The root id, which is the distribution key (province) of the node.
    pub fn root_id(&self) -> Option<OrgId> {
        self.ids().first().copied()
    }
}

/// Parents before children, in linear time: `parent_of[i]` is the index of row `i`'s parent
/// among the rows, or `None` when it has none there. Rows without one start the order and each
/// placed row brings its children in (breadth first). The rows never reached lie on a cycle:
/// the order is then shorter than the rows.
pub fn parents_first(parent_of: &[Option<usize>]) -> Vec<usize> {
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); parent_of.len()];
    let mut order: Vec<usize> = Vec::with_capacity(parent_of.len());
    for (i, p) in parent_of.iter().enumerate() {
        match p {
            Some(parent) if *parent < parent_of.len() => children[*parent].push(i),
            _ => order.push(i),
        }
    }
    let mut next = 0;
    while let Some(&i) = order.get(next) {
        next += 1;
        let kids = std::mem::take(&mut children[i]);
        order.extend(kids);
    }
    order
}

/// The exclusive upper bound of the subtree whose stored path is `path` (`/1/5/` → `/1/50`): the
/// subtree is the key range `[path, subtree_end(path))`.
pub fn subtree_end(path: &str) -> String {
    let mut s = path.strip_suffix('/').unwrap_or(path).to_string();
    s.push('0');
    s
}

/// The path a node gets when its subtree moves from `old_parent`-based `node_path` to
/// under `new_parent`. Refuses a move into the node's own subtree.
pub fn moved_path(
    node_path: &OrgPath,
    node_id: OrgId,
    new_parent: &OrgPath,
) -> Result<OrgPath, DomainError> {
    if node_path.contains(new_parent) {
        return Err(DomainError::Rule(Msg::new("org.move_into_own_subtree")));
    }
    Ok(new_parent.child(node_id))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parents_first_orders_a_deep_chain_and_finds_cycles() {
        // 3 → 2 → 1 → 0 listed children first.
        assert_eq!(
            parents_first(&[Some(1), Some(2), Some(3), None]),
            vec![3, 2, 1, 0]
        );
        // 0 ↔ 1 is a cycle; 2 stands alone.
        assert_eq!(parents_first(&[Some(1), Some(0), None]), vec![2]);
    }

    #[test]
    fn path_subtree_range_contains_descendants_only() {
        let p = OrgPath::root(OrgId::new(1)).child(OrgId::new(5));
        assert_eq!(p.as_str(), "/1/5/");
        assert_eq!(p.subtree_end(), "/1/50");
        let inside = p.child(OrgId::new(23));
        let sibling = OrgPath::root(OrgId::new(1)).child(OrgId::new(50));
        let sibling2 = OrgPath::root(OrgId::new(1)).child(OrgId::new(6));
        for (path, expected) in [
            (&inside, true),
            (&p, true),
            (&sibling, false),
            (&sibling2, false),
        ] {
            let in_range = path.as_str() >= p.as_str() && path.as_str() < p.subtree_end().as_str();
            assert_eq!(in_range, expected, "{path:?}");
            assert_eq!(p.contains(path), expected, "{path:?}");
        }
    }

    #[test]
    fn depth_and_ids() {
        let p = OrgPath::parse("/1/5/23/").unwrap();
        assert_eq!(p.depth(), 2);
        assert_eq!(p.ids(), vec![1, 5, 23]);
        assert_eq!(p.root_id(), Some(OrgId::new(1)));
        assert!(OrgPath::parse("/1//").is_none());
        assert!(OrgPath::parse("1/").is_none());
        assert!(OrgPath::parse("/a/").is_none());
    }

    #[test]
    fn move_into_own_subtree_is_refused() {
        let node = OrgPath::parse("/1/5/").unwrap();
        assert!(moved_path(&node, OrgId::new(5), &OrgPath::parse("/1/5/23/").unwrap()).is_err());
        assert!(moved_path(&node, OrgId::new(5), &node).is_err());
        assert_eq!(
            moved_path(&node, OrgId::new(5), &OrgPath::parse("/1/6/").unwrap())
                .unwrap()
                .as_str(),
            "/1/6/5/"
        );
    }

    #[test]
    fn draft_reports_every_bad_field_in_chinese() {
        let err = OrgDraft::parse("bad code!", "", "planet", Some("党委")).unwrap_err();
        let fields = match err {
            DomainError::Invalid(fields) => fields,
            other => panic!("expected Invalid, got {other:?}"),
        };
        let names: Vec<&str> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["code", "name", "kind"]);
        assert_eq!(fields[1].msg.render(), "名称不能为空");
        assert!(fields[2].msg.render().contains("“planet”无效"));
    }

    #[test]
    fn kinds_parse_from_code_or_chinese_label() {
        assert_eq!(
            OrgKind::from_code_or_label("乡镇(街道)"),
            Some(OrgKind::Township)
        );
        assert_eq!(
            OrgKind::from_code_or_label("乡镇（街道）"),
            Some(OrgKind::Township)
        );
        assert_eq!(OrgKind::from_code_or_label("街道"), Some(OrgKind::Township));
        assert_eq!(OrgKind::from_code_or_label("社区"), Some(OrgKind::Village));
        assert_eq!(OrgKind::from_code_or_label("区"), Some(OrgKind::County));
        // 市 is the city's own label, not the county's alias.
        assert_eq!(OrgKind::from_code_or_label("市"), Some(OrgKind::City));
        assert_eq!(OrgKind::from_code_or_label("soe"), Some(OrgKind::Soe));
        assert_eq!(
            PartyOrgKind::from_code_or_label("党总支"),
            Some(PartyOrgKind::GeneralBranch)
        );
        let d = OrgDraft::parse(" 3301 ", " 某某市 ", "市", Some("")).unwrap();
        assert_eq!(
            (d.code.as_str(), d.name.as_str(), d.kind, d.party_org_kind),
            ("3301", "某某市", OrgKind::City, None)
        );
    }
}

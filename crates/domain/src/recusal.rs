//! 回避 (recusal): whether a person may join a team inspecting an organisation (domain.md §13).
//!
//! Rules, following the 2017 text (任职回避、地域回避、公务回避) and a published university rule:
//! - **任职回避**: nobody serves on a team inspecting the unit they work in now. A leader or deputy
//!   also not one they worked in within the last 3 years, or for 3 years or more.
//! - **亲属回避**: a spouse or direct blood relative in the unit excludes everyone; collateral
//!   relatives, close in-laws, superiors/subordinates, long-time colleagues and close academic
//!   ties exclude leaders and deputies.
//! - **公务回避**: a declared official matter involving the unit excludes everyone.
//! - **地域回避**: in a cross inspection (交叉巡察) nobody inspects their own region.
//!
//! Organisations are compared by materialised path: "in the unit" means in its subtree.

use time::{Date, Duration};

use crate::DomainError;
use crate::i18n::Msg;
use crate::org::code_enum;

code_enum!(
    /// Roles in a team.
    TeamRole, "team_role.", {
        Leader => "leader",
        Deputy => "deputy",
        Member => "member",
        Liaison => "liaison",
    }
);

code_enum!(
    /// Declared relations of a person to people in other organisations.
    RelationKind, "relation.", {
        Spouse => "spouse",
        Blood => "blood",
        Collateral => "collateral",
        InLaw => "in_law",
        Superior => "superior",
        Colleague => "colleague",
        Academic => "academic",
        Official => "official",
    }
);

code_enum!(
    /// The state of a request for a recusal exception (回避例外).
    RequestState, "recusal.state.", {
        Pending => "pending",
        Approved => "approved",
        Rejected => "rejected",
    }
);

/// An exception is decided in the approver's own session, never by the person who asked for it.
pub fn check_decider(requested_by: i64, decider: i64) -> Result<(), DomainError> {
    if requested_by == decider {
        return Err(DomainError::Rule(Msg::new("recusal.own_request")));
    }
    Ok(())
}

/// Only a pending request is decided, once.
pub fn check_pending(state: &str) -> Result<(), DomainError> {
    if state != RequestState::Pending.code() {
        return Err(DomainError::Rule(Msg::new("recusal.request_decided")));
    }
    Ok(())
}

impl TeamRole {
    fn is_lead(self) -> bool {
        matches!(self, TeamRole::Leader | TeamRole::Deputy)
    }
}

/// A past or current post.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Post {
    pub org_path: String,
    pub org_name: String,
    pub start: Date,
    /// None: current.
    pub end: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relation {
    pub kind: RelationKind,
    pub related_name: String,
    pub org_path: Option<String>,
}

/// What the rules need to know about a person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    pub name: String,
    /// The path of the person's current organisation.
    pub org_path: String,
    /// The path of the region (county, city or province) the person's organisation belongs to.
    pub region_path: String,
    pub posts: Vec<Post>,
    pub relations: Vec<Relation>,
}

/// The organisation being inspected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub org_path: String,
    pub org_name: String,
    pub region_path: String,
    /// The round includes 交叉 (cross) inspection.
    pub cross: bool,
    /// When the round starts (for "within the last 3 years").
    pub on: Date,
}

/// One rule a proposed assignment breaks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Conflict {
    /// 任职回避, 亲属回避, 公务回避 or 地域回避.
    pub rule: &'static str,
    pub reason: String,
}

fn inside(path: &str, unit: &str) -> bool {
    path.starts_with(unit)
}

/// Every conflict of putting `subject` on a team with `role` inspecting `target`.
pub fn conflicts(subject: &Subject, role: TeamRole, target: &Target) -> Vec<Conflict> {
    let mut out = Vec::new();
    let rule = |key: &'static str| crate::i18n::template(key).unwrap_or(key);
    if inside(&subject.org_path, &target.org_path) {
        out.push(Conflict {
            rule: rule("recusal.rule.post"),
            reason: Msg::new("recusal.current_post")
                .arg("name", &subject.name)
                .arg("org", &target.org_name)
                .render(),
        });
    }
    for p in &subject.posts {
        if !inside(&p.org_path, &target.org_path) {
            continue;
        }
        match p.end {
            None => {
                if !inside(&subject.org_path, &target.org_path) {
                    out.push(Conflict {
                        rule: rule("recusal.rule.post"),
                        reason: Msg::new("recusal.current_post")
                            .arg("name", &subject.name)
                            .arg("org", &p.org_name)
                            .render(),
                    });
                }
            }
            Some(end) if role.is_lead() => {
                let recent = end > target.on - Duration::days(3 * 365);
                let long = end - p.start >= Duration::days(3 * 365);
                if recent || long {
                    out.push(Conflict {
                        rule: rule("recusal.rule.post"),
                        reason: Msg::new("recusal.past_post")
                            .arg("name", &subject.name)
                            .arg("org", &p.org_name)
                            .arg("start", p.start)
                            .arg("end", end)
                            .render(),
                    });
                }
            }
            Some(_) => {}
        }
    }
    for r in &subject.relations {
        let Some(path) = &r.org_path else { continue };
        if !inside(path, &target.org_path) {
            continue;
        }
        let (applies, rule_key) = match r.kind {
            RelationKind::Spouse | RelationKind::Blood => (true, "recusal.rule.kin"),
            RelationKind::Official => (true, "recusal.rule.official"),
            RelationKind::Collateral | RelationKind::InLaw => (role.is_lead(), "recusal.rule.kin"),
            RelationKind::Superior | RelationKind::Colleague | RelationKind::Academic => {
                (role.is_lead(), "recusal.rule.kin")
            }
        };
        if applies {
            out.push(Conflict {
                rule: rule(rule_key),
                reason: Msg::new("recusal.relation")
                    .arg("name", &subject.name)
                    .arg("kind", r.kind.label())
                    .arg("related", &r.related_name)
                    .arg("org", &target.org_name)
                    .render(),
            });
        }
    }
    if target.cross && subject.region_path == target.region_path {
        out.push(Conflict {
            rule: rule("recusal.rule.region"),
            reason: Msg::new("recusal.same_region")
                .arg("name", &subject.name)
                .arg("org", &target.org_name)
                .render(),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn subject() -> Subject {
        Subject {
            name: "张三".into(),
            org_path: "/1/9/".into(),
            region_path: "/1/".into(),
            posts: vec![],
            relations: vec![],
        }
    }

    fn target() -> Target {
        Target {
            org_path: "/1/5/".into(),
            org_name: "财政厅".into(),
            region_path: "/1/".into(),
            cross: false,
            on: date!(2026 - 03 - 01),
        }
    }

    #[test]
    fn nobody_decides_their_own_request() {
        assert!(check_decider(7, 7).is_err());
        assert!(check_decider(7, 8).is_ok());
        assert!(check_pending("pending").is_ok());
        assert!(check_pending("approved").is_err());
        assert_eq!(RequestState::Rejected.label(), "已驳回");
    }

    #[test]
    fn no_ties_no_conflict() {
        assert!(conflicts(&subject(), TeamRole::Leader, &target()).is_empty());
    }

    #[test]
    fn current_post_excludes_everyone() {
        let s = Subject {
            org_path: "/1/5/77/".into(),
            ..subject()
        };
        let c = conflicts(&s, TeamRole::Member, &target());
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].rule, "任职回避");
        assert!(c[0].reason.contains("财政厅"));
    }

    #[test]
    fn past_posts_exclude_leaders_only_when_recent_or_long() {
        let recent = Post {
            org_path: "/1/5/".into(),
            org_name: "财政厅".into(),
            start: date!(2022 - 01 - 01),
            end: Some(date!(2024 - 01 - 01)),
        };
        let long_ago_short = Post {
            end: Some(date!(2019 - 06 - 01)),
            start: date!(2018 - 01 - 01),
            ..recent.clone()
        };
        let long_ago_long = Post {
            end: Some(date!(2019 - 06 - 01)),
            start: date!(2010 - 01 - 01),
            ..recent.clone()
        };
        let with = |p: Post| Subject {
            posts: vec![p],
            ..subject()
        };
        assert_eq!(
            conflicts(&with(recent.clone()), TeamRole::Leader, &target()).len(),
            1
        );
        assert!(conflicts(&with(recent), TeamRole::Member, &target()).is_empty());
        assert!(conflicts(&with(long_ago_short), TeamRole::Deputy, &target()).is_empty());
        assert_eq!(
            conflicts(&with(long_ago_long), TeamRole::Deputy, &target()).len(),
            1
        );
    }

    #[test]
    fn relatives_by_closeness_and_role() {
        let rel = |kind| Subject {
            relations: vec![Relation {
                kind,
                related_name: "李四".into(),
                org_path: Some("/1/5/8/".into()),
            }],
            ..subject()
        };
        assert_eq!(
            conflicts(&rel(RelationKind::Spouse), TeamRole::Member, &target())[0].rule,
            "亲属回避"
        );
        assert!(conflicts(&rel(RelationKind::Collateral), TeamRole::Member, &target()).is_empty());
        assert_eq!(
            conflicts(&rel(RelationKind::Collateral), TeamRole::Leader, &target()).len(),
            1
        );
        assert_eq!(
            conflicts(&rel(RelationKind::Official), TeamRole::Liaison, &target())[0].rule,
            "公务回避"
        );
        let elsewhere = Subject {
            relations: vec![Relation {
                kind: RelationKind::Spouse,
                related_name: "李四".into(),
                org_path: Some("/1/6/".into()),
            }],
            ..subject()
        };
        assert!(conflicts(&elsewhere, TeamRole::Leader, &target()).is_empty());
    }

    #[test]
    fn cross_inspection_excludes_own_region() {
        let t = Target {
            cross: true,
            region_path: "/1/2/".into(),
            org_path: "/1/2/30/".into(),
            ..target()
        };
        let same = Subject {
            region_path: "/1/2/".into(),
            ..subject()
        };
        let other = Subject {
            region_path: "/1/3/".into(),
            ..subject()
        };
        assert_eq!(conflicts(&same, TeamRole::Member, &t)[0].rule, "地域回避");
        assert!(conflicts(&other, TeamRole::Member, &t).is_empty());
        assert!(conflicts(&same, TeamRole::Member, &Target { cross: false, ..t }).is_empty());
    }
}

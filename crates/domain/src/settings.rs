//! Office settings and their inheritance.
//!
//! Settings (time limits, warning thresholds, the assessment rubric) and the holiday calendar
//! belong to an office, an organisation that runs inspections. An office's value for a key is
//! its own, else its nearest ancestor's, else the default in code; the holiday calendar is the
//! union along the chain, the nearest office's entry winning a day. An office changes only its
//! own values: never a parent's, a sibling's or a child's.

use crate::org::OrgId;

/// Where an office's effective value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The office's own row (本级设置).
    Own,
    /// An ancestor's row (继承自 …).
    Inherited(OrgId),
    /// No office along the chain set it: the default in code.
    Default,
}

impl Source {
    pub fn of(office: OrgId, from: Option<OrgId>) -> Source {
        match from {
            None => Source::Default,
            Some(o) if o == office => Source::Own,
            Some(o) => Source::Inherited(o),
        }
    }
}

/// The position of `org` in `chain` (ids from the root down to the office, as in its path):
/// larger is nearer to the office. `None` when `org` is not on the chain.
fn rank(chain: &[OrgId], org: OrgId) -> Option<usize> {
    chain.iter().position(|o| *o == org)
}

/// The effective row among `rows` (each set by an organisation) for the office whose chain is
/// `chain` (root first, the office last): the nearest office's row. Rows of organisations off
/// the chain never apply. `None` when no office on the chain set a value (the default applies).
pub fn nearest<T>(
    chain: &[OrgId],
    rows: impl IntoIterator<Item = (OrgId, T)>,
) -> Option<(OrgId, T)> {
    let mut best: Option<(usize, OrgId, T)> = None;
    for (org, v) in rows {
        let Some(r) = rank(chain, org) else { continue };
        if best.as_ref().is_none_or(|(b, _, _)| r > *b) {
            best = Some((r, org, v));
        }
    }
    best.map(|(_, o, v)| (o, v))
}

/// The holiday calendar of the office whose chain is `chain`: every day any office on the chain
/// lists, with the nearest office's entry for a day listed by several (a county's 调休 overrides
/// the province's holiday). Sorted by day; each entry names the office it comes from.
pub fn merge_days<D: Ord + Copy, K: Clone>(
    chain: &[OrgId],
    rows: impl IntoIterator<Item = (OrgId, D, K)>,
) -> Vec<(D, K, OrgId)> {
    let mut by_day: std::collections::BTreeMap<D, (usize, K, OrgId)> = Default::default();
    for (org, day, kind) in rows {
        let Some(r) = rank(chain, org) else { continue };
        match by_day.get(&day) {
            Some((b, _, _)) if *b >= r => {}
            _ => {
                by_day.insert(day, (r, kind, org));
            }
        }
    }
    by_day.into_iter().map(|(d, (_, k, o))| (d, k, o)).collect()
}

/// Whether `caller_office` may change the settings of `target_office`: only its own.
pub fn may_write(caller_office: OrgId, target_office: OrgId) -> bool {
    caller_office == target_office
}

#[cfg(test)]
mod tests {
    use super::*;

    const PROVINCE: OrgId = OrgId::new(1);
    const CITY: OrgId = OrgId::new(5);
    const COUNTY: OrgId = OrgId::new(23);
    const OTHER_COUNTY: OrgId = OrgId::new(24);

    #[test]
    fn the_nearest_office_wins_and_others_off_the_chain_never_apply() {
        let chain = [PROVINCE, CITY, COUNTY];
        assert_eq!(nearest(&chain, Vec::<(OrgId, i64)>::new()), None);
        assert_eq!(nearest(&chain, [(PROVINCE, 5)]), Some((PROVINCE, 5)));
        assert_eq!(
            nearest(&chain, [(COUNTY, 3), (PROVINCE, 5)]),
            Some((COUNTY, 3))
        );
        assert_eq!(nearest(&chain, [(PROVINCE, 5), (CITY, 4)]), Some((CITY, 4)));
        assert_eq!(
            nearest(&chain, [(OTHER_COUNTY, 9), (PROVINCE, 5)]),
            Some((PROVINCE, 5))
        );
        assert_eq!(nearest(&[PROVINCE], [(COUNTY, 3)]), None);
    }

    #[test]
    fn sources_name_own_inherited_and_default() {
        assert_eq!(Source::of(COUNTY, Some(COUNTY)), Source::Own);
        assert_eq!(
            Source::of(COUNTY, Some(PROVINCE)),
            Source::Inherited(PROVINCE)
        );
        assert_eq!(Source::of(COUNTY, None), Source::Default);
    }

    #[test]
    fn calendars_are_the_union_along_the_chain_nearest_entry_winning() {
        let chain = [PROVINCE, CITY, COUNTY];
        let rows = vec![
            (PROVINCE, 1, "holiday"),
            (PROVINCE, 2, "holiday"),
            (COUNTY, 2, "workday"),
            (CITY, 3, "holiday"),
            (OTHER_COUNTY, 4, "holiday"),
        ];
        assert_eq!(
            merge_days(&chain, rows.clone()),
            vec![
                (1, "holiday", PROVINCE),
                (2, "workday", COUNTY),
                (3, "holiday", CITY)
            ]
        );
        assert_eq!(
            merge_days(&[PROVINCE], rows),
            vec![(1, "holiday", PROVINCE), (2, "holiday", PROVINCE)]
        );
    }

    #[test]
    fn an_office_writes_only_its_own_settings() {
        assert!(may_write(COUNTY, COUNTY));
        assert!(!may_write(COUNTY, PROVINCE));
        assert!(!may_write(COUNTY, OTHER_COUNTY));
        assert!(!may_write(PROVINCE, COUNTY));
    }
}

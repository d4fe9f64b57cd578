//! Counters maintained on write: what one ledger item contributes to the per-organisation
//! counters the statistics read, and which counter rows answer a scope (docs/design/
//! rectification.md, "The dashboard: counters maintained on write").
//!
//! Every ledger item adds to two kinds of rows:
//! - an **own** row of its inspected organisation, per round and category;
//! - a **roll-up** row of every strict ancestor of that organisation, per category (round 0).
//!
//! So all rows of a node add up to its subtree, and its own rows alone to the organisation
//! itself. Figures that depend on "today" (due, on time, overdue, ageing) come from a per-day
//! histogram with the same keys: summing the days before today needs no rewrite when the
//! clock moves.
//!
//! Every finding, ledger item or not, also counts in one **finding** row of the office that runs
//! its round, per round, category and state ([`FindingKey`]): the inspection statistics read
//! these (offices are few, so their scope is a join, not a roll-up).

use std::collections::BTreeMap;

use time::Date;

use crate::inspection::FindingState;
use crate::org::{OrgId, OrgPath};

/// The facts of one finding that its contribution depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CounterFacts {
    pub org_id: OrgId,
    /// The inspected organisation's materialised path (`/1/5/23/`, ending with `org_id`).
    pub org_path: String,
    pub round_id: i64,
    pub category_id: Option<i64>,
    pub state: FindingState,
    pub deadline: Option<Date>,
    pub due_date: Option<Date>,
    pub closed_on: Option<Date>,
    pub extensions: i64,
    /// The office running the finding's round.
    pub owner_org_id: OrgId,
    /// A 立行立改 requirement was issued, and its fix reported done.
    pub immediate: bool,
    pub immediate_done: bool,
}

/// The key of a finding row: the office running the round, the round, the category
/// (0: uncategorised) and the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FindingKey {
    pub owner_org_id: OrgId,
    pub round_id: i64,
    pub category_id: i64,
    pub state: FindingState,
}

/// The counts of a finding row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FindingCounts {
    pub findings: i64,
    pub immediate: i64,
    pub immediate_done: i64,
}

impl FindingCounts {
    fn add(&mut self, o: &FindingCounts, sign: i64) {
        self.findings += sign * o.findings;
        self.immediate += sign * o.immediate;
        self.immediate_done += sign * o.immediate_done;
    }

    pub fn is_zero(&self) -> bool {
        *self == FindingCounts::default()
    }
}

/// The key of a counter row. Roll-up rows have `own == false` and `round_id == 0`;
/// uncategorised items count under `category_id == 0`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct CounterKey {
    pub node_id: OrgId,
    pub own: bool,
    pub round_id: i64,
    pub category_id: i64,
}

/// The date-independent counts of a row.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub total: i64,
    pub completed: i64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    /// Items awaiting the write-off check (销号待核查).
    pub close_requested: i64,
}

/// One day of the histogram: items whose deadline is that day (and of those, the ones closed
/// on time), open items next due that day, and of those the ones awaiting the write-off check
/// (the needs-attention count takes these once, not twice).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub deadlines: i64,
    pub on_time: i64,
    pub open_due: i64,
    pub close_requested_due: i64,
}

impl Counts {
    fn add(&mut self, o: &Counts, sign: i64) {
        self.total += sign * o.total;
        self.completed += sign * o.completed;
        self.long_term += sign * o.long_term;
        self.extended += sign * o.extended;
        self.extensions += sign * o.extensions;
        self.close_requested += sign * o.close_requested;
    }

    pub fn is_zero(&self) -> bool {
        *self == Counts::default()
    }
}

impl DayCounts {
    fn add(&mut self, o: &DayCounts, sign: i64) {
        self.deadlines += sign * o.deadlines;
        self.on_time += sign * o.on_time;
        self.open_due += sign * o.open_due;
        self.close_requested_due += sign * o.close_requested_due;
    }

    pub fn is_zero(&self) -> bool {
        *self == DayCounts::default()
    }
}

/// Whether a finding in `state` is a ledger item (fed back and later).
pub fn in_ledger(state: FindingState) -> bool {
    !matches!(
        state,
        FindingState::Draft | FindingState::Confirmed | FindingState::InReport
    )
}

/// Whether an item's deadline runs: open items except long-term ones, which report
/// periodically instead. Only these are warned about and counted overdue.
pub fn deadline_runs(state: FindingState) -> bool {
    in_ledger(state) && !matches!(state, FindingState::Closed | FindingState::LongTerm)
}

/// A change of the counters: added and subtracted contributions, netted per key.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Delta {
    pub counts: BTreeMap<CounterKey, Counts>,
    pub days: BTreeMap<(CounterKey, Date), DayCounts>,
    pub findings: BTreeMap<FindingKey, FindingCounts>,
}

impl Delta {
    /// Adds (`sign` 1) or subtracts (`sign` -1) the contribution of one finding.
    pub fn add(&mut self, f: &CounterFacts, sign: i64) {
        let key = FindingKey {
            owner_org_id: f.owner_org_id,
            round_id: f.round_id,
            category_id: f.category_id.unwrap_or(0),
            state: f.state,
        };
        let counts = FindingCounts {
            findings: 1,
            immediate: i64::from(f.immediate),
            immediate_done: i64::from(f.immediate_done),
        };
        self.findings.entry(key).or_default().add(&counts, sign);
        if !in_ledger(f.state) {
            return;
        }
        let counts = Counts {
            total: 1,
            completed: i64::from(f.state == FindingState::Closed),
            long_term: i64::from(f.state == FindingState::LongTerm),
            extended: i64::from(f.extensions > 0),
            extensions: f.extensions,
            close_requested: i64::from(f.state == FindingState::CloseRequested),
        };
        let mut days: Vec<(Date, DayCounts)> = Vec::with_capacity(2);
        if let Some(d) = f.deadline {
            let on_time = f.state == FindingState::Closed && f.closed_on.is_some_and(|c| c <= d);
            days.push((
                d,
                DayCounts {
                    deadlines: 1,
                    on_time: i64::from(on_time),
                    ..DayCounts::default()
                },
            ));
        }
        if let (Some(d), true) = (f.due_date, deadline_runs(f.state)) {
            days.push((
                d,
                DayCounts {
                    open_due: 1,
                    close_requested_due: i64::from(f.state == FindingState::CloseRequested),
                    ..DayCounts::default()
                },
            ));
        }
        let category_id = f.category_id.unwrap_or(0);
        for key in counter_keys(f.org_id, &f.org_path, f.round_id, category_id) {
            self.counts.entry(key).or_default().add(&counts, sign);
            for (d, c) in &days {
                self.days.entry((key, *d)).or_default().add(c, sign);
            }
        }
    }

    /// Drops the keys whose changes cancel out.
    pub fn net(mut self) -> Delta {
        self.counts.retain(|_, c| !c.is_zero());
        self.days.retain(|_, c| !c.is_zero());
        self.findings.retain(|_, c| !c.is_zero());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.counts.is_empty() && self.days.is_empty() && self.findings.is_empty()
    }
}

/// The rows one item of `org_id` (at `org_path`) in `round_id` counts in: its own row, then one
/// roll-up row per strict ancestor.
pub fn counter_keys(
    org_id: OrgId,
    org_path: &str,
    round_id: i64,
    category_id: i64,
) -> Vec<CounterKey> {
    let mut out = vec![CounterKey {
        node_id: org_id,
        own: true,
        round_id,
        category_id,
    }];
    out.extend(
        path_ids(org_path)
            .into_iter()
            .filter(|a| *a != org_id)
            .map(|node_id| CounterKey {
                node_id,
                own: false,
                round_id: 0,
                category_id,
            }),
    );
    out
}

/// The change from `before` to `after` (either may be absent: a new or a vanished finding).
pub fn delta(before: &[CounterFacts], after: &[CounterFacts]) -> Delta {
    let mut d = Delta::default();
    for f in before {
        d.add(f, -1);
    }
    for f in after {
        d.add(f, 1);
    }
    d.net()
}

/// What a statistics query must sum: every row of a node (its subtree), or its own rows
/// (that organisation alone).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum CounterTerm {
    Subtree { node_id: OrgId, path: String },
    Own { node_id: OrgId, path: String },
}

impl CounterTerm {
    pub fn path(&self) -> &str {
        match self {
            CounterTerm::Subtree { path, .. } | CounterTerm::Own { path, .. } => path,
        }
    }

    pub fn node_id(&self) -> OrgId {
        match self {
            CounterTerm::Subtree { node_id, .. } | CounterTerm::Own { node_id, .. } => *node_id,
        }
    }
}

/// The ids on a materialised path, root first (none if the path is malformed).
fn path_ids(path: &str) -> Vec<OrgId> {
    OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default()
}

/// The node id a materialised path ends with.
fn last_id(path: &str) -> Option<OrgId> {
    path_ids(path).last().copied()
}

/// Turns a data scope (granted subtree paths, single organisations with their paths) narrowed to
/// the subtree at `within` into terms that count every visible item exactly once: a subtree inside
/// another granted subtree, or a single organisation inside one, is dropped.
pub fn covering_terms(
    subtrees: &[String],
    singles: &[(OrgId, String)],
    within: Option<&str>,
) -> Vec<CounterTerm> {
    let inside = |inner: &str, outer: &str| inner.starts_with(outer);
    let mut trees: Vec<String> = Vec::new();
    for p in subtrees {
        let narrowed = match within {
            None => Some(p.clone()),
            Some(w) if inside(p, w) => Some(p.clone()),
            Some(w) if inside(w, p) => Some(w.to_string()),
            Some(_) => None,
        };
        trees.extend(narrowed);
    }
    trees.sort();
    trees.dedup();
    // Sorted paths put an ancestor right before its descendants.
    let mut kept: Vec<String> = Vec::new();
    for p in trees {
        if !kept.iter().any(|k| inside(&p, k)) {
            kept.push(p);
        }
    }
    let mut out: Vec<CounterTerm> = kept
        .iter()
        .filter_map(|p| {
            last_id(p).map(|node_id| CounterTerm::Subtree {
                node_id,
                path: p.clone(),
            })
        })
        .collect();
    for (id, p) in singles {
        let visible = within.is_none_or(|w| inside(p, w));
        let covered = kept.iter().any(|k| inside(p, k));
        let term = CounterTerm::Own {
            node_id: *id,
            path: p.clone(),
        };
        if visible && !covered && !out.contains(&term) {
            out.push(term);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn facts(state: FindingState) -> CounterFacts {
        CounterFacts {
            org_id: OrgId::new(23),
            org_path: "/1/5/23/".into(),
            round_id: 7,
            category_id: Some(3),
            state,
            deadline: Some(date!(2026 - 06 - 30)),
            due_date: Some(date!(2026 - 05 - 31)),
            closed_on: None,
            extensions: 0,
            owner_org_id: OrgId::new(5),
            immediate: false,
            immediate_done: false,
        }
    }

    #[test]
    fn an_item_counts_in_its_own_row_and_every_ancestor() {
        let d = delta(&[], &[facts(FindingState::InProgress)]);
        let nodes: Vec<(i64, bool, i64)> = d
            .counts
            .keys()
            .map(|k| (k.node_id.get(), k.own, k.round_id))
            .collect();
        assert_eq!(nodes, vec![(1, false, 0), (5, false, 0), (23, true, 7)]);
        assert!(d.counts.values().all(|c| c.total == 1 && c.completed == 0));
        // The deadline day and the open due day, in each of the three rows.
        assert_eq!(d.days.len(), 6);
    }

    #[test]
    fn drafts_count_only_as_findings_and_unchanged_items_net_to_nothing() {
        let d = delta(&[], &[facts(FindingState::Draft)]);
        assert!(
            d.counts.is_empty() && d.days.is_empty(),
            "a draft is no ledger item"
        );
        let key = FindingKey {
            owner_org_id: OrgId::new(5),
            round_id: 7,
            category_id: 3,
            state: FindingState::Draft,
        };
        assert_eq!(
            d.findings,
            BTreeMap::from([(
                key,
                FindingCounts {
                    findings: 1,
                    immediate: 0,
                    immediate_done: 0
                }
            )])
        );
        // A 立行立改 done on a confirmed finding: it leaves the draft row, joins the confirmed one.
        let mut after = facts(FindingState::Confirmed);
        after.immediate = true;
        after.immediate_done = true;
        let d = delta(&[facts(FindingState::Draft)], &[after]);
        assert_eq!(d.findings.len(), 2);
        assert_eq!(d.findings[&key].findings, -1);
        let confirmed = FindingKey {
            state: FindingState::Confirmed,
            ..key
        };
        assert_eq!(
            d.findings[&confirmed],
            FindingCounts {
                findings: 1,
                immediate: 1,
                immediate_done: 1
            }
        );
        let f = facts(FindingState::InProgress);
        assert!(delta(std::slice::from_ref(&f), std::slice::from_ref(&f)).is_empty());
    }

    #[test]
    fn closing_on_time_moves_the_item_out_of_the_open_days() {
        let before = facts(FindingState::InProgress);
        let mut after = facts(FindingState::Closed);
        after.closed_on = Some(date!(2026 - 06 - 01));
        let d = delta(&[before], &[after]);
        let own = CounterKey {
            node_id: OrgId::new(23),
            own: true,
            round_id: 7,
            category_id: 3,
        };
        assert_eq!(d.counts[&own].completed, 1);
        assert_eq!(d.counts[&own].total, 0);
        assert_eq!(d.days[&(own, date!(2026 - 06 - 30))].on_time, 1);
        assert_eq!(d.days[&(own, date!(2026 - 05 - 31))].open_due, -1);
    }

    #[test]
    fn covering_terms_count_each_item_once() {
        let terms = covering_terms(
            &["/1/5/".into(), "/1/5/23/".into(), "/1/6/".into()],
            &[
                (OrgId::new(23), "/1/5/23/".into()),
                (OrgId::new(9), "/1/9/".into()),
            ],
            None,
        );
        assert_eq!(
            terms,
            vec![
                CounterTerm::Subtree {
                    node_id: OrgId::new(5),
                    path: "/1/5/".into()
                },
                CounterTerm::Subtree {
                    node_id: OrgId::new(6),
                    path: "/1/6/".into()
                },
                CounterTerm::Own {
                    node_id: OrgId::new(9),
                    path: "/1/9/".into()
                },
            ]
        );
        // Narrowed to a subtree: a granted ancestor becomes the filter's node, others drop.
        let within = covering_terms(
            &["/1/".into()],
            &[(OrgId::new(9), "/1/9/".into())],
            Some("/1/5/"),
        );
        assert_eq!(
            within,
            vec![CounterTerm::Subtree {
                node_id: OrgId::new(5),
                path: "/1/5/".into()
            }]
        );
    }
}

//! 领导驾驶舱: the rules of the dashboard — who sees the ranking among peers, how peers are
//! ranked, and which term's coverage a subtree shows (docs/dashboard.md).

use time::Date;

use crate::inspection::rate;
use crate::perm::{Access, INSPECTION_OFFICE, RECT_SUPERVISE};

/// Whether the user sees the ranking of an organisation among its peers (counts and rates of
/// the sibling subtrees, never their records): leaders and the office, as for the headline
/// figures of the 工作台.
pub fn sees_peers(access: &Access) -> bool {
    access.has(RECT_SUPERVISE) || access.has(INSPECTION_OFFICE)
}

/// One organisation's counts in the ranking among its peers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PeerCounts {
    pub org_id: i64,
    pub name: String,
    /// Ledger items of the subtree.
    pub total: i64,
    pub completed: i64,
    /// Items whose deadline has passed.
    pub due: i64,
    pub completed_on_time: i64,
    pub overdue: i64,
}

impl PeerCounts {
    /// 整改完成率, percent.
    pub fn completion_rate(&self) -> f64 {
        rate(self.completed, self.total)
    }

    /// 按期整改率, percent.
    pub fn on_time_rate(&self) -> f64 {
        rate(self.completed_on_time, self.due)
    }
}

/// Ranks peers: the higher 整改完成率 first, then the higher 按期整改率, then fewer overdue
/// items, then more items, then the name. Returns them in rank order with their rank (1-based;
/// equal figures share a rank).
pub fn rank_peers(mut peers: Vec<PeerCounts>) -> Vec<(i64, PeerCounts)> {
    let key = |p: &PeerCounts| {
        // Rates have two decimals: compare them as integer hundredths.
        #[allow(clippy::cast_possible_truncation)]
        let hundredths = |r: f64| (r * 100.0).round() as i64;
        (
            -hundredths(p.completion_rate()),
            -hundredths(p.on_time_rate()),
            p.overdue,
            -p.total,
        )
    };
    peers.sort_by(|a, b| key(a).cmp(&key(b)).then_with(|| a.name.cmp(&b.name)));
    let mut out: Vec<(i64, PeerCounts)> = Vec::with_capacity(peers.len());
    for (i, p) in peers.into_iter().enumerate() {
        let rank = match out.last() {
            Some((r, prev)) if key(prev) == key(&p) => *r,
            _ => i64::try_from(i).unwrap_or(i64::MAX) + 1,
        };
        out.push((rank, p));
    }
    out
}

/// A term a dashboard may take its coverage from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TermSpan {
    pub id: i64,
    /// The materialised path of the office that owns the term.
    pub owner_path: String,
    pub start_date: Date,
    pub end_date: Date,
}

/// The term whose coverage the subtree at `org_path` shows on `day`: among the terms owned by
/// the organisation or an ancestor, the nearest owner's term running on `day`, else the nearest
/// owner's latest term begun by `day`. `None` when no such term exists.
pub fn coverage_term(terms: &[TermSpan], org_path: &str, day: Date) -> Option<i64> {
    let mut best: Option<(usize, u8, Date, i64)> = None;
    for t in terms {
        if !org_path.starts_with(t.owner_path.as_str()) || t.start_date > day {
            continue;
        }
        let running = u8::from(t.end_date >= day);
        let cand = (t.owner_path.len(), running, t.start_date, t.id);
        if best.is_none_or(|b| cand > b) {
            best = Some(cand);
        }
    }
    best.map(|b| b.3)
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn peer(id: i64, total: i64, completed: i64, overdue: i64) -> PeerCounts {
        PeerCounts {
            org_id: id,
            name: format!("o{id}"),
            total,
            completed,
            due: 0,
            completed_on_time: 0,
            overdue,
        }
    }

    #[test]
    fn peers_rank_by_completion_then_overdue() {
        let ranked = rank_peers(vec![
            peer(1, 10, 5, 0),
            peer(2, 10, 9, 3),
            peer(3, 10, 5, 2),
            peer(4, 20, 10, 0),
        ]);
        let order: Vec<(i64, i64)> = ranked.iter().map(|(r, p)| (*r, p.org_id)).collect();
        assert_eq!(order, vec![(1, 2), (2, 4), (3, 1), (4, 3)]);
        let tied = rank_peers(vec![peer(1, 0, 0, 0), peer(2, 0, 0, 0)]);
        assert_eq!(tied[0].0, 1);
        assert_eq!(tied[1].0, 1);
    }

    #[test]
    fn the_nearest_running_term_gives_coverage() {
        let t = |id, owner: &str, s, e| TermSpan {
            id,
            owner_path: owner.into(),
            start_date: s,
            end_date: e,
        };
        let terms = vec![
            t(1, "/1/", date!(2021 - 01 - 01), date!(2025 - 12 - 31)),
            t(2, "/1/", date!(2026 - 01 - 01), date!(2030 - 12 - 31)),
            t(3, "/1/5/", date!(2026 - 03 - 01), date!(2030 - 12 - 31)),
            t(4, "/1/6/", date!(2026 - 01 - 01), date!(2030 - 12 - 31)),
        ];
        assert_eq!(coverage_term(&terms, "/1/", date!(2026 - 06 - 01)), Some(2));
        assert_eq!(
            coverage_term(&terms, "/1/5/9/", date!(2026 - 06 - 01)),
            Some(3)
        );
        // Before the city's term began, the province's.
        assert_eq!(
            coverage_term(&terms, "/1/5/", date!(2026 - 02 - 01)),
            Some(2)
        );
        assert_eq!(coverage_term(&terms, "/1/", date!(2020 - 02 - 01)), None);
        // A finished term still counts when nothing runs.
        let old = vec![t(1, "/1/", date!(2021 - 01 - 01), date!(2025 - 12 - 31))];
        assert_eq!(coverage_term(&old, "/1/7/", date!(2026 - 06 - 01)), Some(1));
    }
}

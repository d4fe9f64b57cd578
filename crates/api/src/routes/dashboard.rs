//! 领导驾驶舱: the figures of one organisation's subtree for a period — coverage, the breakdown
//! by 下级单位, problems by category, rectification, overdue and ageing, outcomes, clues,
//! fieldwork, and the ranking among peers — each with the web link of the list it counts
//! (docs/dashboard.md).

use axum::extract::State;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::dashboard::{rank_peers, sees_peers};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::inspection::{ClueState, rate};
use xuncha_domain::perm::INSPECTION_READ;
use xuncha_domain::rectification::OutcomeKind;
use xuncha_store::dashboard::{self as store, DashboardAsk};
use xuncha_store::rectification::StatCounts;

use super::ApiQuery;
use super::clues::clue_access;
use super::common::date_str;
use super::rectification::{OutcomeTotal, RectStatsDto, stats_dto};
use crate::auth::{Need, RectRead};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(dashboard))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// The organisation looked at (its whole subtree); by default the root of the caller's
    /// scope. Outside the scope: 404, like a missing id.
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    /// First day of the period (YYYY-MM-DD, inclusive): filters fieldwork by its day.
    pub from: Option<String>,
    /// Last day of the period (YYYY-MM-DD, inclusive): filters fieldwork and picks the term
    /// whose coverage is shown.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashOrg {
    pub org_id: i64,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashLinks {
    /// Every ledger item of the subtree.
    pub ledger: String,
    /// 已完成 (state CLOSED).
    pub completed: String,
    /// Overdue (red warning).
    pub overdue: String,
    /// 长期整改.
    pub long_term: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashRect {
    pub stats: RectStatsDto,
    pub links: DashLinks,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashCoverage {
    pub term_id: i64,
    pub term_name: String,
    /// Organisations to cover in the subtree that a round of the term has put a team in.
    pub covered: i64,
    /// Organisations the term must cover in the subtree.
    pub total: i64,
    /// Percent with two decimals.
    pub rate: f64,
    /// The coverage page of the term.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashCount {
    pub covered: i64,
    pub total: i64,
    pub rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashChild {
    pub org_id: i64,
    pub name: String,
    /// A child's whole subtree: asking again with its `org_id` drills down. False: the
    /// organisation's own items (本级).
    pub drill: bool,
    /// Ledger items (fed-back problems).
    pub total: i64,
    pub completed: i64,
    /// 整改完成率.
    pub completion_rate: f64,
    /// 按期整改率.
    pub on_time_rate: f64,
    pub overdue: i64,
    /// Coverage of the term in the child's subtree (null without inspection:read or a term).
    pub coverage: Option<DashCount>,
    /// The ledger of the child's subtree (null for 本级: the ledger has no filter for an
    /// organisation's own items alone).
    pub link: Option<String>,
    /// The ledger of the subtree's overdue items (null for 本级).
    pub overdue_link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashCategory {
    /// Null for the uncategorised items.
    pub category_id: Option<i64>,
    pub label: String,
    pub total: i64,
    pub completed: i64,
    pub overdue: i64,
    /// The ledger with this category (null for the uncategorised items: no such filter).
    pub link: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashClueState {
    #[schema(value_type = crate::codes::ClueState)]
    pub state: String,
    pub label: String,
    pub count: i64,
    /// The clue register (`/clues/register`) of the subtree in this state.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashClues {
    pub total: i64,
    pub by_state: Vec<DashClueState>,
    /// The clue register of the subtree.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashMethod {
    pub method: String,
    pub method_name: String,
    /// Activities recorded.
    pub entries: i64,
    pub persons: i64,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DashPeer {
    /// 1 is best; equal figures share a rank.
    pub rank: i64,
    pub org_id: i64,
    pub name: String,
    /// The organisation looked at.
    pub is_self: bool,
    pub total: i64,
    pub completed: i64,
    pub completion_rate: f64,
    pub on_time_rate: f64,
    pub overdue: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Dashboard {
    pub org: DashOrg,
    /// The organisation's ancestors within the caller's scope and itself, top first (the way
    /// back up).
    pub crumbs: Vec<DashOrg>,
    pub today: String,
    pub from: Option<String>,
    pub to: Option<String>,
    /// 整改完成率, 按期整改率, overdue and ageing of the subtree's ledger (today, every item).
    pub rect: DashRect,
    /// Coverage of the current term in the subtree; null without inspection:read or a term.
    pub coverage: Option<DashCoverage>,
    /// 本级 (when it has items) and each child organisation in scope.
    pub children: Vec<DashChild>,
    /// Ledger items by category of the frame, largest first.
    pub categories: Vec<DashCategory>,
    /// Outcomes of rectification: rules made, money, people held accountable.
    pub outcomes: Vec<OutcomeTotal>,
    /// Clues by state; null unless the caller holds the clue compartment (what the caller may
    /// see of the subtree's clues only).
    pub clues: Option<DashClues>,
    /// Fieldwork by method in the period; null without inspection:read.
    pub fieldwork: Option<Vec<DashMethod>>,
    /// The organisation among its siblings, ranked (counts and rates only); null for callers
    /// who are not leaders or the office, empty for a root.
    pub peers: Option<Vec<DashPeer>>,
}

fn ledger(org: i64, more: &str) -> String {
    format!("/rect/ledger?org_id={org}{more}")
}

fn period_day(field: &str, v: Option<&str>) -> Result<Option<Date>, ApiError> {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s, &fmt)
        .ok()
        .filter(|d| xuncha_domain::limits::year_ok(d.year()))
        .map(Some)
        .ok_or_else(|| {
            ApiError::bad_param(
                field,
                &Msg::new("validation.unknown_value")
                    .arg("field", field)
                    .arg("value", s)
                    .arg("allowed", "YYYY-MM-DD"),
            )
        })
}

fn child_row(c: &store::ChildFigures) -> DashChild {
    let s = stats_dto(&c.counts);
    let id = c.org_id.get();
    DashChild {
        org_id: id,
        name: c.name.clone(),
        drill: c.subtree,
        total: s.total,
        completed: s.completed,
        completion_rate: s.completion_rate,
        on_time_rate: s.on_time_rate,
        overdue: s.overdue,
        coverage: c.coverage.map(|(covered, total)| DashCount {
            covered,
            total,
            rate: rate(covered, total),
        }),
        link: c.subtree.then(|| ledger(id, "")),
        overdue_link: c.subtree.then(|| ledger(id, "&warning=red")),
    }
}

fn category_row(org: i64, c: &StatCounts) -> DashCategory {
    let id: Option<i64> = c.key.parse().ok();
    DashCategory {
        category_id: id,
        label: c.label.clone(),
        total: c.total,
        completed: c.completed,
        overdue: c.overdue,
        link: id.map(|id| ledger(org, &format!("&category_id={id}"))),
    }
}

/// The dashboard of an organisation's subtree (领导驾驶舱): every figure the caller may read, with
/// the web link of the list it counts. Rectification figures, outcomes and the ranking read the
/// counters; coverage, clues and fieldwork are scoped aggregates (docs/dashboard.md).
#[utoipa::path(get, operation_id = "dashboard", path = "/api/v1/dashboard", tag = "workbench", params(DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 404, body = crate::error::Problem)))]
async fn dashboard(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<axum::Json<Dashboard>> {
    let from = period_day("from", q.from.as_deref())?;
    let to = period_day("to", q.to.as_deref())?;
    if from.zip(to).is_some_and(|(f, t)| t < f) {
        return Err(ApiError::bad_param(
            "to",
            &Msg::new("inspection.dates_order"),
        ));
    }
    let org_id = match q.org_id {
        Some(o) => o,
        None => store::scope_root(&st.db, &auth.scope, auth.user.org_id).await?,
    };
    let access = clue_access(&auth);
    let today = st.db.today();
    let d = store::read(
        &st.db,
        &DashboardAsk {
            scope: &auth.scope,
            org_id,
            today,
            from,
            to,
            inspection: auth.access.has(INSPECTION_READ),
            clues: access.compartment.then_some(&access),
            peers: sees_peers(&auth.access),
        },
    )
    .await
    .map_err(ApiError::not_found_as("org.not_found"))?;
    let org = d.org.id.get();
    let clues = d.clues.map(|rows| {
        let by_state: Vec<DashClueState> = rows
            .into_iter()
            .map(|(state, count)| DashClueState {
                label: ClueState::from_code(&state)
                    .map_or_else(|| state.clone(), |s| s.label().to_string()),
                link: format!("/clues/register?org_id={org}&state={state}"),
                state,
                count,
            })
            .collect();
        DashClues {
            total: by_state.iter().map(|s| s.count).sum(),
            by_state,
            link: format!("/clues/register?org_id={org}"),
        }
    });
    let peers = d.peers.map(|p| {
        rank_peers(p)
            .into_iter()
            .map(|(rank, p)| DashPeer {
                rank,
                is_self: p.org_id == org,
                completion_rate: p.completion_rate(),
                on_time_rate: p.on_time_rate(),
                org_id: p.org_id,
                name: p.name,
                total: p.total,
                completed: p.completed,
                overdue: p.overdue,
            })
            .collect()
    });
    Ok(axum::Json(Dashboard {
        org: DashOrg {
            org_id: org,
            name: d.org.name.clone(),
        },
        crumbs: d
            .crumbs
            .into_iter()
            .map(|(id, name)| DashOrg {
                org_id: id.get(),
                name,
            })
            .collect(),
        today: date_str(today),
        from: from.map(date_str),
        to: to.map(date_str),
        rect: DashRect {
            stats: stats_dto(&d.totals),
            links: DashLinks {
                ledger: ledger(org, ""),
                completed: ledger(org, "&state=CLOSED"),
                overdue: ledger(org, "&warning=red"),
                long_term: ledger(org, "&state=LONG_TERM"),
            },
        },
        coverage: d.coverage.map(|c| DashCoverage {
            term_id: c.term_id,
            term_name: c.term_name,
            covered: c.covered,
            total: c.total,
            rate: rate(c.covered, c.total),
            link: "/coverage".into(),
        }),
        children: d.children.iter().map(child_row).collect(),
        categories: d.categories.iter().map(|c| category_row(org, c)).collect(),
        outcomes: d
            .outcomes
            .into_iter()
            .map(|(kind, records, count, amount_fen)| OutcomeTotal {
                kind_name: OutcomeKind::from_code(&kind)
                    .map_or_else(|| kind.clone(), |k| k.label().to_string()),
                kind,
                records,
                count,
                amount_fen,
            })
            .collect(),
        clues,
        fieldwork: d.fieldwork.map(|rows| {
            rows.into_iter()
                .map(|m| DashMethod {
                    method: m.method,
                    method_name: m.method_name,
                    entries: m.entries,
                    persons: m.persons,
                    count: m.count,
                })
                .collect()
        }),
        peers,
    }))
}

//! Rectification routes: statistics.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct Ageing {
    pub d0_30: i64,
    pub d31_90: i64,
    pub d91_180: i64,
    pub d180_plus: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectStatsDto {
    pub total: i64,
    pub completed: i64,
    /// 整改完成率, percent with two decimals.
    pub completion_rate: f64,
    pub due: i64,
    pub completed_on_time: i64,
    /// 按期整改率.
    pub on_time_rate: f64,
    pub open: i64,
    pub overdue: i64,
    pub overdue_rate: f64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub ageing: Ageing,
}

pub(crate) fn stats_dto(c: &store::StatCounts) -> RectStatsDto {
    let s: RectStats = dom::stats_from_counts(
        c.total,
        c.completed,
        c.due,
        c.completed_on_time,
        c.overdue,
        c.long_term,
        c.extended,
        c.extensions,
    );
    RectStatsDto {
        total: s.total,
        completed: s.completed,
        completion_rate: s.completion_rate,
        due: s.due,
        completed_on_time: s.completed_on_time,
        on_time_rate: s.on_time_rate,
        open: s.open,
        overdue: s.overdue,
        overdue_rate: s.overdue_rate,
        long_term: s.long_term,
        extended: s.extended,
        extensions: s.extensions,
        ageing: Ageing {
            d0_30: c.age_30,
            d31_90: c.age_90,
            d91_180: c.age_180,
            d180_plus: c.age_more,
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatRow {
    pub key: String,
    pub label: String,
    pub stats: RectStatsDto,
    /// The organisation of a group by unit or by 下级单位.
    pub org_id: Option<i64>,
    /// A group by 下级单位 that is a whole subtree: asking again with `org_id` set to it shows its
    /// own items and its children (the drill-down). False for a group of an organisation's own
    /// items (本级) and for the other groupings.
    pub drill: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeTotal {
    /// rule | money_returned | loss_recovered | accountability
    #[schema(value_type = crate::codes::OutcomeKind)]
    pub kind: String,
    pub kind_name: String,
    /// Records entered.
    pub records: i64,
    /// Σ count (rules made, people held accountable).
    pub count: i64,
    /// Σ amount in integer fen.
    pub amount_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectStatsResponse {
    pub totals: RectStatsDto,
    /// The groups, largest first: all of them, or the page asked for.
    pub rows: Vec<StatRow>,
    /// How many groups there are (every page's `rows` together).
    pub row_total: i64,
    /// 成果 rolled up over the same items.
    pub outcomes: Vec<OutcomeTotal>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// child (下级单位: the organisation's own items and each child's subtree) | unit | level |
    /// round | category
    #[param(value_type = Option<crate::codes::StatsGroup>)]
    pub group: Option<String>,
    pub round_id: Option<i64>,
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    /// With `page_size`: one page of the groups (the totals stay those of every group).
    pub page: Option<i64>,
    /// Groups per page (1–200); without it every group is returned.
    pub page_size: Option<i64>,
}

/// 整改完成率, 按期整改率, overdue and ageing, long-term and extensions (domain.md §10), by
/// unit, level, round or category, within the caller's scope.
#[utoipa::path(get, operation_id = "rect_stats", path = "/api/v1/rect/stats", tag = "rect", params(StatsQuery),
    responses((status = 200, body = RectStatsResponse)))]
pub(super) async fn stats(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<axum::Json<RectStatsResponse>> {
    let group = match q.group.as_deref().unwrap_or("unit") {
        // 下级单位 has its own reading (`stats_by_child`).
        "child" => None,
        "unit" => Some(StatGroup::Unit),
        "level" => Some(StatGroup::Level),
        "round" => Some(StatGroup::Round),
        "category" => Some(StatGroup::Category),
        v => {
            return Err(ApiError::field(
                "group",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.group")
                    .arg("value", v)
                    .arg("allowed", "child, unit, level, round, category"),
            ));
        }
    };
    let today = st.db.today();
    // (counts, organisation, drillable) per group.
    let groups: Vec<(store::StatCounts, Option<i64>, bool)> = if let Some(group) = group {
        store::stats(&st.db, &auth.scope, group, q.round_id, q.org_id, today)
            .await
            .map_err(not_found())?
            .into_iter()
            .map(|c| {
                let org = (group == StatGroup::Unit)
                    .then(|| c.key.parse().ok())
                    .flatten();
                (c, org, false)
            })
            .collect()
    } else {
        store::stats_by_child(&st.db, &auth.scope, q.round_id, q.org_id, today)
            .await
            .map_err(not_found())?
            .into_iter()
            .map(|g| (g.counts, Some(g.org_id.get()), g.subtree))
            .collect()
    };
    // Every grouping partitions the items: the totals are the groups' sum.
    let totals = store::StatCounts::sum(groups.iter().map(|g| &g.0));
    let row_total = i64::try_from(groups.len()).unwrap_or(i64::MAX);
    let shown: Vec<_> = match q.page_size {
        Some(_) => {
            let page = xuncha_store::PageReq::new(q.page, q.page_size);
            let skip = usize::try_from(page.offset()).unwrap_or(usize::MAX);
            let take = usize::try_from(page.page_size).unwrap_or(usize::MAX);
            groups.into_iter().skip(skip).take(take).collect()
        }
        None => groups,
    };
    let level = |code: &str| {
        xuncha_domain::org::OrgKind::from_code(code)
            .map_or_else(|| code.to_string(), |k| k.label().to_string())
    };
    let outcomes = store::outcome_totals(&st.db, &auth.scope, None, q.round_id, q.org_id)
        .await
        .map_err(not_found())?
        .into_iter()
        .map(|(kind, records, count, amount_fen)| OutcomeTotal {
            kind_name: label(&kind, OutcomeKind::from_code, OutcomeKind::label),
            kind,
            records,
            count,
            amount_fen,
        })
        .collect();
    Ok(axum::Json(RectStatsResponse {
        outcomes,
        totals: stats_dto(&totals),
        row_total,
        rows: shown
            .iter()
            .map(|(c, org_id, drill)| StatRow {
                key: c.key.clone(),
                label: if group == Some(StatGroup::Level) {
                    level(&c.label)
                } else {
                    c.label.clone()
                },
                stats: stats_dto(c),
                org_id: *org_id,
                drill: *drill,
            })
            .collect(),
    }))
}

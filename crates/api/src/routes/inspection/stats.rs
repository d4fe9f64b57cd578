//! Inspection statistics: fieldwork by method, findings, clues and 立行立改.

use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodTotal {
    pub method: String,
    pub method_name: String,
    pub entries: i64,
    pub persons: i64,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LabelCount {
    pub label: String,
    pub code: Option<String>,
    pub count: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClueFigures {
    pub received: i64,
    pub transferred: i64,
    pub with_result: i64,
    pub overdue: i64,
    /// 办结率: clues with a result ÷ clues transferred, percent.
    pub settled_rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImmediateFigures {
    pub issued: i64,
    pub done: i64,
    pub rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InspectionStats {
    pub fieldwork: Vec<MethodTotal>,
    pub findings_by_category: Vec<LabelCount>,
    pub findings_by_state: Vec<LabelCount>,
    pub findings_by_round: Vec<LabelCount>,
    /// Null when the caller does not hold the clue compartment: clue counts are compartmented
    /// like the clues themselves, so the figures are "not visible", never 0.
    pub clues: Option<ClueFigures>,
    /// Whether the caller may see clue figures (holds the clue compartment).
    pub clues_visible: bool,
    /// The figures cover only the clues of the caller's own teams (no `clue:lead`).
    pub clues_team_only: bool,
    pub immediate: ImmediateFigures,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// Only findings about this organisation's subtree.
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub round_id: Option<i64>,
}

/// Fieldwork, finding, clue and 立行立改 figures (domain.md §10) over the caller's scope.
#[utoipa::path(get, operation_id = "stats_inspection", path = "/api/v1/stats/inspection", tag = "inspection", params(StatsQuery), responses((status = 200, body = InspectionStats)))]
pub(super) async fn stats(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<axum::Json<InspectionStats>> {
    use xuncha_store::fieldwork;
    let fieldwork = fieldwork::fieldwork_totals(&st.db, &auth.scope, None, q.round_id)
        .await?
        .into_iter()
        .map(
            |(method, method_name, entries, persons, count)| MethodTotal {
                method,
                method_name,
                entries,
                persons,
                count,
            },
        )
        .collect();
    let lc = |v: Vec<(String, i64)>| {
        v.into_iter()
            .map(|(label, count)| LabelCount {
                label,
                code: None,
                count,
            })
            .collect::<Vec<_>>()
    };
    let by_state = fieldwork::finding_counts(&st.db, &auth.scope, "state", q.org_id, q.round_id)
        .await
        .map_err(ApiError::not_found_as("org.not_found"))?
        .into_iter()
        .map(|(code, count)| LabelCount {
            label: FindingState::from_code(&code).map_or(code.clone(), |s| s.label().to_string()),
            code: Some(code),
            count,
        })
        .collect();
    let access = crate::routes::clues::clue_access(&auth);
    let (received, transferred, with_result, rows) =
        xuncha_store::clues::clue_counts(&st.db, &access, q.round_id).await?;
    let today = st.db.today();
    // Each clue takes the time limit of the office that runs its round.
    let offices: Vec<OrgId> = rows.iter().map(|(_, _, o)| *o).collect();
    let months = crate::routes::clues::result_months(&st, &offices).await?;
    let overdue = i64::try_from(
        rows.iter()
            .filter(|(t, r, o)| dom::clue_overdue(*t, *r, today, months.of(*o)))
            .count(),
    )
    .unwrap_or(0);
    let (issued, done) = fieldwork::immediate_counts(&st.db, &auth.scope, q.round_id).await?;
    Ok(axum::Json(InspectionStats {
        fieldwork,
        findings_by_category: lc(fieldwork::finding_counts(
            &st.db,
            &auth.scope,
            "category",
            q.org_id,
            q.round_id,
        )
        .await?),
        findings_by_state: by_state,
        findings_by_round: lc(fieldwork::finding_counts(
            &st.db,
            &auth.scope,
            "round",
            q.org_id,
            q.round_id,
        )
        .await?),
        clues: access.compartment.then(|| ClueFigures {
            received,
            transferred,
            with_result,
            overdue,
            settled_rate: dom::rate(with_result, transferred),
        }),
        clues_visible: access.compartment,
        clues_team_only: access.compartment && !access.lead,
        immediate: ImmediateFigures {
            issued,
            done,
            rate: dom::rate(done, issued),
        },
    }))
}

//! 全覆盖: coverage of the organisations in a term, by group, with target suggestions.

use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageGroupDto {
    /// unit, township or village
    pub group: String,
    pub name: String,
    pub total: i64,
    pub inspected: i64,
    pub rate: f64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgBrief {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub path: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionDto {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub score: f64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CoverageDto {
    pub term_id: i64,
    pub total: i64,
    pub inspected: i64,
    /// Percent with two decimals.
    pub rate: f64,
    pub groups: Vec<CoverageGroupDto>,
    /// The same split by kind of organisation (sector): 机关部门, 国有企业, 学校, 市, 县 …
    pub sectors: Vec<CoverageGroupDto>,
    pub rounds_done: i64,
    pub units_per_round: f64,
    pub remaining: i64,
    /// Rounds still needed at the pace so far; null before the first round.
    pub rounds_needed: Option<i64>,
    pub not_inspected: Vec<OrgBrief>,
    pub suggestions: Vec<SuggestionDto>,
}

/// Full coverage (全覆盖) of a term: what has been inspected, what remains, and ranked targets
/// for the next round with their reasons.
#[utoipa::path(get, operation_id = "terms_coverage", path = "/api/v1/terms/{id}/coverage", tag = "inspection", params(("id" = i64, Path)),
    responses((status = 200, body = CoverageDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn coverage(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<CoverageDto>> {
    let term = inspection::get_term(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.term_not_found"))?;
    let orgs = inspection::coverage_orgs(&st.db, &term).await?;
    let rounds_done = inspection::rounds_done(&st.db, term.id).await?;
    let sector = inspection::sector_findings(&st.db, &term.owner_path).await?;
    let count = |v: &[&inspection::CoverageOrg]| i64::try_from(v.len()).unwrap_or(0);
    let all: Vec<&inspection::CoverageOrg> = orgs.iter().collect();
    let done: Vec<&inspection::CoverageOrg> = orgs.iter().filter(|o| o.inspected).collect();
    let total = count(&all);
    let inspected = count(&done);
    let groups = [
        CoverageGroup::Unit,
        CoverageGroup::Township,
        CoverageGroup::Village,
    ]
    .into_iter()
    .map(|g| {
        let in_group = |o: &inspection::CoverageOrg| {
            OrgKind::from_code(&o.kind).map(CoverageGroup::of) == Some(g)
        };
        let t = i64::try_from(all.iter().filter(|o| in_group(o)).count()).unwrap_or(0);
        let i = i64::try_from(done.iter().filter(|o| in_group(o)).count()).unwrap_or(0);
        CoverageGroupDto {
            group: g.code().into(),
            name: g.label().into(),
            total: t,
            inspected: i,
            rate: dom::rate(i, t),
        }
    })
    .filter(|g| g.total > 0)
    .collect();
    let sectors = OrgKind::ALL
        .iter()
        .map(|k| {
            let t = i64::try_from(all.iter().filter(|o| o.kind == k.code()).count()).unwrap_or(0);
            let i = i64::try_from(done.iter().filter(|o| o.kind == k.code()).count()).unwrap_or(0);
            CoverageGroupDto {
                group: k.code().into(),
                name: k.label().into(),
                total: t,
                inspected: i,
                rate: dom::rate(i, t),
            }
        })
        .filter(|g| g.total > 0)
        .collect();
    let remaining = total - inspected;
    let today = st.db.today();
    let candidates: Vec<Candidate> = orgs
        .iter()
        .filter(|o| !o.inspected)
        .map(|o| {
            let sector_avg =
                sector
                    .iter()
                    .find(|(k, _, _)| *k == o.kind)
                    .map_or(0.0, |(_, f, n)| {
                        #[allow(clippy::cast_precision_loss)]
                        let avg = *f as f64 / (*n).max(1) as f64;
                        avg
                    });
            Candidate {
                org_id: o.id,
                org_name: o.name.clone(),
                last_inspected: o.last_stationed,
                earlier_findings: o.earlier_findings,
                petitions: o.petitions,
                sector_findings_per_org: sector_avg,
                audit_findings: 0,
                weak_rating: None,
            }
        })
        .collect();
    let suggestions = dom::suggest_targets(&candidates, today, 20)
        .into_iter()
        .map(|s| SuggestionDto {
            org_id: s.org_id,
            org_name: s.org_name,
            score: s.score,
            reasons: s.reasons,
        })
        .collect();
    #[allow(clippy::cast_precision_loss)]
    let units_per_round = if rounds_done > 0 {
        ((inspected as f64 / rounds_done as f64) * 10.0).round() / 10.0
    } else {
        0.0
    };
    Ok(axum::Json(CoverageDto {
        term_id: term.id,
        total,
        inspected,
        rate: dom::rate(inspected, total),
        groups,
        sectors,
        rounds_done,
        units_per_round,
        remaining,
        rounds_needed: dom::rounds_needed(remaining, inspected, rounds_done),
        not_inspected: orgs
            .iter()
            .filter(|o| !o.inspected)
            .take(200)
            .map(|o| OrgBrief {
                id: o.id.get(),
                name: o.name.clone(),
                kind: o.kind.clone(),
                path: o.path.clone(),
            })
            .collect(),
        suggestions,
    }))
}

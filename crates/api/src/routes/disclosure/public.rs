//! Disclosure routes without login: the approved public releases.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosureSummary {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub published_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosurePage {
    pub items: Vec<PublicDisclosureSummary>,
    pub total: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicItem {
    pub title: String,
    pub category_name: String,
    pub state_name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicDisclosureDto {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub published_at: Option<String>,
    pub text: String,
    pub counts: CountsDto,
    pub items: Vec<PublicItem>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicPageQuery {
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Approved public releases, newest first (no login).
#[utoipa::path(get, operation_id = "public_disclosures", path = "/api/v1/public/disclosures", tag = "public", params(PublicPageQuery),
    responses((status = 200, body = PublicDisclosurePage)))]
pub(super) async fn public_disclosures(
    State(st): State<AppState>,
    ApiQuery(q): ApiQuery<PublicPageQuery>,
) -> ApiResult<axum::Json<PublicDisclosurePage>> {
    let page = PageReq::new(q.page, q.page_size.map(|s| s.min(50)));
    let r = store::public_disclosures(&st.db, page).await?;
    Ok(axum::Json(PublicDisclosurePage {
        items: r
            .items
            .into_iter()
            .map(|d| PublicDisclosureSummary {
                id: d.id,
                title: d.title,
                org_name: d.org_name,
                round_name: d.round_name,
                published_at: d.decided_at.map(rfc3339),
            })
            .collect(),
        total: r.total,
    }))
}

/// One approved public release: the approved text, the public figures and the non-exempted items (no login).
#[utoipa::path(get, operation_id = "public_disclosure", path = "/api/v1/public/disclosures/{id}", tag = "public", params(("id" = i64, Path)),
    responses((status = 200, body = PublicDisclosureDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn public_disclosure(
    State(st): State<AppState>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PublicDisclosureDto>> {
    let d = store::public_disclosure(&st.db, id)
        .await
        .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    let counts = match &d.public_counts {
        Some(t) => store::parse_counts(t)?,
        None => DisclosureCounts::default(),
    };
    let items = match &d.public_items {
        Some(t) => store::parse_items(t)?,
        None => Vec::new(),
    };
    Ok(axum::Json(PublicDisclosureDto {
        id: d.id,
        title: d.title,
        org_name: d.org_name,
        round_name: d.round_name,
        published_at: d.decided_at.map(rfc3339),
        text: d.public_text,
        counts: counts_dto(&counts),
        items: items
            .into_iter()
            .map(|(title, category_name, state_name)| PublicItem {
                title,
                category_name,
                state_name,
            })
            .collect(),
    }))
}

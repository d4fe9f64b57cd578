//! Search across the chain (issue 13, docs/search.md): one box, hits grouped by kind, each
//! only where the caller's data scope and permissions allow.

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_domain::perm::{INSPECTION_READ, ORG_READ, PROBLEM_READ, RECT_READ};
use xuncha_search::{Hit, Kind, SearchReq, Viewer};
use xuncha_store::PageReq;

use super::ApiQuery;
use crate::auth::Auth;
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

/// The longest query accepted, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// How long a search waits for a catch-up in progress before answering from the index as is.
const REFRESH_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search))
}

/// The kinds of records searched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SearchKind {
    /// 问题 (findings, with their facts, basis and opinion).
    Finding,
    /// 整改措施.
    Measure,
    /// 组织.
    Org,
}

impl From<Kind> for SearchKind {
    fn from(k: Kind) -> Self {
        match k {
            Kind::Finding => SearchKind::Finding,
            Kind::Measure => SearchKind::Measure,
            Kind::Org => SearchKind::Org,
        }
    }
}

impl From<SearchKind> for Kind {
    fn from(k: SearchKind) -> Self {
        match k {
            SearchKind::Finding => Kind::Finding,
            SearchKind::Measure => Kind::Measure,
            SearchKind::Org => Kind::Org,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Words (all must match), "exact phrases" and prefixes ending in `*`; traditional
    /// characters, full-width forms and scraped pinyin like 推進(jìn) are folded.
    pub q: Option<String>,
    /// Only this kind (the counts still cover every kind).
    #[param(value_type = Option<String>)]
    pub kind: Option<String>,
    #[param(value_type = Option<i64>)]
    pub round_id: Option<i64>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// A piece of a snippet; `hit` pieces matched the query (show them highlighted).
#[derive(Debug, Serialize, ToSchema)]
pub struct SnippetPart {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHit {
    pub kind: SearchKind,
    pub id: i64,
    /// The record's title (a finding's or, for a measure, its finding's; an organisation's name).
    pub title: String,
    /// Where the query matched, in folded (simplified) text.
    pub snippet: Vec<SnippetPart>,
    pub unit_id: i64,
    pub unit_name: String,
    pub round_id: Option<i64>,
    /// The state code of the record (a finding's or a measure's state; `active` / `inactive`).
    pub state: String,
    /// A finding's recording day, a measure's deadline (YYYY-MM-DD).
    pub date: Option<String>,
    /// The web screen showing the record.
    pub link: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchCount {
    pub kind: SearchKind,
    pub count: u64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub items: Vec<SearchHit>,
    /// Hits of the requested kind (every kind when none), within the caller's scope.
    pub total: u64,
    /// Hits per kind, within the caller's scope.
    pub counts: Vec<SearchCount>,
    pub page: i64,
    pub page_size: i64,
}

fn link(hit: &Hit, viewer: &Viewer) -> String {
    match hit.kind {
        Kind::Org => "/orgs".to_string(),
        Kind::Measure => format!("/rect/items/{}", hit.finding_id.unwrap_or_default()),
        Kind::Finding => {
            let in_ledger =
                xuncha_store::rectification::LEDGER_STATES.contains(&format!("'{}'", hit.state));
            match hit.round_unit_id {
                Some(ru) if viewer.rounds && !(in_ledger && viewer.ledger) => {
                    format!("/inspection/units/{ru}")
                }
                _ => format!("/rect/items/{}", hit.id),
            }
        }
    }
}

/// Searches organisations, findings and rectification measures. A hit is returned, and
/// counted, only where the caller may see the record: organisations in the data scope
/// (org:read), findings through the office running the round (inspection:read, a team member
/// only its team's) or, once fed back, through the inspected organisation (rect:read or
/// problem:read), measures through their finding's ledger item.
#[utoipa::path(get, operation_id = "search", path = "/api/v1/search", tag = "search",
    params(SearchQuery),
    responses((status = 200, body = SearchPage), (status = 400, body = crate::error::Problem)))]
async fn search(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<axum::Json<SearchPage>> {
    let kind = match q.kind.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(k) => Some(Kind::parse(k).ok_or_else(|| {
            ApiError::bad_param(
                "kind",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.search_kind")
                    .arg("value", k)
                    .arg("allowed", "finding, measure, org"),
            )
        })?),
    };
    let text = q.q.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_param(
            "q",
            &Msg::new("validation.too_long")
                .arg("field", "field.q")
                .arg("max", MAX_QUERY_CHARS),
        ));
    }
    let page = PageReq::new(q.page, q.page_size);
    let teams = if auth.scope.team_user.is_some() {
        xuncha_store::search::user_teams(&st.db, auth.user.id).await?
    } else {
        Vec::new()
    };
    let viewer = Viewer {
        scope: auth.scope.clone(),
        orgs: auth.access.has(ORG_READ),
        rounds: auth.access.has(INSPECTION_READ),
        ledger: auth.access.has(RECT_READ) || auth.access.has(PROBLEM_READ),
        teams,
    };
    let unavailable = |e: xuncha_search::SearchError| {
        tracing::error!(error = %e, "search");
        ApiError::key(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "search.unavailable",
        )
    };
    st.search
        .refresh(&st.db, REFRESH_WAIT)
        .await
        .map_err(unavailable)?;
    let req = SearchReq {
        q: text,
        kind,
        round_id: q.round_id,
        unit_id: None,
        offset: usize::try_from(page.offset()).unwrap_or(usize::MAX),
        limit: usize::try_from(page.page_size).unwrap_or(20),
    };
    let r = st.search.search(&viewer, &req).await.map_err(unavailable)?;
    let items = r
        .items
        .iter()
        .map(|h| SearchHit {
            kind: h.kind.into(),
            id: h.id,
            title: h.title.clone(),
            snippet: h
                .snippet
                .iter()
                .map(|s| SnippetPart {
                    text: s.text.clone(),
                    hit: s.hit,
                })
                .collect(),
            unit_id: h.unit_id,
            unit_name: h.unit_name.clone(),
            round_id: h.round_id,
            state: h.state.clone(),
            date: h.date.clone(),
            link: link(h, &viewer),
        })
        .collect();
    Ok(axum::Json(SearchPage {
        items,
        total: r.total,
        counts: r
            .counts
            .into_iter()
            .map(|(k, count)| SearchCount {
                kind: k.into(),
                count,
            })
            .collect(),
        page: page.page,
        page_size: page.page_size,
    }))
}

//! Disclosure (整改公开): the Party-internal circular (党内通报) and the public release
//! (社会公开) of a round unit's rectification, with exemptions and a second approver.
//! The contract is `docs/design/assessment-api.md`.
//!
//! The `public/*` routes take no [`Auth`]: only approved disclosures are served.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::FieldError;
use xuncha_domain::assessment::MAX_REASON_CHARS;
use xuncha_domain::disclosure::{
    self as rules, DisclosureCounts, DisclosureState, ExemptionReason, show_yuan,
};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::{FindingId, RoundUnitId};
use xuncha_domain::inspection::FindingState;
use xuncha_store::PageReq;
use xuncha_store::disclosure::{self as store, DisclosureDraft, DisclosureRow};

use super::assessment::{AssessManage, AssessRead, PUBLIC_BODY_BYTES};
use super::common::{Named, named};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

mod documents;
mod public;

pub use self::documents::*;
pub use self::public::*;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_disclosures, create_disclosure))
        .routes(routes!(get_disclosure, update_disclosure))
        .routes(routes!(submit_disclosure))
        .routes(routes!(decide_disclosure))
        .routes(routes!(disclosure_docx))
        .merge(public_router())
}

/// The routes without login, with the small body limit of the public routes.
fn public_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(public_disclosures))
        .routes(routes!(public_disclosure))
        .layer(axum::extract::DefaultBodyLimit::max(PUBLIC_BODY_BYTES))
}

const DISCLOSURE_NOT_FOUND: &str = "disclosure.not_found";

#[derive(Debug, Serialize, ToSchema)]
pub struct TreatmentCount {
    pub treatment: String,
    pub people: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CountsDto {
    pub total: i64,
    pub completed: i64,
    pub in_progress: i64,
    pub long_term: i64,
    /// 整改完成率, e.g. `"76.00%"`.
    pub completion_rate: String,
    pub accountability_people: i64,
    pub by_treatment: Vec<TreatmentCount>,
    pub rules: i64,
    pub money_returned_fen: i64,
    pub money_returned_yuan: String,
    pub loss_recovered_fen: i64,
    pub loss_recovered_yuan: String,
}

fn counts_dto(c: &DisclosureCounts) -> CountsDto {
    CountsDto {
        total: c.total,
        completed: c.completed,
        in_progress: c.in_progress,
        long_term: c.long_term,
        completion_rate: c.completion_rate(),
        accountability_people: c.accountability_people,
        by_treatment: c
            .by_treatment
            .iter()
            .map(|(t, n)| TreatmentCount {
                treatment: t.clone(),
                people: *n,
            })
            .collect(),
        rules: c.rules,
        money_returned_fen: c.money_returned_fen,
        money_returned_yuan: show_yuan(c.money_returned_fen),
        loss_recovered_fen: c.loss_recovered_fen,
        loss_recovered_yuan: show_yuan(c.loss_recovered_fen),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureItemDto {
    pub finding_id: i64,
    pub title: String,
    pub category_name: Option<String>,
    pub state: String,
    pub state_name: String,
    /// The exemption reason code, null when the item is public.
    pub exemption: Option<String>,
    pub exemption_name: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    /// Texts generated from the current records (to start over from).
    pub suggested_internal_text: String,
    pub suggested_public_text: String,
    /// All fed-back items (frozen at submission).
    pub counts: CountsDto,
    /// Without exempted items and their outcomes (frozen at submission).
    pub public_counts: CountsDto,
    pub items: Vec<DisclosureItemDto>,
    pub exemption_reasons: Vec<Named>,
    pub drafted_by_name: String,
    pub submitted_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub opinion: Option<String>,
    pub can_edit: bool,
    pub can_approve: bool,
    pub version: i64,
}

async fn disclosure_dto(st: &AppState, auth: &Auth, d: DisclosureRow) -> ApiResult<DisclosureDto> {
    let state = d.state()?;
    // Figures are live while the drafter edits, and frozen from submission on.
    let (all, public) = match (&d.counts, &d.public_counts) {
        (Some(a), Some(p)) if !state.editable() => {
            (store::parse_counts(a)?, store::parse_counts(p)?)
        }
        _ => (
            store::disclosure_counts(&st.db, d.round_unit_id, None).await?,
            store::disclosure_counts(&st.db, d.round_unit_id, Some(d.id)).await?,
        ),
    };
    let items = store::disclosure_items(&st.db, d.round_unit_id, Some(d.id)).await?;
    let manage = auth.access.has(xuncha_domain::perm::RECT_SUPERVISE);
    Ok(DisclosureDto {
        suggested_internal_text: rules::internal_text(&d.org_name, &d.round_name, &all),
        suggested_public_text: rules::public_text(&d.org_name, &d.round_name, &public),
        counts: counts_dto(&all),
        public_counts: counts_dto(&public),
        items: items
            .into_iter()
            .map(|x| {
                let ex = x.exemption.as_deref().and_then(ExemptionReason::from_code);
                DisclosureItemDto {
                    finding_id: x.finding_id.get(),
                    title: x.title,
                    category_name: x.category_name,
                    state_name: FindingState::from_code(&x.state)
                        .map_or(x.state.clone(), |s| s.label().to_string()),
                    state: x.state,
                    exemption: ex.map(|r| r.code().to_string()),
                    exemption_name: ex.map(|r| r.label().to_string()),
                    note: x.note,
                }
            })
            .collect(),
        exemption_reasons: named(
            ExemptionReason::ALL,
            ExemptionReason::code,
            ExemptionReason::label,
        ),
        can_edit: manage && state.editable(),
        can_approve: manage
            && state == DisclosureState::Submitted
            && d.drafted_by != Some(auth.user.id)
            && store::round_office_in_scope(&st.db, &auth.scope, d.round_unit_id).await?,
        id: d.id,
        round_unit_id: d.round_unit_id.get(),
        round_name: d.round_name,
        org_id: d.org_id,
        org_name: d.org_name,
        state_name: state.label().to_string(),
        state: d.state,
        title: d.title,
        internal_text: d.internal_text,
        public_text: d.public_text,
        drafted_by_name: d.drafted_by_name,
        submitted_at: d.submitted_at.map(rfc3339),
        decided_by_name: d.decided_by_name,
        decided_at: d.decided_at.map(rfc3339),
        opinion: d.opinion,
        version: d.version,
    })
}

async fn load_disclosure(st: &AppState, auth: &Auth, id: i64) -> ApiResult<DisclosureRow> {
    store::get_disclosure(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosureSummary {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_name: String,
    pub state: String,
    pub state_name: String,
    pub title: String,
    pub drafted_by_name: String,
    pub decided_at: Option<String>,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DisclosurePage {
    pub items: Vec<DisclosureSummary>,
    pub total: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DisclosureQuery {
    /// `DRAFT`, `SUBMITTED`, `RETURNED` or `APPROVED`.
    pub state: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Disclosures of units in scope.
#[utoipa::path(get, operation_id = "disclosures_list", path = "/api/v1/disclosures", tag = "assessment", params(DisclosureQuery),
    responses((status = 200, body = DisclosurePage)))]
async fn list_disclosures(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiQuery(q): ApiQuery<DisclosureQuery>,
) -> ApiResult<axum::Json<DisclosurePage>> {
    let r = store::list_disclosures(
        &st.db,
        &auth.scope,
        q.state.as_deref(),
        PageReq::new(q.page, q.page_size),
    )
    .await?;
    Ok(axum::Json(DisclosurePage {
        items: r
            .items
            .into_iter()
            .map(|d| DisclosureSummary {
                id: d.id,
                round_unit_id: d.round_unit_id.get(),
                round_name: d.round_name,
                org_name: d.org_name,
                state_name: DisclosureState::from_code(&d.state)
                    .map_or(d.state.clone(), |s| s.label().to_string()),
                state: d.state,
                title: d.title,
                drafted_by_name: d.drafted_by_name,
                decided_at: d.decided_at.map(rfc3339),
                version: d.version,
            })
            .collect(),
        total: r.total,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureCreate {
    #[schema(value_type = i64)]
    pub round_unit_id: RoundUnitId,
}

/// Drafts the disclosure of a fed-back round unit, with the figures and texts generated from the records.
#[utoipa::path(post, operation_id = "disclosures_create", path = "/api/v1/disclosures", tag = "assessment", request_body = DisclosureCreate,
    responses((status = 201, body = DisclosureDto), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem)))]
async fn create_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiJson(b): ApiJson<DisclosureCreate>,
) -> ApiResult<(StatusCode, axum::Json<DisclosureDto>)> {
    let d = store::create_disclosure(&st.db, &auth.actor, &auth.scope, b.round_unit_id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(disclosure_dto(&st, &auth, d).await?),
    ))
}

/// One disclosure with its figures (all and public), items and exemptions.
#[utoipa::path(get, operation_id = "disclosures_get", path = "/api/v1/disclosures/{id}", tag = "assessment", params(("id" = i64, Path)),
    responses((status = 200, body = DisclosureDto), (status = 404, body = crate::error::Problem)))]
async fn get_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let d = load_disclosure(&st, &auth, id).await?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExemptionInput {
    #[schema(value_type = i64)]
    pub finding_id: FindingId,
    /// `secret`, `unpublished_case`, `negative_hype`, `mass_petition` or `other`.
    pub reason: String,
    #[serde(default)]
    pub note: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureSave {
    pub title: String,
    pub internal_text: String,
    /// The public text; empty regenerates it from the records. A change of the exemptions
    /// always regenerates it, and a submission whose figures no longer match the text it was
    /// generated from is refused (`disclosure.stale_text`).
    pub public_text: String,
    #[serde(default)]
    pub exemptions: Vec<ExemptionInput>,
    pub version: i64,
}

/// Edits the texts and the exemptions of a draft (or returned) disclosure.
#[utoipa::path(put, operation_id = "disclosures_update", path = "/api/v1/disclosures/{id}", tag = "assessment", params(("id" = i64, Path)),
    request_body = DisclosureSave,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn update_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DisclosureSave>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, 100)
        .map_err(|x| e.push(x))
        .unwrap_or_default();
    let mut text = |name: &str, v: &str| {
        let t = v.trim();
        if t.is_empty() {
            e.push(FieldError::required(name));
        } else if t.chars().count() > rules::MAX_TEXT_CHARS {
            e.push(FieldError::new(
                name,
                Msg::new("validation.too_long")
                    .arg("field", format!("field.{name}"))
                    .arg("max", rules::MAX_TEXT_CHARS),
            ));
        }
        t.to_string()
    };
    let internal_text = text("internal_text", &b.internal_text);
    // An empty public text asks for it to be regenerated from the records.
    let public_text = if b.public_text.trim().is_empty() {
        String::new()
    } else {
        text("public_text", &b.public_text)
    };
    let mut exemptions = Vec::new();
    for (i, x) in b.exemptions.iter().enumerate() {
        let reason = ExemptionReason::parse_field(&format!("exemptions[{i}].reason"), &x.reason)
            .map_err(|f| e.push(f))
            .ok();
        let note = x.note.trim().to_string();
        if note.chars().count() > MAX_REASON_CHARS {
            e.push(FieldError::new(
                &format!("exemptions[{i}].note"),
                Msg::new("validation.too_long")
                    .arg("field", "field.note")
                    .arg("max", MAX_REASON_CHARS),
            ));
        }
        if reason == Some(ExemptionReason::Other) && note.is_empty() {
            e.push(FieldError::new(
                &format!("exemptions[{i}].note"),
                Msg::new("validation.required").arg("field", "field.note"),
            ));
        }
        if b.exemptions[..i]
            .iter()
            .any(|y| y.finding_id == x.finding_id)
        {
            e.push(FieldError::new(
                &format!("exemptions[{i}].finding_id"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.finding_id")
                    .arg("value", x.finding_id),
            ));
        }
        if let Some(r) = reason {
            exemptions.push((x.finding_id, r, note));
        }
    }
    e.into_result()?;
    let d = store::update_disclosure(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &DisclosureDraft {
            title,
            internal_text,
            public_text,
            exemptions,
        },
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

/// Submits the disclosure for approval; the figures and the public items are frozen.
#[utoipa::path(post, operation_id = "disclosures_submit", path = "/api/v1/disclosures/{id}/submit", tag = "assessment", params(("id" = i64, Path)),
    request_body = super::VersionBody,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem)))]
async fn submit_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let d = store::transition_disclosure(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        DisclosureState::Submitted,
        "",
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DisclosureDecision {
    pub approve: bool,
    #[serde(default)]
    pub opinion: String,
    pub version: i64,
}

/// Approves (publishes) or returns a submitted disclosure; approval by someone other than the drafter.
#[utoipa::path(post, operation_id = "disclosures_decide", path = "/api/v1/disclosures/{id}/decide", tag = "assessment", params(("id" = i64, Path)),
    request_body = DisclosureDecision,
    responses((status = 200, body = DisclosureDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn decide_disclosure(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DisclosureDecision>,
) -> ApiResult<axum::Json<DisclosureDto>> {
    let opinion = b.opinion.trim();
    if !b.approve && opinion.is_empty() {
        return Err(ApiError::field(
            "opinion",
            &Msg::new("disclosure.return_reason"),
        ));
    }
    if opinion.chars().count() > MAX_REASON_CHARS {
        return Err(ApiError::field(
            "opinion",
            &Msg::new("validation.too_long")
                .arg("field", "field.opinion")
                .arg("max", MAX_REASON_CHARS),
        ));
    }
    let to = if b.approve {
        DisclosureState::Approved
    } else {
        DisclosureState::Returned
    };
    let d =
        store::transition_disclosure(&st.db, &auth.actor, &auth.scope, id, to, opinion, b.version)
            .await
            .map_err(ApiError::not_found_as(DISCLOSURE_NOT_FOUND))?;
    Ok(axum::Json(disclosure_dto(&st, &auth, d).await?))
}

//! Terms, rounds, round units (with their lifecycle), coverage, reference data and statistics.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::{
    self as dom, Actor as TransitionActor, Candidate, ClueState, CoverageGroup, FindingState,
    InspectionKind, RoundUnitState, VillageMode,
};
use xuncha_domain::org::OrgKind;
use xuncha_domain::perm::{FIELDWORK_WRITE, INSPECTION_PLAN};
use xuncha_store::inspection::{self, Round, RoundDraft, RoundUnit, Term};

use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, InspectionPlan, InspectionRead, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(kinds))
        .routes(routes!(village_modes))
        .routes(routes!(states))
        .routes(routes!(list_terms, create_term))
        .routes(routes!(coverage))
        .routes(routes!(list_rounds, create_round))
        .routes(routes!(get_round, update_round))
        .routes(routes!(add_unit))
        .routes(routes!(list_units))
        .routes(routes!(get_unit))
        .routes(routes!(transition_unit))
        .routes(routes!(stats))
        .routes(routes!(get_settings, put_settings, inherit_settings))
}

/// A code with its Chinese name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Named {
    pub code: String,
    pub name: String,
}

pub fn named<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    label: impl Fn(T) -> &'static str,
) -> Vec<Named> {
    all.iter()
        .map(|v| Named {
            code: code(*v).to_string(),
            name: label(*v).to_string(),
        })
        .collect()
}

/// Inspection kinds (a round carries a set).
#[utoipa::path(get, operation_id = "inspection_kinds", path = "/api/v1/inspection/kinds", tag = "inspection", responses((status = 200, body = Vec<Named>)))]
async fn kinds(Need(_auth, _): Need<InspectionRead>) -> axum::Json<Vec<Named>> {
    axum::Json(named(
        InspectionKind::ALL,
        InspectionKind::code,
        InspectionKind::label,
    ))
}

/// Ways of inspecting villages.
#[utoipa::path(get, operation_id = "inspection_village_modes", path = "/api/v1/inspection/village-modes", tag = "inspection", responses((status = 200, body = Vec<Named>)))]
async fn village_modes(Need(_auth, _): Need<InspectionRead>) -> axum::Json<Vec<Named>> {
    axum::Json(named(
        VillageMode::ALL,
        VillageMode::code,
        VillageMode::label,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StateCatalogue {
    pub round_unit: Vec<Named>,
    pub finding: Vec<Named>,
    pub clue: Vec<Named>,
}

/// The state names of round units, findings and clues.
#[utoipa::path(get, operation_id = "inspection_states", path = "/api/v1/inspection/states", tag = "inspection", responses((status = 200, body = StateCatalogue)))]
async fn states(Need(_auth, _): Need<InspectionRead>) -> axum::Json<StateCatalogue> {
    axum::Json(StateCatalogue {
        round_unit: named(
            RoundUnitState::ALL,
            RoundUnitState::code,
            RoundUnitState::label,
        ),
        finding: named(FindingState::ALL, FindingState::code, FindingState::label),
        clue: named(ClueState::ALL, ClueState::code, ClueState::label),
    })
}

pub fn date_str(d: Date) -> String {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    d.format(&fmt).unwrap_or_default()
}

/// Parses a `YYYY-MM-DD` field.
pub fn parse_date(field: &str, s: &str) -> Result<Date, xuncha_domain::FieldError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    Date::parse(s.trim(), &fmt)
        .ok()
        .filter(|d| xuncha_domain::limits::year_ok(d.year()))
        .ok_or_else(|| {
            xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.unknown_value")
                    .arg("field", format!("field.{field}"))
                    .arg("value", s.chars().take(30).collect::<String>())
                    .arg("allowed", "YYYY-MM-DD"),
            )
        })
}

// ---------------------------------------------------------------------------------------------
// Terms

#[derive(Debug, Serialize, ToSchema)]
pub struct TermDto {
    pub id: i64,
    pub owner_org_id: i64,
    pub owner_org_name: String,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    pub coverage_depth: i32,
    pub version: i64,
}

impl From<Term> for TermDto {
    fn from(t: Term) -> Self {
        TermDto {
            id: t.id,
            owner_org_id: t.owner_org_id,
            owner_org_name: t.owner_org_name,
            name: t.name,
            start_date: date_str(t.start_date),
            end_date: date_str(t.end_date),
            coverage_depth: t.coverage_depth,
            version: t.version,
        }
    }
}

/// Terms (届) of the offices in the caller's scope.
#[utoipa::path(get, operation_id = "terms_list", path = "/api/v1/terms", tag = "inspection", responses((status = 200, body = Vec<TermDto>)))]
async fn list_terms(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<Vec<TermDto>>> {
    Ok(axum::Json(
        inspection::list_terms(&st.db, &auth.scope)
            .await?
            .into_iter()
            .map(TermDto::from)
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TermCreate {
    /// The organisation whose inspection office runs the term (e.g. the province).
    pub owner_org_id: i64,
    pub name: String,
    pub start_date: String,
    pub end_date: String,
    /// Levels below the owner that full coverage counts (default 1).
    #[serde(default)]
    pub coverage_depth: Option<i32>,
}

/// Creates a term.
#[utoipa::path(post, operation_id = "terms_create", path = "/api/v1/terms", tag = "inspection", request_body = TermCreate,
    responses((status = 201, body = TermDto), (status = 422, body = crate::error::Problem)))]
async fn create_term(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<TermCreate>,
) -> ApiResult<(StatusCode, axum::Json<TermDto>)> {
    let mut e = Errors::default();
    let name = required_text("name", &b.name, 50)
        .map_err(|x| e.push(x))
        .ok();
    let start = parse_date("start_date", &b.start_date)
        .map_err(|x| e.push(x))
        .ok();
    let end = parse_date("end_date", &b.end_date)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(name), Some(start), Some(end)) = (name, start, end) else {
        return Err(ApiError::forbidden());
    };
    let t = inspection::create_term(
        &st.db,
        &auth.actor,
        &auth.scope,
        b.owner_org_id,
        &name,
        start,
        end,
        b.coverage_depth.unwrap_or(1),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(t.into())))
}

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
    pub org_id: i64,
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
async fn coverage(
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
                id: o.id,
                name: o.name.clone(),
                kind: o.kind.clone(),
                path: o.path.clone(),
            })
            .collect(),
        suggestions,
    }))
}

// ---------------------------------------------------------------------------------------------
// Rounds

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDto {
    pub id: i64,
    pub term_id: i64,
    pub term_name: String,
    pub name: String,
    pub kinds: Vec<String>,
    pub village_mode: Option<String>,
    pub start_date: String,
    pub end_date: String,
    pub focus: String,
    pub work_plan: String,
    pub unit_count: i64,
    pub version: i64,
}

impl TryFrom<Round> for RoundDto {
    type Error = ApiError;
    fn try_from(r: Round) -> Result<Self, ApiError> {
        Ok(RoundDto {
            kinds: r.kind_list()?,
            id: r.id,
            term_id: r.term_id,
            term_name: r.term_name,
            name: r.name,
            village_mode: r.village_mode,
            start_date: date_str(r.start_date),
            end_date: date_str(r.end_date),
            focus: r.focus,
            work_plan: r.work_plan,
            unit_count: r.unit_count,
            version: r.version,
        })
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RoundQuery {
    pub term_id: Option<i64>,
}

/// Rounds (轮) visible to the caller, optionally of one term.
#[utoipa::path(get, operation_id = "rounds_list", path = "/api/v1/rounds", tag = "inspection", params(RoundQuery), responses((status = 200, body = Vec<RoundDto>)))]
async fn list_rounds(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<RoundQuery>,
) -> ApiResult<axum::Json<Vec<RoundDto>>> {
    let v = inspection::list_rounds(&st.db, &auth.scope, q.term_id).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(RoundDto::try_from)
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RoundSave {
    /// Required when creating.
    #[serde(default)]
    pub term_id: Option<i64>,
    pub name: String,
    pub kinds: Vec<String>,
    #[serde(default)]
    pub village_mode: Option<String>,
    pub start_date: String,
    pub end_date: String,
    #[serde(default)]
    pub focus: String,
    #[serde(default)]
    pub work_plan: String,
    /// Required when updating.
    #[serde(default)]
    pub version: Option<i64>,
}

fn round_draft(b: &RoundSave) -> Result<RoundDraft, ApiError> {
    let mut e = Errors::default();
    let name = required_text("name", &b.name, 100)
        .map_err(|x| e.push(x))
        .ok();
    let kinds = dom::parse_kinds("kinds", &b.kinds)
        .map_err(|x| e.push(x))
        .ok();
    let village_mode = match b
        .village_mode
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some(m) => VillageMode::parse_field("village_mode", m)
            .map(Some)
            .map_err(|x| e.push(x))
            .ok(),
    };
    let start = parse_date("start_date", &b.start_date)
        .map_err(|x| e.push(x))
        .ok();
    let end = parse_date("end_date", &b.end_date)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    match (name, kinds, village_mode, start, end) {
        (Some(name), Some(kinds), Some(village_mode), Some(start_date), Some(end_date)) => {
            Ok(RoundDraft {
                name,
                kinds,
                village_mode,
                start_date,
                end_date,
                focus: b.focus.trim().to_string(),
                work_plan: b.work_plan.trim().to_string(),
            })
        }
        _ => Err(ApiError::forbidden()),
    }
}

/// Creates a round in a term.
#[utoipa::path(post, operation_id = "rounds_create", path = "/api/v1/rounds", tag = "inspection", request_body = RoundSave,
    responses((status = 201, body = RoundDto), (status = 422, body = crate::error::Problem)))]
async fn create_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<RoundSave>,
) -> ApiResult<(StatusCode, axum::Json<RoundDto>)> {
    super::max_lengths(&[
        ("focus", &b.focus, xuncha_domain::limits::TEXT_CHARS),
        ("work_plan", &b.work_plan, xuncha_domain::limits::TEXT_CHARS),
    ])?;
    let d = round_draft(&b)?;
    let term_id = b.term_id.ok_or_else(|| {
        ApiError::field(
            "term_id",
            &Msg::new("validation.required").arg("field", "届次"),
        )
    })?;
    let r = inspection::create_round(&st.db, &auth.actor, &auth.scope, term_id, &d).await?;
    Ok((StatusCode::CREATED, axum::Json(r.try_into()?)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundDetail {
    #[serde(flatten)]
    pub round: RoundDto,
    pub units: Vec<RoundUnitDto>,
    pub teams: Vec<super::teams::TeamDto>,
}

/// A round with its units and teams.
#[utoipa::path(get, operation_id = "rounds_get", path = "/api/v1/rounds/{id}", tag = "inspection", params(("id" = i64, Path)),
    responses((status = 200, body = RoundDetail), (status = 404, body = crate::error::Problem)))]
async fn get_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<RoundDetail>> {
    let r = inspection::get_round(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    let units = inspection::list_units(&st.db, &auth.scope, Some(id), None)
        .await?
        .into_iter()
        .map(|u| unit_dto(u, &auth))
        .collect();
    let teams = xuncha_store::teams::round_teams(&st.db, &auth.scope, id)
        .await?
        .into_iter()
        .map(super::teams::TeamDto::from)
        .collect();
    Ok(axum::Json(RoundDetail {
        round: r.try_into()?,
        units,
        teams,
    }))
}

/// Edits a round.
#[utoipa::path(put, operation_id = "rounds_update", path = "/api/v1/rounds/{id}", tag = "inspection", params(("id" = i64, Path)), request_body = RoundSave,
    responses((status = 200, body = RoundDto), (status = 409, body = crate::error::Problem)))]
async fn update_round(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoundSave>,
) -> ApiResult<axum::Json<RoundDto>> {
    super::max_lengths(&[
        ("focus", &b.focus, xuncha_domain::limits::TEXT_CHARS),
        ("work_plan", &b.work_plan, xuncha_domain::limits::TEXT_CHARS),
    ])?;
    let d = round_draft(&b)?;
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let r = inspection::update_round(&st.db, &auth.actor, &auth.scope, id, &d, version)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok(axum::Json(r.try_into()?))
}

// ---------------------------------------------------------------------------------------------
// Round units

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub state: String,
    pub state_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub finding_count: i64,
    /// Null for a caller without the clue compartment (the count itself is compartmented).
    pub clue_count: Option<i64>,
    pub version: i64,
}

/// A round unit as `auth` may see it.
pub fn unit_dto(u: RoundUnit, auth: &Auth) -> RoundUnitDto {
    let clue_count = auth
        .access
        .has_compartment(xuncha_domain::perm::Compartment::Clue)
        .then_some(u.clue_count);
    let state_name =
        RoundUnitState::from_code(&u.state).map_or(u.state.clone(), |s| s.label().to_string());
    RoundUnitDto {
        id: u.id,
        round_id: u.round_id,
        round_name: u.round_name,
        org_id: u.org_id,
        org_name: u.org_name,
        team_id: u.team_id,
        team_name: u.team_name,
        state: u.state,
        state_name,
        feedback_date: u.feedback_date.map(date_str),
        rectification_due: u.rectification_due.map(date_str),
        finding_count: u.finding_count,
        clue_count,
        version: u.version,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitAdd {
    pub org_id: i64,
}

/// Adds an organisation to a round as an inspected unit.
#[utoipa::path(post, operation_id = "rounds_add_unit", path = "/api/v1/rounds/{id}/units", tag = "inspection", params(("id" = i64, Path)), request_body = UnitAdd,
    responses((status = 201, body = RoundUnitDto), (status = 422, body = crate::error::Problem)))]
async fn add_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UnitAdd>,
) -> ApiResult<(StatusCode, axum::Json<RoundUnitDto>)> {
    let u = inspection::add_unit(&st.db, &auth.actor, &auth.scope, id, b.org_id)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok((StatusCode::CREATED, axum::Json(unit_dto(u, &auth))))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    pub round_id: Option<i64>,
    pub state: Option<String>,
}

/// Round units visible to the caller.
#[utoipa::path(get, operation_id = "round_units_list", path = "/api/v1/round-units", tag = "inspection", params(UnitQuery), responses((status = 200, body = Vec<RoundUnitDto>)))]
async fn list_units(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<UnitQuery>,
) -> ApiResult<axum::Json<Vec<RoundUnitDto>>> {
    let v = inspection::list_units(&st.db, &auth.scope, q.round_id, q.state.as_deref()).await?;
    Ok(axum::Json(
        v.into_iter().map(|u| unit_dto(u, &auth)).collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventDto {
    pub at: String,
    pub actor_name: String,
    pub from: Option<String>,
    pub to: String,
    pub from_name: Option<String>,
    pub to_name: String,
    pub comment: String,
}

/// Converts timeline rows, naming states with `label`.
pub fn event_dtos(
    rows: Vec<inspection::EventRow>,
    label: impl Fn(&str) -> String,
) -> Vec<EventDto> {
    rows.into_iter()
        .map(|e| EventDto {
            at: rfc3339(e.at),
            actor_name: e.actor_name,
            from_name: e.from_state.as_deref().map(&label),
            to_name: label(&e.to_state),
            from: e.from_state,
            to: e.to_state,
            comment: e.comment,
        })
        .collect()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TransitionOption {
    pub to: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RoundUnitDetail {
    #[serde(flatten)]
    pub unit: RoundUnitDto,
    /// The transitions the caller may make now.
    pub transitions: Vec<TransitionOption>,
    pub events: Vec<EventDto>,
}

fn may(auth: &Auth, actor: TransitionActor) -> bool {
    match actor {
        TransitionActor::Office => auth.access.has(INSPECTION_PLAN),
        TransitionActor::TeamOrOffice => {
            auth.access.has(INSPECTION_PLAN) || auth.access.has(FIELDWORK_WRITE)
        }
    }
}

async fn unit_detail(st: &AppState, auth: &Auth, u: RoundUnit) -> ApiResult<RoundUnitDetail> {
    let state = u.state()?;
    let transitions = state
        .next_states()
        .into_iter()
        .filter(|to| may(auth, state.required_actor(*to)))
        .map(|to| TransitionOption {
            to: to.code().into(),
            name: to.label().into(),
        })
        .collect();
    let events = event_dtos(inspection::events(&st.db, "round_unit", u.id).await?, |s| {
        RoundUnitState::from_code(s).map_or(s.to_string(), |x| x.label().to_string())
    });
    Ok(RoundUnitDetail {
        unit: unit_dto(u, auth),
        transitions,
        events,
    })
}

/// A round unit with its allowed transitions and timeline.
#[utoipa::path(get, operation_id = "round_units_get", path = "/api/v1/round-units/{id}", tag = "inspection", params(("id" = i64, Path)),
    responses((status = 200, body = RoundUnitDetail), (status = 404, body = crate::error::Problem)))]
async fn get_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<RoundUnitDetail>> {
    let u = inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok(axum::Json(unit_detail(&st, &auth, u).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionBody {
    pub to: String,
    #[serde(default)]
    pub comment: String,
    pub version: i64,
}

/// Moves a round unit along its lifecycle. FEEDBACK_DONE hands the problem list to the unit and
/// starts the rectification clock.
#[utoipa::path(post, operation_id = "round_units_transition", path = "/api/v1/round-units/{id}/transition", tag = "inspection", params(("id" = i64, Path)),
    request_body = TransitionBody, responses((status = 200, body = RoundUnitDetail), (status = 409, body = crate::error::Problem)))]
async fn transition_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TransitionBody>,
) -> ApiResult<axum::Json<RoundUnitDetail>> {
    super::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
    let to = RoundUnitState::parse_field("to", &b.to)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let u = inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    if !may(&auth, u.state()?.required_actor(to)) {
        return Err(ApiError::forbidden());
    }
    let comment = b.comment.trim();
    let u = inspection::transition_unit(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        to,
        comment,
        b.version,
        st.db.today(),
    )
    .await?;
    Ok(axum::Json(unit_detail(&st, &auth, u).await?))
}

// ---------------------------------------------------------------------------------------------
// Statistics

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
    pub org_id: Option<i64>,
    pub round_id: Option<i64>,
}

/// Fieldwork, finding, clue and 立行立改 figures (domain.md §10) over the caller's scope.
#[utoipa::path(get, operation_id = "stats_inspection", path = "/api/v1/stats/inspection", tag = "inspection", params(StatsQuery), responses((status = 200, body = InspectionStats)))]
async fn stats(
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
    let access = super::clues::clue_access(&auth);
    let (received, transferred, with_result, rows) =
        xuncha_store::clues::clue_counts(&st.db, &access, q.round_id).await?;
    let today = st.db.today();
    // Each clue takes the time limit of the office that runs its round.
    let offices: Vec<i64> = rows.iter().map(|(_, _, o)| *o).collect();
    let months = super::clues::result_months(&st, &offices).await?;
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

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InspectionSettings {
    /// Months a receiving body has to report a transferred clue's result (default 3).
    pub clue_result_months: i64,
    /// Months after feedback within which the rectification report is due (default 2).
    pub rectification_report_months: i64,
    /// Where the values come from (read only; ignored in a save, which always writes the
    /// caller's own office's settings).
    #[serde(default)]
    pub source: Option<super::office_settings::SettingsSource>,
}

const INSPECTION_KEYS: [&str; 2] = [
    xuncha_store::settings::CLUE_RESULT_MONTHS,
    xuncha_store::settings::RECTIFICATION_REPORT_MONTHS,
];

async fn settings_of(st: &AppState, office: i64) -> ApiResult<axum::Json<InspectionSettings>> {
    use xuncha_store::settings;
    let g = settings::group(&st.db, office, &INSPECTION_KEYS).await?;
    Ok(axum::Json(InspectionSettings {
        clue_result_months: g.int(
            settings::CLUE_RESULT_MONTHS,
            i64::from(dom::CLUE_RESULT_MONTHS),
        ),
        rectification_report_months: g.int(
            settings::RECTIFICATION_REPORT_MONTHS,
            i64::from(dom::RECTIFICATION_REPORT_MONTHS),
        ),
        source: Some(super::office_settings::source_dto(&g)),
    }))
}

/// The configurable time limits of inspection work for the caller's office: its own, else
/// inherited from the nearest office above, else the defaults.
#[utoipa::path(get, operation_id = "settings_inspection_get", path = "/api/v1/settings/inspection", tag = "inspection", responses((status = 200, body = InspectionSettings)))]
async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    settings_of(&st, super::office_settings::office(&auth)).await
}

/// Changes the caller's own office's time limits (1 to 24 months each); a parent's or another
/// office's are never changed.
#[utoipa::path(put, operation_id = "settings_inspection_put", path = "/api/v1/settings/inspection", tag = "inspection", request_body = InspectionSettings,
    responses((status = 200, body = InspectionSettings), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<InspectionSettings>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    use xuncha_store::settings;
    let mut e = Errors::default();
    for (field, v) in [
        ("clue_result_months", b.clue_result_months),
        ("rectification_report_months", b.rectification_report_months),
    ] {
        if !(1..=24).contains(&v) {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.out_of_range")
                    .arg("field", field)
                    .arg("min", 1)
                    .arg("max", 24),
            ));
        }
    }
    e.into_result()?;
    let office = super::office_settings::office(&auth);
    settings::save_group(
        &st.db,
        &auth.actor,
        office,
        &[
            (
                settings::CLUE_RESULT_MONTHS,
                b.clue_result_months.to_string(),
            ),
            (
                settings::RECTIFICATION_REPORT_MONTHS,
                b.rectification_report_months.to_string(),
            ),
        ],
        None,
        "settings.update",
        &format!(
            "巡察时限设置：线索办理结果{}个月，整改报告{}个月",
            b.clue_result_months, b.rectification_report_months
        ),
    )
    .await?;
    settings_of(&st, office).await
}

/// Drops the caller's office's own time limits (恢复继承): it inherits again.
#[utoipa::path(delete, operation_id = "settings_inspection_inherit", path = "/api/v1/settings/inspection", tag = "inspection",
    responses((status = 200, body = InspectionSettings)))]
async fn inherit_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
) -> ApiResult<axum::Json<InspectionSettings>> {
    let office = super::office_settings::office(&auth);
    xuncha_store::settings::drop_group(
        &st.db,
        &auth.actor,
        office,
        &INSPECTION_KEYS,
        "settings.update",
        "删除本级巡察时限设置，恢复继承上级设置",
    )
    .await?;
    settings_of(&st, office).await
}

//! People (talent pools), teams and recusal.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::perm::{RECUSAL_APPROVE, TEAM_MANAGE};
use xuncha_domain::recusal::{RelationKind, RequestState, TeamRole};
use xuncha_store::inspection::AssignOutcome;
use xuncha_store::people::{self, MemberOutcome, Person, PersonDraft, PersonFilter, Team};
use xuncha_store::recusal;
use xuncha_store::scope::Scope;

use super::inspection::{date_str, parse_date};
use super::{ApiJson, ApiPath, ApiQuery};
use crate::auth::{Auth, InspectionRead, Need, RecusalApprove, TeamManage};
use crate::error::{ApiError, ApiResult, RowProblem};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_people, create_person))
        .routes(routes!(update_person))
        .routes(routes!(add_post))
        .routes(routes!(add_relation))
        .routes(routes!(add_training))
        .routes(routes!(create_team))
        .routes(routes!(assign_unit))
        .routes(routes!(add_member))
        .routes(routes!(remove_member))
        .routes(routes!(suggestions))
        .routes(routes!(list_recusal_requests))
        .routes(routes!(approve_recusal_request))
        .routes(routes!(reject_recusal_request))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PostDto {
    pub id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub title: String,
    pub start_date: String,
    pub end_date: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RelationDto {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub related_name: String,
    pub related_org_id: Option<i64>,
    pub related_org_name: Option<String>,
    pub note: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrainingDto {
    pub id: i64,
    pub name: String,
    pub date: String,
    pub hours: i32,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonDto {
    pub id: i64,
    pub name: String,
    pub org_id: i64,
    pub org_name: String,
    pub user_id: Option<i64>,
    pub specialties: Vec<String>,
    /// leader (组长库) and/or specialist (专业人才库)
    pub pools: Vec<String>,
    pub seconded: bool,
    pub posts: Vec<PostDto>,
    pub relations: Vec<RelationDto>,
    pub trainings: Vec<TrainingDto>,
    /// Teams of ongoing rounds the person serves on.
    pub workload: i64,
    pub version: i64,
}

impl From<Person> for PersonDto {
    fn from(p: Person) -> Self {
        PersonDto {
            id: p.row.id,
            name: p.row.name,
            org_id: p.row.org_id,
            org_name: p.row.org_name,
            user_id: p.row.user_id,
            specialties: p.specialties,
            pools: p.pools,
            seconded: p.row.seconded,
            posts: p
                .posts
                .into_iter()
                .map(|x| PostDto {
                    id: x.id,
                    org_id: x.org_id,
                    org_name: x.org_name,
                    title: x.title,
                    start_date: date_str(x.start_date),
                    end_date: x.end_date.map(date_str),
                })
                .collect(),
            relations: p
                .relations
                .into_iter()
                .map(|r| RelationDto {
                    id: r.id,
                    kind_name: RelationKind::from_code(&r.kind)
                        .map_or(r.kind.clone(), |k| k.label().to_string()),
                    kind: r.kind,
                    related_name: r.related_name,
                    related_org_id: r.related_org_id,
                    related_org_name: r.related_org_name,
                    note: r.note,
                })
                .collect(),
            trainings: p
                .trainings
                .into_iter()
                .map(|t| TrainingDto {
                    id: t.id,
                    name: t.name,
                    date: date_str(t.held_on),
                    hours: t.hours,
                })
                .collect(),
            workload: p.row.workload,
            version: p.row.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeopleQuery {
    pub q: Option<String>,
    pub pool: Option<String>,
    pub specialty: Option<String>,
}

/// People in the talent pools within the caller's scope.
#[utoipa::path(get, operation_id = "people_list", path = "/api/v1/people", tag = "teams", params(PeopleQuery), responses((status = 200, body = Vec<PersonDto>)))]
async fn list_people(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> ApiResult<axum::Json<Vec<PersonDto>>> {
    let f = PersonFilter {
        q: q.q,
        pool: q.pool,
        specialty: q.specialty,
    };
    Ok(axum::Json(
        people::list_people(&st.db, &auth.scope, &f)
            .await?
            .into_iter()
            .map(PersonDto::from)
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonSave {
    pub name: String,
    pub org_id: i64,
    #[serde(default)]
    pub user_id: Option<i64>,
    #[serde(default)]
    pub specialties: Vec<String>,
    #[serde(default)]
    pub pools: Vec<String>,
    #[serde(default)]
    pub seconded: bool,
    #[serde(default)]
    pub version: Option<i64>,
}

fn person_draft(b: &PersonSave) -> Result<PersonDraft, ApiError> {
    let name = required_text("name", &b.name, 30)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let clean = |v: &[String]| -> Vec<String> {
        let mut out: Vec<String> = v
            .iter()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty() && s.chars().count() <= 20)
            .collect();
        out.dedup();
        out
    };
    let pools = clean(&b.pools);
    if let Some(bad) = pools
        .iter()
        .find(|p| !matches!(p.as_str(), "leader" | "specialist"))
    {
        return Err(ApiError::field(
            "pools",
            &Msg::new("validation.unknown_value")
                .arg("field", "field.pools")
                .arg("value", bad)
                .arg("allowed", "leader、specialist"),
        ));
    }
    Ok(PersonDraft {
        name,
        org_id: b.org_id,
        user_id: b.user_id,
        specialties: clean(&b.specialties),
        pools,
        seconded: b.seconded,
    })
}

/// Adds a person to the talent pools.
#[utoipa::path(post, operation_id = "people_create", path = "/api/v1/people", tag = "teams", request_body = PersonSave,
    responses((status = 201, body = PersonDto), (status = 422, body = crate::error::Problem)))]
async fn create_person(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiJson(b): ApiJson<PersonSave>,
) -> ApiResult<(StatusCode, axum::Json<PersonDto>)> {
    let d = person_draft(&b)?;
    let p = people::save_person(&st.db, &auth.actor, &auth.scope, None, &d).await?;
    Ok((StatusCode::CREATED, axum::Json(p.into())))
}

/// Edits a person.
#[utoipa::path(put, operation_id = "people_update", path = "/api/v1/people/{id}", tag = "teams", params(("id" = i64, Path)), request_body = PersonSave,
    responses((status = 200, body = PersonDto), (status = 409, body = crate::error::Problem)))]
async fn update_person(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PersonSave>,
) -> ApiResult<axum::Json<PersonDto>> {
    let d = person_draft(&b)?;
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let p = people::save_person(&st.db, &auth.actor, &auth.scope, Some((id, version)), &d)
        .await
        .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostCreate {
    pub org_id: i64,
    pub title: String,
    pub start_date: String,
    #[serde(default)]
    pub end_date: Option<String>,
}

/// Records a post (任职经历) of a person; recusal checks use the post history.
#[utoipa::path(post, operation_id = "people_add_post", path = "/api/v1/people/{id}/posts", tag = "teams", params(("id" = i64, Path)), request_body = PostCreate,
    responses((status = 200, body = PersonDto), (status = 422, body = crate::error::Problem)))]
async fn add_post(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PostCreate>,
) -> ApiResult<axum::Json<PersonDto>> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, 50)
        .map_err(|x| e.push(x))
        .ok();
    let start = parse_date("start_date", &b.start_date)
        .map_err(|x| e.push(x))
        .ok();
    let end = match b
        .end_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(None),
        Some(s) => parse_date("end_date", s)
            .map(Some)
            .map_err(|x| e.push(x))
            .ok(),
    };
    e.into_result()?;
    let (Some(title), Some(start), Some(end)) = (title, start, end) else {
        return Err(ApiError::forbidden());
    };
    let p = people::add_post(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.org_id,
        &title,
        start,
        end,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RelationCreate {
    /// spouse, blood, collateral, in_law, superior, colleague, academic, official
    pub kind: String,
    pub related_name: String,
    #[serde(default)]
    pub related_org_id: Option<i64>,
    #[serde(default)]
    pub note: String,
}

/// Declares a relation (回避申报).
#[utoipa::path(post, operation_id = "people_add_relation", path = "/api/v1/people/{id}/relations", tag = "teams", params(("id" = i64, Path)), request_body = RelationCreate,
    responses((status = 200, body = PersonDto), (status = 422, body = crate::error::Problem)))]
async fn add_relation(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RelationCreate>,
) -> ApiResult<axum::Json<PersonDto>> {
    super::max_lengths(&[("note", &b.note, xuncha_domain::limits::NOTE_CHARS)])?;
    let mut e = Errors::default();
    let kind = RelationKind::parse_field("kind", &b.kind)
        .map_err(|x| e.push(x))
        .ok();
    let name = required_text("related_name", &b.related_name, 30)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(kind), Some(name)) = (kind, name) else {
        return Err(ApiError::forbidden());
    };
    let p = people::add_relation(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        kind,
        &name,
        b.related_org_id,
        b.note.trim(),
    )
    .await
    .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TrainingCreate {
    pub name: String,
    pub date: String,
    pub hours: i32,
}

/// Records a training.
#[utoipa::path(post, operation_id = "people_add_training", path = "/api/v1/people/{id}/trainings", tag = "teams", params(("id" = i64, Path)), request_body = TrainingCreate,
    responses((status = 200, body = PersonDto), (status = 422, body = crate::error::Problem)))]
async fn add_training(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TrainingCreate>,
) -> ApiResult<axum::Json<PersonDto>> {
    let mut e = Errors::default();
    let name = required_text("name", &b.name, 100)
        .map_err(|x| e.push(x))
        .ok();
    let date = parse_date("date", &b.date).map_err(|x| e.push(x)).ok();
    if !(0..=1000).contains(&b.hours) {
        e.push(xuncha_domain::FieldError::new(
            "hours",
            Msg::new("validation.out_of_range")
                .arg("field", "field.hours")
                .arg("min", 0)
                .arg("max", 1000),
        ));
    }
    e.into_result()?;
    let (Some(name), Some(date)) = (name, date) else {
        return Err(ApiError::forbidden());
    };
    let p = people::add_training(&st.db, &auth.actor, &auth.scope, id, &name, date, b.hours)
        .await
        .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberDto {
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub role_name: String,
    /// Set when the member joined through an approved recusal exception.
    pub override_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TeamDto {
    pub id: i64,
    pub round_id: i64,
    pub name: String,
    pub members: Vec<MemberDto>,
    pub unit_ids: Vec<i64>,
    pub version: i64,
}

impl From<Team> for TeamDto {
    fn from(t: Team) -> Self {
        TeamDto {
            id: t.id,
            round_id: t.round_id,
            name: t.name,
            members: t
                .members
                .into_iter()
                .map(|m| MemberDto {
                    role_name: TeamRole::from_code(&m.role)
                        .map_or(m.role.clone(), |r| r.label().to_string()),
                    person_id: m.person_id,
                    name: m.name,
                    role: m.role,
                    override_reason: m.override_reason,
                })
                .collect(),
            unit_ids: t.unit_ids,
            version: t.version,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamCreate {
    pub name: String,
}

/// Forms a team for a round (一次一授权: the mandate is this round only).
#[utoipa::path(post, operation_id = "teams_create", path = "/api/v1/rounds/{id}/teams", tag = "teams", params(("id" = i64, Path)), request_body = TeamCreate,
    responses((status = 201, body = TeamDto), (status = 422, body = crate::error::Problem)))]
async fn create_team(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TeamCreate>,
) -> ApiResult<(StatusCode, axum::Json<TeamDto>)> {
    let name = required_text("name", &b.name, 30)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let t = people::create_team(&st.db, &auth.actor, &auth.scope, id, &name)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok((StatusCode::CREATED, axum::Json(t.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamUnit {
    pub round_unit_id: i64,
    /// When members conflict with the unit: file recusal exception requests with this reason
    /// (answered 202 with the requests); assign again once they are approved.
    #[serde(default)]
    pub override_reason: Option<String>,
}

fn override_reason(r: &Option<String>) -> ApiResult<Option<String>> {
    match r {
        None => Ok(None),
        Some(r) => Ok(Some(
            required_text("override_reason", r, 500)
                .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?,
        )),
    }
}

/// Assigns the team to a round unit (一托N: a team may cover several units). Every member of the
/// team is re-checked against the unit: a recusal conflict answers 422 `recusal.unit_conflict`
/// naming the members and rules, unless an approved exception covers that member and unit. With
/// `override_reason`, exception requests are filed instead (202, the requests; nothing assigned).
#[utoipa::path(post, operation_id = "teams_assign_unit", path = "/api/v1/teams/{id}/units", tag = "teams", params(("id" = i64, Path)), request_body = TeamUnit,
    responses((status = 200, body = TeamDto), (status = 202, body = Vec<RecusalRequestDto>), (status = 422, body = crate::error::Problem)))]
async fn assign_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TeamUnit>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let reason = override_reason(&b.override_reason)?;
    people::get_team(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.team_not_found"))?;
    let outcome = xuncha_store::inspection::assign_team(
        &st.db,
        &auth.actor,
        &auth.scope,
        b.round_unit_id,
        id,
        reason.as_deref(),
    )
    .await
    .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    match outcome {
        AssignOutcome::Assigned(_) => {
            let t: TeamDto = people::get_team(&st.db, &auth.scope, id).await?.into();
            Ok(axum::Json(t).into_response())
        }
        AssignOutcome::Requested(reqs) => {
            let dtos: Vec<RecusalRequestDto> = reqs.into_iter().map(Into::into).collect();
            Ok((StatusCode::ACCEPTED, axum::Json(dtos)).into_response())
        }
        AssignOutcome::Refused(members) => {
            let reasons: Vec<String> = members
                .iter()
                .flat_map(|m| {
                    m.conflicts
                        .iter()
                        .map(move |c| format!("{}：{}（{}）", m.name, c.rule, c.reason))
                })
                .collect();
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                &Msg::new("recusal.unit_conflict").arg("reasons", reasons.join("；")),
            );
            e.fields = vec![crate::error::FieldProblem {
                field: "round_unit_id".into(),
                message: e.detail.clone(),
            }];
            e.errors = members
                .iter()
                .flat_map(|m| {
                    m.conflicts.iter().map(move |c| RowProblem {
                        row: 0,
                        column: c.rule.clone(),
                        message: format!("{}：{}", m.name, c.reason),
                    })
                })
                .collect();
            Err(e)
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberAdd {
    pub person_id: i64,
    /// leader, deputy, member, liaison
    pub role: String,
    /// When the person conflicts: file a recusal exception request with this reason (answered
    /// 202 with the request). A user holding `recusal:approve`, other than the requester, approves
    /// it in their own session, which adds the member.
    #[serde(default)]
    pub override_reason: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UnitConflictDto {
    pub unit_id: i64,
    pub unit_name: String,
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecusalRequestDto {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub round_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub role: String,
    pub role_name: String,
    /// Approval adds the member; otherwise it waives an existing member's conflicts with `unit_ids`.
    pub join_team: bool,
    pub unit_ids: Vec<i64>,
    pub conflicts: Vec<UnitConflictDto>,
    pub reason: String,
    /// pending, approved, rejected
    pub state: String,
    pub state_name: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub decision_comment: Option<String>,
    pub version: i64,
}

impl From<recusal::Request> for RecusalRequestDto {
    fn from(r: recusal::Request) -> Self {
        RecusalRequestDto {
            role_name: TeamRole::from_code(&r.role)
                .map_or(r.role.clone(), |x| x.label().to_string()),
            state_name: RequestState::from_code(&r.state)
                .map_or(r.state.clone(), |x| x.label().to_string()),
            id: r.id,
            team_id: r.team_id,
            team_name: r.team_name,
            round_id: r.round_id,
            person_id: r.person_id,
            person_name: r.person_name,
            role: r.role,
            join_team: r.join_team,
            unit_ids: r.unit_ids,
            conflicts: r
                .conflicts
                .into_iter()
                .map(|c| UnitConflictDto {
                    unit_id: c.unit_id,
                    unit_name: c.unit_name,
                    rule: c.rule,
                    reason: c.reason,
                })
                .collect(),
            reason: r.reason,
            state: r.state,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            requested_at: super::rfc3339(r.requested_at),
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at.map(super::rfc3339),
            decision_comment: r.decision_comment,
            version: r.version,
        }
    }
}

/// Adds a member. A recusal conflict answers 422 `recusal.conflict` listing every rule broken; with
/// `override_reason` it files a recusal exception request instead (202), which an approver other
/// than the requester decides; approval adds the member with the waiver recorded and audited.
#[utoipa::path(post, operation_id = "teams_add_member", path = "/api/v1/teams/{id}/members", tag = "teams", params(("id" = i64, Path)), request_body = MemberAdd,
    responses((status = 200, body = TeamDto), (status = 202, body = RecusalRequestDto), (status = 422, body = crate::error::Problem)))]
async fn add_member(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MemberAdd>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let role = TeamRole::parse_field("role", &b.role)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let reason = override_reason(&b.override_reason)?;
    match people::add_member(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.person_id,
        role,
        reason.as_deref(),
    )
    .await
    .map_err(ApiError::not_found_as("inspection.team_not_found"))?
    {
        MemberOutcome::Added(t) => Ok(axum::Json(TeamDto::from(t)).into_response()),
        MemberOutcome::Requested(r) => Ok((
            StatusCode::ACCEPTED,
            axum::Json(RecusalRequestDto::from(*r)),
        )
            .into_response()),
        MemberOutcome::Refused(conflicts) => {
            let reasons: Vec<String> = conflicts
                .iter()
                .map(|c| format!("{}：{}", c.rule, c.reason))
                .collect();
            let mut e = ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                &Msg::new("recusal.conflict").arg("reasons", reasons.join("；")),
            );
            e.fields = vec![crate::error::FieldProblem {
                field: "person_id".into(),
                message: e.detail.clone(),
            }];
            e.errors = conflicts
                .iter()
                .map(|c| RowProblem {
                    row: 0,
                    column: c.rule.to_string(),
                    message: c.reason.clone(),
                })
                .collect();
            Err(e)
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RecusalQuery {
    pub team_id: Option<i64>,
    /// pending, approved, rejected
    pub state: Option<String>,
}

/// Recusal exception requests of the rounds in scope, newest first: for those who form teams
/// (`team:manage`) and those who decide exceptions (`recusal:approve`).
#[utoipa::path(get, operation_id = "recusal_requests_list", path = "/api/v1/recusal-requests", tag = "teams", params(RecusalQuery),
    responses((status = 200, body = Vec<RecusalRequestDto>), (status = 403, body = crate::error::Problem)))]
async fn list_recusal_requests(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<RecusalQuery>,
) -> ApiResult<axum::Json<Vec<RecusalRequestDto>>> {
    if !(auth.access.has(TEAM_MANAGE) || auth.access.has(RECUSAL_APPROVE)) {
        return Err(ApiError::forbidden());
    }
    let state = match q.state.as_deref() {
        None | Some("") => None,
        Some(s) => Some(
            RequestState::parse_field("state", s)
                .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?
                .code()
                .to_string(),
        ),
    };
    let rows = recusal::list(
        &st.db,
        &auth.scope,
        &recusal::Filter {
            team_id: q.team_id,
            state,
        },
        None,
    )
    .await?;
    Ok(axum::Json(rows.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RecusalDecision {
    pub version: i64,
    /// Required when rejecting.
    #[serde(default)]
    pub comment: Option<String>,
}

async fn decide(
    st: &AppState,
    auth: &Auth,
    id: i64,
    b: &RecusalDecision,
    approve: bool,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    let comment = match (&b.comment, approve) {
        (Some(c), true) if c.trim().is_empty() => String::new(),
        (None, true) => String::new(),
        (c, _) => required_text("comment", c.as_deref().unwrap_or(""), 500)
            .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?,
    };
    let r = recusal::decide(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.version,
        approve,
        &comment,
    )
    .await
    .map_err(ApiError::not_found_as("recusal.request_not_found"))?;
    Ok(axum::Json(r.into()))
}

/// Approves a pending recusal exception request, in the approver's own session; nobody approves
/// their own request. A request to join the team adds the member with the waiver recorded.
#[utoipa::path(post, operation_id = "recusal_requests_approve", path = "/api/v1/recusal-requests/{id}/approve", tag = "teams", params(("id" = i64, Path)), request_body = RecusalDecision,
    responses((status = 200, body = RecusalRequestDto), (status = 409, body = crate::error::Problem)))]
async fn approve_recusal_request(
    State(st): State<AppState>,
    Need(auth, _): Need<RecusalApprove>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RecusalDecision>,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    decide(&st, &auth, id, &b, true).await
}

/// Rejects a pending recusal exception request with a comment.
#[utoipa::path(post, operation_id = "recusal_requests_reject", path = "/api/v1/recusal-requests/{id}/reject", tag = "teams", params(("id" = i64, Path)), request_body = RecusalDecision,
    responses((status = 200, body = RecusalRequestDto), (status = 409, body = crate::error::Problem)))]
async fn reject_recusal_request(
    State(st): State<AppState>,
    Need(auth, _): Need<RecusalApprove>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RecusalDecision>,
) -> ApiResult<axum::Json<RecusalRequestDto>> {
    decide(&st, &auth, id, &b, false).await
}

/// Removes a member.
#[utoipa::path(delete, operation_id = "teams_remove_member", path = "/api/v1/teams/{id}/members/{person_id}", tag = "teams",
    params(("id" = i64, Path), ("person_id" = i64, Path)), responses((status = 200, body = TeamDto), (status = 404, body = crate::error::Problem)))]
async fn remove_member(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath((id, person_id)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::Json<TeamDto>> {
    let t = people::remove_member(&st.db, &auth.actor, &auth.scope, id, person_id)
        .await
        .map_err(ApiError::not_found_as("inspection.team_not_found"))?;
    Ok(axum::Json(t.into()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SuggestionItem {
    pub person: PersonDto,
    pub score: i64,
    pub reasons: Vec<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SuggestQuery {
    pub specialty: Option<String>,
    /// The role to fill (default member).
    pub role: Option<String>,
}

/// Suggests members for a team: people without recusal conflicts for the team's units, ranked by
/// specialty match, pool and current workload.
#[utoipa::path(get, operation_id = "teams_suggestions", path = "/api/v1/teams/{id}/suggestions", tag = "teams", params(("id" = i64, Path), SuggestQuery),
    responses((status = 200, body = Vec<SuggestionItem>)))]
async fn suggestions(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<axum::Json<Vec<SuggestionItem>>> {
    let team = people::get_team(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.team_not_found"))?;
    let role = q
        .role
        .as_deref()
        .and_then(TeamRole::from_code)
        .unwrap_or(TeamRole::Member);
    let units: Vec<_> = xuncha_store::inspection::list_units(
        &st.db,
        &Scope::unrestricted(),
        Some(team.round_id),
        None,
    )
    .await?
    .into_iter()
    .filter(|u| team.unit_ids.contains(&u.id))
    .collect();
    let candidates = people::list_people(&st.db, &auth.scope, &PersonFilter::default()).await?;
    let mut out = Vec::new();
    for p in candidates {
        if team.members.iter().any(|m| m.person_id == p.row.id) {
            continue;
        }
        if !people::recusal_conflicts(&st.db, &p, role, &units)
            .await?
            .is_empty()
        {
            continue;
        }
        let mut score = 0;
        let mut reasons = Vec::new();
        if let Some(sp) = q.specialty.as_ref().filter(|s| !s.is_empty())
            && p.specialties.iter().any(|s| s == sp)
        {
            score += 10;
            reasons.push(format!("专业特长：{sp}"));
        }
        if matches!(role, TeamRole::Leader | TeamRole::Deputy)
            && p.pools.iter().any(|x| x == "leader")
        {
            score += 8;
            reasons.push("组长库人选".to_string());
        }
        if p.pools.iter().any(|x| x == "specialist") {
            score += 2;
            reasons.push("专业人才库人选".to_string());
        }
        score -= 3 * p.row.workload;
        reasons.push(format!("当前在{}个巡察组", p.row.workload));
        reasons.push("无回避情形".to_string());
        out.push(SuggestionItem {
            person: p.into(),
            score,
            reasons,
        });
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(a.person.name.cmp(&b.person.name))
    });
    out.truncate(20);
    Ok(axum::Json(out))
}

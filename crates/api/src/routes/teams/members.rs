//! Team routes: teams of a round, their units and members, and suggested members.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::RoundUnitId;

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
pub(super) async fn create_team(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TeamCreate>,
) -> ApiResult<(StatusCode, axum::Json<TeamDto>)> {
    let name = required_text("name", &b.name, 30)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let t = store::create_team(&st.db, &auth.actor, &auth.scope, id, &name)
        .await
        .map_err(ApiError::not_found_as("inspection.round_not_found"))?;
    Ok((StatusCode::CREATED, axum::Json(t.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TeamUnit {
    #[schema(value_type = i64)]
    pub round_unit_id: RoundUnitId,
    /// When members conflict with the unit: file recusal exception requests with this reason
    /// (answered 202 with the requests); assign again once they are approved.
    #[serde(default)]
    pub override_reason: Option<String>,
}

pub(super) fn override_reason(r: &Option<String>) -> ApiResult<Option<String>> {
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
pub(super) async fn assign_unit(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TeamUnit>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let reason = override_reason(&b.override_reason)?;
    store::get_team(&st.db, &auth.scope, id)
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
            let t: TeamDto = store::get_team(&st.db, &auth.scope, id).await?.into();
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

/// Adds a member. A recusal conflict answers 422 `recusal.conflict` listing every rule broken; with
/// `override_reason` it files a recusal exception request instead (202), which an approver other
/// than the requester decides; approval adds the member with the waiver recorded and audited.
#[utoipa::path(post, operation_id = "teams_add_member", path = "/api/v1/teams/{id}/members", tag = "teams", params(("id" = i64, Path)), request_body = MemberAdd,
    responses((status = 200, body = TeamDto), (status = 202, body = RecusalRequestDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_member(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MemberAdd>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let role = TeamRole::parse_field("role", &b.role)
        .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    let reason = override_reason(&b.override_reason)?;
    match store::add_member(
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

/// Removes a member.
#[utoipa::path(delete, operation_id = "teams_remove_member", path = "/api/v1/teams/{id}/members/{person_id}", tag = "teams",
    params(("id" = i64, Path), ("person_id" = i64, Path)), responses((status = 200, body = TeamDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn remove_member(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath((id, person_id)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::Json<TeamDto>> {
    let t = store::remove_member(&st.db, &auth.actor, &auth.scope, id, person_id)
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
pub(super) async fn suggestions(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SuggestQuery>,
) -> ApiResult<axum::Json<Vec<SuggestionItem>>> {
    let team = store::get_team(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.team_not_found"))?;
    let role = q
        .role
        .as_deref()
        .and_then(TeamRole::from_code)
        .unwrap_or(TeamRole::Member);
    let units: Vec<_> =
        xuncha_store::inspection::round_units(&st.db, &Scope::unrestricted(), team.round_id)
            .await?
            .into_iter()
            .filter(|u| team.unit_ids.contains(&u.id.get()))
            .collect();
    let candidates = store::list_people(
        &st.db,
        &auth.scope,
        &PersonFilter::default(),
        xuncha_store::PageReq::bounded_by_filter(),
    )
    .await?
    .items;
    let mut out = Vec::new();
    for p in candidates {
        if team.members.iter().any(|m| m.person_id == p.row.id) {
            continue;
        }
        if !store::recusal_conflicts(&st.db, &p, role, &units)
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
            reasons.push(
                Msg::new("suggestion.specialty")
                    .arg("specialty", sp)
                    .render(),
            );
        }
        if matches!(role, TeamRole::Leader | TeamRole::Deputy)
            && p.pools.iter().any(|x| x == "leader")
        {
            score += 8;
            reasons.push(Msg::new("suggestion.leader_pool").render());
        }
        if p.pools.iter().any(|x| x == "specialist") {
            score += 2;
            reasons.push(Msg::new("suggestion.specialist_pool").render());
        }
        score -= 3 * p.row.workload;
        reasons.push(
            Msg::new("suggestion.workload")
                .arg("count", p.row.workload)
                .render(),
        );
        reasons.push(Msg::new("suggestion.no_conflict").render());
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

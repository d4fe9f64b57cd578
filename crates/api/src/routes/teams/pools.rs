//! Team routes: the talent pools (people), their posts, relations and training.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Serialize, ToSchema)]
pub struct PostDto {
    pub id: i64,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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
    #[schema(value_type = Option<i64>)]
    pub related_org_id: Option<OrgId>,
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
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PersonPage {
    pub items: Vec<PersonDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// People in the talent pools within the caller's scope.
#[utoipa::path(get, operation_id = "people_list", path = "/api/v1/people", tag = "teams", params(PeopleQuery), responses((status = 200, body = PersonPage)))]
pub(super) async fn list_people(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<PeopleQuery>,
) -> ApiResult<axum::Json<PersonPage>> {
    let f = PersonFilter {
        q: q.q,
        pool: q.pool,
        specialty: q.specialty,
    };
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let r = store::list_people(&st.db, &auth.scope, &f, page).await?;
    Ok(axum::Json(PersonPage {
        items: r.items.into_iter().map(PersonDto::from).collect(),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonSave {
    pub name: String,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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

pub(super) fn person_draft(b: &PersonSave) -> Result<PersonDraft, ApiError> {
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
pub(super) async fn create_person(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiJson(b): ApiJson<PersonSave>,
) -> ApiResult<(StatusCode, axum::Json<PersonDto>)> {
    let d = person_draft(&b)?;
    let p = store::save_person(&st.db, &auth.actor, &auth.scope, None, &d).await?;
    Ok((StatusCode::CREATED, axum::Json(p.into())))
}

/// Edits a person.
#[utoipa::path(put, operation_id = "people_update", path = "/api/v1/people/{id}", tag = "teams", params(("id" = i64, Path)), request_body = PersonSave,
    responses((status = 200, body = PersonDto), (status = 409, body = crate::error::Problem)))]
pub(super) async fn update_person(
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
    let p = store::save_person(&st.db, &auth.actor, &auth.scope, Some((id, version)), &d)
        .await
        .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PostCreate {
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub title: String,
    pub start_date: String,
    #[serde(default)]
    pub end_date: Option<String>,
}

/// Records a post (任职经历) of a person; recusal checks use the post history.
#[utoipa::path(post, operation_id = "people_add_post", path = "/api/v1/people/{id}/posts", tag = "teams", params(("id" = i64, Path)), request_body = PostCreate,
    responses((status = 200, body = PersonDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_post(
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
    let p = store::add_post(
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
    #[schema(value_type = Option<i64>)]
    pub related_org_id: Option<OrgId>,
    #[serde(default)]
    pub note: String,
}

/// Declares a relation (回避申报).
#[utoipa::path(post, operation_id = "people_add_relation", path = "/api/v1/people/{id}/relations", tag = "teams", params(("id" = i64, Path)), request_body = RelationCreate,
    responses((status = 200, body = PersonDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_relation(
    State(st): State<AppState>,
    Need(auth, _): Need<TeamManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RelationCreate>,
) -> ApiResult<axum::Json<PersonDto>> {
    crate::routes::max_lengths(&[("note", &b.note, xuncha_domain::limits::NOTE_CHARS)])?;
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
    let p = store::add_relation(
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
pub(super) async fn add_training(
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
    let p = store::add_training(&st.db, &auth.actor, &auth.scope, id, &name, date, b.hours)
        .await
        .map_err(ApiError::not_found_as("inspection.person_not_found"))?;
    Ok(axum::Json(p.into()))
}

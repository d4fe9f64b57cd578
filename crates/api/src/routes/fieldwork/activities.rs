//! Fieldwork routes: the activities logged with each method, compartment-aware, and their totals.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::RoundUnitId;

#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub method: String,
    pub method_name: String,
    pub date: String,
    pub persons: i32,
    pub count: i32,
    /// Null when the record is compartmented (talks) and the caller lacks the compartment.
    pub summary: Option<String>,
    pub created_by_name: String,
    pub created_at: String,
}

/// An activity as `auth` may see it: a compartmented summary is decrypted only for a holder of
/// the compartment.
pub(super) fn activity_dto(
    st: &AppState,
    auth: &Auth,
    a: fieldwork::Activity,
) -> ApiResult<ActivityDto> {
    let summary = if !sees(auth, a.compartment.as_deref()) {
        None
    } else if let Some(enc) = &a.summary_enc {
        Some(crate::routes::clues::decrypt_shown(st, enc))
    } else {
        Some(a.summary)
    };
    Ok(ActivityDto {
        summary,
        id: a.id,
        round_unit_id: a.round_unit_id.get(),
        method: a.method,
        method_name: a.method_name,
        date: date_str(a.held_on),
        persons: a.persons,
        count: a.item_count,
        created_by_name: a.created_by_name,
        created_at: rfc3339(a.created_at),
    })
}

pub(super) fn sees(auth: &Auth, compartment: Option<&str>) -> bool {
    match compartment.and_then(Compartment::from_code) {
        None => true,
        Some(c) => auth.access.has_compartment(c),
    }
}

/// The activity log of a round unit.
#[utoipa::path(get, operation_id = "activities_list", path = "/api/v1/round-units/{id}/activities", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ActivityDto>), (status = 404, body = crate::error::Problem)))]
pub(super) async fn list_activities(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<axum::Json<Vec<ActivityDto>>> {
    let rows = fieldwork::activities(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let talks = rows
        .iter()
        .filter(|a| a.compartment.is_some() && sees(&auth, a.compartment.as_deref()))
        .count();
    if talks > 0 {
        let summary = Msg::new("audit.activity_read_talk")
            .arg("id", id)
            .arg("count", talks)
            .render();
        xuncha_store::audit::record_event(
            &st.db,
            &auth.actor,
            &xuncha_store::audit::Event::read("activity.read_talk", "round_unit", id, summary),
        )
        .await?;
    }
    Ok(axum::Json(
        rows.into_iter()
            .map(|a| activity_dto(&st, &auth, a))
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ActivityCreate {
    pub method: String,
    pub date: String,
    #[serde(default)]
    pub persons: i32,
    #[serde(default)]
    pub count: i32,
    #[serde(default)]
    pub summary: String,
}

/// Logs fieldwork: talks, petitions, document reviews, ratings, visits …
#[utoipa::path(post, operation_id = "activities_create", path = "/api/v1/round-units/{id}/activities", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = ActivityCreate, responses((status = 201, body = ActivityDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_activity(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<ActivityCreate>,
) -> ApiResult<(StatusCode, axum::Json<ActivityDto>)> {
    let mut e = Errors::default();
    let date = parse_date("date", &b.date).map_err(|x| e.push(x)).ok();
    for (field, v) in [("persons", b.persons), ("count", b.count)] {
        if !(0..=100_000).contains(&v) {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.out_of_range")
                    .arg("field", format!("field.{field}"))
                    .arg("min", 0)
                    .arg("max", 100_000),
            ));
        }
    }
    if b.summary.chars().count() > 5000 {
        e.push(xuncha_domain::FieldError::new(
            "summary",
            Msg::new("validation.too_long")
                .arg("field", "field.summary")
                .arg("max", 5000),
        ));
    }
    e.into_result()?;
    let Some(date) = date else {
        return Err(ApiError::forbidden());
    };
    // A compartmented method (talks): only a holder of the compartment records one, and its
    // summary is stored encrypted.
    let method = b.method.trim();
    let compartment = fieldwork::methods(&st.db)
        .await?
        .into_iter()
        .find(|m| m.code == method)
        .and_then(|m| m.compartment);
    let summary_enc = match compartment.as_deref() {
        None => None,
        Some(c) if sees(&auth, Some(c)) => Some(
            st.crypto
                .encrypt(b.summary.trim().as_bytes())
                .map_err(|e| ApiError::internal(&e))?,
        ),
        Some(_) => return Err(ApiError::forbidden()),
    };
    let a = fieldwork::add_activity(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        method,
        date,
        b.persons,
        b.count,
        if summary_enc.is_some() {
            ""
        } else {
            b.summary.trim()
        },
        summary_enc.as_deref(),
    )
    .await
    .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    Ok((
        StatusCode::CREATED,
        axum::Json(activity_dto(&st, &auth, a)?),
    ))
}

/// Fieldwork totals of a round unit by method (了解工作量).
#[utoipa::path(get, operation_id = "activities_totals", path = "/api/v1/round-units/{id}/fieldwork-stats", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MethodTotal>)))]
pub(super) async fn unit_totals(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<axum::Json<Vec<MethodTotal>>> {
    inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let v = fieldwork::fieldwork_totals(&st.db, &auth.scope, Some(id.get()), None).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(
                |(method, method_name, entries, persons, count)| MethodTotal {
                    method,
                    method_name,
                    entries,
                    persons,
                    count,
                },
            )
            .collect(),
    ))
}

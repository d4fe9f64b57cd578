//! Fieldwork (12+N), supervision frames, findings (问题底稿) and the inspected unit's problem list.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::perm::Compartment;
use xuncha_domain::perm::FIELDWORK_WRITE;
use xuncha_office::Table;
use xuncha_store::PageReq;
use xuncha_store::fieldwork::{
    self, CategoryImport, Finding, FindingDraft, FindingFilter, ImmediateStep,
};
use xuncha_store::inspection;
use xuncha_store::orgs::RowError;

use super::inspection::{
    EventDto, MethodTotal, TransitionOption, date_str, event_dtos, parse_date,
};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, FieldworkWrite, InspectionPlan, InspectionRead, Need, ProblemRead};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(methods, save_method))
        .routes(routes!(list_activities, add_activity))
        .routes(routes!(unit_totals))
        .routes(routes!(list_frames))
        .routes(routes!(import_frames))
        .routes(routes!(list_findings))
        .routes(routes!(create_finding))
        .routes(routes!(get_finding, update_finding))
        .routes(routes!(transition_finding))
        .routes(routes!(immediate_issue))
        .routes(routes!(immediate_receipt))
        .routes(routes!(immediate_done))
        .routes(routes!(problems))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MethodDto {
    pub code: String,
    pub name: String,
    /// `talk` when the records are compartmented.
    pub compartment: Option<String>,
    pub active: bool,
}

/// The fieldwork methods (12+N).
#[utoipa::path(get, operation_id = "fieldwork_methods", path = "/api/v1/fieldwork/methods", tag = "fieldwork", responses((status = 200, body = Vec<MethodDto>)))]
async fn methods(
    State(st): State<AppState>,
    Need(_auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<Vec<MethodDto>>> {
    Ok(axum::Json(
        fieldwork::methods(&st.db)
            .await?
            .into_iter()
            .map(|m| MethodDto {
                code: m.code,
                name: m.name,
                compartment: m.compartment,
                active: m.active,
            })
            .collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MethodSave {
    /// A new code adds a method (the N of 12+N); an existing code renames or (de)activates it.
    pub code: String,
    pub name: String,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// Configures the method list.
#[utoipa::path(put, operation_id = "fieldwork_methods_save", path = "/api/v1/fieldwork/methods", tag = "fieldwork", request_body = MethodSave,
    responses((status = 200, body = Vec<MethodDto>), (status = 422, body = crate::error::Problem)))]
async fn save_method(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    ApiJson(b): ApiJson<MethodSave>,
) -> ApiResult<axum::Json<Vec<MethodDto>>> {
    let mut e = Errors::default();
    let code = xuncha_domain::org::parse_code("code", &b.code)
        .map_err(|x| e.push(x))
        .ok();
    let name = required_text("name", &b.name, 50)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(code), Some(name)) = (code, name) else {
        return Err(ApiError::forbidden());
    };
    let v = fieldwork::save_method(&st.db, &auth.actor, &code, &name, b.active).await?;
    Ok(axum::Json(
        v.into_iter()
            .map(|m| MethodDto {
                code: m.code,
                name: m.name,
                compartment: m.compartment,
                active: m.active,
            })
            .collect(),
    ))
}

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
fn activity_dto(st: &AppState, auth: &Auth, a: fieldwork::Activity) -> ApiResult<ActivityDto> {
    let summary = if !sees(auth, a.compartment.as_deref()) {
        None
    } else if let Some(enc) = &a.summary_enc {
        Some(super::clues::decrypt_shown(st, enc))
    } else {
        Some(a.summary)
    };
    Ok(ActivityDto {
        summary,
        id: a.id,
        round_unit_id: a.round_unit_id,
        method: a.method,
        method_name: a.method_name,
        date: date_str(a.held_on),
        persons: a.persons,
        count: a.item_count,
        created_by_name: a.created_by_name,
        created_at: rfc3339(a.created_at),
    })
}

fn sees(auth: &Auth, compartment: Option<&str>) -> bool {
    match compartment.and_then(Compartment::from_code) {
        None => true,
        Some(c) => auth.access.has_compartment(c),
    }
}

/// The activity log of a round unit.
#[utoipa::path(get, operation_id = "activities_list", path = "/api/v1/round-units/{id}/activities", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ActivityDto>), (status = 404, body = crate::error::Problem)))]
async fn list_activities(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<ActivityDto>>> {
    let rows = fieldwork::activities(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let talks = rows
        .iter()
        .filter(|a| a.compartment.is_some() && sees(&auth, a.compartment.as_deref()))
        .count();
    if talks > 0 {
        let summary = format!("查阅巡察对象 {id} 的谈话记录 {talks} 条");
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
async fn add_activity(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
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
async fn unit_totals(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<MethodTotal>>> {
    inspection::get_unit(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let v = fieldwork::fieldwork_totals(&st.db, &auth.scope, Some(id), None).await?;
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

#[derive(Debug, Serialize, ToSchema)]
pub struct CategoryDto {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameDto {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version_no: i32,
    pub active: bool,
    pub categories: Vec<CategoryDto>,
}

/// Supervision frames (三个聚焦, 四个落实, 三大问题, 六项纪律, imported checklists) with categories.
#[utoipa::path(get, operation_id = "frames_list", path = "/api/v1/frames", tag = "fieldwork", responses((status = 200, body = Vec<FrameDto>)))]
async fn list_frames(
    State(st): State<AppState>,
    Need(_auth, _): Need<InspectionRead>,
) -> ApiResult<axum::Json<Vec<FrameDto>>> {
    let (frames, cats) = fieldwork::frames(&st.db).await?;
    Ok(axum::Json(
        frames
            .into_iter()
            .map(|f| FrameDto {
                categories: cats
                    .iter()
                    .filter(|c| c.frame_id == f.id)
                    .map(|c| CategoryDto {
                        id: c.id,
                        parent_id: c.parent_id,
                        code: c.code.clone(),
                        name: c.name.clone(),
                    })
                    .collect(),
                id: f.id,
                code: f.code,
                name: f.name,
                version_no: f.version_no,
                active: f.active,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FrameImportResult {
    pub frames: usize,
    pub categories: usize,
}

/// Imports a category dictionary (e.g. a village checklist of 24 areas and 86 points): columns
/// 框架编码, 框架名称, 版本, 类别编码, 类别名称, 上级类别编码. All rows or none.
#[utoipa::path(post, operation_id = "frames_import", path = "/api/v1/frames/import", tag = "fieldwork",
    request_body(content = super::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FrameImportResult), (status = 422, body = crate::error::Problem)))]
async fn import_frames(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    upload: super::Upload,
) -> ApiResult<axum::Json<FrameImportResult>> {
    let rows = super::off_runtime(move |cancel| {
        let table = super::read_upload_table(&upload.name, &upload.bytes, cancel)?;
        drop(upload);
        cancel.check()?;
        parse_frame_rows(&table).map_err(|e| ApiError::rows(&e))
    })
    .await?;
    match fieldwork::import_frames(&st.db, &auth.actor, &rows).await? {
        Ok((frames, categories)) => Ok(axum::Json(FrameImportResult { frames, categories })),
        Err(errors) => Err(ApiError::rows(&errors)),
    }
}

fn parse_frame_rows(table: &Table) -> Result<Vec<CategoryImport>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut col = |name: &'static str| {
        let c = table.column(name);
        if c.is_none() {
            errors.push(RowError {
                row: 1,
                column: name.into(),
                msg: Msg::new("import.missing_column").arg("column", name),
            });
        }
        c
    };
    let (fc, fname, ver, cc, cname) = (
        col("框架编码"),
        col("框架名称"),
        col("版本"),
        col("类别编码"),
        col("类别名称"),
    );
    let parent = table.column("上级类别编码");
    if !errors.is_empty() {
        return Err(errors);
    }
    let mut out = Vec::new();
    for (row, cells) in &table.rows {
        let cell = |c| Table::cell(cells, c).trim().to_string();
        let required = |c, label: &str, errors: &mut Vec<RowError>| {
            let v = cell(c);
            if v.is_empty() {
                errors.push(RowError {
                    row: *row,
                    column: label.into(),
                    msg: Msg::new("validation.required").arg("field", label),
                });
            }
            v
        };
        let frame_code = required(fc, "框架编码", &mut errors);
        let frame_name = required(fname, "框架名称", &mut errors);
        let code = required(cc, "类别编码", &mut errors);
        let name = required(cname, "类别名称", &mut errors);
        let version_no = match cell(ver).parse::<i32>() {
            Ok(v) if (1..=999).contains(&v) => v,
            _ => {
                errors.push(RowError {
                    row: *row,
                    column: "版本".into(),
                    msg: Msg::new("validation.out_of_range")
                        .arg("field", "版本")
                        .arg("min", 1)
                        .arg("max", 999),
                });
                0
            }
        };
        let parent_code = Some(cell(parent)).filter(|s| !s.is_empty());
        out.push(CategoryImport {
            row: *row,
            frame_code,
            frame_name,
            version_no,
            code,
            name,
            parent_code,
        });
    }
    if out.is_empty() {
        errors.push(RowError {
            row: 2,
            column: String::new(),
            msg: Msg::new("import.empty"),
        });
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImmediateDto {
    pub requirement: String,
    pub deadline: Option<String>,
    pub received_at: Option<String>,
    pub done_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub category_id: Option<i64>,
    pub category_name: Option<String>,
    pub frame_name: Option<String>,
    pub title: String,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub evidence: String,
    pub finder: String,
    pub team_opinion: String,
    pub state: String,
    pub state_name: String,
    pub immediate: Option<ImmediateDto>,
    pub activity_ids: Vec<i64>,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

pub fn finding_dto(f: Finding, activity_ids: Vec<i64>) -> FindingDto {
    FindingDto {
        state_name: FindingState::from_code(&f.state)
            .map_or(f.state.clone(), |s| s.label().to_string()),
        immediate: f.immediate_requirement.map(|requirement| ImmediateDto {
            requirement,
            deadline: f.immediate_deadline.map(date_str),
            received_at: f.immediate_received_at.map(rfc3339),
            done_at: f.immediate_done_at.map(rfc3339),
        }),
        id: f.id,
        round_unit_id: f.round_unit_id,
        round_name: f.round_name,
        org_id: f.org_id,
        org_name: f.org_name,
        category_id: f.category_id,
        category_name: f.category_name,
        frame_name: f.frame_name,
        title: f.title,
        facts: f.facts,
        basis: f.basis,
        responsibility: f.responsibility,
        evidence: f.evidence,
        finder: f.finder,
        team_opinion: f.team_opinion,
        state: f.state,
        activity_ids,
        version: f.version,
        created_at: rfc3339(f.created_at),
        updated_at: rfc3339(f.updated_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingPage {
    pub items: Vec<FindingDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub round_unit_id: Option<i64>,
    pub org_id: Option<i64>,
    pub state: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Findings of the rounds the caller's offices run.
#[utoipa::path(get, operation_id = "findings_list", path = "/api/v1/findings", tag = "fieldwork", params(FindingQuery), responses((status = 200, body = FindingPage)))]
async fn list_findings(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiQuery(q): ApiQuery<FindingQuery>,
) -> ApiResult<axum::Json<FindingPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let f = FindingFilter {
        round_unit_id: q.round_unit_id,
        org_id: q.org_id,
        state: q.state,
        category_id: q.category_id,
        q: q.q,
    };
    let r = fieldwork::list_findings(&st.db, &auth.scope, &f, page).await?;
    Ok(axum::Json(FindingPage {
        items: r
            .items
            .into_iter()
            .map(|f| finding_dto(f, Vec::new()))
            .collect(),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FindingSave {
    pub title: String,
    #[serde(default)]
    pub category_id: Option<i64>,
    #[serde(default)]
    pub facts: String,
    #[serde(default)]
    pub basis: String,
    #[serde(default)]
    pub responsibility: String,
    #[serde(default)]
    pub evidence: String,
    #[serde(default)]
    pub finder: String,
    #[serde(default)]
    pub team_opinion: String,
    #[serde(default)]
    pub activity_ids: Vec<i64>,
    /// Required when updating.
    #[serde(default)]
    pub version: Option<i64>,
}

fn finding_draft(b: &FindingSave) -> Result<FindingDraft, ApiError> {
    let mut e = Errors::default();
    let title = required_text("title", &b.title, 200)
        .map_err(|x| e.push(x))
        .ok();
    let facts = required_text("facts", &b.facts, 20_000)
        .map_err(|x| e.push(x))
        .ok();
    if b.category_id.is_none() {
        e.push(xuncha_domain::FieldError::required("category_id"));
    }
    for (field, v) in [
        ("basis", &b.basis),
        ("responsibility", &b.responsibility),
        ("evidence", &b.evidence),
        ("team_opinion", &b.team_opinion),
    ] {
        if v.chars().count() > 20_000 {
            e.push(xuncha_domain::FieldError::new(
                field,
                Msg::new("validation.too_long")
                    .arg("field", field)
                    .arg("max", 20_000),
            ));
        }
    }
    e.into_result()?;
    let (Some(title), Some(facts)) = (title, facts) else {
        return Err(ApiError::forbidden());
    };
    Ok(FindingDraft {
        title,
        category_id: b.category_id,
        facts,
        basis: b.basis.trim().to_string(),
        responsibility: b.responsibility.trim().to_string(),
        evidence: b.evidence.trim().to_string(),
        finder: b.finder.trim().to_string(),
        team_opinion: b.team_opinion.trim().to_string(),
        activity_ids: b.activity_ids.clone(),
    })
}

/// Writes a workpaper (问题底稿) for a round unit; it starts as DRAFT.
#[utoipa::path(post, operation_id = "findings_create", path = "/api/v1/round-units/{id}/findings", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = FindingSave, responses((status = 201, body = FindingDto), (status = 422, body = crate::error::Problem)))]
async fn create_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FindingSave>,
) -> ApiResult<(StatusCode, axum::Json<FindingDto>)> {
    let d = finding_draft(&b)?;
    let f = fieldwork::create_finding(&st.db, &auth.actor, &auth.scope, id, &d)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let ids = fieldwork::finding_activities(&st.db, f.id).await?;
    Ok((StatusCode::CREATED, axum::Json(finding_dto(f, ids))))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: FindingDto,
    pub transitions: Vec<TransitionOption>,
    pub events: Vec<EventDto>,
}

async fn detail(st: &AppState, auth: &Auth, f: Finding) -> ApiResult<FindingDetail> {
    let state = f.state()?;
    let transitions = if auth.access.has(FIELDWORK_WRITE) {
        state
            .manual_next()
            .into_iter()
            .map(|to| TransitionOption {
                to: to.code().into(),
                name: to.label().into(),
            })
            .collect()
    } else {
        Vec::new()
    };
    let events = event_dtos(inspection::events(&st.db, "finding", f.id).await?, |s| {
        FindingState::from_code(s).map_or(s.to_string(), |x| x.label().to_string())
    });
    let ids = fieldwork::finding_activities(&st.db, f.id).await?;
    Ok(FindingDetail {
        finding: finding_dto(f, ids),
        transitions,
        events,
    })
}

/// One finding with its timeline.
#[utoipa::path(get, operation_id = "findings_get", path = "/api/v1/findings/{id}", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 404, body = crate::error::Problem)))]
async fn get_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let f = fieldwork::get_finding(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Edits a workpaper while it is a draft.
#[utoipa::path(put, operation_id = "findings_update", path = "/api/v1/findings/{id}", tag = "fieldwork", params(("id" = i64, Path)), request_body = FindingSave,
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
async fn update_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<FindingSave>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let d = finding_draft(&b)?;
    let version = b.version.ok_or_else(|| {
        ApiError::field(
            "version",
            &Msg::new("validation.required").arg("field", "field.version"),
        )
    })?;
    let f = fieldwork::update_finding(&st.db, &auth.actor, &auth.scope, id, &d, version)
        .await
        .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Moves a finding: DRAFT → CONFIRMED (组务会) → IN_REPORT, or back. FED_BACK comes only with
/// the unit's feedback.
#[utoipa::path(post, operation_id = "findings_transition", path = "/api/v1/findings/{id}/transition", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = super::inspection::TransitionBody, responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
async fn transition_finding(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::inspection::TransitionBody>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let to = FindingState::parse_field("to", &b.to).map_err(|e| DomainError::Invalid(vec![e]))?;
    let f = fieldwork::transition_finding(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        to,
        b.comment.trim(),
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImmediateIssue {
    pub requirement: String,
    pub deadline: String,
}

/// Issues a 立行立改 notice for a finding (to be finished during the round).
#[utoipa::path(post, operation_id = "findings_immediate_issue", path = "/api/v1/findings/{id}/immediate-fix", tag = "fieldwork", params(("id" = i64, Path)),
    request_body = ImmediateIssue, responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
async fn immediate_issue(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ImmediateIssue>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let mut e = Errors::default();
    let req = required_text("requirement", &b.requirement, 2000)
        .map_err(|x| e.push(x))
        .ok();
    let deadline = parse_date("deadline", &b.deadline)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let f = fieldwork::immediate_fix(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ImmediateStep::Issue,
        &req.unwrap_or_default(),
        deadline,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Records the unit's receipt of the 立行立改 notice.
#[utoipa::path(post, operation_id = "findings_immediate_receipt", path = "/api/v1/findings/{id}/immediate-fix/receipt", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
async fn immediate_receipt(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let f = fieldwork::immediate_fix(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ImmediateStep::Receipt,
        "",
        None,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

/// Records that the immediate fix was done.
#[utoipa::path(post, operation_id = "findings_immediate_done", path = "/api/v1/findings/{id}/immediate-fix/done", tag = "fieldwork", params(("id" = i64, Path)),
    responses((status = 200, body = FindingDetail), (status = 409, body = crate::error::Problem)))]
async fn immediate_done(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<FindingDetail>> {
    let f = fieldwork::immediate_fix(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        ImmediateStep::Done,
        "",
        None,
    )
    .await
    .map_err(ApiError::not_found_as("inspection.finding_not_found"))?;
    Ok(axum::Json(detail(&st, &auth, f).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ProblemQuery {
    pub org_id: Option<i64>,
}

/// The inspected unit's problem list (问题清单): fed-back findings of its own organisations only;
/// never drafts, never clues.
#[utoipa::path(get, operation_id = "problems_list", path = "/api/v1/problems", tag = "fieldwork", params(ProblemQuery), responses((status = 200, body = Vec<FindingDto>)))]
async fn problems(
    State(st): State<AppState>,
    Need(auth, _): Need<ProblemRead>,
    ApiQuery(q): ApiQuery<ProblemQuery>,
) -> ApiResult<axum::Json<Vec<FindingDto>>> {
    let v = fieldwork::problems(&st.db, &auth.scope, q.org_id).await?;
    Ok(axum::Json(
        v.into_iter().map(|f| finding_dto(f, Vec::new())).collect(),
    ))
}

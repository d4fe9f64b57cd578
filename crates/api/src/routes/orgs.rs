//! The organisation tree.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::OrgId;
use xuncha_domain::org::{OrgDraft, OrgKind, PartyOrgKind};
use xuncha_office::{Table, write_xlsx};
use xuncha_store::PageReq;
use xuncha_store::orgs::{self, ImportRow, Org, OrgFilter, RowError};

use super::{ApiJson, ApiPath, ApiQuery, VersionBody, rfc3339};
use crate::auth::{Need, OrgImport, OrgRead, OrgWrite};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(roots))
        .routes(routes!(list, create))
        .routes(routes!(export))
        .routes(routes!(import))
        .routes(routes!(detail, update))
        .routes(routes!(children))
        .routes(routes!(ancestors))
        .routes(routes!(move_org))
        .routes(routes!(deactivate))
        .routes(routes!(activate))
}

/// An organisation (region, party organisation or unit).
#[derive(Debug, Serialize, ToSchema)]
pub struct OrgDto {
    pub id: i64,
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<OrgId>,
    pub code: String,
    pub name: String,
    /// province, city, county, township, village, department, soe, school, institution
    pub kind: String,
    /// committee, leadership_group, working_committee, general_branch, branch
    pub party_org_kind: Option<String>,
    pub path: String,
    pub depth: i32,
    pub active: bool,
    pub child_count: i64,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

impl From<Org> for OrgDto {
    fn from(o: Org) -> Self {
        OrgDto {
            id: o.id.get(),
            parent_id: o.parent_id,
            code: o.code,
            name: o.name,
            kind: o.kind,
            party_org_kind: o.party_org_kind,
            path: o.path,
            depth: o.depth,
            active: o.active,
            child_count: o.child_count,
            version: o.version,
            created_at: rfc3339(o.created_at),
            updated_at: rfc3339(o.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgPage {
    pub items: Vec<OrgDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

fn dtos(v: Vec<Org>) -> Vec<OrgDto> {
    v.into_iter().map(OrgDto::from).collect()
}

const NOT_FOUND: &str = "org.not_found";

/// The top nodes of the tree visible to the caller.
#[utoipa::path(get, operation_id = "orgs_roots", path = "/api/v1/orgs/roots", tag = "orgs", responses((status = 200, body = Vec<OrgDto>)))]
async fn roots(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgRead>,
) -> ApiResult<axum::Json<Vec<OrgDto>>> {
    Ok(axum::Json(dtos(orgs::roots(&st.db, &auth.scope).await?)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ChildrenQuery {
    #[serde(default)]
    pub include_inactive: bool,
}

/// The children of an organisation (lazy tree loading).
#[utoipa::path(get, operation_id = "orgs_children", path = "/api/v1/orgs/{id}/children", tag = "orgs", params(("id" = i64, Path), ChildrenQuery),
    responses((status = 200, body = Vec<OrgDto>)))]
async fn children(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgRead>,
    ApiPath(id): ApiPath<OrgId>,
    ApiQuery(q): ApiQuery<ChildrenQuery>,
) -> ApiResult<axum::Json<Vec<OrgDto>>> {
    Ok(axum::Json(dtos(
        orgs::children(&st.db, &auth.scope, id, q.include_inactive).await?,
    )))
}

/// The ancestors of an organisation, root first, as far as the caller may see them.
#[utoipa::path(get, operation_id = "orgs_ancestors", path = "/api/v1/orgs/{id}/ancestors", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<OrgDto>), (status = 404, body = crate::error::Problem)))]
async fn ancestors(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgRead>,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<axum::Json<Vec<OrgDto>>> {
    let v = orgs::ancestors(&st.db, &auth.scope, id)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(dtos(v)))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Matches name or code.
    pub q: Option<String>,
    /// Restricts to the subtree of this organisation.
    #[param(value_type = Option<i64>)]
    pub parent_id: Option<OrgId>,
    #[serde(default)]
    pub include_inactive: bool,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// Searches organisations in the caller's scope.
#[utoipa::path(get, operation_id = "orgs_list", path = "/api/v1/orgs", tag = "orgs", params(ListQuery), responses((status = 200, body = OrgPage)))]
async fn list(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgRead>,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<axum::Json<OrgPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let f = OrgFilter {
        q: q.q,
        within: q.parent_id,
        include_inactive: q.include_inactive,
    };
    let r = orgs::search(&st.db, &auth.scope, &f, page)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(OrgPage {
        items: dtos(r.items),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

/// One organisation.
#[utoipa::path(get, operation_id = "orgs_detail", path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)),
    responses((status = 200, body = OrgDto), (status = 404, body = crate::error::Problem)))]
async fn detail(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgRead>,
    ApiPath(id): ApiPath<OrgId>,
) -> ApiResult<axum::Json<OrgDto>> {
    Ok(axum::Json(
        orgs::get(&st.db, &auth.scope, id)
            .await
            .map_err(ApiError::not_found_as(NOT_FOUND))?
            .into(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgCreate {
    /// The parent; omitted only for a new root (requires the 全部 data scope).
    #[schema(value_type = Option<i64>)]
    pub parent_id: Option<OrgId>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub party_org_kind: Option<String>,
}

/// Creates an organisation.
#[utoipa::path(post, operation_id = "orgs_create", path = "/api/v1/orgs", tag = "orgs", request_body = OrgCreate,
    responses((status = 201, body = OrgDto), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgWrite>,
    ApiJson(b): ApiJson<OrgCreate>,
) -> ApiResult<(StatusCode, axum::Json<OrgDto>)> {
    let draft = OrgDraft::parse(&b.code, &b.name, &b.kind, b.party_org_kind.as_deref())?;
    let org = orgs::create(&st.db, &auth.actor, &auth.scope, b.parent_id, &draft).await?;
    Ok((StatusCode::CREATED, axum::Json(org.into())))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgUpdate {
    pub code: String,
    pub name: String,
    pub kind: String,
    pub party_org_kind: Option<String>,
    pub version: i64,
}

/// Edits an organisation; a stale `version` answers 409.
#[utoipa::path(put, operation_id = "orgs_update", path = "/api/v1/orgs/{id}", tag = "orgs", params(("id" = i64, Path)), request_body = OrgUpdate,
    responses((status = 200, body = OrgDto), (status = 409, body = crate::error::Problem)))]
async fn update(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgWrite>,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(b): ApiJson<OrgUpdate>,
) -> ApiResult<axum::Json<OrgDto>> {
    let draft = OrgDraft::parse(&b.code, &b.name, &b.kind, b.party_org_kind.as_deref())?;
    let org = orgs::update(&st.db, &auth.actor, &auth.scope, id, &draft, b.version)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(org.into()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OrgMove {
    #[schema(value_type = i64)]
    pub new_parent_id: OrgId,
    pub version: i64,
}

/// Moves an organisation and its whole subtree under a new parent.
#[utoipa::path(post, operation_id = "orgs_move_org", path = "/api/v1/orgs/{id}/move", tag = "orgs", params(("id" = i64, Path)), request_body = OrgMove,
    responses((status = 200, body = OrgDto), (status = 409, body = crate::error::Problem)))]
async fn move_org(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgWrite>,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(b): ApiJson<OrgMove>,
) -> ApiResult<axum::Json<OrgDto>> {
    let org = orgs::move_to(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.new_parent_id,
        b.version,
    )
    .await
    .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(org.into()))
}

/// Deactivates an organisation (its history is kept).
#[utoipa::path(post, operation_id = "orgs_deactivate", path = "/api/v1/orgs/{id}/deactivate", tag = "orgs", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = OrgDto), (status = 409, body = crate::error::Problem)))]
async fn deactivate(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgWrite>,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<axum::Json<OrgDto>> {
    let org = orgs::set_active(&st.db, &auth.actor, &auth.scope, id, false, b.version)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(org.into()))
}

/// Reactivates an organisation.
#[utoipa::path(post, operation_id = "orgs_activate", path = "/api/v1/orgs/{id}/activate", tag = "orgs", params(("id" = i64, Path)), request_body = VersionBody,
    responses((status = 200, body = OrgDto), (status = 409, body = crate::error::Problem)))]
async fn activate(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgWrite>,
    ApiPath(id): ApiPath<OrgId>,
    ApiJson(b): ApiJson<VersionBody>,
) -> ApiResult<axum::Json<OrgDto>> {
    let org = orgs::set_active(&st.db, &auth.actor, &auth.scope, id, true, b.version)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    Ok(axum::Json(org.into()))
}

/// The columns of the import template and the export, in order, by catalogue key.
pub const COLUMNS: [&str; 6] = [
    "column.org.code",
    "column.org.name",
    "column.org.parent_code",
    "column.org.kind",
    "column.org.party_kind",
    "column.org.state",
];

/// The .xlsx of organisations in the import layout (so an export re-imports). `outside` names the
/// codes of parents that are not themselves in `rows`.
pub fn orgs_workbook(
    rows: Vec<Org>,
    outside: &std::collections::HashMap<OrgId, String>,
) -> Result<Vec<u8>, xuncha_office::OfficeError> {
    let codes: std::collections::HashMap<OrgId, String> =
        rows.iter().map(|o| (o.id, o.code.clone())).collect();
    let data = rows.into_iter().map(|o| {
        let parent = o
            .parent_id
            .and_then(|p| codes.get(&p).or_else(|| outside.get(&p)).cloned())
            .unwrap_or_default();
        vec![
            o.code,
            o.name,
            parent,
            OrgKind::from_code(&o.kind).map_or(o.kind.clone(), |k| k.label().to_string()),
            o.party_org_kind
                .as_deref()
                .and_then(PartyOrgKind::from_code)
                .map(|k| k.label().to_string())
                .unwrap_or_default(),
            Msg::new(if o.active {
                "column.org.active"
            } else {
                "column.org.inactive"
            })
            .render(),
        ]
    });
    let headers = COLUMNS.map(|key| Msg::new(key).render());
    write_xlsx(
        &Msg::new("sheet.orgs").render(),
        &headers.each_ref().map(String::as_str),
        &[16.0, 36.0, 16.0, 14.0, 12.0, 8.0],
        data,
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportQuery {
    /// Export this subtree only; all of the caller's scope when omitted.
    #[param(value_type = Option<i64>)]
    pub root_id: Option<OrgId>,
}

/// Exports the organisations of the caller's scope (or one subtree) as .xlsx.
#[utoipa::path(get, operation_id = "orgs_export", path = "/api/v1/orgs/export", tag = "orgs", params(ExportQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn export(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgImport>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<impl IntoResponse> {
    let rows = orgs::export(&st.db, &auth.scope, q.root_id)
        .await
        .map_err(ApiError::not_found_as(NOT_FOUND))?;
    let parent_codes: std::collections::HashMap<OrgId, String> =
        rows.iter().map(|o| (o.id, o.code.clone())).collect();
    // A parent outside the exported set is looked up so the file re-imports elsewhere.
    let mut outside = std::collections::HashMap::new();
    for o in &rows {
        if let Some(pid) = o.parent_id
            && !parent_codes.contains_key(&pid)
            && !outside.contains_key(&pid)
            && let Ok(p) = orgs::get(&st.db, &xuncha_store::scope::Scope::unrestricted(), pid).await
        {
            outside.insert(pid, p.code);
        }
    }
    let count = rows.len();
    let bytes = orgs_workbook(rows, &outside).map_err(|e| ApiError::internal(&e))?;
    let summary = Msg::new("audit.org_export").arg("count", count).render();
    xuncha_store::audit::record_event(
        &st.db,
        &auth.actor,
        &xuncha_store::audit::Event::read(
            "org.export",
            "org",
            q.root_id.unwrap_or(OrgId::new(0)),
            summary,
        ),
    )
    .await?;
    Ok(super::common::download(
        super::common::XLSX,
        "orgs.xlsx",
        &Msg::new("file.orgs_xlsx").render(),
        bytes,
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

/// The upload form of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ImportForm {
    /// An .xlsx or .csv file with the columns 编码, 名称, 上级编码, 类型, 党组织类别.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: String,
}

/// Imports organisations from .xlsx or .csv. Every bad cell is reported (row, column, reason)
/// and nothing is stored unless the whole file is valid. At most 32 MB (413 otherwise) and
/// 100,000 data rows (422 otherwise); the file is read and checked off the async threads and the
/// work stops when the client goes away.
#[utoipa::path(post, operation_id = "orgs_import", path = "/api/v1/orgs/import", tag = "orgs", request_body(content = ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 413, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn import(
    State(st): State<AppState>,
    Need(auth, _): Need<OrgImport>,
    upload: super::Upload,
) -> ApiResult<axum::Json<ImportResult>> {
    super::counted_import(async move {
        let rows = super::off_runtime(move |cancel| {
            let table = super::read_upload_table(&upload.name, &upload.bytes, cancel)?;
            drop(upload);
            cancel.check()?;
            parse_import(&table).map_err(|e| ApiError::rows(&e))
        })
        .await?;
        match orgs::import(&st.db, &auth.actor, &auth.scope, &rows).await? {
            Ok(n) => Ok(axum::Json(ImportResult { imported: n })),
            Err(errors) => Err(ApiError::rows(&errors)),
        }
    })
    .await
}

/// Validates every row of an import table in isolation, collecting every error.
pub fn parse_import(table: &Table) -> Result<Vec<ImportRow>, Vec<RowError>> {
    let [c_code, c_name, c_parent, c_kind, c_party] = super::import_columns(
        table,
        [
            ("column.org.code", true),
            ("column.org.name", true),
            ("column.org.parent_code", true),
            ("column.org.kind", true),
            ("column.org.party_kind", false),
        ],
    )?;
    let label = |field: &str| {
        Msg::new(match field {
            "code" => "column.org.code",
            "name" => "column.org.name",
            "kind" => "column.org.kind",
            _ => "column.org.party_kind",
        })
        .render()
    };
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    for (row, cells) in &table.rows {
        let parent = Table::cell(cells, c_parent).trim();
        let party = Table::cell(cells, c_party);
        match OrgDraft::parse(
            Table::cell(cells, c_code),
            Table::cell(cells, c_name),
            Table::cell(cells, c_kind),
            Some(party),
        ) {
            Ok(draft) => rows.push(ImportRow {
                row: *row,
                parent_code: (!parent.is_empty()).then(|| parent.to_string()),
                draft,
            }),
            Err(xuncha_domain::DomainError::Invalid(fields)) => {
                errors.extend(fields.into_iter().map(|f| RowError {
                    row: *row,
                    column: label(&f.field),
                    msg: f.msg,
                }));
            }
            Err(e) => errors.push(RowError {
                row: *row,
                column: String::new(),
                msg: Msg::new("import.unreadable").arg("reason", e),
            }),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

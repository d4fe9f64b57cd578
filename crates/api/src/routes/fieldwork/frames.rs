//! Fieldwork routes: the supervision frames (三个聚焦 / 四个落实) and their import.

#[allow(clippy::wildcard_imports)]
use super::*;

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
pub(super) async fn list_frames(
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
    request_body(content = crate::routes::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = FrameImportResult), (status = 422, body = crate::error::Problem)))]
pub(super) async fn import_frames(
    State(st): State<AppState>,
    Need(auth, _): Need<InspectionPlan>,
    upload: crate::routes::Upload,
) -> ApiResult<axum::Json<FrameImportResult>> {
    let rows = crate::routes::off_runtime(move |cancel| {
        let table = crate::routes::read_upload_table(&upload.name, &upload.bytes, cancel)?;
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

pub(super) fn parse_frame_rows(table: &Table) -> Result<Vec<CategoryImport>, Vec<RowError>> {
    let [fc, fname, ver, cc, cname, parent] = crate::routes::import_columns(
        table,
        [
            ("column.frame.code", true),
            ("column.frame.name", true),
            ("column.frame.version", true),
            ("column.category.code", true),
            ("column.category.name", true),
            ("column.category.parent_code", false),
        ],
    )?;
    let label = |key: &'static str| Msg::new(key).render();
    let mut errors = Vec::new();
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
        let frame_code = required(fc, &label("column.frame.code"), &mut errors);
        let frame_name = required(fname, &label("column.frame.name"), &mut errors);
        let code = required(cc, &label("column.category.code"), &mut errors);
        let name = required(cname, &label("column.category.name"), &mut errors);
        let version_no = match cell(ver).parse::<i32>() {
            Ok(v) if (1..=999).contains(&v) => v,
            _ => {
                errors.push(RowError {
                    row: *row,
                    column: label("column.frame.version"),
                    msg: Msg::new("validation.out_of_range")
                        .arg("field", label("column.frame.version"))
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

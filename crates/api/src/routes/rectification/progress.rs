//! 整改进展: progress reports with evidence files (multipart), file downloads and the evidence archive.

use super::*;
use xuncha_domain::ids::OrgId;

pub(super) fn required(
    form: &crate::routes::uploads::EvidenceForm,
    name: &str,
    max: usize,
) -> Result<String, FieldError> {
    xuncha_domain::error::required_text(name, form.get(name).unwrap_or_default(), max)
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ProgressForm {
    pub content: String,
    /// YYYY-MM-DD, not after today.
    pub effective_date: String,
    pub outcome: Option<String>,
    /// Evidence files (0..n): pdf, jpg, png, doc(x), xls(x), ofd, zip; ≤ 20 MB each.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// The evidence form posted on an item: an item outside the caller's scope is 404 before the
/// upload is read.
pub(super) async fn item_form(
    st: &AppState,
    auth: &Auth,
    id: FindingId,
    form: Multipart,
) -> ApiResult<crate::routes::uploads::EvidenceForm> {
    store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    crate::routes::uploads::EvidenceForm::read(form).await
}

/// Reports progress with evidence files.
#[utoipa::path(post, operation_id = "rect_progress", path = "/api/v1/rect/findings/{id}/progress", tag = "rect", params(("id" = i64, Path)),
    request_body(content = ProgressForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_progress(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<FindingId>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    let form = item_form(&st, &auth, id, form).await?;
    let draft = dom::parse_progress(
        form.get("content"),
        form.get("effective_date"),
        form.get("outcome"),
        st.db.today(),
    )?;
    let pid = store::add_progress(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &draft.content,
        draft.effective_date,
        draft.outcome,
        &form.files,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: pid })))
}

/// Downloads one evidence file (in scope only).
#[utoipa::path(get, operation_id = "rect_file", path = "/api/v1/rect/files/{id}", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
pub(super) async fn file_download(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let (link, bytes) = store::file(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(download(&link.media_type, "file", &link.name, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveQuery {
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub round_id: Option<i64>,
}

/// Every evidence file of the items in scope (optionally one subtree or round) as one .zip, with
/// a 清单.csv of names, versions and SM3 hashes.
#[utoipa::path(get, operation_id = "rect_archive", path = "/api/v1/rect/archive", tag = "rect", params(ArchiveQuery),
    responses((status = 200, description = "zip archive", content_type = "application/zip")))]
pub(super) async fn archive(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ArchiveQuery>,
) -> ApiResult<axum::response::Response> {
    let t = book(&st, &auth).await?.dates();
    let f = LedgerFilter {
        org_id: q.org_id,
        round_id: q.round_id,
        ..LedgerFilter::default()
    };
    let (file, items) = super::export::archive_zip(&st, &auth, &f, &t).await?;
    let ev = xuncha_store::audit::Event::op(
        "rect.archive",
        "ledger",
        q.org_id.unwrap_or(OrgId::new(0)),
        Msg::new("audit.rect_archive").arg("count", items).render(),
    );
    xuncha_store::audit::record_event(&st.db, &auth.actor, &ev).await?;
    crate::routes::streamed::file_download(
        "application/zip",
        "file",
        &Msg::new("archive.file_name").render(),
        file,
    )
}

//! Rectification routes: one item.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i64,
    #[schema(value_type = crate::codes::MeasureKind)]
    pub kind: String,
    pub kind_name: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: String,
    pub original_deadline: String,
    #[schema(value_type = crate::codes::MeasureState)]
    pub state: String,
    /// When the unit reported the measure done.
    pub done_on: Option<String>,
    /// Open and past its deadline (every measure's deadline is watched).
    pub overdue: bool,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileLinkDto {
    pub id: i64,
    pub name: String,
    /// SM3 of the bytes, hex.
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub version_no: i64,
    pub effective_date: String,
    pub uploaded_at: String,
    pub uploaded_by_name: String,
    pub url: String,
}

pub(super) fn link_dto(l: &store::FileLink) -> FileLinkDto {
    FileLinkDto {
        id: l.id,
        name: l.name.clone(),
        hash: l.hash.clone(),
        size: l.size,
        media_type: l.media_type.clone(),
        version_no: l.version_no,
        effective_date: date_str(l.effective_date),
        uploaded_at: rfc3339(l.uploaded_at),
        uploaded_by_name: l.uploaded_by_name.clone(),
        url: format!("/api/v1/rect/files/{}", l.id),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    pub id: i64,
    pub effective_date: String,
    pub reported_at: String,
    pub reported_by_name: String,
    pub content: String,
    #[schema(value_type = Option<crate::codes::Outcome>)]
    pub outcome: Option<String>,
    pub files: Vec<FileLinkDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WriteOffDto {
    pub id: i64,
    #[schema(value_type = crate::codes::WriteOffState)]
    pub state: String,
    pub state_name: String,
    #[schema(value_type = crate::codes::Outcome)]
    pub outcome: String,
    pub outcome_name: String,
    pub explanation: String,
    pub requested_at: String,
    pub requested_by_name: String,
    pub decided_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
    pub files: Vec<FileLinkDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDto {
    pub id: i64,
    pub finding_id: i64,
    pub title: String,
    pub org_name: String,
    pub measure_id: Option<i64>,
    pub old_deadline: String,
    pub new_deadline: String,
    pub reason: String,
    #[schema(value_type = crate::codes::ExtensionState)]
    pub state: String,
    pub state_name: String,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub opinion: Option<String>,
}

pub(super) fn extension_dto(x: store::Extension) -> ExtensionDto {
    ExtensionDto {
        state_name: label(&x.state, ExtensionState::from_code, ExtensionState::label),
        id: x.id,
        finding_id: x.finding_id,
        title: x.title,
        org_name: x.org_name,
        measure_id: x.measure_id,
        old_deadline: date_str(x.old_deadline),
        new_deadline: date_str(x.new_deadline),
        reason: x.reason,
        state: x.state,
        requested_by_name: x.requested_by_name,
        requested_at: rfc3339(x.requested_at),
        decided_by_name: x.decided_by_name,
        decided_at: x.decided_at.map(rfc3339),
        opinion: x.opinion,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    pub id: i64,
    #[schema(value_type = crate::codes::OutcomeKind)]
    pub kind: String,
    pub kind_name: String,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterDto {
    pub id: i64,
    pub letter_type: String,
    pub letter_name: String,
    pub doc_no: String,
    pub round_unit_id: i64,
    pub org_name: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<String>,
    pub issued_at: String,
    pub issued_by_name: String,
    pub url: String,
    /// 主送: the organisation the letter is addressed to (the unit, or the 纪委监委 for a
    /// 问责建议函) and the name written on it.
    pub addressee_org_id: Option<i64>,
    pub addressee_name: String,
    /// `issued` (已发出) or `withdrawn` (已撤回).
    #[schema(value_type = crate::codes::LetterState)]
    pub state: String,
    pub state_name: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by_name: Option<String>,
    pub withdraw_reason: Option<String>,
    pub version: i64,
}

pub(super) fn letter_dto(l: store::Letter) -> LetterDto {
    LetterDto {
        finding_ids: l.finding_ids(),
        url: format!("/api/v1/rect/letters/{}/docx", l.id),
        id: l.id,
        letter_type: l.letter_type,
        letter_name: l.letter_name,
        doc_no: l.doc_no,
        round_unit_id: l.round_unit_id,
        org_name: l.org_name,
        requirement: l.requirement,
        new_deadline: l.new_deadline.map(date_str),
        issued_at: rfc3339(l.issued_at),
        issued_by_name: l.issued_by_name,
        addressee_org_id: l.addressee_org_id,
        addressee_name: l.addressee_name,
        state_name: label(&l.state, LetterState::from_code, LetterState::label),
        state: l.state,
        withdrawn_at: l.withdrawn_at.map(rfc3339),
        withdrawn_by_name: l.withdrawn_by_name,
        withdraw_reason: l.withdraw_reason,
        version: l.version,
    }
}

/// Whether a letter counts as issued for the ladder (a withdrawn one does not).
pub(super) fn letter_counts(l: &store::Letter) -> bool {
    LetterState::from_code(&l.state).is_none_or(LetterState::counts)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrailStep {
    #[schema(value_type = crate::codes::TrailStepCode)]
    pub step: String,
    pub name: String,
    pub done: bool,
    pub at: Option<String>,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectItem {
    pub row: LedgerRowDto,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub measures: Vec<MeasureDto>,
    pub progress: Vec<ProgressDto>,
    pub write_offs: Vec<WriteOffDto>,
    pub extensions: Vec<ExtensionDto>,
    pub outcomes: Vec<OutcomeDto>,
    pub letters: Vec<LetterDto>,
    pub trail: Vec<TrailStep>,
    pub events: Vec<EventDto>,
    /// What the caller may do now: progress, write_off, verify, reopen, extend, outcome, explain,
    /// measure_done.
    #[schema(value_type = Vec<crate::codes::ItemAction>)]
    pub actions: Vec<String>,
    /// The escalation ladder of the office that runs the item's round (its letters follow it).
    pub letter_ladder: Vec<LetterRungDto>,
}

pub(super) fn measure_dto(m: store::Measure, item: FindingState, today: Date) -> MeasureDto {
    MeasureDto {
        overdue: dom::measure_overdue(m.state == "DONE", m.deadline, item, today),
        done_on: m.done_on.map(date_str),
        kind_name: label(&m.kind, MeasureKind::from_code, MeasureKind::label),
        co_depts: serde_json::from_str(&m.co_depts).unwrap_or_default(),
        id: m.id,
        kind: m.kind,
        content: m.content,
        target: m.target,
        responsible_leader: m.responsible_leader,
        lead_dept: m.lead_dept,
        deadline: date_str(m.deadline),
        original_deadline: date_str(m.original_deadline),
        state: m.state,
        version: m.version,
    }
}

pub(super) async fn item_dto(st: &AppState, auth: &Auth, id: i64) -> ApiResult<RectItem> {
    let with_clues = auth
        .access
        .has_compartment(xuncha_domain::perm::Compartment::Clue);
    let r = store::item_record(&st.db, &auth.scope, id, st.db.today(), with_clues)
        .await
        .map_err(not_found())?;
    let state = r.row.state()?;
    let files_of = |owner: &str, oid: i64| -> Vec<FileLinkDto> {
        r.files
            .iter()
            .filter(|f| f.owner_type == owner && f.owner_id == oid)
            .map(link_dto)
            .collect()
    };
    let progress: Vec<ProgressDto> = r
        .progress
        .into_iter()
        .map(|p| ProgressDto {
            files: files_of("progress", p.id),
            id: p.id,
            effective_date: date_str(p.effective_date),
            reported_at: rfc3339(p.reported_at),
            reported_by_name: p.reported_by_name,
            content: p.content,
            outcome: p.outcome,
        })
        .collect();
    let write_offs: Vec<WriteOffDto> = r
        .write_offs
        .into_iter()
        .map(|w| WriteOffDto {
            files: files_of("write_off", w.id),
            state_name: label(&w.state, WriteOffState::from_code, WriteOffState::label),
            outcome_name: label(&w.outcome, Outcome::from_code, Outcome::label),
            id: w.id,
            state: w.state,
            outcome: w.outcome,
            explanation: w.explanation,
            requested_at: rfc3339(w.requested_at),
            requested_by_name: w.requested_by_name,
            decided_at: w.decided_at.map(rfc3339),
            decided_by_name: w.decided_by_name,
            reason: w.reason,
            version: w.version,
        })
        .collect();
    let outcomes: Vec<OutcomeDto> = r
        .outcomes
        .into_iter()
        .map(|o| OutcomeDto {
            kind_name: label(&o.kind, OutcomeKind::from_code, OutcomeKind::label),
            id: o.id,
            kind: o.kind,
            detail: o.detail,
            count: o.count,
            amount_fen: o.amount_fen,
            person: o.person,
            treatment: o.treatment,
            recorded_at: rfc3339(o.recorded_at),
        })
        .collect();
    let letters: Vec<LetterDto> = r.letters.into_iter().map(letter_dto).collect();
    let at_of = |to: &str| {
        r.events
            .iter()
            .find(|e| e.to_state == to)
            .map(|e| rfc3339(e.at))
    };
    let lead_depts: std::collections::BTreeSet<&str> =
        r.measures.iter().map(|m| m.lead_dept.as_str()).collect();
    let steps = dom::account_trail(&dom::TrailFacts {
        state,
        unit_name: &r.unit.org_name,
        plan_approved: r.approved_plan.is_some(),
        lead_depts: lead_depts.len(),
        clues: r.clues,
        progress: progress.len(),
        letters: letters.len(),
        extensions: r.row.extensions,
    });
    let ats = [
        at_of("CONFIRMED").or_else(|| at_of("FED_BACK")),
        r.unit.feedback_date.map(date_str),
        r.approved_plan
            .as_ref()
            .and_then(|p| p.decided_at)
            .map(rfc3339),
        progress.last().map(|p| p.reported_at.clone()),
        r.row.closed_on.map(date_str),
    ];
    let trail = steps
        .into_iter()
        .zip(ats)
        .map(|(s, at)| TrailStep {
            step: s.code.into(),
            name: s.name.into(),
            done: s.done,
            at,
            detail: s.detail.render(),
        })
        .collect();
    let rights = dom::ItemRights {
        write: auth.access.has(RECT_WRITE),
        review: auth.access.has(RECT_REVIEW),
        supervise: auth.access.has(RECT_SUPERVISE),
    };
    let today = r.today.today;
    Ok(RectItem {
        facts: r.text.facts,
        basis: r.text.basis,
        responsibility: r.text.responsibility,
        measures: r
            .measures
            .into_iter()
            .map(|m| measure_dto(m, state, today))
            .collect(),
        progress,
        write_offs,
        extensions: r.extensions.into_iter().map(extension_dto).collect(),
        outcomes,
        letters,
        trail,
        events: event_dtos(r.events, state_name),
        actions: dom::item_actions(state, rights)
            .into_iter()
            .map(|a| a.code().to_string())
            .collect(),
        letter_ladder: r
            .office
            .settings
            .letter_ladder
            .iter()
            .map(|l| LetterRungDto {
                code: l.code.clone(),
                name: l.name.clone(),
                after_overdue_days: l.after_overdue_days,
            })
            .collect(),
        row: row_dto(r.row, today, &r.office),
    })
}

/// One item of the ledger with its measures, progress, evidence, write-off requests, extensions,
/// outcomes, letters and its 明白账 trail.
#[utoipa::path(get, operation_id = "rect_item", path = "/api/v1/rect/findings/{id}", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = RectItem), (status = 404, body = crate::error::Problem)))]
pub(super) async fn item(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<RectItem>> {
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

/// The fields and files of a multipart form.
pub(super) struct Form {
    fields: Vec<(String, String)>,
    files: Vec<Upload>,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

pub(super) async fn read_form(mut form: Multipart) -> ApiResult<Form> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::field(
            "file",
            &Msg::new("import.unreadable").arg("reason", e.body_text()),
        )
    };
    let mut out = Form {
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut errs = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = dom::clean_file_name(field.file_name().unwrap_or("file"));
            let bytes = field.bytes().await.map_err(unreadable)?;
            match dom::check_evidence(&file_name, &bytes) {
                Ok(media) => out.files.push(Upload {
                    name: file_name,
                    media_type: media.to_string(),
                    bytes: bytes.to_vec(),
                }),
                Err(e) => errs.push(e),
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            out.fields.push((name, text));
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(invalid(errs))
    }
}

pub(super) fn required(form: &Form, name: &str, max: usize) -> Result<String, FieldError> {
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

/// Reports progress with evidence files.
#[utoipa::path(post, operation_id = "rect_progress", path = "/api/v1/rect/findings/{id}/progress", tag = "rect", params(("id" = i64, Path)),
    request_body(content = ProgressForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_progress(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let form = read_form(form).await?;
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

pub(super) fn attachment(name: &str, media: &str, bytes: Vec<u8>) -> impl IntoResponse + use<> {
    super::super::common::download(media, "file", name, bytes)
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
    Ok(attachment(&link.name, &link.media_type, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveQuery {
    pub org_id: Option<i64>,
    pub round_id: Option<i64>,
}

/// The most evidence files one archive carries.
pub(super) const MAX_ARCHIVE_FILES: usize = 5_000;

/// Every evidence file of the items in scope (optionally one subtree or round) as one .zip, with
/// a 清单.csv of names, versions and SM3 hashes.
#[utoipa::path(get, operation_id = "rect_archive", path = "/api/v1/rect/archive", tag = "rect", params(ArchiveQuery),
    responses((status = 200, description = "zip archive", content_type = "application/zip")))]
pub(super) async fn archive(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ArchiveQuery>,
) -> ApiResult<impl IntoResponse> {
    let t = book(&st, &auth).await?.dates();
    let f = LedgerFilter {
        org_id: q.org_id,
        round_id: q.round_id,
        ..LedgerFilter::default()
    };
    let rows = store::ledger_all(&st.db, &auth.scope, &f, &t, MAX_EXPORT_ROWS)
        .await
        .map_err(not_found())?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut manifest = String::from("\u{feff}单位,问题编号,问题,文件,版本,生效日期,上传时间,SM3\n");
    let clean = |s: &str| dom::clean_file_name(s).replace(['/', '\\'], "");
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut links: std::collections::HashMap<i64, Vec<store::FileLink>> =
        std::collections::HashMap::new();
    for l in store::items_files(&st.db, &ids).await? {
        links.entry(l.finding_id.unwrap_or(0)).or_default().push(l);
    }
    for r in &rows {
        for l in links.get(&r.id).into_iter().flatten() {
            if entries.len() >= MAX_ARCHIVE_FILES {
                break;
            }
            let short: String = r.title.chars().take(20).collect();
            let path = format!(
                "{}/{} {}/{}-{}",
                clean(&r.org_name),
                r.id,
                clean(&short),
                l.version_no,
                clean(&l.name)
            );
            manifest.push_str(&format!(
                "{},{},\"{}\",\"{}\",{},{},{},{}\n",
                r.org_name,
                r.id,
                r.title.replace('"', "\"\""),
                l.name.replace('"', "\"\""),
                l.version_no,
                date_str(l.effective_date),
                rfc3339(l.uploaded_at),
                l.hash
            ));
            entries.push((path, store::file_bytes(&st.db, &l.hash).await?));
        }
    }
    entries.push(("清单.csv".to_string(), manifest.into_bytes()));
    let bytes =
        xuncha_office::write_zip(entries.into_iter()).map_err(|e| ApiError::internal(&e))?;
    let ev = xuncha_store::audit::Event::op(
        "rect.archive",
        "ledger",
        q.org_id.unwrap_or(0),
        format!("下载整改佐证材料包（{} 个问题）", rows.len()),
    );
    xuncha_store::audit::record_event(&st.db, &auth.actor, &ev).await?;
    Ok(attachment("整改佐证材料.zip", "application/zip", bytes))
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct WriteOffForm {
    /// completed | basically_completed
    pub outcome: String,
    pub explanation: String,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<String>,
}

/// 申请销号 with evidence.
#[utoipa::path(post, operation_id = "rect_write_off", path = "/api/v1/rect/findings/{id}/write-off", tag = "rect", params(("id" = i64, Path)),
    request_body(content = WriteOffForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn request_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let form = read_form(form).await?;
    let mut errs = Vec::new();
    let outcome = Outcome::parse_field("outcome", form.get("outcome").unwrap_or_default())
        .map_err(|e| errs.push(e))
        .ok();
    let explanation = required(&form, "explanation", 4000)
        .map_err(|e| errs.push(e))
        .ok();
    let (Some(outcome), Some(explanation), true) = (outcome, explanation, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let wid = store::request_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &explanation,
        &form.files,
        st.db.today(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: wid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    /// verify | return
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// 核验: verify the write-off (closed, or long-term) or return it with a reason.
#[utoipa::path(post, operation_id = "rect_write_off_decide", path = "/api/v1/rect/write-offs/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = DecideBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn decide_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<axum::Json<RectItem>> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let decision = match b.decision.as_str() {
        "verify" | "approve" => ReviewDecision::Approve,
        "return" => ReviewDecision::Return,
        v => {
            return Err(ApiError::field(
                "decision",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.decision")
                    .arg("value", v)
                    .arg("allowed", "verify, return"),
            ));
        }
    };
    let fid = store::decide_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        decision,
        &b.reason,
        b.version,
        st.db.today(),
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, fid).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
    pub version: i64,
}

/// The unit reports one measure done; the item's warning then follows its next open measure.
#[utoipa::path(post, operation_id = "rect_measure_done", path = "/api/v1/rect/measures/{id}/done", tag = "rect", params(("id" = i64, Path)),
    request_body = crate::routes::VersionBody, responses((status = 200, body = RectItem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn measure_done(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<crate::routes::VersionBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let finding_id = store::complete_measure(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, finding_id).await?))
}

/// 回头看: reopen a closed item when the problem has come back.
#[utoipa::path(post, operation_id = "rect_reopen", path = "/api/v1/rect/findings/{id}/reopen", tag = "rect", params(("id" = i64, Path)),
    request_body = ReasonBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn reopen(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<axum::Json<RectItem>> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    store::reopen(&st.db, &auth.actor, &auth.scope, id, &b.reason, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    /// not_completed | in_progress
    pub outcome: String,
    pub explanation: String,
    pub version: i64,
}

/// The unit explains an item it cannot finish (stays open).
#[utoipa::path(post, operation_id = "rect_explain", path = "/api/v1/rect/findings/{id}/explain", tag = "rect", params(("id" = i64, Path)),
    request_body = ExplainBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn explain(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExplainBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let outcome = Outcome::parse_field("outcome", &b.outcome).map_err(|e| invalid(vec![e]))?;
    let text = xuncha_domain::error::required_text("explanation", &b.explanation, 4000)
        .map_err(|e| invalid(vec![e]))?;
    store::explain(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &text,
        b.version,
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    pub measure_id: i64,
    pub new_deadline: String,
    pub reason: String,
}

/// Asks for a later deadline on one measure.
#[utoipa::path(post, operation_id = "rect_extension_request", path = "/api/v1/rect/findings/{id}/extensions", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn request_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtensionBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    crate::routes::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let d = parse_date("new_deadline", &b.new_deadline).map_err(|e| invalid(vec![e]))?;
    let xid = store::request_extension(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.measure_id,
        d,
        &b.reason,
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: xid })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// PENDING | APPROVED | REJECTED
    #[param(value_type = Option<crate::codes::ExtensionState>)]
    pub state: Option<String>,
}

/// Extension requests in scope.
#[utoipa::path(get, operation_id = "rect_extensions", path = "/api/v1/rect/extensions", tag = "rect", params(ExtensionQuery),
    responses((status = 200, body = Vec<ExtensionDto>)))]
pub(super) async fn list_extensions(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ExtensionQuery>,
) -> ApiResult<axum::Json<Vec<ExtensionDto>>> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ExtensionState::parse_field("state", s).map_err(|e| invalid(vec![e]))?),
    };
    let rows = store::extensions(&st.db, &auth.scope, None, state).await?;
    Ok(axum::Json(rows.into_iter().map(extension_dto).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    #[serde(default)]
    pub opinion: String,
}

/// Approves or rejects an extension; approval moves the deadline, the original date stays.
#[utoipa::path(post, operation_id = "rect_extension_decide", path = "/api/v1/rect/extensions/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionDecision, responses((status = 200, body = ExtensionDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn decide_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtensionDecision>,
) -> ApiResult<axum::Json<ExtensionDto>> {
    crate::routes::max_lengths(&[("opinion", &b.opinion, xuncha_domain::limits::OPINION_CHARS)])?;
    let x = store::decide_extension(&st.db, &auth.actor, &auth.scope, id, b.approve, &b.opinion)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(extension_dto(x)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// rule | money_returned | loss_recovered | accountability
    pub kind: String,
    pub detail: String,
    #[serde(default)]
    pub count: i64,
    /// Integer fen (1 元 = 100 fen).
    #[serde(default)]
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
}

/// Records an outcome (rules made, money returned or recovered, accountability).
#[utoipa::path(post, operation_id = "rect_outcome", path = "/api/v1/rect/findings/{id}/outcomes", tag = "rect", params(("id" = i64, Path)),
    request_body = OutcomeBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_outcome(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OutcomeBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    crate::routes::max_lengths(&[
        (
            "person",
            b.person.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NAME_CHARS,
        ),
        (
            "treatment",
            b.treatment.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NOTE_CHARS,
        ),
    ])?;
    if !(auth.access.has(RECT_WRITE) || auth.access.has(RECT_REVIEW)) {
        return Err(ApiError::forbidden());
    }
    let mut errs = Vec::new();
    let kind = OutcomeKind::parse_field("kind", &b.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let detail = xuncha_domain::error::required_text("detail", &b.detail, 1000)
        .map_err(|e| errs.push(e))
        .ok();
    for (f, v, max) in [
        ("count", b.count, 1_000_000),
        ("amount_fen", b.amount_fen, 1_000_000_000_000_000),
    ] {
        if !(0..=max).contains(&v) {
            errs.push(FieldError::new(
                f,
                Msg::new("validation.out_of_range")
                    .arg("field", format!("field.{f}"))
                    .arg("min", 0)
                    .arg("max", max),
            ));
        }
    }
    let (Some(kind), Some(detail), true) = (kind, detail, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let trim = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let oid = store::add_outcome(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::OutcomeDraft {
            kind,
            detail,
            count: b.count,
            amount_fen: b.amount_fen,
            person: trim(b.person),
            treatment: trim(b.treatment),
        },
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: oid })))
}

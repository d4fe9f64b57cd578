//! The team's routes: the channel's QR code, the queue, a report (decrypted, audited), accept or
//! decline, questions, conversion into a clue, attachments. Scoped exactly like the unit's clues;
//! the reporter's name and phone only for holders of the reporter compartment.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::DomainError;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::perm::Compartment;
use xuncha_domain::public_report::TransferState;
use xuncha_store::audit::{Event, record_event};
use xuncha_store::clues::ClueAccess;

use crate::auth::{Auth, FieldworkWrite, Need};
use crate::routes::clues::clue_access;

/// The caller's access; without the clue compartment the queue is forbidden.
fn access(auth: &Auth) -> ApiResult<ClueAccess> {
    let a = clue_access(auth);
    if a.compartment {
        Ok(a)
    } else {
        Err(ApiError::forbidden())
    }
}

async fn load(st: &AppState, a: &ClueAccess, id: i64) -> ApiResult<store::ReportRow> {
    store::get_report(&st.db, a, id)
        .await
        .map_err(ApiError::not_found_as("public_report.not_found_staff"))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicChannelOpen {
    /// The address the public reaches this server by (`http(s)://host[:port]`), for the QR code.
    pub origin: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicChannelLink {
    pub round_unit_id: i64,
    pub org_name: String,
    pub token: String,
    /// The page's path (`/r/{token}`).
    pub path: String,
    /// The full address encoded in the QR code.
    pub url: String,
    /// The QR code of `url` as SVG.
    pub qr_svg: String,
}

/// Opens the round unit's public channel (or returns the open one) with its QR code.
#[utoipa::path(post, operation_id = "public_channel_open", path = "/api/v1/round-units/{id}/public-channel", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicChannelOpen,
    responses((status = 200, body = PublicChannelLink), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn open_channel(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<PublicChannelOpen>,
) -> ApiResult<axum::Json<PublicChannelLink>> {
    let a = access(&auth)?;
    let origin = crate::routes::assessment::parse_origin(&b.origin)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let token = xuncha_domain::audit::hex(
        &xuncha_service::crypto::random_bytes::<16>().map_err(|e| ApiError::internal(&e))?,
    );
    let ch = store::open_channel(&st.db, &auth.actor, &a, id, &token)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let path = format!("/r/{}", ch.token);
    let url = format!("{origin}{path}");
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ApiError::internal(&e))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(axum::Json(PublicChannelLink {
        round_unit_id: ch.round_unit_id.get(),
        org_name: ch.org_name,
        token: ch.token,
        path,
        url,
        qr_svg,
    }))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicReportQuery {
    #[param(value_type = Option<i64>)]
    pub round_unit_id: Option<RoundUnitId>,
    /// NEW, ACCEPTED, DECLINED, TRANSFERRED, CLOSED
    pub state: Option<String>,
    /// Only the office's standing queue (reports that came in after the round ended).
    #[serde(default)]
    pub standing: bool,
    /// Only reports with a unit's reply to a 转办 waiting for review.
    #[serde(default)]
    pub review: bool,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub org_name: String,
    pub round_name: String,
    pub category: String,
    pub category_name: String,
    /// The person or unit concerned (decrypted).
    pub subject: String,
    pub named: bool,
    pub state: String,
    pub state_name: String,
    /// Shown to the reporter: the reason of a decline, the note of a merge, the reviewed answer
    /// of a 转办.
    pub reason: Option<String>,
    pub clue_id: Option<i64>,
    /// The earlier report this one was merged into (重复反映).
    pub duplicate_of: Option<i64>,
    /// Came in after the round ended: in the office's standing queue (clue leads only).
    pub standing: bool,
    pub version: i64,
    pub created_at: String,
    pub updated_at: String,
}

fn report_dto(st: &AppState, r: &store::ReportRow) -> PublicReportDto {
    let (state, state_name) = state_named(&r.state);
    PublicReportDto {
        id: r.id,
        round_unit_id: r.round_unit_id.get(),
        org_name: r.org_name.clone(),
        round_name: r.round_name.clone(),
        category: r.category.clone(),
        category_name: ReportCategory::from_code(&r.category)
            .map_or(r.category.clone(), |c| c.label().to_string()),
        subject: dec(st, &r.subject_enc),
        named: r.named,
        state,
        state_name,
        reason: r.reason.clone(),
        clue_id: r.clue_id,
        duplicate_of: r.duplicate_of,
        standing: r.standing,
        version: r.version,
        created_at: rfc3339(r.created_at),
        updated_at: rfc3339(r.updated_at),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportPage {
    pub items: Vec<PublicReportDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// The queue of 码上巡察 reports the caller may work on (the `clue` compartment; team members of
/// the unit or `clue:lead`), newest first. The read is audited.
#[utoipa::path(get, operation_id = "public_reports_list", path = "/api/v1/public-reports", tag = "clues", params(PublicReportQuery),
    responses((status = 200, body = PublicReportPage), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub(super) async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PublicReportQuery>,
) -> ApiResult<axum::Json<PublicReportPage>> {
    let a = access(&auth)?;
    let state = state_param(q.state.as_deref(), ReportState::ALL, ReportState::code)?;
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows = store::list_reports(
        &st.db,
        &a,
        &store::ReportFilter {
            round_unit_id: q.round_unit_id,
            state,
            standing: q.standing,
            awaiting_review: q.review,
        },
        page,
    )
    .await?;
    let ids: Vec<String> = rows.items.iter().map(|r| r.id.to_string()).collect();
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "public_report.list",
            "public_report",
            "",
            Msg::new("audit.clue_list")
                .arg("ids", ids.join(","))
                .render(),
        ),
    )
    .await?;
    Ok(axum::Json(PublicReportPage {
        items: rows.items.iter().map(|r| report_dto(&st, r)).collect(),
        total: rows.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportDetail {
    #[serde(flatten)]
    pub report: PublicReportDto,
    pub facts: String,
    pub happened: String,
    /// The reporter's name: only for holders of the reporter compartment, and only when named.
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    /// Whether the caller may see the reporter's identity.
    pub reporter_visible: bool,
    pub messages: Vec<PublicReportMessage>,
    pub files: Vec<PublicReportFile>,
    /// Its 转办 to responsible units, oldest first.
    pub transfers: Vec<ReportTransferDto>,
}

async fn full(
    st: &AppState,
    auth: &Auth,
    a: &ClueAccess,
    id: i64,
) -> ApiResult<PublicReportDetail> {
    let r = load(st, a, id).await?;
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "public_report.read",
            "public_report",
            id,
            Msg::new("public_report.audit_read").arg("id", id).render(),
        ),
    )
    .await?;
    let reporter_visible = auth.access.has_compartment(Compartment::Reporter);
    let shown = |v: &Option<Vec<u8>>| {
        if reporter_visible {
            v.as_ref().map(|d| dec(st, d))
        } else {
            None
        }
    };
    Ok(PublicReportDetail {
        facts: dec(st, &r.facts_enc),
        happened: dec(st, &r.happened_enc),
        reporter_name: shown(&r.reporter_name_enc),
        reporter_phone: shown(&r.reporter_phone_enc),
        reporter_visible,
        messages: message_dtos(st, store::messages(&st.db, id).await?),
        files: file_dtos(store::files(&st.db, id).await?),
        transfers: store::transfers_of(&st.db, id)
            .await?
            .iter()
            .map(|t| transfer_dto(st, t))
            .collect(),
        report: report_dto(st, &r),
    })
}

/// One report, decrypted, with its conversation and attachments. The read is audited.
#[utoipa::path(get, operation_id = "public_reports_get", path = "/api/v1/public-reports/{id}", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem)))]
pub(super) async fn detail(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportDecide {
    /// `accept` or `decline`.
    pub decision: String,
    /// Required to decline; shown to the reporter.
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// Accepts (受理) or declines a new report; a decline's reason is shown to the reporter.
#[utoipa::path(post, operation_id = "public_reports_decide", path = "/api/v1/public-reports/{id}/decide", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicReportDecide,
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn decide(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PublicReportDecide>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    let to = match b.decision.as_str() {
        "accept" => ReportState::Accepted,
        "decline" => ReportState::Declined,
        other => {
            return Err(DomainError::field(
                "decision",
                Msg::new("validation.unknown_value")
                    .arg("field", "field.decision")
                    .arg("value", other)
                    .arg("allowed", "accept、decline"),
            )
            .into());
        }
    };
    let reason = dom::text("reason", &b.reason, dom::MAX_MESSAGE_CHARS, false)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    if to == ReportState::Declined && reason.is_empty() {
        return Err(ApiError::field(
            "reason",
            &Msg::new("public_report.reason_required"),
        ));
    }
    let r = load(&st, &a, id).await?;
    if r.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    r.state()?.decide(to)?;
    let reason = (to == ReportState::Declined).then_some(reason);
    store::decide(&st.db, &auth.actor, &r, to, reason.as_deref()).await?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportQuestion {
    pub question: String,
}

/// Asks the reporter a question (shown on the follow-up page).
#[utoipa::path(post, operation_id = "public_reports_ask", path = "/api/v1/public-reports/{id}/questions", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicReportQuestion,
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn ask(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PublicReportQuestion>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    let q = dom::text("question", &b.question, dom::MAX_MESSAGE_CHARS, true)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let r = load(&st, &a, id).await?;
    store::ask(&st.db, &auth.actor, &r, &enc(&st, &q)?).await?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportConvert {
    /// The clue's summary; by default 码上巡察反映：{category}.
    #[serde(default)]
    pub summary: String,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportConverted {
    pub clue_id: i64,
}

/// Converts a report into a clue of the same round unit (source 码上巡察), linked to the report.
/// The clue takes the person concerned and the facts (with the reporter's later answers), never
/// the reporter's identity: its informant reads 码上巡察反映 {id}.
#[utoipa::path(post, operation_id = "public_reports_convert", path = "/api/v1/public-reports/{id}/clue", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicReportConvert,
    responses((status = 201, body = PublicReportConverted), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn convert(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PublicReportConvert>,
) -> ApiResult<(StatusCode, axum::Json<PublicReportConverted>)> {
    let a = access(&auth)?;
    let summary = dom::text("summary", &b.summary, 200, false)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let r = load(&st, &a, id).await?;
    if r.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    let category = ReportCategory::from_code(&r.category)
        .map_or(r.category.clone(), |c| c.label().to_string());
    let summary = if summary.is_empty() {
        Msg::new("public_report.clue_summary")
            .arg("category", &category)
            .render()
    } else {
        summary
    };
    // The facts: what happened, when, and the reporter's answers (not the reporter).
    let mut facts = dec(&st, &r.facts_enc);
    let happened = dec(&st, &r.happened_enc);
    if !happened.is_empty() {
        facts = format!(
            "{}：{happened}\n{facts}",
            xuncha_domain::i18n::field_label("happened")
        );
    }
    for m in store::messages(&st.db, id).await? {
        let who = if m.author == "team" {
            Msg::new("public_report.team").render()
        } else {
            Msg::new("public_report.reporter").render()
        };
        facts.push_str(&format!("\n{who}：{}", dec(&st, &m.body_enc)));
    }
    let comment = Msg::new("public_report.clue_comment")
        .arg("id", id)
        .render();
    let clue = xuncha_store::clues::NewClue {
        source: xuncha_domain::inspection::ClueSource::Qr.code().to_string(),
        summary,
        subject_name_enc: r.subject_enc.clone(),
        subject_post_enc: enc(&st, "")?,
        informant_enc: enc(&st, &comment)?,
        facts_enc: enc(&st, &facts)?,
    };
    let clue_id = store::convert_to_clue(&st.db, &auth.actor, &r, &clue, &comment).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PublicReportConverted { clue_id }),
    ))
}

/// One attachment of a report (photos without their metadata). The download is audited.
#[utoipa::path(get, operation_id = "public_reports_file", path = "/api/v1/public-reports/{id}/files/{file_id}", tag = "clues",
    params(("id" = i64, Path), ("file_id" = i64, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 404, body = crate::error::Problem)))]
pub(super) async fn file(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath((id, file_id)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    use axum::response::IntoResponse;
    let a = access(&auth)?;
    let (meta, data) = store::file_bytes(&st.db, &a, id, file_id)
        .await
        .map_err(ApiError::not_found_as("public_report.not_found_staff"))?;
    let bytes = st
        .crypto
        .decrypt(&data)
        .map_err(|_| ApiError::key(StatusCode::CONFLICT, "crypto.undecryptable"))?;
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "public_report.file",
            "public_report",
            id,
            Msg::new("public_report.audit_file").arg("id", id).render(),
        ),
    )
    .await?;
    let ext = meta.name.rsplit('.').next().unwrap_or("bin");
    Ok(
        crate::routes::common::download(
            &meta.media_type,
            &format!("file.{ext}"),
            &meta.name,
            bytes,
        )
        .into_response(),
    )
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportMerge {
    /// The earlier report this one repeats (one the caller works too).
    pub duplicate_of: i64,
    /// Shown to the reporter; by default 与已收到的反映重复，合并办理.
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// Marks a new or accepted report as a repeat of an earlier one (重复反映) and closes it; the
/// reporter reads the note. Both reports must be ones the caller works.
#[utoipa::path(post, operation_id = "public_reports_merge", path = "/api/v1/public-reports/{id}/duplicate", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicReportMerge,
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn merge(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PublicReportMerge>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    let reason = dom::text("reason", &b.reason, dom::MAX_MESSAGE_CHARS, false)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let r = load(&st, &a, id).await?;
    let of = store::get_report(&st.db, &a, b.duplicate_of)
        .await
        .map_err(|e| match e {
            xuncha_store::StoreError::NotFound => ApiError::field(
                "duplicate_of",
                &Msg::new("public_report.ref_not_found").arg("field", "field.duplicate_of"),
            ),
            e => e.into(),
        })?;
    if r.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    let reason = if reason.is_empty() {
        Msg::new("public_report.duplicate_reason").render()
    } else {
        reason
    };
    store::merge_duplicate(&st.db, &auth.actor, &r, &of, &reason).await?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportTransferDto {
    pub id: i64,
    pub report_id: i64,
    /// The responsible unit that replies.
    pub org_id: i64,
    pub org_name: String,
    /// The inspected unit the report came through.
    pub unit_org_name: String,
    pub round_name: String,
    pub category_name: String,
    /// The team's instruction (what to look into).
    pub instruction: String,
    /// YYYY-MM-DD
    pub deadline: String,
    /// PENDING, REPLIED, DONE
    pub state: String,
    pub state_name: String,
    /// Still waiting for the reply after the deadline.
    pub overdue: bool,
    pub reply: Option<String>,
    pub replied_at: Option<String>,
    /// Why the team returned the last reply.
    pub review_comment: Option<String>,
    pub created_at: String,
    pub version: i64,
}

pub(super) fn transfer_dto(st: &AppState, t: &store::TransferRow) -> ReportTransferDto {
    let state = TransferState::from_code(&t.state);
    ReportTransferDto {
        id: t.id,
        report_id: t.report_id,
        org_id: t.org_id,
        org_name: t.org_name.clone(),
        unit_org_name: t.unit_org_name.clone(),
        round_name: t.round_name.clone(),
        category_name: ReportCategory::from_code(&t.category)
            .map_or(t.category.clone(), |c| c.label().to_string()),
        instruction: dec(st, &t.instruction_enc),
        deadline: crate::routes::common::date_str(t.deadline),
        state: t.state.clone(),
        state_name: state.map_or(t.state.clone(), |s| s.label().to_string()),
        overdue: state.is_some_and(|s| s.overdue(t.deadline, st.db.today())),
        reply: t.reply_enc.as_ref().map(|d| dec(st, d)),
        replied_at: t.replied_at.map(rfc3339),
        review_comment: t.review_comment.clone(),
        created_at: rfc3339(t.created_at),
        version: t.version,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReportTransfer {
    /// The responsible unit or department (in the caller's data scope).
    pub org_id: i64,
    /// The last day for its reply (YYYY-MM-DD, not before today).
    pub deadline: String,
    /// What the unit is asked to look into. The unit reads only this: write nothing that
    /// identifies the reporter.
    pub instruction: String,
    pub version: i64,
}

/// 转办: sends a new or accepted report to the responsible unit with a deadline. The unit reads
/// the team's instruction only (never the report, its attachments or the reporter) and must
/// reply; the team reviews the reply before the report is closed.
#[utoipa::path(post, operation_id = "public_reports_transfer", path = "/api/v1/public-reports/{id}/transfer", tag = "clues", params(("id" = i64, Path)),
    request_body = PublicReportTransfer,
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn transfer(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PublicReportTransfer>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    let mut errors = Vec::new();
    let instruction = dom::text("instruction", &b.instruction, dom::MAX_TRANSFER_CHARS, true)
        .map_err(|e| errors.push(e))
        .ok();
    let deadline = crate::routes::common::parse_date("deadline", &b.deadline)
        .map_err(|e| errors.push(e))
        .ok();
    if let Some(d) = deadline
        && d < st.db.today()
    {
        errors.push(xuncha_domain::FieldError::new(
            "deadline",
            Msg::new("date.past").arg("field", "field.deadline"),
        ));
    }
    let org = match xuncha_store::orgs::get(&st.db, &auth.scope, b.org_id.into()).await {
        Ok(o) => Some(o),
        Err(xuncha_store::StoreError::NotFound) => {
            errors.push(xuncha_domain::FieldError::new(
                "org_id",
                Msg::new("public_report.ref_not_found").arg("field", "field.transfer_org"),
            ));
            None
        }
        Err(e) => return Err(e.into()),
    };
    let (Some(instruction), Some(deadline), Some(org), true) =
        (instruction, deadline, org, errors.is_empty())
    else {
        return Err(DomainError::Invalid(errors).into());
    };
    let r = load(&st, &a, id).await?;
    if r.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    store::transfer(
        &st.db,
        &auth.actor,
        &r,
        org.id.get(),
        deadline,
        &enc(&st, &instruction)?,
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportTransferReview {
    pub transfer_id: i64,
    /// Accept the reply (the report is closed with `opinion` shown to the reporter as the
    /// answer) or return it to the unit (`opinion` says why).
    pub accept: bool,
    pub opinion: String,
    /// The transfer's version.
    pub version: i64,
}

/// Reviews the unit's reply to a 转办: accepted, the report is closed and the reporter reads the
/// team's answer; returned, the unit replies again.
#[utoipa::path(post, operation_id = "public_reports_review", path = "/api/v1/public-reports/{id}/transfer/review", tag = "clues", params(("id" = i64, Path)),
    request_body = ReportTransferReview,
    responses((status = 200, body = PublicReportDetail), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem)))]
pub(super) async fn review(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReportTransferReview>,
) -> ApiResult<axum::Json<PublicReportDetail>> {
    let a = access(&auth)?;
    let comment = dom::text("opinion", &b.opinion, dom::MAX_MESSAGE_CHARS, true)
        .map_err(|e| ApiError::from(DomainError::Invalid(vec![e])))?;
    let r = load(&st, &a, id).await?;
    let t = store::transfers_of(&st.db, id)
        .await?
        .into_iter()
        .find(|t| t.id == b.transfer_id)
        .ok_or_else(|| {
            ApiError::field(
                "transfer_id",
                &Msg::new("public_report.ref_not_found").arg("field", "field.transfer_id"),
            )
        })?;
    if t.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    store::review(&st.db, &auth.actor, &r, &t, b.accept, &comment).await?;
    Ok(axum::Json(full(&st, &auth, &a, id).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PublicReportStatsQuery {
    /// Only the reports of one round.
    pub round_id: Option<i64>,
}

/// A group of reports: its code (state, category) or round unit id, its name, how many.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportStatGroup {
    pub key: String,
    pub name: String,
    pub count: i64,
}

/// How long a step took, in hours, over the reports (or transfers) that finished it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ReportSpan {
    pub count: i64,
    pub mean_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

impl From<dom::Span> for ReportSpan {
    fn from(s: dom::Span) -> Self {
        ReportSpan {
            count: s.count,
            mean_hours: s.mean_hours,
            median_hours: s.median_hours,
        }
    }
}

/// The statistics of the 码上巡察 reports the caller works.
#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReportStats {
    pub total: i64,
    /// Came in after the round ended (the office's standing queue).
    pub standing: i64,
    pub by_state: Vec<ReportStatGroup>,
    pub by_category: Vec<ReportStatGroup>,
    /// By inspected unit (key: the round unit id), most reports first; every unit with a report.
    pub by_unit: Vec<ReportStatGroup>,
    /// Converted into clues.
    pub to_clue: i64,
    /// Merged into an earlier report.
    pub duplicates: i64,
    /// From receipt to the team's first decision (受理, 不予受理, 转办, merge or conversion).
    pub decision: ReportSpan,
    pub transfers: i64,
    /// Transfers still waiting for the unit's reply after their deadline.
    pub transfers_overdue: i64,
    /// From the 转办 to the unit's reply.
    pub reply: ReportSpan,
}

fn groups(
    rows: Vec<store::StatGroup>,
    label: impl Fn(&str) -> Option<String>,
) -> Vec<ReportStatGroup> {
    rows.into_iter()
        .map(|g| ReportStatGroup {
            name: label(&g.key).unwrap_or(g.name),
            key: g.key,
            count: g.count,
        })
        .collect()
}

/// Counts and timings of the reports the caller works (scoped like the queue): by state,
/// category and unit, conversions and repeats, the time to decide and the time units take to
/// reply to a 转办, overdue transfers.
#[utoipa::path(get, operation_id = "public_reports_stats", path = "/api/v1/public-reports/stats", tag = "clues", params(PublicReportStatsQuery),
    responses((status = 200, body = PublicReportStats), (status = 400, body = crate::error::Problem), (status = 403, body = crate::error::Problem)))]
pub(super) async fn stats(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<PublicReportStatsQuery>,
) -> ApiResult<axum::Json<PublicReportStats>> {
    let a = access(&auth)?;
    let s = store::stats(
        &st.db,
        &a,
        &store::StatsFilter {
            round_id: q.round_id,
        },
        st.db.today(),
    )
    .await?;
    Ok(axum::Json(PublicReportStats {
        total: s.total,
        standing: s.standing,
        by_state: groups(s.by_state, |k| {
            ReportState::from_code(k).map(|x| x.label().to_string())
        }),
        by_category: groups(s.by_category, |k| {
            ReportCategory::from_code(k).map(|x| x.label().to_string())
        }),
        by_unit: groups(s.by_unit, |_| None),
        to_clue: s.to_clue,
        duplicates: s.duplicates,
        decision: s.decision.into(),
        transfers: s.transfers,
        transfers_overdue: s.transfers_overdue,
        reply: s.reply.into(),
    }))
}

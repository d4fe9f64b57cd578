//! Rectification routes: reports.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_office::documents::rectification::{RectReport, ReportFigures, ReportItem, rect_report};

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: i64,
    pub round_unit_id: i64,
    #[schema(value_type = crate::codes::ReportKind)]
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: String,
    pub meeting_date: Option<String>,
    pub participants: Option<String>,
    pub filed_at: Option<String>,
    pub filed_to_name: Option<String>,
    pub created_at: String,
    pub url: String,
}

pub(super) fn report_dto(r: store::Report) -> ReportDto {
    ReportDto {
        kind_name: label(&r.kind, ReportKind::from_code, ReportKind::label),
        url: format!("/api/v1/rect/reports/{}/docx", r.id),
        id: r.id,
        round_unit_id: r.round_unit_id.get(),
        kind: r.kind,
        title: r.title,
        content: r.content,
        principal_leader: r.principal_leader,
        signed_on: date_str(r.signed_on),
        meeting_date: r.meeting_date.map(date_str),
        participants: r.participants,
        filed_at: r.filed_at.map(rfc3339),
        filed_to_name: r.filed_to_name,
        created_at: rfc3339(r.created_at),
    }
}

/// The unit's reports: 整改情况报告, 专题民主生活会 records, long-term periodic reports.
#[utoipa::path(get, operation_id = "rect_reports", path = "/api/v1/rect/units/{id}/reports", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReportDto>)))]
pub(super) async fn list_reports(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<RoundUnitId>,
) -> ApiResult<axum::Json<Vec<ReportDto>>> {
    let rows = store::reports(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(rows.into_iter().map(report_dto).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSave {
    /// rect_report | life_meeting | periodic
    pub kind: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: String,
    pub meeting_date: Option<String>,
    pub participants: Option<String>,
}

/// Adds a report signed by the principal leader.
#[utoipa::path(post, operation_id = "rect_report_add", path = "/api/v1/rect/units/{id}/reports", tag = "rect", params(("id" = i64, Path)),
    request_body = ReportSave, responses((status = 201, body = ReportDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn add_report(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<ReportSave>,
) -> ApiResult<(StatusCode, axum::Json<ReportDto>)> {
    crate::routes::max_lengths(&[(
        "participants",
        b.participants.as_deref().unwrap_or_default(),
        xuncha_domain::limits::NOTE_CHARS,
    )])?;
    use xuncha_domain::error::required_text;
    let mut errs = Vec::new();
    let kind = ReportKind::parse_field("kind", &b.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let title = required_text("title", &b.title, 200)
        .map_err(|e| errs.push(e))
        .ok();
    let content = required_text("content", &b.content, 50_000)
        .map_err(|e| errs.push(e))
        .ok();
    let leader = required_text("principal_leader", &b.principal_leader, 50)
        .map_err(|e| errs.push(e))
        .ok();
    let today = st.db.today();
    let signed = parse_date("signed_on", &b.signed_on)
        .and_then(|d| {
            xuncha_domain::inspection::check_not_future("signed_on", d, today).map(|()| d)
        })
        .map_err(|e| errs.push(e))
        .ok();
    let meeting = match b
        .meeting_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => parse_date("meeting_date", s)
            .and_then(|d| {
                xuncha_domain::inspection::check_not_future("meeting_date", d, today).map(|()| d)
            })
            .map_err(|e| errs.push(e))
            .ok(),
    };
    if kind == Some(ReportKind::LifeMeeting) && meeting.is_none() {
        errs.push(FieldError::required("meeting_date"));
    }
    let (Some(kind), Some(title), Some(content), Some(leader), Some(signed), true) =
        (kind, title, content, leader, signed, errs.is_empty())
    else {
        return Err(invalid(errs));
    };
    let r = store::add_report(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::ReportDraft {
            kind,
            title,
            content,
            principal_leader: leader,
            signed_on: signed,
            meeting_date: meeting,
            participants: b
                .participants
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        },
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(report_dto(r))))
}

/// 报告报备: files the report with the office that ran the round.
#[utoipa::path(post, operation_id = "rect_report_file", path = "/api/v1/rect/reports/{id}/file", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn file_report(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ReportDto>> {
    let r = store::file_report(&st.db, &auth.actor, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(report_dto(r)))
}

/// The report as a .docx: the text, then the ledger item by item with status and outcomes.
#[utoipa::path(get, operation_id = "rect_report_docx", path = "/api/v1/rect/reports/{id}/docx", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
pub(super) async fn report_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let r = store::report(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let u = store::unit(&st.db, &Scope::unrestricted(), r.round_unit_id).await?;
    let (t, o) = store::office_today(&st.db, u.owner_org_id, st.db.today()).await?;
    let f = LedgerFilter {
        round_unit_id: Some(u.id),
        ..LedgerFilter::default()
    };
    // Every item of the unit (its filter bounds the read).
    let rows = store::ledger_all(&st.db, &Scope::unrestricted(), &f, &t, i64::MAX).await?;
    let ledger = if r.kind == ReportKind::LifeMeeting.code() {
        None
    } else {
        let facts: Vec<dom::ItemFacts> = rows
            .iter()
            .map(|x| dom::ItemFacts {
                closed: x.state == FindingState::Closed,
                long_term: x.state == FindingState::LongTerm,
                deadline: x.deadline,
                closed_on: x.closed_on,
                extensions: x.extensions,
            })
            .collect();
        let s = dom::rect_stats(&facts, t.today);
        let items = rows
            .into_iter()
            .map(|x| {
                let dto = row_dto(x, t.today, &o);
                ReportItem {
                    title: dto.title,
                    deadline: dto.deadline.unwrap_or_default(),
                    state: dto.state_name,
                    warning: dto
                        .warning
                        .as_deref()
                        .and_then(Warning::from_code)
                        .map(|w| w.label().to_string())
                        .unwrap_or_default(),
                }
            })
            .collect();
        let totals =
            store::outcome_totals(&st.db, &Scope::unrestricted(), Some(u.id), None, None).await?;
        let figures = ReportFigures {
            total: s.total,
            completed: s.completed,
            completion_rate: s.completion_rate,
            long_term: s.long_term,
            overdue: s.overdue,
        };
        Some((figures, items, outcome_sentence(&totals)))
    };
    let doc = rect_report(&RectReport {
        title: &r.title,
        office_name: &u.owner_org_name,
        unit_name: &u.org_name,
        content: &r.content,
        meeting: r
            .meeting_date
            .map(|m| (m, r.participants.clone().unwrap_or_default())),
        ledger,
        principal_leader: &r.principal_leader,
        signed_on: r.signed_on,
    });
    crate::routes::documents::docx(&r.title, &doc)
}

/// "建立完善制度N项，退缴X元，挽回损失Y元，问责Z人" from rolled-up outcomes.
pub fn outcome_sentence(totals: &[(String, i64, i64, i64)]) -> String {
    let get = |k: OutcomeKind| {
        totals
            .iter()
            .find(|(c, _, _, _)| c == k.code())
            .map_or((0, 0, 0), |(_, n, c, a)| (*n, *c, *a))
    };
    let (rules, rule_count, _) = get(OutcomeKind::Rule);
    let (_, _, returned) = get(OutcomeKind::MoneyReturned);
    let (_, _, recovered) = get(OutcomeKind::LossRecovered);
    let (acc, acc_count, _) = get(OutcomeKind::Accountability);
    Msg::new("rect.outcome_summary")
        .arg("rules", rule_count.max(rules))
        .arg("returned", dom::fen_to_yuan(returned))
        .arg("recovered", dom::fen_to_yuan(recovered))
        .arg("accountability", acc_count.max(acc))
        .render()
}

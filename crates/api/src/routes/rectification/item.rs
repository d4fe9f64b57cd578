//! Rectification routes: one item.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

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
        state_name: x.state.label().to_string(),
        id: x.id,
        finding_id: x.finding_id.get(),
        title: x.title,
        org_name: x.org_name,
        measure_id: x.measure_id,
        old_deadline: date_str(x.old_deadline),
        new_deadline: date_str(x.new_deadline),
        reason: x.reason,
        state: x.state.code().to_string(),
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
    #[schema(value_type = Option<i64>)]
    pub addressee_org_id: Option<OrgId>,
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
        round_unit_id: l.round_unit_id.get(),
        org_name: l.org_name,
        requirement: l.requirement,
        new_deadline: l.new_deadline.map(date_str),
        issued_at: rfc3339(l.issued_at),
        issued_by_name: l.issued_by_name,
        addressee_org_id: l.addressee_org_id,
        addressee_name: l.addressee_name,
        state_name: l.state.label().to_string(),
        state: l.state.code().to_string(),
        withdrawn_at: l.withdrawn_at.map(rfc3339),
        withdrawn_by_name: l.withdrawn_by_name,
        withdraw_reason: l.withdraw_reason,
        version: l.version,
    }
}

/// Whether a letter counts as issued for the ladder (a withdrawn one does not).
pub(super) fn letter_counts(l: &store::Letter) -> bool {
    Some(l.state).is_none_or(LetterState::counts)
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
        overdue: dom::measure_overdue(m.state, m.deadline, item, today),
        done_on: m.done_on.map(date_str),
        kind_name: m.kind.label().to_string(),
        co_depts: serde_json::from_str(&m.co_depts).unwrap_or_default(),
        id: m.id,
        kind: m.kind.code().to_string(),
        content: m.content,
        target: m.target,
        responsible_leader: m.responsible_leader,
        lead_dept: m.lead_dept,
        deadline: date_str(m.deadline),
        original_deadline: date_str(m.original_deadline),
        state: m.state.code().to_string(),
        version: m.version,
    }
}

pub(super) async fn item_dto(st: &AppState, auth: &Auth, id: FindingId) -> ApiResult<RectItem> {
    let with_clues = auth
        .access
        .has_compartment(xuncha_domain::perm::Compartment::Clue);
    let r = store::item_record(&st.db, &auth.scope, id, st.db.today(), with_clues)
        .await
        .map_err(not_found())?;
    let state = r.row.state;
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
            state_name: w.state.label().to_string(),
            outcome_name: label(&w.outcome, Outcome::from_code, Outcome::label),
            id: w.id,
            state: w.state.code().to_string(),
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
    Ok(axum::Json(item_dto(&st, &auth, id.into()).await?))
}

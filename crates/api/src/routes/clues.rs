//! The clue register: compartmented, person fields encrypted, every read audited.

use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::error::{Errors, required_text};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::{
    self as dom, ClueSource, ClueState, Disposition, TargetBody, TriageDecision,
};
use xuncha_domain::perm::{CLUE_DISPOSE, CLUE_LEAD, Compartment, FIELDWORK_WRITE};
use xuncha_store::audit::{Event, record_event};
use xuncha_store::clues::{self, ClueAccess, ClueChange, ClueFilter, ClueRow, NewClue};
use xuncha_store::scope::Scope;

use super::inspection::{EventDto, date_str, event_dtos};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, ClueDispose, ClueLead, FieldworkWrite, Need};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(create))
        .routes(routes!(detail))
        .routes(routes!(triage))
        .routes(routes!(transition))
        .routes(routes!(transfer))
        .routes(routes!(receipt))
        .routes(routes!(disposition))
        .routes(routes!(close))
}

/// The months each office gives a clue's result (its own setting, else inherited, else 3).
pub struct ResultMonths(std::collections::HashMap<i64, u8>);

impl ResultMonths {
    /// The months of `office` (the office that runs the clue's round).
    pub fn of(&self, office: i64) -> u8 {
        self.0
            .get(&office)
            .copied()
            .unwrap_or(dom::CLUE_RESULT_MONTHS)
    }
}

/// The configured months for a clue's result of each of `offices`, loaded at once.
pub async fn result_months(st: &AppState, offices: &[i64]) -> ApiResult<ResultMonths> {
    use xuncha_store::settings;
    let mut offices = offices.to_vec();
    offices.sort_unstable();
    offices.dedup();
    let groups = settings::groups(&st.db, &offices, &[settings::CLUE_RESULT_MONTHS]).await?;
    Ok(ResultMonths(
        groups
            .into_iter()
            .map(|(o, g)| {
                let v = g.int(
                    settings::CLUE_RESULT_MONTHS,
                    i64::from(dom::CLUE_RESULT_MONTHS),
                );
                (
                    o,
                    u8::try_from(v.clamp(1, 24)).unwrap_or(dom::CLUE_RESULT_MONTHS),
                )
            })
            .collect(),
    ))
}

/// The caller's access to clues.
pub fn clue_access(auth: &Auth) -> ClueAccess {
    ClueAccess {
        user_id: auth.user.id,
        compartment: auth.access.has_compartment(Compartment::Clue),
        lead: auth.access.has(CLUE_LEAD),
        dispose: auth.access.has(CLUE_DISPOSE),
        scope: auth.scope.clone(),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClueDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub source: String,
    pub source_name: String,
    pub summary: String,
    /// Decrypted; null in lists.
    pub subject_name: Option<String>,
    pub subject_post: Option<String>,
    /// The informant (反映人): only for holders of the reporter compartment, never in lists.
    pub informant: Option<String>,
    /// Whether the caller may see the informant (holds the reporter compartment).
    pub informant_visible: bool,
    pub facts: Option<String>,
    pub state: String,
    pub state_name: String,
    pub target_body: Option<String>,
    pub receiving_org_id: Option<i64>,
    pub receiving_org_name: Option<String>,
    pub letter_no: Option<String>,
    pub transferred_at: Option<String>,
    pub received_at: Option<String>,
    pub disposition: Option<String>,
    pub disposition_name: Option<String>,
    pub result: Option<String>,
    pub result_at: Option<String>,
    pub finding_id: Option<i64>,
    /// Transferred more than three months ago without a result.
    pub overdue: bool,
    pub version: i64,
}

/// Decrypts a text field of a clue; a field the keys cannot read is a 409 with a Chinese
/// message (a wrong or missing key), never a 500.
pub fn decrypt(st: &AppState, data: &[u8]) -> ApiResult<String> {
    st.crypto
        .decrypt(data)
        .ok()
        .and_then(|plain| String::from_utf8(plain).ok())
        .ok_or_else(|| {
            tracing::error!("an encrypted field cannot be decrypted with the configured keys");
            ApiError::key(StatusCode::CONFLICT, "crypto.undecryptable")
        })
}

/// Decrypts a field for display: one undecryptable row shows 【无法解密】 (and is logged)
/// instead of failing the whole list or detail.
pub fn decrypt_shown(st: &AppState, data: &[u8]) -> String {
    decrypt(st, data).unwrap_or_else(|_| Msg::new("crypto.undecryptable_marker").render())
}

/// A clue for `auth`: `full` adds the person's post and the facts (a detail read); the informant
/// is decrypted only for a detail read by a holder of the reporter compartment.
pub fn clue_dto(
    st: &AppState,
    auth: &Auth,
    c: ClueRow,
    full: bool,
    months: u8,
) -> ApiResult<ClueDto> {
    let informant_visible = auth.access.has_compartment(Compartment::Reporter);
    let (subject_name, subject_post, informant, facts) = if full {
        (
            Some(decrypt_shown(st, &c.subject_name_enc)),
            Some(decrypt_shown(st, &c.subject_post_enc)),
            if informant_visible {
                Some(decrypt_shown(st, &c.informant_enc))
            } else {
                None
            },
            Some(decrypt_shown(st, &c.facts_enc)),
        )
    } else {
        (
            Some(decrypt_shown(st, &c.subject_name_enc)),
            None,
            None,
            None,
        )
    };
    Ok(ClueDto {
        overdue: dom::clue_overdue(c.transferred_on, c.result.is_some(), st.db.today(), months),
        source_name: ClueSource::from_code(&c.source)
            .map_or(c.source.clone(), |s| s.label().to_string()),
        state_name: ClueState::from_code(&c.state)
            .map_or(c.state.clone(), |s| s.label().to_string()),
        disposition_name: c
            .disposition
            .as_deref()
            .and_then(Disposition::from_code)
            .map(|d| d.label().to_string()),
        id: c.id,
        round_unit_id: c.round_unit_id,
        org_id: c.org_id,
        org_name: c.org_name,
        source: c.source,
        summary: c.summary,
        subject_name,
        subject_post,
        informant,
        informant_visible,
        facts,
        state: c.state,
        target_body: c.target_body,
        receiving_org_id: c.receiving_org_id,
        receiving_org_name: c.receiving_org_name,
        letter_no: c.letter_no,
        transferred_at: c.transferred_on.map(date_str),
        received_at: c.received_at.map(rfc3339),
        disposition: c.disposition,
        result: c.result,
        result_at: c.result_at.map(rfc3339),
        finding_id: c.finding_id,
        version: c.version,
    })
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueQuery {
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    /// Only clues transferred to the caller's organisations (the receiving body's inbox).
    #[serde(default)]
    pub received: bool,
}

/// Clues the caller may see (the `clue` compartment is required). The list read is audited.
#[utoipa::path(get, operation_id = "clues_list", path = "/api/v1/clues", tag = "clues", params(ClueQuery), responses((status = 200, body = Vec<ClueDto>)))]
async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ClueQuery>,
) -> ApiResult<axum::Json<Vec<ClueDto>>> {
    let access = clue_access(&auth);
    if !access.compartment {
        return Err(ApiError::forbidden());
    }
    let rows = clues::list_clues(
        &st.db,
        &access,
        &ClueFilter {
            round_unit_id: q.round_unit_id,
            state: q.state,
            received_only: q.received,
        },
    )
    .await?;
    let offices: Vec<i64> = rows.iter().map(|c| c.owner_org_id).collect();
    let months = result_months(&st, &offices).await?;
    let ids: Vec<String> = rows.iter().map(|c| c.id.to_string()).collect();
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.list",
            "clue",
            "",
            format!("查阅问题线索列表（{}）", ids.join(",")),
        ),
    )
    .await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|c| {
                let m = months.of(c.owner_org_id);
                clue_dto(&st, &auth, c, false, m)
            })
            .collect::<Result<_, _>>()?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClueCreate {
    /// petition, talk, qr, document, other
    pub source: String,
    pub summary: String,
    pub subject_name: String,
    #[serde(default)]
    pub subject_post: String,
    #[serde(default)]
    pub informant: String,
    pub facts: String,
}

/// Registers a received item in the clue register (state RECEIVED); person fields are encrypted.
#[utoipa::path(post, operation_id = "clues_create", path = "/api/v1/round-units/{id}/clues", tag = "clues", params(("id" = i64, Path)), request_body = ClueCreate,
    responses((status = 201, body = ClueDto), (status = 422, body = crate::error::Problem)))]
async fn create(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ClueCreate>,
) -> ApiResult<(StatusCode, axum::Json<ClueDto>)> {
    super::max_lengths(&[
        ("source", &b.source, xuncha_domain::limits::LABEL_CHARS),
        (
            "subject_post",
            &b.subject_post,
            xuncha_domain::limits::LABEL_CHARS,
        ),
        ("informant", &b.informant, xuncha_domain::limits::NOTE_CHARS),
    ])?;
    let access = clue_access(&auth);
    if !access.compartment {
        return Err(ApiError::forbidden());
    }
    let mut e = Errors::default();
    let source = ClueSource::parse_field("source", &b.source)
        .map_err(|x| e.push(x))
        .ok();
    let summary = required_text("summary", &b.summary, 200)
        .map_err(|x| e.push(x))
        .ok();
    let subject = required_text("subject_name", &b.subject_name, 50)
        .map_err(|x| e.push(x))
        .ok();
    let facts = required_text("facts", &b.facts, 20_000)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let (Some(source), Some(summary), Some(subject), Some(facts)) =
        (source, summary, subject, facts)
    else {
        return Err(ApiError::forbidden());
    };
    let enc = |s: &str| {
        st.crypto
            .encrypt(s.trim().as_bytes())
            .map_err(|e| ApiError::internal(&e))
    };
    let new = NewClue {
        source: source.code().to_string(),
        summary,
        subject_name_enc: enc(&subject)?,
        subject_post_enc: enc(&b.subject_post)?,
        informant_enc: enc(&b.informant)?,
        facts_enc: enc(&facts)?,
    };
    let cid = clues::create_clue(&st.db, &auth.actor, &access, id, &new)
        .await
        .map_err(ApiError::not_found_as("inspection.unit_not_found"))?;
    let row = clues::get_clue(&st.db, &access, cid).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json({
            let m = result_months(&st, &[row.owner_org_id])
                .await?
                .of(row.owner_org_id);
            clue_dto(&st, &auth, row, true, m)?
        }),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ClueDetail {
    #[serde(flatten)]
    pub clue: ClueDto,
    /// The state changes the caller may make now through `/transition`, `/transfer`, `/receipt`,
    /// `/disposition` or `/close`.
    pub transitions: Vec<super::inspection::TransitionOption>,
    pub events: Vec<EventDto>,
}

async fn load(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueRow> {
    let access = clue_access(auth);
    clues::get_clue(&st.db, &access, id)
        .await
        .map_err(ApiError::not_found_as("inspection.clue_not_found"))
}

async fn full(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueDetail> {
    let row = load(st, auth, id).await?;
    record_event(
        &st.db,
        &auth.actor,
        &Event::read("clue.read", "clue", id, format!("查阅问题线索 {id}")),
    )
    .await?;
    let events = event_dtos(
        xuncha_store::inspection::events(&st.db, "clue", id).await?,
        |s| ClueState::from_code(s).map_or(s.to_string(), |x| x.label().to_string()),
    );
    let transitions = allowed(auth, &row)?;
    Ok(ClueDetail {
        transitions,
        clue: {
            let m = result_months(st, &[row.owner_org_id])
                .await?
                .of(row.owner_org_id);
            clue_dto(st, auth, row, true, m)?
        },
        events,
    })
}

/// The next states the caller may move a clue to.
fn allowed(auth: &Auth, row: &ClueRow) -> ApiResult<Vec<super::inspection::TransitionOption>> {
    use ClueState as C;
    let lead = auth.access.has(CLUE_LEAD);
    let team = auth.access.has(FIELDWORK_WRITE);
    let dispose = auth.access.has(CLUE_DISPOSE);
    let next: Vec<C> = match row.state()? {
        C::Received if team => vec![C::Clue, C::ToFinding, C::Forwarded, C::Dismissed],
        C::Clue if team => vec![C::Reported],
        C::Reported if lead => vec![C::TransferApproved],
        C::TransferApproved if lead => vec![C::Transferred],
        C::Transferred if dispose => vec![C::Disposing],
        C::Disposing if dispose => vec![C::ResultFedBack],
        C::ResultFedBack if lead => vec![C::Closed],
        _ => Vec::new(),
    };
    Ok(next
        .into_iter()
        .map(|s| super::inspection::TransitionOption {
            to: s.code().into(),
            name: s.label().into(),
        })
        .collect())
}

/// One clue with its decrypted fields and timeline. The read is audited.
#[utoipa::path(get, operation_id = "clues_get", path = "/api/v1/clues/{id}", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 404, body = crate::error::Problem)))]
async fn detail(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ClueDetail>> {
    Ok(axum::Json(full(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TriageBody {
    /// clue, finding, forward, dismiss
    pub decision: String,
    #[serde(default)]
    pub comment: String,
    /// For `finding`: the category of the new draft finding.
    #[serde(default)]
    pub category_id: Option<i64>,
}

/// Triage of a received item (组务会): a clue, a general finding (a draft finding is created),
/// forwarding (转办) or dismissal.
#[utoipa::path(post, operation_id = "clues_triage", path = "/api/v1/clues/{id}/triage", tag = "clues", params(("id" = i64, Path)), request_body = TriageBody,
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn triage(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TriageBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    super::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
    let decision = TriageDecision::parse_field("decision", &b.decision)
        .map_err(|e| DomainError::Invalid(vec![e]))?;
    let row = load(&st, &auth, id).await?;
    let state = row.state()?;
    state.require(ClueState::Received).map_err(|_| {
        ApiError::from(DomainError::Rule(
            Msg::new("inspection.illegal_transition")
                .arg("from", state.label())
                .arg("to", decision.resulting_state().label()),
        ))
    })?;
    if decision == TriageDecision::Finding {
        let facts = decrypt(&st, &row.facts_enc)?;
        clues::triage_to_finding(
            &st.db,
            &auth.actor,
            &row,
            b.category_id,
            &row.summary,
            &facts,
            b.comment.trim(),
        )
        .await?;
    } else {
        clues::change_clue(
            &st.db,
            &auth.actor,
            &row,
            decision.resulting_state(),
            &ClueChange::default(),
            b.comment.trim(),
        )
        .await?;
    }
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// Clue report and transfer approval: CLUE → REPORTED (team) → TRANSFER_APPROVED (clue:lead);
/// RESULT_FED_BACK → CLOSED (clue:lead).
#[utoipa::path(post, operation_id = "clues_transition", path = "/api/v1/clues/{id}/transition", tag = "clues", params(("id" = i64, Path)),
    request_body = super::inspection::TransitionBody, responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn transition(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::inspection::TransitionBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    super::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
    let to = ClueState::parse_field("to", &b.to).map_err(|e| DomainError::Invalid(vec![e]))?;
    let needed = if to == ClueState::Reported {
        FIELDWORK_WRITE
    } else {
        CLUE_LEAD
    };
    auth.require(needed)?;
    let row = load(&st, &auth, id).await?;
    if row.version != b.version {
        return Err(xuncha_store::StoreError::StaleVersion.into());
    }
    row.state()?.check_manual(to)?;
    clues::change_clue(
        &st.db,
        &auth.actor,
        &row,
        to,
        &ClueChange::default(),
        b.comment.trim(),
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// discipline, org_dept, other
    pub target_body: String,
    pub receiving_org_id: i64,
    pub letter_no: String,
}

/// Transfers an approved clue (移交) to the receiving body with a transfer letter; the three-month
/// clock for its result starts.
#[utoipa::path(post, operation_id = "clues_transfer", path = "/api/v1/clues/{id}/transfer", tag = "clues", params(("id" = i64, Path)), request_body = TransferBody,
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn transfer(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TransferBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    super::max_lengths(&[(
        "target_body",
        &b.target_body,
        xuncha_domain::limits::LABEL_CHARS,
    )])?;
    let mut e = Errors::default();
    let target = TargetBody::parse_field("target_body", &b.target_body)
        .map_err(|x| e.push(x))
        .ok();
    let letter = required_text("letter_no", &b.letter_no, 50)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let row = load(&st, &auth, id).await?;
    row.state()?.require(ClueState::TransferApproved)?;
    // The receiving organisation must be in the caller's scope and able to receive this body's
    // clues (TargetBody::check_receiver), never the inspected unit or a body inside it.
    let receiver = xuncha_store::orgs::get(&st.db, &auth.scope, b.receiving_org_id)
        .await
        .map_err(|_| {
            ApiError::field(
                "receiving_org_id",
                &Msg::new("inspection.receiving_org_required"),
            )
        })?;
    let unit_org = xuncha_store::orgs::get(
        &st.db,
        &xuncha_store::scope::Scope::unrestricted(),
        row.org_id,
    )
    .await?;
    if let Some(t) = target {
        let kind = xuncha_domain::org::OrgKind::from_code(&receiver.kind).ok_or_else(|| {
            xuncha_store::StoreError::Corrupt(format!("org kind {}", receiver.kind))
        })?;
        t.check_receiver(kind, &receiver.name, &receiver.path, &unit_org.path)
            .map_err(|e| xuncha_domain::DomainError::Invalid(vec![e]))?;
    }
    let change = ClueChange {
        target_body: target,
        receiving_org_id: Some(b.receiving_org_id),
        letter_no: letter,
        transferred_on: Some(st.db.today()),
        ..Default::default()
    };
    clues::change_clue(
        &st.db,
        &auth.actor,
        &row,
        ClueState::Transferred,
        &change,
        "移交",
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// The receiving body signs for a transferred clue.
#[utoipa::path(post, operation_id = "clues_receipt", path = "/api/v1/clues/{id}/receipt", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn receipt(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueDispose>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ClueDetail>> {
    let row = receiving(&st, &auth, id).await?;
    row.state()?.require(ClueState::Transferred)?;
    clues::change_clue(
        &st.db,
        &auth.actor,
        &row,
        ClueState::Disposing,
        &ClueChange {
            received: true,
            ..Default::default()
        },
        "签收",
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// A clue transferred to the caller's own body (its organisation or below): a data scope wider
/// than the body (纪委监委 see their whole level) never makes another body's inbox theirs.
async fn receiving(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueRow> {
    let row = load(st, auth, id).await?;
    let rcv = match row.receiving_org_id {
        Some(r) => xuncha_store::orgs::get(&st.db, &auth.scope, r).await.ok(),
        None => None,
    };
    let own = xuncha_store::orgs::get(&st.db, &Scope::unrestricted(), auth.user.org_id)
        .await
        .ok();
    let inbox = match (&rcv, &own) {
        (Some(r), Some(o)) => r.path.starts_with(o.path.as_str()),
        _ => false,
    };
    if !inbox {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            &Msg::new("inspection.not_receiving_body"),
        ));
    }
    Ok(row)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DispositionBody {
    /// talk_inquiry, preliminary, hold, close, case, org_handling
    pub disposition: String,
    pub result: String,
}

/// The receiving body reports its disposition and result (within three months of transfer).
#[utoipa::path(post, operation_id = "clues_disposition", path = "/api/v1/clues/{id}/disposition", tag = "clues", params(("id" = i64, Path)),
    request_body = DispositionBody, responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn disposition(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueDispose>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DispositionBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    super::max_lengths(&[(
        "disposition",
        &b.disposition,
        xuncha_domain::limits::LABEL_CHARS,
    )])?;
    let mut e = Errors::default();
    let d = Disposition::parse_field("disposition", &b.disposition)
        .map_err(|x| e.push(x))
        .ok();
    let result = required_text("result", &b.result, 5000)
        .map_err(|x| e.push(x))
        .ok();
    e.into_result()?;
    let row = receiving(&st, &auth, id).await?;
    row.state()?.require(ClueState::Disposing)?;
    let change = ClueChange {
        disposition: d,
        result,
        ..Default::default()
    };
    clues::change_clue(
        &st.db,
        &auth.actor,
        &row,
        ClueState::ResultFedBack,
        &change,
        "报告处置结果",
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// Closes (销号) a clue whose result has been reported (clue:lead).
#[utoipa::path(post, operation_id = "clues_close", path = "/api/v1/clues/{id}/close", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
async fn close(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ClueDetail>> {
    let row = load(&st, &auth, id).await?;
    row.state()?.check_manual(ClueState::Closed)?;
    clues::change_clue(
        &st.db,
        &auth.actor,
        &row,
        ClueState::Closed,
        &ClueChange::default(),
        "销号",
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

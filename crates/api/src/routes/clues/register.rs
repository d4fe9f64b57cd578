//! Clue routes: the register: listing, recording, reading (audited), triage and state changes.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_domain::ids::RoundUnitId;

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ClueQuery {
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    /// Only clues transferred to the caller's organisations (the receiving body's inbox).
    #[serde(default)]
    pub received: bool,
    /// Only clues about this organisation's subtree (the inspected organisation).
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CluePage {
    pub items: Vec<ClueDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Clues the caller may see (the `clue` compartment is required). The list read is audited.
#[utoipa::path(get, operation_id = "clues_list", path = "/api/v1/clues", tag = "clues", params(ClueQuery), responses((status = 200, body = CluePage)))]
pub(super) async fn list(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<ClueQuery>,
) -> ApiResult<axum::Json<CluePage>> {
    let access = clue_access(&auth);
    if !access.compartment {
        return Err(ApiError::forbidden());
    }
    let page = xuncha_store::PageReq::new(q.page, q.page_size);
    let rows = clues::list_clues(
        &st.db,
        &access,
        &ClueFilter {
            round_unit_id: q.round_unit_id,
            state: q.state,
            received_only: q.received,
            org_id: q.org_id,
        },
        page,
    )
    .await
    .map_err(ApiError::not_found_as("org.not_found"))?;
    let (rows, total) = (rows.items, rows.total);
    let offices: Vec<OrgId> = rows.iter().map(|c| c.owner_org_id).collect();
    let months = result_months(&st, &offices).await?;
    let ids: Vec<String> = rows.iter().map(|c| c.id.to_string()).collect();
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.list",
            "clue",
            "",
            Msg::new("audit.clue_list")
                .arg("ids", ids.join(","))
                .render(),
        ),
    )
    .await?;
    Ok(axum::Json(CluePage {
        items: rows
            .into_iter()
            .map(|c| {
                let m = months.of(c.owner_org_id);
                clue_dto(&st, &auth, c, false, m)
            })
            .collect::<Result<_, _>>()?,
        total,
        page: page.page,
        page_size: page.page_size,
    }))
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
pub(super) async fn create(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<RoundUnitId>,
    ApiJson(b): ApiJson<ClueCreate>,
) -> ApiResult<(StatusCode, axum::Json<ClueDto>)> {
    crate::routes::max_lengths(&[
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
    pub transitions: Vec<crate::routes::common::TransitionOption>,
    pub events: Vec<EventDto>,
}

pub(super) async fn load(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueRow> {
    let access = clue_access(auth);
    clues::get_clue(&st.db, &access, id)
        .await
        .map_err(ApiError::not_found_as("inspection.clue_not_found"))
}

pub(super) async fn full(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueDetail> {
    let row = load(st, auth, id).await?;
    record_event(
        &st.db,
        &auth.actor,
        &Event::read(
            "clue.read",
            "clue",
            id,
            Msg::new("audit.clue_read").arg("id", id).render(),
        ),
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
pub(super) fn allowed(
    auth: &Auth,
    row: &ClueRow,
) -> ApiResult<Vec<crate::routes::common::TransitionOption>> {
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
        .map(|s| crate::routes::common::TransitionOption {
            to: s.code().into(),
            name: s.label().into(),
        })
        .collect())
}

/// One clue with its decrypted fields and timeline. The read is audited.
#[utoipa::path(get, operation_id = "clues_get", path = "/api/v1/clues/{id}", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 404, body = crate::error::Problem)))]
pub(super) async fn detail(
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
pub(super) async fn triage(
    State(st): State<AppState>,
    Need(auth, _): Need<FieldworkWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TriageBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    crate::routes::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
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
    request_body = crate::routes::common::TransitionBody, responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn transition(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<crate::routes::common::TransitionBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    crate::routes::max_lengths(&[("comment", &b.comment, xuncha_domain::limits::NOTE_CHARS)])?;
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

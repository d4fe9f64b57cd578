//! Clue routes: transfer (移交) to a receiving body, its receipt, and disposition (处置).

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TransferBody {
    /// discipline, org_dept, other
    pub target_body: String,
    #[schema(value_type = i64)]
    pub receiving_org_id: OrgId,
    pub letter_no: String,
}

/// Transfers an approved clue (移交) to the receiving body with a transfer letter; the three-month
/// clock for its result starts.
#[utoipa::path(post, operation_id = "clues_transfer", path = "/api/v1/clues/{id}/transfer", tag = "clues", params(("id" = i64, Path)), request_body = TransferBody,
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn transfer(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueLead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TransferBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    crate::routes::max_lengths(&[(
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
        &Msg::new("event.clue_transferred").render(),
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// The receiving body signs for a transferred clue.
#[utoipa::path(post, operation_id = "clues_receipt", path = "/api/v1/clues/{id}/receipt", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn receipt(
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
        &Msg::new("event.clue_signed_for").render(),
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// A clue transferred to the caller's own body (its organisation or below): a data scope wider
/// than the body (纪委监委 see their whole level) never makes another body's inbox theirs.
pub(super) async fn receiving(st: &AppState, auth: &Auth, id: i64) -> ApiResult<ClueRow> {
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
pub(super) async fn disposition(
    State(st): State<AppState>,
    Need(auth, _): Need<ClueDispose>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DispositionBody>,
) -> ApiResult<axum::Json<ClueDetail>> {
    crate::routes::max_lengths(&[(
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
        &Msg::new("event.clue_result_reported").render(),
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

/// Closes (销号) a clue whose result has been reported (clue:lead).
#[utoipa::path(post, operation_id = "clues_close", path = "/api/v1/clues/{id}/close", tag = "clues", params(("id" = i64, Path)),
    responses((status = 200, body = ClueDetail), (status = 409, body = crate::error::Problem)))]
pub(super) async fn close(
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
        &Msg::new("event.clue_closed").render(),
    )
    .await?;
    Ok(axum::Json(full(&st, &auth, id).await?))
}

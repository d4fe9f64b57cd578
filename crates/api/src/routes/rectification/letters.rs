//! Rectification routes: letters.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_office::documents::china_date;
use xuncha_office::documents::rectification::{
    LetterItem, LetterParts, letter_number, supervision_letter,
};

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterQuery {
    pub round_unit_id: Option<i64>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterPage {
    pub items: Vec<LetterDto>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// Letters issued in scope.
#[utoipa::path(get, operation_id = "rect_letters", path = "/api/v1/rect/letters", tag = "rect", params(LetterQuery),
    responses((status = 200, body = LetterPage)))]
pub(super) async fn list_letters(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LetterQuery>,
) -> ApiResult<axum::Json<LetterPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let r = store::letters(
        &st.db,
        &auth.scope,
        q.round_unit_id.map(RoundUnitId::from),
        page,
    )
    .await?;
    Ok(axum::Json(LetterPage {
        items: r.items.into_iter().map(letter_dto).collect(),
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterSuggestion {
    pub round_unit_id: i64,
    pub org_name: String,
    pub letter_type: String,
    pub letter_name: String,
    pub finding_ids: Vec<i64>,
    /// Working days the most overdue item is late.
    pub overdue_days: i64,
}

pub(super) async fn suggestions(st: &AppState, auth: &Auth) -> ApiResult<Vec<LetterSuggestion>> {
    let scope = &auth.scope;
    // Each unit's ladder and calendar are those of the office that runs its round.
    let book = book(st, auth).await?;
    let today = book.today;
    let overdue = store::overdue_items(&st.db, scope, today).await?;
    // The items come ordered by unit: each unit's run of them, found once (a province has tens
    // of thousands of units with overdue items; filtering the whole list per unit was quadratic).
    let by_unit: Vec<_> = overdue
        .chunk_by(|a, b| a.0 == b.0)
        .map(|run| (run[0].0, run))
        .collect();
    let units: Vec<i64> = by_unit.iter().map(|(u, _)| *u).collect();
    // The letters already issued to these units (each unit's whole ladder, however many letters
    // the scope holds) and the units' names, in chunked lookups.
    let mut issued: std::collections::HashMap<i64, Vec<String>> = std::collections::HashMap::new();
    for l in store::unit_letters(&st.db, scope, &units).await? {
        if letter_counts(&l) {
            issued
                .entry(l.round_unit_id.get())
                .or_default()
                .push(l.letter_type);
        }
    }
    let names: std::collections::HashMap<i64, (String, OrgId)> =
        store::units_by_ids(&st.db, scope, &units)
            .await?
            .into_iter()
            .map(|u| (u.id, (u.org_name, u.owner_org_id)))
            .collect();
    let mut out = Vec::new();
    for (u, items) in by_unit {
        let (org_name, office) = match names.get(&u) {
            Some(n) => n.clone(),
            // A unit outside the caller's scope (the overdue list is scoped too): one lookup.
            None => {
                let x = store::unit(&st.db, &Scope::unrestricted(), u.into()).await?;
                (x.org_name, x.owner_org_id)
            }
        };
        let o = book.office(office);
        let oldest = items.iter().map(|(_, _, d)| *d).min();
        let days = oldest.map_or(0, |d| o.calendar.working_days_between(d, today).max(1));
        let codes = issued.get(&u).map(Vec::as_slice).unwrap_or_default();
        if let Some(r) = dom::next_letter(&o.settings.letter_ladder, days, codes) {
            out.push(LetterSuggestion {
                round_unit_id: u,
                org_name,
                letter_type: r.code.clone(),
                letter_name: r.name.clone(),
                finding_ids: items.iter().map(|(_, f, _)| *f).collect(),
                overdue_days: days,
            });
        }
    }
    Ok(out)
}

/// The next rung of the escalation ladder for each unit with overdue items.
#[utoipa::path(get, operation_id = "rect_letter_suggestions", path = "/api/v1/rect/letters/suggestions", tag = "rect",
    responses((status = 200, body = Vec<LetterSuggestion>)))]
pub(super) async fn letter_suggestions(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<Vec<LetterSuggestion>>> {
    Ok(axum::Json(suggestions(&st, &auth).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterBody {
    #[schema(value_type = i64)]
    pub round_unit_id: RoundUnitId,
    pub letter_type: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<String>,
    /// 约谈通知 only: when and where the talk takes place (另行通知 when empty).
    #[serde(default)]
    pub talk_time: Option<String>,
    #[serde(default)]
    pub talk_place: Option<String>,
}

/// Issues a letter of the ladder: the .docx is generated, stored with its hash and recorded.
#[utoipa::path(post, operation_id = "rect_letter_issue", path = "/api/v1/rect/letters", tag = "rect",
    request_body = LetterBody, responses((status = 201, body = LetterDto), (status = 422, body = crate::error::Problem)))]
pub(super) async fn issue_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiJson(b): ApiJson<LetterBody>,
) -> ApiResult<(StatusCode, axum::Json<LetterDto>)> {
    let u = store::unit(&st.db, &auth.scope, b.round_unit_id)
        .await
        .map_err(not_found())?;
    let (t, cfg, cal) = today(&st, u.owner_org_id).await?;
    let rung = cfg
        .letter_ladder
        .iter()
        .find(|r| r.code == b.letter_type)
        .cloned()
        .ok_or_else(|| {
            ApiError::field(
                "letter_type",
                &Msg::new("rect.unknown_letter").arg("code", &b.letter_type),
            )
        })?;
    let requirement = xuncha_domain::error::required_text("requirement", &b.requirement, 2000)
        .map_err(|e| invalid(vec![e]))?;
    let new_deadline = match b
        .new_deadline
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => {
            let d = parse_date("new_deadline", s).map_err(|e| invalid(vec![e]))?;
            dom::check_after_today("new_deadline", d, t.today).map_err(|e| invalid(vec![e]))?;
            Some(d)
        }
    };
    // The items named must be this unit's open, overdue items in scope; with none named, every
    // overdue one.
    let f = LedgerFilter {
        round_unit_id: Some(u.id),
        ..LedgerFilter::default()
    };
    let rows = store::ledger_all(&st.db, &auth.scope, &f, &t, i64::MAX).await?;
    let open_overdue = |r: &LedgerRow| {
        let state = Some(r.state);
        !matches!(state, Some(FindingState::Closed | FindingState::LongTerm))
            && r.due_date.or(r.deadline).is_some_and(|d| d < t.today)
    };
    let chosen: Vec<LedgerRow> = if b.finding_ids.is_empty() {
        rows.into_iter().filter(|r| open_overdue(r)).collect()
    } else {
        for id in &b.finding_ids {
            match rows.iter().find(|r| r.id == *id) {
                None => {
                    return Err(ApiError::field(
                        "finding_ids",
                        &Msg::new("rect.unknown_finding").arg("id", id),
                    ));
                }
                Some(r) if !open_overdue(r) => {
                    return Err(ApiError::field(
                        "finding_ids",
                        &Msg::new("rect.not_overdue").arg("title", &r.title),
                    ));
                }
                Some(_) => {}
            }
        }
        rows.into_iter()
            .filter(|r| b.finding_ids.contains(&r.id.get()))
            .collect()
    };
    if chosen.is_empty() {
        return Err(ApiError::field("finding_ids", &Msg::new("rect.no_overdue")));
    }
    // One rung at a time: only the rung the ladder allows now, for the oldest overdue item.
    let oldest = chosen
        .iter()
        .filter_map(|r| r.due_date.or(r.deadline))
        .min();
    let days = oldest.map_or(0, |d| cal.working_days_between(d, t.today).max(1));
    let issued: Vec<String> = store::unit_letters(&st.db, &auth.scope, &[u.id])
        .await?
        .into_iter()
        .filter(letter_counts)
        .map(|l| l.letter_type)
        .collect();
    match dom::next_letter(&cfg.letter_ladder, days, &issued) {
        Some(allowed) if allowed.code == rung.code => {}
        Some(allowed) => {
            return Err(ApiError::field(
                "letter_type",
                &Msg::new("rect.letter_not_allowed").arg("allowed", &allowed.name),
            ));
        }
        None => {
            return Err(ApiError::field(
                "letter_type",
                &Msg::new("rect.letter_not_due"),
            ));
        }
    }
    let talk_time = letter_option("talk_time", b.talk_time.as_deref())?;
    let talk_place = letter_option("talk_place", b.talk_place.as_deref())?;
    // Each rung its own template and addressee (主送), decided from its code.
    let template = letter_dom::Template::for_code(&rung.code);
    let owner_org_id = u_owner(&st, u.id).await?;
    let owner = xuncha_store::orgs::get(&st.db, &Scope::unrestricted(), owner_org_id).await?;
    let (addressee_org_id, addressee_name, org_dept) =
        letter_addressee(&st, template, &u, &owner).await?;
    let (issuer, short) = crate::routes::documents::issuer(&st, owner_org_id).await?;
    let year = t.today.year();
    let (seq, _) = store::letter_context(&st.db, u.id.into(), year).await?;
    let doc_no = letter_number(&short, year, seq);
    let deadline_text = new_deadline.map(china_date);
    let text = template.text(&letter_dom::LetterInput {
        rung_name: &rung.name,
        unit_name: &u.org_name,
        office_name: &owner.name,
        addressee_name: &addressee_name,
        new_deadline: deadline_text.as_deref(),
        talk_time: talk_time.as_deref(),
        talk_place: talk_place.as_deref(),
        org_dept_name: org_dept.as_deref(),
    });
    let items: Vec<LetterItem> = chosen
        .iter()
        .map(|r| LetterItem {
            title: r.title.clone(),
            deadline: r.deadline.map(date_str).unwrap_or_default(),
            overdue_days: r
                .deadline
                .map(|d| cal.working_days_between(d, t.today).max(0).to_string())
                .unwrap_or_default(),
        })
        .collect();
    let doc = supervision_letter(
        &LetterParts {
            title: &text.title,
            recipient: &text.recipient,
            opening: &text.opening,
            details: &text.details,
            heading: &text.heading,
            closing: &text.closing,
            copy_to: text.copy_to.as_deref(),
        },
        &items,
        &requirement,
        &issuer,
        &doc_no,
        t.today,
    );
    let bytes = xuncha_office::docx::render(&doc).map_err(|e| ApiError::internal(&e))?;
    let letter = store::issue_letter(
        &st.db,
        &auth.actor,
        &auth.scope,
        &store::LetterDraft {
            round_unit_id: u.id.into(),
            letter_type: rung.code.clone(),
            letter_name: rung.name.clone(),
            year,
            seq,
            doc_no,
            finding_ids: chosen.iter().map(|r| r.id.get()).collect(),
            requirement,
            new_deadline,
            docx: Upload {
                name: format!("{}.docx", rung.name),
                media_type: DOCX.into(),
                bytes,
            },
            addressee_org_id,
            addressee_is_unit: addressee_org_id == u.org_id,
            addressee_name,
        },
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(letter_dto(letter))))
}

/// An optional short text field: trimmed, empty as none, at most a label's length.
pub(super) fn letter_option(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    let v = v.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = v {
        crate::routes::max_lengths(&[(field, s, xuncha_domain::limits::LABEL_CHARS)])?;
    }
    Ok(v.map(str::to_string))
}

/// 主送 of a letter: `(org id, name written on the letter, the 组织部 to copy)`. The unit's party
/// organisation for the unit's rungs (its principal leader for a 约谈通知); for a 问责建议函 the
/// 纪委监委 among the departments of the organisation whose office runs the round (domain.md §7:
/// the discipline body at that level), with its 组织部 copied.
pub(super) async fn letter_addressee(
    st: &AppState,
    template: letter_dom::Template,
    u: &store::RectUnit,
    owner: &xuncha_store::orgs::Org,
) -> ApiResult<(OrgId, String, Option<String>)> {
    match template.addressee() {
        letter_dom::Addressee::Unit => {
            let org = xuncha_store::orgs::get(&st.db, &Scope::unrestricted(), u.org_id).await?;
            let party = org
                .party_org_kind
                .as_deref()
                .and_then(xuncha_domain::org::PartyOrgKind::from_code)
                .map_or_else(
                    || Msg::new("letter.party_org").render(),
                    |k| k.label().to_string(),
                );
            let key = if template == letter_dom::Template::Admonition {
                "letter.addressee_principal"
            } else {
                "letter.addressee_party"
            };
            let name = Msg::new(key)
                .arg("org", &u.org_name)
                .arg("party", party)
                .render();
            Ok((u.org_id, name, None))
        }
        letter_dom::Addressee::Discipline => {
            let depts: Vec<xuncha_store::orgs::Org> =
                xuncha_store::orgs::children(&st.db, &Scope::unrestricted(), owner.id, false)
                    .await?
                    .into_iter()
                    .filter(|o| o.kind == xuncha_domain::org::OrgKind::Department.code())
                    .collect();
            let body = depts
                .iter()
                .find(|o| letter_dom::is_discipline_name(&o.name))
                .ok_or_else(|| {
                    ApiError::field(
                        "letter_type",
                        &Msg::new("letter.no_discipline_body").arg("office", &owner.name),
                    )
                })?;
            let org_dept = depts
                .iter()
                .find(|o| letter_dom::is_org_dept_name(&o.name))
                .map(|o| o.name.clone());
            Ok((body.id, body.name.clone(), org_dept))
        }
    }
}

pub(super) async fn u_owner(st: &AppState, unit_id: i64) -> ApiResult<OrgId> {
    Ok(
        xuncha_store::inspection::get_unit(&st.db, &Scope::unrestricted(), unit_id.into())
            .await?
            .owner_org_id,
    )
}

/// The letter's .docx, as issued (the stored bytes).
#[utoipa::path(get, operation_id = "rect_letter_docx", path = "/api/v1/rect/letters/{id}/docx", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
pub(super) async fn letter_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let l = store::letter(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let bytes = store::file_bytes(&st.db, &l.file_hash).await?;
    Ok(download(
        DOCX,
        "file",
        &Msg::new("file.letter_docx")
            .arg("letter", &l.letter_name)
            .arg("doc_no", &l.doc_no)
            .render(),
        bytes,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawLetterBody {
    /// Why the letter is withdrawn (required).
    #[serde(default)]
    pub reason: String,
    /// The letter's current version, when the caller holds one.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Withdraws an issued letter with a reason. Its number is kept (never reused) and its .docx stays
/// downloadable; it no longer counts as issued for the ladder, so its rung can be issued again.
#[utoipa::path(post, operation_id = "rect_letter_withdraw", path = "/api/v1/rect/letters/{id}/withdraw", tag = "rect", params(("id" = i64, Path)),
    request_body = WithdrawLetterBody, responses((status = 200, body = LetterDto), (status = 404, body = crate::error::Problem),
    (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn withdraw_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WithdrawLetterBody>,
) -> ApiResult<axum::Json<LetterDto>> {
    let reason =
        xuncha_domain::error::required_text("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)
            .map_err(|e| invalid(vec![e]))?;
    let l = store::withdraw_letter(&st.db, &auth.actor, &auth.scope, id, &reason, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(letter_dto(l)))
}

//! Clue routes: who sees a clue (compartment access), decrypting its person fields, and the DTO.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

/// The months each office gives a clue's result (its own setting, else inherited, else 3).
pub struct ResultMonths(std::collections::HashMap<OrgId, u8>);

impl ResultMonths {
    /// The months of `office` (the office that runs the clue's round).
    pub fn of(&self, office: OrgId) -> u8 {
        self.0
            .get(&office)
            .copied()
            .unwrap_or(dom::CLUE_RESULT_MONTHS)
    }
}

/// The configured months for a clue's result of each of `offices`, loaded at once.
pub async fn result_months(st: &AppState, offices: &[OrgId]) -> ApiResult<ResultMonths> {
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
    #[schema(value_type = i64)]
    pub org_id: OrgId,
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
    #[schema(value_type = Option<i64>)]
    pub receiving_org_id: Option<OrgId>,
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
        round_unit_id: c.round_unit_id.get(),
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

//! Assessment routes without login: the survey a rater opens with a link token, and the answer.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSurveyDto {
    pub org_name: String,
    pub round_name: String,
    pub group_name: String,
    pub questions: Vec<String>,
    /// The answer options (code, name).
    pub answers: Vec<Named>,
    /// False once the assessment is finalised.
    pub open: bool,
}

/// A token looks like 32 hex digits; anything else is "not found" without touching the database.
pub(super) fn survey_token(token: &str) -> ApiResult<String> {
    if token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token_hash(&token.to_ascii_lowercase()))
    } else {
        Err(ApiError::not_found("survey.not_found"))
    }
}

/// The survey behind an anonymous link (no login).
#[utoipa::path(get, operation_id = "public_survey", path = "/api/v1/public/surveys/{token}", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = PublicSurveyDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn public_survey(
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<axum::Json<PublicSurveyDto>> {
    let hash = survey_token(&token)?;
    let s = store::survey_by_token(&st.db, &hash)
        .await
        .map_err(ApiError::not_found_as("survey.not_found"))?;
    Ok(axum::Json(PublicSurveyDto {
        questions: serde_json::from_str(&s.questions).map_err(|e| ApiError::internal(&e))?,
        open: s.state == "OPEN",
        org_name: s.org_name,
        round_name: s.round_name,
        group_name: s.group_name,
        answers: named(Answer::ALL, Answer::code, Answer::label),
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyResponse {
    /// One answer code per question: `satisfied`, `basic`, `unsatisfied`, `unknown`.
    pub answers: Vec<String>,
    /// Optional, at most 500 characters.
    #[serde(default)]
    pub comment: String,
}

/// Accepts one anonymous answer sheet (no login; nothing about the respondent is stored).
#[utoipa::path(post, operation_id = "public_survey_respond", path = "/api/v1/public/surveys/{token}", tag = "public", params(("token" = String, Path)),
    request_body = SurveyResponse,
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn public_respond(
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
    ApiJson(b): ApiJson<SurveyResponse>,
) -> ApiResult<StatusCode> {
    let hash = survey_token(&token)?;
    let s = store::survey_by_token(&st.db, &hash)
        .await
        .map_err(ApiError::not_found_as("survey.not_found"))?;
    if s.state != "OPEN" {
        return Err(ApiError::key(StatusCode::CONFLICT, "survey.closed"));
    }
    let count = serde_json::from_str::<Vec<String>>(&s.questions)
        .map(|q| q.len())
        .unwrap_or(0);
    let mut e = Errors::default();
    if b.answers.len() != count {
        e.push(FieldError::new(
            "answers",
            Msg::new("survey.answers_count").arg("count", count),
        ));
    }
    let answers: Vec<Answer> = b
        .answers
        .iter()
        .enumerate()
        .filter_map(|(i, a)| {
            Answer::parse_field(&format!("answers[{i}]"), a)
                .map_err(|x| e.push(x))
                .ok()
        })
        .collect();
    let comment = b.comment.trim();
    if comment.chars().count() > rules::MAX_COMMENT_CHARS {
        e.push(FieldError::new(
            "comment",
            Msg::new("validation.too_long")
                .arg("field", "field.comment")
                .arg("max", rules::MAX_COMMENT_CHARS),
        ));
    }
    if comment.chars().any(|c| c.is_control() && c != '\n') {
        e.push(FieldError::new(
            "comment",
            Msg::new("validation.bad_chars").arg("field", "field.comment"),
        ));
    }
    e.into_result()?;
    store::respond(&st.db, &hash, &answers, comment, st.db.today())
        .await
        .map_err(|e| match e {
            xuncha_store::StoreError::Domain(DomainError::Rule(m)) => {
                ApiError::new(StatusCode::CONFLICT, &m)
            }
            e => ApiError::not_found_as("survey.not_found")(e),
        })?;
    Ok(StatusCode::NO_CONTENT)
}

//! Assessment routes: satisfaction surveys (满意度测评) and their links.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GroupInput {
    pub code: String,
    pub name: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SurveyCreate {
    /// The address raters will open, as the browser shows it: `http(s)://host[:port]`.
    pub origin: String,
    /// Rater groups; default the 四测评 groups.
    #[serde(default)]
    pub groups: Option<Vec<GroupInput>>,
    /// Questions, each answered 满意 / 基本满意 / 不满意 / 不了解; default four questions.
    #[serde(default)]
    pub questions: Option<Vec<String>>,
    /// At most this many answer sheets per group (default 500).
    #[serde(default)]
    pub max_per_group: Option<i32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyLink {
    pub group_id: i64,
    pub group_code: String,
    pub group_name: String,
    /// The anonymous link; shown only now (the server keeps its SM3 digest).
    pub url: String,
    /// The link as a QR code (SVG).
    pub qr_svg: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SurveyCreated {
    pub links: Vec<SurveyLink>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkRequest {
    pub origin: String,
}

/// Checks `http(s)://host[:port]` (no path, no user info).
pub fn parse_origin(s: &str) -> Result<String, FieldError> {
    let s = s.trim().trim_end_matches('/');
    let rest = s
        .strip_prefix("https://")
        .or_else(|| s.strip_prefix("http://"));
    let ok = rest.is_some_and(|r| {
        !r.is_empty()
            && r.len() <= 253
            && r.chars()
                .all(|c| c.is_ascii_alphanumeric() || ".-:[]".contains(c))
    });
    if ok {
        Ok(s.to_string())
    } else {
        Err(field("origin", "survey.bad_origin"))
    }
}

pub(super) fn new_survey_token() -> ApiResult<String> {
    let bytes = random_bytes::<16>().map_err(|e| ApiError::internal(&e))?;
    Ok(xuncha_domain::audit::hex(&bytes))
}

pub(super) fn link(
    origin: &str,
    token: &str,
    group_id: i64,
    code: String,
    name: String,
) -> ApiResult<SurveyLink> {
    let url = format!("{origin}/s/{token}");
    let qr = qrcode::QrCode::new(url.as_bytes()).map_err(|e| ApiError::internal(&e))?;
    let qr_svg = qr
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(240, 240)
        .dark_color(qrcode::render::svg::Color("#000000"))
        .light_color(qrcode::render::svg::Color("#ffffff"))
        .build();
    Ok(SurveyLink {
        group_id,
        group_code: code,
        group_name: name,
        url,
        qr_svg,
    })
}

/// Starts the satisfaction survey of a draft assessment: one anonymous link (with QR code) per
/// rater group. The links are shown only in this answer.
#[utoipa::path(post, operation_id = "assessments_survey_create", path = "/api/v1/assessments/{id}/survey", tag = "assessment", params(("id" = i64, Path)),
    request_body = SurveyCreate,
    responses((status = 201, body = SurveyCreated), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn create_survey(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SurveyCreate>,
) -> ApiResult<(StatusCode, axum::Json<SurveyCreated>)> {
    let mut e = Errors::default();
    let origin = parse_origin(&b.origin).map_err(|x| e.push(x)).ok();
    let groups: Vec<(String, String)> = match &b.groups {
        Some(g) if !g.is_empty() => g
            .iter()
            .enumerate()
            .map(|(i, g)| {
                let name = required_text(&format!("groups[{i}].name"), &g.name, 30)
                    .map_err(|x| e.push(x))
                    .unwrap_or_default();
                let code = if g.code.trim().is_empty() {
                    format!("g{}", i + 1)
                } else {
                    g.code.trim().to_string()
                };
                (code, name)
            })
            .collect(),
        _ => DEFAULT_RATER_GROUPS
            .iter()
            .map(|(c, n)| ((*c).to_string(), (*n).to_string()))
            .collect(),
    };
    for (i, g) in groups.iter().enumerate() {
        if groups[..i].iter().any(|h| h.0 == g.0) {
            e.push(FieldError::new(
                &format!("groups[{i}].code"),
                Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &g.0),
            ));
        }
    }
    let questions: Vec<String> = match &b.questions {
        Some(q) if !q.is_empty() => q
            .iter()
            .enumerate()
            .map(|(i, q)| {
                required_text(&format!("questions[{i}]"), q, 200)
                    .map_err(|x| e.push(x))
                    .unwrap_or_default()
            })
            .collect(),
        _ => DEFAULT_QUESTIONS.iter().map(|q| (*q).to_string()).collect(),
    };
    let max = b.max_per_group.unwrap_or(500);
    if !(1..=100_000).contains(&max) {
        e.push(FieldError::new(
            "max_per_group",
            Msg::new("validation.out_of_range")
                .arg("field", "field.max_per_group")
                .arg("min", 1)
                .arg("max", 100_000),
        ));
    }
    e.into_result()?;
    let Some(origin) = origin else {
        return Err(ApiError::forbidden());
    };
    let mut tokens = Vec::new();
    let mut rows = Vec::new();
    for (code, name) in &groups {
        let t = new_survey_token()?;
        rows.push((code.clone(), name.clone(), token_hash(&t)));
        tokens.push(t);
    }
    store::create_survey(&st.db, &auth.actor, &auth.scope, id, &questions, &rows, max)
        .await
        .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let (_, tallies) = store::survey(&st.db, &auth.scope, id)
        .await?
        .ok_or_else(|| ApiError::not_found(ASSESSMENT_NOT_FOUND))?;
    let mut links = Vec::new();
    for (g, t) in tallies.into_iter().zip(tokens) {
        links.push(link(&origin, &t, g.id, g.code, g.name)?);
    }
    Ok((StatusCode::CREATED, axum::Json(SurveyCreated { links })))
}

/// Issues a new link for one rater group; the previous link stops working.
#[utoipa::path(post, operation_id = "assessments_survey_link", path = "/api/v1/assessments/{id}/survey/groups/{group_id}/link", tag = "assessment",
    params(("id" = i64, Path), ("group_id" = i64, Path)), request_body = LinkRequest,
    responses((status = 200, body = SurveyLink), (status = 404, body = crate::error::Problem)))]
pub(super) async fn rotate_link(
    State(st): State<AppState>,
    Need(auth, _): Need<AssessManage>,
    ApiPath((id, group_id)): ApiPath<(i64, i64)>,
    ApiJson(b): ApiJson<LinkRequest>,
) -> ApiResult<axum::Json<SurveyLink>> {
    let origin = parse_origin(&b.origin).map_err(|e| DomainError::Invalid(vec![e]))?;
    let t = new_survey_token()?;
    let name = store::rotate_link(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        group_id,
        &token_hash(&t),
    )
    .await
    .map_err(ApiError::not_found_as(ASSESSMENT_NOT_FOUND))?;
    let code = store::survey(&st.db, &auth.scope, id)
        .await?
        .and_then(|(_, g)| g.into_iter().find(|g| g.id == group_id))
        .map(|g| g.code)
        .unwrap_or_default();
    Ok(axum::Json(link(&origin, &t, group_id, code, name)?))
}

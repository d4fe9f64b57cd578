//! The public's routes: no login, no cookie, nothing about the client stored or logged.

#[allow(clippy::wildcard_imports)]
use super::*;
use axum::extract::{FromRequestParts, Multipart};
use xuncha_domain::FieldError;
use xuncha_service::crypto::{random_bytes, token_hash};

use crate::throttle::PublicAction;

/// The client's address, used only as the throttle's (digested) key and then dropped.
pub struct PublicClient(String);

impl FromRequestParts<AppState> for PublicClient {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &AppState,
    ) -> Result<Self, ApiError> {
        Ok(PublicClient(crate::auth::client_ip(parts, state)))
    }
}

impl PublicClient {
    fn hit(&self, st: &AppState, action: PublicAction) -> ApiResult<()> {
        st.public_throttle.hit(&self.0, action).map_err(|secs| {
            ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                &Msg::new("public_report.throttled").arg("seconds", secs),
            )
            .retry_after(secs)
        })
    }
}

/// A channel token is 32 hex digits; anything else is "not found" without a query.
fn channel_token(token: &str) -> ApiResult<String> {
    if token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(token.to_ascii_lowercase())
    } else {
        Err(ApiError::not_found("public_report.channel_not_found"))
    }
}

async fn load_channel(st: &AppState, token: &str) -> ApiResult<store::PublicChannel> {
    let token = channel_token(token)?;
    store::channel_by_token(&st.db, &token)
        .await
        .map_err(ApiError::not_found_as("public_report.channel_not_found"))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicChannelDto {
    /// The inspected organisation.
    pub org_name: String,
    pub round_name: String,
    pub team_name: Option<String>,
    /// The office (party committee's inspection office) running the round.
    pub owner_name: String,
    /// The last day reports are taken (YYYY-MM-DD).
    pub until: String,
    /// Whether reports are taken (always: after the round they go to the office).
    pub open: bool,
    /// True once the round has ended: reports go to the office's standing queue.
    pub standing: bool,
    /// 反映范围: what the team takes.
    pub scope: String,
    /// What goes elsewhere (涉法涉诉 and other matters outside inspection).
    pub elsewhere: String,
    pub categories: Vec<Named>,
    pub max_files: usize,
    pub max_file_mb: usize,
}

/// The channel behind a QR code: who is inspected, until when, what is taken (no login).
#[utoipa::path(get, operation_id = "public_channel", path = "/api/v1/public/channels/{token}", tag = "public", params(("token" = String, Path)),
    responses((status = 200, body = PublicChannelDto), (status = 404, body = crate::error::Problem)))]
pub(super) async fn channel(
    State(st): State<AppState>,
    ApiPath(token): ApiPath<String>,
) -> ApiResult<axum::Json<PublicChannelDto>> {
    let ch = load_channel(&st, &token).await?;
    Ok(axum::Json(PublicChannelDto {
        open: true,
        standing: st.db.today() > ch.end_date,
        until: super::super::common::date_str(ch.end_date),
        org_name: ch.org_name,
        round_name: ch.round_name,
        team_name: ch.team_name,
        owner_name: ch.owner_name,
        scope: Msg::new("public_report.scope").render(),
        elsewhere: Msg::new("public_report.elsewhere").render(),
        categories: named(
            ReportCategory::ALL,
            ReportCategory::code,
            ReportCategory::label,
        ),
        max_files: dom::MAX_FILES,
        max_file_mb: dom::MAX_FILE_BYTES / 1024 / 1024,
    }))
}

/// The most bytes a text field of a public form may have.
const MAX_FIELD_BYTES: usize = 64 * 1024;

/// A public multipart form: text fields and `files` parts, read with every limit enforced while
/// reading (count, size per file, size per text field), metadata removed from photos.
struct PublicForm {
    fields: Vec<(String, String)>,
    files: Vec<dom::Attachment>,
}

impl PublicForm {
    async fn read(mut form: Multipart) -> ApiResult<Self> {
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            ApiError::field(
                "files",
                &Msg::new("import.unreadable").arg("reason", e.body_text()),
            )
        };
        let mut out = PublicForm {
            fields: Vec::new(),
            files: Vec::new(),
        };
        let mut errs: Vec<FieldError> = Vec::new();
        let mut index = 0usize;
        while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_string();
            let is_file = name == "files";
            let limit = if is_file {
                dom::MAX_FILE_BYTES
            } else {
                MAX_FIELD_BYTES
            };
            if is_file && index >= dom::MAX_FILES {
                return Err(ApiError::field(
                    "files",
                    &Msg::new("public_report.too_many_files").arg("max", dom::MAX_FILES),
                ));
            }
            let mut bytes = Vec::new();
            let mut too_large = false;
            while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
                if bytes.len() + chunk.len() > limit {
                    too_large = true;
                    break;
                }
                bytes.extend_from_slice(&chunk);
            }
            if is_file {
                if too_large {
                    errs.push(FieldError::new(
                        &format!("files[{index}]"),
                        Msg::new("public_report.file_too_large")
                            .arg("n", index + 1)
                            .arg("mb", dom::MAX_FILE_BYTES / 1024 / 1024),
                    ));
                } else if !bytes.is_empty() || field_has_name(&field) {
                    match dom::attachment(index, &bytes) {
                        Ok(a) => out.files.push(a),
                        Err(e) => errs.push(e),
                    }
                }
                index += 1;
            } else if too_large {
                errs.push(FieldError::new(
                    &name,
                    Msg::new("validation.too_long")
                        .arg("field", format!("field.{name}"))
                        .arg("max", MAX_FIELD_BYTES),
                ));
            } else {
                match String::from_utf8(bytes) {
                    Ok(s) => out.fields.push((name, s)),
                    Err(_) => errs.push(FieldError::new(
                        &name,
                        Msg::new("validation.bad_chars").arg("field", format!("field.{name}")),
                    )),
                }
            }
        }
        if errs.is_empty() {
            Ok(out)
        } else {
            Err(xuncha_domain::DomainError::Invalid(errs).into())
        }
    }

    fn get(&self, name: &str) -> &str {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// The attachments, encrypted for storage.
    fn encrypted(&self, st: &AppState) -> ApiResult<Vec<store::NewFile>> {
        self.files
            .iter()
            .map(|f| {
                Ok(store::NewFile {
                    name: f.name.clone(),
                    media_type: f.media_type.to_string(),
                    size: i64::try_from(f.bytes.len()).unwrap_or(i64::MAX),
                    bytes_enc: st
                        .crypto
                        .encrypt(&f.bytes)
                        .map_err(|e| ApiError::internal(&e))?,
                })
            })
            .collect()
    }
}

/// An empty file input still sends a part with an empty file name: that is no attachment.
fn field_has_name(field: &axum::extract::multipart::Field<'_>) -> bool {
    field.file_name().is_some_and(|n| !n.is_empty())
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PublicReportForm {
    /// A category code (see the channel's `categories`).
    pub category: String,
    /// The person or unit concerned.
    pub subject: String,
    /// When it happened (free text, e.g. 2025年3月).
    pub happened: Option<String>,
    /// What happened.
    pub facts: String,
    /// `true` to give a name and phone (kept in the reporter compartment, encrypted).
    pub named: Option<String>,
    pub reporter_name: Option<String>,
    pub reporter_phone: Option<String>,
    /// Photos (JPEG, PNG; metadata removed) or PDF files, at most 5 of 10 MB each.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub files: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicReceipt {
    /// The receipt code (16 digits), shown once.
    pub receipt_code: String,
    /// The secret that goes with it, shown once.
    pub secret: String,
}

/// A report from the public (no login). Answers the receipt code and secret, which are stored
/// only as digests and shown this once.
#[utoipa::path(post, operation_id = "public_report_submit", path = "/api/v1/public/channels/{token}/reports", tag = "public", params(("token" = String, Path)),
    request_body(content = PublicReportForm, content_type = "multipart/form-data"),
    responses((status = 201, body = PublicReceipt), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub(super) async fn submit(
    State(st): State<AppState>,
    client: PublicClient,
    ApiPath(token): ApiPath<String>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<PublicReceipt>)> {
    client.hit(&st, PublicAction::Submit)?;
    drop(client);
    let ch = load_channel(&st, &token).await?;
    // After the round: the office's standing queue takes it (the team has left).
    let standing = st.db.today() > ch.end_date;
    let form = PublicForm::read(form).await?;
    let mut e = Errors::default();
    let category = if form.get("category").trim().is_empty() {
        e.push(FieldError::required("category"));
        None
    } else {
        ReportCategory::parse_field("category", form.get("category"))
            .map_err(|x| e.push(x))
            .ok()
    };
    let subject = dom::text("subject", form.get("subject"), dom::MAX_SUBJECT_CHARS, true)
        .map_err(|x| e.push(x))
        .ok();
    let happened = dom::text(
        "happened",
        form.get("happened"),
        dom::MAX_HAPPENED_CHARS,
        false,
    )
    .map_err(|x| e.push(x))
    .ok();
    let facts = dom::text("facts", form.get("facts"), dom::MAX_FACTS_CHARS, true)
        .map_err(|x| e.push(x))
        .ok();
    let named = matches!(form.get("named").trim(), "true" | "1" | "on");
    let (mut name, mut phone) = (None, None);
    if named {
        name = dom::text(
            "reporter_name",
            form.get("reporter_name"),
            dom::MAX_NAME_CHARS,
            true,
        )
        .map_err(|x| e.push(x))
        .ok();
        phone = dom::phone("reporter_phone", form.get("reporter_phone"))
            .map_err(|x| e.push(x))
            .ok();
    }
    e.into_result()?;
    let (Some(category), Some(subject), Some(happened), Some(facts)) =
        (category, subject, happened, facts)
    else {
        return Err(ApiError::internal(&"validated fields missing"));
    };
    let code = dom::receipt_code(&random_bytes::<16>()?);
    let secret = dom::receipt_secret(&random_bytes::<16>()?);
    let report = store::NewReport {
        category: category.code().to_string(),
        subject_enc: enc(&st, &subject)?,
        facts_enc: enc(&st, &facts)?,
        happened_enc: enc(&st, &happened)?,
        named,
        reporter_name_enc: name.as_deref().map(|n| enc(&st, n)).transpose()?,
        reporter_phone_enc: phone.as_deref().map(|p| enc(&st, p)).transpose()?,
        receipt_hash: token_hash(&code),
        secret_hash: secret_digest(&code, &secret),
    };
    store::submit(&st.db, &ch, &report, &form.encrypted(&st)?, standing).await?;
    Ok((
        StatusCode::CREATED,
        axum::Json(PublicReceipt {
            receipt_code: code,
            secret,
        }),
    ))
}

/// The stored digest of a secret: SM3 over the code and the secret.
fn secret_digest(code: &str, secret: &str) -> String {
    token_hash(&format!("{code}:{secret}"))
}

/// Compares two digests in time independent of where they differ.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

/// The report behind a receipt code and secret; a wrong code or a wrong secret are the same
/// "not found". Empty fields are 422.
async fn by_receipt(st: &AppState, code: &str, secret: &str) -> ApiResult<store::ReceiptRow> {
    let mut e = Errors::default();
    if code.trim().is_empty() {
        e.push(FieldError::required("receipt_code"));
    }
    if secret.trim().is_empty() {
        e.push(FieldError::required("secret"));
    }
    e.into_result()?;
    let not_found = || ApiError::not_found("public_report.not_found");
    let code = dom::normalise_receipt(code).ok_or_else(not_found)?;
    let secret = dom::normalise_secret(secret).ok_or_else(not_found)?;
    let row = store::report_by_receipt(&st.db, &token_hash(&code))
        .await
        .map_err(ApiError::not_found_as("public_report.not_found"))?;
    if same(&row.secret_hash, &secret_digest(&code, &secret)) {
        Ok(row)
    } else {
        Err(not_found())
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublicReceiptBody {
    #[serde(default)]
    pub receipt_code: String,
    #[serde(default)]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicFollowUp {
    pub org_name: String,
    pub category_name: String,
    /// NEW, ACCEPTED, DECLINED, CLOSED
    pub state: String,
    /// 已收到，待受理 / 受理 / 不予受理 / 办结
    pub state_name: String,
    /// The team's reason when declined.
    pub reason: Option<String>,
    /// The day the report came in (YYYY-MM-DD).
    pub submitted_on: String,
    /// Whether the reporter may still answer or add material.
    pub open: bool,
    pub messages: Vec<PublicReportMessage>,
    /// How many attachments the report has.
    pub file_count: usize,
}

/// The follow-up of one report by its receipt code and secret (no login; the code and secret
/// travel in the body, never in a URL). Shows the status, the team's questions and the answers.
#[utoipa::path(post, operation_id = "public_report_follow_up", path = "/api/v1/public/reports/follow-up", tag = "public",
    request_body = PublicReceiptBody,
    responses((status = 200, body = PublicFollowUp), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem),
        (status = 429, body = crate::error::Problem)))]
pub(super) async fn follow_up(
    State(st): State<AppState>,
    client: PublicClient,
    ApiJson(b): ApiJson<PublicReceiptBody>,
) -> ApiResult<axum::Json<PublicFollowUp>> {
    client.hit(&st, PublicAction::FollowUp)?;
    drop(client);
    let row = by_receipt(&st, &b.receipt_code, &b.secret).await?;
    let messages = message_dtos(&st, store::messages(&st.db, row.id).await?);
    let file_count = store::files(&st.db, row.id).await?.len();
    let (state, state_name) = state_named(&row.state);
    Ok(axum::Json(PublicFollowUp {
        open: ReportState::from_code(&row.state).is_some_and(ReportState::open),
        category_name: ReportCategory::from_code(&row.category)
            .map_or(row.category.clone(), |c| c.label().to_string()),
        org_name: row.org_name,
        state,
        state_name,
        reason: row.reason,
        submitted_on: super::super::common::date_str(row.created_at.date()),
        messages,
        file_count,
    }))
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct PublicAnswerForm {
    pub receipt_code: String,
    pub secret: String,
    /// The answer or added account (required unless files are attached).
    pub message: Option<String>,
    /// More photos or PDF files, at most 5 of 10 MB each.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub files: Vec<String>,
}

/// The reporter's answer to the team, or more material (no login).
#[utoipa::path(post, operation_id = "public_report_answer", path = "/api/v1/public/reports/answer", tag = "public",
    request_body(content = PublicAnswerForm, content_type = "multipart/form-data"),
    responses((status = 204), (status = 404, body = crate::error::Problem), (status = 409, body = crate::error::Problem),
        (status = 422, body = crate::error::Problem), (status = 429, body = crate::error::Problem)))]
pub(super) async fn answer(
    State(st): State<AppState>,
    client: PublicClient,
    form: Multipart,
) -> ApiResult<StatusCode> {
    client.hit(&st, PublicAction::FollowUp)?;
    drop(client);
    let form = PublicForm::read(form).await?;
    let row = by_receipt(&st, form.get("receipt_code"), form.get("secret")).await?;
    let invalid = |e: FieldError| ApiError::from(xuncha_domain::DomainError::Invalid(vec![e]));
    let message = dom::text(
        "message",
        form.get("message"),
        dom::MAX_MESSAGE_CHARS,
        false,
    )
    .map_err(invalid)?;
    if message.is_empty() && form.files.is_empty() {
        return Err(invalid(FieldError::required("message")));
    }
    let body = if message.is_empty() {
        None
    } else {
        Some(enc(&st, &message)?)
    };
    store::reporter_add(&st.db, row.id, body.as_deref(), &form.encrypted(&st)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

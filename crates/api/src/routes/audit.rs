//! The operation log, the login log and chain verification (the audit administrator).

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use axum::extract::State;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_store::accounts;
use xuncha_store::audit::{self, AuditFilter};
use xuncha_store::scope::Scope;
use xuncha_store::{PageReq, StoreError};

use super::{ApiQuery, day_start, rfc3339};
use crate::auth::{AuditRead, Need};
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(operations))
        .routes(routes!(logins))
        .routes(routes!(verify))
        .routes(routes!(checkpoint))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationEntry {
    pub seq: i64,
    pub at: String,
    /// operation (a write) or read (a read of compartmented data or an export)
    pub category: String,
    pub actor_id: Option<i64>,
    /// The username the record was written under.
    pub actor_name: String,
    /// The person's name (姓名) of that account; null for the command line, a system job or a
    /// removed account.
    pub actor_display_name: Option<String>,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub summary: String,
    pub ip: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OperationPage {
    pub items: Vec<OperationEntry>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OperationQuery {
    pub actor: Option<String>,
    /// A module, as the prefix of its action codes ending in `.` (e.g. `org.`), or one action code
    /// matched exactly (e.g. `rect.progress`).
    pub action: Option<String>,
    /// First day, YYYY-MM-DD (China time).
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD (China time), inclusive.
    pub to: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// The operation log: writes, exports and reads of compartmented data, newest first.
#[utoipa::path(get, operation_id = "audit_operations", path = "/api/v1/audit/operations", tag = "audit", params(OperationQuery), responses((status = 200, body = OperationPage)))]
async fn operations(
    State(st): State<AppState>,
    Need(_auth, _): Need<AuditRead>,
    ApiQuery(q): ApiQuery<OperationQuery>,
) -> ApiResult<axum::Json<OperationPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let f = AuditFilter {
        categories: vec!["operation", "read"],
        actor: q.actor,
        action: q.action,
        success: None,
        from: day_start("from", q.from.as_deref(), 0)?,
        to: day_start("to", q.to.as_deref(), 1)?,
    };
    let r = audit::list(&st.db, &f, page).await?;
    // The people's names, one look-up per account on the page (the log keeps only the username).
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    for id in r.items.iter().filter_map(|a| a.actor_id) {
        if let Entry::Vacant(slot) = names.entry(id) {
            let name = match accounts::get_user(&st.db, &Scope::unrestricted(), id).await {
                Ok(u) => Some(u.display_name),
                Err(StoreError::NotFound) => None,
                Err(e) => return Err(e.into()),
            };
            slot.insert(name);
        }
    }
    let items = r
        .items
        .into_iter()
        .map(|a| OperationEntry {
            seq: a.seq,
            at: rfc3339(a.at),
            category: a.category,
            actor_display_name: a.actor_id.and_then(|id| names.get(&id).cloned().flatten()),
            actor_id: a.actor_id,
            actor_name: a.actor_name,
            action: a.action,
            target_type: a.target_type,
            target_id: a.target_id,
            summary: a.summary,
            ip: a.ip,
        })
        .collect();
    Ok(axum::Json(OperationPage {
        items,
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginEntry {
    pub seq: i64,
    pub at: String,
    pub username: String,
    pub success: bool,
    pub reason: String,
    pub ip: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LoginPage {
    pub items: Vec<LoginEntry>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LoginQuery {
    pub username: Option<String>,
    pub success: Option<bool>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

/// The login log, newest first.
#[utoipa::path(get, operation_id = "audit_logins", path = "/api/v1/audit/logins", tag = "audit", params(LoginQuery), responses((status = 200, body = LoginPage)))]
async fn logins(
    State(st): State<AppState>,
    Need(_auth, _): Need<AuditRead>,
    ApiQuery(q): ApiQuery<LoginQuery>,
) -> ApiResult<axum::Json<LoginPage>> {
    let page = PageReq::new(q.page, q.page_size);
    let f = AuditFilter {
        categories: vec!["login"],
        actor: q.username.map(|u| u.trim().to_ascii_lowercase()),
        action: None,
        success: q.success,
        from: day_start("from", q.from.as_deref(), 0)?,
        to: day_start("to", q.to.as_deref(), 1)?,
    };
    let r = audit::list(&st.db, &f, page).await?;
    let items = r
        .items
        .into_iter()
        .map(|a| LoginEntry {
            seq: a.seq,
            at: rfc3339(a.at),
            username: a.actor_name,
            success: a.success,
            reason: a.summary,
            ip: a.ip,
        })
        .collect();
    Ok(axum::Json(LoginPage {
        items,
        total: r.total,
        page: page.page,
        page_size: page.page_size,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct VerifyResult {
    pub ok: bool,
    pub checked: i64,
    pub first_bad_seq: Option<i64>,
    /// Chinese description of the problem, or the success message.
    pub problem: Option<String>,
    pub message: String,
}

pub fn verify_result(r: &xuncha_domain::audit::ChainReport) -> VerifyResult {
    match r.problem {
        None => VerifyResult {
            ok: true,
            checked: r.checked,
            first_bad_seq: None,
            problem: None,
            message: Msg::new("audit.ok").arg("count", r.checked).render(),
        },
        Some((seq, p)) => {
            let text = Msg::new(p.msg_key()).arg("seq", seq).render();
            VerifyResult {
                ok: false,
                checked: r.checked,
                first_bad_seq: Some(seq),
                problem: Some(text.clone()),
                message: text,
            }
        }
    }
}

/// Verifies the audit hash chain and reports the first edited, inserted or deleted record.
#[utoipa::path(get, operation_id = "audit_verify", path = "/api/v1/audit/verify", tag = "audit", responses((status = 200, body = VerifyResult)))]
async fn verify(
    State(st): State<AppState>,
    Need(_auth, _): Need<AuditRead>,
) -> ApiResult<axum::Json<VerifyResult>> {
    let r = audit::verify(&st.db).await?;
    Ok(axum::Json(verify_result(&r)))
}

/// A signed checkpoint of the audit chain: the head `(seq, hash)` at `at`, with an SM3-HMAC
/// under the audit key (kept outside the database). Saved elsewhere, it lets
/// `xuncha audit verify --checkpoint FILE` detect a history rewritten with recomputed hashes.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct CheckpointDto {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339 UTC instant of signing.
    pub at: String,
    /// Lower-case hex HMAC-SM3 of `seq`, `hash` and `at`.
    pub mac: String,
}

impl From<xuncha_domain::audit::Checkpoint> for CheckpointDto {
    fn from(c: xuncha_domain::audit::Checkpoint) -> Self {
        CheckpointDto {
            seq: c.seq,
            hash: c.hash,
            at: c.at,
            mac: c.mac,
        }
    }
}

impl From<CheckpointDto> for xuncha_domain::audit::Checkpoint {
    fn from(c: CheckpointDto) -> Self {
        xuncha_domain::audit::Checkpoint {
            seq: c.seq,
            hash: c.hash,
            at: c.at,
            mac: c.mac,
        }
    }
}

/// Signs the current chain head with `key` at the database's current time.
pub async fn sign_head(
    db: &xuncha_store::Db,
    key: &[u8],
) -> Result<CheckpointDto, xuncha_store::StoreError> {
    let (seq, hash) = audit::head(db).await?;
    let at = audit::canonical_at(db.now());
    Ok(xuncha_domain::audit::Checkpoint::sign(key, seq, &hash, &at).into())
}

/// Signs the current head of the audit chain: a checkpoint to keep outside the database.
#[utoipa::path(get, operation_id = "audit_checkpoint", path = "/api/v1/audit/checkpoint", tag = "audit",
    responses((status = 200, body = CheckpointDto), (status = 409, body = crate::error::Problem)))]
async fn checkpoint(
    State(st): State<AppState>,
    Need(auth, _): Need<AuditRead>,
) -> ApiResult<axum::Json<CheckpointDto>> {
    let Some(key) = st.config.audit_key.as_deref() else {
        // A state of the installation (no audit key configured), not a failure of the server.
        return Err(crate::error::ApiError::key(
            axum::http::StatusCode::CONFLICT,
            "audit.no_key",
        ));
    };
    let cp = sign_head(&st.db, key).await?;
    audit::record_event(
        &st.db,
        &auth.actor,
        &audit::Event::read(
            "audit.checkpoint",
            "audit",
            cp.seq,
            xuncha_domain::i18n::Msg::new("audit.checkpoint_issue")
                .arg("seq", cp.seq)
                .render(),
        ),
    )
    .await?;
    Ok(axum::Json(cp))
}

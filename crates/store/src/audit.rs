//! The audit trail: append (inside the caller's transaction), list, verify.

use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use xuncha_domain::audit::{AuditRecord, ChainReport, ChainVerifier};

use crate::db::{Db, Result};
use crate::{Page, PageReq};

/// Who is acting, for the audit trail.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Option<i64>,
    /// The username (what the audit trail records).
    pub name: String,
    /// The person's name, shown on records (报告人, 核验人, …).
    pub display_name: String,
    pub ip: String,
}

impl Actor {
    /// The command line or a system job.
    pub fn system(name: &str) -> Self {
        Actor {
            user_id: None,
            name: name.to_string(),
            display_name: name.to_string(),
            ip: "local".to_string(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Category {
    /// A write.
    Operation,
    /// A login attempt, successful or not.
    Login,
    /// A read of compartmented data.
    Read,
}

impl Category {
    pub fn code(self) -> &'static str {
        match self {
            Category::Operation => "operation",
            Category::Login => "login",
            Category::Read => "read",
        }
    }
}

/// One event to record.
#[derive(Debug, Clone)]
pub struct Event {
    pub category: Category,
    pub action: &'static str,
    pub target_type: &'static str,
    pub target_id: String,
    pub summary: String,
    pub success: bool,
}

impl Event {
    pub fn op(
        action: &'static str,
        target_type: &'static str,
        target_id: impl ToString,
        summary: impl Into<String>,
    ) -> Self {
        Event {
            category: Category::Operation,
            action,
            target_type,
            target_id: target_id.to_string(),
            summary: summary.into(),
            success: true,
        }
    }

    pub fn read(
        action: &'static str,
        target_type: &'static str,
        target_id: impl ToString,
        summary: impl Into<String>,
    ) -> Self {
        Event {
            category: Category::Read,
            ..Event::op(action, target_type, target_id, summary)
        }
    }
}

/// The canonical text of an instant inside the chain (UTC, as stored).
pub fn canonical_at(at: OffsetDateTime) -> String {
    at.to_offset(time::UtcOffset::UTC)
        .format(&Rfc3339)
        .unwrap_or_default()
}

pub(crate) fn record(seq: i64, at: OffsetDateTime, actor: &Actor, event: &Event) -> AuditRecord {
    AuditRecord {
        seq,
        at: canonical_at(at),
        category: event.category.code().to_string(),
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        action: event.action.to_string(),
        target_type: event.target_type.to_string(),
        target_id: event.target_id.clone(),
        summary: event.summary.clone(),
        ip: actor.ip.clone(),
        success: event.success,
    }
}

/// Appends an event to the chain inside the open transaction `$tx`. Taking the head row with
/// `UPDATE … RETURNING` locks it, which serialises appends on both backends.
#[macro_export]
#[doc(hidden)]
macro_rules! audit_append {
    ($db:expr, $tx:expr, $actor:expr, $event:expr) => {{
        let actor: &$crate::audit::Actor = $actor;
        let event: &$crate::audit::Event = $event;
        let (seq, prev): (i64, String) =
            sqlx::query_as("UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash")
                .fetch_one(&mut *$tx)
                .await?;
        let at = $db.now();
        let hash = $crate::audit::record(seq, at, actor, event).chain_hash(&prev);
        sqlx::query(
            "INSERT INTO audit_log (seq, at, category, actor_id, actor_name, action, target_type, target_id, summary, ip, success, prev_hash, hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(seq)
        .bind(at)
        .bind(event.category.code())
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind(event.action)
        .bind(event.target_type)
        .bind(&event.target_id)
        .bind(&event.summary)
        .bind(&actor.ip)
        .bind(event.success)
        .bind(&prev)
        .bind(&hash)
        .execute(&mut *$tx)
        .await?;
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(&hash).execute(&mut *$tx).await?;
    }};
}

/// Records one event in a transaction of its own (logins, reads).
pub async fn record_event(db: &Db, actor: &Actor, event: &Event) -> Result<()> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        crate::audit_append!(db, tx, actor, event);
        tx.commit().await?;
    });
    Ok(())
}

/// A stored audit row.
#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub seq: i64,
    pub at: OffsetDateTime,
    pub category: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub summary: String,
    pub ip: String,
    pub success: bool,
    pub prev_hash: String,
    pub hash: String,
}

impl AuditRow {
    fn record(&self) -> AuditRecord {
        AuditRecord {
            seq: self.seq,
            at: canonical_at(self.at),
            category: self.category.clone(),
            actor_id: self.actor_id,
            actor_name: self.actor_name.clone(),
            action: self.action.clone(),
            target_type: self.target_type.clone(),
            target_id: self.target_id.clone(),
            summary: self.summary.clone(),
            ip: self.ip.clone(),
            success: self.success,
        }
    }
}

/// Filters of the log views.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// `operation` (writes and reads of compartmented data) or `login`.
    pub categories: Vec<&'static str>,
    pub actor: Option<String>,
    pub action: Option<String>,
    pub success: Option<bool>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
}

const AUDIT_COLUMNS: &str = "seq, at, category, actor_id, actor_name, action, target_type, target_id, summary, ip, success, prev_hash, hash";

/// Lists audit rows, newest first.
pub async fn list(db: &Db, f: &AuditFilter, page: PageReq) -> Result<Page<AuditRow>> {
    crate::on_db!(db, p => {
        let build = |select: &str| {
            let mut qb = QueryBuilder::new(select);
            qb.push(" FROM audit_log WHERE 1 = 1");
            if !f.categories.is_empty() {
                qb.push(" AND category IN (");
                let mut sep = qb.separated(", ");
                for c in &f.categories {
                    sep.push_bind(c.to_string());
                }
                qb.push(")");
            }
            if let Some(a) = f.actor.as_ref().filter(|s| !s.is_empty()) {
                qb.push(" AND actor_name = ").push_bind(a.clone());
            }
            // A module (`rect.`) is a prefix of its actions' codes; any other value is one action.
            if let Some(a) = f.action.as_ref().filter(|s| s.ends_with('.')) {
                let escaped: String = a.chars().flat_map(|c| if matches!(c, '%' | '_' | '\\') { vec!['\\', c] } else { vec![c] }).collect();
                qb.push(" AND action LIKE ").push_bind(format!("{escaped}%")).push(" ESCAPE '\\'");
            } else if let Some(a) = f.action.as_ref().filter(|s| !s.is_empty()) {
                qb.push(" AND action = ").push_bind(a.clone());
            }
            if let Some(s) = f.success {
                qb.push(" AND success = ").push_bind(s);
            }
            if let Some(t) = f.from {
                qb.push(" AND at >= ").push_bind(t);
            }
            if let Some(t) = f.to {
                qb.push(" AND at < ").push_bind(t);
            }
            qb
        };
        let total: i64 = build("SELECT COUNT(*)").build_query_scalar().fetch_one(p).await?;
        let mut qb = build(&format!("SELECT {AUDIT_COLUMNS}"));
        qb.push(" ORDER BY seq DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        let items = qb.build_query_as::<AuditRow>().fetch_all(p).await?;
        Ok(Page { items, total })
    })
}

/// Walks the whole chain in sequence order and checks it against the head.
pub async fn verify(db: &Db) -> Result<ChainReport> {
    const BATCH: i64 = 5_000;
    let mut verifier = ChainVerifier::default();
    let mut after = 0_i64;
    loop {
        let rows: Vec<AuditRow> = crate::on_db!(db, p => {
            sqlx::query_as::<_, AuditRow>(
                "SELECT seq, at, category, actor_id, actor_name, action, target_type, target_id, summary, ip, success, prev_hash, hash \
                 FROM audit_log WHERE seq > $1 ORDER BY seq LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(p)
                .await?
        });
        let Some(last) = rows.last() else { break };
        after = last.seq;
        let mut ok = true;
        for r in &rows {
            if !verifier.feed(&r.record(), &r.prev_hash, &r.hash) {
                ok = false;
                break;
            }
        }
        if !ok || i64::try_from(rows.len()).unwrap_or(0) < BATCH {
            break;
        }
    }
    let (seq, hash): (i64, String) = crate::on_db!(db, p => {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await?
    });
    Ok(verifier.finish(seq, &hash))
}

/// The chain head: the last sequence number and its hash.
pub async fn head(db: &Db) -> Result<(i64, String)> {
    Ok(crate::on_db!(db, p => {
        sqlx::query_as("SELECT seq, hash FROM audit_head WHERE id = 1").fetch_one(p).await?
    }))
}

/// The stored hash of record `seq`, if it exists.
pub async fn hash_at(db: &Db, seq: i64) -> Result<Option<String>> {
    Ok(crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT hash FROM audit_log WHERE seq = $1").bind(seq).fetch_optional(p).await?
    }))
}

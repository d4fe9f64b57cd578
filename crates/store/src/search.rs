//! What the full-text index reads from the database (issue 13): the searchable records as
//! [`SearchDoc`]s, the outbox of changes, and the nodes' cursors.
//!
//! The outbox (`search_outbox`) is written by triggers on `findings`, `measures` and
//! `organisations`, inside the transaction of the change: a committed change always has its
//! row, a rolled-back one never. Each node reads the rows after its own cursor, loads the
//! records they name as they are now ([`docs`]; a record no longer there is a deletion) and
//! applies them to its index; nobody deletes a row on reading it, so every node sees every row.
//! [`prune`] removes the rows all live nodes have applied.

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};

use crate::db::{Db, Result};

/// The kinds of indexed records, as stored in the outbox and the index.
pub const KIND_ORG: &str = "org";
pub const KIND_FINDING: &str = "finding";
pub const KIND_MEASURE: &str = "measure";
/// Every indexed kind, in the order results are grouped.
pub const KINDS: [&str; 3] = [KIND_FINDING, KIND_MEASURE, KIND_ORG];

/// One searchable record, flattened for the index. `acl` holds the tokens of the data scopes
/// that may see it (see [`acl`]); the text fields are as stored (folding is the index's job).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchDoc {
    pub kind: &'static str,
    pub id: i64,
    pub title: String,
    pub body: String,
    /// The organisation the record is about (the organisation itself for an org).
    pub unit_id: i64,
    pub unit_name: String,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    /// For a measure, its finding (results link there; a finding's change refreshes its measures).
    pub finding_id: Option<i64>,
    pub category_id: Option<i64>,
    pub state: String,
    pub date: Option<Date>,
    /// The team of the round unit (round records), for team-bound viewers.
    pub team_id: Option<i64>,
    pub acl: Vec<String>,
}

/// Access tokens. A record carries, for each way it may be seen, the tokens of every ancestor
/// path of the organisation that scopes it (so a granted subtree is one term: its root's path),
/// the organisation's id (本部门 grants), its owner (仅本人 grants), and `*` (全部).
pub mod acl {
    /// Organisations, by their own path (`org:read`).
    pub const ORG: &str = "o";
    /// Round records, by the office running the round (`inspection:read`).
    pub const ROUND: &str = "r";
    /// Ledger records, by the inspected organisation once fed back (`rect:read`, `problem:read`).
    pub const LEDGER: &str = "l";

    /// The tokens of one route: `{route}:*`, `{route}:{ancestor path}` for each ancestor,
    /// `{route}i:{org id}` and `{route}u:{owner}`.
    pub fn tokens(route: &str, path: &str, org_id: i64, owner: Option<i64>) -> Vec<String> {
        let mut v = vec![format!("{route}:*"), format!("{route}i:{org_id}")];
        let mut end = 0;
        while let Some(i) = path[end + 1..].find('/') {
            end += 1 + i;
            v.push(format!("{route}:{}", &path[..=end]));
        }
        if let Some(u) = owner {
            v.push(format!("{route}u:{u}"));
        }
        v
    }

    /// The token a viewer holding the subtree starting at `path` matches.
    pub fn subtree(route: &str, path: &str) -> String {
        format!("{route}:{path}")
    }
    pub fn all(route: &str) -> String {
        format!("{route}:*")
    }
    pub fn org(route: &str, id: i64) -> String {
        format!("{route}i:{id}")
    }
    pub fn owner(route: &str, user: i64) -> String {
        format!("{route}u:{user}")
    }
}

#[derive(FromRow)]
struct OrgRow {
    id: i64,
    name: String,
    code: String,
    path: String,
    active: bool,
    created_by: Option<i64>,
}

#[derive(FromRow)]
struct FindingRow {
    id: i64,
    title: String,
    facts: String,
    basis: String,
    responsibility: String,
    team_opinion: String,
    state: String,
    org_id: i64,
    org_path: Option<String>,
    created_by: Option<i64>,
    category_id: Option<i64>,
    created_at: OffsetDateTime,
    unit_name: String,
    unit_path: String,
    round_id: i64,
    round_unit_id: i64,
    team_id: Option<i64>,
    owner_org_id: i64,
    owner_path: String,
    owner_created_by: Option<i64>,
}

#[derive(FromRow)]
struct MeasureRow {
    id: i64,
    finding_id: i64,
    content: String,
    target: String,
    state: String,
    deadline: Date,
    finding_state: String,
    finding_title: String,
    org_id: i64,
    org_path: Option<String>,
    created_by: Option<i64>,
    category_id: Option<i64>,
    unit_name: String,
    unit_path: String,
    round_id: i64,
    round_unit_id: i64,
}

const ORG_SELECT: &str =
    "SELECT o.id, o.name, o.code, o.path, o.active, o.created_by FROM organisations o";
const FINDING_SELECT: &str = "SELECT f.id, f.title, f.facts, f.basis, f.responsibility, f.team_opinion, f.state, \
    f.org_id, f.org_path, f.created_by, f.category_id, f.created_at, o.name AS unit_name, o.path AS unit_path, \
    ru.round_id, f.round_unit_id, ru.team_id, ru.owner_org_id, ow.path AS owner_path, ow.created_by AS owner_created_by \
    FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
    JOIN organisations o ON o.id = f.org_id JOIN organisations ow ON ow.id = ru.owner_org_id";
const MEASURE_SELECT: &str = "SELECT m.id, m.finding_id, m.content, m.target, m.state, m.deadline, \
    f.state AS finding_state, f.title AS finding_title, f.org_id, f.org_path, f.created_by, f.category_id, \
    o.name AS unit_name, o.path AS unit_path, ru.round_id, f.round_unit_id \
    FROM measures m JOIN findings f ON f.id = m.finding_id JOIN round_units ru ON ru.id = f.round_unit_id \
    JOIN organisations o ON o.id = f.org_id";

fn is_ledger_state(state: &str) -> bool {
    crate::rectification::LEDGER_STATES.contains(&format!("'{state}'"))
}

fn org_doc(r: OrgRow) -> SearchDoc {
    SearchDoc {
        kind: KIND_ORG,
        id: r.id,
        body: r.code,
        title: r.name.clone(),
        unit_id: r.id,
        unit_name: r.name,
        round_id: None,
        round_unit_id: None,
        finding_id: None,
        category_id: None,
        state: if r.active { "active" } else { "inactive" }.to_string(),
        date: None,
        team_id: None,
        acl: acl::tokens(acl::ORG, &r.path, r.id, r.created_by),
    }
}

fn finding_doc(r: FindingRow) -> SearchDoc {
    let mut tokens = acl::tokens(
        acl::ROUND,
        &r.owner_path,
        r.owner_org_id,
        r.owner_created_by,
    );
    if is_ledger_state(&r.state) {
        let path = r.org_path.as_deref().unwrap_or(&r.unit_path);
        tokens.extend(acl::tokens(acl::LEDGER, path, r.org_id, r.created_by));
    }
    let body = [r.facts, r.basis, r.responsibility, r.team_opinion]
        .into_iter()
        .filter(|s| !s.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    SearchDoc {
        kind: KIND_FINDING,
        id: r.id,
        title: r.title,
        body,
        unit_id: r.org_id,
        unit_name: r.unit_name,
        round_id: Some(r.round_id),
        round_unit_id: Some(r.round_unit_id),
        finding_id: None,
        category_id: r.category_id,
        state: r.state,
        date: Some(r.created_at.date()),
        team_id: r.team_id,
        acl: tokens,
    }
}

fn measure_doc(r: MeasureRow) -> SearchDoc {
    // A measure belongs to the ledger: it is seen where its finding's ledger item is.
    let acl = if is_ledger_state(&r.finding_state) {
        let path = r.org_path.as_deref().unwrap_or(&r.unit_path);
        acl::tokens(acl::LEDGER, path, r.org_id, r.created_by)
    } else {
        Vec::new()
    };
    SearchDoc {
        kind: KIND_MEASURE,
        id: r.id,
        title: r.finding_title,
        body: [r.content, r.target]
            .into_iter()
            .filter(|s| !s.trim().is_empty())
            .collect::<Vec<_>>()
            .join("\n"),
        unit_id: r.org_id,
        unit_name: r.unit_name,
        round_id: Some(r.round_id),
        round_unit_id: Some(r.round_unit_id),
        finding_id: Some(r.finding_id),
        category_id: r.category_id,
        state: r.state,
        date: Some(r.deadline),
        team_id: None,
        acl,
    }
}

/// The records of `kind` with these ids, as they are now (absent ids were deleted). For a
/// finding, also its measures (whose visibility follows the finding's).
pub async fn docs(db: &Db, kind: &str, ids: &[i64]) -> Result<Vec<SearchDoc>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    Ok(crate::on_db!(db, p => {
        let mut out = Vec::new();
        match kind {
            KIND_ORG => {
                let mut qb = QueryBuilder::new(ORG_SELECT);
                push_in(&mut qb, "o.id", ids);
                let rows: Vec<OrgRow> = qb.build_query_as().fetch_all(p).await?;
                out.extend(rows.into_iter().map(org_doc));
            }
            KIND_FINDING => {
                let mut qb = QueryBuilder::new(FINDING_SELECT);
                push_in(&mut qb, "f.id", ids);
                let rows: Vec<FindingRow> = qb.build_query_as().fetch_all(p).await?;
                out.extend(rows.into_iter().map(finding_doc));
                let mut qb = QueryBuilder::new(MEASURE_SELECT);
                push_in(&mut qb, "m.finding_id", ids);
                let rows: Vec<MeasureRow> = qb.build_query_as().fetch_all(p).await?;
                out.extend(rows.into_iter().map(measure_doc));
            }
            KIND_MEASURE => {
                let mut qb = QueryBuilder::new(MEASURE_SELECT);
                push_in(&mut qb, "m.id", ids);
                let rows: Vec<MeasureRow> = qb.build_query_as().fetch_all(p).await?;
                out.extend(rows.into_iter().map(measure_doc));
            }
            _ => {}
        }
        out
    }))
}

fn push_in<DB>(qb: &mut QueryBuilder<DB>, col: &str, ids: &[i64])
where
    DB: sqlx::Database,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(format_args!(" WHERE {col} IN ("));
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(*id);
    }
    qb.push(")");
}

/// One batch of the records of `kind` with ids above `after`, in id order, for a rebuild:
/// the ids of the batch (at most `batch`) and their documents (a finding's without its measures:
/// the rebuild reads the measures on their own).
pub async fn batch(
    db: &Db,
    kind: &str,
    after: i64,
    batch: i64,
) -> Result<(Vec<i64>, Vec<SearchDoc>)> {
    let table = match kind {
        KIND_ORG => "organisations",
        KIND_FINDING => "findings",
        KIND_MEASURE => "measures",
        _ => return Ok((Vec::new(), Vec::new())),
    };
    let ids: Vec<i64> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format_args!("SELECT id FROM {table} WHERE id > ").to_string());
        qb.push_bind(after).push(" ORDER BY id LIMIT ").push_bind(batch);
        qb.build_query_scalar().fetch_all(p).await?
    });
    if ids.is_empty() {
        return Ok((ids, Vec::new()));
    }
    let mut docs = docs(db, kind, &ids).await?;
    if kind == KIND_FINDING {
        docs.retain(|d| d.kind == KIND_FINDING);
    }
    Ok((ids, docs))
}

/// One change in the outbox.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct OutboxRow {
    pub id: i64,
    pub kind: String,
    pub record_id: i64,
}

/// The outbox rows after `cursor`, oldest first, at most `batch`.
pub async fn outbox_after(db: &Db, cursor: i64, batch: i64) -> Result<Vec<OutboxRow>> {
    Ok(crate::on_db!(db, p => sqlx::query_as::<_, OutboxRow>(
        "SELECT id, kind, record_id FROM search_outbox WHERE id > $1 ORDER BY id LIMIT $2")
        .bind(cursor).bind(batch).fetch_all(p).await?))
}

/// The newest outbox id (0 when empty): a rebuild starts from it, and re-applies what comes after.
pub async fn outbox_head(db: &Db) -> Result<i64> {
    let head: Option<i64> = crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT MAX(id) FROM search_outbox").fetch_one(p).await?);
    let pruned = pruned_through(db).await?;
    Ok(head.unwrap_or(0).max(pruned))
}

/// The highest outbox id pruned: a node whose cursor is below it has missed changes.
pub async fn pruned_through(db: &Db) -> Result<i64> {
    Ok(crate::on_db!(db, p => sqlx::query_scalar::<_, i64>(
        "SELECT last_id FROM search_outbox_pruned WHERE id = 1").fetch_optional(p).await?)
    .unwrap_or(0))
}

/// Records that `node` has applied the outbox up to `applied_through`.
pub async fn report_node(db: &Db, node: &str, applied_through: i64) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query(
            "INSERT INTO search_nodes (node, applied_through, seen_at) VALUES ($1, $2, $3) \
             ON CONFLICT (node) DO UPDATE SET applied_through = excluded.applied_through, seen_at = excluded.seen_at")
            .bind(node).bind(applied_through).bind(now).execute(&mut *tx).await?;
        tx.commit().await?;
    });
    Ok(())
}

/// Deletes the outbox rows every node seen since `live_since` has applied, and forgets nodes
/// not seen since then (such a node, back, finds its cursor below [`pruned_through`] and
/// rebuilds). Returns the number of rows deleted.
pub async fn prune(db: &Db, live_since: OffsetDateTime) -> Result<u64> {
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("DELETE FROM search_nodes WHERE seen_at < $1")
            .bind(live_since).execute(&mut *tx).await?;
        let low: Option<i64> = sqlx::query_scalar("SELECT MIN(applied_through) FROM search_nodes")
            .fetch_one(&mut *tx).await?;
        let n = match low {
            Some(low) => {
                sqlx::query("UPDATE search_outbox_pruned SET last_id = $1 WHERE id = 1 AND last_id < $1")
                    .bind(low).execute(&mut *tx).await?;
                sqlx::query("DELETE FROM search_outbox WHERE id <= $1")
                    .bind(low).execute(&mut *tx).await?.rows_affected()
            }
            None => 0,
        };
        tx.commit().await?;
        n
    }))
}

/// The teams `user_id` is a member of (a team-bound viewer sees round records of these alone).
pub async fn user_teams(db: &Db, user_id: i64) -> Result<Vec<i64>> {
    Ok(crate::on_db!(db, p => sqlx::query_scalar(
        "SELECT m.team_id FROM team_members m JOIN people pe ON pe.id = m.person_id WHERE pe.user_id = $1")
        .bind(user_id).fetch_all(p).await?))
}

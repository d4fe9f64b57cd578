//! Disclosure (整改公开): the internal circular and the public release of a round unit's
//! rectification, their figures, exemptions and approval by a second person.
//!
//! Visibility: a disclosure belongs to a round unit and is visible when the inspected
//! organisation lies in the caller's scope (`o` = the inspected organisation). Only approved
//! disclosures are public.

use serde_json::{Value, json};
use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use xuncha_domain::DomainError;
use xuncha_domain::disclosure::{
    self as rules, DisclosureCounts, DisclosureState, ExemptionReason,
};
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::{FindingId, RoundUnitId};
use xuncha_domain::inspection::FindingState;
use xuncha_domain::org::OrgId;

use crate::assessment::{UNIT_COLS, check_fed_back, corrupt, rule, str_of, unit};
use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::Scope;
use crate::{Page, PageReq};

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DisclosureRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub state: String,
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    pub counts: Option<String>,
    pub public_counts: Option<String>,
    pub public_items: Option<String>,
    /// The public counts the public text was generated from (see [`update_disclosure`]).
    pub public_basis: Option<String>,
    pub drafted_by: Option<i64>,
    pub drafted_by_name: String,
    pub submitted_at: Option<OffsetDateTime>,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub opinion: Option<String>,
    pub version: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl DisclosureRow {
    pub fn state(&self) -> Result<DisclosureState> {
        DisclosureState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("disclosure state {}", self.state)))
    }
}

const SELECT_DISCLOSURE: &str = "SELECT d.id, d.round_unit_id, ru.round_id, r.name AS round_name, ru.org_id, o.name AS org_name, d.state, d.title, \
     d.internal_text, d.public_text, d.counts, d.public_counts, d.public_items, d.public_basis, d.drafted_by, d.drafted_by_name, d.submitted_at, \
     d.decided_by_name, d.decided_at, d.opinion, d.version, d.created_at, d.updated_at \
     FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1";

pub async fn list_disclosures(
    db: &Db,
    scope: &Scope,
    state: Option<&str>,
    page: PageReq,
) -> Result<Page<DisclosureRow>> {
    crate::on_db!(db, p => {
        let mut count = QueryBuilder::new("SELECT COUNT(*) FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN organisations o ON o.id = ru.org_id WHERE 1 = 1");
        let mut qb = QueryBuilder::new(SELECT_DISCLOSURE);
        if let Some(s) = state.filter(|s| !s.is_empty()) {
            count.push(" AND d.state = ").push_bind(s.to_string());
            qb.push(" AND d.state = ").push_bind(s.to_string());
        }
        scope.push_filter(&mut count, UNIT_COLS);
        scope.push_filter(&mut qb, UNIT_COLS);
        let total: i64 = count.build_query_scalar().fetch_one(p).await?;
        qb.push(" ORDER BY d.id DESC LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        Ok(Page { items: qb.build_query_as::<DisclosureRow>().fetch_all(p).await?, total })
    })
}

pub async fn get_disclosure(db: &Db, scope: &Scope, id: i64) -> Result<DisclosureRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_DISCLOSURE);
        qb.push(" AND d.id = ").push_bind(id);
        scope.push_filter(&mut qb, UNIT_COLS);
        qb.build_query_as::<DisclosureRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// A fed-back finding of the unit, with its exemption from the public release if any.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct DisclosureItem {
    pub finding_id: FindingId,
    pub title: String,
    pub category_name: Option<String>,
    pub state: String,
    pub exemption: Option<String>,
    pub note: Option<String>,
}

/// States of fed-back findings (the ledger).
const FED_BACK_STATES: &str =
    "('FED_BACK', 'PLANNED', 'IN_PROGRESS', 'CLOSE_REQUESTED', 'CLOSED', 'LONG_TERM', 'REOPENED')";

pub async fn disclosure_items(
    db: &Db,
    unit_id: RoundUnitId,
    disclosure_id: Option<i64>,
) -> Result<Vec<DisclosureItem>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, DisclosureItem>(sqlx::AssertSqlSafe(format!(
        "SELECT f.id AS finding_id, f.title, c.name AS category_name, f.state, x.reason AS exemption, x.note \
         FROM findings f LEFT JOIN categories c ON c.id = f.category_id \
         LEFT JOIN disclosure_exemptions x ON x.finding_id = f.id AND x.disclosure_id = $2 \
         WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES} ORDER BY f.id")))
        .bind(unit_id.get()).bind(disclosure_id.unwrap_or(0)).fetch_all(p).await?))
}

/// `(kind, treatment, rows, Σ count, Σ amount_fen)` of the outcomes of one kind and treatment.
type OutcomeSum = (String, Option<String>, i64, i64, i64);

/// The figures of a round unit's rectification: findings by state and the outcomes recorded on
/// them (domain.md §6.6). With `without_exempt_of`, the findings exempted in that disclosure and
/// their outcomes are left out (the public figures).
pub async fn disclosure_counts(
    db: &Db,
    unit_id: RoundUnitId,
    without_exempt_of: Option<i64>,
) -> Result<DisclosureCounts> {
    // No disclosure has id 0, so without one nothing is left out.
    let exempt =
        " AND f.id NOT IN (SELECT finding_id FROM disclosure_exemptions WHERE disclosure_id = $2)";
    let xid = without_exempt_of.unwrap_or(0);
    let (states, outcomes): (Vec<(String, i64)>, Vec<OutcomeSum>) = crate::on_db!(db, p => {
        let states = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT f.state, COUNT(*) FROM findings f WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES}{exempt} GROUP BY f.state")))
            .bind(unit_id.get()).bind(xid).fetch_all(p).await?;
        let outcomes = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT o.kind, o.treatment, COUNT(*), CAST(COALESCE(SUM(o.count), 0) AS BIGINT), CAST(COALESCE(SUM(o.amount_fen), 0) AS BIGINT) \
             FROM rect_outcomes o JOIN findings f ON f.id = o.finding_id \
             WHERE f.round_unit_id = $1 AND f.state IN {FED_BACK_STATES}{exempt} GROUP BY o.kind, o.treatment ORDER BY o.kind, o.treatment")))
            .bind(unit_id.get()).bind(xid).fetch_all(p).await?;
        (states, outcomes)
    });
    let mut c = DisclosureCounts::default();
    for (s, n) in states {
        c.total += n;
        match FindingState::from_code(&s) {
            Some(FindingState::Closed) => c.completed += n,
            Some(FindingState::LongTerm) => c.long_term += n,
            _ => c.in_progress += n,
        }
    }
    for (kind, treatment, rows, count, fen) in outcomes {
        match kind.as_str() {
            "accountability" => {
                c.accountability_people += count;
                let t = treatment
                    .filter(|t| !t.trim().is_empty())
                    .unwrap_or_else(|| Msg::new("disclosure.other_treatment").render());
                match c.by_treatment.iter_mut().find(|(x, _)| *x == t) {
                    Some(e) => e.1 += count,
                    None => c.by_treatment.push((t, count)),
                }
            }
            "rule" => c.rules += rows,
            "money_returned" => c.money_returned_fen += fen,
            "loss_recovered" => c.loss_recovered_fen += fen,
            _ => {}
        }
    }
    c.by_treatment.sort();
    Ok(c)
}

/// The counts as stored JSON.
pub fn counts_json(c: &DisclosureCounts) -> String {
    let t: Vec<Value> = c
        .by_treatment
        .iter()
        .map(|(t, n)| json!({"treatment": t, "people": n}))
        .collect();
    json!({
        "total": c.total, "completed": c.completed, "in_progress": c.in_progress, "long_term": c.long_term,
        "accountability_people": c.accountability_people, "by_treatment": t, "rules": c.rules,
        "money_returned_fen": c.money_returned_fen, "loss_recovered_fen": c.loss_recovered_fen,
    })
    .to_string()
}

pub fn parse_counts(text: &str) -> Result<DisclosureCounts> {
    let v: Value = serde_json::from_str(text).map_err(|_| corrupt("counts"))?;
    let n = |k: &str| v.get(k).and_then(Value::as_i64).unwrap_or(0);
    Ok(DisclosureCounts {
        total: n("total"),
        completed: n("completed"),
        in_progress: n("in_progress"),
        long_term: n("long_term"),
        accountability_people: n("accountability_people"),
        by_treatment: v
            .get("by_treatment")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(|x| Some((str_of(x, "treatment")?, x.get("people")?.as_i64()?)))
                    .collect()
            })
            .unwrap_or_default(),
        rules: n("rules"),
        money_returned_fen: n("money_returned_fen"),
        loss_recovered_fen: n("loss_recovered_fen"),
    })
}

/// A public item: `(title, category, state)`.
pub fn parse_items(text: &str) -> Result<Vec<(String, String, String)>> {
    let v: Vec<Value> = serde_json::from_str(text).map_err(|_| corrupt("public_items"))?;
    Ok(v.iter()
        .filter_map(|x| {
            Some((
                str_of(x, "title")?,
                str_of(x, "category").unwrap_or_default(),
                str_of(x, "state")?,
            ))
        })
        .collect())
}

/// Drafts the disclosure of a fed-back round unit, with texts generated from the records.
pub async fn create_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
) -> Result<DisclosureRow> {
    let u = unit(db, scope, unit_id).await?;
    check_fed_back(&u)?;
    let c = disclosure_counts(db, unit_id, None).await?;
    let internal = rules::internal_text(&u.org_name, &u.round_name, &c);
    let public = rules::public_text(&u.org_name, &u.round_name, &c);
    let title = Msg::new("disclosure.title")
        .arg("org", &u.org_name)
        .render();
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM disclosures WHERE round_unit_id = $1").bind(unit_id.get()).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(rule("disclosure.exists"));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO disclosures (province_id, round_unit_id, state, title, internal_text, public_text, public_basis, drafted_by, drafted_by_name, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id")
            .bind(u.province_id).bind(unit_id.get()).bind(DisclosureState::Draft.code()).bind(&title).bind(&internal).bind(&public)
            .bind(counts_json(&c)).bind(actor.user_id).bind(&actor.display_name).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.create", "disclosure", id, Msg::new("disclosure.audit_create").arg("org", &u.org_name).render()));
        tx.commit().await?;
        id
    });
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// The editable content of a disclosure.
#[derive(Debug, Clone)]
pub struct DisclosureDraft {
    pub title: String,
    pub internal_text: String,
    pub public_text: String,
    /// `(finding id, reason, note)`.
    pub exemptions: Vec<(FindingId, ExemptionReason, String)>,
}

pub async fn update_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    d: &DisclosureDraft,
    version: i64,
) -> Result<DisclosureRow> {
    let row = get_disclosure(db, scope, id).await?;
    if !row.state()?.editable() {
        return Err(rule("disclosure.not_editable"));
    }
    let items = disclosure_items(db, row.round_unit_id, Some(id)).await?;
    let mut before: Vec<FindingId> = items
        .iter()
        .filter(|x| x.exemption.is_some())
        .map(|x| x.finding_id)
        .collect();
    before.sort_unstable();
    let mut after: Vec<FindingId> = d.exemptions.iter().map(|(fid, _, _)| *fid).collect();
    after.sort_unstable();
    after.dedup();
    // The public text follows the exemptions: a change of them (or an empty text) regenerates it.
    let regenerate = before != after || d.public_text.trim().is_empty();
    for (i, (fid, _, _)) in d.exemptions.iter().enumerate() {
        if !items.iter().any(|x| x.finding_id == *fid) {
            return Err(StoreError::Domain(DomainError::field(
                &format!("exemptions[{i}].finding_id"),
                Msg::new("disclosure.finding_not_in_unit"),
            )));
        }
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE disclosures SET title = $1, internal_text = $2, public_text = $3, version = version + 1, updated_at = $4 \
                             WHERE id = $5 AND version = $6 AND state IN ('DRAFT', 'RETURNED')")
            .bind(&d.title).bind(&d.internal_text).bind(&d.public_text).bind(now).bind(id).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        sqlx::query("DELETE FROM disclosure_exemptions WHERE disclosure_id = $1").bind(id).execute(&mut *tx).await?;
        for (fid, reason, note) in &d.exemptions {
            sqlx::query("INSERT INTO disclosure_exemptions (disclosure_id, finding_id, reason, note) VALUES ($1, $2, $3, $4)")
                .bind(id).bind((*fid).get()).bind(reason.code()).bind(note).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.update", "disclosure", id,
            Msg::new("disclosure.audit_update").arg("org", &row.org_name).arg("count", d.exemptions.len()).render()));
        tx.commit().await?;
    });
    if regenerate {
        regenerate_public_text(db, actor, &row).await?;
    }
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// Rewrites the public text from the current public counts (without the exempted items) and
/// records them as its basis.
async fn regenerate_public_text(db: &Db, actor: &Actor, row: &DisclosureRow) -> Result<()> {
    let c = disclosure_counts(db, row.round_unit_id, Some(row.id)).await?;
    let text = rules::public_text(&row.org_name, &row.round_name, &c);
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE disclosures SET public_text = $1, public_basis = $2, version = version + 1, updated_at = $3 WHERE id = $4 AND state IN ('DRAFT', 'RETURNED')")
            .bind(&text).bind(counts_json(&c)).bind(now).bind(row.id).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.regenerate", "disclosure", row.id,
            Msg::new("disclosure.audit_regenerate").arg("org", &row.org_name).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// Submits (freezing the figures and the public items), approves or returns a disclosure.
/// Whether the office that ran the round of `round_unit_id` lies in `scope`.
pub async fn round_office_in_scope(
    db: &Db,
    scope: &Scope,
    round_unit_id: RoundUnitId,
) -> Result<bool> {
    let (owner_id, owner_path): (i64, String) = crate::on_db!(db, p => sqlx::query_as(
        "SELECT o.id, o.path FROM round_units ru JOIN organisations o ON o.id = ru.owner_org_id WHERE ru.id = $1")
        .bind(round_unit_id.get()).fetch_one(p).await?);
    Ok(scope.contains(owner_id.into(), &owner_path, None))
}

pub async fn transition_disclosure(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    to: DisclosureState,
    opinion: &str,
    version: i64,
) -> Result<DisclosureRow> {
    let row = get_disclosure(db, scope, id).await?;
    let from = row.state()?;
    rules::check_disclosure_transition(from, to)?;
    if to == DisclosureState::Approved {
        rules::check_second_approver(row.drafted_by.unwrap_or(0), actor.user_id.unwrap_or(0))?;
    }
    if matches!(to, DisclosureState::Approved | DisclosureState::Returned) {
        // Only the office that ran the round (or one above it) decides: the inspected unit's own
        // office sees the disclosure but must not approve what is published about it.
        if !round_office_in_scope(db, scope, row.round_unit_id).await? {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "disclosure.not_round_office",
            ))));
        }
    }
    let frozen = if to == DisclosureState::Submitted {
        let all = disclosure_counts(db, row.round_unit_id, None).await?;
        let public = disclosure_counts(db, row.round_unit_id, Some(id)).await?;
        // The text must be the one generated for these counts and exemptions (an exempted case
        // must not reach the public through a text drafted before it was exempted).
        if row.public_basis.as_deref() != Some(counts_json(&public).as_str()) {
            return Err(rule("disclosure.stale_text"));
        }
        let items: Vec<Value> = disclosure_items(db, row.round_unit_id, Some(id))
            .await?
            .into_iter()
            .filter(|x| x.exemption.is_none())
            .map(|x| {
                let state = FindingState::from_code(&x.state).map_or(x.state.clone(), |s| s.label().to_string());
                json!({"title": x.title, "category": x.category_name.unwrap_or_default(), "state": state})
            })
            .collect();
        Some((
            counts_json(&all),
            counts_json(&public),
            Value::Array(items).to_string(),
        ))
    } else {
        None
    };
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = match &frozen {
            Some((all, public, items)) => sqlx::query(
                "UPDATE disclosures SET state = $1, counts = $2, public_counts = $3, public_items = $4, submitted_at = $5, opinion = NULL, \
                 version = version + 1, updated_at = $5 WHERE id = $6 AND version = $7 AND state = $8")
                .bind(to.code()).bind(all).bind(public).bind(items).bind(now).bind(id).bind(version).bind(from.code())
                .execute(&mut *tx).await?.rows_affected(),
            None => sqlx::query(
                "UPDATE disclosures SET state = $1, decided_by = $2, decided_by_name = $3, decided_at = $4, opinion = $5, \
                 version = version + 1, updated_at = $4 WHERE id = $6 AND version = $7 AND state = $8")
                .bind(to.code()).bind(actor.user_id).bind(&actor.display_name).bind(now).bind(opinion).bind(id).bind(version).bind(from.code())
                .execute(&mut *tx).await?.rows_affected(),
        };
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("disclosure.transition", "disclosure", id,
            Msg::new("disclosure.audit_transition").arg("org", &row.org_name).arg("from", from.label()).arg("to", to.label()).render()));
        tx.commit().await?;
    });
    get_disclosure(db, &Scope::unrestricted(), id).await
}

/// One approved public release.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PublicDisclosure {
    pub id: i64,
    pub title: String,
    pub org_name: String,
    pub round_name: String,
    pub public_text: String,
    pub public_counts: Option<String>,
    pub public_items: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
}

const SELECT_PUBLIC: &str = "SELECT d.id, d.title, o.name AS org_name, r.name AS round_name, d.public_text, d.public_counts, d.public_items, d.decided_at \
     FROM disclosures d JOIN round_units ru ON ru.id = d.round_unit_id JOIN rounds r ON r.id = ru.round_id \
     JOIN organisations o ON o.id = ru.org_id WHERE d.state = 'APPROVED'";

/// Approved disclosures, newest first: the only disclosure data served without login.
pub async fn public_disclosures(db: &Db, page: PageReq) -> Result<Page<PublicDisclosure>> {
    crate::on_db!(db, p => {
        let total: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM disclosures WHERE state = 'APPROVED'").fetch_one(p).await?;
        let items = sqlx::query_as::<_, PublicDisclosure>(sqlx::AssertSqlSafe(format!("{SELECT_PUBLIC} ORDER BY d.decided_at DESC, d.id DESC LIMIT $1 OFFSET $2")))
            .bind(page.page_size).bind(page.offset()).fetch_all(p).await?;
        Ok(Page { items, total })
    })
}

pub async fn public_disclosure(db: &Db, id: i64) -> Result<PublicDisclosure> {
    crate::on_db!(db, p => {
        sqlx::query_as::<_, PublicDisclosure>(sqlx::AssertSqlSafe(format!("{SELECT_PUBLIC} AND d.id = $1")))
            .bind(id).fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

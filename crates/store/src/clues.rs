//! The clue register: separate, compartmented, with the persons' fields encrypted (the caller
//! encrypts; this module stores ciphertext) and every read audited by the caller.
//!
//! Who sees a clue: holders of the `clue` compartment who either lead clue work (`clue:lead`) in an
//! office whose subtree runs the round, or are members of the team assigned to the round unit;
//! and the receiving body (`clue:dispose`) once the clue is transferred to an organisation in its
//! scope.

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::inspection::{ClueState, Disposition, TargetBody};
use xuncha_domain::org::OrgId;

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::inspection::get_unit;
use crate::scope::Scope;
use crate::{Page, PageReq};

/// How the caller may see clues.
#[derive(Debug, Clone)]
pub struct ClueAccess {
    pub user_id: i64,
    /// Holds the `clue` compartment.
    pub compartment: bool,
    /// Holds `clue:lead`.
    pub lead: bool,
    /// Holds `clue:dispose`.
    pub dispose: bool,
    pub scope: Scope,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct ClueRow {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    /// The office that runs the round: its time limit for the result applies.
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub source: String,
    pub summary: String,
    pub subject_name_enc: Vec<u8>,
    pub subject_post_enc: Vec<u8>,
    pub informant_enc: Vec<u8>,
    pub facts_enc: Vec<u8>,
    pub state: String,
    pub target_body: Option<String>,
    pub receiving_org_id: Option<OrgId>,
    pub receiving_org_name: Option<String>,
    pub letter_no: Option<String>,
    pub transferred_on: Option<Date>,
    pub received_at: Option<OffsetDateTime>,
    pub disposition: Option<String>,
    pub result: Option<String>,
    pub result_at: Option<OffsetDateTime>,
    pub finding_id: Option<i64>,
    pub version: i64,
}

impl ClueRow {
    pub fn state(&self) -> Result<ClueState> {
        ClueState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("clue state {}", self.state)))
    }
}

const SELECT_CLUE: &str = "SELECT c.id, c.round_unit_id, ru.owner_org_id, c.org_id, o.name AS org_name, c.source, c.summary, c.subject_name_enc, c.subject_post_enc, \
     c.informant_enc, c.facts_enc, c.state, c.target_body, c.receiving_org_id, rcv.name AS receiving_org_name, c.letter_no, c.transferred_on, \
     c.received_at, c.disposition, c.result, c.result_at, c.finding_id, c.version \
     FROM clues c JOIN round_units ru ON ru.id = c.round_unit_id JOIN organisations o ON o.id = c.org_id \
     JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN organisations rcv ON rcv.id = c.receiving_org_id WHERE 1 = 1";

pub(crate) fn push_access<DB>(qb: &mut QueryBuilder<DB>, a: &ClueAccess)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if !a.compartment {
        qb.push(" AND 1 = 0");
        return;
    }
    qb.push(" AND ((1 = 1");
    a.scope.push_unit_filter(qb);
    qb.push(" AND (");
    if a.lead {
        qb.push("1 = 1 OR ");
    }
    qb.push("EXISTS (SELECT 1 FROM team_members m JOIN people pe ON pe.id = m.person_id WHERE m.team_id = ru.team_id AND pe.user_id = ");
    qb.push_bind(a.user_id);
    qb.push("))) ");
    if a.dispose {
        // The receiving body's inbox: clues transferred to the caller's own organisation or
        // below, within scope (a level-wide data scope does not open other bodies' inboxes).
        qb.push("OR (c.receiving_org_id IS NOT NULL AND c.state IN ('TRANSFERRED', 'DISPOSING', 'RESULT_FED_BACK', 'CLOSED') \
                 AND EXISTS (SELECT 1 FROM users uu JOIN organisations uo ON uo.id = uu.org_id WHERE uu.id = ");
        qb.push_bind(a.user_id);
        qb.push(" AND substr(rcv.path, 1, length(uo.path)) = uo.path)");
        a.scope.push_filter(
            qb,
            crate::scope::ScopeColumns {
                path: "rcv.path",
                org_id: "rcv.id",
                owner: "rcv.created_by",
            },
        );
        qb.push(")");
    }
    qb.push(")");
}

#[derive(Debug, Clone, Default)]
pub struct ClueFilter {
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    /// Only clues transferred to organisations in scope (the receiving body's inbox).
    pub received_only: bool,
    /// Only clues about this organisation's subtree (the inspected organisation, `o.path`).
    pub org_id: Option<OrgId>,
}

/// One page of the clues the caller may see, newest first, with the total.
pub async fn list_clues(
    db: &Db,
    a: &ClueAccess,
    f: &ClueFilter,
    page: PageReq,
) -> Result<Page<ClueRow>> {
    let range = match f.org_id {
        Some(o) => Some(crate::orgs::subtree_range(db, o).await?),
        None => None,
    };
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some((a, b)) = &range { qb.push(" AND o.path >= ").push_bind(a.clone()).push(" AND o.path < ").push_bind(b.clone()); }
            if let Some(u) = f.round_unit_id { qb.push(" AND c.round_unit_id = ").push_bind(u); }
            if let Some(s) = f.state.as_ref().filter(|s| !s.is_empty()) { qb.push(" AND c.state = ").push_bind(s.clone()); }
            if f.received_only { qb.push(" AND c.receiving_org_id IS NOT NULL"); }
            push_access(qb, a);
        };
        Ok(crate::page_of!(p, SELECT_CLUE, filter, " ORDER BY c.id DESC", page, ClueRow))
    })
}

/// Every clue of one round unit the caller may see (the register document of that unit).
pub async fn unit_clues(
    db: &Db,
    a: &ClueAccess,
    round_unit_id: RoundUnitId,
) -> Result<Vec<ClueRow>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_CLUE);
        qb.push(" AND c.round_unit_id = ").push_bind(round_unit_id.get());
        push_access(&mut qb, a);
        qb.push(" ORDER BY c.id");
        Ok(qb.build_query_as::<ClueRow>().fetch_all(p).await?)
    })
}

pub async fn get_clue(db: &Db, a: &ClueAccess, id: i64) -> Result<ClueRow> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_CLUE);
        qb.push(" AND c.id = ").push_bind(id);
        push_access(&mut qb, a);
        qb.build_query_as::<ClueRow>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The encrypted fields of a new clue.
#[derive(Debug, Clone)]
pub struct NewClue {
    pub source: String,
    pub summary: String,
    pub subject_name_enc: Vec<u8>,
    pub subject_post_enc: Vec<u8>,
    pub informant_enc: Vec<u8>,
    pub facts_enc: Vec<u8>,
}

/// Inserts clue `$c` (a `&NewClue`) on round unit `$unit` (a `RoundUnitId`), about the unit's
/// organisation, as RECEIVED, inside `$tx`; evaluates to its id.
#[macro_export]
macro_rules! insert_clue {
    ($tx:expr, $unit:expr, $c:expr, $actor:expr, $now:expr) => {{
        let unit: xuncha_domain::ids::RoundUnitId = $unit;
        let c: &$crate::clues::NewClue = $c;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO clues (province_id, round_unit_id, org_id, source, summary, subject_name_enc, subject_post_enc, informant_enc, facts_enc, state, created_by, created_at, updated_at) \
             SELECT ru.province_id, ru.id, ru.org_id, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10 FROM round_units ru WHERE ru.id = $1 RETURNING id")
            .bind(unit.get()).bind(&c.source).bind(&c.summary).bind(&c.subject_name_enc).bind(&c.subject_post_enc)
            .bind(&c.informant_enc).bind(&c.facts_enc).bind(xuncha_domain::inspection::ClueState::Received.code()).bind($actor.user_id).bind($now)
            .fetch_one(&mut *$tx).await?;
        id
    }};
}

/// Registers a clue on a round unit. Only a holder of the clue compartment who leads clue work
/// or is on the unit's team may; anyone else is answered "not found" and nothing is stored.
pub async fn create_clue(
    db: &Db,
    actor: &Actor,
    a: &ClueAccess,
    unit_id: RoundUnitId,
    c: &NewClue,
) -> Result<i64> {
    if !a.compartment {
        return Err(StoreError::NotFound);
    }
    let unit = get_unit(db, &a.scope, unit_id).await?;
    let now = db.now();
    Ok(crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        if !a.lead {
            let member: Option<i64> = sqlx::query_scalar(
                "SELECT m.team_id FROM team_members m JOIN people pe ON pe.id = m.person_id JOIN round_units ru ON ru.team_id = m.team_id \
                 WHERE ru.id = $1 AND pe.user_id = $2")
                .bind(unit_id.get()).bind(a.user_id).fetch_optional(&mut *tx).await?;
            if member.is_none() {
                return Err(StoreError::NotFound);
            }
        }
        let id = crate::insert_clue!(tx, unit_id, c, actor, now);
        crate::event_append!(db, tx, "clue", id, actor, None::<String>, ClueState::Received.code(), Msg::new("event.clue_received").render());
        // The audit trail names the clue, never its content.
        crate::audit_append!(db, tx, actor, &Event::op("clue.create", "clue", id, Msg::new("audit.clue_create").arg("org", &unit.org_name).render()));
        tx.commit().await?;
        id
    }))
}

/// What a state change sets besides the state.
#[derive(Debug, Clone, Default)]
pub struct ClueChange {
    pub target_body: Option<TargetBody>,
    pub receiving_org_id: Option<OrgId>,
    pub letter_no: Option<String>,
    pub transferred_on: Option<Date>,
    pub received: bool,
    pub disposition: Option<Disposition>,
    pub result: Option<String>,
    pub finding_id: Option<i64>,
}

/// Moves a clue from `from` to `to` (the caller checked the rule), applying `change`.
pub async fn change_clue(
    db: &Db,
    actor: &Actor,
    clue: &ClueRow,
    to: ClueState,
    change: &ClueChange,
    comment: &str,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let mut qb = QueryBuilder::new("UPDATE clues SET state = ");
        qb.push_bind(to.code().to_string()).push(", version = version + 1, updated_at = ").push_bind(now);
        if let Some(t) = change.target_body { qb.push(", target_body = ").push_bind(t.code().to_string()); }
        if let Some(r) = change.receiving_org_id { qb.push(", receiving_org_id = ").push_bind(r); }
        if let Some(l) = &change.letter_no { qb.push(", letter_no = ").push_bind(l.clone()); }
        if let Some(d) = change.transferred_on { qb.push(", transferred_on = ").push_bind(d); }
        if change.received { qb.push(", received_at = ").push_bind(now); }
        if let Some(d) = change.disposition { qb.push(", disposition = ").push_bind(d.code().to_string()); }
        if let Some(r) = &change.result { qb.push(", result = ").push_bind(r.clone()).push(", result_at = ").push_bind(now); }
        if let Some(f) = change.finding_id { qb.push(", finding_id = ").push_bind(f); }
        qb.push(" WHERE id = ").push_bind(clue.id).push(" AND version = ").push_bind(clue.version);
        let n = qb.build().execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::event_append!(db, tx, "clue", clue.id, actor, Some(clue.state.as_str()), to.code(), comment);
        let from = ClueState::from_code(&clue.state).map_or(clue.state.clone(), |s| s.label().to_string());
        crate::audit_append!(db, tx, actor, &Event::op("clue.transition", "clue", clue.id, Msg::new("audit.clue_transition").arg("id", clue.id).arg("from", &from).arg("to", to.label()).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// Triage turning a received item into a draft finding of the same unit, in one transaction.
pub async fn triage_to_finding(
    db: &Db,
    actor: &Actor,
    clue: &ClueRow,
    category_id: Option<i64>,
    title: &str,
    facts: &str,
    comment: &str,
) -> Result<i64> {
    if clue.state()? != ClueState::Received {
        return Err(StoreError::Domain(DomainError::Rule(
            Msg::new("inspection.illegal_transition")
                .arg("from", clue.state()?.label())
                .arg("to", ClueState::ToFinding.label()),
        )));
    }
    let finding = crate::fieldwork::create_finding(
        db,
        actor,
        &Scope::unrestricted(),
        clue.round_unit_id,
        &crate::fieldwork::FindingDraft {
            title: title.to_string(),
            category_id,
            facts: facts.to_string(),
            basis: String::new(),
            responsibility: String::new(),
            evidence: String::new(),
            finder: actor.display_name.clone(),
            team_opinion: String::new(),
            activity_ids: Vec::new(),
        },
    )
    .await?;
    change_clue(
        db,
        actor,
        clue,
        ClueState::ToFinding,
        &ClueChange {
            finding_id: Some(finding.id.get()),
            ..Default::default()
        },
        comment,
    )
    .await?;
    Ok(finding.id.get())
}

/// `(received, transferred, with_result, transferred rows for the overdue check)`.
pub async fn clue_counts(
    db: &Db,
    a: &ClueAccess,
    round_id: Option<i64>,
) -> Result<(i64, i64, i64, Vec<(Option<Date>, bool, OrgId)>)> {
    let rows = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT c.transferred_on, c.result IS NOT NULL, ru.owner_org_id FROM clues c JOIN round_units ru ON ru.id = c.round_unit_id \
             JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN organisations rcv ON rcv.id = c.receiving_org_id WHERE 1 = 1");
        if let Some(r) = round_id { qb.push(" AND ru.round_id = ").push_bind(r); }
        push_access(&mut qb, a);
        qb.build_query_as::<(Option<Date>, bool, OrgId)>().fetch_all(p).await?
    });
    let received = i64::try_from(rows.len()).unwrap_or(0);
    let transferred =
        i64::try_from(rows.iter().filter(|(t, _, _)| t.is_some()).count()).unwrap_or(0);
    let with_result =
        i64::try_from(rows.iter().filter(|(t, r, _)| t.is_some() && *r).count()).unwrap_or(0);
    Ok((received, transferred, with_result, rows))
}

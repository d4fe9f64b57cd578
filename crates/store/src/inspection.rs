//! Terms, rounds, round units and the event timeline of inspection work.
//!
//! Visibility: a round's records belong to the office that runs it (`owner_org_id`); a user sees
//! them when that office lies in the user's data scope. So a provincial team's drafts about a
//! county are invisible to the county's own office, while the province sees every round of the
//! cities and counties below it (上下联动).

use sqlx::{FromRow, QueryBuilder};
use time::{Date, OffsetDateTime};
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::ids::RoundUnitId;
use xuncha_domain::inspection::{
    InspectionKind, RECTIFICATION_REPORT_MONTHS, RoundUnitState, VillageMode, add_months,
};
use xuncha_domain::org::OrgId;
use xuncha_domain::recusal::{RequestState, TeamRole};

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError, json_list, to_json_list};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// Records owned by an office: the owner organisation is joined as `ow`.
pub(crate) const OWNER_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "ow.path",
    org_id: "ow.id",
    owner: "ow.created_by",
};

/// Appends a state-change event inside an open transaction.
#[macro_export]
#[doc(hidden)]
macro_rules! event_append {
    ($db:expr, $tx:expr, $entity:expr, $id:expr, $actor:expr, $from:expr, $to:expr, $comment:expr) => {{
        let actor: &$crate::audit::Actor = $actor;
        sqlx::query(
            "INSERT INTO events (entity_type, entity_id, at, actor_id, actor_name, from_state, to_state, comment) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind($entity)
        .bind($id)
        .bind($db.now())
        .bind(actor.user_id)
        .bind(&actor.name)
        .bind($from)
        .bind($to)
        .bind($comment)
        .execute(&mut *$tx)
        .await?;
    }};
}

// ---------------------------------------------------------------------------------------------
// Terms

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Term {
    pub id: i64,
    pub owner_org_id: OrgId,
    pub owner_org_name: String,
    pub owner_path: String,
    pub name: String,
    pub start_date: Date,
    pub end_date: Date,
    pub coverage_depth: i32,
    pub version: i64,
}

const SELECT_TERM: &str = "SELECT t.id, t.owner_org_id, ow.name AS owner_org_name, ow.path AS owner_path, t.name, t.start_date, t.end_date, \
     t.coverage_depth, t.version FROM terms t JOIN organisations ow ON ow.id = t.owner_org_id WHERE 1 = 1";

pub async fn list_terms(db: &Db, scope: &Scope) -> Result<Vec<Term>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_TERM);
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.push(" ORDER BY t.start_date DESC, t.id DESC");
        Ok(qb.build_query_as::<Term>().fetch_all(p).await?)
    })
}

pub async fn get_term(db: &Db, scope: &Scope, id: i64) -> Result<Term> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_TERM);
        qb.push(" AND t.id = ").push_bind(id);
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.build_query_as::<Term>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

fn check_dates(start: Date, end: Date) -> Result<()> {
    if end < start {
        return Err(StoreError::Domain(DomainError::field(
            "end_date",
            Msg::new("inspection.dates_order"),
        )));
    }
    Ok(())
}

pub async fn create_term(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    owner_org_id: OrgId,
    name: &str,
    start: Date,
    end: Date,
    depth: i32,
) -> Result<Term> {
    check_dates(start, end)?;
    let owner = crate::orgs::get_for(db, scope, owner_org_id, "owner_org_id").await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO terms (owner_org_id, name, start_date, end_date, coverage_depth, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
            .bind(owner_org_id).bind(name).bind(start).bind(end).bind(depth.clamp(1, 5)).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("term.create", "term", id, Msg::new("audit.term_create").arg("name", name).arg("owner", &owner.name).render()));
        tx.commit().await?;
        id
    });
    get_term(db, &Scope::unrestricted(), id).await
}

// ---------------------------------------------------------------------------------------------
// Rounds

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Round {
    pub id: i64,
    pub term_id: i64,
    pub term_name: String,
    pub owner_org_id: OrgId,
    pub owner_path: String,
    pub name: String,
    pub kinds: String,
    pub village_mode: Option<String>,
    pub start_date: Date,
    pub end_date: Date,
    pub focus: String,
    pub work_plan: String,
    pub unit_count: i64,
    pub version: i64,
}

impl Round {
    pub fn kind_list(&self) -> Result<Vec<String>> {
        json_list("kinds", &self.kinds)
    }
}

const SELECT_ROUND: &str = "SELECT r.id, r.term_id, t.name AS term_name, r.owner_org_id, ow.path AS owner_path, r.name, r.kinds, r.village_mode, \
     r.start_date, r.end_date, r.focus, r.work_plan, (SELECT COUNT(*) FROM round_units u WHERE u.round_id = r.id) AS unit_count, r.version \
     FROM rounds r JOIN terms t ON t.id = r.term_id JOIN organisations ow ON ow.id = r.owner_org_id WHERE 1 = 1";

pub async fn list_rounds(db: &Db, scope: &Scope, term_id: Option<i64>) -> Result<Vec<Round>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ROUND);
        if let Some(t) = term_id {
            qb.push(" AND r.term_id = ").push_bind(t);
        }
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.push(" ORDER BY r.start_date DESC, r.id DESC");
        Ok(qb.build_query_as::<Round>().fetch_all(p).await?)
    })
}

pub async fn get_round(db: &Db, scope: &Scope, id: i64) -> Result<Round> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ROUND);
        qb.push(" AND r.id = ").push_bind(id);
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.build_query_as::<Round>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The validated content of a round.
#[derive(Debug, Clone)]
pub struct RoundDraft {
    pub name: String,
    pub kinds: Vec<InspectionKind>,
    pub village_mode: Option<VillageMode>,
    pub start_date: Date,
    pub end_date: Date,
    pub focus: String,
    pub work_plan: String,
}

fn kinds_json(kinds: &[InspectionKind]) -> String {
    to_json_list(
        &kinds
            .iter()
            .map(|k| k.code().to_string())
            .collect::<Vec<_>>(),
    )
}

pub async fn create_round(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    term_id: i64,
    d: &RoundDraft,
) -> Result<Round> {
    check_dates(d.start_date, d.end_date)?;
    let term = get_term(db, scope, term_id).await.map_err(|e| match e {
        StoreError::NotFound => StoreError::Domain(DomainError::field(
            "term_id",
            Msg::new("inspection.term_not_found"),
        )),
        e => e,
    })?;
    xuncha_domain::inspection::check_round_in_term(
        d.start_date,
        d.end_date,
        term.start_date,
        term.end_date,
    )
    .map_err(|e| StoreError::Domain(DomainError::Invalid(vec![e])))?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO rounds (term_id, owner_org_id, name, kinds, village_mode, start_date, end_date, focus, work_plan, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING id")
            .bind(term.id).bind(term.owner_org_id).bind(&d.name).bind(kinds_json(&d.kinds)).bind(d.village_mode.map(|m| m.code()))
            .bind(d.start_date).bind(d.end_date).bind(&d.focus).bind(&d.work_plan).bind(actor.user_id).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("round.create", "round", id, Msg::new("audit.round_create").arg("name", &d.name).arg("term", &term.name).render()));
        tx.commit().await?;
        id
    });
    get_round(db, &Scope::unrestricted(), id).await
}

pub async fn update_round(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    d: &RoundDraft,
    version: i64,
) -> Result<Round> {
    check_dates(d.start_date, d.end_date)?;
    let round = get_round(db, scope, id).await?;
    let term = get_term(db, &Scope::unrestricted(), round.term_id).await?;
    xuncha_domain::inspection::check_round_in_term(
        d.start_date,
        d.end_date,
        term.start_date,
        term.end_date,
    )
    .map_err(|e| StoreError::Domain(DomainError::Invalid(vec![e])))?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query(
            "UPDATE rounds SET name = $1, kinds = $2, village_mode = $3, start_date = $4, end_date = $5, focus = $6, work_plan = $7, \
             version = version + 1, updated_at = $8 WHERE id = $9 AND version = $10")
            .bind(&d.name).bind(kinds_json(&d.kinds)).bind(d.village_mode.map(|m| m.code())).bind(d.start_date).bind(d.end_date)
            .bind(&d.focus).bind(&d.work_plan).bind(now).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op("round.update", "round", id, Msg::new("audit.round_update").arg("name", &d.name).render()));
        tx.commit().await?;
    });
    get_round(db, &Scope::unrestricted(), id).await
}

// ---------------------------------------------------------------------------------------------
// Round units

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RoundUnit {
    pub id: RoundUnitId,
    pub round_id: i64,
    pub round_name: String,
    pub owner_org_id: OrgId,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub state: String,
    pub stationed_on: Option<Date>,
    pub feedback_date: Option<Date>,
    pub rectification_due: Option<Date>,
    pub finding_count: i64,
    pub clue_count: i64,
    pub kinds: String,
    pub round_start: Date,
    pub version: i64,
}

impl RoundUnit {
    pub fn state(&self) -> Result<RoundUnitState> {
        RoundUnitState::from_code(&self.state)
            .ok_or_else(|| StoreError::Corrupt(format!("round unit state {}", self.state)))
    }
}

pub(crate) const SELECT_UNIT: &str = "SELECT ru.id, ru.round_id, r.name AS round_name, ru.owner_org_id, ru.org_id, o.name AS org_name, o.path AS org_path, \
     ru.team_id, tm.name AS team_name, ru.state, ru.stationed_on, ru.feedback_date, ru.rectification_due, \
     (SELECT COUNT(*) FROM findings f WHERE f.round_unit_id = ru.id) AS finding_count, \
     (SELECT COUNT(*) FROM clues c WHERE c.round_unit_id = ru.id) AS clue_count, r.kinds, r.start_date AS round_start, ru.version \
     FROM round_units ru JOIN rounds r ON r.id = ru.round_id JOIN organisations o ON o.id = ru.org_id \
     JOIN organisations ow ON ow.id = ru.owner_org_id LEFT JOIN teams tm ON tm.id = ru.team_id WHERE 1 = 1";

pub async fn get_unit(db: &Db, scope: &Scope, id: RoundUnitId) -> Result<RoundUnit> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_UNIT);
        qb.push(" AND ru.id = ").push_bind(id.get());
        scope.push_unit_filter(&mut qb);
        qb.build_query_as::<RoundUnit>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// One page of the round units in scope, newest round first, with the total.
pub async fn list_units(
    db: &Db,
    scope: &Scope,
    round_id: Option<i64>,
    state: Option<&str>,
    page: PageReq,
) -> Result<Page<RoundUnit>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(r) = round_id {
                qb.push(" AND ru.round_id = ").push_bind(r);
            }
            if let Some(s) = state {
                qb.push(" AND ru.state = ").push_bind(s.to_string());
            }
            scope.push_unit_filter(qb);
        };
        Ok(crate::page_of!(p, SELECT_UNIT, filter, " ORDER BY ru.round_id DESC, o.path, ru.id", page, RoundUnit))
    })
}

/// Every unit of one round in scope (a round has tens of units, not thousands).
pub async fn round_units(db: &Db, scope: &Scope, round_id: i64) -> Result<Vec<RoundUnit>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_UNIT);
        qb.push(" AND ru.round_id = ").push_bind(round_id);
        scope.push_unit_filter(&mut qb);
        qb.push(" ORDER BY o.path, ru.id");
        Ok(qb.build_query_as::<RoundUnit>().fetch_all(p).await?)
    })
}

/// Adds an organisation to a round. It must be inside the caller's scope and below the office
/// running the round.
pub async fn add_unit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    round_id: i64,
    org_id: OrgId,
) -> Result<RoundUnit> {
    let round = get_round(db, scope, round_id).await?;
    let org = crate::orgs::get_for(db, scope, org_id, "org_id").await?;
    if !org.path.starts_with(&round.owner_path) || org.id == round.owner_org_id {
        return Err(StoreError::Domain(DomainError::field(
            "org_id",
            Msg::new("org.not_found"),
        )));
    }
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM round_units WHERE round_id = $1 AND org_id = $2")
            .bind(round_id).bind(org_id).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            return Err(StoreError::Domain(DomainError::field("org_id", Msg::new("inspection.unit_exists"))));
        }
        // No second, concurrent round of the same office for the same unit.
        let concurrent: Option<String> = sqlx::query_scalar(
            "SELECT r.name FROM round_units ru JOIN rounds r ON r.id = ru.round_id \
             WHERE ru.org_id = $1 AND r.owner_org_id = $2 AND r.id <> $3 AND r.start_date <= $4 AND r.end_date >= $5 LIMIT 1")
            .bind(org_id).bind(round.owner_org_id).bind(round_id).bind(round.end_date).bind(round.start_date)
            .fetch_optional(&mut *tx).await?;
        if let Some(other) = concurrent {
            return Err(StoreError::Domain(DomainError::field("org_id", Msg::new("inspection.unit_concurrent").arg("round", other))));
        }
        let state = RoundUnitState::Planned.code();
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO round_units (province_id, round_id, owner_org_id, org_id, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id")
            .bind(org.province_id).bind(round_id).bind(round.owner_org_id).bind(org_id).bind(state).bind(now)
            .fetch_one(&mut *tx).await?;
        crate::event_append!(db, tx, "round_unit", id, actor, None::<String>, state, Msg::new("event.unit_listed").arg("round", &round.name).render());
        crate::audit_append!(db, tx, actor, &Event::op("round_unit.create", "round_unit", id, Msg::new("audit.round_unit_create").arg("round", &round.name).arg("org", &org.name).render()));
        tx.commit().await?;
        id
    });
    get_unit(db, &Scope::unrestricted(), id.into()).await
}

/// Moves a round unit to `to`, checking the state machine. Reaching FEEDBACK_DONE hands the
/// problem list to the unit: its confirmed findings become FED_BACK and the rectification clock
/// starts (`feedback_date`, `rectification_due`).
pub async fn transition_unit(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: RoundUnitId,
    to: RoundUnitState,
    comment: &str,
    version: i64,
    today: Date,
) -> Result<RoundUnit> {
    let unit = get_unit(db, scope, id).await?;
    let from = unit.state()?;
    from.check_transition(to)?;
    let report_months = u8::try_from(
        crate::settings::get_int(
            db,
            unit.owner_org_id,
            crate::settings::RECTIFICATION_REPORT_MONTHS,
            i64::from(RECTIFICATION_REPORT_MONTHS),
        )
        .await?
        .clamp(1, 24),
    )
    .unwrap_or(RECTIFICATION_REPORT_MONTHS);
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE round_units SET state = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(to.code()).bind(now).bind(id.get()).bind(version).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        if to == RoundUnitState::Stationed {
            sqlx::query("UPDATE round_units SET stationed_on = $1 WHERE id = $2 AND stationed_on IS NULL").bind(today).bind(id.get()).execute(&mut *tx).await?;
        }
        if to == RoundUnitState::FeedbackDone {
            let due = add_months(today, report_months);
            sqlx::query("UPDATE round_units SET feedback_date = $1, rectification_due = $2 WHERE id = $3")
                .bind(today).bind(due).bind(id.get()).execute(&mut *tx).await?;
            let ids: Vec<(i64, String)> = sqlx::query_as("SELECT id, state FROM findings WHERE round_unit_id = $1 AND state IN ($2, $3) ORDER BY id")
                .bind(id.get()).bind("CONFIRMED").bind("IN_REPORT").fetch_all(&mut *tx).await?;
            let fed: Vec<i64> = ids.iter().map(|(fid, _)| *fid).collect();
            let before = crate::counter_facts!(tx, &fed);
            for (fid, fstate) in &ids {
                sqlx::query("UPDATE findings SET state = $1, version = version + 1, updated_at = $2, org_path = (SELECT o.path FROM organisations o WHERE o.id = findings.org_id) WHERE id = $3")
                    .bind("FED_BACK").bind(now).bind(*fid).execute(&mut *tx).await?;
                crate::event_append!(db, tx, "finding", *fid, actor, Some(fstate.as_str()), "FED_BACK", Msg::new("event.finding_fed_back").render());
            }
            crate::counters_follow!(tx, before, &fed);
        }
        crate::event_append!(db, tx, "round_unit", id.get(), actor, Some(from.code()), to.code(), comment);
        crate::audit_append!(db, tx, actor, &Event::op("round_unit.transition", "round_unit", id,
            Msg::new("audit.round_unit_transition").arg("org", &unit.org_name).arg("from", from.label()).arg("to", to.label()).render()));
        tx.commit().await?;
    });
    get_unit(db, &Scope::unrestricted(), id).await
}

/// Assigns a team to a round unit (the team must belong to the unit's round).
/// A team member's recusal conflicts with a unit being assigned to the team.
#[derive(Debug, Clone)]
pub struct MemberConflicts {
    pub person_id: i64,
    pub name: String,
    pub conflicts: Vec<crate::teams::recusal::UnitConflict>,
}

/// What assigning a unit to a team did.
#[derive(Debug, Clone)]
pub enum AssignOutcome {
    Assigned(Box<RoundUnit>),
    /// Members conflict and a reason was given: exception requests await an approver (the ones
    /// already pending for this unit are listed too). The unit is not assigned.
    Requested(Vec<crate::teams::recusal::Request>),
    /// Members conflict without an approved exception for this unit: nothing stored.
    Refused(Vec<MemberConflicts>),
}

/// Assigns a unit to a team, re-checking every member of the team against the unit: a conflict
/// refuses the assignment unless an approved recusal exception covers that member and unit; with
/// `override_reason` the uncovered conflicts file exception requests instead.
pub async fn assign_team(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    unit_id: RoundUnitId,
    team_id: i64,
    override_reason: Option<&str>,
) -> Result<AssignOutcome> {
    let unit = get_unit(db, scope, unit_id).await?;
    let team_missing = || {
        StoreError::Domain(DomainError::field(
            "team_id",
            Msg::new("inspection.team_not_found"),
        ))
    };
    let team = crate::teams::get_team(db, scope, team_id)
        .await
        .map_err(|_| team_missing())?;
    if team.round_id != unit.round_id {
        return Err(team_missing());
    }
    let mut refused = Vec::new();
    for m in &team.members {
        let person = crate::teams::get_person(db, &Scope::unrestricted(), m.person_id).await?;
        let role = TeamRole::from_code(&m.role).unwrap_or(TeamRole::Member);
        let conflicts =
            crate::teams::recusal::unit_conflicts(db, &person, role, std::slice::from_ref(&unit))
                .await?;
        if conflicts.is_empty()
            || crate::teams::recusal::waived_units(db, team.id, m.person_id)
                .await?
                .contains(&unit.id.get())
        {
            continue;
        }
        refused.push((person, role, conflicts));
    }
    if !refused.is_empty() {
        let Some(reason) = override_reason else {
            return Ok(AssignOutcome::Refused(
                refused
                    .into_iter()
                    .map(|(p, _, conflicts)| MemberConflicts {
                        person_id: p.row.id,
                        name: p.row.name,
                        conflicts,
                    })
                    .collect(),
            ));
        };
        let pending = crate::teams::recusal::list(
            db,
            &Scope::unrestricted(),
            &crate::teams::recusal::Filter {
                team_id: Some(team.id),
                state: Some(RequestState::Pending.code().to_string()),
            },
            PageReq::bounded_by_filter(),
        )
        .await?
        .items;
        let mut out = Vec::new();
        for (person, role, conflicts) in refused {
            if let Some(r) = pending.iter().find(|r| {
                r.person_id == person.row.id && !r.join_team && r.unit_ids == [unit.id.get()]
            }) {
                out.push(r.clone());
                continue;
            }
            out.push(
                crate::teams::recusal::create(
                    db,
                    actor,
                    &crate::teams::recusal::NewRequest {
                        team: &team,
                        person: &person,
                        role,
                        join_team: false,
                        conflicts: &conflicts,
                        reason,
                    },
                )
                .await?,
            );
        }
        return Ok(AssignOutcome::Requested(out));
    }
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("UPDATE round_units SET team_id = $1, version = version + 1 WHERE id = $2").bind(team_id).bind(unit_id.get()).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("round_unit.team", "round_unit", unit_id, Msg::new("audit.round_unit_team").arg("org", &unit.org_name).arg("team", &team.name).render()));
        tx.commit().await?;
    });
    Ok(AssignOutcome::Assigned(Box::new(
        get_unit(db, &Scope::unrestricted(), unit_id).await?,
    )))
}

/// One entry of an item's timeline.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct EventRow {
    pub at: OffsetDateTime,
    pub actor_name: String,
    pub from_state: Option<String>,
    pub to_state: String,
    pub comment: String,
}

/// The timeline of an entity, naming people by their display name (the caller has checked it
/// may see the entity).
pub async fn events(db: &Db, entity_type: &str, entity_id: i64) -> Result<Vec<EventRow>> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, EventRow>(
            "SELECT e.at, COALESCE(u.display_name, e.actor_name) AS actor_name, e.from_state, e.to_state, e.comment \
             FROM events e LEFT JOIN users u ON u.id = e.actor_id WHERE e.entity_type = $1 AND e.entity_id = $2 ORDER BY e.id")
            .bind(entity_type).bind(entity_id).fetch_all(p).await?)
    })
}

// ---------------------------------------------------------------------------------------------
// Coverage

/// An organisation in a term's coverage scope, with what the coverage view needs.
#[derive(Debug, Clone, PartialEq, FromRow)]
pub struct CoverageOrg {
    pub id: OrgId,
    pub name: String,
    pub kind: String,
    pub path: String,
    /// Inspected (team on site) in a round of this term.
    pub inspected: bool,
    /// Last time on site in any round.
    pub last_stationed: Option<Date>,
    pub earlier_findings: i64,
    pub petitions: i64,
}

/// The organisations a term must cover: active, with a party organisation, from one to
/// `coverage_depth` levels below the owner.
pub async fn coverage_orgs(db: &Db, term: &Term) -> Result<Vec<CoverageOrg>> {
    let end = xuncha_domain::org::subtree_end(&term.owner_path);
    let owner_depth: i32 = crate::orgs::get(db, &Scope::unrestricted(), term.owner_org_id)
        .await?
        .depth;
    crate::on_db!(db, p => {
        Ok(sqlx::query_as::<_, CoverageOrg>(
            "SELECT o.id, o.name, o.kind, o.path, \
               EXISTS (SELECT 1 FROM round_units ru JOIN rounds r ON r.id = ru.round_id \
                       WHERE ru.org_id = o.id AND r.term_id = $1 AND ru.stationed_on IS NOT NULL) AS inspected, \
               (SELECT MAX(ru.stationed_on) FROM round_units ru WHERE ru.org_id = o.id) AS last_stationed, \
               (SELECT COUNT(*) FROM findings f WHERE f.org_id = o.id AND f.state NOT IN ('DRAFT', 'CONFIRMED', 'IN_REPORT')) AS earlier_findings, \
               (SELECT COALESCE(SUM(a.item_count), 0) FROM activities a JOIN round_units ru ON ru.id = a.round_unit_id \
                WHERE ru.org_id = o.id AND a.method = 'petition') AS petitions \
             FROM organisations o \
             WHERE o.path >= $2 AND o.path < $3 AND o.id <> $4 AND o.active = $5 AND o.party_org_kind IS NOT NULL \
               AND o.depth <= $6 ORDER BY o.path")
            .bind(term.id).bind(&term.owner_path).bind(&end).bind(term.owner_org_id).bind(true).bind(owner_depth + term.coverage_depth)
            .fetch_all(p).await?)
    })
}

/// How many rounds of the term have put a team on site.
pub async fn rounds_done(db: &Db, term_id: i64) -> Result<i64> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_scalar(
            "SELECT COUNT(DISTINCT r.id) FROM rounds r JOIN round_units ru ON ru.round_id = r.id \
             WHERE r.term_id = $1 AND ru.stationed_on IS NOT NULL").bind(term_id).fetch_one(p).await?)
    })
}

/// Findings fed back by offices above `owner_path` (higher-level rounds) per organisation kind:
/// `(kind, findings, organisations)`.
pub async fn sector_findings(db: &Db, owner_path: &str) -> Result<Vec<(String, i64, i64)>> {
    crate::on_db!(db, p => {
        Ok(sqlx::query_as(
            "SELECT o.kind, COUNT(f.id), COUNT(DISTINCT o.id) FROM findings f JOIN organisations o ON o.id = f.org_id \
             JOIN organisations ow ON ow.id = (SELECT ru.owner_org_id FROM round_units ru WHERE ru.id = f.round_unit_id) \
             WHERE f.state NOT IN ('DRAFT', 'CONFIRMED', 'IN_REPORT') AND LENGTH(ow.path) < LENGTH($1) AND $1 LIKE ow.path || '%' \
             GROUP BY o.kind").bind(owner_path).fetch_all(p).await?)
    })
}

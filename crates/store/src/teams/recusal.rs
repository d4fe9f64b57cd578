//! Recusal exceptions (回避例外): requested by the office with a reason, decided by a user holding
//! `recusal:approve` in scope in their own session, never by the requester. A request either adds
//! a member on approval (`join_team`) or waives an existing member's conflicts with the units it
//! names (a unit being assigned to the member's team). Scoped like teams: by the round's office.

use serde::{Deserialize, Serialize};
use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::recusal::{self, RequestState, TeamRole};

use super::{Person, Team};
use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::inspection::{OWNER_COLS, RoundUnit};
use crate::scope::Scope;
use crate::{Page, PageReq};

/// One conflict found for one unit.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitConflict {
    pub unit_id: i64,
    pub unit_name: String,
    pub rule: String,
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
struct Row {
    id: i64,
    team_id: i64,
    team_name: String,
    round_id: i64,
    person_id: i64,
    person_name: String,
    role: String,
    join_team: bool,
    unit_ids: String,
    conflicts: String,
    reason: String,
    state: String,
    requested_by: i64,
    requested_by_name: String,
    requested_at: OffsetDateTime,
    decided_by_name: Option<String>,
    decided_at: Option<OffsetDateTime>,
    decision_comment: Option<String>,
    version: i64,
}

/// A request for a recusal exception.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub id: i64,
    pub team_id: i64,
    pub team_name: String,
    pub round_id: i64,
    pub person_id: i64,
    pub person_name: String,
    pub role: String,
    pub join_team: bool,
    pub unit_ids: Vec<i64>,
    pub conflicts: Vec<UnitConflict>,
    pub reason: String,
    pub state: String,
    pub requested_by: i64,
    pub requested_by_name: String,
    pub requested_at: OffsetDateTime,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<OffsetDateTime>,
    pub decision_comment: Option<String>,
    pub version: i64,
}

fn corrupt(field: &str) -> impl Fn(serde_json::Error) -> StoreError + '_ {
    move |e| StoreError::Corrupt(format!("{field}: {e}"))
}

impl TryFrom<Row> for Request {
    type Error = StoreError;
    fn try_from(r: Row) -> Result<Self> {
        Ok(Request {
            unit_ids: serde_json::from_str(&r.unit_ids).map_err(corrupt("unit_ids"))?,
            conflicts: serde_json::from_str(&r.conflicts).map_err(corrupt("conflicts"))?,
            id: r.id,
            team_id: r.team_id,
            team_name: r.team_name,
            round_id: r.round_id,
            person_id: r.person_id,
            person_name: r.person_name,
            role: r.role,
            join_team: r.join_team,
            reason: r.reason,
            state: r.state,
            requested_by: r.requested_by,
            requested_by_name: r.requested_by_name,
            requested_at: r.requested_at,
            decided_by_name: r.decided_by_name,
            decided_at: r.decided_at,
            decision_comment: r.decision_comment,
            version: r.version,
        })
    }
}

/// Which requests to list.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    pub team_id: Option<i64>,
    pub state: Option<String>,
}

const SELECT_REQUEST: &str = "SELECT q.id, q.team_id, tm.name AS team_name, tm.round_id, q.person_id, pe.name AS person_name, q.role, q.join_team, \
     q.unit_ids, q.conflicts, q.reason, q.state, q.requested_by, COALESCE(ru.display_name, ru.username) AS requested_by_name, \
     q.requested_at, COALESCE(du.display_name, du.username) AS decided_by_name, q.decided_at, q.decision_comment, q.version \
     FROM recusal_requests q JOIN teams tm ON tm.id = q.team_id JOIN rounds r ON r.id = tm.round_id \
     JOIN organisations ow ON ow.id = r.owner_org_id JOIN people pe ON pe.id = q.person_id \
     JOIN users ru ON ru.id = q.requested_by LEFT JOIN users du ON du.id = q.decided_by WHERE 1 = 1";

/// One page of the requests in scope (by the office running the round), newest first, with the
/// total.
pub async fn list(db: &Db, scope: &Scope, f: &Filter, page: PageReq) -> Result<Page<Request>> {
    let rows: Page<Row> = crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(t) = f.team_id { qb.push(" AND q.team_id = ").push_bind(t); }
            if let Some(s) = &f.state { qb.push(" AND q.state = ").push_bind(s.clone()); }
            scope.push_filter(qb, OWNER_COLS);
        };
        crate::page_of!(p, SELECT_REQUEST, filter, " ORDER BY q.id DESC", page, Row)
    });
    Ok(Page {
        items: rows
            .items
            .into_iter()
            .map(Request::try_from)
            .collect::<Result<_>>()?,
        total: rows.total,
    })
}

pub async fn get(db: &Db, scope: &Scope, id: i64) -> Result<Request> {
    let row: Row = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_REQUEST);
        qb.push(" AND q.id = ").push_bind(id);
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.build_query_as::<Row>().fetch_optional(p).await?.ok_or(StoreError::NotFound)?
    });
    Request::try_from(row)
}

/// The conflicts of `person` in `role` with each of `units`, naming the unit.
pub async fn unit_conflicts(
    db: &Db,
    person: &Person,
    role: TeamRole,
    units: &[RoundUnit],
) -> Result<Vec<UnitConflict>> {
    let mut out = Vec::new();
    for u in units {
        for c in super::recusal_conflicts(db, person, role, std::slice::from_ref(u)).await? {
            out.push(UnitConflict {
                unit_id: u.id.get(),
                unit_name: u.org_name.clone(),
                rule: c.rule.to_string(),
                reason: c.reason,
            });
        }
    }
    Ok(out)
}

/// The units of `unit_ids` for which `person` holds an approved exception on `team`.
pub async fn waived_units(db: &Db, team_id: i64, person_id: i64) -> Result<Vec<i64>> {
    let lists: Vec<String> = crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT unit_ids FROM recusal_requests WHERE team_id = $1 AND person_id = $2 AND state = $3")
            .bind(team_id).bind(person_id).bind(RequestState::Approved.code()).fetch_all(p).await?
    });
    let mut out = Vec::new();
    for l in lists {
        let ids: Vec<i64> = serde_json::from_str(&l).map_err(corrupt("unit_ids"))?;
        out.extend(ids);
    }
    Ok(out)
}

/// Users who may decide a request for a round run by the organisation at `owner_path`: holders of
/// `recusal:approve` in that organisation or above it (the built-in roles grant their own
/// subtree), not locked, other than the requester. `$1` owner path, `$2` locked flag, `$3` requester.
const APPROVERS: &str = "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
     JOIN organisations o ON o.id = u.org_id \
     WHERE u.locked_by_admin = $2 AND u.id <> $3 AND ro.permissions LIKE '%\"recusal:approve\"%' \
     AND o.path = substr($1, 1, length(o.path)) ORDER BY u.id";

/// What a new request asks for.
pub struct NewRequest<'a> {
    pub team: &'a Team,
    pub person: &'a Person,
    pub role: TeamRole,
    pub join_team: bool,
    pub conflicts: &'a [UnitConflict],
    pub reason: &'a str,
}

/// Files a request and notifies the approvers. A member's pending request to join the team, or a
/// pending waiver for the same units, is not filed twice.
pub async fn create(db: &Db, actor: &Actor, n: &NewRequest<'_>) -> Result<Request> {
    let mut unit_ids: Vec<i64> = n.conflicts.iter().map(|c| c.unit_id).collect();
    unit_ids.sort_unstable();
    unit_ids.dedup();
    let units_json = serde_json::to_string(&unit_ids).map_err(corrupt("unit_ids"))?;
    let conflicts_json = serde_json::to_string(n.conflicts).map_err(corrupt("conflicts"))?;
    let owner_path: String = crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT o.path FROM organisations o WHERE o.id = $1").bind(n.team.owner_org_id).fetch_one(p).await?
    });
    let requester = actor.user_id.unwrap_or(0);
    let rules: Vec<String> = n
        .conflicts
        .iter()
        .map(|c| format!("{}：{}", c.rule, c.reason))
        .collect();
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let pending: Vec<(bool, String)> = sqlx::query_as("SELECT join_team, unit_ids FROM recusal_requests WHERE team_id = $1 AND person_id = $2 AND state = $3")
            .bind(n.team.id).bind(n.person.row.id).bind(RequestState::Pending.code()).fetch_all(&mut *tx).await?;
        if pending.iter().any(|(j, u)| *j == n.join_team && (n.join_team || *u == units_json)) {
            return Err(StoreError::Domain(DomainError::field("person_id", Msg::new("recusal.request_pending"))));
        }
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO recusal_requests (team_id, person_id, role, join_team, unit_ids, conflicts, reason, state, requested_by, requested_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id")
            .bind(n.team.id).bind(n.person.row.id).bind(n.role.code()).bind(n.join_team).bind(&units_json).bind(&conflicts_json)
            .bind(n.reason).bind(RequestState::Pending.code()).bind(requester).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("recusal.request", "recusal_request", id,
            Msg::new("audit.recusal_request").arg("team", &n.team.name).arg("person", &n.person.row.name).arg("role", n.role.label())
                .arg("reason", n.reason).arg("rules", rules.join(xuncha_domain::i18n::text("list.clause_separator"))).render()));
        let users: Vec<i64> = sqlx::query_scalar(APPROVERS).bind(&owner_path).bind(false).bind(requester).fetch_all(&mut *tx).await?;
        let title = Msg::new("recusal.notify_title").render();
        let body = Msg::new("recusal.notify_body")
            .arg("team", &n.team.name)
            .arg("name", &n.person.row.name)
            .arg("rules", n.conflicts.iter().map(|c| c.rule.as_str()).collect::<Vec<_>>().join(xuncha_domain::i18n::text("list.separator")))
            .arg("reason", n.reason)
            .render();
        let link = format!("/inspection/rounds/{}", n.team.round_id);
        for u in users {
            sqlx::query("INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
                .bind(u).bind("recusal").bind(&title).bind(&body).bind(&link).bind(format!("recusal:{id}")).bind(now)
                .execute(&mut *tx).await?;
        }
        tx.commit().await?;
        id
    });
    get(db, &Scope::unrestricted(), id).await
}

/// Approves or rejects a pending request in scope. Approving a `join_team` request adds the member
/// with the waiver recorded, provided the conflicts it lists still cover every unit of the team.
pub async fn decide(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    version: i64,
    approve: bool,
    comment: &str,
) -> Result<Request> {
    let req = get(db, scope, id).await?;
    recusal::check_pending(&req.state)?;
    let decider = actor.user_id.unwrap_or(0);
    recusal::check_decider(req.requested_by, decider)?;
    if req.version != version {
        return Err(StoreError::StaleVersion);
    }
    let role = TeamRole::from_code(&req.role)
        .ok_or_else(|| StoreError::Corrupt(format!("team role {}", req.role)))?;
    let team = super::get_team(db, &Scope::unrestricted(), req.team_id).await?;
    if approve && req.join_team {
        if team.members.iter().any(|m| m.person_id == req.person_id) {
            return Err(StoreError::Domain(DomainError::field(
                "person_id",
                Msg::new("inspection.already_member"),
            )));
        }
        let person = super::get_person(db, &Scope::unrestricted(), req.person_id).await?;
        let units: Vec<RoundUnit> =
            crate::inspection::round_units(db, &Scope::unrestricted(), team.round_id)
                .await?
                .into_iter()
                .filter(|u| team.unit_ids.contains(&u.id.get()))
                .collect();
        let now_conflicts = unit_conflicts(db, &person, role, &units).await?;
        if now_conflicts
            .iter()
            .any(|c| !req.unit_ids.contains(&c.unit_id))
        {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                "recusal.request_stale",
            ))));
        }
    }
    let state = if approve {
        RequestState::Approved
    } else {
        RequestState::Rejected
    };
    let waived: Vec<String> = req
        .conflicts
        .iter()
        .map(|c| format!("{}（{}）", c.rule, c.reason))
        .collect();
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE recusal_requests SET state = $1, decided_by = $2, decided_at = $3, decision_comment = $4, version = version + 1 \
                             WHERE id = $5 AND state = $6 AND version = $7")
            .bind(state.code()).bind(decider).bind(now).bind(comment).bind(id).bind(RequestState::Pending.code()).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        crate::audit_append!(db, tx, actor, &Event::op(if approve { "recusal.approve" } else { "recusal.reject" }, "recusal_request", id,
            Msg::new("audit.recusal_decide").arg("team", &team.name).arg("state", state.label()).arg("person", &req.person_name).arg("role", role.label())
                .arg("requester", &req.requested_by_name).arg("reason", &req.reason)
                .arg("opinion", if comment.is_empty() { String::new() } else { Msg::new("audit.recusal_opinion").arg("comment", comment).render() }).render()));
        if approve && req.join_team {
            sqlx::query("INSERT INTO team_members (team_id, person_id, role, override_by, override_reason, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
                .bind(req.team_id).bind(req.person_id).bind(role.code()).bind(decider).bind(&req.reason).bind(now)
                .execute(&mut *tx).await?;
            crate::audit_append!(db, tx, actor, &Event::op("team.member_add", "team", req.team_id,
                Msg::new("audit.team_member_add_waived").arg("team", &team.name).arg("person", &req.person_name).arg("role", role.label()).arg("approver", &actor.name)
                    .arg("id", id).arg("reason", &req.reason).arg("rules", waived.join(xuncha_domain::i18n::text("list.clause_separator"))).render()));
        }
        let title = Msg::new("recusal.decided_title").arg("state", state.label()).render();
        sqlx::query("INSERT INTO notifications (user_id, kind, title, body, link, dedupe_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(req.requested_by).bind("recusal").bind(&title)
            .bind(format!("{}：{}（{}）", team.name, req.person_name, waived.join("；")))
            .bind(format!("/inspection/rounds/{}", team.round_id)).bind(format!("recusal.decided:{id}")).bind(now)
            .execute(&mut *tx).await?;
        tx.commit().await?;
    });
    get(db, &Scope::unrestricted(), id).await
}

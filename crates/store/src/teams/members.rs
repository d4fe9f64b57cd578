//! Team storage: inspection teams of a round, their members and the recusal check on joining.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct MemberRow {
    pub team_id: i64,
    pub person_id: i64,
    pub name: String,
    pub role: String,
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Team {
    pub id: i64,
    pub round_id: i64,
    pub owner_org_id: OrgId,
    pub name: String,
    pub version: i64,
    pub members: Vec<MemberRow>,
    pub unit_ids: Vec<i64>,
}

#[derive(Debug, Clone, FromRow)]
pub(super) struct TeamRow {
    id: i64,
    round_id: i64,
    owner_org_id: OrgId,
    name: String,
    version: i64,
}

pub(super) async fn teams_where(
    db: &Db,
    scope: &Scope,
    team_id: Option<i64>,
    round_id: Option<i64>,
) -> Result<Vec<Team>> {
    let rows: Vec<TeamRow> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT tm.id, tm.round_id, r.owner_org_id, tm.name, tm.version FROM teams tm JOIN rounds r ON r.id = tm.round_id \
                                        JOIN organisations ow ON ow.id = r.owner_org_id WHERE 1 = 1");
        if let Some(t) = team_id { qb.push(" AND tm.id = ").push_bind(t); }
        if let Some(r) = round_id { qb.push(" AND tm.round_id = ").push_bind(r); }
        scope.push_filter(&mut qb, OWNER_COLS);
        qb.push(" ORDER BY tm.id");
        qb.build_query_as::<TeamRow>().fetch_all(p).await?
    });
    let mut out = Vec::new();
    for t in rows {
        let (members, unit_ids): (Vec<MemberRow>, Vec<i64>) = crate::on_db!(db, p => {
            (sqlx::query_as::<_, MemberRow>(
                "SELECT m.team_id, m.person_id, pe.name, m.role, m.override_reason FROM team_members m JOIN people pe ON pe.id = m.person_id \
                 WHERE m.team_id = $1 ORDER BY CASE m.role WHEN 'leader' THEN 0 WHEN 'deputy' THEN 1 WHEN 'member' THEN 2 ELSE 3 END, pe.name")
                .bind(t.id).fetch_all(p).await?,
             sqlx::query_scalar("SELECT id FROM round_units WHERE team_id = $1 ORDER BY id").bind(t.id).fetch_all(p).await?)
        });
        out.push(Team {
            id: t.id,
            round_id: t.round_id,
            owner_org_id: t.owner_org_id,
            name: t.name,
            version: t.version,
            members,
            unit_ids,
        });
    }
    Ok(out)
}

pub async fn get_team(db: &Db, scope: &Scope, id: i64) -> Result<Team> {
    teams_where(db, scope, Some(id), None)
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

pub async fn round_teams(db: &Db, scope: &Scope, round_id: i64) -> Result<Vec<Team>> {
    teams_where(db, scope, None, Some(round_id)).await
}

pub async fn create_team(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    round_id: i64,
    name: &str,
) -> Result<Team> {
    let round = crate::inspection::get_round(db, scope, round_id).await?;
    let now = db.now();
    let id: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let id: i64 = sqlx::query_scalar("INSERT INTO teams (round_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id")
            .bind(round_id).bind(name).bind(now).fetch_one(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("team.create", "team", id, Msg::new("audit.team_create").arg("round", &round.name).arg("name", name).render()));
        tx.commit().await?;
        id
    });
    get_team(db, &Scope::unrestricted(), id).await
}

/// The region (nearest county, city or province) containing an organisation.
pub(super) async fn region_path(db: &Db, path: &str) -> Result<String> {
    let ids = OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default();
    let kinds: Vec<(i64, String, String)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, kind, path FROM organisations WHERE id IN (");
        let mut sep = qb.separated(", ");
        for i in &ids { sep.push_bind(*i); }
        qb.push(")");
        qb.build_query_as::<(i64, String, String)>().fetch_all(p).await?
    });
    let mut best = String::new();
    for (_, kind, p) in kinds {
        if matches!(kind.as_str(), "county" | "city" | "province") && p.len() > best.len() {
            best = p;
        }
    }
    Ok(best)
}

/// The recusal conflicts of putting `person` on a team with `role` for every unit the team covers.
pub async fn recusal_conflicts(
    db: &Db,
    person: &Person,
    role: TeamRole,
    units: &[RoundUnit],
) -> Result<Vec<Conflict>> {
    let subject = Subject {
        name: person.row.name.clone(),
        org_path: person.row.org_path.clone(),
        region_path: region_path(db, &person.row.org_path).await?,
        posts: person
            .posts
            .iter()
            .map(|p| Post {
                org_path: p.org_path.clone(),
                org_name: p.org_name.clone(),
                start: p.start_date,
                end: p.end_date,
            })
            .collect(),
        relations: person
            .relations
            .iter()
            .filter_map(|r| {
                Some(Relation {
                    kind: RelationKind::from_code(&r.kind)?,
                    related_name: r.related_name.clone(),
                    org_path: r.related_org_path.clone(),
                })
            })
            .collect(),
    };
    let mut out = Vec::new();
    for u in units {
        let kinds = json_list("kinds", &u.kinds)?;
        let target = Target {
            org_path: u.org_path.clone(),
            org_name: u.org_name.clone(),
            region_path: region_path(db, &u.org_path).await?,
            cross: kinds.iter().any(|k| k == "cross"),
            on: u.round_start,
        };
        out.extend(xuncha_domain::recusal::conflicts(&subject, role, &target));
    }
    Ok(out)
}

/// What adding a member did.
#[derive(Debug, Clone)]
pub enum MemberOutcome {
    Added(Team),
    /// Conflicts found and a reason given: a recusal exception request now awaits an approver.
    Requested(Box<super::recusal::Request>),
    /// Conflicts found and no reason given: nothing stored.
    Refused(Vec<Conflict>),
}

/// Adds a member. Conflicts refuse the assignment; with `override_reason` they file a request for
/// a recusal exception instead (`crate::recusal`), which adds the member once an approver other
/// than the requester approves it.
pub async fn add_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    team_id: i64,
    person_id: i64,
    role: TeamRole,
    override_reason: Option<&str>,
) -> Result<MemberOutcome> {
    let team = get_team(db, scope, team_id).await?;
    // Only people of the caller's own pools (its scope) join its teams.
    let person = get_person(db, scope, person_id).await.map_err(|_| {
        StoreError::Domain(DomainError::field(
            "person_id",
            Msg::new("inspection.person_not_found"),
        ))
    })?;
    if team.members.iter().any(|m| m.person_id == person_id) {
        return Err(StoreError::Domain(DomainError::field(
            "person_id",
            Msg::new("inspection.already_member"),
        )));
    }
    let units: Vec<RoundUnit> =
        crate::inspection::round_units(db, &Scope::unrestricted(), team.round_id)
            .await?
            .into_iter()
            .filter(|u| team.unit_ids.contains(&u.id.get()))
            .collect();
    let conflicts = recusal_conflicts(db, &person, role, &units).await?;
    if !conflicts.is_empty() {
        let Some(reason) = override_reason else {
            return Ok(MemberOutcome::Refused(conflicts));
        };
        let by_unit = super::recusal::unit_conflicts(db, &person, role, &units).await?;
        let req = super::recusal::create(
            db,
            actor,
            &super::recusal::NewRequest {
                team: &team,
                person: &person,
                role,
                join_team: true,
                conflicts: &by_unit,
                reason,
            },
        )
        .await?;
        return Ok(MemberOutcome::Requested(Box::new(req)));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO team_members (team_id, person_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(team_id).bind(person_id).bind(role.code()).bind(now).execute(&mut *tx).await?;
        let summary = Msg::new("audit.team_member_add").arg("team", &team.name).arg("person", &person.row.name).arg("role", role.label()).render();
        crate::audit_append!(db, tx, actor, &Event::op("team.member_add", "team", team_id, summary));
        tx.commit().await?;
    });
    Ok(MemberOutcome::Added(
        get_team(db, &Scope::unrestricted(), team_id).await?,
    ))
}

pub async fn remove_member(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    team_id: i64,
    person_id: i64,
) -> Result<Team> {
    let team = get_team(db, scope, team_id).await?;
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("DELETE FROM team_members WHERE team_id = $1 AND person_id = $2").bind(team_id).bind(person_id).execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        crate::audit_append!(db, tx, actor, &Event::op("team.member_remove", "team", team_id, Msg::new("audit.team_member_remove").arg("team", &team.name).arg("person", person_id).render()));
        tx.commit().await?;
    });
    get_team(db, &Scope::unrestricted(), team_id).await
}

/// Whether `user_id` is a member of the team assigned to round unit `unit_id`.
pub async fn is_team_member(db: &Db, user_id: i64, unit_id: RoundUnitId) -> Result<bool> {
    let n: i64 = crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT COUNT(*) FROM round_units ru JOIN team_members m ON m.team_id = ru.team_id JOIN people pe ON pe.id = m.person_id \
                            WHERE ru.id = $1 AND pe.user_id = $2").bind(unit_id.get()).bind(user_id).fetch_one(p).await?
    });
    Ok(n > 0)
}

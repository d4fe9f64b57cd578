//! Team storage: the talent pools (people), their posts, relations and training.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PersonRow {
    pub id: i64,
    pub name: String,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub user_id: Option<i64>,
    pub specialties: String,
    pub pools: String,
    pub seconded: bool,
    pub workload: i64,
    pub version: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct PostRow {
    pub id: i64,
    pub person_id: i64,
    pub org_id: OrgId,
    pub org_name: String,
    pub org_path: String,
    pub title: String,
    pub start_date: Date,
    pub end_date: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct RelationRow {
    pub id: i64,
    pub person_id: i64,
    pub kind: String,
    pub related_name: String,
    pub related_org_id: Option<OrgId>,
    pub related_org_name: Option<String>,
    pub related_org_path: Option<String>,
    pub note: String,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct TrainingRow {
    pub id: i64,
    pub person_id: i64,
    pub name: String,
    pub held_on: Date,
    pub hours: i32,
}

/// A person with everything recorded about them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub row: PersonRow,
    pub specialties: Vec<String>,
    pub pools: Vec<String>,
    pub posts: Vec<PostRow>,
    pub relations: Vec<RelationRow>,
    pub trainings: Vec<TrainingRow>,
}

pub(super) const PERSON_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "pe.user_id",
};

pub(super) const SELECT_PERSON: &str = "SELECT pe.id, pe.name, pe.org_id, o.name AS org_name, o.path AS org_path, pe.user_id, pe.specialties, pe.pools, pe.seconded, \
     (SELECT COUNT(*) FROM team_members tm JOIN round_units ru ON ru.team_id = tm.team_id \
      WHERE tm.person_id = pe.id AND ru.state NOT IN ('FEEDBACK_DONE', 'TRANSFERRED', 'RECTIFYING', 'RECTIFICATION_REPORTED', 'DISCLOSED', 'ASSESSED', 'CONTINUOUS', 'REVISITED', 'ARCHIVED')) AS workload, \
     pe.version FROM people pe JOIN organisations o ON o.id = pe.org_id WHERE 1 = 1";

pub(super) async fn hydrate(db: &Db, rows: Vec<PersonRow>) -> Result<Vec<Person>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let (posts, relations, trainings): (Vec<PostRow>, Vec<RelationRow>, Vec<TrainingRow>) = crate::on_db!(db, p => {
        let mut q1 = QueryBuilder::new("SELECT pp.id, pp.person_id, pp.org_id, o.name AS org_name, o.path AS org_path, pp.title, pp.start_date, pp.end_date \
             FROM person_posts pp JOIN organisations o ON o.id = pp.org_id WHERE pp.person_id IN (");
        let mut sep = q1.separated(", ");
        for i in &ids { sep.push_bind(*i); }
        q1.push(") ORDER BY pp.start_date");
        let mut q2 = QueryBuilder::new("SELECT r.id, r.person_id, r.kind, r.related_name, r.related_org_id, o.name AS related_org_name, o.path AS related_org_path, r.note \
             FROM person_relations r LEFT JOIN organisations o ON o.id = r.related_org_id WHERE r.person_id IN (");
        let mut sep = q2.separated(", ");
        for i in &ids { sep.push_bind(*i); }
        q2.push(") ORDER BY r.id");
        let mut q3 = QueryBuilder::new("SELECT id, person_id, name, held_on, hours FROM trainings WHERE person_id IN (");
        let mut sep = q3.separated(", ");
        for i in &ids { sep.push_bind(*i); }
        q3.push(") ORDER BY held_on");
        (q1.build_query_as::<PostRow>().fetch_all(p).await?, q2.build_query_as::<RelationRow>().fetch_all(p).await?, q3.build_query_as::<TrainingRow>().fetch_all(p).await?)
    });
    rows.into_iter()
        .map(|row| {
            Ok(Person {
                specialties: json_list("specialties", &row.specialties)?,
                pools: json_list("pools", &row.pools)?,
                posts: posts
                    .iter()
                    .filter(|p| p.person_id == row.id)
                    .cloned()
                    .collect(),
                relations: relations
                    .iter()
                    .filter(|r| r.person_id == row.id)
                    .cloned()
                    .collect(),
                trainings: trainings
                    .iter()
                    .filter(|t| t.person_id == row.id)
                    .cloned()
                    .collect(),
                row,
            })
        })
        .collect()
}

#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    pub q: Option<String>,
    pub pool: Option<String>,
    pub specialty: Option<String>,
}

/// One page of the people in scope matching `f`, by name, with the total (the team suggestions
/// rank every candidate: `PageReq::bounded_by_filter()`).
pub async fn list_people(
    db: &Db,
    scope: &Scope,
    f: &PersonFilter,
    page: PageReq,
) -> Result<Page<Person>> {
    let rows: Page<PersonRow> = crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                qb.push(" AND pe.name LIKE ").push_bind(format!("%{}%", q.replace(['%', '_'], "")));
            }
            if let Some(pool) = f.pool.as_ref().filter(|s| !s.is_empty()) {
                qb.push(" AND pe.pools LIKE ").push_bind(format!("%\"{}\"%", pool.replace(['%', '_', '"'], "")));
            }
            if let Some(sp) = f.specialty.as_ref().filter(|s| !s.is_empty()) {
                qb.push(" AND pe.specialties LIKE ").push_bind(format!("%\"{}\"%", sp.replace(['%', '_', '"'], "")));
            }
            scope.push_filter(qb, PERSON_COLS);
        };
        crate::page_of!(p, SELECT_PERSON, filter, " ORDER BY pe.name, pe.id", page, PersonRow)
    });
    Ok(Page {
        items: hydrate(db, rows.items).await?,
        total: rows.total,
    })
}

pub async fn get_person(db: &Db, scope: &Scope, id: i64) -> Result<Person> {
    let rows: Vec<PersonRow> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_PERSON);
        qb.push(" AND pe.id = ").push_bind(id);
        scope.push_filter(&mut qb, PERSON_COLS);
        qb.build_query_as::<PersonRow>().fetch_all(p).await?
    });
    hydrate(db, rows).await?.pop().ok_or(StoreError::NotFound)
}

/// The person record of a user account, if any.
pub async fn person_of_user(db: &Db, user_id: i64) -> Result<Option<i64>> {
    crate::on_db!(db, p => Ok(sqlx::query_scalar("SELECT id FROM people WHERE user_id = $1 ORDER BY id LIMIT 1").bind(user_id).fetch_optional(p).await?))
}

#[derive(Debug, Clone)]
pub struct PersonDraft {
    pub name: String,
    pub org_id: OrgId,
    pub user_id: Option<i64>,
    pub specialties: Vec<String>,
    pub pools: Vec<String>,
    pub seconded: bool,
}

pub async fn save_person(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: Option<(i64, i64)>,
    d: &PersonDraft,
) -> Result<Person> {
    crate::orgs::get_for(db, scope, d.org_id, "org_id").await?;
    if let Some((pid, _)) = id {
        get_person(db, scope, pid).await?;
    }
    if let Some(uid) = d.user_id {
        crate::accounts::get_user(db, scope, uid)
            .await
            .map_err(|e| match e {
                StoreError::NotFound => {
                    StoreError::Domain(DomainError::field("user_id", Msg::new("user.not_found")))
                }
                e => e,
            })?;
    }
    let now = db.now();
    let pid: i64 = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let pid = match id {
            None => sqlx::query_scalar(
                "INSERT INTO people (name, org_id, user_id, specialties, pools, seconded, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id")
                .bind(&d.name).bind(d.org_id).bind(d.user_id).bind(to_json_list(&d.specialties)).bind(to_json_list(&d.pools)).bind(d.seconded).bind(now)
                .fetch_one(&mut *tx).await?,
            Some((pid, version)) => {
                let n = sqlx::query("UPDATE people SET name = $1, org_id = $2, user_id = $3, specialties = $4, pools = $5, seconded = $6, version = version + 1, updated_at = $7 \
                                     WHERE id = $8 AND version = $9")
                    .bind(&d.name).bind(d.org_id).bind(d.user_id).bind(to_json_list(&d.specialties)).bind(to_json_list(&d.pools)).bind(d.seconded).bind(now)
                    .bind(pid).bind(version).execute(&mut *tx).await?.rows_affected();
                if n == 0 {
                    return Err(StoreError::StaleVersion);
                }
                pid
            }
        };
        crate::audit_append!(db, tx, actor, &Event::op("person.save", "person", pid, Msg::new("audit.person_save").arg("name", &d.name).render()));
        tx.commit().await?;
        pid
    });
    get_person(db, &Scope::unrestricted(), pid).await
}

pub async fn add_post(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    person_id: i64,
    org_id: OrgId,
    title: &str,
    start: Date,
    end: Option<Date>,
) -> Result<Person> {
    let person = get_person(db, scope, person_id).await?;
    // Every id in a request is checked against the caller's scope.
    crate::orgs::get_for(db, scope, org_id, "org_id").await?;
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO person_posts (person_id, org_id, title, start_date, end_date) VALUES ($1, $2, $3, $4, $5)")
            .bind(person_id).bind(org_id).bind(title).bind(start).bind(end).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("person.post", "person", person_id, Msg::new("audit.person_post").arg("person", &person.row.name).arg("title", title).render()));
        tx.commit().await?;
    });
    get_person(db, &Scope::unrestricted(), person_id).await
}

pub async fn add_relation(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    person_id: i64,
    kind: RelationKind,
    related_name: &str,
    related_org_id: Option<OrgId>,
    note: &str,
) -> Result<Person> {
    let person = get_person(db, scope, person_id).await?;
    if let Some(org) = related_org_id {
        crate::orgs::get_for(db, scope, org, "related_org_id").await?;
    }
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO person_relations (person_id, kind, related_name, related_org_id, note) VALUES ($1, $2, $3, $4, $5)")
            .bind(person_id).bind(kind.code()).bind(related_name).bind(related_org_id).bind(note).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("person.relation", "person", person_id, Msg::new("audit.person_relation").arg("person", &person.row.name).arg("kind", kind.label()).render()));
        tx.commit().await?;
    });
    get_person(db, &Scope::unrestricted(), person_id).await
}

pub async fn add_training(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    person_id: i64,
    name: &str,
    held_on: Date,
    hours: i32,
) -> Result<Person> {
    let person = get_person(db, scope, person_id).await?;
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO trainings (person_id, name, held_on, hours) VALUES ($1, $2, $3, $4)")
            .bind(person_id).bind(name).bind(held_on).bind(hours).execute(&mut *tx).await?;
        crate::audit_append!(db, tx, actor, &Event::op("person.training", "person", person_id, Msg::new("audit.person_training").arg("person", &person.row.name).arg("name", name).render()));
        tx.commit().await?;
    });
    get_person(db, &Scope::unrestricted(), person_id).await
}

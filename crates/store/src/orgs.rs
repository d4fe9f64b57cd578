//! The organisation tree.

use sqlx::{FromRow, QueryBuilder};
use time::OffsetDateTime;
use xuncha_domain::DomainError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::org::{OrgDraft, OrgId, OrgPath, moved_path};

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};
use crate::scope::{Scope, ScopeColumns};
use crate::{Page, PageReq};

/// A stored organisation.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Org {
    pub id: OrgId,
    pub province_id: Option<OrgId>,
    pub parent_id: Option<OrgId>,
    pub code: String,
    pub name: String,
    pub kind: String,
    pub party_org_kind: Option<String>,
    pub path: String,
    pub depth: i32,
    pub active: bool,
    pub child_count: i64,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

const SELECT_ORG: &str = "SELECT o.id, o.province_id, o.parent_id, o.code, o.name, o.kind, o.party_org_kind, o.path, o.depth, o.active, \
     (SELECT COUNT(*) FROM organisations c WHERE c.parent_id = o.id) AS child_count, \
     o.version, o.created_by, o.created_at, o.updated_at FROM organisations o WHERE 1 = 1";

/// As [`SELECT_ORG`] without the per-row child count, for bulk reads.
const SELECT_ORG_FLAT: &str = "SELECT o.id, o.province_id, o.parent_id, o.code, o.name, o.kind, o.party_org_kind, o.path, o.depth, o.active, \
     CAST(0 AS BIGINT) AS child_count, o.version, o.created_by, o.created_at, o.updated_at FROM organisations o WHERE 1 = 1";

pub(crate) const ORG_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "o.path",
    org_id: "o.id",
    owner: "o.created_by",
};

/// One organisation, if it exists and lies inside `scope`.
pub async fn get(db: &Db, scope: &Scope, id: OrgId) -> Result<Org> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG);
        qb.push(" AND o.id = ").push_bind(id);
        scope.push_filter(&mut qb, ORG_COLS);
        qb.build_query_as::<Org>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// An organisation a request names in `field`: one outside the caller's scope (or none) is a
/// field error on that field (`org.not_found`), the same answer as for an id that does not exist.
pub async fn get_for(db: &Db, scope: &Scope, id: OrgId, field: &str) -> Result<Org> {
    get(db, scope, id).await.map_err(|e| match e {
        StoreError::NotFound => {
            StoreError::Domain(DomainError::field(field, Msg::new("org.not_found")))
        }
        e => e,
    })
}

/// One organisation by code, inside `scope`.
pub async fn get_by_code(db: &Db, scope: &Scope, code: &str) -> Result<Org> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG);
        qb.push(" AND o.code = ").push_bind(code.to_string());
        scope.push_filter(&mut qb, ORG_COLS);
        qb.build_query_as::<Org>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// The top nodes of the tree as `scope` sees it: the roots for an unrestricted scope, otherwise
/// each granted organisation that is not inside another granted subtree.
pub async fn roots(db: &Db, scope: &Scope) -> Result<Vec<Org>> {
    let mut out: Vec<Org> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG);
        if scope.all {
            qb.push(" AND o.parent_id IS NULL");
        } else {
            qb.push(" AND (1 = 0");
            for (start, _) in &scope.ranges {
                qb.push(" OR o.path = ").push_bind(start.clone());
            }
            for id in &scope.orgs {
                qb.push(" OR o.id = ").push_bind(*id);
            }
            qb.push(")");
        }
        qb.push(" ORDER BY o.path");
        qb.build_query_as::<Org>().fetch_all(p).await?
    });
    let paths: Vec<String> = out.iter().map(|o| o.path.clone()).collect();
    out.retain(|o| {
        !paths
            .iter()
            .any(|p| p != &o.path && o.path.starts_with(p.as_str()))
    });
    Ok(out)
}

/// The children of `parent_id` that lie inside `scope`, by name.
pub async fn children(
    db: &Db,
    scope: &Scope,
    parent_id: OrgId,
    include_inactive: bool,
) -> Result<Vec<Org>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG);
        qb.push(" AND o.parent_id = ").push_bind(parent_id);
        if !include_inactive {
            qb.push(" AND o.active = ").push_bind(true);
        }
        scope.push_filter(&mut qb, ORG_COLS);
        qb.push(" ORDER BY o.code");
        Ok(qb.build_query_as::<Org>().fetch_all(p).await?)
    })
}

/// The ancestors of `id` inside `scope`, root first (without the node itself).
pub async fn ancestors(db: &Db, scope: &Scope, id: OrgId) -> Result<Vec<Org>> {
    let node = get(db, scope, id).await?;
    let ids: Vec<OrgId> = OrgPath::parse(&node.path)
        .map(|p| p.ids())
        .unwrap_or_default();
    let ids: Vec<OrgId> = ids.into_iter().filter(|i| *i != id).collect();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG);
        qb.push(" AND o.id IN (");
        let mut sep = qb.separated(", ");
        for i in &ids {
            sep.push_bind(*i);
        }
        qb.push(")");
        scope.push_filter(&mut qb, ORG_COLS);
        qb.push(" ORDER BY o.depth");
        Ok(qb.build_query_as::<Org>().fetch_all(p).await?)
    })
}

/// Search filters of the organisation list.
#[derive(Debug, Clone, Default)]
pub struct OrgFilter {
    /// Matches name or code (substring).
    pub q: Option<String>,
    /// Restricts to the subtree of this organisation.
    pub within: Option<OrgId>,
    pub include_inactive: bool,
}

fn like_pattern(q: &str) -> String {
    let escaped: String = q
        .chars()
        .flat_map(|c| {
            if matches!(c, '%' | '_' | '\\') {
                vec!['\\', c]
            } else {
                vec![c]
            }
        })
        .collect();
    format!("%{escaped}%")
}

/// Searches organisations inside `scope`, ordered by path (tree order).
pub async fn search(db: &Db, scope: &Scope, f: &OrgFilter, page: PageReq) -> Result<Page<Org>> {
    let within = match f.within {
        Some(id) => Some(get(db, scope, id).await?.path),
        None => None,
    };
    crate::on_db!(db, p => {
        let build = |select: &str| {
            let mut qb = QueryBuilder::new(select);
            if let Some(q) = f.q.as_ref().map(|s| s.trim()).filter(|s| !s.is_empty()) {
                let pat = like_pattern(q);
                qb.push(" AND (o.name LIKE ").push_bind(pat.clone()).push(" ESCAPE '\\' OR o.code LIKE ").push_bind(pat).push(" ESCAPE '\\')");
            }
            if let Some(path) = &within {
                let end = xuncha_domain::org::subtree_end(path);
                qb.push(" AND o.path >= ").push_bind(path.clone()).push(" AND o.path < ").push_bind(end);
            }
            if !f.include_inactive {
                qb.push(" AND o.active = ").push_bind(true);
            }
            scope.push_filter(&mut qb, ORG_COLS);
            qb
        };
        let total: i64 = build("SELECT COUNT(*) FROM organisations o WHERE 1 = 1").build_query_scalar().fetch_one(p).await?;
        let mut qb = build(SELECT_ORG);
        qb.push(" ORDER BY o.path LIMIT ").push_bind(page.page_size).push(" OFFSET ").push_bind(page.offset());
        let items = qb.build_query_as::<Org>().fetch_all(p).await?;
        Ok(Page { items, total })
    })
}

/// Every organisation of the subtree of `root` (or the whole scope), in tree order, for export.
pub async fn export(db: &Db, scope: &Scope, root: Option<OrgId>) -> Result<Vec<Org>> {
    let within = match root {
        Some(id) => Some(get(db, scope, id).await?.path),
        None => None,
    };
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_ORG_FLAT);
        if let Some(path) = &within {
            let end = xuncha_domain::org::subtree_end(path);
            qb.push(" AND o.path >= ").push_bind(path.clone()).push(" AND o.path < ").push_bind(end);
        }
        scope.push_filter(&mut qb, ORG_COLS);
        qb.push(" ORDER BY o.path");
        Ok(qb.build_query_as::<Org>().fetch_all(p).await?)
    })
}

fn duplicate_code(code: &str) -> StoreError {
    StoreError::Domain(DomainError::field(
        "code",
        Msg::new("validation.duplicate")
            .arg("field", "field.code")
            .arg("value", code),
    ))
}

/// Inserts one organisation inside an open transaction; the caller has checked the parent.
macro_rules! insert_org {
    ($tx:expr, $actor:expr, $parent:expr, $draft:expr, $now:expr) => {{
        let parent: Option<&(OrgId, String)> = $parent;
        let draft: &OrgDraft = $draft;
        let exists: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE code = $1")
            .bind(&draft.code)
            .fetch_optional(&mut *$tx)
            .await?;
        if exists.is_some() {
            return Err(duplicate_code(&draft.code));
        }
        // The path needs the id; insert under a unique placeholder path first.
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO organisations (parent_id, code, name, kind, party_org_kind, path, depth, active, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, 1, $8, $9, $9) RETURNING id",
        )
        .bind(parent.map(|p| p.0))
        .bind(&draft.code)
        .bind(&draft.name)
        .bind(draft.kind.code())
        .bind(draft.party_org_kind.map(|k| k.code()))
        .bind(format!("#{}", draft.code))
        .bind(true)
        .bind($actor.user_id)
        .bind($now)
        .fetch_one(&mut *$tx)
        .await?;
        let path = match parent {
            Some((_, parent_path)) => OrgPath::parse(parent_path)
                .ok_or_else(|| StoreError::Corrupt(format!("organisation path {parent_path}")))?
                .child(id.into()),
            None => OrgPath::root(id.into()),
        };
        sqlx::query("UPDATE organisations SET path = $1, depth = $2, province_id = $3 WHERE id = $4")
            .bind(path.as_str())
            .bind(path.depth())
            .bind(path.root_id())
            .bind(id)
            .execute(&mut *$tx)
            .await?;
        (id, path)
    }};
}

/// Creates an organisation under `parent_id` (or a root, for an unrestricted scope).
pub async fn create(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    parent_id: Option<OrgId>,
    draft: &OrgDraft,
) -> Result<Org> {
    let parent = match parent_id {
        Some(pid) => {
            let parent = get(db, scope, pid).await.map_err(|e| match e {
                StoreError::NotFound => StoreError::Domain(DomainError::field(
                    "parent_id",
                    Msg::new("org.parent_not_found"),
                )),
                e => e,
            })?;
            if !parent.active {
                return Err(StoreError::Domain(DomainError::Rule(Msg::new(
                    "org.parent_inactive",
                ))));
            }
            Some((parent.id, parent.path))
        }
        None if scope.all => None,
        None => {
            return Err(StoreError::Domain(DomainError::field(
                "parent_id",
                Msg::new("org.root_forbidden"),
            )));
        }
    };
    let now = db.now();
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let (id, _path) = insert_org!(tx, actor, parent.as_ref(), draft, now);
        let event = Event::op("org.create", "org", id, Msg::new("audit.org_create").arg("name", &draft.name).arg("code", &draft.code).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
        id
    });
    get(db, &Scope::unrestricted(), id.into()).await
}

/// Updates the fields of an organisation, checking the caller's version.
pub async fn update(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: OrgId,
    draft: &OrgDraft,
    version: i64,
) -> Result<Org> {
    let current = get(db, scope, id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let clash: Option<i64> = sqlx::query_scalar("SELECT id FROM organisations WHERE code = $1 AND id <> $2")
            .bind(&draft.code).bind(id).fetch_optional(&mut *tx).await?;
        if clash.is_some() {
            return Err(duplicate_code(&draft.code));
        }
        let n = sqlx::query(
            "UPDATE organisations SET code = $1, name = $2, kind = $3, party_org_kind = $4, version = version + 1, updated_at = $5 \
             WHERE id = $6 AND version = $7")
            .bind(&draft.code).bind(&draft.name).bind(draft.kind.code()).bind(draft.party_org_kind.map(|k| k.code()))
            .bind(now).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let event = Event::op("org.update", "org", id, Msg::new("audit.org_update").arg("old", &current.name).arg("name", &draft.name).arg("code", &draft.code).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get(db, &Scope::unrestricted(), id).await
}

/// Moves an organisation, with its whole subtree, under `new_parent_id`.
pub async fn move_to(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: OrgId,
    new_parent_id: OrgId,
    version: i64,
) -> Result<Org> {
    let node = get(db, scope, id).await?;
    let parent = get(db, scope, new_parent_id).await.map_err(|e| match e {
        StoreError::NotFound => StoreError::Domain(DomainError::field(
            "new_parent_id",
            Msg::new("org.parent_not_found"),
        )),
        e => e,
    })?;
    if !parent.active {
        return Err(StoreError::Domain(DomainError::Rule(Msg::new(
            "org.parent_inactive",
        ))));
    }
    let old = OrgPath::parse(&node.path).ok_or_else(|| StoreError::Corrupt(node.path.clone()))?;
    let parent_path =
        OrgPath::parse(&parent.path).ok_or_else(|| StoreError::Corrupt(parent.path.clone()))?;
    let new = moved_path(&old, id, &parent_path)?;
    let delta = new.depth() - old.depth();
    let old_len = i32::try_from(old.as_str().len()).unwrap_or(i32::MAX);
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE organisations SET parent_id = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(new_parent_id).bind(now).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        // Rewrite the paths of the whole subtree in one range update.
        sqlx::query(
            "UPDATE organisations SET path = $1 || substr(path, $2), depth = depth + $3, province_id = $4 \
             WHERE path >= $5 AND path < $6")
            .bind(new.as_str()).bind(old_len + 1).bind(delta).bind(new.root_id())
            .bind(old.as_str()).bind(old.subtree_end())
            .execute(&mut *tx).await?;
        // The ledger's denormalised paths follow in the same transaction.
        sqlx::query("UPDATE findings SET org_path = $1 || substr(org_path, $2) WHERE org_path >= $3 AND org_path < $4")
            .bind(new.as_str()).bind(old_len + 1).bind(old.as_str()).bind(old.subtree_end())
            .execute(&mut *tx).await?;
        crate::counters_move!(tx, id, old.as_str(), new.as_str());
        let event = Event::op("org.move", "org", id, Msg::new("audit.org_move").arg("name", &node.name).arg("parent", &parent.name).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get(db, &Scope::unrestricted(), id).await
}

/// Deactivates (`active = false`) or reactivates an organisation. History is kept: nothing is deleted.
pub async fn set_active(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: OrgId,
    active: bool,
    version: i64,
) -> Result<Org> {
    let node = get(db, scope, id).await?;
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        if !active {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM organisations WHERE parent_id = $1 AND active = $2")
                .bind(id).bind(true).fetch_one(&mut *tx).await?;
            if n > 0 {
                return Err(StoreError::Domain(DomainError::Rule(Msg::new("org.has_active_children").arg("count", n))));
            }
        } else if let Some(pid) = node.parent_id {
            let parent_active: bool = sqlx::query_scalar("SELECT active FROM organisations WHERE id = $1")
                .bind(pid).fetch_one(&mut *tx).await?;
            if !parent_active {
                return Err(StoreError::Domain(DomainError::Rule(Msg::new("org.parent_inactive"))));
            }
        }
        let n = sqlx::query("UPDATE organisations SET active = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(active).bind(now).bind(id).bind(version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let (action, key) = if active { ("org.activate", "audit.org_activate") } else { ("org.deactivate", "audit.org_deactivate") };
        let event = Event::op(action, "org", id, Msg::new(key).arg("name", &node.name).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    get(db, &Scope::unrestricted(), id).await
}

/// One row of an import, already validated in isolation.
#[derive(Debug, Clone)]
pub struct ImportRow {
    /// The 1-based row number in the file (header = row 1).
    pub row: usize,
    pub parent_code: Option<String>,
    pub draft: OrgDraft,
}

/// A problem with one cell of an import.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub msg: Msg,
}

/// Imports organisations: every row is checked against the file and the database first; if any
/// row is bad nothing is stored and all errors are returned. Rows may reference parents defined
/// later in the file.
pub async fn import(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    rows: &[ImportRow],
) -> Result<std::result::Result<usize, Vec<RowError>>> {
    use std::collections::HashMap;
    let mut errors = Vec::new();
    let mut by_code: HashMap<&str, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        if let Some(first) = by_code.get(r.draft.code.as_str()) {
            errors.push(RowError {
                row: r.row,
                column: Msg::new("column.org.code").render(),
                msg: Msg::new("import.duplicate_in_file")
                    .arg("value", &r.draft.code)
                    .arg("other", rows[*first].row),
            });
        } else {
            by_code.insert(r.draft.code.as_str(), i);
        }
    }
    // Existing codes and in-scope parents from the database.
    let codes: Vec<String> = rows.iter().map(|r| r.draft.code.clone()).collect();
    let parent_codes: Vec<String> = rows
        .iter()
        .filter_map(|r| r.parent_code.clone())
        .filter(|c| !by_code.contains_key(c.as_str()))
        .collect::<std::collections::HashSet<String>>()
        .into_iter()
        .collect();
    let existing: std::collections::HashSet<String> = lookup_codes(db, &codes)
        .await?
        .into_iter()
        .map(|o| o.code)
        .collect();
    let db_parents: HashMap<String, Org> = lookup_codes(db, &parent_codes)
        .await?
        .into_iter()
        .map(|o| (o.code.clone(), o))
        .collect();
    for r in rows {
        if existing.contains(&r.draft.code) {
            errors.push(RowError {
                row: r.row,
                column: Msg::new("column.org.code").render(),
                msg: Msg::new("import.code_exists").arg("value", &r.draft.code),
            });
        }
        match &r.parent_code {
            None if !scope.all => errors.push(RowError {
                row: r.row,
                column: Msg::new("column.org.parent_code").render(),
                msg: Msg::new("org.root_forbidden"),
            }),
            None => {}
            Some(pc) if by_code.contains_key(pc.as_str()) => {}
            Some(pc) => match db_parents.get(pc) {
                None => errors.push(RowError {
                    row: r.row,
                    column: Msg::new("column.org.parent_code").render(),
                    msg: Msg::new("import.parent_unknown").arg("value", pc),
                }),
                Some(o) if !scope.contains(o.id, &o.path, o.created_by) => {
                    errors.push(RowError {
                        row: r.row,
                        column: Msg::new("column.org.parent_code").render(),
                        msg: Msg::new("import.parent_out_of_scope").arg("value", pc),
                    });
                }
                Some(o) if !o.active => errors.push(RowError {
                    row: r.row,
                    column: Msg::new("column.org.parent_code").render(),
                    msg: Msg::new("org.parent_inactive"),
                }),
                Some(_) => {}
            },
        }
    }
    // Parents before children, in linear time; rows never reached lie on a cycle.
    let parent_of: Vec<Option<usize>> = rows
        .iter()
        .map(|r| {
            r.parent_code
                .as_deref()
                .and_then(|pc| by_code.get(pc).copied())
        })
        .collect();
    let order = xuncha_domain::org::parents_first(&parent_of);
    if order.len() < rows.len() {
        let mut placed = vec![false; rows.len()];
        for &i in &order {
            placed[i] = true;
        }
        for (i, r) in rows.iter().enumerate() {
            if !placed[i] {
                errors.push(RowError {
                    row: r.row,
                    column: Msg::new("column.org.parent_code").render(),
                    msg: Msg::new("import.cycle"),
                });
            }
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Ok(Err(errors));
    }
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        // 1. Every row in a few multi-row INSERTs, under a unique placeholder path (the path
        //    needs the id); the ids come back with their codes.
        let mut ids: HashMap<String, OrgId> = HashMap::with_capacity(rows.len());
        for chunk in order.chunks(IMPORT_INSERT_CHUNK) {
            let mut qb = QueryBuilder::new(
                "INSERT INTO organisations (code, name, kind, party_org_kind, path, depth, active, version, created_by, created_at, updated_at) ",
            );
            qb.push_values(chunk, |mut b, &i| {
                let d = &rows[i].draft;
                b.push_bind(d.code.as_str())
                    .push_bind(d.name.as_str())
                    .push_bind(d.kind.code())
                    .push_bind(d.party_org_kind.map(|k| k.code()))
                    .push_bind(format!("#{}", d.code))
                    .push_bind(0_i32)
                    .push_bind(true)
                    .push_bind(1_i64)
                    .push_bind(actor.user_id)
                    .push_bind(now)
                    .push_bind(now);
            });
            qb.push(" RETURNING id, code");
            let got: Vec<(OrgId, String)> = qb.build_query_as().fetch_all(&mut *tx).await?;
            ids.extend(got.into_iter().map(|(id, code)| (code, id)));
        }
        // 2. Paths, depths and parents in memory, parents first.
        let mut placed: Vec<(OrgId, String, i32, OrgId)> = vec![(OrgId::new(0), String::new(), 0, OrgId::new(0)); rows.len()];
        for &i in &order {
            let r = &rows[i];
            let id = *ids.get(&r.draft.code).ok_or_else(|| StoreError::Corrupt(format!("organisation {} not inserted", r.draft.code)))?;
            let node = match &r.parent_code {
                None => (id, OrgPath::root(id).as_str().to_string(), 0, id),
                Some(pc) => {
                    let (ppath, pdepth, pprov) = match by_code.get(pc.as_str()) {
                        Some(&j) => {
                            let p = &placed[j];
                            (p.1.as_str(), p.2, p.3)
                        }
                        None => {
                            let o = db_parents.get(pc).ok_or_else(|| StoreError::Corrupt(format!("parent {pc} not placed")))?;
                            let prov = o.province_id
                                .or_else(|| OrgPath::parse(&o.path).and_then(|p| p.root_id()))
                                .unwrap_or(o.id);
                            (o.path.as_str(), o.depth, prov)
                        }
                    };
                    (id, format!("{ppath}{id}/"), pdepth + 1, pprov)
                }
            };
            placed[i] = node;
        }
        // 3. One multi-row UPDATE per chunk sets them.
        for chunk in order.chunks(IMPORT_UPDATE_CHUNK) {
            let mut qb = QueryBuilder::new("WITH v (id, parent_id, path, depth, province_id) AS (");
            qb.push_values(chunk, |mut b, &i| {
                let (id, path, depth, prov) = &placed[i];
                let parent = rows[i].parent_code.as_ref().map(|pc| match by_code.get(pc.as_str()) {
                    Some(&j) => placed[j].0,
                    None => db_parents.get(pc).map_or(OrgId::new(0), |o| o.id),
                });
                b.push_bind(*id).push_bind(parent).push_bind(path.as_str()).push_bind(*depth).push_bind(*prov);
            });
            qb.push(") UPDATE organisations SET parent_id = v.parent_id, path = v.path, depth = v.depth, province_id = v.province_id \
                     FROM v WHERE organisations.id = v.id");
            let n = qb.build().execute(&mut *tx).await?.rows_affected();
            if usize::try_from(n).ok() != Some(chunk.len()) {
                return Err(StoreError::Corrupt(format!("import updated {n} of {} organisations", chunk.len())));
            }
        }
        let event = Event::op("org.import", "org", "", Msg::new("audit.org_import").arg("count", rows.len()).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    if rows.len() >= 1000 {
        // A bulk load changes the table's statistics a lot; refresh them so the planner keeps
        // choosing the path and parent indexes.
        db.refresh_statistics("organisations").await?;
    }
    Ok(Ok(rows.len()))
}

/// Rows per multi-row INSERT of an import (11 values a row, well under both backends' limit on
/// bound parameters).
const IMPORT_INSERT_CHUNK: usize = 1000;
/// Rows per multi-row UPDATE of an import (5 values a row).
const IMPORT_UPDATE_CHUNK: usize = 2000;

async fn lookup_codes(db: &Db, codes: &[String]) -> Result<Vec<Org>> {
    let mut out = Vec::new();
    for chunk in codes.chunks(500) {
        let found: Vec<Org> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_ORG_FLAT);
            crate::push_in(&mut qb, "o.code", chunk);
            qb.build_query_as::<Org>().fetch_all(p).await?
        });
        out.extend(found);
    }
    Ok(out)
}

/// The key range `[path, path_end)` of an organisation's subtree (itself and every unit below),
/// for a filter that is one range scan on an indexed path column.
pub async fn subtree_range(db: &Db, org_id: OrgId) -> Result<(String, String)> {
    let path: Option<String> = crate::on_db!(db, p => sqlx::query_scalar("SELECT path FROM organisations WHERE id = $1").bind(org_id).fetch_optional(p).await?);
    let path = path.ok_or(StoreError::NotFound)?;
    let end = xuncha_domain::org::subtree_end(&path);
    Ok((path, end))
}

//! Configurable settings (time limits, thresholds, the rubric), stored per office as key/value
//! text with defaults in code. An office's value is its own row, else its nearest ancestor's
//! (the rule is `xuncha_domain::settings`), else the default; an office writes only its own rows.

use std::collections::HashMap;

use sqlx::{FromRow, QueryBuilder};
use xuncha_domain::i18n::Msg;
use xuncha_domain::org::{OrgId, OrgPath};
use xuncha_domain::settings::{Source, nearest};

use crate::audit::{Actor, Event};
use crate::db::{Db, Result, StoreError};

/// Months a receiving body has to report a clue's result (default 3, [N] 2015 条例).
pub const CLUE_RESULT_MONTHS: &str = "clue_result_months";
/// Months after feedback within which the rectification report is due (default 2).
pub const RECTIFICATION_REPORT_MONTHS: &str = "rectification_report_months";

/// One stored row: the value an organisation set for a key.
#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Row {
    pub org_id: OrgId,
    pub org_name: String,
    pub key: String,
    pub value: String,
    pub version: i64,
}

/// An office's effective values for a group of keys saved together, and where they come from.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Group {
    pub office: OrgId,
    /// The effective value per key; a key not listed takes its default.
    pub values: Vec<(String, String)>,
    /// The office the values come from (the office itself or an ancestor); `None` for the
    /// defaults.
    pub from: Option<(OrgId, String)>,
    /// The version of the office's own row of the group's first key (0 while it inherits).
    pub version: i64,
}

impl Group {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.values
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    /// The integer value of `key`, or `default` when unset or unreadable.
    pub fn int(&self, key: &str, default: i64) -> i64 {
        self.get(key)
            .and_then(|s| s.parse().ok())
            .unwrap_or(default)
    }

    pub fn source(&self) -> Source {
        Source::of(self.office, self.from.as_ref().map(|(o, _)| *o))
    }
}

/// Resolves `keys` for `office` (its chain root first) from the rows set along the chain.
pub fn resolve(office: OrgId, chain: &[OrgId], rows: &[Row], keys: &[&str]) -> Group {
    let mut g = Group {
        office,
        ..Group::default()
    };
    let mut from_rank: Option<usize> = None;
    for key in keys {
        let candidates = rows.iter().filter(|r| r.key == *key).map(|r| (r.org_id, r));
        if let Some((org, r)) = nearest(chain, candidates) {
            g.values.push(((*key).to_string(), r.value.clone()));
            let rank = chain.iter().position(|o| *o == org);
            if rank > from_rank {
                from_rank = rank;
                g.from = Some((org, r.org_name.clone()));
            }
        }
    }
    if let Some(first) = keys.first() {
        g.version = rows
            .iter()
            .find(|r| r.org_id == office && r.key == *first)
            .map_or(0, |r| r.version);
    }
    g
}

fn chain_of(path: &str) -> Vec<OrgId> {
    OrgPath::parse(path).map(|p| p.ids()).unwrap_or_default()
}

fn push_keys<DB: sqlx::Database>(qb: &mut QueryBuilder<DB>, keys: &[&str])
where
    for<'x> String: sqlx::Encode<'x, DB> + sqlx::Type<DB>,
{
    qb.push(" AND s.key IN (");
    for (i, k) in keys.iter().enumerate() {
        if i > 0 {
            qb.push(", ");
        }
        qb.push_bind((*k).to_string());
    }
    qb.push(")");
}

/// The effective values of `keys` for `office`: one query over the rows its chain set.
pub async fn group(db: &Db, office: OrgId, keys: &[&str]) -> Result<Group> {
    #[derive(FromRow)]
    struct ChainRow {
        path: String,
        org_id: OrgId,
        org_name: String,
        key: String,
        value: String,
        version: i64,
    }
    let rows: Vec<ChainRow> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT o.path, s.org_id, so.name AS org_name, s.key, s.value, s.version FROM settings s \
             JOIN organisations so ON so.id = s.org_id JOIN organisations o ON o.path LIKE so.path || '%' WHERE o.id = ");
        qb.push_bind(office);
        push_keys(&mut qb, keys);
        qb.build_query_as::<ChainRow>().fetch_all(p).await?
    });
    let chain = rows.first().map(|r| chain_of(&r.path)).unwrap_or_default();
    let rows: Vec<Row> = rows
        .into_iter()
        .map(|r| Row {
            org_id: r.org_id,
            org_name: r.org_name,
            key: r.key,
            value: r.value,
            version: r.version,
        })
        .collect();
    Ok(resolve(office, &chain, &rows, keys))
}

/// The chains (root first) of `offices`, in one query.
pub async fn chains(db: &Db, offices: &[OrgId]) -> Result<HashMap<OrgId, Vec<OrgId>>> {
    if offices.is_empty() {
        return Ok(HashMap::new());
    }
    let rows: Vec<(OrgId, String)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT id, path FROM organisations WHERE id IN (");
        let mut sep = qb.separated(", ");
        for o in offices {
            sep.push_bind(*o);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, path)| (id, chain_of(&path)))
        .collect())
}

/// Every office that runs a round (the offices a ledger row can belong to), with `also`.
pub async fn running_offices(db: &Db, also: OrgId) -> Result<HashMap<OrgId, Vec<OrgId>>> {
    let rows: Vec<(OrgId, String)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT id, path FROM organisations WHERE id = $1 OR id IN (SELECT DISTINCT owner_org_id FROM round_units)")
        .bind(also).fetch_all(p).await?);
    Ok(rows
        .into_iter()
        .map(|(id, path)| (id, chain_of(&path)))
        .collect())
}

/// The rows of `keys` set by any organisation on the given chains, in one query.
pub async fn rows_on(
    db: &Db,
    chains: &HashMap<OrgId, Vec<OrgId>>,
    keys: &[&str],
) -> Result<Vec<Row>> {
    let mut ids: Vec<OrgId> = chains.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT s.org_id, so.name AS org_name, s.key, s.value, s.version FROM settings s JOIN organisations so ON so.id = s.org_id WHERE s.org_id IN (");
        let mut sep = qb.separated(", ");
        for o in &ids {
            sep.push_bind(*o);
        }
        qb.push(")");
        push_keys(&mut qb, keys);
        Ok(qb.build_query_as::<Row>().fetch_all(p).await?)
    })
}

/// The effective values of `keys` for each of `offices`: two queries however many offices.
pub async fn groups(db: &Db, offices: &[OrgId], keys: &[&str]) -> Result<HashMap<OrgId, Group>> {
    let chains = chains(db, offices).await?;
    let rows = rows_on(db, &chains, keys).await?;
    Ok(chains
        .iter()
        .map(|(o, chain)| (*o, resolve(*o, chain, &rows, keys)))
        .collect())
}

/// The integer setting `key` for `office` (its own, else inherited), or `default`.
pub async fn get_int(db: &Db, office: OrgId, key: &str, default: i64) -> Result<i64> {
    Ok(group(db, office, &[key]).await?.int(key, default))
}

/// Saves `office`'s own values of a group of keys (never another office's), audited as `action`
/// with `summary` (prefixed with the office's name). With `expected` = Some(version), the save
/// is refused as stale unless the office's own row of the first key has that version (0: none).
pub async fn save_group(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    values: &[(&str, String)],
    expected: Option<i64>,
    action: &'static str,
    summary: &str,
) -> Result<()> {
    let now = db.now();
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let name = name.ok_or(StoreError::NotFound)?;
        for (i, (k, v)) in values.iter().enumerate() {
            let n = match expected {
                Some(0) if i == 0 => sqlx::query("INSERT INTO settings (org_id, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) ON CONFLICT (org_id, key) DO NOTHING")
                    .bind(office).bind(*k).bind(v).bind(now).execute(&mut *tx).await?.rows_affected(),
                Some(ver) if i == 0 => sqlx::query("UPDATE settings SET value = $1, version = version + 1, updated_at = $2 WHERE org_id = $3 AND key = $4 AND version = $5")
                    .bind(v).bind(now).bind(office).bind(*k).bind(ver).execute(&mut *tx).await?.rows_affected(),
                _ => sqlx::query("INSERT INTO settings (org_id, key, value, version, updated_at) VALUES ($1, $2, $3, 1, $4) \
                                  ON CONFLICT (org_id, key) DO UPDATE SET value = excluded.value, version = settings.version + 1, updated_at = excluded.updated_at")
                    .bind(office).bind(*k).bind(v).bind(now).execute(&mut *tx).await?.rows_affected(),
            };
            if n == 0 {
                return Err(StoreError::StaleVersion);
            }
        }
        let key = values.first().map_or("", |(k, _)| *k);
        crate::audit_append!(db, tx, actor, &Event::op(action, "settings", format!("{office}:{key}"), Msg::new("audit.settings_change").arg("office", &name).arg("summary", summary).render()));
        tx.commit().await?;
    });
    Ok(())
}

/// Drops `office`'s own values of `keys`, so it inherits again. False when it had none.
pub async fn drop_group(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    keys: &[&str],
    action: &'static str,
    summary: &str,
) -> Result<bool> {
    let n = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let name = name.ok_or(StoreError::NotFound)?;
        let mut n = 0;
        for k in keys {
            n += sqlx::query("DELETE FROM settings WHERE org_id = $1 AND key = $2")
                .bind(office).bind(*k).execute(&mut *tx).await?.rows_affected();
        }
        if n > 0 {
            let key = keys.first().copied().unwrap_or("");
            crate::audit_append!(db, tx, actor, &Event::op(action, "settings", format!("{office}:{key}"), Msg::new("audit.settings_change").arg("office", &name).arg("summary", summary).render()));
        }
        tx.commit().await?;
        n
    });
    Ok(n > 0)
}

/// Saves the integer setting `key` of `office` (its own row).
pub async fn set(db: &Db, actor: &Actor, office: OrgId, key: &str, value: &str) -> Result<()> {
    save_group(
        db,
        actor,
        office,
        &[(key, value.to_string())],
        None,
        "settings.update",
        &Msg::new("audit.setting_set")
            .arg("key", key)
            .arg("value", value)
            .render(),
    )
    .await
}

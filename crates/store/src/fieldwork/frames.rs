//! Fieldwork storage: the supervision frames (三个聚焦 / 四个落实) that classify findings.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct FrameRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub version_no: i32,
    pub active: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct CategoryRow {
    pub id: i64,
    pub frame_id: i64,
    pub parent_id: Option<i64>,
    pub code: String,
    pub name: String,
}

pub async fn frames(db: &Db) -> Result<(Vec<FrameRow>, Vec<CategoryRow>)> {
    crate::on_db!(db, p => {
        Ok((sqlx::query_as::<_, FrameRow>("SELECT id, code, name, version_no, active FROM frames ORDER BY id").fetch_all(p).await?,
            sqlx::query_as::<_, CategoryRow>("SELECT id, frame_id, parent_id, code, name FROM categories ORDER BY frame_id, sort, id").fetch_all(p).await?))
    })
}

/// One category of an imported frame.
#[derive(Debug, Clone)]
pub struct CategoryImport {
    pub row: usize,
    pub frame_code: String,
    pub frame_name: String,
    pub version_no: i32,
    pub code: String,
    pub name: String,
    pub parent_code: Option<String>,
}

/// Imports frames and categories (a new version of a frame is a new frame row). All or nothing:
/// an unknown parent or a duplicate code in one frame refuses the whole file.
pub async fn import_frames(
    db: &Db,
    actor: &Actor,
    rows: &[CategoryImport],
) -> Result<std::result::Result<(usize, usize), Vec<crate::orgs::RowError>>> {
    use std::collections::{HashMap, HashSet};
    let mut errors = Vec::new();
    let mut seen: HashSet<(String, i32, String)> = HashSet::new();
    for r in rows {
        if !seen.insert((r.frame_code.clone(), r.version_no, r.code.clone())) {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: Msg::new("column.category.code").render(),
                msg: Msg::new("validation.duplicate")
                    .arg("field", "field.code")
                    .arg("value", &r.code),
            });
        }
    }
    for r in rows {
        if let Some(pc) = &r.parent_code
            && !seen.contains(&(r.frame_code.clone(), r.version_no, pc.clone()))
        {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: Msg::new("column.category.parent_code").render(),
                msg: Msg::new("import.parent_unknown").arg("value", pc),
            });
        }
    }
    let (existing, _) = frames(db).await?;
    let existing: HashSet<(&str, i32)> = existing
        .iter()
        .map(|f| (f.code.as_str(), f.version_no))
        .collect();
    for r in rows {
        if existing.contains(&(r.frame_code.as_str(), r.version_no)) {
            errors.push(crate::orgs::RowError {
                row: r.row,
                column: Msg::new("column.frame.version").render(),
                msg: Msg::new("validation.duplicate")
                    .arg("field", Msg::new("column.frame.version").render())
                    .arg("value", format!("{} v{}", r.frame_code, r.version_no)),
            });
        }
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        errors.dedup_by(|a, b| a.row == b.row && a.column == b.column);
        return Ok(Err(errors));
    }
    let now = db.now();
    let (nf, nc) = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let mut frame_ids: HashMap<(String, i32), i64> = HashMap::new();
        let mut cat_ids: HashMap<(i64, String), i64> = HashMap::new();
        // Parents first, in linear time; a row never reached lies on a cycle.
        let index: HashMap<(&str, i32, &str), usize> = rows
            .iter()
            .enumerate()
            .map(|(i, r)| ((r.frame_code.as_str(), r.version_no, r.code.as_str()), i))
            .collect();
        let parent_of: Vec<Option<usize>> = rows
            .iter()
            .map(|r| r.parent_code.as_deref().and_then(|pc| index.get(&(r.frame_code.as_str(), r.version_no, pc)).copied()))
            .collect();
        let order = xuncha_domain::org::parents_first(&parent_of);
        if order.len() < rows.len() {
            return Err(StoreError::Domain(DomainError::Rule(Msg::new("import.cycle"))));
        }
        let mut sort = 0;
        for &i in &order {
            let r = &rows[i];
            let key = (r.frame_code.clone(), r.version_no);
            let fid = match frame_ids.get(&key) {
                Some(f) => *f,
                None => {
                    let f: i64 = sqlx::query_scalar("INSERT INTO frames (code, name, version_no, active, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                        .bind(&r.frame_code).bind(&r.frame_name).bind(r.version_no).bind(true).bind(now).fetch_one(&mut *tx).await?;
                    frame_ids.insert(key, f);
                    f
                }
            };
            let parent = match &r.parent_code {
                None => None,
                Some(pc) => Some(*cat_ids.get(&(fid, pc.clone())).ok_or_else(|| StoreError::Corrupt(format!("category {pc} not placed")))?),
            };
            sort += 1;
            let id: i64 = sqlx::query_scalar("INSERT INTO categories (frame_id, parent_id, code, name, sort) VALUES ($1, $2, $3, $4, $5) RETURNING id")
                .bind(fid).bind(parent).bind(&r.code).bind(&r.name).bind(sort).fetch_one(&mut *tx).await?;
            cat_ids.insert((fid, r.code.clone()), id);
        }
        crate::audit_append!(db, tx, actor, &Event::op("frame.import", "frame", "", Msg::new("audit.frame_import").arg("frames", frame_ids.len()).arg("categories", cat_ids.len()).render()));
        tx.commit().await?;
        (frame_ids.len(), cat_ids.len())
    });
    Ok(Ok((nf, nc)))
}

/// Creates the built-in frames when no frame exists yet.
pub async fn ensure_default_frames(db: &Db) -> Result<()> {
    let (existing, _) = frames(db).await?;
    if !existing.is_empty() {
        return Ok(());
    }
    let rows: Vec<CategoryImport> = DEFAULT_FRAMES
        .iter()
        .flat_map(|f| {
            f.categories.iter().map(|(code, name)| CategoryImport {
                row: 0,
                frame_code: f.code.to_string(),
                frame_name: f.name.to_string(),
                version_no: 1,
                code: (*code).to_string(),
                name: (*name).to_string(),
                parent_code: None,
            })
        })
        .collect();
    match import_frames(db, &Actor::system("system"), &rows).await? {
        Ok(_) => Ok(()),
        Err(e) => Err(StoreError::Corrupt(format!("default frames: {e:?}"))),
    }
}

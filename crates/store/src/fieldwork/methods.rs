//! Fieldwork storage: the methods (12+N) an inspection team works with.

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Method {
    pub code: String,
    pub name: String,
    pub compartment: Option<String>,
    pub active: bool,
}

pub async fn methods(db: &Db) -> Result<Vec<Method>> {
    crate::on_db!(db, p => Ok(sqlx::query_as::<_, Method>("SELECT code, name, compartment, active FROM fieldwork_methods ORDER BY sort").fetch_all(p).await?))
}

/// Adds a method (the "N" of 12+N) or renames / (de)activates an existing one.
pub async fn save_method(
    db: &Db,
    actor: &Actor,
    code: &str,
    name: &str,
    active: bool,
) -> Result<Vec<Method>> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let exists: Option<String> = sqlx::query_scalar("SELECT code FROM fieldwork_methods WHERE code = $1").bind(code).fetch_optional(&mut *tx).await?;
        if exists.is_some() {
            sqlx::query("UPDATE fieldwork_methods SET name = $1, active = $2 WHERE code = $3").bind(name).bind(active).bind(code).execute(&mut *tx).await?;
        } else {
            let sort: i32 = sqlx::query_scalar("SELECT COALESCE(MAX(sort), 0) + 1 FROM fieldwork_methods").fetch_one(&mut *tx).await?;
            sqlx::query("INSERT INTO fieldwork_methods (code, name, compartment, sort, active) VALUES ($1, $2, NULL, $3, $4)")
                .bind(code).bind(name).bind(sort).bind(active).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("fieldwork.method", "fieldwork_method", code, Msg::new(if active { "audit.fieldwork_method_active" } else { "audit.fieldwork_method_inactive" }).arg("code", code).arg("name", name).render()));
        tx.commit().await?;
    });
    methods(db).await
}

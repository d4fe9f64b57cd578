//! The security policy (password and lockout).

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecurityPolicy {
    pub password: PasswordPolicy,
    pub lockout: LockoutPolicy,
    pub session_minutes: i64,
    pub version: i64,
}

pub async fn policy(db: &Db) -> Result<SecurityPolicy> {
    let (len, classes, failures, lock, session, version): (i32, i32, i32, i32, i32, i64) = crate::on_db!(db, p => {
        sqlx::query_as("SELECT min_password_length, min_password_classes, max_login_failures, lock_minutes, session_minutes, version FROM security_policy WHERE id = 1")
            .fetch_one(p).await?
    });
    Ok(SecurityPolicy {
        password: PasswordPolicy {
            min_length: usize::try_from(len).unwrap_or(8),
            min_classes: usize::try_from(classes).unwrap_or(3),
        },
        lockout: LockoutPolicy {
            max_failures: failures,
            lock_minutes: i64::from(lock),
        },
        session_minutes: i64::from(session),
        version,
    })
}

pub async fn save_policy(db: &Db, actor: &Actor, p: &SecurityPolicy) -> Result<SecurityPolicy> {
    crate::on_db!(db, pool => {
        let mut tx = db.write(pool).await?;
        let n = sqlx::query(
            "UPDATE security_policy SET min_password_length = $1, min_password_classes = $2, max_login_failures = $3, lock_minutes = $4, \
             session_minutes = $5, version = version + 1 WHERE id = 1 AND version = $6")
            .bind(i32::try_from(p.password.min_length).unwrap_or(8))
            .bind(i32::try_from(p.password.min_classes).unwrap_or(3))
            .bind(p.lockout.max_failures)
            .bind(i32::try_from(p.lockout.lock_minutes).unwrap_or(15))
            .bind(i32::try_from(p.session_minutes).unwrap_or(480))
            .bind(p.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        let event = Event::op("policy.update", "policy", 1, Msg::new("audit.policy_update")
            .arg("min_length", p.password.min_length).arg("min_classes", p.password.min_classes)
            .arg("max_failures", p.lockout.max_failures).arg("lock_minutes", p.lockout.lock_minutes)
            .arg("session_minutes", p.session_minutes).render());
        crate::audit_append!(db, tx, actor, &event);
        tx.commit().await?;
    });
    policy(db).await
}

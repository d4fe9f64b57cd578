//! Rectification storage: the scheduler's scan

#[allow(clippy::wildcard_imports)]
use super::*;

/// Open items whose deadline is on or before `yellow_until`, with the users to warn:
/// `(finding id, title, org name, deadline, recipients)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarningTarget {
    pub finding_id: FindingId,
    pub title: String,
    pub org_name: String,
    /// The deadline; for a long-term item, the date of its latest report.
    pub deadline: Date,
    /// The office that runs the round: its settings and calendar apply.
    pub owner_org_id: OrgId,
    pub recipients: Vec<i64>,
}

pub async fn warning_targets(
    db: &Db,
    yellow_until: Date,
    limit: i64,
) -> Result<Vec<WarningTarget>> {
    // (finding, title, unit name, deadline, unit org, owner office, team)
    type Row = (i64, String, String, Date, i64, i64, Option<i64>);
    let rows: Vec<Row> = crate::on_db!(db, p => sqlx::query_as(sqlx::AssertSqlSafe(format!("SELECT f.id, f.title, o.name, f.due_date, f.org_id, ru.owner_org_id, ru.team_id FROM findings f JOIN round_units ru ON ru.id = f.round_unit_id \
         JOIN organisations o ON o.id = f.org_id WHERE f.state IN {OPEN_STATES} AND f.due_date <= $1 ORDER BY f.due_date, f.id LIMIT $2")))
        .bind(yellow_until).bind(limit).fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, org_name, deadline, org_id, owner, team) in rows {
        // The unit's head and liaison (rect:write at the unit), the supervising leaders at the
        // office, and the officer in charge (the team leader of the round unit).
        let recipients: Vec<i64> = crate::on_db!(db, p => sqlx::query_scalar(
            "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
             WHERE (u.org_id = $1 AND ro.permissions LIKE '%\"rect:write\"%') OR (u.org_id = $2 AND ro.code = 'leader') \
             OR u.id IN (SELECT pe.user_id FROM team_members tm JOIN people pe ON pe.id = tm.person_id WHERE tm.team_id = $3 AND tm.role = 'leader' AND pe.user_id IS NOT NULL) \
             ORDER BY u.id")
            .bind(org_id).bind(owner).bind(team.unwrap_or(-1)).fetch_all(p).await?);
        out.push(WarningTarget {
            finding_id: id.into(),
            title,
            org_name,
            deadline,
            owner_org_id: owner.into(),
            recipients,
        });
    }
    Ok(out)
}

/// Long-term items whose latest progress (or, without any, whose entry into LONG_TERM) is on or
/// before `before`, with that date as the target's `deadline`.
pub async fn long_term_due(db: &Db, before: Date, limit: i64) -> Result<Vec<WarningTarget>> {
    let rows: Vec<(i64, String, String, i64, i64, Date)> = crate::on_db!(db, p => sqlx::query_as(
        "SELECT f.id, f.title, o.name, f.org_id, ru.owner_org_id, COALESCE((SELECT MAX(pr.effective_date) FROM progress pr WHERE pr.finding_id = f.id AND pr.effective_date >= f.closed_on), f.closed_on) AS last \
         FROM findings f JOIN organisations o ON o.id = f.org_id JOIN round_units ru ON ru.id = f.round_unit_id WHERE f.state = 'LONG_TERM' \
         AND COALESCE((SELECT MAX(pr.effective_date) FROM progress pr WHERE pr.finding_id = f.id AND pr.effective_date >= f.closed_on), f.closed_on) <= $1 ORDER BY f.id LIMIT $2")
        .bind(before).bind(limit).fetch_all(p).await?);
    let mut out = Vec::with_capacity(rows.len());
    for (id, title, org_name, org_id, owner, last) in rows {
        let recipients: Vec<i64> = crate::on_db!(db, p => sqlx::query_scalar(UNIT_WRITERS).bind(org_id).bind(false).fetch_all(p).await?);
        out.push(WarningTarget {
            finding_id: id.into(),
            title,
            org_name,
            deadline: last,
            owner_org_id: owner.into(),
            recipients,
        });
    }
    Ok(out)
}

/// Reminds the unit to report on a long-term item (once per item and period).
pub async fn send_long_term_reminder(db: &Db, t: &WarningTarget, period: &str) -> Result<()> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        notify!(db, tx, &t.recipients, "long_term", Msg::new("notice.long_term_title").arg("org", &t.org_name).render(),
            Msg::new("notice.long_term_body").arg("title", &t.title).render(),
            Some(format!("/rect/items/{}", t.finding_id)), Some(format!("longterm:{}:{period}", t.finding_id)));
        tx.commit().await?;
    });
    Ok(())
}

/// Sends one warning notification (idempotent per item, colour and deadline).
pub async fn send_warning(
    db: &Db,
    t: &WarningTarget,
    colour: &str,
    title: String,
    body: String,
) -> Result<()> {
    let key = format!("warn:{}:{colour}:{}", t.finding_id, t.deadline);
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        notify!(db, tx, &t.recipients, "warning", title, body, Some(format!("/rect/items/{}", t.finding_id)), Some(key));
        tx.commit().await?;
    });
    Ok(())
}

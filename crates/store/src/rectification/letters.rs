//! Rectification storage: letters

#[allow(clippy::wildcard_imports)]
use super::*;

#[derive(Debug, Clone, PartialEq, Eq, FromRow)]
pub struct Letter {
    pub id: i64,
    pub round_unit_id: RoundUnitId,
    pub org_name: String,
    pub letter_type: String,
    pub letter_name: String,
    pub doc_no: String,
    pub finding_ids: String,
    pub requirement: String,
    pub new_deadline: Option<Date>,
    pub file_hash: String,
    pub issued_by_name: String,
    pub issued_at: OffsetDateTime,
    /// 主送: the addressee organisation (the unit, or the 纪委监委 for a 问责建议函) and its name
    /// as written on the letter.
    pub addressee_org_id: Option<OrgId>,
    pub addressee_name: String,
    /// `issued` or `withdrawn` (`letters::LetterState`).
    #[sqlx(try_from = "String")]
    pub state: LetterState,
    pub withdrawn_at: Option<OffsetDateTime>,
    pub withdrawn_by_name: Option<String>,
    pub withdraw_reason: Option<String>,
    pub version: i64,
}

impl Letter {
    pub fn finding_ids(&self) -> Vec<i64> {
        serde_json::from_str(&self.finding_ids).unwrap_or_default()
    }
}

pub(super) const SELECT_LETTER: &str = "SELECT l.id, l.round_unit_id, o.name AS org_name, l.letter_type, l.letter_name, l.doc_no, l.finding_ids, l.requirement, l.new_deadline, \
     l.file_hash, l.issued_by_name, l.issued_at, l.addressee_org_id, CASE WHEN l.addressee_name = '' THEN o.name ELSE l.addressee_name END AS addressee_name, \
     l.state, l.withdrawn_at, l.withdrawn_by_name, l.withdraw_reason, l.version FROM letters l JOIN round_units ru ON ru.id = l.round_unit_id JOIN organisations o ON o.id = ru.org_id \
     LEFT JOIN organisations ao ON ao.id = l.addressee_org_id WHERE 1 = 1";

/// The addressee body of a letter (`ao`, e.g. the 纪委监委 of a 问责建议函).
pub(super) const ADDRESSEE_COLS: ScopeColumns<'static> = ScopeColumns {
    path: "ao.path",
    org_id: "ao.id",
    owner: "ao.created_by",
};

/// A letter is readable where its unit is in scope, or its addressee (the 纪委监委 reads the
/// 问责建议函 addressed to it).
pub(super) fn push_letter_scope<DB>(qb: &mut QueryBuilder<DB>, scope: &Scope)
where
    DB: sqlx::Database,
    for<'t> String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    for<'t> i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" AND ((1 = 1");
    scope.push_filter(qb, UNIT_COLS);
    qb.push(") OR (1 = 1");
    scope.push_filter(qb, ADDRESSEE_COLS);
    qb.push("))");
}

/// One page of the letters in scope (of one round unit, or all), newest first, with the total.
pub async fn letters(
    db: &Db,
    scope: &Scope,
    round_unit_id: Option<RoundUnitId>,
    page: PageReq,
) -> Result<Page<Letter>> {
    crate::on_db!(db, p => {
        let filter = |qb: &mut QueryBuilder<_>| {
            if let Some(u) = round_unit_id { qb.push(" AND l.round_unit_id = ").push_bind(u.get()); }
            push_letter_scope(qb, scope);
        };
        Ok(crate::page_of!(p, SELECT_LETTER, filter, " ORDER BY l.id DESC", page, Letter))
    })
}

/// Every letter issued to the round units among `ids` in scope (the escalation ladder of each).
pub async fn unit_letters(db: &Db, scope: &Scope, ids: &[i64]) -> Result<Vec<Letter>> {
    let mut out = Vec::new();
    for chunk in ids.chunks(500) {
        let rows: Vec<Letter> = crate::on_db!(db, p => {
            let mut qb = QueryBuilder::new(SELECT_LETTER);
            crate::push_in(&mut qb, "l.round_unit_id", chunk);
            push_letter_scope(&mut qb, scope);
            qb.push(" ORDER BY l.id");
            qb.build_query_as::<Letter>().fetch_all(p).await?
        });
        out.extend(rows);
    }
    Ok(out)
}

pub async fn letter(db: &Db, scope: &Scope, id: i64) -> Result<Letter> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(SELECT_LETTER);
        qb.push(" AND l.id = ").push_bind(id);
        push_letter_scope(&mut qb, scope);
        qb.build_query_as::<Letter>().fetch_optional(p).await?.ok_or(StoreError::NotFound)
    })
}

/// Overdue open items per unit in scope: `(round_unit_id, finding_id, deadline)`, oldest first;
/// every one (a unit past the first ten thousand items still gets its suggestion).
pub async fn overdue_items(db: &Db, scope: &Scope, today: Date) -> Result<Vec<(i64, i64, Date)>> {
    crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(format!("SELECT f.round_unit_id, f.id, f.due_date FROM findings f WHERE f.state IN {OPEN_STATES} AND f.due_date < "));
        qb.push_bind(today);
        scope.push_filter(&mut qb, LEDGER_COLS);
        qb.push(" ORDER BY f.round_unit_id, f.due_date, f.id");
        Ok(qb.build_query_as::<(i64, i64, Date)>().fetch_all(p).await?)
    })
}

/// The next document number of the year (文号 sequence) and the issuing office's name.
pub async fn letter_context(db: &Db, unit_id: RoundUnitId, year: i32) -> Result<(i64, String)> {
    crate::on_db!(db, p => {
        let seq: Option<i64> = sqlx::query_scalar("SELECT CAST(MAX(doc_seq) AS BIGINT) FROM letters WHERE doc_year = $1").bind(year).fetch_one(p).await?;
        let owner: String = sqlx::query_scalar("SELECT o.name FROM round_units ru JOIN organisations o ON o.id = ru.owner_org_id WHERE ru.id = $1").bind(unit_id.get()).fetch_one(p).await?;
        Ok((seq.unwrap_or(0) + 1, owner))
    })
}

#[derive(Debug, Clone)]
pub struct LetterDraft {
    pub round_unit_id: RoundUnitId,
    pub letter_type: String,
    pub letter_name: String,
    pub year: i32,
    pub seq: i64,
    pub doc_no: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<Date>,
    pub docx: Upload,
    /// 主送 (see `Letter`); `addressee_is_unit` picks who is notified: the unit's users acting
    /// in rectification, or the users of the addressee body who read rectification.
    pub addressee_org_id: OrgId,
    pub addressee_name: String,
    pub addressee_is_unit: bool,
}

/// The users of a body other than the unit (`$1`) an escalation letter is addressed to: those
/// reading rectification (`rect:read`, e.g. the 纪委监委's discipline users), not locked (`$2`).
pub(super) const ADDRESSEE_READERS: &str = "SELECT DISTINCT u.id FROM users u JOIN user_roles ur ON ur.user_id = u.id JOIN roles ro ON ro.id = ur.role_id \
     WHERE u.org_id = $1 AND u.locked_by_admin = $2 AND ro.permissions LIKE '%\"rect:read\"%' ORDER BY u.id";

/// Where a letter's notification leads: the unit to its first item's page (letters listed there),
/// another addressee body to the letter's document.
pub(super) fn letter_link(letter_id: i64, to_unit: bool, finding_ids: &[i64]) -> String {
    match finding_ids.first() {
        Some(f) if to_unit => format!("/rect/items/{f}"),
        _ => format!("/api/v1/rect/letters/{letter_id}/docx"),
    }
}

/// Records an issued letter with its generated document, and notifies its addressee.
pub async fn issue_letter(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    d: &LetterDraft,
) -> Result<Letter> {
    let u = unit(db, scope, d.round_unit_id).await?;
    let now = db.now();
    let hash = d.docx.hash();
    let ids =
        serde_json::to_string(&d.finding_ids).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let id = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        sqlx::query("INSERT INTO files (hash, size, media_type, bytes, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (hash) DO NOTHING")
            .bind(&hash).bind(i64::try_from(d.docx.bytes.len()).unwrap_or(i64::MAX)).bind(&d.docx.media_type).bind(&d.docx.bytes).bind(now)
            .execute(&mut *tx).await?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO letters (province_id, round_unit_id, letter_type, letter_name, doc_year, doc_seq, doc_no, finding_ids, requirement, new_deadline, file_hash, issued_by, issued_by_name, issued_at, addressee_org_id, addressee_name) \
             VALUES ((SELECT province_id FROM round_units WHERE id = $1), $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id")
            .bind(d.round_unit_id.get()).bind(&d.letter_type).bind(&d.letter_name).bind(d.year).bind(i32::try_from(d.seq).unwrap_or(i32::MAX)).bind(&d.doc_no).bind(&ids)
            .bind(&d.requirement).bind(d.new_deadline).bind(&hash).bind(actor.user_id).bind(&actor.display_name).bind(now)
            .bind(d.addressee_org_id).bind(&d.addressee_name)
            .fetch_one(&mut *tx).await?;
        for fid in &d.finding_ids {
            let st: String = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(*fid).fetch_one(&mut *tx).await?;
            crate::event_append!(db, tx, "finding", *fid, actor, Some(st.as_str()), st.as_str(), Msg::new("event.letter_issued").arg("letter", &d.letter_name).arg("doc_no", &d.doc_no).render());
        }
        let recipients: Vec<i64> = sqlx::query_scalar(if d.addressee_is_unit { UNIT_WRITERS } else { ADDRESSEE_READERS })
            .bind(d.addressee_org_id).bind(false).fetch_all(&mut *tx).await?;
        notify!(db, tx, &recipients, "letter", Msg::new("notice.letter_title").arg("letter", &d.letter_name).render(), Msg::new("notice.letter_body").arg("doc_no", &d.doc_no).arg("org", &u.org_name).arg("requirement", &d.requirement).render(),
            Some(letter_link(id, d.addressee_is_unit, &d.finding_ids)), Some(format!("letter:{}", d.doc_no)));
        crate::audit_append!(db, tx, actor, &Event::op("rect.letter", "round_unit", d.round_unit_id, Msg::new("audit.rect_letter").arg("org", &u.org_name).arg("addressee", &d.addressee_name).arg("letter", &d.letter_name).arg("doc_no", &d.doc_no).render()));
        tx.commit().await?;
        id
    });
    letter(db, &Scope::unrestricted(), id).await
}

/// Withdraws an issued letter in scope with a reason: its number and document are kept, it no
/// longer counts as issued for the ladder; an event on each named item, an audit record, and the
/// addressee is notified. `version`, when given, must be the letter's current one.
pub async fn withdraw_letter(
    db: &Db,
    actor: &Actor,
    scope: &Scope,
    id: i64,
    reason: &str,
    version: Option<i64>,
) -> Result<Letter> {
    let l = letter(db, scope, id).await?;
    // Only the office whose scope holds the unit withdraws (the addressee body reads it only).
    unit(db, scope, l.round_unit_id).await?;
    l.state.check_withdraw()?;
    if version.is_some_and(|v| v != l.version) {
        return Err(StoreError::StaleVersion);
    }
    let now = db.now();
    let unit_org: OrgId = crate::on_db!(db, p => {
        sqlx::query_scalar("SELECT org_id FROM round_units WHERE id = $1").bind(l.round_unit_id.get()).fetch_one(p).await?
    });
    let addressee = l.addressee_org_id.unwrap_or(unit_org);
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let n = sqlx::query("UPDATE letters SET state = 'withdrawn', withdrawn_at = $1, withdrawn_by = $2, withdrawn_by_name = $3, withdraw_reason = $4, \
                             version = version + 1 WHERE id = $5 AND state = 'issued' AND version = $6")
            .bind(now).bind(actor.user_id).bind(&actor.display_name).bind(reason).bind(id).bind(l.version)
            .execute(&mut *tx).await?.rows_affected();
        if n == 0 {
            return Err(StoreError::StaleVersion);
        }
        for fid in l.finding_ids() {
            let st: Option<String> = sqlx::query_scalar("SELECT state FROM findings WHERE id = $1").bind(fid).fetch_optional(&mut *tx).await?;
            if let Some(st) = st {
                crate::event_append!(db, tx, "finding", fid, actor, Some(st.as_str()), st.as_str(), Msg::new("event.letter_withdrawn").arg("letter", &l.letter_name).arg("doc_no", &l.doc_no).arg("reason", reason).render());
            }
        }
        let recipients: Vec<i64> = sqlx::query_scalar(if addressee == unit_org { UNIT_WRITERS } else { ADDRESSEE_READERS })
            .bind(addressee).bind(false).fetch_all(&mut *tx).await?;
        notify!(db, tx, &recipients, "letter", Msg::new("notice.letter_withdrawn_title").arg("letter", &l.letter_name).render(), Msg::new("notice.letter_withdrawn_body").arg("doc_no", &l.doc_no).arg("org", &l.org_name).arg("reason", reason).render(),
            Some(letter_link(id, addressee == unit_org, &l.finding_ids())), Some(format!("letter-withdrawn:{}", l.doc_no)));
        crate::audit_append!(db, tx, actor, &Event::op("rect.letter_withdraw", "letter", id, Msg::new("audit.rect_letter_withdraw").arg("letter", &l.letter_name).arg("doc_no", &l.doc_no).arg("addressee", &l.addressee_name).arg("reason", reason).render()));
        tx.commit().await?;
    });
    letter(db, &Scope::unrestricted(), id).await
}

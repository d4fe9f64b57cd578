//! Rectification storage: settings and the calendar

#[allow(clippy::wildcard_imports)]
use super::*;

pub(super) const SETTINGS_KEY: &str = "rect.settings";

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct SettingsJson {
    review_bodies: Vec<String>,
    yellow_within: i64,
    plan_due_working_days: i64,
    long_term_report_months: i64,
    letter_ladder: Vec<RungJson>,
}

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct RungJson {
    code: String,
    name: String,
    after_overdue_days: i64,
}

pub(super) fn parse_settings(text: &str) -> Result<RectSettings> {
    let j: SettingsJson = serde_json::from_str(text)
        .map_err(|e| StoreError::Corrupt(format!("{SETTINGS_KEY}: {e}")))?;
    Ok(RectSettings {
        review_bodies: j.review_bodies,
        yellow_within: j.yellow_within,
        plan_due_working_days: j.plan_due_working_days,
        long_term_report_months: j.long_term_report_months,
        letter_ladder: j
            .letter_ladder
            .into_iter()
            .map(|r| xuncha_domain::rectification::LetterRung {
                code: r.code,
                name: r.name,
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    })
}

pub(super) fn settings_of(g: &settings::Group) -> Result<RectSettings> {
    match g.get(SETTINGS_KEY) {
        Some(text) => parse_settings(text),
        None => Ok(RectSettings::default()),
    }
}

/// The rectification settings of `office` (its own, else its nearest ancestor's, else the
/// defaults) and the version of the office's own row (0 while it inherits).
pub async fn settings(db: &Db, office: OrgId) -> Result<(RectSettings, i64)> {
    let (s, g) = settings_with_source(db, office).await?;
    Ok((s, g.version))
}

/// [`settings`] with where they come from.
pub async fn settings_with_source(
    db: &Db,
    office: OrgId,
) -> Result<(RectSettings, settings::Group)> {
    let g = settings::group(db, office, &[SETTINGS_KEY]).await?;
    Ok((settings_of(&g)?, g))
}

/// Saves `office`'s own rectification settings (`version` 0 when it inherits until now).
pub async fn save_settings(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    s: &RectSettings,
    version: i64,
) -> Result<(RectSettings, i64)> {
    s.validate()?;
    let j = SettingsJson {
        review_bodies: s
            .review_bodies
            .iter()
            .map(|b| b.trim().to_string())
            .filter(|b| !b.is_empty())
            .collect(),
        yellow_within: s.yellow_within,
        plan_due_working_days: s.plan_due_working_days,
        long_term_report_months: s.long_term_report_months,
        letter_ladder: s
            .letter_ladder
            .iter()
            .map(|r| RungJson {
                code: r.code.trim().to_string(),
                name: r.name.trim().to_string(),
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    };
    let text = serde_json::to_string(&j).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    settings::save_group(
        db,
        actor,
        office,
        &[(SETTINGS_KEY, text)],
        Some(version),
        "rect.settings",
        &Msg::new("audit.rect_settings_update")
            .arg("days", s.yellow_within)
            .render(),
    )
    .await?;
    settings(db, office).await
}

/// Drops `office`'s own rectification settings: it inherits again. False when it had none.
pub async fn inherit_settings(db: &Db, actor: &Actor, office: OrgId) -> Result<bool> {
    settings::drop_group(
        db,
        actor,
        office,
        &[SETTINGS_KEY],
        "rect.settings",
        &Msg::new("audit.rect_settings_inherit").render(),
    )
    .await
}

/// One office's rectification settings, calendar and last yellow day.
#[derive(Debug, Clone)]
pub struct RectOffice {
    pub settings: RectSettings,
    pub calendar: Calendar,
    pub yellow_until: Date,
}

impl RectOffice {
    fn new(settings: RectSettings, calendar: Calendar, today: Date) -> Self {
        let yellow_until =
            calendar.add_working_days(today, u32::try_from(settings.yellow_within).unwrap_or(5));
        RectOffice {
            settings,
            calendar,
            yellow_until,
        }
    }
}

/// The rectification settings of every office a list can show, loaded once per request: each
/// ledger row takes its own office's (the office that ran the round), never the viewer's.
#[derive(Debug, Clone)]
pub struct RectBook {
    pub today: Date,
    /// The viewer's office (used for a row of an office not loaded, which does not happen).
    pub own: RectOffice,
    offices: HashMap<OrgId, RectOffice>,
}

impl RectBook {
    /// The settings of `office`.
    pub fn office(&self, office: OrgId) -> &RectOffice {
        self.offices.get(&office).unwrap_or(&self.own)
    }

    /// The latest last-yellow day of all offices (what the scheduler must look at).
    pub fn latest_yellow_until(&self) -> Date {
        self.offices
            .values()
            .map(|o| o.yellow_until)
            .fold(self.own.yellow_until, Date::max)
    }

    /// Every office loaded, with its settings.
    pub fn offices(&self) -> impl Iterator<Item = (&OrgId, &RectOffice)> {
        self.offices.iter()
    }

    /// The dates the ledger's warning filters need, per office.
    pub fn dates(&self) -> Today {
        Today {
            today: self.today,
            yellow_until: self.own.yellow_until,
            by_office: self
                .offices
                .iter()
                .filter(|(_, o)| o.yellow_until != self.own.yellow_until)
                .map(|(id, o)| (*id, o.yellow_until))
                .collect(),
        }
    }
}

/// The [`RectBook`] of every office that runs a round, with `own` (the viewer's office): four
/// queries however many offices.
pub async fn book(db: &Db, own: OrgId, today: Date) -> Result<RectBook> {
    let chains = settings::running_offices(db, own).await?;
    let rows = settings::rows_on(db, &chains, &[SETTINGS_KEY]).await?;
    let days = holidays_on(db, &chains).await?;
    let mut offices = HashMap::new();
    for (id, chain) in &chains {
        let g = settings::resolve(*id, chain, &rows, &[SETTINGS_KEY]);
        let cal = Calendar::new(
            merge_days(chain, days.iter().map(|(o, d, k)| (*o, *d, *k)))
                .into_iter()
                .map(|(d, k, _)| (d, k)),
        );
        offices.insert(*id, RectOffice::new(settings_of(&g)?, cal, today));
    }
    let own = match offices.get(&own) {
        Some(o) => o.clone(),
        None => RectOffice::new(RectSettings::default(), Calendar::default(), today),
    };
    Ok(RectBook {
        today,
        own,
        offices,
    })
}

/// The settings, calendar and dates of one office (a unit's: the office that runs its round).
pub async fn office_today(db: &Db, office: OrgId, today: Date) -> Result<(Today, RectOffice)> {
    let (s, _) = settings(db, office).await?;
    let cal = calendar(db, office).await?;
    let o = RectOffice::new(s, cal, today);
    Ok((
        Today {
            today,
            yellow_until: o.yellow_until,
            by_office: Vec::new(),
        },
        o,
    ))
}

/// The office that runs a round unit's round.
pub async fn unit_office(db: &Db, round_unit_id: RoundUnitId) -> Result<OrgId> {
    let o: Option<OrgId> = crate::on_db!(db, p => sqlx::query_scalar("SELECT owner_org_id FROM round_units WHERE id = $1").bind(round_unit_id.get()).fetch_optional(p).await?);
    o.ok_or(StoreError::NotFound)
}

/// One day of an office's effective calendar and the office that listed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Holiday {
    pub day: Date,
    pub kind: String,
    pub name: String,
    pub org_id: OrgId,
    pub org_name: String,
}

pub(super) fn day_kind(kind: &str) -> DayKind {
    if kind == "workday" {
        DayKind::Workday
    } else {
        DayKind::Holiday
    }
}

/// The effective calendar of `office` (optionally one year): the days every office on its chain
/// listed, the nearest office's entry winning a day. One query.
pub async fn holidays(db: &Db, office: OrgId, year: Option<i32>) -> Result<Vec<Holiday>> {
    #[derive(FromRow)]
    struct HolidayRow {
        path: String,
        org_id: OrgId,
        org_name: String,
        day: Date,
        kind: String,
        name: String,
    }
    let rows: Vec<HolidayRow> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new(
            "SELECT o.path, h.org_id, so.name AS org_name, h.day, h.kind, h.name FROM holidays h JOIN organisations so ON so.id = h.org_id \
             JOIN organisations o ON o.path LIKE so.path || '%' WHERE o.id = ");
        qb.push_bind(office);
        if let Some(y) = year {
            let from = Date::from_calendar_date(y, time::Month::January, 1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let to = Date::from_calendar_date(y + 1, time::Month::January, 1).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            qb.push(" AND h.day >= ").push_bind(from).push(" AND h.day < ").push_bind(to);
        }
        qb.build_query_as::<HolidayRow>().fetch_all(p).await?
    });
    let chain = rows
        .first()
        .and_then(|r| xuncha_domain::org::OrgPath::parse(&r.path))
        .map(|p| p.ids())
        .unwrap_or_default();
    let merged = merge_days(
        &chain,
        rows.iter().map(|r| {
            (
                r.org_id,
                r.day,
                (r.kind.as_str(), r.name.as_str(), r.org_name.as_str()),
            )
        }),
    );
    Ok(merged
        .into_iter()
        .map(|(day, (kind, name, org_name), org_id)| Holiday {
            day,
            kind: kind.to_string(),
            name: name.to_string(),
            org_id,
            org_name: org_name.to_string(),
        })
        .collect())
}

/// The days listed by the organisations on `chains`, in one query.
pub(super) async fn holidays_on(
    db: &Db,
    chains: &HashMap<OrgId, Vec<OrgId>>,
) -> Result<Vec<(OrgId, Date, DayKind)>> {
    let mut ids: Vec<OrgId> = chains.values().flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows: Vec<(OrgId, Date, String)> = crate::on_db!(db, p => {
        let mut qb = QueryBuilder::new("SELECT org_id, day, kind FROM holidays WHERE org_id IN (");
        let mut sep = qb.separated(", ");
        for o in &ids {
            sep.push_bind(*o);
        }
        qb.push(")");
        qb.build_query_as().fetch_all(p).await?
    });
    Ok(rows
        .into_iter()
        .map(|(o, d, k)| (o, d, day_kind(&k)))
        .collect())
}

/// Replaces the listed days of `office`'s own calendar (an import is all or nothing; the caller
/// validated every row). The calendars of other offices, the parent's too, are untouched.
pub async fn import_holidays(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    days: &[(Date, DayKind, String)],
) -> Result<usize> {
    crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let office_name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let office_name = office_name.ok_or(StoreError::NotFound)?;
        for (d, k, name) in days {
            sqlx::query("INSERT INTO holidays (org_id, day, kind, name) VALUES ($1, $2, $3, $4) ON CONFLICT (org_id, day) DO UPDATE SET kind = excluded.kind, name = excluded.name")
                .bind(office).bind(*d).bind(k.code()).bind(name).execute(&mut *tx).await?;
        }
        crate::audit_append!(db, tx, actor, &Event::op("rect.holidays", "holidays", office, Msg::new("audit.rect_holidays_import").arg("office", &office_name).arg("count", days.len()).render()));
        tx.commit().await?;
    });
    Ok(days.len())
}

/// Drops `office`'s own calendar days (of one year, or all): it follows its parents' again.
pub async fn drop_holidays(
    db: &Db,
    actor: &Actor,
    office: OrgId,
    year: Option<i32>,
) -> Result<u64> {
    let range = match year {
        Some(y) => Some((
            Date::from_calendar_date(y, time::Month::January, 1)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            Date::from_calendar_date(y + 1, time::Month::January, 1)
                .map_err(|e| StoreError::Corrupt(e.to_string()))?,
        )),
        None => None,
    };
    let n = crate::on_db!(db, p => {
        let mut tx = db.write(p).await?;
        let office_name: Option<String> = sqlx::query_scalar("SELECT name FROM organisations WHERE id = $1").bind(office).fetch_optional(&mut *tx).await?;
        let office_name = office_name.ok_or(StoreError::NotFound)?;
        let n = match range {
            Some((from, to)) => sqlx::query("DELETE FROM holidays WHERE org_id = $1 AND day >= $2 AND day < $3")
                .bind(office).bind(from).bind(to).execute(&mut *tx).await?.rows_affected(),
            None => sqlx::query("DELETE FROM holidays WHERE org_id = $1").bind(office).execute(&mut *tx).await?.rows_affected(),
        };
        if n > 0 {
            let what = year.map_or_else(String::new, |y| Msg::new("audit.year").arg("year", y).render());
            crate::audit_append!(db, tx, actor, &Event::op("rect.holidays", "holidays", office, Msg::new("audit.rect_holidays_drop").arg("office", &office_name).arg("year", &what).arg("count", n).render()));
        }
        tx.commit().await?;
        n
    });
    Ok(n)
}

/// The working-day calendar of `office`.
pub async fn calendar(db: &Db, office: OrgId) -> Result<Calendar> {
    let rows = holidays(db, office, None).await?;
    Ok(Calendar::new(
        rows.into_iter().map(|h| (h.day, day_kind(&h.kind))),
    ))
}

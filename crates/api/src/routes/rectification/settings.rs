//! Rectification routes: settings and holidays.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterRungDto {
    pub code: String,
    pub name: String,
    pub after_overdue_days: i64,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RectSettingsDto {
    pub review_bodies: Vec<String>,
    pub yellow_within: i64,
    pub plan_due_working_days: i64,
    pub long_term_report_months: i64,
    pub letter_ladder: Vec<LetterRungDto>,
    /// The version of the caller's office's own settings (0 while it inherits); a save with 0
    /// creates the office's own settings.
    pub version: i64,
    /// Where the values come from (read only; ignored in a save, which always writes the
    /// caller's own office's settings).
    #[serde(default)]
    pub source: Option<SettingsSource>,
}

pub(super) fn settings_dto(s: RectSettings, g: &xuncha_store::settings::Group) -> RectSettingsDto {
    RectSettingsDto {
        review_bodies: s.review_bodies,
        yellow_within: s.yellow_within,
        plan_due_working_days: s.plan_due_working_days,
        long_term_report_months: s.long_term_report_months,
        letter_ladder: s
            .letter_ladder
            .into_iter()
            .map(|r| LetterRungDto {
                code: r.code,
                name: r.name,
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
        version: g.version,
        source: Some(source_dto(g)),
    }
}

pub(super) async fn settings_of(
    st: &AppState,
    office: OrgId,
) -> ApiResult<axum::Json<RectSettingsDto>> {
    let (s, g) = store::settings_with_source(&st.db, office).await?;
    Ok(axum::Json(settings_dto(s, &g)))
}

/// Rectification settings of the caller's office (its own, else inherited from the nearest
/// office above, else the defaults): reviewing bodies, warning threshold, time limits,
/// escalation ladder, and where they come from.
#[utoipa::path(get, operation_id = "rect_settings", path = "/api/v1/rect/settings", tag = "rect",
    responses((status = 200, body = RectSettingsDto)))]
pub(super) async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<RectSettingsDto>> {
    settings_of(&st, office(&auth)).await
}

/// Saves the caller's own office's rectification settings (never a parent's or another
/// office's); the offices below without their own inherit them.
#[utoipa::path(put, operation_id = "rect_settings_save", path = "/api/v1/rect/settings", tag = "rect",
    request_body = RectSettingsDto, responses((status = 200, body = RectSettingsDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
pub(super) async fn put_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiJson(b): ApiJson<RectSettingsDto>,
) -> ApiResult<axum::Json<RectSettingsDto>> {
    let s = RectSettings {
        review_bodies: b.review_bodies,
        yellow_within: b.yellow_within,
        plan_due_working_days: b.plan_due_working_days,
        long_term_report_months: b.long_term_report_months,
        letter_ladder: b
            .letter_ladder
            .into_iter()
            .map(|r| LetterRung {
                code: r.code,
                name: r.name,
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    };
    store::save_settings(&st.db, &auth.actor, office(&auth), &s, b.version).await?;
    settings_of(&st, office(&auth)).await
}

/// Drops the caller's office's own rectification settings (恢复继承): it inherits again.
#[utoipa::path(delete, operation_id = "rect_settings_inherit", path = "/api/v1/rect/settings", tag = "rect",
    responses((status = 200, body = RectSettingsDto)))]
pub(super) async fn inherit_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
) -> ApiResult<axum::Json<RectSettingsDto>> {
    store::inherit_settings(&st.db, &auth.actor, office(&auth)).await?;
    settings_of(&st, office(&auth)).await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidayDto {
    pub date: String,
    /// holiday | workday
    #[schema(value_type = crate::codes::HolidayKind)]
    pub kind: String,
    pub name: String,
    /// The office that listed the day (the caller's own, or an office above it).
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    /// Whether the caller's own office listed it (else it is inherited).
    pub own: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

pub(super) fn check_year(year: Option<i32>) -> ApiResult<()> {
    if year.is_some_and(|y| !xuncha_domain::limits::year_ok(y)) {
        return Err(ApiError::field(
            "year",
            &Msg::new("validation.out_of_range")
                .arg("field", "field.year")
                .arg("min", xuncha_domain::limits::MIN_YEAR)
                .arg("max", xuncha_domain::limits::MAX_YEAR),
        ));
    }
    Ok(())
}

/// The caller's office's holiday calendar (放假 and 调休上班 days): the days every office from
/// the province down to it listed, the nearest office's entry winning a day; each day names the
/// office it comes from.
#[utoipa::path(get, operation_id = "rect_holidays", path = "/api/v1/rect/holidays", tag = "rect", params(YearQuery),
    responses((status = 200, body = Vec<HolidayDto>)))]
pub(super) async fn list_holidays(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<axum::Json<Vec<HolidayDto>>> {
    check_year(q.year)?;
    let own = office(&auth);
    Ok(axum::Json(
        store::holidays(&st.db, own, q.year)
            .await?
            .into_iter()
            .map(|h| HolidayDto {
                date: date_str(h.day),
                kind: h.kind,
                name: h.name,
                own: h.org_id == own,
                org_id: h.org_id,
                org_name: h.org_name,
            })
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HolidaysDropped {
    /// Days of the office's own calendar removed.
    pub removed: u64,
}

/// Drops the caller's office's own calendar days (of `year`, or all): it follows the calendar
/// of the offices above again (恢复继承). Other offices' days are untouched.
#[utoipa::path(delete, operation_id = "rect_holidays_inherit", path = "/api/v1/rect/holidays", tag = "rect", params(YearQuery),
    responses((status = 200, body = HolidaysDropped), (status = 422, body = crate::error::Problem)))]
pub(super) async fn drop_holidays(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<axum::Json<HolidaysDropped>> {
    check_year(q.year)?;
    let removed = store::drop_holidays(&st.db, &auth.actor, office(&auth), q.year).await?;
    Ok(axum::Json(HolidaysDropped { removed }))
}

/// Parses a holiday list (columns 日期, 类型, 名称).
pub fn parse_holidays(
    table: &xuncha_office::Table,
) -> Result<Vec<(Date, dom::DayKind, String)>, Vec<xuncha_store::orgs::RowError>> {
    use xuncha_office::Table;
    use xuncha_store::orgs::RowError;
    let [c_date, c_kind, c_name] = crate::routes::import_columns(
        table,
        [
            ("column.holiday.date", true),
            ("column.holiday.kind", true),
            ("column.holiday.name", false),
        ],
    )?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in &table.rows {
        let d = xuncha_office_date(Table::cell(cells, c_date))
            .and_then(|s| parse_date("date", &s).ok());
        let k = dom::parse_day_kind(Table::cell(cells, c_kind));
        if d.is_none() {
            errors.push(RowError {
                row: *row,
                column: Msg::new("column.holiday.date").render(),
                msg: Msg::new("validation.unknown_value")
                    .arg("field", xuncha_domain::i18n::text("column.holiday.date"))
                    .arg("value", Table::cell(cells, c_date))
                    .arg("allowed", "YYYY-MM-DD"),
            });
        }
        if k.is_none() {
            errors.push(RowError {
                row: *row,
                column: Msg::new("column.holiday.kind").render(),
                msg: Msg::new("validation.unknown_value")
                    .arg("field", xuncha_domain::i18n::text("column.holiday.kind"))
                    .arg("value", Table::cell(cells, c_kind))
                    .arg(
                        "allowed",
                        xuncha_domain::i18n::text("import.allowed_day_kinds"),
                    ),
            });
        }
        if let (Some(d), Some(k)) = (d, k) {
            out.push((
                d,
                k,
                Table::cell(cells, c_name).trim().chars().take(50).collect(),
            ));
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(errors)
    }
}

/// Imports the year's holiday list into the caller's own office's calendar (all or nothing):
/// the province's is the national calendar for all below, a county adds its local days.
#[utoipa::path(post, operation_id = "rect_holidays_import", path = "/api/v1/rect/holidays/import", tag = "rect",
    request_body(content = crate::routes::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 422, body = crate::error::Problem)))]
pub(super) async fn import_holidays(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    upload: crate::routes::Upload,
) -> ApiResult<axum::Json<ImportResult>> {
    let days = crate::routes::off_runtime(move |cancel| {
        let table = crate::routes::read_upload_table(&upload.name, &upload.bytes, cancel)?;
        parse_holidays(&table).map_err(|e| ApiError::rows(&e))
    })
    .await?;
    let n = store::import_holidays(&st.db, &auth.actor, office(&auth), &days).await?;
    Ok(axum::Json(ImportResult { imported: n }))
}

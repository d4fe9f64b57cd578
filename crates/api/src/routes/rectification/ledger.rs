//! Rectification routes: ledger.

#[allow(clippy::wildcard_imports)]
use super::*;
use xuncha_domain::ids::OrgId;
use xuncha_store::rectification::{LedgerKey, LedgerSeek};

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerRowDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub round_unit_id: i64,
    #[schema(value_type = i64)]
    pub org_id: OrgId,
    pub org_name: String,
    pub category_name: Option<String>,
    pub title: String,
    #[schema(value_type = crate::codes::FindingState)]
    pub state: String,
    pub state_name: String,
    #[schema(value_type = Option<crate::codes::Outcome>)]
    pub outcome: Option<String>,
    pub outcome_name: Option<String>,
    pub explanation: Option<String>,
    pub deadline: Option<String>,
    /// The next due date: the earliest deadline of the open measures (the colour follows it).
    pub due_date: Option<String>,
    pub original_deadline: Option<String>,
    pub extensions: i64,
    /// green | yellow | red; null when closed or without a deadline.
    #[schema(value_type = Option<crate::codes::Warning>)]
    pub warning: Option<String>,
    /// Working days past the deadline (0 when not overdue).
    pub overdue_days: i64,
    pub measure_count: i64,
    pub progress_count: i64,
    pub last_progress_on: Option<String>,
    pub closed_on: Option<String>,
    pub letter_count: i64,
    pub version: i64,
}

/// A ledger row, its warning colour from the settings and calendar of its own office `o`.
pub(super) fn row_dto(r: LedgerRow, today: Date, o: &store::RectOffice) -> LedgerRowDto {
    let (cfg, cal) = (&o.settings, &o.calendar);
    // Closed and long-term items have no warning colour: their deadline no longer runs.
    let closed = r.state == FindingState::Closed || r.state == FindingState::LongTerm;
    // Every measure's deadline is watched: the colour follows the next due date.
    let due = r.due_date.or(r.deadline);
    let warning = due.and_then(|d| cfg.warning_policy().colour(d, today, cal, closed));
    let overdue_days = match (warning, due) {
        (Some(Warning::Red), Some(d)) => cal.working_days_between(d, today).max(1),
        _ => 0,
    };
    LedgerRowDto {
        state_name: r.state.label().to_string(),
        outcome_name: r
            .outcome
            .as_deref()
            .map(|o| label(o, Outcome::from_code, Outcome::label)),
        warning: warning.map(|w| w.code().to_string()),
        overdue_days,
        id: r.id.get(),
        round_id: r.round_id,
        round_name: r.round_name,
        round_unit_id: r.round_unit_id.get(),
        org_id: r.org_id,
        org_name: r.org_name,
        category_name: r.category_name,
        title: r.title,
        state: r.state.code().to_string(),
        outcome: r.outcome,
        explanation: r.explanation,
        deadline: r.deadline.map(date_str),
        due_date: due.map(date_str),
        original_deadline: r.original_deadline.map(date_str),
        extensions: r.extensions,
        measure_count: r.measure_count,
        progress_count: r.progress_count,
        last_progress_on: r.last_progress_on.map(date_str),
        closed_on: r.closed_on.map(date_str),
        letter_count: r.letter_count,
        version: r.version,
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    #[param(value_type = Option<i64>)]
    pub org_id: Option<OrgId>,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    #[param(value_type = Option<crate::codes::FindingState>)]
    pub state: Option<String>,
    /// green | yellow | red
    #[param(value_type = Option<crate::codes::Warning>)]
    pub warning: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// unit (default: everything in the caller's scope) | office (rounds run by the caller's
    /// organisation) | attention (the leader's "needs attention")
    #[param(value_type = Option<crate::codes::LedgerView>)]
    pub view: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl LedgerQuery {
    pub(crate) fn filter(&self, auth: &Auth) -> ApiResult<LedgerFilter> {
        let warning = match self.warning.as_deref().map(str::trim) {
            None | Some("") => None,
            Some("red") => Some(WarningBand::Red),
            Some("yellow") => Some(WarningBand::Yellow),
            Some("green") => Some(WarningBand::Green),
            Some(v) => {
                return Err(ApiError::field(
                    "warning",
                    &Msg::new("validation.unknown_value")
                        .arg("field", "field.warning")
                        .arg("value", v)
                        .arg("allowed", "green, yellow, red"),
                ));
            }
        };
        Ok(LedgerFilter {
            org_id: self.org_id,
            round_id: self.round_id,
            round_unit_id: self.round_unit_id,
            state: self.state.clone(),
            category_id: self.category_id,
            q: self.q.clone(),
            warning,
            attention: self.view.as_deref() == Some("attention"),
            owner_org_id: (self.view.as_deref() == Some("office")).then_some(auth.user.org_id),
        })
    }
}

/// Where to read a ledger page by key instead of by page number (GET /rect/ledger only).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LedgerCursorQuery {
    /// The `next` of a page: the page after it, read from the ledger index at the same cost at
    /// any depth (`page` is then ignored; the cursor knows its page number and total). Opaque.
    pub after: Option<String>,
    /// The `prev` of a page: the page before it. Opaque.
    pub before: Option<String>,
}

/// A page cursor: the page it was taken on, the total counted when the walk began, and the key
/// of that page's first (`prev`) or last (`next`) row. Written `page.total.deadline.id`, the
/// deadline as `YYYYMMDD` or `-` for none; clients pass it back unread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Cursor {
    pub page: i64,
    pub total: i64,
    pub key: LedgerKey,
}

impl Cursor {
    pub(crate) fn encode(&self) -> String {
        let deadline = self.key.deadline.map_or_else(
            || "-".to_string(),
            |d| format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day()),
        );
        format!(
            "{}.{}.{deadline}.{}",
            self.page,
            self.total,
            self.key.id.get()
        )
    }

    pub(crate) fn decode(text: &str) -> Option<Cursor> {
        let mut parts = text.trim().split('.');
        let (page, total, deadline, id) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        if parts.next().is_some() {
            return None;
        }
        let number = |s: &str| {
            s.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0 && s.bytes().all(|b| b.is_ascii_digit()))
        };
        let deadline = match deadline {
            "-" => None,
            d if d.len() == 8 && d.bytes().all(|b| b.is_ascii_digit()) => {
                let month = time::Month::try_from(d[4..6].parse::<u8>().ok()?).ok()?;
                Some(
                    Date::from_calendar_date(d[..4].parse().ok()?, month, d[6..].parse().ok()?)
                        .ok()?,
                )
            }
            _ => return None,
        };
        Some(Cursor {
            page: number(page).filter(|p| *p >= 1)?,
            total: number(total)?,
            key: LedgerKey {
                deadline,
                id: FindingId::new(number(id).filter(|i| *i >= 1)?),
            },
        })
    }

    /// The cursor named `field`, or a 400 naming it.
    fn parse(field: &'static str, text: &str) -> ApiResult<Cursor> {
        Cursor::decode(text).ok_or_else(|| {
            ApiError::bad_param(
                field,
                &Msg::new("validation.bad_cursor").arg("field", format!("field.{field}")),
            )
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerRowDto>,
    /// The rows matching the filter: counted for a page asked by number, carried by the cursor
    /// for a page asked by key (the count when the walk began, raised if the walk finds more).
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
    /// The cursor of the next page (`after=`), null on the last page.
    pub next: Option<String>,
    /// The cursor of the previous page (`before=`), null on page 1.
    pub prev: Option<String>,
}

/// The 整改台账 in the caller's scope, in deadline order (items without a deadline last): by
/// page number (`page`), or by key from a page's `next` / `prev` cursor (`after` / `before`).
#[utoipa::path(get, operation_id = "rect_ledger", path = "/api/v1/rect/ledger", tag = "rect", params(LedgerQuery, LedgerCursorQuery),
    responses((status = 200, body = LedgerPage), (status = 400, description = "a malformed cursor", body = crate::error::Problem)))]
pub(super) async fn ledger(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
    ApiQuery(c): ApiQuery<LedgerCursorQuery>,
) -> ApiResult<axum::Json<LedgerPage>> {
    let after = c.after.as_deref().filter(|s| !s.trim().is_empty());
    let before = c.before.as_deref().filter(|s| !s.trim().is_empty());
    let (after, before) = match (after, before) {
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_param(
                "before",
                &Msg::new("validation.cursor_both")
                    .arg("after", "field.after")
                    .arg("before", "field.before"),
            ));
        }
        (a, b) => (
            a.map(|a| Cursor::parse("after", a)).transpose()?,
            b.map(|b| Cursor::parse("before", b)).transpose()?,
        ),
    };
    let paging = PageReq::new(q.page, q.page_size);
    let n = paging.page_size;
    let (seek, cursor) = match (after, before) {
        (Some(a), _) => (LedgerSeek::After(a.key, n), Some(a)),
        (_, Some(b)) => (LedgerSeek::Before(b.key, n), Some(b)),
        _ => (LedgerSeek::Page(paging), None),
    };
    let filter = q.filter(&auth)?;
    let book = book(&st, &auth).await?;
    let slice = store::ledger_seek(
        &st.db,
        &auth.scope,
        &filter,
        &book.dates(),
        seek,
        cursor.is_none(),
    )
    .await
    .map_err(not_found())?;
    let page = match (after, before) {
        (Some(a), _) => a.page.saturating_add(1),
        (_, Some(b)) if slice.more_before => (b.page - 1).max(2),
        (_, Some(_)) => 1,
        _ => paging.page,
    };
    let shown = i64::try_from(slice.items.len()).unwrap_or(i64::MAX);
    let total = match (slice.total, cursor) {
        (Some(total), _) => total,
        // A walk that finds more rows than were counted raises the total, so the pager still
        // offers the next page.
        (None, Some(c)) => c.total.max(
            (page - 1)
                .saturating_mul(n)
                .saturating_add(shown)
                .saturating_add(i64::from(slice.more_after)),
        ),
        (None, None) => 0,
    };
    let at = |r: Option<&LedgerRow>| {
        r.map(|r| {
            Cursor {
                page,
                total,
                key: r.key(),
            }
            .encode()
        })
    };
    let next = at(slice.items.last().filter(|_| slice.more_after));
    let prev = at(slice.items.first().filter(|_| slice.more_before));
    Ok(axum::Json(LedgerPage {
        items: slice
            .items
            .into_iter()
            .map(|r| {
                let o = book.office(r.owner_org_id);
                row_dto(r, book.today, o)
            })
            .collect(),
        total,
        page,
        page_size: n,
        next,
        prev,
    }))
}

pub(super) const LEDGER_HEADERS: [&str; 16] = [
    "column.seq",
    "column.rect.unit",
    "column.rect.problem",
    "column.rect.category",
    "column.rect.measure",
    "column.rect.leader",
    "column.rect.lead_dept",
    "column.rect.co_depts",
    "column.rect.deadline",
    "column.rect.original_deadline",
    "column.rect.extensions",
    "column.rect.state",
    "column.rect.outcome",
    "column.rect.latest_progress",
    "column.rect.evidence_count",
    "column.rect.closed_on",
];

/// The ledger as .xlsx: the 台账 in the usual layout (one line per problem, its measures in
/// the cell), then the 问题清单 (one line per problem), the 任务清单 (one line per measure) and
/// the 责任清单 (by responsible leader and lead department) as further sheets.
#[utoipa::path(get, operation_id = "rect.ledger.export", path = "/api/v1/rect/ledger/export", tag = "rect", params(LedgerQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
pub(super) async fn ledger_export(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<axum::response::Response> {
    let t = book(&st, &auth).await?.dates();
    let f = q.filter(&auth)?;
    let (file, items) = super::export::ledger_workbook(&st, &auth, &f, &t).await?;
    // An export is audited like a write: who took which part of the ledger, how many items.
    let ev = xuncha_store::audit::Event::read(
        "rect.ledger.export",
        "ledger",
        f.org_id.unwrap_or(OrgId::new(0)),
        Msg::new("audit.rect_ledger_export")
            .arg("count", items)
            .render(),
    );
    xuncha_store::audit::record_event(&st.db, &auth.actor, &ev).await?;
    crate::routes::streamed::file_download(
        XLSX,
        "ledger.xlsx",
        xuncha_domain::i18n::text("file.rect_ledger_xlsx"),
        file,
    )
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResult {
    pub imported: usize,
}

/// Parses an imported ledger: every bad cell is reported by row and column.
pub fn parse_ledger_import(
    table: &xuncha_office::Table,
    categories: &[(i64, String)],
    cal: &dom::Calendar,
    start: Date,
) -> Result<Vec<store::ImportRow>, Vec<xuncha_store::orgs::RowError>> {
    use xuncha_office::Table;
    use xuncha_store::orgs::RowError;
    let [
        c_title,
        c_cat,
        c_measure,
        c_leader,
        c_lead,
        c_co,
        c_deadline,
        c_state,
    ] = crate::routes::import_columns(
        table,
        [
            ("column.rect.problem", true),
            ("column.rect.category", false),
            ("column.rect.measure", true),
            ("column.rect.leader", true),
            ("column.rect.lead_dept", true),
            ("column.rect.co_depts", false),
            ("column.rect.deadline", true),
            ("column.rect.state", true),
        ],
    )?;
    let column_of = |field: &str| {
        xuncha_domain::i18n::text(match field {
            "title" => "column.rect.problem",
            "kind" | "content" => "column.rect.measure",
            "responsible_leader" => "column.rect.leader",
            "lead_dept" => "column.rect.lead_dept",
            "deadline" => "column.rect.deadline",
            "category" => "column.rect.category",
            _ => "column.rect.state",
        })
    };
    let mut errors = Vec::new();
    let mut rows = Vec::with_capacity(table.rows.len());
    // Category names to ids, looked up once per row (the first of a repeated name wins).
    let mut category_by_name: std::collections::HashMap<&str, i64> =
        std::collections::HashMap::with_capacity(categories.len());
    for (id, n) in categories {
        category_by_name.entry(n.as_str()).or_insert(*id);
    }
    for (row, cells) in &table.rows {
        let mut errs: Vec<FieldError> = Vec::new();
        let title = xuncha_domain::error::required_text("title", Table::cell(cells, c_title), 500);
        let cat_text = Table::cell(cells, c_cat).trim();
        let category_id = if cat_text.is_empty() {
            None
        } else {
            match category_by_name.get(cat_text) {
                Some(id) => Some(*id),
                None => {
                    errs.push(FieldError::new(
                        "category",
                        Msg::new("validation.unknown_value")
                            .arg("field", xuncha_domain::i18n::text("column.rect.category"))
                            .arg("value", cat_text)
                            .arg(
                                "allowed",
                                xuncha_domain::i18n::text("import.allowed_categories"),
                            ),
                    ));
                    None
                }
            }
        };
        let deadline_text = Table::cell(cells, c_deadline).trim();
        let deadline = xuncha_office_date(deadline_text);
        let co: Vec<String> = Table::cell(cells, c_co)
            .split(['、', ',', '，', ';', '；'])
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect();
        let measure = dom::parse_measure(
            "m",
            "deadline",
            Table::cell(cells, c_measure),
            "",
            Table::cell(cells, c_leader),
            Table::cell(cells, c_lead),
            &co,
            deadline.as_deref(),
            None,
        );
        let state_text = Table::cell(cells, c_state).trim();
        let state = match state_text {
            "已完成" | "已销号" | "完成" => {
                Some((FindingState::Closed, Outcome::Completed))
            }
            "正在整改" | "整改中" | "未完成" | "" => {
                Some((FindingState::InProgress, Outcome::InProgress))
            }
            "基本完成" | "持续整改" | "长期坚持" => {
                Some((FindingState::LongTerm, Outcome::BasicallyCompleted))
            }
            _ => None,
        };
        if state.is_none() {
            errs.push(FieldError::new(
                "state",
                Msg::new("validation.unknown_value")
                    .arg("field", xuncha_domain::i18n::text("column.rect.state"))
                    .arg("value", state_text)
                    .arg(
                        "allowed",
                        xuncha_domain::i18n::text("import.allowed_ledger_states"),
                    ),
            ));
        }
        if let Err(e) = &title {
            errs.push(e.clone());
        }
        match (&measure, deadline_text.is_empty()) {
            (Err(m), _) => errs.extend(m.iter().cloned().map(|mut e| {
                e.field = e.field.trim_start_matches("m.").to_string();
                e
            })),
            (Ok(_), _) => {}
        }
        if errs.is_empty() {
            if let (Ok(title), Ok(m), Some((state, outcome))) = (title, measure, state) {
                let d = m.deadline.resolve(start, cal);
                rows.push(store::ImportRow {
                    title,
                    category_id,
                    measure: MeasureSnap {
                        kind: MeasureKind::Deadline.code().to_string(),
                        content: m.content,
                        target: m.target,
                        responsible_leader: m.responsible_leader,
                        lead_dept: m.lead_dept,
                        co_depts: m.co_depts,
                        deadline: Some(date_str(d)),
                        deadline_working_days: None,
                        resolved_deadline: Some(date_str(d)),
                    },
                    deadline: d,
                    state,
                    outcome,
                });
            }
        } else {
            errors.extend(errs.into_iter().map(|f| RowError {
                row: *row,
                column: column_of(&f.field).to_string(),
                msg: f.msg,
            }));
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

/// Dates in sheets come as `2026-05-31`, `2026/5/31`, `2026年5月31日` or an Excel serial number.
pub(super) fn xuncha_office_date(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        return None;
    }
    if let Ok(serial) = t.parse::<f64>()
        && (1.0..200_000.0).contains(&serial)
    {
        {
            #[allow(clippy::cast_possible_truncation)]
            let days = serial.trunc() as i64;
            let base = time::macros::date!(1899 - 12 - 30);
            return Some(date_str(base + time::Duration::days(days)));
        }
    }
    let norm: String = t
        .replace(['年', '月', '/', '.'], "-")
        .replace('日', "")
        .split('-')
        .map(|p| format!("{:0>2}", p.trim()))
        .collect::<Vec<_>>()
        .join("-");
    Some(norm)
}

/// Imports an existing Excel 台账 into a fed-back round unit: all or nothing, every bad cell
/// reported by row and column.
#[utoipa::path(post, operation_id = "rect_ledger_import", path = "/api/v1/rect/units/{id}/ledger/import", tag = "rect",
    params(("id" = i64, Path)), request_body(content = crate::routes::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 422, body = crate::error::Problem)))]
pub(super) async fn ledger_import(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiPath(id): ApiPath<RoundUnitId>,
    upload: crate::routes::Upload,
) -> ApiResult<axum::Json<ImportResult>> {
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let categories = store::category_ids(&st.db).await?;
    let cal = store::calendar(&st.db, u.owner_org_id).await?;
    let start = u.feedback_date.unwrap_or_else(|| st.db.today());
    // Reading and checking run off the async threads and stop when the client goes away.
    crate::routes::counted_import(async move {
        let rows = crate::routes::off_runtime(move |cancel| {
            let table = crate::routes::read_upload_table(&upload.name, &upload.bytes, cancel)?;
            drop(upload);
            cancel.check()?;
            parse_ledger_import(&table, &categories, &cal, start).map_err(|e| ApiError::rows(&e))
        })
        .await?;
        let n = store::import_ledger(&st.db, &auth.actor, &auth.scope, id, &rows, st.db.today())
            .await?;
        Ok(axum::Json(ImportResult { imported: n }))
    })
    .await
}

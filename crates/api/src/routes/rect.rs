//! Rectification (整改): the ledger, plans and their review, progress and evidence, write-off,
//! extensions, outcomes, letters, reports, settings, holidays, statistics and notifications.
//! The contract is docs/design/rectification-api.md.

use axum::extract::{Multipart, State};
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use time::Date;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::DomainError;
use xuncha_domain::FieldError;
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::letters::{self as letter_dom, LetterState};
use xuncha_domain::perm::{INSPECTION_OFFICE, RECT_REVIEW, RECT_SUPERVISE, RECT_WRITE};
use xuncha_domain::rectification::{
    self as dom, ExtensionState, LetterRung, MeasureKind, Outcome, OutcomeKind, PlanState,
    RectSettings, RectStats, ReportKind, ReviewDecision, Warning, WriteOffState,
};
use xuncha_office::docx::{Block, OfficialDoc};
use xuncha_store::PageReq;
use xuncha_store::rectification::{
    self as store, LedgerFilter, LedgerRow, MeasureSnap, StatGroup, Today, Upload, WarningBand,
};
use xuncha_store::scope::Scope;

use super::inspection::{EventDto, date_str, event_dtos, parse_date};
use super::office_settings::{SettingsSource, office, source_dto};
use super::{ApiJson, ApiPath, ApiQuery, rfc3339};
use crate::auth::{Auth, Need, RectRead, RectReview, RectSupervise, RectWrite};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(ledger))
        .routes(routes!(ledger_export))
        .routes(routes!(ledger_import))
        .routes(routes!(item))
        .routes(routes!(add_progress))
        .routes(routes!(file_download))
        .routes(routes!(archive))
        .routes(routes!(request_write_off))
        .routes(routes!(decide_write_off))
        .routes(routes!(reopen))
        .routes(routes!(measure_done))
        .routes(routes!(explain))
        .routes(routes!(request_extension))
        .routes(routes!(list_extensions))
        .routes(routes!(decide_extension))
        .routes(routes!(add_outcome))
        .routes(routes!(units))
        .routes(routes!(plan_view, save_plan))
        .routes(routes!(submit_plan))
        .routes(routes!(review_plan))
        .routes(routes!(plan_diff))
        .routes(routes!(list_reports, add_report))
        .routes(routes!(file_report))
        .routes(routes!(report_docx))
        .routes(routes!(get_settings, put_settings, inherit_settings))
        .routes(routes!(list_holidays, drop_holidays))
        .routes(routes!(import_holidays))
        .routes(routes!(list_letters, issue_letter))
        .routes(routes!(letter_suggestions))
        .routes(routes!(letter_docx))
        .routes(routes!(withdraw_letter))
        .routes(routes!(notifications))
        .routes(routes!(notification_read))
        .routes(routes!(notifications_read_all))
        .routes(routes!(
            get_notification_settings,
            put_notification_settings
        ))
        .routes(routes!(stats))
        .routes(routes!(get_clock, move_clock))
}

fn not_found() -> impl Fn(xuncha_store::StoreError) -> ApiError {
    ApiError::not_found_as("rect.not_found")
}

fn invalid(errs: Vec<FieldError>) -> ApiError {
    DomainError::Invalid(errs).into()
}

fn label<T: Copy>(code: &str, parse: fn(&str) -> Option<T>, name: fn(T) -> &'static str) -> String {
    parse(code).map_or_else(|| code.to_string(), |v| name(v).to_string())
}

fn state_name(code: &str) -> String {
    label(code, FindingState::from_code, FindingState::label)
}

/// Today and the last date still counted yellow for the office `office` (a unit's: the office
/// that runs its round), with that office's settings and calendar.
pub(super) async fn today(
    st: &AppState,
    office: i64,
) -> ApiResult<(Today, RectSettings, dom::Calendar)> {
    let (t, o) = store::office_today(&st.db, office, st.db.today()).await?;
    Ok((t, o.settings, o.calendar))
}

/// The settings of every office a list can show, once per request: each row takes those of the
/// office that runs its round, never the viewer's.
pub(super) async fn book(st: &AppState, auth: &Auth) -> ApiResult<store::RectBook> {
    Ok(store::book(&st.db, office(auth), st.db.today()).await?)
}

// ---------------------------------------------------------------------------------------------
// Ledger

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerRowDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub round_unit_id: i64,
    pub org_id: i64,
    pub org_name: String,
    pub category_name: Option<String>,
    pub title: String,
    pub state: String,
    pub state_name: String,
    pub outcome: Option<String>,
    pub outcome_name: Option<String>,
    pub explanation: Option<String>,
    pub deadline: Option<String>,
    /// The next due date: the earliest deadline of the open measures (the colour follows it).
    pub due_date: Option<String>,
    pub original_deadline: Option<String>,
    pub extensions: i64,
    /// green | yellow | red; null when closed or without a deadline.
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
fn row_dto(r: LedgerRow, today: Date, o: &store::RectOffice) -> LedgerRowDto {
    let (cfg, cal) = (&o.settings, &o.calendar);
    // Closed and long-term items have no warning colour: their deadline no longer runs.
    let closed = r.state == FindingState::Closed.code() || r.state == FindingState::LongTerm.code();
    // Every measure's deadline is watched: the colour follows the next due date.
    let due = r.due_date.or(r.deadline);
    let warning = due.and_then(|d| cfg.warning_policy().colour(d, today, cal, closed));
    let overdue_days = match (warning, due) {
        (Some(Warning::Red), Some(d)) => cal.working_days_between(d, today).max(1),
        _ => 0,
    };
    LedgerRowDto {
        state_name: state_name(&r.state),
        outcome_name: r
            .outcome
            .as_deref()
            .map(|o| label(o, Outcome::from_code, Outcome::label)),
        warning: warning.map(|w| w.code().to_string()),
        overdue_days,
        id: r.id,
        round_id: r.round_id,
        round_name: r.round_name,
        round_unit_id: r.round_unit_id,
        org_id: r.org_id,
        org_name: r.org_name,
        category_name: r.category_name,
        title: r.title,
        state: r.state,
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
    pub org_id: Option<i64>,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    pub state: Option<String>,
    /// green | yellow | red
    pub warning: Option<String>,
    pub category_id: Option<i64>,
    pub q: Option<String>,
    /// unit (default: everything in the caller's scope) | office (rounds run by the caller's
    /// organisation) | attention (the leader's "needs attention")
    pub view: Option<String>,
    pub page: Option<i64>,
    pub page_size: Option<i64>,
}

impl LedgerQuery {
    pub(super) fn filter(&self, auth: &Auth) -> ApiResult<LedgerFilter> {
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

#[derive(Debug, Serialize, ToSchema)]
pub struct LedgerPage {
    pub items: Vec<LedgerRowDto>,
    pub total: i64,
}

/// The 整改台账 in the caller's scope, in deadline order.
#[utoipa::path(get, operation_id = "rect_ledger", path = "/api/v1/rect/ledger", tag = "rect", params(LedgerQuery),
    responses((status = 200, body = LedgerPage)))]
async fn ledger(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<axum::Json<LedgerPage>> {
    let book = book(&st, &auth).await?;
    let page = store::ledger(
        &st.db,
        &auth.scope,
        &q.filter(&auth)?,
        &book.dates(),
        PageReq::new(q.page, q.page_size),
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(LedgerPage {
        items: page
            .items
            .into_iter()
            .map(|r| {
                let o = book.office(r.owner_org_id);
                row_dto(r, book.today, o)
            })
            .collect(),
        total: page.total,
    }))
}

const LEDGER_HEADERS: [&str; 16] = [
    "序号",
    "被巡察单位",
    "问题",
    "问题类别",
    "整改措施",
    "责任领导",
    "牵头部门",
    "配合部门",
    "整改时限",
    "原定时限",
    "延期次数",
    "整改状态",
    "整改成效",
    "最新进展",
    "佐证材料数",
    "销号日期",
];

/// The largest export in one file.
const MAX_EXPORT_ROWS: i64 = 200_000;

/// The ledger as .xlsx: the 台账 in the usual layout (one line per problem, its measures in
/// the cell), then the 问题清单 (one line per problem), the 任务清单 (one line per measure) and
/// the 责任清单 (by responsible leader and lead department) as further sheets.
#[utoipa::path(get, operation_id = "rect_ledger_export", path = "/api/v1/rect/ledger/export", tag = "rect", params(LedgerQuery),
    responses((status = 200, description = "xlsx workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")))]
async fn ledger_export(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<impl IntoResponse> {
    let t = book(&st, &auth).await?.dates();
    let rows = store::ledger_all(&st.db, &auth.scope, &q.filter(&auth)?, &t, MAX_EXPORT_ROWS)
        .await
        .map_err(not_found())?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut measures = Vec::new();
    for chunk in ids.chunks(500) {
        measures.extend(store::measures(&st.db, chunk).await?);
    }
    let evidence = store::evidence_counts(&st.db, &ids).await?;
    let latest = store::latest_progress(&st.db, &ids).await?;
    let mut lines: Vec<Vec<String>> = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let ms: Vec<&store::Measure> = measures.iter().filter(|m| m.finding_id == r.id).collect();
        let join = |f: &dyn Fn(&store::Measure) -> String| {
            ms.iter().map(|m| f(m)).collect::<Vec<_>>().join("\n")
        };
        lines.push(vec![
            (i + 1).to_string(),
            r.org_name.clone(),
            r.title.clone(),
            r.category_name.clone().unwrap_or_default(),
            join(&|m| m.content.clone()),
            join(&|m| m.responsible_leader.clone()),
            join(&|m| m.lead_dept.clone()),
            join(&|m| {
                serde_json::from_str::<Vec<String>>(&m.co_depts)
                    .unwrap_or_default()
                    .join("、")
            }),
            r.deadline.map(date_str).unwrap_or_default(),
            r.original_deadline.map(date_str).unwrap_or_default(),
            r.extensions.to_string(),
            state_name(&r.state),
            r.outcome
                .as_deref()
                .map(|o| label(o, Outcome::from_code, Outcome::label))
                .unwrap_or_default(),
            latest
                .iter()
                .find(|(id, _)| *id == r.id)
                .map(|(_, c)| c.clone())
                .unwrap_or_default(),
            evidence
                .iter()
                .find(|(id, _)| *id == r.id)
                .map_or(0, |(_, n)| *n)
                .to_string(),
            r.closed_on
                .filter(|_| r.state == FindingState::Closed.code())
                .map(date_str)
                .unwrap_or_default(),
        ]);
    }
    let widths = [
        6.0, 20.0, 36.0, 16.0, 40.0, 10.0, 14.0, 16.0, 12.0, 12.0, 8.0, 12.0, 12.0, 30.0, 10.0,
        12.0,
    ];
    let mut sheets = vec![xuncha_office::Sheet {
        name: "整改台账",
        headers: &LEDGER_HEADERS,
        widths: &widths,
        rows: Box::new(lines.into_iter()),
    }];
    sheets.extend(super::rect_lists::list_sheets(&rows, &measures, t.today));
    let bytes = xuncha_office::write_xlsx_sheets(sheets).map_err(|e| ApiError::internal(&e))?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6.xlsx".to_string(),
            ),
        ],
        bytes,
    ))
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
    ] = super::import_columns(
        table,
        [
            ("问题", true),
            ("问题类别", false),
            ("整改措施", true),
            ("责任领导", true),
            ("牵头部门", true),
            ("配合部门", false),
            ("整改时限", true),
            ("整改状态", true),
        ],
    )?;
    let column_of = |field: &str| match field {
        "title" => "问题",
        "kind" => "整改措施",
        "content" => "整改措施",
        "responsible_leader" => "责任领导",
        "lead_dept" => "牵头部门",
        "deadline" => "整改时限",
        "category" => "问题类别",
        _ => "整改状态",
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
                            .arg("field", "问题类别")
                            .arg("value", cat_text)
                            .arg("allowed", "已启用框架中的类别名称"),
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
                    .arg("field", "整改状态")
                    .arg("value", state_text)
                    .arg("allowed", "已完成、正在整改、基本完成、持续整改"),
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
fn xuncha_office_date(text: &str) -> Option<String> {
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
    params(("id" = i64, Path)), request_body(content = super::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 422, body = crate::error::Problem)))]
async fn ledger_import(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiPath(id): ApiPath<i64>,
    upload: super::Upload,
) -> ApiResult<axum::Json<ImportResult>> {
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let categories = store::category_ids(&st.db).await?;
    let cal = store::calendar(&st.db, u.owner_org_id).await?;
    let start = u.feedback_date.unwrap_or_else(|| st.db.today());
    // Reading and checking run off the async threads and stop when the client goes away.
    super::counted_import(async move {
        let rows = super::off_runtime(move |cancel| {
            let table = super::read_upload_table(&upload.name, &upload.bytes, cancel)?;
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

// ---------------------------------------------------------------------------------------------
// One item

#[derive(Debug, Serialize, ToSchema)]
pub struct MeasureDto {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: String,
    pub original_deadline: String,
    pub state: String,
    /// When the unit reported the measure done.
    pub done_on: Option<String>,
    /// Open and past its deadline (every measure's deadline is watched).
    pub overdue: bool,
    pub version: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct FileLinkDto {
    pub id: i64,
    pub name: String,
    /// SM3 of the bytes, hex.
    pub hash: String,
    pub size: i64,
    pub media_type: String,
    pub version_no: i64,
    pub effective_date: String,
    pub uploaded_at: String,
    pub uploaded_by_name: String,
    pub url: String,
}

fn link_dto(l: &store::FileLink) -> FileLinkDto {
    FileLinkDto {
        id: l.id,
        name: l.name.clone(),
        hash: l.hash.clone(),
        size: l.size,
        media_type: l.media_type.clone(),
        version_no: l.version_no,
        effective_date: date_str(l.effective_date),
        uploaded_at: rfc3339(l.uploaded_at),
        uploaded_by_name: l.uploaded_by_name.clone(),
        url: format!("/api/v1/rect/files/{}", l.id),
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressDto {
    pub id: i64,
    pub effective_date: String,
    pub reported_at: String,
    pub reported_by_name: String,
    pub content: String,
    pub outcome: Option<String>,
    pub files: Vec<FileLinkDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WriteOffDto {
    pub id: i64,
    pub state: String,
    pub state_name: String,
    pub outcome: String,
    pub outcome_name: String,
    pub explanation: String,
    pub requested_at: String,
    pub requested_by_name: String,
    pub decided_at: Option<String>,
    pub decided_by_name: Option<String>,
    pub reason: Option<String>,
    pub version: i64,
    pub files: Vec<FileLinkDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExtensionDto {
    pub id: i64,
    pub finding_id: i64,
    pub title: String,
    pub org_name: String,
    pub measure_id: Option<i64>,
    pub old_deadline: String,
    pub new_deadline: String,
    pub reason: String,
    pub state: String,
    pub state_name: String,
    pub requested_by_name: String,
    pub requested_at: String,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<String>,
    pub opinion: Option<String>,
}

fn extension_dto(x: store::Extension) -> ExtensionDto {
    ExtensionDto {
        state_name: label(&x.state, ExtensionState::from_code, ExtensionState::label),
        id: x.id,
        finding_id: x.finding_id,
        title: x.title,
        org_name: x.org_name,
        measure_id: x.measure_id,
        old_deadline: date_str(x.old_deadline),
        new_deadline: date_str(x.new_deadline),
        reason: x.reason,
        state: x.state,
        requested_by_name: x.requested_by_name,
        requested_at: rfc3339(x.requested_at),
        decided_by_name: x.decided_by_name,
        decided_at: x.decided_at.map(rfc3339),
        opinion: x.opinion,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeDto {
    pub id: i64,
    pub kind: String,
    pub kind_name: String,
    pub detail: String,
    pub count: i64,
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
    pub recorded_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterDto {
    pub id: i64,
    pub letter_type: String,
    pub letter_name: String,
    pub doc_no: String,
    pub round_unit_id: i64,
    pub org_name: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<String>,
    pub issued_at: String,
    pub issued_by_name: String,
    pub url: String,
    /// 主送: the organisation the letter is addressed to (the unit, or the 纪委监委 for a
    /// 问责建议函) and the name written on it.
    pub addressee_org_id: Option<i64>,
    pub addressee_name: String,
    /// `issued` (已发出) or `withdrawn` (已撤回).
    pub state: String,
    pub state_name: String,
    pub withdrawn_at: Option<String>,
    pub withdrawn_by_name: Option<String>,
    pub withdraw_reason: Option<String>,
    pub version: i64,
}

fn letter_dto(l: store::Letter) -> LetterDto {
    LetterDto {
        finding_ids: l.finding_ids(),
        url: format!("/api/v1/rect/letters/{}/docx", l.id),
        id: l.id,
        letter_type: l.letter_type,
        letter_name: l.letter_name,
        doc_no: l.doc_no,
        round_unit_id: l.round_unit_id,
        org_name: l.org_name,
        requirement: l.requirement,
        new_deadline: l.new_deadline.map(date_str),
        issued_at: rfc3339(l.issued_at),
        issued_by_name: l.issued_by_name,
        addressee_org_id: l.addressee_org_id,
        addressee_name: l.addressee_name,
        state_name: label(&l.state, LetterState::from_code, LetterState::label),
        state: l.state,
        withdrawn_at: l.withdrawn_at.map(rfc3339),
        withdrawn_by_name: l.withdrawn_by_name,
        withdraw_reason: l.withdraw_reason,
        version: l.version,
    }
}

/// Whether a letter counts as issued for the ladder (a withdrawn one does not).
fn letter_counts(l: &store::Letter) -> bool {
    LetterState::from_code(&l.state).is_none_or(LetterState::counts)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TrailStep {
    pub step: String,
    pub name: String,
    pub done: bool,
    pub at: Option<String>,
    pub detail: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectItem {
    pub row: LedgerRowDto,
    pub facts: String,
    pub basis: String,
    pub responsibility: String,
    pub measures: Vec<MeasureDto>,
    pub progress: Vec<ProgressDto>,
    pub write_offs: Vec<WriteOffDto>,
    pub extensions: Vec<ExtensionDto>,
    pub outcomes: Vec<OutcomeDto>,
    pub letters: Vec<LetterDto>,
    pub trail: Vec<TrailStep>,
    pub events: Vec<EventDto>,
    /// What the caller may do now: progress, write_off, verify, reopen, extend, outcome, explain,
    /// measure_done.
    pub actions: Vec<String>,
    /// The escalation ladder of the office that runs the item's round (its letters follow it).
    pub letter_ladder: Vec<LetterRungDto>,
}

fn measure_dto(m: store::Measure, today: Date) -> MeasureDto {
    MeasureDto {
        overdue: m.state == "OPEN" && m.deadline < today,
        done_on: m.done_on.map(date_str),
        kind_name: label(&m.kind, MeasureKind::from_code, MeasureKind::label),
        co_depts: serde_json::from_str(&m.co_depts).unwrap_or_default(),
        id: m.id,
        kind: m.kind,
        content: m.content,
        target: m.target,
        responsible_leader: m.responsible_leader,
        lead_dept: m.lead_dept,
        deadline: date_str(m.deadline),
        original_deadline: date_str(m.original_deadline),
        state: m.state,
        version: m.version,
    }
}

async fn item_dto(st: &AppState, auth: &Auth, id: i64) -> ApiResult<RectItem> {
    let row = store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let (t, o) = store::office_today(&st.db, row.owner_org_id, st.db.today()).await?;
    let state = row.state()?;
    let text = store::item_text(&st.db, id).await?;
    let files = store::item_files(&st.db, id).await?;
    let files_of = |owner: &str, oid: i64| -> Vec<FileLinkDto> {
        files
            .iter()
            .filter(|f| f.owner_type == owner && f.owner_id == oid)
            .map(link_dto)
            .collect()
    };
    let measures = store::measures(&st.db, &[id]).await?;
    let progress: Vec<ProgressDto> = store::progress(&st.db, id)
        .await?
        .into_iter()
        .map(|p| ProgressDto {
            files: files_of("progress", p.id),
            id: p.id,
            effective_date: date_str(p.effective_date),
            reported_at: rfc3339(p.reported_at),
            reported_by_name: p.reported_by_name,
            content: p.content,
            outcome: p.outcome,
        })
        .collect();
    let write_offs: Vec<WriteOffDto> = store::write_offs(&st.db, id)
        .await?
        .into_iter()
        .map(|w| WriteOffDto {
            files: files_of("write_off", w.id),
            state_name: label(&w.state, WriteOffState::from_code, WriteOffState::label),
            outcome_name: label(&w.outcome, Outcome::from_code, Outcome::label),
            id: w.id,
            state: w.state,
            outcome: w.outcome,
            explanation: w.explanation,
            requested_at: rfc3339(w.requested_at),
            requested_by_name: w.requested_by_name,
            decided_at: w.decided_at.map(rfc3339),
            decided_by_name: w.decided_by_name,
            reason: w.reason,
            version: w.version,
        })
        .collect();
    let extensions = store::extensions(&st.db, &auth.scope, Some(id), None).await?;
    let outcomes: Vec<OutcomeDto> = store::outcomes(&st.db, id)
        .await?
        .into_iter()
        .map(|o| OutcomeDto {
            kind_name: label(&o.kind, OutcomeKind::from_code, OutcomeKind::label),
            id: o.id,
            kind: o.kind,
            detail: o.detail,
            count: o.count,
            amount_fen: o.amount_fen,
            person: o.person,
            treatment: o.treatment,
            recorded_at: rfc3339(o.recorded_at),
        })
        .collect();
    let letters: Vec<LetterDto> =
        store::letters(&st.db, &Scope::unrestricted(), Some(row.round_unit_id))
            .await?
            .into_iter()
            .filter(|l| l.finding_ids().contains(&id))
            .map(letter_dto)
            .collect();
    let events = xuncha_store::inspection::events(&st.db, "finding", id).await?;
    let unit = store::unit(&st.db, &Scope::unrestricted(), row.round_unit_id).await?;
    // The clue count is compartmented like the clues: without the compartment it is left out,
    // never shown as 0.
    let clues = if auth
        .access
        .has_compartment(xuncha_domain::perm::Compartment::Clue)
    {
        Some(store::transferred_clues(&st.db, id).await?)
    } else {
        None
    };
    let plan_approved = store::plans(&st.db, row.round_unit_id)
        .await?
        .into_iter()
        .rfind(|p| p.state == PlanState::Approved.code());
    let at_of = |to: &str| {
        events
            .iter()
            .find(|e| e.to_state == to)
            .map(|e| rfc3339(e.at))
    };
    let depts: std::collections::BTreeSet<&str> =
        measures.iter().map(|m| m.lead_dept.as_str()).collect();
    let trail = vec![
        TrailStep {
            step: "report".into(),
            name: dom::TRAIL_STEPS[0].1.into(),
            done: true,
            at: at_of("CONFIRMED").or_else(|| at_of("FED_BACK")),
            detail: "经组务会确认，列入巡察报告".into(),
        },
        TrailStep {
            step: "handover".into(),
            name: dom::TRAIL_STEPS[1].1.into(),
            done: true,
            at: unit.feedback_date.map(date_str),
            detail: format!("随反馈意见交{}，列入问题清单", unit.org_name),
        },
        TrailStep {
            step: "transfer".into(),
            name: dom::TRAIL_STEPS[2].1.into(),
            done: plan_approved.is_some(),
            at: plan_approved
                .as_ref()
                .and_then(|p| p.decided_at)
                .map(rfc3339),
            detail: match clues {
                Some(n) => format!(
                    "整改任务分解到{}个牵头部门；移交问题线索{}条",
                    depts.len(),
                    n
                ),
                None => format!("整改任务分解到{}个牵头部门", depts.len()),
            },
        },
        TrailStep {
            step: "check".into(),
            name: dom::TRAIL_STEPS[3].1.into(),
            done: !progress.is_empty() || !letters.is_empty(),
            at: progress.last().map(|p| p.reported_at.clone()),
            detail: format!(
                "报告进展{}次，督办函{}份，延期{}次",
                progress.len(),
                letters.len(),
                row.extensions
            ),
        },
        TrailStep {
            step: "write_off".into(),
            name: dom::TRAIL_STEPS[4].1.into(),
            done: state == FindingState::Closed,
            at: row.closed_on.map(date_str),
            detail: match state {
                FindingState::Closed => "经核验销号".to_string(),
                FindingState::CloseRequested => "已申请销号，待核验".to_string(),
                FindingState::LongTerm => "阶段性成效，持续整改".to_string(),
                _ => "尚未销号".to_string(),
            },
        },
    ];
    let mut actions = Vec::new();
    let unit_side = auth.access.has(RECT_WRITE);
    let review = auth.access.has(RECT_REVIEW);
    if unit_side && dom::is_workable(state) {
        actions.extend(["progress", "write_off", "extend", "explain"].map(String::from));
    }
    if unit_side && matches!(state, FindingState::InProgress | FindingState::Reopened) {
        actions.push("measure_done".into());
    }
    if (unit_side || review) && state != FindingState::FedBack {
        actions.push("outcome".into());
    }
    if review && state == FindingState::CloseRequested {
        actions.push("verify".into());
    }
    if review && dom::check_reopen(state).is_ok() {
        actions.push("reopen".into());
    }
    if auth.access.has(RECT_SUPERVISE) {
        actions.push("letter".into());
    }
    Ok(RectItem {
        row: row_dto(row, t.today, &o),
        facts: text.facts,
        basis: text.basis,
        responsibility: text.responsibility,
        measures: measures
            .into_iter()
            .map(|m| measure_dto(m, t.today))
            .collect(),
        progress,
        write_offs,
        extensions: extensions.into_iter().map(extension_dto).collect(),
        outcomes,
        letters,
        trail,
        events: event_dtos(events, state_name),
        actions,
        letter_ladder: o
            .settings
            .letter_ladder
            .iter()
            .map(|r| LetterRungDto {
                code: r.code.clone(),
                name: r.name.clone(),
                after_overdue_days: r.after_overdue_days,
            })
            .collect(),
    })
}

/// One item of the ledger with its measures, progress, evidence, write-off requests, extensions,
/// outcomes, letters and its 明白账 trail.
#[utoipa::path(get, operation_id = "rect_item", path = "/api/v1/rect/findings/{id}", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = RectItem), (status = 404, body = crate::error::Problem)))]
async fn item(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<RectItem>> {
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

/// The fields and files of a multipart form.
struct Form {
    fields: Vec<(String, String)>,
    files: Vec<Upload>,
}

impl Form {
    fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

async fn read_form(mut form: Multipart) -> ApiResult<Form> {
    let unreadable = |e: axum::extract::multipart::MultipartError| {
        ApiError::field(
            "file",
            &Msg::new("import.unreadable").arg("reason", e.body_text()),
        )
    };
    let mut out = Form {
        fields: Vec::new(),
        files: Vec::new(),
    };
    let mut errs = Vec::new();
    while let Some(field) = form.next_field().await.map_err(unreadable)? {
        let name = field.name().unwrap_or_default().to_string();
        if name == "file" {
            let file_name = dom::clean_file_name(field.file_name().unwrap_or("file"));
            let bytes = field.bytes().await.map_err(unreadable)?;
            match dom::check_evidence(&file_name, &bytes) {
                Ok(media) => out.files.push(Upload {
                    name: file_name,
                    media_type: media.to_string(),
                    bytes: bytes.to_vec(),
                }),
                Err(e) => errs.push(e),
            }
        } else {
            let text = field.text().await.map_err(unreadable)?;
            out.fields.push((name, text));
        }
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(invalid(errs))
    }
}

fn required(form: &Form, name: &str, max: usize) -> Result<String, FieldError> {
    xuncha_domain::error::required_text(name, form.get(name).unwrap_or_default(), max)
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct ProgressForm {
    pub content: String,
    /// YYYY-MM-DD, not after today.
    pub effective_date: String,
    pub outcome: Option<String>,
    /// Evidence files (0..n): pdf, jpg, png, doc(x), xls(x), ofd, zip; ≤ 20 MB each.
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Created {
    pub id: i64,
}

/// Reports progress with evidence files.
#[utoipa::path(post, operation_id = "rect_progress", path = "/api/v1/rect/findings/{id}/progress", tag = "rect", params(("id" = i64, Path)),
    request_body(content = ProgressForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn add_progress(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let form = read_form(form).await?;
    let mut errs = Vec::new();
    let content = required(&form, "content", 4000)
        .map_err(|e| errs.push(e))
        .ok();
    let today = st.db.today();
    let date = match form
        .get("effective_date")
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => {
            errs.push(FieldError::required("effective_date"));
            None
        }
        Some(s) => match parse_date("effective_date", s) {
            Ok(d) if d > today => {
                errs.push(FieldError::new(
                    "effective_date",
                    Msg::new("rect.future_date").arg("field", "field.effective_date"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let outcome = match form.get("outcome").map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Outcome::parse_field("outcome", o)
            .map_err(|e| errs.push(e))
            .ok(),
    };
    let (Some(content), Some(date), true) = (content, date, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let pid = store::add_progress(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &content,
        date,
        outcome,
        &form.files,
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: pid })))
}

fn attachment(name: &str, media: &str, bytes: Vec<u8>) -> impl IntoResponse + use<> {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._".contains(&b) {
                char::from(b).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    (
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"file\"; filename*=UTF-8''{encoded}"),
            ),
        ],
        bytes,
    )
}

/// Downloads one evidence file (in scope only).
#[utoipa::path(get, operation_id = "rect_file", path = "/api/v1/rect/files/{id}", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "the file"), (status = 404, body = crate::error::Problem)))]
async fn file_download(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let (link, bytes) = store::file(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(attachment(&link.name, &link.media_type, bytes))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArchiveQuery {
    pub org_id: Option<i64>,
    pub round_id: Option<i64>,
}

/// The most evidence files one archive carries.
const MAX_ARCHIVE_FILES: usize = 5_000;

/// Every evidence file of the items in scope (optionally one subtree or round) as one .zip, with
/// a 清单.csv of names, versions and SM3 hashes.
#[utoipa::path(get, operation_id = "rect_archive", path = "/api/v1/rect/archive", tag = "rect", params(ArchiveQuery),
    responses((status = 200, description = "zip archive", content_type = "application/zip")))]
async fn archive(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ArchiveQuery>,
) -> ApiResult<impl IntoResponse> {
    let t = book(&st, &auth).await?.dates();
    let f = LedgerFilter {
        org_id: q.org_id,
        round_id: q.round_id,
        ..LedgerFilter::default()
    };
    let rows = store::ledger_all(&st.db, &auth.scope, &f, &t, MAX_EXPORT_ROWS)
        .await
        .map_err(not_found())?;
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    let mut manifest = String::from("\u{feff}单位,问题编号,问题,文件,版本,生效日期,上传时间,SM3\n");
    let clean = |s: &str| dom::clean_file_name(s).replace(['/', '\\'], "");
    let ids: Vec<i64> = rows.iter().map(|r| r.id).collect();
    let mut links: std::collections::HashMap<i64, Vec<store::FileLink>> =
        std::collections::HashMap::new();
    for l in store::items_files(&st.db, &ids).await? {
        links.entry(l.finding_id.unwrap_or(0)).or_default().push(l);
    }
    for r in &rows {
        for l in links.get(&r.id).into_iter().flatten() {
            if entries.len() >= MAX_ARCHIVE_FILES {
                break;
            }
            let short: String = r.title.chars().take(20).collect();
            let path = format!(
                "{}/{} {}/{}-{}",
                clean(&r.org_name),
                r.id,
                clean(&short),
                l.version_no,
                clean(&l.name)
            );
            manifest.push_str(&format!(
                "{},{},\"{}\",\"{}\",{},{},{},{}\n",
                r.org_name,
                r.id,
                r.title.replace('"', "\"\""),
                l.name.replace('"', "\"\""),
                l.version_no,
                date_str(l.effective_date),
                rfc3339(l.uploaded_at),
                l.hash
            ));
            entries.push((path, store::file_bytes(&st.db, &l.hash).await?));
        }
    }
    entries.push(("清单.csv".to_string(), manifest.into_bytes()));
    let bytes =
        xuncha_office::write_zip(entries.into_iter()).map_err(|e| ApiError::internal(&e))?;
    let ev = xuncha_store::audit::Event::op(
        "rect.archive",
        "ledger",
        q.org_id.unwrap_or(0),
        format!("下载整改佐证材料包（{} 个问题）", rows.len()),
    );
    xuncha_store::audit::record_event(&st.db, &auth.actor, &ev).await?;
    Ok(attachment("整改佐证材料.zip", "application/zip", bytes))
}

#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct WriteOffForm {
    /// completed | basically_completed
    pub outcome: String,
    pub explanation: String,
    #[schema(format = Binary, content_media_type = "application/octet-stream")]
    pub file: Vec<String>,
}

/// 申请销号 with evidence.
#[utoipa::path(post, operation_id = "rect_write_off", path = "/api/v1/rect/findings/{id}/write-off", tag = "rect", params(("id" = i64, Path)),
    request_body(content = WriteOffForm, content_type = "multipart/form-data"),
    responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn request_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    form: Multipart,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    store::ledger_row(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let form = read_form(form).await?;
    let mut errs = Vec::new();
    let outcome = Outcome::parse_field("outcome", form.get("outcome").unwrap_or_default())
        .map_err(|e| errs.push(e))
        .ok();
    let explanation = required(&form, "explanation", 4000)
        .map_err(|e| errs.push(e))
        .ok();
    let (Some(outcome), Some(explanation), true) = (outcome, explanation, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let wid = store::request_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &explanation,
        &form.files,
        st.db.today(),
    )
    .await?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: wid })))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecideBody {
    /// verify | return
    pub decision: String,
    #[serde(default)]
    pub reason: String,
    pub version: i64,
}

/// 核验: verify the write-off (closed, or long-term) or return it with a reason.
#[utoipa::path(post, operation_id = "rect_write_off_decide", path = "/api/v1/rect/write-offs/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = DecideBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
async fn decide_write_off(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DecideBody>,
) -> ApiResult<axum::Json<RectItem>> {
    super::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let decision = match b.decision.as_str() {
        "verify" | "approve" => ReviewDecision::Approve,
        "return" => ReviewDecision::Return,
        v => {
            return Err(ApiError::field(
                "decision",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.decision")
                    .arg("value", v)
                    .arg("allowed", "verify, return"),
            ));
        }
    };
    let fid = store::decide_write_off(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        decision,
        &b.reason,
        b.version,
        st.db.today(),
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, fid).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReasonBody {
    pub reason: String,
    pub version: i64,
}

/// The unit reports one measure done; the item's warning then follows its next open measure.
#[utoipa::path(post, operation_id = "rect_measure_done", path = "/api/v1/rect/measures/{id}/done", tag = "rect", params(("id" = i64, Path)),
    request_body = super::VersionBody, responses((status = 200, body = RectItem), (status = 404, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn measure_done(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let finding_id = store::complete_measure(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, finding_id).await?))
}

/// 回头看: reopen a closed item when the problem has come back.
#[utoipa::path(post, operation_id = "rect_reopen", path = "/api/v1/rect/findings/{id}/reopen", tag = "rect", params(("id" = i64, Path)),
    request_body = ReasonBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
async fn reopen(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReasonBody>,
) -> ApiResult<axum::Json<RectItem>> {
    super::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    store::reopen(&st.db, &auth.actor, &auth.scope, id, &b.reason, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExplainBody {
    /// not_completed | in_progress
    pub outcome: String,
    pub explanation: String,
    pub version: i64,
}

/// The unit explains an item it cannot finish (stays open).
#[utoipa::path(post, operation_id = "rect_explain", path = "/api/v1/rect/findings/{id}/explain", tag = "rect", params(("id" = i64, Path)),
    request_body = ExplainBody, responses((status = 200, body = RectItem), (status = 422, body = crate::error::Problem)))]
async fn explain(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExplainBody>,
) -> ApiResult<axum::Json<RectItem>> {
    let outcome = Outcome::parse_field("outcome", &b.outcome).map_err(|e| invalid(vec![e]))?;
    let text = xuncha_domain::error::required_text("explanation", &b.explanation, 4000)
        .map_err(|e| invalid(vec![e]))?;
    store::explain(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        outcome,
        &text,
        b.version,
    )
    .await
    .map_err(not_found())?;
    Ok(axum::Json(item_dto(&st, &auth, id).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    pub measure_id: i64,
    pub new_deadline: String,
    pub reason: String,
}

/// Asks for a later deadline on one measure.
#[utoipa::path(post, operation_id = "rect_extension_request", path = "/api/v1/rect/findings/{id}/extensions", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn request_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtensionBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    super::max_lengths(&[("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)])?;
    let d = parse_date("new_deadline", &b.new_deadline).map_err(|e| invalid(vec![e]))?;
    let xid = store::request_extension(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        b.measure_id,
        d,
        &b.reason,
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: xid })))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// PENDING | APPROVED | REJECTED
    pub state: Option<String>,
}

/// Extension requests in scope.
#[utoipa::path(get, operation_id = "rect_extensions", path = "/api/v1/rect/extensions", tag = "rect", params(ExtensionQuery),
    responses((status = 200, body = Vec<ExtensionDto>)))]
async fn list_extensions(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<ExtensionQuery>,
) -> ApiResult<axum::Json<Vec<ExtensionDto>>> {
    let state = match q.state.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(ExtensionState::parse_field("state", s).map_err(|e| invalid(vec![e]))?),
    };
    let rows = store::extensions(&st.db, &auth.scope, None, state).await?;
    Ok(axum::Json(rows.into_iter().map(extension_dto).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionDecision {
    pub approve: bool,
    #[serde(default)]
    pub opinion: String,
}

/// Approves or rejects an extension; approval moves the deadline, the original date stays.
#[utoipa::path(post, operation_id = "rect_extension_decide", path = "/api/v1/rect/extensions/{id}/decide", tag = "rect", params(("id" = i64, Path)),
    request_body = ExtensionDecision, responses((status = 200, body = ExtensionDto), (status = 422, body = crate::error::Problem)))]
async fn decide_extension(
    State(st): State<AppState>,
    Need(auth, _): Need<RectReview>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ExtensionDecision>,
) -> ApiResult<axum::Json<ExtensionDto>> {
    super::max_lengths(&[("opinion", &b.opinion, xuncha_domain::limits::OPINION_CHARS)])?;
    let x = store::decide_extension(&st.db, &auth.actor, &auth.scope, id, b.approve, &b.opinion)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(extension_dto(x)))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeBody {
    /// rule | money_returned | loss_recovered | accountability
    pub kind: String,
    pub detail: String,
    #[serde(default)]
    pub count: i64,
    /// Integer fen (1 元 = 100 fen).
    #[serde(default)]
    pub amount_fen: i64,
    pub person: Option<String>,
    pub treatment: Option<String>,
}

/// Records an outcome (rules made, money returned or recovered, accountability).
#[utoipa::path(post, operation_id = "rect_outcome", path = "/api/v1/rect/findings/{id}/outcomes", tag = "rect", params(("id" = i64, Path)),
    request_body = OutcomeBody, responses((status = 201, body = Created), (status = 422, body = crate::error::Problem)))]
async fn add_outcome(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OutcomeBody>,
) -> ApiResult<(StatusCode, axum::Json<Created>)> {
    super::max_lengths(&[
        (
            "person",
            b.person.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NAME_CHARS,
        ),
        (
            "treatment",
            b.treatment.as_deref().unwrap_or_default(),
            xuncha_domain::limits::NOTE_CHARS,
        ),
    ])?;
    if !(auth.access.has(RECT_WRITE) || auth.access.has(RECT_REVIEW)) {
        return Err(ApiError::forbidden());
    }
    let mut errs = Vec::new();
    let kind = OutcomeKind::parse_field("kind", &b.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let detail = xuncha_domain::error::required_text("detail", &b.detail, 1000)
        .map_err(|e| errs.push(e))
        .ok();
    for (f, v, max) in [
        ("count", b.count, 1_000_000),
        ("amount_fen", b.amount_fen, 1_000_000_000_000_000),
    ] {
        if !(0..=max).contains(&v) {
            errs.push(FieldError::new(
                f,
                Msg::new("validation.out_of_range")
                    .arg("field", format!("field.{f}"))
                    .arg("min", 0)
                    .arg("max", max),
            ));
        }
    }
    let (Some(kind), Some(detail), true) = (kind, detail, errs.is_empty()) else {
        return Err(invalid(errs));
    };
    let trim = |s: Option<String>| s.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let oid = store::add_outcome(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::OutcomeDraft {
            kind,
            detail,
            count: b.count,
            amount_fen: b.amount_fen,
            person: trim(b.person),
            treatment: trim(b.treatment),
        },
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(Created { id: oid })))
}

// ---------------------------------------------------------------------------------------------
// Units and plans

#[derive(Debug, Serialize, ToSchema)]
pub struct RectUnitDto {
    pub id: i64,
    pub round_id: i64,
    pub round_name: String,
    pub org_id: i64,
    pub org_name: String,
    pub owner_org_name: String,
    pub feedback_date: Option<String>,
    pub rectification_due: Option<String>,
    pub plan_state: Option<String>,
    pub plan_state_name: Option<String>,
    pub total: i64,
    pub closed: i64,
}

fn unit_dto(u: store::RectUnit) -> RectUnitDto {
    RectUnitDto {
        plan_state_name: u
            .plan_state
            .as_deref()
            .map(|s| label(s, PlanState::from_code, PlanState::label)),
        id: u.id,
        round_id: u.round_id,
        round_name: u.round_name,
        org_id: u.org_id,
        org_name: u.org_name,
        owner_org_name: u.owner_org_name,
        feedback_date: u.feedback_date.map(date_str),
        rectification_due: u.rectification_due.map(date_str),
        plan_state: u.plan_state,
        total: u.total,
        closed: u.closed,
    }
}

/// Round units in rectification (fed back) in scope.
#[utoipa::path(get, operation_id = "rect_units", path = "/api/v1/rect/units", tag = "rect",
    responses((status = 200, body = Vec<RectUnitDto>)))]
async fn units(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<Vec<RectUnitDto>>> {
    Ok(axum::Json(
        store::units(&st.db, &auth.scope)
            .await?
            .into_iter()
            .map(unit_dto)
            .collect(),
    ))
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub struct MeasureDraftDto {
    /// immediate | deadline | long_term
    pub kind: String,
    pub content: String,
    #[serde(default)]
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    #[serde(default)]
    pub co_depts: Vec<String>,
    /// A date, or …
    pub deadline: Option<String>,
    /// … N working days from the feedback date.
    pub deadline_working_days: Option<i64>,
    /// The date the deadline resolves to (output only).
    #[serde(default)]
    pub resolved_deadline: Option<String>,
}

impl From<MeasureSnap> for MeasureDraftDto {
    fn from(m: MeasureSnap) -> Self {
        MeasureDraftDto {
            kind: m.kind,
            content: m.content,
            target: m.target,
            responsible_leader: m.responsible_leader,
            lead_dept: m.lead_dept,
            co_depts: m.co_depts,
            deadline: m.deadline,
            deadline_working_days: m.deadline_working_days,
            resolved_deadline: m.resolved_deadline,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CommentDto {
    pub id: i64,
    pub body: String,
    pub text: String,
    pub reviewer_name: String,
    pub at: String,
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanItemDto {
    pub finding_id: i64,
    pub title: String,
    pub category_name: Option<String>,
    pub measures: Vec<MeasureDraftDto>,
    pub comments: Vec<CommentDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReviewDto {
    pub id: i64,
    pub body: String,
    pub decision: String,
    pub decision_name: String,
    pub opinion: String,
    pub reviewer_name: String,
    pub at: String,
    pub revision: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct BodyStatus {
    pub body: String,
    pub decision: Option<String>,
    pub reviewer_name: Option<String>,
    pub at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDto {
    /// 0 while nothing is saved.
    pub id: i64,
    pub round_unit_id: i64,
    pub revision: i64,
    pub state: String,
    pub state_name: String,
    pub principal_leader: String,
    pub signed_on: Option<String>,
    pub summary: String,
    pub submitted_at: Option<String>,
    pub decided_at: Option<String>,
    pub version: i64,
    pub items: Vec<PlanItemDto>,
    pub reviews: Vec<ReviewDto>,
    pub bodies: Vec<String>,
    pub body_status: Vec<BodyStatus>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RevisionRef {
    pub id: i64,
    pub revision: i64,
    pub state: String,
    pub state_name: String,
    pub submitted_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanView {
    pub unit: RectUnitDto,
    pub plan: PlanDto,
    pub revisions: Vec<RevisionRef>,
    pub can_edit: bool,
    pub can_review: bool,
    /// The configured bodies the caller decides for (会审 through each body's own members).
    pub review_bodies: Vec<String>,
}

async fn plan_dto(
    st: &AppState,
    unit_id: i64,
    plan: Option<&store::PlanRow>,
) -> ApiResult<PlanDto> {
    let (cfg, _) = store::settings(&st.db, store::unit_office(&st.db, unit_id).await?).await?;
    let problems = store::unit_problems(&st.db, unit_id).await?;
    let all = store::plans(&st.db, unit_id).await?;
    let (reviews, comments) = store::reviews(&st.db, unit_id).await?;
    let revision_of = |pid: i64| all.iter().find(|p| p.id == pid).map_or(0, |p| p.revision);
    let items_snap = match plan {
        Some(p) => p.items()?,
        None => Vec::new(),
    };
    let plan_id = plan.map_or(0, |p| p.id);
    let items = problems
        .into_iter()
        .map(|(fid, title, cat)| PlanItemDto {
            measures: items_snap
                .iter()
                .find(|i| i.finding_id == fid)
                .map(|i| {
                    i.measures
                        .iter()
                        .cloned()
                        .map(MeasureDraftDto::from)
                        .collect()
                })
                .unwrap_or_default(),
            comments: comments
                .iter()
                .filter(|c| c.finding_id == fid)
                .map(|c| CommentDto {
                    id: c.id,
                    body: c.body.clone(),
                    text: c.text.clone(),
                    reviewer_name: c.reviewer_name.clone(),
                    at: rfc3339(c.at),
                    revision: revision_of(c.plan_id),
                })
                .collect(),
            finding_id: fid,
            title,
            category_name: cat,
        })
        .collect();
    let body_status = cfg
        .review_bodies
        .iter()
        .map(|b| {
            let last = reviews
                .iter()
                .rfind(|r| r.plan_id == plan_id && &r.body == b);
            BodyStatus {
                body: b.clone(),
                decision: last.map(|r| r.decision.clone()),
                reviewer_name: last.map(|r| r.reviewer_name.clone()),
                at: last.map(|r| rfc3339(r.at)),
            }
        })
        .collect();
    let state = plan.map_or(PlanState::Draft.code().to_string(), |p| p.state.clone());
    Ok(PlanDto {
        id: plan_id,
        round_unit_id: unit_id,
        revision: plan.map_or(0, |p| p.revision),
        state_name: label(&state, PlanState::from_code, PlanState::label),
        state,
        principal_leader: plan.map(|p| p.principal_leader.clone()).unwrap_or_default(),
        signed_on: plan.and_then(|p| p.signed_on).map(date_str),
        summary: plan.map(|p| p.summary.clone()).unwrap_or_default(),
        submitted_at: plan.and_then(|p| p.submitted_at).map(rfc3339),
        decided_at: plan.and_then(|p| p.decided_at).map(rfc3339),
        version: plan.map_or(0, |p| p.version),
        items,
        reviews: reviews
            .iter()
            .map(|r| ReviewDto {
                id: r.id,
                body: r.body.clone(),
                decision_name: label(
                    &r.decision,
                    ReviewDecision::from_code,
                    ReviewDecision::label,
                ),
                decision: r.decision.clone(),
                opinion: r.opinion.clone(),
                reviewer_name: r.reviewer_name.clone(),
                at: rfc3339(r.at),
                revision: revision_of(r.plan_id),
            })
            .collect(),
        bodies: cfg.review_bodies.clone(),
        body_status,
    })
}

/// The unit's plan (the latest revision), its revisions and reviews; a fresh draft when none
/// exists yet.
#[utoipa::path(get, operation_id = "rect_plan", path = "/api/v1/rect/units/{id}/plan", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = PlanView), (status = 404, body = crate::error::Problem)))]
async fn plan_view(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PlanView>> {
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let all = store::plans(&st.db, id).await?;
    let latest = all.last();
    let state = latest.map(store::PlanRow::state).transpose()?;
    let review_bodies = decidable_bodies(&st, &auth, id).await?;
    Ok(axum::Json(PlanView {
        plan: plan_dto(&st, id, latest).await?,
        revisions: all
            .iter()
            .map(|p| RevisionRef {
                id: p.id,
                revision: p.revision,
                state_name: label(&p.state, PlanState::from_code, PlanState::label),
                state: p.state.clone(),
                submitted_at: p.submitted_at.map(rfc3339),
            })
            .collect(),
        can_edit: auth.access.has(RECT_WRITE)
            && matches!(
                state,
                None | Some(PlanState::Draft) | Some(PlanState::Returned)
            ),
        can_review: state == Some(PlanState::Submitted) && !review_bodies.is_empty(),
        review_bodies,
        unit: unit_dto(u),
    }))
}

/// The configured reviewing bodies `auth` decides for on the plan of `unit_id`: the team
/// through its members, the office through its staff, a department (纪委监委, 组织部 …) of the
/// committee running the round through its own users.
async fn decidable_bodies(st: &AppState, auth: &Auth, unit_id: i64) -> ApiResult<Vec<String>> {
    let (cfg, _) = store::settings(&st.db, store::unit_office(&st.db, unit_id).await?).await?;
    let (on_team, department) = store::reviewer_facts(&st.db, auth.user.id, unit_id).await?;
    let review = auth.access.has(RECT_REVIEW);
    let standing = dom::ReviewerStanding {
        on_team: on_team && review,
        office: review && auth.access.has(INSPECTION_OFFICE),
        department,
    };
    Ok(cfg
        .review_bodies
        .into_iter()
        .filter(|b| dom::may_decide_for(b, &standing))
        .collect())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanItemSave {
    pub finding_id: i64,
    pub measures: Vec<MeasureDraftDto>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PlanSave {
    #[serde(default)]
    pub principal_leader: String,
    pub signed_on: Option<String>,
    #[serde(default)]
    pub summary: String,
    pub items: Vec<PlanItemSave>,
    /// 0 for the first draft; the latest revision's version otherwise.
    pub version: i64,
}

/// Saves the unit's plan draft (editing a returned plan starts the next revision).
#[utoipa::path(put, operation_id = "rect_plan_save", path = "/api/v1/rect/units/{id}/plan", tag = "rect", params(("id" = i64, Path)),
    request_body = PlanSave, responses((status = 200, body = PlanView), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn save_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlanSave>,
) -> ApiResult<axum::Json<PlanView>> {
    super::max_lengths(&[("summary", &b.summary, xuncha_domain::limits::TEXT_CHARS)])?;
    let u = store::unit(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let cal = store::calendar(&st.db, u.owner_org_id).await?;
    let start = u.feedback_date.unwrap_or_else(|| st.db.today());
    let mut errs = Vec::new();
    let signed_on = match b
        .signed_on
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => parse_date("signed_on", s)
            .and_then(|d| {
                xuncha_domain::inspection::check_not_future("signed_on", d, st.db.today())
                    .map(|()| d)
            })
            .map_err(|e| errs.push(e))
            .ok(),
    };
    if b.principal_leader.chars().count() > 50 {
        errs.push(FieldError::new(
            "principal_leader",
            Msg::new("validation.too_long")
                .arg("field", "field.principal_leader")
                .arg("max", 50),
        ));
    }
    let mut items = Vec::new();
    for (i, it) in b.items.iter().enumerate() {
        let mut ms = Vec::new();
        for (j, m) in it.measures.iter().enumerate() {
            match dom::parse_measure(
                &format!("items[{i}].measures[{j}]"),
                &m.kind,
                &m.content,
                &m.target,
                &m.responsible_leader,
                &m.lead_dept,
                &m.co_depts,
                m.deadline.as_deref(),
                m.deadline_working_days,
            ) {
                Ok(d) => {
                    let resolved = d.deadline.resolve(start, &cal);
                    if let Some(fb) = u.feedback_date
                        && let Err(e) = dom::check_measure_deadline(
                            &format!("items[{i}].measures[{j}].deadline"),
                            d.kind,
                            resolved,
                            fb,
                            u.rectification_due,
                        )
                    {
                        errs.push(e);
                        continue;
                    }
                    ms.push(MeasureSnap {
                        kind: d.kind.code().to_string(),
                        content: d.content,
                        target: d.target,
                        responsible_leader: d.responsible_leader,
                        lead_dept: d.lead_dept,
                        co_depts: d.co_depts,
                        deadline: match d.deadline {
                            dom::DeadlineSpec::Date(x) => Some(date_str(x)),
                            _ => None,
                        },
                        deadline_working_days: m
                            .deadline_working_days
                            .filter(|_| m.deadline.as_deref().is_none_or(|s| s.trim().is_empty())),
                        resolved_deadline: Some(date_str(resolved)),
                    });
                }
                Err(e) => errs.extend(e),
            }
        }
        items.push(store::ItemSnap {
            finding_id: it.finding_id,
            measures: ms,
        });
    }
    if !errs.is_empty() {
        return Err(invalid(errs));
    }
    store::save_plan(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::PlanDraft {
            principal_leader: b.principal_leader.trim().to_string(),
            signed_on,
            summary: b.summary,
            items,
        },
        b.version,
    )
    .await
    .map_err(not_found())?;
    plan_view(State(st), Need(auth, std::marker::PhantomData), ApiPath(id)).await
}

/// Submits a draft for review (the principal leader has signed).
#[utoipa::path(post, operation_id = "rect_plan_submit", path = "/api/v1/rect/plans/{id}/submit", tag = "rect", params(("id" = i64, Path)),
    request_body = super::VersionBody, responses((status = 200, body = PlanView), (status = 422, body = crate::error::Problem)))]
async fn submit_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<super::VersionBody>,
) -> ApiResult<axum::Json<PlanView>> {
    let p = store::submit_plan(&st.db, &auth.actor, &auth.scope, id, b.version)
        .await
        .map_err(not_found())?;
    plan_view(
        State(st),
        Need(auth, std::marker::PhantomData),
        ApiPath(p.round_unit_id),
    )
    .await
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemComment {
    pub finding_id: i64,
    pub text: String,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReviewBody {
    /// The reviewing bodies this decision is recorded for.
    pub bodies: Vec<String>,
    /// approve | return
    pub decision: String,
    #[serde(default)]
    pub opinion: String,
    #[serde(default)]
    pub comments: Vec<ItemComment>,
    pub version: i64,
}

/// 会审: one decision for one or more bodies, with per-item comments.
#[utoipa::path(post, operation_id = "rect_plan_review", path = "/api/v1/rect/plans/{id}/review", tag = "rect", params(("id" = i64, Path)),
    request_body = ReviewBody, responses((status = 200, body = PlanView), (status = 422, body = crate::error::Problem)))]
async fn review_plan(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReviewBody>,
) -> ApiResult<axum::Json<PlanView>> {
    super::max_lengths(&[("opinion", &b.opinion, xuncha_domain::limits::OPINION_CHARS)])?;
    let decision =
        ReviewDecision::parse_field("decision", &b.decision).map_err(|e| invalid(vec![e]))?;
    // Each body decides through its own members: every body named must be one the caller
    // belongs to (checked before anything is written; unknown names are the store's 422).
    let unit_id = store::plan(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?
        .round_unit_id;
    let (cfg, _) = store::settings(&st.db, store::unit_office(&st.db, unit_id).await?).await?;
    let mine = decidable_bodies(&st, &auth, unit_id).await?;
    if let Some(other) = b
        .bodies
        .iter()
        .find(|x| cfg.review_bodies.contains(x) && !mine.contains(x))
    {
        return Err(ApiError::new(
            StatusCode::FORBIDDEN,
            &Msg::new("rect.not_body_member").arg("body", other),
        ));
    }
    let comments: Vec<(i64, String)> = b
        .comments
        .iter()
        .filter(|c| !c.text.trim().is_empty())
        .map(|c| (c.finding_id, c.text.trim().to_string()))
        .collect();
    let parse = |s: &str| parse_date("deadline", s).ok();
    let resolved = |m: &MeasureSnap| m.resolved_deadline.as_deref().and_then(parse);
    let p = store::review_plan(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &b.bodies,
        decision,
        &b.opinion,
        &comments,
        b.version,
        &resolved,
    )
    .await
    .map_err(not_found())?;
    plan_view(
        State(st),
        Need(auth, std::marker::PhantomData),
        ApiPath(p.round_unit_id),
    )
    .await
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ItemDiff {
    pub finding_id: i64,
    pub title: String,
    /// added | removed | changed
    pub change: String,
    pub before: Vec<MeasureDraftDto>,
    pub after: Vec<MeasureDraftDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PlanDiff {
    pub revision: i64,
    pub previous_revision: Option<i64>,
    pub changes: Vec<ItemDiff>,
}

/// What changed in this revision against the one before (the resubmission diff).
#[utoipa::path(get, operation_id = "rect_plan_diff", path = "/api/v1/rect/plans/{id}/diff", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = PlanDiff), (status = 404, body = crate::error::Problem)))]
async fn plan_diff(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<PlanDiff>> {
    let p = store::plan(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let all = store::plans(&st.db, p.round_unit_id).await?;
    let prev = all.iter().rfind(|x| x.revision < p.revision);
    let cur = p.items()?;
    let before = match prev {
        Some(x) => x.items()?,
        None => Vec::new(),
    };
    let pairs = |v: &[store::ItemSnap]| -> Vec<(i64, Vec<MeasureSnap>)> {
        v.iter()
            .map(|i| (i.finding_id, i.measures.clone()))
            .collect()
    };
    let titles = store::unit_problems(&st.db, p.round_unit_id).await?;
    let find = |v: &[store::ItemSnap], id: i64| -> Vec<MeasureDraftDto> {
        v.iter()
            .find(|i| i.finding_id == id)
            .map(|i| {
                i.measures
                    .iter()
                    .cloned()
                    .map(MeasureDraftDto::from)
                    .collect()
            })
            .unwrap_or_default()
    };
    let changes = dom::diff_items(&pairs(&before), &pairs(&cur))
        .into_iter()
        .map(|(fid, change)| ItemDiff {
            finding_id: fid,
            title: titles
                .iter()
                .find(|(i, _, _)| *i == fid)
                .map(|(_, t, _)| t.clone())
                .unwrap_or_default(),
            change: change.code().to_string(),
            before: find(&before, fid),
            after: find(&cur, fid),
        })
        .collect();
    Ok(axum::Json(PlanDiff {
        revision: p.revision,
        previous_revision: prev.map(|x| x.revision),
        changes,
    }))
}

// ---------------------------------------------------------------------------------------------
// Reports

#[derive(Debug, Serialize, ToSchema)]
pub struct ReportDto {
    pub id: i64,
    pub round_unit_id: i64,
    pub kind: String,
    pub kind_name: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: String,
    pub meeting_date: Option<String>,
    pub participants: Option<String>,
    pub filed_at: Option<String>,
    pub filed_to_name: Option<String>,
    pub created_at: String,
    pub url: String,
}

fn report_dto(r: store::Report) -> ReportDto {
    ReportDto {
        kind_name: label(&r.kind, ReportKind::from_code, ReportKind::label),
        url: format!("/api/v1/rect/reports/{}/docx", r.id),
        id: r.id,
        round_unit_id: r.round_unit_id,
        kind: r.kind,
        title: r.title,
        content: r.content,
        principal_leader: r.principal_leader,
        signed_on: date_str(r.signed_on),
        meeting_date: r.meeting_date.map(date_str),
        participants: r.participants,
        filed_at: r.filed_at.map(rfc3339),
        filed_to_name: r.filed_to_name,
        created_at: rfc3339(r.created_at),
    }
}

/// The unit's reports: 整改情况报告, 专题民主生活会 records, long-term periodic reports.
#[utoipa::path(get, operation_id = "rect_reports", path = "/api/v1/rect/units/{id}/reports", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ReportDto>)))]
async fn list_reports(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<Vec<ReportDto>>> {
    let rows = store::reports(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(rows.into_iter().map(report_dto).collect()))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReportSave {
    /// rect_report | life_meeting | periodic
    pub kind: String,
    pub title: String,
    pub content: String,
    pub principal_leader: String,
    pub signed_on: String,
    pub meeting_date: Option<String>,
    pub participants: Option<String>,
}

/// Adds a report signed by the principal leader.
#[utoipa::path(post, operation_id = "rect_report_add", path = "/api/v1/rect/units/{id}/reports", tag = "rect", params(("id" = i64, Path)),
    request_body = ReportSave, responses((status = 201, body = ReportDto), (status = 422, body = crate::error::Problem)))]
async fn add_report(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReportSave>,
) -> ApiResult<(StatusCode, axum::Json<ReportDto>)> {
    super::max_lengths(&[(
        "participants",
        b.participants.as_deref().unwrap_or_default(),
        xuncha_domain::limits::NOTE_CHARS,
    )])?;
    use xuncha_domain::error::required_text;
    let mut errs = Vec::new();
    let kind = ReportKind::parse_field("kind", &b.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let title = required_text("title", &b.title, 200)
        .map_err(|e| errs.push(e))
        .ok();
    let content = required_text("content", &b.content, 50_000)
        .map_err(|e| errs.push(e))
        .ok();
    let leader = required_text("principal_leader", &b.principal_leader, 50)
        .map_err(|e| errs.push(e))
        .ok();
    let today = st.db.today();
    let signed = parse_date("signed_on", &b.signed_on)
        .and_then(|d| {
            xuncha_domain::inspection::check_not_future("signed_on", d, today).map(|()| d)
        })
        .map_err(|e| errs.push(e))
        .ok();
    let meeting = match b
        .meeting_date
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => parse_date("meeting_date", s)
            .and_then(|d| {
                xuncha_domain::inspection::check_not_future("meeting_date", d, today).map(|()| d)
            })
            .map_err(|e| errs.push(e))
            .ok(),
    };
    if kind == Some(ReportKind::LifeMeeting) && meeting.is_none() {
        errs.push(FieldError::required("meeting_date"));
    }
    let (Some(kind), Some(title), Some(content), Some(leader), Some(signed), true) =
        (kind, title, content, leader, signed, errs.is_empty())
    else {
        return Err(invalid(errs));
    };
    let r = store::add_report(
        &st.db,
        &auth.actor,
        &auth.scope,
        id,
        &store::ReportDraft {
            kind,
            title,
            content,
            principal_leader: leader,
            signed_on: signed,
            meeting_date: meeting,
            participants: b
                .participants
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty()),
        },
    )
    .await
    .map_err(not_found())?;
    Ok((StatusCode::CREATED, axum::Json(report_dto(r))))
}

/// 报告报备: files the report with the office that ran the round.
#[utoipa::path(post, operation_id = "rect_report_file", path = "/api/v1/rect/reports/{id}/file", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, body = ReportDto), (status = 422, body = crate::error::Problem)))]
async fn file_report(
    State(st): State<AppState>,
    Need(auth, _): Need<RectWrite>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::Json<ReportDto>> {
    let r = store::file_report(&st.db, &auth.actor, &auth.scope, id)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(report_dto(r)))
}

/// The report as a .docx: the text, then the ledger item by item with status and outcomes.
#[utoipa::path(get, operation_id = "rect_report_docx", path = "/api/v1/rect/reports/{id}/docx", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn report_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let r = store::report(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let u = store::unit(&st.db, &Scope::unrestricted(), r.round_unit_id).await?;
    let (t, o) = store::office_today(&st.db, u.owner_org_id, st.db.today()).await?;
    let f = LedgerFilter {
        round_unit_id: Some(u.id),
        ..LedgerFilter::default()
    };
    let rows = store::ledger_all(&st.db, &Scope::unrestricted(), &f, &t, 10_000).await?;
    let mut blocks: Vec<Block> = Vec::new();
    if let Some(m) = r.meeting_date {
        blocks.push(Block::Field {
            label: "会议时间".into(),
            value: super::documents::china_date(m),
        });
        blocks.push(Block::Field {
            label: "参加人员".into(),
            value: r.participants.clone().unwrap_or_default(),
        });
    }
    blocks.push(Block::Paragraph(r.content.clone()));
    if r.kind != ReportKind::LifeMeeting.code() {
        let facts: Vec<dom::ItemFacts> = rows
            .iter()
            .map(|x| dom::ItemFacts {
                closed: x.state == FindingState::Closed.code(),
                long_term: x.state == FindingState::LongTerm.code(),
                deadline: x.deadline,
                closed_on: x.closed_on,
                extensions: x.extensions,
            })
            .collect();
        let s = dom::rect_stats(&facts, t.today);
        blocks.push(Block::Heading1("一、整改总体情况".into()));
        blocks.push(Block::Paragraph(format!(
            "巡察反馈问题{}个，已完成整改{}个，整改完成率{:.2}%；持续整改{}个；逾期{}个。",
            s.total, s.completed, s.completion_rate, s.long_term, s.overdue
        )));
        blocks.push(Block::Heading1("二、逐项整改情况".into()));
        blocks.push(Block::Table {
            headers: vec![
                "序号".into(),
                "问题".into(),
                "整改时限".into(),
                "状态".into(),
                "预警".into(),
            ],
            rows: rows
                .into_iter()
                .enumerate()
                .map(|(i, x)| {
                    let dto = row_dto(x, t.today, &o);
                    vec![
                        (i + 1).to_string(),
                        dto.title,
                        dto.deadline.unwrap_or_default(),
                        dto.state_name,
                        dto.warning
                            .as_deref()
                            .and_then(Warning::from_code)
                            .map(|w| w.label().to_string())
                            .unwrap_or_default(),
                    ]
                })
                .collect(),
        });
        let totals =
            store::outcome_totals(&st.db, &Scope::unrestricted(), Some(u.id), None, None).await?;
        blocks.push(Block::Heading1("三、整改成果".into()));
        blocks.push(Block::Paragraph(outcome_sentence(&totals)));
    }
    blocks.push(Block::Field {
        label: "主要负责人（签字）".into(),
        value: format!(
            "{}　{}",
            r.principal_leader,
            super::documents::china_date(r.signed_on)
        ),
    });
    let doc = OfficialDoc {
        issuer: None,
        doc_number: None,
        marking: Some("内部资料 注意保密".into()),
        title: r.title.clone(),
        recipient: Some(format!(
            "中共{}委巡察工作领导小组办公室：",
            u.owner_org_name
        )),
        blocks,
        signature: Some(u.org_name.clone()),
        date: Some(super::documents::china_date(r.signed_on)),
        copy_to: None,
    };
    super::documents::docx(&r.title, &doc)
}

/// "建立完善制度N项，退缴X元，挽回损失Y元，问责Z人" from rolled-up outcomes.
pub fn outcome_sentence(totals: &[(String, i64, i64, i64)]) -> String {
    let get = |k: OutcomeKind| {
        totals
            .iter()
            .find(|(c, _, _, _)| c == k.code())
            .map_or((0, 0, 0), |(_, n, c, a)| (*n, *c, *a))
    };
    let (rules, rule_count, _) = get(OutcomeKind::Rule);
    let (_, _, returned) = get(OutcomeKind::MoneyReturned);
    let (_, _, recovered) = get(OutcomeKind::LossRecovered);
    let (acc, acc_count, _) = get(OutcomeKind::Accountability);
    format!(
        "建立完善制度{}项，退缴资金{}元，挽回经济损失{}元，问责处理{}人次。",
        rule_count.max(rules),
        dom::fen_to_yuan(returned),
        dom::fen_to_yuan(recovered),
        acc_count.max(acc)
    )
}

// ---------------------------------------------------------------------------------------------
// Settings and holidays

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

fn settings_dto(s: RectSettings, g: &xuncha_store::settings::Group) -> RectSettingsDto {
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

async fn settings_of(st: &AppState, office: i64) -> ApiResult<axum::Json<RectSettingsDto>> {
    let (s, g) = store::settings_with_source(&st.db, office).await?;
    Ok(axum::Json(settings_dto(s, &g)))
}

/// Rectification settings of the caller's office (its own, else inherited from the nearest
/// office above, else the defaults): reviewing bodies, warning threshold, time limits,
/// escalation ladder, and where they come from.
#[utoipa::path(get, operation_id = "rect_settings", path = "/api/v1/rect/settings", tag = "rect",
    responses((status = 200, body = RectSettingsDto)))]
async fn get_settings(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<RectSettingsDto>> {
    settings_of(&st, office(&auth)).await
}

/// Saves the caller's own office's rectification settings (never a parent's or another
/// office's); the offices below without their own inherit them.
#[utoipa::path(put, operation_id = "rect_settings_save", path = "/api/v1/rect/settings", tag = "rect",
    request_body = RectSettingsDto, responses((status = 200, body = RectSettingsDto), (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn put_settings(
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
async fn inherit_settings(
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
    pub kind: String,
    pub name: String,
    /// The office that listed the day (the caller's own, or an office above it).
    pub org_id: i64,
    pub org_name: String,
    /// Whether the caller's own office listed it (else it is inherited).
    pub own: bool,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: Option<i32>,
}

fn check_year(year: Option<i32>) -> ApiResult<()> {
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
async fn list_holidays(
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
async fn drop_holidays(
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
    let [c_date, c_kind, c_name] =
        super::import_columns(table, [("日期", true), ("类型", true), ("名称", false)])?;
    let mut out = Vec::new();
    let mut errors = Vec::new();
    for (row, cells) in &table.rows {
        let d = xuncha_office_date(Table::cell(cells, c_date))
            .and_then(|s| parse_date("date", &s).ok());
        let k = dom::parse_day_kind(Table::cell(cells, c_kind));
        if d.is_none() {
            errors.push(RowError {
                row: *row,
                column: "日期".into(),
                msg: Msg::new("validation.unknown_value")
                    .arg("field", "日期")
                    .arg("value", Table::cell(cells, c_date))
                    .arg("allowed", "YYYY-MM-DD"),
            });
        }
        if k.is_none() {
            errors.push(RowError {
                row: *row,
                column: "类型".into(),
                msg: Msg::new("validation.unknown_value")
                    .arg("field", "类型")
                    .arg("value", Table::cell(cells, c_kind))
                    .arg("allowed", "放假、调休上班"),
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
    request_body(content = super::orgs::ImportForm, content_type = "multipart/form-data"),
    responses((status = 200, body = ImportResult), (status = 422, body = crate::error::Problem)))]
async fn import_holidays(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    upload: super::Upload,
) -> ApiResult<axum::Json<ImportResult>> {
    let days = super::off_runtime(move |cancel| {
        let table = super::read_upload_table(&upload.name, &upload.bytes, cancel)?;
        parse_holidays(&table).map_err(|e| ApiError::rows(&e))
    })
    .await?;
    let n = store::import_holidays(&st.db, &auth.actor, office(&auth), &days).await?;
    Ok(axum::Json(ImportResult { imported: n }))
}

// ---------------------------------------------------------------------------------------------
// Letters

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LetterQuery {
    pub round_unit_id: Option<i64>,
}

/// Letters issued in scope.
#[utoipa::path(get, operation_id = "rect_letters", path = "/api/v1/rect/letters", tag = "rect", params(LetterQuery),
    responses((status = 200, body = Vec<LetterDto>)))]
async fn list_letters(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LetterQuery>,
) -> ApiResult<axum::Json<Vec<LetterDto>>> {
    Ok(axum::Json(
        store::letters(&st.db, &auth.scope, q.round_unit_id)
            .await?
            .into_iter()
            .map(letter_dto)
            .collect(),
    ))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LetterSuggestion {
    pub round_unit_id: i64,
    pub org_name: String,
    pub letter_type: String,
    pub letter_name: String,
    pub finding_ids: Vec<i64>,
    /// Working days the most overdue item is late.
    pub overdue_days: i64,
}

async fn suggestions(st: &AppState, auth: &Auth) -> ApiResult<Vec<LetterSuggestion>> {
    let scope = &auth.scope;
    // Each unit's ladder and calendar are those of the office that runs its round.
    let book = book(st, auth).await?;
    let today = book.today;
    let overdue = store::overdue_items(&st.db, scope, today).await?;
    let issued = store::letters(&st.db, scope, None).await?;
    let names: std::collections::HashMap<i64, (String, i64)> = if overdue.is_empty() {
        Default::default()
    } else {
        store::units(&st.db, scope)
            .await?
            .into_iter()
            .map(|u| (u.id, (u.org_name, u.owner_org_id)))
            .collect()
    };
    let mut out = Vec::new();
    let mut units: Vec<i64> = overdue.iter().map(|(u, _, _)| *u).collect();
    units.dedup();
    for u in units {
        let items: Vec<&(i64, i64, Date)> = overdue.iter().filter(|(x, _, _)| *x == u).collect();
        let (org_name, office) = match names.get(&u) {
            Some(n) => n.clone(),
            // Beyond the first 1,000 units listed: one lookup.
            None => {
                let x = store::unit(&st.db, &Scope::unrestricted(), u).await?;
                (x.org_name, x.owner_org_id)
            }
        };
        let o = book.office(office);
        let oldest = items.iter().map(|(_, _, d)| *d).min();
        let days = oldest.map_or(0, |d| o.calendar.working_days_between(d, today).max(1));
        let codes: Vec<String> = issued
            .iter()
            .filter(|l| l.round_unit_id == u && letter_counts(l))
            .map(|l| l.letter_type.clone())
            .collect();
        if let Some(r) = dom::next_letter(&o.settings.letter_ladder, days, &codes) {
            out.push(LetterSuggestion {
                round_unit_id: u,
                org_name,
                letter_type: r.code.clone(),
                letter_name: r.name.clone(),
                finding_ids: items.iter().map(|(_, f, _)| *f).collect(),
                overdue_days: days,
            });
        }
    }
    Ok(out)
}

/// The next rung of the escalation ladder for each unit with overdue items.
#[utoipa::path(get, operation_id = "rect_letter_suggestions", path = "/api/v1/rect/letters/suggestions", tag = "rect",
    responses((status = 200, body = Vec<LetterSuggestion>)))]
async fn letter_suggestions(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
) -> ApiResult<axum::Json<Vec<LetterSuggestion>>> {
    Ok(axum::Json(suggestions(&st, &auth).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LetterBody {
    pub round_unit_id: i64,
    pub letter_type: String,
    pub finding_ids: Vec<i64>,
    pub requirement: String,
    pub new_deadline: Option<String>,
    /// 约谈通知 only: when and where the talk takes place (另行通知 when empty).
    #[serde(default)]
    pub talk_time: Option<String>,
    #[serde(default)]
    pub talk_place: Option<String>,
}

/// Issues a letter of the ladder: the .docx is generated, stored with its hash and recorded.
#[utoipa::path(post, operation_id = "rect_letter_issue", path = "/api/v1/rect/letters", tag = "rect",
    request_body = LetterBody, responses((status = 201, body = LetterDto), (status = 422, body = crate::error::Problem)))]
async fn issue_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiJson(b): ApiJson<LetterBody>,
) -> ApiResult<(StatusCode, axum::Json<LetterDto>)> {
    let u = store::unit(&st.db, &auth.scope, b.round_unit_id)
        .await
        .map_err(not_found())?;
    let (t, cfg, cal) = today(&st, u.owner_org_id).await?;
    let rung = cfg
        .letter_ladder
        .iter()
        .find(|r| r.code == b.letter_type)
        .cloned()
        .ok_or_else(|| {
            ApiError::field(
                "letter_type",
                &Msg::new("rect.unknown_letter").arg("code", &b.letter_type),
            )
        })?;
    let requirement = xuncha_domain::error::required_text("requirement", &b.requirement, 2000)
        .map_err(|e| invalid(vec![e]))?;
    let new_deadline = match b
        .new_deadline
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => None,
        Some(s) => {
            let d = parse_date("new_deadline", s).map_err(|e| invalid(vec![e]))?;
            dom::check_after_today("new_deadline", d, t.today).map_err(|e| invalid(vec![e]))?;
            Some(d)
        }
    };
    // The items named must be this unit's open, overdue items in scope; with none named, every
    // overdue one.
    let f = LedgerFilter {
        round_unit_id: Some(u.id),
        ..LedgerFilter::default()
    };
    let rows = store::ledger_all(&st.db, &auth.scope, &f, &t, 10_000).await?;
    let open_overdue = |r: &LedgerRow| {
        let state = FindingState::from_code(&r.state);
        !matches!(state, Some(FindingState::Closed | FindingState::LongTerm))
            && r.due_date.or(r.deadline).is_some_and(|d| d < t.today)
    };
    let chosen: Vec<LedgerRow> = if b.finding_ids.is_empty() {
        rows.into_iter().filter(|r| open_overdue(r)).collect()
    } else {
        for id in &b.finding_ids {
            match rows.iter().find(|r| r.id == *id) {
                None => {
                    return Err(ApiError::field(
                        "finding_ids",
                        &Msg::new("rect.unknown_finding").arg("id", id),
                    ));
                }
                Some(r) if !open_overdue(r) => {
                    return Err(ApiError::field(
                        "finding_ids",
                        &Msg::new("rect.not_overdue").arg("title", &r.title),
                    ));
                }
                Some(_) => {}
            }
        }
        rows.into_iter()
            .filter(|r| b.finding_ids.contains(&r.id))
            .collect()
    };
    if chosen.is_empty() {
        return Err(ApiError::field("finding_ids", &Msg::new("rect.no_overdue")));
    }
    // One rung at a time: only the rung the ladder allows now, for the oldest overdue item.
    let oldest = chosen
        .iter()
        .filter_map(|r| r.due_date.or(r.deadline))
        .min();
    let days = oldest.map_or(0, |d| cal.working_days_between(d, t.today).max(1));
    let issued: Vec<String> = store::letters(&st.db, &auth.scope, Some(u.id))
        .await?
        .into_iter()
        .filter(letter_counts)
        .map(|l| l.letter_type)
        .collect();
    match dom::next_letter(&cfg.letter_ladder, days, &issued) {
        Some(allowed) if allowed.code == rung.code => {}
        Some(allowed) => {
            return Err(ApiError::field(
                "letter_type",
                &Msg::new("rect.letter_not_allowed").arg("allowed", &allowed.name),
            ));
        }
        None => {
            return Err(ApiError::field(
                "letter_type",
                &Msg::new("rect.letter_not_due"),
            ));
        }
    }
    let talk_time = letter_option("talk_time", b.talk_time.as_deref())?;
    let talk_place = letter_option("talk_place", b.talk_place.as_deref())?;
    // Each rung its own template and addressee (主送), decided from its code.
    let template = letter_dom::Template::for_code(&rung.code);
    let owner_org_id = u_owner(&st, u.id).await?;
    let owner = xuncha_store::orgs::get(&st.db, &Scope::unrestricted(), owner_org_id).await?;
    let (addressee_org_id, addressee_name, org_dept) =
        letter_addressee(&st, template, &u, &owner).await?;
    let (issuer, short) = super::documents::issuer(&st, owner_org_id).await?;
    let year = t.today.year();
    let (seq, _) = store::letter_context(&st.db, u.id, year).await?;
    let doc_no = format!("{short}巡办督〔{year}〕{seq}号");
    let deadline_text = new_deadline.map(super::documents::china_date);
    let text = template.text(&letter_dom::LetterInput {
        rung_name: &rung.name,
        unit_name: &u.org_name,
        office_name: &owner.name,
        addressee_name: &addressee_name,
        new_deadline: deadline_text.as_deref(),
        talk_time: talk_time.as_deref(),
        talk_place: talk_place.as_deref(),
        org_dept_name: org_dept.as_deref(),
    });
    let mut blocks = vec![Block::Paragraph(text.opening.clone())];
    blocks.push(Block::Table {
        headers: vec![
            "序号".into(),
            "问题".into(),
            "整改时限".into(),
            "逾期（工作日）".into(),
        ],
        rows: chosen
            .iter()
            .enumerate()
            .map(|(i, r)| {
                vec![
                    (i + 1).to_string(),
                    r.title.clone(),
                    r.deadline.map(date_str).unwrap_or_default(),
                    r.deadline
                        .map(|d| cal.working_days_between(d, t.today).max(0).to_string())
                        .unwrap_or_default(),
                ]
            })
            .collect(),
    });
    blocks.extend(text.details.iter().cloned().map(Block::Paragraph));
    blocks.push(Block::Heading1(text.heading.clone()));
    blocks.push(Block::Paragraph(requirement.clone()));
    blocks.extend(text.closing.iter().cloned().map(Block::Paragraph));
    let doc = OfficialDoc {
        issuer: Some(issuer.clone()),
        doc_number: Some(doc_no.clone()),
        marking: None,
        title: text.title.clone(),
        recipient: Some(text.recipient.clone()),
        blocks,
        signature: Some(issuer),
        date: Some(super::documents::china_date(t.today)),
        copy_to: text.copy_to.clone(),
    };
    let bytes = xuncha_office::docx::render(&doc).map_err(|e| ApiError::internal(&e))?;
    let letter =
        store::issue_letter(
            &st.db,
            &auth.actor,
            &auth.scope,
            &store::LetterDraft {
                round_unit_id: u.id,
                letter_type: rung.code.clone(),
                letter_name: rung.name.clone(),
                year,
                seq,
                doc_no,
                finding_ids: chosen.iter().map(|r| r.id).collect(),
                requirement,
                new_deadline,
                docx: Upload {
                    name: format!("{}.docx", rung.name),
                    media_type:
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
                            .into(),
                    bytes,
                },
                addressee_org_id,
                addressee_is_unit: addressee_org_id == u.org_id,
                addressee_name,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, axum::Json(letter_dto(letter))))
}

/// An optional short text field: trimmed, empty as none, at most a label's length.
fn letter_option(field: &str, v: Option<&str>) -> ApiResult<Option<String>> {
    let v = v.map(str::trim).filter(|s| !s.is_empty());
    if let Some(s) = v {
        super::max_lengths(&[(field, s, xuncha_domain::limits::LABEL_CHARS)])?;
    }
    Ok(v.map(str::to_string))
}

/// 主送 of a letter: `(org id, name written on the letter, the 组织部 to copy)`. The unit's party
/// organisation for the unit's rungs (its principal leader for a 约谈通知); for a 问责建议函 the
/// 纪委监委 among the departments of the organisation whose office runs the round (domain.md §7:
/// the discipline body at that level), with its 组织部 copied.
async fn letter_addressee(
    st: &AppState,
    template: letter_dom::Template,
    u: &store::RectUnit,
    owner: &xuncha_store::orgs::Org,
) -> ApiResult<(i64, String, Option<String>)> {
    match template.addressee() {
        letter_dom::Addressee::Unit => {
            let org = xuncha_store::orgs::get(&st.db, &Scope::unrestricted(), u.org_id).await?;
            let party = org
                .party_org_kind
                .as_deref()
                .and_then(xuncha_domain::org::PartyOrgKind::from_code)
                .map_or("党组织", xuncha_domain::org::PartyOrgKind::label);
            let name = if template == letter_dom::Template::Admonition {
                format!("{}{party}主要负责人", u.org_name)
            } else {
                format!("{}{party}", u.org_name)
            };
            Ok((u.org_id, name, None))
        }
        letter_dom::Addressee::Discipline => {
            let depts: Vec<xuncha_store::orgs::Org> =
                xuncha_store::orgs::children(&st.db, &Scope::unrestricted(), owner.id, false)
                    .await?
                    .into_iter()
                    .filter(|o| o.kind == xuncha_domain::org::OrgKind::Department.code())
                    .collect();
            let body = depts
                .iter()
                .find(|o| letter_dom::is_discipline_name(&o.name))
                .ok_or_else(|| {
                    ApiError::field(
                        "letter_type",
                        &Msg::new("letter.no_discipline_body").arg("office", &owner.name),
                    )
                })?;
            let org_dept = depts
                .iter()
                .find(|o| letter_dom::is_org_dept_name(&o.name))
                .map(|o| o.name.clone());
            Ok((body.id, body.name.clone(), org_dept))
        }
    }
}

async fn u_owner(st: &AppState, unit_id: i64) -> ApiResult<i64> {
    Ok(
        xuncha_store::inspection::get_unit(&st.db, &Scope::unrestricted(), unit_id)
            .await?
            .owner_org_id,
    )
}

/// The letter's .docx, as issued (the stored bytes).
#[utoipa::path(get, operation_id = "rect_letter_docx", path = "/api/v1/rect/letters/{id}/docx", tag = "rect", params(("id" = i64, Path)),
    responses((status = 200, description = "docx", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document")))]
async fn letter_docx(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<impl IntoResponse> {
    let l = store::letter(&st.db, &auth.scope, id)
        .await
        .map_err(not_found())?;
    let bytes = store::file_bytes(&st.db, &l.file_hash).await?;
    Ok(attachment(
        &format!("{}（{}）.docx", l.letter_name, l.doc_no),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        bytes,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WithdrawLetterBody {
    /// Why the letter is withdrawn (required).
    #[serde(default)]
    pub reason: String,
    /// The letter's current version, when the caller holds one.
    #[serde(default)]
    pub version: Option<i64>,
}

/// Withdraws an issued letter with a reason. Its number is kept (never reused) and its .docx stays
/// downloadable; it no longer counts as issued for the ladder, so its rung can be issued again.
#[utoipa::path(post, operation_id = "rect_letter_withdraw", path = "/api/v1/rect/letters/{id}/withdraw", tag = "rect", params(("id" = i64, Path)),
    request_body = WithdrawLetterBody, responses((status = 200, body = LetterDto), (status = 404, body = crate::error::Problem),
    (status = 409, body = crate::error::Problem), (status = 422, body = crate::error::Problem)))]
async fn withdraw_letter(
    State(st): State<AppState>,
    Need(auth, _): Need<RectSupervise>,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WithdrawLetterBody>,
) -> ApiResult<axum::Json<LetterDto>> {
    let reason =
        xuncha_domain::error::required_text("reason", &b.reason, xuncha_domain::limits::NOTE_CHARS)
            .map_err(|e| invalid(vec![e]))?;
    let l = store::withdraw_letter(&st.db, &auth.actor, &auth.scope, id, &reason, b.version)
        .await
        .map_err(not_found())?;
    Ok(axum::Json(letter_dto(l)))
}

// ---------------------------------------------------------------------------------------------
// Notifications

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationDto {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub body: String,
    pub link: Option<String>,
    pub created_at: String,
    pub read_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct NotificationList {
    pub items: Vec<NotificationDto>,
    pub unread: i64,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    pub unread: Option<bool>,
}

/// The caller's notifications (newest 50) and the unread count.
#[utoipa::path(get, operation_id = "notifications", path = "/api/v1/notifications", tag = "notifications", params(NotificationQuery),
    responses((status = 200, body = NotificationList)))]
async fn notifications(
    State(st): State<AppState>,
    auth: Auth,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<axum::Json<NotificationList>> {
    let (items, unread) =
        store::notifications(&st.db, auth.user.id, q.unread.unwrap_or(false)).await?;
    Ok(axum::Json(NotificationList {
        items: items
            .into_iter()
            .map(|n| NotificationDto {
                id: n.id,
                kind: n.kind,
                title: n.title,
                body: n.body,
                link: n.link,
                created_at: rfc3339(n.created_at),
                read_at: n.read_at.map(rfc3339),
            })
            .collect(),
        unread,
    }))
}

#[utoipa::path(post, operation_id = "notification_read", path = "/api/v1/notifications/{id}/read", tag = "notifications", params(("id" = i64, Path)),
    responses((status = 204)))]
async fn notification_read(
    State(st): State<AppState>,
    auth: Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    store::mark_read(&st.db, auth.user.id, Some(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, operation_id = "notifications_read_all", path = "/api/v1/notifications/read-all", tag = "notifications",
    responses((status = 204)))]
async fn notifications_read_all(State(st): State<AppState>, auth: Auth) -> ApiResult<StatusCode> {
    store::mark_read(&st.db, auth.user.id, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NotificationSettings {
    /// Where notifications are e-mailed when the server has an SMTP relay; null for in-app only.
    pub email: Option<String>,
    /// Whether the server sends e-mail at all (read only).
    #[serde(default)]
    pub mail_enabled: bool,
}

#[utoipa::path(get, operation_id = "notification_settings", path = "/api/v1/notifications/settings", tag = "notifications",
    responses((status = 200, body = NotificationSettings)))]
async fn get_notification_settings(
    State(st): State<AppState>,
    auth: Auth,
) -> ApiResult<axum::Json<NotificationSettings>> {
    Ok(axum::Json(NotificationSettings {
        email: store::notification_email(&st.db, auth.user.id).await?,
        mail_enabled: st.config.smtp_url.is_some(),
    }))
}

/// Sets (or clears) the caller's own notification e-mail address.
#[utoipa::path(put, operation_id = "notification_settings_save", path = "/api/v1/notifications/settings", tag = "notifications",
    request_body = NotificationSettings, responses((status = 200, body = NotificationSettings), (status = 422, body = crate::error::Problem)))]
async fn put_notification_settings(
    State(st): State<AppState>,
    auth: Auth,
    ApiJson(b): ApiJson<NotificationSettings>,
) -> ApiResult<axum::Json<NotificationSettings>> {
    let email = b
        .email
        .map(|e| e.trim().to_string())
        .filter(|e| !e.is_empty());
    if let Some(e) = &email
        && (e.len() > 200 || e.parse::<lettre::Address>().is_err())
    {
        return Err(ApiError::field(
            "email",
            &Msg::new("validation.unknown_value")
                .arg("field", "field.email")
                .arg("value", e)
                .arg("allowed", "name@example.gov.cn"),
        ));
    }
    store::set_notification_email(&st.db, &auth.actor, auth.user.id, email.as_deref()).await?;
    get_notification_settings(State(st), auth).await
}

// ---------------------------------------------------------------------------------------------
// Statistics

#[derive(Debug, Serialize, ToSchema)]
pub struct Ageing {
    pub d0_30: i64,
    pub d31_90: i64,
    pub d91_180: i64,
    pub d180_plus: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectStatsDto {
    pub total: i64,
    pub completed: i64,
    /// 整改完成率, percent with two decimals.
    pub completion_rate: f64,
    pub due: i64,
    pub completed_on_time: i64,
    /// 按期整改率.
    pub on_time_rate: f64,
    pub open: i64,
    pub overdue: i64,
    pub overdue_rate: f64,
    pub long_term: i64,
    pub extended: i64,
    pub extensions: i64,
    pub ageing: Ageing,
}

fn stats_dto(c: &store::StatCounts) -> RectStatsDto {
    let s: RectStats = dom::stats_from_counts(
        c.total,
        c.completed,
        c.due,
        c.completed_on_time,
        c.overdue,
        c.long_term,
        c.extended,
        c.extensions,
    );
    RectStatsDto {
        total: s.total,
        completed: s.completed,
        completion_rate: s.completion_rate,
        due: s.due,
        completed_on_time: s.completed_on_time,
        on_time_rate: s.on_time_rate,
        open: s.open,
        overdue: s.overdue,
        overdue_rate: s.overdue_rate,
        long_term: s.long_term,
        extended: s.extended,
        extensions: s.extensions,
        ageing: Ageing {
            d0_30: c.age_30,
            d31_90: c.age_90,
            d91_180: c.age_180,
            d180_plus: c.age_more,
        },
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StatRow {
    pub key: String,
    pub label: String,
    pub stats: RectStatsDto,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OutcomeTotal {
    /// rule | money_returned | loss_recovered | accountability
    pub kind: String,
    pub kind_name: String,
    /// Records entered.
    pub records: i64,
    /// Σ count (rules made, people held accountable).
    pub count: i64,
    /// Σ amount in integer fen.
    pub amount_fen: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RectStatsResponse {
    pub totals: RectStatsDto,
    pub rows: Vec<StatRow>,
    /// 成果 rolled up over the same items.
    pub outcomes: Vec<OutcomeTotal>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// unit | level | round | category
    pub group: Option<String>,
    pub round_id: Option<i64>,
    pub org_id: Option<i64>,
}

/// 整改完成率, 按期整改率, overdue and ageing, long-term and extensions (domain.md §10), by
/// unit, level, round or category, within the caller's scope.
#[utoipa::path(get, operation_id = "rect_stats", path = "/api/v1/rect/stats", tag = "rect", params(StatsQuery),
    responses((status = 200, body = RectStatsResponse)))]
async fn stats(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<axum::Json<RectStatsResponse>> {
    let group = match q.group.as_deref().unwrap_or("unit") {
        "unit" => StatGroup::Unit,
        "level" => StatGroup::Level,
        "round" => StatGroup::Round,
        "category" => StatGroup::Category,
        v => {
            return Err(ApiError::field(
                "group",
                &Msg::new("validation.unknown_value")
                    .arg("field", "field.group")
                    .arg("value", v)
                    .arg("allowed", "unit, level, round, category"),
            ));
        }
    };
    let today = st.db.today();
    let totals = store::stats(
        &st.db,
        &auth.scope,
        StatGroup::None,
        q.round_id,
        q.org_id,
        today,
    )
    .await
    .map_err(not_found())?;
    let rows = store::stats(&st.db, &auth.scope, group, q.round_id, q.org_id, today)
        .await
        .map_err(not_found())?;
    let level = |code: &str| {
        xuncha_domain::org::OrgKind::from_code(code)
            .map_or_else(|| code.to_string(), |k| k.label().to_string())
    };
    let outcomes = store::outcome_totals(&st.db, &auth.scope, None, q.round_id, q.org_id)
        .await
        .map_err(not_found())?
        .into_iter()
        .map(|(kind, records, count, amount_fen)| OutcomeTotal {
            kind_name: label(&kind, OutcomeKind::from_code, OutcomeKind::label),
            kind,
            records,
            count,
            amount_fen,
        })
        .collect();
    Ok(axum::Json(RectStatsResponse {
        outcomes,
        totals: stats_dto(&totals.into_iter().next().unwrap_or_default()),
        rows: rows
            .iter()
            .map(|c| StatRow {
                key: c.key.clone(),
                label: if group == StatGroup::Level {
                    level(&c.label)
                } else {
                    c.label.clone()
                },
                stats: stats_dto(c),
            })
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Testing clock

#[derive(Debug, Serialize, ToSchema)]
pub struct ClockDto {
    pub today: String,
    pub controllable: bool,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockMove {
    pub advance_days: i64,
}

#[utoipa::path(get, operation_id = "testing_clock", path = "/api/v1/testing/clock", tag = "testing",
    responses((status = 200, body = ClockDto)))]
async fn get_clock(State(st): State<AppState>, _auth: Auth) -> axum::Json<ClockDto> {
    axum::Json(ClockDto {
        today: date_str(st.db.today()),
        controllable: st.clock().is_controllable(),
    })
}

/// Moves the server's date forward (only when started with `clock_control = true`), then runs
/// the scheduler once so warnings reflect the new date.
#[utoipa::path(post, operation_id = "testing_clock_move", path = "/api/v1/testing/clock", tag = "testing",
    request_body = ClockMove, responses((status = 200, body = ClockDto), (status = 404, body = crate::error::Problem)))]
async fn move_clock(
    State(st): State<AppState>,
    _auth: Auth,
    ApiJson(b): ApiJson<ClockMove>,
) -> ApiResult<axum::Json<ClockDto>> {
    if !(0..=3650).contains(&b.advance_days) || !st.clock().advance(b.advance_days) {
        return Err(ApiError::not_found("api.not_found"));
    }
    xuncha_store::accounts::shift_sessions(&st.db, time::Duration::days(b.advance_days)).await?;
    crate::scheduler::tick(&st).await?;
    Ok(axum::Json(ClockDto {
        today: date_str(st.db.today()),
        controllable: true,
    }))
}

//! 三清单一台账: the 问题清单 (one line per problem), the 任务清单 (one line per measure) and the
//! 责任清单 (measures grouped by responsible leader and lead department), as paged views and as
//! sheets of the ledger export beside the 台账.

use std::collections::BTreeMap;

use axum::extract::State;
use serde::Serialize;
use time::Date;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use xuncha_domain::i18n::Msg;
use xuncha_domain::inspection::FindingState;
use xuncha_domain::rectification::{MeasureState, Outcome, measure_overdue};
use xuncha_store::PageReq;
use xuncha_store::rectification::{self as store, LedgerRow, Measure, TaskLine};

use super::super::ApiQuery;
use super::super::common::date_str;
use super::{LedgerQuery, book};
use crate::auth::{Need, RectRead};
use crate::error::{ApiError, ApiResult};
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(task_list))
        .routes(routes!(owner_list))
}

fn measure_state_name(state: MeasureState, overdue: bool) -> String {
    let key = if state == MeasureState::Done {
        "measure_state.DONE"
    } else if overdue {
        "measure_state.overdue"
    } else {
        "measure_state.OPEN"
    };
    Msg::new(key).render()
}

fn co_depts(json: &str) -> Vec<String> {
    serde_json::from_str::<Vec<String>>(json).unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskLineDto {
    /// The measure.
    pub id: i64,
    pub finding_id: i64,
    pub org_name: String,
    pub round_name: String,
    /// The problem the measure answers.
    pub title: String,
    pub finding_state: String,
    pub finding_state_name: String,
    #[schema(value_type = crate::codes::MeasureKind)]
    pub kind: String,
    pub kind_name: String,
    pub content: String,
    pub target: String,
    pub responsible_leader: String,
    pub lead_dept: String,
    pub co_depts: Vec<String>,
    pub deadline: String,
    pub original_deadline: String,
    /// OPEN | DONE
    #[schema(value_type = crate::codes::MeasureState)]
    pub state: String,
    pub state_name: String,
    pub overdue: bool,
}

fn task_dto(m: TaskLine, today: Date) -> TaskLineDto {
    let overdue = measure_overdue(m.state, m.deadline, m.finding_state, today);
    TaskLineDto {
        id: m.id,
        finding_id: m.finding_id.get(),
        org_name: m.org_name,
        round_name: m.round_name,
        title: m.title,
        finding_state_name: m.finding_state.label().to_string(),
        finding_state: m.finding_state.code().to_string(),
        kind_name: m.kind.label().to_string(),
        kind: m.kind.code().to_string(),
        content: m.content,
        target: m.target,
        responsible_leader: m.responsible_leader,
        lead_dept: m.lead_dept,
        co_depts: co_depts(&m.co_depts),
        deadline: date_str(m.deadline),
        original_deadline: date_str(m.original_deadline),
        state_name: measure_state_name(m.state, overdue),
        state: m.state.code().to_string(),
        overdue,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TaskPage {
    pub items: Vec<TaskLineDto>,
    pub total: i64,
}

/// The 任务清单: one line per measure of the ledger items matching the ledger filters, in
/// deadline order.
#[utoipa::path(get, operation_id = "rect_task_list", path = "/api/v1/rect/lists/tasks", tag = "rect", params(LedgerQuery),
    responses((status = 200, body = TaskPage)))]
async fn task_list(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<axum::Json<TaskPage>> {
    let t = book(&st, &auth).await?.dates();
    let page = store::task_list(
        &st.db,
        &auth.scope,
        &q.filter(&auth)?,
        &t,
        PageReq::new(q.page, q.page_size),
    )
    .await
    .map_err(ApiError::not_found_as("rect.not_found"))?;
    Ok(axum::Json(TaskPage {
        items: page
            .items
            .into_iter()
            .map(|m| task_dto(m, t.today))
            .collect(),
        total: page.total,
    }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerGroupDto {
    pub responsible_leader: String,
    pub lead_dept: String,
    pub measure_count: i64,
    /// Measures not yet done.
    pub open_count: i64,
    pub overdue_count: i64,
    /// The earliest deadline of a measure not yet done.
    pub next_deadline: Option<String>,
    pub measures: Vec<TaskLineDto>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OwnerPage {
    pub items: Vec<OwnerGroupDto>,
    pub total: i64,
}

/// The 责任清单: who answers for which measures — groups of responsible leader and lead
/// department in name order, each with its measures, deadlines and state.
#[utoipa::path(get, operation_id = "rect_owner_list", path = "/api/v1/rect/lists/owners", tag = "rect", params(LedgerQuery),
    responses((status = 200, body = OwnerPage)))]
async fn owner_list(
    State(st): State<AppState>,
    Need(auth, _): Need<RectRead>,
    ApiQuery(q): ApiQuery<LedgerQuery>,
) -> ApiResult<axum::Json<OwnerPage>> {
    let t = book(&st, &auth).await?.dates();
    let page = store::owner_list(
        &st.db,
        &auth.scope,
        &q.filter(&auth)?,
        &t,
        PageReq::new(q.page, q.page_size),
    )
    .await
    .map_err(ApiError::not_found_as("rect.not_found"))?;
    Ok(axum::Json(OwnerPage {
        items: page
            .items
            .into_iter()
            .map(|g| {
                let measures: Vec<TaskLineDto> = g
                    .measures
                    .into_iter()
                    .map(|m| task_dto(m, t.today))
                    .collect();
                let open: Vec<&TaskLineDto> =
                    measures.iter().filter(|m| m.state != "DONE").collect();
                OwnerGroupDto {
                    responsible_leader: g.responsible_leader,
                    lead_dept: g.lead_dept,
                    measure_count: i64::try_from(measures.len()).unwrap_or(0),
                    open_count: i64::try_from(open.len()).unwrap_or(0),
                    overdue_count: i64::try_from(open.iter().filter(|m| m.overdue).count())
                        .unwrap_or(0),
                    next_deadline: open.iter().map(|m| m.deadline.clone()).min(),
                    measures,
                }
            })
            .collect(),
        total: page.total,
    }))
}

// ---------------------------------------------------------------------------------------------
// The export's extra sheets

pub const PROBLEM_HEADERS: [&str; 10] = [
    "column.seq",
    "column.rect.unit",
    "column.rect.round",
    "column.rect.problem",
    "column.rect.category",
    "column.rect.measure_count",
    "column.rect.deadline",
    "column.rect.state",
    "column.rect.outcome",
    "column.rect.closed_on",
];
pub const PROBLEM_WIDTHS: [f64; 10] = [6.0, 20.0, 20.0, 40.0, 16.0, 10.0, 12.0, 12.0, 16.0, 12.0];

pub const TASK_HEADERS: [&str; 12] = [
    "column.seq",
    "column.rect.unit",
    "column.rect.problem",
    "column.rect.measure_kind",
    "column.rect.measure",
    "column.rect.target",
    "column.rect.leader",
    "column.rect.lead_dept",
    "column.rect.co_depts",
    "column.rect.deadline",
    "column.rect.original_deadline",
    "column.rect.measure_state",
];
pub const TASK_WIDTHS: [f64; 12] = [
    6.0, 20.0, 36.0, 10.0, 40.0, 30.0, 10.0, 14.0, 16.0, 12.0, 12.0, 10.0,
];

pub const OWNER_HEADERS: [&str; 8] = [
    "column.seq",
    "column.rect.leader",
    "column.rect.lead_dept",
    "column.rect.measures",
    "column.rect.open_measures",
    "column.rect.overdue_measures",
    "column.rect.next_deadline",
    "column.rect.owned_measures",
];
pub const OWNER_WIDTHS: [f64; 8] = [6.0, 12.0, 16.0, 8.0, 8.0, 8.0, 12.0, 80.0];

/// The headers of the sheets, from the catalogue (the consts above hold their keys).
pub static PROBLEM_TEXTS: std::sync::LazyLock<[&str; 10]> =
    std::sync::LazyLock::new(|| PROBLEM_HEADERS.map(xuncha_domain::i18n::text));
pub static TASK_TEXTS: std::sync::LazyLock<[&str; 12]> =
    std::sync::LazyLock::new(|| TASK_HEADERS.map(xuncha_domain::i18n::text));
pub static OWNER_TEXTS: std::sync::LazyLock<[&str; 8]> =
    std::sync::LazyLock::new(|| OWNER_HEADERS.map(xuncha_domain::i18n::text));

/// A 问题清单 line: the export's `seq`-th ledger row.
pub fn problem_line(seq: u64, r: &LedgerRow) -> Vec<String> {
    vec![
        seq.to_string(),
        r.org_name.clone(),
        r.round_name.clone(),
        r.title.clone(),
        r.category_name.clone().unwrap_or_default(),
        r.measure_count.to_string(),
        r.deadline.map(date_str).unwrap_or_default(),
        r.state.label().to_string(),
        r.outcome
            .as_deref()
            .and_then(Outcome::from_code)
            .map(|o| o.label().to_string())
            .unwrap_or_default(),
        r.closed_on
            .filter(|_| r.state == FindingState::Closed)
            .map(date_str)
            .unwrap_or_default(),
    ]
}

/// The state a measure of item `r` shows on `today`: 已完成, 已逾期 or 整改中.
fn task_status(r: &LedgerRow, m: &Measure, today: Date) -> String {
    measure_state_name(
        m.state,
        measure_overdue(m.state, m.deadline, r.state, today),
    )
}

/// A 任务清单 line: the export's `seq`-th measure, of item `r`.
pub fn task_line(seq: u64, r: &LedgerRow, m: &Measure, today: Date) -> Vec<String> {
    vec![
        seq.to_string(),
        r.org_name.clone(),
        r.title.clone(),
        m.kind.label().to_string(),
        m.content.clone(),
        m.target.clone(),
        m.responsible_leader.clone(),
        m.lead_dept.clone(),
        co_depts(&m.co_depts).join("、"),
        date_str(m.deadline),
        date_str(m.original_deadline),
        task_status(r, m, today),
    ]
}

/// Room kept in a 责任清单 cell for the note on the measures left out.
const MORE_UNITS: usize = 80;

/// One group of the 责任清单 being gathered.
#[derive(Default)]
struct OwnerTally {
    measures: u64,
    open: u64,
    overdue: u64,
    /// The earliest deadline of an open measure.
    next: Option<Date>,
    /// Where the group's measure lines are in the line file: (offset, length in bytes).
    lines: Vec<(u64, u32)>,
    /// The cell's length so far, in UTF-16 units (Excel's measure).
    units: usize,
    /// Measures whose line did not fit in the cell.
    left_out: u64,
}

/// The 责任清单 of an export, gathered a measure at a time in export order: per responsible
/// leader and lead department (in name order, as before) the counts, the nearest open deadline
/// and the measures' lines. A cell holds what Excel allows (32,767 characters): the lines that
/// fit, in order, then a note of how many more the 任务清单 lists. The lines wait in a temporary
/// file; memory keeps each group's counts and 12 bytes per line that fits, so it grows with the
/// number of groups (the sheet's own rows), not with the export's.
pub struct OwnerBook {
    groups: BTreeMap<String, BTreeMap<String, OwnerTally>>,
    file: std::io::BufWriter<std::fs::File>,
    written: u64,
    today: Date,
}

impl OwnerBook {
    pub fn new(today: Date) -> std::io::Result<Self> {
        Ok(OwnerBook {
            groups: BTreeMap::new(),
            file: std::io::BufWriter::with_capacity(1 << 16, tempfile::tempfile()?),
            written: 0,
            today,
        })
    }

    /// Counts measure `m` of item `r` in its group.
    pub fn add(&mut self, r: &LedgerRow, m: &Measure) -> std::io::Result<()> {
        use std::io::Write;
        let dept = self.groups.entry(m.responsible_leader.clone()).or_default();
        let g = match dept.get_mut(m.lead_dept.as_str()) {
            Some(g) => g,
            None => dept.entry(m.lead_dept.clone()).or_default(),
        };
        g.measures += 1;
        if m.state != MeasureState::Done {
            g.open += 1;
            g.next = Some(g.next.map_or(m.deadline, |d| d.min(m.deadline)));
            if measure_overdue(m.state, m.deadline, r.state, self.today) {
                g.overdue += 1;
            }
        }
        if g.left_out > 0 {
            g.left_out += 1;
            return Ok(());
        }
        let line = format!(
            "{}：{}（{}，{}）",
            r.title,
            m.content,
            date_str(m.deadline),
            task_status(r, m, self.today)
        );
        let units = line.encode_utf16().count() + usize::from(!g.lines.is_empty());
        if g.units + units > xuncha_office::streamed::MAX_CELL_UNITS - MORE_UNITS {
            g.left_out = 1;
            return Ok(());
        }
        g.units += units;
        let len = u32::try_from(line.len()).map_err(std::io::Error::other)?;
        g.lines.push((self.written, len));
        self.file.write_all(line.as_bytes())?;
        self.written += u64::from(len);
        Ok(())
    }

    /// Writes the 责任清单 rows into `sheet`.
    pub fn write(
        self,
        wb: &mut xuncha_office::streamed::StreamedWorkbook,
        sheet: xuncha_office::streamed::SheetId,
    ) -> Result<(), String> {
        use std::io::{Read, Seek, SeekFrom};
        let mut file = self.file.into_inner().map_err(|e| e.to_string())?;
        let mut seq = 0u64;
        let mut buf = Vec::new();
        for (leader, depts) in self.groups {
            for (dept, g) in depts {
                seq += 1;
                let mut cell = String::with_capacity(g.units * 2);
                for (at, len) in &g.lines {
                    file.seek(SeekFrom::Start(*at)).map_err(|e| e.to_string())?;
                    buf.resize(*len as usize, 0);
                    file.read_exact(&mut buf).map_err(|e| e.to_string())?;
                    if !cell.is_empty() {
                        cell.push('\n');
                    }
                    cell.push_str(std::str::from_utf8(&buf).map_err(|e| e.to_string())?);
                }
                if g.left_out > 0 {
                    cell.push('\n');
                    cell.push_str(
                        &Msg::new("sheet.rect_owners_more")
                            .arg("count", g.left_out)
                            .render(),
                    );
                }
                let row = [
                    seq.to_string(),
                    leader.clone(),
                    dept,
                    g.measures.to_string(),
                    g.open.to_string(),
                    g.overdue.to_string(),
                    g.next.map(date_str).unwrap_or_default(),
                    cell,
                ];
                wb.push_row(sheet, &row).map_err(|e| e.to_string())?;
            }
        }
        Ok(())
    }
}

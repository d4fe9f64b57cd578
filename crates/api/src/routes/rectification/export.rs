//! The ledger export (导出台账) and the evidence archive, streamed: the rows matching the filter
//! are walked a chunk at a time in export order ([`store::LedgerWalk`]), each chunk with its
//! measures, evidence counts and latest progress is written by work on the blocking pool into
//! temporary files (rust_xlsxwriter's constant-memory sheets; a .zip entry by entry), and the
//! finished file is sent as a streamed body. Memory holds a few chunks whatever the number of
//! rows, so no export is refused for its size.

use std::collections::HashMap;
use std::fs::File;

use xuncha_domain::i18n::text;
use xuncha_office::streamed::{StreamedWorkbook, StreamedZip};
use xuncha_store::rectification::LedgerWalk;

use super::lists;
#[allow(clippy::wildcard_imports)]
use super::*;
use crate::routes::streamed::{Feed, Sink};

/// Ledger rows per chunk of an export's walk.
pub(super) const CHUNK: i64 = 1_000;

/// Chunks waiting between the reads and the writer.
const DEPTH: usize = 2;

/// One chunk of the ledger export: rows in export order with what their lines show.
struct LedgerChunk {
    rows: Vec<LedgerRow>,
    /// The rows' measures, by item then id.
    measures: Vec<store::Measure>,
    evidence: Vec<(i64, i64)>,
    latest: Vec<(i64, String)>,
}

const LEDGER_WIDTHS: [f64; 16] = [
    6.0, 20.0, 36.0, 16.0, 40.0, 10.0, 14.0, 16.0, 12.0, 12.0, 8.0, 12.0, 12.0, 30.0, 10.0, 12.0,
];

/// The name of the n-th sheet (n ≥ 2) of a sheet that filled Excel's rows: 任务清单（续1）….
fn continued(name: &str, n: usize) -> String {
    Msg::new("sheet.continued")
        .arg("sheet", name)
        .arg("n", n - 1)
        .render()
}

/// The ledger workbook of the rows matching `f` in the caller's scope: the 台账, then the
/// 问题清单, 任务清单 and 责任清单 — an unnamed temporary file, read from its start — and the
/// number of items it holds.
pub(super) async fn ledger_workbook(
    st: &AppState,
    auth: &Auth,
    f: &LedgerFilter,
    t: &Today,
) -> ApiResult<(File, usize)> {
    let today = t.today;
    let sink = Sink::spawn(DEPTH, move |feed| write_ledger(feed, today));
    let mut walk = LedgerWalk::new(&st.db, &auth.scope, f)
        .await
        .map_err(not_found())?;
    let mut items = 0;
    loop {
        let rows = walk.next(&st.db, &auth.scope, f, t, CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        items += rows.len();
        let ids: Vec<i64> = rows.iter().map(|r| r.id.get()).collect();
        let chunk = LedgerChunk {
            measures: store::measures(&st.db, &ids).await?,
            evidence: store::evidence_counts(&st.db, &ids).await?,
            latest: store::latest_progress(&st.db, &ids).await?,
            rows,
        };
        if !sink.send(chunk).await {
            break;
        }
    }
    Ok((sink.finish().await?, items))
}

/// Writes the chunks fed in, in order, then the 责任清单 gathered on the way.
fn write_ledger(feed: &mut Feed<LedgerChunk>, today: Date) -> ApiResult<File> {
    let office = |e: xuncha_office::OfficeError| ApiError::internal(&e);
    let io = |e: std::io::Error| ApiError::internal(&e);
    let mut wb = StreamedWorkbook::new(continued);
    let headers = LEDGER_HEADERS.map(text);
    let ledger = wb
        .add_sheet(text("sheet.rect_ledger"), &headers, &LEDGER_WIDTHS)
        .map_err(office)?;
    let problems = wb
        .add_sheet(
            text("sheet.rect_problems"),
            &*lists::PROBLEM_TEXTS,
            &lists::PROBLEM_WIDTHS,
        )
        .map_err(office)?;
    let tasks = wb
        .add_sheet(
            text("sheet.rect_tasks"),
            &*lists::TASK_TEXTS,
            &lists::TASK_WIDTHS,
        )
        .map_err(office)?;
    let owner_sheet = wb
        .add_sheet(
            text("sheet.rect_owners"),
            &*lists::OWNER_TEXTS,
            &lists::OWNER_WIDTHS,
        )
        .map_err(office)?;
    let mut owners = lists::OwnerBook::new(today).map_err(io)?;
    let (mut seq, mut task_seq) = (0u64, 0u64);
    while let Some(c) = feed.recv()? {
        let mut by_item: HashMap<i64, Vec<&store::Measure>> = HashMap::new();
        for m in &c.measures {
            by_item.entry(m.finding_id.get()).or_default().push(m);
        }
        let evidence: HashMap<i64, i64> = c.evidence.iter().copied().collect();
        let latest: HashMap<i64, &str> = c
            .latest
            .iter()
            .map(|(id, text)| (*id, text.as_str()))
            .collect();
        for r in &c.rows {
            seq += 1;
            let ms = by_item.get(&r.id.get()).map_or(&[][..], Vec::as_slice);
            let line = ledger_line(
                seq,
                r,
                ms,
                evidence.get(&r.id.get()).copied().unwrap_or(0),
                latest.get(&r.id.get()).copied().unwrap_or_default(),
            );
            wb.push_row(ledger, &line).map_err(office)?;
            wb.push_row(problems, &lists::problem_line(seq, r))
                .map_err(office)?;
            for m in ms {
                task_seq += 1;
                wb.push_row(tasks, &lists::task_line(task_seq, r, m, today))
                    .map_err(office)?;
                owners.add(r, m).map_err(io)?;
            }
        }
    }
    owners
        .write(&mut wb, owner_sheet)
        .map_err(|e| ApiError::internal(&e))?;
    wb.finish().map_err(office)
}

/// A 台账 line: the `seq`-th item with its measures in the cells (one per line).
fn ledger_line(
    seq: u64,
    r: &LedgerRow,
    ms: &[&store::Measure],
    evidence: i64,
    latest: &str,
) -> Vec<String> {
    let join = |f: &dyn Fn(&store::Measure) -> String| {
        ms.iter().map(|m| f(m)).collect::<Vec<_>>().join("\n")
    };
    vec![
        seq.to_string(),
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
        r.state.label().to_string(),
        r.outcome
            .as_deref()
            .map(|o| label(o, Outcome::from_code, Outcome::label))
            .unwrap_or_default(),
        latest.to_string(),
        evidence.to_string(),
        r.closed_on
            .filter(|_| r.state == FindingState::Closed)
            .map(date_str)
            .unwrap_or_default(),
    ]
}

/// One file of the evidence archive, with its manifest line.
struct ArchiveEntry {
    path: String,
    line: String,
    bytes: Vec<u8>,
}

/// The most evidence files one archive carries.
pub(super) const MAX_ARCHIVE_FILES: usize = 5_000;

/// The evidence archive of the rows matching `f`: every file of theirs (up to
/// [`MAX_ARCHIVE_FILES`]) and the 清单.csv of names, versions and SM3 hashes last, as an unnamed
/// temporary file; with the number of items walked (for the audit record).
pub(super) async fn archive_zip(
    st: &AppState,
    auth: &Auth,
    f: &LedgerFilter,
    t: &Today,
) -> ApiResult<(File, usize)> {
    let sink = Sink::spawn(DEPTH, write_archive);
    let mut walk = LedgerWalk::new(&st.db, &auth.scope, f)
        .await
        .map_err(not_found())?;
    let clean = |s: &str| dom::clean_file_name(s).replace(['/', '\\'], "");
    let (mut items, mut files) = (0usize, 0usize);
    'walk: loop {
        let rows = walk.next(&st.db, &auth.scope, f, t, CHUNK).await?;
        if rows.is_empty() {
            break;
        }
        items += rows.len();
        if files >= MAX_ARCHIVE_FILES {
            continue;
        }
        let ids: Vec<i64> = rows.iter().map(|r| r.id.get()).collect();
        let mut links: HashMap<i64, Vec<store::FileLink>> = HashMap::new();
        for l in store::items_files(&st.db, &ids).await? {
            links.entry(l.finding_id.unwrap_or(0)).or_default().push(l);
        }
        for r in &rows {
            for l in links.get(&r.id.get()).into_iter().flatten() {
                if files >= MAX_ARCHIVE_FILES {
                    continue 'walk;
                }
                let short: String = r.title.chars().take(20).collect();
                let entry = ArchiveEntry {
                    path: format!(
                        "{}/{} {}/{}-{}",
                        clean(&r.org_name),
                        r.id,
                        clean(&short),
                        l.version_no,
                        clean(&l.name)
                    ),
                    line: format!(
                        "{},{},\"{}\",\"{}\",{},{},{},{}\n",
                        r.org_name,
                        r.id,
                        r.title.replace('"', "\"\""),
                        l.name.replace('"', "\"\""),
                        l.version_no,
                        date_str(l.effective_date),
                        rfc3339(l.uploaded_at),
                        l.hash
                    ),
                    bytes: store::file_bytes(&st.db, &l.hash).await?,
                };
                files += 1;
                if !sink.send(entry).await {
                    break 'walk;
                }
            }
        }
    }
    Ok((sink.finish().await?, items))
}

fn write_archive(feed: &mut Feed<ArchiveEntry>) -> ApiResult<File> {
    let office = |e: xuncha_office::OfficeError| ApiError::internal(&e);
    let mut zip = StreamedZip::new().map_err(office)?;
    let mut manifest = format!("\u{feff}{}\n", Msg::new("archive.manifest_header").render());
    while let Some(e) = feed.recv()? {
        zip.add(&e.path, &e.bytes).map_err(office)?;
        manifest.push_str(&e.line);
    }
    zip.add(
        &Msg::new("archive.manifest_name").render(),
        manifest.as_bytes(),
    )
    .map_err(office)?;
    zip.finish().map_err(office)
}

//! Office files: reading tables from .xlsx/.xls/.csv and writing .xlsx.
//!
//! Reading yields plain text cells with their spreadsheet coordinates, so import code can name
//! the row and column of every problem. CSV files saved by Excel on Chinese Windows are GBK;
//! they are detected (not valid UTF-8) and decoded as GB18030.

pub mod documents;
pub mod docx;
pub mod streamed;

use std::io::Cursor;
use std::sync::atomic::{AtomicBool, Ordering};

use calamine::{Data, Reader, Xlsx, open_workbook_auto_from_rs};
use rust_xlsxwriter::{Format, FormatBorder, Workbook};

#[derive(Debug, thiserror::Error)]
pub enum OfficeError {
    #[error("unsupported file type")]
    UnsupportedType,
    #[error("unreadable file: {0}")]
    Unreadable(String),
    #[error("cannot write workbook: {0}")]
    Write(String),
    #[error("cannot write document: {0}")]
    Docx(String),
    /// More data rows than [`ReadLimits::max_rows`]; reading stopped there.
    #[error("more than {max} data rows")]
    TooManyRows { max: usize },
    /// The reader's cancellation flag was set (the client went away); reading stopped.
    #[error("cancelled")]
    Cancelled,
}

/// Bounds on reading an uploaded table. Reading stops as soon as a bound is passed, so a huge
/// file costs no more than the bound, and a cancelled upload stops within [`CHECK_EVERY`] rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadLimits<'a> {
    /// The most data rows (non-blank rows after the header) accepted; 0 means no limit.
    pub max_rows: usize,
    /// Checked every [`CHECK_EVERY`] rows; when set, reading stops with
    /// [`OfficeError::Cancelled`].
    pub cancel: Option<&'a AtomicBool>,
}

/// How often (in rows) a reader looks at its cancellation flag.
pub const CHECK_EVERY: usize = 1024;

/// The most columns a table may have: a cell far to the right would otherwise make every row
/// that wide.
pub const MAX_COLUMNS: usize = 1024;

impl ReadLimits<'_> {
    /// `Err(Cancelled)` when the cancellation flag is set.
    pub fn check_cancel(&self) -> Result<(), OfficeError> {
        if self.cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
            Err(OfficeError::Cancelled)
        } else {
            Ok(())
        }
    }

    /// Counts the non-blank rows read so far (header included): refuses a row beyond the limit,
    /// and looks at the cancellation flag every [`CHECK_EVERY`] rows.
    fn admit(&self, non_blank_rows: usize) -> Result<(), OfficeError> {
        if self.max_rows > 0 && non_blank_rows > self.max_rows + 1 {
            return Err(OfficeError::TooManyRows { max: self.max_rows });
        }
        if non_blank_rows.is_multiple_of(CHECK_EVERY) {
            self.check_cancel()?;
        }
        Ok(())
    }
}

/// A table read from a file: the header row and the data rows, all as trimmed text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub headers: Vec<String>,
    /// Data rows with their 1-based row number in the file (the header is row 1).
    pub rows: Vec<(usize, Vec<String>)>,
}

impl Table {
    /// The index of the column whose header is `name` (ignoring spaces and a leading `*`,
    /// which templates use to mark required columns).
    pub fn column(&self, name: &str) -> Option<usize> {
        self.headers
            .iter()
            .position(|h| h.trim().trim_start_matches('*').trim() == name)
    }

    /// The cell at `col` of a row, empty when the row is short.
    pub fn cell(row: &[String], col: Option<usize>) -> &str {
        col.and_then(|c| row.get(c)).map_or("", String::as_str)
    }
}

/// Reads the first sheet of an .xlsx/.xls/.ods file or a .csv file, chosen by `file_name`.
pub fn read_table(bytes: &[u8], file_name: &str) -> Result<Table, OfficeError> {
    read_table_limited(bytes, file_name, ReadLimits::default())
}

/// As [`read_table`], stopping as soon as `limits` are passed. Linear in the size of the file:
/// .csv and .xlsx are streamed row by row (an .xls/.ods sheet is read whole, then counted).
pub fn read_table_limited(
    bytes: &[u8],
    file_name: &str,
    limits: ReadLimits<'_>,
) -> Result<Table, OfficeError> {
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        read_csv(bytes, limits)
    } else if [".xlsx", ".xlsm"].iter().any(|e| lower.ends_with(e)) && bytes.starts_with(b"PK") {
        read_xlsx_streamed(bytes, limits)
    } else if [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        let table = read_sheet_at(bytes, None)?;
        limits.check_cancel()?;
        if limits.max_rows > 0 && table.rows.len() > limits.max_rows {
            return Err(OfficeError::TooManyRows {
                max: limits.max_rows,
            });
        }
        Ok(table)
    } else {
        Err(OfficeError::UnsupportedType)
    }
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) => s.trim().to_string(),
        // Integral floats print without ".0" (codes typed as numbers in Excel).
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{f:.0}"),
        Data::Float(f) => f.to_string(),
        Data::Int(i) => i.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => dt.to_string(),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn is_blank(r: &[String]) -> bool {
    r.iter().all(String::is_empty)
}

/// Splits rows into the header (the first non-blank row) and the non-blank data rows.
fn split(rows: Vec<(usize, Vec<String>)>) -> Table {
    let mut rows = rows.into_iter().filter(|(_, r)| !is_blank(r));
    match rows.next() {
        None => Table {
            headers: Vec::new(),
            rows: Vec::new(),
        },
        Some((_, headers)) => Table {
            headers,
            rows: rows.collect(),
        },
    }
}

/// Reads the first sheet of an .xlsx cell by cell (no whole-sheet grid), stopping at the limits.
fn read_xlsx_streamed(bytes: &[u8], limits: ReadLimits<'_>) -> Result<Table, OfficeError> {
    let unreadable = |e: calamine::XlsxError| OfficeError::Unreadable(e.to_string());
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(unreadable)?;
    let first = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| OfficeError::Unreadable("no sheet".into()))?;
    let mut cells = wb.worksheet_cells_reader(&first).map_err(unreadable)?;
    let mut rows: Vec<(usize, Vec<String>)> = Vec::new();
    let mut current: Option<(u32, Vec<String>)> = None;
    let mut non_blank = 0usize;
    let mut finish = |row: Option<(u32, Vec<String>)>,
                      rows: &mut Vec<(usize, Vec<String>)>|
     -> Result<(), OfficeError> {
        if let Some((r, cells)) = row
            && !is_blank(&cells)
        {
            non_blank += 1;
            limits.admit(non_blank)?;
            rows.push((usize::try_from(r).unwrap_or(usize::MAX - 1) + 1, cells));
        }
        Ok(())
    };
    while let Some(cell) = cells.next_cell().map_err(unreadable)? {
        let (r, c) = cell.get_position();
        let c = usize::try_from(c).unwrap_or(usize::MAX);
        if c >= MAX_COLUMNS {
            return Err(OfficeError::Unreadable(format!(
                "more than {MAX_COLUMNS} columns"
            )));
        }
        if current.as_ref().is_some_and(|(cr, _)| *cr != r) {
            finish(current.take(), &mut rows)?;
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        let row = &mut current.get_or_insert_with(|| (r, Vec::new())).1;
        if row.len() <= c {
            row.resize(c + 1, String::new());
        }
        row[c] = text;
    }
    finish(current.take(), &mut rows)?;
    Ok(split(rows))
}

/// The names of a workbook's sheets, in order.
pub fn sheet_names(bytes: &[u8]) -> Result<Vec<String>, OfficeError> {
    let wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| OfficeError::Unreadable(e.to_string()))?;
    Ok(wb.sheet_names())
}

/// Reads the sheet called `name` of an .xlsx/.xls/.ods workbook.
pub fn read_sheet(bytes: &[u8], name: &str) -> Result<Table, OfficeError> {
    read_sheet_at(bytes, Some(name))
}

fn read_sheet_at(bytes: &[u8], name: Option<&str>) -> Result<Table, OfficeError> {
    let mut wb = open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|e| OfficeError::Unreadable(e.to_string()))?;
    let range = match name {
        Some(n) => wb.worksheet_range(n),
        None => wb
            .worksheet_range_at(0)
            .ok_or_else(|| OfficeError::Unreadable("no sheet".into()))?,
    }
    .map_err(|e| OfficeError::Unreadable(e.to_string()))?;
    let first_row = usize::try_from(range.start().map_or(0, |(r, _)| r)).unwrap_or(0);
    let first_col = usize::try_from(range.start().map_or(0, |(_, c)| c)).unwrap_or(0);
    let rows = range
        .rows()
        .enumerate()
        .map(|(i, r)| {
            let mut cells = vec![String::new(); first_col];
            cells.extend(r.iter().map(cell_text));
            (first_row + i + 1, cells)
        })
        .collect();
    Ok(split(rows))
}

fn read_csv(bytes: &[u8], limits: ReadLimits<'_>) -> Result<Table, OfficeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text: std::borrow::Cow<'_, str> = match std::str::from_utf8(bytes) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(OfficeError::Unreadable(
                    "neither UTF-8 nor GB18030 text".into(),
                ));
            }
            s
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut non_blank = 0usize;
    // Newlines are counted once, from the previous record on: linear in the file.
    let (mut counted_to, mut newlines) = (0usize, 0usize);
    let mut rec = csv::StringRecord::new();
    while reader
        .read_record(&mut rec)
        .map_err(|e| OfficeError::Unreadable(e.to_string()))?
    {
        // The row a person sees in an editor: newlines before the record's first byte, plus one.
        // (The reader reports the position before the blank lines it skipped.)
        let mut byte = rec
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        let byte = byte.min(text.len()).max(counted_to);
        newlines += text.as_bytes()[counted_to..byte]
            .iter()
            .filter(|b| **b == b'\n')
            .count();
        counted_to = byte;
        if rec.len() > MAX_COLUMNS {
            return Err(OfficeError::Unreadable(format!(
                "more than {MAX_COLUMNS} columns"
            )));
        }
        let cells: Vec<String> = rec.iter().map(|c| c.trim().to_string()).collect();
        if is_blank(&cells) {
            continue;
        }
        non_blank += 1;
        limits.admit(non_blank)?;
        rows.push((newlines + 1, cells));
    }
    Ok(split(rows))
}

/// Writes one sheet with a bold, bordered header row, frozen below the header, and column widths
/// that fit Chinese text.
pub fn write_xlsx(
    sheet_name: &str,
    headers: &[&str],
    widths: &[f64],
    rows: impl Iterator<Item = Vec<String>>,
) -> Result<Vec<u8>, OfficeError> {
    write_xlsx_sheets(vec![Sheet {
        name: sheet_name,
        headers,
        widths,
        rows: Box::new(rows),
    }])
}

/// One sheet of a workbook for [`write_xlsx_sheets`].
pub struct Sheet<'a> {
    pub name: &'a str,
    pub headers: &'a [&'a str],
    pub widths: &'a [f64],
    pub rows: Box<dyn Iterator<Item = Vec<String>> + 'a>,
}

/// Writes several sheets, in order, each laid out like [`write_xlsx`].
pub fn write_xlsx_sheets(sheets: Vec<Sheet<'_>>) -> Result<Vec<u8>, OfficeError> {
    let err = |e: rust_xlsxwriter::XlsxError| OfficeError::Write(e.to_string());
    let too_many = || OfficeError::Write("too many columns".into());
    let mut wb = Workbook::new();
    let head = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("#D9E1F2");
    for s in sheets {
        let sheet = wb.add_worksheet_with_constant_memory().map_err(err)?;
        sheet.set_name(s.name).map_err(err)?;
        for (c, h) in s.headers.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_many())?;
            sheet
                .write_string_with_format(0, col, *h, &head)
                .map_err(err)?;
            sheet
                .set_column_width(col, s.widths.get(c).copied().unwrap_or(16.0))
                .map_err(err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(err)?;
        for (r, row) in s.rows.enumerate() {
            let r = u32::try_from(r + 1).map_err(|_| OfficeError::Write("too many rows".into()))?;
            for (c, v) in row.iter().enumerate() {
                if !v.is_empty() {
                    let col = u16::try_from(c).map_err(|_| too_many())?;
                    sheet.write_string(r, col, v).map_err(err)?;
                }
            }
        }
    }
    wb.save_to_buffer().map_err(err)
}

/// Writes a .zip archive of `(path, bytes)` entries (deflated; UTF-8 names).
pub fn write_zip(entries: impl Iterator<Item = (String, Vec<u8>)>) -> Result<Vec<u8>, OfficeError> {
    use std::io::Write;
    let err = |e: &dyn std::fmt::Display| OfficeError::Write(e.to_string());
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (path, bytes) in entries {
        w.start_file(path, opts).map_err(|e| err(&e))?;
        w.write_all(&bytes).map_err(|e| err(&e))?;
    }
    Ok(w.finish().map_err(|e| err(&e))?.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xlsx_round_trip_keeps_text_and_row_numbers() {
        let bytes = write_xlsx(
            "组织",
            &["编码", "名称"],
            &[12.0, 30.0],
            vec![
                vec!["3301".to_string(), "青山市".to_string()],
                vec!["330101".to_string(), "东城区".to_string()],
            ]
            .into_iter(),
        )
        .unwrap();
        let t = read_table(&bytes, "x.XLSX").unwrap();
        assert_eq!(t.headers, ["编码", "名称"]);
        assert_eq!(
            t.rows,
            vec![
                (2, vec!["3301".to_string(), "青山市".to_string()]),
                (3, vec!["330101".to_string(), "东城区".to_string()])
            ]
        );
        assert_eq!(t.column("名称"), Some(1));
    }

    #[test]
    fn csv_in_gbk_is_decoded_and_blank_lines_skipped() {
        let (gbk, _, _) = encoding_rs::GBK.encode("*编码,名称\n3301,青山市\n\n3302,白水市\n");
        let t = read_table(&gbk, "orgs.csv").unwrap();
        assert_eq!(t.column("编码"), Some(0));
        assert_eq!(t.rows.len(), 2);
        assert_eq!(
            t.rows[1],
            (4, vec!["3302".to_string(), "白水市".to_string()])
        );
    }

    #[test]
    fn reading_stops_at_the_row_limit_and_on_cancel() {
        let mut csv = String::from("编码,名称\n\n");
        for i in 0..50 {
            csv.push_str(&format!("{i},单位{i}\n\n"));
        }
        let at = |max_rows| ReadLimits {
            max_rows,
            cancel: None,
        };
        let t = read_table_limited(csv.as_bytes(), "a.csv", at(50)).unwrap();
        assert_eq!(t.rows.len(), 50);
        // Blank lines do not count, and row numbers stay those of the file.
        assert_eq!(t.rows[49].0, 101);
        assert!(matches!(
            read_table_limited(csv.as_bytes(), "a.csv", at(49)),
            Err(OfficeError::TooManyRows { max: 49 })
        ));
        let rows = (0..50).map(|i| vec![i.to_string(), format!("单位{i}")]);
        let xlsx = write_xlsx("s", &["编码", "名称"], &[], rows).unwrap();
        assert_eq!(
            read_table_limited(&xlsx, "a.xlsx", at(50))
                .unwrap()
                .rows
                .len(),
            50
        );
        assert!(matches!(
            read_table_limited(&xlsx, "a.xlsx", at(49)),
            Err(OfficeError::TooManyRows { max: 49 })
        ));
        let cancelled = AtomicBool::new(true);
        let mut big = String::from("a\n");
        for i in 0..(2 * CHECK_EVERY) {
            big.push_str(&format!("{i}\n"));
        }
        let limits = ReadLimits {
            max_rows: 0,
            cancel: Some(&cancelled),
        };
        assert!(matches!(
            read_table_limited(big.as_bytes(), "a.csv", limits),
            Err(OfficeError::Cancelled)
        ));
    }

    #[test]
    fn streamed_xlsx_keeps_columns_and_row_numbers_of_sparse_sheets() {
        use rust_xlsxwriter::Workbook;
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        ws.write_string(2, 1, "编码").unwrap();
        ws.write_string(2, 3, "名称").unwrap();
        ws.write_number(4, 1, 3301.0).unwrap();
        ws.write_string(4, 3, "青山市").unwrap();
        ws.write_string(7, 3, "只有名称").unwrap();
        let bytes = wb.save_to_buffer().unwrap();
        let t = read_table(&bytes, "s.xlsx").unwrap();
        assert_eq!(t.column("编码"), Some(1));
        assert_eq!(t.column("名称"), Some(3));
        assert_eq!(
            t.rows,
            vec![
                (
                    5,
                    vec![String::new(), "3301".into(), String::new(), "青山市".into()]
                ),
                (
                    8,
                    vec![
                        String::new(),
                        String::new(),
                        String::new(),
                        "只有名称".into()
                    ]
                ),
            ]
        );
    }

    #[test]
    fn utf8_bom_csv_and_unknown_types() {
        let t = read_table("\u{feff}编码,名称\n1,甲\n".as_bytes(), "a.csv").unwrap();
        assert_eq!(t.headers[0], "编码");
        assert!(matches!(
            read_table(b"x", "a.pdf"),
            Err(OfficeError::UnsupportedType)
        ));
        assert!(matches!(
            read_table(b"not a zip", "a.xlsx"),
            Err(OfficeError::Unreadable(_))
        ));
    }
}

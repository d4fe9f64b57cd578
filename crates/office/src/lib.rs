//! Office files: reading tables from .xlsx/.xls/.csv and writing .xlsx.
//!
//! Reading yields plain text cells with their spreadsheet coordinates, so import code can name
//! the row and column of every problem. CSV files saved by Excel on Chinese Windows are GBK;
//! they are detected (not valid UTF-8) and decoded as GB18030.

pub mod docx;

use std::io::Cursor;

use calamine::{Data, Reader, open_workbook_auto_from_rs};
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
    let lower = file_name.to_ascii_lowercase();
    if lower.ends_with(".csv") {
        read_csv(bytes)
    } else if [".xlsx", ".xlsm", ".xls", ".ods"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        read_workbook(bytes)
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

fn split(mut rows: Vec<(usize, Vec<String>)>) -> Table {
    // Skip leading blank rows; the first non-blank row is the header.
    while rows
        .first()
        .is_some_and(|(_, r)| r.iter().all(String::is_empty))
    {
        rows.remove(0);
    }
    if rows.is_empty() {
        return Table {
            headers: Vec::new(),
            rows: Vec::new(),
        };
    }
    let (_, headers) = rows.remove(0);
    rows.retain(|(_, r)| r.iter().any(|c| !c.is_empty()));
    Table { headers, rows }
}

fn read_workbook(bytes: &[u8]) -> Result<Table, OfficeError> {
    read_sheet_at(bytes, None)
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

fn read_csv(bytes: &[u8]) -> Result<Table, OfficeError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(s) => s.to_string(),
        Err(_) => {
            let (s, _, had_errors) = encoding_rs::GB18030.decode(bytes);
            if had_errors {
                return Err(OfficeError::Unreadable(
                    "neither UTF-8 nor GB18030 text".into(),
                ));
            }
            s.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    for rec in reader.records() {
        let rec = rec.map_err(|e| OfficeError::Unreadable(e.to_string()))?;
        // The row a person sees in an editor: newlines before the record's first byte, plus one.
        // (The reader reports the position before the blank lines it skipped.)
        let mut byte = rec
            .position()
            .map_or(0, |p| usize::try_from(p.byte()).unwrap_or(0));
        while matches!(text.as_bytes().get(byte), Some(b'\n' | b'\r')) {
            byte += 1;
        }
        let line = text.as_bytes()[..byte.min(text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1;
        rows.push((line, rec.iter().map(|c| c.trim().to_string()).collect()));
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

//! Workbooks too large to hold in memory: written row by row, each sheet's rows going to a
//! temporary file as they come (rust_xlsxwriter's "constant memory" worksheets), the finished
//! .xlsx into another temporary file that the caller streams out.
//!
//! Memory stays one row per sheet whatever the number of rows. The disk holds each sheet's cell
//! XML until the workbook is finished (uncompressed, in the temporary directory: `TMPDIR`, or
//! /tmp), then the compressed workbook; the temporary files have no name and go away when
//! closed. A sheet that reaches Excel's last row continues on a new sheet (see
//! [`StreamedWorkbook::new`]), and a cell longer than Excel allows is cut with "…", so a large
//! export never fails half-way on Excel's limits.

use std::fs::File;
use std::io::{BufWriter, Seek};

use rust_xlsxwriter::{Format, FormatBorder, Workbook, Worksheet};

use crate::OfficeError;

/// The most data rows a sheet holds: Excel's 1,048,576 rows less the header.
pub const MAX_SHEET_ROWS: u32 = 1_048_575;

/// The longest text a cell holds, in UTF-16 code units (Excel's limit).
pub const MAX_CELL_UNITS: usize = 32_767;

/// A sheet of a [`StreamedWorkbook`] (with its continuations).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SheetId(usize);

/// One sheet as the reader sees it: its name, columns and the worksheets it fills in turn.
struct Logical {
    name: String,
    headers: Vec<String>,
    widths: Vec<f64>,
    parts: Vec<Worksheet>,
    /// Data rows in the last part.
    rows: u32,
}

/// Names the n-th part of a sheet: `(name, n)`.
type ContinuedName = Box<dyn Fn(&str, usize) -> String + Send>;

/// A workbook written row by row in constant memory. Sheets are added up front (in the order
/// they appear), then rows are pushed to any of them in any interleaving; within a sheet rows
/// appear in the order pushed.
pub struct StreamedWorkbook {
    wb: Workbook,
    head: Format,
    sheets: Vec<Logical>,
    continued: ContinuedName,
    /// Data rows per sheet ([`MAX_SHEET_ROWS`]; fewer in tests).
    max_rows: u32,
}

fn write_err(e: rust_xlsxwriter::XlsxError) -> OfficeError {
    OfficeError::Write(e.to_string())
}

/// `text` cut to Excel's cell limit: the longest prefix that fits with a trailing "…".
pub fn fit_cell(text: &str) -> std::borrow::Cow<'_, str> {
    // A UTF-8 string has at least as many bytes as UTF-16 units: short strings fit.
    if text.len() <= MAX_CELL_UNITS || text.encode_utf16().count() <= MAX_CELL_UNITS {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut units = 0;
    let mut end = 0;
    for (i, c) in text.char_indices() {
        if units + c.len_utf16() > MAX_CELL_UNITS - 1 {
            break;
        }
        units += c.len_utf16();
        end = i + c.len_utf8();
    }
    std::borrow::Cow::Owned(format!("{}…", &text[..end]))
}

impl StreamedWorkbook {
    /// A new workbook; `continued(name, n)` names the n-th sheet (n ≥ 2) of a sheet called
    /// `name` once it has filled [`MAX_SHEET_ROWS`] rows (at most 31 characters, unique).
    pub fn new(continued: impl Fn(&str, usize) -> String + Send + 'static) -> Self {
        StreamedWorkbook {
            wb: Workbook::new(),
            head: Format::new()
                .set_bold()
                .set_border(FormatBorder::Thin)
                .set_background_color("#D9E1F2"),
            sheets: Vec::new(),
            continued: Box::new(continued),
            max_rows: MAX_SHEET_ROWS,
        }
    }

    /// A worksheet named `name` with the header row (bold, bordered, frozen) and column widths.
    fn part(
        &mut self,
        name: &str,
        headers: &[String],
        widths: &[f64],
    ) -> Result<Worksheet, OfficeError> {
        let too_many = || OfficeError::Write("too many columns".into());
        let mut sheet = self
            .wb
            .new_worksheet_with_constant_memory()
            .map_err(write_err)?;
        sheet.set_name(name).map_err(write_err)?;
        for (c, h) in headers.iter().enumerate() {
            let col = u16::try_from(c).map_err(|_| too_many())?;
            sheet
                .write_string_with_format(0, col, h, &self.head)
                .map_err(write_err)?;
            sheet
                .set_column_width(col, widths.get(c).copied().unwrap_or(16.0))
                .map_err(write_err)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(write_err)?;
        Ok(sheet)
    }

    /// Adds a sheet (after those added before) and returns its handle.
    pub fn add_sheet(
        &mut self,
        name: &str,
        headers: &[&str],
        widths: &[f64],
    ) -> Result<SheetId, OfficeError> {
        let headers: Vec<String> = headers.iter().map(|h| (*h).to_string()).collect();
        let first = self.part(name, &headers, widths)?;
        self.sheets.push(Logical {
            name: name.to_string(),
            headers,
            widths: widths.to_vec(),
            parts: vec![first],
            rows: 0,
        });
        Ok(SheetId(self.sheets.len() - 1))
    }

    /// Appends a row of text cells (empty cells are left blank) to a sheet, continuing on a new
    /// sheet when the current one is full.
    pub fn push_row<S: AsRef<str>>(&mut self, id: SheetId, row: &[S]) -> Result<(), OfficeError> {
        let full = self
            .sheets
            .get(id.0)
            .ok_or_else(|| OfficeError::Write("no such sheet".into()))?
            .rows
            >= self.max_rows;
        if full {
            let s = &self.sheets[id.0];
            let name = (self.continued)(&s.name, s.parts.len() + 1);
            let (headers, widths) = (s.headers.clone(), s.widths.clone());
            let next = self.part(&name, &headers, &widths)?;
            let s = &mut self.sheets[id.0];
            s.parts.push(next);
            s.rows = 0;
        }
        let s = &mut self.sheets[id.0];
        s.rows += 1;
        let r = s.rows;
        let sheet = s
            .parts
            .last_mut()
            .ok_or_else(|| OfficeError::Write("no worksheet".into()))?;
        for (c, v) in row.iter().enumerate() {
            let v = v.as_ref();
            if !v.is_empty() {
                let col =
                    u16::try_from(c).map_err(|_| OfficeError::Write("too many columns".into()))?;
                sheet.write_string(r, col, fit_cell(v)).map_err(write_err)?;
            }
        }
        Ok(())
    }

    /// Data rows pushed to a sheet so far (over all its parts).
    pub fn rows(&self, id: SheetId) -> u64 {
        self.sheets.get(id.0).map_or(0, |s| {
            (s.parts.len() as u64 - 1) * u64::from(self.max_rows) + u64::from(s.rows)
        })
    }

    /// Writes the workbook into an unnamed temporary file and returns it, positioned at its
    /// start (the sheets' temporary files are removed as they are copied in).
    pub fn finish(mut self) -> Result<File, OfficeError> {
        let io = |e: std::io::Error| OfficeError::Write(e.to_string());
        for s in std::mem::take(&mut self.sheets) {
            for part in s.parts {
                self.wb.push_worksheet(part);
            }
        }
        let file = tempfile::tempfile().map_err(io)?;
        let mut out = BufWriter::with_capacity(1 << 16, file);
        self.wb.save_to_writer(&mut out).map_err(write_err)?;
        let mut file = out.into_inner().map_err(|e| io(e.into_error()))?;
        file.rewind().map_err(io)?;
        Ok(file)
    }
}

/// A .zip archive written entry by entry into an unnamed temporary file (deflated, UTF-8
/// names): memory holds one entry at a time.
pub struct StreamedZip {
    w: zip::ZipWriter<BufWriter<File>>,
}

impl StreamedZip {
    pub fn new() -> Result<Self, OfficeError> {
        let file = tempfile::tempfile().map_err(|e| OfficeError::Write(e.to_string()))?;
        Ok(StreamedZip {
            w: zip::ZipWriter::new(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// Adds the entry `path` holding `bytes`.
    pub fn add(&mut self, path: &str, bytes: &[u8]) -> Result<(), OfficeError> {
        use std::io::Write;
        let err = |e: &dyn std::fmt::Display| OfficeError::Write(e.to_string());
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .large_file(bytes.len() as u64 >= u64::from(u32::MAX));
        self.w.start_file(path, opts).map_err(|e| err(&e))?;
        self.w.write_all(bytes).map_err(|e| err(&e))
    }

    /// Finishes the archive and returns its file, positioned at its start.
    pub fn finish(self) -> Result<File, OfficeError> {
        let err = |e: &dyn std::fmt::Display| OfficeError::Write(e.to_string());
        let out = self.w.finish().map_err(|e| err(&e))?;
        let mut file = out.into_inner().map_err(|e| err(&e.into_error()))?;
        file.rewind().map_err(|e| err(&e))?;
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    fn bytes(mut f: File) -> Vec<u8> {
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        b
    }

    #[test]
    fn sheets_keep_their_order_and_rows_whatever_the_interleaving() {
        let mut wb = StreamedWorkbook::new(|n, i| format!("{n}（续{}）", i - 1));
        let a = wb.add_sheet("甲", &["序号", "名称"], &[6.0, 20.0]).unwrap();
        let b = wb.add_sheet("乙", &["名称"], &[]).unwrap();
        for i in 0..500 {
            wb.push_row(a, &[(i + 1).to_string(), format!("单位{i}")])
                .unwrap();
            if i % 2 == 0 {
                wb.push_row(b, &[format!("乙{i}")]).unwrap();
            }
        }
        assert_eq!((wb.rows(a), wb.rows(b)), (500, 250));
        let xlsx = bytes(wb.finish().unwrap());
        assert_eq!(crate::sheet_names(&xlsx).unwrap(), ["甲", "乙"]);
        let t = crate::read_sheet(&xlsx, "甲").unwrap();
        assert_eq!(t.headers, ["序号", "名称"]);
        assert_eq!(t.rows.len(), 500);
        assert_eq!(t.rows[499].1, ["500", "单位499"]);
        let t = crate::read_sheet(&xlsx, "乙").unwrap();
        assert_eq!(t.rows.len(), 250);
        assert_eq!(t.rows[1].1, ["乙2"]);
    }

    #[test]
    fn a_full_sheet_continues_on_the_next_with_the_header() {
        let mut wb = StreamedWorkbook::new(|n, i| format!("{n}（续{}）", i - 1));
        wb.max_rows = 3;
        let a = wb.add_sheet("任务清单", &["序号"], &[6.0]).unwrap();
        let b = wb.add_sheet("责任清单", &["序号"], &[6.0]).unwrap();
        for i in 1..=7 {
            wb.push_row(a, &[i.to_string()]).unwrap();
        }
        wb.push_row(b, &["x"]).unwrap();
        assert_eq!(wb.rows(a), 7);
        let xlsx = bytes(wb.finish().unwrap());
        assert_eq!(
            crate::sheet_names(&xlsx).unwrap(),
            ["任务清单", "任务清单（续1）", "任务清单（续2）", "责任清单"]
        );
        let second = crate::read_sheet(&xlsx, "任务清单（续1）").unwrap();
        assert_eq!(second.headers, ["序号"]);
        let cells: Vec<&str> = second.rows.iter().map(|(_, r)| r[0].as_str()).collect();
        assert_eq!(cells, ["4", "5", "6"]);
        assert_eq!(
            crate::read_sheet(&xlsx, "任务清单（续2）")
                .unwrap()
                .rows
                .len(),
            1
        );
    }

    #[test]
    fn a_streamed_zip_holds_its_entries() {
        let mut z = StreamedZip::new().unwrap();
        z.add("单位/1 问题/1-纪要.pdf", b"%PDF-1.4").unwrap();
        z.add("清单.csv", "单位,问题".as_bytes()).unwrap();
        let bytes = bytes(z.finish().unwrap());
        let mut ar = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(ar.len(), 2);
        let mut s = String::new();
        ar.by_name("清单.csv")
            .unwrap()
            .read_to_string(&mut s)
            .unwrap();
        assert_eq!(s, "单位,问题");
    }

    #[test]
    fn long_cells_are_cut_to_excels_limit() {
        let short = "问题".repeat(100);
        assert_eq!(fit_cell(&short), short);
        let long = "问题".repeat(20_000);
        let cut = fit_cell(&long);
        assert_eq!(cut.encode_utf16().count(), MAX_CELL_UNITS);
        assert!(cut.ends_with('…'));
        // Characters outside the BMP count two units each and are never split.
        let wide = "𠀀".repeat(20_000);
        let cut = fit_cell(&wide);
        assert!(cut.encode_utf16().count() <= MAX_CELL_UNITS);
        assert!(cut.ends_with('…'));
        let mut wb = StreamedWorkbook::new(|n, i| format!("{n}{i}"));
        let s = wb.add_sheet("s", &["a"], &[]).unwrap();
        wb.push_row(s, &[long]).unwrap();
        let xlsx = bytes(wb.finish().unwrap());
        let t = crate::read_sheet(&xlsx, "s").unwrap();
        assert!(t.rows[0].1[0].ends_with('…'));
    }
}

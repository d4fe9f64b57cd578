//! Official documents (公文) as .docx, laid out after GB/T 9704-2012 as far as WordprocessingML
//! allows, plus an independent text reader used to check the output.
//!
//! Layout honoured by [`render`]:
//! - A4 page, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm (版心 156 × 225 mm);
//! - body 仿宋_GB2312 三号 with an exact line pitch of 28.95 pt, i.e. 22 lines per page;
//!   first-line indent of two characters, justified;
//! - 版头: optional marking (黑体 三号, top left), red 发文机关标志 in 方正小标宋简体 35 mm below the
//!   top of the 版心 (shrunk or compressed to fit one line), 发文字号 two lines below it, and a red
//!   rule 4 mm under the 发文字号 (under the issuer when there is no number);
//! - title 方正小标宋简体 二号 centred two lines below the rule; 主送机关 one line below the title;
//! - headings 黑体 / 楷体_GB2312 / 仿宋_GB2312 bold, all 三号 and indented like body text;
//! - tables with thin borders, fixed layout spread over the 版心 width, 四号 or smaller;
//! - 落款 centred over the 成文日期, which is right-indented four characters (the sealed layout);
//! - 版记 (抄送) as a full-width block with rules above and below, 仿宋 四号, one character of
//!   space each side and continuation lines aligned after "抄送：";
//! - page numbers "— N —" in 宋体 四号, right on odd pages and left on even pages, one character in.
//!
//! East-Asian font names are written explicitly (`w:eastAsia`) because fonts are not embedded;
//! Latin letters and digits use Times New Roman (宋体 in the page number).
//!
//! Text handling: control characters that XML cannot carry are dropped; a tab becomes a tab.
//! In a [`Block::Paragraph`] each line (split at `\n`) becomes its own indented paragraph and
//! blank lines are skipped; everywhere else `\n` becomes a line break inside the paragraph,
//! which [`extract_text`] reports back as `\n`.

use std::io::{Cursor, Read};

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, FieldCharType, Footer, InstrPAGE, InstrText,
    LineSpacing, LineSpacingType, PageMargin, Paragraph, ParagraphBorder, ParagraphBorderPosition,
    ParagraphBorders, Run, RunFonts, SpecialIndentType, Table, TableBorder, TableBorderPosition,
    TableBorders, TableCell, TableLayoutType, TableRow, VAlignType, WidthType,
};
use quick_xml::events::Event;

use crate::OfficeError;

/// An official document to render. Empty or blank optional parts are left out entirely.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OfficialDoc {
    /// Red header line, e.g. "中共江岭省委巡察工作领导小组办公室" (发文机关标志); None for no header.
    pub issuer: Option<String>,
    /// 发文字号, e.g. "江巡办〔2026〕3号", centred under the header.
    pub doc_number: Option<String>,
    /// Top-left marking such as "内部资料 注意保密" (密级/保密提示).
    pub marking: Option<String>,
    pub title: String,
    /// 主送机关, e.g. "江岭省财政厅党组：".
    pub recipient: Option<String>,
    pub blocks: Vec<Block>,
    /// 落款 (signing organ), right side.
    pub signature: Option<String>,
    /// 成文日期, e.g. "2026年11月22日", under the signature.
    pub date: Option<String>,
    /// 抄送, printed in the 版记 at the end with rules above and below. "抄送：" is prefixed
    /// unless the text already starts with "抄送".
    pub copy_to: Option<String>,
}

/// A piece of the 正文.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// "一、…" 黑体 三号.
    Heading1(String),
    /// "（一）…" 楷体_GB2312 三号.
    Heading2(String),
    /// "1．…" 仿宋_GB2312 三号 bold.
    Heading3(String),
    /// 仿宋_GB2312 三号, first-line indent 2 characters. Each line becomes a paragraph.
    Paragraph(String),
    /// A bordered table (问题清单 etc.): header row bold; 四号 up to 5 columns, 小四 for 6–7,
    /// 五号 for 8 or more. Short rows are padded with empty cells.
    Table {
        headers: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A labelled field line for forms such as 问题底稿: "标签：内容", continuation lines
    /// aligned after the label.
    Field { label: String, value: String },
    /// Starts the next block on a new page.
    PageBreak,
}

// --- Layout constants (twips: 1/20 pt, 1 mm = 56.7 twips; sizes in half-points) ---

const PAGE_WIDTH: u32 = 11906; // 210 mm
const PAGE_HEIGHT: u32 = 16838; // 297 mm
const MARGIN_TOP: i32 = 2098; // 37 mm
const MARGIN_BOTTOM: i32 = 1984; // 35 mm
const MARGIN_LEFT: i32 = 1587; // 28 mm
const MARGIN_RIGHT: i32 = 1474; // 26 mm
const HEADER_DISTANCE: i32 = 851; // 15 mm (no header content is used)
/// Footer distance from the page edge: puts the page number about 7 mm below the 版心.
const FOOTER_DISTANCE: i32 = 1247; // 22 mm
/// Width of the 版心: 156 mm.
const TEXT_WIDTH: i32 = PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT;
/// Exact line pitch: 225 mm / 22 lines = 28.95 pt.
const LINE: u32 = 579;
/// 发文机关标志: top edge 35 mm below the top of the 版心.
const ISSUER_TOP: u32 = 1984;

const SIZE_2: usize = 44; // 二号 22 pt
const SIZE_3: usize = 32; // 三号 16 pt
const SIZE_4: usize = 28; // 四号 14 pt
const SIZE_S4: usize = 24; // 小四 12 pt
const SIZE_5: usize = 21; // 五号 10.5 pt
const ISSUER_MAX_PT: i32 = 30;
const ISSUER_MIN_PT: i32 = 22;

/// One full-width character of 三号 text.
const CHAR_3: i32 = 320;
/// One full-width character of 四号 text.
const CHAR_4: i32 = 280;

const FANGSONG: &str = "仿宋_GB2312";
const KAITI: &str = "楷体_GB2312";
const HEITI: &str = "黑体";
const XIAOBIAOSONG: &str = "方正小标宋简体";
const SONGTI: &str = "宋体";
const LATIN: &str = "Times New Roman";
const RED: &str = "FF0000";
const BLACK: &str = "000000";

/// Renders `doc` as a .docx file.
pub fn render(doc: &OfficialDoc) -> Result<Vec<u8>, OfficeError> {
    let mut w = Writer::default();
    head(&mut w, doc);
    for block in &doc.blocks {
        body_block(&mut w, block);
    }
    closing(&mut w, doc);
    w.finish()
}

/// Independent reader: the text of every paragraph of `word/document.xml` in document order,
/// table cells' paragraphs included. Empty paragraphs give empty strings; tabs and line breaks
/// come back as `\t` and `\n`; page breaks and field codes give nothing.
///
/// Uses `zip` and `quick-xml` directly (not docx-rs), so it checks the writer independently.
pub fn extract_text(docx: &[u8]) -> Result<Vec<String>, OfficeError> {
    let xml = read_part(docx, "word/document.xml")?;
    paragraph_texts(&xml)
}

/// Largest part `read_part` accepts (guards against zip bombs).
const MAX_PART: u64 = 64 << 20;

/// The text of one part (e.g. `word/document.xml`) of a .docx file.
pub(crate) fn read_part(docx: &[u8], name: &str) -> Result<String, OfficeError> {
    let unreadable = |e: &dyn std::fmt::Display| OfficeError::Unreadable(e.to_string());
    let mut archive = zip::ZipArchive::new(Cursor::new(docx)).map_err(|e| unreadable(&e))?;
    let part = archive.by_name(name).map_err(|e| unreadable(&e))?;
    let mut xml = String::new();
    part.take(MAX_PART + 1)
        .read_to_string(&mut xml)
        .map_err(|e| unreadable(&e))?;
    if xml.len() as u64 > MAX_PART {
        return Err(OfficeError::Unreadable(format!("{name} is too large")));
    }
    Ok(xml)
}

fn paragraph_texts(xml: &str) -> Result<Vec<String>, OfficeError> {
    let bad = |e: &dyn std::fmt::Display| OfficeError::Unreadable(format!("document.xml: {e}"));
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut out = Vec::new();
    // Open paragraphs (text boxes can nest a paragraph inside a run of another one).
    let mut open: Vec<String> = Vec::new();
    let mut run_depth = 0usize;
    let mut text_depth = 0usize;
    loop {
        let event = reader.read_event().map_err(|e| bad(&e))?;
        match event {
            Event::Start(e) => match e.local_name().as_ref() {
                "p" => open.push(String::new()),
                "r" => run_depth += 1,
                "t" if run_depth > 0 => text_depth += 1,
                _ => {}
            },
            Event::Empty(e) => {
                let ch = match e.local_name().as_ref() {
                    "p" => {
                        out.push(String::new());
                        None
                    }
                    "tab" if run_depth > 0 => Some('\t'),
                    "cr" if run_depth > 0 => Some('\n'),
                    "br" if run_depth > 0 => {
                        let kind = e.try_get_attribute("w:type").map_err(|e| bad(&e))?;
                        match kind.as_ref().map(|a| a.value.as_ref()) {
                            None | Some("textWrapping") => Some('\n'),
                            _ => None, // page and column breaks carry no text
                        }
                    }
                    _ => None,
                };
                if let (Some(ch), Some(p)) = (ch, open.last_mut()) {
                    p.push(ch);
                }
            }
            Event::End(e) => match e.local_name().as_ref() {
                "p" => {
                    if let Some(p) = open.pop() {
                        out.push(p);
                    }
                }
                "r" => run_depth = run_depth.saturating_sub(1),
                "t" => text_depth = text_depth.saturating_sub(1),
                _ => {}
            },
            Event::Text(t) if text_depth > 0 => {
                if let Some(p) = open.last_mut() {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) if text_depth > 0 => {
                if let Some(p) = open.last_mut() {
                    p.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) if text_depth > 0 => {
                let resolved = match r.resolve_char_ref().map_err(|e| bad(&e))? {
                    Some(c) => c.to_string(),
                    None => quick_xml::escape::resolve_predefined_entity(&r)
                        .ok_or_else(|| bad(&format!("unknown entity &{};", &*r)))?
                        .to_string(),
                };
                if let Some(p) = open.last_mut() {
                    p.push_str(&resolved);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok(out)
}

// --- Writer ---

/// Character formatting of one run.
#[derive(Clone, Copy)]
struct Font {
    east_asia: &'static str,
    latin: &'static str,
    size: usize,
    bold: bool,
    color: Option<&'static str>,
    /// Horizontal character scale in percent (100 = normal).
    scale: i32,
}

impl Font {
    const fn new(east_asia: &'static str, size: usize) -> Self {
        Font {
            east_asia,
            latin: LATIN,
            size,
            bold: false,
            color: None,
            scale: 100,
        }
    }

    const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    /// An empty run with this formatting.
    fn base(&self) -> Run {
        let fonts = RunFonts::new()
            .east_asia(self.east_asia)
            .ascii(self.latin)
            .hi_ansi(self.latin)
            .cs(self.latin)
            .hint("eastAsia");
        let mut run = Run::new().fonts(fonts).size(self.size);
        if self.bold {
            run = run.bold();
        }
        if let Some(c) = self.color {
            run = run.color(c);
        }
        if self.scale != 100 {
            run = run.stretch(self.scale);
        }
        run
    }

    /// A run holding `text`, with `\n` as line breaks and `\t` as tabs.
    fn run(&self, text: &str) -> Run {
        let mut run = self.base();
        let mut chunk = String::new();
        for c in text.chars() {
            match c {
                '\n' | '\t' => {
                    if !chunk.is_empty() {
                        run = run.add_text(std::mem::take(&mut chunk));
                    }
                    run = if c == '\n' {
                        run.add_break(BreakType::TextWrapping)
                    } else {
                        run.add_tab()
                    };
                }
                c if xml_char(c) => chunk.push(c),
                _ => {}
            }
        }
        if !chunk.is_empty() {
            run = run.add_text(chunk);
        }
        run
    }
}

/// Characters XML 1.0 can carry (tab and newline are handled by the caller).
fn xml_char(c: char) -> bool {
    c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'
}

/// A paragraph before conversion to docx-rs, so spacing can still be adjusted.
struct Para {
    runs: Vec<Run>,
    align: AlignmentType,
    left: i32,
    right: i32,
    /// Positive: first-line indent; negative: hanging indent.
    first_line: i32,
    line_rule: LineSpacingType,
    line: i32,
    before: u32,
    after: u32,
    keep_next: bool,
    page_break_before: bool,
    /// Bottom border: colour, width in eighths of a point, space in points.
    bottom_rule: Option<(&'static str, usize, usize)>,
}

impl Para {
    fn new(align: AlignmentType) -> Self {
        Para {
            runs: Vec::new(),
            align,
            left: 0,
            right: 0,
            first_line: 0,
            line_rule: LineSpacingType::Exact,
            line: LINE as i32,
            before: 0,
            after: 0,
            keep_next: false,
            page_break_before: false,
            bottom_rule: None,
        }
    }

    /// A body-style paragraph: justified, two characters of first-line indent.
    fn body() -> Self {
        Para {
            first_line: 2 * CHAR_3,
            ..Para::new(AlignmentType::Both)
        }
    }

    fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }

    fn build(self) -> Paragraph {
        let mut p = Paragraph::new().align(self.align).line_spacing(
            LineSpacing::new()
                .line_rule(self.line_rule)
                .line(self.line)
                .before(self.before)
                .after(self.after),
        );
        if self.left != 0 || self.right != 0 || self.first_line != 0 {
            let special = match self.first_line {
                0 => None,
                v if v > 0 => Some(SpecialIndentType::FirstLine(v)),
                v => Some(SpecialIndentType::Hanging(-v)),
            };
            p = p.indent(Some(self.left), special, Some(self.right), None);
        }
        if self.keep_next {
            p = p.keep_next(true);
        }
        if self.page_break_before {
            p = p.page_break_before(true);
        }
        if let Some((color, size, space)) = self.bottom_rule {
            // Only the bottom edge: docx-rs's default border set boxes the paragraph.
            p.property = p.property.set_borders(
                ParagraphBorders::with_empty().set(
                    ParagraphBorder::new(ParagraphBorderPosition::Bottom)
                        .val(BorderType::Single)
                        .color(color)
                        .size(size)
                        .space(space),
                ),
            );
        }
        self.runs.into_iter().fold(p, Paragraph::add_run)
    }
}

enum Element {
    Para(Para),
    Table(Box<Table>),
}

/// Collects the body, carrying pending vertical gaps and page breaks to the next element.
#[derive(Default)]
struct Writer {
    body: Vec<Element>,
    /// Space (twips) to put before the next element.
    gap: u32,
    page_break: bool,
}

impl Writer {
    fn para(&mut self, mut p: Para) {
        p.before += std::mem::take(&mut self.gap);
        p.page_break_before |= std::mem::take(&mut self.page_break);
        self.body.push(Element::Para(p));
    }

    fn table(&mut self, t: Table) {
        let gap = std::mem::take(&mut self.gap);
        let page_break = std::mem::take(&mut self.page_break);
        match self.body.last_mut() {
            // A table cannot take space before: put it after the previous paragraph.
            Some(Element::Para(p)) if !page_break => p.after += gap,
            // Adjacent tables would merge; a table cannot break the page itself either.
            _ => self.body.push(Element::Para(Para {
                line: 20,
                before: gap,
                page_break_before: page_break,
                ..Para::new(AlignmentType::Left)
            })),
        }
        self.body.push(Element::Table(Box::new(t)));
    }

    fn finish(self) -> Result<Vec<u8>, OfficeError> {
        let body_font = Font::new(FANGSONG, SIZE_3);
        let mut docx = Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_margin(
                PageMargin::new()
                    .top(MARGIN_TOP)
                    .bottom(MARGIN_BOTTOM)
                    .left(MARGIN_LEFT)
                    .right(MARGIN_RIGHT)
                    .header(HEADER_DISTANCE)
                    .footer(FOOTER_DISTANCE)
                    .gutter(0),
            )
            .default_fonts(
                RunFonts::new()
                    .east_asia(body_font.east_asia)
                    .ascii(LATIN)
                    .hi_ansi(LATIN)
                    .cs(LATIN),
            )
            .default_size(SIZE_3)
            .default_line_spacing(
                LineSpacing::new()
                    .line_rule(LineSpacingType::Exact)
                    .line(LINE as i32)
                    .before(0)
                    .after(0),
            )
            .footer(page_number_footer(true))
            .even_footer(page_number_footer(false));
        let ends_with_table = matches!(self.body.last(), Some(Element::Table(_)));
        for element in self.body {
            docx = match element {
                Element::Para(p) => docx.add_paragraph(p.build()),
                Element::Table(t) => docx.add_table(*t),
            };
        }
        if ends_with_table {
            // Word expects a paragraph after a final table; keep it 1 pt high.
            docx = docx.add_paragraph(
                Para {
                    line: 20,
                    ..Para::new(AlignmentType::Left)
                }
                .build(),
            );
        }
        let mut out = Cursor::new(Vec::new());
        docx.build()
            .pack(&mut out)
            .map_err(|e| OfficeError::Docx(e.to_string()))?;
        Ok(out.into_inner())
    }
}

/// "— N —" in 宋体 四号; odd pages right, even pages left, one character in from the edge.
fn page_number_footer(odd: bool) -> Footer {
    let font = Font {
        latin: SONGTI,
        ..Font::new(SONGTI, SIZE_4)
    };
    let mut p = Para {
        line_rule: LineSpacingType::Auto,
        line: 240,
        ..Para::new(if odd {
            AlignmentType::Right
        } else {
            AlignmentType::Left
        })
    };
    if odd {
        p.right = CHAR_4;
    } else {
        p.left = CHAR_4;
    }
    let p = p
        .run(font.run("— "))
        .run(font.base().add_field_char(FieldCharType::Begin, false))
        .run(
            font.base()
                .add_instr_text(InstrText::PAGE(InstrPAGE::new())),
        )
        .run(font.base().add_field_char(FieldCharType::Separate, false))
        .run(font.run("1"))
        .run(font.base().add_field_char(FieldCharType::End, false))
        .run(font.run(" —"));
    Footer::new().add_paragraph(p.build())
}

/// The trimmed text of an optional part, None when absent or blank.
fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Display width in half-width units: ASCII counts 1, everything else 2 (widest line).
fn width_units(s: &str) -> i32 {
    s.split('\n')
        .map(|line| {
            line.chars()
                .filter(|&c| xml_char(c) || c == '\t')
                .map(|c| if c.is_ascii() { 1 } else { 2 })
                .sum::<i32>()
        })
        .max()
        .unwrap_or(0)
}

/// Point size and horizontal scale that fit the issuer on one line of the 版心.
fn issuer_font(issuer: &str) -> (usize, i32) {
    // Width at `pt` points: units/2 characters × pt × 20 twips.
    let units = width_units(issuer).max(1);
    let fit = TEXT_WIDTH / (units * 10);
    if fit >= ISSUER_MIN_PT {
        let pt = fit.min(ISSUER_MAX_PT);
        (usize::try_from(pt * 2).unwrap_or(SIZE_2), 100)
    } else {
        let scale = (TEXT_WIDTH * 100 / (units * 10 * ISSUER_MIN_PT)).max(33);
        (usize::try_from(ISSUER_MIN_PT * 2).unwrap_or(SIZE_2), scale)
    }
}

/// 版头, title and 主送机关.
fn head(w: &mut Writer, doc: &OfficialDoc) {
    let marking = present(&doc.marking);
    let issuer = present(&doc.issuer);
    let number = present(&doc.doc_number);
    let red_rule = Some((RED, 12, 11)); // 1.5 pt, 4 mm (11 pt) below the text

    let mut used = 0;
    if let Some(m) = marking {
        w.para(Para::new(AlignmentType::Left).run(Font::new(HEITI, SIZE_3).run(m)));
        used += LINE * (1 + m.matches('\n').count() as u32);
    }
    if let Some(issuer) = issuer {
        let (size, scale) = issuer_font(issuer);
        let font = Font {
            color: Some(RED),
            scale,
            ..Font::new(XIAOBIAOSONG, size)
        };
        w.para(Para {
            line_rule: LineSpacingType::AtLeast,
            before: ISSUER_TOP.saturating_sub(used),
            bottom_rule: if number.is_none() { red_rule } else { None },
            ..Para::new(AlignmentType::Center).run(font.run(issuer))
        });
    }
    if let Some(number) = number {
        w.para(Para {
            before: if issuer.is_some() { 2 * LINE } else { 0 },
            bottom_rule: if issuer.is_some() { red_rule } else { None },
            ..Para::new(AlignmentType::Center).run(Font::new(FANGSONG, SIZE_3).run(number))
        });
    }

    w.gap = if issuer.is_some() || number.is_some() {
        2 * LINE
    } else if marking.is_some() {
        LINE
    } else {
        0
    };
    let title = doc.title.trim();
    if !title.is_empty() {
        w.para(Para {
            keep_next: true,
            ..Para::new(AlignmentType::Center).run(Font::new(XIAOBIAOSONG, SIZE_2).run(title))
        });
        w.gap = LINE;
    }
    if let Some(r) = present(&doc.recipient) {
        w.para(Para::new(AlignmentType::Left).run(Font::new(FANGSONG, SIZE_3).run(r)));
    }
}

fn body_block(w: &mut Writer, block: &Block) {
    let heading = |font: Font, text: &str| Para {
        keep_next: true,
        ..Para::body().run(font.run(text.trim()))
    };
    match block {
        Block::Heading1(t) if !t.trim().is_empty() => w.para(heading(Font::new(HEITI, SIZE_3), t)),
        Block::Heading2(t) if !t.trim().is_empty() => w.para(heading(Font::new(KAITI, SIZE_3), t)),
        Block::Heading3(t) if !t.trim().is_empty() => {
            w.para(heading(Font::new(FANGSONG, SIZE_3).bold(), t));
        }
        Block::Paragraph(t) => {
            for line in t.lines().map(str::trim).filter(|l| !l.is_empty()) {
                w.para(Para::body().run(Font::new(FANGSONG, SIZE_3).run(line)));
            }
        }
        Block::Field { label, value } => w.para(field(label, value)),
        Block::Table { headers, rows } => {
            if let Some(t) = table(headers, rows) {
                w.table(t);
            }
        }
        Block::PageBreak => w.page_break = true,
        Block::Heading1(_) | Block::Heading2(_) | Block::Heading3(_) => {}
    }
}

/// "标签：内容" with continuation lines aligned after the label when the label is short.
fn field(label: &str, value: &str) -> Para {
    let label = label.trim();
    let colon = if label.is_empty() || label.ends_with('：') || label.ends_with(':') {
        ""
    } else {
        "："
    };
    let label = format!("{label}{colon}");
    let font = Font::new(FANGSONG, SIZE_3);
    let hang = width_units(&label) * CHAR_3 / 2;
    let mut p = Para::new(AlignmentType::Both);
    if hang > 0 && hang <= TEXT_WIDTH / 3 {
        p.left = hang;
        p.first_line = -hang;
    }
    p.run(font.bold().run(&label)).run(font.run(value.trim()))
}

/// A bordered table spread over the 版心 width; None when it has no cells at all.
fn table(headers: &[String], rows: &[Vec<String>]) -> Option<Table> {
    let cols = rows
        .iter()
        .map(Vec::len)
        .max()
        .unwrap_or(0)
        .max(headers.len());
    if cols == 0 {
        return None;
    }
    let size = match cols {
        0..=5 => SIZE_4,
        6 | 7 => SIZE_S4,
        _ => SIZE_5,
    };
    let char_twips = i32::try_from(size * 10).unwrap_or(CHAR_4);
    let cell_margin = 108; // Word's default left/right cell margin
    fn cell(row: &[String], c: usize) -> &str {
        row.get(c).map_or("", |s| s.trim())
    }
    let has_header = headers.iter().any(|h| !h.trim().is_empty());

    // Column widths: a minimum of two characters each, the rest shared by content width.
    let content: Vec<i32> = (0..cols)
        .map(|c| {
            let data = rows.iter().map(|r| width_units(cell(r, c)));
            data.chain([width_units(cell(headers, c))])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let cols_i = i32::try_from(cols).unwrap_or(i32::MAX);
    let min = (2 * char_twips + 2 * cell_margin).min(TEXT_WIDTH / cols_i);
    let spare = TEXT_WIDTH - min * cols_i;
    let weights: Vec<i32> = content.iter().map(|&u| u.clamp(4, 60)).collect();
    let total: i32 = weights.iter().sum();
    let mut widths: Vec<i32> = weights.iter().map(|&wt| min + spare * wt / total).collect();
    let used: i32 = widths.iter().sum();
    if let Some(last) = widths.last_mut() {
        *last += TEXT_WIDTH - used;
    }
    let widths: Vec<usize> = widths
        .into_iter()
        .map(|v| usize::try_from(v).unwrap_or(0))
        .collect();

    let make_row = |row: &[String], header: bool| {
        let font = if header {
            Font::new(FANGSONG, size).bold()
        } else {
            Font::new(FANGSONG, size)
        };
        let cells = (0..cols)
            .map(|c| {
                // Headers and narrow columns (序号 and the like) are centred.
                let align = if header || content[c] <= 8 {
                    AlignmentType::Center
                } else {
                    AlignmentType::Both
                };
                let p = Para {
                    line_rule: LineSpacingType::Auto,
                    line: 240,
                    ..Para::new(align).run(font.run(cell(row, c)))
                };
                TableCell::new()
                    .add_paragraph(p.build())
                    .width(widths[c], WidthType::Dxa)
                    .vertical_align(VAlignType::Center)
            })
            .collect();
        TableRow::new(cells)
    };
    let mut table_rows = Vec::with_capacity(rows.len() + 1);
    if has_header {
        table_rows.push(make_row(headers, true));
    }
    table_rows.extend(rows.iter().map(|r| make_row(r, false)));

    let border = |pos| {
        TableBorder::new(pos)
            .border_type(BorderType::Single)
            .size(4)
            .color(BLACK)
    };
    let borders = [
        TableBorderPosition::Top,
        TableBorderPosition::Left,
        TableBorderPosition::Bottom,
        TableBorderPosition::Right,
        TableBorderPosition::InsideH,
        TableBorderPosition::InsideV,
    ]
    .into_iter()
    .fold(TableBorders::with_empty(), |b, pos| b.set(border(pos)));
    Some(
        Table::new(table_rows)
            .set_grid(widths)
            .width(usize::try_from(TEXT_WIDTH).unwrap_or(0), WidthType::Dxa)
            .layout(TableLayoutType::Fixed)
            .set_borders(borders),
    )
}

/// 落款, 成文日期 and 版记.
fn closing(w: &mut Writer, doc: &OfficialDoc) {
    let font = Font::new(FANGSONG, SIZE_3);
    let signature = present(&doc.signature);
    let date = present(&doc.date);
    // Sealed layout: the date 4 characters from the right, the signature centred over it.
    let date_indent = 4 * CHAR_3;
    w.gap = 2 * LINE;
    if let Some(sig) = signature {
        let offset = date.map_or(0, |d| (width_units(d) - width_units(sig)) * CHAR_3 / 4);
        w.para(Para {
            right: (date_indent + offset).max(0),
            keep_next: date.is_some(),
            ..Para::new(AlignmentType::Right).run(font.run(sig))
        });
    }
    if let Some(date) = date {
        w.para(Para {
            right: date_indent,
            ..Para::new(AlignmentType::Right).run(font.run(date))
        });
    }

    if let Some(copy_to) = present(&doc.copy_to) {
        w.gap = 2 * LINE;
        let text = if copy_to.starts_with("抄送") {
            copy_to.to_string()
        } else {
            format!("抄送：{copy_to}")
        };
        w.table(record_table(&text));
    }
}

/// The 版记: one full-width cell with rules (0.35 mm ≈ 1 pt) above and below only.
fn record_table(text: &str) -> Table {
    let lead = width_units("抄送：") * CHAR_4 / 2;
    let p = Para {
        left: CHAR_4 + lead,
        right: CHAR_4,
        first_line: -lead,
        ..Para::new(AlignmentType::Both).run(Font::new(FANGSONG, SIZE_4).run(text))
    };
    let width = usize::try_from(TEXT_WIDTH).unwrap_or(0);
    let cell = TableCell::new()
        .add_paragraph(p.build())
        .width(width, WidthType::Dxa);
    let rule = |pos| {
        TableBorder::new(pos)
            .border_type(BorderType::Single)
            .size(8)
            .color(BLACK)
    };
    let borders = TableBorders::with_empty()
        .set(rule(TableBorderPosition::Top))
        .set(rule(TableBorderPosition::Bottom));
    Table::new(vec![TableRow::new(vec![cell])])
        .set_grid(vec![width])
        .width(width, WidthType::Dxa)
        .layout(TableLayoutType::Fixed)
        .set_borders(borders)
        .margins(
            docx_rs::TableCellMargins::new()
                .margin_left(0, WidthType::Dxa)
                .margin_right(0, WidthType::Dxa),
        )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> String {
        v.to_string()
    }

    fn full_doc() -> OfficialDoc {
        OfficialDoc {
            issuer: Some(s("中共江岭省委巡察工作领导小组办公室")),
            doc_number: Some(s("江巡办〔2026〕3号")),
            marking: Some(s("内部资料 注意保密")),
            title: s("关于巡察省财政厅党组的反馈意见"),
            recipient: Some(s("江岭省财政厅党组：")),
            blocks: vec![
                Block::Paragraph(s(
                    "根据省委统一部署，省委第三巡察组于2026年9月对省财政厅党组开展了常规巡察。",
                )),
                Block::Heading1(s("一、巡察发现的主要问题")),
                Block::Heading2(s("（一）贯彻落实党的路线方针政策不够到位")),
                Block::Heading3(s("1．专项资金管理不规范")),
                Block::Paragraph(s("第一段 A&B <x>\n\n第二段，含“引号”")),
                Block::Table {
                    headers: vec![s("序号"), s("问题描述"), s("责任单位"), s("整改时限")],
                    rows: vec![
                        vec![s("1"), s("专项资金拨付滞后"), s("预算处"), s("2026年12月")],
                        vec![s("2"), s("政府采购程序不规范"), s("采购办"), s("2027年1月")],
                        vec![s("3"), s("制度执行不严"), s("办公室")],
                    ],
                },
                Block::PageBreak,
                Block::Field {
                    label: s("问题来源"),
                    value: s("个别谈话\t第12号"),
                },
                Block::Field {
                    label: s("发现人："),
                    value: s("张三\n李四"),
                },
            ],
            signature: Some(s("中共江岭省委第三巡察组")),
            date: Some(s("2026年11月22日")),
            copy_to: Some(s("省纪委监委，省委组织部。")),
        }
    }

    fn document_xml(bytes: &[u8]) -> String {
        let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("zip");
        let mut xml = String::new();
        archive
            .by_name("word/document.xml")
            .expect("document.xml")
            .read_to_string(&mut xml)
            .expect("utf-8");
        xml
    }

    /// Attributes of every element named `name` (qualified, e.g. "w:pgSz") in document order.
    fn elements(xml: &str, name: &str) -> Vec<std::collections::HashMap<String, String>> {
        let mut reader = quick_xml::Reader::from_str(xml);
        let mut found = Vec::new();
        loop {
            match reader.read_event().expect("well-formed xml") {
                Event::Start(e) | Event::Empty(e) if e.name().as_ref() == name => {
                    found.push(
                        e.attributes()
                            .map(|a| {
                                let a = a.expect("attribute");
                                (a.key.as_ref().to_string(), a.value.to_string())
                            })
                            .collect(),
                    );
                }
                Event::Eof => break,
                _ => {}
            }
        }
        found
    }

    fn attr<'a>(e: &'a std::collections::HashMap<String, String>, k: &str) -> &'a str {
        e.get(k).map_or("", String::as_str)
    }

    #[test]
    fn every_block_comes_back_in_order() {
        let bytes = render(&full_doc()).expect("render");
        let texts = extract_text(&bytes).expect("extract");
        let expected = [
            "内部资料 注意保密",
            "中共江岭省委巡察工作领导小组办公室",
            "江巡办〔2026〕3号",
            "关于巡察省财政厅党组的反馈意见",
            "江岭省财政厅党组：",
            "根据省委统一部署，省委第三巡察组于2026年9月对省财政厅党组开展了常规巡察。",
            "一、巡察发现的主要问题",
            "（一）贯彻落实党的路线方针政策不够到位",
            "1．专项资金管理不规范",
            "第一段 A&B <x>",
            "第二段，含“引号”",
            "序号",
            "问题描述",
            "责任单位",
            "整改时限",
            "1",
            "专项资金拨付滞后",
            "预算处",
            "2026年12月",
            "2",
            "政府采购程序不规范",
            "采购办",
            "2027年1月",
            "3",
            "制度执行不严",
            "办公室",
            "", // the short row is padded to four cells
            "问题来源：个别谈话\t第12号",
            "发现人：张三\n李四",
            "中共江岭省委第三巡察组",
            "2026年11月22日",
            "抄送：省纪委监委，省委组织部。",
            "", // Word wants a paragraph after the final table
        ];
        assert_eq!(texts, expected);
    }

    #[test]
    fn page_setup_and_fonts_follow_gb_t_9704() {
        let bytes = render(&full_doc()).expect("render");
        let xml = document_xml(&bytes);

        let size = elements(&xml, "w:pgSz");
        assert_eq!(size.len(), 1);
        assert_eq!(attr(&size[0], "w:w"), "11906");
        assert_eq!(attr(&size[0], "w:h"), "16838");
        let margin = elements(&xml, "w:pgMar");
        assert_eq!(margin.len(), 1);
        assert_eq!(attr(&margin[0], "w:top"), "2098"); // 37 mm
        assert_eq!(attr(&margin[0], "w:bottom"), "1984"); // 35 mm
        assert_eq!(attr(&margin[0], "w:left"), "1587"); // 28 mm
        assert_eq!(attr(&margin[0], "w:right"), "1474"); // 26 mm

        let east_asia: Vec<String> = elements(&xml, "w:rFonts")
            .iter()
            .map(|f| attr(f, "w:eastAsia").to_string())
            .collect();
        for font in ["仿宋_GB2312", "方正小标宋简体", "黑体", "楷体_GB2312"] {
            assert!(east_asia.iter().any(|f| f == font), "{font} missing");
        }
        // Every run names its east-Asian font.
        assert!(east_asia.iter().all(|f| !f.is_empty()));

        // Body paragraphs: exact 28.95 pt pitch and a two-character first-line indent.
        let spacing = elements(&xml, "w:spacing");
        assert!(
            spacing
                .iter()
                .any(|s| attr(s, "w:line") == "579" && attr(s, "w:lineRule") == "exact")
        );
        assert!(
            elements(&xml, "w:ind")
                .iter()
                .any(|i| attr(i, "w:firstLine") == "640")
        );

        // The red issuer and exactly one rule under the header: a red bottom border only.
        assert!(
            elements(&xml, "w:color")
                .iter()
                .any(|c| attr(c, "w:val") == "FF0000")
        );
        let borders = elements(&xml, "w:pBdr");
        assert_eq!(borders.len(), 1);
        let bottoms = elements(&xml, "w:bottom");
        assert!(
            bottoms
                .iter()
                .any(|b| attr(b, "w:color") == "FF0000" && attr(b, "w:val") == "single")
        );
        for side in ["w:left", "w:right", "w:top"] {
            assert!(
                elements(&xml, side)
                    .iter()
                    .all(|b| attr(b, "w:color") != "auto"),
                "unexpected {side} paragraph border"
            );
        }

        // The new page before the first Field.
        assert_eq!(elements(&xml, "w:pageBreakBefore").len(), 1);
    }

    #[test]
    fn page_numbers_are_fields_on_odd_and_even_footers() {
        let bytes = render(&full_doc()).expect("render");
        let settings = read_part(&bytes, "word/settings.xml").expect("settings");
        assert_eq!(elements(&settings, "w:evenAndOddHeaders").len(), 1);
        let mut aligns = Vec::new();
        for part in ["word/footer1.xml", "word/footer2.xml"] {
            let xml = read_part(&bytes, part).expect("footer");
            assert!(xml.contains("<w:instrText>PAGE</w:instrText>"), "{part}");
            assert_eq!(paragraph_texts(&xml).expect("text"), ["— 1 —"]);
            aligns.extend(
                elements(&xml, "w:jc")
                    .iter()
                    .map(|j| attr(j, "w:val").to_string()),
            );
        }
        assert_eq!(aligns, ["right", "left"]);
    }

    #[test]
    fn absent_parts_produce_no_paragraphs() {
        let doc = OfficialDoc {
            doc_number: Some(s("  ")),
            title: s("关于开展巡察整改“回头看”的通知"),
            blocks: vec![
                Block::Paragraph(s("各有关单位：请按要求报送材料。")),
                Block::Heading1(s(" ")),
                Block::Table {
                    headers: vec![],
                    rows: vec![],
                },
            ],
            signature: Some(String::new()),
            ..OfficialDoc::default()
        };
        let bytes = render(&doc).expect("render");
        assert_eq!(
            extract_text(&bytes).expect("extract"),
            [
                "关于开展巡察整改“回头看”的通知",
                "各有关单位：请按要求报送材料。"
            ]
        );
        let xml = document_xml(&bytes);
        assert!(elements(&xml, "w:color").is_empty(), "no red header");
        assert!(elements(&xml, "w:pBdr").is_empty(), "no header rule");
        assert!(elements(&xml, "w:tbl").is_empty());
        // With nothing above it, the title starts at the top of the 版心.
        assert_eq!(attr(&elements(&xml, "w:spacing")[0], "w:before"), "0");
    }

    #[test]
    fn tables_shrink_with_columns_and_never_merge() {
        let wide = Block::Table {
            headers: (1..=8).map(|i| format!("列{i}")).collect(),
            rows: vec![(1..=8).map(|i| format!("值{i}")).collect()],
        };
        let doc = OfficialDoc {
            title: s("问题清单"),
            blocks: vec![
                wide.clone(),
                wide,
                Block::PageBreak,
                Block::Table {
                    headers: vec![],
                    rows: vec![vec![s("无表头")]],
                },
            ],
            ..OfficialDoc::default()
        };
        let bytes = render(&doc).expect("render");
        let xml = document_xml(&bytes);
        assert_eq!(elements(&xml, "w:tbl").len(), 3);
        // 8 columns: 五号 (10.5 pt).
        assert!(
            elements(&xml, "w:sz")
                .iter()
                .any(|z| attr(z, "w:val") == "21")
        );
        // Grid columns fill the 版心 width exactly.
        let grid: Vec<i32> = elements(&xml, "w:gridCol")
            .iter()
            .map(|g| attr(g, "w:w").parse().expect("number"))
            .collect();
        assert_eq!(grid.len(), 8 + 8 + 1);
        assert_eq!(grid[..8].iter().sum::<i32>(), TEXT_WIDTH);
        assert_eq!(grid[16], TEXT_WIDTH);
        // A separator paragraph between the tables, and one carrying the page break.
        assert_eq!(elements(&xml, "w:pageBreakBefore").len(), 1);
        let texts = extract_text(&bytes).expect("extract");
        let empty: Vec<usize> = (0..texts.len()).filter(|&i| texts[i].is_empty()).collect();
        // Title, 16 cells, separator, 16 cells, page-break paragraph, 1 cell, final paragraph.
        assert_eq!(texts.len(), 37);
        assert_eq!(empty, [17, 34, 36]);
        assert_eq!((texts[1].as_str(), texts[35].as_str()), ("列1", "无表头"));
    }

    #[test]
    fn signature_is_centred_over_the_date() {
        let mut w = Writer::default();
        closing(&mut w, &full_doc());
        let rights: Vec<i32> = w
            .body
            .iter()
            .filter_map(|e| match e {
                Element::Para(p) => Some(p.right),
                Element::Table(_) => None,
            })
            .collect();
        // Date: 4 characters in. Signature (11 chars) centred over the date (7 chars wide).
        assert_eq!(rights, [4 * CHAR_3 - 2 * CHAR_3, 4 * CHAR_3]);
    }

    #[test]
    fn issuer_is_fitted_to_one_line() {
        assert_eq!(issuer_font("巡察办"), (60, 100));
        assert_eq!(issuer_font("中共江岭省委巡察工作领导小组办公室"), (52, 100));
        let (size, scale) = issuer_font(&"巡".repeat(40));
        assert_eq!(size, 44);
        assert!(scale < 100 && 40 * 22 * 20 * scale / 100 <= TEXT_WIDTH);
    }

    #[test]
    fn control_characters_are_dropped() {
        let doc = OfficialDoc {
            title: s("标题\u{1}\u{FFFF}"),
            blocks: vec![Block::Paragraph(s("正\u{0}文\r\n第二行"))],
            ..OfficialDoc::default()
        };
        let texts = extract_text(&render(&doc).expect("render")).expect("extract");
        assert_eq!(texts, ["标题", "正文", "第二行"]);
    }

    #[test]
    fn reader_rejects_non_docx() {
        assert!(matches!(
            extract_text(b"not a zip"),
            Err(OfficeError::Unreadable(_))
        ));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        zip.start_file("other.xml", zip::write::SimpleFileOptions::default())
            .expect("start");
        std::io::Write::write_all(&mut zip, b"<x/>").expect("write");
        let bytes = zip.finish().expect("finish").into_inner();
        assert!(matches!(
            extract_text(&bytes),
            Err(OfficeError::Unreadable(_))
        ));
    }

    #[test]
    fn reader_handles_entities_and_nested_markup() {
        let xml = r#"<w:document xmlns:w="w"><w:body>
            <w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>
              <w:r><w:t>a&amp;b&#x4E2D;</w:t><w:tab/><w:t><![CDATA[<c>]]></w:t></w:r>
              <w:r><w:br w:type="page"/><w:instrText>PAGE</w:instrText><w:t>d</w:t></w:r></w:p>
            <w:p/>
            </w:body></w:document>"#;
        assert_eq!(paragraph_texts(xml).expect("parse"), ["a&b中\t<c>d", ""]);
    }
}

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

mod layout;
mod read;
#[cfg(test)]
mod tests;
mod writer;

use self::layout::*;
pub use self::read::extract_text;
#[allow(unused_imports)]
use self::read::*;
use self::writer::*;

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

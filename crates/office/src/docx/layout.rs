//! The GB/T 9704 layout of each part: the head (issuer, number, red rule), body blocks, tables and the closing.

#[allow(clippy::wildcard_imports)]
use super::*;

/// The trimmed text of an optional part, None when absent or blank.
pub(super) fn present(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// Display width in half-width units: ASCII counts 1, everything else 2 (widest line).
pub(super) fn width_units(s: &str) -> i32 {
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
pub(super) fn issuer_font(issuer: &str) -> (usize, i32) {
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
pub(super) fn head(w: &mut Writer, doc: &OfficialDoc) {
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

pub(super) fn body_block(w: &mut Writer, block: &Block) {
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
pub(super) fn field(label: &str, value: &str) -> Para {
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
pub(super) fn table(headers: &[String], rows: &[Vec<String>]) -> Option<Table> {
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
pub(super) fn closing(w: &mut Writer, doc: &OfficialDoc) {
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
pub(super) fn record_table(text: &str) -> Table {
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

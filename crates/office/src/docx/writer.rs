//! The writer: fonts, paragraphs and the document being built, and the page-number footers.

#[allow(clippy::wildcard_imports)]
use super::*;

/// Character formatting of one run.
#[derive(Clone, Copy)]
pub(super) struct Font {
    pub(super) east_asia: &'static str,
    pub(super) latin: &'static str,
    pub(super) size: usize,
    pub(super) bold: bool,
    pub(super) color: Option<&'static str>,
    /// Horizontal character scale in percent (100 = normal).
    pub(super) scale: i32,
}

impl Font {
    pub(super) const fn new(east_asia: &'static str, size: usize) -> Self {
        Font {
            east_asia,
            latin: LATIN,
            size,
            bold: false,
            color: None,
            scale: 100,
        }
    }

    pub(super) const fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    /// An empty run with this formatting.
    pub(super) fn base(&self) -> Run {
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
    pub(super) fn run(&self, text: &str) -> Run {
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
pub(super) fn xml_char(c: char) -> bool {
    c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'
}

/// A paragraph before conversion to docx-rs, so spacing can still be adjusted.
pub(super) struct Para {
    pub(super) runs: Vec<Run>,
    pub(super) align: AlignmentType,
    pub(super) left: i32,
    pub(super) right: i32,
    /// Positive: first-line indent; negative: hanging indent.
    pub(super) first_line: i32,
    pub(super) line_rule: LineSpacingType,
    pub(super) line: i32,
    pub(super) before: u32,
    pub(super) after: u32,
    pub(super) keep_next: bool,
    pub(super) page_break_before: bool,
    /// Bottom border: colour, width in eighths of a point, space in points.
    pub(super) bottom_rule: Option<(&'static str, usize, usize)>,
}

impl Para {
    pub(super) fn new(align: AlignmentType) -> Self {
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
    pub(super) fn body() -> Self {
        Para {
            first_line: 2 * CHAR_3,
            ..Para::new(AlignmentType::Both)
        }
    }

    pub(super) fn run(mut self, run: Run) -> Self {
        self.runs.push(run);
        self
    }

    pub(super) fn build(self) -> Paragraph {
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

pub(super) enum Element {
    Para(Para),
    Table(Box<Table>),
}

/// Collects the body, carrying pending vertical gaps and page breaks to the next element.
#[derive(Default)]
pub(super) struct Writer {
    pub(super) body: Vec<Element>,
    /// Space (twips) to put before the next element.
    pub(super) gap: u32,
    pub(super) page_break: bool,
}

impl Writer {
    pub(super) fn para(&mut self, mut p: Para) {
        p.before += std::mem::take(&mut self.gap);
        p.page_break_before |= std::mem::take(&mut self.page_break);
        self.body.push(Element::Para(p));
    }

    pub(super) fn table(&mut self, t: Table) {
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

    pub(super) fn finish(self) -> Result<Vec<u8>, OfficeError> {
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
pub(super) fn page_number_footer(odd: bool) -> Footer {
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

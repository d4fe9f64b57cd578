//! Reading the text of a .docx (an independent zip + XML reader, used by the tests).

#[allow(clippy::wildcard_imports)]
use super::*;

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
pub(super) const MAX_PART: u64 = 64 << 20;

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

pub(super) fn paragraph_texts(xml: &str) -> Result<Vec<String>, OfficeError> {
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

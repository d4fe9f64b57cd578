//! Input limits: the longest text each kind of free-text field accepts, the range of years a
//! date may carry, and the size of an import. The api checks every write against these, so a
//! request can never store a megabyte in a name nor a date the calendar arithmetic cannot reach.

/// Names of people, organisations, units, teams, activities, files: one line.
pub const NAME_CHARS: usize = 100;
/// Short labels: posts, kinds, codes typed by hand, places, 文号.
pub const LABEL_CHARS: usize = 200;
/// Titles of problems, clues, documents, reports.
pub const TITLE_CHARS: usize = 200;
/// Notes, reasons, comments, opinions in one paragraph.
pub const NOTE_CHARS: usize = 2_000;
/// Review opinions and conclusions: a few paragraphs.
pub const OPINION_CHARS: usize = 5_000;
/// Summaries, facts, descriptions, opinions, plans: long prose.
pub const TEXT_CHARS: usize = 20_000;

/// The earliest year a date in a request may carry.
pub const MIN_YEAR: i32 = 1900;
/// The latest year a date in a request may carry (deadline arithmetic stays far inside `time`).
pub const MAX_YEAR: i32 = 2200;

/// The most data rows an import accepts.
pub const MAX_IMPORT_ROWS: usize = 100_000;
/// The largest import file accepted, in bytes.
pub const MAX_IMPORT_BYTES: usize = 20 * 1024 * 1024;

/// Whether `year` is inside the accepted range.
pub fn year_ok(year: i32) -> bool {
    (MIN_YEAR..=MAX_YEAR).contains(&year)
}

/// Checks an optional free text (empty allowed) against `max` characters.
pub fn optional_text(field: &str, value: &str, max: usize) -> Result<(), crate::FieldError> {
    if value.chars().count() > max {
        return Err(crate::FieldError::new(
            field,
            crate::i18n::Msg::new("validation.too_long")
                .arg("field", format!("field.{field}"))
                .arg("max", max),
        ));
    }
    Ok(())
}

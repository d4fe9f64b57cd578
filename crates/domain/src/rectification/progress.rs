//! 整改进展: what the unit reports on an item.

use super::*;

/// One progress report as the unit sends it, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgressDraft {
    pub content: String,
    /// The day the reported progress took effect: never after today.
    pub effective_date: Date,
    pub outcome: Option<Outcome>,
}

/// The longest progress text.
pub const PROGRESS_CHARS: usize = 4000;

/// Validates a progress report: the content is required, the effective date has happened, the
/// outcome (optional) is one of [`Outcome`]. Reports every bad field at once.
pub fn parse_progress(
    content: Option<&str>,
    effective_date: Option<&str>,
    outcome: Option<&str>,
    today: Date,
) -> Result<ProgressDraft, DomainError> {
    let mut errs = Vec::new();
    let content =
        crate::error::required_text("content", content.unwrap_or_default(), PROGRESS_CHARS)
            .map_err(|e| errs.push(e))
            .ok();
    let effective_date = match effective_date.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errs.push(FieldError::required("effective_date"));
            None
        }
        Some(s) => match crate::error::parse_date("effective_date", s) {
            Ok(d) if d > today => {
                errs.push(FieldError::new(
                    "effective_date",
                    Msg::new("rect.future_date").arg("field", "field.effective_date"),
                ));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let outcome = match outcome.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(o) => Outcome::parse_field("outcome", o)
            .map_err(|e| errs.push(e))
            .ok(),
    };
    match (content, effective_date) {
        (Some(content), Some(effective_date)) if errs.is_empty() => Ok(ProgressDraft {
            content,
            effective_date,
            outcome,
        }),
        _ => Err(DomainError::Invalid(errs)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn progress_needs_content_and_a_day_that_has_happened() {
        let today = date!(2026 - 12 - 4);
        let ok = parse_progress(
            Some(" 已完成 "),
            Some("2026-12-04"),
            Some("completed"),
            today,
        )
        .unwrap();
        assert_eq!(ok.content, "已完成");
        assert_eq!(ok.outcome, Some(Outcome::Completed));
        let Err(DomainError::Invalid(errs)) =
            parse_progress(None, Some("2026-12-05"), Some("x"), today)
        else {
            panic!("expected field errors");
        };
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["content", "effective_date", "outcome"]);
        assert!(parse_progress(Some("a"), None, None, today).is_err());
    }
}

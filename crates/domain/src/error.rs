//! Domain errors. Each carries a stable code and a [`Msg`] for the user.

use crate::i18n::Msg;

/// A validation failure tied to one input field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// The field's wire name, e.g. `name`.
    pub field: String,
    pub msg: Msg,
}

impl FieldError {
    pub fn new(field: &str, msg: Msg) -> Self {
        FieldError {
            field: field.to_string(),
            msg,
        }
    }

    pub fn required(field: &str) -> Self {
        Self::new(
            field,
            Msg::new("validation.required").arg("field", format!("field.{field}")),
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DomainError {
    /// One or more fields are invalid (HTTP 422).
    #[error("invalid input: {0:?}")]
    Invalid(Vec<FieldError>),
    /// The action conflicts with the current state of the records (HTTP 409 or 422).
    #[error("rule violated: {0}")]
    Rule(Msg),
    /// The caller lacks a permission (HTTP 403).
    #[error("forbidden")]
    Forbidden,
}

impl DomainError {
    pub fn field(field: &str, msg: Msg) -> Self {
        DomainError::Invalid(vec![FieldError::new(field, msg)])
    }
}

/// Collects field errors, so a form reports every problem at once.
#[derive(Debug, Default)]
pub struct Errors(Vec<FieldError>);

impl Errors {
    pub fn push(&mut self, e: FieldError) {
        self.0.push(e);
    }

    pub fn check(&mut self, r: Result<(), FieldError>) {
        if let Err(e) = r {
            self.0.push(e);
        }
    }

    pub fn into_result(self) -> Result<(), DomainError> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(self.0))
        }
    }
}

/// Trims `value` and checks it is present and at most `max` characters long.
pub fn required_text(field: &str, value: &str, max: usize) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            Msg::new("validation.too_long")
                .arg("field", format!("field.{field}"))
                .arg("max", max),
        ));
    }
    if v.chars().any(char::is_control) {
        return Err(FieldError::new(
            field,
            Msg::new("validation.bad_chars").arg("field", format!("field.{field}")),
        ));
    }
    Ok(v.to_string())
}

/// Parses a `YYYY-MM-DD` field (years within [`crate::limits::year_ok`]).
pub fn parse_date(field: &str, s: &str) -> Result<time::Date, FieldError> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    time::Date::parse(s.trim(), &fmt)
        .ok()
        .filter(|d| crate::limits::year_ok(d.year()))
        .ok_or_else(|| {
            FieldError::new(
                field,
                Msg::new("validation.unknown_value")
                    .arg("field", format!("field.{field}"))
                    .arg("value", s.chars().take(30).collect::<String>())
                    .arg("allowed", "YYYY-MM-DD"),
            )
        })
}

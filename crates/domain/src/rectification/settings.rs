//! Settings of rectification supervision per office.

use super::*;

/// Settings of rectification supervision (stored as configuration, domain.md §9).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RectSettings {
    pub review_bodies: Vec<String>,
    pub yellow_within: i64,
    pub plan_due_working_days: i64,
    pub long_term_report_months: i64,
    pub letter_ladder: Vec<LetterRung>,
}

impl Default for RectSettings {
    fn default() -> Self {
        RectSettings {
            review_bodies: vec!["巡察组".to_string(), "巡察办".to_string()],
            yellow_within: WarningPolicy::default().yellow_within,
            plan_due_working_days: 15,
            long_term_report_months: 3,
            letter_ladder: default_ladder(),
        }
    }
}

impl RectSettings {
    pub fn validate(&self) -> Result<(), DomainError> {
        let mut errs = Vec::new();
        let bodies: Vec<&String> = self
            .review_bodies
            .iter()
            .filter(|b| !b.trim().is_empty())
            .collect();
        if bodies.is_empty() {
            errs.push(FieldError::required("review_bodies"));
        }
        for (field, v, min, max) in [
            ("yellow_within", self.yellow_within, 0, 60),
            ("plan_due_working_days", self.plan_due_working_days, 1, 120),
            (
                "long_term_report_months",
                self.long_term_report_months,
                1,
                12,
            ),
        ] {
            if !(min..=max).contains(&v) {
                errs.push(FieldError::new(
                    field,
                    Msg::new("validation.out_of_range")
                        .arg("field", format!("field.{field}"))
                        .arg("min", min)
                        .arg("max", max),
                ));
            }
        }
        if let Err(DomainError::Invalid(e)) = check_ladder(&self.letter_ladder) {
            errs.extend(e);
        }
        if errs.is_empty() {
            Ok(())
        } else {
            Err(DomainError::Invalid(errs))
        }
    }

    pub fn warning_policy(&self) -> WarningPolicy {
        WarningPolicy {
            yellow_within: self.yellow_within,
        }
    }
}

//! Account rules: the password policy, lockout after repeated failures, usernames.

use time::{Duration, OffsetDateTime};

use crate::error::FieldError;
use crate::i18n::Msg;

/// The password policy; the security administrator edits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PasswordPolicy {
    pub min_length: usize,
    /// How many of the four classes (upper, lower, digit, other) a password must use.
    pub min_classes: usize,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        // 等保 2.0 level 3 practice: at least 8 characters from at least 3 classes.
        PasswordPolicy {
            min_length: 8,
            min_classes: 3,
        }
    }
}

pub const PASSWORD_MAX: usize = 128;

impl PasswordPolicy {
    pub fn check(&self, field: &str, password: &str, username: &str) -> Result<(), FieldError> {
        let len = password.chars().count();
        if len < self.min_length {
            return Err(FieldError::new(
                field,
                Msg::new("password.too_short").arg("min", self.min_length),
            ));
        }
        if len > PASSWORD_MAX {
            return Err(FieldError::new(
                field,
                Msg::new("password.too_long").arg("max", PASSWORD_MAX),
            ));
        }
        let classes = [
            password.chars().any(|c| c.is_ascii_uppercase()),
            password.chars().any(|c| c.is_ascii_lowercase()),
            password.chars().any(|c| c.is_ascii_digit()),
            password.chars().any(|c| !c.is_ascii_alphanumeric()),
        ]
        .iter()
        .filter(|b| **b)
        .count();
        if classes < self.min_classes {
            return Err(FieldError::new(
                field,
                Msg::new("password.classes").arg("min", self.min_classes),
            ));
        }
        if username.len() >= 3 && password.to_lowercase().contains(&username.to_lowercase()) {
            return Err(FieldError::new(
                field,
                Msg::new("password.contains_username"),
            ));
        }
        Ok(())
    }
}

/// Lockout after repeated failed logins.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LockoutPolicy {
    pub max_failures: i32,
    pub lock_minutes: i64,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            max_failures: 5,
            lock_minutes: 15,
        }
    }
}

/// The login state of an account, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginState {
    pub failed_attempts: i32,
    pub locked_until: Option<OffsetDateTime>,
}

impl LockoutPolicy {
    /// Whether the account is locked at `now`.
    pub fn is_locked(&self, state: &LoginState, now: OffsetDateTime) -> bool {
        state.locked_until.is_some_and(|t| t > now)
    }

    /// The state after a failed attempt at `now`.
    pub fn after_failure(&self, state: &LoginState, now: OffsetDateTime) -> LoginState {
        // A lock that has expired starts a fresh count.
        let base = if state.locked_until.is_some_and(|t| t <= now) {
            0
        } else {
            state.failed_attempts
        };
        let failed = base + 1;
        if failed >= self.max_failures {
            LoginState {
                failed_attempts: failed,
                locked_until: Some(now + Duration::minutes(self.lock_minutes)),
            }
        } else {
            LoginState {
                failed_attempts: failed,
                locked_until: None,
            }
        }
    }
}

/// A validated username: 3–32 of `[A-Za-z0-9._-]`, stored lower-case.
pub fn parse_username(field: &str, raw: &str) -> Result<String, FieldError> {
    let v = raw.trim();
    if v.is_empty() {
        return Err(FieldError::required(field));
    }
    let ok = (3..=32).contains(&v.len())
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'));
    if ok {
        Ok(v.to_ascii_lowercase())
    } else {
        Err(FieldError::new(
            field,
            Msg::new("validation.username_format").arg("field", format!("field.{field}")),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn policy_checks_length_classes_and_username() {
        let p = PasswordPolicy::default();
        assert!(p.check("password", "Xuncha@2026", "zhang").is_ok());
        assert_eq!(
            p.check("password", "Ab1!", "x").unwrap_err().msg.render(),
            "密码长度不能少于8位"
        );
        assert!(
            p.check("password", "abcdefgh1", "x")
                .unwrap_err()
                .msg
                .render()
                .contains("3类")
        );
        assert!(p.check("password", "Zhang@2026x", "zhang").is_err());
    }

    #[test]
    fn fifth_failure_locks_for_the_configured_time() {
        let policy = LockoutPolicy::default();
        let now = datetime!(2026-11-22 08:00 UTC);
        let mut s = LoginState {
            failed_attempts: 0,
            locked_until: None,
        };
        for _ in 0..4 {
            s = policy.after_failure(&s, now);
            assert!(!policy.is_locked(&s, now));
        }
        s = policy.after_failure(&s, now);
        assert!(policy.is_locked(&s, now));
        assert!(policy.is_locked(&s, now + Duration::minutes(14)));
        assert!(!policy.is_locked(&s, now + Duration::minutes(15)));
        // After the lock expires, one failure does not lock again.
        let later = now + Duration::minutes(20);
        let s2 = policy.after_failure(&s, later);
        assert_eq!(s2.failed_attempts, 1);
        assert!(!policy.is_locked(&s2, later));
    }

    #[test]
    fn usernames_are_normalised() {
        assert_eq!(
            parse_username("username", " Prov.Director ").unwrap(),
            "prov.director"
        );
        assert!(parse_username("username", "张三").is_err());
        assert!(parse_username("username", "ab").is_err());
    }
}

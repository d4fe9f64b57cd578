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
        if is_common_password(password) {
            return Err(FieldError::new(
                field,
                Msg::new("password.common").arg("field", format!("field.{field}")),
            ));
        }
        Ok(())
    }
}

/// Widely used passwords and password stems (one per line, lower case), from public
/// breach-frequency lists and their Chinese counterparts (pinyin, keyboard walks).
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Undoes the common letter-for-symbol swaps (`p@ssw0rd` → `password`).
fn unleet(s: &str) -> String {
    s.chars()
        .map(|c| match c {
            '@' | '4' => 'a',
            '0' => 'o',
            '1' | '!' => 'i',
            '3' => 'e',
            '$' | '5' => 's',
            '7' => 't',
            c => c,
        })
        .collect()
}

/// Whether `password` is, or is built on, a widely used password: compared in lower case,
/// with the digits and symbols around the letters removed (`Password1!` → `password`), and
/// with symbol swaps undone (`P@ssw0rd` → `password`).
pub fn is_common_password(password: &str) -> bool {
    let lower = password.to_ascii_lowercase();
    let stem = lower.trim_matches(|c: char| !c.is_ascii_alphabetic() && c != '@' && c != '$');
    let stem = stem.trim_end_matches(['@', '$']);
    let candidates = [
        lower.clone(),
        stem.to_string(),
        unleet(stem),
        unleet(&lower),
    ];
    COMMON_PASSWORDS
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .any(|w| candidates.iter().any(|c| c == w))
}

/// How long a one-time password issued by a reset stays valid.
pub const ONE_TIME_PASSWORD_MINUTES: i64 = 30;

/// A one-time password from 16 random bytes: four groups of four characters from an alphabet
/// without look-alikes (`0/O`, `1/l/I`), upper, lower and digits.
pub fn one_time_password(random: &[u8; 16]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789";
    let mut out = String::with_capacity(19);
    for (i, b) in random.iter().enumerate() {
        if i > 0 && i % 4 == 0 {
            out.push('-');
        }
        out.push(ALPHABET[usize::from(*b) % ALPHABET.len()] as char);
    }
    out
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

/// The longest delay, as a multiple of `lock_minutes`: after the fourth lockout in a row the
/// delay stops growing, so nobody can lock an account for longer than 8 × `lock_minutes`.
pub const MAX_BACKOFF_FACTOR: i64 = 8;

impl LockoutPolicy {
    /// The delay imposed by the `lockouts`-th lockout in a row (1-based): `lock_minutes`,
    /// doubling each time, capped at [`MAX_BACKOFF_FACTOR`] × `lock_minutes`.
    pub fn delay(&self, lockouts: i32) -> Duration {
        let exp = u32::try_from(lockouts.saturating_sub(1).clamp(0, 3)).unwrap_or(0);
        let factor = (1i64 << exp).min(MAX_BACKOFF_FACTOR);
        Duration::minutes(self.lock_minutes.max(1) * factor)
    }

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
    fn common_passwords_and_their_variants_are_refused() {
        let p = PasswordPolicy::default();
        for weak in [
            "Password1",
            "P@ssw0rd",
            "P@ssw0rd2026!",
            "Qwerty123!",
            "Admin@123",
            "Woaini1314!",
            "1qaz@WSX",
        ] {
            let e = p.check("new_password", weak, "zhang").unwrap_err();
            assert_eq!(e.field, "new_password", "{weak}");
            assert!(
                e.msg.render().contains("常见"),
                "{weak}: {}",
                e.msg.render()
            );
        }
        assert!(p.check("new_password", "Xuncha@2026", "zhang").is_ok());
        assert!(p.check("new_password", "Strong#2026pw", "zhang").is_ok());
    }

    #[test]
    fn backoff_doubles_and_is_capped() {
        let p = LockoutPolicy::default();
        assert_eq!(p.delay(1), Duration::minutes(15));
        assert_eq!(p.delay(2), Duration::minutes(30));
        assert_eq!(p.delay(3), Duration::minutes(60));
        assert_eq!(p.delay(4), Duration::minutes(120));
        assert_eq!(p.delay(40), Duration::minutes(120));
    }

    #[test]
    fn one_time_passwords_have_four_groups() {
        let otp = one_time_password(&[7u8; 16]);
        assert_eq!(otp.len(), 19);
        assert_eq!(otp.matches('-').count(), 3);
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

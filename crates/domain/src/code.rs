//! Codes: enums with a stable wire and storage code and a Chinese label from the catalogue.
//!
//! `code_enum!` declares one: the variants with their codes, `ALL`, `code()`, `label()` (the
//! catalogue key is the prefix plus the code), and parsing from a code or a label as people type
//! it in Excel sheets.

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident, $prefix:literal, { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable wire and storage code.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Chinese label from the message catalogue.
            pub fn label(self) -> &'static str {
                $crate::i18n::template(match self { $($name::$variant => concat!($prefix, $code)),+ })
                    .unwrap_or(self.code())
            }

            pub fn from_code(code: &str) -> Option<Self> {
                Self::ALL.iter().copied().find(|v| v.code() == code)
            }

            /// Accepts the code, the Chinese label, or an unambiguous short form of a label
            /// such as 村 or 社区 for 村(社区) (as people type them in Excel sheets).
            pub fn from_code_or_label(text: &str) -> Option<Self> {
                let t = text.trim();
                let t = &t.replace('（', "(").replace('）', ")");
                Self::ALL.iter().copied().find(|v| v.code() == t || v.label() == t).or_else(|| {
                    let matches: Vec<Self> = Self::ALL.iter().copied().filter(|v| $crate::code::label_aliases(v.label()).any(|a| a == t)).collect();
                    if matches.len() == 1 { Some(matches[0]) } else { None }
                })
            }

            /// Reads a stored code (a row's column).
            pub fn from_stored(code: String) -> Result<Self, $crate::code::UnknownCode> {
                Self::from_code(&code).ok_or($crate::code::UnknownCode(code))
            }

            /// Parses a wire value, naming `field` in the error.
            pub fn parse_field(field: &str, text: &str) -> Result<Self, $crate::error::FieldError> {
                Self::from_code_or_label(text).ok_or_else(|| {
                    let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.label()).collect();
                    $crate::error::FieldError::new(field, $crate::i18n::Msg::new("validation.unknown_value")
                        .arg("field", format!("field.{field}"))
                        .arg("value", text)
                        .arg("allowed", allowed.join("、")))
                })
            }
        }

        impl TryFrom<String> for $name {
            type Error = $crate::code::UnknownCode;

            fn try_from(code: String) -> Result<Self, Self::Error> {
                Self::from_stored(code)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}
pub(crate) use code_enum;

/// A stored code that names no value of its enum (a row written by a newer version, or edited
/// by hand).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown code {0:?}")]
pub struct UnknownCode(pub String);

/// The short forms of a label `X(Y、Z)`: `X`, `Y` and `Z`.
pub fn label_aliases(label: &str) -> impl Iterator<Item = &str> {
    let (head, rest) = label.split_once('(').unwrap_or((label, ""));
    // "交叉巡察" is also typed as "交叉".
    let short = head.strip_suffix("巡察").filter(|s| !s.is_empty());
    std::iter::once(head).chain(short).chain(
        rest.trim_end_matches(')')
            .split('、')
            .filter(|s| !s.is_empty()),
    )
}

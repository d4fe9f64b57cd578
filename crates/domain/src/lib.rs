//! Xuncha domain: types, rules and formulas of inspection work.
//!
//! Architecture invariant: this crate does no IO. No database, no network, no files,
//! no clock reads (time is always a parameter). Everything here is testable with plain values.

pub mod assessment;
pub mod audit;
pub mod auth;
pub mod code;
pub mod dashboard;
pub mod demo;
pub mod disclosure;
pub mod error;
pub mod guidance;
pub mod i18n;
pub mod ids;
pub mod inspection;
pub mod letters;
pub mod limits;
pub mod linkage;
pub mod org;
pub mod perm;
pub mod public_report;
pub mod rectification;
pub mod recusal;
pub mod settings;
pub mod totp;
pub mod workbench;

pub use error::{DomainError, FieldError};

//! Services: what runs beside the HTTP layer and the command line, on the store and the domain.
//!
//! - `bootstrap`: the built-in roles and reference data, `init` of a new installation, and the
//!   demo province;
//! - `scheduler`: the rectification jobs (three-colour warnings, long-term reminders, e-mail),
//!   elected by a lease when several nodes share a database;
//! - `crypto`: password hashing (argon2id), SM3 digests and SM4-GCM field encryption, tokens.
//!
//! **Invariant:** no HTTP types; the api and app crates call these.

pub mod bootstrap;
pub mod crypto;
pub mod scheduler;

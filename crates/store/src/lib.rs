//! Xuncha storage: all SQL lives here.
//!
//! One repository layer over two backends: SQLite (embedded, the default) and PostgreSQL
//! (chosen by a `postgres://` URL). Queries are written once with `$N` placeholders, which both
//! backends accept, and run through [`on_db!`], which expands the same body for each pool type.
//! Dynamic filters use `sqlx::QueryBuilder`, so values are always bound, never spliced.
//!
//! Every mutating function takes an [`audit::Actor`] and appends its audit record in the same
//! transaction as the change: either both are stored or neither is.

pub mod accounts;
pub mod assessment;
pub mod audit;
pub mod backup;
pub mod clock;
pub mod clues;
mod db;
pub mod disclosure;
pub mod fieldwork;
pub mod inspection;
pub mod orgs;
pub mod rectification;
pub mod scope;
pub mod settings;
pub mod teams;
#[doc(hidden)]
pub mod testing;

pub use clock::Clock;
pub use db::{Backend, Db, Pool, StoreError, connect, connect_sqlite_file};

/// Runs `$body` with `$pool` bound to the concrete pool of whichever backend `$db` is.
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match &($db).pool {
            $crate::Pool::Sqlite($pool) => $body,
            $crate::Pool::Postgres($pool) => $body,
        }
    };
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

/// Page parameters, clamped to sane bounds.
#[derive(Debug, Clone, Copy)]
pub struct PageReq {
    pub page: i64,
    pub page_size: i64,
}

impl PageReq {
    pub fn new(page: Option<i64>, page_size: Option<i64>) -> Self {
        PageReq {
            page: page.unwrap_or(1).max(1),
            page_size: page_size.unwrap_or(20).clamp(1, 200),
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.page_size)
    }
}

//! Full-text search (issue 13): one tantivy index per node, in the data directory, rebuilt
//! from the database at will and kept in step through the database's outbox.
//!
//! - [`fold`]: the text folding shared by indexing and querying (traditional → simplified,
//!   full-width, case, punctuation, scraped pinyin).
//! - [`query`]: the query language (words, "exact phrases", prefix*) → tantivy queries.
//! - [`Search`]: the index, its rebuild, applying the outbox, and scoped queries.
//!
//! Visibility is in the query: each document carries access tokens
//! ([`xuncha_store::search::acl`]), and every search ANDs the tokens the viewer's scope grants,
//! so a hit outside the scope is neither returned nor counted.

pub mod fold;
mod index;
pub mod query;

pub use index::{Hit, Kind, Results, Search, SearchError, SearchReq, Segment, Viewer};

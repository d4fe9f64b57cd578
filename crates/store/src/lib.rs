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
pub mod counters;
pub mod dashboard;
mod db;
pub mod disclosure;
pub mod fieldwork;
pub mod guidance;
pub mod inspection;
pub mod linkage;
pub mod orgs;
pub mod public_reports;
pub mod rectification;
pub mod scheduler;
pub mod scope;
pub mod search;
pub mod settings;
pub mod teams;
#[doc(hidden)]
pub mod testing;
pub mod workbench;
mod writer;

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

/// One page of `$select` (a `SELECT … WHERE …` without ORDER BY) and its total, inside an
/// `on_db!` body: `$filter` pushes the same conditions onto the count and the page query, `$order`
/// is the ORDER BY (ending in a unique key, so pages never overlap). Evaluates to `Page<$row>`.
#[macro_export]
macro_rules! page_of {
    ($pool:ident, $select:expr, $filter:expr, $order:expr, $page:expr, $row:ty) => {{
        let filter = $filter;
        let mut count = sqlx::QueryBuilder::new($crate::count_of($select));
        filter(&mut count);
        let total: i64 = count.build_query_scalar().fetch_one($pool).await?;
        let mut qb = sqlx::QueryBuilder::new($select);
        filter(&mut qb);
        qb.push($order)
            .push(" LIMIT ")
            .push_bind($page.page_size)
            .push(" OFFSET ")
            .push_bind($page.offset());
        $crate::Page {
            items: qb.build_query_as::<$row>().fetch_all($pool).await?,
            total,
        }
    }};
}

/// Appends ` AND {column} IN (…)` with every value bound (callers chunk long lists, e.g. by 500,
/// to stay under the backends' limits on bound parameters).
pub(crate) fn push_in<DB, T>(qb: &mut sqlx::QueryBuilder<DB>, column: &str, values: &[T])
where
    DB: sqlx::Database,
    T: Clone + for<'t> sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push(" AND ").push(column).push(" IN (");
    let mut sep = qb.separated(", ");
    for v in values {
        sep.push_bind(v.clone());
    }
    qb.push(")");
}

/// A page of results.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
}

#[doc(hidden)]
/// `SELECT COUNT(*)` over the rows of a `SELECT cols FROM … WHERE …` query: its select list (up to
/// the first `FROM` outside parentheses) is replaced, so a page's total uses the same joins and
/// filters as the page without computing its columns.
pub fn count_of(select: &str) -> String {
    let mut depth = 0i32;
    let bytes = select.as_bytes();
    for (i, b) in bytes.iter().enumerate() {
        match b {
            b'(' => depth += 1,
            b')' => depth -= 1,
            b' ' if depth == 0 && select[i..].starts_with(" FROM ") => {
                return format!("SELECT COUNT(*){}", &select[i..]);
            }
            _ => {}
        }
    }
    format!("SELECT COUNT(*) FROM ({select}) x")
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

    /// Every row in one page: for reads their filter already bounds (one team's requests, one
    /// finding's extensions) and for rankings over all candidates; never for a list a user
    /// pages through.
    pub const fn bounded_by_filter() -> Self {
        PageReq {
            page: 1,
            page_size: i64::MAX,
        }
    }

    pub fn offset(&self) -> i64 {
        (self.page - 1).saturating_mul(self.page_size)
    }
}

#[cfg(test)]
mod tests {
    /// No list stops at a fixed length without saying so: a `LIMIT` in the store is a bound
    /// parameter (a page, a batch) or `LIMIT 1` (one row), never a literal cap.
    #[test]
    fn every_write_of_counted_facts_keeps_the_counters() {
        // Columns a finding's counter contribution depends on (counters.rs).
        const COUNTED: &[&str] = &[
            "state",
            "deadline",
            "due_date",
            "closed_on",
            "extensions",
            "category_id",
            "org_path",
            "round_unit_id",
            "immediate_requirement",
            "immediate_done_at",
        ];
        // Writes that cannot change a counter, and why (none today: every finding, draft or
        // not, counts in `finding_counters`).
        const EXEMPT: &[(&str, &str)] = &[];
        fn writes_counted(stmt: &str) -> bool {
            if stmt.contains("INSERT INTO findings")
                || stmt.contains("DELETE FROM findings")
                || stmt.contains("query(REFRESH_DUE)")
                || stmt.contains("INSERT INTO rect_outcomes")
            {
                return true;
            }
            let Some(at) = stmt.find("UPDATE findings SET ") else {
                return false;
            };
            let set = &stmt[at + 20..];
            let set = &set[..set.find(" WHERE").unwrap_or(set.len())];
            set.split(',').any(|part| {
                part.split('=')
                    .next()
                    .is_some_and(|c| COUNTED.contains(&c.trim()))
            })
        }
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
        let mut missing = Vec::new();
        // Tests set up their rows with raw SQL: only the code before them counts.
        for (path, code) in store_sources() {
            let rel = path.strip_prefix(&root).unwrap().display().to_string();
            let lines: Vec<&str> = code.lines().collect();
            // Each function runs from its `fn` line to the next one.
            let starts: Vec<usize> = lines
                .iter()
                .enumerate()
                .filter(|(_, l)| {
                    let t = l.trim_start();
                    (t.starts_with("pub async fn ")
                        || t.starts_with("async fn ")
                        || t.starts_with("pub(crate) async fn ")
                        || t.starts_with("pub(super) async fn "))
                        && !l.starts_with(' ')
                })
                .map(|(i, _)| i)
                .collect();
            for (k, &from) in starts.iter().enumerate() {
                let to = starts.get(k + 1).copied().unwrap_or(lines.len());
                let body = lines[from..to].join("\n");
                let head = lines[from].trim_start();
                let head = &head[..head.find('(').unwrap_or(head.len())];
                if EXEMPT.iter().any(|(f, h)| rel.ends_with(f) && head == *h) {
                    continue;
                }
                let writes = body.split(';').any(writes_counted);
                let keeps = ["counters_follow!", "counters_move!", "counters_outcome!"]
                    .iter()
                    .any(|m| body.contains(m));
                if writes && !keeps {
                    missing.push(format!("{rel}: {head}"));
                }
            }
        }
        assert!(
            missing.is_empty(),
            "functions that change what a finding counts without keeping the counters: {missing:#?}"
        );
    }

    #[test]
    fn no_silent_caps_in_the_store() {
        let mut caps = Vec::new();
        for (path, text) in store_sources() {
            for (i, line) in text.lines().enumerate() {
                let mut rest = line;
                while let Some(at) = rest.find("LIMIT ") {
                    rest = &rest[at + 6..];
                    let n: String = rest.chars().take_while(char::is_ascii_digit).collect();
                    if !n.is_empty() && n != "1" {
                        caps.push(format!("{}:{}: LIMIT {n}", path.display(), i + 1));
                    }
                }
            }
        }
        assert!(caps.is_empty(), "fixed caps: {caps:#?}");
    }

    /// Every write goes through the group-commit writer (`db.write(p)`): a transaction opened on
    /// the pool would take SQLite's write lock beside the writer and commit on its own.
    #[test]
    fn writes_go_through_the_writer() {
        let mut own = Vec::new();
        for (path, text) in store_sources() {
            if path.ends_with("writer.rs") {
                continue;
            }
            for (i, line) in text.lines().enumerate() {
                if [".begin()", "begin_with(", "\"BEGIN", "\"COMMIT"]
                    .iter()
                    .any(|t| line.contains(t))
                {
                    own.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
        assert!(own.is_empty(), "transactions outside the writer: {own:#?}");
    }

    /// The store's sources, each file up to its test module.
    /// Every source file of the store with its code before `#[cfg(test)]`; test modules in files
    /// of their own (`tests.rs`) are left out.
    fn store_sources() -> Vec<(std::path::PathBuf, String)> {
        fn walk(dir: &std::path::Path, out: &mut Vec<(std::path::PathBuf, String)>) {
            for e in std::fs::read_dir(dir).unwrap() {
                let path = e.unwrap().path();
                if path.is_dir() {
                    walk(&path, out);
                } else if path.extension().is_some_and(|x| x == "rs")
                    // A test module in a file of its own (`#[cfg(test)] mod tests;`).
                    && path.file_name().is_some_and(|n| n != "tests.rs")
                {
                    let text = std::fs::read_to_string(&path).unwrap();
                    let code = text.split("#[cfg(test)]").next().unwrap_or("").to_string();
                    out.push((path, code));
                }
            }
        }
        let mut out = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
            &mut out,
        );
        out
    }

    #[test]
    fn count_of_keeps_joins_and_filters_and_skips_subselects() {
        assert_eq!(
            super::count_of(
                "SELECT a, (SELECT COUNT(*) FROM f WHERE f.x = t.id) AS n FROM t JOIN u ON u.id = t.u WHERE 1 = 1"
            ),
            "SELECT COUNT(*) FROM t JOIN u ON u.id = t.u WHERE 1 = 1"
        );
    }
}

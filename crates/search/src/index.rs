//! The index: schema, rebuild, outbox application and scoped queries.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, Occur, PhrasePrefixQuery, PhraseQuery, Query, TermQuery};
use tantivy::schema::{
    Field, INDEXED, IndexRecordOption, STORED, STRING, Schema, TextFieldIndexing, TextOptions,
    Value,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::tokenizer::{TextAnalyzer, TokenStream, Tokenizer};
use tantivy::{Index, IndexReader, IndexWriter, ReloadPolicy, TantivyDocument, Term, doc};
use tantivy_jieba::JiebaTokenizer;
use xuncha_store::Db;
use xuncha_store::scope::Scope;
use xuncha_store::search::{self as store, SearchDoc, acl};

use crate::fold::fold;
use crate::query::{Part, parse};

/// The tokenizer of the text fields: jieba in search mode (a long word also yields its
/// dictionary sub-words, so 财政 finds 财政局).
const TOKENIZER: &str = "zh";
/// Documents read from the database per batch when rebuilding or catching up.
const BATCH: i64 = 1000;
/// Memory budget of the index writer.
const WRITER_HEAP: usize = 50_000_000;
/// Prefix expansions per prefix term.
const MAX_EXPANSIONS: u32 = 200;
const PAYLOAD_PREFIX: &str = "outbox:";

#[derive(Debug, thiserror::Error)]
pub enum SearchError {
    #[error("search index: {0}")]
    Index(#[from] tantivy::TantivyError),
    #[error("search index: {0}")]
    Dir(#[from] tantivy::directory::error::OpenDirectoryError),
    #[error(transparent)]
    Store(#[from] xuncha_store::StoreError),
    #[error("search index: {0}")]
    Io(#[from] std::io::Error),
    #[error("search index: worker stopped")]
    Join,
}

type Result<T> = std::result::Result<T, SearchError>;

#[derive(Clone, Copy)]
struct Fields {
    key: Field,
    kind: Field,
    id: Field,
    title: Field,
    body: Field,
    unit: Field,
    title_raw: Field,
    unit_raw: Field,
    unit_id: Field,
    round_id: Field,
    round_unit_id: Field,
    finding_id: Field,
    category_id: Field,
    state: Field,
    date: Field,
    team: Field,
    acl: Field,
}

fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text = TextOptions::default()
        .set_indexing_options(
            TextFieldIndexing::default()
                .set_tokenizer(TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions),
        )
        .set_stored();
    let fields = Fields {
        key: b.add_text_field("key", STRING | STORED),
        kind: b.add_text_field("kind", STRING | STORED),
        id: b.add_i64_field("id", INDEXED | STORED),
        title: b.add_text_field("title", text.clone()),
        body: b.add_text_field("body", text.clone()),
        unit: b.add_text_field("unit", text),
        title_raw: b.add_text_field("title_raw", STORED),
        unit_raw: b.add_text_field("unit_raw", STORED),
        unit_id: b.add_i64_field("unit_id", INDEXED | STORED),
        round_id: b.add_i64_field("round_id", INDEXED | STORED),
        round_unit_id: b.add_i64_field("round_unit_id", STORED),
        finding_id: b.add_i64_field("finding_id", INDEXED | STORED),
        category_id: b.add_i64_field("category_id", INDEXED | STORED),
        state: b.add_text_field("state", STRING | STORED),
        date: b.add_text_field("date", STRING | STORED),
        team: b.add_i64_field("team", INDEXED),
        acl: b.add_text_field("acl", STRING),
    };
    (b.build(), fields)
}

fn analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(JiebaTokenizer::new())
        .filter(tantivy::tokenizer::StopWordFilter::remove(vec![
            " ".to_string(),
        ]))
        .build()
}

/// The kinds a search covers, with the display order of groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    Finding,
    Measure,
    Org,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Finding, Kind::Measure, Kind::Org];

    pub fn code(self) -> &'static str {
        match self {
            Kind::Finding => store::KIND_FINDING,
            Kind::Measure => store::KIND_MEASURE,
            Kind::Org => store::KIND_ORG,
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.code() == s)
    }
}

/// Who searches: the data scope and which kinds of records the permissions open.
#[derive(Debug, Clone)]
pub struct Viewer {
    pub scope: Scope,
    /// Organisations (`org:read`).
    pub orgs: bool,
    /// Round records through the office running the round (`inspection:read`).
    pub rounds: bool,
    /// Ledger records through the inspected organisation (`rect:read` / `problem:read`).
    pub ledger: bool,
    /// For a team-bound viewer, the teams whose round records it sees.
    pub teams: Vec<i64>,
}

/// A search request.
#[derive(Debug, Clone)]
pub struct SearchReq {
    pub q: String,
    pub kind: Option<Kind>,
    pub round_id: Option<i64>,
    pub unit_id: Option<i64>,
    /// 0-based.
    pub offset: usize,
    pub limit: usize,
}

/// A piece of a snippet; `hit` pieces matched the query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub text: String,
    pub hit: bool,
}

#[derive(Debug, Clone)]
pub struct Hit {
    pub kind: Kind,
    pub id: i64,
    pub title: String,
    pub snippet: Vec<Segment>,
    pub unit_id: i64,
    pub unit_name: String,
    pub round_id: Option<i64>,
    pub round_unit_id: Option<i64>,
    pub finding_id: Option<i64>,
    pub category_id: Option<i64>,
    pub state: String,
    pub date: Option<String>,
    pub score: f32,
}

#[derive(Debug, Clone)]
pub struct Results {
    pub items: Vec<Hit>,
    /// Hits of the requested kind (all kinds when none).
    pub total: u64,
    /// Hits per kind, whatever kind was requested.
    pub counts: BTreeMap<Kind, u64>,
}

struct Inner {
    index: Index,
    reader: IndexReader,
    writer: std::sync::Mutex<IndexWriter>,
    fields: Fields,
    /// One catch-up or rebuild at a time (they move the cursor).
    sync: tokio::sync::Mutex<()>,
}

/// The node's search index. Cheap to clone.
#[derive(Clone)]
pub struct Search(Arc<Inner>);

impl std::fmt::Debug for Search {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Search")
    }
}

impl Search {
    /// Opens (or creates) the index in `dir`. An index of an older schema is replaced by an
    /// empty one (the cursor is gone with it, so the next catch-up rebuilds it).
    pub fn open(dir: &Path) -> Result<Search> {
        std::fs::create_dir_all(dir)?;
        let (schema, fields) = schema();
        let mmap = tantivy::directory::MmapDirectory::open(dir)?;
        let index = match Index::open_or_create(mmap, schema.clone()) {
            Ok(index) => index,
            Err(e) => {
                tracing::warn!(error = %e, "search index unreadable or of another schema; starting afresh");
                std::fs::remove_dir_all(dir)?;
                std::fs::create_dir_all(dir)?;
                Index::open_or_create(tantivy::directory::MmapDirectory::open(dir)?, schema)?
            }
        };
        Self::with_index(index, fields)
    }

    /// An index in memory (tests, or a node without a data directory).
    pub fn in_memory() -> Result<Search> {
        let (schema, fields) = schema();
        Self::with_index(Index::create_in_ram(schema), fields)
    }

    fn with_index(index: Index, fields: Fields) -> Result<Search> {
        crate::fold::warm_up();
        index.tokenizers().register(TOKENIZER, analyzer());
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        let writer = index.writer(WRITER_HEAP)?;
        Ok(Search(Arc::new(Inner {
            index,
            reader,
            writer: std::sync::Mutex::new(writer),
            fields,
            sync: tokio::sync::Mutex::new(()),
        })))
    }

    /// The outbox id the index has applied up to; None for an index never built.
    pub fn cursor(&self) -> Option<i64> {
        let metas = self.0.index.load_metas().ok()?;
        metas
            .payload
            .as_deref()
            .and_then(|p| p.strip_prefix(PAYLOAD_PREFIX))
            .and_then(|n| n.parse().ok())
    }

    /// Number of documents in the index.
    pub fn len(&self) -> u64 {
        self.0.reader.searcher().num_docs()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Rebuilds the whole index from the database. Searches see the old index until the new
    /// one commits. Returns the number of documents.
    pub async fn rebuild(&self, db: &Db) -> Result<u64> {
        let _guard = self.0.sync.lock().await;
        self.rebuild_locked(db).await
    }

    async fn rebuild_locked(&self, db: &Db) -> Result<u64> {
        // Changes after this id are applied again by the next catch-up (applying is idempotent).
        let head = store::outbox_head(db).await?;
        let inner = self.0.clone();
        blocking(move || {
            inner
                .writer
                .lock()
                .map_err(|_| SearchError::Join)?
                .delete_all_documents()?;
            Ok(())
        })
        .await?;
        let mut n = 0u64;
        for kind in store::KINDS {
            let mut after = 0;
            loop {
                let (ids, docs) = store::batch(db, kind, after, BATCH).await?;
                let Some(&last) = ids.last() else { break };
                after = last;
                n += docs.len() as u64;
                let inner = self.0.clone();
                blocking(move || inner.add(docs)).await?;
            }
        }
        let inner = self.0.clone();
        blocking(move || inner.commit(head)).await?;
        tracing::info!(docs = n, cursor = head, "search index rebuilt");
        Ok(n)
    }

    /// Applies the outbox rows after the index's cursor; rebuilds first when the index was
    /// never built or the rows it needs were pruned. Returns the number of rows applied.
    pub async fn catch_up(&self, db: &Db) -> Result<u64> {
        let _guard = self.0.sync.lock().await;
        self.catch_up_locked(db, true).await
    }

    /// Before answering a search: applies what the outbox holds after the cursor, so a request
    /// sees its own writes. Never rebuilds (the worker does), and waits at most `wait` for a
    /// catch-up or rebuild in progress, then searches the index as it is.
    pub async fn refresh(&self, db: &Db, wait: std::time::Duration) -> Result<()> {
        let Ok(_guard) = tokio::time::timeout(wait, self.0.sync.lock()).await else {
            return Ok(());
        };
        self.catch_up_locked(db, false).await.map(|_| ())
    }

    async fn catch_up_locked(&self, db: &Db, rebuild: bool) -> Result<u64> {
        let mut cursor = match self.cursor() {
            Some(c) if c >= store::pruned_through(db).await? => c,
            _ if !rebuild => return Ok(0),
            _ => {
                self.rebuild_locked(db).await?;
                self.cursor().unwrap_or(0)
            }
        };
        let mut applied = 0u64;
        loop {
            let rows = store::outbox_after(db, cursor, BATCH).await?;
            let Some(last) = rows.last().map(|r| r.id) else {
                break;
            };
            let mut by_kind: BTreeMap<String, Vec<i64>> = BTreeMap::new();
            for r in &rows {
                by_kind.entry(r.kind.clone()).or_default().push(r.record_id);
            }
            let mut changes = Vec::new();
            for (kind, mut ids) in by_kind {
                ids.sort_unstable();
                ids.dedup();
                let docs = store::docs(db, &kind, &ids).await?;
                changes.push((kind, ids, docs));
            }
            let inner = self.0.clone();
            blocking(move || {
                inner.apply(changes)?;
                inner.commit(last)
            })
            .await?;
            applied += rows.len() as u64;
            cursor = last;
        }
        Ok(applied)
    }

    /// Runs a scoped search.
    pub async fn search(&self, viewer: &Viewer, req: &SearchReq) -> Result<Results> {
        let inner = self.0.clone();
        let viewer = viewer.clone();
        let req = req.clone();
        blocking(move || inner.search(&viewer, &req)).await
    }

    /// Keeps the index in step in the background: catches up every `interval`, reports this
    /// node's cursor and prunes what every live node has applied every minute.
    pub fn spawn_worker(
        &self,
        db: Db,
        node: String,
        interval: std::time::Duration,
    ) -> tokio::task::JoinHandle<()> {
        let search = self.clone();
        tokio::spawn(async move {
            let mut last_report: Option<tokio::time::Instant> = None;
            loop {
                if let Err(e) = search.catch_up(&db).await {
                    tracing::warn!(error = %e, "search catch-up failed");
                }
                let due =
                    last_report.is_none_or(|t| t.elapsed() >= std::time::Duration::from_secs(60));
                if due && let Some(cursor) = search.cursor() {
                    last_report = Some(tokio::time::Instant::now());
                    let live_since = db.now() - time::Duration::days(1);
                    let r = async {
                        store::report_node(&db, &node, cursor).await?;
                        store::prune(&db, live_since).await
                    };
                    if let Err(e) = r.await {
                        tracing::warn!(error = %e, "search outbox pruning failed");
                    }
                }
                tokio::time::sleep(interval).await;
            }
        })
    }
}

async fn blocking<T: Send + 'static>(f: impl FnOnce() -> Result<T> + Send + 'static) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| SearchError::Join)?
}

impl Inner {
    fn key(kind: &str, id: i64) -> String {
        format!("{kind}:{id}")
    }

    fn document(&self, d: SearchDoc) -> TantivyDocument {
        let f = &self.fields;
        let mut doc = doc!(
            f.key => Self::key(d.kind, d.id),
            f.kind => d.kind,
            f.id => d.id,
            f.title => fold(&d.title),
            f.body => fold(&d.body),
            f.unit => fold(&d.unit_name),
            f.unit_raw => d.unit_name,
            f.title_raw => d.title,
            f.unit_id => d.unit_id,
            f.state => d.state,
        );
        if let Some(v) = d.round_id {
            doc.add_i64(f.round_id, v);
        }
        if let Some(v) = d.round_unit_id {
            doc.add_i64(f.round_unit_id, v);
        }
        if let Some(v) = d.finding_id {
            doc.add_i64(f.finding_id, v);
        }
        if let Some(v) = d.category_id {
            doc.add_i64(f.category_id, v);
        }
        if let Some(v) = d.team_id {
            doc.add_i64(f.team, v);
        }
        if let Some(date) = d.date {
            doc.add_text(f.date, date.to_string());
        }
        for t in d.acl {
            doc.add_text(f.acl, t);
        }
        doc
    }

    fn add(&self, docs: Vec<SearchDoc>) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Join)?;
        for d in docs {
            writer.add_document(self.document(d))?;
        }
        Ok(())
    }

    /// Replaces the named records by their current documents (none: deleted). A finding's
    /// change replaces its measures too.
    fn apply(&self, changes: Vec<(String, Vec<i64>, Vec<SearchDoc>)>) -> Result<()> {
        let writer = self.writer.lock().map_err(|_| SearchError::Join)?;
        for (kind, ids, docs) in changes {
            for id in ids {
                writer.delete_term(Term::from_field_text(
                    self.fields.key,
                    &Self::key(&kind, id),
                ));
                if kind == store::KIND_FINDING {
                    writer.delete_term(Term::from_field_i64(self.fields.finding_id, id));
                }
            }
            for d in docs {
                writer.add_document(self.document(d))?;
            }
        }
        Ok(())
    }

    fn commit(&self, cursor: i64) -> Result<()> {
        {
            let mut writer = self.writer.lock().map_err(|_| SearchError::Join)?;
            let mut prepared = writer.prepare_commit()?;
            prepared.set_payload(&format!("{PAYLOAD_PREFIX}{cursor}"));
            prepared.commit()?;
        }
        self.reader.reload()?;
        Ok(())
    }

    /// The query tokens of `text` (jieba default mode) with their character offsets.
    fn tokens(text: &str) -> Vec<(usize, String)> {
        let mut tokenizer = JiebaTokenizer::with_search_mode(false);
        let mut stream = tokenizer.token_stream(text);
        let mut out = Vec::new();
        while stream.advance() {
            let t = stream.token();
            if !t.text.trim().is_empty() {
                out.push((t.position, t.text.clone()));
            }
        }
        // Offsets relative to the first token.
        if let Some(first) = out.first().map(|t| t.0) {
            for t in &mut out {
                t.0 -= first;
            }
        }
        out
    }

    /// The query of one part on one text field.
    fn part_on(field: Field, part: &Part, tokens: &[(usize, String)]) -> Box<dyn Query> {
        let terms: Vec<(usize, Term)> = tokens
            .iter()
            .map(|(o, t)| (*o, Term::from_field_text(field, t)))
            .collect();
        if part.prefix {
            let mut q = PhrasePrefixQuery::new_with_offset(terms);
            q.set_max_expansions(MAX_EXPANSIONS);
            return Box::new(q);
        }
        if let [(_, t)] = terms.as_slice() {
            return Box::new(TermQuery::new(t.clone(), IndexRecordOption::WithFreqs));
        }
        if part.phrase {
            return Box::new(PhraseQuery::new_with_offset(terms));
        }
        // Words: every token, anywhere in the field.
        Box::new(BooleanQuery::new(
            terms
                .into_iter()
                .map(|(_, t)| {
                    (
                        Occur::Must,
                        Box::new(TermQuery::new(t, IndexRecordOption::WithFreqs)) as Box<dyn Query>,
                    )
                })
                .collect(),
        ))
    }

    /// The text query: every part must match, in any of the text fields.
    fn text_query(&self, q: &str) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let mut must: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for part in parse(q) {
            let tokens = Self::tokens(&part.text);
            if tokens.is_empty() {
                continue;
            }
            let should: Vec<(Occur, Box<dyn Query>)> = [f.title, f.body, f.unit]
                .into_iter()
                .map(|field| (Occur::Should, Self::part_on(field, &part, &tokens)))
                .collect();
            must.push((Occur::Must, Box::new(BooleanQuery::new(should))));
        }
        (!must.is_empty()).then(|| Box::new(BooleanQuery::new(must)) as Box<dyn Query>)
    }

    fn scope_tokens(scope: &Scope, route: &str) -> Vec<String> {
        if scope.all {
            return vec![acl::all(route)];
        }
        let mut v: Vec<String> = scope
            .ranges
            .iter()
            .map(|(start, _)| acl::subtree(route, start))
            .collect();
        v.extend(scope.orgs.iter().map(|id| acl::org(route, id.get())));
        if scope.own {
            v.push(acl::owner(route, scope.user_id));
        }
        v
    }

    fn any_of(&self, terms: impl IntoIterator<Item = Term>) -> Box<dyn Query> {
        Box::new(BooleanQuery::new(
            terms
                .into_iter()
                .map(|t| {
                    (
                        Occur::Should,
                        Box::new(TermQuery::new(t, IndexRecordOption::Basic)) as Box<dyn Query>,
                    )
                })
                .collect(),
        ))
    }

    /// What the viewer may see; None when nothing.
    fn access_query(&self, viewer: &Viewer) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        let text_terms = |route: &str| -> Vec<Term> {
            Self::scope_tokens(&viewer.scope, route)
                .iter()
                .map(|t| Term::from_field_text(f.acl, t))
                .collect()
        };
        let mut should: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut add = |route: &str, extra: Option<Box<dyn Query>>| {
            let terms = text_terms(route);
            if terms.is_empty() {
                return;
            }
            let q = self.any_of(terms);
            let q = match extra {
                Some(e) => Box::new(BooleanQuery::new(vec![(Occur::Must, q), (Occur::Must, e)]))
                    as Box<dyn Query>,
                None => q,
            };
            should.push((Occur::Should, q));
        };
        if viewer.orgs {
            add(acl::ORG, None);
        }
        if viewer.ledger {
            add(acl::LEDGER, None);
        }
        if viewer.rounds {
            if viewer.scope.team_user.is_some() {
                if !viewer.teams.is_empty() {
                    let teams = viewer
                        .teams
                        .iter()
                        .map(|t| Term::from_field_i64(f.team, *t))
                        .collect::<Vec<_>>();
                    add(acl::ROUND, Some(self.any_of(teams)));
                }
            } else {
                add(acl::ROUND, None);
            }
        }
        (!should.is_empty()).then(|| Box::new(BooleanQuery::new(should)) as Box<dyn Query>)
    }

    fn search(&self, viewer: &Viewer, req: &SearchReq) -> Result<Results> {
        let f = &self.fields;
        let empty = Results {
            items: Vec::new(),
            total: 0,
            counts: Kind::ALL.into_iter().map(|k| (k, 0)).collect(),
        };
        let Some(text) = self.text_query(&req.q) else {
            return Ok(empty);
        };
        let Some(access) = self.access_query(viewer) else {
            return Ok(empty);
        };
        let mut base: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, text.box_clone()), (Occur::Must, access)];
        if let Some(r) = req.round_id {
            base.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_i64(f.round_id, r),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        if let Some(u) = req.unit_id {
            base.push((
                Occur::Must,
                Box::new(TermQuery::new(
                    Term::from_field_i64(f.unit_id, u),
                    IndexRecordOption::Basic,
                )),
            ));
        }
        let kind_query = |k: Kind| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(f.kind, k.code()),
                IndexRecordOption::Basic,
            ))
        };
        let searcher = self.reader.searcher();
        let mut counts = BTreeMap::new();
        for k in Kind::ALL {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> =
                base.iter().map(|(o, q)| (*o, q.box_clone())).collect();
            clauses.push((Occur::Must, kind_query(k)));
            counts.insert(
                k,
                searcher.search(&BooleanQuery::new(clauses), &Count)? as u64,
            );
        }
        let total = match req.kind {
            Some(k) => counts.get(&k).copied().unwrap_or(0),
            None => counts.values().sum(),
        };
        if let Some(k) = req.kind {
            base.push((Occur::Must, kind_query(k)));
        }
        let query = BooleanQuery::new(base);
        let top = searcher.search(
            &query,
            &TopDocs::with_limit(req.limit.max(1))
                .and_offset(req.offset)
                .order_by_score(),
        )?;
        let mut body_snippets = SnippetGenerator::create(&searcher, &*text, f.body)?;
        body_snippets.set_max_num_chars(160);
        let title_snippets = SnippetGenerator::create(&searcher, &*text, f.title)?;
        let mut items = Vec::with_capacity(top.len());
        for (score, addr) in top {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let text_of = |field: Field| -> String {
                doc.get_first(field)
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string()
            };
            let i64_of = |field: Field| doc.get_first(field).and_then(|v| v.as_i64());
            let Some(kind) = Kind::parse(&text_of(f.kind)) else {
                continue;
            };
            let mut snippet = segments(&body_snippets.snippet_from_doc(&doc));
            if !snippet.iter().any(|s| s.hit) {
                let t = segments(&title_snippets.snippet_from_doc(&doc));
                if t.iter().any(|s| s.hit) || snippet.is_empty() {
                    snippet = t;
                }
            }
            if snippet.is_empty() {
                snippet = vec![Segment {
                    text: text_of(f.body).chars().take(160).collect(),
                    hit: false,
                }];
            }
            let date = text_of(f.date);
            items.push(Hit {
                kind,
                id: i64_of(f.id).unwrap_or_default(),
                title: text_of(f.title_raw),
                snippet,
                unit_id: i64_of(f.unit_id).unwrap_or_default(),
                unit_name: text_of(f.unit_raw),
                round_id: i64_of(f.round_id),
                round_unit_id: i64_of(f.round_unit_id),
                finding_id: i64_of(f.finding_id),
                category_id: i64_of(f.category_id),
                state: text_of(f.state),
                date: (!date.is_empty()).then_some(date),
                score,
            });
        }
        Ok(Results {
            items,
            total,
            counts,
        })
    }
}

/// A snippet as plain pieces, the matched ones marked (no HTML to render).
fn segments(s: &tantivy::snippet::Snippet) -> Vec<Segment> {
    let text = s.fragment();
    let mut out = Vec::new();
    let mut at = 0;
    for r in s.highlighted() {
        if r.start > at
            && let Some(t) = text.get(at..r.start)
        {
            out.push(Segment {
                text: t.to_string(),
                hit: false,
            });
        }
        if let Some(t) = text.get(r.start..r.end) {
            out.push(Segment {
                text: t.to_string(),
                hit: true,
            });
        }
        at = r.end.max(at);
    }
    if at < text.len()
        && let Some(t) = text.get(at..)
    {
        out.push(Segment {
            text: t.to_string(),
            hit: false,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(id: i64, title: &str, body: &str, path: &str, org: i64) -> SearchDoc {
        SearchDoc {
            kind: store::KIND_FINDING,
            id,
            title: title.into(),
            body: body.into(),
            unit_id: org,
            unit_name: "县财政局".into(),
            round_id: Some(1),
            round_unit_id: Some(1),
            finding_id: None,
            category_id: None,
            state: "FED_BACK".into(),
            date: None,
            team_id: Some(7),
            acl: acl::tokens(acl::ROUND, path, org, None),
        }
    }

    fn viewer(scope: Scope) -> Viewer {
        Viewer {
            scope,
            orgs: true,
            rounds: true,
            ledger: true,
            teams: Vec::new(),
        }
    }

    fn req(q: &str) -> SearchReq {
        SearchReq {
            q: q.into(),
            kind: None,
            round_id: None,
            unit_id: None,
            offset: 0,
            limit: 10,
        }
    }

    fn ids(r: &Results) -> Vec<i64> {
        let mut v: Vec<i64> = r.items.iter().map(|h| h.id).collect();
        v.sort_unstable();
        v
    }

    fn index() -> Search {
        let s = Search::in_memory().expect("index");
        s.0.add(vec![
            finding(
                1,
                "推进全面从严治党不力",
                "违规发放津补贴 12 万元",
                "/1/2/",
                2,
            ),
            finding(2, "关于公务接待", "超标准接待，财政局长签批", "/1/3/", 3),
            finding(3, "三公经费", "公车私用", "/1/2/4/", 4),
        ])
        .expect("add");
        s.0.commit(5).expect("commit");
        s
    }

    #[test]
    fn folded_query_phrase_and_prefix() {
        let s = index();
        let all = viewer(Scope::unrestricted());
        let r = s.0.search(&all, &req("推進(jìn)")).expect("search");
        assert_eq!(ids(&r), vec![1]);
        assert!(r.items[0].snippet.iter().any(|seg| seg.hit));
        assert_eq!(ids(&s.0.search(&all, &req("關於")).expect("s")), vec![2]);
        assert_eq!(
            ids(&s.0.search(&all, &req("\"发放津补贴\"")).expect("s")),
            vec![1]
        );
        assert_eq!(
            ids(&s.0.search(&all, &req("\"津补贴发放\"")).expect("s")),
            Vec::<i64>::new()
        );
        assert_eq!(
            ids(&s.0.search(&all, &req("财政")).expect("s")),
            vec![1, 2, 3]
        );
        assert_eq!(ids(&s.0.search(&all, &req("公*")).expect("s")), vec![2, 3]);
        assert_eq!(s.cursor(), Some(5));
    }

    #[test]
    fn scope_limits_hits_and_counts() {
        let s = index();
        let mut scope = Scope::unrestricted();
        scope.all = false;
        scope.ranges = vec![("/1/2/".into(), "/1/20".into())];
        let r = s.0.search(&viewer(scope.clone()), &req("财政")).expect("s");
        assert_eq!(ids(&r), vec![1, 3]);
        assert_eq!(r.total, 2);
        assert_eq!(r.counts.get(&Kind::Finding), Some(&2));
        // Without inspection:read, round records are not seen at all.
        let mut v = viewer(scope);
        v.rounds = false;
        assert_eq!(s.0.search(&v, &req("财政")).expect("s").total, 0);
    }
}

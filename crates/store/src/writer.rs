//! Group commit: one writer per database batches concurrent write transactions into one durable
//! commit.
//!
//! Every store write begins with [`crate::Db::write`], which hands out a [`WriteTx`]: a savepoint
//! inside the batch that the node's one writer connection holds open. Writes run one after
//! another on that connection (the database would serialise them anyway: SQLite has one write
//! lock, and every write appends to the audit chain's single head row). When a write finishes,
//! its savepoint is released (or rolled back, on an error or a dropped request) and, if no other
//! write is waiting for the writer, the batch commits: one `COMMIT` and one fsync for every write
//! in it. [`WriteTx::commit`] returns only once that commit is durable; if the commit fails,
//! every write of the batch gets the error and nothing of it is stored. A write that fails on its
//! own rolls back to its savepoint and leaves the batch's other writes alone.
//!
//! Nothing waits on a timer: a batch is as large as the queue that formed while the previous
//! one committed, capped at [`MAX_BATCH`] writes and [`MAX_BATCH_AGE`]. Each write's audit
//! record is appended inside its own savepoint, so the chain holds the writes in the order they
//! ran. On PostgreSQL a batch first takes the audit head's row lock: batches of several nodes
//! then queue behind each other instead of deadlocking on rows two batches both touch.

use std::fmt;
use std::ops::{Deref, DerefMut};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::pool::PoolConnection;
use sqlx::{Database, Postgres, Sqlite};
use tokio::sync::{Mutex, OwnedMutexGuard, watch};

/// At most this many writes share one commit.
const MAX_BATCH: usize = 128;
/// A batch older than this commits even when more writes are queued (bounds their wait).
const MAX_BATCH_AGE: Duration = Duration::from_millis(20);
/// How long a write waits for the writer before failing (as SQLite's busy timeout would).
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(30);

const SAVEPOINT: &str = "SAVEPOINT xuncha_write";
const RELEASE: &str = "RELEASE SAVEPOINT xuncha_write";
const ROLLBACK_TO: &str = "ROLLBACK TO SAVEPOINT xuncha_write; RELEASE SAVEPOINT xuncha_write";

/// A backend the writer can batch on.
pub(crate) trait WriteDb: Database {
    /// Opens a batch: SQLite takes its write lock up front (`BEGIN IMMEDIATE`), so a write that
    /// reads first waits instead of failing; PostgreSQL locks the audit head (see the module).
    const BEGIN: &'static str;
    /// Run once on the writer's connection when it is taken from the pool.
    const SETUP: Option<&'static str>;

    fn exec(
        conn: &mut Self::Connection,
        sql: &'static str,
    ) -> impl Future<Output = sqlx::Result<()>> + Send;

    fn writer(db: &crate::Db) -> Option<&Arc<Writer<Self>>>;
}

impl WriteDb for Sqlite {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
    const SETUP: Option<&'static str> = None;

    async fn exec(conn: &mut sqlx::SqliteConnection, sql: &'static str) -> sqlx::Result<()> {
        sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
    }

    fn writer(db: &crate::Db) -> Option<&Arc<Writer<Sqlite>>> {
        match &db.writer {
            Writers::Sqlite(w) => Some(w),
            Writers::Postgres(_) => None,
        }
    }
}

impl WriteDb for Postgres {
    const BEGIN: &'static str = "BEGIN; SELECT 1 FROM audit_head WHERE id = 1 FOR UPDATE";
    /// The pool plans every statement for its parameters (`force_custom_plan`, for the reads'
    /// path ranges); the writer's statements name rows by key, so it keeps generic plans and
    /// spends its time writing, not planning.
    const SETUP: Option<&'static str> = Some("SET plan_cache_mode = auto");

    async fn exec(conn: &mut sqlx::PgConnection, sql: &'static str) -> sqlx::Result<()> {
        sqlx::raw_sql(sql).execute(conn).await.map(|_| ())
    }

    fn writer(db: &crate::Db) -> Option<&Arc<Writer<Postgres>>> {
        match &db.writer {
            Writers::Postgres(w) => Some(w),
            Writers::Sqlite(_) => None,
        }
    }
}

/// The writer of whichever backend a [`crate::Db`] is on.
#[derive(Debug, Clone)]
pub(crate) enum Writers {
    Sqlite(Arc<Writer<Sqlite>>),
    Postgres(Arc<Writer<Postgres>>),
}

impl Writers {
    pub(crate) fn new(pool: &crate::Pool) -> Self {
        match pool {
            crate::Pool::Sqlite(p) => Writers::Sqlite(Arc::new(Writer::new(p.clone()))),
            crate::Pool::Postgres(p) => Writers::Postgres(Arc::new(Writer::new(p.clone()))),
        }
    }

    /// Gives the writer's connection back to the pool (before the pool closes).
    pub(crate) async fn close(&self) {
        match self {
            Writers::Sqlite(w) => w.close().await,
            Writers::Postgres(w) => w.close().await,
        }
    }

    /// Writes committed and batches committed so far (for benchmarks and the operations page).
    pub(crate) fn stats(&self) -> (u64, u64) {
        let (w, b) = match self {
            Writers::Sqlite(w) => (&w.committed_writes, &w.committed_batches),
            Writers::Postgres(w) => (&w.committed_writes, &w.committed_batches),
        };
        (w.load(Ordering::Relaxed), b.load(Ordering::Relaxed))
    }
}

/// What a batch's commit came to, shared by every write in it.
type Outcome = Option<Result<(), Arc<str>>>;

struct Batch {
    id: u64,
    writes: usize,
    opened: Instant,
    done: watch::Sender<Outcome>,
}

struct State<DB: Database> {
    /// The writer's connection, taken from the pool on first use and kept.
    conn: Option<PoolConnection<DB>>,
    /// The open batch, if any.
    batch: Option<Batch>,
    next_batch: u64,
}

/// One database's writer (see the module).
pub(crate) struct Writer<DB: Database> {
    pool: sqlx::Pool<DB>,
    state: Arc<Mutex<State<DB>>>,
    /// Writes waiting for the writer: while there are some, a finished write leaves the batch
    /// open for them.
    queued: AtomicUsize,
    committed_writes: AtomicU64,
    committed_batches: AtomicU64,
}

impl<DB: Database> fmt::Debug for Writer<DB> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Writer")
            .field("queued", &self.queued.load(Ordering::Relaxed))
            .finish_non_exhaustive()
    }
}

/// Counts a waiting write for as long as it waits (also when its request is dropped).
struct Queued<'a>(&'a AtomicUsize);

impl<'a> Queued<'a> {
    fn new(n: &'a AtomicUsize) -> Self {
        n.fetch_add(1, Ordering::SeqCst);
        Queued(n)
    }
}

impl Drop for Queued<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn batch_failed(msg: &str) -> sqlx::Error {
    sqlx::Error::Io(std::io::Error::other(format!(
        "the write's batch did not commit: {msg}"
    )))
}

impl<DB: WriteDb> Writer<DB> {
    fn new(pool: sqlx::Pool<DB>) -> Self {
        Writer {
            pool,
            state: Arc::new(Mutex::new(State {
                conn: None,
                batch: None,
                next_batch: 0,
            })),
            queued: AtomicUsize::new(0),
            committed_writes: AtomicU64::new(0),
            committed_batches: AtomicU64::new(0),
        }
    }

    /// Begins a write: waits for the writer, opens a batch if none is open, and a savepoint.
    pub(crate) async fn start(self: &Arc<Self>) -> sqlx::Result<WriteTx<DB>> {
        let queued = Queued::new(&self.queued);
        let mut guard = tokio::time::timeout(ACQUIRE_TIMEOUT, self.state.clone().lock_owned())
            .await
            .map_err(|_| sqlx::Error::PoolTimedOut)?;
        drop(queued);
        if guard.conn.is_none() {
            let mut conn = self.pool.acquire().await?;
            if let Some(sql) = DB::SETUP {
                DB::exec(&mut conn, sql).await?;
            }
            guard.conn = Some(conn);
        }
        let state = &mut *guard;
        let Some(conn) = state.conn.as_mut() else {
            return Err(sqlx::Error::PoolClosed);
        };
        if state.batch.is_none() {
            if let Err(e) = DB::exec(conn, DB::BEGIN).await {
                // A connection that cannot begin is not worth keeping.
                discard(state);
                return Err(e);
            }
            state.next_batch += 1;
            state.batch = Some(Batch {
                id: state.next_batch,
                writes: 0,
                opened: Instant::now(),
                done: watch::channel(None).0,
            });
        }
        if let Err(e) = DB::exec(conn, SAVEPOINT).await {
            self.abort(state, &e).await;
            return Err(e);
        }
        let done = match &state.batch {
            Some(b) => b.done.subscribe(),
            None => return Err(batch_failed("no open batch")),
        };
        Ok(WriteTx {
            guard: Some(guard),
            writer: self.clone(),
            done,
        })
    }

    /// Ends one write's savepoint (`kept`: released, else rolled back), then commits the batch
    /// unless more writes wait to join it; in that case it queues up again and commits the batch
    /// when its turn comes, should no later write have done so. Runs as a task of its own, so a
    /// dropped request cannot leave a batch open.
    async fn finish(self: Arc<Self>, mut guard: OwnedMutexGuard<State<DB>>, kept: bool) {
        let state = &mut *guard;
        let ended = match state.conn.as_mut() {
            Some(conn) => DB::exec(conn, if kept { RELEASE } else { ROLLBACK_TO }).await,
            None => Err(sqlx::Error::PoolClosed),
        };
        if let Err(e) = ended {
            self.abort(state, &e).await;
            return;
        }
        let Some(batch) = state.batch.as_mut() else {
            return;
        };
        if kept {
            batch.writes += 1;
        }
        let full = batch.writes >= MAX_BATCH || batch.opened.elapsed() >= MAX_BATCH_AGE;
        if full || self.queued.load(Ordering::SeqCst) == 0 {
            self.commit(state).await;
            return;
        }
        let id = batch.id;
        drop(guard);
        let mut guard = self.state.clone().lock_owned().await;
        if guard.batch.as_ref().is_some_and(|b| b.id == id) {
            self.commit(&mut guard).await;
        }
    }

    async fn commit(&self, state: &mut State<DB>) {
        let Some(batch) = state.batch.take() else {
            return;
        };
        let sql = if batch.writes == 0 {
            "ROLLBACK"
        } else {
            "COMMIT"
        };
        let result = match state.conn.as_mut() {
            Some(conn) => DB::exec(conn, sql).await,
            None => Err(sqlx::Error::PoolClosed),
        };
        match result {
            Ok(()) => {
                if batch.writes > 0 {
                    self.committed_writes
                        .fetch_add(batch.writes as u64, Ordering::Relaxed);
                    self.committed_batches.fetch_add(1, Ordering::Relaxed);
                }
                batch.done.send_replace(Some(Ok(())));
            }
            Err(e) => {
                tracing::error!(error = %e, writes = batch.writes, "a batch of writes failed to commit");
                discard(state);
                batch.done.send_replace(Some(Err(e.to_string().into())));
            }
        }
    }

    /// The batch cannot go on (its transaction failed): roll it back and fail every write in it.
    async fn abort(&self, state: &mut State<DB>, e: &sqlx::Error) {
        tracing::error!(error = %e, "a batch of writes is rolled back");
        let rolled_back = match state.conn.as_mut() {
            Some(conn) => DB::exec(conn, "ROLLBACK").await.is_ok(),
            None => false,
        };
        if !rolled_back {
            discard(state);
        }
        if let Some(batch) = state.batch.take() {
            batch.done.send_replace(Some(Err(e.to_string().into())));
        }
    }

    async fn close(&self) {
        let mut state = self.state.lock().await;
        if state.batch.is_some() {
            let e = batch_failed("the database is closing");
            self.abort(&mut state, &e).await;
        }
        state.conn = None;
    }
}

/// Drops a connection whose transaction state is unknown, without returning it to the pool.
fn discard<DB: Database>(state: &mut State<DB>) {
    if let Some(conn) = state.conn.take() {
        drop(conn.detach());
    }
}

/// One write inside the writer's current batch: use it as a connection (`&mut *tx`), then
/// [`WriteTx::commit`]. Dropping it without committing rolls the write back (only this write).
pub(crate) struct WriteTx<DB: WriteDb> {
    guard: Option<OwnedMutexGuard<State<DB>>>,
    writer: Arc<Writer<DB>>,
    done: watch::Receiver<Outcome>,
}

impl<DB: WriteDb> WriteTx<DB> {
    /// Keeps this write and returns once the batch holding it has durably committed.
    pub(crate) async fn commit(mut self) -> sqlx::Result<()> {
        if let Some(guard) = self.guard.take() {
            tokio::spawn(self.writer.clone().finish(guard, true));
        }
        let outcome = self
            .done
            .wait_for(Option::is_some)
            .await
            .map_err(|_| batch_failed("the writer stopped"))?
            .clone();
        match outcome {
            Some(Ok(())) => Ok(()),
            Some(Err(msg)) => Err(batch_failed(&msg)),
            None => Err(batch_failed("no outcome")),
        }
    }
}

impl<DB: WriteDb> Drop for WriteTx<DB> {
    fn drop(&mut self) {
        if let Some(guard) = self.guard.take()
            && let Ok(rt) = tokio::runtime::Handle::try_current()
        {
            rt.spawn(self.writer.clone().finish(guard, false));
        }
    }
}

impl<DB: WriteDb> Deref for WriteTx<DB> {
    type Target = DB::Connection;

    #[allow(clippy::expect_used)] // empty only inside `commit` and `drop`, which own `self`
    fn deref(&self) -> &DB::Connection {
        self.guard
            .as_ref()
            .and_then(|g| g.conn.as_deref())
            .expect("an open write")
    }
}

impl<DB: WriteDb> DerefMut for WriteTx<DB> {
    #[allow(clippy::expect_used)] // empty only inside `commit` and `drop`, which own `self`
    fn deref_mut(&mut self) -> &mut DB::Connection {
        self.guard
            .as_mut()
            .and_then(|g| g.conn.as_deref_mut())
            .expect("an open write")
    }
}

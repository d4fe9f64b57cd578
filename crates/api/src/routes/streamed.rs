//! Large downloads (the ledger export, the evidence archive): the handler reads the database a
//! bounded chunk at a time and feeds each chunk to work on the blocking pool, which writes the
//! file into an unnamed temporary file; the finished file is then sent as a streamed body. Memory
//! holds a few chunks, never the file.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use axum::body::Body;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use tokio::sync::mpsc;

use crate::error::{ApiError, ApiResult};

/// Work on the blocking pool that the handler feeds through a bounded channel: it writes while
/// the handler reads the next chunk, and at most `depth` chunks wait between the two (so a slow
/// writer slows the reads, never piles them up). If the handler goes away before
/// [`Sink::finish`] (the client hung up), the work sees its feed end unfinished and stops.
pub struct Sink<T, R> {
    tx: mpsc::Sender<T>,
    finished: Arc<AtomicBool>,
    task: tokio::task::JoinHandle<ApiResult<R>>,
}

/// What the work of a [`Sink`] reads from.
pub struct Feed<T> {
    rx: mpsc::Receiver<T>,
    finished: Arc<AtomicBool>,
}

impl<T> Feed<T> {
    /// The next chunk; `None` once the handler has finished feeding; an error (nobody reads it)
    /// when the handler went away before finishing.
    pub fn recv(&mut self) -> ApiResult<Option<T>> {
        match self.rx.blocking_recv() {
            Some(item) => Ok(Some(item)),
            None if self.finished.load(Ordering::Acquire) => Ok(None),
            None => Err(ApiError::cancelled()),
        }
    }
}

impl<T: Send + 'static, R: Send + 'static> Sink<T, R> {
    /// Starts `work` on the blocking pool.
    pub fn spawn(
        depth: usize,
        work: impl FnOnce(&mut Feed<T>) -> ApiResult<R> + Send + 'static,
    ) -> Self {
        let (tx, rx) = mpsc::channel(depth.max(1));
        let finished = Arc::new(AtomicBool::new(false));
        let mut feed = Feed {
            rx,
            finished: finished.clone(),
        };
        let task = tokio::task::spawn_blocking(move || work(&mut feed));
        Sink { tx, finished, task }
    }

    /// Hands a chunk to the work, waiting while `depth` chunks are queued. `false` when the work
    /// has stopped (its error comes from [`Sink::finish`]).
    pub async fn send(&self, item: T) -> bool {
        self.tx.send(item).await.is_ok()
    }

    /// Ends the feed and waits for the work's result.
    pub async fn finish(self) -> ApiResult<R> {
        self.finished.store(true, Ordering::Release);
        drop(self.tx);
        self.task.await.map_err(|e| ApiError::internal(&e))?
    }
}

/// A download of the temporary file `file` (read from its start) as a streamed body with its
/// length, of type `media`, saved as `name` (see [`super::common::download`]). The file goes
/// away when the body is dropped.
pub fn file_download(
    media: &str,
    fallback: &str,
    name: &str,
    file: std::fs::File,
) -> ApiResult<Response> {
    let len = file.metadata().map_err(|e| ApiError::internal(&e))?.len();
    let stream =
        tokio_util::io::ReaderStream::with_capacity(tokio::fs::File::from_std(file), 64 * 1024);
    Ok((
        [
            (header::CONTENT_TYPE, media.to_string()),
            (
                header::CONTENT_DISPOSITION,
                super::common::disposition(fallback, name),
            ),
            (header::CONTENT_LENGTH, len.to_string()),
        ],
        Body::from_stream(stream),
    )
        .into_response())
}

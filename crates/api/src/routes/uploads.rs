//! Uploads, in one place: an import file (one `file` part, bounded, read as a table, cancelled
//! with its request) and an evidence form (text fields and checked evidence files).

use axum::extract::Multipart;
use xuncha_domain::i18n::Msg;
use xuncha_store::rectification::Upload as StoredFile;

use crate::error::{ApiError, ApiResult};

/// A multipart body that could not be read: `400` naming the file field, or `413` when the
/// body limit was passed.
fn unreadable(e: &axum::extract::multipart::MultipartError) -> ApiError {
    if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
        return ApiError::payload_too_large();
    }
    let mut err = ApiError::field(
        "file",
        &Msg::new("import.unreadable").arg("reason", Msg::new("import.not_multipart").render()),
    );
    err.status = axum::http::StatusCode::BAD_REQUEST;
    err
}

/// The largest import file accepted (.xlsx or .csv). Reading the upload stops here.
pub const MAX_IMPORT_BYTES: usize = 32 * 1024 * 1024;

/// The most data rows one import may hold. Reading the file stops at the first row past it.
pub const MAX_IMPORT_ROWS: usize = 100_000;

/// Room for the multipart framing around the file when the request's `Content-Length` is
/// compared with [`MAX_IMPORT_BYTES`].
const MULTIPART_SLACK: usize = 64 * 1024;

fn mib(bytes: usize) -> usize {
    bytes / (1024 * 1024)
}

/// `413` naming the import size limit.
pub fn import_too_large() -> ApiError {
    ApiError::new(
        axum::http::StatusCode::PAYLOAD_TOO_LARGE,
        &xuncha_domain::i18n::Msg::new("import.too_large").arg("max", mib(MAX_IMPORT_BYTES)),
    )
}

/// An uploaded import file: the `file` part of a multipart form, at most
/// [`MAX_IMPORT_BYTES`]. A request whose `Content-Length` already says more is refused before
/// any of its body is read; otherwise reading stops at the first byte past the limit. Both
/// answer `413` naming the limit.
#[derive(Debug)]
pub struct Upload {
    pub name: String,
    pub bytes: Vec<u8>,
}

impl<S: Send + Sync> axum::extract::FromRequest<S> for Upload {
    type Rejection = ApiError;

    async fn from_request(req: axum::extract::Request, state: &S) -> Result<Self, ApiError> {
        let declared = req
            .headers()
            .get(axum::http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok());
        if declared.is_some_and(|n| n > (MAX_IMPORT_BYTES + MULTIPART_SLACK) as u64) {
            return Err(import_too_large());
        }
        let form = axum::extract::Multipart::from_request(req, state)
            .await
            .map_err(|r| {
                let mut err = ApiError::field(
                    "file",
                    &Msg::new("import.unreadable")
                        .arg("reason", Msg::new("import.not_multipart").render()),
                );
                err.status = axum::http::StatusCode::BAD_REQUEST;
                tracing::debug!(rejection = %r.body_text(), "multipart rejected");
                err
            })?;
        let (name, bytes) = read_upload(form, MAX_IMPORT_BYTES).await?;
        Ok(Upload { name, bytes })
    }
}

/// Reads the `file` part of a multipart upload, `(file name, bytes)`, refusing (`413` naming
/// the limit) as soon as it passes `max_bytes`.
pub async fn read_upload(
    mut form: axum::extract::Multipart,
    max_bytes: usize,
) -> Result<(String, Vec<u8>), ApiError> {
    let unreadable = |e: axum::extract::multipart::MultipartError| unreadable(&e);
    let mut file = None;
    // Every part counts against the limit, so no field name lets a client send more.
    let mut total = 0usize;
    while let Some(mut field) = form.next_field().await.map_err(unreadable)? {
        let is_file = field.name() == Some("file");
        let name = field.file_name().unwrap_or("upload.xlsx").to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.chunk().await.map_err(unreadable)? {
            total += chunk.len();
            if total > max_bytes {
                return Err(ApiError::new(
                    axum::http::StatusCode::PAYLOAD_TOO_LARGE,
                    &Msg::new("import.too_large").arg("max", mib(max_bytes)),
                ));
            }
            if is_file {
                bytes.extend_from_slice(&chunk);
            }
        }
        if is_file {
            file = Some((name, bytes));
        }
    }
    file.ok_or_else(|| {
        ApiError::field(
            "file",
            &Msg::new("validation.required").arg("field", "field.file"),
        )
    })
}

/// Reads an uploaded spreadsheet (.xlsx or .csv) into a table, at most [`MAX_IMPORT_ROWS`]
/// data rows (`422` naming the limit and the file), stopping when `cancel` is set.
pub fn read_upload_table(
    name: &str,
    bytes: &[u8],
    cancel: &Cancel,
) -> Result<xuncha_office::Table, ApiError> {
    let limits = xuncha_office::ReadLimits {
        max_rows: MAX_IMPORT_ROWS,
        cancel: Some(cancel.flag()),
    };
    xuncha_office::read_table_limited(bytes, name, limits).map_err(|e| match e {
        xuncha_office::OfficeError::UnsupportedType => {
            ApiError::field("file", &Msg::new("import.unsupported_type"))
        }
        xuncha_office::OfficeError::TooManyRows { max } => ApiError::field(
            "file",
            &Msg::new("import.too_many_rows")
                .arg("file", name)
                .arg("max", max),
        ),
        xuncha_office::OfficeError::Cancelled => ApiError::cancelled(),
        e => ApiError::field("file", &Msg::new("import.unreadable").arg("reason", e)),
    })
}

/// A cancellation flag for work running off the async threads. The guard returned by
/// [`Cancel::on_drop`] sets it when dropped before being disarmed: when the handler future that
/// awaits the work is dropped because the client went away (or the server shut down).
#[derive(Debug, Clone, Default)]
pub struct Cancel(std::sync::Arc<std::sync::atomic::AtomicBool>);

impl Cancel {
    pub fn flag(&self) -> &std::sync::atomic::AtomicBool {
        &self.0
    }

    pub fn is_set(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// `Err` (an opaque "cancelled" answer nobody will read) once the flag is set.
    pub fn check(&self) -> Result<(), ApiError> {
        if self.is_set() {
            Err(ApiError::cancelled())
        } else {
            Ok(())
        }
    }

    fn set(&self) {
        self.0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Sets its flag on drop (see [`Cancel`]).
#[derive(Debug)]
struct CancelOnDrop(Option<Cancel>);

impl Drop for CancelOnDrop {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            c.set();
        }
    }
}

/// Runs an import handler's work (reading, checking, the transaction), counting it as cancelled
/// when its future is dropped before the end: the client went away or the server stopped. The
/// work then stops: off-runtime parsing sees its [`Cancel`] flag, an open transaction rolls back.
pub async fn counted_import<T>(
    work: impl std::future::Future<Output = ApiResult<T>>,
) -> ApiResult<T> {
    struct InFlight(bool);
    impl Drop for InFlight {
        fn drop(&mut self) {
            if self.0 {
                CANCELLED_IMPORTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                metrics::counter!("import_cancelled_total").increment(1);
                tracing::info!("import cancelled: the request went away");
            }
        }
    }
    let mut in_flight = InFlight(true);
    let out = work.await;
    in_flight.0 = false;
    out
}

/// Imports whose request went away while their work was running.
static CANCELLED_IMPORTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many imports were cancelled since the process started (for tests and diagnostics).
pub fn cancelled_imports() -> u64 {
    CANCELLED_IMPORTS.load(std::sync::atomic::Ordering::Relaxed)
}

/// Runs CPU-heavy import work (reading and validating a file) on the blocking pool, so the
/// async threads keep serving. If the awaiting future is dropped (client disconnected), the
/// work's [`Cancel`] flag is set and the work stops at its next check.
pub async fn off_runtime<T: Send + 'static>(
    work: impl FnOnce(&Cancel) -> Result<T, ApiError> + Send + 'static,
) -> Result<T, ApiError> {
    let cancel = Cancel::default();
    let mut guard = CancelOnDrop(Some(cancel.clone()));
    let mut task = tokio::task::spawn_blocking(move || work(&cancel));
    // The HTTP/1 connection notices a client that hung up only when its task is polled; a
    // handler waiting on the blocking pool would not poll it until the work ends. Waking every
    // 100 ms lets the server see the hang-up (and drop this future) while the work runs.
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(100));
    let result = loop {
        tokio::select! {
            r = &mut task => break r,
            _ = tick.tick() => {}
        }
    };
    guard.0 = None;
    result.map_err(|e| ApiError::internal(&e))?
}

/// Finds the columns of an import by their headers, named by catalogue key. Every missing required column is reported at
/// row 1, and a table without data rows is refused, before any row is read.
pub fn import_columns<const N: usize>(
    table: &xuncha_office::Table,
    columns: [(&'static str, bool); N],
) -> Result<[Option<usize>; N], Vec<xuncha_store::orgs::RowError>> {
    use xuncha_store::orgs::RowError;
    // The columns are given by catalogue key; the file's header row holds their Chinese names.
    let columns = columns.map(|(key, required)| (Msg::new(key).render(), required));
    let found = columns.each_ref().map(|(name, _)| table.column(name));
    let missing: Vec<RowError> = columns
        .iter()
        .zip(&found)
        .filter(|((_, required), at)| *required && at.is_none())
        .map(|((name, _), _)| RowError {
            row: 1,
            column: name.clone(),
            msg: Msg::new("import.missing_column").arg("column", name),
        })
        .collect();
    if !missing.is_empty() {
        return Err(missing);
    }
    if table.rows.is_empty() {
        return Err(vec![RowError {
            row: 2,
            column: String::new(),
            msg: Msg::new("import.empty"),
        }]);
    }
    Ok(found)
}

// ---------------------------------------------------------------------------------------------
// Evidence forms

/// The text fields and evidence files of a multipart form (progress, write-off requests). Each
/// `file` part is checked against its bytes ([`xuncha_domain::rectification::check_evidence`]);
/// every bad file is reported at once and nothing is kept.
pub struct EvidenceForm {
    fields: Vec<(String, String)>,
    pub files: Vec<StoredFile>,
}

impl EvidenceForm {
    pub async fn read(mut form: Multipart) -> Result<Self, ApiError> {
        let unreadable = |e: axum::extract::multipart::MultipartError| {
            ApiError::field(
                "file",
                &Msg::new("import.unreadable").arg("reason", e.body_text()),
            )
        };
        let mut out = EvidenceForm {
            fields: Vec::new(),
            files: Vec::new(),
        };
        let mut errs = Vec::new();
        while let Some(field) = form.next_field().await.map_err(unreadable)? {
            let name = field.name().unwrap_or_default().to_string();
            if name == "file" {
                let file_name = xuncha_domain::rectification::clean_file_name(
                    field.file_name().unwrap_or("file"),
                );
                let bytes = field.bytes().await.map_err(unreadable)?;
                match xuncha_domain::rectification::check_evidence(&file_name, &bytes) {
                    Ok(media) => out.files.push(StoredFile {
                        name: file_name,
                        media_type: media.to_string(),
                        bytes: bytes.to_vec(),
                    }),
                    Err(e) => errs.push(e),
                }
            } else {
                let text = field.text().await.map_err(unreadable)?;
                out.fields.push((name, text));
            }
        }
        if errs.is_empty() {
            Ok(out)
        } else {
            Err(xuncha_domain::DomainError::Invalid(errs).into())
        }
    }

    /// A text field's value.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::extract::FromRequest;

    fn multipart_request(file_bytes: usize, content_length: bool) -> axum::extract::Request {
        let boundary = "b0undary";
        let mut body = format!(
            "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.csv\"\r\n\r\n"
        )
        .into_bytes();
        body.extend(std::iter::repeat_n(b'x', file_bytes));
        body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
        let mut req = axum::http::Request::builder()
            .method("POST")
            .uri("/")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={boundary}"),
            );
        if content_length {
            req = req.header("content-length", body.len());
        }
        req.body(axum::body::Body::from(body)).unwrap()
    }

    #[tokio::test]
    async fn reading_an_upload_stops_at_the_limit_without_a_content_length() {
        let form = axum::extract::Multipart::from_request(multipart_request(2000, false), &())
            .await
            .unwrap();
        let err = read_upload(form, 1000).await.unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        assert_eq!(err.code, "import.too_large");
        let form = axum::extract::Multipart::from_request(multipart_request(900, false), &())
            .await
            .unwrap();
        let (name, bytes) = read_upload(form, 1000).await.unwrap();
        assert_eq!((name.as_str(), bytes.len()), ("a.csv", 900));
    }

    #[tokio::test]
    async fn a_declared_oversize_upload_is_refused_before_reading() {
        let req = multipart_request(MAX_IMPORT_BYTES + MULTIPART_SLACK, true);
        let err = Upload::from_request(req, &()).await.unwrap_err();
        assert_eq!(err.status, axum::http::StatusCode::PAYLOAD_TOO_LARGE);
        assert!(err.detail.contains("32MB"), "{}", err.detail);
    }

    #[tokio::test]
    async fn dropping_the_awaiting_future_cancels_the_work() {
        let (tx, rx) = std::sync::mpsc::channel();
        let fut = off_runtime(move |cancel| {
            let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
            while !cancel.is_set() && std::time::Instant::now() < deadline {
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            let _ = tx.send(cancel.is_set());
            cancel.check()
        });
        let _ = tokio::time::timeout(std::time::Duration::from_millis(50), fut).await;
        let seen = tokio::task::spawn_blocking(move || rx.recv().unwrap())
            .await
            .unwrap();
        assert!(seen, "the work did not see the cancellation");
        let before = cancelled_imports();
        let counted = counted_import(async {
            std::future::pending::<()>().await;
            Ok(())
        });
        let _ = tokio::time::timeout(std::time::Duration::from_millis(10), counted).await;
        assert!(cancelled_imports() > before);
    }
}

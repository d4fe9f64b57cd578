//! Evidence files: allowed types checked against the bytes, size limit, safe names.

use super::*;

/// Evidence files: allowed types, checked against the bytes, and a size limit.
pub const MAX_EVIDENCE_BYTES: usize = 20 * 1024 * 1024;

/// Checks an uploaded evidence file and returns its media type.
pub fn check_evidence(name: &str, bytes: &[u8]) -> Result<&'static str, FieldError> {
    let ext = name
        .rsplit_once('.')
        .map(|(_, e)| e.to_ascii_lowercase())
        .unwrap_or_default();
    let starts = |sig: &[u8]| bytes.starts_with(sig);
    let zip = starts(b"PK\x03\x04");
    let ole = starts(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]);
    let (ok, media) = match ext.as_str() {
        "pdf" => (starts(b"%PDF-"), "application/pdf"),
        "jpg" | "jpeg" => (starts(&[0xFF, 0xD8, 0xFF]), "image/jpeg"),
        "png" => (starts(b"\x89PNG\r\n\x1a\n"), "image/png"),
        "docx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        "xlsx" => (
            zip,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        "zip" => (zip, "application/zip"),
        "ofd" => (zip, "application/ofd"),
        "doc" => (ole, "application/msword"),
        "xls" => (ole, "application/vnd.ms-excel"),
        _ => {
            return Err(FieldError::new(
                "file",
                Msg::new("rect.file_type").arg("name", name),
            ));
        }
    };
    if bytes.is_empty() {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_empty").arg("name", name),
        ));
    }
    if bytes.len() > MAX_EVIDENCE_BYTES {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_too_large")
                .arg("name", name)
                .arg("max", MAX_EVIDENCE_BYTES / 1024 / 1024),
        ));
    }
    if !ok {
        return Err(FieldError::new(
            "file",
            Msg::new("rect.file_mismatch").arg("name", name),
        ));
    }
    Ok(media)
}

/// A file name safe to store and to put in an archive: no directories, no control characters.
pub fn clean_file_name(name: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let cleaned: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, ':' | '*' | '?' | '"' | '<' | '>' | '|'))
        .take(120)
        .collect();
    if cleaned.trim().is_empty() || cleaned == "." || cleaned == ".." {
        "file".to_string()
    } else {
        cleaned
    }
}

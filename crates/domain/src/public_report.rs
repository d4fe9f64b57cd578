//! 码上巡察: reports from the public through a round unit's channel — categories, states, field
//! rules, receipt codes, and the lossless removal of metadata from attached photos.
//!
//! Pure functions only: randomness for receipt codes comes in as bytes.

use crate::code::code_enum;
use crate::i18n::Msg;
use crate::{DomainError, FieldError};

code_enum!(
    /// What a report is about (the public form's categories).
    ReportCategory, "report_category.", {
        Corruption => "corruption",
        WorkStyle => "work_style",
        Formalism => "formalism",
        Masses => "masses",
        Rectification => "rectification",
        Other => "other",
    }
);

code_enum!(
    /// Where a report stands: received, accepted (受理), declined with a reason, transferred to
    /// the responsible unit for a reply (转办), closed (办结: converted into a clue, a reviewed
    /// reply, or merged into an earlier report as a duplicate).
    ReportState, "report_state.", {
        New => "NEW",
        Accepted => "ACCEPTED",
        Declined => "DECLINED",
        Transferred => "TRANSFERRED",
        Closed => "CLOSED",
    }
);

impl ReportState {
    /// Whether the team may still ask questions or the reporter add material.
    pub fn open(self) -> bool {
        matches!(
            self,
            ReportState::New | ReportState::Accepted | ReportState::Transferred
        )
    }

    /// Whether the team still holds the report itself (not waiting on a unit's reply): it may
    /// convert it, transfer it or merge it as a duplicate.
    fn in_hand(self) -> bool {
        matches!(self, ReportState::New | ReportState::Accepted)
    }

    /// 转办: a new or accepted report goes to the responsible unit for a reply.
    pub fn transfer(self) -> Result<(), DomainError> {
        if self.in_hand() {
            Ok(())
        } else {
            Err(illegal(self, ReportState::Transferred))
        }
    }

    /// Merging a new or accepted report into an earlier one (重复反映) closes it.
    pub fn merge(self) -> Result<(), DomainError> {
        if self.in_hand() {
            Ok(())
        } else {
            Err(illegal(self, ReportState::Closed))
        }
    }

    /// The team's decision on a new report: accept or decline.
    pub fn decide(self, to: ReportState) -> Result<(), DomainError> {
        let ok =
            self == ReportState::New && matches!(to, ReportState::Accepted | ReportState::Declined);
        if ok { Ok(()) } else { Err(illegal(self, to)) }
    }

    /// Converting into a clue closes a new or accepted report.
    pub fn convert(self) -> Result<(), DomainError> {
        if self.in_hand() {
            Ok(())
        } else {
            Err(illegal(self, ReportState::Closed))
        }
    }
}

code_enum!(
    /// A 转办 to the responsible unit: waiting for its reply (待办理), replied and waiting for the
    /// team's review (待审核), done (已办结: the reply was accepted and the report closed). A
    /// reply the team returns goes back to waiting.
    TransferState, "report_transfer_state.", {
        Pending => "PENDING",
        Replied => "REPLIED",
        Done => "DONE",
    }
);

impl TransferState {
    /// The unit replies to a pending transfer (again after a return).
    pub fn reply(self) -> Result<(), DomainError> {
        if self == TransferState::Pending {
            Ok(())
        } else {
            Err(illegal_transfer(self, TransferState::Replied))
        }
    }

    /// The team reviews a reply: accept (done) or return (pending again).
    pub fn review(self, accept: bool) -> Result<TransferState, DomainError> {
        let to = if accept {
            TransferState::Done
        } else {
            TransferState::Pending
        };
        if self == TransferState::Replied {
            Ok(to)
        } else {
            Err(illegal_transfer(self, to))
        }
    }

    /// A transfer still waiting for the unit's reply after its deadline.
    pub fn overdue(self, deadline: time::Date, today: time::Date) -> bool {
        self == TransferState::Pending && today > deadline
    }
}

fn illegal_transfer(from: TransferState, to: TransferState) -> DomainError {
    DomainError::Rule(
        Msg::new("inspection.illegal_transition")
            .arg("from", from.label())
            .arg("to", to.label()),
    )
}

/// Longest 转办 instruction and reply, in characters.
pub const MAX_TRANSFER_CHARS: usize = 5000;

fn illegal(from: ReportState, to: ReportState) -> DomainError {
    DomainError::Rule(
        Msg::new("inspection.illegal_transition")
            .arg("from", from.label())
            .arg("to", to.label()),
    )
}

/// Longest texts of the public form, in characters.
pub const MAX_SUBJECT_CHARS: usize = 100;
pub const MAX_HAPPENED_CHARS: usize = 100;
pub const MAX_FACTS_CHARS: usize = 5000;
pub const MAX_NAME_CHARS: usize = 30;
pub const MAX_MESSAGE_CHARS: usize = 2000;
/// Attachments per submission (a report or one answer).
pub const MAX_FILES: usize = 5;
/// Bytes per attachment.
pub const MAX_FILE_BYTES: usize = 10 * 1024 * 1024;
/// Attachments of one report in all.
pub const MAX_FILES_PER_REPORT: i64 = 20;

/// A free text the public typed: trimmed, required when `required`, at most `max` characters,
/// line breaks allowed but no other control characters.
pub fn text(field: &str, value: &str, max: usize, required: bool) -> Result<String, FieldError> {
    let v = value.trim();
    if v.is_empty() && required {
        return Err(FieldError::required(field));
    }
    if v.chars().count() > max {
        return Err(FieldError::new(
            field,
            Msg::new("validation.too_long")
                .arg("field", format!("field.{field}"))
                .arg("max", max),
        ));
    }
    if v.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(FieldError::new(
            field,
            Msg::new("validation.bad_chars").arg("field", format!("field.{field}")),
        ));
    }
    Ok(v.to_string())
}

/// A phone number: 7 to 20 digits, with optional spaces, dashes and a leading `+`.
pub fn phone(field: &str, value: &str) -> Result<String, FieldError> {
    let v = value.trim();
    let digits = v.chars().filter(char::is_ascii_digit).count();
    let ok = v
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == ' ' || c == '-' || (i == 0 && c == '+'));
    if ok && (7..=20).contains(&digits) {
        Ok(v.to_string())
    } else {
        Err(FieldError::new(
            field,
            Msg::new("public_report.bad_phone").arg("field", format!("field.{field}")),
        ))
    }
}

// ---------------------------------------------------------------------------------------------
// Receipt codes

/// Digits of a receipt code (grouped by four when shown).
pub const RECEIPT_DIGITS: usize = 16;
/// Characters of a receipt secret.
pub const SECRET_CHARS: usize = 10;
/// The secret's alphabet: no 0/O, 1/I/L, so it can be copied by hand.
const SECRET_ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";

/// A receipt code from random bytes: 16 decimal digits, `1234-5678-9012-3456`.
pub fn receipt_code(random: &[u8; 16]) -> String {
    let digits: String = random.iter().map(|b| char::from(b'0' + b % 10)).collect();
    format!(
        "{}-{}-{}-{}",
        &digits[0..4],
        &digits[4..8],
        &digits[8..12],
        &digits[12..16]
    )
}

/// A receipt secret from random bytes: 10 characters of an unambiguous alphabet.
pub fn receipt_secret(random: &[u8; 16]) -> String {
    random
        .iter()
        .take(SECRET_CHARS)
        .map(|b| char::from(SECRET_ALPHABET[usize::from(*b) % SECRET_ALPHABET.len()]))
        .collect()
}

/// A receipt code as typed (spaces, dashes, full-width digits) in canonical form, or None when
/// it cannot be one.
pub fn normalise_receipt(code: &str) -> Option<String> {
    let digits: String = code
        .chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(u32::from(c) - u32::from('０') + u32::from('0')),
            ' ' | '-' | '－' => None,
            _ => Some('x'),
        })
        .collect();
    if digits.len() != RECEIPT_DIGITS || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some(format!(
        "{}-{}-{}-{}",
        &digits[0..4],
        &digits[4..8],
        &digits[8..12],
        &digits[12..16]
    ))
}

/// A secret as typed, upper-cased without spaces, or None when it cannot be one.
pub fn normalise_secret(secret: &str) -> Option<String> {
    let s: String = secret
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (s.len() == SECRET_CHARS && s.bytes().all(|b| SECRET_ALPHABET.contains(&b))).then_some(s)
}

// ---------------------------------------------------------------------------------------------
// Attachments

/// An accepted attachment: its media type and a neutral file name (the reporter's own file name
/// is never kept: it may name them or their phone).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attachment {
    pub media_type: &'static str,
    pub name: String,
    /// The bytes with metadata removed (photos); a PDF is kept as sent.
    pub bytes: Vec<u8>,
}

/// Checks one attachment by its bytes (JPEG, PNG or PDF; the declared name and type are
/// ignored), removes a photo's metadata, and names it `附件{n}.{ext}`. `index` is 0-based.
pub fn attachment(index: usize, bytes: &[u8]) -> Result<Attachment, FieldError> {
    let n = index + 1;
    let field = format!("files[{index}]");
    if bytes.is_empty() {
        return Err(FieldError::new(
            &field,
            Msg::new("public_report.file_empty").arg("n", n),
        ));
    }
    if bytes.len() > MAX_FILE_BYTES {
        return Err(FieldError::new(
            &field,
            Msg::new("public_report.file_too_large")
                .arg("n", n)
                .arg("mb", MAX_FILE_BYTES / 1024 / 1024),
        ));
    }
    let bad = || FieldError::new(&field, Msg::new("public_report.file_type").arg("n", n));
    let (media_type, ext, bytes) = if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        ("image/jpeg", "jpg", strip_jpeg(bytes).ok_or_else(bad)?)
    } else if bytes.starts_with(PNG_SIGNATURE) {
        ("image/png", "png", strip_png(bytes).ok_or_else(bad)?)
    } else if bytes.starts_with(b"%PDF-") {
        ("application/pdf", "pdf", bytes.to_vec())
    } else {
        return Err(bad());
    };
    Ok(Attachment {
        media_type,
        name: Msg::new("public_report.file_name")
            .arg("n", n)
            .arg("ext", ext)
            .render(),
        bytes,
    })
}

const PNG_SIGNATURE: &[u8] = b"\x89PNG\r\n\x1a\n";

/// A JPEG without its metadata, losslessly: the segments are copied as they are except the
/// application segments APP1–APP15 (EXIF with GPS position and camera serial, XMP, ICC profile,
/// maker notes, Photoshop IRB) and comments (COM), and whatever follows the end of the image.
/// APP0 is kept only as JFIF and APP14 only as Adobe (both describe decoding, nothing else).
/// The compressed image data is not decoded or touched. None when the file is not a
/// well-formed JPEG. EXIF orientation is lost with the EXIF block, so a photo may show rotated.
pub fn strip_jpeg(data: &[u8]) -> Option<Vec<u8>> {
    if !data.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(&[0xFF, 0xD8]);
    let mut i = 2;
    loop {
        // Fill bytes 0xFF may precede a marker.
        if *data.get(i)? != 0xFF {
            return None;
        }
        while data.get(i + 1) == Some(&0xFF) {
            i += 1;
        }
        let marker = *data.get(i + 1)?;
        match marker {
            0xD9 => {
                out.extend_from_slice(&[0xFF, 0xD9]);
                return Some(out);
            }
            0xD0..=0xD7 | 0x01 => {
                out.extend_from_slice(&[0xFF, marker]);
                i += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*data.get(i + 2)?, *data.get(i + 3)?]));
        if len < 2 {
            return None;
        }
        let end = i + 2 + len;
        let segment = data.get(i..end)?;
        let payload = &segment[4..];
        let keep = match marker {
            0xE0 => payload.starts_with(b"JFIF\0"),
            0xEE => payload.starts_with(b"Adobe"),
            0xE1..=0xEF | 0xFE => false,
            _ => true,
        };
        if keep {
            out.extend_from_slice(segment);
        }
        i = end;
        if marker == 0xDA {
            // Entropy-coded data runs to the next marker that is not a stuffed zero or a restart.
            let start = i;
            loop {
                let b = *data.get(i)?;
                if b == 0xFF {
                    let next = *data.get(i + 1)?;
                    if next != 0x00 && !(0xD0..=0xD7).contains(&next) && next != 0xFF {
                        break;
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            out.extend_from_slice(&data[start..i]);
        }
    }
}

/// A PNG without its text and metadata chunks (tEXt, zTXt, iTXt, eXIf, tIME) and without
/// anything after IEND; every other chunk is copied byte for byte. None when the file is not a
/// well-formed PNG.
pub fn strip_png(data: &[u8]) -> Option<Vec<u8>> {
    if !data.starts_with(PNG_SIGNATURE) {
        return None;
    }
    let mut out = Vec::with_capacity(data.len());
    out.extend_from_slice(PNG_SIGNATURE);
    let mut i = PNG_SIGNATURE.len();
    loop {
        let len = usize::try_from(u32::from_be_bytes(data.get(i..i + 4)?.try_into().ok()?)).ok()?;
        let kind = data.get(i + 4..i + 8)?;
        let end = i.checked_add(12)?.checked_add(len)?;
        let chunk = data.get(i..end)?;
        let drop = matches!(kind, b"tEXt" | b"zTXt" | b"iTXt" | b"eXIf" | b"tIME");
        if !drop {
            out.extend_from_slice(chunk);
        }
        i = end;
        if kind == b"IEND" {
            return Some(out);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Statistics

/// How long something took, in hours: the mean and the median of the known spans (None when
/// there is none).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Span {
    pub count: i64,
    pub mean_hours: Option<f64>,
    pub median_hours: Option<f64>,
}

impl Span {
    /// The span of `(from, to)` pairs; pairs with no end yet, or an end before the start, are
    /// left out.
    pub fn of(pairs: &[(time::OffsetDateTime, Option<time::OffsetDateTime>)]) -> Span {
        let mut hours: Vec<f64> = pairs
            .iter()
            .filter_map(|(from, to)| to.map(|t| (t - *from).as_seconds_f64() / 3600.0))
            .filter(|h| *h >= 0.0)
            .collect();
        if hours.is_empty() {
            return Span::default();
        }
        hours.sort_by(f64::total_cmp);
        let n = hours.len();
        let median = if n % 2 == 1 {
            hours[n / 2]
        } else {
            f64::midpoint(hours[n / 2 - 1], hours[n / 2])
        };
        #[allow(clippy::cast_precision_loss)]
        let mean = hours.iter().sum::<f64>() / n as f64;
        Span {
            count: i64::try_from(n).unwrap_or(i64::MAX),
            mean_hours: Some(mean),
            median_hours: Some(median),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn segment(marker: u8, payload: &[u8]) -> Vec<u8> {
        let mut v = vec![0xFF, marker];
        v.extend_from_slice(&u16::try_from(payload.len() + 2).unwrap().to_be_bytes());
        v.extend_from_slice(payload);
        v
    }

    #[test]
    fn jpeg_metadata_segments_are_dropped_and_the_image_data_kept() {
        let mut j = vec![0xFF, 0xD8];
        j.extend(segment(0xE0, b"JFIF\0\x01\x01"));
        j.extend(segment(0xE1, b"Exif\0\0GPS-SECRET"));
        j.extend(segment(0xFE, b"comment-SECRET"));
        j.extend(segment(0xDB, &[0u8; 65]));
        j.extend(segment(0xDA, &[1, 1, 0, 0, 63, 0]));
        let scan = [0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56];
        j.extend_from_slice(&scan);
        j.extend(segment(0xED, b"Photoshop 3.0 SECRET"));
        j.extend_from_slice(&[0xFF, 0xD9]);
        j.extend_from_slice(b"trailing SECRET");
        let s = strip_jpeg(&j).unwrap();
        assert!(!s.windows(6).any(|w| w == b"SECRET"));
        assert!(s.windows(4).any(|w| w == b"JFIF"));
        assert!(s.windows(scan.len()).any(|w| w == scan));
        assert!(s.ends_with(&[0xFF, 0xD9]));
        assert!(strip_jpeg(b"\xFF\xD8\xFF\xE1\x00").is_none());
    }

    #[test]
    fn png_text_chunks_are_dropped() {
        let chunk = |kind: &[u8], data: &[u8]| {
            let mut v = u32::try_from(data.len()).unwrap().to_be_bytes().to_vec();
            v.extend_from_slice(kind);
            v.extend_from_slice(data);
            v.extend_from_slice(&[0, 0, 0, 0]);
            v
        };
        let mut p = PNG_SIGNATURE.to_vec();
        p.extend(chunk(b"IHDR", &[0; 13]));
        p.extend(chunk(b"tEXt", b"Author\0SECRET"));
        p.extend(chunk(b"eXIf", b"SECRET"));
        p.extend(chunk(b"IDAT", b"pixels"));
        p.extend(chunk(b"IEND", b""));
        let s = strip_png(&p).unwrap();
        assert!(!s.windows(6).any(|w| w == b"SECRET"));
        assert!(s.windows(6).any(|w| w == b"pixels"));
    }

    #[test]
    fn receipts_are_formatted_and_normalised() {
        let code = receipt_code(&[7; 16]);
        assert_eq!(code, "7777-7777-7777-7777");
        assert_eq!(
            normalise_receipt(" 7777 7777-7777７７７７ ").as_deref(),
            Some(code.as_str())
        );
        assert!(normalise_receipt("7777-7777").is_none());
        let secret = receipt_secret(&[0; 16]);
        assert_eq!(secret.len(), SECRET_CHARS);
        assert_eq!(normalise_secret(&secret.to_lowercase()), Some(secret));
        assert!(normalise_secret("O0O0O0O0O0").is_none());
    }

    #[test]
    fn only_new_reports_are_decided() {
        assert!(ReportState::New.decide(ReportState::Accepted).is_ok());
        assert!(ReportState::Accepted.decide(ReportState::Declined).is_err());
        assert!(ReportState::Declined.convert().is_err());
    }

    #[test]
    fn a_transferred_report_waits_for_the_reviewed_reply() {
        assert!(ReportState::Accepted.transfer().is_ok());
        assert!(ReportState::New.merge().is_ok());
        // Waiting on the unit: still open for questions, but not the team's to convert or merge.
        assert!(ReportState::Transferred.open());
        assert!(ReportState::Transferred.convert().is_err());
        assert!(ReportState::Transferred.transfer().is_err());
        assert!(ReportState::Transferred.merge().is_err());
        assert!(ReportState::Closed.transfer().is_err());

        assert!(TransferState::Pending.reply().is_ok());
        assert!(TransferState::Replied.reply().is_err());
        assert_eq!(
            TransferState::Replied.review(true).unwrap(),
            TransferState::Done
        );
        assert_eq!(
            TransferState::Replied.review(false).unwrap(),
            TransferState::Pending
        );
        assert!(TransferState::Pending.review(true).is_err());
        assert!(TransferState::Done.review(false).is_err());

        let d = |day| time::Date::from_calendar_date(2026, time::Month::March, day).unwrap();
        assert!(!TransferState::Pending.overdue(d(10), d(10)));
        assert!(TransferState::Pending.overdue(d(10), d(11)));
        assert!(!TransferState::Replied.overdue(d(10), d(11)));
    }

    #[test]
    fn spans_take_the_mean_and_median_of_finished_pairs() {
        let t0 = time::macros::datetime!(2026-03-01 08:00 UTC);
        let h = |n: i64| Some(t0 + time::Duration::hours(n));
        assert_eq!(Span::of(&[]), Span::default());
        let s = Span::of(&[(t0, h(2)), (t0, h(4)), (t0, h(12)), (t0, None), (t0, h(-1))]);
        assert_eq!(s.count, 3);
        assert_eq!(s.median_hours, Some(4.0));
        assert_eq!(s.mean_hours, Some(6.0));
        assert_eq!(Span::of(&[(t0, h(2)), (t0, h(4))]).median_hours, Some(3.0));
    }
}

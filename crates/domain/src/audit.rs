//! The audit trail's hash chain.
//!
//! Each record's hash is SM3 over the previous record's hash and a canonical encoding of the
//! record. Sequence numbers are dense (1, 2, 3, …), so a deleted record shows as a gap, an
//! edited one as a hash mismatch, and an inserted or replaced one as a broken link.

use sm3::{Digest, Sm3};

/// The hash that precedes the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// The fields of an audit record that the chain protects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditRecord {
    pub seq: i64,
    /// RFC 3339 UTC instant with microseconds, as stored.
    pub at: String,
    pub category: String,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub action: String,
    pub target_type: String,
    pub target_id: String,
    pub summary: String,
    pub ip: String,
    pub success: bool,
}

impl AuditRecord {
    /// Length-prefixed fields, so no two different records encode the same.
    fn canonical(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let mut put = |s: &str| {
            out.extend_from_slice(&(s.len() as u64).to_be_bytes());
            out.extend_from_slice(s.as_bytes());
        };
        put(&self.seq.to_string());
        put(&self.at);
        put(&self.category);
        put(&self.actor_id.map(|i| i.to_string()).unwrap_or_default());
        put(&self.actor_name);
        put(&self.action);
        put(&self.target_type);
        put(&self.target_id);
        put(&self.summary);
        put(&self.ip);
        put(if self.success { "1" } else { "0" });
        out
    }

    /// The hex SM3 hash of this record chained to `prev_hash`.
    pub fn chain_hash(&self, prev_hash: &str) -> String {
        let mut h = Sm3::new();
        h.update(prev_hash.as_bytes());
        h.update(self.canonical());
        hex(&h.finalize())
    }
}

/// The SM3 digest of `bytes` in lower-case hex (content addresses of stored files).
pub fn sm3_hex(bytes: &[u8]) -> String {
    hex(&Sm3::digest(bytes))
}

pub fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// What is wrong at the first bad record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChainProblem {
    /// The record's content does not match its hash.
    Edited,
    /// Records before this one are missing.
    Deleted,
    /// The record does not link to its predecessor.
    Inserted,
    /// The chain ends before the head says it should: trailing records were deleted.
    HeadMismatch,
}

impl ChainProblem {
    pub fn msg_key(self) -> &'static str {
        match self {
            ChainProblem::Edited => "audit.edited",
            ChainProblem::Deleted => "audit.deleted",
            ChainProblem::Inserted => "audit.inserted",
            ChainProblem::HeadMismatch => "audit.head_mismatch",
        }
    }
}

/// Verifies records fed in sequence order; stops at the first problem.
#[derive(Debug)]
pub struct ChainVerifier {
    expected_seq: i64,
    prev_hash: String,
    checked: i64,
    problem: Option<(i64, ChainProblem)>,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        ChainVerifier {
            expected_seq: 1,
            prev_hash: GENESIS.to_string(),
            checked: 0,
            problem: None,
        }
    }
}

impl ChainVerifier {
    /// Feeds one stored record with its stored `prev_hash` and `hash`. Returns false once a
    /// problem is found.
    pub fn feed(&mut self, record: &AuditRecord, stored_prev: &str, stored_hash: &str) -> bool {
        if self.problem.is_some() {
            return false;
        }
        let problem = if record.seq > self.expected_seq {
            Some(ChainProblem::Deleted)
        } else if record.seq < self.expected_seq || stored_prev != self.prev_hash {
            Some(ChainProblem::Inserted)
        } else if record.chain_hash(stored_prev) != stored_hash {
            Some(ChainProblem::Edited)
        } else {
            None
        };
        if let Some(p) = problem {
            self.problem = Some((record.seq, p));
            return false;
        }
        self.checked += 1;
        self.expected_seq += 1;
        self.prev_hash = stored_hash.to_string();
        true
    }

    /// Ends verification against the stored chain head (`head_seq`, `head_hash`).
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> ChainReport {
        if self.problem.is_none()
            && (self.expected_seq - 1 != head_seq || self.prev_hash != head_hash)
        {
            self.problem = Some((self.expected_seq, ChainProblem::HeadMismatch));
        }
        ChainReport {
            checked: self.checked,
            problem: self.problem,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainReport {
    pub checked: i64,
    pub problem: Option<(i64, ChainProblem)>,
}

/// A signed checkpoint of the chain: the head `(seq, hash)` at instant `at`, with an SM3-HMAC
/// under a key kept outside the database. An insider who rewrites rows and recomputes every hash
/// cannot reproduce the hash a checkpoint recorded, nor forge a MAC for a new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    pub seq: i64,
    pub hash: String,
    /// RFC 3339 UTC instant of signing.
    pub at: String,
    /// Lower-case hex HMAC-SM3 over the length-prefixed `seq`, `hash` and `at`.
    pub mac: String,
}

fn checkpoint_hmac(key: &[u8], seq: i64, hash: &str, at: &str) -> Option<hmac::Hmac<Sm3>> {
    use hmac::{KeyInit, Mac};
    let mut mac = <hmac::Hmac<Sm3> as KeyInit>::new_from_slice(key).ok()?;
    for part in [
        b"xuncha-audit-checkpoint-v1".as_slice(),
        seq.to_string().as_bytes(),
        hash.as_bytes(),
        at.as_bytes(),
    ] {
        mac.update(&(part.len() as u64).to_be_bytes());
        mac.update(part);
    }
    Some(mac)
}

impl Checkpoint {
    /// Signs the head `(seq, hash)` at `at` with `key`.
    pub fn sign(key: &[u8], seq: i64, hash: &str, at: &str) -> Checkpoint {
        use hmac::Mac;
        let mac = checkpoint_hmac(key, seq, hash, at)
            .map(|m| hex(&m.finalize().into_bytes()))
            .unwrap_or_default();
        Checkpoint {
            seq,
            hash: hash.to_string(),
            at: at.to_string(),
            mac,
        }
    }

    /// Whether the MAC is valid under `key` (compared in constant time).
    pub fn mac_ok(&self, key: &[u8]) -> bool {
        use hmac::Mac;
        let Some(tag) = unhex(&self.mac) else {
            return false;
        };
        checkpoint_hmac(key, self.seq, &self.hash, &self.at)
            .is_some_and(|m| m.verify_slice(&tag).is_ok())
    }

    /// Checks the checkpoint against the chain as it is now: `key` is the audit key,
    /// `head_seq` the current head's sequence number and `hash_now` the stored hash of record
    /// `self.seq` (None when it is missing).
    pub fn check(
        &self,
        key: &[u8],
        head_seq: i64,
        hash_now: Option<&str>,
    ) -> Option<CheckpointProblem> {
        if !self.mac_ok(key) {
            Some(CheckpointProblem::BadMac)
        } else if self.seq > head_seq || (self.seq > 0 && hash_now.is_none()) {
            Some(CheckpointProblem::Truncated)
        } else if self.seq > 0 && hash_now != Some(self.hash.as_str()) {
            Some(CheckpointProblem::Rewritten)
        } else {
            None
        }
    }
}

/// Why the chain disagrees with a signed checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckpointProblem {
    /// The checkpoint was altered, or signed with another key.
    BadMac,
    /// The chain no longer reaches the checkpoint's record.
    Truncated,
    /// The record at the checkpoint has another hash: history up to it was rewritten.
    Rewritten,
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(seq: i64, summary: &str) -> AuditRecord {
        AuditRecord {
            seq,
            at: "2026-11-22T00:00:00.000000Z".into(),
            category: "operation".into(),
            actor_id: Some(1),
            actor_name: "a".into(),
            action: "org.create".into(),
            target_type: "org".into(),
            target_id: seq.to_string(),
            summary: summary.into(),
            ip: "127.0.0.1".into(),
            success: true,
        }
    }

    fn chain(n: i64) -> Vec<(AuditRecord, String, String)> {
        let mut prev = GENESIS.to_string();
        (1..=n)
            .map(|i| {
                let r = rec(i, "x");
                let h = r.chain_hash(&prev);
                let out = (r, prev.clone(), h.clone());
                prev = h;
                out
            })
            .collect()
    }

    fn verify(rows: &[(AuditRecord, String, String)], head: (i64, &str)) -> ChainReport {
        let mut v = ChainVerifier::default();
        for (r, p, h) in rows {
            if !v.feed(r, p, h) {
                break;
            }
        }
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let rows = chain(5);
        let head = rows[4].2.clone();
        assert_eq!(
            verify(&rows, (5, &head)),
            ChainReport {
                checked: 5,
                problem: None
            }
        );
    }

    #[test]
    fn detects_edit_deletion_insertion_and_truncation() {
        let rows = chain(5);
        let head = rows[4].2.clone();

        let mut edited = rows.clone();
        edited[2].0.summary = "changed".into();
        assert_eq!(
            verify(&edited, (5, &head)).problem,
            Some((3, ChainProblem::Edited))
        );

        let mut deleted = rows.clone();
        deleted.remove(1);
        assert_eq!(
            verify(&deleted, (5, &head)).problem,
            Some((3, ChainProblem::Deleted))
        );

        let mut inserted = rows.clone();
        let fake = rec(3, "forged");
        let fake_hash = fake.chain_hash(GENESIS);
        inserted[2] = (fake, GENESIS.to_string(), fake_hash);
        assert_eq!(
            verify(&inserted, (5, &head)).problem,
            Some((3, ChainProblem::Inserted))
        );

        let truncated = &rows[..4];
        assert_eq!(
            verify(truncated, (5, &head)).problem,
            Some((5, ChainProblem::HeadMismatch))
        );
    }

    #[test]
    fn sm3_standard_vector() {
        let mut h = Sm3::new();
        h.update(b"abc");
        assert_eq!(
            hex(&h.finalize()),
            "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
        );
    }

    #[test]
    fn checkpoints_detect_rewrites_and_forged_macs() {
        let key = b"0123456789abcdef0123456789abcdef";
        let rows = chain(5);
        let cp = Checkpoint::sign(key, 3, &rows[2].2, "2026-12-04T00:00:00Z");
        assert!(cp.mac_ok(key));
        assert!(!cp.mac_ok(b"another key"));
        assert_eq!(cp.check(key, 5, Some(&rows[2].2)), None);
        assert_eq!(
            cp.check(key, 5, Some("00")),
            Some(CheckpointProblem::Rewritten)
        );
        assert_eq!(cp.check(key, 2, None), Some(CheckpointProblem::Truncated));
        let forged = Checkpoint {
            hash: "00".into(),
            ..cp.clone()
        };
        assert_eq!(
            forged.check(key, 5, Some("00")),
            Some(CheckpointProblem::BadMac)
        );
    }
}

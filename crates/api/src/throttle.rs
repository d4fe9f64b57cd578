//! Per-client login throttling that stores no address.
//!
//! A client is keyed by the SM3 digest of its address with a random salt drawn when the
//! process starts, so the table (in memory, gone at restart) cannot be turned back into
//! addresses, nor joined with another process's table. Each key may fail
//! [`CLIENT_MAX_FAILURES`] logins per [`CLIENT_WINDOW`]; after that the client is answered 429
//! with `Retry-After` until its window ends, without any password being checked.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sm3::{Digest, Sm3};

/// Failed logins a client may make per window.
pub const CLIENT_MAX_FAILURES: u32 = 30;
/// The length of a client's window.
pub const CLIENT_WINDOW: Duration = Duration::from_secs(10 * 60);
/// Above this many keys, expired entries are swept on insert.
const SWEEP_ABOVE: usize = 10_000;

#[derive(Debug, Clone, Copy)]
struct Entry {
    failures: u32,
    window_start: Instant,
}

/// The failure counts of clients, keyed by salted SM3 of the address.
#[derive(Debug)]
pub struct LoginThrottle {
    salt: [u8; 32],
    entries: Mutex<HashMap<[u8; 32], Entry>>,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        LoginThrottle {
            salt: xuncha_service::crypto::random_bytes::<32>().unwrap_or([0x5a; 32]),
            entries: Mutex::new(HashMap::new()),
        }
    }
}

impl LoginThrottle {
    fn key(&self, client: &str) -> [u8; 32] {
        let mut h = Sm3::new();
        h.update(self.salt);
        h.update(client.as_bytes());
        h.finalize().into()
    }

    /// `Err(seconds)` when the client has used up its failures in the current window.
    pub fn check(&self, client: &str) -> Result<(), u64> {
        let key = self.key(client);
        let now = Instant::now();
        let map = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        match map.get(&key) {
            Some(e)
                if e.failures >= CLIENT_MAX_FAILURES
                    && now.duration_since(e.window_start) < CLIENT_WINDOW =>
            {
                let left = CLIENT_WINDOW.saturating_sub(now.duration_since(e.window_start));
                Err(left.as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    /// Counts a failed login of the client.
    pub fn failure(&self, client: &str) {
        let key = self.key(client);
        let now = Instant::now();
        let mut map = self
            .entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if map.len() > SWEEP_ABOVE {
            map.retain(|_, e| now.duration_since(e.window_start) < CLIENT_WINDOW);
        }
        let e = map.entry(key).or_insert(Entry {
            failures: 0,
            window_start: now,
        });
        if now.duration_since(e.window_start) >= CLIENT_WINDOW {
            *e = Entry {
                failures: 0,
                window_start: now,
            };
        }
        e.failures = e.failures.saturating_add(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_is_throttled_after_its_failures_and_others_are_not() {
        let t = LoginThrottle::default();
        for _ in 0..CLIENT_MAX_FAILURES {
            assert!(t.check("10.0.0.1").is_ok());
            t.failure("10.0.0.1");
        }
        let secs = t.check("10.0.0.1").unwrap_err();
        assert!(secs > 0 && secs <= CLIENT_WINDOW.as_secs());
        assert!(t.check("10.0.0.2").is_ok());
        // No address is kept: keys are salted digests.
        let map = t.entries.lock().unwrap();
        assert_eq!(map.len(), 1);
        let plain: [u8; 32] = Sm3::digest(b"10.0.0.1").into();
        assert!(!map.contains_key(&plain));
    }
}

// ---------------------------------------------------------------------------------------------
// The public channel (码上巡察)

/// What a public client does, each with its own allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicAction {
    /// Submitting a report.
    Submit,
    /// Reading a report by receipt code, answering, adding material.
    FollowUp,
}

impl PublicAction {
    /// Requests a client may make per [`PUBLIC_WINDOW`].
    pub fn allowance(self) -> u32 {
        match self {
            PublicAction::Submit => 10,
            PublicAction::FollowUp => 60,
        }
    }
}

/// The length of a public client's window.
pub const PUBLIC_WINDOW: Duration = Duration::from_secs(60 * 60);
/// How often the key of the address digests is replaced (and every count dropped).
pub const PUBLIC_KEY_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

struct PublicTable {
    key: [u8; 32],
    key_born: Instant,
    entries: HashMap<([u8; 32], PublicAction), Entry>,
}

/// Request counts of public clients, keyed by SM3 of a key and the address. The key lives only
/// in memory and is replaced every day (and at restart), so neither the table nor yesterday's
/// digests can be tied back to an address.
pub struct PublicThrottle {
    table: Mutex<PublicTable>,
}

impl std::fmt::Debug for PublicThrottle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PublicThrottle")
    }
}

fn fresh_key() -> [u8; 32] {
    xuncha_service::crypto::random_bytes::<32>().unwrap_or_else(|_| {
        // Without randomness the key still differs per process start and per day.
        Sm3::digest(format!("{:?}", Instant::now())).into()
    })
}

impl Default for PublicThrottle {
    fn default() -> Self {
        PublicThrottle {
            table: Mutex::new(PublicTable {
                key: fresh_key(),
                key_born: Instant::now(),
                entries: HashMap::new(),
            }),
        }
    }
}

impl PublicThrottle {
    /// Counts one request of `client` for `action`: `Err(seconds)` when its allowance for the
    /// window is used up (the request is then not counted).
    pub fn hit(&self, client: &str, action: PublicAction) -> Result<(), u64> {
        let now = Instant::now();
        let mut t = self
            .table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if now.duration_since(t.key_born) >= PUBLIC_KEY_LIFETIME {
            t.key = fresh_key();
            t.key_born = now;
            t.entries.clear();
        }
        let mut h = Sm3::new();
        h.update(t.key);
        h.update(client.as_bytes());
        let digest: [u8; 32] = h.finalize().into();
        if t.entries.len() > SWEEP_ABOVE {
            t.entries
                .retain(|_, e| now.duration_since(e.window_start) < PUBLIC_WINDOW);
        }
        let e = t.entries.entry((digest, action)).or_insert(Entry {
            failures: 0,
            window_start: now,
        });
        if now.duration_since(e.window_start) >= PUBLIC_WINDOW {
            *e = Entry {
                failures: 0,
                window_start: now,
            };
        }
        if e.failures >= action.allowance() {
            let left = PUBLIC_WINDOW.saturating_sub(now.duration_since(e.window_start));
            return Err(left.as_secs().max(1));
        }
        e.failures += 1;
        Ok(())
    }

    /// How many clients are counted (for tests).
    pub fn clients(&self) -> usize {
        self.table
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .entries
            .len()
    }
}

#[cfg(test)]
mod public_tests {
    use super::*;

    #[test]
    fn a_public_client_is_limited_per_action_and_no_address_is_kept() {
        let t = PublicThrottle::default();
        for _ in 0..PublicAction::Submit.allowance() {
            assert!(t.hit("10.0.0.1", PublicAction::Submit).is_ok());
        }
        assert!(t.hit("10.0.0.1", PublicAction::Submit).is_err());
        assert!(t.hit("10.0.0.1", PublicAction::FollowUp).is_ok());
        assert!(t.hit("10.0.0.2", PublicAction::Submit).is_ok());
        let table = t.table.lock().unwrap();
        let plain: [u8; 32] = Sm3::digest(b"10.0.0.1").into();
        assert!(!table.entries.contains_key(&(plain, PublicAction::Submit)));
        assert_eq!(table.entries.len(), 3);
    }
}

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

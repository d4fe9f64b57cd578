//! Secrets: SM3 digests of tokens, random tokens, SM4-GCM encryption of sensitive fields, and
//! argon2id password hashes.
//!
//! Ciphertext layout: `key_id (1 byte) || nonce (12 bytes) || ciphertext+tag`. Several keys may be
//! configured; new data uses the last one, old data stays readable by its key id (rotation).

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit};
use argon2::{Argon2, PasswordHash};
use sm3::{Digest, Sm3};
use sm4::Sm4;
use xuncha_domain::audit::hex;

type Sm4Gcm = AesGcm<Sm4, aes_gcm::aead::consts::U12>;

#[derive(Debug, thiserror::Error)]
pub enum CryptoError {
    #[error("bad key: {0}")]
    BadKey(String),
    #[error("cannot decrypt")]
    Decrypt,
    #[error("randomness unavailable")]
    Random,
    #[error("password hashing failed: {0}")]
    Hash(String),
    /// Too many password hashes queued: the caller should retry later.
    #[error("password hashing is busy")]
    Busy,
}

// ---------------------------------------------------------------------------------------------
// Bounded password hashing
//
// argon2id with the crate's defaults allocates 19 MiB per hash. Unbounded, a storm of logins
// runs one hash per request on the blocking pool and the allocator keeps the memory: 48
// parallel logins took a fresh server from 26 MB to 770 MB. Hashes therefore run under a
// semaphore sized to the cores; callers wait in a bounded queue for at most
// `HASH_QUEUE_TIMEOUT` and are then told to retry (503 + Retry-After).

/// How long a request waits for a hashing slot before it is answered 503.
pub const HASH_QUEUE_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);
/// The `Retry-After` of a busy answer.
pub const BUSY_RETRY_SECONDS: u64 = 5;
/// Waiting requests per hashing slot beyond which new ones are refused at once.
const QUEUE_PER_SLOT: usize = 64;

struct HashGate {
    slots: tokio::sync::Semaphore,
    waiting: std::sync::atomic::AtomicUsize,
    max_waiting: usize,
}

fn gate() -> &'static HashGate {
    static GATE: std::sync::OnceLock<HashGate> = std::sync::OnceLock::new();
    GATE.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
        HashGate {
            slots: tokio::sync::Semaphore::new(cores),
            waiting: std::sync::atomic::AtomicUsize::new(0),
            max_waiting: cores * QUEUE_PER_SLOT,
        }
    })
}

/// Runs `f` (a password hash or verification) on the blocking pool once a slot is free.
async fn gated<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, CryptoError> {
    use std::sync::atomic::Ordering;
    let g = gate();
    if g.waiting.fetch_add(1, Ordering::SeqCst) >= g.max_waiting {
        g.waiting.fetch_sub(1, Ordering::SeqCst);
        return Err(CryptoError::Busy);
    }
    let permit = tokio::time::timeout(HASH_QUEUE_TIMEOUT, g.slots.acquire()).await;
    g.waiting.fetch_sub(1, Ordering::SeqCst);
    let _permit = match permit {
        Ok(Ok(p)) => p,
        _ => return Err(CryptoError::Busy),
    };
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CryptoError::Hash(e.to_string()))
}

/// The field-encryption keys.
#[derive(Clone)]
pub struct Crypto {
    keys: Vec<(u8, Sm4Gcm)>,
}

impl std::fmt::Debug for Crypto {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Crypto({} keys)", self.keys.len())
    }
}

impl Crypto {
    /// Keys as `(id, 32 hex digits)`; the last is current.
    pub fn new(keys: &[(u8, String)]) -> Result<Self, CryptoError> {
        if keys.is_empty() {
            return Err(CryptoError::BadKey("no encryption key configured".into()));
        }
        let keys = keys
            .iter()
            .map(|(id, hexkey)| {
                let bytes = unhex(hexkey)
                    .ok_or_else(|| CryptoError::BadKey(format!("key {id} is not hex")))?;
                let cipher = Sm4Gcm::new_from_slice(&bytes).map_err(|_| {
                    CryptoError::BadKey(format!("key {id} must be 16 bytes (32 hex digits)"))
                })?;
                Ok((*id, cipher))
            })
            .collect::<Result<Vec<_>, CryptoError>>()?;
        Ok(Crypto { keys })
    }

    pub fn encrypt(&self, plain: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let (id, cipher) = self.keys.last().ok_or(CryptoError::Decrypt)?;
        let nonce = random_bytes::<12>()?;
        let ct = cipher
            .encrypt(&nonce.into(), plain)
            .map_err(|_| CryptoError::Decrypt)?;
        let mut out = Vec::with_capacity(13 + ct.len());
        out.push(*id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        Ok(out)
    }

    pub fn decrypt(&self, data: &[u8]) -> Result<Vec<u8>, CryptoError> {
        if data.len() < 13 {
            return Err(CryptoError::Decrypt);
        }
        let cipher = self
            .keys
            .iter()
            .find(|(id, _)| *id == data[0])
            .map(|(_, c)| c)
            .ok_or(CryptoError::Decrypt)?;
        let nonce: [u8; 12] = data[1..13].try_into().map_err(|_| CryptoError::Decrypt)?;
        cipher
            .decrypt(&nonce.into(), &data[13..])
            .map_err(|_| CryptoError::Decrypt)
    }
}

pub fn random_bytes<const N: usize>() -> Result<[u8; N], CryptoError> {
    let mut buf = [0u8; N];
    getrandom::fill(&mut buf).map_err(|_| CryptoError::Random)?;
    Ok(buf)
}

/// A random 256-bit token, hex-encoded, with a readable prefix.
pub fn new_token(prefix: &str) -> Result<String, CryptoError> {
    Ok(format!("{prefix}{}", hex(&random_bytes::<32>()?)))
}

/// The SM3 digest of a token, which is what the database stores.
pub fn token_hash(token: &str) -> String {
    let mut h = Sm3::new();
    h.update(token.as_bytes());
    hex(&h.finalize())
}

pub fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.trim();
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

/// argon2's working memory (19 MiB with the default parameters), kept for reuse: one buffer per
/// hashing slot. Allocating and freeing 19 MiB per login let the allocator keep a growing heap
/// (500 parallel logins took RSS past 500 MB with only two hashes running at a time); reused
/// buffers keep the hashing share of RSS at slots × 19 MiB.
static ARGON2_MEMORY: std::sync::Mutex<Vec<Vec<argon2::Block>>> = std::sync::Mutex::new(Vec::new());

/// Runs `f` with a reusable argon2 memory buffer of at least `blocks` blocks.
fn with_argon2_memory<T>(blocks: usize, f: impl FnOnce(&mut [argon2::Block]) -> T) -> T {
    let take = || {
        ARGON2_MEMORY
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .pop()
    };
    let mut memory = take().unwrap_or_default();
    if memory.len() < blocks {
        memory.resize(blocks, argon2::Block::default());
    }
    let out = f(&mut memory[..blocks]);
    let mut pool = ARGON2_MEMORY
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if pool.len() < cores {
        pool.push(memory);
    }
    out
}

/// argon2id with the crate's default parameters, computed in reused memory.
fn hash_in_reused_memory(password: &[u8]) -> Result<String, CryptoError> {
    use argon2::password_hash::phc::{Output, ParamsString, Salt};
    let err = |e: &dyn std::fmt::Display| CryptoError::Hash(e.to_string());
    let params = argon2::Params::default();
    let argon = Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        params.clone(),
    );
    let salt_bytes = random_bytes::<16>()?;
    let salt = Salt::new(&salt_bytes).map_err(|e| err(&e))?;
    let mut out = [0u8; argon2::Params::DEFAULT_OUTPUT_LEN];
    with_argon2_memory(params.block_count(), |m| {
        argon.hash_password_into_with_memory(password, &salt_bytes, &mut out, m)
    })
    .map_err(|e| err(&e))?;
    let hash = PasswordHash {
        algorithm: argon2::Algorithm::Argon2id.ident(),
        version: Some(argon2::Version::V0x13.into()),
        params: ParamsString::try_from(&params).map_err(|e| err(&e))?,
        salt: Some(salt),
        hash: Some(Output::new(&out).map_err(|e| err(&e))?),
    };
    Ok(hash.to_string())
}

/// Verifies `password` against a PHC argon2 string, computing in reused memory; the output is
/// compared in constant time (`Output`'s equality).
fn verify_in_reused_memory(password: &[u8], stored: &str) -> bool {
    use argon2::password_hash::phc::Output;
    let Ok(parsed) = PasswordHash::new(stored) else {
        return false;
    };
    let (Some(salt), Some(expected)) = (&parsed.salt, &parsed.hash) else {
        return false;
    };
    let Ok(params) = argon2::Params::try_from(&parsed) else {
        return false;
    };
    let Ok(algorithm) = argon2::Algorithm::try_from(parsed.algorithm.as_str()) else {
        return false;
    };
    let version = match parsed.version.map(argon2::Version::try_from).transpose() {
        Ok(v) => v.unwrap_or_default(),
        Err(_) => return false,
    };
    let blocks = params.block_count();
    let argon = Argon2::new(algorithm, version, params);
    let salt: &[u8] = salt.as_ref();
    let mut out = vec![0u8; expected.len()];
    let ok = with_argon2_memory(blocks, |m| {
        argon
            .hash_password_into_with_memory(password, salt, &mut out, m)
            .is_ok()
    });
    ok && Output::new(&out).is_ok_and(|o| &o == expected)
}

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async runtime.
/// At most one hash per core runs at a time (see [`gated`]), in reused memory.
pub async fn hash_password(password: String) -> Result<String, CryptoError> {
    gated(move || hash_in_reused_memory(password.as_bytes())).await?
}

/// A valid hash of a random password, checked against when the user does not exist, so the
/// response time does not reveal which usernames exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Verifies a password against a stored hash (or the dummy hash), off the async runtime; at
/// most one verification per core runs at a time, and a full queue answers `Busy`.
pub async fn verify_password(
    password: String,
    stored: Option<String>,
) -> Result<bool, CryptoError> {
    gated(move || {
        let stored = match stored {
            Some(s) => s,
            None => DUMMY_HASH
                .get_or_init(|| {
                    hash_in_reused_memory(b"dummy password for timing").unwrap_or_default()
                })
                .clone(),
        };
        verify_in_reused_memory(password.as_bytes(), &stored)
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sm4_gcm_round_trip_and_rotation() {
        let old = Crypto::new(&[(1, "0123456789abcdeffedcba9876543210".into())]).unwrap();
        let ct = old.encrypt(b"secret").unwrap();
        assert_eq!(old.decrypt(&ct).unwrap(), b"secret");
        let rotated = Crypto::new(&[
            (1, "0123456789abcdeffedcba9876543210".into()),
            (2, "00112233445566778899aabbccddeeff".into()),
        ])
        .unwrap();
        assert_eq!(rotated.decrypt(&ct).unwrap(), b"secret");
        let ct2 = rotated.encrypt(b"new").unwrap();
        assert_eq!(ct2[0], 2);
        assert!(old.decrypt(&ct2).is_err());
        let mut tampered = ct.clone();
        let last = tampered.len() - 1;
        tampered[last] ^= 1;
        assert!(old.decrypt(&tampered).is_err());
        assert!(Crypto::new(&[(1, "abcd".into())]).is_err());
    }

    #[test]
    fn reused_memory_hashes_match_the_stock_argon2() {
        use argon2::{PasswordHasher, PasswordVerifier};
        let stock = Argon2::default()
            .hash_password(b"Xuncha@2026")
            .unwrap()
            .to_string();
        assert!(verify_in_reused_memory(b"Xuncha@2026", &stock));
        assert!(!verify_in_reused_memory(b"Xuncha@2027", &stock));
        let ours = hash_in_reused_memory(b"Xuncha@2026").unwrap();
        assert!(
            ours.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{ours}"
        );
        let parsed = PasswordHash::new(&ours).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"Xuncha@2026", &parsed)
                .is_ok()
        );
        assert!(!verify_in_reused_memory(b"x", "not a hash"));
    }

    #[tokio::test]
    async fn argon2id_hash_verifies() {
        let h = hash_password("Xuncha@2026".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(
            verify_password("Xuncha@2026".into(), Some(h.clone()))
                .await
                .unwrap()
        );
        assert!(!verify_password("wrong".into(), Some(h)).await.unwrap());
        assert!(!verify_password("x".into(), None).await.unwrap());
    }
}

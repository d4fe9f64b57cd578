//! Secrets: SM3 digests of tokens, random tokens, SM4-GCM encryption of sensitive fields, and
//! argon2id password hashes.
//!
//! Ciphertext layout: `key_id (1 byte) || nonce (12 bytes) || ciphertext+tag`. Several keys may be
//! configured; new data uses the last one, old data stays readable by its key id (rotation).

use aes_gcm::AesGcm;
use aes_gcm::aead::{Aead, KeyInit};
use argon2::{Argon2, PasswordHash, PasswordHasher, PasswordVerifier};
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

/// Hashes a password with argon2id (the crate's defaults: 19 MiB, 2 passes), off the async runtime.
pub async fn hash_password(password: String) -> Result<String, CryptoError> {
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .hash_password(password.as_bytes())
            .map(|h: PasswordHash| h.to_string())
            .map_err(|e| CryptoError::Hash(e.to_string()))
    })
    .await
    .map_err(|e| CryptoError::Hash(e.to_string()))?
}

/// A valid hash of a random password, checked against when the user does not exist, so the
/// response time does not reveal which usernames exist.
static DUMMY_HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Verifies a password against a stored hash (or the dummy hash), off the async runtime.
pub async fn verify_password(password: String, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
        let stored = match stored {
            Some(s) => s,
            None => DUMMY_HASH
                .get_or_init(|| {
                    Argon2::default()
                        .hash_password(b"dummy password for timing")
                        .map(|h: PasswordHash| h.to_string())
                        .unwrap_or_default()
                })
                .clone(),
        };
        let Ok(parsed) = PasswordHash::new(&stored) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
    .await
    .unwrap_or(false)
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

    #[tokio::test]
    async fn argon2id_hash_verifies() {
        let h = hash_password("Xuncha@2026".into()).await.unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify_password("Xuncha@2026".into(), Some(h.clone())).await);
        assert!(!verify_password("wrong".into(), Some(h)).await);
        assert!(!verify_password("x".into(), None).await);
    }
}

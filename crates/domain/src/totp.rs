//! Time-based one-time passwords (RFC 6238, HMAC-SHA1, 6 digits, 30 s), as authenticator apps
//! expect them.

use hmac::{Hmac, KeyInit, Mac};
use sha1::Sha1;

const STEP: i64 = 30;
const DIGITS: u32 = 6;
const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// The code for `secret` at unix time `unix_seconds`.
pub fn code_at(secret: &[u8], unix_seconds: i64) -> u32 {
    hotp(secret, unix_seconds.div_euclid(STEP))
}

fn hotp(secret: &[u8], counter: i64) -> u32 {
    let Ok(mut mac) = <Hmac<Sha1> as KeyInit>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[digest.len() - 1] & 0x0f);
    let bin = (u32::from(digest[offset] & 0x7f) << 24)
        | (u32::from(digest[offset + 1]) << 16)
        | (u32::from(digest[offset + 2]) << 8)
        | u32::from(digest[offset + 3]);
    bin % 10u32.pow(DIGITS)
}

/// Checks `code` against the current step and one step either side (clock drift).
/// Returns the matched step so the caller can refuse a replay of the same step.
pub fn verify(secret: &[u8], code: &str, unix_seconds: i64) -> Option<i64> {
    let code = code.trim();
    if code.len() != DIGITS as usize || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let wanted: u32 = code.parse().ok()?;
    let step = unix_seconds.div_euclid(STEP);
    (step - 1..=step + 1).find(|s| hotp(secret, *s) == wanted)
}

/// RFC 4648 base32 without padding, as used in otpauth URIs.
pub fn base32(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in data {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// The otpauth URI an authenticator app imports.
pub fn otpauth_uri(issuer: &str, account: &str, secret: &[u8]) -> String {
    let enc = |s: &str| -> String {
        s.bytes()
            .map(|b| {
                if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                    char::from(b).to_string()
                } else {
                    format!("%{b:02X}")
                }
            })
            .collect()
    };
    format!(
        "otpauth://totp/{}:{}?secret={}&issuer={}&algorithm=SHA1&digits=6&period=30",
        enc(issuer),
        enc(account),
        base32(secret),
        enc(issuer)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 6238 appendix B, SHA1 seed "12345678901234567890"; 8-digit values truncated to 6.
    #[test]
    fn rfc6238_vectors() {
        let secret = b"12345678901234567890";
        assert_eq!(code_at(secret, 59), 287_082);
        assert_eq!(code_at(secret, 1_111_111_109), 81_804);
        assert_eq!(code_at(secret, 1_234_567_890), 5_924);
        assert_eq!(code_at(secret, 2_000_000_000), 279_037);
    }

    #[test]
    fn verify_accepts_neighbouring_steps_only() {
        let secret = b"12345678901234567890";
        let t = 1_234_567_890;
        let code = format!("{:06}", code_at(secret, t));
        assert!(verify(secret, &code, t).is_some());
        assert!(verify(secret, &code, t + 30).is_some());
        assert!(verify(secret, &code, t + 90).is_none());
        assert!(verify(secret, "12345", t).is_none());
    }

    #[test]
    fn base32_matches_rfc4648() {
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32(b"f"), "MY");
    }
}

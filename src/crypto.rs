//! Tokens, password hashing and TOTP. Every secret handed out is 256 random bits, shown
//! once, and stored only as its SHA-256 digest.

use argon2::{
    Argon2, PasswordHash, PasswordHasher, PasswordVerifier,
    password_hash::{SaltString, rand_core::OsRng},
};
use base64::{Engine, engine::general_purpose::URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::{Digest, Sha256};
use std::sync::LazyLock;

/// A fresh random token, URL-safe.
pub fn new_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The stored form of a token.
pub fn hash_token(token: &str) -> String {
    hex(&Sha256::digest(token.as_bytes()))
}

pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

pub fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[(b >> 4) as usize] as char);
        s.push(DIGITS[(b & 15) as usize] as char);
    }
    s
}

/// Constant-time equality for secrets compared in memory (CSRF tokens, TOTP codes).
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// argon2id with the crate's recommended parameters (19 MiB, 2 passes).
pub fn hash_password(password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

pub fn verify_password(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok(),
        Err(_) => false,
    }
}

/// Spend the same effort as a real verification, so unknown accounts answer as slowly as
/// known ones.
pub fn burn_password_check(password: &str) {
    static DUMMY: LazyLock<String> = LazyLock::new(|| hash_password("dummy password for timing").unwrap_or_default());
    let _ = verify_password(password, &DUMMY);
}

// ---- TOTP (RFC 6238: SHA-1, 6 digits, 30-second steps) ----

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

pub fn base32_encode(data: &[u8]) -> String {
    let mut out = String::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for &b in data {
        buffer = (buffer << 8) | b as u32;
        bits += 8;
        while bits >= 5 {
            out.push(BASE32[((buffer >> (bits - 5)) & 31) as usize] as char);
            bits -= 5;
        }
    }
    if bits > 0 {
        out.push(BASE32[((buffer << (5 - bits)) & 31) as usize] as char);
    }
    out
}

pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut buffer: u32 = 0;
    let mut bits = 0;
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let v = BASE32.iter().position(|&x| x as char == c.to_ascii_uppercase())? as u32;
        buffer = (buffer << 5) | v;
        bits += 5;
        if bits >= 8 {
            out.push((buffer >> (bits - 8)) as u8);
            bits -= 8;
        }
    }
    Some(out)
}

pub fn new_totp_secret() -> String {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    base32_encode(&bytes)
}

/// The code for one 30-second step.
pub fn totp_code(secret: &[u8], step: i64) -> u32 {
    let Ok(mut mac) = Hmac::<sha1::Sha1>::new_from_slice(secret) else {
        return u32::MAX;
    };
    mac.update(&step.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = (digest[19] & 0x0f) as usize;
    let bin = u32::from_be_bytes([digest[offset] & 0x7f, digest[offset + 1], digest[offset + 2], digest[offset + 3]]);
    bin % 1_000_000
}

/// Check `code` against the step of `unix_secs` and one step either side; returns the
/// matching step so the caller can refuse a replay of the same or an earlier step.
pub fn totp_verify(secret_b32: &str, code: &str, unix_secs: i64) -> Option<i64> {
    let secret = base32_decode(secret_b32)?;
    let code = code.trim().replace(' ', "");
    if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let now_step = unix_secs.div_euclid(30);
    (now_step - 1..=now_step + 1).find(|&step| {
        let expected = format!("{:06}", totp_code(&secret, step));
        constant_time_eq(expected.as_bytes(), code.as_bytes())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_vectors() {
        // RFC 6238 appendix B, SHA-1 secret "12345678901234567890", 8 digits truncated to 6.
        let secret = b"12345678901234567890";
        assert_eq!(totp_code(secret, 59 / 30), 287082);
        assert_eq!(totp_code(secret, 1111111109 / 30), 81804);
        assert_eq!(totp_code(secret, 2000000000 / 30), 279037);
    }

    #[test]
    fn base32_round_trip() {
        let data = b"hello totp secrets";
        assert_eq!(base32_decode(&base32_encode(data)).unwrap(), data);
        assert_eq!(base32_encode(b"12345678901234567890"), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
    }

    #[test]
    fn verify_accepts_adjacent_steps_only() {
        let secret = new_totp_secret();
        let raw = base32_decode(&secret).unwrap();
        let t = 1_800_000_000;
        let code = format!("{:06}", totp_code(&raw, t / 30));
        assert_eq!(totp_verify(&secret, &code, t), Some(t / 30));
        assert!(totp_verify(&secret, &code, t + 30).is_some());
        assert!(totp_verify(&secret, &code, t + 95).is_none());
        assert!(totp_verify(&secret, "12345", t).is_none());
    }

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = new_token();
        assert_ne!(a, new_token());
        assert!(a.len() >= 43);
        assert_eq!(hash_token(&a).len(), 64);
        assert_ne!(hash_token(&a), a);
    }
}

//! Tokens, password hashing, TOTP, and sealing secrets at rest. Every secret handed out is
//! 256 random bits, shown once, and stored only as its SHA-256 digest; secrets the server
//! must read back (TOTP seeds, per-client keys; calendar credentials and webhook secrets
//! later) are sealed with the server key (`seal` / `open`).

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

// ---- sealing (ChaCha20-Poly1305, from ring, which rustls already brings) ----

/// A 256-bit key for `seal` / `open`: the server key, or a per-client key. Never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretKey([u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl SecretKey {
    pub fn generate() -> SecretKey {
        let mut bytes = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut bytes);
        SecretKey(bytes)
    }

    /// 32 bytes written in base64 (standard or URL-safe, padded or not) or as 64 hex digits.
    pub fn from_text(text: &str) -> Result<SecretKey, String> {
        use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE};
        let t = text.trim();
        let decoded = if t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit()) {
            (0..32).map(|i| u8::from_str_radix(&t[2 * i..2 * i + 2], 16).ok()).collect::<Option<Vec<u8>>>()
        } else {
            [URL_SAFE_NO_PAD.decode(t), URL_SAFE.decode(t), STANDARD.decode(t), STANDARD_NO_PAD.decode(t)]
                .into_iter()
                .find_map(Result::ok)
        };
        let bytes: [u8; 32] = decoded.and_then(|d| d.try_into().ok()).ok_or_else(|| {
            "the secret key must be 32 random bytes in base64 (such as the output of `openssl rand -base64 32`)"
                .to_string()
        })?;
        Ok(SecretKey(bytes))
    }

    /// The text form `from_text` reads (URL-safe base64).
    pub fn to_text(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.0)
    }

    /// A short public name of the key, written beside each sealed value, so a value sealed
    /// with another key is reported as such rather than as damaged.
    pub fn id(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"creneau key id\n");
        h.update(self.0);
        hex(&h.finalize()[..4])
    }

    fn aead(&self) -> Result<ring::aead::LessSafeKey, SealError> {
        let unbound = ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, &self.0).map_err(|_| SealError)?;
        Ok(ring::aead::LessSafeKey::new(unbound))
    }
}

/// The cipher refused to seal (it does so only for inputs far larger than ours).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("sealing failed")]
pub struct SealError;

/// Version tag of the sealed text format: `v1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>`.
const SEALED_V1: &str = "v1";

/// Why a sealed value could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OpenError {
    #[error("not a sealed value")]
    NotSealed,
    #[error("sealed in an unknown format version {0:?}")]
    UnknownVersion(String),
    #[error("sealed with another key (key id {found}; this key is {ours})")]
    OtherKey { found: String, ours: String },
    #[error("sealed value damaged or bound to another record")]
    Damaged,
}

/// Encrypt and authenticate `plaintext`, bound to `associated_data` (say which record and
/// field it belongs to, so a sealed value copied elsewhere does not open). Each call takes
/// a fresh random nonce.
pub fn seal(key: &SecretKey, plaintext: &[u8], associated_data: &[u8]) -> Result<String, SealError> {
    let mut nonce = [0u8; ring::aead::NONCE_LEN];
    rand::rngs::OsRng.fill_bytes(&mut nonce);
    let mut buf = plaintext.to_vec();
    key.aead()?
        .seal_in_place_append_tag(
            ring::aead::Nonce::assume_unique_for_key(nonce),
            ring::aead::Aad::from(associated_data),
            &mut buf,
        )
        .map_err(|_| SealError)?;
    let mut out = nonce.to_vec();
    out.extend_from_slice(&buf);
    Ok(format!("{SEALED_V1}:{}:{}", key.id(), URL_SAFE_NO_PAD.encode(out)))
}

/// Does this text look like the output of `seal` (as opposed to a legacy plaintext)?
pub fn is_sealed(text: &str) -> bool {
    let mut parts = text.splitn(3, ':');
    matches!((parts.next(), parts.next(), parts.next()), (Some(v), Some(id), Some(_)) if v.starts_with('v') && v.len() <= 4 && id.len() == 8)
}

/// The plaintext of a value sealed by `seal` with the same key and associated data.
pub fn open(key: &SecretKey, sealed: &str, associated_data: &[u8]) -> Result<Vec<u8>, OpenError> {
    if !is_sealed(sealed) {
        return Err(OpenError::NotSealed);
    }
    let mut parts = sealed.splitn(3, ':');
    let (Some(version), Some(id), Some(body)) = (parts.next(), parts.next(), parts.next()) else {
        return Err(OpenError::NotSealed);
    };
    if version != SEALED_V1 {
        return Err(OpenError::UnknownVersion(version.to_string()));
    }
    if id != key.id() {
        return Err(OpenError::OtherKey { found: id.to_string(), ours: key.id() });
    }
    let raw = URL_SAFE_NO_PAD.decode(body).map_err(|_| OpenError::Damaged)?;
    if raw.len() < ring::aead::NONCE_LEN {
        return Err(OpenError::Damaged);
    }
    let (nonce, ciphertext) = raw.split_at(ring::aead::NONCE_LEN);
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce).map_err(|_| OpenError::Damaged)?;
    let mut buf = ciphertext.to_vec();
    let plain = key
        .aead()
        .map_err(|_| OpenError::Damaged)?
        .open_in_place(nonce, ring::aead::Aad::from(associated_data), &mut buf)
        .map_err(|_| OpenError::Damaged)?;
    Ok(plain.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_their_key_and_record_only() {
        let key = SecretKey::generate();
        let sealed = seal(&key, b"JBSWY3DPEHPK3PXP", b"totp:a1").unwrap();
        assert!(is_sealed(&sealed) && sealed.starts_with("v1:"));
        assert!(!sealed.contains("JBSWY3DP"));
        assert_ne!(sealed, seal(&key, b"JBSWY3DPEHPK3PXP", b"totp:a1").unwrap(), "a fresh nonce each time");
        assert_eq!(open(&key, &sealed, b"totp:a1").unwrap(), b"JBSWY3DPEHPK3PXP");
        assert_eq!(open(&key, &sealed, b"totp:a2"), Err(OpenError::Damaged));
        let other = SecretKey::generate();
        assert!(matches!(open(&other, &sealed, b"totp:a1"), Err(OpenError::OtherKey { .. })));
        let mut tampered = sealed.clone();
        tampered.push('A');
        assert!(open(&key, &tampered, b"totp:a1").is_err());
        assert_eq!(open(&key, "JBSWY3DPEHPK3PXP", b"totp:a1"), Err(OpenError::NotSealed));
        assert!(!is_sealed("JBSWY3DPEHPK3PXP"));
        assert_eq!(open(&key, &sealed.replacen("v1:", "v9:", 1), b""), Err(OpenError::UnknownVersion("v9".into())));
    }

    #[test]
    fn keys_read_back_from_text_and_never_print() {
        let key = SecretKey::generate();
        assert_eq!(SecretKey::from_text(&key.to_text()).unwrap(), key);
        assert_eq!(SecretKey::from_text(&format!("  {}\n", key.to_text())).unwrap(), key);
        let hex64 = "00".repeat(31) + "ff";
        assert_eq!(SecretKey::from_text(&hex64).unwrap().0[31], 0xff);
        assert!(SecretKey::from_text("short").is_err());
        assert_eq!(format!("{key:?}"), "[redacted]");
    }

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

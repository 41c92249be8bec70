//! The second factor: TOTP set-up, enabling, disabling, the replay-proof check, and seeds
//! sealed at rest with the server key.

use super::repo::{self, AccountRow};
use crate::features::prelude::*;
use crate::{
    audit::{self, Event},
    clock::to_ms,
    crypto, ratelimit,
};
use serde_json::json;

use super::service::{account_mail, actor_of, mail_lang};

// ---------------------------------------------------------------- second factor

/// TOTP seeds are stored sealed with the server key, bound to their account.
pub(super) fn totp_aad(account_id: &str) -> String {
    format!("accounts.totp:{account_id}")
}

pub(super) fn seal_totp(state: &AppState, account_id: &str, secret_b32: &str) -> AppResult<String> {
    crypto::seal(state.secret_key()?, secret_b32.as_bytes(), totp_aad(account_id).as_bytes())
        .map_err(AppError::internal)
}

/// The base32 seed of a stored secret: sealed, or (written by an earlier version and not
/// yet sealed at start-up) plaintext. A seed sealed with another server key is an operator
/// error, reported as such in the log; the client sees a plain 500.
pub(super) fn open_totp(state: &AppState, account_id: &str, stored: &str) -> AppResult<String> {
    if !crypto::is_sealed(stored) {
        return Ok(stored.to_string());
    }
    let plain = crypto::open(state.secret_key()?, stored, totp_aad(account_id).as_bytes())
        .map_err(|e| AppError::internal(format!("the TOTP secret of account {account_id} cannot be opened: {e}")))?;
    String::from_utf8(plain).map_err(|e| AppError::caused_by("a sealed TOTP secret is not text", e))
}

/// Seal the TOTP secrets that earlier versions stored in plaintext; returns how many. Safe
/// to run from several instances at once: each row changes only if still plaintext.
pub async fn seal_plaintext_secrets(db: &crate::db::Db, key: &crypto::SecretKey) -> AppResult<u64> {
    let rows = repo::accounts_with_totp_secrets(db.pool()).await?;
    let mut sealed = 0;
    for (id, secret, pending) in rows {
        for (column, value) in [(repo::TotpColumn::Secret, secret), (repo::TotpColumn::Pending, pending)] {
            let Some(plain) = value.filter(|v| !crypto::is_sealed(v)) else { continue };
            let new = crypto::seal(key, plain.as_bytes(), totp_aad(&id).as_bytes()).map_err(AppError::internal)?;
            sealed += repo::replace_totp_secret(db.pool(), &id, column, &plain, &new).await?;
        }
    }
    Ok(sealed)
}

/// How many stored sealed secrets (TOTP seeds, per-client keys) name another key than
/// `key`: not zero means the server runs with the wrong `secret_key` and cannot read them.
pub async fn secrets_sealed_with_another_key(db: &crate::db::Db, key: &crypto::SecretKey) -> AppResult<i64> {
    let ours = format!("v1:{}:%", key.id());
    repo::count_sealed_not_like(db.pool(), &ours).await
}

pub struct TotpSetup {
    pub secret: String,
    pub otpauth_uri: String,
}

/// Step 1: a new secret, pending until a code from it is shown (the password is asked again).
pub async fn totp_setup(state: &AppState, account_id: &str, password: &str) -> AppResult<TotpSetup> {
    ratelimit::hit(state, ratelimit::PASSWORD_CHECK_PER_ACCOUNT, account_id).await?;
    let account = repo::account_by_id(state.db.pool(), account_id).await?.ok_or(AppError::NotFound)?;
    if !account.password_hash.as_deref().is_some_and(|h| crypto::verify_password(password, h)) {
        return Err(AppError::field("password", "wrong-password", "Current password is wrong."));
    }
    if account.totp_enabled_at.is_some() {
        return Err(AppError::conflict("totp-already-enabled", "Two-factor authentication is already on."));
    }
    let secret = crypto::new_totp_secret();
    repo::set_pending_totp(state.db.pool(), account_id, &seal_totp(state, account_id, &secret)?, to_ms(state.now()))
        .await?;
    let label = format!("Creneau:{}", account.email).replace(' ', "%20");
    let otpauth_uri =
        format!("otpauth://totp/{label}?secret={secret}&issuer=Creneau&algorithm=SHA1&digits=6&period=30");
    Ok(TotpSetup { secret, otpauth_uri })
}

/// Step 2: a valid code turns the factor on; every other session ends.
pub async fn totp_enable(state: &AppState, ctx: &Ctx, account_id: &str, session_id: &str, code: &str) -> AppResult<()> {
    ratelimit::hit(state, ratelimit::PASSWORD_CHECK_PER_ACCOUNT, account_id).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let account = repo::account_by_id(&mut *tx, account_id).await?.ok_or(AppError::NotFound)?;
    let Some(pending) = account.totp_pending_secret.clone() else {
        return Err(AppError::conflict("totp-not-started", "Start the set-up first."));
    };
    let pending = open_totp(state, account_id, &pending)?;
    let step = crypto::totp_verify(&pending, code, now.div_euclid(1000))
        .ok_or_else(|| AppError::field("code", "invalid-totp", "Wrong verification code."))?;
    repo::enable_totp(&mut tx, account_id, &seal_totp(state, account_id, &pending)?, now, step).await?;
    let ended = repo::end_sessions(&mut tx, account_id, Some(session_id)).await?;
    totp_mail_and_audit(&mut tx, now, ctx, &account, true, ended).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Turning the factor off needs both the password and a current code. Wrong codes count
/// against the account's second factor exactly as at login (one window for both), and a
/// full window refuses before the password is checked.
pub async fn totp_disable(state: &AppState, ctx: &Ctx, account_id: &str, password: &str, code: &str) -> AppResult<()> {
    ratelimit::hit(state, ratelimit::PASSWORD_CHECK_PER_ACCOUNT, account_id).await?;
    let account = repo::account_by_id(state.db.pool(), account_id).await?.ok_or(AppError::NotFound)?;
    if account.totp_secret.is_none() || account.totp_enabled_at.is_none() {
        return Err(AppError::conflict("totp-not-enabled", "Two-factor authentication is off."));
    }
    ratelimit::check(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, account_id).await?;
    if !account.password_hash.as_deref().is_some_and(|h| crypto::verify_password(password, h)) {
        return Err(AppError::field("password", "wrong-password", "Current password is wrong."));
    }
    // Counted before the write transaction opens (on SQLite it holds the write lock).
    ratelimit::hit(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, account_id).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    // Read again inside the transaction: the last used step must be the current one.
    let account = repo::account_by_id(&mut *tx, account_id).await?.ok_or(AppError::NotFound)?;
    let Some(secret) = account.totp_secret.clone().filter(|_| account.totp_enabled_at.is_some()) else {
        return Err(AppError::conflict("totp-not-enabled", "Two-factor authentication is off."));
    };
    let secret = open_totp(state, account_id, &secret)?;
    check_totp_step(&mut tx, &account, &secret, code, now).await.map_err(|e| match e {
        AppError::Unauthorized { .. } => AppError::field("code", "invalid-totp", "Wrong verification code."),
        other => other,
    })?;
    repo::disable_totp(&mut tx, account_id, now).await?;
    totp_mail_and_audit(&mut tx, now, ctx, &account, false, 0).await?;
    tx.commit().await?;
    ratelimit::refund(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, account_id).await?;
    state.outbox_wake.notify_one();
    Ok(())
}

pub(super) async fn totp_mail_and_audit(
    tx: &mut crate::db::Tx,
    now: i64,
    ctx: &Ctx,
    account: &AccountRow,
    on: bool,
    ended: u64,
) -> AppResult<()> {
    let t = mail_lang(account, ctx.lang);
    let body = [t.fmt(if on { "mail.totp.on" } else { "mail.totp.off" }, &[("name", &account.first_name)])];
    account_mail(tx, now, t, &account.email, "mail.totp.subject", &body, None).await?;
    let event = Event::new(if on { "account.totp_enabled" } else { "account.totp_disabled" }, "account", &account.id)
        .after(json!({"sessions_ended": ended}));
    audit::record(tx, now, None, &actor_of(account), Some(ctx), event).await
}

/// Check a TOTP code and refuse a replay of an already used time step.
pub(super) async fn check_totp_step(
    tx: &mut crate::db::Tx,
    account: &AccountRow,
    secret: &str,
    code: &str,
    now_ms: i64,
) -> AppResult<()> {
    let bad = || AppError::Unauthorized { code: "invalid-totp", detail: "Wrong verification code.".into() };
    let step = crypto::totp_verify(secret, code, now_ms.div_euclid(1000)).ok_or_else(bad)?;
    if account.totp_last_step.is_some_and(|last| step <= last) {
        return Err(bad());
    }
    if !repo::take_totp_step(tx, &account.id, step).await? {
        return Err(bad());
    }
    Ok(())
}

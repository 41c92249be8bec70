//! Sign-up: an account exists only once its own emailed link is clicked.

use super::repo::{self};
use crate::features::prelude::*;
use crate::{
    audit::{self, Actor, Event},
    clock::to_ms,
    crypto, ratelimit,
    types::{Checks, Email, Lang, Name, NewPassword},
};
use serde_json::json;

use super::service::{VERIFY_MAIL, VERIFY_TTL_MS, account_mail, invalid_token, mail_lang};

// ---------------------------------------------------------------- sign-up

pub struct SignupInput {
    pub email: String,
    pub password: String,
    pub first_name: String,
    pub last_name: String,
}

/// Start a sign-up. The answer is the same whether or not the address has an account; the
/// mailbox learns the truth (a confirmation link, or "you already have an account").
/// Register a sign-up and mail its confirmation link. Returns the secret of the browser that
/// signed up (for a cookie): clicking the link from that browser confirms at once, from any
/// other the sign-up's password is asked, so whoever owns the mailbox cannot be handed an
/// account whose password someone else chose. A secret is returned whatever the address,
/// so the answer never tells whether it is registered.
pub async fn signup(state: &AppState, ctx: &Ctx, input: SignupInput) -> AppResult<String> {
    let mut checks = Checks::default();
    let email = checks.check(Email::parse("email", &input.email));
    let password = checks.check(NewPassword::parse("password", &input.password));
    let first = checks.check(Name::parse("first_name", &input.first_name, 100));
    let last = checks.check(Name::parse("last_name", &input.last_name, 100));
    checks.finish()?;
    let (Some(email), Some(password), Some(first), Some(last)) = (email, password, first, last) else {
        return Err(AppError::internal("validation inconsistency"));
    };
    ratelimit::hit_ip(state, ratelimit::SIGNUP_PER_IP, ctx).await?;
    ratelimit::hit(state, ratelimit::SIGNUP_PER_EMAIL, email.norm()).await?;

    // Hash before the transaction: the write lock is not held through 50 ms of argon2.
    let password_hash = crypto::hash_password(password.expose()).map_err(AppError::internal)?;
    let browser = crypto::new_token();
    let now = to_ms(state.now());
    let base = &state.config.base_url;
    let mut tx = state.db.begin().await?;
    match repo::account_by_email(&mut *tx, email.norm()).await? {
        Some(existing) if existing.blocked_at.is_some() => {
            // A blocked address cannot register again; nothing is sent.
            tracing::info!("sign-up refused for a blocked address");
        }
        Some(existing) => {
            let t = mail_lang(&existing, ctx.lang);
            let body = [t.get("mail.exists.body").to_string()];
            let forgot = format!("{base}/forgot");
            account_mail(
                &mut tx,
                now,
                t,
                &existing.email,
                "mail.exists.subject",
                &body,
                Some((t.get("login.forgot"), &forgot)),
            )
            .await?;
        }
        None => {
            let token = crypto::new_token();
            repo::insert_signup(
                &mut tx,
                &repo::NewSignup {
                    token_hash: &crypto::hash_token(&token),
                    email: email.as_str(),
                    email_norm: email.norm(),
                    first_name: first.as_str(),
                    last_name: last.as_str(),
                    password_hash: &password_hash,
                    language: ctx.lang.code(),
                    now,
                    expires_at: now + VERIFY_TTL_MS,
                    browser_hash: &crypto::hash_token(&browser),
                },
            )
            .await?;
            let link = format!("{base}/verify?token={token}");
            VERIFY_MAIL.enqueue(&mut tx, now, Tr(ctx.lang), email.as_str(), first.as_str(), &link).await?;
        }
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(browser)
}

/// Confirm an address: the account is created from the sign-up whose link was clicked.
/// From the browser that signed up (`browser`, its cookie) the link alone suffices; from any
/// other, `password` must be the one chosen at sign-up. A wrong or missing password leaves
/// the link usable.
/// A confirmed sign-up: the new account and, when asked for, the session it starts in.
pub struct Verified {
    pub account_id: String,
    pub session_token: Option<String>,
}

/// Confirm a sign-up from its emailed link. The browser that signed up (its secret) or the
/// sign-up's password proves the sign-up is the clicker's; with `sign_in` (the pages) the
/// account then starts signed in, as a login would, in the same transaction.
pub async fn verify_email(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    password: Option<&str>,
    browser: Option<&str>,
    sign_in: bool,
) -> AppResult<Verified> {
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
    let now = to_ms(state.now());
    // Proof of ownership is checked before the write transaction (argon2 takes ~50 ms).
    let pending = repo::signup_proof(state.db.pool(), &crypto::hash_token(token.trim()), now).await?;
    let Some((browser_hash, password_hash)) = pending else { return Err(invalid_token()) };
    let same_browser = match (browser, browser_hash.as_deref()) {
        (Some(b), Some(h)) => crypto::constant_time_eq(crypto::hash_token(b).as_bytes(), h.as_bytes()),
        _ => false,
    };
    if !same_browser {
        match password.filter(|p| !p.is_empty()) {
            None => {
                return Err(AppError::field(
                    "password",
                    "password-required",
                    "Enter the password chosen when signing up, to confirm this sign-up is yours.",
                ));
            }
            Some(p) if !crypto::verify_password(p, &password_hash) => {
                return Err(AppError::field(
                    "password",
                    "wrong-password",
                    "This is not the password chosen for this sign-up. If you did not sign up, ignore the email.",
                ));
            }
            Some(_) => {}
        }
    }
    let mut tx = state.db.begin().await?;
    let row = repo::signup_by_token(&mut tx, &crypto::hash_token(token.trim())).await?;
    let Some(s) = row.filter(|s| s.used_at.is_none() && s.expires_at > now) else {
        return Err(invalid_token());
    };
    // Every pending sign-up of this address ends here, whichever link was used.
    repo::end_signups(&mut tx, &s.email_norm, now).await?;
    if repo::account_by_email(&mut *tx, &s.email_norm).await?.is_some() {
        tx.commit().await?;
        return Err(AppError::conflict("already-verified", "This address already has an account; log in."));
    }
    let id = crate::db::new_id();
    let inserted = repo::insert_account(
        &mut tx,
        &repo::NewAccount {
            id: &id,
            email: &s.email,
            email_norm: &s.email_norm,
            first_name: &s.first_name,
            last_name: &s.last_name,
            password_hash: Some(&s.password_hash),
            time_zone: &state.config.default_time_zone,
            language: s.language.as_deref(),
            email_verified_at: Some(now),
            now,
        },
    )
    .await;
    if let Err(e) = inserted {
        return Err(crate::db::unique_or(
            e,
            AppError::conflict("already-verified", "This address already has an account; log in."),
        ));
    }
    let event = Event::new("account.created", "account", &id)
        .after(json!({"email": s.email, "first_name": s.first_name, "last_name": s.last_name, "signup": s.id}));
    let actor = Actor::Account { id: id.clone(), label: s.email.clone() };
    audit::record(&mut tx, now, None, &actor, Some(ctx), event).await?;
    let session_token = if sign_in {
        let (session_id, token) =
            repo::create_session(&mut tx, now, &id, ctx.ip.as_deref(), ctx.user_agent.as_deref()).await?;
        let event = Event::new("session.created", "session", &session_id).after(json!({"user_agent": ctx.user_agent}));
        audit::record(&mut tx, now, None, &actor, Some(ctx), event).await?;
        Some(token)
    } else {
        None
    };
    tx.commit().await?;
    Ok(Verified { account_id: id, session_token })
}

/// Send a fresh confirmation link for the latest pending sign-up of an address.
pub async fn resend_verification(state: &AppState, ctx: &Ctx, email: &str) -> AppResult<()> {
    let Ok(email) = Email::parse("email", email) else { return Ok(()) };
    ratelimit::hit(state, ratelimit::SIGNUP_PER_EMAIL, email.norm()).await?;
    ratelimit::hit_ip(state, ratelimit::SIGNUP_PER_IP, ctx).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let latest = repo::latest_signup(&mut tx, email.norm(), now).await?;
    if let Some(s) = latest {
        // The old link stops working; the new one carries the same details.
        let token = crypto::new_token();
        repo::renew_signup(&mut tx, &s.id, &crypto::hash_token(&token), now + VERIFY_TTL_MS).await?;
        let t = Tr(s.language.as_deref().and_then(Lang::from_code).unwrap_or(ctx.lang));
        let link = format!("{}/verify?token={token}", state.config.base_url);
        VERIFY_MAIL.enqueue(&mut tx, now, t, &s.email, &s.first_name, &link).await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

//! Account rules shared by the JSON API, the pages and the CLI.

use super::repo::{self, AccountRow};
use crate::{
    audit::{self, Actor, Entry},
    clock::to_ms,
    crypto,
    error::{AppError, AppResult, FieldError},
    http::Ctx,
    i18n::Tr,
    jobs::{mail::compose, outbox},
    ratelimit,
    state::AppState,
    types::{Checks, Email, Lang, Name, NewPassword, Phone, TimeZoneName, parse_country},
};
use serde_json::json;

pub const VERIFY_TTL_MS: i64 = 48 * 3600 * 1000;
pub const RESET_TTL_MS: i64 = 3600 * 1000;
pub const SET_PASSWORD_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

pub const PURPOSE_RESET: &str = "reset";
pub const PURPOSE_SET_PASSWORD: &str = "set_password";

fn actor_of(a: &AccountRow) -> Actor {
    Actor::Account { id: a.id.clone(), label: a.email.clone() }
}

fn mail_lang(a: &AccountRow, fallback: Lang) -> Tr {
    Tr(a.lang().unwrap_or(fallback))
}

fn invalid_token() -> AppError {
    AppError::bad_request("invalid-token", "This link is invalid, expired or already used.")
}

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
    ratelimit::hit(state, ratelimit::SIGNUP_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
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
            let mail = compose(
                &existing.email,
                t.get("mail.exists.subject"),
                &[t.get("mail.exists.body").to_string()],
                Some((t.get("login.forgot"), &format!("{base}/forgot"))),
                t.get("mail.footer"),
            );
            outbox::enqueue_email(&mut tx, now, None, &mail).await?;
        }
        None => {
            let token = crypto::new_token();
            let id = crate::db::new_id();
            sqlx::query(
                "INSERT INTO signups (id, token_hash, email, email_norm, first_name, last_name, password_hash, language, created_at, \
                 expires_at, browser_hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
            )
            .bind(&id)
            .bind(crypto::hash_token(&token))
            .bind(email.as_str())
            .bind(email.norm())
            .bind(first.as_str())
            .bind(last.as_str())
            .bind(&password_hash)
            .bind(ctx.lang.code())
            .bind(now)
            .bind(now + VERIFY_TTL_MS)
            .bind(crypto::hash_token(&browser))
            .execute(&mut *tx)
            .await?;
            let t = Tr(ctx.lang);
            let mail = compose(
                email.as_str(),
                t.get("mail.verify.subject"),
                &[t.fmt("mail.verify.body", &[("name", first.as_str())]), t.get("mail.verify.ignore").to_string()],
                Some((t.get("mail.verify.action"), &format!("{base}/verify?token={token}"))),
                t.get("mail.footer"),
            );
            outbox::enqueue_email(&mut tx, now, None, &mail).await?;
        }
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(browser)
}

#[derive(sqlx::FromRow)]
struct SignupRow {
    id: String,
    email: String,
    email_norm: String,
    first_name: String,
    last_name: String,
    password_hash: String,
    language: Option<String>,
    expires_at: i64,
    used_at: Option<i64>,
}

/// Confirm an address: the account is created from the sign-up whose link was clicked.
/// From the browser that signed up (`browser`, its cookie) the link alone suffices; from any
/// other, `password` must be the one chosen at sign-up. A wrong or missing password leaves
/// the link usable.
pub async fn verify_email(
    state: &AppState,
    ctx: &Ctx,
    token: &str,
    password: Option<&str>,
    browser: Option<&str>,
) -> AppResult<String> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let now = to_ms(state.now());
    // Proof of ownership is checked before the write transaction (argon2 takes ~50 ms).
    let pending: Option<(Option<String>, String)> = sqlx::query_as(
        "SELECT browser_hash, password_hash FROM signups WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
    )
    .bind(crypto::hash_token(token.trim()))
    .bind(now)
    .fetch_optional(state.db.pool())
    .await?;
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
    let row: Option<SignupRow> = sqlx::query_as(
        "SELECT id, email, email_norm, first_name, last_name, password_hash, language, expires_at, used_at \
         FROM signups WHERE token_hash = $1",
    )
    .bind(crypto::hash_token(token.trim()))
    .fetch_optional(&mut *tx)
    .await?;
    let Some(s) = row.filter(|s| s.used_at.is_none() && s.expires_at > now) else {
        return Err(invalid_token());
    };
    // Every pending sign-up of this address ends here, whichever link was used.
    sqlx::query("UPDATE signups SET used_at = $1 WHERE email_norm = $2 AND used_at IS NULL")
        .bind(now)
        .bind(&s.email_norm)
        .execute(&mut *tx)
        .await?;
    if repo::account_by_email(&mut *tx, &s.email_norm).await?.is_some() {
        tx.commit().await?;
        return Err(AppError::conflict("already-verified", "This address already has an account; log in."));
    }
    let id = crate::db::new_id();
    let inserted = sqlx::query(
        "INSERT INTO accounts (id, email, email_norm, first_name, last_name, password_hash, time_zone, language, \
         email_verified_at, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9, $9)",
    )
    .bind(&id)
    .bind(&s.email)
    .bind(&s.email_norm)
    .bind(&s.first_name)
    .bind(&s.last_name)
    .bind(&s.password_hash)
    .bind(&state.config.default_time_zone)
    .bind(&s.language)
    .bind(now)
    .execute(&mut *tx)
    .await;
    if let Err(e) = inserted {
        return Err(crate::db::unique_or(
            e,
            AppError::conflict("already-verified", "This address already has an account; log in."),
        ));
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::Account { id: id.clone(), label: s.email.clone() },
            action: "account.created",
            object_type: "account",
            object_id: Some(&id),
            before: None,
            after: Some(
                json!({"email": s.email, "first_name": s.first_name, "last_name": s.last_name, "signup": s.id}),
            ),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Send a fresh confirmation link for the latest pending sign-up of an address.
pub async fn resend_verification(state: &AppState, ctx: &Ctx, email: &str) -> AppResult<()> {
    let Ok(email) = Email::parse("email", email) else { return Ok(()) };
    ratelimit::hit(state, ratelimit::SIGNUP_PER_EMAIL, email.norm()).await?;
    ratelimit::hit(state, ratelimit::SIGNUP_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let latest: Option<SignupRow> = sqlx::query_as(
        "SELECT id, email, email_norm, first_name, last_name, password_hash, language, expires_at, used_at \
         FROM signups WHERE email_norm = $1 AND used_at IS NULL AND expires_at > $2 ORDER BY created_at DESC LIMIT 1",
    )
    .bind(email.norm())
    .bind(now)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(s) = latest {
        // The old link stops working; the new one carries the same details.
        let token = crypto::new_token();
        sqlx::query("UPDATE signups SET token_hash = $1, expires_at = $2 WHERE id = $3")
            .bind(crypto::hash_token(&token))
            .bind(now + VERIFY_TTL_MS)
            .bind(&s.id)
            .execute(&mut *tx)
            .await?;
        let t = Tr(s.language.as_deref().and_then(Lang::from_code).unwrap_or(ctx.lang));
        let mail = compose(
            &s.email,
            t.get("mail.verify.subject"),
            &[t.fmt("mail.verify.body", &[("name", &s.first_name)]), t.get("mail.verify.ignore").to_string()],
            Some((t.get("mail.verify.action"), &format!("{}/verify?token={token}", state.config.base_url))),
            t.get("mail.footer"),
        );
        outbox::enqueue_email(&mut tx, now, None, &mail).await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

// ---------------------------------------------------------------- login

pub struct LoginInput {
    pub email: String,
    pub password: String,
    pub totp_code: Option<String>,
}

pub struct LoggedIn {
    pub account: AccountRow,
    pub session_id: String,
    pub token: String,
}

pub async fn login(state: &AppState, ctx: &Ctx, input: LoginInput) -> AppResult<LoggedIn> {
    let invalid =
        || AppError::Unauthorized { code: "invalid-credentials", detail: "Wrong email address or password.".into() };
    let email_key = input.email.trim().to_lowercase();
    ratelimit::hit(state, ratelimit::LOGIN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    ratelimit::hit(state, ratelimit::LOGIN_PER_EMAIL, &email_key).await?;
    if input.password.len() > NewPassword::MAX * 4 {
        return Err(invalid());
    }
    let account = repo::account_by_email(state.db.pool(), &email_key).await?;
    // An account whose second factor has been guessed at too often is refused before its
    // password is checked: the answer is the same whether the password was right or not.
    if let Some(a) = account.as_ref().filter(|a| a.totp_enabled_at.is_some()) {
        ratelimit::check(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, &a.id).await?;
    }
    // Exactly one argon2 verification whatever happens, so timing does not tell which
    // addresses have accounts.
    let account = match account {
        Some(a) => match a.password_hash.as_deref() {
            Some(h) if crypto::verify_password(&input.password, h) => a,
            Some(_) => {
                tracing::info!("failed login");
                return Err(invalid());
            }
            None => {
                crypto::burn_password_check(&input.password);
                return Err(invalid());
            }
        },
        None => {
            crypto::burn_password_check(&input.password);
            tracing::info!("failed login");
            return Err(invalid());
        }
    };
    // Only someone who knows the password learns these.
    if account.blocked_at.is_some() {
        ratelimit::refund(state, ratelimit::LOGIN_PER_EMAIL, &email_key).await?;
        return Err(AppError::forbidden("account-blocked", "This account is blocked."));
    }
    let totp = match (&account.totp_secret, account.totp_enabled_at) {
        (Some(secret), Some(_)) => {
            let Some(code) = input.totp_code.as_deref().filter(|c| !c.trim().is_empty()) else {
                // Asking for the code is not a guess: it does not count.
                ratelimit::refund(state, ratelimit::LOGIN_PER_EMAIL, &email_key).await?;
                return Err(AppError::Unauthorized {
                    code: "totp-required",
                    detail: "Enter the code from your authenticator app.".into(),
                });
            };
            // A code is a guess until it checks out: counted against the account whatever
            // the address (and, until the login succeeds, against the per-email limit), so
            // wrong codes fill both windows. Counted before the write transaction opens
            // (on SQLite it holds the write lock).
            ratelimit::hit(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, &account.id).await?;
            Some((open_totp(state, &account.id, secret)?, code.to_string()))
        }
        _ => None,
    };
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if let Some((secret, code)) = &totp {
        check_totp_step(&mut tx, &account, secret, code, now).await?;
    }
    let (session_id, token) =
        repo::create_session(&mut tx, now, &account.id, ctx.ip.as_deref(), ctx.user_agent.as_deref()).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &actor_of(&account),
            action: "session.created",
            object_type: "session",
            object_id: Some(&session_id),
            before: None,
            after: Some(json!({"user_agent": ctx.user_agent})),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    // Only failures count: a login that went through takes its own hits back.
    ratelimit::refund(state, ratelimit::LOGIN_PER_EMAIL, &email_key).await?;
    if totp.is_some() {
        ratelimit::refund(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, &account.id).await?;
    }
    Ok(LoggedIn { account, session_id, token })
}

/// Check a TOTP code and refuse a replay of an already used time step.
async fn check_totp_step(
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
    let r = sqlx::query(
        "UPDATE accounts SET totp_last_step = $1 WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
    )
    .bind(step)
    .bind(&account.id)
    .execute(&mut **tx)
    .await?;
    if r.rows_affected() != 1 {
        return Err(bad());
    }
    Ok(())
}

pub async fn logout(state: &AppState, ctx: &Ctx, account_id: &str, label: &str, session_id: &str) -> AppResult<()> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    sqlx::query("DELETE FROM sessions WHERE id = $1").bind(session_id).execute(&mut *tx).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::Account { id: account_id.into(), label: label.into() },
            action: "session.ended",
            object_type: "session",
            object_id: Some(session_id),
            before: None,
            after: None,
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- password reset

/// Always answers the same; mails a single-use link only to a usable account.
pub async fn forgot_password(state: &AppState, ctx: &Ctx, email: &str) -> AppResult<()> {
    let key = email.trim().to_lowercase();
    ratelimit::hit(state, ratelimit::RESET_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    ratelimit::hit(state, ratelimit::RESET_PER_EMAIL, &key).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if let Some(account) = repo::account_by_email(&mut *tx, &key).await?.filter(|a| a.blocked_at.is_none()) {
        let token = repo::issue_token(&mut tx, now, &account, PURPOSE_RESET, RESET_TTL_MS).await?;
        let t = mail_lang(&account, ctx.lang);
        let mail = compose(
            &account.email,
            t.get("mail.reset.subject"),
            &[t.fmt("mail.reset.body", &[("name", &account.first_name)]), t.get("mail.reset.ignore").to_string()],
            Some((t.get("mail.reset.action"), &format!("{}/reset?token={token}", state.config.base_url))),
            t.get("mail.footer"),
        );
        outbox::enqueue_email(&mut tx, now, None, &mail).await?;
        audit::record(
            &mut tx,
            now,
            Entry {
                org_id: None,
                location_id: None,
                actor: &Actor::System,
                action: "account.password_reset_requested",
                object_type: "account",
                object_id: Some(&account.id),
                before: None,
                after: None,
                ctx: Some(ctx),
            },
        )
        .await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Set a new password from an emailed (or operator-printed) link; every session ends.
pub async fn reset_password(state: &AppState, ctx: &Ctx, token: &str, password: &str) -> AppResult<()> {
    ratelimit::hit(state, ratelimit::TOKEN_PER_IP, ctx.ip.as_deref().unwrap_or("?")).await?;
    let password = NewPassword::parse("password", password).map_err(|e| AppError::Validation(vec![e]))?;
    let hash = crypto::hash_password(password.expose()).map_err(AppError::internal)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let row = repo::consume_token(&mut tx, now, token.trim(), &[PURPOSE_RESET, PURPOSE_SET_PASSWORD])
        .await?
        .ok_or_else(invalid_token)?;
    let account = repo::account_by_id(&mut *tx, &row.account_id).await?.ok_or_else(invalid_token)?;
    if account.blocked_at.is_some() || account.email_norm != row.email_norm {
        return Err(invalid_token());
    }
    // The link proved control of the address: a first password also confirms it.
    sqlx::query(
        "UPDATE accounts SET password_hash = $1, updated_at = $2, email_verified_at = COALESCE(email_verified_at, $2) WHERE id = $3",
    )
    .bind(&hash)
    .bind(now)
    .bind(&account.id)
    .execute(&mut *tx)
    .await?;
    let ended = repo::end_sessions(&mut tx, &account.id, None).await?;
    // Other outstanding reset links die with this one.
    sqlx::query("UPDATE account_tokens SET used_at = $1 WHERE account_id = $2 AND purpose IN ('reset', 'set_password') AND used_at IS NULL")
        .bind(now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    let t = mail_lang(&account, ctx.lang);
    let mail = compose(
        &account.email,
        t.get("mail.changed.subject"),
        &[t.fmt("mail.changed.body", &[("name", &account.first_name)])],
        Some((t.get("login.forgot"), &format!("{}/forgot", state.config.base_url))),
        t.get("mail.footer"),
    );
    outbox::enqueue_email(&mut tx, now, None, &mail).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &actor_of(&account),
            action: if row.purpose == PURPOSE_SET_PASSWORD { "account.password_set" } else { "account.password_reset" },
            object_type: "account",
            object_id: Some(&account.id),
            before: None,
            after: Some(json!({"sessions_ended": ended})),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

// ---------------------------------------------------------------- profile and password

#[derive(Default)]
pub struct ProfileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// `Some("")` clears.
    pub mobile_phone: Option<String>,
    pub country: Option<String>,
    pub time_zone: Option<String>,
    /// `Some("")` returns to the browser's language.
    pub language: Option<String>,
}

pub async fn update_profile(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    input: ProfileInput,
) -> AppResult<AccountRow> {
    let mut tx = state.db.begin().await?;
    // Locked on PostgreSQL (SQLite's write lock is already held): two tabs changing different
    // fields at once both keep their change.
    sqlx::query(&format!("SELECT id FROM accounts WHERE id = $1{}", state.db.for_update()))
        .bind(account_id)
        .fetch_optional(&mut *tx)
        .await?;
    let before = repo::account_by_id(&mut *tx, account_id).await?.ok_or(AppError::NotFound)?;
    let mut after = before.clone();
    let mut checks = Checks::default();
    if let Some(v) = input.first_name
        && let Some(n) = checks.check(Name::parse("first_name", &v, 100))
    {
        after.first_name = n.into_string();
    }
    if let Some(v) = input.last_name
        && let Some(n) = checks.check(Name::parse("last_name", &v, 100))
    {
        after.last_name = n.into_string();
    }
    if let Some(v) = input.mobile_phone {
        after.mobile_phone = if v.trim().is_empty() {
            None
        } else {
            checks.check(Phone::parse_field("mobile_phone", &v).map(String::from))
        };
    }
    if let Some(v) = input.country {
        after.country = if v.trim().is_empty() { None } else { checks.check(parse_country("country", &v)) };
    }
    if let Some(v) = input.time_zone
        && let Some(z) = checks.check(TimeZoneName::parse("time_zone", &v))
    {
        after.time_zone = z.as_str().to_string();
    }
    if let Some(v) = input.language {
        after.language = if v.trim().is_empty() {
            None
        } else {
            match Lang::from_code(&v).filter(|_| v.trim().len() == 2) {
                Some(l) => Some(l.code().to_string()),
                None => {
                    checks.push(FieldError::new("language", "invalid-language", "Choose fr or en."));
                    None
                }
            }
        };
    }
    checks.finish()?;
    let now = to_ms(state.now());
    sqlx::query(
        "UPDATE accounts SET first_name = $1, last_name = $2, mobile_phone = $3, country = $4, time_zone = $5, \
         language = $6, updated_at = $7 WHERE id = $8",
    )
    .bind(&after.first_name)
    .bind(&after.last_name)
    .bind(&after.mobile_phone)
    .bind(&after.country)
    .bind(&after.time_zone)
    .bind(&after.language)
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &actor_of(&before),
            action: "account.profile_updated",
            object_type: "account",
            object_id: Some(account_id),
            before: Some(profile_json(&before)),
            after: Some(profile_json(&after)),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    after.updated_at = now;
    Ok(after)
}

fn profile_json(a: &AccountRow) -> serde_json::Value {
    json!({
        "first_name": a.first_name, "last_name": a.last_name, "mobile_phone": a.mobile_phone,
        "country": a.country, "time_zone": a.time_zone, "language": a.language,
    })
}

pub struct PasswordChange {
    pub current_password: String,
    pub new_password: String,
    pub new_password_confirm: String,
}

/// Change the password (current + new twice); every other session of the account ends.
pub async fn change_password(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    session_id: &str,
    input: PasswordChange,
) -> AppResult<()> {
    ratelimit::hit(state, ratelimit::PASSWORD_CHECK_PER_ACCOUNT, account_id).await?;
    let account = repo::account_by_id(state.db.pool(), account_id).await?.ok_or(AppError::NotFound)?;
    if !account.password_hash.as_deref().is_some_and(|h| crypto::verify_password(&input.current_password, h)) {
        return Err(AppError::field("current_password", "wrong-password", "Current password is wrong."));
    }
    let new = NewPassword::parse("new_password", &input.new_password).map_err(|e| AppError::Validation(vec![e]))?;
    if input.new_password != input.new_password_confirm {
        return Err(AppError::field("new_password_confirm", "password-mismatch", "The two passwords do not match."));
    }
    let hash = crypto::hash_password(new.expose()).map_err(AppError::internal)?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1, updated_at = $2 WHERE id = $3")
        .bind(&hash)
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let ended = repo::end_sessions(&mut tx, account_id, Some(session_id)).await?;
    let t = mail_lang(&account, ctx.lang);
    let mail = compose(
        &account.email,
        t.get("mail.changed.subject"),
        &[t.fmt("mail.changed.body", &[("name", &account.first_name)])],
        Some((t.get("login.forgot"), &format!("{}/forgot", state.config.base_url))),
        t.get("mail.footer"),
    );
    outbox::enqueue_email(&mut tx, now, None, &mail).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &actor_of(&account),
            action: "account.password_changed",
            object_type: "account",
            object_id: Some(account_id),
            before: None,
            after: Some(json!({"sessions_ended": ended})),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

// ---------------------------------------------------------------- sessions

#[derive(Debug, sqlx::FromRow)]
pub struct SessionRow {
    pub id: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

pub async fn list_sessions(state: &AppState, account_id: &str) -> AppResult<Vec<SessionRow>> {
    let now = to_ms(state.now());
    Ok(sqlx::query_as(
        "SELECT id, created_at, last_seen_at, expires_at, ip, user_agent FROM sessions \
         WHERE account_id = $1 AND expires_at > $2 AND last_seen_at > $3 ORDER BY last_seen_at DESC LIMIT 200",
    )
    .bind(account_id)
    .bind(now)
    .bind(now - crate::access::session::SESSION_IDLE_MS)
    .fetch_all(state.db.pool())
    .await?)
}

/// End one of the caller's own sessions; another account's session id is "not found".
pub async fn revoke_session(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    label: &str,
    session_id: &str,
) -> AppResult<()> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let r = sqlx::query("DELETE FROM sessions WHERE id = $1 AND account_id = $2")
        .bind(session_id)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    if r.rows_affected() == 0 {
        return Err(AppError::NotFound);
    }
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::Account { id: account_id.into(), label: label.into() },
            action: "session.revoked",
            object_type: "session",
            object_id: Some(session_id),
            before: None,
            after: None,
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

pub async fn revoke_other_sessions(
    state: &AppState,
    ctx: &Ctx,
    account_id: &str,
    label: &str,
    keep: &str,
) -> AppResult<u64> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let ended = repo::end_sessions(&mut tx, account_id, Some(keep)).await?;
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::Account { id: account_id.into(), label: label.into() },
            action: "session.revoked_others",
            object_type: "account",
            object_id: Some(account_id),
            before: None,
            after: Some(json!({"sessions_ended": ended})),
            ctx: Some(ctx),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(ended)
}

// ---------------------------------------------------------------- second factor

/// TOTP seeds are stored sealed with the server key, bound to their account.
fn totp_aad(account_id: &str) -> String {
    format!("accounts.totp:{account_id}")
}

fn seal_totp(state: &AppState, account_id: &str, secret_b32: &str) -> AppResult<String> {
    crypto::seal(state.secret_key()?, secret_b32.as_bytes(), totp_aad(account_id).as_bytes())
        .map_err(AppError::internal)
}

/// The base32 seed of a stored secret: sealed, or (written by an earlier version and not
/// yet sealed at start-up) plaintext. A seed sealed with another server key is an operator
/// error, reported as such in the log; the client sees a plain 500.
fn open_totp(state: &AppState, account_id: &str, stored: &str) -> AppResult<String> {
    if !crypto::is_sealed(stored) {
        return Ok(stored.to_string());
    }
    let plain = crypto::open(state.secret_key()?, stored, totp_aad(account_id).as_bytes())
        .map_err(|e| AppError::internal(format!("the TOTP secret of account {account_id} cannot be opened: {e}")))?;
    String::from_utf8(plain).map_err(|_| AppError::internal("a sealed TOTP secret is not text"))
}

/// Seal the TOTP secrets that earlier versions stored in plaintext; returns how many. Safe
/// to run from several instances at once: each row changes only if still plaintext.
pub async fn seal_plaintext_secrets(db: &crate::db::Db, key: &crypto::SecretKey) -> AppResult<u64> {
    let rows: Vec<(String, Option<String>, Option<String>)> = sqlx::query_as(
        "SELECT id, totp_secret, totp_pending_secret FROM accounts WHERE totp_secret IS NOT NULL OR totp_pending_secret IS NOT NULL",
    )
    .fetch_all(db.pool())
    .await?;
    let mut sealed = 0;
    for (id, secret, pending) in rows {
        for (column, value) in [("totp_secret", secret), ("totp_pending_secret", pending)] {
            let Some(plain) = value.filter(|v| !crypto::is_sealed(v)) else { continue };
            let new = crypto::seal(key, plain.as_bytes(), totp_aad(&id).as_bytes()).map_err(AppError::internal)?;
            sealed += sqlx::query(&format!("UPDATE accounts SET {column} = $1 WHERE id = $2 AND {column} = $3"))
                .bind(&new)
                .bind(&id)
                .bind(&plain)
                .execute(db.pool())
                .await?
                .rows_affected();
        }
    }
    Ok(sealed)
}

/// How many stored sealed secrets (TOTP seeds, per-client keys) name another key than
/// `key`: not zero means the server runs with the wrong `secret_key` and cannot read them.
pub async fn secrets_sealed_with_another_key(db: &crate::db::Db, key: &crypto::SecretKey) -> AppResult<i64> {
    let ours = format!("v1:{}:%", key.id());
    let n: i64 = sqlx::query_scalar(
        "SELECT (SELECT COUNT(*) FROM accounts WHERE (totp_secret LIKE 'v1:%' AND totp_secret NOT LIKE $1)                  OR (totp_pending_secret LIKE 'v1:%' AND totp_pending_secret NOT LIKE $1))               + (SELECT COUNT(*) FROM client_keys WHERE sealed_key NOT LIKE $1)",
    )
    .bind(&ours)
    .fetch_one(db.pool())
    .await?;
    Ok(n)
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
    sqlx::query("UPDATE accounts SET totp_pending_secret = $1, updated_at = $2 WHERE id = $3")
        .bind(seal_totp(state, account_id, &secret)?)
        .bind(to_ms(state.now()))
        .bind(account_id)
        .execute(state.db.pool())
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
    sqlx::query(
        "UPDATE accounts SET totp_secret = $1, totp_pending_secret = NULL, totp_enabled_at = $2, totp_last_step = $3, updated_at = $2 WHERE id = $4",
    )
    .bind(seal_totp(state, account_id, &pending)?)
    .bind(now)
    .bind(step)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
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
    sqlx::query("UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_pending_secret = NULL, updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    totp_mail_and_audit(&mut tx, now, ctx, &account, false, 0).await?;
    tx.commit().await?;
    ratelimit::refund(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, account_id).await?;
    state.outbox_wake.notify_one();
    Ok(())
}

async fn totp_mail_and_audit(
    tx: &mut crate::db::Tx,
    now: i64,
    ctx: &Ctx,
    account: &AccountRow,
    on: bool,
    ended: u64,
) -> AppResult<()> {
    let t = mail_lang(account, ctx.lang);
    let mail = compose(
        &account.email,
        t.get("mail.totp.subject"),
        &[t.fmt(if on { "mail.totp.on" } else { "mail.totp.off" }, &[("name", &account.first_name)])],
        None,
        t.get("mail.footer"),
    );
    outbox::enqueue_email(tx, now, None, &mail).await?;
    audit::record(
        tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &actor_of(account),
            action: if on { "account.totp_enabled" } else { "account.totp_disabled" },
            object_type: "account",
            object_id: Some(&account.id),
            before: None,
            after: Some(json!({"sessions_ended": ended})),
            ctx: Some(ctx),
        },
    )
    .await
}

// ---------------------------------------------------------------- operator actions

/// Block or unblock an account (CLI). Blocking ends its sessions at once; its data stays.
pub async fn set_blocked(state: &AppState, email: &str, blocked: bool) -> AppResult<AccountRow> {
    let key = email.trim().to_lowercase();
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let account = repo::account_by_email(&mut *tx, &key).await?.ok_or(AppError::NotFound)?;
    sqlx::query("UPDATE accounts SET blocked_at = $1, updated_at = $2 WHERE id = $3")
        .bind(if blocked { Some(now) } else { None })
        .bind(now)
        .bind(&account.id)
        .execute(&mut *tx)
        .await?;
    let ended = if blocked { repo::end_sessions(&mut tx, &account.id, None).await? } else { 0 };
    audit::record(
        &mut tx,
        now,
        Entry {
            org_id: None,
            location_id: None,
            actor: &Actor::System,
            action: if blocked { "account.blocked" } else { "account.unblocked" },
            object_type: "account",
            object_id: Some(&account.id),
            before: Some(json!({"blocked": account.blocked_at.is_some()})),
            after: Some(json!({"blocked": blocked, "sessions_ended": ended})),
            ctx: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(account)
}

/// First-run bootstrap: an owner account (or an existing one) and an organisation; returns
/// a one-time link to choose the password.
pub async fn create_owner(state: &AppState, email: &str, org_name: &str) -> AppResult<(String, Option<String>)> {
    let email = Email::parse("email", email).map_err(|e| AppError::Validation(vec![e]))?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let account = match repo::account_by_email(&mut *tx, email.norm()).await? {
        Some(a) => a,
        None => {
            let id = crate::db::new_id();
            let local = email.as_str().split('@').next().unwrap_or("Owner").to_string();
            sqlx::query(
                "INSERT INTO accounts (id, email, email_norm, first_name, last_name, time_zone, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, '', $5, $6, $6)",
            )
            .bind(&id)
            .bind(email.as_str())
            .bind(email.norm())
            .bind(&local)
            .bind(&state.config.default_time_zone)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            audit::record(
                &mut tx,
                now,
                Entry {
                    org_id: None,
                    location_id: None,
                    actor: &Actor::System,
                    action: "account.created",
                    object_type: "account",
                    object_id: Some(&id),
                    before: None,
                    after: Some(json!({"email": email.as_str(), "via": "create-owner"})),
                    ctx: None,
                },
            )
            .await?;
            repo::account_by_id(&mut *tx, &id).await?.ok_or_else(|| AppError::internal("account vanished"))?
        }
    };
    let org_id =
        crate::features::orgs::service::create_in_tx(&mut tx, now, &Actor::System, &account.id, org_name, None, None)
            .await?;
    let link = if account.password_hash.is_none() {
        let token = repo::issue_token(&mut tx, now, &account, PURPOSE_SET_PASSWORD, SET_PASSWORD_TTL_MS).await?;
        Some(format!("{}/reset?token={token}", state.config.base_url))
    } else {
        None
    };
    tx.commit().await?;
    Ok((org_id, link))
}

//! Account rules shared by the JSON API, the pages and the CLI.

use super::repo::{self, AccountRow};
use crate::features::prelude::*;
use crate::{
    audit::{self, Actor, Event},
    clock::to_ms,
    crypto,
    db::Tx,
    error::FieldError,
    jobs::{mail::compose, outbox},
    ratelimit,
    types::{Checks, Email, Lang, NewPassword, Phone, parse_country},
};
use serde_json::json;

use super::totp::{check_totp_step, open_totp};
pub use super::{
    sessions::{SessionRow, list_sessions, revoke_other_sessions, revoke_session},
    signup::{SignupInput, Verified, resend_verification, signup, verify_email},
    totp::{TotpSetup, seal_plaintext_secrets, secrets_sealed_with_another_key, totp_disable, totp_enable, totp_setup},
};

pub const VERIFY_TTL_MS: i64 = 48 * 3600 * 1000;
pub const RESET_TTL_MS: i64 = 3600 * 1000;
pub const SET_PASSWORD_TTL_MS: i64 = 7 * 24 * 3600 * 1000;

pub const PURPOSE_RESET: &str = "reset";
pub const PURPOSE_SET_PASSWORD: &str = "set_password";

pub(super) fn actor_of(a: &AccountRow) -> Actor {
    Actor::Account { id: a.id.clone(), label: a.email.clone() }
}

pub(super) fn mail_lang(a: &AccountRow, fallback: Lang) -> Tr {
    Tr(a.lang().unwrap_or(fallback))
}

pub(super) fn invalid_token() -> AppError {
    AppError::bad_request("invalid-token", "This link is invalid, expired or already used.")
}

/// The keys of a mail carrying a single-use link: the subject, the body greeting the person by
/// first name, a line for whoever did not ask, and the button's label.
pub(super) struct LinkMail {
    subject: &'static str,
    body: &'static str,
    ignore: &'static str,
    action: &'static str,
}

pub(super) const VERIFY_MAIL: LinkMail = LinkMail {
    subject: "mail.verify.subject",
    body: "mail.verify.body",
    ignore: "mail.verify.ignore",
    action: "mail.verify.action",
};

const RESET_MAIL: LinkMail = LinkMail {
    subject: "mail.reset.subject",
    body: "mail.reset.body",
    ignore: "mail.reset.ignore",
    action: "mail.reset.action",
};

impl LinkMail {
    /// Queues this mail to `to` (no organisation's), in `t`, its button leading to `link`.
    pub(super) async fn enqueue(
        &self,
        tx: &mut Tx,
        now: i64,
        t: Tr,
        to: &str,
        name: &str,
        link: &str,
    ) -> AppResult<()> {
        let paragraphs = [t.fmt(self.body, &[("name", name)]), t.get(self.ignore).to_string()];
        account_mail(tx, now, t, to, self.subject, &paragraphs, Some((t.get(self.action), link))).await
    }
}

/// Queues a mail about an account (no organisation's) to `to`, in `t`: the subject's key, the
/// paragraphs, at most one button (label, link) and the common footer.
pub(super) async fn account_mail(
    tx: &mut Tx,
    now: i64,
    t: Tr,
    to: &str,
    subject_key: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
) -> AppResult<()> {
    let mail = compose(to, t.get(subject_key), paragraphs, action, t.get("mail.footer"));
    outbox::enqueue_email(tx, now, None, &mail).await?;
    Ok(())
}

// ---------------------------------------------------------------- login

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginInput {
    pub email: String,
    pub password: String,
    /// Required when the account has two-factor authentication on.
    #[serde(default)]
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
    ratelimit::hit_ip(state, ratelimit::LOGIN_PER_IP, ctx).await?;
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
    let event = Event::new("session.created", "session", &session_id).after(json!({"user_agent": ctx.user_agent}));
    audit::record(&mut tx, now, None, &actor_of(&account), Some(ctx), event).await?;
    tx.commit().await?;
    // Only failures count: a login that went through takes its own hits back.
    ratelimit::refund(state, ratelimit::LOGIN_PER_EMAIL, &email_key).await?;
    if totp.is_some() {
        ratelimit::refund(state, ratelimit::SECOND_FACTOR_PER_ACCOUNT, &account.id).await?;
    }
    Ok(LoggedIn { account, session_id, token })
}

pub async fn logout(state: &AppState, ctx: &Ctx, account_id: &str, label: &str, session_id: &str) -> AppResult<()> {
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    repo::end_session(&mut tx, account_id, session_id).await?;
    let event = Event::new("session.ended", "session", session_id);
    audit::record(&mut tx, now, None, &Actor::Account { id: account_id.into(), label: label.into() }, Some(ctx), event)
        .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------- password reset

/// Always answers the same; mails a single-use link only to a usable account.
pub async fn forgot_password(state: &AppState, ctx: &Ctx, email: &str) -> AppResult<()> {
    let key = email.trim().to_lowercase();
    ratelimit::hit_ip(state, ratelimit::RESET_PER_IP, ctx).await?;
    ratelimit::hit(state, ratelimit::RESET_PER_EMAIL, &key).await?;
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    if let Some(account) = repo::account_by_email(&mut *tx, &key).await?.filter(|a| a.blocked_at.is_none()) {
        let token = repo::issue_token(&mut tx, now, &account, PURPOSE_RESET, RESET_TTL_MS).await?;
        let link = format!("{}/reset?token={token}", state.config.base_url);
        RESET_MAIL
            .enqueue(&mut tx, now, mail_lang(&account, ctx.lang), &account.email, &account.first_name, &link)
            .await?;
        let event = Event::new("account.password_reset_requested", "account", &account.id);
        audit::record(&mut tx, now, None, &Actor::System, Some(ctx), event).await?;
    }
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Set a new password from an emailed (or operator-printed) link; every session ends.
pub async fn reset_password(state: &AppState, ctx: &Ctx, token: &str, password: &str) -> AppResult<()> {
    ratelimit::hit_ip(state, ratelimit::TOKEN_PER_IP, ctx).await?;
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
    repo::set_password_from_link(&mut tx, &account.id, &hash, now).await?;
    let ended = repo::end_sessions(&mut tx, &account.id, None).await?;
    // Other outstanding reset links die with this one.
    repo::end_password_tokens(&mut tx, &account.id, now).await?;
    mail_password_changed(&mut tx, state, ctx, &account, now).await?;
    let event = Event::new(
        if row.purpose == PURPOSE_SET_PASSWORD { "account.password_set" } else { "account.password_reset" },
        "account",
        &account.id,
    )
    .after(json!({"sessions_ended": ended}));
    audit::record(&mut tx, now, None, &actor_of(&account), Some(ctx), event).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

/// Tells the account's address that its password changed, with the way back if it was not them.
async fn mail_password_changed(
    tx: &mut Tx,
    state: &AppState,
    ctx: &Ctx,
    account: &AccountRow,
    now: i64,
) -> AppResult<()> {
    let t = mail_lang(account, ctx.lang);
    let body = [t.fmt("mail.changed.body", &[("name", &account.first_name)])];
    let forgot = format!("{}/forgot", state.config.base_url);
    account_mail(tx, now, t, &account.email, "mail.changed.subject", &body, Some((t.get("login.forgot"), &forgot)))
        .await
}

// ---------------------------------------------------------------- profile and password

/// Only these fields can change here; anything else (email, role, verified…) is refused.
#[derive(Default, serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileInput {
    pub first_name: Option<String>,
    pub last_name: Option<String>,
    /// Empty string clears.
    pub mobile_phone: Option<String>,
    /// ISO 3166 alpha-2; empty string clears.
    pub country: Option<String>,
    pub time_zone: Option<String>,
    /// `fr` or `en`; empty string returns to the browser's language.
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
    repo::lock_account(&mut tx, &state.db, account_id).await?;
    let before = repo::account_by_id(&mut *tx, account_id).await?.ok_or(AppError::NotFound)?;
    let mut after = before.clone();
    let mut checks = Checks::default();
    checks.set_name(&mut after.first_name, "first_name", input.first_name.as_deref(), 100);
    checks.set_name(&mut after.last_name, "last_name", input.last_name.as_deref(), 100);
    if let Some(v) = input.country {
        after.country = if v.trim().is_empty() { None } else { checks.check(parse_country("country", &v)) };
    }
    if let Some(v) = input.mobile_phone {
        // The national form of the account's country (or of its zone's) is understood.
        let country = after.country.clone().or_else(|| Phone::country_of_zone(&after.time_zone).map(str::to_string));
        after.mobile_phone = if v.trim().is_empty() {
            None
        } else {
            checks.check(Phone::parse_field_in("mobile_phone", &v, country.as_deref()).map(String::from))
        };
    }
    checks.set_zone(&mut after.time_zone, "time_zone", input.time_zone.as_deref());
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
    repo::update_profile(&mut tx, &after, now).await?;
    let event = Event::new("account.profile_updated", "account", account_id)
        .before(profile_json(&before))
        .after(profile_json(&after));
    audit::record(&mut tx, now, None, &actor_of(&before), Some(ctx), event).await?;
    tx.commit().await?;
    after.updated_at = now;
    Ok(after)
}

pub(super) fn profile_json(a: &AccountRow) -> serde_json::Value {
    json!({
        "first_name": a.first_name, "last_name": a.last_name, "mobile_phone": a.mobile_phone,
        "country": a.country, "time_zone": a.time_zone, "language": a.language,
    })
}

#[derive(serde::Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
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
    repo::set_password(&mut tx, account_id, &hash, now).await?;
    let ended = repo::end_sessions(&mut tx, account_id, Some(session_id)).await?;
    mail_password_changed(&mut tx, state, ctx, &account, now).await?;
    let event = Event::new("account.password_changed", "account", account_id).after(json!({"sessions_ended": ended}));
    audit::record(&mut tx, now, None, &actor_of(&account), Some(ctx), event).await?;
    tx.commit().await?;
    state.outbox_wake.notify_one();
    Ok(())
}

// ---------------------------------------------------------------- operator actions

/// Block or unblock an account (CLI). Blocking ends its sessions at once; its data stays.
pub async fn set_blocked(state: &AppState, email: &str, blocked: bool) -> AppResult<AccountRow> {
    let key = email.trim().to_lowercase();
    let now = to_ms(state.now());
    let mut tx = state.db.begin().await?;
    let account = repo::account_by_email(&mut *tx, &key).await?.ok_or(AppError::NotFound)?;
    repo::set_blocked(&mut tx, &account.id, if blocked { Some(now) } else { None }, now).await?;
    let ended = if blocked { repo::end_sessions(&mut tx, &account.id, None).await? } else { 0 };
    let event = Event::new(if blocked { "account.blocked" } else { "account.unblocked" }, "account", &account.id)
        .before(json!({"blocked": account.blocked_at.is_some()}))
        .after(json!({"blocked": blocked, "sessions_ended": ended}));
    audit::record(&mut tx, now, None, &Actor::System, None, event).await?;
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
            repo::insert_account(
                &mut tx,
                &repo::NewAccount {
                    id: &id,
                    email: email.as_str(),
                    email_norm: email.norm(),
                    first_name: &local,
                    last_name: "",
                    password_hash: None,
                    time_zone: &state.config.default_time_zone,
                    language: None,
                    email_verified_at: None,
                    now,
                },
            )
            .await?;
            let event = Event::new("account.created", "account", &id)
                .after(json!({"email": email.as_str(), "via": "create-owner"}));
            audit::record(&mut tx, now, None, &Actor::System, None, event).await?;
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

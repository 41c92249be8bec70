//! The webhook delivery pass, run by the background worker: events read from each
//! organisation's audit chain become one message per subscribed endpoint (the cursor moves
//! in the same transaction, so an event is queued once); due messages are sent, signed, with
//! back-off between attempts, each attempt logged. A message's payload is built when it is
//! sent, from what the endpoint's maker may see **then** (a booking on a calendar they no
//! longer see is not sent; a client's email and phone only with the client list); a maker
//! who left or was blocked stops their endpoints.

use crate::features::webhooks::{outbound, repo, service, sign};
use crate::{
    access::{OrgScope, Tenant},
    clock::to_ms,
    crypto,
    error::{AppError, AppResult},
    features::{bookings, clients, members},
    state::AppState,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{Request, body::Bytes, header::CONTENT_TYPE};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

/// Waits before each retry (the first attempt goes at once): 5 s, 5 min, 30 min, 2 h, 5 h,
/// 10 h; after the last, the message has failed.
pub const BACKOFF_SECS: [i64; 6] = [5, 300, 1800, 7200, 18000, 36000];
/// Consecutive failed attempts after which an endpoint is disabled (and its maker told).
pub const DISABLE_AFTER: i64 = 20;
const TIMEOUT: Duration = Duration::from_secs(10);
const EXCERPT: usize = 500;

/// One pass: queue new events, send what is due. Returns the attempts made.
pub async fn run_once(state: &AppState) -> AppResult<usize> {
    queue_events(state).await?;
    let now = to_ms(state.now());
    let due = repo::due(state.db.pool(), now, 50).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let client = http_client(state.config.allow_private_outbound)?;
    let mut sent = 0;
    for m in due {
        if !repo::claim(state.db.pool(), &m, now, 60_000).await? {
            continue;
        }
        if let Err(e) = deliver(state, &client, &m).await {
            tracing::error!(error = %e, message = %m.id, "webhook delivery failed to run");
        }
        sent += 1;
    }
    Ok(sent)
}

async fn queue_events(state: &AppState) -> AppResult<()> {
    for (org_id, seq) in repo::cursors(state.db.pool()).await? {
        let tenant = Tenant::for_background(&org_id);
        let rows = repo::chain_after(state.db.pool(), &tenant, seq, &service::ACTIONS, 500).await?;
        let last = match rows.last() {
            Some((s, ..)) => *s,
            None => repo::head(state.db.pool(), &tenant).await?,
        };
        if last <= seq {
            continue;
        }
        let endpoints: Vec<repo::EndpointRow> =
            repo::endpoints(state.db.pool(), &tenant).await?.into_iter().filter(|e| e.status == "active").collect();
        let now = to_ms(state.now());
        let mut tx = state.db.begin().await?;
        for (row_seq, action, object_id, at) in &rows {
            let Some(event) = service::event_of(action) else { continue };
            // An endpoint hears of what happened after it was made, not of an older backlog.
            for e in endpoints.iter().filter(|e| *row_seq > e.from_seq) {
                let wanted: Vec<String> = serde_json::from_str(&e.events).unwrap_or_default();
                if !wanted.iter().any(|w| w == event) {
                    continue;
                }
                let m = repo::MessageRow {
                    id: format!("msg_{}", crate::db::new_id().replace('-', "")),
                    org_id: org_id.clone(),
                    endpoint_id: e.id.clone(),
                    event_type: event.to_string(),
                    object_id: object_id.clone(),
                    occurred_at: *at,
                    state: "pending".into(),
                    attempts: 0,
                    next_attempt_at: now,
                    created_at: now,
                };
                repo::insert_message(&mut tx, &tenant, &m).await?;
            }
        }
        repo::set_cursor(&mut tx, &tenant, last).await?;
        tx.commit().await?;
    }
    Ok(())
}

type HttpClient = hyper_util::client::legacy::Client<
    hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector<outbound::Resolver>>,
    Full<Bytes>,
>;

fn http_client(allow_private: bool) -> AppResult<HttpClient> {
    let mut http =
        hyper_util::client::legacy::connect::HttpConnector::new_with_resolver(outbound::Resolver { allow_private });
    http.enforce_http(false);
    http.set_connect_timeout(Some(TIMEOUT));
    let tls = hyper_rustls::HttpsConnectorBuilder::new()
        .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
        .map_err(AppError::internal)?
        .https_or_http()
        .enable_http1()
        .wrap_connector(http);
    Ok(hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new()).build(tls))
}

/// The payload of a message as its endpoint's maker may see it now; `None`: not theirs to see.
async fn payload(state: &AppState, scope: &OrgScope, m: &repo::MessageRow) -> AppResult<Option<Value>> {
    let data = match m.event_type.split('.').next() {
        Some("booking") => match bookings::service::get(state, scope, &m.object_id).await {
            Ok(row) => {
                let client_id = row.client_id.clone();
                let mut v = serde_json::to_value(bookings::api::present(state, scope, row).await?)
                    .map_err(AppError::internal)?;
                // A client's contact goes out only to whoever holds the client list there.
                let listed = match &client_id {
                    Some(c) => {
                        clients::service::get(state, scope, c, crate::access::policy::Action::ViewClient).await.is_ok()
                    }
                    None => false,
                };
                if !listed && let Some(c) = v.get_mut("client").and_then(Value::as_object_mut) {
                    c.remove("email");
                    c.remove("phone");
                }
                v
            }
            Err(AppError::NotFound) => return Ok(None),
            Err(e) => return Err(e),
        },
        Some("client") => {
            match clients::service::get(state, scope, &m.object_id, crate::access::policy::Action::ViewClient).await {
                Ok(c) => {
                    json!({"id": c.id, "first_name": c.first_name, "last_name": c.last_name, "email": c.email, "phone": c.phone})
                }
                Err(AppError::NotFound | AppError::Forbidden { .. }) => return Ok(None),
                Err(e) => return Err(e),
            }
        }
        Some("member") => match members::service::get(state, scope, &m.object_id).await {
            Ok(x) => json!({"id": x.id, "first_name": x.first_name, "last_name": x.last_name, "email": x.email,
                "role": x.role, "status": x.status}),
            Err(AppError::NotFound | AppError::Forbidden { .. }) => return Ok(None),
            Err(e) => return Err(e),
        },
        _ => json!({"endpoint_id": m.endpoint_id}),
    };
    Ok(Some(json!({"type": m.event_type, "timestamp": crate::http::ts(m.occurred_at), "data": data})))
}

async fn deliver(state: &AppState, client: &HttpClient, m: &repo::MessageRow) -> AppResult<()> {
    let tenant = Tenant::for_background(&m.org_id);
    let Some(e) = repo::endpoint(state.db.pool(), &tenant, &m.endpoint_id).await? else { return Ok(()) };
    let now = to_ms(state.now());
    let finish = |state_: &'static str, attempts: i64, next: i64| {
        let tenant = tenant.clone();
        async move {
            let mut tx = state.db.begin().await?;
            repo::set_state(&mut tx, &tenant, &m.id, state_, attempts, next).await?;
            tx.commit().await?;
            Ok::<(), AppError>(())
        }
    };
    // Paused (or disabled after failures): kept, looked at again in an hour.
    if e.status != "active" {
        return finish("pending", m.attempts, now + 3_600_000).await;
    }
    // The maker's rights now; a maker who left or was blocked sends nothing.
    let Some(scope) = crate::access::context::member_scope(state, &m.org_id, &e.member_id).await? else {
        return finish("skipped", m.attempts, now).await;
    };
    if !scope.check(crate::access::policy::Action::ManageWebhooks, crate::access::policy::Object::Org).allowed {
        return finish("skipped", m.attempts, now).await;
    }
    let Some(body) = payload(state, &scope, m).await? else { return finish("skipped", m.attempts, now).await };
    let body = serde_json::to_vec(&body).map_err(AppError::internal)?;
    let secret = crypto::open(state.secret_key()?, &e.secret_sealed, service::secret_aad(&m.org_id, &e.id).as_bytes())
        .map_err(|err| AppError::internal(format!("webhook secret {}: {err}", e.id)))?;
    let secret = String::from_utf8_lossy(&secret).to_string();
    let timestamp = now / 1000;
    let signature =
        sign::signature(&secret, &m.id, timestamp, &body).ok_or_else(|| AppError::internal("bad webhook secret"))?;
    // The address again, now: a literal IP is never handed to the resolver, so it is checked
    // here; a name is checked by the resolver on the addresses the connection uses.
    let allowed = match outbound::parse(&e.url) {
        Ok(u) => {
            let port = u.port_or_known_default().unwrap_or(443);
            outbound::resolve(u.host_str().unwrap_or_default(), port, state.config.allow_private_outbound)
                .await
                .map(|_| ())
        }
        Err(code) => Err(code),
    };
    let started = Instant::now();
    let answer = match allowed.map_err(|code| format!("refused: {code}")).and_then(|()| {
        Request::post(e.url.as_str())
            .header(CONTENT_TYPE, "application/json")
            .header("webhook-id", m.id.as_str())
            .header("webhook-timestamp", timestamp.to_string())
            .header("webhook-signature", signature)
            .header("user-agent", "Creneau-Webhooks/1")
            .body(Full::new(Bytes::from(body)))
            .map_err(|err| format!("the request could not be built: {err}"))
    }) {
        Err(why) => Err(why),
        Ok(req) => {
            let exchange = async {
                let res = client.request(req).await.map_err(|err| format!("unreachable: {}", error_chain(&err)))?;
                let status = res.status().as_u16();
                let bytes =
                    Limited::new(res.into_body(), 64 * 1024).collect().await.map(|b| b.to_bytes()).unwrap_or_default();
                Ok::<_, String>((status, bytes))
            };
            match tokio::time::timeout(TIMEOUT, exchange).await {
                Err(_) => Err(format!("no answer within {} s", TIMEOUT.as_secs())),
                Ok(r) => r,
            }
        }
    };
    let latency_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    let (status, excerpt) = match &answer {
        Ok((s, b)) => (Some(i64::from(*s)), String::from_utf8_lossy(&b[..b.len().min(EXCERPT)]).to_string()),
        Err(why) => (None, why.chars().take(EXCERPT).collect()),
    };
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    let attempts = m.attempts + 1;
    let retry_in = BACKOFF_SECS.get(usize::try_from(m.attempts).unwrap_or(usize::MAX)).copied();
    let (next_state, next_at) = match (ok, retry_in) {
        (true, _) => ("delivered", now),
        (false, Some(secs)) => ("pending", now + secs * 1000),
        (false, None) => ("failed", now),
    };
    let mut tx = state.db.begin().await?;
    let attempt = repo::AttemptRow { message_id: m.id.clone(), at: now, status, latency_ms, excerpt };
    repo::insert_attempt(&mut tx, &tenant, &attempt).await?;
    repo::set_state(&mut tx, &tenant, &m.id, next_state, attempts, next_at).await?;
    let disabled = repo::count_attempt(&mut tx, &tenant, &e.id, ok, DISABLE_AFTER, now).await?;
    if disabled {
        tell_maker(state, &mut tx, &scope, &e).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The mail to the maker of an endpoint that was just disabled.
async fn tell_maker(
    state: &AppState,
    tx: &mut crate::db::Tx,
    scope: &OrgScope,
    e: &repo::EndpointRow,
) -> AppResult<()> {
    // In the maker's own language when their profile says one.
    let account = crate::features::accounts::repo::account_by_id(state.db.pool(), scope.account_id()).await?;
    let lang = account.and_then(|a| a.language).as_deref().and_then(crate::types::Lang::from_code).unwrap_or_default();
    let t = crate::i18n::Tr(lang);
    let mail = crate::jobs::mail::compose(
        &e.creator_email,
        &t.fmt("mail.webhook_disabled.subject", &[("org", scope.org_name())]),
        &[t.fmt("mail.webhook_disabled.body", &[("url", &e.url), ("failures", &DISABLE_AFTER.to_string())])],
        Some((
            t.get("mail.webhook_disabled.action"),
            &format!("{}/integrations/webhooks/{}", state.config.base_url, e.id),
        )),
        t.get("mail.footer"),
    );
    crate::jobs::outbox::enqueue_email(tx, to_ms(state.now()), Some(scope.org_id()), &mail).await?;
    Ok(())
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

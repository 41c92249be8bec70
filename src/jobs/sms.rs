//! Text messages: Twilio's Messages API, a log file when no provider is configured (so a
//! first run shows what would be sent), or nothing at all.
//!
//! Twilio's Messages API has no idempotency key, so a crash between Twilio's answer and the
//! outbox row being marked sent can send one message twice; the lease keeps two workers from
//! sending it at once.

use super::DeliveryError;
use crate::{
    config::{Config, SmsProvider},
    types::Phone,
};
use http_body_util::{BodyExt, Full, Limited};
use hyper::{
    Request, StatusCode, Uri,
    body::Bytes,
    header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderValue},
};
use hyper_rustls::HttpsConnector;
use hyper_util::{
    client::legacy::{Client, connect::HttpConnector},
    rt::TokioExecutor,
};
use serde::{Deserialize, Serialize};
use std::{path::PathBuf, sync::Arc, time::Duration};

const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(30);
/// Twilio refuses longer bodies (error 21617).
const MAX_BODY_CHARS: usize = 1600;
const MAX_RESPONSE_BYTES: usize = 64 * 1024;

/// One message, as queued in the outbox.
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutgoingSms {
    /// E.164 (`+33612345678`).
    pub to: String,
    pub body: String,
}

impl OutgoingSms {
    /// A message to `to` when it is (or normalises to) an E.164 number (`types::Phone`);
    /// `None` otherwise.
    pub fn new(to: &str, body: impl Into<String>) -> Option<OutgoingSms> {
        let body: String = body.into();
        Some(OutgoingSms { to: Phone::parse(to)?.into(), body: body.chars().take(MAX_BODY_CHARS).collect() })
    }
}

/// Whether an organisation's messages go out by SMS: the server has a provider and the
/// organisation turned them on.
pub fn sms_on(cfg: &Config, org_sms_enabled: i64) -> bool {
    cfg.sms_provider != SmsProvider::Off && org_sms_enabled != 0
}

#[derive(Clone)]
pub enum SmsSender {
    Off,
    Log { path: PathBuf },
    Twilio(Arc<Twilio>),
}

impl SmsSender {
    pub fn from_config(cfg: &Config) -> Result<SmsSender, String> {
        Ok(match (cfg.sms_provider, &cfg.twilio) {
            (SmsProvider::Off, _) => SmsSender::Off,
            (SmsProvider::Log, _) => SmsSender::Log { path: cfg.data_dir.join("sms.log") },
            (SmsProvider::Twilio, Some(t)) => {
                SmsSender::Twilio(Arc::new(Twilio::new(&t.base_url, &t.account_sid, t.auth_token.expose(), &t.from)?))
            }
            (SmsProvider::Twilio, None) => return Err("Twilio is not configured".into()),
        })
    }

    /// Send one message; `Ok` carries the provider's id of the message when it has one.
    pub async fn send(
        &self,
        outbox_id: &str,
        now: jiff::Timestamp,
        sms: &OutgoingSms,
    ) -> Result<Option<String>, DeliveryError> {
        match self {
            SmsSender::Off => Err(DeliveryError::Permanent("SMS provider is off".into())),
            SmsSender::Log { path } => {
                use tokio::io::AsyncWriteExt;
                let line =
                    serde_json::json!({"to": sms.to, "body": sms.body, "id": outbox_id, "time": now.to_string()});
                let retry = |e: std::io::Error| DeliveryError::Retry(format!("writing {}: {e}", path.display()));
                if let Some(dir) = path.parent() {
                    tokio::fs::create_dir_all(dir).await.map_err(retry)?;
                }
                let mut file =
                    tokio::fs::OpenOptions::new().create(true).append(true).open(path).await.map_err(retry)?;
                // One write per line: appends from several workers do not interleave.
                file.write_all(format!("{line}\n").as_bytes()).await.map_err(retry)?;
                // tokio writes in the background: without this the line may land after we
                // report it written (or, at shutdown, not at all).
                file.flush().await.map_err(retry)?;
                tracing::info!(outbox_id, to = %sms.to, body = %sms.body, "SMS written to sms.log (no provider configured)");
                Ok(None)
            }
            SmsSender::Twilio(t) => t.send(sms).await.map(Some),
        }
    }
}

/// The client of `POST {base}/2010-04-01/Accounts/{AccountSid}/Messages.json`.
pub struct Twilio {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    endpoint: Uri,
    authorization: HeaderValue,
    /// `From` (a number) or `MessagingServiceSid` (`MG…`).
    from: (&'static str, String),
}

#[derive(Deserialize)]
struct Created {
    sid: String,
    status: Option<String>,
}

/// Twilio's error document.
#[derive(Deserialize)]
struct TwilioProblem {
    code: Option<i64>,
    message: Option<String>,
    more_info: Option<String>,
}

impl Twilio {
    pub fn new(base_url: &str, account_sid: &str, auth_token: &str, from: &str) -> Result<Twilio, String> {
        use base64::Engine;
        let endpoint: Uri =
            format!("{}/2010-04-01/Accounts/{account_sid}/Messages.json", base_url.trim_end_matches('/'))
                .parse()
                .map_err(|e| format!("Twilio base URL: {e}"))?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_connect_timeout(Some(CONNECT_TIMEOUT));
        let tls = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| format!("TLS set-up: {e}"))?
            .https_or_http()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new()).pool_idle_timeout(Duration::from_secs(60)).build(tls);
        let credentials = base64::engine::general_purpose::STANDARD.encode(format!("{account_sid}:{auth_token}"));
        let mut authorization = HeaderValue::try_from(format!("Basic {credentials}"))
            .map_err(|_| "Twilio credentials: invalid characters")?;
        authorization.set_sensitive(true);
        let from =
            if from.starts_with("MG") { ("MessagingServiceSid", from.to_string()) } else { ("From", from.to_string()) };
        Ok(Twilio { client, endpoint, authorization, from })
    }

    async fn send(&self, sms: &OutgoingSms) -> Result<String, DeliveryError> {
        let form =
            serde_urlencoded::to_string([("To", sms.to.as_str()), (self.from.0, &self.from.1), ("Body", &sms.body)])
                .map_err(|e| DeliveryError::Permanent(format!("encoding the message: {e}")))?;
        let request = Request::post(self.endpoint.clone())
            .header(AUTHORIZATION, self.authorization.clone())
            .header(CONTENT_TYPE, "application/x-www-form-urlencoded")
            .header(ACCEPT, "application/json")
            .body(Full::new(Bytes::from(form)))
            .map_err(|e| DeliveryError::Permanent(format!("building the request: {e}")))?;
        let exchange = async {
            let response =
                self.client.request(request).await.map_err(|e| format!("Twilio unreachable: {}", chain(&e)))?;
            let status = response.status();
            let body = Limited::new(response.into_body(), MAX_RESPONSE_BYTES)
                .collect()
                .await
                .map_err(|e| format!("reading Twilio's answer: {e}"))?
                .to_bytes();
            Ok::<_, String>((status, body))
        };
        let (status, body) = match tokio::time::timeout(TOTAL_TIMEOUT, exchange).await {
            Err(_) => {
                return Err(DeliveryError::Retry(format!("Twilio did not answer within {}s", TOTAL_TIMEOUT.as_secs())));
            }
            Ok(Err(e)) => return Err(DeliveryError::Retry(e)),
            Ok(Ok(answer)) => answer,
        };
        if status.is_success() {
            return match serde_json::from_slice::<Created>(&body) {
                Ok(c) => {
                    tracing::info!(sid = %c.sid, status = c.status.as_deref().unwrap_or("?"), "SMS accepted by Twilio");
                    Ok(c.sid)
                }
                // Accepted all the same: sending again would send twice.
                Err(_) => Ok(String::from("(no sid in Twilio's answer)")),
            };
        }
        let problem = serde_json::from_slice::<TwilioProblem>(&body).ok();
        let detail = match &problem {
            Some(p) => format!(
                "Twilio {} {}: {}{}",
                status.as_u16(),
                p.code.map(|c| c.to_string()).unwrap_or_default(),
                p.message.as_deref().unwrap_or(""),
                p.more_info.as_deref().map(|m| format!(" ({m})")).unwrap_or_default()
            ),
            None => format!("Twilio {}", status.as_u16()),
        };
        // 401: the operator's credentials are wrong, not the message; it goes once they are
        // fixed (or ends dead after the last attempt).
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() || status == StatusCode::UNAUTHORIZED {
            Err(DeliveryError::Retry(detail))
        } else {
            Err(DeliveryError::Permanent(detail))
        }
    }
}

/// An error with its causes, for the outbox's last_error.
fn chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_normalise_to_e164() {
        // The rule itself is `types::Phone`'s, tested there.
        assert_eq!(OutgoingSms::new("0033 (6) 12.34.56.78", "x").unwrap().to, "+33612345678");
        assert!(OutgoingSms::new("06 12 34 56 78", "x").is_none());
        assert!(OutgoingSms::new("nope", "x").is_none());
        assert_eq!(OutgoingSms::new("+33612345678", "é".repeat(2000)).unwrap().body.chars().count(), 1600);
    }
}

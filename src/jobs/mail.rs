//! Mail delivery: SMTP through lettre, or `.eml` files in the data folder when no SMTP
//! server is configured (so a first run works and its links can be clicked).

use lettre::{
    AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, MultiPart, header::ContentType},
};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutgoingMail {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
    /// The sender's display name (the organisation's, for its clients); the address stays
    /// the configured `mail_from`'s.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from_name: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Attachment>,
}

/// A file sent with a mail (the booking's `.ics`).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
pub struct Attachment {
    pub filename: String,
    pub content_type: String,
    pub body: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp { transport: AsyncSmtpTransport<Tokio1Executor>, from: Mailbox, domain: String },
    Files { dir: PathBuf, from: Mailbox, domain: String },
}

impl Mailer {
    pub fn from_config(cfg: &crate::config::Config) -> Result<Mailer, String> {
        let from: Mailbox = cfg.mail_from.parse().map_err(|e| format!("mail_from {:?}: {e}", cfg.mail_from))?;
        let domain = from.email.domain().to_string();
        match &cfg.smtp_url {
            Some(url) => {
                let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.expose())
                    .map_err(|e| format!("SMTP URL: {e}"))?
                    .timeout(Some(std::time::Duration::from_secs(20)))
                    .build();
                Ok(Mailer::Smtp { transport, from, domain })
            }
            None => Ok(Mailer::Files { dir: cfg.data_dir.join("mail"), from, domain }),
        }
    }

    fn build(&self, outbox_id: &str, mail: &OutgoingMail) -> Result<Message, String> {
        let (from, domain) = match self {
            Mailer::Smtp { from, domain, .. } | Mailer::Files { from, domain, .. } => (from, domain),
        };
        let to: Mailbox = mail.to.parse().map_err(|e| format!("recipient: {e}"))?;
        // The organisation's name before the platform's address; a name that cannot be a
        // display name (control characters) leaves the configured one.
        let from = match mail
            .from_name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty() && !n.chars().any(char::is_control))
        {
            Some(name) => Mailbox::new(Some(name.to_string()), from.email.clone()),
            None => from.clone(),
        };
        let body = MultiPart::alternative_plain_html(mail.text.clone(), mail.html.clone());
        let body = if mail.attachments.is_empty() {
            body
        } else {
            mail.attachments.iter().try_fold(MultiPart::mixed().multipart(body), |m, a| {
                let kind = ContentType::parse(&a.content_type).map_err(|e| format!("attachment type: {e}"))?;
                Ok::<_, String>(
                    m.singlepart(lettre::message::Attachment::new(a.filename.clone()).body(a.body.clone(), kind)),
                )
            })?
        };
        Message::builder()
            .from(from)
            .to(to)
            .subject(&mail.subject)
            // Stable per outbox row: a retried message is the same message.
            .message_id(Some(format!("<{outbox_id}@{domain}>")))
            .multipart(body)
            .map_err(|e| format!("building message: {e}"))
    }

    pub async fn send(&self, outbox_id: &str, mail: &OutgoingMail) -> Result<(), String> {
        let message = self.build(outbox_id, mail)?;
        match self {
            Mailer::Smtp { transport, .. } => {
                transport.send(message).await.map(|_| ()).map_err(|e| format!("SMTP: {e}"))
            }
            Mailer::Files { dir, .. } => {
                tokio::fs::create_dir_all(dir).await.map_err(|e| format!("mail folder: {e}"))?;
                let path = dir.join(format!("{outbox_id}.eml"));
                tokio::fs::write(&path, message.formatted()).await.map_err(|e| format!("writing mail: {e}"))?;
                tracing::info!(path = %path.display(), to = %mail.to, subject = %mail.subject, "mail written to file (no SMTP configured)");
                Ok(())
            }
        }
    }
}

/// Escape text for the HTML part.
pub fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// A plain message with paragraphs and an optional call-to-action link, in text and HTML.
pub fn compose(
    to: &str,
    subject: &str,
    paragraphs: &[String],
    action: Option<(&str, &str)>,
    footer: &str,
) -> OutgoingMail {
    let mut text = String::new();
    let mut html = String::from(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;line-height:1.5;color:#1f2933\">",
    );
    for p in paragraphs {
        text.push_str(p);
        text.push_str("\n\n");
        html.push_str(&format!("<p>{}</p>", html_escape(p)));
    }
    if let Some((label, url)) = action {
        text.push_str(&format!("{label}:\n{url}\n\n"));
        html.push_str(&format!(
            "<p><a href=\"{u}\" style=\"display:inline-block;padding:10px 18px;background:#1d4ed8;color:#fff;border-radius:6px;text-decoration:none\">{l}</a></p><p style=\"font-size:13px;color:#52606d\">{u}</p>",
            u = html_escape(url),
            l = html_escape(label)
        ));
    }
    text.push_str(footer);
    html.push_str(&format!("<p style=\"font-size:13px;color:#52606d\">{}</p></body></html>", html_escape(footer)));
    OutgoingMail {
        to: to.to_string(),
        subject: subject.to_string(),
        text,
        html,
        from_name: None,
        attachments: Vec::new(),
    }
}

//! One typed configuration, layered: defaults < TOML file < `CRENEAU_*` environment < flags.

use serde::Deserialize;
use std::{fmt, net::SocketAddr, path::PathBuf};

/// A secret that never shows up in logs or `Debug` output.
#[derive(Clone, Default, Deserialize)]
#[serde(transparent)]
pub struct SecretString(String);

impl SecretString {
    pub fn new(s: impl Into<String>) -> Self {
        Self(s.into())
    }
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretString {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("[redacted]")
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    Text,
    Json,
}

impl std::str::FromStr for LogFormat {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Self::Text),
            "json" => Ok(Self::Json),
            other => Err(format!("unknown log format {other:?} (text or json)")),
        }
    }
}

/// Where text messages go.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsProvider {
    /// None are queued or sent.
    Off,
    /// A JSON line per message in `<data_dir>/sms.log` and in the log (development).
    Log,
    /// Twilio's Messages API.
    Twilio,
}

impl std::str::FromStr for SmsProvider {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().as_str() {
            "off" => Ok(Self::Off),
            "log" => Ok(Self::Log),
            "twilio" => Ok(Self::Twilio),
            other => Err(format!("unknown SMS provider {other:?} (log, twilio or off)")),
        }
    }
}

/// Twilio credentials and sender, checked at start-up.
#[derive(Clone, Debug)]
pub struct TwilioConfig {
    pub account_sid: String,
    pub auth_token: SecretString,
    /// An E.164 number or a Messaging Service SID (`MG…`).
    pub from: String,
    /// `https://api.twilio.com` unless pointed elsewhere (plain HTTP only on loopback).
    pub base_url: String,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub listen: SocketAddr,
    /// `sqlite://…` or `postgres://…`; credentials may sit inside, hence secret.
    pub database_url: SecretString,
    /// Public origin used in every emailed link (never the request's Host header).
    pub base_url: String,
    pub data_dir: PathBuf,
    /// `smtp://host:port`, `smtps://…` or `smtp://…?tls=required`; none writes `.eml` files.
    pub smtp_url: Option<SecretString>,
    pub mail_from: String,
    pub log_format: LogFormat,
    /// Honour `X-Forwarded-For` for the client address (only behind a trusted proxy).
    pub trust_proxy: bool,
    /// Default zone for new accounts and organisations.
    pub default_time_zone: String,
    /// Run the background worker (outbox) in this process.
    pub run_worker: bool,
    pub sms_provider: SmsProvider,
    /// Set exactly when `sms_provider` is `Twilio`.
    pub twilio: Option<TwilioConfig>,
    /// Seals secrets at rest (TOTP seeds, per-client keys). From `secret_key` when set;
    /// otherwise `load_secret_key` reads or creates `<data_dir>/secret.key`.
    pub secret_key: Option<crate::crypto::SecretKey>,
    /// Requests one API key may make in a minute (R32), counted across every instance.
    pub api_key_requests_per_minute: i64,
    /// Webhooks (and later calendar feeds) may reach loopback and private addresses: for a
    /// server whose integrations run on the same network, and for tests. Off by default.
    pub allow_private_outbound: bool,
}

/// Every field optional: one layer of configuration.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Layer {
    pub listen: Option<String>,
    pub database_url: Option<SecretString>,
    pub base_url: Option<String>,
    pub data_dir: Option<PathBuf>,
    pub smtp_url: Option<SecretString>,
    pub mail_from: Option<String>,
    pub log_format: Option<String>,
    pub trust_proxy: Option<bool>,
    pub default_time_zone: Option<String>,
    pub run_worker: Option<bool>,
    pub api_key_requests_per_minute: Option<i64>,
    pub allow_private_outbound: Option<bool>,
    pub sms_provider: Option<String>,
    pub twilio_account_sid: Option<String>,
    pub twilio_auth_token: Option<SecretString>,
    pub twilio_from: Option<String>,
    pub twilio_base_url: Option<String>,
    pub secret_key: Option<SecretString>,
}

impl Layer {
    /// Values set in `other` win.
    fn overlay(self, other: Layer) -> Layer {
        Layer {
            listen: other.listen.or(self.listen),
            database_url: other.database_url.or(self.database_url),
            base_url: other.base_url.or(self.base_url),
            data_dir: other.data_dir.or(self.data_dir),
            smtp_url: other.smtp_url.or(self.smtp_url),
            mail_from: other.mail_from.or(self.mail_from),
            log_format: other.log_format.or(self.log_format),
            trust_proxy: other.trust_proxy.or(self.trust_proxy),
            api_key_requests_per_minute: other.api_key_requests_per_minute.or(self.api_key_requests_per_minute),
            allow_private_outbound: other.allow_private_outbound.or(self.allow_private_outbound),
            default_time_zone: other.default_time_zone.or(self.default_time_zone),
            run_worker: other.run_worker.or(self.run_worker),
            sms_provider: other.sms_provider.or(self.sms_provider),
            twilio_account_sid: other.twilio_account_sid.or(self.twilio_account_sid),
            twilio_auth_token: other.twilio_auth_token.or(self.twilio_auth_token),
            twilio_from: other.twilio_from.or(self.twilio_from),
            twilio_base_url: other.twilio_base_url.or(self.twilio_base_url),
            secret_key: other.secret_key.or(self.secret_key),
        }
    }

    /// The `CRENEAU_*` variables, read through `get` so tests need not touch the process env.
    pub fn from_env(get: impl Fn(&str) -> Option<String>) -> Result<Layer, String> {
        let non_empty = |k: &str| get(k).filter(|v| !v.trim().is_empty());
        let trust_proxy = match non_empty("CRENEAU_TRUST_PROXY") {
            Some(v) => Some(parse_bool(&v).ok_or("CRENEAU_TRUST_PROXY must be true or false")?),
            None => None,
        };
        let run_worker = match non_empty("CRENEAU_RUN_WORKER") {
            Some(v) => Some(parse_bool(&v).ok_or("CRENEAU_RUN_WORKER must be true or false")?),
            None => None,
        };
        let api_key_requests_per_minute = match non_empty("CRENEAU_API_KEY_REQUESTS_PER_MINUTE") {
            Some(v) => Some(
                v.trim()
                    .parse::<i64>()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or("CRENEAU_API_KEY_REQUESTS_PER_MINUTE must be a positive whole number")?,
            ),
            None => None,
        };
        let allow_private_outbound = match non_empty("CRENEAU_ALLOW_PRIVATE_OUTBOUND") {
            Some(v) => Some(parse_bool(&v).ok_or("CRENEAU_ALLOW_PRIVATE_OUTBOUND must be true or false")?),
            None => None,
        };
        Ok(Layer {
            api_key_requests_per_minute,
            allow_private_outbound,
            listen: non_empty("CRENEAU_LISTEN"),
            database_url: non_empty("CRENEAU_DATABASE_URL").map(SecretString),
            base_url: non_empty("CRENEAU_BASE_URL"),
            data_dir: non_empty("CRENEAU_DATA_DIR").map(PathBuf::from),
            smtp_url: non_empty("CRENEAU_SMTP_URL").map(SecretString),
            mail_from: non_empty("CRENEAU_MAIL_FROM"),
            log_format: non_empty("CRENEAU_LOG_FORMAT"),
            trust_proxy,
            default_time_zone: non_empty("CRENEAU_DEFAULT_TIME_ZONE"),
            run_worker,
            sms_provider: non_empty("CRENEAU_SMS_PROVIDER"),
            twilio_account_sid: non_empty("CRENEAU_TWILIO_ACCOUNT_SID"),
            twilio_auth_token: non_empty("CRENEAU_TWILIO_AUTH_TOKEN").map(SecretString),
            twilio_from: non_empty("CRENEAU_TWILIO_FROM"),
            twilio_base_url: non_empty("CRENEAU_TWILIO_BASE_URL"),
            secret_key: non_empty("CRENEAU_SECRET_KEY").map(SecretString),
        })
    }

    pub fn from_toml(text: &str) -> Result<Layer, String> {
        toml::from_str(text).map_err(|e| format!("configuration file: {e}"))
    }
}

fn parse_bool(v: &str) -> Option<bool> {
    match v.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

impl Config {
    /// Merge the layers (lowest first) over the defaults and check the result.
    pub fn resolve(file: Layer, env: Layer, flags: Layer) -> Result<Config, String> {
        let l = file.overlay(env).overlay(flags);
        // Twilio when its account is configured, the log file otherwise; "off" must be said.
        let sms_provider = match &l.sms_provider {
            Some(p) => p.parse()?,
            None if l.twilio_account_sid.is_some() => SmsProvider::Twilio,
            None => SmsProvider::Log,
        };
        let twilio = match sms_provider {
            SmsProvider::Twilio => Some(twilio_config(&l)?),
            _ => None,
        };
        let listen_text = l.listen.unwrap_or_else(|| "127.0.0.1:8080".into());
        let listen: SocketAddr =
            listen_text.parse().map_err(|_| format!("listen address {listen_text:?} is not address:port"))?;
        let data_dir = l.data_dir.unwrap_or_else(|| PathBuf::from("./creneau-data"));
        let database_url = match l.database_url {
            Some(u) => u,
            None => SecretString(format!("sqlite://{}", data_dir.join("creneau.db").to_string_lossy())),
        };
        let url = database_url.expose();
        if !(url.starts_with("sqlite:") || url.starts_with("postgres:") || url.starts_with("postgresql:")) {
            return Err("database URL must start with sqlite:// or postgres://".into());
        }
        let base_url = l.base_url.unwrap_or_else(|| format!("http://{listen}")).trim_end_matches('/').to_string();
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err("base URL must start with http:// or https://".into());
        }
        let log_format = match l.log_format {
            Some(v) => v.parse()?,
            None => LogFormat::Text,
        };
        let secret_key = match &l.secret_key {
            Some(k) => Some(crate::crypto::SecretKey::from_text(k.expose()).map_err(|e| format!("secret_key: {e}"))?),
            None => None,
        };
        let default_time_zone = l.default_time_zone.unwrap_or_else(|| "Europe/Paris".into());
        jiff::tz::TimeZone::get(&default_time_zone).map_err(|_| format!("unknown time zone {default_time_zone:?}"))?;
        Ok(Config {
            listen,
            database_url,
            base_url,
            data_dir,
            smtp_url: l.smtp_url,
            mail_from: l.mail_from.unwrap_or_else(|| "Creneau <no-reply@localhost>".into()),
            log_format,
            trust_proxy: l.trust_proxy.unwrap_or(false),
            default_time_zone,
            run_worker: l.run_worker.unwrap_or(true),
            sms_provider,
            twilio,
            secret_key,
            api_key_requests_per_minute: l.api_key_requests_per_minute.filter(|n| *n > 0).unwrap_or(600),
            allow_private_outbound: l.allow_private_outbound.unwrap_or(false),
        })
    }

    /// Make sure a server key is set: the configured one, else `<data_dir>/secret.key`,
    /// created on first start (owner-only permissions) and read back on every later one.
    /// Several instances sharing one database need the same key: configure it, or share the
    /// data directory.
    pub fn load_secret_key(&mut self) -> Result<(), String> {
        if self.secret_key.is_some() {
            return Ok(());
        }
        let path = self.data_dir.join("secret.key");
        let key = match std::fs::read_to_string(&path) {
            Ok(text) => crate::crypto::SecretKey::from_text(&text).map_err(|e| format!("{}: {e}", path.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => create_key_file(&path)?,
            Err(e) => return Err(format!("reading {}: {e}", path.display())),
        };
        self.secret_key = Some(key);
        Ok(())
    }

    /// Cookies carry `Secure` and the `__Host-` prefix whenever the public origin is HTTPS.
    pub fn secure_cookies(&self) -> bool {
        self.base_url.starts_with("https://")
    }

    /// Defaults only; for tests and tools.
    pub fn for_tests(database_url: &str, data_dir: PathBuf) -> Config {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            database_url: SecretString(database_url.into()),
            base_url: "http://creneau.test".into(),
            data_dir,
            smtp_url: None,
            mail_from: "Creneau <no-reply@creneau.test>".into(),
            log_format: LogFormat::Text,
            trust_proxy: false,
            default_time_zone: "Europe/Paris".into(),
            run_worker: false,
            sms_provider: SmsProvider::Log,
            twilio: None,
            secret_key: Some(crate::crypto::SecretKey::generate()),
            api_key_requests_per_minute: 600,
            allow_private_outbound: false,
        }
    }
}

/// Write a fresh key to `path` without ever exposing a partial file: written beside it
/// first, then linked into place, which fails if another process got there first (its
/// key is then the one read back).
fn create_key_file(path: &std::path::Path) -> Result<crate::crypto::SecretKey, String> {
    use std::io::Write;
    let dir = path.parent().unwrap_or(std::path::Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("creating {}: {e}", dir.display()))?;
    let key = crate::crypto::SecretKey::generate();
    let temp = dir.join(format!(".secret.key.{}", uuid::Uuid::new_v4().simple()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options
        .open(&temp)
        .and_then(|mut f| f.write_all(format!("{}\n", key.to_text()).as_bytes()).and_then(|()| f.sync_all()));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&temp);
        return Err(format!("writing {}: {e}", temp.display()));
    }
    let linked = std::fs::hard_link(&temp, path);
    let _ = std::fs::remove_file(&temp);
    match linked {
        Ok(()) => {
            tracing::info!(path = %path.display(), "generated the server's secret key");
            Ok(key)
        }
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            crate::crypto::SecretKey::from_text(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        Err(e) => Err(format!("writing {}: {e}", path.display())),
    }
}

fn twilio_config(l: &Layer) -> Result<TwilioConfig, String> {
    let missing = |k: &str| format!("sms_provider = \"twilio\" needs {k}");
    let account_sid = l.twilio_account_sid.clone().ok_or_else(|| missing("twilio_account_sid"))?;
    if !(account_sid.starts_with("AC")
        && account_sid.len() == 34
        && account_sid[2..].bytes().all(|b| b.is_ascii_hexdigit()))
    {
        return Err("twilio_account_sid must look like AC followed by 32 hexadecimal digits".into());
    }
    let auth_token =
        l.twilio_auth_token.clone().filter(|t| !t.expose().is_empty()).ok_or_else(|| missing("twilio_auth_token"))?;
    let from_raw = l.twilio_from.clone().ok_or_else(|| missing("twilio_from"))?;
    let from = if from_raw.starts_with("MG") {
        from_raw
    } else {
        crate::types::Phone::parse(&from_raw)
            .map(String::from)
            .ok_or("twilio_from must be an E.164 number (+33…) or a Messaging Service SID (MG…)")?
    };
    let base_url =
        l.twilio_base_url.clone().unwrap_or_else(|| "https://api.twilio.com".into()).trim_end_matches('/').to_string();
    // The auth token travels in every request: plain HTTP only to this machine (test doubles).
    let loopback = ["http://127.0.0.1", "http://localhost", "http://[::1]"]
        .iter()
        .any(|p| base_url.strip_prefix(p).is_some_and(|rest| rest.is_empty() || rest.starts_with([':', '/'])));
    if !(base_url.starts_with("https://") || loopback) {
        return Err("twilio_base_url must be https:// (or http:// on loopback)".into());
    }
    Ok(TwilioConfig { account_sid, auth_token, from, base_url })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_override_in_order() {
        let file = Layer::from_toml("listen = \"127.0.0.1:9000\"\nmail_from = \"a@x\"").unwrap();
        let env = Layer::from_env(|k| (k == "CRENEAU_LISTEN").then(|| "127.0.0.1:9001".into())).unwrap();
        let flags = Layer::default();
        let c = Config::resolve(file, env, flags).unwrap();
        assert_eq!(c.listen.port(), 9001);
        assert_eq!(c.mail_from, "a@x");
        assert!(c.database_url.expose().ends_with("creneau-data/creneau.db"));
        assert_eq!(c.base_url, "http://127.0.0.1:9001");
    }

    #[test]
    fn bad_values_are_refused() {
        let bad = Layer { listen: Some("nope".into()), ..Layer::default() };
        assert!(Config::resolve(Layer::default(), bad, Layer::default()).is_err());
        assert!(Layer::from_toml("unknown_key = 1").is_err());
        let tz = Layer { default_time_zone: Some("Mars/Olympus".into()), ..Layer::default() };
        assert!(Config::resolve(tz, Layer::default(), Layer::default()).is_err());
    }

    #[test]
    fn sms_provider_follows_the_twilio_settings() {
        let none = Config::resolve(Layer::default(), Layer::default(), Layer::default()).unwrap();
        assert_eq!(none.sms_provider, SmsProvider::Log);
        let sid = format!("AC{}", "0123456789abcdef".repeat(2));
        let env = Layer::from_env(|k| match k {
            "CRENEAU_TWILIO_ACCOUNT_SID" => Some(sid.clone()),
            "CRENEAU_TWILIO_AUTH_TOKEN" => Some("s3cret-token".into()),
            "CRENEAU_TWILIO_FROM" => Some("+33 6 00 00 00 01".into()),
            _ => None,
        })
        .unwrap();
        let c = Config::resolve(Layer::default(), env.clone(), Layer::default()).unwrap();
        assert_eq!(c.sms_provider, SmsProvider::Twilio);
        let t = c.twilio.as_ref().unwrap();
        assert_eq!((t.from.as_str(), t.base_url.as_str()), ("+33600000001", "https://api.twilio.com"));
        assert!(!format!("{c:?}").contains("s3cret-token"), "the auth token never prints");
        let off = Layer { sms_provider: Some("off".into()), ..Layer::default() };
        assert_eq!(Config::resolve(Layer::default(), env.clone(), off).unwrap().sms_provider, SmsProvider::Off);
        for bad in [
            Layer { twilio_base_url: Some("http://api.example.com".into()), ..Layer::default() },
            Layer { twilio_base_url: Some("http://localhost.evil.com".into()), ..Layer::default() },
            Layer { twilio_from: Some("0600000001".into()), ..Layer::default() },
            Layer { twilio_account_sid: Some("nope".into()), ..Layer::default() },
            Layer { sms_provider: Some("carrier-pigeon".into()), ..Layer::default() },
        ] {
            assert!(Config::resolve(Layer::default(), env.clone(), bad).is_err());
        }
        let local = Layer { twilio_base_url: Some("http://127.0.0.1:4010/".into()), ..Layer::default() };
        let c = Config::resolve(Layer::default(), env.clone(), local).unwrap();
        assert_eq!(c.twilio.unwrap().base_url, "http://127.0.0.1:4010");
        let partial = Layer { sms_provider: Some("twilio".into()), ..Layer::default() };
        assert!(Config::resolve(Layer::default(), Layer::default(), partial).is_err());
    }

    #[test]
    fn the_secret_key_is_configured_or_kept_in_the_data_dir() {
        let key = crate::crypto::SecretKey::generate();
        let env = Layer::from_env(|k| (k == "CRENEAU_SECRET_KEY").then(|| key.to_text())).unwrap();
        let c = Config::resolve(Layer::default(), env, Layer::default()).unwrap();
        assert_eq!(c.secret_key.as_ref(), Some(&key));
        assert!(!format!("{c:?}").contains(&key.to_text()), "the key never prints");
        let bad = Layer { secret_key: Some(SecretString::new("too short")), ..Layer::default() };
        assert!(Config::resolve(Layer::default(), bad, Layer::default()).is_err());

        let dir = std::env::temp_dir().join(format!("creneau-key-{}", uuid::Uuid::new_v4().simple()));
        let flags = Layer { data_dir: Some(dir.clone()), ..Layer::default() };
        let mut first = Config::resolve(Layer::default(), Layer::default(), flags.clone()).unwrap();
        assert!(first.secret_key.is_none());
        first.load_secret_key().unwrap();
        let mut second = Config::resolve(Layer::default(), Layer::default(), flags).unwrap();
        second.load_secret_key().unwrap();
        assert_eq!(first.secret_key, second.secret_key, "generated once, then reused");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(dir.join("secret.key")).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn secrets_do_not_print() {
        let s = SecretString::new("postgres://u:hunter2@h/db");
        assert_eq!(format!("{s:?}"), "[redacted]");
    }
}

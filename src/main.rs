//! The `creneau` binary: server, migrations and operator commands.

use clap::{Parser, Subcommand};
use creneau::{
    app,
    clock::SystemClock,
    config::{Config, Layer, LogFormat, SecretString},
    db::Db,
    features::accounts::service as accounts,
    jobs::{
        self,
        mail::{Mailer, compose},
    },
    state::AppState,
};
use std::{path::PathBuf, process::ExitCode, sync::Arc};

#[derive(Parser)]
#[command(name = "creneau", version, about = "Appointment scheduling for teams")]
struct Cli {
    /// TOML configuration file (also CRENEAU_CONFIG).
    #[arg(long, global = true, env = "CRENEAU_CONFIG")]
    config: Option<PathBuf>,
    /// Listen address, host:port.
    #[arg(long, global = true)]
    listen: Option<String>,
    /// sqlite://path or postgres://… URL.
    #[arg(long, global = true)]
    database_url: Option<String>,
    /// Public base URL used in emailed links.
    #[arg(long, global = true)]
    base_url: Option<String>,
    /// Folder for the SQLite database and written mail.
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// text or json.
    #[arg(long, global = true)]
    log_format: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the web server (and the background worker).
    Serve {
        /// Do not run the background worker in this process.
        #[arg(long)]
        no_worker: bool,
    },
    /// Apply database migrations and exit.
    Migrate,
    /// First-run bootstrap: an owner account and organisation; prints a set-password link.
    CreateOwner {
        #[arg(long)]
        email: String,
        #[arg(long)]
        org: String,
    },
    /// Send a test email through the configured transport.
    SendTestEmail {
        #[arg(long)]
        to: String,
    },
    /// Send a test SMS through the configured provider (number in international form).
    SendTestSms {
        #[arg(long)]
        to: String,
    },
    /// Operator actions on accounts.
    Account {
        #[command(subcommand)]
        action: AccountAction,
    },
    /// Audit-trail tools.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Subcommand)]
enum AccountAction {
    /// Block an account: it cannot log in, its sessions end, its address cannot register again.
    Block {
        #[arg(long)]
        email: String,
    },
    /// Unblock an account; everything is as it was.
    Unblock {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Check every hash chain and report the first broken link of each.
    Verify,
}

fn load_config(cli: &Cli) -> Result<Config, String> {
    let file = match &cli.config {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("reading {}: {e}", path.display()))?;
            Layer::from_toml(&text)?
        }
        None => Layer::default(),
    };
    let env = Layer::from_env(|k| std::env::var(k).ok())?;
    let flags = Layer {
        listen: cli.listen.clone(),
        database_url: cli.database_url.clone().map(SecretString::new),
        base_url: cli.base_url.clone(),
        data_dir: cli.data_dir.clone(),
        log_format: cli.log_format.clone(),
        run_worker: match cli.command {
            Command::Serve { no_worker: true } => Some(false),
            _ => None,
        },
        ..Layer::default()
    };
    Config::resolve(file, env, flags)
}

fn init_tracing(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn"));
    // Colour only on a terminal: a log written to a file or a pipe stays plain text.
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_ansi(ansi);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

async fn open_db(cfg: &Config) -> Result<Db, String> {
    let db = Db::connect(cfg.database_url.expose()).await?;
    db.migrate().await?;
    // Secrets stored in plaintext by earlier versions are sealed on first start.
    if let Some(key) = &cfg.secret_key {
        let sealed = accounts::seal_plaintext_secrets(&db, key).await.map_err(|e| describe(&e))?;
        if sealed > 0 {
            tracing::info!(sealed, "sealed TOTP secrets stored in plaintext by an earlier version");
        }
        // Said at start, not only when a login fails: the wrong key is an operator error.
        let foreign = accounts::secrets_sealed_with_another_key(&db, key).await.map_err(|e| describe(&e))?;
        if foreign > 0 {
            tracing::error!(
                foreign,
                key_id = %key.id(),
                "secrets in the database were sealed with another secret_key: this server cannot read them                  (set secret_key to the key that sealed them)"
            );
        }
    }
    Ok(db)
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    let cfg = match load_config(&cli) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("configuration error: {e}");
            return ExitCode::from(2);
        }
    };
    init_tracing(cfg.log_format);
    // Every command that reads or writes the database may meet sealed secrets.
    let mut cfg = cfg;
    if matches!(
        cli.command,
        Command::Serve { .. } | Command::Migrate | Command::CreateOwner { .. } | Command::Account { .. }
    ) && let Err(e) = cfg.load_secret_key()
    {
        eprintln!("configuration error: {e}");
        return ExitCode::from(2);
    }
    match run(cli.command, cfg).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run(command: Command, cfg: Config) -> Result<(), String> {
    match command {
        Command::Serve { .. } => serve(cfg).await,
        Command::Migrate => {
            open_db(&cfg).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::CreateOwner { email, org } => {
            let db = open_db(&cfg).await?;
            let state = AppState::new(db, Arc::new(SystemClock), cfg);
            let (org_id, link) = accounts::create_owner(&state, &email, &org).await.map_err(|e| describe(&e))?;
            println!("organisation {org_id} created; {email} is its owner");
            match link {
                Some(link) => println!("set the password (link valid 7 days, works once):\n{link}"),
                None => println!("the account already has a password; log in with it"),
            }
            Ok(())
        }
        Command::SendTestEmail { to } => {
            let mailer = Mailer::from_config(&cfg)?;
            let t = creneau::i18n::Tr(creneau::types::Lang::En);
            let mail =
                compose(&to, t.get("mail.test.subject"), &[t.get("mail.test.body").into()], None, t.get("mail.footer"));
            mailer.send(&creneau::db::new_id(), &mail).await?;
            println!("test email sent to {to}");
            Ok(())
        }
        Command::SendTestSms { to } => {
            let sender = jobs::sms::SmsSender::from_config(&cfg)?;
            let t = creneau::i18n::Tr(creneau::types::Lang::En);
            let sms = jobs::sms::OutgoingSms::new(&to, t.get("sms.test"))
                .ok_or("the number must be in international form, such as +33612345678")?;
            let now = creneau::clock::Clock::now(&SystemClock);
            match sender.send(&creneau::db::new_id(), now, &sms).await {
                Ok(id) => println!("test SMS sent to {} ({})", sms.to, id.as_deref().unwrap_or("no provider id")),
                Err(jobs::DeliveryError::Retry(e) | jobs::DeliveryError::Permanent(e)) => return Err(e),
            }
            Ok(())
        }
        Command::Account { action } => {
            let db = open_db(&cfg).await?;
            let state = AppState::new(db, Arc::new(SystemClock), cfg);
            let (email, block) = match action {
                AccountAction::Block { email } => (email, true),
                AccountAction::Unblock { email } => (email, false),
            };
            accounts::set_blocked(&state, &email, block).await.map_err(|e| describe(&e))?;
            println!("{email} {}", if block { "blocked; its sessions ended" } else { "unblocked" });
            Ok(())
        }
        Command::Audit { action: AuditAction::Verify } => {
            let db = open_db(&cfg).await?;
            let (checked, broken) = creneau::audit::verify(&db).await.map_err(|e| describe(&e))?;
            if broken.is_empty() {
                println!("audit trail intact: {checked} rows checked");
                Ok(())
            } else {
                for b in &broken {
                    println!("chain {}: broken at row {}: {}", b.chain, b.seq, b.reason);
                }
                Err(format!("{} chain(s) broken", broken.len()))
            }
        }
    }
}

fn describe(e: &creneau::error::AppError) -> String {
    match e {
        creneau::error::AppError::Validation(v) => {
            v.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; ")
        }
        creneau::error::AppError::NotFound => "no such account".into(),
        other => format!("{other}"),
    }
}

async fn serve(cfg: Config) -> Result<(), String> {
    std::fs::create_dir_all(&cfg.data_dir).map_err(|e| format!("creating {}: {e}", cfg.data_dir.display()))?;
    let db = open_db(&cfg).await?;
    let senders = jobs::outbox::Senders::from_config(&cfg)?;
    let listener =
        tokio::net::TcpListener::bind(cfg.listen).await.map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let run_worker = cfg.run_worker;
    let base = cfg.base_url.clone();
    let state = AppState::new(db.clone(), Arc::new(SystemClock), cfg);
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let worker = run_worker.then(|| tokio::spawn(jobs::run_worker(state.clone(), senders, stop_rx)));
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    println!("Creneau is listening on http://{addr} (public URL {base})");
    tracing::info!(%addr, "listening");
    app::serve(state, listener, shutdown_signal()).await.map_err(|e| e.to_string())?;
    let _ = stop_tx.send(true);
    if let Some(w) = worker {
        let _ = w.await;
    }
    db.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down");
}

//! Database access: one `Any` pool over SQLite or PostgreSQL and one SQL text for both.
//!
//! Why `Any`: the two backends share every query (`$N` placeholders work on both), so a
//! feature is written once. `Any` has no timestamp or uuid types, so instants are stored as
//! BIGINT epoch milliseconds and ids as UUID text; where the dialects differ (locking
//! clauses, transaction start) `Backend` says which text to use.

pub mod batch;
mod bind;
#[cfg(test)]
mod twins;

use crate::error::{AppError, AppResult};
use sqlx::{Any, AnyPool, any::AnyPoolOptions, migrate::Migrator};
use std::{str::FromStr, time::Duration};

pub use bind::{Arg, Value, query, query_as, query_scalar};

pub type Tx = sqlx::Transaction<'static, Any>;

/// What a statement may run on: the pool, a connection or a transaction (`&mut **tx`).
pub trait Executor<'e>: sqlx::Executor<'e, Database = Any> {}

impl<'e, E: sqlx::Executor<'e, Database = Any>> Executor<'e> for E {}

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl FromStr for Backend {
    type Err = String;
    fn from_str(url: &str) -> Result<Self, String> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Backend::Postgres)
        } else {
            Err("database URL must start with sqlite:// or postgres://".into())
        }
    }
}

#[derive(Clone, Debug)]
pub struct Db {
    pool: AnyPool,
    backend: Backend,
}

impl Db {
    /// Connect; a SQLite file (and its folder) is created when missing and put in WAL mode.
    pub async fn connect(url: &str) -> Result<Db, String> {
        sqlx::any::install_default_drivers();
        let backend: Backend = url.parse()?;
        let pool = match backend {
            Backend::Sqlite => {
                let url = sqlite_url_with_create(url)?;
                // One writer at a time is SQLite's rule; readers run beside it under WAL.
                // Each SQLite connection is a worker thread handing rows over a channel; on a
                // few cores, more of them mostly add context switches and lock contention.
                let pool = AnyPoolOptions::new()
                    .max_connections(4)
                    // A local file does not drop connections; pinging the worker thread before
                    // every query doubled the hand-offs per query.
                    .test_before_acquire(false)
                    .acquire_timeout(Duration::from_secs(30))
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            for pragma in [
                                "PRAGMA foreign_keys = ON",
                                "PRAGMA busy_timeout = 10000",
                                "PRAGMA synchronous = NORMAL",
                                // Reads are most of the load: a larger page cache per
                                // connection and memory-mapped reads save copies and syscalls.
                                "PRAGMA cache_size = -16000",
                                "PRAGMA mmap_size = 268435456",
                                "PRAGMA temp_store = MEMORY",
                            ] {
                                sqlx::query(pragma).execute(&mut *conn).await?;
                            }
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .map_err(|e| format!("cannot open SQLite database: {e}"))?;
                sqlx::raw_sql("PRAGMA journal_mode = WAL;")
                    .execute(&pool)
                    .await
                    .map_err(|e| format!("cannot enable WAL: {e}"))?;
                pool
            }
            Backend::Postgres => AnyPoolOptions::new()
                .max_connections(16)
                // No ping round trip before every query (it was half of what the server
                // asked PostgreSQL under load). A connection the server dropped fails its
                // next query once and is replaced; idle ones are recycled before the usual
                // server-side timeouts.
                .test_before_acquire(false)
                .idle_timeout(Duration::from_secs(300))
                .acquire_timeout(Duration::from_secs(30))
                .connect(url)
                .await
                .map_err(|e| format!("cannot connect to PostgreSQL: {e}"))?,
        };
        Ok(Db { pool, backend })
    }

    pub async fn migrate(&self) -> Result<(), String> {
        let migrator = match self.backend {
            Backend::Sqlite => &SQLITE_MIGRATIONS,
            Backend::Postgres => &POSTGRES_MIGRATIONS,
        };
        migrator.run(&self.pool).await.map_err(|e| format!("migration failed: {e}"))
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A write transaction. On SQLite it takes the write lock up front (`BEGIN IMMEDIATE`),
    /// so read-then-write transactions are serialised instead of failing on upgrade.
    pub async fn begin(&self) -> AppResult<Tx> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    /// `FOR UPDATE SKIP LOCKED` where the backend has row locks; SQLite serialises writers.
    pub fn skip_locked(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }

    /// `FOR UPDATE` where the backend has row locks; SQLite's `BEGIN IMMEDIATE` already
    /// serialises every writer.
    pub fn for_update(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite => "",
            Backend::Postgres => " FOR UPDATE",
        }
    }

    pub async fn ping(&self) -> AppResult<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// `sqlite://path` → make sure the folder exists and ask SQLite to create the file.
fn sqlite_url_with_create(url: &str) -> Result<String, String> {
    let rest = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")).ok_or("bad SQLite URL")?;
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (rest, None),
    };
    if path != ":memory:"
        && !path.is_empty()
        && let Some(parent) = std::path::Path::new(path).parent()
        && !parent.as_os_str().is_empty()
    {
        std::fs::create_dir_all(parent).map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    Ok(match query {
        Some(q) if q.contains("mode=") => url.to_string(),
        Some(q) => format!("sqlite://{path}?{q}&mode=rwc"),
        None => format!("sqlite://{path}?mode=rwc"),
    })
}

/// Is this error a unique-constraint violation (used to turn races into `Conflict`)?
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            matches!(db.code().as_deref(), Some("23505") | Some("2067") | Some("1555"))
                || db.message().contains("UNIQUE constraint failed")
        }
        _ => false,
    }
}

/// Map a unique violation to a domain conflict, everything else to an internal error.
pub fn unique_or(e: sqlx::Error, conflict: AppError) -> AppError {
    if is_unique_violation(&e) { conflict } else { AppError::from(e) }
}

/// Is this error a foreign-key violation (a row that others still point to)?
pub fn is_foreign_key_violation(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Database(db) => {
            // PostgreSQL's SQLSTATE; SQLite's extended code 787 (SQLITE_CONSTRAINT_FOREIGNKEY).
            matches!(db.code().as_deref(), Some("23503") | Some("787"))
                || db.message().contains("FOREIGN KEY constraint failed")
        }
        _ => false,
    }
}

/// Map a foreign-key violation to a domain conflict, everything else to an internal error.
pub fn foreign_key_or(e: sqlx::Error, conflict: AppError) -> AppError {
    if is_foreign_key_violation(&e) { conflict } else { AppError::from(e) }
}

/// The row `sql` reads with `$1` bound to the organisation and `$2` to the row's id, if
/// there is one: every repository's "this organisation's row with this id".
pub async fn fetch_by_org_id<T>(exec: impl Executor<'_>, sql: &str, org: &dyn Value, id: &str) -> AppResult<Option<T>>
where
    T: for<'r> sqlx::FromRow<'r, sqlx::any::AnyRow> + Send + Unpin,
{
    Ok(query_as(sql, &[org, &id]).fetch_optional(exec).await?)
}

/// Run `sql` with `values` inside the transaction; how many rows it changed. The database's
/// own error, so that a caller may word a constraint's refusal (`unique_or`, `foreign_key_or`).
pub async fn execute(tx: &mut Tx, sql: &str, values: &[&dyn Value]) -> Result<u64, sqlx::Error> {
    Ok(query(sql, values).execute(&mut **tx).await?.rows_affected())
}

/// `fixed`, then every value of `list`: the values of a statement ending in an `IN (…)` of
/// `placeholders(fixed.len() + 1, list.len())`.
pub fn and_list<'q, V: Value>(fixed: &[&'q dyn Value], list: &'q [V]) -> Vec<&'q dyn Value> {
    fixed.iter().copied().chain(list.iter().map(|v| v as &dyn Value)).collect()
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `$first, $first+1, …` for an `IN (…)` list of `n` values (same text on both backends).
pub fn placeholders(first: usize, n: usize) -> String {
    (first..first + n).map(|i| format!("${i}")).collect::<Vec<_>>().join(", ")
}

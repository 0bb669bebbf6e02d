//! The database: connecting (one pool per process, sized by the caller),
//! the ledger's schema and migrations, and locations printed without their
//! passwords. What is stored there is `claims.rs`'s.

use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{ConnectOptions as _, PgPool};

/// The advisory lock held while the ledger's schema is set up.
const LEDGER_SETUP_LOCK: i64 = 0x6175_746f_7570_6c64; // "autoupld"

impl From<sqlx::Error> for DatabaseError {
    fn from(error: sqlx::Error) -> Self {
        Self::Query(error)
    }
}

/// The embedded migrations.
static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("./migrations");

/// What went wrong with the database.
#[derive(Debug, thiserror::Error)]
pub enum DatabaseError {
    /// The URL is not a PostgreSQL URL.
    #[error("invalid database URL {url}: {error}")]
    Url {
        /// The URL, without its password.
        url: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::Error,
    },
    /// The database cannot be reached.
    #[error("cannot connect to the database {url}: {error}")]
    Connect {
        /// The URL, without its password.
        url: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::Error,
    },
    /// The ledger's schema could not be created or migrated.
    #[error("cannot set up the ledger schema {schema}: {error}")]
    Migrate {
        /// The schema.
        schema: String,
        /// Why (sqlx's message carries its causes).
        error: sqlx::migrate::MigrateError,
    },
    /// The role may not create or write the ledger's schema.
    #[error(
        "the upload ledger cannot be kept in {url} (schema {schema}): {detail}; \
         the role needs CREATE on the database (or an existing schema {schema} it may use) \
         and SELECT, INSERT, UPDATE, DELETE on {schema}.upload. Keep the ledger in another \
         database with --ledger-database URL (AUTO_UPLOAD_LEDGER_DATABASE), or run without \
         one with --no-ledger"
    )]
    Privilege {
        /// The database, without its password.
        url: String,
        /// The schema.
        schema: String,
        /// What PostgreSQL refused.
        detail: String,
    },
    /// A query failed.
    #[error("database query failed: {0}")]
    Query(sqlx::Error),
    /// A query got no answer in time (the connection may be dead: a
    /// partition, a database gone without closing it); its connection is
    /// dropped, not returned to the pool.
    #[error("the database did not answer within {}: {what}", humantime::format_duration(*.limit))]
    TimedOut {
        /// What was asked.
        what: &'static str,
        /// How long it was given.
        limit: Duration,
    },
}

/// How long one ledger query may take, client-side: a query on a
/// connection that died without closing (a network partition) would
/// otherwise wait for TCP to give up, holding a pool connection.
pub const QUERY_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs a database operation within [`QUERY_TIMEOUT`].
///
/// # Errors
/// The operation's error, or [`DatabaseError::TimedOut`].
pub async fn bounded<T>(
    what: &'static str,
    operation: impl std::future::Future<Output = Result<T, DatabaseError>>,
) -> Result<T, DatabaseError> {
    tokio::time::timeout(QUERY_TIMEOUT, operation)
        .await
        .unwrap_or(Err(DatabaseError::TimedOut {
            what,
            limit: QUERY_TIMEOUT,
        }))
}

/// A stream of rows, each of which must arrive within [`QUERY_TIMEOUT`] of
/// being asked for: a long read (backfill's plan, streamed while it
/// uploads) may stay open for hours, but a row stuck on a dead connection
/// ends it with [`DatabaseError::TimedOut`]. Only the wait for a row
/// counts, not the time the consumer takes between rows.
pub fn each_row_bounded<'a, T: Send + 'a>(
    what: &'static str,
    rows: futures::stream::BoxStream<'a, Result<T, DatabaseError>>,
) -> futures::stream::BoxStream<'a, Result<T, DatabaseError>> {
    use futures::StreamExt as _;
    futures::stream::unfold(Some(rows), move |rows| async move {
        let mut rows = rows?;
        match tokio::time::timeout(QUERY_TIMEOUT, rows.next()).await {
            Ok(Some(row)) => Some((row, Some(rows))),
            Ok(None) => None,
            Err(_) => Some((
                Err(DatabaseError::TimedOut {
                    what,
                    limit: QUERY_TIMEOUT,
                }),
                None,
            )),
        }
    })
    .boxed()
}

/// PostgreSQL's SQLSTATE for "insufficient privilege".
const INSUFFICIENT_PRIVILEGE: &str = "42501";

/// SQLSTATEs that say the configuration is wrong, not that the database is
/// away: a wrong password or role (28P01, 28000), a database that does not
/// exist (3D000), a missing privilege (42501). Retrying cannot help.
const CONFIGURATION_ERRORS: [&str; 4] = ["28P01", "28000", "3D000", INSUFFICIENT_PRIVILEGE];

impl crate::exit_codes::HasExitCode for DatabaseError {
    /// A configuration error (exit 2: under systemd,
    /// `RestartPreventExitStatus=2` keeps it from a restart loop) for a
    /// privilege, an authentication or a missing database; otherwise a
    /// failure.
    fn exit_code(&self) -> crate::exit_codes::ExitCode {
        use crate::exit_codes::ExitCode;
        let configuration = |error: &sqlx::Error| {
            error
                .as_database_error()
                .and_then(|e| e.code())
                .is_some_and(|code| CONFIGURATION_ERRORS.contains(&&*code))
        };
        match self {
            Self::Url { .. } | Self::Privilege { .. } => ExitCode::Usage,
            Self::Connect { error, .. } | Self::Query(error) if configuration(error) => {
                ExitCode::Usage
            }
            _ => ExitCode::Failure,
        }
    }
}

impl DatabaseError {
    /// Whether the database may well answer when asked again: it could not
    /// be reached, the connection broke, or it is shutting down, starting,
    /// full or refusing connections for now.
    pub fn is_transient(&self) -> bool {
        match self {
            Self::Connect { error, .. } | Self::Query(error) => is_transient(error),
            Self::TimedOut { .. } => true,
            _ => false,
        }
    }
}

fn is_transient(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::Tls(_) => true,
        sqlx::Error::Database(e) => e.code().is_some_and(|code| {
            // 08: connection exceptions; 57P01-03: shutting down or starting;
            // 53300: too many connections; 55000: e.g. a database not
            // accepting connections (ALLOW_CONNECTIONS false).
            code.starts_with("08")
                || ["57P01", "57P02", "57P03", "53300", "55000"].contains(&&*code)
        }),
        _ => false,
    }
}

/// Whether `error` is PostgreSQL refusing a privilege.
fn is_privilege_error(error: &sqlx::Error) -> bool {
    error
        .as_database_error()
        .and_then(|e| e.code())
        .is_some_and(|code| code == INSUFFICIENT_PRIVILEGE)
}

/// A database location: the URL (password hidden in messages) and the
/// ledger's schema.
#[derive(Debug, Clone)]
pub struct Database {
    options: PgConnectOptions,
    display: String,
    /// The ledger's schema.
    pub schema: String,
    /// How long connecting (or waiting for a connection of the pool) may
    /// take.
    timeout: Duration,
}

/// How long connecting may take unless told otherwise (`--connect-timeout`).
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);

impl std::fmt::Display for Database {
    /// The URL, without its password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.display)
    }
}

impl Database {
    /// Parses a PostgreSQL URL; `schema` must be a plain identifier.
    ///
    /// # Errors
    /// [`DatabaseError::Url`] for a URL sqlx cannot use.
    pub fn new(url: &str, schema: &str) -> Result<Self, DatabaseError> {
        let display = crate::secrets::mask(url);
        let options = PgConnectOptions::from_str(url).map_err(|error| DatabaseError::Url {
            url: display.clone(),
            error,
        })?;
        Ok(Self {
            // The ledger's schema first, so that the migrations and
            // sqlx's bookkeeping land there; the Janitor's tables after it.
            options: options
                .options([
                    ("search_path", format!("{schema},public")),
                    // The client bounds every operation (QUERY_TIMEOUT and
                    // each_row_bounded); these make the server give up too,
                    // so that a client cut off by a partition does not keep
                    // its backend, its locks or a transaction for long: a
                    // dead peer is dropped after about 25 s, no statement
                    // waits over 30 s for a lock, no transaction idles over
                    // a minute. No statement_timeout: backfill's plan is one
                    // statement streamed for as long as the backfill runs.
                    ("tcp_keepalives_idle", "10".to_owned()),
                    ("tcp_keepalives_interval", "5".to_owned()),
                    ("tcp_keepalives_count", "3".to_owned()),
                    ("lock_timeout", "30s".to_owned()),
                    ("idle_in_transaction_session_timeout", "60s".to_owned()),
                ])
                // Statements, slow ones included, are logged at debug only:
                // a backfill whose plan stays open for minutes is no warning.
                .log_statements(log::LevelFilter::Debug)
                .log_slow_statements(log::LevelFilter::Debug, Duration::from_secs(1))
                .application_name("auto-upload"),
            display,
            schema: schema.to_owned(),
            timeout: CONNECT_TIMEOUT,
        })
    }

    /// The same database, connecting within `timeout`.
    pub fn with_connect_timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// A pool of at most `connections` connections.
    ///
    /// # Errors
    /// [`DatabaseError::Connect`] when the database cannot be reached.
    pub async fn connect(&self, connections: u32) -> Result<PgPool, DatabaseError> {
        PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(self.timeout)
            .connect_with(self.options.clone())
            .await
            .map_err(|error| DatabaseError::Connect {
                url: self.display.clone(),
                error,
            })
    }

    /// Whether the database answers `SELECT 1` on a connection of its own,
    /// opened and closed within `within`: a probe that no busy or broken
    /// pool can hold up.
    pub async fn answers(&self, within: Duration) -> bool {
        use sqlx::Connection as _;
        let probe = async {
            let mut connection = sqlx::PgConnection::connect_with(&self.options).await?;
            sqlx::query("SELECT 1").execute(&mut connection).await?;
            connection.close().await
        };
        matches!(tokio::time::timeout(within, probe).await, Ok(Ok(())))
    }

    /// A pool that connects on first use: for a command that can start
    /// without the database (`listen` without a ledger).
    pub fn connect_lazy(&self, connections: u32) -> PgPool {
        PgPoolOptions::new()
            .max_connections(connections.max(1))
            .acquire_timeout(self.timeout)
            .connect_lazy_with(self.options.clone())
    }

    /// Creates the ledger's schema if needed and applies the migrations.
    ///
    /// # Errors
    /// [`DatabaseError::Migrate`] when that fails (a read-only user, say:
    /// use `--no-ledger`).
    pub async fn migrate(&self, pool: &PgPool) -> Result<(), DatabaseError> {
        let migrate_error = |error| DatabaseError::Migrate {
            schema: self.schema.clone(),
            error,
        };
        let execute_error = |e| migrate_error(sqlx::migrate::MigrateError::Execute(e));
        // Processes starting together would race on CREATE SCHEMA (it is
        // not safe under concurrency even with IF NOT EXISTS): one at a time.
        let mut conn = pool.acquire().await?;
        sqlx::query("SELECT pg_advisory_lock($1)")
            .bind(LEDGER_SETUP_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(execute_error)?;
        let migrated = async {
            // CREATE SCHEMA IF NOT EXISTS needs CREATE on the database even
            // when the schema exists: a role given only the schema (README's
            // set-up) must not be asked for it.
            let exists: bool =
                sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)")
                    .bind(&self.schema)
                    .fetch_one(&mut *conn)
                    .await
                    .map_err(execute_error)?;
            if !exists {
                sqlx::query(&format!("CREATE SCHEMA IF NOT EXISTS \"{}\"", self.schema))
                    .execute(&mut *conn)
                    .await
                    .map_err(execute_error)?;
            }
            MIGRATOR.run(&mut *conn).await.map_err(migrate_error)
        }
        .await;
        sqlx::query("SELECT pg_advisory_unlock($1)")
            .bind(LEDGER_SETUP_LOCK)
            .execute(&mut *conn)
            .await
            .map_err(execute_error)?;
        migrated.map_err(|e| self.privilege_error(e))?;
        self.check_writable(pool).await
    }

    /// A migration error that PostgreSQL's privilege check caused, made
    /// into [`DatabaseError::Privilege`]; others unchanged.
    fn privilege_error(&self, error: DatabaseError) -> DatabaseError {
        let refused = match &error {
            DatabaseError::Migrate {
                error: sqlx::migrate::MigrateError::Execute(e),
                ..
            }
            | DatabaseError::Migrate {
                error: sqlx::migrate::MigrateError::ExecuteMigration(e, _),
                ..
            } => is_privilege_error(e).then(|| e.to_string()),
            DatabaseError::Query(e) => is_privilege_error(e).then(|| e.to_string()),
            _ => None,
        };
        match refused {
            Some(detail) => DatabaseError::Privilege {
                url: self.display.clone(),
                schema: self.schema.clone(),
                detail,
            },
            None => error,
        }
    }

    /// Fails with [`DatabaseError::Privilege`] unless this role may read
    /// and write the ledger's table: found before any upload, not at the
    /// first claim.
    async fn check_writable(&self, pool: &PgPool) -> Result<(), DatabaseError> {
        let table = format!("\"{}\".upload", self.schema);
        let missing: Vec<String> = sqlx::query_scalar(
            "SELECT p FROM unnest(ARRAY['SELECT', 'INSERT', 'UPDATE', 'DELETE']) AS p
              WHERE NOT has_table_privilege($1, p)",
        )
        .bind(&table)
        .fetch_all(pool)
        .await?;
        if missing.is_empty() {
            return Ok(());
        }
        Err(DatabaseError::Privilege {
            url: self.display.clone(),
            schema: self.schema.clone(),
            detail: format!("permission denied: no {} on {table}", missing.join(", ")),
        })
    }

    /// Whether the ledger table exists (without creating it).
    ///
    /// # Errors
    /// The query failed.
    pub async fn has_ledger(&self, pool: &PgPool) -> Result<bool, DatabaseError> {
        let exists: bool = sqlx::query_scalar("SELECT to_regclass($1) IS NOT NULL")
            .bind(format!("\"{}\".upload", self.schema))
            .fetch_one(pool)
            .await?;
        Ok(exists)
    }
}

/// Whether `schema` is a plain lowercase SQL identifier.
pub fn is_valid_schema(schema: &str) -> bool {
    let mut chars = schema.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && schema.len() <= 63
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemas() {
        assert!(is_valid_schema("auto_upload"));
        assert!(is_valid_schema("_x1"));
        for bad in ["", "1x", "Auto", "a-b", "a\"b", "a;drop"] {
            assert!(!is_valid_schema(bad), "{bad}");
        }
    }
}

//! The store's central PostgreSQL: each till pushes its journal there (an outbox: every row
//! and every later change, exactly once, in order), and a manager reads one store-wide
//! view. The till's own SQLite journal stays the source of truth: nothing is ever read back
//! from here into it, and a sale never waits on this database.

pub mod address;
pub mod background;
pub mod push;
pub mod query;
pub mod schema;
pub mod settings;
pub mod sync;

use std::time::Duration;

use tokio_postgres::Client;

pub use address::{SslMode, StoreAddress};
pub use push::{Change, Cursor, StoreRow, TillIdentity};
pub use query::{Filter, StoreEntry, StoreReport};
pub use settings::StoreSettings;
pub use sync::{Source, SyncError, Synced, sync_once};

/// Why the store database could not be used. Messages name the database by
/// [`StoreAddress::shown`], never with its password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("PAYWIZARD_STORE_DB: {0}")]
    Address(String),
    #[error("store database {shown}: no connection within {} s", .after.as_secs())]
    Timeout { shown: String, after: Duration },
    #[error("store database {shown}: cannot connect: {reason}")]
    Unreachable { shown: String, reason: String },
    #[error("store database {shown}: {reason}")]
    Database { shown: String, reason: String },
    #[error(
        "store database {shown} has schema version {found}; this till knows up to {known}: upgrade the till"
    )]
    NewerSchema {
        shown: String,
        found: i32,
        known: i32,
    },
}

impl StoreError {
    pub(crate) fn database(shown: &str, e: &tokio_postgres::Error) -> StoreError {
        StoreError::Database {
            shown: shown.to_owned(),
            reason: describe(e),
        }
    }
}

/// tokio-postgres says "db error" and keeps the server's words in the source.
fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{}: {}", db.severity(), db.message());
    }
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(cause) = source {
        let line = cause.to_string();
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// An open connection to the store database, schema up to date.
pub struct Store {
    client: Client,
    address: StoreAddress,
}

impl Store {
    /// Connects within `timeout` and migrates the schema.
    pub async fn connect(address: &StoreAddress, timeout: Duration) -> Result<Store, StoreError> {
        let shown = address.shown().to_owned();
        let mut config = address.config.clone();
        config.connect_timeout(timeout);
        let unreachable = |e: tokio_postgres::Error| StoreError::Unreachable {
            shown: shown.clone(),
            reason: describe(&e),
        };
        let connect = async {
            if address.ssl_mode == SslMode::Disable {
                let (client, connection) = config
                    .connect(tokio_postgres::NoTls)
                    .await
                    .map_err(unreachable)?;
                tokio::spawn(connection);
                Ok::<_, StoreError>(client)
            } else {
                let (client, connection) =
                    config.connect(address.tls()?).await.map_err(unreachable)?;
                tokio::spawn(connection);
                Ok(client)
            }
        };
        let mut client =
            tokio::time::timeout(timeout, connect)
                .await
                .map_err(|_| StoreError::Timeout {
                    shown: shown.clone(),
                    after: timeout,
                })??;
        schema::migrate(&mut client, &shown).await?;
        Ok(Store {
            client,
            address: address.clone(),
        })
    }

    pub fn shown(&self) -> &str {
        self.address.shown()
    }

    /// How far the store has `till`'s changes.
    pub async fn cursor(&self, till: &TillIdentity) -> Result<Cursor, StoreError> {
        push::cursor(&self.client, till, self.address.shown()).await
    }

    /// Stores a batch of `till`'s changes and moves its cursor past them.
    pub async fn push(
        &mut self,
        till: &TillIdentity,
        changes: &[Change],
        head_hash: &[u8],
    ) -> Result<usize, StoreError> {
        let shown = self.address.shown().to_owned();
        push::push(&mut self.client, till, changes, head_hash, &shown).await
    }

    /// Moves `till`'s cursor past changes that carry no rows (see [`push::advance`]).
    pub async fn advance(
        &mut self,
        till: &TillIdentity,
        seq: i64,
        head_hash: &[u8],
    ) -> Result<(), StoreError> {
        let shown = self.address.shown().to_owned();
        push::advance(&mut self.client, till, seq, head_hash, &shown).await
    }

    pub fn client(&self) -> &Client {
        &self.client
    }
}

//! The store database's settings: where it is (a secret: the URL holds a password), how
//! long a connection may take, and how often the screen pushes on its own.

use std::time::Duration;

use super::StoreAddress;
use crate::config::{ConfigError, FileConfig, Secret};

pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_EVERY: Duration = Duration::from_secs(30);

#[derive(Debug, Clone)]
pub struct StoreSettings {
    pub address: StoreAddress,
    pub connect_timeout: Duration,
    /// The screen pushes after every outcome and at least this often.
    pub every: Duration,
}

impl StoreSettings {
    /// `PAYWIZARD_STORE_DB` wins over `store_db` in the file; neither: `None`.
    pub fn resolve(
        env: Option<&Secret>,
        file: &FileConfig,
    ) -> Result<Option<StoreSettings>, ConfigError> {
        let (text, key) = match (env, &file.store_db) {
            (Some(url), _) => (url.expose().to_owned(), "PAYWIZARD_STORE_DB"),
            (None, Some(url)) => (url.clone(), "store_db"),
            (None, None) => return Ok(None),
        };
        let address = StoreAddress::parse(&text).map_err(|e| ConfigError::Invalid {
            key,
            reason: match e {
                super::StoreError::Address(reason) => reason,
                other => other.to_string(),
            },
        })?;
        let connect_timeout = match file.store_connect_timeout_ms {
            None => DEFAULT_CONNECT_TIMEOUT,
            Some(0) => {
                return Err(ConfigError::Invalid {
                    key: "store_connect_timeout_ms",
                    reason: "must be more than 0".into(),
                });
            }
            Some(ms) => Duration::from_millis(ms),
        };
        let every = match file.store_sync_every_s {
            None => DEFAULT_EVERY,
            Some(0) => {
                return Err(ConfigError::Invalid {
                    key: "store_sync_every_s",
                    reason: "must be more than 0".into(),
                });
            }
            Some(s) => Duration::from_secs(s),
        };
        Ok(Some(StoreSettings {
            address,
            connect_timeout,
            every,
        }))
    }
}

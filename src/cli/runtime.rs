//! Starting things: config, the demo simulator, the journal, the tokio runtime.

use std::sync::Arc;

use time::UtcOffset;

use super::headless::{self, Failure};
use super::{Cli, Command};
use crate::config::{Config, Mode};
use crate::journal::Journal;
use crate::sim::{self, SimCredentials, SimHandle, SimOptions};
use crate::till::Till;

pub fn dispatch(cli: Cli) -> Result<u8, Failure> {
    // The local offset can only be read safely while the process has one thread.
    let offset = UtcOffset::current_local_offset().unwrap_or(UtcOffset::UTC);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Failure::Other(format!("cannot start the async runtime: {e}")))?;
    runtime.block_on(async move {
        match cli.command {
            Some(Command::Sim(args)) => {
                let (config, _) = load_config(&cli.global)?;
                let credentials = simulator_credentials(&config);
                sim::cli::run(args, credentials)
                    .await
                    .map_err(|e| Failure::Other(format!("simulator: {e}")))?;
                Ok(0)
            }
            Some(command) => headless::run(command, &cli.global, offset).await,
            None => crate::cli::tui_main(&cli.global, offset).await,
        }
    })
}

/// Loads the configuration; warnings (e.g. a world-readable config file in sandbox) go
/// to stderr.
pub fn load_config(global: &super::GlobalArgs) -> Result<(Config, Vec<String>), Failure> {
    let (config, warnings) =
        Config::load(&global.overrides()).map_err(|e| Failure::BadConfig(e.to_string()))?;
    for w in &warnings {
        eprintln!("paywizard-till: {w}");
    }
    Ok((config, warnings))
}

/// The standalone simulator accepts the configured credentials when there are any, so a
/// till in sandbox mode can be pointed at it; otherwise the demo ones.
fn simulator_credentials(config: &Config) -> SimCredentials {
    if config.client_secret.is_empty() || config.jwt_token.is_empty() {
        SimCredentials::demo()
    } else {
        SimCredentials {
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.expose().to_owned(),
            jwt_token: config.jwt_token.expose().to_owned(),
        }
    }
}

/// A till ready to send: in demo mode with its simulator running on loopback.
pub struct Session {
    pub config: Config,
    pub till: Arc<Till>,
    /// Kept alive for as long as the session: dropping it would stop demo mode's server.
    pub _simulator: Option<SimHandle>,
}

pub async fn open_session(mut config: Config, offset: UtcOffset) -> Result<Session, Failure> {
    let simulator = if config.mode == Mode::Demo {
        let credentials = SimCredentials::demo();
        let options = SimOptions {
            credentials: credentials.clone(),
            channel: config.channel.clone(),
            ..SimOptions::default()
        };
        let handle = sim::spawn(options)
            .await
            .map_err(|e| Failure::Other(format!("cannot start the demo simulator: {e}")))?;
        config.use_simulator(
            handle.base_url(),
            &credentials.client_id,
            &credentials.client_secret,
            &credentials.jwt_token,
        );
        Some(handle)
    } else {
        None
    };
    let journal = open_journal(&config)?;
    let till = Till::new(&config, journal, offset).map_err(|e| Failure::Other(e.to_string()))?;
    Ok(Session {
        config,
        till: Arc::new(till),
        _simulator: simulator,
    })
}

pub fn open_journal(config: &Config) -> Result<Journal, Failure> {
    Journal::open(&config.journal_path, &config.till_id).map_err(|e| {
        let text = e.to_string();
        // The journal's own messages start with "journal ..." already.
        Failure::BadConfig(if text.starts_with("journal") {
            text
        } else {
            format!("journal: {text}")
        })
    })
}

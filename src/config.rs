//! Configuration: flags > environment > config file > defaults.
//!
//! Flags and environment variables arrive together through clap (`Overrides`); the TOML
//! file is read here; [`Config::resolve`] merges them and refuses anything unsafe before a
//! single request can be built. The client secret and jwt-token live in [`Secret`], whose
//! `Debug` is redacted and which has no `Display`.

use std::fmt;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::money::{Amount, Currency, Points};

/// Where requests go.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// The built-in simulator; no credentials needed. Training and `cargo run`.
    #[default]
    Demo,
    /// PayWizard's UAT host.
    Sandbox,
    /// PayWizard's production host: real money.
    Production,
}

impl Mode {
    pub fn parse(s: &str) -> Result<Mode, ConfigError> {
        match s.trim().to_ascii_lowercase().as_str() {
            "demo" => Ok(Mode::Demo),
            "sandbox" => Ok(Mode::Sandbox),
            "production" => Ok(Mode::Production),
            _ => Err(ConfigError::Invalid {
                key: "PAYWIZARD_ENV (--env)",
                reason: "must be demo, sandbox or production".into(),
            }),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Demo => "demo",
            Mode::Sandbox => "sandbox",
            Mode::Production => "production",
        }
    }

    fn default_base_url(self) -> Option<&'static str> {
        match self {
            Mode::Demo => None,
            Mode::Sandbox => Some("https://uat.paywizard.biz"),
            Mode::Production => Some("https://portal.paywizard.biz"),
        }
    }
}

impl fmt::Display for Mode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A credential that must never be printed, logged, journaled or shown.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for signing and for the one header that carries it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

/// Keyboard-wedge scanner settings (see `app::scanner`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannerSettings {
    /// Characters the scanner sends before the data (e.g. `"\u{2}"`, STX); empty for none.
    pub prefix: String,
    /// What ends a scan: `enter`, `tab`, `none`, or a literal string.
    pub suffix: String,
    /// Whether the scanner's Enter also submits the form.
    pub scan_submits: bool,
    /// A burst whose average gap between keys is at most this is a scanner.
    pub max_gap_ms: u64,
    /// A burst with no suffix ends after this much quiet.
    pub quiet_ms: u64,
    /// Fewer characters than this is never a scan.
    pub min_len: usize,
}

impl Default for ScannerSettings {
    fn default() -> Self {
        Self {
            prefix: String::new(),
            suffix: "enter".into(),
            scan_submits: false,
            max_gap_ms: 30,
            quiet_ms: 80,
            min_len: 6,
        }
    }
}

/// Staff and shifts (see `journal::staff`): what needs a manager, and when the screen and
/// a staff id lock themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSettings {
    /// Money amounts above this need a manager (`manager_over`); `None`: no limit.
    pub manager_over: Option<Amount>,
    /// The screen locks itself after this long without a key (`lock_after_min`, default
    /// 10); a request in flight and the recovery queue carry on behind the lock.
    pub lock_after: Duration,
    /// Wrong PINs in a row that lock a staff id (`pin_attempts`, default 5).
    pub pin_attempts: u32,
    /// How long such a lock lasts (`pin_lockout_min`, default 5).
    pub pin_lockout: Duration,
}

impl Default for StaffSettings {
    fn default() -> StaffSettings {
        StaffSettings {
            manager_over: None,
            lock_after: Duration::from_secs(10 * 60),
            pin_attempts: 5,
            pin_lockout: Duration::from_secs(5 * 60),
        }
    }
}

impl StaffSettings {
    pub fn pin_policy(&self) -> crate::journal::PinPolicy {
        crate::journal::PinPolicy {
            attempts: self.pin_attempts,
            lockout: self.pin_lockout,
        }
    }
}

/// Everything the till runs with, checked.
#[derive(Debug, Clone)]
pub struct Config {
    pub mode: Mode,
    /// Empty in demo mode until the built-in simulator has started.
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub jwt_token: Secret,
    pub channel: String,
    pub currency: Currency,
    pub till_id: String,
    pub store_name: String,
    pub journal_path: PathBuf,
    pub receipts_dir: Option<PathBuf>,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
    pub max_amount: Amount,
    pub max_points: Points,
    pub scanner: ScannerSettings,
    /// How long an approved payment keeps its card number in the journal, so a tip can
    /// follow without the card (`tip_window_h`, default 24).
    pub tip_window: Duration,
    /// The receipt printer (`[printer]`, `PAYWIZARD_PRINTER`); its `target` is `None` when
    /// there is none.
    pub printer: crate::printer::PrinterSettings,
    /// The store's central database (`PAYWIZARD_STORE_DB` / `store_db`); `None`: this till
    /// stands alone.
    pub store: Option<crate::store::StoreSettings>,
    /// The same operation on the same card for the same amount within this time asks the
    /// cashier first (the screen only; headless commands stay scriptable).
    pub duplicate_window: Duration,
    /// Staff and shifts: `manager_over`, `lock_after_min`, `pin_attempts`,
    /// `pin_lockout_min`.
    pub staff: StaffSettings,
}

/// Values from flags or the environment (clap merges the two, flags winning). Every field
/// is optional: what is missing comes from the file, then the defaults.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub config_file: Option<PathBuf>,
    pub env: Option<String>,
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<Secret>,
    pub jwt_token: Option<Secret>,
    pub channel: Option<String>,
    pub currency: Option<String>,
    pub till_id: Option<String>,
    pub journal: Option<PathBuf>,
    /// `PAYWIZARD_PRINTER`: the printer's address or path.
    pub printer: Option<String>,
    /// `PAYWIZARD_STORE_DB`: environment only (a flag would show its password in the
    /// process list).
    pub store_db: Option<Secret>,
}

/// The config file (`assets/config.example.toml` documents every key).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub env: Option<String>,
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub jwt_token: Option<String>,
    pub channel: Option<String>,
    pub currency: Option<String>,
    pub till_id: Option<String>,
    pub store_name: Option<String>,
    pub journal: Option<PathBuf>,
    pub receipts_dir: Option<PathBuf>,
    pub connect_timeout_ms: Option<u64>,
    pub request_timeout_ms: Option<u64>,
    pub max_amount: Option<String>,
    pub max_points: Option<u64>,
    pub tip_window_h: Option<u64>,
    pub duplicate_window_s: Option<u64>,
    #[serde(default)]
    pub scanner: FileScanner,
    #[serde(default)]
    pub printer: crate::printer::FilePrinter,
    /// `postgres://` URL of the store's central database.
    pub store_db: Option<String>,
    pub store_connect_timeout_ms: Option<u64>,
    /// How often the screen pushes to the store when nothing else prompts it.
    pub store_sync_every_s: Option<u64>,
    /// Money amounts above this (in `currency`) need a manager's approval.
    pub manager_over: Option<String>,
    /// Minutes without a key before the screen locks itself.
    pub lock_after_min: Option<u64>,
    /// The same in seconds, instead of `lock_after_min` (under a minute; tests use it).
    pub lock_after_s: Option<u64>,
    /// Wrong PINs in a row that lock a staff id.
    pub pin_attempts: Option<u32>,
    /// Minutes such a lock lasts.
    pub pin_lockout_min: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileScanner {
    pub prefix: Option<String>,
    pub suffix: Option<String>,
    pub scan_submits: Option<bool>,
    pub max_gap_ms: Option<u64>,
    pub quiet_ms: Option<u64>,
    pub min_len: Option<usize>,
}

/// Why the till refuses to start. Every message names the setting to fix and says what is
/// wrong with it without repeating the value: a secret pasted into the wrong setting (the
/// till id, the URL, the channel, the currency) must not end up on a screen or in a log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("{mode} mode needs credentials; missing: {}", .missing.join(", "))]
    MissingCredentials {
        mode: Mode,
        missing: Vec<&'static str>,
    },
    #[error("{key}: {reason}")]
    Invalid { key: &'static str, reason: String },
    #[error("config file {path}: {reason}")]
    File { path: String, reason: String },
}

pub const DEFAULT_CHANNEL: &str = "FACTOR4";
pub const DEFAULT_TILL_ID: &str = "1";

impl Config {
    /// Reads the config file named in `overrides` (if any) and resolves.
    pub fn load(overrides: &Overrides) -> Result<(Config, Vec<String>), ConfigError> {
        let mut warnings = Vec::new();
        let file = match &overrides.config_file {
            Some(path) => {
                let mode_hint = overrides.env.as_deref().map(Mode::parse).transpose()?;
                let (file, warning) = read_file(path, mode_hint)?;
                warnings.extend(warning);
                file
            }
            None => FileConfig::default(),
        };
        let config = Config::resolve(overrides, &file)?;
        Ok((config, warnings))
    }

    /// Merges overrides over the file over the defaults and checks the result.
    pub fn resolve(o: &Overrides, file: &FileConfig) -> Result<Config, ConfigError> {
        let pick = |flag: &Option<String>, file: &Option<String>| -> Option<String> {
            flag.clone()
                .or_else(|| file.clone())
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        let mode = match pick(&o.env, &file.env) {
            Some(s) => Mode::parse(&s)?,
            None => Mode::Demo,
        };
        let secret_from_file = |s: &Option<String>| s.clone().map(Secret::new);
        let client_id = pick(&o.client_id, &file.client_id).unwrap_or_default();
        let client_secret = o
            .client_secret
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| secret_from_file(&file.client_secret))
            .filter(|s| !s.is_empty())
            .unwrap_or_default();
        let jwt_token = o
            .jwt_token
            .clone()
            .filter(|s| !s.is_empty())
            .or_else(|| secret_from_file(&file.jwt_token))
            .filter(|s| !s.is_empty())
            .unwrap_or_default();

        if mode != Mode::Demo {
            let mut missing = Vec::new();
            if client_id.is_empty() {
                missing.push("PAYWIZARD_CLIENT_ID");
            }
            if client_secret.is_empty() {
                missing.push("PAYWIZARD_CLIENT_SECRET");
            }
            if jwt_token.is_empty() {
                missing.push("PAYWIZARD_JWT_TOKEN");
            }
            if !missing.is_empty() {
                return Err(ConfigError::MissingCredentials { mode, missing });
            }
        }

        let base_url = match mode {
            Mode::Demo => String::new(),
            _ => {
                let url = pick(&o.base_url, &file.base_url)
                    .or_else(|| mode.default_base_url().map(str::to_owned))
                    .unwrap_or_default();
                check_base_url(&url, mode)?
            }
        };

        let channel = pick(&o.channel, &file.channel).unwrap_or_else(|| DEFAULT_CHANNEL.into());
        check_channel(&channel)?;
        let currency = Currency::new(&pick(&o.currency, &file.currency).unwrap_or("USD".into()))
            .map_err(|reason| ConfigError::Invalid {
                key: "PAYWIZARD_CURRENCY (--currency)",
                reason,
            })?;
        let till_id = pick(&o.till_id, &file.till_id).unwrap_or_else(|| DEFAULT_TILL_ID.into());
        if till_id.is_empty() || till_id.len() > 10 || !till_id.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(ConfigError::Invalid {
                key: "PAYWIZARD_TILL_ID (--till-id)",
                reason: "must be 1 to 10 digits (it is part of every tranOrderNo)".into(),
            });
        }
        let journal_path = o
            .journal
            .clone()
            .or_else(|| file.journal.clone())
            .unwrap_or_else(|| default_journal_path(mode));
        let max_amount = match &file.max_amount {
            Some(text) => Amount::parse(text, &currency, Amount::from_minor(i64::MAX / 10))
                .map_err(|e| ConfigError::Invalid {
                    key: "max_amount",
                    reason: e.to_string(),
                })?,
            None => Amount::from_minor(1_000 * 10_i64.pow(u32::from(currency.decimals()))),
        };
        let ms = |v: Option<u64>, default: u64, key: &'static str| -> Result<Duration, _> {
            match v.unwrap_or(default) {
                0 => Err(ConfigError::Invalid {
                    key,
                    reason: "must be more than 0".into(),
                }),
                n => Ok(Duration::from_millis(n)),
            }
        };
        let defaults = ScannerSettings::default();
        let fs = &file.scanner;
        let scanner = ScannerSettings {
            prefix: fs.prefix.clone().unwrap_or(defaults.prefix),
            suffix: fs.suffix.clone().unwrap_or(defaults.suffix),
            scan_submits: fs.scan_submits.unwrap_or(defaults.scan_submits),
            max_gap_ms: fs.max_gap_ms.unwrap_or(defaults.max_gap_ms),
            quiet_ms: fs.quiet_ms.unwrap_or(defaults.quiet_ms),
            min_len: fs.min_len.unwrap_or(defaults.min_len),
        };
        Ok(Config {
            mode,
            base_url,
            client_id,
            client_secret,
            jwt_token,
            channel,
            staff: staff_settings(file, &currency)?,
            currency,
            // One spelling everywhere: `01` and `1` are the same till.
            till_id: crate::api::order_no::canonical_till_id(&till_id).unwrap_or(till_id),
            store_name: file
                .store_name
                .clone()
                .unwrap_or_else(|| "PayWizard till".into()),
            journal_path,
            receipts_dir: file.receipts_dir.clone(),
            connect_timeout: ms(file.connect_timeout_ms, 3_000, "connect_timeout_ms")?,
            request_timeout: ms(file.request_timeout_ms, 20_000, "request_timeout_ms")?,
            max_amount,
            max_points: Points::new(file.max_points.unwrap_or(100_000)),
            scanner,
            tip_window: Duration::from_secs(file.tip_window_h.unwrap_or(24).saturating_mul(3600)),
            printer: crate::printer::config::resolve(o.printer.as_deref(), &file.printer)?,
            store: crate::store::StoreSettings::resolve(o.store_db.as_ref(), file)?,
            duplicate_window: Duration::from_secs(file.duplicate_window_s.unwrap_or(120)),
        })
    }

    /// Points the config at a running simulator (demo mode).
    pub fn use_simulator(&mut self, base_url: String, client_id: &str, secret: &str, token: &str) {
        self.base_url = base_url;
        self.client_id = client_id.to_owned();
        self.client_secret = Secret::new(secret);
        self.jwt_token = Secret::new(token);
    }
}

/// The largest `lock_after_min` and `pin_lockout_min`: a day.
const MAX_MINUTES: u64 = 24 * 60;
/// The most `pin_attempts`: more makes the lockout pointless against a 4-digit PIN.
const MAX_PIN_ATTEMPTS: u32 = 20;

fn staff_settings(file: &FileConfig, currency: &Currency) -> Result<StaffSettings, ConfigError> {
    let defaults = StaffSettings::default();
    let minutes = |v: Option<u64>, default: Duration, key: &'static str| match v {
        None => Ok(default),
        Some(n) if (1..=MAX_MINUTES).contains(&n) => Ok(Duration::from_secs(n * 60)),
        Some(_) => Err(ConfigError::Invalid {
            key,
            reason: format!("must be 1 to {MAX_MINUTES} minutes"),
        }),
    };
    let manager_over = file
        .manager_over
        .as_deref()
        .map(|text| {
            Amount::parse(text, currency, Amount::from_minor(i64::MAX / 10)).map_err(|e| {
                ConfigError::Invalid {
                    key: "manager_over",
                    reason: e.to_string(),
                }
            })
        })
        .transpose()?;
    let pin_attempts = match file.pin_attempts {
        None => defaults.pin_attempts,
        Some(n) if (1..=MAX_PIN_ATTEMPTS).contains(&n) => n,
        Some(_) => {
            return Err(ConfigError::Invalid {
                key: "pin_attempts",
                reason: format!("must be 1 to {MAX_PIN_ATTEMPTS}"),
            });
        }
    };
    let lock_after = match (file.lock_after_s, file.lock_after_min) {
        (Some(_), Some(_)) => {
            return Err(ConfigError::Invalid {
                key: "lock_after_s",
                reason: "set lock_after_min or lock_after_s, not both".into(),
            });
        }
        (Some(s), None) if (1..=MAX_MINUTES * 60).contains(&s) => Duration::from_secs(s),
        (Some(_), None) => {
            return Err(ConfigError::Invalid {
                key: "lock_after_s",
                reason: format!("must be 1 to {} seconds", MAX_MINUTES * 60),
            });
        }
        (None, minutes_given) => minutes(minutes_given, defaults.lock_after, "lock_after_min")?,
    };
    Ok(StaffSettings {
        manager_over,
        lock_after,
        pin_attempts,
        pin_lockout: minutes(
            file.pin_lockout_min,
            defaults.pin_lockout,
            "pin_lockout_min",
        )?,
    })
}

/// Reads and parses the TOML file. A file others can read is refused in production and
/// warned about in sandbox: it may hold the client secret.
fn read_file(
    path: &Path,
    mode_hint: Option<Mode>,
) -> Result<(FileConfig, Option<String>), ConfigError> {
    let shown = path.display().to_string();
    let file_err = |reason: String| ConfigError::File {
        path: shown.clone(),
        reason,
    };
    let text = std::fs::read_to_string(path).map_err(|e| file_err(e.to_string()))?;
    let file: FileConfig = toml::from_str(&text).map_err(|e| file_err(e.message().to_owned()))?;
    let mode = match mode_hint {
        Some(m) => m,
        None => file
            .env
            .as_deref()
            .map(Mode::parse)
            .transpose()?
            .unwrap_or_default(),
    };
    let mut warning = None;
    if others_can_read(path) {
        let msg = "is readable by other users; it may hold the client secret (chmod 600 it)";
        match mode {
            Mode::Production => return Err(file_err(msg.into())),
            Mode::Sandbox => warning = Some(format!("warning: config file {shown} {msg}")),
            Mode::Demo => {}
        }
    }
    Ok((file, warning))
}

#[cfg(unix)]
fn others_can_read(path: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(path).is_ok_and(|m| m.permissions().mode() & 0o044 != 0)
}

#[cfg(not(unix))]
fn others_can_read(_path: &Path) -> bool {
    false
}

/// The longest `loyaltyChannel` accepted. PayWizard documents one value, `FACTOR4`; the
/// bound keeps a pasted credential or a stray paragraph out of every request body.
pub const MAX_CHANNEL_LEN: usize = 32;

fn check_channel(channel: &str) -> Result<(), ConfigError> {
    let bad = |reason: String| ConfigError::Invalid {
        key: "PAYWIZARD_CHANNEL (--channel)",
        reason,
    };
    if channel.chars().count() > MAX_CHANNEL_LEN {
        return Err(bad(format!("at most {MAX_CHANNEL_LEN} characters")));
    }
    if !channel
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return Err(bad("letters, digits and _ only".into()));
    }
    Ok(())
}

/// `https` always; plain `http` only to a loopback address, and never in production.
/// Messages describe the URL's problem without quoting it or its host.
fn check_base_url(url: &str, mode: Mode) -> Result<String, ConfigError> {
    let bad = |reason: String| ConfigError::Invalid {
        key: "PAYWIZARD_BASE_URL (--base-url)",
        reason,
    };
    // url's own error messages name the problem, never the input.
    let parsed = reqwest::Url::parse(url).map_err(|e| bad(format!("is not a URL ({e})")))?;
    let host = parsed.host_str().ok_or_else(|| bad("has no host".into()))?;
    match parsed.scheme() {
        "https" => {}
        "http" if mode == Mode::Production => {
            return Err(bad("production needs https://".into()));
        }
        "http" if is_loopback(host) => {}
        "http" => {
            return Err(bad(
                "plain http:// is only allowed to a loopback address (127.0.0.1, ::1)".into(),
            ));
        }
        _ => {
            return Err(bad("only https:// is supported".into()));
        }
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("must not contain a user name or password".into()));
    }
    Ok(url.trim_end_matches('/').to_owned())
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// The journal lives in the user's data directory, one file per mode so training never
/// mixes with real transactions.
pub fn default_journal_path(mode: Mode) -> PathBuf {
    let dir = directories::ProjectDirs::from("biz", "paywizard", "paywizard-till")
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    dir.join(format!("journal-{}.sqlite3", mode.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn creds() -> Overrides {
        Overrides {
            env: Some("sandbox".into()),
            client_id: Some("825429536610058240".into()),
            client_secret: Some(Secret::new("s3cr3t-value")),
            jwt_token: Some(Secret::new("TOKENVALUE")),
            ..Overrides::default()
        }
    }

    #[test]
    fn demo_needs_nothing() {
        let c = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
        assert_eq!(c.mode, Mode::Demo);
        assert_eq!(c.channel, "FACTOR4");
        assert_eq!(c.currency.code(), "USD");
        assert_eq!(c.max_amount, Amount::from_minor(100_000));
    }

    #[test]
    fn sandbox_names_every_missing_credential() {
        let o = Overrides {
            env: Some("sandbox".into()),
            client_id: Some("x".into()),
            ..Overrides::default()
        };
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "sandbox mode needs credentials; missing: PAYWIZARD_CLIENT_SECRET, PAYWIZARD_JWT_TOKEN"
        );
    }

    #[test]
    fn overrides_beat_the_file_which_beats_defaults() {
        let file = FileConfig {
            channel: Some("FILECHAN".into()),
            till_id: Some("42".into()),
            currency: Some("EUR".into()),
            ..FileConfig::default()
        };
        let mut o = creds();
        o.till_id = Some("7".into());
        let c = Config::resolve(&o, &file).unwrap();
        assert_eq!(c.till_id, "7");
        assert_eq!(c.channel, "FILECHAN");
        assert_eq!(c.currency.code(), "EUR");
        assert_eq!(c.base_url, "https://uat.paywizard.biz");
    }

    #[test]
    fn http_only_to_loopback_and_never_in_production() {
        let mut o = creds();
        for ok in [
            "http://127.0.0.1:8080",
            "http://[::1]:9",
            "http://localhost:1",
        ] {
            o.base_url = Some(ok.into());
            assert!(Config::resolve(&o, &FileConfig::default()).is_ok(), "{ok}");
        }
        o.base_url = Some("http://10.0.0.5:8080".into());
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert!(
            err.to_string().contains("only allowed to a loopback"),
            "{err}"
        );
        o.env = Some("production".into());
        o.base_url = Some("http://127.0.0.1:8080".into());
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PAYWIZARD_BASE_URL (--base-url): production needs https://"
        );
    }

    #[test]
    fn secrets_never_show_in_debug_or_errors() {
        let c = Config::resolve(&creds(), &FileConfig::default()).unwrap();
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("s3cr3t-value") && !debug.contains("TOKENVALUE"),
            "{debug}"
        );
        assert!(debug.contains("[redacted]"));
    }

    #[test]
    fn till_id_must_be_digits() {
        let mut o = creds();
        o.till_id = Some("T1".into());
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("PAYWIZARD_TILL_ID (--till-id): must be 1 to 10 digits")
        );
    }

    #[test]
    fn unknown_mode_is_refused() {
        let o = Overrides {
            env: Some("prod".into()),
            ..Overrides::default()
        };
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PAYWIZARD_ENV (--env): must be demo, sandbox or production"
        );
    }

    #[test]
    fn a_secret_in_the_wrong_setting_is_never_repeated() {
        let secret = "s3cr3t-value-0123456789abcdef0123456789";
        type Put = fn(&mut Overrides, &str);
        let settings: [(&str, Put); 5] = [
            ("PAYWIZARD_TILL_ID (--till-id)", |o, v| {
                o.till_id = Some(v.into())
            }),
            ("PAYWIZARD_CHANNEL (--channel)", |o, v| {
                o.channel = Some(v.into())
            }),
            ("PAYWIZARD_CURRENCY (--currency)", |o, v| {
                o.currency = Some(v.into())
            }),
            ("PAYWIZARD_ENV (--env)", |o, v| o.env = Some(v.into())),
            ("PAYWIZARD_BASE_URL (--base-url)", |o, v| {
                o.base_url = Some(v.into())
            }),
        ];
        for value in [
            secret.to_owned(),
            format!("http://{secret}.example/"),
            format!("https://x/{secret}?"),
            format!("gopher://{secret}"),
        ] {
            for (key, put) in settings {
                let mut o = creds();
                put(&mut o, &value);
                let Err(err) = Config::resolve(&o, &FileConfig::default()) else {
                    continue; // e.g. an https URL with the secret in its path is a URL
                };
                let text = err.to_string();
                assert!(text.starts_with(key), "{text}");
                assert!(!text.to_lowercase().contains("s3cr3t"), "{text}");
            }
        }
    }

    #[test]
    fn staff_settings_default_and_are_checked() {
        let c = Config::resolve(&Overrides::default(), &FileConfig::default()).unwrap();
        assert_eq!(c.staff, StaffSettings::default());
        assert_eq!(c.staff.pin_policy(), crate::journal::PinPolicy::default());
        let file = FileConfig {
            manager_over: Some("100.00".into()),
            lock_after_min: Some(3),
            pin_attempts: Some(3),
            pin_lockout_min: Some(15),
            ..FileConfig::default()
        };
        let c = Config::resolve(&Overrides::default(), &file).unwrap();
        assert_eq!(c.staff.manager_over, Some(Amount::from_minor(10_000)));
        assert_eq!(c.staff.lock_after, Duration::from_secs(180));
        assert_eq!(c.staff.pin_attempts, 3);
        assert_eq!(c.staff.pin_lockout, Duration::from_secs(900));
        let seconds = FileConfig {
            lock_after_s: Some(45),
            ..FileConfig::default()
        };
        let c = Config::resolve(&Overrides::default(), &seconds).unwrap();
        assert_eq!(c.staff.lock_after, Duration::from_secs(45));
        for (file, key) in [
            (
                FileConfig {
                    manager_over: Some("ten".into()),
                    ..FileConfig::default()
                },
                "manager_over",
            ),
            (
                FileConfig {
                    lock_after_min: Some(0),
                    ..FileConfig::default()
                },
                "lock_after_min",
            ),
            (
                FileConfig {
                    lock_after_s: Some(0),
                    ..FileConfig::default()
                },
                "lock_after_s",
            ),
            (
                FileConfig {
                    lock_after_s: Some(30),
                    lock_after_min: Some(1),
                    ..FileConfig::default()
                },
                "lock_after_s",
            ),
            (
                FileConfig {
                    pin_attempts: Some(0),
                    ..FileConfig::default()
                },
                "pin_attempts",
            ),
            (
                FileConfig {
                    pin_lockout_min: Some(24 * 60 + 1),
                    ..FileConfig::default()
                },
                "pin_lockout_min",
            ),
        ] {
            let err = Config::resolve(&Overrides::default(), &file).unwrap_err();
            assert!(err.to_string().starts_with(key), "{err}");
        }
    }

    #[test]
    fn the_channel_is_short_and_plain() {
        let mut o = creds();
        o.channel = Some("C".repeat(MAX_CHANNEL_LEN));
        assert!(Config::resolve(&o, &FileConfig::default()).is_ok());
        o.channel = Some("C".repeat(MAX_CHANNEL_LEN + 1));
        let err = Config::resolve(&o, &FileConfig::default()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "PAYWIZARD_CHANNEL (--channel): at most 32 characters"
        );
    }
}

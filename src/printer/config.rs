//! The `[printer]` section of the config file and `PAYWIZARD_PRINTER`.

use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::{Target, Timeouts};
use crate::config::ConfigError;
use crate::receipt::CodePage;
use crate::receipt::escpos::Paper;

/// Characters per line the till lays receipts out for: 58 mm paper (32), 80 mm paper in
/// font A (42) or font B (48).
pub const WIDTHS: [usize; 3] = [32, 42, 48];
pub const DEFAULT_WIDTH: usize = 42;

/// `[printer]` as written in the file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FilePrinter {
    /// `tcp://HOST:PORT` or `HOST[:PORT]` (raw port 9100).
    pub address: Option<String>,
    /// `/dev/usb/lp0`, a serial device, or a file.
    pub device: Option<PathBuf>,
    pub width: Option<u64>,
    /// Print every approved operation by itself.
    pub auto: Option<bool>,
    pub codepage: Option<String>,
    pub connect_timeout_ms: Option<u64>,
    pub write_timeout_ms: Option<u64>,
}

/// The printer the till prints on, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrinterSettings {
    /// `None`: no printer is set up (receipts can still be shown and saved).
    pub target: Option<Target>,
    pub paper: Paper,
    pub auto: bool,
    pub timeouts: Timeouts,
}

impl Default for PrinterSettings {
    fn default() -> Self {
        PrinterSettings {
            target: None,
            paper: Paper {
                width: DEFAULT_WIDTH,
                codepage: CodePage::default(),
            },
            auto: false,
            timeouts: Timeouts::default(),
        }
    }
}

/// `from_env` (`PAYWIZARD_PRINTER` or `--printer`) wins over the file's address or device.
pub fn resolve(from_env: Option<&str>, file: &FilePrinter) -> Result<PrinterSettings, ConfigError> {
    let invalid = |key: &'static str, reason: String| ConfigError::Invalid { key, reason };
    let from_env = from_env.map(str::trim).filter(|s| !s.is_empty());
    let target = match (from_env, &file.address, &file.device) {
        (Some(text), _, _) => {
            Some(Target::parse(text).map_err(|r| invalid("PAYWIZARD_PRINTER (--printer)", r))?)
        }
        (None, Some(_), Some(_)) => {
            return Err(invalid(
                "printer",
                "set address (network) or device (path), not both".into(),
            ));
        }
        (None, Some(address), None) => {
            Some(Target::tcp(address).map_err(|r| invalid("printer.address", r))?)
        }
        (None, None, Some(device)) if device.as_os_str().is_empty() => {
            return Err(invalid("printer.device", "is empty".into()));
        }
        (None, None, Some(device)) => Some(Target::Device(device.clone())),
        (None, None, None) => None,
    };
    let width = match file.width {
        None => DEFAULT_WIDTH,
        Some(w) => WIDTHS
            .into_iter()
            .find(|&ok| ok as u64 == w)
            .ok_or_else(|| invalid("printer.width", "must be 32, 42 or 48 columns".into()))?,
    };
    let codepage = match &file.codepage {
        None => CodePage::default(),
        Some(name) => CodePage::parse(name).ok_or_else(|| {
            invalid(
                "printer.codepage",
                format!("must be one of {}", CodePage::choices()),
            )
        })?,
    };
    let auto = file.auto.unwrap_or(false);
    if auto && target.is_none() {
        return Err(invalid(
            "printer.auto",
            "needs a printer: set printer.address or printer.device (or PAYWIZARD_PRINTER)".into(),
        ));
    }
    let defaults = Timeouts::default();
    let ms = |v: Option<u64>, default: Duration, key: &'static str| match v {
        None => Ok(default),
        Some(0) => Err(invalid(key, "must be more than 0".into())),
        Some(n) => Ok(Duration::from_millis(n)),
    };
    Ok(PrinterSettings {
        target,
        paper: Paper { width, codepage },
        auto,
        timeouts: Timeouts {
            connect: ms(
                file.connect_timeout_ms,
                defaults.connect,
                "printer.connect_timeout_ms",
            )?,
            write: ms(
                file.write_timeout_ms,
                defaults.write,
                "printer.write_timeout_ms",
            )?,
            close: defaults.close,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nothing_set_means_no_printer() {
        let s = resolve(None, &FilePrinter::default()).unwrap();
        assert_eq!(s, PrinterSettings::default());
        assert_eq!(s.paper.width, 42);
    }

    #[test]
    fn the_environment_beats_the_file() {
        let file = FilePrinter {
            device: Some("/dev/usb/lp0".into()),
            ..FilePrinter::default()
        };
        let s = resolve(Some("10.0.0.9"), &file).unwrap();
        assert_eq!(
            s.target,
            Some(Target::Tcp {
                host: "10.0.0.9".into(),
                port: 9100
            })
        );
        let s = resolve(Some("  "), &file).unwrap();
        assert_eq!(s.target, Some(Target::Device("/dev/usb/lp0".into())));
    }

    #[test]
    fn mistakes_name_the_setting() {
        let cases = [
            (
                FilePrinter {
                    width: Some(40),
                    ..FilePrinter::default()
                },
                "printer.width: must be 32, 42 or 48 columns",
            ),
            (
                FilePrinter {
                    auto: Some(true),
                    ..FilePrinter::default()
                },
                "printer.auto: needs a printer",
            ),
            (
                FilePrinter {
                    address: Some("a:1".into()),
                    device: Some("/dev/usb/lp0".into()),
                    ..FilePrinter::default()
                },
                "printer: set address (network) or device (path), not both",
            ),
            (
                FilePrinter {
                    codepage: Some("utf8".into()),
                    ..FilePrinter::default()
                },
                "printer.codepage: must be one of pc437,",
            ),
            (
                FilePrinter {
                    address: Some("host:0".into()),
                    ..FilePrinter::default()
                },
                "printer.address: the port must be",
            ),
        ];
        for (file, want) in cases {
            let err = resolve(None, &file).unwrap_err().to_string();
            assert!(err.starts_with(want), "{err}");
        }
    }
}

//! Where receipts go: a raw TCP socket (`tcp://HOST:PORT`, `HOST:PORT`, port 9100 when left
//! out) or a device or file path (`/dev/usb/lp0`, a serial device, a file for testing).

use std::fmt;
use std::path::PathBuf;

/// The raw ESC/POS port of network receipt printers.
pub const DEFAULT_PORT: u16 = 9100;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Tcp {
        host: String,
        port: u16,
    },
    /// Written to as it is: the till never creates it (a missing `/dev/usb/lp0` means the
    /// printer is unplugged, not that a file should appear there).
    Device(PathBuf),
}

impl fmt::Display for Target {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Target::Tcp { host, port } if host.contains(':') => write!(f, "tcp://[{host}]:{port}"),
            Target::Tcp { host, port } => write!(f, "tcp://{host}:{port}"),
            Target::Device(path) => write!(f, "{}", path.display()),
        }
    }
}

impl Target {
    /// `PAYWIZARD_PRINTER`: a value with a `/` (and no `tcp://`) is a path; anything else is
    /// a network address.
    pub fn parse(text: &str) -> Result<Target, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err("is empty".into());
        }
        if text.contains("://") || !text.contains(['/', '\\']) {
            return Target::tcp(text);
        }
        Ok(Target::Device(PathBuf::from(text)))
    }

    /// A network address: `tcp://HOST:PORT`, `HOST:PORT`, `HOST`, `[::1]:PORT`.
    pub fn tcp(text: &str) -> Result<Target, String> {
        let text = text.trim();
        let rest = match text.split_once("://") {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("tcp") => rest,
            Some(_) => return Err("only tcp:// addresses (raw port 9100) are supported".into()),
            None => text,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
            let (host, after) = v6
                .split_once(']')
                .ok_or_else(|| "has an unclosed [".to_owned())?;
            match after {
                "" => (host, None),
                _ => (
                    host,
                    Some(
                        after
                            .strip_prefix(':')
                            .ok_or_else(|| "expected :PORT after ]".to_owned())?,
                    ),
                ),
            }
        } else {
            match rest.rsplit_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (rest, None),
            }
        };
        let host_ok = !host.is_empty()
            && host.len() <= 253
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '_'));
        if !host_ok {
            return Err("needs a host name or IP address (letters, digits, . and -)".into());
        }
        let port = match port {
            None => DEFAULT_PORT,
            Some(p) => p
                .parse::<u16>()
                .ok()
                .filter(|&p| p > 0)
                .ok_or_else(|| "the port must be a number from 1 to 65535".to_owned())?,
        };
        Ok(Target::Tcp {
            host: host.to_owned(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tcp(host: &str, port: u16) -> Target {
        Target::Tcp {
            host: host.into(),
            port,
        }
    }

    #[test]
    fn addresses_and_paths_are_told_apart() {
        assert_eq!(
            Target::parse("tcp://10.0.0.7:9100"),
            Ok(tcp("10.0.0.7", 9100))
        );
        assert_eq!(
            Target::parse("printer.local:9101"),
            Ok(tcp("printer.local", 9101))
        );
        assert_eq!(
            Target::parse("printer.local"),
            Ok(tcp("printer.local", 9100))
        );
        assert_eq!(Target::parse("[::1]:9100"), Ok(tcp("::1", 9100)));
        assert_eq!(Target::parse("tcp://[::1]"), Ok(tcp("::1", 9100)));
        assert_eq!(
            Target::parse("/dev/usb/lp0"),
            Ok(Target::Device("/dev/usb/lp0".into()))
        );
        assert_eq!(
            Target::parse("./receipts.bin"),
            Ok(Target::Device("./receipts.bin".into()))
        );
    }

    #[test]
    fn nonsense_is_refused() {
        for bad in [
            "",
            "host:0",
            "host:70000",
            "host:port",
            "http://h:1",
            "a b:1",
            "[::1",
        ] {
            assert!(Target::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn it_reads_back_as_it_is_written() {
        assert_eq!(tcp("10.0.0.7", 9100).to_string(), "tcp://10.0.0.7:9100");
        assert_eq!(tcp("::1", 9100).to_string(), "tcp://[::1]:9100");
    }
}

//! Where the store's database is and how to reach it safely: the `postgres://` URL, its
//! `sslmode`, and a name for it that is safe to print (never the password).

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

use super::StoreError;

/// `sslmode`, with libpq's meanings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SslMode {
    /// Plain TCP.
    Disable,
    /// TLS if the server offers it, else plain; the certificate is not checked (libpq's
    /// default).
    Prefer,
    /// TLS or nothing; the certificate is not checked (libpq's `require`).
    Require,
    /// TLS, the certificate chain checked against `sslrootcert` (or the public roots) and
    /// the host name matched. `verify-ca` is treated the same: rustls always checks the
    /// name, which is stricter, never weaker.
    VerifyFull,
}

impl SslMode {
    fn parse(value: &str) -> Result<SslMode, StoreError> {
        match value {
            "disable" => Ok(SslMode::Disable),
            "allow" | "prefer" => Ok(SslMode::Prefer),
            "require" => Ok(SslMode::Require),
            "verify-ca" | "verify-full" => Ok(SslMode::VerifyFull),
            _ => Err(StoreError::Address(
                "sslmode must be disable, allow, prefer, require, verify-ca or verify-full".into(),
            )),
        }
    }
}

/// A parsed store address.
#[derive(Clone)]
pub struct StoreAddress {
    pub(crate) config: tokio_postgres::Config,
    pub ssl_mode: SslMode,
    root_cert: Option<std::path::PathBuf>,
    /// `postgres://user@host:port/db`: what messages show.
    shown: String,
}

/// The password is part of `config`; only `shown` may ever be printed.
impl std::fmt::Debug for StoreAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoreAddress")
            .field("shown", &self.shown)
            .field("ssl_mode", &self.ssl_mode)
            .finish_non_exhaustive()
    }
}

impl StoreAddress {
    /// Parses `postgres://user:password@host:port/db?sslmode=...&sslrootcert=...`. The error
    /// never repeats the text, which holds a password.
    pub fn parse(text: &str) -> Result<StoreAddress, StoreError> {
        let bad = |why: &str| StoreError::Address(why.to_owned());
        let url = reqwest::Url::parse(text.trim())
            .map_err(|_| bad("not a URL; expected postgres://user:password@host:port/database"))?;
        if !matches!(url.scheme(), "postgres" | "postgresql") {
            return Err(bad("must start with postgres://"));
        }
        let host = url
            .host_str()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| bad("has no host"))?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        let user = percent_decode(url.username());
        if user.is_empty() {
            return Err(bad("has no user name"));
        }
        let database = url.path().trim_start_matches('/');
        let database = if database.is_empty() {
            "postgres".to_owned()
        } else {
            percent_decode(database)
        };
        let port = url.port().unwrap_or(5432);
        let mut ssl_mode = SslMode::Prefer;
        let mut root_cert = None;
        let mut config = tokio_postgres::Config::new();
        for (key, value) in url.query_pairs() {
            match key.as_ref() {
                "sslmode" => ssl_mode = SslMode::parse(&value)?,
                "sslrootcert" => root_cert = Some(std::path::PathBuf::from(value.as_ref())),
                "connect_timeout" => {
                    let secs: u64 = value
                        .parse()
                        .map_err(|_| bad("connect_timeout must be whole seconds"))?;
                    config.connect_timeout(std::time::Duration::from_secs(secs));
                }
                "application_name" => {
                    config.application_name(value.as_ref());
                }
                _ => {
                    return Err(bad(
                        "has a query parameter the till does not know (sslmode, sslrootcert, connect_timeout, application_name)",
                    ));
                }
            }
        }
        config
            .host(&host)
            .port(port)
            .user(&user)
            .dbname(&database)
            .ssl_mode(match ssl_mode {
                SslMode::Disable => tokio_postgres::config::SslMode::Disable,
                SslMode::Prefer => tokio_postgres::config::SslMode::Prefer,
                SslMode::Require | SslMode::VerifyFull => tokio_postgres::config::SslMode::Require,
            });
        if let Some(password) = url.password() {
            config.password(percent_decode(password));
        }
        if config.get_application_name().is_none() {
            config.application_name("paywizard-till");
        }
        let shown_host = if host.contains(':') {
            format!("[{host}]")
        } else {
            host
        };
        Ok(StoreAddress {
            config,
            ssl_mode,
            root_cert,
            shown: format!("postgres://{user}@{shown_host}:{port}/{database}"),
        })
    }

    /// What a message may say about this database.
    pub fn shown(&self) -> &str {
        &self.shown
    }

    /// The TLS set-up for this `sslmode` (unused with `disable`).
    pub(crate) fn tls(&self) -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = rustls::ClientConfig::builder_with_provider(Arc::clone(&provider))
            .with_safe_default_protocol_versions()
            .map_err(|e| StoreError::Address(format!("TLS set-up: {e}")))?;
        let config = match self.ssl_mode {
            SslMode::VerifyFull => {
                let mut roots = rustls::RootCertStore::empty();
                match &self.root_cert {
                    Some(path) => {
                        let certs = CertificateDer::pem_file_iter(path)
                            .and_then(|it| it.collect::<Result<Vec<_>, _>>())
                            .map_err(|e| {
                                StoreError::Address(format!("sslrootcert {}: {e}", path.display()))
                            })?;
                        for cert in certs {
                            roots.add(cert).map_err(|e| {
                                StoreError::Address(format!("sslrootcert {}: {e}", path.display()))
                            })?;
                        }
                    }
                    None => roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned()),
                }
                builder.with_root_certificates(roots).with_no_client_auth()
            }
            SslMode::Disable | SslMode::Prefer | SslMode::Require => builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(EncryptOnly(provider)))
                .with_no_client_auth(),
        };
        Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

/// libpq's `require`/`prefer`: the connection is encrypted, the server is not
/// authenticated (its signature over the handshake is still checked). Use `verify-full`
/// to authenticate the server.
#[derive(Debug)]
struct EncryptOnly(Arc<rustls::crypto::CryptoProvider>);

impl ServerCertVerifier for EncryptOnly {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shown_name_never_has_the_password() {
        let a = StoreAddress::parse(
            "postgres://till:s3cr%40t@db.example:6543/store?sslmode=verify-full",
        )
        .unwrap();
        assert_eq!(a.shown(), "postgres://till@db.example:6543/store");
        assert_eq!(a.ssl_mode, SslMode::VerifyFull);
        assert_eq!(a.config.get_password(), Some(&b"s3cr@t"[..]));
        assert!(!format!("{a:?}").contains("s3cr"));
    }

    #[test]
    fn bad_addresses_are_refused_without_repeating_them() {
        for bad in [
            "mysql://till:pw-secret@h/db",
            "postgres://:pw-secret@h/db",
            "postgres://till:pw-secret@h/db?sslmode=sometimes",
            "postgres://till:pw-secret@h/db?password=pw-secret",
            "pw-secret",
        ] {
            let err = StoreAddress::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("pw-secret"), "{bad}: {err}");
        }
    }

    #[test]
    fn defaults_follow_libpq() {
        let a = StoreAddress::parse("postgresql://u@127.0.0.1/").unwrap();
        assert_eq!(a.ssl_mode, SslMode::Prefer);
        assert_eq!(a.shown(), "postgres://u@127.0.0.1:5432/postgres");
    }
}

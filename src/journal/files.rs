//! The journal's files on disk: where they really are, and who may read them.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

use super::JournalError;

/// Sets owner-only permissions (0600) on files this module creates: the journal holds
/// full card numbers inside the request bodies of open rows.
pub(crate) fn owner_only(opts: &mut OpenOptions) -> &mut OpenOptions {
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    opts
}

/// Tightens an existing file to 0600 (a journal copied in or created by an older build).
pub(crate) fn restrict(path: &Path) -> Result<(), JournalError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if path.exists() {
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o600)).map_err(
                |source| JournalError::Io {
                    path: path.to_path_buf(),
                    source,
                },
            )?;
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// `<path><suffix>`: SQLite's `-wal` and `-shm`, our `.lock`.
pub(crate) fn sidecar(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

/// Creates the journal file if needed (owner-only, parent folders too) and returns the
/// file it really is, symlinks resolved. The lock, SQLite and its `-wal` all use that
/// path, so a second name for the same file (a symlink, `..`) meets the same lock.
pub(crate) fn create_real(path: &Path) -> Result<PathBuf, JournalError> {
    let io = |at: &Path| {
        let at = at.to_path_buf();
        move |source| JournalError::Io { path: at, source }
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(io(parent))?;
    }
    // Create the file ourselves so SQLite never makes it world-readable; SQLite gives its
    // -wal and -shm files the database file's mode. Opening follows a symlink, so a
    // dangling one gets its target created.
    owner_only(OpenOptions::new().write(true).create(true))
        .open(path)
        .map_err(io(path))?;
    std::fs::canonicalize(path).map_err(io(path))
}

/// A file-size limit (`ulimit -f`, a quota) must make a journal write fail with an error
/// the till reports, not kill the process between sending a request and recording its
/// answer: SIGXFSZ's default action is to terminate.
pub(crate) fn survive_file_size_limit() {
    #[cfg(unix)]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            // SAFETY: setting a signal's disposition to SIG_IGN installs no handler code;
            // it is async-signal-safe and affects nothing but how SIGXFSZ is delivered.
            unsafe {
                libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            }
        });
    }
}

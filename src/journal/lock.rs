//! One writer per journal file: an exclusive OS lock on `<journal>.lock`.
//!
//! SQLite's own locking keeps the file consistent, but two tills writing one journal would
//! each take the other's `sending` rows for its own crash leftovers and try to recover them.
//! The OS lock is released by the kernel when the process dies, so a crash
//! never leaves a stale lock behind; the pid inside is only there to name the other process.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use super::JournalError;

/// How long a busy lock is retried before the journal counts as taken: 10 x 20 ms.
const RELEASE_WAIT_ATTEMPTS: u32 = 10;
const RELEASE_WAIT_STEP: std::time::Duration = std::time::Duration::from_millis(20);

/// Holds the lock for as long as it lives.
#[derive(Debug)]
pub(crate) struct LockFile {
    // Never read: dropping the File is what releases the lock.
    _file: File,
}

/// `<journal>.lock`, beside the journal.
pub(crate) fn lock_path(journal: &Path) -> PathBuf {
    let mut name = journal.as_os_str().to_owned();
    name.push(".lock");
    PathBuf::from(name)
}

impl LockFile {
    /// Locks `journal` (the real file, symlinks resolved); `shown` is the name the user
    /// gave it, for the message.
    pub(crate) fn acquire(journal: &Path, shown: &Path) -> Result<LockFile, JournalError> {
        let path = lock_path(journal);
        let io_err = |source| JournalError::Io {
            path: path.clone(),
            source,
        };
        // No truncate here: the file may belong to a running till, whose pid we want to read.
        let mut file =
            super::files::owner_only(OpenOptions::new().read(true).write(true).create(true))
                .open(&path)
                .map_err(io_err)?;
        let mut attempts = 0;
        loop {
            match file.try_lock() {
                Ok(()) => break,
                // A process forked by any thread of ours shares our descriptors until it
                // execs, and with them a lock we have just released; give that a moment.
                Err(TryLockError::WouldBlock) if attempts < RELEASE_WAIT_ATTEMPTS => {
                    attempts += 1;
                    std::thread::sleep(RELEASE_WAIT_STEP);
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(JournalError::Locked {
                        path: shown.to_path_buf(),
                        pid: read_pid(&mut file),
                    });
                }
                Err(TryLockError::Error(e)) => return Err(io_err(e)),
            }
        }
        // Ours now: replace whatever pid a previous (dead) owner left.
        file.set_len(0).map_err(io_err)?;
        file.seek(SeekFrom::Start(0)).map_err(io_err)?;
        writeln!(file, "{}", std::process::id()).map_err(io_err)?;
        file.flush().map_err(io_err)?;
        Ok(LockFile { _file: file })
    }
}

/// Best effort: on Windows the lock is mandatory and the read fails, which just means we
/// cannot name the process.
fn read_pid(file: &mut File) -> Option<u32> {
    let mut text = String::new();
    file.read_to_string(&mut text).ok()?;
    text.trim().parse().ok()
}

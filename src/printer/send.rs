//! Sending one print job, with timeouts, and telling a job the printer took whole from one
//! it did not.
//!
//! Over TCP a job counts as printed when every byte was written, the printer had not hung
//! up before the till closed its side (a printer cannot know a job is over before that),
//! and it did not reset the connection afterwards (which it does when it drops bytes it
//! had not read). A printer that keeps the connection open after the till's close has
//! still received everything: after `close` the job counts as printed.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::path::Path;
use std::time::{Duration, Instant};

use super::{Problem, Target, Timeouts};

pub(crate) fn send(target: &Target, job: &[u8], timeouts: &Timeouts) -> Result<(), Problem> {
    match target {
        Target::Tcp { host, port } => send_tcp(host, *port, job, timeouts),
        Target::Device(path) => send_device(path, job, timeouts),
    }
}

fn send_tcp(host: &str, port: u16, job: &[u8], timeouts: &Timeouts) -> Result<(), Problem> {
    let addresses: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| Problem::Unreachable(format!("cannot be found ({e})")))?
        .collect();
    let mut last = Problem::Unreachable("has no address".into());
    let mut connected = None;
    for address in addresses {
        match TcpStream::connect_timeout(&address, timeouts.connect) {
            Ok(stream) => {
                connected = Some(stream);
                break;
            }
            Err(e) => last = connect_problem(&e, timeouts.connect),
        }
    }
    let mut stream = connected.ok_or(last)?;
    let _ = stream.set_nodelay(true);
    stream
        .set_write_timeout(Some(timeouts.write))
        .map_err(|e| Problem::Io(e.to_string()))?;
    stream
        .write_all(job)
        .and_then(|()| stream.flush())
        .map_err(|e| write_problem(&e, timeouts.write))?;
    if hung_up(&stream) {
        return Err(Problem::HungUp);
    }
    stream
        .shutdown(Shutdown::Write)
        .map_err(|e| write_problem(&e, timeouts.write))?;
    drain(&mut stream, timeouts.close)
}

/// Whether the printer has already closed or reset its end (checked without waiting).
fn hung_up(stream: &TcpStream) -> bool {
    if stream.set_nonblocking(true).is_err() {
        return false;
    }
    let mut byte = [0; 1];
    let peeked = stream.peek(&mut byte);
    let _ = stream.set_nonblocking(false);
    match peeked {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => e.kind() != io::ErrorKind::WouldBlock,
    }
}

/// Waits (up to `close`) for the printer to close its end after ours; a reset means it
/// dropped part of the job. Anything it sends meanwhile (status bytes) is read and dropped.
fn drain(stream: &mut TcpStream, close: Duration) -> Result<(), Problem> {
    let deadline = Instant::now() + close;
    let mut buf = [0; 256];
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Ok(());
        }
        stream
            .set_read_timeout(Some(left))
            .map_err(|e| Problem::Io(e.to_string()))?;
        match stream.read(&mut buf) {
            Ok(0) => {
                return match stream.take_error() {
                    Ok(Some(_)) => Err(Problem::HungUp),
                    _ => Ok(()),
                };
            }
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
                ) =>
            {
                return Ok(());
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(write_problem(&e, close)),
        }
    }
}

fn connect_problem(e: &io::Error, timeout: Duration) -> Problem {
    match e.kind() {
        io::ErrorKind::ConnectionRefused => Problem::Refused,
        io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => Problem::NoAnswer(timeout),
        _ => Problem::Unreachable(format!("cannot be reached ({e})")),
    }
}

fn write_problem(e: &io::Error, timeout: Duration) -> Problem {
    match e.kind() {
        io::ErrorKind::BrokenPipe
        | io::ErrorKind::ConnectionReset
        | io::ErrorKind::ConnectionAborted
        | io::ErrorKind::UnexpectedEof
        | io::ErrorKind::WriteZero => Problem::HungUp,
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut => Problem::Stalled(timeout),
        _ => Problem::Io(e.to_string()),
    }
}

/// Opened without blocking (a serial line waiting for carrier, a FIFO nobody reads) and
/// written in pieces until the write timeout: a printer that stops taking data fails the
/// job instead of hanging the till.
fn send_device(path: &Path, job: &[u8], timeouts: &Timeouts) -> Result<(), Problem> {
    let mut device = open_device(path).map_err(|e| open_problem(&e))?;
    let deadline = Instant::now() + timeouts.write;
    let mut written = 0;
    while written < job.len() {
        match device.write(&job[written..]) {
            Ok(0) => return Err(Problem::HungUp),
            Ok(n) => written += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                if Instant::now() >= deadline {
                    return Err(Problem::Stalled(timeouts.write));
                }
                std::thread::sleep(Duration::from_millis(5));
            }
            Err(e) => return Err(write_problem(&e, timeouts.write)),
        }
    }
    device
        .flush()
        .map_err(|e| write_problem(&e, timeouts.write))
}

#[cfg(unix)]
fn open_device(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt as _;
    std::fs::OpenOptions::new()
        .append(true)
        .custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY)
        .open(path)
}

#[cfg(not(unix))]
fn open_device(path: &Path) -> io::Result<std::fs::File> {
    std::fs::OpenOptions::new().append(true).open(path)
}

fn open_problem(e: &io::Error) -> Problem {
    match e.kind() {
        io::ErrorKind::NotFound => Problem::Missing,
        io::ErrorKind::PermissionDenied => Problem::Denied,
        // ENXIO: a FIFO nobody reads, or a device with nothing behind it.
        _ if e.raw_os_error() == Some(6) => Problem::NotReady,
        _ => Problem::Io(e.to_string()),
    }
}

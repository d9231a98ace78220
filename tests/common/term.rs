//! Drives the real binary in a pseudo-terminal and reads the screen as a person would see
//! it (vt100 interprets the escape sequences). No tmux needed.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use portable_pty::{Child, CommandBuilder, MasterPty, PtySize, native_pty_system};

pub struct Term {
    parser: Arc<Mutex<vt100::Parser>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    _master: Box<dyn MasterPty + Send>,
}

impl Term {
    /// Starts the binary with a clean PayWizard environment plus `env`.
    pub fn spawn(args: &[&str], env: &[(&str, &str)], cols: u16, rows: u16) -> Term {
        let pty = native_pty_system()
            .openpty(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("a pseudo-terminal");
        let mut cmd = CommandBuilder::new(env!("CARGO_BIN_EXE_paywizard-till"));
        cmd.args(args);
        for (key, _) in std::env::vars() {
            if key.starts_with("PAYWIZARD") {
                cmd.env_remove(key);
            }
        }
        cmd.env("TERM", "xterm-256color");
        for (k, v) in env {
            cmd.env(k, v);
        }
        let child = pty.slave.spawn_command(cmd).expect("the binary starts");
        let mut reader = pty.master.try_clone_reader().unwrap();
        let writer = pty.master.take_writer().unwrap();
        let parser = Arc::new(Mutex::new(vt100::Parser::new(
            rows.try_into().expect("rows > 0"),
            cols.try_into().expect("cols > 0"),
            0,
        )));
        let sink = Arc::clone(&parser);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
            }
        });
        Term {
            parser,
            writer,
            child,
            _master: pty.master,
        }
    }

    /// Sends bytes in one write, as a keyboard-wedge scanner would (one burst).
    pub fn send(&mut self, bytes: &[u8]) {
        self.writer.write_all(bytes).unwrap();
        self.writer.flush().unwrap();
    }

    /// Types each character with a pause, as a person would.
    pub fn type_slowly(&mut self, text: &str, gap: Duration) {
        for c in text.chars() {
            let mut buf = [0u8; 4];
            self.send(c.encode_utf8(&mut buf).as_bytes());
            thread::sleep(gap);
        }
    }

    pub fn screen(&self) -> String {
        self.parser.lock().unwrap().screen().contents()
    }

    /// Waits until the screen contains `needle`; on timeout the panic shows the screen.
    pub fn wait_for(&self, needle: &str, timeout: Duration) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if screen.contains(needle) {
                return screen;
            }
            if start.elapsed() > timeout {
                panic!("waited {timeout:?} for {needle:?}; the screen shows:\n{screen}");
            }
            thread::sleep(Duration::from_millis(25));
        }
    }

    /// Waits for the process to exit and returns its exit code.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<u32> {
        let start = Instant::now();
        while start.elapsed() < timeout {
            if let Ok(Some(status)) = self.child.try_wait() {
                return Some(status.exit_code());
            }
            thread::sleep(Duration::from_millis(25));
        }
        None
    }

    pub fn kill(&mut self) {
        let _ = self.child.kill();
    }

    /// `kill -9`: no signal handler, no destructor, no terminal restore — a power cut.
    #[cfg(unix)]
    pub fn kill_hard(&mut self) {
        if let Some(pid) = self.child.process_id() {
            let pid = libc::pid_t::try_from(pid).expect("a pid fits pid_t");
            // SAFETY: plain syscall on a child we started; a stale pid only fails.
            unsafe { libc::kill(pid, libc::SIGKILL) };
        }
        let _ = self.wait_exit(Duration::from_secs(5));
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

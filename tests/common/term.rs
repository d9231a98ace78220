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
    /// Every byte the program wrote, for escape sequences the screen does not keep.
    output: Arc<Mutex<Vec<u8>>>,
    writer: Box<dyn Write + Send>,
    child: Box<dyn Child + Send + Sync>,
    master: Box<dyn MasterPty + Send>,
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
        let output = Arc::new(Mutex::new(Vec::new()));
        let raw = Arc::clone(&output);
        thread::spawn(move || {
            let mut buf = [0u8; 8192];
            while let Ok(n) = reader.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock().unwrap().process(&buf[..n]);
                raw.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Term {
            parser,
            output,
            writer,
            child,
            master: pty.master,
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

    /// Everything the program has written so far.
    pub fn output(&self) -> Vec<u8> {
        self.output.lock().unwrap().clone()
    }

    /// Whether the program left the terminal on its alternate screen.
    pub fn alternate_screen(&self) -> bool {
        self.parser.lock().unwrap().screen().alternate_screen()
    }

    pub fn cursor_hidden(&self) -> bool {
        self.parser.lock().unwrap().screen().hide_cursor()
    }

    pub fn bracketed_paste(&self) -> bool {
        self.parser.lock().unwrap().screen().bracketed_paste()
    }

    /// The terminal's line discipline: (canonical input, echo). A program that leaves raw
    /// mode on leaves both off (`stty` shows `-icanon -echo`).
    #[cfg(unix)]
    pub fn line_mode(&self) -> Option<(bool, bool)> {
        let fd = self.master.as_raw_fd()?;
        // SAFETY: a zeroed termios is a valid value to be filled in by tcgetattr.
        let mut t: libc::termios = unsafe { std::mem::zeroed() };
        // SAFETY: fd is the pty master this Term owns; t is a valid termios to write.
        if unsafe { libc::tcgetattr(fd, &mut t) } != 0 {
            return None;
        }
        Some((t.c_lflag & libc::ICANON != 0, t.c_lflag & libc::ECHO != 0))
    }

    /// The window changes size, as when a person drags its corner.
    pub fn resize(&mut self, cols: u16, rows: u16) {
        self.master
            .resize(PtySize {
                rows,
                cols,
                pixel_width: 0,
                pixel_height: 0,
            })
            .expect("the pty resizes");
        self.parser.lock().unwrap().set_size(
            rows.try_into().expect("rows > 0"),
            cols.try_into().expect("cols > 0"),
        );
    }

    /// Sends a signal to the program (SIGTERM, SIGINT, SIGHUP...).
    #[cfg(unix)]
    pub fn signal(&mut self, signal: libc::c_int) {
        let pid = self.child.process_id().expect("a running child");
        let pid = libc::pid_t::try_from(pid).expect("a pid fits pid_t");
        // SAFETY: plain syscall on a child we started; a stale pid only fails.
        unsafe { libc::kill(pid, signal) };
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

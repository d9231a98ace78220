//! A throwaway PostgreSQL cluster for the store tests: `initdb` into a temp dir, `postgres`
//! on a free loopback port, stopped (and the dir removed) when the handle drops. No mocks:
//! the store code talks to the same server a store runs.
//!
//! The server binaries are found under `/usr/lib/postgresql/*/bin` (Debian's layout), via
//! `pg_config --bindir`, or on `PATH`. As root, `initdb` and `postgres` refuse to run, so
//! they run as the `postgres` user. Where no server exists, [`Pg::start`] returns `None`
//! after saying so loudly; under `CI=true` it panics instead, so CI can never pass by
//! skipping the store tests.
#![allow(dead_code)]

use std::fs;
use std::io::Write as _;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// The database user the tills connect as, and its password (a test value, grepped for).
pub const USER: &str = "till";
pub const PASSWORD: &str = "PGPASS-n3ver-print-me";
pub const DATABASE: &str = "store";

pub struct Pg {
    bin: PathBuf,
    dir: tempfile::TempDir,
    child: Option<Child>,
    pub port: u16,
    run_as: Option<(u32, u32)>,
    /// With [`Pg::start_tls`]: the server's certificate (PEM), which a client may trust.
    pub tls_cert: Option<PathBuf>,
}

impl Pg {
    /// A running, empty cluster with database [`DATABASE`], or `None` where this machine
    /// has no PostgreSQL server (never under CI).
    pub fn start() -> Option<Pg> {
        Pg::start_with(false)
    }

    /// [`Pg::start`] with TLS on: a fresh self-signed certificate for `localhost` and
    /// `127.0.0.1`, whose PEM is at [`Pg::tls_cert`].
    pub fn start_tls() -> Option<Pg> {
        Pg::start_with(true)
    }

    fn start_with(tls: bool) -> Option<Pg> {
        let Some(bin) = server_bin_dir() else {
            let msg = "NO POSTGRESQL SERVER FOUND (looked in /usr/lib/postgresql/*/bin, \
                       pg_config --bindir, PATH): the store tests did NOT run. \
                       Install it with `apt-get install -y postgresql`.";
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("{msg}");
            }
            eprintln!("\n!!! {msg}\n");
            return None;
        };
        let run_as = if unsafe { libc::geteuid() } == 0 {
            Some(
                postgres_user().expect("running as root needs a `postgres` user to run the server"),
            )
        } else {
            None
        };
        let dir = tempfile::Builder::new()
            .prefix("paywizard-pg-")
            .tempdir()
            .expect("a temp dir");
        if let Some((uid, gid)) = run_as {
            chown(dir.path(), uid, gid);
        }
        let data = dir.path().join("data");
        let pwfile = dir.path().join("pw");
        fs::write(&pwfile, format!("{PASSWORD}\n")).unwrap();
        fs::set_permissions(&pwfile, fs::Permissions::from_mode(0o644)).unwrap();
        let mut initdb = Command::new(bin.join("initdb"));
        initdb
            .arg("-D")
            .arg(&data)
            .args(["-U", USER, "--pwfile"])
            .arg(&pwfile)
            .args(["--auth-host=scram-sha-256", "--auth-local=trust"])
            .args(["-E", "UTF8", "--no-sync", "--locale=C"]);
        let out = as_user(&mut initdb, run_as)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .expect("initdb runs");
        assert!(
            out.status.success(),
            "initdb failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        fs::remove_file(&pwfile).unwrap();
        let mut pg = Pg {
            bin,
            dir,
            child: None,
            port: 0,
            run_as,
            tls_cert: None,
        };
        if tls {
            pg.make_certificate();
        }
        pg.launch();
        pg.create_database();
        Some(pg)
    }

    /// `postgres://till:<password>@127.0.0.1:<port>/store` plus `extra` query text.
    pub fn url(&self) -> String {
        format!(
            "postgres://{USER}:{PASSWORD}@127.0.0.1:{}/{DATABASE}?sslmode=disable",
            self.port
        )
    }

    /// Stops the server (fast shutdown); the data stays for [`Pg::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
            let deadline = Instant::now() + Duration::from_secs(20);
            while Instant::now() < deadline {
                if child.try_wait().ok().flatten().is_some() {
                    return;
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts the stopped server again on the same port and data.
    pub fn restart(&mut self) {
        self.stop();
        self.launch();
    }

    /// Runs SQL through `psql` as the cluster owner (for test set-up and inspection).
    pub fn psql(&self, sql: &str) -> String {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .args([
                "-d",
                DATABASE,
                "-X",
                "-A",
                "-t",
                "-v",
                "ON_ERROR_STOP=1",
                "-c",
                sql,
            ])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "psql {sql:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// Everything in the store database as `pg_dump` writes it.
    pub fn dump(&self) -> String {
        let out = Command::new(self.bin.join("pg_dump"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                USER,
                DATABASE,
            ])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("pg_dump runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn make_certificate(&mut self) {
        let certified = rcgen::generate_simple_self_signed(vec![
            "localhost".to_owned(),
            "127.0.0.1".to_owned(),
        ])
        .expect("a certificate");
        let data = self.dir.path().join("data");
        let cert = data.join("server.crt");
        let key = data.join("server.key");
        fs::write(&cert, certified.cert.pem()).unwrap();
        fs::write(&key, certified.signing_key.serialize_pem()).unwrap();
        // The server refuses a key others can read.
        fs::set_permissions(&key, fs::Permissions::from_mode(0o600)).unwrap();
        if let Some((uid, gid)) = self.run_as {
            chown(&cert, uid, gid);
            chown(&key, uid, gid);
        }
        let client_copy = self.dir.path().join("server-ca.pem");
        fs::write(&client_copy, certified.cert.pem()).unwrap();
        self.tls_cert = Some(client_copy);
    }

    fn launch(&mut self) {
        let data = self.dir.path().join("data");
        let log = self.dir.path().join("server.log");
        for attempt in 0.. {
            if self.port == 0 || attempt > 0 {
                self.port = free_port();
            }
            let _ = fs::remove_file(&log);
            let log_file = fs::File::create(&log).unwrap();
            if let Some((uid, gid)) = self.run_as {
                chown(&log, uid, gid);
            }
            let mut cmd = Command::new(self.bin.join("postgres"));
            cmd.arg("-D")
                .arg(&data)
                .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-k"])
                .arg(self.dir.path())
                // A test cluster: durability is not what is under test here.
                .args(["-c", "fsync=off", "-c", "full_page_writes=off"])
                .args(if self.tls_cert.is_some() {
                    &["-c", "ssl=on"][..]
                } else {
                    &[][..]
                })
                .stdin(Stdio::null())
                .stdout(log_file.try_clone().unwrap())
                .stderr(log_file);
            // If the test process dies without unwinding, the server must not outlive it.
            unsafe {
                cmd.pre_exec(|| {
                    libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
                    Ok(())
                });
            }
            let child = as_user(&mut cmd, self.run_as)
                .spawn()
                .expect("postgres starts");
            self.child = Some(child);
            if self.wait_ready(&log) {
                return;
            }
            self.stop();
            assert!(attempt < 5, "postgres would not start:\n{}", read(&log));
        }
    }

    fn wait_ready(&mut self, log: &Path) -> bool {
        let deadline = Instant::now() + Duration::from_secs(30);
        while Instant::now() < deadline {
            let text = read(log);
            if text.contains("ready to accept connections") {
                return true;
            }
            if let Some(child) = self.child.as_mut()
                && child.try_wait().ok().flatten().is_some()
            {
                return false; // e.g. the port was taken meanwhile
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    }

    fn create_database(&self) {
        let out = Command::new(self.bin.join("psql"))
            .args(["-h", "127.0.0.1", "-p", &self.port.to_string(), "-U", USER])
            .args([
                "-d",
                "postgres",
                "-X",
                "-c",
                &format!("CREATE DATABASE {DATABASE}"),
            ])
            .env("PGPASSWORD", PASSWORD)
            .output()
            .expect("psql runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Pg {
    fn drop(&mut self) {
        self.stop();
    }
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_default()
}

fn as_user(cmd: &mut Command, run_as: Option<(u32, u32)>) -> &mut Command {
    if let Some((uid, gid)) = run_as {
        cmd.uid(uid).gid(gid);
        // The server's HOME must be somewhere it may read; root's is not.
        cmd.env("HOME", "/tmp");
    }
    cmd.current_dir("/")
}

fn chown(path: &Path, uid: u32, gid: u32) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).unwrap();
    let rc = unsafe { libc::chown(c.as_ptr(), uid, gid) };
    assert_eq!(rc, 0, "chown {}", path.display());
}

fn postgres_user() -> Option<(u32, u32)> {
    let name = std::ffi::CString::new("postgres").unwrap();
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return None;
    }
    Some(unsafe { ((*pw).pw_uid, (*pw).pw_gid) })
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn server_bin_dir() -> Option<PathBuf> {
    let has_server = |dir: &Path| dir.join("postgres").is_file() && dir.join("initdb").is_file();
    let mut debian: Vec<PathBuf> = fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|p| has_server(p))
        .collect();
    debian.sort_by_key(|p| {
        p.parent()
            .and_then(|v| v.file_name())
            .and_then(|v| v.to_str())
            .and_then(|v| v.parse::<u32>().ok())
            .unwrap_or(0)
    });
    if let Some(newest) = debian.pop() {
        return Some(newest);
    }
    if let Ok(out) = Command::new("pg_config").arg("--bindir").output()
        && out.status.success()
    {
        let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
        if has_server(&dir) {
            return Some(dir);
        }
    }
    std::env::var_os("PATH").and_then(|paths| std::env::split_paths(&paths).find(|p| has_server(p)))
}

/// Writes `text` to a new file in `dir` (helper for TLS material and the like).
pub fn write_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    let mut f = fs::File::create(&path).unwrap();
    f.write_all(text.as_bytes()).unwrap();
    path
}

//! The cashier screen from a cold start: the release binary in a pseudo-terminal (120x40)
//! with a 100,000-row journal. Targets (issue 7): first frame under 50 ms; resident memory
//! under 30 MB.
//!
//! Timed from just before the spawn to the moment the first complete frame has been read
//! back from the terminal (its last row, the key bar, is on screen), and to the frame that
//! shows the first history page (`this shift (100)`). Resident memory (VmRSS, and the peak
//! VmHWM) is read from `/proc/<pid>/status` once the history page is on screen (Linux).
//!
//! Run: `cargo bench --bench startup` (cargo builds the release binary first). Options, by
//! environment: `STARTUP_BENCH_RUNS` (default 20), `PAYWIZARD_TILL_BIN` (another binary).

mod common;

use std::io::{Read, Write};
use std::path::Path;
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use paywizard_till::journal::Journal;
use portable_pty::{CommandBuilder, PtySize, native_pty_system};
use time::macros::datetime;

const ROWS: i64 = 100_000;
const COLS: u16 = 120;
const LINES: u16 = 40;
const TILL_ID: &str = "7";
const FIRST_FRAME_TARGET: Duration = Duration::from_millis(50);
const RSS_TARGET_KB: u64 = 30 * 1024;
/// The key bar, the last row drawn: when it is on screen the whole first frame is.
const FIRST_FRAME_MARK: &str = "Ctrl+Q  quit";
const HISTORY_MARK: &str = "this shift (100)";
/// The quit question: a journal with unknown outcomes asks before quitting, wherever the
/// screen is (the recovery window that opens by itself included).
const QUIT_MARK: &str = "Quit?";

fn build_journal(path: &Path, rows: i64) {
    let started = Instant::now();
    let mut j = Journal::open(path, TILL_ID).expect("open the bench journal");
    let t0 = datetime!(2025-01-01 08:00:00 UTC);
    let entries = common::synthetic_rows(rows, TILL_ID, t0);
    let n = j.bulk_load_for_bench(entries).expect("bulk load");
    assert_eq!(n as i64, rows);
    println!(
        "built a {n}-row journal ({:.1} MB) in {:.1?}",
        std::fs::metadata(path).map_or(0.0, |m| m.len() as f64 / 1e6),
        started.elapsed()
    );
}

struct Run {
    /// Ctrl+Q asked first (the journal's unknown outcomes had been read by then).
    asked: bool,
    first_output: Duration,
    first_frame: Duration,
    history: Duration,
    rss_kb: Option<u64>,
    hwm_kb: Option<u64>,
}

/// `VmRSS` and `VmHWM` of `pid`, in kB.
fn memory_kb(pid: u32) -> (Option<u64>, Option<u64>) {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return (None, None);
    };
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
    };
    (field("VmRSS:"), field("VmHWM:"))
}

fn run_once(env: &[(&str, &str)]) -> Run {
    let pty = native_pty_system()
        .openpty(PtySize {
            rows: LINES,
            cols: COLS,
            pixel_width: 0,
            pixel_height: 0,
        })
        .expect("a pseudo-terminal");
    let mut cmd = CommandBuilder::new(common::till_binary());
    for (key, _) in std::env::vars() {
        if key.starts_with("PAYWIZARD") {
            cmd.env_remove(key);
        }
    }
    cmd.env("TERM", "xterm-256color");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut reader = pty.master.try_clone_reader().expect("pty reader");
    let mut writer = pty.master.take_writer().expect("pty writer");

    // The reader stamps each mark the moment the bytes that complete it are read.
    let (tx, rx) = mpsc::channel::<(&'static str, Instant)>();
    let started = Instant::now();
    let mut child = pty.slave.spawn_command(cmd).expect("the binary starts");
    drop(pty.slave);
    let pid = child.process_id();
    let reading = thread::spawn(move || {
        let mut parser = vt100::Parser::new(
            LINES.try_into().expect("rows > 0"),
            COLS.try_into().expect("cols > 0"),
            0,
        );
        let mut buf = [0u8; 16 * 1024];
        let mut marks: Vec<&'static str> =
            vec!["output", FIRST_FRAME_MARK, HISTORY_MARK, QUIT_MARK];
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            let now = Instant::now();
            if marks.first() == Some(&"output") {
                marks.remove(0);
                let _ = tx.send(("output", now));
            }
            parser.process(&buf[..n]);
            if marks.is_empty() {
                continue;
            }
            let screen = parser.screen().contents();
            marks.retain(|mark| {
                let seen = screen.contains(mark);
                if seen {
                    let _ = tx.send((mark, now));
                }
                !seen
            });
        }
    });

    let mut first_output = None;
    let mut first_frame = None;
    let mut history = None;
    let deadline = Instant::now() + Duration::from_secs(10);
    while history.is_none() || first_frame.is_none() {
        let left = deadline.saturating_duration_since(Instant::now());
        let Ok((mark, at)) = rx.recv_timeout(left) else {
            let _ = child.kill();
            panic!("the till did not show {HISTORY_MARK:?} within 10 s");
        };
        let since = at - started;
        match mark {
            "output" => first_output = Some(since),
            FIRST_FRAME_MARK => first_frame = Some(since),
            HISTORY_MARK => history = Some(since),
            _ => {}
        }
    }
    let (rss_kb, hwm_kb) = pid.map_or((None, None), memory_kb);

    // Ctrl+Q: quit. With unknown outcomes in the journal the till asks first and says how
    // many; y answers. Nothing else may stand in the way (a window that opened by itself
    // must not swallow the key).
    writer.write_all(b"\x11").expect("send Ctrl+Q");
    writer.flush().expect("flush");
    let quit_by = Instant::now() + Duration::from_secs(5);
    let mut asked = false;
    let status = loop {
        if let Ok(Some(status)) = child.try_wait() {
            break Some(status);
        }
        if !asked && rx.try_recv().is_ok_and(|(mark, _)| mark == QUIT_MARK) {
            asked = true;
            writer.write_all(b"y").expect("answer y");
            writer.flush().expect("flush");
        }
        if Instant::now() > quit_by {
            let _ = child.kill();
            break None;
        }
        thread::sleep(Duration::from_millis(5));
    };
    assert!(
        status.as_ref().is_some_and(|s| s.success()),
        "the till quits cleanly on Ctrl+Q: {status:?}"
    );
    drop(writer);
    drop(pty.master);
    let _ = reading.join();
    Run {
        asked,
        first_output: first_output.expect("some output"),
        first_frame: first_frame.expect("a first frame"),
        history: history.expect("the history page"),
        rss_kb,
        hwm_kb,
    }
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn report(what: &str, runs: &[Run]) {
    let pick = |f: fn(&Run) -> Duration| runs.iter().map(f).collect::<Vec<_>>();
    let max = |v: Vec<Duration>| v.into_iter().max().unwrap_or_default();
    let frame = pick(|r| r.first_frame);
    println!(
        "{what}, {} runs (load average {}):",
        runs.len(),
        common::loadavg()
    );
    println!(
        "  first output      median {:.1?}  max {:.1?}",
        median(pick(|r| r.first_output)),
        max(pick(|r| r.first_output))
    );
    println!(
        "  first frame       median {:.1?}  max {:.1?}  (target < {FIRST_FRAME_TARGET:?}: {})",
        median(frame.clone()),
        max(frame.clone()),
        if median(frame) < FIRST_FRAME_TARGET {
            "MET"
        } else {
            "MISSED"
        }
    );
    println!(
        "  history page shown median {:.1?}  max {:.1?}",
        median(pick(|r| r.history)),
        max(pick(|r| r.history))
    );
    println!(
        "  every run quit cleanly on Ctrl+Q ({} of them asked first: unknown outcomes open)",
        runs.iter().filter(|r| r.asked).count()
    );
    let rss: Vec<u64> = runs.iter().filter_map(|r| r.rss_kb).collect();
    let hwm: Vec<u64> = runs.iter().filter_map(|r| r.hwm_kb).collect();
    if let (Some(rss_max), Some(hwm_max)) = (rss.iter().max(), hwm.iter().max()) {
        println!(
            "  VmRSS max {:.1} MB, VmHWM max {:.1} MB  (target < {} MB: {})",
            *rss_max as f64 / 1024.0,
            *hwm_max as f64 / 1024.0,
            RSS_TARGET_KB / 1024,
            if *hwm_max < RSS_TARGET_KB {
                "MET"
            } else {
                "MISSED"
            }
        );
    } else {
        println!("  (resident memory is read on Linux only)");
    }
}

fn main() {
    if !common::selected(&["startup", "first frame", "rss"]) {
        return;
    }
    // Under `cargo test --benches` (a debug build): one run on a small journal, to check
    // that it still works.
    let (runs, rows): (usize, i64) = if common::bench_mode() {
        let runs = std::env::var("STARTUP_BENCH_RUNS")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(20);
        (runs, ROWS)
    } else {
        (1, 1_000)
    };
    let dir = tempfile::tempdir().expect("a temp dir");
    let journal = dir.path().join("journal.sqlite3");
    build_journal(&journal, rows);
    let journal = journal.display().to_string();
    let sandbox = [
        ("PAYWIZARD_ENV", "sandbox"),
        // Nothing listens there; nothing is sent at startup.
        ("PAYWIZARD_BASE_URL", "http://127.0.0.1:9"),
        ("PAYWIZARD_CLIENT_ID", "825429536610058240"),
        (
            "PAYWIZARD_CLIENT_SECRET",
            "5f1c0d7e9a2b4c6d8e0f1a3b5c7d9e1f",
        ),
        ("PAYWIZARD_JWT_TOKEN", "BENCHTOKEN0000000000000000000001"),
        ("PAYWIZARD_TILL_ID", TILL_ID),
        ("PAYWIZARD_TILL_JOURNAL", journal.as_str()),
    ];
    let demo = [
        ("PAYWIZARD_ENV", "demo"),
        ("PAYWIZARD_TILL_ID", TILL_ID),
        ("PAYWIZARD_TILL_JOURNAL", journal.as_str()),
    ];
    for (what, env) in [
        ("sandbox till", &sandbox[..]),
        ("demo till (+ in-process simulator)", &demo[..]),
    ] {
        let what = format!("{what}, {rows}-row journal, {COLS}x{LINES}");
        // One untimed run: the binary and the journal into the page cache.
        run_once(env);
        let results: Vec<Run> = (0..runs).map(|_| run_once(env)).collect();
        report(&what, &results);
    }
}

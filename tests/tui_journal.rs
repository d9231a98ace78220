//! The journal around a real screen session (the binary in a pseudo-terminal): when the
//! cashier quits, the shift is folded into the journal's main file, so losing the `-wal`
//! afterwards loses nothing and the next tranOrderNo is still new.

mod common;

use common::run_async as till;

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use common::term::Term;
use common::{CARD, journal_in, sandbox_env, start_sim, stderr, stdout};
use serde_json::Value;

const CTRL_Q: &str = "\x11";
const SCREEN_WAIT: Duration = Duration::from_secs(15);

fn json(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{} / {}",
        stdout(out),
        stderr(out)
    );
    serde_json::from_str(stdout(out).trim()).unwrap()
}

fn wal_len(journal: &Path) -> u64 {
    std::fs::metadata(format!("{}-wal", journal.display())).map_or(0, |m| m.len())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_wal_after_the_screen_quits_loses_nothing_and_numbers_stay_new() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = || sandbox_env(&sim.base_url(), &journal);

    // Two approved payments: they keep their card for a tip, so nothing checkpoints them
    // yet; they live in the -wal.
    let mut numbers = Vec::new();
    for amount in ["1.00", "2.00"] {
        let pay = json(
            &till(
                &["pay", "--account", CARD, "--amount", amount, "--json"],
                env(),
            )
            .await,
        );
        numbers.push(pay["tranOrderNo"].as_str().unwrap().to_owned());
    }
    assert!(wal_len(&journal) > 0, "the payments are in the -wal");

    // A screen session that just quits.
    let screen_env = env();
    let home = dir.path().display().to_string();
    let code = tokio::task::spawn_blocking(move || {
        let mut env: Vec<(&str, &str)> = screen_env
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        env.push(("HOME", &home));
        let mut term = Term::spawn(&[], &env, 100, 30);
        term.wait_for("Ready", SCREEN_WAIT);
        term.send(CTRL_Q.as_bytes());
        term.wait_exit(SCREEN_WAIT)
    })
    .await
    .unwrap();
    assert_eq!(code, Some(0), "the till quits cleanly");
    assert_eq!(
        wal_len(&journal),
        0,
        "quitting folded the -wal into the journal"
    );

    for suffix in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", journal.display()));
    }
    let history = json(&till(&["history", "--json"], env()).await);
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 2, "history intact: {history}");
    assert!(entries.iter().all(|e| e["state"] == "approved"));

    let next = json(
        &till(
            &["pay", "--account", CARD, "--amount", "3.00", "--json"],
            env(),
        )
        .await,
    );
    let next = next["tranOrderNo"].as_str().unwrap().to_owned();
    assert!(!numbers.contains(&next), "{next} was handed out before");
    assert_eq!(
        next[18..26],
        numbers[0][18..26],
        "same journal, same instance id"
    );
    assert_eq!(sim.transactions().len(), 3, "three sales, three applied");
}

//! The journal's hash chain, as an auditor uses it: sales through the real binary, then
//! `verify`; then the file edited the way someone with the `sqlite3` shell would (the
//! triggers dropped first, since they refuse such edits), and `verify` must say so, naming
//! the first entry that no longer matches.

mod common;

use common::run_async as till;

use std::path::Path;

use common::{
    CARD, CASHIER, MANAGER, add_staff, approved_by, as_staff, journal_in, run_till, sandbox_env,
    start_sim, stderr, stdout,
};
use paywizard_till::journal::Journal;
use rusqlite::Connection;

/// Three sales and a void of the last: four rows.
async fn shift(journal: &Path) -> String {
    let sim = start_sim().await;
    let env = || sandbox_env(&sim.base_url(), journal);
    for args in [
        &["issue-points", "--account", CARD, "--points", "25"][..],
        &["top-up", "--account", CARD, "--amount", "10.00"],
        &["pay", "--account", CARD, "--amount", "3.50", "--json"],
    ] {
        let out = till(args, env()).await;
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", stdout(&out));
    }
    let history = till(&["history", "--json"], env()).await;
    let v: serde_json::Value = serde_json::from_str(stdout(&history).trim()).unwrap();
    let pay = v["entries"][0]["tranOrderNo"].as_str().unwrap().to_owned();
    let out = till(&["void", "--order", &pay], env()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    pay
}

fn verify(journal: &Path) -> (Option<i32>, String) {
    let env = vec![(
        "PAYWIZARD_TILL_JOURNAL".to_owned(),
        journal.display().to_string(),
    )];
    let out = run_till(&["verify".to_owned()], &env);
    (out.status.code(), stdout(&out))
}

/// An outside tool's connection: no till functions, so every trigger must go first.
fn tamper_all(journal: &Path, sql: &str) {
    let conn = Connection::open(journal).unwrap();
    let triggers: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_schema WHERE type = 'trigger'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    for t in triggers {
        conn.execute_batch(&format!("DROP TRIGGER {t}")).unwrap();
    }
    conn.execute_batch(sql).unwrap();
}

/// An outside tool's connection: no till functions, so the triggers must go first.
fn tamper(journal: &Path, sql: &str) {
    let conn = Connection::open(journal).unwrap();
    conn.execute_batch(
        "DROP TRIGGER IF EXISTS entries_event_insert;
         DROP TRIGGER IF EXISTS entries_event_update;
         DROP TRIGGER IF EXISTS entries_no_delete;",
    )
    .unwrap();
    conn.execute_batch(sql).unwrap();
}

fn copy(from: &Path, dir: &tempfile::TempDir, name: &str) -> std::path::PathBuf {
    // Fold the -wal in first, so one file is the whole journal.
    drop(Journal::open(from, "1").unwrap());
    let conn = Connection::open(from).unwrap();
    conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
        .unwrap();
    drop(conn);
    let to = dir.path().join(name);
    std::fs::copy(from, &to).unwrap();
    to
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_passes_on_a_real_shift_and_names_the_first_outside_edit() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    shift(&journal).await;
    let (code, text) = verify(&journal);
    assert_eq!(code, Some(0), "{text}");
    let entries: u64 = text.split_whitespace().next().unwrap().parse().unwrap();
    // Four rows, each journaled and then settled; the void also marks the sale voided.
    assert_eq!(entries, 4 * 2 + 1, "{text}");
    assert!(text.trim().ends_with("entries, chain intact"), "{text}");

    // The sqlite3 shell cannot change a row while the triggers stand.
    let conn = Connection::open(&journal).unwrap();
    let refused = conn.execute("UPDATE entries SET amount_minor = 1 WHERE id = 2", []);
    assert!(
        refused.is_err(),
        "an outside edit went through the triggers"
    );
    drop(conn);
    assert_eq!(verify(&journal).0, Some(0));

    // An amount edited.
    let edited = copy(&journal, &dir, "edited.sqlite3");
    tamper(
        &edited,
        "UPDATE entries SET amount_minor = 100 WHERE id = 2;",
    );
    let (code, text) = verify(&edited);
    assert_eq!(code, Some(1), "{text}");
    assert!(
        text.contains("entries row 2 no longer holds what was recorded"),
        "{text}"
    );

    // A row deleted (the top-up).
    let deleted = copy(&journal, &dir, "deleted.sqlite3");
    tamper(&deleted, "DELETE FROM entries WHERE id = 2;");
    let (code, text) = verify(&deleted);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("row 2 is gone"), "{text}");

    // Two rows swapped: their contents trade places under the same ids.
    let swapped = copy(&journal, &dir, "swapped.sqlite3");
    tamper(
        &swapped,
        "UPDATE entries SET id = -1 WHERE id = 1;
         UPDATE entries SET id = 1 WHERE id = 2;
         UPDATE entries SET id = 2 WHERE id = -1;",
    );
    let (code, text) = verify(&swapped);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("row 1 no longer holds"), "{text}");

    // The chain itself edited: an event removed, or its hash replaced.
    let gap = copy(&journal, &dir, "gap.sqlite3");
    tamper(&gap, "DELETE FROM events WHERE seq = 3;");
    let (code, text) = verify(&gap);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("entry 3 is missing"), "{text}");
    let rehashed = copy(&journal, &dir, "rehashed.sqlite3");
    tamper(
        &rehashed,
        "UPDATE events SET chain_hash = zeroblob(32) WHERE seq = 4;",
    );
    let (code, text) = verify(&rehashed);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("entry 4"), "{text}");

    // Triggers gone but nothing changed yet: said, since later edits would go unseen.
    let bare = copy(&journal, &dir, "bare.sqlite3");
    tamper(&bare, "");
    let (code, text) = verify(&bare);
    assert_eq!(code, Some(1), "{text}");
    assert!(text.contains("triggers were removed"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_outbox_lists_every_change_in_order_and_scrubbing_a_card_is_not_one() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    shift(&journal).await;
    let j = Journal::open_read_only(&journal).unwrap();
    let all = j.changes_after(0, 1000).unwrap();
    assert_eq!(all.len() as i64, j.last_event().unwrap());
    assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
    // Every row appears, and its last change shows it as it stands now.
    let mut last = std::collections::BTreeMap::new();
    for c in &all {
        last.insert(c.row.id, c.row.state);
    }
    assert_eq!(last.len(), 4);
    let states: Vec<String> = last.values().map(|s| s.to_string()).collect();
    assert_eq!(states, ["approved", "approved", "voided", "approved"]);
    // Resuming from the middle gives exactly the rest.
    let half = all[all.len() / 2].seq;
    let rest = j.changes_after(half, 1000).unwrap();
    assert_eq!(rest, all[all.len() / 2 + 1..].to_vec());
    // Paging.
    assert_eq!(j.changes_after(0, 3).unwrap(), all[..3].to_vec());
    // The settled rows gave up their card numbers (a body change) without a new event:
    // each row is journaled once and settled once, and the void marks its sale voided.
    assert_eq!(all.len(), 4 * 2 + 1);
}

/// A staffed shift with every kind of chained row: bob's payment, voided with ann's
/// approval; ann's Z; bob locked out by five wrong PINs; ann's sale in the next shift.
async fn staffed_shift(journal: &Path) {
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), journal);
    add_staff(&env);
    let bob = as_staff(&env, CASHIER.0, CASHIER.1);
    let ann = as_staff(&env, MANAGER.0, MANAGER.1);
    let out = till(
        &["pay", "--account", CARD, "--amount", "3.00", "--json"],
        bob.clone(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let order = v["tranOrderNo"].as_str().unwrap().to_owned();
    let out = till(
        &["void", "--order", &order],
        approved_by(&bob, MANAGER.0, MANAGER.1),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = till(&["shift", "z"], ann.clone()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    for _ in 0..5 {
        let out = till(&["history"], as_staff(&env, CASHIER.0, "00000000")).await;
        assert_eq!(out.status.code(), Some(77));
    }
    let out = till(&["issue-points", "--account", CARD, "--points", "4"], ann).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn verify_finds_outside_edits_of_who_did_what_staff_and_z_reports() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    staffed_shift(&journal).await;
    let (code, text) = verify(&journal);
    assert_eq!(code, Some(0), "{text}");

    let cases: [(&str, &str, &str); 9] = [
        (
            "cashier",
            "UPDATE entries SET cashier = 'ann' WHERE id = 1;",
            "entries row 1 no longer holds what was recorded",
        ),
        (
            "approver",
            "UPDATE entries SET approved_by = NULL WHERE operation = 'void';",
            "entries row 2 no longer holds what was recorded",
        ),
        (
            "approver-forged",
            "UPDATE entries SET approved_by = 'ann' WHERE id = 3;",
            "entries row 3 no longer holds what was recorded",
        ),
        (
            "role",
            "UPDATE staff SET role = 'manager' WHERE staff_id = 'bob';",
            "staff row 2 no longer holds what was recorded",
        ),
        (
            "pin-hash",
            "UPDATE staff SET pin_hash = (SELECT pin_hash FROM staff WHERE staff_id = 'ann')
             WHERE staff_id = 'bob';",
            "staff row 2 no longer holds what was recorded",
        ),
        (
            "z-totals",
            "UPDATE z_reports SET totals = replace(totals, '\"transactions\":2', '\"transactions\":1');",
            "z_reports row 1 no longer holds what was recorded",
        ),
        (
            "z-deleted",
            "DELETE FROM z_reports;",
            "z row 1 is gone: it was deleted",
        ),
        (
            "lock-erased",
            "DELETE FROM staff_log WHERE action = 'locked';",
            "is gone: it was deleted",
        ),
        (
            "staff-slipped-in",
            "INSERT INTO staff (staff_id, name, role, pin_hash, added_at)
             VALUES ('eve', 'Eve', 'manager', '$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaA', 0);",
            "staff row 3 has no entry in the chain: it was added outside the till",
        ),
    ];
    for (name, sql, says) in cases {
        let copy = copy(&journal, &dir, &format!("{name}.sqlite3"));
        tamper_all(&copy, sql);
        let (code, text) = verify(&copy);
        assert_eq!(code, Some(1), "{name}: {text}");
        assert!(text.contains(says), "{name}: {text}");
    }
    // The z_reports totals really did say 2 transactions (so the edit above changed them).
    let conn = Connection::open(&journal).unwrap();
    let totals: String = conn
        .query_row("SELECT totals FROM z_reports WHERE id = 1", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert!(totals.contains("\"transactions\":2"), "{totals}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_journal_migrates_and_its_old_rows_start_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    // Made by the build before staff existed (schema 4): seven rows, one still unknown.
    std::fs::copy(
        concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/journal-schema4.sqlite3"
        ),
        &journal,
    )
    .unwrap();
    let events = |journal: &Path| -> Vec<(i64, String, Vec<u8>)> {
        let conn = Connection::open(journal).unwrap();
        conn.prepare("SELECT seq, kind, chain_hash FROM events ORDER BY seq")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    };
    let before = events(&journal);
    assert_eq!(before.len(), 15);
    // Readers do not migrate: they say how.
    let (code, _) = verify(&journal);
    assert_eq!(code, Some(78));

    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal);
    let out = till(&["recover", "--list"], env.clone()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the till opens it: {}",
        stderr(&out)
    );
    assert_eq!(
        Connection::open(&journal)
            .unwrap()
            .query_row("PRAGMA user_version", [], |r| r.get::<_, i64>(0))
            .unwrap(),
        paywizard_till::journal::SCHEMA_VERSION
    );
    assert_eq!(
        events(&journal),
        before,
        "the old rows' chain is the start of the new one"
    );
    let (code, text) = verify(&journal);
    assert_eq!((code, text.trim()), (Some(0), "15 entries, chain intact"));
    let out = till(&["history", "--json"], env.clone()).await;
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let entries = v["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 7);
    assert!(
        entries
            .iter()
            .all(|e| e["cashier"].is_null() && e["approvedBy"].is_null())
    );

    // Staff from now on; the old rows stay as they were.
    add_staff(&env);
    let bob = as_staff(&env, CASHIER.0, CASHIER.1);
    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        bob.clone(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (code, text) = verify(&journal);
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(events(&journal)[..15], before[..]);

    // The old unknown row keeps the Z waiting until it is settled.
    let ann = as_staff(&env, MANAGER.0, MANAGER.1);
    let out = till(&["shift", "z"], ann.clone()).await;
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(stdout(&out).contains("1 transaction with an unknown outcome"));
    let out = till(&["recover"], bob).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}{}",
        stdout(&out),
        stderr(&out)
    );
    let out = till(&["shift", "z", "--json"], ann).await;
    let z: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(z["z"], 1);
    assert_eq!(
        (
            z["totals"]["firstRow"].as_i64(),
            z["totals"]["lastRow"].as_i64()
        ),
        (Some(1), Some(8))
    );
    let (code, text) = verify(&journal);
    assert_eq!(code, Some(0), "{text}");
}

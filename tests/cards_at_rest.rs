//! Card numbers at rest: a gift card number is a bearer instrument, so the journal's
//! files (database, `-wal`, `-shm`) keep a full number only while something still needs
//! it: a resend of an open row, or a tip on an approved payment within the tip window.
//! The bytes of the files are searched, not what the journal API returns.

mod common;

use common::{json, run_async as till};

use std::path::Path;
use std::process::Output;

use common::{CARD, journal_in, sandbox_env, start_sim, stderr, stdout, with_var};
use paywizard_till::sim::Fault;

fn code(out: &Output) -> i32 {
    out.status.code().unwrap_or(-1)
}

/// The journal's files (the database, its -wal and -shm) that contain `needle`.
fn files_holding(journal: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut looked = 0;
    for suffix in ["", "-wal", "-shm"] {
        let path = format!("{}{suffix}", journal.display());
        let Ok(bytes) = std::fs::read(&path) else {
            continue;
        };
        looked += 1;
        if bytes.windows(needle.len()).any(|w| w == needle.as_bytes()) {
            found.push(path);
        }
    }
    assert!(looked >= 2, "the database and its -wal are there to search");
    found
}

/// A config file (owner-only, as sandbox wants) with the given tip window.
fn config_with_tip_window(dir: &Path, hours: u64) -> String {
    let path = dir.join("till.toml");
    std::fs::write(&path, format!("tip_window_h = {hours}\n")).unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
    }
    path.display().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_settled_points_sale_leaves_no_card_number_in_the_journal_files() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let out = till(
        &[
            "issue-points",
            "--account",
            CARD,
            "--points",
            "25",
            "--json",
        ],
        sandbox_env(&sim.base_url(), &journal),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let order = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
    assert_eq!(files_holding(&journal, CARD), Vec::<String>::new());
    // What was searched is the real journal: the sale and its masked card are in it.
    assert!(!files_holding(&journal, &order).is_empty());
    assert!(!files_holding(&journal, "**** **** 0014").is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_row_keeps_its_card_resends_it_byte_identically_then_drops_it() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = || sandbox_env(&sim.base_url(), &journal);
    sim.faults().push_next(Fault::DropAfterApply);
    let out = till(
        &[
            "redeem-points",
            "--account",
            CARD,
            "--points",
            "5",
            "--json",
        ],
        env(),
    )
    .await;
    assert_eq!(code(&out), 2, "{}", stdout(&out));
    assert!(
        !files_holding(&journal, CARD).is_empty(),
        "the open row keeps the exact bytes for its resend"
    );

    let out = till(&["recover", "--json"], env()).await;
    assert_eq!(code(&out), 0, "{}", stdout(&out));
    let sent: Vec<Vec<u8>> = sim
        .received()
        .into_iter()
        .filter(|r| r.endpoint == "loyaltyRedemption")
        .map(|r| r.body)
        .collect();
    assert_eq!(sent.len(), 2);
    assert_eq!(sent[0], sent[1], "the resend repeats the journaled bytes");
    assert_eq!(sim.card(CARD).unwrap().points, 120 - 5, "applied once");
    assert_eq!(files_holding(&journal, CARD), Vec::<String>::new());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_payment_keeps_its_card_for_the_tip_window_only() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = || sandbox_env(&sim.base_url(), &journal);
    let out = till(
        &["pay", "--account", CARD, "--amount", "2.00", "--json"],
        env(),
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let order = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
    assert!(
        !files_holding(&journal, CARD).is_empty(),
        "kept so a tip can follow from the history"
    );

    // Next start with a tip window of 0 h: the payment's window is over, and opening the
    // journal drops its card number.
    let short = with_var(
        env(),
        "PAYWIZARD_TILL_CONFIG",
        &config_with_tip_window(dir.path(), 0),
    );
    let out = till(&["recover", "--list"], short.clone()).await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(files_holding(&journal, CARD), Vec::<String>::new());

    // A tip now needs the card again, and it must be the payment's.
    let out = till(
        &["tip", "--order", &order, "--amount", "0.50"],
        short.clone(),
    )
    .await;
    assert_eq!(code(&out), 64);
    assert!(
        stderr(&out).contains("tip window is over"),
        "{}",
        stderr(&out)
    );
    let out = till(
        &[
            "tip",
            "--order",
            &order,
            "--amount",
            "0.50",
            "--account",
            CARD,
            "--json",
        ],
        short,
    )
    .await;
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(json(&out)["status"], "approved");
    assert_eq!(files_holding(&journal, CARD), Vec::<String>::new());
}

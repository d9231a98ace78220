//! Staff through the real binary, the way a manager and a script meet them: adding,
//! listing, removing and re-PINning staff; the PIN kept only as an Argon2id hash; exit 77
//! with nothing sent when the environment lacks credentials or holds wrong ones; voids and
//! large amounts needing a manager; the lockout; the cashier named in history and CSV.

mod common;

use common::{as_cashier as cashier, as_manager as manager};

use common::{json, run_async as till};

use std::path::Path;
use std::process::Output;

use common::{
    CARD, CASHIER, MANAGER, add_staff, approved_by, as_staff, journal_in, run_till,
    run_till_with_stdin, sandbox_env, start_sim, stderr, stdout, with_var,
};
use serde_json::Value;

type Env = Vec<(String, String)>;

fn with_stdin(args: &[&str], env: &Env, stdin: &str) -> Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    run_till_with_stdin(&args, env, stdin)
}

/// Exit 77, one line on stderr saying so, nothing on stdout.
fn assert_not_permitted(out: &Output, says: &str) {
    assert_eq!(
        out.status.code(),
        Some(77),
        "{}{}",
        stdout(out),
        stderr(out)
    );
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("paywizard-till: not permitted: "), "{err}");
    assert!(err.contains(says), "{err}");
    assert!(err.trim_end().ends_with("(nothing was sent)"), "{err}");
    assert!(stdout(out).is_empty(), "{}", stdout(out));
}

fn assert_no_pin(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        for pin in [MANAGER.1, CASHIER.1] {
            assert!(!text.contains(pin), "a PIN was shown: {text}");
        }
    }
}

fn demo_env(journal: &Path) -> Env {
    vec![(
        "PAYWIZARD_TILL_JOURNAL".to_owned(),
        journal.display().to_string(),
    )]
}

#[test]
fn staff_are_added_listed_removed_and_re_pinned() {
    let dir = tempfile::tempdir().unwrap();
    let env = demo_env(&journal_in(&dir));
    let add = |id: &str, role: &str, env: &Env, pin: &str| {
        with_stdin(
            &[
                "staff", "add", "--id", id, "--name", "Cy Clark", "--role", role,
            ],
            env,
            pin,
        )
    };
    // The first must be a manager; a bad PIN or none at all adds nobody.
    let out = add("cy", "cashier", &env, "11112222\n");
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    assert!(stderr(&out).contains("first staff member must be a manager"));
    for bad in ["12\n", "", "12ab5678\n", "123456789\n"] {
        let out = add("ann", "manager", &env, bad);
        assert_eq!(out.status.code(), Some(64), "{bad:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("a PIN is 4 to 8 digits"),
            "{}",
            stderr(&out)
        );
        assert!(bad.is_empty() || !stderr(&out).contains(bad.trim()));
    }
    let out = run_till(&["staff".into(), "list".into(), "--json".into()], &env);
    assert_eq!(json(&out)["staff"], serde_json::json!([]), "nobody yet");

    add_staff(&env);
    // Now a manager's credentials are needed to add anyone.
    assert_not_permitted(
        &add("cy", "cashier", &env, "11112222\n"),
        "PAYWIZARD_CASHIER",
    );
    assert_not_permitted(
        &add("cy", "cashier", &cashier(&env), "11112222\n"),
        "needs a manager",
    );
    let out = add(
        "cy",
        "cashier",
        &approved_by(&cashier(&env), MANAGER.0, MANAGER.1),
        "11112222\n",
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "a manager approving: {}",
        stderr(&out)
    );

    let out = run_till(
        &["staff".into(), "list".into(), "--json".into()],
        &cashier(&env),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let listed = json(&out);
    let rows: Vec<(String, String, String)> = listed["staff"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["id"].as_str().unwrap().into(),
                s["name"].as_str().unwrap().into(),
                s["role"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            ("ann".into(), "Ann Archer".into(), "manager".into()),
            ("bob".into(), "Bob Baker".into(), "cashier".into()),
            ("cy".into(), "Cy Clark".into(), "cashier".into()),
        ]
    );
    let text = stdout(&out);
    assert!(
        !text.contains("argon2") && !text.to_lowercase().contains("pin\""),
        "{text}"
    );
    assert_no_pin(&out);

    // A cashier cannot remove anyone; a manager can; the last manager stays.
    let remove = |id: &str, env: &Env| {
        run_till(
            &["staff".into(), "remove".into(), "--id".into(), id.into()],
            env,
        )
    };
    assert_not_permitted(&remove("cy", &cashier(&env)), "needs a manager");
    let out = remove("cy", &manager(&env));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(stdout(&out).trim(), "removed cy (Cy Clark), cashier");
    let out = remove("ann", &manager(&env));
    assert_eq!(out.status.code(), Some(64));
    assert!(stderr(&out).contains("last manager"), "{}", stderr(&out));
    let out = run_till(&["staff".into(), "list".into()], &cashier(&env));
    assert!(!stdout(&out).contains("cy "), "{}", stdout(&out));
    // cy is no longer staff: cy's PIN opens nothing.
    let out = run_till(&["history".into()], &as_staff(&env, "cy", "11112222"));
    assert_not_permitted(&out, "no staff member has that id");

    // bob sets his own PIN (signed on with the old one); the old one stops working.
    let out = with_stdin(
        &["staff", "pin", "--id", "bob"],
        &cashier(&env),
        "31415926\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_not_permitted(
        &run_till(&["history".into()], &cashier(&env)),
        "wrong PIN for bob",
    );
    let bob_now = as_staff(&env, "bob", "31415926");
    assert_eq!(
        run_till(&["history".into()], &bob_now).status.code(),
        Some(0)
    );
    // Not someone else's; a manager sets anyone's.
    assert_not_permitted(
        &with_stdin(&["staff", "pin", "--id", "ann"], &bob_now, "55556666\n"),
        "needs a manager",
    );
    let out = with_stdin(
        &["staff", "pin", "--id", "bob"],
        &manager(&env),
        "27182818\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        run_till(&["history".into()], &cashier(&env)).status.code(),
        Some(0)
    );
}

/// Every byte of the journal's files: the database, its -wal and its -shm.
fn journal_bytes(journal: &Path) -> Vec<(String, Vec<u8>)> {
    ["", "-wal", "-shm"]
        .iter()
        .filter_map(|suffix| {
            let path = format!("{}{suffix}", journal.display());
            std::fs::read(&path).ok().map(|b| (path, b))
        })
        .collect()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pins_are_kept_only_as_argon2id_hashes() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal);
    add_staff(&env);
    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00"],
        cashier(&env),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_no_pin(&out);
    let out = till(&["history", "--json"], manager(&env)).await;
    assert_no_pin(&out);
    // A wrong PIN too, so a failed sign-on has been through the files.
    let out = till(&["history"], as_staff(&env, "bob", "99999999")).await;
    assert_eq!(out.status.code(), Some(77));

    let files = journal_bytes(&journal);
    assert!(files.len() >= 2, "the database and its -wal");
    for (path, bytes) in &files {
        for pin in [MANAGER.1, CASHIER.1, "99999999"] {
            assert!(!contains(bytes, pin.as_bytes()), "{pin} found in {path}");
        }
    }
    let conn =
        rusqlite::Connection::open_with_flags(&journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let hashes: Vec<String> = conn
        .prepare("SELECT pin_hash FROM staff ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(hashes.len(), 2);
    for h in &hashes {
        assert!(h.starts_with("$argon2id$"), "{h}");
    }
    assert_ne!(hashes[0], hashes[1]);
    // Nor does a PIN ever reach the simulator.
    for req in sim.received() {
        for pin in [MANAGER.1, CASHIER.1] {
            assert!(!contains(&req.body, pin.as_bytes()));
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_or_with_wrong_credentials_exit_77_and_nothing_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    // No staff: everything works as it always did, and the row names nobody.
    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        env.clone(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["cashier"], Value::Null);
    add_staff(&env);
    let before = sim.received().len();

    let pay = ["pay", "--account", CARD, "--amount", "1.00"];
    let cases: Vec<(Env, &str)> = vec![
        (
            env.clone(),
            "needs PAYWIZARD_CASHIER and PAYWIZARD_CASHIER_PIN",
        ),
        (
            with_var(env.clone(), "PAYWIZARD_CASHIER", "bob"),
            "needs PAYWIZARD_CASHIER and PAYWIZARD_CASHIER_PIN",
        ),
        (as_staff(&env, "bob", "27182819"), "wrong PIN for bob"),
        (
            as_staff(&env, "bob", "12"),
            "PAYWIZARD_CASHIER_PIN: a PIN is 4 to 8 digits",
        ),
        (
            as_staff(&env, "nobody", "27182818"),
            "no staff member has that id",
        ),
    ];
    for (env, says) in cases {
        let commands: [&[&str]; 3] = [
            &pay,
            &["issue-points", "--account", CARD, "--points", "5"],
            &["balance", "--account", CARD],
        ];
        for args in commands {
            let out = till(args, env.clone()).await;
            assert_not_permitted(&out, says);
            assert_no_pin(&out);
        }
    }
    assert_eq!(
        sim.received().len(),
        before,
        "the simulator received nothing"
    );

    let out = till(&[&pay[..], &["--json"]].concat(), cashier(&env)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["cashier"], "bob");
    assert_eq!(v["approvedBy"], Value::Null);
    assert!(sim.received().len() > before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cashier_cannot_void_a_manager_can_and_both_are_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    add_staff(&env);
    let out = till(
        &["pay", "--account", CARD, "--amount", "4.00", "--json"],
        cashier(&env),
    )
    .await;
    let order = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
    let sent = sim.received().len();

    let out = till(&["void", "--order", &order], cashier(&env)).await;
    assert_not_permitted(&out, "a void needs a manager");
    // A manager's wrong PIN is no better.
    let out = till(
        &["void", "--order", &order],
        approved_by(&cashier(&env), MANAGER.0, "11111111"),
    )
    .await;
    assert_not_permitted(&out, "wrong PIN for ann");
    // A cashier named as the approver is not a manager.
    let out = till(
        &["void", "--order", &order],
        approved_by(&cashier(&env), CASHIER.0, CASHIER.1),
    )
    .await;
    assert_not_permitted(&out, "bob is not a manager");
    assert_eq!(sim.received().len(), sent, "no void was sent");

    let out = till(
        &["void", "--order", &order, "--json"],
        approved_by(&cashier(&env), MANAGER.0, MANAGER.1),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        (v["cashier"].as_str(), v["approvedBy"].as_str()),
        (Some("bob"), Some("ann"))
    );

    // A manager alone approves their own void.
    let out = till(
        &["pay", "--account", CARD, "--amount", "2.00", "--json"],
        manager(&env),
    )
    .await;
    let second = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
    let out = till(&["void", "--order", &second], manager(&env)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stdout(&out).contains("cashier      ann"),
        "{}",
        stdout(&out)
    );

    let out = till(&["history", "--json"], cashier(&env)).await;
    let entries = json(&out)["entries"].as_array().unwrap().clone();
    let who: Vec<(&str, &str, Option<&str>)> = entries
        .iter()
        .map(|e| {
            (
                e["operation"].as_str().unwrap(),
                e["cashier"].as_str().unwrap(),
                e["approvedBy"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        who,
        [
            ("void", "ann", Some("ann")),
            ("pay", "ann", None),
            ("void", "bob", Some("ann")),
            ("pay", "bob", None),
        ]
    );
    let text = stdout(&till(&["history"], cashier(&env)).await);
    assert!(
        text.lines()
            .any(|l| l.contains("Void") && l.ends_with("bob (approved by ann)")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_amount_over_manager_over_needs_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let config = dir.path().join("till.toml");
    std::fs::write(&config, "manager_over = \"20.00\"\n").unwrap();
    // Private, as a sandbox config must be (else a warning joins the one line checked).
    #[cfg(unix)]
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600)).unwrap();
    let env = with_var(
        sandbox_env(&sim.base_url(), &journal_in(&dir)),
        "PAYWIZARD_TILL_CONFIG",
        &config.display().to_string(),
    );
    add_staff(&env);
    let sent = sim.received().len();
    for args in [
        &["pay", "--account", CARD, "--amount", "20.01"][..],
        &["top-up", "--account", CARD, "--amount", "25.00"],
    ] {
        assert_not_permitted(&till(args, cashier(&env)).await, "needs a manager");
    }
    assert_eq!(sim.received().len(), sent);
    let out = till(
        &["pay", "--account", CARD, "--amount", "20.00"],
        cashier(&env),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "at the limit: {}", stderr(&out));
    // Points are not money: no limit.
    let out = till(
        &["issue-points", "--account", CARD, "--points", "5000"],
        cashier(&env),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = till(
        &["top-up", "--account", CARD, "--amount", "25.00", "--json"],
        approved_by(&cashier(&env), MANAGER.0, MANAGER.1),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(json(&out)["approvedBy"], "ann");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn five_wrong_pins_lock_the_id_across_restarts_and_the_lock_is_journaled() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal);
    add_staff(&env);
    let wrong = as_staff(&env, "bob", "00000000");
    // Through a read-only command and a selling one alike: each is a new process.
    for (n, args) in [
        &["history"][..],
        &["balance", "--account", CARD],
        &["history"],
        &["shift", "x"],
    ]
    .iter()
    .enumerate()
    {
        let out = till(args, wrong.clone()).await;
        assert_not_permitted(
            &out,
            &format!("wrong PIN for bob ({} more wrong PIN", 4 - n),
        );
    }
    let out = till(&["history"], wrong.clone()).await;
    assert_not_permitted(&out, "too many wrong PINs, bob is locked for 5 minutes");
    // The right PIN waits out the lock, in the next process too.
    for args in [
        &["history"][..],
        &["pay", "--account", CARD, "--amount", "1.00"],
    ] {
        let out = till(args, cashier(&env)).await;
        assert_not_permitted(
            &out,
            "bob is locked after too many wrong PINs, for 5 more minutes",
        );
    }
    // Another id is not affected.
    assert_eq!(
        till(&["history"], manager(&env)).await.status.code(),
        Some(0)
    );
    let out = till(&["staff", "list"], manager(&env)).await;
    assert!(
        stdout(&out)
            .lines()
            .any(|l| l.starts_with("bob") && l.contains("locked")),
        "{}",
        stdout(&out)
    );
    let conn =
        rusqlite::Connection::open_with_flags(&journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let (who, detail): (String, String) = conn
        .query_row(
            "SELECT staff_id, detail FROM staff_log WHERE action = 'locked'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(who, "bob");
    assert!(
        detail.starts_with("5 wrong PINs; locked until "),
        "{detail}"
    );
    drop(conn);
    let out = till(&["verify"], env.clone()).await;
    assert_eq!(
        out.status.code(),
        Some(0),
        "the lock is in the chain: {}",
        stdout(&out)
    );
    // A manager's new PIN lifts it.
    let out = with_stdin(
        &["staff", "pin", "--id", "bob"],
        &manager(&env),
        "27182818\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(
        till(&["history"], cashier(&env)).await.status.code(),
        Some(0)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn history_csv_and_reports_name_the_cashier_and_reading_needs_the_right_person() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    let out = till(
        &["issue-points", "--account", CARD, "--points", "3"],
        env.clone(),
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "before there were staff");
    add_staff(&env);
    for (who, args) in [
        (
            cashier(&env),
            &["top-up", "--account", CARD, "--amount", "10.00"][..],
        ),
        (
            cashier(&env),
            &["pay", "--account", CARD, "--amount", "2.50"],
        ),
        (
            manager(&env),
            &["pay", "--account", CARD, "--amount", "1.25"],
        ),
    ] {
        assert_eq!(till(args, who).await.status.code(), Some(0));
    }

    // Reading: history needs staff; report and export a manager; verify nobody.
    assert_not_permitted(&till(&["history"], env.clone()).await, "history needs");
    assert_not_permitted(
        &till(&["report"], cashier(&env)).await,
        "report needs a manager",
    );
    let csv = dir.path().join("shift.csv");
    let csv_arg = csv.display().to_string();
    assert_not_permitted(
        &till(&["export", "--csv", &csv_arg], cashier(&env)).await,
        "export needs a manager",
    );
    assert!(!csv.exists(), "nothing was written");
    assert_eq!(till(&["verify"], env.clone()).await.status.code(), Some(0));

    let out = till(&["history"], cashier(&env)).await;
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 4);
    assert!(lines[0].ends_with("  ann"), "{}", lines[0]);
    assert!(
        lines[1].ends_with("  bob") && lines[2].ends_with("  bob"),
        "{lines:?}"
    );
    assert!(
        !lines[3].contains("bob") && !lines[3].contains("ann"),
        "{}",
        lines[3]
    );

    let out = till(&["export", "--csv", &csv_arg], manager(&env)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut reader = csv::Reader::from_path(&csv).unwrap();
    let header = reader.headers().unwrap().clone();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let cashiers: Vec<&str> = records.iter().map(|r| &r[col("cashier")]).collect();
    assert_eq!(cashiers, ["", "bob", "bob", "ann"]);
    assert!(records.iter().all(|r| r[col("approvedBy")].is_empty()));

    let out = till(&["report", "--by-cashier", "--json"], manager(&env)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    let sections: Vec<(Value, Value, Value)> = v["cashiers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cashier"].clone(),
                c["name"].clone(),
                c["headline"]["transactions"].clone(),
            )
        })
        .collect();
    assert_eq!(
        sections,
        [
            (Value::Null, Value::Null, 1.into()),
            ("ann".into(), "Ann Archer".into(), 1.into()),
            ("bob".into(), "Bob Baker".into(), 2.into()),
        ]
    );
    let bob = &v["cashiers"][2]["headline"];
    assert_eq!(bob["toppedUp"][0]["amount"], "10.00");
    assert_eq!(bob["paid"][0]["amount"], "2.50");
    let text = stdout(&till(&["report", "--by-cashier"], manager(&env)).await);
    assert!(text.contains("Cashier bob (Bob Baker)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn abandoning_an_unknown_row_needs_a_manager() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    add_staff(&env);
    sim.faults().push_next(paywizard_till::sim::Fault::Pending);
    let out = till(
        &["pay", "--account", CARD, "--amount", "3.00", "--json"],
        cashier(&env),
    )
    .await;
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    let order = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
    let abandon = [
        "recover",
        "--abandon",
        &order,
        "--reason",
        "card holder left",
    ];
    assert_not_permitted(&till(&abandon, cashier(&env)).await, "needs a manager");
    let out = till(&["recover", "--list"], cashier(&env)).await;
    assert!(
        stdout(&out).contains(&order),
        "still open: {}",
        stdout(&out)
    );
    let out = till(&abandon, approved_by(&cashier(&env), MANAGER.0, MANAGER.1)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = till(
        &[
            "export",
            "--csv",
            &dir.path().join("x.csv").display().to_string(),
        ],
        manager(&env),
    )
    .await;
    assert_eq!(out.status.code(), Some(0));
    let mut reader = csv::Reader::from_path(dir.path().join("x.csv")).unwrap();
    let header = reader.headers().unwrap().clone();
    let record = reader.records().next().unwrap().unwrap();
    let cell = |name: &str| record[header.iter().position(|h| h == name).unwrap()].to_owned();
    assert_eq!(
        (cell("state"), cell("cashier"), cell("abandonedBy")),
        ("abandoned".into(), "bob".into(), "ann".into())
    );
}

/// What the screen will call through its worker: sign-on with a reason when it fails,
/// whether a request needs a manager, the engine refusing what is not permitted (nothing
/// sent), both ids on the row, the X data and a Z attempt's result.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_engine_api_for_the_screen() {
    use paywizard_till::api::{Operation, TillRequest};
    use paywizard_till::config::{Config, FileConfig, Overrides};
    use paywizard_till::journal::{
        Authority, Journal, Pin, Refusal, SignOnRefusal, ZAttempt, ZRefusal,
    };
    use paywizard_till::money::Amount;
    use paywizard_till::outcome::Status;
    use paywizard_till::till::{Till, TillError};

    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let journal_path = journal_in(&dir);
    add_staff(&sandbox_env(&sim.base_url(), &journal_path));
    let overrides = Overrides {
        journal: Some(journal_path),
        ..common::sandbox_overrides(&sim.base_url(), common::TOKEN, "1")
    };
    let file = FileConfig {
        manager_over: Some("50.00".into()),
        ..FileConfig::default()
    };
    let config = Config::resolve(&overrides, &file).unwrap();
    let journal = Journal::open(&config.journal_path, &config.till_id).unwrap();
    let till = Till::new(&config, journal, time::UtcOffset::UTC).unwrap();
    assert!(till.has_staff().unwrap());

    let pin = |p: &str| Pin::parse(p).unwrap();
    assert_eq!(
        till.sign_on("bob", &pin("11111111")).unwrap(),
        Err(SignOnRefusal::WrongPin {
            id: "bob".into(),
            attempts_left: 4
        })
    );
    let bob = till.sign_on("BOB", &pin(CASHIER.1)).unwrap().unwrap();
    assert_eq!((bob.id(), bob.member().name.as_str()), ("bob", "Bob Baker"));
    let ann = till.sign_on("ann", &pin(MANAGER.1)).unwrap().unwrap();
    till.record_sign_on(&bob).unwrap();

    let mut sale = TillRequest::new(Operation::Pay, CARD);
    sale.amount = Some(Amount::from_minor(1_000));
    let mut big = sale.clone();
    big.amount = Some(Amount::from_minor(5_001));
    let mut void = TillRequest::new(Operation::Void, "");
    assert!(!till.needs_manager(&sale));
    assert!(till.needs_manager(&big) && till.needs_manager(&void));

    let sent = sim.received().len();
    for (request, authority, refusal) in [
        (&sale, Authority::nobody(), Refusal::SignOnNeeded),
        (
            &big,
            Authority::cashier(bob.clone()),
            Refusal::ManagerNeeded,
        ),
    ] {
        match till.execute_as(request, &authority, &mut |_| {}).await {
            Err(TillError::NotPermitted(r)) => assert_eq!(r, refusal),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(sim.received().len(), sent, "nothing was sent");

    let done = till
        .execute_as(&sale, &Authority::cashier(bob.clone()), &mut |_| {})
        .await
        .unwrap();
    assert_eq!(done.outcome.status, Status::Approved);
    void.original_checkout_id = done.outcome.checkout_id.clone();
    let voided = till
        .execute_as(
            &void,
            &Authority::cashier(bob.clone()).approved_by(ann.clone()),
            &mut |_| {},
        )
        .await
        .unwrap();
    let entry = voided.entry.unwrap();
    assert_eq!(
        (entry.cashier.as_deref(), entry.approved_by.as_deref()),
        (Some("bob"), Some("ann"))
    );

    let x = till.shift_x().unwrap();
    assert_eq!((x.shift, x.totals.transactions, x.totals.voided), (1, 2, 1));
    assert_eq!(
        till.close_shift(&Authority::cashier(bob.clone())).unwrap(),
        ZAttempt::Refused(ZRefusal::NotPermitted(Refusal::ManagerNeeded))
    );
    match till.close_shift(&Authority::cashier(ann)).unwrap() {
        ZAttempt::Closed(z) => assert_eq!((z.z, z.totals.totals.transactions), (1, 2)),
        other => panic!("{other:?}"),
    }
    till.record_sign_off(&bob, "signed off").unwrap();
    assert!(till.journal().verify().unwrap().intact());
}

/// On a terminal the PIN is asked for twice with echo off: it never shows on the screen.
#[test]
fn on_a_terminal_the_pin_is_asked_twice_and_never_shown() {
    use common::term::Term;
    use std::time::Duration;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir).display().to_string();
    let env = [("PAYWIZARD_TILL_JOURNAL", journal.as_str())];
    let add = [
        "staff",
        "add",
        "--id",
        "ann",
        "--name",
        "Ann Archer",
        "--role",
        "manager",
    ];
    let wait = Duration::from_secs(20);

    let mut term = Term::spawn(&add, &env, 80, 24);
    term.wait_for("New PIN for ann (4 to 8 digits):", wait);
    term.type_slowly("48151623\r", Duration::from_millis(5));
    term.wait_for("The same PIN again:", wait);
    term.type_slowly("48151624\r", Duration::from_millis(5));
    assert_eq!(term.wait_exit(wait), Some(64));
    // The exit can come before the last output reaches the screen reader.
    let screen = term.wait_for("the two PINs differ", wait);
    assert!(!screen.contains("4815162"), "{screen}");

    let mut term = Term::spawn(&add, &env, 80, 24);
    term.wait_for("New PIN for ann (4 to 8 digits):", wait);
    term.type_slowly("48151623\r", Duration::from_millis(5));
    term.wait_for("The same PIN again:", wait);
    term.type_slowly("48151623\r", Duration::from_millis(5));
    assert_eq!(term.wait_exit(wait), Some(0));
    let screen = term.screen();
    assert!(
        screen.contains("added ann (Ann Archer), manager"),
        "{screen}"
    );
    assert!(!screen.contains("4815162"), "{screen}");
    let signed = as_staff(&demo_env(&journal_in(&dir)), MANAGER.0, MANAGER.1);
    assert_eq!(
        run_till(&["staff".into(), "list".into()], &signed)
            .status
            .code(),
        Some(0)
    );
}

/// A manager adds a cashier while the till's screen holds the journal (its writer lock):
/// the staff change goes in beside it, and the new cashier can sign on at once.
#[test]
fn staff_are_added_beside_a_running_till() {
    use paywizard_till::journal::Journal;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = demo_env(&journal);
    add_staff(&env);
    let running = Journal::open(&journal, "1").unwrap();
    let out = with_stdin(
        &[
            "staff", "add", "--id", "cy", "--name", "Cy Clark", "--role", "cashier",
        ],
        &manager(&env),
        "24682468\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        running.staff_member("cy").unwrap().is_some(),
        "the till sees cy"
    );
    let out = run_till(&["history".into()], &as_staff(&env, "cy", "24682468"));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    // Selling needs the writer: that one is refused as before, naming the holder.
    let out = run_till(
        &["balance".into(), "--account".into(), CARD.into()],
        &as_staff(&env, "cy", "24682468"),
    );
    assert_eq!(out.status.code(), Some(78), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("in use by another paywizard-till"),
        "{}",
        stderr(&out)
    );
    drop(running);
    let out = run_till(&["verify".into()], &env);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
}

//! The store's central PostgreSQL, against a real server started by the test itself.

mod common;

use std::time::Duration;

use common::pg::Pg;
use paywizard_till::store::{Change, Store, StoreAddress, StoreRow, TillIdentity};
use time::macros::datetime;

fn till(instance: &str, till_id: &str) -> TillIdentity {
    TillIdentity {
        instance_id: instance.into(),
        till_id: till_id.into(),
        store_name: "Corner Store".into(),
    }
}

fn row(row_id: i64, state: &str, amount: i64) -> StoreRow {
    StoreRow {
        row_id,
        till_id: "1".into(),
        created_at: datetime!(2026-11-25 10:00:00 UTC),
        finished_at: None,
        operation: "pay".into(),
        tran_order_no: Some(format!("2026112510000000011234567800000{row_id:03}")),
        account_masked: "**** **** 0014".into(),
        entry_type: "K".into(),
        amount_minor: Some(amount),
        requested_minor: None,
        points: None,
        currency: "USD".into(),
        state: state.into(),
        code: Some(200),
        msg: "approved".into(),
        checkout_id: Some(format!("9000{row_id}")),
        original_checkout_id: None,
        voided_by: None,
        void_of: None,
        abandon_reason: None,
        cashier: None,
        approved_by: None,
    }
}

#[tokio::test]
async fn pushes_are_idempotent_and_only_move_rows_forward() {
    let Some(pg) = Pg::start() else { return };
    let address = StoreAddress::parse(&pg.url()).unwrap();
    let mut store = Store::connect(&address, Duration::from_secs(5))
        .await
        .unwrap();
    let t = till("11111111", "1");
    assert_eq!(store.cursor(&t).await.unwrap().seq, 0);
    let changes = vec![
        Change {
            seq: 1,
            row: row(1, "sending", 700),
        },
        Change {
            seq: 2,
            row: row(2, "sending", 100),
        },
        Change {
            seq: 3,
            row: row(1, "unknown", 700),
        },
    ];
    assert_eq!(store.push(&t, &changes, &[3; 32]).await.unwrap(), 2);
    assert_eq!(store.cursor(&t).await.unwrap().seq, 3);
    // The same batch again changes nothing.
    assert_eq!(store.push(&t, &changes, &[3; 32]).await.unwrap(), 0);
    // An older version never overwrites a newer one.
    let stale = vec![Change {
        seq: 2,
        row: row(1, "sending", 700),
    }];
    assert_eq!(store.push(&t, &stale, &[2; 32]).await.unwrap(), 0);
    let settled = vec![Change {
        seq: 4,
        row: row(1, "approved", 500),
    }];
    assert_eq!(store.push(&t, &settled, &[4; 32]).await.unwrap(), 1);
    assert_eq!(
        pg.psql("SELECT row_id, version, state, amount_minor FROM entries ORDER BY row_id"),
        "1|4|approved|500\n2|2|sending|100\n"
    );
    // A second connection (another till) migrates nothing and sees the same rows.
    let other = Store::connect(&address, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(other.cursor(&t).await.unwrap().seq, 4);
}

#[tokio::test]
async fn a_stopped_database_fails_within_the_timeout_naming_it_without_the_password() {
    let Some(mut pg) = Pg::start() else { return };
    let address = StoreAddress::parse(&pg.url()).unwrap();
    pg.stop();
    let started = std::time::Instant::now();
    let err = Store::connect(&address, Duration::from_secs(2))
        .await
        .err()
        .expect("no server, no connection");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    let text = err.to_string();
    assert!(
        text.contains(&format!("postgres://till@127.0.0.1:{}/store", pg.port)),
        "{text}"
    );
    assert!(!text.contains(common::pg::PASSWORD), "{text}");
    pg.restart();
    Store::connect(&address, Duration::from_secs(5))
        .await
        .unwrap();
}

// ---- the real binary: tills selling, syncing, and the store-wide view ----

mod binary {
    use std::path::Path;

    use super::common::pg::{PASSWORD, Pg};
    use super::common::{CARD, SECRET, TOKEN, sandbox_env, start_sim, stderr, stdout, with_var};
    use super::common::{json, run_async as run};
    use paywizard_till::sim::{Fault, SimHandle};
    use serde_json::Value;

    /// Demo card with USD 5.00.
    const SHORT: &str = "6274000000000022";

    fn env(sim: &SimHandle, journal: &Path, till: &str, pg: &Pg) -> Vec<(String, String)> {
        let env = with_var(
            sandbox_env(&sim.base_url(), journal),
            "PAYWIZARD_TILL_ID",
            till,
        );
        with_var(env, "PAYWIZARD_STORE_DB", &pg.url())
    }

    async fn sell(env: &[(String, String)], args: &[&str]) {
        let out = run(args, env.to_vec()).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{args:?}: {}{}",
            stdout(&out),
            stderr(&out)
        );
    }

    async fn sync(env: &[(String, String)]) -> Value {
        let out = run(&["sync", "--json"], env.to_vec()).await;
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}{}",
            stdout(&out),
            stderr(&out)
        );
        json(&out)
    }

    async fn local_rows(env: &[(String, String)]) -> String {
        let out = run(&["history", "--limit", "10000", "--json"], env.to_vec()).await;
        let v = json(&out);
        let mut lines: Vec<String> = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}|{}|{}", e["id"], e["state"], e["quantity"]))
            .collect();
        lines.sort();
        lines.join("\n")
    }

    async fn store_rows(env: &[(String, String)], till: &str) -> String {
        let out = run(
            &[
                "history", "--store", "--till", till, "--limit", "10000", "--json",
            ],
            env.to_vec(),
        )
        .await;
        let v = json(&out);
        let mut lines: Vec<String> = v["entries"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| format!("{}|{}|{}", e["id"], e["state"], e["quantity"]))
            .collect();
        lines.sort();
        lines.join("\n")
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_store_gets_who_ran_and_approved_each_row_and_never_a_pin() {
        use super::common::{CASHIER, MANAGER, add_staff, approved_by, as_staff};
        let Some(pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let till = env(&sim, &dir.path().join("one.sqlite3"), "1", &pg);
        add_staff(&till);
        let bob = as_staff(&till, CASHIER.0, CASHIER.1);
        let out = run(
            &["pay", "--account", CARD, "--amount", "2.00", "--json"],
            bob.clone(),
        )
        .await;
        let order = json(&out)["tranOrderNo"].as_str().unwrap().to_owned();
        sell(
            &approved_by(&bob, MANAGER.0, MANAGER.1),
            &["void", "--order", &order],
        )
        .await;
        let first = sync(&till).await;
        assert_eq!(
            (first["rows"].clone(), first["waiting"].clone()),
            (2.into(), 0.into())
        );
        let rows = pg.psql("SELECT row_id, cashier, approved_by FROM entries ORDER BY row_id");
        assert_eq!(rows.trim(), "1|bob|\n2|bob|ann", "{rows}");
        // Changes that carry no row (a Z report, a staff change) leave nothing waiting.
        sell(&as_staff(&till, MANAGER.0, MANAGER.1), &["shift", "z"]).await;
        let again = sync(&till).await;
        assert_eq!(
            (again["rows"].clone(), again["waiting"].clone()),
            (0.into(), 0.into())
        );
        let dump = pg.dump();
        for secret in [MANAGER.1, CASHIER.1, "argon2"] {
            assert!(!dump.contains(secret), "{secret} in the store");
        }
        // The store's cursor now sits on the Z's change: the next sync checks the chain
        // there and finds it as it was.
        let out = run(&["sync"], till.clone()).await;
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn two_tills_sync_and_the_store_report_is_the_sum_of_theirs() {
        let Some(pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let one = env(&sim, &dir.path().join("one.sqlite3"), "1", &pg);
        let two = env(&sim, &dir.path().join("two.sqlite3"), "02", &pg);
        sell(&one, &["issue-points", "--account", CARD, "--points", "25"]).await;
        sell(&one, &["top-up", "--account", CARD, "--amount", "10.00"]).await;
        sell(&two, &["pay", "--account", CARD, "--amount", "3.50"]).await;
        sell(
            &two,
            &[
                "pay",
                "--account",
                SHORT,
                "--amount",
                "7.00",
                "--nsf-allowed",
            ],
        )
        .await;
        sell(&two, &["redeem-points", "--account", CARD, "--points", "5"]).await;

        let first = sync(&one).await;
        assert_eq!(first["rows"], 2, "{first}");
        assert_eq!(first["waiting"], 0);
        assert_eq!(sync(&two).await["rows"], 3);
        // A second sync adds nothing.
        let again = sync(&one).await;
        assert_eq!(
            (again["rows"].clone(), again["changes"].clone()),
            (0.into(), 0.into())
        );

        let local = |env: Vec<(String, String)>| async move {
            json(&run(&["report", "--json"], env).await)
        };
        let (r1, r2) = (local(one.clone()).await, local(two.clone()).await);
        let store = json(&run(&["report", "--store", "--json"], one.clone()).await);
        assert_eq!(store["tills"], 2);
        let h = |r: &Value, k: &str| r["headline"][k].clone();
        assert_eq!(h(&store, "transactions"), 5);
        assert_eq!(h(&store, "pointsIssued"), h(&r1, "pointsIssued"));
        assert_eq!(h(&store, "pointsRedeemed"), h(&r2, "pointsRedeemed"));
        assert_eq!(h(&store, "toppedUp"), h(&r1, "toppedUp"));
        // 3.50 and the 5.00 the short card could give of 7.00.
        assert_eq!(h(&store, "paid")[0]["amount"], "8.50");
        assert_eq!(h(&store, "paid"), h(&r2, "paid"));
        let lines = |r: &Value| r["lines"].as_array().unwrap().len();
        assert_eq!(lines(&store), lines(&r1) + lines(&r2));
        // One till only.
        let only_two =
            json(&run(&["report", "--store", "--till", "2", "--json"], one.clone()).await);
        assert_eq!(only_two["tills"], 1);
        assert_eq!(only_two["headline"], r2["headline"]);
        // The store's history of each till is that till's history.
        assert_eq!(store_rows(&one, "1").await, local_rows(&one).await);
        assert_eq!(store_rows(&one, "2").await, local_rows(&two).await);
        let all = json(&run(&["history", "--store", "--json"], two.clone()).await);
        assert_eq!(all["tills"], 2);
        assert_eq!(all["entries"].as_array().unwrap().len(), 5);
        assert!(all["entries"][0]["tillId"].is_string());

        // Nothing spendable or secret reached the store.
        let dump = pg.dump();
        for secret in [CARD, SHORT, SECRET, TOKEN, PASSWORD] {
            assert!(!dump.contains(secret), "the store database holds {secret}");
        }
        assert!(dump.contains("**** **** 0014"));
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn an_unknown_row_synced_then_recovered_is_settled_in_the_store() {
        let Some(pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let till = env(&sim, &dir.path().join("j.sqlite3"), "3", &pg);
        sim.faults().push_next(Fault::DropAfterApply);
        let out = run(
            &["pay", "--account", CARD, "--amount", "2.00"],
            till.clone(),
        )
        .await;
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        sync(&till).await;
        assert_eq!(
            pg.psql("SELECT state, amount_minor FROM entries"),
            "unknown|200\n"
        );
        let out = run(&["recover"], till.clone()).await;
        assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
        assert_eq!(sync(&till).await["rows"], 1);
        assert_eq!(
            pg.psql("SELECT state, amount_minor FROM entries"),
            "approved|200\n"
        );
        let report = json(&run(&["report", "--store", "--json"], till.clone()).await);
        assert_eq!(report["headline"]["open"], 0);
        assert_eq!(report["headline"]["paid"][0]["amount"], "2.00");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sales_go_on_while_the_store_is_down_and_one_sync_catches_up() {
        let Some(mut pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let till = env(&sim, &dir.path().join("j.sqlite3"), "4", &pg);
        sell(&till, &["issue-points", "--account", CARD, "--points", "1"]).await;
        sync(&till).await;
        pg.stop();
        for n in ["2", "3", "4"] {
            sell(&till, &["issue-points", "--account", CARD, "--points", n]).await;
        }
        let started = std::time::Instant::now();
        let out = run(&["sync"], till.clone()).await;
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            started.elapsed() < std::time::Duration::from_secs(8),
            "{:?}",
            started.elapsed()
        );
        let err = stderr(&out);
        assert!(
            err.contains(&format!("postgres://till@127.0.0.1:{}/store", pg.port)),
            "{err}"
        );
        assert!(!err.contains(PASSWORD), "{err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        pg.restart();
        let caught_up = sync(&till).await;
        assert_eq!(caught_up["rows"], 3, "{caught_up}");
        assert_eq!(caught_up["waiting"], 0);
        assert_eq!(store_rows(&till, "4").await, local_rows(&till).await);
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_journal_rewritten_or_rolled_back_after_a_sync_is_refused_loudly() {
        let Some(pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.sqlite3");
        let till = env(&sim, &journal, "5", &pg);
        sell(&till, &["issue-points", "--account", CARD, "--points", "1"]).await;
        // An older copy of the journal, kept aside.
        drop(paywizard_till::journal::Journal::open(&journal, "5").unwrap());
        let conn = rusqlite::Connection::open(&journal).unwrap();
        conn.query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))
            .unwrap();
        drop(conn);
        let old = dir.path().join("old.sqlite3");
        std::fs::copy(&journal, &old).unwrap();
        sell(&till, &["issue-points", "--account", CARD, "--points", "2"]).await;
        sync(&till).await;
        // Restored from the older copy: the store has more than the journal.
        std::fs::copy(&old, &journal).unwrap();
        let _ = std::fs::remove_file(dir.path().join("j.sqlite3-wal"));
        let out = run(&["sync"], till.clone()).await;
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stderr(&out).contains("restored from an older copy"),
            "{}",
            stderr(&out)
        );
        assert_eq!(
            pg.psql("SELECT count(*) FROM entries"),
            "2\n",
            "the store keeps what it had"
        );
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn a_chain_changed_after_a_sync_is_refused() {
        let Some(pg) = Pg::start() else { return };
        let sim = start_sim().await;
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("j.sqlite3");
        let till = env(&sim, &journal, "7", &pg);
        sell(&till, &["issue-points", "--account", CARD, "--points", "1"]).await;
        let up_to = sync(&till).await["upTo"].as_i64().unwrap();
        let conn = rusqlite::Connection::open(&journal).unwrap();
        conn.execute(
            "UPDATE events SET chain_hash = zeroblob(32) WHERE seq = ?1",
            [up_to],
        )
        .unwrap();
        drop(conn);
        let out = run(&["sync"], till.clone()).await;
        assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
        assert!(
            stderr(&out).contains("changed after it was synced"),
            "{}",
            stderr(&out)
        );
    }

    /// Rows in journal order with what they say, from either side.
    fn digest_local(journal: &Path) -> (i64, String) {
        let conn = rusqlite::Connection::open(journal).unwrap();
        conn.query_row(
            "SELECT count(*), group_concat(id || ':' || state || ':' || coalesce(amount_minor, ''), ',')
             FROM (SELECT * FROM entries ORDER BY id)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap()
    }

    fn digest_store(pg: &Pg) -> (i64, String) {
        // A sync killed before it made the schema leaves no table yet.
        if pg.psql("SELECT to_regclass('entries') IS NULL").trim() == "t" {
            return (0, String::new());
        }
        let out = pg.psql(
            "SELECT count(*) || '|' || coalesce(string_agg(row_id || ':' || state || ':' || coalesce(amount_minor::text, ''), ',' ORDER BY row_id), '') FROM entries",
        );
        let (n, rows) = out.trim().split_once('|').unwrap();
        (n.parse().unwrap(), rows.to_owned())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn kill_9_during_a_sync_then_sync_again_leaves_the_store_equal_to_the_journal() {
        let Some(pg) = Pg::start() else { return };
        let dir = tempfile::tempdir().unwrap();
        let journal = dir.path().join("big.sqlite3");
        let rows = 20_000;
        {
            let mut j = paywizard_till::journal::Journal::open(&journal, "6").unwrap();
            let t0 = time::macros::datetime!(2026-11-25 08:00 UTC);
            j.bulk_load_for_bench((0..rows).map(|i| {
                let intent = paywizard_till::journal::Intent {
                    operation: paywizard_till::api::Operation::Pay,
                    tran_order_no: Some(format!("{i:020}")),
                    account: "6274000000000014".into(),
                    entry_type: paywizard_till::api::EntryType::K,
                    amount_minor: Some(100 + i),
                    points: None,
                    currency: "USD".into(),
                    body: br#"{"accountId":"6274000000000014"}"#.to_vec(),
                    original_checkout_id: None,
                    created_at: t0 + time::Duration::seconds(i),
                    cashier: None,
                    approved_by: None,
                };
                (intent, paywizard_till::outcome::RowState::Approved)
            }))
            .unwrap();
        }
        let env = vec![
            (
                "PAYWIZARD_TILL_JOURNAL".to_owned(),
                journal.display().to_string(),
            ),
            ("PAYWIZARD_TILL_ID".to_owned(), "6".to_owned()),
            ("PAYWIZARD_STORE_DB".to_owned(), pg.url()),
        ];
        let mut partial = Vec::new();
        for delay_ms in [120, 300, 600] {
            let mut child = super::common::till_command(&["sync"], &env)
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            tokio::time::sleep(std::time::Duration::from_millis(delay_ms)).await;
            let _ = child.kill(); // SIGKILL: no unwinding, no cleanup
            let _ = child.wait();
            partial.push(digest_store(&pg).0);
        }
        eprintln!("rows in the store after each kill -9: {partial:?} of {rows}");
        let done = sync(&env).await;
        assert_eq!(done["waiting"], 0, "{done}");
        assert_eq!(digest_store(&pg), digest_local(&journal));
        // And once more changes nothing.
        assert_eq!(sync(&env).await["rows"], 0);
    }
}

/// The screen pushes on its own: a sale typed at the till reaches the store's database
/// with no command typed, and the header says so.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_sale_at_the_screen_reaches_the_store_by_itself() {
    use common::term::Term;
    let Some(pg) = Pg::start() else { return };
    let sim = common::start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let env = common::with_var(
        common::sandbox_env(&sim.base_url(), &dir.path().join("j.sqlite3")),
        "PAYWIZARD_STORE_DB",
        &pg.url(),
    );
    let home = dir.path().display().to_string();
    let (pg, waited) = tokio::task::spawn_blocking(move || {
        let mut env: Vec<(&str, &str)> =
            env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        env.push(("HOME", &home));
        let mut term = Term::spawn(&[], &env, 100, 30);
        let wait = Duration::from_secs(15);
        term.wait_for("Ready", wait);
        // A scanned card, then 25 points typed by a person, then Enter.
        term.send(format!("{}\r", common::CARD).as_bytes());
        std::thread::sleep(Duration::from_millis(150));
        term.type_slowly("25\r", Duration::from_millis(110));
        term.wait_for("APPROVED", wait);
        let started = std::time::Instant::now();
        loop {
            let rows = pg.psql("SELECT count(*) FROM entries WHERE state = 'approved'");
            if rows.trim() == "1" {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(30),
                "the sale did not reach the store within 30 s"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
        let waited = started.elapsed();
        term.wait_for("store synced", wait);
        term.send(b"\x11");
        assert_eq!(term.wait_exit(wait), Some(0));
        (pg, waited)
    })
    .await
    .unwrap();
    eprintln!("the sale reached the store {waited:?} after the screen showed it approved");
    assert_eq!(
        pg.psql("SELECT operation, points, account_masked FROM entries"),
        "issue-points|25|**** **** 0014\n"
    );
}

/// `sslmode` as libpq means it: `require` encrypts, `verify-full` also checks the
/// server's certificate (against `sslrootcert`) and fails closed without it.
#[tokio::test]
async fn sslmode_is_honoured() {
    let Some(pg) = Pg::start_tls() else { return };
    let cert = pg.tls_cert.clone().unwrap();
    let base = format!(
        "postgres://{}:{}@127.0.0.1:{}/{}",
        common::pg::USER,
        common::pg::PASSWORD,
        pg.port,
        common::pg::DATABASE
    );
    let connect = |query: String| {
        let address = StoreAddress::parse(&format!("{base}?{query}")).unwrap();
        async move { Store::connect(&address, Duration::from_secs(5)).await }
    };
    let encrypted = |store: Store| async move {
        store
            .client()
            .query_one(
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()",
                &[],
            )
            .await
            .unwrap()
            .get::<_, bool>(0)
    };
    let plain = connect("sslmode=disable".into()).await.unwrap();
    assert!(!encrypted(plain).await, "disable: plain TCP");
    let required = connect("sslmode=require".into()).await.unwrap();
    assert!(encrypted(required).await, "require: encrypted");
    let verified = connect(format!(
        "sslmode=verify-full&sslrootcert={}",
        cert.display()
    ))
    .await
    .unwrap();
    assert!(
        encrypted(verified).await,
        "verify-full: encrypted and checked"
    );
    // Without the server's certificate to trust, verify-full refuses the connection.
    let err = connect("sslmode=verify-full".into())
        .await
        .err()
        .expect("an unknown certificate is refused");
    let text = err.to_string();
    assert!(text.contains("cannot connect"), "{text}");
    assert!(!text.contains(common::pg::PASSWORD), "{text}");
}

//! Shifts through the real binary: the X report against figures worked out by hand, and
//! the Z report: a manager's, refused while an outcome is unknown (saying how many and how
//! to settle them), accepted after `recover`, numbered 1, 2, ...; a void of a sale from a
//! closed shift taken back out of the next shift's liability.

mod common;

use common::{as_cashier as cashier, as_manager as manager};

use common::{json, run_async as till};

use common::{
    CARD, MANAGER, add_staff, approved_by, journal_in, sandbox_env, start_sim, stderr, stdout,
};
use paywizard_till::sim::Fault;
use serde_json::Value;

type Env = Vec<(String, String)>;

/// Runs `args` and expects `code`; returns the JSON it printed.
async fn run(args: &[&str], env: Env, code: i32) -> Value {
    let out = till(args, env).await;
    assert_eq!(
        out.status.code(),
        Some(code),
        "{args:?}: {}{}",
        stdout(&out),
        stderr(&out)
    );
    if args.contains(&"--json") {
        json(&out)
    } else {
        Value::Null
    }
}

fn money(list: &Value) -> Vec<(String, String)> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["currency"].as_str().unwrap().to_owned(),
                m["amount"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn usd(amount: &str) -> Vec<(String, String)> {
    vec![("USD".into(), amount.into())]
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_x_report_adds_up_to_figures_worked_out_by_hand() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    add_staff(&env);
    let bob = cashier(&env);
    let ann = manager(&env);
    run(
        &["top-up", "--account", CARD, "--amount", "10.00"],
        bob.clone(),
        0,
    )
    .await;
    run(
        &["pay", "--account", CARD, "--amount", "3.50"],
        bob.clone(),
        0,
    )
    .await;
    run(
        &["issue-points", "--account", CARD, "--points", "25"],
        ann.clone(),
        0,
    )
    .await;
    run(
        &["redeem-points", "--account", CARD, "--points", "5"],
        bob.clone(),
        0,
    )
    .await;
    let pay = run(
        &["pay", "--account", CARD, "--amount", "2.00", "--json"],
        bob.clone(),
        0,
    )
    .await;
    let order = pay["tranOrderNo"].as_str().unwrap();
    run(
        &["void", "--order", order],
        approved_by(&bob, MANAGER.0, MANAGER.1),
        0,
    )
    .await;
    // The second demo card holds USD 5.00: this one is declined.
    run(
        &["pay", "--account", "6274000000000022", "--amount", "20.00"],
        bob.clone(),
        1,
    )
    .await;
    run(&["balance", "--account", CARD], ann.clone(), 0).await;

    let x = run(&["shift", "x", "--json"], bob.clone(), 0).await;
    assert_eq!(x["shift"], 1);
    assert_eq!(x["firstRow"], 1);
    assert_eq!(x["lastRow"], 8);
    let t = &x["totals"];
    // 8 rows: 6 approved (top-up, pay, issue, redeem, void, balance), the voided payment,
    // the declined one.
    assert_eq!(
        [
            &t["transactions"],
            &t["approved"],
            &t["voided"],
            &t["declined"],
            &t["unknown"]
        ],
        [8, 6, 1, 1, 0]
    );
    assert_eq!(money(&t["loaded"]), usd("10.00"));
    assert_eq!(
        money(&t["taken"]),
        usd("3.50"),
        "the voided 2.00 and declined 20.00 are not"
    );
    assert_eq!(
        (t["pointsIssued"].as_u64(), t["pointsRedeemed"].as_u64()),
        (Some(25), Some(5))
    );
    // Liability: 10.00 loaded - 3.50 taken = 6.50; 25 - 5 = 20 points.
    assert_eq!(money(&x["liability"]["money"]), usd("6.50"));
    assert_eq!(x["liability"]["points"], 20);

    let by: Vec<(Value, Value, Value)> = x["byCashier"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["cashier"].clone(),
                c["name"].clone(),
                c["totals"]["transactions"].clone(),
            )
        })
        .collect();
    assert_eq!(
        by,
        [
            ("ann".into(), "Ann Archer".into(), 2.into()),
            ("bob".into(), "Bob Baker".into(), 6.into()),
        ]
    );
    let bob_totals = &x["byCashier"][1]["totals"];
    assert_eq!(
        [
            &bob_totals["approved"],
            &bob_totals["voided"],
            &bob_totals["declined"]
        ],
        [4, 1, 1],
        "top-up, pay, redeem and the void (bob's, approved by ann); the voided and the declined payments"
    );
    let ops: Vec<(&str, u64)> = x["byOperation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| {
            (
                o["operation"].as_str().unwrap(),
                o["totals"]["transactions"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        ops,
        [
            ("issue-points", 1),
            ("top-up", 1),
            ("pay", 3),
            ("redeem-points", 1),
            ("balance", 1),
            ("void", 1)
        ]
    );
    let text = stdout(&till(&["shift", "x"], bob).await);
    assert!(text.contains("Liability        USD 6.50; 20 pts"), "{text}");
    assert!(text.contains("bob (Bob Baker)"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn z_is_a_managers_refused_while_unknown_and_numbered_after_recover() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal);
    add_staff(&env);
    let bob = cashier(&env);
    let ann = manager(&env);
    run(
        &["pay", "--account", CARD, "--amount", "1.00"],
        bob.clone(),
        0,
    )
    .await;
    sim.faults().push_next(Fault::Pending);
    run(
        &["top-up", "--account", CARD, "--amount", "5.00"],
        bob.clone(),
        2,
    )
    .await;

    // A cashier cannot close the shift.
    let out = till(&["shift", "z"], bob.clone()).await;
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("closing the shift (Z) needs a manager"),
        "{}",
        stderr(&out)
    );
    // A manager cannot either, while an outcome is unknown: how many, and how to settle.
    let out = till(&["shift", "z"], ann.clone()).await;
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let said = stdout(&out);
    assert!(
        said.starts_with("Z REFUSED  1 transaction with an unknown outcome"),
        "{said}"
    );
    assert!(said.contains("paywizard-till recover"), "{said}");
    let refused = run(&["shift", "z", "--json"], ann.clone(), 1).await;
    assert_eq!(refused["z"], Value::Null);
    assert_eq!(refused["refused"], "unknownOutcomes");
    assert_eq!(refused["unknown"], 1);
    assert_eq!(
        run(&["shift", "x", "--json"], bob.clone(), 0).await["totals"]["unknown"],
        1
    );

    let recovered = run(&["recover", "--json"], bob.clone(), 0).await;
    assert_eq!(recovered["resolved"], 1);
    assert_eq!(
        recovered["outcomes"][0]["cashier"], "bob",
        "the row keeps its cashier"
    );
    let z1 = run(&["shift", "z", "--json"], ann.clone(), 0).await;
    assert_eq!(z1["z"], 1);
    assert_eq!(
        (z1["closedBy"].as_str(), z1["approvedBy"].as_str()),
        (Some("ann"), Some("ann"))
    );
    assert_eq!(z1["totals"]["totals"]["transactions"], 2);
    assert_eq!(money(&z1["totals"]["liability"]["money"]), usd("4.00"));

    // Nothing since: nothing to close. The next shift opens with the next operation.
    let nothing = run(&["shift", "z", "--json"], ann.clone(), 1).await;
    assert_eq!(nothing["refused"], "nothingToClose");
    assert_eq!(
        nothing["msg"],
        "nothing to close: no transactions since Z 1"
    );
    let x = run(&["shift", "x", "--json"], bob.clone(), 0).await;
    assert_eq!(
        (x["shift"].as_u64(), x["totals"]["transactions"].as_u64()),
        (Some(2), Some(0))
    );
    run(
        &["issue-points", "--account", CARD, "--points", "7"],
        bob.clone(),
        0,
    )
    .await;
    // A cashier with a manager approving closes it too.
    let z2 = run(
        &["shift", "z", "--json"],
        approved_by(&bob, MANAGER.0, MANAGER.1),
        0,
    )
    .await;
    assert_eq!(z2["z"], 2);
    assert_eq!(
        (z2["closedBy"].as_str(), z2["approvedBy"].as_str()),
        (Some("bob"), Some("ann"))
    );
    assert_eq!(z2["totals"]["firstRow"], 3);
    assert_eq!(z2["totals"]["liability"]["points"], 7);
    let text = stdout(&till(&["shift", "z"], ann.clone()).await);
    assert!(
        text.contains("nothing to close: no transactions since Z 2"),
        "{text}"
    );

    // The Z reports are in the chain.
    let out = till(&["verify"], env.clone()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let conn =
        rusqlite::Connection::open_with_flags(&journal, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let z_events: i64 = conn
        .query_row("SELECT count(*) FROM events WHERE kind = 'z'", [], |r| {
            r.get(0)
        })
        .unwrap();
    assert_eq!(z_events, 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_void_of_a_sale_from_a_closed_shift_is_taken_out_of_the_next() {
    let dir = tempfile::tempdir().unwrap();
    let sim = start_sim().await;
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    // No staff at all: shifts work as well, and Z needs nobody.
    let top_up = run(
        &["top-up", "--account", CARD, "--amount", "8.00", "--json"],
        env.clone(),
        0,
    )
    .await;
    let z1 = run(&["shift", "z", "--json"], env.clone(), 0).await;
    assert_eq!(z1["z"], 1);
    assert_eq!(z1["closedBy"], Value::Null);
    assert_eq!(money(&z1["totals"]["liability"]["money"]), usd("8.00"));
    assert_eq!(z1["totals"]["byCashier"][0]["cashier"], Value::Null);

    let order = top_up["tranOrderNo"].as_str().unwrap();
    run(&["void", "--order", order], env.clone(), 0).await;
    let x = run(&["shift", "x", "--json"], env.clone(), 0).await;
    assert_eq!(money(&x["liability"]["money"]), usd("-8.00"));
    assert_eq!(x["liability"]["earlierSalesVoided"], 1);
    // Z 1 stays as it was closed.
    let z2 = run(&["shift", "z", "--json"], env.clone(), 0).await;
    assert_eq!(z2["z"], 2);
    assert_eq!(money(&z2["totals"]["liability"]["money"]), usd("-8.00"));
    let text = stdout(&till(&["shift", "x"], env).await);
    assert!(
        text.starts_with("X report\nShift 3: no transactions yet"),
        "{text}"
    );
}

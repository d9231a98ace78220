//! The real binary, headless: demo mode with no configuration, sandbox mode pointed at a
//! simulator on loopback (requests checked with an independent HMAC), exit codes, and bad
//! input that sends nothing.

mod common;

use common::{json, run_async as till};

use std::collections::BTreeSet;
use std::process::Output;

use common::{
    CARD, CASHIER, CLIENT_ID, SECRET, TOKEN, add_staff, as_staff, journal_in, sandbox_env,
    start_sim, stderr, stdout, with_var, without,
};
use paywizard_till::sim::{Fault, SimHandle};
use serde_json::Value;

fn assert_no_secrets(out: &Output) {
    for text in [stdout(out), stderr(out)] {
        assert!(!text.contains(SECRET), "secret leaked: {text}");
        assert!(!text.contains(TOKEN), "token leaked: {text}");
    }
}

/// HMAC-SHA256 by `ring`, a different implementation from the `hmac`+`sha2` the app uses.
fn independent_sign(body: &[u8]) -> String {
    let key = ring::hmac::Key::new(ring::hmac::HMAC_SHA256, SECRET.as_bytes());
    let mut message = body.to_vec();
    message.extend_from_slice(format!("&clientId={CLIENT_ID}&clientSecret={SECRET}").as_bytes());
    let tag = ring::hmac::sign(&key, &message);
    tag.as_ref().iter().map(|b| format!("{b:02x}")).collect()
}

/// The keys PayWizard documents for each endpoint (docs/protocol.md, "Endpoints"; top-up's
/// amount and tranCurrency by our decision).
fn documented_keys(endpoint: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match endpoint {
        "loyaltyIssuance" | "loyaltyRedemption" => (
            &[
                "clientId",
                "tranOrderNo",
                "loyaltyChannel",
                "accountId",
                "entryType",
                "amount",
            ],
            &[],
        ),
        "giftIssuance" => (
            &[
                "clientId",
                "tranOrderNo",
                "loyaltyChannel",
                "accountId",
                "entryType",
                "amount",
                "tranCurrency",
            ],
            &["activating", "customerInfo"],
        ),
        "giftTransaction" => (
            &[
                "clientId",
                "tranOrderNo",
                "loyaltyChannel",
                "amount",
                "tranCurrency",
                "accountId",
                "entryType",
            ],
            &["nsfAllowed"],
        ),
        "giftInquiry" => (
            &["clientId", "loyaltyChannel", "accountId", "entryType"],
            &[],
        ),
        "giftActivate" => (
            &[
                "clientId",
                "loyaltyChannel",
                "accountId",
                "entryType",
                "activating",
                "customerInfo",
            ],
            &[],
        ),
        "giftVoid" => (&["clientId", "tranOrderNo", "oriOrderNo"], &[]),
        "giftTip" => (
            &[
                "clientId",
                "tranOrderNo",
                "accountId",
                "entryType",
                "amount",
                "tranCurrency",
                "oriOrderNo",
            ],
            &[],
        ),
        other => panic!("unexpected endpoint {other}"),
    }
}

/// Every request the simulator received carries the right headers, a signature that an
/// independent HMAC reproduces over the exact bytes, and exactly the documented keys.
fn check_received(sim: &SimHandle) -> BTreeSet<String> {
    let mut endpoints = BTreeSet::new();
    for req in sim.received() {
        assert_eq!(req.jwt_token.as_deref(), Some(TOKEN));
        assert_eq!(req.content_type.as_deref(), Some("application/json"));
        assert_eq!(
            req.sign.as_deref(),
            Some(independent_sign(&req.body).as_str()),
            "signature of {} does not verify",
            req.endpoint
        );
        let body: Value = serde_json::from_slice(&req.body).unwrap();
        let keys: BTreeSet<&str> = body
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let (required, optional) = documented_keys(&req.endpoint);
        for k in required {
            assert!(keys.contains(k), "{} lacks {k}: {keys:?}", req.endpoint);
        }
        for k in &keys {
            assert!(
                required.contains(k) || optional.contains(k),
                "{} sends undocumented {k}",
                req.endpoint
            );
        }
        if let Some(info) = body.get("customerInfo") {
            assert_eq!(info.as_object().unwrap().len(), 19);
        }
        assert_eq!(body["clientId"], CLIENT_ID);
        endpoints.insert(req.endpoint.clone());
    }
    endpoints
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_mode_issues_points_with_no_configuration() {
    let home = tempfile::tempdir().unwrap();
    let home_path = home.path().display().to_string();
    let out = till(
        &[
            "issue-points",
            "--account",
            CARD,
            "--points",
            "25",
            "--json",
        ],
        vec![
            ("HOME".into(), home_path.clone()),
            ("XDG_DATA_HOME".into(), home_path),
        ],
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["status"], "approved");
    assert_eq!(v["operation"], "issue-points");
    assert_eq!(v["accountId"], "**** **** 0014");
    assert_eq!(v["entryType"], "K");
    assert_eq!(v["amount"], "25");
    let points = v["balances"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["valueCode"] == "Points")
        .expect("the new points balance");
    assert_eq!(points["amount"], 145);
    let order = v["tranOrderNo"].as_str().unwrap();
    assert!(
        order.len() <= 60 && order.bytes().all(|b| b.is_ascii_digit()),
        "{order}"
    );
    assert!(!stdout(&out).contains(CARD), "full card number printed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sandbox_requests_verify_independently_and_use_documented_fields() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let env = || sandbox_env(&base, &journal);
    let customer = dir.path().join("customer.json");
    std::fs::write(
        &customer,
        r#"{"customerType":"1","firstName":"Ada","lastName":"Lovelace","country":"GB","email":"ada@example.com","phone":"+442079460958","birthday":"19851210"}"#,
    )
    .unwrap();
    let customer = customer.display().to_string();

    let run = |args: &[&str]| {
        let out = till(args, env());
        async move {
            let out = out.await;
            assert_no_secrets(&out);
            out
        }
    };
    let ok = |out: &Output| {
        assert_eq!(
            out.status.code(),
            Some(0),
            "stdout {} stderr {}",
            stdout(out),
            stderr(out)
        );
        json(out)
    };

    ok(&run(&[
        "issue-points",
        "--account",
        CARD,
        "--points",
        "25",
        "--entry",
        "B",
        "--json",
    ])
    .await);
    ok(&run(&[
        "redeem-points",
        "--account",
        CARD,
        "--points",
        "5",
        "--json",
    ])
    .await);
    let v = ok(&run(&[
        "top-up",
        "--account",
        "6274000000000030",
        "--amount",
        "10.50",
        "--activate",
        "--customer",
        &customer,
        "--json",
    ])
    .await);
    assert_eq!(v["status"], "approved");
    assert!(
        sim.card("6274000000000030").unwrap().active,
        "--activate activated it"
    );
    assert_eq!(sim.card("6274000000000030").unwrap().money_minor, 10_50);

    let pay = ok(&run(&["pay", "--account", CARD, "--amount", "7.25", "--json"]).await);
    let pay_order = pay["tranOrderNo"].as_str().unwrap().to_owned();
    ok(&run(&["balance", "--account", CARD, "--json"]).await);
    ok(&run(&["activate", "--account", "914639258868515", "--json"]).await);

    let tip = ok(&run(&["tip", "--order", &pay_order, "--amount", "1.00", "--json"]).await);
    assert_eq!(
        tip["accountId"], "**** **** 0014",
        "tip found the card in the journal"
    );
    let void = ok(&run(&["void", "--order", &pay_order, "--json"]).await);
    assert_eq!(void["status"], "approved");
    assert_eq!(
        sim.card(CARD).unwrap().money_minor,
        50_00 - 1_00,
        "the pay was voided, the tip stands"
    );

    let endpoints = check_received(&sim);
    assert_eq!(
        endpoints.len(),
        8,
        "all 8 endpoints were called: {endpoints:?}"
    );
    let scanned = sim
        .received()
        .into_iter()
        .find(|r| r.endpoint == "loyaltyIssuance")
        .unwrap();
    let body: Value = serde_json::from_slice(&scanned.body).unwrap();
    assert_eq!(body["entryType"], "B");
    assert_eq!(body["amount"], "25");

    let history = ok(&run(&["history", "--json"]).await);
    let entries = history["entries"].as_array().unwrap();
    assert_eq!(entries.len(), 8);
    assert!(
        !history.to_string().contains(CARD),
        "history shows masked cards only"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn outcomes_map_to_exit_codes() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let issue = [
        "issue-points",
        "--account",
        CARD,
        "--points",
        "10",
        "--json",
    ];

    sim.faults().push_next(Fault::Pending);
    let out = till(&issue, sandbox_env(&base, &journal)).await;
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(json(&out)["status"], "unknown");

    sim.faults().push_next(Fault::DropAfterApply);
    let out = till(&issue, sandbox_env(&base, &journal)).await;
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v["status"], "unknown");
    assert!(v["msg"].as_str().unwrap().contains("do NOT repeat"), "{v}");

    let out = till(
        &[
            "pay",
            "--account",
            "6274000000000022",
            "--amount",
            "99.00",
            "--json",
        ],
        sandbox_env(&base, &journal),
    )
    .await;
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(json(&out)["status"], "declined");

    let wrong = with_var(
        sandbox_env(&base, &journal),
        "PAYWIZARD_CLIENT_SECRET",
        "wrong-secret",
    );
    let out = till(&issue, wrong).await;
    assert_eq!(out.status.code(), Some(1));
    let v = json(&out);
    assert_eq!(v["status"], "rejected");
    assert!(v["msg"].as_str().unwrap().contains("invalid sign"), "{v}");

    // Both unknown outcomes are resolved by recover, without applying anything twice.
    let before = sim.card(CARD).unwrap().points;
    let out = till(&["recover", "--json"], sandbox_env(&base, &journal)).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(v["resolved"], 2);
    assert_eq!(v["stillUnknown"], 0);
    assert_eq!(
        sim.card(CARD).unwrap().points,
        before + 10,
        "the pending one completes; the applied one is not applied again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_bad_config_exit_64_and_78_and_send_nothing() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let bad_json = dir.path().join("bad.json");
    std::fs::write(&bad_json, r#"{"email":"not-an-email"}"#).unwrap();
    let bad_json = bad_json.display().to_string();
    let cases: Vec<(Vec<&str>, u8, &str)> = vec![
        (
            vec!["top-up", "--account", CARD, "--amount", "10.555"],
            64,
            "--amount",
        ),
        (
            vec!["pay", "--account", CARD, "--amount", "-1"],
            64,
            "--amount",
        ),
        (
            vec!["pay", "--account", CARD, "--amount", "1e3"],
            64,
            "--amount",
        ),
        (
            vec!["issue-points", "--account", "12ab", "--points", "5"],
            64,
            "--account",
        ),
        (
            vec!["issue-points", "--account", CARD, "--points", "2.5"],
            64,
            "--points",
        ),
        (
            vec![
                "issue-points",
                "--account",
                CARD,
                "--points",
                "5",
                "--entry",
                "X",
            ],
            64,
            "--entry",
        ),
        (
            vec![
                "top-up",
                "--account",
                CARD,
                "--amount",
                "5",
                "--customer",
                &bad_json,
            ],
            64,
            "email",
        ),
        (vec!["issue-points", "--account", CARD], 64, "--points"),
        (vec!["frobnicate"], 64, "frobnicate"),
    ];
    for (args, code, names) in cases {
        let out = till(&args, sandbox_env(&base, &journal)).await;
        assert_eq!(
            out.status.code(),
            Some(i32::from(code)),
            "{args:?}: {}",
            stderr(&out)
        );
        assert!(
            stderr(&out).contains(names),
            "{args:?} should name {names}: {}",
            stderr(&out)
        );
        assert_no_secrets(&out);
    }

    let missing = without(
        sandbox_env(&base, &journal),
        &["PAYWIZARD_CLIENT_SECRET", "PAYWIZARD_JWT_TOKEN"],
    );
    let out = till(
        &["issue-points", "--account", CARD, "--points", "5"],
        missing,
    )
    .await;
    assert_eq!(out.status.code(), Some(78));
    let err = stderr(&out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(
        err.contains("PAYWIZARD_CLIENT_SECRET") && err.contains("PAYWIZARD_JWT_TOKEN"),
        "{err}"
    );

    let remote = with_var(
        sandbox_env(&base, &journal),
        "PAYWIZARD_BASE_URL",
        "http://192.0.2.1:8080",
    );
    let out = till(&["balance", "--account", CARD], remote).await;
    assert_eq!(out.status.code(), Some(78));
    assert!(
        stderr(&out).contains("PAYWIZARD_BASE_URL"),
        "{}",
        stderr(&out)
    );

    assert!(sim.received().is_empty(), "bad input must send nothing");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_staff_bad_input_is_still_64_missing_credentials_77_and_json_names_the_cashier() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let env = sandbox_env(&sim.base_url(), &journal_in(&dir));
    let out = till(&["balance", "--account", CARD, "--json"], env.clone()).await;
    let v = json(&out);
    assert!(
        v.get("cashier").is_some_and(Value::is_null)
            && v.get("approvedBy").is_some_and(Value::is_null),
        "the keys are there, empty, before there are staff: {v}"
    );
    add_staff(&env);
    let sent = sim.received().len();
    // Bad input is found before anyone is asked for a PIN: 64, not 77.
    let out = till(
        &["pay", "--account", CARD, "--amount", "10.555"],
        env.clone(),
    )
    .await;
    assert_eq!(out.status.code(), Some(64), "{}", stderr(&out));
    let out = till(&["pay", "--account", CARD, "--amount", "1.00"], env.clone()).await;
    assert_eq!(out.status.code(), Some(77), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("PAYWIZARD_CASHIER and PAYWIZARD_CASHIER_PIN"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.received().len(), sent, "nothing was sent");
    let signed = as_staff(&env, CASHIER.0, CASHIER.1);
    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        signed,
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v = json(&out);
    assert_eq!(
        (v["status"].as_str(), v["cashier"].as_str()),
        (Some("approved"), Some("bob"))
    );
    assert_no_secrets(&out);
    // A flag for a PIN does not exist: it would show in the process list.
    let out = till(
        &[
            "pay",
            "--account",
            CARD,
            "--amount",
            "1.00",
            "--pin",
            "1234",
        ],
        env,
    )
    .await;
    assert_eq!(out.status.code(), Some(64));
}

/// The demo card with USD 5.00.
const SHORT_CARD: &str = "6274000000000022";

fn approved(out: &Output) -> Value {
    assert_eq!(
        out.status.code(),
        Some(0),
        "stdout {} stderr {}",
        stdout(out),
        stderr(out)
    );
    json(out)
}

/// Exit 64 with one line naming why, and nothing sent.
fn refused(out: &Output, why: &str) {
    assert_eq!(out.status.code(), Some(64), "stdout {}", stdout(out));
    let err = stderr(out);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.contains(why), "{err}");
    assert!(err.contains("nothing was sent"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tip_and_void_refuse_originals_that_cannot_take_them_before_sending() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let env = || sandbox_env(&base, &journal);

    let points = approved(
        &till(
            &["issue-points", "--account", CARD, "--points", "5", "--json"],
            env(),
        )
        .await,
    );
    let points = points["tranOrderNo"].as_str().unwrap().to_owned();
    let pay = approved(
        &till(
            &[
                "pay",
                "--account",
                CARD,
                "--amount",
                "3.00",
                "--entry",
                "B",
                "--json",
            ],
            env(),
        )
        .await,
    );
    let pay = pay["tranOrderNo"].as_str().unwrap().to_owned();
    let sent = sim.received().len();

    refused(
        &till(&["tip", "--order", &points, "--amount", "1.00"], env()).await,
        "is a points issuance; a tip can only be added to an approved payment",
    );
    refused(
        &till(
            &[
                "tip",
                "--order",
                &pay,
                "--amount",
                "1.00",
                "--account",
                SHORT_CARD,
            ],
            env(),
        )
        .await,
        "--account: that card is not the card of",
    );
    assert_eq!(sim.received().len(), sent, "nothing sent");

    // A tip goes on the payment's card, read the way the payment read it (not --entry).
    let tip = approved(
        &till(
            &[
                "tip", "--order", &pay, "--amount", "1.00", "--entry", "K", "--json",
            ],
            env(),
        )
        .await,
    );
    assert_eq!(tip["entryType"], "B");
    assert_eq!(tip["accountId"], "**** **** 0014");

    // The void shows the sale it reversed; a void and a voided sale cannot be voided.
    let void = approved(&till(&["void", "--order", &pay, "--json"], env()).await);
    assert_eq!(void["accountId"], "**** **** 0014");
    assert_eq!(void["amount"], "3.00");
    let void_order = void["tranOrderNo"].as_str().unwrap().to_owned();
    let sent = sim.received().len();
    refused(
        &till(&["void", "--order", &void_order], env()).await,
        "is a void; only a top-up, payment, tip or points operation can be voided",
    );
    refused(
        &till(&["void", "--order", &pay], env()).await,
        "is already voided",
    );
    refused(
        &till(&["tip", "--order", &pay, "--amount", "1.00"], env()).await,
        "is voided; a tip can only be added to an approved payment",
    );
    assert_eq!(sim.received().len(), sent, "nothing sent");

    // The void's own history row shows the card and amount it reversed.
    let history = approved(&till(&["history", "--json"], env()).await);
    let row = history["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["operation"] == "void")
        .unwrap()
        .clone();
    assert_eq!(row["accountId"], "**** **** 0014");
    assert_eq!(row["quantity"], "USD 3.00");

    // An order this journal does not have is sent as given, and the till says it could
    // not check it.
    let out = till(&["void", "--order", "900000000000000001", "--json"], env()).await;
    assert_eq!(
        out.status.code(),
        Some(1),
        "PayWizard declines an unknown checkoutId"
    );
    assert!(
        stderr(&out).contains("is not in this till's journal, so it cannot check"),
        "{}",
        stderr(&out)
    );
    assert_eq!(sim.received().len(), sent + 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_partial_payment_counts_what_was_taken_and_the_ledger_agrees_after_a_void() {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let base = sim.base_url();
    let env = || sandbox_env(&base, &journal);
    let money = || sim.card(SHORT_CARD).unwrap().money_minor;
    assert_eq!(money(), 5_00);

    let out = till(
        &[
            "pay",
            "--account",
            SHORT_CARD,
            "--amount",
            "7.00",
            "--nsf-allowed",
            "--json",
        ],
        env(),
    )
    .await;
    assert!(
        stdout(&out).contains(r#""amount":"5.00","requestedAmount":"7.00""#),
        "{}",
        stdout(&out)
    );
    let pay = approved(&out);
    assert_eq!(pay["status"], "approved");
    assert!(
        pay["msg"]
            .as_str()
            .unwrap()
            .contains("collect USD 2.00 another way"),
        "{pay}"
    );
    assert_eq!(money(), 0);
    let order = pay["tranOrderNo"].as_str().unwrap().to_owned();

    let paid = |report: &Value| report["headline"]["paid"].clone();
    let report = approved(&till(&["report", "--json"], env()).await);
    assert_eq!(paid(&report)[0]["amount"], "5.00");
    assert_eq!(paid(&report)[0]["minor"], 500);
    assert_eq!(5_00 - paid(&report)[0]["minor"].as_i64().unwrap(), money());

    let history = approved(&till(&["history", "--json"], env()).await);
    let row = &history["entries"][0];
    assert_eq!(row["quantity"], "USD 5.00");
    assert_eq!(row["requestedAmount"], "7.00");

    let csv_path = dir.path().join("shift.csv");
    let out = till(&["export", "--csv", &csv_path.display().to_string()], env()).await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let mut csv = csv::Reader::from_path(&csv_path).unwrap();
    let header = csv.headers().unwrap().clone();
    let record = csv.records().next().unwrap().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&record[col("amount")], "5.00");
    assert_eq!(&record[col("requestedAmount")], "7.00");

    // The void gives back what was taken, and the report now agrees with the ledger.
    let void = approved(&till(&["void", "--order", &order, "--json"], env()).await);
    assert_eq!(void["amount"], "5.00");
    assert_eq!(money(), 5_00);
    let report = approved(&till(&["report", "--json"], env()).await);
    assert_eq!(paid(&report), serde_json::json!([]));
    assert_eq!(report["headline"]["voided"][0]["amount"], "5.00");
}

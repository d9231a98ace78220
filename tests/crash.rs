//! Crash test: `kill -9` the real binary at random moments of a value-moving request, many
//! times over one journal. After every kill the journal opens, SQLite's integrity check
//! passes, and the real `recover` subcommand resolves whatever was left open; at the end the
//! simulator's ledger equals the starting balances plus the journal's approved movements.
//!
//! The simulator adds latency to every request so a kill can land in each window: before
//! the journal write, between the write and the send, while the request is in flight,
//! after it was applied but before the answer was journaled, and during the balance fetch.
//! `CRASH_RUNS` overrides the number of runs (default 100).

mod common;

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use common::{journal_in, run_till, sandbox_env, start_sim, stderr, stdout, till_command};
use paywizard_till::api::Operation;
use paywizard_till::journal::{Journal, Row};
use paywizard_till::outcome::RowState;
use paywizard_till::sim::{SimHandle, demo_cards};
use time::UtcOffset;

const SEED: u64 = 0xC4A5_4009;
const DEFAULT_RUNS: usize = 100;
const LATENCY: Duration = Duration::from_millis(30);
const CARDS: [&str; 2] = ["914639258868515", "6274000000000014"];

fn runs() -> usize {
    std::env::var("CRASH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(DEFAULT_RUNS)
}

fn command_args(rng: &mut fastrand::Rng) -> Vec<String> {
    let card = CARDS[rng.usize(0..CARDS.len())];
    let (op, flag, value) = match rng.u32(0..4) {
        0 => ("issue-points", "--points", rng.u32(1..=20).to_string()),
        1 => ("redeem-points", "--points", rng.u32(1..=2).to_string()),
        2 => (
            "top-up",
            "--amount",
            format!("{}.{:02}", rng.u32(1..=20), rng.u32(0..100)),
        ),
        _ => (
            "pay",
            "--amount",
            format!("{}.{:02}", rng.u32(0..=2), rng.u32(1..100)),
        ),
    };
    [op, "--account", card, flag, &value, "--json"]
        .iter()
        .map(|s| s.to_string())
        .collect()
}

/// Starts the binary like `run_till`, but returns the child so it can be killed.
fn spawn_till(args: &[String], env: &[(String, String)]) -> std::process::Child {
    till_command(args, env)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the binary starts")
}

fn all_rows(journal: &Journal) -> Vec<Row> {
    journal
        .history(None, 100_000, UtcOffset::UTC)
        .unwrap()
        .iter()
        .map(|e| journal.row(e.id).unwrap().unwrap())
        .collect()
}

/// Where the kill landed, judged from the journal and the simulator afterwards.
fn classify_kill(
    exited_first: bool,
    rows_before: usize,
    rows: &[Row],
    sim: &SimHandle,
) -> &'static str {
    if exited_first {
        return "finished before the kill";
    }
    let Some(row) = rows
        .iter()
        .max_by_key(|r| r.id)
        .filter(|_| rows.len() > rows_before)
    else {
        return "before the journal write";
    };
    if !row.state.is_open() {
        return "after the outcome was journaled";
    }
    let order = row.tran_order_no.as_deref().unwrap_or_default();
    if sim.transactions().iter().any(|t| t.tran_order_no == order) {
        "applied, answer not journaled"
    } else {
        "journaled, not (yet) applied"
    }
}

/// Opens the journal as the next till would: it must open, and SQLite must find it whole.
fn check_journal(path: &Path) -> Vec<Row> {
    let journal = Journal::open(path, "1").expect("the journal opens after kill -9");
    assert_eq!(
        journal.integrity_check().expect("integrity_check runs"),
        Ok(()),
        "PRAGMA integrity_check after kill -9"
    );
    all_rows(&journal)
}

fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> tokio::task::JoinHandle<T> {
    tokio::task::spawn_blocking(f)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_at_random_points_then_recover_loses_nothing() {
    let started = Instant::now();
    let sim = start_sim().await;
    sim.faults().set_latency(LATENCY);
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let env = sandbox_env(&sim.base_url(), &journal);
    let mut rng = fastrand::Rng::with_seed(SEED);

    // How long one request takes uncut (the first run also creates the journal, so the
    // fastest of three): kills are spread over that span.
    let mut baseline = Duration::MAX;
    for _ in 0..3 {
        let args = command_args(&mut rng);
        let env = env.clone();
        let t = Instant::now();
        let out = blocking(move || run_till(&args, &env)).await.unwrap();
        baseline = baseline.min(t.elapsed());
        assert!(
            matches!(out.status.code(), Some(0) | Some(1)),
            "an uncut run finishes: {} {}",
            stdout(&out),
            stderr(&out)
        );
    }
    let window = baseline + baseline / 10;

    let runs = runs();
    let mut landed: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut recovered = 0;
    let j = journal.clone();
    let mut rows_before = blocking(move || check_journal(&j)).await.unwrap().len();
    for run in 0..runs {
        let args = command_args(&mut rng);
        let delay = Duration::from_micros(rng.u64(0..=window.as_micros() as u64));
        let env_run = env.clone();
        let exited_first = blocking(move || {
            let mut child = spawn_till(&args, &env_run);
            std::thread::sleep(delay);
            let exited = matches!(child.try_wait(), Ok(Some(_)));
            let _ = child.kill(); // SIGKILL
            let _ = child.wait();
            exited
        })
        .await
        .unwrap();

        let j = journal.clone();
        let rows = blocking(move || check_journal(&j)).await.unwrap();
        *landed
            .entry(classify_kill(exited_first, rows_before, &rows, &sim))
            .or_default() += 1;
        let open = rows.iter().filter(|r| r.state.is_open()).count();
        recovered += open;
        rows_before = rows.len();

        let env_run = env.clone();
        let out = blocking(move || run_till(&["recover".into(), "--json".into()], &env_run))
            .await
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "run {run}: recover exits 0: {} {}",
            stdout(&out),
            stderr(&out)
        );
        let v: serde_json::Value = serde_json::from_str(stdout(&out).trim())
            .unwrap_or_else(|e| panic!("recover --json ({e}): {}", stdout(&out)));
        assert_eq!(v["stillUnknown"], 0, "run {run}: {v}");
        assert_eq!(
            v["resolved"], open,
            "run {run}: every open row was resent: {v}"
        );
    }

    // Let any request still sleeping in the simulator land (de-duplicated) before counting.
    tokio::time::sleep(LATENCY * 2).await;
    let j = journal.clone();
    let rows = blocking(move || check_journal(&j)).await.unwrap();
    assert!(
        rows.iter().all(|r| !r.state.is_open()),
        "recover left rows open"
    );
    let books = check_books(&sim, &rows);
    println!(
        "crash test: {runs} kill -9 runs in {:.1?} (uncut request {baseline:.0?}, kill delay 0-{window:.0?})",
        started.elapsed()
    );
    println!("  kill landed: {landed:?}");
    println!(
        "  {recovered} open rows resolved by `recover`; journal {} rows {books}",
        rows.len()
    );
}

/// The simulator's ledger equals the start plus the journal's approved movements, and no
/// tranOrderNo was applied twice or applied without an approved row.
fn check_books(sim: &SimHandle, rows: &[Row]) -> String {
    let mut expected: HashMap<String, (i64, i64)> = demo_cards()
        .into_iter()
        .map(|c| (c.account, (c.money_minor, c.points as i64)))
        .collect();
    // A settled row keeps its body with the card number masked: the card comes from what
    // the simulator received under the row's tranOrderNo.
    let mut sent: HashMap<String, serde_json::Value> = HashMap::new();
    for req in sim.received() {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        if let Some(order) = body["tranOrderNo"].as_str() {
            sent.insert(order.to_owned(), body.clone());
        }
    }
    let mut states: BTreeMap<&str, usize> = BTreeMap::new();
    for row in rows {
        *states.entry(row.state.as_str()).or_default() += 1;
        if row.state != RowState::Approved {
            continue;
        }
        let body = &sent[row.tran_order_no.as_deref().unwrap()];
        let account = body["accountId"].as_str().unwrap();
        let e = expected.get_mut(account).unwrap();
        let minor = row.amount_minor.unwrap_or(0);
        let points = row.points.map_or(0, |p| p as i64);
        match row.operation {
            Operation::TopUp => e.0 += minor,
            Operation::Pay => e.0 -= minor,
            Operation::IssuePoints => e.1 += points,
            Operation::RedeemPoints => e.1 -= points,
            other => panic!("unexpected {other}"),
        }
    }
    for (account, want) in &expected {
        let card = sim.card(account).unwrap();
        assert_eq!(
            (card.money_minor, card.points as i64),
            *want,
            "card {account}: simulator ledger vs journal"
        );
    }
    let approved: HashMap<&str, &Row> = rows
        .iter()
        .filter(|r| r.state == RowState::Approved)
        .map(|r| (r.tran_order_no.as_deref().unwrap(), r))
        .collect();
    let txns = sim.transactions();
    let mut seen = HashMap::new();
    for t in &txns {
        assert!(
            seen.insert(t.tran_order_no.clone(), ()).is_none(),
            "{} applied twice",
            t.tran_order_no
        );
        assert!(
            approved.contains_key(t.tran_order_no.as_str()),
            "{} applied but not approved in the journal",
            t.tran_order_no
        );
    }
    assert_eq!(txns.len(), approved.len(), "approved rows never applied");
    format!("{states:?}, {} simulator transactions", txns.len())
}

/// Kills while the till is still starting: creating the journal file, its schema, its
/// first row. The next start must find a journal (not "not a paywizard-till journal").
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_while_the_journal_is_created() {
    let started = Instant::now();
    let sim = start_sim().await;
    sim.faults().set_latency(LATENCY);
    let dir = tempfile::tempdir().unwrap();
    let mut rng = fastrand::Rng::with_seed(SEED ^ 1);
    let mut landed: BTreeMap<&'static str, usize> = BTreeMap::new();
    for run in 0..20 {
        let journal = dir.path().join(format!("fresh-{run}.sqlite3"));
        let env = sandbox_env(&sim.base_url(), &journal);
        let args = command_args(&mut rng);
        let delay = Duration::from_micros(rng.u64(0..=40_000));
        let env_run = env.clone();
        blocking(move || {
            let mut child = spawn_till(&args, &env_run);
            std::thread::sleep(delay);
            let _ = child.kill();
            let _ = child.wait();
        })
        .await
        .unwrap();
        let j = journal.clone();
        let rows = blocking(move || j.exists().then(|| check_journal(&j)))
            .await
            .unwrap();
        *landed
            .entry(match &rows {
                None => "no journal file yet",
                Some(r) if r.is_empty() => "journal, no row",
                Some(r) if r.iter().any(|r| r.state.is_open()) => "open row",
                Some(_) => "final row",
            })
            .or_default() += 1;
        let out = blocking(move || run_till(&["recover".into(), "--json".into()], &env))
            .await
            .unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "run {run}: {} {}",
            stdout(&out),
            stderr(&out)
        );
    }
    println!(
        "crash while creating the journal: 20 runs in {:.1?}: {landed:?}",
        started.elapsed()
    );
}

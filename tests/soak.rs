//! Fault soak: 1,000 value-moving requests through the real `Till` engine (journal -> sign
//! -> reqwest -> simulator on loopback) while the simulator breaks about one in five of them,
//! then recovery (the same resend path as `paywizard-till recover`) until every journal row
//! is final. The simulator's ledger must then equal the starting balances plus exactly what
//! the journal says was approved: nothing lost, nothing applied twice.
//!
//! The work is split into four shards (one till, one journal, one simulator each) that run
//! side by side: a till is one process with one journal, and the simulator's fault queue is
//! per simulator, so every fault is pinned to the request it hit and the counts below are
//! the same on every run. Run with `--nocapture` to see them.

mod common;

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::time::{Duration, Instant};

use common::{TOKEN, sandbox_overrides, start_sim};
use paywizard_till::api::{Operation, TillRequest};
use paywizard_till::config::{Config, FileConfig, Overrides};
use paywizard_till::journal::{Journal, Row};
use paywizard_till::money::{Amount, Points};
use paywizard_till::outcome::{RowState, Status};
use paywizard_till::sim::{Fault, SimHandle, demo_cards};
use paywizard_till::till::Till;
use time::UtcOffset;

const SEED: u64 = 0x50A4_2026;
const SHARDS: u64 = 4;
const OPS_PER_SHARD: usize = 250;
/// The till's request timeout in this test; a delay fault outlasts it.
const TIMEOUT: Duration = Duration::from_millis(300);
const DELAY: Duration = Duration::from_millis(450);
/// Recovery passes that still meet faults, then passes against a healthy server.
const FAULTY_RECOVERY_PASSES: usize = 2;
const MAX_RECOVERY_PASSES: usize = 10;

/// What the test asks the simulator to do to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Kind {
    None,
    DropBefore,
    DropAfter,
    Http500,
    Delay,
    Pending,
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kind::None => "no fault",
            Kind::DropBefore => "drop before apply",
            Kind::DropAfter => "drop after apply",
            Kind::Http500 => "HTTP 500",
            Kind::Delay => "delay past timeout",
            Kind::Pending => "result 2 (pending)",
        })
    }
}

/// About 20% of requests: 4% of each kind.
fn roll_fault(rng: &mut fastrand::Rng) -> Kind {
    match rng.u32(0..100) {
        0..=3 => Kind::DropBefore,
        4..=7 => Kind::DropAfter,
        8..=11 => Kind::Http500,
        12..=15 => Kind::Delay,
        16..=19 => Kind::Pending,
        _ => Kind::None,
    }
}

fn inject(sim: &SimHandle, kind: Kind) {
    let fault = match kind {
        Kind::None => return,
        Kind::DropBefore => Fault::DropBeforeApply,
        Kind::DropAfter => Fault::DropAfterApply,
        Kind::Http500 => Fault::Http500,
        Kind::Delay => Fault::Delay(DELAY),
        Kind::Pending => Fault::Pending,
    };
    sim.faults().push_next(fault);
}

#[derive(Debug, Default)]
struct Tally {
    ops: BTreeMap<&'static str, usize>,
    /// (fault on the first attempt, what the till showed) -> count
    first: BTreeMap<(Kind, &'static str), usize>,
    recovery_resends: usize,
    recovery_faults: BTreeMap<Kind, usize>,
    recovery_passes: usize,
    final_states: BTreeMap<&'static str, usize>,
    sim_transactions: usize,
}

impl Tally {
    fn merge(&mut self, other: Tally) {
        for (k, v) in other.ops {
            *self.ops.entry(k).or_default() += v;
        }
        for (k, v) in other.first {
            *self.first.entry(k).or_default() += v;
        }
        for (k, v) in other.recovery_faults {
            *self.recovery_faults.entry(k).or_default() += v;
        }
        for (k, v) in other.final_states {
            *self.final_states.entry(k).or_default() += v;
        }
        self.recovery_resends += other.recovery_resends;
        self.recovery_passes = self.recovery_passes.max(other.recovery_passes);
        self.sim_transactions += other.sim_transactions;
    }
}

fn till_for(sim: &SimHandle, dir: &tempfile::TempDir, shard: u64) -> Till {
    let overrides = Overrides {
        journal: Some(dir.path().join("journal.sqlite3")),
        ..sandbox_overrides(&sim.base_url(), TOKEN, &format!("{}", shard + 1))
    };
    let file = FileConfig {
        request_timeout_ms: Some(TIMEOUT.as_millis() as u64),
        connect_timeout_ms: Some(1_000),
        ..FileConfig::default()
    };
    let config = Config::resolve(&overrides, &file).expect("test config is valid");
    let journal = Journal::open(&config.journal_path, &config.till_id).expect("journal opens");
    Till::new(&config, journal, UtcOffset::UTC)
        .expect("client builds")
        .with_retry_delays(vec![Duration::from_millis(10)])
}

const CARDS: [&str; 5] = [
    "6274000000000014", // USD 50.00, 120 pts
    "6274000000000022", // USD 5.00, 0 pts
    "6274000000000030", // inactive: everything on it is declined
    "6274000000000048", // USD 0.00, 10000 pts
    "914639258868515",  // USD 1534.10, 53 pts
];

/// The next request of the mix, given the approved payments (and top-ups) it may refer to.
fn next_request(
    rng: &mut fastrand::Rng,
    pays: &mut Vec<(String, String)>,
    voidable: &mut Vec<String>,
) -> TillRequest {
    let card = CARDS[rng.usize(0..CARDS.len())];
    let roll = rng.u32(0..100);
    let mut req = match roll {
        0..=24 => {
            let mut r = TillRequest::new(Operation::IssuePoints, card);
            r.points = Some(Points::new(rng.u64(1..=50)));
            r
        }
        25..=39 => {
            let mut r = TillRequest::new(Operation::RedeemPoints, card);
            r.points = Some(Points::new(rng.u64(1..=40)));
            r
        }
        40..=59 => {
            let mut r = TillRequest::new(Operation::TopUp, card);
            r.amount = Some(Amount::from_minor(rng.i64(100..=4_000)));
            r
        }
        60..=84 => {
            let mut r = TillRequest::new(Operation::Pay, card);
            r.amount = Some(Amount::from_minor(rng.i64(50..=3_000)));
            r
        }
        85..=91 if !pays.is_empty() => {
            let (checkout, account) = pays[rng.usize(0..pays.len())].clone();
            let mut r = TillRequest::new(Operation::Tip, account);
            r.amount = Some(Amount::from_minor(rng.i64(10..=500)));
            r.original_checkout_id = Some(checkout);
            r
        }
        92..=99 if !voidable.is_empty() => {
            let checkout = voidable.swap_remove(rng.usize(0..voidable.len()));
            // A voided payment takes no more tips.
            pays.retain(|(c, _)| *c != checkout);
            let mut r = TillRequest::new(Operation::Void, "");
            r.original_checkout_id = Some(checkout);
            r
        }
        _ => {
            let mut r = TillRequest::new(Operation::IssuePoints, card);
            r.points = Some(Points::new(rng.u64(1..=50)));
            r
        }
    };
    req.entry = paywizard_till::api::EntryType::ALL[rng.usize(0..4)];
    req
}

fn all_rows(journal: &Journal) -> Vec<Row> {
    let entries = journal
        .history(None, 100_000, UtcOffset::UTC)
        .expect("history reads");
    let mut rows: Vec<Row> = entries
        .iter()
        .map(|e| journal.row(e.id).unwrap().expect("row exists"))
        .collect();
    rows.sort_by_key(|r| r.id);
    rows
}

/// What was sent under each tranOrderNo (the first time; resends are checked to repeat it).
/// The journal keeps a settled row's body with the card number masked, so the card of a
/// row is read from what the simulator received.
fn sent_bodies(sim: &SimHandle) -> HashMap<String, Vec<u8>> {
    let mut sent: HashMap<String, Vec<u8>> = HashMap::new();
    for req in sim.received() {
        let body: serde_json::Value = serde_json::from_slice(&req.body).unwrap();
        if let Some(order) = body.get("tranOrderNo").and_then(|v| v.as_str()) {
            let first = sent
                .entry(order.to_owned())
                .or_insert_with(|| req.body.clone());
            assert_eq!(*first, req.body, "{order} was resent with different bytes");
        }
    }
    sent
}

fn account_in(body: &[u8]) -> Option<String> {
    let body: serde_json::Value = serde_json::from_slice(body).expect("a body is JSON");
    body.get("accountId")
        .and_then(|v| v.as_str())
        .map(str::to_owned)
}

/// Runs one shard end to end and checks its books; returns its counts.
async fn shard(index: u64) -> Tally {
    let sim = start_sim().await;
    let dir = tempfile::tempdir().unwrap();
    let till = till_for(&sim, &dir, index);
    let mut rng = fastrand::Rng::with_seed(SEED.wrapping_add(index));
    let mut tally = Tally::default();
    let mut pays: Vec<(String, String)> = Vec::new();
    let mut voidable: Vec<String> = Vec::new();

    for _ in 0..OPS_PER_SHARD {
        let req = next_request(&mut rng, &mut pays, &mut voidable);
        let kind = roll_fault(&mut rng);
        inject(&sim, kind);
        let finished = till
            .execute(&req, &mut |_| {})
            .await
            .expect("the journal accepts every request");
        let outcome = &finished.outcome;
        *tally.ops.entry(req.operation.cli_name()).or_default() += 1;
        *tally
            .first
            .entry((kind, outcome.status.as_str()))
            .or_default() += 1;
        // Never "approved" for a request whose answer did not arrive.
        if matches!(
            kind,
            Kind::DropBefore | Kind::DropAfter | Kind::Delay | Kind::Pending
        ) {
            assert_eq!(
                outcome.status,
                Status::Unknown,
                "{kind} on {} showed {:?}",
                req.operation,
                outcome
            );
        }
        if kind == Kind::Http500 {
            assert_eq!(outcome.status, Status::Unknown, "HTTP 500 is not a decline");
        }
        if outcome.status == Status::Approved {
            let checkout = outcome
                .checkout_id
                .clone()
                .expect("approved has checkoutId");
            match req.operation {
                Operation::Pay => {
                    pays.push((checkout.clone(), req.account.clone()));
                    voidable.push(checkout);
                }
                Operation::TopUp => voidable.push(checkout),
                _ => {}
            }
        }
    }
    // Leftover queued faults would hit recovery unplanned.
    sim.faults().clear();

    // Recovery: resend every open row with its journaled bytes until none is left.
    let mut pass = 0;
    loop {
        let open = till.journal().open_rows().unwrap();
        if open.is_empty() {
            break;
        }
        pass += 1;
        assert!(
            pass <= MAX_RECOVERY_PASSES,
            "{} rows still open after {MAX_RECOVERY_PASSES} recovery passes",
            open.len()
        );
        for row in &open {
            assert!(row.state.is_open());
            let kind = if pass <= FAULTY_RECOVERY_PASSES {
                roll_fault(&mut rng)
            } else {
                Kind::None
            };
            inject(&sim, kind);
            *tally.recovery_faults.entry(kind).or_default() += 1;
            tally.recovery_resends += 1;
            till.resend(row, &mut |_| {})
                .await
                .expect("resend journals");
        }
        sim.faults().clear();
    }
    tally.recovery_passes = pass;

    // Delayed requests may still be sleeping in the simulator; let them land (they are
    // de-duplicated) before the books are compared.
    tokio::time::sleep(DELAY).await;
    check_books(&sim, &till, &mut tally);
    tally
}

/// The simulator's ledger against the journal: per card and per transaction.
fn check_books(sim: &SimHandle, till: &Till, tally: &mut Tally) {
    let journal = till.journal();
    assert_eq!(journal.integrity_check().unwrap(), Ok(()));
    let rows = all_rows(&journal);
    assert_eq!(rows.len(), OPS_PER_SHARD, "one journal row per request");
    for row in &rows {
        assert!(
            !row.state.is_open(),
            "row {} is still {}",
            row.id,
            row.state
        );
        *tally.final_states.entry(row.state.as_str()).or_default() += 1;
    }

    // Expected balances: the start plus every approved (and not voided) movement.
    let mut expected: HashMap<String, (i64, i64)> = demo_cards()
        .into_iter()
        .map(|c| (c.account, (c.money_minor, c.points as i64)))
        .collect();
    let sent = sent_bodies(sim);
    for row in rows.iter().filter(|r| r.state == RowState::Approved) {
        let body = &sent[row
            .tran_order_no
            .as_deref()
            .expect("value-moving rows have one")];
        let Some(account) = account_in(body) else {
            assert_eq!(row.operation, Operation::Void);
            continue;
        };
        let entry = expected.get_mut(&account).expect("a known card");
        let minor = row.amount_minor.unwrap_or(0);
        let points = row.points.map_or(0, |p| p as i64);
        match row.operation {
            Operation::TopUp => entry.0 += minor,
            Operation::Pay | Operation::Tip => entry.0 -= minor,
            Operation::IssuePoints => entry.1 += points,
            Operation::RedeemPoints => entry.1 -= points,
            other => panic!("unexpected approved {other}"),
        }
    }
    for (account, (money, points)) in &expected {
        let card = sim.card(account).unwrap();
        assert_eq!(
            (card.money_minor, card.points as i64),
            (*money, *points),
            "card {account}: simulator ledger vs journal"
        );
    }

    // Transaction by transaction: every applied movement is an approved (or voided) row,
    // and no tranOrderNo was applied twice.
    let txns = sim.transactions();
    tally.sim_transactions += txns.len();
    let mut applied: HashMap<&str, usize> = HashMap::new();
    for t in &txns {
        *applied.entry(t.tran_order_no.as_str()).or_default() += 1;
    }
    let twice: Vec<_> = applied.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "applied twice: {twice:?}");
    let by_order: HashMap<&str, &Row> = rows
        .iter()
        .filter_map(|r| r.tran_order_no.as_deref().map(|o| (o, r)))
        .collect();
    for t in &txns {
        let row = by_order.get(t.tran_order_no.as_str()).unwrap_or_else(|| {
            panic!(
                "simulator applied {} unknown to the journal",
                t.tran_order_no
            )
        });
        let want = if t.voided {
            RowState::Voided
        } else {
            RowState::Approved
        };
        assert_eq!(row.state, want, "{}: simulator {t:?}", t.tran_order_no);
        assert_eq!(row.checkout_id.as_deref(), Some(t.checkout_id.as_str()));
    }
    let lost: Vec<_> = rows
        .iter()
        .filter(|r| matches!(r.state, RowState::Approved | RowState::Voided))
        .filter(|r| !applied.contains_key(r.tran_order_no.as_deref().unwrap_or("")))
        .map(|r| r.tran_order_no.clone())
        .collect();
    assert!(
        lost.is_empty(),
        "approved in the journal, never applied: {lost:?}"
    );

    // Every resend carried the journaled bytes unchanged (checked in `sent_bodies`), and
    // the journal keeps them: whole while something may still need the card (an approved
    // payment, for a tip), with the card number masked once settled.
    for (order, body) in &sent {
        let row = by_order[order.as_str()];
        let Some(card) = account_in(body) else {
            assert_eq!(
                &row.body, body,
                "{order}: a body without a card is kept as sent"
            );
            continue;
        };
        if row.operation == Operation::Pay && row.state == RowState::Approved {
            assert_eq!(&row.body, body, "{order}: kept whole for a tip");
        } else {
            let masked = String::from_utf8(body.clone())
                .unwrap()
                .replace(&card, &paywizard_till::api::mask_account(&card));
            assert_eq!(
                String::from_utf8_lossy(&row.body),
                masked,
                "{order} ({} {}) still holds the card number",
                row.operation,
                row.state
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_thousand_requests_under_faults_lose_nothing_and_apply_nothing_twice() {
    let started = Instant::now();
    let shards: Vec<_> = (0..SHARDS).map(|i| tokio::spawn(shard(i))).collect();
    let mut total = Tally::default();
    for s in shards {
        total.merge(s.await.expect("shard passes"));
    }
    let elapsed = started.elapsed();

    let ops: usize = total.ops.values().sum();
    assert_eq!(ops, SHARDS as usize * OPS_PER_SHARD);
    let faulted: usize = total
        .first
        .iter()
        .filter(|((k, _), _)| *k != Kind::None)
        .map(|(_, n)| n)
        .sum();
    println!("fault soak: {ops} requests, seed {SEED:#x}, {elapsed:.1?}");
    println!("  operations: {:?}", total.ops);
    println!(
        "  faults on first attempt: {faulted} ({:.1}%)",
        100.0 * faulted as f64 / ops as f64
    );
    let mut by_kind: BTreeMap<Kind, Vec<String>> = BTreeMap::new();
    for ((kind, status), n) in &total.first {
        by_kind
            .entry(*kind)
            .or_default()
            .push(format!("{status} {n}"));
    }
    for (kind, shown) in &by_kind {
        println!("    {kind:<20} -> {}", shown.join(", "));
    }
    println!(
        "  recovery: {} resends over {} passes; faults met: {:?}",
        total.recovery_resends,
        total.recovery_passes,
        total
            .recovery_faults
            .iter()
            .filter(|(k, _)| **k != Kind::None)
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
    );
    println!("  final journal states: {:?}", total.final_states);
    println!(
        "  simulator transactions: {}; lost 0, applied twice 0 (asserted per shard)",
        total.sim_transactions
    );
    // The mix really exercised every fault (the seed is fixed, so this is stable).
    for kind in [
        Kind::DropBefore,
        Kind::DropAfter,
        Kind::Http500,
        Kind::Delay,
        Kind::Pending,
    ] {
        assert!(by_kind.contains_key(&kind), "no {kind} in the mix");
    }
    assert!(
        (150..=250).contains(&faulted),
        "about 20% faults, got {faulted}"
    );
}

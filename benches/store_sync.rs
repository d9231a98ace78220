//! Store sync (issue 14): push a 100,000-row journal to a local PostgreSQL, in batches, and
//! report rows/s; then time sales through the till engine with and without a sync running
//! beside them, to show a sale does not wait on the store.
//!
//! The PostgreSQL server is a throwaway cluster started here (the same harness the tests
//! use), so `cargo bench --bench store_sync` needs only the server binaries.
//!
//! Run: `cargo bench --bench store_sync`. `STORE_BENCH_ROWS` (default 100000) and
//! `STORE_BENCH_SALES` (default 200) change the sizes.

mod common;
#[path = "../tests/common/pg.rs"]
mod pg;

use std::path::Path;
use std::time::{Duration, Instant};

use paywizard_till::api::{Operation, TillRequest};
use paywizard_till::config::{Config, FileConfig, Overrides, Secret};
use paywizard_till::journal::Journal;
use paywizard_till::money::Points;
use paywizard_till::sim::{self, SimCredentials, SimOptions};
use paywizard_till::store::{Source, StoreAddress, StoreSettings, sync_once};
use paywizard_till::till::Till;
use time::UtcOffset;
use time::macros::datetime;

const TILL_ID: &str = "9";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn settings(pg: &pg::Pg) -> StoreSettings {
    StoreSettings {
        address: StoreAddress::parse(&pg.url()).expect("the cluster's URL parses"),
        connect_timeout: Duration::from_secs(5),
        every: Duration::from_secs(30),
    }
}

fn source(journal: &Path) -> Source {
    Source {
        journal: journal.to_path_buf(),
        till_id: TILL_ID.into(),
        store_name: "Bench Store".into(),
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

/// `n` points issues through the engine (journal, sign, send, journal), one after another.
async fn sales(till: &Till, n: usize) -> Vec<Duration> {
    let mut times = Vec::with_capacity(n);
    for _ in 0..n {
        let mut req = TillRequest::new(Operation::IssuePoints, "6274000000000014");
        req.points = Some(Points::new(1));
        let started = Instant::now();
        let done = till
            .execute(&req, &mut |_| {})
            .await
            .expect("the sale runs");
        times.push(started.elapsed());
        assert_eq!(done.outcome.status.as_str(), "approved");
    }
    times.sort();
    times
}

fn print_sales(label: &str, times: &[Duration]) {
    println!(
        "  {label:<28} p50 {:>7.2?}  p90 {:>7.2?}  p99 {:>7.2?}  max {:>7.2?}",
        percentile(times, 0.5),
        percentile(times, 0.9),
        percentile(times, 0.99),
        times[times.len() - 1]
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return; // `cargo test --benches` lists benches; nothing to list here.
    }
    let Some(pg) = pg::Pg::start() else {
        eprintln!("no PostgreSQL server: store_sync bench skipped");
        return;
    };
    let rows = env_usize("STORE_BENCH_ROWS", 100_000) as i64;
    let n_sales = env_usize("STORE_BENCH_SALES", 200);
    let dir = tempfile::tempdir().unwrap();
    let journal = dir.path().join("bench.sqlite3");
    {
        let started = Instant::now();
        let mut j = Journal::open(&journal, TILL_ID).unwrap();
        let t0 = datetime!(2026-01-01 08:00:00 UTC);
        j.bulk_load_for_bench(common::synthetic_rows(rows, TILL_ID, t0))
            .unwrap();
        println!("built a {rows}-row journal in {:.1?}", started.elapsed());
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let settings = settings(&pg);
        let started = Instant::now();
        let done = sync_once(&source(&journal), &settings).await.expect("sync");
        let took = started.elapsed();
        assert_eq!(done.rows as i64, rows);
        assert_eq!(done.waiting, 0);
        println!(
            "synced {} rows ({} changes) in {took:.2?}: {:.0} rows/s (batches of {})",
            done.rows,
            done.changes,
            done.rows as f64 / took.as_secs_f64(),
            paywizard_till::store::sync::BATCH
        );
        let started = Instant::now();
        let again = sync_once(&source(&journal), &settings).await.expect("sync");
        assert_eq!(again.rows, 0);
        println!(
            "a second sync with nothing to push: {:.2?}",
            started.elapsed()
        );

        // Sales beside a sync: the engine's writer and the sync's own reader.
        let credentials = SimCredentials::demo();
        let sim = sim::spawn(SimOptions {
            credentials: credentials.clone(),
            ..SimOptions::default()
        })
        .await
        .unwrap();
        let overrides = Overrides {
            env: Some("sandbox".into()),
            base_url: Some(sim.base_url()),
            client_id: Some(credentials.client_id.clone()),
            client_secret: Some(Secret::new(credentials.client_secret.clone())),
            jwt_token: Some(Secret::new(credentials.jwt_token.clone())),
            till_id: Some(TILL_ID.into()),
            journal: Some(journal.clone()),
            ..Overrides::default()
        };
        let config = Config::resolve(&overrides, &FileConfig::default()).unwrap();
        let till = Till::new(
            &config,
            Journal::open(&journal, TILL_ID).unwrap(),
            UtcOffset::UTC,
        )
        .unwrap();
        let alone = sales(&till, n_sales).await;
        // As the screen runs it: the background task syncs after every change.
        let bg =
            paywizard_till::store::background::spawn(source(&journal), settings.clone(), |_| {});
        let with_sync = sales(&till, n_sales).await;
        bg.abort();
        // The worst case: the whole journal pushed again from scratch while selling.
        pg.psql("UPDATE tills SET pushed_seq = 0, head_hash = NULL");
        let src = source(&journal);
        let bg_settings = settings.clone();
        let catch_up = tokio::spawn(async move {
            let started = Instant::now();
            sync_once(&src, &bg_settings).await.expect("catch-up sync");
            started.elapsed()
        });
        let during_catch_up = sales(&till, n_sales).await;
        let took = catch_up.await.unwrap();
        println!("sale latency through the engine ({n_sales} points issues each):");
        print_sales("store sync off", &alone);
        print_sales("screen's sync on", &with_sync);
        print_sales(
            &format!("during a {rows}-row catch-up ({took:.1?})"),
            &during_catch_up,
        );
    });
}

//! The history pane on a long-lived till: the first page (50 rows) of a 1,000,000-row
//! journal. Target: under 5 ms.
//!
//! The big journal is built once (one transaction, one prepared statement) and cached beside
//! the bench binary (`target/release/bench-journal-1m.sqlite3`); delete it to rebuild.

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{Criterion, criterion_group, criterion_main};
use paywizard_till::journal::Journal;
use time::UtcOffset;
use time::macros::datetime;

const ROWS: i64 = 1_000_000;

fn cache_path() -> PathBuf {
    // target/release/deps/journal-<hash> -> target/release/
    let exe = std::env::current_exe().expect("bench binary path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .map_or_else(std::env::temp_dir, Path::to_path_buf);
    dir.join("bench-journal-1m.sqlite3")
}

fn is_complete(path: &Path) -> bool {
    Journal::open_read_only(path)
        .and_then(|j| j.history(None, 1, UtcOffset::UTC))
        .is_ok_and(|page| page.first().is_some_and(|e| e.id == ROWS))
}

fn build(path: &Path) {
    for suffix in ["", "-wal", "-shm", ".lock"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let started = std::time::Instant::now();
    let mut j = Journal::open(path, "1").expect("open bench journal");
    let t0 = datetime!(2024-01-01 08:00:00 UTC);
    let rows = common::synthetic_rows(ROWS, "1", t0);
    let n = j.bulk_load_for_bench(rows).expect("bulk load");
    assert_eq!(n as i64, ROWS);
    eprintln!(
        "built {n}-row journal at {} in {:.1?}",
        path.display(),
        started.elapsed()
    );
}

fn history(c: &mut Criterion) {
    let path = cache_path();
    if !is_complete(&path) {
        build(&path);
    }
    // The till's own (writer) connection, as the history pane uses it.
    let writer = Journal::open(&path, "1").expect("open");
    c.bench_function("history first page (50 of 1M), writer", |b| {
        b.iter(|| {
            let page = writer.history(None, 50, UtcOffset::UTC).unwrap();
            assert_eq!(page.len(), 50);
            black_box(page)
        })
    });
    c.bench_function("history deep page (50 before id 500000), writer", |b| {
        b.iter(|| black_box(writer.history(Some(500_000), 50, UtcOffset::UTC).unwrap()))
    });
    drop(writer);
    // `paywizard-till history` from another terminal: open + first page, cold connection.
    c.bench_function("open read-only + history first page (50 of 1M)", |b| {
        b.iter(|| {
            let j = Journal::open_read_only(&path).unwrap();
            black_box(j.history(None, 50, UtcOffset::UTC).unwrap())
        })
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(50);
    targets = history
}
criterion_main!(benches);

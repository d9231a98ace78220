//! Building one receipt from an approved outcome and encoding it as ESC/POS (the whole job:
//! ESC @, code page, the lines, the QR code, the cut). Target (issue 13): under 100 µs.
//!
//! The receipt is the heaviest kind: a partial payment with two balances, on a training
//! till (its banner's em dash is not in PC437, so it goes through transliteration). As in
//! the other benches, criterion gives the mean and a sampled loop of 10,000 iterations, each
//! timed on its own, gives the percentiles (wall clock and thread CPU time).
//!
//! Run: `cargo bench --bench receipt`.

mod common;

use std::hint::black_box;
use std::time::Duration;

use common::{Sampled, bench_mode, loadavg, sample, selected};
use criterion::{Criterion, criterion_group, criterion_main};
use paywizard_till::api::{Balance, EntryType, Operation};
use paywizard_till::money::WireDecimal;
use paywizard_till::outcome::{Outcome, Status};
use paywizard_till::receipt::escpos::{self, Paper};
use paywizard_till::receipt::{CodePage, Issuer, Receipt, text};
use time::OffsetDateTime;
use time::macros::datetime;

const SAMPLES: usize = 10_000;
const TARGET: Duration = Duration::from_micros(100);
const AT: OffsetDateTime = datetime!(2026-11-23 10:56:12 UTC);

fn issuer() -> Issuer {
    Issuer {
        store: "Corner Store Main St".into(),
        till_id: "42".into(),
        currency: "USD".into(),
    }
}

fn outcome() -> Outcome {
    Outcome {
        operation: Operation::Pay,
        tran_order_no: Some("20261123105612004200000001".into()),
        account_id: "**** **** 0014".into(),
        entry_type: EntryType::B,
        status: Status::Approved,
        code: Some(200),
        msg: "approved".into(),
        checkout_id: Some("917954313680000001".into()),
        amount: Some("5.00".into()),
        requested_amount: Some("7.00".into()),
        balances: vec![
            Balance {
                value_code: "USD".into(),
                amount: WireDecimal::new("0").unwrap(),
                difference: WireDecimal::default(),
            },
            Balance {
                value_code: "Points".into(),
                amount: WireDecimal::new("145").unwrap(),
                difference: WireDecimal::default(),
            },
        ],
    }
}

const PAPER: Paper = Paper {
    width: 42,
    codepage: CodePage::DEFAULT,
};

fn build_and_encode(issuer: &Issuer, outcome: &Outcome) -> Vec<u8> {
    let receipt = Receipt::approved(issuer, AT, outcome)
        .expect("approved")
        .training(true);
    escpos::render(&receipt, PAPER).expect("encodes")
}

fn report(sampled: &Sampled, what: &str) {
    println!("{} (load average {})", sampled.wall.line(what), loadavg());
    println!("{}", sampled.cpu.line("  same, thread CPU time"));
    let verdict = |d: Duration| if d < TARGET { "MET" } else { "MISSED" };
    println!(
        "  target < {TARGET:?}: p99 {} (wall), {} (CPU)",
        verdict(sampled.wall.p99),
        verdict(sampled.cpu.p99)
    );
}

fn receipt(c: &mut Criterion) {
    let (issuer, outcome) = (issuer(), outcome());
    let job = build_and_encode(&issuer, &outcome);
    assert!(job.starts_with(b"\x1b@"), "ESC @ first");
    assert!(job.ends_with(b"\x1dVA\x00"), "the cut last");
    if selected(&["receipt/build_and_encode_escpos", "p99"]) {
        let (warm, n) = if bench_mode() {
            (1_000, SAMPLES)
        } else {
            (10, 100)
        };
        let sampled = sample(warm, n, || {
            black_box(build_and_encode(black_box(&issuer), black_box(&outcome)));
        });
        report(
            &sampled,
            "receipt p99 loop: build + ESC/POS encode, 42 columns, PC437",
        );
    }
    let mut group = c.benchmark_group("receipt");
    group.bench_function("build_and_encode_escpos", |b| {
        b.iter(|| build_and_encode(black_box(&issuer), black_box(&outcome)))
    });
    let model = Receipt::approved(&issuer, AT, &outcome)
        .unwrap()
        .training(true);
    group.bench_function("text_preview", |b| {
        b.iter(|| text::render(black_box(&model), 42))
    });
    group.finish();
}

criterion_group!(benches, receipt);
criterion_main!(benches);

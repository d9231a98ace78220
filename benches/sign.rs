//! Signing a 1 KB body: the app's V3 signer against the bare HMAC-SHA256 it is built on.
//! Target (issue 7): within 2x of the raw `hmac` + `sha2` cost.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hmac::{Hmac, Mac};
use paywizard_till::api::sign;
use sha2::Sha256;

const CLIENT_ID: &str = "825429536610058240";
const SECRET: &str = "9fb645400aabaa33ee0e423405d8c676";

fn body_1kb() -> Vec<u8> {
    let mut body = br#"{"clientId":"825429536610058240","tranOrderNo":"20261123093000000100000001","loyaltyChannel":"FACTOR4","accountId":"6274000000000014","entryType":"K","amount":"10.50","tranCurrency":"USD","customerInfo":{"firstName":""#.to_vec();
    body.resize(1024 - 3, b'a');
    body.extend_from_slice(b"\"}}");
    body
}

fn signing(c: &mut Criterion) {
    let body = body_1kb();
    assert_eq!(body.len(), 1024);
    let mut group = c.benchmark_group("sign_1kb");
    group.bench_function("paywizard_v3", |b| {
        b.iter(|| sign::sign(black_box(&body), CLIENT_ID, SECRET))
    });
    group.bench_function("raw_hmac_sha256", |b| {
        b.iter(|| {
            let mut mac = Hmac::<Sha256>::new_from_slice(SECRET.as_bytes()).unwrap();
            mac.update(black_box(&body));
            mac.update(b"&clientId=");
            mac.update(CLIENT_ID.as_bytes());
            mac.update(b"&clientSecret=");
            mac.update(SECRET.as_bytes());
            mac.finalize().into_bytes()
        })
    });
    group.finish();
}

criterion_group!(benches, signing);
criterion_main!(benches);

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
    assert_eq!(store.pushed_seq(&t).await.unwrap(), 0);
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
    assert_eq!(store.push(&t, &changes).await.unwrap(), 2);
    assert_eq!(store.pushed_seq(&t).await.unwrap(), 3);
    // The same batch again changes nothing.
    assert_eq!(store.push(&t, &changes).await.unwrap(), 0);
    // An older version never overwrites a newer one.
    let stale = vec![Change {
        seq: 2,
        row: row(1, "sending", 700),
    }];
    assert_eq!(store.push(&t, &stale).await.unwrap(), 0);
    let settled = vec![Change {
        seq: 4,
        row: row(1, "approved", 500),
    }];
    assert_eq!(store.push(&t, &settled).await.unwrap(), 1);
    assert_eq!(
        pg.psql("SELECT row_id, version, state, amount_minor FROM entries ORDER BY row_id"),
        "1|4|approved|500\n2|2|sending|100\n"
    );
    // A second connection (another till) migrates nothing and sees the same rows.
    let other = Store::connect(&address, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(other.pushed_seq(&t).await.unwrap(), 4);
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

//! The real client against the simulator over loopback: every endpoint, authentication,
//! de-duplication, and every error class produced by a simulator fault.

mod common;

use std::time::Duration;

use common::{CARD, CLIENT_ID, SECRET, TOKEN, start_sim};
use paywizard_till::api::client::{Client, ClientError, ClientSettings};
use paywizard_till::api::{
    BodyContext, CustomerInfo, Operation, ResponseData, TillRequest, build_body,
};
use paywizard_till::config::Secret;
use paywizard_till::money::{Amount, Currency, Points};
use paywizard_till::outcome::Status;
use paywizard_till::sim::Fault;

fn client_for(base_url: &str, secret: &str, token: &str, timeout: Duration) -> Client {
    Client::new(ClientSettings {
        base_url: base_url.into(),
        client_id: CLIENT_ID.into(),
        client_secret: Secret::new(secret),
        jwt_token: Secret::new(token),
        connect_timeout: Duration::from_secs(2),
        request_timeout: timeout,
    })
    .unwrap()
}

fn ctx() -> BodyContext {
    BodyContext {
        client_id: CLIENT_ID.into(),
        channel: "FACTOR4".into(),
        currency: Currency::usd(),
    }
}

/// A fresh, unique tranOrderNo per call within a test.
fn order(n: u32) -> String {
    format!("2026112300000000010000{n:04}")
}

fn points(op: Operation, account: &str, n: u64) -> TillRequest {
    let mut req = TillRequest::new(op, account);
    req.points = Some(Points::new(n));
    req
}

fn money(op: Operation, account: &str, minor: i64) -> TillRequest {
    let mut req = TillRequest::new(op, account);
    req.amount = Some(Amount::from_minor(minor));
    req
}

async fn send(client: &Client, req: &TillRequest, n: u32) -> Result<ResponseData, ClientError> {
    let order_no = req.operation.has_order_no().then(|| order(n));
    let body = build_body(req, &ctx(), order_no.as_deref()).unwrap();
    client.send(req.operation, &body).await
}

#[tokio::test]
async fn every_endpoint_works_through_the_real_client() {
    let sim = start_sim().await;
    let client = client_for(&sim.base_url(), SECRET, TOKEN, Duration::from_secs(5));
    let card = |id: &str| sim.card(id).unwrap();

    send(&client, &points(Operation::IssuePoints, CARD, 25), 1)
        .await
        .unwrap();
    assert_eq!(card(CARD).points, 145);
    send(&client, &points(Operation::RedeemPoints, CARD, 20), 2)
        .await
        .unwrap();
    assert_eq!(card(CARD).points, 125);
    send(&client, &money(Operation::TopUp, CARD, 1050), 3)
        .await
        .unwrap();
    assert_eq!(card(CARD).money_minor, 60_50);
    let pay = send(&client, &money(Operation::Pay, CARD, 525), 4)
        .await
        .unwrap();
    assert_eq!(card(CARD).money_minor, 55_25);
    let pay_checkout = pay.checkout_id.clone().expect("pay returns a checkoutId");

    let mut tip = money(Operation::Tip, CARD, 100);
    tip.original_checkout_id = Some(pay_checkout.clone());
    let tipped = send(&client, &tip, 5).await.unwrap();
    assert_eq!(
        tipped.ori_checkout_id.as_deref(),
        Some(pay_checkout.as_str())
    );
    assert_eq!(card(CARD).money_minor, 54_25);

    let mut void = TillRequest::new(Operation::Void, "");
    void.original_checkout_id = Some(pay_checkout.clone());
    let voided = send(&client, &void, 6).await.unwrap();
    assert_eq!(
        voided.ori_checkout_id.as_deref(),
        Some(pay_checkout.as_str())
    );
    assert_eq!(
        card(CARD).money_minor,
        59_50,
        "the void gives the 5.25 back"
    );

    let balance = send(&client, &TillRequest::new(Operation::Balance, CARD), 7)
        .await
        .unwrap();
    let shown: Vec<String> = balance
        .balances
        .unwrap()
        .iter()
        .map(|b| b.display())
        .collect();
    assert_eq!(shown, ["USD 59.50", "125 pts"]);

    let inactive = "6274000000000030";
    assert!(!card(inactive).active);
    let mut activate = TillRequest::new(Operation::Activate, inactive);
    activate.customer = Some(CustomerInfo {
        first_name: "Ada".into(),
        country: "GB".into(),
        ..CustomerInfo::default()
    });
    let activated = send(&client, &activate, 8).await.unwrap();
    assert!(activated.balances.is_some());
    assert!(card(inactive).active);
    assert_eq!(card(inactive).customer.unwrap().first_name, "Ada");
}

#[tokio::test]
async fn a_wrong_secret_or_token_is_refused_with_a_clear_message_and_moves_nothing() {
    let sim = start_sim().await;
    let before = sim.card(CARD).unwrap();
    let wrong_secret = client_for(
        &sim.base_url(),
        "not-the-secret",
        TOKEN,
        Duration::from_secs(5),
    );
    let err = send(&wrong_secret, &points(Operation::IssuePoints, CARD, 25), 1)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Api { code: 401, msg } if msg.contains("invalid sign")),
        "{err:?}"
    );
    assert_eq!(err.status(), Status::Rejected);
    assert_eq!(err.status().exit_code(), 1);

    let wrong_token = client_for(
        &sim.base_url(),
        SECRET,
        "WRONGTOKEN",
        Duration::from_secs(5),
    );
    let err = send(&wrong_token, &points(Operation::IssuePoints, CARD, 25), 2)
        .await
        .unwrap_err();
    assert!(
        matches!(&err, ClientError::Api { code: 401, msg } if msg.contains("jwt-token")),
        "{err:?}"
    );
    assert_eq!(sim.card(CARD).unwrap(), before);
    assert!(!err.to_string().contains(SECRET) && !err.to_string().contains(TOKEN));
}

#[tokio::test]
async fn a_repeated_order_number_moves_the_balance_once() {
    let sim = start_sim().await;
    let client = client_for(&sim.base_url(), SECRET, TOKEN, Duration::from_secs(5));
    let req = points(Operation::IssuePoints, CARD, 25);
    let first = send(&client, &req, 1).await.unwrap();
    let again = send(&client, &req, 1).await.unwrap();
    assert_eq!(first.checkout_id, again.checkout_id);
    assert_eq!(sim.card(CARD).unwrap().points, 145, "moved once, not twice");
}

/// Each simulator fault lands in the right class, status and exit code.
#[tokio::test]
async fn every_fault_maps_to_its_error_class_and_exit_code() {
    let sim = start_sim().await;
    let client = client_for(&sim.base_url(), SECRET, TOKEN, Duration::from_millis(700));
    let req = points(Operation::IssuePoints, CARD, 10);
    let faults = sim.faults();

    faults.push_next(Fault::DropBeforeApply);
    let err = send(&client, &req, 1).await.unwrap_err();
    assert!(matches!(err, ClientError::NoAnswer(_)), "{err:?}");
    assert_eq!(
        (err.status(), err.status().exit_code()),
        (Status::Unknown, 2)
    );
    assert_eq!(
        sim.card(CARD).unwrap().points,
        120,
        "dropped before applying"
    );

    faults.push_next(Fault::DropAfterApply);
    let err = send(&client, &req, 2).await.unwrap_err();
    assert!(matches!(err, ClientError::NoAnswer(_)), "{err:?}");
    assert_eq!(err.status().exit_code(), 2);
    assert_eq!(sim.card(CARD).unwrap().points, 130, "applied, answer lost");

    faults.push_next(Fault::Http500);
    let err = send(&client, &req, 3).await.unwrap_err();
    assert!(
        matches!(err, ClientError::HttpStatus { status: 500, .. }),
        "{err:?}"
    );
    assert_eq!(err.status().exit_code(), 2);

    faults.push_next(Fault::Pending);
    let err = send(&client, &req, 4).await.unwrap_err();
    assert!(matches!(err, ClientError::Pending { .. }), "{err:?}");
    assert_eq!(err.status().exit_code(), 2);

    faults.push_next(Fault::Delay(Duration::from_millis(1500)));
    let err = send(&client, &req, 5).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::NoAnswer(m) if m.contains("timed out")),
        "{err:?}"
    );
    assert_eq!(err.status().exit_code(), 2);

    let mut broke = money(Operation::Pay, "6274000000000022", 10_000);
    broke.nsf_allowed = false;
    let err = send(&client, &broke, 6).await.unwrap_err();
    assert!(
        matches!(&err, ClientError::Declined { msg, .. } if msg.contains("insufficient")),
        "{err:?}"
    );
    assert_eq!(
        (err.status(), err.status().exit_code()),
        (Status::Declined, 1)
    );

    let base = sim.base_url();
    sim.shutdown().await;
    let gone = client_for(&base, SECRET, TOKEN, Duration::from_millis(700));
    let err = send(&gone, &req, 7).await.unwrap_err();
    assert!(matches!(err, ClientError::NotSent(_)), "{err:?}");
    assert!(err.is_retryable());
    assert_eq!(
        (err.status(), err.status().exit_code()),
        (Status::Rejected, 1)
    );
}

/// The answer lost after applying: resending the same bytes returns the first answer.
#[tokio::test]
async fn resending_after_a_lost_answer_does_not_apply_twice() {
    let sim = start_sim().await;
    let client = client_for(&sim.base_url(), SECRET, TOKEN, Duration::from_secs(5));
    let req = money(Operation::TopUp, CARD, 2000);
    sim.faults().push_next(Fault::DropAfterApply);
    assert!(send(&client, &req, 1).await.is_err());
    let resent = send(&client, &req, 1).await.unwrap();
    assert!(resent.checkout_id.is_some());
    assert_eq!(sim.card(CARD).unwrap().money_minor, 70_00);
}

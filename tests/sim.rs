//! The simulator seen from outside: real HTTP on 127.0.0.1, bodies built and signed the
//! way the till does it (`build_body` + `sign`), balances checked on the sim's ledger.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use paywizard_till::api::{
    BodyContext, CustomerInfo, Operation, TillRequest, build_body, sign::sign,
};
use paywizard_till::money::{Amount, Currency, Points};
use paywizard_till::sim::{self, Fault, FaultRates, SimCredentials, SimHandle, SimOptions};
use serde_json::Value;

const ADA: &str = "6274000000000014"; // USD 50.00, 120 pts
const GRACE: &str = "6274000000000022"; // USD 5.00, 0 pts
const BLANK: &str = "6274000000000030"; // inactive, empty
const DOC: &str = "914639258868515"; // USD 1534.10, 53 pts

struct Sim {
    sim: SimHandle,
    http: reqwest::Client,
    creds: SimCredentials,
    next_order: AtomicU64,
}

async fn start() -> Sim {
    let sim = sim::spawn(SimOptions::default()).await.expect("sim starts");
    Sim {
        sim,
        http: reqwest::Client::new(),
        creds: SimCredentials::demo(),
        next_order: AtomicU64::new(1),
    }
}

/// A reply as a client sees it: HTTP status and the parsed envelope.
#[derive(Debug)]
struct Reply {
    status: u16,
    json: Value,
}

impl Reply {
    fn code(&self) -> i64 {
        self.json["code"].as_i64().expect("code")
    }
    fn msg(&self) -> &str {
        self.json["msg"].as_str().expect("msg")
    }
    fn result(&self) -> i64 {
        self.json["data"]["result"].as_i64().expect("data.result")
    }
    fn checkout_id(&self) -> String {
        self.json["data"]["checkoutId"]
            .as_str()
            .expect("data.checkoutId")
            .to_owned()
    }
    fn amount(&self) -> &str {
        self.json["data"]["amount"].as_str().expect("data.amount")
    }
}

impl Sim {
    fn order_no(&self) -> String {
        format!("T1-{}", self.next_order.fetch_add(1, Ordering::Relaxed))
    }

    fn body(&self, req: &TillRequest) -> Vec<u8> {
        let ctx = BodyContext {
            client_id: self.creds.client_id.clone(),
            channel: "FACTOR4".into(),
            currency: Currency::usd(),
        };
        let order = req.operation.has_order_no().then(|| self.order_no());
        build_body(req, &ctx, order.as_deref()).expect("valid till request")
    }

    fn url(&self, op: Operation) -> String {
        format!("{}{}", self.sim.base_url(), op.path())
    }

    async fn post(
        &self,
        url: &str,
        body: &[u8],
        token: Option<&str>,
        signature: Option<String>,
    ) -> Result<Reply, reqwest::Error> {
        let mut rb = self
            .http
            .post(url)
            .header("Content-Type", "application/json")
            .body(body.to_vec());
        if let Some(token) = token {
            rb = rb.header("jwt-token", token);
        }
        if let Some(signature) = signature {
            rb = rb.header("sign", signature);
        }
        let response = rb.send().await?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await?;
        let json = serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()));
        Ok(Reply { status, json })
    }

    /// Signed with the demo credentials, exactly as sent.
    async fn try_send(&self, op: Operation, body: &[u8]) -> Result<Reply, reqwest::Error> {
        let signature = sign(body, &self.creds.client_id, &self.creds.client_secret);
        self.post(
            &self.url(op),
            body,
            Some(&self.creds.jwt_token),
            Some(signature),
        )
        .await
    }

    async fn send(&self, op: Operation, body: &[u8]) -> Reply {
        self.try_send(op, body).await.expect("an answer")
    }

    async fn run(&self, req: TillRequest) -> Reply {
        let body = self.body(&req);
        self.send(req.operation, &body).await
    }

    fn money(&self, account: &str) -> i64 {
        self.sim.card(account).expect("known card").money_minor
    }

    fn points(&self, account: &str) -> u64 {
        self.sim.card(account).expect("known card").points
    }
}

fn pay(account: &str, minor: i64) -> TillRequest {
    let mut r = TillRequest::new(Operation::Pay, account);
    r.amount = Some(Amount::from_minor(minor));
    r
}

fn top_up(account: &str, minor: i64, activate: bool) -> TillRequest {
    let mut r = TillRequest::new(Operation::TopUp, account);
    r.amount = Some(Amount::from_minor(minor));
    r.activate = activate;
    r
}

fn points(op: Operation, account: &str, n: u64) -> TillRequest {
    let mut r = TillRequest::new(op, account);
    r.points = Some(Points::new(n));
    r
}

fn void(checkout_id: &str) -> TillRequest {
    let mut r = TillRequest::new(Operation::Void, "");
    r.original_checkout_id = Some(checkout_id.into());
    r
}

fn tip(account: &str, minor: i64, checkout_id: &str) -> TillRequest {
    let mut r = TillRequest::new(Operation::Tip, account);
    r.amount = Some(Amount::from_minor(minor));
    r.original_checkout_id = Some(checkout_id.into());
    r
}

fn customer() -> CustomerInfo {
    CustomerInfo {
        customer_type: "1".into(),
        first_name: "Jon".into(),
        last_name: "Doe".into(),
        country: "US".into(),
        postal: "10001".into(),
        phone: "+12125551234".into(),
        email: "jon@example.com".into(),
        ..CustomerInfo::default()
    }
}

#[tokio::test]
async fn every_endpoint_moves_what_it_says() {
    let t = start().await;

    let r = t.run(points(Operation::IssuePoints, ADA, 25)).await;
    assert_eq!(
        (r.status, r.code(), r.msg(), r.result()),
        (200, 200, "success", 0)
    );
    assert_eq!(r.amount(), "25");
    assert_eq!(t.points(ADA), 145);

    let r = t.run(points(Operation::RedeemPoints, ADA, 45)).await;
    assert_eq!(r.result(), 0);
    assert_eq!(t.points(ADA), 100);

    let r = t.run(top_up(ADA, 10_50, false)).await;
    assert_eq!((r.result(), r.amount()), (0, "10.50"));
    assert_eq!(t.money(ADA), 60_50);

    let paid = t.run(pay(ADA, 20_00)).await;
    assert_eq!((paid.result(), paid.amount()), (0, "20.00"));
    let data = &paid.json["data"];
    assert_eq!(data["mid"], "202507081058");
    assert_eq!(data["paywizardId"], "10020000080");
    assert_eq!(paid.checkout_id().len(), 18);
    assert_eq!(data["transIndexCode"].as_str().unwrap().len(), 21);
    assert_eq!(t.money(ADA), 40_50);

    let tipped = t.run(tip(ADA, 2_00, &paid.checkout_id())).await;
    assert_eq!(tipped.result(), 0);
    assert_eq!(
        tipped.json["data"]["oriCheckoutId"],
        paid.checkout_id().as_str()
    );
    assert_eq!(
        tipped.json["data"]["oriTransIndexCode"],
        data["transIndexCode"]
    );
    assert_eq!(t.money(ADA), 38_50);

    let voided = t.run(void(&paid.checkout_id())).await;
    assert_eq!(voided.result(), 0);
    assert_eq!(
        voided.json["data"]["oriCheckoutId"],
        paid.checkout_id().as_str()
    );
    assert_ne!(voided.checkout_id(), paid.checkout_id());
    assert_eq!(t.money(ADA), 58_50);

    let balance = t.run(TillRequest::new(Operation::Balance, DOC)).await;
    assert_eq!((balance.status, balance.code()), (200, 200));
    let data = &balance.json["data"];
    assert_eq!(data["accountId"], DOC);
    // JSON numbers exactly as PayWizard's example writes them, no float in between.
    assert_eq!(data["balances"][0]["valueCode"], "USD");
    assert_eq!(data["balances"][0]["amount"].to_string(), "1534.1");
    assert_eq!(data["balances"][0]["difference"].to_string(), "0");
    assert_eq!(data["balances"][1]["valueCode"], "Points");
    assert_eq!(data["balances"][1]["amount"].to_string(), "53");
    assert_eq!(data["customerInfo"]["firstName"], "Jon");
    assert_eq!(data["customerInfo"].as_object().unwrap().len(), 19);

    let mut act = TillRequest::new(Operation::Activate, BLANK);
    act.customer = Some(customer());
    let r = t.run(act).await;
    assert_eq!((r.code(), r.msg()), (200, "success"));
    assert_eq!(r.json["data"]["customerInfo"]["email"], "jon@example.com");
    assert_eq!(r.json["data"]["balances"][0]["amount"].to_string(), "0");
    let card = t.sim.card(BLANK).unwrap();
    assert!(card.active);
    assert_eq!(card.customer, Some(customer()));

    let txns = t.sim.transactions();
    let ops: Vec<Operation> = txns.iter().map(|x| x.operation).collect();
    use Operation::*;
    assert_eq!(ops, [IssuePoints, RedeemPoints, TopUp, Pay, Tip, Void]);
    assert!(txns[3].voided && !txns[4].voided);
    assert_eq!(txns[3].money_minor_delta, -20_00);
    t.sim.shutdown().await;
}

#[tokio::test]
async fn unknown_cards_decline_or_404_and_activation_checks_customer_info() {
    let t = start().await;
    let r = t.run(pay("1234567890", 1_00)).await;
    assert_eq!((r.code(), r.result(), r.msg()), (200, 1, "card not found"));

    let r = t
        .run(TillRequest::new(Operation::Balance, "1234567890"))
        .await;
    assert_eq!((r.status, r.code(), r.msg()), (404, 404, "card not found"));
    assert!(r.json["data"].is_null());

    let mut act = TillRequest::new(Operation::Activate, BLANK);
    act.customer = Some(CustomerInfo {
        phone: "12".into(),
        ..customer()
    });
    let r = t.run(act).await;
    assert_eq!((r.status, r.code()), (400, 400));
    assert!(r.msg().starts_with("customerInfo.phone:"), "{}", r.msg());
    assert!(!t.sim.card(BLANK).unwrap().active);
}

#[tokio::test]
async fn auth_failures_are_401_with_their_reason_and_move_nothing() {
    let t = start().await;
    let body = t.body(&pay(ADA, 10_00));
    let url = t.url(Operation::Pay);
    let good_sign = sign(&body, &t.creds.client_id, &t.creds.client_secret);
    let token = t.creds.jwt_token.as_str();

    let cases = [
        (None, Some(good_sign.clone()), "missing jwt-token header"),
        (
            Some("WRONGTOKEN000000000000000000000X"),
            Some(good_sign.clone()),
            "invalid jwt-token",
        ),
        (
            Some(token),
            None,
            "invalid sign: signature does not match the request body",
        ),
        (
            Some(token),
            Some(sign(&body, &t.creds.client_id, "another-secret")),
            "invalid sign: signature does not match the request body",
        ),
        (
            Some(token),
            Some(good_sign.to_uppercase()),
            "invalid sign: signature does not match the request body",
        ),
    ];
    for (token, signature, msg) in cases {
        let r = t.post(&url, &body, token, signature).await.unwrap();
        assert_eq!((r.status, r.code(), r.msg()), (401, 401, msg));
        assert!(r.json["data"].is_null());
        assert!(r.json["timestamp"].as_str().is_some());
    }
    // The body was altered after signing: a single byte is enough.
    let mut tampered = body.clone();
    let at = tampered.len() - 3;
    tampered[at] = b' ';
    let r = t
        .post(&url, &tampered, Some(token), Some(good_sign))
        .await
        .unwrap();
    assert_eq!(r.code(), 401);

    assert_eq!(t.money(ADA), 50_00);
    assert!(t.sim.transactions().is_empty());
}

#[tokio::test]
async fn signature_covers_the_raw_bytes_so_pretty_crlf_json_verifies() {
    let t = start().await;
    let pretty = format!(
        "{{\r\n    \"clientId\": \"{}\",\r\n    \"loyaltyChannel\": \"FACTOR4\",\r\n    \"accountId\": \"{DOC}\",\r\n    \"entryType\": \"K\"\r\n}}",
        t.creds.client_id
    );
    let r = t.send(Operation::Balance, pretty.as_bytes()).await;
    assert_eq!(
        (r.code(), r.json["data"]["accountId"].as_str()),
        (200, Some(DOC))
    );

    // Signing a compacted copy instead of the bytes sent does not verify.
    let compact = serde_json::to_vec(&serde_json::from_str::<Value>(&pretty).unwrap()).unwrap();
    let wrong = sign(&compact, &t.creds.client_id, &t.creds.client_secret);
    let url = t.url(Operation::Balance);
    let r = t
        .post(
            &url,
            pretty.as_bytes(),
            Some(&t.creds.jwt_token),
            Some(wrong),
        )
        .await
        .unwrap();
    assert_eq!(r.code(), 401);
}

#[tokio::test]
async fn malformed_bodies_wrong_client_and_channel_are_refused() {
    let t = start().await;
    let id = &t.creds.client_id;
    let missing_amount = format!(
        r#"{{"clientId":"{id}","tranOrderNo":"X1","loyaltyChannel":"FACTOR4","tranCurrency":"USD","accountId":"{ADA}","entryType":"K"}}"#
    );
    let r = t.send(Operation::Pay, missing_amount.as_bytes()).await;
    assert_eq!((r.status, r.code()), (400, 400));
    assert!(r.msg().contains("amount"), "{}", r.msg());

    let r = t.send(Operation::Pay, b"not json").await;
    assert_eq!(r.code(), 400);

    let bad_amount = String::from_utf8(t.body(&pay(ADA, 1_00)))
        .unwrap()
        .replace(r#""amount":"1.00""#, r#""amount":"1.005""#);
    let r = t.send(Operation::Pay, bad_amount.as_bytes()).await;
    assert_eq!(r.code(), 400);
    assert!(r.msg().starts_with("amount:"), "{}", r.msg());

    let other_client = String::from_utf8(t.body(&pay(ADA, 1_00)))
        .unwrap()
        .replace(id.as_str(), "999999999999");
    let r = t.send(Operation::Pay, other_client.as_bytes()).await;
    assert_eq!(
        (r.status, r.code(), r.msg()),
        (401, 401, "clientId does not match the token")
    );

    let other_channel = String::from_utf8(t.body(&pay(ADA, 1_00)))
        .unwrap()
        .replace("FACTOR4", "GIVEX");
    let r = t.send(Operation::Pay, other_channel.as_bytes()).await;
    assert_eq!(r.code(), 400);
    assert!(r.msg().contains("loyaltyChannel"), "{}", r.msg());

    let r = t
        .post(
            &format!("{}/ovstrade/openLoyaltyPay/giftRefund", t.sim.base_url()),
            b"{}",
            None,
            None,
        )
        .await
        .unwrap();
    assert_eq!((r.status, r.code()), (404, 404));

    assert_eq!(t.money(ADA), 50_00);
    assert!(t.sim.transactions().is_empty());
}

#[tokio::test]
async fn a_resent_order_gets_the_first_answer_and_moves_once() {
    let t = start().await;
    let body = t.body(&pay(ADA, 10_00));
    let first = t.send(Operation::Pay, &body).await;
    let again = t.send(Operation::Pay, &body).await;
    assert_eq!((first.result(), again.result()), (0, 0));
    assert_eq!(first.checkout_id(), again.checkout_id());
    assert_eq!(first.json["data"], again.json["data"]);
    assert_eq!(t.money(ADA), 40_00);

    // Same tranOrderNo, different amount.
    let changed = String::from_utf8(body)
        .unwrap()
        .replace(r#""amount":"10.00""#, r#""amount":"11.00""#);
    let r = t.send(Operation::Pay, changed.as_bytes()).await;
    assert_eq!(
        (r.result(), r.msg()),
        (1, "duplicate tranOrderNo with different content")
    );
    assert_eq!(t.money(ADA), 40_00);
    assert_eq!(t.sim.transactions().len(), 1);
}

#[tokio::test]
async fn pay_beyond_the_balance_declines_unless_nsf_allowed() {
    let t = start().await;
    let r = t.run(pay(GRACE, 7_00)).await;
    assert_eq!(
        (r.code(), r.result(), r.msg()),
        (200, 1, "insufficient funds")
    );
    assert_eq!(t.money(GRACE), 5_00);

    let mut partial = pay(GRACE, 7_00);
    partial.nsf_allowed = true;
    let r = t.run(partial).await;
    assert_eq!(r.result(), 0);
    assert_eq!(r.amount(), "5.00", "data.amount is what was charged");
    assert_eq!(t.money(GRACE), 0);
}

#[tokio::test]
async fn void_reverses_once_and_refuses_what_it_cannot_undo() {
    let t = start().await;
    let paid = t.run(pay(ADA, 12_34)).await;
    let r = t.run(void(&paid.checkout_id())).await;
    assert_eq!(r.result(), 0);
    assert_eq!(t.money(ADA), 50_00);

    let r = t.run(void(&paid.checkout_id())).await;
    assert_eq!((r.result(), r.msg()), (1, "transaction already voided"));
    let void_id = r.checkout_id();
    let r = t.run(void(&void_id)).await;
    assert_eq!((r.result(), r.msg()), (1, "original transaction not found"));
    let first_void = t.sim.transactions()[1].checkout_id.clone();
    let r = t.run(void(&first_void)).await;
    assert_eq!((r.result(), r.msg()), (1, "a void cannot be voided"));
    let r = t.run(void("933392815902294016")).await;
    assert_eq!((r.result(), r.msg()), (1, "original transaction not found"));

    let topped = t.run(top_up(GRACE, 10_00, false)).await;
    t.run(pay(GRACE, 14_00)).await;
    let r = t.run(void(&topped.checkout_id())).await;
    assert_eq!(
        (r.result(), r.msg()),
        (1, "insufficient balance to reverse")
    );
    assert_eq!(t.money(GRACE), 1_00);

    let issued = t.run(points(Operation::IssuePoints, GRACE, 10)).await;
    t.run(void(&issued.checkout_id())).await;
    assert_eq!(t.points(GRACE), 0);
}

#[tokio::test]
async fn tips_go_on_a_payment_made_with_the_same_card() {
    let t = start().await;
    let paid = t.run(pay(ADA, 10_00)).await;
    let r = t.run(tip(GRACE, 1_00, &paid.checkout_id())).await;
    assert_eq!(r.result(), 1);
    assert!(r.msg().contains("different card"), "{}", r.msg());
    let topped = t.run(top_up(ADA, 1_00, false)).await;
    let r = t.run(tip(ADA, 1_00, &topped.checkout_id())).await;
    assert_eq!(
        (r.result(), r.msg()),
        (1, "a tip can only be added to a payment")
    );
    let r = t.run(tip(ADA, 1_00, "42")).await;
    assert_eq!((r.result(), r.msg()), (1, "original payment not found"));
    let r = t.run(tip(ADA, 99_00, &paid.checkout_id())).await;
    assert_eq!((r.result(), r.msg()), (1, "insufficient funds"));
    assert_eq!(t.money(ADA), 41_00);
    let r = t.run(tip(ADA, 3_00, &paid.checkout_id())).await;
    assert_eq!((r.result(), r.amount()), (0, "3.00"));
    assert_eq!(t.money(ADA), 38_00);
}

#[tokio::test]
async fn an_inactive_card_only_takes_an_activating_top_up() {
    let t = start().await;
    for req in [
        pay(BLANK, 1_00),
        points(Operation::IssuePoints, BLANK, 1),
        points(Operation::RedeemPoints, BLANK, 1),
        top_up(BLANK, 20_00, false),
    ] {
        let r = t.run(req).await;
        assert_eq!((r.result(), r.msg()), (1, "card is not active"));
    }
    let r = t.run(TillRequest::new(Operation::Balance, BLANK)).await;
    assert_eq!(r.code(), 200, "inquiry works on an inactive card");

    let r = t.run(top_up(BLANK, 20_00, true)).await;
    assert_eq!(r.result(), 0);
    let card = t.sim.card(BLANK).unwrap();
    assert!(card.active);
    assert_eq!(card.money_minor, 20_00);
    assert_eq!(t.run(pay(BLANK, 1_00)).await.result(), 0);
}

#[tokio::test]
async fn drop_before_apply_leaves_the_client_without_an_answer_and_moves_nothing() {
    let t = start().await;
    t.sim.faults().push_next(Fault::DropBeforeApply);
    let body = t.body(&pay(ADA, 10_00));
    let err = t.try_send(Operation::Pay, &body).await;
    assert!(err.is_err(), "expected a transport error, got {err:?}");
    assert_eq!(t.money(ADA), 50_00);
    assert_eq!(t.sim.received().len(), 1, "it did arrive");

    let r = t.send(Operation::Pay, &body).await;
    assert_eq!(r.result(), 0);
    assert_eq!(t.money(ADA), 40_00);
}

#[tokio::test]
async fn drop_after_apply_moves_once_and_the_resend_gets_the_original_answer() {
    let t = start().await;
    t.sim.faults().push_next(Fault::DropAfterApply);
    let body = t.body(&pay(ADA, 10_00));
    assert!(t.try_send(Operation::Pay, &body).await.is_err());
    assert_eq!(t.money(ADA), 40_00, "applied although no answer came");

    let r = t.send(Operation::Pay, &body).await;
    assert_eq!(r.result(), 0);
    let txns = t.sim.transactions();
    assert_eq!(txns.len(), 1);
    assert_eq!(r.checkout_id(), txns[0].checkout_id);
    assert_eq!(t.money(ADA), 40_00);
}

#[tokio::test]
async fn http_500_is_html_and_moves_nothing() {
    let t = start().await;
    t.sim.faults().push_next(Fault::Http500);
    let body = t.body(&top_up(ADA, 5_00, false));
    let r = t.send(Operation::TopUp, &body).await;
    assert_eq!(r.status, 500);
    assert!(r.json.as_str().is_some_and(|s| s.contains("<html>")));
    assert_eq!(t.money(ADA), 50_00);
    assert_eq!(t.send(Operation::TopUp, &body).await.result(), 0);
    assert_eq!(t.money(ADA), 55_00);
}

#[tokio::test]
async fn pending_then_resend_applies_exactly_once() {
    let t = start().await;
    t.sim.faults().push_next(Fault::Pending);
    let body = t.body(&points(Operation::RedeemPoints, ADA, 20));
    let r = t.send(Operation::RedeemPoints, &body).await;
    assert_eq!((r.code(), r.result()), (200, 2));
    let pending_id = r.checkout_id();
    assert_eq!(t.points(ADA), 120);
    assert!(t.sim.transactions().is_empty());

    let r = t.send(Operation::RedeemPoints, &body).await;
    assert_eq!((r.result(), r.checkout_id()), (0, pending_id.clone()));
    assert_eq!(t.points(ADA), 100);
    let r = t.send(Operation::RedeemPoints, &body).await;
    assert_eq!((r.result(), r.checkout_id()), (0, pending_id));
    assert_eq!(t.points(ADA), 100);
}

#[tokio::test]
async fn a_delay_outlasts_a_short_client_timeout() {
    let t = start().await;
    t.sim
        .faults()
        .push_next(Fault::Delay(Duration::from_millis(400)));
    let body = t.body(&pay(ADA, 1_00));
    let impatient = reqwest::Client::builder()
        .timeout(Duration::from_millis(100))
        .build()
        .unwrap();
    let signature = sign(&body, &t.creds.client_id, &t.creds.client_secret);
    let err = impatient
        .post(t.url(Operation::Pay))
        .header("jwt-token", &t.creds.jwt_token)
        .header("sign", signature)
        .body(body.clone())
        .send()
        .await
        .expect_err("times out");
    assert!(err.is_timeout(), "{err:?}");

    // Whether or not the slow request went through, resending the same bytes settles it once.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let r = t.send(Operation::Pay, &body).await;
    assert_eq!(r.result(), 0);
    assert_eq!(t.money(ADA), 49_00);
}

#[tokio::test]
async fn latency_applies_to_every_request() {
    let t = start().await;
    t.sim.faults().set_latency(Duration::from_millis(150));
    let started = std::time::Instant::now();
    t.run(TillRequest::new(Operation::Balance, ADA)).await;
    assert!(started.elapsed() >= Duration::from_millis(150));
    t.sim.faults().clear();
    let started = std::time::Instant::now();
    t.run(TillRequest::new(Operation::Balance, ADA)).await;
    assert!(started.elapsed() < Duration::from_millis(150));
}

/// What a client saw for one request, for comparing fault sequences.
async fn outcome(t: &Sim, body: &[u8]) -> &'static str {
    match t.try_send(Operation::Pay, body).await {
        Err(_) => "no answer",
        Ok(r) if r.status == 500 => "500",
        Ok(r) if r.result() == 2 => "pending",
        Ok(r) if r.result() == 0 => "approved",
        Ok(_) => "declined",
    }
}

#[tokio::test]
async fn seeded_fault_rates_repeat_exactly() {
    let rates = FaultRates {
        drop_before: 0.15,
        drop_after: 0.15,
        http500: 0.15,
        pending: 0.15,
        seed: 42,
        ..FaultRates::default()
    };
    let mut runs = Vec::new();
    for _ in 0..2 {
        let t = start().await;
        t.sim.faults().set_rates(rates);
        let mut seen = Vec::new();
        for _ in 0..30 {
            let body = t.body(&pay(DOC, 1));
            seen.push(outcome(&t, &body).await);
        }
        runs.push((seen, t.money(DOC)));
    }
    assert_eq!(runs[0], runs[1]);
    let seen = &runs[0].0;
    for kind in ["no answer", "500", "pending", "approved"] {
        assert!(seen.contains(&kind), "{kind} missing from {seen:?}");
    }
}

#[tokio::test]
async fn control_endpoints_show_the_ledger_and_take_faults() {
    let t = start().await;
    let base = t.sim.base_url();
    let get = |path: &str| {
        let url = format!("{base}{path}");
        let http = t.http.clone();
        async move {
            let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
            serde_json::from_slice::<Value>(&bytes).unwrap()
        }
    };
    let cards = get("/__sim/cards").await;
    assert_eq!(cards.as_array().unwrap().len(), 5);
    assert_eq!(cards[0]["account"], ADA);
    assert_eq!(cards[0]["moneyMinor"], 5000);

    let set = |json: &'static str| {
        let http = t.http.clone();
        let url = format!("{base}/__sim/faults");
        async move {
            http.post(url)
                .body(json)
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    assert_eq!(set(r#"{"next":["http500","pending"]}"#).await, 200);
    assert_eq!(t.run(pay(ADA, 1_00)).await.status, 500);
    assert_eq!(t.run(pay(ADA, 1_00)).await.result(), 2);
    assert_eq!(t.run(pay(ADA, 1_00)).await.result(), 0);
    assert_eq!(set(r#"{"next":["explode"]}"#).await, 400);
    assert_eq!(set(r#"{"nxt":[]}"#).await, 400);
    assert_eq!(
        set(r#"{"clear":true,"rates":{"http500":1.0},"latencyMs":0}"#).await,
        200
    );
    assert_eq!(t.run(pay(ADA, 1_00)).await.status, 500);
    assert_eq!(set(r#"{"clear":true}"#).await, 200);

    let txns = get("/__sim/transactions").await;
    assert_eq!(txns.as_array().unwrap().len(), 1);
    assert_eq!(txns[0]["operation"], "pay");
    assert_eq!(txns[0]["moneyMinorDelta"], -100);
}

#[tokio::test]
async fn received_log_keeps_exact_bytes_and_headers() {
    let t = start().await;
    let body = t.body(&points(Operation::IssuePoints, ADA, 5));
    t.send(Operation::IssuePoints, &body).await;
    let url = t.url(Operation::Pay);
    t.post(&url, b"{\"odd\":\r\n1}", None, None).await.unwrap();

    let log = t.sim.received();
    assert_eq!(log.len(), 2);
    assert_eq!(log[0].endpoint, "loyaltyIssuance");
    assert_eq!(log[0].body, body);
    assert_eq!(
        log[0].jwt_token.as_deref(),
        Some(t.creds.jwt_token.as_str())
    );
    let expected = sign(&body, &t.creds.client_id, &t.creds.client_secret);
    assert_eq!(log[0].sign.as_deref(), Some(expected.as_str()));
    assert_eq!(log[0].content_type.as_deref(), Some("application/json"));
    assert_eq!(log[1].endpoint, "giftTransaction");
    assert_eq!(log[1].body, b"{\"odd\":\r\n1}");
    assert_eq!(
        (log[1].jwt_token.as_ref(), log[1].sign.as_ref()),
        (None, None)
    );
    assert!(
        !format!("{log:?}").contains(&t.creds.jwt_token),
        "Debug hides the token"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_payments_all_land() {
    let t = std::sync::Arc::new(start().await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..20 {
        let t = std::sync::Arc::clone(&t);
        tasks.spawn(async move { t.run(pay(ADA, 1_00)).await.result() });
    }
    while let Some(result) = tasks.join_next().await {
        assert_eq!(result.unwrap(), 0);
    }
    assert_eq!(t.money(ADA), 30_00);
    let ids: std::collections::HashSet<_> = t
        .sim
        .transactions()
        .into_iter()
        .map(|x| x.checkout_id)
        .collect();
    assert_eq!(ids.len(), 20, "checkoutIds are unique");
}

#[tokio::test]
async fn shutdown_closes_the_port() {
    let t = start().await;
    let addr = t.sim.addr();
    assert!(addr.ip().is_loopback());
    t.sim.shutdown().await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}

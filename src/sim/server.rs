//! HTTP side of the simulator: an own accept loop (so a fault can close a connection with
//! no answer), the loyalty endpoints, and the `/__sim/*` control endpoints.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::Service as _;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinSet;

use super::ledger::{Answer, Command, Qty};
use super::{Fault, FaultRates, RECEIVED_LIMIT, ReceivedRequest, Shared};
use crate::api::{
    ActivateRequest, Balance, CustomerInfo, InquiryRequest, Operation, PayRequest, PointsRequest,
    TipRequest, TopUpRequest, VoidRequest, YesNo, sign,
};
use crate::money::{Amount, Currency, Points, WireDecimal};

const MID: &str = "202507081058";
const PAYWIZARD_ID: &str = "10020000080";
/// Far above any loyalty body; keeps a stray upload from filling memory.
const BODY_LIMIT: usize = 64 * 1024;

/// Lets a handler close its own connection without answering.
#[derive(Clone)]
struct ConnKill(Arc<Mutex<Option<oneshot::Sender<()>>>>);

impl ConnKill {
    fn fire(&self) {
        let sender = self.0.lock().unwrap_or_else(|e| e.into_inner()).take();
        if let Some(sender) = sender {
            let _ = sender.send(());
        }
    }
}

pub(super) async fn serve(
    listener: TcpListener,
    shared: Arc<Shared>,
    mut stopped: oneshot::Receiver<()>,
) {
    let router = router(shared);
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            _ = &mut stopped => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    conns.spawn(serve_connection(stream, router.clone()));
                }
                Err(e) => {
                    // Usually out of file descriptors: back off instead of spinning.
                    tracing::warn!(error = %e, "simulator: accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
    conns.shutdown().await;
}

async fn serve_connection(stream: TcpStream, router: Router) {
    let (kill_tx, kill_rx) = oneshot::channel();
    let kill = ConnKill(Arc::new(Mutex::new(Some(kill_tx))));
    let tower = TowerToHyperService::new(router);
    let service = hyper::service::service_fn(move |mut req: hyper::Request<Incoming>| {
        req.extensions_mut().insert(kill.clone());
        tower.call(req)
    });
    let conn = http1::Builder::new()
        .timer(TokioTimer::new())
        .serve_connection(TokioIo::new(stream), service);
    tokio::select! {
        _ = conn => {}
        // Dropping `conn` drops the socket and the handler: the client gets no answer.
        Ok(()) = kill_rx => {}
    }
}

fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route("/ovstrade/openLoyaltyPay/{endpoint}", post(loyalty))
        .route("/__sim/cards", get(control_cards))
        .route("/__sim/transactions", get(control_transactions))
        .route("/__sim/faults", post(control_faults))
        .fallback(|| async {
            Reply::error(StatusCode::NOT_FOUND, "no such endpoint").into_response()
        })
        .with_state(shared)
}

async fn loyalty(
    State(shared): State<Arc<Shared>>,
    Path(endpoint): Path<String>,
    req: Request,
) -> Response {
    let kill = req.extensions().get::<ConnKill>().cloned();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, BODY_LIMIT).await else {
        return Reply::error(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
            .into_response();
    };
    record(&shared, &endpoint, &parts.headers, &bytes);
    let op = Operation::from_endpoint(&endpoint);
    let plan = shared.faults.plan(op.is_some_and(Operation::moves_value));
    if !plan.wait.is_zero() {
        tokio::time::sleep(plan.wait).await;
    }
    match plan.fault {
        Some(Fault::DropBeforeApply) => return drop_connection(kill).await,
        Some(Fault::Http500) => return http_500(),
        _ => {}
    }
    let Some(op) = op else {
        return Reply::error(
            StatusCode::NOT_FOUND,
            format!("unknown endpoint {endpoint:?}"),
        )
        .into_response();
    };
    let pending = plan.fault == Some(Fault::Pending);
    let reply = handle(&shared, op, &parts.headers, &bytes, pending).unwrap_or_else(Reply::from);
    if plan.fault == Some(Fault::DropAfterApply) {
        return drop_connection(kill).await;
    }
    reply.into_response()
}

fn record(shared: &Shared, endpoint: &str, headers: &HeaderMap, body: &[u8]) {
    let header = |name: &str| {
        headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
    };
    let request = ReceivedRequest {
        endpoint: endpoint.to_owned(),
        jwt_token: header("jwt-token"),
        sign: header("sign"),
        content_type: header("content-type"),
        body: body.to_vec(),
    };
    let mut log = shared.received();
    if log.len() >= RECEIVED_LIMIT {
        log.pop_front();
    }
    log.push_back(request);
}

async fn drop_connection(kill: Option<ConnKill>) -> Response {
    match kill {
        Some(kill) => {
            kill.fire();
            // The connection task drops this future; nothing after this line runs.
            std::future::pending::<()>().await;
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
        None => Reply::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot drop this connection",
        )
        .into_response(),
    }
}

fn http_500() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        "<html><head><title>500 Internal Server Error</title></head>\
         <body><h1>500 Internal Server Error</h1></body></html>",
    )
        .into_response()
}

/// Authenticates, parses and runs one loyalty request. `Err` is an envelope error.
fn handle(
    shared: &Shared,
    op: Operation,
    headers: &HeaderMap,
    body: &[u8],
    pending: bool,
) -> Result<Reply, Refusal> {
    authenticate(shared, headers, body)?;
    let (order_no, cmd) = match op {
        Operation::Balance => {
            let req: InquiryRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            check_channel(shared, &req.loyalty_channel)?;
            let ledger = shared.ledger();
            let card = ledger.card(&req.account_id).ok_or_else(card_not_found)?;
            return Ok(Reply::ok(card_data(card)));
        }
        Operation::Activate => {
            let req: ActivateRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            check_channel(shared, &req.loyalty_channel)?;
            check_customer(&req.customer_info)?;
            let mut ledger = shared.ledger();
            let activating = req.activating == YesNo::Y;
            let card = ledger
                .activate(&req.account_id, activating, req.customer_info)
                .ok_or_else(card_not_found)?;
            return Ok(Reply::ok(card_data(card)));
        }
        Operation::TopUp => {
            let req: TopUpRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            check_channel(shared, &req.loyalty_channel)?;
            if let Some(customer) = &req.customer_info {
                check_customer(customer)?;
            }
            let (currency, amount) = money(&req.amount, &req.tran_currency)?;
            let cmd = Command::TopUp {
                account: req.account_id,
                currency,
                amount,
                activate: req.activating == Some(YesNo::Y),
                customer: req.customer_info.map(Box::new),
            };
            (req.tran_order_no, cmd)
        }
        Operation::Pay => {
            let req: PayRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            check_channel(shared, &req.loyalty_channel)?;
            let (currency, amount) = money(&req.amount, &req.tran_currency)?;
            let cmd = Command::Pay {
                account: req.account_id,
                currency,
                amount,
                nsf_allowed: req.nsf_allowed == Some(true),
            };
            (req.tran_order_no, cmd)
        }
        Operation::IssuePoints | Operation::RedeemPoints => {
            let req: PointsRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            check_channel(shared, &req.loyalty_channel)?;
            let points = points(&req.amount)?;
            let account = req.account_id;
            let cmd = if op == Operation::IssuePoints {
                Command::IssuePoints { account, points }
            } else {
                Command::RedeemPoints { account, points }
            };
            (req.tran_order_no, cmd)
        }
        Operation::Void => {
            let req: VoidRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            (
                req.tran_order_no,
                Command::Void {
                    original: req.ori_order_no,
                },
            )
        }
        Operation::Tip => {
            let req: TipRequest = parse(body)?;
            check_client(shared, &req.client_id)?;
            let (currency, amount) = money(&req.amount, &req.tran_currency)?;
            let cmd = Command::Tip {
                account: req.account_id,
                currency,
                amount,
                original: req.ori_order_no,
            };
            (req.tran_order_no, cmd)
        }
    };
    if order_no.is_empty() || order_no.chars().count() > 60 {
        return Err(Refusal::bad_request(
            "tranOrderNo: must be 1 to 60 characters",
        ));
    }
    let answer = shared.ledger().submit(&order_no, op, body, cmd, pending);
    Ok(Reply::txn(answer))
}

fn authenticate(shared: &Shared, headers: &HeaderMap, body: &[u8]) -> Result<(), Refusal> {
    let creds = &shared.credentials;
    let unauthorized = |msg: &str| Refusal::new(StatusCode::UNAUTHORIZED, msg);
    let token = headers
        .get("jwt-token")
        .ok_or_else(|| unauthorized("missing jwt-token header"))?;
    if token.as_bytes() != creds.jwt_token.as_bytes() {
        return Err(unauthorized("invalid jwt-token"));
    }
    let signed = headers
        .get("sign")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|s| sign::verify(body, &creds.client_id, &creds.client_secret, s));
    if !signed {
        return Err(unauthorized(
            "invalid sign: signature does not match the request body",
        ));
    }
    Ok(())
}

fn parse<T: DeserializeOwned>(body: &[u8]) -> Result<T, Refusal> {
    // serde's message names the missing or mistyped field.
    serde_json::from_slice(body)
        .map_err(|e| Refusal::bad_request(format!("invalid request body: {e}")))
}

fn check_client(shared: &Shared, client_id: &str) -> Result<(), Refusal> {
    if client_id == shared.credentials.client_id {
        Ok(())
    } else {
        Err(Refusal::new(
            StatusCode::UNAUTHORIZED,
            "clientId does not match the token",
        ))
    }
}

fn check_channel(shared: &Shared, channel: &str) -> Result<(), Refusal> {
    if channel == shared.channel {
        Ok(())
    } else {
        Err(Refusal::bad_request(format!(
            "loyaltyChannel: unknown channel {channel:?}"
        )))
    }
}

fn check_customer(customer: &CustomerInfo) -> Result<(), Refusal> {
    customer.validate().map_err(Refusal::bad_request)
}

fn card_not_found() -> Refusal {
    Refusal::new(StatusCode::NOT_FOUND, "card not found")
}

/// A money amount in the request's currency: positive, with no more decimals than it has.
fn money(amount: &str, currency: &str) -> Result<(String, Qty), Refusal> {
    let currency =
        Currency::new(currency).map_err(|e| Refusal::bad_request(format!("tranCurrency: {e}")))?;
    let value = WireDecimal::new(amount)
        .filter(|_| !amount.starts_with('-'))
        .and_then(|d| d.to_minor(currency.decimals()))
        .filter(|v| *v > 0)
        .ok_or_else(|| {
            Refusal::bad_request(format!(
                "amount: must be a positive {} amount like \"{}\", got {amount:?}",
                currency.code(),
                Amount::from_minor(1050).to_wire(&currency)
            ))
        })?;
    let qty = Qty {
        value,
        wire: amount.to_owned(),
    };
    Ok((currency.code().to_owned(), qty))
}

fn points(amount: &str) -> Result<Qty, Refusal> {
    let bad = || {
        Refusal::bad_request(format!(
            "amount: points must be a whole number above 0, got {amount:?}"
        ))
    };
    if !amount.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let value = Points::parse(amount, Points::new(i64::MAX.unsigned_abs()))
        .ok()
        .and_then(|p| i64::try_from(p.get()).ok())
        .ok_or_else(bad)?;
    Ok(Qty {
        value,
        wire: amount.to_owned(),
    })
}

fn card_data(card: &super::CardState) -> Data {
    let decimals = Currency::new(&card.currency).map_or(2, |c| c.decimals());
    let zero = WireDecimal::new("0").unwrap_or_default();
    Data::Card(CardData {
        account_id: card.account.clone(),
        balances: vec![
            Balance {
                value_code: card.currency.clone(),
                amount: json_number(card.money_minor, decimals),
                difference: zero.clone(),
            },
            Balance {
                value_code: Balance::POINTS.into(),
                amount: json_number(i64::try_from(card.points).unwrap_or(i64::MAX), 0),
                difference: zero,
            },
        ],
        customer_info: Box::new(card.customer.clone().unwrap_or_default()),
    })
}

/// Minor units as PayWizard writes a balance: a JSON number without trailing zeros
/// (`1534.1`, `50`), so clients are tested against the documented form.
fn json_number(minor: i64, decimals: u8) -> WireDecimal {
    let scale = 10_i64.pow(u32::from(decimals));
    let sign = if minor < 0 { "-" } else { "" };
    let abs = minor.unsigned_abs();
    let scale = scale.unsigned_abs();
    let mut text = format!("{sign}{}", abs / scale);
    if decimals > 0 {
        let frac = format!("{:0width$}", abs % scale, width = usize::from(decimals));
        let frac = frac.trim_end_matches('0');
        if !frac.is_empty() {
            text.push('.');
            text.push_str(frac);
        }
    }
    WireDecimal::new(&text).unwrap_or_default()
}

/// Why a request was refused before the ledger saw it: an envelope with `data: null`.
#[derive(Debug)]
struct Refusal {
    status: StatusCode,
    msg: String,
}

impl Refusal {
    fn new(status: StatusCode, msg: impl Into<String>) -> Refusal {
        Refusal {
            status,
            msg: msg.into(),
        }
    }

    fn bad_request(msg: impl Into<String>) -> Refusal {
        Refusal::new(StatusCode::BAD_REQUEST, msg)
    }
}

impl From<Refusal> for Reply {
    fn from(r: Refusal) -> Reply {
        Reply::error(r.status, r.msg)
    }
}

/// An envelope about to be sent, with its HTTP status.
struct Reply {
    status: StatusCode,
    code: i64,
    msg: String,
    data: Option<Data>,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Data {
    Txn(TxnData),
    Card(CardData),
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct TxnData {
    mid: &'static str,
    paywizard_id: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    checkout_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trans_index_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    amount: Option<String>,
    result: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    ori_checkout_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    ori_trans_index_code: Option<String>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct CardData {
    account_id: String,
    balances: Vec<Balance>,
    customer_info: Box<CustomerInfo>,
}

#[derive(Serialize)]
struct Envelope<'a> {
    code: i64,
    msg: &'a str,
    timestamp: String,
    data: &'a Option<Data>,
}

impl Reply {
    fn ok(data: Data) -> Reply {
        Reply {
            status: StatusCode::OK,
            code: 200,
            msg: "success".into(),
            data: Some(data),
        }
    }

    /// `result` 0, 1 or 2 all travel as `code 200`; a decline's reason is the `msg`.
    fn txn(answer: Answer) -> Reply {
        let (ori_checkout_id, ori_trans_index_code) = answer.original.unzip();
        Reply {
            status: StatusCode::OK,
            code: 200,
            msg: answer.msg,
            data: Some(Data::Txn(TxnData {
                mid: MID,
                paywizard_id: PAYWIZARD_ID,
                checkout_id: answer.checkout_id,
                trans_index_code: answer.trans_index_code,
                amount: answer.amount,
                result: answer.result.code(),
                ori_checkout_id,
                ori_trans_index_code,
            })),
        }
    }

    fn error(status: StatusCode, msg: impl Into<String>) -> Reply {
        Reply {
            status,
            code: i64::from(status.as_u16()),
            msg: msg.into(),
            data: None,
        }
    }

    fn bad_request(msg: impl Into<String>) -> Reply {
        Reply::error(StatusCode::BAD_REQUEST, msg)
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let envelope = Envelope {
            code: self.code,
            msg: &self.msg,
            timestamp: timestamp(),
            data: &self.data,
        };
        json_response(self.status, &envelope)
    }
}

fn json_response<T: Serialize>(status: StatusCode, value: &T) -> Response {
    match serde_json::to_vec(value) {
        Ok(bytes) => (
            status,
            [(header::CONTENT_TYPE, "application/json")],
            Body::from(bytes),
        )
            .into_response(),
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// `YYYY-MM-DD HH:mm:ss` in UTC, PayWizard's envelope format.
fn timestamp() -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute]:[second]");
    time::OffsetDateTime::now_utc()
        .format(format)
        .unwrap_or_default()
}

async fn control_cards(State(shared): State<Arc<Shared>>) -> Response {
    let cards = shared.ledger().cards().to_vec();
    json_response(StatusCode::OK, &cards)
}

async fn control_transactions(State(shared): State<Arc<Shared>>) -> Response {
    let txns = shared.ledger().transactions().to_vec();
    json_response(StatusCode::OK, &txns)
}

/// `POST /__sim/faults`: `{"clear":true, "next":["drop_before","drop_after","http500",
/// "pending","delay:500"], "rates":{"dropBefore":0.1,...,"delayMs":500,"delayRate":0.1,
/// "seed":7}, "latencyMs":20}`; every key optional, applied in that order.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct FaultsBody {
    #[serde(default)]
    clear: bool,
    #[serde(default)]
    next: Vec<String>,
    rates: Option<RatesBody>,
    latency_ms: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
struct RatesBody {
    drop_before: f64,
    drop_after: f64,
    http500: f64,
    pending: f64,
    delay_ms: Option<u64>,
    delay_rate: f64,
    seed: u64,
}

impl Default for RatesBody {
    fn default() -> Self {
        RatesBody {
            drop_before: 0.0,
            drop_after: 0.0,
            http500: 0.0,
            pending: 0.0,
            delay_ms: None,
            delay_rate: 0.0,
            seed: 0,
        }
    }
}

pub(super) fn parse_fault(name: &str) -> Result<Fault, String> {
    match name {
        "drop_before" => Ok(Fault::DropBeforeApply),
        "drop_after" => Ok(Fault::DropAfterApply),
        "http500" => Ok(Fault::Http500),
        "pending" => Ok(Fault::Pending),
        other => other
            .strip_prefix("delay:")
            .and_then(|ms| ms.parse().ok())
            .map(|ms| Fault::Delay(Duration::from_millis(ms)))
            .ok_or_else(|| {
                format!(
                    "unknown fault {other:?}: use drop_before, drop_after, http500, pending or delay:MS"
                )
            }),
    }
}

async fn control_faults(State(shared): State<Arc<Shared>>, body: axum::body::Bytes) -> Response {
    let body: FaultsBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return Reply::bad_request(format!("invalid faults body: {e}")).into_response(),
    };
    let next: Result<Vec<Fault>, String> = body.next.iter().map(|n| parse_fault(n)).collect();
    let next = match next {
        Ok(n) => n,
        Err(e) => return Reply::bad_request(e).into_response(),
    };
    let faults = &shared.faults;
    if body.clear {
        faults.clear();
    }
    for fault in next {
        faults.push_next(fault);
    }
    if let Some(r) = body.rates {
        faults.set_rates(FaultRates {
            drop_before: r.drop_before,
            drop_after: r.drop_after,
            http500: r.http500,
            pending: r.pending,
            delay: r.delay_ms.map(Duration::from_millis),
            delay_rate: r.delay_rate,
            seed: r.seed,
        });
    }
    if let Some(ms) = body.latency_ms {
        faults.set_latency(Duration::from_millis(ms));
    }
    json_response(StatusCode::OK, &serde_json::json!({ "ok": true }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn balances_are_written_like_paywizards_example() {
        assert_eq!(json_number(153_410, 2).as_str(), "1534.1");
        assert_eq!(json_number(5_000, 2).as_str(), "50");
        assert_eq!(json_number(5, 2).as_str(), "0.05");
        assert_eq!(json_number(0, 2).as_str(), "0");
        assert_eq!(json_number(53, 0).as_str(), "53");
        assert_eq!(json_number(1_050, 3).as_str(), "1.05");
    }

    #[test]
    fn request_amounts_are_checked_against_the_currency() {
        let (code, qty) = money("10.50", "USD").ok().unwrap();
        assert_eq!(
            (code.as_str(), qty.value, qty.wire.as_str()),
            ("USD", 1050, "10.50")
        );
        for bad in ["-1", "0.00", "1.234", "abc", "", "1e3"] {
            let err = money(bad, "USD").err().unwrap();
            assert!(err.msg.starts_with("amount: "), "{bad}: {}", err.msg);
        }
        assert!(
            money("1", "US")
                .err()
                .unwrap()
                .msg
                .starts_with("tranCurrency: ")
        );
        assert_eq!(points("25").ok().unwrap().value, 25);
        for bad in ["0", "2.5", "-3", "x", "99999999999999999999"] {
            assert!(points(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn timestamps_have_the_documented_shape() {
        let t = timestamp();
        assert_eq!(t.len(), 19);
        assert_eq!(&t[10..11], " ");
    }

    #[test]
    fn control_fault_names() {
        assert_eq!(parse_fault("pending"), Ok(Fault::Pending));
        assert_eq!(
            parse_fault("delay:250"),
            Ok(Fault::Delay(Duration::from_millis(250)))
        );
        assert!(parse_fault("explode").is_err());
    }
}

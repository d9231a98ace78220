//! The till's transaction engine, shared by the TUI worker and the headless commands:
//! journal the intent -> sign -> send -> journal the outcome.
//!
//! A request is committed to the journal before it leaves. If that commit fails, nothing
//! is sent. Only a request that provably never left (`ClientError::NotSent`) is retried
//! here, with the same bytes and the same tranOrderNo; anything else that did not come back
//! approved or declined stays *unknown* until recovery resolves it.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::{OffsetDateTime, UtcOffset};

use crate::api::client::{Client, ClientError, ClientSettings};
use crate::api::{
    BodyContext, BuildError, EntryType, Operation, ResponseData, TillRequest, build_body,
    mask_account,
};
use crate::config::Config;
use crate::journal::{Intent, Journal, JournalError, Row};
use crate::outcome::{HistoryEntry, Outcome, RowState, Status};
use crate::worker::Stage;

/// Delays before the automatic retries of a request that was never sent.
const NOT_SENT_RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(300), Duration::from_secs(1)];

/// Why a request could not even be attempted. Nothing was sent in any of these cases.
#[derive(Debug, thiserror::Error)]
pub enum TillError {
    #[error("{0}")]
    BadRequest(#[from] BuildError),
    #[error("journal: {0} (nothing was sent)")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Lookup(String),
}

/// A source of wall-clock time, so tests can step the clock.
pub type Clock = Arc<dyn Fn() -> OffsetDateTime + Send + Sync>;

pub fn system_clock() -> Clock {
    Arc::new(OffsetDateTime::now_utc)
}

/// Everything needed to move value: the client, the journal, the body context.
pub struct Till {
    client: Client,
    journal: Mutex<Journal>,
    body_context: BodyContext,
    currency_code: String,
    offset: UtcOffset,
    clock: Clock,
    retry_delays: Vec<Duration>,
}

/// The finished request: what to show, and its journal row as it now stands.
#[derive(Debug, Clone)]
pub struct Finished {
    pub outcome: Outcome,
    pub entry: Option<HistoryEntry>,
    /// Whether any answer came back from the server (drives the connection indicator).
    pub reached_server: bool,
}

impl Till {
    pub fn new(config: &Config, journal: Journal, offset: UtcOffset) -> Result<Till, ClientError> {
        let client = Client::new(ClientSettings {
            base_url: config.base_url.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            jwt_token: config.jwt_token.clone(),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
        })?;
        Ok(Till {
            client,
            journal: Mutex::new(journal),
            body_context: BodyContext {
                client_id: config.client_id.clone(),
                channel: config.channel.clone(),
                currency: config.currency.clone(),
            },
            currency_code: config.currency.code().to_owned(),
            offset,
            clock: system_clock(),
            retry_delays: NOT_SENT_RETRY_DELAYS.to_vec(),
        })
    }

    /// Replaces the wall clock (tests: clock steps) and the retry delays (tests: speed).
    pub fn with_clock(mut self, clock: Clock) -> Till {
        self.clock = clock;
        self
    }

    pub fn with_retry_delays(mut self, delays: Vec<Duration>) -> Till {
        self.retry_delays = delays;
        self
    }

    pub fn journal(&self) -> MutexGuard<'_, Journal> {
        // A panic while holding the journal leaves SQLite consistent; carry on with it.
        self.journal.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The ISO code money amounts are in.
    pub fn currency(&self) -> &str {
        &self.currency_code
    }

    pub fn offset(&self) -> UtcOffset {
        self.offset
    }

    /// Journals, signs, sends and records one request, reporting each stage.
    pub async fn execute(
        &self,
        request: &TillRequest,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        let op = request.operation;
        // Validate before a number is taken, so bad input costs nothing.
        build_body(request, &self.body_context, Some("0"))?;
        let now = (self.clock)();
        // The number and the intent that carries it are committed together: one disk sync
        // before the request leaves instead of two. A number whose intent was not
        // committed was never sent, so rolling it back cannot make a number repeat.
        let (tran_order_no, body, row_id) = self.journal().atomically(|journal| {
            let tran_order_no = if op.has_order_no() {
                Some(journal.next_order_no(now)?)
            } else {
                None
            };
            let body = build_body(request, &self.body_context, tran_order_no.as_deref())?;
            let intent = Intent {
                operation: op,
                tran_order_no: tran_order_no.clone(),
                account: request.account.clone(),
                entry_type: request.entry,
                amount_minor: request.amount.map(|a| a.minor()),
                points: request.points.map(|p| p.get()),
                currency: self.currency_code.clone(),
                body,
                original_checkout_id: request.original_checkout_id.clone(),
                created_at: now,
            };
            let row_id = journal.begin(&intent)?;
            Ok::<_, TillError>((tran_order_no, intent.body, row_id))
        })?;
        progress(Stage::Journaled {
            tran_order_no: tran_order_no.clone(),
        });
        let sent = self.send_with_retry(op, &body, progress).await;
        let context = RequestContext {
            operation: op,
            tran_order_no,
            account: request.account.clone(),
            entry_type: request.entry,
            amount: wire_quantity(request, &self.body_context),
            resend: false,
        };
        self.conclude(row_id, context, sent, progress).await
    }

    /// Sends a journaled request again: the same bytes, the same tranOrderNo, so PayWizard
    /// de-duplicates it. Used by recovery; never builds a new body.
    pub async fn resend(
        &self,
        row: &Row,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        let fields = BodyFields::read(&row.body);
        let context = RequestContext {
            operation: row.operation,
            tran_order_no: row.tran_order_no.clone(),
            account: fields.account.clone().unwrap_or_default(),
            entry_type: row.entry_type,
            amount: fields.amount.clone(),
            resend: true,
        };
        let sent = self
            .send_with_retry(row.operation, &row.body, progress)
            .await;
        self.conclude(row.id, context, sent, progress).await
    }

    /// Asks for a card's balances without journaling: a follow-up read that moves nothing.
    pub async fn balances(
        &self,
        account: &str,
        entry: EntryType,
    ) -> Result<ResponseData, ClientError> {
        let mut req = TillRequest::new(Operation::Balance, account);
        req.entry = entry;
        let body = build_body(&req, &self.body_context, None)
            .map_err(|e| ClientError::NotSent(e.to_string()))?;
        self.client.send(Operation::Balance, &body).await
    }

    async fn send_with_retry(
        &self,
        op: Operation,
        body: &[u8],
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<ResponseData, ClientError> {
        let mut attempt = 0;
        loop {
            progress(Stage::Signing);
            progress(Stage::Sending);
            let send = self.client.send(op, body);
            progress(Stage::Waiting);
            match send.await {
                Err(e) if e.is_retryable() && attempt < self.retry_delays.len() => {
                    let delay = self.retry_delays[attempt];
                    attempt += 1;
                    progress(Stage::Retrying {
                        attempt: attempt as u32,
                        reason: e.to_string(),
                    });
                    tokio::time::sleep(delay).await;
                }
                other => return other,
            }
        }
    }

    /// Turns the answer into an outcome, fetches the new balance when approved, and commits
    /// the outcome to the journal.
    async fn conclude(
        &self,
        row_id: i64,
        context: RequestContext,
        sent: Result<ResponseData, ClientError>,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        let op = context.operation;
        let mut outcome = Outcome {
            operation: op,
            tran_order_no: context.tran_order_no.clone(),
            account_id: mask_or_empty(&context.account),
            entry_type: context.entry_type,
            status: Status::Approved,
            code: Some(200),
            msg: String::new(),
            checkout_id: None,
            amount: context.amount.clone(),
            requested_amount: None,
            balances: Vec::new(),
        };
        let reached_server = !matches!(
            &sent,
            Err(ClientError::NotSent(_)) | Err(ClientError::NoAnswer(_))
        );
        let response = match sent {
            Ok(data) => {
                outcome.msg = "approved".into();
                outcome.checkout_id = data.checkout_id.clone();
                outcome.balances = data.balances.clone().unwrap_or_default();
                Some(data)
            }
            Err(e) => {
                outcome.status = e.status();
                outcome.code = e.code();
                outcome.msg = explain(&e, op);
                if context.resend && outcome.status == Status::Rejected {
                    // Refusing the resend (bad token, not sent) says nothing about the first
                    // attempt, which may have been applied: the row stays unknown.
                    outcome.status = Status::Unknown;
                    outcome.msg = format!(
                        "the resend did not get through ({}); whether the first attempt went through is still unknown",
                        outcome.msg
                    );
                }
                outcome.checkout_id = e.data().and_then(|d| d.checkout_id.clone());
                e.data().cloned()
            }
        };
        let now = (self.clock)();
        {
            let mut journal = self.journal();
            journal.finish(row_id, &outcome, response.as_ref(), now)?;
            if op == Operation::Void && outcome.status == Status::Approved {
                let original = self
                    .original_checkout_of(row_id, &journal)?
                    .and_then(|checkout| journal.find(&checkout).ok().flatten());
                if let Some(original) = original {
                    journal.mark_voided(original.id, row_id)?;
                }
            }
        }
        if outcome.status == Status::Approved
            && outcome.balances.is_empty()
            && op.needs_account()
            && !context.account.is_empty()
        {
            progress(Stage::FetchingBalance);
            match self.balances(&context.account, context.entry_type).await {
                Ok(data) => outcome.balances = data.balances.unwrap_or_default(),
                Err(e) => {
                    outcome.msg = format!("approved (new balance not available: {e})");
                }
            }
        }
        let entry = self
            .journal()
            .row(row_id)?
            .map(|row| row.to_history(self.offset));
        Ok(Finished {
            outcome,
            entry,
            reached_server,
        })
    }

    fn original_checkout_of(
        &self,
        row_id: i64,
        journal: &Journal,
    ) -> Result<Option<String>, JournalError> {
        Ok(journal.row(row_id)?.and_then(|r| r.original_checkout_id))
    }

    /// Resolves `ORDER` (a journal tranOrderNo or a checkoutId) to the original's
    /// checkoutId and, when this till's journal has it, its full card number.
    pub fn resolve_original(&self, order: &str) -> Result<(String, Option<String>), TillError> {
        let journal = self.journal();
        match journal.find(order)? {
            Some(row) => {
                let checkout = row.checkout_id.clone().ok_or_else(|| {
                    TillError::Lookup(format!(
                        "{order} is in the journal but has no checkoutId (state {}); only an approved transaction can be referred to",
                        row.state
                    ))
                })?;
                if row.state != RowState::Approved {
                    return Err(TillError::Lookup(format!(
                        "{order} is {} in the journal; only an approved transaction can be referred to",
                        row.state
                    )));
                }
                Ok((checkout, BodyFields::read(&row.body).account))
            }
            None => Ok((order.to_owned(), None)),
        }
    }
}

/// What an outcome needs to know about the request it answers.
struct RequestContext {
    operation: Operation,
    tran_order_no: Option<String>,
    account: String,
    entry_type: EntryType,
    amount: Option<String>,
    /// A second send of a request whose first outcome is unknown.
    resend: bool,
}

/// The few fields recovery reads back out of a journaled body.
/// The card number a journaled request was for (read from its signed body), if any.
pub fn account_of(row: &Row) -> Option<String> {
    BodyFields::read(&row.body)
        .account
        .filter(|a| !a.is_empty())
}

struct BodyFields {
    account: Option<String>,
    amount: Option<String>,
}

impl BodyFields {
    fn read(body: &[u8]) -> BodyFields {
        let json: serde_json::Value = serde_json::from_slice(body).unwrap_or_default();
        let text = |key: &str| json.get(key).and_then(|v| v.as_str()).map(str::to_owned);
        BodyFields {
            account: text("accountId"),
            amount: text("amount"),
        }
    }
}

fn wire_quantity(request: &TillRequest, ctx: &BodyContext) -> Option<String> {
    match (request.points, request.amount) {
        (Some(p), _) => Some(p.to_wire()),
        (None, Some(a)) => Some(a.to_wire(&ctx.currency)),
        (None, None) => None,
    }
}

fn mask_or_empty(account: &str) -> String {
    if account.is_empty() {
        String::new()
    } else {
        mask_account(account)
    }
}

/// The cashier's words for a failure: what happened and what to do next.
pub fn explain(e: &ClientError, op: Operation) -> String {
    match e {
        ClientError::Declined { msg, .. } => msg.clone(),
        ClientError::Api { code, msg } if e.status() == Status::Rejected => match code {
            401 | 403 => format!("{msg} — check the till's credentials; nothing was charged"),
            _ => format!("{msg} (code {code}); nothing was charged"),
        },
        ClientError::NotSent(reason) => {
            format!("not sent — {reason}; nothing was charged, try again when online")
        }
        ClientError::HttpStatus { .. } if e.status() == Status::Rejected => {
            format!("{e}; nothing was charged")
        }
        _ if op.moves_value() => format!(
            "{e} — it may have gone through: do NOT repeat the sale; it is saved in the journal, run recovery or check the balance"
        ),
        _ => format!("{e} — try again"),
    }
}

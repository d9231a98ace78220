//! The till's transaction engine, shared by the TUI worker and the headless commands:
//! journal the intent -> sign -> send -> journal the outcome.
//!
//! A request is committed to the journal before it leaves. If that commit fails, nothing
//! is sent. Only a request that provably never left (`ClientError::NotSent`) is retried
//! here, with the same bytes and the same tranOrderNo; anything else that did not come back
//! approved or declined stays *unknown* until recovery resolves it. Once a request may have
//! left, every path ends in approved, declined or unknown: an answer the journal cannot
//! record is kept and written again (`unrecorded`), and shown as unknown meanwhile.

mod answer;
pub mod authority;
mod fields;
mod originals;
mod staff;
mod unrecorded;

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use time::{OffsetDateTime, UtcOffset};

use crate::api::client::{Client, ClientError, ClientSettings};
use crate::api::{
    BodyContext, BuildError, EntryType, Operation, ResponseData, TillRequest, build_body,
};
use crate::config::Config;
use crate::journal::{Authority, Intent, Journal, JournalError, Refusal, Row};
use crate::outcome::{HistoryEntry, Outcome, Status};
use crate::worker::Stage;

pub use answer::explain;
pub use fields::account_of;
pub use originals::{Original, refuse, tip_card};
pub use unrecorded::{NOT_RECORDED, Retried};

use answer::{Judged, RequestContext, judge};
use fields::{BodyFields, mask_or_empty, quantity_of, row_outcome, wire_quantity};
use unrecorded::Unrecorded;

/// Delays before the automatic retries of a request that was never sent.
const NOT_SENT_RETRY_DELAYS: [Duration; 2] = [Duration::from_millis(300), Duration::from_secs(1)];

/// Why a request could not even be attempted, or the till could not start. Nothing was
/// sent in any of these cases: once a request may have left, the engine reports an
/// outcome (approved, declined or unknown), never one of these.
#[derive(Debug, thiserror::Error)]
pub enum TillError {
    #[error("{0}")]
    BadRequest(#[from] BuildError),
    #[error("journal: {0} (nothing was sent)")]
    Journal(#[from] JournalError),
    #[error("{0}")]
    Lookup(String),
    #[error("{0}")]
    Client(#[from] ClientError),
    /// The till has staff, and who is signed on may not do this (or nobody is).
    #[error("not permitted: {0}")]
    NotPermitted(Refusal),
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
    unrecorded: Unrecorded,
    /// Money amounts above this (minor units) need a manager; `None`: no limit.
    manager_over: Option<i64>,
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
    /// A till on `journal`. Settled rows that no longer need their card number (payments
    /// past the configured tip window, rows settled by an older build) give it up now.
    pub fn new(
        config: &Config,
        mut journal: Journal,
        offset: UtcOffset,
    ) -> Result<Till, TillError> {
        let client = Client::new(ClientSettings {
            base_url: config.base_url.clone(),
            client_id: config.client_id.clone(),
            client_secret: config.client_secret.clone(),
            jwt_token: config.jwt_token.clone(),
            connect_timeout: config.connect_timeout,
            request_timeout: config.request_timeout,
        })?;
        journal.set_tip_window(config.tip_window);
        journal.set_pin_policy(config.staff.pin_policy());
        journal.scrub_settled_cards(OffsetDateTime::now_utc())?;
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
            unrecorded: Unrecorded::default(),
            manager_over: config.staff.manager_over.map(|a| a.minor()),
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

    /// Moves the journal's `-wal` into its main file: the screen calls it when it quits,
    /// so a lost `-wal` afterwards loses nothing.
    pub fn checkpoint(&self) -> Result<(), JournalError> {
        self.journal().checkpoint()
    }

    /// How many answers wait in memory because the journal could not record them.
    pub fn unrecorded(&self) -> usize {
        self.unrecorded.len()
    }

    /// Writes the answers the journal could not take before; see [`Retried`].
    pub fn retry_unrecorded(&self) -> Retried {
        let mut journal = self.journal();
        self.unrecorded.retry(&mut journal, None, self.offset)
    }

    /// [`Till::execute_as`] with nobody signed on: only while the till has no staff.
    pub async fn execute(
        &self,
        request: &TillRequest,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        self.execute_as(request, &Authority::nobody(), progress)
            .await
    }

    /// Journals, signs, sends and records one request, reporting each stage. An `Err`
    /// means nothing was sent; from the send on, the result is an outcome. Once the till
    /// has staff, `authority` must hold a signed-on staff member, and a manager where
    /// [`authority::needs_manager`] says so; the row records both.
    pub async fn execute_as(
        &self,
        request: &TillRequest,
        authority: &Authority,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        let op = request.operation;
        let need = authority::need(authority::sending(request), self.manager_over);
        // Validate before a number is taken, so bad input costs nothing.
        build_body(request, &self.body_context, Some("0"))?;
        let original = match (op.needs_original(), &request.original_checkout_id) {
            (true, Some(checkout)) => self.check_original(op, checkout, &request.account)?,
            _ => None,
        };
        let now = (self.clock)();
        // The number and the intent that carries it are committed together: one disk sync
        // before the request leaves instead of two. A number whose intent was not
        // committed was never sent, so rolling it back cannot make a number repeat.
        let (tran_order_no, body, row_id) = self.journal().atomically(|journal| {
            // Checked with the write it allows: someone removed a moment ago gets no row.
            let who = journal
                .permit(authority, need)?
                .map_err(TillError::NotPermitted)?;
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
                cashier: who.cashier,
                approved_by: who.approved_by,
            };
            let row_id = journal.begin(&intent)?;
            Ok::<_, TillError>((tran_order_no, intent.body, row_id))
        })?;
        progress(Stage::Journaled {
            tran_order_no: tran_order_no.clone(),
        });
        let sent = self.send_with_retry(op, &body, progress).await;
        // A void shows the card and amount of the sale it reverses.
        let reversed = original.filter(|_| op == Operation::Void);
        let context = RequestContext {
            operation: op,
            tran_order_no,
            account: request.account.clone(),
            shown_account: match &reversed {
                Some(row) => row.account_masked.clone(),
                None => mask_or_empty(&request.account),
            },
            entry_type: request.entry,
            amount: match &reversed {
                Some(row) => quantity_of(row),
                None => wire_quantity(request, &self.body_context),
            },
            amount_sent: op != Operation::Void,
            partial_ok: op == Operation::Pay && request.nsf_allowed,
            resend: false,
        };
        Ok(self.conclude(row_id, context, sent, progress).await)
    }

    /// Sends a journaled request again: the same bytes, the same tranOrderNo, so PayWizard
    /// de-duplicates it. Used by recovery; never builds a new body. An answer to this row
    /// that the journal could not record earlier is written instead, with nothing sent.
    pub async fn resend(
        &self,
        row: &Row,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Result<Finished, TillError> {
        if self.unrecorded.holds(row.id) {
            return Ok(self.record_waiting(row));
        }
        let fields = BodyFields::read(&row.body);
        let context = RequestContext {
            operation: row.operation,
            tran_order_no: row.tran_order_no.clone(),
            account: fields.account.clone().unwrap_or_default(),
            shown_account: row.account_masked.clone(),
            entry_type: row.entry_type,
            amount: if row.operation == Operation::Void {
                quantity_of(row)
            } else {
                fields.amount.clone()
            },
            amount_sent: row.operation != Operation::Void,
            partial_ok: row.operation == Operation::Pay && fields.nsf_allowed,
            resend: true,
        };
        let sent = self
            .send_with_retry(row.operation, &row.body, progress)
            .await;
        Ok(self.conclude(row.id, context, sent, progress).await)
    }

    /// Recovery of a row whose answer is waiting in memory: write it, no network.
    fn record_waiting(&self, row: &Row) -> Finished {
        let retried = {
            let mut journal = self.journal();
            self.unrecorded
                .retry(&mut journal, Some(row.id), self.offset)
        };
        match retried.written.into_iter().next() {
            Some((outcome, entry)) => Finished {
                outcome,
                entry,
                reached_server: true,
            },
            None => {
                let mut outcome = row_outcome(row);
                outcome.msg = format!(
                    "{NOT_RECORDED} (the journal still cannot record PayWizard's answer: {}); do NOT repeat it",
                    retried.error.unwrap_or_default()
                );
                Finished {
                    outcome,
                    entry: Some(row.to_history(self.offset)),
                    reached_server: true,
                }
            }
        }
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

    /// Turns the answer into an outcome and commits it to the journal, then fetches the
    /// card's balances after an approval or a decline (what the card holds helps the
    /// cashier either way; a failed fetch changes nothing about the outcome). An outcome
    /// the journal cannot take is kept for a later write and shown as unknown.
    async fn conclude(
        &self,
        row_id: i64,
        context: RequestContext,
        sent: Result<ResponseData, ClientError>,
        progress: &mut (dyn FnMut(Stage) + Send),
    ) -> Finished {
        let op = context.operation;
        let Judged {
            mut outcome,
            response,
            reached_server,
        } = judge(&context, sent, &self.body_context.currency);
        let now = (self.clock)();
        let recorded = self
            .journal()
            .finish(row_id, &outcome, response.as_ref(), now);
        if let Err(e) = recorded {
            let shown = unrecorded::shown(&outcome, &e);
            self.unrecorded.push(row_id, outcome, response, now);
            let entry = self.history_entry(row_id);
            return Finished {
                outcome: shown,
                entry,
                reached_server,
            };
        }
        if matches!(outcome.status, Status::Approved | Status::Declined)
            && outcome.balances.is_empty()
            && op.needs_account()
            && !context.account.is_empty()
        {
            progress(Stage::FetchingBalance);
            match self.balances(&context.account, context.entry_type).await {
                Ok(data) => outcome.balances = data.balances.unwrap_or_default(),
                Err(e) if outcome.status == Status::Approved => {
                    outcome.msg = format!("{} (new balance not available: {e})", outcome.msg);
                }
                Err(_) => {}
            }
        }
        let entry = self.history_entry(row_id);
        Finished {
            outcome,
            entry,
            reached_server,
        }
    }

    /// Row `id` as the history shows it, if the journal can read it.
    fn history_entry(&self, id: i64) -> Option<HistoryEntry> {
        self.journal()
            .row(id)
            .ok()
            .flatten()
            .map(|row| row.to_history(self.offset))
    }
}

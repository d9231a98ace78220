//! The simulator's card ledger: PayWizard's rules as pure state, no I/O and no clock, so
//! every rule is unit-tested here and the HTTP layer only translates.

use std::collections::HashMap;

use crate::api::{CustomerInfo, Operation, TxnResult};
use crate::money::{Amount, Currency};

use super::{CardState, SimTransaction};

/// A quantity from a request: its value (minor units or points, always > 0) and the text
/// the client sent, which PayWizard echoes back in `data.amount`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Qty {
    pub value: i64,
    pub wire: String,
}

/// A value-moving request after parsing and field validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Command {
    TopUp {
        account: String,
        currency: String,
        amount: Qty,
        activate: bool,
        customer: Option<Box<CustomerInfo>>,
    },
    Pay {
        account: String,
        currency: String,
        amount: Qty,
        nsf_allowed: bool,
    },
    IssuePoints {
        account: String,
        points: Qty,
    },
    RedeemPoints {
        account: String,
        points: Qty,
    },
    Void {
        original: String,
    },
    Tip {
        account: String,
        currency: String,
        amount: Qty,
        original: String,
    },
}

/// What the simulator answers for a transaction: `data` of the envelope plus its `msg`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Answer {
    pub result: TxnResult,
    pub msg: String,
    pub checkout_id: Option<String>,
    pub trans_index_code: Option<String>,
    pub amount: Option<String>,
    /// checkoutId and transIndexCode of the transaction a void or tip refers to.
    pub original: Option<(String, String)>,
}

impl Answer {
    fn declined(msg: impl Into<String>) -> Self {
        Answer {
            result: TxnResult::Failure,
            msg: msg.into(),
            checkout_id: None,
            trans_index_code: None,
            amount: None,
            original: None,
        }
    }
}

pub(crate) const SUCCESS: &str = "success";
pub(crate) const PENDING: &str = "pending: the transaction is still being processed";

#[derive(Debug, Clone)]
struct Ids {
    checkout_id: String,
    trans_index_code: String,
}

#[derive(Debug)]
enum OrderState {
    /// Accepted but not applied; the next identical request completes it.
    Pending,
    Done(Answer),
}

/// What was received under one tranOrderNo, so a resend can be recognised.
#[derive(Debug)]
struct Order {
    op: Operation,
    body: Vec<u8>,
    ids: Ids,
    state: OrderState,
}

/// One applied movement. `account` is the card moved.
struct Applied {
    account: String,
    money_delta: i64,
    points_delta: i64,
    amount: Option<String>,
    original: Option<(String, String)>,
}

#[derive(Debug)]
pub(crate) struct Ledger {
    cards: Vec<CardState>,
    txns: Vec<SimTransaction>,
    by_checkout: HashMap<String, usize>,
    orders: HashMap<String, Order>,
    /// Start time in seconds: part of every id so ids from an earlier run do not recur.
    id_epoch: u64,
    next_id: u64,
}

impl Ledger {
    pub fn new(cards: Vec<CardState>, id_epoch: u64) -> Self {
        Ledger {
            cards,
            txns: Vec::new(),
            by_checkout: HashMap::new(),
            orders: HashMap::new(),
            id_epoch: id_epoch % 10_000_000_000,
            next_id: 1,
        }
    }

    pub fn card(&self, account: &str) -> Option<&CardState> {
        self.cards.iter().find(|c| c.account == account)
    }

    pub fn cards(&self) -> &[CardState] {
        &self.cards
    }

    pub fn transactions(&self) -> &[SimTransaction] {
        &self.txns
    }

    /// `giftActivate`: `activating` Y sets the card active; the customer is stored either way.
    pub fn activate(
        &mut self,
        account: &str,
        activating: bool,
        customer: CustomerInfo,
    ) -> Option<&CardState> {
        let card = self.cards.iter_mut().find(|c| c.account == account)?;
        if activating {
            card.active = true;
        }
        card.customer = Some(customer);
        Some(card)
    }

    /// Runs a value-moving request under PayWizard-style idempotency: the same tranOrderNo
    /// with the same endpoint and byte-identical body gets the first answer back and moves
    /// nothing again; with different content it is declined. `pending` leaves it unapplied
    /// (result 2) until the same request comes again.
    pub fn submit(
        &mut self,
        order_no: &str,
        op: Operation,
        body: &[u8],
        cmd: Command,
        pending: bool,
    ) -> Answer {
        let ids = match self.orders.get(order_no) {
            Some(order) if order.op != op || order.body != body => {
                return Answer::declined("duplicate tranOrderNo with different content");
            }
            Some(order) => match &order.state {
                OrderState::Done(answer) => return answer.clone(),
                OrderState::Pending if pending => return pending_answer(&order.ids, &cmd),
                OrderState::Pending => order.ids.clone(),
            },
            None => {
                let ids = self.new_ids();
                if pending {
                    let answer = pending_answer(&ids, &cmd);
                    self.remember(order_no, op, body, ids, OrderState::Pending);
                    return answer;
                }
                ids
            }
        };
        let answer = self.apply(order_no, op, &ids, cmd);
        self.remember(order_no, op, body, ids, OrderState::Done(answer.clone()));
        answer
    }

    fn remember(
        &mut self,
        order_no: &str,
        op: Operation,
        body: &[u8],
        ids: Ids,
        state: OrderState,
    ) {
        let order = Order {
            op,
            body: body.to_vec(),
            ids,
            state,
        };
        self.orders.insert(order_no.to_owned(), order);
    }

    fn new_ids(&mut self) -> Ids {
        let n = self.next_id;
        self.next_id += 1;
        // 18 and 21 digits, like PayWizard's examples.
        Ids {
            checkout_id: format!("9{:010}{:07}", self.id_epoch, n % 10_000_000),
            trans_index_code: format!(
                "10020000080{:03}{:07}",
                self.id_epoch % 1000,
                n % 10_000_000
            ),
        }
    }

    fn apply(&mut self, order_no: &str, op: Operation, ids: &Ids, cmd: Command) -> Answer {
        let requested = requested_amount(&cmd);
        let outcome = match cmd {
            Command::TopUp {
                account,
                currency,
                amount,
                activate,
                customer,
            } => self.top_up(&account, &currency, &amount, activate, customer),
            Command::Pay {
                account,
                currency,
                amount,
                nsf_allowed,
            } => self.pay(&account, &currency, &amount, nsf_allowed),
            Command::IssuePoints { account, points } => self.move_points(&account, &points, true),
            Command::RedeemPoints { account, points } => self.move_points(&account, &points, false),
            Command::Void { original } => self.void(&original),
            Command::Tip {
                account,
                currency,
                amount,
                original,
            } => self.tip(&account, &currency, &amount, &original),
        };
        match outcome {
            Ok(applied) => {
                self.by_checkout
                    .insert(ids.checkout_id.clone(), self.txns.len());
                self.txns.push(SimTransaction {
                    tran_order_no: order_no.to_owned(),
                    checkout_id: ids.checkout_id.clone(),
                    trans_index_code: ids.trans_index_code.clone(),
                    operation: op,
                    account: applied.account,
                    money_minor_delta: applied.money_delta,
                    points_delta: applied.points_delta,
                    voided: false,
                });
                Answer {
                    result: TxnResult::Success,
                    msg: SUCCESS.into(),
                    checkout_id: Some(ids.checkout_id.clone()),
                    trans_index_code: Some(ids.trans_index_code.clone()),
                    amount: applied.amount,
                    original: applied.original,
                }
            }
            Err(msg) => Answer {
                checkout_id: Some(ids.checkout_id.clone()),
                trans_index_code: Some(ids.trans_index_code.clone()),
                amount: requested,
                ..Answer::declined(msg)
            },
        }
    }

    fn card_mut(&mut self, account: &str) -> Result<&mut CardState, String> {
        self.cards
            .iter_mut()
            .find(|c| c.account == account)
            .ok_or_else(|| "card not found".to_string())
    }

    fn top_up(
        &mut self,
        account: &str,
        currency: &str,
        amount: &Qty,
        activate: bool,
        customer: Option<Box<CustomerInfo>>,
    ) -> Result<Applied, String> {
        let card = self.card_mut(account)?;
        if card.currency != currency {
            return Err("currency mismatch".into());
        }
        if !card.active && !activate {
            return Err("card is not active".into());
        }
        card.money_minor = card
            .money_minor
            .checked_add(amount.value)
            .ok_or("amount too large")?;
        card.active = card.active || activate;
        if let Some(customer) = customer {
            card.customer = Some(*customer);
        }
        Ok(Applied {
            account: account.to_owned(),
            money_delta: amount.value,
            points_delta: 0,
            amount: Some(amount.wire.clone()),
            original: None,
        })
    }

    fn pay(
        &mut self,
        account: &str,
        currency: &str,
        amount: &Qty,
        nsf_allowed: bool,
    ) -> Result<Applied, String> {
        let card = self.card_mut(account)?;
        if card.currency != currency {
            return Err("currency mismatch".into());
        }
        if !card.active {
            return Err("card is not active".into());
        }
        let (charged, wire) = if card.money_minor >= amount.value {
            (amount.value, amount.wire.clone())
        } else if nsf_allowed && card.money_minor > 0 {
            // Partial approval: everything the card holds, reported in data.amount.
            let available = card.money_minor;
            let wire = Currency::new(&card.currency)
                .map(|c| Amount::from_minor(available).to_wire(&c))
                .unwrap_or_else(|_| available.to_string());
            (available, wire)
        } else {
            return Err("insufficient funds".into());
        };
        card.money_minor -= charged;
        Ok(Applied {
            account: account.to_owned(),
            money_delta: -charged,
            points_delta: 0,
            amount: Some(wire),
            original: None,
        })
    }

    fn move_points(&mut self, account: &str, points: &Qty, issue: bool) -> Result<Applied, String> {
        let card = self.card_mut(account)?;
        if !card.active {
            return Err("card is not active".into());
        }
        let n = points.value.unsigned_abs();
        card.points = if issue {
            card.points.checked_add(n).ok_or("points too large")?
        } else {
            card.points.checked_sub(n).ok_or("insufficient points")?
        };
        Ok(Applied {
            account: account.to_owned(),
            money_delta: 0,
            points_delta: if issue { points.value } else { -points.value },
            amount: Some(points.wire.clone()),
            original: None,
        })
    }

    fn void(&mut self, original: &str) -> Result<Applied, String> {
        let Some(&idx) = self.by_checkout.get(original) else {
            let pending = self
                .orders
                .values()
                .any(|o| o.ids.checkout_id == original && matches!(o.state, OrderState::Pending));
            return Err(if pending {
                "original transaction is still pending".into()
            } else {
                "original transaction not found".into()
            });
        };
        let orig = self.txns[idx].clone();
        if orig.operation == Operation::Void {
            return Err("a void cannot be voided".into());
        }
        if orig.voided {
            return Err("transaction already voided".into());
        }
        let card = self.card_mut(&orig.account)?;
        let money = card
            .money_minor
            .checked_sub(orig.money_minor_delta)
            .filter(|m| *m >= 0)
            .ok_or("insufficient balance to reverse")?;
        let points = i128::from(card.points) - i128::from(orig.points_delta);
        let points = u64::try_from(points).map_err(|_| "insufficient points to reverse")?;
        card.money_minor = money;
        card.points = points;
        self.txns[idx].voided = true;
        Ok(Applied {
            account: orig.account,
            money_delta: -orig.money_minor_delta,
            points_delta: -orig.points_delta,
            amount: None,
            original: Some((orig.checkout_id, orig.trans_index_code)),
        })
    }

    fn tip(
        &mut self,
        account: &str,
        currency: &str,
        amount: &Qty,
        original: &str,
    ) -> Result<Applied, String> {
        self.card_mut(account)?;
        let orig = self
            .by_checkout
            .get(original)
            .map(|&i| self.txns[i].clone())
            .ok_or("original payment not found")?;
        if orig.operation != Operation::Pay {
            return Err("a tip can only be added to a payment".into());
        }
        if orig.account != account {
            return Err("the original payment was made with a different card".into());
        }
        if orig.voided {
            return Err("the original payment was voided".into());
        }
        let card = self.card_mut(account)?;
        if card.currency != currency {
            return Err("currency mismatch".into());
        }
        if !card.active {
            return Err("card is not active".into());
        }
        if card.money_minor < amount.value {
            return Err("insufficient funds".into());
        }
        card.money_minor -= amount.value;
        Ok(Applied {
            account: account.to_owned(),
            money_delta: -amount.value,
            points_delta: 0,
            amount: Some(amount.wire.clone()),
            original: Some((orig.checkout_id, orig.trans_index_code)),
        })
    }
}

fn requested_amount(cmd: &Command) -> Option<String> {
    match cmd {
        Command::TopUp { amount, .. }
        | Command::Pay { amount, .. }
        | Command::Tip { amount, .. } => Some(amount.wire.clone()),
        Command::IssuePoints { points, .. } | Command::RedeemPoints { points, .. } => {
            Some(points.wire.clone())
        }
        Command::Void { .. } => None,
    }
}

fn pending_answer(ids: &Ids, cmd: &Command) -> Answer {
    Answer {
        result: TxnResult::Pending,
        msg: PENDING.into(),
        checkout_id: Some(ids.checkout_id.clone()),
        trans_index_code: Some(ids.trans_index_code.clone()),
        amount: requested_amount(cmd),
        original: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ADA: &str = "6274000000000014";
    const BOB: &str = "6274000000000022";
    const OFF: &str = "6274000000000030";

    fn card(account: &str, money: i64, points: u64, active: bool) -> CardState {
        CardState {
            account: account.into(),
            currency: "USD".into(),
            money_minor: money,
            points,
            active,
            customer: None,
        }
    }

    fn ledger() -> Ledger {
        Ledger::new(
            vec![
                card(ADA, 50_00, 120, true),
                card(BOB, 5_00, 0, true),
                card(OFF, 0, 0, false),
            ],
            1_753_000_000,
        )
    }

    fn qty(value: i64, wire: &str) -> Qty {
        Qty {
            value,
            wire: wire.into(),
        }
    }

    fn pay(account: &str, minor: i64, wire: &str, nsf: bool) -> Command {
        Command::Pay {
            account: account.into(),
            currency: "USD".into(),
            amount: qty(minor, wire),
            nsf_allowed: nsf,
        }
    }

    fn top_up(account: &str, minor: i64, wire: &str, activate: bool) -> Command {
        Command::TopUp {
            account: account.into(),
            currency: "USD".into(),
            amount: qty(minor, wire),
            activate,
            customer: None,
        }
    }

    fn void(original: &str) -> Command {
        Command::Void {
            original: original.into(),
        }
    }

    /// Submits with a body unique to the order number, as a real client would.
    fn run(l: &mut Ledger, no: &str, op: Operation, cmd: Command) -> Answer {
        l.submit(no, op, no.as_bytes(), cmd, false)
    }

    fn money(l: &Ledger, account: &str) -> i64 {
        l.card(account).unwrap().money_minor
    }

    #[test]
    fn pay_charges_and_echoes_the_amount() {
        let mut l = ledger();
        let a = run(&mut l, "1", Operation::Pay, pay(ADA, 10_50, "10.50", false));
        assert_eq!((a.result, a.msg.as_str()), (TxnResult::Success, "success"));
        assert_eq!(a.amount.as_deref(), Some("10.50"));
        assert_eq!(a.checkout_id.as_ref().unwrap().len(), 18);
        assert_eq!(a.trans_index_code.as_ref().unwrap().len(), 21);
        assert_eq!(money(&l, ADA), 39_50);
        assert_eq!(l.transactions()[0].money_minor_delta, -10_50);
    }

    #[test]
    fn pay_insufficient_declines_unless_nsf_allowed_then_charges_what_is_there() {
        let mut l = ledger();
        let a = run(&mut l, "1", Operation::Pay, pay(BOB, 7_00, "7.00", false));
        assert_eq!(
            (a.result, a.msg.as_str()),
            (TxnResult::Failure, "insufficient funds")
        );
        assert_eq!(money(&l, BOB), 5_00);
        let a = run(&mut l, "2", Operation::Pay, pay(BOB, 7_00, "7.00", true));
        assert_eq!(a.result, TxnResult::Success);
        assert_eq!(a.amount.as_deref(), Some("5.00"));
        assert_eq!(money(&l, BOB), 0);
        let a = run(&mut l, "3", Operation::Pay, pay(BOB, 1, "0.01", true));
        assert_eq!(a.msg, "insufficient funds");
    }

    #[test]
    fn unknown_inactive_and_wrong_currency_cards_decline() {
        let mut l = ledger();
        let a = run(&mut l, "1", Operation::Pay, pay("999999", 1, "0.01", false));
        assert_eq!(a.msg, "card not found");
        let a = run(&mut l, "2", Operation::Pay, pay(OFF, 1, "0.01", false));
        assert_eq!(a.msg, "card is not active");
        let eur = Command::Pay {
            account: ADA.into(),
            currency: "EUR".into(),
            amount: qty(1, "0.01"),
            nsf_allowed: false,
        };
        assert_eq!(
            run(&mut l, "3", Operation::Pay, eur).msg,
            "currency mismatch"
        );
        assert!(l.transactions().is_empty());
    }

    #[test]
    fn top_up_activating_opens_an_inactive_card() {
        let mut l = ledger();
        let a = run(
            &mut l,
            "1",
            Operation::TopUp,
            top_up(OFF, 20_00, "20.00", false),
        );
        assert_eq!(a.msg, "card is not active");
        let a = run(
            &mut l,
            "2",
            Operation::TopUp,
            top_up(OFF, 20_00, "20.00", true),
        );
        assert_eq!(a.result, TxnResult::Success);
        let c = l.card(OFF).unwrap();
        assert!(c.active);
        assert_eq!(c.money_minor, 20_00);
    }

    #[test]
    fn points_issue_and_redeem() {
        let mut l = ledger();
        let issue = Command::IssuePoints {
            account: ADA.into(),
            points: qty(30, "30"),
        };
        assert_eq!(
            run(&mut l, "1", Operation::IssuePoints, issue).result,
            TxnResult::Success
        );
        assert_eq!(l.card(ADA).unwrap().points, 150);
        let redeem = |n: i64| Command::RedeemPoints {
            account: ADA.into(),
            points: qty(n, &n.to_string()),
        };
        let a = run(&mut l, "2", Operation::RedeemPoints, redeem(151));
        assert_eq!(a.msg, "insufficient points");
        assert_eq!(
            run(&mut l, "3", Operation::RedeemPoints, redeem(150)).result,
            TxnResult::Success
        );
        assert_eq!(l.card(ADA).unwrap().points, 0);
    }

    #[test]
    fn resend_returns_the_first_answer_and_moves_once() {
        let mut l = ledger();
        let first = l.submit(
            "o1",
            Operation::Pay,
            b"body",
            pay(ADA, 1_00, "1.00", false),
            false,
        );
        let again = l.submit(
            "o1",
            Operation::Pay,
            b"body",
            pay(ADA, 1_00, "1.00", false),
            false,
        );
        assert_eq!(first, again);
        assert_eq!(money(&l, ADA), 49_00);
        let other = l.submit(
            "o1",
            Operation::Pay,
            b"other",
            pay(ADA, 2_00, "2.00", false),
            false,
        );
        assert_eq!(other.msg, "duplicate tranOrderNo with different content");
        // Same bytes to another endpoint is different content too.
        let cross = l.submit(
            "o1",
            Operation::TopUp,
            b"body",
            top_up(ADA, 1_00, "1.00", false),
            false,
        );
        assert_eq!(cross.result, TxnResult::Failure);
        assert_eq!(money(&l, ADA), 49_00);
        assert_eq!(l.transactions().len(), 1);
    }

    #[test]
    fn pending_applies_once_when_the_same_request_comes_again() {
        let mut l = ledger();
        let p = l.submit(
            "o1",
            Operation::Pay,
            b"b",
            pay(ADA, 1_00, "1.00", false),
            true,
        );
        assert_eq!(p.result, TxnResult::Pending);
        assert_eq!(money(&l, ADA), 50_00);
        let v = run(
            &mut l,
            "v",
            Operation::Void,
            void(p.checkout_id.as_deref().unwrap()),
        );
        assert_eq!(v.msg, "original transaction is still pending");
        let still = l.submit(
            "o1",
            Operation::Pay,
            b"b",
            pay(ADA, 1_00, "1.00", false),
            true,
        );
        assert_eq!(still.result, TxnResult::Pending);
        let done = l.submit(
            "o1",
            Operation::Pay,
            b"b",
            pay(ADA, 1_00, "1.00", false),
            false,
        );
        assert_eq!(done.result, TxnResult::Success);
        assert_eq!(done.checkout_id, p.checkout_id);
        let again = l.submit(
            "o1",
            Operation::Pay,
            b"b",
            pay(ADA, 1_00, "1.00", false),
            false,
        );
        assert_eq!(again, done);
        assert_eq!(money(&l, ADA), 49_00);
    }

    #[test]
    fn void_reverses_once_and_never_a_void() {
        let mut l = ledger();
        let p = run(&mut l, "1", Operation::Pay, pay(ADA, 10_00, "10.00", false));
        let ck = p.checkout_id.clone().unwrap();
        let v = run(&mut l, "2", Operation::Void, void(&ck));
        assert_eq!(v.result, TxnResult::Success);
        assert_eq!(v.original, Some((ck.clone(), p.trans_index_code.unwrap())));
        assert_eq!(money(&l, ADA), 50_00);
        assert!(l.transactions()[0].voided);
        assert_eq!(
            run(&mut l, "3", Operation::Void, void(&ck)).msg,
            "transaction already voided"
        );
        let vv = run(
            &mut l,
            "4",
            Operation::Void,
            void(v.checkout_id.as_deref().unwrap()),
        );
        assert_eq!(vv.msg, "a void cannot be voided");
        assert_eq!(
            run(&mut l, "5", Operation::Void, void("1")).msg,
            "original transaction not found"
        );
        assert_eq!(money(&l, ADA), 50_00);
    }

    #[test]
    fn voiding_a_spent_top_up_is_refused() {
        let mut l = ledger();
        let t = run(
            &mut l,
            "1",
            Operation::TopUp,
            top_up(BOB, 10_00, "10.00", false),
        );
        run(&mut l, "2", Operation::Pay, pay(BOB, 12_00, "12.00", false));
        let v = run(
            &mut l,
            "3",
            Operation::Void,
            void(t.checkout_id.as_deref().unwrap()),
        );
        assert_eq!(v.msg, "insufficient balance to reverse");
        assert_eq!(money(&l, BOB), 3_00);
    }

    #[test]
    fn tip_needs_a_live_payment_on_the_same_card() {
        let mut l = ledger();
        let tip = |original: &str, account: &str| Command::Tip {
            account: account.into(),
            currency: "USD".into(),
            amount: qty(2_00, "2.00"),
            original: original.into(),
        };
        let p = run(&mut l, "1", Operation::Pay, pay(ADA, 10_00, "10.00", false));
        let ck = p.checkout_id.clone().unwrap();
        let t = run(&mut l, "2", Operation::Tip, tip(&ck, ADA));
        assert_eq!(t.result, TxnResult::Success);
        assert_eq!(t.original.as_ref().unwrap().0, ck);
        assert_eq!(money(&l, ADA), 38_00);
        let other = run(&mut l, "3", Operation::Tip, tip(&ck, BOB));
        assert_eq!(
            other.msg,
            "the original payment was made with a different card"
        );
        let top = run(
            &mut l,
            "4",
            Operation::TopUp,
            top_up(ADA, 1_00, "1.00", false),
        );
        let on_top = run(
            &mut l,
            "5",
            Operation::Tip,
            tip(top.checkout_id.as_deref().unwrap(), ADA),
        );
        assert_eq!(on_top.msg, "a tip can only be added to a payment");
        assert_eq!(
            run(&mut l, "6", Operation::Tip, tip("42", ADA)).msg,
            "original payment not found"
        );
        run(&mut l, "7", Operation::Void, void(&ck));
        assert_eq!(
            run(&mut l, "8", Operation::Tip, tip(&ck, ADA)).msg,
            "the original payment was voided"
        );
    }

    #[test]
    fn activate_sets_active_and_stores_the_customer() {
        let mut l = ledger();
        let customer = CustomerInfo {
            first_name: "Jon".into(),
            ..CustomerInfo::default()
        };
        assert!(l.activate("404404", true, customer.clone()).is_none());
        let c = l.activate(OFF, true, customer.clone()).unwrap();
        assert!(c.active);
        assert_eq!(c.customer.as_ref(), Some(&customer));
    }
}

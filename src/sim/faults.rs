//! Fault injection: a FIFO of one-shot faults for tests that script a failure, and seeded
//! rates for soak tests that need the same "random" failures on every run.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

/// What the simulator does to one request instead of (or before) answering normally.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection with no answer; nothing is applied.
    DropBeforeApply,
    /// Apply it (and remember the answer for a resend), then close with no answer.
    DropAfterApply,
    /// HTTP 500 with an HTML body; nothing is applied.
    Http500,
    /// Answer `result 2` and leave it unapplied until the same request comes again.
    Pending,
    /// Wait, then answer normally (to outlast a client timeout).
    Delay(Duration),
}

/// Probabilities (each 0..1) of a fault per value-moving request. The four outcome faults
/// are exclusive and tried in field order; the delay is rolled separately, for every request.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct FaultRates {
    pub drop_before: f64,
    pub drop_after: f64,
    pub http500: f64,
    pub pending: f64,
    pub delay: Option<Duration>,
    pub delay_rate: f64,
    pub seed: u64,
}

/// The faults to apply to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Plan {
    pub wait: Duration,
    pub fault: Option<Fault>,
}

#[derive(Debug, Default)]
struct State {
    queue: VecDeque<Fault>,
    rates: Option<(FaultRates, fastrand::Rng)>,
    latency: Duration,
}

/// Shared switchboard for faults; cheap to clone and usable while requests run.
#[derive(Debug, Clone, Default)]
pub struct FaultControl {
    state: Arc<Mutex<State>>,
}

impl FaultControl {
    /// Queues a fault for the next value-moving request (FIFO, one fault per request).
    pub fn push_next(&self, fault: Fault) {
        self.lock().queue.push_back(fault);
    }

    /// Replaces the rates and restarts their random sequence from `rates.seed`.
    pub fn set_rates(&self, rates: FaultRates) {
        self.lock().rates = Some((rates, fastrand::Rng::with_seed(rates.seed)));
    }

    /// Added to every request, value-moving or not.
    pub fn set_latency(&self, latency: Duration) {
        self.lock().latency = latency;
    }

    /// Forgets queued faults, rates and latency.
    pub fn clear(&self) {
        *self.lock() = State::default();
    }

    /// Decides the faults for one request. The queue and the outcome rates only touch
    /// value-moving requests, so a balance check in between does not eat a fault a test
    /// scripted for a payment.
    pub(crate) fn plan(&self, moves_value: bool) -> Plan {
        let mut state = self.lock();
        let mut plan = Plan {
            wait: state.latency,
            fault: None,
        };
        if moves_value {
            plan.fault = state.queue.pop_front();
        }
        if let Some((rates, rng)) = state.rates.as_mut() {
            // Always draw both numbers so the sequence depends only on the request count.
            let outcome = rng.f64();
            let delay = rng.f64();
            if let Some(d) = rates.delay
                && delay < rates.delay_rate
            {
                plan.wait += d;
            }
            if moves_value && plan.fault.is_none() {
                plan.fault = pick(rates, outcome);
            }
        }
        if let Some(Fault::Delay(d)) = plan.fault {
            plan.wait += d;
            plan.fault = None;
        }
        plan
    }

    fn lock(&self) -> MutexGuard<'_, State> {
        // A panic elsewhere cannot leave this state half-written, so poisoning is ignored.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

fn pick(rates: &FaultRates, roll: f64) -> Option<Fault> {
    let mut edge = 0.0;
    for (rate, fault) in [
        (rates.drop_before, Fault::DropBeforeApply),
        (rates.drop_after, Fault::DropAfterApply),
        (rates.http500, Fault::Http500),
        (rates.pending, Fault::Pending),
    ] {
        edge += rate.clamp(0.0, 1.0);
        if roll < edge {
            return Some(fault);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queue_is_fifo_and_only_for_value_moving_requests() {
        let f = FaultControl::default();
        f.push_next(Fault::Http500);
        f.push_next(Fault::Pending);
        assert_eq!(f.plan(false).fault, None);
        assert_eq!(f.plan(true).fault, Some(Fault::Http500));
        assert_eq!(f.plan(true).fault, Some(Fault::Pending));
        assert_eq!(f.plan(true), Plan::default());
    }

    #[test]
    fn delay_and_latency_become_waits() {
        let f = FaultControl::default();
        f.set_latency(Duration::from_millis(5));
        f.push_next(Fault::Delay(Duration::from_millis(100)));
        let plan = f.plan(true);
        assert_eq!((plan.wait, plan.fault), (Duration::from_millis(105), None));
        assert_eq!(f.plan(false).wait, Duration::from_millis(5));
        f.clear();
        assert_eq!(f.plan(true), Plan::default());
    }

    #[test]
    fn seeded_rates_repeat_exactly_and_roughly_match_the_rates() {
        let rates = FaultRates {
            drop_before: 0.1,
            drop_after: 0.1,
            http500: 0.1,
            pending: 0.1,
            seed: 7,
            ..FaultRates::default()
        };
        let run = || {
            let f = FaultControl::default();
            f.set_rates(rates);
            (0..1000).map(|_| f.plan(true).fault).collect::<Vec<_>>()
        };
        let a = run();
        assert_eq!(a, run());
        let faults = a.iter().filter(|x| x.is_some()).count();
        assert!((300..500).contains(&faults), "{faults}");
        let other = FaultControl::default();
        other.set_rates(FaultRates { seed: 8, ..rates });
        let b: Vec<_> = (0..1000).map(|_| other.plan(true).fault).collect();
        assert_ne!(a, b);
    }
}

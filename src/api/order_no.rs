//! tranOrderNo: the till's own number for a value-moving request.
//!
//! Layout (digits only): UTC `yyyyMMddHHmmss` + till id (canonical, zero-padded to 4) +
//! journal instance id (8 digits) + per-journal sequence (zero-padded to 8, longer once it
//! passes 99,999,999). PayWizard de-duplicates on this number and answers a repeat with the
//! *first* request's result, so a number must never be reused for a different request:
//!
//! - the sequence, persisted in the journal, never repeats within one journal, not even
//!   when the clock goes back;
//! - the instance id, 8 random digits made when the journal is created, keeps two journals
//!   apart: two tills left on the same till id, or a journal made again after its file was
//!   lost, start their sequences at 1 again but under another instance id;
//! - the time makes a number readable to support staff.
//!
//! With a till id of at most 10 digits the result is 34 to 40 characters (52 with the
//! largest sequence), well under PayWizard's 60.
//!
//! Allocation (and persisting the sequence) lives in the journal: `Journal::next_order_no`.

use time::{OffsetDateTime, UtcOffset};

/// PayWizard's limit on `tranOrderNo`.
pub const MAX_LEN: usize = 60;

/// Digits in a journal instance id.
pub const INSTANCE_ID_LEN: usize = 8;

/// The one spelling of a till id: digits without leading zeros (`"0"` for zero), so `01`
/// and `1` are the same till everywhere, numbers included. `None` unless `till_id` is 1 to
/// 10 ASCII digits.
pub fn canonical_till_id(till_id: &str) -> Option<String> {
    let id = till_id.trim();
    if id.is_empty() || id.len() > 10 || !id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let trimmed = id.trim_start_matches('0');
    Some(if trimmed.is_empty() { "0" } else { trimmed }.to_owned())
}

/// Formats a tranOrderNo. `till_id` and `instance_id` must be ASCII digits (the config and
/// the journal check this); anything else is dropped so the result stays digits-only
/// whatever happens.
pub fn format(now: OffsetDateTime, till_id: &str, instance_id: &str, seq: u64) -> String {
    debug_assert!(
        till_id.bytes().all(|b| b.is_ascii_digit()),
        "till id must be digits"
    );
    debug_assert!(
        instance_id.len() == INSTANCE_ID_LEN && instance_id.bytes().all(|b| b.is_ascii_digit()),
        "instance id must be {INSTANCE_ID_LEN} digits"
    );
    let utc = now.to_offset(UtcOffset::UTC);
    // A year outside 0..=9999 would add a sign or a digit; clamping keeps the fixed width.
    let year = utc.year().clamp(0, 9999);
    let digits = |s: &str| -> String { s.chars().filter(char::is_ascii_digit).collect() };
    let till = digits(till_id);
    let instance = digits(instance_id);
    format!(
        "{year:04}{:02}{:02}{:02}{:02}{:02}{till:0>4}{instance:0>8}{seq:08}",
        u8::from(utc.month()),
        utc.day(),
        utc.hour(),
        utc.minute(),
        utc.second(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use time::macros::datetime;

    #[test]
    fn lays_out_time_till_instance_and_sequence() {
        let now = datetime!(2025-07-24 13:06:10 UTC);
        assert_eq!(
            format(now, "7", "31415926", 42),
            "2025072413061000073141592600000042"
        );
        assert_eq!(
            format(now, "1234567890", "00000001", 1),
            "2025072413061012345678900000000100000001"
        );
    }

    #[test]
    fn uses_utc_whatever_the_local_offset() {
        let local = datetime!(2025-07-24 23:30:00 +02:00);
        assert_eq!(
            format(local, "1", "12345678", 1),
            "2025072421300000011234567800000001"
        );
    }

    #[test]
    fn a_huge_sequence_grows_instead_of_wrapping() {
        let now = datetime!(2025-01-01 00:00:00 UTC);
        let s = format(now, "1", "12345678", 123_456_789_012);
        assert!(s.ends_with("000112345678123456789012"), "{s}");
        assert!(s.len() <= MAX_LEN);
        let longest = format(now, "9999999999", "99999999", u64::MAX);
        assert!(longest.len() <= MAX_LEN, "{longest}");
    }

    #[test]
    fn till_ids_have_one_spelling() {
        assert_eq!(canonical_till_id("01").as_deref(), Some("1"));
        assert_eq!(canonical_till_id("1").as_deref(), Some("1"));
        assert_eq!(canonical_till_id("0001").as_deref(), Some("1"));
        assert_eq!(canonical_till_id("0").as_deref(), Some("0"));
        assert_eq!(canonical_till_id("000").as_deref(), Some("0"));
        assert_eq!(canonical_till_id("120").as_deref(), Some("120"));
        for bad in ["", "T1", "12345678901", "-1", "1 2"] {
            assert_eq!(canonical_till_id(bad), None, "{bad:?}");
        }
        let now = datetime!(2025-07-24 13:06:10 UTC);
        assert_eq!(
            format(now, &canonical_till_id("01").unwrap(), "12345678", 5),
            format(now, &canonical_till_id("1").unwrap(), "12345678", 5),
        );
    }

    proptest! {
        #[test]
        fn always_digits_and_short_enough(
            secs in -62_000_000_000i64..253_000_000_000i64,
            till in "[0-9]{1,10}",
            instance in "[0-9]{8}",
            seq in any::<u64>(),
        ) {
            let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let s = format(now, &till, &instance, seq);
            prop_assert!(s.bytes().all(|b| b.is_ascii_digit()), "{s}");
            prop_assert!(s.len() <= MAX_LEN, "{s}");
            prop_assert!(s.len() >= 34);
        }

        #[test]
        fn two_instances_never_share_a_number(
            secs in 0i64..4_000_000_000i64,
            till in "[0-9]{1,4}",
            a in "[0-9]{8}",
            b in "[0-9]{8}",
            seq in 1u64..100_000_000,
        ) {
            prop_assume!(a != b);
            let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            prop_assert_ne!(format(now, &till, &a, seq), format(now, &till, &b, seq));
        }
    }
}

//! tranOrderNo: the till's own number for a value-moving request.
//!
//! Layout (digits only): UTC `yyyyMMddHHmmss` + till id (zero-padded to 4) + per-till
//! sequence (zero-padded to 8). The time makes a number readable to support staff; the
//! sequence, persisted in the journal, is what makes it unique: it never repeats for a till,
//! so two numbers differ even if the clock is set back. With a till id of at most 10 digits
//! the result is 26 to 32 characters (a sequence past 99,999,999 simply grows), well under
//! PayWizard's 60.
//!
//! Allocation (and persisting the sequence) lives in the journal: `Journal::next_order_no`.

use time::{OffsetDateTime, UtcOffset};

/// PayWizard's limit on `tranOrderNo`.
pub const MAX_LEN: usize = 60;

/// Formats a tranOrderNo. `till_id` must be ASCII digits (the config and the journal check
/// this); anything else is dropped so the result stays digits-only whatever happens.
pub fn format(now: OffsetDateTime, till_id: &str, seq: u64) -> String {
    debug_assert!(
        till_id.bytes().all(|b| b.is_ascii_digit()),
        "till id must be digits, got {till_id:?}"
    );
    let utc = now.to_offset(UtcOffset::UTC);
    // A year outside 0..=9999 would add a sign or a digit; clamping keeps the fixed width.
    let year = utc.year().clamp(0, 9999);
    let till: String = till_id.chars().filter(char::is_ascii_digit).collect();
    format!(
        "{year:04}{:02}{:02}{:02}{:02}{:02}{till:0>4}{seq:08}",
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
    fn lays_out_time_till_and_sequence() {
        let now = datetime!(2025-07-24 13:06:10 UTC);
        assert_eq!(format(now, "7", 42), "20250724130610000700000042");
        assert_eq!(
            format(now, "1234567890", 1),
            "20250724130610123456789000000001"
        );
    }

    #[test]
    fn uses_utc_whatever_the_local_offset() {
        let local = datetime!(2025-07-24 23:30:00 +02:00);
        assert_eq!(format(local, "1", 1), "20250724213000000100000001");
    }

    #[test]
    fn a_huge_sequence_grows_instead_of_wrapping() {
        let now = datetime!(2025-01-01 00:00:00 UTC);
        let s = format(now, "1", 123_456_789_012);
        assert!(s.ends_with("0001123456789012"));
        assert!(s.len() <= MAX_LEN);
    }

    proptest! {
        #[test]
        fn always_digits_and_short_enough(
            secs in -62_000_000_000i64..253_000_000_000i64,
            till in "[0-9]{1,10}",
            seq in any::<u64>(),
        ) {
            let now = OffsetDateTime::from_unix_timestamp(secs).unwrap();
            let s = format(now, &till, seq);
            prop_assert!(s.bytes().all(|b| b.is_ascii_digit()), "{s}");
            prop_assert!(s.len() <= MAX_LEN, "{s}");
            prop_assert!(s.len() >= 26);
        }
    }
}

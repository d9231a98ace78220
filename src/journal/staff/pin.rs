//! PINs: 4 to 8 digits, typed by a person, kept only as Argon2id hashes.
//!
//! A [`Pin`] has no `Display` and a redacted `Debug`, so it cannot reach a message, a log
//! or a snapshot by accident; the journal stores only the PHC string [`hash`] makes
//! (`$argon2id$v=19$m=65536,t=3,p=1$<salt>$<hash>`, a fresh 16-byte salt from the operating
//! system's random source each time).

use std::fmt;

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::journal::JournalError;

/// Memory per hash, in KiB: 64 MiB.
pub const MEMORY_KIB: u32 = 64 * 1024;
/// Passes over that memory.
pub const PASSES: u32 = 3;
/// Lanes. One: the hash is computed on one core, and a till has few.
pub const LANES: u32 = 1;

/// The shortest and longest PIN, in digits.
pub const MIN_DIGITS: usize = 4;
pub const MAX_DIGITS: usize = 8;

/// A PIN as typed: digits only, checked for shape, never shown.
#[derive(Clone, PartialEq, Eq)]
pub struct Pin(String);

impl fmt::Debug for Pin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pin([redacted])")
    }
}

/// Why a typed PIN cannot be one. The words never repeat what was typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a PIN is {MIN_DIGITS} to {MAX_DIGITS} digits")]
pub struct NotAPin;

impl Pin {
    /// A PIN from what was typed or read (surrounding blanks and the line's end dropped).
    pub fn parse(text: &str) -> Result<Pin, NotAPin> {
        let digits = text.trim();
        let shaped = (MIN_DIGITS..=MAX_DIGITS).contains(&digits.len())
            && digits.bytes().all(|b| b.is_ascii_digit());
        if shaped {
            Ok(Pin(digits.to_owned()))
        } else {
            Err(NotAPin)
        }
    }

    fn bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn hasher() -> Argon2<'static> {
    // The parameters are constants within Argon2's bounds, so this cannot fail.
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None).expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// The PHC string to store for `pin`.
pub(crate) fn hash(pin: &Pin) -> Result<String, JournalError> {
    hasher()
        .hash_password(pin.bytes())
        .map(|h| h.to_string())
        // Argon2's errors name a parameter or the random source, never the input.
        .map_err(|e| JournalError::Invalid(format!("cannot hash the PIN: {e}")))
}

/// Whether `pin` is the one `phc` was made from. A hash that does not parse (edited by
/// hand) matches nothing. The parameters are read from `phc`, so hashes made with other
/// parameters keep working.
pub(crate) fn matches(pin: &Pin, phc: &str) -> bool {
    phc.starts_with("$argon2id$") && hasher().verify_password(pin.bytes(), phc).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_four_to_eight_digits_are_a_pin() {
        for ok in ["1234", "00000000", " 4321\n", "5678\r\n"] {
            assert!(Pin::parse(ok).is_ok(), "{ok:?}");
        }
        for bad in ["", "123", "123456789", "12a4", "12 34", "١٢٣٤", "+1234"] {
            assert_eq!(Pin::parse(bad), Err(NotAPin), "{bad:?}");
        }
        assert_eq!(NotAPin.to_string(), "a PIN is 4 to 8 digits");
    }

    #[test]
    fn a_pin_never_shows_in_debug() {
        let pin = Pin::parse("97531").unwrap();
        assert_eq!(format!("{pin:?}"), "Pin([redacted])");
        assert!(!format!("{:?}", Some(&pin)).contains("97531"));
    }

    #[test]
    fn the_hash_is_argon2id_salted_and_checks_only_its_own_pin() {
        let pin = Pin::parse("97531").unwrap();
        let a = hash(&pin).unwrap();
        let b = hash(&pin).unwrap();
        assert!(a.starts_with("$argon2id$v=19$m=65536,t=3,p=1$"), "{a}");
        assert_ne!(a, b, "each hash has its own salt");
        assert!(!a.contains("97531"));
        assert!(matches(&pin, &a) && matches(&pin, &b));
        assert!(!matches(&Pin::parse("97532").unwrap(), &a));
        assert!(!matches(&pin, "not a hash"));
        // An Argon2i or Argon2d hash of the same PIN is not accepted in its place.
        let argon2i = Argon2::new(
            Algorithm::Argon2i,
            Version::V0x13,
            Params::new(8 * 1024, 1, 1, None).unwrap(),
        )
        .hash_password(b"97531")
        .unwrap()
        .to_string();
        assert!(!matches(&pin, &argon2i));
    }
}

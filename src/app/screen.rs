//! Which screen is up, and how much of it the terminal has room for.

use super::sign_on::SignOnForm;

/// The screens the till can show, each with its own keys and drawing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Screen {
    /// The till has staff and nobody is signed on: a staff ID and PIN, nothing else.
    SignOn(Box<SignOnForm>),
    /// The cashier's screen: form, status, history.
    #[default]
    Till,
    /// Nobody touched the till for `lock_after`: the member signed on unlocks it with
    /// their PIN, or someone else signs on in their place. A request in flight, the
    /// recovery queue and open windows carry on behind it; no key reaches them.
    Locked(Box<SignOnForm>),
}

/// How the till screen fits the terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fit {
    /// Everything, with room: 80x24 and up.
    Full,
    /// Fewer borders, no store line, the history only if rows are left: down to 60x15.
    Compact,
    /// Only a message saying so; no key but quit does anything.
    TooSmall,
}

/// The size the full layout is designed for.
pub const FULL: (u16, u16) = (80, 24);
/// The smallest terminal the till works in (compact layout).
pub const MIN: (u16, u16) = (60, 15);

impl Fit {
    pub fn of(width: u16, height: u16) -> Fit {
        if width >= FULL.0 && height >= FULL.1 {
            Fit::Full
        } else if width >= MIN.0 && height >= MIN.1 {
            Fit::Compact
        } else {
            Fit::TooSmall
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_boundaries_are_inclusive() {
        assert_eq!(Fit::of(80, 24), Fit::Full);
        assert_eq!(Fit::of(79, 24), Fit::Compact);
        assert_eq!(Fit::of(80, 23), Fit::Compact);
        assert_eq!(Fit::of(60, 15), Fit::Compact);
        assert_eq!(Fit::of(59, 40), Fit::TooSmall);
        assert_eq!(Fit::of(200, 14), Fit::TooSmall);
    }
}

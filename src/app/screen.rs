//! Which screen is up, and how much of it the terminal has room for.

/// The screens the till can show. Sign-on and a locked till join this list as screens of
/// their own, each with its own keys and drawing.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Screen {
    /// The cashier's screen: form, status, history.
    #[default]
    Till,
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

//! Does an approval answer the request the till sent?
//!
//! PayWizard de-duplicates on tranOrderNo and answers a repeated number with the *first*
//! request's result. So an approval is only believed when what it echoes back (`amount`,
//! `accountId`) agrees with what was asked; anything else is *unknown*, never approved.
//!
//! Amounts are compared as decimal values, never as text and never through floats: `10.5`
//! equals `10.50`, `010.50` equals `10.5`. No unit conversion is assumed: an answer in
//! another unit (PayWizard's example shows `"10000"` for a `"10.50"` payment) does not
//! match and is reported, not guessed at. A masked card echo (`**** **** 3456`,
//! `627400******3456`) is compared on the digits it shows.
//!
//! A Pay sent with `nsfAllowed` may take less than asked; then `amount` is what it took,
//! and it must be present, readable and no more than was asked.

use std::cmp::Ordering;

use super::mask_account;

/// What the till asked for, as sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Asked<'a> {
    /// The quantity on the wire (`"10.50"`, `"25"`), when the request had one.
    pub amount: Option<&'a str>,
    /// The card number sent, when the request had one.
    pub account: Option<&'a str>,
    /// A payment that may be approved for less (Pay with `nsfAllowed`).
    pub partial_ok: bool,
}

/// What the approval echoed back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Echoed<'a> {
    pub amount: Option<&'a str>,
    pub account: Option<&'a str>,
}

/// An approval that answers the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Agreement {
    /// Everything echoed matches what was asked.
    Matches,
    /// A partial-capable payment took less than asked: `taken`, as PayWizard wrote it.
    TookLess { taken: String },
}

/// Why an approval does not answer the request. The text goes into
/// "answer does not match the request (…)"; card numbers in it are masked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Mismatch {
    #[error("amount {echoed}, asked {asked}")]
    Amount { echoed: String, asked: String },
    #[error("amount {echoed:?} is not a decimal number")]
    Unreadable { echoed: String },
    #[error("no amount in the answer to a payment that may take less than asked ({asked})")]
    NoAmount { asked: String },
    #[error("took {echoed}, more than the {asked} asked")]
    MoreThanAsked { echoed: String, asked: String },
    #[error("card {echoed}, asked {asked}")]
    Account { echoed: String, asked: String },
    #[error("amount {echoed} has more decimals than {currency} has")]
    Precision { echoed: String, currency: String },
}

/// Checks an approval against its request.
pub fn check(asked: &Asked<'_>, echoed: &Echoed<'_>) -> Result<Agreement, Mismatch> {
    if let (Some(sent), Some(back)) = (asked.account, echoed.account)
        && !account_matches(sent, back)
    {
        return Err(Mismatch::Account {
            echoed: shown_account(back),
            asked: mask_account(sent),
        });
    }
    let Some(sent) = asked.amount else {
        return Ok(Agreement::Matches);
    };
    let Some(back) = echoed.amount else {
        return if asked.partial_ok {
            Err(Mismatch::NoAmount {
                asked: sent.to_owned(),
            })
        } else {
            Ok(Agreement::Matches)
        };
    };
    let unreadable = || Mismatch::Unreadable {
        echoed: shown_text(back),
    };
    let want = Decimal::parse(sent).ok_or_else(|| Mismatch::Unreadable {
        echoed: shown_text(sent),
    })?;
    let got = Decimal::parse(back).ok_or_else(unreadable)?;
    let differs = || Mismatch::Amount {
        echoed: shown_text(back),
        asked: sent.to_owned(),
    };
    match got.cmp(&want) {
        Ordering::Equal => Ok(Agreement::Matches),
        Ordering::Less if asked.partial_ok && !got.negative => Ok(Agreement::TookLess {
            taken: back.trim().to_owned(),
        }),
        Ordering::Greater if asked.partial_ok => Err(Mismatch::MoreThanAsked {
            echoed: shown_text(back),
            asked: sent.to_owned(),
        }),
        _ => Err(differs()),
    }
}

/// Server text inside our message: short, printable.
fn shown_text(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(32).collect()
}

/// An echoed card as it may be shown: masked unless it is already masked.
fn shown_account(echoed: &str) -> String {
    let digits = echoed.chars().filter(char::is_ascii_digit).count();
    if digits > 4 {
        mask_account(
            &echoed
                .chars()
                .filter(char::is_ascii_digit)
                .collect::<String>(),
        )
    } else {
        shown_text(echoed)
    }
}

/// Characters a masked card number hides digits behind.
fn is_mask(c: char) -> bool {
    matches!(c, '*' | 'x' | 'X' | '#' | '•')
}

/// Whether an echoed card (full or masked) is the card that was sent. A masked echo is
/// compared on what it shows: where it has the sent length, digit by digit; otherwise its
/// leading digits must start the card and its trailing digits end it.
fn account_matches(sent: &str, echoed: &str) -> bool {
    let echoed: Vec<char> = echoed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect();
    if echoed.iter().all(char::is_ascii_digit) {
        return echoed.iter().copied().eq(sent.chars());
    }
    if !echoed.iter().all(|c| c.is_ascii_digit() || is_mask(*c)) {
        return false;
    }
    let sent: Vec<char> = sent.chars().collect();
    if echoed.len() == sent.len() {
        return echoed.iter().zip(&sent).all(|(e, s)| is_mask(*e) || e == s);
    }
    let lead: Vec<char> = echoed
        .iter()
        .take_while(|c| c.is_ascii_digit())
        .copied()
        .collect();
    let trail: Vec<char> = {
        let mut t: Vec<char> = echoed
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .copied()
            .collect();
        t.reverse();
        t
    };
    sent.starts_with(&lead) && sent.ends_with(&trail) && lead.len() + trail.len() <= sent.len()
}

/// A plain decimal (`-12.50`), kept as digits: integer part without leading zeros,
/// fraction without trailing zeros, so equal values have equal fields.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Decimal {
    negative: bool,
    whole: String,
    fraction: String,
}

impl Decimal {
    fn parse(text: &str) -> Option<Decimal> {
        let text = text.trim();
        let (negative, digits) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.strip_prefix('+').unwrap_or(text)),
        };
        let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
        if whole.is_empty() && fraction.is_empty()
            || !whole.bytes().all(|b| b.is_ascii_digit())
            || !fraction.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        let whole = whole.trim_start_matches('0').to_owned();
        let fraction = fraction.trim_end_matches('0').to_owned();
        // Zero has no sign.
        let negative = negative && !(whole.is_empty() && fraction.is_empty());
        Some(Decimal {
            negative,
            whole,
            fraction,
        })
    }

    fn cmp_magnitude(&self, other: &Decimal) -> Ordering {
        self.whole
            .len()
            .cmp(&other.whole.len())
            .then_with(|| self.whole.cmp(&other.whole))
            // Without trailing zeros, "5" < "50" < "51" compares fractions correctly.
            .then_with(|| self.fraction.cmp(&other.fraction))
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        match (self.negative, other.negative) {
            (false, true) => Ordering::Greater,
            (true, false) => Ordering::Less,
            (false, false) => self.cmp_magnitude(other),
            (true, true) => other.cmp_magnitude(self),
        }
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CARD: &str = "6274000000003456";

    fn pay(amount: &str) -> Asked<'_> {
        Asked {
            amount: Some(amount),
            account: Some(CARD),
            partial_ok: false,
        }
    }

    fn amount(a: &str) -> Echoed<'_> {
        Echoed {
            amount: Some(a),
            account: None,
        }
    }

    #[test]
    fn amounts_compare_as_decimal_values() {
        for (asked, echoed) in [
            ("10.50", "10.5"),
            ("10.5", "10.50"),
            ("10.50", "010.500"),
            ("25", "25"),
            ("25", "25.0"),
            ("0.10", ".1"),
            ("1.00", "+1"),
        ] {
            assert_eq!(
                check(&pay(asked), &amount(echoed)),
                Ok(Agreement::Matches),
                "{asked} vs {echoed}"
            );
        }
    }

    #[test]
    fn another_amount_or_unit_is_not_an_approval() {
        assert_eq!(
            check(&pay("10.50"), &amount("10000"))
                .unwrap_err()
                .to_string(),
            "amount 10000, asked 10.50"
        );
        for echoed in ["10.51", "1.05", "105", "-10.50", "0"] {
            assert!(
                matches!(
                    check(&pay("10.50"), &amount(echoed)),
                    Err(Mismatch::Amount { .. })
                ),
                "{echoed}"
            );
        }
        for echoed in ["ten", "1e3", "", ".", "1.2.3", "0x10", "1,50"] {
            assert!(
                matches!(
                    check(&pay("10.50"), &amount(echoed)),
                    Err(Mismatch::Unreadable { .. })
                ),
                "{echoed:?}"
            );
        }
        // A request without an amount (void, balance) ignores an echoed one.
        let void = Asked {
            amount: None,
            account: None,
            partial_ok: false,
        };
        assert_eq!(check(&void, &amount("99")), Ok(Agreement::Matches));
        // An approval that echoes nothing is taken at its word, except below.
        assert_eq!(
            check(&pay("10.50"), &Echoed::default()),
            Ok(Agreement::Matches)
        );
    }

    #[test]
    fn a_partial_payment_must_say_what_it_took_and_no_more_than_asked() {
        let nsf = Asked {
            partial_ok: true,
            ..pay("7.00")
        };
        assert_eq!(
            check(&nsf, &amount("5.00")),
            Ok(Agreement::TookLess {
                taken: "5.00".into()
            })
        );
        assert_eq!(check(&nsf, &amount("7")), Ok(Agreement::Matches));
        assert!(matches!(
            check(&nsf, &Echoed::default()),
            Err(Mismatch::NoAmount { .. })
        ));
        assert!(matches!(
            check(&nsf, &amount("7.01")),
            Err(Mismatch::MoreThanAsked { .. })
        ));
        assert!(matches!(
            check(&nsf, &amount("70000")),
            Err(Mismatch::MoreThanAsked { .. })
        ));
        assert!(matches!(
            check(&nsf, &amount("five")),
            Err(Mismatch::Unreadable { .. })
        ));
        assert!(matches!(
            check(&nsf, &amount("-1.00")),
            Err(Mismatch::Amount { .. })
        ));
    }

    #[test]
    fn the_echoed_card_must_be_the_card_sent() {
        fn card(a: &str) -> Echoed<'_> {
            Echoed {
                amount: None,
                account: Some(a),
            }
        }
        for same in [
            CARD,
            "6274 0000 0000 3456",
            "**** **** 3456",
            "************3456",
            "627400******3456",
            "6274-XXXX-XXXX-3456",
            "****",
        ] {
            assert_eq!(
                check(&pay("1.00"), &card(same)),
                Ok(Agreement::Matches),
                "{same}"
            );
        }
        for other in [
            "6274000000003457",
            "**** **** 3457",
            "627500******3456",
            "62740000000034561",
            "card 3456",
        ] {
            let err = check(&pay("1.00"), &card(other)).unwrap_err();
            assert!(matches!(err, Mismatch::Account { .. }), "{other}");
            assert!(!err.to_string().contains(CARD), "{err}");
        }
        let err = check(&pay("1.00"), &card("6274000000009999")).unwrap_err();
        assert_eq!(err.to_string(), "card **** **** 9999, asked **** **** 3456");
    }
}

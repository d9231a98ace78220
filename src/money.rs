//! Money and points.
//!
//! Money is held as integer minor units (cents) and only becomes a decimal string at the
//! wire boundary (`"10.50"`). Points are whole numbers. Nothing here touches a float: the
//! parsers work on the digits the cashier typed.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// An ISO 4217 currency and how many decimals it uses on the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Currency {
    code: String,
    decimals: u8,
}

impl Currency {
    /// Accepts a code from the ISO 4217 list (any case) that a till can take: one with a
    /// minor unit, not a fund code (BOV, CLF, ...) and not a special one (XAU, XDR, XTS,
    /// ...). The decimals come from the same list (JPY 0, USD 2, KWD 3). The message never
    /// repeats what was given: a secret pasted into the wrong setting stays unseen.
    pub fn new(code: &str) -> Result<Self, String> {
        let code = code.trim().to_ascii_uppercase();
        let iso = iso_currency::Currency::from_code(&code)
            .ok_or("must be an ISO 4217 currency code such as USD or EUR")?;
        match iso.exponent() {
            Some(decimals) if !iso.is_fund() && !iso.is_special() => Ok(Self {
                code: iso.code().to_owned(),
                decimals: u8::try_from(decimals).map_err(|_| "has too many decimals")?,
            }),
            _ => Err("is an ISO 4217 fund or special code, not money a till can take".into()),
        }
    }

    pub fn usd() -> Self {
        Self::new("USD").expect("USD is a valid code")
    }

    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn decimals(&self) -> u8 {
        self.decimals
    }

    fn scale(&self) -> i64 {
        10_i64.pow(u32::from(self.decimals))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

/// Why an amount or a points figure typed by a person was refused. The message is shown
/// next to the field, so it says what to type instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InputError {
    #[error("enter {0}")]
    Empty(&'static str),
    #[error("{0} cannot be negative")]
    Negative(&'static str),
    #[error("{what} must be a number like {example}")]
    NotANumber {
        what: &'static str,
        example: &'static str,
    },
    #[error("points must be a whole number")]
    FractionalPoints,
    #[error("{currency} allows at most {decimals} decimal places")]
    TooManyDecimals { currency: String, decimals: u8 },
    #[error("{0} must be more than zero")]
    Zero(&'static str),
    #[error("{what} is over the limit of {max}")]
    OverMax { what: &'static str, max: String },
}

/// A non-negative amount of money in minor units of some currency.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Amount(i64);

impl Amount {
    pub const fn from_minor(minor: i64) -> Self {
        Self(minor)
    }

    pub const fn minor(self) -> i64 {
        self.0
    }

    /// Parses what a cashier typed: `10`, `10.5`, `10.50`, `.5`. Refuses signs, exponents,
    /// separators, too many decimals for the currency, zero and anything over `max`.
    pub fn parse(input: &str, currency: &Currency, max: Amount) -> Result<Self, InputError> {
        const WHAT: &str = "the amount";
        let s = input.trim();
        if s.is_empty() {
            return Err(InputError::Empty("an amount"));
        }
        if s.starts_with('-') {
            return Err(InputError::Negative(WHAT));
        }
        let (whole, frac) = split_decimal(s).ok_or(InputError::NotANumber {
            what: WHAT,
            example: "10.50",
        })?;
        if frac.len() > usize::from(currency.decimals) {
            // Trailing zeros beyond the currency's precision change nothing: 10.500 is 10.50.
            if frac[usize::from(currency.decimals)..]
                .bytes()
                .any(|b| b != b'0')
            {
                return Err(InputError::TooManyDecimals {
                    currency: currency.code.clone(),
                    decimals: currency.decimals,
                });
            }
        }
        let over = || InputError::OverMax {
            what: WHAT,
            max: max.to_wire(currency),
        };
        // 15 integer digits is far past any limit and keeps the arithmetic inside i64.
        let whole = whole.trim_start_matches('0');
        if whole.len() > 15 {
            return Err(over());
        }
        let whole: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| over())?
        };
        let mut minor_frac: i64 = 0;
        for i in 0..usize::from(currency.decimals) {
            let digit = frac.as_bytes().get(i).map_or(0, |b| i64::from(b - b'0'));
            minor_frac = minor_frac * 10 + digit;
        }
        let minor = whole * currency.scale() + minor_frac;
        if minor == 0 {
            return Err(InputError::Zero(WHAT));
        }
        if minor > max.0 {
            return Err(over());
        }
        Ok(Self(minor))
    }

    /// The wire form: a decimal string with exactly the currency's decimals (`"10.50"`).
    pub fn to_wire(self, currency: &Currency) -> String {
        let d = usize::from(currency.decimals);
        if d == 0 {
            return self.0.to_string();
        }
        let scale = currency.scale();
        format!("{}.{:0d$}", self.0 / scale, self.0 % scale, d = d)
    }

    /// For people: `USD 10.50`.
    pub fn display(self, currency: &Currency) -> String {
        format!("{} {}", currency.code, self.to_wire(currency))
    }

    pub fn checked_add(self, other: Amount) -> Option<Amount> {
        self.0.checked_add(other.0).map(Amount)
    }

    pub fn checked_sub(self, other: Amount) -> Option<Amount> {
        self.0.checked_sub(other.0).map(Amount)
    }
}

/// A whole number of loyalty points.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Points(u64);

impl Points {
    pub const fn new(points: u64) -> Self {
        Self(points)
    }

    pub const fn get(self) -> u64 {
        self.0
    }

    /// Parses a whole, positive number of points no larger than `max`.
    pub fn parse(input: &str, max: Points) -> Result<Self, InputError> {
        const WHAT: &str = "points";
        let s = input.trim();
        if s.is_empty() {
            return Err(InputError::Empty("the points"));
        }
        if s.starts_with('-') {
            return Err(InputError::Negative(WHAT));
        }
        let (whole, frac) = split_decimal(s).ok_or(InputError::NotANumber {
            what: WHAT,
            example: "25",
        })?;
        if frac.bytes().any(|b| b != b'0') {
            return Err(InputError::FractionalPoints);
        }
        let over = || InputError::OverMax {
            what: WHAT,
            max: max.0.to_string(),
        };
        let whole = whole.trim_start_matches('0');
        if whole.len() > 18 {
            return Err(over());
        }
        let n: u64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| over())?
        };
        if n == 0 {
            return Err(InputError::Zero(WHAT));
        }
        if n > max.0 {
            return Err(over());
        }
        Ok(Self(n))
    }

    pub fn to_wire(self) -> String {
        self.0.to_string()
    }
}

impl fmt::Display for Points {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Splits `digits[.digits]` into its whole and fractional digit strings. Anything else
/// (signs, exponents, separators, letters, a lone dot) is `None`.
fn split_decimal(s: &str) -> Option<(&str, &str)> {
    let (whole, frac) = match s.split_once('.') {
        Some((w, f)) => (w, f),
        None => (s, ""),
    };
    let all_digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && frac.is_empty()) || !all_digits(whole) || !all_digits(frac) {
        return None;
    }
    Some((whole, frac))
}

/// A decimal as the server wrote it, kept as text so no float ever touches it. Balances
/// arrive as JSON numbers (`1534.1`) and transaction amounts as strings (`"10.50"`); both
/// land here. With serde_json's `arbitrary_precision` the number's text is preserved.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WireDecimal(String);

impl WireDecimal {
    /// `None` unless `s` is an optionally negative plain decimal.
    pub fn new(s: &str) -> Option<Self> {
        let digits = s.strip_prefix('-').unwrap_or(s);
        split_decimal(digits)?;
        Some(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The default value: nothing was received.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value in minor units of a currency with `decimals` decimals, if it fits exactly.
    pub fn to_minor(&self, decimals: u8) -> Option<i64> {
        let (negative, digits) = match self.0.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, self.0.as_str()),
        };
        let (whole, frac) = split_decimal(digits)?;
        let frac = frac.trim_end_matches('0');
        if frac.len() > usize::from(decimals) {
            return None;
        }
        let mut text = String::with_capacity(whole.len() + usize::from(decimals));
        text.push_str(whole);
        text.push_str(frac);
        for _ in frac.len()..usize::from(decimals) {
            text.push('0');
        }
        let value: i64 = if text.trim_start_matches('0').is_empty() {
            0
        } else {
            text.parse().ok()?
        };
        Some(if negative { -value } else { value })
    }

    /// Formats for a person with the given number of decimals when exact (`1534.1` ->
    /// `1534.10`), otherwise as received.
    pub fn display(&self, decimals: u8) -> String {
        match self.to_minor(decimals) {
            Some(minor) => {
                let d = usize::from(decimals);
                let sign = if minor < 0 { "-" } else { "" };
                let minor = minor.unsigned_abs();
                if d == 0 {
                    format!("{sign}{minor}")
                } else {
                    let scale = 10_u64.pow(u32::from(decimals));
                    format!("{sign}{}.{:0d$}", minor / scale, minor % scale, d = d)
                }
            }
            None => self.0.clone(),
        }
    }
}

impl fmt::Display for WireDecimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for WireDecimal {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Balances go out as JSON numbers, exactly as PayWizard documents them.
        match self.0.parse::<serde_json::Number>() {
            Ok(n) => n.serialize(serializer),
            Err(_) => serializer.serialize_str(&self.0),
        }
    }
}

impl<'de> Deserialize<'de> for WireDecimal {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Number(serde_json::Number),
            Text(String),
        }
        let text = match Raw::deserialize(deserializer)? {
            Raw::Number(n) => n.to_string(),
            Raw::Text(s) => s,
        };
        WireDecimal::new(text.trim())
            .ok_or_else(|| serde::de::Error::custom(format!("not a decimal: {text:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd_max() -> Amount {
        Amount::from_minor(50_000)
    }

    #[test]
    fn accepts_the_forms_a_cashier_types() {
        let usd = Currency::usd();
        for (typed, minor) in [
            ("10", 1000),
            ("10.5", 1050),
            ("10.50", 1050),
            (" 7.05 ", 705),
        ] {
            assert_eq!(
                Amount::parse(typed, &usd, usd_max()),
                Ok(Amount(minor)),
                "{typed}"
            );
        }
        assert_eq!(Amount::parse("10.500", &usd, usd_max()), Ok(Amount(1050)));
    }

    #[test]
    fn refuses_bad_amounts_with_a_message_that_says_why() {
        let usd = Currency::usd();
        let msg = |s: &str| Amount::parse(s, &usd, usd_max()).unwrap_err().to_string();
        assert_eq!(msg("-1"), "the amount cannot be negative");
        assert_eq!(msg("1e3"), "the amount must be a number like 10.50");
        assert_eq!(msg("abc"), "the amount must be a number like 10.50");
        assert_eq!(msg("1,000"), "the amount must be a number like 10.50");
        assert_eq!(msg("."), "the amount must be a number like 10.50");
        assert_eq!(msg("10.555"), "USD allows at most 2 decimal places");
        assert_eq!(msg(""), "enter an amount");
        assert_eq!(msg("0.00"), "the amount must be more than zero");
        assert_eq!(msg("500.01"), "the amount is over the limit of 500.00");
        assert_eq!(
            msg("99999999999999999999"),
            "the amount is over the limit of 500.00"
        );
    }

    #[test]
    fn wire_form_uses_the_currency_decimals() {
        assert_eq!(Amount(1050).to_wire(&Currency::usd()), "10.50");
        assert_eq!(Amount(5).to_wire(&Currency::usd()), "0.05");
        assert_eq!(Amount(1050).to_wire(&Currency::new("jpy").unwrap()), "1050");
        assert_eq!(
            Amount(1050).to_wire(&Currency::new("KWD").unwrap()),
            "1.050"
        );
        assert_eq!(Amount(1050).display(&Currency::usd()), "USD 10.50");
    }

    #[test]
    fn zero_decimal_currency_refuses_cents() {
        let jpy = Currency::new("JPY").unwrap();
        let err = Amount::parse("10.5", &jpy, Amount(100_000)).unwrap_err();
        assert_eq!(err.to_string(), "JPY allows at most 0 decimal places");
        assert_eq!(
            Amount::parse("1000", &jpy, Amount(100_000)),
            Ok(Amount(1000))
        );
    }

    #[test]
    fn points_are_whole_and_bounded() {
        let max = Points(10_000);
        assert_eq!(Points::parse("25", max), Ok(Points(25)));
        assert_eq!(Points::parse("25.0", max), Ok(Points(25)));
        let msg = |s: &str| Points::parse(s, max).unwrap_err().to_string();
        assert_eq!(msg("2.5"), "points must be a whole number");
        assert_eq!(msg("-1"), "points cannot be negative");
        assert_eq!(msg("1e3"), "points must be a number like 25");
        assert_eq!(msg("0"), "points must be more than zero");
        assert_eq!(msg("10001"), "points is over the limit of 10000");
        assert_eq!(msg(""), "enter the points");
    }

    #[test]
    fn bad_currency_codes_are_refused() {
        for bad in ["US", "U5D", "ZZZ", "ABC", "", "SECRET-d3adb33f"] {
            let err = Currency::new(bad).unwrap_err();
            assert!(err.starts_with("must be an ISO 4217"), "{bad}: {err}");
            assert!(
                bad.len() < 4 || !err.contains(bad),
                "{err} repeats the value"
            );
        }
        for not_money in ["XAU", "XDR", "XTS", "XXX", "CLF", "BOV"] {
            assert!(Currency::new(not_money).is_err(), "{not_money}");
        }
        assert_eq!(Currency::new(" eur ").unwrap().code(), "EUR");
    }

    #[test]
    fn decimals_come_from_the_iso_list() {
        for (code, decimals) in [
            ("USD", 2),
            ("EUR", 2),
            ("JPY", 0),
            ("KRW", 0),
            ("ISK", 0),
            ("XOF", 0),
            ("KWD", 3),
            ("BHD", 3),
            ("TND", 3),
            ("CHF", 2),
        ] {
            assert_eq!(Currency::new(code).unwrap().decimals(), decimals, "{code}");
        }
    }

    #[test]
    fn wire_decimals_round_trip_without_floats() {
        let d: WireDecimal = serde_json::from_str("1534.1").unwrap();
        assert_eq!(d.to_minor(2), Some(153_410));
        assert_eq!(d.display(2), "1534.10");
        assert_eq!(serde_json::to_string(&d).unwrap(), "1534.1");
        let s: WireDecimal = serde_json::from_str("\"10.50\"").unwrap();
        assert_eq!(s.to_minor(2), Some(1050));
        let big: WireDecimal = serde_json::from_str("12345678901234567.89").unwrap();
        assert_eq!(big.as_str(), "12345678901234567.89");
        assert!(serde_json::from_str::<WireDecimal>("\"ten\"").is_err());
        assert_eq!(WireDecimal::new("-3").unwrap().display(0), "-3");
    }
}

//! The `customerInfo` object the till sends (docs/protocol.md, "customerInfo"): 19 string
//! fields, each with the rule the till checks before anything is sent. The same rules serve
//! the TUI form (checked as the cashier leaves a field) and `--customer FILE.json` on the
//! command line. What PayWizard echoes back is read by the lenient
//! [`CustomerEcho`](super::CustomerEcho) instead.

use serde::{Deserialize, Serialize};

/// All 19 fields are always sent, empty when unknown (docs/protocol.md, "customerInfo").
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct CustomerInfo {
    pub customer_type: String,
    pub first_name: String,
    pub middle_name: String,
    pub last_name: String,
    pub address1: String,
    pub address2: String,
    pub city: String,
    pub state: String,
    pub postal: String,
    pub country: String,
    pub mail_pref: String,
    pub phone: String,
    pub is_mobile: String,
    pub phone_pref: String,
    pub email: String,
    pub email_pref: String,
    pub birthday: String,
    pub anniversary: String,
    pub gender: String,
}

/// One customerInfo field: its wire name, its label and its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CustomerField {
    CustomerType,
    FirstName,
    MiddleName,
    LastName,
    Address1,
    Address2,
    City,
    State,
    Postal,
    Country,
    MailPref,
    Phone,
    IsMobile,
    PhonePref,
    Email,
    EmailPref,
    Birthday,
    Anniversary,
    Gender,
}

/// How a field is entered: free text, or one of a few codes (a pick list in the TUI).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    Text { max_len: usize },
    Choice(&'static [(&'static str, &'static str)]),
    Date,
    Phone,
    Email,
    Country,
    Postal,
}

const OPT_IN_OUT: &[(&str, &str)] = &[("I", "opt-in"), ("O", "opt-out")];
const YES_NO: &[(&str, &str)] = &[("Y", "yes"), ("N", "no")];

impl CustomerField {
    pub const ALL: [CustomerField; 19] = [
        CustomerField::CustomerType,
        CustomerField::FirstName,
        CustomerField::MiddleName,
        CustomerField::LastName,
        CustomerField::Address1,
        CustomerField::Address2,
        CustomerField::City,
        CustomerField::State,
        CustomerField::Postal,
        CustomerField::Country,
        CustomerField::MailPref,
        CustomerField::Phone,
        CustomerField::IsMobile,
        CustomerField::PhonePref,
        CustomerField::Email,
        CustomerField::EmailPref,
        CustomerField::Birthday,
        CustomerField::Anniversary,
        CustomerField::Gender,
    ];

    /// The JSON key.
    pub fn wire_name(self) -> &'static str {
        match self {
            CustomerField::CustomerType => "customerType",
            CustomerField::FirstName => "firstName",
            CustomerField::MiddleName => "middleName",
            CustomerField::LastName => "lastName",
            CustomerField::Address1 => "address1",
            CustomerField::Address2 => "address2",
            CustomerField::City => "city",
            CustomerField::State => "state",
            CustomerField::Postal => "postal",
            CustomerField::Country => "country",
            CustomerField::MailPref => "mailPref",
            CustomerField::Phone => "phone",
            CustomerField::IsMobile => "isMobile",
            CustomerField::PhonePref => "phonePref",
            CustomerField::Email => "email",
            CustomerField::EmailPref => "emailPref",
            CustomerField::Birthday => "birthday",
            CustomerField::Anniversary => "anniversary",
            CustomerField::Gender => "gender",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            CustomerField::CustomerType => "Customer type",
            CustomerField::FirstName => "First name",
            CustomerField::MiddleName => "Middle name",
            CustomerField::LastName => "Last name",
            CustomerField::Address1 => "Address 1",
            CustomerField::Address2 => "Address 2",
            CustomerField::City => "City",
            CustomerField::State => "State",
            CustomerField::Postal => "Postal code",
            CustomerField::Country => "Country",
            CustomerField::MailPref => "Mail pref",
            CustomerField::Phone => "Phone",
            CustomerField::IsMobile => "Mobile?",
            CustomerField::PhonePref => "Phone pref",
            CustomerField::Email => "E-mail",
            CustomerField::EmailPref => "E-mail pref",
            CustomerField::Birthday => "Birthday",
            CustomerField::Anniversary => "Anniversary",
            CustomerField::Gender => "Gender",
        }
    }

    /// A hint shown beside an empty field.
    pub fn hint(self) -> &'static str {
        match self.kind() {
            FieldKind::Choice(_) => "",
            FieldKind::Date => "YYYYMMDD",
            FieldKind::Phone => "+12125551234",
            FieldKind::Email => "name@example.com",
            FieldKind::Country => "US",
            FieldKind::Postal | FieldKind::Text { .. } => "",
        }
    }

    pub fn kind(self) -> FieldKind {
        match self {
            CustomerField::CustomerType => FieldKind::Choice(&[
                ("1", "primary holder"),
                ("2", "alternate"),
                ("3", "giver of card"),
            ]),
            CustomerField::FirstName | CustomerField::MiddleName | CustomerField::LastName => {
                FieldKind::Text { max_len: 40 }
            }
            CustomerField::Address1 | CustomerField::Address2 => FieldKind::Text { max_len: 60 },
            CustomerField::City | CustomerField::State => FieldKind::Text { max_len: 40 },
            CustomerField::Postal => FieldKind::Postal,
            CustomerField::Country => FieldKind::Country,
            CustomerField::MailPref | CustomerField::PhonePref | CustomerField::EmailPref => {
                FieldKind::Choice(OPT_IN_OUT)
            }
            CustomerField::Phone => FieldKind::Phone,
            CustomerField::IsMobile => FieldKind::Choice(YES_NO),
            CustomerField::Email => FieldKind::Email,
            CustomerField::Birthday | CustomerField::Anniversary => FieldKind::Date,
            CustomerField::Gender => FieldKind::Choice(&[("M", "male"), ("F", "female")]),
        }
    }

    /// Checks one value. Empty is always allowed: every field is optional on Top-up, and
    /// Activate sends empty strings for what the customer did not give. `country` is needed
    /// to check a postal code.
    pub fn validate(self, value: &str, country: &str) -> Result<(), String> {
        if value.is_empty() {
            return Ok(());
        }
        if value.chars().any(char::is_control) {
            return Err("must not contain control characters".into());
        }
        match self.kind() {
            FieldKind::Text { max_len } => {
                if value.chars().count() > max_len {
                    return Err(format!("at most {max_len} characters"));
                }
                if value.trim() != value {
                    return Err("remove the leading or trailing spaces".into());
                }
                Ok(())
            }
            FieldKind::Choice(choices) => {
                if choices.iter().any(|(code, _)| *code == value) {
                    Ok(())
                } else {
                    let list: Vec<String> = choices
                        .iter()
                        .map(|(code, meaning)| format!("{code} {meaning}"))
                        .collect();
                    Err(format!("must be one of: {}", list.join(", ")))
                }
            }
            FieldKind::Date => validate_date(value),
            FieldKind::Phone => validate_phone(value),
            FieldKind::Email => validate_email(value),
            FieldKind::Country => {
                if is_iso_country(value) {
                    Ok(())
                } else {
                    Err("must be a 2-letter ISO country code such as US or GB".into())
                }
            }
            FieldKind::Postal => validate_postal(value, country),
        }
    }
}

impl CustomerInfo {
    pub fn get(&self, field: CustomerField) -> &str {
        match field {
            CustomerField::CustomerType => &self.customer_type,
            CustomerField::FirstName => &self.first_name,
            CustomerField::MiddleName => &self.middle_name,
            CustomerField::LastName => &self.last_name,
            CustomerField::Address1 => &self.address1,
            CustomerField::Address2 => &self.address2,
            CustomerField::City => &self.city,
            CustomerField::State => &self.state,
            CustomerField::Postal => &self.postal,
            CustomerField::Country => &self.country,
            CustomerField::MailPref => &self.mail_pref,
            CustomerField::Phone => &self.phone,
            CustomerField::IsMobile => &self.is_mobile,
            CustomerField::PhonePref => &self.phone_pref,
            CustomerField::Email => &self.email,
            CustomerField::EmailPref => &self.email_pref,
            CustomerField::Birthday => &self.birthday,
            CustomerField::Anniversary => &self.anniversary,
            CustomerField::Gender => &self.gender,
        }
    }

    pub fn set(&mut self, field: CustomerField, value: String) {
        let slot = match field {
            CustomerField::CustomerType => &mut self.customer_type,
            CustomerField::FirstName => &mut self.first_name,
            CustomerField::MiddleName => &mut self.middle_name,
            CustomerField::LastName => &mut self.last_name,
            CustomerField::Address1 => &mut self.address1,
            CustomerField::Address2 => &mut self.address2,
            CustomerField::City => &mut self.city,
            CustomerField::State => &mut self.state,
            CustomerField::Postal => &mut self.postal,
            CustomerField::Country => &mut self.country,
            CustomerField::MailPref => &mut self.mail_pref,
            CustomerField::Phone => &mut self.phone,
            CustomerField::IsMobile => &mut self.is_mobile,
            CustomerField::PhonePref => &mut self.phone_pref,
            CustomerField::Email => &mut self.email,
            CustomerField::EmailPref => &mut self.email_pref,
            CustomerField::Birthday => &mut self.birthday,
            CustomerField::Anniversary => &mut self.anniversary,
            CustomerField::Gender => &mut self.gender,
        };
        *slot = value;
    }

    pub fn is_empty(&self) -> bool {
        CustomerField::ALL.iter().all(|f| self.get(*f).is_empty())
    }

    /// Every field's problem, in form order, as `(field, message)`.
    pub fn errors(&self) -> Vec<(CustomerField, String)> {
        CustomerField::ALL
            .iter()
            .filter_map(|f| {
                f.validate(self.get(*f), &self.country)
                    .err()
                    .map(|e| (*f, e))
            })
            .collect()
    }

    /// Checks every field; the error names the first bad one by its JSON key.
    pub fn validate(&self) -> Result<(), String> {
        match self.errors().into_iter().next() {
            None => Ok(()),
            Some((field, msg)) => Err(format!("customerInfo.{}: {msg}", field.wire_name())),
        }
    }

    /// Reads a `--customer FILE.json`: one JSON object (serde would also take the 19 values
    /// as an array, by position; a file that does that is refused), unknown keys are
    /// refused so a typo is not silently dropped, and every value is validated.
    pub fn from_json(text: &str) -> Result<CustomerInfo, String> {
        let value: serde_json::Value =
            serde_json::from_str(text).map_err(|e| format!("customer file: {e}"))?;
        if !value.is_object() {
            return Err(
                r#"customer file: must be one JSON object of customerInfo keys, e.g. {"firstName":"Ann"}"#
                    .into(),
            );
        }
        // serde's message names the unknown or mistyped key.
        let info = CustomerInfo::deserialize(value).map_err(|e| format!("customer file: {e}"))?;
        info.validate()?;
        Ok(info)
    }
}

fn validate_date(value: &str) -> Result<(), String> {
    let bad = || "must be a date as YYYYMMDD, e.g. 19870214".to_string();
    if value.len() != 8 || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad());
    }
    let year: i32 = value[0..4].parse().map_err(|_| bad())?;
    let month: u8 = value[4..6].parse().map_err(|_| bad())?;
    let day: u8 = value[6..8].parse().map_err(|_| bad())?;
    if !(1900..=2100).contains(&year) {
        return Err("year must be between 1900 and 2100".into());
    }
    let month = time::Month::try_from(month).map_err(|_| "month must be 01 to 12".to_string())?;
    time::Date::from_calendar_date(year, month, day)
        .map(|_| ())
        .map_err(|_| format!("{value} is not a real date"))
}

/// `+CCC AAA LLL LLL xEEEE`: a plus, 7 to 15 digits (E.164) with optional single spaces
/// between groups, and an optional extension `x` followed by 1 to 6 digits.
fn validate_phone(value: &str) -> Result<(), String> {
    let bad = || "must look like +12125551234 (country code first, optional x1234)".to_string();
    let rest = value.strip_prefix('+').ok_or_else(bad)?;
    let (number, ext) = match rest.split_once(['x', 'X']) {
        Some((n, e)) => (n.trim_end(), Some(e)),
        None => (rest, None),
    };
    if let Some(ext) = ext
        && (ext.is_empty() || ext.len() > 6 || !ext.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(bad());
    }
    if number.starts_with(' ') || number.contains("  ") {
        return Err(bad());
    }
    if !number.bytes().all(|b| b.is_ascii_digit() || b == b' ') {
        return Err(bad());
    }
    let digits = number.bytes().filter(u8::is_ascii_digit).count();
    if !(7..=15).contains(&digits) || number.starts_with('0') {
        return Err(bad());
    }
    Ok(())
}

fn validate_email(value: &str) -> Result<(), String> {
    let bad = || "must be an e-mail address like name@example.com".to_string();
    if value.len() > 254 || value.contains(char::is_whitespace) {
        return Err(bad());
    }
    let (local, domain) = value.rsplit_once('@').ok_or_else(bad)?;
    let labels_ok = domain.split('.').all(|label| {
        !label.is_empty()
            && !label.starts_with('-')
            && !label.ends_with('-')
            && label.chars().all(|c| c.is_alphanumeric() || c == '-')
    });
    if local.is_empty() || local.len() > 64 || local.contains('@') || !domain.contains('.') {
        return Err(bad());
    }
    if !labels_ok {
        return Err(bad());
    }
    Ok(())
}

/// Postal codes: strict for the countries we know the shape of, a sane shape otherwise.
fn validate_postal(value: &str, country: &str) -> Result<(), String> {
    let shape = |pattern: &str| {
        // pattern: 9 = digit, A = letter, anything else literal.
        value.len() == pattern.len()
            && value.bytes().zip(pattern.bytes()).all(|(v, p)| match p {
                b'9' => v.is_ascii_digit(),
                b'A' => v.is_ascii_alphabetic(),
                _ => v == p,
            })
    };
    let ok = match country {
        "US" => shape("99999") || shape("99999-9999"),
        "CA" => shape("A9A 9A9") || shape("A9A9A9"),
        "MA" | "FR" | "DE" | "IT" | "ES" | "MX" => shape("99999"),
        "GB" => {
            let compact: String = value.chars().filter(|c| *c != ' ').collect();
            (5..=7).contains(&compact.len())
                && compact.chars().all(|c| c.is_ascii_alphanumeric())
                && compact
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
        }
        "AU" | "NZ" | "CH" | "AT" | "BE" | "DK" | "NO" => shape("9999"),
        "CN" | "IN" | "SG" => shape("999999"),
        _ => {
            (2..=10).contains(&value.len())
                && value
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b' ' || b == b'-')
        }
    };
    if ok {
        Ok(())
    } else if country.is_empty() {
        Err("is not a postal code (2-10 letters, digits, spaces or dashes)".into())
    } else {
        Err(format!("is not a valid postal code for {country}"))
    }
}

/// ISO 3166-1 alpha-2 codes, officially assigned.
const ISO_COUNTRIES: &str = "AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW";

pub fn is_iso_country(code: &str) -> bool {
    code.len() == 2 && ISO_COUNTRIES.split(' ').any(|c| c == code)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(field: CustomerField, value: &str) -> Result<(), String> {
        field.validate(value, "US")
    }

    #[test]
    fn the_documented_example_is_valid() {
        let example = r#"{"customerType":"1","firstName":"Jon1","middleName":"Mid2","lastName":"Doe3","address1":"295R+VM Settat, Morocco","address2":"Settat,Morocco","city":"Morocco","state":"Settat","postal":"26000","country":"MA","mailPref":"O","phone":"+12125551234","isMobile":"N","phonePref":"O","email":"Jon@gmail.com","emailPref":"O","birthday":"20000101","anniversary":"","gender":"M"}"#;
        let info = CustomerInfo::from_json(example).unwrap();
        assert_eq!(info.country, "MA");
        assert_eq!(serde_json::to_string(&info).unwrap(), example);
    }

    #[test]
    fn there_are_nineteen_fields_with_distinct_names() {
        let names: std::collections::HashSet<_> =
            CustomerField::ALL.iter().map(|f| f.wire_name()).collect();
        assert_eq!(names.len(), 19);
        let json = serde_json::to_value(CustomerInfo::default()).unwrap();
        for f in CustomerField::ALL {
            assert!(json.get(f.wire_name()).is_some(), "{}", f.wire_name());
        }
    }

    #[test]
    fn phone_follows_the_documented_format() {
        for ok in [
            "+12125551234",
            "+8612154154",
            "+1 212 555 1234",
            "+44 20 7946 0958 x12",
        ] {
            assert_eq!(check(CustomerField::Phone, ok), Ok(()), "{ok}");
        }
        for bad in [
            "2125551234",
            "+1-212-555",
            "+12",
            "+1 212  555",
            "+1212555x",
            "+abc",
        ] {
            assert!(check(CustomerField::Phone, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn dates_are_real_calendar_days() {
        assert_eq!(check(CustomerField::Birthday, "20000229"), Ok(()));
        assert_eq!(
            check(CustomerField::Birthday, "19990229"),
            Err("19990229 is not a real date".into())
        );
        assert_eq!(
            check(CustomerField::Anniversary, "2000-01-01"),
            Err("must be a date as YYYYMMDD, e.g. 19870214".into())
        );
        assert_eq!(
            check(CustomerField::Birthday, "20001301"),
            Err("month must be 01 to 12".into())
        );
    }

    #[test]
    fn country_email_choices_and_postal() {
        assert_eq!(check(CustomerField::Country, "GB"), Ok(()));
        assert!(check(CustomerField::Country, "UK").is_err());
        assert!(check(CustomerField::Country, "us").is_err());
        assert_eq!(check(CustomerField::Email, "jon@gmail.com"), Ok(()));
        for bad in [
            "jon",
            "jon@",
            "@x.com",
            "jon@localhost",
            "a b@c.com",
            "j@x..com",
        ] {
            assert!(check(CustomerField::Email, bad).is_err(), "{bad}");
        }
        assert_eq!(
            check(CustomerField::Gender, "X"),
            Err("must be one of: M male, F female".into())
        );
        assert_eq!(check(CustomerField::Postal, "10001"), Ok(()));
        assert_eq!(
            check(CustomerField::Postal, "1000"),
            Err("is not a valid postal code for US".into())
        );
        assert_eq!(CustomerField::Postal.validate("SW1A 1AA", "GB"), Ok(()));
    }

    #[test]
    fn a_customer_file_names_the_bad_field() {
        let err = CustomerInfo::from_json(r#"{"email":"nope"}"#).unwrap_err();
        assert_eq!(
            err,
            "customerInfo.email: must be an e-mail address like name@example.com"
        );
        let err = CustomerInfo::from_json(r#"{"emial":"a@b.co"}"#).unwrap_err();
        assert!(err.contains("unknown field `emial`"), "{err}");
        let err = CustomerInfo::from_json("not json").unwrap_err();
        assert!(err.starts_with("customer file:"), "{err}");
        let err = CustomerInfo::from_json(r#"{"firstName":null}"#).unwrap_err();
        assert!(err.contains("invalid type: null"), "strict on input: {err}");
    }

    #[test]
    fn a_customer_file_is_one_object_never_values_by_position() {
        for not_object in [r#"["1","Ann"]"#, r#""Ann""#, "null", "42", "[]"] {
            let err = CustomerInfo::from_json(not_object).unwrap_err();
            assert!(
                err.contains("must be one JSON object"),
                "{not_object}: {err}"
            );
        }
        let info = CustomerInfo::from_json(r#"{"customerType":"1","firstName":"Ann"}"#).unwrap();
        assert_eq!(
            (info.customer_type.as_str(), info.first_name.as_str()),
            ("1", "Ann")
        );
    }
}

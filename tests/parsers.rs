//! Every parser that reads what a person, a card reader, a config file or a server wrote
//! never panics, whatever it is fed, and what it accepts makes sense: an accepted amount
//! round-trips to its wire string, a swipe yields digits only, `classify` never calls
//! garbage approved.

use paywizard_till::api::client::{ClientError, classify};
use paywizard_till::api::{CustomerField, CustomerInfo, Operation, clean};
use paywizard_till::app::magstripe;
use paywizard_till::config::{Config, FileConfig, Overrides, Secret};
use paywizard_till::money::{Amount, Currency, Points, WireDecimal};
use paywizard_till::outcome::Status;
use proptest::prelude::*;
use serde_json::{Value, json};

fn config() -> ProptestConfig {
    // Debug builds on 2 cores: enough cases to find shape bugs, quick enough for CI.
    ProptestConfig {
        cases: 512,
        ..ProptestConfig::default()
    }
}

fn currency() -> impl Strategy<Value = Currency> {
    prop_oneof![
        Just(Currency::new("USD").unwrap()),
        Just(Currency::new("JPY").unwrap()),
        Just(Currency::new("KWD").unwrap()),
    ]
}

/// Text that looks like what a cashier might type into an amount field, and then some.
fn amount_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[0-9]{0,20}(\\.[0-9]{0,5})?",
        " ?[-+]?[0-9]{0,4}[.,]?[0-9]{0,4}[eE]?[0-9]{0,3} ?",
        "[0-9.]{0,25}",
        ".{0,30}",
        "[\u{660}-\u{669}\u{ff10}-\u{ff19}0-9.]{1,10}", // Arabic-Indic and full-width digits
    ]
}

/// A decimal string with only ASCII digits and at most one dot, read exactly.
fn exact_minor(text: &str, decimals: u8) -> Option<i128> {
    let t = text.trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if (whole.is_empty() && frac.is_empty())
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let d = usize::from(decimals);
    if frac.len() > d && frac[d..].bytes().any(|b| b != b'0') {
        return None;
    }
    let mut digits = whole.trim_start_matches('0').to_owned();
    let frac = &frac[..frac.len().min(d)];
    digits.push_str(frac);
    for _ in frac.len()..d {
        digits.push('0');
    }
    let digits = digits.trim_start_matches('0');
    if digits.len() > 30 {
        return Some(i128::MAX);
    }
    Some(if digits.is_empty() {
        0
    } else {
        digits.parse().unwrap()
    })
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn amounts_never_panic_and_what_is_accepted_round_trips(
        text in amount_text(),
        cur in currency(),
        // Amount::parse reads at most 15 integer digits by design; limits stay below that.
        max in 1i64..=999_999_999_999_999,
    ) {
        let max = Amount::from_minor(max);
        match Amount::parse(&text, &cur, max) {
            Ok(a) => {
                prop_assert!(a.minor() > 0 && a <= max, "{text:?} -> {a:?}");
                // Exactly the number typed, no float rounding.
                prop_assert_eq!(exact_minor(&text, cur.decimals()), Some(i128::from(a.minor())));
                let wire = a.to_wire(&cur);
                let d = usize::from(cur.decimals());
                match wire.split_once('.') {
                    Some((w, f)) => {
                        prop_assert!(d > 0 && f.len() == d, "{wire}");
                        prop_assert!(!w.is_empty() && w.bytes().all(|b| b.is_ascii_digit()));
                        prop_assert!(f.bytes().all(|b| b.is_ascii_digit()));
                    }
                    None => prop_assert!(d == 0 && wire.bytes().all(|b| b.is_ascii_digit())),
                }
                prop_assert_eq!(Amount::parse(&wire, &cur, max), Ok(a));
                prop_assert_eq!(WireDecimal::new(&wire).and_then(|w| w.to_minor(cur.decimals())), Some(a.minor()));
            }
            Err(e) => {
                prop_assert!(!e.to_string().is_empty());
                // Refused only for a reason: not an exact positive number within the limit.
                if let Some(v) = exact_minor(&text, cur.decimals()) {
                    prop_assert!(v == 0 || v > i128::from(max.minor()), "{text:?} refused: {e}");
                }
            }
        }
    }

    #[test]
    fn every_amount_in_range_survives_the_wire(minor in 1i64..=999_999_999_999_999, cur in currency()) {
        let a = Amount::from_minor(minor);
        let max = Amount::from_minor(i64::MAX / 10);
        prop_assert_eq!(Amount::parse(&a.to_wire(&cur), &cur, max), Ok(a));
    }

    #[test]
    fn points_never_panic_and_round_trip(text in amount_text(), max in 1u64..=u64::MAX) {
        let max = Points::new(max);
        match Points::parse(&text, max) {
            Ok(p) => {
                prop_assert!(p.get() > 0 && p <= max);
                prop_assert_eq!(exact_minor(&text, 0), Some(i128::from(p.get())));
                let wire = p.to_wire();
                prop_assert!(wire.bytes().all(|b| b.is_ascii_digit()) && !wire.starts_with('0'));
                prop_assert_eq!(Points::parse(&wire, max), Ok(p));
            }
            Err(e) => prop_assert!(!e.to_string().is_empty()),
        }
    }

    #[test]
    fn server_decimals_never_panic(text in "-?[0-9]{0,25}(\\.[0-9]{0,25})?|.{0,20}", decimals in 0u8..=4) {
        if let Some(w) = WireDecimal::new(&text) {
            let shown = w.display(decimals);
            if let Some(minor) = w.to_minor(decimals) {
                // What is shown is the same value, with exactly `decimals` decimals.
                let again = WireDecimal::new(&shown).and_then(|s| s.to_minor(decimals));
                prop_assert_eq!(again, Some(minor), "{} shown as {}", text, shown);
            }
        }
    }

    #[test]
    fn phone_numbers(text in "\\+?[0-9 xX+-]{0,24}|.{0,24}") {
        if CustomerField::Phone.validate(&text, "US").is_ok() && !text.is_empty() {
            prop_assert!(text.starts_with('+'), "{text:?}");
            let number = text[1..].split(['x', 'X']).next().unwrap();
            let digits = number.bytes().filter(u8::is_ascii_digit).count();
            prop_assert!((7..=15).contains(&digits), "{text:?}");
            prop_assert!(text.chars().all(|c| c.is_ascii_digit() || " +xX".contains(c)));
        }
    }

    #[test]
    fn well_formed_phone_numbers_are_accepted(cc in "[1-9][0-9]{0,2}", rest in "[0-9]{6,11}", ext in proptest::option::of("[0-9]{1,6}")) {
        let mut phone = format!("+{cc}{rest}");
        prop_assume!((7..=15).contains(&(phone.len() - 1)));
        if let Some(ext) = ext {
            phone.push('x');
            phone.push_str(&ext);
        }
        prop_assert_eq!(CustomerField::Phone.validate(&phone, "US"), Ok(()), "{}", phone);
    }

    #[test]
    fn dates(text in "[0-9]{8}|[0-9]{0,10}|.{0,10}") {
        for field in [CustomerField::Birthday, CustomerField::Anniversary] {
            if field.validate(&text, "").is_ok() && !text.is_empty() {
                prop_assert!(text.len() == 8 && text.bytes().all(|b| b.is_ascii_digit()));
                let (y, m, d) = (&text[0..4], &text[4..6], &text[6..8]);
                let month = time::Month::try_from(m.parse::<u8>().unwrap());
                let real = month.and_then(|m| {
                    time::Date::from_calendar_date(y.parse().unwrap(), m, d.parse().unwrap())
                });
                prop_assert!(real.is_ok(), "{text:?} is not a date");
            }
        }
    }

    #[test]
    fn real_dates_are_accepted(day in 0i64..73_000) {
        let date = time::macros::date!(1900-01-01) + time::Duration::days(day);
        prop_assume!(date.year() <= 2100);
        let text = format!("{:04}{:02}{:02}", date.year(), u8::from(date.month()), date.day());
        prop_assert_eq!(CustomerField::Birthday.validate(&text, ""), Ok(()));
    }

    #[test]
    fn countries_emails_and_postal_codes(text in ".{0,40}|[A-Za-z]{2}|[a-z0-9.@-]{1,30}", country in "[A-Z]{2}|") {
        if CustomerField::Country.validate(&text, "").is_ok() && !text.is_empty() {
            prop_assert!(text.len() == 2 && text.bytes().all(|b| b.is_ascii_uppercase()));
        }
        if CustomerField::Email.validate(&text, "").is_ok() && !text.is_empty() {
            let (local, domain) = text.rsplit_once('@').unwrap();
            prop_assert!(!local.is_empty() && domain.contains('.'));
            prop_assert!(!text.contains(char::is_whitespace) && text.len() <= 254);
        }
        for field in CustomerField::ALL {
            if field.validate(&text, &country).is_ok() {
                prop_assert!(!text.chars().any(char::is_control), "{field:?} took a control char");
            }
        }
    }

    #[test]
    fn customer_files_never_panic(text in ".{0,200}", pairs in proptest::collection::vec(("[a-zA-Z0-9]{1,14}", ".{0,12}"), 0..6)) {
        let _ = CustomerInfo::from_json(&text);
        let mut obj = serde_json::Map::new();
        for (i, (k, v)) in pairs.into_iter().enumerate() {
            // Mostly real keys, so validation (not just the unknown-key check) runs.
            let key = if i % 2 == 0 { CustomerField::ALL[k.len() % 19].wire_name().to_owned() } else { k };
            obj.insert(key, Value::String(v));
        }
        let json = Value::Object(obj).to_string();
        if let Ok(info) = CustomerInfo::from_json(&json) {
            prop_assert_eq!(info.validate(), Ok(()));
            prop_assert!(info.errors().is_empty());
        }
    }

    #[test]
    fn a_customer_file_that_is_not_one_object_is_never_read(v in json_value()) {
        if !v.is_object() {
            prop_assert!(CustomerInfo::from_json(&v.to_string()).is_err(), "{}", v);
        }
    }

    #[test]
    fn magstripe_never_panics_and_yields_only_digits(text in swipe_text()) {
        if let Some(swipe) = magstripe::parse(&text) {
            prop_assert!(!swipe.account.is_empty() && swipe.account.len() <= 19, "{text:?}");
            prop_assert!(swipe.account.bytes().all(|b| b.is_ascii_digit()), "{text:?}");
            if let Some(name) = &swipe.name {
                prop_assert!(!name.is_empty() && name.trim() == name);
                prop_assert!(!name.chars().any(char::is_control), "{text:?}");
            }
        }
    }
}

/// Track-shaped text: sentinels, separators, digits, names, junk, in any order.
fn swipe_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("%B".to_owned()),
        Just("%".to_owned()),
        Just(";".to_owned()),
        Just("?".to_owned()),
        Just("^".to_owned()),
        Just("=".to_owned()),
        Just("+".to_owned()),
        Just("/".to_owned()),
        Just("%E?".to_owned()),
        Just(";E?".to_owned()),
        "[0-9]{1,22}",
        "[A-Z ]{1,12}",
        "[ \\x00-\\x1f\\x7f]{1,3}",
        ".{1,4}",
    ];
    // Well-formed tracks with something spliced in somewhere, so real parses are reached.
    let track = (
        "[0-9 ]{1,22}",
        "[A-Z /.'-]{0,26}",
        "[0-9]{0,12}",
        proptest::option::of("[0-9]{1,20}"),
        ".{0,3}",
        any::<proptest::sample::Index>(),
    )
        .prop_map(|(pan, name, rest, pan2, junk, at)| {
            let mut text = format!("%B{pan}^{name}^{rest}?");
            if let Some(pan2) = pan2 {
                text.push_str(&format!(";{pan2}={rest}?"));
            }
            let boundaries: Vec<usize> = text
                .char_indices()
                .map(|(i, _)| i)
                .chain([text.len()])
                .collect();
            text.insert_str(boundaries[at.index(boundaries.len())], &junk);
            text
        });
    prop_oneof![
        proptest::collection::vec(piece, 0..12).prop_map(|p| p.concat()),
        track,
        ".{0,60}",
    ]
}

// ---- server answers ------------------------------------------------------------------

fn op() -> impl Strategy<Value = Operation> {
    proptest::sample::select(Operation::ALL.to_vec())
}

fn http_status() -> impl Strategy<Value = u16> {
    prop_oneof![
        Just(200u16),
        Just(201),
        Just(204),
        Just(302),
        Just(400),
        Just(401),
        Just(404),
        Just(500),
        Just(502),
        Just(503),
        100u16..600
    ]
}

/// Any JSON, biased towards the envelope's own keys so the deep paths are reached.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (0i64..4).prop_map(|n| json!(n)),
        Just(json!(200)),
        (-1.0e9f64..1.0e9).prop_map(|f| json!(f)),
        ".{0,12}".prop_map(Value::String),
    ];
    let key = prop_oneof![
        proptest::sample::select(vec![
            "code",
            "msg",
            "data",
            "result",
            "timestamp",
            "checkoutId",
            "balances",
            "valueCode",
            "amount",
            "difference",
            "accountId",
            "customerInfo",
        ])
        .prop_map(str::to_owned),
        ".{0,8}",
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            proptest::collection::btree_map(key.clone(), inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Envelopes close to real ones with one part wrong or odd.
fn near_envelope() -> impl Strategy<Value = Value> {
    let code = prop_oneof![
        Just(json!(200)),
        Just(json!("200")),
        Just(json!(200.0)),
        Just(json!(500)),
        Just(json!(401)),
        Just(Value::Null),
        json_value()
    ];
    let result = prop_oneof![
        Just(json!(0)),
        Just(json!(1)),
        Just(json!(2)),
        Just(json!(7)),
        Just(json!(-1)),
        Just(json!("0")),
        Just(json!(0.0)),
        Just(Value::Null),
        json_value()
    ];
    let balances = prop_oneof![
        Just(json!([{"valueCode":"USD","amount":1534.1,"difference":0}])),
        Just(json!([])),
        Just(json!("none")),
        json_value(),
    ];
    (code, result, balances, any::<bool>(), any::<bool>()).prop_map(|(code, result, balances, with_result, with_balances)| {
        let mut data = serde_json::Map::new();
        data.insert("checkoutId".into(), json!("933392815902294016"));
        if with_result {
            data.insert("result".into(), result);
        }
        if with_balances {
            data.insert("balances".into(), balances);
        }
        json!({"code": code, "msg": "success", "timestamp": "2025-07-24 13:06:10", "data": data})
    })
}

/// What `classify` may call approved: a 2xx with `code` 200 and, for a value-moving (or
/// void/tip) request, `data.result` 0; for a balance or activation, a balances list.
fn may_approve(op: Operation, status: u16, body: &[u8]) -> bool {
    let Ok(v) = serde_json::from_slice::<Value>(body) else {
        return false;
    };
    if !(200..300).contains(&status) || v["code"].as_i64() != Some(200) {
        return false;
    }
    if op.has_order_no() {
        v["data"]["result"].as_i64() == Some(0)
    } else {
        v["data"]["balances"].is_array()
    }
}

fn check_classify(op: Operation, status: u16, body: &[u8]) -> Result<(), TestCaseError> {
    match classify(op, status, body) {
        Ok(data) => {
            prop_assert!(
                may_approve(op, status, body),
                "approved: HTTP {status} {:?}",
                String::from_utf8_lossy(body)
            );
            let read = serde_json::to_value(&data).unwrap();
            prop_assert!(!any_string_has_controls(&read), "{}", read);
            for id in [&data.checkout_id, &data.ori_checkout_id]
                .into_iter()
                .flatten()
            {
                prop_assert!(clean::is_identifier(id), "{:?}", id);
            }
        }
        Err(e) => {
            prop_assert_ne!(e.status(), Status::Approved);
            let shown = e.to_string();
            prop_assert!(!shown.is_empty());
            prop_assert!(!has_controls(&shown), "{:?}", shown);
            if let ClientError::HttpStatus { status: s, .. } = &e {
                prop_assert_eq!(*s, status);
            }
            if matches!(e, ClientError::Declined { .. }) {
                prop_assert_eq!(e.status(), Status::Declined);
            }
        }
    }
    Ok(())
}

/// A control character or a bidirectional override.
fn has_controls(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() || ('\u{202a}'..='\u{202e}').contains(&c))
}

/// Any string anywhere in `v` (keys included) with a control character.
fn any_string_has_controls(v: &Value) -> bool {
    match v {
        Value::String(s) => has_controls(s),
        Value::Array(items) => items.iter().any(any_string_has_controls),
        Value::Object(map) => map
            .iter()
            .any(|(k, v)| has_controls(k) || any_string_has_controls(v)),
        _ => false,
    }
}

/// Keys PayWizard might add one day, and values of any shape.
fn extra_keys() -> impl Strategy<Value = Vec<(String, Value)>> {
    let known = [
        "code",
        "msg",
        "timestamp",
        "data",
        "mid",
        "paywizardId",
        "checkoutId",
        "transIndexCode",
        "amount",
        "result",
        "oriCheckoutId",
        "oriTransIndexCode",
        "accountId",
        "balances",
        "customerInfo",
        "valueCode",
        "difference",
    ];
    proptest::collection::vec(
        (
            "[a-zA-Z][a-zA-Z0-9_]{0,12}"
                .prop_filter("a new key", move |k| !known.contains(&k.as_str())),
            json_value(),
        ),
        1..4,
    )
}

const APPROVED_PAY: &str = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 13:06:10","data":{"mid":"202507081058","paywizardId":"10020000080","checkoutId":"933392815902294016","transIndexCode":"100200000807293844967","amount":"10.50","result":0}}"#;

proptest! {
    #![proptest_config(config())]

    #[test]
    fn classify_any_bytes(op in op(), status in http_status(), body in proptest::collection::vec(any::<u8>(), 0..300)) {
        check_classify(op, status, &body)?;
    }

    #[test]
    fn classify_any_json(op in op(), status in http_status(), v in prop_oneof![json_value(), near_envelope()]) {
        check_classify(op, status, v.to_string().as_bytes())?;
    }

    #[test]
    fn unknown_keys_anywhere_never_cost_an_approval(
        top in extra_keys(),
        data in extra_keys(),
        balance in extra_keys(),
        customer in extra_keys(),
    ) {
        let mut pay: Value = serde_json::from_str(APPROVED_PAY).unwrap();
        for (k, v) in top {
            pay[k] = v;
        }
        for (k, v) in data {
            pay["data"][k] = v.clone();
        }
        let approved = classify(Operation::Pay, 200, pay.to_string().as_bytes());
        prop_assert_eq!(
            approved.map(|d| d.checkout_id),
            Ok(Some("933392815902294016".to_owned()))
        );
        let mut query = json!({"code":200,"msg":"success","data":{
            "accountId":"914639258868515",
            "balances":[{"valueCode":"USD","amount":1534.1,"difference":0}],
            "customerInfo":{"firstName":"Jon1","middleName":null}}});
        for (k, v) in balance {
            query["data"]["balances"][0][k] = v;
        }
        for (k, v) in customer {
            query["data"]["customerInfo"][k] = v;
        }
        let answer = classify(Operation::Balance, 200, query.to_string().as_bytes());
        prop_assert!(answer.is_ok(), "{}: {:?}", query, answer);
    }

    #[test]
    fn a_cut_or_damaged_approval_is_never_approved(cut in 0..APPROVED_PAY.len(), at in 0..APPROVED_PAY.len(), byte in any::<u8>()) {
        // Any truncation: never approved, always unknown (it may have been applied).
        let err = classify(Operation::Pay, 200, &APPROVED_PAY.as_bytes()[..cut]).unwrap_err();
        prop_assert_eq!(err.status(), Status::Unknown, "cut at {}: {}", cut, err);
        // One byte changed: approved only if it is still a well-formed approval.
        let mut damaged = APPROVED_PAY.as_bytes().to_vec();
        damaged[at] = byte;
        check_classify(Operation::Pay, 200, &damaged)?;
    }
}

// ---- config ----------------------------------------------------------------------------

const SECRET: &str = "SECRET-d3adb33f-never-show-me";

fn toml_value() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z0-9:/._ -]{0,20}".prop_map(|s| format!("{s:?}")),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<bool>().prop_map(|b| b.to_string()),
        Just("\"https://uat.paywizard.biz\"".to_owned()),
        Just("\"http://127.0.0.1:9\"".to_owned()),
        Just("\"production\"".to_owned()),
        Just("\"sandbox\"".to_owned()),
        Just("[1, 2]".to_owned()),
        Just("{ a = 1 }".to_owned()),
        ".{0,10}",
    ]
}

fn toml_key() -> impl Strategy<Value = &'static str> {
    proptest::sample::select(vec![
        "env",
        "base_url",
        "client_id",
        "jwt_token",
        "channel",
        "currency",
        "till_id",
        "store_name",
        "journal",
        "receipts_dir",
        "connect_timeout_ms",
        "request_timeout_ms",
        "max_amount",
        "max_points",
        "manager_over",
        "lock_after_min",
        "pin_attempts",
        "pin_lockout_min",
        "scanner.prefix",
        "scanner.suffix",
        "scanner.scan_submits",
        "scanner.max_gap_ms",
        "scanner.quiet_ms",
        "scanner.min_len",
        "printer.address",
        "printer.device",
        "printer.width",
        "printer.auto",
        "printer.codepage",
        "printer.write_timeout_ms",
        "bogus",
    ])
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn config_files_never_panic_or_echo_the_secret(
        lines in proptest::collection::vec((toml_key(), toml_value()), 0..8),
        junk in ".{0,30}",
        add_junk in any::<bool>(),
    ) {
        let mut text = format!("client_secret = {SECRET:?}\n");
        let mut scanner = String::from("[scanner]\n");
        for (key, value) in lines {
            match key.strip_prefix("scanner.") {
                Some(k) => scanner.push_str(&format!("{k} = {value}\n")),
                None => text.push_str(&format!("{key} = {value}\n")),
            }
        }
        if add_junk {
            text.push_str(&junk);
            text.push('\n');
        }
        text.push_str(&scanner);
        match toml::from_str::<FileConfig>(&text) {
            Ok(file) => match Config::resolve(&Overrides::default(), &file) {
                Ok(c) => {
                    let shown = format!("{c:?}");
                    prop_assert!(!shown.contains(SECRET), "{}", shown);
                    prop_assert!(c.request_timeout.as_millis() > 0);
                    prop_assert!(c.max_amount.minor() > 0);
                }
                Err(e) => prop_assert!(!e.to_string().contains(SECRET), "{e}"),
            },
            Err(e) => prop_assert!(!e.message().contains(SECRET), "{}", e.message()),
        }
        // With credentials from flags and the environment, the file is all that can go wrong.
        let overrides = Overrides {
            client_id: Some("825429536610058240".into()),
            client_secret: Some(Secret::new(SECRET)),
            jwt_token: Some(Secret::new("TOKEN")),
            ..Overrides::default()
        };
        if let Ok(file) = toml::from_str::<FileConfig>(&text)
            && let Err(e) = Config::resolve(&overrides, &file)
        {
            prop_assert!(!e.to_string().contains(SECRET), "{e}");
        }
    }
}

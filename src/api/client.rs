//! The PayWizard HTTP client: reqwest with rustls, the three headers, timeouts, and an error
//! type that says exactly how far a request got.
//!
//! The body arrives as bytes already serialized (and journaled) by the caller; it is signed
//! and handed to reqwest unchanged, so the bytes signed are the bytes sent.

use std::time::Duration;

use crate::api::{Envelope, Operation, ResponseData, TxnResult, clean, sign};
use crate::config::Secret;
use crate::outcome::Status;

/// Answers larger than this are not PayWizard answers; reading stops there.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// How to reach PayWizard and who we are.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    pub base_url: String,
    pub client_id: String,
    pub client_secret: Secret,
    pub jwt_token: Secret,
    pub connect_timeout: Duration,
    pub request_timeout: Duration,
}

/// How far a request got, and what that means for the money.
///
/// Only [`ClientError::NotSent`] is safe to retry automatically: every other class may
/// have reached PayWizard. None of the messages carries the secret or the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ClientError {
    /// Never left the till: connection refused, DNS, bad URL. Nothing can have moved.
    #[error("not sent: {0}")]
    NotSent(String),
    /// Sent, but no answer came back (timeout, connection reset). It may have been applied.
    #[error("sent, but no answer: {0}")]
    NoAnswer(String),
    /// An HTTP error status with no PayWizard envelope in the body.
    #[error("HTTP {status} from the server{}", detail_suffix(.detail))]
    HttpStatus { status: u16, detail: String },
    /// PayWizard refused the request (`code != 200`), e.g. a bad signature or token.
    #[error("PayWizard refused the request (code {code}): {msg}")]
    Api { code: i64, msg: String },
    /// PayWizard answered and declined it (`result 1`). Nothing moved.
    #[error("declined: {msg}")]
    Declined {
        msg: String,
        data: Box<ResponseData>,
    },
    /// PayWizard has not finished (`result 2`). The outcome is unknown.
    #[error("pending: PayWizard has not finished processing it (result 2)")]
    Pending {
        msg: String,
        data: Box<ResponseData>,
    },
    /// An answer the till cannot read as a PayWizard answer.
    #[error("unexpected answer: {0}")]
    Malformed(String),
}

fn detail_suffix(detail: &str) -> String {
    if detail.is_empty() {
        String::new()
    } else {
        format!(": {detail}")
    }
}

impl ClientError {
    /// What the cashier and the journal record for this failure.
    pub fn status(&self) -> Status {
        match self {
            // PayWizard's own server error (`code` 5xx) may come after it applied the
            // request; only a 4xx-style code is a refusal of something never applied.
            ClientError::Api { code, .. } if *code >= 500 => Status::Unknown,
            ClientError::NotSent(_) | ClientError::Api { .. } => Status::Rejected,
            ClientError::Declined { .. } => Status::Declined,
            ClientError::HttpStatus { status, .. } if *status < 500 => Status::Rejected,
            // A 5xx may come from a gateway after PayWizard applied the request.
            ClientError::HttpStatus { .. }
            | ClientError::NoAnswer(_)
            | ClientError::Pending { .. }
            | ClientError::Malformed(_) => Status::Unknown,
        }
    }

    /// Only a request that never left may be sent again without the cashier's say.
    pub fn is_retryable(&self) -> bool {
        matches!(self, ClientError::NotSent(_))
    }

    /// The envelope code, when there was one.
    pub fn code(&self) -> Option<i64> {
        match self {
            ClientError::Api { code, .. } => Some(*code),
            ClientError::Declined { .. } | ClientError::Pending { .. } => Some(200),
            _ => None,
        }
    }

    /// Whatever data PayWizard sent with a declined or pending answer.
    pub fn data(&self) -> Option<&ResponseData> {
        match self {
            ClientError::Declined { data, .. } | ClientError::Pending { data, .. } => Some(data),
            _ => None,
        }
    }
}

/// A reusable client: one connection pool for the whole shift.
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
    settings: ClientSettings,
}

impl Client {
    pub fn new(settings: ClientSettings) -> Result<Client, ClientError> {
        let http = reqwest::Client::builder()
            .connect_timeout(settings.connect_timeout)
            .timeout(settings.request_timeout)
            .user_agent(concat!("paywizard-till/", env!("CARGO_PKG_VERSION")))
            // Never follow a redirect with a signed body and a token in the headers.
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| ClientError::NotSent(format!("cannot build the HTTP client: {e}")))?;
        Ok(Client { http, settings })
    }

    pub fn settings(&self) -> &ClientSettings {
        &self.settings
    }

    /// Signs `body` and posts it to the operation's endpoint. `Ok` only for an approved
    /// answer (`code 200` and, for value-moving operations, `result 0`).
    pub async fn send(&self, op: Operation, body: &[u8]) -> Result<ResponseData, ClientError> {
        let s = &self.settings;
        let url = format!("{}{}", s.base_url, op.path());
        let signature = sign::sign(body, &s.client_id, s.client_secret.expose());
        let response = self
            .http
            .post(&url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("jwt-token", s.jwt_token.expose())
            .header("sign", signature)
            .body(body.to_vec())
            .send()
            .await
            .map_err(|e| transport_error(&e))?;
        let status = response.status().as_u16();
        let bytes = read_limited(response).await?;
        classify(op, status, &bytes)
    }
}

/// Reads the body, refusing anything past [`MAX_RESPONSE_BYTES`].
async fn read_limited(mut response: reqwest::Response) -> Result<Vec<u8>, ClientError> {
    let mut body = Vec::new();
    loop {
        match response.chunk().await {
            Ok(Some(chunk)) => {
                if body.len() + chunk.len() > MAX_RESPONSE_BYTES {
                    return Err(ClientError::Malformed(format!(
                        "answer larger than {} KiB",
                        MAX_RESPONSE_BYTES / 1024
                    )));
                }
                body.extend_from_slice(&chunk);
            }
            Ok(None) => return Ok(body),
            Err(e) => return Err(ClientError::NoAnswer(describe(&e))),
        }
    }
}

/// Sorts a reqwest failure into "never left" and "left, but no answer".
fn transport_error(e: &reqwest::Error) -> ClientError {
    if e.is_builder() || e.is_connect() {
        ClientError::NotSent(describe(e))
    } else {
        ClientError::NoAnswer(describe(e))
    }
}

/// A one-line reason with the cause chain, without the URL's query (there is none) and
/// without any header value.
fn describe(e: &reqwest::Error) -> String {
    use std::error::Error as _;
    let mut text = if e.is_timeout() {
        "timed out".to_owned()
    } else if e.is_connect() {
        "could not connect".to_owned()
    } else {
        "the connection dropped before an answer came".to_owned()
    };
    let mut source = e.source();
    let mut last = String::new();
    while let Some(cause) = source {
        let line = cause.to_string();
        if line != last && !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        last = line;
        source = cause.source();
    }
    if let Some(url) = e.url() {
        text.push_str(&format!(" ({})", url.host_str().unwrap_or("?")));
    }
    clean::line(&text)
}

/// Turns an HTTP status and body into an answer or the right error class. Pure, so every
/// shape of answer PayWizard (or a proxy in front of it) might send is unit-tested.
///
/// Liberal in what it reads (unknown keys, `null` for optional fields), strict where the
/// money depends on it (see [`answer`](super::answer)). Every text in the answer or in the
/// error is one printable line by the time it leaves here.
pub fn classify(op: Operation, http_status: u16, body: &[u8]) -> Result<ResponseData, ClientError> {
    let envelope = serde_json::from_slice::<Envelope>(body);
    if !(200..300).contains(&http_status) {
        // PayWizard's `code` "is the HTTP status code": an error envelope explains itself.
        if let Ok(env) = &envelope
            && env.code != 200
        {
            return Err(ClientError::Api {
                code: env.code,
                msg: non_empty(&env.msg, "no message"),
            });
        }
        return Err(ClientError::HttpStatus {
            status: http_status,
            detail: snippet(body),
        });
    }
    let env = envelope.map_err(|e| {
        if body.is_empty() {
            ClientError::Malformed("empty answer".into())
        } else {
            ClientError::Malformed(format!(
                "not a PayWizard answer ({}): {}",
                clean::line(&e.to_string()),
                snippet(body)
            ))
        }
    })?;
    if env.code != 200 {
        return Err(ClientError::Api {
            code: env.code,
            msg: non_empty(&env.msg, "no message"),
        });
    }
    let data = env
        .data
        .ok_or_else(|| ClientError::Malformed("code 200 but no data".into()))?;
    check_identifiers(&data)?;
    if !op.has_order_no() {
        // Activate and Query answer balances, not a result.
        return match &data.balances {
            Some(_) => Ok(data),
            None => Err(ClientError::Malformed("no balances in the answer".into())),
        };
    }
    let result = data
        .result
        .ok_or_else(|| ClientError::Malformed("no result in the answer".into()))?;
    match TxnResult::from_code(result) {
        Some(TxnResult::Success) => Ok(data),
        Some(TxnResult::Failure) => Err(ClientError::Declined {
            // A declined answer may still say "success" at the envelope level.
            msg: if env.msg.trim().eq_ignore_ascii_case("success") {
                "declined by PayWizard (no reason given)".to_owned()
            } else {
                non_empty(&env.msg, "declined by PayWizard (no reason given)")
            },
            data: Box::new(data),
        }),
        Some(TxnResult::Pending) => Err(ClientError::Pending {
            msg: env.msg,
            data: Box::new(data),
        }),
        None => Err(ClientError::Malformed(format!("unknown result {result}"))),
    }
}

/// checkoutIds go back to PayWizard as `oriOrderNo`, into journal look-ups and onto the
/// screen: one that is not plain letters and digits means the answer is damaged or not
/// PayWizard's, so nothing in it is trusted.
fn check_identifiers(data: &ResponseData) -> Result<(), ClientError> {
    for (name, value) in [
        ("checkoutId", &data.checkout_id),
        ("oriCheckoutId", &data.ori_checkout_id),
    ] {
        if let Some(id) = value
            && !clean::is_identifier(id)
        {
            return Err(ClientError::Malformed(format!(
                "{name} is not 1 to {} letters and digits",
                clean::MAX_IDENTIFIER_LEN
            )));
        }
    }
    Ok(())
}

fn non_empty(s: &str, fallback: &str) -> String {
    if s.trim().is_empty() {
        fallback.to_owned()
    } else {
        s.trim().to_owned()
    }
}

/// The start of a body for a message: one line, printable, short.
fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(200)]);
    let mut line = clean::line(&text);
    // 80 characters, not bytes: a byte index can fall inside a multi-byte character.
    if let Some((end, _)) = line.char_indices().nth(80) {
        line.truncate(end);
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_paywizard_server_error_is_unknown_but_a_refusal_is_not() {
        let body = br#"{"code":500,"msg":"system busy","timestamp":1,"data":null}"#;
        let err = classify(Operation::Pay, 500, body).unwrap_err();
        assert_eq!(
            err.status(),
            Status::Unknown,
            "it may have been applied first"
        );
        assert!(!err.is_retryable());
        let body = br#"{"code":401,"msg":"invalid jwt-token","timestamp":1,"data":null}"#;
        let err = classify(Operation::Pay, 401, body).unwrap_err();
        assert_eq!(err.status(), Status::Rejected);
    }

    const PAY_OK: &str = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 13:06:10","data":{"mid":"202507081058","paywizardId":"10020000080","checkoutId":"933392815902294016","transIndexCode":"100200000807293844967","amount":"10.50","result":0}}"#;

    fn with_result(result: &str, msg: &str) -> String {
        PAY_OK
            .replace(r#""result":0"#, &format!(r#""result":{result}"#))
            .replace(r#""msg":"success""#, &format!(r#""msg":"{msg}""#))
    }

    #[test]
    fn approved_only_for_code_200_and_result_0() {
        let data = classify(Operation::Pay, 200, PAY_OK.as_bytes()).unwrap();
        assert_eq!(data.checkout_id.as_deref(), Some("933392815902294016"));
    }

    #[test]
    fn result_1_is_declined_with_the_message() {
        let err = classify(
            Operation::Pay,
            200,
            with_result("1", "insufficient funds").as_bytes(),
        )
        .unwrap_err();
        assert_eq!(err.to_string(), "declined: insufficient funds");
        assert_eq!(err.status(), Status::Declined);
        assert!(!err.is_retryable());
    }

    #[test]
    fn result_2_and_unknown_results_are_unknown_never_approved() {
        let pending = classify(Operation::Pay, 200, with_result("2", "success").as_bytes());
        assert_eq!(pending.unwrap_err().status(), Status::Unknown);
        let odd = classify(Operation::Pay, 200, with_result("7", "success").as_bytes());
        assert_eq!(
            odd.unwrap_err(),
            ClientError::Malformed("unknown result 7".into())
        );
    }

    #[test]
    fn api_errors_keep_paywizards_message_with_or_without_http_error() {
        let body = br#"{"code":401,"msg":"invalid sign","timestamp":"x","data":null}"#;
        for http in [200, 401] {
            let err = classify(Operation::Pay, http, body).unwrap_err();
            assert_eq!(
                err.to_string(),
                "PayWizard refused the request (code 401): invalid sign"
            );
            assert_eq!(err.status(), Status::Rejected);
        }
    }

    #[test]
    fn http_errors_without_an_envelope() {
        let html = b"<html><body><h1>502 Bad Gateway</h1></body></html>";
        let err = classify(Operation::TopUp, 502, html).unwrap_err();
        assert_eq!(err.status(), Status::Unknown);
        assert_eq!(
            err.to_string(),
            "HTTP 502 from the server: <html><body><h1>502 Bad Gateway</h1></body></html>"
        );
        let err = classify(Operation::TopUp, 404, b"").unwrap_err();
        assert_eq!(err.status(), Status::Rejected);
        assert_eq!(err.to_string(), "HTTP 404 from the server");
    }

    #[test]
    fn non_ascii_error_pages_are_shortened_without_panicking() {
        // A proxy's page in another language: multi-byte characters around the cut.
        let page = format!(
            "<h1>{}</h1>",
            "Dienst vorübergehend nicht verfügbar ".repeat(5)
        );
        let err = classify(Operation::Pay, 502, page.as_bytes()).unwrap_err();
        assert_eq!(err.status(), Status::Unknown);
        let ClientError::HttpStatus { detail, .. } = &err else {
            panic!("{err:?}");
        };
        assert_eq!(detail.chars().count(), 80);
        // Invalid UTF-8 becomes U+FFFD (3 bytes) wherever it falls.
        for at in 70..90 {
            let mut body = vec![b'x'; 200];
            body[at] = 0x80;
            let err = classify(Operation::Pay, 200, &body).unwrap_err();
            assert_eq!(err.status(), Status::Unknown);
        }
    }

    #[test]
    fn garbled_answers_are_unknown() {
        for (body, msg) in [
            (&b""[..], "unexpected answer: empty answer"),
            (
                b"<html>oops</html>",
                "unexpected answer: not a PayWizard answer",
            ),
            (
                br#"{"code":200,"msg":"success","data":null}"#,
                "unexpected answer: code 200 but no data",
            ),
            (
                br#"{"code":200,"msg":"success","data":{"checkoutId":"1"}}"#,
                "unexpected answer: no result in the answer",
            ),
        ] {
            let err = classify(Operation::IssuePoints, 200, body).unwrap_err();
            assert!(err.to_string().starts_with(msg), "{err}");
            assert_eq!(err.status(), Status::Unknown);
        }
    }

    #[test]
    fn balance_answers_need_balances_not_a_result() {
        let ok = br#"{"code":200,"msg":"success","data":{"accountId":"1","balances":[{"valueCode":"Points","amount":53,"difference":0}]}}"#;
        assert!(classify(Operation::Balance, 200, ok).is_ok());
        let none = br#"{"code":200,"msg":"success","data":{"accountId":"1"}}"#;
        assert_eq!(
            classify(Operation::Activate, 200, none).unwrap_err(),
            ClientError::Malformed("no balances in the answer".into())
        );
    }

    const QUERY_OK: &str = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 15:34:05","data":{"accountId":"914639258868515","balances":[{"valueCode":"USD","amount":1534.1,"difference":0},{"valueCode":"Points","amount":53,"difference":0}],"customerInfo":{"customerType":"1","firstName":"Jon1","middleName":"Mid2","lastName":"Doe3"}}}"#;

    #[test]
    fn extra_keys_and_nulls_do_not_turn_an_approval_into_unknown() {
        // Issue 11, case 6: each of these was "unknown" while PayWizard had approved it.
        let pay_cases = [
            PAY_OK.replace(r#""result":0"#, r#""result":0,"cardStatus":"ACTIVE""#),
            PAY_OK.replace(r#""mid":"202507081058""#, r#""mid":null"#),
            PAY_OK.replace(r#""msg":"success""#, r#""msg":null"#),
            PAY_OK.replace(
                r#""timestamp":"2025-07-24 13:06:10""#,
                r#""timestamp":1753362370"#,
            ),
            PAY_OK.replace(r#""code":200,"#, r#""code":200,"traceId":{"a":[1,2]},"#),
        ];
        for body in &pay_cases {
            let data = classify(Operation::Pay, 200, body.as_bytes())
                .unwrap_or_else(|e| panic!("{body}: {e}"));
            assert_eq!(data.checkout_id.as_deref(), Some("933392815902294016"));
        }
        let query_cases = [
            QUERY_OK.replace(r#""accountId""#, r#""cardStatus":"ACTIVE","accountId""#),
            QUERY_OK.replace(r#""difference":0}"#, r#""difference":0,"cardStatus":"A"}"#),
            QUERY_OK.replace(r#""difference":0"#, r#""difference":null"#),
            QUERY_OK.replace(r#""amount":53,"difference":0"#, r#""amount":53"#),
            QUERY_OK.replace(r#""middleName":"Mid2""#, r#""middleName":null"#),
            QUERY_OK.replace(
                r#""lastName":"Doe3""#,
                r#""lastName":"Doe3","loyaltyTier":"gold""#,
            ),
            QUERY_OK.replace(r#""customerType":"1""#, r#""customerType":1"#),
            QUERY_OK.replace(
                r#"{"customerType":"1","firstName":"Jon1","middleName":"Mid2","lastName":"Doe3"}"#,
                "null",
            ),
        ];
        for body in &query_cases {
            for op in [Operation::Balance, Operation::Activate] {
                let data =
                    classify(op, 200, body.as_bytes()).unwrap_or_else(|e| panic!("{body}: {e}"));
                assert_eq!(data.balances.unwrap()[1].display(), "53 pts", "{body}");
            }
        }
    }

    #[test]
    fn a_wrong_type_where_the_money_depends_on_it_is_unknown() {
        for body in [
            // `result` decides whether money moved: the documented Integer, nothing else.
            PAY_OK.replace(r#""result":0"#, r#""result":"0""#),
            PAY_OK.replace(r#""result":0"#, r#""result":null"#),
            // checkoutId goes back as oriOrderNo: a number may already have lost digits.
            PAY_OK.replace(r#""933392815902294016""#, "933392815902294016"),
            PAY_OK.replace(r#""amount":"10.50""#, r#""amount":"ten""#),
            PAY_OK.replace(r#""code":200"#, r#""code":"200""#),
        ] {
            let err = classify(Operation::Pay, 200, body.as_bytes()).unwrap_err();
            assert_eq!(err.status(), Status::Unknown, "{body}: {err}");
        }
        let bad_balance = QUERY_OK.replace(r#""amount":53,"#, r#""amount":null,"#);
        let err = classify(Operation::Balance, 200, bad_balance.as_bytes()).unwrap_err();
        assert!(matches!(err, ClientError::Malformed(_)), "{err}");
    }

    #[test]
    fn a_checkout_id_that_is_not_plain_letters_and_digits_is_not_trusted() {
        for id in [
            r"9333\u001b[2J",
            "9333 9281",
            "12/../34",
            "",
            &"9".repeat(65),
        ] {
            let body = PAY_OK.replace("933392815902294016", id);
            let err = classify(Operation::Pay, 200, body.as_bytes()).unwrap_err();
            assert_eq!(err.status(), Status::Unknown, "{id}");
            assert!(err.data().is_none(), "no checkoutId is kept from it");
        }
        let void = r#"{"code":200,"msg":"success","data":{"checkoutId":"1","oriCheckoutId":"1;2","result":0}}"#;
        assert!(classify(Operation::Void, 200, void.as_bytes()).is_err());
    }

    #[test]
    fn server_text_reaches_nobody_with_control_characters() {
        let hostile = r"=HYPERLINK(1)\u001b]0;owned\u0007\u001b[2J\r\nINJECTED\u202e";
        let declined = with_result("1", hostile);
        let err = classify(Operation::Pay, 200, declined.as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "declined: =HYPERLINK(1) ]0;owned [2J INJECTED"
        );
        let refused = format!(r#"{{"code":403,"msg":"{hostile}","data":null}}"#);
        let err = classify(Operation::Pay, 403, refused.as_bytes()).unwrap_err();
        assert!(!err.to_string().chars().any(char::is_control), "{err}");
        let garbled = format!(r#"{{"code":200,"msg":"x","data":{{"result":"{hostile}"}}}}"#);
        let err = classify(Operation::Pay, 200, garbled.as_bytes()).unwrap_err();
        assert!(!err.to_string().chars().any(char::is_control), "{err}");
        let query = QUERY_OK
            .replace(r#""valueCode":"USD""#, r#""valueCode":"USD\u001b[31m""#)
            .replace(
                r#""firstName":"Jon1""#,
                r#""firstName":"\u001b]0;x\u0007Jon""#,
            );
        let data = classify(Operation::Balance, 200, query.as_bytes()).unwrap();
        assert_eq!(data.balances.as_ref().unwrap()[0].value_code, "USD [31m");
        let echo = data.customer_info.unwrap();
        assert_eq!(
            echo.get(crate::api::CustomerField::FirstName),
            Some("]0;x Jon")
        );
    }

    #[test]
    fn only_not_sent_is_retryable() {
        assert!(ClientError::NotSent("refused".into()).is_retryable());
        assert!(!ClientError::NoAnswer("timed out".into()).is_retryable());
        assert_eq!(ClientError::NotSent("x".into()).status(), Status::Rejected);
        assert_eq!(ClientError::NoAnswer("x".into()).status(), Status::Unknown);
    }
}

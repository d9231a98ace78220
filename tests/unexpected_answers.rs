//! Answers the till did not expect, from a tiny raw HTTP server on loopback standing in for
//! PayWizard (or a proxy in front of it): HTML error pages, empty bodies, `data: null`, an
//! unknown `result`, a body past the 256 KiB limit, invalid UTF-8, truncated JSON, a
//! connection cut mid-body, a redirect. The real binary (`issue-points --json`, sandbox
//! mode) must give a clear status and the exit code docs/ARCHITECTURE.md promises, journal
//! the row as unknown (or rejected when nothing can have moved), never approved, and never
//! panic. Also: answers with extra keys and nulls still approve, and text from the server
//! never reaches a terminal or a spreadsheet raw.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{CARD, SECRET, TOKEN, journal_in, run_till, sandbox_env, stderr, stdout};
use paywizard_till::journal::Journal;
use paywizard_till::outcome::RowState;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A server that answers every request with the same raw bytes, then closes.
struct Canned {
    base_url: String,
    hits: Arc<AtomicUsize>,
}

async fn serve(raw: Vec<u8>) -> Canned {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base_url = format!("http://{}", listener.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&hits);
    tokio::spawn(async move {
        while let Ok((mut sock, _)) = listener.accept().await {
            counter.fetch_add(1, Ordering::SeqCst);
            let raw = raw.clone();
            tokio::spawn(async move {
                read_request(&mut sock).await;
                // The client may stop reading (size limit) and close: ignore write errors.
                let _ = sock.write_all(&raw).await;
                let _ = sock.shutdown().await;
            });
        }
    });
    Canned { base_url, hits }
}

/// Reads one request: the head, then as many body bytes as Content-Length says.
async fn read_request(sock: &mut TcpStream) {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    while buf.len() < head_end + length {
        match sock.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn response(status: &str, content_type: &str, body: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .into_bytes();
    raw.extend_from_slice(body);
    raw
}

const APPROVED: &str = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 13:06:10","data":{"mid":"202507081058","paywizardId":"10020000080","checkoutId":"933392815902294016","transIndexCode":"100200000807293844967","amount":"25","result":0}}"#;

/// An approved answer except that its `msg` is `filler`: if any check were skipped, the
/// till would call it approved.
fn approved_with_msg(filler: &[u8]) -> Vec<u8> {
    let (head, tail) = APPROVED.split_once(r#""success""#).unwrap();
    let mut body = head.as_bytes().to_vec();
    body.push(b'"');
    body.extend_from_slice(filler);
    body.push(b'"');
    body.extend_from_slice(tail.as_bytes());
    body
}

struct Case {
    name: &'static str,
    raw: Vec<u8>,
    status: &'static str,
    exit: i32,
    /// Part of the message the cashier sees.
    says: &'static str,
}

fn cases() -> Vec<Case> {
    let html = b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head><body><h1>Sorry</h1></body></html>";
    // 0xFF at byte 79: decoded lossily it is a 3-byte U+FFFD straddling the 80-byte mark
    // where the error text used to be cut (that cut panicked).
    let mut invalid_utf8 = approved_with_msg(&[b'x'; 60]);
    invalid_utf8[79] = 0xFF;
    let huge = approved_with_msg(&vec![b'a'; 300 * 1024]);
    let mut cut_mid_body = response("200 OK", "application/json", APPROVED.as_bytes());
    cut_mid_body.truncate(cut_mid_body.len() - 40);
    vec![
        Case {
            name: "HTML page with 200",
            raw: response("200 OK", "text/html", html),
            status: "unknown",
            exit: 2,
            says: "not a PayWizard answer",
        },
        Case {
            name: "HTML page with 502",
            raw: response("502 Bad Gateway", "text/html", html),
            status: "unknown",
            exit: 2,
            says: "HTTP 502",
        },
        Case {
            name: "empty body with 200",
            raw: response("200 OK", "application/json", b""),
            status: "unknown",
            exit: 2,
            says: "empty answer",
        },
        Case {
            name: "data null with code 200",
            raw: response(
                "200 OK",
                "application/json",
                br#"{"code":200,"msg":"success","timestamp":"2025-07-24 13:06:10","data":null}"#,
            ),
            status: "unknown",
            exit: 2,
            says: "code 200 but no data",
        },
        Case {
            name: "unknown result 7",
            raw: response(
                "200 OK",
                "application/json",
                APPROVED
                    .replace(r#""result":0"#, r#""result":7"#)
                    .as_bytes(),
            ),
            status: "unknown",
            exit: 2,
            says: "unknown result 7",
        },
        Case {
            name: "approval padded past 256 KiB",
            raw: response("200 OK", "application/json", &huge),
            status: "unknown",
            exit: 2,
            says: "larger than 256 KiB",
        },
        Case {
            name: "approval with invalid UTF-8",
            raw: response("200 OK", "application/json", &invalid_utf8),
            status: "unknown",
            exit: 2,
            says: "not a PayWizard answer",
        },
        Case {
            name: "truncated JSON",
            raw: response(
                "200 OK",
                "application/json",
                &APPROVED.as_bytes()[..APPROVED.len() / 2],
            ),
            status: "unknown",
            exit: 2,
            says: "not a PayWizard answer",
        },
        Case {
            name: "connection closed mid-body",
            raw: cut_mid_body,
            status: "unknown",
            exit: 2,
            says: "sent, but no answer",
        },
        Case {
            name: "HTML 401 (refused before it could move anything)",
            raw: response("401 Unauthorized", "text/html", b"<h1>401</h1>"),
            status: "rejected",
            exit: 1,
            says: "HTTP 401",
        },
    ]
}

async fn issue_points(base_url: &str, journal: &std::path::Path) -> std::process::Output {
    let args: Vec<String> = [
        "issue-points",
        "--account",
        CARD,
        "--points",
        "25",
        "--json",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let env = sandbox_env(base_url, journal);
    tokio::task::spawn_blocking(move || run_till(&args, &env))
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unexpected_answers_are_never_approved() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    for case in cases() {
        let server = serve(case.raw).await;
        let out = issue_points(&server.base_url, &journal).await;
        let name = case.name;
        let (o, e) = (stdout(&out), stderr(&out));
        assert!(!e.contains("panicked"), "{name}: the till panicked: {e}");
        for text in [&o, &e] {
            assert!(
                !text.contains(SECRET) && !text.contains(TOKEN),
                "{name}: {text}"
            );
        }
        assert_eq!(
            out.status.code(),
            Some(case.exit),
            "{name}: exit code; stdout {o} stderr {e}"
        );
        let v: Value = serde_json::from_str(o.trim())
            .unwrap_or_else(|err| panic!("{name}: not one JSON object ({err}): {o} {e}"));
        assert_eq!(v["status"], case.status, "{name}: {v}");
        let msg = v["msg"].as_str().unwrap();
        assert!(msg.contains(case.says), "{name}: {msg}");
        if case.status == "unknown" {
            assert!(
                msg.contains("do NOT repeat the sale"),
                "{name}: the cashier is told not to repeat it: {msg}"
            );
        } else {
            // In the operation's own words (outcome::nothing_moved).
            assert!(msg.contains("no points moved"), "{name}: {msg}");
        }
        assert!(
            msg.len() < 400,
            "{name}: message stays readable ({} bytes)",
            msg.len()
        );
        assert_eq!(server.hits.load(Ordering::SeqCst), 1, "{name}: sent once");

        let order = v["tranOrderNo"].as_str().expect("a journaled request");
        let reader = Journal::open_read_only(&journal).unwrap();
        let row = reader
            .find(order)
            .unwrap()
            .expect("the row is in the journal");
        let want = if case.status == "unknown" {
            RowState::Unknown
        } else {
            RowState::Rejected
        };
        assert_eq!(row.state, want, "{name}: journal row");
        assert_eq!(
            row.checkout_id, None,
            "{name}: no checkoutId taken from garbage"
        );
    }
}

/// A redirect is not followed: the signed body and the token never go anywhere else.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn redirects_are_not_followed() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let elsewhere = serve(response("200 OK", "application/json", APPROVED.as_bytes())).await;
    let location = format!(
        "{}/ovstrade/openLoyaltyPay/loyaltyIssuance",
        elsewhere.base_url
    );
    let raw = format!(
        "HTTP/1.1 307 Temporary Redirect\r\nLocation: {location}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    let server = serve(raw.into_bytes()).await;
    let out = issue_points(&server.base_url, &journal).await;
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(out.status.code(), Some(1), "{v}");
    assert_eq!(v["status"], "rejected");
    assert!(v["msg"].as_str().unwrap().contains("HTTP 307"), "{v}");
    assert_eq!(server.hits.load(Ordering::SeqCst), 1);
    assert_eq!(
        elsewhere.hits.load(Ordering::SeqCst),
        0,
        "the redirect target was never contacted"
    );
}

async fn till(args: &[&str], base_url: &str, journal: &std::path::Path) -> std::process::Output {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env = sandbox_env(base_url, journal);
    tokio::task::spawn_blocking(move || run_till(&args, &env))
        .await
        .unwrap()
}

/// Bytes no terminal or spreadsheet should ever get from a server: ESC (OSC and CSI
/// sequences), BEL, CR, LF inside a field, C1 CSI, a bidirectional override.
fn assert_no_controls(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes);
    for (i, line) in text.split('\n').enumerate() {
        assert!(
            !line.chars().any(|c| c.is_control() || c == '\u{202e}'),
            "{what}: line {i} carries a control character: {line:?}"
        );
    }
}

const QUERY: &str = r#"{"code":200,"msg":"success","timestamp":"2025-07-24 15:34:05","data":{"accountId":"6274000000000014","balances":[{"valueCode":"USD","amount":1534.1,"difference":0},{"valueCode":"Points","amount":53,"difference":0}],"customerInfo":{"customerType":"1","firstName":"Jon1","middleName":"Mid2","lastName":"Doe3"}}}"#;

/// Issue 11, case 6: real servers add fields and send nulls. Each of these answers approves
/// through the real client and binary; before, each was reported as unknown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_with_extra_keys_and_nulls_are_still_approved() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let approvals = [
        APPROVED.replace(r#""result":0"#, r#""result":0,"cardStatus":"ACTIVE""#),
        APPROVED.replace(r#""mid":"202507081058""#, r#""mid":null"#),
        APPROVED.replace(
            r#""timestamp":"2025-07-24 13:06:10""#,
            r#""timestamp":null"#,
        ),
    ];
    for body in approvals {
        let server = serve(response("200 OK", "application/json", body.as_bytes())).await;
        let out = issue_points(&server.base_url, &journal).await;
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(out.status.code(), Some(0), "{body}: {v} {}", stderr(&out));
        assert_eq!(v["status"], "approved", "{body}");
        assert_eq!(v["checkoutId"], "933392815902294016", "{body}");
    }
    let balances = [
        QUERY.replace(r#""accountId""#, r#""cardStatus":"ACTIVE","accountId""#),
        QUERY.replace(
            r#""amount":53,"difference":0"#,
            r#""amount":53,"difference":0,"cardStatus":"A""#,
        ),
        QUERY.replace(r#""difference":0"#, r#""difference":null"#),
        QUERY.replace(r#""middleName":"Mid2""#, r#""middleName":null"#),
        QUERY.replace(
            r#""lastName":"Doe3""#,
            r#""lastName":"Doe3","cardStatus":"gold""#,
        ),
    ];
    for body in balances {
        let server = serve(response("200 OK", "application/json", body.as_bytes())).await;
        let out = till(
            &["balance", "--account", CARD, "--json"],
            &server.base_url,
            &journal,
        )
        .await;
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(out.status.code(), Some(0), "{body}: {v} {}", stderr(&out));
        assert_eq!(v["status"], "approved", "{body}");
        assert_eq!(v["balances"][1]["amount"], 53, "{body}");
    }
}

/// Where the money depends on a field, a wrong type is not guessed at: `result` as a string
/// and `checkoutId` as a number leave the sale unknown (exit 2), never approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_type_where_money_depends_on_it_is_unknown() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    for body in [
        APPROVED.replace(r#""result":0"#, r#""result":"0""#),
        APPROVED.replace(r#""933392815902294016""#, "933392815902294016"),
        APPROVED.replace("933392815902294016", r"93339\u001b[2J"),
    ] {
        let server = serve(response("200 OK", "application/json", body.as_bytes())).await;
        let out = issue_points(&server.base_url, &journal).await;
        assert_no_controls("stdout", &out.stdout);
        let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
        assert_eq!(out.status.code(), Some(2), "{body}: {v}");
        assert_eq!(v["status"], "unknown", "{body}");
        assert_eq!(v["checkoutId"], Value::Null, "{body}");
    }
}

/// Issue 11, case 7: an escape-laden `msg` from a server never reaches a terminal (text or
/// `--json`), the journal, or `export --csv` raw, and a formula in it stays text.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_text_never_reaches_a_terminal_or_a_spreadsheet_raw() {
    let dir = tempfile::tempdir().unwrap();
    let journal = journal_in(&dir);
    let hostile = r#"=HYPERLINK(\"http://evil.example\",\"refund\")\u001b]0;pwned\u0007\u001b[2J\r\nINJECTED,row\u009b31m\u202e"#;
    let declined = approved_with_msg(hostile.as_bytes()).replace_result(1);
    let server = serve(response("200 OK", "application/json", &declined)).await;

    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00"],
        &server.base_url,
        &journal,
    )
    .await;
    assert_eq!(out.status.code(), Some(1), "declined: {}", stdout(&out));
    assert_no_controls("text stdout", &out.stdout);
    assert_no_controls("text stderr", &out.stderr);
    assert!(
        stdout(&out).contains("=HYPERLINK"),
        "the reason is still shown: {}",
        stdout(&out)
    );

    let out = till(
        &["pay", "--account", CARD, "--amount", "1.00", "--json"],
        &server.base_url,
        &journal,
    )
    .await;
    let v: Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    let msg = v["msg"].as_str().unwrap();
    assert!(
        !msg.chars().any(char::is_control) && !msg.contains('\u{202e}'),
        "{msg:?}"
    );
    assert!(msg.contains("INJECTED,row"), "{msg:?}");

    let out = till(&["history", "--json"], &server.base_url, &journal).await;
    assert_no_controls("history", &out.stdout);
    assert!(
        stdout(&out).contains("INJECTED"),
        "the journal kept the cleaned reason"
    );

    let csv_path = dir.path().join("export.csv");
    let out = till(
        &["export", "--csv", csv_path.to_str().unwrap()],
        &server.base_url,
        &journal,
    )
    .await;
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let bytes = std::fs::read(&csv_path).unwrap();
    assert!(
        !bytes.iter().any(|b| matches!(b, 0x1b | 0x07 | b'\r')),
        "no ESC, BEL or CR in the file"
    );
    assert_no_controls("csv", &bytes);
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let header = reader.headers().unwrap().clone();
    let msg_col = header.iter().position(|h| h == "msg").unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 2, "two sales, two rows: no line was injected");
    for row in &rows {
        assert!(
            row[msg_col].starts_with("'=HYPERLINK"),
            "{:?}",
            &row[msg_col]
        );
        for cell in row.iter() {
            assert!(
                !cell.trim_start().starts_with(['=', '+', '-', '@']),
                "a cell a spreadsheet would run: {cell:?}"
            );
        }
    }
}

trait ReplaceResult {
    fn replace_result(self, result: u8) -> Vec<u8>;
}

impl ReplaceResult for Vec<u8> {
    fn replace_result(self, result: u8) -> Vec<u8> {
        String::from_utf8(self)
            .unwrap()
            .replace(r#""result":0"#, &format!(r#""result":{result}"#))
            .into_bytes()
    }
}

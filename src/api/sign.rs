//! PayWizard signature V3: lowercase hex HMAC-SHA256, keyed with the client secret's bytes,
//! over the exact body bytes followed by `&clientId={id}&clientSecret={secret}`.
//!
//! The caller serializes the body once and passes those bytes both here and to the HTTP
//! client; nothing in between may re-encode them (docs/protocol.md, "Signing").

use hmac::{Hmac, Mac};
use sha2::Sha256;

type HmacSha256 = Hmac<Sha256>;

/// The `sign` header value for `body`.
pub fn sign(body: &[u8], client_id: &str, client_secret: &str) -> String {
    hex::encode(mac(body, client_id, client_secret).finalize().into_bytes())
}

/// Checks a received `sign` header against the body bytes as received, in constant time.
pub fn verify(body: &[u8], client_id: &str, client_secret: &str, signature: &str) -> bool {
    // The header must be exactly 64 lowercase hex digits; upper case is not PayWizard's form.
    if signature.len() != 64
        || !signature
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    {
        return false;
    }
    match hex::decode(signature) {
        Ok(expected) => mac(body, client_id, client_secret)
            .verify_slice(&expected)
            .is_ok(),
        Err(_) => false,
    }
}

fn mac(body: &[u8], client_id: &str, client_secret: &str) -> HmacSha256 {
    let mut mac =
        HmacSha256::new_from_slice(client_secret.as_bytes()).expect("HMAC takes keys of any size");
    mac.update(body);
    mac.update(b"&clientId=");
    mac.update(client_id.as_bytes());
    mac.update(b"&clientSecret=");
    mac.update(client_secret.as_bytes());
    mac
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "9fb645400aabaa33ee0e423405d8c676";
    const CLIENT: &str = "825420368247390208";

    /// docs/protocol.md, "Signing": the guide's curl example, reproduced byte for byte.
    #[test]
    fn reproduces_the_documented_curl_signature() {
        let body = b"{\r\n    \"clientId\": \"825420368247390208\",\r\n    \"pushId\":\"942783670425616384\"\r\n}";
        assert_eq!(body.len(), 78);
        assert_eq!(
            sign(body, CLIENT, SECRET),
            "57ba54072ed2aaa4b2905c41e7c91fd1395ef8f6f76e6e7cdbefe7a88437de6c"
        );
    }

    /// The same body with LF endings or compacted signs differently: bytes matter.
    #[test]
    fn whitespace_and_line_endings_change_the_signature() {
        let lf = b"{\n    \"clientId\": \"825420368247390208\",\n    \"pushId\":\"942783670425616384\"\n}";
        assert_eq!(
            sign(lf, CLIENT, SECRET),
            "edb08a9773be7c96dac07a988f84ec772b775214b4ad0c9badcf5aea06aa80ce"
        );
        let compact = br#"{"clientId":"825420368247390208","pushId":"942783670425616384"}"#;
        assert_eq!(
            sign(compact, CLIENT, SECRET),
            "fb5264002178c1d3e39124cfca7a432b552651842b154381eac23f31ad77138c"
        );
    }

    #[test]
    fn reproduces_the_derived_vector_for_the_guides_step_two_string() {
        let body = br#"{"clientId":"client12345","merchantId":"10800000003","posId":"D31231234567890","terminalId":"12345678","terminalSn":"WP123987987897"}"#;
        assert_eq!(
            sign(body, "client12345", SECRET),
            "78b9b617d2e60c54bba722cb5dcaf6be6999f3a7552bfce274280be0009049c5"
        );
    }

    #[test]
    fn verify_accepts_only_the_exact_signature() {
        let body = br#"{"a":1}"#;
        let good = sign(body, CLIENT, SECRET);
        assert!(verify(body, CLIENT, SECRET, &good));
        assert!(!verify(body, CLIENT, "another-secret", &good));
        assert!(!verify(br#"{"a":2}"#, CLIENT, SECRET, &good));
        assert!(!verify(body, CLIENT, SECRET, &good.to_uppercase()));
        assert!(!verify(body, CLIENT, SECRET, ""));
        assert!(!verify(body, CLIENT, SECRET, &good[..63]));
    }
}

//! Magnetic-stripe track parsing (ISO/IEC 7813 tracks as a keyboard-wedge reader types them).
//!
//! A swipe arrives as one burst holding track 1 (`%B<PAN>^<NAME>^<YYMM><service>…?`), track 2
//! (`;<PAN>=<YYMM><service>…?`), or both back to back (readers commonly send track 1 then
//! track 2, sometimes track 3 as `+…?`). A track the reader could not read comes as `%E?` /
//! `;E?`.
//!
//! Only the account (PAN) and the cardholder name survive the parse: the expiry, service code
//! and discretionary data are checked for shape and dropped, and the caller drops the raw
//! text straight after. Nothing here keeps a copy.

use super::scanner::Swipe;

/// The longest PAN ISO/IEC 7812 allows.
const MAX_PAN_DIGITS: usize = 19;

/// Parses the text of one swipe. `None` means the read failed or is not track data: the
/// cashier is asked to swipe again (`Routed::SwipeError`).
///
/// One unreadable track does not fail the swipe when another track gave the account (readers
/// send `%E?;6274…?` when only track 1 is damaged). Two readable tracks whose PANs differ do:
/// one of them was misread.
pub fn parse(data: &str) -> Option<Swipe> {
    let mut rest = data;
    let mut track1: Option<Track1> = None;
    let mut track2: Option<String> = None;
    let (mut seen1, mut seen2) = (false, false);
    while let Some(start) = rest.chars().next() {
        let after_start = &rest[start.len_utf8()..];
        let end = after_start.find('?')?;
        let body = &after_start[..end];
        rest = &after_start[end + 1..];
        let unreadable = body == "E";
        match start {
            '%' if !seen1 => {
                seen1 = true;
                if !unreadable {
                    track1 = Some(parse_track1(body)?);
                }
            }
            ';' if !seen2 => {
                seen2 = true;
                if !unreadable {
                    track2 = Some(parse_track2(body)?);
                }
            }
            // Track 3 as some readers send it after track 2; nothing in it is used. A second
            // `;` track is track 3 in the readers that reuse the track-2 sentinel.
            '+' | ';' => {}
            _ => return None,
        }
    }
    match (track1, track2) {
        (Some(t1), Some(pan2)) if t1.pan != pan2 => None,
        (Some(t1), _) => Some(Swipe {
            account: t1.pan,
            name: t1.name,
        }),
        (None, Some(pan)) => Some(Swipe {
            account: pan,
            name: None,
        }),
        (None, None) => None,
    }
}

struct Track1 {
    pan: String,
    name: Option<String>,
}

/// `B<PAN>^<NAME>^<rest>` (sentinels already removed). Some issuers print the PAN on track 1
/// in groups separated by spaces; the spaces are not part of the account.
fn parse_track1(body: &str) -> Option<Track1> {
    let body = body.strip_prefix('B')?;
    let mut fields = body.splitn(3, '^');
    let pan_field = fields.next()?;
    let name_field = fields.next()?;
    let rest = fields.next()?;
    if !pan_field.chars().all(|c| c.is_ascii_digit() || c == ' ') {
        return None;
    }
    let pan: String = pan_field.chars().filter(char::is_ascii_digit).collect();
    if !(1..=MAX_PAN_DIGITS).contains(&pan.len()) {
        return None;
    }
    if name_field.chars().chain(rest.chars()).any(char::is_control) {
        return None;
    }
    Some(Track1 {
        pan,
        name: display_name(name_field),
    })
}

/// `<PAN>=<YYMM><service><discretionary>` (sentinels already removed). Gift and loyalty cards
/// often carry the PAN alone, with no separator or expiry; that is accepted.
fn parse_track2(body: &str) -> Option<String> {
    let (pan, rest) = body.split_once('=').unwrap_or((body, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if !(1..=MAX_PAN_DIGITS).contains(&pan.len()) || !digits(pan) || !digits(rest) {
        return None;
    }
    Some(pan.to_owned())
}

/// ISO/IEC 7813 names are `SURNAME/FIRST MIDDLE.TITLE`, upper case, space padded. The form
/// wants `First Middle Surname`; the title is dropped. A blank name (gift cards) is `None`.
fn display_name(raw: &str) -> Option<String> {
    let (last, given) = raw.split_once('/').unwrap_or((raw, ""));
    let given = given.split_once('.').map_or(given, |(g, _title)| g);
    let words: Vec<&str> = given
        .split_whitespace()
        .chain(last.split_whitespace())
        .collect();
    if words.is_empty() {
        return None;
    }
    Some(title_case(&words.join(" ")))
}

/// `O'BRIEN-SMITH` -> `O'Brien-Smith`: a letter is capitalised when it does not follow a
/// letter. (`MCDONALD` becomes `Mcdonald`; the track does not say better.)
fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut after_letter = false;
    for c in s.chars() {
        if after_letter {
            out.extend(c.to_lowercase());
        } else {
            out.extend(c.to_uppercase());
        }
        after_letter = c.is_alphabetic();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn swipe(account: &str, name: Option<&str>) -> Option<Swipe> {
        Some(Swipe {
            account: account.into(),
            name: name.map(str::to_owned),
        })
    }

    #[test]
    fn track1_gives_account_and_name() {
        assert_eq!(
            parse("%B6274000000000014^LOVELACE/ADA^2512101?"),
            swipe("6274000000000014", Some("Ada Lovelace"))
        );
    }

    #[test]
    fn track2_gives_account_without_name() {
        assert_eq!(
            parse(";6274000000000014=2512101?"),
            swipe("6274000000000014", None)
        );
        assert_eq!(parse(";6274000000000014?"), swipe("6274000000000014", None));
    }

    #[test]
    fn both_tracks_give_one_swipe() {
        assert_eq!(
            parse("%B6274000000000014^LOVELACE/ADA^2512101?;6274000000000014=2512101?"),
            swipe("6274000000000014", Some("Ada Lovelace"))
        );
        // Track 3 after them is ignored.
        assert_eq!(
            parse(";6274000000000014=2512101?;0112345?"),
            swipe("6274000000000014", None)
        );
        assert_eq!(
            parse(";6274000000000014=2512101?+0112345?"),
            swipe("6274000000000014", None)
        );
    }

    #[test]
    fn one_unreadable_track_is_not_a_failure() {
        assert_eq!(
            parse("%E?;6274000000000014=2512101?"),
            swipe("6274000000000014", None)
        );
        assert_eq!(
            parse("%B6274000000000014^LOVELACE/ADA^2512101?;E?"),
            swipe("6274000000000014", Some("Ada Lovelace"))
        );
    }

    #[test]
    fn error_tracks_and_garbage_fail() {
        for bad in [
            "%E?",
            ";E?",
            "%E?;E?",
            "%",
            "%B6274000000000014^LOVELACE/ADA^2512101", // no end sentinel
            "%hello world?",
            "%B^ADA^2512?",                                             // no PAN
            "%B62740000000000140000^A/B^2512?",                         // 22 digits
            "%B6274X00^A/B^2512?",                                      // letter in PAN
            "%B6274000000000014^LOVELACE/ADA?",                         // no second separator
            ";6274000000000014=25AB?",                                  // letters in track 2
            ";=2512?",                                                  // no PAN
            "%B6274000000000014^A/B^2512?junk",                         // trailing garbage
            "%B6274000000000014^A/B^2512?%B6274000000000014^A/B^2512?", // track 1 twice
            "%B6274000000000014^A/B^2512?;6274000000000099=2512?",      // PANs disagree
            "%E??",
            "?",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn names_are_reordered_trimmed_and_title_cased() {
        let name = |raw: &str| display_name(raw);
        assert_eq!(name("LOVELACE/ADA"), Some("Ada Lovelace".into()));
        assert_eq!(name("  LOVELACE /ADA    "), Some("Ada Lovelace".into()));
        assert_eq!(
            name("LOVELACE/ADA KING.MS"),
            Some("Ada King Lovelace".into())
        );
        assert_eq!(
            name("O'BRIEN-SMITH/MARY"),
            Some("Mary O'Brien-Smith".into())
        );
        assert_eq!(name("CARDHOLDER"), Some("Cardholder".into()));
        assert_eq!(name("  /  "), None);
        assert_eq!(name(""), None);
    }

    proptest::proptest! {
        #[test]
        fn never_panics(text in "[%;?+^=/EB0-9 A-Z\u{2}é]{0,40}") {
            let _ = parse(&text);
        }
    }

    #[test]
    fn spaces_in_a_track1_pan_are_dropped() {
        assert_eq!(
            parse("%B3742 454554 00126^SMITH/JO^2512101?"),
            swipe("374245455400126", Some("Jo Smith"))
        );
    }
}

//! The keys, in one place: what selects each operation, and the lists the help bar and the
//! help overlay show, so what is drawn never disagrees with what works.

use crate::api::Operation;

/// The function key (F2..F9) and Alt+letter that select an operation.
pub fn operation_keys(op: Operation) -> (u8, char) {
    match op {
        Operation::IssuePoints => (2, 'i'),
        Operation::TopUp => (3, 'u'),
        Operation::Pay => (4, 'p'),
        Operation::RedeemPoints => (5, 'r'),
        Operation::Balance => (6, 'b'),
        Operation::Activate => (7, 'a'),
        Operation::Void => (8, 'v'),
        Operation::Tip => (9, 't'),
    }
}

pub fn operation_for_f_key(n: u8) -> Option<Operation> {
    Operation::ALL
        .into_iter()
        .find(|op| operation_keys(*op).0 == n)
}

pub fn operation_for_alt(c: char) -> Option<Operation> {
    let c = c.to_ascii_lowercase();
    Operation::ALL
        .into_iter()
        .find(|op| operation_keys(*op).1 == c)
}

/// The full key list for the help overlay: (keys, what they do). Each description is
/// kept to 50 columns so the overlay fits an 80-column till.
pub const HELP: &[(&str, &str)] = &[
    ("F2 F3 F4 F5", "Issue points · Top-up · Pay · Redeem points"),
    ("F6 F7 F8 F9", "Balance · Activate · Void · Tip"),
    ("Alt+I U P R B A V T", "the same eight operations by letter"),
    ("Enter", "send (only when every field is valid)"),
    ("Tab, Shift+Tab, Up/Down", "next / previous field"),
    ("Esc", "clear the form for the next customer"),
    ("Ctrl+E", "entry type: K keyed B scan M swipe P tap"),
    ("Ctrl+O", "customer info open/close (Top-up, Activate)"),
    (
        "Space, Y/N, letter",
        "switch a toggle; pick a listed choice",
    ),
    ("Ctrl+N", "use the swiped card's name for the customer"),
    ("Ctrl+L or Alt+H", "history: Up/Down PgUp/PgDn Home/End"),
    ("V / T in the history", "void / tip the selected sale"),
    ("Ctrl+R", "recovery: requests with no known outcome"),
    ("Ctrl+T", "today's totals"),
    ("Ctrl+P", "receipt of the last approved operation"),
    ("Ctrl+U, Ctrl+W", "delete the field / the last word"),
    ("F1 or ?", "this help; Esc closes it"),
    (
        "Ctrl+Q, Ctrl+C, q",
        "quit (q outside text; asks if sending)",
    ),
];

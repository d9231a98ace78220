//! Wrapping text to a width before it is drawn, so a pane knows how many rows it needs and
//! no sentence is ever cut off at the edge.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

/// Splits `text` into lines of at most `width` columns, on spaces where possible.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let word_len = word.chars().count();
        let line_len = line.chars().count();
        if line_len > 0 && line_len + 1 + word_len > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
        while line.chars().count() > width {
            let head: String = line.chars().take(width).collect();
            let rest: String = line.chars().skip(width).collect();
            lines.push(head);
            line = rest;
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Wraps a styled line on spaces, keeping each piece's style and the spacing inside a
/// line; the spaces where it breaks are dropped. A word longer than the width is broken.
pub fn wrap_line(line: Line<'static>, width: usize) -> Vec<Line<'static>> {
    let width = width.max(1);
    if line.width() <= width {
        return vec![line];
    }
    let line_style = line.style;
    // Units: runs of spaces, and words (which may span several styled pieces).
    let mut units: Vec<(bool, Vec<(String, Style)>)> = Vec::new();
    for span in &line.spans {
        for ch in span.content.chars() {
            let space = ch == ' ';
            match units.last_mut() {
                Some((s, pieces)) if *s == space => match pieces.last_mut() {
                    Some((text, style)) if *style == span.style => text.push(ch),
                    _ => pieces.push((ch.to_string(), span.style)),
                },
                _ => units.push((space, vec![(ch.to_string(), span.style)])),
            }
        }
    }
    let len = |pieces: &[(String, Style)]| pieces.iter().map(|(t, _)| t.chars().count()).sum();
    let mut out: Vec<Line<'static>> = Vec::new();
    let mut current: Vec<Span<'static>> = Vec::new();
    let mut used: usize = 0;
    let mut pending: Option<Vec<(String, Style)>> = None;
    for (space, pieces) in units {
        if space {
            // Spaces at the start of a continued line are where it broke: dropped.
            if used > 0 || out.is_empty() {
                pending = Some(pieces);
            }
            continue;
        }
        let gap = pending.as_deref().map_or(0, len);
        let word: usize = len(&pieces);
        if used > 0 && used + gap + word > width {
            out.push(Line::from(std::mem::take(&mut current)).style(line_style));
            used = 0;
        } else if let Some(spaces) = pending.take() {
            for (text, style) in spaces {
                used += text.chars().count();
                current.push(Span::styled(text, style));
            }
        }
        pending = None;
        for (text, style) in pieces {
            let mut rest = text;
            while used + rest.chars().count() > width {
                let room = width.saturating_sub(used);
                let head: String = rest.chars().take(room).collect();
                rest = rest.chars().skip(room).collect();
                if !head.is_empty() {
                    current.push(Span::styled(head, style));
                }
                out.push(Line::from(std::mem::take(&mut current)).style(line_style));
                used = 0;
            }
            used += rest.chars().count();
            if !rest.is_empty() {
                current.push(Span::styled(rest, style));
            }
        }
    }
    if !current.is_empty() || out.is_empty() {
        out.push(Line::from(current).style(line_style));
    }
    out
}

/// Wraps every line.
pub fn wrap_lines(lines: Vec<Line<'static>>, width: usize) -> Vec<Line<'static>> {
    lines
        .into_iter()
        .flat_map(|l| wrap_line(l, width))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(lines: &[Line]) -> Vec<String> {
        lines.iter().map(ToString::to_string).collect()
    }

    #[test]
    fn words_are_never_cut_when_they_fit() {
        let line = Line::from(vec![
            Span::raw("May have gone through — "),
            Span::styled("do NOT repeat the sale.", Style::new().bold()),
        ]);
        let wrapped = wrap_line(line, 20);
        assert_eq!(
            text(&wrapped),
            ["May have gone", "through — do NOT", "repeat the sale."]
        );
        assert!(wrapped.iter().all(|l| l.width() <= 20));
    }

    #[test]
    fn a_word_longer_than_the_width_is_broken_and_nothing_is_lost() {
        let line = Line::from("tranOrderNo 20261123105612004200000001");
        let wrapped = wrap_line(line, 12);
        assert!(wrapped.iter().all(|l| l.width() <= 12), "{wrapped:?}");
        assert_eq!(
            text(&wrapped).concat(),
            "tranOrderNo20261123105612004200000001"
        );
    }

    #[test]
    fn spacing_inside_a_line_is_kept_and_dropped_where_it_breaks() {
        let line = Line::from(vec![
            Span::raw(" Ctrl+Q   "),
            Span::raw("quit from anywhere"),
        ]);
        assert_eq!(
            text(&wrap_line(line, 18)),
            [" Ctrl+Q   quit", "from anywhere"]
        );
    }

    #[test]
    fn styled_words_that_touch_stay_together() {
        let line = Line::from(vec![
            Span::raw("Card "),
            Span::raw("**** "),
            Span::raw("0014."),
        ]);
        assert_eq!(text(&wrap_line(line, 9)), ["Card ****", "0014."]);
        let glued = Line::from(vec![Span::raw("USD"), Span::raw("5.00")]);
        assert_eq!(text(&wrap_line(glued, 80)), ["USD5.00"]);
    }
}

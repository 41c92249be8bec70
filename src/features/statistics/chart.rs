//! Server-rendered SVG charts: horizontal bars with their numbers beside them, weekly
//! columns, and a weekday × hour heat map. Pure functions returning markup; every text they
//! carry is escaped here, since the page inserts the SVG as it is. Colours follow the page's
//! text colour (`currentColor`), so they fit light and dark themes.

use crate::jobs::mail::html_escape as esc;
use std::fmt::Write;

/// One bar: its label, its value and the value as the reader writes it.
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub shown: String,
}

/// The `<svg>` element of a chart `w` × `h` pixels, named `title`; the page's CSS narrows
/// it (keeping its proportions) where the screen is narrower.
fn open(class: &str, w: i64, h: i64, title: &str) -> String {
    format!(
        "<svg class=\"{class}\" viewBox=\"0 0 {w} {h}\" width=\"{w}\" height=\"{h}\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    )
}

/// At most `max` characters, an ellipsis standing for the rest (the full text is in the
/// bar's `<title>` and in the table beside the chart).
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}…", s.chars().take(max - 1).collect::<String>()) }
}

const ROW: i64 = 26;
const LABEL_W: i64 = 140;
const BAR_W: i64 = 160;

/// Horizontal bars, longest = full width, each with its label before and number after.
pub fn bars(title: &str, items: &[Bar]) -> String {
    let max = items.iter().map(|b| b.value).max().unwrap_or(0).max(1);
    let h = ROW * items.len().max(1) as i64;
    let w = LABEL_W + BAR_W + 60;
    let mut s = open("chart", w, h, title);
    for (i, b) in items.iter().enumerate() {
        let y = ROW * i as i64;
        let len = b.value.max(0) * BAR_W / max;
        let _ = write!(
            s,
            "<g><title>{label} — {shown}</title>\
             <text x=\"{lx}\" y=\"{ty}\" text-anchor=\"end\" font-size=\"13\" fill=\"currentColor\">{short}</text>\
             <rect x=\"{LABEL_W}\" y=\"{ry}\" width=\"{len}\" height=\"18\" rx=\"2\" fill=\"currentColor\" fill-opacity=\"0.55\"/>\
             <text x=\"{vx}\" y=\"{ty}\" font-size=\"13\" fill=\"currentColor\">{shown}</text></g>",
            label = esc(&b.label),
            short = esc(&clip(&b.label, 19)),
            shown = esc(&b.shown),
            lx = LABEL_W - 8,
            ty = y + 18,
            ry = y + 5,
            vx = LABEL_W + len + 6,
        );
    }
    s.push_str("</svg>");
    s
}

/// A 7 × 24 grid: rows are the weekdays (`days`, Monday first), columns the hours; each
/// cell's shade is its count over the busiest cell's, its `<title>` says the count
/// (`cell_title(day, hour, count)`).
pub fn heat_map(
    title: &str,
    days: &[&str; 7],
    grid: &[[i64; 24]; 7],
    cell_title: impl Fn(usize, usize, i64) -> String,
) -> String {
    const CELL: i64 = 22;
    const LEFT: i64 = 48;
    const TOP: i64 = 18;
    let max = grid.iter().flatten().copied().max().unwrap_or(0).max(1);
    let (w, h) = (LEFT + CELL * 24, TOP + CELL * 7);
    let mut s = open("chart heat", w, h, title);
    for hour in (0..24).step_by(3) {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"12\" text-anchor=\"middle\" font-size=\"11\" fill=\"currentColor\">{hour:02}</text>",
            LEFT + CELL * hour + CELL / 2
        );
    }
    for (d, row) in grid.iter().enumerate() {
        let y = TOP + CELL * d as i64;
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\" fill=\"currentColor\">{}</text>",
            LEFT - 6,
            y + 15,
            esc(days[d])
        );
        for (hour, &n) in row.iter().enumerate() {
            // A light floor keeps empty cells visible as cells.
            let opacity = if n == 0 { 0.04 } else { 0.15 + 0.85 * n as f64 / max as f64 };
            let _ = write!(
                s,
                "<rect x=\"{}\" y=\"{y}\" width=\"{}\" height=\"{}\" fill=\"currentColor\" fill-opacity=\"{opacity:.2}\"><title>{}</title></rect>",
                LEFT + CELL * hour as i64,
                CELL - 2,
                CELL - 2,
                esc(&cell_title(d, hour, n))
            );
        }
    }
    s.push_str("</svg>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_cannot_break_out_of_the_markup_and_long_ones_are_clipped() {
        let svg = bars("t", &[Bar { label: "<script>alert('x')</script> & co".into(), value: 3, shown: "3".into() }]);
        assert!(!svg.contains("<script>"));
        assert!(svg.contains("<title>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co — 3</title>"), "{svg}");
        assert!(svg.contains(">&lt;script&gt;alert(&#39;x&#39;)…</text>"), "{svg}");
    }

    #[test]
    fn the_longest_bar_fills_the_width_and_the_others_scale() {
        let svg = bars(
            "t",
            &[
                Bar { label: "a".into(), value: 10, shown: "10".into() },
                Bar { label: "b".into(), value: 5, shown: "5".into() },
                Bar { label: "c".into(), value: 0, shown: "0".into() },
            ],
        );
        assert!(svg.contains(&format!("width=\"{BAR_W}\"")));
        assert!(svg.contains(&format!("width=\"{}\"", BAR_W / 2)));
        assert!(svg.contains("width=\"0\""));
        assert_eq!(svg.matches("<rect").count(), 3);
    }

    #[test]
    fn the_heat_map_has_a_cell_an_hour_and_shades_by_count() {
        let mut grid = [[0; 24]; 7];
        grid[1][10] = 4;
        grid[4][15] = 2;
        let days = ["L", "M", "M", "J", "V", "S", "D"];
        let svg = heat_map("h", &days, &grid, |d, h, n| format!("{d}-{h}: {n}"));
        assert_eq!(svg.matches("<rect").count(), 7 * 24);
        assert!(svg.contains("fill-opacity=\"1.00\"><title>1-10: 4</title>"));
        assert!(svg.contains("fill-opacity=\"0.57\"><title>4-15: 2</title>"));
        assert!(svg.contains("fill-opacity=\"0.04\"><title>0-0: 0</title>"));
    }
}

//! Compensation ranges → an accessible inline SVG range chart, drawn at build time. Pure: the
//! same data always gives the same bytes. Colours come from CSS custom properties so the chart
//! follows the page's light or dark scheme; the table beside it is its text equivalent.

use std::fmt::Write as _;

use pulldown_cmark_escape::escape_html;

/// One row of the chart: a level and its range, or none published.
pub(crate) struct Bar<'a> {
    pub(crate) label: &'a str,
    pub(crate) range: Option<(u64, u64)>,
}

// A narrow canvas keeps the text legible when a phone scales the chart down to ~300 px.
const WIDTH: u64 = 400;
const SIDE: u64 = 18;
const ROW_HEIGHT: u64 = 52;
const TOP: u64 = 8;
const AXIS_HEIGHT: u64 = 28;
const STEP: u64 = 50_000;

/// `$87,500` for USD; other currencies are written with their code (`EUR 87,500`).
pub(crate) fn money(amount: u64, currency: &str) -> String {
    let digits = amount.to_string();
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(c);
    }
    match currency {
        "USD" => format!("${grouped}"),
        code => format!("{code} {grouped}"),
    }
}

pub(crate) fn compensation(bars: &[Bar], currency: &str, title: &str, description: &str) -> String {
    // Whatever the figures (swapped, zero, near u64::MAX), the axis is ordered, has at most a
    // dozen ticks, and positions are computed without overflow.
    let ranges = || bars.iter().filter_map(|b| b.range);
    let lowest = ranges().map(|(a, b)| a.min(b)).min().unwrap_or(0);
    let highest = ranges().map(|(a, b)| a.max(b)).max().unwrap_or(STEP);
    let steps = highest.div_ceil(STEP) - lowest / STEP;
    let step = STEP.saturating_mul(steps.div_ceil(12).max(1));
    let axis_min = lowest / step * step;
    let axis_max = highest.div_ceil(step).saturating_mul(step);
    let span = u128::from((axis_max - axis_min).max(1));
    let plot = WIDTH - 2 * SIDE;
    let x = |value: u64| {
        let offset = u128::from(value.clamp(axis_min, axis_max) - axis_min);
        SIDE + u64::try_from(offset * u128::from(plot) / span).unwrap_or(plot)
    };
    let axis_y = TOP + ROW_HEIGHT * bars.len() as u64;
    let height = axis_y + AXIS_HEIGHT;

    let mut svg = String::new();
    let _ = write!(
        svg,
        "<svg class=\"range-chart\" role=\"img\" aria-labelledby=\"comp-chart-title comp-chart-desc\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" style=\"max-width:34rem\" xmlns=\"http://www.w3.org/2000/svg\">\
<title id=\"comp-chart-title\">{}</title><desc id=\"comp-chart-desc\">{}</desc>",
        text(title),
        text(description)
    );
    let mut tick = axis_min;
    while tick <= axis_max {
        let _ = write!(
            svg,
            "<line x1=\"{x}\" y1=\"{TOP}\" x2=\"{x}\" y2=\"{axis_y}\" style=\"stroke:var(--chart-grid,#c8ccd2)\" stroke-width=\"1\"/>\
<text x=\"{x}\" y=\"{}\" text-anchor=\"middle\" font-size=\"12\" style=\"fill:var(--chart-text,#3b4048)\">{}k</text>",
            axis_y + 18,
            money(tick / 1000, currency),
            x = x(tick)
        );
        let Some(next) = tick.checked_add(step) else {
            break;
        };
        tick = next;
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + ROW_HEIGHT * i as u64;
        let range_text = match bar.range {
            Some((min, max)) => format!("{}–{}", money(min, currency), money(max, currency)),
            None => "No published range".to_string(),
        };
        let _ = write!(
            svg,
            "<text x=\"{SIDE}\" y=\"{}\" font-size=\"14\" font-weight=\"600\" style=\"fill:var(--chart-text,#1f2328)\">{}</text>\
<text x=\"{}\" y=\"{}\" font-size=\"14\" text-anchor=\"end\"{} style=\"fill:var(--chart-text,#1f2328)\">{}</text>",
            y + 18,
            text(bar.label),
            WIDTH - SIDE,
            y + 18,
            if bar.range.is_none() {
                " font-style=\"italic\""
            } else {
                ""
            },
            text(&range_text)
        );
        if let Some((min, max)) = bar.range {
            let (left, right) = (x(min.min(max)), x(min.max(max)));
            let _ = write!(
                svg,
                "<rect class=\"range-bar\" data-min=\"{min}\" data-max=\"{max}\" x=\"{left}\" y=\"{}\" width=\"{}\" height=\"14\" rx=\"7\" style=\"fill:var(--chart-bar,#1d5fb4)\"/>",
                y + 28,
                (right - left).max(2),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn text(value: &str) -> String {
    let mut out = String::new();
    escape_html(&mut out, value).expect("writing to a String cannot fail");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn money_groups_thousands() {
        assert_eq!(money(87_500, "USD"), "$87,500");
        assert_eq!(money(1_000_000, "USD"), "$1,000,000");
        assert_eq!(money(999, "EUR"), "EUR 999");
    }

    #[test]
    fn bars_carry_their_values_and_missing_ranges_say_so() {
        let svg = compensation(
            &[
                Bar {
                    label: "Junior",
                    range: Some((87_500, 126_500)),
                },
                Bar {
                    label: "Principal <x>",
                    range: None,
                },
            ],
            "USD",
            "Pay",
            "Ranges",
        );
        assert!(svg.contains("data-min=\"87500\" data-max=\"126500\""));
        assert!(svg.contains("$87,500–$126,500"));
        assert!(svg.contains("No published range"));
        assert!(svg.contains("Principal &lt;x&gt;"));
        assert!(svg.starts_with("<svg") && svg.contains("role=\"img\""));
    }

    #[test]
    fn swapped_and_extreme_figures_draw_an_ordered_axis() {
        for range in [
            (200_000, 100_000),
            (0, u64::MAX),
            (u64::MAX, u64::MAX),
            (0, 0),
        ] {
            let svg = compensation(
                &[Bar {
                    label: "Junior",
                    range: Some(range),
                }],
                "USD",
                "Pay",
                "Ranges",
            );
            assert!(svg.ends_with("</svg>"), "{range:?}");
            assert!(
                svg.matches("<line").count() <= 14,
                "{range:?}: at most a dozen ticks"
            );
        }
    }
}

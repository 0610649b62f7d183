//! Compensation ranges → an accessible range chart (HTML text, inline SVG bars), drawn at build
//! time. Pure and panic-free on any figures: the same data always gives the same bytes. Colours come from CSS custom properties so the chart
//! follows the page's light or dark scheme; the table beside it is its text equivalent.

use std::fmt::Write as _;

/// One row of the chart: a level and its range, or none published.
pub(crate) struct Bar<'a> {
    pub(crate) label: &'a str,
    pub(crate) range: Option<(u64, u64)>,
}

// A narrow canvas keeps the text legible when a phone scales the chart down to ~300 px.
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

/// The chart: one row per level, its name and range as HTML text (so phones never shrink the
/// text, however narrow the chart) above an SVG strip that stretches to the width and holds the
/// gridlines and the bar; an axis of HTML labels below. The whole is one image for assistive
/// technology, named by `title` and described by `description`.
pub(crate) fn compensation(bars: &[Bar], currency: &str, title: &str, description: &str) -> String {
    let ranges = || bars.iter().filter_map(|b| b.range);
    let lowest = ranges().map(|(a, b)| a.min(b)).min().unwrap_or(0);
    let highest = ranges().map(|(a, b)| a.max(b)).max().unwrap_or(STEP);
    let axis_min = lowest / STEP * STEP;
    let axis_max = highest
        .div_ceil(STEP)
        .saturating_mul(STEP)
        .max(axis_min.saturating_add(STEP));
    let ticks: Vec<u64> = (0..=(axis_max - axis_min) / STEP)
        .take(40)
        .map(|i| axis_min + i * STEP)
        .collect();
    // Positions in tenths of a percent of the plot's width.
    let at = |value: u64| -> u64 {
        let clamped = value.clamp(axis_min, axis_max) - axis_min;
        (u128::from(clamped) * 1000 / u128::from((axis_max - axis_min).max(1))) as u64
    };
    let percent = |permille: u64| format!("{}.{}%", permille / 10, permille % 10);

    let mut html = String::new();
    let _ = write!(
        html,
        "<div class=\"range-chart\" role=\"img\" aria-labelledby=\"comp-chart-title\" aria-describedby=\"comp-chart-desc\">\
<p id=\"comp-chart-title\" hidden>{}</p><p id=\"comp-chart-desc\" hidden>{}</p>",
        text(title),
        text(description)
    );
    let gridlines: String = ticks
        .iter()
        .map(|&tick| {
            let x = at(tick);
            format!(
                "<line x1=\"{x}\" x2=\"{x}\" y1=\"0\" y2=\"16\" vector-effect=\"non-scaling-stroke\" style=\"stroke:var(--chart-grid,#c8ccd2)\"/>"
            )
        })
        .collect();
    for bar in bars {
        let range_text = match bar.range {
            Some((min, max)) => format!("{}–{}", money(min, currency), money(max, currency)),
            None => "No published range".to_string(),
        };
        let _ = write!(
            html,
            "<div class=\"rc-row\"><p class=\"rc-label\"><b>{}</b> <span{}>{}</span></p>\
<svg class=\"rc-strip\" viewBox=\"0 0 1000 16\" preserveAspectRatio=\"none\" aria-hidden=\"true\" focusable=\"false\">{gridlines}",
            text(bar.label),
            if bar.range.is_none() {
                " class=\"none\""
            } else {
                ""
            },
            text(&range_text)
        );
        if let Some((min, max)) = bar.range {
            let (left, right) = (at(min.min(max)), at(min.max(max)));
            let _ = write!(
                html,
                "<rect class=\"range-bar\" data-min=\"{min}\" data-max=\"{max}\" x=\"{left}\" y=\"2\" width=\"{}\" height=\"12\" style=\"fill:var(--chart-bar,#1d5fb4)\"/>",
                (right - left).max(4),
            );
        }
        html.push_str("</svg></div>");
    }
    html.push_str("<p class=\"rc-axis\">");
    for &tick in &ticks {
        let _ = write!(
            html,
            "<span style=\"left:{}\">{}k</span>",
            percent(at(tick)),
            money(tick / 1000, currency)
        );
    }
    html.push_str("</p></div>");
    html
}

fn text(value: &str) -> String {
    crate::model::html::escape(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_or_reversed_figures_draw_without_panicking() {
        for range in [
            (0, 0),
            (u64::MAX, 0),
            (u64::MAX, u64::MAX),
            (5, u64::MAX),
            (200_000, 100_000),
        ] {
            let html = compensation(
                &[Bar {
                    label: "L",
                    range: Some(range),
                }],
                "USD",
                "t",
                "d",
            );
            assert!(html.contains("range-bar"), "{range:?}");
        }
        let html = compensation(
            &[Bar {
                label: "L",
                range: Some((200_000, 100_000)),
            }],
            "USD",
            "t",
            "d",
        );
        assert!(
            html.contains("x=\"0\"") && html.contains("width=\"1000\""),
            "{html}"
        );
    }

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
        assert!(svg.contains("role=\"img\"") && svg.contains("<svg"));
    }
}

//! The forecast and its evaluation as self-contained HTML pages (inline SVG; no scripts, styles
//! or fonts from elsewhere): the shop's weekly total with the forecast and its 80% band, and the
//! products forecast to sell most.

use super::evaluate::Evaluation;
use super::{day_string, ItemFacts, ShopForecast, MS_PER_WEEK};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const PAGE_HEAD: &str = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Shelfwise sales forecast</title></head>\n<body style=\"font-family:system-ui,sans-serif;max-width:860px;margin:2em auto\">\n";

/// A line chart of weekly units: `past` (grey), then `future` actuals (black, when known) and
/// the forecast (blue) with its band, all starting where `past` ends.
pub fn shop_chart(title: &str, past: &[f64], future: &[f64], forecast: &[(f64, f64, f64)]) -> String {
    let weeks = past.len() + forecast.len().max(future.len());
    let max = past.iter().chain(future).copied().chain(forecast.iter().map(|f| f.2)).fold(1.0f64, f64::max) * 1.05;
    let (width, height, left, top, bottom) = (760.0, 280.0, 60.0, 30.0, 30.0);
    let x = |w: f64| left + (width - left - 10.0) * w / (weeks.max(2) - 1) as f64;
    let y = |v: f64| top + (height - top - bottom) * (1.0 - v / max);
    let line = |values: &mut dyn Iterator<Item = (f64, f64)>| {
        values.map(|(w, v)| format!("{:.1},{:.1}", x(w), y(v))).collect::<Vec<_>>().join(" ")
    };
    let start = past.len() as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{0}\">\n<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{0}</text>\n",
        esc(title)
    );
    for step in 0..=4 {
        let v = max * f64::from(step) / 4.0;
        svg += &format!(
            "<line x1=\"{left}\" x2=\"{:.1}\" y1=\"{1:.1}\" y2=\"{1:.1}\" stroke=\"#e3e6ea\"/><text x=\"{2:.1}\" y=\"{3:.1}\" font-size=\"10\" text-anchor=\"end\">{v:.0}</text>\n",
            width - 10.0,
            y(v),
            left - 4.0,
            y(v) + 3.0
        );
    }
    let upper = forecast.iter().enumerate().map(|(h, f)| (start + h as f64, f.2));
    let lower = forecast.iter().enumerate().rev().map(|(h, f)| (start + h as f64, f.1));
    svg += &format!("<polygon points=\"{}\" fill=\"#cfe0f5\"><title>80% interval</title></polygon>\n", line(&mut upper.chain(lower)));
    svg += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#9aa5b1\" stroke-width=\"2\"/>\n",
        line(&mut past.iter().enumerate().map(|(w, &v)| (w as f64, v)))
    );
    if !future.is_empty() {
        svg += &format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#222\" stroke-width=\"2\"><title>actual</title></polyline>\n",
            line(&mut future.iter().enumerate().map(|(h, &v)| (start + h as f64, v)))
        );
    }
    svg += &format!(
        "<polyline points=\"{}\" fill=\"none\" stroke=\"#1b6ac9\" stroke-width=\"2\" stroke-dasharray=\"5 3\"><title>forecast</title></polyline>\n",
        line(&mut forecast.iter().enumerate().map(|(h, f)| (start + h as f64, f.0)))
    );
    svg + "</svg>\n<p style=\"font-size:90%\">Grey: units sold per week. Blue dashes: the forecast, shaded: its 80% interval. Black: what sold.</p>\n"
}

/// The products table: (item, forecast, low, high, actual when known).
fn products_table(rows: &[(usize, f64, f64, f64, Option<f64>)], facts: &ItemFacts) -> String {
    let mut out = String::from("<table style=\"border-collapse:collapse;font-size:90%\"><tr><th align=left>product</th><th align=left>title</th><th>forecast</th><th>80% interval</th><th>actual</th></tr>\n");
    for &(i, f, lo, hi, actual) in rows {
        out += &format!(
            "<tr><td>{}</td><td>{}</td><td align=right>{f:.0}</td><td align=right>{lo:.0}–{hi:.0}</td><td align=right>{}</td></tr>\n",
            esc(&facts.id[i]),
            esc(&facts.title[i]),
            actual.map_or_else(|| "–".to_owned(), |a| format!("{a:.0}"))
        );
    }
    out + "</table>\n"
}

/// The evaluation page: per split, the table of every method, the shop's total against the
/// actuals and the top products of the shown method.
pub fn evaluation_html(evaluations: &[Evaluation], facts: &ItemFacts) -> String {
    let mut out = String::from(PAGE_HEAD);
    out += "<h1>Sales forecast evaluation</h1>\n";
    for e in evaluations {
        out += &evaluation_section(e, facts);
    }
    out + "</body></html>\n"
}

/// One split's part of a page: the table, the shop total against the actuals and the top
/// products of the shown method.
pub fn evaluation_section(e: &Evaluation, facts: &ItemFacts) -> String {
    let mut out = format!(
        "<h2>Sales forecast from {}</h2>\n<p>Weekly units per product (docs/FORECAST.md); scores over each horizon's total per product sold before the split.</p>\n<pre>{}</pre>\n",
        day_string(e.split_ms),
        esc(&e.render())
    );
    if let Some(shown) = &e.shown {
        let title = format!("Shop total per week, {} forecast from {}", super::evaluate::SHOWN_METHOD.name(), day_string(e.split_ms));
        out += &shop_chart(&title, &e.shop_history, &e.shop_actual[..shown.horizon], &shown.shop_weeks);
        let rows: Vec<_> = shown.top.iter().map(|&(i, f, lo, hi, a)| (i, f, lo, hi, Some(a))).collect();
        out += &format!("<h3>Top products, {} weeks</h3>\n{}", shown.horizon, products_table(&rows, facts));
    }
    out
}

/// The forecast page: the shop's total and the products forecast to sell most.
pub fn forecast_html(made: &ShopForecast, facts: &ItemFacts) -> String {
    let past = made.sales.shop_units();
    let title = format!("Shop total per week and the {} forecast from {}", made.forecast.method.name(), made.week_start(0));
    let totals: Vec<f64> = (0..made.sales.items).map(|i| made.forecast.total(i)).collect();
    let rows: Vec<_> = super::metrics::top_indices(&totals, super::metrics::TOP)
        .into_iter()
        .map(|i| {
            let (lo, hi) = made.forecast.total_intervals.interval(totals[i]);
            (i, totals[i], lo, hi, None)
        })
        .collect();
    let first = day_string(made.sales.end_ms - made.sales.weeks as i64 * MS_PER_WEEK);
    format!(
        "{PAGE_HEAD}<h1>Sales forecast</h1>\n<p>{} weeks of sales from {first}; {} weeks forecast.</p>\n{}<h3>Top products, next {} weeks</h3>\n{}</body></html>\n",
        made.sales.weeks,
        made.horizon(),
        shop_chart(&title, &past, &[], &made.forecast.shop_weeks()),
        made.horizon(),
        products_table(&rows, facts)
    )
}

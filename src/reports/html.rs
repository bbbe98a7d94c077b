//! The report as a self-contained HTML page: per experiment, charts of each estimate per arm
//! with its 95% interval as a whisker (inline SVG; no scripts, styles or fonts from elsewhere),
//! then the text table.

use super::analysis::{table, ExperimentEstimates};
use crate::measurement::estimate::Estimate;

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

const COLOURS: [&str; 6] = ["#9aa5b1", "#1b6ac9", "#c0a062", "#5e9c5a", "#b5534f", "#7b5ea7"];

/// One group of bars: a label and one estimate per series (arm).
type Group = (String, Vec<Option<Estimate>>);

/// A grouped bar chart in percent, each bar with its 95% interval; values and intervals are
/// clipped to the plot (an unbiased estimate of a small share can be negative).
fn chart(title: &str, series: &[String], groups: &[Group]) -> String {
    let extreme = groups.iter().flat_map(|g| g.1.iter().flatten()).flat_map(|e| [e.high, -e.low]).fold(0.01f64, f64::max);
    let (top_v, bottom_v) = (extreme * 1.1, groups.iter().flat_map(|g| g.1.iter().flatten()).map(|e| e.low).fold(0.0f64, f64::min) * 1.1);
    let (width, height, left, top, bottom) = (760.0, 280.0, 60.0, 40.0, 50.0);
    let plot_h = height - top - bottom;
    let y = |v: f64| top + plot_h * (top_v - v.clamp(bottom_v, top_v)) / (top_v - bottom_v).max(1e-12);
    let group_w = (width - left - 10.0) / groups.len().max(1) as f64;
    let bar_w = ((group_w - 16.0) / series.len().max(1) as f64).min(60.0);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{t}\">\n<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{t}</text>\n",
        t = esc(title)
    );
    for (i, name) in series.iter().enumerate() {
        svg.push_str(&format!(
            "<rect x=\"{:.0}\" y=\"26\" width=\"10\" height=\"10\" fill=\"{}\"/><text x=\"{:.0}\" y=\"35\" font-size=\"11\">{}</text>\n",
            left + 130.0 * i as f64,
            COLOURS[i % COLOURS.len()],
            left + 14.0 + 130.0 * i as f64,
            esc(name)
        ));
    }
    for step in 0..=4 {
        let v = bottom_v + (top_v - bottom_v) * f64::from(step) / 4.0;
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{:.0}\" y1=\"{yy:.1}\" y2=\"{yy:.1}\" stroke=\"#e3e6ea\"/><text x=\"{:.0}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{:.1}%</text>\n",
            width - 10.0,
            left - 4.0,
            y(v) + 3.0,
            100.0 * v,
            yy = y(v)
        ));
    }
    svg.push_str(&format!("<line x1=\"{left}\" x2=\"{:.0}\" y1=\"{z:.1}\" y2=\"{z:.1}\" stroke=\"#444\"/>\n", width - 10.0, z = y(0.0)));
    for (g, (label, values)) in groups.iter().enumerate() {
        let x0 = left + g as f64 * group_w + 8.0;
        for (s, value) in values.iter().enumerate() {
            let Some(e) = value else { continue };
            let name = format!("{label}, {}", series.get(s).map_or("", String::as_str));
            svg.push_str(&bar(x0 + s as f64 * bar_w, bar_w, COLOURS[s % COLOURS.len()], &name, e, &y));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
            x0 + bar_w * values.len() as f64 / 2.0,
            height - bottom + 16.0,
            esc(label)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// One bar from 0 to the estimate at `x`, with its 95% interval as a whisker and a tooltip.
fn bar(x: f64, bar_w: f64, colour: &str, name: &str, e: &Estimate, y: &dyn Fn(f64) -> f64) -> String {
    let (y0, y1) = (y(0.0), y(e.value));
    let cx = x + (bar_w - 3.0) / 2.0;
    format!(
        "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{colour}\"><title>{}: {:.2}% [{:.2}%, {:.2}%]</title></rect>\n\
         <path d=\"M{cx:.1} {:.1}V{:.1}M{:.1} {:.1}h6M{:.1} {:.1}h6\" stroke=\"#222\" fill=\"none\"/>\n",
        y0.min(y1),
        (bar_w - 3.0).max(1.0),
        (y0 - y1).abs(),
        esc(name),
        100.0 * e.value,
        100.0 * e.low,
        100.0 * e.high,
        y(e.low),
        y(e.high),
        cx - 3.0,
        y(e.low),
        cx - 3.0,
        y(e.high)
    )
}

/// The charts of one experiment.
fn experiment_section(e: &ExperimentEstimates) -> String {
    let names: Vec<String> = e.arms.iter().map(|a| format!("{} ({} device-days)", a.arm, a.device_days)).collect();
    let per_arm = |f: &dyn Fn(&super::analysis::ArmEstimates) -> Option<Estimate>| e.arms.iter().map(f).collect::<Vec<_>>();
    let rates: Vec<Group> =
        vec![("conversion rate".into(), per_arm(&|a| a.conversion)), ("clicked a shelf item".into(), per_arm(&|a| a.shelf_clicks))];
    let shares = |pick: fn(&super::analysis::ArmEstimates) -> &Vec<super::analysis::Share>| -> Vec<Group> {
        let Some(first) = e.arms.first() else { return Vec::new() };
        (0..pick(first).len()).map(|i| (pick(first)[i].name.clone(), per_arm(&|a| pick(a).get(i).and_then(|s| s.estimate)))).collect()
    };
    let name = e.experiment.as_deref().unwrap_or("(no experiment)");
    let mut html = format!("<h2>Experiment {}</h2>\n<p>Days {} to {}.</p>\n", esc(name), esc(&e.days.0), esc(&e.days.1));
    html.push_str(&chart("Per device-day", &names, &rates));
    html.push_str(&chart("Order value: share of orders", &names, &shares(|a| &a.order_value)));
    html.push_str(&chart("Orders via each shelf kind: share of orders", &names, &shares(|a| &a.order_shelf)));
    if !e.lift.is_empty() {
        let lift_names: Vec<String> = e.lift.iter().map(|l| format!("{} − control", l.arm)).collect();
        let groups: Vec<Group> = vec![
            ("conversion (points)".into(), e.lift.iter().map(|l| l.conversion_difference).collect()),
            ("shelf clicks (points)".into(), e.lift.iter().map(|l| l.shelf_clicks_difference).collect()),
        ];
        html.push_str(&chart("Lift over control", &lift_names, &groups));
    }
    html
}

/// The whole page.
pub fn html_page(experiments: &[ExperimentEstimates], title: &str) -> String {
    let mut html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:820px;margin:2em auto;color:#222}}pre{{background:#f5f6f8;padding:1em;overflow:auto}}</style></head><body>\n<h1>{t}</h1>\n<p>Estimates from ε-locally-differentially-private daily reports, debiased; each with its 95% interval (whiskers). An estimate of a small share can fall below zero: the randomization's noise, not an error. See docs/MEASUREMENT.md.</p>\n",
        t = esc(title)
    );
    for e in experiments {
        html.push_str(&experiment_section(e));
    }
    html.push_str(&format!("<h2>Table</h2>\n<pre>{}</pre>\n</body></html>\n", esc(&table(experiments))));
    html
}

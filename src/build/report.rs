//! The evaluation as a self-contained HTML page: the table and a bar chart in inline SVG (no
//! scripts, styles or fonts from elsewhere, so it opens anywhere and leaks nothing).

use super::eval::{EvalReport, TaskMetrics, TaskOf};

/// Escapes text for HTML.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// Picks one metric out of a task's results.
type Metric = fn(&TaskMetrics) -> f64;
/// Picks that metric's 95% bootstrap interval.
type Interval = fn(&TaskMetrics) -> [f64; 2];

const COLOURS: [&str; 7] = ["#1b6ac9", "#9aa5b1", "#c0a062", "#5e9c5a", "#b5534f", "#7b5ea7", "#2a9d8f"];

/// One grouped bar chart: for each metric, one bar per ranker, with its 95% bootstrap
/// interval as a whisker.
fn chart(report: &EvalReport, title: &str, task: TaskOf) -> String {
    let k = report.k;
    let metrics: [(String, Metric, Interval); 2] =
        [(format!("Recall@{k}"), |t| t.recall, |t| t.recall_ci), (format!("NDCG@{k}"), |t| t.ndcg, |t| t.ndcg_ci)];
    let max = report
        .rankers
        .iter()
        .flat_map(|r| metrics.iter().map(move |(_, m, ci)| m(task(r)).max(ci(task(r))[1])))
        .fold(0.0f64, f64::max)
        .max(1e-9)
        * 1.1;
    let (width, height, left, top, bottom) = (720.0, 260.0, 50.0, 30.0, 40.0);
    let plot_h = height - top - bottom;
    let group_w = (width - left - 10.0) / metrics.len() as f64;
    let bar_w = (group_w - 30.0) / report.rankers.len().max(1) as f64;
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" role=\"img\" aria-label=\"{}\">\n<text x=\"{left}\" y=\"18\" font-size=\"14\" font-weight=\"bold\">{}</text>\n",
        esc(title),
        esc(title)
    );
    for step in 0..=4 {
        let v = max * f64::from(step) / 4.0;
        let y = top + plot_h - plot_h * f64::from(step) / 4.0;
        svg.push_str(&format!(
            "<line x1=\"{left}\" x2=\"{}\" y1=\"{y:.1}\" y2=\"{y:.1}\" stroke=\"#e3e6ea\"/><text x=\"{:.1}\" y=\"{:.1}\" font-size=\"10\" text-anchor=\"end\">{v:.3}</text>\n",
            width - 10.0,
            left - 4.0,
            y + 3.0
        ));
    }
    for (g, (name, metric, interval)) in metrics.iter().enumerate() {
        let x0 = left + g as f64 * group_w + 15.0;
        for (r, ranker) in report.rankers.iter().enumerate() {
            let (v, [lo, hi]) = (metric(task(ranker)), interval(task(ranker)));
            let h = plot_h * v / max;
            let x = x0 + r as f64 * bar_w;
            svg.push_str(&format!(
                "<rect x=\"{x:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"{h:.1}\" fill=\"{}\"><title>{} {}: {v:.4} (95% CI {lo:.4} to {hi:.4})</title></rect>\n",
                top + plot_h - h,
                (bar_w - 2.0).max(1.0),
                COLOURS[r % COLOURS.len()],
                esc(&ranker.ranker),
                esc(name)
            ));
            let (xm, y_lo, y_hi) = (x + (bar_w - 2.0).max(1.0) / 2.0, top + plot_h - plot_h * lo / max, top + plot_h - plot_h * hi / max);
            svg.push_str(&format!(
                "<line class=\"ci\" x1=\"{xm:.1}\" x2=\"{xm:.1}\" y1=\"{y_lo:.1}\" y2=\"{y_hi:.1}\" stroke=\"#222\" stroke-width=\"1.5\"/>\n"
            ));
        }
        svg.push_str(&format!(
            "<text x=\"{:.1}\" y=\"{:.1}\" font-size=\"12\" text-anchor=\"middle\">{}</text>\n",
            x0 + (group_w - 30.0) / 2.0,
            height - bottom + 18.0,
            esc(name)
        ));
    }
    svg.push_str("</svg>\n");
    svg
}

/// The HTML page for `report`.
pub fn html_report(report: &EvalReport, title: &str) -> String {
    let mut legend = String::new();
    for (r, ranker) in report.rankers.iter().enumerate() {
        legend.push_str(&format!(
            "<span style=\"display:inline-block;width:12px;height:12px;background:{};margin:0 4px 0 12px\"></span>{}",
            COLOURS[r % COLOURS.len()],
            esc(&ranker.ranker)
        ));
    }
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{t}</title></head>\n<body style=\"font-family:sans-serif;max-width:900px;margin:2em auto\">\n<h1 style=\"font-size:20px\">{t}</h1>\n<p>{legend}</p>\n{c1}{c2}<pre>{table}</pre>\n<p>Full-catalog ranking, no sampled negatives; whiskers are 95% bootstrap intervals over shoppers; see docs/QUALITY.md for the protocol.</p>\n</body></html>\n",
        t = esc(title),
        c1 = chart(report, "for-you (truth: every item bought after the split)", |r| &r.for_you),
        c2 = chart(report, "discovery (truth: new items only; bought items left out)", |r| &r.discovery),
        table = esc(&report.table()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::build::eval::RankerResult;

    fn metrics(recall: f64, ndcg: f64) -> TaskMetrics {
        TaskMetrics {
            recall,
            ndcg,
            coverage: 0.5,
            shoppers: 3,
            recall_ci: [recall, recall],
            ndcg_ci: [ndcg, ndcg],
            per_shopper: Vec::new(),
        }
    }

    #[test]
    fn the_page_is_self_contained_and_shows_every_ranker() {
        let report = EvalReport {
            k: 20,
            split_ms: 0,
            catalog_items: 10,
            train_events: 5,
            test_events: 5,
            recall_definition: "hits / |truth|".to_owned(),
            rankers: vec![
                RankerResult { ranker: "shelfwise".to_owned(), for_you: metrics(0.3, 0.4), discovery: metrics(0.1, 0.2) },
                RankerResult { ranker: "<pop>".to_owned(), for_you: metrics(0.2, 0.1), discovery: metrics(0.05, 0.1) },
            ],
        };
        let html = html_report(&report, "split & test");
        assert!(html.contains("<svg") && html.contains("</html>"));
        assert!(html.contains("&lt;pop&gt;") && !html.contains("<pop>"));
        assert!(html.contains("split &amp; test"));
        assert_eq!(html.matches("<rect").count(), 2 * 2 * 2, "2 tasks × 2 metrics × 2 rankers");
        assert_eq!(html.matches("<line class=\"ci\"").count(), 2 * 2 * 2, "one interval whisker per bar");
        assert!(html.contains("95% bootstrap intervals") && html.contains("95% CI"));
        assert!(!html.contains("http://") || html.matches("http://").count() == html.matches("http://www.w3.org/2000/svg").count());
        assert!(!html.contains("<script") && !html.contains("src="));
    }
}

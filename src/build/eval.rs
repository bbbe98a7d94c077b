//! Offline evaluation: a temporal split of the events, a pack built from the past only, and
//! the "for you" shelf compared with simple baselines on what shoppers bought afterwards.
//!
//! * **Split**: train = events with `ts_ms < split`, test = events with `ts_ms >= split`.
//! * **Shoppers**: every shopper with at least one train event (with a catalog item) and at
//!   least one test purchase of a catalog item. For the *discovery* task, only those whose
//!   test purchases include an item they had not bought before the split.
//! * **Rankers** (all over the full catalog, no sampled negatives; every baseline uses the
//!   train part only):
//!   * `shelfwise`: the shelves a shop's page gets: the shopper's train events go through
//!     [`Engine::track`] and the shelf comes from [`Engine::shelf`] with `{ kind, k }` as of
//!     the split (`for-you` for the for-you task, `discovery` — never a bought item — for the
//!     discovery task), exactly what the browser's `track()` and `shelf(kind, { k, now })` run;
//!   * `popularity`: number of train purchase events per item (lines, not quantities);
//!   * `recent-popularity`: the same, counting only the 30 days before the split;
//!   * `item-knn`: cosine similarity on the binary shopper × item purchase matrix; an item's
//!     score is the sum of its similarities to the shopper's train-bought items (an item is
//!     not its own neighbour; nothing is left out in the for-you task);
//!   * `buy-again`: the shopper's own train purchases ranked by a time-decayed count
//!     (30-day half-life, age measured at the split), then filled with popularity;
//!   * `ease`: EASE ([`super::ease`], Steck 2019) fitted densely on the same binary matrix
//!     with λ = `--ease-lambda` (default chosen on split 2011-05-01 with `--ease-lambdas`);
//!     an item's score is `Σ_i B_ij` over the shopper's train-bought items `i`. In the
//!     discovery task it is EASE run with bought items left out, discovery's bar;
//!   * `buy-again+ease`: `α · buy-again + (1 − α) · ease`, each divided by the shopper's
//!     largest positive score first, with α = [`BUY_AGAIN_EASE_MIX`].
//!
//!   Ties (and the fill after a ranker's positive scores run out) follow train popularity,
//!   then catalog order.
//! * **Tasks**: `for-you` (truth = every distinct item bought after the split) and `discovery`
//!   (truth = test-bought items the shopper had not bought before; every ranker leaves out
//!   the shopper's train-bought items).
//! * **Metrics**, averaged over shoppers: Recall@K = hits / |truth| (the standard definition,
//!   so it cannot reach 1 when |truth| > K); NDCG@K with binary relevance and the ideal DCG
//!   over min(|truth|, K) positions; catalog coverage = distinct items recommended to any
//!   evaluated shopper / catalog size.
//! * **Intervals**: 95% percentile bootstrap over shoppers ([`BOOTSTRAP_RESAMPLES`] resamples
//!   drawn once per task with a fixed seed and shared by every ranker, so a margin between
//!   two rankers gets a paired interval too).

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use thiserror::Error;

use super::assemble::{assemble, BuildConfig, BuildError};
use super::ease::DenseEase;
use super::input::{CatalogItem, RawEvent};
use crate::blend::{BlendSettings, BlendWeights};
use crate::engine::{Engine, EventInput, MAX_K};
use crate::error::CoreError;
use crate::event::EventKind;
use crate::pack::PackError;
use crate::page::ShelfRequest;
use crate::profile::decay;
use crate::shelf::ShelfKind;

const MS_PER_DAY: i64 = 86_400_000;
/// Window of the recent-popularity baseline, in days before the split.
pub const RECENT_DAYS: i64 = 30;
/// Half-life of the buy-again baseline, in days.
pub const BUY_AGAIN_HALF_LIFE_DAYS: f64 = 30.0;
/// Names of the rankers, in table order.
pub const RANKERS: [&str; 7] = ["shelfwise", "popularity", "recent-popularity", "item-knn", "buy-again", "ease", "buy-again+ease"];
/// Share α of buy-again in the `buy-again+ease` baseline (chosen on split 2011-05-01 with
/// `--ease-lambdas`, which prints α from 0.3 to 0.7).
pub const BUY_AGAIN_EASE_MIX: f64 = 0.5;
/// Bootstrap resamples behind every interval.
pub const BOOTSTRAP_RESAMPLES: usize = 1000;
/// Seed of the bootstrap draws (fixed: the same run prints the same intervals).
pub const BOOTSTRAP_SEED: u64 = 0x5eed_b007;

/// Picks one task's metrics out of a ranker's results.
pub type TaskOf = fn(&RankerResult) -> &TaskMetrics;
/// Picks one task's (Recall, NDCG) out of a grid point.
type GridMetric = fn(&GridRow) -> (f64, f64);

/// Settings of one evaluation.
#[derive(Debug, Clone)]
pub struct EvalConfig {
    /// Shelf length K.
    pub k: usize,
    /// The split time (ms since the Unix epoch, UTC): train before, test from here on.
    pub split_ms: i64,
    /// How to build the pack from the train part.
    pub build: BuildConfig,
}

/// An evaluation failure.
#[derive(Debug, Error)]
pub enum EvalError {
    /// K is outside what a shelf may hold.
    #[error("k must be from 1 to {MAX_K}, got {0}")]
    BadK(usize),
    /// The split date could not be read.
    #[error("split date {0:?} is not a date like 2011-07-01")]
    BadDate(String),
    /// No event falls before the split.
    #[error("no event before the split: nothing to train on")]
    NoTrainEvents,
    /// Building the train pack failed.
    #[error(transparent)]
    Build(#[from] BuildError),
    /// Encoding the train pack failed.
    #[error("encoding the train pack failed: {0}")]
    Pack(#[from] PackError),
    /// The engine refused the pack or a request.
    #[error("engine: {0}")]
    Engine(#[from] CoreError),
}

/// Parses `YYYY-MM-DD` as midnight UTC, in ms since the Unix epoch.
pub fn parse_split_date(s: &str) -> Result<i64, EvalError> {
    let date = chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| EvalError::BadDate(s.to_owned()))?;
    let midnight = date.and_hms_opt(0, 0, 0).ok_or_else(|| EvalError::BadDate(s.to_owned()))?;
    Ok(midnight.and_utc().timestamp_millis())
}

/// Splits events in time: `(train, test)` with train `ts_ms < split_ms`, test `ts_ms >= split_ms`.
pub fn split_events(events: &[RawEvent], split_ms: i64) -> (Vec<RawEvent>, Vec<RawEvent>) {
    events.iter().cloned().partition(|e| e.ts_ms < split_ms)
}

/// Recall@K = hits in the first K of `ranked` / |truth| (0 for an empty truth).
pub fn recall_at_k(ranked: &[u32], truth: &HashSet<u32>, k: usize) -> f64 {
    if truth.is_empty() {
        return 0.0;
    }
    let hits = ranked.iter().take(k).filter(|i| truth.contains(i)).count();
    hits as f64 / truth.len() as f64
}

/// NDCG@K with binary relevance; the ideal DCG puts min(|truth|, K) hits first.
pub fn ndcg_at_k(ranked: &[u32], truth: &HashSet<u32>, k: usize) -> f64 {
    let gain = |r: usize| 1.0 / ((r + 2) as f64).log2();
    let ideal: f64 = (0..truth.len().min(k)).map(gain).sum();
    if ideal == 0.0 {
        return 0.0;
    }
    let dcg: f64 = ranked.iter().take(k).enumerate().filter(|(_, i)| truth.contains(i)).map(|(r, _)| gain(r)).sum();
    dcg / ideal
}

/// One shopper's result for one ranker and task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShopperScore {
    /// Shopper id.
    pub shopper: String,
    /// Recall@K.
    pub recall: f64,
    /// NDCG@K.
    pub ndcg: f64,
    /// The recommended item indices (catalog order), best first.
    pub ranked: Vec<u32>,
}

/// Averages of one ranker on one task.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TaskMetrics {
    /// Mean Recall@K.
    pub recall: f64,
    /// Mean NDCG@K.
    pub ndcg: f64,
    /// Distinct items recommended / catalog size.
    pub coverage: f64,
    /// Shoppers evaluated.
    pub shoppers: usize,
    /// 95% bootstrap interval of mean Recall@K over shoppers.
    #[serde(rename = "recallCi")]
    pub recall_ci: [f64; 2],
    /// 95% bootstrap interval of mean NDCG@K over shoppers.
    #[serde(rename = "ndcgCi")]
    pub ndcg_ci: [f64; 2],
    /// Per-shopper results (not written to JSON).
    #[serde(skip)]
    pub per_shopper: Vec<ShopperScore>,
}

/// One ranker's results.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RankerResult {
    /// Ranker name (see [`RANKERS`]).
    pub ranker: String,
    /// Truth = all test purchases.
    #[serde(rename = "forYou")]
    pub for_you: TaskMetrics,
    /// Truth = test purchases of items not bought before; train-bought items left out.
    pub discovery: TaskMetrics,
}

/// The whole evaluation.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvalReport {
    /// K.
    pub k: usize,
    /// Split time (ms since the Unix epoch).
    pub split_ms: i64,
    /// Catalog size.
    pub catalog_items: usize,
    /// Events before the split.
    pub train_events: usize,
    /// Events from the split on.
    pub test_events: usize,
    /// How recall is defined.
    pub recall_definition: String,
    /// One entry per ranker, in [`RANKERS`] order.
    pub rankers: Vec<RankerResult>,
}

impl EvalReport {
    /// The results as a plain-text table.
    pub fn table(&self) -> String {
        let k = self.k;
        let mut out = String::new();
        let first = self.rankers.first();
        out.push_str(&format!(
            "K = {k}; catalog {} items; train {} events, test {} events; shoppers: for-you {}, discovery {}\n",
            self.catalog_items,
            self.train_events,
            self.test_events,
            first.map_or(0, |r| r.for_you.shoppers),
            first.map_or(0, |r| r.discovery.shoppers),
        ));
        out.push_str("Recall@K = hits / |truth|; NDCG@K binary, ideal over min(|truth|, K)\n");
        let (r, n) = (format!("Recall@{k}"), format!("NDCG@{k}"));
        out.push_str(&format!("{:<18} | {:>10} {:>10} {:>9} | {:>10} {:>10} {:>9}\n", "", "for-you", "", "", "discovery", "", ""));
        out.push_str(&format!("{:<18} | {r:>10} {n:>10} {:>9} | {r:>10} {n:>10} {:>9}\n", "ranker", "coverage", "coverage"));
        out.push_str(&format!("{}\n", "-".repeat(18 + 3 + 31 + 3 + 31)));
        for res in &self.rankers {
            let (f, d) = (&res.for_you, &res.discovery);
            out.push_str(&format!(
                "{:<18} | {:>10.4} {:>10.4} {:>9.4} | {:>10.4} {:>10.4} {:>9.4}\n",
                res.ranker, f.recall, f.ndcg, f.coverage, d.recall, d.ndcg, d.coverage
            ));
        }
        out.push_str(&self.intervals());
        out.push_str(&self.margins());
        out
    }

    /// The 95% bootstrap intervals of every ranker's means, one line per ranker.
    pub fn intervals(&self) -> String {
        let k = self.k;
        let mut out = format!("95% bootstrap intervals over shoppers ({BOOTSTRAP_RESAMPLES} resamples):\n");
        let (r, n) = (format!("Recall@{k}"), format!("NDCG@{k}"));
        out.push_str(&format!(
            "{:<18} | {:>18} {:>16} | {:>18} {:>16}\n",
            "ranker",
            format!("for-you {r}"),
            n,
            format!("discovery {r}"),
            n
        ));
        let ci = |c: [f64; 2]| format!("[{:.4}, {:.4}]", c[0], c[1]);
        for res in &self.rankers {
            let (f, d) = (&res.for_you, &res.discovery);
            out.push_str(&format!(
                "{:<18} | {:>18} {:>16} | {:>18} {:>16}\n",
                res.ranker,
                ci(f.recall_ci),
                ci(f.ndcg_ci),
                ci(d.recall_ci),
                ci(d.ndcg_ci)
            ));
        }
        out
    }

    /// One line per task: the first ranker's relative margin over the best other ranker, on
    /// Recall and NDCG, with its 95% paired bootstrap interval (issue #14's bar: ≥ +3%
    /// for-you, ≥ +5% discovery against `ease`).
    pub fn margins(&self) -> String {
        let Some((ours, baselines)) = self.rankers.split_first() else { return String::new() };
        let mut out = String::new();
        let tasks: [(&str, TaskOf); 2] = [("for-you", |r| &r.for_you), ("discovery", |r| &r.discovery)];
        type Metric = fn(&TaskMetrics) -> f64;
        type PerShopper = fn(&ShopperScore) -> f64;
        for (name, task) in tasks {
            let margin = |metric: Metric, per: PerShopper| {
                // The first of equal bests (buy-again+ease ranks discovery exactly as ease).
                let best = baselines.iter().reduce(|a, b| if metric(task(b)) > metric(task(a)) { b } else { a })?;
                let v = metric(task(best));
                let m = if v > 0.0 { (metric(task(ours)) / v - 1.0) * 100.0 } else { 0.0 };
                let values = |r: &RankerResult| task(r).per_shopper.iter().map(per).collect::<Vec<f64>>();
                let ci = margin_interval(&values(ours), &values(best));
                Some(format!("{m:+.1}% [{:+.1}%, {:+.1}%] (vs {})", ci[0], ci[1], best.ranker))
            };
            if let (Some(r), Some(n)) = (margin(|t| t.recall, |s| s.recall), margin(|t| t.ndcg, |s| s.ndcg)) {
                out.push_str(&format!("{name}: {} vs best baseline: Recall {r}, NDCG {n}\n", ours.ranker));
            }
        }
        out
    }
}

/// The bootstrap resamples of `n` shoppers: [`BOOTSTRAP_RESAMPLES`] lists of `n` indices
/// drawn with replacement, the same for every ranker of a task of `n` shoppers.
pub fn bootstrap_draws(n: usize) -> Vec<Vec<u32>> {
    use rand::{Rng, SeedableRng};
    let mut rng = rand::rngs::StdRng::seed_from_u64(BOOTSTRAP_SEED ^ n as u64);
    if n == 0 {
        return Vec::new();
    }
    (0..BOOTSTRAP_RESAMPLES).map(|_| (0..n).map(|_| rng.random_range(0..n as u32)).collect()).collect()
}

/// Mean of `values` over the indices of one draw.
fn draw_mean(values: &[f64], draw: &[u32]) -> f64 {
    draw.iter().map(|&i| values[i as usize]).sum::<f64>() / draw.len().max(1) as f64
}

/// The 2.5% and 97.5% percentiles of resampled statistics (`[0, 0]` for none).
pub fn percentile_interval(mut stats: Vec<f64>) -> [f64; 2] {
    if stats.is_empty() {
        return [0.0, 0.0];
    }
    stats.sort_by(f64::total_cmp);
    let at = |q: f64| stats[((stats.len() - 1) as f64 * q).round() as usize];
    [at(0.025), at(0.975)]
}

/// 95% paired bootstrap interval of `mean(ours) / mean(base) − 1` (in %), over the same
/// shoppers in the same order.
pub fn margin_interval(ours: &[f64], base: &[f64]) -> [f64; 2] {
    let stats = bootstrap_draws(ours.len().min(base.len()))
        .iter()
        .filter_map(|d| {
            let b = draw_mean(base, d);
            (b > 0.0).then(|| (draw_mean(ours, d) / b - 1.0) * 100.0)
        })
        .collect();
    percentile_interval(stats)
}

/// Top `k` of `scores` among items `allowed`, by score, then `tie` (higher first), then index.
/// Items with a score ≤ 0 come after every positive one, ordered by `tie`.
fn top_k(scores: &[f64], tie: &[f64], k: usize, allowed: impl Fn(usize) -> bool) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..scores.len()).filter(|&i| allowed(i)).map(|i| i as u32).collect();
    let key = |i: u32| (scores[i as usize].max(0.0), tie[i as usize]);
    let cmp = |a: &u32, b: &u32| {
        let (ka, kb) = (key(*a), key(*b));
        kb.0.total_cmp(&ka.0).then(kb.1.total_cmp(&ka.1)).then(a.cmp(b))
    };
    if idx.len() > k {
        idx.select_nth_unstable_by(k, cmp);
        idx.truncate(k);
    }
    idx.sort_by(cmp);
    idx
}

/// Sparse item-item cosine similarities from a binary shopper × item matrix.
struct ItemKnn {
    rows: Vec<Vec<(u32, f32)>>,
}

impl ItemKnn {
    fn new(n_items: usize, baskets: &[Vec<u32>]) -> ItemKnn {
        let mut buyers: Vec<Vec<u32>> = vec![Vec::new(); n_items];
        for (u, items) in baskets.iter().enumerate() {
            for &i in items {
                buyers[i as usize].push(u as u32);
            }
        }
        let mut co = vec![0u32; n_items];
        let mut touched = Vec::new();
        let rows = (0..n_items)
            .map(|i| {
                for &u in &buyers[i] {
                    for &j in &baskets[u as usize] {
                        if j as usize != i {
                            if co[j as usize] == 0 {
                                touched.push(j);
                            }
                            co[j as usize] += 1;
                        }
                    }
                }
                touched.sort_unstable();
                let ni = buyers[i].len() as f64;
                touched
                    .drain(..)
                    .map(|j| {
                        let c = std::mem::take(&mut co[j as usize]);
                        (j, (f64::from(c) / (ni * buyers[j as usize].len() as f64).sqrt()) as f32)
                    })
                    .collect()
            })
            .collect();
        ItemKnn { rows }
    }

    fn scores(&self, items: &[u32], out: &mut [f64]) {
        out.iter_mut().for_each(|s| *s = 0.0);
        for &i in items {
            for &(j, s) in &self.rows[i as usize] {
                out[j as usize] += f64::from(s);
            }
        }
    }
}

/// The train history of one test shopper.
pub(super) struct Shopper<'a> {
    pub(super) id: &'a str,
    /// Train events as the page would `track()` them, oldest first.
    pub(super) events: Vec<EventInput>,
    /// Train purchases: (catalog index, time).
    purchases: Vec<(u32, i64)>,
    /// Distinct train-bought items (catalog indices), sorted.
    bought: Vec<u32>,
    /// Distinct test-bought items: the for-you task's truth.
    pub(super) truth: HashSet<u32>,
}

impl Shopper<'_> {
    /// The discovery task's truth: test-bought items the shopper had not bought before the
    /// split (empty: the shopper is not in the discovery task).
    pub(super) fn discovery_truth(&self) -> HashSet<u32> {
        self.truth.iter().copied().filter(|i| self.bought.binary_search(i).is_err()).collect()
    }
}

#[derive(Default)]
struct Acc {
    per_shopper: Vec<ShopperScore>,
    seen: HashSet<u32>,
}

impl Acc {
    fn add(&mut self, shopper: &str, ranked: Vec<u32>, truth: &HashSet<u32>, k: usize) {
        self.seen.extend(ranked.iter().copied());
        self.per_shopper.push(ShopperScore {
            shopper: shopper.to_owned(),
            recall: recall_at_k(&ranked, truth, k),
            ndcg: ndcg_at_k(&ranked, truth, k),
            ranked,
        });
    }

    fn finish(self, catalog: usize) -> TaskMetrics {
        let n = self.per_shopper.len();
        let mean = |f: fn(&ShopperScore) -> f64| if n == 0 { 0.0 } else { self.per_shopper.iter().map(f).sum::<f64>() / n as f64 };
        let draws = bootstrap_draws(n);
        let interval = |f: fn(&ShopperScore) -> f64| {
            let values: Vec<f64> = self.per_shopper.iter().map(f).collect();
            percentile_interval(draws.iter().map(|d| draw_mean(&values, d)).collect())
        };
        TaskMetrics {
            recall: mean(|s| s.recall),
            ndcg: mean(|s| s.ndcg),
            coverage: if catalog == 0 { 0.0 } else { self.seen.len() as f64 / catalog as f64 },
            shoppers: n,
            recall_ci: interval(|s| s.recall),
            ndcg_ci: interval(|s| s.ndcg),
            per_shopper: self.per_shopper,
        }
    }
}

/// Everything [`evaluate`], [`weight_grid`] and the split export
/// ([`export_split`](super::eval_export::export_split)) need: the train pack and the engine on
/// it, the baselines' train counts and the test shoppers (sorted by id).
pub(super) struct Setup<'a> {
    /// The train pack's bytes (what the engine opened).
    pub(super) pack: Vec<u8>,
    pub(super) engine: Engine,
    n: usize,
    index: HashMap<&'a str, u32>,
    popularity: Vec<f64>,
    recent: Vec<f64>,
    knn: ItemKnn,
    /// The binary train shopper × item purchase matrix, one row per shopper with purchases.
    binary: Vec<Vec<(u32, f32)>>,
    ease: DenseEase,
    pub(super) shoppers: Vec<Shopper<'a>>,
    pub(super) train_events: usize,
    pub(super) test_events: usize,
}

pub(super) fn setup<'a>(
    catalog: &'a [CatalogItem],
    events: &'a [RawEvent],
    config: &EvalConfig,
    on_iteration: &mut dyn FnMut(usize),
) -> Result<Setup<'a>, EvalError> {
    let k = config.k;
    if !(1..=MAX_K).contains(&k) {
        return Err(EvalError::BadK(k));
    }
    let split = config.split_ms;
    let (train, test): (Vec<&RawEvent>, Vec<&RawEvent>) = events.iter().partition(|e| e.ts_ms < split);
    if train.is_empty() {
        return Err(EvalError::NoTrainEvents);
    }
    let train_owned: Vec<RawEvent> = train.iter().map(|&e| e.clone()).collect();
    let (contents, _) = assemble(catalog, &train_owned, &config.build, on_iteration)?;
    drop(train_owned);
    let pack = contents.encode()?;
    let engine = Engine::open(pack.clone())?;
    let n = catalog.len();
    let index: HashMap<&str, u32> = catalog.iter().enumerate().map(|(i, c)| (c.id.as_str(), i as u32)).collect();
    let side = TrainSide::of(&train, &index, &engine, n, split);
    let baskets = purchase_baskets(&side.history);
    let knn = ItemKnn::new(n, &baskets);
    let binary: Vec<Vec<(u32, f32)>> = baskets.iter().map(|b| b.iter().map(|&i| (i, 1.0)).collect()).collect();
    let ease = DenseEase::fit(&binary, n, config.build.neighbours.ease_lambda).map_err(BuildError::from)?;
    let shoppers = test_shoppers(&test, &index, &side.history);
    Ok(Setup {
        pack,
        engine,
        n,
        index,
        popularity: side.popularity,
        recent: side.recent,
        knn,
        binary,
        ease,
        shoppers,
        train_events: train.len(),
        test_events: test.len(),
    })
}

/// The train events per shopper (in pack indices), and each item's purchase counts: in all,
/// and in the last [`RECENT_DAYS`] before the split.
struct TrainSide<'a> {
    popularity: Vec<f64>,
    recent: Vec<f64>,
    history: HashMap<&'a str, Vec<(u32, &'a RawEvent)>>,
}

impl<'a> TrainSide<'a> {
    fn of(train: &[&'a RawEvent], index: &HashMap<&str, u32>, engine: &Engine<Vec<u8>>, n: usize, split: i64) -> TrainSide<'a> {
        let mut side = TrainSide { popularity: vec![0.0; n], recent: vec![0.0; n], history: HashMap::new() };
        let recent_from = split - RECENT_DAYS * MS_PER_DAY;
        for &e in train {
            let Some(&item) = index.get(e.item.as_str()).filter(|_| e.kind.needs_item()) else { continue };
            if e.kind == EventKind::Purchase {
                side.popularity[item as usize] += 1.0;
                if e.ts_ms >= recent_from {
                    side.recent[item as usize] += 1.0;
                }
            }
            if engine.pack().find_item(&e.item).is_none() {
                continue;
            }
            side.history.entry(e.shopper.as_str()).or_default().push((item, e));
        }
        side
    }
}

/// Each shopper's distinct purchased items (shoppers without purchases left out).
fn purchase_baskets(history: &HashMap<&str, Vec<(u32, &RawEvent)>>) -> Vec<Vec<u32>> {
    let mut baskets: Vec<Vec<u32>> = history
        .values()
        .map(|evs| {
            let mut b: Vec<u32> = evs.iter().filter(|(_, e)| e.kind == EventKind::Purchase).map(|&(i, _)| i).collect();
            b.sort_unstable();
            b.dedup();
            b
        })
        .collect();
    baskets.retain(|b| !b.is_empty());
    baskets
}

/// The shoppers with train events and test purchases (their truth), sorted by id.
fn test_shoppers<'a>(
    test: &[&'a RawEvent],
    index: &HashMap<&str, u32>,
    history: &HashMap<&'a str, Vec<(u32, &'a RawEvent)>>,
) -> Vec<Shopper<'a>> {
    let mut truths: HashMap<&str, HashSet<u32>> = HashMap::new();
    for e in test.iter().filter(|e| e.kind == EventKind::Purchase) {
        if let Some(&item) = index.get(e.item.as_str()) {
            truths.entry(e.shopper.as_str()).or_default().insert(item);
        }
    }
    let mut shoppers: Vec<Shopper> = truths
        .into_iter()
        .filter_map(|(id, truth)| {
            let mut evs = history.get(id)?.clone();
            evs.sort_by_key(|(_, e)| e.ts_ms);
            let mut bought: Vec<u32> = evs.iter().filter(|(_, e)| e.kind == EventKind::Purchase).map(|&(i, _)| i).collect();
            bought.sort_unstable();
            bought.dedup();
            let purchases = evs.iter().filter(|(_, e)| e.kind == EventKind::Purchase).map(|&(i, e)| (i, e.ts_ms)).collect();
            let events = evs.into_iter().map(|(_, e)| tracked(e)).collect();
            Some(Shopper { id, events, purchases, bought, truth })
        })
        .collect();
    shoppers.sort_by(|a, b| a.id.cmp(b.id));
    shoppers
}

/// Buy-again: the shopper's train purchases, each `2^(−age / 30 days)` at the split.
fn buy_again_scores(s: &Shopper<'_>, split: i64, out: &mut [f64]) {
    let half_life = BUY_AGAIN_HALF_LIFE_DAYS * MS_PER_DAY as f64;
    out.iter_mut().for_each(|x| *x = 0.0);
    for &(item, ts) in &s.purchases {
        out[item as usize] += f64::from(decay((split - ts) as f64, half_life));
    }
}

/// EASE: `Σ_i B_ij` over the shopper's train-bought items `i`.
fn ease_scores(ease: &DenseEase, bought: &[u32], out: &mut [f64]) {
    out.iter_mut().for_each(|x| *x = 0.0);
    for &i in bought {
        ease.add_row(i as usize, 1.0, out);
    }
}

/// `scores ← α · again / max(again) + (1 − α) · scores / max(scores)` (a maximum ≤ 0 leaves
/// its part out).
fn mix_scores(scores: &mut [f64], again: &[f64], alpha: f64) {
    let scale = |v: &[f64]| {
        let m = v.iter().copied().fold(0.0f64, f64::max);
        if m > 0.0 {
            1.0 / m
        } else {
            0.0
        }
    };
    let (sa, se) = (alpha * scale(again), (1.0 - alpha) * scale(scores));
    for (x, a) in scores.iter_mut().zip(again) {
        *x = sa * a + se * *x;
    }
}

/// A train event as the page reports it to `track()`.
fn tracked(e: &RawEvent) -> EventInput {
    EventInput {
        item: Some(e.item.clone()),
        kind: e.kind.as_str().to_owned(),
        ts: e.ts_ms as f64,
        qty: Some(f64::from(e.qty.max(1))),
        query: None,
    }
}

/// Puts shopper `s`'s train events into `engine` (after clearing it) through
/// [`Engine::track`] as of the split time, as the page's `track()` does.
fn replay(engine: &mut Engine, s: &Shopper<'_>, split_ms: i64) -> Result<(), EvalError> {
    engine.clear_events();
    for e in &s.events {
        engine.track(e, split_ms)?;
    }
    Ok(())
}

/// The `kind` shelf of `k` items as of `now_ms` through [`Engine::shelf`] (what the page's
/// `shelf(kind, { k, now })` returns), as catalog indices.
fn shipped_shelf(engine: &Engine, kind: ShelfKind, k: usize, now_ms: i64, index: &HashMap<&str, u32>) -> Result<Vec<u32>, EvalError> {
    let request = ShelfRequest { k: Some(k), ..ShelfRequest::new(kind.as_str()) };
    let shelf = engine.shelf(&request, now_ms)?;
    Ok(shelf.items.iter().filter_map(|it| index.get(it.card.id.as_str()).copied()).collect())
}

/// Runs the evaluation; `on_iteration` is told of each ALS iteration of the train build.
pub fn evaluate(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &EvalConfig,
    on_iteration: &mut dyn FnMut(usize),
) -> Result<EvalReport, EvalError> {
    let k = config.k;
    let split = config.split_ms;
    let Setup { mut engine, n, index, popularity, recent, knn, ease, shoppers, train_events, test_events, .. } =
        setup(catalog, events, config, on_iteration)?;

    let mut acc: Vec<[Acc; 2]> = RANKERS.iter().map(|_| [Acc::default(), Acc::default()]).collect();
    let mut scores = vec![0.0f64; n];
    let mut again = vec![0.0f64; n];
    for s in &shoppers {
        let new_truth = s.discovery_truth();
        let discovery = !new_truth.is_empty();
        let not_bought = |i: usize| s.bought.binary_search(&(i as u32)).is_err();

        // The engine's shelves, exactly as the browser ranks them.
        replay(&mut engine, s, split)?;
        acc[0][0].add(s.id, shipped_shelf(&engine, ShelfKind::ForYou, k, split, &index)?, &s.truth, k);
        if discovery {
            acc[0][1].add(s.id, shipped_shelf(&engine, ShelfKind::Discovery, k, split, &index)?, &new_truth, k);
        }

        let mut run = |r: usize, scores: &[f64], tie: &[f64]| {
            acc[r][0].add(s.id, top_k(scores, tie, k, |_| true), &s.truth, k);
            if discovery {
                acc[r][1].add(s.id, top_k(scores, tie, k, not_bought), &new_truth, k);
            }
        };
        run(1, &popularity, &popularity);
        run(2, &recent, &popularity);
        knn.scores(&s.bought, &mut scores);
        run(3, &scores, &popularity);
        buy_again_scores(s, split, &mut again);
        run(4, &again, &popularity);
        ease_scores(&ease, &s.bought, &mut scores);
        run(5, &scores, &popularity);
        mix_scores(&mut scores, &again, BUY_AGAIN_EASE_MIX);
        run(6, &scores, &popularity);
    }

    let rankers = RANKERS
        .iter()
        .zip(acc)
        .map(|(name, [f, d])| RankerResult { ranker: (*name).to_owned(), for_you: f.finish(n), discovery: d.finish(n) })
        .collect();
    Ok(EvalReport {
        k,
        split_ms: split,
        catalog_items: n,
        train_events,
        test_events,
        recall_definition: "hits / |truth|".to_owned(),
        rankers,
    })
}

/// The shares α of buy-again that [`ease_sweep`] prints for `buy-again+ease`.
pub const SWEEP_MIXES: [f64; 5] = [0.3, 0.4, 0.5, 0.6, 0.7];

/// Measures the `ease` baseline (both tasks) and `buy-again+ease` (for-you, each α of
/// [`SWEEP_MIXES`]) for every λ of `lambdas` on one split: the sweep that chose
/// [`super::ease::DEFAULT_LAMBDA`] and [`BUY_AGAIN_EASE_MIX`] (on split 2011-05-01). Returns
/// the table as text.
pub fn ease_sweep(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &EvalConfig,
    lambdas: &[f64],
    on_iteration: &mut dyn FnMut(usize),
) -> Result<String, EvalError> {
    let (k, split) = (config.k, config.split_ms);
    let Setup { n, popularity, binary, shoppers, .. } = setup(catalog, events, config, on_iteration)?;
    let mut out = format!("EASE sweep, K = {k}: ease (for-you, discovery) and buy-again+ease for-you at α = {SWEEP_MIXES:?}\n");
    let (mut scores, mut again) = (vec![0.0f64; n], vec![0.0f64; n]);
    for &lambda in lambdas {
        let ease = DenseEase::fit(&binary, n, lambda).map_err(BuildError::from)?;
        let mut sums = vec![(0.0f64, 0.0f64); 2 + SWEEP_MIXES.len()];
        let mut n_disc = 0usize;
        for s in &shoppers {
            ease_scores(&ease, &s.bought, &mut scores);
            let new_truth: HashSet<u32> = s.truth.iter().copied().filter(|i| s.bought.binary_search(i).is_err()).collect();
            let mut add = |slot: usize, ranked: Vec<u32>, truth: &HashSet<u32>| {
                sums[slot].0 += recall_at_k(&ranked, truth, k);
                sums[slot].1 += ndcg_at_k(&ranked, truth, k);
            };
            add(0, top_k(&scores, &popularity, k, |_| true), &s.truth);
            if !new_truth.is_empty() {
                n_disc += 1;
                add(1, top_k(&scores, &popularity, k, |i| s.bought.binary_search(&(i as u32)).is_err()), &new_truth);
            }
            buy_again_scores(s, split, &mut again);
            for (m, &alpha) in SWEEP_MIXES.iter().enumerate() {
                let mut mixed = scores.clone();
                mix_scores(&mut mixed, &again, alpha);
                add(2 + m, top_k(&mixed, &popularity, k, |_| true), &s.truth);
            }
        }
        let (m, d) = (shoppers.len().max(1) as f64, n_disc.max(1) as f64);
        out.push_str(&format!(
            "λ {lambda:>7}: ease for-you {:.4} {:.4}, discovery {:.4} {:.4}; buy-again+ease",
            sums[0].0 / m,
            sums[0].1 / m,
            sums[1].0 / d,
            sums[1].1 / d
        ));
        for (alpha, sum) in SWEEP_MIXES.iter().zip(&sums[2..]) {
            out.push_str(&format!(" α{alpha} {:.4} {:.4}", sum.0 / m, sum.1 / m));
        }
        out.push('\n');
    }
    Ok(out)
}

/// One point of a weight grid and what it measured.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GridRow {
    /// Weight of repeat purchases (for-you only; discovery never has any).
    pub repeat: f32,
    /// Weight of neighbours.
    pub neighbours: f32,
    /// Weight of the embedding profile.
    pub embedding: f32,
    /// Weight of popularity.
    pub popularity: f32,
    /// Weight of trend.
    pub trend: f32,
    /// Repeat half-life in days.
    pub repeat_half_life_days: f32,
    /// Source half-life in days.
    pub source_half_life_days: f32,
    /// Sources giving neighbours.
    pub max_sources: usize,
    /// Extra weight of the latest sources ([`BlendWeights::recent_boost`]).
    pub recent_boost: f32,
    /// Moments after which that extra weight halves.
    pub recent_half_moments: f32,
    /// For-you task: mean Recall@K and NDCG@K.
    pub for_you: (f64, f64),
    /// Discovery task: mean Recall@K and NDCG@K.
    pub discovery: (f64, f64),
}

/// The grid [`weight_grid`] walks: every combination of these values. Read from JSON with
/// `shelfwise eval --grid-spec FILE` (field names as here; a missing field keeps its default).
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct GridSpec {
    /// `(repeat, source)` half-lives in days.
    pub half_lives: Vec<(f32, f32)>,
    /// How many of the shopper's strongest items give neighbours.
    pub max_sources: Vec<usize>,
    /// Neighbour weights.
    pub neighbours: Vec<f32>,
    /// Embedding weights.
    pub embedding: Vec<f32>,
    /// Popularity weights.
    pub popularity: Vec<f32>,
    /// Trend weights.
    pub trend: Vec<f32>,
    /// `(recent_boost, recent_half_moments)` pairs.
    pub recent: Vec<(f32, f32)>,
}

impl GridSpec {
    /// Every combination, as blend weights (repeat fixed at 1: only ratios matter).
    pub fn points(&self) -> Vec<BlendWeights> {
        let mut out = Vec::new();
        for &(repeat_half_life_days, source_half_life_days) in &self.half_lives {
            for &max_sources in &self.max_sources {
                for &neighbours in &self.neighbours {
                    for &embedding in &self.embedding {
                        for &popularity in &self.popularity {
                            for (&trend, &(recent_boost, recent_half_moments)) in
                                self.trend.iter().flat_map(|t| self.recent.iter().map(move |r| (t, r)))
                            {
                                out.push(BlendWeights {
                                    repeat: 1.0,
                                    neighbours,
                                    embedding,
                                    popularity,
                                    trend,
                                    repeat_half_life_days,
                                    source_half_life_days,
                                    max_sources,
                                    recent_boost,
                                    recent_half_moments,
                                    ..BlendWeights::FOR_YOU
                                });
                            }
                        }
                    }
                }
            }
        }
        out
    }
}

impl Default for GridSpec {
    /// The grid docs/QUALITY.md reports (repeat weight fixed at 1: only ratios matter).
    fn default() -> Self {
        GridSpec {
            half_lives: vec![(30.0, 30.0), (60.0, 60.0), (120.0, 120.0), (240.0, 120.0)],
            max_sources: vec![50, 100],
            neighbours: vec![0.25, 0.5, 1.0],
            embedding: vec![0.0, 0.1, 0.3],
            popularity: vec![0.0, 0.1],
            trend: vec![0.0, 0.1, 0.3],
            recent: vec![(BlendWeights::FOR_YOU.recent_boost, BlendWeights::FOR_YOU.recent_half_moments)],
        }
    }
}

/// Measures every weight combination of `spec` on the same split, through the path a shop
/// runs: the engine's [`Engine::shelf`] with each point's weights set
/// ([`Engine::set_blend_settings`]; both shelves use the point's weights).
pub fn weight_grid(
    catalog: &[CatalogItem],
    events: &[RawEvent],
    config: &EvalConfig,
    spec: &GridSpec,
    on_iteration: &mut dyn FnMut(usize),
) -> Result<Vec<GridRow>, EvalError> {
    let (k, split) = (config.k, config.split_ms);
    let Setup { mut engine, index, shoppers, .. } = setup(catalog, events, config, on_iteration)?;
    let points = spec.points();
    // Per point: Σ Recall and NDCG for each task, and the discovery shoppers counted.
    let mut sums = vec![[(0.0f64, 0.0f64); 2]; points.len()];
    let mut n_disc = 0usize;
    for s in &shoppers {
        replay(&mut engine, s, split)?;
        let new_truth = s.discovery_truth();
        n_disc += usize::from(!new_truth.is_empty());
        for (w, sum) in points.iter().zip(sums.iter_mut()) {
            engine.set_blend_settings(BlendSettings { for_you: *w, discovery: *w });
            let r = shipped_shelf(&engine, ShelfKind::ForYou, k, split, &index)?;
            sum[0].0 += recall_at_k(&r, &s.truth, k);
            sum[0].1 += ndcg_at_k(&r, &s.truth, k);
            if !new_truth.is_empty() {
                let r = shipped_shelf(&engine, ShelfKind::Discovery, k, split, &index)?;
                sum[1].0 += recall_at_k(&r, &new_truth, k);
                sum[1].1 += ndcg_at_k(&r, &new_truth, k);
            }
        }
    }
    let (m, d) = (shoppers.len().max(1) as f64, n_disc.max(1) as f64);
    Ok(points
        .iter()
        .zip(sums)
        .map(|(w, [fy, disc])| GridRow {
            repeat: w.repeat,
            neighbours: w.neighbours,
            embedding: w.embedding,
            popularity: w.popularity,
            trend: w.trend,
            repeat_half_life_days: w.repeat_half_life_days,
            source_half_life_days: w.source_half_life_days,
            max_sources: w.max_sources,
            recent_boost: w.recent_boost,
            recent_half_moments: w.recent_half_moments,
            for_you: (fy.0 / m, fy.1 / m),
            discovery: (disc.0 / d, disc.1 / d),
        })
        .collect())
}

/// The grid as TSV (one header line, one line per point).
pub fn grid_tsv(rows: &[GridRow]) -> String {
    let mut out = String::from(
        "repeat\tneighbours\tembedding\tpopularity\ttrend\trepeat_half_life_days\tsource_half_life_days\tmax_sources\trecent_boost\trecent_half_moments\tforyou_recall\tforyou_ndcg\tdiscovery_recall\tdiscovery_ndcg\n",
    );
    for r in rows {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{}\t{:.4}\t{:.4}\t{:.4}\t{:.4}\n",
            r.repeat,
            r.neighbours,
            r.embedding,
            r.popularity,
            r.trend,
            r.repeat_half_life_days,
            r.source_half_life_days,
            r.max_sources,
            r.recent_boost,
            r.recent_half_moments,
            r.for_you.0,
            r.for_you.1,
            r.discovery.0,
            r.discovery.1
        ));
    }
    out
}

/// The `n` best grid points per task, ranked by the smaller of Recall and NDCG relative to the
/// grid's best of each (so a point must be good on both).
pub fn grid_best(rows: &[GridRow], n: usize) -> String {
    let mut out = String::new();
    let tasks: [(&str, GridMetric); 2] = [("for-you", |r| r.for_you), ("discovery", |r| r.discovery)];
    for (name, metric) in tasks {
        let best_r = rows.iter().map(|r| metric(r).0).fold(0.0f64, f64::max);
        let best_n = rows.iter().map(|r| metric(r).1).fold(0.0f64, f64::max);
        let key = |r: &GridRow| {
            let (rc, nd) = metric(r);
            (rc / best_r.max(f64::MIN_POSITIVE)).min(nd / best_n.max(f64::MIN_POSITIVE))
        };
        let mut order: Vec<&GridRow> = rows.iter().collect();
        order.sort_by(|a, b| key(b).total_cmp(&key(a)));
        out.push_str(&format!(
            "best for {name} (Recall, NDCG; weights neighbours/embedding/popularity/trend, half-lives repeat/source):\n"
        ));
        for r in order.into_iter().take(n) {
            let (rc, nd) = metric(r);
            out.push_str(&format!(
                "  {rc:.4} {nd:.4}  n={} e={} p={} t={}  hl={}/{} sources={} recent={}/{}\n",
                r.neighbours,
                r.embedding,
                r.popularity,
                r.trend,
                r.repeat_half_life_days,
                r.source_half_life_days,
                r.max_sources,
                r.recent_boost,
                r.recent_half_moments
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn set(items: &[u32]) -> HashSet<u32> {
        items.iter().copied().collect()
    }

    fn ev(shopper: &str, ts_ms: i64) -> RawEvent {
        RawEvent {
            shopper: shopper.to_owned(),
            item: "A".to_owned(),
            kind: EventKind::Purchase,
            ts_ms,
            qty: 1,
            price: None,
            basket: None,
            query: None,
        }
    }

    #[test]
    fn recall_is_hits_over_truth_size() {
        // Truth {1, 2, 3}; hits at ranks 1 and 3 of K = 3 → 2/3.
        assert!((recall_at_k(&[1, 9, 2, 3], &set(&[1, 2, 3]), 3) - 2.0 / 3.0).abs() < 1e-12);
        // |truth| = 4 > K = 2: two hits give 2/4, not 2/2.
        assert!((recall_at_k(&[1, 2], &set(&[1, 2, 3, 4]), 2) - 0.5).abs() < 1e-12);
        assert_eq!(recall_at_k(&[5, 6], &set(&[1]), 2), 0.0);
        assert_eq!(recall_at_k(&[5, 6], &set(&[]), 2), 0.0);
    }

    #[test]
    fn ndcg_matches_hand_computation() {
        // One relevant item at rank 2: DCG = 1/log2(3), IDCG = 1 → 0.6309…
        assert!((ndcg_at_k(&[7, 1, 8], &set(&[1]), 3) - 1.0 / 3f64.log2()).abs() < 1e-12);
        // Truth {1, 2}, hits at ranks 1 and 3: DCG = 1 + 1/2, IDCG = 1 + 1/log2(3).
        let expected = 1.5 / (1.0 + 1.0 / 3f64.log2());
        assert!((ndcg_at_k(&[1, 9, 2], &set(&[1, 2]), 3) - expected).abs() < 1e-12);
        // |truth| = 5 > K = 2, both slots hit: ideal is over 2 positions → 1.
        assert!((ndcg_at_k(&[1, 2, 3], &set(&[1, 2, 3, 4, 5]), 2) - 1.0).abs() < 1e-12);
        // A hit beyond K does not count.
        assert_eq!(ndcg_at_k(&[9, 8, 1], &set(&[1]), 2), 0.0);
        assert_eq!(ndcg_at_k(&[1], &set(&[]), 2), 0.0);
    }

    #[test]
    fn split_puts_the_split_instant_in_test() {
        let split = parse_split_date("2011-07-01").unwrap();
        assert_eq!(split, 1_309_478_400_000);
        let events = vec![ev("a", split - 1), ev("b", split), ev("c", split + 1), ev("d", 0)];
        let (train, test) = split_events(&events, split);
        let names = |v: &[RawEvent]| v.iter().map(|e| e.shopper.clone()).collect::<Vec<_>>();
        assert_eq!(names(&train), ["a", "d"]);
        assert_eq!(names(&test), ["b", "c"]);
        assert!(parse_split_date("2011-13-01").is_err());
        assert!(parse_split_date("July").is_err());
    }

    #[test]
    fn top_k_orders_by_score_then_tie_then_index() {
        let scores = [0.0, 2.0, 1.0, 2.0, 0.0];
        let tie = [5.0, 1.0, 0.0, 3.0, 9.0];
        assert_eq!(top_k(&scores, &tie, 5, |_| true), [3, 1, 2, 4, 0]);
        assert_eq!(top_k(&scores, &tie, 2, |i| i != 3), [1, 2]);
    }

    #[test]
    fn bootstrap_intervals_are_percentiles_of_resampled_means() {
        assert_eq!(percentile_interval((0..=1000).map(f64::from).rev().collect()), [25.0, 975.0]);
        assert_eq!(percentile_interval(Vec::new()), [0.0, 0.0]);
        // A constant has a zero-width interval; a spread one brackets its mean.
        let draws = bootstrap_draws(50);
        assert_eq!(draws.len(), BOOTSTRAP_RESAMPLES);
        let flat = percentile_interval(draws.iter().map(|d| draw_mean(&[0.3; 50], d)).collect());
        assert!((flat[0] - 0.3).abs() < 1e-12 && (flat[1] - 0.3).abs() < 1e-12, "{flat:?}");
        let values: Vec<f64> = (0..50).map(|i| f64::from(i % 2)).collect();
        let ci = percentile_interval(draws.iter().map(|d| draw_mean(&values, d)).collect());
        assert!(ci[0] < 0.5 && 0.5 < ci[1] && ci[1] - ci[0] < 0.4, "{ci:?}");
        // Paired margin: ours = 1.1 × base for every shopper → exactly +10%.
        let base: Vec<f64> = (1..=40).map(f64::from).collect();
        let ours: Vec<f64> = base.iter().map(|b| b * 1.1).collect();
        let m = margin_interval(&ours, &base);
        assert!((m[0] - 10.0).abs() < 1e-9 && (m[1] - 10.0).abs() < 1e-9, "{m:?}");
    }

    #[test]
    fn mix_scales_each_part_by_its_maximum() {
        let mut scores = vec![2.0, 4.0, -1.0, 0.0];
        mix_scores(&mut scores, &[1.0, 0.0, 0.0, 0.5], 0.5);
        assert_eq!(scores, [0.75, 0.5, -0.125, 0.25]);
        // No positive EASE score: only buy-again counts.
        let mut scores = vec![-1.0, 0.0];
        mix_scores(&mut scores, &[2.0, 1.0], 0.5);
        assert_eq!(scores, [0.5, 0.25]);
    }

    #[test]
    fn item_knn_is_cosine_without_self_similarity() {
        // Shopper 0 bought {0, 1}, shopper 1 bought {0, 1, 2}, shopper 2 bought {2}.
        let knn = ItemKnn::new(3, &[vec![0, 1], vec![0, 1, 2], vec![2]]);
        assert_eq!(knn.rows[0].len(), 2);
        assert!((knn.rows[0][0].1 - 1.0).abs() < 1e-6); // 0~1: 2 / sqrt(2·2)
        assert!((knn.rows[0][1].1 - 0.5).abs() < 1e-6); // 0~2: 1 / sqrt(2·2)
        let mut out = vec![0.0; 3];
        knn.scores(&[0], &mut out);
        assert_eq!(out[0], 0.0);
        assert!((out[1] - 1.0).abs() < 1e-6);
    }
}

//! Shoppers and their sessions: hidden tastes, browsing, carts, checkouts and repeat purchases
//! of consumables, as draft events in generation order.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use crate::event::EventKind;

use super::catalog::{pick_brand, ItemFacts};
use super::draw::{chance, index_below, mix_seed, standard_normal, WeightedPicker};
use super::shop::{SynthConfig, MS_PER_DAY, MS_PER_HOUR, MS_PER_MINUTE};
use super::tables::{CATEGORIES, FIRST_SHOPPING_HOUR, START_HOUR_WEIGHTS, STYLES};

/// Item lists shared by all shoppers.
pub(super) struct CatalogIndex<'a> {
    pub(super) facts: &'a [ItemFacts],
    /// Items of each category.
    pub(super) by_category: Vec<Vec<usize>>,
    /// All items, by popularity (the "bestsellers" a shopper stumbles upon).
    pub(super) popular: WeightedPicker,
    /// Items of each style, by popularity.
    pub(super) by_style: Vec<WeightedPicker>,
}

impl<'a> CatalogIndex<'a> {
    pub(super) fn new(facts: &'a [ItemFacts]) -> Self {
        let mut by_category = vec![Vec::new(); CATEGORIES.len()];
        for (item, fact) in facts.iter().enumerate() {
            if let Some(list) = by_category.get_mut(fact.category) {
                list.push(item);
            }
        }
        let popular = WeightedPicker::new(facts.iter().enumerate().map(|(i, f)| (i, f.popularity)));
        let by_style = (0..STYLES.len())
            .map(|style| WeightedPicker::new(facts.iter().enumerate().filter(|(_, f)| f.style == style).map(|(i, f)| (i, f.popularity))))
            .collect();
        CatalogIndex { facts, by_category, popular, by_style }
    }
}

/// Which prices a shopper is comfortable with, relative to a category's median.
#[derive(Debug, Clone, Copy)]
pub(super) struct PriceBand {
    pub(super) low: f64,
    pub(super) high: f64,
}

impl PriceBand {
    pub(super) fn contains(self, relative_price: f64) -> bool {
        relative_price >= self.low && relative_price <= self.high
    }
}

/// A shopper's hidden tastes.
pub(super) struct Taste {
    /// Favourite categories, drawn by weight.
    pub(super) favourite_category: WeightedPicker,
    pub(super) favourites: Vec<usize>,
    /// For each favourite category (same order), items weighted by how well they fit.
    pub(super) items_in_favourite: Vec<WeightedPicker>,
    pub(super) style: usize,
    pub(super) price_band: PriceBand,
    pub(super) loyal_brand: Option<usize>,
    /// Average number of sessions over 120 days.
    sessions_per_120_days: f64,
}

impl Taste {
    pub(super) fn draw(rng: &mut StdRng, index: &CatalogIndex<'_>) -> Taste {
        let available: Vec<(usize, f64)> = CATEGORIES
            .iter()
            .enumerate()
            .filter(|(c, _)| index.by_category.get(*c).is_some_and(|items| !items.is_empty()))
            .map(|(c, spec)| (c, spec.appeal))
            .collect();
        let wanted = match rng.random::<f64>() {
            r if r < 0.35 => 1,
            r if r < 0.80 => 2,
            _ => 3,
        };
        let mut favourites = Vec::new();
        let mut remaining = available;
        while favourites.len() < wanted {
            let Some(category) = WeightedPicker::new(remaining.iter().copied()).pick(rng) else {
                break;
            };
            favourites.push(category);
            remaining.retain(|&(c, _)| c != category);
        }
        const RANK_WEIGHTS: [f64; 3] = [1.0, 0.5, 0.28];
        let favourite_category =
            WeightedPicker::new(favourites.iter().zip(RANK_WEIGHTS).map(|(&c, w)| (c, w * (0.8 + 0.4 * rng.random::<f64>()))));

        let style = index_below(rng, STYLES.len()).unwrap_or(0);
        let price_band = match rng.random::<f64>() {
            r if r < 0.3 => PriceBand { low: 0.0, high: 0.95 },
            r if r < 0.8 => PriceBand { low: 0.6, high: 1.6 },
            _ => PriceBand { low: 1.05, high: f64::INFINITY },
        };
        let loyal_brand = if chance(rng, 0.25) { Some(pick_brand(rng, style)) } else { None };
        // Log-normal activity: a few very active shoppers, many occasional ones.
        let sessions_per_120_days = 5.6 * (0.85 * standard_normal(rng)).exp();

        let mut taste =
            Taste { favourite_category, favourites, items_in_favourite: Vec::new(), style, price_band, loyal_brand, sessions_per_120_days };
        taste.items_in_favourite = taste
            .favourites
            .iter()
            .map(|&category| {
                let items = index.by_category.get(category).map_or(&[][..], Vec::as_slice);
                WeightedPicker::new(items.iter().filter_map(|&item| {
                    let fact = index.facts.get(item)?;
                    Some((item, fact.popularity.sqrt() * taste.fit(fact)))
                }))
            })
            .collect();
        taste
    }

    /// How much an item appeals beyond its category (style, price, brand), 0.2 … ~9.
    pub(super) fn fit(&self, fact: &ItemFacts) -> f64 {
        let style = if fact.style == self.style { 3.0 } else { 1.0 };
        let price = if self.price_band.contains(fact.relative_price) { 1.0 } else { 0.35 };
        let brand = if self.loyal_brand == Some(fact.brand) { 3.0 } else { 1.0 };
        style * price * brand
    }

    /// Chance of putting a viewed item into the cart.
    pub(super) fn cart_chance(&self, fact: &ItemFacts) -> f64 {
        if !fact.in_stock {
            return 0.0;
        }
        let category: f64 = if self.favourites.first() == Some(&fact.category) {
            2.6
        } else if self.favourites.contains(&fact.category) {
            1.8
        } else {
            0.6
        };
        let style = if fact.style == self.style { 1.5 } else { 1.0 };
        let price = if self.price_band.contains(fact.relative_price) { 1.3 } else { 0.5 };
        let brand = if self.loyal_brand == Some(fact.brand) { 1.6 } else { 1.0 };
        (0.075 * category * style * price * brand).min(0.6)
    }
}

/// An event before ids and basket numbers are filled in.
pub(super) struct DraftEvent {
    pub(super) ts_ms: i64,
    pub(super) shopper: usize,
    pub(super) item: Option<usize>,
    pub(super) kind: EventKind,
    pub(super) qty: u32,
    /// Checkout number in generation order; renumbered by time at the end.
    pub(super) checkout: Option<usize>,
    pub(super) query: Option<String>,
}

/// Everything that is global while shoppers are simulated.
pub(super) struct Simulation<'a> {
    pub(super) cfg: &'a SynthConfig,
    pub(super) index: CatalogIndex<'a>,
    pub(super) drafts: Vec<DraftEvent>,
    pub(super) checkouts: usize,
}

/// Per-session state of one shopper.
pub(super) struct Session {
    pub(super) shopper: usize,
    pub(super) clock_ms: i64,
    pub(super) cart: Vec<(usize, u32)>,
}

impl Session {
    /// Moves the clock on by a human pause (8 s … 2.5 min) and returns the new time.
    pub(super) fn tick(&mut self, rng: &mut StdRng) -> i64 {
        self.clock_ms = self.clock_ms.saturating_add(rng.random_range(8_000..=150_000));
        self.clock_ms
    }
}

impl Simulation<'_> {
    pub(super) fn push(&mut self, session: &mut Session, rng: &mut StdRng, kind: EventKind, item: Option<usize>, qty: u32) {
        let ts_ms = session.tick(rng);
        self.drafts.push(DraftEvent { ts_ms, shopper: session.shopper, item, kind, qty, checkout: None, query: None });
    }

    /// Picks the next item a shopper looks at: mostly their tastes, sometimes bestsellers.
    pub(super) fn browse(&self, rng: &mut StdRng, taste: &Taste) -> Option<usize> {
        let roll = rng.random::<f64>();
        let from_taste = if roll < 0.66 {
            taste
                .favourite_category
                .pick(rng)
                .and_then(|category| taste.favourites.iter().position(|&c| c == category))
                .and_then(|slot| taste.items_in_favourite.get(slot))
                .and_then(|picker| picker.pick(rng))
        } else if roll < 0.80 {
            self.index.by_style.get(taste.style).and_then(|picker| picker.pick(rng))
        } else {
            None
        };
        from_taste.or_else(|| self.index.popular.pick(rng))
    }

    /// Simulates every session of one shopper.
    pub(super) fn simulate_shopper(&mut self, shopper: usize) {
        let mut rng = StdRng::seed_from_u64(mix_seed(self.cfg.seed, 1 + shopper as u64));
        let taste = Taste::draw(&mut rng, &self.index);
        if self.cfg.days == 0 {
            return;
        }
        let expected = taste.sessions_per_120_days * f64::from(self.cfg.days) / 120.0;
        let session_count = (expected + rng.random::<f64>()).floor().max(1.0) as usize;
        let hour_picker = WeightedPicker::new(START_HOUR_WEIGHTS.iter().copied().enumerate());
        let mut starts: Vec<i64> = (0..session_count)
            .map(|_| {
                let day = i64::from(self.draw_day(&mut rng));
                let hour = FIRST_SHOPPING_HOUR + hour_picker.pick(&mut rng).unwrap_or(0) as i64;
                let within_hour = rng.random_range(0..MS_PER_HOUR);
                self.cfg.start_ms.saturating_add(day.saturating_mul(MS_PER_DAY)).saturating_add(hour * MS_PER_HOUR + within_hour)
            })
            .collect();
        starts.sort_unstable();

        let mut bought_consumables: Vec<usize> = Vec::new();
        let mut free_from_ms = i64::MIN;
        for start in starts {
            let mut session = Session { shopper, clock_ms: start.max(free_from_ms), cart: Vec::new() };
            self.run_session(&mut rng, &taste, &mut session, &mut bought_consumables);
            free_from_ms = session.clock_ms.saturating_add(30 * MS_PER_MINUTE);
        }
    }

    /// A day index, with weekends a little busier.
    pub(super) fn draw_day(&self, rng: &mut StdRng) -> u32 {
        let first_day = self.cfg.start_ms.div_euclid(MS_PER_DAY);
        let mut day = rng.random_range(0..self.cfg.days.max(1));
        // 1970-01-01 was a Thursday: (days since epoch + 3) % 7 gives Monday = 0.
        let is_weekday = (first_day + i64::from(day) + 3).rem_euclid(7) < 5;
        if is_weekday && chance(rng, 0.2) {
            day = rng.random_range(0..self.cfg.days.max(1));
        }
        day
    }

    pub(super) fn run_session(&mut self, rng: &mut StdRng, taste: &Taste, session: &mut Session, bought_consumables: &mut Vec<usize>) {
        // Coming back for a consumable they bought before.
        if !bought_consumables.is_empty() && chance(rng, 0.3) {
            if let Some(&item) = index_below(rng, bought_consumables.len()).and_then(|i| bought_consumables.get(i)) {
                self.rebuy(rng, session, item);
            }
        }
        self.browse_session(rng, taste, session);
        self.check_out(rng, session, bought_consumables);
    }

    /// Views a consumable bought before and usually puts it in the cart again.
    fn rebuy(&mut self, rng: &mut StdRng, session: &mut Session, item: usize) {
        let in_stock = self.index.facts.get(item).is_some_and(|f| f.in_stock);
        self.push(session, rng, EventKind::View, Some(item), 1);
        if in_stock && chance(rng, 0.8) {
            let qty = draw_qty(rng);
            self.push(session, rng, EventKind::AddToCart, Some(item), qty);
            session.cart.push((item, qty));
        }
    }

    /// One to eight views of items to the shopper's taste, with searches, clicks and carts.
    fn browse_session(&mut self, rng: &mut StdRng, taste: &Taste, session: &mut Session) {
        let views = rng.random_range(1..=4) + rng.random_range(0..=4);
        for _ in 0..views {
            let Some(item) = self.browse(rng, taste) else {
                break;
            };
            let Some(fact) = self.index.facts.get(item) else {
                break;
            };
            if chance(rng, 0.08) {
                let ts_ms = session.tick(rng);
                self.drafts.push(DraftEvent {
                    ts_ms,
                    shopper: session.shopper,
                    item: None,
                    kind: EventKind::Search,
                    qty: 1,
                    checkout: None,
                    query: Some(fact.kind_name.to_lowercase()),
                });
            }
            if chance(rng, 0.3) {
                self.push(session, rng, EventKind::Click, Some(item), 1);
            }
            self.push(session, rng, EventKind::View, Some(item), 1);
            let already_in_cart = session.cart.iter().any(|&(carted, _)| carted == item);
            if !already_in_cart && chance(rng, taste.cart_chance(fact)) {
                let qty = draw_qty(rng);
                self.push(session, rng, EventKind::AddToCart, Some(item), qty);
                session.cart.push((item, qty));
            }
        }
    }

    /// Second thoughts on the cart, then a checkout of what is left (or an abandoned cart).
    fn check_out(&mut self, rng: &mut StdRng, session: &mut Session, bought_consumables: &mut Vec<usize>) {
        let mut kept = Vec::with_capacity(session.cart.len());
        for (item, qty) in std::mem::take(&mut session.cart) {
            if chance(rng, 0.12) {
                self.push(session, rng, EventKind::RemoveFromCart, Some(item), qty);
            } else {
                kept.push((item, qty));
            }
        }
        if kept.is_empty() || !chance(rng, 0.62) {
            return;
        }
        self.checkouts += 1;
        let checkout = self.checkouts;
        let ts_ms = session.tick(rng);
        for (item, qty) in kept {
            self.drafts.push(DraftEvent {
                ts_ms,
                shopper: session.shopper,
                item: Some(item),
                kind: EventKind::Purchase,
                qty,
                checkout: Some(checkout),
                query: None,
            });
            if self.index.facts.get(item).is_some_and(|f| f.consumable) && !bought_consumables.contains(&item) {
                bought_consumables.push(item);
            }
        }
    }
}

/// Quantity for a cart line: mostly 1, sometimes 2 or 3.
pub(super) fn draw_qty(rng: &mut StdRng) -> u32 {
    match rng.random::<f64>() {
        r if r < 0.78 => 1,
        r if r < 0.94 => 2,
        _ => 3,
    }
}

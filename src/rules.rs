//! Rules evaluated on the device: filters, and the shop's boost / bury / pin.
//!
//! **Filters** decide which items may appear at all (in stock, price range, category include /
//! exclude, leave out what is in the cart or was bought). They always win: no rule brings back
//! an item a filter removed.
//!
//! **Merchandising rules** move items that passed the filters. They come from the pack (the
//! shop's build-time rules file, `docs/RULES.md`) and from the page at call time (e.g. a
//! campaign). When several rules match one item, exactly one applies, chosen in this order:
//!
//! 1. the source: a call-time rule beats a pack rule;
//! 2. the action: pin beats bury beats boost;
//! 3. the target: a rule naming the item beats a rule naming its category;
//! 4. the order given (the earlier rule wins).
//!
//! Boost and bury add or subtract their weight from the item's score after the shelf's scores
//! are scaled to [0, 1] (best = 1), so a bury of 1 (the default) sends an item below every item
//! that is not buried, and a boost of 0.5 (the default) lifts it by half the shelf's range.
//! A pin puts the item at a 1-based position of the shelf (clamped to the shelf's length); a
//! category pin pins the best-scored item of that category. Pinned items that the shelf did
//! not rank are added if they pass the filters.

use serde::Deserialize;

use crate::error::CoreError;
use crate::limits;
use crate::pack::Pack;
use crate::shelf::ShelfKind;

/// Largest boost or bury weight.
pub const MAX_WEIGHT: f32 = 10.0;
/// Default boost weight.
pub const DEFAULT_BOOST: f32 = 0.5;
/// Default bury weight.
pub const DEFAULT_BURY: f32 = 1.0;
pub use crate::limits::MAX_RULES;

pub use crate::pack::{RuleAction, RuleTarget};

impl RuleAction {
    /// Rank for conflict resolution (higher wins): pin > bury > boost.
    fn precedence(self) -> u8 {
        match self {
            RuleAction::Pin(_) => 2,
            RuleAction::Bury(_) => 1,
            RuleAction::Boost(_) => 0,
        }
    }
}

/// What a rule names, by id or name (as written in a rules file or a request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetName {
    /// An item id.
    Item(String),
    /// A category name.
    Category(String),
}

/// A rule as written: action and target by name.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleSpec {
    /// What it does.
    pub action: RuleAction,
    /// What it applies to.
    pub target: TargetName,
}

/// Where a rule comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleSource {
    /// The pack (the shop's build-time rules file).
    Pack,
    /// The page, at call time.
    Page,
}

impl RuleSource {
    /// "pack" or "page".
    pub fn name(self) -> &'static str {
        match self {
            RuleSource::Pack => "pack",
            RuleSource::Page => "page",
        }
    }
}

/// A rule resolved against a pack.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rule {
    /// What it does.
    pub action: RuleAction,
    /// What it applies to.
    pub target: RuleTarget,
    /// Where it comes from.
    pub source: RuleSource,
}

impl Rule {
    /// Whether the rule applies to item `i`.
    pub fn matches<B: AsRef<[u8]>>(&self, pack: &Pack<B>, i: u32) -> bool {
        match self.target {
            RuleTarget::Item(t) => t == i,
            RuleTarget::Category(c) => pack.category_index(i) == Some(c),
        }
    }

    /// The conflict-resolution key (larger wins), see the module docs.
    fn precedence(&self) -> (u8, u8, u8) {
        let source = u8::from(self.source == RuleSource::Page);
        let target = u8::from(matches!(self.target, RuleTarget::Item(_)));
        (source, self.action.precedence(), target)
    }

    /// A short label for explanations: "pin (page)", "boost (pack)".
    pub fn label(&self) -> String {
        format!("{} ({})", self.action.name(), self.source.name())
    }
}

/// The one rule that applies to item `i` among `rules`, if any (see the module docs).
pub fn winning_rule<B: AsRef<[u8]>>(pack: &Pack<B>, rules: &[Rule], i: u32) -> Option<Rule> {
    let mut best: Option<Rule> = None;
    for rule in rules.iter().filter(|r| r.matches(pack, i)) {
        // Strictly greater: on a tie the earlier rule keeps its place.
        if best.is_none_or(|b| rule.precedence() > b.precedence()) {
            best = Some(*rule);
        }
    }
    best
}

/// The rules of one shelf indexed for [`RuleIndex::winning`]: the same answer as
/// [`winning_rule`] in O(log rules) per item instead of a pass over every rule, so that a
/// shelf of 4,000 candidates under 1,000 rules costs thousands of lookups, not millions of
/// comparisons.
#[derive(Debug, Clone, Default)]
pub struct RuleIndex {
    /// (item, position in the rule list) of every rule naming an item, sorted.
    by_item: Vec<(u32, usize)>,
    /// Per category index: the position of the rule among those naming that category that
    /// would win alone (the first of the highest precedence).
    by_category: Vec<Option<usize>>,
    rules: Vec<Rule>,
}

impl RuleIndex {
    /// Indexes `rules` (in their order) for the items of `pack`.
    pub fn new<B: AsRef<[u8]>>(pack: &Pack<B>, rules: &[Rule]) -> RuleIndex {
        let mut by_item = Vec::new();
        let mut by_category: Vec<Option<usize>> = vec![None; pack.category_count() as usize];
        for (at, rule) in rules.iter().enumerate() {
            match rule.target {
                RuleTarget::Item(i) => by_item.push((i, at)),
                RuleTarget::Category(c) => {
                    if let Some(slot) = by_category.get_mut(c as usize) {
                        if slot.is_none_or(|b| rule.precedence() > rules[b].precedence()) {
                            *slot = Some(at);
                        }
                    }
                }
            }
        }
        by_item.sort_unstable();
        RuleIndex { by_item, by_category, rules: rules.to_vec() }
    }

    /// The one rule that applies to item `i` (as [`winning_rule`]).
    pub fn winning<B: AsRef<[u8]>>(&self, pack: &Pack<B>, i: u32) -> Option<Rule> {
        let from = self.by_item.partition_point(|&(item, _)| item < i);
        let own = self.by_item[from..].iter().take_while(|&&(item, _)| item == i).map(|&(_, at)| at);
        let category = pack.category_index(i).and_then(|c| self.by_category.get(c as usize).copied().flatten());
        // Each list in rule order: on a tie of precedence the earlier rule keeps its place.
        let wins = |at: usize, over: usize| {
            let (a, b) = (self.rules[at].precedence(), self.rules[over].precedence());
            a > b || (a == b && at < over)
        };
        let best = own.chain(category).fold(None, |best: Option<usize>, at| match best {
            Some(b) if !wins(at, b) => Some(b),
            _ => Some(at),
        });
        best.map(|at| self.rules[at])
    }
}

/// Resolves a rule spec against `pack`. An unknown item id or category name is a typed error
/// (`unknown_item` / `unknown_category`) naming it.
pub fn resolve<B: AsRef<[u8]>>(pack: &Pack<B>, spec: &RuleSpec, source: RuleSource) -> Result<Rule, CoreError> {
    resolve_with(pack, None, spec, source)
}

/// [`resolve`], finding category names through `lookup` when there is one.
pub fn resolve_with<B: AsRef<[u8]>>(
    pack: &Pack<B>,
    lookup: Option<&CategoryLookup<'_>>,
    spec: &RuleSpec,
    source: RuleSource,
) -> Result<Rule, CoreError> {
    let target = match &spec.target {
        TargetName::Item(id) => RuleTarget::Item(pack.find_item(id).ok_or_else(|| CoreError::UnknownItem { id: id.clone() })?),
        TargetName::Category(name) => {
            RuleTarget::Category(find_category_with(pack, lookup, name).ok_or_else(|| CoreError::UnknownCategory { name: name.clone() })?)
        }
    };
    Ok(Rule { action: spec.action, target, source })
}

/// The index of the category called `name`.
pub fn find_category<B: AsRef<[u8]>>(pack: &Pack<B>, name: &str) -> Option<u32> {
    (0..pack.category_count()).find(|&c| pack.category_name(c) == name)
}

/// The pack's category names sorted once, so that a call naming many categories (a filter list
/// of 1,000 names, hundreds of category rules) looks each up in O(log categories) instead of
/// comparing it with every name. [`CategoryLookup::find`] answers as [`find_category`] (the
/// first index of that name).
#[derive(Debug, Clone)]
pub struct CategoryLookup<'a> {
    sorted: Vec<(&'a str, u32)>,
}

impl<'a> CategoryLookup<'a> {
    /// Below this many names, [`CategoryLookup::for_names`] scans instead of sorting.
    const SCAN_BELOW: usize = 4;

    /// The lookup of `pack`'s categories.
    pub fn new<B: AsRef<[u8]>>(pack: &'a Pack<B>) -> CategoryLookup<'a> {
        let mut sorted: Vec<(&str, u32)> = (0..pack.category_count()).map(|c| (pack.category_name(c), c)).collect();
        sorted.sort_unstable();
        CategoryLookup { sorted }
    }

    /// The lookup when `names` names are to be found (`None`: so few that a scan is cheaper).
    pub fn for_names<B: AsRef<[u8]>>(pack: &'a Pack<B>, names: usize) -> Option<CategoryLookup<'a>> {
        (names >= Self::SCAN_BELOW).then(|| CategoryLookup::new(pack))
    }

    /// The index of the category called `name`.
    pub fn find(&self, name: &str) -> Option<u32> {
        let at = self.sorted.partition_point(|&(n, _)| n < name);
        self.sorted.get(at).filter(|&&(n, _)| n == name).map(|&(_, c)| c)
    }
}

/// [`find_category`] through `lookup` when there is one.
pub fn find_category_with<B: AsRef<[u8]>>(pack: &Pack<B>, lookup: Option<&CategoryLookup<'_>>, name: &str) -> Option<u32> {
    lookup.map_or_else(|| find_category(pack, name), |l| l.find(name))
}

/// The index of the brand called `name`.
pub fn find_brand<B: AsRef<[u8]>>(pack: &Pack<B>, name: &str) -> Option<u32> {
    (0..pack.brand_count()).find(|&b| pack.brand_name(b) == name)
}

/// Checks a boost / bury weight.
pub fn check_weight(weight: f64) -> Result<f32, CoreError> {
    if weight.is_finite() && (0.0..=f64::from(MAX_WEIGHT)).contains(&weight) {
        Ok(weight as f32)
    } else {
        Err(CoreError::OutOfRange { name: "weight", value: weight.to_string(), expected: "a number from 0 to 10" })
    }
}

/// Checks a pin position (1-based).
pub fn check_position(position: f64) -> Result<u32, CoreError> {
    if position.is_finite() && position.fract() == 0.0 && (1.0..=1000.0).contains(&position) {
        Ok(position as u32)
    } else {
        Err(CoreError::OutOfRange { name: "position", value: position.to_string(), expected: "a whole number from 1 to 1000" })
    }
}

/// A rule as the page passes it: `{ action: "boost" | "bury" | "pin", item | category, weight?, position? }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RuleInput {
    /// "boost", "bury" or "pin".
    pub action: String,
    /// The item id it applies to (this or `category`).
    #[serde(default)]
    pub item: Option<String>,
    /// The category name it applies to (this or `item`).
    #[serde(default)]
    pub category: Option<String>,
    /// Boost / bury weight (defaults 0.5 / 1).
    #[serde(default)]
    pub weight: Option<f64>,
    /// Pin position, 1-based (default 1).
    #[serde(default)]
    pub position: Option<f64>,
}

impl RuleInput {
    /// The rule spec, or a typed error naming what is wrong.
    pub fn to_spec(&self) -> Result<RuleSpec, CoreError> {
        let target = match (&self.item, &self.category) {
            (Some(id), None) => TargetName::Item(limits::check_id("rules.item", id)?.to_owned()),
            (None, Some(name)) => TargetName::Category(limits::check_name("rules.category", name)?.to_owned()),
            _ => {
                return Err(CoreError::InvalidArgument {
                    name: "rules",
                    detail: format!("a {} rule needs exactly one of item or category", limits::echo(&self.action)),
                })
            }
        };
        let action = parse_action(&self.action, self.weight, self.position)?;
        Ok(RuleSpec { action, target })
    }
}

/// Builds an action from its name and optional weight / position.
pub fn parse_action(name: &str, weight: Option<f64>, position: Option<f64>) -> Result<RuleAction, CoreError> {
    match name {
        "boost" => Ok(RuleAction::Boost(weight.map_or(Ok(DEFAULT_BOOST), check_weight)?)),
        "bury" => Ok(RuleAction::Bury(weight.map_or(Ok(DEFAULT_BURY), check_weight)?)),
        "pin" => Ok(RuleAction::Pin(position.map_or(Ok(1), check_position)?)),
        other => Err(CoreError::InvalidArgument {
            name: "rules",
            detail: format!("unknown rule action {}; expected boost, bury or pin", limits::echo(other)),
        }),
    }
}

/// Filters as the page passes them. Unset fields take the shelf's defaults.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FilterInput {
    /// Only items in stock (default true).
    #[serde(default)]
    pub in_stock: Option<bool>,
    /// Lowest price (inclusive).
    #[serde(default)]
    pub min_price: Option<f64>,
    /// Highest price (inclusive).
    #[serde(default)]
    pub max_price: Option<f64>,
    /// Only these categories (names; unknown names match nothing).
    #[serde(default)]
    pub categories: Option<Vec<String>>,
    /// Never these categories (names; unknown names are ignored).
    #[serde(default)]
    pub exclude_categories: Vec<String>,
    /// Leave out what is in the cart (default true).
    #[serde(default)]
    pub exclude_in_cart: Option<bool>,
    /// Leave out what the shopper bought (default false: an opt-in filter; always true for
    /// discovery, whose job is items the shopper has not bought).
    #[serde(default)]
    pub exclude_purchased: Option<bool>,
}

/// Filters resolved against a pack.
#[derive(Debug, Clone, PartialEq)]
pub struct Filters {
    /// Only items in stock.
    pub in_stock: bool,
    /// Price range, inclusive.
    pub min_price: f32,
    /// Price range, inclusive.
    pub max_price: f32,
    /// Only these category indices, when set (sorted, distinct).
    pub include_categories: Option<Vec<u32>>,
    /// Never these category indices (sorted, distinct).
    pub exclude_categories: Vec<u32>,
    /// Leave out what is in the cart.
    pub exclude_in_cart: bool,
    /// Leave out what was bought.
    pub exclude_purchased: bool,
}

impl Default for Filters {
    fn default() -> Self {
        Filters {
            in_stock: true,
            min_price: f32::NEG_INFINITY,
            max_price: f32::INFINITY,
            include_categories: None,
            exclude_categories: Vec::new(),
            exclude_in_cart: true,
            exclude_purchased: false,
        }
    }
}

fn check_price(name: &'static str, value: f64) -> Result<f32, CoreError> {
    if value.is_finite() && value >= 0.0 {
        Ok(value as f32)
    } else {
        Err(CoreError::OutOfRange { name, value: value.to_string(), expected: "a finite price ≥ 0" })
    }
}

/// The indices of the categories named in `names` (unknown names are left out): at most
/// [`limits::MAX_LIST_LEN`] names of at most [`limits::MAX_NAME_BYTES`], else `out_of_range`.
fn category_list<B: AsRef<[u8]>>(pack: &Pack<B>, field: &'static str, names: &[String]) -> Result<Vec<u32>, CoreError> {
    limits::check_list(field, names)?;
    let lookup = CategoryLookup::for_names(pack, names.len());
    let mut out = Vec::new();
    for name in names {
        out.extend(find_category_with(pack, lookup.as_ref(), limits::check_name(field, name)?));
    }
    out.sort_unstable();
    out.dedup();
    Ok(out)
}

impl FilterInput {
    /// Resolves the filters of a `kind` shelf. Discovery always leaves out what was bought:
    /// asking it not to is an `invalid_argument` error.
    pub fn resolve<B: AsRef<[u8]>>(&self, pack: &Pack<B>, kind: ShelfKind) -> Result<Filters, CoreError> {
        let discovery = kind == ShelfKind::Discovery;
        if discovery && self.exclude_purchased == Some(false) {
            return Err(CoreError::InvalidArgument {
                name: "filters.excludePurchased",
                detail: "discovery always leaves out what the shopper bought; use for-you to include it".into(),
            });
        }
        let min_price = self.min_price.map_or(Ok(f32::NEG_INFINITY), |p| check_price("minPrice", p))?;
        let max_price = self.max_price.map_or(Ok(f32::INFINITY), |p| check_price("maxPrice", p))?;
        if min_price > max_price {
            return Err(CoreError::OutOfRange {
                name: "minPrice",
                value: format!("{min_price} (maxPrice {max_price})"),
                expected: "minPrice ≤ maxPrice",
            });
        }
        let include_categories = self.categories.as_deref().map(|v| category_list(pack, "filters.categories", v)).transpose()?;
        Ok(Filters {
            in_stock: self.in_stock.unwrap_or(true),
            min_price,
            max_price,
            include_categories,
            exclude_categories: category_list(pack, "filters.excludeCategories", &self.exclude_categories)?,
            exclude_in_cart: self.exclude_in_cart.unwrap_or(true),
            exclude_purchased: discovery || self.exclude_purchased.unwrap_or(false),
        })
    }
}

impl Filters {
    /// Whether item `i` passes the catalog filters; `in_cart` / `purchased` say what the
    /// shopper's events say about it.
    pub fn allows<B: AsRef<[u8]>>(&self, pack: &Pack<B>, i: u32, in_cart: bool, purchased: bool) -> bool {
        if self.in_stock && !pack.in_stock(i) {
            return false;
        }
        let price = pack.price(i);
        if price < self.min_price || price > self.max_price {
            return false;
        }
        let c = pack.category_index(i);
        let listed = |list: &[u32]| c.is_some_and(|c| list.binary_search(&c).is_ok());
        if self.include_categories.as_deref().is_some_and(|inc| !listed(inc)) || listed(&self.exclude_categories) {
            return false;
        }
        !(self.exclude_in_cart && in_cart || self.exclude_purchased && purchased)
    }
}

//! The bounds on what a page may ask of the engine: one place for every number.
//!
//! Each input that crosses the API boundary (`track`, `shelf`, `page`, `item`, `items`,
//! `removeInterest`) is bounded here, so that no single call can stall the page or grow the
//! wasm memory with the size of its arguments. An argument over a bound is either refused
//! with `out_of_range` naming the field ([`check_text`], [`check_list`]) or cut to the bound
//! (search text, shelf titles, the search text quoted in an explanation; see [`cut`]).
//! `docs/TRUST.md` lists every bound with what happens over it.

use crate::error::CoreError;

/// Longest item id accepted anywhere (events, context, exclusions, rules), in bytes.
pub const MAX_ID_BYTES: usize = 1_024;
/// Longest category or brand name accepted (context, filters, rules, interests), in bytes.
pub const MAX_NAME_BYTES: usize = 1_024;
/// Longest search text used or kept, in characters (longer text is cut, not refused).
pub const MAX_QUERY_CHARS: usize = 200;
/// Most distinct words of a search text that are matched against titles (the rest are cut).
pub const MAX_QUERY_WORDS: usize = 16;
/// Most characters of the search text quoted in an explanation's text (then `…`).
pub const MAX_QUOTED_QUERY_CHARS: usize = 40;
/// Longest shelf title a request may set, in characters (longer titles are cut).
pub const MAX_TITLE_CHARS: usize = 100;
/// Most ids or names in one list of a request (`exclude`, `cart`, filter categories).
pub const MAX_LIST_LEN: usize = 1_000;
/// Most items one shelf may ask for.
pub const MAX_K: usize = 1_000;
/// Most items a shelf with `diversity` above 0 may ask for (its cost grows with k²).
pub const MAX_DIVERSE_K: usize = 100;
/// Most shelves one page call may ask for.
pub const MAX_SHELVES: usize = 20;
/// Most items one page call may ask for, summed over its shelves.
pub const MAX_PAGE_ITEMS: usize = 2_000;
/// Most work one page call may ask for, in item reads (see [`shelf_cost`]): 600,000, what a
/// shop's plain page of six shelves needs on a 100,000-item pack (about 530,000) with some room;
/// the heaviest pages it admits there took 21 ms of CPU natively and 34–43 ms in Chromium on a
/// loaded host (docs/TRUST.md, "the page cost model").
pub const MAX_PAGE_COST: u64 = 600_000;
/// Catalog passes one page call may always make, however large the catalog: on a pack of more
/// than 100,000 items [`MAX_PAGE_COST`] alone would refuse a shop's plain page of six shelves
/// (about 4.8 passes on 1,000,000 items), so the budget grows with the catalog there; such a
/// page no longer fits in 50 ms.
pub const MIN_PAGE_PASSES: u64 = 6;

/// The work one page call may ask for on a catalog of `items` items, in item reads:
/// [`MAX_PAGE_COST`], or [`MIN_PAGE_PASSES`] passes over the catalog when that is more.
pub fn page_budget(items: u32) -> u64 {
    MAX_PAGE_COST.max(MIN_PAGE_PASSES * u64::from(items))
}
/// Most rules of one request, and of a pack (the builder refuses more).
pub const MAX_RULES: usize = 1_000;
/// Most item cards one `items()` call returns.
pub const MAX_ITEMS_PER_CALL: usize = 10_000;
/// Most events kept in memory; older ones are dropped first.
pub const MAX_EVENTS: usize = 10_000;
/// Most searches kept in memory; older ones are dropped first.
pub const MAX_SEARCHES: usize = 100;
/// How far in the future an event may be dated, in ms (one day: clocks differ, a
/// microsecond timestamp does not).
pub const MAX_FUTURE_MS: i64 = 24 * 60 * 60 * 1_000;

/// The work one shelf may do, counted from its request before it is ranked (see
/// `Engine::page_cost` for what each kind of shelf and option counts).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ShelfWork {
    /// Scans of the catalog's embeddings: the kernel's (for you, the neighbour shelves' nearest
    /// items, new for you), and [`EXPLORE_SCANS`] for the exploration arms.
    pub scans: u64,
    /// Items read by walks of the pack's trend order (the trending shelves, the fill-up,
    /// category pins): each reads items until it has what it wants, up to the whole catalog
    /// when the filters let few items through.
    pub walk_reads: u64,
    /// Scans of the image embeddings (visual neighbours).
    pub image_scans: u64,
    /// Items asked for.
    pub k: usize,
    /// Whether the shelf has diversity (its MMR costs `4k × k` cosines).
    pub diverse: bool,
}

/// How many items a walk of the trend order reads for the cost of one item of a scan of the
/// embeddings: a walk reads an item's filters and trend, 16–18 ns per item natively against
/// 40–63 ns for the kernel's scan of 64 dimensions (measured: docs/TRUST.md, "the page cost
/// model").
pub const WALK_READS_PER_READ: u64 = 3;
/// Scans the exploration slots cost: a cosine to the shelf for each under-exposed item (a
/// quarter of the catalog), a Beta draw for each and their sort take about what 1.5 scans of
/// the kernel take (measured: docs/TRUST.md, "the page cost model").
pub const EXPLORE_SCANS: u64 = 2;
/// Item reads each item asked for costs: its 4 candidates with their explanations, the rules
/// and caps that pick it, its card and its way back to the page (measured: a shelf of 1,000
/// items takes what 250,000 more item reads take, at most).
pub const READS_PER_ITEM: u64 = 250;

/// What one shelf may cost, in item reads (one read: an item's embedding scanned once), on a
/// catalog of `items` items with embeddings of `dim` dimensions and image embeddings of
/// `image_dim`: its scans read every item, its walks' reads count a third each, its image scans
/// `image_dim / dim` as much, plus [`READS_PER_ITEM`] per item asked for and, with diversity,
/// the MMR's `4k × k` cosines counted as `dim / 64` reads each. The sum over a page's shelves
/// is bounded by [`page_budget`], so that a page's work is bounded by its arguments and the
/// catalog's size rather than by how many worst-case shelves it stacks.
pub fn shelf_cost(work: &ShelfWork, items: u32, dim: usize, image_dim: usize) -> u64 {
    let n = u64::from(items);
    let k = work.k as u64;
    let image = work.image_scans * n * image_dim as u64 / dim.max(1) as u64;
    let mmr = if work.diverse { 4 * k * k * dim as u64 / 64 } else { 0 };
    work.scans * n + work.walk_reads / WALK_READS_PER_READ + image + READS_PER_ITEM * k + mmr
}

/// The most characters of an input value a message quotes (the core's errors and the
/// builder's); longer values are cut with `…` and their length.
pub const MAX_ECHO_CHARS: usize = 64;

/// `text` quoted for a message: as `"text"`, or when longer than [`MAX_ECHO_CHARS`]
/// characters as `"first 64 characters…" (N bytes)`.
pub fn echo(text: &str) -> String {
    match text.char_indices().nth(MAX_ECHO_CHARS) {
        None => format!("{text:?}"),
        Some((at, _)) => format!("{:?} ({} bytes)", format!("{}…", &text[..at]), text.len()),
    }
}

/// `text` cut to at most `max` characters (no `…`).
pub fn cut(text: &str, max: usize) -> &str {
    match text.char_indices().nth(max) {
        None => text,
        Some((at, _)) => &text[..at],
    }
}

/// Refuses a text argument `name` longer than `max_bytes` with `out_of_range`.
pub fn check_text<'a>(name: &'static str, text: &'a str, max_bytes: usize, expected: &'static str) -> Result<&'a str, CoreError> {
    if text.len() <= max_bytes {
        Ok(text)
    } else {
        Err(CoreError::OutOfRange { name, value: echo(text), expected })
    }
}

/// Refuses an item id longer than [`MAX_ID_BYTES`].
pub fn check_id<'a>(name: &'static str, id: &'a str) -> Result<&'a str, CoreError> {
    check_text(name, id, MAX_ID_BYTES, "an item id of at most 1024 bytes")
}

/// Refuses a category or brand name longer than [`MAX_NAME_BYTES`].
pub fn check_name<'a>(name: &'static str, text: &'a str) -> Result<&'a str, CoreError> {
    check_text(name, text, MAX_NAME_BYTES, "a name of at most 1024 bytes")
}

/// Refuses a list argument `name` with more than [`MAX_LIST_LEN`] entries.
pub fn check_list<T>(name: &'static str, list: &[T]) -> Result<(), CoreError> {
    if list.len() <= MAX_LIST_LEN {
        Ok(())
    } else {
        Err(CoreError::OutOfRange { name, value: list.len().to_string(), expected: "a list of at most 1000 entries" })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn echo_is_short_whatever_the_input() {
        assert_eq!(echo("abc"), "\"abc\"");
        let long = "é".repeat(100_000);
        let shown = echo(&long);
        assert!(shown.chars().count() < 100, "{shown}");
        assert!(shown.ends_with("(200000 bytes)"), "{shown}");
    }

    #[test]
    fn a_plain_shelf_fits_the_page_budget_on_any_catalog() {
        for items in [5_000, 100_000, 400_000, 1_000_000, 4_000_000] {
            // A scan, and its walks (the fill-up, category pins) reading the whole catalog.
            let for_you = ShelfWork { scans: 1, walk_reads: 2 * u64::from(items), k: 8, ..ShelfWork::default() };
            let plain = shelf_cost(&for_you, items, 64, 32);
            assert!(3 * plain <= page_budget(items), "{items} items: {plain} × 3 > {}", page_budget(items));
        }
        assert_eq!(page_budget(100_000), MAX_PAGE_COST);
        assert_eq!(page_budget(1_000_000), 6_000_000);
    }

    #[test]
    fn each_term_of_a_shelf_cost_counts_as_documented() {
        let n = 100_000;
        let base = ShelfWork { k: 10, ..ShelfWork::default() };
        assert_eq!(shelf_cost(&base, n, 64, 32), 10 * READS_PER_ITEM);
        assert_eq!(shelf_cost(&ShelfWork { scans: 2, ..base }, n, 64, 32) - shelf_cost(&base, n, 64, 32), 200_000);
        assert_eq!(shelf_cost(&ShelfWork { walk_reads: 30_000, ..base }, n, 64, 32) - shelf_cost(&base, n, 64, 32), 10_000);
        assert_eq!(shelf_cost(&ShelfWork { image_scans: 1, ..base }, n, 64, 32) - shelf_cost(&base, n, 64, 32), 50_000);
        assert_eq!(shelf_cost(&ShelfWork { diverse: true, ..base }, n, 64, 32) - shelf_cost(&base, n, 64, 32), 400);
    }

    #[test]
    fn cut_keeps_whole_characters() {
        assert_eq!(cut("héllo", 2), "hé");
        assert_eq!(cut("hi", 5), "hi");
    }

    #[test]
    fn long_ids_names_and_lists_are_out_of_range() {
        let id = "x".repeat(MAX_ID_BYTES + 1);
        let err = check_id("item", &id).err();
        assert!(matches!(err, Some(CoreError::OutOfRange { name: "item", .. })), "{err:?}");
        assert!(check_id("item", &id[1..]).is_ok());
        assert!(check_name("category", &"c".repeat(MAX_NAME_BYTES + 1)).is_err());
        assert!(matches!(check_list("exclude", &vec![0; MAX_LIST_LEN + 1]), Err(CoreError::OutOfRange { name: "exclude", .. })));
        assert!(check_list("exclude", &vec![0; MAX_LIST_LEN]).is_ok());
    }
}

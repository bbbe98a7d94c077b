//! The shop's vocabulary: categories (with their word lists, median prices and tile art),
//! styles, brands, title variants and the hours sessions start in.

/// A kind of product within a category ("Pillar Candle") and whether shoppers use it up.
pub(super) struct ProductKind {
    pub(super) name: &'static str,
    pub(super) consumable: bool,
}

pub(super) const fn kind(name: &'static str) -> ProductKind {
    ProductKind { name, consumable: false }
}

pub(super) const fn used_up(name: &'static str) -> ProductKind {
    ProductKind { name, consumable: true }
}

/// How a category's SVG tile looks: tile colour, ink colour and the picture (SVG elements in a
/// 128 × 128 box; `INK` is replaced by the ink colour).
pub(super) struct TileArt {
    pub(super) tile: &'static str,
    pub(super) ink: &'static str,
    pub(super) picture: &'static str,
}

/// One category of the shop and the words its products are named with.
pub(super) struct CategorySpec {
    pub(super) name: &'static str,
    /// Median price in the shop's currency.
    pub(super) median_price: f64,
    /// How many shoppers care about it, relative to the others.
    pub(super) appeal: f64,
    pub(super) kinds: &'static [ProductKind],
    pub(super) materials: &'static [&'static str],
    /// Ends of the description sentence.
    pub(super) phrases: &'static [&'static str],
    pub(super) art: TileArt,
}

pub(super) const CATEGORIES: [CategorySpec; 10] = [
    CategorySpec {
        name: "Candles & Lights",
        median_price: 14.0,
        appeal: 1.3,
        kinds: &[
            used_up("Pillar Candle"),
            used_up("Scented Candle"),
            used_up("Tealight Set"),
            used_up("Dinner Candles"),
            used_up("Wax Melt Pack"),
            used_up("Travel Tin Candle"),
            kind("Tealight Holder"),
            kind("Lantern"),
            kind("String Lights"),
            kind("Candle Snuffer"),
            kind("Table Lamp"),
            kind("Storm Lantern"),
        ],
        materials: &["Beeswax", "Soy Wax", "Amber Glass", "Brass", "Ceramic"],
        phrases: &["made for slow evenings at home", "that fills the room with a soft glow", "a favourite for gifting"],
        art: TileArt {
            tile: "#fbe7c6",
            ink: "#e07a5f",
            picture: concat!(
                r##"<rect x="40" y="100" width="48" height="6" rx="3" fill="INK" opacity=".55"/>"##,
                r##"<rect x="50" y="56" width="28" height="44" rx="5" fill="INK"/>"##,
                r##"<rect x="63" y="47" width="2" height="10" fill="#5b4636"/>"##,
                r##"<path d="M64 22c7 9 10 15 10 20a10 10 0 0 1-20 0c0-5 3-11 10-20z" fill="#f7b733"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Kitchen",
        median_price: 18.0,
        appeal: 1.2,
        kinds: &[
            kind("Mug"),
            kind("Tea Towel"),
            kind("Serving Bowl"),
            kind("Chopping Board"),
            kind("Teapot"),
            kind("Utensil Pot"),
            kind("Oven Glove"),
            kind("Butter Dish"),
            kind("Salad Servers"),
            kind("Spice Jar Set"),
            kind("Cake Tin"),
            kind("Coffee Canister"),
        ],
        materials: &["Stoneware", "Enamel", "Acacia", "Linen", "Porcelain"],
        phrases: &["made for everyday cooking", "that turns breakfast into a small ritual", "sturdy enough for daily use"],
        art: TileArt {
            tile: "#dff1ec",
            ink: "#2a9d8f",
            picture: concat!(
                r##"<path d="M50 40c-4-6 4-10 0-16M64 40c-4-6 4-10 0-16" fill="none" stroke="INK" stroke-width="3" stroke-linecap="round" opacity=".6"/>"##,
                r##"<path d="M80 60h6a10 10 0 0 1 0 20h-6" fill="none" stroke="INK" stroke-width="7"/>"##,
                r##"<rect x="36" y="48" width="44" height="52" rx="8" fill="INK"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Bags",
        median_price: 28.0,
        appeal: 0.9,
        kinds: &[
            kind("Tote Bag"),
            kind("Shopper"),
            kind("Crossbody Bag"),
            kind("Washbag"),
            kind("Backpack"),
            kind("Clutch"),
            kind("Weekender"),
            kind("Purse"),
            kind("Lunch Bag"),
            kind("Beach Bag"),
            kind("Card Holder"),
            kind("Bucket Bag"),
        ],
        materials: &["Canvas", "Linen", "Leather", "Jute", "Corduroy"],
        phrases: &["roomy enough for a day out", "that goes with everything", "built to be carried for years"],
        art: TileArt {
            tile: "#f3e3d3",
            ink: "#a0714f",
            picture: concat!(
                r##"<path d="M50 58V46a14 14 0 0 1 28 0v12" fill="none" stroke="INK" stroke-width="6" stroke-linecap="round"/>"##,
                r##"<path d="M34 56h60l-6 46H40z" fill="INK" stroke="INK" stroke-width="4" stroke-linejoin="round"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Stationery",
        median_price: 8.0,
        appeal: 0.9,
        kinds: &[
            kind("Notebook"),
            used_up("Greeting Card"),
            kind("Pen Set"),
            used_up("Wrapping Paper"),
            kind("Desk Planner"),
            used_up("Sticky Notes"),
            kind("Pencil Case"),
            used_up("Gift Tags"),
            used_up("Washi Tape"),
            kind("Photo Album"),
            kind("Letter Set"),
            kind("Bookmark"),
        ],
        materials: &["Recycled Paper", "Kraft Paper", "Linen Cloth", "Gold Foil", "Cotton Rag"],
        phrases: &["for lists, letters and plans", "that makes a desk feel tidy", "a small joy to write with"],
        art: TileArt {
            tile: "#e4e9f7",
            ink: "#5366b3",
            picture: concat!(
                r##"<rect x="36" y="28" width="46" height="70" rx="4" fill="INK"/>"##,
                r##"<path d="M46 46h26M46 56h26M46 66h18" stroke="#fff" stroke-width="3" stroke-linecap="round" opacity=".8"/>"##,
                r##"<g transform="rotate(30 90 70)">"##,
                r##"<rect x="85" y="36" width="10" height="52" rx="2" fill="#f2c14e"/>"##,
                r##"<path d="M85 88h10l-5 11z" fill="#5b4636"/>"##,
                r##"</g>"##,
            ),
        },
    },
    CategorySpec {
        name: "Garden",
        median_price: 16.0,
        appeal: 0.8,
        kinds: &[
            kind("Plant Pot"),
            kind("Watering Can"),
            used_up("Seed Kit"),
            kind("Bird Feeder"),
            kind("Gardening Gloves"),
            kind("Trowel"),
            kind("Herb Planter"),
            kind("Hanging Basket"),
            kind("Plant Mister"),
            kind("Garden Kneeler"),
            kind("Solar Lantern"),
            kind("Twine Dispenser"),
        ],
        materials: &["Terracotta", "Galvanised Steel", "Zinc", "Rattan", "Bamboo"],
        phrases: &["for balconies, patios and window sills", "that weathers beautifully outdoors", "a gift for anyone with green fingers"],
        art: TileArt {
            tile: "#e3f1dc",
            ink: "#b5653b",
            picture: concat!(
                r##"<path d="M64 70V44" stroke="#3d7a4a" stroke-width="4" stroke-linecap="round"/>"##,
                r##"<ellipse cx="54" cy="48" rx="12" ry="6" transform="rotate(-30 54 48)" fill="#4f9a5f"/>"##,
                r##"<ellipse cx="74" cy="40" rx="12" ry="6" transform="rotate(30 74 40)" fill="#4f9a5f"/>"##,
                r##"<path d="M44 74h40l-5 28H49z" fill="INK"/>"##,
                r##"<rect x="40" y="68" width="48" height="9" rx="3" fill="INK"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Toys",
        median_price: 15.0,
        appeal: 0.8,
        kinds: &[
            kind("Plush Bunny"),
            kind("Toy Train"),
            kind("Stacking Rings"),
            kind("Puzzle"),
            kind("Rag Doll"),
            kind("Skipping Rope"),
            kind("Building Blocks"),
            kind("Spinning Top"),
            kind("Jigsaw"),
            kind("Kite"),
            kind("Tea Party Set"),
            kind("Pull-Along Duck"),
        ],
        materials: &["Beech Wood", "Wool Felt", "Organic Cotton", "Tinplate", "Cork"],
        phrases: &["for little hands and big imaginations", "made to be played with and handed down", "a classic that never gets old"],
        art: TileArt {
            tile: "#fde2e4",
            ink: "#e5989b",
            picture: concat!(
                r##"<polygon points="64.0,32.0 73.4,55.1 98.2,56.9 79.2,72.9 85.2,97.1 64.0,84.0 42.8,97.1 48.8,72.9 29.8,56.9 54.6,55.1" fill="INK" stroke="INK" stroke-width="6" stroke-linejoin="round"/>"##,
                r##"<circle cx="56" cy="66" r="3" fill="#fff"/>"##,
                r##"<circle cx="72" cy="66" r="3" fill="#fff"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Jewellery",
        median_price: 22.0,
        appeal: 0.8,
        kinds: &[
            kind("Necklace"),
            kind("Stud Earrings"),
            kind("Bangle"),
            kind("Ring"),
            kind("Charm Bracelet"),
            kind("Hoop Earrings"),
            kind("Brooch"),
            kind("Anklet"),
            kind("Locket"),
            kind("Hair Clip"),
            kind("Pendant"),
            kind("Trinket Dish"),
        ],
        materials: &["Sterling Silver", "Gold Vermeil", "Rose Gold", "Freshwater Pearl", "Enamel"],
        phrases: &[
            "delicate enough to wear every day",
            "that arrives in a little gift box",
            "for birthdays, anniversaries and just because",
        ],
        art: TileArt {
            tile: "#efe6f7",
            ink: "#b08d57",
            picture: concat!(
                r##"<circle cx="64" cy="78" r="24" fill="none" stroke="INK" stroke-width="8"/>"##,
                r##"<path d="M52 38h24l8 10-20 16-20-16z" fill="#8fd3e8" stroke="INK" stroke-width="3" stroke-linejoin="round"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Christmas",
        median_price: 9.0,
        appeal: 0.5,
        kinds: &[
            kind("Bauble Set"),
            used_up("Advent Calendar"),
            kind("Tree Topper"),
            kind("Stocking"),
            kind("Wreath"),
            kind("Nativity Figure"),
            used_up("Gift Bag Set"),
            kind("Garland"),
            kind("Hanging Star"),
            used_up("Christmas Crackers"),
            kind("Tree Skirt"),
            kind("Snow Globe"),
        ],
        materials: &["Glass", "Felt", "Pine", "Paper", "Velvet"],
        phrases: &["to make the season sparkle", "that comes out of the box every December", "for a cosy, festive home"],
        art: TileArt {
            tile: "#f6dcdc",
            ink: "#2f7d4f",
            picture: concat!(
                r##"<rect x="58" y="86" width="12" height="14" rx="2" fill="#7a5234"/>"##,
                r##"<path d="M64 26l24 32H75l19 28H34l19-28H40z" fill="INK" stroke="INK" stroke-width="3" stroke-linejoin="round"/>"##,
                r##"<circle cx="64" cy="24" r="6" fill="#f7b733"/>"##,
                r##"<circle cx="56" cy="52" r="3.5" fill="#e63946"/>"##,
                r##"<circle cx="72" cy="70" r="3.5" fill="#f7b733"/>"##,
                r##"<circle cx="50" cy="78" r="3.5" fill="#e63946"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Bath",
        median_price: 11.0,
        appeal: 1.0,
        kinds: &[
            used_up("Soap Bar"),
            used_up("Bath Salts"),
            used_up("Hand Cream"),
            used_up("Body Lotion"),
            used_up("Bath Bomb"),
            used_up("Shower Gel"),
            used_up("Reed Diffuser"),
            used_up("Lip Balm"),
            kind("Face Cloth"),
            kind("Bath Towel"),
            kind("Soap Dish"),
            kind("Loofah"),
        ],
        materials: &["Lavender", "Oat Milk", "Seaweed", "Waffle Cotton", "Rose"],
        phrases: &["for a long, quiet soak", "gentle on skin and lovely to give", "that turns a bathroom into a little spa"],
        art: TileArt {
            tile: "#e0f2fb",
            ink: "#4aa3c8",
            picture: concat!(
                r##"<path d="M64 24c14 20 24 32 24 48a24 24 0 0 1-48 0c0-16 10-28 24-48z" fill="INK"/>"##,
                r##"<path d="M52 74a12 12 0 0 0 8 12" stroke="#fff" stroke-width="4" fill="none" stroke-linecap="round" opacity=".7"/>"##,
                r##"<circle cx="94" cy="40" r="6" fill="none" stroke="INK" stroke-width="3"/>"##,
                r##"<circle cx="102" cy="58" r="4" fill="none" stroke="INK" stroke-width="3"/>"##,
            ),
        },
    },
    CategorySpec {
        name: "Home Decor",
        median_price: 24.0,
        appeal: 1.2,
        kinds: &[
            kind("Vase"),
            kind("Cushion"),
            kind("Throw"),
            kind("Wall Print"),
            kind("Photo Frame"),
            kind("Mirror"),
            kind("Doorstop"),
            kind("Coaster Set"),
            kind("Bookends"),
            kind("Clock"),
            kind("Tray"),
            kind("Wall Hook"),
        ],
        materials: &["Ceramic", "Velvet", "Wool", "Oak", "Rattan"],
        phrases: &["that makes a room feel finished", "for shelves, sideboards and mantelpieces", "a small change with a big effect"],
        art: TileArt {
            tile: "#f5efe6",
            ink: "#7f8fa6",
            picture: concat!(
                r##"<path d="M60 36c-2-8-8-12-14-14M68 36c2-8 8-12 14-14M64 36V18" stroke="#4f9a5f" stroke-width="3" fill="none" stroke-linecap="round"/>"##,
                r##"<circle cx="45" cy="22" r="6" fill="#e5989b"/>"##,
                r##"<circle cx="83" cy="22" r="6" fill="#f2c14e"/>"##,
                r##"<circle cx="64" cy="16" r="6" fill="#e07a5f"/>"##,
                r##"<path d="M54 36h20v8c0 6 12 14 12 30 0 16-10 26-22 26S42 90 42 74c0-16 12-24 12-30z" fill="INK"/>"##,
            ),
        },
    },
];

/// A look that cuts across categories, and the words that put it into product names.
pub(super) struct StyleSpec {
    pub(super) name: &'static str,
    pub(super) words: &'static [&'static str],
}

pub(super) const STYLES: [StyleSpec; 5] = [
    StyleSpec { name: "rustic", words: &["Farmhouse", "Honey", "Moss", "Walnut", "Harvest", "Oat"] },
    StyleSpec { name: "modern", words: &["Matte Black", "Graphite", "Concrete", "Monochrome", "Slate", "Chrome"] },
    StyleSpec { name: "pastel", words: &["Blush", "Mint", "Lilac", "Powder Blue", "Peach", "Lemon"] },
    StyleSpec { name: "vintage", words: &["Heritage", "Antique", "Mustard", "Floral", "Victorian", "Paisley"] },
    StyleSpec { name: "nordic", words: &["Birch", "Snow", "Fjord", "Frost", "Juniper", "Ash"] },
];

/// A made-up brand: its price level (multiplies the category median) and its usual style.
pub(super) struct BrandSpec {
    pub(super) name: &'static str,
    pub(super) price_level: f64,
    pub(super) style: Option<usize>,
}

pub(super) const BRANDS: [BrandSpec; 8] = [
    BrandSpec { name: "Hearth & Hollow", price_level: 0.85, style: Some(0) },
    BrandSpec { name: "Oak & Ember", price_level: 1.2, style: Some(0) },
    BrandSpec { name: "Studio Kant", price_level: 1.4, style: Some(1) },
    BrandSpec { name: "Pastelle", price_level: 0.95, style: Some(2) },
    BrandSpec { name: "Little Wren", price_level: 0.8, style: Some(2) },
    BrandSpec { name: "Marigold Lane", price_level: 1.05, style: Some(3) },
    BrandSpec { name: "Nordlys", price_level: 1.25, style: Some(4) },
    BrandSpec { name: "Brightmoor", price_level: 0.7, style: None },
];

/// Title suffixes used when a drawn name is already taken.
pub(super) const VARIANTS: [&str; 8] = ["Mini", "Large", "Set of 2", "Set of 3", "Gift Edition", "Small", "XL", "Limited Edition"];

/// Relative chance that a session starts in each hour from 07:00 to 22:00 (evening peak).
pub(super) const START_HOUR_WEIGHTS: [f64; 16] = [1.0, 2.0, 3.0, 3.0, 4.0, 5.0, 6.0, 5.0, 4.0, 4.0, 5.0, 6.0, 8.0, 9.0, 8.0, 6.0];
pub(super) const FIRST_SHOPPING_HOUR: i64 = 7;

//! `shelfwise demo-data`: the synthetic demo shop (catalog.csv, events.jsonl, image_vectors.csv, img/*.svg)
//! written into a folder.

use std::fs;
use std::path::PathBuf;

use clap::Args;
use serde_json::json;

use shelfwise::build::file_error::{FileAction, FileError};
use shelfwise::build::input::RawEvent;
use shelfwise::build::synth::{self, SynthConfig};

use crate::error::CliError;
use crate::progress::spinner;

/// `demo-data --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise demo-data --out build/demo
  shelfwise demo-data --out build/big --items 5000 --shoppers 20000 --seed 1
  shelfwise build --events build/demo/events.jsonl --catalog build/demo/catalog.csv --out shop.pack";

// The flags of `demo-data` (its help text is the `Command::DemoData` variant's).
#[derive(Args)]
pub struct DemoDataArgs {
    /// Output folder.
    #[arg(long)]
    out: PathBuf,
    /// Number of products.
    #[arg(long, default_value_t = 600)]
    items: usize,
    /// Number of shoppers.
    #[arg(long, default_value_t = 800)]
    shoppers: usize,
    /// Random seed.
    #[arg(long, default_value_t = 7)]
    seed: u64,
}

/// Runs `shelfwise demo-data`.
pub fn run(args: &DemoDataArgs) -> Result<(), CliError> {
    let DemoDataArgs { out, items, shoppers, seed } = args;
    let config = SynthConfig { seed: *seed, items: *items, shoppers: *shoppers, ..SynthConfig::default() };
    let step = spinner("generating the synthetic shop");
    let shop = synth::generate(&config);
    step.finish_and_clear();
    let img = out.join("img");
    fs::create_dir_all(&img).map_err(FileError::at(&img, FileAction::CreateFolder))?;
    let catalog = out.join("catalog.csv");
    let csv_error = |source| CliError::Csv { path: catalog.clone(), source };
    let mut writer = csv::Writer::from_path(&catalog).map_err(csv_error)?;
    for item in &shop.catalog {
        writer.serialize(item).map_err(csv_error)?;
    }
    writer.flush().map_err(FileError::write(&catalog))?;
    let events = out.join("events.jsonl");
    fs::write(&events, events_jsonl(&shop.events)).map_err(FileError::write(&events))?;
    for (name, svg) in synth::category_images(&shop) {
        let path = img.join(&name);
        fs::write(&path, svg).map_err(FileError::write(&path))?;
    }
    let images = out.join("image_vectors.csv");
    fs::write(&images, image_vectors_csv(&shop)).map_err(FileError::write(&images))?;
    eprintln!(
        "wrote {}: {} products, {} shoppers, {} events (catalog.csv, events.jsonl, image_vectors.csv, img/)",
        out.display(),
        shop.catalog.len(),
        shoppers,
        shop.events.len()
    );
    Ok(())
}

/// The synthetic image vectors as `--image-vectors` reads them: `id,v1,…,vd`, one item a line.
fn image_vectors_csv(shop: &synth::SynthShop) -> String {
    let mut text = String::new();
    for (id, vector) in synth::image_vectors(shop) {
        let values: Vec<String> = vector.iter().map(|x| format!("{x:.4}")).collect();
        text.push_str(&format!("{id},{}\n", values.join(",")));
    }
    text
}

/// The events as canonical JSONL, leaving out fields at their defaults.
fn events_jsonl(events: &[RawEvent]) -> String {
    let mut lines = String::new();
    for e in events {
        let mut v = json!({ "shopper": e.shopper, "type": e.kind.as_str(), "ts": e.ts_ms });
        if !e.item.is_empty() {
            v["item"] = json!(e.item);
        }
        if e.qty != 1 {
            v["qty"] = json!(e.qty);
        }
        if let Some(p) = e.price {
            v["price"] = json!(p);
        }
        if let Some(b) = &e.basket {
            v["basket"] = json!(b);
        }
        if let Some(q) = &e.query {
            v["query"] = json!(q);
        }
        lines.push_str(&v.to_string());
        lines.push('\n');
    }
    lines
}

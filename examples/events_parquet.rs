//! Writes a large synthetic event log as a folder of Parquet part files (and optionally the
//! same events as JSONL), to measure `shelfwise build --events FOLDER` (docs/INPUT_FORMATS.md).
//!
//! The events are the demo shop's simulation (`shelfwise::build::synth`) run in batches of
//! shoppers with one seed each, so the skew is the demo shop's: popular items, sessions,
//! baskets, searches. Batch `k`'s shopper and basket ids get a `k-` prefix; the catalog is batch
//! 0's (every batch has the same item ids). Each batch is one row group (Snappy), ten batches a
//! part file, with `ts` as Spark writes it by default (INT96).
//!
//! ```text
//! cargo run --release --features cli --example events_parquet -- OUT_DIR EVENTS [ITEMS] [--jsonl]
//! shelfwise build --events OUT_DIR/events --catalog OUT_DIR/catalog.csv --out shop.pack
//! ```
//!
//! `events_parquet read EVENTS CATALOG` only reads the events as `build` does (Parquet streamed
//! into the indexed form; JSONL read whole, then indexed) and stops, so that `/usr/bin/time -v`
//! gives the reading's own peak memory.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::fs::{self, File};
use std::io::{BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, FloatType, Int32Type, Int96, Int96Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use shelfwise::build::assemble::pack_order;
use shelfwise::build::history::index_events;
use shelfwise::build::input::RawEvent;
use shelfwise::build::read::{detect_events_format, index_parquet_events, read_catalog, read_events_jsonl, EventsFormat};
use shelfwise::build::synth::{generate, SynthConfig};

/// The events schema as Spark writes a DataFrame of them (every column nullable).
const SCHEMA: &str = "message spark_schema {
  optional binary shopper (STRING);
  optional binary item (STRING);
  optional binary type (STRING);
  optional int96 ts;
  optional int32 qty;
  optional float price;
  optional binary basket (STRING);
  optional binary query (STRING);
}";

/// Shoppers per simulated batch (about 75 events each).
const SHOPPERS_PER_BATCH: usize = 8000;
/// Batches (row groups) per part file.
const BATCHES_PER_PART: usize = 10;
const JULIAN_DAY_OF_EPOCH: i64 = 2_440_588;

fn int96(ms: i64) -> Int96 {
    let (day, ms_of_day) = (ms.div_euclid(86_400_000), ms.rem_euclid(86_400_000));
    let nanos = (ms_of_day * 1_000_000) as u64;
    let mut v = Int96::new();
    v.set_data(nanos as u32, (nanos >> 32) as u32, (day + JULIAN_DAY_OF_EPOCH) as u32);
    v
}

/// Writes one column of optional values: the present ones and a definition level per row.
fn write_column<T: parquet::data_type::DataType>(
    writer: &mut parquet::file::writer::SerializedRowGroupWriter<'_, File>,
    values: impl Iterator<Item = Option<T::T>>,
) {
    let (mut present, mut def) = (Vec::new(), Vec::new());
    for v in values {
        def.push(i16::from(v.is_some()));
        present.extend(v);
    }
    let mut column = writer.next_column().unwrap().unwrap();
    column.typed::<T>().write_batch(&present, Some(&def), None).unwrap();
    column.close().unwrap();
}

fn text(s: &str) -> ByteArray {
    ByteArray::from(s.as_bytes().to_vec())
}

fn write_group(writer: &mut SerializedFileWriter<File>, events: &[RawEvent]) {
    let mut group = writer.next_row_group().unwrap();
    write_column::<ByteArrayType>(&mut group, events.iter().map(|e| Some(text(&e.shopper))));
    write_column::<ByteArrayType>(&mut group, events.iter().map(|e| (!e.item.is_empty()).then(|| text(&e.item))));
    write_column::<ByteArrayType>(&mut group, events.iter().map(|e| Some(text(e.kind.as_str()))));
    write_column::<Int96Type>(&mut group, events.iter().map(|e| Some(int96(e.ts_ms))));
    write_column::<Int32Type>(&mut group, events.iter().map(|e| (e.qty != 1).then_some(e.qty as i32)));
    write_column::<FloatType>(&mut group, events.iter().map(|e| e.price));
    write_column::<ByteArrayType>(&mut group, events.iter().map(|e| e.basket.as_deref().map(text)));
    write_column::<ByteArrayType>(&mut group, events.iter().map(|e| e.query.as_deref().map(text)));
    group.close().unwrap();
}

fn jsonl_line(e: &RawEvent) -> String {
    let mut v = serde_json::json!({ "shopper": e.shopper, "type": e.kind.as_str(), "ts": e.ts_ms });
    let fields = [("item", (!e.item.is_empty()).then(|| e.item.clone().into())), ("qty", (e.qty != 1).then(|| e.qty.into()))];
    let more =
        [("price", e.price.map(Into::into)), ("basket", e.basket.clone().map(Into::into)), ("query", e.query.clone().map(Into::into))];
    for (key, value) in fields.into_iter().chain(more) {
        if let Some(value) = value {
            v[key] = value;
        }
    }
    v.to_string()
}

/// Reads `events` against `catalog` as `build` does, and says what it kept.
fn read_only(events: &Path, catalog: &Path) {
    let build_time = i64::MAX / 2;
    let (catalog, _) = read_catalog(catalog).unwrap();
    let catalog = pack_order(&catalog);
    let history = if detect_events_format(events).unwrap() == EventsFormat::Parquet {
        index_parquet_events(events, &catalog, build_time).unwrap().0
    } else {
        let (raw, _) = read_events_jsonl(events, build_time).unwrap();
        index_events(&catalog, &raw)
    };
    eprintln!("{} events indexed, {} shoppers", history.events.len(), history.shoppers);
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [read, events, catalog] = &args[..] {
        if read == "read" {
            return read_only(Path::new(events), Path::new(catalog));
        }
    }
    let jsonl = args.iter().any(|a| a == "--jsonl");
    let args: Vec<&String> = args.iter().filter(|a| *a != "--jsonl").collect();
    let (Some(out), Some(target)) = (args.first(), args.get(1).and_then(|n| n.parse::<usize>().ok())) else {
        eprintln!("usage: events_parquet OUT_DIR EVENTS [ITEMS] [--jsonl]");
        std::process::exit(2);
    };
    let items = args.get(2).and_then(|n| n.parse().ok()).unwrap_or(5000);
    let out = Path::new(out);
    fs::create_dir_all(out.join("events")).unwrap();
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let schema = Arc::new(parse_message_type(SCHEMA).unwrap());
    let mut jsonl_out = jsonl.then(|| BufWriter::new(File::create(out.join("events.jsonl")).unwrap()));
    let (mut written, mut batch) = (0usize, 0usize);
    let mut writer: Option<SerializedFileWriter<File>> = None;
    while written < target {
        let shop = generate(&SynthConfig { seed: 1000 + batch as u64, items, shoppers: SHOPPERS_PER_BATCH, ..SynthConfig::default() });
        if batch == 0 {
            let mut csv = csv::Writer::from_path(out.join("catalog.csv")).unwrap();
            shop.catalog.iter().for_each(|item| csv.serialize(item).unwrap());
            csv.flush().unwrap();
        }
        let mut events = shop.events;
        events.truncate(target - written);
        for e in &mut events {
            e.shopper = format!("{batch}-{}", e.shopper);
            e.basket = e.basket.take().map(|b| format!("{batch}-{b}"));
        }
        if batch % BATCHES_PER_PART == 0 {
            if let Some(w) = writer.take() {
                w.close().unwrap();
            }
            let part = out.join("events").join(format!("part-{:05}.snappy.parquet", batch / BATCHES_PER_PART));
            writer = Some(SerializedFileWriter::new(File::create(part).unwrap(), schema.clone(), props.clone()).unwrap());
        }
        write_group(writer.as_mut().unwrap(), &events);
        if let Some(j) = jsonl_out.as_mut() {
            events.iter().for_each(|e| writeln!(j, "{}", jsonl_line(e)).unwrap());
        }
        written += events.len();
        batch += 1;
        eprint!("\r{written} events");
    }
    writer.unwrap().close().unwrap();
    File::create(out.join("events").join("_SUCCESS")).unwrap();
    eprintln!("\nwrote {written} events in {batch} row groups to {}", out.join("events").display());
}

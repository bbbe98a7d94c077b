//! `shelfwise build --events` on Parquet: files written here with the `parquet` crate's own
//! writer (string and integer ids, TIMESTAMP_MICROS, Spark's INT96, RFC 3339 text), folders of
//! part files, every bad schema and bad row, and the CLI end to end: the demo shop's events give
//! the same pack as JSONL, as one Parquet file and as three part files.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::run_shelfwise;

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DataType, DoubleType, FloatType, Int32Type, Int64Type, Int96, Int96Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::{SerializedFileWriter, SerializedRowGroupWriter};
use parquet::schema::parser::parse_message_type;
use shelfwise::build::input::RawEvent;
use shelfwise::build::parquet_columns::ParquetFileError;
use shelfwise::build::read::{read_events_jsonl, read_events_parquet, ReadError, ReadReport};
use shelfwise::event::EventKind;

/// The build time of these tests: 2026-12-01T00:00:00Z.
const NOW: i64 = 1_796_083_200_000;
const DAY: i64 = 86_400_000;

/// One column of a row group; `None` is a null.
enum Col {
    Text(Vec<Option<&'static str>>),
    I32(Vec<Option<i32>>),
    I64(Vec<Option<i64>>),
    I96(Vec<Option<Int96>>),
    F32(Vec<Option<f32>>),
    F64(Vec<Option<f64>>),
}

fn column<T: DataType>(group: &mut SerializedRowGroupWriter<'_, File>, values: Vec<Option<T::T>>) {
    let def: Vec<i16> = values.iter().map(|v| i16::from(v.is_some())).collect();
    let present: Vec<T::T> = values.into_iter().flatten().collect();
    let mut out = group.next_column().unwrap().expect("the schema has this column");
    out.typed::<T>().write_batch(&present, Some(&def), None).unwrap();
    out.close().unwrap();
}

/// Writes `groups` as row groups of a file whose columns are all `optional`.
fn write(path: &Path, schema: &str, groups: Vec<Vec<Col>>) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    for group in groups {
        let mut g = writer.next_row_group().unwrap();
        for col in group {
            match col {
                Col::Text(v) => column::<ByteArrayType>(&mut g, v.into_iter().map(|s| s.map(ByteArray::from)).collect()),
                Col::I32(v) => column::<Int32Type>(&mut g, v),
                Col::I64(v) => column::<Int64Type>(&mut g, v),
                Col::I96(v) => column::<Int96Type>(&mut g, v),
                Col::F32(v) => column::<FloatType>(&mut g, v),
                Col::F64(v) => column::<DoubleType>(&mut g, v),
            }
        }
        g.close().unwrap();
    }
    writer.close().unwrap();
}

/// The four required columns with string ids and a TIMESTAMP(MILLIS) `ts`.
const BASIC: &str = "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional int64 ts (TIMESTAMP(MILLIS,true)); }";

fn basic(rows: &[(&'static str, &'static str, &'static str, i64)]) -> Vec<Col> {
    vec![
        Col::Text(rows.iter().map(|r| Some(r.0)).collect()),
        Col::Text(rows.iter().map(|r| Some(r.1)).collect()),
        Col::Text(rows.iter().map(|r| Some(r.2)).collect()),
        Col::I64(rows.iter().map(|r| Some(r.3)).collect()),
    ]
}

fn read(path: &Path) -> Result<(Vec<RawEvent>, ReadReport), ReadError> {
    let mut events = Vec::new();
    read_events_parquet(path, NOW, &mut events).map(|report| (events, report))
}

fn problems(report: &ReadReport) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

fn int96(ms: i64) -> Int96 {
    let nanos = (ms.rem_euclid(DAY) * 1_000_000) as u64;
    let mut v = Int96::new();
    v.set_data(nanos as u32, (nanos >> 32) as u32, (ms.div_euclid(DAY) + 2_440_588) as u32);
    v
}

#[test]
fn int96_timestamp_micros_and_text_times_and_integer_ids() {
    let dir = tempfile::tempdir().unwrap();
    let t = NOW - 3 * DAY + 1234;
    let path = dir.path().join("spark.parquet");
    let schema = "message m { optional int64 shopper; optional int32 item; optional binary type (STRING); optional int96 ts; optional int64 basket; optional double qty; optional float price; optional binary query (STRING); optional binary extra (STRING); }";
    write(
        &path,
        schema,
        vec![vec![
            Col::I64(vec![Some(7_000_000_000), Some(8)]),
            Col::I32(vec![Some(42), None]),
            Col::Text(vec![Some("purchase"), Some("search")]),
            Col::I96(vec![Some(int96(t)), Some(int96(t + 1))]),
            Col::I64(vec![Some(99), None]),
            Col::F64(vec![Some(3.0), None]),
            Col::F32(vec![Some(2.5), None]),
            Col::Text(vec![None, Some("red mug")]),
            Col::Text(vec![Some("x"), Some("y")]),
        ]],
    );
    let (events, report) = read(&path).unwrap();
    let expected = RawEvent {
        shopper: "7000000000".into(),
        item: "42".into(),
        kind: EventKind::Purchase,
        ts_ms: t,
        qty: 3,
        price: Some(2.5),
        basket: Some("99".into()),
        query: None,
    };
    assert_eq!(events[0], expected);
    assert_eq!(
        (events[1].kind, events[1].item.as_str(), events[1].query.as_deref(), events[1].ts_ms),
        (EventKind::Search, "", Some("red mug"), t + 1)
    );
    let warnings: Vec<String> = report.warnings.iter().map(ToString::to_string).collect();
    assert_eq!(warnings, ["column \"extra\" is not an event field and is ignored (the schema of spark.parquet)"]);

    // TIMESTAMP(MICROS) and an RFC 3339 string give the same times.
    let micros = dir.path().join("micros.parquet");
    let schema = "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional int64 ts (TIMESTAMP(MICROS,true)); }";
    write(&micros, schema, vec![basic(&[("u", "A", "view", t * 1000 + 999)])]);
    assert_eq!(read(&micros).unwrap().0[0].ts_ms, t);
    let text = dir.path().join("text.parquet");
    let schema = "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional binary ts (STRING); }";
    write(
        &text,
        schema,
        vec![vec![
            Col::Text(vec![Some("u")]),
            Col::Text(vec![Some("A")]),
            Col::Text(vec![Some("view")]),
            Col::Text(vec![Some("2026-11-28T00:00:01.234Z")]),
        ]],
    );
    assert_eq!(read(&text).unwrap().0[0].ts_ms, NOW - 3 * DAY + 1234);
}

#[test]
fn bad_rows_are_skipped_with_file_row_group_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("events");
    fs::create_dir(&folder).unwrap();
    let t = NOW - DAY;
    write(&folder.join("part-00000.parquet"), BASIC, vec![basic(&[("a", "A", "view", t), ("b", "B", "view", t)])]);
    let schema = "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional int64 ts; optional int32 qty; }";
    let group = |rows: Vec<(Option<&'static str>, &'static str, i64, i32)>| {
        vec![
            Col::Text(rows.iter().map(|r| r.0).collect()),
            Col::Text(rows.iter().map(|_| Some("A")).collect()),
            Col::Text(rows.iter().map(|r| Some(r.1)).collect()),
            Col::I64(rows.iter().map(|r| Some(r.2)).collect()),
            Col::I32(rows.iter().map(|r| Some(r.3)).collect()),
        ]
    };
    write(
        &folder.join("part-00001.parquet"),
        schema,
        vec![
            group(vec![(Some("c"), "view", t, 1), (None, "view", t, 1)]),
            group(vec![
                (Some("d"), "wink", t, 1),
                (Some("e"), "view", NOW + DAY, 1),
                (Some("f"), "purchase", t, 0),
                (Some("g"), "view", 1_700_000_000, 1),
            ]),
        ],
    );
    let (events, report) = read(&folder).unwrap();
    assert_eq!(events.iter().map(|e| e.shopper.as_str()).collect::<Vec<_>>(), ["a", "b", "c"]);
    assert_eq!((report.rows, report.used, report.skipped_total()), (8, 3, 5));
    let p = problems(&report);
    assert_eq!(p[0], "line 2: field \"shopper\": part-00001.parquet, row group 0, row 2: required");
    assert!(p[1].starts_with("line 3: field \"type\": part-00001.parquet, row group 1, row 1: unknown event type \"wink\""), "{}", p[1]);
    assert_eq!(p[2], "line 4: field \"ts\": part-00001.parquet, row group 1, row 2: 1796169600000 (2026-12-02T00:00:00Z) is after the build time 2026-12-01T00:00:00Z");
    assert_eq!(p[3], "line 5: field \"qty\": part-00001.parquet, row group 1, row 3: 0 is not a whole number from 1 to 1000000");
    assert!(
        p[4].starts_with("line 6: field \"ts\": part-00001.parquet, row group 1, row 4: 1700000000 looks like Unix seconds"),
        "{}",
        p[4]
    );
    assert!(report.check_loss(0.05).is_err(), "5 of 8 rows lost");
}

#[test]
fn part_files_are_read_in_name_order_and_spark_markers_are_not_parts() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("out");
    fs::create_dir(&folder).unwrap();
    let t = NOW - DAY;
    // Written out of name order.
    for (name, shopper) in
        [("part-00002-x.snappy.parquet", "third"), ("part-00000-x.snappy.parquet", "first"), ("part-00001-x.snappy.parquet", "second")]
    {
        write(&folder.join(name), BASIC, vec![basic(&[(shopper, "A", "view", t)])]);
    }
    fs::write(folder.join("_SUCCESS"), "").unwrap();
    fs::write(folder.join(".part-00000-x.snappy.parquet.crc"), "crc").unwrap();
    fs::write(folder.join("_committed_123"), "{}").unwrap();
    let (events, report) = read(&folder).unwrap();
    assert_eq!(events.iter().map(|e| e.shopper.as_str()).collect::<Vec<_>>(), ["first", "second", "third"]);
    assert_eq!(report.path, folder);
}

fn error(path: &Path) -> ReadError {
    read(path).unwrap_err()
}

#[test]
fn each_bad_file_or_schema_is_a_typed_error_naming_the_file_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let at = |name: &str| dir.path().join(name);
    let t = NOW - DAY;

    fs::write(at("jsonl.parquet"), "{\"shopper\":\"a\"}\n").unwrap();
    assert!(matches!(error(&at("jsonl.parquet")), ReadError::NotParquet { path, .. } if path == at("jsonl.parquet")));

    write(&at("whole.parquet"), BASIC, vec![basic(&[("a", "A", "view", t)])]);
    let bytes = fs::read(at("whole.parquet")).unwrap();
    fs::write(at("cut.parquet"), &bytes[..bytes.len() - 10]).unwrap();
    assert!(matches!(error(&at("cut.parquet")), ReadError::NotParquet { path, .. } if path == at("cut.parquet")));

    let no_ts = "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); }";
    write(&at("no_ts.parquet"), no_ts, vec![vec![Col::Text(vec![Some("a")]), Col::Text(vec![Some("A")]), Col::Text(vec![Some("view")])]]);
    let err = error(&at("no_ts.parquet"));
    assert!(matches!(&err, ReadError::Parquet(ParquetFileError::Column { column, .. }) if column == "ts"), "{err}");
    assert!(err.to_string().contains("missing required column (the columns are \"shopper\", \"item\", \"type\")"), "{err}");

    let cases = [
        ("type", "message m { optional binary shopper (STRING); optional binary item (STRING); optional int32 type; optional int64 ts; }", "the column is INT32; expected a string"),
        ("ts", "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional double ts; }", "the column is DOUBLE"),
        ("shopper", "message m { optional double shopper; optional binary item (STRING); optional binary type (STRING); optional int64 ts; }", "expected a string or an integer"),
        ("qty", "message m { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional int64 ts; optional binary qty (STRING); }", "expected a number"),
    ];
    for (column_name, schema, message) in cases {
        let path = at(&format!("bad_{column_name}.parquet"));
        let file = File::create(&path).unwrap();
        let writer = SerializedFileWriter::new(file, Arc::new(parse_message_type(schema).unwrap()), Arc::default()).unwrap();
        writer.close().unwrap(); // the schema alone: no row group
        let err = error(&path);
        assert!(
            matches!(&err, ReadError::Parquet(ParquetFileError::Column { path: p, column, .. }) if *p == path && column == column_name),
            "{err}"
        );
        assert!(err.to_string().contains(message), "{err}");
    }

    let empty = at("empty");
    fs::create_dir(&empty).unwrap();
    let err = error(&empty);
    assert!(matches!(&err, ReadError::NoPartFiles { path, .. } if *path == empty), "{err}");
    assert!(err.to_string().contains("it is empty"), "{err}");
    fs::write(empty.join("_SUCCESS"), "").unwrap();
    fs::write(empty.join("notes.txt"), "hello").unwrap();
    let err = error(&empty).to_string();
    assert!(err.contains("no Parquet part files in this folder (it holds 2: \"_SUCCESS\", \"notes.txt\")"), "{err}");
}

/// The demo shop (CLI `demo-data`): its catalog and events file.
fn demo_shop(dir: &Path) -> (PathBuf, PathBuf) {
    let (ok, err) = run_shelfwise(&["demo-data", "--out", dir.to_str().unwrap(), "--items", "150", "--shoppers", "200"]);
    assert!(ok, "{err}");
    (dir.join("catalog.csv"), dir.join("events.jsonl"))
}

const EVENTS_SCHEMA: &str = "message spark_schema { optional binary shopper (STRING); optional binary item (STRING); optional binary type (STRING); optional int96 ts; optional int32 qty; optional float price; optional binary basket (STRING); optional binary query (STRING); }";

/// Writes `events` as Spark would (INT96 `ts`), one row group per 1,000 events.
fn write_events(path: &Path, events: &[RawEvent]) {
    let leak = |s: &str| -> &'static str { Box::leak(s.to_owned().into_boxed_str()) };
    let groups = events
        .chunks(1000)
        .map(|chunk| {
            vec![
                Col::Text(chunk.iter().map(|e| Some(leak(&e.shopper))).collect()),
                Col::Text(chunk.iter().map(|e| (!e.item.is_empty()).then(|| leak(&e.item))).collect()),
                Col::Text(chunk.iter().map(|e| Some(e.kind.as_str())).collect()),
                Col::I96(chunk.iter().map(|e| Some(int96(e.ts_ms))).collect()),
                Col::I32(chunk.iter().map(|e| (e.qty != 1).then_some(e.qty as i32)).collect()),
                Col::F32(chunk.iter().map(|e| e.price).collect()),
                Col::Text(chunk.iter().map(|e| e.basket.as_deref().map(leak)).collect()),
                Col::Text(chunk.iter().map(|e| e.query.as_deref().map(leak)).collect()),
            ]
        })
        .collect();
    write(path, EVENTS_SCHEMA, groups);
}

/// Builds a pack from `events`; returns its bytes and the summary's figures (the lines about
/// items and events).
fn build(events: &Path, catalog: &Path, out: &Path) -> (Vec<u8>, Vec<String>) {
    let args = ["build", "--events", events.to_str().unwrap(), "--catalog", catalog.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (ok, err) = run_shelfwise(&[&args[..], &["--now", "2026-12-01T00:00:00Z", "--layout", "single"]].concat());
    assert!(ok, "{err}");
    let figures = err
        .lines()
        .skip_while(|l| !l.starts_with("built "))
        .skip(1)
        .filter(|l| !l.trim_start().starts_with("time"))
        .map(str::to_owned)
        .collect();
    (fs::read(out).unwrap(), figures)
}

#[test]
fn the_demo_shop_as_jsonl_one_parquet_file_and_three_part_files_builds_the_same_pack() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, jsonl) = demo_shop(dir.path());
    // Events the summary counts apart: an item the catalog lacks, and the newest event a search
    // (the time popularity and trend are taken at).
    let mut text = fs::read_to_string(&jsonl).unwrap();
    text.push_str(&format!("{{\"shopper\":\"U00001\",\"item\":\"GONE-1\",\"type\":\"view\",\"ts\":{}}}\n", NOW - 2 * DAY));
    text.push_str(&format!("{{\"shopper\":\"U00002\",\"type\":\"search\",\"query\":\"mug\",\"ts\":{}}}\n", NOW - DAY));
    fs::write(&jsonl, text).unwrap();
    let (events, _) = read_events_jsonl(&jsonl, NOW).unwrap();
    assert!(
        events.iter().any(|e| e.kind == EventKind::Search) && events.iter().any(|e| e.basket.is_some()),
        "a shop with searches and baskets"
    );
    let file = dir.path().join("events.parquet");
    write_events(&file, &events);
    let folder = dir.path().join("spark-out");
    fs::create_dir(&folder).unwrap();
    let third = events.len().div_ceil(3);
    for (k, part) in events.chunks(third).enumerate() {
        write_events(&folder.join(format!("part-{k:05}-c000.snappy.parquet")), part);
    }
    fs::write(folder.join("_SUCCESS"), "").unwrap();
    // What `eval` and the other commands read: the same events, field for field.
    assert_eq!(read(&folder).unwrap().0, events);

    let (from_jsonl, jsonl_figures) = build(&jsonl, &catalog, &dir.path().join("a.pack"));
    let (from_file, file_figures) = build(&file, &catalog, &dir.path().join("b.pack"));
    let (from_parts, parts_figures) = build(&folder, &catalog, &dir.path().join("c.pack"));
    assert!(jsonl_figures.iter().any(|l| l.contains("used for training")), "{jsonl_figures:?}");
    assert!(jsonl_figures.iter().any(|l| l.contains("ids not in the catalog: \"GONE-1\"")), "{jsonl_figures:?}");
    assert!(from_jsonl == from_file, "one Parquet file builds another pack than JSONL");
    assert!(from_jsonl == from_parts, "three part files build another pack than JSONL");
    assert_eq!(jsonl_figures, file_figures);
    assert_eq!(jsonl_figures, parts_figures);
}

#[test]
fn the_cli_names_the_bad_parquet_input_and_the_lost_rows() {
    let dir = tempfile::tempdir().unwrap();
    let (catalog, _) = demo_shop(dir.path());
    let cat = catalog.to_str().unwrap();
    let empty = dir.path().join("nothing");
    fs::create_dir(&empty).unwrap();
    let out = dir.path().join("x.pack");
    let (ok, err) = run_shelfwise(&["build", "--events", empty.to_str().unwrap(), "--catalog", cat, "--out", out.to_str().unwrap()]);
    assert!(!ok && err.contains("no Parquet part files in this folder (it is empty)"), "{err}");

    // Half the rows dated after the build: over --max-skipped, with the row named.
    let events = dir.path().join("late.parquet");
    let t = NOW - DAY;
    write(&events, BASIC, vec![basic(&[("a", "SW-00001", "view", t), ("b", "SW-00002", "view", NOW + DAY)])]);
    let args =
        ["build", "--events", events.to_str().unwrap(), "--catalog", cat, "--out", out.to_str().unwrap(), "--now", "2026-12-01T00:00:00Z"];
    let (ok, err) = run_shelfwise(&args);
    assert!(!ok, "{err}");
    assert!(err.contains("late.parquet:line 2: field \"ts\": row group 0, row 2: \"2026-12-02T00:00:00Z\""), "{err}");
    assert!(err.contains("1 of 2 rows skipped (50.0%), more than the 5.0% that --max-skipped allows"), "{err}");
    let (ok, err) = run_shelfwise(&[&args[..], &["--max-skipped", "0.5"]].concat());
    assert!(ok, "{err}");
}

/// The figure in docs/INPUT_FORMATS.md: how single-byte changes to a valid file end. A few end
/// in a panic inside the `parquet` crate (apache/arrow-rs#7102; the panic hook prints them);
/// `parquet_columns::guarded` turns those into typed errors, so none escapes the reader.
#[test]
fn corrupt_bytes_give_rows_or_a_typed_error_never_a_panic() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.parquet");
    let rows: Vec<(&'static str, &'static str, &'static str, i64)> =
        (0..40).map(|i| (["a", "b", "c"][i % 3], "A", "view", NOW - DAY - i as i64)).collect();
    write(&good, BASIC, vec![basic(&rows), basic(&rows)]);
    let bytes = fs::read(&good).unwrap();
    let bad = dir.path().join("bad.parquet");
    let decoder_panic = dir.path().join("decoder.parquet");
    // A fixed xorshift sequence of single-byte changes over the whole file: reproducible.
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut counts = [0; 3]; // rows read, typed errors, panics
    for _ in 0..2000 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let mut mutated = bytes.clone();
        let at = (state % mutated.len() as u64) as usize;
        mutated[at] = (state >> 32) as u8;
        fs::write(&bad, &mutated).unwrap();
        match std::panic::catch_unwind(|| read(&bad).map(|(e, _)| e.len())) {
            Ok(Ok(_)) => counts[0] += 1,
            Ok(Err(e)) => {
                assert!(e.to_string().contains("bad.parquet"), "the error names the file: {e}");
                if e.to_string().contains("the decoder failed on damaged data") && !decoder_panic.exists() {
                    fs::copy(&bad, &decoder_panic).unwrap();
                }
                counts[1] += 1;
            }
            Err(_) => counts[2] += 1,
        }
    }
    println!("rows read / typed errors / panics: {counts:?}");
    assert!(counts[0] > 0 && counts[1] > 1000 && counts[2] == 0, "{counts:?}");
    // The CLI (release builds unwind too): one error line naming the file, no panic message.
    assert!(decoder_panic.exists(), "no change made the decoder panic: the guard is untested");
    let (catalog, _) = demo_shop(&dir.path().join("shop"));
    let out = dir.path().join("out.pack");
    let args =
        ["build", "--events", decoder_panic.to_str().unwrap(), "--catalog", catalog.to_str().unwrap(), "--out", out.to_str().unwrap()];
    let (ok, err) = run_shelfwise(&args);
    assert!(!ok && err.contains("decoder.parquet") && err.contains("the decoder failed on damaged data"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

//! `shelfwise build --neighbours-file`: item-item lists from Parquet files written here with the
//! `parquet` crate's writer (string and integer ids, a folder of part files), every kind of bad
//! row and schema, and the CLI end to end: the built pack's similar shelf, ranked by
//! `Engine::shelf`, follows the imported lists.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use common::{run_shelfwise, sample_contents};
use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FloatType, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use shelfwise::build::neighbours_file::{apply_neighbours, read_neighbours_file, ImportedNeighbours, NeighboursFileError};
use shelfwise::build::read::ReadError;
use shelfwise::build::vectors::ParquetFileError;
use shelfwise::engine::Engine;
use shelfwise::page::ShelfRequest;

/// What Spark writes for a DataFrame (item string, neighbour string, score double).
const SPARK_SCHEMA: &str =
    "message spark_schema { optional binary item (STRING); optional binary neighbour (STRING); optional double score; }";

/// One column's cells of a row group (`None`: null).
enum Cells {
    Text(Vec<Option<&'static str>>),
    Int64(Vec<Option<i64>>),
    Double(Vec<Option<f64>>),
    Float(Vec<Option<f32>>),
}

/// The non-null values and the definition levels of optional cells.
fn levels<T: Clone>(cells: &[Option<T>]) -> (Vec<T>, Vec<i16>) {
    (cells.iter().flatten().cloned().collect(), cells.iter().map(|c| i16::from(c.is_some())).collect())
}

/// Writes `groups` (row groups of columns, in schema order; every column optional) as Snappy.
fn write(path: &Path, schema: &str, groups: &[Vec<Cells>]) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let props = Arc::new(WriterProperties::builder().set_compression(Compression::SNAPPY).build());
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    for group in groups {
        let mut row_group = writer.next_row_group().unwrap();
        for cells in group {
            let mut column = row_group.next_column().unwrap().expect("the schema has this column");
            let written = match cells {
                Cells::Text(c) => {
                    let (v, def) = levels(c);
                    let v: Vec<ByteArray> = v.into_iter().map(ByteArray::from).collect();
                    column.typed::<ByteArrayType>().write_batch(&v, Some(&def), None)
                }
                Cells::Int64(c) => {
                    let (v, def) = levels(c);
                    column.typed::<Int64Type>().write_batch(&v, Some(&def), None)
                }
                Cells::Double(c) => {
                    let (v, def) = levels(c);
                    column.typed::<DoubleType>().write_batch(&v, Some(&def), None)
                }
                Cells::Float(c) => {
                    let (v, def) = levels(c);
                    column.typed::<FloatType>().write_batch(&v, Some(&def), None)
                }
            };
            written.unwrap();
            column.close().unwrap();
        }
        row_group.close().unwrap();
    }
    writer.close().unwrap();
}

/// A row group of `(item, neighbour, score)` rows with string ids.
fn rows(rows: &[(Option<&'static str>, Option<&'static str>, Option<f64>)]) -> Vec<Cells> {
    vec![
        Cells::Text(rows.iter().map(|r| r.0).collect()),
        Cells::Text(rows.iter().map(|r| r.1).collect()),
        Cells::Double(rows.iter().map(|r| r.2).collect()),
    ]
}

fn temp() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_owned();
    (dir, path)
}

/// The sample pack's items are SKU-0 … SKU-5 (in pack order).
fn read(path: &Path, k: usize) -> Result<ImportedNeighbours, NeighboursFileError> {
    read_neighbours_file(path, &sample_contents(), k)
}

fn problems(imported: &ImportedNeighbours) -> Vec<String> {
    imported
        .reports
        .iter()
        .flat_map(|r| r.problems.iter().map(|p| format!("{}:{p}", r.path.file_name().unwrap().to_string_lossy())))
        .collect()
}

#[test]
fn keeps_the_best_k_per_item_with_ties_by_neighbour_id_over_two_row_groups() {
    let (_dir, dir) = temp();
    let path = dir.join("nn.parquet");
    let first = rows(&[(Some("SKU-0"), Some("SKU-4"), Some(0.5)), (Some("SKU-0"), Some("SKU-2"), Some(0.5))]);
    let second = rows(&[
        (Some("SKU-0"), Some("SKU-1"), Some(0.9)),
        (Some("SKU-0"), Some("SKU-3"), Some(0.1)),
        (Some("SKU-5"), Some("SKU-0"), Some(1.0)),
    ]);
    write(&path, SPARK_SCHEMA, &[first, second]);
    let imported = read(&path, 3).unwrap();
    assert_eq!(imported.lists[0], [(1, 0.9), (2, 0.5), (4, 0.5)], "ties by neighbour id; SKU-3 is fourth");
    assert_eq!(imported.lists[5], [(0, 1.0)]);
    assert!(imported.lists[1..5].iter().all(Vec::is_empty));
    assert_eq!(imported.scaled_by, None);
    let report = &imported.reports[0];
    assert_eq!((report.rows, report.used, report.skipped_total()), (5, 5, 0));
}

#[test]
fn integer_ids_and_float_scores_above_1_are_scaled_into_the_unit_range() {
    let (_dir, dir) = temp();
    let path = dir.join("nn.parquet");
    let mut contents = sample_contents();
    for (i, item) in contents.items.iter_mut().enumerate() {
        item.id = format!("{}", 10 + i); // "10" … "15", still in id order
    }
    let schema = "message m { optional int64 item; optional int64 neighbour; optional float score; }";
    let group = vec![
        Cells::Int64(vec![Some(10), Some(10), Some(11)]),
        Cells::Int64(vec![Some(11), Some(12), Some(10)]),
        Cells::Float(vec![Some(8.0), Some(2.0), Some(4.0)]),
    ];
    write(&path, schema, &[group]);
    let imported = read_neighbours_file(&path, &contents, 10).unwrap();
    assert_eq!(imported.scaled_by, Some(8.0));
    assert_eq!(imported.lists[0], [(1, 1.0), (2, 0.25)]);
    assert_eq!(imported.lists[1], [(0, 0.5)]);
}

#[test]
fn bad_rows_are_skipped_naming_file_row_group_row_and_column() {
    let (_dir, dir) = temp();
    let path = dir.join("nn.parquet");
    let good = rows(&[(Some("SKU-0"), Some("SKU-1"), Some(0.5))]);
    let bad = rows(&[
        (Some("NOPE"), Some("SKU-1"), Some(0.5)),
        (Some("SKU-0"), None, Some(0.5)),
        (Some("SKU-2"), Some("SKU-2"), Some(0.5)),
        (Some("SKU-0"), Some("SKU-3"), None),
        (Some("SKU-0"), Some("SKU-3"), Some(f64::NAN)),
        (Some("SKU-0"), Some("SKU-3"), Some(-0.2)),
        (Some("SKU-0"), Some("SKU-1"), Some(0.7)),
    ]);
    write(&path, SPARK_SCHEMA, &[good, bad]);
    let imported = read(&path, 10).unwrap();
    assert_eq!(imported.lists[0], [(1, 0.5)], "the repeated pair keeps its first row");
    let report = &imported.reports[0];
    assert_eq!((report.rows, report.used, report.skipped_total()), (8, 1, 7));
    let problems = problems(&imported);
    let expected = [
        "nn.parquet:line 2: field \"item\": row group 1, row 1: \"NOPE\" is not in the catalog",
        "nn.parquet:line 3: field \"neighbour\": row group 1, row 2: the id is null",
        "nn.parquet:line 4: field \"neighbour\": row group 1, row 3: \"SKU-2\" is listed as its own neighbour",
        "nn.parquet:line 5: field \"score\": row group 1, row 4: the score is null",
        "nn.parquet:line 6: field \"score\": row group 1, row 5: NaN is not a finite number",
        "nn.parquet:line 7: field \"score\": row group 1, row 6: -0.2: the pack keeps similarities above 0",
        "nn.parquet:line 8: field \"neighbour\": row group 1, row 7: the pair \"SKU-0\" → \"SKU-1\" is also on row group 0, row 1",
    ];
    assert_eq!(problems, expected);
}

#[test]
fn a_folder_of_part_files_is_read_in_name_order_skipping_markers_and_checksums() {
    let (_dir, dir) = temp();
    let out = dir.join("neighbours");
    std::fs::create_dir(&out).unwrap();
    write(
        &out.join("part-00001-x.snappy.parquet"),
        SPARK_SCHEMA,
        &[rows(&[(Some("SKU-0"), Some("SKU-2"), Some(0.4)), (Some("SKU-0"), Some("SKU-1"), Some(0.3))])],
    );
    write(&out.join("part-00000-x.snappy.parquet"), SPARK_SCHEMA, &[rows(&[(Some("SKU-0"), Some("SKU-1"), Some(0.6))])]);
    std::fs::write(out.join("_SUCCESS"), "").unwrap();
    std::fs::write(out.join(".part-00000-x.snappy.parquet.crc"), "not parquet").unwrap();
    std::fs::create_dir(out.join("_temporary")).unwrap();
    let imported = read(&out, 10).unwrap();
    let names: Vec<String> = imported.reports.iter().map(|r| r.path.file_name().unwrap().to_string_lossy().into_owned()).collect();
    assert_eq!(names, ["part-00000-x.snappy.parquet", "part-00001-x.snappy.parquet"]);
    assert_eq!(imported.lists[0], [(1, 0.6), (2, 0.4)], "the first part file's pair wins");
    assert_eq!(
        problems(&imported),
        ["part-00001-x.snappy.parquet:line 2: field \"neighbour\": row group 0, row 2: the pair \"SKU-0\" → \"SKU-1\" is also on part-00000-x.snappy.parquet, row group 0, row 1"]
    );
}

#[test]
fn schema_problems_are_typed_errors_naming_file_and_column() {
    let (_dir, dir) = temp();
    let cases = [
        ("message m { optional binary item (STRING); optional binary other (STRING); optional double score; }", "neighbour", "no such column (the columns are \"item\", \"other\", \"score\")"),
        ("message m { optional binary item (STRING); optional binary neighbour (STRING); optional int64 score; }", "score", "the column is int64; expected a float or a double"),
        ("message m { optional double item; optional binary neighbour (STRING); optional double score; }", "item", "the column is DOUBLE; expected an integer"),
        ("message m { optional binary item (STRING); optional binary neighbour (STRING); optional group score (LIST) { repeated group list { optional double element; } } }", "score", "the column is a list or a group"),
    ];
    for (n, (schema, column, message)) in cases.into_iter().enumerate() {
        let path = dir.join(format!("bad{n}.parquet"));
        let writer =
            SerializedFileWriter::new(File::create(&path).unwrap(), Arc::new(parse_message_type(schema).unwrap()), Default::default())
                .unwrap();
        writer.close().unwrap();
        match read(&path, 5) {
            Err(NeighboursFileError::Parquet(ParquetFileError::Column { path: p, column: c, message: m })) => {
                assert_eq!((p, c.as_str()), (path.clone(), column), "{schema}");
                assert!(m.to_lowercase().starts_with(&message.to_lowercase()), "{m} / {message}");
            }
            other => panic!("{schema}: {other:?}"),
        }
    }
}

#[test]
fn unusable_inputs_are_typed_errors() {
    let (_dir, dir) = temp();
    let empty = dir.join("empty");
    std::fs::create_dir(&empty).unwrap();
    std::fs::write(empty.join("_SUCCESS"), "").unwrap();
    assert!(matches!(read(&empty, 5), Err(NeighboursFileError::Folder(ReadError::NoPartFiles { path, .. })) if path == empty));
    let text = dir.join("nn.parquet");
    std::fs::write(&text, "item,neighbour,score\n").unwrap();
    assert!(matches!(read(&text, 5), Err(NeighboursFileError::File { message, .. }) if message.contains("not a readable Parquet file")));
    let missing = dir.join("missing.parquet");
    assert!(
        matches!(read(&missing, 5), Err(NeighboursFileError::File { path, message }) if path == missing && message.starts_with("cannot read: "))
    );
    let unknown = dir.join("unknown.parquet");
    write(&unknown, SPARK_SCHEMA, &[rows(&[(Some("X"), Some("Y"), Some(1.0))])]);
    let error = read(&unknown, 5).unwrap_err();
    assert!(matches!(error, NeighboursFileError::Empty { skipped: 1, .. }), "{error}");
    assert_eq!(error.to_string(), format!("{}: no usable neighbour pairs (1 rows skipped)", unknown.display()));
}

#[test]
fn applying_replaces_only_the_items_with_an_imported_list() {
    let (_dir, dir) = temp();
    let path = dir.join("nn.parquet");
    write(&path, SPARK_SCHEMA, &[rows(&[(Some("SKU-3"), Some("SKU-0"), Some(0.25))])]);
    let mut contents = sample_contents();
    contents.neighbours[4].clear();
    let applied = apply_neighbours(&mut contents, read(&path, 5).unwrap());
    assert_eq!((applied.imported, applied.title_similar, applied.without), (1, 3, 2));
    assert_eq!(contents.neighbours[3], [(0, 0.25)]);
    assert_eq!(contents.neighbours[0], sample_contents().neighbours[0], "kept");
}

/// A shop of 8 products in one category: P1 … P7 bought by shoppers, P8 by nobody.
fn write_shop(dir: &Path) {
    let mut catalog = "id,title,price,category\n".to_owned();
    for (i, title) in ["Amber Candle", "Blue Mug", "Cedar Tray", "Dune Throw", "Elm Lamp", "Fern Vase", "Gold Clock", "Amber Candle Large"]
        .iter()
        .enumerate()
    {
        catalog.push_str(&format!("P{},{title},{}.5,Home\n", i + 1, i + 3));
    }
    std::fs::write(dir.join("catalog.csv"), catalog).unwrap();
    let events: String = (0..28)
        .map(|n| {
            format!(
                "{{\"shopper\":\"s{}\",\"item\":\"P{}\",\"type\":\"purchase\",\"ts\":\"2024-01-{:02}T00:00:00Z\"}}\n",
                n % 5,
                n % 7 + 1,
                n + 1
            )
        })
        .collect();
    std::fs::write(dir.join("events.jsonl"), events).unwrap();
}

#[test]
fn cli_builds_a_pack_whose_similar_shelf_follows_the_imported_lists() {
    let (_dir, dir) = temp();
    write_shop(&dir);
    let nn = dir.join("nn");
    std::fs::create_dir(&nn).unwrap();
    let part = rows(&[
        (Some("P1"), Some("P5"), Some(0.9)),
        (Some("P1"), Some("P3"), Some(0.9)),
        (Some("P1"), Some("P2"), Some(0.5)),
        (Some("P1"), Some("P4"), Some(0.1)),
        (Some("P1"), Some("P1"), Some(0.8)),
        (Some("P2"), Some("P6"), Some(2.0)),
        (Some("P2"), Some("ZZZ"), Some(0.3)),
    ]);
    write(&nn.join("part-00000.parquet"), SPARK_SCHEMA, &[part]);
    let path = |name: &str| dir.join(name).to_str().unwrap().to_owned();
    let (events, catalog, out) = (path("events.jsonl"), path("catalog.csv"), path("shop.pack"));
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--events", &events, "--catalog", &catalog, "--out", &out];
        args.extend_from_slice(extra);
        args.extend_from_slice(&["--now", "2024-02-01T00:00:00Z", "--dim", "4"]);
        run_shelfwise(&args)
    };
    let (ok, stderr) = build(&["--neighbours-file", &path("nn"), "--neighbours", "3"]);
    assert!(ok, "{stderr}");
    assert!(
        stderr.contains("part-00000.parquet:line 5: field \"neighbour\": row group 0, row 5: \"P1\" is listed as its own neighbour"),
        "{stderr}"
    );
    assert!(stderr.contains("(scores divided by the largest, 2): 2 items with an imported list"), "{stderr}");
    assert!(stderr.contains("items without a list (similar items by embedding)"), "{stderr}");
    let engine = Engine::open(std::fs::read(path("shop.pack")).unwrap()).unwrap();
    let similar = |item: &str| {
        let request = ShelfRequest { k: Some(3), item: Some(item.into()), ..ShelfRequest::new("similar") };
        let shelf = engine.shelf(&request, engine.pack().meta().built_at_ms).unwrap();
        shelf.items.into_iter().map(|s| s.card.id).collect::<Vec<_>>()
    };
    assert_eq!(similar("P1"), ["P3", "P5", "P2"], "the imported top 3, ties by id");
    assert_eq!(similar("P2")[0], "P6");
    let pack = engine.pack();
    let p1 = pack.find_item("P1").unwrap();
    let stored: Vec<(&str, f32)> = pack.neighbours(p1).map(|(j, s)| (pack.item_id(j), s)).collect();
    assert_eq!(stored, [("P3", common::unit(0.45)), ("P5", common::unit(0.45)), ("P2", common::unit(0.25))]);
    assert_eq!(pack.neighbours(pack.find_item("P7").unwrap()).count(), 0, "no imported list, no model list");

    let (ok, stderr) = build(&["--neighbours-file", &path("nn"), "--neighbour-model", "ease"]);
    assert!(!ok && stderr.contains("cannot be used with"), "{stderr}");
    let (ok, stderr) = build(&["--neighbours-file", &path("catalog.csv")]);
    assert!(!ok && stderr.contains("catalog.csv: not a readable Parquet file"), "{stderr}");
}

#[test]
fn damaged_files_are_errors_or_skipped_rows_never_panics() {
    let (_dir, dir) = temp();
    let good = dir.join("good.parquet");
    let ids = ["SKU-0", "SKU-1", "SKU-2", "SKU-3", "SKU-4", "SKU-5"];
    let pairs: Vec<(Option<&'static str>, Option<&'static str>, Option<f64>)> =
        (0..300).map(|n| (Some(ids[n % 6]), Some(ids[(n / 6) % 6]), Some(1.0 + n as f64))).collect();
    write(&good, SPARK_SCHEMA, &[rows(&pairs)]);
    let bytes = std::fs::read(&good).unwrap();
    let path = dir.join("nn.parquet");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    assert!(matches!(read(&path, 5), Err(NeighboursFileError::File { message, .. }) if message.contains("not a readable Parquet file")));
    // The footer intact, the column data overwritten: each outcome is an error naming the file,
    // or lists of the sample's items.
    for at in (4..bytes.len() / 2).step_by(61) {
        let mut damaged = bytes.clone();
        for b in &mut damaged[at..(at + 16).min(bytes.len())] {
            *b ^= 0xA5;
        }
        std::fs::write(&path, &damaged).unwrap();
        match read(&path, 5) {
            Ok(imported) => assert!(imported.lists.iter().all(|l| l.len() <= 5 && l.iter().all(|&(j, s)| j < 6 && s > 0.0 && s <= 1.0))),
            Err(e) => assert!(e.to_string().starts_with(&path.display().to_string()), "{e}"),
        }
    }
}

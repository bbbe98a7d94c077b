//! `shelfwise build --vectors FILE.parquet`: Parquet files written here with the `parquet` crate's
//! own writer (Spark's `itemFactors` schema, string ids, the wide layout), every kind of bad
//! input, and the CLI end to end.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::run_shelfwise;

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use parquet::basic::Compression;
use parquet::data_type::{ByteArray, ByteArrayType, DoubleType, FloatType, Int32Type, Int64Type};
use parquet::file::properties::WriterProperties;
use parquet::file::writer::SerializedFileWriter;
use parquet::schema::parser::parse_message_type;
use shelfwise::build::vectors::{read_vectors, ItemVectors, ParquetFileError, VectorColumns, VectorsError};

/// Spark 3 writes `model.itemFactors` with this schema (id int, features array<float>), Snappy.
const SPARK_ITEM_FACTORS: &str = "
message spark_schema {
  required int32 id;
  optional group features (LIST) {
    repeated group list {
      optional float element;
    }
  }
}";

/// One column chunk: values with their definition and repetition levels (as the writer wants).
enum Column {
    Int32(Vec<i32>, Option<Vec<i16>>),
    Int64(Vec<i64>),
    Float(Vec<f32>, Option<Vec<i16>>, Option<Vec<i16>>),
    Double(Vec<f64>, Option<Vec<i16>>, Option<Vec<i16>>),
    Text(Vec<&'static str>, Option<Vec<i16>>),
}

/// A three-level `optional group (LIST) { repeated group list { optional T element } }` column:
/// `None` rows are null lists, `None` values null elements.
fn list_levels<T: Copy>(rows: &[Option<Vec<Option<T>>>]) -> (Vec<T>, Vec<i16>, Vec<i16>) {
    let (mut values, mut def, mut rep) = (Vec::new(), Vec::new(), Vec::new());
    for row in rows {
        match row {
            None => {
                def.push(0);
                rep.push(0);
            }
            Some(list) if list.is_empty() => {
                def.push(1);
                rep.push(0);
            }
            Some(list) => {
                for (j, value) in list.iter().enumerate() {
                    rep.push(i16::from(j > 0));
                    match value {
                        Some(v) => {
                            values.push(*v);
                            def.push(3);
                        }
                        None => def.push(2),
                    }
                }
            }
        }
    }
    (values, def, rep)
}

fn floats(rows: &[Option<Vec<Option<f32>>>]) -> Column {
    let (values, def, rep) = list_levels(rows);
    Column::Float(values, Some(def), Some(rep))
}

fn dense(rows: &[&[f32]]) -> Column {
    floats(&rows.iter().map(|r| Some(r.iter().copied().map(Some).collect())).collect::<Vec<_>>())
}

fn write_parquet(path: &Path, schema: &str, compression: Compression, groups: Vec<Vec<Column>>) {
    let schema = Arc::new(parse_message_type(schema).unwrap());
    let props = Arc::new(WriterProperties::builder().set_compression(compression).build());
    let mut writer = SerializedFileWriter::new(File::create(path).unwrap(), schema, props).unwrap();
    for group in groups {
        let mut row_group = writer.next_row_group().unwrap();
        for column in group {
            let mut out = row_group.next_column().unwrap().expect("the schema has this column");
            match column {
                Column::Int32(v, def) => out.typed::<Int32Type>().write_batch(&v, def.as_deref(), None).map(drop),
                Column::Int64(v) => out.typed::<Int64Type>().write_batch(&v, None, None).map(drop),
                Column::Float(v, def, rep) => out.typed::<FloatType>().write_batch(&v, def.as_deref(), rep.as_deref()).map(drop),
                Column::Double(v, def, rep) => out.typed::<DoubleType>().write_batch(&v, def.as_deref(), rep.as_deref()).map(drop),
                Column::Text(v, def) => {
                    let v: Vec<ByteArray> = v.iter().map(|s| ByteArray::from(*s)).collect();
                    out.typed::<ByteArrayType>().write_batch(&v, def.as_deref(), None).map(drop)
                }
            }
            .unwrap();
            out.close().unwrap();
        }
        row_group.close().unwrap();
    }
    writer.close().unwrap();
}

fn read(path: &Path) -> Result<(ItemVectors, shelfwise::build::read::ReadReport), VectorsError> {
    read_vectors(path, None, &VectorColumns::default())
}

fn problems(report: &shelfwise::build::read::ReadReport) -> Vec<String> {
    report.problems.iter().map(ToString::to_string).collect()
}

struct Dir(tempfile::TempDir);

impl Dir {
    fn new() -> Dir {
        Dir(tempfile::tempdir().unwrap())
    }
    fn path(&self, name: &str) -> PathBuf {
        self.0.path().join(name)
    }
}

#[test]
fn spark_item_factors_with_integer_ids_over_two_snappy_row_groups() {
    let dir = Dir::new();
    let path = dir.path("item_factors.parquet");
    write_parquet(
        &path,
        SPARK_ITEM_FACTORS,
        Compression::SNAPPY,
        vec![
            vec![Column::Int32(vec![10, 20], None), dense(&[&[1.0, 0.5, -0.25], &[0.0, 2.0, 0.0]])],
            vec![Column::Int32(vec![30], None), dense(&[&[3.0, 0.0, 1.0]])],
        ],
    );
    let (v, report) = read(&path).unwrap();
    assert_eq!(v.dim, 3);
    assert_eq!(v.ids, ["10", "20", "30"]);
    assert_eq!(v.rows, [1.0, 0.5, -0.25, 0.0, 2.0, 0.0, 3.0, 0.0, 1.0]);
    assert_eq!((report.rows, report.used, report.skipped_total()), (3, 3, 0));
}

#[test]
fn string_ids_with_a_double_list_and_int64_ids() {
    let dir = Dir::new();
    let path = dir.path("emb.parquet");
    let schema =
        "message m { optional binary id (UTF8); optional group features (LIST) { repeated group list { optional double element; } } }";
    let (values, def, rep) = list_levels(&[Some(vec![Some(0.5f64), Some(1.5)]), Some(vec![Some(-1.0), Some(0.0)])]);
    write_parquet(
        &path,
        schema,
        Compression::UNCOMPRESSED,
        vec![vec![Column::Text(vec!["SKU-1", "SKU-2"], Some(vec![1, 1])), Column::Double(values, Some(def), Some(rep))]],
    );
    let (v, _) = read(&path).unwrap();
    assert_eq!((v.dim, v.ids.clone(), v.rows.clone()), (2, vec!["SKU-1".to_owned(), "SKU-2".to_owned()], vec![0.5, 1.5, -1.0, 0.0]));

    // int64 ids (Spark `long`), a legacy two-level list (`repeated float array`), gzip.
    let path = dir.path("legacy.parquet");
    let schema = "message m { required int64 id; optional group features (LIST) { repeated float array; } }";
    write_parquet(
        &path,
        schema,
        Compression::GZIP(Default::default()),
        vec![vec![
            Column::Int64(vec![7_000_000_000, 8]),
            Column::Float(vec![1.0, 2.0, 3.0, 4.0], Some(vec![2, 2, 2, 2]), Some(vec![0, 1, 0, 1])),
        ]],
    );
    let (v, _) = read(&path).unwrap();
    assert_eq!((v.ids.clone(), v.rows.clone()), (vec!["7000000000".to_owned(), "8".to_owned()], vec![1.0, 2.0, 3.0, 4.0]));
}

#[test]
fn wide_layout_one_number_column_per_dimension() {
    let dir = Dir::new();
    let path = dir.path("wide.parquet");
    let schema = "message m { required binary item (UTF8); required float f0; required double f1; required int32 f2; }";
    write_parquet(
        &path,
        schema,
        Compression::SNAPPY,
        vec![vec![
            Column::Text(vec!["A", "B"], None),
            Column::Float(vec![1.0, 0.0], None, None),
            Column::Double(vec![0.5, 1.0], None, None),
            Column::Int32(vec![0, 3], None),
        ]],
    );
    let columns = VectorColumns { id: Some("item".into()), vector: None };
    let (v, _) = read_vectors(&path, None, &columns).unwrap();
    assert_eq!((v.dim, v.ids.clone(), v.rows.clone()), (3, vec!["A".to_owned(), "B".to_owned()], vec![1.0, 0.5, 0.0, 0.0, 1.0, 3.0]));
}

#[test]
fn other_column_names_by_flag() {
    let dir = Dir::new();
    let path = dir.path("named.parquet");
    let schema = "message m { required int32 sku; optional group embedding (LIST) { repeated group list { optional float element; } } }";
    write_parquet(&path, schema, Compression::SNAPPY, vec![vec![Column::Int32(vec![1], None), dense(&[&[1.0, 2.0]])]]);
    let columns = VectorColumns { id: Some("sku".into()), vector: Some("embedding".into()) };
    assert_eq!(read_vectors(&path, None, &columns).unwrap().0.ids, ["1"]);
    // The defaults do not find them, and a named column that is absent is not guessed at.
    let message = read(&path).unwrap_err().to_string();
    assert!(
        message.ends_with(
            "column \"id\": no such column (the columns are \"sku\", \"embedding\"); name the id column with --vector-id-column"
        ),
        "{message}"
    );
    let columns = VectorColumns { id: Some("sku".into()), vector: Some("factors".into()) };
    let message = read_vectors(&path, None, &columns).unwrap_err().to_string();
    assert!(message.ends_with("column \"factors\": no such column (the columns are \"sku\", \"embedding\")"), "{message}");
}

#[test]
fn vector_column_of_the_wrong_type_is_a_column_error() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    // `features` written as text (e.g. a CSV-style "[1, 2]" string), not a list.
    write_parquet(
        &path,
        "message m { required int32 id; required binary features (UTF8); }",
        Compression::SNAPPY,
        vec![vec![Column::Int32(vec![1], None), Column::Text(vec!["[1, 2]"], None)]],
    );
    let error = read(&path).unwrap_err();
    assert!(matches!(&error, VectorsError::Parquet(ParquetFileError::Column { column, .. }) if column == "features"), "{error:?}");
    assert!(
        error
            .to_string()
            .contains("v.parquet: column \"features\": the vector column is BYTE_ARRAY; expected a list of float or double (array<float>)"),
        "{error}"
    );
}

#[test]
fn id_column_of_the_wrong_type_is_a_column_error() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    write_parquet(
        &path,
        "message m { required double id; required float f0; }",
        Compression::SNAPPY,
        vec![vec![Column::Double(vec![1.0], None, None), Column::Float(vec![1.0], None, None)]],
    );
    let message = read(&path).unwrap_err().to_string();
    assert!(message.contains("column \"id\": the id column is DOUBLE; expected an integer (int32, int64) or a string"), "{message}");
}

#[test]
fn wide_layout_with_a_non_number_column_is_a_column_error() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    write_parquet(
        &path,
        "message m { required int32 id; required float f0; required binary note (UTF8); }",
        Compression::SNAPPY,
        vec![vec![Column::Int32(vec![1], None), Column::Float(vec![1.0], None, None), Column::Text(vec!["x"], None)]],
    );
    let message = read(&path).unwrap_err().to_string();
    assert!(message.contains("column \"note\": is BYTE_ARRAY: there is no list column \"features\""), "{message}");
}

#[test]
fn ragged_dimensions_are_skipped_with_row_group_row_and_column() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    write_parquet(
        &path,
        SPARK_ITEM_FACTORS,
        Compression::SNAPPY,
        vec![
            vec![Column::Int32(vec![1, 2], None), dense(&[&[1.0, 0.0, 0.0], &[0.0, 1.0, 0.0]])],
            vec![Column::Int32(vec![3, 4, 5], None), floats(&[Some(vec![Some(1.0), Some(1.0)]), Some(vec![]), None])],
        ],
    );
    let (v, report) = read(&path).unwrap();
    assert_eq!(v.ids, ["1", "2"]);
    assert_eq!(report.skipped["bad width"], 3);
    assert_eq!(
        problems(&report),
        [
            "line 3: field \"features\": row group 1, row 1: 2 values; the first row had 3",
            "line 4: field \"features\": row group 1, row 2: 0 values; expected 1 to 1024",
            "line 5: field \"features\": row group 1, row 3: 0 values; expected 1 to 1024",
        ]
    );
}

#[test]
fn non_finite_and_null_values_are_skipped_naming_the_element() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    write_parquet(
        &path,
        SPARK_ITEM_FACTORS,
        Compression::SNAPPY,
        vec![vec![
            Column::Int32(vec![1, 2, 3, 4], None),
            floats(&[
                Some(vec![Some(1.0), Some(f32::NAN)]),
                Some(vec![Some(f32::INFINITY), Some(0.0)]),
                Some(vec![Some(1.0), None]),
                Some(vec![Some(0.0), Some(1.0)]),
            ]),
        ]],
    );
    let (v, report) = read(&path).unwrap();
    assert_eq!(v.ids, ["4"]);
    assert_eq!(
        problems(&report),
        [
            "line 1: field \"features[1]\": row group 0, row 1: NaN is not a finite float32 number",
            "line 2: field \"features[0]\": row group 0, row 2: inf is not a finite float32 number",
            "line 3: field \"features[1]\": row group 0, row 3: the value is null",
        ]
    );
    // A double too large for float32 is not finite either (wide layout: the column is named).
    let path = dir.path("wide.parquet");
    write_parquet(
        &path,
        "message m { required int32 id; required double a; optional double b; }",
        Compression::SNAPPY,
        vec![vec![
            Column::Int32(vec![1, 2, 3], None),
            Column::Double(vec![1e300, 1.0, 1.0], None, None),
            Column::Double(vec![1.0, 2.0], Some(vec![1, 0, 1]), None),
        ]],
    );
    let (v, report) = read(&path).unwrap();
    assert_eq!(v.ids, ["3"]);
    assert_eq!(
        problems(&report),
        [
            "line 1: field \"a\": row group 0, row 1: 1e300 is not a finite float32 number",
            "line 2: field \"b\": row group 0, row 2: the value is null",
        ]
    );
}

#[test]
fn duplicate_and_null_ids_are_skipped() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    let schema =
        "message m { optional binary id (UTF8); optional group features (LIST) { repeated group list { optional float element; } } }";
    write_parquet(
        &path,
        schema,
        Compression::SNAPPY,
        vec![
            vec![Column::Text(vec!["A", "B"], Some(vec![1, 1, 0])), dense(&[&[1.0], &[2.0], &[3.0]])],
            vec![Column::Text(vec!["A"], Some(vec![1])), dense(&[&[4.0]])],
        ],
    );
    let (v, report) = read(&path).unwrap();
    assert_eq!((v.ids.clone(), v.rows.clone()), (vec!["A".to_owned(), "B".to_owned()], vec![1.0, 2.0]));
    assert_eq!(
        problems(&report),
        [
            "line 3: field \"id\": row group 0, row 3: the id is null",
            "line 4: field \"id\": row group 1, row 1: id \"A\" already has a vector on row 1",
        ]
    );
}

#[test]
fn a_folder_of_part_files_reads_in_name_order_and_names_the_part_in_problems() {
    let dir = Dir::new();
    let folder = dir.path("item_factors");
    std::fs::create_dir(&folder).unwrap();
    // Written out of name order; Spark's markers beside them are not part files.
    let second = vec![vec![Column::Int32(vec![30, 10], None), dense(&[&[3.0, 0.0], &[9.0, 9.0]])]];
    write_parquet(&folder.join("part-00001-x.snappy.parquet"), SPARK_ITEM_FACTORS, Compression::SNAPPY, second);
    let first = vec![vec![Column::Int32(vec![10, 20], None), dense(&[&[1.0, 0.5], &[0.0, 2.0]])]];
    write_parquet(&folder.join("part-00000-x.snappy.parquet"), SPARK_ITEM_FACTORS, Compression::SNAPPY, first);
    std::fs::write(folder.join("_SUCCESS"), "").unwrap();
    std::fs::write(folder.join(".part-00000-x.snappy.parquet.crc"), "crc").unwrap();
    let (v, report) = read(&folder).unwrap();
    assert_eq!(v.ids, ["10", "20", "30"]);
    assert_eq!(v.rows, [1.0, 0.5, 0.0, 2.0, 3.0, 0.0]);
    assert_eq!((report.rows, report.used, report.skipped_total()), (4, 3, 1));
    assert_eq!(
        problems(&report),
        ["line 4: field \"id\": part-00001-x.snappy.parquet, row group 0, row 2: id \"10\" already has a vector on row 1"]
    );

    let empty = dir.path("empty");
    std::fs::create_dir(&empty).unwrap();
    let err = read(&empty).unwrap_err().to_string();
    assert!(err.contains("empty") && err.contains("no Parquet part files in this folder"), "{err}");
}

#[test]
fn a_file_with_no_usable_row_is_an_error() {
    let dir = Dir::new();
    let path = dir.path("v.parquet");
    write_parquet(&path, SPARK_ITEM_FACTORS, Compression::SNAPPY, vec![vec![Column::Int32(vec![1], None), floats(&[None])]]);
    let message = read(&path).unwrap_err().to_string();
    assert!(message.ends_with("v.parquet: no usable vectors (1 rows skipped)"), "{message}");
}

#[test]
fn damaged_files_are_errors_not_panics() {
    let dir = Dir::new();
    let good = dir.path("good.parquet");
    let rows: Vec<Vec<f32>> = (0..200).map(|i| vec![i as f32, 1.0, -1.0, 0.5]).collect();
    let refs: Vec<&[f32]> = rows.iter().map(Vec::as_slice).collect();
    write_parquet(&good, SPARK_ITEM_FACTORS, Compression::SNAPPY, vec![vec![Column::Int32((0..200).collect(), None), dense(&refs)]]);
    let bytes = std::fs::read(&good).unwrap();

    let path = dir.path("v.parquet");
    std::fs::write(&path, b"id,features\n1,\"[1]\"\n").unwrap();
    let message = read(&path).unwrap_err().to_string();
    assert!(message.contains("v.parquet: not a readable Parquet file"), "{message}");
    std::fs::write(&path, &bytes[..bytes.len() / 2]).unwrap();
    let message = read(&path).unwrap_err().to_string();
    assert!(message.contains("v.parquet: not a readable Parquet file"), "{message}");

    // The footer intact, the column data overwritten: each outcome is an error or skipped rows.
    for at in (4..bytes.len() / 2).step_by(97) {
        let mut damaged = bytes.clone();
        for b in &mut damaged[at..(at + 16).min(bytes.len())] {
            *b ^= 0xA5;
        }
        std::fs::write(&path, &damaged).unwrap();
        match read(&path) {
            Ok((v, _)) => assert!(v.ids.len() <= 200),
            Err(e) => assert!(e.to_string().starts_with(&path.display().to_string()), "{e}"),
        }
    }
}

#[test]
fn cli_packs_spark_item_factors_and_checks_the_column_flags() {
    let dir = Dir::new();
    let path = |name: &str| dir.path(name).to_str().unwrap().to_owned();
    std::fs::write(path("catalog.csv"), "id,title,price,category\n1,Alpha,1,X\n2,Beta,1,X\n3,Gamma,1,Y\n").unwrap();
    let events: String = ["1", "2", "3", "1"]
        .iter()
        .enumerate()
        .map(|(n, item)| {
            format!("{{\"shopper\":\"s{}\",\"item\":\"{item}\",\"type\":\"purchase\",\"ts\":\"2024-01-0{}T00:00:00Z\"}}\n", n % 2, n + 1)
        })
        .collect();
    std::fs::write(path("events.jsonl"), events).unwrap();
    write_parquet(
        &dir.path("factors.parquet"),
        SPARK_ITEM_FACTORS,
        Compression::SNAPPY,
        vec![
            vec![Column::Int32(vec![1, 2], None), dense(&[&[1.0, 0.0], &[0.0, 1.0]])],
            vec![Column::Int32(vec![9, 3], None), dense(&[&[1.0, 1.0], &[1.0]])],
        ],
    );
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "--events", &path("events.jsonl"), "--catalog", &path("catalog.csv"), "--out", &path("shop.pack")]
            .into_iter()
            .map(str::to_owned)
            .collect::<Vec<_>>();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        run_shelfwise(&args.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let (ok, stderr) = build(&["--vectors", &path("factors.parquet")]);
    assert!(ok, "{stderr}");
    assert!(stderr.contains("factors.parquet:line 4: field \"features\": row group 1, row 2: 1 values; the first row had 2"), "{stderr}");
    assert!(
        stderr.contains("2 items matched, 1 without a vector (zero: popularity only), 1 vectors for ids not in the catalog left out"),
        "{stderr}"
    );
    let pack = shelfwise::pack::Pack::open(std::fs::read(path("shop.pack")).unwrap()).unwrap();
    assert_eq!(pack.dim(), 2);

    let (ok, stderr) = build(&["--vectors", &path("factors.parquet"), "--vector-column", "factors"]);
    assert!(
        !ok && stderr.contains("factors.parquet: column \"factors\": no such column (the columns are \"id\", \"features\")"),
        "{stderr}"
    );
    std::fs::write(path("v.csv"), "id,v1\n1,1\n").unwrap();
    let (ok, stderr) = build(&["--vectors", &path("v.csv"), "--vector-id-column", "sku"]);
    assert!(!ok && stderr.contains("--vector-id-column and --vector-column are for .parquet files"), "{stderr}");
}

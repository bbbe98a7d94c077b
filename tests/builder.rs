//! The pack builder end to end: readers with per-line problems, the CLI, and the real data.
#![cfg(feature = "cli")]
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::shelfwise;
use std::path::{Path, PathBuf};
use std::process::Command;

use shelfwise::build::read::{read_catalog, read_events_jsonl, read_online_retail, LineTooLong, ReadError, MAX_LINE_BYTES};
use shelfwise::pack::Pack;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name)
}

#[test]
fn catalog_rows_with_problems_are_skipped_with_line_numbers() {
    let (items, report) = read_catalog(&fixture("catalog.csv")).unwrap();
    assert_eq!(items.len(), 6);
    assert!(!items[2].in_stock);
    assert_eq!(report.skipped_total(), 2);
    let text: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    assert_eq!(text[0], "line 8: field \"price\": \"abc\" is not a number ≥ 0");
    assert_eq!(text[1], "line 9: field \"id\": id \"M1\" already defined on line 5");
}

#[test]
fn event_lines_with_problems_are_skipped_with_line_numbers() {
    let (events, report) = read_events_jsonl(&fixture("events.jsonl"), i64::MAX).unwrap();
    assert_eq!(events.len(), 11, "10 good lines + the line with an unknown item (checked at build time)");
    assert_eq!(events[6].ts_ms, 1_709_370_120_000);
    assert_eq!(events[7].ts_ms, events[8].ts_ms - 5 * 60_000);
    let lines: Vec<(u64, &str)> = report.problems.iter().map(|p| (p.line, p.field.as_str())).collect();
    assert_eq!(lines, [(12, "type"), (13, "ts"), (14, ""), (15, "item")]);
    assert!(report.problems[0].message.contains("wishlist"));
}

#[test]
fn online_retail_is_cleaned_as_its_readme_says() {
    let (data, report) = read_online_retail(&fixture("retail_sample.csv"), i64::MAX).unwrap();
    assert_eq!(report.rows, 13);
    assert_eq!(report.used, 7);
    assert_eq!(report.cleaned["cancellation"], 1);
    assert_eq!(report.cleaned["non-product stock code"], 1);
    assert_eq!(report.cleaned["no customer id"], 1);
    assert_eq!(report.cleaned["quantity or price not positive"], 1);
    assert_eq!(report.skipped_total(), 2);
    assert_eq!((report.problems[0].line, report.problems[0].field.as_str()), (12, "Quantity"));
    assert_eq!((report.problems[1].line, report.problems[1].field.as_str()), (13, "InvoiceDate"));
    let heart = data.catalog.iter().find(|c| c.id == "85123A").unwrap();
    assert_eq!(heart.category, "Candles & Lights");
    assert_eq!(data.events.iter().filter(|e| e.item == "85123A").count(), 2);
    assert_eq!(data.events[0].basket.as_deref(), Some("536365"));
}

#[test]
fn online_retail_rows_keep_the_file_line_numbers_in_crlf_and_name_bad_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("retail.csv");
    let rows: &[&[u8]] = &[
        b"InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID",
        b"536365,85123A,WHITE HEART,6,2010-12-01 08:26:00,2.55,17850",
        b"536365,71053,\"WHITE\r\nLANTERN\",six,2010-12-01 08:26:00,3.39,17850",
        b"536366,22633,HAND WARMER CR\xc8ME,6,2010-12-01 08:28:00,1.85,17850",
        b"536367,84879,BIRD,32,2099-01-01 08:34:00,1.69,13047",
    ];
    std::fs::write(&path, rows.join(&b"\r\n"[..])).unwrap();
    let now = shelfwise::build::read::parse_timestamp_str("2012-01-01T00:00:00Z").unwrap();
    let (data, report) = read_online_retail(&path, now).unwrap();
    assert_eq!(data.events.len(), 1);
    let found: Vec<(u64, &str, &str)> = report.problems.iter().map(|p| (p.line, p.field.as_str(), p.message.as_str())).collect();
    assert_eq!(
        found,
        [
            (3, "Quantity", "\"six\" is not a whole number"),
            (5, "Description", "not valid UTF-8 at byte 15 (as Windows-1252 it reads \"HAND WARMER CRÈME\": re-save the file as UTF-8)"),
            (6, "InvoiceDate", "\"2099-01-01 08:34:00\" (2099-01-01T08:34:00Z) is after the build time 2012-01-01T00:00:00Z"),
        ]
    );
    assert!(report.windows_1252);
    std::fs::write(&path, "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,StockCode\n").unwrap();
    let err = read_online_retail(&path, now).unwrap_err().to_string();
    assert!(err.ends_with("line 1: column \"StockCode\" appears twice (columns 2 and 8); rename or remove one"), "{err}");
}

#[test]
fn an_endless_events_file_is_refused_at_the_line_bound() {
    let err = read_events_jsonl(Path::new("/dev/zero"), i64::MAX).unwrap_err();
    assert!(matches!(err, ReadError::TooLong { too_long: LineTooLong { line: 1, limit: MAX_LINE_BYTES, csv_record: false }, .. }), "{err}");
    let err = read_catalog(Path::new("/dev/zero")).unwrap_err();
    assert!(matches!(err, ReadError::TooLong { too_long: LineTooLong { line: 1, .. }, .. }), "{err}");
}

#[test]
fn unusable_inputs_are_fatal_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "\n\n").unwrap();
    assert!(matches!(read_events_jsonl(&empty, i64::MAX), Err(ReadError::Empty { .. })));
    let no_price = dir.path().join("catalog.csv");
    std::fs::write(&no_price, "id,title\nA,Thing\n").unwrap();
    let err = read_catalog(&no_price).unwrap_err().to_string();
    assert!(err.contains("line 1: missing required column \"price\""), "{err}");
    let missing = read_catalog(&dir.path().join("nope.csv")).unwrap_err().to_string();
    assert!(missing.contains("nope.csv: cannot read"), "{missing}");
}

#[test]
fn cli_builds_and_inspects_a_pack_from_the_canonical_formats() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("shop.pack");
    let build = shelfwise(&[
        "build",
        "--events",
        fixture("events.jsonl").to_str().unwrap(),
        "--catalog",
        fixture("catalog.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dim",
        "8",
        // The fixtures hold a bad row of each kind: far more than the default 5%.
        "--max-skipped",
        "1",
    ]);
    let stderr = String::from_utf8_lossy(&build.stderr);
    assert!(build.status.success(), "{stderr}");
    assert!(stderr.contains("events.jsonl:line 12: field \"type\""), "{stderr}");
    assert!(stderr.contains("item not in catalog: 1"), "{stderr}");
    let pack = Pack::open(std::fs::read(&out).unwrap()).unwrap();
    assert_eq!((pack.item_count(), pack.dim()), (6, 8));
    assert_eq!(pack.meta().training_events, 9);

    let inspect = shelfwise(&["inspect", out.to_str().unwrap(), "--json"]);
    assert!(inspect.status.success());
    let v: serde_json::Value = serde_json::from_slice(&inspect.stdout).unwrap();
    assert_eq!(v["items"], 6);
    assert_eq!(v["checksumOk"], true);
    // The required sections plus the optional neighbour and bought-together lists.
    assert_eq!(v["sections"].as_array().unwrap().len(), 18);
    assert!(pack.neighbour_k() > 0);
    assert!((0..6).any(|i| pack.interactions(i) > 0));
    for i in 0..6 {
        assert!((0.0..=1.0).contains(&pack.demand_trend(i)));
        let n: Vec<(u32, f32)> = pack.neighbours(i).collect();
        assert!(n.iter().all(|&(j, s)| j != i && j < 6 && s > 0.0 && s <= 1.0), "{n:?}");
    }

    // Output into a pipe already closed (`shelfwise inspect pack | head`): quiet, and success.
    for args in [vec!["inspect", out.to_str().unwrap()], vec!["inspect", out.to_str().unwrap(), "--json"]] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let closed = Command::new(env!("CARGO_BIN_EXE_shelfwise")).args(&args).stdout(writer).output().unwrap();
        assert!(closed.status.success(), "{args:?}: {}", String::from_utf8_lossy(&closed.stderr));
        assert_eq!(String::from_utf8_lossy(&closed.stderr), "", "{args:?}");
    }

    let mut bytes = std::fs::read(&out).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&out, bytes).unwrap();
    let bad = shelfwise(&["inspect", out.to_str().unwrap()]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("checksum mismatch"));
}

#[test]
fn none_in_a_catalog_url_or_image_means_no_url_and_an_empty_field_the_shops_pattern() {
    let dir = tempfile::tempdir().unwrap();
    let catalog = dir.path().join("catalog.csv");
    let rows = [
        "id,title,category,price,image,url",
        "C1,Amber Pillar Candle,Candles,6.99,img/C1.png,/p/C1",
        "C2,Tealight Set of 12,Candles,3.49,img/C2.png,/p/C2",
        "C3,Glass Lantern,Candles,14.99,none,none",
        "M1,Blue Stripe Mug,Kitchen,7.49,img/M1.png,",
        "M2,Speckled Mug,Kitchen,8.99,,/p/M2",
        "M3,Tea Towel,Kitchen,4.99,https://cdn.example/m3.jpg,none",
    ];
    std::fs::write(&catalog, rows.join("\n")).unwrap();
    let out = dir.path().join("shop.pack");
    let (events, catalog, out_path) = (fixture("events.jsonl"), catalog.to_str().unwrap().to_owned(), out.to_str().unwrap());
    let build = shelfwise(&[
        "build",
        "--events",
        events.to_str().unwrap(),
        "--catalog",
        &catalog,
        "--out",
        out_path,
        "--dim",
        "8",
        "--max-skipped",
        "1",
    ]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let pack = Pack::open(std::fs::read(&out).unwrap()).unwrap();
    let urls = |id: &str| {
        let i = pack.find_item(id).unwrap();
        (pack.page_url(i).into_owned(), pack.image_url(i).into_owned())
    };
    assert_eq!(urls("C1"), ("/p/C1".into(), "img/C1.png".into()));
    assert_eq!(urls("C3"), (String::new(), String::new()), "none: no link, no image, and no template");
    assert_eq!(urls("M1"), ("/p/M1".into(), "img/M1.png".into()), "an empty field takes the shop's pattern");
    assert_eq!(urls("M2"), ("/p/M2".into(), "img/M2.png".into()));
    assert_eq!(urls("M3"), (String::new(), "https://cdn.example/m3.jpg".into()));
    let engine = shelfwise::engine::Engine::open(std::fs::read(&out).unwrap()).unwrap();
    let card = engine.item("C3").unwrap();
    assert_eq!((card.url.as_str(), card.image.as_str()), ("", ""));
}

#[test]
fn cli_refuses_jsonl_events_without_a_catalog() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.pack");
    let run = shelfwise(&["build", "--events", fixture("events.jsonl").to_str().unwrap(), "--out", out.to_str().unwrap()]);
    assert!(!run.status.success());
    assert!(String::from_utf8_lossy(&run.stderr).contains("need a catalog: pass --catalog"));
    assert!(!out.exists());
}

#[test]
fn demo_data_builds_into_a_pack_whose_shelves_follow_tastes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = shelfwise(&["demo-data", "--out", d.to_str().unwrap(), "--items", "200", "--shoppers", "300"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let out = d.join("shop.pack");
    let build = shelfwise(&[
        "build",
        "--events",
        d.join("events.jsonl").to_str().unwrap(),
        "--catalog",
        d.join("catalog.csv").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--dim",
        "32",
    ]);
    assert!(build.status.success(), "{}", String::from_utf8_lossy(&build.stderr));
    let mut engine = shelfwise::Engine::open(std::fs::read(&out).unwrap()).unwrap();
    // View every in-stock item of the least popular category on the cold shelf.
    let for_you = shelfwise::page::ShelfRequest { k: Some(10), ..shelfwise::page::ShelfRequest::new("for-you") };
    let cold = engine.shelf(&for_you, 0).unwrap();
    let pack = engine.pack();
    let target =
        (0..pack.category_count()).min_by_key(|&c| cold.items.iter().filter(|i| i.card.category == pack.category_name(c)).count()).unwrap();
    let name = pack.category_name(target).to_owned();
    let viewed: Vec<u32> = (0..pack.item_count()).filter(|&i| pack.category_index(i) == Some(target)).take(4).collect();
    for i in viewed {
        let id = engine.pack().item_id(i).to_owned();
        engine.push_event(shelfwise::event::Event {
            item: engine.item_index(&id).unwrap(),
            kind: shelfwise::event::EventKind::View,
            ts_ms: 0,
            qty: 1,
        });
    }
    let warm = engine.shelf(&for_you, 0).unwrap();
    let share = warm.items.iter().filter(|i| i.card.category == name).count();
    assert!(share >= 5, "after viewing {name}, only {share}/10 recommendations are in it");
}

/// `--neighbour-model ease` writes EASE's lists into the pack (same format): non-empty,
/// scaled into (0, 1], and not the cosine lists; a model name it does not know is refused.
#[test]
fn the_neighbour_model_flag_writes_ease_lists_into_the_demo_pack() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = shelfwise(&["demo-data", "--out", d.to_str().unwrap(), "--items", "200", "--shoppers", "300"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (events, catalog) = (d.join("events.jsonl"), d.join("catalog.csv"));
    let lists = |model: &str| {
        let out = d.join(format!("{model}.pack"));
        let args = ["build", "--events", events.to_str().unwrap(), "--catalog", catalog.to_str().unwrap(), "--out", out.to_str().unwrap()];
        let build =
            shelfwise(&[&args[..], &["--dim", "16", "--iterations", "3", "--neighbours", "20", "--neighbour-model", model]].concat());
        assert!(build.status.success(), "{model}: {}", String::from_utf8_lossy(&build.stderr));
        let pack = shelfwise::Pack::open(std::fs::read(&out).unwrap()).unwrap();
        (0..pack.item_count()).map(|i| pack.neighbours(i).collect::<Vec<(u32, f32)>>()).collect::<Vec<_>>()
    };
    let (cosine, ease) = (lists("cosine"), lists("ease"));
    let filled = ease.iter().filter(|l| !l.is_empty()).count();
    assert!(filled >= 150, "only {filled} of 200 items have EASE neighbours");
    assert!(ease.iter().flatten().all(|&(_, w)| w > 0.0 && w <= 1.0));
    assert!(ease.iter().flatten().any(|&(_, w)| w == 1.0), "the largest weight scales to 1");
    let same = cosine.iter().zip(&ease).filter(|(c, e)| c == e && !e.is_empty()).count();
    assert!(same * 10 < filled, "{same} of {filled} EASE lists equal the cosine ones");
    let local = lists("ease-local");
    assert!(local.iter().filter(|l| !l.is_empty()).count() >= 150);

    let bad = shelfwise(&["build", "--events", events.to_str().unwrap(), "--out", "x.pack", "--neighbour-model", "svd"]);
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stderr).contains("\"svd\" is not a neighbour model"), "{}", String::from_utf8_lossy(&bad.stderr));
}

/// `demo-data` writes image vectors that follow each product's look; `build --image-vectors`
/// stores them and the `visually-similar` shelf finds look-alikes (the demo's look is mostly its
/// category's picture). Bad rows are errors with the line, and the sharded layout refuses them.
#[test]
fn demo_image_vectors_give_a_visually_similar_shelf_and_bad_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = shelfwise(&["demo-data", "--out", d.to_str().unwrap(), "--items", "200", "--shoppers", "300"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let (events, catalog, images) = (d.join("events.jsonl"), d.join("catalog.csv"), d.join("image_vectors.csv"));
    let build = |out: &Path, images: &Path, extra: &[&str]| {
        let args = ["build", "--events", events.to_str().unwrap(), "--catalog", catalog.to_str().unwrap(), "--out", out.to_str().unwrap()];
        shelfwise(&[&args[..], &["--dim", "16", "--iterations", "3", "--image-vectors", images.to_str().unwrap()], extra].concat())
    };
    let out = d.join("shop.pack");
    let run = build(&out, &images, &[]);
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "{stderr}");
    assert!(stderr.contains("images     dim 33") && stderr.contains("200 items with an image vector, 0 without"), "{stderr}");
    let engine = shelfwise::Engine::open(std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(engine.info().image_dim, 33);
    let anchor = engine.pack().item_id(0).to_owned();
    let request =
        shelfwise::page::ShelfRequest { item: Some(anchor), k: Some(5), ..shelfwise::page::ShelfRequest::new("visually-similar") };
    let shelf = engine.shelf(&request, 0).unwrap();
    assert_eq!(shelf.items.len(), 5);
    let category = engine.pack().category(0).to_owned();
    assert!(shelf.items.iter().all(|i| i.card.category == category && i.reason.starts_with("Looks like ")), "{shelf:?}");

    let sharded = build(&d.join("sharded"), &images, &["--layout", "sharded"]);
    assert!(!sharded.status.success());
    assert!(
        String::from_utf8_lossy(&sharded.stderr).contains("does not carry image embeddings"),
        "{}",
        String::from_utf8_lossy(&sharded.stderr)
    );
    let bad = d.join("bad.csv");
    let mut text = std::fs::read_to_string(&images).unwrap();
    text.push_str("SW-00001,1,nan\n");
    std::fs::write(&bad, text).unwrap();
    let refused = build(&d.join("bad.pack"), &bad, &[]);
    assert!(!refused.status.success());
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert!(stderr.contains("bad.csv: line 201: field \"v2\": \"nan\" is not a finite number"), "{stderr}");
}

/// `--layout sharded` writes a folder whose bootstrap and chunks reassemble the single pack
/// byte for byte; `auto` keeps a small shop in one file.
#[test]
fn cli_writes_the_sharded_layout_as_a_folder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let run = shelfwise(&["demo-data", "--out", d.to_str().unwrap(), "--items", "200", "--shoppers", "300"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let build = |out: &Path, layout: &str| {
        let (events, catalog) = (d.join("events.jsonl"), d.join("catalog.csv"));
        let args = ["build", "--events", events.to_str().unwrap(), "--catalog", catalog.to_str().unwrap(), "--out", out.to_str().unwrap()];
        let run = shelfwise(&[&args[..], &["--dim", "16", "--now", "1900000000000", "--layout", layout]].concat());
        assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    build(&d.join("single.pack"), "single");
    build(&d.join("auto.pack"), "auto");
    assert_eq!(
        std::fs::read(d.join("auto.pack")).unwrap(),
        std::fs::read(d.join("single.pack")).unwrap(),
        "auto: a small shop stays one file"
    );
    let summary = build(&d.join("shop"), "sharded");
    assert!(summary.contains("sharded") && summary.contains("chunks"), "{summary}");
    let folder = d.join("shop");
    let mut set = shelfwise::pack::shard::working::WorkingSet::open(&std::fs::read(folder.join("bootstrap.shard")).unwrap()).unwrap();
    let manifest = set.bootstrap().manifest.clone();
    assert!(manifest.len() >= 2, "at least one partition and one directory chunk");
    for (i, entry) in manifest.iter().enumerate() {
        set.add_chunk(i as u32, &std::fs::read(folder.join(entry.file_name())).unwrap()).unwrap();
    }
    // Item records carry the sales rates (docs/PACK_FORMAT.md, "The working set"): all chunks
    // give back the single pack, its sales_rates section included.
    let single = std::fs::read(d.join("single.pack")).unwrap();
    let opened = shelfwise::pack::Pack::open(single.as_slice()).unwrap();
    assert!(opened.has_section(shelfwise::pack::SectionKind::SalesRates), "the demo shop has 8 weeks of purchases");
    assert_eq!(set.pack_bytes().unwrap(), opened.to_contents().encode().unwrap());
}

/// The real Online Retail data from ../shared (present in CI): a full build must succeed.
#[test]
fn builds_the_shared_online_retail_data_when_present() {
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/online-retail/online_retail_2010-12_2011-09.csv.gz");
    if !data.exists() {
        eprintln!("skipped: {} is not here", data.display());
        return;
    }
    let (retail, report) = read_online_retail(&data, i64::MAX).unwrap();
    assert_eq!(report.rows, 370_931);
    assert_eq!(report.skipped_total(), 0, "{:?}", report.problems);
    assert!(retail.catalog.len() > 3_000);
    assert!(retail.events.len() > 250_000);
}

/// Step 6 of issue #15 on the shared Online Retail data (present in CI): the sharded folder
/// reassembles the single pack byte for byte (sales rates included), and for-you over what the
/// browser loads for a five-view visit (`shards.js`: each viewed item's partition through its
/// directory chunk, the partitions holding ≥ 2 of the views' neighbours, the NPROBE partitions
/// nearest the profile and the session's) is compared with the single pack's for 20 visits. Each visit is an item and its first 4
/// neighbours, the items spread over the catalog. The mean overlap@20 is printed; the bar is
/// under the measured value (docs/PERFORMANCE.md, "Sharded, third stop").
#[test]
fn shared_data_sharded_for_you_matches_the_single_pack_when_present() {
    const NPROBE: usize = 8; // shards.js (6 gives 0.920 here, 7 0.940)
    use shelfwise::engine::{Engine, EventInput};
    use shelfwise::pack::shard::working::WorkingSet;
    use shelfwise::page::ShelfRequest;
    let data = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/online-retail/online_retail_2010-12_2011-09.csv.gz");
    if !data.exists() {
        eprintln!("skipped: {} is not here", data.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (single, folder) = (dir.path().join("retail.pack"), dir.path().join("retail"));
    let run = shelfwise(&["build", "--events", data.to_str().unwrap(), "--out", single.to_str().unwrap()]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    // 100 items per partition: about 36 partitions, so the 6 + 2 probed ones are a part of the
    // catalog (with the default 500, this shop's 8 partitions would all be loaded and the lists
    // equal trivially).
    let run = shelfwise(&["shard", single.to_str().unwrap(), "--out", folder.to_str().unwrap(), "--items-per-partition", "100"]);
    assert!(run.status.success(), "{}", String::from_utf8_lossy(&run.stderr));
    let bytes = std::fs::read(&single).unwrap();
    let pack = Pack::open(bytes.as_slice()).unwrap();
    let boot = std::fs::read(folder.join("bootstrap.shard")).unwrap();
    let mut all = WorkingSet::open(&boot).unwrap();
    let chunks: Vec<Vec<u8>> = all.bootstrap().manifest.iter().map(|e| std::fs::read(folder.join(e.file_name())).unwrap()).collect();
    chunks.iter().enumerate().for_each(|(i, c)| assert!(all.add_chunk(i as u32, c).unwrap()));
    assert_eq!(all.pack_bytes().unwrap(), pack.to_contents().encode().unwrap(), "every chunk: the single pack");
    let now = pack.meta().built_at_ms;
    let track = |engine: &mut Engine, views: &[String]| {
        for (n, id) in views.iter().enumerate() {
            let input = EventInput {
                item: Some(id.clone()),
                kind: "view".into(),
                ts: (now - 60_000 * (5 - n as i64)) as f64,
                qty: None,
                query: None,
            };
            engine.track(&input, now).unwrap();
        }
    };
    let for_you = |engine: &Engine| -> Vec<String> {
        engine
            .shelf(&ShelfRequest { k: Some(20), ..ShelfRequest::new("for-you") }, now)
            .unwrap()
            .items
            .into_iter()
            .map(|s| s.card.id)
            .collect()
    };
    let load = |set: &mut WorkingSet, c: u32| {
        set.add_chunk(c, &chunks[c as usize]).unwrap();
    };
    let mut reference = Engine::open(bytes.clone()).unwrap();
    let (mut overlaps, mut held) = (Vec::new(), Vec::new());
    for s in 0..20u32 {
        let first = s * (pack.item_count() / 20);
        let views: Vec<String> =
            std::iter::once(first).chain(pack.neighbours(first).map(|e| e.0).take(4)).map(|i| pack.item_id(i).to_owned()).collect();
        let mut set = WorkingSet::open(&boot).unwrap();
        for id in &views {
            if let Err(d) = set.locate(id) {
                load(&mut set, d);
            }
            let p = set.locate(id).unwrap().unwrap();
            load(&mut set, p);
        }
        let recent: Vec<&str> = views.iter().rev().map(String::as_str).collect();
        set.neighbour_chunks(&recent, NPROBE).directories.into_iter().for_each(|d| load(&mut set, d));
        set.neighbour_chunks(&recent, NPROBE).partitions.into_iter().for_each(|p| load(&mut set, p));
        let mut engine = Engine::open(set.pack_bytes().unwrap()).unwrap();
        track(&mut engine, &views);
        set.partitions_for(&engine.profile(now), NPROBE).into_iter().for_each(|p| load(&mut set, p));
        let mut engine = Engine::open(set.pack_bytes().unwrap()).unwrap();
        track(&mut engine, &views);
        held.push(engine.pack().item_count());
        reference.clear_events();
        track(&mut reference, &views);
        let (got, want) = (for_you(&engine), for_you(&reference));
        assert!(!want.is_empty());
        overlaps.push(got.iter().filter(|id| want.contains(id)).count() as f64 / want.len() as f64);
    }
    let mean = overlaps.iter().sum::<f64>() / overlaps.len() as f64;
    eprintln!(
        "shared data ({} items), sharded vs single for-you overlap@20 over 20 visits: mean {mean:.3}, per visit {overlaps:?}; items held {held:?}",
        pack.item_count()
    );
    // Measured 0.960 at NPROBE 8 (8 of 20 visits differ by 1–4 of 20 items; about half the catalog held).
    assert!(mean >= 0.93, "mean overlap@20 {mean:.3}: {overlaps:?}");
    assert!(held.iter().all(|&h| h < pack.item_count()), "a part of the catalog, not all of it: {held:?}");
}

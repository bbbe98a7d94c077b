//! `shelfwise recommend`: a shelf per shopper's history (JSONL in, JSONL out), ranked by the
//! same engine the browser runs; a bad line gets an error of its own and does not stop the run.

use std::fs;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use clap::Args;

use shelfwise::build::file_error::{create_parent_folder, FileAction, FileError};
use shelfwise::build::pack_file::{read_pack_file, PackFileProblem};
use shelfwise::build::read::parse_time_arg;
use shelfwise::build::recommend::{batch_request, check_request, recommend_stream, RecommendConfig};
use shelfwise::engine::Engine;

use crate::args::now_ms;
use crate::error::{CliError, Unusable};
use crate::progress::spinner;

/// `recommend --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise recommend --pack shop.pack --histories histories.jsonl --shelf for-you --k 20
  shelfwise recommend --pack shop.pack --histories histories.jsonl --shelf discovery --k 20
  cat histories.jsonl | shelfwise recommend --pack shop.pack --histories - --as-of 2011-12-01T00:00:00Z --out shelves.jsonl";

// The flags of `recommend` (its help text is the `Command::Recommend` variant's).
#[derive(Args)]
pub struct RecommendArgs {
    /// The pack file.
    #[arg(long)]
    pack: PathBuf,
    /// Shoppers' histories as JSONL (`-` for stdin).
    #[arg(long)]
    histories: PathBuf,
    /// Which shelf to rank: for-you, discovery, buy-again, because-you-viewed, similar,
    /// bought-together, trending, trending-in-categories, recently-viewed, new-for-you.
    #[arg(long, default_value = "for-you")]
    shelf: String,
    /// The page's other `shelf()` options as a JSON object, e.g.
    /// '{"filters":{"excludePurchased":true}}' (docs/API.md).
    #[arg(long)]
    options: Option<String>,
    /// Shelf length K.
    #[arg(long, default_value_t = 20, value_parser = clap::value_parser!(u32).range(1..=1000))]
    k: u32,
    /// Rank as of this time (RFC 3339 or ms since 1970); default: each line's newest event
    /// (or now for a line with no events).
    #[arg(long)]
    as_of: Option<String>,
    /// Write here instead of stdout.
    #[arg(long)]
    out: Option<PathBuf>,
}

/// Runs `shelfwise recommend`.
pub fn run(args: &RecommendArgs) -> Result<(), CliError> {
    let request = batch_request(&args.shelf, args.k as usize, args.options.as_deref()).map_err(CliError::Request)?;
    let as_of_ms = match &args.as_of {
        None => None,
        Some(s) => Some(parse_time_arg(s).map_err(|message| CliError::Flag { flag: "--as-of", message })?),
    };
    let path = &args.pack;
    let unusable = |problem| CliError::UnusablePack { path: path.clone(), problem };
    let bytes = read_pack_file(path).map_err(|e| match e.problem {
        PackFileProblem::Io(source) => FileError::at(path, FileAction::ReadPack)(source).into(),
        problem => unusable(Unusable::File(problem)),
    })?;
    let mut engine = Engine::open(bytes).map_err(|e| unusable(Unusable::Engine(e)))?;
    let config = RecommendConfig { request, as_of_ms, now_ms: now_ms() };
    check_request(&mut engine, &config).map_err(CliError::Request)?;
    let histories = &args.histories;
    let source = histories.display().to_string();
    let input: Box<dyn Read> = if histories.as_os_str() == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        Box::new(fs::File::open(histories).map_err(FileError::read(histories))?)
    };
    let writer = output(args.out.as_deref())?;
    let step = spinner(format!("ranking shelves for {source}"));
    let streamed = recommend_stream(&mut engine, input, &source, writer, &config);
    step.finish_and_clear();
    let summary = streamed?;
    eprintln!("recommend {source}: {} lines, {} shelves, {} lines with errors", summary.lines, summary.ok, summary.error_total());
    for (kind, n) in &summary.errors {
        eprintln!("  {kind}: {n}");
    }
    Ok(())
}

/// Where the shelves go: `--out` (its folder created), else stdout.
fn output(out: Option<&Path>) -> Result<Box<dyn Write>, FileError> {
    Ok(match out {
        Some(path) => {
            create_parent_folder(path)?;
            let file = fs::File::create(path).map_err(FileError::write(path))?;
            Box::new(BufWriter::new(file))
        }
        None => Box::new(BufWriter::new(std::io::stdout().lock())),
    })
}

//! `shelfwise inspect`: what a pack holds (counts, dimension, sections, versions, checksum),
//! as text or JSON; a bad pack exits non-zero, with `{"ok":false,"kind":…}` under `--json`.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::Args;
use serde_json::json;

use shelfwise::build::pack_file::{read_pack_file, PackFileProblem};
use shelfwise::pack::{read_header, Pack};

use crate::error::CliError;

/// `inspect --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise inspect shop.pack
  shelfwise inspect shop.pack --json    # exits non-zero with {\"ok\":false,\"kind\":…} for a bad pack";

// The flags of `inspect` (its help text is the `Command::Inspect` variant's).
#[derive(Args)]
pub struct InspectArgs {
    /// The pack file.
    pack: PathBuf,
    /// Print JSON for machines.
    #[arg(long)]
    json: bool,
}

/// Runs `shelfwise inspect`.
pub fn run(args: &InspectArgs) -> Result<(), CliError> {
    let (path, as_json) = (args.pack.as_path(), args.json);
    // A bad pack: under --json, also a line saying what is wrong for machines.
    let fail = |error: CliError, message: String, kind: &str, format_version: Option<u16>| {
        if as_json {
            let v =
                json!({ "file": path.display().to_string(), "ok": false, "error": message, "kind": kind, "formatVersion": format_version });
            to_stdout(|out| writeln!(out, "{v}"))?;
        }
        Err(error)
    };
    let bytes = match read_pack_file(path) {
        Ok(bytes) => bytes,
        Err(e) if matches!(e.problem, PackFileProblem::Io(_)) => return Err(e.into()),
        Err(e) => {
            let (message, kind, version) = (e.problem.to_string(), e.problem.kind(), e.problem.format_version());
            return fail(e.into(), message, kind, version);
        }
    };
    let pack = match Pack::open(bytes.as_slice()) {
        Ok(p) => p,
        Err(e) => {
            let (message, kind, version) = (e.to_string(), e.kind(), read_header(&bytes).ok().map(|h| h.format_version));
            return fail(CliError::Pack { path: path.to_owned(), source: e }, message, kind, version);
        }
    };
    if as_json {
        to_stdout(|out| writeln!(out, "{}", inspect_json(path, &pack)))
    } else {
        to_stdout(|out| inspect_text(out, path, &pack))
    }
}

/// Runs `print` on a locked stdout. A closed stdout (`shelfwise inspect pack | head`) ends the
/// output quietly, as Unix tools do; any other write error is reported.
fn to_stdout(print: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), CliError> {
    let stdout = io::stdout();
    let mut out = stdout.lock();
    match print(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => other.map_err(CliError::Stdout),
    }
}

fn inspect_json(path: &Path, pack: &Pack<&[u8]>) -> serde_json::Value {
    let (h, m) = (pack.header(), pack.meta());
    let sections: Vec<_> =
        pack.sections().iter().map(|s| json!({ "name": s.kind.name(), "offset": s.range.start, "bytes": s.range.len() })).collect();
    let (major, minor, patch) = h.builder_version;
    json!({
        "file": path.display().to_string(), "ok": true, "bytes": pack.byte_len(),
        "formatVersion": h.format_version, "builderVersion": format!("{major}.{minor}.{patch}"),
        "checksum": format!("{:08x}", h.checksum), "checksumOk": true,
        "items": m.item_count, "dim": m.dim, "categories": m.category_count, "brands": m.brand_count,
        "builtAtMs": m.built_at_ms, "trainingEvents": m.training_events,
        "bytesPerItem": pack.byte_len() as f64 / f64::from(m.item_count.max(1)),
        "sections": sections,
    })
}

fn inspect_text(out: &mut dyn Write, path: &Path, pack: &Pack<&[u8]>) -> io::Result<()> {
    let (h, m) = (pack.header(), pack.meta());
    let (major, minor, patch) = h.builder_version;
    writeln!(out, "{}: Shelfwise pack, format v{}, built by shelfwise {major}.{minor}.{patch}", path.display(), h.format_version)?;
    writeln!(out, "  checksum  crc32 {:08x} (ok)", h.checksum)?;
    writeln!(out, "  items     {}", m.item_count)?;
    writeln!(out, "  dim       {}", m.dim)?;
    writeln!(out, "  categories {}  brands {}", m.category_count, m.brand_count)?;
    writeln!(out, "  trained on {} events", m.training_events)?;
    writeln!(out, "  size      {} bytes ({:.1} bytes/item)", pack.byte_len(), pack.byte_len() as f64 / f64::from(m.item_count.max(1)))?;
    writeln!(out, "  sections:")?;
    for s in pack.sections() {
        writeln!(out, "    {:<18} offset {:>10}  {:>10} bytes", s.kind.name(), s.range.start, s.range.len())?;
    }
    Ok(())
}

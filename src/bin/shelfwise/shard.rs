//! `shelfwise shard`: a pack file split into the sharded layout (a folder with
//! bootstrap.shard and the content-hashed chunks), as `build --layout sharded` writes it.

use std::path::PathBuf;

use clap::Args;

use shelfwise::build::pack_file::read_pack_file;
use shelfwise::build::shard::{split, ShardConfig};
use shelfwise::pack::Pack;

use crate::error::CliError;

/// `shard --help`'s examples.
pub const EXAMPLES: &str = "\
Examples:
  shelfwise shard shop.pack --out shop/                            # bootstrap.shard + *.chunk
  shelfwise shard shop.pack --out shop/ --items-per-partition 250  # smaller partitions";

// The flags of `shard` (its help text is the `Command::Shard` variant's).
#[derive(Args)]
pub struct ShardArgs {
    /// The pack file.
    pack: PathBuf,
    /// The folder to write.
    #[arg(long)]
    out: PathBuf,
    /// Target items per IVF partition chunk.
    #[arg(long, default_value_t = 500, value_parser = clap::value_parser!(u32).range(1..))]
    items_per_partition: u32,
}

/// Runs `shelfwise shard`.
pub fn run(args: &ShardArgs) -> Result<(), CliError> {
    let (path, out) = (&args.pack, &args.out);
    let bytes = read_pack_file(path)?;
    let pack_error = |source| CliError::Pack { path: path.clone(), source };
    let contents = Pack::open(bytes.as_slice()).map_err(pack_error)?.to_contents();
    let config = ShardConfig { items_per_partition: args.items_per_partition as usize, ..ShardConfig::default() };
    let pack = split(&contents, &config).map_err(pack_error)?;
    if out.is_file() {
        return Err(CliError::OutIsFile { path: out.clone(), hint: "" });
    }
    pack.write_folder(out)?;
    eprintln!(
        "sharded {} into {}/: {} B bootstrap, {} chunks, {} B in all",
        path.display(),
        out.display(),
        pack.bootstrap.len(),
        pack.chunks.len(),
        pack.total_bytes()
    );
    Ok(())
}

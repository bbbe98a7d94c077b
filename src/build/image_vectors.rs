//! Image vectors (`shelfwise build --image-vectors FILE`): embeddings a shop computed from its
//! product photos with any image model, stored as the pack's second, optional embedding
//! (sections 24 and 25, int8 in the same blocked layout as the main embeddings) for the
//! `visually-similar` shelf and for new items' neighbours. No image model runs here.
//!
//! The file is read by the `--vectors` reader ([`read_vectors`]: CSV, NPY with ids, Parquet),
//! but strictly: a row that reader would skip (another width, a value that is not a finite
//! number, a repeated id, a malformed line) and an id the catalog lacks are errors naming the
//! file and the line (or Parquet row), since a wrong image vector puts a product among items it
//! does not look like. Catalog items without an image vector get a zero row: they have no
//! look-alikes and appear on no `visually-similar` shelf.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use thiserror::Error;

use super::assemble::normalize_rows;
use super::vectors::{read_vectors, ItemVectors, VectorColumns, VectorsError};
use crate::pack::{quantize_per_dimension, ImageEmbeddings, PackContents};

/// Image vectors that cannot be used.
#[derive(Debug, Error)]
pub enum ImageVectorsError {
    /// The file cannot be read as vectors at all.
    #[error(transparent)]
    Read(#[from] VectorsError),
    /// A row the `--vectors` reader would skip.
    #[error("{}: line {line}: field {field:?}: {message} ({bad} bad rows in all; every image vector must be usable)", .path.display())]
    BadRow {
        /// The file.
        path: PathBuf,
        /// The line (CSV, or the ids file of an NPY), or the row counted across a Parquet file.
        line: u64,
        /// The field at fault.
        field: String,
        /// What is wrong.
        message: String,
        /// Rows skipped as bad in the whole file.
        bad: u64,
    },
    /// A vector for an id the catalog does not have.
    #[error("{}: line {line}: id {id:?} is not in the catalog ({count} image vectors in all are for unknown ids)", .path.display())]
    UnknownId {
        /// The file.
        path: PathBuf,
        /// Its line (or Parquet row).
        line: u64,
        /// The id.
        id: String,
        /// How many ids of the file the catalog lacks.
        count: usize,
    },
}

/// What [`apply_image_vectors`] stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppliedImageVectors {
    /// Image dimension.
    pub dim: usize,
    /// Catalog items with an image vector.
    pub matched: usize,
    /// Catalog items without one (zero row).
    pub missing: usize,
}

/// Reads image vectors with the `--vectors` reader; any row it would skip is an error.
pub fn read_image_vectors(path: &Path, ids_path: Option<&Path>, columns: &VectorColumns) -> Result<ItemVectors, ImageVectorsError> {
    let (vectors, report) = read_vectors(path, ids_path, columns)?;
    if let Some(p) = report.problems.first() {
        let (line, field, message) = (p.line, p.field.clone(), p.message.clone());
        return Err(ImageVectorsError::BadRow { path: path.to_owned(), line, field, message, bad: report.skipped_total() });
    }
    Ok(vectors)
}

/// Stores `vectors` (read from `path`) as the image embeddings of `contents`: each scaled to
/// unit length, then quantized per dimension; an id the catalog lacks is an error.
pub fn apply_image_vectors(
    contents: &mut PackContents,
    vectors: &ItemVectors,
    path: &Path,
) -> Result<AppliedImageVectors, ImageVectorsError> {
    let index: HashMap<&str, usize> = contents.items.iter().enumerate().map(|(i, it)| (it.id.as_str(), i)).collect();
    let unknown: Vec<usize> = (0..vectors.ids.len()).filter(|&r| !index.contains_key(vectors.ids[r].as_str())).collect();
    if let Some(&r) = unknown.first() {
        let line = vectors.lines.get(r).copied().unwrap_or(r as u64 + 1);
        return Err(ImageVectorsError::UnknownId { path: path.to_owned(), line, id: vectors.ids[r].clone(), count: unknown.len() });
    }
    let dim = vectors.dim;
    let mut rows = vec![0.0f32; contents.items.len() * dim];
    for (r, id) in vectors.ids.iter().enumerate() {
        let i = index[id.as_str()];
        rows[i * dim..(i + 1) * dim].copy_from_slice(&vectors.rows[r * dim..(r + 1) * dim]);
    }
    normalize_rows(&mut rows, dim);
    let quantized = quantize_per_dimension(&rows, dim);
    contents.image = Some(ImageEmbeddings { dim: dim as u32, scales: quantized.scales, codes: quantized.codes });
    Ok(AppliedImageVectors { dim, matched: vectors.ids.len(), missing: contents.items.len() - vectors.ids.len() })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::pack::{Pack, PackItem};
    use std::fs;

    fn contents(ids: &[&str]) -> PackContents {
        PackContents {
            builder_version: (0, 1, 0),
            built_at_ms: 0,
            training_events: 0,
            categories: Vec::new(),
            brands: Vec::new(),
            items: ids.iter().map(|id| PackItem::new(*id, *id, 1.0)).collect(),
            url_templates: crate::pack::UrlTemplates::default(),
            dim: 1,
            scales: vec![1.0],
            codes: vec![0; ids.len()],
            neighbours: Vec::new(),
            together: Vec::new(),
            rules: Vec::new(),
            image: None,
        }
    }

    fn write(text: &str) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("images.csv");
        fs::write(&path, text).unwrap();
        (dir, path)
    }

    #[test]
    fn every_catalog_item_gets_its_unit_vector_or_a_zero_row() {
        let (_dir, path) = write("id,v1,v2,v3\nA,3,0,4\nC,0,2,0\n");
        let mut c = contents(&["A", "B", "C"]);
        let vectors = read_image_vectors(&path, None, &VectorColumns::default()).unwrap();
        let applied = apply_image_vectors(&mut c, &vectors, &path).unwrap();
        assert_eq!(applied, AppliedImageVectors { dim: 3, matched: 2, missing: 1 });
        let bytes = c.encode().unwrap();
        let pack = Pack::open(bytes.as_slice()).unwrap();
        assert_eq!(pack.image_dim(), 3);
        let a = crate::vector::unit_image_vector(&pack, 0);
        assert!((a[0] - 0.6).abs() < 0.01 && a[1] == 0.0 && (a[2] - 0.8).abs() < 0.01, "{a:?}");
        assert_eq!(crate::vector::unit_image_vector(&pack, 1), [0.0; 3], "B has no image vector");
    }

    #[test]
    fn bad_rows_and_unknown_ids_name_the_file_and_line() {
        for (text, expected) in [
            ("id,v1,v2\nA,1,0\nB,1,0,5\n", "images.csv: line 3: field \"vector\": 3 values; the first row had 2"),
            ("A,1,0\nB,nan,1\n", "images.csv: line 2: field \"v1\": \"nan\" is not a finite number"),
            ("A,1,0\nA,0,1\n", "images.csv: line 2: field \"id\": id \"A\" already has a vector on line 1"),
        ] {
            let (_dir, path) = write(text);
            let err = read_image_vectors(&path, None, &VectorColumns::default()).unwrap_err();
            assert!(matches!(err, ImageVectorsError::BadRow { .. }), "{err}");
            assert!(err.to_string().contains(expected), "{err}");
        }
        let (_dir, path) = write("id,v1,v2\nA,1,0\nZ,0,1\nY,1,1\n");
        let vectors = read_image_vectors(&path, None, &VectorColumns::default()).unwrap();
        let err = apply_image_vectors(&mut contents(&["A", "B"]), &vectors, &path).unwrap_err();
        assert!(matches!(&err, ImageVectorsError::UnknownId { line: 3, id, count: 2, .. } if id == "Z"), "{err}");
        assert!(err.to_string().contains("images.csv: line 3: id \"Z\" is not in the catalog"), "{err}");
    }
}

//! Forging a run's files as an attacker who controls a worker would: a
//! file listed (with correct checksums) in a `.changes`, a text rewritten.

use std::fs;
use std::path::Path;

use auto_upload::input::checksums::Digests;

/// Lists `name` (with `content`) in every file list of the `.changes` at
/// `changes`, with its real size and checksums, and writes it beside it.
pub fn list_file(changes: &Path, name: &str, content: &[u8]) {
    let d = Digests::of_reader(content).unwrap();
    let size = content.len();
    let text = fs::read_to_string(changes)
        .unwrap()
        .replace(
            "Checksums-Sha1:\n",
            &format!("Checksums-Sha1:\n {} {size} {name}\n", d.sha1),
        )
        .replace(
            "Checksums-Sha256:\n",
            &format!("Checksums-Sha256:\n {} {size} {name}\n", d.sha256),
        )
        .replace(
            "Files:\n",
            &format!("Files:\n {} {size} misc optional {name}\n", d.md5),
        );
    fs::write(changes, text).unwrap();
    fs::write(changes.with_file_name(name), content).unwrap();
}

/// Rewrites the text of a file.
pub fn edit(path: &Path, change: impl FnOnce(String) -> String) {
    let text = fs::read_to_string(path).unwrap();
    fs::write(path, change(text)).unwrap();
}

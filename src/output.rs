//! Writing results to stdout, one record at a time, flushed so that a
//! pipeline's next stage starts at once; and reading paths from stdin.

use std::io::Write;
use std::path::PathBuf;

use tokio::io::AsyncReadExt;

/// Writes one record, ending with NUL when `null`, else a newline.
///
/// # Errors
/// Writing stdout failed (a closed pipe included: the caller decides).
pub fn record(text: &str, null: bool) -> std::io::Result<()> {
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(if null { b"\0" } else { b"\n" })?;
    out.flush()
}

/// Reads paths from stdin: one per line, or NUL-separated when `null`.
/// Empty records are skipped.
///
/// # Errors
/// Reading stdin failed.
pub async fn paths_from_stdin(null: bool) -> std::io::Result<Vec<PathBuf>> {
    let mut data = Vec::new();
    tokio::io::stdin().read_to_end(&mut data).await?;
    Ok(split_records(&data, null))
}

fn split_records(data: &[u8], null: bool) -> Vec<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    let separator = if null { b'\0' } else { b'\n' };
    data.split(|b| *b == separator)
        .map(|r| r.strip_suffix(b"\r").unwrap_or(r))
        .filter(|r| !r.is_empty())
        .map(|r| PathBuf::from(std::ffi::OsStr::from_bytes(r)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records() {
        assert_eq!(
            split_records(b"a b.changes\n\nc.changes\n", false),
            vec![PathBuf::from("a b.changes"), PathBuf::from("c.changes")]
        );
        assert_eq!(
            split_records(b"a\nb\0c\0", true),
            vec![PathBuf::from("a\nb"), PathBuf::from("c")]
        );
    }
}

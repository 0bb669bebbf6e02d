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

/// Many records written in 64 KiB blocks (a listing of 100,000 lines is
/// not 100,000 writes); what is left is written by [`Records::finish`].
#[derive(Debug, Default)]
pub struct Records {
    buf: Vec<u8>,
}

impl Records {
    const BLOCK: usize = 64 << 10;

    /// Adds one line.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn push(&mut self, text: &str) -> std::io::Result<()> {
        self.buf.extend_from_slice(text.as_bytes());
        self.buf.push(b'\n');
        if self.buf.len() >= Self::BLOCK {
            self.write_out()?;
        }
        Ok(())
    }

    /// Writes what is left.
    ///
    /// # Errors
    /// Writing to stdout failed.
    pub fn finish(mut self) -> std::io::Result<()> {
        self.write_out()
    }

    fn write_out(&mut self) -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        out.write_all(&self.buf)?;
        self.buf.clear();
        out.flush()
    }
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

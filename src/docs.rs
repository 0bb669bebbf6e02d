//! Man pages and shell completions, generated from the clap definition and
//! committed under `man/` and `completions/`; a test keeps them current.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::Cli;

/// Every generated file: its path below the project root, and its content.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut command = Cli::command();
    command.build();
    let mut page = Vec::new();
    clap_mangen::Man::new(command.clone())
        .render(&mut page)
        .expect("rendering to memory cannot fail");
    files.push(("man/auto-upload.1".to_owned(), page));
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("auto-upload-{}", sub.get_name());
        let mut page = Vec::new();
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("auto-upload {}", sub.get_name()));
        clap_mangen::Man::new(sub)
            .render(&mut page)
            .expect("rendering to memory cannot fail");
        files.push((format!("man/{name}.1"), page));
    }
    for shell in [
        Shell::Bash,
        Shell::Zsh,
        Shell::Fish,
        Shell::Elvish,
        Shell::PowerShell,
    ] {
        let mut script = Vec::new();
        clap_complete::generate(shell, &mut Cli::command(), "auto-upload", &mut script);
        files.push((
            format!("completions/{}", shell.file_name("auto-upload")),
            script,
        ));
    }
    files
}

/// Writes every generated file below `root`.
///
/// # Errors
/// A directory or file could not be written.
pub fn write_all(root: &Path) -> std::io::Result<()> {
    for (path, content) in generated_files() {
        let path = root.join(path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, content)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn committed_man_pages_and_completions_are_current() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let mut stale = Vec::new();
        for (path, content) in generated_files() {
            if std::fs::read(root.join(&path)).ok().as_deref() != Some(&content[..]) {
                stale.push(path);
            }
        }
        assert!(
            stale.is_empty(),
            "stale or missing: {stale:?}; regenerate with `cargo run -- generate-docs`"
        );
    }
}

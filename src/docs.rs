//! Man pages and shell completions, generated from the clap definition and
//! committed under `man/` and `completions/`; a test keeps them current.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::Cli;
use crate::exit_codes;

/// Every generated file: its path below the project root, and its content.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut command = Cli::command();
    command.build();
    files.push(("man/auto-upload.1".to_owned(), man_page(command.clone())));
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("auto-upload-{}", sub.get_name());
        let sub = sub
            .clone()
            .name(name.clone())
            .bin_name(format!("auto-upload {}", sub.get_name()));
        files.push((format!("man/{name}.1"), man_page(sub)));
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

/// A man page: clap_mangen's sections, with the exit-code table as a proper
/// EXIT STATUS section instead of the `--help` text.
fn man_page(command: clap::Command) -> Vec<u8> {
    let man = clap_mangen::Man::new(command.clone());
    let mut page = Vec::new();
    let has_subcommands = command.get_subcommands().any(|s| !s.is_hide_set());
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut page)?;
        man.render_name_section(&mut page)?;
        man.render_synopsis_section(&mut page)?;
        man.render_description_section(&mut page)?;
        man.render_options_section(&mut page)?;
        if has_subcommands {
            man.render_subcommands_section(&mut page)?;
        }
        page.extend_from_slice(b".SH \"EXIT STATUS\"\n");
        for (code, meaning) in exit_codes::TABLE {
            page.extend_from_slice(
                format!(".TP\n{}\n{}\n", code.code(), roff_escape(meaning)).as_bytes(),
            );
        }
        page.extend_from_slice(format!(".PP\n{}\n", exit_codes::FIRST_FAILURE_WINS).as_bytes());
        if command.get_version().is_some() {
            man.render_version_section(&mut page)?;
        }
        Ok(())
    })();
    rendered.expect("rendering to memory cannot fail");
    page
}

/// Escapes text for a roff line: backslashes, and a leading `.` or `'`.
fn roff_escape(text: &str) -> String {
    let text = text.replace('\\', "\\e").replace('-', "\\-");
    if text.starts_with(['.', '\'']) {
        format!("\\&{text}")
    } else {
        text
    }
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

//! Man pages and shell completions, generated from the clap definition and
//! committed under `man/` and `completions/`; a test keeps them current.

use std::path::Path;

use clap::CommandFactory;
use clap_complete::{Generator, Shell};

use crate::cli::{Cli, JanitorCli};
use crate::exit_codes;

/// Every generated file: its path below the project root, and its content.
pub fn generated_files() -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    // clap's implicit `help` subcommand has no page of its own: the man
    // pages do not name one.
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    files.push(("man/auto-upload.1".to_owned(), man_page(command.clone())));
    subcommand_pages(&command, "auto-upload", "auto-upload", &mut files);
    let mut janitor = JanitorCli::command();
    janitor.build();
    files.push(("man/janitor-auto-upload.1".to_owned(), man_page(janitor)));
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

/// A page for every visible subcommand of `command` and theirs in turn
/// (`auto-upload-ledger-list`, …): every page a SUBCOMMANDS section names.
fn subcommand_pages(
    command: &clap::Command,
    page: &str,
    bin: &str,
    files: &mut Vec<(String, Vec<u8>)>,
) {
    for sub in command
        .get_subcommands()
        .filter(|s| !s.is_hide_set() && s.get_name() != "help")
    {
        let name = format!("{page}-{}", sub.get_name());
        let bin_name = format!("{bin} {}", sub.get_name());
        let sub = sub.clone().name(name.clone()).bin_name(bin_name.clone());
        files.push((format!("man/{name}.1"), man_page(sub.clone())));
        subcommand_pages(&sub, &name, &bin_name, files);
    }
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
        page.extend_from_slice(environment_section(&command).as_bytes());
        page.extend_from_slice(files_section(command.get_name()).as_bytes());
        page.extend_from_slice(examples_section(command.get_name()).as_bytes());
        page.extend_from_slice(see_also_section(command.get_name()).as_bytes());
        if command.get_version().is_some() {
            man.render_version_section(&mut page)?;
        }
        Ok(())
    })();
    rendered.expect("rendering to memory cannot fail");
    page
}

/// Variables read besides those of the options.
const OTHER_VARIABLES: [(&str, &str); 9] = [
    (
        "GNUPGHOME",
        "Where debsign's gpg finds the signing key (passed on to debsign).",
    ),
    (
        "TMPDIR",
        "Where each run is copied to be signed, in a private directory removed afterwards.",
    ),
    (
        "GOOGLE_APPLICATION_CREDENTIALS, GOOGLE_SERVICE_ACCOUNT",
        "Credentials for a gs:// artifact store (application-default credentials otherwise).",
    ),
    (
        "AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ENDPOINT, AWS_ALLOW_HTTP",
        "Credentials and endpoint for an s3:// artifact store.",
    ),
    (
        "CACHE_DIRECTORY, XDG_CACHE_HOME, HOME",
        "Where the archive's parsed Sources indices are kept between runs when --cache-dir is not given: systemd's CacheDirectory= (the units: /var/cache/auto-upload), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload.",
    ),
    (
        "RUST_LOG",
        "Overrides the log level chosen by -v and -q (tracing's EnvFilter syntax).",
    ),
    (
        "NOTIFY_SOCKET, WATCHDOG_USEC, WATCHDOG_PID",
        "Set by systemd for Type=notify services: listen reports readiness, status and watchdog keep-alives there. Not passed on to debsign or dput.",
    ),
    (
        "JOURNAL_STREAM",
        "Set by systemd: when it names stderr, log lines carry sd-daemon priority prefixes and no timestamp.",
    ),
    (
        "SSL_CERT_FILE, SSL_CERT_DIR",
        "Trusted certificate authorities for TLS to PostgreSQL (sslmode=verify-full) and Redis (rediss://), in place of the system's store (/etc/ssl/certs).",
    ),
];

/// ENVIRONMENT: every variable an option reads (with the option), then
/// the others the program honours.
fn environment_section(command: &clap::Command) -> String {
    let mut text = String::from(".SH ENVIRONMENT\n");
    for arg in command.get_arguments().filter(|a| !a.is_hide_set()) {
        let Some(env) = arg.get_env() else { continue };
        let flag = arg
            .get_long()
            .map(|l| format!(" (\\-\\-{})", l.replace('-', "\\-")))
            .unwrap_or_default();
        let help = arg.get_help().map(|h| h.to_string()).unwrap_or_default();
        text.push_str(&format!(
            ".TP\n\\fB{}\\fR{flag}\n{}\n",
            env.to_string_lossy(),
            roff_escape(&help)
        ));
    }
    for (name, meaning) in OTHER_VARIABLES {
        text.push_str(&format!(".TP\n\\fB{name}\\fR\n{}\n", roff_escape(meaning)));
    }
    text
}

/// FILES.
fn files_section(name: &str) -> String {
    let mut files = vec![
        (
            "janitor.conf",
            "The Janitor's configuration (\\-\\-config): its Debian campaigns (a campaign block with debian_build: build_distribution, build_suffix, base_distribution) say what a run of each may be signed as; artifact_location, redis_location and database_location.",
        ),
        (
            "/etc/dput.cf, ~/.dput.cf",
            "dput's hosts (or \\-\\-dput\\-config FILE); see dput.cf(5).",
        ),
    ];
    if name == "auto-upload"
        || name == "janitor-auto-upload"
        || ["upload-run", "listen", "backfill", "ledger"]
            .iter()
            .any(|c| name.starts_with(&format!("auto-upload-{c}")))
    {
        files.push((
            "/var/cache/auto-upload/sources-*, ~/.cache/auto-upload/sources-*",
            "The archive's Sources indices, parsed, with what its files were when read (\\-\\-cache\\-dir); checked before use, safe to delete.",
        ));
    }
    if matches!(
        name,
        "auto-upload" | "auto-upload-listen" | "auto-upload-backfill" | "janitor-auto-upload"
    ) {
        files.push((
            "/etc/auto-upload/auto-upload.conf",
            "Settings of the systemd units and of every command run by hand, as AUTO_UPLOAD_* variables (\\-\\-settings). Made by the package at its first install from /usr/share/auto-upload/auto-upload.conf, mode 0640, and never shipped: upgrades leave it alone.",
        ));
        files.push((
            "/etc/auto-upload/credentials/",
            "database, ledger-database, redis: the URLs with their passwords, root's alone, handed to the units by LoadCredential= (AUTO_UPLOAD_DATABASE, AUTO_UPLOAD_LEDGER_DATABASE, AUTO_UPLOAD_REDIS); never passed on to debsign, gpg, dput or ssh.",
        ));
        files.push((
            "/usr/lib/systemd/system/auto-upload.service, auto-upload-backfill.service, auto-upload-backfill.timer, auto-upload-reconcile.service, auto-upload-reconcile.timer",
            "The units: listen as a Type=notify service with a watchdog; backfill hourly; ledger reconcile every six hours. The Debian package enables and starts none of them; an upgrade restarts a running auto-upload.service; removal stops them all.",
        ));
        files.push((
            "/var/lib/auto-upload/gnupg",
            "GNUPGHOME of the units (/var/lib/private/auto-upload/gnupg outside them): the signing key. Purging the package keeps /var/lib/private/auto-upload when anything is in it.",
        ));
    }
    let mut text = String::from(".SH FILES\n");
    for (file, meaning) in files {
        text.push_str(&format!(".TP\n\\fI{file}\\fR\n{meaning}\n"));
    }
    text
}

/// EXAMPLES, per page.
fn examples_section(name: &str) -> String {
    let examples: &[(&str, &str)] = match name {
        "auto-upload" | "auto-upload-upload-run" => &[
            (
                "Sign and upload one run by hand:",
                "auto-upload upload-run 8f4b9c1e --config /etc/janitor/janitor.conf --keyid 0xA1B2C3D4E5F60718 --host janitor",
            ),
            (
                "Without the Janitor's database, say what it dispatched the run as:",
                "auto-upload upload-run 8f4b9c1e --config /etc/janitor/janitor.conf --artifacts gs://janitor-artifacts/ --codebase hello --campaign lintian-fixes --keyid $KEY --host janitor",
            ),
            (
                "The same steps as a pipeline:",
                "auto-upload fetch-artifacts 8f4b9c1e --dest run && auto-upload find-changes -0 run | auto-upload sign -0 --keyid $KEY | auto-upload dput -0 --host janitor",
            ),
        ],
        "auto-upload-fetch-artifacts" => &[(
            "Copy a run's artifacts from a bucket:",
            "auto-upload fetch-artifacts 8f4b9c1e --artifacts gs://janitor-artifacts/ --dest /tmp/run",
        )],
        "auto-upload-find-changes" => &[(
            "Verified source uploads as JSON:",
            "auto-upload find-changes --source-only --json /tmp/run",
        )],
        "auto-upload-sign" => &[(
            "Sign what find-changes found:",
            "auto-upload find-changes -0 /tmp/run | auto-upload sign -0 --keyid 0xA1B2C3D4E5F60718",
        )],
        "auto-upload-dput" => &[(
            "Upload signed .changes:",
            "auto-upload dput --host janitor /tmp/run/hello_2.1-3_source.changes",
        )],
        "auto-upload-listen" | "janitor-auto-upload" => &[
            (
                "The service, four uploads at once, health server on port 9933:",
                "auto-upload listen --config /etc/janitor/janitor.conf --keyid $KEY --host janitor --jobs 4 --port 9933",
            ),
            (
                "As the Janitor's image runs it (janitor.conf in the working directory):",
                "janitor-auto-upload --port=9933 --listen-address=0.0.0.0",
            ),
        ],
        "auto-upload-backfill" => &[
            (
                "What is due, without uploading:",
                "auto-upload backfill --config /etc/janitor/janitor.conf --dry-run",
            ),
            (
                "Hourly from cron (silent on success):",
                "17 * * * * auto-upload backfill --config /etc/janitor/janitor.conf --keyid $KEY --host janitor --jobs 4",
            ),
        ],
        _ => &[],
    };
    let mut text = String::from(".SH EXAMPLES\n");
    for (what, command) in examples {
        text.push_str(&format!(
            ".PP\n{}\n.PP\n.RS 4\n.nf\n{}\n.fi\n.RE\n",
            roff_escape(what),
            roff_escape(command)
        ));
    }
    text
}

/// SEE ALSO: the tools run, their configuration, the other pages.
fn see_also_section(name: &str) -> String {
    let mut pages = vec!["debsign(1)", "dput(1)", "dput.cf(5)", "gpg(1)"];
    if name != "auto-upload" {
        pages.push("auto-upload(1)");
    }
    if matches!(name, "auto-upload-listen" | "janitor-auto-upload") {
        pages.extend([
            "auto-upload-backfill(1)",
            "systemd.service(5)",
            "sd_notify(3)",
        ]);
    }
    if name == "auto-upload-backfill" {
        pages.extend(["auto-upload-listen(1)", "systemd.timer(5)"]);
    }
    let pages: Vec<String> = pages
        .iter()
        .map(|p| {
            let (page, section) = p.split_once('(').expect("name(section)");
            format!("\\fB{}\\fR({section}", page.replace('-', "\\-"))
        })
        .collect();
    format!(".SH \"SEE ALSO\"\n{}\n", pages.join(",\n"))
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

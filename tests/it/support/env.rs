//! Real fixtures for the integration tests: a throwaway GnuPG key, a tiny
//! 3.0 (quilt) source package with an arch:all binary, a local artifact
//! store, and a reprepro archive behind a `method = local` dput host.

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

use tempfile::TempDir;

/// The Janitor configuration of the tests: a Debian campaign for each
/// suite the fixtures build for (named after it, as the fixture database's
/// runs are), and the campaigns the runner messages name, building for
/// unstable (tests that need lintian-fixes as the Janitor configures it say
/// so: [`TestEnv::lintian_fixes_builds_for_itself`]).
pub const JANITOR_CONF: &str = "\
campaign { name: \"unstable\" debian_build { base_distribution: \"unstable\" } }
campaign { name: \"experimental\" debian_build { base_distribution: \"unstable\" } }
campaign { name: \"bookworm-backports\" debian_build { base_distribution: \"bookworm\" } }
campaign { name: \"x\" debian_build { build_distribution: \"unstable\" } }
campaign { name: \"lintian-fixes\" debian_build { build_distribution: \"unstable\" } }
campaign { name: \"backports\" debian_build { build_distribution: \"bookworm-backports\" } }
campaign { name: \"fresh-releases\" debian_build { build_distribution: \"unstable\" } }
";

/// What `upload-run` without a database is told the fixture's runs were
/// dispatched as.
pub const DISPATCH: [&str; 4] = ["--codebase", SOURCE, "--campaign", "unstable"];

/// The dput host every test uploads to.
pub const HOST: &str = "test-archive";
/// The fixture package's source name and version.
pub const SOURCE: &str = "auhello";
pub const VERSION: &str = "1.0-1";
/// The fixture's .changes: the source upload and the arch:all binary
/// upload, both for unstable (as a Janitor run targets one suite).
pub const SOURCE_CHANGES: &str = "auhello_1.0-1_source.changes";

/// Panics, showing the listing, unless the archive took the fixture's
/// source upload into unstable.
pub fn assert_source_accepted(listing: &str) {
    let line = format!("unstable|main|source: {SOURCE} {VERSION}");
    assert!(listing.contains(&line), "{line} not in:\n{listing}");
}

/// Panics, showing the listing, unless the archive took the fixture's
/// binary upload into unstable.
pub fn assert_binary_accepted(listing: &str) {
    let line = format!("unstable|main|amd64: {SOURCE} {VERSION}");
    assert!(listing.contains(&line), "{line} not in:\n{listing}");
}
pub const BINARY_CHANGES: &str = "auhello_1.0-1_all.changes";

/// What is built once per test process.
pub struct Fixture {
    /// GNUPGHOME holding the throwaway, passphrase-less signing key.
    pub gnupghome: PathBuf,
    /// The key's fingerprint.
    pub fingerprint: String,
    /// The package's built files.
    pub package: PathBuf,
}

/// The shared fixture, built on first use.
pub fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(build_fixture)
}

fn build_fixture() -> Fixture {
    for tool in [
        "gpg",
        "debsign",
        "dput",
        "dpkg-buildpackage",
        "dh",
        "reprepro",
    ] {
        let found = Command::new("sh")
            .args(["-c", &format!("command -v {tool}")])
            .stdout(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(
            found,
            "{tool} is not installed: run .ci/setup (see README) before the tests"
        );
    }
    remove_stale_fixtures();
    // Short path: gpg-agent's socket path must stay under ~100 bytes. The
    // directory outlives this process (tests have no global teardown); the
    // next test process removes it, its pid being gone.
    let base = tempfile::Builder::new()
        .prefix(&format!("au-it.{}.", std::process::id()))
        .tempdir_in("/tmp")
        .unwrap()
        .keep();
    let gnupghome = base.join("gnupg");
    fs::create_dir(&gnupghome).unwrap();
    fs::set_permissions(&gnupghome, fs::Permissions::from_mode(0o700)).unwrap();
    run(Command::new("gpg")
        .env("GNUPGHOME", &gnupghome)
        .args(["--batch", "--passphrase", "", "--quick-gen-key"])
        .args([
            "Auto Upload Test <test@example.com>",
            "ed25519",
            "sign",
            "never",
        ]));
    let listing = run(Command::new("gpg").env("GNUPGHOME", &gnupghome).args([
        "--batch",
        "--with-colons",
        "--list-secret-keys",
    ]));
    let fingerprint = String::from_utf8_lossy(&listing.stdout)
        .lines()
        .find_map(|l| {
            l.strip_prefix("fpr:")
                .map(|r| r.trim_matches(':').to_owned())
        })
        .expect("gpg printed no fingerprint");

    let package = base.join("package");
    let tree = package.join("auhello-1.0");
    fs::create_dir_all(tree.join("debian/source")).unwrap();
    fs::write(tree.join("README"), "hello from auto-upload's tests\n").unwrap();
    run(Command::new("tar").current_dir(&package).args([
        "czf",
        "auhello_1.0.orig.tar.gz",
        "auhello-1.0",
    ]));
    let debian = tree.join("debian");
    fs::write(debian.join("source/format"), "3.0 (quilt)\n").unwrap();
    fs::write(
        debian.join("changelog"),
        "auhello (1.0-1) unstable; urgency=medium\n\n  * Initial release.\n\n -- Auto Upload Test <test@example.com>  Fri, 27 Nov 2026 12:00:00 +0000\n",
    )
    .unwrap();
    fs::write(
        debian.join("control"),
        "Source: auhello\nSection: misc\nPriority: optional\nMaintainer: Auto Upload Test <test@example.com>\nBuild-Depends: debhelper-compat (= 13)\nStandards-Version: 4.7.0\nRules-Requires-Root: no\n\nPackage: auhello\nArchitecture: all\nDescription: tiny test package for auto-upload\n Built by auto-upload's tests.\n",
    )
    .unwrap();
    fs::write(
        debian.join("copyright"),
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: none\nLicense: public-domain\n",
    )
    .unwrap();
    fs::write(debian.join("rules"), "#!/usr/bin/make -f\n%:\n\tdh $@\n").unwrap();
    fs::set_permissions(debian.join("rules"), fs::Permissions::from_mode(0o755)).unwrap();
    run(Command::new("dpkg-buildpackage")
        .current_dir(&tree)
        .args(["-S", "-us", "-uc", "-d"]));
    run(Command::new("dpkg-buildpackage")
        .current_dir(&tree)
        .args(["-A", "-us", "-uc", "-d"]));
    fs::remove_dir_all(&tree).unwrap();
    Fixture {
        gnupghome,
        fingerprint,
        package,
    }
}

/// A real package of `source` at `version` for `distribution`: a source
/// upload and an arch:all binary upload, both for `distribution`. The
/// fixture's own package for auhello 1.0-1 in unstable; any other is built
/// once per test process with a debian/rules of plain dpkg tools (no
/// debhelper: a fraction of a second).
pub fn package(source: &str, version: &str, distribution: &str) -> PathBuf {
    /// Packages built so far, by "source version distribution".
    static BUILT: std::sync::Mutex<Vec<(String, PathBuf)>> = std::sync::Mutex::new(Vec::new());
    if (source, version, distribution) == (SOURCE, VERSION, "unstable") {
        return fixture().package.clone();
    }
    let key = format!("{source} {version} {distribution}");
    let mut built = BUILT.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, dir)) = built.iter().find(|(k, _)| *k == key) {
        return dir.clone();
    }
    let base = fixture().package.parent().unwrap();
    let dir = base.join(format!(
        "package-{source}-{}-{distribution}",
        version.replace(':', "_")
    ));
    build_package(&dir, source, version, distribution);
    built.push((key, dir.clone()));
    dir
}

fn build_package(dir: &Path, source: &str, version: &str, distribution: &str) {
    let plain = version.split_once(':').map_or(version, |(_, v)| v);
    let upstream = plain.rsplit_once('-').map_or(plain, |(u, _)| u);
    let tree = dir.join(format!("{source}-{upstream}"));
    fs::create_dir_all(tree.join("debian/source")).unwrap();
    fs::write(
        tree.join("README"),
        format!("{source} for auto-upload's tests\n"),
    )
    .unwrap();
    run(Command::new("tar").current_dir(dir).args([
        "czf",
        &format!("{source}_{upstream}.orig.tar.gz"),
        &format!("{source}-{upstream}"),
    ]));
    let debian = tree.join("debian");
    fs::write(debian.join("source/format"), "3.0 (quilt)\n").unwrap();
    fs::write(
        debian.join("changelog"),
        format!("{source} ({version}) {distribution}; urgency=medium\n\n  * Initial release.\n\n -- Auto Upload Test <test@example.com>  Fri, 27 Nov 2026 12:00:00 +0000\n"),
    )
    .unwrap();
    fs::write(
        debian.join("control"),
        format!("Source: {source}\nSection: misc\nPriority: optional\nMaintainer: Auto Upload Test <test@example.com>\nStandards-Version: 4.7.0\nRules-Requires-Root: no\n\nPackage: {source}\nArchitecture: all\nDescription: test package {source}\n Built by auto-upload's tests.\n"),
    )
    .unwrap();
    fs::write(
        debian.join("copyright"),
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n\nFiles: *\nCopyright: none\nLicense: public-domain\n",
    )
    .unwrap();
    fs::write(
        debian.join("rules"),
        format!(
            "#!/usr/bin/make -f\n\
clean:\n\trm -rf debian/tmp debian/files debian/substvars\n\
build build-arch build-indep binary-arch:\n\
binary binary-indep:\n\
\trm -rf debian/tmp\n\
\tmkdir -p debian/tmp/DEBIAN debian/tmp/usr/share/doc/{source}\n\
\tcp debian/copyright debian/tmp/usr/share/doc/{source}/\n\
\tdpkg-gencontrol -p{source} -Pdebian/tmp\n\
\tdpkg-deb --root-owner-group --build debian/tmp ..\n\
.PHONY: clean build build-arch build-indep binary binary-arch binary-indep\n"
        ),
    )
    .unwrap();
    fs::set_permissions(debian.join("rules"), fs::Permissions::from_mode(0o755)).unwrap();
    for what in ["-S", "-A"] {
        run(Command::new("dpkg-buildpackage")
            .current_dir(&tree)
            .args([what, "-us", "-uc", "-d"]));
    }
    fs::remove_dir_all(&tree).unwrap();
}

/// Stops the gpg-agent of, and removes, every fixture directory whose test
/// process has exited.
fn remove_stale_fixtures() {
    let Ok(entries) = fs::read_dir("/tmp") else {
        return;
    };
    for entry in entries.filter_map(Result::ok) {
        let name = entry.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix("au-it.")
            .and_then(|rest| rest.split('.').next())
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if Path::new(&format!("/proc/{pid}")).exists() {
            continue;
        }
        let _ = Command::new("gpgconf")
            .arg("--homedir")
            .arg(entry.path().join("gnupg"))
            .args(["--kill", "gpg-agent"])
            .stderr(Stdio::null())
            .status();
        let _ = fs::remove_dir_all(entry.path());
    }
}

/// Runs a command to success, or panics with its output.
pub fn run(command: &mut Command) -> Output {
    let output = command
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {command:?}: {e}"));
    assert!(
        output.status.success(),
        "{command:?} failed with {}:\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// One test's world: a store, an archive, a dput.cf, a working directory.
pub struct TestEnv {
    pub root: TempDir,
}

impl TestEnv {
    /// A fresh store and a fresh reprepro archive accepting only the test key.
    pub fn new() -> Self {
        let fixture = fixture();
        let root = tempfile::Builder::new()
            .prefix("au-test.")
            .tempdir()
            .unwrap();
        let env = Self { root };
        for dir in [
            "store",
            "work",
            "archive/conf",
            "archive/incoming",
            "archive/tmp",
        ] {
            fs::create_dir_all(env.path(dir)).unwrap();
        }
        let mut distributions = String::new();
        for codename in ["unstable", "experimental"] {
            distributions.push_str(&format!(
                "Codename: {codename}\nArchitectures: source amd64\nComponents: main\nUploaders: uploaders\n\
                 DscIndices: Sources Release . .gz .xz\n\n"
            ));
        }
        fs::write(env.path("archive/conf/distributions"), distributions).unwrap();
        fs::write(
            env.path("archive/conf/incoming"),
            "Name: default\nIncomingDir: incoming\nTempDir: tmp\nAllow: unstable experimental\nCleanup: unused_buildinfo_files\n",
        )
        .unwrap();
        // reprepro wants at most 16 hex digits: the long key id.
        let long_id = &fixture.fingerprint[fixture.fingerprint.len() - 16..];
        fs::write(
            env.path("archive/conf/uploaders"),
            format!("allow * by key {long_id}\n"),
        )
        .unwrap();
        fs::write(env.janitor_conf(), JANITOR_CONF).unwrap();
        fs::write(
            env.dput_cf(),
            format!(
                "[{HOST}]\nmethod = local\nincoming = {}\nallow_unsigned_uploads = 0\n",
                env.path("archive/incoming").display()
            ),
        )
        .unwrap();
        env
    }

    /// A path below the test's root.
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.path().join(rel)
    }

    /// The artifact store.
    pub fn store(&self) -> PathBuf {
        self.path("store")
    }

    /// The Janitor configuration every command reads (AUTO_UPLOAD_CONFIG):
    /// [`JANITOR_CONF`].
    pub fn janitor_conf(&self) -> PathBuf {
        self.path("campaigns.conf")
    }

    /// Adds a Debian campaign to [`TestEnv::janitor_conf`] for each suite,
    /// named after it and building for it.
    pub fn add_campaigns(&self, suites: &[&str]) {
        let mut text = fs::read_to_string(self.janitor_conf()).unwrap();
        for suite in suites {
            text.push_str(&format!(
                "campaign {{ name: \"{suite}\" debian_build {{ }} }}\n"
            ));
        }
        fs::write(self.janitor_conf(), text).unwrap();
    }

    /// Makes the lintian-fixes campaign build for lintian-fixes, as the
    /// Janitor configures it (the other tests' runner messages name it with
    /// unstable packages).
    pub fn lintian_fixes_builds_for_itself(&self) {
        let text = fs::read_to_string(self.janitor_conf()).unwrap().replace(
            "name: \"lintian-fixes\" debian_build { build_distribution: \"unstable\" }",
            "name: \"lintian-fixes\" debian_build { }",
        );
        fs::write(self.janitor_conf(), text).unwrap();
    }

    /// The dput configuration naming [`HOST`].
    pub fn dput_cf(&self) -> PathBuf {
        self.path("dput.cf")
    }

    /// Stores the fixture package as run `run_id`, every file readable only
    /// by its owner (as a runner may leave them); returns the run directory.
    pub fn add_run(&self, run_id: &str) -> PathBuf {
        self.add_run_with(run_id, |_| true)
    }

    /// As [`TestEnv::add_run`], with only the files `keep` accepts.
    pub fn add_run_with(&self, run_id: &str, keep: impl Fn(&str) -> bool) -> PathBuf {
        self.add_run_from(run_id, &fixture().package, keep)
    }

    /// Stores a [`package`]'s files as run `run_id`.
    pub fn add_run_of(&self, run_id: &str, package: &Path) -> PathBuf {
        self.add_run_from(run_id, package, |_| true)
    }

    /// Stores the fixture package as run `run_id` with its binary upload
    /// for experimental (the source stays in unstable): a run of two
    /// suites, uploaded without a record of the run.
    pub fn add_split_run(&self, run_id: &str) -> PathBuf {
        let dir = self.add_run(run_id);
        let binary = dir.join(BINARY_CHANGES);
        let text = fs::read_to_string(&binary).unwrap();
        let split = text.replace("Distribution: unstable\n", "Distribution: experimental\n");
        assert_ne!(text, split, "no Distribution line in {BINARY_CHANGES}");
        fs::write(&binary, split).unwrap();
        dir
    }

    fn add_run_from(&self, run_id: &str, package: &Path, keep: impl Fn(&str) -> bool) -> PathBuf {
        let dir = self.store().join(run_id);
        fs::create_dir_all(&dir).unwrap();
        for entry in fs::read_dir(package).unwrap() {
            let entry = entry.unwrap();
            let name = entry.file_name().to_string_lossy().into_owned();
            if keep(&name) {
                let target = dir.join(&name);
                fs::copy(entry.path(), &target).unwrap();
                fs::set_permissions(&target, fs::Permissions::from_mode(0o600)).unwrap();
            }
        }
        dir
    }

    /// The binary under test, in the work directory, with the test key's
    /// GNUPGHOME and none of the caller's AUTO_UPLOAD_* settings.
    pub fn cmd(&self) -> Command {
        self.isolated(Command::new(env!("CARGO_BIN_EXE_auto-upload")))
    }

    /// As [`TestEnv::cmd`], run inside network namespace `ns`.
    pub fn cmd_in(&self, ns: &super::netns::Netns) -> Command {
        self.isolated(ns.command(Path::new(env!("CARGO_BIN_EXE_auto-upload"))))
    }

    /// A bash script (with pipefail) in the same environment as [`TestEnv::cmd`];
    /// `$AU` names the binary under test.
    pub fn shell(&self, script: &str) -> Command {
        let mut command = Command::new("bash");
        command
            .args(["-c", &format!("set -o pipefail; {script}")])
            .env("AU", env!("CARGO_BIN_EXE_auto-upload"));
        self.isolated(command)
    }

    /// `program` in the same environment as [`TestEnv::cmd`].
    pub fn command(&self, program: &Path) -> Command {
        self.isolated(Command::new(program))
    }

    fn isolated(&self, mut command: Command) -> Command {
        command
            .current_dir(self.path("work"))
            .env("GNUPGHOME", &fixture().gnupghome)
            .env("HOME", self.root.path())
            .env("AUTO_UPLOAD_CONFIG", self.janitor_conf())
            .env_remove("RUST_LOG")
            .env_remove("DATABASE_URL")
            .stdin(Stdio::null());
        for (key, _) in std::env::vars() {
            if key.starts_with("AUTO_UPLOAD_") && key != "AUTO_UPLOAD_CONFIG" {
                command.env_remove(key);
            }
        }
        // Never the host's settings file or credentials.
        command
            .env("AUTO_UPLOAD_SETTINGS", "/dev/null")
            .env("AUTO_UPLOAD_CREDENTIALS", "/nonexistent")
            .env_remove("CREDENTIALS_DIRECTORY");
        command
    }

    /// The options that sign with the test key and name this env's
    /// dput.cf, without a host (the test names the hosts).
    pub fn key_args(&self) -> Vec<String> {
        vec![
            "--keyid".into(),
            fixture().fingerprint.clone(),
            "--dput-config".into(),
            self.dput_cf().display().to_string(),
        ]
    }

    /// The options that sign with the test key and upload to the archive.
    pub fn signing_args(&self) -> Vec<std::ffi::OsString> {
        let cf = self.dput_cf();
        let args: [&std::ffi::OsStr; 6] = [
            "--keyid".as_ref(),
            fixture().fingerprint.as_ref(),
            "--host".as_ref(),
            HOST.as_ref(),
            "--dput-config".as_ref(),
            cf.as_ref(),
        ];
        args.iter().map(|a| a.to_os_string()).collect()
    }

    /// `fetch-artifacts RUN_ID` from this env's store.
    pub fn fetch_artifacts(&self, run_id: &str) -> Command {
        let mut command = self.cmd();
        command
            .args(["fetch-artifacts", run_id, "--artifacts"])
            .arg(self.store());
        command
    }

    /// `backfill` against this env's store and key and the Janitor's
    /// database at `url`.
    pub fn backfill(&self, url: &str) -> Command {
        let mut command = self.cmd();
        command
            .args(["backfill", "--database", url, "--artifacts"])
            .arg(self.store())
            .args(self.signing_args());
        command
    }

    /// `upload-run RUN_ID` against this env's store, key and archive, the
    /// run dispatched as the fixture's codebase in campaign unstable.
    pub fn upload_run(&self, run_id: &str) -> Command {
        let mut command = self.upload_run_as(run_id, &fixture().fingerprint, HOST);
        command.args(DISPATCH);
        command
    }

    /// `upload-run RUN_ID` of a run the Janitor's run table lists (the test
    /// adds `--database`): its dispatch is the table's.
    pub fn upload_run_recorded(&self, run_id: &str) -> Command {
        self.upload_run_as(run_id, &fixture().fingerprint, HOST)
    }

    /// `upload-run RUN_ID` against this env's store, signing with `keyid`
    /// and uploading to `host` of this env's dput.cf.
    pub fn upload_run_as(&self, run_id: &str, keyid: &str, host: &str) -> Command {
        let mut command = self.cmd();
        command
            .args(["upload-run", run_id, "--artifacts"])
            .arg(self.store())
            .args(["--keyid", keyid, "--host", host, "--dput-config"])
            .arg(self.dput_cf());
        command
    }

    /// The upload chain as a library value, for calling steps directly:
    /// debsign and dput run through wrappers that set the test GNUPGHOME.
    pub fn pipeline(&self) -> auto_upload::chain::pipeline::Pipeline {
        use auto_upload::chain::tool::Tool;
        let wrap = |tool: &str| {
            Tool::new(
                self.script(
                    &format!("{tool}-wrapper"),
                    &format!(
                        "GNUPGHOME='{}' exec {tool} \"$@\"",
                        fixture().gnupghome.display()
                    ),
                ),
                std::time::Duration::from_secs(120),
            )
        };
        auto_upload::chain::pipeline::Pipeline {
            store: auto_upload::chain::artifacts::ArtifactStore::open(
                &self.store().display().to_string(),
            )
            .unwrap(),
            filter: auto_upload::input::changes::Filter::default(),
            signer: auto_upload::chain::sign::Signer {
                debsign: wrap("debsign"),
                keyid: Some(fixture().fingerprint.parse().unwrap()),
                verifier: None,
                key: auto_upload::chain::signature::SigningKey::new(
                    Tool::new("gpg", std::time::Duration::from_secs(60)),
                    Some(fixture().fingerprint.parse().unwrap()),
                ),
            },
            uploader: auto_upload::chain::dput::Uploader {
                dput: wrap("dput"),
                hosts: auto_upload::input::hosts::Hosts::single(Some(HOST.parse().unwrap())),
                config: Some(self.dput_cf()),
                simulate: false,
                force: false,
                delays: Default::default(),
            },
            dry_run: false,
            archives: Default::default(),
            scope: Vec::new(),
            campaigns: std::sync::Arc::new(auto_upload::input::dispatch::Campaigns::new(
                vec![auto_upload::input::dispatch::CampaignRules {
                    name: "unstable".into(),
                    build_distribution: "unstable".parse().unwrap(),
                    build_suffix: None,
                    base_distribution: None,
                }],
                Default::default(),
            )),
            publisher: None,
            budget: None,
        }
    }

    /// A stand-in program that logs each call (its directory and arguments,
    /// one line) to `<root>/<name>.calls`, then runs `then` (a shell command,
    /// such as `exec dput "$@"` or `exit 1`).
    pub fn logging_tool(&self, name: &str, then: &str) -> PathBuf {
        let calls = self.path(&format!("{name}.calls"));
        self.script(
            name,
            &format!("echo \"$PWD $*\" >> '{}'\n{then}", calls.display()),
        )
    }

    /// An executable shell script `<root>/<name>` running `body`.
    pub fn script(&self, name: &str, body: &str) -> PathBuf {
        let path = self.path(name);
        fs::write(&path, format!("#!/bin/sh\n{body}\n")).unwrap();
        fs::set_permissions(&path, fs::Permissions::from_mode(0o755)).unwrap();
        path
    }

    /// The calls a [`TestEnv::logging_tool`] logged.
    pub fn calls(&self, name: &str) -> Vec<String> {
        fs::read_to_string(self.path(&format!("{name}.calls")))
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// Names of the files in the archive's incoming directory, sorted.
    pub fn incoming(&self) -> Vec<String> {
        list_dir(&self.path("archive/incoming"))
    }

    /// Runs `reprepro processincoming`, which verifies signatures against
    /// the uploaders file, and returns `reprepro list` of both distributions.
    pub fn process_incoming(&self) -> String {
        let archive = self.path("archive");
        run(Command::new("reprepro")
            .env("GNUPGHOME", &fixture().gnupghome)
            .arg("-b")
            .arg(&archive)
            .args(["processincoming", "default"]));
        let mut listing = String::new();
        let distributions = fs::read_to_string(archive.join("conf/distributions")).unwrap();
        for dist in distributions
            .lines()
            .filter_map(|l| l.strip_prefix("Codename: "))
        {
            let out = run(Command::new("reprepro")
                .arg("-b")
                .arg(&archive)
                .args(["list", dist]));
            listing.push_str(&String::from_utf8_lossy(&out.stdout));
        }
        listing
    }
}

/// Names of the files in `dir`, sorted.
pub fn list_dir(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// Every file of a directory with its content, for before/after checks.
pub fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    list_dir(dir)
        .into_iter()
        .map(|name| {
            let content = fs::read(dir.join(&name)).unwrap();
            (name, content)
        })
        .collect()
}

/// stdout as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// stderr as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Asserts the exit status, showing the output when it differs.
#[track_caller]
pub fn assert_exit(output: &Output, code: i32) {
    assert_eq!(
        output.status.code(),
        Some(code),
        "expected exit {code}\nstdout:\n{}\nstderr:\n{}",
        stdout(output),
        stderr(output)
    );
}

/// Asserts that stderr mentions `needle`, showing stderr when it does not.
#[track_caller]
pub fn assert_stderr_contains(output: &Output, needle: &str) {
    let text = stderr(output);
    assert!(text.contains(needle), "{needle:?} not in stderr:\n{text}");
}

/// Asserts that stdout mentions `needle`, showing stdout when it does not.
#[track_caller]
pub fn assert_stdout_contains(output: &Output, needle: &str) {
    let text = stdout(output);
    assert!(text.contains(needle), "{needle:?} not in stdout:\n{text}");
}

/// Asserts that a directory is empty (nothing left behind).
#[track_caller]
pub fn assert_empty_dir(dir: &Path) {
    let left = list_dir(dir);
    assert!(
        left.is_empty(),
        "left behind in {}: {left:?}",
        dir.display()
    );
}

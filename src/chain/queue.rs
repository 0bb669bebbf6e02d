//! A dput host's upload queue, where dput's method lets this host look in
//! it: for `method = local`, the `incoming` directory and its
//! `DELAYED/N-day` subdirectories. An upload found there is not in the
//! archive yet, but it has reached the queue: it must not be uploaded
//! again. Other methods (ftp, http, scp, rsync, ...) are not listed here:
//! for them only the archive is looked in.
//!
//! dput.cf is the operator's own configuration (trusted); it is read the
//! way dput reads it: `-c FILE`, or `/etc/dput.cf` then `~/.dput.cf`, each
//! overriding the last, `[DEFAULT]` under every host, the default host
//! `default_host_main`.

use crate::input::names::DputHost;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Where a host's queue can be looked in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Queue {
    /// `method = local`: a directory on this host.
    Local(PathBuf),
    /// A method whose queue is not listed here; its name.
    Unlisted(String),
    /// No such host in dput's configuration (or none readable).
    Unknown,
}

/// dput's configuration: the sections and their keys, `DEFAULT` apart.
#[derive(Debug, Default)]
struct DputCf {
    defaults: HashMap<String, String>,
    hosts: HashMap<String, HashMap<String, String>>,
}

impl DputCf {
    /// Reads `config`, or dput's own files when there is none.
    fn read(config: Option<&Path>) -> Self {
        let files: Vec<PathBuf> = match config {
            Some(config) => vec![config.to_owned()],
            None => {
                let mut files = vec![PathBuf::from("/etc/dput.cf")];
                if let Some(home) = std::env::var_os("HOME") {
                    files.push(Path::new(&home).join(".dput.cf"));
                }
                files
            }
        };
        let mut cf = Self::default();
        for file in files {
            if let Ok(text) = std::fs::read_to_string(&file) {
                cf.add(&text);
            }
        }
        cf
    }

    /// Adds one file's sections (Python configparser's syntax, as dput
    /// uses it: `key = value` or `key: value`, `#`/`;` comments, indented
    /// continuation lines).
    fn add(&mut self, text: &str) {
        let mut section: Option<String> = None;
        let mut last_key: Option<String> = None;
        for line in text.lines() {
            let trimmed = line.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with(';') {
                continue;
            }
            if line.starts_with([' ', '\t']) {
                if let (Some(key), Some(values)) = (&last_key, self.section(section.as_deref())) {
                    if let Some(value) = values.get_mut(key) {
                        value.push('\n');
                        value.push_str(trimmed);
                    }
                }
                continue;
            }
            if let Some(name) = trimmed.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
                section = Some(name.trim().to_owned());
                last_key = None;
                continue;
            }
            let Some(split) = trimmed.find(['=', ':']) else {
                continue;
            };
            let key = trimmed[..split].trim().to_lowercase();
            let value = trimmed[split + 1..].trim().to_owned();
            if let Some(values) = self.section(section.as_deref()) {
                values.insert(key.clone(), value);
                last_key = Some(key);
            }
        }
    }

    fn section(&mut self, name: Option<&str>) -> Option<&mut HashMap<String, String>> {
        match name? {
            "DEFAULT" => Some(&mut self.defaults),
            host => Some(self.hosts.entry(host.to_owned()).or_default()),
        }
    }

    /// `key` of `host`, or of `[DEFAULT]`.
    fn get(&self, host: &str, key: &str) -> Option<&str> {
        self.hosts
            .get(host)
            .and_then(|values| values.get(key))
            .or_else(|| self.defaults.get(key))
            .map(String::as_str)
    }
}

impl Queue {
    /// The queue of `host` (the ledger's host key: `(default)` is dput's
    /// default host) in dput's configuration `config`.
    pub fn of_host(config: Option<&Path>, host: &DputHost) -> Self {
        let cf = DputCf::read(config);
        let host = if *host == crate::input::hosts::DEFAULT_HOST_KEY {
            cf.defaults
                .get("default_host_main")
                .map_or("ftp-master", String::as_str)
                .to_owned()
        } else {
            host.to_string()
        };
        if !cf.hosts.contains_key(&host) {
            return Self::Unknown;
        }
        match (cf.get(&host, "method"), cf.get(&host, "incoming")) {
            (Some("local"), Some(incoming)) => Self::Local(PathBuf::from(incoming)),
            (method, _) => Self::Unlisted(method.unwrap_or("ftp").to_owned()),
        }
    }

    /// Where the queue holds `changes` (a file name), if it can be looked in
    /// and does: its incoming directory, or a `DELAYED/N-day` below it.
    pub fn holding(&self, changes: &str) -> Option<PathBuf> {
        let Self::Local(incoming) = self else {
            return None;
        };
        if changes.contains('/') || changes.starts_with('.') {
            return None;
        }
        std::iter::once(incoming.clone())
            .chain((0..=15).map(|days| incoming.join(format!("DELAYED/{days}-day"))))
            .map(|dir| dir.join(changes))
            .find(|path| std::fs::symlink_metadata(path).is_ok())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn queue(cf: &str, host: &str) -> Queue {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("dput.cf");
        std::fs::write(&file, cf).unwrap();
        Queue::of_host(Some(&file), &host.parse().unwrap())
    }

    #[test]
    fn a_local_host_is_its_incoming_directory_others_are_not_listed() {
        let cf = "[DEFAULT]\ndefault_host_main = here\n\n[here]\nmethod = local\nincoming = /srv/q\n\n\
                  [there]\nfqdn = ftp.example.org\n# no method: dput's default\n[web]\nmethod: https\n";
        assert_eq!(queue(cf, "here"), Queue::Local("/srv/q".into()));
        assert_eq!(queue(cf, "(default)"), Queue::Local("/srv/q".into()));
        assert_eq!(queue(cf, "there"), Queue::Unlisted("ftp".into()));
        assert_eq!(queue(cf, "web"), Queue::Unlisted("https".into()));
        assert_eq!(queue(cf, "elsewhere"), Queue::Unknown);
    }

    #[test]
    fn the_queue_holds_what_its_directory_or_a_delayed_one_has() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("DELAYED/7-day")).unwrap();
        std::fs::write(dir.path().join("a.changes"), "").unwrap();
        std::fs::write(dir.path().join("DELAYED/7-day/b.changes"), "").unwrap();
        let queue = Queue::Local(dir.path().to_owned());
        assert_eq!(
            queue.holding("a.changes"),
            Some(dir.path().join("a.changes"))
        );
        assert!(queue.holding("b.changes").is_some());
        assert_eq!(queue.holding("c.changes"), None);
        assert_eq!(queue.holding("../a.changes"), None);
        assert_eq!(Queue::Unlisted("ftp".into()).holding("a.changes"), None);
    }
}

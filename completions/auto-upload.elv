
use builtin;
use str;

set edit:completion:arg-completer[auto-upload] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'auto-upload'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'auto-upload'= {
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand fetch-artifacts 'Copy every artifact of a run into a directory and print the directory'
            cand find-changes 'Print the verified .changes files in a directory, sorted'
            cand sign 'Sign .changes files with debsign; print each path signed'
            cand dput 'Upload signed .changes files with dput; print each path uploaded'
            cand upload-run 'Fetch, verify, sign and upload one run, in a private temporary directory'
            cand listen 'Upload every successful Debian build published on the runner''s Redis channel'
            cand backfill 'Upload the newest build of each (distribution, source) not uploaded yet'
            cand ledger 'The operators'' view of the upload ledger: list, show, retry, forget'
            cand generate-docs 'Write the man pages and shell completions into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auto-upload;fetch-artifacts'= {
            cand --dest 'Directory to copy into [default: ./<RUN_ID>]'
            cand --artifacts 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]'
            cand --max-run-bytes 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)'
            cand --max-run-files 'Refuse a run (exit 5) of more than N files in the store'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;find-changes'= {
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --distribution 'Only .changes whose Distribution field names D (repeatable)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --json 'One JSON object per line: path, source, version, distribution, architectures and files'
            cand -0 'End each path with NUL instead of a newline'
            cand --null 'End each path with NUL instead of a newline'
            cand --no-verify 'Do not verify sizes and checksums'
            cand --verify-signature 'Keep only .changes whose signature (and their .dsc''s) verifies with gpgv against --keyring; any other fails the command with exit 6'
            cand --source-only 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;sign'= {
            cand --keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-program 'The debsign program to run'
            cand --sign-timeout 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6'
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand -0 'Read and write NUL-terminated paths instead of lines'
            cand --null 'Read and write NUL-terminated paths instead of lines'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;dput'= {
            cand --host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --dput-host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --delayed 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)'
            cand --dput-config 'dput configuration file (dput -c)'
            cand --dput-program 'The dput program to run (dput, dput-ng, or a wrapper)'
            cand --upload-timeout 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --simulate 'Only simulate the upload (dput -s)'
            cand --force 'Upload even if dput logged an earlier upload (dput -f)'
            cand -0 'Read and write NUL-terminated paths instead of lines'
            cand --null 'Read and write NUL-terminated paths instead of lines'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;upload-run'= {
            cand --artifacts 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]'
            cand --max-run-bytes 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)'
            cand --max-run-files 'Refuse a run (exit 5) of more than N files in the store'
            cand --distribution 'Only .changes whose Distribution field names D (repeatable)'
            cand --keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-program 'The debsign program to run'
            cand --sign-timeout 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6'
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --dput-host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --delayed 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)'
            cand --dput-config 'dput configuration file (dput -c)'
            cand --dput-program 'The dput program to run (dput, dput-ng, or a wrapper)'
            cand --upload-timeout 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7'
            cand --publish-channel 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload'
            cand --publish-redis 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]'
            cand --max-uploads-per-hour 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)'
            cand --rate-window 'The window --max-uploads-per-hour counts in'
            cand --require-review 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this'
            cand --archive 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]'
            cand --cache-dir 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]'
            cand --archive-timeout 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --codebase 'The run''s codebase (its source package). Required without a database (or for a run its run table does not list); with one, the run table''s must be C (else exit 5)'
            cand --campaign 'The run''s campaign, a Debian campaign of --config. Required without a database (or for a run its run table does not list); with one, the run table''s must be C (else exit 5)'
            cand --expect-source 'Refuse (exit 5, outcome mismatch) a .changes whose Source is not S'
            cand --expect-version 'Refuse a .changes whose Version is not V (the exact string, epoch included)'
            cand --expect-distribution 'Refuse a .changes whose Distribution is not D'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --simulate 'Only simulate the upload (dput -s)'
            cand --force 'Upload even if dput logged an earlier upload (dput -f), or the ledger shows it uploaded'
            cand --dry-run 'Fetch and verify, print what would be signed and uploaded, do neither'
            cand --source-only 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;listen'= {
            cand --redis 'Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379]'
            cand --channel 'Redis pub/sub channel the runner publishes results on'
            cand --status-channel 'Redis pub/sub channel the runner announces reviewers'' verdicts on ({"run_id", "publish_status", …}), subscribed when the Janitor''s database is configured: an approval uploads a run that waited for --require-review (its verdict is read again from the database)'
            cand --jobs 'Uploads run at once'
            cand --distribution 'Only runs whose build distribution is D (repeatable; in the environment, comma-separated); a .changes of such a run whose Distribution is another suite is refused (exit 5, mismatch)'
            cand --campaign 'Only runs of campaign C (repeatable; in the environment, comma-separated); a .changes whose Distribution is not the campaign''s build distribution (debian_build.build_distribution in --config, else C itself) is refused (exit 5, mismatch)'
            cand --health-addr 'Serve /health, /ready and /metrics on ADDR:PORT'
            cand --listen-address 'Address for the health server when only --port is given'
            cand --port 'Port for the health server (the Python service used 9933)'
            cand --shutdown-timeout 'How long uploads in flight may take to finish after SIGTERM or SIGINT'
            cand --max-queued 'Runs that may wait for a free job; beyond that a run is dropped (counted in auto_upload_dropped_total) and left to the catch-up backfill'
            cand --artifacts 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]'
            cand --max-run-bytes 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)'
            cand --max-run-files 'Refuse a run (exit 5) of more than N files in the store'
            cand --keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-program 'The debsign program to run'
            cand --sign-timeout 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6'
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --dput-host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --delayed 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)'
            cand --dput-config 'dput configuration file (dput -c)'
            cand --dput-program 'The dput program to run (dput, dput-ng, or a wrapper)'
            cand --upload-timeout 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7'
            cand --publish-channel 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload'
            cand --publish-redis 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]'
            cand --max-uploads-per-hour 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)'
            cand --rate-window 'The window --max-uploads-per-hour counts in'
            cand --require-review 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this'
            cand --archive 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]'
            cand --cache-dir 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]'
            cand --archive-timeout 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --source-only 'Only source uploads, by content (see upload-run --source-only)'
            cand --backfill 'Run one catch-up backfill at start (needs a database). With --no-ledger it would upload every newest build again: refused unless --force is given too'
            cand --force 'With --backfill --no-ledger: upload every newest build at start, as the Python service''s --backfill did'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;backfill'= {
            cand --distribution 'Only builds for distribution D (repeatable); a .changes of such a build whose Distribution is another suite is refused (exit 5)'
            cand --jobs 'Uploads run at once'
            cand --limit 'Stop after N uploads'
            cand --max-attempts 'Give up on a .changes after N failed attempts'
            cand --metrics-file 'Write the run''s figures (runs by outcome, duration, last success) for node_exporter''s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --artifacts 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]'
            cand --max-run-bytes 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)'
            cand --max-run-files 'Refuse a run (exit 5) of more than N files in the store'
            cand --keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-program 'The debsign program to run'
            cand --sign-timeout 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6'
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --dput-host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --delayed 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)'
            cand --dput-config 'dput configuration file (dput -c)'
            cand --dput-program 'The dput program to run (dput, dput-ng, or a wrapper)'
            cand --upload-timeout 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7'
            cand --publish-channel 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload'
            cand --publish-redis 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]'
            cand --max-uploads-per-hour 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)'
            cand --rate-window 'The window --max-uploads-per-hour counts in'
            cand --require-review 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this'
            cand --archive 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]'
            cand --cache-dir 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]'
            cand --archive-timeout 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --source-only 'Only source uploads, by content (see upload-run --source-only)'
            cand --dry-run 'Print run_id, distribution, source and version of each run due; upload nothing'
            cand --force 'Upload again what the ledger says is uploaded or gave up on (and pass -f to dput)'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger'= {
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand list 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
            cand show 'Every .changes of a run, its history of attempts and the whole last error'
            cand retry 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
            cand forget 'Remove every ledger row of a run'
            cand reconcile 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
            cand pause 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
            cand resume 'Let the uploaders start uploads again; listen catches up with the runs left due'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auto-upload;ledger;list'= {
            cand --state 'Only runs in this state'
            cand --since 'Only runs changed within this time (`1h`, `7d`)'
            cand --source 'Only this source package'
            cand --max-attempts 'Failed this many times counts as gave-up (backfill''s --max-attempts)'
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --json 'One JSON object per line'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;show'= {
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;retry'= {
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --artifacts 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]'
            cand --max-run-bytes 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)'
            cand --max-run-files 'Refuse a run (exit 5) of more than N files in the store'
            cand --keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-keyid 'Key to sign with (debsign -k); without it debsign picks its default key'
            cand --debsign-program 'The debsign program to run'
            cand --sign-timeout 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6'
            cand --keyring 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':'''
            cand --gpgv-program 'The gpgv program to run'
            cand --host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --dput-host 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host'
            cand --delayed 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)'
            cand --dput-config 'dput configuration file (dput -c)'
            cand --dput-program 'The dput program to run (dput, dput-ng, or a wrapper)'
            cand --upload-timeout 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7'
            cand --require-review 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this'
            cand --archive 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]'
            cand --cache-dir 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]'
            cand --archive-timeout 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --now 'Upload it at once through the upload-run chain (needs the artifact store, key and dput host), instead of leaving it to the next backfill'
            cand --force 'Reset unconfirmed .changes without checking the archive first: dput may have uploaded them, and they would be uploaded again. Without it, an unconfirmed .changes is reset only when the archive (--archive, or archive_mirror_uri in --config) does not list its version, and marked accepted when it does'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;forget'= {
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;reconcile'= {
            cand --after 'An upload not in the archive after this long is unconfirmed'
            cand --metrics-file 'Write the run''s figures (runs by outcome, duration, last success) for node_exporter''s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom'
            cand --archive 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]'
            cand --cache-dir 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]'
            cand --archive-timeout 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)'
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;pause'= {
            cand --reason 'Why, for the other operators (ledger list, the service''s status, its log)'
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;resume'= {
            cand --host 'Only this dput host''s rows (the ledger''s key) [default: all hosts]'
            cand --database 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]'
            cand --ledger-database 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]'
            cand --connect-timeout 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once'
            cand --ledger-schema 'Schema of the upload ledger (created and migrated by auto-upload)'
            cand --lease 'A ledger claim older than this is taken over (a crashed uploader)'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand --no-ledger 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;ledger;help'= {
            cand list 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
            cand show 'Every .changes of a run, its history of attempts and the whole last error'
            cand retry 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
            cand forget 'Remove every ledger row of a run'
            cand reconcile 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
            cand pause 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
            cand resume 'Let the uploaders start uploads again; listen catches up with the runs left due'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auto-upload;ledger;help;list'= {
        }
        &'auto-upload;ledger;help;show'= {
        }
        &'auto-upload;ledger;help;retry'= {
        }
        &'auto-upload;ledger;help;forget'= {
        }
        &'auto-upload;ledger;help;reconcile'= {
        }
        &'auto-upload;ledger;help;pause'= {
        }
        &'auto-upload;ledger;help;resume'= {
        }
        &'auto-upload;ledger;help;help'= {
        }
        &'auto-upload;generate-docs'= {
            cand --out-dir 'Directory to write man/ and completions/ into'
            cand --config 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload'
            cand --config-schema 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in'
            cand --log-format 'Format of the log lines on stderr'
            cand -v 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand --verbose 'More log output on stderr (-v info, -vv debug, -vvv trace)'
            cand -q 'Only log errors'
            cand --quiet 'Only log errors'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'auto-upload;help'= {
            cand fetch-artifacts 'Copy every artifact of a run into a directory and print the directory'
            cand find-changes 'Print the verified .changes files in a directory, sorted'
            cand sign 'Sign .changes files with debsign; print each path signed'
            cand dput 'Upload signed .changes files with dput; print each path uploaded'
            cand upload-run 'Fetch, verify, sign and upload one run, in a private temporary directory'
            cand listen 'Upload every successful Debian build published on the runner''s Redis channel'
            cand backfill 'Upload the newest build of each (distribution, source) not uploaded yet'
            cand ledger 'The operators'' view of the upload ledger: list, show, retry, forget'
            cand generate-docs 'Write the man pages and shell completions into a directory'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'auto-upload;help;fetch-artifacts'= {
        }
        &'auto-upload;help;find-changes'= {
        }
        &'auto-upload;help;sign'= {
        }
        &'auto-upload;help;dput'= {
        }
        &'auto-upload;help;upload-run'= {
        }
        &'auto-upload;help;listen'= {
        }
        &'auto-upload;help;backfill'= {
        }
        &'auto-upload;help;ledger'= {
            cand list 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
            cand show 'Every .changes of a run, its history of attempts and the whole last error'
            cand retry 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
            cand forget 'Remove every ledger row of a run'
            cand reconcile 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
            cand pause 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
            cand resume 'Let the uploaders start uploads again; listen catches up with the runs left due'
        }
        &'auto-upload;help;ledger;list'= {
        }
        &'auto-upload;help;ledger;show'= {
        }
        &'auto-upload;help;ledger;retry'= {
        }
        &'auto-upload;help;ledger;forget'= {
        }
        &'auto-upload;help;ledger;reconcile'= {
        }
        &'auto-upload;help;ledger;pause'= {
        }
        &'auto-upload;help;ledger;resume'= {
        }
        &'auto-upload;help;generate-docs'= {
        }
        &'auto-upload;help;help'= {
        }
    ]
    $completions[$command]
}

# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_auto_upload_global_optspecs
    string join \n config= config-schema= v/verbose q/quiet log-format= h/help V/version
end

function __fish_auto_upload_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_auto_upload_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_auto_upload_using_subcommand
    set -l cmd (__fish_auto_upload_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c auto-upload -n "__fish_auto_upload_needs_command" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_needs_command" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_needs_command" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -s V -l version -d 'Print version'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "fetch-artifacts" -d 'Copy every artifact of a run into a directory and print the directory'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "find-changes" -d 'Print the verified .changes files in a directory, sorted'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "sign" -d 'Sign .changes files with debsign; print each path signed'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "dput" -d 'Upload signed .changes files with dput; print each path uploaded'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "upload-run" -d 'Fetch, verify, sign and upload one run, in a private temporary directory'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "listen" -d 'Upload every successful Debian build published on the runner\'s Redis channel'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "backfill" -d 'Upload the newest build of each (distribution, source) not uploaded yet'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "ledger" -d 'The operators\' view of the upload ledger: list, show, retry, forget'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "generate-docs" -d 'Write the man pages and shell completions into a directory'
complete -c auto-upload -n "__fish_auto_upload_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l dest -d 'Directory to copy into [default: ./<RUN_ID>]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l artifacts -d 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l max-run-bytes -d 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l max-run-files -d 'Refuse a run (exit 5) of more than N files in the store' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand fetch-artifacts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l distribution -d 'Only .changes whose Distribution field names D (repeatable)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l json -d 'One JSON object per line: path, source, version, distribution, architectures and files'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -s 0 -l null -d 'End each path with NUL instead of a newline'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l no-verify -d 'Do not verify sizes and checksums'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l verify-signature -d 'Keep only .changes whose signature (and their .dsc\'s) verifies with gpgv against --keyring; any other fails the command with exit 6'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -l source-only -d 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand find-changes" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l keyid -l debsign-keyid -d 'Key to sign with (debsign -k); without it debsign picks its default key' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l debsign-program -d 'The debsign program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l sign-timeout -d 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -s 0 -l null -d 'Read and write NUL-terminated paths instead of lines'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand sign" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l host -l dput-host -d 'dput host (a section of dput.cf); without it dput uses its default host' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l delayed -d 'Upload to the archive\'s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l dput-config -d 'dput configuration file (dput -c)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l dput-program -d 'The dput program to run (dput, dput-ng, or a wrapper)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l upload-timeout -d 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l simulate -d 'Only simulate the upload (dput -s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -l force -d 'Upload even if dput logged an earlier upload (dput -f)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -s 0 -l null -d 'Read and write NUL-terminated paths instead of lines'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand dput" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l artifacts -d 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l max-run-bytes -d 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l max-run-files -d 'Refuse a run (exit 5) of more than N files in the store' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l distribution -d 'Only .changes whose Distribution field names D (repeatable)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l keyid -l debsign-keyid -d 'Key to sign with (debsign -k); without it debsign picks its default key' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l debsign-program -d 'The debsign program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l sign-timeout -d 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l host -l dput-host -d 'dput host (a section of dput.cf); without it dput uses its default host' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l delayed -d 'Upload to the archive\'s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l dput-config -d 'dput configuration file (dput -c)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l dput-program -d 'The dput program to run (dput, dput-ng, or a wrapper)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l upload-timeout -d 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l publish-channel -d 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message\'s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l publish-redis -d 'The Redis to publish on [default: listen\'s --redis, else redis_location from --config, else redis://127.0.0.1:6379]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l archive -d 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive\'s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes\'s Distribution]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l cache-dir -d 'Where the archive\'s Sources indices are kept, parsed, between runs; before one is used the archive\'s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd\'s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l archive-timeout -d 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l expect-source -d 'Refuse (exit 5, outcome mismatch) a .changes whose Source is not S' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l expect-version -d 'Refuse a .changes whose Version is not V (the exact string, epoch included)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l expect-distribution -d 'Refuse a .changes whose Distribution is not D' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l simulate -d 'Only simulate the upload (dput -s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l force -d 'Upload even if dput logged an earlier upload (dput -f), or the ledger shows it uploaded'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l dry-run -d 'Fetch and verify, print what would be signed and uploaded, do neither'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l source-only -d 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand upload-run" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l redis -d 'Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l channel -d 'Redis pub/sub channel the runner publishes results on' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l jobs -d 'Uploads run at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l distribution -d 'Only runs whose build distribution is D (repeatable; in the environment, comma-separated); a .changes of such a run whose Distribution is another suite is refused (exit 5, mismatch)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l campaign -d 'Only runs of campaign C (repeatable; in the environment, comma-separated); a .changes whose Distribution is not the campaign\'s build distribution (debian_build.build_distribution in --config, else C itself) is refused (exit 5, mismatch)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l health-addr -d 'Serve /health, /ready and /metrics on ADDR:PORT' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l listen-address -d 'Address for the health server when only --port is given' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l port -d 'Port for the health server (the Python service used 9933)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l shutdown-timeout -d 'How long uploads in flight may take to finish after SIGTERM or SIGINT' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l max-queued -d 'Runs that may wait for a free job; beyond that a run is dropped (counted in auto_upload_dropped_total) and left to the catch-up backfill' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l artifacts -d 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l max-run-bytes -d 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l max-run-files -d 'Refuse a run (exit 5) of more than N files in the store' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l keyid -l debsign-keyid -d 'Key to sign with (debsign -k); without it debsign picks its default key' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l debsign-program -d 'The debsign program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l sign-timeout -d 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l host -l dput-host -d 'dput host (a section of dput.cf); without it dput uses its default host' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l delayed -d 'Upload to the archive\'s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l dput-config -d 'dput configuration file (dput -c)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l dput-program -d 'The dput program to run (dput, dput-ng, or a wrapper)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l upload-timeout -d 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l publish-channel -d 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message\'s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l publish-redis -d 'The Redis to publish on [default: listen\'s --redis, else redis_location from --config, else redis://127.0.0.1:6379]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l archive -d 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive\'s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes\'s Distribution]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l cache-dir -d 'Where the archive\'s Sources indices are kept, parsed, between runs; before one is used the archive\'s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd\'s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l archive-timeout -d 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l source-only -d 'Only source uploads, by content (see upload-run --source-only)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l backfill -d 'Run one catch-up backfill at start (needs a database). With --no-ledger it would upload every newest build again: refused unless --force is given too'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l force -d 'With --backfill --no-ledger: upload every newest build at start, as the Python service\'s --backfill did'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand listen" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l distribution -d 'Only builds for distribution D (repeatable); a .changes of such a build whose Distribution is another suite is refused (exit 5)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l jobs -d 'Uploads run at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l limit -d 'Stop after N uploads' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l max-attempts -d 'Give up on a .changes after N failed attempts' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l metrics-file -d 'Write the run\'s figures (runs by outcome, duration, last success) for node_exporter\'s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l artifacts -d 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l max-run-bytes -d 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l max-run-files -d 'Refuse a run (exit 5) of more than N files in the store' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l keyid -l debsign-keyid -d 'Key to sign with (debsign -k); without it debsign picks its default key' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l debsign-program -d 'The debsign program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l sign-timeout -d 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l host -l dput-host -d 'dput host (a section of dput.cf); without it dput uses its default host' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l delayed -d 'Upload to the archive\'s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l dput-config -d 'dput configuration file (dput -c)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l dput-program -d 'The dput program to run (dput, dput-ng, or a wrapper)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l upload-timeout -d 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l publish-channel -d 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message\'s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l publish-redis -d 'The Redis to publish on [default: listen\'s --redis, else redis_location from --config, else redis://127.0.0.1:6379]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l archive -d 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive\'s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes\'s Distribution]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l cache-dir -d 'Where the archive\'s Sources indices are kept, parsed, between runs; before one is used the archive\'s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd\'s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l archive-timeout -d 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l source-only -d 'Only source uploads, by content (see upload-run --source-only)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l dry-run -d 'Print run_id, distribution, source and version of each run due; upload nothing'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l force -d 'Upload again what the ledger says is uploaded or gave up on (and pass -f to dput)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand backfill" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "list" -d 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "show" -d 'Every .changes of a run, its history of attempts and the whole last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "retry" -d 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "forget" -d 'Remove every ledger row of a run'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "reconcile" -d 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "pause" -d 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "resume" -d 'Let the uploaders start uploads again; listen catches up with the runs left due'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and not __fish_seen_subcommand_from list show retry forget reconcile pause resume help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l state -d 'Only runs in this state' -r -f -a "uploaded\t'Uploaded, not yet seen in the archive'
accepted\t'Seen in the archive'
unconfirmed\t'Not seen in the archive after `ledger reconcile --after`, or dput may have run for an uploader that stopped before recording it'
superseded\t'The archive had it (or newer): not uploaded'
failed\t'Failed, to be tried again'
gave-up\t'Failed the maximum number of times'
refused\t'Refused: a .changes did not match the run\'s record; never retried'
claimed\t'Being signed now'
uploading\t'dput running now'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l since -d 'Only runs changed within this time (`1h`, `7d`)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l source -d 'Only this source package' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l max-attempts -d 'Failed this many times counts as gave-up (backfill\'s --max-attempts)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l json -d 'One JSON object per line'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l artifacts -d 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l max-run-bytes -d 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l max-run-files -d 'Refuse a run (exit 5) of more than N files in the store' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l keyid -l debsign-keyid -d 'Key to sign with (debsign -k); without it debsign picks its default key' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l debsign-program -d 'The debsign program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l sign-timeout -d 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l keyring -d 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive\'s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by \':\'' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l gpgv-program -d 'The gpgv program to run' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l host -l dput-host -d 'dput host (a section of dput.cf); without it dput uses its default host' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l delayed -d 'Upload to the archive\'s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l dput-config -d 'dput configuration file (dput -c)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l dput-program -d 'The dput program to run (dput, dput-ng, or a wrapper)' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l upload-timeout -d 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l archive -d 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive\'s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes\'s Distribution]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l cache-dir -d 'Where the archive\'s Sources indices are kept, parsed, between runs; before one is used the archive\'s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd\'s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l archive-timeout -d 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l now -d 'Upload it at once through the upload-run chain (needs the artifact store, key and dput host), instead of leaving it to the next backfill'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from forget" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l after -d 'An upload not in the archive after this long is unconfirmed' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l metrics-file -d 'Write the run\'s figures (runs by outcome, duration, last success) for node_exporter\'s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l archive -d 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive\'s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes\'s Distribution]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l cache-dir -d 'Where the archive\'s Sources indices are kept, parsed, between runs; before one is used the archive\'s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd\'s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l archive-timeout -d 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from reconcile" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l reason -d 'Why, for the other operators (ledger list, the service\'s status, its log)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from pause" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l host -d 'Only this dput host\'s rows (the ledger\'s key) [default: all hosts]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l database -d 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l ledger-database -d 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor\'s (a read-only role there, say) [default: the Janitor database]' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l connect-timeout -d 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l ledger-schema -d 'Schema of the upload ledger (created and migrated by auto-upload)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l lease -d 'A ledger claim older than this is taken over (a crashed uploader)' -r
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -l no-ledger -d 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from resume" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "list" -d 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "show" -d 'Every .changes of a run, its history of attempts and the whole last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "retry" -d 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "forget" -d 'Remove every ledger row of a run'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "reconcile" -d 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "pause" -d 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "resume" -d 'Let the uploaders start uploads again; listen catches up with the runs left due'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand ledger; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -l out-dir -d 'Directory to write man/ and completions/ into' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -l config -d 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -l config-schema -d 'The Janitor\'s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in' -r -F
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -l log-format -d 'Format of the log lines on stderr' -r -f -a "text\t'Human-readable lines'
json\t'One JSON object per line'"
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -s q -l quiet -d 'Only log errors'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand generate-docs" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "fetch-artifacts" -d 'Copy every artifact of a run into a directory and print the directory'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "find-changes" -d 'Print the verified .changes files in a directory, sorted'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "sign" -d 'Sign .changes files with debsign; print each path signed'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "dput" -d 'Upload signed .changes files with dput; print each path uploaded'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "upload-run" -d 'Fetch, verify, sign and upload one run, in a private temporary directory'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "listen" -d 'Upload every successful Debian build published on the runner\'s Redis channel'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "backfill" -d 'Upload the newest build of each (distribution, source) not uploaded yet'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "ledger" -d 'The operators\' view of the upload ledger: list, show, retry, forget'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "generate-docs" -d 'Write the man pages and shell completions into a directory'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and not __fish_seen_subcommand_from fetch-artifacts find-changes sign dput upload-run listen backfill ledger generate-docs help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "list" -d 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "show" -d 'Every .changes of a run, its history of attempts and the whole last error'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "retry" -d 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "forget" -d 'Remove every ledger row of a run'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "reconcile" -d 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "pause" -d 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced'
complete -c auto-upload -n "__fish_auto_upload_using_subcommand help; and __fish_seen_subcommand_from ledger" -f -a "resume" -d 'Let the uploaders start uploads again; listen catches up with the runs left due'


using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'auto-upload' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'auto-upload'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'auto-upload' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('fetch-artifacts', 'fetch-artifacts', [CompletionResultType]::ParameterValue, 'Copy every artifact of a run into a directory and print the directory')
            [CompletionResult]::new('find-changes', 'find-changes', [CompletionResultType]::ParameterValue, 'Print the verified .changes files in a directory, sorted')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign .changes files with debsign; print each path signed')
            [CompletionResult]::new('dput', 'dput', [CompletionResultType]::ParameterValue, 'Upload signed .changes files with dput; print each path uploaded')
            [CompletionResult]::new('upload-run', 'upload-run', [CompletionResultType]::ParameterValue, 'Fetch, verify, sign and upload one run, in a private temporary directory')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Upload every successful Debian build published on the runner''s Redis channel')
            [CompletionResult]::new('check-config', 'check-config', [CompletionResultType]::ParameterValue, 'Try, with listen''s settings, everything an upload needs: the key signs, dput knows every host, the artifact store reads, the database answers (the Janitor''s tables, a writable ledger), Redis answers; and for the timers, that ledger reconcile has an archive when its timer is enabled and that --metrics-file can be written. One line per item; exit 2 if any fails')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Upload the newest build of each (distribution, source) not uploaded yet')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The operators'' view of the upload ledger: list, show, retry, forget')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auto-upload;fetch-artifacts' {
            [CompletionResult]::new('--dest', '--dest', [CompletionResultType]::ParameterName, 'Directory to copy into [default: ./<RUN_ID>]')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;find-changes' {
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'Only .changes whose Distribution field names D (repeatable)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line: path, source, version, distribution, architectures and files')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'End each path with NUL instead of a newline')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'End each path with NUL instead of a newline')
            [CompletionResult]::new('--no-verify', '--no-verify', [CompletionResultType]::ParameterName, 'Do not verify sizes and checksums')
            [CompletionResult]::new('--verify-signature', '--verify-signature', [CompletionResultType]::ParameterName, 'Keep only .changes whose signature (and their .dsc''s) verifies with gpgv against --keyring; any other fails the command with exit 6')
            [CompletionResult]::new('--source-only', '--source-only', [CompletionResultType]::ParameterName, 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;sign' {
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Read and write NUL-terminated paths instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Read and write NUL-terminated paths instead of lines')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;dput' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--simulate', '--simulate', [CompletionResultType]::ParameterName, 'Only simulate the upload (dput -s)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Upload even if dput logged an earlier upload (dput -f)')
            [CompletionResult]::new('-0', '-0', [CompletionResultType]::ParameterName, 'Read and write NUL-terminated paths instead of lines')
            [CompletionResult]::new('--null', '--null', [CompletionResultType]::ParameterName, 'Read and write NUL-terminated paths instead of lines')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;upload-run' {
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'Only .changes whose Distribution field names D (repeatable)')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--publish-channel', '--publish-channel', [CompletionResultType]::ParameterName, 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload')
            [CompletionResult]::new('--publish-redis', '--publish-redis', [CompletionResultType]::ParameterName, 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--max-uploads-per-hour', '--max-uploads-per-hour', [CompletionResultType]::ParameterName, 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)')
            [CompletionResult]::new('--rate-window', '--rate-window', [CompletionResultType]::ParameterName, 'The window --max-uploads-per-hour counts in')
            [CompletionResult]::new('--require-review', '--require-review', [CompletionResultType]::ParameterName, 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--codebase', '--codebase', [CompletionResultType]::ParameterName, 'The run''s codebase (its source package). Required without a database (or for a run its run table does not list); with one, the run table''s must be C (else exit 5)')
            [CompletionResult]::new('--campaign', '--campaign', [CompletionResultType]::ParameterName, 'The run''s campaign, a Debian campaign of --config. Required without a database (or for a run its run table does not list); with one, the run table''s must be C (else exit 5)')
            [CompletionResult]::new('--expect-source', '--expect-source', [CompletionResultType]::ParameterName, 'Refuse (exit 5, outcome mismatch) a .changes whose Source is not S')
            [CompletionResult]::new('--expect-version', '--expect-version', [CompletionResultType]::ParameterName, 'Refuse a .changes whose Version is not V (the exact string, epoch included)')
            [CompletionResult]::new('--expect-distribution', '--expect-distribution', [CompletionResultType]::ParameterName, 'Refuse a .changes whose Distribution is not D')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--simulate', '--simulate', [CompletionResultType]::ParameterName, 'Only simulate the upload (dput -s)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Upload even if dput logged an earlier upload (dput -f), or the ledger shows it uploaded')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Fetch and verify, print what would be signed and uploaded, do neither')
            [CompletionResult]::new('--source-only', '--source-only', [CompletionResultType]::ParameterName, 'Only source uploads, by content: Architecture exactly "source" and nothing but source files (.dsc, tarballs, .diff.gz, the source .buildinfo). A *_source.changes that lists anything else is refused (exit 5)')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;listen' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Redis pub/sub channel the runner publishes results on')
            [CompletionResult]::new('--status-channel', '--status-channel', [CompletionResultType]::ParameterName, 'Redis pub/sub channel the runner announces reviewers'' verdicts on ({"run_id", "publish_status", …}), subscribed when the Janitor''s database is configured: an approval uploads a run that waited for --require-review (its verdict is read again from the database)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Uploads run at once')
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'Only runs whose build distribution is D (repeatable; in the environment, comma-separated); a .changes of such a run whose Distribution is another suite is refused (exit 5, mismatch)')
            [CompletionResult]::new('--campaign', '--campaign', [CompletionResultType]::ParameterName, 'Only runs of campaign C (repeatable; in the environment, comma-separated); a .changes whose Distribution is not the campaign''s build distribution (debian_build.build_distribution in --config, else C itself) is refused (exit 5, mismatch)')
            [CompletionResult]::new('--health-addr', '--health-addr', [CompletionResultType]::ParameterName, 'Serve /health, /ready and /metrics on ADDR:PORT')
            [CompletionResult]::new('--listen-address', '--listen-address', [CompletionResultType]::ParameterName, 'Address for the health server when only --port is given')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for the health server (the Python service used 9933)')
            [CompletionResult]::new('--shutdown-timeout', '--shutdown-timeout', [CompletionResultType]::ParameterName, 'How long uploads in flight may take to finish after SIGTERM or SIGINT')
            [CompletionResult]::new('--max-queued', '--max-queued', [CompletionResultType]::ParameterName, 'Runs that may wait for a free job; beyond that a run is dropped (counted in auto_upload_dropped_total) and left to the catch-up backfill')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--publish-channel', '--publish-channel', [CompletionResultType]::ParameterName, 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload')
            [CompletionResult]::new('--publish-redis', '--publish-redis', [CompletionResultType]::ParameterName, 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--max-uploads-per-hour', '--max-uploads-per-hour', [CompletionResultType]::ParameterName, 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)')
            [CompletionResult]::new('--rate-window', '--rate-window', [CompletionResultType]::ParameterName, 'The window --max-uploads-per-hour counts in')
            [CompletionResult]::new('--require-review', '--require-review', [CompletionResultType]::ParameterName, 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--source-only', '--source-only', [CompletionResultType]::ParameterName, 'Only source uploads, by content (see upload-run --source-only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Before starting, try everything an upload needs (as check-config does) and exit 2, naming what fails, rather than start a service that cannot upload')
            [CompletionResult]::new('--backfill', '--backfill', [CompletionResultType]::ParameterName, 'Run one catch-up backfill at start (needs a database). With --no-ledger it would upload every newest build again: refused unless --force is given too')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --backfill --no-ledger: upload every newest build at start, as the Python service''s --backfill did')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;check-config' {
            [CompletionResult]::new('--redis', '--redis', [CompletionResultType]::ParameterName, 'Redis URL [default: redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--channel', '--channel', [CompletionResultType]::ParameterName, 'Redis pub/sub channel the runner publishes results on')
            [CompletionResult]::new('--status-channel', '--status-channel', [CompletionResultType]::ParameterName, 'Redis pub/sub channel the runner announces reviewers'' verdicts on ({"run_id", "publish_status", …}), subscribed when the Janitor''s database is configured: an approval uploads a run that waited for --require-review (its verdict is read again from the database)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Uploads run at once')
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'Only runs whose build distribution is D (repeatable; in the environment, comma-separated); a .changes of such a run whose Distribution is another suite is refused (exit 5, mismatch)')
            [CompletionResult]::new('--campaign', '--campaign', [CompletionResultType]::ParameterName, 'Only runs of campaign C (repeatable; in the environment, comma-separated); a .changes whose Distribution is not the campaign''s build distribution (debian_build.build_distribution in --config, else C itself) is refused (exit 5, mismatch)')
            [CompletionResult]::new('--health-addr', '--health-addr', [CompletionResultType]::ParameterName, 'Serve /health, /ready and /metrics on ADDR:PORT')
            [CompletionResult]::new('--listen-address', '--listen-address', [CompletionResultType]::ParameterName, 'Address for the health server when only --port is given')
            [CompletionResult]::new('--port', '--port', [CompletionResultType]::ParameterName, 'Port for the health server (the Python service used 9933)')
            [CompletionResult]::new('--shutdown-timeout', '--shutdown-timeout', [CompletionResultType]::ParameterName, 'How long uploads in flight may take to finish after SIGTERM or SIGINT')
            [CompletionResult]::new('--max-queued', '--max-queued', [CompletionResultType]::ParameterName, 'Runs that may wait for a free job; beyond that a run is dropped (counted in auto_upload_dropped_total) and left to the catch-up backfill')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--publish-channel', '--publish-channel', [CompletionResultType]::ParameterName, 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload')
            [CompletionResult]::new('--publish-redis', '--publish-redis', [CompletionResultType]::ParameterName, 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--max-uploads-per-hour', '--max-uploads-per-hour', [CompletionResultType]::ParameterName, 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)')
            [CompletionResult]::new('--rate-window', '--rate-window', [CompletionResultType]::ParameterName, 'The window --max-uploads-per-hour counts in')
            [CompletionResult]::new('--require-review', '--require-review', [CompletionResultType]::ParameterName, 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s figures (runs by outcome, duration, last success) for node_exporter''s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--source-only', '--source-only', [CompletionResultType]::ParameterName, 'Only source uploads, by content (see upload-run --source-only)')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Before starting, try everything an upload needs (as check-config does) and exit 2, naming what fails, rather than start a service that cannot upload')
            [CompletionResult]::new('--backfill', '--backfill', [CompletionResultType]::ParameterName, 'Run one catch-up backfill at start (needs a database). With --no-ledger it would upload every newest build again: refused unless --force is given too')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'With --backfill --no-ledger: upload every newest build at start, as the Python service''s --backfill did')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;backfill' {
            [CompletionResult]::new('--distribution', '--distribution', [CompletionResultType]::ParameterName, 'Only builds for distribution D (repeatable); a .changes of such a build whose Distribution is another suite is refused (exit 5)')
            [CompletionResult]::new('--jobs', '--jobs', [CompletionResultType]::ParameterName, 'Uploads run at once')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Stop after N uploads')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Give up on a .changes after N failed attempts')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s figures (runs by outcome, duration, last success) for node_exporter''s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--publish-channel', '--publish-channel', [CompletionResultType]::ParameterName, 'Publish one JSON message per .changes outcome (uploaded, superseded or a failure; not what the ledger showed done) on this Redis channel; off unless given. The message''s shape: /usr/share/auto-upload/schema/upload-outcome.schema.json. A failure to publish is logged and counted, never fails the upload')
            [CompletionResult]::new('--publish-redis', '--publish-redis', [CompletionResultType]::ParameterName, 'The Redis to publish on [default: listen''s --redis, else redis_location from --config, else redis://127.0.0.1:6379]')
            [CompletionResult]::new('--max-uploads-per-hour', '--max-uploads-per-hour', [CompletionResultType]::ParameterName, 'At most N uploads (.changes whose dput starts) per --rate-window; HOST=N for uploads to one dput host. With a ledger every process sharing it (listen replicas, backfill, upload-run) spends one budget; without one, each process its own. A .changes over budget is deferred: still due, no attempt counted, uploaded once the budget allows (listen waits and tries again; upload-run exits 75)')
            [CompletionResult]::new('--rate-window', '--rate-window', [CompletionResultType]::ParameterName, 'The window --max-uploads-per-hour counts in')
            [CompletionResult]::new('--require-review', '--require-review', [CompletionResultType]::ParameterName, 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--source-only', '--source-only', [CompletionResultType]::ParameterName, 'Only source uploads, by content (see upload-run --source-only)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print run_id, distribution, source and version of each run due; upload nothing')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Before uploading, try everything an upload needs (the key signs, dput knows every host, the store and the database answer, as check-config does) and exit 2, naming what fails (1 when it may pass: a service that did not answer)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Upload again what the ledger says is uploaded or gave up on (and pass -f to dput)')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every .changes of a run, its history of attempts and the whole last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove every ledger row of a run')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Let the uploaders start uploads again; listen catches up with the runs left due')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auto-upload;ledger;list' {
            [CompletionResult]::new('--state', '--state', [CompletionResultType]::ParameterName, 'Only runs in this state')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'Only runs changed within this time (`1h`, `7d`)')
            [CompletionResult]::new('--source', '--source', [CompletionResultType]::ParameterName, 'Only this source package')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Failed this many times counts as gave-up (backfill''s --max-attempts)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--json', '--json', [CompletionResultType]::ParameterName, 'One JSON object per line')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;show' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;retry' {
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--artifacts', '--artifacts', [CompletionResultType]::ParameterName, 'Artifact store: a local path, file:// URL, gs://bucket[/prefix] or s3://bucket[/prefix], laid out as <LOCATION>/<RUN_ID>/<FILE> [default: artifact_location from --config]')
            [CompletionResult]::new('--max-run-bytes', '--max-run-bytes', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) whose files add up to more than SIZE: counted from the sizes its .changes list before anything is copied, and enforced while copying. A number of bytes, or with K, M, G or T (powers of 1024)')
            [CompletionResult]::new('--max-run-files', '--max-run-files', [CompletionResultType]::ParameterName, 'Refuse a run (exit 5) of more than N files in the store')
            [CompletionResult]::new('--keyid', '--keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-keyid', '--debsign-keyid', [CompletionResultType]::ParameterName, 'Key to sign with (debsign -k); without it debsign picks its default key')
            [CompletionResult]::new('--debsign-program', '--debsign-program', [CompletionResultType]::ParameterName, 'The debsign program to run')
            [CompletionResult]::new('--sign-timeout', '--sign-timeout', [CompletionResultType]::ParameterName, 'Kill debsign (its whole process group) when signing one .changes takes longer than this; the .changes fails with exit 6')
            [CompletionResult]::new('--keyring', '--keyring', [CompletionResultType]::ParameterName, 'After signing, verify each .changes and the .dsc it lists with gpgv against this keyring (repeatable; e.g. the archive''s uploaders keyring), and check every file against the signed checksums; a .changes that does not verify fails with exit 6 and is never uploaded. In the environment: paths separated by '':''')
            [CompletionResult]::new('--gpgv-program', '--gpgv-program', [CompletionResultType]::ParameterName, 'The gpgv program to run')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--dput-host', '--dput-host', [CompletionResultType]::ParameterName, 'dput host (a section of dput.cf) for every suite; SUITE=HOST for one suite, winning over a plain HOST (repeat it, or give a comma-separated list in the environment). When hosts are named per suite only, a suite without one is refused (upload-run: exit 2; listen and backfill: logged, counted and left due). Without --host dput uses its default host')
            [CompletionResult]::new('--delayed', '--delayed', [CompletionResultType]::ParameterName, 'Upload to the archive''s DELAYED queue, DAYS (0 to 15) later: dput -e DAYS. SUITE=DAYS delays only uploads to that suite and wins over a plain DAYS; repeat it, or give a comma-separated list in the environment. Recorded in the ledger (ledger show)')
            [CompletionResult]::new('--dput-config', '--dput-config', [CompletionResultType]::ParameterName, 'dput configuration file (dput -c)')
            [CompletionResult]::new('--dput-program', '--dput-program', [CompletionResultType]::ParameterName, 'The dput program to run (dput, dput-ng, or a wrapper)')
            [CompletionResult]::new('--upload-timeout', '--upload-timeout', [CompletionResultType]::ParameterName, 'Kill dput (its whole process group) when uploading one .changes takes longer than this; the .changes fails with exit 7')
            [CompletionResult]::new('--require-review', '--require-review', [CompletionResultType]::ParameterName, 'Upload runs of these campaigns only once the Janitor''s reviewers approved them (run.publish_status approved); until then they are awaiting-review (in the ledger, no attempt). Bare: every campaign (in the environment: ''*''). Needs the Janitor''s database. Runs whose publish_status is rejected or blocked are never signed, with or without this')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'Upload it at once through the upload-run chain (needs the artifact store, key and dput host), instead of leaving it to the next backfill')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Reset unconfirmed .changes without checking the archive first: dput may have uploaded them, and they would be uploaded again. Without it, an unconfirmed .changes is reset only when the archive (--archive, or archive_mirror_uri in --config) does not list its version, and marked accepted when it does; for a `method = local` host of dput''s configuration, one still in its upload queue (incoming, or DELAYED/N-day below it) is not reset either')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;forget' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;reconcile' {
            [CompletionResult]::new('--after', '--after', [CompletionResultType]::ParameterName, 'An upload not in the archive after this long is unconfirmed')
            [CompletionResult]::new('--metrics-file', '--metrics-file', [CompletionResultType]::ParameterName, 'Write the run''s figures (runs by outcome, duration, last success) for node_exporter''s textfile collector to PATH, atomically; e.g. /var/lib/prometheus/node-exporter/auto-upload-JOB.prom')
            [CompletionResult]::new('--archive', '--archive', [CompletionResultType]::ParameterName, 'The Debian archive uploads go to (http(s):// or file://, the directory holding dists/): before signing, a .changes whose source the archive''s Sources index has at the same or a higher version is not uploaded (outcome superseded, exit 0). An archive that cannot be read is logged and never blocks an upload [default: the archive_mirror_uri of the janitor.conf distribution named as the .changes''s Distribution]')
            [CompletionResult]::new('--cache-dir', '--cache-dir', [CompletionResultType]::ParameterName, 'Where the archive''s Sources indices are kept, parsed, between runs; before one is used the archive''s files are checked (a stat, or an HTTP HEAD) and the index read again when they changed [default: $CACHE_DIRECTORY (systemd''s CacheDirectory=), else $XDG_CACHE_HOME/auto-upload, else ~/.cache/auto-upload]')
            [CompletionResult]::new('--archive-timeout', '--archive-timeout', [CompletionResultType]::ParameterName, 'Give up checking the archive after this long: the upload goes ahead unchecked, with a warning and a metric (the index is still read in the background for the next upload)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;pause' {
            [CompletionResult]::new('--reason', '--reason', [CompletionResultType]::ParameterName, 'Why, for the other operators (ledger list, the service''s status, its log)')
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;resume' {
            [CompletionResult]::new('--host', '--host', [CompletionResultType]::ParameterName, 'Only this dput host''s rows (the ledger''s key) [default: all hosts]. Given on the command line only: AUTO_UPLOAD_HOST in the service''s settings says where uploads go, not which rows an operator sees')
            [CompletionResult]::new('--database', '--database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the Janitor database, which also holds the upload ledger [default: database_location from --config; DATABASE_URL is never read]')
            [CompletionResult]::new('--ledger-database', '--ledger-database', [CompletionResultType]::ParameterName, 'PostgreSQL URL of the database that holds the upload ledger, when not the Janitor''s (a read-only role there, say) [default: the Janitor database]')
            [CompletionResult]::new('--connect-timeout', '--connect-timeout', [CompletionResultType]::ParameterName, 'Give up connecting to a database after this long (a server that does not answer, an address that drops packets); SIGINT and SIGTERM stop the wait at once')
            [CompletionResult]::new('--ledger-schema', '--ledger-schema', [CompletionResultType]::ParameterName, 'Schema of the upload ledger (created and migrated by auto-upload)')
            [CompletionResult]::new('--lease', '--lease', [CompletionResultType]::ParameterName, 'A ledger claim older than this is taken over (a crashed uploader)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('--no-ledger', '--no-ledger', [CompletionResultType]::ParameterName, 'Neither read nor write the upload ledger. listen then runs no catch-up backfill after a reconnect')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;ledger;help' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every .changes of a run, its history of attempts and the whole last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove every ledger row of a run')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Let the uploaders start uploads again; listen catches up with the runs left due')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auto-upload;ledger;help;list' {
            break
        }
        'auto-upload;ledger;help;show' {
            break
        }
        'auto-upload;ledger;help;retry' {
            break
        }
        'auto-upload;ledger;help;forget' {
            break
        }
        'auto-upload;ledger;help;reconcile' {
            break
        }
        'auto-upload;ledger;help;pause' {
            break
        }
        'auto-upload;ledger;help;resume' {
            break
        }
        'auto-upload;ledger;help;help' {
            break
        }
        'auto-upload;generate-docs' {
            [CompletionResult]::new('--out-dir', '--out-dir', [CompletionResultType]::ParameterName, 'Directory to write man/ and completions/ into')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Janitor configuration file (protobuf text format, like janitor.conf); artifact_location, redis_location and database_location are read from it, and its Debian campaigns (campaign blocks with debian_build) say what a run of each may be signed as: required to upload')
            [CompletionResult]::new('--config-schema', '--config-schema', [CompletionResultType]::ParameterName, 'The Janitor''s config.proto to read --config against, compiled at start, for a deployment whose schema is newer than the one built in')
            [CompletionResult]::new('--settings', '--settings', [CompletionResultType]::ParameterName, 'The settings file whose AUTO_UPLOAD_* lines fill the variables not set (the units'' EnvironmentFile=): what a command run by hand shares with the service. Read before the command line; flags and variables win over it. The database''s and Redis'' URLs may come from credential files instead (database, ledger-database, redis in /etc/auto-upload/credentials or $CREDENTIALS_DIRECTORY). [default: /etc/auto-upload/auto-upload.conf, when readable]')
            [CompletionResult]::new('--gnupg-home-from', '--gnupg-home-from', [CompletionResultType]::ParameterName, 'A GnuPG home to copy at start into a private directory (mode 0700, under $TMPDIR) that debsign, gpg and gpgv then use: for one mounted read-only or with modes gpg refuses (a Kubernetes Secret, a bind mount). Links are followed; names starting with `..` (a Secret''s own) and agent sockets are left out')
            [CompletionResult]::new('--signing-key-file', '--signing-key-file', [CompletionResultType]::ParameterName, 'An armoured secret key to import at start into a private GnuPG home (with --gnupg-home-from, into its copy): the signing key as a Kubernetes Secret holds it')
            [CompletionResult]::new('--ssh-from', '--ssh-from', [CompletionResultType]::ParameterName, 'A directory holding the ssh key and known_hosts for an scp or sftp dput host, copied at start into the .ssh of a private home (mode 0700, files 0600) that ssh is given through nss_wrapper (libnss-wrapper), whatever uid runs it: for ones mounted from a Kubernetes Secret. Links are followed; names starting with `..` are left out')
            [CompletionResult]::new('--log-format', '--log-format', [CompletionResultType]::ParameterName, 'Format of the log lines on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Only log errors')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'auto-upload;help' {
            [CompletionResult]::new('fetch-artifacts', 'fetch-artifacts', [CompletionResultType]::ParameterValue, 'Copy every artifact of a run into a directory and print the directory')
            [CompletionResult]::new('find-changes', 'find-changes', [CompletionResultType]::ParameterValue, 'Print the verified .changes files in a directory, sorted')
            [CompletionResult]::new('sign', 'sign', [CompletionResultType]::ParameterValue, 'Sign .changes files with debsign; print each path signed')
            [CompletionResult]::new('dput', 'dput', [CompletionResultType]::ParameterValue, 'Upload signed .changes files with dput; print each path uploaded')
            [CompletionResult]::new('upload-run', 'upload-run', [CompletionResultType]::ParameterValue, 'Fetch, verify, sign and upload one run, in a private temporary directory')
            [CompletionResult]::new('listen', 'listen', [CompletionResultType]::ParameterValue, 'Upload every successful Debian build published on the runner''s Redis channel')
            [CompletionResult]::new('check-config', 'check-config', [CompletionResultType]::ParameterValue, 'Try, with listen''s settings, everything an upload needs: the key signs, dput knows every host, the artifact store reads, the database answers (the Janitor''s tables, a writable ledger), Redis answers; and for the timers, that ledger reconcile has an archive when its timer is enabled and that --metrics-file can be written. One line per item; exit 2 if any fails')
            [CompletionResult]::new('backfill', 'backfill', [CompletionResultType]::ParameterValue, 'Upload the newest build of each (distribution, source) not uploaded yet')
            [CompletionResult]::new('ledger', 'ledger', [CompletionResultType]::ParameterValue, 'The operators'' view of the upload ledger: list, show, retry, forget')
            [CompletionResult]::new('generate-docs', 'generate-docs', [CompletionResultType]::ParameterValue, 'Write the man pages and shell completions into a directory')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'auto-upload;help;fetch-artifacts' {
            break
        }
        'auto-upload;help;find-changes' {
            break
        }
        'auto-upload;help;sign' {
            break
        }
        'auto-upload;help;dput' {
            break
        }
        'auto-upload;help;upload-run' {
            break
        }
        'auto-upload;help;listen' {
            break
        }
        'auto-upload;help;check-config' {
            break
        }
        'auto-upload;help;backfill' {
            break
        }
        'auto-upload;help;ledger' {
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'One line per run: run id, host, source, version, distribution, state, attempts, last change, first line of the last error')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Every .changes of a run, its history of attempts and the whole last error')
            [CompletionResult]::new('retry', 'retry', [CompletionResultType]::ParameterValue, 'Reset a failed, given-up or unconfirmed run so that the next backfill uploads it (or --now: at once, through the upload-run chain)')
            [CompletionResult]::new('forget', 'forget', [CompletionResultType]::ParameterValue, 'Remove every ledger row of a run')
            [CompletionResult]::new('reconcile', 'reconcile', [CompletionResultType]::ParameterValue, 'Look each uploaded .changes up in the archive: accepted when its version (or a higher one) is there, unconfirmed when still missing after --after. Silent on success')
            [CompletionResult]::new('pause', 'pause', [CompletionResultType]::ParameterValue, 'Pause every uploader sharing this ledger: no process (listen replicas, backfill, upload-run) starts a new upload; runs stay due, uploads in flight finish. Again with a new reason: the reason is replaced')
            [CompletionResult]::new('resume', 'resume', [CompletionResultType]::ParameterValue, 'Let the uploaders start uploads again; listen catches up with the runs left due')
            break
        }
        'auto-upload;help;ledger;list' {
            break
        }
        'auto-upload;help;ledger;show' {
            break
        }
        'auto-upload;help;ledger;retry' {
            break
        }
        'auto-upload;help;ledger;forget' {
            break
        }
        'auto-upload;help;ledger;reconcile' {
            break
        }
        'auto-upload;help;ledger;pause' {
            break
        }
        'auto-upload;help;ledger;resume' {
            break
        }
        'auto-upload;help;generate-docs' {
            break
        }
        'auto-upload;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}

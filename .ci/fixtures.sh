# Shell fixtures shared by .ci/demo and .ci/bench-upload-run: a throwaway
# signing key, a tiny real source package, and a reprepro archive behind a
# `method = local` dput host. Source this file; it defines functions only.

# make_key DIR: a passphrase-less ed25519 key in GNUPGHOME=DIR; sets KEY to
# its fingerprint and exports GNUPGHOME.
make_key() {
    export GNUPGHOME="$1"
    mkdir -p -m 700 "$GNUPGHOME"
    gpg --batch --quiet --passphrase '' --quick-gen-key \
        'auto-upload demo <demo@example.com>' ed25519 sign never 2>/dev/null
    KEY=$(gpg --batch --with-colons --list-secret-keys 2>/dev/null | awk -F: '/^fpr/ { print $10; exit }')
}

# make_package DIR [REVISION]: builds auhello 1.0-REVISION (default 1), a
# 3.0 (quilt) source upload for unstable and an arch:all binary upload,
# into DIR.
make_package() {
    local dir="$1" revision="${2:-1}" tree="$1/auhello-1.0"
    mkdir -p "$tree/debian/source"
    echo "hello from auto-upload" > "$tree/README"
    tar -C "$dir" -czf "$dir/auhello_1.0.orig.tar.gz" auhello-1.0
    echo "3.0 (quilt)" > "$tree/debian/source/format"
    cat > "$tree/debian/changelog" <<CHANGELOG
auhello (1.0-$revision) unstable; urgency=medium

  * Initial release.

 -- auto-upload demo <demo@example.com>  Fri, 27 Nov 2026 12:00:00 +0000
CHANGELOG
    cat > "$tree/debian/control" <<'CONTROL'
Source: auhello
Section: misc
Priority: optional
Maintainer: auto-upload demo <demo@example.com>
Build-Depends: debhelper-compat (= 13)
Standards-Version: 4.7.0
Rules-Requires-Root: no

Package: auhello
Architecture: all
Description: tiny demo package for auto-upload
 Built by auto-upload's demo.
CONTROL
    printf 'Files: *\nCopyright: none\nLicense: public-domain\n' > "$tree/debian/copyright"
    printf '#!/usr/bin/make -f\n%%:\n\tdh $@\n' > "$tree/debian/rules"
    chmod +x "$tree/debian/rules"
    (cd "$tree" && dpkg-buildpackage -S -us -uc -d >/dev/null 2>&1 &&
        dpkg-buildpackage -A -us -uc -d >/dev/null 2>&1)
    rm -rf "$tree"
}

# make_archive DIR KEY: a reprepro archive in DIR that accepts uploads to
# unstable signed by KEY, and DIR/dput.cf naming it as host "demo-archive".
make_archive() {
    local dir="$1" key="$2"
    mkdir -p "$dir/conf" "$dir/incoming" "$dir/tmp"
    cat > "$dir/conf/distributions" <<DISTS
Codename: unstable
Architectures: source amd64
Components: main
Uploaders: uploaders
DISTS
    cat > "$dir/conf/incoming" <<INCOMING
Name: default
IncomingDir: incoming
TempDir: tmp
Allow: unstable
Cleanup: unused_buildinfo_files
INCOMING
    # reprepro wants a key id of at most 16 hex digits.
    echo "allow * by key ${key: -16}" > "$dir/conf/uploaders"
    printf '[demo-archive]\nmethod = local\nincoming = %s\nallow_unsigned_uploads = 0\n' \
        "$dir/incoming" > "$dir/dput.cf"
}

# store_run STORE RUN_ID PACKAGE_DIR: stores a package's files as a run,
# readable by their owner only, as a runner may leave them.
store_run() {
    mkdir -p "$1/$2"
    cp "$3"/* "$1/$2/"
    chmod 600 "$1/$2"/*
}

# janitor_conf FILE: a Janitor configuration with the Debian campaigns the
# fixtures' runs are dispatched in (each building for unstable), used by
# every auto-upload command that follows (AUTO_UPLOAD_CONFIG).
janitor_conf() {
    cat > "$1" <<'CONF'
campaign { name: "unstable" debian_build { base_distribution: "unstable" } }
campaign { name: "x" debian_build { build_distribution: "unstable" } }
campaign { name: "lintian-fixes" debian_build { build_distribution: "unstable" } }
CONF
    export AUTO_UPLOAD_CONFIG=$1
}

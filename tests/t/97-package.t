#!/bin/sh
# The Debian package and the offline install set (dist/, debian/): two
# builds from two clean clones of the same commit in different folders are
# byte-identical; lintian reports no error; the package holds the binary,
# the manual pages, the ceremony scripts and the README where the README
# says, and what it installs runs outside any source tree; the offline set
# checks against its SHA256SUMS and resolves offroot's installation from
# the set alone (apt with only the set as its source and nothing
# installed).
. "$(dirname "$0")/../lib.sh"

# Tools tests/install-deps installs; a missing one is said, never silent.
for tool in dpkg-buildpackage dh lintian apt-ftparchive git; do
	command -v $tool >/dev/null || { echo "1..0 # SKIP $tool is missing (tests/install-deps installs it)"; exit 0; }
done
# The package is built with Debian's flags, not the sanitizers': building
# it again under the ASan run would prove nothing new.
[ -z "${OFFROOT_SANITIZED:-}" ] || { echo "1..0 # SKIP the package is built once, by the hardened run"; exit 0; }
git -C "$ROOT" rev-parse HEAD >/dev/null 2>&1 || { echo "1..0 # SKIP not a git checkout: no commit to build twice"; exit 0; }

VERSION=$(dpkg-parsechangelog -l "$ROOT/debian/changelog" -SVersion)
ARCH=$(dpkg-architecture -qDEB_HOST_ARCH)
DEB=offroot_${VERSION}_${ARCH}.deb

# ---- two builds, two folders, one commit ---------------------------------
COMMIT=$(git -C "$ROOT" rev-parse HEAD)
for n in one two-in-a-deeper-folder; do
	git clone -q "$ROOT" "$T/$n" 2>"$T/err" &&
	    git -C "$T/$n" checkout -q "$COMMIT" 2>>"$T/err"
	ok $? "clean clone $n at ${COMMIT%${COMMIT#????????????}}"
	(cd "$T/$n" && sh dist/deb) >"$T/out" 2>"$T/err"
	ok $? "make deb in clone $n"
	[ $? -eq 0 ] || echo "# $(tail -5 "$T/err")"
done
A="$T/one/build/$DEB"
B="$T/two-in-a-deeper-folder/build/$DEB"
[ -f "$A" ]; ok $? "the package is build/$DEB"
cmp -s "$A" "$B"; ok $? "two builds in different folders are byte-identical"
[ -n "$(dpkg-deb -f "$A" Depends)" ] && ! dpkg-deb -f "$A" Depends | grep -Eq 'softhsm|tpm2|-dev\b'
ok $? "Depends are run-time libraries only"
dpkg-deb -f "$A" Suggests | grep -q softhsm2 && dpkg-deb -f "$A" Suggests | grep -q libtpm2-pkcs11-1
ok $? "SoftHSM2 and the TPM PKCS#11 module are Suggests"

lintian --no-tag-display-limit "$A" >"$T/lintian" 2>&1
! grep -q '^E: ' "$T/lintian"; ok $? "lintian reports no error"
grep '^[EW]: ' "$T/lintian" | sed 's/^/# /'

# ---- what it installs, outside any source tree ----------------------------
R="$T/root"
dpkg -x "$A" "$R"; ok $? "dpkg -x into a scratch root"
for f in usr/bin/offroot usr/share/man/man1/offroot.1.gz \
    usr/share/man/man5/offroot.5.gz usr/share/man/man7/offroot-ceremony.7.gz \
    usr/share/offroot/ceremony-scripts/kubernetes.ceremony \
    usr/share/offroot/ceremony-scripts/kubernetes/profiles.cnf \
    usr/share/doc/offroot/README.md.gz usr/share/doc/offroot/copyright; do
	[ -f "$R/$f" ]; ok $? "the package installs /$f"
done
cd "$T"	# no ceremony-scripts/ here
run "$R/usr/bin/offroot" --version
ok $rc "the installed binary runs"
like "$VERSION" "$T/out" "... and says its version, the changelog's"
t_ok "script check of the installed scripts" "$R/usr/bin/offroot" script check \
    "$R"/usr/share/offroot/ceremony-scripts/*.ceremony
t_ok "profile check of the installed profile set" "$R/usr/bin/offroot" profile check \
    "$R/usr/share/offroot/ceremony-scripts/kubernetes/profiles.cnf"
# The TUI's home screen, run from a folder without ceremony-scripts/,
# offers the installed scripts (found beside the binary, in
# /usr/share/offroot).
"$R/usr/bin/offroot" init -d "$T/pca" --subject "/C=DE/O=offroot tests/CN=Package Root" \
    --kdf interactive --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "the installed binary creates a CA"
. "$ROOT/tests/tui.sh"
start 80 24 linux "cd '$T' && '$R/usr/bin/offroot' tui -d '$T/pca'"
waitcond 'grep -q "offroot  home" "$T/screen" && lastline "$CLOCK"'
ok $? "the installed TUI opens its home screen outside any source tree"
like 'Ceremony: CRL re-signing' "$T/screen" "... and offers the installed ceremony scripts"
keys q
waitfor 'EXIT=0'; ok $? "... and q leaves it"
cd "$ROOT"

# ---- the offline install set ----------------------------------------------
# The set is fetched from Debian's registry by package name; a machine
# that cannot reach it cannot build a set, and says so.
if ! (cd "$T" && apt-get download -qq libsodium23 >/dev/null 2>&1); then
	diag "SKIP: Debian's package registry is unreachable (apt-get download): no offline set built"
	done_testing
	exit $?
fi
(cd "$T/one" && sh dist/offline-set) >"$T/out" 2>"$T/err"
ok $? "make offline-set"
S="$T/one/build/offline-set"
[ -f "$S/$DEB" ] && [ -f "$S/Packages" ] && [ -f "$S/Release" ] && [ -f "$S/INSTALL.txt" ]
ok $? "the set holds the package, Packages, Release and INSTALL.txt"
for lib in libsodium23 libssl3 libncursesw6 libp11-kit0 libc6; do
	ls "$S"/${lib}_*.deb >/dev/null 2>&1; ok $? "the set carries $lib"
done
(cd "$S" && sha256sum --quiet -c SHA256SUMS) >"$T/out" 2>&1
ok $? "every file of the set matches SHA256SUMS"
[ "$(find "$S" -type f ! -name SHA256SUMS | wc -l)" -eq "$(wc -l <"$S/SHA256SUMS")" ]
ok $? "SHA256SUMS lists every other file of the set"

# apt with the set as its only source and an empty package status: the
# install resolves from the set alone, as on a laptop without a network.
A_=$T/apt
mkdir -p "$A_/lists/partial" "$A_/cache/archives/partial"
: >"$A_/status"
echo "deb [trusted=yes] file:$S ./" >"$A_/sources.list"
set -- -o Dir::Etc::SourceList="$A_/sources.list" -o Dir::Etc::SourceParts=/nonexistent \
    -o Dir::State::Lists="$A_/lists" -o Dir::State::status="$A_/status" \
    -o Dir::Cache="$A_/cache" -o Debug::NoLocking=1 -o APT::Get::List-Cleanup=0
apt-get "$@" -qq update >"$T/out" 2>&1
ok $? "apt reads the set as a repository"
apt-get "$@" -s install offroot >"$T/out" 2>&1
ok $? "apt --simulate installs offroot from the set alone"
like '^Inst offroot ' "$T/out" "... offroot itself"
like '^Inst libsodium23 ' "$T/out" "... with libsodium from the set"
done_testing

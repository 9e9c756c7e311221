#!/bin/sh
# Two builds of the same tree in different folders give a
# bit-identical binary, so a ceremony can compare its SHA-256 with a
# published value.
. "$(dirname "$0")/../lib.sh"
if [ -n "${OFFROOT_SANITIZED:-}" ]; then
	echo "1..0 # SKIP the reproducibility test runs once, on the normal build"
	exit 0
fi
plan 5
# tree DIR: a copy of the source, built there.
tree() {
	mkdir -p "$1"
	(cd "$ROOT" && tar --exclude='./build*' --exclude=./.git -cf - .) | (cd "$1" && tar -xf -)
	(cd "$1" && make -s -j2 BUILD=build all >/dev/null 2>"$T/build.err") || diag "$(tail -5 "$T/build.err")"
}
# One clean build in another folder, compared with the suite's own build
# of the same source (make check built it): one compile, not two.  Only
# when they differ (a stale or differently made build/) is a second clean
# copy built, and the two clean builds decide.
A="$T/a/tree/build/offroot" B="$ROOT/${OFFROOT_BUILD:-build}/offroot"
tree "$T/a/tree"
if ! cmp -s "$A" "$B"; then
	diag "$B differs from a clean build: building a second clean copy"
	tree "$T/bb/some/other/tree"
	B="$T/bb/some/other/tree/build/offroot"
fi
[ -f "$A" ] && [ -f "$B" ]
ok $? "both trees build"
a=$(sha256sum <"$A"); b=$(sha256sum <"$B")
[ "$a" = "$b" ]; ok $? "the two binaries are bit-identical"
! grep -q "$T" "$T/a/tree/build/offroot"; ok $? "the binary embeds no build path"
(cd "$T/a/tree" && make -s install DESTDIR="$T/dest" PREFIX=/usr >/dev/null 2>"$T/install.err")
ok $? "make install DESTDIR=... PREFIX=/usr"
[ -x "$T/dest/usr/bin/offroot" ] && [ -f "$T/dest/usr/share/man/man1/offroot.1" ] &&
    [ -f "$T/dest/usr/share/man/man5/offroot-sealed.5" ] &&
    [ -f "$T/dest/usr/share/offroot/ceremony-scripts/kubernetes/profiles.cnf" ] &&
    cmp -s "$T/dest/usr/bin/offroot" "$T/a/tree/build/offroot"
ok $? "the binary, man pages and ceremony scripts are installed"

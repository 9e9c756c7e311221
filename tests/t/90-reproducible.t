#!/bin/sh
# Two clean builds of the same tree in different folders give a
# bit-identical binary, so a ceremony can compare its SHA-256 with a
# published value.
. "$(dirname "$0")/../lib.sh"
if [ -n "${OFFROOT_SANITIZED:-}" ]; then
	echo "1..0 # SKIP the reproducibility test runs once, on the normal build"
	exit 0
fi
plan 5
for d in "$T/a/tree" "$T/bb/some/other/tree"; do
	mkdir -p "$d"
	(cd "$ROOT" && tar --exclude='./build*' --exclude=./.git -cf - .) | (cd "$d" && tar -xf -)
	(cd "$d" && make -s -j2 BUILD=build all >/dev/null 2>"$T/build.err") || diag "$(tail -5 "$T/build.err")"
done
[ -f "$T/a/tree/build/offroot" ] && [ -f "$T/bb/some/other/tree/build/offroot" ]
ok $? "both trees build"
a=$(sha256sum <"$T/a/tree/build/offroot"); b=$(sha256sum <"$T/bb/some/other/tree/build/offroot")
[ "$a" = "$b" ]; ok $? "the two binaries are bit-identical"
! grep -q "$T" "$T/a/tree/build/offroot"; ok $? "the binary embeds no build path"
(cd "$T/a/tree" && make -s install DESTDIR="$T/dest" PREFIX=/usr >/dev/null 2>"$T/install.err")
ok $? "make install DESTDIR=... PREFIX=/usr"
[ -x "$T/dest/usr/bin/offroot" ] && [ -f "$T/dest/usr/share/man/man1/offroot.1" ] &&
    [ -f "$T/dest/usr/share/man/man5/offroot-sealed.5" ] &&
    [ -f "$T/dest/usr/share/offroot/ceremony-scripts/kubernetes/profiles.cnf" ] &&
    cmp -s "$T/dest/usr/bin/offroot" "$T/a/tree/build/offroot"
ok $? "the binary, man pages and ceremony scripts are installed"

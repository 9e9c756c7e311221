#!/bin/sh
# The ceremony and its medium, in batch (issue 13, items 5, 8 and 10): the
# pre-flight media check lists what is on the medium and names a CSR a
# step needs that is not there; a medium that is a plain file, or is
# missing, or lacks the CSR never unlocks the key (no key-unlocked in the
# transcript, nothing in the CA journal), each with one error line; after
# the last step the medium is flushed (syncfs) and what the run wrote is
# read back ("media-sync"; a file damaged on the medium stops the run
# before the seal), the medium's device, label and UUID are
# recorded ("medium"), and the officers are told how to unmount it: a
# tmpfs mount point in a mount namespace of the test's own gets "umount
# PATH", a plain folder on a fixed disk "nothing to unmount".
. "$(dirname "$0")/../lib.sh"

INT="$ROOT/ceremony-scripts/intermediate.ceremony"
CA="$T/ca"
new_ca "$CA"; ok $? "a CA for the ceremonies"
mkcsr media-int
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: rehearsal in a test container
resume: no
E

# ceremony MEDIA [ANSWERS]: intermediate.ceremony in batch on MEDIA.
ceremony() {
	"$OFFROOT" ceremony "$INT" -d "$CA" --media "$1" \
	    --answers "${2:-$T/answers}" --passphrase-file "$PASS"
}
# last_tr: the newest ceremony transcript.
last_tr() { ls -t "$CA"/transcripts/*-ceremony-*.log | head -1; }
# no_unlock NAME: the newest transcript has no key-unlocked and no signed
# record, and the CA journal records no issuance.
no_unlock() {
	_tr=$(last_tr)
	! grep -Eq '^[0-9]+ [^ ]+ (key-unlocked|signed) ' "$_tr" &&
	    [ "$(grep -c ' issue ' "$CA/journal")" -eq "$ISSUED" ]
	ok $? "$1: the key was never unlocked, nothing was issued"
}

# ---- a medium that is a file, missing, or without the CSR --------------
ISSUED=$(grep -c ' issue ' "$CA/journal")
: >"$T/plainfile"
t_fail "a medium that is a plain file stops the ceremony" 3 ceremony "$T/plainfile"
like 'media: .*plainfile is missing' "$T/err" "... the error names the medium"
no_unlock "a plain file as the medium"

t_fail "a missing medium stops the ceremony" 3 ceremony "$T/no-such-medium"
no_unlock "a missing medium"

mkdir -p "$T/empty"; echo "notes" >"$T/empty/README"
t_fail "a medium without the script's CSR fails the pre-flight check" 3 ceremony "$T/empty"
like "media: 1 file the script reads is not on $T/empty: \\*\\.csr \\(step 4\\)" "$T/err" \
    "... naming the CSR and the step that reads it"
"$OFFROOT" transcript print "$(last_tr)" >"$T/print-empty.txt" 2>&1
like 'README +file' "$T/print-empty.txt" "the media check's evidence lists what is on the medium"
no_unlock "a medium without the CSR"

{ cat "$T/answers"; echo "override media: the CSR is brought later"; } >"$T/answers-ov"
t_fail "overridden, the sign step still stops without the CSR, with one line" 3 \
    ceremony "$T/empty" "$T/answers-ov"
like "step 4 \\(sign-csrs\\): the medium $T/empty does not hold what this step reads: \\*\\.csr" \
    "$T/err" "... naming the medium and the CSR"
no_unlock "an overridden media check"

# ---- a complete run on a plain folder -----------------------------------
M="$T/media"; mkdir -p "$M"
cp "$T/media-int.csr" "$M/intermediate.csr"
{ grep -v '^resume' "$T/answers"; echo "resume: no"; } >"$T/answers-new"
t_ok "the ceremony completes on a folder holding the CSR" ceremony "$M" "$T/answers-new"
TR=$(last_tr)
cert="$M/intermediate-bundle/certificate.pem"
openssl verify -x509_strict -CAfile "$CA/root.crt" "$cert" >/dev/null 2>&1
ok $? "the intermediate verifies (openssl verify -x509_strict)"
grep -E '^[0-9]+ [^ ]+ medium ' "$TR" >"$T/medium.txt"
like "medium [0-9a-f]+ step=1 path=$M device=[^ ]+ fstype=[^ ]+ label=[^ ]+ uuid=[^ ]+ removable=no when=pre-flight" \
    "$T/medium.txt" "the pre-flight records the medium's device, file system, label and UUID"
like 'when=leaving' "$T/medium.txt" "... and again when leaving it"
grep -E '^[0-9]+ [^ ]+ media-sync ' "$TR" >"$T/sync.txt"
like "media-sync [0-9a-f]+ path=$M syncfs=done files_read_back=[0-9]+ read_back=match" "$T/sync.txt" \
    "the medium was flushed (syncfs) and read back before the seal"
n=$(sed 's/.*files_read_back=\([0-9]*\).*/\1/' "$T/sync.txt")
files=$(grep -c . "$M/intermediate-bundle/MANIFEST")
[ "$n" -eq $((files + 1)) ]
ok $? "the read-back covers the bundle's MANIFEST and every file it lists ($n)"
awk '$3 == "key-unlocked" { k = NR } $3 == "media-sync" { s = NR } $3 == "end" { e = NR }
    END { exit !(k && s > k && (e == 0 || e > s)) }' "$TR"
ok $? "... after the signing, before the seal"
like 'not a removable medium: nothing to unmount' "$T/out" "a folder on a fixed disk: nothing to unmount"
like "the transcript's copy on it reads back the same" "$T/out" "the transcript's copy on the medium is read back too"

# ---- a medium that does not give back what was written -----------------
# A preloaded shim (test code, compiled here; nothing in offroot) damages
# one byte of the bundle's certificate when the medium's own folder is
# flushed (the syncfs before the read-back): the ceremony stops before the
# seal, naming the file, and records no media-sync.
cat >"$T/badmedium.c" <<'E'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int
syncfs(int fd)
{
	static int done;
	int (*real)(int) = (int (*)(int))dlsym(RTLD_NEXT, "syncfs");
	const char *m = getenv("BAD_MEDIUM"), *f = getenv("BAD_FILE");
	struct stat a, b;
	int rc = real(fd), w;

	if (!done && m != NULL && f != NULL && fstat(fd, &a) == 0 &&
	    stat(m, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino &&
	    (w = open(f, O_WRONLY)) >= 0) {
		done = 1;
		if (pwrite(w, "X", 1, 0) != 1)
			abort();
		close(w);
	}
	return rc;
}
E
cc -shared -fPIC -o "$T/badmedium.so" "$T/badmedium.c" -ldl
ok $? "the damaging shim builds"
B="$T/bad"; mkdir -p "$B"; mkcsr media-bad
cp "$T/media-bad.csr" "$B/intermediate.csr"
BAD_MEDIUM="$B" BAD_FILE="$B/intermediate-bundle/certificate.pem" LD_PRELOAD="$T/badmedium.so" \
    ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0" \
    ceremony "$B" "$T/answers-new" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 1 ]; ok $? "a file that reads back different stops the ceremony (exit 1, got $rc)"
like "leaving the medium: .*intermediate-bundle/certificate.pem read back from the medium differs" \
    "$T/err" "... naming the file"
TRB=$(last_tr)
! grep -Eq '^[0-9]+ [^ ]+ (media-sync|end|seal) ' "$TRB"
ok $? "... before the seal, with no media-sync record"

# ---- a mount point: the officers are told how to unmount it -------------
if unshare -m true 2>/dev/null; then
	U="$T/usb"; mkdir -p "$U"
	{ grep -v '^resume' "$T/answers"; echo "resume: no";
	  echo "override reissue: the same CSR on another medium"; } >"$T/answers-usb"
	unshare -m sh -c 'mount -t tmpfs tmpfs "$1" && cp "$2" "$1/intermediate.csr" &&
	    exec "$3" ceremony "$4" -d "$5" --media "$1" --answers "$6" \
	    --passphrase-file "$7"' sh "$U" "$T/media-int.csr" "$OFFROOT" "$INT" "$CA" \
	    "$T/answers-usb" "$PASS" >"$T/out" 2>"$T/err"
	ok $? "the ceremony completes on a tmpfs mount point"
	like "Before removing the medium, unmount it: umount $U" "$T/out" \
	    "batch: the officers are told how to unmount it"
	like "fstype=tmpfs label=none uuid=none removable=no when=pre-flight" "$(last_tr)" \
	    "the transcript records the tmpfs medium (no label, no UUID)"
else
	ok 0 "# SKIP unshare -m is not available: no mount point"
	ok 0 "# SKIP unshare -m is not available"
	ok 0 "# SKIP unshare -m is not available"
fi
done_testing

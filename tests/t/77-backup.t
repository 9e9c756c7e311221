#!/bin/sh
# Backups (offroot backup): a copy of a quorum CA is written, recorded in
# the journal with its manifest's SHA-256 and verified by backup --check;
# --check names a file altered since; a backup onto a full medium exits 3
# and leaves no partial copy.  (75-quorum.t checks that no key or share
# material lands in a backup; 76-quorum-ceremony.t compares a backup with
# the live CA across a reshare.)
. "$(dirname "$0")/../lib.sh"

for i in 1 2 3; do printf 'officer %d passphrase\n' "$i" >"$T/p$i"; done
mkdir -p "$T/shares"
"$OFFROOT" init -d "$T/b" --subject "/C=DE/O=offroot tests/CN=Backup Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/shares" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p2" \
    --share-passphrase-file "$T/p3" --crl-url "$TEST_CRL_URL" >"$T/init.out" 2>"$T/init.err"
ok $? "init a 2-of-3 quorum CA"
S1=$(ls "$T"/shares/*-share-1-of-3.share) S3=$(ls "$T"/shares/*-share-3-of-3.share)
mkcsr intermediate
t_ok "sign an intermediate (a transcript and an issued certificate to back up)" \
    "$OFFROOT" sign -d "$T/b" --csr "$T/intermediate.csr" -o "$T/bundle" --yes \
    --share "$S1" --share-passphrase-file "$T/p1" --share "$S3" --share-passphrase-file "$T/p3"

mkdir -p "$T/bk"
t_ok "backup of the 2-of-3 CA" "$OFFROOT" backup -d "$T/b" --to "$T/bk"
BK=$(ls -d "$T"/bk/b-backup-*)
t_ok "backup --check on an intact backup" "$OFFROOT" backup --check "$BK"
like ' backup .*manifest_sha256=' "$T/b/journal" "the journal records the backup"
f=$(ls "$BK"/transcripts | head -1)
printf 'x' >>"$BK/transcripts/$f"
t_fail "backup --check detects an altered file" 1 "$OFFROOT" backup --check "$BK"
like "transcripts/$f was altered" "$T/err" "... and names it"

# --- a full medium: exit 3 and nothing left
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	trap 'umount "$T/full" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	dd if=/dev/zero of="$T/full/filler" bs=1k count=1000 2>/dev/null
	t_fail "backup onto a full 1 MiB tmpfs exits 3" 3 "$OFFROOT" backup -d "$T/b" --to "$T/full"
	[ "$(ls -A "$T/full")" = filler ]; ok $? "... and leaves no partial copy"
	umount "$T/full"
else
	ok 0 "# SKIP a full-medium test needs root to mount a tmpfs"
	ok 0 "# SKIP"
fi
done_testing

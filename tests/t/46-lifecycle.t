#!/bin/sh
# One lifecycle for every command that uses the root key (src/op.h): crl,
# ocsp, check-key, reshare, sign and export.  A run that fails after its
# transcript began (a wrong passphrase, a share short, a new officer's
# passphrase refused, an output the media cannot take) exits with one
# error line; its transcript ends with a "failed" record carrying that
# line, and is closed: audit accepts it, sealed by the key when the run had
# recorded something in the journal, without a seal (and the journal byte
# for byte as it was) when it had not; nothing is recorded as done.  A
# refusal before the key (an output that cannot be written) writes nothing
# into the CA at all.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
printf 'not the passphrase\n' >"$T/wrong"

# snap DIR: the journal and the transcripts of DIR before a run.
snap() {
	cp "$1/journal" "$T/j.before"
	ls "$1/transcripts" | sort >"$T/tr.before"
}
# new_tr DIR: the transcripts the run added, one a line.
new_tr() { ls "$1/transcripts" | sort | comm -13 "$T/tr.before" -; }
# new_types DIR: the types of the journal records the run added.
new_types() { cmp -s "$T/j.before" "$1/journal" || tail -n +$(($(wc -l <"$T/j.before") + 1)) "$1/journal" | awk '{ print $3 }' | sort -u | tr '\n' ' '; }

# failed_run NAME DIR OP SEALED DONE: after a run of OP on DIR that
# t_fail saw fail: one new OP transcript whose last records are "failed"
# (error name, and the text of the one error line) then its end; closed,
# with a seal when SEALED is "sealed" (transcript verify passes, the journal
# names it) and without one when "unsealed" (the journal is unchanged);
# audit passes; no journal record of type DONE (what the run would have
# recorded as done) was added.
failed_run() {
	_fn=$1 _fd=$2 _fop=$3 _fseal=$4 _fdone=$5
	_fnew=$(new_tr "$_fd")
	case $_fnew in
	*-"$_fop"-*.log) ;;
	*) ok 1 "$_fn: one new $_fop transcript"; diag "new transcripts: $_fnew"; return ;;
	esac
	[ "$(printf '%s\n' "$_fnew" | wc -l)" -eq 1 ]; ok $? "$_fn: one new $_fop transcript"
	_ftr="$_fd/transcripts/$_fnew"
	sed -n 's/^offroot: //p' "$T/err" | grep -v '^warning: ' >"$T/errline"
	$PY - "$_ftr" "$T/errline" "$_fseal" <<'PYEOF'
import sys, urllib.parse
recs = []
for line in open(sys.argv[1]).read().splitlines()[1:]:
    w = line.split(" ")
    recs.append((w[2], dict(f.split("=", 1) for f in w[4:-1])))
types = [t for t, _ in recs]
want = ["failed", "end", "seal"] if sys.argv[3] == "sealed" else ["failed", "end"]
assert types[-len(want):] == want, "records end with %s" % types[-4:]
assert types.count("failed") == 1, types
f = dict(recs[types.index("failed")][1])
text = urllib.parse.unquote(f.get("text", ""))
err = open(sys.argv[2]).read().strip()
assert f.get("error", "").startswith("OR_E_"), f
assert text == err, "failed says %r, the error line %r" % (text, err)
PYEOF
	ok $? "$_fn: the transcript ends with failed (the error line), then its end"
	"$OFFROOT" transcript print "$_ftr" >"$T/print" 2>&1
	if [ "$_fseal" = sealed ]; then
		grep -q 'closed and sealed' "$T/print" &&
		    "$OFFROOT" transcript verify "$_ftr" --root "$_fd/root.crt" >/dev/null 2>&1 &&
		    grep -q " transcript .*file=$_fnew " "$_fd/journal"
		ok $? "$_fn: closed and sealed, transcript verify passes, the journal names it"
	else
		grep -q 'closed, NOT sealed' "$T/print" && cmp -s "$T/j.before" "$_fd/journal"
		ok $? "$_fn: closed without a seal, the journal unchanged"
	fi
	"$OFFROOT" audit -d "$_fd" >"$T/audit" 2>&1
	ok $? "$_fn: audit passes"
	[ $? -eq 0 ] || diag "$(cat "$T/audit")"
	case " $(new_types "$_fd")" in
	*" $_fdone "*) ok 1 "$_fn: nothing recorded as done"; diag "new records: $(new_types "$_fd")" ;;
	*) ok 0 "$_fn: nothing recorded as done" ;;
	esac
}

# nothing_written NAME DIR: a refusal before the key: no transcript, the
# journal unchanged.
nothing_written() {
	[ -z "$(new_tr "$2")" ] && cmp -s "$T/j.before" "$2/journal"
	ok $? "$1: refused before the key, nothing written into the CA"
}

new_ca "$CA"; ok $? "init"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$T/int.key" -subj "/C=DE/O=offroot tests/CN=Lifecycle Int" \
    -out "$T/int.csr" 2>/dev/null
t_ok "sign an intermediate (for ocsp and export)" "$OFFROOT" sign -d "$CA" \
    --csr "$T/int.csr" -o "$T/b1" --passphrase-file "$PASS" --yes
SERIAL=$(openssl x509 -in "$T/b1/certificate.pem" -noout -serial | cut -d= -f2)

# ---- check-key ----------------------------------------------------------
snap "$CA"
t_fail "check-key, wrong passphrase" 1 "$OFFROOT" check-key -d "$CA" --passphrase-file "$T/wrong"
failed_run "check-key" "$CA" check-key unsealed key-check

# ---- crl ----------------------------------------------------------------
snap "$CA"
t_fail "crl, wrong passphrase" 1 "$OFFROOT" crl -d "$CA" -o "$T/c1.pem" --passphrase-file "$T/wrong"
[ ! -e "$T/c1.pem" ]; ok $? "crl, wrong passphrase: no CRL written"
failed_run "crl, wrong passphrase" "$CA" crl unsealed crl
snap "$CA"
t_fail "crl into a missing folder" 3 "$OFFROOT" crl -d "$CA" -o "$T/nowhere/c.pem" --passphrase-file "$PASS"
like 'media folder is missing' "$T/err" "crl into a missing folder: the error says so"
nothing_written "crl into a missing folder" "$CA"

# ---- ocsp ---------------------------------------------------------------
snap "$CA"
t_fail "ocsp, wrong passphrase" 1 "$OFFROOT" ocsp -d "$CA" --serial "$SERIAL" -o "$T/o1.der" \
    --passphrase-file "$T/wrong"
[ ! -e "$T/o1.der" ]; ok $? "ocsp, wrong passphrase: no response written"
failed_run "ocsp, wrong passphrase" "$CA" ocsp unsealed ocsp

# ---- sign ---------------------------------------------------------------
snap "$CA"
# (int.csr again: certifying its key and subject twice needs --allow-reissue.)
t_fail "sign, wrong passphrase" 1 "$OFFROOT" sign -d "$CA" --csr "$T/int.csr" -o "$T/b2" \
    --passphrase-file "$T/wrong" --yes --allow-reissue
[ ! -e "$T/b2" ]; ok $? "sign, wrong passphrase: no bundle"
failed_run "sign, wrong passphrase" "$CA" sign unsealed issue

# ---- export -------------------------------------------------------------
snap "$CA"
t_fail "export, wrong passphrase" 1 "$OFFROOT" export -d "$CA" --serial "$SERIAL" -o "$T/e1" \
    --passphrase-file "$T/wrong"
[ ! -e "$T/e1" ]; ok $? "export, wrong passphrase: no bundle"
failed_run "export, wrong passphrase" "$CA" export unsealed export

# ---- outputs the media cannot take, after the key signed ------------------
# A medium with room but no inode left: the output path passes the checks
# before the key, and writing it fails after the signature.
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/full" &&
    mount -t tmpfs -o size=1m,nr_inodes=1 tmpfs "$T/full" 2>/dev/null; then
	trap 'umount "$T/full" 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	ls "$CA/crls" >"$T/crls.before"
	snap "$CA"
	t_fail "crl onto a medium without inodes" 3 "$OFFROOT" crl -d "$CA" -o "$T/full/c.pem" \
	    --passphrase-file "$PASS"
	# Recorded first, written out after (issue: nothing signed reaches
	# an output path before its record is durable): the CRL is signed,
	# recorded and kept in crls/, and the error says where it is.
	like 'is signed and recorded as .*/crls/[0-9]+\.crl, but not written to' "$T/err" \
	    "crl onto a full medium: the error says the CRL is recorded and where it is kept"
	[ "$(ls "$CA/crls" | wc -l)" -eq $(( $(wc -l <"$T/crls.before") + 1 )) ]
	ok $? "crl onto a full medium: the signed CRL is kept in crls/"
	[ "$(new_types "$CA")" = "crl crl-number transcript " ]
	ok $? "crl onto a full medium: the journal records the CRL, then names the transcript"
	failed_run "crl onto a full medium (recorded: sealed)" "$CA" crl sealed revoke
	snap "$CA"
	t_fail "ocsp onto a medium without inodes" 3 "$OFFROOT" ocsp -d "$CA" --serial "$SERIAL" \
	    -o "$T/full/o.der" --passphrase-file "$PASS"
	like 'the OCSP response is signed and recorded .*, but not written to' "$T/err" \
	    "ocsp onto a full medium: the error says the response is recorded"
	[ "$(new_types "$CA")" = "ocsp transcript " ]
	ok $? "ocsp onto a full medium: the journal records the response, then names the transcript"
	failed_run "ocsp onto a full medium (recorded: sealed)" "$CA" ocsp sealed revoke
	[ -z "$(ls -A "$T/full")" ]; ok $? "nothing left on the full medium"
	umount "$T/full"
else
	for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18; do
		ok 0 "# SKIP a medium without inodes needs root to mount a tmpfs"
	done
fi

# ---- reshare (a 2-of-3 quorum) ------------------------------------------
Q="$T/q"
mkdir -p "$T/s" "$T/r"
for i in 1 2 3; do
	printf 'officer %d passphrase\n' "$i" >"$T/p$i"
	printf 'new officer %d passphrase\n' "$i" >"$T/n$i"
done
printf 'short\n' >"$T/short"
"$OFFROOT" init -d "$Q" --subject "/C=DE/O=offroot tests/CN=Quorum Root" --kdf interactive \
    --quorum 2/3 --share-dir "$T/s" --share-passphrase-file "$T/p1" \
    --share-passphrase-file "$T/p2" --share-passphrase-file "$T/p3" >"$T/init.out" 2>&1
ok $? "init --quorum 2/3"
S1=$(ls "$T"/s/*-share-1-of-3.share) S2=$(ls "$T"/s/*-share-2-of-3.share)
cp "$Q/root.key.sealed" "$T/key.before"
snap "$Q"
t_fail "reshare, one share short" 1 "$OFFROOT" reshare -d "$Q" --quorum 2/3 --share-dir "$T/r" \
    --share "$S1" --share-passphrase-file "$T/p1" \
    --new-share-passphrase-file "$T/n1" --new-share-passphrase-file "$T/n2" \
    --new-share-passphrase-file "$T/n3"
failed_run "reshare, one share short" "$Q" reshare unsealed reshare
snap "$Q"
t_fail "reshare, a new officer's passphrase too short" 1 "$OFFROOT" reshare -d "$Q" --quorum 2/3 \
    --share-dir "$T/r" --share "$S1" --share-passphrase-file "$T/p1" \
    --share "$S2" --share-passphrase-file "$T/p2" \
    --new-share-passphrase-file "$T/short" --new-share-passphrase-file "$T/n2" \
    --new-share-passphrase-file "$T/n3"
failed_run "reshare, a new passphrase refused after the unlock" "$Q" reshare unsealed reshare
cmp -s "$T/key.before" "$Q/root.key.sealed" && [ -z "$(ls -A "$T/r")" ]
ok $? "reshare: the key file as it was, no new share file"
snap "$Q"
t_fail "reshare into a missing share folder" 3 "$OFFROOT" reshare -d "$Q" --quorum 2/3 \
    --share-dir "$T/nowhere" --share "$S1" --share-passphrase-file "$T/p1" \
    --share "$S2" --share-passphrase-file "$T/p2"
nothing_written "reshare into a missing share folder" "$Q"

# ---- audit counts the failed runs -----------------------------------------
t_ok "audit of the CA after the failed runs" "$OFFROOT" audit -d "$CA"
like '[0-9]+ failed runs? that recorded nothing' "$T/err" "audit counts the failed runs that recorded nothing"

done_testing

#!/bin/sh
# M-of-N officer quorum: every M officers open the key and no M-1 do; a
# wrong passphrase, a damaged share, another CA's share and the same share
# twice are each named by their place; reshare retires the old shares and
# keeps the key, and onto a full medium changes nothing; no share or key
# material lands in any unsealed file, a backup's included.  The
# offroot-share(5) recipe rebuilds the key on its own.  Backups themselves
# (--check, a full medium) are 77-backup.t's.
. "$(dirname "$0")/../lib.sh"

for i in 1 2 3 4 5; do
	printf 'officer %d passphrase\n' "$i" >"$T/p$i"
	printf 'new officer %d passphrase\n' "$i" >"$T/n$i"
done
printf 'not the passphrase\n' >"$T/wrong"

# quorum_ca DIR M N SHAREDIRS...
quorum_ca() {
	q_d=$1 q_m=$2 q_n=$3; shift 3
	_o=
	for _s in "$@"; do _o="$_o --share-dir $_s"; done
	_i=1
	while [ "$_i" -le "$q_n" ]; do _o="$_o --share-passphrase-file $T/p$_i"; _i=$((_i + 1)); done
	# shellcheck disable=SC2086
	"$OFFROOT" init -d "$q_d" --subject "/C=DE/O=offroot tests/CN=Quorum Root" \
	    --kdf interactive --quorum "$q_m/$q_n" --crl-url "$TEST_CRL_URL" $_o \
	    >"$T/init.out" 2>"$T/init.err"
}

# share FILE-OF-OFFICER: the share file of officer X in folder DIR
sharefile() { ls "$1"/*-share-"$2"-of-*.share; }

# opens CA SUBSET (e.g. "1 3") DIR PASSPREFIX
opens() {
	_o=
	for _x in $2; do _o="$_o --share $(sharefile "$3" "$_x") --share-passphrase-file $T/$4$_x"; done
	# shellcheck disable=SC2086
	run "$OFFROOT" check-key -d "$1" $_o
}

# subsets K N: every K-subset of 1..N, one a line
subsets() {
	$PY -c 'import itertools, sys
k, n = int(sys.argv[1]), int(sys.argv[2])
for c in itertools.combinations(range(1, n + 1), k): print(" ".join(map(str, c)))' "$1" "$2"
}

# --- 2-of-3, all shares in one folder
mkdir -p "$T/s23"
quorum_ca "$T/a" 2 3 "$T/s23"; ok $? "init --quorum 2/3"
like 'one folder' "$T/init.err" "init warns when every share goes to one folder"
[ "$(ls "$T/s23" | wc -l)" -eq 3 ]; ok $? "three share files written"
run "$OFFROOT" status -d "$T/a"
like '2-of-3 officer quorum' "$T/out" "status shows the 2-of-3 quorum"

# --- 3-of-5, one folder per officer
for i in 1 2 3 4 5; do mkdir -p "$T/m$i"; done
quorum_ca "$T/b" 3 5 "$T/m1" "$T/m2" "$T/m3" "$T/m4" "$T/m5"; ok $? "init --quorum 3/5, one medium per officer"
for i in 1 2 3 4 5; do [ -f "$(sharefile "$T/m$i" "$i")" ] || break; done
[ "$i" -eq 5 ]; ok $? "officer i's share is on medium i"
mkdir -p "$T/m"; cp "$T"/m?/*.share "$T/m/"

for spec in "a 2 3 s23" "b 3 5 m"; do
	set -- $spec
	ca=$1 m=$2 n=$3 sd=$4
	bad=0 all=0
	for s in $(subsets "$m" "$n" | tr ' ' ,); do
		opens "$T/$ca" "$(echo "$s" | tr , ' ')" "$T/$sd" p
		all=$((all + 1)); [ "$rc" -eq 0 ] || { bad=$((bad + 1)); diag "subset $s: $(cat "$T/err" | tail -1)"; }
	done
	[ "$bad" -eq 0 ]; ok $? "$m-of-$n: every one of the $all $m-subsets opens the key"
	bad=0 all=0
	for s in $(subsets $((m - 1)) "$n" | tr ' ' ,); do
		opens "$T/$ca" "$(echo "$s" | tr , ' ')" "$T/$sd" p
		all=$((all + 1))
		{ [ "$rc" -eq 1 ] && grep -q 'need 1 more' "$T/err"; } || { bad=$((bad + 1)); diag "subset $s: exit $rc"; }
	done
	[ "$bad" -eq 0 ]; ok $? "$m-of-$n: every one of the $all $((m - 1))-subsets fails with exit 1, \"need 1 more\""
done

A1=$(sharefile "$T/s23" 1) A2=$(sharefile "$T/s23" 2) A3=$(sharefile "$T/s23" 3)
t_fail "a wrong passphrase on one share is refused" 1 "$OFFROOT" check-key -d "$T/a" \
    --share "$A1" --share-passphrase-file "$T/p1" --share "$A2" --share-passphrase-file "$T/wrong"
like "share 2 \(.*officer 2's share\): wrong passphrase" "$T/err" "... and named: share 2, officer 2"
like 'need 1 more' "$T/err" "... and the quorum says how many more"

cp "$A3" "$T/flipped.share"
$PY -c 'import sys
b = bytearray(open(sys.argv[1], "rb").read()); b[150] ^= 1
open(sys.argv[1], "wb").write(b)' "$T/flipped.share"
t_fail "a flipped byte in a share file is refused" 1 "$OFFROOT" check-key -d "$T/a" \
    --share "$A1" --share-passphrase-file "$T/p1" --share "$T/flipped.share" --share-passphrase-file "$T/p3"
like "share 2 \(.*officer 3's share\) is damaged or altered" "$T/err" "... and named before its KDF: share 2, officer 3"

B1=$(sharefile "$T/m1" 1)
t_fail "a share from another CA is refused" 1 "$OFFROOT" check-key -d "$T/a" \
    --share "$B1" --share-passphrase-file "$T/p1" --share "$A2" --share-passphrase-file "$T/p2"
like "share 1 \(.*\) belongs to another CA" "$T/err" "... and named: share 1"

t_fail "the same share given twice is refused" 1 "$OFFROOT" check-key -d "$T/a" \
    --share "$A2" --share-passphrase-file "$T/p2" --share "$A2" --share-passphrase-file "$T/p2"
like "share 2 \(.*\) is officer 2's share again: it was already given as share 1" "$T/err" "... and named: share 2 repeats share 1"

t_ok "a bad share is skipped when enough good ones follow" "$OFFROOT" check-key -d "$T/a" \
    --share "$T/flipped.share" --share-passphrase-file "$T/p3" --share "$A1" --share-passphrase-file "$T/p1" \
    --share "$A2" --share-passphrase-file "$T/p2"
t_fail "a passphrase file is not a share" 1 "$OFFROOT" check-key -d "$T/a" --passphrase-file "$T/p1"
t_fail "--share on a one-passphrase CA is a usage error" 2 sh -c \
    "'$OFFROOT' init -d '$T/plain' --subject '/C=DE/O=T/CN=P' --kdf interactive --passphrase-file '$PASS' >/dev/null 2>&1 &&
     '$OFFROOT' check-key -d '$T/plain' --share '$A1' --share-passphrase-file '$T/p1'"
t_fail "--quorum 0/3 is a usage error" 2 "$OFFROOT" init -d "$T/x" --subject /C=DE/CN=X --quorum 0/3 --share-dir "$T"
t_fail "--quorum 3/2 is a usage error" 2 "$OFFROOT" init -d "$T/x" --subject /C=DE/CN=X --quorum 3/2 --share-dir "$T"
t_fail "--quorum 2/17 is a usage error" 2 "$OFFROOT" init -d "$T/x" --subject /C=DE/CN=X --quorum 2/17 --share-dir "$T"
mkdir -p "$T/s11"
run "$OFFROOT" init -d "$T/one" --subject "/C=DE/O=T/CN=One" --kdf interactive --quorum 1/1 \
    --share-dir "$T/s11" --share-passphrase-file "$T/p1"
ok $rc "--quorum 1/1 is allowed"
like 'each officer holds the whole key' "$T/err" "... with a warning"

# --- the offroot-share(5) recipe, and no secret in any unsealed file
sed -n '/^import hashlib, struct, sys$/,/^\.Ed$/p' "$ROOT/manuals/offroot-share.5" |
    sed '$d' | sed 's/\\e/\\/g' >"$T/unshare.py"
umask 077
run $PY "$T/unshare.py" "$T/b/root.key.sealed" "$(sharefile "$T/m" 2)" "$T/p2" \
    "$(sharefile "$T/m" 4)" "$T/p4" "$(sharefile "$T/m" 5)" "$T/p5"
cp "$T/out" "$T/root.p8"
ok $rc "the offroot-share(5) recipe rebuilds the key from 3 of 5 shares"
a=$(openssl pkey -inform DER -in "$T/root.p8" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
b=$(openssl x509 -in "$T/b/root.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
[ -n "$a" ] && [ "$a" = "$b" ]; ok $? "... to root.crt's key"
run $PY "$T/unshare.py" "$T/b/root.key.sealed" "$(sharefile "$T/m" 2)" "$T/p2" "$(sharefile "$T/m" 4)" "$T/p4"
[ "$rc" -ne 0 ] && grep -q 'need 1 more' "$T/err"; ok $? "... and not from 2"

mkdir -p "$T/bk"
t_ok "backup of the 3-of-5 CA" "$OFFROOT" backup -d "$T/b" --to "$T/bk"
# Every secret: K, each share value, the PKCS#8 key and its scalar, and
# any 16-byte window of them.
$PY - "$T/unshare.py" "$T/b/root.key.sealed" "$T/m" "$T" "$T/b" "$T/bk" <<'PYEOF'
import glob, io, os, sys
recipe, keyfile, sharedir, t = sys.argv[1:5]
roots = sys.argv[5:]
args = [keyfile]
for x in range(1, 6):
    args += [glob.glob("%s/*-share-%d-of-5.share" % (sharedir, x))[0], "%s/p%d" % (t, x)]
ns = {"__name__": "recipe"}
saved = sys.argv, sys.stdout, sys.stderr
sys.argv = [recipe] + args
sys.stdout = io.TextIOWrapper(io.BytesIO())
sys.stderr = io.StringIO()
exec(open(recipe).read(), ns)
sys.argv, sys.stdout, sys.stderr = saved
from cryptography.hazmat.primitives.serialization import load_der_private_key
pkcs8 = ns["pkcs8"]
d = load_der_private_key(pkcs8, None).private_numbers().private_value.to_bytes(48, "big")
secrets = [("K", bytes(ns["K"])), ("PKCS#8", pkcs8), ("scalar", d)]
secrets += [("share value %d" % x, v) for x, v in ns["shares"].items()]
windows = {}
for name, s in secrets:
    for i in range(len(s) - 15):
        windows[s[i:i + 16]] = name
bad = []
for root in roots:
    for dirpath, _, files in os.walk(root):
        for f in files:
            data = open(os.path.join(dirpath, f), "rb").read()
            for w, name in windows.items():
                if w in data:
                    bad.append("%s in %s" % (name, os.path.join(dirpath, f)))
                    break
for b in bad:
    print("# " + b)
sys.exit(1 if bad else 0)
PYEOF
ok $? "no key, sealing key or share value in the CA directory, its journal, transcripts or backup"
rm -f "$T/root.p8"

# --- signing commands take the shares from the command line (CA b, 3-of-5)
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes -keyout "$T/int.key" \
    -subj "/C=DE/O=offroot tests/CN=Quorum Intermediate" -out "$T/int.csr" 2>/dev/null
B2=$(sharefile "$T/m" 2) B4=$(sharefile "$T/m" 4) B5=$(sharefile "$T/m" 5)
t_ok "offroot sign with --share/--share-passphrase-file, 3 of 5" "$OFFROOT" sign -d "$T/b" \
    --csr "$T/int.csr" -o "$T/qsign" --yes --share "$B2" --share-passphrase-file "$T/p2" \
    --share "$B4" --share-passphrase-file "$T/p4" --share "$B5" --share-passphrase-file "$T/p5"
run openssl verify -x509_strict -CAfile "$T/b/root.crt" "$T/qsign/certificate.pem"
ok $rc "... the certificate verifies with openssl against the root"
openssl crl -in "$T/qsign/crl.pem" -CAfile "$T/b/root.crt" -noout 2>/dev/null
ok $? "... and so does the bundle's CRL"
t_ok "... offroot verify accepts the bundle" "$OFFROOT" verify "$T/qsign" --root "$T/b/root.crt" --csr "$T/int.csr"
t_ok "offroot crl with --share/--share-passphrase-file, 3 of 5" "$OFFROOT" crl -d "$T/b" -o "$T/q.crl" \
    --share "$B2" --share-passphrase-file "$T/p2" --share "$B4" --share-passphrase-file "$T/p4" \
    --share "$B5" --share-passphrase-file "$T/p5"
openssl crl -in "$T/q.crl" -CAfile "$T/b/root.crt" -noout 2>/dev/null
ok $? "... the CRL verifies with openssl against the root"
serial=$(openssl x509 -in "$T/qsign/certificate.pem" -noout -serial | cut -d= -f2)
cp "$T/b/journal" "$T/bj.before"
# (int.csr again: --allow-reissue, so that the share count is what stops it.)
t_fail "offroot sign with one share of a 3-of-5 quorum: exit 1" 1 "$OFFROOT" sign -d "$T/b" \
    --csr "$T/int.csr" -o "$T/qsign1" --yes --allow-reissue --share "$B2" --share-passphrase-file "$T/p2"
like 'need 2 more' "$T/err" "... saying it needs 2 more"
[ ! -e "$T/qsign1" ]; ok $? "... and writes no bundle"
t_fail "offroot crl with one share of a 3-of-5 quorum: exit 1" 1 "$OFFROOT" crl -d "$T/b" -o "$T/q1.crl" \
    --share "$B4" --share-passphrase-file "$T/p4"
like 'need 2 more' "$T/err" "... saying it needs 2 more"
[ ! -e "$T/q1.crl" ]; ok $? "... and writes no CRL"
t_fail "offroot export with one share of a 3-of-5 quorum: exit 1" 1 "$OFFROOT" export -d "$T/b" \
    --serial "$serial" -o "$T/qexp1" --share "$B5" --share-passphrase-file "$T/p5"
like 'need 2 more' "$T/err" "... saying it needs 2 more"
cmp -s "$T/bj.before" "$T/b/journal"; ok $? "one share short: the journal is unchanged"

# --- reshare: 2-of-3 -> 3-of-5 on CA a
mkdir -p "$T/r35"
cp "$T/a/root.crt" "$T/a.crt.before"
t_ok "reshare 2/3 -> 3/5" "$OFFROOT" reshare -d "$T/a" --quorum 3/5 --share-dir "$T/r35" \
    --share "$A1" --share-passphrase-file "$T/p1" --share "$A3" --share-passphrase-file "$T/p3" \
    --new-share-passphrase-file "$T/n1" --new-share-passphrase-file "$T/n2" \
    --new-share-passphrase-file "$T/n3" --new-share-passphrase-file "$T/n4" \
    --new-share-passphrase-file "$T/n5"
opens "$T/a" "1 3" "$T/s23" p
[ "$rc" -eq 1 ] && grep -q 'another share set' "$T/err"; ok $? "the old shares no longer open the key"
opens "$T/a" "2 4 5" "$T/r35" n
ok $rc "the new shares open it"
cmp -s "$T/a/root.crt" "$T/a.crt.before"; ok $? "the root certificate is unchanged (check-key proved the same key)"
run "$OFFROOT" status -d "$T/a"
like '3-of-5 officer quorum' "$T/out" "status shows the new quorum"
t_ok "audit accepts the reshare (the key file's new digest is recorded)" "$OFFROOT" audit -d "$T/a"
like ' reshare .*old_quorum=2/3 .*quorum=3/5' "$T/a/journal" "the journal records the reshare"
opens "$T/a" "2 4" "$T/r35" n
like 'need 1 more' "$T/err" "after reshare, 2 of the 3 needed say need 1 more"

# --- reshare onto a full medium: exit 3, and everything as it was (key
# file, journal, old shares, no new share file anywhere)
if [ "$(id -u)" -eq 0 ] && mkdir -p "$T/full" && mount -t tmpfs -o size=1m tmpfs "$T/full" 2>/dev/null; then
	dd if=/dev/zero of="$T/full/filler" bs=4k 2>/dev/null
	cp "$T/b/root.key.sealed" "$T/bkey.before"; cp "$T/b/journal" "$T/bj.before"
	find "$T" -name '*.share' | sort >"$T/shares.before"
	t_fail "reshare onto a full medium exits 3" 3 "$OFFROOT" reshare -d "$T/b" --quorum 2/3 \
	    --share-dir "$T/full" --share "$B2" --share-passphrase-file "$T/p2" \
	    --share "$B4" --share-passphrase-file "$T/p4" --share "$B5" --share-passphrase-file "$T/p5" \
	    --new-share-passphrase-file "$T/n1" --new-share-passphrase-file "$T/n2" \
	    --new-share-passphrase-file "$T/n3"
	like 'No space left on device' "$T/err" "... saying the medium is full"
	cmp -s "$T/bkey.before" "$T/b/root.key.sealed"; ok $? "... root.key.sealed is byte-identical"
	cmp -s "$T/bj.before" "$T/b/journal"; ok $? "... the journal is byte-identical"
	[ "$(ls -A "$T/full")" = filler ]; ok $? "... nothing is left on the full medium"
	find "$T" -name '*.share' | sort | cmp -s - "$T/shares.before"; ok $? "... and no new share file anywhere"
	opens "$T/b" "1 3 5" "$T/m" p
	ok $rc "... the old shares still open the key"
	t_ok "... and audit passes" "$OFFROOT" audit -d "$T/b"
	umount "$T/full"
else
	ok 0 "# SKIP reshare onto a full medium needs root to mount a tmpfs"
fi
done_testing

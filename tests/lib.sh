# tests/lib.sh — shared helpers for the shell tests (TAP, run under prove).
# Each test sources this, calls plan N (or done_testing at the end), and
# works in $T, a fresh temporary directory removed at exit.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OFFROOT="$ROOT/${OFFROOT_BUILD:-build}/offroot"
PY=/usr/bin/python3		# Debian's, with python3-cryptography
T=$(mktemp -d "${TMPDIR:-/tmp}/offroot-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
_n=0
_failed=0

plan() { echo "1..$1"; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

ok() {	# ok CONDITION-EXIT-CODE NAME
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}

# run CMD...: runs it, keeps stdout in $T/out, stderr in $T/err, status in $rc
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# t_ok NAME CMD...: the command must succeed
t_ok() {
	_name=$1; shift
	run "$@"
	ok "$rc" "$_name"
	[ "$rc" -eq 0 ] || { echo "# exit $rc: $(head -c 600 "$T/err")"; }
}

# t_fail NAME EXPECTED-EXIT CMD...: the command must exit with that code
# and say exactly one error line on stderr.  The error line is the one line
# that starts with "offroot: " (or, for a helper script such as
# hsm/softhsm-setup, with the script's name and ": ") but not
# "offroot: warning: ", and it is the
# last line, except that a usage error (exit 2) may add the command's
# synopsis ("usage: offroot ...") after it.  Before it stderr may hold what
# offroot says there by design while it works (interact-cli.c: progress such
# as "Unlocking the root key (Argon2id)...", the officers' share tally,
# ceremony steps, "offroot: warning: ..." lines; --quiet drops the info
# lines), but never a dump of OpenSSL's error queue.
t_fail() {
	_name=$1; _want=$2; shift 2
	run "$@"
	_why=
	_prog=offroot
	case ${1##*/} in
	sh|bash|dash) [ "${2:-}" = -c ] || [ $# -lt 2 ] || _prog=${2##*/} ;;
	setsid|env|offroot) ;;
	*) _prog=${1##*/} ;;
	esac
	_errs=$(grep -E "^(offroot|$_prog): " "$T/err" | grep -cv '^offroot: warning: ' || true)
	_last=$(tail -n 1 "$T/err")
	if [ "$_want" -eq 2 ] && case $_last in "usage: offroot "*) true ;; *) false ;; esac; then
		_last=$(tail -n 2 "$T/err" | head -n 1)
	fi
	if [ "$rc" -ne "$_want" ]; then _why="exit $rc, want $_want"
	elif [ "$_errs" -ne 1 ]; then _why="$_errs error lines, want exactly 1"
	else case $_last in
		"offroot: warning: "*) _why="the last line is a warning, not the error" ;;
		"offroot: "*|"$_prog: "*) ;;
		*) _why="the error line is not the last line" ;;
		esac
	fi
	[ -n "$_why" ] || ! grep -q ':error:[0-9A-Fa-f]*:' "$T/err" || _why="OpenSSL's error queue on stderr"
	if [ -z "$_why" ]; then ok 0 "$_name"
	else ok 1 "$_name"; echo "# $_why: $(head -c 600 "$T/err" | sed '2,$s/^/#   /')"; fi
}

# like PATTERN FILE NAME: grep -E must find PATTERN
like() {
	if grep -Eq -- "$1" "$2"; then ok 0 "$3"
	else ok 1 "$3"; echo "# '$1' not in $2: $(head -c 400 "$2")"; fi
}

diag() { echo "# $*"; }

# check_chain NAME CERT ROOT: CERT (an intermediate) chains to ROOT for
# openssl verify -x509_strict, certtool --verify-chain and Python
# cryptography (the signature verifies with the root's key, AKI = the
# root's SKI, critical CA basicConstraints and keyUsage, validity nested,
# a serial of at least 128 bits): three TAP results.
check_chain() {
	run openssl verify -x509_strict -CAfile "$3" "$2"
	ok $rc "$1: openssl verify -x509_strict"
	cat "$2" "$3" >"$T/chain-check.pem"
	run certtool --verify-chain --infile "$T/chain-check.pem"
	ok $rc "$1: certtool --verify-chain"
	run $PY - "$2" "$3" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519, padding
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
r = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
pub = r.public_key()
if isinstance(pub, ec.EllipticCurvePublicKey):
    pub.verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
elif isinstance(pub, rsa.RSAPublicKey):
    pub.verify(c.signature, c.tbs_certificate_bytes, padding.PKCS1v15(), c.signature_hash_algorithm)
else:
    pub.verify(c.signature, c.tbs_certificate_bytes)
assert c.issuer == r.subject
aki = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
ski = r.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value
assert aki.key_identifier == ski.digest, "AKI is the root's SKI"
bc = c.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
assert bc.critical and bc.value.ca
ku = c.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
assert ku.critical and ku.value.key_cert_sign and ku.value.crl_sign
assert c.not_valid_before >= r.not_valid_before and c.not_valid_after <= r.not_valid_after
assert c.serial_number > 0 and c.serial_number.bit_length() >= 128
PYEOF
	ok $rc "$1: python cryptography: signature, AKI = root SKI, CA extensions, nesting"
	[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
}

# A passphrase file for automation (never argv).
PASS="$T/pass"
printf 'correct horse battery staple\n' >"$PASS"

# new_ca DIR [extra init options...]: a CA with a fast KDF for tests.
# With the built-in (CA/B Forum) profiles it records the CRL URL
# $TEST_CRL_URL, which a BR subordinate CA certificate must carry (lint
# e_subca_crldp_missing), unless the options give --crl-url or --profiles.
TEST_CRL_URL=http://crl.offroot.test/root.crl
new_ca() {
	_dir=$1; shift
	case " $* " in
	*" --profiles "*|*" --crl-url "*) set -- "$@" ;;
	*) set -- "$@" --crl-url "$TEST_CRL_URL" ;;
	esac
	"$OFFROOT" init -d "$_dir" --subject "/C=DE/O=offroot tests/CN=Test Root" \
	    --kdf interactive --passphrase-file "$PASS" "$@" >"$T/init.out" 2>"$T/init.err"
}

# ca_snapshot DIR / ca_unchanged DIR: saves the CA directory's journal and
# list of files, then checks both are exactly as saved (a refusal records
# nothing and writes nothing into the CA).
ca_snapshot() {
	cp "$1/journal" "$T/journal.before"
	(cd "$1" && find . | sort) >"$T/files.before"
}
ca_unchanged() {
	cmp -s "$T/journal.before" "$1/journal" &&
	    (cd "$1" && find . | sort) | cmp -s - "$T/files.before"
}

# mkcsr NAME: a P-256 key and a CSR for /C=DE/O=offroot tests/CN=NAME in
# $T/NAME.key and $T/NAME.csr.
mkcsr() {
	openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
	    -keyout "$T/$1.key" -subj "/C=DE/O=offroot tests/CN=$1" \
	    -out "$T/$1.csr" 2>/dev/null
}

# issue_intermediate CA NAME: signs a fresh CSR for NAME (mkcsr) into the
# bundle $T/b-NAME, as one t_ok check; the certificate is
# $T/b-NAME/certificate.pem and its serial (hex, as openssl prints it) is
# echoed by serial_of.
issue_intermediate() {
	mkcsr "$2"
	t_ok "sign issues $2" "$OFFROOT" sign -d "$1" --csr "$T/$2.csr" \
	    -o "$T/b-$2" --passphrase-file "$PASS" --yes
}
serial_of() { openssl x509 -in "$1" -noout -serial | cut -d= -f2; }

# crl_number FILE: the CRL number openssl reads (hex, no 0x).
crl_number() {
	openssl crl -in "$1" -noout -crlnumber 2>/dev/null | sed 's/crlNumber=0x//'
}

# random_serials N FILE: N random 20-byte serials (top bit clear), one a
# line in hex, for bulk revocations.
random_serials() {
	$PY -c '
import os, sys
with open(sys.argv[2], "w") as f:
    for i in range(int(sys.argv[1])):
        b = bytearray(os.urandom(20)); b[0] &= 0x7f
        f.write(b.hex() + "\n")
' "$1" "$2"
}

# csr_hash_first TRANSCRIPT: in the records after the transcript's last
# "resume" (all of them when it has none), the witness's yes to a CSR's
# SHA-256 ("csr-hash ... answer=yes") comes before "key-unlocked" (when
# the step unlocked the key) and before "signed", and there is a "signed".
csr_hash_first() {
	awk '/ resume /{h=k=s=0; n=0} {n++}
	    / csr-hash .* answer=yes/ && !h {h=n}
	    / key-unlocked / && !k {k=n}
	    / signed / && !s {s=n}
	    END {exit !(h && s && h < s && (!k || h < k))}' "$1"
}

# export_serials CADIR OUTDIR PARTS DESC: the journal's export records for
# OUTDIR (PARTS of them, one manifest) list exactly the serials of the
# certificates in OUTDIR.
export_serials() {
	run $PY - "$1/journal" "$2" "$3" <<'PYEOF'
import glob, os, re, sys, urllib.parse
from cryptography import x509
journal, outdir, parts = sys.argv[1], sys.argv[2], int(sys.argv[3])
want = sorted("%x" % x509.load_pem_x509_certificate(open(f, "rb").read()).serial_number
              for f in glob.glob(outdir + "/**/certificate.pem", recursive=True))
recs = []
for line in open(journal).read().splitlines()[1:]:
    w = line.split(" ")
    if w[2] != "export":
        continue
    f = dict(x.split("=", 1) for x in w[4:-1])
    if urllib.parse.unquote(f["outdir"]) == outdir:
        recs.append(f)
assert len(recs) == parts, "%d export records, want %d" % (len(recs), parts)
got = []
for i, f in enumerate(recs):
    assert f["certificates"] == str(len(want)), f["certificates"]
    assert f.get("part") == (None if parts == 1 else "%d/%d" % (i + 1, parts)), f.get("part")
    assert len(set(r["manifest_sha256"] for r in recs)) == 1
    got += f["serials"].split(",")
assert len(got) == len(want), "%d serials recorded, %d certificates" % (len(got), len(want))
assert sorted(got) == want, "the recorded serials are not the bundle's"
PYEOF
	ok $rc "$4"
	[ $rc -eq 0 ] || diag "$(tail -2 "$T/err")"
}

#!/bin/sh
# Hostile and malformed CSRs, and media that is full or fails mid-write:
# one line, the documented exit code, nothing half-written, and the journal
# never says more than what happened.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

new_ca "$T/ca" --profiles "$K8S"; ok $? "root"
sh "$ROOT/tests/csr-corpus" "$T/corpus" >/dev/null 2>"$T/corpus.err"
ok $? "the hostile CSR corpus was generated"
mkdir "$T/a-directory.csr"; ln -s /dev/zero "$T/dev-zero.csr"
cp "$T/ca/journal" "$T/j.before"
for f in "$T"/corpus/* "$T/a-directory.csr" "$T/dev-zero.csr"; do
	name=$(basename "$f")
	case $name in good-*) continue ;; esac
	[ -d "$f" ] && [ "$f" != "$T/a-directory.csr" ] && continue
	run "$OFFROOT" sign -d "$T/ca" -o "$T/out-$name" --csr "$f" --passphrase-file "$PASS" --yes
	lines=$(grep -c '' "$T/err")
	[ "$rc" -eq 1 ] && [ "$lines" -eq 1 ]
	ok $? "$name: refused with exit 1 and one line"
	[ "$rc" -eq 1 ] && [ "$lines" -eq 1 ] || diag "exit $rc: $(head -c 300 "$T/err")"
	[ ! -e "$T/out-$name" ]; ok $? "$name: nothing written to OUTDIR"
done
cmp -s "$T/j.before" "$T/ca/journal"; ok $? "no refused CSR reached the journal"
ls "$T/ca/issued" | grep -q . && r=1 || r=0; ok $r "no refused CSR left a certificate"

# Every good CSR of the corpus signs (one at a time: some share a key; some
# are one request in another encoding, and signing that again is a reissue,
# which --allow-reissue lets through).
for f in "$T"/corpus/good-*; do
	name=$(basename "$f")
	if [ "$name" = good-ec-p521.csr ]; then
		# A sound CSR, but the kubernetes profiles list no P-521 keys.
		t_fail "$name: imported, then refused by the profile" 1 \
		    "$OFFROOT" sign -d "$T/ca" -o "$T/ok-$name" --csr "$f" --passphrase-file "$PASS" --yes
		like 'does not allow ec-p521' "$T/err" "$name: the profile is named as the reason"
		continue
	fi
	run "$OFFROOT" sign -d "$T/ca" -o "$T/ok-$name" --csr "$f" --passphrase-file "$PASS" --yes \
	    --allow-reissue
	ok $rc "$name: signed"
	[ $rc -eq 0 ] || diag "$(cat "$T/err")"
	t_ok "$name: the bundle verifies with its CSR" \
	    "$OFFROOT" verify "$T/ok-$name" --root "$T/ca/root.crt" --csr "$f"
done

# The CA decides the extensions: what a CSR asks for (a SAN, a private
# critical extension) is shown by inspect, and not copied.
R="$T/corpus/good-requested-extensions.csr"
t_ok "inspect a CSR with requested extensions" "$OFFROOT" inspect "$R"
like '^requested extensions \(not copied' "$T/out" "inspect lists the requested extensions"
like '^  X509v3 Subject Alternative Name' "$T/out" "... the SAN"
like 'DNS:ca\.example\.net' "$T/out" "... with its name"
like '^  1\.3\.6\.1\.4\.1\.55555\.1\.1, critical' "$T/out" "... the private critical extension"
like '^  X509v3 Basic Constraints, critical' "$T/out" "... basicConstraints"
like '^  X509v3 Key Usage, critical' "$T/out" "... keyUsage"
run $PY - "$T/ok-good-requested-extensions.csr/certificate.pem" "$T/ok-good-ec-p256.csr/certificate.pem" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.serialization import Encoding
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
ref = x509.load_pem_x509_certificate(open(sys.argv[2], "rb").read())
oids = [e.oid.dotted_string for e in c.extensions]
assert ExtensionOID.SUBJECT_ALTERNATIVE_NAME.dotted_string not in oids, "the requested SAN was copied"
assert "1.3.6.1.4.1.55555.1.1" not in oids, "the requested private extension was copied"
assert all(not e.oid.dotted_string.startswith("1.3.6.1.4.1.55555") for e in c.extensions)
assert b"ca.example.net" not in c.public_bytes(Encoding.DER), "the requested name is in the certificate"
assert sorted(oids) == sorted(e.oid.dotted_string for e in ref.extensions), \
    "extensions differ from a plain CSR's under the same profile: %s" % oids
PYEOF
ok $rc "no requested SAN or private extension in the issued certificate: the profile's extensions only"
[ $rc -eq 0 ] || diag "$(tail -2 "$T/err")"

# Full and failing media need a tmpfs of our own.
mkdir "$T/media"
if ! mount -t tmpfs -o size=1m tmpfs "$T/media" 2>/dev/null; then
	echo "# SKIP: cannot mount a tmpfs here (not root, or no mount permission)"
	done_testing
	exit $?
fi
trap 'umount "$T/media" 2>/dev/null; umount "$T/media2" 2>/dev/null; rm -rf "$T"' EXIT
dd if=/dev/zero of="$T/media/filler" bs=4k 2>/dev/null
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/i.key" \
    -subj "/CN=Vault Intermediate" -out "$T/i.csr" 2>/dev/null
cp "$T/ca/journal" "$T/j.before"
t_fail "a full media: exit 3" 3 \
    "$OFFROOT" sign -d "$T/ca" -o "$T/media/bundle" --csr "$T/i.csr" --passphrase-file "$PASS" --yes
like 'full' "$T/err" "the error says the media is full"
[ "$(ls -A "$T/media")" = filler ]; ok $? "a full media: no partial bundle"
cmp -s "$T/j.before" "$T/ca/journal"; ok $? "a full media: checked before the key was used, journal unchanged"

# Space, but too few inodes: the write fails half-way through the bundle.
mkdir "$T/media2"
mount -t tmpfs -o size=1m,nr_inodes=5 tmpfs "$T/media2"
t_fail "media failing mid-bundle: exit 3" 3 \
    "$OFFROOT" sign -d "$T/ca" -o "$T/media2/bundle" --csr "$T/i.csr" --passphrase-file "$PASS" --yes
like 'issued and recorded, but the bundle was not written' "$T/err" "the error says what was and was not done"
[ -z "$(ls -A "$T/media2")" ]; ok $? "media failing mid-bundle: no partial bundle left"
serial=$(grep ' issue ' "$T/ca/journal" | tail -1 | sed 's/.* serial=\([0-9a-f]*\) .*/\1/')
grep -q " export .*serials=$serial" "$T/ca/journal" && r=1 || r=0
ok $r "the journal does not record the failed export"
t_ok "audit still passes" "$OFFROOT" audit -d "$T/ca"
umount "$T/media2"
t_ok "offroot export writes the bundle again" \
    "$OFFROOT" export -d "$T/ca" --serial "$serial" -o "$T/again" --passphrase-file "$PASS"
t_ok "the re-exported bundle verifies with the CSR" \
    "$OFFROOT" verify "$T/again" --root "$T/ca/root.crt" --csr "$T/i.csr"
t_fail "export of a serial this CA never issued: exit 1" 1 \
    "$OFFROOT" export -d "$T/ca" --serial 1234abcd -o "$T/never" --passphrase-file "$PASS"
done_testing

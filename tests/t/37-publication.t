#!/bin/sh
# Where relying parties find things, and when a fresh certificate starts:
# the CA's crl-url and ca-issuers-url (init, or offroot set with a journal
# record audit knows) go into every intermediate's crlDistributionPoints
# and authorityInfoAccess, as openssl, certtool and Python cryptography
# read them; a malformed URL is refused with nothing changed; the CA/B
# Forum profiles refuse a subordinate CA without a CDP and say how to set
# one; the Kubernetes profiles add them only when set.  notBefore is the
# review time minus the profile's backdate (one hour by default), never
# before the root's, and the validity period stays N days.  An Ed25519
# root is warned about at init.
. "$(dirname "$0")/../lib.sh"

K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
CRL=http://crl.example.test/offroot/root.crl
AIA=http://pki.example.test:8080/root.crt

# cert_time CERT start|end: notBefore or notAfter as seconds since 1970.
cert_time() {
	$PY - "$1" "$2" <<'PYEOF'
import sys
from cryptography import x509
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
t = c.not_valid_before if sys.argv[2] == "start" else c.not_valid_after
print(int(t.replace(tzinfo=__import__("datetime").timezone.utc).timestamp()))
PYEOF
}

# ---- init records both URLs; a CA/B intermediate carries them ----
t0=$(date +%s)
new_ca "$T/ca" --crl-url "$CRL" --ca-issuers-url "$AIA"; ok $? "init --crl-url --ca-issuers-url"
t1=$(date +%s)
grep -q " init .*crl_url=http://crl.example.test/offroot/root.crl .*ca_issuers_url=http://pki.example.test:8080/root.crt " "$T/ca/journal"
ok $? "the init record holds both URLs"
t_ok "status" "$OFFROOT" status -d "$T/ca"
like "^CRL URL: +$CRL\$" "$T/out" "status shows the CRL URL"
like "^CA issuers URL: +$AIA\$" "$T/out" "status shows the CA issuers URL"
t_ok "status --json" "$OFFROOT" status -d "$T/ca" --json
$PY -c 'import json,sys; d=json.load(open(sys.argv[1]))
assert d["crl_url"] == sys.argv[2] and d["ca_issuers_url"] == sys.argv[3], d' \
    "$T/out" "$CRL" "$AIA"
ok $? "status --json has crl_url and ca_issuers_url"

mkcsr int1
s0=$(date +%s)
t_ok "sign an intermediate (built-in CA/B profile)" "$OFFROOT" sign -d "$T/ca" --csr "$T/int1.csr" \
    -o "$T/b1" --passphrase-file "$PASS" --yes
s1=$(date +%s)
cp "$T/out" "$T/sign1.out"
like '^backdate: +1 h, cut short: notBefore is the root.s notBefore' "$T/sign1.out" \
    "the review shows the backdate, cut short by a root made just now"
C1="$T/b1/certificate.pem"
openssl x509 -in "$C1" -noout -text >"$T/x1.txt"
like "^ +X509v3 CRL Distribution Points:" "$T/x1.txt" "openssl: crlDistributionPoints present"
like "^ +URI:$CRL\$" "$T/x1.txt" "openssl: ... with the CRL URL"
like "^ +CA Issuers - URI:$AIA\$" "$T/x1.txt" "openssl: authorityInfoAccess caIssuers with the URL"
certtool -i --infile "$C1" >"$T/ct1.txt" 2>&1
like "CRL Distribution points \(not critical\):" "$T/ct1.txt" "certtool: CRL distribution points, not critical"
like "URI: $CRL\$" "$T/ct1.txt" "certtool: ... the CRL URL"
like "Access Method: 1.3.6.1.5.5.7.48.2 \(id-ad-caIssuers\)" "$T/ct1.txt" "certtool: id-ad-caIssuers"
like "Access Location URI: $AIA\$" "$T/ct1.txt" "certtool: ... the CA issuers URL"
run $PY - "$C1" "$CRL" "$AIA" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, AuthorityInformationAccessOID
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
cdp = c.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS)
assert not cdp.critical
(dp,) = cdp.value
assert dp.relative_name is None and dp.reasons is None and dp.crl_issuer is None
assert [n.value for n in dp.full_name] == [sys.argv[2]], dp.full_name
assert all(isinstance(n, x509.UniformResourceIdentifier) for n in dp.full_name)
aia = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS)
assert not aia.critical
(ad,) = aia.value
assert ad.access_method == AuthorityInformationAccessOID.CA_ISSUERS
assert isinstance(ad.access_location, x509.UniformResourceIdentifier)
assert ad.access_location.value == sys.argv[3]
PYEOF
ok $rc "python cryptography: one distribution point (full name, the URL), one caIssuers URI"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"
check_chain "CA/B intermediate with CDP and AIA" "$C1" "$T/ca/root.crt"

# notBefore: never before the root's (made a moment ago), so the hour of
# backdate is cut to the root's notBefore; the validity period is N days.
rnb=$(cert_time "$T/ca/root.crt" start)
nb=$(cert_time "$C1" start); na=$(cert_time "$C1" end)
[ "$nb" -eq "$rnb" ] && [ "$rnb" -ge $((t0 - 1)) ] && [ "$rnb" -le "$t1" ]
ok $? "notBefore = the root's notBefore, not an hour before it (root $rnb, intermediate $nb)"
[ $((na - nb)) -eq $((1825 * 86400 - 1)) ]
ok $? "notAfter = notBefore + 1825 days - 1 s (the validity period is the profile's)"

# ---- the backdate measured: a root whose notBefore is 2 h old ----
sed '/^\[root\]$/a backdate = 2h' "$K8S" >"$T/k8s-bd.cnf"
t_ok "profile check shows a backdate the profile sets" "$OFFROOT" profile check "$T/k8s-bd.cnf"
like '^  \[root\] private: 365 days, pathlen 2, keys [a-z0-9,-]+, backdate 2 h' "$T/out" \
    "... [root] backdate 2 h"
i0=$(date +%s)
new_ca "$T/kbd" --profiles "$T/k8s-bd.cnf"; ok $? "init with a root profile that sets backdate = 2h"
i1=$(date +%s)
rnb=$(cert_time "$T/kbd/root.crt" start)
[ "$rnb" -ge $((i0 - 7200 - 1)) ] && [ "$rnb" -le $((i1 - 7200)) ]
ok $? "the root's notBefore is init time - 2 h ($((i0 - rnb)) s before init began)"
like "profile root backdates the root's notBefore by 2 h" "$T/init.err" "init says the root is backdated"
mkcsr int2
s0=$(date +%s)
t_ok "sign the Vault intermediate" "$OFFROOT" sign -d "$T/kbd" --csr "$T/int2.csr" \
    -o "$T/b2" --passphrase-file "$PASS" --yes
s1=$(date +%s)
like '^backdate: +1 h \(notBefore = now - 1 h, for clocks behind this one\)' "$T/out" \
    "the review shows the one-hour backdate"
nb=$(cert_time "$T/b2/certificate.pem" start); na=$(cert_time "$T/b2/certificate.pem" end)
[ "$nb" -ge $((s0 - 3600 - 1)) ] && [ "$nb" -le $((s1 - 3600)) ]
ok $? "notBefore = signing time - 1 h (within [$((s0 - 3600)), $((s1 - 3600))]: $nb)"
[ $((na - nb)) -eq $((180 * 86400 - 1)) ]
ok $? "the Vault intermediate's validity period is still exactly 180 days"
grep -q " reviewed .*backdate=3600 " "$T"/kbd/transcripts/*sign*.log 2>/dev/null ||
    grep -q " reviewed .*backdate=3600 " "$T"/kbd/transcripts/*
ok $? "the sign transcript records the reviewed backdate"
check_chain "backdated intermediate" "$T/b2/certificate.pem" "$T/kbd/root.crt"

# ---- the Kubernetes profiles: nothing new unless the URLs are set ----
openssl x509 -in "$T/b2/certificate.pem" -noout -ext crlDistributionPoints,authorityInfoAccess \
    >"$T/noext.txt" 2>&1
! grep -q 'URI' "$T/noext.txt"; ok $? "Kubernetes intermediate without URLs: no CDP, no AIA"
run $PY - "$T/b2/certificate.pem" <<'PYEOF'
import sys
from cryptography import x509
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
names = [e.oid._name for e in c.extensions]
assert names == ["basicConstraints", "keyUsage", "subjectKeyIdentifier",
                 "authorityKeyIdentifier"], names
PYEOF
ok $rc "... its extensions are exactly the profile's four, in order"

# ---- offroot set: reviewed, journaled, audited ----
ca_snapshot "$T/kbd"
for bad in "https://crl.example.test/root.crl" "ftp://crl.example.test/root.crl" \
    "http://crl.example.test/a b.crl" "http://user@crl.example.test/root.crl" \
    "http://crl.example.test/root.crl#frag" "http://crl.example.test" \
    "http://crl.example.test:99999/root.crl" "http://-bad-.example/root.crl" \
    "http://crl.exämple.test/root.crl" "http://crl.example.test/%zz" \
    "crl.example.test/root.crl" "http://crl.example.test/root.crl$(printf '\033')[31m"; do
	t_fail "set refuses crl-url=$(printf '%s' "$bad" | tr -d '\033')" 2 \
	    "$OFFROOT" set -d "$T/kbd" "crl-url=$bad" --yes
done
like 'offroot: crl-url: "http://crl.example.test/root.crl\\x1b\[31m": ' "$T/err" \
    "the refused URL is shown escaped"
t_fail "set refuses an unknown setting" 2 "$OFFROOT" set -d "$T/kbd" "ocsp-url=$CRL" --yes
t_fail "set refuses an argument without =" 2 "$OFFROOT" set -d "$T/kbd" crl-url --yes
t_fail "set refuses a setting given twice" 2 "$OFFROOT" set -d "$T/kbd" "crl-url=$CRL" "crl-url=$CRL" --yes
t_fail "set without an assignment is a usage error" 2 "$OFFROOT" set -d "$T/kbd" --yes
t_fail "set without --yes and without a terminal records nothing" 3 \
    "$OFFROOT" set -d "$T/kbd" "crl-url=$CRL" </dev/null
ca_unchanged "$T/kbd"; ok $? "every refusal left the CA byte for byte as it was"

t_ok "set crl-url and ca-issuers-url" "$OFFROOT" set -d "$T/kbd" "crl-url=$CRL" "ca-issuers-url=$AIA" --yes
like "^crl-url +\(not set\)\$" "$T/out" "the review shows the old value"
like "^  becomes +$CRL\$" "$T/out" "... and the new one"
[ "$(grep -c ' set ' "$T/kbd/journal")" -eq 2 ]; ok $? "two set records"
grep -q " set .*name=crl-url old= value=http://crl.example.test/offroot/root.crl " "$T/kbd/journal"
ok $? "the set record holds the name, the old and the new value"
t_ok "audit knows the set records" "$OFFROOT" audit -d "$T/kbd"
t_ok "set with the same value again" "$OFFROOT" set -d "$T/kbd" "crl-url=$CRL" --yes
like "nothing to change" "$T/out" "... changes nothing"
[ "$(grep -c ' set ' "$T/kbd/journal")" -eq 2 ]; ok $? "... and records nothing"
mkcsr int3
t_ok "sign under the Kubernetes profile with the URLs set" "$OFFROOT" sign -d "$T/kbd" \
    --csr "$T/int3.csr" -o "$T/b3" --passphrase-file "$PASS" --yes
run $PY - "$T/b3/certificate.pem" "$CRL" "$AIA" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
c = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
names = [e.oid._name for e in c.extensions]
assert names == ["basicConstraints", "keyUsage", "subjectKeyIdentifier",
                 "authorityKeyIdentifier", "cRLDistributionPoints",
                 "authorityInfoAccess"], names
cdp = c.extensions.get_extension_for_oid(ExtensionOID.CRL_DISTRIBUTION_POINTS).value
assert cdp[0].full_name[0].value == sys.argv[2]
aia = c.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_INFORMATION_ACCESS).value
assert aia[0].access_location.value == sys.argv[3]
PYEOF
ok $rc "Kubernetes intermediate with the URLs set: the profile's four, then CDP and AIA"
check_chain "Kubernetes intermediate with CDP and AIA" "$T/b3/certificate.pem" "$T/kbd/root.crt"
# A profile's own crlDistributionPoints line wins over the CA's crl-url.
sed '/^\[intermediate\]$/a crlDistributionPoints = URI:http://own.example.test/own.crl' "$K8S" >"$T/own.cnf"
mkcsr int5
t_ok "sign under a profile with its own crlDistributionPoints" "$OFFROOT" sign -d "$T/kbd" \
    --profiles "$T/own.cnf" --csr "$T/int5.csr" -o "$T/b5" --passphrase-file "$PASS" --yes
like "^offroot: warning: profile intermediate writes its own crlDistributionPoints: the CA's crl-url \($CRL\) is not used" \
    "$T/err" "... warns that the CA's crl-url is not used"
openssl x509 -in "$T/b5/certificate.pem" -noout -text >"$T/x5.txt"
grep -q "URI:http://own.example.test/own.crl" "$T/x5.txt" && ! grep -q "URI:$CRL" "$T/x5.txt" &&
    grep -q "CA Issuers - URI:$AIA" "$T/x5.txt"
ok $? "... the profile's CDP, and the CA's caIssuers"
t_ok "set removes ca-issuers-url (NAME=)" "$OFFROOT" set -d "$T/kbd" "ca-issuers-url=" --yes
t_ok "status after the removal" "$OFFROOT" status -d "$T/kbd"
like "^CA issuers URL: +not set\$" "$T/out" "status: the CA issuers URL is no longer set"
like "^CRL URL: +$CRL\$" "$T/out" "status: the CRL URL stays"
t_ok "audit after three set records" "$OFFROOT" audit -d "$T/kbd"
# A set record naming no setting offroot knows, chained correctly: audit
# refuses it rather than guessing.
cp -a "$T/kbd" "$T/kbd-odd"
$PY - "$T/kbd-odd/journal" <<'PYEOF'
import hashlib, sys, time
path = sys.argv[1]
last = open(path, "rb").read().decode().splitlines()[-1].split(" ")
seq, prev = int(last[0]) + 1, last[-1]
line = "%d %s set %s name=ocsp-url old= value=http://x.example/o " % (
    seq, time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), prev)
line += hashlib.sha256(line.encode()).hexdigest() + "\n"
open(path, "ab").write(line.encode())
PYEOF
t_fail "audit refuses a set record for an unknown setting" 1 "$OFFROOT" audit -d "$T/kbd-odd"
like "set record [0-9]+ names no known setting" "$T/err" "... naming the record"

# ---- the CA/B lint: no subordinate CA without a CDP ----
"$OFFROOT" init -d "$T/nocdp" --subject "/C=DE/O=offroot tests/CN=No CDP Root" \
    --kdf interactive --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "a CA/B root without a crl-url"
t_ok "status of that CA" "$OFFROOT" status -d "$T/nocdp"
like "^WARNING: no CRL URL: profile intermediate \(CA/B\) refuses to sign until one is set" "$T/out" \
    "status warns before the ceremony that no intermediate can be signed"
mkcsr int4
ca_snapshot "$T/nocdp"
t_fail "sign refuses a CA/B subordinate CA without a CDP" 1 "$OFFROOT" sign -d "$T/nocdp" \
    --csr "$T/int4.csr" -o "$T/b4" --passphrase-file "$PASS" --yes
like "e_subca_crldp_missing" "$T/err" "... lint e_subca_crldp_missing"
like "offroot set -d DIR crl-url=http://" "$T/err" "... telling the officer to set crl-url"
ca_unchanged "$T/nocdp" && [ ! -e "$T/b4" ]; ok $? "... nothing signed, recorded or written"
t_ok "set crl-url on that CA" "$OFFROOT" set -d "$T/nocdp" "crl-url=$CRL" --yes
run "$OFFROOT" status -d "$T/nocdp"
! grep -q "no CRL URL" "$T/out"; ok $? "status: the warning is gone once crl-url is set"
t_ok "then the same CSR is signed" "$OFFROOT" sign -d "$T/nocdp" --csr "$T/int4.csr" \
    -o "$T/b4" --passphrase-file "$PASS" --yes
openssl x509 -in "$T/b4/certificate.pem" -noout -ext crlDistributionPoints >"$T/x4.txt" 2>&1
like "URI:$CRL" "$T/x4.txt" "... carrying the CRL URL set after init"
t_ok "audit" "$OFFROOT" audit -d "$T/nocdp"

# ---- init refuses a bad URL before anything is made ----
t_fail "init refuses --crl-url https://" 2 "$OFFROOT" init -d "$T/bad1" --subject "/CN=x" \
    --kdf interactive --passphrase-file "$PASS" --crl-url https://crl.example.test/r.crl
t_fail "init refuses a --ca-issuers-url with a space" 2 "$OFFROOT" init -d "$T/bad2" \
    --subject "/CN=x" --kdf interactive --passphrase-file "$PASS" \
    --ca-issuers-url "http://x.example/a b.crt"
[ ! -e "$T/bad1" ] && [ ! -e "$T/bad2" ] && [ -z "$(ls -A "$T" | grep offroot-init)" ]
ok $? "... and makes nothing"
sed 's|^param: crl_url = .*|param: crl_url = http://crl.example.com:0/root.crl|' \
    "$ROOT/ceremony-scripts/root.ceremony" >"$T/badurl.ceremony"
t_fail "script check refuses a bad crl_url in a ceremony" 1 "$OFFROOT" script check "$T/badurl.ceremony"
like "crl_url: the port is not 1 to 65535" "$T/err" "... saying why"

# ---- Ed25519 roots are warned about ----
new_ca "$T/ed" --profiles "$K8S" --key ed25519; ok $? "init an Ed25519 root (Kubernetes profiles)"
like "^offroot: warning: .*Ed25519 root.*x/crypto/ocsp.*pkijs" "$T/init.err" \
    "init warns: Go's x/crypto/ocsp and pkijs cannot verify it"
new_ca "$T/ec" --profiles "$K8S"; ok $? "init an ec-p384 root with the same profiles"
! grep -q "Ed25519" "$T/init.err"; ok $? "... no Ed25519 warning for it"
done_testing

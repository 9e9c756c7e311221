#!/bin/sh
# Root creation for every key type, checked by three implementations nobody
# here wrote: openssl verify -x509_strict, GnuTLS certtool, Python cryptography.
. "$(dirname "$0")/../lib.sh"

for k in ec-p384 ec-p256 rsa-3072 rsa-4096 ed25519; do
	d="$T/ca-$k"
	# ed25519 is not BR-eligible: the built-in root profile refuses it, a
	# private profile allows it.
	if [ "$k" = ed25519 ]; then
		extra="--profiles $ROOT/ceremony-scripts/kubernetes/profiles.cnf"
	else
		extra=
	fi
	# shellcheck disable=SC2086
	new_ca "$d" --key "$k" $extra; ok $? "init --key $k"
	[ -f "$d/root.crt" ] || { diag "$(cat "$T/init.err")"; continue; }
	run openssl verify -x509_strict -CAfile "$d/root.crt" "$d/root.crt"
	ok $rc "$k: openssl verify -x509_strict accepts the root"
	run certtool --verify --load-ca-certificate "$d/root.crt" --infile "$d/root.crt"
	ok $rc "$k: certtool --verify accepts the root"
	run $PY "$ROOT/tests/t/check_cert.py" "$d/root.crt"
	ok $rc "$k: python cryptography: BR root shape, serial entropy, signature"
	[ $rc -eq 0 ] || diag "$(cat "$T/out")"
	like '^[0-9A-F]{4}( [0-9A-F]{4}){7}$' "$T/init.out" "$k: fingerprint printed as hex"
	fp=$(openssl x509 -in "$d/root.crt" -outform DER | sha256sum | cut -c1-8 | tr a-f A-F)
	like "^${fp%????} ${fp#????}" "$T/init.out" "$k: printed fingerprint is the certificate's SHA-256"
done

# The default is ec-p384 with the BR root profile.
new_ca "$T/default"; ok $? "init with defaults"
run openssl x509 -in "$T/default/root.crt" -noout -text
like 'ASN1 OID: secp384r1' "$T/out" "default key is P-384"
like 'ecdsa-with-SHA384' "$T/out" "P-384 root is signed with SHA-384"
run $PY "$ROOT/tests/t/check_cert.py" "$T/default/root.crt" - none
ok $rc "BR root profile: no pathLenConstraint"

# The Kubernetes reference hierarchy: exactly 365 days and pathlen 2.
new_ca "$T/k8s" --profiles "$ROOT/ceremony-scripts/kubernetes/profiles.cnf" --profile root
ok $? "init with the kubernetes profile set"
run $PY "$ROOT/tests/t/check_cert.py" "$T/k8s/root.crt" 365 2
ok $rc "kubernetes root: 365 days inclusive, pathlen 2"
[ $rc -eq 0 ] || diag "$(cat "$T/out")"

# --days shortens, never lengthens.
new_ca "$T/short" --profiles "$ROOT/ceremony-scripts/kubernetes/profiles.cnf" --days 100
ok $? "--days 100 under a 365-day profile"
run $PY "$ROOT/tests/t/check_cert.py" "$T/short/root.crt" 100
ok $rc "--days 100 gives exactly 100 days"
t_fail "--days beyond the profile is refused" 1 \
    "$OFFROOT" init -d "$T/long" --subject "/CN=x" --kdf interactive \
    --passphrase-file "$PASS" --profiles "$ROOT/ceremony-scripts/kubernetes/profiles.cnf" --days 366
[ ! -e "$T/long" ]; ok $? "nothing was created for the refused --days"

# A subject the linter refuses is refused before anything is asked or made:
# the root is rehearsed with a throwaway key.  No passphrase file and no
# terminal: reaching the passphrase prompt would be exit 3, not the lint's 1.
t_fail "a subject the BR root profile refuses, before the passphrase" 1 \
    setsid "$OFFROOT" init -d "$T/nocountry" --subject "/CN=no country" --kdf interactive
like 'before the key is made: lint .*countryName' "$T/err" "the lint finding is named"
! grep -q 'Generating' "$T/out" "$T/err"; ok $? "no key was generated"
[ ! -e "$T/nocountry" ] && ! ls -a "$T" | grep -q 'nocountry.offroot-init'
ok $? "nothing was created for the refused subject"

# Both DN syntaxes give the same subject.
"$OFFROOT" init -d "$T/dn1" --subject "/C=DE/O=Example Org/CN=Example Root" \
    --kdf interactive --passphrase-file "$PASS" >/dev/null 2>&1
"$OFFROOT" init -d "$T/dn2" --subject "CN=Example Root,O=Example Org,C=DE" \
    --kdf interactive --passphrase-file "$PASS" >/dev/null 2>&1
a=$(openssl x509 -in "$T/dn1/root.crt" -noout -subject -nameopt RFC2253)
b=$(openssl x509 -in "$T/dn2/root.crt" -noout -subject -nameopt RFC2253)
[ "$a" = "$b" ] && [ "$a" = "subject=CN=Example Root,O=Example Org,C=DE" ]
ok $? "slash and RFC 4514 subjects give the same name ($a)"

# The layout of the CA directory.
d="$T/default"
for f in root.crt root.key.sealed journal transcripts crls; do
	[ -e "$d/$f" ]; ok $? "CA directory has $f"
done
[ "$(stat -c %a "$d/root.key.sealed")" = 600 ]; ok $? "sealed key file is mode 0600"
n=$(ls "$d/transcripts" | wc -l); [ "$n" -eq 1 ]; ok $? "one transcript for init"
ls -a "$T" | grep -q 'offroot-init'; [ $? -ne 0 ]; ok $? "no staging folder left behind"
done_testing

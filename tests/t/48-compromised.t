#!/bin/sh
# BR 6.1.1.3: a key whose certificate this CA revoked for keyCompromise is
# never certified again, under any profile, alone or in a batch: refused
# with exit 1 and one line naming the revoked serial, before the
# passphrase is asked, nothing issued.  A key revoked for another reason
# (superseded) may be certified again.
. "$(dirname "$0")/../lib.sh"

csr_for() {	# KEY-NAME CN: a CSR for an existing key $T/KEY-NAME.key
	openssl req -new -key "$T/$1.key" -subj "/C=DE/O=offroot tests/CN=$2" \
	    -out "$T/$2.csr" 2>/dev/null
}

for family in br k8s; do
	CA="$T/ca-$family"
	if [ $family = k8s ]; then
		new_ca "$CA" --profiles "$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
	else
		new_ca "$CA"
	fi
	ok $? "$family: init"
	mkcsr "stolen-$family"
	t_ok "$family: the key's first certificate" "$OFFROOT" sign -d "$CA" \
	    --csr "$T/stolen-$family.csr" -o "$T/$family-b1" --passphrase-file "$PASS" --yes
	S1=$(serial_of "$T/$family-b1/certificate.pem")
	t_ok "$family: revoked for keyCompromise" "$OFFROOT" revoke -d "$CA" --serial "$S1" \
	    --reason keyCompromise
	csr_for "stolen-$family" "renamed-$family"
	ca_snapshot "$CA"
	t_fail "$family: the same key under a new name is refused" 1 "$OFFROOT" sign -d "$CA" \
	    --csr "$T/renamed-$family.csr" -o "$T/$family-b2" --passphrase-file "$PASS" --yes
	like "revoked for keyCompromise" "$T/err" "$family: ... naming the reason"
	# The journal's form of a serial: lowercase, no leading zeros.
	s1=$(echo "$S1" | tr 'A-F' 'a-f' | sed 's/^0*//')
	grep -q "serial $s1," "$T/err"; ok $? "$family: ... and the revoked serial"
	! grep -q 'Unlocking' "$T/err"; ok $? "$family: ... before the key is asked for"
	ca_unchanged "$CA"; ok $? "$family: ... nothing issued or recorded"
	[ ! -e "$T/$family-b2" ]; ok $? "$family: ... no bundle"

	# In a batch with an innocent request: the whole batch is refused.
	mkcsr "innocent-$family"
	t_fail "$family: a batch holding the compromised key is refused whole" 1 "$OFFROOT" sign \
	    -d "$CA" --csr "$T/innocent-$family.csr" --csr "$T/renamed-$family.csr" \
	    -o "$T/$family-b3" --passphrase-file "$PASS" --yes
	ca_unchanged "$CA"; ok $? "$family: ... nothing issued"
done

# Another reason is not a compromise: the key may be certified again.
CA="$T/ca-br"
mkcsr replaced
t_ok "a certificate later superseded" "$OFFROOT" sign -d "$CA" --csr "$T/replaced.csr" \
    -o "$T/r1" --passphrase-file "$PASS" --yes
t_ok "revoked as superseded" "$OFFROOT" revoke -d "$CA" --serial "$(serial_of "$T/r1/certificate.pem")" --reason superseded
csr_for replaced replaced-again
t_ok "the superseded certificate's key is certified again" "$OFFROOT" sign -d "$CA" \
    --csr "$T/replaced-again.csr" -o "$T/r2" --passphrase-file "$PASS" --yes
t_ok "audit passes" "$OFFROOT" audit -d "$CA"
done_testing

#!/bin/sh
# Outputs never land inside the CA directory: a CRL, an OCSP response, a
# bundle, share files or a backup written there would be a file the
# journal does not know, and audit would report the CA as tampered with
# for good.  Each is refused before the key is asked for (exit 2, one
# line), through a symbolic link too, and the CA is left exactly as it was.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
new_ca "$CA"; ok $? "init"
mkcsr inter
t_ok "a first CRL, written outside" "$OFFROOT" crl -d "$CA" -o "$T/first.crl" --passphrase-file "$PASS"
ln -s "$CA/issued" "$T/into-issued"
mkdir -p "$T/media"

refused() {	# NAME CMD...: refused with exit 2 naming the CA directory, nothing changed
	_what=$1; shift
	ca_snapshot "$CA"
	t_fail "$_what" 2 "$@"
	like 'is inside the CA directory' "$T/err" "... saying it is inside the CA directory"
	! grep -q 'Unlocking' "$T/err"; ok $? "... before the key is asked for"
	ca_unchanged "$CA"; ok $? "... and the CA is exactly as it was"
}
refused "crl -o into crls/" "$OFFROOT" crl -d "$CA" -o "$CA/crls/latest.crl" --passphrase-file "$PASS"
refused "crl -o at the CA's top" "$OFFROOT" crl -d "$CA" -o "$CA/latest.crl" --passphrase-file "$PASS"
refused "crl -o through a link into issued/" "$OFFROOT" crl -d "$CA" -o "$T/into-issued/x.crl" --passphrase-file "$PASS"
refused "crl -o into a folder not there yet inside the CA" "$OFFROOT" crl -d "$CA" -o "$CA/new/x.crl" --passphrase-file "$PASS"
refused "ocsp -o into the CA" "$OFFROOT" ocsp -d "$CA" --serial 01 -o "$CA/transcripts/r.der" --passphrase-file "$PASS"
refused "sign -o into the CA" "$OFFROOT" sign -d "$CA" --csr "$T/inter.csr" -o "$CA/bundle" --passphrase-file "$PASS" --yes
refused "backup --to into issued/" "$OFFROOT" backup -d "$CA" --to "$CA/issued"
refused "backup --to the CA directory itself" "$OFFROOT" backup -d "$CA" --to "$CA"

# Outside is fine, even right beside it, and audit still passes.
t_ok "a CRL written beside the CA directory" "$OFFROOT" crl -d "$CA" -o "$T/ca-next.crl" --passphrase-file "$PASS"
t_ok "a backup to other media" "$OFFROOT" backup -d "$CA" --to "$T/media"
t_ok "audit passes" "$OFFROOT" audit -d "$CA"
# What the root signed reaches the media only after the journal records
# it: the write of the journal record comes before the first byte of the
# output, seen by strace (tests/install-deps installs it).
mkcsr ordered
t_ok "an intermediate for the OCSP response" "$OFFROOT" sign -d "$CA" --csr "$T/ordered.csr" \
    -o "$T/b-ordered" --passphrase-file "$PASS" --yes
SER=$(openssl x509 -in "$T/b-ordered/certificate.pem" -noout -serial | cut -d= -f2)
order_ok() {	# RECORD-TYPE OUTPUT TRACE: the record's write precedes the output's
	_rec=$(grep -n "journal>, \"[0-9]* [^ ]* $1 " "$3" | head -1 | cut -d: -f1)
	_out=$(grep -n "${2##*/}" "$3" | head -1 | cut -d: -f1)
	[ -n "$_rec" ] && [ -n "$_out" ] && [ "$_rec" -lt "$_out" ]
}
strace -f -y -e trace=write,openat,rename,renameat,renameat2,link,linkat -s 64 -o "$T/crl.trace" \
    "$OFFROOT" crl -d "$CA" -o "$T/ordered.crl" --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "crl under strace"
order_ok crl "$T/ordered.crl" "$T/crl.trace"; ok $? "crl: the journal records the CRL before -o is created"
strace -f -y -e trace=write,openat,rename,renameat,renameat2,link,linkat -s 64 -o "$T/ocsp.trace" \
    "$OFFROOT" ocsp -d "$CA" --serial "$SER" -o "$T/ordered.ocsp" --passphrase-file "$PASS" >/dev/null 2>&1
ok $? "ocsp under strace"
order_ok ocsp "$T/ordered.ocsp" "$T/ocsp.trace"; ok $? "ocsp: the journal records the response before -o is created"
done_testing

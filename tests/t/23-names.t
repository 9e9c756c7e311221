#!/bin/sh
# Names a person can trust: a CSR whose subject could be misread (an escape
# sequence, a carriage return, the null prefix of 2009, a right-to-left
# override, a zero-width space, a Unicode tag, invalid UTF-8, a 65-character
# CN, two CNs, an empty CN, a BMPString or TeletexString, a PrintableString
# outside its alphabet, a bad country, a multi-valued RDN) is refused at
# sign under the CA/B Forum profiles and under the Kubernetes profiles: exit
# 1, one error line that names the attribute and the character without
# printing it, nothing unlocked, issued or journalled.  The same at init
# --subject where the DN parser lets the name through.  A UTF-8 name with
# umlauts still signs; text not in Unicode NFC (as far as names-nfc.c
# sees) is refused.  Latin mixed with Cyrillic, a subject that looks like an
# earlier one (case, whitespace, look-alikes), and a key and subject
# certified before each need their own --allow- flag (--yes is not enough),
# which the transcript records; the same key under another subject warns.
. "$(dirname "$0")/../lib.sh"
K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

# csrs DIR FAMILY: hand-built CSRs (any string type, any bytes), signed
# with one P-256 key.  br: C=DE, O=Example Trust before the CN, as the BR
# wants of a CA subject; k8s: the CN alone.
csrs() {
	$PY - "$1" "$2" <<'PYEOF'
import os, sys
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

out, family = sys.argv[1], sys.argv[2]
os.makedirs(out, exist_ok=True)
key = ec.generate_private_key(ec.SECP256R1())
spki = key.public_key().public_bytes(serialization.Encoding.DER,
    serialization.PublicFormat.SubjectPublicKeyInfo)

def tlv(tag, body):
    n = len(body)
    if n < 0x80:
        return bytes([tag, n]) + body
    ln = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(ln)]) + ln + body

OID = {"C": b"\x55\x04\x06", "O": b"\x55\x04\x0a", "OU": b"\x55\x04\x0b",
       "CN": b"\x55\x04\x03", "L": b"\x55\x04\x07"}
UTF8, PRINTABLE, T61, BMP = 0x0c, 0x13, 0x14, 0x1e

def ava(t, tag, value):
    if isinstance(value, str):
        value = value.encode("utf-16-be" if tag == BMP else "utf-8")
    return tlv(0x30, tlv(0x06, OID[t]) + tlv(tag, value))

def name(*rdns):	# each RDN: a list of (type, tag, value)
    return tlv(0x30, b"".join(tlv(0x31, b"".join(sorted(ava(*a) for a in r)))
                              for r in rdns))

def write(fname, *rdns):
    if family == "br" and not any(a[0] == "C" for r in rdns for a in r):
        rdns = ([("C", PRINTABLE, "DE")], [("O", PRINTABLE, "Example Trust")]) + rdns
    cri = tlv(0x30, b"\x02\x01\x00" + name(*rdns) + spki + b"\xa0\x00")
    sig = key.sign(cri, ec.ECDSA(hashes.SHA256()))
    alg = bytes.fromhex("300a06082a8648ce3d040302")
    der = tlv(0x30, cri + alg + tlv(0x03, b"\x00" + sig))
    import base64
    b64 = base64.b64encode(der).decode()
    with open(os.path.join(out, fname + ".csr"), "w") as f:
        f.write("-----BEGIN CERTIFICATE REQUEST-----\n")
        for i in range(0, len(b64), 64):
            f.write(b64[i:i + 64] + "\n")
        f.write("-----END CERTIFICATE REQUEST-----\n")

def cn(fname, value, tag=UTF8):
    write(fname, [("CN", tag, value)])

# Refused: file name, then the rest of the name.
cn("bad-esc-clear-screen", "Good\x1b[2J CA")
cn("bad-osc-title", "Good\x1b]0;pwned\x07 CA")
cn("bad-carriage-return", "Good CA\rEvil CA")
cn("bad-line-feed", "Good CA\nEvil CA")
cn("bad-tab", "Good\tCA")
cn("bad-nul-prefix", "Good CA\x00Evil")
cn("bad-c1-csi", "Good\u009b2J CA")
cn("bad-rlo", "Good\u202eAC toor")
cn("bad-rli", "Good\u2067CA\u2069")
cn("bad-rlm", "Good\u200f CA")
cn("bad-zwsp", "Ro\u200bot CA")
cn("bad-bom", "\ufeffRoot CA")
cn("bad-tag", "Root CA\U000e0041")
cn("bad-utf8-overlong", b"AB\xc0\xafCD")
cn("bad-utf8-surrogate", b"AB\xed\xa0\x80CD")
cn("bad-cn-65", "a" * 65)
cn("bad-cn-empty", "")
cn("bad-cn-bmp", "Root CA", BMP)
cn("bad-cn-printable-at", "Root@CA", PRINTABLE)
cn("bad-not-nfc", "Cafe\u0301 Root CA")
cn("bad-angstrom-sign", "\u212b Labs Root CA")
write("bad-two-cn", [("CN", UTF8, "Good CA")], [("CN", UTF8, "Evil CA")])
write("bad-o-teletex", [("C", PRINTABLE, "DE")], [("O", T61, "Example Trust")],
      [("CN", UTF8, "Teletex CA")])
write("bad-country", [("C", PRINTABLE, "de")], [("O", UTF8, "Example Trust")],
      [("CN", UTF8, "Lower Country CA")])
write("bad-multi-valued-rdn", [("C", PRINTABLE, "DE")],
      [("O", UTF8, "Example Trust"), ("CN", UTF8, "Multi CA")])
write("bad-l-129", [("C", PRINTABLE, "DE")], [("O", UTF8, "Example Trust")],
      [("L", UTF8, "x" * 129)], [("CN", UTF8, "Long Locality CA")])
# Accepted.
write("good-umlaut", [("C", PRINTABLE, "DE")], [("O", UTF8, "Müller GmbH")],
      [("CN", UTF8, "Müller GmbH Root CA")])
write("warn-mixed-scripts", [("C", PRINTABLE, "DE")], [("O", UTF8, "Example Trust")],
      [("CN", UTF8, "V\u0430ult Intermediate")])
# Repeated types a profile may allow (repeatable_attributes).
write("rep-two-l", [("O", UTF8, "Example Trust")], [("L", UTF8, "Berlin")],
      [("L", UTF8, "Mitte")], [("CN", UTF8, "Two Localities CA")])
write("rep-two-ou", [("O", UTF8, "Example Trust")], [("OU", UTF8, "Ops")],
      [("OU", UTF8, "PKI")], [("CN", UTF8, "Two Units CA")])
# Look like good-umlaut's subject (signed first): by case, by whitespace, by
# a zero for an o.  (One key for the corpus: these also share its key.)
write("similar-case", [("C", PRINTABLE, "DE")], [("O", UTF8, "MÜLLER GMBH")],
      [("CN", UTF8, "MÜLLER GMBH ROOT CA")])
write("similar-space", [("C", PRINTABLE, "DE")], [("O", UTF8, "Müller GmbH")],
      [("CN", UTF8, "Müller  GmbH  Root CA")])
write("similar-zero", [("C", PRINTABLE, "DE")], [("O", UTF8, "Müller GmbH")],
      [("CN", UTF8, "Müller GmbH R00t CA")])
PYEOF
}

# no_raw FILE: no control (but the newlines), bidi or invisible character.
no_raw() {
	$PY - "$1" <<'PYEOF'
import sys, unicodedata
t = open(sys.argv[1], "rb").read().decode("utf-8")
bad = [c for c in t if c != "\n" and (unicodedata.category(c) in ("Cc", "Cf"))]
sys.exit(1 if bad else 0)
PYEOF
}

for fam in br k8s; do
	if [ $fam = br ]; then new_ca "$T/ca-$fam"
	else new_ca "$T/ca-$fam" --profiles "$K8S"; fi
	ok $? "$fam: a CA"
	csrs "$T/csr-$fam" $fam; ok $? "$fam: the CSR corpus was generated"
	cp "$T/ca-$fam/journal" "$T/journal-$fam.before"
	for f in "$T/csr-$fam"/bad-*.csr; do
		n=$(basename "$f" .csr)
		t_fail "$fam: $n: refused with exit 1 and one error line" 1 \
		    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/out-$fam-$n" --csr "$f" \
		    --passphrase-file "$PASS" --yes
		grep -qi 'lint\|name\|subject\|utf-\?8' "$T/err"
		ok $? "$fam: $n: the refusal says why"
		no_raw "$T/err"; ok $? "$fam: $n: no raw control or bidi character on stderr"
		! grep -q 'Unlocking' "$T/err" "$T/out"
		ok $? "$fam: $n: the key was never unlocked"
		[ ! -e "$T/out-$fam-$n" ]; ok $? "$fam: $n: nothing written to OUTDIR"
	done
	cmp -s "$T/journal-$fam.before" "$T/ca-$fam/journal"
	ok $? "$fam: no refused CSR reached the journal"
	ls "$T/ca-$fam/issued" 2>/dev/null | grep -q . && r=1 || r=0
	ok $r "$fam: no refused CSR left a certificate in issued/"

	# Named as the issue asks: the attribute, the character, its position.
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-rlo.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_bidi_control: subject CN: U\+202E RIGHT-TO-LEFT OVERRIDE at position 5' \
	    "$T/err" "$fam: the RLO is named, with its position"
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-nul-prefix.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_nul_character: subject CN: U\+0000 NULL at position 8.*null-prefix' \
	    "$T/err" "$fam: the NUL is named, with the 2009 incident"
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-esc-clear-screen.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_control_character: subject CN: U\+001B ESCAPE at position 5' \
	    "$T/err" "$fam: ESC is named, with its position"
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-two-cn.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_attribute_repeated: subject has CN more than once' \
	    "$T/err" "$fam: two CNs are named"
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-cn-bmp.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_string_type: subject CN is a BMPString' \
	    "$T/err" "$fam: the BMPString is named"
	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-cn-65.csr" \
	    --passphrase-file "$PASS" --yes
	like 'e_name_too_long: subject CN is 65 characters long; RFC 5280 allows 64' \
	    "$T/err" "$fam: the 65-character CN is named"

	run "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/x" --csr "$T/csr-$fam/bad-not-nfc.csr" \
	    --passphrase-file "$PASS" --yes
	like "e_name_not_nfc: subject CN: U\\+0065 'e' then U\\+0301 COMBINING ACUTE ACCENT at position 5 is not Unicode NFC: write U\\+00E9" \
	    "$T/err" "$fam: text not in NFC is named, with the letter to write"

	# The control: a UTF-8 name with umlauts signs.
	t_ok "$fam: \"Müller GmbH Root CA\" signs" \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/ok-$fam-umlaut" \
	    --csr "$T/csr-$fam/good-umlaut.csr" --passphrase-file "$PASS" --yes
	openssl x509 -in "$T/ok-$fam-umlaut/certificate.pem" -noout -subject \
	    -nameopt RFC2253,-esc_msb >"$T/subj" 2>&1
	like 'CN=Müller GmbH Root CA' "$T/subj" "$fam: the umlauts are kept"

	# Mixed scripts: --yes is not enough; --allow-mixed-scripts signs, and
	# the transcript says so.
	cp "$T/ca-$fam/journal" "$T/journal-$fam.before"
	t_fail "$fam: Latin mixed with Cyrillic: refused without --allow-mixed-scripts" 1 \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/no-$fam-mixed" \
	    --csr "$T/csr-$fam/warn-mixed-scripts.csr" --passphrase-file "$PASS" --yes
	like '^offroot: .*warn-mixed-scripts.csr: subject CN mixes Latin and Cyrillic: "V\[а: CYRILLIC SMALL LETTER A\]ult Intermediate" \(runs: Latin "V", Cyrillic "а", Latin "ult Intermediate"\); only --allow-mixed-scripts' \
	    "$T/err" "$fam: the refusal names the attribute, the scripts and the Cyrillic letter"
	! grep -q 'Unlocking' "$T/err" && [ ! -e "$T/no-$fam-mixed" ] &&
	    cmp -s "$T/journal-$fam.before" "$T/ca-$fam/journal"
	ok $? "$fam: mixed scripts: nothing unlocked, written or journalled"
	t_ok "$fam: Latin mixed with Cyrillic signs with --allow-mixed-scripts" \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/ok-$fam-mixed" --allow-mixed-scripts \
	    --csr "$T/csr-$fam/warn-mixed-scripts.csr" --passphrase-file "$PASS" --yes
	like 'warning: .*subject CN mixes Latin and Cyrillic.*going on: --allow-mixed-scripts' \
	    "$T/err" "$fam: the override is shown"
	# The corpus has one key: certified before under the umlaut subject.
	s1=$(serial_of "$T/ok-$fam-umlaut/certificate.pem" | tr A-F a-f | sed 's/^0*//')
	like "warning: .*warn-mixed-scripts.csr: its public key was certified here before as serial $s1 \\(expires .*\\) for the subject \"CN=Müller GmbH Root CA,O=Müller GmbH,C=DE\"" \
	    "$T/err" "$fam: the same key under another subject warns, naming the serial"
	grep -l 'override' "$T/ok-$fam-mixed/transcript.log" >/dev/null &&
	    grep 'override' "$T/ok-$fam-mixed/transcript.log" | grep 'mixed-scripts' |
	    grep -q 'allow-mixed-scripts'
	ok $? "$fam: the transcript records the mixed-scripts override and how"

	# Issued twice: the same key and subject again needs --allow-reissue,
	# and the refusal names the earlier serial and its expiry.
	t_fail "$fam: the same key and subject again: refused without --allow-reissue" 1 \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/no-$fam-again" \
	    --csr "$T/csr-$fam/good-umlaut.csr" --passphrase-file "$PASS" --yes
	like "certified this public key and subject before, as serial $s1 \\(expires [0-9-]+T[0-9:]+Z\\); only --allow-reissue" \
	    "$T/err" "$fam: the refusal names the earlier serial and its expiry"
	t_ok "$fam: --allow-reissue signs it again" \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/ok-$fam-again" --allow-reissue \
	    --csr "$T/csr-$fam/good-umlaut.csr" --passphrase-file "$PASS" --yes
	grep 'override' "$T/ok-$fam-again/transcript.log" | grep -q "reissue.*$s1"
	ok $? "$fam: the transcript records the reissue override"

	# Subjects that look like an earlier one.
	for v in case space zero; do
		t_fail "$fam: similar-$v: refused without --allow-similar-subject" 1 \
		    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/no-$fam-sim-$v" \
		    --csr "$T/csr-$fam/similar-$v.csr" --passphrase-file "$PASS" --yes
		like "differs only by case, whitespace or look-alike characters from \"CN=Müller GmbH Root CA,O=Müller GmbH,C=DE\", certified as serial [0-9a-f]+; only --allow-similar-subject" \
		    "$T/err" "$fam: similar-$v: named, with the earlier subject and serial"
	done
	t_ok "$fam: --allow-similar-subject signs it" \
	    "$OFFROOT" sign -d "$T/ca-$fam" -o "$T/ok-$fam-sim" --allow-similar-subject \
	    --csr "$T/csr-$fam/similar-case.csr" --passphrase-file "$PASS" --yes
	grep 'override' "$T/ok-$fam-sim/transcript.log" | grep -q 'similar-subject'
	ok $? "$fam: the transcript records the similar-subject override"
done

# A file name is shown escaped too: in the review (stdout) and in the
# error line, never sent raw to the terminal.
hostile="$T/evil$(printf '\033[2J\342\200\256')x.csr"
cp "$T/csr-k8s/warn-mixed-scripts.csr" "$hostile"
t_fail "a CSR file named with ESC [2J and an RLO: refused (mixed scripts), one line" 1 \
    "$OFFROOT" sign -d "$T/ca-k8s" -o "$T/no-hostile" --csr "$hostile" \
    --passphrase-file "$PASS" --yes
no_raw "$T/err"; ok $? "the hostile file name: no raw control or bidi character on stderr"
no_raw "$T/out"; ok $? "the hostile file name: none in the review on stdout"
like 'evil\[U\+001B ESCAPE\]\[2J\[U\+202E RIGHT-TO-LEFT OVERRIDE\]x\.csr' "$T/out" \
    "the hostile file name: the review shows it escaped"
like '^offroot: .*evil\[U\+001B ESCAPE\]\[2J\[U\+202E RIGHT-TO-LEFT OVERRIDE\]x\.csr' \
    "$T/err" "the hostile file name: the error line shows it escaped"

# repeatable_attributes: OU and DC by default; a profile's list replaces
# that (here L, and no longer OU).  The k8s set (a private family: the BR
# refuses any OU in a CA subject).
CA="$T/ca-k8s"
sed 's/^\[intermediate\]$/&\nrepeatable_attributes = L/' "$K8S" >"$T/rep.cnf"
grep -q '^repeatable_attributes = L' "$T/rep.cnf"; ok $? "a profile with repeatable_attributes = L"
t_fail "two L: refused under the default (OU and DC only)" 1 \
    "$OFFROOT" sign -d "$CA" -o "$T/no-rep-l" --csr "$T/csr-k8s/rep-two-l.csr" \
    --passphrase-file "$PASS" --yes
like 'e_name_attribute_repeated: subject has L more than once' "$T/err" "two L: named"
t_ok "two L: signed under repeatable_attributes = L" \
    "$OFFROOT" sign -d "$CA" -o "$T/ok-rep-l" --csr "$T/csr-k8s/rep-two-l.csr" \
    --profiles "$T/rep.cnf" --passphrase-file "$PASS" --yes
t_ok "two OU: signed under the default" \
    "$OFFROOT" sign -d "$CA" -o "$T/ok-rep-ou" --csr "$T/csr-k8s/rep-two-ou.csr" \
    --passphrase-file "$PASS" --yes
t_fail "two OU: refused when the profile's list leaves OU out" 1 \
    "$OFFROOT" sign -d "$CA" -o "$T/no-rep-ou" --csr "$T/csr-k8s/rep-two-ou.csr" \
    --profiles "$T/rep.cnf" --passphrase-file "$PASS" --yes
like 'e_name_attribute_repeated: subject has OU more than once' "$T/err" "two OU: named"
sed 's/^\[intermediate\]$/&\nrepeatable_attributes = CN/' "$K8S" >"$T/rep-cn.cnf"
t_fail "repeatable_attributes = CN: the profile is refused" 1 \
    "$OFFROOT" sign -d "$CA" -o "$T/no-rep-cn" --csr "$T/csr-k8s/rep-two-l.csr" \
    --profiles "$T/rep-cn.cnf" --passphrase-file "$PASS" --yes
like 'repeatable_attributes: CN is never repeatable' "$T/err" "... and says why"

# init --subject: what the DN parser lets through, the linter refuses before
# a key is made or a passphrase asked for (no terminal, no passphrase file:
# reaching the prompt would be exit 3).
init_refused() {	# init_refused NAME SUBJECT PATTERN [init options...]
	_in=$1; _is=$2; _ip=$3; shift 3
	t_fail "init --subject: $_in: refused with exit 1 and one error line" 1 \
	    setsid "$OFFROOT" init -d "$T/init-$_in" --subject "$_is" --kdf interactive "$@"
	like "$_ip" "$T/err" "init --subject: $_in: named"
	no_raw "$T/err"; ok $? "init --subject: $_in: no raw control or bidi character on stderr"
	[ ! -e "$T/init-$_in" ] && ! ls -a "$T" | grep -q "init-$_in.offroot-init"
	ok $? "init --subject: $_in: nothing was created"
}
init_refused two-cn "/C=DE/O=Example Trust/CN=Good CA/CN=Evil CA" \
    'e_name_attribute_repeated: subject has CN more than once'
init_refused two-cn-k8s "/CN=Good CA/CN=Evil CA" \
    'e_name_attribute_repeated' --profiles "$K8S"
init_refused multi-valued "/C=DE/O=Example Trust+CN=Root CA" \
    'e_name_multi_valued_rdn: subject: RDN 2 holds 2 attributes'
init_refused multi-valued-k8s "/O=Example Trust+CN=Root CA" \
    'e_name_multi_valued_rdn' --profiles "$K8S"
init_refused two-o "CN=Root CA,O=Evil,O=Example Trust,C=DE" \
    'e_name_attribute_repeated: subject has O more than once'
# The parser refuses these itself (also one line, exit 1).
init_refused escaped-esc '/C=DE/O=Example Trust/CN=Good\1B[2J CA' \
    'U\+001B ESCAPE at position 5'
init_refused rlo "/C=DE/O=Example Trust/CN=Good$(printf '\342\200\256')AC" \
    'U\+202E RIGHT-TO-LEFT OVERRIDE at position 5'
init_refused tag "/CN=Root CA$(printf '\363\240\201\201')" \
    'U\+E0041 TAG CHARACTER at position 8' --profiles "$K8S"
init_refused escaped-nul '/CN=Good CA\00Evil' 'U\+0000 NULL at position 8' \
    --profiles "$K8S"
init_refused cn-65 "/CN=$(printf '%065d' 0)" '65 characters' --profiles "$K8S"
init_refused not-nfc "/CN=Cafe$(printf '\314\201') Root CA" \
    "e_name_not_nfc: subject CN: U\\+0065 'e' then U\\+0301" --profiles "$K8S"

# init --subject: a UTF-8 name is still a root; a mixed one warns.
t_ok "init --subject \"Müller GmbH Root CA\": a root" \
    "$OFFROOT" init -d "$T/init-umlaut" --subject "/C=DE/O=Müller GmbH/CN=Müller GmbH Root CA" \
    --kdf interactive --passphrase-file "$PASS"
init_refused mixed-scripts "/CN=V$(printf '\320\260')ult Root CA" \
    'subject CN mixes Latin and Cyrillic: "V\[а: CYRILLIC SMALL LETTER A\]ult Root CA" \(runs: Latin "V", Cyrillic "а", Latin "ult Root CA"\); only --allow-mixed-scripts' \
    --profiles "$K8S" --passphrase-file "$PASS" --yes
t_ok "init --subject with a Cyrillic a: a root with --allow-mixed-scripts" \
    "$OFFROOT" init -d "$T/init-mixed" --subject "/CN=V$(printf '\320\260')ult Root CA" \
    --kdf interactive --passphrase-file "$PASS" --profiles "$K8S" --allow-mixed-scripts
like 'w_name_mixed_scripts: subject CN mixes Latin and Cyrillic' "$T/err" \
    "init: the mixed-script warning is shown"
grep -h 'parameters' "$T/init-mixed/transcripts/"* | grep -q 'override_mixed_scripts.*allow-mixed-scripts'
ok $? "init: the transcript's parameters record the override"

# inspect names the script of each run of a mixed value, on a CSR and on
# the certificate signed past it; a plain name is said to be plain.
t_ok "inspect a mixed-scripts CSR" "$OFFROOT" inspect "$T/csr-k8s/warn-mixed-scripts.csr"
like '^names: +warning: subject CN mixes Latin and Cyrillic: "V\[а: CYRILLIC SMALL LETTER A\]ult Intermediate" \(runs: Latin "V", Cyrillic "а", Latin "ult Intermediate"\)$' \
    "$T/out" "inspect: the warning, with the script of each run"
like '^verdict: +signed only past the names findings above' "$T/out" \
    "inspect: the verdict does not call it acceptable"
t_ok "inspect the certificate signed with --allow-mixed-scripts" \
    "$OFFROOT" inspect "$T/ok-k8s-mixed/certificate.pem"
like '^names: +warning: subject CN mixes Latin and Cyrillic: .*\(runs: Latin "V", Cyrillic "а", Latin "ult Intermediate"\)$' \
    "$T/out" "inspect: the certificate's name too"
t_ok "inspect a plain CSR" "$OFFROOT" inspect "$T/csr-k8s/good-umlaut.csr"
like '^names: +plain: no character or script a reader could mistake$' "$T/out" \
    "inspect: a plain name is said to be plain"
like '^verdict: +acceptable for signing' "$T/out" "inspect: ... and acceptable"

done_testing

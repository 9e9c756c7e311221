#!/bin/sh
# The command-line contract: usage errors, refusals, status, inspect.
. "$(dirname "$0")/../lib.sh"

t_fail "no command: exit 2" 2 "$OFFROOT"
t_fail "unknown command: exit 2" 2 "$OFFROOT" frobnicate
t_fail "unknown option: exit 2" 2 "$OFFROOT" status -d "$T" --frob
t_fail "repeated option: exit 2" 2 "$OFFROOT" status -d "$T" -d "$T"
t_fail "missing --subject: exit 2" 2 "$OFFROOT" init -d "$T/a"
t_fail "unknown key type: exit 2" 2 "$OFFROOT" init -d "$T/a" --subject /CN=x --key dsa-1024
t_fail "unknown kdf level: exit 2" 2 "$OFFROOT" init -d "$T/a" --subject /CN=x --kdf none
t_fail "tui: an unknown kdf level is refused at once, terminal or not" 2 "$OFFROOT" tui --kdf fast
t_fail "a passphrase on the command line is not an option: exit 2" 2 \
    "$OFFROOT" init -d "$T/a" --subject /CN=x --passphrase secret
# An empty variable must not make the next option a value.
t_fail "an option's value left out: exit 2" 2 "$OFFROOT" check-key -d "$T" \
    --share --share-passphrase-file "$T/x"
like 'share needs a value \(the next word is the option --share-passphrase-file\)' "$T/err" \
    "... naming the option that lost its value"
t_fail "an empty value: exit 2" 2 "$OFFROOT" status -d ""
like 'dir needs a value \(it is empty\)' "$T/err" "... saying it is empty"
# t_fail itself (lib.sh): one error line passes; two, an error followed by
# anything but a usage line, a warning alone, or OpenSSL's error queue fail.
tf() {	# tf WANT(ok|not) NAME EXIT SCRIPT: t_fail on sh -c SCRIPT, in a subshell
	_r=$( (t_fail x "$3" sh -c "$4") | head -1 | cut -d' ' -f1)
	[ "$_r" = "$1" ]
	ok $? "t_fail: $2"
}
tf ok "one error line" 1 'echo "Signing..." >&2; echo "offroot: no" >&2; exit 1'
tf ok "a warning, then the error" 1 'echo "offroot: warning: w" >&2; echo "offroot: no" >&2; exit 1'
tf ok "a usage error, then the synopsis" 2 'echo "offroot: x: bad" >&2; echo "usage: offroot x -d DIR" >&2; exit 2'
tf not "two error lines" 1 'echo "offroot: a" >&2; echo "offroot: b" >&2; exit 1'
tf not "an error line, then another line" 1 'echo "offroot: a" >&2; echo "because" >&2; exit 1'
tf not "the synopsis after an error that is not a usage error" 1 'echo "offroot: a" >&2; echo "usage: offroot x" >&2; exit 1'
tf not "only a warning" 1 'echo "offroot: warning: w" >&2; exit 1'
tf not "no line at all" 1 'exit 1'
tf not "OpenSSL's error queue" 1 'echo "40B7:error:1E08010C:DECODER routines::unsupported" >&2; echo "offroot: a" >&2; exit 1'
tf not "the wrong exit code" 1 'echo "offroot: a" >&2; exit 3'

t_ok "--version" "$OFFROOT" --version
like '^offroot [0-9]' "$T/out" "--version prints the version"

mkdir "$T/full"; echo keep >"$T/full/precious"
t_fail "init refuses a non-empty folder" 1 \
    "$OFFROOT" init -d "$T/full" --subject /CN=x --kdf interactive --passphrase-file "$PASS"
[ "$(cat "$T/full/precious")" = keep ] && [ "$(ls "$T/full")" = precious ]
ok $? "the non-empty folder is untouched"
echo file >"$T/afile"
t_fail "init refuses an existing file" 1 \
    "$OFFROOT" init -d "$T/afile" --subject /CN=x --kdf interactive --passphrase-file "$PASS"
t_fail "init refuses a bad subject" 1 \
    "$OFFROOT" init -d "$T/b" --subject "/CNN=x" --kdf interactive --passphrase-file "$PASS"
[ ! -e "$T/b" ]; ok $? "nothing created for a bad subject"
printf 'short\n' >"$T/shortpass"
t_fail "init refuses a short passphrase" 1 \
    "$OFFROOT" init -d "$T/b" --subject "/CN=x" --kdf interactive --passphrase-file "$T/shortpass"
: >"$T/emptypass"
t_fail "init refuses an empty passphrase file" 1 \
    "$OFFROOT" init -d "$T/b" --subject "/CN=x" --kdf interactive --passphrase-file "$T/emptypass"
t_fail "init refuses a missing profile" 1 \
    "$OFFROOT" init -d "$T/b" --subject "/CN=x" --kdf interactive --passphrase-file "$PASS" --profile nosuch
t_fail "init refuses ed25519 under the BR root profile" 1 \
    "$OFFROOT" init -d "$T/b" --subject "/CN=x" --kdf interactive --passphrase-file "$PASS" --key ed25519
[ ! -e "$T/b" ]; ok $? "nothing created by the refusals"
mkdir "$T/empty"
new_ca "$T/empty"; ok $? "init accepts an existing empty folder"
[ -f "$T/empty/root.crt" ]; ok $? "the CA landed in the empty folder"

new_ca "$T/ca"; ok $? "init"
t_ok "status" "$OFFROOT" status -d "$T/ca"
like '^root subject: +CN=Test Root,O=offroot tests,C=DE$' "$T/out" "status: subject"
like '^key: +ec-p384 in a sealed store' "$T/out" "status: key type and store"
like 'Argon2id interactive' "$T/out" "status: KDF level"
like 'WARNING: .*interactive' "$T/out" "status warns about a weak KDF"
like 'WARNING: no CRL' "$T/out" "status warns that no CRL exists yet"
like '^issued: +0 certificates, 0 revoked' "$T/out" "status: counts"
t_ok "status --json" "$OFFROOT" status -d "$T/ca" --json
$PY -c '
import json,sys
d=json.load(open(sys.argv[1]))
assert d["key"]["type"]=="ec-p384" and d["key"]["kdf"]=="interactive", d
assert d["journal"]["ok"] and d["journal"]["records"]==2, d
assert len(d["root"]["sha256"])==64 and len(d["root"]["sha256_words"].split())==32
assert d["crl"]["present"] is False
' "$T/out"
ok $? "status --json parses and agrees"
t_fail "status on a folder that is no CA: exit 1" 1 "$OFFROOT" status -d "$T/full"

t_ok "inspect a certificate" "$OFFROOT" inspect "$T/ca/root.crt"
like 'self-signed: +yes, signature valid' "$T/out" "inspect: self-signature checked"
fp=$(openssl x509 -in "$T/ca/root.crt" -outform DER | sha256sum | cut -c1-4 | tr a-f A-F)
like "^$fp " "$T/out" "inspect: the certificate fingerprint in hex"
openssl x509 -in "$T/ca/root.crt" -outform DER -out "$T/root.der"
t_ok "inspect DER" "$OFFROOT" inspect "$T/root.der"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$T/k.pem" \
    -subj "/CN=Vault Intermediate" -out "$T/req.csr" 2>/dev/null
t_ok "inspect a CSR" "$OFFROOT" inspect "$T/req.csr"
like 'self-signature: +valid' "$T/out" "inspect: CSR signature checked"
like 'SHA-256 of the public key' "$T/out" "inspect: CSR public key fingerprint"
# The two fingerprints the officer reads aloud, in hex and in PGP words,
# are those of the CSR's DER and of its SubjectPublicKeyInfo DER.
cp "$T/out" "$T/inspect.out"
csr_sha=$(openssl req -in "$T/req.csr" -outform DER | sha256sum | cut -d' ' -f1)
spki_sha=$(openssl req -in "$T/req.csr" -pubkey -noout | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
run $PY - "$T/inspect.out" "$ROOT/src/pgpwords.c" "$csr_sha" "$spki_sha" <<'PYEOF'
import re, sys
out, src, csr_sha, spki_sha = sys.argv[1:5]
# offroot's own word lists, read from its source; checked against the
# published vector (FIELD-NOTES) so that a misread list cannot pass.
text = open(src).read()
def table(name):
    body = text[text.index(name):]
    body = body[body.index("{") + 1:body.index("};")]
    words = re.findall(r'"([A-Za-z]+)"', body)
    assert len(words) == 256, (name, len(words))
    return words
even, odd = table("pgpwords_even[256]"), table("pgpwords_odd[256]")
def words(hexstr):
    return [(odd if i % 2 else even)[b] for i, b in enumerate(bytes.fromhex(hexstr))]
assert " ".join(words("D1D464C004F00FB5C9A4C8D8E433E7FB7FF56256")) == (
    "stairway souvenir flytrap recipe adrift upcoming artist positive spearhead Pandora "
    "spaniel stupendous tonic concurrent transit Wichita lockup visitor flagpole escapade")
lines = open(out).read().splitlines()
def section(title):
    i = lines.index(title) + 1
    hexes, ws = "", []
    while i < len(lines) and re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4})*", lines[i]):
        hexes += lines[i].replace(" ", ""); i += 1
    while i < len(lines) and lines[i] and ":" not in lines[i]:
        ws += lines[i].split(); i += 1
    return hexes.lower(), ws
for title, want in (("SHA-256 of the CSR (DER):", csr_sha),
                    ("SHA-256 of the public key (SubjectPublicKeyInfo):", spki_sha)):
    h, w = section(title)
    assert h == want, "%s hex %s, want %s" % (title, h, want)
    assert len(w) == 32, "%s: %d words" % (title, len(w))
    assert all(x in (odd if i % 2 else even) for i, x in enumerate(w)), "%s: a word off the list" % title
    assert w == words(want), "%s words %s" % (title, " ".join(w))
PYEOF
ok $rc "inspect: the CSR's SHA-256 = openssl's DER digest, the key's = the SPKI DER digest, each with its 32 PGP words"
[ $rc -eq 0 ] || diag "$(tail -2 "$T/err")"
openssl req -x509 -key "$T/k.pem" -subj /CN=crl-ca -days 2 -out "$T/crlca.pem" 2>/dev/null
printf 'dir=%s\n[ca]\ndefault_ca=c\n[c]\ndatabase=%s/index.txt\ncrlnumber=%s/crlnum\ndefault_md=sha256\ndefault_crl_days=7\n' "$T" "$T" "$T" >"$T/ca.cnf"
: >"$T/index.txt"; echo 01 >"$T/crlnum"
openssl ca -config "$T/ca.cnf" -gencrl -keyfile "$T/k.pem" -cert "$T/crlca.pem" -out "$T/x.crl" 2>/dev/null
t_ok "inspect a CRL" "$OFFROOT" inspect "$T/x.crl"
like 'CRL number' "$T/out" "inspect: CRL number"
printf 'garbage' >"$T/garbage"
t_fail "inspect garbage: exit 1" 1 "$OFFROOT" inspect "$T/garbage"
t_fail "inspect a directory: exit 1" 1 "$OFFROOT" inspect "$T"
t_fail "inspect a missing file: exit 1" 1 "$OFFROOT" inspect "$T/nonexistent"
ln -s /dev/zero "$T/zero"
t_fail "inspect a symlink to /dev/zero: exit 1" 1 "$OFFROOT" inspect "$T/zero"

t_ok "check-key with the right passphrase" "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
cp "$T/ca/journal" "$T/j.before"
printf 'wrong passphrase here\n' >"$T/wrong"
t_fail "check-key with a wrong passphrase: exit 1" 1 "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$T/wrong"
like 'passphrase' "$T/err" "the error says the passphrase is wrong"
cmp -s "$T/j.before" "$T/ca/journal"; ok $? "a failed check-key records nothing"
done_testing

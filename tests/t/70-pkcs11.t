#!/bin/sh
# Root keys on a PKCS#11 token, through p11-kit, against SoftHSM2 tokens
# made on the fly by hsm/softhsm-setup: the key is generated on the token,
# sensitive and never extractable (pkcs11-tool says so); the CA directory
# holds no private key and no PIN; the root verifies with openssl, certtool
# and Python cryptography; check-key, audit and status work with the
# token; tokens shows manufacturer, model and serial and logs in only with
# --login; under each token root (ec-p384, ec-p256, rsa-4096) an
# intermediate CSR is signed and chains for openssl, certtool and Python
# cryptography, and a CRL verifies; an adopted key (--key-uri) is said to be
# never extractable, extractable (a warning) or once extractable, and the
# transcript records which; a wrong PIN, a wrong token, a missing module, a
# URI naming no key and a key that is not the root's are each one line, the
# right exit code, and nothing written.
. "$(dirname "$0")/../lib.sh"
MOD=/usr/lib/softhsm/libsofthsm2.so

if [ ! -r "$MOD" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
	echo "1..0 # SKIP SoftHSM2 is not installed (apt-get install softhsm2)"
	exit 0
fi

PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
printf '0000-bad\n' >"$T/badpin"
SUBJ="/C=DE/O=offroot tests/CN=Token Root"

t_ok "softhsm-setup makes a throwaway token" \
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin 87654321
like "^export SOFTHSM2_CONF=$T/hsm/softhsm2.conf\$" "$T/out" \
    "softhsm-setup prints the SOFTHSM2_CONF line"
like '^token:  pkcs11:token=root-ca$' "$T/out" "softhsm-setup prints the token URI"
# SoftHSM2's configuration file is configuration, not a secret.
SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
export SOFTHSM2_CONF
t_fail "softhsm-setup refuses to overwrite a configuration" 1 \
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" again

p11tool() {	# the token's own view, with OpenSC's pkcs11-tool
	pkcs11-tool --module "$MOD" --token-label root-ca --login \
	    --pin 4711-pin "$@" 2>&1
}

tok_init() {	# tok_init DIR [options]: a root on the token, PIN from a file
	_dir=$1; shift
	"$OFFROOT" init -d "$_dir" --subject "$SUBJ" --store pkcs11 \
	    --module "$MOD" --pin-file "$PIN" --yes --crl-url "$TEST_CRL_URL" "$@" \
	    >"$T/init.out" 2>"$T/init.err"
}

# ---- offroot tokens ----
# Through the logging shim (tests/p11shim): every call that reached the
# token is on record, and listing never logs in unless --login asks.
SHIM="$ROOT/${OFFROOT_BUILD:-build}/tests/libp11shim.so"
: >"$T/tokens-calls"
P11SHIM_MODULE=$MOD P11SHIM_LOG="$T/tokens-calls" run "$OFFROOT" tokens --module "$SHIM"
ok $rc "tokens through the logging shim"
grep -q '^C_GetTokenInfo$' "$T/tokens-calls" && ! grep -q '^C_Login' "$T/tokens-calls"
ok $? "tokens: the token was asked, and no C_Login without --login"
t_ok "tokens lists the module, slots and token" "$OFFROOT" tokens --module "$MOD"
like '^  slot [0-9]+ .*: token "root-ca"$' "$T/out" "tokens: the token by label"
like '^    manufacturer SoftHSM project, model SoftHSM v2, serial [0-9a-f]{16}$' \
    "$T/out" "tokens: manufacturer, model and serial"
serial=$(softhsm2-util --show-slots | sed -n 's/^ *Serial number: *\([0-9a-f]\{1,\}\)$/\1/p' | head -1)
[ -n "$serial" ] && grep -q "serial $serial\$" "$T/out"
ok $? "tokens: the serial is the one SoftHSM2 reports ($serial)"
! grep -q 'serial all zeros' "$T/out"; ok $? "tokens: SoftHSM2's serial is its own"
like '^    flags: login-required' "$T/out" "tokens: flags"
like '^    uri:   pkcs11:.*serial=[0-9a-f]+;token=root-ca$' "$T/out" "tokens: the token's URI"
like 'private keys are listed only with --login' "$T/out" "tokens: no login unless asked"
t_fail "tokens: --pin-file without --login is a usage error" 2 \
    "$OFFROOT" tokens --module "$MOD" --pin-file "$PIN"

# ---- root creation on the token, for three key types ----
for k in ec-p384 ec-p256 rsa-4096; do
	d="$T/ca-$k"
	tok_init "$d" --token pkcs11:token=root-ca --key "$k" --label "root-$k"
	ok $? "$k: init generates the root key on the token"
	[ -f "$d/root.crt" ] || { diag "$(cat "$T/init.err")"; continue; }
	run openssl verify -x509_strict -CAfile "$d/root.crt" "$d/root.crt"
	ok $rc "$k: openssl verify -x509_strict accepts the root"
	run certtool --verify --load-ca-certificate "$d/root.crt" --infile "$d/root.crt"
	ok $rc "$k: certtool --verify accepts the root"
	run $PY "$ROOT/tests/t/check_cert.py" "$d/root.crt"
	ok $rc "$k: python cryptography: BR root shape, serial entropy, signature"
	[ $rc -eq 0 ] || diag "$(cat "$T/out")"

	run p11tool --list-objects --type privkey --label "root-$k"
	like "label: +root-$k" "$T/out" "$k: pkcs11-tool finds the private key on the token"
	like 'Access: +sensitive, always sensitive, never extractable' "$T/out" \
	    "$k: pkcs11-tool: sensitive and never extractable"
	like 'Usage: +sign$' "$T/out" "$k: pkcs11-tool: the key may only sign"

	[ ! -e "$d/root.key.sealed" ]; ok $? "$k: no sealed key file"
	! grep -rqs 'PRIVATE KEY' "$d"; ok $? "$k: no private key in the CA directory"
	! grep -rqsF '4711-pin' "$d"; ok $? "$k: no PIN in the CA directory"
	like "^uri=pkcs11:token=root-ca;id=%[0-9A-F]{2}.*;object=root-$k;type=private\$" \
	    "$d/root.key.uri" "$k: root.key.uri names the key on the token"
	like "^module=$MOD\$" "$d/root.key.uri" "$k: root.key.uri names the module"
	like ' store=pkcs11 ' "$d/journal" "$k: the init record says store=pkcs11"
	like ' key_never_extractable=yes' "$d/journal" "$k: the init record says never extractable"
	like 'operator_confirmed=yes' "$d/transcripts/"*-init-*.log \
	    "$k: the transcript records the backup confirmation"

	t_ok "$k: check-key with the token" "$OFFROOT" check-key -d "$d" --pin-file "$PIN"
	t_ok "$k: audit" "$OFFROOT" audit -d "$d"
	t_ok "$k: status" "$OFFROOT" status -d "$d"
	like '^token: +"root-ca"' "$T/out" "$k: status shows the token"
	like "^module: +$MOD\$" "$T/out" "$k: status shows the module"
done

t_ok "tokens --login lists the private keys" \
    "$OFFROOT" tokens --module "$MOD" --token pkcs11:token=root-ca --login --pin-file "$PIN"
cp "$T/out" "$T/tokens-login.out"
: >"$T/tokens-calls"
P11SHIM_MODULE=$MOD P11SHIM_LOG="$T/tokens-calls" run "$OFFROOT" tokens --module "$SHIM" \
    --token pkcs11:token=root-ca --login --pin-file "$PIN"
[ "$rc" -eq 0 ] && [ "$(grep -c '^C_Login$' "$T/tokens-calls")" -eq 1 ]
ok $? "tokens --login: exactly one C_Login"
grep -q '^    private key "root-ec-p384"' "$T/out"; ok $? "tokens --login through the shim lists the private keys"
cp "$T/tokens-login.out" "$T/out"
like '^    private key "root-ec-p384" id [0-9a-f]{32}: ec-p384, sensitive, never-extractable, may sign$' \
    "$T/out" "tokens --login: label, id, type, sensitive, never extractable"
like '^      public key SHA-256 [0-9a-f]{64}$' "$T/out" "tokens: public key fingerprints"

# ---- intermediates and CRLs signed by the token keys ----
# The sealed store's signing checks (tests/t/20-sign.t), for each token
# root: an intermediate CSR of the root's own key type, chained for
# openssl, certtool and Python cryptography (check_chain, tests/lib.sh),
# and a CRL the root signs.
for k in ec-p384 ec-p256 rsa-4096; do
	d="$T/ca-$k"
	case $k in
	ec-p256) o="-newkey ec -pkeyopt ec_paramgen_curve:P-256" ;;
	ec-p384) o="-newkey ec -pkeyopt ec_paramgen_curve:P-384" ;;
	rsa-4096) o="-newkey rsa:4096" ;;
	esac
	# shellcheck disable=SC2086
	openssl req -new $o -nodes -keyout "$T/int-$k.key" \
	    -subj "/C=DE/O=offroot tests/CN=Token Intermediate $k" \
	    -out "$T/int-$k.csr" 2>/dev/null
	t_ok "$k: sign: an intermediate CSR signed with the token key" \
	    "$OFFROOT" sign -d "$d" -o "$T/int-$k" --csr "$T/int-$k.csr" \
	    --pin-file "$PIN" --yes
	[ -f "$T/int-$k/certificate.pem" ] || { diag "$(cat "$T/err")"; continue; }
	check_chain "$k: sign" "$T/int-$k/certificate.pem" "$d/root.crt"
	t_ok "$k: offroot verify accepts the bundle" "$OFFROOT" verify "$T/int-$k" \
	    --root "$d/root.crt" --csr "$T/int-$k.csr"
	t_ok "$k: crl: signed with the token key" \
	    "$OFFROOT" crl -d "$d" -o "$T/crl-$k.pem" --pin-file "$PIN"
	run openssl crl -in "$T/crl-$k.pem" -noout -verify -CAfile "$d/root.crt"
	like '^verify OK$' "$T/err" "$k: crl: openssl crl -verify accepts it"
	t_ok "$k: audit after sign and crl" "$OFFROOT" audit -d "$d"
done

# Revocation, a CRL that lists it and an OCSP response, by the P-384 key.
d="$T/ca-ec-p384"
serial=$(openssl x509 -in "$T/int-ec-p384/certificate.pem" -noout -serial | cut -d= -f2)
t_ok "revoke the intermediate" "$OFFROOT" revoke -d "$d" --serial "$serial" \
    --reason keyCompromise
t_ok "crl: signed with the token key" \
    "$OFFROOT" crl -d "$d" -o "$T/root.crl" --pin-file "$PIN"
run openssl crl -in "$T/root.crl" -noout -verify -CAfile "$d/root.crt"
like '^verify OK$' "$T/err" "crl: openssl verifies the CRL with the root"
run openssl crl -in "$T/root.crl" -noout -text
like "Serial Number: $serial" "$T/out" "crl: it lists the revoked intermediate"
t_ok "ocsp: a response signed with the token key" \
    "$OFFROOT" ocsp -d "$d" --serial "$serial" -o "$T/resp.der" --pin-file "$PIN"
run openssl ocsp -respin "$T/resp.der" -CAfile "$d/root.crt" \
    -issuer "$d/root.crt" -cert "$T/int-ec-p384/certificate.pem" -no_nonce
like 'Response verify OK' "$T/err" "ocsp: openssl verifies the response"
like ': revoked' "$T/out" "ocsp: it says revoked"
t_ok "audit after sign, revoke, crl" "$OFFROOT" audit -d "$d"

# ---- p11-kit's configured modules (no --module) ----
d="$T/ca-p11kit"
"$OFFROOT" init -d "$d" --subject "$SUBJ" --store pkcs11 --token pkcs11:token=root-ca \
    --label root-p11kit --pin-file "$PIN" --yes >"$T/init.out" 2>"$T/init.err"
ok $? "init through p11-kit's configured modules (no --module)"
like '^module=$' "$d/root.key.uri" "root.key.uri: an empty module means p11-kit's modules"
t_ok "check-key through p11-kit's configured modules" \
    "$OFFROOT" check-key -d "$d" --pin-file "$PIN"

# ---- adopting an existing key pair (--key-uri) ----
p11tool --keypairgen --key-type EC:secp384r1 --id 0a0b0c --label made-by-vendor \
    >"$T/kg.out"; ok $? "pkcs11-tool makes a key pair (a vendor's tool)"
d="$T/ca-adopted"
tok_init "$d" --key-uri "pkcs11:token=root-ca;object=made-by-vendor"
ok $? "init --key-uri adopts an existing key pair"
like 'key_origin=adopted' "$d/journal" "the init record says adopted"
# The tool says what protects the adopted key, and records it.
like '^the adopted key is sensitive and has never been extractable$' "$T/init.err" \
    "adopted (generated non-extractable): the tool says so"
! grep -q 'private half can leave the token' "$T/init.err"
ok $? "adopted (generated non-extractable): no warning"
like ' token-key .* origin=adopted .* sensitive=yes extractable=no never_extractable=yes ' \
    "$d/transcripts/"*-init-*.log "adopted (generated non-extractable): the transcript records it"
like ' key_extractable=no key_never_extractable=yes' "$d/journal" \
    "adopted (generated non-extractable): so does the init record"
t_ok "check-key with the adopted key" "$OFFROOT" check-key -d "$d" --pin-file "$PIN"
# A key made extractable by the vendor's tool: adopted, with a warning.
p11tool --keypairgen --key-type EC:secp384r1 --id 0a0b0d --label made-extractable \
    --extractable >"$T/kg.out"; ok $? "pkcs11-tool makes an extractable key pair"
like 'Access: +sensitive, always sensitive, extractable' "$T/kg.out" \
    "pkcs11-tool: the key is extractable"
d="$T/ca-extractable"
tok_init "$d" --key-uri "pkcs11:token=root-ca;object=made-extractable"
ok $? "init --key-uri adopts an extractable key"
like '^offroot: warning: the adopted key is EXTRACTABLE: its private half can leave the token$' \
    "$T/init.err" "adopted (extractable): the warning says its private half can leave the token"
like ' token-key .* origin=adopted .* sensitive=yes extractable=yes never_extractable=no ' \
    "$d/transcripts/"*-init-*.log "adopted (extractable): the transcript records it"
like ' key_extractable=yes key_never_extractable=no' "$d/journal" \
    "adopted (extractable): so does the init record"
t_ok "adopted (extractable): audit" "$OFFROOT" audit -d "$d"
# A key imported from a file: not extractable now, but it once was.
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$T/imported.pem" 2>/dev/null
softhsm2-util --import "$T/imported.pem" --token root-ca --label imported \
    --id 0a0b0e --pin 4711-pin >"$T/imp.out" 2>&1
ok $? "softhsm2-util imports a key pair from a file"
rm -f "$T/imported.pem"
d="$T/ca-imported"
tok_init "$d" --key-uri "pkcs11:token=root-ca;object=imported"
ok $? "init --key-uri adopts an imported key"
like '^the adopted key is sensitive and not extractable \(but was once\)$' "$T/init.err" \
    "adopted (imported): the tool says it was once extractable"
like ' token-key .* sensitive=yes extractable=no never_extractable=no ' \
    "$d/transcripts/"*-init-*.log "adopted (imported): the transcript records it"
# A key that wants the PIN again for every signature (CKA_ALWAYS_AUTHENTICATE).
p11tool --keypairgen --key-type EC:prime256v1 --id 0d0e0f --label always-auth \
    --always-auth >"$T/kg.out"; ok $? "pkcs11-tool makes an always-authenticate key"
d="$T/ca-always"
tok_init "$d" --key-uri "pkcs11:token=root-ca;object=always-auth"
ok $? "init with a key that logs in for every signature"
t_ok "check-key with that key" "$OFFROOT" check-key -d "$d" --pin-file "$PIN"

# ---- refusals: one line, the right exit code, nothing written ----
refuse() {	# refuse NAME CODE DIR init-options...
	_name=$1; _code=$2; _dir=$3; shift 3
	t_fail "$_name (exit $_code)" "$_code" "$OFFROOT" init -d "$_dir" \
	    --store pkcs11 --yes --quiet "$@"
	# The token's warnings (failed PIN attempts) may come first.
	_lines=$(grep -vc '^offroot: warning: ' "$T/err")
	[ "$_lines" -eq 1 ]; ok $? "$_name: one line on stderr"
	[ "$_lines" -eq 1 ] || diag "$(cat "$T/err")"
	[ ! -e "$_dir" ] && ! ls -a "$T" | grep -q "\.$(basename "$_dir")\.offroot-init"
	ok $? "$_name: nothing written"
}
refuse "a wrong PIN" 1 "$T/x1" --subject "$SUBJ" --token pkcs11:token=root-ca \
    --module "$MOD" --pin-file "$T/badpin" --label x1
like 'CKR_PIN_INCORRECT' "$T/err" "a wrong PIN: the token's reason and its CKR_ name"
! grep -q 'no failed-PIN count' "$T/err"
ok $? "a wrong PIN: SoftHSM2 counts failed PINs, so no word of a token that does not"
refuse "a token label that is not there" 3 "$T/x2" --subject "$SUBJ" \
    --token pkcs11:token=no-such-token --module "$MOD" --pin-file "$PIN"
refuse "a missing module" 3 "$T/x3" --subject "$SUBJ" --token pkcs11:token=root-ca \
    --module /nonexistent/libpkcs11.so --pin-file "$PIN"
refuse "a key URI naming no key" 1 "$T/x4" --subject "$SUBJ" \
    --key-uri "pkcs11:token=root-ca;object=no-such-key" --module "$MOD" --pin-file "$PIN"
like '^offroot: warning: token "root-ca" reports failed PIN attempts' "$T/err" \
    "after a wrong PIN, the next login warns of the failed attempts (PIN-count-low)"
refuse "a label already on the token" 1 "$T/x5" --subject "$SUBJ" \
    --token pkcs11:token=root-ca --module "$MOD" --pin-file "$PIN" --label root-ec-p256
refuse "a URI with a typo" 2 "$T/x6" --subject "$SUBJ" --token pkcs11:tokn=root-ca \
    --module "$MOD" --pin-file "$PIN"
refuse "a PIN inside the URI" 2 "$T/x7" --subject "$SUBJ" \
    "--token=pkcs11:token=root-ca?pin-value=4711-pin" --module "$MOD" --pin-file "$PIN"
refuse "--token with a key's URI" 2 "$T/x8" --subject "$SUBJ" \
    --token "pkcs11:token=root-ca;object=k" --module "$MOD" --pin-file "$PIN"
refuse "--store pkcs11 without a token" 2 "$T/x9" --subject "$SUBJ" --module "$MOD" --pin-file "$PIN"
refuse "--kdf with a token" 2 "$T/x10" --subject "$SUBJ" --token pkcs11:token=root-ca \
    --kdf interactive --pin-file "$PIN"
t_fail "--token without --store pkcs11 is a usage error" 2 \
    "$OFFROOT" init -d "$T/x11" --subject "$SUBJ" --token pkcs11:token=root-ca
run p11tool --list-objects --type privkey
n=$(grep -c 'Private Key Object' "$T/out")
# Three roots generated, one through p11-kit, four adopted.
[ "$n" -eq 8 ]; ok $? "no refused init left a key on the token ($n private keys)"

# A subject the linter refuses is refused before the token is touched: the
# root certificate is rehearsed with a throwaway key first.  The module is
# the logging shim, so every call that reached the token is on record.
: >"$T/lint-calls"
P11SHIM_MODULE=$MOD P11SHIM_LOG="$T/lint-calls" refuse "a subject the BR profile refuses" 1 \
    "$T/x12" --token pkcs11:token=root-ca --module "$SHIM" --pin-file "$PIN" \
    --label lint-victim --subject "/CN=no country"
like 'before the key is made: lint .*countryName' "$T/err" "lint names the reason, before the key is made"
! grep -Eq 'C_Login|C_GenerateKeyPair|C_OpenSession' "$T/lint-calls"
ok $? "no session, login or key generation on the token for a refused root"
run p11tool --list-objects --label lint-victim
! grep -q 'lint-victim' "$T/out"; ok $? "no key was made for the refused root"

# Unlocking: wrong PIN, altered key reference, a key that is not the root's.
d="$T/ca-ec-p256"
cp "$d/journal" "$T/journal.before"
t_fail "check-key with a wrong PIN" 1 "$OFFROOT" check-key -d "$d" --pin-file "$T/badpin"
like 'CKR_PIN_INCORRECT' "$T/err" "check-key: the token's reason"
cp "$d/root.key.uri" "$T/ref.good"
sed 's|^module=.*|module=/tmp/evil.so|' "$T/ref.good" >"$d/root.key.uri"
t_fail "check-key refuses an altered root.key.uri before loading its module" 1 \
    "$OFFROOT" check-key -d "$d" --pin-file "$PIN"
like 'not the key reference the journal records' "$T/err" "the altered reference is named"
t_fail "audit catches the altered root.key.uri" 1 "$OFFROOT" audit -d "$d"
cp "$T/ref.good" "$d/root.key.uri"
# Swap the key on the token for another one with the same label and id.
id=$(sed -n 's/^uri=.*;id=\([^;]*\);.*/\1/p' "$d/root.key.uri" | tr -d '%')
p11tool --delete-object --type privkey --id "$id" >/dev/null &&
p11tool --delete-object --type pubkey --id "$id" >/dev/null &&
p11tool --keypairgen --key-type EC:prime256v1 --id "$id" --label root-ec-p256 >/dev/null
ok $? "the token's key is replaced by another under the same label and id"
t_fail "check-key: a key that is not the root's" 1 \
    "$OFFROOT" check-key -d "$d" --pin-file "$PIN"
like 'does not match the root certificate' "$T/err" "the mismatch is named"
cmp -s "$T/journal.before" "$d/journal"; ok $? "no failed unlock wrote to the journal"

# ---- the root ceremony on a token, in the batch runner ----
# The operator's word that the token key was backed up by the vendor's
# procedure is asked during generate-root and recorded in the ceremony's
# transcript (and the init transcript), "yes" or "no".
cat >"$T/answers" <<'E'
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
override airgap: a test machine, not air-gapped
E
for answer in yes no; do
	sed -e "s/^param: profile = root\$/param: profile = root\nparam: store = pkcs11\nparam: label = ceremony-$answer/" \
	    "$ROOT/ceremony-scripts/root.ceremony" >"$T/token-$answer.ceremony"
	{ [ $answer = no ] && printf "confirm 3: yes\nconfirm 3: no\n"; cat "$T/answers"; } >"$T/answers-$answer"
	mkdir -p "$T/media-$answer"
	t_ok "root.ceremony on a token in batch (backup answered $answer)" \
	    "$OFFROOT" ceremony "$T/token-$answer.ceremony" -d "$T/cer-$answer" \
	    --media "$T/media-$answer" --token pkcs11:token=root-ca --module "$MOD" \
	    --pin-file "$PIN" --answers "$T/answers-$answer"
	like '^\[step 3\] The root key exists only on token "root-ca" and offroot cannot copy it. Has it been backed up by the token vendor.s procedure\? -> '"$answer" \
	    "$T/err" "ceremony ($answer): the backup question is asked in step 3"
	[ $answer = yes ] || like 'warning: recorded that the token key is NOT backed up' \
	    "$T/err" "ceremony (no): the \"no\" is recorded with a warning"
	tr=$(ls "$T/cer-$answer/transcripts/"*-ceremony-*.log)
	like " token-backup [0-9a-f]{64} step=3 question=The%20root%20key%20exists%20only%20on%20token%20\"root-ca\".* confirmed_by=Crypto%20Officer%201%20\(Carol%20Officer\) operator_confirmed=$answer " \
	    "$tr" "ceremony ($answer): its transcript records who answered and the answer"
	like " token-backup .* operator_confirmed=$answer " "$T/cer-$answer/transcripts/"*-init-*.log \
	    "ceremony ($answer): so does the init transcript"
	t_ok "ceremony ($answer): audit passes (both transcripts sealed)" \
	    "$OFFROOT" audit -d "$T/cer-$answer"
	like " init .* token_backed_up=$answer " "$T/cer-$answer/journal" \
	    "ceremony ($answer): the journal's init record says token_backed_up=$answer"
done

# ---- a token key recorded as not backed up: warned until it is ----------
# status, its JSON and the TUI's calendar warn while the journal's last word
# on the vendor's backup is "no"; offroot token-backup records the backup
# (and --withdrawn its loss), and the warning follows the latest record.
d="$T/cer-no"
t_ok "status of the CA whose token key is not backed up" "$OFFROOT" status -d "$d"
like '^WARNING: the root key on token "root-ca" is recorded as NOT backed up' "$T/out" \
    "status warns that the token holds the only copy"
like '^token backup: +NOT backed up, recorded ' "$T/out" "status names the state"
"$OFFROOT" status -d "$d" --json >"$T/st.json" 2>/dev/null
$PY -c 'import json,sys; k=json.load(open(sys.argv[1]))["key"]; assert k["token_backed_up"] == "no", k' "$T/st.json"
ok $? "status --json: key.token_backed_up is \"no\""
t_ok "the CA whose token key is backed up: no such warning" "$OFFROOT" status -d "$T/cer-yes"
! grep -q 'NOT backed up' "$T/err" "$T/out"; ok $? "... and no NOT-backed-up line"
# The TUI's home screen, at 80x24 on the console, says it too.
. "$ROOT/tests/tui.sh"
start 80 24 linux "'$OFFROOT' tui -d '$d'"
waitfor 'NOT backed up: token "root-ca" holds the only copy'
ok $? "the TUI's calendar warns that the token holds the only copy"
keys q
cp "$d/journal" "$T/j.tb"
t_fail "token-backup without a terminal and without --yes records nothing" 3 \
    setsid "$OFFROOT" token-backup -d "$d" --by "Carol Officer" --note "vendor backup to token 2"
cmp -s "$T/j.tb" "$d/journal"; ok $? "... the journal is unchanged"
t_fail "token-backup with an empty --note" 2 \
    "$OFFROOT" token-backup -d "$d" --by "Carol Officer" --note "" --yes
new_ca "$T/sealed-ca"; ok $? "a CA with a sealed key"
t_fail "token-backup on a sealed-key CA is refused" 2 \
    "$OFFROOT" token-backup -d "$T/sealed-ca" --by "Carol Officer" --note "n/a" --yes
t_ok "token-backup records the vendor's backup" "$OFFROOT" token-backup -d "$d" \
    --by "Carol Officer" --note "cloned to backup token SN 0042 (vendor procedure 7.3), bag A-17" --yes
like ' token-backup [0-9a-f]{64} backed_up=yes token_label=root-ca .*by=Carol%20Officer note=cloned%20to%20backup%20token%20SN%200042' \
    "$d/journal" "the journal records who said so and what was done"
start 80 24 linux "'$OFFROOT' tui -d '$d'"
waitfor -a 'offroot  home' 'Issued: '
! grep -q 'NOT backed up' "$T/screen"; ok $? "after the record the calendar no longer warns"
keys q
t_ok "status after the backup" "$OFFROOT" status -d "$d"
! grep -q 'NOT backed up' "$T/out"; ok $? "... no longer warns"
like '^token backup: +backed up, recorded ' "$T/out" "... and says backed up"
t_ok "audit accepts the token-backup record" "$OFFROOT" audit -d "$d"
t_ok "token-backup --withdrawn records that the backup is gone" "$OFFROOT" token-backup -d "$d" \
    --by "Carol Officer" --note "backup token SN 0042 failed its yearly check" --withdrawn --yes
t_ok "status after the withdrawal" "$OFFROOT" status -d "$d"
like '^WARNING: the root key on token "root-ca" is recorded as NOT backed up' "$T/out" \
    "... warns again"
t_ok "audit after the withdrawal" "$OFFROOT" audit -d "$d"
done_testing

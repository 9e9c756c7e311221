#!/bin/sh
# offroot migrate (issue 15, item 3): a sealed root key, under one
# passphrase or an officer quorum, moved into a PKCS#11 token.  On SoftHSM2
# the key goes in by C_UnwrapKey under a one-time AES key
# (CKM_AES_KEY_WRAP_PAD), or by C_CreateObject where the token lists no
# key-wrap mechanism (the fault shim hides it); pkcs11-tool sees a private
# key that is sensitive and not extractable, and, honestly, neither always
# sensitive nor never extractable; the sealed file is overwritten (a hard
# link the test keeps sees other bytes) and unlinked; the journal's
# migrate record makes the token the CA's key store: check-key and crl use
# it with the PIN only, status and audit say the key was imported; the
# quorum's share files given are retired too.  A wrong passphrase, a wrong
# PIN, a missing token, a taken label, and a token that makes the key able
# to decrypt are each one line, and leave the CA on its sealed key with
# nothing left on the token.  A sealed file a kill left after the record
# is refused by audit and wiped by the next command; a root.key.uri a kill
# left before it goes to quarantine/.  The shipped migrate.ceremony passes
# script check and runs in batch with migrate.answers.  On a TPM (swtpm +
# tpm2-pkcs11, which takes no imported private key) the move is refused
# the same way.
. "$(dirname "$0")/../lib.sh"
MOD=/usr/lib/softhsm/libsofthsm2.so
SHIM="$ROOT/${OFFROOT_BUILD:-build}/tests/libp11shim.so"

if [ ! -r "$MOD" ] || ! command -v softhsm2-util >/dev/null 2>&1 ||
    ! command -v pkcs11-tool >/dev/null 2>&1; then
	echo "1..0 # SKIP SoftHSM2 or pkcs11-tool is not installed"
	exit 0
fi

PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
printf '0000-bad\n' >"$T/badpin"
printf 'not the passphrase\n' >"$T/badpass"
TOK=pkcs11:token=root-ca
t_ok "softhsm-setup makes a throwaway token" \
    sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin 87654321
SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
export SOFTHSM2_CONF

p11objects() {	# the token's own view, with OpenSC's pkcs11-tool
	pkcs11-tool --module "$MOD" --token-label root-ca --login \
	    --pin 4711-pin -O 2>&1
}
nobjects() { p11objects | grep -c 'Key Object' || true; }
# sealed_ok DIR: the CA still opens with its passphrase (nothing lost)
sealed_ok() {
	"$OFFROOT" check-key -d "$1" --passphrase-file "$PASS" >/dev/null 2>&1 &&
	    [ -f "$1/root.key.sealed" ] && [ ! -e "$1/root.key.uri" ]
}
migrate() {	# migrate DIR [options]
	_d=$1; shift
	"$OFFROOT" migrate -d "$_d" --to-token "$TOK" --module "$MOD" \
	    --passphrase-file "$PASS" --pin-file "$PIN" "$@"
}

new_ca "$T/ca"; ok $? "a sealed CA (ec-p384)"
K0=$(sha256sum "$T/ca/root.key.sealed" | cut -c1-64)

# --- refusals: one line each, the CA stays on its sealed key
t_fail "a malformed token URI is a usage error" 2 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "pkcs11:tokn=x" --passphrase-file "$PASS"
t_fail "--pin-file without the passphrase's file is a usage error" 2 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "$TOK" --pin-file "$PIN"
t_fail "a wrong passphrase is refused" 1 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "$TOK" --module "$MOD" \
    --passphrase-file "$T/badpass" --pin-file "$PIN"
t_fail "a missing token is an environment error" 3 \
    "$OFFROOT" migrate -d "$T/ca" --to-token pkcs11:token=nowhere --module "$MOD" \
    --passphrase-file "$PASS" --pin-file "$PIN"
like 'no token matches' "$T/err" "... which says no token matches"
t_fail "a wrong PIN is refused" 1 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "$TOK" --module "$MOD" \
    --passphrase-file "$PASS" --pin-file "$T/badpin"
like 'CKR_PIN_INCORRECT' "$T/err" "... naming CKR_PIN_INCORRECT"
P11SHIM_MODULE=$MOD P11SHIM_ATTR_TRUE=CKA_DECRYPT \
    t_fail "a token that makes the key able to decrypt loses it again" 3 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "$TOK" --module "$SHIM" \
    --passphrase-file "$PASS" --pin-file "$PIN"
like 'not sign only' "$T/err" "... saying it is not sign-only"
P11SHIM_MODULE=$MOD P11SHIM_FAIL=C_UnwrapKey:1 \
    t_fail "a token removed as the key goes in is an environment error" 3 \
    "$OFFROOT" migrate -d "$T/ca" --to-token "$TOK" --module "$SHIM" \
    --passphrase-file "$PASS" --pin-file "$PIN"
[ "$(nobjects)" -eq 0 ]; ok $? "no key object is left on the token after the refusals"
sealed_ok "$T/ca"; ok $? "the CA still opens with its sealed key"
[ "$(sha256sum "$T/ca/root.key.sealed" | cut -c1-64)" = "$K0" ]
ok $? "the sealed key file is untouched"
run "$OFFROOT" audit -d "$T/ca"; ok $rc "audit accepts the CA after the refusals"

# --- the move, by C_UnwrapKey
ln "$T/ca/root.key.sealed" "$T/sealed.link"
t_ok "migrate moves the key into the token" migrate "$T/ca"
like 'CKM_AES_KEY_WRAP_PAD' "$T/out" "... by C_UnwrapKey with CKM_AES_KEY_WRAP_PAD"
like 'token-backup' "$T/err" "... and warns that the token is now the only copy"
[ ! -e "$T/ca/root.key.sealed" ]; ok $? "root.key.sealed is gone"
[ "$(stat -c %h "$T/sealed.link")" -eq 1 ] &&
    [ "$(sha256sum "$T/sealed.link" | cut -c1-64)" != "$K0" ] &&
    ! head -c 16 "$T/sealed.link" | grep -q OFFROOT
ok $? "its inode was overwritten before the unlink (the kept link sees random bytes)"
[ "$(stat -c %s "$T/sealed.link")" -gt 100 ]; ok $? "... over its whole length"
p11objects >"$T/objects"
like '^Private Key Object; EC' "$T/objects" "pkcs11-tool: a private EC key on the token"
grep -A4 '^Private Key Object' "$T/objects" | grep -Eq '^ *Access: *sensitive$'
ok $? "pkcs11-tool: sensitive, not extractable, neither always sensitive nor never extractable"
grep -A4 '^Private Key Object' "$T/objects" | grep -Eq '^ *Usage: *sign$'
ok $? "pkcs11-tool: it may sign and nothing else"
like 'object=offroot-root' "$T/ca/root.key.uri" "root.key.uri names the imported key"
like ' migrate [0-9a-f]{64} .*key_origin=imported' "$T/ca/journal" "the journal records the migrate"
like 'key_always_sensitive=no .*key_never_extractable=no' "$T/ca/journal" \
    "... with what the token reports"
t_ok "check-key opens the token key with the PIN alone" \
    "$OFFROOT" check-key -d "$T/ca" --pin-file "$PIN"
t_ok "crl signs with the token" "$OFFROOT" crl -d "$T/ca" --pin-file "$PIN" --yes -o "$T/a.crl"
run openssl crl -in "$T/a.crl" -CAfile "$T/ca/root.crt" -noout
ok $rc "the token-signed CRL verifies with openssl against root.crt"
run "$OFFROOT" status -d "$T/ca"
like 'pkcs11 store' "$T/out" "status: a pkcs11 store"
like 'key origin: +imported .*migrate' "$T/out" "status: the key was imported by migrate"
t_ok "audit accepts the migrated CA" "$OFFROOT" audit -d "$T/ca"
like 'imported into token "root-ca" by migrate' "$T/out" "audit says the key was imported"
t_fail "a second migrate is refused: the key is on a token" 1 migrate "$T/ca"
# A kill after the record leaves root.key.sealed: audit refuses until the
# next command that takes the lock wipes it (with a recover record).
cp "$T/sealed.link" "$T/ca/root.key.sealed"
t_fail "audit refuses a sealed key file left after the migrate record" 1 \
    "$OFFROOT" audit -d "$T/ca"
like 'still there after the migrate record' "$T/err" "... saying what it is"
t_ok "the next command finishes the retirement" \
    "$OFFROOT" check-key -d "$T/ca" --pin-file "$PIN"
like 'recovered: overwrote and removed root.key.sealed' "$T/err" "... and says so"
[ ! -e "$T/ca/root.key.sealed" ]; ok $? "root.key.sealed is gone again"
like ' recover .*action=wipe file=root.key.sealed ' "$T/ca/journal" "a recover record names the wipe"
t_ok "audit accepts the CA again" "$OFFROOT" audit -d "$T/ca"

# --- by C_CreateObject, where the token lists no key-wrap mechanism (RSA)
new_ca "$T/rsa" --key rsa-3072; ok $? "a sealed rsa-3072 CA"
# A kill before the record leaves root.key.uri beside the sealed key: the
# next command sets it aside, and the CA stays on its sealed key.
cp "$T/ca/root.key.uri" "$T/rsa/root.key.uri"
t_ok "the next command after a migrate killed before its record" \
    "$OFFROOT" check-key -d "$T/rsa" --passphrase-file "$PASS"
like 'recovered: moved root.key.uri to quarantine/' "$T/err" "... sets root.key.uri aside"
sealed_ok "$T/rsa"; ok $? "the CA opens with its sealed key alone"
t_ok "audit accepts it" "$OFFROOT" audit -d "$T/rsa"
t_fail "a label already on the token is refused" 1 migrate "$T/rsa"
sealed_ok "$T/rsa"; ok $? "... and the CA stays on its sealed key"
P11SHIM_MODULE=$MOD P11SHIM_HIDE_MECH=0x210a \
    t_ok "migrate by C_CreateObject" "$OFFROOT" migrate -d "$T/rsa" --to-token "$TOK" \
    --module "$SHIM" --label rsa-root --passphrase-file "$PASS" --pin-file "$PIN"
like '\(create\)' "$T/out" "... says it created the key"
like ' migrate .*import_method=create' "$T/rsa/journal" "... and the journal says so"
p11objects | grep -A4 '^Private Key Object; RSA' | grep -Eq '^ *Access: *sensitive$'
ok $? "pkcs11-tool: the created RSA key is sensitive, not extractable"
[ ! -e "$T/rsa/root.key.sealed" ]; ok $? "the RSA CA's sealed key file is gone"

# --- a 2-of-3 quorum: the shares given are retired with the key file
mkdir -p "$T/s"
for i in 1 2 3; do printf 'officer %s passphrase here\n' "$i" >"$T/p$i"; done
"$OFFROOT" init -d "$T/q" --subject "/C=DE/O=offroot tests/CN=Quorum Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/s" --crl-url "$TEST_CRL_URL" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p2" \
    --share-passphrase-file "$T/p3" >/dev/null 2>&1
ok $? "a 2-of-3 quorum CA"
S1=$(ls "$T"/s/*-share-1-of-3.share) S2=$(ls "$T"/s/*-share-2-of-3.share)
S3=$(ls "$T"/s/*-share-3-of-3.share)
t_ok "migrate opens the quorum key with two shares" \
    "$OFFROOT" migrate -d "$T/q" --to-token "$TOK" --module "$MOD" --label q-root \
    --share "$S1" --share-passphrase-file "$T/p1" --share "$S3" \
    --share-passphrase-file "$T/p3" --pin-file "$PIN"
[ ! -e "$S1" ] && [ ! -e "$S3" ] && [ -e "$S2" ] && [ ! -e "$T/q/root.key.sealed" ]
ok $? "the two shares given and the key file are gone; the third is the officers' to destroy"
like '2 share files of the 2/3 quorum retired' "$T/err" "... which migrate says"
t_ok "audit accepts the migrated quorum CA" "$OFFROOT" audit -d "$T/q"

# --- the ceremony script, checked and run in batch with its shipped answers
SCRIPTS="$ROOT/ceremony-scripts"
t_ok "offroot script check accepts migrate.ceremony" \
    "$OFFROOT" script check "$SCRIPTS/migrate.ceremony"
printf '%s\n' 'offroot-ceremony 1' 'name: Bad' 'version: 1' 'role: Officer' '' \
    'step 1: Who' 'role: Officer' 'action: participants' '' 'step 2: Make' \
    'role: Officer' 'action: generate-root' 'param: subject = /C=DE/O=x/CN=X' \
    'param: key = ec-p256' '' 'step 3: Move' 'role: Officer' 'action: migrate' \
    >"$T/bad.ceremony"
t_fail "script check refuses a migrate step after a generate-root step" 1 \
    "$OFFROOT" script check "$T/bad.ceremony"
like 'generate it on the token' "$T/err" "... saying to generate the key on the token"
new_ca "$T/cer"; ok $? "a sealed CA for the ceremony"
softhsm2-util --init-token --free --label cer-token --pin 4711-pin \
    --so-pin 87654321 >/dev/null 2>&1; ok $? "a second token for the ceremony"
t_ok "migrate.ceremony runs in batch with the shipped answers" \
    "$OFFROOT" ceremony "$SCRIPTS/migrate.ceremony" -d "$T/cer" --token pkcs11:token=cer-token \
    --module "$MOD" --answers "$SCRIPTS/migrate.answers" \
    --passphrase-file "$PASS" --pin-file "$PIN"
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
[ ! -e "$T/cer/root.key.sealed" ] && [ -f "$T/cer/root.key.uri" ]
ok $? "the ceremony left the CA on the token, its sealed file gone"
grep -q ' migrate .*step=5 ' "$T/cer/transcripts/"*-ceremony-*.log
ok $? "the ceremony's transcript records the migrate of step 5"
t_ok "audit accepts the CA the ceremony migrated" "$OFFROOT" audit -d "$T/cer"
t_ok "its token key opens with the PIN" "$OFFROOT" check-key -d "$T/cer" --pin-file "$PIN"

# --- a TPM takes no imported private key: refused, nothing lost
TMOD=
for m in /usr/lib/*/pkcs11/libtpm2_pkcs11.so; do [ -r "$m" ] && TMOD=$m; done
for c in swtpm tpm2_ptool tpm2_flushcontext; do
	command -v "$c" >/dev/null 2>&1 || TMOD=
done
if [ -n "$TMOD" ]; then
	trap 'sh "$ROOT/hsm/tpm-setup" --stop "$T/tpm" >/dev/null 2>&1
[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
	printf '87654321\n' >"$T/sopin"
	t_ok "tpm-setup starts swtpm and makes a token" \
	    sh "$ROOT/hsm/tpm-setup" "$T/tpm" tpm-root "$PIN" "$T/sopin"
	TPM2_PKCS11_TCTI=swtpm:path=$T/tpm/swtpm.sock
	TPM2_PKCS11_STORE=$T/tpm/store
	TSS2_LOG=all+none
	export TPM2_PKCS11_TCTI TPM2_PKCS11_STORE TSS2_LOG
	new_ca "$T/t" --key ec-p256; ok $? "a sealed ec-p256 CA for the TPM"
	t_fail "the TPM's module takes no imported key: refused" 1 \
	    "$OFFROOT" migrate -d "$T/t" --to-token pkcs11:token=tpm-root \
	    --module "$TMOD" --passphrase-file "$PASS" --pin-file "$PIN"
	like 'does not take an imported ec-p256 private key' "$T/err" "... saying why"
	sealed_ok "$T/t"; ok $? "the CA stays on its sealed key"
	pkcs11-tool --module "$TMOD" --token-label tpm-root --login --pin 4711-pin -O \
	    2>&1 | grep -c 'Key Object' >"$T/tpmobj" || true
	[ "$(cat "$T/tpmobj")" -eq 0 ]; ok $? "nothing was made on the TPM"
	sh "$ROOT/hsm/tpm-setup" --stop "$T/tpm" >/dev/null 2>&1
	ok $? "swtpm stopped by its PID"
else
	ok 0 "# SKIP swtpm or tpm2-pkcs11 is not installed"
fi
done_testing

#!/bin/sh
# Token quirks are data (hsm/p11quirks.c), learned from the module's
# answers on a SoftHSM2 token behind the fault shim: tokens --mechanisms
# says per key type what offroot will use and why, or "not available" and
# why, without logging in; the mechanism a signature uses follows the
# token's list (a hashing RSA mechanism when listed, raw CKM_RSA_PKCS only
# without one); a token that shows no failed-PIN count is said so before
# the first login, and after one wrong PIN typed on the terminal no other
# PIN is tried unless the officer types "try" (a token that counts, as
# SoftHSM2 does with PIN-count-low, is asked again as before); the stop is
# in the transcript; in a TUI ceremony the question is the TUI's, and the
# officer's choice a note in the ceremony's transcript.  The shim's "blind" clears the PIN flags, as
# tpm2-pkcs11 reports them.
. "$(dirname "$0")/../lib.sh"
MOD=/usr/lib/softhsm/libsofthsm2.so
SHIM="$ROOT/${OFFROOT_BUILD:-build}/tests/libp11shim.so"

if [ ! -r "$MOD" ] || ! command -v softhsm2-util >/dev/null 2>&1; then
	echo "1..0 # SKIP SoftHSM2 is not installed (apt-get install softhsm2)"
	exit 0
fi
if [ ! -r "$SHIM" ]; then
	echo "1..1"
	echo "not ok 1 - the fault-injecting module $SHIM is built (make unit)"
	exit 1
fi
P11SHIM_MODULE=$MOD
P11SHIM_LOG="$T/calls"
PIN="$T/pin"
printf '4711-pin\n' >"$PIN"
SUBJ="/C=DE/O=offroot tests/CN=Quirks Root"
sh "$ROOT/hsm/softhsm-setup" "$T/hsm" root-ca 4711-pin 87654321 >/dev/null
ok $? "a throwaway SoftHSM2 token"
SOFTHSM2_CONF="$T/hsm/softhsm2.conf"
export SOFTHSM2_CONF P11SHIM_MODULE P11SHIM_LOG
# The tmux server (tests/tui.sh) starts with this environment.
. "$ROOT/tests/tui.sh"

calls() { grep -c "^$1\$" "$T/calls" 2>/dev/null || true; }
row() { grep -E "^      $1 +" "$T/out" | sed -E "s/^      $1 +//"; }

# ---- tokens --mechanisms ----
rm -f "$T/calls"
t_ok "tokens --mechanisms" "$OFFROOT" tokens --module "$SHIM" --mechanisms
like '^    offroot would use \(the token lists [0-9]+ mechanisms\):$' "$T/out" \
    "tokens --mechanisms: a block per token"
[ "$(row ec-p256)" = "CKM_ECDSA: listed for signing; offroot hashes with SHA-256" ]
ok $? "ec-p256: CKM_ECDSA, hashed by offroot"
[ "$(row rsa-3072)" = "CKM_SHA384_RSA_PKCS: hashing mechanism listed; raw CKM_RSA_PKCS avoided" ]
ok $? "rsa-3072: the hashing mechanism, raw CKM_RSA_PKCS avoided, and why"
[ "$(row rsa-3072-pss)" = "CKM_SHA384_RSA_PKCS_PSS: hashing mechanism listed; raw CKM_RSA_PKCS_PSS avoided" ]
ok $? "rsa-3072-pss: the hashing PSS mechanism"
like '^      ec-p521 +not available: offroot makes no P-521 keys' "$T/out" \
    "ec-p521: not available, and why"
like '^      ed25519 +CKM_EDDSA: ' "$T/out" "ed25519: CKM_EDDSA"
like '^    failed PIN tries: unknown: no PIN-count-low, final-try or locked flag is set' \
    "$T/out" "PIN counters: unknown until a PIN fails"
like '^    serial: set ' "$T/out" "a SoftHSM2 serial is unique"
[ "$(calls C_Login)" -eq 0 ] && [ "$(calls C_GetMechanismList)" -ge 1 ]
ok $? "tokens --mechanisms reads the mechanism list and never logs in"

# What the module lists decides, not its name: the same module with
# mechanisms hidden.
HASHING=CKM_SHA256_RSA_PKCS,CKM_SHA384_RSA_PKCS,CKM_SHA512_RSA_PKCS
t_ok "tokens --mechanisms, no hashing RSA" \
    env P11SHIM_HIDE_MECH=$HASHING "$OFFROOT" tokens --module "$SHIM" --mechanisms
like '^      rsa-3072 +CKM_RSA_PKCS: no CKM_SHA384_RSA_PKCS listed, so offroot hashes' \
    "$T/out" "without a hashing mechanism: raw CKM_RSA_PKCS, and why"
t_ok "tokens --mechanisms, no EdDSA, no RSA generation" \
    env P11SHIM_HIDE_MECH=CKM_EDDSA,CKM_RSA_PKCS_KEY_PAIR_GEN "$OFFROOT" tokens --module "$SHIM" --mechanisms
[ "$(row ed25519)" = "not available: cannot make Ed25519 signatures (no CKM_EDDSA)" ]
ok $? "ed25519: not available: no CKM_EDDSA"
[ "$(row rsa-4096)" = "not available: no CKM_RSA_PKCS_KEY_PAIR_GEN listed" ]
ok $? "rsa-4096: not available: no RSA key generation"
t_ok "tokens --mechanisms on a token that counts" \
    env P11SHIM_TOKEN_FLAGS=count-low "$OFFROOT" tokens --module "$SHIM" --mechanisms
like '^    failed PIN tries: reported: ' "$T/out" "a PIN-count-low flag: counters reported"
t_fail "tokens --mechanisms takes no argument" 2 "$OFFROOT" tokens --mechanisms=yes

# ---- the signing mechanism follows the table ----
CA="$T/ca"
rm -f "$T/calls"
t_ok "init: an rsa-3072 root on the token" "$OFFROOT" init -d "$CA" \
    --subject "$SUBJ" --store pkcs11 --module "$SHIM" \
    --token pkcs11:token=root-ca --key rsa-3072 --label root --pin-file "$PIN" \
    --yes --crl-url "$TEST_CRL_URL"
grep -q '^SIGN_MECH 0x41$' "$T/calls" && ! grep -q '^SIGN_MECH 0x1$' "$T/calls"
ok $? "init signs with CKM_SHA384_RSA_PKCS, never raw CKM_RSA_PKCS"
like "token \"root-ca\" reports no count of failed PIN tries" "$T/err" \
    "before the first login: the token shows no failed-PIN count, said so"
rm -f "$T/calls"
t_ok "check-key on a token without hashing RSA" \
    env P11SHIM_HIDE_MECH=$HASHING "$OFFROOT" check-key -d "$CA" --pin-file "$PIN"
grep -q '^SIGN_MECH 0x1$' "$T/calls" && ! grep -q '^SIGN_MECH 0x4' "$T/calls"
ok $? "without a hashing mechanism: raw CKM_RSA_PKCS"
t_ok "crl on a token without hashing RSA (offroot hashes)" \
    env P11SHIM_HIDE_MECH=$HASHING "$OFFROOT" crl -d "$CA" -o "$T/crl.pem" --pin-file "$PIN"
run openssl crl -in "$T/crl.pem" -noout -verify -CAfile "$CA/root.crt"
like '^verify OK$' "$T/err" "... and openssl verifies that CRL"
t_ok "check-key on a token that counts" \
    env P11SHIM_TOKEN_FLAGS=count-low "$OFFROOT" check-key -d "$CA" --pin-file "$PIN"
! grep -q 'reports no count of failed PIN tries' "$T/err"
ok $? "a token that counts: no blind-counter warning"

# ---- one wrong PIN on the terminal, on a token that counts none ----
tries() { grep -c '^C_Login$' "$T/calls" 2>/dev/null || true; }
rm -f "$T/calls"
start 80 24 linux "env P11SHIM_TOKEN_FLAGS=blind '$OFFROOT' check-key -d '$CA'"
waitfor 'PIN for token "root-ca"'; ok $? "the PIN is asked on the terminal"
keys "0000-bad" Enter
waitfor 'Type "try" to try another PIN'
ok $? "after one wrong PIN: the officer is asked before another try"
keys Enter
waitfor 'EXIT='
like 'EXIT=1' "$T/screen" "nothing typed: exit 1"
tr -d '\n' <"$T/screen" | grep -q 'stopped after one wrong PIN'
ok $? "... saying it stopped after one wrong PIN"
[ "$(tries)" -eq 1 ]; ok $? "... and one PIN was tried"
grep -l 'stopped%20after%20one%20wrong%20PIN' "$CA/transcripts/"*check-key* >/dev/null 2>&1
ok $? "the stop is in the check-key transcript"

rm -f "$T/calls"
start 80 24 linux "env P11SHIM_TOKEN_FLAGS=blind '$OFFROOT' check-key -d '$CA' --yes"
waitfor 'PIN for token "root-ca"'
keys "0000-bad" Enter
waitfor 'Type "try" to try another PIN'
ok $? "with --yes too: asked before another try"
keys "try" Enter
waitfor 'tries? left'
ok $? "\"try\": the PIN is asked again"
keys "4711-pin" Enter
waitfor 'EXIT='
like 'EXIT=0' "$T/screen" "the right PIN then: check-key passes"
[ "$(tries)" -eq 2 ]; ok $? "... two PINs tried"

rm -f "$T/calls"
start 80 24 linux "env P11SHIM_TOKEN_FLAGS=count-low '$OFFROOT' check-key -d '$CA'"
waitfor 'PIN for token "root-ca"'
keys "0000-bad" Enter
waitfor 'tries? left'
ok $? "a token that counts: asked for the PIN again at once"
! grep -q 'Type "try"' "$T/screen"; ok $? "... without the blind-token question"
keys "4711-pin" Enter
waitfor 'EXIT='
like 'EXIT=0' "$T/screen" "... and the right PIN passes"
tmux kill-session -t "=$S" 2>/dev/null
t_ok "audit after it all" "$OFFROOT" audit -d "$CA"

# ---- the same question in the TUI, recorded in the ceremony ----
tokpin=4711-pin
cat >"$T/token.ceremony" <<'E'
offroot-ceremony 1
name: Root on a blind token
version: 1
role: Ceremony Administrator
role: Internal Witness
role: Crypto Officer 1

step 1: Participants
role: Ceremony Administrator
action: participants

step 2: Generate the root on the token
role: Crypto Officer 1
witness: Internal Witness
action: generate-root
param: subject = /C=DE/O=offroot tests/CN=Blind Token Root
param: key = ec-p256
param: store = pkcs11
param: label = tui-blind
E
start 80 24 linux "env P11SHIM_TOKEN_FLAGS=blind '$OFFROOT' ceremony '$T/token.ceremony' -d '$T/tuica' --token 'pkcs11:token=root-ca' --module '$SHIM'"
drive 'grep -q "PIN for token" "$T/screen"'
ok $? "TUI: the ceremony asks the token's PIN"
type_secret "0000-bad"
waitcond 'boxflat | grep -q "Type\"try\"totryanotherPIN"'
ok $? "TUI: after one wrong PIN, the officer is asked before another try"
type_in "try"
drive
like 'Done' "$T/screen" "TUI: \"try\", then the right PIN: the ceremony ends"
keys Enter
waitfor 'EXIT=0'; ok $? "TUI: offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null
ttr=$(ls "$T/tuica/transcripts/"*-ceremony-*.log 2>/dev/null | head -1)
[ -n "$ttr" ] && grep -q ' exception .*the%20officer%20chose%20to%20try%20another%20PIN' "$ttr"
ok $? "TUI: the ceremony's transcript records the officer's choice"
done_testing

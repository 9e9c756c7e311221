#!/bin/sh
# The sealed key file: its documented format opens with another libsodium
# binding (the recipe in offroot-sealed(5), run with PyNaCl), it holds no
# plaintext key, and any damage or a wrong passphrase is refused with exit 1
# and nothing written.
. "$(dirname "$0")/../lib.sh"

new_ca "$T/ca" --key ec-p384; ok $? "init (ec-p384)"
K="$T/ca/root.key.sealed"

# The man page's recipe, taken from the page itself so the two cannot drift.
sed -n '/^import struct, sys$/,/^\.Ed$/p' "$ROOT/manuals/offroot-sealed.5" |
    sed '$d' | sed 's/\\e/\\/g' >"$T/unseal.py"
umask 077
run $PY "$T/unseal.py" "$K" "$PASS"
cp "$T/out" "$T/root.p8"
ok $rc "the offroot-sealed(5) recipe opens the key file with PyNaCl"
a=$(openssl pkey -inform DER -in "$T/root.p8" -pubout -outform DER 2>/dev/null | sha256sum | cut -d' ' -f1)
b=$(openssl x509 -in "$T/ca/root.crt" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
[ -n "$a" ] && [ "$a" = "$b" ]; ok $? "the unsealed key is root.crt's key"
like "^$b\$" "$T/err" "the header's fingerprint is the public key's SHA-256"
$PY - "$T/root.p8" "$K" <<'PYEOF'
import sys
from cryptography.hazmat.primitives.serialization import load_der_private_key
p8 = open(sys.argv[1], "rb").read()
sealed = open(sys.argv[2], "rb").read()
key = load_der_private_key(p8, None)
d = key.private_numbers().private_value.to_bytes(48, "big")
bad = [name for name, blob in (("PKCS#8", p8), ("scalar", d)) if blob in sealed]
# Any 16-byte window of the scalar would be a leak too.
bad += ["scalar window %d" % i for i in range(len(d) - 15) if d[i:i + 16] in sealed]
sys.exit(1 if bad else 0)
PYEOF
ok $? "the sealed file contains neither the PKCS#8 key nor its private scalar"
rm -f "$T/root.p8"

cp "$T/ca/journal" "$T/journal.before"
size=$(stat -c %s "$K")
cp "$K" "$T/good.sealed"
for pos in 0 10 16 18 21 22 30 38 50 54 58 70 95 110 117 120 150 $((size - 20)) $((size - 1)); do
	cp "$T/good.sealed" "$K"
	$PY -c 'import sys
p=int(sys.argv[2]); b=bytearray(open(sys.argv[1],"rb").read()); b[p]^=0x01
open(sys.argv[1],"wb").write(b)' "$K" "$pos"
	t_fail "a flipped bit at byte $pos is refused" 1 \
	    "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
done
for cut in 1 17 100 $((size - 1)); do
	head -c "$cut" "$T/good.sealed" >"$K"
	t_fail "a key file truncated to $cut bytes is refused" 1 \
	    "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
done
cp "$T/good.sealed" "$K"; printf 'x' >>"$K"
t_fail "a trailing byte is refused" 1 "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
cp "$T/good.sealed" "$K"
printf 'not the passphrase\n' >"$T/wrong"
t_fail "a wrong passphrase is refused" 1 "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$T/wrong"
like 'wrong passphrase' "$T/err" "the error names the passphrase"
cmp -s "$T/journal.before" "$T/ca/journal"; ok $? "no failed attempt wrote to the journal"
t_ok "the undamaged file still opens" "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
done_testing

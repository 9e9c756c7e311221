#!/bin/sh
# The rehearsal the README shows: kubernetes.ceremony with the shipped
# ceremony-scripts/kubernetes.answers, a CSR on the media and a passphrase
# file, completes, and leaves a CA that audit accepts and a bundle that
# verifies.  If the script gains a question, this fails until the example
# answers it.
. "$(dirname "$0")/../lib.sh"

SCRIPTS="$ROOT/ceremony-scripts"
mkdir -p "$T/media"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int.key" -subj "/CN=Vault Intermediate CA" \
    -out "$T/media/vault-int.csr" 2>/dev/null
ok $? "the rehearsal CSR on the media"
t_ok "kubernetes.ceremony runs to the end with the shipped answers" \
    "$OFFROOT" ceremony "$SCRIPTS/kubernetes.ceremony" -d "$T/ca" \
    --media "$T/media" --answers "$SCRIPTS/kubernetes.answers" \
    --passphrase-file "$PASS" --kdf interactive
cat "$T/out" "$T/err" >"$T/ceremony.log"
! grep -q 'never used' "$T/ceremony.log"; ok $? "every answer of the example is used"
t_ok "audit accepts the CA" "$OFFROOT" audit -d "$T/ca"
t_ok "the Vault bundle verifies against the new root" "$OFFROOT" verify \
    "$T/media/vault-int-bundle" --root "$T/ca/root.crt" --csr "$T/media/vault-int.csr"
grep -q ' participant .* name=Alice%20Admin%20(rehearsal) ' "$T/ca/transcripts/"*-ceremony-*.log
ok $? "the transcript names the example's participants"
csr_hash_first "$(ls "$T/ca/transcripts/"*-ceremony-*.log)"
ok $? "the witness confirmed the CSR's SHA-256 before the key was unlocked and the certificate signed"
grep -q ' verified .*step=8 ' "$T/ca/transcripts/"*-ceremony-*.log
ok $? "step 8's verify: line is answered (before the CRL is signed)"
# The final hash the officers write on the last page is the one anybody
# can recompute later: transcript verify's, and the CA journal's record.
said=$(sed -n 's/.* sealed, final hash \([0-9a-f]\{64\}\)$/\1/p' "$T/ceremony.log" | head -1)
TR=$(ls "$T/ca/transcripts/"*-ceremony-*.log)
run "$OFFROOT" transcript verify "$TR" --root "$T/ca/root.crt"
verified=$(sed -n 's/^final hash \([0-9a-f]\{64\}\)$/\1/p' "$T/out")
recorded=$(grep " transcript .* file=${TR##*/} " "$T/ca/journal" | sed 's/.* final_hash=\([0-9a-f]*\) .*/\1/')
[ -n "$said" ] && [ "$said" = "$verified" ] && [ "$said" = "$recorded" ]
ok $? "the final hash shown is transcript verify's and the CA journal's ($said / $verified / $recorded)"
done_testing

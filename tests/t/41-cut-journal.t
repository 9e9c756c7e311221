#!/bin/sh
# A journal cut short (issue 12, item 11): deleting the last records (a
# trailing revoke) leaves a valid hash chain, so the chain alone passes.
# Every command that changes the journal prints the new head for the
# paper log; audit --head fails unless the journal still holds it; audit
# checks the latest root-signed CRL in crls/ (and --crl, a published one)
# against the journal's revocations and CRL numbers, and trusts a CRL
# only once its signature verifies against root.crt.
. "$(dirname "$0")/../lib.sh"

CA="$T/ca"
J="$CA/journal"

# head_of FILE: the head a command printed ("journal head: record N, HEX
# (WORDS); ..."): sets HEAD_SEQ, HEAD_HEX, HEAD_WORDS.
head_of() {
	_l=$(grep '^journal head: record ' "$1" | tail -n 1)
	HEAD_SEQ=$(printf '%s\n' "$_l" | sed -n 's/^journal head: record \([0-9]*\),.*/\1/p')
	HEAD_HEX=$(printf '%s\n' "$_l" | sed -n 's/^journal head: record [0-9]*, \([0-9a-f]*\) .*/\1/p')
	HEAD_WORDS=$(printf '%s\n' "$_l" | sed -n 's/^[^(]*(\([^)]*\)).*/\1/p')
}
# last_hash FILE: the first 16 hex digits of the journal's last record's hash.
last_hash() { tail -n 1 "$1" | awk '{print substr($NF, 1, 16)}'; }
# cut_after CA N: keeps records 1..N of CA's journal and removes the
# transcripts the records after N named, as an attacker would.
cut_after() {
	sed -n "$(($2 + 2)),\$p" "$1/journal" |
	    sed -n 's/.* transcript .*file=\([^ ]*\) .*/\1/p' |
	    while read -r _f; do rm -f "$1/transcripts/$_f"; done
	head -n "$(($2 + 1))" "$1/journal" >"$T/cut" && cat "$T/cut" >"$1/journal"
}

new_ca "$CA"; ok $? "init"
head_of "$T/init.err"
[ -n "$HEAD_HEX" ] && [ "$HEAD_HEX" = "$(last_hash "$J")" ] &&
    [ "$HEAD_SEQ" = "$(tail -n 1 "$J" | cut -d' ' -f1)" ]
ok $? "init prints the journal head: the last record's number and hash"
[ "$(printf '%s\n' "$HEAD_WORDS" | wc -w)" -eq 8 ]
ok $? "... and its 8 bytes in PGP words"

issue_intermediate "$CA" keep
issue_intermediate "$CA" gone
head_of "$T/err"
[ "$HEAD_HEX" = "$(last_hash "$J")" ]; ok $? "sign prints the new head"
! grep -q 'journal head' "$T/out"; ok $? "... on stderr: stdout stays the command's result"
GONE=$(serial_of "$T/b-gone/certificate.pem")

ca_snapshot "$CA"
t_fail "a refused revoke prints no head" 1 "$OFFROOT" revoke -d "$CA" \
    --serial 0badc0de --reason keyCompromise
! grep -q 'journal head' "$T/err"; ok $? "... nothing changed, no head line"

t_ok "revoke" "$OFFROOT" revoke -d "$CA" --cert "$T/b-gone/certificate.pem" \
    --reason keyCompromise
head_of "$T/err"
[ "$HEAD_HEX" = "$(last_hash "$J")" ]; ok $? "revoke prints the new head"
REV_HEX=$HEAD_HEX REV_WORDS=$HEAD_WORDS REV_SEQ=$HEAD_SEQ

t_ok "status" "$OFFROOT" status -d "$CA"
like "^journal head: +$REV_HEX \\($REV_WORDS\\), record $REV_SEQ\$" "$T/out" \
    "status shows the same head, hex and words"
t_ok "status --json" "$OFFROOT" status -d "$CA" --json
$PY -c '
import json, sys
j = json.load(open(sys.argv[1]))["journal"]
assert j["head"] == sys.argv[2] and j["head_words"] == sys.argv[3], j
assert j["head_record"] == int(sys.argv[4]), j
' "$T/out" "$REV_HEX" "$REV_WORDS" "$REV_SEQ"
ok $? "status --json: journal.head, head_words, head_record"

t_ok "audit --head HEX passes" "$OFFROOT" audit -d "$CA" --head "$REV_HEX"
like "head $REV_HEX is journal record $REV_SEQ of $REV_SEQ" "$T/out" "... naming the record"
t_ok "audit --head WORDS passes" "$OFFROOT" audit -d "$CA" --head "$REV_WORDS"
UPPER=$(printf '%s' "$REV_HEX" | tr a-f A-F)
t_ok "audit --head: upper-case hex, the full hash" "$OFFROOT" audit -d "$CA" \
    --head "$UPPER"
t_ok "... the full 64 digits" "$OFFROOT" audit -d "$CA" \
    --head "$(tail -n 1 "$J" | awk '{print $NF}')"
t_fail "audit --head: fewer than 16 hex digits is a usage error" 2 \
    "$OFFROOT" audit -d "$CA" --head "$(printf '%s' "$REV_HEX" | cut -c1-14)"
t_fail "audit --head: a word misread is a usage error" 2 \
    "$OFFROOT" audit -d "$CA" --head "$(printf '%s' "$REV_WORDS" | sed 's/^[^ ]*/aardvark aardvark/')"
WRONG=$(printf '%s' "$REV_HEX" | tr 0-9a-f 1-9a-f0)
t_fail "audit --head: a head the journal does not hold fails" 1 \
    "$OFFROOT" audit -d "$CA" --head "$WRONG"
like "no record with head $WRONG.*cut or replaced" "$T/err" "... saying the journal was cut or replaced"

# The attack: the trailing revoke deleted.  The chain still verifies.
rm -rf "$T/x"; cp -a "$CA" "$T/x"
cut_after "$T/x" $((REV_SEQ - 1))
t_ok "a cut tail: audit alone passes (nothing else witnesses it)" \
    "$OFFROOT" audit -d "$T/x"
t_fail "a cut tail: audit --head from the paper log fails" 1 \
    "$OFFROOT" audit -d "$T/x" --head "$REV_HEX"
like "last record is $((REV_SEQ - 1))" "$T/err" "... naming where the journal ends now"
t_fail "a cut tail: the head in words fails too" 1 \
    "$OFFROOT" audit -d "$T/x" --head "$REV_WORDS"

# A CRL signed after the revocation witnesses it.
t_ok "crl" "$OFFROOT" crl -d "$CA" -o "$T/published.pem" --passphrase-file "$PASS"
head_of "$T/err"
[ "$HEAD_HEX" = "$(last_hash "$J")" ]; ok $? "crl prints the new head"
t_ok "audit passes with the CRL" "$OFFROOT" audit -d "$CA"
t_ok "audit --crl: the published CRL agrees with the journal" \
    "$OFFROOT" audit -d "$CA" --crl "$T/published.pem"
t_ok "audit --crl: the DER copy too" "$OFFROOT" audit -d "$CA" \
    --crl "$(ls "$CA"/crls/*.crl | sort -t/ -k1 | tail -n 1)"
t_fail "audit --crl: a file that is not a CRL" 1 "$OFFROOT" audit -d "$CA" \
    --crl "$CA/root.crt"
like "root.crt: not a CRL" "$T/err" "... is named"
CRLNUM=$(tail -n 4 "$J" | sed -n 's/.* crl .*number=\([0-9]*\) .*/\1/p')
[ -n "$CRLNUM" ]; ok $? "the journal records CRL $CRLNUM"

# Revoke and everything after it cut; crls/N.crl kept.
rm -rf "$T/x"; cp -a "$CA" "$T/x"
cut_after "$T/x" $((REV_SEQ - 1))
t_fail "cut revoke, CRL kept: audit fails" 1 "$OFFROOT" audit -d "$T/x"
like "crls/[0-9]+\\.crl, signed by the root, revokes serial $(printf '%s' "$GONE" | tr A-F a-f | sed 's/^0*//').*journal was cut" \
    "$T/err" "... naming the CRL, the serial and the cut"

# The records after the revoke cut: the revocation stays, the CRL's
# number reservation and record go.
rm -rf "$T/x"; cp -a "$CA" "$T/x"
cut_after "$T/x" "$REV_SEQ"
t_fail "cut CRL records, CRL kept: audit fails" 1 "$OFFROOT" audit -d "$T/x"
like "crls/$CRLNUM\\.crl is a CRL signed by the root with number $CRLNUM, but the journal records none above $((CRLNUM - 1)): the journal was cut" \
    "$T/err" "... a CRL number the journal never reserved"

# Revoke cut and crls/N.crl deleted as well: only a copy from outside
# witnesses it, the published CRL or the paper log's head.
rm -rf "$T/x"; cp -a "$CA" "$T/x"
cut_after "$T/x" $((REV_SEQ - 1))
rm -f "$T/x/crls/$CRLNUM.crl"
t_ok "cut revoke, CRL deleted: audit alone passes" "$OFFROOT" audit -d "$T/x"
t_fail "... audit --crl with the published CRL fails" 1 \
    "$OFFROOT" audit -d "$T/x" --crl "$T/published.pem"
like "published.pem, signed by the root, revokes serial" "$T/err" "... naming the published CRL"
t_fail "... audit --head fails" 1 "$OFFROOT" audit -d "$T/x" --head "$REV_HEX"

# A CRL not signed by this root proves nothing: another root (same
# subject) lists a serial this journal never revoked.
new_ca "$T/other"; ok $? "another root with the same subject"
"$OFFROOT" revoke -d "$T/other" --serial 0123abcd --reason keyCompromise \
    --unknown-ok >/dev/null 2>&1 &&
"$OFFROOT" crl -d "$T/other" -o "$T/other.pem" --passphrase-file "$PASS" \
    >/dev/null 2>&1
ok $? "... signs a CRL revoking 0123abcd"
t_fail "audit --crl: another root's CRL is refused" 1 \
    "$OFFROOT" audit -d "$CA" --crl "$T/other.pem"
like "not a CRL signed by this root" "$T/err" "... as not signed by this root"
rm -rf "$T/x"; cp -a "$CA" "$T/x"
cp "$T/other/crls/1.crl" "$T/x/crls/9.crl"
t_fail "a forged crls/9.crl: audit fails" 1 "$OFFROOT" audit -d "$T/x"
! grep -q "journal was cut" "$T/err" && like "crls/9.crl is not recorded" "$T/err" \
    "... as a planted file, not as evidence of a cut"

done_testing

#!/bin/sh
# audit: the journal's hash chain and every artefact it names.  Each kind of
# tampering must be caught and named.
. "$(dirname "$0")/../lib.sh"

new_ca "$T/ca"; ok $? "init"
run "$OFFROOT" check-key -d "$T/ca" --passphrase-file "$PASS"
ok $rc "check-key adds records and a second transcript"
t_ok "audit passes on an untouched CA" "$OFFROOT" audit -d "$T/ca"
like '4 journal records' "$T/out" "audit counts the records"
like '2 transcripts sealed' "$T/out" "audit verified both transcript seals"

fresh() { rm -rf "$T/x"; cp -a "$T/ca" "$T/x"; }



# A deleted middle record.
fresh
sed -i '3d' "$T/x/journal"
t_fail "deleted middle record: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'record 2|record 3' "$T/err" "deleted record: names where the chain breaks"

# The last record deleted: the chain alone cannot see it, the transcript
# it named becomes a stray.
fresh
sed -i '$d' "$T/x/journal"
t_fail "deleted last record: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'not recorded in the journal' "$T/err" "deleted last record: the orphaned transcript is named"

# A truncated (torn) last record.
fresh
head -c -20 "$T/ca/journal" >"$T/x/journal"
t_fail "truncated record: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'torn|incomplete' "$T/err" "truncated record: reported as torn"

# Two records swapped.
fresh
{ sed -n '1,2p' "$T/ca/journal"; sed -n '4p' "$T/ca/journal"; sed -n '3p' "$T/ca/journal"; sed -n '5,$p' "$T/ca/journal"; } >"$T/x/journal"
t_fail "reordered records: exit 1" 1 "$OFFROOT" audit -d "$T/x"

# A whole journal rewritten from scratch cannot match the sealed transcripts.
fresh
rm "$T/x/journal"
t_fail "journal removed: exit 1" 1 "$OFFROOT" audit -d "$T/x"

# Artefacts.
fresh
printf '\n' >>"$T/x/root.crt"
t_fail "root.crt altered: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'root.crt' "$T/err" "root.crt altered: named"

fresh
f=$(ls "$T/x/transcripts" | grep -- -init-)
sed -i '2s/operation=init/operation=tini/' "$T/x/transcripts/$f"
t_fail "transcript altered: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like "$f" "$T/err" "transcript altered: named"

fresh
printf 'x' >"$T/x/crls/planted.crl"
t_fail "planted file: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'planted.crl' "$T/err" "planted file: named"

fresh
printf 'x' | dd of="$T/x/root.key.sealed" bs=1 seek=100 conv=notrunc 2>/dev/null
t_fail "sealed key altered: exit 1" 1 "$OFFROOT" audit -d "$T/x"
like 'root.key.sealed' "$T/err" "sealed key altered: named"

# Commands that change the CA refuse a broken journal.
fresh
sed -i '4s/key-check/key-chock/' "$T/x/journal"
cp "$T/x/journal" "$T/journal.before"
t_fail "check-key refuses a tampered journal" 1 \
    "$OFFROOT" check-key -d "$T/x" --passphrase-file "$PASS"
cmp -s "$T/journal.before" "$T/x/journal"; ok $? "the tampered journal was not appended to"
t_fail "status reports a tampered journal with exit 1" 1 "$OFFROOT" status -d "$T/x"
like 'WARNING: journal' "$T/out" "status shows the journal problem"
# A record torn by a crash: refused everywhere until offroot repair sets it
# aside, explicitly, keeping its bytes.
rm -rf "$T/r"; cp -a "$T/ca" "$T/r"
"$OFFROOT" revoke -d "$T/r" --serial 0badc0de --reason superseded --unknown-ok >/dev/null 2>&1
ok $? "a revocation to tear"
cp "$T/r/journal" "$T/r.whole"
head -c -25 "$T/r.whole" >"$T/r/journal"
t_fail "a torn last record: audit exit 1" 1 "$OFFROOT" audit -d "$T/r"
like 'offroot repair' "$T/err" "the error points to offroot repair"
t_fail "repair without a terminal or --yes changes nothing" 3 setsid "$OFFROOT" repair -d "$T/r"
head -c -25 "$T/r.whole" | cmp -s - "$T/r/journal"; ok $? "the declined repair left the journal as it was"
t_ok "repair --yes sets the torn record aside" "$OFFROOT" repair -d "$T/r" --yes
like 'torn record 5' "$T/out" "repair names the record"
tail -c +$(( $(stat -c %s "$T/ca/journal") + 1 )) "$T/r.whole" | head -c -25 >"$T/torn.expect"
cmp -s "$T/torn.expect" "$T/r/repairs/"*-journal.torn; ok $? "the torn bytes are kept in repairs/"
grep -q ' repair .*dropped_bytes=' "$T/r/journal"; ok $? "a repair record says what was removed"
t_ok "audit passes after the repair" "$OFFROOT" audit -d "$T/r"
run "$OFFROOT" status -d "$T/r"
like '0 revoked' "$T/out" "the torn revocation does not count"
t_ok "repair on an intact journal does nothing" "$OFFROOT" repair -d "$T/r" --yes
like 'nothing to repair' "$T/out" "and says so"
cp "$T/r/journal" "$T/j2"; sed -i '3s/transcript/transcrxpt/' "$T/r/journal"
t_fail "repair refuses a journal with another problem" 1 "$OFFROOT" repair -d "$T/r" --yes
done_testing

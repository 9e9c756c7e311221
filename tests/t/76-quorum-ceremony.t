#!/bin/sh
# Ceremonies on a root key sealed under an officer quorum, by the batch
# runner: CRL re-signing and intermediate signing on a 2-of-3 CA with the
# officers' shares given as share lines in the answers file and their
# passphrases in --share-passphrase-file (a wrong one named by its place,
# too few saying how many more are needed); the shipped reshare.ceremony
# taking the CA from 2-of-3 to 3-of-5 (old shares fail afterwards, new ones
# work, the public key is unchanged, journal and transcript record the
# reshare and never a share); backup --check -d comparing a backup with
# the live CA, naming what differs and explaining a key file older than a
# reshare.
. "$(dirname "$0")/../lib.sh"

SCRIPTS="$ROOT/ceremony-scripts"
NS=0
if unshare -n true 2>/dev/null; then NS=1; fi
ns() { unshare -n sh -c 'ip link set lo up 2>/dev/null; exec "$@"' sh "$@"; }
# cer ARGS...: offroot ceremony, inside a network namespace when possible
# (otherwise the answers file overrides the air-gap check).
cer() { if [ "$NS" = 1 ]; then run ns "$OFFROOT" ceremony "$@"; else run "$OFFROOT" ceremony "$@"; fi; }
ov() { [ "$NS" = 1 ] || echo "override airgap: test machine without network namespaces"; }

for i in 1 2 3 4 5; do
	printf 'officer %d passphrase\n' "$i" >"$T/p$i"
	printf 'new officer %d passphrase\n' "$i" >"$T/np$i"
	mkdir -p "$T/m$i" "$T/n$i"
done
printf 'not the passphrase\n' >"$T/wrong"
sharefile() { ls "$1"/*-share-"$2"-of-*.share; }

CA="$T/ca"
"$OFFROOT" init -d "$CA" --subject "/C=DE/O=offroot tests/CN=Quorum Ceremony Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/m1" --share-dir "$T/m2" --share-dir "$T/m3" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p2" \
    --share-passphrase-file "$T/p3" --crl-url "$TEST_CRL_URL" >"$T/init.out" 2>"$T/init.err"
ok $? "a 2-of-3 CA, one medium per officer"
S1=$(sharefile "$T/m1" 1) S2=$(sharefile "$T/m2" 2) S3=$(sharefile "$T/m3" 3)
openssl x509 -in "$CA/root.crt" -noout -pubkey >"$T/pub.before"

people() {
	cat <<E
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Crypto Officer 1 = Carol Officer
confirm-all: yes
E
	ov
}

# ---- CRL re-signing: too few shares, then a wrong passphrase named ------
mkdir -p "$T/media1"
{ people; echo "share 3: $S1"; } >"$T/a-few"
cp -a "$CA" "$T/ca-few"
cer "$SCRIPTS/crl.ceremony" -d "$T/ca-few" --media "$T/media1" --answers "$T/a-few" \
    --share-passphrase-file "$T/p1"
[ "$rc" -eq 1 ]; ok $? "one share of a 2-of-3 quorum: the ceremony stops, exit 1 (exit $rc)"
like 'need 1 more' "$T/err" "... saying one more officer is needed"
like "\[step 3\] share: $S1" "$T/err" "the share line is used at the step that needs the key"

t_fail "a --share-passphrase-file count unlike the share lines is a usage error" 2 \
    "$OFFROOT" ceremony "$SCRIPTS/crl.ceremony" -d "$CA" --media "$T/media1" \
    --answers "$T/a-few" --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p2"
t_fail "--share-passphrase-file without --answers is a usage error" 2 \
    "$OFFROOT" ceremony "$SCRIPTS/crl.ceremony" -d "$CA" --share-passphrase-file "$T/p1"
printf 'confirm-all: yes\nshare 3: passphrase=hunter22\n' >"$T/a-secret"
t_fail "a passphrase in a share line is refused" 1 \
    "$OFFROOT" ceremony "$SCRIPTS/crl.ceremony" -d "$CA" --answers "$T/a-secret"

# share 1 with a wrong passphrase, then officer 3's (given by its media's
# folder), then officer 2's.
{ people; echo "share 3: $S1"; echo "share 3: $T/m3"; echo "share: $S2"; } >"$T/a-crl"
cer "$SCRIPTS/crl.ceremony" -d "$CA" --media "$T/media1" --answers "$T/a-crl" \
    --share-passphrase-file "$T/wrong" --share-passphrase-file "$T/p3" \
    --share-passphrase-file "$T/p2"
ok $rc "crl.ceremony on the 2-of-3 CA runs in batch with two officers' shares"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
like "share 1 \(.*officer 1's share\): wrong passphrase" "$T/err" "the wrong passphrase is named by its place (share 1) and officer"
like "share 2: .*share-3-of-3.share" "$T/err" "the media folder given for share 2 yields officer 3's share file"
like "share 2: officer 3's share accepted \(1 of 2\): need 1 more" "$T/err" "each accepted share says how many more are needed"
like "share 3: officer 2's share accepted \(2 of 2\)" "$T/err" "the second valid share completes the quorum"
openssl crl -in "$T/media1/root.crl" -noout -CAfile "$CA/root.crt" 2>/dev/null
ok $? "the CRL signed with the quorum's key verifies against the root"
TR=$(grep -l 'crl.ceremony' "$CA"/transcripts/* | head -1)
t_ok "the ceremony transcript verifies" "$OFFROOT" transcript verify "$TR" --root "$CA/root.crt"
like ' key-unlocked .*step=3' "$TR" "the transcript records the key unlocked at step 3"

# Every share file in one folder: the officer picks theirs from the list.
mkdir -p "$T/one" "$T/media3"
"$OFFROOT" init -d "$T/ca1f" --subject "/C=DE/O=offroot tests/CN=One Folder Root" \
    --kdf interactive --quorum 2/3 --share-dir "$T/one" --share-passphrase-file "$T/p1" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p1" >/dev/null 2>&1
ok $? "a 2-of-3 CA with every share file in one folder"
{ people; echo "share 3: $T/one"; echo "choose 3: 2"; echo "share 3: $T/one"; echo "choose 3: 1"; } >"$T/a-one"
cer "$SCRIPTS/crl.ceremony" -d "$T/ca1f" --media "$T/media3" --answers "$T/a-one" \
    --share-passphrase-file "$T/p1" --share-passphrase-file "$T/p1"
ok $rc "a folder holding several share files: the officer chooses theirs"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
[ "$(grep -c "^share [12]: $T/one/offroot-.*-share-[123]-of-3.share" "$T/err")" -eq 2 ]
ok $? "... two different share files were picked from the folder"

# ---- intermediate signing on the same CA ---------------------------------
mkdir -p "$T/media2"
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-384 -nodes \
    -keyout "$T/int.key" -subj "/C=DE/O=offroot tests/CN=Quorum Intermediate" \
    -out "$T/media2/intermediate.csr" 2>/dev/null
{ people; echo "share: $S3"; echo "share: $S1"; } >"$T/a-int"
cer "$SCRIPTS/intermediate.ceremony" -d "$CA" --media "$T/media2" --answers "$T/a-int" \
    --share-passphrase-file "$T/p3" --share-passphrase-file "$T/p1"
ok $rc "intermediate.ceremony on the 2-of-3 CA runs in batch"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
cert=$(ls "$T/media2/intermediate-bundle/"*certificate.pem 2>/dev/null | head -1)
[ -n "$cert" ] && openssl verify -x509_strict -CAfile "$CA/root.crt" "$cert" >/dev/null 2>&1
ok $? "the intermediate verifies against the root (openssl verify -x509_strict)"
t_ok "audit accepts the CA after both ceremonies" "$OFFROOT" audit -d "$CA"

# ---- a backup before the reshare -----------------------------------------
mkdir -p "$T/bk"
t_ok "backup of the 2-of-3 CA" "$OFFROOT" backup -d "$CA" --to "$T/bk"
BK=$(ls -d "$T"/bk/ca-backup-*)
t_ok "backup --check -d: the fresh backup matches the live CA" \
    "$OFFROOT" backup --check "$BK" -d "$CA"
like 'root.key.sealed identical' "$T/out" "... the key file identical"

# ---- reshare.ceremony: 2-of-3 -> 3-of-5 -----------------------------------
cp "$CA/root.key.sealed" "$T/key.before"
cp -a "$CA" "$T/ca-pre"
cp -a "$CA" "$T/ca-res"
cat >"$T/a-reshare" <<E
participant: Ceremony Administrator = Alice Admin
participant: Internal Witness = Bob Witness
participant: Current Crypto Officers = Carol, Dave
participant: New Crypto Officers = Carol, Dave, Erin, Frank, Grace
confirm-all: yes
share 4: $S2
share 4: $S3
ask 5: $T/n1
ask 5: $T/n2
ask 5: $T/n3
ask 5: $T/n4
ask 5: $T/n5
E
ov >>"$T/a-reshare"
cer "$SCRIPTS/reshare.ceremony" -d "$CA" --media "$T/media1" --answers "$T/a-reshare" \
    --share-passphrase-file "$T/p2" --share-passphrase-file "$T/p3" \
    --new-share-passphrase-file "$T/np1" --new-share-passphrase-file "$T/np2" \
    --new-share-passphrase-file "$T/np3" --new-share-passphrase-file "$T/np4" \
    --new-share-passphrase-file "$T/np5"
ok $rc "reshare.ceremony runs in batch: 2-of-3 to 3-of-5"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -8
cp "$T/out" "$T/reshare.out"; cp "$T/err" "$T/reshare.err"
bad=0
for i in 1 2 3 4 5; do [ -f "$(sharefile "$T/n$i" "$i")" ] || bad=1; done
[ "$bad" -eq 0 ] && [ "$(ls "$T"/n?/*.share | wc -l)" -eq 5 ]
ok $? "each new officer's media holds exactly their share file"
run "$OFFROOT" check-key -d "$CA" --share "$S1" --share-passphrase-file "$T/p1" \
    --share "$S2" --share-passphrase-file "$T/p2"
[ "$rc" -eq 1 ] && grep -q 'another share set' "$T/err"; ok $? "the old shares no longer open the key (exit $rc)"
N1=$(sharefile "$T/n1" 1) N3=$(sharefile "$T/n3" 3) N5=$(sharefile "$T/n5" 5)
t_ok "three new shares open it" "$OFFROOT" check-key -d "$CA" \
    --share "$N1" --share-passphrase-file "$T/np1" --share "$N3" --share-passphrase-file "$T/np3" \
    --share "$N5" --share-passphrase-file "$T/np5"
run "$OFFROOT" check-key -d "$CA" --share "$N1" --share-passphrase-file "$T/np1" \
    --share "$N5" --share-passphrase-file "$T/np5"
[ "$rc" -eq 1 ] && grep -q 'need 1 more' "$T/err"; ok $? "two new shares of 3-of-5 say need 1 more"
openssl x509 -in "$CA/root.crt" -noout -pubkey | cmp -s - "$T/pub.before"
ok $? "the root's public key is unchanged"
run "$OFFROOT" status -d "$CA"
like '3-of-5 officer quorum' "$T/out" "status shows the new quorum"
like ' reshare .*old_quorum=2/3 .*quorum=3/5' "$CA/journal" "the CA journal records the reshare"
TR=$(grep -l 'reshare.ceremony' "$CA"/transcripts/* | head -1)
like ' reshare .*quorum=3/5.*step=5' "$TR" "the ceremony transcript records the reshare at step 5"
[ "$(grep -c ' share-written ' "$TR")" -eq 5 ]; ok $? "... and the five share files written (names and digests)"
t_ok "the reshare ceremony's transcript verifies" "$OFFROOT" transcript verify "$TR" --root "$CA/root.crt"
t_ok "audit accepts the CA after the reshare ceremony" "$OFFROOT" audit -d "$CA"

# The old key file put back: the retired shares open it, but it is not the
# key file the journal records.
cp -a "$CA" "$T/ca-old"
cp "$T/key.before" "$T/ca-old/root.key.sealed"
t_fail "an older key file put back is refused even though the old shares open it" 1 \
    "$OFFROOT" check-key -d "$T/ca-old" --share "$S1" --share-passphrase-file "$T/p1" \
    --share "$S2" --share-passphrase-file "$T/p2"
like 'not the key file the journal records' "$T/err" "... saying it is not the key file the journal records"

# A reshare cut short between replacing the key file and recording it:
# the new shares open the key with a warning; a second reshare records a
# share set, and the CA passes audit again.
cp "$CA/root.key.sealed" "$T/ca-pre/root.key.sealed"
t_fail "audit refuses a key file the journal does not record" 1 "$OFFROOT" audit -d "$T/ca-pre"
run "$OFFROOT" check-key -d "$T/ca-pre" --share "$N1" --share-passphrase-file "$T/np1" \
    --share "$N3" --share-passphrase-file "$T/np3" --share "$N5" --share-passphrase-file "$T/np5"
[ "$rc" -eq 0 ] && grep -q 'reshare interrupted before its record' "$T/err"
ok $? "the unrecorded key file (an interrupted reshare) opens with the new shares, with a warning"
mkdir -p "$T/r23"
t_ok "reshare again records a share set" "$OFFROOT" reshare -d "$T/ca-pre" --quorum 2/3 \
    --share-dir "$T/r23" --share "$N1" --share-passphrase-file "$T/np1" \
    --share "$N3" --share-passphrase-file "$T/np3" --share "$N5" --share-passphrase-file "$T/np5" \
    --new-share-passphrase-file "$T/p1" --new-share-passphrase-file "$T/p2" \
    --new-share-passphrase-file "$T/p3"
t_ok "... and the CA passes audit again" "$OFFROOT" audit -d "$T/ca-pre"

# A reshare ceremony stopped after its reshare was recorded (the witness
# says no to the step's check), then resumed: the step is found done, the
# shares are not re-made, and the new officers' shares seal the transcript.
for i in 1 2 3 4 5; do mkdir -p "$T/r$i"; done
sed -e "s|$T/n|$T/r|" -e 's/^confirm-all: yes$/confirm 5: no\nconfirm-all: yes/' \
    "$T/a-reshare" >"$T/a-res1"
cer "$SCRIPTS/reshare.ceremony" -d "$T/ca-res" --media "$T/media1" --answers "$T/a-res1" \
    --share-passphrase-file "$T/p2" --share-passphrase-file "$T/p3" \
    --new-share-passphrase-file "$T/np1" --new-share-passphrase-file "$T/np2" \
    --new-share-passphrase-file "$T/np3" --new-share-passphrase-file "$T/np4" \
    --new-share-passphrase-file "$T/np5"
[ "$rc" -ne 0 ] && [ "$(grep -c ' reshare ' "$T/ca-res/journal")" -eq 1 ]
ok $? "a witness's no after the reshare stops the ceremony with the reshare recorded (exit $rc)"
like 'step 5.*did not confirm' "$T/err" "... at step 5's check"
R1=$(sharefile "$T/r1" 1) R2=$(sharefile "$T/r2" 2) R4=$(sharefile "$T/r4" 4)
{ people | grep -v 'Crypto Officer 1'; cat <<E
participant: Current Crypto Officers = Carol, Dave
participant: New Crypto Officers = Carol, Dave, Erin, Frank, Grace
resume: yes
share: $R1
share: $R2
share: $R4
E
} >"$T/a-res2"
cer "$SCRIPTS/reshare.ceremony" -d "$T/ca-res" --media "$T/media1" --answers "$T/a-res2" \
    --share-passphrase-file "$T/np1" --share-passphrase-file "$T/np2" \
    --share-passphrase-file "$T/np4"
ok $rc "the resumed reshare ceremony finishes"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
like 'already records this step.s reshare' "$T/err" "... finding the reshare step done"
[ "$(grep -c ' reshare ' "$T/ca-res/journal")" -eq 1 ] && [ "$(ls "$T"/r?/*.share | wc -l)" -eq 5 ]
ok $? "... without re-sharing: one reshare record, five share files"
t_ok "the resumed CA passes audit" "$OFFROOT" audit -d "$T/ca-res"

# A key under one passphrase converted to a quorum by the same ceremony.
new_ca "$T/single"
for i in 1 2 3 4 5; do mkdir -p "$T/c$i"; done
grep -v '^share' "$T/a-reshare" | sed "s|$T/n|$T/c|" >"$T/a-conv"
cer "$SCRIPTS/reshare.ceremony" -d "$T/single" --media "$T/media1" --answers "$T/a-conv" \
    --passphrase-file "$PASS" \
    --new-share-passphrase-file "$T/np1" --new-share-passphrase-file "$T/np2" \
    --new-share-passphrase-file "$T/np3" --new-share-passphrase-file "$T/np4" \
    --new-share-passphrase-file "$T/np5"
ok $rc "reshare.ceremony converts a key under one passphrase to a 3-of-5 quorum"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
like ' reshare .*old_quorum=none .*quorum=3/5' "$T/single/journal" "... recorded as from no quorum"
t_fail "the old passphrase no longer opens it" 1 "$OFFROOT" check-key -d "$T/single" --passphrase-file "$PASS"
t_ok "three of the new shares do" "$OFFROOT" check-key -d "$T/single" \
    --share "$T/c1" --share-passphrase-file "$T/np1" --share "$T/c2" --share-passphrase-file "$T/np2" \
    --share "$T/c4" --share-passphrase-file "$T/np4"

# A root created under a 2-of-3 quorum in the root ceremony: each officer
# gives their media, then chooses a passphrase; the check-key step opens
# the new key with two of the new shares.
for i in 1 2 3; do mkdir -p "$T/q$i"; done
sed 's|^param: key = ec-p384$|param: key = ec-p384\nparam: quorum = 2/3|' \
    "$SCRIPTS/root.ceremony" >"$T/root-q.ceremony"
t_ok "script check accepts generate-root with a quorum" "$OFFROOT" script check "$T/root-q.ceremony"
{ people; cat <<E
ask 3: $T/q1
ask 3: $T/q2
ask 3: $T/q3
share 5: $T/q3
share 5: $T/q1
E
} >"$T/a-rootq"
mkdir -p "$T/media4"
cer "$T/root-q.ceremony" -d "$T/rootq" --media "$T/media4" --answers "$T/a-rootq" \
    --kdf interactive --share-passphrase-file "$T/np3" --share-passphrase-file "$T/np1" \
    --new-share-passphrase-file "$T/np1" --new-share-passphrase-file "$T/np2" \
    --new-share-passphrase-file "$T/np3"
ok $rc "the root ceremony creates a root under a 2-of-3 quorum in batch"
[ "$rc" -eq 0 ] || sed 's/^/#   /' "$T/err" | tail -5
bad=0
for i in 1 2 3; do [ "$(ls "$T/q$i"/*-share-"$i"-of-3.share 2>/dev/null | wc -l)" -eq 1 ] || bad=1; done
[ "$bad" -eq 0 ]; ok $? "each officer's media holds their share file"
like 'share 2: officer 1.s share accepted \(2 of 2\)' "$T/err" "the check-key step opened the new key with two of the shares"
run "$OFFROOT" status -d "$T/rootq"
like '2-of-3 officer quorum' "$T/out" "status shows the 2-of-3 quorum"
TR=$(grep -l 'root-q.ceremony' "$T"/rootq/transcripts/* | head -1)
like ' root-created .*quorum=2/3' "$TR" "the ceremony transcript records the quorum"
t_ok "audit accepts the quorum root made by the ceremony" "$OFFROOT" audit -d "$T/rootq"
openssl crl -in "$T/media4/root.crl" -noout -CAfile "$T/rootq/root.crt" 2>/dev/null
ok $? "its first CRL verifies against the root"

# script check on the reshare action
sed 's|^param: quorum = 3/5$|param: quorum = 6/5|' "$SCRIPTS/reshare.ceremony" >"$T/bad-q.ceremony"
t_fail "script check refuses quorum = 6/5" 1 "$OFFROOT" script check "$T/bad-q.ceremony"
like 'bad-q\.ceremony:[0-9]+: quorum: expected M/N' "$T/err" "... with FILE:LINE and why"
sed '/^param: quorum = 3\/5$/d' "$SCRIPTS/reshare.ceremony" >"$T/no-q.ceremony"
t_fail "script check refuses a reshare without its quorum" 1 "$OFFROOT" script check "$T/no-q.ceremony"
like 'no-q\.ceremony:[0-9]+: .*quorum' "$T/err" "... naming the missing quorum"
{ sed -n '1,/^role: Crypto Officer 1$/p' "$SCRIPTS/root.ceremony"; cat <<'E'

step 1: Participants
role: Ceremony Administrator
action: participants

step 2: Re-share first
role: Crypto Officer 1
action: reshare
param: quorum = 2/3

step 3: Generate
role: Crypto Officer 1
action: generate-root
param: subject = /C=DE/O=T/CN=R
param: key = ec-p384
E
} >"$T/early.ceremony"
t_fail "script check refuses a reshare before the root exists" 1 "$OFFROOT" script check "$T/early.ceremony"
like 'step 2 \(reshare\) needs the CA' "$T/err" "... naming the step"
sed 's/^param: key = ec-p384$/param: key = ec-p384\nparam: store = pkcs11/' "$T/early.ceremony" |
    awk '/^step 2:/{skip=1} /^step 3:/{skip=0} !skip' >"$T/tok.ceremony"
printf '\nstep 4: Re-share\nrole: Crypto Officer 1\naction: reshare\nparam: quorum = 2/3\n' >>"$T/tok.ceremony"
t_fail "script check refuses re-sharing a key generated on a token" 1 "$OFFROOT" script check "$T/tok.ceremony"
like 'officer shares are for a sealed key file' "$T/err" "... saying why"
run "$OFFROOT" script print "$SCRIPTS/reshare.ceremony"
like 'New share set, first 8 hex digits' "$T/out" "script print leaves a blank for the new share set"

# No share (file bytes, share values, the sealing key) or key material in
# the journal, the transcripts, the media or what the ceremony printed.
sed -n '/^import hashlib, struct, sys$/,/^\.Ed$/p' "$ROOT/manuals/offroot-share.5" |
    sed '$d' | sed 's/\\e/\\/g' >"$T/unshare.py"
$PY - "$T/unshare.py" "$CA/root.key.sealed" "$T" "$CA/journal" "$CA/transcripts" \
    "$T/media1" "$T/reshare.out" "$T/reshare.err" <<'PYEOF'
import glob, io, os, sys
recipe, keyfile, t = sys.argv[1:4]
roots = sys.argv[4:]
args = [keyfile]
for x in range(1, 6):
    args += [glob.glob("%s/n%d/*-share-%d-of-5.share" % (t, x, x))[0], "%s/np%d" % (t, x)]
ns = {"__name__": "recipe"}
saved = sys.argv, sys.stdout, sys.stderr
sys.argv = [recipe] + args
sys.stdout = io.TextIOWrapper(io.BytesIO())
sys.stderr = io.StringIO()
exec(open(recipe).read(), ns)
sys.argv, sys.stdout, sys.stderr = saved
secrets = [("K", bytes(ns["K"])), ("PKCS#8", ns["pkcs8"])]
secrets += [("share value %d" % x, v) for x, v in ns["shares"].items()]
for f in glob.glob("%s/n?/*.share" % t) + glob.glob("%s/m?/*.share" % t):
    secrets.append(("share file " + os.path.basename(f), open(f, "rb").read()[104:]))
windows = {}
for name, s in secrets:
    for i in range(len(s) - 15):
        windows[s[i:i + 16]] = name
files = []
for root in roots:
    if os.path.isfile(root):
        files.append(root)
    for dirpath, _, names in os.walk(root):
        files += [os.path.join(dirpath, n) for n in names]
bad = []
for f in files:
    data = open(f, "rb").read()
    for w, name in windows.items():
        if w in data:
            bad.append("%s in %s" % (name, f))
            break
for b in bad:
    print("# " + b)
print("# searched %d files for %d secrets" % (len(files), len(secrets)))
sys.exit(1 if bad or len(files) < 5 else 0)
PYEOF
ok $? "no share, sealing key or private key in the journal, transcripts, media or ceremony output"

# ---- backup --check -d after the reshare ----------------------------------
t_ok "backup --check -d: a backup older than a reshare is explained, not refused" \
    "$OFFROOT" backup --check "$BK" -d "$CA"
like 'root.key.sealed .*older.*reshare' "$T/out" "... naming the reshare that replaced the key file"
like 'journal: .* records? (of|after)' "$T/out" "... and saying the live journal has records the backup lacks"
cp -a "$BK" "$T/bk-key"
cp "$CA/root.key.sealed" "$T/bk-key/root.key.sealed"
# A backup whose key file was swapped is caught by its own MANIFEST first;
# rebuild a consistent MANIFEST to test the live comparison alone.
remanifest() {
	$PY - "$1" <<'PYEOF'
import hashlib, os, sys
d = sys.argv[1]
lines = open(os.path.join(d, "MANIFEST")).read().splitlines(True)
out = []
for l in lines:
    if l.startswith("file "):
        _, sha, mode, rel = l.rstrip("\n").split(" ", 3)
        sha = hashlib.sha256(open(os.path.join(d, rel), "rb").read()).hexdigest()
        l = "file %s %s %s\n" % (sha, mode, rel)
    out.append(l)
open(os.path.join(d, "MANIFEST"), "w").write("".join(out))
PYEOF
}
remanifest "$T/bk-key"
t_fail "a backup key file that is neither the recorded one nor older is refused" 1 \
    "$OFFROOT" backup --check "$T/bk-key" -d "$CA"
like 'root.key.sealed' "$T/err" "... naming root.key.sealed"

cp -a "$BK" "$T/bk-root"
openssl x509 -in "$CA/root.crt" -outform DER >"$T/bk-root/root.crt"
remanifest "$T/bk-root"
t_fail "a backup whose root certificate differs from the live one is refused" 1 \
    "$OFFROOT" backup --check "$T/bk-root" -d "$CA"
like 'root.crt' "$T/err" "... naming root.crt"

# A fork: a copy of the CA goes its own way (a key check) and is backed up;
# the live CA records something else (another backup).
cp -a "$CA" "$T/ca-fork"
"$OFFROOT" check-key -d "$T/ca-fork" --share "$N1" --share-passphrase-file "$T/np1" \
    --share "$N3" --share-passphrase-file "$T/np3" --share "$N5" \
    --share-passphrase-file "$T/np5" >/dev/null 2>&1
mkdir -p "$T/bkf" "$T/bk2"
"$OFFROOT" backup -d "$T/ca-fork" --to "$T/bkf" >/dev/null 2>&1
"$OFFROOT" backup -d "$CA" --to "$T/bk2" >/dev/null 2>&1
BKF=$(ls -d "$T"/bkf/ca-fork-backup-*)
t_ok "the fork's backup checks against the fork" "$OFFROOT" backup --check "$BKF" -d "$T/ca-fork"
t_fail "a backup whose journal is not a prefix of the live one is refused" 1 \
    "$OFFROOT" backup --check "$BKF" -d "$CA"
like 'journal.*(differ|not a prefix).*record [0-9]+' "$T/err" "... naming the journal and the first record that differs"
new_ca "$T/other"
t_fail "a backup compared with another CA is refused" 1 \
    "$OFFROOT" backup --check "$BK" -d "$T/other"
f=$(ls "$BK"/transcripts | head -1)
cp -a "$BK" "$T/bk-t"
printf 'x' >>"$T/bk-t/transcripts/$f"
remanifest "$T/bk-t"
t_fail "a backup transcript unlike the live one is refused" 1 \
    "$OFFROOT" backup --check "$T/bk-t" -d "$CA"
like "transcripts/$f" "$T/err" "... naming the transcript"
done_testing

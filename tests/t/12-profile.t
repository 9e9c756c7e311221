#!/bin/sh
# offroot profile check: a profile set is validated whole before the day
# (every profile, not only the one a command loads), each profile is shown
# with what it grants, and a broken one is named with its file, section
# and line, exit 1, nothing else said.
. "$(dirname "$0")/../lib.sh"

K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

t_ok "the shipped Kubernetes profile set checks" "$OFFROOT" profile check "$K8S"
like '^  \[root\] private: 365 days, pathlen 2, ' "$T/out" "root: 365 days, pathlen 2"
like '^  \[intermediate\] private: 180 days, pathlen 1, ' "$T/out" "intermediate: 180 days, pathlen 1"
for ca in kubernetes-ca etcd-ca front-proxy-ca; do
	like "^  \\[$ca\\] private: 90 days, pathlen 0, keys ec-p256,ec-p384,rsa-3072,rsa-4096 " \
	    "$T/out" "$ca: 90 days, pathlen 0, no ed25519"
done
like ": ok$" "$T/out" "the file is reported ok"
[ "$(grep -c '^  \[' "$T/out")" -eq 5 ] ; ok $? "exactly the five profiles (auxiliary @sections are not profiles)"

# The profile set a CA keeps is the one it was made with: it checks too.
new_ca "$T/ca" --profiles "$K8S"; ok $? "init with the Kubernetes profiles"
t_ok "the CA's own copy of the profile set checks" "$OFFROOT" profile check "$T/ca/profiles.cnf"

# A broken profile later in the file is found, with its place.
cp "$K8S" "$T/broken.cnf"
printf '\n[late]\nfamily = private\nvalidity_days = 30\nbasicConstraints = critical,CA:FALSE,pathlen:0\n' >>"$T/broken.cnf"
t_fail "a profile that cannot be right is refused" 1 "$OFFROOT" profile check "$T/broken.cnf"
like 'broken\.cnf: \[late\] line [0-9]+: ' "$T/err" "... naming the file, the section and the line"
printf '[x]\nfamily = private\nvalidity_days = 30\nbasicConstrains = critical,CA:TRUE\n' >"$T/typo.cnf"
t_fail "a misspelt extension is refused, not dropped" 1 "$OFFROOT" profile check "$T/typo.cnf"
like 'unknown key "basicConstrains"|basicConstrains' "$T/err" "... naming the key"
: >"$T/empty.cnf"
t_fail "a file without a profile is refused" 1 "$OFFROOT" profile check "$T/empty.cnf"
t_fail "a missing file is refused" 1 "$OFFROOT" profile check "$T/none.cnf"
t_fail "profile without a verb is a usage error" 2 "$OFFROOT" profile
t_fail "an unknown verb is a usage error" 2 "$OFFROOT" profile show "$K8S"
t_fail "check without a file is a usage error" 2 "$OFFROOT" profile check
done_testing

#!/bin/sh
# `make run` without a terminal: the demo ceremony through the batch runner
# must finish with a verified bundle and a clean audit.
. "$(dirname "$0")/../lib.sh"
plan 4
cd "$ROOT" || exit 1
TMPDIR="$T" sh tests/demo-run "$OFFROOT" </dev/null >"$T/demo.out" 2>&1
ok $? "the demo ceremony runs to the end"
like 'verified: MANIFEST signed by the root' "$T/demo.out" "its bundle verifies on the online side"
like 'certificate.pem: OK' "$T/demo.out" "openssl verify -x509_strict accepts the intermediate"
like '^audit: .*chain intact' "$T/demo.out" "the CA directory audits clean"

#!/bin/sh
# A real etcd across a root rollover (offroot rollover), the Kubernetes
# profile set:
#
#   old root ──(offroot sign)── old intermediate ─┬─ etcd server certificate
#      │                                           └─ old client certificate
#      └─(cross-signed-by-old.pem)─┐
#   new root ──(offroot sign)── new intermediate ─── new client certificate
#
# Each chain is checked by openssl verify -x509_strict, GnuTLS certtool and
# Python cryptography.  Then etcd (Debian's etcd-server) runs with
# --client-cert-auth twice: trusting only the old root, it accepts the new
# client when the client sends its chain through cross-signed-by-old.pem,
# and refuses it without; trusting roots-transition.pem, mTLS works both
# ways: etcdctl trusting roots-transition.pem accepts etcd's (old) server
# certificate, and etcd accepts the old and the new client.
. "$(dirname "$0")/../lib.sh"

K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"
PASS2="$T/pass2"
printf 'the new root key passphrase\n' >"$PASS2"

. "$ROOT/tests/etcd.sh"
cat >"$T/ext.cnf" <<'EOF'
[etcd-server]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth,clientAuth
subjectAltName         = IP:127.0.0.1,DNS:localhost
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always

[client]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = clientAuth
subjectKeyIdentifier   = hash
authorityKeyIdentifier = keyid:always
EOF
# leaf CSR-NAME ISSUER SECTION: NAME.pem, 30 days, issued by ISSUER.pem/.key
leaf() {
	openssl x509 -req -in "$T/$1.csr" -CA "$T/$2.pem" -CAkey "$T/$2.key" \
	    -days 30 -extfile "$T/ext.cnf" -extensions "$3" -out "$T/$1.pem" 2>"$T/err"
}

# --- The offline side: the old root, its intermediate, the rollover, the
# new root's intermediate. -------------------------------------------------------
new_ca "$T/old" --profiles "$K8S" --profile root; ok $? "the old root"
newkey old-int P-384 "/CN=Vault pki_int Intermediate CA"
t_ok "the old root signs the Vault intermediate" "$OFFROOT" sign -d "$T/old" \
    --csr "$T/old-int.csr" -o "$T/b-old" --profile intermediate \
    --passphrase-file "$PASS" --yes
cp "$T/b-old/certificate.pem" "$T/old-int.pem"
t_ok "offroot rollover" "$OFFROOT" rollover -d "$T/old" --new-dir "$T/new" -o "$T/t" \
    --subject "/C=DE/O=offroot tests/CN=Test Root G2" --kdf interactive \
    --profiles "$K8S" --passphrase-file "$PASS2" --old-passphrase-file "$PASS" --yes
X="$T/t/cross-signed-by-old.pem"
OLDROOT="$T/old/root.crt"
BOTH="$T/t/roots-transition.pem"
# The Vault intermediate re-signed under the new root from a fresh CSR.
newkey new-int P-384 "/CN=Vault pki_int Intermediate CA G2"
t_ok "the new root signs the new Vault intermediate" "$OFFROOT" sign -d "$T/new" \
    --csr "$T/new-int.csr" -o "$T/b-new" --profile intermediate \
    --passphrase-file "$PASS2" --yes
cp "$T/b-new/certificate.pem" "$T/new-int.pem"

# --- The online side: the leaves. ------------------------------------------------
newkey etcd-server P-256 "/CN=localhost"
leaf etcd-server old-int etcd-server; ok $? "the old intermediate issues etcd's server certificate"
newkey old-client P-256 "/O=system:masters/CN=old-client"
leaf old-client old-int client; ok $? "the old intermediate issues a client certificate"
newkey new-client P-256 "/O=system:masters/CN=new-client"
leaf new-client new-int client; ok $? "the new intermediate issues a client certificate"

# --- Every chain, by three implementations. --------------------------------------
run openssl verify -x509_strict -purpose sslserver -CAfile "$OLDROOT" \
    -untrusted "$T/old-int.pem" "$T/etcd-server.pem"
ok $rc "openssl: etcd's server certificate chains to the old root"
run openssl verify -x509_strict -purpose sslclient -CAfile "$T/new/root.crt" \
    -untrusted "$T/new-int.pem" "$T/new-client.pem"
ok $rc "openssl: the new client chains to the new root"
cat "$T/new-int.pem" "$X" >"$T/untrusted-new.pem"
run openssl verify -x509_strict -purpose sslclient -CAfile "$OLDROOT" \
    -untrusted "$T/untrusted-new.pem" "$T/new-client.pem"
ok $rc "openssl: the new client, only the old root trusted, through cross-signed-by-old.pem"
run openssl verify -x509_strict -purpose sslclient -CAfile "$OLDROOT" \
    -untrusted "$T/new-int.pem" "$T/new-client.pem"
[ $rc -ne 0 ]; ok $? "openssl: ... and not without it"
for c in etcd-server old-client; do
	run openssl verify -x509_strict -CAfile "$BOTH" -untrusted "$T/old-int.pem" "$T/$c.pem"
	ok $rc "openssl: roots-transition.pem trusts $c (old hierarchy)"
done
run openssl verify -x509_strict -CAfile "$BOTH" -untrusted "$T/new-int.pem" "$T/new-client.pem"
ok $rc "openssl: roots-transition.pem trusts new-client (new hierarchy)"

cat "$T/new-client.pem" "$T/new-int.pem" "$X" "$OLDROOT" >"$T/c-cross.pem"
run certtool --verify-chain --infile "$T/c-cross.pem"
ok $rc "certtool --verify-chain: new client -> new intermediate -> cross-certificate -> old root"
cat "$T/new-client.pem" "$T/new-int.pem" "$X" >"$T/c-cross-sent.pem"
run certtool --verify --load-ca-certificate "$OLDROOT" --infile "$T/c-cross-sent.pem"
ok $rc "certtool --verify: the chain the new client sends, only the old root trusted"
cat "$T/etcd-server.pem" "$T/old-int.pem" >"$T/etcd-server-chain.pem"
run certtool --verify --load-ca-certificate "$BOTH" --infile "$T/etcd-server-chain.pem"
ok $rc "certtool --verify: etcd's server chain, roots-transition.pem trusted"
cat "$T/new-client.pem" "$T/new-int.pem" >"$T/new-client-chain.pem"
run certtool --verify --load-ca-certificate "$BOTH" --infile "$T/new-client-chain.pem"
ok $rc "certtool --verify: the new client's chain, roots-transition.pem trusted"

run $PY - "$OLDROOT" "$X" "$T/new-int.pem" "$T/new-client.pem" "$T/new/root.crt" \
    "$T/old-int.pem" "$T/etcd-server.pem" <<'PYEOF'
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID as E
from cryptography.hazmat.primitives.asymmetric import ec
L = lambda p: x509.load_pem_x509_certificate(open(p, "rb").read())
old, cross, nint, client, new, oint, server = (L(p) for p in sys.argv[1:8])
def link(c, by):
    by.public_key().verify(c.signature, c.tbs_certificate_bytes, ec.ECDSA(c.signature_hash_algorithm))
    assert c.issuer == by.subject, c.subject
    aki = c.extensions.get_extension_for_oid(E.AUTHORITY_KEY_IDENTIFIER).value.key_identifier
    assert aki == by.extensions.get_extension_for_oid(E.SUBJECT_KEY_IDENTIFIER).value.digest
    assert c.not_valid_before >= by.not_valid_before or by is cross
bc = lambda c: c.extensions.get_extension_for_oid(E.BASIC_CONSTRAINTS).value
# The cross route, leaf up: every signature, name and key identifier, and
# the path lengths leave room below each CA.
link(client, nint); link(nint, cross); link(cross, old)
assert bc(cross).path_length >= 1 and bc(old).path_length >= 2
# The same leaf, the new root's own route; the old hierarchy's server.
link(nint, new); link(server, oint); link(oint, old)
PYEOF
ok $rc "Python cryptography: both routes, signatures, names, key identifiers, path lengths"
[ $rc -eq 0 ] || diag "$(tail -3 "$T/err")"

# --- A real etcd. -------------------------------------------------------------------
# ectl CACERT CERT KEY ARGS...: etcdctl against our etcd
ectl() {
	_a=$1 _c=$2 _k=$3; shift 3
	etcdctl --endpoints "https://127.0.0.1:$port" --cacert "$_a" \
	    --cert "$_c" --key "$_k" --dial-timeout 2s --command-timeout 4s "$@"
}
# start_etcd TRUSTED-CA-FILE: etcd serving the old hierarchy's server chain
start_etcd() {
	up=1
	for _ in 1 2 3 4 5; do
		port=$(freeport); peer=$(freeport)
		[ "$port" != "$peer" ] || continue
		rm -rf "$T/etcd"
		etcd --name t --data-dir "$T/etcd" \
		    --listen-client-urls "https://127.0.0.1:$port" \
		    --advertise-client-urls "https://127.0.0.1:$port" \
		    --listen-peer-urls "http://127.0.0.1:$peer" \
		    --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
		    --initial-cluster "t=http://127.0.0.1:$peer" \
		    --cert-file "$T/etcd-server-chain.pem" --key-file "$T/etcd-server.key" \
		    --client-cert-auth --trusted-ca-file "$1" \
		    >"$T/etcd.log" 2>&1 &
		etcd_pid=$!
		deadline=$(($(date +%s) + 30))
		while [ "$(date +%s)" -lt $deadline ] && kill -0 "$etcd_pid" 2>/dev/null; do
			ectl "$1" "$T/old-client.pem" "$T/old-client.key" endpoint health \
			    >/dev/null 2>&1 && { up=0; break; }
			sleep 0.3
		done
		[ $up -eq 0 ] && break
		if grep -q 'address already in use' "$T/etcd.log"; then
			stop_etcd; continue
		fi
		break
	done
	return $up
}

# 1. etcd trusts only the old root (a cluster not yet given the bundle).
cat "$T/old-client.pem" "$T/old-int.pem" >"$T/old-client-chain.pem"
cp "$T/old-client-chain.pem" "$T/old-client.pem"
start_etcd "$OLDROOT"
ok $? "etcd starts with --client-cert-auth, trusting only the old root"
[ $up -eq 0 ] || diag "$(tail -n 5 "$T/etcd.log")"
cat "$T/new-client.pem" "$T/new-int.pem" "$X" >"$T/new-client-cross.pem"
run ectl "$OLDROOT" "$T/new-client-cross.pem" "$T/new-client.key" put /offroot/rollover crossed
ok $rc "etcd (old root only) accepts the new client sending cross-signed-by-old.pem"
[ $rc -eq 0 ] || diag "$(head -c 400 "$T/err")"
run ectl "$OLDROOT" "$T/new-client-chain.pem" "$T/new-client.key" get /offroot/rollover
[ $rc -ne 0 ] && ! grep -q crossed "$T/out"
ok $? "... and refuses it without the cross-certificate"
stop_etcd

# 2. etcd and etcdctl both trust roots-transition.pem: mTLS both ways.
start_etcd "$BOTH"
ok $? "etcd starts trusting roots-transition.pem"
[ $up -eq 0 ] || diag "$(tail -n 5 "$T/etcd.log")"
run ectl "$BOTH" "$T/new-client-chain.pem" "$T/new-client.key" put /offroot/rollover both
ok $rc "etcdctl (roots-transition.pem) accepts etcd's old-hierarchy server; etcd accepts the new client"
[ $rc -eq 0 ] || diag "$(head -c 400 "$T/err")"
run ectl "$BOTH" "$T/old-client.pem" "$T/old-client.key" get --print-value-only /offroot/rollover
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = both ]
ok $? "etcd (roots-transition.pem) accepts the old client too, and it reads the new client's value"
run ectl "$T/new/root.crt" "$T/new-client-chain.pem" "$T/new-client.key" get /offroot/rollover
[ $rc -ne 0 ] && ! grep -q both "$T/out"
ok $? "etcdctl trusting only the new root refuses etcd's old-hierarchy server"
pid=$etcd_pid
stop_etcd
! kill -0 "$pid" 2>/dev/null; ok $? "etcd stopped"
done_testing

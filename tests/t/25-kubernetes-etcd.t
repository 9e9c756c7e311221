#!/bin/sh
# The Kubernetes reference hierarchy end to end, against a real etcd:
#
#   offroot root (365 d, pathlen 2)
#    └ intermediate (openssl req standing in for Vault pki_int; signed by
#      offroot sign: 180 d, pathlen 1)
#       ├ etcd CA (issued by the intermediate with openssl: 90 d, pathlen 0)
#       │  ├ etcd server certificate (IP:127.0.0.1, DNS:localhost, serverAuth)
#       │  └ apiserver-etcd-client certificate (clientAuth)
#       └ Kubernetes CA (90 d, pathlen 0)
#          └ a client certificate (clientAuth)
#
# Every link is checked by openssl verify -x509_strict, GnuTLS certtool and
# Python cryptography.  Then etcd (Debian's etcd-server) runs on 127.0.0.1
# with --client-cert-auth and only the etcd CA as --trusted-ca-file: it must
# serve the etcd client and refuse the Kubernetes CA's client, even when that
# client sends its chain up to the shared intermediate and root.
. "$(dirname "$0")/../lib.sh"

K8S="$ROOT/ceremony-scripts/kubernetes/profiles.cnf"

. "$ROOT/tests/etcd.sh"

# The leaf-CA sections of the profile set, offroot's own keys stripped as
# profiles.cnf documents, plus the end-entity sections the online side uses.
keys='family|validity_days|clamp_validity|key_types|min_rsa_bits'
keys="$keys|max_pathlen|digest|description"
sed -E "/^($keys)[[:space:]]*=/d" "$K8S" >"$T/ext.cnf"
cat >>"$T/ext.cnf" <<'EOF'

[etcd-server]
basicConstraints       = critical,CA:FALSE
keyUsage               = critical,digitalSignature
extendedKeyUsage       = serverAuth
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
# issue CSR-NAME ISSUER-CERT ISSUER-KEY SECTION DAYS OUT-NAME
issue() {
	openssl x509 -req -in "$T/$1.csr" -CA "$2" -CAkey "$3" -days "$5" \
	    -extfile "$T/ext.cnf" -extensions "$4" -out "$T/$6.pem" 2>"$T/err"
}

# --- The offline side: root, and the intermediate signed by offroot. ----------

new_ca "$T/ca" --profiles "$K8S" --profile root
ok $? "offroot init: root from the kubernetes profile set"
[ -f "$T/ca/root.crt" ] || diag "$(cat "$T/init.err")"
root="$T/ca/root.crt"

newkey int P-384 "/CN=Vault pki_int Intermediate CA"
ok $? "openssl req: intermediate CSR (P-384, subject CN only), as Vault makes it"

t_ok "offroot sign --profile intermediate" \
    "$OFFROOT" sign -d "$T/ca" --csr "$T/int.csr" -o "$T/bundle" \
    --profile intermediate --passphrase-file "$PASS" --yes
b="$T/bundle"
[ -s "$b/certificate.pem" ] || {
	diag "no intermediate certificate: nothing below it can be tested"
	done_testing; exit 1; }
for f in certificate.pem chain.pem root.pem crl.pem vault-set-signed.json \
    transcript.log README.txt MANIFEST MANIFEST.sig; do
	[ -s "$b/$f" ]; ok $? "bundle has $f"
done
cmp -s "$b/root.pem" "$root"; ok $? "bundle root.pem is the CA's root.crt"
cat "$b/certificate.pem" "$root" | cmp -s - "$b/chain.pem"
ok $? "chain.pem is the certificate followed by the root"
run $PY -c 'import json, sys
j = json.load(open(sys.argv[1]))
sys.exit(0 if j["certificate"].strip() == open(sys.argv[2]).read().strip() else 1)' \
    "$b/vault-set-signed.json" "$b/chain.pem"
ok $rc "vault-set-signed.json carries the certificate and the root under certificate"
(cd "$b" && sha256sum --quiet --strict -c MANIFEST) >"$T/out" 2>&1
ok $? "sha256sum -c MANIFEST agrees with every file"
[ -z "$(sed -n '/MANIFEST/p' "$b/MANIFEST")" ]; ok $? "MANIFEST does not list itself or its signature"

# What README.txt tells the online team to run, with stock tools only.
openssl x509 -in "$root" -noout -pubkey >"$T/root.pub"
run openssl dgst -sha384 -verify "$T/root.pub" -signature "$b/MANIFEST.sig" "$b/MANIFEST"
ok $rc "openssl dgst -verify: MANIFEST.sig is the root's signature over MANIFEST"
run openssl verify -x509_strict -crl_check -CAfile "$root" -CRLfile "$b/crl.pem" "$b/certificate.pem"
ok $rc "openssl verify -crl_check: crl.pem is the root's, current, and does not list the new certificate"
t_ok "offroot verify the bundle against the root, with the CSR" \
    "$OFFROOT" verify "$b" --root "$root" --csr "$T/int.csr"
# The online side must notice a bundle that is not what the root signed.
new_ca "$T/other" --profiles "$K8S" --profile root
t_fail "offroot verify refuses the bundle against another root" 1 \
    "$OFFROOT" verify "$b" --root "$T/other/root.crt"
like "signature" "$T/err" "... naming the signature as the reason"
newkey stranger P-384 "/CN=Vault pki_int Intermediate CA"
t_fail "offroot verify refuses a CSR whose key is not in the bundle" 1 \
    "$OFFROOT" verify "$b" --root "$root" --csr "$T/stranger.csr"
like "stranger\\.csr" "$T/err" "... naming the unmatched CSR"
cp -R "$b" "$T/tampered"
printf '\n' >>"$T/tampered/README.txt"
t_fail "offroot verify refuses a bundle with a changed file" 1 \
    "$OFFROOT" verify "$T/tampered" --root "$root"
like "README\\.txt" "$T/err" "... naming the changed file"

int="$T/int.pem"
cp "$b/certificate.pem" "$int"
int_key="$T/int.key"

# --- The online side: the intermediate issues the leaf CAs, they issue leaves. -

newkey etcd-ca P-256 "/CN=etcd-ca"
issue etcd-ca "$int" "$int_key" etcd-ca 90 etcd-ca
ok $? "intermediate issues the etcd CA (openssl x509 -req -extensions etcd-ca)"
newkey kubernetes-ca P-256 "/CN=kubernetes"
issue kubernetes-ca "$int" "$int_key" kubernetes-ca 90 kubernetes-ca
ok $? "intermediate issues the Kubernetes CA (-extensions kubernetes-ca)"

newkey etcd-server P-256 "/CN=localhost"
issue etcd-server "$T/etcd-ca.pem" "$T/etcd-ca.key" etcd-server 30 etcd-server
ok $? "etcd CA issues the etcd server certificate"
newkey etcd-client P-256 "/O=system:masters/CN=kube-apiserver-etcd-client"
issue etcd-client "$T/etcd-ca.pem" "$T/etcd-ca.key" client 30 etcd-client
ok $? "etcd CA issues the apiserver-etcd-client certificate"
newkey k8s-client P-256 "/O=system:masters/CN=kubernetes-admin"
issue k8s-client "$T/kubernetes-ca.pem" "$T/kubernetes-ca.key" client 30 k8s-client
ok $? "Kubernetes CA issues a client certificate"

# --- Every link, by three implementations. -------------------------------------

# openssl: the root is the only trust anchor; the intermediates are untrusted.
run openssl verify -x509_strict -CAfile "$root" "$int"
ok $rc "openssl verify -x509_strict: root -> intermediate"
for c in etcd-ca kubernetes-ca; do
	run openssl verify -x509_strict -CAfile "$root" -untrusted "$int" "$T/$c.pem"
	ok $rc "openssl verify -x509_strict: root -> intermediate -> $c"
done
cat "$int" "$T/etcd-ca.pem" >"$T/untrusted-etcd.pem"
cat "$int" "$T/kubernetes-ca.pem" >"$T/untrusted-k8s.pem"
run openssl verify -x509_strict -purpose sslserver -CAfile "$root" \
    -untrusted "$T/untrusted-etcd.pem" "$T/etcd-server.pem"
ok $rc "openssl verify -x509_strict -purpose sslserver: ... -> etcd CA -> etcd server"
run openssl verify -x509_strict -purpose sslclient -CAfile "$root" \
    -untrusted "$T/untrusted-etcd.pem" "$T/etcd-client.pem"
ok $rc "openssl verify -x509_strict -purpose sslclient: ... -> etcd CA -> apiserver-etcd-client"
run openssl verify -x509_strict -purpose sslclient -CAfile "$root" \
    -untrusted "$T/untrusted-k8s.pem" "$T/k8s-client.pem"
ok $rc "openssl verify -x509_strict -purpose sslclient: ... -> Kubernetes CA -> client"
# Each leaf CA trusted alone, as etcd trusts it: its own leaves only.
run openssl verify -x509_strict -partial_chain -CAfile "$T/etcd-ca.pem" "$T/etcd-client.pem"
ok $rc "openssl: the etcd CA alone as anchor accepts the etcd client"
run openssl verify -x509_strict -partial_chain -CAfile "$T/etcd-ca.pem" \
    -untrusted "$T/untrusted-k8s.pem" "$T/k8s-client.pem"
[ $rc -ne 0 ]; ok $? "openssl: the etcd CA alone as anchor refuses the Kubernetes CA's client"
# A leaf CA cannot issue CA certificates (pathlen 0), as openssl sees it.
newkey rogue P-256 "/CN=rogue-ca"
issue rogue "$T/etcd-ca.pem" "$T/etcd-ca.key" etcd-ca 30 rogue
cat "$T/untrusted-etcd.pem" "$T/rogue.pem" >"$T/untrusted-rogue.pem"
newkey rogue-leaf P-256 "/CN=localhost"
issue rogue-leaf "$T/rogue.pem" "$T/rogue.key" etcd-server 30 rogue-leaf
run openssl verify -x509_strict -CAfile "$root" -untrusted "$T/untrusted-rogue.pem" "$T/rogue-leaf.pem"
[ $rc -ne 0 ] && grep -q 'path length' "$T/out" "$T/err"
ok $? "openssl: a CA under the etcd CA (pathlen 0) is refused: path length exceeded"

# certtool --verify-chain: leaf first, the self-signed root last.
chain() { out=$1; shift; for c in "$@"; do cat "$c"; done >"$T/$out"; }
chain c-int.pem "$int" "$root"
chain c-etcd-ca.pem "$T/etcd-ca.pem" "$int" "$root"
chain c-k8s-ca.pem "$T/kubernetes-ca.pem" "$int" "$root"
chain c-etcd-server.pem "$T/etcd-server.pem" "$T/etcd-ca.pem" "$int" "$root"
chain c-etcd-client.pem "$T/etcd-client.pem" "$T/etcd-ca.pem" "$int" "$root"
chain c-k8s-client.pem "$T/k8s-client.pem" "$T/kubernetes-ca.pem" "$int" "$root"
for c in int etcd-ca k8s-ca etcd-server etcd-client k8s-client; do
	run certtool --verify-chain --infile "$T/c-$c.pem"
	ok $rc "certtool --verify-chain: $c up to the root"
	[ $rc -eq 0 ] || diag "$(grep -i -m3 -E 'not|fail' "$T/out")"
done
run certtool --verify-chain --verify-hostname localhost --verify-purpose 1.3.6.1.5.5.7.3.1 \
    --infile "$T/c-etcd-server.pem"
ok $rc "certtool: etcd server certificate valid for localhost, TLS server"
chain c-rogue.pem "$T/rogue-leaf.pem" "$T/rogue.pem" "$T/etcd-ca.pem" "$int" "$root"
run certtool --verify-chain --infile "$T/c-rogue.pem"
[ $rc -ne 0 ]; ok $? "certtool refuses a CA under the etcd CA (pathlen 0)"

# Python cryptography: signatures up the chain, issuer names and key
# identifiers, pathlen, validity spans, nested validity.
cat >"$T/chain.py" <<'EOF'
"""usage: chain.py SPEC... root first; SPEC = FILE:PATHLEN:DAYS:RULE[:EKU]
PATHLEN a number, 'none' (CA without one) or 'leaf' (CA:FALSE); RULE
'incl' (offroot: N*86400-1 s) or 'excl' (openssl -days: N*86400 s)."""
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID, ExtendedKeyUsageOID
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519, padding

fails = []
def need(cond, what):
    if not cond:
        fails.append(what)

def check_sig(issuer, cert):
    pub = issuer.public_key()
    if isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   padding.PKCS1v15(), cert.signature_hash_algorithm)
    elif isinstance(pub, ed25519.Ed25519PublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes)
    else:
        raise ValueError("unexpected key type")

ekus = {"serverAuth": ExtendedKeyUsageOID.SERVER_AUTH,
        "clientAuth": ExtendedKeyUsageOID.CLIENT_AUTH}
parent = None
for spec in sys.argv[1:]:
    f = spec.split(":")
    path, pathlen, days, rule = f[:4]
    name = path.rsplit("/", 1)[-1]
    cert = x509.load_pem_x509_certificate(open(path, "rb").read())
    issuer = parent or cert
    try:
        check_sig(issuer, cert)
    except Exception as e:
        fails.append("%s: signature by %s: %r" % (name, "itself" if parent is None else "its issuer", e))
    need(cert.issuer == issuer.subject, "%s: issuer name is the issuer's subject" % name)
    ski = issuer.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER).value
    aki = cert.extensions.get_extension_for_oid(ExtensionOID.AUTHORITY_KEY_IDENTIFIER).value
    need(aki.key_identifier == ski.digest, "%s: AKI is the issuer's SKI" % name)
    bc = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
    need(bc.critical, "%s: basicConstraints critical" % name)
    if pathlen == "leaf":
        need(not bc.value.ca, "%s: CA:FALSE" % name)
    else:
        need(bc.value.ca, "%s: CA:TRUE" % name)
        want = None if pathlen == "none" else int(pathlen)
        need(bc.value.path_length == want,
             "%s: pathlen %s (got %s)" % (name, want, bc.value.path_length))
    if parent is not None:
        pbc = parent.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS).value
        if bc.value.ca and pbc.path_length is not None:
            need(bc.value.path_length is not None and bc.value.path_length < pbc.path_length,
                 "%s: pathlen below the issuer's" % name)
    span = (cert.not_valid_after - cert.not_valid_before).total_seconds()
    want = int(days) * 86400 - (1 if rule == "incl" else 0)
    need(span == want, "%s: validity %s days %s: %d s (got %d s)" % (name, days, rule, want, span))
    if parent is not None:
        need(cert.not_valid_before >= parent.not_valid_before and
             cert.not_valid_after <= parent.not_valid_after,
             "%s: validity nested inside the issuer's" % name)
    if len(f) > 4:
        eku = cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE).value
        need(list(eku) == [ekus[f[4]]], "%s: EKU is exactly %s" % (name, f[4]))
    elif bc.value.ca:
        try:
            cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
            fails.append("%s: no EKU in a CA that issues servers and clients" % name)
        except x509.ExtensionNotFound:
            pass
    parent = cert
for f in fails:
    print("FAILED:", f)
sys.exit(1 if fails else 0)
EOF
R="$root:2:365:incl"
I="$int:1:180:incl"
run $PY "$T/chain.py" "$R" "$I"
ok $rc "python: root (pathlen 2, 365 d) -> intermediate (pathlen 1, 180 d inclusive), nested"
[ $rc -eq 0 ] || diag "$(cat "$T/out" "$T/err")"
run $PY "$T/chain.py" "$R" "$I" "$T/etcd-ca.pem:0:90:excl" "$T/etcd-server.pem:leaf:30:excl:serverAuth"
ok $rc "python: ... -> etcd CA (pathlen 0, 90 d) -> etcd server (serverAuth)"
[ $rc -eq 0 ] || diag "$(cat "$T/out" "$T/err")"
run $PY "$T/chain.py" "$R" "$I" "$T/etcd-ca.pem:0:90:excl" "$T/etcd-client.pem:leaf:30:excl:clientAuth"
ok $rc "python: ... -> etcd CA -> apiserver-etcd-client (clientAuth)"
[ $rc -eq 0 ] || diag "$(cat "$T/out" "$T/err")"
run $PY "$T/chain.py" "$R" "$I" "$T/kubernetes-ca.pem:0:90:excl" "$T/k8s-client.pem:leaf:30:excl:clientAuth"
ok $rc "python: ... -> Kubernetes CA (pathlen 0, 90 d) -> client (clientAuth)"
[ $rc -eq 0 ] || diag "$(cat "$T/out" "$T/err")"

# --- A real etcd: trusts only the etcd CA. --------------------------------------

# ectl CERT KEY ARGS...: etcdctl against our etcd, short timeouts
ectl() {
	_c=$1 _k=$2; shift 2
	etcdctl --endpoints "https://127.0.0.1:$port" --cacert "$T/etcd-ca.pem" \
	    --cert "$_c" --key "$_k" --dial-timeout 2s --command-timeout 4s "$@"
}
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
	    --cert-file "$T/etcd-server.pem" --key-file "$T/etcd-server.key" \
	    --client-cert-auth --trusted-ca-file "$T/etcd-ca.pem" \
	    >"$T/etcd.log" 2>&1 &
	etcd_pid=$!
	# Up to 30 s for it to answer (it writes its WAL and elects itself).
	deadline=$(($(date +%s) + 30))
	while [ "$(date +%s)" -lt $deadline ] && kill -0 "$etcd_pid" 2>/dev/null; do
		ectl "$T/etcd-client.pem" "$T/etcd-client.key" endpoint health \
		    >/dev/null 2>&1 && { up=0; break; }
		sleep 0.3
	done
	[ $up -eq 0 ] && break
	if grep -q 'address already in use' "$T/etcd.log"; then
		stop_etcd; continue	# lost a race for the port: try others
	fi
	break
done
ok $up "etcd starts on 127.0.0.1:$port with --client-cert-auth, trusting only the etcd CA"
[ $up -eq 0 ] || diag "$(tail -n 5 "$T/etcd.log")"

run ectl "$T/etcd-client.pem" "$T/etcd-client.key" put /offroot/ceremony signed
ok $rc "etcdctl put with the apiserver-etcd-client certificate"
[ $rc -eq 0 ] || diag "$(head -c 400 "$T/err")"
run ectl "$T/etcd-client.pem" "$T/etcd-client.key" get --print-value-only /offroot/ceremony
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = signed ]
ok $? "etcdctl get with the apiserver-etcd-client certificate reads it back"

# The Kubernetes CA's client: refused, alone and with its full chain.
cat "$T/k8s-client.pem" "$T/kubernetes-ca.pem" "$int" >"$T/k8s-client-chain.pem"
for how in alone chain; do
	if [ $how = alone ]; then c="$T/k8s-client.pem"; else c="$T/k8s-client-chain.pem"; fi
	run ectl "$c" "$T/k8s-client.key" get --print-value-only /offroot/ceremony
	[ $rc -ne 0 ] && ! grep -q signed "$T/out"
	ok $? "etcd refuses the Kubernetes CA's client certificate ($how)"
done
grep -q 'unknown authority' "$T/etcd.log"; r=$?
ok $r "etcd's log names the reason: certificate signed by unknown authority"
[ $r -eq 0 ] || diag "$(grep -i -m3 'reject' "$T/etcd.log")"
run etcdctl --endpoints "https://127.0.0.1:$port" --cacert "$T/etcd-ca.pem" \
    --dial-timeout 2s --command-timeout 4s get /offroot/ceremony
[ $rc -ne 0 ] && ! grep -q signed "$T/out"
ok $? "etcd refuses a client without a certificate"
# etcdctl trusting only the Kubernetes CA does not accept etcd's server.
run etcdctl --endpoints "https://127.0.0.1:$port" --cacert "$T/kubernetes-ca.pem" \
    --cert "$T/etcd-client.pem" --key "$T/etcd-client.key" \
    --dial-timeout 2s --command-timeout 4s get /offroot/ceremony
[ $rc -ne 0 ] && ! grep -q signed "$T/out"
ok $? "etcdctl trusting the Kubernetes CA refuses etcd's server certificate"
# And the etcd client still works: the refusals were the certificates'.
run ectl "$T/etcd-client.pem" "$T/etcd-client.key" get --print-value-only /offroot/ceremony
[ $rc -eq 0 ] && [ "$(cat "$T/out")" = signed ]
ok $? "etcd still serves the etcd client after the refusals"

pid=$etcd_pid
stop_etcd
! kill -0 "$pid" 2>/dev/null; ok $? "etcd stopped"
done_testing

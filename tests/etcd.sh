# tests/etcd.sh: what the real-etcd tests (25, 27) share, sourced after
# lib.sh: etcd stopped on any exit, the tools checked, a bare openssl
# request configuration, newkey and freeport.

# etcd runs under the test only; stop it on any exit, then clean up.
etcd_pid=
stop_etcd() {
	[ -n "$etcd_pid" ] || return 0
	kill "$etcd_pid" 2>/dev/null
	i=0
	while kill -0 "$etcd_pid" 2>/dev/null && [ $i -lt 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
	kill -9 "$etcd_pid" 2>/dev/null
	wait "$etcd_pid" 2>/dev/null
	etcd_pid=
}
trap 'stop_etcd; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
trap 'exit 130' INT TERM

# Missing tools are a failure, not a skip: tests/install-deps installs them.
for tool in etcd etcdctl openssl certtool; do
	command -v "$tool" >/dev/null 2>&1
	ok $? "$tool is installed"
	command -v "$tool" >/dev/null 2>&1 || {
		diag "$tool not found: install etcd-server etcd-client gnutls-bin openssl (sh tests/install-deps, as root)"
		done_testing; exit 1; }
done

# A minimal openssl configuration, so that the machine's openssl.cnf adds
# nothing to the requests.
cat >"$T/req.cnf" <<'EOF'
[req]
distinguished_name = dn
prompt = no
[dn]
EOF
# newkey NAME CURVE SUBJECT: NAME.key and NAME.csr in $T
newkey() {
	openssl req -new -config "$T/req.cnf" -newkey ec -pkeyopt "ec_paramgen_curve:$2" \
	    -nodes -keyout "$T/$1.key" -subj "$3" -out "$T/$1.csr" 2>"$T/err"
}

# A port in 20000..59999 that nothing listens on (ss, else trust the bind).
freeport() {
	while :; do
		p=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 40000 + 20000 ))
		ss -Htln "sport = :$p" 2>/dev/null | grep -q . || { echo "$p"; return; }
	done
}

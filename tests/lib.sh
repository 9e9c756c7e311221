# tests/lib.sh — shared helpers for the shell tests (TAP, run under prove).
# Each test sources this, calls plan N (or done_testing at the end), and
# works in $T, a fresh temporary directory removed at exit.
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
OFFROOT="$ROOT/${OFFROOT_BUILD:-build}/offroot"
PY=/usr/bin/python3		# Debian's, with python3-cryptography
T=$(mktemp -d "${TMPDIR:-/tmp}/offroot-test.XXXXXX")
trap '[ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT
_n=0
_failed=0

plan() { echo "1..$1"; }
done_testing() { echo "1..$_n"; [ "$_failed" -eq 0 ]; }

ok() {	# ok CONDITION-EXIT-CODE NAME
	_n=$((_n + 1))
	if [ "$1" -eq 0 ]; then echo "ok $_n - $2"
	else echo "not ok $_n - $2"; _failed=$((_failed + 1)); fi
}

# run CMD...: runs it, keeps stdout in $T/out, stderr in $T/err, status in $rc
run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
}

# t_ok NAME CMD...: the command must succeed
t_ok() {
	_name=$1; shift
	run "$@"
	ok "$rc" "$_name"
	[ "$rc" -eq 0 ] || { echo "# exit $rc: $(head -c 600 "$T/err")"; }
}

# t_fail NAME EXPECTED-EXIT CMD...: the command must exit with that code
# and say exactly one error line on stderr.  The error line is the one line
# that starts with "offroot: " (or, for a helper script such as
# hsm/softhsm-setup, with the script's name and ": ") but not
# "offroot: warning: ", and it is the
# last line, except that a usage error (exit 2) may add the command's
# synopsis ("usage: offroot ...") after it.  Before it stderr may hold what
# offroot says there by design while it works (interact-cli.c: progress such
# as "Unlocking the root key (Argon2id)...", the officers' share tally,
# ceremony steps, "offroot: warning: ..." lines; --quiet drops the info
# lines), but never a dump of OpenSSL's error queue.
t_fail() {
	_name=$1; _want=$2; shift 2
	run "$@"
	_why=
	_prog=offroot
	case ${1##*/} in
	sh|bash|dash) [ "${2:-}" = -c ] || [ $# -lt 2 ] || _prog=${2##*/} ;;
	setsid|env|offroot) ;;
	*) _prog=${1##*/} ;;
	esac
	_errs=$(grep -E "^(offroot|$_prog): " "$T/err" | grep -cv '^offroot: warning: ' || true)
	_last=$(tail -n 1 "$T/err")
	if [ "$_want" -eq 2 ] && case $_last in "usage: offroot "*) true ;; *) false ;; esac; then
		_last=$(tail -n 2 "$T/err" | head -n 1)
	fi
	if [ "$rc" -ne "$_want" ]; then _why="exit $rc, want $_want"
	elif [ "$_errs" -ne 1 ]; then _why="$_errs error lines, want exactly 1"
	else case $_last in
		"offroot: warning: "*) _why="the last line is a warning, not the error" ;;
		"offroot: "*|"$_prog: "*) ;;
		*) _why="the error line is not the last line" ;;
		esac
	fi
	[ -n "$_why" ] || ! grep -q ':error:[0-9A-Fa-f]*:' "$T/err" || _why="OpenSSL's error queue on stderr"
	if [ -z "$_why" ]; then ok 0 "$_name"
	else ok 1 "$_name"; echo "# $_why: $(head -c 600 "$T/err" | sed '2,$s/^/#   /')"; fi
}

# like PATTERN FILE NAME: grep -E must find PATTERN
like() {
	if grep -Eq -- "$1" "$2"; then ok 0 "$3"
	else ok 1 "$3"; echo "# '$1' not in $2: $(head -c 400 "$2")"; fi
}

diag() { echo "# $*"; }

# A passphrase file for automation (never argv).
PASS="$T/pass"
printf 'correct horse battery staple\n' >"$PASS"

# new_ca DIR [extra init options...]: a CA with a fast KDF for tests.
new_ca() {
	_dir=$1; shift
	"$OFFROOT" init -d "$_dir" --subject "/C=DE/O=offroot tests/CN=Test Root" \
	    --kdf interactive --passphrase-file "$PASS" "$@" >"$T/init.out" 2>"$T/init.err"
}

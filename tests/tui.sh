# tests/tui.sh — tmux helpers for the TUI tests that source it after
# lib.sh (88, 89): a session named $S, its screen captured into
# $T/screen, polled with generous timeouts (the machine may be loaded).
# Every screen seen is appended to $SEEN.
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux missing"; exit 0; }
export TMUX_TMPDIR="$T"
S="offroot-tui-$$"
SEEN="$T/all-screens"
: >"$SEEN"
secret=${secret:-'tui passphrase 9c1e77'}
# Tenths of a second: 30 s, longer under the sanitizers.
WAIT=${OFFROOT_SANITIZED:+600}
WAIT=${WAIT:-300}

pane() {
	tmux capture-pane -p -t "=$S:" >"$T/screen" 2>/dev/null
	cat "$T/screen" >>"$SEEN"
}
# waitfor PATTERN [TENTHS]: poll the screen until grep -E finds PATTERN.
waitfor() {
	_i=0
	while [ $_i -lt "${2:-$WAIT}" ]; do
		pane
		grep -Eq -- "$1" "$T/screen" && return 0
		sleep 0.1; _i=$((_i + 1))
	done
	diag "timed out waiting for '$1'; screen:"
	sed 's/^/#   /' "$T/screen"
	return 1
}
# session NAME ARGS...: tmux new-session -d -s NAME ARGS, tried again
# while the session does not exist (a server starting or exiting under
# load says "server exited unexpectedly").
session() {
	_sn=$1; shift
	_k=0
	while ! tmux has-session -t "=$_sn" 2>/dev/null; do
		[ $_k -lt 50 ] || { diag "tmux session $_sn cannot be started"; return 1; }
		tmux new-session -d -s "$_sn" "$@" 2>/dev/null || sleep 0.2
		_k=$((_k + 1))
	done
}
# A session that outlives the others: killing the last session makes the
# server exit, and a new session started meanwhile races with it.
keep_session() { session "$S-keep" "sleep 1800"; }
keep_session
# start COLS ROWS TERM COMMAND: a session running COMMAND, then its status.
start() {
	keep_session
	tmux kill-session -t "=$S" 2>/dev/null
	session "$S" -x "$1" -y "$2" \
	    "TERM=$3; export TERM; $4; echo EXIT=\$?; sleep 300"
}
# shell COLS ROWS: a session running sh, prompt READY$, for stty checks.
shell() {
	keep_session
	tmux kill-session -t "=$S" 2>/dev/null
	session "$S" -x "$1" -y "$2" "env PS1='READY\$ ' TERM=linux sh"
	waitfor 'READY\$'
}
keys() { tmux send-keys -t "=$S:" "$@"; }
trap 'tmux kill-server 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$T"' EXIT

# tui_pid PATTERN: the pid of the offroot process whose command line
# matches PATTERN (pgrep -f), or nothing.
tui_pid() {
	_pid=
	for _p in $(pgrep -f "$1"); do
		[ "$(cat "/proc/$_p/comm" 2>/dev/null)" = offroot ] && _pid=$_p
	done
	echo "$_pid"
}

# drive [UNTIL]: answers whatever the ceremony asks, as the officers would,
# until the outcome is on screen (or the shell condition UNTIL holds, with
# the screen in $T/screen).  Counts what was asked in $T/asked.
drive() {
	: >"$T/asked"
	_dn=0
	while [ $_dn -lt 1200 ]; do
		pane
		sed '$d' "$T/screen" >"$T/before"
		if [ -n "${1:-}" ] && eval "$1"; then
			return 0
		elif grep -q 'Press Enter to continue' "$T/screen"; then
			return 0
		elif grep -q 'Name of the ' "$T/screen"; then
			echo name >>"$T/asked"; keys "Tester $_dn" Enter
		elif grep -q 'Reason for going on' "$T/screen"; then
			echo reason >>"$T/asked"; keys "rehearsal in a test container" Enter
		elif grep -q 'assphrase for the root key' "$T/screen"; then
			echo passphrase >>"$T/asked"; keys "$secret" Enter
		elif grep -q '\[ Yes \]' "$T/screen"; then
			echo confirm >>"$T/asked"; keys y
		elif grep -q 'Enter: confirm you have read it\|more below (' "$T/screen"; then
			echo block >>"$T/asked"; keys Enter
		else
			sleep 0.1; _dn=$((_dn + 1)); continue
		fi
		# Wait for the screen to change (the clock line aside).
		_w=0
		while [ $_w -lt 100 ]; do
			pane; sed '$d' "$T/screen" | cmp -s - "$T/before" || break
			sleep 0.05; _w=$((_w + 1))
		done
		sleep 0.1
		_dn=$((_dn + 1))
	done
	diag "the ceremony did not finish; screen:"
	sed 's/^/#   /' "$T/screen"
	return 1
}

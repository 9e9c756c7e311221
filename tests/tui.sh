# tests/tui.sh — tmux helpers for the tests that drive a program on a
# terminal (60, 86-89); sourced after lib.sh.  The test's session is $S,
# its screen is captured into $T/screen, and every screen drive sees is
# appended to $SEEN.
#
# On a loaded machine the TUI can take many seconds to start or to take a
# key, and tmux can show a frame half drawn.  So nothing here sleeps a
# fixed time and hopes: every wait polls until a state that only the
# awaited screen has (all of several patterns on one capture, a pattern
# gone, the screen changed after a key), bounded by a generous limit
# that only matters when the check fails anyway.  After the first
# timeout the test is failing already, and later waits give up after 5 s
# so that a broken build does not hold the run for an hour.
command -v tmux >/dev/null || { echo "1..0 # SKIP tmux missing"; exit 0; }
export TMUX_TMPDIR="$T"
S="offroot-tui-$$"
SEEN="$T/all-screens"
: >"$SEEN"
secret=${secret:-'tui passphrase 9c1e77'}
# Limits in tenths of a second: 60 s, 300 s for work that runs Argon2id
# or makes keys; twice that under the sanitizers.
WAIT=${OFFROOT_SANITIZED:+1200}
WAIT=${WAIT:-600}
LONG=${OFFROOT_SANITIZED:+6000}
LONG=${LONG:-3000}
_tui_late=0

pane() { tmux capture-pane -p -t "=$S:" >"$T/screen" 2>/dev/null; }
keys() { tmux send-keys -t "=$S:" "$@"; }
# The screen without its last line (the status line's clock ticks).
_tui_body() { sed '$d' "$T/screen"; }

# _tui_begin [TENTHS] / _tui_next: the bounds of one wait; _i counts the
# twentieths of a second waited.  _tui_nap N: the pause after N polls
# that saw nothing new: 0.05 s for the first second, which is when a
# screen usually answers a key, then 0.25 s, so that a wait for Argon2id
# or a key generation does not spend the CPU it waits for on tmux
# captures.  It adds the twentieths slept to _i.
_tui_nap() {
	if [ "$1" -lt 20 ]; then
		sleep 0.05; _i=$((_i + 1))
	else
		sleep 0.25; _i=$((_i + 5))
	fi
}
_tui_begin() {
	_lim=${1:-$WAIT}
	[ "$_tui_late" -eq 0 ] || [ "$_lim" -le 50 ] || _lim=50
	_i=0
	_polls=0
}
_tui_next() {
	[ "$_i" -lt $((_lim * 2)) ] || return 1
	_tui_nap "$_polls"
	_polls=$((_polls + 1))
}
# _tui_timeout WHAT: says what was awaited and shows the screen.
_tui_timeout() {
	_tui_late=1
	diag "timed out after $((_lim / 10)) s waiting for $1; screen:"
	sed 's/^/#   /' "$T/screen"
	return 1
}

# waitfor PATTERN [TENTHS], waitfor -a PATTERN... : polls the screen until
# grep -E finds PATTERN (with -a: every PATTERN on one screen).
waitfor() {
	if [ "$1" = -a ]; then
		shift
		_tui_begin
	else
		_tui_begin "${2:-}"
		set -- "$1"
	fi
	while :; do
		pane
		_miss=0
		for _p; do
			grep -Eq -- "$_p" "$T/screen" || { _miss=1; break; }
		done
		[ "$_miss" -eq 1 ] || return 0
		_tui_next || break
	done
	_tui_timeout "'$*'"
}
# waitgone PATTERN: polls until the screen no longer shows PATTERN.
waitgone() {
	_tui_begin
	while :; do
		pane
		grep -Eq -- "$1" "$T/screen" || return 0
		_tui_next || break
	done
	_tui_timeout "'$1' to go"
}
# waitcond CONDITION [TENTHS]: polls until the shell condition holds (it
# reads the screen from $T/screen).
waitcond() {
	_tui_begin "${2:-}"
	while :; do
		pane
		eval "$1" && return 0
		_tui_next || break
	done
	_tui_timeout "$1"
}
# boxflat: the text of the box drawn last (the lowest top corner, the
# rightmost on its row: a dialog over the frames, the card beside the
# step list), its lines joined without spaces or borders.
# What shows beside the box on the same rows is left out: a wrapped
# question is matched whatever the screen behind it holds.
boxflat() {
	$PY - "$T/screen" <<'E'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
top = x = None
for y, r in enumerate(rows):
    for i, c in enumerate(r):
        if c == "\u250c" and r[i + 1:i + 2] in ("\u2500", " "):
            top, x = y, i
right = rows[top].index("\u2510", x) if top is not None else 0
out = []
for r in rows[top + 1:] if top is not None else []:
    if r[x:x + 1] == "\u2514":
        break
    out.append(r[x + 1:right])
print("".join(out).replace(" ", ""))
E
}
# lastline PATTERN: the screen's last line matches PATTERN (grep -E).  A
# status line drawn at the bottom is the end of a whole first frame.
lastline() { tail -n 1 "$T/screen" | grep -Eq -- "$1"; }
CLOCK='[0-9]{2}:[0-9]{2}:[0-9]{2} UTC'
# settle: captures until two captures in a row are the same (tmux may
# show a frame half drawn for a moment).
settle() {
	pane
	_tui_begin
	while :; do
		cp "$T/screen" "$T/screen.prev"
		_tui_next || break
		pane
		cmp -s "$T/screen" "$T/screen.prev" && return 0
	done
	_tui_timeout "a screen that stays"
}

# ---- answering a question ---------------------------------------------
# Each takes the screen in $T/screen (one that stays, with the question
# on it), sends the answer and returns once the TUI took it: the screen
# changed because of the last key sent.  A key sent before that would go
# to whatever comes next, and a question seen again would be answered
# twice.
# _tui_changed BEFORE: waits until the screen, the status line aside,
# differs from the file BEFORE.
_tui_changed() {
	_tui_begin "${2:-}"
	while :; do
		pane
		_tui_body | cmp -s - "$1" || return 0
		_tui_next || break
	done
	_tui_timeout "the screen to change after a key"
}
# press KEY: one key (y, Enter, ...).
press() {
	_tui_body >"$T/before"
	keys "$1"
	_tui_changed "$T/before"
}
# type_in TEXT: a line of text, then Enter.  First the text must show in
# the field (one more line holding its end than before), then Enter.
type_in() {
	_tail=$(printf '%s' "$1" | tail -c 24)
	_had=$(grep -cF -- "$_tail" "$T/screen")
	_tui_body >"$T/before"
	keys -l -- "$1"
	waitcond '[ "$(grep -cF -- "$_tail" "$T/screen")" -gt "$_had" ]' &&
	    settle && press Enter
}
# type_secret TEXT: a secret, then Enter: first one '*' per character,
# kept in $SEEN to prove the secret itself never shows.
type_secret() {
	keys -l -- "$1"
	waitfor "\\*{${#1}}" && settle && cat "$T/screen" >>"$SEEN" && press Enter
}

# answer: answers the question on screen as the officers would and
# returns 0, or returns 1 when nothing it knows is asked.  A test may
# define its own (87 adds the quorum's questions) and call this one as
# answer_common.  What was asked goes to $T/asked; $_dn numbers answers.
answer_common() {
	if grep -q 'Name of the ' "$T/screen"; then
		echo name >>"$T/asked"; type_in "Tester $_dn"
	elif grep -q 'Reason for going on' "$T/screen"; then
		echo reason >>"$T/asked"; type_in "rehearsal in a test container"
	elif grep -q 'assphrase for the root key' "$T/screen"; then
		echo passphrase >>"$T/asked"; type_secret "$secret"
	elif grep -q 'PIN for token' "$T/screen"; then
		echo pin >>"$T/asked"; type_secret "$tokpin"
	elif grep -q '\[ Yes \]' "$T/screen"; then
		echo confirm >>"$T/asked"; press y
	elif grep -q 'Enter: confirm you have read it\|more below (' "$T/screen"; then
		echo block >>"$T/asked"; press Enter
	else
		return 1
	fi
	return 0
}
answer() { answer_common; }

# drive [UNTIL]: answers whatever the ceremony asks until its outcome is
# on screen (or the shell condition UNTIL holds, with the screen in
# $T/screen).  Answers only a screen that stays the same over two
# captures; gives up after $LONG without a question.  Counts what was
# asked in $T/asked.
drive() {
	: >"$T/asked"
	_dn=0
	_idle=0
	: >"$T/drive.prev"
	_i=0
	while [ "$_dn" -lt 500 ]; do
		pane
		cmp -s "$T/screen" "$T/drive.seen" || cat "$T/screen" >>"$SEEN"
		cp "$T/screen" "$T/drive.seen"
		if [ -n "${1:-}" ] && eval "$1"; then
			return 0
		fi
		if _tui_body | cmp -s - "$T/drive.prev"; then
			if grep -q 'Press Enter to continue' "$T/screen"; then
				return 0
			elif answer; then
				_dn=$((_dn + 1))
				_idle=0
				: >"$T/drive.prev"
				continue
			fi
		fi
		_tui_body >"$T/drive.prev"
		[ "$_idle" -gt 0 ] || _i=0
		_idle=$((_idle + 1))
		[ "$_i" -lt $((LONG * 2)) ] || break
		[ "$_tui_late" -eq 0 ] || [ "$_i" -lt 100 ] || break
		_tui_nap "$_idle"
	done
	_tui_late=1
	diag "the ceremony did not finish; screen:"
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
keep_session() { session "$S-keep" "sleep 3600"; }
keep_session
# start COLS ROWS TERM COMMAND: a session running COMMAND, then its status
# on a line of its own (the command may leave the terminal without
# output processing, where a bare newline does not return the cursor).
start() {
	keep_session
	tmux kill-session -t "=$S" 2>/dev/null
	session "$S" -x "$1" -y "$2" \
	    "TERM=$3; export TERM; $4; printf '\\r\\nEXIT=%s\\r\\n' \$?; sleep 900"
}
# shell COLS ROWS: a session running sh, prompt READY$, for stty checks.
shell() {
	keep_session
	tmux kill-session -t "=$S" 2>/dev/null
	session "$S" -x "$1" -y "$2" "env PS1='READY\$ ' TERM=linux sh"
	waitfor 'READY\$'
}
# stty_saved: in a shell session, saves stty -a to $T/stty and waits
# for it (what the command prints, not the command line echoed).
stty_saved() {
	keys "stty -a >'$T/stty'; printf 'STTY=%s\\n' saved" Enter
	waitfor 'STTY=saved'
}
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

# flatpane: the last pane's text without spaces, borders or line ends;
# beside the ceremony's step list, only what is right of it (a line the
# pane wraps is matched whole).
flatpane() {
	$PY - "$T/screen" <<'E'
import re, sys
out = []
for line in open(sys.argv[1], encoding="utf-8").read().split("\n"):
    m = re.search("[\u2500-\u257f]{2}", line)
    if m and m.start() > 0:
        line = line[m.end():]
    out.append(re.sub("[\u2500-\u257f ]", "", line))
print("".join(out))
E
}

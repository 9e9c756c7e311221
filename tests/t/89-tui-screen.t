#!/bin/sh
# The TUI's screen at 80x24 (TERM=linux) and 120x40: the step list stays
# in view beside a step's card and beside every dialog; a step title too
# long for the list or for its box wraps, never cut; a step's text is
# reflowed (the file's line breaks are not the screen's); nothing is left
# beside a dialog once it closes, nor after a resize; a note's notice
# never covers the title bar.  And Back: in a ceremony's participants step
# (a form), Esc goes back to the name before, with the name typed kept.
. "$(dirname "$0")/../lib.sh"
secret=$(cat "$PASS")
. "$ROOT/tests/tui.sh"

CA="$T/ca"
mkdir "$T/media"
LONGT="Read the paragraph that the script file breaks at its own width and check every word of it aloud"

# layout LW: nothing but the two panes' frames draws lines: every box
# character is in the columns of the step list's and the card's borders
# (0, LW-1, LW, the last), or on their top and bottom rows.  A dialog
# left behind, or a frame of the old size after a resize, fails it.
layout() {
	$PY - "$T/screen" "$1" <<'E'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
while rows and rows[-1] == "":
    rows.pop()
lw, w, h = int(sys.argv[2]), max(len(r) for r in rows), len(rows)
cols = {0, lw - 1, lw, w - 1}
bad = []
for y, r in enumerate(rows[1:-1], 1):
    for x, c in enumerate(r):
        if "\u2500" <= c <= "\u257f" and x not in cols and y not in (1, h - 2):
            bad.append((y, x, c))
if bad:
    print("# stray box characters (row, column): %s" % bad[:8])
    sys.exit(1)
E
}
# stepsjoined LW: the step list's text (columns 1 to LW-2), its rows
# joined with single spaces.
stepsjoined() {
	$PY - "$T/screen" "$1" <<'E'
import sys
rows = open(sys.argv[1], encoding="utf-8").read().split("\n")
lw = int(sys.argv[2])
print(" ".join(" ".join(r[1:lw - 1].split()) for r in rows[2:-2]))
E
}
# same_after_ctrl_l: the screen is what a redraw from scratch (Ctrl-L)
# shows, the status line aside: nothing stale is left on it.
same_after_ctrl_l() {
	settle && _tui_body >"$T/before-l" && keys C-l && sleep 0.3 && settle &&
	    _tui_body | cmp -s - "$T/before-l"
}

cat >"$T/screen.ceremony" <<EOF
offroot-ceremony 1
name: Screen layout rehearsal
version: 1
description: A note, to see how the screen lays a step out.
role: Ceremony Administrator
role: Internal Witness

step 1: Pre-flight checks
role: Ceremony Administrator
action: preflight

step 2: Participants
role: Ceremony Administrator
action: participants

step 3: $LONGT
role: Ceremony Administrator
action: note
	The Ceremony Administrator reads this paragraph aloud.  The
	script file breaks it here, at its own width,
	and the screen joins it again.
	- an item on a line of its own
EOF

new_ca "$CA"; ok $? "a CA for the layout script"

# ---- a step's card, 80x24 then 120x40 ------------------------------------
# card COLS ROWS TERM LW: runs the layout script to its step 3 card and
# checks what it shows.
card() {
	start "$1" "$2" "$3" "'$OFFROOT' ceremony '$T/screen.ceremony' -d '$CA' --media '$T/media'"
	waitfor -a 'Pre-flight checks' 'Enter: confirm you have read it'
	ok $? "$1x$2: the first step's card"
	like '┌ Steps' "$T/screen" "$1x$2: the step list stays in view beside the card"
	like '\[>\] 1 Pre-flight checks' "$T/screen" "... with the current step marked"
	drive 'grep -q "Name of the Internal Witness" "$T/screen"'
	ok $? "$1x$2: driven to the second participant's name"
	settle
	like 'Esc: back to the previous question' "$T/screen" "... which offers Back"
	like '┌ Steps' "$T/screen" "$1x$2: the step list stays in view beside a dialog"
	press Escape
	waitfor 'Name of the Ceremony Administrator'
	ok $? "$1x$2: Esc goes back to the first participant's name"
	boxflat | grep -q 'Tester[0-9]'; ok $? "... with the name typed kept"
	settle && press Enter
	drive 'grep -q "an item on a line" "$T/screen"'
	ok $? "$1x$2: driven through the dialogs to step 3's card"
	grep -q 'Internal Witness  *Tester' "$T/all-screens"
	ok $? "... both participants named"
	settle
	layout "$4"; ok $? "$1x$2: after the dialogs closed, nothing of them is left"
	same_after_ctrl_l; ok $? "... the screen is what a redraw from scratch shows"
	stepsjoined "$4" | grep -qF "$LONGT"
	ok $? "$1x$2: a step title too long for the list wraps in it, whole"
	boxflat | grep -qF "Step3:$(printf '%s' "$LONGT" | tr -d ' ')"
	ok $? "$1x$2: a title too long for the card's border wraps inside it, whole"
	like 'The script file' "$T/screen" \
	    "$1x$2: the step's text is reflowed, not broken where the file breaks it"
	like 'width, and the screen' "$T/screen" "... at every line the file breaks"
	like '│ +- an item on a line of its own' "$T/screen" "... an item starts a line of its own"
}

card 80 24 linux 26
keys C-n
waitfor 'Exception note'
keys -l "Witness W. checked the seal"
waitfor 'checked the seal'; settle && keys Enter
waitfor 'Note taken'; ok $? "a note is acknowledged"
tail -n 1 "$T/screen" | grep -q 'Note taken'; ok $? "... on the status line"
head -n 1 "$T/screen" | grep -q 'offroot  Ceremony.*F2 note'
ok $? "... and the title bar is not written over"
tmux resize-window -t "=$S:" -x 120 -y 40 2>/dev/null || tmux resize-pane -t "=$S:" -x 120 -y 40
# Until the frame for the new size is drawn, tmux shows the old one cut
# or padded: wait for a frame with nothing of the old, then compare it
# with a redraw from scratch.
waitcond '[ "$(grep -c "" "$T/screen")" -eq 40 ] && lastline "$CLOCK" &&
    layout 40 >/dev/null'
ok $? "resized to 120x40: the step list and the card fill the new size, nothing of the old left"
same_after_ctrl_l; ok $? "... the screen is what a redraw from scratch shows"
like '┌ Steps' "$T/screen" "... the step list in view"
tmux resize-window -t "=$S:" -x 80 -y 24 2>/dev/null || tmux resize-pane -t "=$S:" -x 80 -y 24
waitcond '[ "$(grep -c "" "$T/screen")" -eq 24 ] && lastline "$CLOCK" &&
    layout 26 >/dev/null'
ok $? "resized back to 80x24: nothing of 120x40 left"
same_after_ctrl_l; ok $? "... the screen is what a redraw from scratch shows"
stepsjoined 26 | grep -qF "$LONGT"; ok $? "... the long title still whole in the list"
drive; ok $? "the layout script driven to its end"
like 'Done' "$T/screen" "... successfully"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
tmux kill-session -t "=$S" 2>/dev/null

card 120 40 xterm-256color 40
drive; ok $? "120x40: the layout script driven to its end"
keys Enter
waitfor 'EXIT=0'
tmux kill-session -t "=$S" 2>/dev/null

done_testing

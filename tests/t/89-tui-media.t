#!/bin/sh
# The ceremony's medium in the TUI, at 80x24 with TERM=linux (issue 13,
# items 5, 8 and 10): started without --media, the pre-flight opens the
# media picker (the removable media mounted, "look again", "type a
# folder", "abandon"); a typed folder without the script's CSR brings the
# Retry / another medium / go on / abandon dialog instead of ending the
# ceremony, and Retry after the CSR was copied goes on to a signed
# intermediate; a missing --media, another medium chosen that is missing
# too, then abandoned from that dialog records each answer and
# "abandoned", with no key unlocked; as root, a tmpfs mount point in a
# mount namespace of the test's own is offered for unmounting at the end,
# and the TUI says it is safe to remove.
secret='correct horse battery staple'
. "$(dirname "$0")/../lib.sh"
. "$ROOT/tests/tui.sh"

cd "$ROOT" || exit 1
INT="ceremony-scripts/intermediate.ceremony"
CA="$T/ca"
new_ca "$CA"; ok $? "a CA for the ceremonies"
mkcsr tui-media-int
last_tr() { ls -t "$CA"/transcripts/*-ceremony-*.log | head -1; }
# type_folder DIR: in the media picker on screen, "Type the path of a
# folder" (the second option from the end), then DIR.
type_folder() {
	settle
	_tfn=$(grep -Ec '^[^a-z]*[>]? *[0-9]+\) ' "$T/screen")
	_tfi=1; while [ "$_tfi" -lt $((_tfn - 1)) ]; do keys Down; _tfi=$((_tfi + 1)); done
	keys Enter
	waitfor "The medium's folder" && type_in "$1"
}

# ---- a missing --media, abandoned from the dialog ----------------------
start 80 24 linux "'$OFFROOT' ceremony $INT -d '$CA' --media '$T/absent' --kdf interactive"
DIALOG='grep -q "Abandon the ceremony (it can be resumed)" "$T/screen"'
drive "$DIALOG"; ok $? "a missing medium brings a dialog, not the end"
settle; boxflat >"$T/flat"
like 'media:.*absentismissing.*Whatnow\?' "$T/flat" "... naming the missing medium"
like '1\)Retry.*2\)Chooseanothermedium.*3\)Goonwithoutit.*4\)Abandontheceremony' "$T/flat" \
    "... offering Retry, another medium, going on and abandoning"
# "Choose another medium": the picker, a folder typed (missing too), the
# dialog again, then abandon.
keys Down Enter
waitfor 'The medium for this ceremony'; ok $? "choosing another medium opens the picker"
type_folder "$T/also-absent"
drive "$DIALOG"; ok $? "... and a folder that is missing too brings the dialog again"
settle; boxflat >"$T/flat"
like 'also-absentismissing' "$T/flat" "... naming the folder typed"
keys Down Down Down Enter
waitcond 'boxflat | grep -q theofficerabandonedtheceremony'; ok $? "abandoned: the TUI says so"
keys Enter
waitfor 'EXIT=1'; ok $? "abandoned, offroot ceremony exits 1"
TR=$(last_tr)
grep -Eq '^[0-9]+ [^ ]+ media-missing .*answer=another%20medium' "$TR" &&
    grep -Eq '^[0-9]+ [^ ]+ media-missing .*answer=abandon' "$TR" &&
    grep -Eq '^[0-9]+ [^ ]+ abandoned ' "$TR" &&
    ! grep -Eq '^[0-9]+ [^ ]+ key-unlocked ' "$TR"
ok $? "the transcript records the answer and the abandon, and no key-unlocked"

# ---- no --media: the picker, a folder without the CSR, Retry ------------
M="$T/medium"; mkdir -p "$M"
start 80 24 linux "'$OFFROOT' ceremony $INT -d '$CA' --kdf interactive"
drive 'grep -q "The medium for this ceremony" "$T/screen"'
ok $? "without --media the pre-flight opens the media picker"
settle; boxflat >"$T/flat"
like 'Lookagain\(afterinsertingamedium\).*Typethepathofafolder.*Abandontheceremony' "$T/flat" \
    "... with look again, type a folder and abandon"
cp "$T/screen" "$T/picker-screen"
if grep -q 'removable /dev' "$T/picker-screen"; then
	diag "this machine has removable media mounted; the picker lists them first"
fi
type_folder "$M"; ok $? "... then asks for the folder"
drive "$DIALOG"; ok $? "a folder without the CSR brings the dialog"
settle; boxflat >"$T/flat"
like '\*\.csr\(step4\)' "$T/flat" "... naming the CSRs the script reads (its pattern)"
tail -n 1 "$T/screen" | grep -q "/medium | transcript"; ok $? "the status line shows the medium picked"
cp "$T/tui-media-int.csr" "$M/intermediate.csr"
keys Enter
# flat: the screen's text without spaces, borders or line ends; beside
# the ceremony's step list, only what is right of it.
flat() { settle && flatpane; }
LEAVING='grep -q "Leaving the medium" "$T/screen"'
drive "$LEAVING"; ok $? "Retry after copying the CSR: the ceremony goes on to leaving the medium"
flat >"$T/flat"
like 'flushed\(syncfs\)andthetranscript.scopyonitreadsbackthesame' "$T/flat" \
    "leaving the medium: flushed, the transcript's copy read back"
like 'notaremovablemedium:nothingtounmount' "$T/flat" "... a folder on a fixed disk: nothing to unmount"
drive; ok $? "the ceremony goes on to its end"
like 'Done' "$T/screen" "the ceremony finished"
keys Enter
waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
TR=$(last_tr)
t_ok "the intermediate passes openssl verify -x509_strict" \
    openssl verify -x509_strict -CAfile "$CA/root.crt" "$M/intermediate-bundle/certificate.pem"
grep -Eq "^[0-9]+ [^ ]+ media-missing .*answer=retry" "$TR" &&
    grep -Eq "^[0-9]+ [^ ]+ medium .* path=$M .*when=pre-flight" "$TR"
ok $? "the transcript records the retry and the medium picked"

# ---- a mount point, unmounted as root -----------------------------------
if [ "$(id -u)" = 0 ] && unshare -m true 2>/dev/null; then
	U="$T/usb"; mkdir -p "$U"; mkcsr tui-media-usb
	start 80 24 linux "unshare -m sh -c 'mount -t tmpfs tmpfs \"$U\" && cp \"$T/tui-media-usb.csr\" \"$U/intermediate.csr\" && exec \"$OFFROOT\" ceremony $INT -d \"$CA\" --media \"$U\" --kdf interactive'"
	drive 'grep -q "Unmount the medium" "$T/screen"'
	ok $? "as root the TUI offers to unmount the medium after the last write"
	settle; boxflat >"$T/flat"
	like "Unmountthemedium.*usb\(labelnone\)now\?" "$T/flat" "... naming it and its label"
	keys y
	drive "$LEAVING"; ok $? "then the medium is left"
	flat >"$T/flat"
	like 'usbisunmounted:themediumissafetoremove' "$T/flat" \
	    "unmounted: the TUI says the medium is safe to remove"
	drive; ok $? "the ceremony ends"
	keys Enter
	waitfor 'EXIT=0'; ok $? "offroot ceremony exits 0"
else
	for _k in 1 2 3 4 5; do ok 0 "# SKIP the unmount needs root and unshare -m"; done
fi
tmux kill-session -t "=$S" 2>/dev/null
done_testing

#!/bin/sh
# A fixed slice of the crash sweep (tests/crash/sweep --slice, which says
# which points and why): commands killed with SIGKILL at chosen fsync,
# fdatasync, syncfs, rename and write calls, then run again, must leave a
# CA that audit accepts, no serial or CRL number used twice and no
# root-signed file the journal does not record.  `make crash-sweep` runs
# every point.
. "$(dirname "$0")/../lib.sh"

if ! command -v strace >/dev/null 2>&1 || ! strace -f -qq -o /dev/null true 2>/dev/null; then
	echo "1..0 # SKIP strace cannot trace here"
	exit 0
fi
"$PY" "$ROOT/tests/crash/sweep" --slice

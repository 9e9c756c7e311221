"""blockcheck.py SCREENS HEX: does one of the captured screens in SCREENS
(separated by form feeds) show the SHA-256 fingerprint HEX drawn large
(each hex digit apart, in order, box-drawing characters and the step list
beside it aside) and its 32
PGP words in order?  The word lists are read from src/pgpwords.c.
Exit 0 if so; prints what it looked for otherwise."""
import os, re, sys

here = os.path.dirname(os.path.abspath(__file__))
src = open(os.path.join(here, "..", "..", "src", "pgpwords.c"), encoding="utf-8").read()
lists = []
for name in ("pgpwords_even", "pgpwords_odd"):
    body = re.search(name + r"\[256\] = \{(.*?)\};", src, re.S).group(1)
    words = re.findall(r'"([^"]+)"', body)
    assert len(words) == 256, (name, len(words))
    lists.append(words)
path, hexfp = sys.argv[1], sys.argv[2].upper()
fp = bytes.fromhex(hexfp)
want_words = [lists[i % 2][b] for i, b in enumerate(fp)]
want_hex = list(hexfp)
box = re.compile("[\u2500-\u257f]")

def contains(tokens, seq):
    n = len(seq)
    return any(tokens[i:i + n] == seq for i in range(len(tokens) - n + 1))

screens = open(path, encoding="utf-8", errors="replace").read().split("\f")
got_hex = got_words = False
for s in screens:
    tokens = []
    for line in s.split("\n"):
        # Beside the ceremony's step list, only what is right of its
        # border and the card's ("││"): the list's text is not the block's.
        m = re.search("[\u2500-\u257f]{2}", line)
        if m and m.start() > 0:
            line = line[m.end():]
        tokens += box.sub(" ", line).split()
    got_hex = got_hex or contains(tokens, want_hex)
    got_words = got_words or contains(tokens, want_words)
if not (got_hex and got_words):
    print("# hex drawn large: %s; PGP words: %s (%s)" % (
        got_hex, got_words, " ".join(want_words)))
    sys.exit(1)

#!/usr/bin/env python3
# names-nfc.py: writes src/names-nfc.c (the NFC tables of names.c) on
# stdout from Python's unicodedata:  python3 tests/names-nfc.py >src/names-nfc.c
import unicodedata as u

HEAD = '/*\n * names-nfc.c — what names.c needs to see that a name is not in Unicode\n * Normalization Form C (UAX #15), without a full normalizer:\n *  - the pairs "letter, combining mark" that NFC composes into one\n *    precomposed letter, for the letters of Latin-1 Supplement, Latin\n *    Extended-A and -B, Latin Extended Additional, Greek and Coptic, and\n *    Cyrillic (U+00C0-U+024F, U+1E00-U+1EFF, U+0370-U+04FF): "e" followed\n *    by U+0301 COMBINING ACUTE ACCENT is not NFC, U+00E9 is.  A letter\n *    that is itself composed counts (U+00EA then U+0301 is U+1EBF);\n *  - the characters below U+3000 that NFC replaces by another one\n *    (singletons: U+212B ANGSTROM SIGN is U+00C5, U+2126 OHM SIGN U+03A9,\n *    U+212A KELVIN SIGN "K").\n * What it does not see: marks that NFC reorders before composing, Greek\n * Extended, Hangul, and scripts beyond these; names.h says so.\n *\n * Generated from Unicode\'s data by tests/names-nfc.py (Python\'s\n * unicodedata: the canonical decompositions into two characters that NFC\n * composes again, so the composition exclusions are left out); run it to\n * regenerate the tables, never edit them by hand.\n */\n#include <stddef.h>\n\n#include "names.h"\n#include "util.h"\n\n'
TAIL = 'unsigned long\nnames_nfc_compose(unsigned long base, unsigned long mark)\n{\n\tsize_t lo = 0, hi = nitems(nfc_pairs), mid;\n\n\tif (mark < 0x300 || mark > 0x36f)\n\t\treturn 0;\n\twhile (lo < hi) {\n\t\tmid = lo + (hi - lo) / 2;\n\t\tif (nfc_pairs[mid].base < base || (nfc_pairs[mid].base == base &&\n\t\t    nfc_pairs[mid].mark < mark))\n\t\t\tlo = mid + 1;\n\t\telse\n\t\t\thi = mid;\n\t}\n\tif (lo < nitems(nfc_pairs) && nfc_pairs[lo].base == base &&\n\t    nfc_pairs[lo].mark == mark)\n\t\treturn nfc_pairs[lo].composed;\n\treturn 0;\n}\n\nunsigned long\nnames_nfc_singleton(unsigned long cp)\n{\n\tsize_t i;\n\n\tfor (i = 0; i < nitems(nfc_singletons); i++)\n\t\tif (nfc_singletons[i].cp == cp)\n\t\t\treturn nfc_singletons[i].nfc;\n\treturn 0;\n}\n\nconst char *\nnames_nfc_mark_name(unsigned long cp)\n{\n\tsize_t i;\n\n\tfor (i = 0; i < nitems(nfc_marks); i++)\n\t\tif (nfc_marks[i].cp == cp)\n\t\t\treturn nfc_marks[i].name;\n\treturn NULL;\n}\n'

def rows(items, fmt):
    out, line = [], "\t"
    for it in items:
        item = fmt % it + " "
        if len(line.expandtabs(8)) + len(item.rstrip()) > 78:
            out.append(line.rstrip())
            line = "\t"
        line += item
    out.append(line.rstrip())
    return out

pairs = []
for cp in (list(range(0xC0, 0x250)) + list(range(0x1E00, 0x1F00)) +
           list(range(0x370, 0x500))):
    d = u.decomposition(chr(cp))
    if not d or d.startswith("<"):
        continue
    parts = [int(x, 16) for x in d.split()]
    if len(parts) == 2 and u.normalize("NFC", chr(parts[0]) + chr(parts[1])) == chr(cp):
        pairs.append((parts[0], parts[1], cp))
pairs.sort()
marks = sorted(set(p[1] for p in pairs))
single = [(c, ord(u.normalize("NFC", chr(c)))) for c in range(0x80, 0x3000)
          if u.normalize("NFC", chr(c)) != chr(c) and len(u.normalize("NFC", chr(c))) == 1]
o = [HEAD + "/* Sorted by base, then mark. */",
     "static const struct {", "\tunsigned short base, mark, composed;", "} nfc_pairs[] = {"]
o += rows(pairs, "{ 0x%04x, 0x%04x, 0x%04x },")
o += ["};", "", "/* The characters NFC replaces by one other character. */",
      "static const struct {", "\tunsigned short cp, nfc;", "} nfc_singletons[] = {"]
o += rows(single, "{ 0x%04x, 0x%04x },")
o += ["};", "", "/* The combining marks of nfc_pairs, by name. */",
      "static const struct {", "\tunsigned short cp;", "\tconst char *name;", "} nfc_marks[] = {"]
o += ['\t{ 0x%04x, "%s" },' % (m, u.name(chr(m))) for m in marks]
o += ["};", ""]
print("\n".join(o) + "\n" + TAIL, end="")

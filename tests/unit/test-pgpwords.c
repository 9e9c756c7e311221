/* test-pgpwords.c — the PGP word list reads fingerprints as published. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "pgpwords.h"
#include "tap.h"

static size_t
unhex(const char *hex, unsigned char *out, size_t size)
{
	size_t n = 0;
	unsigned int b;

	while (hex[0] != '\0' && n < size) {
		if (hex[0] == ' ') {
			hex++;
			continue;
		}
		if (sscanf(hex, "%2x", &b) != 1)
			break;
		out[n++] = (unsigned char)b;
		hex += 2;
	}
	return n;
}

static void
test_vector(const char *name, const char *hex, const char *want)
{
	unsigned char buf[64];
	char out[1024];
	size_t n, len;

	n = unhex(hex, buf, sizeof buf);
	len = pgpwords_render(buf, n, out, sizeof out);
	is_str(out, want, name);
	is_int(len, strlen(want), "its length is returned");
}

int
main(void)
{
	static const struct {
		unsigned char	 byte;
		size_t		 pos;
		const char	*word;
	} spot[] = {
		{ 0x00, 0, "aardvark" },
		{ 0x00, 1, "adroitness" },
		{ 0x01, 0, "absurd" },
		{ 0x01, 1, "adviser" },
		{ 0x17, 0, "banjo" },		/* not "basalt" */
		{ 0x17, 1, "bookseller" },
		{ 0x80, 0, "merit" },
		{ 0x80, 1, "intention" },
		{ 0xA4, 1, "Pandora" },
		{ 0xFB, 1, "Wichita" },
		{ 0xFF, 0, "Zulu" },
		{ 0xFF, 1, "Yucatan" },
	};
	const char *all[512], *w;
	const char *vec = "stairway souvenir flytrap recipe adrift upcoming "
	    "artist positive spearhead Pandora spaniel stupendous tonic "
	    "concurrent transit Wichita lockup visitor flagpole escapade";
	unsigned char two[2] = { 0x00, 0xFF };
	char out[64];
	size_t i, j, need;
	int dup = 0, empty = 0, parity = 0;

	/* The vector from the field notes. */
	test_vector("published vector D1D4...6256",
	    "D1D4 64C0 04F0 0FB5 C9A4 C8D8 E433 E7FB 7FF5 6256", vec);
	/* IANA's KSK ceremony tools (kskm test_wordlist.py): SHA-256 of
	 * "The quick brown fox jumps over the lazy dog" and of
	 * "mekmitasdigoat". */
	test_vector("IANA kskm vector: SHA-256 of the quick brown fox",
	    "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592",
	    "stopwatch paramount watchword pocketful ahead stethoscope "
	    "merit molecule gazelle revenue pupil pyramid ruffled antenna "
	    "buzzard document optic escapade drunken tradition goggles "
	    "crossover suspense impetus button aftermath stagnate rebellion "
	    "clamshell retrospect topmost misnomer");
	test_vector("IANA kskm vector: SHA-256 of mekmitasdigoat",
	    "8d9eadc1f305d46f1f203886aa5df98f1ed62fcbacc23d2f6732d24d928703e8",
	    "optic onlooker ringbolt recover upset almighty steamship "
	    "hemisphere billiard butterfat classic letterhead reward "
	    "filament waffle midsummer berserk speculate cement revival "
	    "ribcage repellent commence combustion freedom component "
	    "standard disruptive physique liberty acme typewriter");

	for (i = 0; i < sizeof spot / sizeof spot[0]; i++) {
		char name[64];

		snprintf(name, sizeof name, "byte 0x%02X at an %s position is "
		    "%s", spot[i].byte, spot[i].pos % 2 ? "odd" : "even",
		    spot[i].word);
		is_str(pgpword(spot[i].byte, spot[i].pos), spot[i].word, name);
	}

	/* 512 words, none empty, none twice (even ignoring case), and the
	 * list depends only on the parity of the position. */
	for (i = 0; i < 256; i++) {
		all[i] = pgpword((unsigned char)i, 0);
		all[256 + i] = pgpword((unsigned char)i, 1);
		if (pgpword((unsigned char)i, 6) != all[i] ||
		    pgpword((unsigned char)i, 7) != all[256 + i])
			parity++;
	}
	for (i = 0; i < 512; i++) {
		if (all[i] == NULL || all[i][0] == '\0') {
			empty++;
			continue;
		}
		for (j = i + 1; j < 512; j++)
			if (all[j] != NULL && strcasecmp(all[i], all[j]) == 0) {
				diag("duplicate word %s", all[i]);
				dup++;
			}
	}
	is_int(empty, 0, "no word is empty");
	is_int(dup, 0, "all 512 words are distinct");
	is_int(parity, 0, "even positions use one list, odd the other");

	/* Rendering into a buffer that is too small. */
	w = "aardvark Yucatan";
	need = strlen(w) + 1;
	is_int(pgpwords_render(two, 2, out, need), strlen(w),
	    "an exact-size buffer is enough");
	is_str(out, w, "two bytes render as two words");
	is_int(pgpwords_render(two, 2, out, need - 1), 0,
	    "a buffer one byte short returns 0");
	is_str(out, "", "and leaves an empty string");
	is_int(pgpwords_render(two, 2, out, 9), 0,
	    "room for the first word only returns 0");
	is_int(pgpwords_render(two, 1, out, 8), 0,
	    "no room for the NUL returns 0");
	is_int(pgpwords_render(two, 2, out, 0), 0, "size 0 returns 0");
	is_int(pgpwords_render(two, 0, out, sizeof out), 0,
	    "no bytes render as nothing");

	/* Words back into bytes (audit --head): the published vector, in
	 * any case, with any blanks, commas or hyphens between words. */
	{
		unsigned char back[32], want[32];
		size_t nb;

		nb = pgpwords_parse(vec, back, sizeof back);
		is_int(nb, 20, "the published vector parses back to 20 bytes");
		is_int(unhex("D1D464C004F00FB5C9A4C8D8E433E7FB7FF56256", want,
		    sizeof want), 20, "(its bytes)");
		ok(nb == 20 && memcmp(back, want, 20) == 0,
		    "... the bytes it was made from");
		ok(pgpwords_parse("STAIRWAY, souvenir-Flytrap  recipe", back,
		    sizeof back) == 4 && memcmp(back, want, 4) == 0,
		    "case, commas, hyphens and blanks do not matter");
		is_int(pgpwords_parse("souvenir stairway", back, sizeof back),
		    0, "a word of the wrong list for its position is refused");
		is_int(pgpwords_parse("stairway basalt", back, sizeof back), 0,
		    "a word on no list is refused");
		is_int(pgpwords_parse("stairway souvenir flytrap", back, 2), 0,
		    "more words than room is refused");
		is_int(pgpwords_parse("  ", back, sizeof back), 0,
		    "no words is nothing");
		is_int(pgpword_byte("banjo", 5, 0), 0x17,
		    "banjo is 0x17 at an even position");
		is_int(pgpword_byte("basalt", 6, 0), -1, "basalt is no word");
	}
	is_str(out, "", "as an empty string");

	return done_testing();
}

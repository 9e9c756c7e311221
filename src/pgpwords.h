/*
 * pgpwords.h — the PGP word list (Juola and Zimmermann, 1995) for reading
 * fingerprints aloud: a byte at an even position (0, 2, ...) is a word of
 * the two-syllable list, at an odd position one of the three-syllable list.
 */
#ifndef OFFROOT_PGPWORDS_H
#define OFFROOT_PGPWORDS_H

#include <stddef.h>

const char *pgpword(unsigned char byte, size_t position);
/* Renders n bytes as words separated by single spaces into out; returns
 * the length written, or 0 when out is too small. */
size_t pgpwords_render(const unsigned char *buf, size_t n, char *out,
    size_t size);
/* The byte a word stands for at position (case-insensitive; exactly
 * len bytes of word), or -1 when it is not on that position's list. */
int pgpword_byte(const char *word, size_t len, size_t position);
/* Words separated by blanks, commas or hyphens, back into at most max
 * bytes; returns how many, or 0 when a word is unknown at its position
 * (a word of the wrong list is a word misread or left out) or there are
 * more than max. */
size_t pgpwords_parse(const char *text, unsigned char *out, size_t max);

#endif

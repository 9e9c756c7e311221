/* json.c — a small streaming JSON writer (json.h). */
#include <stdio.h>

#include "json.h"

static void
json_escaped(FILE *f, const char *s)
{
	const unsigned char *p;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", f);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_sep(struct json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	fputc('\n', j->f);
	fprintf(j->f, "%*s", 2 * j->depth, "");
	if (key != NULL) {
		json_escaped(j->f, key);
		fputs(": ", j->f);
	}
}

void
json_begin(struct json *j, FILE *f)
{
	j->f = f;
	j->depth = 1;
	j->first[1] = true;
	fputc('{', f);
}

void
json_end(struct json *j)
{
	fputs("\n}\n", j->f);
	fflush(j->f);
}

void
json_str(struct json *j, const char *key, const char *value)
{
	json_sep(j, key);
	if (value == NULL)
		fputs("null", j->f);
	else
		json_escaped(j->f, value);
}

void
json_int(struct json *j, const char *key, long long value)
{
	json_sep(j, key);
	fprintf(j->f, "%lld", value);
}

void
json_bool(struct json *j, const char *key, bool value)
{
	json_sep(j, key);
	fputs(value ? "true" : "false", j->f);
}

void
json_open(struct json *j, const char *key, char kind)
{
	json_sep(j, key);
	fputc(kind, j->f);
	if (j->depth < 15)
		j->depth++;
	j->first[j->depth] = true;
}

void
json_close(struct json *j, char kind)
{
	bool empty = j->first[j->depth];

	if (j->depth > 1)
		j->depth--;
	if (!empty) {
		fputc('\n', j->f);
		fprintf(j->f, "%*s", 2 * j->depth, "");
	}
	fputc(kind == '{' ? '}' : ']', j->f);
}

void
json_elem(struct json *j, const char *value)
{
	json_str(j, NULL, value);
}

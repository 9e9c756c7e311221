/* json.h — a small streaming JSON writer for --json outputs. */
#ifndef OFFROOT_JSON_H
#define OFFROOT_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

struct json {
	FILE *f;
	int depth;
	bool first[16];
};

void json_begin(struct json *j, FILE *f);	/* opens the top object */
void json_end(struct json *j);			/* closes it, newline */
void json_str(struct json *j, const char *key, const char *value);
void json_int(struct json *j, const char *key, long long value);
void json_bool(struct json *j, const char *key, bool value);
void json_open(struct json *j, const char *key, char kind); /* '{' or '[' */
void json_close(struct json *j, char kind);
/* A string element inside an array. */
void json_elem(struct json *j, const char *value);

#endif

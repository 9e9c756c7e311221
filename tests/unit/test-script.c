/*
 * test-script.c — the ceremony-script parser and checker (script.h) and
 * the batch runner's answers parser (interact-batch.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "err.h"
#include "interact-batch.h"
#include "script.h"
#include "tap.h"

static const char good[] =
    "offroot-ceremony 1\n"
    "# a comment\n"
    "name: Test ceremony\n"
    "version: 2\n"
    "description: first line\n"
    "\tsecond line, indented\n"
    "role: Ceremony Administrator\n"
    "role: Internal Witness\n"
    "role: Crypto Officer 1\n"
    "\n"
    "step 1: Pre-flight\n"
    "role: Ceremony Administrator\n"
    "action: preflight\n"
    "param: checks = airgap, clock\n"
    "\n"
    "step 2: People\n"
    "role: Ceremony Administrator\n"
    "action: participants\n"
    "\n"
    "step 5: Root\n"
    "role: Crypto Officer 1\n"
    "action: generate-root\n"
    "param: subject = /C=DE/O=Example/CN=Root\n"
    "param: key = ec-p256\n"
    "check: The fingerprint was read aloud.\n"
    "\tFree text: with a colon.\n"
    "\n"
    "step 6: CRL\n"
    "role: Crypto Officer 1\n"
    "witness: Internal Witness\n"
    "action: sign-crl\n"
    "param: days = 30\n";

/* Parses text made from good with one substitution; returns the code. */
static int
parse_sub(const char *from, const char *to, char *msg, size_t size)
{
	char buf[4096];
	const char *at = strstr(good, from);
	struct script s;
	int rc;

	if (at == NULL)
		return -1;
	snprintf(buf, sizeof buf, "%.*s%s%s", (int)(at - good), good, to,
	    at + strlen(from));
	rc = script_parse(buf, strlen(buf), "t.ceremony", &s);
	snprintf(msg, size, "%s", rc == OR_OK ? "" : err_msg(rc));
	if (rc == OR_OK)
		script_free(&s);
	return rc;
}

static void
refused(const char *from, const char *to, const char *want, const char *name)
{
	char msg[1024];
	int rc = parse_sub(from, to, msg, sizeof msg);

	if (!ok(rc == OR_E_INPUT && strstr(msg, want) != NULL, "refuses %s",
	    name))
		diag("rc %d, message: %s", rc, msg);
}

int
main(void)
{
	struct script s;
	struct batch_answers a;
	int rc;

	rc = script_parse(good, strlen(good), "t.ceremony", &s);
	ok(rc == OR_OK, "a good script parses");
	if (rc != OR_OK)
		diag("%s", err_msg(rc));
	else {
		is_str(s.name, "Test ceremony", "name");
		is_int(s.nroles, 3, "three roles");
		is_int(s.nsteps, 4, "four steps");
		is_int(s.ndescription, 2, "two description lines");
		is_int(s.steps[2].number, 5, "step numbers may skip");
		is_int(s.steps[2].action, SA_GENERATE_ROOT, "action parsed");
		is_str(script_param(&s.steps[2], "key"), "ec-p256", "param");
		is_int(s.steps[2].nchecks, 1, "one check");
		is_str(s.steps[2].text[0], "Free text: with a colon.",
		    "indented text is free text");
		is_str(script_witness(&s, &s.steps[2]), "Internal Witness",
		    "the default witness is the role naming a witness");
		ok(s.creates_root, "creates_root");
		ok(script_preflight_has(&s.steps[0], "clock") &&
		    !script_preflight_has(&s.steps[0], "media"),
		    "preflight checks list");
		script_free(&s);
	}
	refused("offroot-ceremony 1\n", "offroot-ceremony 2\n", "t.ceremony:1:",
	    "another format version");
	refused("action: sign-crl", "action: sign-crls", ":31: unknown action",
	    "an unknown action, with its line");
	refused("param: key = ec-p256\n", "", "needs \"param: key",
	    "a missing parameter");
	refused("param: days = 30", "param: days = 0", "days", "0 days");
	refused("param: days = 30", "param: output = ../root.crl",
	    "relative name", "a path leaving the media");
	refused("param: days = 30", "param: pin = 1234",
	    "secrets never go in a script", "a PIN in a script");
	refused("step 6: CRL", "step 5: CRL", "step 5 duplicates step 5",
	    "duplicate step numbers");
	refused("step 5: Root", "step 7: Root", "step 6 follows step 7",
	    "decreasing step numbers");
	refused("step 2: People\nrole: Ceremony Administrator\n"
	    "action: participants\n", "step 2: People\n"
	    "role: Ceremony Administrator\naction: note\n\tx\n",
	    "no participants step", "a script without participants");
	refused("action: preflight\nparam: checks = airgap, clock\n",
	    "action: sign-crl\n",
	    "comes before the participants", "a key step before participants");
	refused("param: subject = /C=DE/O=Example/CN=Root",
	    "param: subject = not a dn", "subject", "a malformed subject");
	refused("witness: Internal Witness", "witness: Nobody",
	    "witness \"Nobody\" is not declared", "an undeclared witness");
	refused("check: The", "chek: The", "unknown line in step",
	    "a misspelt keyword");
	refused("version: 2\n", "", "no version", "a missing version");
	refused("param: days = 30\n", "param: days = 30",
	    "does not end with a line feed", "a missing final line feed");
	refused("param: days = 30", "param: days = 30\r", "control character",
	    "CR line ends");
	refused("check: The", "check: \xe2\x80\xaeThe",
	    "U+202E RIGHT-TO-LEFT OVERRIDE at column 8", "a right-to-left "
	    "override in a check (Trojan Source)");
	refused("check: The", "check: T\xe2\x80\x8bhe",
	    "U+200B ZERO WIDTH SPACE at column 9", "a zero-width space");
	refused("check: The", "check: T\xc2\x9bhe", "U+009B", "a C1 CSI");
	refused("check: The", "check: T\xc0\xafhe", "invalid UTF-8 (byte 0xc0",
	    "invalid UTF-8");
	refused("action: sign-crl\nparam: days = 30", "action: reshare\n"
	    "param: quorum = 3/2", "quorum: expected M/N", "a quorum M > N");
	refused("action: sign-crl\nparam: days = 30", "action: reshare\n"
	    "param: quorum = 2/17", "quorum: expected M/N",
	    "a quorum of 17 officers");
	refused("param: key = ec-p256\n", "param: key = ec-p256\n"
	    "param: quorum = 2/3\nparam: store = pkcs11\n",
	    "officer shares are for a sealed key file",
	    "a quorum for a root generated on a token");
	refused("param: key = ec-p256\n", "param: key = ec-p256\n"
	    "param: quorum = 0/3\n", "quorum: expected M/N",
	    "a root quorum of 0 officers");
	refused("action: sign-crl\nparam: days = 30", "action: reshare",
	    "needs \"param: quorum", "a reshare without its quorum");
	refused("param: key = ec-p256\ncheck: The fingerprint was read aloud.\n"
	    "\tFree text: with a colon.\n\nstep 6: CRL\nrole: Crypto Officer 1\n"
	    "witness: Internal Witness\naction: sign-crl\nparam: days = 30",
	    "param: key = ec-p256\nparam: store = pkcs11\n\nstep 6: Re-share\n"
	    "role: Crypto Officer 1\naction: reshare\nparam: quorum = 2/3",
	    "officer shares are for a sealed key",
	    "re-sharing a root generated on a token");
	{
		char msg[1024];

		rc = parse_sub("action: sign-crl\nparam: days = 30",
		    "action: reshare\nparam: quorum = 3/5\nparam: kdf = "
		    "interactive", msg, sizeof msg);
		ok(rc == OR_OK, "a reshare step with quorum and kdf parses");
		if (rc != OR_OK)
			diag("%s", msg);
	}

	/* A step order that cannot work: a key step before the root. */
	{
		char msg[1024];
		rc = parse_sub("step 6: CRL", "step 4: CRL", msg, sizeof msg);
		ok(rc == OR_E_INPUT, "step numbers out of order are refused");
	}

	/* The answers file. */
	{
		static const char ans[] =
		    "# answers\n"
		    "participant: Crypto Officer 1 = Carol Example\n"
		    "confirm 4: no\n"
		    "confirm-all: yes\n"
		    "ask: text with: colon\n"
		    "exception 5: a note\n"
		    "override airgap: lab machine\n"
		    "resume: yes\n"
		    "kill-at: 6\n";
		rc = batch_answers_parse(ans, sizeof ans - 1, "a", &a);
		ok(rc == OR_OK, "an answers file parses");
		if (rc == OR_OK) {
			is_int(a.nparticipants, 1, "one participant");
			is_str(a.participants[0].name, "Carol Example",
			    "participant name");
			is_int(a.noverrides, 1, "one override");
			is_str(a.overrides[0].reason, "lab machine", "reason");
			is_int(a.resume, CEREMONY_RESUME_YES, "resume");
			is_int(a.kill_at, 6, "kill-at");
			batch_answers_free(&a);
		}
		rc = batch_answers_parse("confirm x: yes\n", 15, "a", &a);
		ok(rc == OR_E_INPUT && strstr(err_msg(rc), "a:1:") != NULL,
		    "a bad step number is refused with its line");
		rc = batch_answers_parse("override wifi: x\n", 17, "a", &a);
		ok(rc == OR_E_INPUT, "an unknown override is refused");
		rc = batch_answers_parse("pin: 1234\n", 10, "a", &a);
		ok(rc == OR_E_INPUT, "a PIN in the answers file is refused");
		rc = batch_answers_parse("confirm: maybe\n", 15, "a", &a);
		ok(rc == OR_E_INPUT, "confirm takes yes or no");
		{
			static const char sh[] =
			    "share 4: /media/o2/x-share-2-of-3.share\n"
			    "ask 4: text\n"
			    "share: /media/o3\n";

			rc = batch_answers_parse(sh, sizeof sh - 1, "a", &a);
			ok(rc == OR_OK, "share lines parse");
			if (rc == OR_OK) {
				is_int(a.nshares, 2, "two share lines");
				is_int(a.e[0].nth, 0, "the first share line");
				is_int(a.e[2].nth, 1, "the second share line");
				is_str(a.e[0].arg, "4", "... at step 4");
				ok(a.e[2].arg == NULL, "... and without a step");
				batch_answers_free(&a);
			}
		}
		rc = batch_answers_parse("share 3:\n", 9, "a", &a);
		ok(rc == OR_E_INPUT, "an empty share line is refused");
		rc = batch_answers_parse("share x: /m\n", 12, "a", &a);
		ok(rc == OR_E_INPUT, "a share line's step must be a number");
		rc = batch_answers_parse("share: passphrase=x\n", 20, "a", &a);
		ok(rc == OR_E_INPUT, "a passphrase in a share line is refused");
	}
	return done_testing();
}

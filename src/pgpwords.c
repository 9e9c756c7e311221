/*
 * pgpwords.c — the PGP word list (Juola and Zimmermann, 1995).
 *
 * The lists are those of the PGPfone manual and PGPFreeware 6.5.1
 * (Appendix D), checked word for word against two independent copies:
 * IANA's DNSSEC KSK ceremony tools (kskm/common/wordlist.py) and Perl's
 * Crypt::OpenPGP::Words.  Byte 0x17 of the two-syllable list is "banjo";
 * a widely copied JavaScript list wrongly has "basalt".  The capitals of
 * the published list (Pandora, Wichita, ...) are kept.
 */
#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "pgpwords.h"

/* Two-syllable words, for bytes at even positions (0, 2, 4, ...). */
static const char *const pgpwords_even[256] = {
	/* 00 */ "aardvark", "absurd", "accrue", "acme",
	/* 04 */ "adrift", "adult", "afflict", "ahead",
	/* 08 */ "aimless", "Algol", "allow", "alone",
	/* 0C */ "ammo", "ancient", "apple", "artist",
	/* 10 */ "assume", "Athens", "atlas", "Aztec",
	/* 14 */ "baboon", "backfield", "backward", "banjo",
	/* 18 */ "beaming", "bedlamp", "beehive", "beeswax",
	/* 1C */ "befriend", "Belfast", "berserk", "billiard",
	/* 20 */ "bison", "blackjack", "blockade", "blowtorch",
	/* 24 */ "bluebird", "bombast", "bookshelf", "brackish",
	/* 28 */ "breadline", "breakup", "brickyard", "briefcase",
	/* 2C */ "Burbank", "button", "buzzard", "cement",
	/* 30 */ "chairlift", "chatter", "checkup", "chisel",
	/* 34 */ "choking", "chopper", "Christmas", "clamshell",
	/* 38 */ "classic", "classroom", "cleanup", "clockwork",
	/* 3C */ "cobra", "commence", "concert", "cowbell",
	/* 40 */ "crackdown", "cranky", "crowfoot", "crucial",
	/* 44 */ "crumpled", "crusade", "cubic", "dashboard",
	/* 48 */ "deadbolt", "deckhand", "dogsled", "dragnet",
	/* 4C */ "drainage", "dreadful", "drifter", "dropper",
	/* 50 */ "drumbeat", "drunken", "Dupont", "dwelling",
	/* 54 */ "eating", "edict", "egghead", "eightball",
	/* 58 */ "endorse", "endow", "enlist", "erase",
	/* 5C */ "escape", "exceed", "eyeglass", "eyetooth",
	/* 60 */ "facial", "fallout", "flagpole", "flatfoot",
	/* 64 */ "flytrap", "fracture", "framework", "freedom",
	/* 68 */ "frighten", "gazelle", "Geiger", "glitter",
	/* 6C */ "glucose", "goggles", "goldfish", "gremlin",
	/* 70 */ "guidance", "hamlet", "highchair", "hockey",
	/* 74 */ "indoors", "indulge", "inverse", "involve",
	/* 78 */ "island", "jawbone", "keyboard", "kickoff",
	/* 7C */ "kiwi", "klaxon", "locale", "lockup",
	/* 80 */ "merit", "minnow", "miser", "Mohawk",
	/* 84 */ "mural", "music", "necklace", "Neptune",
	/* 88 */ "newborn", "nightbird", "Oakland", "obtuse",
	/* 8C */ "offload", "optic", "orca", "payday",
	/* 90 */ "peachy", "pheasant", "physique", "playhouse",
	/* 94 */ "Pluto", "preclude", "prefer", "preshrunk",
	/* 98 */ "printer", "prowler", "pupil", "puppy",
	/* 9C */ "python", "quadrant", "quiver", "quota",
	/* A0 */ "ragtime", "ratchet", "rebirth", "reform",
	/* A4 */ "regain", "reindeer", "rematch", "repay",
	/* A8 */ "retouch", "revenge", "reward", "rhythm",
	/* AC */ "ribcage", "ringbolt", "robust", "rocker",
	/* B0 */ "ruffled", "sailboat", "sawdust", "scallion",
	/* B4 */ "scenic", "scorecard", "Scotland", "seabird",
	/* B8 */ "select", "sentence", "shadow", "shamrock",
	/* BC */ "showgirl", "skullcap", "skydive", "slingshot",
	/* C0 */ "slowdown", "snapline", "snapshot", "snowcap",
	/* C4 */ "snowslide", "solo", "southward", "soybean",
	/* C8 */ "spaniel", "spearhead", "spellbind", "spheroid",
	/* CC */ "spigot", "spindle", "spyglass", "stagehand",
	/* D0 */ "stagnate", "stairway", "standard", "stapler",
	/* D4 */ "steamship", "sterling", "stockman", "stopwatch",
	/* D8 */ "stormy", "sugar", "surmount", "suspense",
	/* DC */ "sweatband", "swelter", "tactics", "talon",
	/* E0 */ "tapeworm", "tempest", "tiger", "tissue",
	/* E4 */ "tonic", "topmost", "tracker", "transit",
	/* E8 */ "trauma", "treadmill", "Trojan", "trouble",
	/* EC */ "tumor", "tunnel", "tycoon", "uncut",
	/* F0 */ "unearth", "unwind", "uproot", "upset",
	/* F4 */ "upshot", "vapor", "village", "virus",
	/* F8 */ "Vulcan", "waffle", "wallet", "watchword",
	/* FC */ "wayside", "willow", "woodlark", "Zulu",
};

/* Three-syllable words, for bytes at odd positions (1, 3, 5, ...). */
static const char *const pgpwords_odd[256] = {
	/* 00 */ "adroitness", "adviser", "aftermath", "aggregate",
	/* 04 */ "alkali", "almighty", "amulet", "amusement",
	/* 08 */ "antenna", "applicant", "Apollo", "armistice",
	/* 0C */ "article", "asteroid", "Atlantic", "atmosphere",
	/* 10 */ "autopsy", "Babylon", "backwater", "barbecue",
	/* 14 */ "belowground", "bifocals", "bodyguard", "bookseller",
	/* 18 */ "borderline", "bottomless", "Bradbury", "bravado",
	/* 1C */ "Brazilian", "breakaway", "Burlington", "businessman",
	/* 20 */ "butterfat", "Camelot", "candidate", "cannonball",
	/* 24 */ "Capricorn", "caravan", "caretaker", "celebrate",
	/* 28 */ "cellulose", "certify", "chambermaid", "Cherokee",
	/* 2C */ "Chicago", "clergyman", "coherence", "combustion",
	/* 30 */ "commando", "company", "component", "concurrent",
	/* 34 */ "confidence", "conformist", "congregate", "consensus",
	/* 38 */ "consulting", "corporate", "corrosion", "councilman",
	/* 3C */ "crossover", "crucifix", "cumbersome", "customer",
	/* 40 */ "Dakota", "decadence", "December", "decimal",
	/* 44 */ "designing", "detector", "detergent", "determine",
	/* 48 */ "dictator", "dinosaur", "direction", "disable",
	/* 4C */ "disbelief", "disruptive", "distortion", "document",
	/* 50 */ "embezzle", "enchanting", "enrollment", "enterprise",
	/* 54 */ "equation", "equipment", "escapade", "Eskimo",
	/* 58 */ "everyday", "examine", "existence", "exodus",
	/* 5C */ "fascinate", "filament", "finicky", "forever",
	/* 60 */ "fortitude", "frequency", "gadgetry", "Galveston",
	/* 64 */ "getaway", "glossary", "gossamer", "graduate",
	/* 68 */ "gravity", "guitarist", "hamburger", "Hamilton",
	/* 6C */ "handiwork", "hazardous", "headwaters", "hemisphere",
	/* 70 */ "hesitate", "hideaway", "holiness", "hurricane",
	/* 74 */ "hydraulic", "impartial", "impetus", "inception",
	/* 78 */ "indigo", "inertia", "infancy", "inferno",
	/* 7C */ "informant", "insincere", "insurgent", "integrate",
	/* 80 */ "intention", "inventive", "Istanbul", "Jamaica",
	/* 84 */ "Jupiter", "leprosy", "letterhead", "liberty",
	/* 88 */ "maritime", "matchmaker", "maverick", "Medusa",
	/* 8C */ "megaton", "microscope", "microwave", "midsummer",
	/* 90 */ "millionaire", "miracle", "misnomer", "molasses",
	/* 94 */ "molecule", "Montana", "monument", "mosquito",
	/* 98 */ "narrative", "nebula", "newsletter", "Norwegian",
	/* 9C */ "October", "Ohio", "onlooker", "opulent",
	/* A0 */ "Orlando", "outfielder", "Pacific", "pandemic",
	/* A4 */ "Pandora", "paperweight", "paragon", "paragraph",
	/* A8 */ "paramount", "passenger", "pedigree", "Pegasus",
	/* AC */ "penetrate", "perceptive", "performance", "pharmacy",
	/* B0 */ "phonetic", "photograph", "pioneer", "pocketful",
	/* B4 */ "politeness", "positive", "potato", "processor",
	/* B8 */ "provincial", "proximate", "puberty", "publisher",
	/* BC */ "pyramid", "quantity", "racketeer", "rebellion",
	/* C0 */ "recipe", "recover", "repellent", "replica",
	/* C4 */ "reproduce", "resistor", "responsive", "retraction",
	/* C8 */ "retrieval", "retrospect", "revenue", "revival",
	/* CC */ "revolver", "sandalwood", "sardonic", "Saturday",
	/* D0 */ "savagery", "scavenger", "sensation", "sociable",
	/* D4 */ "souvenir", "specialist", "speculate", "stethoscope",
	/* D8 */ "stupendous", "supportive", "surrender", "suspicious",
	/* DC */ "sympathy", "tambourine", "telephone", "therapist",
	/* E0 */ "tobacco", "tolerance", "tomorrow", "torpedo",
	/* E4 */ "tradition", "travesty", "trombonist", "truncated",
	/* E8 */ "typewriter", "ultimate", "undaunted", "underfoot",
	/* EC */ "unicorn", "unify", "universe", "unravel",
	/* F0 */ "upcoming", "vacancy", "vagabond", "vertigo",
	/* F4 */ "Virginia", "visitor", "vocalist", "voyager",
	/* F8 */ "warranty", "Waterloo", "whimsical", "Wichita",
	/* FC */ "Wilmington", "Wyoming", "yesteryear", "Yucatan",
};

const char *
pgpword(unsigned char byte, size_t position)
{
	return (position % 2 == 0) ? pgpwords_even[byte] : pgpwords_odd[byte];
}

size_t
pgpwords_render(const unsigned char *buf, size_t n, char *out, size_t size)
{
	const char *w;
	size_t i, len, used = 0;

	if (out == NULL || size == 0)
		return 0;
	out[0] = '\0';
	for (i = 0; i < n; i++) {
		w = pgpword(buf[i], i);
		len = strlen(w);
		/* used < size holds: a separator, the word and the NUL. */
		if ((size_t)(i > 0) + len + 1 > size - used) {
			out[0] = '\0';
			return 0;
		}
		if (i > 0)
			out[used++] = ' ';
		memcpy(out + used, w, len);
		used += len;
		out[used] = '\0';
	}
	return used;
}

int
pgpword_byte(const char *word, size_t len, size_t position)
{
	const char *const *list = (position % 2 == 0) ? pgpwords_even :
	    pgpwords_odd;
	size_t b;

	for (b = 0; b < 256; b++)
		if (strlen(list[b]) == len &&
		    strncasecmp(list[b], word, len) == 0)
			return (int)b;
	return -1;
}

size_t
pgpwords_parse(const char *text, unsigned char *out, size_t max)
{
	const char *p = text, *w;
	size_t n = 0;
	int b;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == ',' || *p == '-')
			p++;
		if (*p == '\0')
			return n;
		for (w = p; *p != '\0' && *p != ' ' && *p != '\t' &&
		    *p != ',' && *p != '-'; p++)
			;
		if (n == max || (b = pgpword_byte(w, (size_t)(p - w), n)) < 0)
			return 0;
		out[n++] = (unsigned char)b;
	}
}

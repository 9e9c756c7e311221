/*
 * p11import.h — moving a sealed root key into a PKCS#11 token (offroot
 * migrate).  The private key goes in by C_UnwrapKey when the token lists
 * an AES key-wrap mechanism with padding that may unwrap (RFC 5649:
 * CKM_AES_KEY_WRAP_KWP, or CKM_AES_KEY_WRAP_PAD as SoftHSM2 names it),
 * under a one-time AES key offroot draws in locked memory and gives the
 * token as a session object; otherwise by C_CreateObject with the key's
 * numbers.  Either way the private bytes exist only in sodium_malloc
 * memory or OpenSSL's secure heap, and are wiped.  The private half is
 * on the token, private, sensitive, not extractable, and may sign and do
 * nothing else; the public half goes beside it with the same CKA_ID and
 * label.  What the token made is read back: a key it did not keep
 * sensitive and sign-only is destroyed again.  The token reports such a
 * key honestly as never always-sensitive and once extractable
 * (CKA_ALWAYS_SENSITIVE and CKA_NEVER_EXTRACTABLE false): pkcs11_info's
 * imported says offroot put it there.
 *
 * tpm2-pkcs11 (1.9) takes neither route (its C_CreateObject makes public
 * keys and data objects only, and it lists no key-wrap mechanism): the
 * import is refused there with one line, before anything is made.
 */
#ifndef OFFROOT_P11IMPORT_H
#define OFFROOT_P11IMPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "keystore.h"

struct interact;

/* How the key went in: "unwrap (CKM_AES_KEY_WRAP_PAD)", "create". */
#define P11IMPORT_METHOD_MAX	48

/*
 * Imports the private key of sealed (a store sealed_open made) into the
 * token token_uri names (module: a path, or NULL for p11-kit's), labelled
 * label, with a fresh random CKA_ID; the PIN through io.  *out: the token
 * key opened as a key store (pkcs11_info(*out)->imported), signed with
 * once and verified against sealed's public key.  An object labelled
 * label already on the token is OR_E_EXISTS; a token that takes no
 * imported private key is OR_E_INPUT.  On failure nothing made is left
 * on the token (or a warning names it).
 */
int p11import_key(const char *module, const char *token_uri,
    const char *label, const struct keystore *sealed, const char *pss_digest,
    struct interact *io, struct keystore **out, char *method, size_t size);

#endif

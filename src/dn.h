/*
 * dn.h — distinguished names from the command line.
 *
 * Accepts OpenSSL's slash form (/C=DE/O=Example/CN=Root, "\/" escapes a
 * slash, "+" joins a multi-valued RDN) and RFC 4514 strings
 * (CN=Root,O=Example,C=DE: most specific first, so the RDN order is
 * reversed; escapes \, \+ \" \\ \< \> \; \= \# and \XX hex).  Attribute
 * names are OpenSSL short or long names or dotted OIDs.  Values are UTF-8
 * and encoded as PrintableString where possible, else UTF8String; C is
 * checked to be two letters.
 */
#ifndef OFFROOT_DN_H
#define OFFROOT_DN_H

#include <stddef.h>

#include <openssl/x509.h>

int dn_parse(const char *text, X509_NAME **out);
/* One-line RFC 4514 rendering (most specific first). */
int dn_format(const X509_NAME *name, char *buf, size_t size);

#endif

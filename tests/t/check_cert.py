#!/usr/bin/python3
"""Checks a root certificate with Python cryptography (an implementation
nobody here wrote).  usage: check_cert.py CERT [days] [pathlen|none]"""
import sys
from cryptography import x509
from cryptography.x509.oid import ExtensionOID
from cryptography.hazmat.primitives.asymmetric import ec, rsa, ed25519, padding

cert = x509.load_pem_x509_certificate(open(sys.argv[1], "rb").read())
fails = []

def need(cond, what):
    if not cond:
        fails.append(what)

need(cert.version == x509.Version.v3, "version 3")
need(cert.serial_number > 0, "positive serial")
need(cert.serial_number.bit_length() >= 64 + 64, "serial carries >= 128 bits")
need(cert.serial_number.bit_length() <= 159, "serial below 2^159")
bc = cert.extensions.get_extension_for_oid(ExtensionOID.BASIC_CONSTRAINTS)
need(bc.critical and bc.value.ca, "basicConstraints critical CA:TRUE")
ku = cert.extensions.get_extension_for_oid(ExtensionOID.KEY_USAGE)
need(ku.critical and ku.value.key_cert_sign and ku.value.crl_sign,
     "keyUsage critical keyCertSign cRLSign")
ski = cert.extensions.get_extension_for_oid(ExtensionOID.SUBJECT_KEY_IDENTIFIER)
need(ski.value.digest == x509.SubjectKeyIdentifier.from_public_key(
    cert.public_key()).digest, "SKI is the key's SHA-1 (RFC 5280 method 1)")
try:
    cert.extensions.get_extension_for_oid(ExtensionOID.EXTENDED_KEY_USAGE)
    fails.append("no EKU in a root")
except x509.ExtensionNotFound:
    pass
need(cert.issuer == cert.subject, "self-issued")
# The signature, verified with the certificate's own key.
pub = cert.public_key()
try:
    if isinstance(pub, ec.EllipticCurvePublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   ec.ECDSA(cert.signature_hash_algorithm))
    elif isinstance(pub, rsa.RSAPublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes,
                   padding.PKCS1v15(), cert.signature_hash_algorithm)
    elif isinstance(pub, ed25519.Ed25519PublicKey):
        pub.verify(cert.signature, cert.tbs_certificate_bytes)
    else:
        fails.append("unexpected key type")
except Exception as e:
    fails.append("signature verifies: %r" % e)
if len(sys.argv) > 2 and sys.argv[2] != "-":
    span = (cert.not_valid_after - cert.not_valid_before).total_seconds()
    need(span == int(sys.argv[2]) * 86400 - 1,
         "validity is %s days inclusive (got %s s)" % (sys.argv[2], span))
if len(sys.argv) > 3:
    want = None if sys.argv[3] == "none" else int(sys.argv[3])
    need(bc.value.path_length == want, "pathlen %s (got %s)" % (want, bc.value.path_length))
for f in fails:
    print("FAILED:", f)
sys.exit(1 if fails else 0)

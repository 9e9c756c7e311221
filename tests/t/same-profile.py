#!/usr/bin/python3
"""Compares the profile content of two certificates with Python
cryptography: version, issuer, subject, signature algorithm, the subject
key's type, the validity span and every extension (OID, criticality and
DER value, in order).  The serial, the validity instants, the key itself
and the signature may differ.  usage: same-profile.py CERT1 CERT2"""
import sys
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, rsa


def load(path):
    return x509.load_pem_x509_certificate(open(path, "rb").read())


def key_kind(cert):
    pub = cert.public_key()
    if isinstance(pub, ec.EllipticCurvePublicKey):
        return "ec " + pub.curve.name
    if isinstance(pub, rsa.RSAPublicKey):
        return "rsa %d" % pub.key_size
    return type(pub).__name__


def profile(cert):
    out = [
        ("version", str(cert.version)),
        ("issuer", cert.issuer.rfc4514_string()),
        ("subject", cert.subject.rfc4514_string()),
        ("signature algorithm", cert.signature_algorithm_oid.dotted_string),
        ("key type", key_kind(cert)),
        ("validity span", str(cert.not_valid_after - cert.not_valid_before)),
    ]
    for i, ext in enumerate(cert.extensions):
        out.append(("extension %d" % i, "%s critical=%s %s" % (
            ext.oid.dotted_string, ext.critical,
            ext.value.public_bytes().hex())))
    return out


a, b = load(sys.argv[1]), load(sys.argv[2])
pa, pb = profile(a), profile(b)
bad = 0
for i in range(max(len(pa), len(pb))):
    x = pa[i] if i < len(pa) else ("missing", "")
    y = pb[i] if i < len(pb) else ("missing", "")
    if x != y:
        print("differs: %s: %s != %s" % (x[0], x[1], y[1]))
        bad = 1
    else:
        print("same: %s" % x[0])
if a.serial_number == b.serial_number:
    print("the serials are equal: not two issuances")
    bad = 1
sys.exit(bad)

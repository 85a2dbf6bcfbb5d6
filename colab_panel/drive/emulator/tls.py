"""A self-signed certificate for 127.0.0.1/localhost, so the emulator can speak HTTPS on loopback.

googleapiclient rewrites media upload URLs to the API's https scheme
(`_fix_up_media_path_base_url` keeps the scheme, swaps only the host), so a plain-HTTP
emulator would break uploads; clients trust this cert through its path (httplib2 `ca_certs`).
"""

from __future__ import annotations

import datetime
import ipaddress
from pathlib import Path


def write_self_signed_cert(directory: Path) -> tuple[Path, Path]:
    """Write `cert.pem` (also the CA to trust: it signs itself) and `key.pem` into `directory`."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "colab-panel Drive emulator")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("localhost"),
                    x509.IPAddress(ipaddress.ip_address("127.0.0.1")),
                    x509.IPAddress(ipaddress.ip_address("::1")),
                ]
            ),
            critical=False,
        )
        # CA=True so OpenSSL accepts it as its own trust anchor when given as ca_certs.
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path = directory / "cert.pem"
    key_path = directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    key_path.chmod(0o600)
    return cert_path, key_path

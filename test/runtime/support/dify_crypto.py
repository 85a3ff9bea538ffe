"""Dify's tenant keys and hybrid RSA+AES credential encryption, for the backup drill (Debian's python3-pycryptodome).

Written from upstream's source at Dify 1.16.1 (langgenius/dify, tag 1.16.1 = 6f8ed69e; stored versions read:
api/libs/rsa.py @ 96c066f3, api/libs/gmpy2_pkcs10aep_cipher.py @ 0378f96f):

- generate_key_pair(tenant_id): RSA.generate(2048); the private key's export_key() PEM is saved to file storage at
  "privkeys/<tenant_id>/private.pem"; the public PEM goes to tenants.encrypt_public_key.
- encrypt(text, public_key): a random 16-byte AES key, AES-EAX over the text, the AES key wrapped with RSA-OAEP
  (gmpy2_pkcs10aep_cipher: PKCS#1 OAEP, SHA-1 and MGF1-SHA-1, empty label, i.e. PKCS1_OAEP's defaults);
  b"HYBRID:" + wrapped key + nonce (16) + tag (16) + ciphertext. Provider credentials store it base64-encoded
  (core/helper/encrypter.py encrypt_token).
- decrypt: split at the key size, unwrap the AES key with the private key read from storage, decrypt_and_verify.

  dify_crypto.py seed STORAGE N       make N tenants: keys under STORAGE/privkeys/, prints JSON rows for the database
  dify_crypto.py decrypt STORAGE JSON  decrypt each {tenant_id, token} with the key under STORAGE; prints JSON
"""
import base64
import json
import os
import sys
import uuid

from Cryptodome.Cipher import AES, PKCS1_OAEP
from Cryptodome.PublicKey import RSA
from Cryptodome.Random import get_random_bytes

PREFIX_HYBRID = b"HYBRID:"


def key_path(storage, tenant_id):
    return os.path.join(storage, "privkeys/{tenant_id}".format(tenant_id=tenant_id) + "/private.pem")


def encrypt(text, public_pem):
    aes_key = get_random_bytes(16)
    cipher_aes = AES.new(aes_key, AES.MODE_EAX)
    ciphertext, tag = cipher_aes.encrypt_and_digest(text.encode())
    enc_aes_key = PKCS1_OAEP.new(RSA.import_key(public_pem)).encrypt(aes_key)
    return PREFIX_HYBRID + enc_aes_key + cipher_aes.nonce + tag + ciphertext


def decrypt(encrypted, private_pem):
    rsa_key = RSA.import_key(private_pem)
    if not encrypted.startswith(PREFIX_HYBRID):
        raise ValueError("not a hybrid token")
    data = encrypted[len(PREFIX_HYBRID) :]
    size = rsa_key.size_in_bytes()
    enc_aes_key, nonce, tag, ciphertext = data[:size], data[size : size + 16], data[size + 16 : size + 32], data[size + 32 :]
    aes_key = PKCS1_OAEP.new(rsa_key).decrypt(enc_aes_key)
    return AES.new(aes_key, AES.MODE_EAX, nonce=nonce).decrypt_and_verify(ciphertext, tag).decode()


def seed(storage, n):
    rows = []
    for i in range(n):
        tenant_id = str(uuid.uuid4())
        private_key = RSA.generate(2048)
        path = key_path(storage, tenant_id)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(private_key.export_key())
        public_pem = private_key.publickey().export_key().decode()
        secret = "sk-drill-%d-%s" % (i, base64.b16encode(get_random_bytes(12)).decode().lower())
        token = base64.b64encode(encrypt(secret, public_pem)).decode()
        rows.append({"tenant_id": tenant_id, "public_key": public_pem, "token": token, "secret": secret})
    print(json.dumps(rows))


def decrypt_all(storage, rows):
    out = []
    for row in rows:
        try:
            with open(key_path(storage, row["tenant_id"]), "rb") as f:
                out.append(decrypt(base64.b64decode(row["token"]), f.read()))
        except Exception as error:  # the drill asserts on the result per tenant
            out.append("%s: %s" % (type(error).__name__, error))
    print(json.dumps(out))


if __name__ == "__main__":
    if sys.argv[1] == "seed":
        seed(sys.argv[2], int(sys.argv[3]))
    elif sys.argv[1] == "decrypt":
        decrypt_all(sys.argv[2], json.loads(sys.argv[3]))
    else:
        sys.exit("usage: dify_crypto.py seed STORAGE N | decrypt STORAGE JSON")

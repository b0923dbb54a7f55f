#!/usr/bin/env bash
# Makes a local development CA and a C2PA signing certificate with openssl (what C2paSigningKey.Development makes in C#):
#   root.pem / root.key.pem      ECDSA P-256 root, CA:true, keyCertSign + cRLSign (give root.pem to validators as trust anchor)
#   signer.pem / signer.key.pem  ECDSA P-256, CA:false, digitalSignature, EKU emailProtection, key identifiers, issued by the root
# Usage: scripts/dev-ca.sh [DIR]   (default .viraloop/dev-ca; an existing CA there is kept)
# Use it: ViraLoop__C2paCertificate=DIR/signer.pem ViraLoop__C2paKey=DIR/signer.key.pem (or leave both unset for the default DIR).
set -euo pipefail
dir="${1:-.viraloop/dev-ca}"
if [[ -f "$dir/signer.key.pem" ]]; then echo "[dev-ca] $dir already holds a signing key; kept" >&2; exit 0; fi
command -v openssl >/dev/null || { echo "[dev-ca] openssl is missing: apt-get install -y openssl" >&2; exit 1; }
mkdir -p "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/ext.cnf" <<'CNF'
[signer]
basicConstraints = critical, CA:false
keyUsage = critical, digitalSignature
extendedKeyUsage = emailProtection
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$tmp/root.key.pem"
openssl req -new -x509 -sha256 -key "$tmp/root.key.pem" -subj "/CN=ViraLoop Development Root CA/O=ViraLoop (development)" -days 3650 \
  -addext "basicConstraints=critical,CA:true,pathlen:0" -addext "keyUsage=critical,keyCertSign,cRLSign" -addext "subjectKeyIdentifier=hash" \
  -out "$tmp/root.pem"
openssl ecparam -name prime256v1 -genkey -noout | openssl pkcs8 -topk8 -nocrypt -out "$tmp/signer.key.pem"
openssl req -new -sha256 -key "$tmp/signer.key.pem" -subj "/CN=ViraLoop Development Signer/O=ViraLoop (development)" -out "$tmp/signer.csr"
openssl x509 -req -sha256 -in "$tmp/signer.csr" -CA "$tmp/root.pem" -CAkey "$tmp/root.key.pem" -CAcreateserial \
  -days 1825 -extfile "$tmp/ext.cnf" -extensions signer -out "$tmp/signer.pem" 2>/dev/null
cp "$tmp"/{root.pem,root.key.pem,signer.pem,signer.key.pem} "$dir/"
echo "[dev-ca] made $dir/{root,signer}.pem" >&2

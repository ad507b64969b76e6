#!/bin/sh
# Makes a self-signed certificate and key for 127.0.0.1 and localhost, valid two days.
# Usage: gen-test-cert.sh CERT_FILE KEY_FILE
set -eu
[ $# -eq 2 ] || { echo "usage: $0 CERT_FILE KEY_FILE" >&2; exit 2; }
openssl req -x509 -newkey rsa:2048 -nodes -days 2 \
  -subj '/CN=localhost' \
  -addext 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
  -keyout "$2" -out "$1"
chmod 600 "$2"

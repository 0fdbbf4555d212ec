# shellcheck shell=bash
# Test TLS material in $TLS_DIR, shared by every server and by the tests:
#   ca.crt/ca.key            test CA ("Test CA") that signs the two certs below
#   server.crt/server.key    CN=localhost, SAN DNS:localhost + IP:127.0.0.1 (verify-full works with both)
#   client.crt/client.key    CN=certuser, for certificate logins (pg cert auth, MariaDB REQUIRE SUBJECT)
#   other-ca.crt/other-ca.key an unrelated CA ("Other Test CA"), for wrong-CA tests
# Keys are PKCS#8 RSA 2048, mode 0600 (libpq refuses a client key readable by others).

tls_generate() {
  local d=$TLS_DIR name pids=() pid
  mkdir -p "$d"
  # Key generation is the slow part; the four keys are independent. umask 077:
  # the keys are 0600 from the start.
  for name in ca server client other-ca; do
    (umask 077 && exec openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
      -out "$d/$name.key" 2>/dev/null) &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || die "openssl genpkey failed in $d"; done

  tls_ca ca "Test CA"
  tls_ca other-ca "Other Test CA"
  printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' 'extendedKeyUsage=serverAuth' \
    'basicConstraints=CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' >"$d/server.ext"
  printf '%s\n' 'extendedKeyUsage=clientAuth' 'basicConstraints=CA:FALSE' \
    'keyUsage=critical,digitalSignature,keyEncipherment' >"$d/client.ext"
  tls_leaf server localhost
  tls_leaf client certuser
  touch "$d/.done"
}

# tls_wait: block until tls_generate, running as job TLS_JOB_PID, has finished.
# Lets the servers initialise their data dirs while the keys are still being made.
tls_wait() {
  local deadline=$((SECONDS + DSB_SERVICES_TIMEOUT))
  until [[ -e $TLS_DIR/.done ]]; do
    proc_alive "${TLS_JOB_PID:-0}" || [[ -e $TLS_DIR/.done ]] || die "TLS generation failed (see $DSB_DIR/logs/tls.log)"
    ((SECONDS < deadline)) || die "TLS generation not done after ${DSB_SERVICES_TIMEOUT}s"
    sleep 0.02
  done
}

# tls_ca NAME CN: self-signed CA certificate NAME.crt from NAME.key.
tls_ca() {
  openssl req -x509 -new -key "$TLS_DIR/$1.key" -out "$TLS_DIR/$1.crt" -days 3650 -subj "/CN=$2" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null ||
    die "openssl could not create $1.crt"
}

# tls_leaf NAME CN: NAME.crt for NAME.key, signed by the test CA with NAME.ext.
tls_leaf() {
  local d=$TLS_DIR
  openssl req -new -key "$d/$1.key" -out "$d/$1.csr" -subj "/CN=$2" 2>/dev/null ||
    die "openssl could not create $1.csr"
  openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
    -out "$d/$1.crt" -days 3650 -extfile "$d/$1.ext" 2>/dev/null || die "openssl could not sign $1.crt"
}

# shellcheck shell=bash
# A private sshd on 127.0.0.1 with its own config and keys in $DSB_DIR/sshd, for SSH
# tunnel tests. Login: sshtest/testpass, or any of these client keys:
#   id_ed25519 (no passphrase)   id_rsa (PEM "BEGIN RSA PRIVATE KEY", no passphrase)
#   id_ecdsa (no passphrase)     id_ed25519_pass (OpenSSH format, passphrase "keypass")
# host_fingerprint / host_fingerprint_rsa: "SHA256:..." of the host keys, as ssh-keygen -lf
# prints them; known_hosts: both host keys for [127.0.0.1]:PORT and [localhost]:PORT.

ssh_start() {
  local port=$1 s=$DSB_DIR/sshd t0 pid pids=() k
  t0=$(now_ms)
  [[ -x /usr/sbin/sshd ]] || die "ssh: /usr/sbin/sshd not found (run scripts/install-deps.sh --test)"
  mkdir -p "$s" /run/sshd # /run/sshd: privilege separation dir; without systemd nobody makes it
  chmod 755 "$s"
  # A real account is needed (a global change): UsePAM no checks /etc/shadow directly.
  # "|| id" covers a parallel start that created it first.
  id sshtest >/dev/null 2>&1 || useradd -m -s /bin/bash sshtest || id sshtest >/dev/null
  echo 'sshtest:testpass' | chpasswd

  # ssh-keygen per key in parallel: RSA generation is CPU-bound and the slow part
  # (2048-bit: 3072 takes three times as long and tests gain nothing from it).
  ssh-keygen -q -t ed25519 -N '' -C '' -f "$s/ssh_host_ed25519_key" </dev/null & pids+=($!)
  ssh-keygen -q -t rsa -b 2048 -N '' -C '' -f "$s/ssh_host_rsa_key" </dev/null & pids+=($!)
  ssh-keygen -q -t ed25519 -N '' -C sshtest-ed25519 -f "$s/id_ed25519" </dev/null & pids+=($!)
  ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C sshtest-rsa -f "$s/id_rsa" </dev/null & pids+=($!)
  ssh-keygen -q -t ed25519 -N keypass -C sshtest-ed25519-pass -f "$s/id_ed25519_pass" </dev/null & pids+=($!)
  ssh-keygen -q -t ecdsa -b 256 -N '' -C sshtest-ecdsa -f "$s/id_ecdsa" </dev/null & pids+=($!)
  for k in "${pids[@]}"; do wait "$k" || die "ssh: ssh-keygen failed in $s"; done
  cat "$s"/id_{ed25519,rsa,ed25519_pass,ecdsa}.pub >"$s/authorized_keys"

  # PubkeyAcceptedAlgorithms +ssh-rsa: libssh2 1.10 signs RSA user auth with SHA-1,
  # which OpenSSH 9.2 refuses by default. StrictModes no: keys live outside ~sshtest.
  cat >"$s/sshd_config" <<EOF
ListenAddress 127.0.0.1:$port
HostKey $s/ssh_host_ed25519_key
HostKey $s/ssh_host_rsa_key
PidFile $s/sshd.pid
AuthorizedKeysFile $s/authorized_keys
AllowUsers sshtest
PermitRootLogin no
PasswordAuthentication yes
PubkeyAuthentication yes
PubkeyAcceptedAlgorithms +ssh-rsa
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AllowTcpForwarding yes
PermitOpen any
X11Forwarding no
UseDNS no
MaxStartups 200:30:400
MaxSessions 100
LogLevel VERBOSE
Subsystem sftp internal-sftp
EOF
  /usr/sbin/sshd -t -f "$s/sshd_config" >"$s/config-test.log" 2>&1 ||
    fail_with_log "ssh: sshd rejected $s/sshd_config" "$s"

  # -D: stay in the foreground so $! is the listener; sshd must be started as root
  # by absolute path. Output to a file: sshd -D holds any inherited pipe open.
  setsid /usr/sbin/sshd -D -f "$s/sshd_config" -E "$s/sshd.log" >"$s/stdout.log" 2>&1 </dev/null &
  pid=$!
  record_pid ssh "$pid"
  # ssh-keyscan both proves the listener answers and records the host keys.
  wait_ready ssh "$pid" "$s" ssh_scan "$port" "$s/known_hosts"
  ssh-keygen -lf "$s/ssh_host_ed25519_key.pub" | cut -d' ' -f2 >"$s/host_fingerprint"
  ssh-keygen -lf "$s/ssh_host_rsa_key.pub" | cut -d' ' -f2 >"$s/host_fingerprint_rsa"
  log "ssh: ready on 127.0.0.1:$port, pid $pid, in $(($(now_ms) - t0)) ms"
}

# ssh_scan PORT FILE: both host keys into FILE, also under the name localhost;
# fails until the listener answers.
ssh_scan() {
  local keys
  keys=$(ssh-keyscan -T 2 -t ed25519,rsa -p "$1" 127.0.0.1 2>/dev/null) || return 1
  [[ $(grep -c '^\[127' <<<"$keys") -ge 2 ]] || return 1
  printf '%s\n' "$keys" "${keys//\[127.0.0.1\]/[localhost]}" >"$2"
}

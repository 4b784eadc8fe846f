#!/usr/bin/env bash
# Installs Debian's Dovecot IMAP server for the IMAP sync tests (test/support/dovecot.ts starts a
# private instance of it per suite, with its own config, users and ports: the system service is not
# used). From the apt sources this machine is already configured for; no host name is written here.
set -euo pipefail

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ -x /usr/sbin/dovecot ] || command -v dovecot >/dev/null 2>&1; then
  echo "dovecot already installed: $(dovecot --version 2>/dev/null || echo unknown version)"; exit 0
fi

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get install -y --no-install-recommends dovecot-imapd || { $SUDO apt-get update && $SUDO apt-get install -y --no-install-recommends dovecot-imapd; }
# The tests run their own instance; a system service started by the package is not needed.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet dovecot 2>/dev/null; then $SUDO systemctl disable --now dovecot || true; fi
echo "dovecot installed: $(dovecot --version)"

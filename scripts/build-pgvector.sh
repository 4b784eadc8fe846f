#!/usr/bin/env bash
# Builds and installs pgvector for the machine's PostgreSQL from Debian's own source package.
# Why: pgvector is not packaged for Debian 12 (bookworm); the next release (trixie) ships its
# source, which builds cleanly against postgresql-server-dev-<major>. Nothing is downloaded from
# anywhere but the Debian mirror this machine is already configured for: the mirror URI is read
# from the existing apt sources at run time, so no host name is written in this project.
set -euo pipefail

PG_MAJOR="${PG_MAJOR:-15}"
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"

if [ -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]; then
  echo "pgvector already installed for PostgreSQL ${PG_MAJOR}"; exit 0
fi

. /etc/os-release
MIRROR=$(apt-get indextargets --format '$(REPO_URI)' "RELEASE: ${VERSION_CODENAME}" | grep -v -- '-security' | sort -u | head -n1)
if [ -z "$MIRROR" ]; then echo "cannot find the Debian mirror in the apt sources" >&2; exit 1; fi
NEXT_RELEASE="${PGVECTOR_SOURCE_RELEASE:-trixie}"

LIST=/etc/apt/sources.list.d/pgvector-src.sources
$SUDO tee "$LIST" >/dev/null <<SRC
Types: deb-src
URIs: ${MIRROR}
Suites: ${NEXT_RELEASE}
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC

export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq -o Dir::Etc::sourcelist=/dev/null -o Dir::Etc::sourceparts=/etc/apt/sources.list.d \
  || $SUDO apt-get update -qq
dpkg -s "postgresql-server-dev-${PG_MAJOR}" >/dev/null 2>&1 && dpkg -s build-essential >/dev/null 2>&1 \
  || $SUDO apt-get install -y -qq build-essential "postgresql-server-dev-${PG_MAJOR}" dpkg-dev >/dev/null

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
cd "$WORK"
apt-get source -qq --download-only pgvector >/dev/null 2>&1 || apt-get source -qq --download-only "pgvector/${NEXT_RELEASE}"
dpkg-source -x --no-check ./*.dsc src >/dev/null
cd src
make -s PG_CONFIG="$PG_CONFIG" >/dev/null
$SUDO make -s install PG_CONFIG="$PG_CONFIG" >/dev/null
echo "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" vector.control) installed for PostgreSQL ${PG_MAJOR}"

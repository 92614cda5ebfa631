#!/usr/bin/env bash
# Builds the hashicorp/memberlist peer (Tests/GoPeer) from Debian's
# golang-github-hashicorp-memberlist-dev (v0.2.2) into .build/gopeer/gopeer. The interop
# tests (GossipInteropTests) build the same binary on demand when it is missing or stale.
set -euo pipefail
cd "$(dirname "$0")/../.."
mkdir -p .build/gopeer
GO111MODULE=off GOPATH=/usr/share/gocode GOCACHE="${GOCACHE:-$PWD/.build/gopeer/cache}" \
    timeout 300 go build -o .build/gopeer/gopeer ./Tests/GoPeer
echo "gopeer built: .build/gopeer/gopeer"

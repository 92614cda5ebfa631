#!/usr/bin/env bash
# Regenerates vectors.txt from Debian's memberlist v0.2.2 sources: copies the package into a
# temporary GOPATH, adds export_vectors.go.txt to it, and runs generate.go.txt.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/src/github.com/hashicorp" "$tmp/src/vectors"
cp -r /usr/share/gocode/src/github.com/hashicorp/memberlist "$tmp/src/github.com/hashicorp/"
cp "$here/export_vectors.go.txt" "$tmp/src/github.com/hashicorp/memberlist/zz_export_vectors.go"
cp "$here/generate.go.txt" "$tmp/src/vectors/main.go"
cd "$tmp/src/vectors"
GO111MODULE=off GOPATH="$tmp:/usr/share/gocode" GOCACHE="$tmp/cache" go run . > "$here/vectors.txt"

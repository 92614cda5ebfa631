#!/usr/bin/env bash
# Builds the msgpack/message fuzzer (Fuzz/Sources/FuzzMsgPack) with libFuzzer and
# AddressSanitizer and runs it for ~15 s over a seed corpus of memberlist messages
# (Tests/GossipTests/Vectors/vectors.txt, encoded by memberlist v0.2.2 itself).
# FUZZ_SECONDS overrides the duration; FUZZ_RUNS runs a fixed number of executions instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --package-path Fuzz -c release --product FuzzMsgPack \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin="$(swift build --package-path Fuzz -c release --show-bin-path)/FuzzMsgPack"
corpus="$(mktemp -d /tmp/slb-gossip-fuzz-msgpack.XXXXXX)"
trap 'rm -rf "$corpus"' EXIT
grep -v '^#' Tests/GossipTests/Vectors/vectors.txt | while read -r name hex; do
    printf "$(sed 's/../\\x&/g' <<< "$hex")" > "$corpus/$name"             # type byte + body
    printf "$(sed 's/../\\x&/g' <<< "${hex:2}")" > "$corpus/$name-body"    # body alone (push/pull, values)
done
if [ -n "${FUZZ_RUNS:-}" ]; then
    "$bin" -runs="$FUZZ_RUNS" -max_len=4096 -rss_limit_mb=2048 "$corpus"
else
    "$bin" -max_total_time="${FUZZ_SECONDS:-15}" -max_len=4096 -rss_limit_mb=2048 "$corpus"
fi

#!/usr/bin/env bash
# Builds the whole-packet gossip fuzzer (Fuzz/Sources/GossipPacketFuzz) with libFuzzer and
# AddressSanitizer and runs it for ~15 s over a seed corpus of captured memberlist packets.
# FUZZ_SECONDS overrides the duration; FUZZ_RUNS runs a fixed number of executions instead.
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build --package-path Fuzz -c release --product GossipPacketFuzz \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
bin="$(swift build --package-path Fuzz -c release --show-bin-path)/GossipPacketFuzz"
corpus="$(mktemp -d /tmp/slb-gossip-fuzz.XXXXXX)"
trap 'rm -rf "$corpus"' EXIT
# Seeds: mode byte + captured Go packets (memberlist-wire.md §11).
seed() { printf "$1" > "$corpus/$2"; }
seed '\x00\x0c\x3b\x9f\x44\x33\x05\x83\xa4\x46\x72\x6f\x6d\xa3\x67\x6f\x32\xab\x49\x6e\x63\x61\x72\x6e\x61\x74\x69\x6f\x6e\x01\xa4\x4e\x6f\x64\x65\xa3\x67\x6f\x32' crc-leave
seed '\x10\x07\x02\x00\x12\x00\x09\x02\x82\xa7\x50\x61\x79\x6c\x6f\x61\x64\xc0\xa5\x53\x65\x71\x4e\x6f\x01\x0b\x81\xa5\x53\x65\x71\x4e\x6f\x08' compound-sealed
seed '\x18\x09\x82\xa4\x41\x6c\x67\x6f\x00\xa3\x42\x75\x66\xda\x00\x21\x00\x11\x04\x52\x55\x65\x4e\x19\x39\x4d\xe6\x9c\x61\x52\xc6\x8d\x03\x34\x65\xd8\xb0\x79\xd3\x42\x4e\xc4\x34\x61\xc4\xb0\x29\x13\x10' lzw-stream-sealed
seed '\x01\x01\x89\x34\xf6\xd2\x43\x6d\x00\x99\xf3\xa0\x9b\x59\x0d\x13\x25\x9b\x97\x09\x86\x7e\x36\x45\x9e\xbb\x4f\x0a\x4e\x2f\x1e\xd1\x00\x5c\x27\xec\x7b\xd8\x04\xd0\x86\xa6\x73\xa2\xf0\x8b\x94\x3b' encrypted-ack
if [ -n "${FUZZ_RUNS:-}" ]; then
    "$bin" -runs="$FUZZ_RUNS" -max_len=4096 -rss_limit_mb=2048 "$corpus"
else
    "$bin" -max_total_time="${FUZZ_SECONDS:-15}" -max_len=4096 -rss_limit_mb=2048 "$corpus"
fi

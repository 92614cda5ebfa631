#!/usr/bin/env bash
# Short libFuzzer pass over the Ethernet/ARP/NDP frame decoder (Packets): builds the fuzzer
# with -sanitize=fuzzer,address and runs it for ~20 s from the captured-frame seed corpus.
# Any crash, trap or sanitizer report fails the step; crashing inputs land in Fuzz/FailCases/.
set -euo pipefail
cd "$(dirname "$0")/../.."

swift build --package-path Fuzz -c release --product FrameDecoderFuzzer \
    -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
binary="$(swift build --package-path Fuzz -c release --show-bin-path)/FrameDecoderFuzzer"

corpus="$(mktemp -d)"
trap 'rm -rf "$corpus"' EXIT
cp Fuzz/Corpus/FrameDecoder/* "$corpus/"
mkdir -p Fuzz/FailCases
"$binary" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=256 -print_final_stats=1 \
    -artifact_prefix=Fuzz/FailCases/frame- "$corpus" 2>&1 | tail -n 12

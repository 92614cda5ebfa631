#!/usr/bin/env bash
# Self-test of the network-namespace lab (Scripts/lab, Scripts/lab.d/) and of arp-probe
# (its unit tests, Benchmarks/Tests/ArpProbeTests, run first):
# a 2-node lab with a unique name; client <-> node pings (IPv4 and IPv6) and the fixed MACs;
# a link set down stops traffic; the prober's ARP and NDP answers name the owner's MAC;
# a keepalived pair, where the client's prober sees the VIP answered by node1's MAC; node1
# dies (keepalived SIGKILLed + link down) and the prober sees node2's MAC take over, with
# its gratuitous ARPs, and no probe answered by both; `lab down` leaves no slb-*-<name>
# namespace, process or run dir.
# The lab part runs under `timeout 60`; the outer script cleans up even if it is killed.
set -euo pipefail
cd "$(dirname "$0")/../.."
repo="$(pwd)"

fail() { echo "20-lab-selftest: FAIL: $*" >&2; exit 1; }

if [ "${1:-}" != --in-lab ]; then
    [ "$(id -u)" -eq 0 ] || fail "needs root (network namespaces)"
    command -v keepalived >/dev/null || fail "keepalived is missing (Scripts/install-deps)"
    # The prober's pure parts first (Benchmarks/Tests/ArpProbeTests), then the lab.
    swift build --package-path Benchmarks --product SwiftLBBenchmarksPackageTests >/dev/null
    swift build --package-path Benchmarks --product arp-probe >/dev/null
    swift test --package-path Benchmarks --skip-build --filter ArpProbeTests 2>&1 | tail -n 1
    probe="$(swift build --package-path Benchmarks --show-bin-path)/arp-probe"
    name="t$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
    # shellcheck source=../lab.d/lib.sh
    source Scripts/lab.d/lib.sh
    lab_init "$name" 2
    lab_cleanup_on_exit
    status=0
    timeout -k 5 60 bash "$0" --in-lab "$name" "$probe" || status=$?
    lab_down
    trap - EXIT
    leftovers="$(ip netns list | awk '{print $1}' | grep -E "^slb-.*-$name\$" || true)"
    [ -z "$leftovers" ] || fail "namespaces left behind: $leftovers"
    [ ! -e "$LAB_RUN" ] || fail "run dir $LAB_RUN left behind"
    # Processes whose command line names the lab's run dir (keepalived's -f/-p); the `[/]`
    # keeps grep from matching its own command line. (No procps needed.)
    if grep -lsa "/run/swiftlb-lab/$name[/]" /proc/[0-9]*/cmdline >/dev/null; then
        fail "processes of lab $name left behind"
    fi
    [ "$status" -eq 0 ] || fail "lab part exited with $status"
    echo "20-lab-selftest: passed (lab $name)"
    exit 0
fi

name="$2"
probe="$3"
# shellcheck source=../lab.d/lib.sh
source "$repo/Scripts/lab.d/lib.sh"
lab_init "$name" 2
lab_cleanup_on_exit
# shellcheck source=../lab.d/keepalived.sh
source "$repo/Scripts/lab.d/keepalived.sh"

echo "-- lab up $name"
"$repo/Scripts/lab" up --nodes 2 --name "$name" >/dev/null
namespaces="$(ip netns list | awk '{print $1}')"
for ns in "slb-sw-$name" "slb-node1-$name" "slb-node2-$name" "slb-client-$name"; do
    grep -qx "$ns" <<<"$namespaces" || fail "namespace $ns missing"
done
for i in 1 2; do
    mac="$(ip -n "slb-node$i-$name" -br link show eth0 | awk '{print $3}')"
    [ "$mac" = "$(lab_node_mac "$i")" ] || fail "node$i has MAC $mac, want $(lab_node_mac "$i")"
done
status_text="$("$repo/Scripts/lab" --name "$name" status)"
grep -q "slb-node2-$name" <<<"$status_text" || fail "status does not list node2: $status_text"

echo "-- ping inside the lab"
lab_exec client ping -c 1 -W 2 "$(lab_node_ipv4 1)" >/dev/null || fail "client cannot ping node1"
lab_exec client ping -c 1 -W 2 "$(lab_node_ipv4 2)" >/dev/null || fail "client cannot ping node2"
lab_exec 1 ping -c 1 -W 2 "$(lab_node_ipv4 2)" >/dev/null || fail "node1 cannot ping node2"
lab_exec client ping -6 -c 1 -W 2 "$(lab_node_ipv6 2)" >/dev/null || fail "client cannot ping node2 over IPv6"
"$repo/Scripts/lab" --name "$name" link 2 down
if lab_exec client ping -c 1 -W 1 "$(lab_node_ipv4 2)" >/dev/null; then fail "node2 answers with its link down"; fi
"$repo/Scripts/lab" --name "$name" link 2 up
lab_exec client ping -c 1 -W 2 "$(lab_node_ipv4 2)" >/dev/null || fail "node2 unreachable after link up"

echo "-- arp-probe: ARP and NDP answers carry the owner's MAC"
summary="$(lab_exec client "$probe" --interface eth0 --target "$(lab_node_ipv4 2)" --interval-ms 100 --count 3 --quiet)"
grep -q "\"replies\":3.*\"macs\":\[\"$(lab_node_mac 2)\"\]" <<<"$summary" \
    || fail "ARP for node2 not answered 3 times by node2 alone: $summary"
summary="$(lab_exec client "$probe" --interface eth0 --target "$(lab_node_ipv6 1)" --interval-ms 100 --count 3 --quiet)"
grep -q "\"replies\":3.*\"macs\":\[\"$(lab_node_mac 1)\"\]" <<<"$summary" \
    || fail "NDP for node1 not answered 3 times by node1 alone: $summary"

echo "-- keepalived pair, node1 master"
keepalived_start 1
keepalived_start 2
keepalived_wait_state 1 MASTER 0 15 || fail "node1 never became VRRP master"
summary="$(lab_exec client "$probe" --interface eth0 --target "$LAB_SERVICE_IPV4" --count 10 --quiet)"
grep -q "\"macs\":\[\"$(lab_node_mac 1)\"\]" <<<"$summary" \
    || fail "VIP not answered by node1 alone: $summary"

echo "-- node1 dies: keepalived SIGKILL + link down"
lab_spawn client watch "$probe" --interface eth0 --target "$LAB_SERVICE_IPV4" --duration-s 10 \
    --initial-mac "$(lab_node_mac 1)" --until-mac-change --linger-ms 300 >/dev/null
deadline=$((SECONDS + 5))
until grep -q "\"mac\":\"$(lab_node_mac 1)\"" "$LAB_RUN/watch.log"; do
    (( SECONDS < deadline )) || fail "prober saw no answer from node1 before the kill"
    sleep 0.02
done
"$repo/Scripts/lab" --name "$name" kill keepalived-node1 --signal KILL
"$repo/Scripts/lab" --name "$name" link 1 down
lab_wait_exit watch 15 || fail "prober did not finish"
summary="$(grep '"summary":true' "$LAB_RUN/watch.log")"
grep -q "\"new_mac\":\"$(lab_node_mac 2)\"" <<<"$summary" || fail "node2 did not take over: $summary"
grep -q '"dual_answer_windows":0' <<<"$summary" || fail "two MACs answered one probe: $summary"
grep -q "\"mac\":\"$(lab_node_mac 2)\",\"kind\":\"garp\"" "$LAB_RUN/watch.log" \
    || fail "no gratuitous ARP from node2 (keepalived sends 5 on becoming master)"
grep '"mac":"'"$(lab_node_mac 2)"'"' "$LAB_RUN/watch.log" | head -n 1 | sed 's/^/   first answer from node2: /'

echo "-- lab down"
"$repo/Scripts/lab" down --name "$name" >/dev/null
remaining="$(ip netns list | awk '{print $1}' | grep -E "^slb-.*-$name\$" || true)"
[ -z "$remaining" ] || fail "lab down left $remaining"

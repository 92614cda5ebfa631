# shellcheck shell=bash
# Helpers for the lab end-to-end tests (Scripts/test.d/6x-lab-e2e*.sh), on top of lib.sh and
# swiftlb.sh: bounded polling, "who answers on the wire" checks from the client namespace,
# speaker metrics, and extra stations on the bridge that are not cluster nodes (a foreign
# announcer, a Go memberlist peer).
#
# Extra stations are attached as namespace `slb-node<i>-<lab>` with i > LAB_NODES: they get
# the lab's addressing plan (MAC 02:5b:00:00:00:<i>, 10.99.0.<10+i>, fd99::<10+i>), no Node
# object and no speaker, and `lab_down` removes them like any node (its namespace pattern
# covers every node number), so they are cleaned up on every exit path.

# e2e_wait <seconds> CMD...: runs CMD every 100 ms until it succeeds; fails after <seconds>.
e2e_wait() {
    local deadline=$((SECONDS + $1))
    shift
    while :; do
        "$@" && return 0
        (( SECONDS < deadline )) || return 1
        sleep 0.1
    done
}

# e2e_round <ip> [count]: one probing round from the client (default 10 probes, 20 ms
# apart); prints "<replies> <sent> <mac> <mac>..." (MACs that answered, in order seen).
e2e_round() {
    local out
    out="$(slb_probe "$1" --count "${2:-10}" --quiet 2>/dev/null || true)"
    python3 -c '
import json, sys
for line in sys.stdin:
    line = line.strip()
    if not line.startswith("{"): continue
    s = json.loads(line)
    if s.get("summary"):
        print(s["replies"], s["sent"], *s["macs"])
        break
else:
    print(0, 0)
' <<<"$out"
}

# e2e_sole_answer <ip> <seconds> [mac]: waits until one probing round is answered by exactly
# one MAC (and, if given, that MAC) with every probe answered but at most one; prints the MAC.
e2e_sole_answer() {
    local ip="$1" deadline=$((SECONDS + $2)) want="${3:-}" r
    while :; do
        r="$(e2e_round "$ip")"
        # shellcheck disable=SC2086
        set -- $r
        if [ $# -eq 3 ] && (( $1 >= $2 - 1 )) && { [ -z "$want" ] || [ "$3" = "$want" ]; }; then
            echo "$3"
            return 0
        fi
        if (( SECONDS >= deadline )); then
            echo "last round (replies sent macs): $r" >&2
            return 1
        fi
    done
}

# e2e_silent <ip> <seconds>: waits until two consecutive rounds of 10 probes get no answer.
e2e_silent() {
    local ip="$1" deadline=$((SECONDS + $2)) quiet=0 r
    while :; do
        r="$(e2e_round "$ip")"
        if [ "${r%% *}" = 0 ]; then
            quiet=$((quiet + 1))
            (( quiet >= 2 )) && return 0
        else
            quiet=0
        fi
        if (( SECONDS >= deadline )); then
            echo "last round (replies sent macs): $r" >&2
            return 1
        fi
    done
}

# e2e_node_of_mac <mac>: node number of a cluster node's MAC; fails for anything else.
e2e_node_of_mac() { slb_node_of_mac "$1"; }

# e2e_metric <i> <metric-name> [label-regex]: the value of the first sample of node i's
# speaker metric whose labels match the regex (default any); empty if none.
e2e_metric() {
    local text
    text="$(slb_metrics "$1" 2>/dev/null)" || return 1
    awk -v name="$2" -v re="${3:-}" '
        $0 ~ /^#/ { next }
        {
            split($1, parts, "{")
            if (parts[1] != name) next
            if (re != "" && $1 !~ re) next
            print $2; exit
        }' <<<"$text"
}

# e2e_metric_is <i> <name> <label-regex> <value>: true if the sample equals value (numerically).
e2e_metric_is() {
    local v
    v="$(e2e_metric "$1" "$2" "$3")" || return 1
    [ -n "$v" ] && awk -v a="$v" -v b="$4" 'BEGIN { exit !(a + 0 == b + 0) }'
}

# e2e_metric_at_least <i> <name> <label-regex> <value>
e2e_metric_at_least() {
    local v
    v="$(e2e_metric "$1" "$2" "$3")" || return 1
    [ -n "$v" ] && awk -v a="$v" -v b="$4" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

# e2e_alive_members_everywhere <count> <node...>: every listed speaker counts <count> alive
# gossip members (swiftlb_gossip_members{state="alive"}).
e2e_alive_members_everywhere() {
    local want="$1" i
    shift
    for i in "$@"; do
        e2e_metric_is "$i" swiftlb_gossip_members 'state="alive"' "$want" || return 1
    done
}

# e2e_station_attach <i>: an extra station on the bridge (not a cluster node), i > LAB_NODES.
e2e_station_attach() {
    local i="$1"
    lab_attach "$(lab_node_ns "$i")" "n$i" "$(printf '02:5b:00:00:01:%02x' "$i")" \
        "$(lab_node_mac "$i")" "$(lab_node_ipv4 "$i")" "$(lab_node_ipv6 "$i")"
}

# e2e_station_remove <i>: kills what runs in the extra station and deletes its namespace
# (which deletes its veth and the bridge port).
e2e_station_remove() {
    local ns pid
    ns="$(lab_node_ns "$1")"
    for pid in $(lab_pids_in_ns "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
    ip netns delete "$ns" 2>/dev/null || true
}

# e2e_log_tails [lines]: the tail of every lab log, for a failure report.
e2e_log_tails() {
    local log
    [ -d "${LAB_RUN:-}" ] || return 0
    for log in "$LAB_RUN"/*.log; do
        [ -e "$log" ] || continue
        echo "--- $(basename "$log") (last ${1:-15} lines)"
        tail -n "${1:-15}" "$log" | cut -c1-300
    done
}

# e2e_metallb_owner <ip> <node-name...>: the owner MetalLB elects among the candidates:
# the first by sha256("<node>#<ip>") (speaker/layer2_controller.go), computed here with
# Python's hashlib, independently of SwiftLB's Election module. The IP must be in Go's
# text form (dotted quad, RFC 5952 IPv6), which is how the lab's IPs are written.
e2e_metallb_owner() {
    python3 -c '
import hashlib, sys
ip, nodes = sys.argv[1], sys.argv[2:]
print(min(nodes, key=lambda n: hashlib.sha256((n + "#" + ip).encode()).digest()))
' "$@"
}

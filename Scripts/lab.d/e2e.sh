# shellcheck shell=bash
# Helpers for the lab end-to-end tests (Scripts/test.d/6x-lab-e2e*.sh), on top of lib.sh and
# swiftlb.sh (which has the probing rounds, "exactly one MAC answers" and the metric samples
# shared with the chaos tests): bounded polling, "nobody answers", metric checks, and extra
# stations on the bridge that are not cluster nodes (a foreign announcer, a Go memberlist
# peer).
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

# e2e_silent <ip> <seconds>: waits until two consecutive rounds of 10 probes get no answer.
e2e_silent() {
    local ip="$1" deadline=$((SECONDS + $2)) quiet=0 r
    while :; do
        r="$(slb_round "$ip")"
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

# e2e_metric_is <i> <name> <label-regex> <value>: true if the first matching sample of node
# i's speaker metric (slb_metric_first) equals value (numerically).
e2e_metric_is() {
    local v
    v="$(slb_metric_first "$1" "$2" "$3")" || return 1
    [ -n "$v" ] && awk -v a="$v" -v b="$4" 'BEGIN { exit !(a + 0 == b + 0) }'
}

# e2e_metric_at_least <i> <name> <label-regex> <value>
e2e_metric_at_least() {
    local v
    v="$(slb_metric_first "$1" "$2" "$3")" || return 1
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

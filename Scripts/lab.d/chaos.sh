# shellcheck shell=bash
# Faults for the chaos tests (Scripts/test.d/7x-lab-chaos*.sh): a partitioned switch, a
# flapping link, lossy gossip, a restarted API server with its state kept, and what to look
# at afterwards (fds, threads, Warning events, logs). Source after lib.sh and swiftlb.sh
# (the API server with its state kept is `slb_apiserver_start --state-file`).
#
# Every nftables table made here lives inside one of the lab's namespaces (the switch's
# bridge, or a node), never in the host's; `lab_down` deletes the namespaces and with them the
# tables, and `chaos_cleanup` removes them explicitly first (idempotent), so an early exit
# leaves nothing either way.

CHAOS_BRIDGE_TABLE=slb_chaos_partition
CHAOS_LOSS_TABLE=slb_chaos_loss
CHAOS_FLOOD_TABLE=slb_chaos_flood

chaos_log() { echo "   [$(date -u +%H:%M:%S)] $*"; }

# chaos_partition "<ports of half A>" "<ports of half B>": drops every frame the bridge would
# forward between the two halves (bridge-family forward hook, matched on the ingress and
# egress port), in both directions. Ports are bridge port names: n<i> or client. The API
# server on the bridge itself (br0, the switch's local port) stays reachable from both halves.
chaos_partition() {
    local a b
    a="$(sed -E 's/([^ ]+)/"\1"/g; s/ +/, /g' <<<"$1")"
    b="$(sed -E 's/([^ ]+)/"\1"/g; s/ +/, /g' <<<"$2")"
    ip netns exec "$LAB_SWITCH" nft -f - <<EOF
table bridge $CHAOS_BRIDGE_TABLE {
    set half_a { type ifname; elements = { $a } }
    set half_b { type ifname; elements = { $b } }
    chain forward {
        type filter hook forward priority 0; policy accept;
        iifname @half_a oifname @half_b counter drop
        iifname @half_b oifname @half_a counter drop
    }
}
EOF
}

# chaos_port_no_learning <port>: the bridge stops learning MACs on <port> and forgets those it
# learned there, so frames to the station behind it are flooded to every port (as a switch
# does after its FDB entry aged out, or a hub): the speakers then see each other's replies to
# that station.
chaos_port_no_learning() {
    ip -n "$LAB_SWITCH" link set "$1" type bridge_slave learning off
    bridge -n "$LAB_SWITCH" fdb flush dev br0 brport "$1" dynamic
}

# chaos_partition_dropped: frames dropped by the partition so far (both directions).
chaos_partition_dropped() {
    ip netns exec "$LAB_SWITCH" nft list table bridge "$CHAOS_BRIDGE_TABLE" 2>/dev/null \
        | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# chaos_heal: removes the partition.
chaos_heal() { ip netns exec "$LAB_SWITCH" nft delete table bridge "$CHAOS_BRIDGE_TABLE" 2>/dev/null || true; }

# chaos_gossip_loss <node> <percent>: node drops this share of the gossip packets it
# receives (UDP and TCP to port 7946, and TCP from it: the answers on connections it
# opened), at random (nftables numgen; this kernel has no netem). Each packet crosses one
# receiver, so the loss per packet is <percent>.
chaos_gossip_loss() {
    local ns
    ns="$(lab_node_ns "$1")"
    ip netns exec "$ns" nft -f - <<EOF
table inet $CHAOS_LOSS_TABLE {
    chain input {
        type filter hook input priority 0; policy accept;
        udp dport 7946 numgen random mod 100 < $2 counter drop
        tcp dport 7946 numgen random mod 100 < $2 counter drop
        tcp sport 7946 numgen random mod 100 < $2 counter drop
    }
}
EOF
}

# chaos_gossip_loss_dropped <node>: packets dropped so far by chaos_gossip_loss on node.
chaos_gossip_loss_dropped() {
    ip netns exec "$(lab_node_ns "$1")" nft list table inet "$CHAOS_LOSS_TABLE" 2>/dev/null \
        | awk '/counter packets/ { for (i = 1; i <= NF; i++) if ($i == "packets") s += $(i + 1) } END { print s + 0 }'
}

# chaos_flood_only_to <port>: the bridge forwards frames from ARPFlood's sender MACs
# (02:5e:...) only to <port> (n<i>). All lab nodes share this machine's CPUs, so the flood's
# broadcast copies at the other nodes would load the owner's CPU as well, which on a real
# network they would not; the owner still receives the whole flood.
chaos_flood_only_to() {
    ip netns exec "$LAB_SWITCH" nft -f - <<EOF
table bridge $CHAOS_FLOOD_TABLE {
    chain forward {
        type filter hook forward priority 0; policy accept;
        ether saddr & ff:ff:00:00:00:00 == 02:5e:00:00:00:00 oifname != "$1" counter drop
    }
}
EOF
}

# chaos_cleanup: removes every table this file creates in the current lab (safe to repeat).
chaos_cleanup() {
    [ -n "${LAB_NAME:-}" ] || return 0
    local ns
    ip netns exec "$LAB_SWITCH" nft delete table bridge "$CHAOS_BRIDGE_TABLE" 2>/dev/null || true
    ip netns exec "$LAB_SWITCH" nft delete table bridge "$CHAOS_FLOOD_TABLE" 2>/dev/null || true
    for ns in $(lab_namespaces); do
        ip netns exec "$ns" nft delete table inet "$CHAOS_LOSS_TABLE" 2>/dev/null || true
    done
    return 0
}

# chaos_cleanup_on_exit: chaos_cleanup, then lab_down, when the script exits (also on INT,
# TERM, HUP, through lab_cleanup_on_exit's traps).
chaos_cleanup_on_exit() {
    lab_cleanup_on_exit
    trap 'chaos_cleanup; lab_down' EXIT
}

# chaos_speaker_pid <i>: the pid of node i's speaker process (lab_spawn's pid: setsid and
# `ip netns exec` exec the command, so it is swiftlb itself).
chaos_speaker_pid() { lab_pid "speaker-node$1"; }

# chaos_threads <pid>: threads of a process (its open fds: slb_open_fds).
chaos_threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# chaos_warning_events <service>: Warning events on default/<service>, one "reason: note" per line.
chaos_warning_events() {
    slb_kubectl -n default get events --field-selector "involvedObject.name=$1,type=Warning" \
        -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}' 2>/dev/null || true
}

# chaos_mark_logs: remembers how long every log of the lab is now; chaos_new_lines <name>
# prints what <name>'s log got since (so start-up churn is not mistaken for the fault's effect).
chaos_mark_logs() {
    local f
    for f in "$LAB_RUN"/*.log; do
        [ -e "$f" ] || continue
        wc -l <"$f" >"${f%.log}.mark"
    done
}
chaos_new_lines() {
    local mark=0
    [ -e "$LAB_RUN/$1.mark" ] && mark="$(cat "$LAB_RUN/$1.mark")"
    tail -n "+$((mark + 1))" "$LAB_RUN/$1.log" 2>/dev/null || true
}

# chaos_tail <name> [lines]: the last lines of a spawned process's log, indented.
chaos_tail() { tail -n "${2:-20}" "$LAB_RUN/$1.log" 2>/dev/null | sed "s/^/     $1| /"; }

# shellcheck shell=bash
# Faults for the chaos tests (Scripts/test.d/7x-lab-chaos*.sh): a partitioned switch, a
# flapping link, lossy gossip, a restarted API server with its state kept, and what to look
# at afterwards (fds, threads, Warning events, logs). Source after lib.sh and swiftlb.sh.
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

# chaos_fds <pid> / chaos_threads <pid>: open file descriptors and threads of a process.
chaos_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }
chaos_threads() { awk '/^Threads:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# chaos_owner <ip> <seconds>: the node number whose MAC alone answers for IP, waiting (bounded)
# until one MAC does: a speaker that has just started may answer for a moment before its
# gossip join (a known start-up transient), which is not what these tests are about.
chaos_owner() {
    local mac
    mac="$(chaos_wait_single_mac "$1" "$2")" || return 1
    slb_node_of_mac "$mac"
}

# chaos_wait_single_mac <ip> <seconds>: waits until one round of 10 probes is answered by
# exactly one MAC; prints it. Bounded.
chaos_wait_single_mac() {
    local deadline=$((SECONDS + $2)) macs
    while :; do
        macs="$(slb_answering_mac "$1" 1 2>/dev/null || true)"
        [ "$(wc -w <<<"$macs")" = 1 ] && { echo "$macs"; return 0; }
        (( SECONDS < deadline )) || { echo "$macs"; return 1; }
    done
}

# chaos_apiserver_start <state-file> [ARGS...]: the fake API server on the switch like
# slb_apiserver_start, but keeping its objects in <state-file>, on the same address and port
# on every start, so clients reconnect as to a restarted real API server. Plain HTTP without a
# token: a restarted KubeFake makes a new self-signed certificate, which the speakers'
# kubeconfig (read once at start) would not trust (a real API server keeps its certificate),
# and kubectl sends no bearer token over plain HTTP.
chaos_apiserver_start() {
    local state="$1" _
    shift
    ip -n "$LAB_SWITCH" addr replace "$SLB_API_IP/24" dev br0
    rm -f "$LAB_RUN/kubeconfig.new"
    lab_spawn switch apiserver "$SWIFTLB" fake-apiserver --listen "$SLB_API_IP:$SLB_API_PORT" \
        --state-file "$state" --kubeconfig-out "$LAB_RUN/kubeconfig.new" "$@" >/dev/null
    for _ in $(seq 150); do [ -s "$LAB_RUN/kubeconfig.new" ] && break; sleep 0.1; done
    [ -s "$LAB_RUN/kubeconfig.new" ] || lab_die "fake API server wrote no kubeconfig" || return 1
    mv -f "$LAB_RUN/kubeconfig.new" "$LAB_RUN/kubeconfig"
    for _ in $(seq 50); do slb_kubectl get namespaces >/dev/null 2>&1 && return 0; sleep 0.1; done
    lab_die "fake API server does not answer"
}

# chaos_cluster_up <state-file> [NODES_WITH_SPEAKERS]: like slb_cluster_up but with
# chaos_apiserver_start; speakers only on nodes 1..NODES_WITH_SPEAKERS (default all), the
# others' Pods are still registered as Running (gossip seeds). Speaker args: $CHAOS_SPEAKER_ARGS.
chaos_cluster_up() {
    local state="$1" speakers="${2:-$LAB_NODES}" i
    slb_binaries || return 1
    lab_up || return 1
    chaos_apiserver_start "$state" || return 1
    slb_base_objects || return 1
    slb_controller_start
    for i in $(seq "$speakers"); do
        # shellcheck disable=SC2086
        slb_speaker_start "$i" ${CHAOS_SPEAKER_ARGS:-}
    done
}

# chaos_warning_events <service>: Warning events on default/<service>, one "reason: note" per line.
chaos_warning_events() {
    slb_kubectl -n default get events --field-selector "involvedObject.name=$1,type=Warning" \
        -o jsonpath='{range .items[*]}{.reason}: {.message}{"\n"}{end}' 2>/dev/null || true
}

# chaos_metric <i> <name> [label-filter]: sum of a metric's samples on node i's speaker
# (lines starting with name, optionally containing label-filter); 0 if absent.
chaos_metric() {
    slb_metrics "$1" 2>/dev/null | awk -v m="$2" -v f="${3:-}" \
        'index($0, m) == 1 && (f == "" || index($0, f) > 0) && substr($0, length(m) + 1, 1) ~ /[ {]/ { s += $NF }
         END { print s + 0 }'
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

# shellcheck shell=bash
# keepalived (Debian's package) in the lab: one VRRP instance per node namespace, moving a
# VIP between nodes. The failover benchmark's anchor (Scripts/bench/failover) and the lab
# self-test use it. Source after lib.sh and `lab_init`.
#
# Choices (docs/lab.md explains them):
#   - VRRPv2 over multicast (224.0.0.18) on the node's eth0: the bridge floods it to every
#     node, as on a real LAN; nothing leaves the lab.
#   - advert_int 1 (the issue's anchor); a backup declares the master dead after
#     3 * advert_int + skew, skew = (256 - priority) / 256 s.
#   - priorities descend from node1 (250, 240, ...), every instance starts as BACKUP and
#     `nopreempt`: node1 wins the first election; a node restarted after a trial rejoins as
#     a backup instead of taking the VIP back (which would be a second failover per trial).
#   - keepalived's GARP defaults: on becoming master it sends garp_master_repeat = 5
#     gratuitous ARPs at once and again after garp_master_delay = 5 s. The first burst is
#     what the benchmark sees; the defaults are what users run.
#   - `-n` (no daemon), `-P` (VRRP only), `-R` (no respawn: a SIGKILL is a death), `-l -D -G`
#     (detailed logs to the console, which lab_spawn sends to the lab log, no syslog), its
#     config and pid files in the lab's run dir: /etc/keepalived is never read or written.

KEEPALIVED_VIP="${KEEPALIVED_VIP:-$LAB_SERVICE_IPV4}"
KEEPALIVED_VRID="${KEEPALIVED_VRID:-99}"

keepalived_priority() { echo $((250 - 10 * ($1 - 1))); }

# keepalived_configure <node>: writes the node's configuration into the lab's run dir.
keepalived_configure() {
    local node="$1"
    cat >"$LAB_RUN/keepalived-node$node.conf" <<CONF
global_defs {
    router_id slb-node$node
}

vrrp_instance lab_vip {
    state BACKUP
    nopreempt
    interface eth0
    virtual_router_id $KEEPALIVED_VRID
    priority $(keepalived_priority "$node")
    advert_int 1
    virtual_ipaddress {
        $KEEPALIVED_VIP/32 dev eth0
    }
}
CONF
}

# keepalived_start <node>: starts keepalived in the node's namespace as process
# `keepalived-node<i>` (log: $LAB_RUN/keepalived-node<i>.log).
keepalived_start() {
    local node="$1" base="$LAB_RUN/keepalived-node$1"
    # keepalived's own pid files live apart from the lab's <name>.pid records.
    mkdir -p "$base.d"
    [ -f "$base.conf" ] || keepalived_configure "$node"
    rm -f "$base.d"/*.pid
    lab_spawn "$node" "keepalived-node$node" \
        keepalived -n -P -R -l -D -G -f "$base.conf" \
        -p "$base.d/keepalived.pid" -r "$base.d/vrrp.pid" -c "$base.d/checkers.pid" >/dev/null
}

# keepalived_state_count <node> MASTER|BACKUP: how often the node's log says it entered
# that state (lets a caller wait for the next transition).
keepalived_state_count() {
    grep -c "Entering $2 STATE" "$LAB_RUN/keepalived-node$1.log" 2>/dev/null || true
}

# keepalived_wait_state <node> MASTER|BACKUP <previous-count> <timeout-s>: waits, bounded,
# until the node's log shows one more transition into that state than <previous-count>.
keepalived_wait_state() {
    local node="$1" state="$2" previous="$3" deadline=$((SECONDS + $4))
    while (( $(keepalived_state_count "$node" "$state") <= previous )); do
        if (( SECONDS >= deadline )); then
            echo "keepalived: node$node did not enter $state within $4 s; log:" >&2
            tail -n 20 "$LAB_RUN/keepalived-node$node.log" >&2 || true
            return 1
        fi
        sleep 0.05
    done
}

# keepalived_kill_node <node>: the node dies: SIGKILL to keepalived's process group and its
# link down at both ends, at (nearly) the same instant.
keepalived_kill_node() {
    lab_kill "keepalived-node$1" KILL
    lab_link "$1" down
}

# keepalived_restart_node <node>: the node comes back like after a reboot: without the VIP
# its killed keepalived could not remove, link up, keepalived started (as a backup).
keepalived_restart_node() {
    lab_exec "$1" ip addr del "$KEEPALIVED_VIP/32" dev eth0 2>/dev/null || true
    lab_link "$1" up
    keepalived_start "$1"
}

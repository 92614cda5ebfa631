# shellcheck shell=bash
# The network-namespace lab (DESIGN.md section 4) as sourceable bash functions, so that
# `Scripts/lab`, the failover benchmark, the demo and the tests share one implementation:
#
#     source Scripts/lab.d/lib.sh
#     lab_init mylab 3          # name (short, [a-z0-9]) and node count
#     lab_cleanup_on_exit       # trap 'lab_down' EXIT, and INT/TERM/HUP exit through it
#     lab_up
#     lab_spawn 1 keepalived -- keepalived -n ...
#     lab_link 1 down
#
# Topology: a switch namespace `slb-sw-<lab>` holding the Linux bridge `br0`; node
# namespaces `slb-node<i>-<lab>`, each with `eth0` (a veth whose peer `n<i>` is a port of
# the bridge); a client namespace `slb-client-<lab>` whose `eth0` has the peer `client` on
# the bridge. Every veth is created inside the switch namespace and its peer moved straight
# into the node namespace, so no interface ever appears in the host's namespace; nothing
# here touches the host's interfaces, routes, sysctls or firewall.
#
# Addressing plan (all of it exists only inside the lab's namespaces):
#   node i   MAC 02:5b:00:00:00:<i as 2 hex digits>  IPv4 10.99.0.<10+i>/24  IPv6 fd99::<10+i>/64
#   client   MAC 02:5b:00:00:00:c8                   IPv4 10.99.0.200/24     IPv6 fd99::200/64
#   bridge ports get MAC 02:5b:00:00:01:<i>; the client's port 02:5b:00:00:01:c8.
#   10.99.0.100 / fd99::100 are left free for the service IP / VIP under test.
#
# Processes started with `lab_spawn` run in their own session (so a signal reaches the
# whole process group), log to $LAB_RUN/<name>.log and have their pid in $LAB_RUN/<name>.pid
# (and their node in <name>.node). `lab_down` kills those, then anything still running
# inside the lab's namespaces (all of it was started by the lab), then deletes the
# namespaces (which deletes their veths and the bridge) and the run directory.

LAB_RUN_ROOT="${LAB_RUN_ROOT:-/run/swiftlb-lab}"
LAB_MAX_NODES=89   # 10.99.0.<10+i> must stay below the service IP 10.99.0.100

lab_die() { echo "lab: $*" >&2; return 1; }

# lab_init <name> [nodes]: sets the lab's name, node count and derived paths.
lab_init() {
    LAB_NAME="${1:-lab}"
    LAB_NODES="${2:-3}"
    [[ "$LAB_NAME" =~ ^[a-z0-9]{1,8}$ ]] \
        || lab_die "lab name '$LAB_NAME' must be 1-8 characters of [a-z0-9]" || return 1
    [[ "$LAB_NODES" =~ ^[0-9]+$ ]] && (( LAB_NODES >= 1 && LAB_NODES <= LAB_MAX_NODES )) \
        || lab_die "node count '$LAB_NODES' must be 1..$LAB_MAX_NODES" || return 1
    LAB_RUN="$LAB_RUN_ROOT/$LAB_NAME"
    LAB_SWITCH="slb-sw-$LAB_NAME"
    LAB_CLIENT="slb-client-$LAB_NAME"
}

lab_node_ns()   { echo "slb-node$1-$LAB_NAME"; }
lab_node_mac()  { printf '02:5b:00:00:00:%02x\n' "$1"; }
lab_node_ipv4() { echo "10.99.0.$((10 + $1))"; }
lab_node_ipv6() { echo "fd99::$((10 + $1))"; }
LAB_CLIENT_MAC="02:5b:00:00:00:c8"
LAB_CLIENT_IPV4="10.99.0.200"
LAB_CLIENT_IPV6="fd99::200"
LAB_SERVICE_IPV4="10.99.0.100"
LAB_SERVICE_IPV6="fd99::100"

# lab_ns <node>: namespace of a node given as `client`, `switch`, `<i>` or `node<i>`.
lab_ns() {
    case "$1" in
        client) echo "$LAB_CLIENT" ;;
        switch|sw) echo "$LAB_SWITCH" ;;
        node[0-9]*) lab_node_ns "${1#node}" ;;
        [0-9]*) lab_node_ns "$1" ;;
        *) lab_die "unknown node '$1' (client, switch, <i> or node<i>)" ;;
    esac
}

# lab_bridge_port <node>: the bridge-side name of a node's veth.
lab_bridge_port() {
    case "$1" in
        client) echo client ;;
        node[0-9]*) echo "n${1#node}" ;;
        [0-9]*) echo "n$1" ;;
        *) lab_die "node '$1' has no bridge port" ;;
    esac
}

# lab_namespaces: every namespace belonging to this lab that exists now (also leftovers
# of an earlier run with more nodes).
lab_namespaces() {
    ip netns list 2>/dev/null | awk '{print $1}' \
        | grep -E "^slb-(sw|client|node[0-9]+)-${LAB_NAME}\$" || true
}

# lab_cleanup_on_exit: `lab_down` when the script exits, also when it is interrupted or
# terminated (bash runs an EXIT trap on a fatal signal only if that signal is trapped).
lab_cleanup_on_exit() {
    trap 'lab_down' EXIT
    trap 'exit 129' HUP
    trap 'exit 130' INT
    trap 'exit 143' TERM
}

# lab_pids_in_ns <ns>: pids of processes whose network namespace is <ns>.
lab_pids_in_ns() { ip netns pids "$1" 2>/dev/null || true; }

# lab_down: removes everything the lab created. Safe to call twice and on a half-built lab.
lab_down() {
    [ -n "${LAB_NAME:-}" ] || return 0
    local pidfile pid ns
    if [ -d "$LAB_RUN" ]; then
        for pidfile in "$LAB_RUN"/*.pid; do
            [ -e "$pidfile" ] || continue
            pid="$(cat "$pidfile" 2>/dev/null || true)"
            [[ "$pid" =~ ^[0-9]+$ ]] && lab_pid_is_ours "$pid" && kill -KILL -- "-$pid" "$pid" 2>/dev/null
            rm -f "$pidfile"
        done
    fi
    for ns in $(lab_namespaces); do
        # Anything still running in our namespaces was started through the lab.
        for pid in $(lab_pids_in_ns "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
    done
    for ns in $(lab_namespaces); do
        ip netns delete "$ns" 2>/dev/null || true
    done
    # Only our own run directory. With LAB_KEEP_LOGS=1 the logs of this run are kept in
    # $LAB_RUN.logs (removed by the next `up` or `down` of the same lab).
    rm -rf "$LAB_RUN.logs"
    if [ -d "$LAB_RUN" ]; then
        if [ "${LAB_KEEP_LOGS:-0}" = 1 ]; then
            mv "$LAB_RUN" "$LAB_RUN.logs" 2>/dev/null || rm -rf "$LAB_RUN"
        else
            rm -rf "$LAB_RUN"
        fi
    fi
    # $LAB_RUN_ROOT itself stays: other labs may be creating their run dirs in it.
    return 0
}

# lab_pid_is_ours <pid>: true if the process runs inside one of this lab's namespaces
# (guards against killing an unrelated process that reused a recorded pid).
lab_pid_is_ours() {
    local ns
    for ns in $(lab_namespaces); do
        grep -qx "$1" <<<"$(lab_pids_in_ns "$ns")" && return 0
    done
    return 1
}

# lab_up: builds the lab, first removing leftovers of an earlier run with the same name.
lab_up() {
    [ -n "${LAB_NAME:-}" ] || lab_die "lab_init first" || return 1
    lab_down
    mkdir -p "$LAB_RUN"
    echo "$LAB_NODES" >"$LAB_RUN/nodes"

    ip netns add "$LAB_SWITCH"
    ip -n "$LAB_SWITCH" link set lo up
    ip -n "$LAB_SWITCH" link add br0 type bridge stp_state 0 forward_delay 0
    # The switch has no address of its own: it stays silent on the wire.
    ip -n "$LAB_SWITCH" link set br0 addrgenmode none
    ip -n "$LAB_SWITCH" link set br0 up

    local i
    for i in $(seq 1 "$LAB_NODES"); do
        lab_attach "$(lab_node_ns "$i")" "n$i" "$(printf '02:5b:00:00:01:%02x' "$i")" \
            "$(lab_node_mac "$i")" "$(lab_node_ipv4 "$i")" "$(lab_node_ipv6 "$i")"
    done
    lab_attach "$LAB_CLIENT" client 02:5b:00:00:01:c8 \
        "$LAB_CLIENT_MAC" "$LAB_CLIENT_IPV4" "$LAB_CLIENT_IPV6"
}

# lab_attach <ns> <port> <port-mac> <mac> <ipv4> <ipv6>: one namespace on the bridge.
lab_attach() {
    local ns="$1" port="$2" port_mac="$3" mac="$4" ipv4="$5" ipv6="$6"
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    # Created in the switch namespace, the peer goes straight into the node namespace.
    ip -n "$LAB_SWITCH" link add "$port" address "$port_mac" type veth \
        peer name eth0 address "$mac" netns "$ns"
    ip -n "$LAB_SWITCH" link set "$port" addrgenmode none
    ip -n "$LAB_SWITCH" link set "$port" master br0
    ip -n "$LAB_SWITCH" link set "$port" up
    ip -n "$ns" addr add "$ipv4/24" dev eth0
    ip -n "$ns" addr add "$ipv6/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
}

# lab_exec <node> CMD...: runs CMD inside the node's namespace in the foreground.
lab_exec() {
    local ns
    ns="$(lab_ns "$1")" || return 1
    shift
    ip netns exec "$ns" "$@"
}

# lab_spawn <node> <name> CMD...: starts CMD in the background inside the node's namespace,
# in its own session, logging (appending) to $LAB_RUN/<name>.log; records its pid.
lab_spawn() {
    local node="$1" name="$2" ns pid
    shift 2
    [[ "$name" =~ ^[A-Za-z0-9._-]+$ ]] || lab_die "process name '$name' must be [A-Za-z0-9._-]" || return 1
    ns="$(lab_ns "$node")" || return 1
    [ -d "$LAB_RUN" ] || lab_die "lab '$LAB_NAME' is not up" || return 1
    if lab_running "$name"; then lab_die "process '$name' is already running"; return 1; fi
    # setsid(1) only forks when it is a process group leader; force the fork-free path by
    # running it from a subshell without job control, so $! is the session leader's pid.
    (set +m; exec setsid ip netns exec "$ns" "$@" >>"$LAB_RUN/$name.log" 2>&1 </dev/null) &
    pid=$!
    # Out of the job table: no "Killed" notices from bash when the lab kills it.
    disown "$pid" 2>/dev/null || true
    echo "$pid" >"$LAB_RUN/$name.pid"
    echo "$node" >"$LAB_RUN/$name.node"
    echo "$pid"
}

# lab_pid <name>: the recorded pid of a spawned process (empty if none).
lab_pid() { cat "$LAB_RUN/$1.pid" 2>/dev/null || true; }

# lab_alive <pid>: true if the process exists and is not a zombie waiting to be reaped.
lab_alive() {
    local stat
    stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
    stat="${stat##*) }"
    [ "${stat%% *}" != Z ]
}

# lab_running <name>: true if the spawned process is alive.
lab_running() {
    local pid
    pid="$(lab_pid "$1")"
    [ -n "$pid" ] && lab_alive "$pid"
}

# lab_kill <name> [signal]: signals the spawned process's whole process group (default
# TERM). For KILL the pid file is removed at once; otherwise when it has exited.
lab_kill() {
    local name="$1" signal="${2:-TERM}" pid
    pid="$(lab_pid "$name")"
    [ -n "$pid" ] || lab_die "no process named '$name'" || return 1
    kill -s "$signal" -- "-$pid" 2>/dev/null || kill -s "$signal" "$pid" 2>/dev/null || true
    if [ "$signal" = KILL ] || [ "$signal" = 9 ]; then
        rm -f "$LAB_RUN/$name.pid"
    fi
}

# lab_wait_exit <name> <timeout-s>: waits (bounded) for a spawned process to exit.
lab_wait_exit() {
    local name="$1" deadline=$((SECONDS + ${2:-10})) pid
    pid="$(lab_pid "$name")"
    [ -n "$pid" ] || return 0
    while lab_alive "$pid"; do
        (( SECONDS < deadline )) || return 1
        sleep 0.05
    done
    rm -f "$LAB_RUN/$name.pid"
}

# lab_link <node> up|down: sets the node's veth from both ends, node side and bridge side.
lab_link() {
    local node="$1" state="$2" ns port
    [[ "$state" == up || "$state" == down ]] || lab_die "link state must be up or down" || return 1
    ns="$(lab_ns "$node")" || return 1
    port="$(lab_bridge_port "$node")" || return 1
    # Both ends at (nearly) the same instant; `wait $!`, not `wait`: the caller may have
    # other background children (spawned daemons).
    ip -n "$ns" link set eth0 "$state" &
    local node_side=$!
    ip -n "$LAB_SWITCH" link set "$port" "$state"
    wait "$node_side"
}

# lab_status: namespaces, links with MACs and addresses, spawned processes.
lab_status() {
    local ns name pidfile pid state
    local namespaces
    namespaces="$(lab_namespaces)"
    if [ -z "$namespaces" ]; then
        echo "lab $LAB_NAME: down"
        return 0
    fi
    echo "lab $LAB_NAME: up (run dir $LAB_RUN)"
    for ns in $namespaces; do
        echo "== $ns"
        ip -n "$ns" -br link show | grep -v '^lo ' | sed 's/^/  /'
        ip -n "$ns" -br addr show | grep -v '^lo ' | sed 's/^/  /'
    done
    echo "== processes"
    for pidfile in "$LAB_RUN"/*.pid; do
        [ -e "$pidfile" ] || continue
        name="$(basename "$pidfile" .pid)"
        pid="$(cat "$pidfile")"
        if lab_alive "$pid"; then state=running; else state=exited; fi
        printf '  %-24s node=%-8s pid=%-8s %s log=%s\n' "$name" \
            "$(cat "$LAB_RUN/$name.node" 2>/dev/null)" "$pid" "$state" "$LAB_RUN/$name.log"
    done
}

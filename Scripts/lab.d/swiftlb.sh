# shellcheck shell=bash
# A SwiftLB cluster inside the network-namespace lab: the fake API server on the switch,
# the controller, one `swiftlb speaker` per node, and helpers to create Services and to ask
# the client which MAC answers, and the speakers' metrics. Shared by Scripts/demo-lab, the
# failover, soak and memory benchmarks and the lab end-to-end and chaos tests (one
# implementation of each helper they share), so each of them says only what it tests.
# Source it after lib.sh and `lab_init`; `slb_cluster_up` calls `lab_up` itself.
#
#     source Scripts/lab.d/lib.sh; source Scripts/lab.d/swiftlb.sh
#     lab_init e2e1 3; lab_cleanup_on_exit
#     slb_cluster_up --profile fast
#     ip="$(slb_service web Cluster)"          # waits for the controller's ingress IP
#     mac="$(slb_answering_mac "$ip" 10)"      # which node answers ARP/NDP for it
#
# Binaries: $SWIFTLB (default .build/release/swiftlb if present, else .build/debug/swiftlb)
# and $ARP_PROBE (Benchmarks/.build/{release,debug}/arp-probe). Nothing is built here.
#
# Processes (lab_spawn names): `apiserver` (switch), `controller` (switch),
# `speaker-node<i>` (node i). The speakers' metrics listen on the node's lab IPv4, port
# $SLB_METRICS_PORT, reachable from the switch namespace (slb_metrics <i>).

SLB_API_IP=10.99.0.254
SLB_API_PORT=6443
SLB_NS=metallb-system
SLB_METRICS_PORT=7472
SLB_POOL_V4="10.99.0.100-10.99.0.109"
SLB_POOL_V6="fd99::100-fd99::109"
SLB_SPEAKER_LABELS="app=swiftlb,component=speaker"

slb_pick() { local f; for f in "$@"; do [ -x "$f" ] && { echo "$f"; return 0; }; done; return 1; }

# slb_binaries: sets SWIFTLB and ARP_PROBE (environment wins) or fails naming the build.
slb_binaries() {
    local root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    SWIFTLB="${SWIFTLB:-$(slb_pick "$root/.build/release/swiftlb" "$root/.build/debug/swiftlb" || true)}"
    ARP_PROBE="${ARP_PROBE:-$(slb_pick "$root/Benchmarks/.build/release/arp-probe" \
        "$root/Benchmarks/.build/debug/arp-probe" || true)}"
    [ -x "${SWIFTLB:-}" ] || lab_die "no swiftlb binary (swift build --product swiftlb)" || return 1
    [ -x "${ARP_PROBE:-}" ] || lab_die "no arp-probe (swift build --package-path Benchmarks --product arp-probe)" || return 1
}

# slb_kubectl ARGS...: kubectl against the lab's API server (from the switch namespace).
slb_kubectl() {
    ip netns exec "$LAB_SWITCH" kubectl --kubeconfig "$LAB_RUN/kubeconfig" --request-timeout=5s "$@"
}

# slb_apply: applies the YAML on standard input. KubeFake reads JSON/YAML, not protobuf,
# and serves no OpenAPI, hence apply with --validate=false.
slb_apply() { slb_kubectl apply --validate=false -f - >/dev/null; }

# slb_apiserver_start [--state-file FILE] [ARGS...]: the fake API server on the switch; waits
# until it answers. Idempotent for the bridge address. By default TLS with a bearer token
# ($SLB_TOKEN), and a restarted KubeFake starts empty. With --state-file it keeps its objects
# in FILE, on the same address and port on every start, so clients reconnect as to a
# restarted real API server; then plain HTTP without a token: a restarted KubeFake makes a
# new self-signed certificate, which the speakers' kubeconfig (read once at start) would not
# trust (a real API server keeps its certificate), and kubectl sends no bearer token over
# plain HTTP. The kubeconfig it writes replaces $LAB_RUN/kubeconfig once complete; its URL
# is left in SLB_API_URL.
slb_apiserver_start() {
    local mode=() _
    if [ "${1:-}" = --state-file ]; then
        mode=(--state-file "$2")
        shift 2
        SLB_API_URL="http://$SLB_API_IP:$SLB_API_PORT"
    else
        SLB_TOKEN="${SLB_TOKEN:-lab-$RANDOM$RANDOM}"
        mode=(--tls --token "$SLB_TOKEN")
        SLB_API_URL="https://$SLB_API_IP:$SLB_API_PORT"
        rm -f "$LAB_RUN/kubeconfig"
    fi
    ip -n "$LAB_SWITCH" addr replace "$SLB_API_IP/24" dev br0
    rm -f "$LAB_RUN/kubeconfig.new"
    lab_spawn switch apiserver "$SWIFTLB" fake-apiserver --listen "$SLB_API_IP:$SLB_API_PORT" \
        "${mode[@]}" --kubeconfig-out "$LAB_RUN/kubeconfig.new" "$@" >/dev/null
    for _ in $(seq 150); do [ -s "$LAB_RUN/kubeconfig.new" ] && break; sleep 0.1; done
    [ -s "$LAB_RUN/kubeconfig.new" ] || lab_die "fake API server wrote no kubeconfig" || return 1
    mv -f "$LAB_RUN/kubeconfig.new" "$LAB_RUN/kubeconfig"
    for _ in $(seq 50); do slb_kubectl get namespaces >/dev/null 2>&1 && return 0; sleep 0.1; done
    lab_die "fake API server does not answer"
}

# slb_kubefake_faults JSON: KubeFake's fault switch (/_fake/faults, unauthenticated by
# design), e.g. '{"pause":true}' holds every request until '{"pause":false}'.
slb_kubefake_faults() {
    ip netns exec "$LAB_SWITCH" curl -fsSk --max-time 3 -H 'Content-Type: application/json' \
        -X POST -d "$1" "${SLB_API_URL:-https://$SLB_API_IP:$SLB_API_PORT}/_fake/faults" >/dev/null
}

# slb_nodes_yaml: the namespace, and a Node and a speaker Pod (the speakers' gossip seeds,
# once Running) per lab node, as YAML.
slb_nodes_yaml() {
    local i
    printf 'apiVersion: v1\nkind: Namespace\nmetadata: {name: %s}\n---\n' "$SLB_NS"
    for i in $(seq "$LAB_NODES"); do
        cat <<EOF
apiVersion: v1
kind: Node
metadata: {name: node$i}
---
apiVersion: v1
kind: Pod
metadata:
  name: speaker-node$i
  namespace: $SLB_NS
  labels: {app: swiftlb, component: speaker}
spec:
  nodeName: node$i
  containers: [{name: speaker, image: swiftlb}]
---
EOF
    done
}

# slb_base_objects: slb_nodes_yaml with every speaker Pod Running, an IPAddressPool with
# IPv4 and IPv6 ranges, an L2Advertisement.
slb_base_objects() {
    local i
    {
        slb_nodes_yaml
        cat <<EOF
apiVersion: metallb.io/v1beta1
kind: IPAddressPool
metadata: {name: lab, namespace: $SLB_NS}
spec:
  addresses: [$SLB_POOL_V4, $SLB_POOL_V6]
---
apiVersion: metallb.io/v1beta1
kind: L2Advertisement
metadata: {name: lab, namespace: $SLB_NS}
spec:
  ipAddressPools: [lab]
EOF
    } | slb_apply
    for i in $(seq "$LAB_NODES"); do slb_speaker_pod_running "$i"; done
}

# slb_speaker_pod_running <i>: marks node i's speaker Pod Running with its lab IP.
slb_speaker_pod_running() {
    local ip
    ip="$(lab_node_ipv4 "$1")"
    slb_kubectl -n "$SLB_NS" patch pod "speaker-node$1" --subresource=status --type=merge \
        -p "{\"status\":{\"phase\":\"Running\",\"podIP\":\"$ip\",\"podIPs\":[{\"ip\":\"$ip\"}]}}" >/dev/null
}

# slb_controller_start [ARGS...]: the controller on the switch.
slb_controller_start() {
    lab_spawn switch controller "$SWIFTLB" controller --namespace "$SLB_NS" \
        --kubeconfig "$LAB_RUN/kubeconfig" --metrics-host 127.0.0.1 "$@" >/dev/null
}

# slb_speaker_start <i> [ARGS...]: node i's speaker with profile $SLB_PROFILE (lan|fast).
slb_speaker_start() {
    local i="$1"; shift
    lab_spawn "$i" "speaker-node$i" "$SWIFTLB" speaker --node-name "node$i" \
        --ml-bind-addr "$(lab_node_ipv4 "$i")" --ml-labels "$SLB_SPEAKER_LABELS" \
        --namespace "$SLB_NS" --kubeconfig "$LAB_RUN/kubeconfig" --profile "${SLB_PROFILE:-fast}" \
        --metrics-host "$(lab_node_ipv4 "$i")" --metrics-port "$SLB_METRICS_PORT" "$@" >/dev/null
}

# slb_cluster_up [--profile lan|fast] [--no-controller] [--state-file FILE] [-- SPEAKER_ARGS...]:
# lab_up, the API server (slb_apiserver_start, with --state-file FILE if given), the base
# objects, the controller and every node's speaker.
slb_cluster_up() {
    local controller=1 apiserver=()
    SLB_PROFILE="${SLB_PROFILE:-fast}"
    while [ $# -gt 0 ]; do
        case "$1" in
            --profile) SLB_PROFILE="$2"; shift 2 ;;
            --no-controller) controller=0; shift ;;
            --state-file) apiserver=(--state-file "$2"); shift 2 ;;
            --) shift; break ;;
            *) lab_die "slb_cluster_up: unknown option $1" || return 1 ;;
        esac
    done
    slb_binaries || return 1
    lab_up || return 1
    slb_apiserver_start "${apiserver[@]}" || return 1
    slb_base_objects || return 1
    [ "$controller" = 0 ] || slb_controller_start
    local i
    for i in $(seq "$LAB_NODES"); do slb_speaker_start "$i" "$@"; done
}

# slb_service <name> [Cluster|Local] [IPv4|IPv6] [endpoint-node...]: a LoadBalancer Service in
# `default` with one ready endpoint per given node (default: node1), then waits up to 30 s
# for the controller's ingress IP and prints it.
slb_service() {
    slb_service_yaml "$@" | slb_apply
    slb_wait_ingress "$1" 30
}

# slb_service_yaml <name> [Cluster|Local] [IPv4|IPv6] [endpoint-node...]: slb_service's
# Service and EndpointSlice as YAML (without waiting for anything).
slb_service_yaml() {
    local name="$1" policy="${2:-Cluster}" family="${3:-IPv4}"
    shift 3 2>/dev/null || shift $#
    local nodes=("$@")
    [ ${#nodes[@]} -gt 0 ] || nodes=(1)
    cat <<EOF
apiVersion: v1
kind: Service
metadata: {name: $name, namespace: default}
spec:
  type: LoadBalancer
  externalTrafficPolicy: $policy
  ipFamilies: [$family]
  selector: {app: $name}
  ports: [{name: web, port: 80, protocol: TCP}]
---
EOF
    slb_endpoints_yaml "$name" "$family" "${nodes[@]}"
}

# slb_endpoints_yaml <service> <IPv4|IPv6> <node...>: the Service's EndpointSlice with one
# ready endpoint on each node (apply it to move endpoints).
slb_endpoints_yaml() {
    local name="$1" family="$2" n
    shift 2
    cat <<EOF
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata:
  name: $name-1
  namespace: default
  labels: {kubernetes.io/service-name: $name}
addressType: $family
ports: [{name: web, port: 80, protocol: TCP}]
endpoints:
EOF
    for n in "$@"; do
        if [ "$family" = IPv6 ]; then
            echo "- {addresses: [\"fd00:244::$n\"], nodeName: node$n, conditions: {ready: true}}"
        else
            echo "- {addresses: [10.244.$n.10], nodeName: node$n, conditions: {ready: true}}"
        fi
    done
}

# slb_wait_ingress <service> <seconds>: prints the Service's first ingress IP once set.
slb_wait_ingress() {
    local deadline=$((SECONDS + $2)) ip=""
    while (( SECONDS < deadline )); do
        ip="$(slb_kubectl -n default get service "$1" -o jsonpath='{.status.loadBalancer.ingress[0].ip}' 2>/dev/null || true)"
        [ -n "$ip" ] && { echo "$ip"; return 0; }
        sleep 0.2
    done
    lab_die "service default/$1 got no ingress IP within $2 s"
}

# slb_probe <ip> [ARP_PROBE ARGS...]: arp-probe from the client's eth0 for IP; JSON lines out.
slb_probe() {
    local ip="$1"; shift
    lab_exec client "$ARP_PROBE" --interface eth0 --target "$ip" "$@"
}

# slb_answering_mac <ip> <seconds>: the MAC(s) answering ARP/NDP for IP: probes in rounds of
# 10 (200 ms) until a round gets an answer, for at most <seconds>; prints every MAC of that
# round (space-separated) and fails if nobody answered or two MACs did.
slb_answering_mac() {
    local deadline=$((SECONDS + $2)) out macs=""
    while :; do
        out="$(slb_probe "$1" --count 10 --quiet 2>/dev/null || true)"
        macs="$(sed -nE 's/.*"macs":\[([^]]*)\].*/\1/p' <<<"$out" | tr -d '"' | tr ',' ' ')"
        [ -n "$macs" ] && break
        (( SECONDS < deadline )) || { lab_die "nobody answered for $1 within $2 s"; return 1; }
    done
    echo "$macs"
    [ "$(wc -w <<<"$macs")" = 1 ]
}

# slb_round <ip> [count]: one probing round from the client (default 10 probes, 20 ms
# apart); prints "<replies> <sent> <mac> <mac>..." (MACs that answered, in order seen).
slb_round() {
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

# slb_sole_mac <ip> <seconds> [--full] [--mac MAC]: waits, bounded, until one round of 10
# probes is answered by exactly one MAC, and prints it. --full: with every probe of the
# round answered but at most one; --mac: by that MAC. On timeout it prints the last round's
# MACs (nothing if none answered), that round on standard error, and fails. A speaker that
# has just started may answer for a moment before its gossip join (a known start-up
# transient), which the rounds before the one that counts absorb.
slb_sole_mac() {
    local ip="$1" deadline=$((SECONDS + $2)) full=0 want="" r
    shift 2
    while [ $# -gt 0 ]; do
        case "$1" in
            --full) full=1; shift ;;
            --mac) want="$2"; shift 2 ;;
            *) lab_die "slb_sole_mac: unknown option $1" || return 1 ;;
        esac
    done
    while :; do
        r="$(slb_round "$ip")"
        # shellcheck disable=SC2086
        set -- $r
        if [ $# -eq 3 ] && { [ "$full" = 0 ] || (( $1 >= $2 - 1 )); } && { [ -z "$want" ] || [ "$3" = "$want" ]; }; then
            echo "$3"
            return 0
        fi
        if (( SECONDS >= deadline )); then
            echo "${*:3}"
            echo "last round (replies sent macs): $r" >&2
            return 1
        fi
    done
}

# slb_sole_owner <ip> <seconds> [--full]: the node number whose MAC alone answers for IP
# (slb_sole_mac); fails if none does in time or the MAC is not a node's.
slb_sole_owner() {
    local mac node
    mac="$(slb_sole_mac "$@")" || return 1
    node="$(slb_node_of_mac "$mac")" || { echo "answered by $mac, not a node" >&2; return 1; }
    echo "$node"
}

# slb_node_of_mac <mac>: the node number of a lab MAC, empty for anything else.
slb_node_of_mac() {
    local i
    for i in $(seq "$LAB_NODES"); do [ "$1" = "$(lab_node_mac "$i")" ] && { echo "$i"; return 0; }; done
    return 1
}

# slb_metrics <i>: node i's speaker /metrics text.
slb_metrics() {
    ip netns exec "$(lab_node_ns "$1")" curl -fsS --max-time 3 \
        "http://$(lab_node_ipv4 "$1"):$SLB_METRICS_PORT/metrics"
}

# slb_metric_first <i> <name> [label-regex]: the value of the first sample of node i's
# speaker metric <name> whose name-and-labels field matches the regex (default any); empty
# if there is none; fails if the speaker does not answer.
slb_metric_first() {
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

# slb_metric_sum <i> <name> [label-filter]: the sum of all samples of node i's speaker
# metric <name> (slb_sum_samples); 0 if absent or if the speaker does not answer.
slb_metric_sum() {
    slb_metrics "$1" 2>/dev/null | slb_sum_samples "$2" "${3:-}"
}

# slb_sum_samples <name> [label-filter]: Prometheus text on standard input; the sum of the
# samples of metric <name> (lines starting with the name, then labels or a space) that
# contain label-filter as plain text (default: every sample); 0 if there are none.
slb_sum_samples() {
    awk -v m="$1" -v f="${2:-}" \
        'index($0, m) == 1 && (f == "" || index($0, f) > 0) && substr($0, length(m) + 1, 1) ~ /[ {]/ { s += $NF }
         END { print s + 0 }'
}

# slb_gossip_members <i> [state]: node i's speaker's gossip member gauge for <state> (default
# alive) as an integer; fails if the speaker does not answer or has not published it yet
# (the gauge is set on the first member event).
slb_gossip_members() {
    local value
    value="$(slb_metrics "$1" 2>/dev/null \
        | sed -n "s/^swiftlb_gossip_members{state=\"${2:-alive}\"} \([0-9.]*\)$/\1/p")"
    [ -n "$value" ] || return 1
    echo "${value%.*}"
}

# slb_wait_members <count> <timeout-s> [node...]: bounded wait until every given speaker
# (default: every node) sees <count> members alive or suspect and none dead — the cluster
# has re-converged after a death or a restart. Suspects count as members, as in MetalLB's
# election; and the speaker refreshes its gauge only on member events, which a refuted
# suspicion does not raise (memberlist semantics), so "suspect" may stay at 1 after a
# restarted node was briefly suspected and has long refuted it.
slb_wait_members() {
    local count="$1" timeout="$2" deadline=$((SECONDS + $2)) node missing alive suspect dead
    shift 2
    local nodes=("$@")
    [ ${#nodes[@]} -gt 0 ] || mapfile -t nodes < <(seq "$LAB_NODES")
    while :; do
        missing=""
        for node in "${nodes[@]}"; do
            alive="$(slb_gossip_members "$node" alive || echo -)"
            suspect="$(slb_gossip_members "$node" suspect || echo -)"
            dead="$(slb_gossip_members "$node" dead || echo -)"
            if [ "$alive" = - ] || [ "$suspect" = - ] || [ "$((alive + suspect))" != "$count" ] || [ "$dead" != 0 ]; then
                missing+=" node$node(alive=$alive,suspect=$suspect,dead=$dead)"
            fi
        done
        [ -z "$missing" ] && return 0
        (( SECONDS < deadline )) || { lab_die "no $count alive gossip members within $timeout s on:$missing"; return 1; }
        sleep 0.1
    done
}

# slb_node_die <i>: node i dies — its speaker's process group SIGKILLed and its link set
# down at both ends right after (as the keepalived anchor's node death).
slb_node_die() {
    lab_kill "speaker-node$1" KILL
    lab_link "$1" down
}

# slb_node_restart <i> [SPEAKER_ARGS...]: node i comes back like after a reboot: link up,
# speaker started (nothing else to clean: a SwiftLB speaker keeps no address on the host).
slb_node_restart() {
    local i="$1"; shift
    lab_link "$i" up
    slb_speaker_start "$i" "$@"
}

# slb_process_stats <name>: "<rss-kB> <open-fds> <anon-kB>" of a spawned process (its pid is the
# daemon's own: lab_spawn execs through setsid and ip netns exec); fails if it is gone.
slb_process_stats() {
    local pid rss fds anon
    pid="$(lab_pid "$1")"
    [ -n "$pid" ] && lab_alive "$pid" || return 1
    rss="$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)"
    anon="$(sed -n 's/^RssAnon:[[:space:]]*\([0-9]*\) kB/\1/p' "/proc/$pid/status" 2>/dev/null)"
    fds="$(slb_open_fds "$pid")"
    [ -n "$rss" ] || return 1
    echo "$rss $fds ${anon:-0}"
}

# slb_open_fds <pid>: how many file descriptors the process has open.
slb_open_fds() { find "/proc/$1/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l; }

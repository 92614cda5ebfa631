#!/usr/bin/env python3
"""Drives Scripts/bench/gossip: member processes on 127.0.0.1, their JSON event lines, SIGKILL
trials, nftables byte counters and /proc RSS. Every process and the nft table it creates are
removed on exit, also on failure."""
import json, os, signal, socket, statistics, subprocess, sys, threading, time, atexit

SWIFTLB = os.environ["SWIFTLB_BIN"]
GOPEER = os.environ["GOPEER_BIN"]
TRIALS = int(os.environ.get("TRIALS", "20"))
TRIALS_LAN = int(os.environ.get("TRIALS_LAN", str(TRIALS)))
STEADY_SECONDS = float(os.environ.get("STEADY_SECONDS", "10"))
SETTLE_SECONDS = float(os.environ.get("SETTLE_SECONDS", "5"))
NFT_TABLE = f"slb-gbench-{os.getpid()}"
LOSS_NETNS = f"slb-gloss-{os.getpid()}"
processes = []
netns_prefix = []  # set by the loss scenario: members run inside its namespace


def cleanup():
    for member in processes:
        if member.proc.poll() is None:
            member.proc.kill()
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], stderr=subprocess.DEVNULL)
    subprocess.run(["ip", "netns", "delete", LOSS_NETNS], stderr=subprocess.DEVNULL)


atexit.register(cleanup)
signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))


def free_port():
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as tcp:
            tcp.bind(("127.0.0.1", 0))
            port = tcp.getsockname()[1]
            try:
                with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as udp:
                    udp.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue


class Member:
    def __init__(self, impl, name, profile, seeds):
        self.name, self.impl, self.port = name, impl, free_port()
        if impl == "swift":
            argv = [SWIFTLB, "members", "--name", name, "--bind", f"127.0.0.1:{self.port}", "--profile", profile]
            for seed in seeds:
                argv += ["--join", f"127.0.0.1:{seed.port}"]
        else:
            argv = [GOPEER, "-name", name, "-bind", f"127.0.0.1:{self.port}", "-profile", profile]
            for seed in seeds:
                argv += ["-join", f"127.0.0.1:{seed.port}"]
        self.proc = subprocess.Popen(netns_prefix + argv, stdout=subprocess.PIPE, stdin=subprocess.PIPE, stderr=subprocess.DEVNULL)
        self.events = []  # (monotonic arrival, event dict)
        self.cond = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()
        processes.append(self)

    def _read(self):
        for line in self.proc.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            with self.cond:
                self.events.append((time.monotonic(), event))
                self.cond.notify_all()

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for arrival, event in self.events:
                    if predicate(event):
                        return arrival
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{self.name}: timed out")
                self.cond.wait(remaining)

    def rss_kib(self):
        with open(f"/proc/{self.proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        return 0

    def pss_kib(self):
        """Proportional set size: shared libraries divided among the processes mapping them."""
        with open(f"/proc/{self.proc.pid}/smaps_rollup") as rollup:
            for line in rollup:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
        return 0


def percentile(values, fraction):
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * (len(ordered) - 1)))))
    return ordered[index]


def wait_converged(members, timeout=60):
    for observer in members:
        for member in members:
            observer.wait_for(lambda e, n=member.name: e.get("event") == "join" and e.get("node") == n, timeout)


def nft_counters(members):
    rules = "\n".join(
        f"        udp sport {m.port} counter comment \"u{m.port}\"\n        tcp sport {m.port} counter comment \"t{m.port}\""
        for m in members)
    script = f"table inet {NFT_TABLE} {{\n    chain out {{\n        type filter hook output priority 0; policy accept;\n{rules}\n    }}\n}}\n"
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], stderr=subprocess.DEVNULL)
    subprocess.run(["nft", "-f", "-"], input=script.encode(), check=True)


def nft_bytes():
    out = subprocess.run(["nft", "-j", "list", "table", "inet", NFT_TABLE], capture_output=True, check=True).stdout
    total = 0
    for item in json.loads(out)["nftables"]:
        rule = item.get("rule")
        if rule:
            for expr in rule["expr"]:
                if "counter" in expr:
                    total += expr["counter"]["bytes"]
    return total


def run(impl, profile, size, trials):
    bound = 40 if profile == "lan" else 10
    seed = Member(impl, f"{impl[0]}0", profile, [])
    seed.wait_for(lambda e: e.get("event") == "ready", 10)
    members = [seed] + [Member(impl, f"{impl[0]}{i}", profile, [seed]) for i in range(1, size)]
    wait_converged(members)
    # Steady state: bytes sent by all members over STEADY_SECONDS, once the join broadcasts
    # have run out their retransmit limit.
    time.sleep(SETTLE_SECONDS)
    nft_counters(members)
    start_bytes, start = nft_bytes(), time.monotonic()
    time.sleep(STEADY_SECONDS)
    sent = nft_bytes() - start_bytes
    elapsed = time.monotonic() - start
    bytes_per_member = sent / elapsed / size
    rss = [m.rss_kib() / 1024 for m in members]
    pss = [m.pss_kib() / 1024 for m in members]
    subprocess.run(["nft", "delete", "table", "inet", NFT_TABLE], stderr=subprocess.DEVNULL)

    detections, false_dead, next_id = [], 0, size
    for trial in range(trials):
        victim = members[1 + trial % (size - 1)]
        observers = [m for m in members if m is not victim]
        killed = time.monotonic()
        victim.proc.kill()
        victim.proc.wait()
        latest = killed
        for observer in observers:
            arrival = observer.wait_for(lambda e, n=victim.name: e.get("event") == "dead" and e.get("node") == n, bound)
            latest = max(latest, arrival)
        detections.append(latest - killed)
        members.remove(victim)
        replacement = Member(impl, f"{impl[0]}{next_id}", profile, [seed])
        next_id += 1
        members.insert(1 + trial % (size - 1), replacement)
        wait_converged([replacement] + observers)
    for observer in members:
        dead_names = {e.get("node") for _, e in observer.events if e.get("event") == "dead"}
        false_dead += len([n for n in dead_names if any(m.name == n for m in members)])
    for member in members:
        member.proc.kill()
        member.proc.wait()
    processes.clear()
    label = f"gossip {impl:5} {profile:4} n={size:2}"
    print(f"{label} crash-to-dead-everywhere p50 {percentile(detections, 0.5) * 1000:.0f} ms  p99 {percentile(detections, 0.99) * 1000:.0f} ms  ({len(detections)} trials)", flush=True)
    print(f"{label} bytes-sent-per-member {bytes_per_member:.0f} B/s (IP bytes, steady state {STEADY_SECONDS:.0f} s)", flush=True)
    print(f"{label} rss-per-member mean {statistics.mean(rss):.1f} MB  max {max(rss):.1f} MB  (pss mean {statistics.mean(pss):.1f} MB)", flush=True)
    print(f"{label} false-dead-events {false_dead}", flush=True)


def loss(impl, size, minutes, percent):
    """`size` members with the fast profile in a fresh network namespace whose loopback drops
    `percent` % of packets at random (nftables numgen; the kernel has no netem). Counts "dead"
    events about members that never stopped (false positives) and suspicions."""
    global netns_prefix
    subprocess.run(["ip", "netns", "add", LOSS_NETNS], check=True)
    subprocess.run(["ip", "-n", LOSS_NETNS, "link", "set", "lo", "up"], check=True)
    rules = (f"table inet slb-loss {{\n  chain in {{\n    type filter hook input priority 0; policy accept;\n"
             f"    numgen random mod 100 < {percent} counter drop\n  }}\n}}\n")
    subprocess.run(["ip", "netns", "exec", LOSS_NETNS, "nft", "-f", "-"], input=rules.encode(), check=True)
    netns_prefix = ["ip", "netns", "exec", LOSS_NETNS]
    try:
        # Ports are picked in the host namespace but only used inside the fresh one.
        seed = Member(impl, f"{impl[0]}0", "fast", [])
        seed.wait_for(lambda e: e.get("event") == "ready", 10)
        members = [seed] + [Member(impl, f"{impl[0]}{i}", "fast", [seed]) for i in range(1, size)]
        wait_converged(members)
        time.sleep(minutes * 60)
        false_dead = sum(1 for m in members for _, e in m.events if e.get("event") == "dead")
        suspects = sum(1 for m in members for _, e in m.events if e.get("event") == "suspect")
        dropped = subprocess.run(["ip", "netns", "exec", LOSS_NETNS, "nft", "list", "table", "inet", "slb-loss"],
                                 capture_output=True, text=True).stdout
        drops = dropped.split("packets ")[1].split()[0] if "packets " in dropped else "?"
        for member in members:
            member.proc.kill()
            member.proc.wait()
        processes.clear()
        label = f"gossip {impl:5} fast n={size:2} loss {percent}% {minutes:g} min"
        print(f"{label} false-dead-events {false_dead}  suspect-events {suspects}  packets-dropped {drops}", flush=True)
    finally:
        netns_prefix = []
        subprocess.run(["ip", "netns", "delete", LOSS_NETNS], stderr=subprocess.DEVNULL)


def main():
    if sys.argv[1:2] == ["loss"]:
        minutes = float(os.environ.get("LOSS_MINUTES", "10"))
        for impl in sys.argv[2:] or ["swift"]:
            loss(impl, int(os.environ.get("LOSS_MEMBERS", "10")), minutes, int(os.environ.get("LOSS_PERCENT", "5")))
        return
    profiles = sys.argv[1:] or ["lan", "fast"]
    for profile in profiles:
        trials = TRIALS_LAN if profile == "lan" else TRIALS
        for size in (3, 10):
            for impl in ("swift", "go"):
                run(impl, profile, size, trials)


main()

#!/usr/bin/env python3
"""Writes sha256-order.json: MetalLB's owner order computed independently with hashlib.

MetalLB's speaker (speaker/layer2_controller.go, ShouldAnnounce) sorts candidate nodes by
sha256("<nodeName>#<ip>") compared bytewise, where <ip> is Go's net.IP.String() of the
first ingress IP: a dotted quad for IPv4 and for IPv4-mapped IPv6, RFC 5952 text otherwise.
Run from this directory: python3 make_sha256_order.py > sha256-order.json
"""
import hashlib
import ipaddress
import json

NODES = [
    "node-1", "node-2", "node-3", "node-10", "worker-a", "worker-b",
    "k3s-server", "kind-control-plane", "kind-worker", "kind-worker2",
    "rpi4.home.arpa", "n",
]

# Inputs as a user might write them; the hashed text is Go's canonical form.
IPS = [
    "192.168.1.240", "192.168.1.241", "10.0.0.1", "172.16.255.255", "0.0.0.0",
    "fd00::1", "FD00:0:0:0:0:0:0:1", "2001:db8::", "2001:db8:0:0:1:0:0:1",
    "2001:0db8:85a3:0000:0000:8a2e:0370:7334", "fe80::1:0:0:0", "::", "::1",
    "2001:db8:1:2:3:4:5:6", "::ffff:192.0.2.128",
]


def go_text(text: str) -> str:
    ip = ipaddress.ip_address(text)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)  # Go prints IPv4-mapped addresses as IPv4
    return str(ip)  # RFC 5952 for IPv6 (lowercase, longest zero run of 2+ as ::)


def main() -> None:
    cases = []
    for raw in IPS:
        text = go_text(raw)
        digests = {node: hashlib.sha256(f"{node}#{text}".encode()).hexdigest() for node in NODES}
        order = sorted(NODES, key=lambda node: bytes.fromhex(digests[node]))
        cases.append({"input": raw, "text": text, "order": order, "digests": digests})
    print(json.dumps({"nodes": NODES, "cases": cases}, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()

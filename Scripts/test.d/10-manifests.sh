#!/usr/bin/env bash
# Renders every kustomization under manifests/ with `kubectl kustomize` (no cluster needed)
# and checks the security and consistency invariants of the result: the speaker's host
# network and single capability, no CPU limit on the speaker (metallb#603), RBAC without
# wildcards or cluster-wide Secret access, every referenced ServiceAccount/Role present,
# structural CRD schemas with MetalLB's fields, and the example CRs (manifests/examples/,
# except its deliberately broken `invalid/` folder) valid against them.
# Before checking the real manifests, the checker proves on deliberately broken copies
# that each rule fires. Exits non-zero, naming each violation, on any failure.
set -euo pipefail
cd "$(dirname "$0")/../.."

command -v kubectl >/dev/null || { echo "10-manifests: kubectl is missing (Scripts/install-deps)" >&2; exit 1; }
python3 -c 'import yaml' 2>/dev/null || { echo "10-manifests: python3 with PyYAML is missing (python3-yaml)" >&2; exit 1; }

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

render() { # render <dir> <out>
    if ! kubectl kustomize "$1" >"$2" 2>"$work/err"; then
        echo "10-manifests: kubectl kustomize $1 failed:" >&2
        cat "$work/err" >&2
        exit 1
    fi
}
render manifests "$work/base.yaml"
render manifests/core "$work/core.yaml"
render manifests/monitoring "$work/monitoring.yaml"
render manifests/overlays/metallb-system "$work/mixed.yaml"

python3 - "$work" manifests/examples <<'PY'
import copy, glob, os, sys
import yaml

work, examples_dir = sys.argv[1], sys.argv[2]

def load(path):
    with open(path) as f:
        return [d for d in yaml.safe_load_all(f) if d]

def ident(doc):
    md = doc.get("metadata", {})
    ns = md.get("namespace")
    return f"{doc.get('kind')}/{(ns + '/') if ns else ''}{md.get('name')}"

CLUSTER_SCOPED = {"Namespace", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding"}
SPEAKER_ENV_FIELDREFS = {
    "METALLB_NODE_NAME": "spec.nodeName",
    "METALLB_POD_NAME": "metadata.name",
    "METALLB_HOST": "status.hostIP",
    "METALLB_ML_BIND_ADDR": "status.podIP",
    "METALLB_NAMESPACE": "metadata.namespace",
}
EXPECTED_FIELDS = {
    "IPAddressPool": {
        "spec": {"addresses", "autoAssign", "avoidBuggyIPs", "serviceAllocation"},
        "spec.serviceAllocation": {"priority", "namespaces", "namespaceSelectors", "serviceSelectors"},
        "status": {"assignedIPv4", "assignedIPv6", "availableIPv4", "availableIPv6"},
    },
    "L2Advertisement": {
        "spec": {"ipAddressPools", "ipAddressPoolSelectors", "nodeSelectors", "interfaces",
                 "serviceSelectors", "preferredNodeSelectors"},
    },
    "ServiceL2Status": {
        "status": {"node", "serviceName", "serviceNamespace", "interfaces"},
        "status.interfaces[]": {"name"},
    },
}

def workloads(docs):
    for d in docs:
        if d.get("kind") in ("DaemonSet", "Deployment", "StatefulSet", "Job"):
            yield d

def component(d):
    return d["spec"]["template"]["metadata"].get("labels", {}).get("component")

def env_map(container):
    return {e["name"]: e for e in container.get("env", [])}

def parse_selector(text):
    pairs = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        if "=" not in part:
            return None
        k, v = part.split("=", 1)
        pairs[k.strip()] = v.strip()
    return pairs

def check_pod_security(d, v):
    where = ident(d)
    spec = d["spec"]["template"]["spec"]
    for flag in ("hostPID", "hostIPC"):
        if spec.get(flag):
            v.append(f"{where}: {flag} must not be set")
    for c in spec.get("containers", []) + spec.get("initContainers", []):
        sc = c.get("securityContext", {})
        if sc.get("privileged"):
            v.append(f"{where}/{c['name']}: privileged container")
        if sc.get("allowPrivilegeEscalation") is not False:
            v.append(f"{where}/{c['name']}: allowPrivilegeEscalation must be false")
        if sc.get("readOnlyRootFilesystem") is not True:
            v.append(f"{where}/{c['name']}: readOnlyRootFilesystem must be true")
        if "ALL" not in sc.get("capabilities", {}).get("drop", []):
            v.append(f"{where}/{c['name']}: capabilities must drop ALL")
        res = c.get("resources", {})
        if not res.get("requests", {}).get("memory") or not res.get("requests", {}).get("cpu"):
            v.append(f"{where}/{c['name']}: cpu and memory requests are required")
    for vol in spec.get("volumes", []):
        if "hostPath" in vol:
            v.append(f"{where}: hostPath volume {vol['name']} is not allowed")

def check_speaker(d, v):
    where = ident(d)
    tmpl = d["spec"]["template"]
    spec = tmpl["spec"]
    if spec.get("hostNetwork") is not True:
        v.append(f"{where}: speaker must use hostNetwork: true (ARP/NDP on the node's interfaces)")
    grace = spec.get("terminationGracePeriodSeconds", 30)
    if not 5 <= grace <= 30:
        v.append(f"{where}: terminationGracePeriodSeconds {grace} must leave room for the handover (5-30 s)")
    tolerated = {t.get("key") for t in spec.get("tolerations", [])}
    for key in ("node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"):
        if key not in tolerated:
            v.append(f"{where}: speaker must tolerate {key}")
    c = spec["containers"][0]
    sc = c.get("securityContext", {})
    caps = sc.get("capabilities", {})
    if sorted(caps.get("drop", [])) != ["ALL"] or sorted(caps.get("add", [])) != ["NET_RAW"]:
        v.append(f"{where}: speaker capabilities must be exactly drop [ALL], add [NET_RAW]; got {caps}")
    res = c.get("resources", {})
    if "cpu" in res.get("limits", {}):
        v.append(f"{where}: speaker must have no CPU limit (CFS throttling delays ARP replies, metallb#603)")
    if "memory" not in res.get("limits", {}):
        v.append(f"{where}: speaker needs a memory limit")
    env = env_map(c)
    for name, path in SPEAKER_ENV_FIELDREFS.items():
        got = env.get(name, {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath")
        if got != path:
            v.append(f"{where}: env {name} must come from fieldRef {path}, got {got}")
    labels = tmpl["metadata"].get("labels", {})
    ml = env.get("METALLB_ML_LABELS", {}).get("value")
    sel = parse_selector(ml) if ml else None
    if not sel or any(labels.get(k) != val for k, val in sel.items()):
        v.append(f"{where}: METALLB_ML_LABELS={ml!r} must select the speaker's own pod labels {labels}")
    key_path = env.get("METALLB_ML_SECRET_KEY_PATH", {}).get("value")
    vols = {vol["name"]: vol for vol in spec.get("volumes", [])}
    mounts = {m["mountPath"]: m for m in c.get("volumeMounts", [])}
    m = mounts.get(key_path)
    if not key_path or not m or vols.get(m["name"], {}).get("secret", {}).get("secretName") != "memberlist":
        v.append(f"{where}: the memberlist Secret must be mounted at METALLB_ML_SECRET_KEY_PATH ({key_path})")
    ports = {(p["containerPort"], p.get("protocol", "TCP")): p.get("name") for p in c.get("ports", [])}
    for want in ((7946, "TCP"), (7946, "UDP"), (7472, "TCP")):
        if want not in ports:
            v.append(f"{where}: speaker must declare port {want[0]}/{want[1]}")
    for probe, path in (("livenessProbe", "/healthz"), ("readinessProbe", "/readyz")):
        got = c.get(probe, {}).get("httpGet", {}).get("path")
        if got != path:
            v.append(f"{where}: {probe} must GET {path}, got {got}")

def check_controller(d, v):
    where = ident(d)
    spec = d["spec"]["template"]["spec"]
    c = spec["containers"][0]
    psc, sc = spec.get("securityContext", {}), c.get("securityContext", {})
    if spec.get("hostNetwork"):
        v.append(f"{where}: controller must not use the host network")
    if not (sc.get("runAsNonRoot", psc.get("runAsNonRoot"))):
        v.append(f"{where}: controller must set runAsNonRoot: true")
    if sc.get("runAsUser", psc.get("runAsUser", 0)) == 0:
        v.append(f"{where}: controller must run as a non-zero UID")
    if c.get("securityContext", {}).get("capabilities", {}).get("add"):
        v.append(f"{where}: controller must add no capabilities")
    if d["spec"].get("replicas", 1) > 1 and "--leader-elect" not in c.get("args", []):
        v.append(f"{where}: more than one controller replica needs --leader-elect")
    env = env_map(c)
    if env.get("METALLB_ML_SECRET_NAME", {}).get("value") != "memberlist":
        v.append(f"{where}: env METALLB_ML_SECRET_NAME must be memberlist")
    if env.get("METALLB_NAMESPACE", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") != "metadata.namespace":
        v.append(f"{where}: env METALLB_NAMESPACE must come from metadata.namespace")
    return env.get("METALLB_DEPLOYMENT", {}).get("value")

def check_rbac(docs, v):
    by = {(d["kind"], d["metadata"].get("namespace"), d["metadata"]["name"]): d for d in docs}
    for d in docs:
        kind = d.get("kind")
        if kind in ("ClusterRole", "Role"):
            for rule in d.get("rules", []):
                groups, resources, verbs = rule.get("apiGroups", []), rule.get("resources", []), rule.get("verbs", [])
                if "*" in verbs or "*" in resources or "*" in groups:
                    v.append(f"{ident(d)}: wildcard in rule {rule}")
                if kind == "ClusterRole" and "" in groups and any(r.split("/")[0] == "secrets" for r in resources):
                    v.append(f"{ident(d)}: cluster-wide access to Secrets is not allowed")
        if kind in ("ClusterRoleBinding", "RoleBinding"):
            ref = d["roleRef"]
            ns = None if ref["kind"] == "ClusterRole" else d["metadata"].get("namespace")
            if (ref["kind"], ns, ref["name"]) not in by:
                v.append(f"{ident(d)}: roleRef {ref['kind']}/{ref['name']} does not exist in the manifests")
            for s in d.get("subjects", []):
                if s["kind"] != "ServiceAccount":
                    continue
                sns = s.get("namespace") or d["metadata"].get("namespace")
                if ("ServiceAccount", sns, s["name"]) not in by:
                    v.append(f"{ident(d)}: subject ServiceAccount {sns}/{s['name']} does not exist")
    for d in workloads(docs):
        sa = d["spec"]["template"]["spec"].get("serviceAccountName", "default")
        if ("ServiceAccount", d["metadata"].get("namespace"), sa) not in by:
            v.append(f"{ident(d)}: serviceAccountName {sa} does not exist in its namespace")

def check_namespaces(docs, v, expect_namespace_object=True):
    created = {d["metadata"]["name"] for d in docs if d.get("kind") == "Namespace"}
    for d in docs:
        if d.get("kind") in CLUSTER_SCOPED:
            continue
        ns = d["metadata"].get("namespace")
        if not ns:
            v.append(f"{ident(d)}: namespaced object without a namespace")
        elif expect_namespace_object and ns not in created:
            v.append(f"{ident(d)}: namespace {ns} is not created by these manifests")

def check_schema_structural(node, path, v, where):
    if not isinstance(node, dict):
        v.append(f"{where}: schema at {path} is not an object")
        return
    if "type" not in node and not node.get("x-kubernetes-int-or-string") and not node.get("x-kubernetes-preserve-unknown-fields"):
        v.append(f"{where}: schema at {path} has no type (CRD schemas must be structural)")
    if node.get("type") == "object" and path != "metadata" and not path.endswith(".metadata"):
        if "properties" not in node and "additionalProperties" not in node and not node.get("x-kubernetes-preserve-unknown-fields") and not path.endswith((".spec", ".status")):
            v.append(f"{where}: object schema at {path} declares no properties")
    if node.get("type") == "array" and "items" not in node:
        v.append(f"{where}: array schema at {path} has no items (CRD schemas must be structural)")
    if "default" in node:
        t = {"boolean": bool, "string": str, "integer": int, "array": list, "object": dict}.get(node.get("type"))
        if t and not isinstance(node["default"], t):
            v.append(f"{where}: default at {path} does not match type {node.get('type')}")
    if "enum" in node and node.get("type") == "string" and not all(isinstance(e, str) for e in node["enum"]):
        v.append(f"{where}: enum at {path} has non-string values")
    for name, sub in node.get("properties", {}).items():
        check_schema_structural(sub, f"{path}.{name}", v, where)
    if "items" in node:
        check_schema_structural(node["items"], f"{path}[]", v, where)
    if isinstance(node.get("additionalProperties"), dict):
        check_schema_structural(node["additionalProperties"], f"{path}{{}}", v, where)

def schema_at(schema, dotted):
    node = schema
    for part in dotted.split("."):
        if part.endswith("[]"):
            node = node["properties"][part[:-2]]["items"]
        else:
            node = node["properties"][part]
    return node

def check_crds(docs, v):
    crds = {d["spec"]["names"]["kind"]: d for d in docs if d.get("kind") == "CustomResourceDefinition"}
    for kind in EXPECTED_FIELDS:
        if kind not in crds:
            v.append(f"CRD for {kind} is missing")
    for kind, d in crds.items():
        where = ident(d)
        spec = d["spec"]
        if d["metadata"]["name"] != f"{spec['names']['plural']}.{spec['group']}" or spec["group"] != "metallb.io":
            v.append(f"{where}: name must be <plural>.metallb.io")
        versions = spec.get("versions", [])
        if [x["name"] for x in versions if x.get("served") and x.get("storage")] != ["v1beta1"]:
            v.append(f"{where}: v1beta1 must be the one served storage version")
        for ver in versions:
            schema = ver.get("schema", {}).get("openAPIV3Schema")
            if not schema:
                v.append(f"{where}: version {ver['name']} has no openAPIV3Schema")
                continue
            check_schema_structural(schema, kind, v, where)
            for dotted, fields in EXPECTED_FIELDS.get(kind, {}).items():
                try:
                    got = set(schema_at(schema, dotted).get("properties", {}))
                except KeyError:
                    got = set()
                if got != fields:
                    v.append(f"{where}: {dotted} fields {sorted(got)} differ from MetalLB's {sorted(fields)}")
            if "status" in schema.get("properties", {}) and "status" not in ver.get("subresources", {}):
                v.append(f"{where}: has a status but no status subresource")
        if kind == "IPAddressPool":
            s = versions[0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]
            if s.get("autoAssign", {}).get("default") is not True or s.get("avoidBuggyIPs", {}).get("default") is not False:
                v.append(f"{where}: autoAssign must default to true and avoidBuggyIPs to false (MetalLB's defaults)")
        if kind == "ServiceL2Status":
            cols = [c["name"] for c in versions[0].get("additionalPrinterColumns", [])]
            if cols[:3] != ["Allocated Node", "Service Name", "Service Namespace"]:
                v.append(f"{where}: printer columns {cols} must start with MetalLB's Allocated Node, Service Name, Service Namespace")
    return crds

def validate(value, schema, path, v):
    """A subset of the API server's validation: types, enums, required, unknown fields."""
    t = schema.get("type")
    types = {"object": dict, "array": list, "string": str, "boolean": bool}
    if t == "integer":
        if not isinstance(value, int) or isinstance(value, bool):
            v.append(f"{path}: expected integer, got {value!r}")
            return
    elif t in types and not isinstance(value, types[t]):
        v.append(f"{path}: expected {t}, got {type(value).__name__} {value!r}")
        return
    if "enum" in schema and value not in schema["enum"]:
        v.append(f"{path}: {value!r} is not one of {schema['enum']}")
    if t == "object" and isinstance(value, dict):
        props = schema.get("properties")
        for req in schema.get("required", []):
            if req not in value:
                v.append(f"{path}: required field {req} missing")
        for k, sub in value.items():
            if props is not None and k in props:
                validate(sub, props[k], f"{path}.{k}", v)
            elif isinstance(schema.get("additionalProperties"), dict):
                validate(sub, schema["additionalProperties"], f"{path}.{k}", v)
            elif props is not None and not schema.get("x-kubernetes-preserve-unknown-fields") and path.count(".") > 0:
                v.append(f"{path}.{k}: unknown field (the API server would silently prune it)")
    if t == "array" and isinstance(value, list) and "items" in schema:
        for i, item in enumerate(value):
            validate(item, schema["items"], f"{path}[{i}]", v)

def check_examples(crds, v):
    files = sorted(glob.glob(os.path.join(examples_dir, "**", "*.yaml"), recursive=True))
    files += sorted(glob.glob(os.path.join(examples_dir, "**", "*.yml"), recursive=True))
    checked = 0
    for f in files:
        if "invalid" in os.path.relpath(f, examples_dir).split(os.sep)[:-1]:
            continue  # deliberately broken inputs for `swiftlb config validate`
        try:
            docs = load(f)
        except yaml.YAMLError as e:
            v.append(f"{f}: not valid YAML: {e}")
            continue
        for d in docs:
            if not isinstance(d, dict) or d.get("apiVersion", "").split("/")[0] != "metallb.io":
                continue
            crd = crds.get(d.get("kind"))
            if not crd:
                continue  # e.g. BGP kinds SwiftLB does not serve
            if d.get("apiVersion") != "metallb.io/v1beta1":
                v.append(f"{f}: {d.get('kind')} uses {d.get('apiVersion')}, the CRD serves metallb.io/v1beta1")
                continue
            schema = crd["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
            validate({k: val for k, val in d.items() if k != "metadata"}, schema, f"{f}:{d.get('kind')}/{d.get('metadata', {}).get('name')}", v)
            checked += 1
    return checked

def check_monitoring(mon_docs, base_docs, v):
    pods = [(component(d), d["spec"]["template"]) for d in workloads(base_docs)]
    monitors = [d for d in mon_docs if d.get("kind") == "PodMonitor"]
    if not monitors:
        v.append("manifests/monitoring renders no PodMonitor")
    covered = set()
    for m in monitors:
        sel = m["spec"]["selector"].get("matchLabels", {})
        matched = [(comp, t) for comp, t in pods if all(t["metadata"].get("labels", {}).get(k) == val for k, val in sel.items())]
        if not matched:
            v.append(f"{ident(m)}: selector {sel} matches no SwiftLB pod")
        for comp, t in matched:
            covered.add(comp)
            names = {p.get("name") for c in t["spec"]["containers"] for p in c.get("ports", [])}
            for ep in m["spec"].get("podMetricsEndpoints", []):
                if ep.get("port") not in names:
                    v.append(f"{ident(m)}: port {ep.get('port')} is not a named port of the {comp} pods")
    for comp in ("speaker", "controller"):
        if comp not in covered:
            v.append(f"no PodMonitor scrapes the {comp}")

def check_secret_role(docs, deployment_env, v):
    """The controller's Role may read its own Deployment (the memberlist Secret's owner)."""
    deployments = {d["metadata"]["name"] for d in docs if d.get("kind") == "Deployment"}
    if deployment_env not in deployments:
        v.append(f"METALLB_DEPLOYMENT={deployment_env} names no Deployment in the manifests ({sorted(deployments)})")
    for d in docs:
        if d.get("kind") == "Role":
            for rule in d.get("rules", []):
                if "deployments" in rule.get("resources", []) and rule.get("resourceNames") and deployment_env not in rule["resourceNames"]:
                    v.append(f"{ident(d)}: may read Deployments {rule['resourceNames']} but METALLB_DEPLOYMENT is {deployment_env}")

def check_all(base, mon, mixed, core):
    v = []
    for d in workloads(base + mixed):
        check_pod_security(d, v)
        if component(d) == "speaker":
            check_speaker(d, v)
    for docs in (base, mixed):
        comps = [component(d) for d in workloads(docs)]
        if sorted(comps) != ["controller", "speaker"]:
            v.append(f"expected one speaker and one controller workload, got {comps}")
        for d in workloads(docs):
            if component(d) == "controller":
                check_secret_role(docs, check_controller(d, v), v)
        check_rbac(docs, v)
    check_namespaces(base, v)
    check_namespaces(mixed, v, expect_namespace_object=False)
    check_namespaces(core, v, expect_namespace_object=False)
    if any(d.get("kind") in ("CustomResourceDefinition", "Namespace") for d in core + mixed):
        v.append("manifests/core and the metallb-system overlay must not carry CRDs or Namespaces")
    crds = check_crds(base, v)
    checked = check_examples(crds, v)
    check_monitoring(mon, base, v)
    # Mixed mode: peers must include MetalLB's own speaker Pods (native manifest labels).
    for d in workloads(mixed):
        if component(d) == "speaker":
            sel = parse_selector(env_map(d["spec"]["template"]["spec"]["containers"][0]).get("METALLB_ML_LABELS", {}).get("value", "")) or {}
            metallb = {"app": "metallb", "component": "speaker"}
            if not sel or any(metallb.get(k) != val for k, val in sel.items()):
                v.append(f"{ident(d)}: in mixed mode METALLB_ML_LABELS must also select MetalLB's speakers {metallb}")
    return v, checked

base = load(os.path.join(work, "base.yaml"))
mon = load(os.path.join(work, "monitoring.yaml"))
mixed = load(os.path.join(work, "mixed.yaml"))
core = load(os.path.join(work, "core.yaml"))

# 1. Each rule must fire on a copy broken in exactly the way it guards against.
def find(docs, kind, comp=None, name=None):
    for d in docs:
        if d.get("kind") == kind and (comp is None or component(d) == comp) and (name is None or d["metadata"]["name"] == name):
            return d
    raise SystemExit(f"10-manifests: self-test cannot find {kind} {comp or name}")

def speaker_container(docs):
    return find(docs, "DaemonSet", "speaker")["spec"]["template"]["spec"]["containers"][0]

def set_env(container, name, value):
    for e in container["env"]:
        if e["name"] == name:
            e.clear(); e.update({"name": name, "value": value})

mutations = [
    ("hostNetwork off", lambda b: find(b, "DaemonSet", "speaker")["spec"]["template"]["spec"].update(hostNetwork=False), "hostNetwork"),
    ("extra capability", lambda b: speaker_container(b)["securityContext"]["capabilities"]["add"].append("NET_ADMIN"), "capabilities must be exactly"),
    ("nothing dropped", lambda b: speaker_container(b)["securityContext"]["capabilities"].update(drop=[]), "drop ALL"),
    ("writable root", lambda b: speaker_container(b)["securityContext"].update(readOnlyRootFilesystem=False), "readOnlyRootFilesystem"),
    ("CPU limit", lambda b: speaker_container(b)["resources"]["limits"].update(cpu="100m"), "no CPU limit"),
    ("labels mismatch", lambda b: set_env(speaker_container(b), "METALLB_ML_LABELS", "app=metallb,component=speaker"), "METALLB_ML_LABELS"),
    ("node name source", lambda b: speaker_container(b)["env"][0]["valueFrom"]["fieldRef"].update(fieldPath="metadata.name"), "METALLB_NODE_NAME"),
    ("no memberlist port", lambda b: speaker_container(b).update(ports=[p for p in speaker_container(b)["ports"] if p["protocol"] != "UDP"]), "7946/UDP"),
    ("secret ClusterRole", lambda b: find(b, "ClusterRole", name="swiftlb:speaker")["rules"].append({"apiGroups": [""], "resources": ["secrets"], "verbs": ["get"]}), "Secrets"),
    ("wildcard verb", lambda b: find(b, "Role", name="speaker")["rules"][0].update(verbs=["*"]), "wildcard"),
    ("missing SA", lambda b: find(b, "Deployment", "controller")["spec"]["template"]["spec"].update(serviceAccountName="ghost"), "serviceAccountName ghost"),
    ("dangling binding", lambda b: find(b, "RoleBinding", name="speaker")["subjects"][0].update(name="ghost"), "subject ServiceAccount"),
    ("root controller", lambda b: find(b, "Deployment", "controller")["spec"]["template"]["spec"]["securityContext"].update(runAsNonRoot=False), "runAsNonRoot"),
    ("no leader election", lambda b: find(b, "Deployment", "controller")["spec"]["template"]["spec"]["containers"][0].update(args=["controller"]), "--leader-elect"),
    ("untyped schema", lambda b: find(b, "CustomResourceDefinition", name="ipaddresspools.metallb.io")["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["autoAssign"].pop("type"), "has no type"),
    ("array without items", lambda b: find(b, "CustomResourceDefinition", name="l2advertisements.metallb.io")["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]["interfaces"].pop("items"), "has no items"),
    ("renamed field", lambda b: (lambda p: p.update(autoassign=p.pop("autoAssign")))(find(b, "CustomResourceDefinition", name="ipaddresspools.metallb.io")["spec"]["versions"][0]["schema"]["openAPIV3Schema"]["properties"]["spec"]["properties"]), "differ from MetalLB"),
]
failed_selftest = []
for name, mutate, expect in mutations:
    broken = copy.deepcopy(base)
    mutate(broken)
    violations, _ = check_all(broken, mon, mixed, core)
    if not any(expect in x for x in violations):
        failed_selftest.append(f"rule for '{name}' did not fire (wanted a violation mentioning {expect!r}; got {violations})")
# The example validator must reject an unknown (prunable) field and a wrong type.
crds_for_test = {d["spec"]["names"]["kind"]: d for d in base if d.get("kind") == "CustomResourceDefinition"}
pool_schema = crds_for_test["IPAddressPool"]["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
for bad, expect in (({"spec": {"addresses": ["10.0.0.0/24"], "autoassign": True}}, "unknown field"),
                    ({"spec": {"addresses": "10.0.0.0/24"}}, "expected array"),
                    ({"spec": {}}, "required field addresses")):
    v = []
    validate(bad, pool_schema, "selftest", v)
    if not any(expect in x for x in v):
        failed_selftest.append(f"example validator accepted {bad} (wanted {expect!r}, got {v})")
if failed_selftest:
    print("10-manifests: checker self-test failed:", *failed_selftest, sep="\n  ", file=sys.stderr)
    sys.exit(1)

# 2. The real manifests.
violations, checked = check_all(base, mon, mixed, core)
if violations:
    print(f"10-manifests: {len(violations)} violation(s):", *violations, sep="\n  ", file=sys.stderr)
    sys.exit(1)
print(f"10-manifests: ok ({len(base)} objects in manifests/, {len(mixed)} in the metallb-system overlay, "
      f"{len(mon)} PodMonitors, {checked} example CRs validated; {len(mutations) + 3} self-test mutations caught)")
PY

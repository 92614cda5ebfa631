/// `JSONValue` lives in `KubeJSON`, shared with the `Kube` client so that both hold JSON as one
/// type; re-exported so `import KubeFake` keeps offering it to tests and tools that build objects.
@_exported import KubeJSON

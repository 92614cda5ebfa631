/// `JSONValue` lives in `KubeJSON`, shared with KubeFake so that the client and the fake API
/// server hold JSON as one type; re-exported so `import Kube` keeps offering it (merge patches).
@_exported import KubeJSON

/// How the controller runs (flags of `swiftlb controller`, MetalLB's controller flags).
public struct ControllerOptions: Sendable {
    /// The MetalLB namespace: where the configuration objects and the Lease live.
    public var namespace: String
    /// `--lb-class`: nil handles only Services without `spec.loadBalancerClass`.
    public var loadBalancerClass: String?
    /// The legacy ConfigMap's name (MetalLB: `config`).
    public var configMapName: String
    /// nil: no leader election (one replica). Otherwise the Lease to campaign for.
    public var leaderElection: LeaderElection?
    /// `--ml-secret-name`: the Secret with the speakers' gossip key, created when missing
    /// (MetalLB: `memberlist`). Empty: the controller leaves Secrets alone.
    public var memberlistSecretName: String
    /// `--deployment`: the controller's Deployment, owner of the Secret it creates
    /// (MetalLB: `controller`).
    public var deploymentName: String

    public struct LeaderElection: Sendable {
        public var leaseName: String
        /// Unique per replica, usually the Pod name.
        public var identity: String
        public var leaseDuration: Duration
        public var renewDeadline: Duration
        public var retryPeriod: Duration

        public init(
            leaseName: String = "swiftlb-controller", identity: String,
            leaseDuration: Duration = .seconds(15), renewDeadline: Duration = .seconds(10),
            retryPeriod: Duration = .seconds(2)
        ) {
            self.leaseName = leaseName
            self.identity = identity
            self.leaseDuration = leaseDuration
            self.renewDeadline = renewDeadline
            self.retryPeriod = retryPeriod
        }
    }

    public init(
        namespace: String = "metallb-system", loadBalancerClass: String? = nil, configMapName: String = "config",
        leaderElection: LeaderElection? = nil, memberlistSecretName: String = "memberlist",
        deploymentName: String = "controller"
    ) {
        self.namespace = namespace
        self.loadBalancerClass = loadBalancerClass
        self.configMapName = configMapName
        self.leaderElection = leaderElection
        self.memberlistSecretName = memberlistSecretName
        self.deploymentName = deploymentName
    }
}

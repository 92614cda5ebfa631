
// `Scripts/bench/cores`: the pure cores at the target size, one printed line per figure.
ElectionBenchmark(nodeCount: 1000, serviceCount: 10_000).run()
AllocationBenchmark(serviceCount: 10_000).run()
if let peak = Measurement.peakRSSMegabytes() {
    Measurement.reportValue("process.peak_rss", "services=10000 nodes=1000", value: peak, unit: "megabytes", target: 150)
}

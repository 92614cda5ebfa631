// Kube client benchmark against KubeFake on loopback.
//
//   KubeBenchmark [--services N] [--slices N] [--watch-events N]
//       starts `KubeBenchmark serve` as a child process, then measures in this process:
//       time to synced for Service and EndpointSlice informers, this process's peak RSS
//       (VmHWM), and the rate of watch events delivered to an informer.
//   KubeBenchmark serve --services N --slices N
//       KubeFake seeded with N Services and N EndpointSlices; prints its URL, then reads
//       `burst K` lines from stdin and creates K ConfigMaps for each (answering `done`).

import Foundation
import Kube
import KubeFake
import Logging

func argument(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count,
        let number = Int(arguments[index + 1])
    else { return value }
    return number
}

func peakRSSMegabytes() -> Double {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
        let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? -1
        return kilobytes / 1024
    }
    return -1
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

typealias FakeJSON = KubeFake.JSONValue

func serviceObject(_ index: Int) -> FakeJSON {
    let app = FakeJSON.string("app-\(index % 100)")
    let port: FakeJSON = ["name": "http", "port": 80, "protocol": "TCP", "targetPort": 8080]
    let spec: FakeJSON = [
        "type": "LoadBalancer",
        "selector": ["app": app],
        "ports": [port],
        "externalTrafficPolicy": "Cluster",
        "ipFamilies": ["IPv4"],
        "ipFamilyPolicy": "SingleStack",
    ]
    let metadata: FakeJSON = ["name": .string("svc-\(index)"), "labels": ["app": app]]
    return ["metadata": metadata, "spec": spec]
}

func endpointObject(_ address: String, node: String) -> FakeJSON {
    let conditions: FakeJSON = ["ready": true, "serving": true, "terminating": false]
    return ["addresses": [.string(address)], "conditions": conditions, "nodeName": .string(node)]
}

func sliceObject(_ index: Int) -> FakeJSON {
    let octets = "\(index / 250 % 250).\(index % 250 + 1)"
    let endpoints: [FakeJSON] = [
        endpointObject("10.1.\(octets)", node: "node-\(index % 10)"),
        endpointObject("10.2.\(octets)", node: "node-\((index + 1) % 10)"),
    ]
    let labels: FakeJSON = ["kubernetes.io/service-name": .string("svc-\(index)")]
    let metadata: FakeJSON = ["name": .string("svc-\(index)-abcde"), "labels": labels]
    let port: FakeJSON = ["name": "http", "port": 8080, "protocol": "TCP"]
    return ["metadata": metadata, "addressType": "IPv4", "endpoints": .array(endpoints), "ports": [port]]
}

func serve() async throws {
    let services = argument("--services", default: 10_000)
    let slices = argument("--slices", default: 10_000)
    var logger = Logger(label: "kubefake")
    logger.logLevel = .warning
    let server = try await KubeFakeServer.start(historyLimit: 100_000, logger: logger)
    let api = server.api
    for index in 0..<services {
        try await api.create("services", namespace: "default", serviceObject(index))
    }
    for index in 0..<slices {
        try await api.create("endpointslices", namespace: "default", sliceObject(index))
    }
    emit(server.url)
    var next = 0
    while let line = readLine() {
        guard line.hasPrefix("burst "), let count = Int(line.dropFirst(6)) else { break }
        for _ in 0..<count {
            let metadata: FakeJSON = ["name": .string("cm-\(next)")]
            let data: FakeJSON = ["key": .string("value-\(next)")]
            try await api.create("configmaps", namespace: "default", ["metadata": metadata, "data": data])
            next += 1
        }
        emit("done")
    }
    await server.shutdown()
}

/// Writes a control line to stdout unbuffered (the parent reads it through a pipe).
func emit(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// Reads one line from a pipe (blocking; the benchmark's few control lines only).
func readLine(from handle: FileHandle) -> String? {
    var bytes: [UInt8] = []
    while true {
        let chunk = handle.readData(ofLength: 1)
        guard let byte = chunk.first else { return bytes.isEmpty ? nil : String(decoding: bytes, as: UTF8.self) }
        if byte == UInt8(ascii: "\n") { return String(decoding: bytes, as: UTF8.self) }
        bytes.append(byte)
    }
}

func measure() async throws {
    let services = argument("--services", default: 10_000)
    let slices = argument("--slices", default: 10_000)
    let watchEvents = argument("--watch-events", default: 20_000)

    let child = Process()
    child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    child.arguments = ["serve", "--services", "\(services)", "--slices", "\(slices)"]
    let toChild = Pipe()
    let fromChild = Pipe()
    child.standardInput = toChild
    child.standardOutput = fromChild
    try child.run()
    defer {
        try? toChild.fileHandleForWriting.close()
        child.waitUntilExit()
    }
    guard let url = readLine(from: fromChild.fileHandleForReading), url.hasPrefix("http") else {
        print("kube: ERROR the KubeFake child process did not start")
        exit(1)
    }

    var logger = Logger(label: "kube-bench")
    logger.logLevel = .warning
    let client = try KubeClient(configuration: KubeClientConfiguration(server: url), logger: logger)

    // 1. List and sync.
    let serviceInformer = Informer<Service>(client: client, options: InformerOptions(namespace: "default"))
    let sliceInformer = Informer<EndpointSlice>(client: client, options: InformerOptions(namespace: "default"))
    let configInformer = Informer<ConfigMap>(client: client, options: InformerOptions(namespace: "default"))
    try await withThrowingTaskGroup(of: Void.self) { group in
        let start = ContinuousClock.now
        group.addTask { await serviceInformer.run() }
        group.addTask { await sliceInformer.run() }
        // Consumers drain the change streams, as a controller would.
        group.addTask { for await _ in serviceInformer.changes {} }
        group.addTask { for await _ in sliceInformer.changes {} }
        await serviceInformer.waitUntilSynced()
        await sliceInformer.waitUntilSynced()
        let synced = ContinuousClock.now - start
        let cachedServices = await serviceInformer.snapshot().count
        let cachedSlices = await sliceInformer.snapshot().count
        guard cachedServices == services, cachedSlices == slices else {
            print("kube: ERROR synced \(cachedServices) services, \(cachedSlices) slices")
            exit(1)
        }
        let rss = peakRSSMegabytes()
        print(
            String(
                format: "kube list-and-sync: %d Services + %d EndpointSlices synced in %.2f s (target <= 3 s)",
                services,
                slices,
                seconds(synced)
            )
        )
        print(String(format: "kube client peak RSS after sync: %.1f MB (target <= 80 MB)", rss))

        // 2. Watch throughput: the server creates ConfigMaps as fast as it can; count the
        // events the informer delivers.
        group.addTask { await configInformer.run() }
        await configInformer.waitUntilSynced()
        var changes = configInformer.changes.makeAsyncIterator()
        try toChild.fileHandleForWriting.write(contentsOf: Data("burst \(watchEvents)\n".utf8))
        var received = 0
        var firstAt: ContinuousClock.Instant?
        while received < watchEvents, await changes.next() != nil {
            if firstAt == nil { firstAt = .now }
            received += 1
        }
        let elapsed = ContinuousClock.now - (firstAt ?? .now)
        _ = readLine(from: fromChild.fileHandleForReading)  // "done"
        print(
            String(
                format: "kube watch throughput: %d events in %.2f s = %.0f events/s delivered to an informer (target >= 5000)",
                received,
                seconds(elapsed),
                Double(received) / max(seconds(elapsed), 1e-9)
            )
        )
        print(String(format: "kube client peak RSS overall: %.1f MB", peakRSSMegabytes()))
        group.cancelAll()
    }
    try await client.shutdown()
}

if CommandLine.arguments.dropFirst().first == "serve" {
    try await serve()
} else {
    try await measure()
}

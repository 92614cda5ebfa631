import Foundation
import Testing

@testable import Kube

@Suite("Typed resources")
struct ResourceCodingTests {
    func decode<T: Decodable>(_ type: T.Type, _ json: String) throws -> T {
        try JSONDecoder().decode(type, from: Data(json.utf8))
    }

    @Test func paths() {
        #expect(Service.collectionPath(namespace: "default") == "/api/v1/namespaces/default/services")
        #expect(Service.collectionPath(namespace: nil) == "/api/v1/services")
        #expect(Node.objectPath(name: "n1", namespace: "ignored") == "/api/v1/nodes/n1")
        #expect(
            EndpointSlice.objectPath(name: "s", namespace: "x")
                == "/apis/discovery.k8s.io/v1/namespaces/x/endpointslices/s"
        )
        #expect(Lease.collectionPath(namespace: "kube-system") == "/apis/coordination.k8s.io/v1/namespaces/kube-system/leases")
        #expect(ServiceL2Status.plural == "servicel2statuses")
    }

    @Test func endpointSliceWithConditionsAndUnknownFields() throws {
        let slice = try decode(
            EndpointSlice.self,
            #"""
            {"apiVersion":"discovery.k8s.io/v1","kind":"EndpointSlice",
             "metadata":{"name":"web-abc","namespace":"default","labels":{"kubernetes.io/service-name":"web"},
                         "ownerReferences":[{"apiVersion":"v1","kind":"Service","name":"web","uid":"u1","controller":true}]},
             "addressType":"IPv4",
             "endpoints":[{"addresses":["10.1.0.5"],"conditions":{"ready":true,"serving":true,"terminating":false},
                           "nodeName":"n1","zone":"z","hints":{"forZones":[{"name":"z"}]}}],
             "ports":[{"name":"http","port":8080,"protocol":"TCP"}]}
            """#
        )
        #expect(slice.serviceName == "web")
        #expect(slice.endpoints?.first?.conditions == .init(ready: true, serving: true, terminating: false))
        #expect(slice.endpoints?.first?.nodeName == "n1")
        #expect(slice.metadata.ownerReferences?.first?.controller == true)
        let again = try JSONDecoder().decode(EndpointSlice.self, from: JSONEncoder().encode(slice))
        #expect(again == slice)
    }

    @Test func endpointsFallbackBecomesSlices() throws {
        let endpoints = try decode(
            Endpoints.self,
            #"""
            {"metadata":{"name":"web","namespace":"default","resourceVersion":"4"},
             "subsets":[{"addresses":[{"ip":"10.0.0.1","nodeName":"n1"},{"ip":"fd00::1","nodeName":"n2"}],
                         "notReadyAddresses":[{"ip":"10.0.0.2","nodeName":"n3"}],
                         "ports":[{"port":80,"protocol":"TCP"}]}]}
            """#
        )
        let slices = endpoints.asEndpointSlices()
        #expect(slices.map(\.addressType) == ["IPv4", "IPv6"])
        #expect(slices[0].serviceName == "web")
        #expect(slices[0].endpoints?.map(\.addresses) == [["10.0.0.1"], ["10.0.0.2"]])
        #expect(slices[0].endpoints?.map { $0.conditions?.ready } == [true, false])
        #expect(slices[1].endpoints?.first?.nodeName == "n2")
    }

    @Test func secretDataIsBase64Bytes() throws {
        let secret = try decode(Secret.self, #"{"metadata":{"name":"memberlist"},"data":{"secretkey":"AAEC/w=="}}"#)
        #expect(secret.data?["secretkey"] == Data([0, 1, 2, 255]))
        #expect(throws: DecodingError.self) {
            _ = try decode(Secret.self, #"{"metadata":{"name":"m"},"data":{"k":"!!not base64"}}"#)
        }
    }

    @Test func metalLBResources() throws {
        let pool = try decode(
            IPAddressPool.self,
            #"""
            {"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p","namespace":"metallb-system"},
             "spec":{"addresses":["192.168.1.0/24","fc00::1-fc00::5"],"autoAssign":false,"avoidBuggyIPs":true,
                     "serviceAllocation":{"priority":10,"namespaces":["a"],
                       "namespaceSelectors":[{"matchLabels":{"team":"x"}}],
                       "serviceSelectors":[{"matchExpressions":[{"key":"k","operator":"In","values":["v"]}]}]}},
             "status":{"assignedIPv4":3,"availableIPv4":253}}
            """#
        )
        #expect(pool.spec.addresses.count == 2)
        #expect(pool.spec.serviceAllocation?.priority == 10)
        #expect(pool.spec.serviceAllocation?.serviceSelectors?.first?.matchExpressions?.first?.operator == "In")
        #expect(pool.status?.availableIPv4 == 253)
        let ad = try decode(
            L2Advertisement.self,
            #"""
            {"metadata":{"name":"ad"},"spec":{"ipAddressPools":["p"],"interfaces":["eth0"],
             "nodeSelectors":[{"matchLabels":{"l2":"yes"}}],
             "preferredNodeSelectors":[{"weight":5,"preference":{"matchLabels":{"zone":"a"}}}]}}
            """#
        )
        #expect(ad.spec?.interfaces == ["eth0"])
        #expect(ad.spec?.preferredNodeSelectors?.first?.weight == 5)
        let status = try decode(
            ServiceL2Status.self,
            #"""
            {"metadata":{"generateName":"l2-","name":"l2-x","labels":{"metallb.io/node":"n1"}},"spec":{"anything":1},
             "status":{"node":"n1","serviceName":"web","serviceNamespace":"default","interfaces":[{"name":"eth0"}]}}
            """#
        )
        #expect(status.status?.interfaces == [.init(name: "eth0")])
        #expect(status.metadata.labels?[ServiceL2Status.nodeLabel] == "n1")
    }

    @Test func nodePodLeaseEvent() throws {
        let node = try decode(
            Node.self,
            #"""
            {"metadata":{"name":"n1","labels":{"kubernetes.io/os":"linux"}},"spec":{"unschedulable":true},
             "status":{"conditions":[{"type":"NetworkUnavailable","status":"False"},{"type":"Ready","status":"True"}],
                       "addresses":[{"type":"InternalIP","address":"10.0.0.1"}]}}
            """#
        )
        #expect(node.condition("Ready") == "True")
        #expect(node.spec?.unschedulable == true)
        let pod = try decode(
            Pod.self,
            #"""
            {"metadata":{"name":"speaker-x","namespace":"metallb-system","labels":{"app":"metallb"}},
             "spec":{"nodeName":"n1","containers":[{"name":"c","image":"i"}]},
             "status":{"phase":"Running","podIP":"10.0.0.1","hostIP":"10.0.0.1","podIPs":[{"ip":"10.0.0.1"}]}}
            """#
        )
        #expect(pod.status?.podIP == "10.0.0.1")
        #expect(pod.spec?.nodeName == "n1")
        let lease = try decode(
            Lease.self,
            #"""
            {"metadata":{"name":"l"},"spec":{"holderIdentity":"a","leaseDurationSeconds":15,
             "acquireTime":"2024-01-01T00:00:00.000000Z","renewTime":"2024-01-01T00:00:10.000000Z","leaseTransitions":2}}
            """#
        )
        #expect(lease.spec?.leaseTransitions == 2)
        let event = try decode(
            Event.self,
            #"""
            {"metadata":{"name":"e"},"eventTime":"2024-01-01T00:00:00.000000Z","reason":"IPAllocated",
             "note":"Assigned IP","type":"Normal","action":"Allocate","reportingController":"metallb-controller",
             "reportingInstance":"c-1","regarding":{"kind":"Service","namespace":"default","name":"web"},
             "series":{"count":3,"lastObservedTime":"2024-01-01T00:01:00.000000Z"}}
            """#
        )
        #expect(event.series?.count == 3)
        #expect(event.regarding?.name == "web")
    }

    @Test func statusErrorDecoding() {
        let conflict = KubeAPIError(
            httpStatus: 409,
            body: Array(
                #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"the object has been modified","reason":"Conflict","code":409}"#
                    .utf8
            )
        )
        #expect(conflict.isConflict)
        #expect(conflict.message == "the object has been modified")
        let gone = KubeAPIError(httpStatus: 410, body: Array("<html>gone</html>".utf8))
        #expect(gone.isGone)
        #expect(gone.reason == "Gone")
        let notFound = KubeAPIError(httpStatus: 404, body: [])
        #expect(notFound.isNotFound && notFound.message == "HTTP 404")
    }

    @Test func backoffIsBoundedAndDeterministic() {
        var first = SeededGenerator(seed: 9)
        var second = SeededGenerator(seed: 9)
        var a = ExponentialBackoff(initial: .milliseconds(800), maximum: .seconds(30))
        var b = a
        for _ in 0..<20 {
            let x = a.next(using: &first)
            #expect(x == b.next(using: &second))
            #expect(x >= .milliseconds(800) && x <= .seconds(30))
        }
        #expect(a.next(using: &first) == .seconds(30))
    }
}

struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return state
    }
}

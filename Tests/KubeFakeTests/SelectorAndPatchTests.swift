import Config
import KubeFake
import Testing

@Suite struct LabelSelectorTests {
    let labels = ["app": "web", "tier": "front", "version": "3"]

    @Test(arguments: [
        ("app=web", true), ("app==web", true), ("app!=web", false), ("app!=db", true),
        ("app in (web,db)", true), ("app notin (web)", false), ("app notin (db)", true), ("missing notin (x)", true),
        ("app", true), ("!app", false), ("!missing", true), ("app=web,tier=back", false),
        ("app in (web), tier", true), ("version>2", true), ("version<3", false), ("", true),
    ])
    func matching(selector: String, expected: Bool) throws {
        #expect(try LabelSelector(queryParameter: selector).matches(labels) == expected)
    }

    @Test(arguments: ["app in (web", "bad key=1", "app=(x)", "a,,b", "app in ()", "version>x", "-x=1", "a..b/x=1"])
    func malformedSelectorsAreBadRequests(selector: String) {
        do {
            _ = try LabelSelector(queryParameter: selector)
            Issue.record("\(selector) parsed")
        } catch {
            #expect(error.code == 400 && error.reason == "BadRequest")
        }
    }

    @Test func fieldSelectors() throws {
        let pods = ResourceCatalog.standard.type(named: "pods")!
        let pod: JSONValue = ["metadata": ["name": "p", "namespace": "ns"], "spec": ["nodeName": "node-1"]]
        #expect(try FieldSelector(parsing: "spec.nodeName=node-1", for: pods).matches(pod))
        #expect(try !FieldSelector(parsing: "spec.nodeName!=node-1", for: pods).matches(pod))
        #expect(try FieldSelector(parsing: "metadata.name=p,metadata.namespace==ns", for: pods).matches(pod))
        #expect(throws: APIError.self) { try FieldSelector(parsing: "spec.nodeName=x", for: ResourceCatalog.standard.type(named: "services")!) }
        #expect(throws: APIError.self) { try FieldSelector(parsing: "garbage", for: pods) }
    }
}

@Suite struct PatchTests {
    @Test func mergePatchFollowsRFC7386() throws {
        let target = try JSONValue.parse(#"{"a":"b","c":{"d":"e","f":"g"},"l":[1,2]}"#)
        let patch = try JSONValue.parse(#"{"a":"z","c":{"f":null},"l":[3],"n":{"m":1}}"#)
        #expect(applyMergePatch(patch, to: target) == (try JSONValue.parse(#"{"a":"z","c":{"d":"e"},"l":[3],"n":{"m":1}}"#)))
    }

    @Test func strategicPatchMergesServicePortsByPort() throws {
        let service = try JSONValue.parse(#"""
            {"spec":{"ports":[{"name":"http","port":80,"targetPort":8080},{"name":"https","port":443}]},
             "metadata":{"finalizers":["a"]}}
            """#)
        let patch = try JSONValue.parse(#"""
            {"$setElementOrder/ports":[{"port":443},{"port":80}],
             "spec":{"$setElementOrder/ports":[{"port":443},{"port":80}],"ports":[{"port":80,"targetPort":9090}]},
             "metadata":{"finalizers":["b"]}}
            """#)
        let result = applyStrategicMergePatch(patch, to: service, kind: "Service")
        let ports = result[path: ["spec", "ports"]]?.arrayValue ?? []
        #expect(ports.map { $0["port"] } == [443, 80])
        #expect(ports.last?["targetPort"] == 9090)
        #expect(ports.last?["name"] == "http")
        #expect(result[path: ["metadata", "finalizers"]] == ["a", "b"])
        #expect(result["$setElementOrder/ports"] == nil)
    }

    @Test func strategicPatchDirectives() throws {
        let pod = try JSONValue.parse(#"""
            {"spec":{"containers":[{"name":"a","image":"x","env":[{"name":"E","value":"1"}]},{"name":"b","image":"y"}]}}
            """#)
        let patch = try JSONValue.parse(#"""
            {"spec":{"containers":[{"name":"b","$patch":"delete"},{"name":"a","env":[{"name":"F","value":"2"}]},
                                   {"name":"c","image":"z"}]}}
            """#)
        let result = applyStrategicMergePatch(patch, to: pod, kind: "Pod")
        let containers = result[path: ["spec", "containers"]]?.arrayValue ?? []
        #expect(containers.compactMap { $0["name"]?.stringValue } == ["a", "c"])
        #expect(containers.first?["env"]?.arrayValue?.count == 2)
        let replaced = applyStrategicMergePatch(
            try JSONValue.parse(#"{"data":{"$patch":"replace","only":"this"}}"#),
            to: try JSONValue.parse(#"{"data":{"old":"x"}}"#), kind: "ConfigMap")
        #expect(replaced == (try JSONValue.parse(#"{"data":{"only":"this"}}"#)))
    }

    @Test func jsonRoundTripKeepsIntegersAndEscapes() throws {
        let text = #"{"a":80,"b":1.5,"c":"q\"\n\u0001é","d":[true,null],"e":{}}"#
        let value = try JSONValue.parse(text)
        #expect(value["a"] == .int(80))
        #expect(try JSONValue.parse(value.jsonText) == value)
        #expect(value.jsonText.contains("\"a\":80"))
    }

    @Test(arguments: ["", "{", "{\"a\":}", "[1,", "\u{0}", "nul", "{\"a\" 1}", String(repeating: "[", count: 100_000)])
    func malformedJSONIsAnErrorNotACrash(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue.parse(text) }
    }
}

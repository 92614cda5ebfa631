import Config
import Testing

/// Found by `ConfigFuzzTests`: a reason quoting the operator's text must not break the
/// one-error-per-line output of `swiftlb config validate`.
@Suite struct ErrorLineTests {
    @Test func controlCharactersInQuotedInputAreEscaped() throws {
        let json = #"{"apiVersion":"metallb.io/v1beta1","kind":"IPAddressPool","metadata":{"name":"p"},"#
            + #""spec":{"addresses":["10.0.0.1\nx\t-10.0.0.9"]}}"#
        let result = ConfigurationParser.parse(text: json, fileName: "pool.json")
        let error = try #require(result.errors.first)
        #expect(error.reason.contains("\n"))
        #expect(error.description == #"pool.json: document 1 (IPAddressPool "p"): spec.addresses[0]: invalid range start "10.0.0.1\nx""#)
    }
}

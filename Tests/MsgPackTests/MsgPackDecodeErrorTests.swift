import MsgPack
import Testing

@Suite struct MsgPackDecodeErrorTests {
    @Test func describesOffset() {
        let error = MsgPackDecodeError(offset: 3, reason: .truncated)
        #expect(error.description.contains("offset 3"))
    }
}

import Gossip
import Testing

@Suite struct MessageTypeTests {
    @Test func typeBytesMatchMemberlist() {
        #expect(MessageType.ping.rawValue == 0)
        #expect(MessageType.err.rawValue == 13)
        #expect(MessageType.hasLabel.rawValue == 244)
        #expect(MessageType(rawValue: 14) == nil)
    }
}

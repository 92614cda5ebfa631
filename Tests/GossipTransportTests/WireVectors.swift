/// Hex helpers for the captured memberlist test vectors (docs: memberlist-wire.md §11).
func hex(_ text: String) -> [UInt8] {
    let digits = text.filter { $0.isHexDigit }
    var bytes: [UInt8] = []
    var index = digits.startIndex
    while index < digits.endIndex {
        let next = digits.index(index, offsetBy: 2)
        bytes.append(UInt8(digits[index..<next], radix: 16)!)
        index = next
    }
    return bytes
}

enum WireVectors {
    /// Go 1.19 + memberlist 0.2.2: TCP user message with EnableCompression=true.
    static let compressedUserStream = hex(
        "09 82 a4 41 6c 67 6f 00 a3 42 75 66 da 00 21 00 11 04 52 55 65 4e 19 39 4d e6 9c 61 52 c6 8d 03 34 65 d8 b0 79 d3 42 4e c4 34 61 c4 b0 29 13 10"
    )
    static let userStreamPlain = hex("08 81 aa 55 73 65 72 4d 73 67 4c 65 6e 0e") + Array("hello-reliable".utf8)

    /// Encrypted ack, version 1, key 00…0f (AES-128), no label.
    static let encryptedAckV1 = hex(
        "01 89 34 f6 d2 43 6d 00 99 f3 a0 9b 59 0d 13 25 9b 97 09 86 7e 36 45 9e bb 4f 0a 4e 2f 1e d1 00 5c 27 ec 7b d8 04 d0 86 a6 73 a2 f0 8b 94 3b"
    )
    static let ackSeq1 = hex("02 82 a7 50 61 79 6c 6f 61 64 c0 a5 53 65 71 4e 6f 01")

    /// Encrypted version 0, key 00…1f (AES-256): a CRC'd suspect padded to 48 bytes.
    static let encryptedSuspectV0 = hex(
        "00 64 01 7f 43 75 59 41 e1 69 b6 84 b4 a6 17 10 ef c1 70 59 36 20 ab 07 dd 0d 35 86 1e e5 a6 78 ee 25 85 77 28 53 60 dd dc 59 d0 92 39 f2 30 0a b6 02 a4 7e c7 b6 15 57 17 88 a1 8d 70 8f e7 34 23 18 0a 89 5b 4b 4d 40 e9 22 7c 38 e4"
    )

    /// Labelled ("prod") encrypted ack, memberlist v0.5.0, AES-128 key 00…0f.
    static let labelledEncryptedAck = hex(
        "f4 04 70 72 6f 64 01 ee cb 0f e1 68 8b e4 22 b8 03 7b df d4 51 c3 0d df df 98 3f 96 7f 33 de 61 40 62 85 18 ac f4 ac 5a 63 08 2c 0e 76 5b bb 6f a8 8f 39 f1 f0"
    )

    /// Leave of go2: CRC + dead{From go2, Incarnation 1, Node go2}.
    static let crcLeave = hex(
        "0c 3b 9f 44 33 05 83 a4 46 72 6f 6d a3 67 6f 32 ab 49 6e 63 61 72 6e 61 74 69 6f 6e 01 a4 4e 6f 64 65 a3 67 6f 32"
    )

    static let key128 = Array(UInt8(0)...UInt8(15))
    static let key256 = Array(UInt8(0)...UInt8(31))
}

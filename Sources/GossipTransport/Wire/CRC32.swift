/// CRC-32/IEEE (the zlib/`hash/crc32.ChecksumIEEE` polynomial 0xEDB88320, reflected), used
/// by memberlist's `hasCrc` packet header (protocol version ≥ 5). No package in the
/// dependency set exposes it, so it is the classic 256-entry table.
public enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }

    /// The IEEE CRC-32 of `bytes`.
    public static func checksum(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        return crc ^ 0xFFFF_FFFF
    }
}

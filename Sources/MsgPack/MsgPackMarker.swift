/// msgpack marker bytes, as go-msgpack 0.5.x (`codec/msgpack.go`) names them.
///
/// The "raw" family is the pre-2013 msgpack spec that go-msgpack writes when `WriteExt` is
/// false (memberlist's setting): fixraw, raw16 (0xda) and raw32 (0xdb). str8 (0xd9) and the
/// bin family (0xc4–0xc6) are never written but are accepted on input.
enum MsgPackMarker {
    static let nilValue: UInt8 = 0xc0
    static let falseValue: UInt8 = 0xc2
    static let trueValue: UInt8 = 0xc3
    static let bin8: UInt8 = 0xc4
    static let bin16: UInt8 = 0xc5
    static let bin32: UInt8 = 0xc6
    static let ext8: UInt8 = 0xc7
    static let ext16: UInt8 = 0xc8
    static let ext32: UInt8 = 0xc9
    static let float32: UInt8 = 0xca
    static let float64: UInt8 = 0xcb
    static let uint8: UInt8 = 0xcc
    static let uint16: UInt8 = 0xcd
    static let uint32: UInt8 = 0xce
    static let uint64: UInt8 = 0xcf
    static let int8: UInt8 = 0xd0
    static let int16: UInt8 = 0xd1
    static let int32: UInt8 = 0xd2
    static let int64: UInt8 = 0xd3
    static let fixExt1: UInt8 = 0xd4
    static let fixExt16: UInt8 = 0xd8
    static let str8: UInt8 = 0xd9
    static let raw16: UInt8 = 0xda
    static let raw32: UInt8 = 0xdb
    static let array16: UInt8 = 0xdc
    static let array32: UInt8 = 0xdd
    static let map16: UInt8 = 0xde
    static let map32: UInt8 = 0xdf
}

/// A type-erased, sendable random generator, so actors can store an injected generator
/// (tests pass a seeded one) as a concrete type.
struct SendableRandom: RandomNumberGenerator, Sendable {
    private var base: any RandomNumberGenerator & Sendable

    init(_ base: some RandomNumberGenerator & Sendable) { self.base = base }

    mutating func next() -> UInt64 { base.next() }
}

import Glibc

/// Memory the host handed a skill during one invocation (`alloc`, and the text of
/// completions), to be freed together once the skill's `run` has returned. Noncopyable, so
/// that no block is freed twice.
package struct HostAllocations: ~Copyable, Sendable {
    /// The addresses of the blocks, as integers so that the value is `Sendable`.
    private var addresses: [UInt] = []

    /// No memory.
    package init() {}

    /// How many blocks there are.
    package var count: Int { addresses.count }

    /// A new block of `byteCount` bytes, kept with the others; nil when `malloc` fails.
    package mutating func allocate(byteCount: Int) -> UnsafeMutableRawPointer? {
        guard let memory = malloc(byteCount) else { return nil }
        addresses.append(UInt(bitPattern: memory))
        return memory
    }

    /// Frees every block.
    package consuming func free() {
        for address in addresses {
            Glibc.free(UnsafeMutableRawPointer(bitPattern: address))
        }
    }
}

/// Copies of the structs a skill hands the host, read no further than the size the skill
/// stamped in them.
///
/// Every struct of `skill_abi.h` carries its own size, and later minor versions only append
/// fields, so a skill built for an older version hands the host a smaller struct than the
/// host's. A copy takes the smaller of the two sizes over a zero value: the host never reads
/// past the skill's struct, and the fields the skill does not know keep zero, which the
/// header documents as their default.
package enum SkillStruct {
    /// The struct at `pointer`, of which the skill says `stampedSize` bytes are its own,
    /// copied over `zero`.
    package static func copy<Layout>(_ pointer: UnsafeRawPointer, stampedSize: Int, over zero: Layout) -> Layout {
        var value = zero
        withUnsafeMutableBytes(of: &value) { copy in
            copy.copyMemory(from: UnsafeRawBufferPointer(start: pointer, count: min(max(stampedSize, 0), copy.count)))
        }
        return value
    }
}

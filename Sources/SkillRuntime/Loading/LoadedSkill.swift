import Glibc
import SkillABI
import Synchronization

/// A skill shared object opened with `dlopen` whose descriptor passed every check, and the
/// state its `init` made. `deinit` calls the skill's `deinit` and closes the handle.
///
/// `@unchecked Sendable` is safe: every stored property is immutable after `init`, the
/// descriptor is static data of the shared object (the ABI forbids changing it), and the
/// skill's state pointer is only handed to the skill's own functions, whose thread rules
/// the ABI states (`run` concurrent unless `SKILL_FLAG_SERIAL`, which `serialRun` enforces).
public final class LoadedSkill: @unchecked Sendable {
    /// The descriptor's content.
    public let manifest: SkillManifest
    /// The file that was loaded.
    public let path: String
    private let handle: UnsafeMutableRawPointer
    /// The descriptor as far as the skill's ABI version has it; its functions stay valid,
    /// since the object is never unmapped.
    private let descriptor: skill_descriptor
    private let state: UnsafeMutableRawPointer?
    /// Held around `run` for skills with `SKILL_FLAG_SERIAL`.
    private let serialRun = Mutex(())

    /// The skill `dlopen` gave as `handle`, whose `init` returned `state`; the loader makes it.
    package init(path: String, handle: UnsafeMutableRawPointer, descriptor: skill_descriptor,
                 manifest: SkillManifest, state: UnsafeMutableRawPointer?) {
        self.path = path
        self.handle = handle
        self.descriptor = descriptor
        self.manifest = manifest
        self.state = state
    }

    deinit {
        if let deinitialize = descriptor.deinit {
            deinitialize(state)
        }
        dlclose(handle)
    }

    /// Calls the skill's `run` on the current thread, which must be a thread of its own:
    /// the call blocks for as long as the skill runs.
    package func run(host: UnsafePointer<skill_host>, invocation: OpaquePointer, input: skill_bytes,
                     output: UnsafeMutablePointer<skill_bytes>) -> skill_status {
        // The loader refused descriptors without `run`.
        let run = descriptor.run!
        guard manifest.isSerial else {
            return run(host, invocation, state, input, output)
        }
        return serialRun.withLock { _ in run(host, invocation, state, input, output) }
    }
}

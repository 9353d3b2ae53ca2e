/// Whether `condition` became true within `timeout`, checked every few milliseconds.
/// For waiting on state another thread or process changes; a `false` means a hang, not
/// slowness, so callers assert the result (or a later expectation) to name what was awaited.
@discardableResult
public func eventually(within timeout: Duration = .seconds(20), _ condition: () -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while !condition() {
        guard ContinuousClock.now < deadline else { return false }
        try? await Task.sleep(for: .milliseconds(5))
    }
    return true
}

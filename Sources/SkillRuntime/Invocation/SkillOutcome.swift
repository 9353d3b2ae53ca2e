import SkillABI

/// What a skill's `run` returned, as the host reports it: the one mapping from a
/// `skill_status`, the output and the message set with `set_error` to an outcome, shared by
/// the in-process runner and the worker processes' `run_done`.
package enum SkillOutcome {
    /// The outcome of a `run` that returned `status`, after `streamed` bytes were written
    /// with `write_output` and `returned` bytes were handed back.
    package static func of(status: skill_status, streamed: [UInt8], returned: [UInt8], errorMessage: String?,
                   limits: InvocationLimits) -> Result<String, InvocationFailure>
    {
        let message = errorMessage ?? "the skill set no message (call host->set_error before returning an error)"
        switch status {
        case SKILL_OK:
            guard streamed.count + returned.count <= limits.maximumOutputBytes else {
                return .failure(oversizedOutput(limit: limits.maximumOutputBytes))
            }
            return decodeOutput(streamed + returned)
        case SKILL_ERR_INVALID_INPUT:
            return .failure(.invalidInput(message: message))
        case SKILL_ERR_FAILED:
            return .failure(.skillFailed(message: message))
        case SKILL_ERR_ABORTED:
            return .failure(.skillFailed(message: "the skill returned SKILL_ERR_ABORTED, but no host call was trapped"))
        default:
            return .failure(.skillFailed(message: "the skill returned the unknown status \(status)"))
        }
    }

    /// The failure of an output, chunks and returned bytes together, above `limit` bytes.
    package static func oversizedOutput(limit: Int) -> InvocationFailure {
        .invalidOutput(reason: "it is larger than the limit of \(limit) bytes")
    }

    /// `bytes` as text, or the failure naming the first byte that is not UTF-8.
    static func decodeOutput(_ bytes: [UInt8]) -> Result<String, InvocationFailure> {
        if let text = String(validating: bytes, as: UTF8.self) {
            return .success(text)
        }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while case let .scalarValue(scalar) = decoder.decode(&iterator) {
            offset += UTF8.width(scalar)
        }
        return .failure(.invalidOutput(
            reason: "it is not valid UTF-8 (byte 0x\(String(bytes[offset], radix: 16)) at offset \(offset))"))
    }
}

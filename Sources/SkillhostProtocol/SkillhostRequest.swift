import JSON
import JSONRPC
import SkillhostModel

/// One method of skillhostd's JSON-RPC protocol (docs/PROTOCOL.md), declared once: its
/// name, its params (the conforming type's own members, under their JSON names), its
/// result, the error kinds it answers with, and a line saying what it does.
///
/// The daemon's dispatch, `skillctl` and the tests all go through these declarations:
/// ``decodeParams(_:)`` reads a call's params (refusing unknown ones), ``params`` writes
/// them, and ``encodeResult(_:)`` and ``decodeResult(_:)`` carry the result.
public protocol SkillhostRequest: Codable, Sendable {
    /// What the method answers with.
    associatedtype Result: Codable, Sendable

    /// The method's name on the wire: `skills.run`.
    static var method: String { get }
    /// What the method does, in one line.
    static var summary: String { get }
    /// The kinds of skillhost's own errors the method may answer with, besides
    /// `invalid_params` and `internal`, which any method may.
    static var errorKinds: [ErrorKind] { get }

    /// The request a call's `params` make. Declared here so that a method on the path of
    /// every run can read its params directly (``DirectParams``); the others use the
    /// Codable default below.
    static func decodeParams(_ params: JSONValue?) throws(JSONRPCError) -> Self
    /// A result as it goes on the wire; a requirement for the same reason.
    static func encodeResult(_ result: Result) throws(JSONRPCError) -> JSONValue
}

extension SkillhostRequest {
    /// The params of a call of this method, from the request's members; members that are
    /// `nil` are left out.
    public var params: JSONValue {
        get throws(JSONRPCError) {
            do {
                return try JSONValueEncoder(nilMembers: .omit).encode(self)
            } catch {
                throw .invalidParams("\(Self.method): \(error)")
            }
        }
    }

    /// The request a call's `params` make; absent params read as none.
    /// - Throws: `invalid_params` naming the first parameter that is missing, of the wrong
    ///   type, or unknown to the method, or saying that params are not named.
    public static func decodeParams(_ params: JSONValue?) throws(JSONRPCError) -> Self {
        let value = params ?? .object([:])
        guard case .object = value else {
            throw .invalidParams("params must be an object of named parameters, not \(value.typeDescription)")
        }
        do {
            return try JSONValueDecoder(unknownMembers: .refuse).decode(Self.self, from: value)
        } catch {
            throw .invalidParams(error.description)
        }
    }

    /// A result as it goes on the wire: members that are `nil` are written as `null`.
    /// - Throws: `internal` when the result has no JSON spelling (a bug).
    public static func encodeResult(_ result: Result) throws(JSONRPCError) -> JSONValue {
        do {
            return try JSONValueEncoder(nilMembers: .null).encode(result)
        } catch {
            throw .internalError("\(method) made a result that cannot be sent: \(error)")
        }
    }

    /// A result as it came off the wire; members the result type does not know are
    /// ignored, so an older client can read a newer daemon's answers.
    public static func decodeResult(_ value: JSONValue) throws(JSONValueDecodingError) -> Result {
        try JSONValueDecoder(unknownMembers: .ignore).decode(Result.self, from: value)
    }
}

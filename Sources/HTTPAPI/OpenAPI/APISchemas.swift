import JSON
import Registry
import SkillhostModel
import SkillhostProtocol

/// The schemas the API's document keeps among its components: the error body, the records
/// and results the daemon answers with (docs/PROTOCOL.md's), the events of a streamed run,
/// and the JSON-RPC messages of `/rpc`. Tests hold each to what the daemon writes.
package enum APISchemas {
    /// Every schema, by the name ``JSONSchema/reference(_:)`` takes.
    package static let all: [String: JSONValue] = [
        error: JSONSchema.described(JSONSchema.record(["error": JSONSchema.reference(errorBody)]),
                                    "every refusal and failure: its kind and message"),
        errorBody: errorBodySchema,
        skillRecord: skillRecordSchema, skillGrants: skillGrantsSchema,
        skillList: JSONSchema.record(["skills": JSONSchema.array(of: JSONSchema.reference(skillRecord))]),
        runRecord: runRecordSchema, runSummary: runSummarySchema, cancelledRun: cancelledRunSchema,
        runError: runErrorSchema, tokenCounts: tokenCountsSchema, runResult: runResultSchema,
        runStarted: JSONSchema.described(JSONSchema.record(["run_id": JSONSchema.int64]),
                                         "a started event: the run is recorded and its skill starts"),
        runOutput: JSONSchema.described(JSONSchema.record(["run_id": JSONSchema.int64, "chunk": JSONSchema.string]),
                                        "an output event: a piece of the output, as UTF-8 text that never splits a character"),
        runLog: JSONSchema.described(
            JSONSchema.record(["run_id": JSONSchema.int64, "level": JSONSchema.enumeration(of: RunLogLine.Level.self),
                               "message": JSONSchema.string]),
            "a log event: a line the skill logged"),
        rpcRequest: rpcRequestSchema, rpcResponse: rpcResponseSchema, rpcError: rpcErrorSchema,
        rpcNotification: rpcNotificationSchema,
    ]

    /// `{"error": ErrorBody}`.
    package static let error = "Error"
    /// `{"kind", "message", ...}`.
    package static let errorBody = "ErrorBody"
    /// A skill record.
    package static let skillRecord = "SkillRecord"
    /// A skill's grants.
    package static let skillGrants = "SkillGrants"
    /// `{"skills": [SkillRecord]}`.
    package static let skillList = "SkillList"
    /// A run record.
    package static let runRecord = "RunRecord"
    /// A run record's `error`.
    package static let runError = "RunError"
    /// A run record without its input and output: `runs.list`'s, `runs.attach`'s answer.
    package static let runSummary = "RunSummary"
    /// What `runs.cancel` answers.
    package static let cancelledRun = "CancelledRun"
    /// A run's token usage.
    package static let tokenCounts = "TokenCounts"
    /// What a successful `skills.run` answers: a streamed run's `result` event.
    package static let runResult = "RunResult"
    /// A streamed run's `started` event.
    package static let runStarted = "RunStartedEvent"
    /// A streamed run's `output` event.
    package static let runOutput = "RunOutputEvent"
    /// A streamed run's `log` event.
    package static let runLog = "RunLogEvent"
    /// A JSON-RPC 2.0 request of the protocol.
    package static let rpcRequest = "JSONRPCRequest"
    /// A JSON-RPC 2.0 response.
    package static let rpcResponse = "JSONRPCResponse"
    /// A JSON-RPC 2.0 error object.
    package static let rpcError = "JSONRPCError"
    /// A notification the daemon sends during a call.
    package static let rpcNotification = "JSONRPCNotification"

    private static let errorBodySchema: JSONValue = JSONSchema.described([
        "type": "object", "required": ["kind", "message"],
        "properties": [
            "kind": JSONSchema.enumeration(of: ErrorKind.self),
            "message": JSONSchema.string,
            "run_id": JSONSchema.described(JSONSchema.int64, "the run that failed, when one did"),
            "status": JSONSchema.described(JSONSchema.enumeration(of: RunStatus.self), "the status of the run that failed"),
        ],
    ], "an error: its kind, a message for people, and what else names it (a failed run's run_id and status)")

    private static let skillRecordSchema = JSONSchema.described(JSONSchema.record([
        "name": JSONSchema.string,
        "version": JSONSchema.described(JSONSchema.string, "semantic version, MAJOR.MINOR.PATCH"),
        "sha256": JSONSchema.described(JSONSchema.sha256, "the SHA-256 of the library"),
        "size": JSONSchema.described(JSONSchema.int64, "the library's size in bytes"),
        "description": JSONSchema.string,
        "input_schema": JSONSchema.described(JSONSchema.any, "the JSON Schema the skill declares for its input; null when none"),
        "output_schema": JSONSchema.described(JSONSchema.any, "the JSON Schema the skill declares for its output; null when none"),
        "flags": JSONSchema.array(of: ["type": "string", "enum": ["serial"]]),
        "abi": JSONSchema.described(JSONSchema.string, "the skill ABI it was built against, MAJOR.MINOR"),
        "isolation": JSONSchema.enumeration(of: IsolationMode.self),
        "memory_limit_bytes": JSONSchema.described(JSONSchema.nullable(JSONSchema.int64),
                                                   "its workers' memory limit, 0 for none; null: the daemon's default"),
        "grants": JSONSchema.reference(skillGrants),
        "state": JSONSchema.described(JSONSchema.enumeration(of: SkillState.self),
                                      "enabled: it takes new runs; disabled or draining: they are refused (skill_disabled)"),
        "activity": JSONSchema.described(skillActivitySchema, "its runs since the daemon started; in one skill's record only"),
        "installed_at": JSONSchema.timestamp,
    ], optional: ["activity"]), "an installed skill")

    private static let skillActivitySchema = JSONSchema.record([
        "queued": JSONSchema.int64,
        "in_flight": JSONSchema.int64,
        "finished": JSONSchema.described(JSONSchema.int64, "runs that ended, whatever their status"),
        "failed": JSONSchema.described(JSONSchema.int64, "runs that ended and did not succeed"),
        "p50_ms": JSONSchema.described(JSONSchema.nullable(JSONSchema.number), "null before the first run ended"),
        "p99_ms": JSONSchema.described(JSONSchema.nullable(JSONSchema.number), "null before the first run ended"),
    ])

    private static let skillGrantsSchema = JSONSchema.described(JSONSchema.record([
        "network": JSONSchema.enumeration(of: NetworkAccess.self),
        "read_only_paths": JSONSchema.array(of: JSONSchema.string),
        "process_limit": JSONSchema.described(JSONSchema.nullable(JSONSchema.integer), "null: the daemon's default"),
        "cpu_seconds_per_run": JSONSchema.described(JSONSchema.nullable(JSONSchema.integer), "null: the daemon's default"),
    ]), "what a skill's workers may do beyond the sandbox's defaults")

    private static let runRecordSchema = JSONSchema.described(JSONSchema.record(runRecordProperties), "a run in full")

    private static let runSummarySchema = JSONSchema.described(
        JSONSchema.record(runRecordProperties.filter { !["input", "output", "output_kind"].contains($0.key) }),
        "a run without its input and output")

    private static let cancelledRunSchema = JSONSchema.described(JSONSchema.record([
        "cancelled": ["type": "boolean"],
        "run": JSONSchema.reference(runRecord),
    ]), "whether this cancel ended the run (false: it had ended already), and its final record")

    private static let runRecordProperties: [String: JSONValue] = [
        "run_id": JSONSchema.int64,
        "skill": JSONSchema.string,
        "version": JSONSchema.string,
        "sha256": JSONSchema.sha256,
        "status": JSONSchema.enumeration(of: RunStatus.self),
        "input": JSONSchema.described(JSONSchema.any, "the input: its JSON value, or a string when it is not JSON"),
        "output": JSONSchema.described(JSONSchema.any, "the output: its JSON value, or a string when it is not JSON; null while none"),
        "output_kind": JSONSchema.described(JSONSchema.nullable(JSONSchema.enumeration(of: PayloadKind.self)),
                                            "which of the two the output is; null while there is none"),
        "error": JSONSchema.described(JSONSchema.nullable(JSONSchema.reference(runError)), "null for a run that did not fail"),
        "model": JSONSchema.nullable(JSONSchema.string),
        "trigger": JSONSchema.described(JSONSchema.string, "what started it: rpc, batch, schedule or replay"),
        "caller_uid": JSONSchema.described(JSONSchema.nullable(JSONSchema.integer), "the uid of the socket client that asked"),
        "caller_token": JSONSchema.described(JSONSchema.nullable(JSONSchema.string), "the name of the token that asked over HTTP"),
        "created_at": JSONSchema.timestamp,
        "started_at": JSONSchema.nullable(JSONSchema.timestamp),
        "finished_at": JSONSchema.nullable(JSONSchema.timestamp),
        "duration_ms": JSONSchema.nullable(JSONSchema.number),
        "usage": JSONSchema.reference(tokenCounts),
        "batch_id": JSONSchema.nullable(JSONSchema.int64),
        "batch_item": JSONSchema.nullable(JSONSchema.integer),
        "schedule_id": JSONSchema.nullable(JSONSchema.int64),
        "replay_of": JSONSchema.described(JSONSchema.nullable(JSONSchema.int64), "the run whose input a replay ran again"),
    ]

    private static let runErrorSchema = JSONSchema.record([
        "kind": JSONSchema.enumeration(of: ErrorKind.self), "message": JSONSchema.string,
    ])

    private static let tokenCountsSchema = JSONSchema.record([
        "prompt_tokens": JSONSchema.int64, "completion_tokens": JSONSchema.int64,
    ])

    private static let runResultSchema = JSONSchema.described(JSONSchema.record([
        "run_id": JSONSchema.int64,
        "status": ["type": "string", "enum": [.string(RunStatus.succeeded.rawValue)]],
        "output": JSONSchema.described(JSONSchema.any, "the output: its JSON value, or a string when it is not JSON"),
        "output_kind": JSONSchema.nullable(JSONSchema.enumeration(of: PayloadKind.self)),
        "usage": JSONSchema.reference(tokenCounts),
        "duration_ms": JSONSchema.nullable(JSONSchema.number),
    ]), "what a successful skills.run answers")

    private static let rpcID = JSONSchema.nullable(["type": ["integer", "string"]])

    private static let rpcRequestSchema: JSONValue = JSONSchema.described([
        "type": "object", "required": ["jsonrpc", "method"],
        "properties": [
            "jsonrpc": ["const": "2.0"],
            "id": JSONSchema.described(rpcID, "absent for a notification, which is not answered"),
            "method": ["type": "string", "enum": .array(SkillhostMessages.requests.map { .string($0.method) })],
            "params": JSONSchema.described(["type": "object"], "the method's named parameters (docs/PROTOCOL.md)"),
        ],
    ], "a call of one of the protocol's methods: " + SkillhostMessages.requests.map { "\($0.method): \($0.summary)" }
        .joined(separator: "; "))

    private static let rpcResponseSchema: JSONValue = [
        "type": "object", "required": ["jsonrpc", "id"],
        "properties": [
            "jsonrpc": ["const": "2.0"], "id": rpcID,
            "result": JSONSchema.described(JSONSchema.any, "the method's result, when it succeeded"),
            "error": JSONSchema.reference(rpcError),
        ],
        "oneOf": [["required": ["result"]], ["required": ["error"]]],
    ]

    private static let rpcNotificationSchema: JSONValue = JSONSchema.described(JSONSchema.record([
        "jsonrpc": ["const": "2.0"],
        "method": ["type": "string", "enum": .array(SkillhostMessages.notifications.map { .string($0.method) })],
        "params": ["type": "object"],
    ]), "a notification of the call: " + SkillhostMessages.notifications.map { "\($0.method): \($0.summary)" }
        .joined(separator: "; "))

    private static let rpcErrorSchema: JSONValue = [
        "type": "object", "required": ["code", "message", "data"],
        "properties": [
            "code": ["type": "integer", "enum": .array(ErrorKind.allCases.map { .int(Int64($0.code)) })],
            "message": JSONSchema.string,
            "data": JSONSchema.described(errorBodyData, "the error's kind, and what else names it (a failed run's run_id and status)"),
        ],
    ]

    private static let errorBodyData: JSONValue = [
        "type": "object", "required": ["kind"],
        "properties": ["kind": JSONSchema.enumeration(of: ErrorKind.self)],
    ]
}

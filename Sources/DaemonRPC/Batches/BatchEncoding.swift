import Foundation
import JSON
import Registry

/// The JSON shapes of docs/PROTOCOL.md for batches and their items.
enum BatchEncoding {
    /// A batch record.
    static func json(_ batch: BatchRecord) -> JSONValue {
        .object([
            "batch_id": .int(batch.id),
            "skill": .string(batch.skillName),
            "version": .string(batch.skillVersion),
            "sha256": .string(batch.skillSHA256),
            "status": .string(batch.status.rawValue),
            "counts": counts(batch.counts),
            "items": .int(Int64(batch.counts.total)),
            "parallelism": .int(Int64(batch.parallelism)),
            "retries": .int(Int64(batch.maximumRetries)),
            "timeout_ms": batch.timeoutMilliseconds.map(JSONValue.int) ?? .null,
            "model": batch.model.map(JSONValue.string) ?? .null,
            "caller_uid": batch.callerUID.map { .int(Int64($0)) } ?? .null,
            "caller_token": batch.callerToken.map(JSONValue.string) ?? .null,
            "created_at": RecordEncoding.timestamp(batch.createdAt),
            "finished_at": batch.finishedAt.map(RecordEncoding.timestamp) ?? .null,
            "schedule_id": batch.scheduleID.map(JSONValue.int) ?? .null,
        ])
    }

    /// The counts of a batch's items by state.
    static func counts(_ counts: BatchCounts) -> JSONValue {
        .object(countsByState(counts).mapValues(JSONValue.int))
    }

    /// The number of a batch's items in each state, by the state's name.
    static func countsByState(_ counts: BatchCounts) -> [String: Int64] {
        [
            "pending": Int64(counts.pending), "running": Int64(counts.running), "done": Int64(counts.done),
            "failed": Int64(counts.failed), "cancelled": Int64(counts.cancelled),
        ]
    }

    /// A batch item; `input` and `output` are JSON values when their text is JSON, and
    /// `output_kind` says which `output` is.
    static func json(_ item: BatchItemRecord) -> JSONValue {
        .object(RecordEncoding.output(item.output).merging([
            "index": .int(Int64(item.index)),
            "status": .string(item.status.rawValue),
            "attempts": .int(Int64(item.attempts)),
            "run_id": item.runID.map(JSONValue.int) ?? .null,
            "input": RecordEncoding.payload(item.input),
            "error": item.errorKind.map { kind in
                .object(["kind": .string(kind.rawValue), "message": .string(item.errorMessage ?? "")])
            } ?? .null,
            "not_before": item.notBefore.map(RecordEncoding.timestamp) ?? .null,
        ]) { _, new in new })
    }
}

import JSON
import JSONRPC
import SkillhostModel

/// `batches.start`: records a batch and starts it in the background.
public struct StartBatchRequest: SkillhostRequest {
    public static let method = "batches.start"
    public static let summary = "records a batch over items or the lines of a JSONL file and starts it in the background"
    public static let errorKinds: [ErrorKind] = [.notFound, .permissionDenied, .skillDisabled]
    public typealias Result = StartedBatch

    /// `NAME` or `NAME@VERSION`.
    public var skill: String
    /// The items, each one run's input; or give ``inputFile``.
    public var items: [JSONValue]?
    /// The absolute path of a JSONL file, one item a line; or give ``items``.
    public var inputFile: String?
    /// Items run at once, 1 to 64; `nil`: 1.
    public var parallelism: Int?
    /// Retries of a failure that can pass, 0 to 10; `nil`: 2.
    public var retries: Int?
    /// The deadline of each run; `nil`: the daemon's.
    public var timeoutMilliseconds: Int64?
    /// The model of the runs; `nil`: the default.
    public var model: String?

    /// A request as given.
    public init(skill: String, items: [JSONValue]? = nil, inputFile: String? = nil, parallelism: Int? = nil,
                retries: Int? = nil, timeoutMilliseconds: Int64? = nil, model: String? = nil) {
        self.skill = skill
        self.items = items
        self.inputFile = inputFile
        self.parallelism = parallelism
        self.retries = retries
        self.timeoutMilliseconds = timeoutMilliseconds
        self.model = model
    }

    private enum CodingKeys: String, CodingKey {
        case skill, items, parallelism, retries, model
        case inputFile = "input_file"
        case timeoutMilliseconds = "timeout_ms"
    }
}

/// What `batches.start` answers.
public struct StartedBatch: Codable, Sendable {
    /// The batch's id.
    public var batchID: Int64
    /// How many items it has.
    public var items: Int64

    /// An answer as given.
    public init(batchID: Int64, items: Int64) {
        self.batchID = batchID
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case items
        case batchID = "batch_id"
    }
}

/// `batches.get`: one batch.
public struct GetBatchRequest: SkillhostRequest {
    public static let method = "batches.get"
    public static let summary = "one batch: its status and counts"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// A batch record.
    public typealias Result = JSONValue

    /// The batch's id.
    public var batchID: Int64

    /// A request as given.
    public init(batchID: Int64) {
        self.batchID = batchID
    }

    private enum CodingKeys: String, CodingKey {
        case batchID = "batch_id"
    }
}

/// `batches.list`: recent batches, newest first.
public struct ListBatchesRequest: SkillhostRequest {
    public static let method = "batches.list"
    public static let summary = "recent batches with their counts, newest first; before pages"
    public static let errorKinds: [ErrorKind] = []
    public typealias Result = BatchList

    /// At most this many, 1 to 1000; `nil`: 50.
    public var limit: Int?
    /// Only batches older than this batch id.
    public var before: Int64?

    /// A request as given.
    public init(limit: Int? = nil, before: Int64? = nil) {
        self.limit = limit
        self.before = before
    }
}

/// What `batches.list` answers.
public struct BatchList: Codable, Sendable {
    /// Batch records, newest first.
    public var batches: [JSONValue]

    /// A list as given.
    public init(batches: [JSONValue]) {
        self.batches = batches
    }
}

/// `batches.items`: a page of a batch's items, in index order.
public struct BatchItemsRequest: SkillhostRequest {
    public static let method = "batches.items"
    public static let summary = "a page of a batch's items in index order; after pages"
    public static let errorKinds: [ErrorKind] = [.notFound]
    public typealias Result = BatchItems

    /// The batch's id.
    public var batchID: Int64
    /// Only items in this status.
    public var status: String?
    /// At most this many, 1 to 10000; `nil`: 1000.
    public var limit: Int?
    /// Only items after this index.
    public var after: Int?

    /// A request as given.
    public init(batchID: Int64, status: String? = nil, limit: Int? = nil, after: Int? = nil) {
        self.batchID = batchID
        self.status = status
        self.limit = limit
        self.after = after
    }

    private enum CodingKeys: String, CodingKey {
        case status, limit, after
        case batchID = "batch_id"
    }
}

/// What `batches.items` answers.
public struct BatchItems: Codable, Sendable {
    /// The batch's id.
    public var batchID: Int64
    /// Batch item records.
    public var items: [JSONValue]

    /// An answer as given.
    public init(batchID: Int64, items: [JSONValue]) {
        self.batchID = batchID
        self.items = items
    }

    private enum CodingKeys: String, CodingKey {
        case items
        case batchID = "batch_id"
    }
}

/// `batches.cancel`: stops a batch.
public struct CancelBatchRequest: SkillhostRequest {
    public static let method = "batches.cancel"
    public static let summary = "starts no new item of a batch, cancels its runs in flight, ends the rest as cancelled"
    public static let errorKinds: [ErrorKind] = [.notFound]
    /// The batch record.
    public typealias Result = JSONValue

    /// The batch's id.
    public var batchID: Int64

    /// A request as given.
    public init(batchID: Int64) {
        self.batchID = batchID
    }

    private enum CodingKeys: String, CodingKey {
        case batchID = "batch_id"
    }
}

/// `batches.wait`: waits for a batch to finish, with progress notifications.
public struct WaitBatchRequest: SkillhostRequest {
    public static let method = "batches.wait"
    public static let summary = "waits for a batch to finish, sending batch.progress meanwhile, and answers its final record"
    public static let errorKinds: [ErrorKind] = [.notFound, .cancelled]
    /// The final batch record.
    public typealias Result = JSONValue

    /// The batch's id.
    public var batchID: Int64

    /// A request as given.
    public init(batchID: Int64) {
        self.batchID = batchID
    }

    private enum CodingKeys: String, CodingKey {
        case batchID = "batch_id"
    }
}

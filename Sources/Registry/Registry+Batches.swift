import Foundation

/// Batches: many runs of one skill over a list of inputs, with their progress kept in the
/// registry so that a batch goes on where it stopped after the daemon restarts. Every state
/// change is one transaction, and an item's final state is written once.
extension Registry {
    /// Records a new running batch and its items, all pending.
    public func createBatch(_ batch: NewBatch) throws(RegistryError) -> BatchRecord {
        let id = try database.write { (connection) throws(RegistryError) -> Int64 in
            let id = try BatchTable.insert(batch, in: connection)
            try BatchItemTable.insert(inputs: batch.inputs, batchID: id, in: connection)
            return id
        }
        return BatchRecord(
            id: id, skillName: batch.skillName, skillVersion: batch.skillVersion, skillSHA256: batch.skillSHA256,
            parallelism: batch.parallelism, maximumRetries: batch.maximumRetries,
            timeoutMilliseconds: batch.timeoutMilliseconds, model: batch.model, callerUID: batch.callerUID,
            callerToken: batch.callerToken, callerTokenID: batch.callerTokenID,
            status: .running, createdAt: batch.createdAt, finishedAt: nil,
            counts: BatchCounts(pending: batch.inputs.count), scheduleID: batch.scheduleID)
    }

    /// The batch with `id`, with the counts of its items, or `nil`.
    public func batch(id: Int64) throws(RegistryError) -> BatchRecord? {
        try database.read { (connection) throws(RegistryError) -> BatchRecord? in
            try BatchTable.find(id: id, in: connection)
        }
    }

    /// At most `limit` batches, newest first, those before the batch `before` when given.
    public func batches(limit: Int, before: Int64?) throws(RegistryError) -> [BatchRecord] {
        try database.read { (connection) throws(RegistryError) -> [BatchRecord] in
            try BatchTable.page(limit: limit, before: before, in: connection)
        }
    }

    /// One page of a batch's items in index order; `nil` when there is no such batch.
    public func batchItems(matching query: BatchItemQuery) throws(RegistryError) -> [BatchItemRecord]? {
        try database.read { (connection) throws(RegistryError) -> [BatchItemRecord]? in
            guard try BatchTable.state(id: query.batchID, in: connection) != nil else { return nil }
            return try BatchItemTable.page(matching: query, in: connection)
        }
    }

    /// Starts an attempt of the pending item of lowest index that may be tried at `date`:
    /// marks it running and counts the attempt. Nothing is claimed from a batch that is not
    /// running. Written by group commit (``GroupCommit``), as are the ends of attempts.
    public func claimBatchItem(batchID: Int64, at date: Date) async throws(RegistryError) -> BatchClaim {
        try await groupCommit.write { (connection) throws(RegistryError) -> BatchClaim in
            guard let state = try BatchTable.state(id: batchID, in: connection), state.status == .running else {
                return .nothingPending
            }
            let next = try BatchItemTable.nextPending(batchID: batchID, at: date, in: connection)
            guard let index = next.index else {
                return next.earliest.map(BatchClaim.notBefore) ?? .nothingPending
            }
            guard try BatchItemTable.markRunning(batchID: batchID, index: index, in: connection),
                  let item = try BatchItemTable.find(batchID: batchID, index: index, in: connection)
            else { return .nothingPending }
            return .claimed(item)
        }
    }

    /// Records how an attempt of a running item ended, and ends the batch when that was its
    /// last unfinished item. In a cancelled batch, an attempt that would be retried ends the
    /// item as cancelled instead.
    ///
    /// - Parameter runID: The run of the attempt, when one was recorded.
    /// - Returns: The item as now stored; `nil` when it was not running (its final state is
    ///   already written and is not changed), or there is no such item.
    @discardableResult
    public func finishBatchAttempt(
        batchID: Int64, index: Int, runID: Int64?, outcome: BatchAttemptOutcome, at date: Date
    ) async throws(RegistryError) -> BatchItemRecord? {
        try await groupCommit.write { (connection) throws(RegistryError) -> BatchItemRecord? in
            var outcome = outcome
            if case let .retry(kind, message, _) = outcome,
               try BatchTable.state(id: batchID, in: connection)?.status == .cancelled {
                outcome = .cancelled(kind: kind, message: message)
            }
            guard try BatchItemTable.finishAttempt(batchID: batchID, index: index, runID: runID, outcome: outcome, in: connection)
            else { return nil }
            _ = try BatchTable.finishIfComplete(id: batchID, at: date, in: connection)
            return try BatchItemTable.find(batchID: batchID, index: index, in: connection)
        }
    }

    /// Puts a running item whose run could not start back to pending, not before
    /// `notBefore`, without counting the attempt.
    public func releaseBatchItem(batchID: Int64, index: Int, notBefore: Date) async throws(RegistryError) {
        try await groupCommit.write { (connection) throws(RegistryError) in
            try BatchItemTable.release(batchID: batchID, index: index, notBefore: notBefore, in: connection)
        }
    }

    /// Cancels a running batch: its pending items become cancelled at once; its running
    /// items end as their runs end (cancelled, unless they succeed first). The batch ends
    /// when no item is running. A batch that is not running is left as it is.
    ///
    /// - Returns: The batch as now stored, or `nil` when there is no such batch.
    public func cancelBatch(id: Int64, at date: Date) throws(RegistryError) -> BatchRecord? {
        try database.write { (connection) throws(RegistryError) -> BatchRecord? in
            guard let state = try BatchTable.state(id: id, in: connection) else { return nil }
            if state.status == .running {
                try BatchTable.setStatus(.cancelled, id: id, in: connection)
                _ = try BatchItemTable.move(batchID: id, from: [.pending], to: .cancelled, in: connection)
                _ = try BatchTable.finishIfComplete(id: id, at: date, in: connection)
            }
            return try BatchTable.find(id: id, in: connection)
        }
    }

    /// Prepares the batches a stopped daemon left unfinished to go on, as the daemon does when
    /// it starts (after recording the runs left unfinished as interrupted): the running items
    /// of a running batch become pending again with their attempts kept; those of a cancelled
    /// batch become cancelled, and the batch ends.
    ///
    /// - Returns: The ids of the batches that are still running, oldest first.
    public func resumeUnfinishedBatches(at date: Date) throws(RegistryError) -> [Int64] {
        try database.write { (connection) throws(RegistryError) -> [Int64] in
            var running: [Int64] = []
            for id in try BatchTable.unfinishedIDs(in: connection) {
                guard let state = try BatchTable.state(id: id, in: connection) else { continue }
                if state.status == .running {
                    _ = try BatchItemTable.move(batchID: id, from: [.running], to: .pending, in: connection)
                } else {
                    _ = try BatchItemTable.move(batchID: id, from: [.pending, .running], to: .cancelled, in: connection)
                }
                if try !BatchTable.finishIfComplete(id: id, at: date, in: connection), state.status == .running {
                    running.append(id)
                }
            }
            return running
        }
    }
}

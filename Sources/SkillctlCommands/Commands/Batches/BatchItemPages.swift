import JSON
import JSONRPC
import SkillhostProtocol

/// A batch's items, read from the daemon a page at a time.
enum BatchItemPages {
    /// How many items one `batches.items` call asks for.
    static let pageSize = 1000

    /// Every item of batch `id` (in `status`, if given), in index order.
    static func all(of id: Int64, status: String?, client: JSONRPCClient) async throws(JSONRPCClientError) -> [JSONValue] {
        var items: [JSONValue] = []
        try await forEachPage(of: id, status: status, client: client) { page in items += page }
        return items
    }

    /// Calls `body` with each page of batch `id`'s items, in index order.
    static func forEachPage(of id: Int64, status: String?, client: JSONRPCClient, _ body: ([JSONValue]) -> Void)
        async throws(JSONRPCClientError)
    {
        var after: Int?
        repeat {
            let page = try await client.send(BatchItemsRequest(batchID: id, status: status, limit: pageSize, after: after))
                .result.items
            body(page)
            after = page.count == pageSize ? page.last?["index"]?.int64Value.flatMap { Int(exactly: $0) } : nil
        } while after != nil
    }
}

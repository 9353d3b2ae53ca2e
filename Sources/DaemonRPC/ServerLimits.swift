import JSONRPC
import SkillDaemon
import SkillhostModel
import SkillhostProtocol

extension JSONRPCServerLimits {
    /// The daemon's limits on its clients, from `configuration`, serving at most
    /// `maximumConnections` at once; each refusal names the limit and the setting that
    /// raises it.
    init(configuration: DaemonConfiguration, maximumConnections: Int) {
        self.init(maximumConnections: maximumConnections, maximumRequestBytes: configuration.maximumRequestBytes,
                  maximumBatchLength: configuration.maximumBatchLength) { exceeded in
            switch exceeded {
            case let .connections(limit):
                JSONRPCError(.tooManyConnections, message: "skillhostd already serves \(limit) connections, "
                    + "the most it allows (max_connections): this one is closed; retry once a client has gone")
            case let .requestBytes(limit):
                .invalidRequest("the request line is longer than \(limit) bytes, the limit set by max_request_bytes: "
                    + "it is not read further, and the connection is closed")
            case let .batchLength(length, limit):
                .invalidRequest("the batch holds \(length) requests, more than \(limit), the limit set by "
                    + "max_batch_length: none of them ran; send smaller batches")
            }
        }
    }
}

extension WorkerMessage {
    /// The message's name in docs/WORKER-PROTOCOL.md, such as `run_done`, for error messages
    /// (the payload may be large or binary, so it is never quoted).
    package var name: String {
        switch self {
        case .load: "load"
        case .inspect: "inspect"
        case .run: "run"
        case .completeReply: "complete_reply"
        case .shutdown: "shutdown"
        case .sandboxed: "sandboxed"
        case .loaded: "loaded"
        case .loadFailed: "load_failed"
        case .inspected: "inspected"
        case .completeCall: "complete_call"
        case .chatCall: "chat_call"
        case .outputChunk: "output_chunk"
        case .log: "log"
        case .runDone: "run_done"
        case .csiMisuse: "csi_misuse"
        }
    }
}

/// Every message of skillhostd's protocol: what docs/PROTOCOL.md documents, the daemon
/// serves and a test holds the two to.
public enum SkillhostMessages {
    /// Every method, in the order docs/PROTOCOL.md lists them.
    public static let requests: [any SkillhostRequest.Type] = [
        HostStatusRequest.self, HostMetricsRequest.self,
        InstallSkillRequest.self, ListSkillsRequest.self, GetSkillRequest.self, SetIsolationRequest.self,
        SetLimitsRequest.self, GrantSkillRequest.self, RemoveSkillRequest.self, SkillExistsRequest.self, WatchSkillsRequest.self,
        DisableSkillRequest.self, EnableSkillRequest.self, DrainSkillRequest.self,
        RunSkillRequest.self,
        StartRunRequest.self, WaitRunRequest.self, CancelRunRequest.self, AttachRunRequest.self,
        GetRunRequest.self, RunLogsRequest.self, ListRunsRequest.self, ActiveRunsRequest.self, RunsPerMinuteRequest.self,
        ReplayRunRequest.self,
        StartBatchRequest.self, GetBatchRequest.self, ListBatchesRequest.self, BatchItemsRequest.self, CancelBatchRequest.self, WaitBatchRequest.self,
        AddScheduleRequest.self, ListSchedulesRequest.self, GetScheduleRequest.self, RemoveScheduleRequest.self,
        PauseScheduleRequest.self, ResumeScheduleRequest.self, TriggerScheduleRequest.self,
        InferenceStatusRequest.self, InferenceModelsRequest.self, AttachEndpointRequest.self, DetachEndpointRequest.self,
        CreateTokenRequest.self, ListTokensRequest.self, RevokeTokenRequest.self,
    ]

    /// Every notification the daemon sends.
    public static let notifications: [any SkillhostNotification.Type] = [
        RunStartedNotification.self, RunOutputNotification.self, RunLogNotification.self, BatchProgressNotification.self,
        SkillsChangedNotification.self,
    ]

    private static let requestsByMethod = Dictionary(uniqueKeysWithValues: requests.map { ($0.method, $0) })

    /// The declaration of the method named `method`, if there is one.
    public static func request(named method: String) -> (any SkillhostRequest.Type)? {
        requestsByMethod[method]
    }
}

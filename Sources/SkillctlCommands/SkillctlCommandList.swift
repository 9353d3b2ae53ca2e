/// Every command of skillctl, in the order help lists them: the one list the parser,
/// `--help`, `skillctl help COMMAND`, the README's command table, the shell completions
/// and the manual page are made from.
enum SkillctlCommandList {
    /// The commands and groups of commands.
    static let entries: [CommandEntry] = [
        .command(StatusCommand.self),
        .command(InstallCommand.self),
        .command(ListSkillsCommand.self),
        .command(ShowSkillCommand.self),
        .command(RemoveSkillCommand.self),
        .group(CommandGroup(
            name: "skills", abstract: "whether a skill takes new runs: disable, enable, drain",
            discussion: """
                A disabled skill refuses new runs with skill_disabled (exit status 1) until it is
                enabled again; its runs in flight go on. `drain` disables it and waits for them to
                end. The daemon keeps the state across restarts; `skillctl show NAME` and
                `skillctl status` show it with each skill's runs since the daemon started.
                """,
            subcommands: [DisableSkillCommand.self, EnableSkillCommand.self, DrainSkillCommand.self])),
        .command(RunCommand.self),
        .group(CommandGroup(
            name: "runs", abstract: "the runs the daemon recorded",
            subcommands: [ListRunsCommand.self, ShowRunCommand.self, WaitRunCommand.self, AttachRunCommand.self,
                          CancelRunCommand.self, ReplayRunCommand.self, DiffRunsCommand.self],
            defaultSubcommand: "list")),
        .command(ActiveRunsCommand.self),
        .command(RunLogsCommand.self),
        .command(SetIsolationCommand.self),
        .command(SetMemoryLimitCommand.self),
        .command(GrantCommand.self),
        .group(CommandGroup(name: "cron", abstract: "cron expressions, checked locally", subcommands: [CronNextCommand.self])),
        .group(CommandGroup(
            name: "batch", abstract: "batches: a skill run once per line of a JSONL file, several at a time",
            discussion: """
                A batch runs SKILL (NAME or NAME@VERSION) once per item, several at a time, retrying
                the failures that can pass (inference_failed, timeout, crashed) with exponential
                backoff. The daemon keeps its progress: if it stops, the batch goes on when it starts
                again, and every item ends once, as done or failed.
                """,
            subcommands: [StartBatchCommand.self, ListBatchesCommand.self, ShowBatchCommand.self, WaitBatchCommand.self,
                          BatchItemsCommand.self, CancelBatchCommand.self, BatchResultsCommand.self])),
        .group(CommandGroup(
            name: "schedules", abstract: "schedules: a skill or a batch fired at the times of a cron expression",
            discussion: """
                A schedule runs SKILL (NAME or NAME@VERSION) at the times of a cron expression (see
                `skillctl help cron next`), in a time zone. The daemon keeps schedules and records every
                fire time: started (with its run or batch), skipped (and why) or missed.
                """,
            subcommands: [ListSchedulesCommand.self, AddScheduleCommand.self, ShowScheduleCommand.self,
                          RemoveScheduleCommand.self, PauseScheduleCommand.self, ResumeScheduleCommand.self,
                          TriggerScheduleCommand.self],
            defaultSubcommand: "list")),
        .group(CommandGroup(
            name: "inference", abstract: "the daemon's models and inference endpoints",
            discussion: """
                The daemon routes each inference call of a skill to an endpoint of the model it
                names (or the default model): an OpenAI-compatible server. A model may have several
                endpoints; calls go to the healthy one with the fewest requests in flight, and a
                failed attempt is retried on another. API keys are never shown, only where they
                come from (env:VAR or file:PATH).
                """,
            subcommands: [InferenceStatusCommand.self, InferenceModelsCommand.self, AttachEndpointCommand.self,
                          DetachEndpointCommand.self],
            defaultSubcommand: "status")),
        .group(CommandGroup(
            name: "tokens", abstract: "bearer tokens for HTTP clients, kept by the daemon as their SHA-256",
            discussion: """
                A token lets an HTTP client do what its scope says: run skills (run, optionally
                only --skills), read metrics (metrics), or everything (admin). The daemon keeps
                only its hash: `tokens create` prints it once. Only the daemon's user, or root,
                may create, list or revoke tokens.
                """,
            subcommands: [ListTokensCommand.self, CreateTokenCommand.self, RevokeTokenCommand.self],
            defaultSubcommand: "list")),
        .command(MetricsCommand.self),
        .command(MCPCommand.self),
        .command(CompletionCommand.self),
    ]

    /// The parser of these commands.
    static let parser = CommandLineParser(commands: entries)
}

extension ResolvedConfiguration {
    /// The config file keys whose changes are reported as the changes of the models they
    /// make: `models`, the shorthand for one, and `default_model`.
    static let modelKeys: Set<String> = Set(DaemonConfiguration.shorthandKeys + ["models", "default_model"])

    /// Every setting whose value differs in `proposed`, in the order of ``DaemonSetting/all``:
    /// the settings by their values as they would be given, and the models as the router
    /// sees them (the shorthand turned into its model): the list of models, the default
    /// model, each endpoint added or removed (by its URL), and each field of an endpoint
    /// that changed (its API key by where it comes from, and whether the key read from
    /// there is another one, never the key).
    public func changes(to proposed: ResolvedConfiguration) -> [ConfigurationChange] {
        var changes: [ConfigurationChange] = []
        for setting in DaemonSetting.all {
            if setting.name == "models" {
                changes += modelChanges(to: proposed)
                continue
            }
            guard !Self.modelKeys.contains(setting.name) else { continue }
            let old = setting.value(in: configuration)
            let new = setting.value(in: proposed.configuration)
            if old != new {
                changes.append(ConfigurationChange(setting: setting.name, old: old, new: new, reloadEffect: setting.reloadEffect))
            }
        }
        return changes
    }

    /// The changes of the models, their default and their endpoints.
    private func modelChanges(to proposed: ResolvedConfiguration) -> [ConfigurationChange] {
        var changes: [ConfigurationChange] = []
        func note(_ setting: String, _ old: String?, _ new: String?) {
            if old != new { changes.append(ConfigurationChange(setting: setting, old: old, new: new)) }
        }
        func list(_ names: [String]) -> String? {
            names.isEmpty ? nil : names.joined(separator: ", ")
        }
        note("models", list(models.models.map(\.name)), list(proposed.models.models.map(\.name)))
        note("default_model", models.defaultModel, proposed.models.defaultModel)
        let before = Dictionary(uniqueKeysWithValues: models.endpoints.map { ($0.endpoint.name, $0) })
        let after = Dictionary(uniqueKeysWithValues: proposed.models.endpoints.map { ($0.endpoint.name, $0) })
        for name in Set(before.keys).union(after.keys).sorted() {
            switch (before[name], after[name]) {
            case let (old?, new?) where old.model == new.model:
                let place = "models.\(new.model).endpoints.\(name)"
                note(place + ".url", old.endpoint.displayURL, new.endpoint.displayURL)
                note(place + ".served_model", old.endpoint.servedModel, new.endpoint.servedModel)
                note(place + ".max_concurrent", String(old.endpoint.maximumConcurrentRequests),
                     String(new.endpoint.maximumConcurrentRequests))
                let (oldSource, newSource) = (old.endpoint.apiKey?.description, new.endpoint.apiKey?.description)
                if oldSource == newSource, let source = newSource, keys[name] != proposed.keys[name] {
                    note(place + ".api_key", source, source + " (another key)")
                } else {
                    note(place + ".api_key", oldSource, newSource)
                }
            case let (old, new):
                if let old { note("models.\(old.model).endpoints.\(name)", old.endpoint.displayURL, nil) }
                if let new { note("models.\(new.model).endpoints.\(name)", nil, new.endpoint.displayURL) }
            }
        }
        return changes
    }
}

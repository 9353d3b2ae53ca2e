import Foundation
import InferenceDriver
import JSON
import SystemCalls

/// The kinds of value a setting takes: each checks a value, refuses it in the giver's terms,
/// stores it in the configuration, and shows the configuration's value as it would be given.
extension DaemonSetting {
    /// A property of the configuration that a setting sets.
    typealias Property<Value> = WritableKeyPath<DaemonConfiguration, Value> & Sendable

    /// A path, or any other non-empty string.
    static func path(_ name: String, _ property: Property<String>, placeholder: String, summary: String,
                     environmentVariable: String? = nil, default: String) -> DaemonSetting {
        DaemonSetting(
            name: name, placeholder: placeholder, expectation: "a non-empty string",
            environmentVariable: environmentVariable, summary: summary, defaultDescription: `default`,
            value: { configuration in configuration[keyPath: property] }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                configuration[keyPath: property] = try input.text()
            })
    }

    /// The path of a file the daemon reads, or none.
    static func file(_ name: String, _ property: Property<String?>, summary: String, default: String) -> DaemonSetting {
        DaemonSetting(
            name: name, placeholder: "PATH", expectation: "the path of a file", summary: summary, defaultDescription: `default`,
            value: { configuration in configuration[keyPath: property] }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                configuration[keyPath: property] = try input.text()
            })
    }

    /// The name of a model: not empty, without spaces.
    static func modelName(_ name: String, _ property: Property<String?>, summary: String,
                          default: String) -> DaemonSetting {
        let expectation = "a model name without spaces"
        return DaemonSetting(
            name: name, placeholder: "NAME", expectation: expectation, summary: summary, defaultDescription: `default`,
            value: { configuration in configuration[keyPath: property] }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                let model = try input.text()
                guard EndpointConfiguration.isValidName(model) else { throw input.refusal(expectation) }
                configuration[keyPath: property] = model
            })
    }

    /// The base URL of an inference server: http or https, with a host, and no user name or
    /// password, which a refusal does not repeat.
    static func endpointURL(_ name: String, _ property: Property<URL?>, summary: String,
                            default: String) -> DaemonSetting {
        DaemonSetting(
            name: name, placeholder: "URL", expectation: EndpointURLProblem.notHTTP.expectation, summary: summary,
            defaultDescription: `default`,
            value: { configuration in configuration[keyPath: property].map(InferenceEndpoint.displayString(of:)) },
            copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                switch EndpointConfiguration.url(from: try input.text()) {
                case let .success(url): configuration[keyPath: property] = url
                case .failure(.credentials): throw input.refusalWithoutValue(EndpointURLProblem.credentials.expectation)
                case let .failure(problem): throw input.refusal(problem.expectation)
                }
            })
    }

    /// The name of an environment variable that holds a secret; a refusal does not repeat
    /// the value, which may be the secret pasted in its place.
    static func variableName(_ name: String, _ property: Property<String?>, summary: String) -> DaemonSetting {
        DaemonSetting(
            name: name, placeholder: "VAR", expectation: "the name of an environment variable", summary: summary,
            value: { configuration in configuration[keyPath: property] }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                guard case let .string(variable) = input.value, APIKeySource.isVariableName(variable) else {
                    throw input.refusal(explaining: APIKeyError.notVariableName.description)
                }
                configuration[keyPath: property] = variable
            })
    }

    /// An address to listen on, `HOST:PORT` or `[IPV6]:PORT` (port 0: any free one), or none.
    static func listenAddress(_ name: String, _ property: Property<String?>, summary: String,
                              default: String) -> DaemonSetting {
        let expectation = "HOST:PORT or [IPV6]:PORT, such as 127.0.0.1:8480 (port 0: any free port)"
        return DaemonSetting(
            name: name, placeholder: "HOST:PORT", expectation: expectation, summary: summary, defaultDescription: `default`,
            value: { configuration in configuration[keyPath: property] }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                let address = try input.text()
                guard let colon = address.lastIndex(of: ":"), colon != address.startIndex,
                      let port = UInt16(address[address.index(after: colon)...]),
                      String(port) == address[address.index(after: colon)...]
                else { throw input.refusal(expectation) }
                configuration[keyPath: property] = address
            })
    }

    /// A duration given as a whole number of milliseconds.
    static func milliseconds(_ name: String, _ property: Property<Duration>, minimum: Int64 = 1,
                             summary: String) -> DaemonSetting {
        let expectation = "a whole number of milliseconds, at least \(minimum)"
        return DaemonSetting(
            name: name, placeholder: "N", expectation: expectation, summary: summary, takesNumber: true,
            value: { configuration in String(configuration[keyPath: property].wholeMilliseconds) },
            copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                configuration[keyPath: property] = .milliseconds(
                    try input.wholeNumber(in: minimum...Int64.max, expectation: expectation))
            })
    }

    /// A number of things (attempts, runs, workers), up to 2^31 - 1.
    static func count(_ name: String, _ property: Property<Int>, minimum: Int64 = 1, summary: String) -> DaemonSetting {
        count(name, minimum: minimum, summary: summary, defaultDescription: nil,
              value: { configuration in String(configuration[keyPath: property]) }, copy: copying(property),
              assign: { configuration, count in configuration[keyPath: property] = count })
    }

    /// A number of things that is worked out when not given, as `default` says.
    static func count(_ name: String, _ property: Property<Int?>, minimum: Int64 = 1, summary: String,
                      default: String) -> DaemonSetting {
        count(name, minimum: minimum, summary: summary, defaultDescription: `default`,
              value: { configuration in configuration[keyPath: property].map { String($0) } }, copy: copying(property),
              assign: { configuration, count in configuration[keyPath: property] = count })
    }

    /// A whole number from `minimum` to 2^31 - 1, shown by `value` and stored by `assign`.
    private static func count(_ name: String, minimum: Int64, summary: String, defaultDescription: String?,
                              value: @escaping @Sendable (DaemonConfiguration) -> String?,
                              copy: @escaping @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void,
                              assign: @escaping @Sendable (inout DaemonConfiguration, Int) -> Void) -> DaemonSetting {
        let expectation = "a whole number, at least \(minimum)"
        return DaemonSetting(
            name: name, placeholder: "N", expectation: expectation, summary: summary, defaultDescription: defaultDescription,
            takesNumber: true, value: value, copy: copy,
            effect: .configures { configuration, input throws(ConfigurationError) in
                assign(&configuration, Int(try input.wholeNumber(in: minimum...Int64(Int32.max), expectation: expectation)))
            })
    }

    /// A size in bytes, at least `minimum`, and when `rule` is given also one that it
    /// accepts, or refused as not its expectation.
    static func bytes(_ name: String, _ property: Property<Int>, minimum: Int64,
                      rule: (accepts: @Sendable (Int64) -> Bool, expectation: String)? = nil,
                      summary: String) -> DaemonSetting {
        let expectation = "a whole number of bytes, at least \(minimum)"
        return DaemonSetting(
            name: name, placeholder: "N", expectation: rule?.expectation ?? expectation, summary: summary,
            takesNumber: true,
            value: { configuration in String(configuration[keyPath: property]) }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                let size = try input.wholeNumber(in: minimum...Int64.max, expectation: expectation)
                if let rule, !rule.accepts(size) { throw input.refusal(rule.expectation) }
                configuration[keyPath: property] = Int(size)
            })
    }

    /// One of the cases of `Choice`, by its raw value.
    static func choice<Choice: RawRepresentable<String> & CaseIterable & Sendable>(
        _ name: String, _ property: Property<Choice>, placeholder: String, summary: String
    ) -> DaemonSetting {
        let choices = Choice.allCases.map(\.rawValue)
        let expectation = choices.count == 2
            ? "\(choices[0]) or \(choices[1])" : "one of \(choices.joined(separator: ", "))"
        return DaemonSetting(
            name: name, placeholder: placeholder, expectation: expectation, choices: choices, summary: summary,
            value: { configuration in configuration[keyPath: property].rawValue }, copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                guard let choice = Choice(rawValue: try input.text()) else { throw input.refusal(expectation) }
                configuration[keyPath: property] = choice
            })
    }

    /// The config file's `models`: an object naming each model and its endpoints.
    static func models(_ name: String, _ property: Property<[ModelConfiguration]?>, summary: String,
                       default: String) -> DaemonSetting {
        DaemonSetting(
            name: name, origins: .configFile, placeholder: "OBJECT",
            expectation: "an object whose keys name the models", summary: summary, defaultDescription: `default`,
            copy: copying(property),
            effect: .configures { configuration, input throws(ConfigurationError) in
                configuration[keyPath: property] = try DaemonConfiguration.models(from: input.value, source: input.source)
            })
    }

    /// `--config FILE`: the config file to read instead of the default one, and to read
    /// again at each reload.
    static func configFile(summary: String, default: String) -> DaemonSetting {
        DaemonSetting(
            name: "config", origins: .commandLine, placeholder: "FILE", expectation: "the path of a JSON file",
            summary: summary, defaultDescription: `default`, copy: { _, _ in }, effect: .readsConfigFile)
            .needingRestart()
    }

    /// Copies `property` from one configuration to another.
    private static func copying<Value: Sendable>(
        _ property: Property<Value>
    ) -> @Sendable (inout DaemonConfiguration, DaemonConfiguration) -> Void {
        { configuration, source in configuration[keyPath: property] = source[keyPath: property] }
    }
}

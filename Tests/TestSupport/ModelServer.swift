import Foundation

/// The real model server (llama.cpp serving Gemma 3 270M) that end-to-end tests talk to.
///
/// `./scripts/test` starts one on a free port and sets `SKILLHOST_TEST_MODEL_URL`. The
/// tests that need it fail, never skip, when it is missing: a green run always means the
/// model was really used.
public enum ModelServer {
    /// The environment variable holding the server's base URL.
    public static let environmentVariable = "SKILLHOST_TEST_MODEL_URL"

    /// The server's base URL, such as `http://127.0.0.1:41234`, from this process's environment.
    public static func baseURL() throws(TestSupportError) -> URL {
        try baseURL(environment: ProcessInfo.processInfo.environment)
    }

    /// The server's base URL from `environment`.
    public static func baseURL(environment: [String: String]) throws(TestSupportError) -> URL {
        guard let value = environment[environmentVariable]?.trimmingCharacters(in: .whitespaces),
              !value.isEmpty
        else { throw .modelServerNotConfigured }
        guard let url = URL(string: value), let scheme = url.scheme, ["http", "https"].contains(scheme),
              url.host != nil
        else { throw .invalidModelServerURL(value) }
        return url
    }
}

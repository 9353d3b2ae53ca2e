import Foundation
import Glibc
import JSON
import TestSupport
import Testing

/// The real daemon's HTTP API over TLS (`--http-tls-cert`, `--http-tls-key`), with a
/// certificate the `openssl` command made: curl and Python's `ssl` as its clients, a plain
/// HTTP client on its port, wrong files refused at start, a renewed certificate read again
/// on SIGHUP.
@Suite("skillhostd's HTTP API over TLS")
struct HTTPSTests {
    /// No inference server is needed: nothing here completes text.
    private let noInference = URL(string: "http://127.0.0.1:9")!

    /// A daemon serving HTTPS on a free port of 127.0.0.1 with `certificate`, given as flags.
    private func daemon(_ certificate: SelfSignedCertificate, in directory: TemporaryDirectory) async throws -> DaemonHarness {
        try await DaemonHarness(inferenceURL: noInference, arguments: [
            "--http-listen", "127.0.0.1:0", "--http-tls-cert", certificate.certificatePath, "--http-tls-key", certificate.keyPath,
        ], directory: directory)
    }

    @Test("curl --cacert: two requests on one kept-alive connection, a chunked POST, /metrics with a token; Python's ssl too")
    func serves() async throws {
        let directory = try TemporaryDirectory(prefix: "https")
        let certificate = try await SelfSignedCertificate.make(in: directory)
        let daemon = try await daemon(certificate, in: directory)
        let listening = try #require(daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .first { $0["msg"] == "the HTTP API listens" }, "\(daemon.log())")
        #expect(listening["tls"] == true && listening["certificate_subject"] == "/CN=localhost", "\(listening)")
        #expect(listening["http_tls_key"]?.stringValue == certificate.keyPath, "\(listening)")
        let base = try HTTPListenerReloadTests.baseURL(of: daemon, scheme: "https")
        let trust = ["--cacert", certificate.certificatePath]

        let kept = try await ProgramRun.run("curl", ["-sS", "-v"] + trust + ["\(base)/healthz", "--next", "-sS", "-v"] + trust
            + ["\(base)/readyz"])
        #expect(kept.succeeded, "\(kept)")
        #expect(kept.standardError.contains("SSL connection using TLSv1.3"), "\(kept.standardError)")
        #expect(kept.standardError.contains("Re-using existing connection"), "\(kept.standardError)")
        #expect(kept.standardError.components(separatedBy: "< HTTP/1.1 200 OK").count == 3, "\(kept.standardError)")

        let chunked = try await ProgramRun.run("curl", ["-sS", "-v", "-o", "/dev/null", "-w", "%{http_code}"] + trust + [
            "-H", "Transfer-Encoding: chunked", "--data-binary", String(repeating: "chunk", count: 2000), "\(base)/healthz",
        ])
        #expect(chunked.standardOutput == "405", "the chunked body was read whole, then the method refused: \(chunked)")

        let created = try await daemon.skillctl("tokens", "create", "scraper", "--scope", "metrics")
        let token = created.standardOutput.trimmingCharacters(in: .whitespacesAndNewlines)
        let metrics = try await ProgramRun.run("curl", ["-sS", "-w", "\n%{http_code}", "-H", "Authorization: Bearer \(token)"] + trust
            + ["\(base)/metrics"])
        #expect(metrics.standardOutput.hasSuffix("\n200"), "\(metrics)")
        #expect(metrics.standardOutput.contains("# TYPE skillhost_runs_total counter"), "\(metrics.standardOutput.prefix(400))")
        let anonymous = try await ProgramRun.run("curl", ["-sS", "-o", "/dev/null", "-w", "%{http_code}"] + trust + ["\(base)/metrics"])
        #expect(anonymous.standardOutput == "401", "\(anonymous)")

        let python = try await Self.pythonSession(base, certificate: certificate)
        #expect(python["statuses"] as? [Int] == [200, 405], "\(python)")
        #expect(python["reused"] as? Bool == true && python["tls_version"] as? String == "TLSv1.3", "\(python)")

        let keyLines = try String(contentsOfFile: certificate.keyPath, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("-----") }
        #expect(!keyLines.isEmpty && keyLines.allSatisfy { !daemon.log().contains($0) }, "key material reached the log")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a plain HTTP client on the TLS port gets a clean 400, and the daemon goes on serving HTTPS")
    func plainClient() async throws {
        let directory = try TemporaryDirectory(prefix: "https")
        let certificate = try await SelfSignedCertificate.make(in: directory)
        let daemon = try await daemon(certificate, in: directory)
        let base = try HTTPListenerReloadTests.baseURL(of: daemon, scheme: "https")
        let plain = "http://" + base.dropFirst("https://".count)
        let refused = try await ProgramRun.run("curl", ["-sS", "-w", "\n%{http_code}", "\(plain)/healthz"])
        #expect(refused.standardOutput.hasSuffix("\n400") && refused.standardOutput.contains("this port speaks HTTPS"), "\(refused)")
        let served = try await ProgramRun.run("curl", ["-sS", "--cacert", certificate.certificatePath, "\(base)/healthz"])
        #expect(served.succeeded, "\(served)")
        #expect(try await daemon.skillctl("status").status == 0)
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("a key of another certificate, a missing file, a certificate without its key, a key others may read: refused at start",
          arguments: ["mismatch", "missing", "alone", "exposed"])
    func refusedAtStart(_ case: String) async throws {
        let directory = try TemporaryDirectory(prefix: "https")
        let certificate = try await SelfSignedCertificate.make(in: directory)
        let other = try await SelfSignedCertificate.make(in: directory, name: "other")
        let missing = directory.path("missing.crt")
        let (flags, expected): ([String], [String]) = switch `case` {
        case "mismatch":
            (["--http-tls-cert", certificate.certificatePath, "--http-tls-key", other.keyPath],
             ["`--http-tls-key`", "the private key \(other.keyPath) is not the key of the certificate \(certificate.certificatePath)"])
        case "missing":
            (["--http-tls-cert", missing, "--http-tls-key", certificate.keyPath],
             ["`--http-tls-cert`", "cannot read \(missing): No such file or directory"])
        case "exposed":
            (["--http-tls-cert", certificate.certificatePath, "--http-tls-key", other.keyPath],
             ["`--http-tls-key`", "the private key \(other.keyPath) may be read by others than its owner and group (mode 644)"])
        default:
            (["--http-tls-cert", certificate.certificatePath], ["`--http-tls-cert` is given without `http_tls_key` (`--http-tls-key`)"])
        }
        if `case` == "exposed" { #expect(chmod(other.keyPath, 0o644) == 0) }
        let run = try await ProgramRun.run(try BuildProducts.skillhostd(), [
            "--socket", directory.path("s.sock"), "--data-dir", directory.path("data"), "--http-listen", "127.0.0.1:0",
        ] + flags)
        #expect(run.termination == .exited(2), "\(run)")
        #expect(expected.allSatisfy { run.standardError.contains($0) }, "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: directory.path("s.sock")), "it never served")
    }

    @Test("an expired certificate is served with a warning in the log, and curl refuses it")
    func expired() async throws {
        let directory = try TemporaryDirectory(prefix: "https")
        let certificate = try await SelfSignedCertificate.make(in: directory, expired: true)
        let daemon = try await daemon(certificate, in: directory)
        let warning = daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .first { $0["level"] == "warning" && $0["msg"]?.stringValue?.hasPrefix("the HTTP API's certificate has expired") == true }
        #expect(warning?["http_tls_cert"]?.stringValue == certificate.certificatePath, "\(daemon.log())")
        let base = try HTTPListenerReloadTests.baseURL(of: daemon, scheme: "https")
        let refused = try await ProgramRun.run("curl", ["-sS", "--cacert", certificate.certificatePath, "\(base)/healthz"])
        #expect(!refused.succeeded && refused.standardError.contains("expired"), "\(refused)")
        #expect(try await daemon.stop() == .exited(0))
    }

    @Test("SIGHUP reads a renewed certificate at the same paths: new connections get it, without a restart")
    func renewedOnReload() async throws {
        let directory = try TemporaryDirectory(prefix: "https")
        let certificate = try await SelfSignedCertificate.make(in: directory, commonName: "first")
        let daemon = try await daemon(certificate, in: directory)
        let base = try HTTPListenerReloadTests.baseURL(of: daemon, scheme: "https")
        let firstTrust = directory.path("first.crt")
        try FileManager.default.copyItem(atPath: certificate.certificatePath, toPath: firstTrust)
        let answer = { (trusted: String) in
            try await ProgramRun.run("curl", ["-sS", "--cacert", trusted, "-o", "/dev/null", "-w", "%{http_code}", "\(base)/healthz"])
        }
        #expect(try await answer(firstTrust).standardOutput == "200")

        let renewed = try await SelfSignedCertificate.make(in: directory, name: "renewed", commonName: "renewed")
        try FileManager.default.removeItem(atPath: certificate.certificatePath)
        try FileManager.default.removeItem(atPath: certificate.keyPath)
        try FileManager.default.copyItem(atPath: renewed.certificatePath, toPath: certificate.certificatePath)
        try FileManager.default.copyItem(atPath: renewed.keyPath, toPath: certificate.keyPath)
        #expect(try await answer(firstTrust).standardOutput == "200", "no change before the reload")

        let reload = try await HTTPListenerReloadTests.reload(daemon)
        #expect(reload["outcome"] == "applied", "\(reload)")
        let readAgain = daemon.log().split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
            .filter { $0["msg"] == "the HTTP API's certificate and key were read again; connections accepted from now on use them" }
        #expect(readAgain.last?["certificate_subject"] == "/CN=renewed", "\(daemon.log())")
        #expect(try await answer(renewed.certificatePath).standardOutput == "200")
        #expect(try await answer(firstTrust).standardOutput != "200", "the old certificate is no longer presented")

        try "not a key\n".write(toFile: certificate.keyPath, atomically: true, encoding: .utf8)
        let refused = try await HTTPListenerReloadTests.reload(daemon)
        #expect(refused["outcome"] == "refused" && refused["error"]?.stringValue?.contains("`--http-tls-key`") == true, "\(refused)")
        #expect(try await answer(renewed.certificatePath).standardOutput == "200", "a refused reload keeps the certificate in force")
        #expect(try await daemon.stop() == .exited(0))
    }

    /// The `session` mode of `Tests/Fixtures/http_client.py` over TLS: a GET and a POST of
    /// `/healthz` on one connection.
    static func pythonSession(_ base: String, certificate: SelfSignedCertificate) async throws -> [String: Any] {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/http_client.py").path
        let port = String(base.split(separator: ":").last ?? "")
        var environment = ProcessInfo.processInfo.environment
        environment["HTTP_CLIENT_CAFILE"] = certificate.certificatePath
        let run = try await ProgramRun.run("python3", [script, "session", "127.0.0.1", port, "/healthz"], environment: environment)
        #expect(run.succeeded, "\(run)")
        return try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], "\(run)")
    }
}

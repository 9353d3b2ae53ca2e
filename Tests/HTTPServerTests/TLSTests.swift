import Foundation
import Glibc
import HTTPServer
import Testing
import TestSupport

/// The server over TLS against real clients: curl (`--cacert`), Python's `ssl` through
/// `Tests/Fixtures/http_client.py`, and plain-HTTP clients that got the port wrong.
@Suite("HTTPServer over TLS with real clients")
struct TLSTests {
    @Test("curl --cacert: two requests on one kept-alive TLS connection, a chunked upload, an event stream")
    func curl() async throws {
        try await withTLSServer { url, certificate, directory in
            let kept = try await ProgramRun.run("curl", [
                "-sS", "-v", "--cacert", certificate.certificatePath, "\(url)/echo?first",
                "--next", "-sS", "-v", "--cacert", certificate.certificatePath, "--data-binary", "second body", "\(url)/echo?second",
            ])
            #expect(kept.succeeded, "\(kept)")
            #expect(kept.standardOutput == "second body")
            #expect(kept.standardError.contains("SSL connection using TLSv1.3"), "\(kept.standardError)")
            #expect(kept.standardError.contains("subject: CN=localhost"), "\(kept.standardError)")
            #expect(kept.standardError.contains("Re-using existing connection"), "\(kept.standardError)")
            #expect(kept.standardError.contains("X-Query: first") && kept.standardError.contains("X-Query: second"))

            let file = directory.path("upload")
            let bytes = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 8) }
            try Data(bytes).write(to: URL(fileURLWithPath: file))
            let upload = try await ProgramRun.run("curl", [
                "-sS", "-v", "--cacert", certificate.certificatePath, "-H", "Transfer-Encoding: chunked", "-H", "Expect: 100-continue",
                "--data-binary", "@\(file)", "-o", directory.path("answer"), "\(url)/echo",
            ])
            #expect(upload.succeeded, "\(upload)")
            #expect(upload.standardError.contains("HTTP/1.1 100 Continue"), "\(upload.standardError)")
            #expect(upload.standardError.contains("X-Body-Length: 300000"), "\(upload.standardError)")
            #expect(Array(try Data(contentsOf: URL(fileURLWithPath: directory.path("answer")))) == bytes)

            let stream = try await ProgramRun.run("curl", ["-sS", "-N", "-D", "-", "--cacert", certificate.certificatePath, "\(url)/stream"])
            #expect(stream.succeeded, "\(stream)")
            #expect(stream.standardOutput.contains("Transfer-Encoding: chunked\r\n"))
            #expect(stream.standardOutput.hasSuffix("event: tick\ndata: 0\n\nevent: tick\ndata: 1\n\nevent: tick\ndata: 2\n\n"))
        }
    }

    @Test("Python's ssl: TLS 1.3 verified against the certificate, keep-alive, events as they are written, pipelining")
    func python() async throws {
        try await withTLSServer { url, certificate, _ in
            let session = try await fixture("session", url, certificate: certificate)
            #expect(session["statuses"] as? [Int] == [200, 200], "\(session)")
            #expect(session["bodies"] as? [String] == ["", "second body"], "\(session)")
            #expect(session["reused"] as? Bool == true, "\(session)")
            #expect(session["tls_version"] as? String == "TLSv1.3", "\(session)")
            #expect((session["subject"] as? [String: String])?["commonName"] == "localhost", "\(session)")

            let stream = try await fixture("stream", url, certificate: certificate)
            let times = (stream["chunks"] as? [[String: Any]] ?? []).compactMap { $0["at"] as? Double }
            #expect(times.count == 3 && zip(times, times.dropFirst()).allSatisfy { $1 - $0 > 0.5 }, "\(stream)")

            let pipelined = try await fixture("pipeline", url, certificate: certificate)
            let responses = pipelined["responses"] as? [[String: Any]] ?? []
            #expect(responses.compactMap { ($0["headers"] as? [String: String])?["X-Query"] } == ["n=1", "n=2", "n=3"], "\(pipelined)")
        }
    }

    @Test("over TLS as over TCP: a body over the limit is a 413, a head over it a 431, a broken chunk a 400",
          arguments: [
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 400001\r\n\r\n""#, 413),
              (#"b"GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + b"a" * 5000 + b"\r\n\r\n""#, 431),
              (#"b"POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n""#, 400),
          ])
    func badInput(bytes: String, status: Int) async throws {
        try await withTLSServer { url, certificate, _ in
            let answer = try await fixture("raw", url, bytes, certificate: certificate)
            #expect((answer["status_line"] as? String)?.hasPrefix("HTTP/1.1 \(status) ") == true, "\(answer)")
        }
    }

    @Test("a client sending its head a byte a second over TLS gets 408, while others are served meanwhile")
    func slowClient() async throws {
        var limits = RealClientTests.limits
        limits.requestTimeout = .seconds(8)
        limits.maximumConnections = 10
        try await withTLSServer(limits: limits) { url, certificate, _ in
            let outcome = try await fixture("slow", url, certificate: certificate, timeout: .seconds(90))
            let slow = try #require(outcome["slow"] as? [String: Any], "\(outcome)")
            let others = try #require(outcome["others"] as? [[String: Any]], "\(outcome)")
            #expect(slow["status"] as? Int == 408, "\(outcome)")
            #expect((slow["at"] as? Double ?? 0) >= 7.9, "\(outcome)")
            #expect(others.count == 3 && others.allSatisfy { $0["status"] as? Int == 200 }, "\(outcome)")
            #expect((others.first?["at"] as? Double ?? .infinity) < (slow["at"] as? Double ?? 0), "\(outcome)")
        }
    }

    @Test("a kept-alive TLS connection idle past the idle timeout is closed with close_notify")
    func idleTimeout() async throws {
        var limits = RealClientTests.limits
        limits.idleTimeout = .seconds(1)
        try await withTLSServer(limits: limits) { url, certificate, _ in
            let address = try HTTPListenAddress(parsing: String(url.dropFirst("https://".count)))
            // Without suppress_ragged_eofs, an end without close_notify would raise SSLEOFError.
            let run = try await ProgramRun.run("python3", ["-c", """
                import socket, ssl, time
                context = ssl.create_default_context(cafile="\(certificate.certificatePath)")
                s = context.wrap_socket(socket.create_connection(("127.0.0.1", \(address.port)), timeout=20),
                                        server_hostname="127.0.0.1", suppress_ragged_eofs=False)
                s.sendall(b"GET /echo HTTP/1.1\\r\\nHost: h\\r\\n\\r\\n")
                answer = b""
                while b"\\r\\n\\r\\n" not in answer:
                    answer += s.recv(4096)
                started = time.monotonic()
                print(repr(s.recv(1)), round(time.monotonic() - started, 1))
                """])
            let words = run.standardOutput.split(separator: " ")
            #expect(words.first == "b''", "a clean end of the TLS session (close_notify), not an error: \(run)")
            let waited = words.last.flatMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) } ?? 0
            #expect(waited >= 0.8 && waited < 5, "\(run)")
        }
    }

    @Test("beyond the connection limit a TLS client is closed without an answer; once another leaves, it is served")
    func connectionLimit() async throws {
        var limits = RealClientTests.limits
        limits.maximumConnections = 1
        try await withTLSServer(limits: limits) { url, certificate, _ in
            let address = try HTTPListenAddress(parsing: String(url.dropFirst("https://".count)))
            let run = try await ProgramRun.run("python3", ["-c", """
                import http.client, json, socket, ssl, time
                context = ssl.create_default_context(cafile="\(certificate.certificatePath)")
                def get():
                    c = http.client.HTTPSConnection("127.0.0.1", \(address.port), timeout=10, context=context)
                    try:
                        c.request("GET", "/echo"); return c.getresponse().status
                    except (OSError, http.client.HTTPException) as error:
                        return type(error).__name__
                    finally:
                        c.close()
                held = context.wrap_socket(socket.create_connection(("127.0.0.1", \(address.port)), timeout=10),
                                           server_hostname="127.0.0.1")
                time.sleep(0.3)
                refused = get()
                held.close()
                served = None
                deadline = time.monotonic() + 5
                while time.monotonic() < deadline and served != 200:
                    served = get()
                    time.sleep(0.1)
                print(json.dumps({"refused": refused, "served": served}))
                """])
            let outcome = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any], "\(run)")
            #expect(outcome["refused"] as? Int == nil && outcome["refused"] != nil, "a failed handshake, no status: \(outcome)")
            #expect(outcome["served"] as? Int == 200, "\(outcome)")
        }
    }

    @Test("plain HTTP on the TLS port gets a plain 400 saying to use https; a TLS client right after is served")
    func plainHTTPClient() async throws {
        try await withTLSServer { url, certificate, _ in
            let plain = "http://" + url.dropFirst("https://".count)
            let run = try await ProgramRun.run("curl", ["-sS", "-w", "\n%{http_code}", "\(plain)/echo"])
            #expect(run.standardOutput.hasSuffix("\n400"), "\(run)")
            #expect(run.standardOutput.contains("this port speaks HTTPS"), "\(run)")
            let raw = try await fixture("raw", plain, #"b"\x00\x01garbage\r\n\r\n""#)
            #expect((raw["status_line"] as? String) == "", "bytes that are neither TLS nor HTTP are closed without an answer: \(raw)")
            let after = try await ProgramRun.run("curl", ["-sS", "--cacert", certificate.certificatePath, "-w", "%{http_code}",
                                                          "-o", "/dev/null", "\(url)/echo"])
            #expect(after.standardOutput == "200", "\(after)")
        }
    }

    @Test("update(tls:) serves the connections accepted afterwards with the new certificate")
    func renewedCertificate() async throws {
        let directory = try TemporaryDirectory(prefix: "tls")
        let first = try await SelfSignedCertificate.make(in: directory, name: "first", commonName: "first")
        let second = try await SelfSignedCertificate.make(in: directory, name: "second", commonName: "second")
        let server = HTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), handler: ExampleHandler(),
                                tls: try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: first.keyPath))
        let bound = try server.start()
        let url = "https://127.0.0.1:\(bound.port)/echo"
        let trust = { (certificate: SelfSignedCertificate) in
            try await ProgramRun.run("curl", ["-sS", "--cacert", certificate.certificatePath, "-w", "%{http_code}", "-o", "/dev/null", url])
        }
        #expect(try await trust(first).standardOutput == "200")
        #expect(try await trust(second).standardOutput != "200")
        server.update(tls: try TLSServerContext(certificateChainFile: second.certificatePath, privateKeyFile: second.keyPath))
        #expect(try await trust(second).standardOutput == "200")
        #expect(try await trust(first).standardOutput != "200")
        #expect(server.tls?.subject == "/CN=second")
        await server.shutdown(grace: .seconds(1))
    }

    @Test("a context refuses a file it cannot read, a key that is not the certificate's or that others may read, a certificate as the key")
    func contextErrors() async throws {
        let directory = try TemporaryDirectory(prefix: "tls")
        let first = try await SelfSignedCertificate.make(in: directory, name: "first")
        let second = try await SelfSignedCertificate.make(in: directory, name: "second")
        let context = try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: first.keyPath)
        #expect(context.subject == "/CN=localhost")
        #expect(context.notAfter.map { $0 > Date() && $0 < Date() + 2 * 86400 } == true, "\(String(describing: context.notAfter))")
        let missing = directory.path("missing.key")
        #expect(throws: TLSContextError.self) { try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: missing) }
        do {
            _ = try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: missing)
        } catch {
            #expect(error.description == "cannot read \(missing): No such file or directory", "\(error)")
        }
        do {
            _ = try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: second.keyPath)
            Issue.record("a key of another certificate was taken")
        } catch {
            #expect(error == .keyDoesNotMatch(certificate: first.certificatePath, key: second.keyPath), "\(error)")
        }
        #expect(chmod(second.keyPath, 0o640) == 0)
        do {
            _ = try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: second.keyPath)
            Issue.record("a key of another certificate was taken")
        } catch {
            #expect(error == .keyDoesNotMatch(certificate: first.certificatePath, key: second.keyPath), "a group may read a key: \(error)")
        }
        #expect(chmod(second.keyPath, 0o604) == 0)
        do {
            _ = try TLSServerContext(certificateChainFile: second.certificatePath, privateKeyFile: second.keyPath)
            Issue.record("a key others may read was taken")
        } catch {
            #expect(error == .exposedKey(second.keyPath, mode: 0o604), "\(error)")
        }
        let certificateAsKey = directory.path("certificate-as.key")
        try FileManager.default.copyItem(atPath: first.certificatePath, toPath: certificateAsKey)
        #expect(chmod(certificateAsKey, 0o600) == 0)
        do {
            _ = try TLSServerContext(certificateChainFile: first.certificatePath, privateKeyFile: certificateAsKey)
            Issue.record("a certificate was taken for a key")
        } catch {
            guard case .notAPrivateKey(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == certificateAsKey)
        }
        do {
            _ = try TLSServerContext(certificateChainFile: first.keyPath, privateKeyFile: first.keyPath)
            Issue.record("a key was taken for a certificate")
        } catch {
            guard case .notACertificate(let path, _) = error else { Issue.record("\(error)"); return }
            #expect(path == first.keyPath)
        }
    }

    // MARK: Helpers

    /// Runs `body` with the `https://` base URL of a TLS server of ``ExampleHandler`` with a
    /// fresh self-signed certificate, the certificate, and a directory for its files.
    private func withTLSServer(limits: HTTPServerLimits = RealClientTests.limits,
                               _ body: (String, SelfSignedCertificate, TemporaryDirectory) async throws -> Void) async throws {
        let directory = try TemporaryDirectory(prefix: "tls")
        let certificate = try await SelfSignedCertificate.make(in: directory)
        let context = try TLSServerContext(certificateChainFile: certificate.certificatePath, privateKeyFile: certificate.keyPath)
        let server = HTTPServer(address: HTTPListenAddress(host: "127.0.0.1", port: 0), handler: ExampleHandler(), limits: limits,
                                tls: context)
        let bound = try server.start()
        do {
            try await body("https://\(bound)", certificate, directory)
        } catch {
            await server.shutdown(grace: .seconds(1))
            throw error
        }
        await server.shutdown(grace: .seconds(1))
    }

    /// Runs `Tests/Fixtures/http_client.py` in `mode` against the server at `url`, over TLS
    /// trusting `certificate` when given; its JSON.
    private func fixture(_ mode: String, _ url: String, _ argument: String? = nil, certificate: SelfSignedCertificate? = nil,
                         timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let script = BuildProducts.packageRoot.appendingPathComponent("Tests/Fixtures/http_client.py").path
        let address = try HTTPListenAddress(parsing: String(url.split(separator: "/").last ?? ""))
        var environment = ProcessInfo.processInfo.environment
        environment["HTTP_CLIENT_CAFILE"] = certificate?.certificatePath
        let run = try await ProgramRun.run("python3", [script, mode, address.host, "\(address.port)"] + (argument.map { [$0] } ?? []),
                                           environment: environment, timeout: timeout)
        #expect(run.succeeded, "\(run)")
        let object = try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8))
        return try #require(object as? [String: Any], "\(run)")
    }
}

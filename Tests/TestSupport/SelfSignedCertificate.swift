import Foundation

/// A self-signed certificate for `localhost` and 127.0.0.1 and its private key, made by the
/// `openssl` command in PEM files: what a TLS server under test presents, and what its
/// clients trust (`curl --cacert`, Python's `ssl`).
public struct SelfSignedCertificate: Sendable {
    /// The certificate's PEM file: the server's chain, and the clients' trusted authority.
    public let certificatePath: String
    /// The private key's PEM file.
    public let keyPath: String

    /// Makes `NAME.crt` and `NAME.key` in `directory`, a certificate of subject `CN=commonName`
    /// with a P-256 key, valid for a day, or, when `expired`, one that expired a day ago.
    public static func make(in directory: TemporaryDirectory, name: String = "server", commonName: String = "localhost",
                            expired: Bool = false) async throws -> SelfSignedCertificate {
        let certificate = SelfSignedCertificate(certificatePath: directory.path("\(name).crt"), keyPath: directory.path("\(name).key"))
        let key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=\(commonName)",
                   "-keyout", certificate.keyPath]
        let names = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
        if expired {
            // `req -x509` takes no validity in the past; `x509 -req` signs a request with one.
            let request = directory.path("\(name).csr")
            try await openssl(["req", "-new"] + key + ["-out", request])
            let extensions = directory.path("\(name).ext")
            try Data(names.utf8).write(to: URL(fileURLWithPath: extensions))
            try await openssl(["x509", "-req", "-in", request, "-signkey", certificate.keyPath, "-days", "-1",
                               "-extfile", extensions, "-out", certificate.certificatePath])
        } else {
            try await openssl(["req", "-x509", "-days", "1", "-addext", names, "-out", certificate.certificatePath] + key)
        }
        return certificate
    }

    /// Runs the `openssl` command with `arguments`.
    private static func openssl(_ arguments: [String]) async throws {
        let run = try await ProgramRun.run("openssl", arguments)
        guard run.succeeded else {
            throw TestSupportError.unexpectedOutput(command: "openssl " + arguments.prefix(2).joined(separator: " "), output: "\(run)",
                                                    expected: "a certificate and its key")
        }
    }
}

import Foundation

/// A self-signed certificate for `localhost` and 127.0.0.1 and its private key, made by the
/// `openssl` command in PEM files: what a TLS server under test presents, and what its
/// clients trust (`curl --cacert`, Python's `ssl`).
public struct SelfSignedCertificate: Sendable {
    /// The certificate's PEM file: the server's chain, and the clients' trusted authority.
    public let certificatePath: String
    /// The private key's PEM file.
    public let keyPath: String

    /// Makes `NAME.crt` and `NAME.key` in `directory`, a certificate of subject `CN=commonName`,
    /// valid for a day, with a P-256 key.
    public static func make(in directory: TemporaryDirectory, name: String = "server",
                            commonName: String = "localhost") async throws -> SelfSignedCertificate {
        let certificate = SelfSignedCertificate(certificatePath: directory.path("\(name).crt"), keyPath: directory.path("\(name).key"))
        let run = try await ProgramRun.run("openssl", [
            "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
            "-subj", "/CN=\(commonName)", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
            "-keyout", certificate.keyPath, "-out", certificate.certificatePath,
        ])
        guard run.succeeded else {
            throw TestSupportError.unexpectedOutput(command: "openssl req -x509", output: "\(run)", expected: "a certificate and its key")
        }
        return certificate
    }
}

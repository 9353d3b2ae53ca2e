import HTTPServer
import JSON
import SkillhostModel

extension TLSServerContext {
    /// What the log says of the HTTP API's TLS: the files and the certificate's subject and
    /// expiry, never anything of the key.
    var logFields: [String: JSONValue] {
        [
            "tls": true, "http_tls_cert": .string(certificatePath), "http_tls_key": .string(keyPath),
            "certificate_subject": .string(subject), "certificate_not_after": notAfter.map { .string($0.iso8601) } ?? .null,
        ]
    }
}

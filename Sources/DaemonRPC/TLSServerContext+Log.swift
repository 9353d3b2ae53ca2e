import Foundation
import HTTPServer
import JSON
import Logging
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

    /// Warns in `logger` when the certificate has expired: it is served all the same, and
    /// clients that check it refuse it.
    func warnIfExpired(_ logger: Logger) {
        guard let notAfter, notAfter < Date() else { return }
        logger.warning("the HTTP API's certificate has expired, and clients that check it refuse it: renew it and reload "
            + "(kill -HUP)", logFields)
    }
}

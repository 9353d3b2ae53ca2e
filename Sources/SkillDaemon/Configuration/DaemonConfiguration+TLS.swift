import HTTPServer

extension DaemonConfiguration {
    /// The HTTP API's TLS context, read now from the files of `http_tls_cert` and
    /// `http_tls_key`; nil when neither is given (plain HTTP).
    ///
    /// - Throws: ``ConfigurationError`` naming the setting as it was given and its file,
    ///   when only one of the two is given, or a file cannot be read or used, or the key is
    ///   not the certificate's.
    func httpTLSContext() throws(ConfigurationError) -> TLSServerContext? {
        switch (httpTLSCertificate, httpTLSKey) {
        case (nil, nil):
            return nil
        case (_?, nil):
            throw missingHalf(given: "http_tls_cert", missing: "http_tls_key", what: "the private key of the certificate")
        case (nil, _?):
            throw missingHalf(given: "http_tls_key", missing: "http_tls_cert", what: "the certificate chain of the key")
        case let (certificate?, key?):
            do {
                return try TLSServerContext(certificateChainFile: certificate, privateKeyFile: key)
            } catch {
                let setting = switch error {
                case .notAPrivateKey, .exposedKey, .keyDoesNotMatch: "http_tls_key"
                case .unreadableFile(let path, _) where path == key && path != certificate: "http_tls_key"
                case .unreadableFile, .notACertificate, .library: "http_tls_cert"
                }
                throw ConfigurationError(source: sources[setting] ?? setting, message: "`\(spelling(of: setting))`: \(error)")
            }
        }
    }

    /// The error of a TLS setting given without its other half.
    private func missingHalf(given: String, missing: String, what: String) -> ConfigurationError {
        let flag = DaemonSetting.named(missing)?.flag ?? missing
        return ConfigurationError(
            source: sources[given] ?? given,
            message: "`\(spelling(of: given))` is given without `\(missing)` (`\(flag)`), \(what): HTTPS needs both, "
                + "or neither for plain HTTP")
    }
}

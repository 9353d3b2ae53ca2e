import SystemCalls

/// Why a ``TLSServerContext`` could not be made from its files.
public enum TLSContextError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be read; the error is the system's.
    case unreadableFile(String, SystemCallError)
    /// The certificate file holds no PEM certificate (`-----BEGIN CERTIFICATE-----`), or a
    /// broken one; the reason is OpenSSL's.
    case notACertificate(String, reason: String)
    /// Others than the file's owner and group may read or write the private key's file;
    /// `mode` is its permission bits.
    case exposedKey(String, mode: UInt32)
    /// The key file holds no PEM private key, a broken one, or one encrypted with a
    /// passphrase, which the server cannot ask for; the reason is OpenSSL's.
    case notAPrivateKey(String, reason: String)
    /// The private key is not the key of the certificate.
    case keyDoesNotMatch(certificate: String, key: String)
    /// OpenSSL could not make the context; the reason is its own.
    case library(reason: String)

    /// What is wrong, naming the file.
    public var description: String {
        switch self {
        case let .unreadableFile(path, error):
            "cannot read \(path): \(error.errno)"
        case let .notACertificate(path, reason):
            "\(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----) that OpenSSL can read: \(reason)"
        case let .exposedKey(path, mode):
            "the private key \(path) may be read by others than its owner and group (mode \(String(mode, radix: 8))): "
                + "`chmod o-rwx \(path)`, and give it to the user the server runs as"
        case let .notAPrivateKey(path, reason):
            "\(path) holds no unencrypted PEM private key (-----BEGIN PRIVATE KEY-----) that OpenSSL can read "
                + "(a key with a passphrase cannot be used: `openssl pkey -in KEY -out PLAIN` removes it): \(reason)"
        case let .keyDoesNotMatch(certificate, key):
            "the private key \(key) is not the key of the certificate \(certificate): give the key the certificate was made for"
        case let .library(reason):
            "OpenSSL cannot make a TLS server context: \(reason)"
        }
    }

    /// The file the error is about, if it is about one.
    public var path: String? {
        switch self {
        case let .unreadableFile(path, _), let .notACertificate(path, _), let .exposedKey(path, _), let .notAPrivateKey(path, _): path
        case let .keyDoesNotMatch(_, key): key
        case .library: nil
        }
    }
}

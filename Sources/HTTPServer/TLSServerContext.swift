import CSSL
import Foundation
import Glibc
import SystemCalls

/// What an ``HTTPServer`` speaks TLS with: a certificate chain and its private key, read
/// from PEM files into an OpenSSL server context (TLS 1.2 and 1.3, no renegotiation).
///
/// Each TLS connection holds the context it was accepted under, so that a context made
/// again from renewed files (``HTTPServer/update(tls:)``) serves the connections accepted
/// afterwards while those before it go on with the old one.
///
/// `@unchecked Sendable` is safe: the OpenSSL context is configured in `init` and only read
/// afterwards (by `SSL_new`, which OpenSSL allows from any thread at once), and the other
/// stored properties are immutable values.
public final class TLSServerContext: @unchecked Sendable {
    /// The certificate chain's file, as given.
    public let certificatePath: String
    /// The private key's file, as given.
    public let keyPath: String
    /// The subject of the server's certificate, as OpenSSL writes it (`/CN=localhost`).
    public let subject: String
    /// When the server's certificate expires.
    public let notAfter: Date?
    /// The `SSL_CTX`.
    let context: OpaquePointer
    /// The method of the sockets' BIOs (``TLSConnection``), which live no longer than this.
    let socketMethod: OpaquePointer

    /// The largest certificate or key file read: far beyond any real chain.
    static let maximumFileBytes = 1 << 20

    /// Reads the PEM certificate chain at `certificateChainFile` (the server's certificate
    /// first, then the intermediates it is sent with) and the PEM private key at
    /// `privateKeyFile`, and checks that the key is the certificate's.
    /// - Throws: ``TLSContextError`` naming the file that cannot be read or used.
    public init(certificateChainFile: String, privateKeyFile: String) throws(TLSContextError) {
        certificatePath = certificateChainFile
        keyPath = privateKeyFile
        let certificateBytes = try Self.contents(of: certificateChainFile)
        var keyBytes = try Self.contents(of: privateKeyFile, isPrivate: true)
        // The key's bytes are overwritten once OpenSSL holds the key.
        defer { keyBytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } } }
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()), cssl_configure_server_context(context) == 1 else {
            throw .library(reason: Self.takeErrors())
        }
        guard let socketMethod = cssl_socket_method_new() else {
            SSL_CTX_free(context)
            throw .library(reason: Self.takeErrors())
        }
        let certificate: OpaquePointer
        do throws(TLSContextError) {
            certificate = try Self.loadChain(certificateBytes, into: context, path: certificateChainFile)
            do throws(TLSContextError) {
                try Self.loadKey(keyBytes, into: context, certificatePath: certificateChainFile, path: privateKeyFile)
            } catch {
                X509_free(certificate)
                throw error
            }
        } catch {
            SSL_CTX_free(context)
            BIO_meth_free(socketMethod)
            throw error
        }
        defer { X509_free(certificate) }
        self.context = context
        self.socketMethod = socketMethod
        subject = X509_get_subject_name(certificate).flatMap { name in
            X509_NAME_oneline(name, nil, 0).map { text in
                defer { cssl_free(text) }
                return String(cString: text)
            }
        } ?? ""
        var expiry = tm()
        if let time = X509_get0_notAfter(certificate), ASN1_TIME_to_tm(time, &expiry) == 1 {
            notAfter = Date(timeIntervalSince1970: TimeInterval(timegm(&expiry)))
        } else {
            notAfter = nil
        }
    }

    deinit {
        SSL_CTX_free(context)
        BIO_meth_free(socketMethod)
    }

    /// The bytes of `path`; when `isPrivate`, a file that others than its owner and group
    /// may read or write is refused (the group may: Debian's `ssl-cert` group reads keys).
    private static func contents(of path: String, isPrivate: Bool = false) throws(TLSContextError) -> [UInt8] {
        let file = try reading(path) { () throws(SystemCallError) in try FileDescriptor.open(path, flags: O_RDONLY | O_NOCTTY) }
        let permissions = UInt32(try reading(path) { () throws(SystemCallError) in try file.status() }.st_mode & 0o777)
        if isPrivate, permissions & 0o007 != 0 { throw .exposedKey(path, mode: permissions) }
        return try reading(path) { () throws(SystemCallError) in try file.readToEnd(upTo: maximumFileBytes) }
    }

    /// Runs `body`, system calls on the file at `path`, and reports their failure as
    /// ``TLSContextError/unreadableFile(_:_:)``.
    private static func reading<Value: ~Copyable>(_ path: String,
                                                  _ body: () throws(SystemCallError) -> Value) throws(TLSContextError) -> Value {
        do {
            return try body()
        } catch {
            throw .unreadableFile(path, SystemCallError(call: error.call, errno: error.errno, path: path))
        }
    }

    /// Puts the chain of `bytes` in `context`; returns its first certificate, the server's,
    /// which the caller frees.
    private static func loadChain(_ bytes: [UInt8], into context: OpaquePointer,
                                  path: String) throws(TLSContextError) -> OpaquePointer {
        try withMemoryBIO(bytes) { bio throws(TLSContextError) in
            guard let certificate = PEM_read_bio_X509_AUX(bio, nil, nil, nil) else {
                throw .notACertificate(path, reason: takeErrors())
            }
            guard SSL_CTX_use_certificate(context, certificate) == 1 else {
                X509_free(certificate)
                throw .notACertificate(path, reason: takeErrors())
            }
            while let intermediate = PEM_read_bio_X509(bio, nil, nil, nil) {
                guard cssl_add_chain_certificate(context, intermediate) == 1 else {
                    X509_free(intermediate)
                    X509_free(certificate)
                    throw .notACertificate(path, reason: takeErrors())
                }
            }
            // The loop ends at the end of the file, which OpenSSL notes as an error.
            ERR_clear_error()
            return certificate
        }
    }

    /// Puts the private key of `bytes` in `context`, after the certificate it must match.
    private static func loadKey(_ bytes: [UInt8], into context: OpaquePointer, certificatePath: String,
                                path: String) throws(TLSContextError) {
        try withMemoryBIO(bytes) { bio throws(TLSContextError) in
            // No passphrase: the callback gives none, where OpenSSL's own would ask the terminal.
            guard let key = PEM_read_bio_PrivateKey(bio, nil, { _, _, _, _ in 0 }, nil) else {
                throw .notAPrivateKey(path, reason: takeErrors())
            }
            defer { EVP_PKEY_free(key) }
            guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
                ERR_clear_error()
                throw .keyDoesNotMatch(certificate: certificatePath, key: path)
            }
        }
    }

    /// Runs `body` with a read-only memory BIO over `bytes`.
    private static func withMemoryBIO<Value>(_ bytes: [UInt8],
                                             _ body: (OpaquePointer) throws(TLSContextError) -> Value) throws(TLSContextError) -> Value {
        let result = bytes.withUnsafeBytes { buffer in
            Result { () throws(TLSContextError) -> Value in
                guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else {
                    throw .library(reason: takeErrors())
                }
                defer { BIO_free(bio) }
                return try body(bio)
            }
        }
        return try result.get()
    }

    /// The errors OpenSSL queued on this thread, oldest first, as its text; the queue is
    /// left empty.
    static func takeErrors() -> String {
        var reasons: [String] = []
        while case let code = ERR_get_error(), code != 0 {
            var text = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &text, text.count)
            reasons.append(String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return reasons.isEmpty ? "no reason given" : reasons.joined(separator: "; ")
    }
}

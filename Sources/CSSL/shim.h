#include <errno.h>
#include <stdint.h>
#include <sys/socket.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

/* What OpenSSL spells as macros, as functions Swift can call. */

/* A server context's settings: TLS 1.2 at least, no renegotiation (a client could make a
   write wait for a read), writes that may send part of their bytes and be retried from
   another address. */
static inline int cssl_configure_server_context(SSL_CTX *context) {
    if (SSL_CTX_set_min_proto_version(context, TLS1_2_VERSION) != 1) return 0;
    SSL_CTX_set_options(context, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_mode(context, SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    return 1;
}

/* Adds `certificate` to the chain the context sends, which then owns it. */
static inline int cssl_add_chain_certificate(SSL_CTX *context, X509 *certificate) {
    return (int)SSL_CTX_add0_chain_cert(context, certificate);
}

/* The reason part of an error code of OpenSSL's error queue. */
static inline int cssl_error_reason(unsigned long error) {
    return ERR_GET_REASON(error);
}

/* Frees what OpenSSL allocated (X509_NAME_oneline's text). */
static inline void cssl_free(void *pointer) {
    OPENSSL_free(pointer);
}

/* A socket BIO whose descriptor is its data: like OpenSSL's own, but it sends with
   MSG_NOSIGNAL, so that a client that has gone makes a write fail with EPIPE instead of
   raising SIGPIPE in a process that did not ignore it. Nonblocking: EAGAIN is "retry". */

static inline int cssl_socket_descriptor(BIO *bio) {
    return (int)(intptr_t)BIO_get_data(bio);
}

static inline int cssl_socket_write(BIO *bio, const char *data, size_t length, size_t *written) {
    BIO_clear_retry_flags(bio);
    ssize_t count = send(cssl_socket_descriptor(bio), data, length, MSG_NOSIGNAL);
    if (count < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) BIO_set_retry_write(bio);
        *written = 0;
        return 0;
    }
    *written = (size_t)count;
    return 1;
}

static inline int cssl_socket_read(BIO *bio, char *data, size_t length, size_t *received) {
    BIO_clear_retry_flags(bio);
    ssize_t count = recv(cssl_socket_descriptor(bio), data, length, 0);
    if (count <= 0) {
        if (count < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) BIO_set_retry_read(bio);
        if (count == 0) BIO_set_flags(bio, BIO_FLAGS_IN_EOF);
        *received = 0;
        return 0;
    }
    *received = (size_t)count;
    return 1;
}

/* Flushing is nothing to do (writes are not buffered); the descriptor is told, as a
   descriptor BIO does (BIO_get_fd); nothing else is supported. */
static inline long cssl_socket_control(BIO *bio, int command, long number, void *pointer) {
    (void)number;
    switch (command) {
    case BIO_CTRL_FLUSH:
        return 1;
    case BIO_C_GET_FD:
        if (pointer != NULL) *(int *)pointer = cssl_socket_descriptor(bio);
        return cssl_socket_descriptor(bio);
    default:
        return 0;
    }
}

/* The method of those BIOs; free it with BIO_meth_free once no BIO of it is left. */
static inline BIO_METHOD *cssl_socket_method_new(void) {
    BIO_METHOD *method = BIO_meth_new(BIO_get_new_index() | BIO_TYPE_SOURCE_SINK | BIO_TYPE_DESCRIPTOR, "nosignal socket");
    if (method == NULL) return NULL;
    BIO_meth_set_write_ex(method, cssl_socket_write);
    BIO_meth_set_read_ex(method, cssl_socket_read);
    BIO_meth_set_ctrl(method, cssl_socket_control);
    return method;
}

/* A BIO of `method` over the socket `descriptor`, which it never closes. */
static inline BIO *cssl_socket_new(BIO_METHOD *method, int descriptor) {
    BIO *bio = BIO_new(method);
    if (bio == NULL) return NULL;
    BIO_set_data(bio, (void *)(intptr_t)descriptor);
    BIO_set_init(bio, 1);
    return bio;
}
